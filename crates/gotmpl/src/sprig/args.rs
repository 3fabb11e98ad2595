//! Argument checking and Go-style conversions shared by every Sprig group.
//!
//! Go's `text/template` checks a function's typed parameters before the call: a `string`
//! parameter refuses an `int`, an `int` parameter refuses a `float64` (every number read
//! from values files is one), and an untyped nil is refused where a string or number is
//! wanted. Sprig functions declared with `interface{}` parameters accept anything and convert
//! with `spf13/cast`. These helpers reproduce both, with Go's messages, so a chart that helm
//! refuses is refused here too, for the same reason.

use crate::fmt::format_value;
use crate::value::Value;

/// Check the number of arguments like Go does for a function with `want` fixed parameters.
pub(super) fn exact(name: &str, args: &[Value], want: usize) -> Result<(), String> {
    if args.len() == want {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        ))
    }
}

/// Check the number of arguments for a variadic function with `min` fixed parameters.
pub(super) fn at_least(name: &str, args: &[Value], min: usize) -> Result<(), String> {
    if args.len() >= min {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want at least {min} got {}",
            args.len()
        ))
    }
}

fn wrong_type(expected: &str, v: &Value) -> String {
    if v.is_nil() {
        format!("invalid value; expected {expected}")
    } else {
        format!(
            "wrong type for value; expected {expected}; got {}",
            v.type_name()
        )
    }
}

/// A Go `string` parameter.
pub(super) fn string(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| wrong_type("string", v))
}

/// A Go `int` parameter: only integers pass (a `float64` is refused, as in Go).
pub(super) fn int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(wrong_type("int", v)),
    }
}

/// A Go `float64` parameter: integers convert, like Go's untyped constants.
pub(super) fn float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) | Value::Int64(i) => Ok(*i as f64),
        _ => Err(wrong_type("float64", v)),
    }
}

/// A Go `bool` parameter.
pub(super) fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong_type("bool", v)),
    }
}

/// Sprig's `strval`: strings as they are, bytes as text, everything else as `%v` prints it.
pub(super) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::BinaryString(b) => b.text().to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_value(other),
    }
}

/// Go's `reflect.Kind` of a value as Sprig's error messages print it (`Cannot push on type map`).
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        // A host object whose Go type is a pointer (`*semver.Version`) has kind ptr.
        Value::Object(o) if o.type_name().starts_with('*') => "ptr",
        other => other.kind_name(),
    }
}

/// The elements of a Go slice or array (`[]byte` gives its bytes as integers), else `None`.
pub(super) fn items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.as_ref().clone()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        _ => None,
    }
}

/// Sprig's `empty`: nil, false, 0, and empty strings, lists and maps are empty; structs never.
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(_) => false,
        other => !other.is_truthy(),
    }
}

/// Go's `reflect.DeepEqual` over template values: types must match (`1` is not `1.0`).
/// Values nested deeper than [`MAX_DEPTH`] (only cyclic maps get there) compare unequal.
pub(super) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

/// How deep Sprig functions walk nested values before giving up (cyclic maps).
pub(super) const MAX_DEPTH: usize = 200;

fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let deep_equal = |p: &Value, q: &Value| deep_equal_at(p, q, depth + 1);
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        // `int` and `int64` are different types: `deepEqual (int64 1) 1` is false.
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(_) | Value::BinaryString(_), Value::String(_) | Value::BinaryString(_)) => {
            a.go_bytes() == b.go_bytes()
        }
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            std::ptr::addr_eq(std::rc::Rc::as_ptr(x), std::rc::Rc::as_ptr(y))
                || (x.type_name() == y.type_name() && x.display() == y.display())
        }
        _ => false,
    }
}

