//! Findings: permission rows per identity, matched against the rule catalog, with base
//! levels, potential abuse per identity, and the workloads that run as each account.
//!
//! Rows keep the public tool's granularity (identity × role × API group × resource ×
//! resource name, verbs merged) so outputs compare, and add the binding, the real scope and
//! User/Group subjects.

pub mod base;
pub mod ineffective;
pub mod matching;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::catalog::{Catalog, NameRestriction, RiskLevel};
use crate::diagnostics::{Code, Warning};
use crate::inventory::{Inventory, Origin, PolicyRule, RoleKind, SubjectKind};
use crate::rbac::{Authorizer, Grant, Scope};
use matching::{RowFacts, rule_fires};

/// A catalog rule matched by a row, at the level it has for that row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedRule {
    pub id: u32,
    pub name: String,
    pub level: RiskLevel,
    pub link: String,
}

/// One permission row.
#[derive(Clone, Debug, Serialize)]
pub struct PermissionRow {
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    /// ServiceAccount namespace; `None` for users and groups.
    pub subject_namespace: Option<String>,
    pub role_kind: RoleKind,
    pub role_name: String,
    pub role_namespace: Option<String>,
    pub role_builtin: bool,
    pub binding_kind: crate::inventory::BindingKind,
    pub binding_name: String,
    pub binding_namespace: Option<String>,
    /// Where the grant applies: `None` cluster-wide, else the namespace.
    pub scope: Option<String>,
    pub api_group: String,
    /// A resource (`pods/exec`) or, for non-resource rows, a URL path (`/metrics`).
    pub resource: String,
    pub resource_name: String,
    pub non_resource: bool,
    /// The role or binding is a Helm hook.
    pub hook: bool,
    /// A ServiceAccount subject written without a namespace (it got the binding's).
    pub subject_namespace_defaulted: bool,
    pub verbs: Vec<String>,
    /// Verbs in the row that Kubernetes never honours here (see `ineffective`).
    pub ineffective_verbs: Vec<String>,
    pub risk_level: RiskLevel,
    /// Shared between the rows of every subject bound the same way (no copy per subject).
    pub tags: std::sync::Arc<[String]>,
    /// Catalog rules, highest first, then the base rule.
    pub matched: std::sync::Arc<[MatchedRule]>,
    pub role_origin: Origin,
    pub binding_origin: Origin,
}

/// A workload container running as an identity.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadRow {
    pub service_account: String,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub container: String,
    pub image: String,
    pub init: bool,
    pub privileged: bool,
    pub host_pid: bool,
    pub host_network: bool,
    pub host_ipc: bool,
    pub host_paths: Vec<String>,
    /// Whether the pod gets an API token mounted (pod setting, else the account's).
    pub automount: bool,
    pub origin: Origin,
}

/// An identity with its summary.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub kind: SubjectKind,
    pub name: String,
    pub namespace: Option<String>,
    /// ServiceAccounts: declared in the input (false: only referenced).
    pub declared: bool,
    pub automount: bool,
    pub secrets: Vec<String>,
    pub image_pull_secrets: Vec<String>,
    /// Legacy token Secrets for this account in the input (names only).
    pub token_secrets: Vec<String>,
    /// Highest level of its rows; `None` when it holds no permission.
    pub risk_level: Option<RiskLevel>,
    /// Distinct catalog rules its rows match, highest first.
    pub potential_abuse: Vec<MatchedRule>,
    pub permissions: usize,
    pub workloads: usize,
}

/// Everything the analysis found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Findings {
    pub identities: Vec<Identity>,
    pub permissions: Vec<PermissionRow>,
    pub workloads: Vec<WorkloadRow>,
    pub warnings: Vec<Warning>,
}

/// Rows of one role at one scope, shared by every subject bound the same way.
struct RoleRows {
    rows: Vec<PermissionRow>,
}

