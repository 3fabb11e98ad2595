//! From parsed documents to an [`Inventory`]: dispatch on `kind`, collect warnings.

use serde_json::Value;

use super::accounts::{extract_service_account, extract_token_secret};
use super::rbac::{extract_binding, extract_role};
use super::workloads::{extract_workload, is_workload_kind};
use super::{FieldError, Inventory, Origin, ServiceAccount, SubjectKind, object_label};
use crate::diagnostics::{Code, Warning};
use crate::document::Document;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Build the inventory of every document. `default_ns` is the namespace of namespaced
/// objects that have none (`--namespace`).
pub fn build_inventory(docs: &[Document], default_ns: &str) -> (Inventory, Vec<Warning>) {
    let mut inv = Inventory::default();
    let mut warnings = Vec::new();
    for doc in docs {
        if let Err(w) = add_document(&mut inv, doc, default_ns) {
            warnings.push(*w);
        }
    }
    // Subjects that match nobody (e.g. `kind: user`) were set aside by the extraction.
    for b in &inv.bindings {
        for e in &b.warnings {
            let mut w = Warning::new(Code::BadField, &b.origin.file, e.message.clone());
            w.document = Some(b.origin.document);
            w.line = b.origin.line;
            w.field = Some(e.field.clone());
            w.object = Some(object_label(
                b.kind.as_str(),
                b.namespace.as_deref(),
                &b.name,
            ));
            warnings.push(w);
        }
    }
    add_referenced_accounts(&mut inv);
    (inv, warnings)
}

/// The label of a document's object, read leniently from its metadata.
fn document_label(doc: &Value, kind: &str) -> String {
    let meta = doc.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str);
    object_label(kind, namespace, name)
}

fn add_document(inv: &mut Inventory, doc: &Document, default_ns: &str) -> Result<(), Box<Warning>> {
    let origin = &doc.origin;
    let warn = |code: Code, field: Option<String>, object: Option<String>, msg: String| {
        let mut w = Warning::new(code, &origin.file, msg);
        w.document = Some(origin.document);
        w.line = origin.line;
        w.field = field;
        w.object = object;
        Box::new(w)
    };
    if !doc.value.is_object() {
        return Err(warn(
            Code::NotAnObject,
            None,
            None,
            "a document must be a map with `kind` and `apiVersion`".into(),
        ));
    }
    let Some(kind) = doc.value.get("kind").and_then(Value::as_str) else {
        return Err(warn(
            Code::NotAnObject,
            Some("kind".into()),
            None,
            "required field is missing: not a Kubernetes object".into(),
        ));
    };
    let api_version = doc
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let bad = |e: FieldError| {
        warn(
            Code::BadField,
            Some(e.field),
            Some(document_label(&doc.value, kind)),
            e.message,
        )
    };
    let origin = origin.clone();
    match kind {
        "ServiceAccount" => inv
            .service_accounts
            .push(extract_service_account(&doc.value, origin, default_ns).map_err(bad)?),
        "Secret" => {
            if let Some(s) = extract_token_secret(&doc.value, origin, default_ns).map_err(bad)? {
                inv.token_secrets.push(s);
            }
        }
        "Role" | "ClusterRole" => inv
            .roles
            .push(extract_role(&doc.value, origin, default_ns).map_err(bad)?),
        "RoleBinding" | "ClusterRoleBinding" => inv
            .bindings
            .push(extract_binding(&doc.value, origin, default_ns).map_err(bad)?),
        k if is_workload_kind(k) => inv
            .workloads
            .push(extract_workload(k, &doc.value, origin, default_ns).map_err(bad)?),
        _ if api_version.starts_with(RBAC_GROUP) => {
            return Err(warn(
                Code::NotAnObject,
                Some("kind".into()),
                Some(document_label(&doc.value, kind)),
                format!(
                    "unknown kind `{kind}` in {api_version}: expected Role, ClusterRole, RoleBinding or ClusterRoleBinding"
                ),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// ServiceAccounts used by workloads or named in bindings exist in a cluster even when the
/// input does not declare them (`default` always does): add them, marked undeclared.
fn add_referenced_accounts(inv: &mut Inventory) {
    let mut known: std::collections::BTreeSet<(String, String)> = inv
        .service_accounts
        .iter()
        .map(|s| (s.namespace.clone(), s.name.clone()))
        .collect();
    let mut add = |ns: &str, name: &str, origin: &Origin, out: &mut Vec<ServiceAccount>| {
        if known.insert((ns.to_string(), name.to_string())) {
            out.push(ServiceAccount {
                namespace: ns.to_string(),
                name: name.to_string(),
                automount: true,
                secrets: Vec::new(),
                image_pull_secrets: Vec::new(),
                declared: false,
                origin: origin.clone(),
            });
        }
    };
    let mut extra = Vec::new();
    for w in &inv.workloads {
        add(&w.namespace, &w.service_account, &w.origin, &mut extra);
    }
    for b in &inv.bindings {
        for s in &b.subjects {
            if let (SubjectKind::ServiceAccount, Some(ns)) = (s.kind, &s.namespace) {
                add(ns, &s.name, &b.origin, &mut extra);
            }
        }
    }
    inv.service_accounts.extend(extra);
}
