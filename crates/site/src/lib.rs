//! The atlas static site: HTML pages, a search index, and the whole dataset as JSON and CSV,
//! generated from an atlas store.
//!
//! The site works from any static host and from `file://`: every link is relative and names
//! a file, and the search data is a script that sets a global (browsers refuse `fetch()`
//! under `file://`). JavaScript is used only for search, filters and the version picker;
//! every page reads fine without it.
//!
//! [`generate`] writes everything. It holds the scan summaries in memory but at most two
//! reports at a time (a version and the one before it, for the diff page), so it scales to
//! tens of thousands of chart versions. [`Site`] renders any single page on demand, for the
//! HTTP server.

pub mod data;
pub mod html;
mod model;
mod pages;
pub mod paths;
pub mod svg;

use std::io::Write;
use std::path::{Path, PathBuf};

use rbac_lens_atlas::view::ChartIndex;
use rbac_lens_atlas::{AtlasRead, ScanStatus, StoreError};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_report::Report;

pub use model::{Aggregates, At, Located, Usage};

/// What the generator needs besides the store.
#[derive(Clone, Debug)]
pub struct SiteOptions {
    /// Shown in every page's header and title.
    pub title: String,
    /// Rule pages come from this catalog (the embedded one by default).
    pub catalog: Catalog,
}

impl Default for SiteOptions {
    fn default() -> Self {
        SiteOptions {
            title: "rbac-lens atlas".into(),
            catalog: Catalog::embedded().clone(),
        }
    }
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteStats {
    pub charts: usize,
    pub versions: usize,
    pub failed: usize,
    /// HTML pages written.
    pub pages: usize,
    /// All files written (pages, scripts, data).
    pub files: usize,
    pub bytes: u64,
    /// The largest chart version page (path, bytes).
    pub largest_version_page: (String, u64),
    /// Median size of the chart version pages, in bytes.
    pub median_version_page: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The site over one store: the chart index and the aggregates computed from the summaries.
/// Cheap to keep around (no reports); pages that need a report read it from the store.
pub struct Site<'a> {
    store: &'a dyn AtlasRead,
    pub opts: SiteOptions,
    pub index: ChartIndex,
    pub agg: Aggregates,
}

/// A rendered file: its bytes and content type.
pub struct Rendered {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl<'a> Site<'a> {
    /// Read every summary and compute the aggregates.
    pub fn load(store: &'a dyn AtlasRead, opts: SiteOptions) -> Result<Site<'a>, SiteError> {
        let index = ChartIndex::build(store.summaries()?);
        let agg = Aggregates::build(&index, &opts.catalog);
        Ok(Site {
            store,
            opts,
            index,
            agg,
        })
    }

    fn report(&self, id: i64) -> Result<Option<Report>, SiteError> {
        Ok(self.store.report(id)?)
    }

    /// Render the file at `path` (relative to the site root, as in [`paths`]); `None` when
    /// there is no such file. Everything but the datasets built from every report
    /// (`data/search.js`, `data/permissions.csv`, `data/reports.jsonl`): those are written
    /// by [`generate`] only, as they need a pass over all reports.
    pub fn render(&self, path: &str) -> Result<Option<Rendered>, SiteError> {
        let html = |s: String| {
            Some(Rendered {
                content_type: "text/html; charset=utf-8",
                body: s.into_bytes(),
            })
        };
        let path = path.trim_start_matches('/');
        let path = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        match path.as_str() {
            paths::HOME => return Ok(html(pages::home::render(self))),
            paths::CHART_INDEX => return Ok(html(pages::charts::index(self))),
            paths::RULE_INDEX => return Ok(html(pages::rules::index(self))),
            paths::TAG_INDEX => return Ok(html(pages::tags::tag_index(self))),
            paths::CATEGORY_INDEX => return Ok(html(pages::tags::category_index(self))),
            paths::STATS => return Ok(html(pages::stats::render(self))),
            paths::FAILURES => return Ok(html(pages::stats::failures(self))),
            paths::DOWNLOADS => return Ok(html(pages::stats::downloads(self))),
            paths::STYLE => {
                return Ok(Some(Rendered {
                    content_type: "text/css; charset=utf-8",
                    body: data::STYLE_CSS.as_bytes().to_vec(),
                }));
            }
            paths::SCRIPT => {
                return Ok(Some(Rendered {
                    content_type: "text/javascript; charset=utf-8",
                    body: data::SITE_JS.as_bytes().to_vec(),
                }));
            }
            paths::FAVICON => {
                return Ok(Some(Rendered {
                    content_type: "image/svg+xml",
                    body: data::FAVICON_SVG.as_bytes().to_vec(),
                }));
            }
            paths::SUMMARIES_JSON => {
                return Ok(Some(Rendered {
                    content_type: "application/json",
                    body: data::summaries_json(&self.index),
                }));
            }
            paths::SUMMARIES_CSV => {
                return Ok(Some(Rendered {
                    content_type: "text/csv; charset=utf-8",
                    body: data::summaries_csv(&self.index),
                }));
            }
            _ => {}
        }
        let Some(loc) = self.agg.locate(&path) else {
            return Ok(None);
        };
        Ok(match loc {
            Located::Rule(id) => self
                .opts
                .catalog
                .get(id)
                .map(|r| pages::rules::rule(self, r))
                .and_then(html),
            Located::Tag(t) => html(pages::tags::tag(self, &t)),
            Located::Category(k) => html(pages::tags::category(self, &k)),
            Located::Chart(c) => html(pages::charts::chart(self, c)),
            Located::VersionsJs(c) => Some(Rendered {
                content_type: "text/javascript; charset=utf-8",
                body: data::versions_js(&self.index.charts[c]).into_bytes(),
            }),
            Located::Version(c, v) => {
                let s = &self.index.charts[c].versions[v];
                let report = self.report(s.id)?;
                html(pages::version::render(self, c, v, report.as_ref()))
            }
            Located::Diff(c, v) => {
                let entry = &self.index.charts[c];
                let s = &entry.versions[v];
                let prev = match entry.previous(&s.version) {
                    Some(p) => self.report(p.id)?.map(|r| (p, r)),
                    None => None,
                };
                let report = self.report(s.id)?;
                html(pages::diff::render(
                    self,
                    c,
                    v,
                    prev.as_ref().map(|(s, r)| (*s, r)),
                    report.as_ref(),
                ))
            }
            Located::ReportJson(c, v) => {
                let s = &self.index.charts[c].versions[v];
                self.store.report_json(s.id)?.map(|json| Rendered {
                    content_type: "application/json",
                    body: json.into_bytes(),
                })
            }
        })
    }
}

/// Writes files under the output directory and counts them.
struct Out {
    root: PathBuf,
    stats: SiteStats,
    version_sizes: Vec<u64>,
}

impl Out {
    fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), SiteError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| SiteError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| SiteError::Io { path, source })?;
        self.stats.files += 1;
        self.stats.bytes += bytes.len() as u64;
        if rel.ends_with(".html") {
            self.stats.pages += 1;
        }
        Ok(())
    }

