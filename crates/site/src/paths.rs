//! Where every page lives, as a path relative to the site root.
//!
//! Every page is a file named explicitly (`.../index.html`), and every link is relative, so
//! the site works from any static host, under any prefix, and from `file://` (where a link to
//! a directory would show a listing instead of the page).

use rbac_lens_atlas::ChartId;

/// FNV-1a, 64 bits: a stable short hash for path segments that had to be rewritten.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A path segment that is safe on every file system and in a URL without escaping.
///
/// Chart names, repos and versions are untrusted: anything outside `[A-Za-z0-9._+-]`, a
/// leading dot, an empty or a very long name is rewritten, and a hash of the original is
/// appended so that two different names never share a segment.
pub fn segment(s: &str) -> String {
    const MAX: usize = 80;
    let clean = !s.is_empty()
        && s.len() <= MAX
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'));
    if clean {
        return s.to_string();
    }
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(MAX - 17)
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    format!("{out}~{:016x}", fnv(s))
}

/// Directory of a chart: `charts/<repo>/<chart>`.
pub fn chart_dir(c: &ChartId) -> String {
    format!("charts/{}/{}", segment(&c.repo), segment(&c.chart))
}

/// The chart page (all versions).
pub fn chart_page(c: &ChartId) -> String {
    format!("{}/index.html", chart_dir(c))
}

/// The script listing the chart's versions (for the version picker).
pub fn chart_versions_js(c: &ChartId) -> String {
    format!("{}/versions.js", chart_dir(c))
}

/// Directory of one chart version.
pub fn version_dir(c: &ChartId, version: &str) -> String {
    format!("{}/{}", chart_dir(c), segment(version))
}

/// The chart version page.
pub fn version_page(c: &ChartId, version: &str) -> String {
    format!("{}/index.html", version_dir(c, version))
}

/// The diff page of a version against the previous version (semantic-version order).
pub fn diff_page(c: &ChartId, version: &str) -> String {
    format!("{}/diff.html", version_dir(c, version))
}

/// The stored report of a version, as JSON.
pub fn report_json(c: &ChartId, version: &str) -> String {
    format!("{}/report.json", version_dir(c, version))
}

pub fn rule_page(id: u32) -> String {
    format!("rules/{id}/index.html")
}

pub fn tag_page(tag: &str) -> String {
    format!("tags/{}/index.html", segment(tag))
}

pub fn category_page(keyword: &str) -> String {
    format!("categories/{}/index.html", segment(keyword))
}

pub const HOME: &str = "index.html";
pub const CHART_INDEX: &str = "charts/index.html";
pub const RULE_INDEX: &str = "rules/index.html";
pub const TAG_INDEX: &str = "tags/index.html";
pub const CATEGORY_INDEX: &str = "categories/index.html";
pub const STATS: &str = "stats/index.html";
pub const FAILURES: &str = "failures/index.html";
pub const DOWNLOADS: &str = "data/index.html";
pub const STYLE: &str = "assets/style.css";
pub const SCRIPT: &str = "assets/site.js";
pub const FAVICON: &str = "assets/favicon.svg";
pub const SEARCH_DATA: &str = "data/search.js";
pub const SUMMARIES_JSON: &str = "data/summaries.json";
pub const SUMMARIES_CSV: &str = "data/summaries.csv";
pub const PERMISSIONS_CSV: &str = "data/permissions.csv";
pub const REPORTS_JSONL: &str = "data/reports.jsonl";

/// The link from page `from` to page `to` (both relative to the root).
pub fn rel(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut s = "../".repeat(depth);
    s.push_str(to);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_safe_and_distinct() {
        assert_eq!(segment("kube-prometheus-stack"), "kube-prometheus-stack");
        assert_eq!(segment("1.2.3+build.1"), "1.2.3+build.1");
        for hostile in ["..", ".", "", "a/b", "a\\b", "<script>", "a b", "ünï"] {
            let s = segment(hostile);
            assert!(!s.starts_with('.'), "{s}");
            assert!(
                !s.contains('/') && !s.contains('\\') && !s.contains('<'),
                "{s}"
            );
            assert!(!s.is_empty());
        }
        assert_ne!(segment("a/b"), segment("a_b"));
        assert_ne!(segment("a/b"), segment("a:b"));
        assert!(segment(&"x".repeat(500)).len() <= 81);
    }

    #[test]
    fn relative_links() {
        assert_eq!(
            rel("index.html", "rules/1/index.html"),
            "rules/1/index.html"
        );
        assert_eq!(
            rel("charts/r/c/1.0/index.html", "rules/1/index.html"),
            "../../../../rules/1/index.html"
        );
    }
}
