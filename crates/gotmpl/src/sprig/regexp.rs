//! Regular expressions (Go RE2 syntax, which the `regex` crate shares):
//! `regexMatch`, `regexFind`, `regexFindAll`, `regexReplaceAll`, `regexReplaceAllLiteral`,
//! `regexSplit`, `regexQuoteMeta`, and their `must` forms.
//!
//! Compile errors use Go's wording (`missing closing ): `((``), checked against helm v4.1.4.
//! `regexMatch` with a bad pattern is simply false (Sprig ignores the error); every other
//! function stops with the compile error. Replacement strings use Go's `$1`, `${name}`
//! expansion, which the `regex` crate implements the same way (`$1x` names group `1x`).
//!
//! ```text
//! {{ regexReplaceAll "[^a-z0-9-]" (lower .Release.Name) "-" }}
//! {{ regexFind "[0-9]+" "v1.24.3" }}   -> 1
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `regexMatch "^a" "abc"` | `true` |
//! | `regexFind "[0-9]+" "v1.24"`, `regexFindAll "[0-9]" "a1b2" -1` | `1`, `[1 2]` |
//! | `regexReplaceAll "a(x*)b" "-axxb-" "${1}W"` | `-xxW-` |
//! | `regexReplaceAllLiteral "a" "banana" "$1"` | `b$1n$1n$1` |
//! | `regexSplit "z+" "pizza" -1` | `[pi a]` |
//! | `regexQuoteMeta "1.2"` | `1\.2` |

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use regex::Regex;

use super::args::{self, exact, int, string};
use crate::func::FuncMap;
use crate::value::Value;

/// Largest compiled program we accept; charts use tiny patterns.
const SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    /// Shared, not cloned, on a hit: a cloned `Regex` starts with an empty matching cache,
    /// which costs far more to build (lazy DFA set-up) than a typical chart match.
    static CACHE: RefCell<HashMap<String, Rc<Regex>>> = RefCell::new(HashMap::new());
}