/// Role kind, namespace and name; grant scope; binding.
type RoleRowsKey<'a> = (
    RoleKind,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    crate::inventory::BindingKind,
    &'a str,
);

type RowKey = (String, String, String, bool);

fn collect_rows(rules: &[PolicyRule], cluster_wide: bool) -> BTreeMap<RowKey, BTreeSet<String>> {
    let mut out: BTreeMap<RowKey, BTreeSet<String>> = BTreeMap::new();
    for rule in rules {
        for url in &rule.non_resource_urls {
            // Non-resource requests are cluster-scoped: a RoleBinding grants none of them.
            if cluster_wide {
                out.entry((String::new(), url.clone(), String::new(), true))
                    .or_default()
                    .extend(rule.verbs.iter().cloned());
            }
        }
        let names: Vec<&str> = if rule.resource_names.is_empty() {
            vec![""]
        } else {
            rule.resource_names.iter().map(String::as_str).collect()
        };
        for g in &rule.api_groups {
            for r in &rule.resources {
                for n in &names {
                    out.entry((g.clone(), r.clone(), n.to_string(), false))
                        .or_default()
                        .extend(rule.verbs.iter().cloned());
                }
            }
        }
    }
    out
}

/// Catalog rules by the resources they name, so a row is checked only against rules that
/// can concern it (a row with a wildcard resource is checked against every rule).
struct RuleIndex<'a> {
    all: Vec<&'a crate::catalog::Rule>,
    by_resource: HashMap<&'a str, Vec<&'a crate::catalog::Rule>>,
}

impl<'a> RuleIndex<'a> {
    fn new(catalog: &'a Catalog) -> Self {
        let all: Vec<_> = catalog.matchable().collect();
        let mut by_resource: HashMap<&str, Vec<_>> = HashMap::new();
        for rule in &all {
            for r in &rule.resources {
                let list = by_resource.entry(r.as_str()).or_default();
                if !list.iter().any(|x: &&crate::catalog::Rule| x.id == rule.id) {
                    list.push(rule);
                }
            }
        }
        RuleIndex { all, by_resource }
    }

    /// Rules that a row granting `resource` may fire, in catalog order.
    fn candidates(&self, resource: &str) -> &[&'a crate::catalog::Rule] {
        if resource.contains('*') {
            &self.all
        } else {
            self.by_resource
                .get(resource)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        }
    }
}

