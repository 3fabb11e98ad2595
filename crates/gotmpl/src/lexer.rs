//! The lexer: template text to tokens, following Go's `text/template/parse/lex.go` state
//! by state (trim markers, comments, the characters that end a word).
//!
//! The whole input is lexed up front. A lexical error becomes an [`Tok::Error`] token at
//! the place it happened and ends the stream, so the parser reports whichever error comes
//! first in the text, as Go's concurrent lexer does.

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
    Space,
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

/// One token: kind, byte span in the source, and for errors the message.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
    pub end: usize,
    /// 1-based line of `pos`.
    pub line: usize,
    /// Error message for [`Tok::Error`].
    pub msg: Option<String>,
}

impl Token {
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.pos..self.end).unwrap_or("")
    }

    /// How Go's `item.String()` shows this token in "unexpected X in Y" errors.
    pub fn describe(&self, src: &str) -> String {
        let val = self.text(src);
        match self.kind {
            Tok::Eof => "EOF".into(),
            Tok::Error => self.msg.clone().unwrap_or_default(),
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

/// Line lookup for byte offsets.
#[derive(Debug)]
pub(crate) struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    pub fn new(src: &str) -> Lines {
        Lines {
            newlines: src
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }
    /// 1-based line of a byte offset.
    pub fn line(&self, pos: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < pos) + 1
    }
    /// 0-based byte column of a byte offset (Go's `ErrorContext`).
    pub fn col(&self, pos: usize) -> usize {
        let idx = self.newlines.partition_point(|&nl| nl < pos);
        if idx == 0 {
            pos
        } else {
            pos - (self.newlines[idx - 1] + 1)
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

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

struct Lexer<'s> {
    src: &'s str,
    b: &'s [u8],
    pos: usize,
    lines: &'s Lines,
    toks: Vec<Token>,
    paren: i32,
}

/// Lex `src` completely. The result always ends with an `Eof` or `Error` token.
pub(crate) fn lex(src: &str, lines: &Lines) -> Vec<Token> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        lines,
        toks: Vec::new(),
        paren: 0,
    };
    lx.run();
    lx.toks
}

impl<'s> Lexer<'s> {
    fn emit(&mut self, kind: Tok, start: usize, end: usize) {
        self.toks.push(Token {
            kind,
            pos: start,
            end,
            line: self.lines.line(start),
            msg: None,
        });
    }

    fn error(&mut self, start: usize, msg: String) {
        self.toks.push(Token {
            kind: Tok::Error,
            pos: start,
            end: start,
            line: self.lines.line(start),
            msg: Some(msg),
        });
    }

    fn rest(&self, at: usize) -> &'s str {
        self.src.get(at..).unwrap_or("")
    }

    fn has_left_trim(&self, at: usize) -> bool {
        let r = self.rest(at).as_bytes();
        r.len() >= 2 && r[0] == b'-' && is_space(r[1])
    }

    fn has_right_trim(&self, at: usize) -> bool {
        let r = self.rest(at).as_bytes();
        r.len() >= 2 && is_space(r[0]) && r[1] == b'-'
    }

    /// (at a right delimiter, with a trim marker)
    fn at_right_delim(&self, at: usize) -> (bool, bool) {
        if self.has_right_trim(at) && self.rest(at + 2).starts_with(RIGHT) {
            return (true, true);
        }
        (self.rest(at).starts_with(RIGHT), false)
    }

    fn left_trim_len(&self, at: usize) -> usize {
        self.rest(at).bytes().take_while(|b| is_space(*b)).count()
    }

    fn peek_char(&self) -> Option<char> {
        self.rest(self.pos).chars().next()
    }

    fn run(&mut self) {
        loop {
            // Text state.
            let start = self.pos;
            match self.rest(start).find(LEFT) {
                None => {
                    if start < self.b.len() {
                        self.emit(Tok::Text, start, self.b.len());
                    }
                    let n = self.b.len();
                    self.emit(Tok::Eof, n, n);
                    return;
                }
                Some(x) => {
                    let delim = start + x;
                    let trim = self.has_left_trim(delim + LEFT.len());
                    let mut text_end = delim;
                    if trim {
                        let t = &self.b[start..delim];
                        let keep = t.len() - t.iter().rev().take_while(|b| is_space(**b)).count();
                        text_end = start + keep;
                    }
                    if text_end > start {
                        self.emit(Tok::Text, start, text_end);
                    }
                    // Left delimiter state.
                    let mut p = delim + LEFT.len();
                    let after = if trim { 2 } else { 0 };
                    if self.rest(p + after).starts_with("/*") {
                        p += after;
                        if !self.comment(p) {
                            return;
                        }
                        continue;
                    }
                    self.emit(Tok::LeftDelim, delim, delim + LEFT.len());
                    self.pos = p + after;
                    self.paren = 0;
                    if !self.inside_action() {
                        return;
                    }
                }
            }
        }
    }

    /// A comment starting at `p` (at `/*`). Returns false after an error.
    fn comment(&mut self, p: usize) -> bool {
        let body = p + 2;
        let Some(x) = self.rest(body).find("*/") else {
            self.error(p, "unclosed comment".into());
            return false;
        };
        let mut q = body + x + 2;
        let (delim, trim) = self.at_right_delim(q);
        if !delim {
            self.error(p, "comment ends before closing delimiter".into());
            return false;
        }
        if trim {
            q += 2;
        }
        q += RIGHT.len();
        if trim {
            q += self.left_trim_len(q);
        }
        self.pos = q;
        true
    }

    /// Lex inside `{{ }}`; returns false after an error.
    fn inside_action(&mut self) -> bool {
        loop {
            let (delim, trim) = self.at_right_delim(self.pos);
            if delim {
                if self.paren == 0 {
                    if trim {
                        self.pos += 2;
                    }
                    self.emit(Tok::RightDelim, self.pos, self.pos + RIGHT.len());
                    self.pos += RIGHT.len();
                    if trim {
                        self.pos += self.left_trim_len(self.pos);
                    }
                    return true;
                }
                self.error(self.pos, "unclosed left paren".into());
                return false;
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                self.error(start, "unclosed action".into());
                return false;
            };
            self.pos += c.len_utf8();
            let ok = match c {
                ' ' | '\t' | '\r' | '\n' => {
                    self.pos = start;
                    self.space();
                    true
                }
                '=' => {
                    self.emit(Tok::Assign, start, self.pos);
                    true
                }
                ':' => {
                    if self.rest(self.pos).starts_with('=') {
                        self.pos += 1;
                        self.emit(Tok::Declare, start, self.pos);
                        true
                    } else {
                        self.error(start, "expected :=".into());
                        false
                    }
                }
                '|' => {
                    self.emit(Tok::Pipe, start, self.pos);
                    true
                }
                '"' => self.quote(start),
                '`' => self.raw_quote(start),
                '$' => self.field_or_var(start, Tok::Variable),
                '\'' => self.char_const(start),
                '.' => {
                    let next = self.b.get(self.pos).copied();
                    if next.is_some_and(|d| d.is_ascii_digit()) {
                        self.pos = start;
                        self.number(start)
                    } else {
                        self.field_or_var(start, Tok::Field)
                    }
                }
                '+' | '-' | '0'..='9' => {
                    self.pos = start;
                    self.number(start)
                }
                c if is_alnum(c) => {
                    self.pos = start;
                    self.identifier(start)
                }
                '(' => {
                    self.emit(Tok::LeftParen, start, self.pos);
                    self.paren += 1;
                    true
                }
                ')' => {
                    self.paren -= 1;
                    if self.paren < 0 {
                        self.error(start, "unexpected right paren".into());
                        false
                    } else {
                        self.emit(Tok::RightParen, start, self.pos);
                        true
                    }
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Tok::Char, start, self.pos);
                    true
                }
                c => {
                    self.error(
                        start,
                        format!("unrecognized character in action: {}", go_unicode(c)),
                    );
                    false
                }
            };
            if !ok {
                return false;
            }
        }
    }

    fn space(&mut self) {
        let start = self.pos;
        let mut n = 0;
        while self.b.get(self.pos).is_some_and(|b| is_space(*b)) {
            self.pos += 1;
            n += 1;
        }
        // A space that begins a trim-marked right delimiter belongs to the delimiter.
        if self.has_right_trim(self.pos - 1) && self.rest(self.pos + 1).starts_with(RIGHT) {
            self.pos -= 1;
            if n == 1 {
                return;
            }
        }
        self.emit(Tok::Space, start, self.pos);
    }

    fn at_terminator(&self) -> bool {
        match self.b.get(self.pos) {
            None => true,
            Some(b) if is_space(*b) => true,
            Some(b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            // Go checks only the first character of the right delimiter.
            Some(b) => *b == RIGHT.as_bytes()[0],
        }
    }

    fn scan_alnum(&mut self) {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn bad_char(&mut self) -> bool {
        let c = self.peek_char().unwrap_or('\u{0}');
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

    fn identifier(&mut self, start: usize) -> bool {
        self.scan_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        let word = &self.src[start..self.pos];
        let kind = match word {
            "block" => Tok::Block,
            "break" => Tok::Break,
            "continue" => Tok::Continue,
            "define" => Tok::Define,
            "else" => Tok::Else,
            "end" => Tok::End,
            "if" => Tok::If,
            "nil" => Tok::Nil,
            "range" => Tok::Range,
            "template" => Tok::Template,
            "with" => Tok::With,
            "true" | "false" => Tok::Bool,
            _ => Tok::Identifier,
        };
        self.emit(kind, start, self.pos);
        true
    }

    fn accept(&mut self, set: &str) -> bool {
        if let Some(&b) = self.b.get(self.pos)
            && set.as_bytes().contains(&b)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    fn accept_run(&mut self, set: &str) {
        while self.accept(set) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek_char()
            && is_alnum(c)
        {
            self.pos += c.len_utf8();
            return false;
        }
        true
    }

    fn number(&mut self, start: usize) -> bool {
        if !self.scan_number() {
            let t = self.src[start..self.pos].to_string();
            self.error(
                start,
                format!("bad number syntax: {}", crate::fmt::quote_str(&t)),
            );
            return false;
        }
        if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
            if !self.scan_number() || self.b.get(self.pos - 1) != Some(&b'i') {
                let t = self.src[start..self.pos].to_string();
                self.error(
                    start,
                    format!("bad number syntax: {}", crate::fmt::quote_str(&t)),
                );
                return false;
            }
            self.emit(Tok::Complex, start, self.pos);
            return true;
        }
        self.emit(Tok::Number, start, self.pos);
        true
    }

    fn quote(&mut self, start: usize) -> bool {
        loop {
            match self.peek_char() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek_char() {
                        Some(c) if c != '\n' => self.pos += c.len_utf8(),
                        _ => {
                            self.error(start, "unterminated quoted string".into());
                            return false;
                        }
                    }
                }
                None | Some('\n') => {
                    self.error(start, "unterminated quoted string".into());
                    return false;
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::String, start, self.pos);
        true
    }

    fn raw_quote(&mut self, start: usize) -> bool {
        match self.rest(self.pos).find('`') {
            Some(x) => {
                self.pos += x + 1;
                self.emit(Tok::RawString, start, self.pos);
                true
            }
            None => {
                self.error(start, "unterminated raw quoted string".into());
                false
            }
        }
    }

    fn char_const(&mut self, start: usize) -> bool {
        loop {
            match self.peek_char() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek_char() {
                        Some(c) if c != '\n' => self.pos += c.len_utf8(),
                        _ => {
                            self.error(start, "unterminated character constant".into());
                            return false;
                        }
                    }
                }
                None | Some('\n') => {
                    self.error(start, "unterminated character constant".into());
                    return false;
                }
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::CharConst, start, self.pos);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, String)> {
        let lines = Lines::new(src);
        lex(src, &lines)
            .into_iter()
            .map(|t| {
                let text = match t.kind {
                    Tok::Error => t.msg.clone().unwrap_or_default(),
                    _ => t.text(src).to_string(),
                };
                (t.kind, text)
            })
            .collect()
    }

    #[test]
    fn text_and_actions() {
        use Tok::*;
        assert_eq!(
            kinds("a {{ .x | f 1 }} b"),
            vec![
                (Text, "a ".into()),
                (LeftDelim, "{{".into()),
                (Space, " ".into()),
                (Field, ".x".into()),
                (Space, " ".into()),
                (Pipe, "|".into()),
                (Space, " ".into()),
                (Identifier, "f".into()),
                (Space, " ".into()),
                (Number, "1".into()),
                (Space, " ".into()),
                (RightDelim, "}}".into()),
                (Text, " b".into()),
                (Eof, "".into()),
            ]
        );
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
        // A comment with only a left trim keeps what follows.
        assert_eq!(
            kinds("a\n{{- /* c */}}\nb"),
            vec![(Text, "a".into()), (Text, "\nb".into()), (Eof, "".into())]
        );
        assert_eq!(
            kinds("{{- /* c */ }}"),
            vec![(Error, "comment ends before closing delimiter".into())]
        );
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(kinds("{{-3}}")[1], (Number, "-3".into()));
    }

    #[test]
    fn words_and_literals() {
        use Tok::*;
        let k: Vec<Tok> = kinds(r#"{{ $x := .a.b $ . nil true if "s" `r` 'c' 0x1F ( ) , = }}"#)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| *k != Space)
            .collect();
        assert_eq!(
            k,
            vec![
                LeftDelim, Variable, Declare, Field, Field, Variable, Dot, Nil, Bool, If, String,
                RawString, CharConst, Number, LeftParen, RightParen, Char, Assign, RightDelim, Eof
            ]
        );
        assert_eq!(
            kinds("{{ 1x }}")[2],
            (Error, "bad number syntax: \"1x\"".into())
        );
        assert_eq!(
            kinds("{{ .a-b }}")[2],
            (Error, "bad character U+002D '-'".into())
        );
        assert_eq!(
            kinds("{{ ) }}")[2],
            (Error, "unexpected right paren".into())
        );
        assert_eq!(
            kinds("{{ \"a }}")[2],
            (Error, "unterminated quoted string".into())
        );
        assert_eq!(kinds("{{ x")[3], (Error, "unclosed action".into()));
    }

    #[test]
    fn lines_and_columns() {
        let l = Lines::new("ab\ncd\n\nef");
        assert_eq!((l.line(0), l.col(0)), (1, 0));
        assert_eq!((l.line(4), l.col(4)), (2, 1));
        assert_eq!((l.line(7), l.col(7)), (4, 0));
    }
}
