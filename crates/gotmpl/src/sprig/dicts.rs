//! Dictionary functions. Dicts are Go maps: shared and mutable. `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map they are given (charts rely on `$_ := set .Values "x" 1`);
//! the others build new maps. Go iterates maps in random order; `keys` and `values` here
//! follow sorted key order (charts that need an order pipe through `sortAlpha` anyway).
//!
//! ```text
//! {{ $d := dict "name" "web" "port" 80 }}{{ $_ := set $d "tls" true }}{{ $d.tls }} -> true
//! {{ dig "a" "b" "fallback" $d }}
//! {{ merge $overrides $defaults | toYaml }}
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `dict "a" 1 "b" 2` | `map[a:1 b:2]` (odd count: last value `""`) |
//! | `get $d "a"` | `1`, or `""` when missing |
//! | `set $d "c" 3`, `unset $d "a"` | `$d` itself, changed |
//! | `hasKey $d "a"` | `true` |
//! | `pluck "a" $d1 $d2` | `[1 ...]`, the values found |
//! | `dig "a" "b" "default" $d` | `$d.a.b` or `default` |
//! | `keys $d1 $d2`, `values $d` | key list, value list |
//! | `pick $d "a"`, `omit $d "a"` | new dicts |
//! | `merge $dst $src...`, `mergeOverwrite $dst $src...` | `$dst`, deep-merged in place |
//! | `deepCopy $d` (also `mustDeepCopy`) | an independent copy |

use std::collections::BTreeMap;

use super::args::{at_least, exact, is_empty, string, strval};
use crate::func::FuncMap;
use crate::value::{Map, Value};

/// The dynamic type Go names in "interface conversion" panics.
fn dyn_type(v: &Value) -> String {
    if v.is_nil() {
        "nil".into()
    } else {
        v.type_name()
    }
}

/// A `map[string]interface{}` parameter; `None` for nil (Go's nil map reads as empty).
fn map_arg(v: &Value) -> Result<Option<&Map>, String> {
    match v {
        Value::Map(m) => Ok(Some(m)),
        Value::Nil => Ok(None),
        other => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            other.type_name()
        )),
    }
}

