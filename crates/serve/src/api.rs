//! The read-only JSON API over the loaded atlas. Handlers answer from the in-memory indexes
//! and ready-serialized bodies; only a version page or a diff reads a report from the store
//! (in `spawn_blocking`) the first time it is asked for, then it is cached.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rbac_lens_atlas::view::{self, PermissionQuery, SearchHit};
use rbac_lens_atlas::{ScanStatus, ScanSummary};
use rbac_lens_core::catalog::{RiskLevel, Rule};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::atlas::{Atlas, to_bytes};
use crate::error::ApiError;

pub type AppState = Arc<crate::AppState>;

/// A JSON body that is already serialized.
pub fn json(body: Bytes) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Query strings are parsed by us so that a bad one is a 400 naming the parameter.
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("bad query string: {}", e.body_text())))
}

// --------------------------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health<'a> {
    status: &'a str,
    charts: usize,
    versions: usize,
    permission_rows: usize,
    /// Reports the store could not hand back at startup.
    unreadable_reports: usize,
    tool_version: &'a str,
    catalog_version: String,
}

pub async fn healthz(State(app): State<AppState>) -> Response {
    let a = &app.atlas;
    json(to_bytes(&Health {
        status: "ok",
        charts: a.index.charts.len(),
        versions: a.version_count(),
        permission_rows: a.search.rows(),
        unreadable_reports: a.load_errors.len(),
        tool_version: env!("CARGO_PKG_VERSION"),
        catalog_version: a.catalog.version(),
    }))
}

// --------------------------------------------------------------------------------------------
// Rules

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesQuery {
    category: Option<String>,
    tag: Option<String>,
    level: Option<RiskLevel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleListItem<'a> {
    id: u32,
    name: &'a str,
    category: &'a str,
    risk_level: RiskLevel,
    tags: &'a [String],
    link: String,
    /// Charts with at least one version triggering the rule.
    charts: usize,
    /// Chart versions triggering it.
    versions: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleList<'a> {
    catalog_version: String,
    total: usize,
    rules: Vec<RuleListItem<'a>>,
}

fn trigger_counts(a: &Atlas, id: u32) -> (usize, usize) {
    a.triggers
        .get(&id)
        .map(|m| (m.len(), m.values().map(Vec::len).sum()))
        .unwrap_or((0, 0))
}

pub async fn rules(
    State(app): State<AppState>,
    q: Result<Query<RulesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let a = &app.atlas;
    let rules: Vec<RuleListItem> = a
        .catalog
        .rules()
        .iter()
        .filter(|r| {
            q.category
                .as_deref()
                .is_none_or(|c| r.category.eq_ignore_ascii_case(c))
                && q.tag
                    .as_deref()
                    .is_none_or(|t| r.tags.iter().any(|x| x == t))
                && q.level.is_none_or(|l| r.risk_level == l)
        })
        .map(|r| {
            let (charts, versions) = trigger_counts(a, r.id);
            RuleListItem {
                id: r.id,
                name: &r.name,
                category: &r.category,
                risk_level: r.risk_level,
                tags: &r.tags,
                link: r.link(),
                charts,
                versions,
            }
        })
        .collect();
    Ok(json(to_bytes(&RuleList {
        catalog_version: a.catalog.version(),
        total: rules.len(),
        rules,
    })))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Trigger<'a> {
    repo: &'a str,
    chart: &'a str,
    /// Versions triggering the rule, newest first.
    versions: &'a [String],
    /// Whether the chart's newest version triggers it.
    latest: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RulePage<'a> {
    /// The catalog entry, in the catalog's own field names.
    rule: &'a Rule,
    link: String,
    triggered_by: Vec<Trigger<'a>>,
}

pub async fn rule(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: u32 = id
        .parse()
        .map_err(|_| ApiError::bad_request(format!("rule id `{id}` is not a number")))?;
    let a = &app.atlas;
    let rule = a
        .catalog
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no rule {id} in the catalog")))?;
    let triggered_by = a
        .triggers
        .get(&id)
        .into_iter()
        .flatten()
        .map(|((repo, chart), versions)| Trigger {
            repo,
            chart,
            versions,
            latest: a
                .index
                .get(repo, chart)
                .is_some_and(|c| c.latest().rules.contains(&id)),
        })
        .collect();
    Ok(json(to_bytes(&RulePage {
        rule,
        link: rule.link(),
        triggered_by,
    })))
}

// --------------------------------------------------------------------------------------------
// Charts

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartsQuery {
    /// Text in the chart name, repo, description or keywords.
    q: Option<String>,
    repo: Option<String>,
    /// Minimum highest risk of the latest version.
    risk: Option<RiskLevel>,
    tag: Option<String>,
    rule: Option<u32>,
    status: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
struct ChartList<'a> {
    total: usize,
    offset: usize,
    charts: Vec<crate::atlas::ChartListItem<'a>>,
}