fn role_rows(
    grant: &Grant,
    rules: &RuleIndex<'_>,
    catalog: &Catalog,
    warnings: &mut Vec<Warning>,
) -> RoleRows {
    let cluster_wide = matches!(grant.scope, Scope::Cluster);
    let scope_ns = match &grant.scope {
        Scope::Cluster => None,
        Scope::Namespace(ns) => Some(ns.clone()),
    };
    let role_label = crate::inventory::object_label(
        grant.role_kind.as_str(),
        grant.role_namespace.as_deref(),
        &grant.role_name,
    );
    let mut warn = |msg: String| {
        let mut w = Warning::new(Code::IneffectiveRule, &grant.role_origin.file, msg);
        w.document = Some(grant.role_origin.document);
        w.line = grant.role_origin.line;
        w.object = Some(role_label.clone());
        warnings.push(w);
    };
    let mut rows = Vec::new();
    for ((group, resource, name, non_resource), verbs) in collect_rows(&grant.rules, cluster_wide) {
        let mut effective = verbs.clone();
        let mut ineffective_verbs = Vec::new();
        let restricted = !name.is_empty() && name != "*";
        if !non_resource {
            if let Some(right) = ineffective::wrong_group(&group, &resource) {
                let show = |g: &str| {
                    if g.is_empty() {
                        "\"\" (core)".to_string()
                    } else {
                        format!("`{g}`")
                    }
                };
                warn(format!(
                    "`{resource}` is served by API group {}, not {}: this grant is never honoured",
                    show(right),
                    show(&group)
                ));
                ineffective_verbs = verbs.iter().cloned().collect();
                effective.clear();
            } else if let (Some(ns), Some(true)) = (
                &scope_ns,
                crate::rbac::is_cluster_scoped(&group, resource.split('/').next().unwrap_or("")),
            ) {
                warn(format!(
                    "`{resource}` is cluster-scoped: granting it through RoleBinding {}/{} in namespace {ns} grants nothing",
                    grant.binding_namespace.as_deref().unwrap_or(""),
                    grant.binding_name
                ));
                ineffective_verbs = verbs.iter().cloned().collect();
                effective.clear();
            } else if restricted {
                for v in &verbs {
                    if ineffective::useless_with_names(&resource, v) {
                        ineffective_verbs.push(v.clone());
                        effective.remove(v);
                    }
                }
                if !ineffective_verbs.is_empty() {
                    warn(format!(
                        "`{}` on `{resource}` restricted to name `{name}` grants nothing: such requests carry no object name",
                        ineffective_verbs.join(", ")
                    ));
                }
            }
        }
        let facts = RowFacts {
            api_group: &group,
            resource: &resource,
            verbs: &effective,
            namespace: scope_ns.as_deref(),
        };
        let mut matched = Vec::new();
        let mut tags = BTreeSet::new();
        if !non_resource && !effective.is_empty() {
            for rule in rules.candidates(&resource) {
                if rule_fires(rule, &facts) {
                    let level =
                        if restricted && rule.name_restriction == NameRestriction::LowersRisk {
                            RiskLevel::Low
                        } else {
                            rule.risk_level
                        };
                    tags.extend(rule.tags.iter().cloned());
                    matched.push(MatchedRule {
                        id: rule.id,
                        name: rule.name.clone(),
                        level,
                        link: rule.link(),
                    });
                }
            }
        }
        matched.sort_by(|a, b| b.level.cmp(&a.level).then(a.id.cmp(&b.id)));
        let verbs_vec: Vec<String> = verbs.into_iter().collect();
        let effective_vec: Vec<String> = effective.iter().cloned().collect();
        let (base_id, mut base_level) =
            base::base_rule(cluster_wide, &group, &resource, &effective_vec);
        if restricted || effective.is_empty() {
            base_level = RiskLevel::Low;
        }
        if restricted {
            tags.insert("ResourceNameRestricted".to_string());
        }
        if let Some(base) = catalog.get(base_id) {
            tags.extend(base.tags.iter().cloned());
            matched.push(MatchedRule {
                id: base_id,
                name: base.name.clone(),
                level: base_level,
                link: base.link(),
            });
        }
        let risk_level = matched.iter().map(|m| m.level).max().unwrap_or(base_level);
        rows.push(PermissionRow {
            subject_kind: SubjectKind::ServiceAccount,
            subject_name: String::new(),
            subject_namespace: None,
            role_kind: grant.role_kind,
            role_name: grant.role_name.clone(),
            role_namespace: grant.role_namespace.clone(),
            role_builtin: grant.role_builtin,
            binding_kind: grant.binding_kind,
            binding_name: grant.binding_name.clone(),
            binding_namespace: grant.binding_namespace.clone(),
            scope: scope_ns.clone(),
            api_group: group,
            resource,
            resource_name: name,
            non_resource,
            hook: grant.role_origin.hook || grant.binding_origin.hook,
            subject_namespace_defaulted: false,
            verbs: verbs_vec,
            ineffective_verbs,
            risk_level,
            tags: tags.into_iter().collect(),
            matched: matched.into(),
            role_origin: grant.role_origin.clone(),
            binding_origin: grant.binding_origin.clone(),
        });
    }
    RoleRows { rows }
}

