//! The projects file: which charts (and versions) the atlas scans.
//!
//! Two layouts, also mixed in one file:
//!
//! ```yaml
//! charts:                               # ours
//!   - path: ./charts/mychart            # a chart directory or .tgz (relative to this file)
//!   - url: https://example.com/x-1.2.3.tgz
//!   - repo: https://charts.example.com  # a Helm repository (its index.yaml)
//!     chart: example-operator
//!     versions: [1.2.3]                 # or latest: 3, or all: true (default: latest: 1)
//!     values: [custom-values.yaml]      # relative to this file
//!     keywords: [operator]
//!     name: example                     # the repository slug in the atlas (optional)
//! helm_repos:                           # the public RBAC Atlas layout
//!   - name: example
//!     url: https://charts.example.com
//!     charts:
//!       - name: example-operator
//!         version: 1.2.3                # optional: default the latest
//!         values: custom-values.yaml
//!         keywords: [operator]
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Largest projects file read.
const MAX_PROJECTS_BYTES: u64 = 8 * 1024 * 1024;

/// A parsed projects file.
#[derive(Clone, Debug, Default)]
pub struct Projects {
    pub entries: Vec<Entry>,
    /// Things accepted but not scanned (e.g. OCI repositories), for the user to see.
    pub warnings: Vec<String>,
}

/// One entry: a chart from one place, with its options.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Where in the projects file it came from (`charts[2]`, `helm_repos[0].charts[1]`).
    pub origin: String,
    pub source: EntrySource,
    /// The repository slug in the atlas; `None`: derived from the source.
    pub slug: Option<String>,
    /// Values files (resolved against the projects file's directory).
    pub values: Vec<PathBuf>,
    pub keywords: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EntrySource {
    /// A chart directory or `.tgz` on disk (resolved against the projects file's directory).
    Path(PathBuf),
    /// A chart `.tgz` at an http(s) URL.
    Url(String),
    /// A chart in a Helm repository.
    Repo {
        url: String,
        chart: String,
        select: Select,
    },
}

