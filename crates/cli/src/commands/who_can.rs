//! `rbac-lens who-can`: every subject allowed to do something, and why.

use anyhow::Result;
use rbac_lens_core::analysis::{Analysis, AnalyzeOptions, analyze_inputs};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_core::rbac::{AuthorizerOptions, Grant, Scope};
use rbac_lens_core::source::Input;

use super::print;
use crate::args::{HelmArgs, OutputFormat, Question, WhoCanArgs};
use crate::exit::ExitStatus;
use crate::helm_adapter::renderer;
use crate::question::request;

/// Read the inputs of a question; unreadable input is reported on stderr.
pub fn load(q: &Question) -> Result<Analysis> {
    let opts = AnalyzeOptions {
        authorizer: AuthorizerOptions {
            builtin_bindings: q.with_default_bindings,
            ..AuthorizerOptions::default()
        },
        ..AnalyzeOptions::default()
    };
    let inputs: Vec<Input> = q.inputs.iter().map(|s| Input::parse(s)).collect();
    let renderer = renderer(&HelmArgs::default(), "default");
    let analysis = analyze_inputs(&inputs, &opts, Catalog::embedded(), renderer.as_deref());
    for w in analysis
        .warnings()
        .iter()
        .filter(|w| w.code.is_input_error())
    {
        eprintln!("warning: {w}");
    }
    Ok(analysis)
}

fn subject(g: &Grant) -> String {
    match &g.subject.namespace {
        Some(ns) => format!("{} {ns}/{}", g.subject.kind.as_str(), g.subject.name),
        None => format!("{} {}", g.subject.kind.as_str(), g.subject.name),
    }
}

fn binding(g: &Grant) -> String {
    match &g.binding_namespace {
        Some(ns) => format!("{} {ns}/{}", g.binding_kind.as_str(), g.binding_name),
        None => format!("{} {}", g.binding_kind.as_str(), g.binding_name),
    }
}

fn role(g: &Grant) -> String {
    let name = match &g.role_namespace {
        Some(ns) => format!("{} {ns}/{}", g.role_kind.as_str(), g.role_name),
        None => format!("{} {}", g.role_kind.as_str(), g.role_name),
    };
    if g.role_builtin {
        format!("{name} (built-in)")
    } else {
        name
    }
}

fn scope(g: &Grant) -> String {
    match &g.scope {
        Scope::Cluster => "cluster-wide".into(),
        Scope::Namespace(ns) => format!("namespace {ns}"),
    }
}

pub fn describe(g: &Grant) -> String {
    format!(
        "{} → {} ({}) for {}",
        binding(g),
        role(g),
        scope(g),
        subject(g)
    )
}

pub fn run(args: WhoCanArgs) -> Result<ExitStatus> {
    let req = request(&args.question)?;
    let analysis = load(&args.question)?;
    let grants = analysis.authorizer.grants();
    let allowed: Vec<&Grant> = analysis
        .authorizer
        .who_can(&req)
        .into_iter()
        .map(|i| &grants[i])
        .collect();
    let text = match args.output {
        OutputFormat::Json | OutputFormat::Yaml => {
            let rows: Vec<serde_json::Value> = allowed
                .iter()
                .map(|g| {
                    serde_json::json!({
                        "subjectKind": g.subject.kind.as_str(),
                        "subjectName": g.subject.name,
                        "subjectNamespace": g.subject.namespace,
                        "bindingKind": g.binding_kind.as_str(),
                        "bindingName": g.binding_name,
                        "bindingNamespace": g.binding_namespace,
                        "roleKind": g.role_kind.as_str(),
                        "roleName": g.role_name,
                        "roleNamespace": g.role_namespace,
                        "builtinRole": g.role_builtin,
                        "scope": g.scope.namespace().unwrap_or("*"),
                    })
                })
                .collect();
            if args.output == OutputFormat::Yaml {
                serde_saphyr::to_string(&rows)?
            } else {
                let mut s = serde_json::to_string_pretty(&rows)?;
                s.push('\n');
                s
            }
        }
        _ => {
            let mut s = String::new();
            if allowed.is_empty() {
                s.push_str("no subject is allowed\n");
            }
            for g in &allowed {
                s.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    subject(g),
                    binding(g),
                    role(g),
                    scope(g)
                ));
            }
            s
        }
    };
    print(&text)?;
    Ok(ExitStatus::Success)
}
