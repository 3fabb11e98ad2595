//! goyaml's wording for YAML syntax errors.
//!
//! Helm reads YAML with goyaml v2 (through `sigs.k8s.io/yaml`) and shows its messages in two
//! places: `fromYaml`'s `Error` key and `helm template`'s "YAML parse error on ...". Our parser
//! (serde-saphyr) finds the same errors, worded its own way. [`goyaml_message`] rewrites the
//! common ones into goyaml's text, including goyaml's line rule: scanner errors name the
//! 1-based line of the problem, parser errors the 0-based line of the offending token (so an
//! error on the first line has no `line N:` prefix at all), and an unclosed flow collection
//! is found at the end of the stream, one line after a last line without a newline.
//! Anything not recognised keeps our parser's text.

/// The message goyaml gives for `text`, which our parser rejected with `ours`
/// (`"<problem> at line L, column C"`). Without the `yaml: ` prefix helm adds.
pub fn goyaml_message(text: &str, ours: &str) -> String {
    let Some((body, line, col)) = split_position(ours) else {
        return ours.to_string();
    };
    // goyaml refuses a block mapping entry that starts with `:` (no key) before it reads
    // further; serde-saphyr accepts it as an empty key and may fail later, elsewhere.
    if let Some(l0) = keyless_value_line(text, line) {
        return format!("{}did not find expected key", prefix(l0));
    }
    if body.starts_with("unclosed bracket") {
        let end = stream_end_line(text);
        return match offset_of(text, line, col).and_then(|o| unclosed_flow(text, o)) {
            Some((_, true)) => format!("{}did not find expected node content", prefix(end)),
            Some((close, false)) => {
                format!("{}did not find expected ',' or '{close}'", prefix(end))
            }
            None => ours.to_string(),
        };
    }
    if body.starts_with("mismatched bracket") {
        let Some(open) = offset_of(text, line, col) else {
            return ours.to_string();
        };
        let close = if text[open..].starts_with('{') {
            '}'
        } else {
            ']'
        };
        let l0 = mismatched_closer_line(text, open).unwrap_or(line - 1);
        return format!("{}did not find expected ',' or '{close}'", prefix(l0));
    }
    if body.starts_with("misplaced bracket") {
        let before = text
            .lines()
            .nth(line - 1)
            .map(|l| l.chars().take(col - 1).collect::<String>())
            .unwrap_or_default();
        let b = before.trim_end();
        let what = if b.is_empty() || b.ends_with([':', '-', ',', '[', '{']) {
            "did not find expected node content"
        } else {
            "did not find expected key"
        };
        return format!("{}{what}", prefix(line - 1));
    }
    if body.starts_with("unclosed quote") {
        // A scanner error at the end of the text.
        let l0 = text.matches('\n').count();
        return format!("{}found unexpected end of stream", scanner_prefix(l0));
    }
    if body.starts_with("simple key expected ':'") {
        // Seen when the next line starts, a line below the key.
        return format!("line {}: could not find expected ':'", line + 1);
    }
    if body.starts_with("alias references unknown anchor") {
        if let Some(name) = offset_of(text, line, col).and_then(|o| alias_name(&text[o..])) {
            return format!("unknown anchor '{name}' referenced");
        }
        return ours.to_string();
    }
    for (theirs, scanner) in [
        ("mapping values are not allowed in this context", true),
        ("did not find expected key", false),
        ("did not find expected '-' indicator", false),
        ("found unknown escape character", true),
        ("unexpected character", true),
    ] {
        if body.ends_with(theirs) || body.starts_with(theirs) {
            let text = if theirs == "unexpected character" {
                "found character that cannot start any token"
            } else {
                theirs
            };
            let p = if scanner {
                scanner_prefix(line - 1)
            } else {
                prefix(line - 1)
            };
            return format!("{p}{text}");
        }
    }
    ours.to_string()
}

/// `line N: ` for a parser error whose goyaml line number is `n` (none for 0).
fn prefix(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("line {n}: ")
    }
}

/// A scanner error at 0-based line `l0`: goyaml prints it 1-based, but only when not 0.
fn scanner_prefix(l0: usize) -> String {
    if l0 == 0 {
        String::new()
    } else {
        format!("line {}: ", l0 + 1)
    }
}

/// `("problem", L, C)` from `"problem at line L, column C"` (1-based, both at least 1).
fn split_position(msg: &str) -> Option<(&str, usize, usize)> {
    let i = msg.rfind(" at line ")?;
    let (line, col) = msg[i + 9..].split_once(", column ")?;
    let line: usize = line.trim().parse().ok()?;
    let col: usize = col.trim().parse().ok()?;
    (line >= 1 && col >= 1).then_some((&msg[..i], line, col))
}

/// The 0-based line of the stream end: a last line without a newline is closed by one.
fn stream_end_line(text: &str) -> usize {
    let n = text.matches('\n').count();
    if text.is_empty() || text.ends_with('\n') {
        n
    } else {
        n + 1
    }
}

/// Byte offset of 1-based (line, column in characters).
fn offset_of(text: &str, line: usize, col: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let l = &text[start..];
    let l = &l[..l.find('\n').unwrap_or(l.len())];
    l.char_indices().nth(col - 1).map(|(i, _)| start + i)
}

/// First 0-based line, up to the 1-based `upto`, whose first token is a `:` value indicator.
fn keyless_value_line(text: &str, upto: usize) -> Option<usize> {
    text.lines().take(upto).position(|l| {
        let t = l.trim_start_matches(' ');
        t == ":" || t.starts_with(": ") || t.starts_with(":\t")
    })
}

