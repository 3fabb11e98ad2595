//! Matching one [`PolicyRule`] against one [`Request`], exactly as the Kubernetes RBAC
//! authorizer does (`RuleAllows` and the helpers of `evaluation_helpers.go`).
//!
//! Every comparison is an exact, case-sensitive byte comparison: nothing is lower-cased,
//! trimmed or mapped between singular and plural. The only wildcards are `*` (verbs,
//! groups, resources, URLs), `*/<subresource>` (resources) and a trailing `*` on a
//! non-resource URL (a raw character prefix). This module never decides scope: which rules
//! apply to a request is the job of the bindings (see [`super::authorizer`]).

use crate::inventory::PolicyRule;

use super::Request;

/// True iff `rule` allows `req` on every dimension at once.
///
/// Resource requests compare verb, API group, resource (with subresource) and name;
/// non-resource requests compare verb and path. A rule never mixes the two kinds: a rule
/// with only `nonResourceURLs` never matches a resource request, and the other way round.
pub fn rule_allows(rule: &PolicyRule, req: &Request) -> bool {
    if req.is_resource_request {
        verb_matches(rule, &req.verb)
            && api_group_matches(rule, &req.api_group)
            && resource_matches(rule, &req.resource, &req.subresource)
            && resource_name_matches(rule, &req.name)
    } else {
        verb_matches(rule, &req.verb) && non_resource_url_matches(rule, &req.path)
    }
}

/// Some verb of the rule is `*` or equals `verb`. An empty list matches nothing.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// Some group of the rule is `*` or equals `group` (`""` is the core group only).
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `resource` with `subresource` (empty for the resource itself) is covered by an entry of
/// the rule: `*`, the exact `resource/subresource`, or `*/subresource`.
///
/// `pods` does not cover `pods/status`, and `pods/*` or `*/*` are literals that match no
/// real request.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        if subresource.is_empty() {
            return r == resource;
        }
        is_joined(r, resource, subresource) || is_joined(r, "*", subresource)
    })
}

/// `s == a + "/" + b`, without allocating.
fn is_joined(s: &str, a: &str, b: &str) -> bool {
    s.len() == a.len() + 1 + b.len()
        && s.starts_with(a)
        && s.as_bytes()[a.len()] == b'/'
        && s.ends_with(b)
}

/// An empty `resourceNames` means any name (the empty one included); otherwise the name
/// must be listed exactly. So a rule with names never allows a nameless request (create on
/// a collection, deletecollection, list or watch without a `metadata.name` selector),
/// except through the quirk `resourceNames: [""]`.
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// Some URL of the rule is `*`, equals `path`, or ends with `*` and (with every trailing
/// `*` removed) is a raw prefix of `path`.
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| url_matches(u, path))
}

