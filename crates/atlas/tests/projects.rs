//! The projects file: both layouts, and errors that name the file and the entry.

use std::path::{Path, PathBuf};

use rbac_lens_atlas::projects::{EntrySource, Projects, Select};

fn parse(text: &str) -> Result<Projects, String> {
    Projects::parse(text, Path::new("/base")).map_err(|e| e.message)
}

#[test]
fn our_layout() {
    let p = parse(
        "charts:
  - path: ./charts/mychart
  - url: https://example.com/x-1.2.3.tgz
    name: example
  - repo: https://charts.example.com
    chart: example-operator
    versions: [1.2.3]
    values: [custom-values.yaml]
    keywords: [operator]
  - repo: https://charts.example.com
    chart: a
    latest: 3
  - repo: https://charts.example.com
    chart: b
    all: true
  - repo: https://charts.example.com
    chart: c
",
    )
    .unwrap();
    let e = &p.entries;
    assert_eq!(e.len(), 6);
    assert_eq!(
        e[0].source,
        EntrySource::Path(PathBuf::from("/base/./charts/mychart"))
    );
    assert_eq!(e[0].slug, None);
    assert_eq!(
        e[1].source,
        EntrySource::Url("https://example.com/x-1.2.3.tgz".into())
    );
    assert_eq!(e[1].slug.as_deref(), Some("example"));
    assert_eq!(
        e[2].source,
        EntrySource::Repo {
            url: "https://charts.example.com".into(),
            chart: "example-operator".into(),
            select: Select::Versions(vec!["1.2.3".into()])
        }
    );
    assert_eq!(e[2].values, [PathBuf::from("/base/custom-values.yaml")]);
    assert_eq!(e[2].keywords, ["operator"]);
    let select = |i: usize| match &e[i].source {
        EntrySource::Repo { select, .. } => select.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(select(3), Select::Latest(3));
    assert_eq!(select(4), Select::All);
    assert_eq!(select(5), Select::Latest(1), "default: the latest version");
}

#[test]
fn rbac_atlas_layout() {
    let p = parse(
        "helm_repos:
  - name: argo
    url: https://argoproj.github.io/argo-helm
    charts:
      - name: argo-cd
        keywords: [gitops]
      - name: argo-events
        version: 2.4.22
  - name: gitlab
    url: https://charts.gitlab.io
    charts:
      - name: gitlab
        values: charts/custom-values/gitlab.yaml
oci_repos:
  - name: x
oci_charts:
  - url: oci://ghcr.io/x/y
",
    )
    .unwrap();
    assert_eq!(p.entries.len(), 3);
    assert_eq!(p.entries[0].slug.as_deref(), Some("argo"));
    assert_eq!(p.entries[0].keywords, ["gitops"]);
    assert_eq!(
        p.entries[1].source,
        EntrySource::Repo {
            url: "https://argoproj.github.io/argo-helm".into(),
            chart: "argo-events".into(),
            select: Select::Versions(vec!["2.4.22".into()])
        }
    );
    assert_eq!(
        p.entries[2].values,
        [PathBuf::from("/base/charts/custom-values/gitlab.yaml")]
    );
    assert!(p.entries[2].origin.contains("helm_repos[1]"));
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].contains("OCI"), "{:?}", p.warnings);
}

#[test]
fn bad_input_names_the_entry_and_field() {
    let cases: &[(&str, &[&str])] = &[
        ("", &["empty"]),
        ("charts: []\n", &["no charts"]),
        ("charts:\n  - {}\n", &["charts[0]", "exactly one of"]),
        (
            "charts:\n  - path: a\n  - path: b\n    url: https://x\n",
            &["charts[1]", "path, url"],
        ),
        ("charts:\n  - repo: https://x\n", &["charts[0]", "`chart`"]),
        (
            "charts:\n  - repo: https://x\n    chart: c\n    latest: 2\n    all: true\n",
            &["charts[0]", "at most one"],
        ),
        (
            "charts:\n  - repo: https://x\n    chart: c\n    latest: 0\n",
            &["latest"],
        ),
        (
            "charts:\n  - repo: https://x\n    chart: c\n    versions: []\n",
            &["versions"],
        ),
        (
            "charts:\n  - repo: ftp://x\n    chart: c\n",
            &["charts[0]", "repo", "http"],
        ),
        ("charts:\n  - url: https://\n", &["no host"]),
        ("charts:\n  - path: a\n    chart: c\n", &["apply to `repo`"]),
        (
            "charts:\n  - path: a\n    name: a/b\n",
            &["charts[0]", "name"],
        ),
        ("charts:\n  - path: a\n    colour: red\n", &["colour"]),
        ("charts:\n  - path: [\n", &[]),
        ("charts: 3\n", &[]),
        (
            "helm_repos:\n  - name: r\n    url: https://r\n    charts:\n      - name: c\n        version: ''\n",
            &["helm_repos[0]", "charts[0]", "version"],
        ),
        ("helm_repos:\n  - url: https://r\n", &["name"]),
    ];
    for (text, needles) in cases {
        let e = parse(text)
            .err()
            .unwrap_or_else(|| panic!("accepted: {text:?}"));
        for n in *needles {
            assert!(e.contains(n), "{text:?}: {e:?} lacks {n:?}");
        }
    }
}

#[test]
fn load_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("projects.yaml");
    std::fs::write(&f, "charts:\n  - {}\n").unwrap();
    let e = Projects::load(&f).unwrap_err().to_string();
    assert!(e.starts_with(&f.display().to_string()), "{e}");
    assert!(e.contains("charts[0]"), "{e}");
    let e = Projects::load(&dir.path().join("none.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("none.yaml") && e.contains("cannot read"), "{e}");
    // Relative paths are relative to the projects file.
    std::fs::write(&f, "charts:\n  - path: sub/chart\n    values: [v.yaml]\n").unwrap();
    let p = Projects::load(&f).unwrap();
    assert_eq!(
        p.entries[0].source,
        EntrySource::Path(dir.path().join("sub/chart"))
    );
    assert_eq!(p.entries[0].values, [dir.path().join("v.yaml")]);
}
