//! The API over real HTTP on loopback: every route, bad requests, limits, concurrency, and
//! the OpenAPI file against the router.

mod common;

use std::collections::BTreeSet;

use common::*;
use rbac_lens_serve::ServeOptions;
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn healthz_counts_the_store() {
    let s = start_default();
    let v = get(&s, "/healthz").expect_ok();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["charts"], 3);
    assert_eq!(v["versions"], 5);
    assert_eq!(v["unreadableReports"], 0);
    assert!(v["permissionRows"].as_u64().unwrap() > 10);
}

#[test]
fn rules_list_and_pages() {
    let s = start_default();
    let list = get(&s, "/api/v1/rules").expect_ok();
    let rules = list["rules"].as_array().unwrap();
    assert!(rules.len() > 50, "the embedded catalog has many rules");
    assert_eq!(list["total"].as_u64().unwrap() as usize, rules.len());
    for r in rules {
        assert!(r["id"].is_u64() && r["name"].is_string() && r["riskLevel"].is_string());
    }

    // The rule(s) kured 6.2.0 gained by reading secrets trigger on 6.2.0 and 6.10.0 only.
    let diff = get(
        &s,
        "/api/v1/charts/kubereboot/kured/diff?from=6.1.0&to=6.2.0",
    )
    .expect_ok();
    let added = diff["addedFindings"].as_array().unwrap();
    assert!(!added.is_empty(), "reading secrets adds a finding: {diff}");
    let rule_id = added[0]["ruleId"].as_u64().unwrap();
    let page = get(&s, &format!("/api/v1/rules/{rule_id}")).expect_ok();
    assert_eq!(page["rule"]["id"].as_u64(), Some(rule_id));
    assert!(page["rule"]["description"].is_string());
    let kured = page["triggeredBy"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["chart"] == "kured")
        .unwrap_or_else(|| panic!("kured triggers rule {rule_id}: {page}"));
    assert_eq!(strings(&kured["versions"]), ["6.10.0", "6.2.0"]);
    assert_eq!(kured["latest"], true);
    let listed = rules
        .iter()
        .find(|r| r["id"].as_u64() == Some(rule_id))
        .unwrap();
    assert!(listed["versions"].as_u64().unwrap() >= 2);

    // Filters.
    let critical = get(&s, "/api/v1/rules?level=critical").expect_ok();
    assert!(critical["total"].as_u64().unwrap() > 0);
    assert!(
        critical["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["riskLevel"] == "Critical")
    );

    // Errors.
    assert!(
        get(&s, "/api/v1/rules/424242")
            .expect_error(404)
            .contains("424242")
    );
    assert!(
        get(&s, "/api/v1/rules/abc")
            .expect_error(400)
            .contains("abc")
    );
    get(&s, "/api/v1/rules?level=extreme").expect_error(400);
    get(&s, "/api/v1/rules?colour=red").expect_error(400);
}

#[test]
fn charts_list_with_filters() {
    let s = start_default();
    let v = get(&s, "/api/v1/charts").expect_ok();
    assert_eq!(v["total"], 3);
    let charts = v["charts"].as_array().unwrap();
    let names: Vec<String> = charts
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["repo"].as_str().unwrap(),
                c["chart"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        ["coredns/coredns", "example/broken", "kubereboot/kured"]
    );
    let kured = &charts[2];
    assert_eq!(kured["versionCount"], 3);
    // Semantic order: 6.10.0 is newer than 6.2.0 although it sorts before it as text.
    assert_eq!(kured["latest"]["version"], "6.10.0");
    assert_eq!(kured["latestAnalyzedVersion"], "6.10.0");
    assert!(kured["latest"]["highest"].is_string());
    assert!(kured["latest"]["levelCounts"].is_array());
    assert!(kured["latest"]["tags"].is_array());
    let broken = &charts[1];
    assert_eq!(broken["latest"]["status"], "failed");
    assert_eq!(broken["latest"]["error"], "download failed: 404");
    assert!(broken["latestAnalyzedVersion"].is_null());

    let one = |q: &str| {
        let v = get(&s, &format!("/api/v1/charts?{q}")).expect_ok();
        v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["chart"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(one("q=KURED"), ["kured"]);
    assert_eq!(one("repo=coredns"), ["coredns"]);
    assert_eq!(one("status=failed"), ["broken"]);
    assert_eq!(one("limit=1&offset=1"), ["broken"]);
    let tag = kured["latest"]["tags"][0].as_str().unwrap();
    assert!(one(&format!("tag={tag}")).contains(&"kured".to_string()));
    let rule = kured["latest"]["rules"][0].as_u64().unwrap();
    assert!(one(&format!("rule={rule}")).contains(&"kured".to_string()));
    let highest = kured["latest"]["highest"].as_str().unwrap();
    assert!(one(&format!("risk={highest}")).contains(&"kured".to_string()));
    assert!(
        !one("risk=low").contains(&"broken".to_string()),
        "no rows, no risk"
    );

    get(&s, "/api/v1/charts?status=great").expect_error(400);
    get(&s, "/api/v1/charts?limit=many").expect_error(400);
    get(&s, "/api/v1/charts?risk=extreme").expect_error(400);
    get(&s, "/api/v1/charts?sort=name").expect_error(400);
}

#[test]
fn chart_and_version_pages() {
    let s = start_default();
    let v = get(&s, "/api/v1/charts/kubereboot/kured").expect_ok();
    assert_eq!(v["repo"], "kubereboot");
    let versions: Vec<&str> = v["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["6.10.0", "6.2.0", "6.1.0"]);

    let page = get(&s, "/api/v1/charts/kubereboot/kured/6.1.0").expect_ok();
    assert_eq!(page["summary"]["version"], "6.1.0");
    assert_eq!(page["summary"]["status"], "ok");
    assert!(page["previousVersion"].is_null());
    let report = &page["report"];
    assert_eq!(report["metadata"]["name"], "kured");
    // The corpus reference: 7 permission rows, one service account, one workload.
    assert_eq!(
        report["serviceAccountPermissions"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(report["serviceAccountData"].as_array().unwrap().len(), 1);
    // Cached: the same bytes again.
    let again = get(&s, "/api/v1/charts/kubereboot/kured/6.1.0");
    assert_eq!(
        again.body,
        get(&s, "/api/v1/charts/kubereboot/kured/6.1.0").body
    );
    let newer = get(&s, "/api/v1/charts/kubereboot/kured/6.10.0").expect_ok();
    assert_eq!(newer["previousVersion"], "6.2.0");

    let failed = get(&s, "/api/v1/charts/example/broken/1.0.0").expect_ok();
    assert_eq!(failed["summary"]["status"], "failed");
    assert!(failed["report"].is_null());

    assert!(
        get(&s, "/api/v1/charts/kubereboot/nope")
            .expect_error(404)
            .contains("nope")
    );
    assert!(
        get(&s, "/api/v1/charts/nobody/kured/6.1.0")
            .expect_error(404)
            .contains("nobody")
    );
    let msg = get(&s, "/api/v1/charts/kubereboot/kured/9.9.9").expect_error(404);
    assert!(msg.contains("9.9.9") && msg.contains("6.10.0"), "{msg}");
}

#[test]
fn version_diffs() {
    let s = start_default();
    let perms = |v: &Value, key: &str| -> Vec<(String, Vec<String>)> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["resource"].as_str().unwrap().to_string(),
                    strings(&p["verbs"]),
                )
            })
            .collect()
    };
    let v = get(
        &s,
        "/api/v1/charts/kubereboot/kured/diff?from=6.1.0&to=6.2.0",
    )
    .expect_ok();
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("6.1.0"), Some("6.2.0"))
    );
    assert_eq!(
        perms(&v, "addedPermissions"),
        [("secrets".to_string(), vec!["get".into(), "list".into()])]
    );
    assert!(perms(&v, "removedPermissions").is_empty());

    // Defaults: to = newest, from = the version before it.
    let d = get(&s, "/api/v1/charts/kubereboot/kured/diff").expect_ok();
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str()),
        (Some("6.2.0"), Some("6.10.0"))
    );
    assert_eq!(
        perms(&d, "addedPermissions"),
        [("pods/exec".to_string(), vec!["create".into()])]
    );
    // Backwards shows it removed.
    let back = get(
        &s,
        "/api/v1/charts/kubereboot/kured/diff?from=6.10.0&to=6.1.0",
    )
    .expect_ok();
    let removed: BTreeSet<String> = perms(&back, "removedPermissions")
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        removed,
        BTreeSet::from(["pods/exec".to_string(), "secrets".to_string()])
    );

    assert!(
        get(&s, "/api/v1/charts/kubereboot/kured/diff?to=6.1.0")
            .expect_error(404)
            .contains("before 6.1.0")
    );
    get(&s, "/api/v1/charts/kubereboot/kured/diff?from=0.0.1").expect_error(404);
    get(&s, "/api/v1/charts/kubereboot/kured/diff?base=6.1.0").expect_error(400);
    get(&s, "/api/v1/charts/example/broken/diff").expect_error(422);
    get(&s, "/api/v1/charts/nobody/nothing/diff").expect_error(404);
}