fn url_matches(pattern: &str, path: &str) -> bool {
    if pattern == "*" || pattern == path {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(_) => path.starts_with(pattern.trim_end_matches('*')),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> PolicyRule {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        PolicyRule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            resource_names: v(names),
            non_resource_urls: vec![],
        }
    }

    fn url_rule(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: verbs.iter().map(|x| x.to_string()).collect(),
            non_resource_urls: urls.iter().map(|x| x.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn exact_and_wildcard_verbs() {
        let r = rule(&["get"], &[""], &["pods"], &[]);
        assert!(rule_allows(&r, &Request::resource("get", "", "pods")));
        assert!(!rule_allows(&r, &Request::resource("list", "", "pods")));
        assert!(!rule_allows(&r, &Request::resource("GET", "", "pods")));
        let star = rule(&["*"], &[""], &["pods"], &[]);
        assert!(rule_allows(
            &star,
            &Request::resource("escalate", "", "pods")
        ));
        let empty = rule(&[], &[""], &["pods"], &[]);
        assert!(!rule_allows(&empty, &Request::resource("get", "", "pods")));
    }

    #[test]
    fn groups_are_exact() {
        let core = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!rule_allows(
            &core,
            &Request::resource("get", "apps", "pods")
        ));
        let star = rule(&["get"], &["*"], &["pods"], &[]);
        assert!(rule_allows(&star, &Request::resource("get", "", "pods")));
        assert!(rule_allows(
            &star,
            &Request::resource("get", "x.io", "pods")
        ));
        let apps = rule(&["get"], &["apps"], &["deployments"], &[]);
        assert!(!rule_allows(
            &apps,
            &Request::resource("get", "Apps", "deployments")
        ));
        assert!(!rule_allows(
            &apps,
            &Request::resource("get", "apps.x", "deployments")
        ));
    }

    #[test]
    fn subresources() {
        let pods = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!rule_allows(
            &pods,
            &Request::resource("get", "", "pods").subresource("log")
        ));
        let log = rule(&["get"], &[""], &["pods/log"], &[]);
        assert!(rule_allows(
            &log,
            &Request::resource("get", "", "pods").subresource("log")
        ));
        assert!(!rule_allows(&log, &Request::resource("get", "", "pods")));
        let any_scale = rule(&["get"], &["*"], &["*/scale"], &[]);
        assert!(rule_allows(
            &any_scale,
            &Request::resource("get", "apps", "deployments").subresource("scale")
        ));
        assert!(!rule_allows(
            &any_scale,
            &Request::resource("get", "apps", "deployments")
        ));
        assert!(!rule_allows(
            &any_scale,
            &Request::resource("get", "apps", "deployments").subresource("status")
        ));
        let literal = rule(&["get"], &[""], &["pods/*", "*/*"], &[]);
        assert!(!rule_allows(
            &literal,
            &Request::resource("get", "", "pods").subresource("exec")
        ));
        let star = rule(&["get"], &[""], &["*"], &[]);
        assert!(rule_allows(
            &star,
            &Request::resource("get", "", "pods").subresource("exec")
        ));
        // `*/log` on a resource named `*`? Only a real `*/` prefix counts.
        let near = rule(&["get"], &[""], &["x/log"], &[]);
        assert!(!rule_allows(
            &near,
            &Request::resource("get", "", "pods").subresource("log")
        ));
    }

    #[test]
    fn resource_names() {
        let named = rule(&["get", "create", "list"], &[""], &["secrets"], &["a"]);
        assert!(rule_allows(
            &named,
            &Request::resource("get", "", "secrets").name("a")
        ));
        assert!(!rule_allows(
            &named,
            &Request::resource("get", "", "secrets").name("A")
        ));
        assert!(!rule_allows(
            &named,
            &Request::resource("create", "", "secrets")
        ));
        assert!(!rule_allows(
            &named,
            &Request::resource("list", "", "secrets")
        ));
        let quirk = rule(&["create"], &[""], &["secrets"], &[""]);
        assert!(rule_allows(
            &quirk,
            &Request::resource("create", "", "secrets")
        ));
        let any = rule(&["get"], &[""], &["secrets"], &[]);
        assert!(rule_allows(
            &any,
            &Request::resource("get", "", "secrets").name("zzz")
        ));
    }

    #[test]
    fn non_resource_urls() {
        let r = url_rule(&["get"], &["/healthz", "/apis*", "/logs/*"]);
        assert!(rule_allows(&r, &Request::non_resource("get", "/healthz")));
        assert!(!rule_allows(&r, &Request::non_resource("get", "/healthz/")));
        assert!(rule_allows(&r, &Request::non_resource("get", "/apisx")));
        assert!(rule_allows(&r, &Request::non_resource("get", "/logs/")));
        assert!(!rule_allows(&r, &Request::non_resource("get", "/logs")));
        assert!(!rule_allows(&r, &Request::non_resource("post", "/healthz")));
        let mid = url_rule(&["get"], &["/a*/b"]);
        assert!(!rule_allows(&mid, &Request::non_resource("get", "/ax/b")));
        assert!(rule_allows(&mid, &Request::non_resource("get", "/a*/b")));
        let stars = url_rule(&["get"], &["/x**"]);
        assert!(rule_allows(&stars, &Request::non_resource("get", "/x")));
        let all = url_rule(&["*"], &["*"]);
        assert!(rule_allows(
            &all,
            &Request::non_resource("delete", "/anything")
        ));
    }

    #[test]
    fn kinds_never_mix() {
        let url = url_rule(&["*"], &["*"]);
        assert!(!rule_allows(&url, &Request::resource("get", "", "pods")));
        let res = rule(&["*"], &["*"], &["*"], &[]);
        assert!(!rule_allows(
            &res,
            &Request::non_resource("get", "/healthz")
        ));
    }
}
