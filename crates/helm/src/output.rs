//! From rendered template text to manifests, and back to `helm template`'s output.
//!
//! Splitting follows helm (`---` at the start of a line ends a document, whatever follows it
//! on the line starts the next), empty documents are dropped, hooks are recognised by their
//! `helm.sh/hook` annotation (unknown hook events are dropped, as helm does), and manifests
//! are sorted by file path, then stably by helm's install order of kinds.

use gotmpl::Value;

use crate::{Manifest, Rendered};

/// Helm's install order of kinds; unknown kinds go last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Go's `\s` (ASCII whitespace without `\v`).
fn is_go_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The next match of helm's separator regex `(?:^|\s*\n)---\s*` at or after `from`,
/// as (start, end) byte offsets.
fn next_separator(body: &[u8], from: usize) -> Option<(usize, usize)> {
    let skip_ws = |mut i: usize| {
        while i < body.len() && is_go_space(body[i]) {
            i += 1;
        }
        i
    };
    if from == 0 && body.starts_with(b"---") {
        return Some((0, skip_ws(3)));
    }
    // `---` must follow a newline directly, so the leftmost match belongs to the first
    // "\n---" (found with memchr's searcher, not byte by byte): it starts where the
    // whitespace run before that newline starts (but not before `from`).
    let nl = from + memchr::memmem::find(body.get(from..)?, b"\n---")?;
    let mut s = nl;
    while s > from && is_go_space(body[s - 1]) {
        s -= 1;
    }
    Some((s, skip_ws(nl + 4)))
}

/// Split rendered template text into YAML documents exactly as helm's `SplitManifests`
/// does (trimmed, empty ones dropped), each with the 1-based line in `text` where its
/// content starts.
pub fn split_documents(text: &str) -> Vec<(String, usize)> {
    let lead = text.len()
        - text
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let body = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let base_line = text[..lead].matches('\n').count() + 1;
    let bytes = body.as_bytes();
    let mut docs = Vec::new();
    // Newlines counted so far (up to `counted.0`): documents come in order, so each byte is
    // counted once.
    let mut counted = (0usize, 0usize);
    let mut push = |from: usize, to: usize, docs: &mut Vec<(String, usize)>| {
        let raw = &body[from..to];
        if raw.is_empty() {
            return;
        }
        let d = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        if d.is_empty() {
            return;
        }
        let start = from
            + (raw.len()
                - raw
                    .trim_start_matches(|c: char| c.is_ascii_whitespace())
                    .len());
        counted.1 += bytecount_newlines(&bytes[counted.0..start]);
        counted.0 = start;
        docs.push((d.to_string(), base_line + counted.1));
    };
    let mut cur = 0;
    let mut search = 0;
    while let Some((s, e)) = next_separator(bytes, search) {
        push(cur, s, &mut docs);
        cur = e;
        search = e.max(s + 1);
    }
    push(cur, body.len(), &mut docs);
    docs
}

fn bytecount_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// What helm reads from a document's head.
#[derive(Debug, Default)]
pub struct Head {
    pub kind: String,
    pub hook: Option<String>,
    pub parse_error: Option<String>,
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    let only_comment = |rest: &str| {
        let r = rest.trim();
        r.is_empty() || r.starts_with('#')
    };
    for q in ['"', '\''] {
        if let Some(body) = v.strip_prefix(q) {
            let end = body.find(q)?;
            let (inner, rest) = (&body[..end], &body[end + 1..]);
            if inner.contains('\\') || rest.starts_with(q) || !only_comment(rest) {
                return None;
            }
            return Some(inner.to_string());
        }
    }
    let v = match v.find(" #") {
        Some(p) => v[..p].trim_end(),
        None => v,
    };
    if v.is_empty() || v.starts_with(['&', '*', '!', '{', '[', '|', '>', '@', '`']) {
        return None;
    }
    Some(v.to_string())
}

