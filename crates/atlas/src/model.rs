//! What the atlas stores about one scanned chart version.

use rbac_lens_core::catalog::RiskLevel;
use rbac_lens_core::escalation::Node;
use rbac_lens_report::Report;
use serde::{Deserialize, Serialize};

/// A chart in the atlas: `repo` is a short URL-safe slug (a Helm repository's name, a URL's
/// host, or `local`), `chart` the chart name. Both appear in site paths and API routes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChartId {
    pub repo: String,
    pub chart: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    /// Rendered and analysed completely.
    Ok,
    /// Analysed, but some template or document failed (the report says which).
    Partial,
    /// Nothing could be analysed (download, unpack or load failed); `error` says why.
    Failed,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Ok => "ok",
            ScanStatus::Partial => "partial",
            ScanStatus::Failed => "failed",
        }
    }
}

/// One stored scan of one chart version, without the report body: enough for lists, cards,
/// counts and filters. The full report is read with [`crate::AtlasRead::report`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    /// Store-assigned id.
    pub id: i64,
    #[serde(flatten)]
    pub chart: ChartId,
    pub version: String,
    pub app_version: String,
    pub description: String,
    pub home: String,
    /// The chart's own keywords plus those the projects file adds.
    pub keywords: Vec<String>,
    /// Where it came from (path, URL of the .tgz).
    pub source: String,
    pub status: ScanStatus,
    /// Why the scan failed or is partial (first error), else empty.
    pub error: String,
    pub tool_version: String,
    pub catalog_version: String,
    /// Unix seconds.
    pub scanned_at: i64,
    /// Highest risk among the permission rows (None: no permissions).
    pub highest: Option<RiskLevel>,
    /// Permission rows per level: [Low, Medium, High, Critical].
    pub level_counts: [u32; 4],
    pub service_accounts: u32,
    pub workloads: u32,
    /// Permission rows (service accounts and other subjects).
    pub permissions: u32,
    /// Distinct rule ids matched by any row, ascending.
    pub rules: Vec<u32>,
    /// Distinct tags of any row, sorted.
    pub tags: Vec<String>,
    /// Some identity of the chart can reach cluster-admin (escalation analysis).
    pub reaches_cluster_admin: bool,
}

impl ScanSummary {
    /// The summary columns of a successful or partial scan, computed from its report. `id`,
    /// `chart`, `source`, timestamps and extra keywords are the caller's.
    pub fn from_report(id: i64, chart: ChartId, source: &str, report: &Report) -> ScanSummary {
        let rows = || {
            report
                .service_account_permissions
                .iter()
                .chain(&report.subject_permissions)
        };
        let mut level_counts = [0u32; 4];
        let mut rules = std::collections::BTreeSet::new();
        let mut tags = std::collections::BTreeSet::new();
        for p in rows() {
            level_counts[level_index(p.risk_level)] += 1;
            rules.extend(p.matched_risk_rules.iter().map(|r| r.id));
            tags.extend(p.tags.iter().cloned());
        }
        let helm = report.metadata.extra.helm.as_ref();
        let status = if report.metadata.complete {
            ScanStatus::Ok
        } else {
            ScanStatus::Partial
        };
        let error = if status == ScanStatus::Partial {
            report
                .warnings
                .first()
                .map(|w| w.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        ScanSummary {
            id,
            chart,
            version: report.metadata.version.clone(),
            app_version: String::new(),
            description: helm.map(|h| h.description.clone()).unwrap_or_default(),
            home: helm.map(|h| h.home.clone()).unwrap_or_default(),
            keywords: helm.and_then(|h| h.keywords.clone()).unwrap_or_default(),
            source: source.to_string(),
            status,
            error,
            tool_version: report.metadata.tool_version.clone(),
            catalog_version: report.metadata.catalog_version.clone(),
            scanned_at: report.metadata.timestamp,
            highest: rows().map(|p| p.risk_level).max(),
            level_counts,
            service_accounts: report.service_account_data.len() as u32,
            workloads: report.service_account_workloads.len() as u32,
            permissions: rows().count() as u32,
            rules: rules.into_iter().collect(),
            tags: tags.into_iter().collect(),
            reaches_cluster_admin: report
                .escalation_paths
                .iter()
                .any(|p| p.to == Node::ClusterAdmin),
        }
    }

    /// The summary of a scan that produced no report.
    pub fn failed(id: i64, chart: ChartId, version: &str, source: &str, error: &str) -> Self {
        ScanSummary {
            id,
            chart,
            version: version.to_string(),
            app_version: String::new(),
            description: String::new(),
            home: String::new(),
            keywords: Vec::new(),
            source: source.to_string(),
            status: ScanStatus::Failed,
            error: error.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            catalog_version: String::new(),
            scanned_at: 0,
            highest: None,
            level_counts: [0; 4],
            service_accounts: 0,
            workloads: 0,
            permissions: 0,
            rules: Vec::new(),
            tags: Vec::new(),
            reaches_cluster_admin: false,
        }
    }
}

/// Index of a level in [`ScanSummary::level_counts`].
pub fn level_index(l: RiskLevel) -> usize {
    match l {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::Critical => 3,
    }
}

/// What identifies one scan: rescanning the same key does no work. A new tool or catalog
/// version, or other values files, make a new key (and a new scan).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanKey {
    pub chart: ChartId,
    pub version: String,
    /// SHA-256 over the values files' contents (empty: chart defaults only).
    pub values_digest: String,
    pub tool_version: String,
    pub catalog_version: String,
}

impl ScanKey {
    /// A stable digest of the whole key: the unique column in the stores.
    pub fn hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [
            &self.chart.repo,
            &self.chart.chart,
            &self.version,
            &self.values_digest,
            &self.tool_version,
            &self.catalog_version,
        ] {
            // Length-prefixed so no two different keys share a byte stream.
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex(&h.finalize())
    }
}

impl std::fmt::Display for ScanKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{} {}",
            self.chart.repo, self.chart.chart, self.version
        )
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
