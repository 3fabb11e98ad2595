//! The downloadable datasets (JSON, CSV) and the scripts that carry data to the pages
//! (`data/search.js`, each chart's `versions.js`).
//!
//! Data for the browser is a script that sets a global, not a JSON file: browsers refuse
//! `fetch()` under `file://`, but load a `<script src>` fine.

use std::collections::HashMap;
use std::io::{self, Write};

use rbac_lens_atlas::model::level_index;
use rbac_lens_atlas::view::{ChartEntry, ChartIndex};
use rbac_lens_atlas::{ScanStatus, ScanSummary};
use rbac_lens_report::Report;
use rbac_lens_report::model::Permission;
use serde_json::{Value, json};

use crate::paths;

pub const STYLE_CSS: &str = include_str!("../assets/style.css");
pub const SITE_JS: &str = include_str!("../assets/site.js");
pub const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");

/// JSON for inclusion in a script: `</` and the two line separators that older engines
/// reject in string literals are escaped, so no data can end a `<script>` or break parsing.
pub fn js_json(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// One CSV field (RFC 4180 quoting). A leading `= + - @` gets a `'` so that spreadsheets
/// do not run chart-supplied text as a formula.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn level_str(s: &ScanSummary) -> &'static str {
    s.highest.map_or("", |l| l.as_str())
}

/// Every scan summary, chart by chart, newest version first, with the site path of its
/// page and report.
pub fn summaries_json(index: &ChartIndex) -> Vec<u8> {
    let list: Vec<Value> = index
        .all()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert(
                    "page".into(),
                    json!(paths::version_page(&s.chart, &s.version)),
                );
                if s.status != ScanStatus::Failed {
                    m.insert(
                        "report".into(),
                        json!(paths::report_json(&s.chart, &s.version)),
                    );
                }
            }
            v
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&json!({ "scans": list })).unwrap_or_default();
    out.push(b'\n');
    out
}

pub const SUMMARIES_CSV_HEADER: &str = "repo,chart,version,status,error,highest_risk,critical,high,medium,low,permissions,service_accounts,workloads,reaches_cluster_admin,rules,tags,keywords,tool_version,catalog_version,scanned_at,source,page\r\n";

/// Every scan summary as CSV, one row per chart version.
pub fn summaries_csv(index: &ChartIndex) -> Vec<u8> {
    let mut out = String::from(SUMMARIES_CSV_HEADER);
    for s in index.all() {
        let n = |l: usize| s.level_counts[l].to_string();
        let rules = s
            .rules
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&csv_line(&[
            &s.chart.repo,
            &s.chart.chart,
            &s.version,
            s.status.as_str(),
            &s.error,
            level_str(s),
            &n(3),
            &n(2),
            &n(1),
            &n(0),
            &s.permissions.to_string(),
            &s.service_accounts.to_string(),
            &s.workloads.to_string(),
            if s.reaches_cluster_admin {
                "true"
            } else {
                "false"
            },
            &rules,
            &s.tags.join(" "),
            &s.keywords.join(";"),
            &s.tool_version,
            &s.catalog_version,
            &s.scanned_at.to_string(),
            &s.source,
            &paths::version_page(&s.chart, &s.version),
        ]));
    }
    out.into_bytes()
}

pub const PERMISSIONS_CSV_HEADER: &str = "repo,chart,version,subject_kind,subject,namespace,scope,role_type,role_name,binding_type,binding_name,api_group,resource,resource_name,verbs,ineffective_verbs,risk_level,tags,rules\r\n";

/// The subject of a permission row: (kind, name).
pub fn subject(p: &Permission) -> (String, String) {
    match (&p.service_account_name, &p.subject_kind, &p.subject_name) {
        (Some(sa), _, _) => ("ServiceAccount".into(), sa.clone()),
        (None, Some(k), Some(n)) => (k.as_str().into(), n.clone()),
        (None, Some(k), None) => (k.as_str().into(), String::new()),
        (None, None, n) => ("Subject".into(), n.clone().unwrap_or_default()),
    }
}

