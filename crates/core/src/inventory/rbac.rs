//! Lenient, exact extraction of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
//! from one parsed manifest.
//!
//! "Lenient" means: absent or `null` lists and maps are empty, absent or `null` strings are
//! unset, unknown fields are ignored. "Exact" means: what the API server would decode
//! differently is never guessed; a value of the wrong type is a [`FieldError`] that names the
//! field (`subjects[1].name: expected a string, found a number`), because the API server
//! would reject the whole object.
//!
//! Kubernetes meanings kept here:
//! - `resourceNames: []` (or absent) means any name; it stays an empty list.
//! - A ServiceAccount subject without a namespace in a RoleBinding refers to the binding's
//!   namespace, so it gets that namespace here. In a ClusterRoleBinding it keeps `None` and
//!   matches nobody (the authorizer decides that, not this module).
//! - ClusterRoles and ClusterRoleBindings ignore `metadata.namespace`.
//! - `roleRef.kind` decides which kind of role is looked up; any other kind than `Role` or
//!   `ClusterRole` is an error (upstream skips such a binding with an error).
//! - A subject whose `kind` is not exactly `ServiceAccount`, `User` or `Group` (kinds are
//!   case-sensitive) matches nobody: it is left out of `subjects` and recorded in
//!   [`Binding::warnings`], so the binding's other subjects still count.
//!
//! This module never reads YAML text: it works on a `serde_json::Value`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    Binding, BindingKind, FieldError, LabelRequirement, LabelSelector, Origin, PolicyRule, Role,
    RoleKind, RoleRef, Subject, SubjectKind,
};

/// Extracts a `Role` or `ClusterRole` (decided by `kind`). A Role without
/// `metadata.namespace` is put in `default_namespace`.
pub fn extract_role(
    doc: &Value,
    origin: Origin,
    default_namespace: &str,
) -> Result<Role, FieldError> {
    let obj = as_object(doc, "")?;
    let kind = match opt_str(obj.get("kind"), "kind")?.as_deref() {
        Some("Role") => RoleKind::Role,
        Some("ClusterRole") => RoleKind::ClusterRole,
        other => return Err(wrong_kind(other, "Role or ClusterRole")),
    };
    let meta = Metadata::read(obj, kind == RoleKind::Role, default_namespace)?;
    let rules = match list(obj.get("rules"), "rules")? {
        None => Vec::new(),
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, r)| policy_rule(r, &format!("rules[{i}]")))
            .collect::<Result<_, _>>()?,
    };
    let aggregation = match (kind, obj.get("aggregationRule")) {
        (RoleKind::ClusterRole, Some(v)) if !v.is_null() => {
            Some(aggregation_rule(v, "aggregationRule")?)
        }
        _ => None,
    };
    Ok(Role {
        kind,
        namespace: meta.namespace,
        name: meta.name,
        labels: meta.labels,
        rules,
        aggregation,
        origin,
    })
}

