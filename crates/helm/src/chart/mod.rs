//! The chart model and its loaders: a chart directory or `.tgz` becomes an in-memory
//! [`Chart`] (metadata, values, templates, other files, subcharts).
//!
//! Loading never follows a path out of the chart: archive entries with `..` or absolute
//! paths are refused, symlinks are never followed outside the chart directory, and sizes
//! and entry counts are bounded ([`Limits`]). Loading knows nothing of rendering.

pub mod archive;
pub mod helmignore;
pub mod load;

use std::collections::BTreeMap;

use gotmpl::Value;

use crate::error::Error;
use crate::values::yaml;

/// Bounds applied while reading a chart (directory or archive).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest compressed `.tgz` accepted.
    pub max_archive_bytes: u64,
    /// Largest single file (decompressed).
    pub max_file_bytes: u64,
    /// Largest total size of all files (decompressed), subcharts included.
    pub max_total_bytes: u64,
    /// Most files (and archive entries) in one chart, subcharts included.
    pub max_entries: usize,
    /// Deepest nesting of subcharts.
    pub max_chart_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 100 * 1024 * 1024,
            max_file_bytes: 16 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
            max_entries: 20_000,
            max_chart_depth: 16,
        }
    }
}

/// One file of a chart, with its path relative to the chart root (`/`-separated).
#[derive(Clone, Debug)]
pub struct ChartFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// A maintainer entry of `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency entry of `Chart.yaml` (v2) or `requirements.yaml` (v1).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Either strings (`data` → `exports.data`) or `{child, parent}` maps, as written.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.yaml`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub api_version: String,
    pub name: String,
    pub version: String,
    pub kube_version: String,
    pub description: String,
    pub chart_type: String,
    pub keywords: Vec<String>,
    pub home: String,
    pub sources: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub dependencies: Vec<Dependency>,
    pub condition: String,
    pub tags: String,
}

impl Metadata {
    /// Read `Chart.yaml` (or, for `requirements.yaml`, only its dependencies).
    pub fn parse(text: &str) -> Result<Metadata, String> {
        let v = yaml::parse(text)?;
        let Value::Map(m) = v else {
            return Err("Chart.yaml is not a YAML mapping".into());
        };
        let m = m.borrow();
        let s = |k: &str| m.get(k).map(scalar_string).unwrap_or_default();
        let list = |k: &str| match m.get(k) {
            Some(Value::List(l)) => l.iter().map(scalar_string).collect(),
            _ => Vec::new(),
        };
        let maintainers = match m.get("maintainers") {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|x| match x {
                    Value::Map(mm) => {
                        let mm = mm.borrow();
                        let g = |k: &str| mm.get(k).map(scalar_string).unwrap_or_default();
                        Some(Maintainer {
                            name: g("name"),
                            email: g("email"),
                            url: g("url"),
                        })
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let annotations = match m.get("annotations") {
            Some(Value::Map(a)) => a
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), scalar_string(v)))
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Metadata {
            api_version: s("apiVersion"),
            name: s("name"),
            version: s("version"),
            kube_version: s("kubeVersion"),
            description: s("description"),
            chart_type: s("type"),
            keywords: list("keywords"),
            home: s("home"),
            sources: list("sources"),
            maintainers,
            icon: s("icon"),
            app_version: s("appVersion"),
            deprecated: matches!(m.get("deprecated"), Some(Value::Bool(true))),
            annotations,
            dependencies: parse_dependencies(m.get("dependencies")),
            condition: s("condition"),
            tags: s("tags"),
        })
    }

    /// Whether this is a library chart (`type: library`): its defines are usable, it renders nothing.
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }
}

fn parse_dependencies(v: Option<&Value>) -> Vec<Dependency> {
    let Some(Value::List(l)) = v else {
        return Vec::new();
    };
    l.iter()
        .filter_map(|d| {
            let Value::Map(m) = d else { return None };
            let m = m.borrow();
            let s = |k: &str| m.get(k).map(scalar_string).unwrap_or_default();
            let tags = match m.get("tags") {
                Some(Value::List(t)) => t.iter().map(scalar_string).collect(),
                _ => Vec::new(),
            };
            let import_values = match m.get("import-values") {
                Some(Value::List(t)) => t.as_ref().clone(),
                _ => Vec::new(),
            };
            Some(Dependency {
                name: s("name"),
                version: s("version"),
                repository: s("repository"),
                condition: s("condition"),
                tags,
                enabled: true,
                import_values,
                alias: s("alias"),
            })
        })
        .collect()
}

/// A scalar as the string Go would hold after decoding YAML into a string field.
pub(crate) fn scalar_string(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::funcs::json::format_float(*f),
        other => gotmpl::fmt::format_value(other),
    }
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    pub metadata: Metadata,
    /// `values.yaml` (a map; empty when absent).
    pub values: Value,
    /// `values.schema.json`, when present.
    pub schema: Option<Vec<u8>>,
    /// Files under `templates/`, names relative to the chart root (`templates/x.yaml`).
    pub templates: Vec<ChartFile>,
    /// Every other file (what `.Files` sees), `crds/` included.
    pub files: Vec<ChartFile>,
    /// Subcharts found in `charts/` (directories and archives).
    pub dependencies: Vec<Chart>,
    /// Problems that did not stop loading (a stray file in `charts/`, ...).
    pub warnings: Vec<String>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Files under `crds/` (what `helm template --include-crds` prints).
    pub fn crd_files(&self) -> impl Iterator<Item = &ChartFile> {
        self.files
            .iter()
            .filter(|f| f.name.starts_with("crds/") && f.name.len() > 5)
    }
}