pub async fn charts(
    State(app): State<AppState>,
    q: Result<Query<ChartsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    if let Some(s) = q.status.as_deref()
        && !["ok", "partial", "failed"].contains(&s)
    {
        return Err(ApiError::bad_request(format!(
            "status `{s}`: expected ok, partial or failed"
        )));
    }
    let a = &app.atlas;
    let text = q.q.as_deref().map(str::to_lowercase);
    let matching: Vec<_> = a
        .index
        .charts
        .iter()
        .filter(|c| {
            let l = c.latest();
            q.repo.as_deref().is_none_or(|r| c.id.repo == r)
                && q.risk.is_none_or(|min| l.highest.is_some_and(|h| h >= min))
                && q.tag
                    .as_deref()
                    .is_none_or(|t| l.tags.iter().any(|x| x == t))
                && q.rule.is_none_or(|r| l.rules.contains(&r))
                && q.status.as_deref().is_none_or(|s| l.status.as_str() == s)
                && text.as_deref().is_none_or(|t| {
                    c.id.chart.to_lowercase().contains(t)
                        || c.id.repo.to_lowercase().contains(t)
                        || l.description.to_lowercase().contains(t)
                        || l.keywords.iter().any(|k| k.to_lowercase().contains(t))
                })
        })
        .collect();
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(usize::MAX);
    let list = ChartList {
        total: matching.len(),
        offset,
        charts: matching
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|c| a.list_item(c))
            .collect(),
    };
    Ok(json(to_bytes(&list)))
}

pub async fn chart(
    State(app): State<AppState>,
    Path((repo, chart)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    app.atlas
        .chart_pages
        .get(&(repo.clone(), chart.clone()))
        .cloned()
        .map(json)
        .ok_or_else(|| ApiError::not_found(format!("no chart {repo}/{chart} in the atlas")))
}

/// Read a stored report's JSON off the async workers.
async fn report_json(app: &AppState, id: i64) -> Result<Option<String>, ApiError> {
    let store = app.atlas.store.clone();
    tokio::task::spawn_blocking(move || store.report_json(id))
        .await
        .map_err(|e| ApiError::internal(format!("reading report {id}: {e}")))?
        .map_err(|e| ApiError::internal(format!("reading report {id}: {e}")))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionPage<'a> {
    summary: &'a ScanSummary,
    /// The next older analysed version (the default `from` of a diff).
    previous_version: Option<&'a str>,
    /// The stored report (`null` for a failed scan: `summary.error` says why).
    report: Option<Box<RawValue>>,
}

pub async fn version(
    State(app): State<AppState>,
    Path((repo, chart, version)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let key = format!("version\0{repo}\0{chart}\0{version}");
    if let Some(body) = app.atlas.cache.get(&key) {
        return Ok(json(body));
    }
    let a = &app.atlas;
    let entry = a
        .index
        .get(&repo, &chart)
        .ok_or_else(|| ApiError::not_found(format!("no chart {repo}/{chart} in the atlas")))?;
    let summary = entry.version(&version).ok_or_else(|| {
        ApiError::not_found(format!(
            "no version {version} of {repo}/{chart} (known: {})",
            known_versions(entry)
        ))
    })?;
    let report = if summary.status == ScanStatus::Failed {
        None
    } else {
        let text = report_json(&app, summary.id).await?.ok_or_else(|| {
            ApiError::internal(format!("report {} is missing from the store", summary.id))
        })?;
        Some(RawValue::from_string(text).map_err(|e| {
            ApiError::internal(format!("stored report {} is not JSON: {e}", summary.id))
        })?)
    };
    let body = to_bytes(&VersionPage {
        summary,
        previous_version: entry.previous(&version).map(|s| s.version.as_str()),
        report,
    });
    a.cache.put(key, body.clone());
    Ok(json(body))
}

fn known_versions(entry: &view::ChartEntry) -> String {
    let mut list: Vec<&str> = entry
        .versions
        .iter()
        .take(10)
        .map(|s| s.version.as_str())
        .collect();
    if entry.versions.len() > 10 {
        list.push("...");
    }
    list.join(", ")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct DiffPage<'a> {
    repo: &'a str,
    chart: &'a str,
    #[serde(flatten)]
    diff: view::VersionDiff,
}

pub async fn diff(
    State(app): State<AppState>,
    Path((repo, chart)): Path<(String, String)>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let a = &app.atlas;
    let entry = a
        .index
        .get(&repo, &chart)
        .ok_or_else(|| ApiError::not_found(format!("no chart {repo}/{chart} in the atlas")))?;
    let find = |v: &str| {
        entry.version(v).ok_or_else(|| {
            ApiError::not_found(format!(
                "no version {v} of {repo}/{chart} (known: {})",
                known_versions(entry)
            ))
        })
    };
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => find(v)?,
        None => entry.latest_analyzed().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("no version of {repo}/{chart} was analysed successfully"),
            )
        })?,
    };
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => find(v)?,
        None => entry.previous(&to.version).ok_or_else(|| {
            ApiError::not_found(format!(
                "{repo}/{chart} has no analysed version before {}: nothing to compare with",
                to.version
            ))
        })?,
    };
    for s in [from, to] {
        if s.status == ScanStatus::Failed {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "version {} of {repo}/{chart} failed to scan ({}): no report to compare",
                    s.version, s.error
                ),
            ));
        }
    }
    let key = format!("diff\0{repo}\0{chart}\0{}\0{}", from.version, to.version);
    if let Some(body) = a.cache.get(&key) {
        return Ok(json(body));
    }
    let (from_id, to_id) = (from.id, to.id);
    let store = a.store.clone();
    let diff = tokio::task::spawn_blocking(move || {
        let old = store.report(from_id)?;
        let new = store.report(to_id)?;
        Ok::<_, rbac_lens_atlas::StoreError>(old.zip(new).map(|(o, n)| view::diff(&o, &n)))
    })
    .await
    .map_err(|e| ApiError::internal(format!("diffing: {e}")))?
    .map_err(|e| ApiError::internal(e.to_string()))?
    .ok_or_else(|| ApiError::internal("a report to compare is missing from the store"))?;
    let body = to_bytes(&DiffPage {
        repo: &repo,
        chart: &chart,
        diff,
    });
    a.cache.put(key, body.clone());
    Ok(json(body))
}

