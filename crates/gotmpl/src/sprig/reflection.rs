//! Reflection: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`, `deepEqual`.
//!
//! Type names are Go's as Helm sees them: values from YAML are `float64`, `string`, `bool`,
//! `[]interface {}` and `map[string]interface {}`; numbers from functions are `int`
//! (Sprig's math really returns `int64`; we do not keep the two apart).
//!
//! ```text
//! {{ kindIs "map" .Values.resources }}   -> true
//! {{ typeOf .Values.replicas }}          -> float64
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `typeOf 1.5`, `kindOf (list)` | `float64`, `slice` |
//! | `typeIs "string" "a"`, `typeIsLike "string" "a"`, `kindIs "map" (dict)` | `true` |
//! | `deepEqual (list 1) (list 1)` | `true` |

use super::args::{deep_equal, exact, kind, string};
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    f.insert("typeOf", |a| {
        exact("typeOf", a, 1)?;
        Ok(Value::from(a[0].type_name()))
    });
    f.insert("kindOf", |a| {
        exact("kindOf", a, 1)?;
        Ok(Value::str(kind(&a[0])))
    });
    f.insert("typeIs", |a| {
        exact("typeIs", a, 2)?;
        Ok(Value::Bool(string(&a[0])? == a[1].type_name()))
    });
    f.insert("typeIsLike", |a| {
        exact("typeIsLike", a, 2)?;
        let (want, got) = (string(&a[0])?, a[1].type_name());
        Ok(Value::Bool(
            want == got || got.strip_prefix('*') == Some(want),
        ))
    });
    f.insert("kindIs", |a| {
        exact("kindIs", a, 2)?;
        Ok(Value::Bool(string(&a[0])? == kind(&a[1])))
    });
    f.insert("deepEqual", |a| {
        exact("deepEqual", a, 2)?;
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn reflection() {
        table(&[
            ("typeOf", vec![f(1.0)], "float64"),
            ("typeOf", vec![i(1)], "int"),
            ("typeOf", vec![s("")], "string"),
            ("typeOf", vec![Value::Nil], "<nil>"),
            ("typeOf", vec![l(vec![])], "[]interface {}"),
            ("typeOf", vec![m(&[])], "map[string]interface {}"),
            ("kindOf", vec![m(&[])], "map"),
            ("kindOf", vec![l(vec![])], "slice"),
            ("kindOf", vec![Value::Nil], "invalid"),
            ("kindOf", vec![Value::Bool(true)], "bool"),
            ("kindIs", vec![s("map"), m(&[])], "true"),
            ("kindIs", vec![s("string"), i(1)], "false"),
            ("typeIs", vec![s("float64"), f(2.0)], "true"),
            ("typeIsLike", vec![s("string"), s("x")], "true"),
            (
                "deepEqual",
                vec![
                    l(vec![i(1), m(&[("a", s("b"))])]),
                    l(vec![i(1), m(&[("a", s("b"))])]),
                ],
                "true",
            ),
            ("deepEqual", vec![i(1), f(1.0)], "false"),
            ("deepEqual", vec![Value::Nil, Value::Nil], "true"),
            ("typeOf", vec![Value::Int64(1)], "int64"),
            ("kindOf", vec![Value::Int64(1)], "int64"),
            ("kindIs", vec![s("int64"), Value::Int64(1)], "true"),
            ("kindIs", vec![s("int"), Value::Int64(1)], "false"),
            ("deepEqual", vec![i(1), Value::Int64(1)], "false"),
        ]);
    }

    /// int vs int64 through the engine, each line checked against helm v4.1.4.
    #[test]
    fn int64_in_templates() {
        let mut funcs = crate::FuncMap::new();
        super::super::register(&mut funcs);
        let run = |text: &str| {
            let mut set = crate::TemplateSet::new();
            set.parse("t", text).unwrap();
            set.execute("t", &Value::Nil, &funcs, &crate::Limits::default())
                .map_err(|e| e.to_string())
        };
        let cases = [
            (
                r#"{{ typeOf (add 1 2) }} {{ eq (add 1 2) 3 }} {{ lt (add 1 2) 4 }} {{ kindOf (add 1 2) }} {{ printf "%T %s %v" (add 1 2) (add 1 2) (int64 5) }}"#,
                "int64 true true int64 int64 %!s(int64=3) 5",
            ),
            (
                r#"{{ range (int64 3) }}{{ typeOf . }}{{ end }}"#,
                "int64int64int64",
            ),
            (r#"{{ range 2 }}{{ typeOf . }}{{ end }}"#, "intint"),
            (
                r#"{{ index (list 1 2 3) (int64 1) }} {{ typeOf (len "a") }} {{ typeOf (max 1 2) }} {{ typeOf (toDecimal "0777") }} {{ typeOf (atoi "3") }} {{ typeOf (int 3.2) }}"#,
                "2 int int64 int64 int int",
            ),
            (
                r#"{{ deepEqual (int64 1) 1 }} {{ empty (int64 0) }} {{ default 5 (int64 0) }} {{ duration (int64 95) }} {{ duration 95 }}"#,
                "false true 5 1m35s 0s",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(run(text).as_deref(), Ok(want), "{text}");
        }
        // Go refuses an int64 where a function declares an int.
        for text in [
            r#"{{ indent (add 1 2) "x" }}"#,
            r#"{{ until (int64 2) }}"#,
            r#"{{ round 2.5 (int64 0) }}"#,
        ] {
            let err = run(text).unwrap_err();
            assert!(
                err.contains("wrong type for value; expected int; got int64"),
                "{text}: {err}"
            );
        }
        assert!(
            run("{{ eq (int64 1) 1.0 }}")
                .unwrap_err()
                .contains("incompatible types for comparison: int64 and float64")
        );
    }
}
