//! Aggregated ClusterRoles, computed as the aggregation controller leaves them.
//!
//! For a ClusterRole `C` with an `aggregationRule`, the controller
//! (`clusterroleaggregation_controller.go`, `syncClusterRole`) walks the selectors in order,
//! and for each one the ClusterRoles it selects sorted by name (never `C` itself, never
//! namespaced Roles), appending each rule not already present. The result **replaces**
//! `C`'s own rules. Because every aggregating role is re-synced whenever any ClusterRole
//! changes, aggregation is transitive: it converges to a fixpoint (admin ⊇ edit ⊇ view).
//!
//! [`aggregate`] computes that fixpoint, starting every aggregating role from no rules (the
//! least fixpoint), which also makes cycles (A selects B, B selects A) terminate with a
//! well-defined result. Cycles are reported, since a real cluster may settle elsewhere.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::inventory::{LabelSelector, PolicyRule, Role};

/// Does `selector` select an object with `labels`? `matchLabels` and `matchExpressions` are
/// ANDed; an empty selector selects everything (`metav1.LabelSelectorAsSelector`).
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    selector
        .match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && selector.match_expressions.iter().all(|e| {
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| e.values.contains(v)),
                "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                // The API server rejects other operators; an invalid selector selects nothing.
                _ => false,
            }
        })
}

/// The outcome of [`aggregate`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aggregation {
    /// For each input role: `Some(rules)` for an aggregating ClusterRole (its computed rules),
    /// `None` for any other role (its own rules stand).
    pub rules: Vec<Option<Vec<PolicyRule>>>,
    /// Each group of aggregating ClusterRoles that select one another (directly or through
    /// others), by name, sorted. Their result in a live cluster may depend on sync order.
    pub cycles: Vec<Vec<String>>,
    /// False if the fixpoint iteration hit its safety limit (never expected).
    pub converged: bool,
}

/// Computes the effective rules of every aggregating ClusterRole in `roles`.
///
/// `roles` should hold ClusterRoles with distinct names; namespaced Roles in it are never
/// selected and never aggregate.
pub fn aggregate(roles: &[&Role]) -> Aggregation {
    let is_cluster = |r: &Role| r.kind == crate::inventory::RoleKind::ClusterRole;
    let mut by_name: Vec<usize> = (0..roles.len()).filter(|&i| is_cluster(roles[i])).collect();
    by_name.sort_by(|&a, &b| roles[a].name.cmp(&roles[b].name));

    // Index of `(label key, value)` -> cluster roles with that label, sorted by name, to
    // avoid scanning every role for every `matchLabels` selector.
    let mut label_index: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for &i in &by_name {
        for (k, v) in &roles[i].labels {
            label_index
                .entry((k.as_str(), v.as_str()))
                .or_default()
                .push(i);
        }
    }

    let aggregators: Vec<usize> = by_name
        .iter()
        .copied()
        .filter(|&i| roles[i].aggregation.is_some())
        .collect();
    // The roles each aggregator reads, in the controller's order (selector, then name).
    let sources: HashMap<usize, Vec<usize>> = aggregators
        .iter()
        .map(|&c| {
            let mut list = Vec::new();
            for sel in roles[c].aggregation.as_deref().unwrap_or_default() {
                let candidates: &[usize] = match sel.match_labels.iter().next() {
                    Some((k, v)) => label_index
                        .get(&(k.as_str(), v.as_str()))
                        .map_or(&[], Vec::as_slice),
                    None => &by_name,
                };
                list.extend(candidates.iter().copied().filter(|&r| {
                    roles[r].name != roles[c].name && selector_matches(sel, &roles[r].labels)
                }));
            }
            (c, list)
        })
        .collect();

    // Strongly connected components in dependency order (sources before their readers), so
    // an acyclic aggregation settles in one round (plus one to confirm).
    let components = components(&aggregators, &sources);
    let order: Vec<usize> = components.iter().flatten().copied().collect();
    let mut cycles: Vec<Vec<String>> = components
        .iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<String> = c.iter().map(|&r| roles[r].name.clone()).collect();
            names.sort();
            names
        })
        .collect();
    cycles.sort();

    let mut current: Vec<Option<Vec<PolicyRule>>> = vec![None; roles.len()];
    for &c in &aggregators {
        current[c] = Some(Vec::new());
    }
    // Each round can only add rules; the rule set is finite, so this terminates. The limit
    // guards against an ordering that never settles (not expected; reported if hit).
    let max_rounds = 2 * aggregators.len() + 4;
    let mut converged = false;
    for _ in 0..max_rounds {
        let mut changed = false;
        for &c in &order {
            let mut seen: HashSet<&PolicyRule> = HashSet::new();
            let mut next: Vec<PolicyRule> = Vec::new();
            for &s in &sources[&c] {
                let rules = current[s].as_deref().unwrap_or(&roles[s].rules);
                for rule in rules {
                    if seen.insert(rule) {
                        next.push(rule.clone());
                    }
                }
            }
            drop(seen);
            if current[c].as_ref() != Some(&next) {
                current[c] = Some(next);
                changed = true;
            }
        }
        if !changed {
            converged = true;
            break;
        }
    }

    Aggregation {
        rules: current,
        cycles,
        converged,
    }
}

