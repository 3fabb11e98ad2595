//! `.helmignore`: which files of a chart directory are left out.
//!
//! Helm's rules (not gitignore's): one pattern per line, `#` comments; a pattern without
//! `/` matches the base name only, one with `/` (or a leading `/`) matches the whole path
//! relative to the chart root, with shell-glob syntax (`*` never crosses `/`); a trailing `/`
//! matches directories only; `**` is not supported. A negated rule `!p` means "ignore
//! everything that does *not* match p" (helm's quirk, kept). `templates/.?*` is always ignored.
//!
//! Patterns follow Go's `filepath.Match` ([`Pattern`]): `*` and `?` never match `/`,
//! `[...]`/`[^...]` classes with ranges, `\` escapes; no `{a,b}` alternates. A small matcher
//! of our own: compiling each pattern as a regex cost more than loading most charts.

#[derive(Debug)]
struct Rule {
    raw: String,
    matcher: Pattern,
    negate: bool,
    must_dir: bool,
    base_only: bool,
}

/// A parsed `.helmignore`.
#[derive(Debug, Default)]
pub struct HelmIgnore {
    rules: Vec<Rule>,
}

impl HelmIgnore {
    /// The rules helm applies even without a `.helmignore`.
    pub fn with_defaults() -> Self {
        let mut h = HelmIgnore::default();
        let _ = h.add("templates/.?*");
        h
    }

    /// Parse `.helmignore` text on top of the defaults. Bad lines are returned as warnings.
    pub fn parse(text: &str) -> (Self, Vec<String>) {
        let mut h = Self::with_defaults();
        let mut warnings = Vec::new();
        for line in text.lines() {
            if let Err(e) = h.add(line) {
                warnings.push(format!(".helmignore: {e}"));
            }
        }
        (h, warnings)
    }

    /// Add one rule line.
    pub fn add(&mut self, line: &str) -> Result<(), String> {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            return Ok(());
        }
        if p.contains("**") {
            return Err(format!("double-star (**) syntax is not supported: {p:?}"));
        }
        let negate = p.starts_with('!') && p.len() > 1;
        if negate {
            p = &p[1..];
        }
        let must_dir = p.ends_with('/');
        let mut pat = p.trim_end_matches('/');
        let base_only = !pat.contains('/');
        pat = pat.strip_prefix('/').unwrap_or(pat);
        if pat.is_empty() {
            return Ok(());
        }
        let matcher = Pattern::new(pat).map_err(|e| format!("bad pattern {p:?}: {e}"))?;
        self.rules.push(Rule {
            raw: line.to_string(),
            matcher,
            negate,
            must_dir,
            base_only,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let base = path.rsplit('/').next().unwrap_or(path);
        for r in &self.rules {
            let _ = &r.raw;
            let target = if r.base_only { base } else { path };
            let m = r.matcher.is_match(target);
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !m {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if m {
                return true;
            }
        }
        false
    }
}

/// A shell pattern with Go `filepath.Match` semantics, checked for syntax when built.
/// Stored as chars (classes hold code points); an ASCII name (nearly every path) is matched
/// byte by byte without allocating.
#[derive(Debug)]
struct Pattern {
    chars: Vec<char>,
    /// The same pattern as bytes, when it is ASCII.
    ascii: Option<Vec<u8>>,
}

/// A character of a pattern or name: `char`, or `u8` on the ASCII path.
trait Sym: Copy + Ord {
    fn of(b: u8) -> Self;
}
impl Sym for char {
    fn of(b: u8) -> Self {
        char::from(b)
    }
}
impl Sym for u8 {
    fn of(b: u8) -> Self {
        b
    }
}

impl Pattern {
    fn new(pat: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = pat.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' if i + 1 == chars.len() => return Err("trailing backslash".into()),
                '\\' => i += 2,
                '[' => i = class(&chars, i, None)?.1,
                _ => i += 1,
            }
        }
        let ascii = pat.is_ascii().then(|| pat.as_bytes().to_vec());
        Ok(Pattern { chars, ascii })
    }

    fn is_match(&self, name: &str) -> bool {
        if let Some(pat) = &self.ascii
            && name.is_ascii()
        {
            return matches(pat, name.as_bytes());
        }
        let name: Vec<char> = name.chars().collect();
        matches(&self.chars, &name)
    }
}

/// Whether the whole of `name` matches `pat` (syntax already checked). `*` backtracks to
/// its last position only: it cannot cross `/`, and neither can an earlier `*`, so one
/// backtrack point suffices.
fn matches<T: Sym>(pat: &[T], name: &[T]) -> bool {
    let (slash, star_c, any, open, escape) = (
        T::of(b'/'),
        T::of(b'*'),
        T::of(b'?'),
        T::of(b'['),
        T::of(b'\\'),
    );
    let (mut p, mut n) = (0, 0);
    // After the last `*`: where the pattern resumes, and how much of the name it took.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() {
            let here = name.get(n).copied();
            let c = pat[p];
            let step = if c == star_c {
                star = Some((p + 1, n));
                p += 1;
                continue;
            } else if c == any {
                here.filter(|&h| h != slash).map(|_| p + 1)
            } else if c == open {
                match class(pat, p, here) {
                    Ok((true, next)) => Some(next),
                    _ => None,
                }
            } else if c == escape {
                (here.is_some() && here == pat.get(p + 1).copied()).then_some(p + 2)
            } else {
                (here == Some(c)).then_some(p + 1)
            };
            if let Some(next) = step {
                p = next;
                n += 1;
                continue;
            }
        } else if n == name.len() {
            return true;
        }
        match star {
            Some((sp, taken)) if taken < name.len() && name[taken] != slash => {
                star = Some((sp, taken + 1));
                p = sp;
                n = taken + 1;
            }
            _ => return false,
        }
    }
}

