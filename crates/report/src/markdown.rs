//! Markdown output, laid out like an RBAC Atlas chart page.
//!
//! Title and metadata; counts; an overview table of the service accounts (each linked to its
//! section); one section per service account, highest risk first, with its permissions,
//! potential abuse (each rule linked to its page) and workloads; then the rows of users and
//! groups (which the public tool drops); then the warnings.
//!
//! Every cell is escaped (`|`, emphasis characters, HTML) so a name or message can never
//! break a table; names are shown as code spans. Rows are sorted here, so the page is the same
//! on every run for the same report. Unlike the public site, counts are those of the rows
//! listed (base-level rules 9996–9999 have no page and are neither listed nor counted).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rbac_lens_core::catalog::RiskLevel;
use rbac_lens_core::inventory::SubjectKind;

use crate::model::{IdentitySummary, Permission, Report, RuleRef};
use crate::table::{
    Index, api_group_label, binding_label, container_label, distinct_workloads, host_access,
    identity_key, level_counts, permission_subject, restriction, scope_label, sorted_permissions,
    tags_label, utc_timestamp, verbs_label, warning_location,
};

/// Render the report as a Markdown page (see the module docs). Ends with a newline.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    let accounts = ordered_accounts(report);
    let anchors = anchors(&accounts);
    let index = Index::new(report);
    overview(&mut out, &index, &accounts, &anchors);
    if !accounts.is_empty() {
        out.push_str("## Identities\n\n");
    }
    for (id, anchor) in accounts.iter().zip(&anchors) {
        identity_section(&mut out, &index, id, anchor);
    }
    users_and_groups(&mut out, report);
    warnings(&mut out, report);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let m = &report.metadata;
    let title = [m.name.as_str(), m.source.as_str()]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or("RBAC report");
    let _ = writeln!(out, "# {}\n", text(title));
    out.push_str("| | |\n| --- | --- |\n");
    let _ = writeln!(out, "| Source | {} |", code_or_dash(&m.source));
    if !m.version.is_empty() {
        let _ = writeln!(out, "| Version | {} |", code(&m.version));
    }
    let _ = writeln!(out, "| Analysed | {} |", utc_timestamp(m.timestamp));
    if !m.tool.is_empty() {
        let _ = writeln!(
            out,
            "| Tool | {} {} (catalog {}) |",
            text(&m.tool),
            text(&m.tool_version),
            text(&m.catalog_version)
        );
    }
    out.push('\n');
    if !m.complete {
        out.push_str(
            "> ⚠️ **Partial report**: some input could not be read or rendered; see [Warnings](#warnings).\n\n",
        );
    }
    let counts = level_counts(report);
    let accounts = report
        .identities
        .iter()
        .filter(|i| i.kind == SubjectKind::ServiceAccount)
        .count();
    let rows = report.service_account_permissions.len() + report.subject_permissions.len();
    let _ = writeln!(
        out,
        "**Service accounts** {accounts} · **Workloads** {} · **Containers** {} · \
         **Permission rows** {rows} · **Critical** {} · **High** {} · **Medium** {} · **Low** {}\n",
        distinct_workloads(&report.service_account_workloads),
        report.service_account_workloads.len(),
        counts[RiskLevel::Critical as usize],
        counts[RiskLevel::High as usize],
        counts[RiskLevel::Medium as usize],
        counts[RiskLevel::Low as usize],
    );
    let tags = page_tags(report);
    if !tags.is_empty() {
        let shown: Vec<String> = tags.iter().take(PAGE_TAGS).map(|t| code(t)).collect();
        let more = tags.len().saturating_sub(PAGE_TAGS);
        let more = if more > 0 {
            format!(" +{more} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "**Tags**: {}{more}\n", shown.join(" "));
    }
    if let Some(helm) = &m.extra.helm {
        out.push_str("## Description\n\n");
        if !helm.description.is_empty() {
            let _ = writeln!(out, "{}\n", text(&helm.description));
        }
        if !helm.home.is_empty() {
            let _ = writeln!(out, "- Home: <{}>", helm.home.replace(['<', '>', ' '], ""));
        }
        for s in helm.sources.iter().flatten() {
            let _ = writeln!(out, "- Source: <{}>", s.replace(['<', '>', ' '], ""));
        }
        out.push('\n');
    }
}

/// Tags shown in the page header, as on an RBAC Atlas page.
const PAGE_TAGS: usize = 10;

/// Every tag of the page, the most frequent (in rows) first, then by name.
fn page_tags(report: &Report) -> Vec<&str> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in report
        .service_account_permissions
        .iter()
        .chain(&report.subject_permissions)
    {
        for t in &p.tags {
            *counts.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by_key(|(t, n)| (std::cmp::Reverse(*n), *t));
    tags.into_iter().map(|(t, _)| t).collect()
}

/// Service accounts, highest risk first (accounts without permissions last), then namespace
/// and name.
fn ordered_accounts(report: &Report) -> Vec<&IdentitySummary> {
    let mut ids: Vec<&IdentitySummary> = report
        .identities
        .iter()
        .filter(|i| i.kind == SubjectKind::ServiceAccount)
        .collect();
    ids.sort_by(|a, b| {
        (std::cmp::Reverse(a.risk_level), identity_key(a))
            .cmp(&(std::cmp::Reverse(b.risk_level), identity_key(b)))
    });
    ids
}

/// One HTML anchor per account: `sa-<namespace>-<name>`, made unique by a suffix.
fn anchors(ids: &[&IdentitySummary]) -> Vec<String> {
    let mut used = BTreeSet::new();
    ids.iter()
        .map(|id| {
            let raw = format!(
                "sa-{}-{}",
                id.namespace.as_deref().unwrap_or_default(),
                id.name
            );
            let base: String = raw
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut anchor = base.clone();
            let mut n = 2;
            while !used.insert(anchor.clone()) {
                anchor = format!("{base}-{n}");
                n += 1;
            }
            anchor
        })
        .collect()
}

fn overview<'a>(
    out: &mut String,
    index: &Index<'a>,
    ids: &[&'a IdentitySummary],
    anchors: &[String],
) {
    out.push_str("## Overview\n\n");
    if ids.is_empty() {
        out.push_str("No service accounts.\n\n");
        return;
    }
    out.push_str(
        "| Identity | Namespace | Automount | Secrets | Permissions | Workloads | Highest Risk |\n",
    );
    out.push_str("| --- | --- | --- | --- | ---: | ---: | --- |\n");
    for (id, anchor) in ids.iter().zip(anchors) {
        let sa = index.account(id);
        let _ = writeln!(
            out,
            "| [{}](#{anchor}) | {} | {} | {} | {} | {} | {} |",
            text(&id.name),
            code_or_dash(id.namespace.as_deref().unwrap_or_default()),
            if sa.is_none_or(|s| s.automount_token) {
                "✅"
            } else {
                "❌"
            },
            codes_or_dash(sa.and_then(|s| s.secrets.as_deref()).unwrap_or_default()),
            id.permissions,
            distinct_workloads(index.workloads(id).iter().copied()),
            level(id.risk_level),
        );
    }
    out.push('\n');
}

fn identity_section<'a>(
    out: &mut String,
    index: &Index<'a>,
    id: &'a IdentitySummary,
    anchor: &str,
) {
    let ns = id.namespace.as_deref().unwrap_or_default();
    let _ = writeln!(out, "<a id=\"{anchor}\"></a>\n\n### {}\n", text(&id.name));
    let sa = index.account(id);
    let mut facts = vec![
        format!("**Namespace** {}", code_or_dash(ns)),
        format!(
            "**Automount** {}",
            if sa.is_none_or(|s| s.automount_token) {
                "✅"
            } else {
                "❌"
            }
        ),
        format!(
            "**Secrets** {}",
            codes_or_dash(sa.and_then(|s| s.secrets.as_deref()).unwrap_or_default())
        ),
    ];
    if let Some(sa) = sa.filter(|s| !s.token_secrets.is_empty()) {
        facts.push(format!(
            "**Token secrets** {}",
            codes_or_dash(&sa.token_secrets)
        ));
    }
    facts.push(format!("**Highest risk** {}", level(id.risk_level)));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if sa.is_some_and(|s| !s.declared) {
        out.push_str("_Not declared in the input: only referenced by a binding or workload._\n\n");
    }

    let rows = index.permissions(id);
    let _ = writeln!(out, "#### 🔑 Permissions ({})\n", rows.len());
    if id.permissions > rows.len() {
        let _ = writeln!(
            out,
            "_{} more below the minimum level are not shown._\n",
            id.permissions - rows.len()
        );
    }
    if rows.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| Role | Binding | Scope | Resource | Verbs | Risk | Tags |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        for p in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                role(p),
                binding(p),
                text(&scope_label(&p.scope)),
                resource(p),
                text(&verbs_label(p)),
                p.risk_level,
                text(&tags_label(&p.tags, 5, |n| format!("+{n} more"))),
            );
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "#### ⚠️ Potential Abuse ({})\n",
        id.potential_abuse.len()
    );
    if id.potential_abuse.is_empty() {
        out.push_str("None.\n\n");
    } else {
        abuse_table(out, id.potential_abuse.iter().map(|r| (None, r)));
    }

    let workloads = index.workloads(id);
    let _ = writeln!(
        out,
        "#### 📦 Workloads ({})\n",
        distinct_workloads(workloads.iter().copied())
    );
    if workloads.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| Kind | Name | Container | Image | Host Access |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for w in workloads {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                text(&w.workload_type),
                code(&w.workload_name),
                text(&container_label(w)),
                code(&w.image),
                host_access(w).map_or_else(|| "-".to_string(), |h| text(&h)),
            );
        }
        out.push('\n');
    }
}

