//! The lexer: template text to tokens, following Go's `text/template/parse/lex.go` state
//! by state (trim markers, comments, the characters that end a word).
//!
//! Tokens are small and `Copy` (kind and byte span: no text is copied and no line is
//! computed; lines are counted only when an error needs one) and are made on demand, an
//! action at a time, as the parser asks for them. Blanks inside actions make no tokens
//! (the parser sees them as gaps between tokens). Plain text, the bulk of a template, is
//! scanned eight bytes at a time for `{`; inside actions the lexer looks at bytes and
//! decodes UTF-8 only for non-ASCII ones. A lexical error becomes a [`Tok::Error`] token
//! at the place it happened and ends the stream (its message is [`Lexer::error`]), so the
//! parser reports whichever error comes first in the text, as Go's concurrent lexer does.

use std::sync::{Arc, OnceLock};

/// Token kinds (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Error,
    Bool,
    Char,
    CharConst,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    String,
    Text,
    Variable,
    // Keywords (Go prints these as `<word>` in errors).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Tok {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

/// One token: kind and byte span in the source.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.pos..self.end).unwrap_or("")
    }

    /// How Go's `item.String()` shows this token in "unexpected X in Y" errors;
    /// `error` is the lexer's message, shown for [`Tok::Error`].
    pub fn describe(&self, src: &str, error: &str) -> String {
        let val = self.text(src);
        match self.kind {
            Tok::Eof => "EOF".into(),
            Tok::Error => error.to_string(),
            k if k.is_keyword() => format!("<{val}>"),
            _ => {
                if val.len() > 10 {
                    let short: String = val.chars().take(10).collect();
                    format!("{}...", crate::fmt::quote_str(&short))
                } else {
                    crate::fmt::quote_str(val)
                }
            }
        }
    }
}

/// 1-based line of a byte offset, counted on demand (only errors need lines).
pub(crate) fn line_at(src: &str, pos: usize) -> usize {
    let b = src.as_bytes();
    1 + b[..pos.min(b.len())]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
}

/// Line and column lookup for byte offsets of one source text. The newline table is
/// built on the first lookup: execution asks only when it reports an error.
#[derive(Debug)]
pub(crate) struct Lines {
    text: Arc<str>,
    newlines: OnceLock<Vec<usize>>,
}

impl Lines {
    pub fn new(text: Arc<str>) -> Lines {
        Lines {
            text,
            newlines: OnceLock::new(),
        }
    }

    fn table(&self) -> &[usize] {
        self.newlines.get_or_init(|| {
            let b = self.text.as_bytes();
            let mut v = Vec::new();
            let mut at = 0;
            while let Some(x) = find_byte(b'\n', &self.text, at) {
                v.push(x);
                at = x + 1;
            }
            debug_assert!(v.iter().all(|&i| b[i] == b'\n'));
            v
        })
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, pos: usize) -> usize {
        self.table().partition_point(|&nl| nl < pos) + 1
    }

    /// 0-based byte column of a byte offset (Go's `ErrorContext`).
    pub fn col(&self, pos: usize) -> usize {
        let nl = self.table();
        let idx = nl.partition_point(|&nl| nl < pos);
        if idx == 0 {
            pos
        } else {
            pos - (nl[idx - 1] + 1)
        }
    }
}

/// First `needle` (ASCII) at or after byte `from` of `s`. `str::find` with a `char`
/// runs the standard library's word-at-a-time `memchr`.
fn find_byte(needle: u8, s: &str, from: usize) -> Option<usize> {
    debug_assert!(needle.is_ascii());
    s.get(from..)?.find(needle as char).map(|x| from + x)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// ASCII bytes that continue a word: letters, digits, `_`.
static WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_';
        i += 1;
    }
    t
};

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Go's `%#U`: `U+0041 'A'`.
pub(crate) fn go_unicode(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

/// Tokens of one source text, made on demand: each [`Lexer::lex_more`] appends the next
/// piece (some text and the action after it), so the parser needs no token vector for the
/// whole file. After the final `Eof` or `Error` token nothing more is appended.
pub(crate) struct Lexer<'s> {
    src: &'s str,
    b: &'s [u8],
    pos: usize,
    /// Tokens lexed so far; the parser may drain the front of it.
    pub toks: Vec<Token>,
    paren: i32,
    /// The message of the final `Error` token, if the text has a lexical error.
    pub error: Option<String>,
    done: bool,
}