#[test]
fn search_by_permission_with_wildcards() {
    let s = start_default();
    let v = get(&s, "/api/v1/search?verb=get&resource=secrets").expect_ok();
    assert_eq!(v["query"]["verb"], "get");
    let kured = v["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chart"] == "kured")
        .unwrap_or_else(|| panic!("kured can read secrets: {v}"));
    assert_eq!(strings(&kured["versions"]), ["6.10.0", "6.2.0"]);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(v["total"].as_u64().unwrap() as usize, hits.len());
    assert!(
        hits.iter()
            .any(|h| h["holder"]["kind"] == "ServiceAccount" && h["chart"] == "kured")
    );

    // Core group spelled `core`; the exact subresource; only the latest version.
    let exec = get(
        &s,
        "/api/v1/search?verb=create&resource=pods/exec&group=core&latest=true",
    )
    .expect_ok();
    let versions: Vec<(String, String)> = exec["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["chart"].as_str().unwrap().into(),
                h["version"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        versions.contains(&("kured".into(), "6.10.0".into())),
        "{exec}"
    );
    assert!(versions.iter().all(|(c, v)| c != "kured" || v == "6.10.0"));
    // A near miss: the parent resource is not the subresource.
    let pods = get(&s, "/api/v1/search?verb=create&resource=pods&group=core").expect_ok();
    assert!(
        pods["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["chart"] != "kured"),
        "{pods}"
    );

    let one = get(&s, "/api/v1/search?verb=get&limit=1").expect_ok();
    assert_eq!(one["hits"].as_array().unwrap().len(), 1);
    assert_eq!(one["truncated"], true);

    get(&s, "/api/v1/search").expect_error(400);
    get(&s, "/api/v1/search?verb=&resource=").expect_error(400);
    get(&s, "/api/v1/search?verb=get&limit=0").expect_error(400);
    get(&s, "/api/v1/search?verb=get&limit=x").expect_error(400);
    get(&s, "/api/v1/search?verb=get%20list").expect_error(400);
    get(&s, "/api/v1/search?verbs=get").expect_error(400);
}

const MANIFESTS: &str = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-secrets, namespace: team}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-secrets}
subjects:
- {kind: ServiceAccount, name: reader, namespace: team}
"#;

