//! Views derived from stored scans, shared by the static site and the HTTP API so both
//! answer alike: charts with their versions in semantic-version order, version diffs, and
//! search by permission ("who can create serviceaccounts/token").

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rbac_lens_core::catalog::RiskLevel;
use rbac_lens_report::Report;
use rbac_lens_report::model::Permission;
use serde::Serialize;

use crate::model::{ChartId, ScanStatus, ScanSummary};

// ---------------------------------------------------------------------------------------------
// Version order

/// Order two chart versions: semantic versions by precedence (a pre-release sorts before its
/// release; a leading `v` is ignored), anything unparsable below every semantic version and
/// among itself in natural order (`1.10` after `1.9`). Ties fall back to the text, so the
/// order is total and deterministic.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parse = |s: &str| semver::Version::parse(s.strip_prefix('v').unwrap_or(s)).ok();
    let by_precedence = match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp_precedence(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => natural_cmp(a, b),
    };
    by_precedence.then_with(|| a.cmp(b))
}

/// Compare runs of digits by value and everything else by text.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let dx = x.chars().next().is_some_and(|c| c.is_ascii_digit());
        let dy = y.chars().next().is_some_and(|c| c.is_ascii_digit());
        let split = |s: &str, digits: bool| {
            let end = s
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(s.len());
            (s[..end].to_string(), s[end..].to_string())
        };
        let (px, rx) = split(x, dx);
        let (py, ry) = split(y, dy);
        let ord = if dx && dy {
            let (tx, ty) = (px.trim_start_matches('0'), py.trim_start_matches('0'));
            tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
        } else {
            px.cmp(&py)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        x = &a[a.len() - rx.len()..];
        y = &b[b.len() - ry.len()..];
    }
}

// ---------------------------------------------------------------------------------------------
// Chart index

/// One chart with all its scanned versions, newest first.
#[derive(Clone, Debug, Serialize)]
pub struct ChartEntry {
    pub id: ChartId,
    pub versions: Vec<ScanSummary>,
}

impl ChartEntry {
    /// The newest version (failed scans included: a failure of the newest release is news).
    pub fn latest(&self) -> &ScanSummary {
        &self.versions[0]
    }

    /// The newest version whose scan produced a report.
    pub fn latest_analyzed(&self) -> Option<&ScanSummary> {
        self.versions
            .iter()
            .find(|v| v.status != ScanStatus::Failed)
    }

    pub fn version(&self, version: &str) -> Option<&ScanSummary> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The next older analysed version before `version` (what a diff compares against).
    pub fn previous(&self, version: &str) -> Option<&ScanSummary> {
        let at = self.versions.iter().position(|v| v.version == version)?;
        self.versions[at + 1..]
            .iter()
            .find(|v| v.status != ScanStatus::Failed)
    }
}

/// Every chart of a store, sorted by repo then chart name.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChartIndex {
    pub charts: Vec<ChartEntry>,
}

impl ChartIndex {
    /// Group summaries by chart and order versions newest first. Should a store hand out
    /// two scans of one version, the newer scan (higher id) wins.
    pub fn build(summaries: Vec<ScanSummary>) -> ChartIndex {
        let mut by_chart: BTreeMap<ChartId, BTreeMap<String, ScanSummary>> = BTreeMap::new();
        for s in summaries {
            let versions = by_chart.entry(s.chart.clone()).or_default();
            match versions.get(&s.version) {
                Some(old) if old.id > s.id => {}
                _ => {
                    versions.insert(s.version.clone(), s);
                }
            }
        }
        let charts = by_chart
            .into_iter()
            .map(|(id, versions)| {
                let mut versions: Vec<ScanSummary> = versions.into_values().collect();
                versions.sort_by(|a, b| compare_versions(&b.version, &a.version));
                ChartEntry { id, versions }
            })
            .collect();
        ChartIndex { charts }
    }

    pub fn get(&self, repo: &str, chart: &str) -> Option<&ChartEntry> {
        self.charts
            .binary_search_by(|c| (c.id.repo.as_str(), c.id.chart.as_str()).cmp(&(repo, chart)))
            .ok()
            .map(|i| &self.charts[i])
    }