/// Append one version's permission rows to `permissions.csv`.
pub fn write_permission_rows(out: &mut impl Write, s: &ScanSummary, r: &Report) -> io::Result<()> {
    for p in r
        .service_account_permissions
        .iter()
        .chain(&r.subject_permissions)
    {
        let (kind, name) = subject(p);
        let rules = p
            .matched_risk_rules
            .iter()
            .map(|m| m.id.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        out.write_all(
            csv_line(&[
                &s.chart.repo,
                &s.chart.chart,
                &s.version,
                &kind,
                &name,
                &p.namespace,
                &p.scope,
                &p.role_type,
                &p.role_name,
                &p.binding_type,
                &p.binding_name,
                &p.api_group,
                &p.resource,
                &p.resource_name,
                &p.verbs.join(" "),
                &p.ineffective_verbs.join(" "),
                p.risk_level.as_str(),
                &p.tags.join(" "),
                &rules,
            ])
            .as_bytes(),
        )?;
    }
    Ok(())
}

/// Append one version's full report to `reports.jsonl` (one JSON object per line).
pub fn write_jsonl(out: &mut impl Write, s: &ScanSummary, r: &Report) -> io::Result<()> {
    let head = json!({"repo": s.chart.repo, "chart": s.chart.chart, "version": s.version});
    let head = serde_json::to_string(&head).unwrap_or_default();
    // `{"repo":..,"version":..}` + `,"report":{...}}`: the report is streamed, not copied.
    out.write_all(&head.as_bytes()[..head.len() - 1])?;
    out.write_all(b",\"report\":")?;
    serde_json::to_writer(&mut *out, r).map_err(io::Error::other)?;
    out.write_all(b"}\n")
}

/// The chart's versions, newest first, for the version picker: `[version, dir, level]`.
pub fn versions_js(entry: &ChartEntry) -> String {
    let list: Vec<Value> = entry
        .versions
        .iter()
        .map(|s| {
            json!([
                s.version,
                paths::segment(&s.version),
                if s.status == ScanStatus::Failed {
                    "failed"
                } else {
                    level_str(s)
                }
            ])
        })
        .collect();
    format!(
        "window.RBAC_LENS_VERSIONS = {};\n",
        js_json(&Value::Array(list))
    )
}

/// Builds `data/search.js`: per chart its filters (level, rules, tags, keywords), and per
/// analysed version its permission rows, for "who can VERB RESOURCE" in the browser.
///
/// Rows repeat a lot (the same grant in many versions, the same set of rows in consecutive
/// versions), so rows and row sets are stored once and versions point at them.
pub struct SearchBuilder {
    charts: Vec<Value>,
    tags: Interner,
    keywords: Interner,
    tuples: Vec<Value>,
    tuple_ids: HashMap<String, u32>,
    sets: Vec<Vec<u32>>,
    set_ids: HashMap<Vec<u32>, u32>,
    /// ((chart, version index), [chart, version, dir, set, level, latest]).
    versions: Vec<((usize, usize), Value)>,
}

#[derive(Default)]
struct Interner {
    list: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
}

fn level_num(l: Option<rbac_lens_core::catalog::RiskLevel>) -> i64 {
    l.map_or(-1, |l| level_index(l) as i64)
}

impl SearchBuilder {
    pub fn new(index: &ChartIndex) -> SearchBuilder {
        let mut b = SearchBuilder {
            charts: Vec::new(),
            tags: Interner::default(),
            keywords: Interner::default(),
            tuples: Vec::new(),
            tuple_ids: HashMap::new(),
            sets: Vec::new(),
            set_ids: HashMap::new(),
            versions: Vec::new(),
        };
        for entry in &index.charts {
            let latest = entry.latest_analyzed();
            let tags: Vec<u32> = latest
                .map(|s| s.tags.iter().map(|t| b.tags.id(t)).collect())
                .unwrap_or_default();
            let kws: Vec<u32> = latest
                .map(|s| s.keywords.iter().map(|k| b.keywords.id(k.trim())).collect())
                .unwrap_or_default();
            b.charts.push(json!([
                entry.id.repo,
                entry.id.chart,
                format!(
                    "{}/{}",
                    paths::segment(&entry.id.repo),
                    paths::segment(&entry.id.chart)
                ),
                level_num(latest.and_then(|s| s.highest)),
                latest.map(|s| s.rules.clone()).unwrap_or_default(),
                tags,
                kws,
                latest.map(|s| s.version.clone()).unwrap_or_default(),
            ]));
        }
        b
    }

    /// Add the rows of version `v` of chart `c`.
    pub fn add(&mut self, c: usize, v: usize, entry: &ChartEntry, r: &Report) {
        let mut set: Vec<u32> = Vec::new();
        for p in r
            .service_account_permissions
            .iter()
            .chain(&r.subject_permissions)
        {
            let verbs: Vec<&String> = p
                .verbs
                .iter()
                .filter(|v| !p.ineffective_verbs.contains(v))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let (kind, name) = subject(p);
            let holder = if kind == "ServiceAccount" {
                format!("{kind} {}/{name}", p.namespace)
            } else {
                format!("{kind} {name}")
            };
            let t = json!([
                p.api_group,
                p.resource,
                verbs,
                p.resource_name,
                holder,
                p.scope,
                level_index(p.risk_level),
                u8::from(p.non_resource_url),
            ]);
            let key = t.to_string();
            let id = match self.tuple_ids.get(&key) {
                Some(&id) => id,
                None => {
                    let id = self.tuples.len() as u32;
                    self.tuples.push(t);
                    self.tuple_ids.insert(key, id);
                    id
                }
            };
            set.push(id);
        }
        set.sort_unstable();
        set.dedup();
        let set_id = match self.set_ids.get(&set) {
            Some(&id) => id,
            None => {
                let id = self.sets.len() as u32;
                self.sets.push(set.clone());
                self.set_ids.insert(set, id);
                id
            }
        };
        let s = &entry.versions[v];
        let latest = entry.latest_analyzed().is_some_and(|l| l.id == s.id);
        self.versions.push((
            (c, v),
            json!([
                c,
                s.version,
                paths::segment(&s.version),
                set_id,
                level_num(s.highest),
                u8::from(latest)
            ]),
        ));
    }

    /// The script text.
    pub fn finish(mut self) -> String {
        self.versions.sort_by_key(|(at, _)| *at);
        let data = json!({
            "charts": self.charts,
            "tags": self.tags.list,
            "keywords": self.keywords.list,
            "tuples": self.tuples,
            "sets": self.sets,
            "versions": self.versions.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        });
        format!("window.RBAC_LENS_SEARCH = {};\n", js_json(&data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_and_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn script_data_cannot_close_a_script() {
        let s = js_json(&json!(["</script><script>alert(1)</script>", "\u{2028}"]));
        assert!(!s.contains("</"));
        assert!(!s.contains('\u{2028}'));
    }
}