/// Extracts a `RoleBinding` or `ClusterRoleBinding` (decided by `kind`). A RoleBinding
/// without `metadata.namespace` is put in `default_namespace`.
pub fn extract_binding(
    doc: &Value,
    origin: Origin,
    default_namespace: &str,
) -> Result<Binding, FieldError> {
    let obj = as_object(doc, "")?;
    let kind = match opt_str(obj.get("kind"), "kind")?.as_deref() {
        Some("RoleBinding") => BindingKind::RoleBinding,
        Some("ClusterRoleBinding") => BindingKind::ClusterRoleBinding,
        other => return Err(wrong_kind(other, "RoleBinding or ClusterRoleBinding")),
    };
    let meta = Metadata::read(obj, kind == BindingKind::RoleBinding, default_namespace)?;

    let role_ref = match obj.get("roleRef") {
        None | Some(Value::Null) => {
            return Err(FieldError::new(
                "roleRef",
                "missing; a binding must name its role",
            ));
        }
        Some(v) => {
            let r = as_object(v, "roleRef")?;
            let kind = match opt_str(r.get("kind"), "roleRef.kind")?.as_deref() {
                Some("Role") => RoleKind::Role,
                Some("ClusterRole") => RoleKind::ClusterRole,
                None | Some("") => {
                    return Err(FieldError::new(
                        "roleRef.kind",
                        "missing; expected Role or ClusterRole",
                    ));
                }
                Some(other) => {
                    return Err(FieldError::new(
                        "roleRef.kind",
                        format!(
                            "unsupported kind {other:?}; expected Role or ClusterRole (case-sensitive)"
                        ),
                    ));
                }
            };
            let name = required_str(r.get("name"), "roleRef.name")?;
            RoleRef { kind, name }
        }
    };

    let mut subjects = Vec::new();
    let mut warnings = Vec::new();
    let mut defaulted_subjects = Vec::new();
    if let Some(items) = list(obj.get("subjects"), "subjects")? {
        for (i, item) in items.iter().enumerate() {
            let path = format!("subjects[{i}]");
            let s = as_object(item, &path)?;
            let raw_kind = opt_str(s.get("kind"), &format!("{path}.kind"))?;
            let name = required_str(s.get("name"), &format!("{path}.name"))?;
            let namespace = opt_str(s.get("namespace"), &format!("{path}.namespace"))?
                .filter(|n| !n.is_empty());
            let kind = match raw_kind.as_deref() {
                Some("ServiceAccount") => SubjectKind::ServiceAccount,
                Some("User") => SubjectKind::User,
                Some("Group") => SubjectKind::Group,
                other => {
                    warnings.push(FieldError::new(
                        format!("{path}.kind"),
                        format!(
                            "unsupported subject kind {}; expected ServiceAccount, User or Group \
                             (case-sensitive), so this subject matches nobody",
                            other.map_or_else(|| "(missing)".to_string(), |k| format!("{k:?}"))
                        ),
                    ));
                    continue;
                }
            };
            if kind == SubjectKind::ServiceAccount
                && namespace.is_none()
                && meta.namespace.is_some()
            {
                defaulted_subjects.push(name.clone());
            }
            let namespace = match kind {
                SubjectKind::ServiceAccount => namespace.or_else(|| meta.namespace.clone()),
                // Kubernetes ignores the namespace of User and Group subjects.
                SubjectKind::User | SubjectKind::Group => None,
            };
            subjects.push(Subject {
                kind,
                name,
                namespace,
            });
        }
    }
    Ok(Binding {
        kind,
        namespace: meta.namespace,
        name: meta.name,
        role_ref,
        subjects,
        origin,
        warnings,
        defaulted_subjects,
    })
}

struct Metadata {
    name: String,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
}

impl Metadata {
    fn read(
        obj: &Map<String, Value>,
        namespaced: bool,
        default_namespace: &str,
    ) -> Result<Metadata, FieldError> {
        let meta = match obj.get("metadata") {
            None | Some(Value::Null) => return Err(FieldError::new("metadata.name", "missing")),
            Some(v) => as_object(v, "metadata")?,
        };
        let name = required_str(meta.get("name"), "metadata.name")?;
        let namespace = if namespaced {
            let ns =
                opt_str(meta.get("namespace"), "metadata.namespace")?.filter(|n| !n.is_empty());
            Some(ns.unwrap_or_else(|| default_namespace.to_string()))
        } else {
            None
        };
        let labels = string_map(meta.get("labels"), "metadata.labels")?;
        Ok(Metadata {
            name,
            namespace,
            labels,
        })
    }
}

fn policy_rule(v: &Value, path: &str) -> Result<PolicyRule, FieldError> {
    if v.is_null() {
        // Go decodes `null` into a zero PolicyRule: it matches nothing.
        return Ok(PolicyRule::default());
    }
    let r = as_object(v, path)?;
    let field = |key: &str| string_list(r.get(key), &format!("{path}.{key}"));
    Ok(PolicyRule {
        verbs: field("verbs")?,
        api_groups: field("apiGroups")?,
        resources: field("resources")?,
        resource_names: field("resourceNames")?,
        non_resource_urls: field("nonResourceURLs")?,
    })
}

fn aggregation_rule(v: &Value, path: &str) -> Result<Vec<LabelSelector>, FieldError> {
    let a = as_object(v, path)?;
    let sel_path = format!("{path}.clusterRoleSelectors");
    let Some(items) = list(a.get("clusterRoleSelectors"), &sel_path)? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, s)| label_selector(s, &format!("{sel_path}[{i}]")))
        .collect()
}

