//! Semantic versions (Masterminds/semver v3, as Sprig uses it): `semver` and `semverCompare`.
//!
//! Versions are lenient: a leading `v`, and missing minor or patch (`1.2` is `1.2.0`).
//! Constraints: `=`, `!=`, `>`, `<`, `>=`, `<=`, `~` (same minor), `^` (same major, or
//! same minor below 1.0), wildcards (`1.x`, `1.2.*`, `*`), hyphen ranges (`1.2 - 1.4.5`),
//! AND by comma or space (`>= 1.2, < 3`), OR by `||`. A missing part acts as a wildcard
//! (`~1` is `>=1.0.0 <2.0.0`). Prerelease rule: a version with a prerelease (`1.20.0-rc.1`,
//! `v1.29.2-eks-1234`) matches only constraints that carry a prerelease themselves, which is
//! why charts write `>=1.19-0`.
//!
//! ```text
//! {{ if semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion }}batch/v1{{ end }}
//! {{ (semver "v1.2.3").Minor }}   -> 2
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `semverCompare ">=1.21-0" "v1.29.2-eks-1234"` | `true` |
//! | `semverCompare "~1.2" "1.3.0"`, `semverCompare "^0.2.3" "0.2.9"` | `false`, `true` |
//! | `semver "v1.2.3-rc.1"` | a version: `.Major` `1`, `.Prerelease` `rc.1`, prints `1.2.3-rc.1` |

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::LazyLock;

use regex::Regex;

use super::args::{exact, string};
use crate::func::FuncMap;
use crate::value::{Object, Value};

const INVALID: &str = "invalid semantic version";

/// A parsed version.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub meta: String,
    pub original: String,
}

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
        r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
        r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
    ))
    .expect("version pattern")
});

const CV: &str = concat!(
    r"v?([0-9xX*]+)(\.[0-9xX*]+)?(\.[0-9xX*]+)?",
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
);
const OPS: &str = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^";

static ONE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*({OPS})?\s*({CV})\s*$")).expect("constraint"));
static RANGE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).expect("range"));
static FIND_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"({OPS})?\s*({CV})")).expect("find"));
static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(\s*({OPS})?\s*({CV})\s*)((?:\s+|,\s*)({OPS})?\s*({CV})\s*)*$"
    ))
    .expect("valid")
});

