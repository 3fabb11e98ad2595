//! Does a granted permission row enable a catalog rule's abuse?
//!
//! A row *covers* a rule when the API server would honour it for at least one request the
//! rule describes: a wildcard in the grant covers everything, while a wildcard in the rule
//! (e.g. 1060 `*`/`*`/`*`) asks for the wildcard itself.

use std::collections::BTreeSet;

use crate::catalog::Rule;
use crate::inventory::RoleKind;
use crate::rbac::is_cluster_scoped;

/// The facts of one permission row that matching needs.
pub struct RowFacts<'a> {
    pub api_group: &'a str,
    pub resource: &'a str,
    /// Verbs that Kubernetes honours for this row (ineffective ones removed).
    pub verbs: &'a BTreeSet<String>,
    /// `None` for a cluster-wide grant, the namespace for a RoleBinding.
    pub namespace: Option<&'a str>,
}

fn group_covers(granted: &str, wanted: &str) -> bool {
    granted == "*" || granted == wanted
}

/// Kubernetes resource matching, from the grant's side: `*` covers any resource and
/// subresource, `*/scale` covers every `x/scale`.
pub fn resource_covers(granted: &str, wanted: &str) -> bool {
    if granted == "*" || granted == wanted {
        return true;
    }
    match (granted.strip_prefix("*/"), wanted.split_once('/')) {
        (Some(sub), Some((_, wanted_sub))) => sub == wanted_sub,
        _ => false,
    }
}

fn verbs_cover(granted: &BTreeSet<String>, rule: &Rule) -> bool {
    if granted.contains("*") {
        return true;
    }
    // Hot path (rows × rules): no allocation.
    let holds = |v: &String| v != "*" && granted.contains(v);
    match &rule.match_verbs {
        Some(sets) => sets.iter().any(|set| set.iter().all(holds)),
        None => rule.verbs.iter().any(holds),
    }
}

/// True when the row enables the rule's abuse.
pub fn rule_fires(rule: &Rule, row: &RowFacts<'_>) -> bool {
    if rule.role_type == RoleKind::ClusterRole && row.namespace.is_some() {
        return false;
    }
    if let (Some(ns), Some(only)) = (row.namespace, &rule.namespaces)
        && !only.iter().any(|n| n == ns)
    {
        return false;
    }
    if !verbs_cover(row.verbs, rule) {
        return false;
    }
    rule.api_groups
        .iter()
        .filter(|g| group_covers(row.api_group, g))
        .any(|group| {
            rule.resources.iter().any(|res| {
                resource_covers(row.resource, res)
                // A RoleBinding never grants a cluster-scoped resource.
                && !(row.namespace.is_some()
                    && is_cluster_scoped(group, res.split('/').next().unwrap_or(res)) == Some(true))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_coverage() {
        assert!(resource_covers("*", "pods/exec"));
        assert!(resource_covers("*/exec", "pods/exec"));
        assert!(!resource_covers("*/exec", "pods"));
        assert!(!resource_covers("pods", "pods/exec"));
        assert!(!resource_covers("pods", "*"));
        assert!(resource_covers("*", "*"));
    }
}
