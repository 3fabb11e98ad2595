//! The home page: counts, risk distribution, most frequent rules and tags, latest scans.

use std::fmt::Write;

use rbac_lens_core::catalog::RiskLevel;

use super::{chart_name, rule_link, status_badge};
use crate::html::{Page, date, esc, risk_badge, thead};
use crate::svg::{Bar, bars};
use crate::{Site, paths};

/// Bars of a `[none, Low, .., Critical]` distribution, Critical first.
pub fn level_bars(dist: &[usize; 5]) -> Vec<Bar> {
    let mut out: Vec<Bar> = RiskLevel::ALL
        .iter()
        .rev()
        .map(|l| Bar {
            label: l.to_string(),
            value: dist[crate::model_level(*l) + 1] as u64,
            class: crate::html::level_class(*l),
            href: None,
        })
        .collect();
    out.push(Bar {
        label: "no permissions".into(),
        value: dist[0] as u64,
        class: "none",
        href: None,
    });
    out
}

/// The most frequent rules (not the base levels), by versions that trigger them.
pub fn top_rules(site: &Site, n: usize) -> Vec<(u32, usize, usize)> {
    let mut v: Vec<(u32, usize, usize)> = site
        .agg
        .rules
        .iter()
        .filter(|(id, _)| !rbac_lens_core::catalog::BASE_RULE_IDS.contains(id))
        .map(|(id, u)| (*id, u.versions.len(), u.latest_charts.len()))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// The most frequent tags, by versions.
pub fn top_tags<'s>(site: &'s Site, n: usize) -> Vec<(&'s str, usize, usize)> {
    let mut v: Vec<(&str, usize, usize)> = site
        .agg
        .tags
        .iter()
        .map(|(t, u)| (t.as_str(), u.versions.len(), u.latest_charts.len()))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v
}

pub fn render(site: &Site) -> String {
    let mut p = Page::new(paths::HOME);
    let a = &site.agg;
    let charts = site.index.charts.len();
    let _ = write!(
        p.body,
        "<h1>{}</h1><p class=\"lead\">The RBAC permissions that Helm charts grant, every version \
         of each, analysed with rbac-lens: who each service account can become, which risk \
         rules fire, and what changed between versions.</p>",
        esc(&site.opts.title)
    );
    let critical = a.charts_by_highest[4];
    let _ = write!(
        p.body,
        "<section class=\"glance\"><div><b>{charts}</b> charts</div><div><b>{}</b> chart versions</div>\
         <div><b>{}</b> permission rows</div><div><b>{critical}</b> charts with a Critical row (newest version)</div>\
         <div><b>{}</b> charts that reach cluster-admin</div><div>{}</div></section>",
        a.versions,
        a.rows,
        a.charts_cluster_admin,
        p.a(paths::FAILURES, &format!("{} failed scans", a.failed)),
    );
    // Ask the permission question straight away.
    let _ = write!(
        p.body,
        "<section><h2>Who can…</h2><form class=\"who\" action=\"{}\" method=\"get\">\
         <label>verb <input name=\"verb\" value=\"create\" size=\"8\"></label> \
         <label>resource <input name=\"resource\" value=\"serviceaccounts/token\" size=\"22\"></label> \
         <label>API group <input name=\"group\" placeholder=\"core\" size=\"14\"></label> \
         <button type=\"submit\">Search charts</button></form></section>",
        esc(&p.link(paths::CHART_INDEX))
    );
    p.body
        .push_str("<section><h2>Risk distribution</h2><p>Charts by the highest risk of their newest version.</p>");
    p.body.push_str(&bars(
        "Charts by highest risk (newest version)",
        &level_bars(&a.charts_by_highest),
    ));
    p.body.push_str("</section>");

    p.body
        .push_str("<section class=\"cols\"><div><h2>Most frequent rules</h2><table>");
    p.body
        .push_str(&thead(&["Rule", "Versions", "Charts (newest)"]));
    for (id, versions, latest) in top_rules(site, 10) {
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{versions}</td><td>{latest}</td></tr>",
            rule_link(site, &p, id)
        );
    }
    p.body
        .push_str("</table></div><div><h2>Most frequent tags</h2><table>");
    p.body
        .push_str(&thead(&["Tag", "Versions", "Charts (newest)"]));
    for (t, versions, latest) in top_tags(site, 10) {
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{versions}</td><td>{latest}</td></tr>",
            p.a(&paths::tag_page(t), t)
        );
    }
    p.body.push_str("</table></div></section>");

    let mut cats: Vec<(&String, usize)> = a.categories.iter().map(|(k, v)| (k, v.len())).collect();
    cats.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    if !cats.is_empty() {
        p.body
            .push_str("<section><h2>Top categories</h2><p class=\"tags\">");
        for (k, n) in cats.into_iter().take(20) {
            let _ = write!(
                p.body,
                "<a class=\"category\" href=\"{}\">{} ({n})</a> ",
                esc(&p.link(&paths::category_page(k))),
                esc(k)
            );
        }
        p.body.push_str("</p></section>");
    }

    p.body.push_str("<section><h2>Latest scans</h2><table>");
    p.body
        .push_str(&thead(&["Chart", "Version", "Highest risk", "Scanned"]));
    for &(c, v) in &a.latest_scans {
        let entry = &site.index.charts[c];
        let s = &entry.versions[v];
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            p.a(&paths::chart_page(&entry.id), &chart_name(&entry.id)),
            p.a(&paths::version_page(&entry.id, &s.version), &s.version),
            status_badge(s),
            risk_badge(s.highest),
            date(s.scanned_at)
        );
    }
    let _ = write!(
        p.body,
        "</table><p>{} · {} · {}</p></section>",
        p.a(paths::CHART_INDEX, "All charts"),
        p.a(paths::STATS, "Statistics"),
        p.a(paths::DOWNLOADS, "Download the data (JSON, CSV)")
    );
    p.finish(&site.opts.title, "Home", &[])
}
