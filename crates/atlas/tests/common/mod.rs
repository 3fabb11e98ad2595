//! Shared by the atlas integration tests: the corpus as a projects file, a loopback HTTP
//! server, chart packing, the PostgreSQL test server.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Every corpus chart as a `path:` entry (repository slug from the directory name), in a
/// projects file written into `dir`. Returns the file and the number of charts.
pub fn corpus_projects(dir: &Path) -> (PathBuf, usize) {
    let mut text = String::from("charts:\n");
    let mut n = 0;
    for group in ["match", "nomatch"] {
        let mut dirs: Vec<_> = std::fs::read_dir(Path::new(CORPUS).join(group))
            .expect("the corpus is at ../shared/corpus")
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("chart/Chart.yaml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            let repo = name.split("__").next().unwrap();
            text.push_str(&format!(
                "  - path: {}\n    name: {repo}\n    keywords: [corpus]\n",
                d.join("chart").display()
            ));
            n += 1;
        }
    }
    let file = dir.join("projects.yaml");
    std::fs::write(&file, text).unwrap();
    (file, n)
}

/// The PostgreSQL server for tests, from `RBAC_LENS_TEST_POSTGRES` (start one with
/// `eval "$(scripts/start-postgres.sh)"`). `None` (after saying SKIPPED) when unset, unless
/// `RBAC_LENS_REQUIRE_ORACLE=1`, which makes a missing server a failure.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("RBAC_LENS_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("RBAC_LENS_REQUIRE_ORACLE").as_deref() == Ok("1") {
                panic!(
                    "{test}: RBAC_LENS_TEST_POSTGRES is not set (run eval \"$(scripts/start-postgres.sh)\")"
                );
            }
            eprintln!(
                "SKIPPED: {test}: RBAC_LENS_TEST_POSTGRES is not set (start a server with scripts/start-postgres.sh)"
            );
            None
        }
    }
}

/// A new empty database on the test server, for one test.
pub fn fresh_postgres(url: &str, test: &str) -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("t_{test}_{}_{nonce}", std::process::id());
    rbac_lens_atlas::store::postgres::create_database(url, &name).unwrap()
}

/// Serve `files` (URL path to body) over HTTP on loopback from a background thread;
/// returns the base URL. Unknown paths get a 404. Every request is counted in `hits`.
pub fn serve(files: HashMap<String, Vec<u8>>) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            log.lock().unwrap().push(path.clone());
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (base, hits)
}

/// Package the chart directory `dir` as a Helm `.tgz`, with `version` written into its
/// Chart.yaml (so one corpus chart yields several versions).
pub fn pack_chart(dir: &Path, name: &str, version: &str) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(dir).unwrap();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let mut data = std::fs::read(&p).unwrap();
            if rel == Path::new("Chart.yaml") {
                let text = String::from_utf8(data).unwrap();
                let text: String = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("version:") {
                            format!("version: {version}\n")
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                data = text.into_bytes();
            }
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, Path::new(name).join(rel), data.as_slice())
                .unwrap();
        }
    }
    tar.into_inner().unwrap().finish().unwrap()
}