impl Version {
    pub fn parse(s: &str) -> Result<Version, String> {
        let c = VERSION_RE.captures(s).ok_or(INVALID)?;
        let num = |i: usize| -> Result<u64, String> {
            match c.get(i) {
                None => Ok(0),
                Some(m) => m
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<u64>()
                    .map_err(|e| format!("Error parsing version segment: {e}")),
            }
        };
        let pre = c.get(5).map_or("", |m| m.as_str()).to_string();
        for part in pre.split('.') {
            if part.len() > 1 && part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()) {
                return Err("Version segment starts with 0".into());
            }
        }
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre,
            meta: c.get(8).map_or("", |m| m.as_str()).to_string(),
            original: s.to_string(),
        })
    }

    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| compare_pre(&self.pre, &o.pre))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Greater;
    }
    if b.is_empty() {
        return Ordering::Less;
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for k in 0..pa.len().max(pb.len()) {
        let (x, y) = (pa.get(k).copied(), pb.get(k).copied());
        let ord = match (x, y) {
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(x), Some(y)) => {
                let (nx, ny) = (x.parse::<u64>().ok(), y.parse::<u64>().ok());
                match (nx, ny) {
                    (Some(p), Some(q)) => p.cmp(&q),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => x.cmp(y),
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[derive(Debug)]
struct Constraint {
    op: String,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraint {
    fn parse(c: &str) -> Result<Constraint, String> {
        if c.is_empty() {
            return Ok(Constraint {
                op: String::new(),
                con: Version::parse("0.0.0")?,
                minor_dirty: false,
                patch_dirty: false,
                dirty: true,
            });
        }
        let m = ONE_RE
            .captures(c)
            .ok_or_else(|| format!("improper constraint: {c}"))?;
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        // Groups: 1 op, 2 whole version, 3 major, 4 .minor, 5 .patch, 6 -pre, 9 +meta.
        let tail = format!("{}{}", g(6), g(9));
        let (major, minor, patch) = (g(3), g(4), g(5));
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{tail}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{tail}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{tail}")
        } else {
            g(2).to_string()
        };
        let con = Version::parse(&ver).map_err(|_| "constraint Parser Error".to_string())?;
        Ok(Constraint {
            op: g(1).to_string(),
            con,
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    fn check(&self, v: &Version) -> bool {
        let c = &self.con;
        let pre_blocked = !v.pre.is_empty() && c.pre.is_empty();
        match self.op.as_str() {
            "!=" => {
                if self.dirty {
                    if pre_blocked {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_pre(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            _ if pre_blocked => false,
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            "^" => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
            _ => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// A parsed constraint: OR of ANDs.
pub struct Constraints(Vec<Vec<Constraint>>);

impl Constraints {
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let s = RANGE_RE.replace_all(s, " >= ${1}, <= ${11} ");
        let mut ors = Vec::new();
        for part in s.split("||") {
            if !VALID_RE.is_match(part) {
                return Err(format!("improper constraint: {part}"));
            }
            let found: Vec<&str> = FIND_RE.find_iter(part).map(|m| m.as_str()).collect();
            let items: Vec<&str> = if found.is_empty() { vec![part] } else { found };
            let mut ands = Vec::new();
            for c in items {
                ands.push(Constraint::parse(c.trim())?);
            }
            ors.push(ands);
        }
        Ok(Constraints(ors))
    }

    pub fn check(&self, v: &Version) -> bool {
        self.0.iter().any(|ands| ands.iter().all(|c| c.check(v)))
    }
}

/// `semverCompare range version`, uncached.
fn compare(range: &str, version: &str) -> Result<bool, String> {
    let c = Constraints::parse(range)?;
    let v = Version::parse(version)?;
    Ok(c.check(&v))
}

/// Results by range, then by version (looked up with borrowed strings: no allocation).
type CompareCache =
    std::collections::HashMap<Box<str>, std::collections::HashMap<Box<str>, Result<bool, String>>>;

thread_local! {
    /// Results of `semverCompare`: charts repeat the same few checks (`">=1.21-0"` against
    /// the cluster version) in many templates, and each parse runs several regular
    /// expressions. The result is a pure function of the two strings.
    static COMPARE_CACHE: std::cell::RefCell<(usize, CompareCache)> = Default::default();
}

fn compare_cached(range: &str, version: &str) -> Result<bool, String> {
    // Bounded: only short strings are kept, and at most 512 pairs.
    if range.len() + version.len() > 256 {
        return compare(range, version);
    }
    let hit = COMPARE_CACHE.with(|c| {
        c.borrow()
            .1
            .get(range)
            .and_then(|m| m.get(version))
            .cloned()
    });
    if let Some(r) = hit {
        return r;
    }
    let r = compare(range, version);
    COMPARE_CACHE.with(|c| {
        let (n, map) = &mut *c.borrow_mut();
        if *n >= 512 {
            map.clear();
            *n = 0;
        }
        *n += 1;
        map.entry(range.into())
            .or_default()
            .insert(version.into(), r.clone());
    });
    r
}

/// `semver` returns this object: `.Major`, `.Minor`, `.Patch`, `.Prerelease`, `.Metadata`,
/// `.Original`, and the methods `Compare`, `LessThan`, `GreaterThan`, `Equal`, `IncMajor`,
/// `IncMinor`, `IncPatch`.
struct VersionObject(Version);

impl VersionObject {
    fn other(args: &[Value]) -> Result<Version, String> {
        match args {
            [Value::Object(o)] if o.type_name() == "*semver.Version" => {
                Version::parse(&o.display())
            }
            [Value::String(s)] => Version::parse(s),
            _ => Err("expected one *semver.Version argument".into()),
        }
    }
}

impl Object for VersionObject {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        let bump = |major: u64, minor: u64, patch: u64| {
            Value::Object(Rc::new(VersionObject(Version {
                major,
                minor,
                patch,
                pre: String::new(),
                meta: String::new(),
                original: format!("{major}.{minor}.{patch}"),
            })))
        };
        Some(match name {
            "Major" => Value::Int(v.major as i64),
            "Minor" => Value::Int(v.minor as i64),
            "Patch" => Value::Int(v.patch as i64),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.meta),
            "Original" => Value::str(&v.original),
            "String" => Value::from(v.to_string()),
            "IncMajor" => bump(v.major.saturating_add(1), 0, 0),
            "IncMinor" => bump(v.major, v.minor.saturating_add(1), 0),
            "IncPatch" if v.pre.is_empty() => bump(v.major, v.minor, v.patch.saturating_add(1)),
            "IncPatch" => bump(v.major, v.minor, v.patch),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let cmp = |args: &[Value]| Self::other(args).map(|o| self.0.compare(&o));
        Some(match name {
            "Compare" => cmp(args).map(|o| Value::Int(o as i64)),
            "LessThan" => cmp(args).map(|o| Value::Bool(o == Ordering::Less)),
            "GreaterThan" => cmp(args).map(|o| Value::Bool(o == Ordering::Greater)),
            "Equal" => cmp(args).map(|o| Value::Bool(o == Ordering::Equal)),
            _ => return None,
        })
    }
    fn display(&self) -> String {
        self.0.to_string()
    }
}

pub(super) fn register(f: &mut FuncMap) {
    f.insert("semver", |a| {
        exact("semver", a, 1)?;
        let v = Version::parse(string(&a[0])?)?;
        Ok(Value::Object(Rc::new(VersionObject(v))))
    });
    f.insert("semverCompare", |a| {
        exact("semverCompare", a, 2)?;
        let (range, version) = (string(&a[0])?, string(&a[1])?);
        compare_cached(range, version).map(Value::Bool)
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn constraints_table() {
        // (constraint, version, expected), from Masterminds/semver's documented examples.
        let cases: &[(&str, &str, bool)] = &[
            (">=1.19-0", "v1.30.0", true),
            (">=1.19-0", "v1.20.4-gke.1000", true),
            (">=1.19-0", "1.18.9", false),
            (">=1.19", "v1.20.4-gke.1000", false),
            (">=1.19-0", "v1.19.0-alpha.1", true),
            ("<1.19-0", "v1.18.20-eks-1234", true),
            (">= 1.2, < 3.0.0", "2.9.9", true),
            (">= 1.2, < 3.0.0", "3.0.0", false),
            (">= 1.2 < 3.0.0", "1.1.0", false),
            ("1.2.3", "1.2.3", true),
            ("=1.2.3", "1.2.4", false),
            ("1.2", "1.2.9", true),
            ("1.2", "1.3.0", false),
            ("1.x", "1.9.0", true),
            ("1.2.x", "1.3.0", false),
            ("*", "4.5.6", true),
            ("*", "4.5.6-beta", false),
            ("!=1.2.3", "1.2.4", true),
            ("!=1.2.3", "1.2.3", false),
            ("!=1.2.x", "1.2.7", false),
            ("!=1.2.x", "1.3.0", true),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            (">1", "1.9.0", false),
            (">1", "2.0.0", true),
            (">1.2.3", "1.2.4", true),
            ("<=1.2", "1.2.9", true),
            ("<=1.2", "1.3.0", false),
            ("<=1.2.3", "1.2.4", false),
            ("<2", "1.99.0", true),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1.2.3", "1.2.2", false),
            ("~1", "1.9.0", true),
            ("~1", "2.0.0", false),
            ("~>1.2", "1.2.5", true),
            ("^1.2.3", "1.9.9", true),
            ("^1.2.3", "2.0.0", false),
            ("^1.2", "1.2.0", true),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.3", true),
            ("^0.0.3", "0.0.4", false),
            ("^0.0", "0.0.9", true),
            ("^0.0", "0.1.0", false),
            ("^0", "0.9.0", true),
            ("^0", "1.0.0", false),
            ("1.2 - 1.4.5", "1.3.0", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            ("1.2.3 - 2", "2.9.0", true),
            (">=1.0.0 <2.0.0 || >=3.0.0", "3.1.0", true),
            (">=1.0.0 <2.0.0 || >=3.0.0", "2.5.0", false),
            ("^1.2.3-beta.2", "1.2.3-beta.4", true),
            (">1.2.3-beta.2", "1.2.3-beta.10", true),
            (">1.2.3-beta.2", "1.2.3-alpha", false),
            ("<1.2.3", "1.2.3-beta", false),
            ("<1.2.3-0", "1.2.3-beta", false),
            ("v1.2.3", "1.2.3", true),
            ("1.2.3", "1.2.3+build.5", true),
        ];
        let mut bad = Vec::new();
        for (c, v, want) in cases {
            let got = call("semverCompare", &[s(c), s(v)]);
            match got {
                Ok(Value::Bool(b)) if b == *want => {}
                other => bad.push(format!("{c:?} {v:?}: got {other:?}, want {want}")),
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn errors_and_objects() {
        errors(&[
            (
                "semverCompare",
                vec![s(">=1.0"), s("not-a-version")],
                "invalid semantic version",
            ),
            (
                "semverCompare",
                vec![s(">=1.0 foo"), s("1.0.0")],
                "improper constraint",
            ),
            (
                "semverCompare",
                vec![s(""), s("1.0.0")],
                "improper constraint",
            ),
            (
                "semver",
                vec![s("1.2.3-01")],
                "Version segment starts with 0",
            ),
        ]);
        table(&[
            ("semver", vec![s("v1.2.3-rc.1+build")], "1.2.3-rc.1+build"),
            ("semver", vec![s("1.2")], "1.2.0"),
        ]);
        let v = call("semver", &[s("v1.2.3-beta")]).unwrap();
        let Value::Object(o) = v else { panic!() };
        assert_eq!(o.field("Major").unwrap().as_str(), None);
        assert!(matches!(o.field("Minor"), Some(Value::Int(2))));
        assert_eq!(o.field("Prerelease").unwrap().as_str(), Some("beta"));
        assert_eq!(o.field("Original").unwrap().as_str(), Some("v1.2.3-beta"));
        let other = call("semver", &[s("1.2.3")]).unwrap();
        assert!(matches!(
            o.call_method("LessThan", &[other]),
            Some(Ok(Value::Bool(true)))
        ));
    }

    #[test]
    fn prerelease_order() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for w in order.windows(2) {
            let (a, b) = (Version::parse(w[0]).unwrap(), Version::parse(w[1]).unwrap());
            assert_eq!(a.compare(&b), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }
}
