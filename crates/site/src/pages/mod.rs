//! One module per page type. Each renders a whole HTML document as a `String`.

pub mod charts;
pub mod diff;
pub mod home;
pub mod rules;
pub mod stats;
pub mod tags;
pub mod version;

use std::fmt::Write;

use rbac_lens_atlas::{ChartId, ScanStatus, ScanSummary};

use crate::Site;
use crate::html::{Page, esc, level_counts, risk_badge, thead};
use crate::paths;

/// `repo/chart`.
pub fn chart_name(id: &ChartId) -> String {
    format!("{}/{}", id.repo, id.chart)
}

/// Scan status as a badge (failed and partial scans stand out).
pub fn status_badge(s: &ScanSummary) -> String {
    match s.status {
        ScanStatus::Ok => String::new(),
        ScanStatus::Partial => {
            format!(
                " <span class=\"status partial\" title=\"{}\">partial</span>",
                esc(&s.error)
            )
        }
        ScanStatus::Failed => format!(
            " <span class=\"status failed\" title=\"{}\">failed</span>",
            esc(&s.error)
        ),
    }
}

/// Cut long untrusted text for tables (whole text stays on the chart page).
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect::<String>() + "…"
    }
}

/// A table of charts showing each one's newest version.
pub fn chart_table(site: &Site, page: &Page, charts: &[usize]) -> String {
    let mut s = String::from("<table class=\"charts\">");
    s.push_str(&thead(&[
        "Chart",
        "Latest",
        "Highest risk",
        "Rows by level",
        "Accounts",
        "Workloads",
        "Description",
    ]));
    s.push_str("<tbody>");
    for &c in charts {
        let entry = &site.index.charts[c];
        let l = entry.latest();
        let _ = write!(
            s,
            "<tr data-i=\"{c}\"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            page.a(&paths::chart_page(&entry.id), &chart_name(&entry.id)),
            page.a(&paths::version_page(&entry.id, &l.version), &l.version),
            status_badge(l),
            risk_badge(l.highest),
            level_counts(&l.level_counts),
            l.service_accounts,
            l.workloads,
            esc(&short(&l.description, 140)),
        );
    }
    s.push_str("</tbody></table>");
    s
}

/// Links to tag pages.
pub fn tag_links(page: &Page, tags: &[String]) -> String {
    let mut s = String::from("<span class=\"tags\">");
    for t in tags {
        let _ = write!(
            s,
            "<a class=\"tag\" href=\"{}\">{}</a> ",
            esc(&page.link(&paths::tag_page(t))),
            esc(t)
        );
    }
    s.push_str("</span>");
    s
}

/// Links to category pages.
pub fn category_links(page: &Page, kws: &[String]) -> String {
    let mut s = String::from("<span class=\"tags\">");
    for k in kws.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        let _ = write!(
            s,
            "<a class=\"category\" href=\"{}\">{}</a> ",
            esc(&page.link(&paths::category_page(k))),
            esc(k)
        );
    }
    s.push_str("</span>");
    s
}

/// A rule link: `1047 Create ServiceAccount Tokens`.
pub fn rule_link(site: &Site, page: &Page, id: u32) -> String {
    match site.opts.catalog.get(id) {
        Some(r) => format!(
            "<a href=\"{}\">{} {}</a>",
            esc(&page.link(&paths::rule_page(id))),
            id,
            esc(&r.name)
        ),
        None => format!("{id} (not in this catalog)"),
    }
}