/// Strongly connected components of the "aggregator reads aggregator" graph (Tarjan,
/// iterative), each a list of role indices, emitted sources first.
fn components(aggregators: &[usize], sources: &HashMap<usize, Vec<usize>>) -> Vec<Vec<usize>> {
    let pos: HashMap<usize, usize> = aggregators
        .iter()
        .enumerate()
        .map(|(p, &r)| (r, p))
        .collect();
    let edges: Vec<Vec<usize>> = aggregators
        .iter()
        .map(|c| {
            let mut e: Vec<usize> = sources[c]
                .iter()
                .filter_map(|s| pos.get(s).copied())
                .collect();
            e.sort_unstable();
            e.dedup();
            e
        })
        .collect();
    let n = aggregators.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = work.last_mut() {
            let (v, ei) = (top.0, top.1);
            if ei < edges[v].len() {
                top.1 += 1;
                let w = edges[v][ei];
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(aggregators[w]);
                        if w == v {
                            break;
                        }
                    }
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{LabelRequirement, Origin, RoleKind};

    fn cr(
        name: &str,
        labels: &[(&str, &str)],
        rules: &[&str],
        agg: Option<Vec<LabelSelector>>,
    ) -> Role {
        Role {
            kind: RoleKind::ClusterRole,
            namespace: None,
            name: name.into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            rules: rules
                .iter()
                .map(|r| PolicyRule {
                    verbs: vec!["get".into()],
                    api_groups: vec!["".into()],
                    resources: vec![r.to_string()],
                    ..Default::default()
                })
                .collect(),
            aggregation: agg,
            origin: Origin::default(),
        }
    }

    fn sel(labels: &[(&str, &str)]) -> LabelSelector {
        LabelSelector {
            match_labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: vec![],
        }
    }

    fn resources(rules: &Option<Vec<PolicyRule>>) -> Vec<String> {
        rules
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.resources[0].clone())
            .collect()
    }

    #[test]
    fn transitive_chain_in_controller_order() {
        let roles = [
            cr(
                "admin",
                &[],
                &["stale"],
                Some(vec![sel(&[("to-admin", "true")])]),
            ),
            cr(
                "edit",
                &[("to-admin", "true")],
                &[],
                Some(vec![sel(&[("to-edit", "true")])]),
            ),
            cr(
                "view",
                &[("to-edit", "true")],
                &[],
                Some(vec![sel(&[("to-view", "true")])]),
            ),
            cr(
                "b-extra",
                &[("to-view", "true")],
                &["pods", "secrets"],
                None,
            ),
            cr(
                "a-extra",
                &[("to-view", "true")],
                &["services", "pods"],
                None,
            ),
            cr("edit-extra", &[("to-edit", "true")], &["deployments"], None),
        ];
        let refs: Vec<&Role> = roles.iter().collect();
        let out = aggregate(&refs);
        assert!(out.converged);
        assert!(out.cycles.is_empty());
        assert_eq!(resources(&out.rules[2]), ["services", "pods", "secrets"]);
        assert_eq!(
            resources(&out.rules[1]),
            ["deployments", "services", "pods", "secrets"]
        );
        // Hand-written rules of an aggregating role are replaced.
        assert_eq!(
            resources(&out.rules[0]),
            ["deployments", "services", "pods", "secrets"]
        );
        assert_eq!(out.rules[3], None);
    }

    #[test]
    fn cycles_terminate_and_are_reported() {
        let roles = [
            cr(
                "a",
                &[("x", "a")],
                &["ignored"],
                Some(vec![sel(&[("x", "b")])]),
            ),
            cr(
                "b",
                &[("x", "b")],
                &[],
                Some(vec![sel(&[("x", "a")]), sel(&[("y", "1")])]),
            ),
            cr("leaf", &[("y", "1")], &["pods"], None),
            cr(
                "self",
                &[("s", "1")],
                &["own"],
                Some(vec![sel(&[("s", "1")])]),
            ),
        ];
        let refs: Vec<&Role> = roles.iter().collect();
        let out = aggregate(&refs);
        assert!(out.converged);
        assert_eq!(out.cycles, vec![vec!["a".to_string(), "b".to_string()]]);
        assert_eq!(resources(&out.rules[0]), ["pods"]);
        assert_eq!(resources(&out.rules[1]), ["pods"]);
        // A role never aggregates itself: it ends with no rules.
        assert_eq!(resources(&out.rules[3]), Vec::<String>::new());
    }

    #[test]
    fn empty_selector_selects_all_but_itself() {
        let roles = [
            cr("all", &[], &[], Some(vec![LabelSelector::default()])),
            cr("one", &[], &["pods"], None),
            cr("two", &[("k", "")], &["pods", "nodes"], None),
        ];
        let refs: Vec<&Role> = roles.iter().collect();
        assert_eq!(resources(&aggregate(&refs).rules[0]), ["pods", "nodes"]);
    }

    #[test]
    fn no_selectors_means_no_rules() {
        let roles = [
            cr("none", &[], &["pods"], Some(vec![])),
            cr("one", &[("a", "b")], &["pods"], None),
        ];
        let refs: Vec<&Role> = roles.iter().collect();
        assert_eq!(aggregate(&refs).rules[0], Some(vec![]));
    }

    #[test]
    fn namespaced_roles_are_never_selected() {
        let mut ns_role = cr("ns", &[("a", "1")], &["pods"], None);
        ns_role.kind = RoleKind::Role;
        ns_role.namespace = Some("x".into());
        let roles = [cr("agg", &[], &[], Some(vec![sel(&[("a", "1")])])), ns_role];
        let refs: Vec<&Role> = roles.iter().collect();
        assert_eq!(aggregate(&refs).rules[0], Some(vec![]));
    }

    #[test]
    fn selector_semantics() {
        let labels: BTreeMap<String, String> = [("a", "1"), ("e", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let expr = |key: &str, op: &str, values: &[&str]| LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![LabelRequirement {
                key: key.into(),
                operator: op.into(),
                values: values.iter().map(|v| v.to_string()).collect(),
            }],
        };
        assert!(selector_matches(&LabelSelector::default(), &labels));
        assert!(selector_matches(&sel(&[("a", "1")]), &labels));
        assert!(!selector_matches(&sel(&[("a", "1"), ("b", "2")]), &labels));
        assert!(selector_matches(&expr("a", "In", &["0", "1"]), &labels));
        assert!(!selector_matches(&expr("a", "In", &["0"]), &labels));
        assert!(!selector_matches(&expr("z", "In", &["0"]), &labels));
        assert!(selector_matches(&expr("z", "NotIn", &["0"]), &labels));
        assert!(!selector_matches(&expr("a", "NotIn", &["1"]), &labels));
        assert!(selector_matches(&expr("e", "Exists", &[]), &labels));
        assert!(!selector_matches(&expr("e", "DoesNotExist", &[]), &labels));
        assert!(selector_matches(&expr("z", "DoesNotExist", &[]), &labels));
        assert!(!selector_matches(&expr("a", "in", &["1"]), &labels));
    }
}
