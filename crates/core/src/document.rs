//! Split input text into Kubernetes documents and parse each one, keeping its origin.
//!
//! YAML is read with Kubernetes' YAML 1.1 scalar rules (`yes`/`on` are booleans, `0755` is
//! octal) so that a field like `automountServiceAccountToken: yes` is not misread. A broken
//! document becomes a warning; the other documents of the file are still parsed.

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostics::{Code, Warning};
use crate::inventory::Origin;
use crate::limits::Limits;

/// One parsed Kubernetes object and where it came from.
#[derive(Clone, Debug)]
pub struct Document {
    pub origin: Origin,
    pub value: Value,
}

/// A document's raw text and position, before parsing.
struct RawDoc<'a> {
    text: &'a str,
    /// 1-based line of the document's first line in the file.
    line: usize,
}

/// Split a YAML stream on `---` / `...` markers at column 0.
fn split_yaml(text: &str) -> Vec<RawDoc<'_>> {
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut offset = 0usize;
    for (idx, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = |m: &str| {
            bare.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if is_marker("---") {
            docs.push(RawDoc {
                text: &text[start..offset],
                line: start_line,
            });
            // Content after `--- ` on the same line belongs to the next document.
            start = offset + 3;
            start_line = idx + 1;
        } else if is_marker("...") {
            docs.push(RawDoc {
                text: &text[start..offset],
                line: start_line,
            });
            start = offset + line.len();
            start_line = idx + 2;
        }
        offset += line.len();
    }
    docs.push(RawDoc {
        text: &text[start..],
        line: start_line,
    });
    docs
}

/// True when a document holds nothing but blanks, comments and directives.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with('%')
    })
}

/// The line inside `text` where its first content line is, 0-based.
fn first_content_line(text: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim();
            !(t.is_empty() || t.starts_with('#'))
        })
        .unwrap_or(0)
}

fn yaml_options(limits: &Limits) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = 2;
    budget.max_depth = limits.max_depth;
    budget.max_nodes = 5_000_000;
    budget.max_events = 20_000_000;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.legacy_octal_numbers = true;
    opts
}

/// Parse one YAML document into JSON, with Kubernetes' scalar rules.
pub fn parse_yaml_value(text: &str, limits: &Limits) -> Result<Value, String> {
    parse_yaml_located(text, limits).map_err(|(msg, _)| msg)
}

/// Like [`parse_yaml_value`], with the 1-based line of the error inside `text` (0 if unknown).
fn parse_yaml_located(text: &str, limits: &Limits) -> Result<Value, (String, usize)> {
    // Rendered manifests are plain block YAML: the subset reader takes those (several times
    // faster); anything else, every error and anything near the depth limit stay with
    // serde-saphyr.
    if let Some(node) = rbac_lens_yaml::parse(text, limits.max_depth.saturating_sub(2)) {
        return Ok(rbac_lens_yaml::to_json(node));
    }
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options(limits)).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).unwrap_or(0);
        (first_line(&e.to_string()), line)
    })
}

/// The first line of a parser message, without its own `error: line N column M:` prefix
/// (the warning carries the file's line instead).
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((pos, msg)) if pos.contains("column") => msg.to_string(),
        _ => line.to_string(),
    }
}

/// Depth of nested maps and lists (iterative: no recursion on untrusted data).
pub fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

