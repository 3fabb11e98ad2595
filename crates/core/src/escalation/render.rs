//! Text, Graphviz DOT and Mermaid renderings of paths and of part of the graph. Pure
//! functions returning strings: the CLI prints them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::{Escalation, Evidence, Node, Path};

fn evidence_line(e: &Evidence) -> String {
    let mut s = e.request.clone();
    s.push_str(": ");
    match &e.binding {
        Some(b) => {
            let _ = write!(s, "{b} → {}", e.role);
        }
        None => {
            let _ = write!(s, "{} (bound by the attacker)", e.role);
        }
    }
    let _ = write!(s, " rule #{}", e.rule_index);
    if let Some(id) = e.rule_id {
        let _ = write!(s, " (catalog {id})");
    }
    if let Some(sub) = &e.subject {
        let _ = write!(s, ", subject {sub}");
    }
    if let Some(o) = &e.origin
        && !o.file.is_empty()
        && !o.builtin
    {
        let _ = write!(s, " [{}", o.file);
        if o.line > 0 {
            let _ = write!(s, ":{}", o.line);
        }
        s.push(']');
    }
    s
}

/// One path, step by step with its evidence.
pub fn path_text(p: &Path) -> String {
    let mut s = String::new();
    let risk = p.risk.map(|r| r.as_str()).unwrap_or("no risk");
    let _ = writeln!(
        s,
        "{} → {}  [{risk}, {} step{}]",
        p.from,
        p.to,
        p.steps.len(),
        if p.steps.len() == 1 { "" } else { "s" }
    );
    for (i, st) in p.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}. {} → {}  ({})",
            i + 1,
            st.from,
            st.to,
            st.edge.name()
        );
        let _ = writeln!(s, "     {}", st.explanation);
        for e in &st.evidence {
            let _ = writeln!(s, "     - {}", evidence_line(e));
        }
    }
    s
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// Edges among `nodes`, merged per (from, to) with their kinds.
fn edges_among(esc: &Escalation, nodes: &BTreeSet<usize>) -> BTreeMap<(usize, usize), Vec<String>> {
    let mut out: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for &n in nodes {
        for e in esc.out_edges(n) {
            if nodes.contains(&e.to) {
                let kinds = out.entry((e.from, e.to)).or_default();
                let name = e.kind.name();
                if !kinds.contains(&name) {
                    kinds.push(name);
                }
            }
        }
    }
    out
}

/// A Graphviz digraph of `nodes` (indices into [`Escalation::nodes`]) and the edges among them.
pub fn dot(esc: &Escalation, nodes: &BTreeSet<usize>) -> String {
    let mut s = String::from(
        "digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for &n in nodes {
        let node = &esc.nodes[n];
        let style = match node {
            Node::ClusterAdmin | Node::Node => ", shape=doubleoctagon, color=red",
            Node::AnyServiceAccount { .. }
            | Node::RunningPods { .. }
            | Node::RoleHolder { .. }
            | Node::NamespaceAdmin { .. } => ", style=dashed",
            _ => "",
        };
        let _ = writeln!(
            s,
            "  n{n} [label=\"{}\"{style}];",
            dot_escape(&node.to_string())
        );
    }
    for ((a, b), kinds) in edges_among(esc, nodes) {
        let _ = writeln!(
            s,
            "  n{a} -> n{b} [label=\"{}\"];",
            dot_escape(&kinds.join(", "))
        );
    }
    s.push_str("}\n");
    s
}

/// A Mermaid flowchart of `nodes` and the edges among them.
pub fn mermaid(esc: &Escalation, nodes: &BTreeSet<usize>) -> String {
    let mut s = String::from("flowchart LR\n");
    for &n in nodes {
        let node = &esc.nodes[n];
        let label = mermaid_escape(&node.to_string());
        let _ = match node {
            Node::ClusterAdmin | Node::Node => writeln!(s, "  n{n}{{{{\"{label}\"}}}}"),
            Node::AnyServiceAccount { .. }
            | Node::RunningPods { .. }
            | Node::RoleHolder { .. }
            | Node::NamespaceAdmin { .. } => {
                writeln!(s, "  n{n}([\"{label}\"])")
            }
            _ => writeln!(s, "  n{n}[\"{label}\"]"),
        };
    }
    for ((a, b), kinds) in edges_among(esc, nodes) {
        let _ = writeln!(s, "  n{a} -->|{}| n{b}", mermaid_escape(&kinds.join(", ")));
    }
    s
}

/// The nodes on some of the paths (for drawing only what was printed).
pub fn path_nodes(esc: &Escalation, paths: &[&Path]) -> BTreeSet<usize> {
    let mut set = BTreeSet::new();
    for p in paths {
        set.extend(esc.node_index(&p.from));
        for st in &p.steps {
            set.extend(esc.node_index(&st.to));
        }
    }
    set
}
