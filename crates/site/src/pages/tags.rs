//! Tag pages (threat tags of permission rows) and category pages (chart keywords).

use std::fmt::Write;

use super::{chart_name, chart_table};
use crate::html::{Page, esc, thead};
use crate::{Site, paths};

pub fn tag_index(site: &Site) -> String {
    let mut p = Page::new(paths::TAG_INDEX);
    let _ = write!(
        p.body,
        "<h1>Tags</h1><p>Threat tags carried by permission rows. Counts are charts (not \
         repositories) whose newest version has the tag, and chart versions.</p><table>"
    );
    p.body.push_str(&thead(&[
        "Tag",
        "Charts (newest version)",
        "Charts (any version)",
        "Versions",
    ]));
    for (t, u) in &site.agg.tags {
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            p.a(&paths::tag_page(t), t),
            u.latest_charts.len(),
            u.charts(),
            u.versions.len()
        );
    }
    p.body.push_str("</table>");
    p.finish(&site.opts.title, "Tags", &[])
}

pub fn tag(site: &Site, tag: &str) -> String {
    let mut p = Page::new(paths::tag_page(tag));
    let empty = crate::model::Usage::default();
    let u = site.agg.tags.get(tag).unwrap_or(&empty);
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{}</p><h1>Tag {}</h1><p>{} charts have it in their newest version; \
         {} chart versions in all.</p>",
        p.a(paths::TAG_INDEX, "Tags"),
        esc(tag),
        u.latest_charts.len(),
        u.versions.len()
    );
    p.body.push_str(&chart_table(site, &p, &u.latest_charts));
    // Charts that had it once but no longer do.
    let mut older: Vec<(usize, usize)> = Vec::new();
    for &(c, _) in &u.versions {
        if u.has_latest(c) {
            continue;
        }
        match older.last_mut() {
            Some((lc, n)) if *lc == c => *n += 1,
            _ => older.push((c, 1)),
        }
    }
    if !older.is_empty() {
        p.body.push_str("<h2>Only in older versions</h2><ul>");
        for (c, n) in older {
            let entry = &site.index.charts[c];
            let _ = write!(
                p.body,
                "<li>{} ({n} versions)</li>",
                p.a(&paths::chart_page(&entry.id), &chart_name(&entry.id))
            );
        }
        p.body.push_str("</ul>");
    }
    p.finish(&site.opts.title, &format!("Tag {tag}"), &[])
}

pub fn category_index(site: &Site) -> String {
    let mut p = Page::new(paths::CATEGORY_INDEX);
    p.body.push_str(
        "<h1>Categories</h1><p>Chart keywords (from Chart.yaml and the projects file), with the \
         number of charts whose newest version lists them.</p><table>",
    );
    p.body.push_str(&thead(&["Category", "Charts"]));
    for (k, charts) in &site.agg.categories {
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{}</td></tr>",
            p.a(&paths::category_page(k), k),
            charts.len()
        );
    }
    p.body.push_str("</table>");
    p.finish(&site.opts.title, "Categories", &[])
}

pub fn category(site: &Site, kw: &str) -> String {
    let mut p = Page::new(paths::category_page(kw));
    let charts = site.agg.categories.get(kw).cloned().unwrap_or_default();
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{}</p><h1>Category {}</h1><p>{} charts.</p>",
        p.a(paths::CATEGORY_INDEX, "Categories"),
        esc(kw),
        charts.len()
    );
    p.body.push_str(&chart_table(site, &p, &charts));
    p.finish(&site.opts.title, &format!("Category {kw}"), &[])
}