/// Every token of `src` (tests look at the whole stream).
#[cfg(test)]
pub(crate) fn lex(src: &str) -> Lexer<'_> {
    let mut lx = Lexer::new(src);
    while lx.lex_more() {}
    lx
}

impl<'s> Lexer<'s> {
    #[inline]
    fn emit(&mut self, kind: Tok, pos: usize, end: usize) {
        self.toks.push(Token { kind, pos, end });
    }

    /// Emit the final `Error` token.
    fn error(&mut self, pos: usize, msg: String) {
        self.toks.push(Token {
            kind: Tok::Error,
            pos,
            end: pos,
        });
        self.error = Some(msg);
        self.done = true;
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    /// The character at byte `at` (always a character boundary here).
    fn char_at(&self, at: usize) -> Option<char> {
        self.src.get(at..).and_then(|r| r.chars().next())
    }

    /// `{{` at or after `from`. Text is scanned eight bytes at a time for `{` (plain
    /// text is most of a template, and the runs between actions are short, so this beats
    /// a call to `memchr` per run).
    fn find_left_delim(&self, from: usize) -> Option<usize> {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        const BRACES: u64 = LO * b'{' as u64;
        let b = self.b;
        let mut i = from;
        while let Some(chunk) = b.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            // A zero byte of `x` is a `{`; the lowest flagged byte is always a true one.
            let x = u64::from_le_bytes(w) ^ BRACES;
            let found = x.wrapping_sub(LO) & !x & HI;
            if found == 0 {
                i += 8;
                continue;
            }
            let at = i + (found.trailing_zeros() / 8) as usize;
            if self.byte(at + 1) == Some(b'{') {
                return Some(at);
            }
            i = at + 1;
        }
        while i < b.len() {
            if b[i] == b'{' && self.byte(i + 1) == Some(b'{') {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// `}}` at `at`, or ` -}}` (any of Go's four spaces before the `-`): `(found, trim)`.
    fn at_right_delim(&self, at: usize) -> (bool, bool) {
        match self.byte(at) {
            Some(b'}') => (self.byte(at + 1) == Some(b'}'), false),
            Some(c) if is_space(c) => {
                let trim = self.byte(at + 1) == Some(b'-')
                    && self.byte(at + 2) == Some(b'}')
                    && self.byte(at + 3) == Some(b'}');
                (trim, trim)
            }
            _ => (false, false),
        }
    }

    fn skip_spaces(&self, mut at: usize) -> usize {
        while self.byte(at).is_some_and(is_space) {
            at += 1;
        }
        at
    }

    pub fn new(src: &'s str) -> Lexer<'s> {
        Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            toks: Vec::with_capacity(64),
            paren: 0,
            error: None,
            done: false,
        }
    }

    /// Append the next piece of tokens: text up to the next action and the whole action,
    /// or the rest of the text and `Eof`, or everything up to an `Error`. False when the
    /// stream had already ended.
    pub fn lex_more(&mut self) -> bool {
        if self.done {
            return false;
        }
        let n = self.toks.len();
        // A comment alone yields no token: go on to the next action.
        while !self.done && self.toks.len() == n {
            self.text_and_action();
        }
        true
    }

    /// Text state, then one comment or action.
    fn text_and_action(&mut self) {
        let b = self.b;
        {
            let start = self.pos;
            let Some(delim) = self.find_left_delim(start) else {
                if start < b.len() {
                    self.emit(Tok::Text, start, b.len());
                }
                self.emit(Tok::Eof, b.len(), b.len());
                self.done = true;
                return;
            };
            // `{{- ` trims the whitespace before the action.
            let trim =
                self.byte(delim + 2) == Some(b'-') && self.byte(delim + 3).is_some_and(is_space);
            let mut text_end = delim;
            if trim {
                while text_end > start && is_space(b[text_end - 1]) {
                    text_end -= 1;
                }
            }
            if text_end > start {
                self.emit(Tok::Text, start, text_end);
            }
            // Left delimiter state.
            let p = delim + if trim { 4 } else { 2 };
            if self.byte(p) == Some(b'/') && self.byte(p + 1) == Some(b'*') {
                self.comment(p);
                return;
            }
            self.emit(Tok::LeftDelim, delim, delim + 2);
            self.pos = p;
            self.paren = 0;
            self.inside_action();
        }
    }

    /// A comment starting at `p` (at `/*`). Returns false after an error.
    fn comment(&mut self, p: usize) -> bool {
        let body = p + 2;
        let mut from = body;
        let end = loop {
            match find_byte(b'*', self.src, from) {
                Some(x) if self.byte(x + 1) == Some(b'/') => break x,
                Some(x) => from = x + 1,
                None => {
                    self.error(p, "unclosed comment".into());
                    return false;
                }
            }
        };
        let mut q = end + 2;
        let (delim, trim) = self.at_right_delim(q);
        if !delim {
            self.error(p, "comment ends before closing delimiter".into());
            return false;
        }
        if trim {
            q += 2;
        }
        q += 2;
        if trim {
            q = self.skip_spaces(q);
        }
        self.pos = q;
        true
    }

    /// Lex inside `{{ }}`; returns false after an error.
    fn inside_action(&mut self) -> bool {
        loop {
            let start = self.pos;
            let Some(c) = self.byte(start) else {
                self.error(start, "unclosed action".into());
                return false;
            };
            let (delim, trim) = match c {
                b'}' | b' ' | b'\t' | b'\r' | b'\n' => self.at_right_delim(start),
                _ => (false, false),
            };
            if delim {
                if self.paren != 0 {
                    self.error(start, "unclosed left paren".into());
                    return false;
                }
                let at = if trim { start + 2 } else { start };
                self.emit(Tok::RightDelim, at, at + 2);
                self.pos = if trim {
                    self.skip_spaces(at + 2)
                } else {
                    at + 2
                };
                return true;
            }
            self.pos = start + 1;
            let ok = match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.space(start);
                    true
                }
                b'=' => {
                    self.emit(Tok::Assign, start, start + 1);
                    true
                }
                b':' => {
                    if self.byte(start + 1) == Some(b'=') {
                        self.pos = start + 2;
                        self.emit(Tok::Declare, start, start + 2);
                        true
                    } else {
                        self.error(start, "expected :=".into());
                        false
                    }
                }
                b'|' => {
                    self.emit(Tok::Pipe, start, start + 1);
                    true
                }
                b'"' => self.quote(start, b'"', "unterminated quoted string", Tok::String),
                b'`' => self.raw_quote(start),
                b'$' => self.field_or_var(start, Tok::Variable),
                b'\'' => self.quote(
                    start,
                    b'\'',
                    "unterminated character constant",
                    Tok::CharConst,
                ),
                b'.' => {
                    if self.byte(start + 1).is_some_and(|d| d.is_ascii_digit()) {
                        self.number(start)
                    } else {
                        self.field_or_var(start, Tok::Field)
                    }
                }
                b'+' | b'-' | b'0'..=b'9' => self.number(start),
                b'_' | b'a'..=b'z' | b'A'..=b'Z' => self.identifier(start),
                b'(' => {
                    self.emit(Tok::LeftParen, start, start + 1);
                    self.paren += 1;
                    true
                }
                b')' => {
                    self.paren -= 1;
                    if self.paren < 0 {
                        self.error(start, "unexpected right paren".into());
                        false
                    } else {
                        self.emit(Tok::RightParen, start, start + 1);
                        true
                    }
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Tok::Char, start, start + 1);
                    true
                }
                _ => {
                    // A control character, or the first byte of a non-ASCII character:
                    // letters and digits of any script start an identifier.
                    let ch = self.char_at(start).unwrap_or(char::REPLACEMENT_CHARACTER);
                    if is_alnum(ch) {
                        self.identifier(start)
                    } else {
                        self.error(
                            start,
                            format!("unrecognized character in action: {}", go_unicode(ch)),
                        );
                        false
                    }
                }
            };
            if !ok {
                return false;
            }
        }
    }

