//! A fast reader for the block-style YAML subset that Helm values files and rendered
//! Kubernetes manifests are made of.
//!
//! [`parse`] returns a small [`Node`] tree, or `None` when the text uses anything outside the
//! subset it reads with certainty: the caller then runs the full parser (serde-saphyr), so
//! errors and exotic YAML behave exactly as before. Scalars are resolved like serde-saphyr
//! does with YAML 1.1 booleans and legacy octal enabled; every ambiguous spelling (`0755`,
//! `1e3`, `.inf`, `1_000`, non-string keys...) is a bail-out rather than a guess.
//!
//! The subset: block mappings and sequences (compact `- key: v` nesting, sequences at their
//! parent key's indentation), comments, plain scalars on one line, single- and double-quoted
//! scalars on one line, literal and folded block scalars without indentation indicators,
//! and flow collections that fit on one line. Not read: anchors, aliases, merge keys, tags,
//! directives, complex keys, tabs used as indentation or separation, multi-line plain or
//! quoted scalars, duplicate keys, documents after the first, a byte-order mark, control
//! characters and Unicode line separators.

use std::borrow::Cow;

/// A parsed YAML node. Strings borrow from the input where no unescaping was needed.
#[derive(Clone, Debug, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    /// A plain decimal integer (`-12`, `0`, `443`).
    Int(i64),
    /// A plain decimal float with digits on both sides of the point (`1.5`, `-0.25`).
    Float(f64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Entries in document order; keys are unique (duplicates bail out).
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// Largest input the fast path reads (the full parsers have their own, larger limits).
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;
/// Most nodes (scalars, keys and collections) the fast path builds before bailing out; well
/// under the callers' serde-saphyr node and event budgets.
pub const MAX_NODES: usize = 1_000_000;
/// Longest key read; YAML limits implicit keys to 1024 characters.
const MAX_KEY_BYTES: usize = 512;

/// Read one YAML document, or `None` when it is not certainly inside the subset.
///
/// `max_depth` bounds the nesting of collections (the root collection is depth 1); callers
/// pass a value below their full parser's limit so that limit errors stay the full
/// parser's. Empty and comment-only text is [`Node::Null`].
pub fn parse(text: &str, max_depth: usize) -> Option<Node<'_>> {
    if text.len() > MAX_INPUT_BYTES || !clean_bytes(text.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        src: text,
        b: text.as_bytes(),
        line_start: 0,
        pos: 0,
        indent: 0,
        eof: false,
        nodes: 0,
        max_depth,
    };
    p.root()
}

/// False when the text holds bytes whose YAML meaning we do not reproduce: control
/// characters other than tab and line feed (so also `\r`), DEL, C1 controls (NEL is a line
/// break in YAML 1.1), U+2028/U+2029, a byte-order mark, U+FFFE/U+FFFF.
fn clean_bytes(b: &[u8]) -> bool {
    // Most text is clean: test 32-byte chunks branch-free (vectorised), and look closer only
    // at chunks holding a suspect byte.
    const CHUNK: usize = 32;
    let suspect = |c: u8| {
        (c < 0x20 && c != b'\n' && c != b'\t')
            | (c == 0x7f)
            | (c == 0xc2)
            | (c == 0xe2)
            | (c == 0xef)
    };
    for (k, chunk) in b.chunks(CHUNK).enumerate() {
        if chunk.iter().fold(false, |acc, &c| acc | suspect(c))
            && !clean_from(b, k * CHUNK, (k * CHUNK + chunk.len()).min(b.len()))
        {
            return false;
        }
    }
    true
}