    pub fn version(&self, repo: &str, chart: &str, version: &str) -> Option<&ScanSummary> {
        self.get(repo, chart)?.version(version)
    }

    /// The newest version of every chart.
    pub fn latest(&self) -> impl Iterator<Item = &ScanSummary> {
        self.charts.iter().map(|c| c.latest())
    }

    /// Every scan of every chart.
    pub fn all(&self) -> impl Iterator<Item = &ScanSummary> {
        self.charts.iter().flat_map(|c| c.versions.iter())
    }
}

// ---------------------------------------------------------------------------------------------
// Version diff

/// Who holds a permission: the subject and where the grant applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// `ServiceAccount`, `User` or `Group`.
    pub kind: String,
    pub name: String,
    /// The ServiceAccount's namespace; for users and groups the grant's scope.
    pub namespace: String,
}

/// Permissions gained or lost between two versions, for one holder on one resource.
/// Verbs are compared one by one: `get` gaining `create` shows `create` as added.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionChange {
    pub holder: Holder,
    /// A namespace, or `*` for cluster-wide.
    pub scope: String,
    pub api_group: String,
    pub resource: String,
    pub resource_name: String,
    pub verbs: Vec<String>,
    /// The highest level of the rows granting these verbs (in the version that has them).
    pub risk_level: RiskLevel,
    /// The roles granting them there, as `Kind/name`.
    pub roles: Vec<String>,
}

/// A rule that newly fires (or stopped firing) for a holder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingChange {
    pub holder: Holder,
    pub rule_id: u32,
    pub rule_name: String,
    pub risk_level: RiskLevel,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionDiff {
    pub from: String,
    pub to: String,
    pub added_permissions: Vec<PermissionChange>,
    pub removed_permissions: Vec<PermissionChange>,
    pub added_findings: Vec<FindingChange>,
    pub removed_findings: Vec<FindingChange>,
    /// Identities present in only one of the versions (`Kind/namespace/name`).
    pub added_identities: Vec<String>,
    pub removed_identities: Vec<String>,
    /// Permission rows per level, `to` minus `from`: [Low, Medium, High, Critical].
    pub level_delta: [i64; 4],
}

impl VersionDiff {
    pub fn is_empty(&self) -> bool {
        self.added_permissions.is_empty()
            && self.removed_permissions.is_empty()
            && self.added_findings.is_empty()
            && self.removed_findings.is_empty()
            && self.added_identities.is_empty()
            && self.removed_identities.is_empty()
    }
}

fn holder(p: &Permission) -> Holder {
    match (&p.service_account_name, &p.subject_kind, &p.subject_name) {
        (Some(sa), _, _) => Holder {
            kind: "ServiceAccount".into(),
            name: sa.clone(),
            namespace: p.namespace.clone(),
        },
        (None, kind, name) => Holder {
            kind: kind
                .map(|k| format!("{k:?}"))
                .unwrap_or_else(|| "Subject".into()),
            name: name.clone().unwrap_or_default(),
            namespace: p.namespace.clone(),
        },
    }
}

/// (holder, scope, group, resource, resourceName) → verb → (level, roles).
type VerbMap = BTreeMap<
    (Holder, String, String, String, String),
    BTreeMap<String, (RiskLevel, BTreeSet<String>)>,
>;

fn rows(r: &Report) -> impl Iterator<Item = &Permission> {
    r.service_account_permissions
        .iter()
        .chain(&r.subject_permissions)
}

fn verb_map(r: &Report) -> VerbMap {
    let mut map = VerbMap::new();
    for p in rows(r) {
        let key = (
            holder(p),
            p.scope.clone(),
            p.api_group.clone(),
            p.resource.clone(),
            p.resource_name.clone(),
        );
        let verbs = map.entry(key).or_default();
        for v in p.verbs.iter().filter(|v| !p.ineffective_verbs.contains(v)) {
            let e = verbs
                .entry(v.clone())
                .or_insert((p.risk_level, BTreeSet::new()));
            e.0 = e.0.max(p.risk_level);
            e.1.insert(format!("{}/{}", p.role_type, p.role_name));
        }
    }
    map
}