fn label_selector(v: &Value, path: &str) -> Result<LabelSelector, FieldError> {
    if v.is_null() {
        // A `null` entry decodes to an empty selector, which selects everything.
        return Ok(LabelSelector::default());
    }
    let s = as_object(v, path)?;
    let match_labels = string_map(s.get("matchLabels"), &format!("{path}.matchLabels"))?;
    let exp_path = format!("{path}.matchExpressions");
    let mut match_expressions = Vec::new();
    if let Some(items) = list(s.get("matchExpressions"), &exp_path)? {
        for (i, item) in items.iter().enumerate() {
            let p = format!("{exp_path}[{i}]");
            let e = as_object(item, &p)?;
            let key = required_str(e.get("key"), &format!("{p}.key"))?;
            let operator =
                opt_str(e.get("operator"), &format!("{p}.operator"))?.unwrap_or_default();
            let values = string_list(e.get("values"), &format!("{p}.values"))?;
            match operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(FieldError::new(
                        format!("{p}.values"),
                        format!("operator {operator} needs at least one value"),
                    ));
                }
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(FieldError::new(
                        format!("{p}.values"),
                        format!("operator {operator} takes no values"),
                    ));
                }
                "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
                other => {
                    return Err(FieldError::new(
                        format!("{p}.operator"),
                        format!(
                            "unsupported operator {other:?}; expected In, NotIn, Exists or DoesNotExist"
                        ),
                    ));
                }
            }
            match_expressions.push(LabelRequirement {
                key,
                operator,
                values,
            });
        }
    }
    Ok(LabelSelector {
        match_labels,
        match_expressions,
    })
}

fn wrong_kind(found: Option<&str>, expected: &str) -> FieldError {
    FieldError::new(
        "kind",
        format!(
            "expected {expected}, found {}",
            found.map_or("nothing".into(), |k| format!("{k:?}"))
        ),
    )
}

/// How a JSON value's type is named in messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn wrong_type(path: &str, expected: &str, v: &Value) -> FieldError {
    let field = if path.is_empty() { "(document)" } else { path };
    FieldError::new(
        field,
        format!("expected {expected}, found {}", type_name(v)),
    )
}

fn as_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, FieldError> {
    v.as_object().ok_or_else(|| wrong_type(path, "a map", v))
}

/// An optional string: absent or `null` is `None`.
fn opt_str(v: Option<&Value>, path: &str) -> Result<Option<String>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong_type(path, "a string", other)),
    }
}

/// A string that must be present and non-empty.
fn required_str(v: Option<&Value>, path: &str) -> Result<String, FieldError> {
    match opt_str(v, path)? {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => Err(FieldError::new(path, "must not be empty")),
        None => Err(FieldError::new(path, "missing")),
    }
}

/// An optional list: absent or `null` is `None`.
fn list<'a>(v: Option<&'a Value>, path: &str) -> Result<Option<&'a Vec<Value>>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(wrong_type(path, "a list", other)),
    }
}

/// A list of strings: absent or `null` is empty; every item must be a string.
fn string_list(v: Option<&Value>, path: &str) -> Result<Vec<String>, FieldError> {
    let Some(items) = list(v, path)? else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong_type(&format!("{path}[{i}]"), "a string", other)),
        })
        .collect()
}