/// Go's `strconv.ParseInt(s, base, 64)` for base 0 (prefixes `0x`, `0o`, `0b`, `0` and
/// underscores) or an explicit base. `None` on any error, including overflow.
pub(super) fn parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits, underscores) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..], true)
        } else if lower.starts_with("0o") {
            (8, &body[2..], true)
        } else if lower.starts_with("0b") {
            (2, &body[2..], true)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..], true)
        } else {
            (10, body, true)
        }
    } else {
        (base, body, false)
    };
    if digits.is_empty() {
        return None;
    }
    let mut clean = String::with_capacity(digits.len());
    let mut prev_us = true;
    for c in digits.chars() {
        if c == '_' {
            if !underscores || prev_us {
                return None;
            }
            prev_us = true;
        } else {
            clean.push(c);
            prev_us = false;
        }
    }
    if prev_us {
        return None;
    }
    let mag = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// `spf13/cast`'s `trimZeroDecimal`: `"5.00"` becomes `"5"`, `"5.5"` stays.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.char_indices().rev() {
        match c {
            '.' if found_zero => return &s[..i],
            '.' => {}
            '0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `cast.ToInt64` as Sprig's integer math uses it: floats truncate toward zero, strings parse
/// with Go's base prefixes (`"0x1F"`, `"010"` is octal, `"5.0"` is 5), anything unparsable is 0.
pub(super) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_float_to_int(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `int64(f)` conversion; Go leaves out-of-range results implementation-defined,
/// amd64 gives `math.MinInt64`, and NaN gives the same.
pub(super) fn go_float_to_int(f: f64) -> i64 {
    // 2^63 is exactly representable; every float in [-2^63, 2^63) fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// `cast.ToFloat64`: numbers convert, strings parse (`strconv.ParseFloat`), else 0.
pub(super) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms charts use (decimal, exponent, `Inf`, `NaN`,
/// hex floats are not supported).
pub(super) fn parse_float(s: &str) -> Option<f64> {
    let t = s.replace('_', "");
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    match body {
        "inf" | "infinity" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || "eE.+-".contains(c))
    {
        return None;
    }
    // Out of range is an error in Go (cast then gives 0), not an infinity.
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An Rc'd list value of strings.
pub(super) fn string_list<I: IntoIterator<Item = String>>(items: I) -> Value {
    Value::list(items.into_iter().map(Value::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_go_base_zero() {
        let cases: &[(&str, Option<i64>)] = &[
            ("42", Some(42)),
            ("-42", Some(-42)),
            ("+7", Some(7)),
            ("0x1F", Some(31)),
            ("0o17", Some(15)),
            ("017", Some(15)),
            ("0b101", Some(5)),
            ("1_000", Some(1000)),
            ("08", None),
            ("", None),
            ("abc", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("1__0", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_int(s, 0), *want, "{s}");
        }
    }

    #[test]
    fn cast_conversions() {
        let cases: &[(Value, i64)] = &[
            (Value::Float(3.9), 3),
            (Value::Float(-3.9), -3),
            (Value::str("5.00"), 5),
            (Value::str("5.5"), 0),
            (Value::str("0x10"), 16),
            (Value::Bool(true), 1),
            (Value::Nil, 0),
            (Value::str(" 5"), 0),
        ];
        for (v, want) in cases {
            assert_eq!(to_int64(v), *want, "{v:?}");
        }
        assert_eq!(to_float64(&Value::str("1.5e3")), 1500.0);
        assert_eq!(to_float64(&Value::str("x")), 0.0);
        assert_eq!(to_float64(&Value::str("1e400")), 0.0);
        assert_eq!(to_float64(&Value::str("-inf")), f64::NEG_INFINITY);
        assert_eq!(to_float64(&Value::Int(2)), 2.0);
        assert_eq!(to_float64(&Value::Int64(2)), 2.0);
        assert_eq!(to_int64(&Value::Int64(-7)), -7);
    }

    #[test]
    fn int_parameters_refuse_int64() {
        // Go: "wrong type for value; expected int; got int64" (`indent (add 1 1) "x"`).
        assert_eq!(int(&Value::Int(3)), Ok(3));
        assert_eq!(
            int(&Value::Int64(3)),
            Err("wrong type for value; expected int; got int64".into())
        );
        assert_eq!(float(&Value::Int64(3)), Ok(3.0));
        assert!(!deep_equal(&Value::Int64(1), &Value::Int(1)));
        assert!(deep_equal(&Value::Int64(1), &Value::Int64(1)));
        assert!(is_empty(&Value::Int64(0)));
    }
}
