//! `rbac-lens analyze`: the main job.

use anyhow::Result;
use rbac_lens_pipeline::Outcome;
use rbac_lens_report::Format;

use super::{catalog, level, print, use_color};
use crate::args::{AnalyzeArgs, OutputFormat};
use crate::exit::ExitStatus;
use crate::helm_adapter::helm_settings;

pub fn format(o: OutputFormat) -> Format {
    match o {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Markdown => Format::Markdown,
    }
}

pub fn run(args: AnalyzeArgs) -> Result<ExitStatus> {
    let catalog = catalog(&args.rules)?;
    let opts = rbac_lens_pipeline::Options {
        namespace: args.namespace.clone(),
        builtin_roles: !args.no_builtin_roles,
        default_bindings: args.with_default_bindings,
        min_level: level(args.min_level),
        helm: helm_settings(&args.helm),
        timestamp: rbac_lens_pipeline::timestamp(),
    };
    let Outcome {
        report,
        highest,
        input_errors,
    } = rbac_lens_pipeline::analyze(&args.inputs, &opts, &catalog);
    let t = std::time::Instant::now();
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