/// Read `kind` and `helm.sh/hook` from block-style YAML by lines; `None` when the layout is
/// anything but plain (flow style, anchors, tags, odd indentation), so the caller parses.
pub fn quick_head(doc: &str) -> Option<Head> {
    let mut kind = None;
    let mut hook = None;
    let mut section = "";
    let mut meta_indent = None;
    let mut ann_indent = None;
    // Set after a top-level `kind:`: an indented line next would continue its value.
    let mut after_kind = false;
    // A tab after a colon anywhere: leave such documents to the parser (checked once here,
    // not per line; a comment holding it only costs a parse).
    if doc.contains(": \t") {
        return None;
    }
    for line in crate::text::lines(doc) {
        // Indented lines outside `metadata` are skipped without looking further: they are
        // nearly all of a big document (a CRD's schema).
        if line.starts_with(' ') && section != "metadata" && !after_kind {
            continue;
        }
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = line.len() - t.len();
        if indent > 0 && after_kind {
            return None;
        }
        after_kind = false;
        if line.starts_with('\t') {
            return None;
        }
        if indent == 0 {
            if t.starts_with([
                '{', '[', '&', '*', '!', '?', '-', '%', '"', '\'', '@', '`', '|', '>',
            ]) || t.starts_with("<<")
            {
                return None;
            }
            let (k, v) = t.split_once(':')?;
            if k.ends_with([' ', '\t']) || !(v.is_empty() || v.starts_with([' ', '\t'])) {
                return None;
            }
            // A top-level value that may span lines (flow collection, block scalar,
            // quoted string left open) or carries YAML node properties: parse instead.
            let value = v.trim();
            let empty_flow = matches!(value, "{}" | "[]");
            if (value.starts_with(['[', '{', '|', '>', '&', '*', '!']) && !empty_flow)
                || (value.starts_with(['"', '\'']) && unquote(v).is_none())
            {
                return None;
            }
            section = "";
            match k {
                "kind" => {
                    kind = Some(unquote(v)?);
                    after_kind = true;
                }
                "metadata" => {
                    if !v.trim().is_empty() && !v.trim().starts_with('#') {
                        return None;
                    }
                    section = "metadata";
                    meta_indent = None;
                    ann_indent = None;
                }
                _ => {}
            }
            continue;
        }
        if section != "metadata" {
            continue;
        }
        let mi = *meta_indent.get_or_insert(indent);
        if indent < mi {
            return None;
        }
        if indent == mi {
            ann_indent = None;
            if let Some(v) = t.strip_prefix("annotations:") {
                if !v.trim().is_empty() && !v.trim().starts_with('#') {
                    return None;
                }
                ann_indent = Some(0);
            } else if t.starts_with(['&', '*', '!', '<']) {
                return None;
            }
            continue;
        }
        if let Some(ai) = ann_indent.as_mut() {
            if *ai == 0 {
                *ai = indent;
            }
            if indent == *ai {
                let key_rest = t
                    .strip_prefix("helm.sh/hook:")
                    .or_else(|| t.strip_prefix("\"helm.sh/hook\":"))
                    .or_else(|| t.strip_prefix("'helm.sh/hook':"));
                if let Some(v) = key_rest {
                    hook = Some(unquote(v)?);
                }
            }
        }
    }
    Some(Head {
        kind: kind.unwrap_or_default(),
        hook,
        parse_error: None,
    })
}

/// Read `kind` and the `helm.sh/hook` annotation of a document: by the line scan when the
/// layout is plain (nearly always), else by parsing it. A syntax error is only seen (as
/// [`Head::parse_error`]) on the parsing path.
pub fn head(doc: &str) -> Head {
    if let Some(h) = quick_head(doc) {
        return h;
    }
    full_head(doc)
}

fn full_head(doc: &str) -> Head {
    match crate::values::yaml::parse(doc) {
        Ok(Value::Map(m)) => {
            let m = m.borrow();
            let kind = match m.get("kind") {
                Some(Value::String(s)) => s.to_string(),
                _ => String::new(),
            };
            let hook = match m.get("metadata") {
                Some(Value::Map(md)) => match md.borrow().get("annotations") {
                    Some(Value::Map(a)) => match a.borrow().get("helm.sh/hook") {
                        Some(Value::String(s)) => Some(s.to_string()),
                        Some(Value::Nil) | None => None,
                        Some(other) => Some(gotmpl::fmt::format_value(other)),
                    },
                    _ => None,
                },
                _ => None,
            };
            Head {
                kind,
                hook,
                parse_error: None,
            }
        }
        Ok(_) => Head::default(),
        Err(e) => Head {
            parse_error: Some(e),
            ..Head::default()
        },
    }
}

