//! The risk rule catalog: embedded YAML data (`catalog/rules/*.yaml`), plus user files.
//!
//! A rule is one entry of data; its documentation (`rules show`, `rules export`) is rendered
//! from the same entry, so nothing is written twice. The catalog checks itself on load:
//! unique ids, every section present, both test grants present.

mod page;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use page::{groups_display, render_hugo, render_markdown, verbs_display};

use crate::inventory::RoleKind;

/// Risk levels, ordered from Low to Critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "Low",
            RiskLevel::Medium => "Medium",
            RiskLevel::High => "High",
            RiskLevel::Critical => "Critical",
        }
    }

    /// Accepts `critical`, `Critical` and the public catalog's `RiskLevelCritical`.
    pub fn parse(s: &str) -> Option<RiskLevel> {
        let s = s.strip_prefix("RiskLevel").unwrap_or(s);
        RiskLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

impl<'de> Deserialize<'de> for RiskLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RiskLevel::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown risk level `{s}` (expected Low, Medium, High or Critical)"
            ))
        })
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a resourceNames restriction narrows a rule's abuse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameRestriction {
    /// The abuse needs arbitrary objects: a name-restricted grant drops to Low.
    #[default]
    LowersRisk,
    /// One named object is enough for the abuse: the level stays.
    KeepsRisk,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbuseScenario {
    pub title: String,
    pub steps: String,
}

