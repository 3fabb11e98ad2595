//! `.helmignore`: which files of a chart directory are left out.
//!
//! Helm's rules (not gitignore's): one pattern per line, `#` comments; a pattern without
//! `/` matches the base name only, one with `/` (or a leading `/`) matches the whole path
//! relative to the chart root, with shell-glob syntax (`*` never crosses `/`); a trailing `/`
//! matches directories only; `**` is not supported. A negated rule `!p` means "ignore
//! everything that does *not* match p" (helm's quirk, kept). `templates/.?*` is always ignored.

use globset::{GlobBuilder, GlobMatcher};

#[derive(Debug)]
struct Rule {
    raw: String,
    matcher: GlobMatcher,
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
        let glob = GlobBuilder::new(pat)
            .literal_separator(true)
            .backslash_escape(true)
            .empty_alternates(false)
            .build()
            .map_err(|e| format!("bad pattern {p:?}: {e}"))?;
        self.rules.push(Rule {
            raw: line.to_string(),
            matcher: glob.compile_matcher(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