    /// Skip a run of blanks starting at `start`. Unlike Go, no token is made: the parser
    /// sees blanks as a gap between tokens.
    fn space(&mut self, start: usize) {
        self.pos = self.skip_spaces(start);
        // A blank that begins a trim-marked right delimiter belongs to the delimiter.
        if self.byte(self.pos) == Some(b'-')
            && self.byte(self.pos + 1) == Some(b'}')
            && self.byte(self.pos + 2) == Some(b'}')
        {
            self.pos -= 1;
        }
    }

    fn at_terminator(&self) -> bool {
        match self.byte(self.pos) {
            None => true,
            Some(b) if is_space(b) => true,
            // Go checks only the first character of the right delimiter.
            Some(b'.' | b',' | b'|' | b':' | b')' | b'(' | b'}') => true,
            Some(_) => false,
        }
    }

    fn scan_alnum(&mut self) {
        let b = self.b;
        let mut i = self.pos;
        while let Some(&c) = b.get(i) {
            if WORD[c as usize] {
                i += 1;
            } else if c.is_ascii() {
                break;
            } else {
                match self.char_at(i) {
                    Some(ch) if is_alnum(ch) => i += ch.len_utf8(),
                    _ => break,
                }
            }
        }
        self.pos = i;
    }

    fn bad_char(&mut self) -> bool {
        let c = self.char_at(self.pos).unwrap_or('\u{0}');
        self.error(self.pos, format!("bad character {}", go_unicode(c)));
        false
    }

