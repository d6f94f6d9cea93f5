//! A printable table as a PDF: landscape A4, the standard Helvetica font
//! (nothing embedded), a title, a header row repeated on every page, and
//! cells wrapped to their column. Used for the disclosure schedules and the
//! exhibit list, whose readers print them.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
const SIZE: f32 = 8.0;
const LEAD: f32 = 10.0;

/// Helvetica's average character width, as a share of the font size; used
/// to wrap cells without font metrics.
const CHAR_W: f32 = 0.5;

/// Characters Helvetica's standard encoding shows as themselves; others become `?`.
pub(crate) fn latin(s: &str) -> Vec<u8> {
    s.chars().map(|c| if (' '..='~').contains(&c) { c as u8 } else { b'?' }).collect()
}

fn wrap(text: &str, width: f32) -> Vec<String> {
    let per_line = ((width / (SIZE * CHAR_W)) as usize).max(4);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let mut word = word.to_owned();
            while word.chars().count() > per_line {
                let head: String = word.chars().take(per_line).collect();
                word = word.chars().skip(per_line).collect();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > per_line {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

/// `widths` are shares of the printable width, one per column.
pub(crate) fn table_pdf(
    title: &str,
    subtitle: &str,
    headers: &[&str],
    widths: &[f32],
    rows: &[Vec<String>],
) -> Vec<u8> {
    let usable = PAGE_W - 2.0 * MARGIN;
    let total: f32 = widths.iter().sum();
    let cols: Vec<f32> = widths.iter().map(|w| w / total * usable).collect();
    let mut pages: Vec<Content> = Vec::new();
    let mut page = Content::new();
    let mut y = PAGE_H - MARGIN;
    let text = |c: &mut Content, x: f32, y: f32, size: f32, s: &str| {
        c.begin_text();
        c.set_font(Name(b"F1"), size);
        c.next_line(x, y);
        c.show(Str(&latin(s)));
        c.end_text();
    };
    let header = |c: &mut Content, y: &mut f32, n: usize| {
        text(c, MARGIN, *y - 12.0, 12.0, title);
        text(c, MARGIN, *y - 26.0, SIZE, &format!("{subtitle}    page {n}"));
        *y -= 40.0;
        let mut x = MARGIN;
        for (h, w) in headers.iter().zip(&cols) {
            text(c, x, *y, SIZE, h);
            x += w;
        }
        c.set_line_width(0.5);
        c.move_to(MARGIN, *y - 3.0);
        c.line_to(PAGE_W - MARGIN, *y - 3.0);
        c.stroke();
        *y -= LEAD + 4.0;
    };
    header(&mut page, &mut y, 1);
    for row in rows {
        let cells: Vec<Vec<String>> = row.iter().zip(&cols).map(|(v, w)| wrap(v, w - 4.0)).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEAD;
        if y - height < MARGIN {
            pages.push(std::mem::replace(&mut page, Content::new()));
            y = PAGE_H - MARGIN;
            header(&mut page, &mut y, pages.len() + 1);
        }
        let mut x = MARGIN;
        for (lines, w) in cells.iter().zip(&cols) {
            for (i, l) in lines.iter().enumerate() {
                text(&mut page, x, y - i as f32 * LEAD, SIZE, l);
            }
            x += w;
        }
        y -= height;
        page.set_line_width(0.2);
        page.move_to(MARGIN, y + LEAD - 3.0);
        page.line_to(PAGE_W - MARGIN, y + LEAD - 3.0);
        page.stroke();
    }
    if rows.is_empty() {
        text(&mut page, MARGIN, y, SIZE, "(no entries)");
    }
    pages.push(page);

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
        assert!(lines.iter().all(|l| l.chars().count() <= 15));
        let hex = "0123456789abcdef".repeat(4);
        assert!(wrap(&hex, 60.0).len() >= 4);
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
