//! Writes the generated review tree (see `vigil_pdq::synthetic::review_tree`)
//! to a folder, for trying `vigil scan --review` by hand.
fn main() {
    let root = std::env::args().nth(1).expect("usage: review_tree DIR [GROUPS] [UNRELATED]");
    let groups = std::env::args().nth(2).map_or(10, |g| g.parse().expect("a number"));
    let unrelated = std::env::args().nth(3).map_or(6, |g| g.parse().expect("a number"));
    let files = vigil_pdq::synthetic::review_tree(std::path::Path::new(&root), groups, unrelated).expect("writable");
    for f in files {
        println!("{} {} {}", f.seed, f.made_as, f.path.display());
    }
}
