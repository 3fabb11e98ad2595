//! `rbac-lens template`: print a chart's manifests as `helm template` does.

use anyhow::Result;

#[cfg(feature = "helm")]
use super::print;
use crate::args::TemplateArgs;
use crate::exit::ExitStatus;

#[cfg(not(feature = "helm"))]
pub fn run(args: TemplateArgs) -> Result<ExitStatus> {
    anyhow::bail!("{}: this build has no Helm support", args.chart.display())
}

#[cfg(feature = "helm")]
pub fn run(args: TemplateArgs) -> Result<ExitStatus> {
    use crate::helm_adapter::render_options;
    let opts = render_options(&args.helm, &args.namespace);
    let rendered = rbac_lens_helm::render_chart(&args.chart, &opts)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.chart.display()))?;
    print(&rbac_lens_helm::format_like_helm_template(&rendered))?;
    for e in &rendered.errors {
        eprintln!("Error: {e}");
    }
    Ok(if rendered.errors.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::PartialInput
    })
}