/// Compile (and cache) a Go regular expression.
fn compile(pattern: &str) -> Result<Rc<Regex>, String> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .build()
        .map(Rc::new)
        .map_err(|e| {
            format!(
                "regexp: Compile(`{pattern}`): error parsing regexp: {}",
                go_reason(pattern, &e.to_string())
            )
        })?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 256 {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// Turn the `regex` crate's error into Go's `regexp/syntax` wording, `<code>: `<piece>``.
fn go_reason(pattern: &str, msg: &str) -> String {
    let reason = msg
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or_else(|| msg.lines().last().unwrap_or(msg))
        .trim();
    // The offending piece, from the caret line under a one-line pattern.
    let lines: Vec<&str> = msg.lines().collect();
    let piece = lines
        .iter()
        .position(|l| l.trim_start().starts_with('^'))
        .filter(|_| !pattern.contains('\n'))
        .and_then(|i| {
            let carets = lines[i];
            let start = carets.find('^')?;
            let end = carets.rfind('^')? + 1;
            let indent = lines
                .get(i.checked_sub(1)?)?
                .find(pattern.chars().next()?)?;
            pattern.get(start.checked_sub(indent)?..end.checked_sub(indent)?)
        });
    let code = match reason {
        "unclosed group" => return format!("missing closing ): `{pattern}`"),
        "unopened group" => return format!("unexpected ): `{pattern}`"),
        "unclosed character class" => "missing closing ]",
        "unrecognized escape sequence" => "invalid escape sequence",
        "repetition operator missing expression" => "missing argument to repetition operator",
        "invalid character class range, the start must be <= the end" => {
            "invalid character class range"
        }
        "incomplete escape sequence, reached end of pattern prematurely" => {
            return "trailing backslash at end of expression: ``".to_string();
        }
        r if r.contains("look-around") || r.contains("backreferences") => {
            "invalid or unsupported Perl syntax"
        }
        r if r.contains("repetition") && (r.contains("decimal") || r.contains("range")) => {
            "invalid repeat count"
        }
        other => return other.to_string(),
    };
    format!("{code}: `{}`", piece.unwrap_or(pattern))
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("regexMatch", |a| {
        exact("regexMatch", a, 2)?;
        let (re, s) = (string(&a[0])?, string(&a[1])?);
        Ok(Value::Bool(compile(re).is_ok_and(|r| r.is_match(s))))
    });
    f.insert("mustRegexMatch", |a| {
        exact("mustRegexMatch", a, 2)?;
        let (re, s) = (string(&a[0])?, string(&a[1])?);
        Ok(Value::Bool(compile(re)?.is_match(s)))
    });
    for name in ["regexFind", "mustRegexFind"] {
        f.insert(name, move |a| {
            exact(name, a, 2)?;
            let (re, s) = (compile(string(&a[0])?)?, string(&a[1])?);
            Ok(Value::str(re.find(s).map(|m| m.as_str()).unwrap_or("")))
        });
    }
    for name in ["regexFindAll", "mustRegexFindAll"] {
        f.insert(name, move |a| {
            exact(name, a, 3)?;
            let (re, s, n) = (compile(string(&a[0])?)?, string(&a[1])?, int(&a[2])?);
            let limit = if n < 0 { usize::MAX } else { n as usize };
            Ok(args::string_list(
                find_all(&re, s)
                    .into_iter()
                    .take(limit)
                    .map(|(x, y)| s[x..y].to_string()),
            ))
        });
    }
    for name in ["regexReplaceAll", "mustRegexReplaceAll"] {
        f.insert(name, move |a| {
            exact(name, a, 3)?;
            let (re, s, repl) = (compile(string(&a[0])?)?, string(&a[1])?, string(&a[2])?);
            Ok(Value::from(re.replace_all(s, repl).into_owned()))
        });
    }
    for name in ["regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"] {
        f.insert(name, move |a| {
            exact(name, a, 3)?;
            let (re, s, repl) = (compile(string(&a[0])?)?, string(&a[1])?, string(&a[2])?);
            Ok(Value::from(
                re.replace_all(s, regex::NoExpand(repl)).into_owned(),
            ))
        });
    }
    for name in ["regexSplit", "mustRegexSplit"] {
        f.insert(name, move |a| {
            exact(name, a, 3)?;
            let (re, s, n) = (compile(string(&a[0])?)?, string(&a[1])?, int(&a[2])?);
            Ok(args::string_list(split(&re, s, n)))
        });
    }
    f.insert("regexQuoteMeta", |a| {
        exact("regexQuoteMeta", a, 1)?;
        Ok(Value::from(quote_meta(string(&a[0])?)))
    });
}

/// Match spans the way Go's `FindAll` reports them: an empty match right after the previous
/// match is skipped.
fn find_all(re: &Regex, s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for m in re.find_iter(s) {
        if m.start() == m.end() && prev_end == Some(m.start()) {
            continue;
        }
        prev_end = Some(m.end());
        out.push((m.start(), m.end()));
    }
    out
}

/// Go's `Regexp.Split(s, n)`.
fn split(re: &Regex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (start, stop) in find_all(re, s) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = stop;
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`: backslash before every special character.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn regex_functions() {
        table(&[
            (
                "regexMatch",
                vec![s("^[a-z]+\\[[0-9]+\\]$"), s("test[123]")],
                "true",
            ),
            ("regexMatch", vec![s("^x"), s("abc")], "false"),
            ("regexMatch", vec![s("(("), s("abc")], "false"),
            ("regexFind", vec![s("[a-zA-Z][1-9]"), s("abcd1234")], "d1"),
            ("regexFind", vec![s("z"), s("abc")], ""),
            (
                "regexFindAll",
                vec![s("[2,4,6,8]"), s("123456789"), i(-1)],
                "[2 4 6 8]",
            ),
            (
                "regexFindAll",
                vec![s("[2,4,6,8]"), s("123456789"), i(2)],
                "[2 4]",
            ),
            ("regexFindAll", vec![s("x"), s("abc"), i(-1)], "[]"),
            ("regexFindAll", vec![s("a*"), s("baaab"), i(-1)], "[ aaa ]"),
            (
                "regexReplaceAll",
                vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}W")],
                "-W-xxW-",
            ),
            (
                "regexReplaceAll",
                vec![s("a(x*)b"), s("-ab-axxb-"), s("$1W")],
                "---",
            ),
            (
                "regexReplaceAll",
                vec![s("[^a-z0-9-]"), s("my_app.v2"), s("-")],
                "my-app-v2",
            ),
            (
                "regexReplaceAllLiteral",
                vec![s("a(x*)b"), s("-ab-axxb-"), s("${1}")],
                "-${1}-${1}-",
            ),
            ("regexSplit", vec![s("z+"), s("pizza"), i(-1)], "[pi a]"),
            ("regexSplit", vec![s("z+"), s("pizza"), i(1)], "[pizza]"),
            ("regexSplit", vec![s("z+"), s("pizza"), i(0)], "[]"),
            ("regexSplit", vec![s(""), s("abc"), i(-1)], "[a b c]"),
            ("regexSplit", vec![s("a"), s("banana"), i(-1)], "[b n n ]"),
            ("regexSplit", vec![s("x"), s(""), i(-1)], "[]"),
            (
                "regexQuoteMeta",
                vec![s("1.2.3+[x]")],
                "1\\.2\\.3\\+\\[x\\]",
            ),
        ]);
        errors(&[
            (
                "mustRegexMatch",
                vec![s("(("), s("abc")],
                "error parsing regexp",
            ),
            ("regexFind", vec![s("(("), s("abc")], "error parsing regexp"),
            (
                "regexFindAll",
                vec![s("a"), s("abc"), f(1.0)],
                "expected int",
            ),
        ]);
        let _ = Value::Nil;
    }
}