/// A map of strings (labels): absent or `null` is empty; a `null` value is the empty
/// string (as Go decodes it); any other non-string value is an error.
fn string_map(v: Option<&Value>, path: &str) -> Result<BTreeMap<String, String>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, val)| match val {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Null => Ok((k.clone(), String::new())),
                other => Err(wrong_type(&format!("{path}.{k}"), "a string", other)),
            })
            .collect(),
        Some(other) => Err(wrong_type(path, "a map", other)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn role(doc: Value) -> Result<Role, FieldError> {
        extract_role(&doc, Origin::default(), "default")
    }
    fn binding(doc: Value) -> Result<Binding, FieldError> {
        extract_binding(&doc, Origin::default(), "default")
    }

    #[test]
    fn role_with_absent_lists() {
        let r = role(json!({"kind": "Role", "metadata": {"name": "r"}, "rules": [
            {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "resourceNames": []},
            {"verbs": ["get"], "resources": null}
        ]}))
        .unwrap();
        assert_eq!(r.kind, RoleKind::Role);
        assert_eq!(r.namespace.as_deref(), Some("default"));
        assert_eq!(r.rules.len(), 2);
        assert!(r.rules[0].resource_names.is_empty());
        assert!(r.rules[1].resources.is_empty() && r.rules[1].api_groups.is_empty());
        assert_eq!(r.aggregation, None);
    }

    #[test]
    fn cluster_role_ignores_namespace_and_reads_aggregation() {
        let r = role(
            json!({"kind": "ClusterRole", "metadata": {"name": "admin", "namespace": "x",
            "labels": {"a": "1", "b": null}},
            "rules": null,
            "aggregationRule": {"clusterRoleSelectors": [
                {"matchLabels": {"k": "v"}},
                {"matchExpressions": [{"key": "e", "operator": "Exists"}]}
            ]}}),
        )
        .unwrap();
        assert_eq!(r.namespace, None);
        assert!(r.rules.is_empty());
        assert_eq!(r.labels.get("b").map(String::as_str), Some(""));
        let sel = r.aggregation.unwrap();
        assert_eq!(sel.len(), 2);
        assert_eq!(sel[0].match_labels["k"], "v");
        assert_eq!(sel[1].match_expressions[0].operator, "Exists");
        let empty =
            role(json!({"kind": "ClusterRole", "metadata": {"name": "a"}, "aggregationRule": {}}))
                .unwrap();
        assert_eq!(empty.aggregation, Some(vec![]));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = role(
            json!({"kind": "Role", "metadata": {"name": "r"}, "rules": [{"verbs": ["get", 3]}]}),
        )
        .unwrap_err();
        assert_eq!(e.field, "rules[0].verbs[1]");
        assert_eq!(e.message, "expected a string, found a number");
        let e = role(json!({"kind": "Role", "metadata": {"name": "r"}, "rules": {"verbs": []}}))
            .unwrap_err();
        assert_eq!(e.to_string(), "field `rules`: expected a list, found a map");
        let e = role(json!({"kind": "Role", "metadata": {}})).unwrap_err();
        assert_eq!(e.field, "metadata.name");
        let e = role(json!({"kind": "ClusterRole", "metadata": {"name": "c", "labels": {"v": 1}}}))
            .unwrap_err();
        assert_eq!(e.field, "metadata.labels.v");
        let e = role(json!({"kind": "ClusterRole", "metadata": {"name": "c"}, "aggregationRule":
            {"clusterRoleSelectors": [{"matchExpressions": [{"key": "k", "operator": "in", "values": ["a"]}]}]}}))
        .unwrap_err();
        assert_eq!(
            e.field,
            "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator"
        );
        let e = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "User", "name": "a"}, {"kind": "User", "name": 5}]}))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "field `subjects[1].name`: expected a string, found a number"
        );
        let e = role(json!(["not", "a", "map"])).unwrap_err();
        assert_eq!(e.field, "(document)");
    }

    #[test]
    fn service_account_subject_namespace() {
        let rb = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "bot"},
                         {"kind": "ServiceAccount", "name": "x", "namespace": "other"},
                         {"kind": "User", "name": "u", "namespace": "ignored"}]}))
        .unwrap();
        assert_eq!(rb.namespace.as_deref(), Some("team"));
        assert_eq!(
            rb.role_ref,
            RoleRef {
                kind: RoleKind::ClusterRole,
                name: "view".into()
            }
        );
        assert_eq!(rb.subjects[0].namespace.as_deref(), Some("team"));
        assert_eq!(rb.subjects[1].namespace.as_deref(), Some("other"));
        assert_eq!(rb.subjects[2].namespace, None);
        let crb = binding(
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "b", "namespace": "team"},
            "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "bot"}]}),
        )
        .unwrap();
        assert_eq!(crb.namespace, None);
        assert_eq!(crb.subjects[0].namespace, None);
    }

    #[test]
    fn unknown_subject_kind_is_a_warning() {
        let rb = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "user", "name": "alice"}, {"kind": "Group", "name": "g"}]}))
        .unwrap();
        assert_eq!(rb.subjects.len(), 1);
        assert_eq!(rb.warnings.len(), 1);
        assert_eq!(rb.warnings[0].field, "subjects[0].kind");
    }

    #[test]
    fn role_ref_kind_is_honoured() {
        let e = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"kind": "clusterrole", "name": "r"}}))
        .unwrap_err();
        assert_eq!(e.field, "roleRef.kind");
        let e = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b"}})).unwrap_err();
        assert_eq!(e.field, "roleRef");
        let ok = binding(json!({"kind": "RoleBinding", "metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "r"}, "subjects": null}))
        .unwrap();
        assert!(ok.subjects.is_empty());
        assert_eq!(ok.role_ref.kind, RoleKind::Role);
    }
}