    /// After `.` or `$` (already consumed).
    fn field_or_var(&mut self, start: usize, kind: Tok) -> bool {
        if self.at_terminator() {
            let k = if kind == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            };
            self.emit(k, start, self.pos);
            return true;
        }
        self.scan_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        self.emit(kind, start, self.pos);
        true
    }

    /// A word starting at `start` (its first character already known to be alphanumeric).
    fn identifier(&mut self, start: usize) -> bool {
        self.pos = start;
        self.scan_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        let kind = match &self.b[start..self.pos] {
            b"block" => Tok::Block,
            b"break" => Tok::Break,
            b"continue" => Tok::Continue,
            b"define" => Tok::Define,
            b"else" => Tok::Else,
            b"end" => Tok::End,
            b"if" => Tok::If,
            b"nil" => Tok::Nil,
            b"range" => Tok::Range,
            b"template" => Tok::Template,
            b"with" => Tok::With,
            b"true" | b"false" => Tok::Bool,
            _ => Tok::Identifier,
        };
        self.emit(kind, start, self.pos);
        true
    }

    fn accept(&mut self, set: &[u8]) -> bool {
        if let Some(b) = self.byte(self.pos)
            && set.contains(&b)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn accept_run(&mut self, set: &[u8]) {
        while self.accept(set) {}
    }

    /// Go's `scanNumber`: accepts a superset of valid numbers (the parser checks them);
    /// false when a letter or digit follows what it accepted.
    fn scan_number(&mut self) -> bool {
        const DEC: &[u8] = b"0123456789_";
        const HEX: &[u8] = b"0123456789abcdefABCDEF_";
        self.accept(b"+-");
        let mut digits = DEC;
        if self.accept(b"0") {
            if self.accept(b"xX") {
                digits = HEX;
            } else if self.accept(b"oO") {
                digits = b"01234567_";
            } else if self.accept(b"bB") {
                digits = b"01_";
            }
        }
        self.accept_run(digits);
        if self.accept(b".") {
            self.accept_run(digits);
        }
        if digits == DEC && self.accept(b"eE") {
            self.accept(b"+-");
            self.accept_run(DEC);
        }
        if digits == HEX && self.accept(b"pP") {
            self.accept(b"+-");
            self.accept_run(DEC);
        }
        self.accept(b"i");
        if let Some(c) = self.char_at(self.pos)
            && is_alnum(c)
        {
            self.pos += c.len_utf8();
            return false;
        }
        true
    }

    /// A number starting at `start` (nothing consumed yet).
    fn number(&mut self, start: usize) -> bool {
        self.pos = start;
        let bad = |lx: &mut Self| {
            let t = &lx.src[start..lx.pos];
            let msg = format!("bad number syntax: {}", crate::fmt::quote_str(t));
            lx.error(start, msg);
            false
        };
        if !self.scan_number() {
            return bad(self);
        }
        if matches!(self.byte(self.pos), Some(b'+' | b'-')) {
            if !self.scan_number() || self.byte(self.pos - 1) != Some(b'i') {
                return bad(self);
            }
            self.emit(Tok::Complex, start, self.pos);
            return true;
        }
        self.emit(Tok::Number, start, self.pos);
        true
    }

    /// A quoted string or character constant; the opening quote at `start` is consumed.
    /// A backslash escapes any character but a newline; a newline or the end of input
    /// before the closing quote is an error.
    fn quote(&mut self, start: usize, close: u8, unterminated: &str, kind: Tok) -> bool {
        let b = self.b;
        let mut i = start + 1;
        loop {
            match b.get(i) {
                Some(b'\\') if b.get(i + 1).is_some_and(|&c| c != b'\n') => i += 2,
                None | Some(b'\\' | b'\n') => {
                    self.error(start, unterminated.into());
                    return false;
                }
                Some(&c) if c == close => break,
                // Non-ASCII characters are skipped byte by byte: none of their bytes
                // is ASCII, so none can be mistaken for a quote, backslash or newline.
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        self.emit(kind, start, self.pos);
        true
    }

    fn raw_quote(&mut self, start: usize) -> bool {
        match find_byte(b'`', self.src, start + 1) {
            Some(x) => {
                self.pos = x + 1;
                self.emit(Tok::RawString, start, self.pos);
                true
            }
            None => {
                self.error(start, "unterminated raw quoted string".into());
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, String)> {
        let lexed = lex(src);
        lexed
            .toks
            .iter()
            .map(|t| {
                let text = match t.kind {
                    Tok::Error => lexed.error.clone().unwrap_or_default(),
                    _ => t.text(src).to_string(),
                };
                (t.kind, text)
            })
            .collect()
    }

    fn err_at(src: &str) -> (String, usize) {
        let lexed = lex(src);
        let last = lexed.toks.last().unwrap();
        assert_eq!(last.kind, Tok::Error, "{src:?}");
        (lexed.error.unwrap(), last.pos)
    }

    #[test]
    fn text_and_actions() {
        use Tok::*;
        assert_eq!(
            kinds("a {{ .x | f 1 }} b"),
            vec![
                (Text, "a ".into()),
                (LeftDelim, "{{".into()),
                (Field, ".x".into()),
                (Pipe, "|".into()),
                (Identifier, "f".into()),
                (Number, "1".into()),
                (RightDelim, "}}".into()),
                (Text, " b".into()),
                (Eof, "".into()),
            ]
        );
        // Single braces are text; `{{` right after a `{` still opens an action.
        assert_eq!(
            kinds("a{b}{{{x}}"),
            vec![
                (Text, "a{b}".into()),
                (LeftDelim, "{{".into()),
                (Char, "{".into()),
                (Identifier, "x".into()),
                (RightDelim, "}}".into()),
                (Eof, "".into()),
            ]
        );
        assert_eq!(kinds(""), vec![(Eof, "".into())]);
        // `{{` found at every offset within and across eight-byte words.
        for pad in 0..20 {
            for single in [false, true] {
                let mut src = "x".repeat(pad);
                if single {
                    src.insert(pad / 2, '{');
                }
                src.push_str("{{.}}é");
                let toks = lex(&src).toks;
                let left = toks.iter().find(|t| t.kind == LeftDelim).unwrap();
                assert_eq!(Some(left.pos), src.find("{{"), "{src:?}");
            }
        }
        assert_eq!(kinds("é}}"), vec![(Text, "é}}".into()), (Eof, "".into())]);
    }

    #[test]
    fn trim_markers_and_comments() {
        use Tok::*;
        // A left trim removes whitespace before; a right trim whitespace after.
        assert_eq!(
            kinds("a \n {{- 1 -}} \n b"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Number, "1".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "".into()),
            ]
        );
        // Any of the four spaces works around the marker; the text may vanish entirely.
        assert_eq!(
            kinds(" \t\r\n{{-\t1\n-}}\r\n"),
            vec![
                (LeftDelim, "{{".into()),
                (Number, "1".into()),
                (RightDelim, "}}".into()),
                (Eof, "".into()),
            ]
        );
        // Blanks make no tokens; the last blank before `-}}` belongs to the delimiter.
        let toks = lex("{{ x   -}}").toks;
        assert_eq!(
            toks.iter()
                .map(|t| (t.kind, t.pos, t.end))
                .collect::<Vec<_>>(),
            vec![
                (LeftDelim, 0, 2),
                (Identifier, 3, 4),
                (RightDelim, 8, 10),
                (Eof, 10, 10)
            ]
        );
        // Without a space `-` is not a trim marker: `{{-3}}` is the number -3, `x-}}` a
        // bad character, `{{-}}` the number "-".
        assert_eq!(kinds("{{-3}}")[1], (Number, "-3".into()));
        assert_eq!(kinds("{{ 3 -3}}")[2], (Number, "-3".into()));
        assert_eq!(kinds("{{-}}")[1], (Number, "-".into()));
        assert_eq!(
            err_at("{{ x-}}"),
            ("bad character U+002D '-'".to_string(), 4)
        );
        // A comment with only a left trim keeps what follows.
        assert_eq!(
            kinds("a\n{{- /* c */}}\nb"),
            vec![(Text, "a".into()), (Text, "\nb".into()), (Eof, "".into())]
        );
        assert_eq!(
            kinds("a \n{{/* c\n}} */ -}} \nb"),
            vec![(Text, "a \n".into()), (Text, "b".into()), (Eof, "".into())]
        );
        assert_eq!(
            err_at("{{- /* c */ }}"),
            ("comment ends before closing delimiter".to_string(), 4)
        );
        assert_eq!(err_at("x{{/* c *"), ("unclosed comment".to_string(), 3));
        assert_eq!(
            err_at("x{{/* c */"),
            ("comment ends before closing delimiter".to_string(), 3)
        );
        // `/*` after a space is not a comment but a Char token.
        assert_eq!(kinds("{{ /* */}}")[1], (Char, "/".into()));
    }

    #[test]
    fn words_and_literals() {
        use Tok::*;
        let k: Vec<Tok> = kinds(r#"{{ $x := .a.b $ . nil true if "s" `r` 'c' 0x1F ( ) , = }}"#)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            k,
            vec![
                LeftDelim, Variable, Declare, Field, Field, Variable, Dot, Nil, Bool, If, String,
                RawString, CharConst, Number, LeftParen, RightParen, Char, Assign, RightDelim, Eof
            ]
        );
        let w = kinds(
            "{{ 0x1F 1e3 1_000 .5 -2.5e-3 0b101 0o17 0x1p-2 1i 1+2i 'a' '\\'' '\\n' 'é' \"a\\\"b\" `a\nb` }}",
        );
        let texts: Vec<&str> = w[1..w.len() - 2].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "0x1F",
                "1e3",
                "1_000",
                ".5",
                "-2.5e-3",
                "0b101",
                "0o17",
                "0x1p-2",
                "1i",
                "1+2i",
                "'a'",
                "'\\''",
                "'\\n'",
                "'é'",
                "\"a\\\"b\"",
                "`a\nb`"
            ]
        );
        assert_eq!(w[10].0, Complex);
        assert_eq!(w[11].0, CharConst);
        // Unicode letters make identifiers and fields; other symbols are errors.
        assert_eq!(
            kinds("{{ é .ñx $ü }}")[1..4].to_vec(),
            vec![
                (Identifier, "é".into()),
                (Field, ".ñx".into()),
                (Variable, "$ü".into()),
            ]
        );
        assert_eq!(
            err_at("{{ € }}"),
            (
                "unrecognized character in action: U+20AC '€'".to_string(),
                3
            )
        );
        assert_eq!(
            err_at("{{ \u{1} }}"),
            ("unrecognized character in action: U+0001".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ 1x }}"),
            ("bad number syntax: \"1x\"".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ 1é }}"),
            ("bad number syntax: \"1é\"".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ 1+2 }}"),
            ("bad number syntax: \"1+2\"".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ .a-b }}"),
            ("bad character U+002D '-'".to_string(), 5)
        );
        assert_eq!(
            err_at("{{ .a€ }}"),
            ("bad character U+20AC '€'".to_string(), 5)
        );
        assert_eq!(err_at("{{ ) }}"), ("unexpected right paren".to_string(), 3));
        assert_eq!(err_at("{{ : }}"), ("expected :=".to_string(), 3));
        assert_eq!(err_at("{{ x"), ("unclosed action".to_string(), 4));
    }

    #[test]
    fn parens_and_multiline_actions() {
        use Tok::*;
        let k: Vec<Tok> = kinds("{{ (f (g\n  .x)\n | h) }}")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            k,
            vec![
                LeftDelim, LeftParen, Identifier, LeftParen, Identifier, Field, RightParen, Pipe,
                Identifier, RightParen, RightDelim, Eof
            ]
        );
        assert_eq!(err_at("{{ (f }}"), ("unclosed left paren".to_string(), 6));
        assert_eq!(err_at("{{ (f -}}"), ("unclosed left paren".to_string(), 5));
        // The paren count restarts with each action.
        assert_eq!(kinds("{{ ( }}")[2].0, Error);
        assert_eq!(kinds("{{ x }}{{ ) }}")[4].0, Error);
    }

    #[test]
    fn unterminated_quotes() {
        assert_eq!(
            err_at("ab\n{{ \"a }}"),
            ("unterminated quoted string".to_string(), 6)
        );
        assert_eq!(
            err_at("{{ \"a\nb\" }}"),
            ("unterminated quoted string".to_string(), 3)
        );
        // An escaped newline does not continue the string.
        assert_eq!(
            err_at("{{ \"a\\\nb\" }}"),
            ("unterminated quoted string".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ \"a\\"),
            ("unterminated quoted string".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ 'a }}"),
            ("unterminated character constant".to_string(), 3)
        );
        assert_eq!(
            err_at("{{ `a }}"),
            ("unterminated raw quoted string".to_string(), 3)
        );
    }

    #[test]
    fn lines_and_columns() {
        let l = Lines::new(Arc::from("ab\ncd\n\nef"));
        assert_eq!((l.line(0), l.col(0)), (1, 0));
        assert_eq!((l.line(4), l.col(4)), (2, 1));
        assert_eq!((l.line(7), l.col(7)), (4, 0));
        assert_eq!((l.line(9), l.col(9)), (4, 2));
        assert_eq!(line_at("ab\ncd\n\nef", 7), 4);
        assert_eq!(line_at("ab\ncd\n\nef", 2), 1);
        assert_eq!(line_at("ab", 99), 1);
    }
}