fn nonnil_map(v: &Value) -> Result<&Map, String> {
    match v {
        Value::Map(m) => Ok(m),
        other => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            other.type_name()
        )),
    }
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("dict", |a| {
        let mut m = BTreeMap::new();
        for pair in a.chunks(2) {
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(strval(&pair[0]), value);
        }
        Ok(Value::map(m))
    });
    f.insert("get", |a| {
        exact("get", a, 2)?;
        let key = string(&a[1])?;
        Ok(map_arg(&a[0])?
            .and_then(|m| m.borrow().get(key).cloned())
            .unwrap_or_else(|| Value::str("")))
    });
    f.insert("set", |a| {
        exact("set", a, 3)?;
        let key = string(&a[1])?;
        match map_arg(&a[0])? {
            Some(m) => {
                m.borrow_mut().insert(key.to_string(), a[2].clone());
                Ok(a[0].clone())
            }
            None => Err("assignment to entry in nil map".into()),
        }
    });
    f.insert("unset", |a| {
        exact("unset", a, 2)?;
        let key = string(&a[1])?;
        if let Some(m) = map_arg(&a[0])? {
            m.borrow_mut().remove(key);
        }
        Ok(a[0].clone())
    });
    f.insert("hasKey", |a| {
        exact("hasKey", a, 2)?;
        let key = string(&a[1])?;
        Ok(Value::Bool(
            map_arg(&a[0])?.is_some_and(|m| m.borrow().contains_key(key)),
        ))
    });
    f.insert("pluck", |a| {
        at_least("pluck", a, 1)?;
        let key = string(&a[0])?;
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = map_arg(d)?.and_then(|m| m.borrow().get(key).cloned()) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    f.insert("keys", |a| {
        let mut out = Vec::new();
        for d in a {
            if let Some(m) = map_arg(d)? {
                out.extend(m.borrow().keys().map(Value::str));
            }
        }
        Ok(Value::list(out))
    });
    f.insert("values", |a| {
        exact("values", a, 1)?;
        Ok(Value::list(
            map_arg(&a[0])?
                .map(|m| m.borrow().values().cloned().collect())
                .unwrap_or_default(),
        ))
    });
    f.insert("pick", |a| {
        at_least("pick", a, 1)?;
        let src = map_arg(&a[0])?;
        let mut out = BTreeMap::new();
        for k in &a[1..] {
            let k = string(k)?;
            if let Some(v) = src.and_then(|m| m.borrow().get(k).cloned()) {
                out.insert(k.to_string(), v);
            }
        }
        Ok(Value::map(out))
    });
    f.insert("omit", |a| {
        at_least("omit", a, 1)?;
        let src = map_arg(&a[0])?;
        let mut drop = Vec::new();
        for k in &a[1..] {
            drop.push(string(k)?);
        }
        let out = src
            .map(|m| {
                m.borrow()
                    .iter()
                    .filter(|(k, _)| !drop.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Value::map(out))
    });
    f.insert("dig", |a| {
        if a.len() < 3 {
            return Err("dig needs at least three arguments".into());
        }
        let dict = nonnil_map(&a[a.len() - 1]).map_err(|_| {
            format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                dyn_type(&a[a.len() - 1])
            )
        })?;
        let default = &a[a.len() - 2];
        let mut keys = Vec::new();
        for k in &a[..a.len() - 2] {
            keys.push(k.as_str().ok_or_else(|| {
                format!(
                    "interface conversion: interface {{}} is {}, not string",
                    dyn_type(k)
                )
            })?);
        }
        let mut cur = dict.clone();
        for (n, k) in keys.iter().enumerate() {
            let step = match cur.borrow().get(*k) {
                Some(v) => v.clone(),
                None => return Ok(default.clone()),
            };
            if n + 1 == keys.len() {
                return Ok(step);
            }
            cur = match step {
                Value::Map(m) => m,
                other => {
                    return Err(format!(
                        "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                        dyn_type(&other)
                    ));
                }
            };
        }
        Ok(default.clone())
    });
    for name in ["merge", "mustMerge"] {
        f.insert(name, move |a| merge_all(name, a, false));
    }
    for name in ["mergeOverwrite", "mustMergeOverwrite"] {
        f.insert(name, move |a| merge_all(name, a, true));
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        f.insert(name, |a| {
            exact("deepCopy", a, 1)?;
            if a[0].is_nil() {
                return Err("reflect: call of reflect.Value.Type on zero Value".into());
            }
            deep_copy(&a[0], 0)
        });
    }
}

/// A deep copy that refuses cyclic values instead of recursing forever.
fn deep_copy(v: &Value, depth: usize) -> Result<Value, String> {
    if depth > super::args::MAX_DEPTH {
        return Err(format!(
            "deepCopy: value nested deeper than {} levels (a map that contains itself?)",
            super::args::MAX_DEPTH
        ));
    }
    Ok(match v {
        Value::List(l) => Value::list(
            l.iter()
                .map(|x| deep_copy(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => Value::map(
            m.borrow()
                .iter()
                .map(|(k, x)| Ok((k.clone(), deep_copy(x, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

fn merge_all(name: &str, a: &[Value], overwrite: bool) -> Result<Value, String> {
    at_least(name, a, 1)?;
    let dst = match map_arg(&a[0])? {
        Some(m) => m.clone(),
        None => return Ok(Value::Nil),
    };
    for src in &a[1..] {
        if let Some(src) = map_arg(src)? {
            if std::rc::Rc::ptr_eq(src, &dst) {
                continue;
            }
            merge_into(&dst, &src.borrow(), overwrite, 0);
        }
    }
    Ok(a[0].clone())
}

/// Deep-merge `src` into `dst` the way `mergo.Merge` does for `map[string]interface{}`:
/// nested maps merge key by key (in place); without `overwrite` a key is taken from `src`
/// only when `dst` lacks it or holds an empty value (`""`, `0`, `false`, nil, `{}`, `[]`);
/// with `overwrite` every `src` value wins (a nil one sets nil, an empty list replaces a full
/// one), except that a map merged into a non-empty map stays merged. Checked against helm.
pub(super) fn merge_into(dst: &Map, src: &BTreeMap<String, Value>, overwrite: bool, depth: usize) {
    // mergo stops descending at a fixed depth as well; values that deep are not in charts.
    if depth > 64 {
        return;
    }
    for (key, sv) in src {
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(key.clone(), Value::Nil);
            }
            continue;
        }
        let dv = dst.borrow().get(key).cloned();
        if let (Value::Map(sm), Some(Value::Map(dm))) = (sv, &dv)
            && !std::rc::Rc::ptr_eq(sm, dm)
        {
            let snapshot = sm.borrow().clone();
            merge_into(dm, &snapshot, overwrite, depth + 1);
        }
        let dst_set_nonempty = dv.as_ref().is_some_and(|d| !is_empty(d));
        if dst_set_nonempty && matches!((sv, &dv), (Value::Map(_), Some(Value::Map(_)))) {
            continue;
        }
        if overwrite || !dst_set_nonempty {
            dst.borrow_mut().insert(key.clone(), sv.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn dict_functions() {
        table(&[
            ("dict", vec![s("a"), i(1), s("b"), s("x")], "map[a:1 b:x]"),
            ("dict", vec![s("a")], "map[a:]"),
            ("dict", vec![i(1), i(2)], "map[1:2]"),
            ("dict", vec![], "map[]"),
            ("get", vec![m(&[("a", i(1))]), s("a")], "1"),
            ("get", vec![m(&[("a", i(1))]), s("b")], ""),
            ("get", vec![Value::Nil, s("b")], ""),
            ("hasKey", vec![m(&[("a", Value::Nil)]), s("a")], "true"),
            ("hasKey", vec![m(&[]), s("a")], "false"),
            ("hasKey", vec![Value::Nil, s("a")], "false"),
            (
                "pluck",
                vec![
                    s("a"),
                    m(&[("a", i(1))]),
                    m(&[("b", i(2))]),
                    m(&[("a", i(3))]),
                ],
                "[1 3]",
            ),
            (
                "keys",
                vec![m(&[("b", i(1)), ("a", i(2))]), m(&[("c", i(3))])],
                "[a b c]",
            ),
            ("values", vec![m(&[("b", i(1)), ("a", i(2))])], "[2 1]"),
            (
                "pick",
                vec![m(&[("a", i(1)), ("b", i(2))]), s("a"), s("z")],
                "map[a:1]",
            ),
            (
                "omit",
                vec![m(&[("a", i(1)), ("b", i(2))]), s("a")],
                "map[b:2]",
            ),
            (
                "dig",
                vec![s("a"), s("b"), s("def"), m(&[("a", m(&[("b", i(7))]))])],
                "7",
            ),
            (
                "dig",
                vec![s("a"), s("x"), s("def"), m(&[("a", m(&[("b", i(7))]))])],
                "def",
            ),
            ("dig", vec![s("a"), s("def"), m(&[("a", i(1))])], "1"),
        ]);
        errors(&[
            (
                "set",
                vec![Value::Nil, s("a"), i(1)],
                "assignment to entry in nil map",
            ),
            (
                "get",
                vec![s("x"), s("a")],
                "expected map[string]interface {}; got string",
            ),
            (
                "dig",
                vec![s("a"), s("b"), s("d"), m(&[("a", i(1))])],
                "interface conversion",
            ),
            (
                "dig",
                vec![s("a"), s("d")],
                "dig needs at least three arguments",
            ),
            (
                "deepCopy",
                vec![Value::Nil],
                "reflect: call of reflect.Value.Type on zero Value",
            ),
            ("mustDeepCopy", vec![Value::Nil], "zero Value"),
        ]);
    }

    #[test]
    fn set_and_unset_mutate_in_place() {
        let d = m(&[("a", i(1))]);
        let back = call("set", &[d.clone(), s("b"), i(2)]).unwrap();
        assert_eq!(crate::fmt::format_value(&d), "map[a:1 b:2]");
        assert_eq!(crate::fmt::format_value(&back), "map[a:1 b:2]");
        call("unset", &[d.clone(), s("a")]).unwrap();
        assert_eq!(crate::fmt::format_value(&d), "map[b:2]");
    }

    #[test]
    fn merge_follows_mergo() {
        let dst = m(&[
            ("keep", s("dst")),
            ("empty", s("")),
            ("off", Value::Bool(false)),
            ("nested", m(&[("x", i(1))])),
        ]);
        let src = m(&[
            ("keep", s("src")),
            ("empty", s("filled")),
            ("off", Value::Bool(true)),
            ("nested", m(&[("x", i(2)), ("y", i(3))])),
            ("new", s("n")),
            ("nil", Value::Nil),
        ]);
        let out = call("merge", &[dst.clone(), src.clone()]).unwrap();
        let want = "map[empty:filled keep:dst nested:map[x:1 y:3] new:n off:true]";
        assert_eq!(crate::fmt::format_value(&out), want);
        // dst itself changed.
        assert_eq!(crate::fmt::format_value(&dst), want);

        let dst = m(&[
            ("keep", s("dst")),
            ("nested", m(&[("x", i(1))])),
            ("str", s("v")),
        ]);
        let src = m(&[
            ("keep", s("src")),
            ("nested", m(&[("x", i(2))])),
            ("str", m(&[("z", i(1))])),
            ("zero", i(0)),
        ]);
        let out = call("mergeOverwrite", &[dst, src]).unwrap();
        assert_eq!(
            crate::fmt::format_value(&out),
            "map[keep:src nested:map[x:2] str:map[z:1] zero:0]"
        );

        // Several sources: earlier ones win for merge.
        let out = call(
            "merge",
            &[m(&[]), m(&[("a", i(1))]), m(&[("a", i(2)), ("b", i(2))])],
        )
        .unwrap();
        assert_eq!(crate::fmt::format_value(&out), "map[a:1 b:2]");
        let out = call(
            "mergeOverwrite",
            &[m(&[]), m(&[("a", i(1))]), m(&[("a", i(2)), ("b", i(2))])],
        )
        .unwrap();
        assert_eq!(crate::fmt::format_value(&out), "map[a:2 b:2]");
    }

    /// `(function, dst, src, expected)`, observed with helm v4.1.4.
    #[test]
    fn merge_edge_cases_match_helm() {
        let x1 = || m(&[("x", i(1))]);
        let cases: Vec<(&str, Value, Value, &str)> = vec![
            (
                "merge",
                m(&[("a", m(&[("x", i(1)), ("l", l(vec![i(1)]))]))]),
                m(&[(
                    "a",
                    m(&[("x", i(2)), ("y", i(3)), ("l", l(vec![i(2), i(3)]))]),
                )]),
                "map[a:map[l:[1] x:1 y:3]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", m(&[("x", i(1)), ("l", l(vec![i(1)]))]))]),
                m(&[(
                    "a",
                    m(&[("x", i(2)), ("y", i(3)), ("l", l(vec![i(2), i(3)]))]),
                )]),
                "map[a:map[l:[2 3] x:2 y:3]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", x1())]),
                m(&[("a", s("str"))]),
                "map[a:str]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", s("str"))]),
                m(&[("a", x1())]),
                "map[a:map[x:1]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", s(""))]),
                m(&[("a", x1())]),
                "map[a:map[x:1]]",
            ),
            (
                "merge",
                m(&[("a", s("str"))]),
                m(&[("a", x1())]),
                "map[a:str]",
            ),
            (
                "merge",
                m(&[("a", l(vec![]))]),
                m(&[("a", l(vec![i(1)]))]),
                "map[a:[1]]",
            ),
            (
                "merge",
                m(&[("a", l(vec![i(5)]))]),
                m(&[("a", l(vec![i(1)]))]),
                "map[a:[5]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", l(vec![i(5)]))]),
                m(&[("a", l(vec![]))]),
                "map[a:[]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", i(5))]),
                m(&[("a", i(0)), ("b", Value::Bool(false)), ("c", s(""))]),
                "map[a:0 b:false c:]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", m(&[("b", m(&[("c", i(1)), ("d", i(2))]))]))]),
                m(&[("a", m(&[("b", m(&[("c", Value::Nil)]))]))]),
                "map[a:map[b:map[c:<nil> d:2]]]",
            ),
            (
                "merge",
                m(&[("a", Value::Nil)]),
                m(&[("a", i(1))]),
                "map[a:1]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", x1())]),
                m(&[("a", m(&[]))]),
                "map[a:map[x:1]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", x1())]),
                m(&[("a", l(vec![]))]),
                "map[a:[]]",
            ),
            (
                "merge",
                m(&[("a", x1())]),
                m(&[("a", l(vec![i(1)]))]),
                "map[a:map[x:1]]",
            ),
            (
                "mergeOverwrite",
                m(&[("a", Value::Bool(true))]),
                m(&[("a", Value::Bool(false))]),
                "map[a:false]",
            ),
            (
                "merge",
                m(&[("a", Value::Bool(false))]),
                m(&[("a", Value::Bool(true))]),
                "map[a:true]",
            ),
        ];
        let mut bad = Vec::new();
        for (name, dst, src, want) in cases {
            let got = render(name, &[dst, src]).unwrap();
            if got != want {
                bad.push(format!("{name}: got {got}, want {want}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn deep_copy_detaches() {
        let inner = m(&[("x", i(1))]);
        let d = m(&[("in", inner.clone())]);
        let copy = call("deepCopy", &[d]).unwrap();
        call("set", &[inner, s("x"), i(9)]).unwrap();
        assert_eq!(crate::fmt::format_value(&copy), "map[in:map[x:1]]");
    }
}