/// Walks flow collections from `open`, skipping quoted scalars and comments. Calls `on` with
/// every bracket at its depth; stops when `on` returns true.
fn walk_flow(text: &str, open: usize, mut on: impl FnMut(usize, char, &mut Vec<char>) -> bool) {
    let mut stack: Vec<char> = Vec::new();
    let mut chars = text[open..].char_indices().peekable();
    let mut prev_space = true;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\\' {
                        chars.next();
                    } else if q == '"' {
                        break;
                    }
                }
            }
            '\'' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\'' {
                        if matches!(chars.peek(), Some((_, '\''))) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '#' if prev_space => {
                for (_, q) in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
            }
            '[' | '{' | ']' | '}' if on(open + i, c, &mut stack) => return,
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
}

/// For a flow collection left open at the end of the text: the closer goyaml wanted for the
/// innermost open collection, and whether it wanted a node (after `[`, `{` or `,`).
fn unclosed_flow(text: &str, open: usize) -> Option<(char, bool)> {
    let mut stack_at_end = Vec::new();
    walk_flow(text, open, |_, c, stack| {
        match c {
            '[' | '{' => stack.push(c),
            _ => {
                stack.pop();
            }
        }
        stack_at_end = stack.clone();
        false
    });
    let innermost = *stack_at_end.last()?;
    let last = text
        .lines()
        .map(|l| match l.find(" #") {
            Some(p) => &l[..p],
            None if l.trim_start().starts_with('#') => "",
            None => l,
        })
        .map(str::trim_end)
        .rfind(|l| !l.is_empty())?;
    let wants_node = last.ends_with(['[', '{', ',']);
    Some((if innermost == '{' { '}' } else { ']' }, wants_node))
}

/// 0-based line of the bracket that closes the collection opened at `open` with the wrong
/// kind of bracket.
fn mismatched_closer_line(text: &str, open: usize) -> Option<usize> {
    let mut found = None;
    walk_flow(text, open, |at, c, stack| match c {
        '[' | '{' => {
            stack.push(c);
            false
        }
        _ => {
            let top = stack.pop();
            let matches = matches!((top, c), (Some('['), ']') | (Some('{'), '}'));
            if !matches || stack.is_empty() {
                found = Some(at);
                true
            } else {
                false
            }
        }
    });
    found.map(|at| text[..at].matches('\n').count())
}

/// The anchor name of an alias `*name` at the start of `s`.
fn alias_name(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('*')?;
    let end = rest
        .find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every expected message was printed by helm v4.1.4 (`(fromYaml TEXT).Error`).
    #[test]
    fn messages_match_goyaml() {
        let cases = [
            ("a: [unclosed", "line 1: did not find expected ',' or ']'"),
            (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: [unclosed",
                "line 6: did not find expected ',' or ']'",
            ),
            (": bad: [", "did not find expected key"),
            ("{a: 1", "line 1: did not find expected ',' or '}'"),
            ("a: {b", "line 1: did not find expected ',' or '}'"),
            ("a: [1, 2\n", "line 1: did not find expected ',' or ']'"),
            ("a: [1, 2\n\n", "line 2: did not find expected ',' or ']'"),
            ("a: [", "line 1: did not find expected node content"),
            ("a: [1,", "line 1: did not find expected node content"),
            ("a: \"x", "found unexpected end of stream"),
            ("a: \"x\nb", "line 2: found unexpected end of stream"),
            ("a: \"x\n", "line 2: found unexpected end of stream"),
            ("a: 'it''s", "found unexpected end of stream"),
            ("other: {x: [1}", "did not find expected ',' or ']'"),
            (
                "x: 1\nother: {x: [1}",
                "line 1: did not find expected ',' or ']'",
            ),
            (
                "x: 1\na: {b: 1]",
                "line 1: did not find expected ',' or '}'",
            ),
            (
                "\"a\": 1\n  b: 2",
                "line 2: mapping values are not allowed in this context",
            ),
            ("a: b: c", "mapping values are not allowed in this context"),
            (
                "a:\n- b\n c: d",
                "line 3: mapping values are not allowed in this context",
            ),
            (
                "a:\n  b: 1\n   c: 2",
                "line 3: mapping values are not allowed in this context",
            ),
            ("a: *x", "unknown anchor 'x' referenced"),
            ("- a\nb: c", "line 1: did not find expected '-' indicator"),
            ("a:\n  b: 1\n c: 2", "line 2: did not find expected key"),
            ("a:\n  - b\n - c", "line 2: did not find expected key"),
            ("a: |\n  x\n b: 1", "line 2: did not find expected key"),
            ("a: b\n- c", "line 1: did not find expected key"),
            ("a: @x", "found character that cannot start any token"),
            (
                "x: 1\na: @x",
                "line 2: found character that cannot start any token",
            ),
            ("- a\n- b\nc", "line 4: could not find expected ':'"),
            ("a: b\nc", "line 3: could not find expected ':'"),
            ("a: [1, 2]]", "did not find expected key"),
            ("a: }", "did not find expected node content"),
            ("a: ]", "did not find expected node content"),
        ];
        for (text, want) in cases {
            let ours = crate::values::yaml::parse(text).expect_err(text);
            assert_eq!(goyaml_message(text, &ours), want, "{text:?} (ours: {ours})");
        }
    }

    #[test]
    fn unknown_messages_and_odd_positions_pass_through() {
        assert_eq!(goyaml_message("x", "something else"), "something else");
        assert_eq!(
            goyaml_message("a", "unclosed bracket '[' at line 9, column 1"),
            "unclosed bracket '[' at line 9, column 1"
        );
        assert_eq!(
            goyaml_message("a", "unclosed bracket at line 0, column 0"),
            "unclosed bracket at line 0, column 0"
        );
        assert_eq!(alias_name("*anchor, b"), Some("anchor"));
        assert_eq!(alias_name("*"), None);
    }
}
