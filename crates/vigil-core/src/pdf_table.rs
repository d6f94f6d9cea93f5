//! A printable table as a PDF: landscape A4, the standard Helvetica font
//! (nothing embedded), a title, a header row repeated on every page, and
//! cells wrapped to their column, and the build that made it at the foot of
//! every page. Used for the disclosure schedules and the exhibit list, whose
//! readers print them.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
const SIZE: f32 = 8.0;
const LEAD: f32 = 10.0;

/// Helvetica's advance widths (thousandths of the font size) for the
/// printable ASCII range in the standard encoding (Adobe's core-font
/// metrics), so cells wrap to what the printer will really draw.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, // space .. /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 .. ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ .. O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P .. _
    222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` .. o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p .. ~
];

/// Characters Helvetica's standard encoding shows as themselves; others become `?`.
pub(crate) fn latin(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (' '..='~').contains(&c) { c as u8 } else { b'?' }).collect()
}

/// How wide `s` prints at `size` points.
pub(crate) fn text_width(s: &str, size: f32) -> f32 {
    latin(s).iter().map(|&b| f32::from(HELVETICA[usize::from(b - b' ')])).sum::<f32>() * size / 1000.0
}

/// Splits `text` into lines no wider than `width` at `size`: at spaces,
/// and inside a word (a hash, a path) only when the word alone is wider.
pub(crate) fn wrap_at(text: &str, width: f32, size: f32) -> Vec<String> {
    let fits = |s: &str| text_width(s, size) <= width;
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let joined = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: broken where it must be.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if !fits(&piece) && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

fn wrap(text: &str, width: f32) -> Vec<String> {
    wrap_at(text, width, SIZE)
}

/// One piece of text as it is placed on a page.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
    /// The right edge the text must stay inside (checked by the layout test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub limit: f32,
}

/// A page's text and rules.
#[derive(Debug, Default)]
pub(crate) struct PageLayout {
    pub text: Vec<Placed>,
    /// Horizontal rules: (y, line width).
    pub rules: Vec<(f32, f32)>,
}

/// Lays the table out on pages: title and the wrapped subtitle with
/// "page x of y", the header row on every page, and each row's cells
/// wrapped to their column.
pub(crate) fn layout(
    title: &str,
    subtitle: &str,
    headers: &[&str],
    widths: &[f32],
    rows: &[Vec<String>],
) -> Vec<PageLayout> {
    let usable = PAGE_W - 2.0 * MARGIN;
    let total: f32 = widths.iter().sum();
    let cols: Vec<f32> = widths.iter().map(|w| w / total * usable).collect();
    let sub_lines = wrap(subtitle, usable - 60.0);
    let head_cells: Vec<Vec<String>> = headers.iter().zip(&cols).map(|(h, w)| wrap(h, w - 4.0)).collect();
    let head_rows = head_cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
    let top = 16.0 + LEAD * sub_lines.len() as f32 + 14.0;
    let body_top = PAGE_H - MARGIN - top - head_rows * LEAD - 4.0;
    // Rows to pages.
    let cells: Vec<Vec<Vec<String>>> =
        rows.iter().map(|row| row.iter().zip(&cols).map(|(v, w)| wrap(v, w - 4.0)).collect()).collect();
    let mut pages: Vec<Vec<usize>> = vec![vec![]];
    let mut y = body_top;
    for (i, c) in cells.iter().enumerate() {
        let height = c.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEAD;
        if y - height < MARGIN && !pages.last().unwrap().is_empty() {
            pages.push(vec![]);
            y = body_top;
        }
        pages.last_mut().unwrap().push(i);
        y -= height;
    }
    let n = pages.len();
    let mut out = Vec::new();
    for (p, on_page) in pages.iter().enumerate() {
        let mut page = PageLayout::default();
        let right = PAGE_W - MARGIN;
        let mut y = PAGE_H - MARGIN - 12.0;
        for t in wrap_at(title, usable, 12.0) {
            page.text.push(Placed { x: MARGIN, y, size: 12.0, text: t, limit: right });
        }
        y -= 4.0;
        // Every page names the build that made it, so a printed page can be
        // tied to the validated build (FSR Code; `vigil validate`).
        let made_by = format!("Made by {}", vigil_build::BUILD);
        page.text.push(Placed { x: MARGIN, y: MARGIN - LEAD, size: 6.0, text: made_by, limit: right });
        let number = format!("page {} of {n}", p + 1);
        page.text.push(Placed {
            x: right - text_width(&number, SIZE),
            y: y - LEAD,
            size: SIZE,
            text: number,
            limit: right,
        });
        for l in &sub_lines {
            y -= LEAD;
            page.text.push(Placed { x: MARGIN, y, size: SIZE, text: l.clone(), limit: right - 60.0 });
        }
        y = PAGE_H - MARGIN - top;
        let mut x = MARGIN;
        for (lines, w) in head_cells.iter().zip(&cols) {
            for (i, l) in lines.iter().enumerate() {
                page.text.push(Placed { x, y: y - i as f32 * LEAD, size: SIZE, text: l.clone(), limit: x + w - 4.0 });
            }
            x += w;
        }
        y -= (head_rows - 1.0) * LEAD;
        page.rules.push((y - 3.0, 0.5));
        y -= LEAD + 4.0;
        for &i in on_page {
            let mut x = MARGIN;
            for (lines, w) in cells[i].iter().zip(&cols) {
                for (k, l) in lines.iter().enumerate() {
                    page.text.push(Placed {
                        x,
                        y: y - k as f32 * LEAD,
                        size: SIZE,
                        text: l.clone(),
                        limit: x + w - 4.0,
                    });
                }
                x += w;
            }
            y -= cells[i].iter().map(Vec::len).max().unwrap_or(1) as f32 * LEAD;
            page.rules.push((y + LEAD - 3.0, 0.2));
        }
        if rows.is_empty() {
            page.text.push(Placed { x: MARGIN, y, size: SIZE, text: "(no entries)".into(), limit: right });
        }
        out.push(page);
    }
    out
}

/// `widths` are shares of the printable width, one per column.
pub(crate) fn table_pdf(
    title: &str,
    subtitle: &str,
    headers: &[&str],
    widths: &[f32],
    rows: &[Vec<String>],
) -> Vec<u8> {
    let pages: Vec<Content> = layout(title, subtitle, headers, widths, rows)
        .into_iter()
        .map(|p| {
            let mut c = Content::new();
            for t in &p.text {
                c.begin_text();
                c.set_font(Name(b"F1"), t.size);
                c.next_line(t.x, t.y);
                c.show(Str(&latin(&t.text)));
                c.end_text();
            }
            for (y, w) in &p.rules {
                c.set_line_width(*w);
                c.move_to(MARGIN, *y);
                c.line_to(PAGE_W - MARGIN, *y);
                c.stroke();
            }
            c
        })
        .collect();

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(4 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (i, content) in pages.into_iter().enumerate() {
        let content_id = Ref::new(5 + 2 * i as i32);
        let mut p = pdf.page(page_ids[i]);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        p.parent(tree);
        p.contents(content_id);
        p.resources().fonts().pair(Name(b"F1"), font);
        p.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_long_cells_and_breaks_long_words() {
        let lines = wrap("a few words that will not fit on one narrow line", 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, SIZE) <= 60.0), "{lines:?}");
        let hex = "0123456789abcdef".repeat(4);
        let broken = wrap(&hex, 60.0);
        assert!(broken.len() >= 4 && broken.concat() == hex, "{broken:?}");
    }

    #[test]
    fn real_widths_differ_by_letter() {
        assert!(text_width("WWWW", 10.0) > 2.0 * text_width("iiii", 10.0));
        assert_eq!(text_width(" ", 1000.0), 278.0);
    }

    /// Issue 12, point 10: hashes overprinted the next column on the MG12.
    /// No text runs past its column (or the page) on any page.
    #[test]
    fn no_text_runs_outside_its_column() {
        let sha = "462296c5d43ed0008103841064670a0a08add0fd0462296c5d43ed0008103841";
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| {
                vec![
                    format!("DI/{i}"),
                    "Chat export between demo_user_a and the child's account, WWWWWWWWWWWWWWWWWWWWWWWWWWWWW".into(),
                    "DC Demo Investigator 1234 (fictional)".into(),
                    "2026-12-02T04:28:17.392Z".into(),
                    format!("{sha}\n{}", &sha[..32]),
                    "#20 2026-12-02T04:28:17.392Z received by DI\n#35 accessed by demo.disclosure".into(),
                ]
            })
            .collect();
        let subtitle = "R v Synthetic Person A (fictional). URN 99XX0000126. ".repeat(6);
        let head = ["Exhibit", "Description", "Producing witness", "Received", "SHA-256 / MD5", "Continuity"];
        let pages = layout("MG12 Exhibit list", &subtitle, &head, &[0.8, 2.2, 1.2, 1.4, 2.8, 3.6], &rows);
        assert!(pages.len() > 1);
        for (n, p) in pages.iter().enumerate() {
            for t in &p.text {
                let right = t.x + text_width(&t.text, t.size);
                assert!(right <= t.limit + 0.01, "page {}: {:?} runs to {right}, past {}", n + 1, t.text, t.limit);
                assert!(t.y >= MARGIN - LEAD && t.y <= PAGE_H - MARGIN, "page {}: {:?} off the page", n + 1, t.text);
            }
            assert!(p.text.iter().any(|t| t.text == format!("page {} of {}", n + 1, pages.len())));
            assert!(
                p.text.iter().any(|t| t.text == format!("Made by {}", vigil_build::BUILD)),
                "every page names the build"
            );
        }
    }

    #[test]
    fn a_long_table_spills_onto_more_pages() {
        let rows: Vec<Vec<String>> = (0..200).map(|i| vec![i.to_string(), format!("item {i}")]).collect();
        let pdf = table_pdf("MG6C", "case X", &["No.", "Description"], &[1.0, 5.0], &rows);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count() >= 1);
        assert!(text.contains("/Count 5") || text.contains("/Count 6"), "200 rows over several pages");
    }
}
