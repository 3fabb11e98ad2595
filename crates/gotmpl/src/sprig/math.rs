//! Integer and float math.
//!
//! Integer functions (`add`, `add1`, `sub`, `mul`, `div`, `mod`, `max`, `biggest`, `min`)
//! convert every argument with `cast.ToInt64` (so `3.7` counts as 3 and `"8"` as 8) and
//! return a Go `int64` (so `indent (add 1 1) "x"` fails as in helm: `indent` wants an `int`);
//! `randInt` returns an `int`; overflow wraps as in Go. Division or modulo by zero is an error.
//! Float functions (`addf`, `add1f`, `subf`, `mulf`, `divf`, `maxf`, `minf`, `floor`, `ceil`,
//! `round`) convert with `cast.ToFloat64` and return a float; `addf`/`subf`/`mulf`/`divf`
//! compute in decimal like Sprig (shopspring/decimal), so `addf 1.1 2.2` is `3.3`, not
//! `3.3000000000000003`, and `divf` keeps 16 decimal places.
//!
//! ```text
//! {{ add 1 2 .Values.extra }}        -> 3 + int(extra)
//! {{ div 10 3 }}                     -> 3
//! {{ round 3.14159 2 }}              -> 3.14
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `add 1 2 3`, `add1 1`, `sub 5 2`, `mul 2 3`, `div 7 2`, `mod 7 2` | `6`, `2`, `3`, `6`, `3`, `1` |
//! | `max 1 5 3` (also `biggest`), `min 4 2` | `5`, `2` |
//! | `addf 1.1 2.2`, `add1f 1.5`, `subf 3.3 1.1`, `mulf 1.1 3`, `divf 1 3` | `3.3`, `2.5`, `2.2`, `3.3`, `0.3333333333333333` |
//! | `maxf 1 2.5`, `minf 1 2.5` | `2.5`, `1` |
//! | `floor 1.7`, `ceil 1.2`, `round 3.14159 2` | `1`, `2`, `3.14` |
//! | `randInt 1 10` | a number in 1..10 (10 excluded) |