/// Verbs in `a` but not in `b`, grouped per holder and resource.
fn verbs_only_in(a: &VerbMap, b: &VerbMap) -> Vec<PermissionChange> {
    let mut out = Vec::new();
    for (key, verbs) in a {
        let other = b.get(key);
        let mut change: Option<PermissionChange> = None;
        for (verb, (level, roles)) in verbs {
            if other.is_some_and(|o| o.contains_key(verb)) {
                continue;
            }
            let c = change.get_or_insert_with(|| PermissionChange {
                holder: key.0.clone(),
                scope: key.1.clone(),
                api_group: key.2.clone(),
                resource: key.3.clone(),
                resource_name: key.4.clone(),
                verbs: Vec::new(),
                risk_level: *level,
                roles: Vec::new(),
            });
            c.verbs.push(verb.clone());
            c.risk_level = c.risk_level.max(*level);
            for r in roles {
                if !c.roles.contains(r) {
                    c.roles.push(r.clone());
                }
            }
        }
        out.extend(change);
    }
    out
}

fn findings(r: &Report) -> BTreeMap<(Holder, u32), FindingChange> {
    let mut out = BTreeMap::new();
    for p in rows(r) {
        for m in &p.matched_risk_rules {
            out.entry((holder(p), m.id))
                .or_insert_with(|| FindingChange {
                    holder: holder(p),
                    rule_id: m.id,
                    rule_name: m.name.clone(),
                    risk_level: m.risk_level,
                });
        }
    }
    out
}

fn identities(r: &Report) -> BTreeSet<String> {
    r.identities
        .iter()
        .map(|i| {
            format!(
                "{:?}/{}/{}",
                i.kind,
                i.namespace.as_deref().unwrap_or(""),
                i.name
            )
        })
        .collect()
}

fn level_counts(r: &Report) -> [i64; 4] {
    let mut c = [0i64; 4];
    for p in rows(r) {
        c[crate::model::level_index(p.risk_level)] += 1;
    }
    c
}

/// What changed from one version's report to another's.
pub fn diff(from: &Report, to: &Report) -> VersionDiff {
    let (old, new) = (verb_map(from), verb_map(to));
    let (fo, fnew) = (findings(from), findings(to));
    let (io, inew) = (identities(from), identities(to));
    let (co, cn) = (level_counts(from), level_counts(to));
    VersionDiff {
        from: from.metadata.version.clone(),
        to: to.metadata.version.clone(),
        added_permissions: verbs_only_in(&new, &old),
        removed_permissions: verbs_only_in(&old, &new),
        added_findings: fnew
            .iter()
            .filter(|(k, _)| !fo.contains_key(k))
            .map(|(_, v)| v.clone())
            .collect(),
        removed_findings: fo
            .iter()
            .filter(|(k, _)| !fnew.contains_key(k))
            .map(|(_, v)| v.clone())
            .collect(),
        added_identities: inew.difference(&io).cloned().collect(),
        removed_identities: io.difference(&inew).cloned().collect(),
        level_delta: std::array::from_fn(|i| cn[i] - co[i]),
    }
}

// ---------------------------------------------------------------------------------------------
// Search by permission

/// "Who can VERB RESOURCE in GROUP": every field optional (`None` matches anything).
/// `group` is the API group (`""` or `core` for the core group); `resource` may name a
/// subresource (`serviceaccounts/token`) or, starting with `/`, a non-resource URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PermissionQuery {
    pub verb: Option<String>,
    pub resource: Option<String>,
    pub group: Option<String>,
}

impl PermissionQuery {
    pub fn new(verb: Option<&str>, resource: Option<&str>, group: Option<&str>) -> Self {
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        PermissionQuery {
            verb: clean(verb).map(|v| v.to_ascii_lowercase()),
            resource: clean(resource).map(|r| r.to_ascii_lowercase()),
            // `core` is how people (and the site) write the core group, which is "".
            group: group.map(str::trim).map(|g| {
                if g == "core" {
                    String::new()
                } else {
                    g.to_ascii_lowercase()
                }
            }),
        }
    }
}