/// The class starting at `pat[start]` (`[`): whether `c` is in it (false for `None`), and
/// the index after its closing `]`. An empty class is an error, as in Go.
fn class<T: Sym>(pat: &[T], start: usize, c: Option<T>) -> Result<(bool, usize), String> {
    let mut i = start + 1;
    let negated = pat.get(i) == Some(&T::of(b'^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut ranges = 0;
    loop {
        match pat.get(i) {
            None => return Err("unclosed character class".into()),
            Some(&x) if x == T::of(b']') && ranges > 0 => break,
            _ => {}
        }
        let (lo, next) = class_char(pat, i)?;
        let (hi, next) = if pat.get(next) == Some(&T::of(b'-')) {
            class_char(pat, next + 1)?
        } else {
            (lo, next)
        };
        if hi < lo {
            return Err("character range out of order".into());
        }
        if c.is_some_and(|c| lo <= c && c <= hi) {
            matched = true;
        }
        ranges += 1;
        i = next;
    }
    Ok((matched != negated && c.is_some(), i + 1))
}

/// One (possibly escaped) character of a class, and the index after it. An unescaped `-`
/// or `]` cannot start a range (Go rejects `[]a]` and `[-a]`).
fn class_char<T: Sym>(pat: &[T], i: usize) -> Result<(T, usize), String> {
    match pat.get(i) {
        Some(&c) if c == T::of(b'\\') => pat
            .get(i + 1)
            .map(|&c| (c, i + 2))
            .ok_or_else(|| "trailing backslash".to_string()),
        Some(&c) if c != T::of(b'-') && c != T::of(b']') => Ok((c, i + 1)),
        Some(_) => Err("bad character class".into()),
        None => Err("unclosed character class".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases of Go's `filepath.Match` (pattern, name, matches), bad patterns as `None`.
    #[test]
    fn go_filepath_match_semantics() {
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("abc", "abc", Some(true)),
            ("*", "abc", Some(true)),
            ("*c", "abc", Some(true)),
            ("a*", "a", Some(true)),
            ("a*", "abc", Some(true)),
            ("a*", "ab/c", Some(false)),
            ("a*/b", "abc/b", Some(true)),
            ("a*/b", "a/c/b", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
            ("ab[c]", "abc", Some(true)),
            ("ab[b-d]", "abc", Some(true)),
            ("ab[e-g]", "abc", Some(false)),
            ("ab[^c]", "abc", Some(false)),
            ("ab[^b-d]", "abc", Some(false)),
            ("ab[^e-g]", "abc", Some(true)),
            ("a\\*b", "a*b", Some(true)),
            ("a\\*b", "ab", Some(false)),
            ("a?b", "a☺b", Some(true)),
            ("a[^a]b", "a☺b", Some(true)),
            ("a???b", "a☺b", Some(false)),
            ("[a-ζ]*", "α", Some(true)),
            ("*[a-ζ]", "A", Some(false)),
            ("a?b", "a/b", Some(false)),
            ("a*b", "a/b", Some(false)),
            ("[\\]a]", "]", Some(true)),
            ("[\\-]", "-", Some(true)),
            ("[x\\-]", "x", Some(true)),
            ("[x\\-]", "z", Some(false)),
            ("[]a]", "]", None),
            ("[-]", "-", None),
            ("[x-]", "x", None),
            ("[-x]", "x", None),
            ("\\", "a", None),
            ("[a-b-c]", "a", None),
            ("[", "a", None),
            ("[^", "a", None),
            ("[^bc", "a", None),
            ("a[", "a", None),
            ("*x", "xxx", Some(true)),
            ("{a,b}", "a", Some(false)),
            ("{a,b}", "{a,b}", Some(true)),
        ];
        for &(pat, name, want) in cases {
            let got = Pattern::new(pat).ok().map(|p| p.is_match(name));
            assert_eq!(got, want, "pattern {pat:?} on {name:?}");
        }
    }

    #[test]
    fn helm_rules() {
        let (h, w) = HelmIgnore::parse(
            "# comment\n.git/\n*.tmp\n/ci/*.yaml\nsecret/x.txt\n.DS_Store\n*.orig\n*~\n",
        );
        assert!(w.is_empty());
        assert!(h.ignored(".git", true));
        assert!(!h.ignored(".git", false));
        assert!(h.ignored("a/b/c.tmp", false));
        assert!(h.ignored("ci/test.yaml", false));
        assert!(!h.ignored("ci/sub/test.yaml", false));
        assert!(h.ignored("secret/x.txt", false));
        assert!(h.ignored("files/.DS_Store", false));
        assert!(h.ignored("values.yaml~", false));
        assert!(!h.ignored("values.yaml", false));
        assert!(h.ignored("templates/.hidden.yaml", false));
        assert!(!h.ignored("templates/a.yaml", false));
    }

    #[test]
    fn double_star_rejected_and_negation_quirk() {
        let (_, w) = HelmIgnore::parse("**/x\n");
        assert_eq!(w.len(), 1);
        let (h, _) = HelmIgnore::parse("!*.yaml\n");
        // Helm's negation: everything that does not match is ignored.
        assert!(h.ignored("README.md", false));
        assert!(!h.ignored("values.yaml", false));
    }
}
