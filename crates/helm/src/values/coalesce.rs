//! Helm's value coalescing: user values over chart defaults, parent over subchart, `null`
//! deleting a default, and `global` copied from parent to subchart (parent wins).
//!
//! `merge = true` is Helm's "merge" flavour (used while processing dependencies): nulls are
//! kept instead of deleting keys.

use gotmpl::{Map, Value};

use crate::chart::Chart;

pub(crate) fn new_map() -> Map {
    match Value::empty_map() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

fn as_map(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.clone()),
        _ => None,
    }
}

/// Deep-copy a map into fresh storage.
pub(crate) fn copy_map(m: &Map) -> Map {
    match Value::Map(m.clone()).deep_copy() {
        Value::Map(m) => m,
        _ => unreachable!(),
    }
}

/// Coalesce `user` values with the chart's defaults and all its dependencies' defaults.
pub fn coalesce_values(chart: &Chart, user: &Map, merge: bool, warn: &mut Vec<String>) -> Map {
    let dest = copy_map(user);
    coalesce(chart, &dest, "", merge, warn);
    dest
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(chart: &Chart, dest: &Map, prefix: &str, merge: bool, warn: &mut Vec<String>) {
    coalesce_chart_values(chart, dest, prefix, merge, warn);
    coalesce_deps(chart, dest, prefix, merge, warn);
}

fn coalesce_deps(chart: &Chart, dest: &Map, prefix: &str, merge: bool, warn: &mut Vec<String>) {
    for sub in &chart.dependencies {
        let name = sub.name().to_string();
        let existing = dest.borrow().get(&name).cloned();
        let sub_map = match existing {
            None => {
                let m = new_map();
                dest.borrow_mut()
                    .insert(name.clone(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(Value::Nil) => {
                // Helm: a null subchart section is "not a table"; the subchart still gets its
                // defaults through its own values.
                let m = new_map();
                dest.borrow_mut()
                    .insert(name.clone(), Value::Map(m.clone()));
                m
            }
            Some(_) => {
                warn.push(format!(
                    "warning: skipped value for {}: Not a table.",
                    concat_prefix(prefix, &name)
                ));
                continue;
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(&sub_map, dest, &sub_prefix, warn);
        coalesce(sub, &sub_map, &sub_prefix, merge, warn);
    }
}

/// Copy the parent's `global` into the subchart's values; the parent's entries win.
fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, warn: &mut Vec<String>) {
    let dg = match dest.borrow().get("global") {
        None => new_map(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            warn.push(
                "warning: skipping globals because destination global is not a table.".into(),
            );
            return;
        }
    };
    let sg = match src.borrow().get("global") {
        None => new_map(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            warn.push("warning: skipping globals because source global is not a table.".into());
            return;
        }
    };
    let entries: Vec<(String, Value)> = sg
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        if let Value::Map(vm) = &val {
            let vv = copy_map(vm);
            let existing = dg.borrow().get(&key).cloned();
            match existing {
                None => {
                    dg.borrow_mut().insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    coalesce_tables(&vv, &destv, &concat_prefix(prefix, &key), true, warn);
                    dg.borrow_mut().insert(key, Value::Map(vv));
                }
                Some(_) => warn.push(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                )),
            }
        } else {
            let dest_is_table = matches!(dg.borrow().get(&key), Some(Value::Map(_)));
            if dest_is_table {
                warn.push(format!("key {key} is table. Skipping"));
            } else {
                dg.borrow_mut().insert(key, val);
            }
        }
    }
    dest.borrow_mut().insert("global".into(), Value::Map(dg));
}

/// Merge the chart's own `values.yaml` under `dest` (dest wins).
fn coalesce_chart_values(
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    warn: &mut Vec<String>,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let Some(defaults) = as_map(&chart.values) else {
        return;
    };
    let defaults = copy_map(&defaults);
    let entries: Vec<(String, Value)> = defaults
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        let existing = dest.borrow().get(&key).cloned();
        match existing {
            Some(Value::Nil) if !merge => {
                dest.borrow_mut().remove(&key);
            }
            Some(Value::Map(dm)) => match &val {
                Value::Map(sm) => {
                    let child_merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    coalesce_tables(
                        &dm,
                        sm,
                        &concat_prefix(&sub_prefix, &key),
                        child_merge,
                        warn,
                    );
                }
                Value::Nil => {}
                _ => warn.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None => {
                dest.borrow_mut().insert(key, val);
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `dst` wins over `src`; with `merge == false` a null in
/// `dst` deletes the key.
pub fn coalesce_tables(dst: &Map, src: &Map, prefix: &str, merge: bool, warn: &mut Vec<String>) {
    if std::rc::Rc::ptr_eq(dst, src) {
        return;
    }
    let src = copy_map(src);
    // Nulls in dst are pushed into src so they delete the key below (non-merge mode).
    let nulls: Vec<String> = dst
        .borrow()
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for k in nulls {
        src.borrow_mut().insert(k, Value::Nil);
    }
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        let full = concat_prefix(prefix, &key);
        let existing = dst.borrow().get(&key).cloned();
        match existing {
            Some(Value::Nil) if !merge => {
                dst.borrow_mut().remove(&key);
            }
            None => {
                dst.borrow_mut().insert(key, val);
            }
            Some(dv) => match (&val, &dv) {
                (Value::Map(sm), Value::Map(dm)) => coalesce_tables(dm, sm, &full, merge, warn),
                (Value::Map(_), _) => warn.push(format!(
                    "warning: cannot overwrite table with non table for {full} ({})",
                    gotmpl::fmt::format_value(&val)
                )),
                (v, Value::Map(_)) if !v.is_nil() => warn.push(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    gotmpl::fmt::format_value(v)
                )),
                _ => {}
            },
        }
    }
}

/// Remove keys whose value is null, recursively (Helm's `trimNilValues`).
pub fn trim_nil_values(m: &Map) -> Map {
    let out = new_map();
    for (k, v) in m.borrow().iter() {
        match v {
            Value::Nil => {}
            Value::Map(inner) => {
                out.borrow_mut()
                    .insert(k.clone(), Value::Map(trim_nil_values(inner)));
            }
            other => {
                out.borrow_mut().insert(k.clone(), other.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartFile, Limits, load_files};
    use crate::values::yaml::parse;

    fn chart(values: &str, subs: Vec<(&str, &str)>) -> Chart {
        let mut files = vec![
            ChartFile {
                name: "Chart.yaml".into(),
                data: b"apiVersion: v2\nname: parent\nversion: 1.0.0\n".to_vec(),
            },
            ChartFile {
                name: "values.yaml".into(),
                data: values.as_bytes().to_vec(),
            },
        ];
        for (name, vals) in subs {
            files.push(ChartFile {
                name: format!("charts/{name}/Chart.yaml"),
                data: format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n").into_bytes(),
            });
            files.push(ChartFile {
                name: format!("charts/{name}/values.yaml"),
                data: vals.as_bytes().to_vec(),
            });
        }
        load_files(files, "parent", &Limits::default(), 0).unwrap()
    }

    fn json(m: &Map) -> String {
        crate::funcs::json::encode(&Value::Map(m.clone()), false, false).unwrap()
    }

    fn user(src: &str) -> Map {
        match parse(src).unwrap() {
            Value::Map(m) => m,
            _ => new_map(),
        }
    }

    #[test]
    fn user_over_defaults_and_null_deletes() {
        let c = chart("a: 1\nb: {x: 1, y: 2}\nc: 3\n", vec![]);
        let out = coalesce_values(
            &c,
            &user("b: {y: null, z: 3}\nc: null\nd: 4"),
            false,
            &mut vec![],
        );
        assert_eq!(json(&out), r#"{"a":1,"b":{"x":1,"z":3},"d":4}"#);
    }

    #[test]
    fn subchart_values_and_globals() {
        let c = chart(
            "global: {g: parent, t: {a: 1}}\nchild: {x: override}\n",
            vec![(
                "child",
                "x: default\nyy: 2\nglobal: {g: child, own: 1, t: {a: 2, b: 3}}\n",
            )],
        );
        let out = coalesce_values(&c, &new_map(), false, &mut vec![]);
        assert_eq!(
            json(&out),
            r#"{"child":{"global":{"g":"parent","own":1,"t":{"a":1,"b":3}},"x":"override","yy":2},"global":{"g":"parent","t":{"a":1}}}"#
        );
    }

    #[test]
    fn parent_null_deletes_subchart_default() {
        let c = chart("child: {y: null}\n", vec![("child", "x: 1\ny: 2\n")]);
        let out = coalesce_values(&c, &new_map(), false, &mut vec![]);
        assert_eq!(json(&out), r#"{"child":{"global":{},"x":1}}"#);
    }
}
