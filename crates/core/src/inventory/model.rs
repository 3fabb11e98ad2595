//! Plain Kubernetes objects as the analysis sees them: no YAML, no serde quirks.
//!
//! Everything downstream (authorizer, findings, escalation) reads these types only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a document came from, so findings can point at the line that granted a permission.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// The file (or `<stdin>`, or `chart/templates/x.yaml` for a rendered chart).
    pub file: String,
    /// 0-based index of the document inside the file.
    pub document: usize,
    /// 1-based line where the document starts, 0 when unknown.
    pub line: usize,
    /// For rendered charts: the chart name (`parent/charts/child` for subcharts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// True for documents that are Helm hooks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hook: bool,
    /// True for objects that come from the embedded default cluster policy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub builtin: bool,
}

/// One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule).
/// An absent list in the manifest is an empty list here.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// A requirement of a label selector (`matchExpressions` entry).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LabelRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<LabelRequirement>,
}

/// A Role (namespaced) or ClusterRole (`namespace == None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors`; `Some` makes the role aggregated, so its
    /// effective rules are those of every ClusterRole the selectors match (to a fixpoint).
    pub aggregation: Option<Vec<LabelSelector>>,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SubjectKind {
    ServiceAccount,
    User,
    Group,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::ServiceAccount => "ServiceAccount",
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
        }
    }
}

/// A binding subject. For a ServiceAccount in a RoleBinding without a namespace, the
/// inventory already filled in the binding's namespace (as the API server does).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// Only for ServiceAccount subjects.
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RoleRef {
    pub kind: RoleKind,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// A RoleBinding (`namespace == Some`) or ClusterRoleBinding (`namespace == None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub kind: BindingKind,
    pub namespace: Option<String>,
    pub name: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    pub origin: Origin,
    /// Non-fatal problems found while reading the binding, e.g. a subject with an unknown
    /// `kind` (it matches nobody, so it is left out of `subjects` and reported here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<super::FieldError>,
    /// Names of ServiceAccount subjects written without a namespace (they got the binding's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defaulted_subjects: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
    /// `automountServiceAccountToken`, true when absent (the Kubernetes default).
    pub automount: bool,
    pub secrets: Vec<String>,
    pub image_pull_secrets: Vec<String>,
    /// False for accounts only referenced (by a workload or binding) but not declared.
    pub declared: bool,
    pub origin: Origin,
}

/// A Secret of type `kubernetes.io/service-account-token`: metadata only, never its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSecret {
    pub namespace: String,
    pub name: String,
    /// The `kubernetes.io/service-account.name` annotation.
    pub service_account: String,
    pub origin: Origin,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    /// `initContainers` entry rather than `containers`.
    pub init: bool,
    pub privileged: bool,
    pub allow_privilege_escalation: Option<bool>,
    /// Added capabilities, e.g. `SYS_ADMIN`.
    pub capabilities_add: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `serviceAccountName`, else the deprecated `serviceAccount`, else `default`.
    pub service_account: String,
    /// The pod's `automountServiceAccountToken` when set (the account's setting applies otherwise).
    pub automount: Option<bool>,
    pub containers: Vec<Container>,
    pub host_pid: bool,
    pub host_network: bool,
    pub host_ipc: bool,
    /// `hostPath` volume paths.
    pub host_paths: Vec<String>,
    pub origin: Origin,
}

impl Workload {
    pub fn privileged(&self) -> bool {
        self.containers.iter().any(|c| c.privileged)
    }
}

/// Everything extracted from the input documents.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub service_accounts: Vec<ServiceAccount>,
    pub token_secrets: Vec<TokenSecret>,
    pub workloads: Vec<Workload>,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
}
