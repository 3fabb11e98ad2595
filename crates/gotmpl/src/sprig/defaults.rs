//! Defaults and flow control: `default`, `empty`, `coalesce`, `all`, `any`, `ternary`, `fail`.
//!
//! "Empty" is Sprig's notion, not Go's truth: nil, `false`, `0`, `0.0`, `""`, and empty lists
//! and maps are empty; structs (host objects) never are. So `default "x" 0` gives `"x"`,
//! which surprises chart authors who set a value to `0` or `false` on purpose.
//!
//! ```text
//! {{ .Values.image.tag | default .Chart.AppVersion }}
//! {{ ternary "yes" "no" .Values.enabled }}
//! {{ coalesce .Values.a .Values.b "fallback" }}
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `default "d" ""`, `default "d" "x"` | `d`, `x` |
//! | `empty 0`, `empty (list 1)` | `true`, `false` |
//! | `coalesce nil "" "x"` | `x` |
//! | `all 1 "a"`, `any 0 ""` | `true`, `false` |
//! | `ternary "yes" "no" true` | `yes` |
//! | `fail "message"` | stops rendering with the message |

use super::args::{boolean, exact, is_empty, string};
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    f.insert("default", |a| {
        if a.is_empty() {
            return Err("wrong number of args for default: want at least 1 got 0".into());
        }
        match a.get(1) {
            Some(given) if !is_empty(given) => Ok(given.clone()),
            _ => Ok(a[0].clone()),
        }
    });
    f.insert("empty", |a| {
        exact("empty", a, 1)?;
        Ok(Value::Bool(is_empty(&a[0])))
    });
    f.insert("coalesce", |a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    f.insert("all", |a| Ok(Value::Bool(a.iter().all(|v| !is_empty(v)))));
    f.insert("any", |a| Ok(Value::Bool(a.iter().any(|v| !is_empty(v)))));
    f.insert("ternary", |a| {
        exact("ternary", a, 3)?;
        Ok(if boolean(&a[2])? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    f.insert("fail", |a| {
        exact("fail", a, 1)?;
        Err(string(&a[0])?.to_string())
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn defaults() {
        table(&[
            ("default", vec![s("d"), s("given")], "given"),
            ("default", vec![s("d"), s("")], "d"),
            ("default", vec![s("d"), i(0)], "d"),
            ("default", vec![s("d"), f(0.0)], "d"),
            ("default", vec![s("d"), Value::Bool(false)], "d"),
            ("default", vec![s("d"), Value::Nil], "d"),
            ("default", vec![s("d"), l(vec![])], "d"),
            ("default", vec![s("d"), m(&[])], "d"),
            ("default", vec![s("d")], "d"),
            ("default", vec![s("d"), i(1)], "1"),
            ("default", vec![s("d"), l(vec![i(0)])], "[0]"),
            ("empty", vec![s("")], "true"),
            ("empty", vec![s(" ")], "false"),
            ("empty", vec![i(0)], "true"),
            ("empty", vec![Value::Nil], "true"),
            ("empty", vec![m(&[("a", i(1))])], "false"),
            (
                "coalesce",
                vec![Value::Nil, s(""), i(0), s("x"), s("y")],
                "x",
            ),
            ("coalesce", vec![Value::Nil, s("")], "<nil>"),
            ("coalesce", vec![], "<nil>"),
            ("all", vec![i(1), s("a")], "true"),
            ("all", vec![i(1), s("")], "false"),
            ("all", vec![], "true"),
            ("any", vec![i(0), s("a")], "true"),
            ("any", vec![i(0), s("")], "false"),
            ("any", vec![], "false"),
            ("ternary", vec![s("yes"), s("no"), Value::Bool(true)], "yes"),
            ("ternary", vec![s("yes"), s("no"), Value::Bool(false)], "no"),
        ]);
        errors(&[
            ("fail", vec![s("Please set x")], "Please set x"),
            (
                "ternary",
                vec![s("a"), s("b"), Value::Nil],
                "invalid value; expected bool",
            ),
            (
                "ternary",
                vec![s("a"), s("b"), s("true")],
                "expected bool; got string",
            ),
        ]);
    }
}
