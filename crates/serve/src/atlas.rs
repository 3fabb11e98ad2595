//! The atlas as the server holds it: summaries, the chart index and the permission search
//! index, built once at startup from an [`AtlasRead`] store, plus ready-serialized responses
//! for the lists and chart pages and a bounded cache for the rest.
//!
//! Loading reads the store synchronously (a PostgreSQL client may block): call
//! [`Atlas::load`] on a plain thread, never on a tokio worker. Later reads of single reports
//! go through `spawn_blocking` in the handlers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use rbac_lens_atlas::view::{ChartIndex, SearchIndex};
use rbac_lens_atlas::{AtlasRead, ScanStatus, ScanSummary, StoreError};
use rbac_lens_core::catalog::Catalog;
use serde::Serialize;

/// Everything the handlers read. Immutable after load except the response cache.
pub struct Atlas {
    pub store: Arc<dyn AtlasRead>,
    pub catalog: &'static Catalog,
    pub index: ChartIndex,
    pub search: SearchIndex,
    /// Rule id → (repo, chart) → versions (newest first) that trigger it.
    pub triggers: HashMap<u32, BTreeMap<(String, String), Vec<String>>>,
    /// `GET /api/v1/charts/{repo}/{chart}` bodies, keyed `repo/chart`.
    pub chart_pages: HashMap<(String, String), Bytes>,
    /// Reports that could not be read at load time (id, error): served as errors, not hidden.
    pub load_errors: Vec<(i64, String)>,
    pub cache: ResponseCache,
}

/// One entry of `GET /api/v1/charts`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartListItem<'a> {
    pub repo: &'a str,
    pub chart: &'a str,
    pub version_count: usize,
    /// The newest analysed version (when the newest scan failed, an older one).
    pub latest_analyzed_version: Option<&'a str>,
    /// The newest version's scan summary: counts, highest risk, rules, tags.
    pub latest: &'a ScanSummary,
}

/// `GET /api/v1/charts/{repo}/{chart}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartPage<'a> {
    pub repo: &'a str,
    pub chart: &'a str,
    /// Every scanned version, newest first by semantic version.
    pub versions: &'a [ScanSummary],
}

impl Atlas {
    /// Read the store and build the indexes. Blocking.
    pub fn load(store: Arc<dyn AtlasRead>, cache_bytes: usize) -> Result<Atlas, StoreError> {
        let summaries = store.summaries()?;
        let index = ChartIndex::build(summaries);
        let mut search = SearchIndex::new();
        let mut load_errors = Vec::new();
        let mut triggers: HashMap<u32, BTreeMap<(String, String), Vec<String>>> = HashMap::new();
        for entry in &index.charts {
            for s in &entry.versions {
                for &rule in &s.rules {
                    triggers
                        .entry(rule)
                        .or_default()
                        .entry((entry.id.repo.clone(), entry.id.chart.clone()))
                        .or_default()
                        .push(s.version.clone());
                }
                if s.status == ScanStatus::Failed {
                    continue;
                }
                // One report at a time: parsed, indexed, dropped.
                match store.report(s.id) {
                    Ok(Some(report)) => search.add(s, &report),
                    Ok(None) => load_errors.push((s.id, "report missing from the store".into())),
                    Err(e) => load_errors.push((s.id, e.to_string())),
                }
            }
        }
        let chart_pages = index
            .charts
            .iter()
            .map(|c| {
                let page = ChartPage {
                    repo: &c.id.repo,
                    chart: &c.id.chart,
                    versions: &c.versions,
                };
                ((c.id.repo.clone(), c.id.chart.clone()), to_bytes(&page))
            })
            .collect();
        Ok(Atlas {
            store,
            catalog: Catalog::embedded(),
            index,
            search,
            triggers,
            chart_pages,
            load_errors,
            cache: ResponseCache::new(cache_bytes),
        })
    }

    pub fn version_count(&self) -> usize {
        self.index.charts.iter().map(|c| c.versions.len()).sum()
    }

    pub fn list_item<'a>(&self, entry: &'a rbac_lens_atlas::view::ChartEntry) -> ChartListItem<'a> {
        ChartListItem {
            repo: &entry.id.repo,
            chart: &entry.id.chart,
            version_count: entry.versions.len(),
            latest_analyzed_version: entry.latest_analyzed().map(|s| s.version.as_str()),
            latest: entry.latest(),
        }
    }
}

/// Serialize a response body. Our own types always serialize; should one ever fail, the
/// body says so instead of panicking.
pub fn to_bytes<T: Serialize>(value: &T) -> Bytes {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .unwrap_or_else(|e| Bytes::from(format!("{{\"error\":\"serialize: {e}\"}}")))
}

/// Serialized responses by key, bounded by total size; the oldest entries go first.
pub struct ResponseCache {
    inner: Mutex<CacheInner>,
    max_bytes: usize,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<String, Bytes>,
    order: VecDeque<String>,
    bytes: usize,
}

impl ResponseCache {
    pub fn new(max_bytes: usize) -> Self {
        ResponseCache {
            inner: Mutex::new(CacheInner::default()),
            max_bytes,
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.map.get(key).cloned()
    }

    pub fn put(&self, key: String, value: Bytes) {
        // A single response larger than a quarter of the cache is not worth evicting for.
        if value.len() > self.max_bytes / 4 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.map.contains_key(&key) {
            return;
        }
        while inner.bytes + value.len() > self.max_bytes {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(v) = inner.map.remove(&old) {
                inner.bytes -= v.len();
            }
        }
        inner.bytes += value.len();
        inner.order.push_back(key.clone());
        inner.map.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_evicts_oldest_within_budget() {
        let c = ResponseCache::new(100);
        c.put("a".into(), Bytes::from(vec![0u8; 20]));
        c.put("b".into(), Bytes::from(vec![0u8; 20]));
        c.put("c".into(), Bytes::from(vec![0u8; 20]));
        c.put("d".into(), Bytes::from(vec![0u8; 20]));
        c.put("e".into(), Bytes::from(vec![0u8; 25]));
        assert!(c.get("a").is_none(), "oldest evicted");
        assert!(c.get("b").is_some() && c.get("e").is_some());
        // Too big for the cache: not stored, nothing evicted.
        c.put("huge".into(), Bytes::from(vec![0u8; 60]));
        assert!(c.get("huge").is_none());
        assert!(c.get("b").is_some());
    }
}
