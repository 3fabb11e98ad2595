//! The statistics page (inline SVG charts), the failed scans page, and the downloads page.

use std::fmt::Write;

use rbac_lens_atlas::ScanStatus;
use rbac_lens_core::catalog::RiskLevel;

use super::home::{level_bars, top_rules, top_tags};
use super::{chart_name, status_badge};
use crate::html::{Page, date, esc, level_class, thead};
use crate::svg::{Bar, bars};
use crate::{Site, paths};

pub fn render(site: &Site) -> String {
    let mut p = Page::new(paths::STATS);
    let a = &site.agg;
    let charts = site.index.charts.len().max(1);
    let analysed: Vec<_> = site
        .index
        .charts
        .iter()
        .filter_map(|e| e.latest_analyzed().map(|s| (e, s)))
        .collect();
    let n = analysed.len().max(1) as f64;
    let avg = |f: &dyn Fn(&rbac_lens_atlas::ScanSummary) -> u32| {
        analysed.iter().map(|(_, s)| f(s) as f64).sum::<f64>() / n
    };
    let no_rbac = analysed.iter().filter(|(_, s)| s.permissions == 0).count();
    let _ = write!(
        p.body,
        "<h1>Statistics</h1><h2>At a glance</h2><table class=\"glance-table\">\
         <tr><th>Charts</th><td>{}</td></tr>\
         <tr><th>Chart versions</th><td>{} ({} failed, {} partial)</td></tr>\
         <tr><th>Permission rows, all versions</th><td>{}</td></tr>\
         <tr><th>Per chart, newest version: service accounts / rows / workloads</th><td>{:.1} / {:.1} / {:.1}</td></tr>\
         <tr><th>Per chart, newest version: Critical / High / Medium / Low rows</th><td>{:.1} / {:.1} / {:.1} / {:.1}</td></tr>\
         <tr><th>Charts with a Critical row (newest version)</th><td>{} ({:.0} %)</td></tr>\
         <tr><th>Charts that reach cluster-admin (newest version)</th><td>{}</td></tr>\
         <tr><th>Charts without any permission (newest version)</th><td>{}</td></tr></table>",
        site.index.charts.len(),
        a.versions,
        a.failed,
        a.partial,
        a.rows,
        avg(&|s| s.service_accounts),
        avg(&|s| s.permissions),
        avg(&|s| s.workloads),
        avg(&|s| s.level_counts[3]),
        avg(&|s| s.level_counts[2]),
        avg(&|s| s.level_counts[1]),
        avg(&|s| s.level_counts[0]),
        a.charts_by_highest[4],
        100.0 * a.charts_by_highest[4] as f64 / charts as f64,
        a.charts_cluster_admin,
        no_rbac,
    );

    p.body
        .push_str("<h2>Risk distribution</h2><div class=\"cols\">");
    p.body.push_str(&bars(
        "Charts by highest risk (newest version)",
        &level_bars(&a.charts_by_highest),
    ));
    p.body.push_str(&bars(
        "Chart versions by highest risk",
        &level_bars(&a.versions_by_highest),
    ));
    let rows: Vec<Bar> = RiskLevel::ALL
        .iter()
        .rev()
        .map(|l| Bar {
            label: l.to_string(),
            value: a.rows_by_level[crate::model_level(*l)],
            class: level_class(*l),
            href: None,
        })
        .collect();
    p.body
        .push_str(&bars("Permission rows by risk level, all versions", &rows));
    p.body.push_str("</div>");

    let rule_bars: Vec<Bar> = top_rules(site, 10)
        .into_iter()
        .map(|(id, versions, _)| Bar {
            label: format!(
                "{id} {}",
                site.opts.catalog.get(id).map_or("", |r| r.name.as_str())
            ),
            value: versions as u64,
            class: site
                .opts
                .catalog
                .get(id)
                .map_or("none", |r| level_class(r.risk_level)),
            href: Some(p.link(&paths::rule_page(id))),
        })
        .collect();
    p.body.push_str("<h2>Most frequent rules</h2>");
    p.body.push_str(&bars(
        "Top 10 rules by chart versions that trigger them",
        &rule_bars,
    ));
    let tag_bars: Vec<Bar> = top_tags(site, 10)
        .into_iter()
        .map(|(t, versions, _)| Bar {
            label: t.to_string(),
            value: versions as u64,
            class: "tagbar",
            href: Some(p.link(&paths::tag_page(t))),
        })
        .collect();
    p.body.push_str("<h2>Most frequent tags</h2>");
    p.body
        .push_str(&bars("Top 10 tags by chart versions", &tag_bars));

    // Riskiest charts: 10·Critical + 5·High + 2·Medium + Low rows of the newest version.
    let score = |s: &rbac_lens_atlas::ScanSummary| {
        10 * u64::from(s.level_counts[3])
            + 5 * u64::from(s.level_counts[2])
            + 2 * u64::from(s.level_counts[1])
            + u64::from(s.level_counts[0])
    };
    let mut risky: Vec<_> = analysed.iter().map(|(e, s)| (score(s), *e)).collect();
    risky.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.id.cmp(&y.1.id)));
    let risky_bars: Vec<Bar> = risky
        .iter()
        .take(10)
        .map(|(sc, e)| Bar {
            label: chart_name(&e.id),
            value: *sc,
            class: "critical",
            href: Some(p.link(&paths::chart_page(&e.id))),
        })
        .collect();
    p.body.push_str("<h2>Riskiest charts</h2><p>Score of the newest version: 10 × Critical + 5 × High + 2 × Medium + Low rows.</p>");
    p.body
        .push_str(&bars("Top 10 charts by risk score", &risky_bars));
    let mut big: Vec<_> = analysed
        .iter()
        .map(|(e, s)| (u64::from(s.permissions), *e))
        .collect();
    big.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.id.cmp(&y.1.id)));
    let big_bars: Vec<Bar> = big
        .iter()
        .take(10)
        .map(|(n, e)| Bar {
            label: chart_name(&e.id),
            value: *n,
            class: "medium",
            href: Some(p.link(&paths::chart_page(&e.id))),
        })
        .collect();
    p.body.push_str("<h2>Most permissions</h2>");
    p.body.push_str(&bars(
        "Top 10 charts by permission rows (newest version)",
        &big_bars,
    ));

    let mut cats: Vec<(&String, usize)> = a.categories.iter().map(|(k, v)| (k, v.len())).collect();
    cats.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    let cat_bars: Vec<Bar> = cats
        .into_iter()
        .take(10)
        .map(|(k, n)| Bar {
            label: k.clone(),
            value: n as u64,
            class: "tagbar",
            href: Some(p.link(&paths::category_page(k))),
        })
        .collect();
    if !cat_bars.is_empty() {
        p.body.push_str("<h2>Top categories</h2>");
        p.body
            .push_str(&bars("Top 10 categories by charts", &cat_bars));
    }
    let status = [
        ("ok", a.versions - a.failed - a.partial, "low"),
        ("partial", a.partial, "medium"),
        ("failed", a.failed, "critical"),
    ];
    let status_bars: Vec<Bar> = status
        .iter()
        .map(|(l, n, c)| Bar {
            label: l.to_string(),
            value: *n as u64,
            class: c,
            href: None,
        })
        .collect();
    p.body.push_str("<h2>Scan outcomes</h2>");
    p.body
        .push_str(&bars("Chart versions by scan status", &status_bars));
    p.finish(&site.opts.title, "Statistics", &[])
}

