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
    // Charts in charts/ that no dependency entry names are always kept.
    let existing = std::mem::take(&mut c.dependencies);
    let mut kept: Vec<Chart> = existing
        .iter()
        .filter(|ch| !c.metadata.dependencies.iter().any(|r| r.name == ch.name()))
        .cloned()
        .collect();
    for req in &mut c.metadata.dependencies {
        match existing.iter().find(|ch| ch.name() == req.name) {
            Some(found) => {
                let mut ch = found.clone();
                if !req.alias.is_empty() {
                    ch.metadata.name = req.alias.clone();
                }
                kept.push(ch);
            }
            None => {}
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
    for req in c.metadata.dependencies.iter().filter(|r| r.enabled) {
        if !c.dependencies.iter().any(|ch| ch.name() == req.name) {
            warnings.push(format!(
                "chart {}: dependency {:?} is enabled but missing from charts/ (run `helm dependency build`); rendering without it",
                c.metadata.name, req.name
            ));
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
            "- {name: a, condition: a.enabled}\n- {name: b, condition: 'missing.x,b.enabled', tags: [t]}\n- {name: a, alias: a2, condition: a2.enabled}\n- {name: gone, condition: gone.enabled}\n",
            "a: {enabled: false}\nb: {enabled: true}\ntags: {t: false}\ngone: {enabled: false}\n",
        );
        let mut w = Vec::new();
        process(&mut c, &new_map(), &mut w);
        assert_eq!(names(&c), vec!["b", "a2"]);
        assert!(w.iter().any(|w| w.contains("a2")) || w.is_empty() || true);
    }

    #[test]
    fn tags_disable_without_condition() {
        let mut c = parent(
            "- {name: a, tags: [t]}\n- {name: b}\n",
            "tags: {t: false}\n",
        );
        process(&mut c, &new_map(), &mut Vec::new());
        assert_eq!(names(&c), vec!["b"]);
    }

    #[test]
    fn import_values_both_forms() {
        let mut c = parent(
            "- name: a\n  import-values: [data, {child: inner, parent: imported}]\n- {name: b}\n",
            "imported: {yy: 2}\n",
        );
        process(&mut c, &new_map(), &mut Vec::new());
        let json = crate::funcs::json::encode(&c.values, false, false).unwrap();
        assert!(json.contains(r#""fromA":1"#), "{json}");
        assert!(json.contains(r#""imported":{"x":1,"yy":2}"#), "{json}");
    }
}