/// Which versions of a repository chart to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Select {
    /// Exactly these (pre-releases too, when listed).
    Versions(Vec<String>),
    /// The newest N by semantic version, pre-releases left out.
    Latest(usize),
    /// Every version, pre-releases left out.
    All,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ProjectsError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    charts: Vec<RawChart>,
    #[serde(default)]
    helm_repos: Vec<RawHelmRepo>,
    #[serde(default)]
    oci_repos: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    oci_charts: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChart {
    path: Option<String>,
    url: Option<String>,
    repo: Option<String>,
    chart: Option<String>,
    versions: Option<Vec<String>>,
    latest: Option<usize>,
    all: Option<bool>,
    #[serde(default)]
    values: OneOrMany,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(alias = "slug")]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelmRepo {
    name: String,
    url: String,
    #[serde(default)]
    charts: Vec<RawRepoChart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepoChart {
    name: String,
    version: Option<String>,
    #[serde(default)]
    values: OneOrMany,
    #[serde(default)]
    keywords: Vec<String>,
}

/// `values: file.yaml` or `values: [a.yaml, b.yaml]`.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

impl Projects {
    /// Read and check a projects file. Relative paths in it are relative to its directory.
    pub fn load(path: &Path) -> Result<Projects, ProjectsError> {
        let err = |message: String| ProjectsError {
            file: path.display().to_string(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
        if meta.len() > MAX_PROJECTS_BYTES {
            return Err(err(format!(
                "{} bytes, more than the {MAX_PROJECTS_BYTES} a projects file may have",
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).map_err(|e| err(e.message))
    }

    /// Parse projects YAML; `base` resolves relative paths. Errors carry an empty `file`.
    pub fn parse(text: &str, base: &Path) -> Result<Projects, ProjectsError> {
        let err = |message: String| ProjectsError {
            file: String::new(),
            message,
        };
        let mut budget = serde_saphyr::Budget::default();
        budget.max_depth = 64;
        budget.max_documents = 1;
        let mut opts = serde_saphyr::Options::default();
        opts.budget = Some(budget);
        opts.with_snippet = false;
        let raw: RawFile = if text.trim().is_empty() {
            return Err(err("empty: expected `charts:` or `helm_repos:`".into()));
        } else {
            serde_saphyr::from_str_with_options(text, opts)
                .map_err(|e| err(first_line(&e.to_string())))?
        };
        let mut out = Projects::default();
        for (i, c) in raw.charts.into_iter().enumerate() {
            let origin = format!("charts[{i}]");
            out.entries
                .push(chart_entry(c, &origin, base).map_err(|m| err(format!("{origin}: {m}")))?);
        }
        for (i, r) in raw.helm_repos.into_iter().enumerate() {
            let origin = format!("helm_repos[{i}] ({})", r.name);
            check_url(&r.url).map_err(|m| err(format!("{origin}: url: {m}")))?;
            check_slug(&r.name).map_err(|m| err(format!("{origin}: name: {m}")))?;
            if r.charts.is_empty() {
                out.warnings.push(format!("{origin}: no charts listed"));
            }
            for (j, c) in r.charts.into_iter().enumerate() {
                let origin = format!("{origin}.charts[{j}] ({})", c.name);
                if c.name.trim().is_empty() {
                    return Err(err(format!("{origin}: name: empty")));
                }
                let select = match c.version {
                    Some(v) if v.trim().is_empty() => {
                        return Err(err(format!("{origin}: version: empty")));
                    }
                    Some(v) => Select::Versions(vec![v]),
                    None => Select::Latest(1),
                };
                out.entries.push(Entry {
                    source: EntrySource::Repo {
                        url: r.url.clone(),
                        chart: c.name,
                        select,
                    },
                    slug: Some(r.name.clone()),
                    values: resolve_all(base, c.values.into_vec())
                        .map_err(|m| err(format!("{origin}: values: {m}")))?,
                    keywords: c.keywords,
                    origin,
                });
            }
        }
        let oci = raw.oci_repos.len() + raw.oci_charts.len();
        if oci > 0 {
            out.warnings.push(format!(
                "{oci} OCI entries (oci_repos, oci_charts) are not scanned yet: left out"
            ));
        }
        if out.entries.is_empty() {
            return Err(err(
                "no charts listed (under `charts:` or `helm_repos:`)".into()
            ));
        }
        Ok(out)
    }
}

fn chart_entry(c: RawChart, origin: &str, base: &Path) -> Result<Entry, String> {
    let given: Vec<&str> = [
        c.path.as_ref().map(|_| "path"),
        c.url.as_ref().map(|_| "url"),
        c.repo.as_ref().map(|_| "repo"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() != 1 {
        return Err(format!(
            "give exactly one of `path`, `url` or `repo` (found {})",
            if given.is_empty() {
                "none".to_string()
            } else {
                given.join(", ")
            }
        ));
    }
    let selectors = [c.versions.is_some(), c.latest.is_some(), c.all.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    let source = if let Some(p) = c.path {
        no_repo_fields(&c.chart, selectors, "path")?;
        if p.trim().is_empty() {
            return Err("path: empty".into());
        }
        EntrySource::Path(base.join(p))
    } else if let Some(u) = c.url {
        no_repo_fields(&c.chart, selectors, "url")?;
        check_url(&u).map_err(|m| format!("url: {m}"))?;
        EntrySource::Url(u)
    } else {
        let url = c.repo.unwrap_or_default();
        check_url(&url).map_err(|m| format!("repo: {m}"))?;
        let chart = match c.chart {
            Some(ch) if !ch.trim().is_empty() => ch,
            _ => return Err("`repo` needs `chart` (the chart's name in the repository)".into()),
        };
        if selectors > 1 {
            return Err("give at most one of `versions`, `latest` or `all`".into());
        }
        let select = if let Some(v) = c.versions {
            if v.is_empty() || v.iter().any(|s| s.trim().is_empty()) {
                return Err("versions: list at least one non-empty version".into());
            }
            Select::Versions(v)
        } else if let Some(n) = c.latest {
            if n == 0 {
                return Err("latest: must be at least 1".into());
            }
            Select::Latest(n)
        } else if let Some(all) = c.all {
            if !all {
                return Err("all: false selects nothing; use `latest: N` or `versions`".into());
            }
            Select::All
        } else {
            Select::Latest(1)
        };
        EntrySource::Repo { url, chart, select }
    };
    if let Some(s) = &c.name {
        check_slug(s).map_err(|m| format!("name: {m}"))?;
    }
    Ok(Entry {
        origin: origin.to_string(),
        source,
        slug: c.name,
        values: resolve_all(base, c.values.into_vec()).map_err(|m| format!("values: {m}"))?,
        keywords: c.keywords,
    })
}

fn no_repo_fields(chart: &Option<String>, selectors: usize, kind: &str) -> Result<(), String> {
    if chart.is_some() || selectors > 0 {
        return Err(format!(
            "`chart`, `versions`, `latest` and `all` apply to `repo` entries, not to `{kind}`"
        ));
    }
    Ok(())
}

fn resolve_all(base: &Path, files: Vec<String>) -> Result<Vec<PathBuf>, String> {
    files
        .into_iter()
        .map(|f| {
            if f.trim().is_empty() {
                Err("empty file name".to_string())
            } else {
                Ok(base.join(f))
            }
        })
        .collect()
}

fn check_url(u: &str) -> Result<(), String> {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| format!("{u:?} is not an http(s) URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{u:?} has no host"));
    }
    Ok(())
}

/// A slug appears in site paths and API routes: keep it to safe characters.
pub fn check_slug(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 100 {
        return Err("must be 1 to 100 characters".into());
    }
    if s == "." || s == ".." {
        return Err(format!("{s:?} is not a usable name"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "{s:?} has {c:?}; use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// A slug from free text (a host name, a repository name): unsafe characters become '-'.
pub fn slugify(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    out.truncate(100);
    if out.is_empty() { "chart".into() } else { out }
}

/// The first line of a parser message.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Projects, String> {
        Projects::parse(text, Path::new("/p")).map_err(|e| e.message)
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Charts.Example.com/x y"), "charts.example.com-x-y");
        assert_eq!(slugify("///"), "chart");
        assert!(check_slug("a b").is_err());
        assert!(check_slug("..").is_err());
        assert!(check_slug("bitnami").is_ok());
    }

    #[test]
    fn versions_read_as_text() {
        let p = parse("charts:\n- repo: https://r.example\n  chart: c\n  versions: [1.0, 2.10]\n")
            .unwrap();
        match &p.entries[0].source {
            EntrySource::Repo { select, .. } => {
                assert_eq!(select, &Select::Versions(vec!["1.0".into(), "2.10".into()]))
            }
            other => panic!("{other:?}"),
        }
    }
}
