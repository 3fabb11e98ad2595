//! The rule list and one page per rule, laid out like the public catalog's rule page
//! (overview table, description, abuse scenarios), followed by every chart and version that
//! triggers the rule: the reverse lookup the public site lacks.

use std::fmt::Write;

use rbac_lens_core::catalog::{Rule, groups_display, verbs_display};

use super::{chart_name, tag_links};
use crate::html::{Page, esc, prose, risk_badge, thead};
use crate::{Site, paths};

pub fn index(site: &Site) -> String {
    let mut p = Page::new(paths::RULE_INDEX);
    let _ = write!(
        p.body,
        "<h1>Risk rules</h1><p>{} rules. Each page explains the abuse and lists every chart \
         version that triggers it.</p><table>",
        site.opts.catalog.rules().len()
    );
    p.body.push_str(&thead(&[
        "ID",
        "Category",
        "Name",
        "Risk level",
        "Charts (newest version)",
        "Versions",
    ]));
    for r in site.opts.catalog.rules() {
        let u = site.agg.rules.get(&r.id);
        let _ = write!(
            p.body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            p.a(&paths::rule_page(r.id), &r.id.to_string()),
            esc(&r.category),
            p.a(&paths::rule_page(r.id), &r.name),
            risk_badge(Some(r.risk_level)),
            u.map_or(0, |u| u.latest_charts.len()),
            u.map_or(0, |u| u.versions.len()),
        );
    }
    p.body.push_str("</table>");
    p.finish(&site.opts.title, "Rules", &[])
}

pub fn rule(site: &Site, rule: &Rule) -> String {
    let mut p = Page::new(paths::rule_page(rule.id));
    let mut tags = rule.tags.clone();
    tags.sort();
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{} › {}</p><h1>{}</h1>",
        p.a(paths::RULE_INDEX, "Rules"),
        rule.id,
        esc(&rule.name),
    );
    p.body
        .push_str("<h2>Overview</h2><table class=\"overview\">");
    p.body.push_str(&thead(&["Field", "Value"]));
    let rows: [(&str, String); 9] = [
        ("ID", rule.id.to_string()),
        ("Name", esc(&rule.name)),
        ("Risk Category", esc(&rule.category)),
        ("Risk Level", risk_badge(Some(rule.risk_level))),
        ("Role Type", esc(rule.role_type.as_str())),
        ("API Groups", esc(&groups_display(&rule.api_groups))),
        ("Resources", esc(&rule.resources.join(", "))),
        ("Verbs", esc(&verbs_display(rule))),
        ("Tags", tag_links(&p, &tags)),
    ];
    for (k, v) in rows {
        let _ = write!(p.body, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    p.body.push_str("</table>");
    let _ = write!(
        p.body,
        "<h2>Description</h2><p>{}</p>",
        prose(rule.description.trim())
    );
    if !rule.abuse_scenarios.is_empty() {
        p.body.push_str("<h2>Abuse Scenarios</h2>");
        for (i, s) in rule.abuse_scenarios.iter().enumerate() {
            let _ = write!(
                p.body,
                "<h3>{}. {}</h3><pre><code>{}</code></pre>",
                i + 1,
                esc(s.title.trim()),
                esc(s.steps.trim_end())
            );
        }
    }
    if !rule.remediation.trim().is_empty() {
        let _ = write!(
            p.body,
            "<h2>Remediation</h2><p>{}</p>",
            prose(rule.remediation.trim())
        );
    }
    if let Some(c) = &rule.correction {
        let _ = write!(
            p.body,
            "<h2>Difference from the public catalog</h2><p>{}</p>",
            prose(c.trim())
        );
    }
    if !rule.references.is_empty() {
        p.body.push_str("<h2>References</h2><ul>");
        for r in &rule.references {
            let _ = write!(p.body, "<li>{}</li>", crate::html::external_link(r));
        }
        p.body.push_str("</ul>");
    }

    // Reverse lookup: who triggers it.
    let empty = crate::model::Usage::default();
    let u = site.agg.rules.get(&rule.id).unwrap_or(&empty);
    let _ = write!(
        p.body,
        "<section id=\"triggered-by\"><h2>Charts that trigger this rule</h2><p>{} charts, {} chart \
         versions; the newest version of {} charts still does.</p>",
        u.charts(),
        u.versions.len(),
        u.latest_charts.len()
    );
    if !u.versions.is_empty() {
        p.body.push_str("<table class=\"triggers\">");
        p.body.push_str(&thead(&[
            "Chart",
            "Newest version triggers",
            "Versions that trigger",
        ]));
        let mut i = 0;
        while i < u.versions.len() {
            let c = u.versions[i].0;
            let entry = &site.index.charts[c];
            let mut links = Vec::new();
            while i < u.versions.len() && u.versions[i].0 == c {
                let s = &entry.versions[u.versions[i].1];
                links.push(p.a(&paths::version_page(&entry.id, &s.version), &s.version));
                i += 1;
            }
            let latest = if u.has_latest(c) { "yes" } else { "no" };
            let _ = write!(
                p.body,
                "<tr><td>{}</td><td>{latest}</td><td class=\"vlist\">{}</td></tr>",
                p.a(&paths::chart_page(&entry.id), &chart_name(&entry.id)),
                links.join(" ")
            );
        }
        p.body.push_str("</table>");
    }
    p.body.push_str("</section>");
    p.finish(
        &site.opts.title,
        &format!("{}: {}", rule.id, rule.name),
        &[],
    )
}