/// Analyse an inventory with a built authorizer.
pub fn analyze(inv: &Inventory, authz: &Authorizer, catalog: &Catalog) -> Findings {
    let rules = RuleIndex::new(catalog);
    let mut warnings = Vec::new();
    // Rows depend on the role, its scope and the binding, not on the subject: compute once.
    let mut cache: HashMap<RoleRowsKey, RoleRows> = HashMap::new();
    let mut permissions = Vec::new();
    let defaulted: HashMap<(crate::inventory::BindingKind, Option<&str>, &str), &[String]> = inv
        .bindings
        .iter()
        .filter(|b| !b.defaulted_subjects.is_empty())
        .map(|b| {
            (
                (b.kind, b.namespace.as_deref(), b.name.as_str()),
                b.defaulted_subjects.as_slice(),
            )
        })
        .collect();
    for grant in authz.grants() {
        // Borrowed key: no allocation per grant.
        let key = (
            grant.role_kind,
            grant.role_namespace.as_deref(),
            grant.role_name.as_str(),
            grant.scope.namespace(),
            grant.binding_kind,
            grant.binding_name.as_str(),
        );
        let rr = cache
            .entry(key)
            .or_insert_with(|| role_rows(grant, &rules, catalog, &mut warnings));
        for row in &rr.rows {
            let mut row = row.clone();
            row.subject_kind = grant.subject.kind;
            row.subject_name = grant.subject.name.clone();
            row.subject_namespace = grant.subject.namespace.clone();
            row.subject_namespace_defaulted = grant.subject.kind == SubjectKind::ServiceAccount
                && defaulted
                    .get(&(
                        grant.binding_kind,
                        grant.binding_namespace.as_deref(),
                        grant.binding_name.as_str(),
                    ))
                    .is_some_and(|names| names.contains(&grant.subject.name));
            permissions.push(row);
        }
    }
    for u in authz.unresolved() {
        warnings.push(unresolved_warning(u));
    }
    warnings.sort();
    warnings.dedup();
    permissions.sort_by(|a, b| row_sort_key(a).cmp(&row_sort_key(b)));
    permissions.dedup_by(|a, b| row_sort_key(a) == row_sort_key(b));

    let workloads = workload_rows(inv);
    let identities = identities(inv, &permissions, &workloads);
    Findings {
        identities,
        permissions,
        workloads,
        warnings,
    }
}

fn unresolved_warning(u: &crate::rbac::UnresolvedRef) -> Warning {
    let mut w = Warning::new(
        Code::UnknownRole,
        &u.binding_origin.file,
        format!(
            "{} {} is neither in the input nor a built-in role ({}); its {} subject(s) get nothing from it here",
            u.role_ref.kind.as_str(),
            u.role_ref.name,
            u.reason,
            u.subjects.len()
        ),
    );
    w.document = Some(u.binding_origin.document);
    w.line = u.binding_origin.line;
    w.object = Some(crate::inventory::object_label(
        u.binding_kind.as_str(),
        u.binding_namespace.as_deref(),
        &u.binding_name,
    ));
    w.field = Some("roleRef".into());
    w
}

fn row_sort_key(r: &PermissionRow) -> impl Ord + '_ {
    (
        (
            r.subject_kind,
            r.subject_namespace.as_deref(),
            r.subject_name.as_str(),
        ),
        (
            r.role_kind,
            r.role_namespace.as_deref(),
            r.role_name.as_str(),
        ),
        (
            r.binding_kind,
            r.binding_namespace.as_deref(),
            r.binding_name.as_str(),
        ),
        (
            r.non_resource,
            r.api_group.as_str(),
            r.resource.as_str(),
            r.resource_name.as_str(),
        ),
    )
}

