//! Every output format over one shared report, built through the real pipeline from
//! `tests/fixtures/small.yaml` with the embedded catalog: a ServiceAccount with a legacy
//! token Secret, a Role that mints tokens (rule 1047) and reads one named ConfigMap, a
//! RoleBinding, a ClusterRoleBinding of built-in `cluster-admin` to a Group whose name holds
//! a `|`, a Deployment with an init container and a hostPath, and a broken RoleBinding.
//!
//! The metadata is fixed (no clock, no tool version), so snapshots only change when an
//! output format or the analysis does. Update with `INSTA_UPDATE=always cargo test` (or
//! `cargo insta review`) and read the `.snap` files before committing.

use rbac_lens_core::analysis::{AnalyzeOptions, analyze_inputs};
use rbac_lens_core::catalog::{Catalog, RiskLevel};
use rbac_lens_core::findings::Findings;
use rbac_lens_core::source::Input;
use rbac_lens_report::model::{Extra, HelmInfo, Metadata};
use rbac_lens_report::table::{TableOptions, render_with};
use rbac_lens_report::{Format, Report, render};

/// Relative to the crate root (cargo runs tests there), so file names in the output do not
/// depend on the checkout's location.
const FIXTURE: &str = "tests/fixtures/small.yaml";

fn metadata(complete: bool) -> Metadata {
    Metadata {
        version: "sha256:0000".into(),
        name: "small".into(),
        source: FIXTURE.into(),
        timestamp: 1_700_000_000,
        extra: Extra::default(),
        tool: "rbac-lens".into(),
        tool_version: "0.0.0-test".into(),
        catalog_version: "test".into(),
        complete,
    }
}

fn fixture() -> Report {
    let analysis = analyze_inputs(
        &[Input::Path(FIXTURE.into())],
        &AnalyzeOptions::default(),
        Catalog::embedded(),
        None,
    );
    let mut report = Report::new(
        metadata(!analysis.has_input_errors()),
        &analysis.findings,
        RiskLevel::Low,
    )
    .with_escalation(&rbac_lens_core::escalation::analyze_escalation(&analysis));
    // Input warnings (the broken document) come from loading, not from the findings.
    report.warnings = analysis.warnings();
    report
}

#[test]
fn table() {
    insta::assert_snapshot!("table", render(&fixture(), Format::Table, false));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("markdown", render(&fixture(), Format::Markdown, false));
}

#[test]
fn json() {
    insta::assert_snapshot!("json", render(&fixture(), Format::Json, false));
}

#[test]
fn yaml() {
    insta::assert_snapshot!("yaml", render(&fixture(), Format::Yaml, false));
}

#[test]
fn fixture_has_what_the_snapshots_rely_on() {
    let r = fixture();
    assert!(
        !r.metadata.complete,
        "the broken document makes the report partial"
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.object.as_deref() == Some("RoleBinding/shop/broken"))
    );
    let token = r
        .service_account_permissions
        .iter()
        .find(|p| p.resource == "serviceaccounts/token")
        .unwrap();
    assert_eq!(token.risk_level, RiskLevel::Critical);
    assert!(token.matched_risk_rules.iter().any(|m| m.id == 1047));
    assert!(
        r.subject_permissions
            .iter()
            .any(|p| p.role_name == "cluster-admin" && p.builtin_role)
    );
}

const ESC: &str = "\x1b[";

#[test]
fn colour_only_when_asked() {
    let r = fixture();
    let plain = render(&r, Format::Table, false);
    let coloured = render(&r, Format::Table, true);
    assert!(!plain.contains(ESC), "plain table has escape codes");
    assert!(coloured.contains(ESC), "coloured table has no escape codes");
    // The Critical row's level is bold red (crossterm writes red as 256-colour 9).
    let critical = coloured
        .lines()
        .find(|l| l.contains("serviceaccounts/token"))
        .unwrap();
    assert!(critical.contains("\x1b[1m"), "{critical:?}");
    assert!(
        critical.contains("\x1b[38;5;9m") || critical.contains("\x1b[31m"),
        "{critical:?}"
    );
    // The text is the same once the codes are removed.
    assert_eq!(strip_ansi(&coloured), plain);
    for format in [Format::Json, Format::Yaml, Format::Markdown] {
        assert!(
            !render(&r, format, true).contains(ESC),
            "{format:?} must never be coloured"
        );
    }
}

#[test]
fn order_does_not_depend_on_input_order() {
    let r = fixture();
    let mut shuffled = r.clone();
    shuffled.service_account_permissions.reverse();
    shuffled.subject_permissions.reverse();
    shuffled.service_account_workloads.reverse();
    shuffled.service_account_data.reverse();
    shuffled.identities.reverse();
    for id in &mut shuffled.identities {
        id.potential_abuse.reverse();
    }
    for format in [Format::Table, Format::Markdown] {
        assert_eq!(
            render(&r, format, false),
            render(&shuffled, format, false),
            "{format:?}"
        );
    }
}

#[test]
fn empty_sections_say_none() {
    let r = Report::new(metadata(true), &Findings::default(), RiskLevel::Low);
    let table = render(&r, Format::Table, false);
    for section in [
        "IDENTITIES",
        "PERMISSIONS",
        "POTENTIAL ABUSE",
        "WORKLOADS",
        "WARNINGS",
    ] {
        assert!(
            table.contains(&format!("{section} (0)\nnone\n")),
            "{section} in:\n{table}"
        );
    }
    let md = render(&r, Format::Markdown, false);
    assert!(md.contains("No service accounts."), "{md}");
    assert!(md.contains("## Warnings (0)\n\nNone.\n"), "{md}");
    assert!(md.ends_with('\n') && !md.ends_with("\n\n"));
}

#[test]
fn chart_metadata_in_markdown() {
    let mut meta = metadata(true);
    meta.extra.helm = Some(HelmInfo {
        description: "A <b>chart</b> | with *markup*".into(),
        home: "https://example.org/chart".into(),
        sources: Some(vec!["https://github.com/example/chart".into()]),
        ..HelmInfo::default()
    });
    let r = Report::new(meta, &Findings::default(), RiskLevel::Low);
    let md = render(&r, Format::Markdown, false);
    assert!(
        md.contains("## Description\n\nA &lt;b&gt;chart&lt;/b&gt; \\| with \\*markup\\*\n"),
        "{md}"
    );
    assert!(md.contains("- Home: <https://example.org/chart>\n"), "{md}");
    assert!(
        md.contains("- Source: <https://github.com/example/chart>\n"),
        "{md}"
    );
    assert!(!md.contains("Partial report"));
}

#[test]
fn width_wraps_long_cells_between_words() {
    let r = fixture();
    let longest = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let wide = render_with(
        &r,
        TableOptions {
            color: false,
            width: None,
        },
    );
    let narrow = render_with(
        &r,
        TableOptions {
            color: false,
            width: Some(160),
        },
    );
    // Wrapping gives way to whole words, so the width is a target, not a promise.
    assert!(longest(&narrow) < longest(&wide) - 60, "{narrow}");
    assert!(longest(&narrow) <= 170, "{narrow}");
    // Names are never cut in the middle.
    assert!(narrow.contains("serviceaccounts/token"), "{narrow}");
    assert!(narrow.contains("PotentialPrivilegeEscalation"), "{narrow}");
}

/// Remove SGR sequences (`ESC [ ... m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
