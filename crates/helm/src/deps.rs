//! Dependencies: which subcharts are rendered (aliases, `tags`, `condition`) and the values
//! they export to their parent (`import-values`).
//!
//! Follows Helm's order: aliases are applied, every dependency starts enabled, `tags` decide,
//! then the first `condition` path that resolves to a boolean overrides. A dependency that is
//! declared but has no chart in `charts/` is fine when disabled, and a warning when enabled
//! (helm refuses to render; we render the rest).

use gotmpl::{Map, Value};

use crate::chart::Chart;
use crate::values::coalesce::{coalesce_tables, coalesce_values, copy_map, new_map};
use crate::values::{path_value, table};

/// Apply conditions, tags, aliases and import-values to `chart`, given the user's values.
pub fn process(chart: &mut Chart, user: &Map, warnings: &mut Vec<String>) {
    process_enabled(chart, user, "", warnings, 0);
    process_imports(chart, warnings, 0);
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str, warnings: &mut Vec<String>, depth: usize) {
    if c.metadata.dependencies.is_empty() || depth > 32 {
        return;
    }
    // Charts in charts/ that no dependency entry matches (name and version range) are
    // always kept, as helm does.
    let existing = std::mem::take(&mut c.dependencies);
    let mut kept: Vec<Chart> = existing
        .iter()
        .filter(|ch| {
            !c.metadata
                .dependencies
                .iter()
                .any(|r| r.name == ch.name() && version_matches(&r.version, &ch.metadata.version))
        })
        .cloned()
        .collect();
    let original_names: Vec<(String, String)> = c
        .metadata
        .dependencies
        .iter()
        .map(|r| (r.name.clone(), r.version.clone()))
        .collect();
    for req in &mut c.metadata.dependencies {
        let found = existing.iter().find(|ch| {
            ch.name() == req.name && version_matches(&req.version, &ch.metadata.version)
        });
        if let Some(found) = found {
            let mut ch = found.clone();
            if !req.alias.is_empty() {
                ch.metadata.name = req.alias.clone();
            }
            kept.push(ch);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    c.dependencies = kept;

    let cvals = coalesce_values(c, v, false, &mut Vec::new());
    // Tags.
    if let Some(tags) = table(&cvals, "tags") {
        let tags = tags.borrow();
        for req in &mut c.metadata.dependencies {
            let (mut has_true, mut has_false) = (false, false);
            for t in &req.tags {
                match tags.get(t) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    Some(_) => warnings.push(format!(
                        "warning: tag {t:?} for chart {} is not a boolean",
                        req.name
                    )),
                    None => {}
                }
            }
            if !has_true && has_false {
                req.enabled = false;
            } else if has_true || !has_false {
                req.enabled = true;
            }
        }
    }
    // Conditions: the first path that resolves to a boolean wins.
    for req in &mut c.metadata.dependencies {
        for cond in req.condition.trim().split(',') {
            let cond = cond.trim();
            if cond.is_empty() {
                continue;
            }
            match path_value(&cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    req.enabled = b;
                    break;
                }
                Some(Value::Map(_)) | None => {}
                Some(_) => warnings.push(format!(
                    "warning: condition path '{cond}' for chart {} returned non-bool value",
                    req.name
                )),
            }
        }
    }
    let disabled: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    for (req, (orig, range)) in c.metadata.dependencies.iter().zip(&original_names) {
        if !req.enabled || c.dependencies.iter().any(|ch| ch.name() == req.name) {
            continue;
        }
        match existing.iter().find(|ch| ch.name() == orig) {
            Some(ch) => warnings.push(format!(
                "chart {}: dependency {:?} wants {orig} version {range:?} but charts/ holds {}; like helm, that chart renders under its own name and {:?} renders nothing",
                c.metadata.name, req.name, ch.metadata.version, req.name
            )),
            None => warnings.push(format!(
                "chart {}: dependency {:?} is enabled but missing from charts/ (run `helm dependency build`); rendering without it",
                c.metadata.name, req.name
            )),
        }
    }
    c.dependencies
        .retain(|ch| !disabled.iter().any(|d| d == ch.name()));
    c.metadata.dependencies.retain(|r| r.enabled);
    for sub in &mut c.dependencies {
        let subpath = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &subpath, warnings, depth + 1);
    }
}