/// Kinds the inventory reads; other documents of a rendered chart need not be parsed.
const RELEVANT_KINDS: &[&str] = &[
    "ServiceAccount",
    "Secret",
    // Pod Security labels decide whether pods may be privileged (escalation).
    "Namespace",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// The top-level `kind:` of a block-style document when it is unambiguous (exactly one
/// `kind:` line at column 0 with a plain value); `None` when unsure.
fn plain_kind(text: &str) -> Option<&str> {
    // Lines starting with `kind:`, found with memchr's searcher rather than line by line
    // (this runs on every rendered document, CRDs of megabytes included).
    let b = text.as_bytes();
    let starts = b
        .starts_with(b"kind:")
        .then_some(0)
        .into_iter()
        .chain(memchr::memmem::find_iter(b, b"\nkind:").map(|i| i + 1));
    let mut found = None;
    for start in starts {
        if found.is_some() {
            return None;
        }
        let rest = &text[start + "kind:".len()..];
        let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
        let value = line.split(" #").next().unwrap_or("").trim();
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        found = Some(value);
    }
    found
}

/// Like [`parse_text`], but documents whose kind is plainly irrelevant to RBAC analysis
/// (CRDs, ConfigMaps, Services...) are counted, not parsed. Used for rendered charts, where
/// such documents are most of the bytes.
pub fn parse_relevant(
    file: &str,
    text: &str,
    limits: &Limits,
    docs: &mut Vec<Document>,
    warnings: &mut Vec<Warning>,
) {
    match plain_kind(text) {
        Some(kind) if !RELEVANT_KINDS.contains(&kind) && !kind.ends_with("List") => {}
        _ => parse_text(file, text, limits, docs, warnings),
    }
}

/// Parse every document of one input text. `file` names it in origins and warnings.
pub fn parse_text(
    file: &str,
    text: &str,
    limits: &Limits,
    docs: &mut Vec<Document>,
    warnings: &mut Vec<Warning>,
) {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && parse_json_stream(file, text, limits, docs, warnings)
    {
        return;
    }
    // Parse documents in parallel (YAML parsing is most of the cost on big inputs), then
    // add them in order so output stays deterministic.
    let raws: Vec<(Origin, &str)> = split_yaml(text)
        .into_iter()
        .filter(|raw| !is_blank(raw.text))
        .enumerate()
        .map(|(index, raw)| {
            let line = raw.line + first_content_line(raw.text);
            (
                Origin {
                    file: file.to_string(),
                    document: index,
                    line,
                    ..Origin::default()
                },
                raw.text,
            )
        })
        .collect();
    let room = limits.max_documents.saturating_sub(docs.len());
    let parsed: Vec<Result<Value, (String, usize)>> = raws
        .par_iter()
        .take(room)
        .map(|(_, text)| parse_yaml_located(text, limits))
        .collect();
    if raws.len() > room {
        warnings.push(limit_warning(&raws[room].0, limits));
    }
    for ((origin, raw), result) in raws.into_iter().zip(parsed) {
        match result {
            Ok(Value::Null) => {}
            Ok(value) => push_document(origin, value, limits, docs, warnings),
            Err((msg, line)) => {
                let mut w = Warning::new(Code::Malformed, file, format!("not valid YAML: {msg}"));
                w.document = Some(origin.document);
                // The parser counts from the document's first line (which may hold comments).
                let doc_start = origin.line - first_content_line(raw);
                w.line = if line > 0 {
                    doc_start + line - 1
                } else {
                    origin.line
                };
                warnings.push(w);
            }
        }
    }
}

/// A JSON file: one value or several concatenated. Returns false to fall back to YAML.
fn parse_json_stream(
    file: &str,
    text: &str,
    limits: &Limits,
    docs: &mut Vec<Document>,
    warnings: &mut Vec<Warning>,
) -> bool {
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut lines = Vec::new();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                let skipped = text[offset..].len() - text[offset..].trim_start().len();
                lines.push(1 + text[..offset + skipped].matches('\n').count());
                values.push(v);
            }
            // Not JSON after all (YAML flow style, say): let the YAML reader try.
            Some(Err(_)) => return false,
        }
    }
    for (index, (value, line)) in values.into_iter().zip(lines).enumerate() {
        let origin = Origin {
            file: file.to_string(),
            document: index,
            line,
            ..Origin::default()
        };
        if docs.len() >= limits.max_documents {
            warnings.push(limit_warning(&origin, limits));
            break;
        }
        // A top-level JSON array is a list of objects.
        if let Value::Array(items) = value {
            for item in items {
                push_document(origin.clone(), item, limits, docs, warnings);
            }
        } else {
            push_document(origin, value, limits, docs, warnings);
        }
    }
    true
}

fn limit_warning(origin: &Origin, limits: &Limits) -> Warning {
    let mut w = Warning::new(
        Code::LimitExceeded,
        &origin.file,
        format!(
            "more than {} documents in the input; the rest is not analysed",
            limits.max_documents
        ),
    );
    w.document = Some(origin.document);
    w.line = origin.line;
    w
}

