//! The `Report`: the one value every output format renders, and the JSON/YAML contract.
//!
//! Keys of the public tool's output are kept (`metadata`, `serviceAccountData`,
//! `serviceAccountPermissions` with `riskLevel`, `tags`, `matchedRiskRules[{id,name,link}]`,
//! `serviceAccountWorkloads`) so existing consumers keep working. Everything we add sits
//! beside them. `schemaVersion` changes when a key changes meaning or disappears.

use serde::{Deserialize, Serialize};

use rbac_lens_core::catalog::RiskLevel;
use rbac_lens_core::diagnostics::Warning;
use rbac_lens_core::findings::{Findings, Identity, MatchedRule, PermissionRow, WorkloadRow};
use rbac_lens_core::inventory::SubjectKind;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmInfo {
    pub description: String,
    pub keywords: Option<Vec<String>>,
    pub home: String,
    pub icon: String,
    pub kube_version: String,
    pub maintainers: Option<Vec<serde_json::Value>>,
    pub sources: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifests: Option<usize>,
    /// Warnings as one-line strings (the public tool's shape); details in `warnings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmInfo>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Chart version for a chart, else a digest of the input.
    pub version: String,
    pub name: String,
    pub source: String,
    /// Unix seconds (`SOURCE_DATE_EPOCH` when set, for reproducible output).
    pub timestamp: i64,
    pub extra: Extra,
    pub tool: String,
    pub tool_version: String,
    pub catalog_version: String,
    /// False when some input could not be read or rendered: the report is partial.
    pub complete: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountData {
    pub service_account_name: String,
    pub namespace: String,
    pub automount_token: bool,
    pub secrets: Option<Vec<String>>,
    pub image_pull_secrets: Option<Vec<String>>,
    pub declared: bool,
    pub token_secrets: Vec<String>,
    pub risk_level: Option<RiskLevel>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleRef {
    pub id: u32,
    pub name: String,
    pub link: String,
    #[serde(rename = "riskLevel")]
    pub risk_level: RiskLevel,
}

impl From<&MatchedRule> for RuleRef {
    fn from(m: &MatchedRule) -> Self {
        RuleRef {
            id: m.id,
            name: m.name.clone(),
            link: m.link.clone(),
            risk_level: m.level,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// For users and groups (in `subjectPermissions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_kind: Option<SubjectKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    /// The ServiceAccount's namespace (users and groups: the grant's scope, `*` cluster-wide).
    pub namespace: String,
    pub role_type: String,
    pub role_name: String,
    pub api_group: String,
    pub resource: String,
    pub resource_name: String,
    pub verbs: Vec<String>,
    pub risk_level: RiskLevel,
    pub tags: Vec<String>,
    pub matched_risk_rules: Vec<RuleRef>,
    /// Where the grant applies: a namespace, or `*` for cluster-wide.
    pub scope: String,
    pub binding_type: String,
    pub binding_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding_namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_namespace: Option<String>,
    pub builtin_role: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub non_resource_url: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ineffective_verbs: Vec<String>,
    /// The role or binding is a Helm hook.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hook: bool,
    /// The ServiceAccount subject had no namespace and got the RoleBinding's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub subject_namespace_defaulted: bool,
    pub role_source: SourceRef,
    pub binding_source: SourceRef,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub service_account_name: String,
    pub namespace: String,
    pub workload_type: String,
    pub workload_name: String,
    pub container_name: String,
    pub image: String,
    pub init_container: bool,
    pub privileged: bool,
    #[serde(rename = "hostPID")]
    pub host_pid: bool,
    pub host_network: bool,
    #[serde(rename = "hostIPC")]
    pub host_ipc: bool,
    pub host_paths: Vec<String>,
    pub automount_token: bool,
    pub source: SourceRef,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySummary {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub permissions: usize,
    pub workloads: usize,
    pub potential_abuse: Vec<RuleRef>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub metadata: Metadata,
    pub service_account_data: Vec<ServiceAccountData>,
    pub service_account_permissions: Vec<Permission>,
    pub service_account_workloads: Vec<Workload>,
    /// Rows for User and Group subjects (the public tool drops them).
    pub subject_permissions: Vec<Permission>,
    pub identities: Vec<IdentitySummary>,
    pub warnings: Vec<Warning>,
    /// Who each identity can become: per identity, the shortest path to cluster-admin, to
    /// a node, or else to the most powerful identity it reaches (docs/ESCALATION.md).
    pub escalation_paths: Vec<rbac_lens_core::escalation::Path>,
    /// Per identity: effective risk (the highest reachable) and hops to the sinks.
    pub escalation: Vec<rbac_lens_core::escalation::IdentityEscalation>,
}

fn none_if_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

fn permission(p: &PermissionRow) -> Permission {
    let sa = p.subject_kind == SubjectKind::ServiceAccount;
    Permission {
        service_account_name: sa.then(|| p.subject_name.clone()),
        subject_kind: (!sa).then_some(p.subject_kind),
        subject_name: (!sa).then(|| p.subject_name.clone()),
        namespace: p
            .subject_namespace
            .clone()
            .or_else(|| p.scope.clone())
            .unwrap_or_else(|| "*".into()),
        role_type: p.role_kind.as_str().into(),
        role_name: p.role_name.clone(),
        api_group: p.api_group.clone(),
        resource: p.resource.clone(),
        resource_name: p.resource_name.clone(),
        verbs: p.verbs.clone(),
        risk_level: p.risk_level,
        tags: p.tags.to_vec(),
        matched_risk_rules: p.matched.iter().map(RuleRef::from).collect(),
        scope: p.scope.clone().unwrap_or_else(|| "*".into()),
        binding_type: p.binding_kind.as_str().into(),
        binding_name: p.binding_name.clone(),
        binding_namespace: p.binding_namespace.clone(),
        role_namespace: p.role_namespace.clone(),
        builtin_role: p.role_builtin,
        non_resource_url: p.non_resource,
        ineffective_verbs: p.ineffective_verbs.clone(),
        hook: p.hook,
        subject_namespace_defaulted: p.subject_namespace_defaulted,
        role_source: SourceRef {
            file: p.role_origin.file.clone(),
            line: p.role_origin.line,
        },
        binding_source: SourceRef {
            file: p.binding_origin.file.clone(),
            line: p.binding_origin.line,
        },
    }
}

fn workload(w: &WorkloadRow) -> Workload {
    Workload {
        service_account_name: w.service_account.clone(),
        namespace: w.namespace.clone(),
        workload_type: w.kind.clone(),
        workload_name: w.name.clone(),
        container_name: w.container.clone(),
        image: w.image.clone(),
        init_container: w.init,
        privileged: w.privileged,
        host_pid: w.host_pid,
        host_network: w.host_network,
        host_ipc: w.host_ipc,
        host_paths: w.host_paths.clone(),
        automount_token: w.automount,
        source: SourceRef {
            file: w.origin.file.clone(),
            line: w.origin.line,
        },
    }
}

fn account(i: &Identity) -> Option<ServiceAccountData> {
    (i.kind == SubjectKind::ServiceAccount).then(|| ServiceAccountData {
        service_account_name: i.name.clone(),
        namespace: i.namespace.clone().unwrap_or_default(),
        automount_token: i.automount,
        secrets: none_if_empty(&i.secrets),
        image_pull_secrets: none_if_empty(&i.image_pull_secrets),
        declared: i.declared,
        token_secrets: i.token_secrets.clone(),
        risk_level: i.risk_level,
    })
}

impl Report {
    /// Add the escalation analysis.
    pub fn with_escalation(mut self, esc: &rbac_lens_core::escalation::Escalation) -> Report {
        self.escalation_paths = esc.paths.clone();
        self.escalation = esc
            .identities
            .iter()
            .filter(|i| i.effective_risk.is_some())
            .cloned()
            .collect();
        self
    }

    /// Build the report; `min_level` hides permission rows (and abuse entries) below it.
    pub fn new(metadata: Metadata, findings: &Findings, min_level: RiskLevel) -> Report {
        let mut sa_perms = Vec::new();
        let mut subject_perms = Vec::new();
        for p in findings
            .permissions
            .iter()
            .filter(|p| p.risk_level >= min_level)
        {
            if p.subject_kind == SubjectKind::ServiceAccount {
                sa_perms.push(permission(p));
            } else {
                subject_perms.push(permission(p));
            }
        }
        let identities = findings
            .identities
            .iter()
            .map(|i| IdentitySummary {
                kind: i.kind,
                name: i.name.clone(),
                namespace: i.namespace.clone(),
                risk_level: i.risk_level,
                permissions: i.permissions,
                workloads: i.workloads,
                potential_abuse: i
                    .potential_abuse
                    .iter()
                    .filter(|m| m.level >= min_level)
                    .map(RuleRef::from)
                    .collect(),
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            metadata,
            service_account_data: findings.identities.iter().filter_map(account).collect(),
            service_account_permissions: sa_perms,
            service_account_workloads: findings.workloads.iter().map(workload).collect(),
            subject_permissions: subject_perms,
            identities,
            warnings: findings.warnings.clone(),
            escalation_paths: Vec::new(),
            escalation: Vec::new(),
        }
    }

    /// The highest level among the reported rows.
    pub fn highest_level(&self) -> Option<RiskLevel> {
        self.service_account_permissions
            .iter()
            .chain(&self.subject_permissions)
            .map(|p| p.risk_level)
            .max()
    }
}
