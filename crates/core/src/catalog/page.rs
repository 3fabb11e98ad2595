//! Rule pages: the layout of the public catalog's rule page (front matter for Hugo, an
//! overview table, the description, abuse scenarios), rendered from the catalog entry.

use std::fmt::Write;

use super::Rule;

/// API groups as a rule page shows them (the core group as `"" (core)`).
pub fn groups_display(groups: &[String]) -> String {
    groups
        .iter()
        .map(|g| {
            if g.is_empty() {
                "\"\" (core)".to_string()
            } else {
                g.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verbs a rule needs: plain, or the sets of which any one enables the abuse.
pub fn verbs_display(rule: &Rule) -> String {
    match &rule.match_verbs {
        Some(sets) if sets.iter().any(|s| s.len() > 1) => sets
            .iter()
            .map(|s| format!("[{}]", s.join(", ")))
            .collect::<Vec<_>>()
            .join(" or "),
        _ => rule.verbs.join(", "),
    }
}

/// Pad a two-column markdown table so it reads well as plain text too.
fn table(rows: &[(&str, String)]) -> String {
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(5).max(5);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = String::new();
    let _ = writeln!(out, "| {:<w0$} | {:<w1$} |", "Field", "Value");
    let _ = writeln!(out, "| {} | {} |", "-".repeat(w0), "-".repeat(w1));
    for (k, v) in rows {
        let pad = w1 - v.chars().count();
        let _ = writeln!(out, "| {k:<w0$} | {v}{} |", " ".repeat(pad));
    }
    out
}

fn body(rule: &Rule, hugo: bool) -> String {
    let mut tags = rule.tags.clone();
    tags.sort();
    let level = if hugo {
        format!("{{{{< risk {} >}}}}", rule.risk_level)
    } else {
        rule.risk_level.to_string()
    };
    let tags = if hugo {
        tags.iter()
            .map(|t| format!("{{{{< tag \"{t}\" >}}}}"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        tags.join(", ")
    };
    let rows = [
        ("ID", rule.id.to_string()),
        ("Name", rule.name.clone()),
        ("Risk Category", rule.category.clone()),
        ("Risk Level", level),
        ("Role Type", rule.role_type.as_str().to_string()),
        ("API Groups", groups_display(&rule.api_groups)),
        ("Resources", rule.resources.join(", ")),
        ("Verbs", verbs_display(rule)),
        ("Tags", tags),
    ];
    let mut out = String::new();
    out.push_str("## Overview\n\n");
    out.push_str(&table(&rows));
    let _ = write!(out, "\n## Description\n\n{}\n", rule.description.trim());
    if !rule.abuse_scenarios.is_empty() {
        out.push_str("\n## Abuse Scenarios\n");
        for (i, s) in rule.abuse_scenarios.iter().enumerate() {
            let _ = write!(
                out,
                "\n### {}. {}\n\n```sh\n{}\n```\n",
                i + 1,
                s.title.trim(),
                s.steps.trim_end()
            );
        }
    }
    if !rule.remediation.trim().is_empty() {
        let _ = write!(out, "\n## Remediation\n\n{}\n", rule.remediation.trim());
    }
    if let Some(c) = &rule.correction {
        let _ = write!(
            out,
            "\n## Difference from the public catalog\n\n{}\n",
            c.trim()
        );
    }
    if !rule.references.is_empty() {
        out.push_str("\n## References\n\n");
        for r in &rule.references {
            let _ = writeln!(out, "- {r}");
        }
    }
    out
}

fn first_sentences(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A plain Markdown page (what `rules show` prints).
pub fn render_markdown(rule: &Rule) -> String {
    format!("# {}: {}\n\n{}", rule.id, rule.name, body(rule, false))
}

/// A Hugo page with the front matter keys of the public site (id, title, description,
/// category, risk_level, date).
pub fn render_hugo(rule: &Rule) -> String {
    format!(
        "---\nid: {}\ntitle: {}\ndescription: {}\ncategory: {}\nrisk_level: RiskLevel{}\ndate: \"\"\n---\n\n{}",
        rule.id,
        yaml_quote(&rule.name),
        yaml_quote(&first_sentences(&rule.description)),
        rule.category,
        rule.risk_level,
        body(rule, true)
    )
}
