//! Type conversion: `toString`, `int`, `int64`, `float64`, `atoi`, `toDecimal`.
//!
//! `int` and `int64` follow `spf13/cast` and never fail: floats truncate toward zero,
//! strings parse with Go's base prefixes (`"0x10"` is 16, `"010"` is 8, `"5.0"` is 5) and
//! anything unparsable is 0. `int` returns a Go `int` ([`Value::Int`]), `int64` and `toDecimal`
//! a Go `int64` ([`Value::Int64`]), which `typeOf` tells apart and `int` parameters refuse.
//!
//! ```text
//! {{ .Values.replicas | int }}       -> 3 (from 3.0)
//! {{ "0755" | toDecimal }}           -> 493
//! {{ 1.5 | toString }}               -> 1.5
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `toString 1.5` | `1.5` (`%v`; bytes as text) |
//! | `int "42"`, `int64 3.9`, `int "0x1F"` | `42`, `3`, `31` |
//! | `float64 "1.5"` | `1.5` |
//! | `atoi "12"` | `12` (base 10 only; anything else 0) |
//! | `toDecimal "0755"` | `493` (octal digits) |

use super::args::{self, exact, string, strval};
use crate::fmt::format_value;
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    f.insert("toString", |a| {
        exact("toString", a, 1)?;
        // A string is returned as it is: a binary one keeps its bytes (Go's strval).
        Ok(match &a[0] {
            v @ Value::BinaryString(_) => v.clone(),
            other => Value::from(strval(other)),
        })
    });
    f.insert("int", |a| {
        exact("int", a, 1)?;
        Ok(Value::Int(args::to_int64(&a[0])))
    });
    f.insert("int64", |a| {
        exact("int64", a, 1)?;
        Ok(Value::Int64(args::to_int64(&a[0])))
    });
    f.insert("float64", |a| {
        exact("float64", a, 1)?;
        Ok(Value::Float(args::to_float64(&a[0])))
    });
    f.insert("atoi", |a| {
        exact("atoi", a, 1)?;
        let s = string(&a[0])?;
        // strconv.Atoi: base 10 with one optional sign, no prefixes or underscores.
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let ok = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit());
        Ok(Value::Int(if ok {
            args::parse_int(s, 10).unwrap_or(0)
        } else {
            0
        }))
    });
    f.insert("toDecimal", |a| {
        exact("toDecimal", a, 1)?;
        Ok(Value::Int64(
            args::parse_int(&format_value(&a[0]), 8).unwrap_or(0),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn conversion_result_types() {
        // helm v4.1.4: int → int, int64 and toDecimal → int64, atoi → int.
        for (name, arg, want) in [
            ("int", f(3.2), "int"),
            ("int64", s("7"), "int64"),
            ("toDecimal", s("0777"), "int64"),
            ("atoi", s("3"), "int"),
            ("float64", Value::Int64(3), "float64"),
        ] {
            assert_eq!(call(name, &[arg]).unwrap().type_name(), want, "{name}");
        }
        assert_eq!(call("int", &[Value::Int64(9)]).unwrap().as_int(), Some(9));
    }

    #[test]
    fn conversions() {
        table(&[
            ("toString", vec![s("a")], "a"),
            ("toString", vec![i(42)], "42"),
            ("toString", vec![f(1.5)], "1.5"),
            ("toString", vec![Value::Bool(true)], "true"),
            ("toString", vec![Value::Nil], "<nil>"),
            ("toString", vec![l(vec![i(1), s("a")])], "[1 a]"),
            ("toString", vec![Value::Bytes(b"hi".to_vec().into())], "hi"),
            ("int", vec![f(3.99)], "3"),
            ("int", vec![s("42")], "42"),
            ("int", vec![s("0x1F")], "31"),
            ("int", vec![s("3.0")], "3"),
            ("int", vec![s("3.5")], "0"),
            ("int", vec![s("junk")], "0"),
            ("int", vec![Value::Nil], "0"),
            ("int", vec![Value::Bool(true)], "1"),
            ("int64", vec![f(-2.5)], "-2"),
            ("float64", vec![s("1.25")], "1.25"),
            ("float64", vec![i(2)], "2"),
            ("float64", vec![s("x")], "0"),
            ("atoi", vec![s("12")], "12"),
            ("atoi", vec![s("-12")], "-12"),
            ("atoi", vec![s("0x12")], "0"),
            ("atoi", vec![s("1.5")], "0"),
            ("atoi", vec![s("+5")], "5"),
            ("atoi", vec![s("  5")], "0"),
            ("atoi", vec![s("1_0")], "0"),
            ("atoi", vec![s("--5")], "0"),
            ("toDecimal", vec![s("0755")], "493"),
            ("toDecimal", vec![i(755)], "493"),
            ("toDecimal", vec![s("89")], "0"),
        ]);
    }
}
