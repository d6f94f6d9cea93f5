//! A bar chart drawn on the server as SVG: readable with JavaScript off,
//! printable, and always shown beside a table of the same figures (the
//! chart's description says so, for screen readers).

use maud::{html, Markup, Render};

/// Colours with at least 3:1 contrast against white (WCAG 1.4.11), in series order.
const COLOURS: [&str; 6] = ["#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#912b88"];

pub(crate) struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<f64>,
}

pub(crate) struct BarChart<'a> {
    /// Unique on the page; the SVG's title and description hang off it.
    pub id: &'a str,
    pub title: &'a str,
    pub categories: Vec<String>,
    pub series: Vec<Series<'a>>,
    /// Bars of one category stacked (parts of a whole) or side by side.
    pub stacked: bool,
    /// A line across the chart, such as a target, with its label.
    pub reference: Option<(f64, &'a str)>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// The smallest of 1, 2 or 5 × 10^k at or above `v` (at least 1).
fn nice_max(v: f64) -> f64 {
    if v <= 1.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|m| *m >= v).unwrap_or(10.0 * mag)
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Render for BarChart<'_> {
    fn render(&self) -> Markup {
        let n = self.categories.len().max(1);
        let top_value = (0..n)
            .map(|i| {
                let vals = self.series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0));
                if self.stacked {
                    vals.sum::<f64>()
                } else {
                    vals.fold(0.0, f64::max)
                }
            })
            .fold(self.reference.map_or(0.0, |r| r.0), f64::max);
        let max = nice_max(top_value);
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let y = |v: f64| TOP + plot_h - v / max * plot_h;
        let slot = plot_w / n as f64;
        let bar_w = if self.stacked { slot * 0.7 } else { slot * 0.8 / self.series.len().max(1) as f64 };
        let mut bars: Vec<(f64, f64, f64, f64, &str, String)> = Vec::new();
        for (i, cat) in self.categories.iter().enumerate() {
            let mut base = 0.0;
            for (k, s) in self.series.iter().enumerate() {
                let v = s.values.get(i).copied().unwrap_or(0.0);
                let x = if self.stacked {
                    LEFT + slot * i as f64 + (slot - bar_w) / 2.0
                } else {
                    LEFT + slot * i as f64 + slot * 0.1 + bar_w * k as f64
                };
                let (from, to) = if self.stacked { (base, base + v) } else { (0.0, v) };
                base += v;
                if v > 0.0 {
                    bars.push((
                        x,
                        y(to),
                        bar_w,
                        y(from) - y(to),
                        COLOURS[k % COLOURS.len()],
                        format!("{cat}: {} {}", s.label, number(v)),
                    ));
                }
            }
        }
        let ticks: Vec<f64> = (0..=4).map(|t| max * t as f64 / 4.0).collect();
        let label_every = n.div_ceil(12);
        html! {
            figure.chart {
                svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT + 28.0) } width="100%" role="img"
                    aria-labelledby={ (self.id) "-title " (self.id) "-desc" } {
                    title id={ (self.id) "-title" } { (self.title) }
                    desc id={ (self.id) "-desc" } { "Bar chart. The table that follows gives the same figures." }
                    @for t in &ticks {
                        line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(*t)) y2=(y(*t)) stroke="#b1b4b6" stroke-width="1" {}
                        text x=(LEFT - 6.0) y=(y(*t) + 4.0) text-anchor="end" font-size="12" fill="#0b0c0c" { (number(*t)) }
                    }
                    @for (x, top, w, h, colour, label) in &bars {
                        rect x=(x) y=(top) width=(w) height=(h) fill=(colour) { title { (label) } }
                    }
                    @if let Some((v, label)) = self.reference {
                        line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(v)) y2=(y(v)) stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4" {}
                        text x=(WIDTH - RIGHT) y=(y(v) - 4.0) text-anchor="end" font-size="12" fill="#0b0c0c" { (label) }
                    }
                    @for (i, cat) in self.categories.iter().enumerate() {
                        @if i % label_every == 0 {
                            text x=(LEFT + slot * (i as f64 + 0.5)) y=(TOP + plot_h + 16.0) text-anchor="middle" font-size="12" fill="#0b0c0c" { (cat) }
                        }
                    }
                    @for (k, s) in self.series.iter().enumerate() {
                        @let lx = LEFT + k as f64 * 150.0;
                        rect x=(lx) y=(HEIGHT + 6.0) width="12" height="12" fill=(COLOURS[k % COLOURS.len()]) {}
                        text x=(lx + 16.0) y=(HEIGHT + 16.0) font-size="12" fill="#0b0c0c" { (s.label) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_rounds_up_to_a_readable_maximum() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.0), 5.0);
        assert_eq!(nice_max(11.0), 20.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn stacked_bars_are_drawn_for_each_value_with_their_figures_named() {
        let c = BarChart {
            id: "c",
            title: "Reports <per> week",
            categories: vec!["1 Dec".into(), "8 Dec".into()],
            series: vec![
                Series { label: "Public", values: vec![2.0, 0.0] },
                Series { label: "Partner", values: vec![1.0, 4.0] },
            ],
            stacked: true,
            reference: Some((3.0, "target")),
        }
        .render()
        .into_string();
        assert_eq!(c.matches("<rect").count(), 3 + 2, "three bars and two legend keys: {c}");
        assert!(c.contains("8 Dec: Partner 4") && c.contains("Reports &lt;per&gt; week"));
        assert!(c.contains("aria-labelledby=\"c-title c-desc\""));
    }
}