pub fn failures(site: &Site) -> String {
    let mut p = Page::new(paths::FAILURES);
    let list: Vec<_> = site
        .index
        .charts
        .iter()
        .flat_map(|e| e.versions.iter().map(move |s| (e, s)))
        .filter(|(_, s)| s.status != ScanStatus::Ok)
        .collect();
    let _ = write!(
        p.body,
        "<h1>Failed and partial scans</h1><p>{} failed, {} partial. A failed scan produced no \
         report; a partial one lacks the templates or documents that could not be rendered. \
         Nothing is dropped: each is listed with its error.</p><table>",
        site.agg.failed, site.agg.partial
    );
    p.body.push_str(&thead(&[
        "Chart", "Version", "Status", "Error", "Source", "Scanned",
    ]));
    for (e, s) in list {
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            p.a(&paths::chart_page(&e.id), &chart_name(&e.id)),
            p.a(&paths::version_page(&e.id, &s.version), &s.version),
            status_badge(s),
            esc(&s.error),
            esc(&s.source),
            date(s.scanned_at)
        );
    }
    p.body.push_str("</table>");
    p.finish(&site.opts.title, "Failed scans", &[])
}

pub fn downloads(site: &Site) -> String {
    let mut p = Page::new(paths::DOWNLOADS);
    p.body
        .push_str("<h1>Downloads</h1><p>The whole dataset, free to reuse.</p><ul>");
    for (path, what) in [
        (
            paths::SUMMARIES_JSON,
            "every chart version: status, error, counts per risk level, rules, tags, and the path of its page and report (JSON)",
        ),
        (
            paths::SUMMARIES_CSV,
            "the same, one row per chart version (CSV)",
        ),
        (
            paths::PERMISSIONS_CSV,
            "every permission row of every chart version: subject, role, binding, resource, verbs, risk, tags, rules (CSV)",
        ),
        (
            paths::REPORTS_JSONL,
            "every full report, one JSON object per line (JSON Lines)",
        ),
    ] {
        let _ = write!(p.body, "<li>{}: {}</li>", p.a(path, path), esc(what));
    }
    let _ = write!(
        p.body,
        "</ul><p>Each chart version page also links its own <code>report.json</code>. {} versions \
         of {} charts.</p>",
        site.agg.versions,
        site.index.charts.len(),
    );
    p.finish(&site.opts.title, "Downloads", &[])
}
