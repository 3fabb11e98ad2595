//! Getting charts: bounded HTTP(S) downloads, Helm repository indexes, version selection,
//! a download cache, and reading a chart's `Chart.yaml` (directory or `.tgz`).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::hex;
use crate::projects::Select;

/// Largest repository `index.yaml` read (big public repositories publish tens of MB).
pub const MAX_INDEX_BYTES: u64 = 128 * 1024 * 1024;
/// Largest chart `.tgz` downloaded.
pub const MAX_CHART_BYTES: u64 = 64 * 1024 * 1024;
/// Largest `Chart.yaml` read.
const MAX_CHART_YAML_BYTES: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("GET {url}: {message}")]
    Http { url: String, message: String },
    #[error("{what}: {message}")]
    Other { what: String, message: String },
}

fn other(what: impl std::fmt::Display, message: impl std::fmt::Display) -> FetchError {
    FetchError::Other {
        what: what.to_string(),
        message: message.to_string(),
    }
}

/// An HTTP(S) client with bounds: total time per request, redirects, response sizes.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    cache: PathBuf,
}

impl Fetcher {
    /// `cache`: where downloaded `.tgz` files are kept between runs.
    pub fn new(cache: PathBuf, timeout: Duration) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(15)))
            .max_redirects(5)
            .user_agent(concat!("rbac-lens/", env!("CARGO_PKG_VERSION")))
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
            cache,
        }
    }

    /// GET `url` into memory, refusing more than `max` bytes.
    pub fn get(&self, url: &str, max: u64) -> Result<Vec<u8>, FetchError> {
        let err = |message: String| FetchError::Http {
            url: url.to_string(),
            message,
        };
        let mut resp = self.agent.get(url).call().map_err(|e| err(e.to_string()))?;
        resp.body_mut()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => {
                    err(format!("response larger than {max} bytes"))
                }
                e => err(e.to_string()),
            })
    }

    /// Download a chart `.tgz` into the cache (once; later runs reuse the file) and return
    /// its path. With a `sha256` digest (from the index), the file must match it.
    pub fn download_chart(&self, url: &str, sha256: Option<&str>) -> Result<PathBuf, FetchError> {
        std::fs::create_dir_all(&self.cache)
            .map_err(|e| other(format!("cache {}", self.cache.display()), e))?;
        let name = url
            .rsplit('/')
            .next()
            .map(crate::projects::slugify)
            .unwrap_or_default();
        let digest_of_url = hex(&Sha256::digest(url.as_bytes()));
        let path = self.cache.join(format!("{}-{name}", &digest_of_url[..16]));
        let want = sha256
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| d.len() == 64);
        if let Ok(bytes) = std::fs::read(&path) {
            match &want {
                Some(d) if *d != hex(&Sha256::digest(&bytes)) => {} // stale: fetch again
                _ => return Ok(path),
            }
        }
        let bytes = self.get(url, MAX_CHART_BYTES)?;
        if let Some(d) = &want {
            let got = hex(&Sha256::digest(&bytes));
            if *d != got {
                return Err(FetchError::Http {
                    url: url.to_string(),
                    message: format!("sha256 {got} does not match the index's digest {d}"),
                });
            }
        }
        // Write beside, then rename: a killed scan never leaves half a file in the cache.
        let tmp = path.with_extension(format!("part{}", std::process::id()));
        std::fs::write(&tmp, &bytes).map_err(|e| other(tmp.display(), e))?;
        std::fs::rename(&tmp, &path).map_err(|e| other(path.display(), e))?;
        Ok(path)
    }

    /// Fetch and parse a Helm repository's `index.yaml`.
    pub fn index(&self, repo_url: &str) -> Result<RepoIndex, FetchError> {
        let url = format!("{}/index.yaml", repo_url.trim_end_matches('/'));
        let bytes = self.get(&url, MAX_INDEX_BYTES)?;
        RepoIndex::parse(&bytes, repo_url).map_err(|m| other(&url, m))
    }
}

/// The default download cache: `$XDG_CACHE_HOME/rbac-lens/charts`, else
/// `~/.cache/rbac-lens/charts`, else a directory under the system temp dir.
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir)
        .join("rbac-lens")
        .join("charts")
}

/// One chart version listed in a repository index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexVersion {
    pub version: String,
    pub app_version: String,
    /// Absolute download URLs (relative ones resolved against the repository URL).
    pub urls: Vec<String>,
    pub digest: Option<String>,
}

/// A parsed `index.yaml`: chart name to its versions.
#[derive(Clone, Debug, Default)]
pub struct RepoIndex {
    pub charts: BTreeMap<String, Vec<IndexVersion>>,
}

