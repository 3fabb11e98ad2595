//! The chart index (search and filters) and the chart page (every version, trend).

use std::fmt::Write;

use rbac_lens_atlas::ScanStatus;
use rbac_lens_core::catalog::RiskLevel;

use super::{category_links, chart_name, chart_table, status_badge};
use crate::html::{Page, date, esc, external_link, level_counts, risk_badge, thead};
use crate::svg::{Series, lines};
use crate::{Site, paths};

pub fn index(site: &Site) -> String {
    let mut p = Page::new(paths::CHART_INDEX);
    let _ = write!(
        p.body,
        "<h1>Charts</h1><p>{} charts; each row shows the newest version. Filter the list, or ask \
         who can perform an action: RBAC wildcards count (a <code>*</code> verb, resource or \
         API group covers the question).</p>",
        site.index.charts.len()
    );
    p.body.push_str(
        "<form id=\"filters\" class=\"filters\" onsubmit=\"return false\">\
         <fieldset><legend>Filter charts</legend>\
         <label>Text <input id=\"f-q\" name=\"q\" type=\"search\" placeholder=\"name, repo, description\"></label> \
         <label>Highest risk <select id=\"f-level\" name=\"level\"><option value=\"\">any</option>",
    );
    for l in RiskLevel::ALL.iter().rev() {
        let _ = write!(
            p.body,
            "<option value=\"{}\">{l}</option>",
            crate::model_level(*l)
        );
    }
    p.body
        .push_str("<option value=\"-1\">no permissions</option></select></label> ");
    p.body
        .push_str("<label>Tag <select id=\"f-tag\" name=\"tag\"><option value=\"\">any</option>");
    for t in site.agg.tags.keys() {
        let _ = write!(p.body, "<option value=\"{0}\">{0}</option>", esc(t));
    }
    p.body.push_str(
        "</select></label> <label>Rule <select id=\"f-rule\" name=\"rule\"><option value=\"\">any</option>",
    );
    for id in site.agg.rules.keys() {
        let name = site.opts.catalog.get(*id).map_or("", |r| r.name.as_str());
        let _ = write!(p.body, "<option value=\"{id}\">{id} {}</option>", esc(name));
    }
    p.body.push_str(
        "</select></label> <label>Category <select id=\"f-kw\" name=\"kw\"><option value=\"\">any</option>",
    );
    for k in site.agg.categories.keys() {
        let _ = write!(p.body, "<option value=\"{0}\">{0}</option>", esc(k));
    }
    p.body.push_str(
        "</select></label></fieldset>\
         <fieldset><legend>Who can…</legend>\
         <label>verb <input id=\"f-verb\" name=\"verb\" placeholder=\"create\" size=\"8\"></label> \
         <label>resource <input id=\"f-resource\" name=\"resource\" placeholder=\"serviceaccounts/token\" size=\"22\"></label> \
         <label>API group <input id=\"f-group\" name=\"group\" placeholder=\"core\" size=\"14\"></label> \
         <label><input id=\"f-all\" name=\"all\" type=\"checkbox\"> all versions, not only the newest</label>\
         </fieldset></form>\
         <noscript><p>Search and filters need JavaScript; the full list is below.</p></noscript>\
         <p id=\"f-count\" aria-live=\"polite\"></p>\
         <section id=\"perm-results\" hidden><h2>Permission rows that answer the question</h2>\
         <table><thead><tr><th>Chart</th><th>Version</th><th>Subject</th><th>Scope</th>\
         <th>Resource</th><th>Verbs</th><th>Risk</th></tr></thead><tbody></tbody></table></section>",
    );
    let all: Vec<usize> = (0..site.index.charts.len()).collect();
    p.body.push_str(&chart_table(site, &p, &all));
    p.finish(&site.opts.title, "Charts", &[paths::SEARCH_DATA])
}

