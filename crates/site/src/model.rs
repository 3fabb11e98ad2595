//! Aggregates over the scan summaries (no reports needed): counts, rule and tag usage,
//! categories, and the reverse map from a page path to what it shows.

use std::collections::{BTreeMap, HashMap};

use rbac_lens_atlas::ScanStatus;
use rbac_lens_atlas::model::level_index;
use rbac_lens_atlas::view::ChartIndex;
use rbac_lens_core::catalog::Catalog;

use crate::paths;

/// Where a chart version sits in the [`ChartIndex`]: (chart, version) indices.
pub type At = (usize, usize);

/// Which charts and versions use a rule or a tag.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    /// Every version (failed scans have no rules or tags, so never appear), chart by chart,
    /// newest version first.
    pub versions: Vec<At>,
    /// Charts whose newest analysed version has it.
    pub latest_charts: Vec<usize>,
}

impl Usage {
    /// Whether chart `c`'s newest analysed version has it (`latest_charts` is built in
    /// chart order, hence sorted).
    pub fn has_latest(&self, c: usize) -> bool {
        self.latest_charts.binary_search(&c).is_ok()
    }

    /// Distinct charts with at least one version.
    pub fn charts(&self) -> usize {
        let mut n = 0;
        let mut last = usize::MAX;
        for &(c, _) in &self.versions {
            if c != last {
                n += 1;
                last = c;
            }
        }
        n
    }
}

#[derive(Clone, Debug, Default)]
pub struct Aggregates {
    pub versions: usize,
    pub failed: usize,
    pub partial: usize,
    /// Permission rows over every version, per level [Low..Critical].
    pub rows_by_level: [u64; 4],
    pub rows: u64,
    /// Versions by highest level: [none, Low, Medium, High, Critical].
    pub versions_by_highest: [usize; 5],
    /// Charts (newest analysed version) by highest level: [none, Low, .., Critical].
    pub charts_by_highest: [usize; 5],
    /// Charts whose newest analysed version reaches cluster-admin.
    pub charts_cluster_admin: usize,
    pub rules: BTreeMap<u32, Usage>,
    pub tags: BTreeMap<String, Usage>,
    /// Chart keyword → charts whose newest analysed version lists it.
    pub categories: BTreeMap<String, Vec<usize>>,
    /// The most recent scans, newest first.
    pub latest_scans: Vec<At>,
    by_dir: HashMap<String, usize>,
    versions_by_seg: Vec<HashMap<String, usize>>,
    tag_by_seg: HashMap<String, String>,
    category_by_seg: HashMap<String, String>,
    rule_ids: Vec<u32>,
}

/// What a page path shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Located {
    Rule(u32),
    Tag(String),
    Category(String),
    Chart(usize),
    VersionsJs(usize),
    Version(usize, usize),
    Diff(usize, usize),
    ReportJson(usize, usize),
}

impl Aggregates {
    pub fn build(index: &ChartIndex, catalog: &Catalog) -> Aggregates {
        let mut a = Aggregates {
            rule_ids: catalog.rules().iter().map(|r| r.id).collect(),
            ..Aggregates::default()
        };
        let mut scans: Vec<(i64, At)> = Vec::new();
        for (c, entry) in index.charts.iter().enumerate() {
            a.by_dir.insert(paths::chart_dir(&entry.id), c);
            let mut segs = HashMap::new();
            for (v, s) in entry.versions.iter().enumerate() {
                segs.insert(paths::segment(&s.version), v);
                a.versions += 1;
                match s.status {
                    ScanStatus::Failed => a.failed += 1,
                    ScanStatus::Partial => a.partial += 1,
                    ScanStatus::Ok => {}
                }
                for l in 0..4 {
                    a.rows_by_level[l] += u64::from(s.level_counts[l]);
                }
                a.rows += u64::from(s.permissions);
                a.versions_by_highest[s.highest.map_or(0, |l| level_index(l) + 1)] += 1;
                for &r in &s.rules {
                    a.rules.entry(r).or_default().versions.push((c, v));
                }
                for t in &s.tags {
                    a.tags.entry(t.clone()).or_default().versions.push((c, v));
                }
                scans.push((s.scanned_at, (c, v)));
            }
            a.versions_by_seg.push(segs);
            if let Some(latest) = entry.latest_analyzed() {
                a.charts_by_highest[latest.highest.map_or(0, |l| level_index(l) + 1)] += 1;
                if latest.reaches_cluster_admin {
                    a.charts_cluster_admin += 1;
                }
                for &r in &latest.rules {
                    a.rules.entry(r).or_default().latest_charts.push(c);
                }
                for t in &latest.tags {
                    a.tags.entry(t.clone()).or_default().latest_charts.push(c);
                }
                let mut kws: Vec<String> = latest
                    .keywords
                    .iter()
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect();
                kws.sort();
                kws.dedup();
                for k in kws {
                    a.categories.entry(k).or_default().push(c);
                }
            }
        }
        // Rule pages link every tag of the catalog, found in the data or not.
        for r in catalog.rules() {
            for t in &r.tags {
                a.tags.entry(t.clone()).or_default();
            }
        }
        for t in a.tags.keys() {
            a.tag_by_seg.insert(paths::segment(t), t.clone());
        }
        for k in a.categories.keys() {
            a.category_by_seg.insert(paths::segment(k), k.clone());
        }
        // Newest scans first; ties by chart order, so the list is deterministic.
        scans.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        a.latest_scans = scans.into_iter().take(15).map(|(_, at)| at).collect();
        a
    }

    /// What the page at `path` shows, if it is a per-chart, per-rule, per-tag or
    /// per-category page.
    pub fn locate(&self, path: &str) -> Option<Located> {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["rules", id, "index.html"] => {
                let id: u32 = id.parse().ok()?;
                self.rule_ids.contains(&id).then_some(Located::Rule(id))
            }
            ["tags", seg, "index.html"] => self.tag_by_seg.get(*seg).cloned().map(Located::Tag),
            ["categories", seg, "index.html"] => self
                .category_by_seg
                .get(*seg)
                .cloned()
                .map(Located::Category),
            ["charts", repo, chart, file] => {
                let c = *self.by_dir.get(&format!("charts/{repo}/{chart}"))?;
                match *file {
                    "index.html" => Some(Located::Chart(c)),
                    "versions.js" => Some(Located::VersionsJs(c)),
                    _ => None,
                }
            }
            ["charts", repo, chart, version, file] => {
                let c = *self.by_dir.get(&format!("charts/{repo}/{chart}"))?;
                let v = *self.versions_by_seg.get(c)?.get(*version)?;
                match *file {
                    "index.html" => Some(Located::Version(c, v)),
                    "diff.html" => Some(Located::Diff(c, v)),
                    "report.json" => Some(Located::ReportJson(c, v)),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