use super::args::{at_least, exact, float, int, to_float64, to_int64};
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    f.insert("add1", |a| {
        exact("add1", a, 1)?;
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    f.insert("add", |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    f.insert("sub", |a| {
        exact("sub", a, 2)?;
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    f.insert("mul", |a| {
        at_least("mul", a, 1)?;
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    });
    f.insert("div", |a| {
        exact("div", a, 2)?;
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    f.insert("mod", |a| {
        exact("mod", a, 2)?;
        let (x, y) = (to_int64(&a[0]), to_int64(&a[1]));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    for name in ["max", "biggest"] {
        f.insert(name, move |a| {
            at_least(name, a, 1)?;
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    f.insert("min", |a| {
        at_least("min", a, 1)?;
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    f.insert("maxf", |a| {
        at_least("maxf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, v| go_max(acc, to_float64(v))),
        ))
    });
    f.insert("minf", |a| {
        at_least("minf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, v| go_min(acc, to_float64(v))),
        ))
    });
    f.insert("floor", |a| {
        exact("floor", a, 1)?;
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    f.insert("ceil", |a| {
        exact("ceil", a, 1)?;
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    f.insert("round", |a| {
        at_least("round", a, 2)?;
        let val = to_float64(&a[0]);
        let places = int(&a[1])? as f64;
        let round_on = match a.get(2) {
            Some(v) => float(v)?,
            None => 0.5,
        };
        let pow = 10f64.powf(places);
        let digit = pow * val;
        let frac = digit - digit.trunc();
        let r = if frac >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
    f.insert("add1f", |a| {
        exact("add1f", a, 1)?;
        decimal_fold(&a[0], &[Value::Int(1)], Op::Add)
    });
    f.insert("addf", |a| decimal_fold(&Value::Float(0.0), a, Op::Add));
    f.insert("subf", |a| {
        at_least("subf", a, 1)?;
        decimal_fold(&a[0], &a[1..], Op::Sub)
    });
    f.insert("mulf", |a| {
        at_least("mulf", a, 1)?;
        decimal_fold(&a[0], &a[1..], Op::Mul)
    });
    f.insert("divf", |a| {
        at_least("divf", a, 1)?;
        decimal_fold(&a[0], &a[1..], Op::Div)
    });
    f.insert("randInt", |a| {
        exact("randInt", a, 2)?;
        let (lo, hi) = (int(&a[0])?, int(&a[1])?);
        let span = hi.checked_sub(lo).filter(|n| *n > 0);
        match span {
            Some(n) => Ok(Value::Int(
                lo + super::strings::random_below(n as u64) as i64,
            )),
            None => Err("invalid argument to Intn".into()),
        }
    });
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.max(y)
    }
}

fn go_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.min(y)
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal number `mant * 10^exp`, as exact as an i128 allows.
#[derive(Clone, Copy, Debug)]
struct Dec {
    mant: i128,
    exp: i32,
}

impl Dec {
    /// shopspring's `NewFromFloat`: the shortest decimal that reads back as `x`.
    fn from_f64(x: f64) -> Result<Dec, String> {
        if !x.is_finite() {
            return Err(format!("Cannot create a Decimal from {}", go_float_name(x)));
        }
        let text = format!("{x:e}");
        let (m, e) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = e.parse().unwrap_or(0);
        let (int_part, frac_part) = m.split_once('.').unwrap_or((m, ""));
        let digits = format!("{int_part}{frac_part}");
        let mant: i128 = digits.parse().unwrap_or(0);
        Ok(Dec {
            mant,
            exp: exp - frac_part.len() as i32,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn scaled(self, exp: i32) -> Option<i128> {
        let shift = u32::try_from(self.exp - exp).ok()?;
        10i128.checked_pow(shift)?.checked_mul(self.mant)
    }
}

fn go_float_name(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

fn dec_op(a: Dec, b: Dec, op: Op) -> Result<Option<Dec>, String> {
    Ok(match op {
        Op::Add | Op::Sub => {
            let exp = a.exp.min(b.exp);
            let (x, y) = match (a.scaled(exp), b.scaled(exp)) {
                (Some(x), Some(y)) => (x, y),
                _ => return Ok(None),
            };
            let mant = match op {
                Op::Add => x.checked_add(y),
                _ => x.checked_sub(y),
            };
            mant.map(|mant| Dec { mant, exp })
        }
        Op::Mul => a.mant.checked_mul(b.mant).map(|mant| Dec {
            mant,
            exp: a.exp + b.exp,
        }),
        Op::Div => {
            if b.mant == 0 {
                return Err("decimal division by 0".into());
            }
            // q = a/b rounded half away from zero to 16 places: a.mant*10^(a.exp-b.exp+16)/b.mant
            let shift = a.exp - b.exp + 16;
            let (num, den) = if shift >= 0 {
                match 10i128
                    .checked_pow(shift as u32)
                    .and_then(|p| p.checked_mul(a.mant))
                {
                    Some(n) => (n, b.mant),
                    None => return Ok(None),
                }
            } else {
                match 10i128
                    .checked_pow((-shift) as u32)
                    .and_then(|p| p.checked_mul(b.mant))
                {
                    Some(d) => (a.mant, d),
                    None => return Ok(None),
                }
            };
            let q = num / den;
            let r = num % den;
            let q = if r.unsigned_abs() * 2 >= den.unsigned_abs() {
                q + if (num < 0) != (den < 0) { -1 } else { 1 }
            } else {
                q
            };
            Some(Dec { mant: q, exp: -16 })
        }
    })
}

fn decimal_fold(first: &Value, rest: &[Value], op: Op) -> Result<Value, String> {
    let mut acc = Dec::from_f64(to_float64(first))?;
    let mut approx: Option<f64> = None;
    for v in rest {
        let x = to_float64(v);
        if let Some(cur) = approx {
            approx = Some(float_op(cur, x, op)?);
            continue;
        }
        let d = Dec::from_f64(x)?;
        match dec_op(acc, d, op)? {
            Some(next) => acc = next,
            // Beyond i128: finish in binary floating point.
            None => approx = Some(float_op(acc.to_f64(), x, op)?),
        }
    }
    Ok(Value::Float(approx.unwrap_or_else(|| acc.to_f64())))
}

fn float_op(a: f64, b: f64, op: Op) -> Result<f64, String> {
    Ok(match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => {
            if b == 0.0 {
                return Err("decimal division by 0".into());
            }
            a / b
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn integer_math() {
        table(&[
            ("add", vec![i(1), i(2), f(3.9), s("4")], "10"),
            ("add", vec![], "0"),
            ("add1", vec![f(1.5)], "2"),
            ("sub", vec![i(5), f(2.0)], "3"),
            ("mul", vec![i(2), i(3), s("4")], "24"),
            ("mul", vec![i(7)], "7"),
            ("div", vec![i(10), i(3)], "3"),
            ("div", vec![i(-7), i(2)], "-3"),
            ("mod", vec![i(-7), i(3)], "-1"),
            ("max", vec![i(1), f(5.0), s("3")], "5"),
            ("biggest", vec![i(1), i(9)], "9"),
            ("min", vec![i(4), i(-2), i(3)], "-2"),
            ("add", vec![i(i64::MAX), i(1)], "-9223372036854775808"),
        ]);
        errors(&[
            ("div", vec![i(1), i(0)], "integer divide by zero"),
            ("mod", vec![i(1), s("0")], "integer divide by zero"),
            ("sub", vec![i(1)], "wrong number of args"),
        ]);
    }

    #[test]
    fn integer_math_returns_int64() {
        // helm v4.1.4: `typeOf (add 1 2)`... is int64 for all of these; randInt gives int.
        for name in [
            "add", "add1", "sub", "mul", "div", "mod", "max", "biggest", "min",
        ] {
            let args = if name == "add1" {
                vec![f(1e6)]
            } else {
                vec![f(1e6), Value::Int64(3)]
            };
            let v = call(name, &args).unwrap();
            assert_eq!(v.type_name(), "int64", "{name}");
        }
        assert_eq!(
            call("add", &[f(1e6), i(1)]).unwrap().as_int(),
            Some(1_000_001)
        );
        assert_eq!(call("randInt", &[i(1), i(2)]).unwrap().type_name(), "int");
        assert!(call("randInt", &[Value::Int64(1), i(2)]).is_err());
    }

    #[test]
    fn float_math() {
        table(&[
            ("addf", vec![f(1.1), f(2.2)], "3.3"),
            ("addf", vec![i(1), s("2.5")], "3.5"),
            ("add1f", vec![f(1.1)], "2.1"),
            ("subf", vec![f(3.3), f(1.1)], "2.2"),
            ("mulf", vec![f(1.1), f(3.0)], "3.3"),
            ("divf", vec![i(10), i(4)], "2.5"),
            ("divf", vec![i(1), i(3)], "0.3333333333333333"),
            ("divf", vec![i(2), i(3)], "0.6666666666666667"),
            ("maxf", vec![f(1.5), i(2), f(-1.0)], "2"),
            ("minf", vec![f(1.5), i(2), f(-1.0)], "-1"),
            ("floor", vec![f(1.7)], "1"),
            ("ceil", vec![s("1.2")], "2"),
            ("round", vec![f(1.23456), i(2)], "1.23"),
            ("round", vec![f(2.5), i(0)], "3"),
            ("round", vec![f(-2.5), i(0)], "-3"),
            ("round", vec![f(1.46), i(1), f(0.7)], "1.4"),
        ]);
        errors(&[
            ("divf", vec![i(1), i(0)], "decimal division by 0"),
            (
                "round",
                vec![f(1.5)],
                "wrong number of args for round: want at least 2 got 1",
            ),
        ]);
    }

    #[test]
    fn rand_int_in_range() {
        for _ in 0..50 {
            match call("randInt", &[i(3), i(6)]).unwrap() {
                Value::Int(n) => assert!((3..6).contains(&n)),
                other => panic!("{other:?}"),
            }
        }
        errors(&[("randInt", vec![i(3), i(3)], "invalid argument to Intn")]);
    }
}