/// Signed difference with an arrow, for trend badges.
pub fn delta(now: i64, before: i64) -> String {
    match now - before {
        0 => String::new(),
        d if d > 0 => format!("<span class=\"up\">↑{d}</span>"),
        d => format!("<span class=\"down\">↓{}</span>", -d),
    }
}

pub fn chart(site: &Site, c: usize) -> String {
    let entry = &site.index.charts[c];
    let mut p = Page::new(paths::chart_page(&entry.id));
    let latest = entry.latest();
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{} › {}</p><h1>{}</h1>",
        p.a(paths::CHART_INDEX, "Charts"),
        esc(&entry.id.repo),
        esc(&entry.id.chart)
    );
    if let Some(s) = entry.latest_analyzed() {
        if !s.description.is_empty() {
            let _ = write!(p.body, "<p>{}</p>", esc(&s.description));
        }
        if !s.home.is_empty() {
            let _ = write!(p.body, "<p>Home: {}</p>", external_link(&s.home));
        }
        if !s.keywords.is_empty() {
            let _ = write!(
                p.body,
                "<p>Categories: {}</p>",
                category_links(&p, &s.keywords)
            );
        }
    }
    let _ = write!(
        p.body,
        "<p>{} versions. Newest: {}{} {}</p>",
        entry.versions.len(),
        p.a(
            &paths::version_page(&entry.id, &latest.version),
            &latest.version
        ),
        status_badge(latest),
        risk_badge(latest.highest),
    );

    // Trend over the last 30 analysed versions, oldest first.
    let mut recent: Vec<_> = entry
        .versions
        .iter()
        .filter(|s| s.status != ScanStatus::Failed)
        .take(30)
        .collect();
    recent.reverse();
    if recent.len() > 1 {
        let labels: Vec<String> = recent.iter().map(|s| s.version.clone()).collect();
        let series: Vec<Series> = RiskLevel::ALL
            .iter()
            .rev()
            .map(|l| Series {
                name: l.as_str(),
                class: crate::html::level_class(*l),
                values: recent
                    .iter()
                    .map(|s| s.level_counts[crate::model_level(*l)])
                    .collect(),
            })
            .collect();
        p.body
            .push_str("<section><h2>Risk trend across versions</h2>");
        p.body.push_str(&lines(
            "Permission rows per risk level, oldest to newest version",
            &labels,
            &series,
        ));
        p.body.push_str("</section>");
    }

    p.body
        .push_str("<section><h2>All versions</h2><table class=\"versions\">");
    p.body.push_str(&thead(&[
        "Version",
        "Highest risk",
        "Rows by level",
        "Change",
        "Accounts",
        "Workloads",
        "Rows",
        "Scanned",
    ]));
    for s in &entry.versions {
        let change = match (s.status, entry.previous(&s.version)) {
            (ScanStatus::Failed, _) => esc(&super::short(&s.error, 120)),
            (_, Some(prev)) => {
                let mut d = String::new();
                for l in RiskLevel::ALL.iter().rev() {
                    let i = crate::model_level(*l);
                    let x = delta(
                        i64::from(s.level_counts[i]),
                        i64::from(prev.level_counts[i]),
                    );
                    if !x.is_empty() {
                        let _ = write!(d, "{} {x} ", &l.as_str()[..1]);
                    }
                }
                if d.is_empty() {
                    d.push_str("same counts ");
                }
                format!(
                    "{d}{}",
                    p.a(
                        &paths::diff_page(&entry.id, &s.version),
                        &format!("diff vs {}", prev.version)
                    )
                )
            }
            (_, None) => "first analysed version".into(),
        };
        let _ = write!(
            p.body,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{change}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            p.a(&paths::version_page(&entry.id, &s.version), &s.version),
            status_badge(s),
            risk_badge(s.highest),
            level_counts(&s.level_counts),
            s.service_accounts,
            s.workloads,
            s.permissions,
            date(s.scanned_at),
        );
    }
    p.body.push_str("</table></section>");
    p.finish(&site.opts.title, &chart_name(&entry.id), &[])
}
