//! URLs (expected values in the tests observed with helm v4.1.4): `urlParse` (a dict of `scheme`, `host`, `hostname`, `path`, `query`, `opaque`,
//! `fragment`, `userinfo`) and `urlJoin` (the reverse), following Go's `net/url`.
//!
//! ```text
//! {{ (urlParse "https://user:pw@db.example:5432/app?ssl=1").hostname }}   -> db.example
//! {{ urlJoin (dict "scheme" "https" "host" "x.io" "path" "/a b") }}        -> https://x.io/a%20b
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `urlParse "https://u:p@h:1/p?q=1#f"` | `map[fragment:f host:h:1 hostname:h opaque: path:/p query:q=1 scheme:https userinfo:u:p]` |
//! | `urlJoin (dict "scheme" "https" "host" "h" "path" "/p")` | `https://h/p` |

use std::collections::BTreeMap;

use super::args::{exact, string};
use crate::func::FuncMap;
use crate::value::Value;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
            match hex {
                Some(h) => {
                    out.push(u8::from_str_radix(h, 16).unwrap_or(0));
                    i += 3;
                }
                None => {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {bad:?}"));
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    query: String,
    force_query: bool,
    fragment: String,
}

impl Url {
    /// Go's `url.Parse`.
    fn parse(raw: &str) -> Result<Url, String> {
        let fail = |e: String| format!("parse {raw:?}: {e}");
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(fail("net/url: invalid control character in URL".into()));
        }
        let mut u = Url::default();
        let (rest, frag) = match raw.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (raw, None),
        };
        if let Some(f) = frag {
            u.fragment = unescape(f).map_err(fail)?;
        }
        if rest == "*" {
            u.path = "*".into();
            return Ok(u);
        }
        let mut rest = rest;
        // Scheme: a letter, then letters, digits, '+', '-', '.', up to ':'.
        for (i, c) in rest.char_indices() {
            if c.is_ascii_alphabetic() {
                continue;
            }
            if i > 0 && (c.is_ascii_digit() || "+-.".contains(c)) {
                continue;
            }
            if c == ':' {
                if i == 0 {
                    return Err(fail("missing protocol scheme".into()));
                }
                u.scheme = rest[..i].to_ascii_lowercase();
                rest = &rest[i + 1..];
            }
            break;
        }
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            u.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            u.query = q.to_string();
            rest = r;
        }
        if !rest.starts_with('/') {
            if !u.scheme.is_empty() {
                u.opaque = rest.to_string();
                return Ok(u);
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err(fail(
                    "first path segment in URL cannot contain colon".into(),
                ));
            }
        }
        if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = &rest[2..];
            let (authority, path) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            let host = match authority.rfind('@') {
                Some(i) => {
                    let info = &authority[..i];
                    let valid = info
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
                    if !valid {
                        return Err(fail("net/url: invalid userinfo".into()));
                    }
                    let (name, pass) = match info.split_once(':') {
                        Some((n, p)) => (n, Some(unescape(p).map_err(&fail)?)),
                        None => (info, None),
                    };
                    u.user = Some((unescape(name).map_err(&fail)?, pass));
                    &authority[i + 1..]
                }
                None => authority,
            };
            u.host = unescape(host).map_err(fail)?;
            rest = path;
        }
        u.path = unescape(rest).map_err(fail)?;
        Ok(u)
    }

    fn hostname(&self) -> String {
        let h = &self.host;
        if let Some(stripped) = h.strip_prefix('[') {
            return stripped.split(']').next().unwrap_or("").to_string();
        }
        match h.rfind(':') {
            Some(i) if h[i + 1..].bytes().all(|b| b.is_ascii_digit()) => h[..i].to_string(),
            _ => h.clone(),
        }
    }

    fn userinfo(&self) -> String {
        match &self.user {
            None => String::new(),
            Some((name, pass)) => {
                let mut s = escape(name, Mode::UserPassword);
                if let Some(p) = pass {
                    s.push(':');
                    s.push_str(&escape(p, Mode::UserPassword));
                }
                s
            }
        }
    }

    /// Go's `URL.String()`.
    fn to_go_string(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    out.push_str("//");
                }
                if self.user.is_some() {
                    out.push_str(&self.userinfo());
                    out.push('@');
                }
                out.push_str(&escape(&self.host, Mode::Host));
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
                out.push_str("./");
            }
            out.push_str(&path);
        }
        if self.force_query || !self.query.is_empty() {
            out.push('?');
            out.push_str(&self.query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        out
    }
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("urlParse", |a| {
        exact("urlParse", a, 1)?;
        let u = Url::parse(string(&a[0])?).map_err(|e| format!("unable to parse url: {e}"))?;
        let mut m = BTreeMap::new();
        m.insert("scheme".into(), Value::str(&u.scheme));
        m.insert("host".into(), Value::str(&u.host));
        m.insert("hostname".into(), Value::from(u.hostname()));
        m.insert("path".into(), Value::str(&u.path));
        m.insert("query".into(), Value::str(&u.query));
        m.insert("opaque".into(), Value::str(&u.opaque));
        m.insert("fragment".into(), Value::str(&u.fragment));
        m.insert("userinfo".into(), Value::from(u.userinfo()));
        Ok(Value::map(m))
    });
    f.insert("urlJoin", |a| {
        exact("urlJoin", a, 1)?;
        let Value::Map(d) = &a[0] else {
            return Err(format!(
                "wrong type for value; expected map[string]interface {{}}; got {}",
                a[0].type_name()
            ));
        };
        let d = d.borrow();
        let get = |key: &str| -> Result<String, String> {
            match d.get(key) {
                None => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(other) => Err(format!(
                    "unable to parse {key} key, must be of type string, but {} found",
                    other.type_name()
                )),
            }
        };
        let mut u = Url {
            scheme: get("scheme")?,
            host: get("host")?,
            path: get("path")?,
            query: get("query")?,
            opaque: get("opaque")?,
            fragment: get("fragment")?,
            ..Url::default()
        };
        let info = get("userinfo")?;
        if !info.is_empty() {
            let tmp = Url::parse(&format!("proto://{info}@host"))
                .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
            u.user = tmp.user;
        }
        Ok(Value::from(u.to_go_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn parse_and_join() {
        table(&[
            (
                "urlParse",
                vec![s("https://user:pass@host.com:8080/p/a?q=1#frag")],
                "map[fragment:frag host:host.com:8080 hostname:host.com opaque: path:/p/a query:q=1 scheme:https userinfo:user:pass]",
            ),
            (
                "urlParse",
                vec![s("mailto:someone@example.com")],
                "map[fragment: host: hostname: opaque:someone@example.com path: query: scheme:mailto userinfo:]",
            ),
            (
                "urlParse",
                vec![s("/rel/a%20b?x")],
                "map[fragment: host: hostname: opaque: path:/rel/a b query:x scheme: userinfo:]",
            ),
            (
                "urlParse",
                vec![s("http://[::1]:80/")],
                "map[fragment: host:[::1]:80 hostname:::1 opaque: path:/ query: scheme:http userinfo:]",
            ),
            (
                "urlJoin",
                vec![m(&[
                    ("scheme", s("https")),
                    ("host", s("h.com")),
                    ("path", s("/x")),
                    ("query", s("a=b")),
                    ("userinfo", s("u:p")),
                ])],
                "https://u:p@h.com/x?a=b",
            ),
            (
                "urlJoin",
                vec![m(&[
                    ("host", s("x.io")),
                    ("path", s("a b")),
                    ("scheme", s("https")),
                ])],
                "https://x.io/a%20b",
            ),
            ("urlJoin", vec![m(&[("path", s("a:b"))])], "./a:b"),
            (
                "urlParse",
                vec![s("https://us%40er:p%3Ass@h/p%2Fq#f%20g")],
                "map[fragment:f g host:h hostname:h opaque: path:/p/q query: scheme:https userinfo:us%40er:p%3Ass]",
            ),
            (
                "urlJoin",
                vec![m(&[
                    ("scheme", s("https")),
                    ("host", s("x")),
                    ("userinfo", s("a@b:c")),
                ])],
                "https://a%40b:c@x",
            ),
            (
                "urlJoin",
                vec![m(&[
                    ("scheme", s("https")),
                    ("host", s("x")),
                    ("query", s("a=b c")),
                ])],
                "https://x?a=b c",
            ),
            (
                "urlJoin",
                vec![m(&[
                    ("scheme", s("https")),
                    ("host", s("x")),
                    ("fragment", s("a b!")),
                ])],
                "https://x#a%20b!",
            ),
        ]);
        errors(&[
            (
                "urlParse",
                vec![s(":nope")],
                "unable to parse url: parse \":nope\": missing protocol scheme",
            ),
            (
                "urlParse",
                vec![s("http://x/%zz")],
                "invalid URL escape \"%zz\"",
            ),
            (
                "urlJoin",
                vec![m(&[("userinfo", s("a b"))])],
                "net/url: invalid userinfo",
            ),
            (
                "urlJoin",
                vec![m(&[("host", i(1))])],
                "unable to parse host key, must be of type string, but int found",
            ),
        ]);
    }
}
