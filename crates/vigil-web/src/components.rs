//! The pieces pages are built from, as maud templates: every value is
//! escaped as it is written, so no page can forget to.

use maud::{html, Markup, Render};

/// A table of text cells; a cell's line breaks are kept.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> Markup {
    let cells: Vec<Vec<Markup>> = rows.iter().map(|r| r.iter().map(|c| lines(c)).collect()).collect();
    table_of(headers, &cells)
}

/// A table whose cells are already markup (links, tags).
pub(crate) fn table_of(headers: &[&str], rows: &[Vec<Markup>]) -> Markup {
    html! {
        table {
            thead { tr { @for h in headers { th scope="col" { (h) } } } }
            tbody {
                @for r in rows { tr { @for c in r { td { (c) } } } }
                @if rows.is_empty() { tr { td colspan=(headers.len()) { "None." } } }
            }
        }
    }
}

/// Text with its line breaks shown.
pub(crate) fn lines(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// Questions and answers, or labels and values (GOV.UK's summary list).
pub(crate) fn summary_list<L: Render>(items: &[(L, Markup)]) -> Markup {
    html! {
        dl.summary {
            @for (label, value) in items {
                dt { (label) }
                dd { (value) }
            }
        }
    }
}

/// The list of problems above a form, each linking to its field.
pub(crate) fn error_summary(errors: &[(&str, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { "There is a problem" }
                ul { @for (field, message) in errors { li { a href={ "#" (field) } { (message) } } } }
            }
        }
    }
}

/// A one-line text field with its label, hint and error.
pub(crate) fn text_field(name: &str, label: &str, hint: &str, value: &str, error: Option<&str>) -> Markup {
    field(false, name, label, hint, value, error)
}

/// A text area with its label, hint and error.
pub(crate) fn text_area(name: &str, label: &str, hint: &str, value: &str, error: Option<&str>) -> Markup {
    field(true, name, label, hint, value, error)
}

fn field(long: bool, name: &str, label: &str, hint: &str, value: &str, error: Option<&str>) -> Markup {
    let hint_id = format!("{name}-hint");
    let described = (!hint.is_empty()).then_some(hint_id.as_str());
    html! {
        label for=(name) { (label) }
        @if !hint.is_empty() { p.hint id=(hint_id) { (hint) } }
        @if let Some(e) = error { p.error id={ (name) "-error" } { (e) } }
        @if long {
            textarea id=(name) name=(name) aria-describedby=[described] { (value) }
        } @else {
            input type="text" id=(name) name=(name) value=(value) aria-describedby=[described];
        }
    }
}

/// A set of radio buttons under a legend. `name` is also the fieldset's
/// id, so an error summary can link to it.
pub(crate) fn radios(
    name: &str,
    legend: &str,
    options: &[(&str, &str)],
    chosen: Option<&str>,
    error: Option<&str>,
) -> Markup {
    html! {
        fieldset id=(name) {
            legend { (legend) }
            @if let Some(e) = error { p.error id={ (name) "-error" } { (e) } }
            div.radios {
                @for (value, label) in options {
                    @let id = format!("{name}-{value}");
                    input type="radio" id=(id) name=(name) value=(value) checked[chosen == Some(*value)];
                    label for=(id) { (label) }
                    " "
                }
            }
        }
    }
}

/// The form's CSRF token.
pub(crate) fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// How a tag reads: a warning, or something new to the reader.
#[derive(Clone, Copy)]
pub(crate) enum Tone {
    Danger,
    New,
}

/// A short label beside a value: "OVERDUE", "NEW", "IMMEDIATE DANGER".
pub(crate) fn tag(text: &str, tone: Tone) -> Markup {
    let class = match tone {
        Tone::Danger => "tag tag-danger",
        Tone::New => "tag tag-new",
    };
    html! { strong class=(class) { (text) } }
}

/// "Page 2 of 5 · Previous · Next", each a link built by `href`.
pub(crate) fn pagination(page: u64, pages: u64, href: impl Fn(u64) -> String) -> Markup {
    html! {
        @if pages > 1 {
            nav aria-label="Pages" {
                p {
                    "Page " (page) " of " (pages)
                    @if page > 1 { " · " a href=(href(page - 1)) rel="prev" { "Previous" } }
                    @if page < pages { " · " a href=(href(page + 1)) rel="next" { "Next" } }
                }
            }
        }
    }
}

/// Where a page sits: links up to it, then the page itself.
pub(crate) fn breadcrumbs(trail: &[(&str, &str)], here: &str) -> Markup {
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" {
            ol {
                @for (href, label) in trail { li { a href=(href) { (label) } } }
                li aria-current="page" { (here) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_they_are_written() {
        let hostile = "<script>alert(1)</script>\"'&";
        let out = table(&["h<"], &[vec![hostile.to_owned()]]).into_string();
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;") && out.contains("h&lt;"));
        let f = text_field("n", hostile, hostile, hostile, Some(hostile)).into_string();
        assert!(!f.contains("<script>") && !f.contains("value=\"<"), "{f}");
        let r = radios("r", "L", &[("a\"", hostile)], None, None).into_string();
        assert!(!r.contains("<script>") && r.contains("value=\"a&quot;\""), "{r}");
    }

    #[test]
    fn a_cell_keeps_its_line_breaks_and_an_empty_table_says_so() {
        assert!(table(&["a"], &[vec!["one\ntwo".into()]]).into_string().contains("one<br>two"));
        assert!(table(&["a", "b"], &[]).into_string().contains("colspan=\"2\""));
    }

    #[test]
    fn pagination_links_only_where_there_is_a_page() {
        assert_eq!(pagination(1, 1, |p| p.to_string()).into_string(), "");
        let mid = pagination(2, 3, |p| format!("/q?page={p}")).into_string();
        assert!(mid.contains("/q?page=1") && mid.contains("/q?page=3"));
        assert!(!pagination(3, 3, |p| p.to_string()).into_string().contains("next"));
    }
}
