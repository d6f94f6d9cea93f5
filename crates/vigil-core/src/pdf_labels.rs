//! Printable exhibit labels: A4 sheets of eight labels (two across, four
//! down), each with the exhibit reference, the case, the description, the
//! producer, when it was received, how it was seized (where, when, by whom,
//! seal and property numbers) when a seizure record says, its SHA-256 and
//! ruled continuity boxes for each hand-over, so a physical item or a
//! printed copy carries the reference and hash the custody log knows it by.

use crate::case_work::ExhibitListEntry;
use crate::pdf_table::latin;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 30.0;
const COLS: usize = 2;
const ROWS: usize = 4;

pub(crate) fn labels_pdf(case: &str, list: &[ExhibitListEntry]) -> Vec<u8> {
    let lw = (W - 2.0 * MARGIN) / COLS as f32;
    let lh = (H - 2.0 * MARGIN) / ROWS as f32;
    let per_page = COLS * ROWS;
    let chunks: Vec<&[ExhibitListEntry]> = if list.is_empty() { vec![&[]] } else { list.chunks(per_page).collect() };
    let mut pdf = Pdf::new();
    let (catalog, tree, font, bold) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4));
    let page_ids: Vec<Ref> = (0..chunks.len()).map(|i| Ref::new(5 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(chunks.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold"));
    for (p, chunk) in chunks.iter().enumerate() {
        let mut c = Content::new();
        let line = |c: &mut Content, f: &[u8], size: f32, x: f32, y: f32, s: &str| {
            c.begin_text();
            c.set_font(Name(f), size);
            c.next_line(x, y);
            c.show(Str(&latin(s)));
            c.end_text();
        };
        for (i, e) in chunk.iter().enumerate() {
            let x = MARGIN + (i % COLS) as f32 * lw;
            let top = H - MARGIN - (i / COLS) as f32 * lh;
            c.set_line_width(0.8);
            c.rect(x + 4.0, top - lh + 4.0, lw - 8.0, lh - 8.0);
            c.stroke();
            let tx = x + 12.0;
            line(&mut c, b"F2", 16.0, tx, top - 26.0, &format!("EXHIBIT {}", e.reference));
            line(&mut c, b"F1", 9.0, tx, top - 42.0, &format!("Case {case}"));
            // Two lines at the font's real widths; a longer description ends in "...".
            let mut desc = crate::pdf_table::wrap_at(&e.description, lw - 24.0, 9.0);
            if desc.len() > 2 {
                desc.truncate(2);
                while crate::pdf_table::text_width(&format!("{}...", desc[1]), 9.0) > lw - 24.0 {
                    desc[1].pop();
                }
                desc[1].push_str("...");
            }
            for (k, d) in desc.iter().enumerate() {
                line(&mut c, b"F1", 9.0, tx, top - 56.0 - 11.0 * k as f32, d);
            }
            line(&mut c, b"F1", 8.0, tx, top - 82.0, &format!("Producer {}   received {}", e.producer, e.received));
            let fit = |s: String, size: f32| -> String {
                let mut s = s;
                while crate::pdf_table::text_width(&s, size) > lw - 24.0 {
                    s.pop();
                }
                s
            };
            match &e.seizure {
                Some((place, at, by, seal, property)) => {
                    let mut at_place = crate::pdf_table::wrap_at(&format!("Seized at {place}"), lw - 24.0, 7.5);
                    at_place.truncate(2);
                    if at_place.len() < 2 {
                        at_place.push(String::new());
                    }
                    line(&mut c, b"F1", 7.5, tx, top - 94.0, &at_place[0]);
                    line(&mut c, b"F1", 7.5, tx, top - 103.0, &fit(at_place[1].clone(), 7.5));
                    line(&mut c, b"F1", 7.5, tx, top - 112.0, &fit(format!("on {at} by {by}"), 7.5));
                    line(&mut c, b"F2", 7.5, tx, top - 121.0, &fit(format!("Seal {seal}   Property {property}"), 7.5));
                }
                None => {
                    line(&mut c, b"F1", 7.5, tx, top - 94.0, "Seized at ______________________  when __________");
                    line(&mut c, b"F1", 7.5, tx, top - 112.0, "by (name, rank, number) ______________________");
                    line(&mut c, b"F1", 7.5, tx, top - 121.0, "Seal no. __________   Property no. __________");
                }
            }
            line(&mut c, b"F1", 6.5, tx, top - 132.0, &format!("SHA-256 {}", &e.sha256[..32]));
            line(&mut c, b"F1", 6.5, tx, top - 140.0, &format!("        {}", &e.sha256[32..]));
            // Continuity: one ruled row per hand-over, repeated on every label.
            let (bx, bw) = (tx, lw - 24.0);
            let cols = [0.0, 0.3, 0.6, 0.8];
            line(&mut c, b"F2", 6.5, bx, top - 152.0, "From");
            line(&mut c, b"F2", 6.5, bx + bw * cols[1], top - 152.0, "To");
            line(&mut c, b"F2", 6.5, bx + bw * cols[2], top - 152.0, "Date, time");
            line(&mut c, b"F2", 6.5, bx + bw * cols[3], top - 152.0, "Signature");
            c.set_line_width(0.4);
            for k in 0..4 {
                let y = top - 155.0 - 10.0 * k as f32;
                c.move_to(bx, y);
                c.line_to(bx + bw, y);
            }
            for f in cols.iter().skip(1) {
                c.move_to(bx + bw * f - 2.0, top - 155.0);
                c.line_to(bx + bw * f - 2.0, top - 185.0);
            }
            c.stroke();
        }
        if chunk.is_empty() {
            line(&mut c, b"F1", 10.0, MARGIN, H - MARGIN - 20.0, &format!("Case {case}: no exhibits"));
        }
        let content_id = Ref::new(6 + 2 * p as i32);
        let mut page = pdf.page(page_ids[p]);
        page.media_box(Rect::new(0.0, 0.0, W, H));
        page.parent(tree);
        page.contents(content_id);
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(Name(b"F1"), font);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        res.finish();
        page.finish();
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_exhibits_make_two_pages() {
        let e = |n: u32| ExhibitListEntry {
            reference: vigil_domain::ExhibitRef::parse(&format!("AB/{n}")).unwrap(),
            description: "a synthetic item with a fairly long description that needs two lines here".into(),
            producer: "AB".into(),
            received: "2026-11-26T00:00:00.000Z".into(),
            size: 1,
            sha256: "ab".repeat(32),
            md5: "00".repeat(16),
            sha1: "11".repeat(20),
            continuity: vec![],
            seizure: n.is_multiple_of(2).then(|| {
                (
                    "a synthetic address".into(),
                    "1 Dec 2026 09:00".into(),
                    "DC Synthetic 1234".into(),
                    "SEAL-1".into(),
                    "PROP-1".into(),
                )
            }),
        };
        let pdf = labels_pdf("OP-X", &(1..=11).map(e).collect::<Vec<_>>());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&pdf).contains("/Count 2"));
    }
}
