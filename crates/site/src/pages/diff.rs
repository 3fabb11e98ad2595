//! The version diff page: permissions and findings added or removed since the previous
//! analysed version, in semantic-version order.

use std::fmt::Write;

use rbac_lens_atlas::ScanSummary;
use rbac_lens_atlas::view::{FindingChange, PermissionChange, diff};
use rbac_lens_core::catalog::{BASE_RULE_IDS, RiskLevel};
use rbac_lens_report::Report;

use super::{chart_name, rule_link};
use crate::html::{Page, esc, resource_display, risk_badge, thead};
use crate::{Site, paths};

fn holder_text(h: &rbac_lens_atlas::view::Holder) -> String {
    if h.kind == "ServiceAccount" {
        format!("ServiceAccount {}/{}", h.namespace, h.name)
    } else {
        format!("{} {}", h.kind, h.name)
    }
}

fn perm_table(changes: &[PermissionChange], class: &str) -> String {
    if changes.is_empty() {
        return "<p>None.</p>".into();
    }
    let mut s = format!("<table class=\"{class}\">");
    s.push_str(&thead(&[
        "Subject", "Scope", "Resource", "Verbs", "Risk", "Roles",
    ]));
    for c in changes {
        let mut res = resource_display(&c.api_group, &c.resource);
        if !c.resource_name.is_empty() {
            let _ = write!(res, " (restricted to: {})", c.resource_name);
        }
        let scope = if c.scope == "*" {
            "cluster-wide".to_string()
        } else {
            c.scope.clone()
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&holder_text(&c.holder)),
            esc(&scope),
            esc(&res),
            esc(&c.verbs.join(", ")),
            risk_badge(Some(c.risk_level)),
            esc(&c.roles.join(", ")),
        );
    }
    s.push_str("</table>");
    s
}

/// Base levels (9996-9999) restate the row counts shown above; list real rules only.
fn real(list: &[FindingChange]) -> Vec<&FindingChange> {
    list.iter()
        .filter(|f| !BASE_RULE_IDS.contains(&f.rule_id))
        .collect()
}

fn finding_table(site: &Site, p: &Page, changes: &[&FindingChange], class: &str) -> String {
    if changes.is_empty() {
        return "<p>None.</p>".into();
    }
    let mut s = format!("<table class=\"{class}\">");
    s.push_str(&thead(&["Subject", "Rule", "Risk"]));
    for c in changes {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&holder_text(&c.holder)),
            rule_link(site, p, c.rule_id),
            risk_badge(Some(c.risk_level)),
        );
    }
    s.push_str("</table>");
    s
}

/// The diff of version `v` of chart `c` against `prev` (the previous analysed version and its
/// report), when there is one.
pub fn render(
    site: &Site,
    c: usize,
    v: usize,
    prev: Option<(&ScanSummary, &Report)>,
    report: Option<&Report>,
) -> String {
    let entry = &site.index.charts[c];
    let sum = &entry.versions[v];
    let mut p = Page::new(paths::diff_page(&entry.id, &sum.version));
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{} › {} › {} › {}</p>",
        p.a(paths::CHART_INDEX, "Charts"),
        esc(&entry.id.repo),
        p.a(&paths::chart_page(&entry.id), &entry.id.chart),
        p.a(&paths::version_page(&entry.id, &sum.version), &sum.version),
    );
    let title;
    match (prev, report) {
        (_, None) => {
            title = format!("{} {}: no diff", chart_name(&entry.id), sum.version);
            let _ = write!(
                p.body,
                "<h1>{}</h1><p>This scan produced no report ({}), so there is nothing to compare.</p>",
                esc(&title),
                esc(&sum.error)
            );
        }
        (None, Some(_)) => {
            title = format!("{} {}: first version", chart_name(&entry.id), sum.version);
            let _ = write!(
                p.body,
                "<h1>{}</h1><p>This is the oldest analysed version of the chart: every permission \
                 is new. See the {}.</p>",
                esc(&title),
                p.a(
                    &paths::version_page(&entry.id, &sum.version),
                    "version page"
                )
            );
        }
        (Some((ps, pr)), Some(r)) => {
            title = format!(
                "{}: {} → {}",
                chart_name(&entry.id),
                ps.version,
                sum.version
            );
            let d = diff(pr, r);
            let (added_findings, removed_findings) =
                (real(&d.added_findings), real(&d.removed_findings));
            let _ = write!(
                p.body,
                "<h1>{}</h1><p>What changed from {} to {} (the previous analysed version in \
                 semantic-version order).</p>",
                esc(&title),
                p.a(&paths::version_page(&entry.id, &ps.version), &ps.version),
                p.a(&paths::version_page(&entry.id, &sum.version), &sum.version),
            );
            p.body.push_str("<section class=\"statsbar\">");
            for l in RiskLevel::ALL.iter().rev() {
                let n = d.level_delta[crate::model_level(*l)];
                let _ = write!(
                    p.body,
                    "<div class=\"risk {}\"><b>{}{n}</b> {l} rows</div>",
                    crate::html::level_class(*l),
                    if n > 0 { "+" } else { "" }
                );
            }
            p.body.push_str("</section>");
            if d.is_empty() {
                p.body
                    .push_str("<p class=\"same\">No permission, finding or identity changed.</p>");
            }
            for (list, head) in [
                (&d.added_identities, "Identities added"),
                (&d.removed_identities, "Identities removed"),
            ] {
                if !list.is_empty() {
                    let _ = write!(p.body, "<h2>{head} ({})</h2><ul>", list.len());
                    for i in list {
                        let _ = write!(p.body, "<li>{}</li>", esc(i));
                    }
                    p.body.push_str("</ul>");
                }
            }
            let _ = write!(
                p.body,
                "<section id=\"added-permissions\"><h2>Permissions added ({})</h2>{}</section>",
                d.added_permissions.len(),
                perm_table(&d.added_permissions, "added")
            );
            let _ = write!(
                p.body,
                "<section id=\"removed-permissions\"><h2>Permissions removed ({})</h2>{}</section>",
                d.removed_permissions.len(),
                perm_table(&d.removed_permissions, "removed")
            );
            let _ = write!(
                p.body,
                "<section id=\"added-findings\"><h2>Findings added ({})</h2>{}</section>",
                added_findings.len(),
                finding_table(site, &p, &added_findings, "added")
            );
            let _ = write!(
                p.body,
                "<section id=\"removed-findings\"><h2>Findings removed ({})</h2>{}</section>",
                removed_findings.len(),
                finding_table(site, &p, &removed_findings, "removed")
            );
        }
    }
    p.finish(&site.opts.title, &title, &[])
}