#[derive(Deserialize)]
struct RawIndex {
    #[serde(default)]
    entries: BTreeMap<String, Vec<RawIndexEntry>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIndexEntry {
    #[serde(default)]
    version: Scalar,
    #[serde(default)]
    app_version: Scalar,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    digest: Option<String>,
}

/// A YAML scalar read as text whatever its type (`version: 1.0` is a float to YAML).
#[derive(Default)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(Scalar(match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }))
    }
}

/// One version a selection picked: found in the index, or listed but missing (the version
/// asked for and why it cannot be had).
pub type Picked = Result<IndexVersion, (String, String)>;

impl RepoIndex {
    pub fn parse(bytes: &[u8], repo_url: &str) -> Result<RepoIndex, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        let mut budget = serde_saphyr::Budget::default();
        budget.max_documents = 1;
        budget.max_depth = 64;
        budget.max_nodes = 50_000_000;
        budget.max_events = 100_000_000;
        budget.max_reader_input_bytes = Some(MAX_INDEX_BYTES as usize);
        let mut opts = serde_saphyr::Options::default();
        opts.budget = Some(budget);
        opts.with_snippet = false;
        let raw: RawIndex = serde_saphyr::from_str_with_options(text, opts).map_err(|e| {
            format!(
                "not a Helm repository index: {}",
                first_line(&e.to_string())
            )
        })?;
        let charts = raw
            .entries
            .into_iter()
            .map(|(name, versions)| {
                let versions = versions
                    .into_iter()
                    .filter(|v| !v.version.0.is_empty())
                    .map(|v| IndexVersion {
                        version: v.version.0,
                        app_version: v.app_version.0,
                        urls: v.urls.iter().map(|u| resolve_url(repo_url, u)).collect(),
                        digest: v.digest,
                    })
                    .collect();
                (name, versions)
            })
            .collect();
        Ok(RepoIndex { charts })
    }

    /// The versions of `chart` that `select` picks, newest first for `latest`/`all`. A listed
    /// version missing from the index is an `Err` entry naming it.
    pub fn select(&self, chart: &str, select: &Select) -> Result<Vec<Picked>, String> {
        let Some(all) = self.charts.get(chart) else {
            let mut names: Vec<&str> = self.charts.keys().map(String::as_str).collect();
            names.truncate(10);
            return Err(format!(
                "chart {chart:?} is not in the repository index (it lists {}{})",
                names.join(", "),
                if self.charts.len() > 10 { ", ..." } else { "" }
            ));
        };
        Ok(match select {
            Select::Versions(wanted) => wanted
                .iter()
                .map(|w| {
                    all.iter()
                        .find(|v| same_version(&v.version, w))
                        .cloned()
                        .ok_or_else(|| {
                            (
                                w.clone(),
                                format!("version {w} of {chart} is not in the repository index"),
                            )
                        })
                })
                .collect(),
            Select::Latest(n) => stable_newest_first(all)
                .into_iter()
                .take(*n)
                .map(Ok)
                .collect(),
            Select::All => stable_newest_first(all).into_iter().map(Ok).collect(),
        })
    }
}

fn parse_semver(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.trim().trim_start_matches('v')).ok()
}

fn same_version(a: &str, b: &str) -> bool {
    a == b
        || match (parse_semver(a), parse_semver(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
}

/// Released versions (valid semantic versions without a pre-release part), newest first,
/// each once.
fn stable_newest_first(all: &[IndexVersion]) -> Vec<IndexVersion> {
    let mut v: Vec<(semver::Version, &IndexVersion)> = all
        .iter()
        .filter_map(|iv| parse_semver(&iv.version).map(|s| (s, iv)))
        .filter(|(s, _)| s.pre.is_empty())
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0));
    v.dedup_by(|a, b| a.0 == b.0);
    v.into_iter().map(|(_, iv)| iv.clone()).collect()
}

/// Resolve a URL from an index against the repository URL (as Helm does: relative to the
/// repository's base, which is treated as a directory).
pub fn resolve_url(repo_url: &str, u: &str) -> String {
    if u.starts_with("http://") || u.starts_with("https://") {
        return u.to_string();
    }
    let base = repo_url.trim_end_matches('/');
    if let Some(path) = u.strip_prefix('/') {
        // Absolute path: keep scheme and host of the repository.
        let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
        let host_end = base[after_scheme..]
            .find('/')
            .map(|i| after_scheme + i)
            .unwrap_or(base.len());
        return format!("{}/{path}", &base[..host_end]);
    }
    format!("{base}/{}", u.trim_start_matches("./"))
}

/// What the atlas needs from a chart's `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartMeta {
    pub name: String,
    pub version: String,
    pub app_version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawChartYaml {
    #[serde(default)]
    name: Scalar,
    #[serde(default)]
    version: Scalar,
    #[serde(default)]
    app_version: Scalar,
}

