//! Charts as inline SVG: no script, no external library, readable without JavaScript.

use std::fmt::Write;

use crate::html::esc;

/// One bar: label, value, CSS class of the bar, optional link (already relative).
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub class: &'static str,
    pub href: Option<String>,
}

/// A horizontal bar chart, one row per bar, scaled to the largest value.
pub fn bars(title: &str, items: &[Bar]) -> String {
    const W: u32 = 640;
    const LABEL: u32 = 260;
    const ROW: u32 = 22;
    let max = items.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let h = ROW * items.len() as u32 + 8;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\"><svg viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" \
         role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    for (i, b) in items.iter().enumerate() {
        let y = 4 + ROW * i as u32;
        let bw = ((W - LABEL - 70) as u64 * b.value / max) as u32;
        // About 7 px a character at 12 px: longer labels would run off the left edge.
        let label: String = if b.label.chars().count() > 30 {
            b.label.chars().take(29).collect::<String>() + "…"
        } else {
            b.label.clone()
        };
        let text = format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 6,
            y + 15,
            esc(&label)
        );
        match &b.href {
            Some(href) => {
                let _ = write!(s, "<a href=\"{}\">{text}</a>", esc(href));
            }
            None => s.push_str(&text),
        }
        let _ = write!(
            s,
            "<rect class=\"{}\" x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            b.class,
            y + 2,
            bw.max(1),
            ROW - 6,
            esc(&b.label),
            b.value,
            LABEL + bw + 6,
            y + 15,
            b.value
        );
    }
    let _ = write!(s, "</svg><figcaption>{}</figcaption></figure>", esc(title));
    s
}

/// One line of a line chart.
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    pub values: Vec<u32>,
}

/// A line chart over `labels` (x axis, oldest first) with a legend.
pub fn lines(title: &str, labels: &[String], series: &[Series]) -> String {
    const W: u32 = 640;
    const H: u32 = 220;
    const L: u32 = 40;
    const B: u32 = 40;
    let n = labels.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |i: usize| {
        if n == 1 {
            L + (W - L - 10) / 2
        } else {
            L + ((W - L - 10) as usize * i / (n - 1)) as u32
        }
    };
    let y = |v: u32| 10 + ((H - B - 10) as u64 * u64::from(max - v) / u64::from(max)) as u32;
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\"><svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" \
         role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>\
         <line class=\"axis\" x1=\"{L}\" y1=\"{b}\" x2=\"{W}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"{L}\" y1=\"10\" x2=\"{L}\" y2=\"{b}\"/>\
         <text x=\"{lx}\" y=\"14\" text-anchor=\"end\">{max}</text>\
         <text x=\"{lx}\" y=\"{b}\" text-anchor=\"end\">0</text>",
        t = esc(title),
        b = H - B,
        lx = L - 4,
    );
    // A few x labels: first, last and some between.
    let step = n.div_ceil(6).max(1);
    for (i, label) in labels.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                s,
                "<text class=\"xl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                H - B + 16,
                esc(label)
            );
        }
    }
    for se in series {
        let pts: Vec<String> = se
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{},{}", x(i), y(v)))
            .collect();
        let _ = write!(
            s,
            "<polyline class=\"{}\" fill=\"none\" points=\"{}\"><title>{}</title></polyline>",
            se.class,
            pts.join(" "),
            se.name
        );
    }
    for (i, se) in series.iter().enumerate() {
        let lx = L + 10 + 110 * i as u32;
        let _ = write!(
            s,
            "<rect class=\"{}\" x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            se.class,
            H - 16,
            lx + 16,
            H - 6,
            se.name
        );
    }
    let _ = write!(s, "</svg><figcaption>{}</figcaption></figure>", esc(title));
    s
}