// --------------------------------------------------------------------------------------------
// Search

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    verb: Option<String>,
    resource: Option<String>,
    group: Option<String>,
    /// Only the newest version of each chart.
    latest: Option<bool>,
    limit: Option<usize>,
}

const SEARCH_DEFAULT_LIMIT: usize = 200;
const SEARCH_MAX_LIMIT: usize = 5000;

#[derive(Serialize)]
struct QueryEcho<'a> {
    verb: Option<&'a str>,
    resource: Option<&'a str>,
    group: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChartHit<'a> {
    repo: &'a str,
    chart: &'a str,
    /// Versions with a matching row, newest first.
    versions: Vec<&'a str>,
    highest: RiskLevel,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchPage<'a> {
    query: QueryEcho<'a>,
    /// Every chart with a matching row (not limited).
    charts: Vec<ChartHit<'a>>,
    total: usize,
    /// Matching rows, highest risk first, at most `limit`.
    hits: &'a [SearchHit],
    truncated: bool,
}

fn valid_term(name: &str, v: Option<&str>) -> Result<(), ApiError> {
    if let Some(v) = v
        && (v.len() > 253 || v.chars().any(|c| c.is_control() || c.is_whitespace()))
    {
        return Err(ApiError::bad_request(format!(
            "{name}: at most 253 characters, no spaces or control characters"
        )));
    }
    Ok(())
}

pub async fn search(
    State(app): State<AppState>,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&q.verb) && blank(&q.resource) && blank(&q.group) {
        return Err(ApiError::bad_request(
            "give at least one of verb, resource, group (e.g. ?verb=create&resource=serviceaccounts/token)",
        ));
    }
    valid_term("verb", q.verb.as_deref())?;
    valid_term("resource", q.resource.as_deref())?;
    valid_term("group", q.group.as_deref())?;
    let limit = q.limit.unwrap_or(SEARCH_DEFAULT_LIMIT);
    if limit == 0 || limit > SEARCH_MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be 1..={SEARCH_MAX_LIMIT}"
        )));
    }
    let pq = PermissionQuery::new(q.verb.as_deref(), q.resource.as_deref(), q.group.as_deref());
    let latest_only = q.latest.unwrap_or(false);
    let key = format!("search\0{pq:?}\0{latest_only}\0{limit}");
    if let Some(body) = app.atlas.cache.get(&key) {
        return Ok(json(body));
    }
    let app2 = app.clone();
    // Scanning every row is CPU work: keep it off the async workers.
    let body = tokio::task::spawn_blocking(move || {
        let a = &app2.atlas;
        let mut all = a.search.search(&pq, usize::MAX).hits;
        if latest_only {
            all.retain(|h| {
                a.index
                    .get(&h.chart.repo, &h.chart.chart)
                    .is_some_and(|c| c.latest().version == h.version)
            });
        }
        let mut charts: Vec<ChartHit> = Vec::new();
        let mut by_chart: std::collections::BTreeMap<(&str, &str), (Vec<&str>, RiskLevel)> =
            Default::default();
        for h in &all {
            let e = by_chart
                .entry((&h.chart.repo, &h.chart.chart))
                .or_insert((Vec::new(), h.risk_level));
            if !e.0.contains(&h.version.as_str()) {
                e.0.push(&h.version);
            }
            e.1 = e.1.max(h.risk_level);
        }
        for ((repo, chart), (mut versions, highest)) in by_chart {
            versions.sort_by(|x, y| view::compare_versions(y, x));
            charts.push(ChartHit {
                repo,
                chart,
                versions,
                highest,
            });
        }
        let total = all.len();
        let shown = &all[..total.min(limit)];
        to_bytes(&SearchPage {
            query: QueryEcho {
                verb: pq.verb.as_deref(),
                resource: pq.resource.as_deref(),
                group: pq.group.as_deref(),
            },
            charts,
            total,
            hits: shown,
            truncated: total > limit,
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("search: {e}")))?;
    app.atlas.cache.put(key, body.clone());
    Ok(json(body))
}