fn parse_chart_yaml(text: &str, what: &str) -> Result<ChartMeta, FetchError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = 1;
    budget.max_depth = 64;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.with_snippet = false;
    let raw: RawChartYaml = serde_saphyr::from_str_with_options(text, opts)
        .map_err(|e| other(what, first_line(&e.to_string())))?;
    if raw.name.0.is_empty() || raw.version.0.is_empty() {
        return Err(other(what, "Chart.yaml has no name or no version"));
    }
    Ok(ChartMeta {
        name: raw.name.0,
        version: raw.version.0,
        app_version: raw.app_version.0,
    })
}

/// Read `Chart.yaml` of a chart directory or packaged `.tgz`.
pub fn chart_meta(path: &Path) -> Result<ChartMeta, FetchError> {
    let what = path.display().to_string();
    if path.is_dir() {
        let file = path.join("Chart.yaml");
        let f = std::fs::File::open(&file)
            .map_err(|e| other(&what, format!("not a Helm chart: {}: {e}", file.display())))?;
        let mut text = String::new();
        f.take(MAX_CHART_YAML_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| other(file.display(), e))?;
        return parse_chart_yaml(&text, &file.display().to_string());
    }
    let f = std::fs::File::open(path).map_err(|e| other(&what, e))?;
    // The top-level `<chart>/Chart.yaml` comes first in Helm's packages; stop looking after
    // a bounded number of entries either way.
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let entries = archive
        .entries()
        .map_err(|e| other(&what, format!("not a chart archive: {e}")))?;
    for entry in entries.take(10_000) {
        let mut entry = entry.map_err(|e| other(&what, format!("not a chart archive: {e}")))?;
        let p = entry
            .path()
            .map_err(|e| other(&what, e))?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>();
        if p.len() == 2 && p[1] == "Chart.yaml" {
            let mut text = String::new();
            (&mut entry)
                .take(MAX_CHART_YAML_BYTES)
                .read_to_string(&mut text)
                .map_err(|e| other(&what, e))?;
            return parse_chart_yaml(&text, &format!("{what}: {}/Chart.yaml", p[0]));
        }
    }
    Err(other(
        &what,
        "not a Helm chart: no <chart>/Chart.yaml in the archive",
    ))
}

/// SHA-256 over the values files' contents, in order (empty when there are none).
pub fn values_digest(files: &[PathBuf]) -> Result<String, FetchError> {
    if files.is_empty() {
        return Ok(String::new());
    }
    let mut h = Sha256::new();
    for f in files {
        let bytes =
            std::fs::read(f).map_err(|e| other(format!("values file {}", f.display()), e))?;
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(hex(&h.finalize()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"
apiVersion: v1
entries:
  demo:
    - version: 1.10.0
      appVersion: "2.0"
      urls: [demo-1.10.0.tgz]
    - version: 1.9.0
      urls: [/charts/demo-1.9.0.tgz]
    - version: 2.0.0-rc.1
      urls: [https://other.example/demo-2.0.0-rc.1.tgz]
    - version: 1.2
      urls: [demo-1.2.tgz]
"#;

    #[test]
    fn index_selection_by_semver() {
        let idx = RepoIndex::parse(INDEX.as_bytes(), "https://r.example/sub/").unwrap();
        let pick = |s: Select| -> Vec<String> {
            idx.select("demo", &s)
                .unwrap()
                .into_iter()
                .map(|r| {
                    r.map(|v| v.version)
                        .unwrap_or_else(|(v, _)| format!("missing {v}"))
                })
                .collect()
        };
        // 1.10.0 is newer than 1.9.0 (not string order); the pre-release and the
        // non-semver "1.2" are left out.
        assert_eq!(pick(Select::Latest(1)), ["1.10.0"]);
        assert_eq!(pick(Select::All), ["1.10.0", "1.9.0"]);
        assert_eq!(
            pick(Select::Versions(vec!["2.0.0-rc.1".into(), "3.0.0".into()])),
            ["2.0.0-rc.1", "missing 3.0.0"]
        );
        let v = &idx.charts["demo"];
        assert_eq!(v[0].urls, ["https://r.example/sub/demo-1.10.0.tgz"]);
        assert_eq!(v[0].app_version, "2.0");
        assert_eq!(v[1].urls, ["https://r.example/charts/demo-1.9.0.tgz"]);
        assert_eq!(v[2].urls, ["https://other.example/demo-2.0.0-rc.1.tgz"]);
        assert!(
            idx.select("nope", &Select::All)
                .unwrap_err()
                .contains("demo")
        );
    }

    #[test]
    fn bad_index_is_an_error() {
        assert!(RepoIndex::parse(b"entries: [", "https://r").is_err());
        assert!(RepoIndex::parse(&[0xff, 0xfe], "https://r").is_err());
    }
}