fn has_secret_read(report: &Value, sa: &str) -> bool {
    report["serviceAccountPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| {
            p["serviceAccountName"] == sa
                && p["resource"] == "secrets"
                && strings(&p["verbs"]).contains(&"get".to_string())
        })
}

#[test]
fn analyze_yaml_json_and_chart() {
    let s = start_default();
    let r = post(
        &s,
        "/api/v1/analyze",
        "application/yaml",
        MANIFESTS.as_bytes(),
    )
    .expect_ok();
    assert!(has_secret_read(&r, "reader"), "{r}");
    assert_eq!(r["metadata"]["source"], "request body (YAML)");
    assert!(
        !r.to_string().contains("rbac-lens-analyze-"),
        "no temporary paths leak"
    );

    // The same objects as a JSON List.
    let docs: Vec<Value> = MANIFESTS
        .split("---")
        .map(|d| serde_saphyr::from_str::<Value>(d).unwrap())
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": docs});
    let r = post(
        &s,
        "/api/v1/analyze",
        "application/json",
        list.to_string().as_bytes(),
    )
    .expect_ok();
    assert!(has_secret_read(&r, "reader"), "{r}");

    // A real corpus chart, packed now; the Content-Type is not trusted, the bytes are.
    let tgz = pack_chart(&kured_dir(), "kured");
    let r = post(
        &s,
        "/api/v1/analyze?namespace=ops&releaseName=reboot",
        "application/octet-stream",
        &tgz,
    )
    .expect_ok();
    assert_eq!(r["metadata"]["name"], "kured");
    assert_eq!(r["metadata"]["version"], "6.1.0");
    let rows = r["serviceAccountPermissions"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert!(
        rows.iter().all(|p| p["namespace"] == "ops"),
        "namespace applied"
    );
    assert!(
        rows.iter()
            .any(|p| p["resource"] == "pods/eviction" && strings(&p["verbs"]) == ["create"])
    );
}

#[test]
fn analyze_rejects_bad_bodies() {
    let s = start(ServeOptions {
        max_body_bytes: 64 * 1024,
        ..ServeOptions::default()
    });
    assert!(
        post(&s, "/api/v1/analyze", "text/plain", b"")
            .expect_error(400)
            .contains("empty")
    );
    post(
        &s,
        "/api/v1/analyze",
        "application/octet-stream",
        &[0xff, 0xfe, 0x00, 0x12],
    )
    .expect_error(400);
    // Gzip magic but not an archive: nothing could be read.
    let e = post(
        &s,
        "/api/v1/analyze",
        "application/gzip",
        &[0x1f, 0x8b, 0x08, 0, 1, 2, 3],
    );
    e.expect_error(422);
    // Malformed YAML and JSON: 422, naming the problem and where.
    let msg = post(
        &s,
        "/api/v1/analyze",
        "application/yaml",
        b"kind: [unclosed\n  - : :",
    )
    .expect_error(422);
    assert!(
        msg.contains("not valid YAML") && msg.contains("manifests.yaml:"),
        "{msg}"
    );
    let e = post(&s, "/api/v1/analyze", "application/json", b"{\"kind\": ");
    assert!(e.expect_error(422).contains("manifests.json:1"));
    assert!(e.json()["details"].is_array());
    // Well-formed, but not Kubernetes objects.
    let msg = post(&s, "/api/v1/analyze", "application/yaml", b"foo: bar\n").expect_error(422);
    assert!(msg.contains("kind"), "{msg}");
    // Query problems.
    post(
        &s,
        "/api/v1/analyze?namespace=Not_A_Label",
        "application/yaml",
        MANIFESTS.as_bytes(),
    )
    .expect_error(400);
    post(
        &s,
        "/api/v1/analyze?set=a.b=1",
        "application/yaml",
        MANIFESTS.as_bytes(),
    )
    .expect_error(400);

    // Over the limit, declared up front: refused before the body is read.
    let big = 1024 * 1024;
    let raw = raw_exchange(
        &s,
        &format!(
            "POST /api/v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\nContent-Length: {big}\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(
        raw.contains("application/json") && raw.contains("\"error\""),
        "{raw}"
    );
    // Over the limit without a declared length (chunked): cut off while reading.
    let chunk = vec![b'#'; 16 * 1024];
    let mut body = Vec::new();
    for _ in 0..6 {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let raw = raw_exchange(
        &s,
        "POST /api/v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        &body,
    );
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("\"error\""), "{raw}");
    // Under the limit still works.
    let r = post(
        &s,
        "/api/v1/analyze",
        "application/yaml",
        MANIFESTS.as_bytes(),
    )
    .expect_ok();
    assert!(has_secret_read(&r, "reader"));
}

#[test]
fn analyze_time_limit_answers_in_time() {
    let s = start(ServeOptions {
        analyze_timeout: std::time::Duration::from_millis(1),
        ..ServeOptions::default()
    });
    let tgz = pack_chart(&kured_dir(), "kured");
    let msg = post(&s, "/api/v1/analyze", "application/gzip", &tgz).expect_error(422);
    assert!(msg.contains("did not finish"), "{msg}");
}

#[test]
fn wrong_methods_and_unknown_paths() {
    let s = start_default();
    let r = delete(&s, "/api/v1/rules");
    r.expect_error(405);
    assert_eq!(r.allow.as_deref(), Some("GET,HEAD"));
    let r = get(&s, "/api/v1/analyze");
    r.expect_error(405);
    assert_eq!(r.allow.as_deref(), Some("POST"));
    post(&s, "/api/v1/charts", "application/json", b"{}").expect_error(405);
    get(&s, "/api/v2/charts").expect_error(404);
    get(&s, "/").expect_error(404);
    get(&s, "/api/v1/charts/a/b/c/d").expect_error(404);
    let raw = raw_exchange(
        &s,
        "BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    );
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
}

#[test]
fn fifty_concurrent_clients() {
    let s = start_default();
    let paths = [
        "/api/v1/charts",
        "/api/v1/charts/kubereboot/kured",
        "/api/v1/charts/kubereboot/kured/6.2.0",
        "/api/v1/charts/coredns/coredns/1.46.2",
        "/api/v1/charts/kubereboot/kured/diff",
        "/api/v1/search?verb=get&resource=secrets",
        "/api/v1/rules",
        "/healthz",
    ];
    let expected: Vec<String> = paths.iter().map(|p| get(&s, p).body).collect();
    let url = s.url();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (url, paths, expected) = (&url, &paths, &expected);
                scope.spawn(move || {
                    let agent = agent();
                    for round in 0..4 {
                        let k = (i + round) % paths.len();
                        let mut r = agent.get(&format!("{url}{}", paths[k])).call().unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                        let body = r
                            .body_mut()
                            .with_config()
                            .limit(1 << 26)
                            .read_to_string()
                            .unwrap();
                        assert_eq!(body, expected[k], "{}", paths[k]);
                    }
                    if i % 10 == 0 {
                        let mut r = agent
                            .post(&format!("{url}/api/v1/analyze"))
                            .send(MANIFESTS.as_bytes())
                            .unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                        let v: Value = r.body_mut().read_json().unwrap();
                        assert!(has_secret_read(&v, "reader"));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}

#[test]
fn serves_a_site_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>atlas</title>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("charts")).unwrap();
    std::fs::write(dir.path().join("charts/index.html"), "<p>charts</p>").unwrap();
    let s = start(ServeOptions {
        site: rbac_lens_serve::Site::Dir(dir.path().to_path_buf()),
        ..ServeOptions::default()
    });
    let r = get(&s, "/");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.body.contains("<title>atlas</title>"));
    assert_eq!(get(&s, "/charts/").body, "<p>charts</p>");
    get(&s, "/missing.html").expect_error(404);
    get(&s, "/../../etc/passwd").expect_error(404);
    // The API still answers beside the site.
    get(&s, "/api/v1/charts").expect_ok();
}

#[test]
fn generates_the_site_when_asked() {
    let s = start(ServeOptions {
        site: rbac_lens_serve::Site::Generate,
        ..ServeOptions::default()
    });
    let r = get(&s, "/");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.body.contains("kured"), "the home page names a chart");
}

/// docs/openapi.yaml documents exactly the routes the router has, each with responses.
#[test]
fn openapi_lists_every_route() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (p, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                assert!(op["responses"].is_object(), "{method} {p} has responses");
                assert!(
                    op["operationId"].is_string(),
                    "{method} {p} has an operationId"
                );
                documented.insert((method.clone(), p.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = rbac_lens_serve::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed);
    // Every $ref resolves.
    let refs: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            l.split_once("$ref: ")
                .map(|(_, r)| r.trim().trim_matches(['"', '\'']))
        })
        .collect();
    assert!(!refs.is_empty());
    for r in refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("local ref: {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
}

/// Copy the test atlas into the store at `url` through the scanner's write API.
fn copy_atlas_into(url: &str) {
    use rbac_lens_atlas::model::ScanKey;
    use rbac_lens_atlas::store::{Claim, ScanRecord, open_store};

    let memory = store();
    let db = open_store(url).unwrap();
    let mut summaries = memory.summaries().unwrap();
    summaries.sort_by_key(|s| s.id);
    for s in summaries {
        let key = ScanKey {
            chart: s.chart.clone(),
            version: s.version.clone(),
            values_digest: String::new(),
            tool_version: s.tool_version.clone(),
            catalog_version: s.catalog_version.clone(),
        };
        let claim = db
            .claim(&key, "test", std::time::Duration::from_secs(60), false)
            .unwrap();
        assert_eq!(claim, Claim::Claimed);
        let record = ScanRecord {
            key,
            report_json: memory.report_json(s.id).unwrap(),
            summary: s,
        };
        assert!(db.finish(&record, "test").unwrap());
    }
}

/// A server over the store at `url` (opened with `open_read`, as `rbac-lens serve` does)
/// answers like the in-memory one, then shuts down cleanly.
fn serves_like_memory(url: &str) {
    let real = rbac_lens_serve::spawn(
        std::sync::Arc::from(rbac_lens_atlas::store::open_read(url).unwrap()),
        ServeOptions {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..ServeOptions::default()
        },
    )
    .unwrap();
    let mem = start_default();
    // Store-assigned ids may differ; everything else must not.
    let strip_ids = |mut v: Value| {
        fn walk(v: &mut Value) {
            match v {
                Value::Object(m) => {
                    m.remove("id");
                    m.remove("scanId");
                    m.values_mut().for_each(walk);
                }
                Value::Array(a) => a.iter_mut().for_each(walk),
                _ => {}
            }
        }
        walk(&mut v);
        v
    };
    for path in [
        "/api/v1/charts",
        "/api/v1/charts/kubereboot/kured",
        "/api/v1/charts/kubereboot/kured/6.2.0",
        "/api/v1/charts/example/broken/1.0.0",
        "/api/v1/charts/kubereboot/kured/diff",
        "/api/v1/search?verb=get&resource=secrets",
    ] {
        assert_eq!(
            strip_ids(get(&real, path).expect_ok()),
            strip_ids(get(&mem, path).expect_ok()),
            "{path}"
        );
    }
    // Stopping drops the store off the async workers (a sync client must not drop there).
    real.shutdown().unwrap();
}

#[test]
fn sqlite_store_serves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("atlas.db").display());
    copy_atlas_into(&url);
    serves_like_memory(&url);
}

/// The same over PostgreSQL (`RBAC_LENS_TEST_POSTGRES`, see scripts/start-postgres.sh).
#[test]
fn postgres_store_serves_the_same() {
    let server = match std::env::var("RBAC_LENS_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert_ne!(
                std::env::var("RBAC_LENS_REQUIRE_ORACLE").as_deref(),
                Ok("1"),
                "RBAC_LENS_TEST_POSTGRES is not set (run eval \"$(scripts/start-postgres.sh)\")"
            );
            eprintln!(
                "SKIPPED: postgres_store_serves_the_same: RBAC_LENS_TEST_POSTGRES is not set (start a server with scripts/start-postgres.sh)"
            );
            return;
        }
    };
    let name = format!(
        "t_serve_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let url = rbac_lens_atlas::store::postgres::create_database(&server, &name).unwrap();
    copy_atlas_into(&url);
    serves_like_memory(&url);
}