/// Rule rows, highest level first then by id; `subject` adds a first column.
fn abuse_table<'a>(out: &mut String, rules: impl Iterator<Item = (Option<String>, &'a RuleRef)>) {
    let mut rules: Vec<(Option<String>, &RuleRef)> = rules.collect();
    rules.sort_by_key(|(_, r)| (std::cmp::Reverse(r.risk_level), r.id));
    let with_subject = rules.iter().any(|(s, _)| s.is_some());
    if with_subject {
        out.push_str("| Subject | Rule | Risk |\n| --- | --- | --- |\n");
    } else {
        out.push_str("| Rule | Risk |\n| --- | --- |\n");
    }
    for (subject, r) in rules {
        let link = format!(
            "[{} {}]({})",
            r.id,
            text(&r.name),
            r.link.replace([' ', '(', ')'], "")
        );
        match subject {
            Some(s) => {
                let _ = writeln!(out, "| {s} | {link} | {} |", r.risk_level);
            }
            None => {
                let _ = writeln!(out, "| {link} | {} |", r.risk_level);
            }
        }
    }
    out.push('\n');
}

fn users_and_groups(out: &mut String, report: &Report) {
    let rows: Vec<&Permission> = sorted_permissions(report)
        .into_iter()
        .filter(|p| p.service_account_name.is_none())
        .collect();
    let subjects: Vec<&IdentitySummary> = report
        .identities
        .iter()
        .filter(|i| i.kind != SubjectKind::ServiceAccount)
        .collect();
    if rows.is_empty() && subjects.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Users and Groups\n\n### 🔑 Permissions ({})\n",
        rows.len()
    );
    if !rows.is_empty() {
        out.push_str("| Subject | Role | Binding | Scope | Resource | Verbs | Risk | Tags |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for p in &rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                subject(&permission_subject(p)),
                role(p),
                binding(p),
                text(&scope_label(&p.scope)),
                resource(p),
                text(&verbs_label(p)),
                p.risk_level,
                text(&tags_label(&p.tags, 5, |n| format!("+{n} more"))),
            );
        }
        out.push('\n');
    }
    let mut abuse = Vec::new();
    let mut subjects = subjects;
    subjects.sort_by_key(|i| identity_key(i));
    for id in subjects {
        let label = subject(&format!("{} {}", id.kind.as_str(), id.name));
        abuse.extend(id.potential_abuse.iter().map(|r| (Some(label.clone()), r)));
    }
    let _ = writeln!(out, "### ⚠️ Potential Abuse ({})\n", abuse.len());
    if !abuse.is_empty() {
        abuse_table(out, abuse.into_iter());
    }
}