/// The exact check of [`clean_bytes`] for `b[from..to]` (looking past `to` for sequences).
fn clean_from(b: &[u8], from: usize, to: usize) -> bool {
    for (i, &c) in b.iter().enumerate().take(to).skip(from) {
        if (0x20..0x7f).contains(&c) || c == b'\n' || c == b'\t' {
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        let third = b.get(i + 2).copied().unwrap_or(0);
        let bad = match c {
            0..=0x1f | 0x7f => true,
            0xc2 => (0x80..=0x9f).contains(&next),
            0xe2 => next == 0x80 && (third == 0xa8 || third == 0xa9),
            0xef => (next == 0xbb && third == 0xbf) || (next == 0xbf && third >= 0xbe),
            _ => false,
        };
        if bad {
            return false;
        }
    }
    true
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    /// Offset of the current line's first byte.
    line_start: usize,
    /// Offset of the current content (first non-blank of a line, or inside a line after
    /// `- ` for compact nesting); meaningful when `!eof`.
    pos: usize,
    /// Column of `pos`.
    indent: usize,
    eof: bool,
    nodes: usize,
    max_depth: usize,
}

enum KeyScan<'a> {
    NotKey,
    /// A key and the offset just after its `:`.
    Key(Cow<'a, str>, usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// True when `c` (followed by `next`) cannot start a plain scalar we read.
fn is_indicator(c: u8, next: u8) -> bool {
    match c {
        // `-x` and `:x` start plain scalars (`--flag`, `:8080`).
        b'-' | b':' => matches!(next, b' ' | b'\t' | b'\n' | 0),
        b'?' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
        | b'\'' | b'"' | b'%' | b'@' | b'`' => true,
        _ => false,
    }
}

/// Byte after a `-` or `:` that makes it an indicator.
fn ends_indicator(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | 0)
}

impl<'a> Parser<'a> {
    /// The byte at `i`, or 0 at the end (the input holds no NUL: see [`clean_bytes`]).
    #[inline]
    fn byte(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Offset of the line feed ending the line that holds `from`, or the input length.
    #[inline]
    fn line_end(&self, from: usize) -> usize {
        match self.b.get(from..) {
            Some(rest) => memchr::memchr(b'\n', rest).map_or(self.b.len(), |k| from + k),
            None => self.b.len(),
        }
    }

    fn count_node(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    fn is_marker(&self, ls: usize) -> bool {
        let rest = &self.b[ls.min(self.b.len())..];
        (rest.starts_with(b"---") || rest.starts_with(b"..."))
            && matches!(self.byte(ls + 3), b' ' | b'\t' | b'\n' | 0)
    }

    /// Move to the first content line at or after `line_start`, skipping blank and comment
    /// lines. Bails on tabs in indentation and on document markers.
    fn skip_blank(&mut self) -> Option<()> {
        loop {
            let ls = self.line_start;
            if ls >= self.b.len() {
                self.eof = true;
                return Some(());
            }
            let mut p = ls;
            while self.byte(p) == b' ' {
                p += 1;
            }
            match self.byte(p) {
                0 => {
                    self.eof = true;
                    return Some(());
                }
                b'\n' => self.line_start = p + 1,
                b'#' => self.line_start = self.line_end(p) + 1,
                b'\t' => return None,
                _ => {
                    if p == ls && self.is_marker(ls) {
                        return None;
                    }
                    self.pos = p;
                    self.indent = p - ls;
                    self.eof = false;
                    return Some(());
                }
            }
        }
    }

    /// Continue with the line after the one holding `i`.
    fn next_line(&mut self, i: usize) -> Option<()> {
        self.line_start = self.line_end(i) + 1;
        self.skip_blank()
    }

    /// After an inline node ending before `i`, only blanks and a comment may follow.
    fn finish_line(&mut self, mut i: usize) -> Option<()> {
        let start = i;
        while self.byte(i) == b' ' {
            i += 1;
        }
        match self.byte(i) {
            b'\n' | 0 => self.next_line(i),
            b'#' if i > start => self.next_line(i),
            _ => None,
        }
    }

    fn root(&mut self) -> Option<Node<'a>> {
        // Blank lines, comments and one leading `---` (alone on its line) may come first.
        let mut seen_marker = false;
        loop {
            let ls = self.line_start;
            let mut p = ls;
            while self.byte(p) == b' ' {
                p += 1;
            }
            match self.byte(p) {
                0 => return Some(Node::Null),
                b'\n' => self.line_start = p + 1,
                b'#' => self.line_start = self.line_end(p) + 1,
                b'\t' => return None,
                b'%' if p == ls => return None,
                _ if p == ls && !seen_marker && self.b[ls..].starts_with(b"---") => {
                    let mut i = ls + 3;
                    while self.byte(i) == b' ' {
                        i += 1;
                    }
                    match self.byte(i) {
                        b'\n' | 0 => {}
                        b'#' if i > ls + 3 => {}
                        _ => return None,
                    }
                    seen_marker = true;
                    self.line_start = self.line_end(i) + 1;
                }
                _ => break,
            }
            if self.line_start >= self.b.len() {
                return Some(Node::Null);
            }
        }
        self.skip_blank()?;
        if self.eof {
            return Some(Node::Null);
        }
        let node = self.block_node(0, None)?;
        // Anything left (a less-indented line, a second document) is outside the subset.
        self.eof.then_some(node)
    }

    fn at_dash(&self, p: usize) -> bool {
        self.byte(p) == b'-' && ends_indicator(self.byte(p + 1))
    }

    /// A node starting at the current content position (its column is `self.indent`). A
    /// scalar there may continue on lines indented deeper than `cont` (when given).
    fn block_node(&mut self, depth: usize, cont: Option<usize>) -> Option<Node<'a>> {
        let p = self.pos;
        if self.at_dash(p) {
            return self.seq(self.indent, depth + 1);
        }
        match self.scan_key(p)? {
            KeyScan::Key(k, after) => self.map(self.indent, depth + 1, k, after),
            KeyScan::NotKey => {
                let (node, end) = self.inline_node(p, depth, cont)?;
                self.finish_line(end)?;
                Some(node)
            }
        }
    }

    /// A block mapping whose keys sit at column `n`; the first key is already read.
    fn map(
        &mut self,
        n: usize,
        depth: usize,
        first: Cow<'a, str>,
        first_after: usize,
    ) -> Option<Node<'a>> {
        if depth > self.max_depth {
            return None;
        }
        self.count_node()?;
        let mut entries = Vec::new();
        let (mut key, mut after) = (first, first_after);
        loop {
            self.count_node()?;
            let value = self.value_after(n, depth, after, true)?;
            entries.push((key, value));
            if self.eof || self.indent < n {
                break;
            }
            if self.indent > n {
                return None;
            }
            match self.scan_key(self.pos)? {
                KeyScan::Key(k, a) => (key, after) = (k, a),
                KeyScan::NotKey => return None,
            }
        }
        if has_duplicates(&entries) {
            return None;
        }
        Some(Node::Map(entries))
    }

    /// A block sequence whose dashes sit at column `n`; the current position is a dash.
    fn seq(&mut self, n: usize, depth: usize) -> Option<Node<'a>> {
        if depth > self.max_depth {
            return None;
        }
        self.count_node()?;
        let mut items = Vec::new();
        loop {
            let item = self.value_after(n, depth, self.pos + 1, false)?;
            items.push(item);
            if self.eof || self.indent < n {
                break;
            }
            if self.indent > n {
                return None;
            }
            if !self.at_dash(self.pos) {
                // A key at the dash column: the parent mapping continues (or bails).
                break;
            }
        }
        Some(Node::Seq(items))
    }

    /// The value after a mapping key's `:` or a sequence entry's `-` (at offset `p`), whose
    /// parent node sits at column `n`.
    fn value_after(&mut self, n: usize, depth: usize, p: usize, in_map: bool) -> Option<Node<'a>> {
        let mut i = p;
        while self.byte(i) == b' ' {
            i += 1;
        }
        match self.byte(i) {
            0 | b'\n' => return self.value_below(n, depth, i, in_map),
            b'#' if i > p => return self.value_below(n, depth, i, in_map),
            b'#' | b'\t' => return None,
            b'|' | b'>' => return self.block_scalar(n, i),
            _ => {}
        }
        if !in_map {
            // Compact nesting: `- - a` or `- key: v` opens a collection at this column.
            let col = i - self.line_start;
            if self.at_dash(i) {
                self.pos = i;
                self.indent = col;
                return self.seq(col, depth + 1);
            }
            if let KeyScan::Key(k, a) = self.scan_key(i)? {
                self.pos = i;
                self.indent = col;
                return self.map(col, depth + 1, k, a);
            }
        }
        let (node, end) = self.inline_node(i, depth, Some(n))?;
        self.finish_line(end)?;
        Some(node)
    }

    /// The value of an entry with nothing after its indicator: a more indented node on the
    /// following lines, a sequence at the key's own column, or null.
    fn value_below(&mut self, n: usize, depth: usize, i: usize, in_map: bool) -> Option<Node<'a>> {
        self.next_line(i)?;
        if !self.eof {
            if self.indent > n {
                return self.block_node(depth, Some(n));
            }
            if in_map && self.indent == n && self.at_dash(self.pos) {
                return self.seq(n, depth + 1);
            }
        }
        self.count_node()?;
        Some(Node::Null)
    }

    /// A scalar or flow collection starting at `p`; returns it and the offset after it (on
    /// its last line). Scalars may continue on lines indented deeper than `cont`; flow
    /// collections end on their line.
    fn inline_node(
        &mut self,
        p: usize,
        depth: usize,
        cont: Option<usize>,
    ) -> Option<(Node<'a>, usize)> {
        self.count_node()?;
        let quote = self.byte(p);
        match quote {
            b'"' | b'\'' => {
                let one_line = if quote == b'"' {
                    self.double_quoted(p)
                } else {
                    self.single_quoted(p)
                };
                if let Some((s, e)) = one_line {
                    return Some((Node::Str(s), e));
                }
                let (s, e) = self.quoted_multi(p, cont?)?;
                Some((Node::Str(Cow::Owned(s)), e))
            }
            b'[' | b'{' => self.flow(p, depth + 1),
            c if is_indicator(c, self.byte(p + 1)) => None,
            _ => {
                let (end, stop) = self.plain_end(p)?;
                let first = &self.src[p..end];
                if let Some(n) = cont
                    && self.byte(stop) == b'\n'
                    && let Some((joined, e)) = self.plain_more(first, stop, n)?
                {
                    // Folded text keeps its resolution only when it is a string anyway.
                    if !matches!(resolve_plain(&joined)?, Node::Str(_)) {
                        return None;
                    }
                    return Some((Node::Str(Cow::Owned(joined)), e));
                }
                Some((resolve_plain(first)?, end))
            }
        }
    }

    /// Continuation lines of a plain scalar whose first line is `first` (its line ended at
    /// `stop`): lines deeper than `n`, folded (a line break is a space, each empty line a
    /// line feed). `Some(None)` when there are none; the offset returned is on the last line.
    fn plain_more(&self, first: &str, stop: usize, n: usize) -> Option<Option<(String, usize)>> {
        let mut out: Option<String> = None;
        let mut last = stop;
        let mut ls = stop + 1;
        let mut empties = 0usize;
        while ls < self.b.len() {
            let mut q = ls;
            while self.byte(q) == b' ' {
                q += 1;
            }
            match self.byte(q) {
                b'\n' => {
                    empties += 1;
                    ls = q + 1;
                    continue;
                }
                0 => break,
                b'\t' => return None,
                _ => {}
            }
            // A shallower line or a comment line ends the scalar.
            if q - ls <= n || self.byte(q) == b'#' {
                break;
            }
            // Inside a scalar, indicator characters are text; `- `, `? ` and `: ` at the start
            // of a line are left to the full parser all the same.
            if matches!(self.byte(q), b'-' | b'?' | b':') && ends_indicator(self.byte(q + 1)) {
                return None;
            }
            let (e, s) = self.plain_end(q)?;
            let o = out.get_or_insert_with(|| String::from(first));
            if empties == 0 {
                o.push(' ');
            }
            for _ in 0..empties {
                o.push('\n');
            }
            o.push_str(&self.src[q..e]);
            empties = 0;
            last = e;
            if self.byte(s) != b'\n' {
                // A comment (or the end of input) ends the scalar.
                break;
            }
            ls = s + 1;
        }
        Some(out.map(|o| (o, last)))
    }

    /// A quoted scalar spanning lines (continuation lines deeper than `n`), folded: trailing
    /// and leading white space around a line break go, the break becomes a space, each
    /// empty line a line feed. Escaped line breaks bail.
    fn quoted_multi(&self, p: usize, n: usize) -> Option<(String, usize)> {
        let double = self.byte(p) == b'"';
        let quote = self.byte(p);
        let mut out = String::new();
        let mut i = p + 1;
        loop {
            // One line's text, up to the closing quote or the line break. `keep` marks
            // where escapes stopped: white space produced by an escape is never trimmed.
            let mut keep = out.len();
            let mut seg = i;
            loop {
                match self.byte(i) {
                    c if c == quote => {
                        if !double && self.byte(i + 1) == b'\'' {
                            out.push_str(&self.src[seg..i]);
                            out.push('\'');
                            i += 2;
                            seg = i;
                            keep = out.len();
                            continue;
                        }
                        out.push_str(&self.src[seg..i]);
                        return Some((out, i + 1));
                    }
                    b'\\' if double => {
                        out.push_str(&self.src[seg..i]);
                        let (ch, len) = self.escape(i + 1)?;
                        out.push(ch);
                        i += 1 + len;
                        seg = i;
                        keep = out.len();
                    }
                    b'\n' => break,
                    0 => return None,
                    _ => i += 1,
                }
            }
            out.push_str(&self.src[seg..i]);
            let trimmed = out[keep..].trim_end_matches([' ', '\t']).len();
            out.truncate(keep + trimmed);
            // Empty lines, then the next text line's indentation.
            let mut empties = 0usize;
            i += 1;
            loop {
                let ls = i;
                while self.byte(i) == b' ' {
                    i += 1;
                }
                match self.byte(i) {
                    b'\n' => {
                        empties += 1;
                        i += 1;
                    }
                    b'\t' | 0 => return None,
                    _ if i - ls <= n => return None,
                    _ => break,
                }
            }
            if empties == 0 {
                out.push(' ');
            }
            for _ in 0..empties {
                out.push('\n');
            }
        }
    }

    /// End (trimmed) of one line of a plain scalar in block context starting at `p`, and
    /// where scanning stopped (line feed, end, or the space before a comment). Bails on
    /// tabs and on `: ` (a key where a value must be).
    fn plain_end(&self, p: usize) -> Option<(usize, usize)> {
        let mut i = p;
        let mut end = p;
        loop {
            match self.byte(i) {
                0 | b'\n' => return Some((end, i)),
                b' ' => {
                    if self.byte(i + 1) == b'#' {
                        return Some((end, i));
                    }
                    i += 1;
                }
                b'\t' => return None,
                b':' if matches!(self.byte(i + 1), b' ' | b'\t' | b'\n' | 0) => return None,
                _ => {
                    i += 1;
                    end = i;
                }
            }
        }
    }

    /// Whether the content at `p` is `key:` (plain or quoted, on this line).
    fn scan_key(&self, p: usize) -> Option<KeyScan<'a>> {
        let (key, mut i) = match self.byte(p) {
            b'"' => self.double_quoted(p)?,
            b'\'' => self.single_quoted(p)?,
            c if is_indicator(c, self.byte(p + 1)) => return Some(KeyScan::NotKey),
            _ => {
                let mut i = p;
                // Flow indicators inside a key: legal, but left to the full parser.
                let mut flowish = false;
                loop {
                    match self.byte(i) {
                        0 | b'\n' => return Some(KeyScan::NotKey),
                        b'\t' => return None,
                        b' ' if self.byte(i + 1) == b'#' => return Some(KeyScan::NotKey),
                        b':' if ends_indicator(self.byte(i + 1)) => break,
                        b':' if self.byte(i + 1) == b'\t' => return None,
                        b'[' | b']' | b'{' | b'}' | b',' => {
                            flowish = true;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                let text = self.src[p..i].trim_end_matches(' ');
                if flowish || text.len() > MAX_KEY_BYTES || text == "<<" {
                    return None;
                }
                return match resolve_plain(text)? {
                    Node::Str(s) => Some(KeyScan::Key(s, i + 1)),
                    _ => None,
                };
            }
        };
        while self.byte(i) == b' ' {
            i += 1;
        }
        if self.byte(i) == b':' && ends_indicator(self.byte(i + 1)) {
            if i - p > MAX_KEY_BYTES || key == "<<" {
                return None;
            }
            Some(KeyScan::Key(key, i + 1))
        } else {
            Some(KeyScan::NotKey)
        }
    }

    /// A `"..."` scalar closed on the same line; returns it and the offset after the quote.
    fn double_quoted(&self, p: usize) -> Option<(Cow<'a, str>, usize)> {
        let start = p + 1;
        let mut i = start;
        loop {
            match self.byte(i) {
                b'"' => return Some((Cow::Borrowed(&self.src[start..i]), i + 1)),
                b'\\' => break,
                b'\n' | 0 => return None,
                _ => i += 1,
            }
        }
        let mut out = String::from(&self.src[start..i]);
        loop {
            match self.byte(i) {
                b'"' => return Some((Cow::Owned(out), i + 1)),
                b'\n' | 0 => return None,
                b'\\' => {
                    let (ch, len) = self.escape(i + 1)?;
                    out.push(ch);
                    i += 1 + len;
                }
                _ => {
                    let run = i;
                    while !matches!(self.byte(i), b'"' | b'\\' | b'\n' | 0) {
                        i += 1;
                    }
                    out.push_str(&self.src[run..i]);
                }
            }
        }
    }

    /// The escape after a backslash at `i - 1`: the character and the bytes it used.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let ch = match self.byte(i) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex(i + 1, 2),
            b'u' => return self.hex(i + 1, 4),
            b'U' => return self.hex(i + 1, 8),
            _ => return None,
        };
        Some((ch, 1))
    }

    fn hex(&self, i: usize, digits: usize) -> Option<(char, usize)> {
        let mut v = 0u32;
        for &d in self.b.get(i..i + digits)? {
            v = v * 16 + (d as char).to_digit(16)?;
        }
        Some((char::from_u32(v)?, 1 + digits))
    }

    /// A `'...'` scalar closed on the same line (`''` is a quote).
    fn single_quoted(&self, p: usize) -> Option<(Cow<'a, str>, usize)> {
        let start = p + 1;
        let mut i = start;
        loop {
            match self.byte(i) {
                b'\'' if self.byte(i + 1) == b'\'' => break,
                b'\'' => return Some((Cow::Borrowed(&self.src[start..i]), i + 1)),
                b'\n' | 0 => return None,
                _ => i += 1,
            }
        }
        let mut out = String::from(&self.src[start..i]);
        loop {
            match self.byte(i) {
                b'\'' if self.byte(i + 1) == b'\'' => {
                    out.push('\'');
                    i += 2;
                }
                b'\'' => return Some((Cow::Owned(out), i + 1)),
                b'\n' | 0 => return None,
                _ => {
                    let run = i;
                    while !matches!(self.byte(i), b'\'' | b'\n' | 0) {
                        i += 1;
                    }
                    out.push_str(&self.src[run..i]);
                }
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `p`, for a node whose
    /// parent sits at column `n`. Leaves the position on the next content line.
    fn block_scalar(&mut self, n: usize, p: usize) -> Option<Node<'a>> {
        self.count_node()?;
        let folded = self.byte(p) == b'>';
        let mut i = p + 1;
        let chomp = match self.byte(i) {
            b'-' => Chomp::Strip,
            b'+' => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            i += 1;
        }
        // Indentation indicators (`|2`) and anything else odd in the header: bail.
        let h = i;
        while self.byte(i) == b' ' {
            i += 1;
        }
        match self.byte(i) {
            b'\n' => {}
            b'#' if i > h => {}
            _ => return None,
        }
        let mut ls = self.line_end(i) + 1;
        let mut indent: Option<usize> = None;
        let mut leading_blank_max = 0;
        // Text of each line after the content indentation; "" for an empty line.
        let mut lines: Vec<&'a str> = Vec::new();
        while ls < self.b.len() {
            let mut q = ls;
            while self.byte(q) == b' ' {
                q += 1;
            }
            let spaces = q - ls;
            match self.byte(q) {
                b'\n' => {
                    // Whitespace-only lines deeper than the content are text in YAML;
                    // rare enough to leave to the full parser.
                    match indent {
                        None => leading_blank_max = leading_blank_max.max(spaces),
                        Some(m) if spaces > m => return None,
                        Some(_) => {}
                    }
                    lines.push("");
                    ls = q + 1;
                    continue;
                }
                // Trailing spaces without a final line feed.
                0 => return None,
                _ => {}
            }
            let m = match indent {
                Some(m) => m,
                None => {
                    // A tab at the indentation, or leading blank lines deeper than the first
                    // text line: bail.
                    if self.byte(q) == b'\t' || leading_blank_max > spaces {
                        return None;
                    }
                    if spaces <= n {
                        // No text line: an empty scalar.
                        break;
                    }
                    indent = Some(spaces);
                    spaces
                }
            };
            if spaces < m {
                break;
            }
            let le = self.line_end(q);
            if le >= self.b.len() {
                // No final line feed: chomping of the last line is left to the full parser.
                return None;
            }
            lines.push(&self.src[ls + m..le]);
            ls = le + 1;
        }
        if indent.is_none() {
            // Empty: "" unless kept line breaks or deeper blank lines make it subtle.
            if chomp == Chomp::Keep || leading_blank_max > n {
                return None;
            }
            self.line_start = ls;
            self.skip_blank()?;
            return Some(Node::Str(Cow::Borrowed("")));
        }
        let last = lines.iter().rposition(|l| !l.is_empty())?;
        let trailing = lines.len() - 1 - last;
        let body = &lines[..=last];
        let mut out = String::with_capacity(body.iter().map(|l| l.len() + 1).sum::<usize>());
        if folded {
            fold_lines(body, &mut out);
        } else {
            for (k, l) in body.iter().enumerate() {
                if k > 0 {
                    out.push('\n');
                }
                out.push_str(l);
            }
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => out.push('\n'),
            Chomp::Keep => {
                for _ in 0..=trailing {
                    out.push('\n');
                }
            }
        }
        self.line_start = ls;
        self.skip_blank()?;
        Some(Node::Str(Cow::Owned(out)))
    }

    /// A flow collection at `p` that closes on the same line; returns it and the offset after
    /// its closing bracket.
    fn flow(&mut self, p: usize, depth: usize) -> Option<(Node<'a>, usize)> {
        if depth > self.max_depth {
            return None;
        }
        let seq = self.byte(p) == b'[';
        let close = if seq { b']' } else { b'}' };
        let mut i = self.flow_space(p + 1)?;
        if self.byte(i) == close {
            let node = if seq {
                Node::Seq(Vec::new())
            } else {
                Node::Map(Vec::new())
            };
            return Some((node, i + 1));
        }
        if seq {
            let mut items = Vec::new();
            loop {
                let (v, e) = self.flow_item(i, depth)?;
                items.push(v);
                i = self.flow_space(e)?;
                match self.byte(i) {
                    b',' => i = self.flow_space(i + 1)?,
                    b']' => return Some((Node::Seq(items), i + 1)),
                    _ => return None,
                }
            }
        }
        let mut entries = Vec::new();
        loop {
            let (k, e) = self.flow_key(i)?;
            self.count_node()?;
            // `key: value` with a space; `{a}`, `{a:1}` and `{"a":1}` bail.
            if self.byte(e) != b':' || self.byte(e + 1) != b' ' {
                return None;
            }
            i = self.flow_space(e + 1)?;
            let (v, e) = self.flow_item(i, depth)?;
            entries.push((k, v));
            i = self.flow_space(e)?;
            match self.byte(i) {
                b',' => i = self.flow_space(i + 1)?,
                b'}' => break,
                _ => return None,
            }
        }
        if has_duplicates(&entries) {
            return None;
        }
        Some((Node::Map(entries), i + 1))
    }

    /// Skip spaces inside a flow collection; a line end, tab or comment there bails.
    fn flow_space(&self, mut i: usize) -> Option<usize> {
        while self.byte(i) == b' ' {
            i += 1;
        }
        match self.byte(i) {
            b'\t' | b'\n' | 0 | b'#' => None,
            _ => Some(i),
        }
    }

    fn flow_item(&mut self, i: usize, depth: usize) -> Option<(Node<'a>, usize)> {
        self.count_node()?;
        match self.byte(i) {
            b'[' | b'{' => self.flow(i, depth + 1),
            b'"' => self.double_quoted(i).map(|(s, e)| (Node::Str(s), e)),
            b'\'' => self.single_quoted(i).map(|(s, e)| (Node::Str(s), e)),
            c if is_indicator(c, self.byte(i + 1)) => None,
            _ => {
                let text = self.flow_plain(i)?;
                Some((resolve_plain(text)?, i + text.len()))
            }
        }
    }

    /// A plain scalar inside a flow collection, trimmed; `:` and `#` in it bail.
    fn flow_plain(&self, i: usize) -> Option<&'a str> {
        let mut j = i;
        loop {
            match self.byte(j) {
                b',' | b']' | b'}' => break,
                b'[' | b'{' | b'#' | b':' | b'\t' | b'\n' | 0 => return None,
                _ => j += 1,
            }
        }
        Some(self.src[i..j].trim_end_matches(' '))
    }

    /// A flow mapping key; returns it and the offset after it (and any spaces).
    fn flow_key(&self, i: usize) -> Option<(Cow<'a, str>, usize)> {
        let (key, mut e) = match self.byte(i) {
            b'"' => self.double_quoted(i)?,
            b'\'' => self.single_quoted(i)?,
            c if is_indicator(c, self.byte(i + 1)) => return None,
            _ => {
                let mut j = i;
                loop {
                    match self.byte(j) {
                        b':' => break,
                        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'\t' | b'\n' | 0 => {
                            return None;
                        }
                        _ => j += 1,
                    }
                }
                let text = self.src[i..j].trim_end_matches(' ');
                match resolve_plain(text)? {
                    Node::Str(s) => (s, j),
                    _ => return None,
                }
            }
        };
        if e - i > MAX_KEY_BYTES || key == "<<" {
            return None;
        }
        while self.byte(e) == b' ' {
            e += 1;
        }
        Some((key, e))
    }
}