fn workload_rows(inv: &Inventory) -> Vec<WorkloadRow> {
    let sa_automount: HashMap<(&str, &str), bool> = inv
        .service_accounts
        .iter()
        .map(|s| ((s.namespace.as_str(), s.name.as_str()), s.automount))
        .collect();
    let mut rows = Vec::new();
    for w in &inv.workloads {
        let automount = w.automount.unwrap_or_else(|| {
            *sa_automount
                .get(&(w.namespace.as_str(), w.service_account.as_str()))
                .unwrap_or(&true)
        });
        for c in &w.containers {
            rows.push(WorkloadRow {
                service_account: w.service_account.clone(),
                namespace: w.namespace.clone(),
                kind: w.kind.clone(),
                name: w.name.clone(),
                container: c.name.clone(),
                image: c.image.clone(),
                init: c.init,
                privileged: c.privileged,
                host_pid: w.host_pid,
                host_network: w.host_network,
                host_ipc: w.host_ipc,
                host_paths: w.host_paths.clone(),
                automount,
                origin: w.origin.clone(),
            });
        }
    }
    rows.sort_by(|a, b| {
        (
            &a.namespace,
            &a.service_account,
            &a.kind,
            &a.name,
            !a.init,
            &a.container,
        )
            .cmp(&(
                &b.namespace,
                &b.service_account,
                &b.kind,
                &b.name,
                !b.init,
                &b.container,
            ))
    });
    rows
}

fn identities(
    inv: &Inventory,
    perms: &[PermissionRow],
    workloads: &[WorkloadRow],
) -> Vec<Identity> {
    type Key = (SubjectKind, Option<String>, String);
    let mut out: BTreeMap<Key, Identity> = BTreeMap::new();
    let blank = |kind, name: &str, ns: Option<String>| Identity {
        kind,
        name: name.to_string(),
        namespace: ns,
        declared: kind != SubjectKind::ServiceAccount,
        automount: true,
        secrets: Vec::new(),
        image_pull_secrets: Vec::new(),
        token_secrets: Vec::new(),
        risk_level: None,
        potential_abuse: Vec::new(),
        permissions: 0,
        workloads: 0,
    };
    for sa in &inv.service_accounts {
        let mut id = blank(
            SubjectKind::ServiceAccount,
            &sa.name,
            Some(sa.namespace.clone()),
        );
        id.declared = sa.declared;
        id.automount = sa.automount;
        id.secrets = sa.secrets.clone();
        id.image_pull_secrets = sa.image_pull_secrets.clone();
        out.insert(
            (
                SubjectKind::ServiceAccount,
                Some(sa.namespace.clone()),
                sa.name.clone(),
            ),
            id,
        );
    }
    for t in &inv.token_secrets {
        out.entry((
            SubjectKind::ServiceAccount,
            Some(t.namespace.clone()),
            t.service_account.clone(),
        ))
        .or_insert_with(|| {
            blank(
                SubjectKind::ServiceAccount,
                &t.service_account,
                Some(t.namespace.clone()),
            )
        })
        .token_secrets
        .push(t.name.clone());
    }
    let mut abuse: BTreeMap<Key, BTreeMap<u32, MatchedRule>> = BTreeMap::new();
    for p in perms {
        let key = (
            p.subject_kind,
            p.subject_namespace.clone(),
            p.subject_name.clone(),
        );
        let id = out
            .entry(key.clone())
            .or_insert_with(|| blank(p.subject_kind, &p.subject_name, p.subject_namespace.clone()));
        id.permissions += 1;
        id.risk_level = id.risk_level.max(Some(p.risk_level));
        let seen = abuse.entry(key).or_default();
        for m in p
            .matched
            .iter()
            .filter(|m| !crate::catalog::BASE_RULE_IDS.contains(&m.id))
        {
            let e = seen.entry(m.id).or_insert_with(|| m.clone());
            e.level = e.level.max(m.level);
        }
    }
    for w in workloads {
        if let Some(id) = out.get_mut(&(
            SubjectKind::ServiceAccount,
            Some(w.namespace.clone()),
            w.service_account.clone(),
        )) {
            id.workloads += 1;
        }
    }
    for (key, rules) in abuse {
        if let Some(id) = out.get_mut(&key) {
            let mut list: Vec<MatchedRule> = rules.into_values().collect();
            list.sort_by(|a, b| b.level.cmp(&a.level).then(a.id.cmp(&b.id)));
            id.potential_abuse = list;
        }
    }
    out.into_values().collect()
}