/// Helm's `IsCompatibleRange`: the chart's version satisfies the dependency's version range
/// (Sprig's `semverCompare`, the same Masterminds semantics). An empty or unparsable range or
/// version never matches, as in helm.
fn version_matches(range: &str, version: &str) -> bool {
    thread_local! {
        static SEMVER_COMPARE: Option<gotmpl::SimpleFn> = {
            let mut f = gotmpl::FuncMap::new();
            gotmpl::sprig::register(&mut f);
            f.get("semverCompare").cloned()
        };
    }
    if range.trim().is_empty() {
        return false;
    }
    SEMVER_COMPARE.with(|f| match f {
        Some(f) => matches!(
            f(&[Value::str(range), Value::str(version)]),
            Ok(Value::Bool(true))
        ),
        None => true,
    })
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." || path.is_empty() {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = new_map();
        m.borrow_mut().insert(part.to_string(), Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_imports(c: &mut Chart, warnings: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    for sub in &mut c.dependencies {
        process_imports(sub, warnings, depth + 1);
    }
    if c.metadata.dependencies.is_empty() {
        return;
    }
    let cvals = coalesce_values(c, &new_map(), true, &mut Vec::new());
    let b = new_map();
    let mut any = false;
    for req in &mut c.metadata.dependencies {
        let mut normalized = Vec::new();
        for iv in &req.import_values {
            match iv {
                Value::Map(m) => {
                    let m = m.borrow();
                    let child = m
                        .get("child")
                        .map(crate::chart::scalar_string)
                        .unwrap_or_default();
                    let parent = m
                        .get("parent")
                        .map(crate::chart::scalar_string)
                        .unwrap_or_default();
                    normalized.push((child.clone(), parent.clone()));
                    match table(&cvals, &format!("{}.{child}", req.name)) {
                        Some(t) => {
                            coalesce_tables(
                                &b,
                                &path_to_map(&parent, copy_map(&t)),
                                "",
                                true,
                                warnings,
                            );
                            any = true;
                        }
                        None => warnings.push(format!(
                            "Warning: ImportValues missing table from chart {}: {child}",
                            req.name
                        )),
                    }
                }
                Value::String(s) => {
                    let child = format!("exports.{s}");
                    normalized.push((child.clone(), ".".into()));
                    match table(&cvals, &format!("{}.{child}", req.name)) {
                        Some(t) => {
                            coalesce_tables(&b, &copy_map(&t), "", true, warnings);
                            any = true;
                        }
                        None => warnings.push(format!(
                            "Warning: ImportValues missing table from chart {}: {child}",
                            req.name
                        )),
                    }
                }
                _ => {}
            }
        }
        req.import_values = normalized
            .into_iter()
            .map(|(child, parent)| {
                let m = new_map();
                m.borrow_mut().insert("child".into(), Value::from(child));
                m.borrow_mut().insert("parent".into(), Value::from(parent));
                Value::Map(m)
            })
            .collect();
    }
    let _ = any;
    // Imported values rank below the parent's own values.
    let merged = copy_map(&cvals);
    coalesce_tables(&merged, &b, "", true, warnings);
    c.values = Value::Map(merged);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartFile, Limits, load_files};

    fn file(name: &str, data: &str) -> ChartFile {
        ChartFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    fn parent(deps: &str, values: &str) -> Chart {
        let files = vec![
            file(
                "Chart.yaml",
                &format!("apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n{deps}"),
            ),
            file("values.yaml", values),
            file(
                "charts/a/Chart.yaml",
                "apiVersion: v2\nname: a\nversion: 1.0.0\n",
            ),
            file(
                "charts/a/values.yaml",
                "exports:\n  data: {fromA: 1}\ninner: {x: 1}\n",
            ),
            file(
                "charts/b/Chart.yaml",
                "apiVersion: v2\nname: b\nversion: 1.0.0\n",
            ),
        ];
        load_files(files, "p", &Limits::default(), 0).unwrap()
    }

    fn names(c: &Chart) -> Vec<String> {
        c.dependencies
            .iter()
            .map(|d| d.name().to_string())
            .collect()
    }

    #[test]
    fn conditions_tags_and_alias() {
        let mut c = parent(
            "- {name: a, version: 1.0.0, condition: a.enabled}\n- {name: b, version: '>=1.0.0', condition: 'missing.x,b.enabled', tags: [t]}\n- {name: a, version: ~1.0, alias: a2, condition: a2.enabled}\n- {name: gone, version: 1.0.0, condition: gone.enabled}\n",
            "a: {enabled: false}\nb: {enabled: true}\ntags: {t: false}\ngone: {enabled: false}\n",
        );
        let mut w = Vec::new();
        process(&mut c, &new_map(), &mut w);
        assert_eq!(names(&c), vec!["b", "a2"]);
    }

    #[test]
    fn version_mismatch_keeps_the_chart_unconditionally() {
        // As helm v4.1.4: with no (or a non-matching) version, the entry matches no chart in
        // charts/, so the chart renders under its own name and the alias renders nothing.
        let mut c = parent(
            "- {name: a, alias: x, condition: x.enabled}\n- {name: b, version: ~2.0, alias: z}\n",
            "x: {enabled: false}\n",
        );
        process(&mut c, &new_map(), &mut Vec::new());
        assert_eq!(names(&c), vec!["a", "b"]);
    }

    #[test]
    fn tags_disable_without_condition() {
        let mut c = parent(
            "- {name: a, version: 1.0.0, tags: [t]}\n- {name: b, version: 1.x}\n",
            "tags: {t: false}\n",
        );
        process(&mut c, &new_map(), &mut Vec::new());
        assert_eq!(names(&c), vec!["b"]);
    }

    #[test]
    fn import_values_both_forms() {
        let mut c = parent(
            "- name: a\n  version: 1.0.0\n  import-values: [data, {child: inner, parent: imported}]\n- {name: b, version: 1.0.0}\n",
            "imported: {yy: 2}\n",
        );
        process(&mut c, &new_map(), &mut Vec::new());
        let json = crate::funcs::json::encode(&c.values, false, false).unwrap();
        assert!(json.contains(r#""fromA":1"#), "{json}");
        assert!(json.contains(r#""imported":{"x":1,"yy":2}"#), "{json}");
    }
}
