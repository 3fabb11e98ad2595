//! The shared RBAC conformance suites (`../shared/conformance/`), run through every path.
//!
//! - `authorizer-cases.json`: each case's rules against its request with `rule_allows`, and
//!   then "one case, every path": the same rules in a Role bound by a RoleBinding, in a
//!   ClusterRole bound by a RoleBinding and by a ClusterRoleBinding, and spread over labelled
//!   ClusterRoles aggregated (two levels deep) into the bound one. Each path asks
//!   `authorize` and `who_can`, with the answer RBAC's scoping implies (a RoleBinding never
//!   allows a cluster-scoped or non-resource request).
//! - `binding-cases.json`: the objects go through the inventory extraction (ServiceAccount
//!   objects are ignored), then `Authorizer::authorize` answers the question.
//!
//! Every failing case is reported by name. When `../shared` is absent (a clone without the
//! shared folder), the suite says so loudly and is skipped; `RBAC_LENS_REQUIRE_SHARED=1`
//! turns that into a failure.

use std::path::PathBuf;

use rbac_lens_core::inventory::rbac::{extract_binding, extract_role};
use rbac_lens_core::inventory::{Inventory, Origin, PolicyRule};
use rbac_lens_core::rbac::{Authorizer, AuthorizerOptions, Request, UserInfo, rule_allows};
use serde_json::{Value, json};

fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("RBAC_LENS_SHARED") {
        Some(d) => PathBuf::from(d).join("conformance"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    if dir.join("authorizer-cases.json").is_file() {
        return Some(dir);
    }
    let msg = format!(
        "\n!!! SKIPPED: RBAC conformance suite not found at {} !!!\n\
         !!! set RBAC_LENS_SHARED=<path to shared> to run it; the authorizer is NOT verified !!!\n",
        dir.display()
    );
    if std::env::var_os("RBAC_LENS_REQUIRE_SHARED").is_some() {
        panic!("{msg}");
    }
    // Written straight to stderr, past the test harness's output capture, so a skipped
    // suite is visible even when every test "passes".
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

fn load(dir: &std::path::Path, file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn request(q: &Value) -> Request {
    Request {
        verb: s(q, "verb"),
        api_group: s(q, "apiGroup"),
        resource: s(q, "resource"),
        subresource: s(q, "subresource"),
        name: s(q, "name"),
        namespace: s(q, "namespace"),
        path: s(q, "path"),
        is_resource_request: q["isResourceRequest"].as_bool().expect("isResourceRequest"),
    }
}

fn origin(i: usize) -> Origin {
    Origin {
        file: "conformance".into(),
        document: i,
        ..Default::default()
    }
}

fn inventory(objects: &[Value]) -> Inventory {
    let mut inv = Inventory::default();
    for (i, obj) in objects.iter().enumerate() {
        match obj["kind"].as_str().unwrap_or_default() {
            "Role" | "ClusterRole" => inv
                .roles
                .push(extract_role(obj, origin(i), "default").expect("role")),
            "RoleBinding" | "ClusterRoleBinding" => inv
                .bindings
                .push(extract_binding(obj, origin(i), "default").expect("binding")),
            "ServiceAccount" => {}
            other => panic!("unexpected kind {other}"),
        }
    }
    inv
}

/// Reads the case's rules through the extraction code, as a ClusterRole would be read.
fn rules_of(case: &Value) -> Vec<PolicyRule> {
    let doc = json!({"kind": "ClusterRole", "metadata": {"name": "case"}, "rules": case["rules"]});
    extract_role(&doc, origin(0), "default")
        .expect("rules")
        .rules
}

const NS: &str = "conformance-ns";
const USER: &str = "conformance-user";

fn bound(role_kind: &str, role_ns: Option<&str>, binding_kind: &str, rules: &Value) -> Vec<Value> {
    let mut role_meta = json!({"name": "case-role"});
    if let Some(ns) = role_ns {
        role_meta["namespace"] = json!(ns);
    }
    let mut binding_meta = json!({"name": "case-binding"});
    if binding_kind == "RoleBinding" {
        binding_meta["namespace"] = json!(NS);
    }
    vec![
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": role_kind, "metadata": role_meta, "rules": rules}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": binding_kind, "metadata": binding_meta,
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": "case-role"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}]}),
    ]
}

/// `top` aggregates `middle`, which aggregates one labelled ClusterRole per rule; the
/// aggregating roles carry a decoy rule that the controller would discard.
fn aggregated(rules: &Value) -> Vec<Value> {
    let decoy =
        json!([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"], "nonResourceURLs": ["*"]}]);
    let mut objects = vec![
        json!({"kind": "ClusterRole", "metadata": {"name": "case-role"}, "rules": decoy,
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"conformance/to-top": "true"}}]}}),
        json!({"kind": "ClusterRole", "metadata": {"name": "case-middle", "labels": {"conformance/to-top": "true"}},
               "rules": decoy,
               "aggregationRule": {"clusterRoleSelectors": [
                   {"matchExpressions": [{"key": "conformance/part", "operator": "Exists"}]}]}}),
        json!({"kind": "ClusterRoleBinding", "metadata": {"name": "case-binding"},
               "roleRef": {"kind": "ClusterRole", "name": "case-role"},
               "subjects": [{"kind": "User", "name": USER}]}),
    ];
    for (i, rule) in rules.as_array().unwrap().iter().enumerate() {
        objects.push(json!({"kind": "ClusterRole",
            "metadata": {"name": format!("case-part-{i:03}"), "labels": {"conformance/part": "x"}},
            "rules": [rule]}));
    }
    objects
}

fn ask(objects: &[Value], req: &Request) -> (bool, bool) {
    let az = Authorizer::new(&inventory(objects), &AuthorizerOptions::default());
    assert!(az.unresolved().is_empty(), "{:?}", az.unresolved());
    let user = UserInfo::authenticated(USER, Vec::<String>::new());
    (
        az.authorize(&user, req).allowed,
        !az.who_can(req).is_empty(),
    )
}

#[test]
fn authorizer_cases_every_path() {
    let Some(dir) = conformance_dir() else { return };
    let cases = load(&dir, "authorizer-cases.json");
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in &cases {
        let name = s(case, "name");
        let expected = case["allowed"].as_bool().expect("allowed");
        let req = request(&case["request"]);
        let rules = rules_of(case);
        let mut case_failures: Vec<String> = Vec::new();
        let mut fail = |path: &str, got: bool, want: bool| {
            case_failures.push(format!("{name} [{path}]: got {got}, expected {want}"));
        };

        let direct = rules.iter().any(|r| rule_allows(r, &req));
        if direct != expected {
            fail("rule_allows", direct, expected);
        }

        // Through a ClusterRoleBinding, scope never gets in the way: the rules decide.
        for (path, objects) in [
            (
                "ClusterRole+ClusterRoleBinding",
                bound("ClusterRole", None, "ClusterRoleBinding", &case["rules"]),
            ),
            (
                "aggregated ClusterRole+ClusterRoleBinding",
                aggregated(&case["rules"]),
            ),
        ] {
            let (a, w) = ask(&objects, &req);
            if a != expected {
                fail(&format!("{path} authorize"), a, expected);
            }
            if w != expected {
                fail(&format!("{path} who_can"), w, expected);
            }
        }

        // Through a RoleBinding: the request in the binding's namespace is allowed iff the
        // rules allow it and it is a resource request; any other namespace never.
        let mut in_ns = req.clone();
        if req.is_resource_request {
            in_ns.namespace = NS.to_string();
        }
        let mut elsewhere = req.clone();
        elsewhere.namespace = if req.is_resource_request {
            "elsewhere".into()
        } else {
            String::new()
        };
        let want_ns = expected && req.is_resource_request;
        for (path, objects) in [
            (
                "Role+RoleBinding",
                bound("Role", Some(NS), "RoleBinding", &case["rules"]),
            ),
            (
                "ClusterRole+RoleBinding",
                bound("ClusterRole", None, "RoleBinding", &case["rules"]),
            ),
        ] {
            let (a, w) = ask(&objects, &in_ns);
            if a != want_ns || w != want_ns {
                fail(&format!("{path} in its namespace"), a && w, want_ns);
            }
            let (a, w) = ask(&objects, &elsewhere);
            if a || w {
                fail(&format!("{path} elsewhere"), true, false);
            }
            let mut cluster = req.clone();
            cluster.namespace.clear();
            let (a, w) = ask(&objects, &cluster);
            if a || w {
                fail(&format!("{path} cluster-scoped"), true, false);
            }
        }
        if case_failures.is_empty() {
            passed += 1;
        }
        failures.extend(case_failures);
    }
    println!(
        "authorizer conformance: {passed}/{} cases pass on every path",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn run_binding_cases(opts: &AuthorizerOptions) -> (usize, usize, Vec<String>) {
    let Some(dir) = conformance_dir() else {
        return (0, 0, Vec::new());
    };
    let cases = load(&dir, "binding-cases.json");
    let mut failures = Vec::new();
    for case in &cases {
        let name = s(case, "name");
        let expected = case["allowed"].as_bool().expect("allowed");
        let objects = case["objects"].as_array().expect("objects");
        let q = &case["question"];
        let subject = &q["subject"];
        let user = UserInfo {
            name: s(subject, "username"),
            groups: subject["groups"]
                .as_array()
                .map(|g| {
                    g.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let req = request(q);
        let az = Authorizer::new(&inventory(objects), opts);
        let decision = az.authorize(&user, &req);
        if decision.allowed != expected {
            failures.push(format!(
                "{name}: got {}, expected {expected}",
                decision.allowed
            ));
            continue;
        }
        // who_can agrees: some allowing grant applies to this user iff allowed.
        let who = az
            .who_can(&req)
            .into_iter()
            .filter(|&i| az.grants()[i].applies_to(&user))
            .collect::<Vec<_>>();
        if who != decision.because {
            failures.push(format!(
                "{name}: who_can {who:?} disagrees with authorize {:?}",
                decision.because
            ));
        }
    }
    let passed = cases.len() - failures.len();
    (passed, cases.len(), failures)
}

#[test]
fn binding_cases() {
    // The cases describe a cluster that holds exactly the given objects.
    let (passed, total, failures) = run_binding_cases(&AuthorizerOptions {
        builtin_roles: false,
        builtin_bindings: false,
    });
    if total == 0 {
        return;
    }
    println!("binding conformance: {passed}/{total} cases pass");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn binding_cases_with_builtin_roles() {
    // With the default options (built-in roles on) every answer stays the same: the cases'
    // objects shadow or do not touch the built-in policy.
    let (passed, total, failures) = run_binding_cases(&AuthorizerOptions::default());
    if total == 0 {
        return;
    }
    println!("binding conformance (built-in roles on): {passed}/{total} cases pass");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn embedded_bootstrap_matches_shared_copy() {
    let Some(dir) = conformance_dir() else { return };
    for (file, embedded) in rbac_lens_core::rbac::bootstrap::FILES {
        let shared = std::fs::read_to_string(dir.join("bootstrap").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            shared == embedded,
            "data/bootstrap/{file} differs from ../shared/conformance/bootstrap/{file}"
        );
    }
}