/// The check `helm template` makes on every rendered document (`releaseutil.SortManifests`
/// reads its `util.SimpleHead`): the document must be YAML, a mapping (or empty), with string
/// `apiVersion`, `kind` and `metadata.name`, and string `metadata.annotations`. Scalars of other
/// types pass (helm converts them to strings). The error is helm's text after
/// "YAML parse error on TEMPLATE: ".
pub fn check_document(doc: &str) -> Result<(), String> {
    let v =
        crate::values::yaml::parse(doc).map_err(|e| crate::funcs::yaml_syntax_error(doc, &e))?;
    let unmarshal = |v: &Value, into: &str| {
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go {into}",
            crate::funcs::json_kind(v)
        )
    };
    let top = match &v {
        Value::Nil => return Ok(()),
        Value::Map(m) => m.borrow(),
        other => return Err(unmarshal(other, "value of type util.SimpleHead")),
    };
    let not_string = |v: &Value| matches!(v, Value::List(_) | Value::Map(_));
    for key in ["apiVersion", "kind"] {
        if let Some(x) = top.get(key).filter(|x| not_string(x)) {
            return Err(unmarshal(
                x,
                &format!("struct field SimpleHead.{key} of type string"),
            ));
        }
    }
    let meta = match top.get("metadata") {
        None | Some(Value::Nil) => return Ok(()),
        Some(Value::Map(m)) => m.borrow(),
        Some(other) => {
            return Err(unmarshal(
                other,
                "struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
            ));
        }
    };
    if let Some(x) = meta.get("name").filter(|x| not_string(x)) {
        return Err(unmarshal(x, "struct field .metadata.name of type string"));
    }
    match meta.get("annotations") {
        None | Some(Value::Nil) => Ok(()),
        Some(Value::Map(a)) => match a.borrow().values().find(|x| not_string(x)) {
            Some(x) => Err(unmarshal(
                x,
                "struct field .metadata.annotations of type string",
            )),
            None => Ok(()),
        },
        Some(other) => Err(unmarshal(
            other,
            "struct field .metadata.annotations of type map[string]string",
        )),
    }
}

/// [`check_document`] on every rendered manifest (not `crds/` files, which helm does not
/// read), as template errors: what `helm template` refuses with "YAML parse error on ...".
pub fn yaml_errors(r: &Rendered) -> Vec<crate::RenderError> {
    r.manifests
        .iter()
        .filter_map(|m| {
            let e = check_document(&m.content).err()?;
            Some(crate::RenderError {
                chart: m.source.split('/').next().unwrap_or_default().to_string(),
                template: m.source.clone(),
                line: None,
                column: None,
                expression: None,
                message: format!("YAML parse error: {e}"),
            })
        })
        .collect()
}

