//! The parser: tokens to [`Tree`]s, following Go's `text/template/parse/parse.go`
//! (same grammar, same checks, same error wording).
//!
//! One call parses one file: its top-level tree plus every `define` and `block` in it.
//! Unlike Go, function names are not checked here (the parser does not see the function
//! map); an unknown function is reported when it is evaluated. Nesting of control
//! structures and parentheses is bounded by [`MAX_NESTING`] so hostile input cannot
//! exhaust the stack.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::*;
use crate::error::Error;
use crate::lexer::{Lines, Tok, Token, lex};

/// Deepest nesting of control structures and parentheses accepted.
pub const MAX_NESTING: usize = 100;

/// The result of parsing one file.
pub(crate) struct Parsed {
    pub top: Tree,
    /// `define`/`block` trees in source order.
    pub defines: Vec<Tree>,
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    idx: usize,
    /// Furthest token read, for the line of errors (Go's `token[0]`).
    seen: usize,
    source: Arc<Source>,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    action_line: usize,
    defines: Vec<Tree>,
    define_names: HashMap<String, usize>,
}

type PResult<T> = Result<T, Error>;

enum ListEnd {
    End,
    Else,
}

pub(crate) fn parse(name: &str, src: &str) -> Result<Parsed, Error> {
    let lines = Lines::new(src);
    let toks = lex(src, &lines);
    let source = Arc::new(Source {
        parse_name: Arc::from(name),
        lines,
    });
    let mut p = Parser {
        src,
        toks,
        idx: 0,
        seen: 0,
        source,
        vars: vec!["$".into()],
        range_depth: 0,
        depth: 0,
        action_line: 0,
        defines: Vec::new(),
        define_names: HashMap::new(),
    };
    let root = p.parse_top()?;
    let top = Tree {
        name: Arc::from(name),
        source: p.source.clone(),
        root,
    };
    Ok(Parsed {
        top,
        defines: p.defines,
    })
}

impl<'s> Parser<'s> {
    // ----- token access -----

    fn tok(&self, i: usize) -> &Token {
        let i = i.min(self.toks.len() - 1);
        &self.toks[i]
    }

