//! The generated site over a small real atlas: every page type exists, every internal link
//! resolves, hostile chart data is escaped, the diff and rule pages say what they must, the
//! downloads parse, and generation is deterministic.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rbac_lens_atlas::{AtlasRead, MemoryStore};
use rbac_lens_site::{Site, SiteOptions, SiteStats, generate, paths};

struct Built {
    store: MemoryStore,
    dir: tempfile::TempDir,
    stats: SiteStats,
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let store = common::demo_store();
        let dir = tempfile::tempdir().unwrap();
        let stats = generate(&store, dir.path(), &SiteOptions::default()).unwrap();
        Built { store, dir, stats }
    })
}

fn read(rel: &str) -> String {
    let p = built().dir.path().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Values of `attr="..."` in an HTML document (the generator always double-quotes).
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn every_page_type_exists() {
    let b = built();
    for p in [
        paths::HOME,
        paths::CHART_INDEX,
        paths::RULE_INDEX,
        paths::TAG_INDEX,
        paths::CATEGORY_INDEX,
        paths::STATS,
        paths::FAILURES,
        paths::DOWNLOADS,
        paths::STYLE,
        paths::SCRIPT,
        paths::SEARCH_DATA,
        paths::SUMMARIES_JSON,
        paths::SUMMARIES_CSV,
        paths::PERMISSIONS_CSV,
        paths::REPORTS_JSONL,
        "rules/1047/index.html",
        "charts/kured/kured/index.html",
        "charts/kured/kured/versions.js",
        "charts/kured/kured/6.2.0/index.html",
        "charts/kured/kured/6.2.0/diff.html",
        "charts/kured/kured/6.2.0/report.json",
        "charts/kured/kured/7.0.0/index.html",
        "categories/reboot/index.html",
    ] {
        assert!(b.dir.path().join(p).is_file(), "missing {p}");
    }
    assert_eq!(b.stats.charts, common::CORPUS.len() + 2);
    assert_eq!(b.stats.versions, common::CORPUS.len() + 5);
    assert_eq!(b.stats.failed, 1);
    let tags = std::fs::read_dir(b.dir.path().join("tags"))
        .unwrap()
        .count();
    assert!(tags > 3, "tag pages: {tags}");
    let stats = read(paths::STATS);
    assert!(
        stats.matches("<svg").count() >= 5,
        "stats page draws charts"
    );
    assert!(
        b.stats.largest_version_page.1 < 200_000,
        "{:?}",
        b.stats.largest_version_page
    );
}

#[test]
fn internal_links_resolve() {
    let root = built().dir.path();
    let mut checked = 0;
    let mut broken = BTreeSet::new();
    for file in files(root) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&file).unwrap();
        let ids: BTreeSet<String> = attr_values(&html, "id").into_iter().map(unescape).collect();
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            let link = unescape(link);
            if link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            assert!(
                !link.contains(':'),
                "{}: link with a scheme: {link}",
                file.display()
            );
            let (target, frag) = match link.split_once('#') {
                Some((t, f)) => (t, Some(f)),
                None => (link.as_str(), None),
            };
            let target = target.split('?').next().unwrap_or_default();
            checked += 1;
            if target.is_empty() {
                if let Some(f) = frag
                    && !ids.contains(f)
                {
                    broken.insert(format!("{}: #{f}", file.display()));
                }
                continue;
            }
            assert!(!target.starts_with('/'), "absolute link {target}");
            assert!(
                target.ends_with(".html")
                    || target.ends_with(".js")
                    || target.ends_with(".css")
                    || target.ends_with(".json")
                    || target.ends_with(".csv")
                    || target.ends_with(".jsonl")
                    || target.ends_with(".svg"),
                "{}: link to a directory or odd file: {target}",
                file.display()
            );
            let resolved = file.parent().unwrap().join(target);
            if !resolved.is_file() {
                broken.insert(format!("{} -> {target}", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{broken:#?}");
    assert!(checked > 500, "only {checked} links checked");
}

#[test]
fn hostile_chart_data_is_escaped() {
    let root = built().dir.path();
    let mut hostile_pages = 0;
    for file in files(root) {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        if name.ends_with(".html") {
            assert!(!text.contains("<script>alert"), "{name}");
            assert!(!text.contains("<img src=x"), "{name}");
            assert!(!text.contains("\"><script"), "{name}");
            if text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") {
                hostile_pages += 1;
            }
            // The only scripts are the site's own files.
            for src in attr_values(&text, "src") {
                assert!(src.ends_with(".js"), "{name}: {src}");
            }
        }
        if name.ends_with(".js") {
            assert!(!text.contains("</script"), "{name}");
        }
        // No file or directory name carries the markup either.
        let rel = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            !rel.contains('<') && !rel.contains('"') && !rel.contains('&'),
            "{rel}"
        );
    }
    assert!(
        hostile_pages >= 3,
        "the hostile chart appears escaped ({hostile_pages})"
    );
}

#[test]
fn diff_page_shows_the_added_permission_in_semver_order() {
    let d = read("charts/kured/kured/6.2.0/diff.html");
    assert!(
        d.contains("6.1.0 → 6.2.0"),
        "diff against the previous version"
    );
    let added = &d[d.find("id=\"added-permissions\"").unwrap()
        ..d.find("id=\"removed-permissions\"").unwrap()];
    assert!(added.contains("core/serviceaccounts/token"), "{added}");
    assert!(added.contains("create"));
    // 6.10.0 comes after 6.2.0 (string order would put it before): nothing new there.
    let d = read("charts/kured/kured/6.10.0/diff.html");
    assert!(d.contains("6.2.0 → 6.10.0"), "semantic version order");
    assert!(d.contains("Permissions added (0)"));
    // The chart page lists versions newest first, the failed one included with its error.
    let chart = read("charts/kured/kured/index.html");
    let pos = |v: &str| chart.find(&format!(">{v}</a>")).unwrap();
    assert!(
        pos("7.0.0") < pos("6.10.0") && pos("6.10.0") < pos("6.2.0") && pos("6.2.0") < pos("6.1.0")
    );
    assert!(chart.contains("HTTP 404"));
}

#[test]
fn rule_page_lists_the_triggering_chart_version() {
    let r = read("rules/1047/index.html");
    assert!(r.contains("Create ServiceAccount Tokens"));
    for section in ["Overview", "Description", "Abuse Scenarios"] {
        assert!(r.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    let triggers = &r[r.find("id=\"triggered-by\"").unwrap()..];
    assert!(triggers.contains("kured/kured"), "{triggers}");
    assert!(triggers.contains(">6.2.0</a>") && triggers.contains(">6.10.0</a>"));
    assert!(!triggers.contains(">6.1.0</a>"));
    // The version page links the rule from the identity's potential abuse.
    let v = read("charts/kured/kured/6.2.0/index.html");
    assert!(v.contains("../../../../rules/1047/index.html"));
    assert!(v.contains("Potential abuse"));
    assert!(v.contains("Escalation paths"));
}

#[test]
fn failed_scans_are_shown_with_their_error() {
    let f = read(paths::FAILURES);
    assert!(f.contains("HTTP 404 Not Found"));
    let v = read("charts/kured/kured/7.0.0/index.html");
    assert!(v.contains("Scan failed") && v.contains("HTTP 404 Not Found"));
}

#[test]
fn downloads_parse() {
    let b = built();
    let mut rd = csv::Reader::from_reader(std::io::Cursor::new(read(paths::SUMMARIES_CSV)));
    let header = rd.headers().unwrap().clone();
    assert_eq!(&header[0], "repo");
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), b.stats.versions);
    assert!(
        rows.iter()
            .any(|r| &r[0] == "evil&co" && r[1].contains("<script>"))
    );
    assert!(rows.iter().any(|r| &r[3] == "failed"));

    let mut rd = csv::Reader::from_reader(std::io::Cursor::new(read(paths::PERMISSIONS_CSV)));
    let perms: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert!(perms.len() > 20);
    assert!(
        perms
            .iter()
            .any(|r| &r[2] == "6.2.0" && &r[12] == "serviceaccounts/token")
    );
    let total: usize = b
        .store
        .summaries()
        .unwrap()
        .iter()
        .map(|s| s.permissions as usize)
        .sum();
    assert_eq!(perms.len(), total);

    let json: serde_json::Value = serde_json::from_str(&read(paths::SUMMARIES_JSON)).unwrap();
    assert_eq!(json["scans"].as_array().unwrap().len(), b.stats.versions);
    for line in read(paths::REPORTS_JSONL).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let _: rbac_lens_report::Report = serde_json::from_value(v["report"].clone()).unwrap();
    }
    assert_eq!(
        read(paths::REPORTS_JSONL).lines().count(),
        b.stats.versions - 1
    );
    let report: rbac_lens_report::Report =
        serde_json::from_str(&read("charts/kured/kured/6.2.0/report.json")).unwrap();
    assert_eq!(report.metadata.version, "6.2.0");

    let search = read(paths::SEARCH_DATA);
    let body = search
        .strip_prefix("window.RBAC_LENS_SEARCH = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(data["charts"].as_array().unwrap().len(), b.stats.charts);
    assert!(
        data["tuples"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t[1] == "serviceaccounts/token")
    );
}

#[test]
fn generation_is_deterministic_and_render_matches() {
    let b = built();
    let again = tempfile::tempdir().unwrap();
    generate(&b.store, again.path(), &SiteOptions::default()).unwrap();
    let first = files(b.dir.path());
    let second = files(again.path());
    assert_eq!(first.len(), second.len());
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(
            x.strip_prefix(b.dir.path()).unwrap(),
            y.strip_prefix(again.path()).unwrap()
        );
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{}",
            x.display()
        );
    }
    // The server renders single pages with the same functions.
    let site = Site::load(&b.store, SiteOptions::default()).unwrap();
    for p in [
        "index.html",
        "charts/kured/kured/6.2.0/index.html",
        "charts/kured/kured/6.2.0/diff.html",
        "rules/1047/index.html",
        "charts/kured/kured/versions.js",
    ] {
        let r = site.render(p).unwrap().unwrap_or_else(|| panic!("{p}"));
        assert_eq!(String::from_utf8(r.body).unwrap(), read(p), "{p}");
    }
    assert!(
        site.render("charts/kured/kured/9.9.9/index.html")
            .unwrap()
            .is_none()
    );
    assert!(site.render("../../etc/passwd").unwrap().is_none());
    assert!(site.render("charts/").unwrap().is_some());
}
