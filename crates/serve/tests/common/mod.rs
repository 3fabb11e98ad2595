//! Test harness: a store filled from real analyses of corpus charts (plus versions of one
//! chart edited at test time, so diffs have something to show), a server on a loopback port,
//! and small HTTP helpers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rbac_lens_atlas::{AtlasRead, ChartId, MemoryStore};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_serve::{ServeOptions, ServerHandle};
use serde_json::Value;

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

pub fn kured_dir() -> PathBuf {
    corpus().join("match/kured__kured__6.1.0/chart")
}

/// Copy a chart directory (small charts only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// kured at `version`, its ClusterRole given `extra` rules (YAML list items).
pub fn kured_variant(root: &Path, version: &str, extra: &str) -> PathBuf {
    let dir = root.join(format!("kured-{version}"));
    copy_dir(&kured_dir(), &dir);
    let chart_yaml = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).unwrap();
    std::fs::write(
        &chart_yaml,
        text.replace("version: 6.1.0", &format!("version: {version}")),
    )
    .unwrap();
    let role = dir.join("templates/clusterrole.yaml");
    let text = std::fs::read_to_string(&role).unwrap();
    let marker = "{{- end -}}";
    assert!(
        text.trim_end().ends_with(marker),
        "kured's ClusterRole changed shape"
    );
    let at = text.rfind(marker).unwrap();
    std::fs::write(&role, format!("{}{extra}\n{}", &text[..at], &text[at..])).unwrap();
    dir
}

pub const SECRETS_RULE: &str =
    "- apiGroups: [\"\"]\n  resources: [\"secrets\"]\n  verbs: [\"get\", \"list\"]";
pub const EXEC_RULE: &str =
    "- apiGroups: [\"\"]\n  resources: [\"pods/exec\"]\n  verbs: [\"create\"]";

fn analyze(path: &Path) -> rbac_lens_report::Report {
    let out = rbac_lens_pipeline::analyze(
        &[path.to_string_lossy().into_owned()],
        &rbac_lens_pipeline::Options::default(),
        Catalog::embedded(),
    );
    assert!(!out.input_errors, "analysing {} failed", path.display());
    out.report
}

fn id(repo: &str, chart: &str) -> ChartId {
    ChartId {
        repo: repo.into(),
        chart: chart.into(),
    }
}

/// The shared store: kured 6.1.0 (corpus), 6.2.0 (+ read secrets), 6.10.0 (+ pods/exec),
/// coredns 1.46.2 (corpus), and a failed scan of `example/broken` 1.0.0.
pub fn store() -> Arc<dyn AtlasRead> {
    static STORE: OnceLock<Arc<MemoryStore>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let tmp = tempfile::tempdir().unwrap();
            let mut s = MemoryStore::new();
            s.add_report(id("kubereboot", "kured"), "corpus", &analyze(&kured_dir()));
            let v2 = kured_variant(tmp.path(), "6.2.0", SECRETS_RULE);
            s.add_report(id("kubereboot", "kured"), "edited", &analyze(&v2));
            let v10 = kured_variant(
                tmp.path(),
                "6.10.0",
                &format!("{SECRETS_RULE}\n{EXEC_RULE}"),
            );
            s.add_report(id("kubereboot", "kured"), "edited", &analyze(&v10));
            let coredns = corpus().join("match/coredns__coredns__1.46.2/chart");
            s.add_report(id("coredns", "coredns"), "corpus", &analyze(&coredns));
            s.add_failure(
                id("example", "broken"),
                "1.0.0",
                "https://example.invalid/broken-1.0.0.tgz",
                "download failed: 404",
            );
            Arc::new(s)
        })
        .clone()
}

pub fn start(opts: ServeOptions) -> ServerHandle {
    let opts = ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..opts
    };
    rbac_lens_serve::spawn(store(), opts).expect("server starts")
}

pub fn start_default() -> ServerHandle {
    start(ServeOptions::default())
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub allow: Option<String>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {}", &self.body[..self.body.len().min(300)])
        })
    }

    /// Assert a JSON error with this status; returns the message.
    pub fn expect_error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.content_type, "application/json", "body: {}", self.body);
        let v = self.json();
        v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {v}"))
            .to_string()
    }

    pub fn expect_ok(&self) -> Value {
        assert_eq!(self.status, 200, "body: {}", self.body);
        assert_eq!(self.content_type, "application/json");
        self.json()
    }
}

fn finish(mut r: ureq::http::Response<ureq::Body>) -> Resp {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type").unwrap_or_default();
    let allow = header("allow");
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap();
    Resp {
        status,
        content_type,
        body,
        allow,
    }
}

pub fn get(server: &ServerHandle, path: &str) -> Resp {
    finish(
        agent()
            .get(&format!("{}{path}", server.url()))
            .call()
            .unwrap(),
    )
}

pub fn post(server: &ServerHandle, path: &str, content_type: &str, body: &[u8]) -> Resp {
    finish(
        agent()
            .post(&format!("{}{path}", server.url()))
            .header("content-type", content_type)
            .send(body)
            .unwrap(),
    )
}

pub fn delete(server: &ServerHandle, path: &str) -> Resp {
    finish(
        agent()
            .delete(&format!("{}{path}", server.url()))
            .call()
            .unwrap(),
    )
}

/// A chart directory packed as a `.tgz` the way `helm package` lays it out (`NAME/...`).
pub fn pack_chart(dir: &Path, name: &str) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(name, dir).unwrap();
    tar.into_inner().unwrap().finish().unwrap()
}

/// Send raw bytes and read the raw response (for requests a client library will not make).
pub fn raw_exchange(server: &ServerHandle, head: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer and close before taking everything: that is the point.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
