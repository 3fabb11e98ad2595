use rbac_lens_core::analysis::{AnalyzeOptions, analyze_inputs};
use rbac_lens_core::catalog::{Catalog, RiskLevel};
use rbac_lens_core::source::Input;
use rbac_lens_report::model::{Extra, Metadata};
use rbac_lens_report::{Report, to_json};

fn fixture() -> Report {
    let catalog = Catalog::embedded();
    let analysis = analyze_inputs(
        &[Input::Path("tests/fixtures/small.yaml".into())],
        &AnalyzeOptions::default(),
        catalog,
        None,
    );
    let metadata = Metadata {
        version: "sha256:0000".into(),
        name: "small".into(),
        source: "tests/fixtures/small.yaml".into(),
        timestamp: 1_700_000_000,
        extra: Extra::default(),
        tool: "rbac-lens".into(),
        tool_version: "0.0.0-test".into(),
        catalog_version: "test".into(),
        complete: !analysis.has_input_errors(),
    };
    let mut report = Report::new(metadata, &analysis.findings, RiskLevel::Low);
    report.warnings = analysis.warnings();
    report
}

#[test]
fn dump() {
    println!("{}", to_json(&fixture()));
}