/// A grant used by the catalog's own tests (`tests.fires` / `tests.near_miss`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestGrant {
    /// `namespace` (Role + RoleBinding in namespace `team`) or `cluster`.
    pub scope: String,
    pub rule: crate::inventory::PolicyRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Namespace for `scope: namespace` (default `team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTests {
    pub fires: TestGrant,
    pub near_miss: TestGrant,
}

/// One catalog rule. See `catalog/SCHEMA.md` for each field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: u32,
    pub name: String,
    pub category: String,
    pub risk_level: RiskLevel,
    pub role_type: RoleKind,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_verbs: Option<Vec<Vec<String>>>,
    #[serde(default)]
    pub name_restriction: NameRestriction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
    pub tags: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub remediation: String,
    #[serde(default)]
    pub abuse_scenarios: Vec<AbuseScenario>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<RuleTests>,
}

/// Ids of the base rules (9996 Low .. 9999 Critical), computed in `findings::base`.
pub const BASE_RULE_IDS: std::ops::RangeInclusive<u32> = 9996..=9999;

impl Rule {
    pub fn is_base(&self) -> bool {
        BASE_RULE_IDS.contains(&self.id)
    }

    /// The verb sets of which any one enables the abuse.
    pub fn verb_sets(&self) -> Vec<Vec<String>> {
        match &self.match_verbs {
            Some(sets) => sets.clone(),
            None => self.verbs.iter().map(|v| vec![v.clone()]).collect(),
        }
    }

    /// Public link of the rule page (the RBAC Atlas address, kept for compatibility).
    pub fn link(&self) -> String {
        format!("https://rbac-atlas.github.io/rules/{}/", self.id)
    }
}

/// A loaded, validated catalog, sorted by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    rules: Vec<Rule>,
    /// [`Catalog::version`], computed on first use: it serializes every rule, which costs
    /// more than the rest of a small run's start-up.
    version: std::sync::OnceLock<String>,
}

/// A catalog file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

/// The catalog files, converted from YAML to JSON by `build.rs`.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "catalog/rules/1000-1052.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/catalog-1000-1052.json")),
    ),
    (
        "catalog/rules/1053-1104.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/catalog-1053-1104.json")),
    ),
    (
        "catalog/rules/base.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/catalog-base.json")),
    ),
];
const STRICT: bool = true;

/// FNV-1a of the embedded JSON texts in [`EMBEDDED`] order, computed by build.rs.
fn embedded_hash() -> u64 {
    let hex = include_str!(concat!(env!("OUT_DIR"), "/catalog-hash.txt"));
    u64::from_str_radix(hex.trim(), 16).expect("build.rs writes a hex hash")
}

/// Parse a catalog file (a YAML list of rules).
pub fn parse_rules(file: &str, text: &str) -> Result<Vec<Rule>, CatalogError> {
    if text.len() > 16 * 1024 * 1024 {
        return Err(CatalogError {
            file: file.into(),
            message: "rule file larger than 16 MiB".into(),
        });
    }
    let opts = serde_saphyr::Options::default();
    serde_saphyr::from_str_with_options::<Vec<Rule>>(text, opts).map_err(|e| CatalogError {
        file: file.into(),
        message: e.to_string(),
    })
}

impl Catalog {
    /// The catalog built into the binary.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let mut rules = Vec::new();
            for (file, text) in EMBEDDED {
                // The embedded data is checked by the test suite; a broken file is a build defect.
                rules.extend(
                    serde_json::from_str::<Vec<Rule>>(text)
                        .unwrap_or_else(|e| panic!("embedded catalog {file}: {e}")),
                );
            }
            let catalog = Catalog::from_rules(rules, STRICT)
                .unwrap_or_else(|e| panic!("embedded catalog: {e}"));
            // The embedded files are fixed at build time, so is their hash (build.rs):
            // neither serializing every rule again nor hashing 230 KB on every start.
            let h = embedded_hash();
            let version = format!("{}-{:012x}", catalog.rules.len(), h & 0xffff_ffff_ffff);
            let _ = catalog.version.set(version);
            catalog
        })
    }

    /// Build and validate. `strict` also requires the documentation and test sections
    /// (the embedded catalog); user rules only need the matching facts.
    pub fn from_rules(mut rules: Vec<Rule>, strict: bool) -> Result<Catalog, CatalogError> {
        rules.sort_by_key(|r| r.id);
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for r in &rules {
            if !seen.insert(r.id) {
                problems.push(format!("rule {}: duplicate id", r.id));
            }
            problems.extend(
                validate_rule(r, strict)
                    .into_iter()
                    .map(|p| format!("rule {}: {p}", r.id)),
            );
        }
        if problems.is_empty() {
            Ok(Catalog {
                rules,
                version: std::sync::OnceLock::new(),
            })
        } else {
            Err(CatalogError {
                file: "catalog".into(),
                message: problems.join("; "),
            })
        }
    }

    /// The embedded catalog plus user rules; a user rule with an existing id replaces it.
    pub fn with_extra(extra: Vec<Rule>, file: &str) -> Result<Catalog, CatalogError> {
        Catalog::from_rules(extra.clone(), false).map_err(|e| CatalogError {
            file: file.into(),
            message: e.message,
        })?;
        let ids: BTreeSet<u32> = extra.iter().map(|r| r.id).collect();
        let mut rules: Vec<Rule> = Catalog::embedded()
            .rules
            .iter()
            .filter(|r| !ids.contains(&r.id))
            .cloned()
            .collect();
        rules.extend(extra);
        Catalog::from_rules(rules, false).map_err(|e| CatalogError {
            file: file.into(),
            message: e.message,
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: u32) -> Option<&Rule> {
        self.rules
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Rules that are matched against grants (every rule but the base rules).
    pub fn matchable(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| !r.is_base())
    }

    /// A version string that changes whenever the catalog's content changes.
    pub fn version(&self) -> String {
        self.version
            .get_or_init(|| {
                // FNV-1a over the serialized rules: stable across runs and platforms.
                let h = self.rules.iter().fold(0, |h, r| {
                    crate::source::fnv1a(h, &serde_json::to_vec(r).unwrap_or_default())
                });
                format!("{}-{:012x}", self.rules.len(), h & 0xffff_ffff_ffff)
            })
            .clone()
    }
}

const CATEGORIES: &[&str] = &[
    "Spoofing",
    "Tampering",
    "Repudiation",
    "Information Disclosure",
    "Denial of Service",
    "Elevation of Privilege",
    // Not STRIDE, but used by the public catalog for network rules.
    "NetworkManipulation",
    "Base Risk Level",
];

fn validate_rule(r: &Rule, strict: bool) -> Vec<String> {
    let mut p = Vec::new();
    if r.name.trim().is_empty() {
        p.push("`name` is empty".to_string());
    }
    if !CATEGORIES.contains(&r.category.as_str()) {
        p.push(format!(
            "unknown category `{}` (expected one of {})",
            r.category,
            CATEGORIES.join(", ")
        ));
    }
    if !r.is_base() {
        for (field, list) in [
            ("api_groups", &r.api_groups),
            ("resources", &r.resources),
            ("verbs", &r.verbs),
        ] {
            if list.is_empty() {
                p.push(format!("`{field}` is empty: the rule could never fire"));
            }
        }
        if let Some(sets) = &r.match_verbs
            && (sets.is_empty() || sets.iter().any(Vec::is_empty))
        {
            p.push("`match_verbs` has an empty set".to_string());
        }
    }
    if strict {
        if r.description.trim().is_empty() {
            p.push("`description` is missing".into());
        }
        if !r.is_base() {
            if r.remediation.trim().is_empty() {
                p.push("`remediation` is missing".into());
            }
            if r.abuse_scenarios.is_empty() {
                p.push("`abuse_scenarios` is empty".into());
            }
            if r.tests.is_none() {
                p.push("`tests` (fires / near_miss) is missing".into());
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_hash_matches() {
        let runtime = EMBEDDED
            .iter()
            .fold(0, |h, (_, text)| crate::source::fnv1a(h, text.as_bytes()));
        assert_eq!(embedded_hash(), runtime);
        let version = Catalog::embedded().version();
        assert!(version.ends_with(&format!("{:012x}", runtime & 0xffff_ffff_ffff)));
    }
}