/// Fold the lines of a `>` scalar: a break between two text lines that do not start with
/// white space becomes a space (or the empty lines between them); breaks around
/// more-indented lines are kept.
fn fold_lines(body: &[&str], out: &mut String) {
    let mut prev_spaced: Option<bool> = None;
    let mut empties = 0usize;
    for l in body {
        if l.is_empty() {
            empties += 1;
            continue;
        }
        let spaced = l.starts_with([' ', '\t']);
        match prev_spaced {
            None => {}
            // Between two plain text lines: a space, or only the empty lines' line feeds.
            Some(false) if !spaced && empties == 0 => out.push(' '),
            Some(false) if !spaced => {}
            Some(_) => out.push('\n'),
        }
        for _ in 0..empties {
            out.push('\n');
        }
        out.push_str(l);
        prev_spaced = Some(spaced);
        empties = 0;
    }
}

fn has_duplicates(entries: &[(Cow<'_, str>, Node<'_>)]) -> bool {
    if entries.len() <= 8 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(o, _)| o == k));
    }
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// YAML 1.1 booleans, in any letter case (as serde-saphyr reads them).
fn yaml11_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "yes", "y", "on"];
    const FALSE: [&str; 4] = ["false", "no", "n", "off"];
    if TRUE.iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

/// Resolve a plain scalar's text; `None` for spellings we do not resolve with certainty.
fn resolve_plain(s: &str) -> Option<Node<'_>> {
    let Some(&first) = s.as_bytes().first() else {
        return Some(Node::Null);
    };
    match first {
        b'0'..=b'9' | b'-' | b'+' | b'.' => return resolve_numberish(s),
        b'~' if s.len() == 1 => return Some(Node::Null),
        b'n' | b'N' if s.len() == 4 && s.eq_ignore_ascii_case("null") => {
            // `nULL` and friends are strings to serde-saphyr; leave them to it.
            return matches!(s, "null" | "Null" | "NULL").then_some(Node::Null);
        }
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' if s.len() <= 5 => {
            if let Some(b) = yaml11_bool(s) {
                return Some(Node::Bool(b));
            }
        }
        // `inf`, `nan`, `infinity` (unlike `.inf`) are strings: only YAML spellings are floats.
        _ => {}
    }
    Some(Node::Str(Cow::Borrowed(s)))
}