fn warnings(out: &mut String, report: &Report) {
    // An explicit anchor: the partial-report note links here, whatever the count.
    let _ = writeln!(
        out,
        "<a id=\"warnings\"></a>\n\n## Warnings ({})\n",
        report.warnings.len()
    );
    if report.warnings.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str(
        "| Code | Location | Object | Field | Message |\n| --- | --- | --- | --- | --- |\n",
    );
    for w in &report.warnings {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            w.code.id(),
            code(&warning_location(w)),
            w.object.as_deref().map_or_else(|| "-".to_string(), code),
            w.field.as_deref().map_or_else(|| "-".to_string(), code),
            message(&w.message),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------

fn level(l: Option<RiskLevel>) -> String {
    l.map_or_else(|| "-".to_string(), |l| l.to_string())
}

/// `ClusterRole `cluster-admin` (built-in)`.
fn role(p: &Permission) -> String {
    let builtin = if p.builtin_role { " (built-in)" } else { "" };
    format!("{} {}{builtin}", p.role_type, code(&p.role_name))
}

fn binding(p: &Permission) -> String {
    let label = binding_label(p);
    match label.split_once(' ') {
        Some((kind, name)) => format!("{kind} {}", code(name)),
        None => code(&label),
    }
}

/// `User `alice``.
fn subject(label: &str) -> String {
    match label.split_once(' ') {
        Some((kind, name)) => format!("{kind} {}", code(name)),
        None => code(label),
    }
}

/// `core/pods`, `*` for every resource of every group, `(restricted to: name)`; a URL
/// path for non-resource rows.
fn resource(p: &Permission) -> String {
    if p.non_resource_url {
        return format!("{} (non-resource URL)", code(&p.resource));
    }
    let res = if p.api_group == "*" && p.resource == "*" {
        "*".to_string()
    } else {
        format!("{}/{}", api_group_label(&p.api_group), p.resource)
    };
    match restriction(p) {
        Some(name) => format!("{} (restricted to: {})", code(&res), code(name)),
        None => code(&res),
    }
}

fn code_or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        code(s)
    }
}

fn codes_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
    }
}

/// Plain text for a table cell: Markdown and HTML syntax escaped, on one line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span for a table cell: fenced with more backticks than the text holds, `|`
/// escaped (GitHub-flavoured tables split cells on it even inside code).
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ").replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A message whose `backticked` parts become code spans and the rest plain text.
fn message(s: &str) -> String {
    if !s.matches('`').count().is_multiple_of(2) {
        return text(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { text(part) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_a_table() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<stdin>"), "&lt;stdin&gt;");
        assert_eq!(text("*/*"), "\\*/\\*");
        assert_eq!(code("ops|oncall"), "`ops\\|oncall`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(
            message("`pods` is not `apps|x`"),
            "`pods` is not `apps\\|x`"
        );
        assert_eq!(message("odd ` tick"), "odd \\` tick");
    }
}