/// Whether every event of a `helm.sh/hook` value is one helm knows.
pub fn known_hook(value: &str) -> bool {
    value
        .split(',')
        .all(|e| HOOK_EVENTS.contains(&e.trim().to_ascii_lowercase().as_str()))
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind`.
fn less_by_kind(a: &str, b: &str) -> bool {
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a < b,
        (None, Some(_)) => false,
        (Some(_), None) => true,
        (Some(x), Some(y)) => x < y,
    }
}

/// Sort manifests stably by kind, as helm's install order.
pub fn sort_by_kind(list: &mut [Manifest]) {
    // A stable insertion-merge via sort_by with an ordering derived from less_by_kind.
    list.sort_by(|a, b| {
        if less_by_kind(&a.kind, &b.kind) {
            std::cmp::Ordering::Less
        } else if less_by_kind(&b.kind, &a.kind) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
}

/// Best-effort line of the template where a rendered document starts: the `n`-th line of
/// the template declaring the same `kind:`, walked back to its `---` separator.
pub fn template_line(template: &str, kind: &str, nth_of_kind: usize, fallback: usize) -> usize {
    TemplateLines::new(template).line(kind, nth_of_kind, fallback)
}

/// A template's lines and its `kind:` lines, read once for all the documents it renders.
pub struct TemplateLines<'a> {
    lines: Vec<&'a str>,
    /// (line index, declared kind) of every `kind:` line.
    kinds: Vec<(usize, &'a str)>,
}

impl<'a> TemplateLines<'a> {
    pub fn new(template: &'a str) -> Self {
        let lines: Vec<&str> = crate::text::lines(template).collect();
        let kinds = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let rest = l.trim_start().strip_prefix("kind:")?;
                Some((i, rest.trim().trim_matches(['"', '\''])))
            })
            .collect();
        TemplateLines { lines, kinds }
    }

    /// See [`template_line`].
    pub fn line(&self, kind: &str, nth_of_kind: usize, fallback: usize) -> usize {
        if kind.is_empty() {
            return fallback;
        }
        let Some(&(i, _)) = self
            .kinds
            .iter()
            .filter(|(_, k)| *k == kind)
            .nth(nth_of_kind)
        else {
            return fallback;
        };
        let mut j = i;
        while j > 0 && !self.lines[j - 1].starts_with("---") && !self.lines[j - 1].trim().is_empty()
        {
            j -= 1;
        }
        j + 1
    }
}

/// Print a render result exactly as `helm template` does.
pub fn format_like_helm_template(r: &Rendered) -> String {
    let mut body = String::new();
    if r.include_crds {
        for c in &r.crds {
            body.push_str(&format!("---\n# Source: {}\n{}\n", c.source, c.content));
        }
    }
    for m in r.manifests.iter().filter(|m| m.hook.is_none()) {
        body.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
    }
    let mut out = body.trim().to_string();
    out.push('\n');
    for m in r.manifests.iter().filter(|m| m.hook.is_some()) {
        out.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
    }
    out
}

#[cfg(test)]
mod tests {
    /// The memchr-based separator search finds exactly what helm's regex finds
    /// (`(?:^|\s*\n)---\s*`, leftmost-first, Go's ASCII `\s`), on generated texts.
    #[test]
    fn separators_match_helms_regex() {
        let re = regex::Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").unwrap();
        let pieces = ["---", "\n", " ", "a", "\t", "\r\n", "-", "\n---", "b: 1"];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let want: Vec<(usize, usize)> =
                re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            let mut got = Vec::new();
            let mut search = 0;
            while let Some((s, e)) = next_separator(text.as_bytes(), search) {
                got.push((s, e));
                search = e.max(s + 1);
            }
            assert_eq!(got, want, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn splits_like_helm() {
        let docs = split_documents("\n\n---\na: 1\n---\n# c\nb: 2\n---foo: 3\nx: --- y\n---\n");
        let texts: Vec<&str> = docs.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(texts, vec!["a: 1", "# c\nb: 2", "foo: 3\nx: --- y"]);
        assert_eq!(docs[0].1, 4);
        assert_eq!(docs[1].1, 6);
        // Back-to-back separators: the regex eats the newline, so the second `---` stays
        // in the next document (helm prints it).
        let docs = split_documents("a: 1\n---\n---\nb: 2\n---\n\n---\n");
        let texts: Vec<&str> = docs.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(texts, vec!["a: 1", "---\nb: 2", "---"]);
    }

    #[test]
    fn heads_and_hooks() {
        let h = head(
            "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install,post-upgrade\n",
        );
        assert_eq!(h.kind, "Job");
        assert_eq!(h.hook.as_deref(), Some("pre-install,post-upgrade"));
        assert!(known_hook("pre-install, Post-Upgrade"));
        assert!(!known_hook("bogus"));
        assert!(head("a: [").parse_error.is_some());
    }

    /// Expected texts from helm v4.1.4 ("YAML parse error on c/templates/t.yaml: ...").
    #[test]
    fn documents_checked_like_helm() {
        let ok = [
            "a: 1",
            "# only a comment",
            "apiVersion: 2\nkind: true\nmetadata:\n  name: 3\n  labels: 3\n  annotations:\n    a: 1\n    b: null\n",
            "a: 1\na: 2",
            "metadata:\n",
        ];
        for d in ok {
            assert_eq!(check_document(d), Ok(()), "{d:?}");
        }
        let pre = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
        let bad = [
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [unclosed",
                "error converting YAML to JSON: yaml: line 6: did not find expected ',' or ']'"
                    .to_string(),
            ),
            (
                "a: *x",
                "error converting YAML to JSON: yaml: unknown anchor 'x' referenced".to_string(),
            ),
            (
                "just a string",
                format!("{pre} string into Go value of type util.SimpleHead"),
            ),
            (
                "- a",
                format!("{pre} array into Go value of type util.SimpleHead"),
            ),
            (
                "3",
                format!("{pre} number into Go value of type util.SimpleHead"),
            ),
            (
                "true",
                format!("{pre} bool into Go value of type util.SimpleHead"),
            ),
            (
                "kind: [1]",
                format!("{pre} array into Go struct field SimpleHead.kind of type string"),
            ),
            (
                "apiVersion: {a: 1}",
                format!("{pre} object into Go struct field SimpleHead.apiVersion of type string"),
            ),
            (
                "metadata: x",
                format!(
                    "{pre} string into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}"
                ),
            ),
            (
                "metadata:\n  name: {a: 1}",
                format!("{pre} object into Go struct field .metadata.name of type string"),
            ),
            (
                "metadata:\n  annotations: [1]",
                format!(
                    "{pre} array into Go struct field .metadata.annotations of type map[string]string"
                ),
            ),
            (
                "metadata:\n  annotations:\n    a: [1]",
                format!("{pre} array into Go struct field .metadata.annotations of type string"),
            ),
        ];
        for (d, want) in bad {
            assert_eq!(check_document(d), Err(want), "{d:?}");
        }
    }

    #[test]
    fn quick_head_agrees_with_the_parser() {
        let docs = [
            "apiVersion: v1\nkind: Job\nmetadata:\n  name: x\n  annotations:\n    a: b\n    helm.sh/hook: \"pre-install\" # c\nspec: {}\n",
            "kind: 'ConfigMap'\nmetadata:\n  labels:\n    helm.sh/hook: no\ndata:\n  kind: X\n",
            "# c\nkind: Secret\n",
            "metadata:\n    annotations:\n        \"helm.sh/hook\": test\nkind: Pod\n",
        ];
        for d in docs {
            let q = quick_head(d).unwrap();
            let f = full_head(d);
            assert_eq!((q.kind, q.hook), (f.kind, f.hook), "{d}");
        }
        assert!(quick_head("{kind: X}").is_none());
        assert!(quick_head("kind: X\nmetadata: {annotations: {a: b}}\n").is_none());
        assert!(quick_head("kind: &k X\n").is_none());
        // Layouts the line scan must leave to the parser.
        for d in [
            "\"kind\": Pod\n",
            "kind : Pod\n",
            "kind: Pod\n  Extra\n",
            "a: [\nkind: X]\nkind: Pod\n",
            "a: \"open\nkind: X\"\nkind: Pod\n",
            "a: |\n  x\nkind: Pod\n",
            "kind:Pod\n",
        ] {
            assert!(quick_head(d).is_none(), "{d:?}");
        }
    }

    #[test]
    fn kind_order() {
        let mk = |k: &str| Manifest {
            source: "s".into(),
            content: k.into(),
            hook: None,
            line: 1,
            kind: k.into(),
        };
        let mut v = vec![
            mk("Role"),
            mk("Zed"),
            mk("ServiceAccount"),
            mk("Alpha"),
            mk("Namespace"),
        ];
        sort_by_kind(&mut v);
        let kinds: Vec<&str> = v.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["Namespace", "ServiceAccount", "Role", "Alpha", "Zed"]
        );
    }

    #[test]
    fn template_lines() {
        let t = "{{- if .x }}\napiVersion: v1\nkind: ServiceAccount\n---\napiVersion: v1\nkind: ServiceAccount\n";
        assert_eq!(template_line(t, "ServiceAccount", 0, 9), 1);
        assert_eq!(template_line(t, "ServiceAccount", 1, 9), 5);
        assert_eq!(template_line(t, "Role", 0, 9), 9);
    }
}
