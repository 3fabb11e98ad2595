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
        ]);
    }
}