    fn create(&self, rel: &str) -> Result<std::io::BufWriter<std::fs::File>, SiteError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| SiteError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let f = std::fs::File::create(&path).map_err(|source| SiteError::Io { path, source })?;
        Ok(std::io::BufWriter::new(f))
    }
}

fn io_err(root: &Path, rel: &str) -> impl FnOnce(std::io::Error) -> SiteError {
    let path = root.join(rel);
    move |source| SiteError::Io { path, source }
}

/// Generate the whole site into `out` (created if missing; existing files are overwritten,
/// others left alone). Output is deterministic: the same store gives the same bytes.
pub fn generate(
    store: &dyn AtlasRead,
    out: &Path,
    opts: &SiteOptions,
) -> Result<SiteStats, SiteError> {
    let site = Site::load(store, opts.clone())?;
    let mut w = Out {
        root: out.to_path_buf(),
        stats: SiteStats {
            charts: site.index.charts.len(),
            versions: site.index.all().count(),
            failed: site
                .index
                .all()
                .filter(|s| s.status == ScanStatus::Failed)
                .count(),
            ..SiteStats::default()
        },
        version_sizes: Vec::new(),
    };

    // Pages that need only the summaries.
    for p in [
        paths::HOME,
        paths::CHART_INDEX,
        paths::RULE_INDEX,
        paths::TAG_INDEX,
        paths::CATEGORY_INDEX,
        paths::STATS,
        paths::FAILURES,
        paths::DOWNLOADS,
        paths::STYLE,
        paths::SCRIPT,
        paths::FAVICON,
        paths::SUMMARIES_JSON,
        paths::SUMMARIES_CSV,
    ] {
        if let Some(r) = site.render(p)? {
            w.write(p, &r.body)?;
        }
    }
    for rule in site.opts.catalog.rules() {
        w.write(
            &paths::rule_page(rule.id),
            pages::rules::rule(&site, rule).as_bytes(),
        )?;
    }
    for tag in site.agg.tags.keys() {
        w.write(
            &paths::tag_page(tag),
            pages::tags::tag(&site, tag).as_bytes(),
        )?;
    }
    for kw in site.agg.categories.keys() {
        w.write(
            &paths::category_page(kw),
            pages::tags::category(&site, kw).as_bytes(),
        )?;
    }

    // Per chart, versions oldest to newest: each report is read once and kept only until the
    // next version's diff page is written.
    let mut search = data::SearchBuilder::new(&site.index);
    let mut perms = w.create(paths::PERMISSIONS_CSV)?;
    let mut jsonl = w.create(paths::REPORTS_JSONL)?;
    perms
        .write_all(data::PERMISSIONS_CSV_HEADER.as_bytes())
        .map_err(io_err(out, paths::PERMISSIONS_CSV))?;
    for (c, entry) in site.index.charts.iter().enumerate() {
        w.write(
            &paths::chart_page(&entry.id),
            pages::charts::chart(&site, c).as_bytes(),
        )?;
        w.write(
            &paths::chart_versions_js(&entry.id),
            data::versions_js(entry).as_bytes(),
        )?;
        let mut prev: Option<(usize, Report)> = None;
        for v in (0..entry.versions.len()).rev() {
            let s = &entry.versions[v];
            let json = store.report_json(s.id)?;
            let report: Option<Report> = match &json {
                Some(text) => {
                    Some(
                        serde_json::from_str(text).map_err(|e| StoreError::BadReport {
                            id: s.id,
                            message: e.to_string(),
                        })?,
                    )
                }
                None => None,
            };
            let page = pages::version::render(&site, c, v, report.as_ref());
            w.version_sizes.push(page.len() as u64);
            if page.len() as u64 > w.stats.largest_version_page.1 {
                w.stats.largest_version_page = (
                    paths::version_page(&entry.id, &s.version),
                    page.len() as u64,
                );
            }
            w.write(&paths::version_page(&entry.id, &s.version), page.as_bytes())?;
            let diff = pages::diff::render(
                &site,
                c,
                v,
                prev.as_ref().map(|(pv, r)| (&entry.versions[*pv], r)),
                report.as_ref(),
            );
            w.write(&paths::diff_page(&entry.id, &s.version), diff.as_bytes())?;
            if let (Some(text), Some(r)) = (json, report) {
                w.write(&paths::report_json(&entry.id, &s.version), text.as_bytes())?;
                data::write_permission_rows(&mut perms, s, &r)
                    .map_err(io_err(out, paths::PERMISSIONS_CSV))?;
                data::write_jsonl(&mut jsonl, s, &r).map_err(io_err(out, paths::REPORTS_JSONL))?;
                search.add(c, v, entry, &r);
                prev = Some((v, r));
            }
        }
    }
    perms.flush().map_err(io_err(out, paths::PERMISSIONS_CSV))?;
    jsonl.flush().map_err(io_err(out, paths::REPORTS_JSONL))?;
    for rel in [paths::PERMISSIONS_CSV, paths::REPORTS_JSONL] {
        w.stats.files += 1;
        w.stats.bytes += std::fs::metadata(out.join(rel))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    w.write(paths::SEARCH_DATA, search.finish().as_bytes())?;

    w.version_sizes.sort_unstable();
    w.stats.median_version_page = w
        .version_sizes
        .get(w.version_sizes.len() / 2)
        .copied()
        .unwrap_or(0);
    Ok(w.stats)
}

/// Index of a level in `[Low, Medium, High, Critical]` arrays.
pub(crate) fn model_level(l: rbac_lens_core::catalog::RiskLevel) -> usize {
    rbac_lens_atlas::model::level_index(l)
}
