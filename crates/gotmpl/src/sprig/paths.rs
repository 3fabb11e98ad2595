//! Slash-separated path functions: `base`, `dir`, `clean`, `ext`, `isAbs`, and the `os`
//! forms (`osBase`, `osDir`...) which on Linux, where helm runs in CI, behave the same.
//!
//! ```text
//! {{ base "a/b/c.yaml" }}   -> c.yaml
//! {{ ext "c.tar.gz" }}      -> .gz
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `base "a/b.c"`, `dir "a/b.c"`, `ext "a/b.c"` | `b.c`, `a`, `.c` |
//! | `clean "a//b/../c"`, `isAbs "/a"` | `a/c`, `true` |
//! | `osBase`, `osDir`, `osClean`, `osExt`, `osIsAbs` | the same on Linux |

use super::args::{exact, string};
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    for (name, os) in [
        ("base", "osBase"),
        ("dir", "osDir"),
        ("clean", "osClean"),
        ("ext", "osExt"),
        ("isAbs", "osIsAbs"),
    ] {
        for n in [name, os] {
            f.insert(n, move |a| {
                exact(n, a, 1)?;
                let p = string(&a[0])?;
                Ok(match name {
                    "base" => Value::from(base(p)),
                    "dir" => Value::from(dir(p)),
                    "clean" => Value::from(clean(p)),
                    "ext" => Value::from(ext(p)),
                    _ => Value::Bool(p.starts_with('/')),
                })
            });
        }
    }
}

/// Go's `path.Clean`: lexical, `.` and `..` resolved, duplicate slashes removed.
pub(super) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

fn dir(p: &str) -> String {
    let d = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean(d)
}

fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => return String::new(),
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn paths() {
        table(&[
            ("base", vec![s("foo/bar/baz")], "baz"),
            ("base", vec![s("foo/bar/")], "bar"),
            ("base", vec![s("")], "."),
            ("base", vec![s("///")], "/"),
            ("dir", vec![s("foo/bar/baz")], "foo/bar"),
            ("dir", vec![s("baz")], "."),
            ("dir", vec![s("/baz")], "/"),
            ("clean", vec![s("foo/bar/../baz")], "foo/baz"),
            ("clean", vec![s("/../a//b/./c/")], "/a/b/c"),
            ("clean", vec![s("../../a")], "../../a"),
            ("clean", vec![s("")], "."),
            ("ext", vec![s("foo.bar")], ".bar"),
            ("ext", vec![s("a.b/c")], ""),
            ("ext", vec![s("c.tar.gz")], ".gz"),
            ("isAbs", vec![s("/a")], "true"),
            ("isAbs", vec![s("a")], "false"),
            ("osBase", vec![s("a/b")], "b"),
            ("osDir", vec![s("a/b")], "a"),
        ]);
    }
}
