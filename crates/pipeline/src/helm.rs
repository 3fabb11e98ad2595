//! Plugs the native Helm renderer into the core's source loader.

#[cfg(feature = "helm")]
use std::path::Path;

use std::path::PathBuf;

use rbac_lens_core::source::ChartRenderer;
#[cfg(feature = "helm")]
use rbac_lens_core::source::{RenderedChart, RenderedManifest};
#[cfg(feature = "helm")]
use rbac_lens_helm::RenderOptions;

/// Helm flags as plain data (the CLI's `--values`, `--set`, ... and the atlas's values files).
#[derive(Clone, Debug, Default)]
pub struct HelmSettings {
    /// Release name for charts (default: the chart name).
    pub release_name: Option<String>,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_json: Vec<String>,
    pub set_file: Vec<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    /// Fail a chart on schema violations and template errors (helm's behaviour).
    pub strict: bool,
}

/// The chart renderer for these flags (`None` in a build without Helm support).
pub fn renderer(args: &HelmSettings, namespace: &str) -> Option<Box<dyn ChartRenderer>> {
    #[cfg(feature = "helm")]
    return Some(Box::new(HelmRenderer::new(args, namespace)));
    #[cfg(not(feature = "helm"))]
    {
        let _ = (args, namespace);
        None
    }
}

#[cfg(feature = "helm")]
pub struct HelmRenderer {
    pub options: RenderOptions,
}

#[cfg(feature = "helm")]
impl HelmRenderer {
    pub fn new(args: &HelmSettings, namespace: &str) -> Self {
        HelmRenderer {
            options: RenderOptions {
                // The manifests are analyzed, never printed or deployed: a built-in RSA key
                // saves 20-300 ms per generated key (certificates for webhooks and the like).
                rsa_keys: rbac_lens_helm::RsaKeys::Throwaway,
                // Only the documents the analysis reads are parsed; one broken document
                // (which helm would refuse the chart for) does not hide the others' RBAC.
                validate_yaml: false,
                ..render_options(args, namespace)
            },
        }
    }
}

#[cfg(feature = "helm")]
pub fn render_options(args: &HelmSettings, namespace: &str) -> RenderOptions {
    RenderOptions {
        release_name: args.release_name.clone(),
        namespace: namespace.to_string(),
        values_files: args.values.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        set_json: args.set_json.clone(),
        set_file: args.set_file.clone(),
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        strict: args.strict,
        ..RenderOptions::default()
    }
}

#[cfg(feature = "helm")]
impl ChartRenderer for HelmRenderer {
    fn render(&self, path: &Path) -> Result<RenderedChart, String> {
        let r = rbac_lens_helm::render_chart(path, &self.options).map_err(|e| e.to_string())?;
        let c = &r.chart;
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        Ok(RenderedChart {
            name: c.name.clone(),
            version: c.version.clone(),
            description: c.description.clone(),
            home: c.home.clone(),
            icon: c.icon.clone(),
            kube_version: c.kube_version.clone(),
            keywords: non_empty(&c.keywords),
            sources: non_empty(&c.sources),
            maintainers: (!c.maintainers.is_empty()).then(|| {
                c.maintainers
                    .iter()
                    .map(|m| {
                        let mut v = serde_json::json!({"name": m.name, "email": m.email});
                        if !m.url.is_empty() {
                            v["url"] = serde_json::Value::from(m.url.clone());
                        }
                        v
                    })
                    .collect()
            }),
            manifests: r
                .manifests
                .iter()
                .map(|m| RenderedManifest {
                    source: m.source.clone(),
                    content: m.content.clone(),
                    hook: m.hook.clone(),
                    line: m.line,
                })
                .collect(),
            errors: r.errors.iter().map(|e| e.to_string()).collect(),
            warnings: r.warnings.clone(),
        })
    }
}
