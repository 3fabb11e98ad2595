//! `rbac-lens paths`: escalation paths from the escalation graph, as text, JSON, DOT or
//! Mermaid. Exit status 0 when at least one path is printed, 1 when none.
//!
//! - no `--from`, no `--to`: each identity's notable path (to cluster-admin, to a node, else
//!   to the strongest identity it reaches);
//! - `--from S`: a path to every identity and sink S reaches, sinks first, nearest first;
//! - `--to T`: from every identity that reaches T;
//! - both: the shortest path between them.

use std::collections::BTreeSet;

use anyhow::Result;
use rbac_lens_core::analysis::{AnalyzeOptions, analyze_loaded};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_core::escalation::{Escalation, Node, Path, analyze_escalation, render};
use rbac_lens_core::rbac::AuthorizerOptions;
use rbac_lens_core::source::{Input, load};

use super::print;
use crate::args::{PathsArgs, PathsFormat};
use crate::exit::ExitStatus;
use crate::helm_adapter::renderer;

fn node(esc: &Escalation, spelled: &str, role: &str) -> Option<usize> {
    let n = Node::parse_subject(spelled);
    let found = esc.node_index(&n);
    if found.is_none() {
        eprintln!(
            "rbac-lens: {role} {n} does not appear in the escalation graph of the input (it holds no permission there)"
        );
    }
    found
}

/// Paths from `from` to every identity and sink it reaches: sinks first, then by distance.
fn from_paths(esc: &Escalation, from: usize) -> Vec<Path> {
    let reach = esc.reach(from);
    let mut targets: Vec<usize> = reach
        .order
        .iter()
        .copied()
        .filter(|&t| esc.nodes[t].is_sink() || esc.nodes[t].is_identity())
        .collect();
    targets.sort_by_key(|&t| (!esc.nodes[t].is_sink(), reach.distance(t), t));
    targets
        .into_iter()
        .filter_map(|t| esc.path(&reach, t))
        .collect()
}

fn to_paths(esc: &Escalation, to: usize) -> Vec<Path> {
    (0..esc.nodes.len())
        .filter(|&i| i != to && esc.nodes[i].is_identity())
        .filter_map(|i| esc.shortest_path(i, to))
        .collect()
}

pub fn run(args: PathsArgs) -> Result<ExitStatus> {
    let opts = AnalyzeOptions {
        default_namespace: args.namespace.clone(),
        authorizer: AuthorizerOptions {
            builtin_bindings: args.with_default_bindings,
            ..AuthorizerOptions::default()
        },
        ..AnalyzeOptions::default()
    };
    let inputs: Vec<Input> = args.inputs.iter().map(|s| Input::parse(s)).collect();
    let renderer = renderer(&args.helm, &args.namespace);
    let loaded = load(&inputs, &opts.limits, renderer.as_deref());
    let analysis = analyze_loaded(loaded, &opts, Catalog::embedded());
    for w in analysis
        .warnings()
        .iter()
        .filter(|w| w.code.is_input_error())
    {
        eprintln!("warning: {w}");
    }
    let esc = analyze_escalation(&analysis);

    let from = match &args.from {
        Some(s) => match node(&esc, s, "--from") {
            Some(i) => Some(i),
            None => return Ok(ExitStatus::No),
        },
        None => None,
    };
    let to = match &args.to {
        Some(s) => match node(&esc, s, "--to") {
            Some(i) => Some(i),
            None => return Ok(ExitStatus::No),
        },
        None => None,
    };
    let paths: Vec<Path> = match (from, to) {
        (Some(f), Some(t)) => esc.shortest_path(f, t).into_iter().collect(),
        (Some(f), None) => from_paths(&esc, f),
        (None, Some(t)) => to_paths(&esc, t),
        (None, None) => esc.paths.clone(),
    };

    let drawn = || -> BTreeSet<usize> {
        if args.all {
            return (0..esc.nodes.len()).collect();
        }
        let refs: Vec<&Path> = paths.iter().collect();
        let mut set = render::path_nodes(&esc, &refs);
        // From one identity without a target: everything it reaches.
        if let (Some(f), None) = (from, to) {
            set.insert(f);
            set.extend(esc.reach(f).order);
        }
        set
    };
    let text = match args.output {
        PathsFormat::Text => {
            let blocks: Vec<String> = paths.iter().map(render::path_text).collect();
            blocks.join("\n")
        }
        PathsFormat::Json => serde_json::to_string_pretty(&paths)? + "\n",
        PathsFormat::Dot => render::dot(&esc, &drawn()),
        PathsFormat::Mermaid => render::mermaid(&esc, &drawn()),
    };
    print(&text)?;
    if paths.is_empty() {
        eprintln!("rbac-lens: no escalation path found");
        return Ok(ExitStatus::No);
    }
    Ok(ExitStatus::Success)
}