/// Add a parsed value, expanding `kind: List` (and `*List` kinds) into its items.
fn push_document(
    origin: Origin,
    value: Value,
    limits: &Limits,
    docs: &mut Vec<Document>,
    warnings: &mut Vec<Warning>,
) {
    let d = depth(&value);
    if d > limits.max_depth {
        let mut w = Warning::new(
            Code::LimitExceeded,
            &origin.file,
            format!(
                "nesting depth {d} exceeds the limit of {}",
                limits.max_depth
            ),
        );
        w.document = Some(origin.document);
        w.line = origin.line;
        warnings.push(w);
        return;
    }
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").is_some();
    if is_list {
        match value.get("items") {
            Some(Value::Array(items)) => {
                for item in items {
                    if docs.len() >= limits.max_documents {
                        warnings.push(limit_warning(&origin, limits));
                        return;
                    }
                    docs.push(Document {
                        origin: origin.clone(),
                        value: item.clone(),
                    });
                }
            }
            Some(Value::Null) => {}
            Some(_) => {
                let mut w = Warning::new(Code::BadField, &origin.file, "expected a list");
                w.document = Some(origin.document);
                w.line = origin.line;
                w.field = Some("items".into());
                warnings.push(w);
            }
            None => {}
        }
        return;
    }
    docs.push(Document { origin, value });
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_kind_reads_one_top_level_kind_line() {
        assert_eq!(plain_kind("kind: Role\n"), Some("Role"));
        assert_eq!(
            plain_kind("a: 1\nkind: ConfigMap # c\r\nb: 2"),
            Some("ConfigMap")
        );
        assert_eq!(plain_kind("a: 1\nkind: Secret"), Some("Secret"));
        assert_eq!(plain_kind("kind: A\nkind: B\n"), None, "two kind lines");
        assert_eq!(plain_kind("x:\n  kind: Foo\n"), None, "indented only");
        assert_eq!(plain_kind("kind: 'Role'\n"), None, "quoted: parse instead");
        assert_eq!(plain_kind("kind:\n"), None);
        assert_eq!(plain_kind(""), None);
    }

    use super::*;

    fn parse(text: &str) -> (Vec<Document>, Vec<Warning>) {
        let mut d = Vec::new();
        let mut w = Vec::new();
        parse_text("f.yaml", text, &Limits::default(), &mut d, &mut w);
        (d, w)
    }

    #[test]
    fn splits_documents_and_tracks_lines() {
        let (d, w) = parse("a: 1\n---\n# c\nb: 2\n--- \nc: 3\n...\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(d.len(), 3);
        assert_eq!(
            (d[0].origin.line, d[1].origin.line, d[2].origin.line),
            (1, 4, 6)
        );
        assert_eq!(d[2].origin.document, 2);
    }

    #[test]
    fn yaml_1_1_booleans_and_octal() {
        let (d, _) = parse("automountServiceAccountToken: yes\nmode: 0755\nno: off\n");
        let v = &d[0].value;
        assert_eq!(v["automountServiceAccountToken"], Value::Bool(true));
        assert_eq!(v["mode"], serde_json::json!(493));
    }

    #[test]
    fn broken_document_does_not_hide_the_others() {
        let (d, w) = parse("a: [1\n---\nkind: ServiceAccount\n");
        assert_eq!(d.len(), 1);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Code::Malformed);
        assert_eq!(w[0].document, Some(0));
    }

    #[test]
    fn list_is_expanded() {
        let (d, _) = parse("kind: List\nitems:\n- kind: A\n- kind: B\n");
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn json_stream() {
        let (d, w) = parse("{\"kind\":\"A\"}\n{\"kind\":\"B\"}");
        assert!(w.is_empty());
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].origin.line, 2);
    }

    #[test]
    fn fast_path_matches_serde_saphyr() {
        let limits = Limits::default();
        for doc in [
            "kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n",
            "a: yes\nb: 12\nc: 1.5\nd: -0.0\ne: ~\nf: |\n  x\ng: 'y'\n",
        ] {
            let fast =
                rbac_lens_yaml::parse(doc, limits.max_depth - 2).map(rbac_lens_yaml::to_json);
            let full = serde_saphyr::from_str_with_options::<Value>(doc, yaml_options(&limits));
            assert_eq!(fast, Some(full.unwrap()), "{doc:?}");
            assert_eq!(
                serde_json::to_string(&parse_yaml_value(doc, &limits).unwrap()).unwrap(),
                serde_json::to_string(&fast.unwrap()).unwrap()
            );
        }
    }

    #[test]
    fn depth_limit() {
        let deep = format!("{}1{}", "[".repeat(80), "]".repeat(80));
        let (d, w) = parse(&deep);
        assert!(d.is_empty());
        assert_eq!(w[0].code, Code::LimitExceeded);
    }
}
