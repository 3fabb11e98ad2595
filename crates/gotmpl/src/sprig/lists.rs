//! List functions. Lists are immutable: every function returns a new list.
//!
//! Sprig's plain forms (`first`) panic on a non-list argument and its `must` forms (`mustFirst`)
//! return an error; in a template both stop rendering with the same message, so both names
//! share one implementation here.
//!
//! `slice` is Sprig's, which replaces Go's builtin of the same name in Helm (a template's
//! function map is searched before the builtins): it takes lists only, not strings.
//!
//! ```text
//! {{ list 1 2 3 | last }}                       -> 3
//! {{ $l := append $l "x" }}                     -> a new list
//! {{ has "b" (list "a" "b") }}                  -> true
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `list 1 "a"` (also `tuple`) | `[1 a]` |
//! | `first`, `last`, `rest`, `initial` of `[1 2 3]` | `1`, `3`, `[2 3]`, `[1 2]` |
//! | `append (list 1) 2` (also `push`), `prepend (list 1) 0` | `[1 2]`, `[0 1]` |
//! | `concat (list 1) (list 2 3)` | `[1 2 3]` |
//! | `reverse (list 1 2)`, `uniq (list 1 1 2)` | `[2 1]`, `[1 2]` |
//! | `without (list 1 2 3) 2`, `has 2 (list 1 2)` | `[1 3]`, `true` |
//! | `compact (list 0 "" "a")` | `[a]` |
//! | `slice (list 1 2 3) 1 2` | `[2]` |
//! | `chunk 2 (list 1 2 3)` | `[[1 2] [3]]` |
//! | `until 3`, `untilStep 0 10 4` | `[0 1 2]`, `[0 4 8]` |
//! | `seq 3`, `seq 2 4`, `seq 10 -5 0` | `1 2 3`, `2 3 4`, `10 5 0` |
//! | `mustFirst`, `mustAppend`, ... | same results; every list function has a `must` form |

use super::MAX_LEN;
use super::args::{self, at_least, deep_equal, exact, int, is_empty, kind};
use crate::func::FuncMap;
use crate::value::Value;

/// The elements of a list argument or Sprig's error for function `what`.
fn list_arg(v: &Value, what: &str) -> Result<Vec<Value>, String> {
    match args::items(v) {
        Some(items) => Ok(items),
        None if v.is_nil() => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        None => Err(format!("Cannot {what} on type {}", kind(v))),
    }
}