/// Build a chart from its files (paths relative to the chart root). `origin` names the chart
/// in errors. `depth` is the subchart nesting level.
pub fn load_files(
    files: Vec<ChartFile>,
    origin: &str,
    limits: &Limits,
    depth: usize,
) -> Result<Chart, Error> {
    if depth > limits.max_chart_depth {
        return Err(Error::chart(origin, "subcharts nested too deeply"));
    }
    let mut metadata: Option<Metadata> = None;
    let mut requirements: Option<Vec<Dependency>> = None;
    let mut values = Value::empty_map();
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut warnings = Vec::new();
    let mut sub: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();

    for mut f in files {
        if f.data.starts_with(b"\xEF\xBB\xBF") {
            f.data.drain(..3);
        }
        let name = f.name.as_str();
        if name == "Chart.yaml" {
            let text = crate::text::lossy(&f.data);
            metadata = Some(
                Metadata::parse(&text)
                    .map_err(|e| Error::chart(origin, format!("Chart.yaml: {e}")))?,
            );
        } else if name == "values.yaml" {
            let text = crate::text::lossy(&f.data);
            values = yaml::parse_map(&text)
                .map_err(|e| Error::chart(origin, format!("values.yaml: {e}")))?;
        } else if name == "values.schema.json" {
            schema = Some(f.data);
        } else if name == "requirements.yaml" {
            let text = crate::text::lossy(&f.data);
            let deps = yaml::parse(&text)
                .map_err(|e| Error::chart(origin, format!("requirements.yaml: {e}")))?;
            if let Value::Map(m) = &deps {
                requirements = Some(parse_dependencies(m.borrow().get("dependencies")));
            }
            other.push(f);
        } else if name == "Chart.lock" || name == "requirements.lock" {
            // Lock files only pin versions; nothing to render.
        } else if name.starts_with("templates/") {
            templates.push(f);
        } else if let Some(rest) = name.strip_prefix("charts/") {
            if rest.ends_with(".prov") || rest.is_empty() {
                other.push(f);
                continue;
            }
            let (cname, inner) = match rest.split_once('/') {
                Some((c, i)) => (c.to_string(), i.to_string()),
                None => (rest.to_string(), String::new()),
            };
            sub.entry(cname).or_default().push(ChartFile {
                name: inner,
                data: f.data,
            });
        } else {
            other.push(f);
        }
    }

    let Some(mut metadata) = metadata else {
        return Err(Error::chart(
            origin,
            "Chart.yaml file is missing (a chart needs Chart.yaml at its root)",
        ));
    };
    if metadata.name.is_empty() {
        return Err(Error::chart(
            origin,
            "validation: chart.metadata.name is required",
        ));
    }
    if let Some(reqs) = requirements
        && metadata.dependencies.is_empty()
    {
        metadata.dependencies = reqs;
    }
    if metadata.api_version.is_empty() {
        metadata.api_version = "v1".into();
    }

    let mut dependencies = Vec::new();
    for (cname, files) in sub {
        let sub_origin = format!("{origin}/charts/{cname}");
        let loaded = if files.len() == 1 && files[0].name.is_empty() {
            // A single file directly in charts/: an archive or a stray file.
            if cname.ends_with(".tgz") || cname.ends_with(".tar.gz") {
                archive::load_archive_bytes(&files[0].data, &sub_origin, limits, depth + 1)
            } else {
                warnings.push(format!("{sub_origin}: not a chart archive, ignored"));
                continue;
            }
        } else {
            load_files(files, &sub_origin, limits, depth + 1)
        };
        match loaded {
            Ok(c) => {
                warnings.extend(c.warnings.iter().cloned());
                dependencies.push(c);
            }
            Err(e) => warnings.push(format!("{sub_origin}: skipped: {e}")),
        }
    }

    Ok(Chart {
        metadata,
        values,
        schema,
        templates,
        files: other,
        dependencies,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, data: &str) -> ChartFile {
        ChartFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn v1_chart_with_requirements_and_stray_files() {
        let files = vec![
            f(
                "Chart.yaml",
                "\u{feff}apiVersion: v1\nname: old\nversion: 1.0\nappVersion: 2.10\n",
            ),
            f(
                "requirements.yaml",
                "dependencies:\n- name: dep\n  version: 0.1.0\n  condition: dep.enabled\n  tags: [a]\n  import-values: [x]\n",
            ),
            f("values.yaml", "a: 1\n"),
            f("templates/x.yaml", "kind: X"),
            f("charts/README.md", "not a chart"),
            f(
                "charts/dep/Chart.yaml",
                "apiVersion: v2\nname: dep\nversion: 0.1.0\n",
            ),
            f("crds/c.yaml", "kind: CustomResourceDefinition"),
            f("files/a.txt", "a"),
        ];
        let c = load_files(files, "old", &Limits::default(), 0).unwrap();
        assert_eq!(c.metadata.api_version, "v1");
        // Numbers in string fields read as Go would print them after JSON.
        assert_eq!(c.metadata.version, "1");
        assert_eq!(c.metadata.app_version, "2.1");
        assert_eq!(c.metadata.dependencies.len(), 1);
        assert_eq!(c.metadata.dependencies[0].condition, "dep.enabled");
        assert_eq!(c.metadata.dependencies[0].tags, vec!["a".to_string()]);
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.crd_files().count(), 1);
        assert!(c.files.iter().any(|f| f.name == "files/a.txt"));
        assert!(c.warnings.iter().any(|w| w.contains("README.md")));
    }

    #[test]
    fn missing_chart_yaml_is_an_error() {
        let e = load_files(vec![f("values.yaml", "a: 1")], "x", &Limits::default(), 0).unwrap_err();
        assert!(e.to_string().contains("Chart.yaml"), "{e}");
    }
}