    fn next(&mut self) -> Token {
        let t = self.tok(self.idx).clone();
        // Past the end, `tok` keeps returning the final Eof/Error token; the index still
        // moves so that `backup` stays symmetric.
        self.idx += 1;
        self.seen = self.seen.max(self.idx.saturating_sub(1));
        t
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn peek(&mut self) -> Token {
        self.seen = self.seen.max(self.idx);
        self.tok(self.idx).clone()
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn text(&self, t: &Token) -> &'s str {
        t.text(self.src)
    }

    // ----- errors -----

    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        let line = self.tok(self.seen).line;
        Err(Error::syntax(&self.source.parse_name, line, msg))
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if t.kind == Tok::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != t.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.source.parse_name, self.action_line
                );
                let msg = t.msg.as_deref().unwrap_or("");
                if msg.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.err(format!("{}{}", t.describe(self.src), extra));
        }
        self.err(format!(
            "unexpected {} in {}",
            t.describe(self.src),
            context
        ))
    }

    fn expect(&mut self, kind: Tok, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.err(format!(
                "template nesting deeper than {MAX_NESTING} levels (control structures and parentheses)"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- structure -----

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        loop {
            let t = self.peek();
            match t.kind {
                Tok::Eof => break,
                Tok::LeftDelim => {
                    let save = self.idx;
                    self.next();
                    if self.next_non_space().kind == Tok::Define {
                        self.parse_definition()?;
                        continue;
                    }
                    self.idx = save;
                }
                _ => {}
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End => return self.err("unexpected {{end}}"),
                Item::Else => return self.err("unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    /// Parse a nested template body with fresh variables and range depth.
    fn sub_template<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let rd = std::mem::replace(&mut self.range_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.range_depth = rd;
        r
    }

    fn add_define(&mut self, name: String, root: Vec<Node>) -> PResult<()> {
        let tree = Tree {
            name: Arc::from(name.as_str()),
            source: self.source.clone(),
            root,
        };
        if let Some(&i) = self.define_names.get(&name) {
            if self.defines[i].is_empty() {
                self.defines[i] = tree;
                return Ok(());
            }
            if !tree.is_empty() {
                return self.err(format!(
                    "template: multiple definition of template {}",
                    crate::fmt::quote_str(&name)
                ));
            }
            return Ok(());
        }
        self.define_names.insert(name, self.defines.len());
        self.defines.push(tree);
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let t = self.next_non_space();
        let name = match t.kind {
            Tok::String | Tok::RawString => self.unquote(&t)?,
            _ => return self.unexpected(&t, CONTEXT),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let (root, end) = self.sub_template(|p| p.item_list())?;
        if let ListEnd::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add_define(name, root)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space().kind == Tok::Eof {
                return self.err("unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End => return Ok((list, ListEnd::End)),
                Item::Else => return Ok((list, ListEnd::Else)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Text => Ok(Item::Node(Node::Text(Arc::from(self.text(&t))))),
            Tok::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Block => return self.block_control().map(Item::Node),
            Tok::Break | Tok::Continue => {
                let is_break = t.kind == Tok::Break;
                let word = if is_break { "break" } else { "continue" };
                let n = self.next_non_space();
                if n.kind != Tok::RightDelim {
                    return self.unexpected(&n, &format!("{{{{{word}}}}}"));
                }
                if self.range_depth == 0 {
                    return self.err(format!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                return Ok(Item::Node(if is_break {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            Tok::Else => {
                let peek = self.peek_non_space();
                if peek.kind == Tok::If || peek.kind == Tok::With {
                    return Ok(Item::Else);
                }
                self.expect(Tok::RightDelim, "else")?;
                return Ok(Item::Else);
            }
            Tok::End => {
                self.expect(Tok::RightDelim, "end")?;
                return Ok(Item::End);
            }
            Tok::If => {
                return self
                    .control("if")
                    .map(|b| Item::Node(Node::If(Box::new(b))));
            }
            Tok::Range => {
                return self
                    .control("range")
                    .map(|b| Item::Node(Node::Range(Box::new(b))));
            }
            Tok::With => {
                return self
                    .control("with")
                    .map(|b| Item::Node(Node::With(Box::new(b))));
            }
            Tok::Template => return self.template_control().map(Item::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Item::Node(Node::Action(Box::new(Action { pipe }))))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        self.enter()?;
        let nvars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(nvars);
        self.leave();
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = r?;
        let mut else_list = None;
        if let ListEnd::Else = end {
            let peek = self.peek().kind;
            if context == "if" && peek == Tok::If {
                self.next();
                let b = self.control("if")?;
                else_list = Some(vec![Node::If(Box::new(b))]);
            } else if context == "with" && peek == Tok::With {
                self.next();
                let b = self.control("with")?;
                else_list = Some(vec![Node::With(Box::new(b))]);
            } else {
                let (l, end) = self.item_list()?;
                if let ListEnd::Else = end {
                    return self.err("expected end; found {{else}}");
                }
                else_list = Some(l);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, t: &Token, context: &str) -> PResult<String> {
        match t.kind {
            Tok::String | Tok::RawString => self.unquote(t),
            _ => self.unexpected(t, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: Arc::from(name.as_str()),
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        self.enter()?;
        let r = self.sub_template(|p| p.item_list());
        self.leave();
        let (root, end) = r?;
        if let ListEnd::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add_define(name.clone(), root)?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: Arc::from(name.as_str()),
            pipe: Some(pipe),
        })))
    }

    // ----- pipelines -----

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $e :=` (range only).
        'decls: loop {
            let v = self.peek_non_space();
            if v.kind != Tok::Variable {
                break;
            }
            let save = self.idx;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.kind {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.kind == Tok::Assign;
                    self.next_non_space();
                    let name = self.text(&v).to_string();
                    pipe.decl.push(Arc::from(name.as_str()));
                    self.vars.push(name);
                    break 'decls;
                }
                Tok::Char if self.text(&next) == "," => {
                    self.next_non_space();
                    let name = self.text(&v).to_string();
                    pipe.decl.push(Arc::from(name.as_str()));
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Tok::Variable | Tok::RightDelim | Tok::RightParen => continue 'decls,
                            _ => return self.err("range can only initialize variables"),
                        }
                    }
                    return self.err(format!("too many declarations in {context}"));
                }
                _ => {
                    self.idx = save;
                    break 'decls;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if t.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match t.kind {
                Tok::Bool
                | Tok::CharConst
                | Tok::Complex
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.err(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Expr::Bool(..) | Expr::Dot(_) | Expr::Nil(_) | Expr::Number(..) | Expr::Str(..)
                )
            ) {
                return self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.kind {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Expr>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Tok::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Tok::Field {
            let t = self.next();
            fields.push(Arc::<str>::from(&self.text(&t)[1..]));
        }
        Ok(Some(match node {
            // Go gives the merged node the position of the first appended field.
            Expr::Field(_, mut f) => {
                f.extend(fields);
                Expr::Field(chain_pos, f)
            }
            Expr::Variable(_, name, mut f) => {
                f.extend(fields);
                Expr::Variable(chain_pos, name, f)
            }
            Expr::Bool(..) | Expr::Str(..) | Expr::Number(..) | Expr::Nil(_) | Expr::Dot(_) => {
                return self.err(format!(
                    "unexpected . after term {}",
                    crate::fmt::quote_str(&node.to_string())
                ));
            }
            other => Expr::Chain(chain_pos, Box::new(other), fields),
        }))
    }

    fn term(&mut self) -> PResult<Option<Expr>> {
        let t = self.next_non_space();
        let text = self.text(&t);
        Ok(Some(match t.kind {
            Tok::Identifier => Expr::Ident(t.pos, Arc::from(text)),
            Tok::Dot => Expr::Dot(t.pos),
            Tok::Nil => Expr::Nil(t.pos),
            Tok::Variable => {
                if !self.vars.iter().any(|v| v == text) {
                    return self.err(format!(
                        "undefined variable {}",
                        crate::fmt::quote_str(text)
                    ));
                }
                Expr::Variable(t.pos, Arc::from(text), Vec::new())
            }
            Tok::Field => Expr::Field(t.pos, vec![Arc::from(&text[1..])]),
            Tok::Bool => Expr::Bool(t.pos, text == "true"),
            Tok::CharConst | Tok::Complex | Tok::Number => {
                let n = self.number(&t)?;
                Expr::Number(t.pos, Box::new(n))
            }
            Tok::LeftParen => {
                self.enter()?;
                let p = self.pipeline("parenthesized pipeline", Tok::RightParen);
                self.leave();
                Expr::Pipe(t.pos, Box::new(p?))
            }
            Tok::String | Tok::RawString => {
                let s = self.unquote(&t)?;
                Expr::Str(t.pos, Arc::from(text), Arc::from(s.as_str()))
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn unquote(&self, t: &Token) -> PResult<String> {
        let text = self.text(t);
        match unquote(text) {
            Some(s) => Ok(s),
            None => self.err("invalid syntax"),
        }
    }

    fn number(&self, t: &Token) -> PResult<Number> {
        let text = self.text(t);
        let value = if t.kind == Tok::CharConst {
            match unquote_char_const(text) {
                Some(c) => NumValue::Int(c as i64),
                None => return self.err(format!("malformed character constant: {text}")),
            }
        } else if t.kind == Tok::Complex || text.ends_with('i') {
            NumValue::Complex
        } else {
            match parse_number(text) {
                Ok(v) => v,
                Err(msg) => return self.err(msg),
            }
        };
        Ok(Number {
            text: Arc::from(text),
            value,
        })
    }
}

enum Item {
    Node(Node),
    End,
    Else,
}

// ----- literals -----

/// Go's `strconv.Unquote` for "..." and `...` strings.
pub(crate) fn unquote(s: &str) -> Option<String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        let inner = &s[1..s.len() - 1];
        if inner.contains('`') {
            return None;
        }
        return Some(inner.replace('\r', ""));
    }
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    let mut out = Vec::<u8>::with_capacity(inner.len());
    let mut chars = inner.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'a' => out.push(7),
                    'b' => out.push(8),
                    'f' => out.push(12),
                    'n' => out.push(b'\n'),
                    'r' => out.push(b'\r'),
                    't' => out.push(b'\t'),
                    'v' => out.push(11),
                    '\\' => out.push(b'\\'),
                    '"' => out.push(b'"'),
                    'x' => {
                        let v = take_hex(&mut chars, 2)?;
                        out.push(v as u8);
                    }
                    'u' | 'U' => {
                        let v = take_hex(&mut chars, if e == 'u' { 4 } else { 8 })?;
                        let ch = char::from_u32(v)?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    '0'..='7' => {
                        let mut v = e as u32 - '0' as u32;
                        for _ in 0..2 {
                            let (_, d) = chars.next()?;
                            let d = d.to_digit(8)?;
                            v = v * 8 + d;
                        }
                        if v > 255 {
                            return None;
                        }
                        out.push(v as u8);
                    }
                    _ => return None,
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    // `\xff` can produce bytes that are not UTF-8; Go strings allow that, ours do not.
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn take_hex(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        let (_, d) = chars.next()?;
        v = v.checked_mul(16)? + d.to_digit(16)?;
    }
    Some(v)
}

/// A character constant `'a'`, `'\n'`, `'\x41'`, `'\u00e9'`.
fn unquote_char_const(s: &str) -> Option<char> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut it = inner.chars();
    let c = it.next()?;
    if c != '\\' {
        if it.next().is_some() || c == '\'' || c == '\n' {
            return None;
        }
        return Some(c);
    }
    let e = it.next()?;
    let rest: String = it.collect();
    let simple = |ch: char| if rest.is_empty() { Some(ch) } else { None };
    match e {
        'a' => simple('\u{7}'),
        'b' => simple('\u{8}'),
        'f' => simple('\u{c}'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\u{b}'),
        '\\' => simple('\\'),
        '\'' => simple('\''),
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() != n {
                return None;
            }
            char::from_u32(u32::from_str_radix(&rest, 16).ok()?)
        }
        '0'..='7' => {
            if rest.len() != 2 {
                return None;
            }
            let v = u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?;
            if v > 255 {
                return None;
            }
            char::from_u32(v)
        }
        _ => None,
    }
}

/// Check Go's underscore rule for base-prefixed literals: `_` only between digits
/// (or right after the base prefix).
fn underscores_ok(s: &str) -> bool {
    if !s.contains('_') {
        return true;
    }
    let b = s.as_bytes();
    let mut prev = b'.';
    let mut i = 0;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'o' | b'b') {
        i = 2;
        prev = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            if !(prev.is_ascii_hexdigit() || prev == b'0') || prev == b'_' {
                return false;
            }
        } else if prev == b'_' && !c.is_ascii_hexdigit() {
            return false;
        }
        prev = c;
        i += 1;
    }
    prev != b'_'
}

/// Go's `parse.NewNumber` (ParseUint/ParseInt with base prefixes, then ParseFloat) and the
/// int/float decision of `idealConstant`. The error is Go's parse error message.
pub(crate) fn parse_number(text: &str) -> Result<NumValue, String> {
    let illegal = || format!("illegal number syntax: {}", crate::fmt::quote_str(text));
    let overflow = || format!("integer overflow: {}", crate::fmt::quote_str(text));
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() || !underscores_ok(body) {
        return Err(illegal());
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let is_hex = lower.starts_with("0x");
    let looks_int = !lower.contains(['.', 'e', 'p']) || is_hex && !lower.contains('p');
    if looks_int {
        let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
            (h, 16)
        } else if let Some(o) = lower.strip_prefix("0o") {
            (o, 8)
        } else if let Some(b) = lower.strip_prefix("0b") {
            (b, 2)
        } else if lower.len() > 1 && lower.starts_with('0') {
            (&lower[1..], 8)
        } else {
            (lower.as_str(), 10)
        };
        let parsed = if digits.is_empty() {
            None
        } else {
            u128::from_str_radix(digits, radix).ok()
        };
        let Some(u) = parsed.filter(|u| *u <= u64::MAX as u128) else {
            // Not an integer; ParseFloat accepts plain decimal digits (e.g. `09`, or a
            // number beyond uint64), which Go then rejects as an integer overflow.
            return if radix != 16
                && !lower.starts_with("0o")
                && !lower.starts_with("0b")
                && lower.bytes().all(|c| c.is_ascii_digit())
            {
                Err(overflow())
            } else {
                Err(illegal())
            };
        };
        let v = if neg { -(u as i128) } else { u as i128 };
        return if v >= i64::MIN as i128 && v <= i64::MAX as i128 {
            Ok(NumValue::Int(v as i64))
        } else if !neg {
            // Fits uint64 only: Go's idealConstant reports "X overflows int".
            Ok(NumValue::Overflow)
        } else {
            Err(overflow())
        };
    }
    // Float forms.
    let f = if is_hex {
        parse_hex_float(&lower[2..]).ok_or_else(illegal)?
    } else {
        if !lower
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
        {
            return Err(illegal());
        }
        lower.parse::<f64>().map_err(|_| illegal())?
    };
    if !f.is_finite() {
        return Err(illegal());
    }
    Ok(NumValue::Float(if neg { -f } else { f }))
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let int = |s| match parse_number(s) {
            Ok(NumValue::Int(i)) => Some(i),
            _ => None,
        };
        let float = |s| match parse_number(s) {
            Ok(NumValue::Float(f)) => Some(f),
            _ => None,
        };
        assert_eq!(int("42"), Some(42));
        assert_eq!(int("-7"), Some(-7));
        assert_eq!(int("0x1F"), Some(31));
        assert_eq!(int("017"), Some(15));
        assert_eq!(int("0o17"), Some(15));
        assert_eq!(int("0b101"), Some(5));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("0"), Some(0));
        assert_eq!(float("1.5"), Some(1.5));
        assert_eq!(float("1e3"), Some(1000.0));
        assert_eq!(float(".5"), Some(0.5));
        assert_eq!(float("0x1p-2"), Some(0.25));
        assert!(parse_number("1__0").is_err());
        assert!(parse_number("-").is_err());
        assert_eq!(int("0x_1F"), Some(31));
        assert_eq!(float("1_0.5"), Some(10.5));
        assert_eq!(parse_number("09").unwrap_err(), r#"integer overflow: "09""#);
        assert!(parse_number("99999999999999999999").is_err());
        assert!(matches!(
            parse_number("18446744073709551615"),
            Ok(NumValue::Overflow)
        ));
    }

    #[test]
    fn strings() {
        assert_eq!(unquote(r#""a\nb""#).as_deref(), Some("a\nb"));
        assert_eq!(unquote(r#""\x41\u00e9\101""#).as_deref(), Some("AéA"));
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        assert_eq!(unquote(r#""\q""#), None);
        assert_eq!(unquote_char_const("'a'"), Some('a'));
        assert_eq!(unquote_char_const(r"'\n'"), Some('\n'));
        assert_eq!(unquote_char_const("'ab'"), None);
    }
}
