//! The CLI's Helm flags as the pipeline's plain settings.

use rbac_lens_core::source::ChartRenderer;
use rbac_lens_pipeline::HelmSettings;

use crate::args::HelmArgs;

pub fn helm_settings(args: &HelmArgs) -> HelmSettings {
    HelmSettings {
        release_name: args.release_name.clone(),
        values: args.values.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        set_json: args.set_json.clone(),
        set_file: args.set_file.clone(),
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        strict: args.strict,
    }
}

/// The chart renderer for these flags (`None` in a build without Helm support).
pub fn renderer(args: &HelmArgs, namespace: &str) -> Option<Box<dyn ChartRenderer>> {
    rbac_lens_pipeline::renderer(&helm_settings(args), namespace)
}

#[cfg(feature = "helm")]
pub fn render_options(args: &HelmArgs, namespace: &str) -> rbac_lens_helm::RenderOptions {
    rbac_lens_pipeline::helm::render_options(&helm_settings(args), namespace)
}