/// Whether a granted rule (one group, one resource, some verbs) covers the query, with the
/// authorizer's wildcards: `*` verbs, `*` group, `*` resource (every resource and
/// subresource), `*/sub` (that subresource of any resource); non-resource URLs match exactly
/// or by a trailing `*` prefix.
pub fn covers(
    query: &PermissionQuery,
    api_group: &str,
    resource: &str,
    verbs: &[String],
    non_resource_url: bool,
) -> bool {
    let verb_ok = match &query.verb {
        None => true,
        Some(v) => verbs.iter().any(|g| g == "*" || g == v),
    };
    if !verb_ok {
        return false;
    }
    let wants_url = query
        .resource
        .as_deref()
        .is_some_and(|r| r.starts_with('/'));
    if non_resource_url || wants_url {
        if !(non_resource_url && wants_url) {
            return query.resource.is_none() && query.group.is_none() && non_resource_url;
        }
        let want = query.resource.as_deref().unwrap_or_default();
        return resource == want
            || resource
                .strip_suffix('*')
                .is_some_and(|prefix| want.starts_with(prefix));
    }
    let group_ok = match &query.group {
        None => true,
        Some(g) => api_group == "*" || api_group == g,
    };
    let resource_ok = match &query.resource {
        None => true,
        Some(want) => {
            resource == "*"
                || resource == want
                || resource
                    .strip_prefix("*/")
                    .is_some_and(|sub| want.split_once('/').is_some_and(|(_, wsub)| wsub == sub))
        }
    };
    group_ok && resource_ok
}

/// One row answering a search.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub scan_id: i64,
    #[serde(flatten)]
    pub chart: ChartId,
    pub version: String,
    pub holder: Holder,
    pub scope: String,
    pub role: String,
    pub api_group: String,
    pub resource: String,
    pub resource_name: String,
    pub verbs: Vec<String>,
    pub risk_level: RiskLevel,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// More rows matched than the limit allowed.
    pub truncated: bool,
}

/// Interned strings: many rows repeat the same verbs, groups and role names.
#[derive(Default)]
struct Strings {
    ids: HashMap<Box<str>, u32>,
    all: Vec<Box<str>>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }
    fn get(&self, id: u32) -> &str {
        &self.all[id as usize]
    }
}

struct Row {
    scan: u32,
    holder_kind: u32,
    holder_name: u32,
    namespace: u32,
    scope: u32,
    role: u32,
    api_group: u32,
    resource: u32,
    resource_name: u32,
    verbs: Box<[u32]>,
    non_resource_url: bool,
    level: RiskLevel,
}

/// An in-memory index of every permission row of the scans added, for [`covers`] queries.
#[derive(Default)]
pub struct SearchIndex {
    strings: Strings,
    scans: Vec<(i64, ChartId, String)>,
    rows: Vec<Row>,
}