/// A plain scalar starting with a digit, sign or dot.
fn resolve_numberish(s: &str) -> Option<Node<'_>> {
    let neg = s.starts_with('-');
    let u = if neg { &s[1..] } else { s };
    let ub = u.as_bytes();
    let int_len = ub.iter().take_while(|c| c.is_ascii_digit()).count();
    if int_len > 0 && (int_len == 1 || ub[0] != b'0') {
        if int_len == ub.len() {
            // 18 digits always fit i64; longer ones (and `-0`) are left to the full parser.
            if int_len > 18 || (neg && u == "0") {
                return None;
            }
            let mut v: i64 = 0;
            for &d in ub {
                v = v * 10 + i64::from(d - b'0');
            }
            return Some(Node::Int(if neg { -v } else { v }));
        }
        let frac = &ub[int_len..];
        if frac.len() > 1 && frac[0] == b'.' && frac[1..].iter().all(u8::is_ascii_digit) {
            let f: f64 = s.parse().ok()?;
            return f.is_finite().then_some(Node::Float(f));
        }
    }
    // Not a simple number: a string only when no integer or float reading could apply.
    if s.starts_with('+') {
        return None;
    }
    let first = *ub.first()?;
    // Integers may hold underscores (`1_000`, `0x_1F`) and radix prefixes.
    if first.is_ascii_digit() && s.contains('_') {
        return None;
    }
    if first == b'0' && matches!(ub.get(1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')) {
        return None;
    }
    if first == b'.' {
        let rest = &u[1..];
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("nan") {
            return None;
        }
    }
    // Dates (`2024-04-01`) stay strings too: serde-saphyr resolves no timestamps untagged.
    if s.parse::<f64>().is_ok() {
        return None;
    }
    Some(Node::Str(Cow::Borrowed(s)))
}

#[cfg(test)]
mod tests;

/// The tree as serde-saphyr hands YAML to `serde_json::Value`: integers stay integers,
/// floats floats (a non-finite float, which the reader never produces, becomes null).
/// Recursion is bounded by the depth given to [`parse`].
pub fn to_json(n: Node<'_>) -> serde_json::Value {
    use serde_json::Value;
    match n {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::from(i),
        Node::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Node::Str(s) => Value::String(s.into_owned()),
        Node::Seq(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Node::Map(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.into_owned(), to_json(v)))
                .collect(),
        ),
    }
}
