//! The default cluster policy: the roles and bindings every kube-apiserver creates.
//!
//! The six upstream golden files (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/`,
//! Apache-2.0, see `data/bootstrap/README.md`) are embedded in the binary and parsed once, on
//! first use. They let the authorizer resolve a binding to `cluster-admin`, `admin`, `edit`,
//! `view` or a `system:*` role that the input does not contain, and (on request) add the
//! cluster's default bindings such as `system:masters` → `cluster-admin`.
//!
//! At run time the policy is read from `data/bootstrap/policy.json`: the result of [`parse`]
//! (golden files through the same extraction as user input) stored as typed JSON, which
//! reads ~5x faster than extracting again, on every process start. The test
//! `snapshot_matches_the_golden_files` keeps it equal to [`parse`]; regenerate it with
//! `RBAC_LENS_BLESS=1 cargo test -p rbac-lens-core --lib bootstrap`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::inventory::rbac::{extract_binding, extract_role};
use crate::inventory::{Binding, Origin, Role};

/// The embedded files, as `(name, text)`.
pub const FILES: [(&str, &str); 6] = [
    (
        "cluster-roles.yaml",
        include_str!("../../data/bootstrap/cluster-roles.yaml"),
    ),
    (
        "controller-roles.yaml",
        include_str!("../../data/bootstrap/controller-roles.yaml"),
    ),
    (
        "namespace-roles.yaml",
        include_str!("../../data/bootstrap/namespace-roles.yaml"),
    ),
    (
        "cluster-role-bindings.yaml",
        include_str!("../../data/bootstrap/cluster-role-bindings.yaml"),
    ),
    (
        "controller-role-bindings.yaml",
        include_str!("../../data/bootstrap/controller-role-bindings.yaml"),
    ),
    (
        "namespace-role-bindings.yaml",
        include_str!("../../data/bootstrap/namespace-role-bindings.yaml"),
    ),
];

/// The same files converted to JSON by `build.rs` (parsed on every run: JSON is much faster).
const JSON_FILES: [&str; 6] = [
    include_str!(concat!(env!("OUT_DIR"), "/bootstrap-cluster-roles.json")),
    include_str!(concat!(env!("OUT_DIR"), "/bootstrap-controller-roles.json")),
    include_str!(concat!(env!("OUT_DIR"), "/bootstrap-namespace-roles.json")),
    include_str!(concat!(
        env!("OUT_DIR"),
        "/bootstrap-cluster-role-bindings.json"
    )),
    include_str!(concat!(
        env!("OUT_DIR"),
        "/bootstrap-controller-role-bindings.json"
    )),
    include_str!(concat!(
        env!("OUT_DIR"),
        "/bootstrap-namespace-role-bindings.json"
    )),
];

/// Where the embedded files appear in origins: `builtin:bootstrap/<file>`.
pub const ORIGIN_PREFIX: &str = "builtin:bootstrap/";

/// [`parse`]'s result, stored (see the module comment).
const SNAPSHOT: &str = include_str!("../../data/bootstrap/policy.json");
const SNAPSHOT_PATH: &str = "data/bootstrap/policy.json";

/// The parsed default policy.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// ClusterRoles and (kube-system, kube-public) Roles, with `origin.builtin` set.
    pub roles: Vec<Role>,
    /// ClusterRoleBindings and RoleBindings, with `origin.builtin` set.
    pub bindings: Vec<Binding>,
}

/// The default policy, parsed on first use.
pub fn policy() -> &'static Bootstrap {
    static POLICY: OnceLock<Bootstrap> = OnceLock::new();
    POLICY.get_or_init(|| {
        serde_json::from_str(SNAPSHOT)
            .unwrap_or_else(|e| panic!("embedded {SNAPSHOT_PATH} is invalid: {e}"))
    })
}

/// The built-in roles.
pub fn roles() -> &'static [Role] {
    &policy().roles
}

/// The built-in bindings.
pub fn bindings() -> &'static [Binding] {
    &policy().bindings
}

/// Parses the embedded files. Only fails if the embedded data is broken (a unit test
/// guards against that).
pub fn parse() -> Result<Bootstrap, String> {
    let mut out = Bootstrap {
        roles: Vec::new(),
        bindings: Vec::new(),
    };
    for ((file, text), json) in FILES.into_iter().zip(JSON_FILES) {
        let doc: Value = serde_json::from_str(json).map_err(|e| format!("{file}: {e}"))?;
        let items = doc
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{file}: no `items` list"))?;
        let lines = item_lines(text);
        for (i, item) in items.iter().enumerate() {
            let origin = Origin {
                file: format!("{ORIGIN_PREFIX}{file}"),
                document: i,
                line: lines.get(i).copied().unwrap_or(0),
                builtin: true,
                ..Default::default()
            };
            let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
            match kind {
                "Role" | "ClusterRole" => out.roles.push(
                    extract_role(item, origin, "default")
                        .map_err(|e| format!("{file} item {i}: {e}"))?,
                ),
                "RoleBinding" | "ClusterRoleBinding" => out.bindings.push(
                    extract_binding(item, origin, "default")
                        .map_err(|e| format!("{file} item {i}: {e}"))?,
                ),
                other => return Err(format!("{file} item {i}: unexpected kind {other:?}")),
            }
        }
    }
    Ok(out)
}

/// 1-based line of each top-level list item (`- ` at column 0) in a golden file.
fn item_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- "))
        .map(|(n, _)| n + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{BindingKind, RoleKind, SubjectKind};

    #[test]
    fn parses_every_file() {
        let p = parse().unwrap();
        let cluster_roles = p
            .roles
            .iter()
            .filter(|r| r.kind == RoleKind::ClusterRole)
            .count();
        let roles = p.roles.iter().filter(|r| r.kind == RoleKind::Role).count();
        assert_eq!(cluster_roles, 31 + 38);
        assert_eq!(roles, 7);
        assert_eq!(p.bindings.len(), 10 + 38 + 7);
        assert!(
            p.roles
                .iter()
                .all(|r| r.origin.builtin && r.origin.line > 0)
        );
        let admin = p.roles.iter().find(|r| r.name == "admin").unwrap();
        assert!(admin.rules.is_empty() && admin.aggregation.is_some());
        let masters = p
            .bindings
            .iter()
            .find(|b| b.kind == BindingKind::ClusterRoleBinding && b.name == "cluster-admin")
            .unwrap();
        assert_eq!(masters.role_ref.name, "cluster-admin");
        assert_eq!(masters.subjects[0].kind, SubjectKind::Group);
        assert_eq!(masters.subjects[0].name, "system:masters");
        assert!(p.bindings.iter().all(|b| b.warnings.is_empty()));
    }

    #[test]
    fn snapshot_matches_the_golden_files() {
        let fresh = parse().unwrap();
        if std::env::var_os("RBAC_LENS_BLESS").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT_PATH);
            std::fs::write(&path, serde_json::to_string(&fresh).unwrap() + "\n").unwrap();
            return;
        }
        let stored: Bootstrap = serde_json::from_str(SNAPSHOT).unwrap();
        assert!(
            stored == fresh,
            "{SNAPSHOT_PATH} is stale: run RBAC_LENS_BLESS=1 cargo test -p rbac-lens-core --lib bootstrap"
        );
    }

    #[test]
    fn parsed_once() {
        assert!(std::ptr::eq(policy(), policy()));
        assert_eq!(roles().len(), 76);
        assert_eq!(bindings().len(), 55);
    }
}
