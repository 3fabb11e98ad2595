//! `rbac-lens analyze`: the main job.

use anyhow::Result;
use rbac_lens_core::analysis::{AnalyzeOptions, analyze_inputs};
use rbac_lens_core::rbac::AuthorizerOptions;
use rbac_lens_core::source::Input;
use rbac_lens_report::model::{Extra, HelmInfo, Metadata};
use rbac_lens_report::{Format, Report};

use super::{catalog, level, print, use_color};
use crate::args::{AnalyzeArgs, OutputFormat};
use crate::exit::ExitStatus;
use crate::helm_adapter::renderer;

pub fn format(o: OutputFormat) -> Format {
    match o {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Markdown => Format::Markdown,
    }
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

pub fn run(args: AnalyzeArgs) -> Result<ExitStatus> {
    let catalog = catalog(&args.rules)?;
    let opts = AnalyzeOptions {
        default_namespace: args.namespace.clone(),
        authorizer: AuthorizerOptions {
            builtin_roles: !args.no_builtin_roles,
            builtin_bindings: args.with_default_bindings,
        },
        ..AnalyzeOptions::default()
    };
    let inputs: Vec<Input> = args.inputs.iter().map(|s| Input::parse(s)).collect();
    let renderer = renderer(&args.helm, &args.namespace);
    let mut analysis = analyze_inputs(&inputs, &opts, &catalog, renderer.as_deref());

    let warnings = analysis.warnings();
    let mut meta = Metadata {
        version: format!("{:016x}", analysis.loaded.digest),
        name: args
            .inputs
            .iter()
            .map(|i| {
                std::path::Path::new(i)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| i.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        source: args.inputs.join(", "),
        timestamp: timestamp(),
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
    let t = std::time::Instant::now();
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
    let report = Report::new(meta, &findings, level(args.min_level)).with_escalation(&escalation);
    drop((findings, escalation));
    if args.output == OutputFormat::Json {
        match rbac_lens_report::write_json(&report, std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    } else {
        print(&rbac_lens_report::render(
            &report,
            format(args.output),
            use_color(),
        ))?;
    }
    rbac_lens_core::analysis::timing("report", t);

    if let Some(fail_on) = args.fail_on
        && highest.is_some_and(|h| h >= level(fail_on))
    {
        return Ok(ExitStatus::FailOn);
    }
    if input_errors {
        return Ok(ExitStatus::PartialInput);
    }
    Ok(ExitStatus::Success)
}
