//! The whole pipeline in one call: inputs → documents → inventory → grants → findings.

use crate::catalog::Catalog;
use crate::diagnostics::Warning;
use crate::findings::{Findings, analyze};
use crate::inventory::{Inventory, build_inventory};
use crate::limits::Limits;
use crate::rbac::{Authorizer, AuthorizerOptions};
use crate::source::{ChartRenderer, Input, Loaded, load};

/// Settings of one analysis run.
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// Namespace for namespaced objects that have none.
    pub default_namespace: String,
    pub limits: Limits,
    pub authorizer: AuthorizerOptions,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            default_namespace: "default".into(),
            limits: Limits::default(),
            authorizer: AuthorizerOptions::default(),
        }
    }
}

/// The result of every stage, for the report and for further questions (can-i, who-can).
pub struct Analysis {
    pub loaded: Loaded,
    pub inventory: Inventory,
    pub authorizer: Authorizer,
    pub findings: Findings,
    /// Pod Security enforcement per namespace, read from Namespace objects of the input.
    pub pod_security: crate::escalation::PodSecurity,
}

impl Analysis {
    /// All warnings: input problems first, then facts about the RBAC.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut all = self.loaded.warnings.clone();
        all.extend(self.findings.warnings.iter().cloned());
        all
    }

    /// True when some input could not be read, parsed or rendered.
    pub fn has_input_errors(&self) -> bool {
        self.loaded
            .warnings
            .iter()
            .chain(&self.findings.warnings)
            .any(|w| w.code.is_input_error())
    }
}

/// Read, extract, authorize and match.
pub fn analyze_inputs(
    inputs: &[Input],
    opts: &AnalyzeOptions,
    catalog: &Catalog,
    renderer: Option<&dyn ChartRenderer>,
) -> Analysis {
    let t = std::time::Instant::now();
    let loaded = load(inputs, &opts.limits, renderer);
    timing("read+parse", t);
    analyze_loaded(loaded, opts, catalog)
}

/// The stages after reading (used by tests and the atlas, which read their own way).
pub fn analyze_loaded(mut loaded: Loaded, opts: &AnalyzeOptions, catalog: &Catalog) -> Analysis {
    let t = std::time::Instant::now();
    let (inventory, warnings) = build_inventory(&loaded.documents, &opts.default_namespace);
    loaded.warnings.extend(warnings);
    let pod_security = crate::escalation::PodSecurity::from_documents(&loaded.documents);
    // The parsed documents are the biggest allocation; the inventory holds what matters.
    loaded.document_count = loaded.document_count.max(loaded.documents.len());
    loaded.documents = Vec::new();
    timing("inventory", t);
    let t = std::time::Instant::now();
    let authorizer = Authorizer::new(&inventory, &opts.authorizer);
    timing("authorizer", t);
    let t = std::time::Instant::now();
    let findings = analyze(&inventory, &authorizer, catalog);
    timing("findings", t);
    Analysis {
        loaded,
        inventory,
        authorizer,
        findings,
        pod_security,
    }
}

/// With `RBAC_LENS_TIMINGS` set, print how long each stage took (for profiling).
pub fn timing(stage: &str, since: std::time::Instant) {
    if std::env::var_os("RBAC_LENS_TIMINGS").is_some() {
        eprintln!("timing: {stage}: {:.3} s", since.elapsed().as_secs_f64());
    }
}