fn both(f: &mut FuncMap, name: &str, imp: fn(&[Value]) -> Result<Value, String>) {
    f.insert(name, imp);
    let upper = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
    f.insert(&upper, imp);
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("list", |a| Ok(Value::list(a.to_vec())));
    f.insert("tuple", |a| Ok(Value::list(a.to_vec())));
    for name in ["append", "push"] {
        both(f, name, |a| {
            exact("append", a, 2)?;
            let mut items = list_arg(&a[0], "push")?;
            items.push(a[1].clone());
            Ok(Value::list(items))
        });
    }
    both(f, "prepend", |a| {
        exact("prepend", a, 2)?;
        let mut items = list_arg(&a[0], "prepend")?;
        items.insert(0, a[1].clone());
        Ok(Value::list(items))
    });
    both(f, "first", |a| {
        exact("first", a, 1)?;
        Ok(list_arg(&a[0], "find first")?
            .into_iter()
            .next()
            .unwrap_or(Value::Nil))
    });
    both(f, "last", |a| {
        exact("last", a, 1)?;
        Ok(list_arg(&a[0], "find last")?.pop().unwrap_or(Value::Nil))
    });
    both(f, "rest", |a| {
        exact("rest", a, 1)?;
        let items = list_arg(&a[0], "find rest")?;
        Ok(Value::list(items.into_iter().skip(1).collect()))
    });
    both(f, "initial", |a| {
        exact("initial", a, 1)?;
        let mut items = list_arg(&a[0], "find initial")?;
        items.pop();
        Ok(Value::list(items))
    });
    both(f, "reverse", |a| {
        exact("reverse", a, 1)?;
        let mut items = list_arg(&a[0], "find reverse")?;
        items.reverse();
        Ok(Value::list(items))
    });
    both(f, "compact", |a| {
        exact("compact", a, 1)?;
        let items = list_arg(&a[0], "compact")?;
        Ok(Value::list(
            items.into_iter().filter(|v| !is_empty(v)).collect(),
        ))
    });
    both(f, "uniq", |a| {
        exact("uniq", a, 1)?;
        let mut out: Vec<Value> = Vec::new();
        for v in list_arg(&a[0], "find uniq")? {
            if !out.iter().any(|x| deep_equal(x, &v)) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    both(f, "without", |a| {
        at_least("without", a, 1)?;
        let omit = &a[1..];
        let items = list_arg(&a[0], "find without")?;
        Ok(Value::list(
            items
                .into_iter()
                .filter(|v| !omit.iter().any(|o| deep_equal(o, v)))
                .collect(),
        ))
    });
    both(f, "has", |a| {
        exact("has", a, 2)?;
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let items = list_arg(&a[1], "find has")?;
        Ok(Value::Bool(items.iter().any(|v| deep_equal(v, &a[0]))))
    });
    both(f, "slice", |a| {
        at_least("slice", a, 1)?;
        let items = match args::items(&a[0]) {
            Some(items) => items,
            None => {
                return Err(format!(
                    "list should be type of slice or array but {}",
                    kind(&a[0])
                ));
            }
        };
        if items.is_empty() {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map(args::to_int64).unwrap_or(0);
        let end = a.get(2).map(args::to_int64).unwrap_or(items.len() as i64);
        if start < 0 || end < start || end > items.len() as i64 {
            return Err("reflect: slice index out of range".into());
        }
        Ok(Value::list(items[start as usize..end as usize].to_vec()))
    });
    f.insert("concat", |a| {
        let mut out = Vec::new();
        for v in a {
            match args::items(v) {
                Some(items) => out.extend(items),
                None if v.is_nil() => {
                    return Err(
                        "runtime error: invalid memory address or nil pointer dereference".into(),
                    );
                }
                None => return Err(format!("Cannot concat type {} as list", kind(v))),
            }
        }
        Ok(Value::list(out))
    });
    both(f, "chunk", |a| {
        exact("chunk", a, 2)?;
        let size = int(&a[0])?;
        let items = list_arg(&a[1], "chunk")?;
        if size <= 0 {
            return Err("runtime error: makeslice: len out of range".into());
        }
        Ok(Value::list(
            items
                .chunks(size as usize)
                .map(|c| Value::list(c.to_vec()))
                .collect(),
        ))
    });
    f.insert("until", |a| {
        exact("until", a, 1)?;
        let n = int(&a[0])?;
        until_step(0, n, if n < 0 { -1 } else { 1 }).map(ints)
    });
    f.insert("untilStep", |a| {
        exact("untilStep", a, 3)?;
        until_step(int(&a[0])?, int(&a[1])?, int(&a[2])?).map(ints)
    });
    f.insert("seq", |a| {
        let mut p = Vec::with_capacity(a.len());
        for v in a {
            p.push(int(v)?);
        }
        let nums = match p.as_slice() {
            [end] => {
                let inc = if *end < 1 { -1 } else { 1 };
                until_step(1, end.wrapping_add(inc), inc)?
            }
            [start, end] => {
                let step = if end < start { -1 } else { 1 };
                until_step(*start, end.wrapping_add(step), step)?
            }
            [start, step, end] => {
                let mut inc = 1;
                if end < start {
                    inc = -1;
                    if *step > 0 {
                        return Ok(Value::str(""));
                    }
                }
                until_step(*start, end.wrapping_add(inc), *step)?
            }
            _ => return Ok(Value::str("")),
        };
        let parts: Vec<String> = nums.iter().map(i64::to_string).collect();
        Ok(Value::from(parts.join(" ")))
    });
}

fn ints(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

/// Sprig's `untilStep`: from `start` toward `stop` (exclusive) by `step`; a step pointing
/// away from `stop` (or zero) gives an empty list.
pub(super) fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        ((start as i128 - stop as i128) - (step as i128) - 1) / -(step as i128)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        ((stop as i128 - start as i128) + step as i128 - 1) / step as i128
    };
    if count > MAX_LEN as i128 {
        return Err(format!("result longer than {MAX_LEN} elements"));
    }
    Ok((0..count as i64)
        .map(|k| (i128::from(start) + i128::from(k) * i128::from(step)) as i64)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    fn abc() -> Value {
        l(vec![s("a"), s("b"), s("c")])
    }

    #[test]
    fn list_functions() {
        table(&[
            ("list", vec![i(1), s("a")], "[1 a]"),
            ("tuple", vec![], "[]"),
            ("first", vec![abc()], "a"),
            ("first", vec![l(vec![])], "<nil>"),
            ("mustFirst", vec![abc()], "a"),
            ("last", vec![abc()], "c"),
            ("rest", vec![abc()], "[b c]"),
            ("rest", vec![l(vec![])], "[]"),
            ("initial", vec![abc()], "[a b]"),
            ("append", vec![abc(), s("d")], "[a b c d]"),
            ("push", vec![l(vec![]), i(1)], "[1]"),
            ("mustAppend", vec![abc(), s("d")], "[a b c d]"),
            ("prepend", vec![abc(), s("z")], "[z a b c]"),
            ("reverse", vec![abc()], "[c b a]"),
            ("concat", vec![abc(), l(vec![i(1)]), l(vec![])], "[a b c 1]"),
            (
                "uniq",
                vec![l(vec![i(1), i(1), f(1.0), s("1"), i(2), i(1)])],
                "[1 1 1 2]",
            ),
            ("without", vec![abc(), s("b"), s("c")], "[a]"),
            ("has", vec![s("b"), abc()], "true"),
            ("has", vec![i(1), l(vec![f(1.0)])], "false"),
            ("has", vec![s("b"), Value::Nil], "false"),
            (
                "compact",
                vec![l(vec![
                    s(""),
                    i(0),
                    s("a"),
                    Value::Nil,
                    Value::Bool(false),
                    i(3),
                ])],
                "[a 3]",
            ),
            ("slice", vec![abc(), i(1)], "[b c]"),
            ("slice", vec![abc(), i(1), i(2)], "[b]"),
            ("slice", vec![abc()], "[a b c]"),
            ("slice", vec![l(vec![])], "<nil>"),
            (
                "chunk",
                vec![i(2), l(vec![i(1), i(2), i(3), i(4), i(5)])],
                "[[1 2] [3 4] [5]]",
            ),
            ("chunk", vec![i(2), l(vec![])], "[]"),
            ("until", vec![i(3)], "[0 1 2]"),
            ("until", vec![i(-3)], "[0 -1 -2]"),
            ("untilStep", vec![i(3), i(6), i(2)], "[3 5]"),
            ("untilStep", vec![i(6), i(3), i(1)], "[]"),
            ("untilStep", vec![i(6), i(3), i(-1)], "[6 5 4]"),
            ("seq", vec![i(5)], "1 2 3 4 5"),
            ("seq", vec![i(-3)], "1 0 -1 -2 -3"),
            ("seq", vec![i(0)], "1 0"),
            ("seq", vec![i(2), i(5)], "2 3 4 5"),
            ("seq", vec![i(5), i(2)], "5 4 3 2"),
            ("seq", vec![i(0), i(2), i(10)], "0 2 4 6 8 10"),
            ("seq", vec![i(10), i(-2), i(0)], "10 8 6 4 2 0"),
            ("seq", vec![i(10), i(2), i(0)], ""),
            ("seq", vec![], ""),
        ]);
        errors(&[
            ("first", vec![m(&[])], "Cannot find first on type map"),
            ("append", vec![s("x"), i(1)], "Cannot push on type string"),
            (
                "slice",
                vec![s("abc"), i(1)],
                "list should be type of slice or array but string",
            ),
            ("slice", vec![abc(), i(2), i(9)], "slice index out of range"),
            (
                "concat",
                vec![abc(), s("x")],
                "Cannot concat type string as list",
            ),
            ("concat", vec![abc(), Value::Nil], "nil pointer dereference"),
            ("first", vec![Value::Nil], "nil pointer dereference"),
            ("chunk", vec![i(0), abc()], "makeslice: len out of range"),
        ]);
    }
}