impl SearchIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Index the rows of one scan's report (ineffective verbs left out: they grant nothing).
    pub fn add(&mut self, summary: &ScanSummary, report: &Report) {
        let scan = self.scans.len() as u32;
        self.scans
            .push((summary.id, summary.chart.clone(), summary.version.clone()));
        for p in rows(report) {
            let h = holder(p);
            let s = &mut self.strings;
            let verbs: Box<[u32]> = p
                .verbs
                .iter()
                .filter(|v| !p.ineffective_verbs.contains(v))
                .map(|v| s.id(v))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let row = Row {
                scan,
                holder_kind: s.id(&h.kind),
                holder_name: s.id(&h.name),
                namespace: s.id(&h.namespace),
                scope: s.id(&p.scope),
                role: s.id(&format!("{}/{}", p.role_type, p.role_name)),
                api_group: s.id(&p.api_group),
                resource: s.id(&p.resource),
                resource_name: s.id(&p.resource_name),
                verbs,
                non_resource_url: p.non_resource_url,
                level: p.risk_level,
            };
            self.rows.push(row);
        }
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Rows covering the query, highest risk first, then by chart, version, holder; at most
    /// `limit` of them.
    pub fn search(&self, query: &PermissionQuery, limit: usize) -> SearchResult {
        let s = &self.strings;
        let mut matched: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| {
                let verbs: Vec<String> = r.verbs.iter().map(|&v| s.get(v).to_string()).collect();
                covers(
                    query,
                    s.get(r.api_group),
                    s.get(r.resource),
                    &verbs,
                    r.non_resource_url,
                )
            })
            .collect();
        matched.sort_by(|a, b| {
            b.level.cmp(&a.level).then_with(|| {
                let (sa, sb) = (&self.scans[a.scan as usize], &self.scans[b.scan as usize]);
                sa.1.cmp(&sb.1)
                    .then_with(|| compare_versions(&sb.2, &sa.2))
                    .then_with(|| s.get(a.holder_name).cmp(s.get(b.holder_name)))
                    .then_with(|| s.get(a.resource).cmp(s.get(b.resource)))
            })
        });
        let truncated = matched.len() > limit;
        let hits = matched
            .into_iter()
            .take(limit)
            .map(|r| {
                let (scan_id, chart, version) = &self.scans[r.scan as usize];
                SearchHit {
                    scan_id: *scan_id,
                    chart: chart.clone(),
                    version: version.clone(),
                    holder: Holder {
                        kind: s.get(r.holder_kind).to_string(),
                        name: s.get(r.holder_name).to_string(),
                        namespace: s.get(r.namespace).to_string(),
                    },
                    scope: s.get(r.scope).to_string(),
                    role: s.get(r.role).to_string(),
                    api_group: s.get(r.api_group).to_string(),
                    resource: s.get(r.resource).to_string(),
                    resource_name: s.get(r.resource_name).to_string(),
                    verbs: r.verbs.iter().map(|&v| s.get(v).to_string()).collect(),
                    risk_level: r.level,
                }
            })
            .collect();
        SearchResult { hits, truncated }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_semantically() {
        let mut v = vec![
            "1.10.0",
            "1.9.0",
            "v1.2.0",
            "1.10.0-rc.1",
            "2.0.0",
            "latest",
            "1.2",
        ];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            v,
            [
                "1.2",
                "latest",
                "v1.2.0",
                "1.9.0",
                "1.10.0-rc.1",
                "1.10.0",
                "2.0.0"
            ]
        );
        assert_eq!(natural_cmp("a10", "a9"), Ordering::Greater);
        assert_eq!(natural_cmp("a010", "a10"), Ordering::Equal);
        assert_eq!(compare_versions("a010", "a10"), Ordering::Less);
    }

    fn q(verb: &str, resource: &str, group: Option<&str>) -> PermissionQuery {
        PermissionQuery::new(Some(verb), Some(resource), group)
    }

    fn verbs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn covers_follows_rbac_wildcards() {
        let token = q("create", "serviceaccounts/token", Some("core"));
        assert!(covers(
            &token,
            "",
            "serviceaccounts/token",
            &verbs(&["create"]),
            false
        ));
        assert!(covers(&token, "*", "*", &verbs(&["*"]), false));
        assert!(covers(&token, "", "*/token", &verbs(&["create"]), false));
        // Near misses: the parent resource, another verb, another group, another subresource.
        assert!(!covers(
            &token,
            "",
            "serviceaccounts",
            &verbs(&["create"]),
            false
        ));
        assert!(!covers(
            &token,
            "",
            "serviceaccounts/token",
            &verbs(&["get"]),
            false
        ));
        assert!(!covers(
            &token,
            "apps",
            "serviceaccounts/token",
            &verbs(&["create"]),
            false
        ));
        assert!(!covers(&token, "", "*/exec", &verbs(&["create"]), false));
        // Any group when the query has none.
        let any = PermissionQuery::new(Some("get"), Some("secrets"), None);
        assert!(covers(&any, "", "secrets", &verbs(&["get", "list"]), false));
        // Non-resource URLs only answer URL queries.
        let url = q("get", "/metrics", None);
        assert!(covers(&url, "", "/metrics", &verbs(&["get"]), true));
        assert!(covers(&url, "", "/*", &verbs(&["get"]), true));
        assert!(!covers(&url, "*", "*", &verbs(&["*"]), false));
        assert!(!covers(&any, "", "/secrets", &verbs(&["get"]), true));
    }
}
