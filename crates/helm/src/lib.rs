//! Native Helm chart rendering for rbac-lens.
//!
//! Loads a chart (directory or `.tgz`, dependencies under `charts/`), merges values the way
//! Helm does, renders every template with the [`gotmpl`] engine plus Helm's functions, and
//! returns the manifests tagged with the template they came from. It never runs `helm`, and
//! it holds no RBAC logic: that lives in `rbac-lens-core`.
//!
//! A template that fails does not stop the others: its error is reported in
//! [`Rendered::errors`] and the rest is rendered (helm's all-or-nothing behaviour is
//! [`RenderOptions::strict`]). Every input is bounded: archive size and entry counts,
//! file sizes, template recursion, output size and time per chart.
//!
//! ```no_run
//! use rbac_lens_helm::{render_chart, format_like_helm_template, RenderOptions};
//!
//! let opts = RenderOptions {
//!     set: vec!["rbac.create=true".into()],
//!     ..RenderOptions::default()
//! };
//! let rendered = render_chart(std::path::Path::new("./mychart"), &opts)?;
//! for m in &rendered.manifests {
//!     println!("{} (line {}): {} bytes", m.source, m.line, m.content.len());
//! }
//! print!("{}", format_like_helm_template(&rendered));
//! # Ok::<(), rbac_lens_helm::Error>(())
//! ```

pub mod chart;
pub mod deps;
pub mod error;
pub mod funcs;
pub mod objects;
pub mod output;
pub mod render;
mod text;
pub mod values;

use std::path::PathBuf;

pub use chart::archive::is_chart_archive;
pub use chart::load::is_chart_dir;
pub use error::{Error, RenderError};
pub use gotmpl::sprig::RsaKeys;
pub use output::format_like_helm_template;

/// How to render a chart: the flags of `helm template`.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Release name (`.Release.Name`); `None` means the chart's name (as rbac-scope does).
    pub release_name: Option<String>,
    /// Release namespace (`.Release.Namespace`), `default` by default.
    pub namespace: String,
    /// `-f/--values` files, lowest precedence first.
    pub values_files: Vec<PathBuf>,
    /// `--set a.b=c` (typed as helm does).
    pub set: Vec<String>,
    /// `--set-string a.b=c`.
    pub set_string: Vec<String>,
    /// `--set-json a.b={"x":1}` or a whole JSON object.
    pub set_json: Vec<String>,
    /// `--set-file a.b=path`.
    pub set_file: Vec<String>,
    /// `--kube-version` (default: what helm v4.1.4 assumes, v1.35.0).
    pub kube_version: Option<String>,
    /// `--api-versions`, added to the default list.
    pub api_versions: Vec<String>,
    /// Helm's all-or-nothing behaviour: the first template error or schema violation is fatal.
    pub strict: bool,
    /// `.Release.IsUpgrade` (and not `IsInstall`).
    pub is_upgrade: bool,
    /// Also print `crds/` files (`helm template --include-crds`); they are always in
    /// [`Rendered::crds`].
    pub include_crds: bool,
    /// Bounds on reading the chart.
    pub limits: chart::Limits,
    /// Most bytes of rendered output per chart.
    pub max_output_bytes: usize,
    /// Most wall-clock time per chart.
    pub timeout: std::time::Duration,
    /// Where `genCA`, `genSignedCert`, `genSelfSignedCert` and `genPrivateKey "rsa"` get
    /// RSA keys. [`gotmpl::sprig::RsaKeys::Throwaway`] uses one public built-in key instead
    /// of generating one (a 2048-bit key costs 20-300 ms): only for callers that analyze the
    /// manifests and never print or deploy them.
    pub rsa_keys: gotmpl::sprig::RsaKeys,
    /// Parse every rendered document fully and report one that helm would refuse ("YAML
    /// parse error on ...": invalid YAML, or a `kind`/`metadata` of the wrong shape) as a
    /// template error, as `helm template` does. On by default; callers that only analyze the
    /// manifests turn it off: parsing every document costs time, and a chart helm refuses
    /// for one broken document is still worth analyzing.
    pub validate_yaml: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: None,
            namespace: "default".into(),
            values_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            set_json: Vec::new(),
            set_file: Vec::new(),
            kube_version: None,
            api_versions: Vec::new(),
            strict: false,
            is_upgrade: false,
            include_crds: false,
            limits: chart::Limits::default(),
            max_output_bytes: 64 * 1024 * 1024,
            timeout: std::time::Duration::from_secs(30),
            rsa_keys: gotmpl::sprig::RsaKeys::Generate,
            validate_yaml: true,
        }
    }
}

/// Render a chart (see [`render::render_chart`]) and, with [`RenderOptions::validate_yaml`],
/// check every document as `helm template` does: an invalid one is a [`RenderError`] in
/// [`Rendered::errors`] (fatal with [`RenderOptions::strict`]), and stays in the output.
pub fn render_chart(path: &std::path::Path, opts: &RenderOptions) -> Result<Rendered, Error> {
    let mut r = render::render_chart(path, opts)?;
    if opts.validate_yaml {
        let errors = output::yaml_errors(&r);
        if opts.strict
            && let Some(e) = errors.first()
        {
            return Err(Error::Template(Box::new(e.clone())));
        }
        r.errors.extend(errors);
    }
    Ok(r)
}

/// Chart metadata carried into reports (rbac-scope's `metadata.extra.helm`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartInfo {
    pub name: String,
    pub version: String,
    pub app_version: String,
    pub description: String,
    pub home: String,
    pub icon: String,
    pub keywords: Vec<String>,
    /// `name <email> (url)` entries, as written.
    pub maintainers: Vec<chart::Maintainer>,
    pub sources: Vec<String>,
    pub kube_version: String,
}

/// One rendered YAML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Template path as helm prints it: `chart/templates/x.yaml`, or
    /// `parent/charts/child/templates/y.yaml` for a subchart (`crds/` files likewise).
    pub source: String,
    /// One YAML document, trimmed.
    pub content: String,
    /// The `helm.sh/hook` annotation, when the document is a hook.
    pub hook: Option<String>,
    /// Best-effort 1-based line in the template where the document starts.
    pub line: usize,
    /// The document's `kind` (empty when it has none or does not parse).
    pub kind: String,
}

/// The result of rendering a chart: possibly partial (see [`Rendered::errors`]).
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub chart: ChartInfo,
    /// Non-hook manifests in helm's install order, then hooks (helm's order too).
    pub manifests: Vec<Manifest>,
    /// Files of `crds/` directories (printed by [`format_like_helm_template`] only with
    /// [`RenderOptions::include_crds`]).
    pub crds: Vec<Manifest>,
    /// Templates that failed; the result lacks their output.
    pub errors: Vec<RenderError>,
    /// Problems that did not stop rendering (missing dependency archives, schema
    /// violations without `strict`, unknown hooks, coalescing conflicts).
    pub warnings: Vec<String>,
    /// Whether `format_like_helm_template` should print the CRDs.
    pub include_crds: bool,
}

impl Rendered {
    /// Whether some template failed (the manifests are incomplete).
    pub fn is_partial(&self) -> bool {
        !self.errors.is_empty()
    }
}
