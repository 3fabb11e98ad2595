//! Inputs to a finished [`Report`]: the wiring the CLI's `analyze` and the atlas scanner share.
//!
//! Core analyses, report renders; this crate only connects them (Helm renderer plugged into
//! the source loader, report metadata filled from the chart, escalation added).

pub mod helm;

use rbac_lens_core::analysis::{AnalyzeOptions, analyze_inputs};
use rbac_lens_core::catalog::{Catalog, RiskLevel};
use rbac_lens_core::rbac::AuthorizerOptions;
use rbac_lens_core::source::Input;
use rbac_lens_report::Report;
use rbac_lens_report::model::{Extra, HelmInfo, Metadata};

pub use helm::{HelmSettings, renderer};

/// What to analyse and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Namespace for namespaced objects without one (and the Helm release namespace).
    pub namespace: String,
    pub builtin_roles: bool,
    pub default_bindings: bool,
    /// Permission rows below this level are left out of the report.
    pub min_level: RiskLevel,
    pub helm: HelmSettings,
    /// Unix seconds for `metadata.timestamp`.
    pub timestamp: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespace: "default".into(),
            builtin_roles: true,
            default_bindings: false,
            min_level: RiskLevel::Low,
            helm: HelmSettings::default(),
            timestamp: timestamp(),
        }
    }
}

/// A finished analysis.
pub struct Outcome {
    pub report: Report,
    /// The highest level among all permission rows (before `min_level` filtering).
    pub highest: Option<RiskLevel>,
    /// Some input could not be read, parsed or rendered: the report is partial.
    pub input_errors: bool,
}

/// Unix seconds, or `SOURCE_DATE_EPOCH` for reproducible output.
pub fn timestamp() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
}

/// Load, render, analyse `inputs` (as typed on the command line) and build the report,
/// escalation paths included. Never fails as a whole: unreadable inputs become warnings and
/// mark the report incomplete.
pub fn analyze(inputs: &[String], opts: &Options, catalog: &Catalog) -> Outcome {
    let analyze_opts = AnalyzeOptions {
        default_namespace: opts.namespace.clone(),
        authorizer: AuthorizerOptions {
            builtin_roles: opts.builtin_roles,
            builtin_bindings: opts.default_bindings,
        },
        ..AnalyzeOptions::default()
    };
    let parsed: Vec<Input> = inputs.iter().map(|s| Input::parse(s)).collect();
    let renderer = renderer(&opts.helm, &opts.namespace);
    let mut analysis = analyze_inputs(&parsed, &analyze_opts, catalog, renderer.as_deref());

    let warnings = analysis.warnings();
    let mut meta = Metadata {
        version: format!("{:016x}", analysis.loaded.digest),
        name: inputs
            .iter()
            .map(|i| {
                std::path::Path::new(i)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| i.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        source: inputs.join(", "),
        timestamp: opts.timestamp,
        extra: Extra {
            manifests: Some(analysis.loaded.document_count),
            warnings: (!warnings.is_empty())
                .then(|| warnings.iter().map(|w| w.to_string()).collect()),
            helm: None,
        },
        tool: "rbac-lens".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        catalog_version: catalog.version(),
        complete: !analysis.has_input_errors(),
    };
    if let [chart] = analysis.loaded.charts.as_slice() {
        meta.name = chart.name.clone();
        meta.version = chart.version.clone();
        meta.extra.helm = Some(HelmInfo {
            description: chart.description.clone(),
            keywords: chart.keywords.clone(),
            home: chart.home.clone(),
            icon: chart.icon.clone(),
            kube_version: chart.kube_version.clone(),
            maintainers: chart.maintainers.clone(),
            sources: chart.sources.clone(),
        });
    }
    let escalation = rbac_lens_core::escalation::analyze_escalation(&analysis);
    let highest = analysis
        .findings
        .permissions
        .iter()
        .map(|p| p.risk_level)
        .max();
    let input_errors = analysis.has_input_errors();
    // Hand the findings over and free the rest before the report copies them (peak memory).
    let mut findings = std::mem::take(&mut analysis.findings);
    findings.warnings = warnings;
    drop(analysis);
    let report = Report::new(meta, &findings, opts.min_level).with_escalation(&escalation);
    Outcome {
        report,
        highest,
        input_errors,
    }
}
