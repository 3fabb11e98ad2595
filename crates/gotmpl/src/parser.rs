//! The parser: tokens to [`Tree`]s, following Go's `text/template/parse/parse.go`
//! (same grammar, same checks, same error wording).
//!
//! One call parses one file: its top-level tree plus every `define` and `block` in it.
//! Unlike Go, function names are not checked here (the parser does not see the function
//! map); an unknown function is reported when it is evaluated. Nesting of control
//! structures and parentheses is bounded by [`MAX_NESTING`] so hostile input cannot
//! exhaust the stack.
//!
//! Cheap by construction: the file is copied once and text nodes point into it, names
//! (fields, functions, variables, short strings) are shared through a small cache
//! ([`Interner`]), and lines are counted only when an error is reported.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::*;
use crate::error::Error;
use crate::lexer::{Lexer, Lines, Tok, Token, line_at};

/// Deepest nesting of control structures and parentheses accepted.
pub const MAX_NESTING: usize = 100;

/// The result of parsing one file.
pub(crate) struct Parsed {
    pub top: Tree,
    /// `define`/`block` trees in source order.
    pub defines: Vec<Tree>,
}

/// Shares the `Arc<str>` of names that recur (`.Values`, `include`, `$root`) within a
/// file and across the files parsed on one thread (see [`NAMES`]). A direct-mapped
/// cache, not a hash map: a lookup is one hash of the name and one comparison, a miss
/// simply allocates (as without a cache), and no input can make lookups slower than that.
/// It holds at most `SLOTS` names of at most `MAX_LEN` bytes.
struct Interner {
    slots: Vec<Option<Arc<str>>>,
    /// Field chains, keyed by their text `.a.b`.
    chains: Vec<Option<Fields>>,
    empty: Fields,
    scratch: Vec<Arc<str>>,
}

thread_local! {
    /// Each thread's [`Interner`], kept between parses (`None` while a parse uses it).
    static NAMES: std::cell::Cell<Option<Interner>> = const { std::cell::Cell::new(None) };
}

impl Interner {
    const SLOTS: usize = 1024;

    /// The thread's interner (a new one if it is in use or the thread has none).
    fn take() -> Interner {
        NAMES
            .try_with(|n| n.take())
            .ok()
            .flatten()
            .unwrap_or_else(Interner::new)
    }

    /// Give the interner back to the thread for its next parse.
    fn put_back(self) {
        let _ = NAMES.try_with(|n| n.set(Some(self)));
    }

    /// Longer strings are rarely repeated; they are not worth hashing.
    const MAX_LEN: usize = 64;

    fn new() -> Interner {
        Interner {
            slots: vec![None; Self::SLOTS],
            chains: vec![None; Self::SLOTS],
            empty: Arc::new([]),
            scratch: Vec::new(),
        }
    }

    /// Slot of `s` in a table of `SLOTS` entries.
    fn slot(s: &str) -> usize {
        // Eight bytes at a time, mixed by a multiply (a fast, non-cryptographic hash).
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let b = s.as_bytes();
        let mut h = (b.len() as u64).wrapping_mul(K);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K);
            h ^= h >> 29;
        }
        let r = chunks.remainder();
        if !r.is_empty() {
            let mut w = [0u8; 8];
            w[..r.len()].copy_from_slice(r);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        (h >> 40) as usize % Self::SLOTS
    }

    fn get(&mut self, s: &str) -> Arc<str> {
        if s.len() > Self::MAX_LEN {
            return Arc::from(s);
        }
        let slot = &mut self.slots[Self::slot(s)];
        if let Some(a) = slot
            && **a == *s
        {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        *slot = Some(a.clone());
        a
    }

    fn no_fields(&self) -> Fields {
        self.empty.clone()
    }

    /// The names of the field chain written `text` (`.a.b.c`; each name non-empty).
    fn fields(&mut self, text: &str) -> Fields {
        let same = |f: &Fields| {
            let mut rest = text;
            for name in f.iter() {
                match rest.strip_prefix('.').and_then(|r| r.strip_prefix(&**name)) {
                    Some(r) => rest = r,
                    None => return false,
                }
            }
            rest.is_empty()
        };
        let cacheable = text.len() <= Self::MAX_LEN * 2;
        let i = if cacheable { Self::slot(text) } else { 0 };
        if cacheable
            && let Some(f) = &self.chains[i]
            && same(f)
        {
            return f.clone();
        }
        // Names are gathered on a reusable vector, then copied into one allocation.
        let mut names = std::mem::take(&mut self.scratch);
        for name in text.split('.').skip(1) {
            names.push(self.get(name));
        }
        let f: Fields = Arc::from(&names[..]);
        names.clear();
        self.scratch = names;
        if cacheable {
            self.chains[i] = Some(f.clone());
        }
        f
    }
}

struct Parser<'s> {
    src: &'s str,
    /// The shared copy of `src` that text nodes point into.
    text: Arc<str>,
    /// Tokens are pulled from the lexer as the parser reaches them; `lx.toks` holds a
    /// window of them, the first being token number `base`.
    lx: Lexer<'s>,
    base: usize,
    idx: usize,
    /// Furthest token read, for the line of errors (Go's `token[0]`).
    seen: usize,
    source: Arc<Source>,
    vars: Vec<&'s str>,
    range_depth: usize,
    depth: usize,
    /// Offset of the `{{` of the action being parsed, for "in action started at".
    action_pos: Option<usize>,
    defines: Vec<Tree>,
    define_names: HashMap<String, usize>,
    names: Interner,
    /// Nodes of the lists being parsed (see `item_list`), and likewise the commands of
    /// pipelines and the operands of commands (see `take_few`).
    nodes: Vec<Node>,
    cmd_stack: Vec<Command>,
    arg_stack: Vec<Expr>,
}

/// Move the items pushed on `stack` since `base` into a [`Few`]: inline when there is one,
/// else in a vector of the exact size. The stacks are shared by nested pipelines, whose
/// items sit above `base` only while they are being parsed.
fn take_few<T>(stack: &mut Vec<T>, base: usize) -> Few<T> {
    match stack.len().saturating_sub(base) {
        0 => Few::Zero,
        1 => stack.pop().map_or(Few::Zero, Few::One),
        _ => Few::More(stack.drain(base..).collect()),
    }
}

type PResult<T> = Result<T, Error>;

enum ListEnd {
    End,
    Else,
}

pub(crate) fn parse(name: &str, src: &str) -> Result<Parsed, Error> {
    let text: Arc<str> = Arc::from(src);
    let parse_name: Arc<str> = Arc::from(name);
    let source = Arc::new(Source {
        parse_name: parse_name.clone(),
        lines: Lines::new(text.clone()),
    });
    let mut p = Parser {
        src,
        text,
        lx: Lexer::new(src),
        base: 0,
        idx: 0,
        seen: 0,
        source,
        vars: vec!["$"],
        range_depth: 0,
        depth: 0,
        action_pos: None,
        defines: Vec::new(),
        define_names: HashMap::new(),
        names: Interner::take(),
        nodes: Vec::new(),
        cmd_stack: Vec::new(),
        arg_stack: Vec::new(),
    };
    let root = p.parse_top();
    p.names.put_back();
    let root = root?;
    let top = Tree {
        name: parse_name,
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

    /// Token number `i`, lexing more as needed. Past the end, the final Eof/Error token
    /// repeats.
    #[inline]
    fn tok(&mut self, i: usize) -> Token {
        loop {
            if let Some(t) = self.lx.toks.get(i.wrapping_sub(self.base)) {
                return *t;
            }
            if i < self.base || !self.refill() {
                return self.tok_read(i);
            }
        }
    }

    /// Token number `i` among those already lexed (the nearest one if it is gone).
    fn tok_read(&self, i: usize) -> Token {
        let toks = &self.lx.toks;
        let rel = i
            .saturating_sub(self.base)
            .min(toks.len().saturating_sub(1));
        toks.get(rel).copied().unwrap_or(Token {
            kind: Tok::Eof,
            pos: 0,
            end: 0,
        })
    }

    /// Lex the next piece, first dropping old tokens but the last few: the parser backs
    /// up at most a handful of tokens, all within one action.
    #[cold]
    fn refill(&mut self) -> bool {
        const KEEP: usize = 8;
        let len = self.lx.toks.len();
        if len > 128 {
            self.lx.toks.drain(..len - KEEP);
            self.base += len - KEEP;
        }
        self.lx.lex_more()
    }

    #[inline]
    fn next(&mut self) -> Token {
        let t = self.tok(self.idx);
        // The index moves even past the end so that `backup` stays symmetric.
        self.seen = self.seen.max(self.idx);
        self.idx += 1;
        t
    }

    #[inline]
    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    #[inline]
    fn peek(&mut self) -> Token {
        self.seen = self.seen.max(self.idx);
        self.tok(self.idx)
    }

    /// Whether blanks separate token `i` from the one before it. The lexer makes no
    /// tokens of the blanks inside actions; every other byte of an action is in a token,
    /// so a gap between two tokens is blanks (or the ` -` of a trim marker).
    fn space_before(&self, i: usize) -> bool {
        i > self.base && self.tok_read(i).pos > self.tok_read(i - 1).end
    }

    fn text(&self, t: &Token) -> &'s str {
        t.text(self.src)
    }

    fn describe(&self, t: &Token) -> String {
        t.describe(self.src, self.lx.error.as_deref().unwrap_or(""))
    }

    // ----- errors -----

    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        let line = line_at(self.src, self.tok_read(self.seen).pos);
        Err(Error::syntax(&self.source.parse_name, line, msg))
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if t.kind == Tok::Error {
            let mut extra = String::new();
            if let Some(action_pos) = self.action_pos {
                let action_line = line_at(self.src, action_pos);
                if action_line != line_at(self.src, t.pos) {
                    extra = format!(
                        " in action started at {}:{}",
                        self.source.parse_name, action_line
                    );
                    if self.describe(t).ends_with(" action") {
                        extra = extra[" in action".len()..].to_string();
                    }
                }
            }
            return self.err(format!("{}{}", self.describe(t), extra));
        }
        self.err(format!("unexpected {} in {}", self.describe(t), context))
    }

    fn expect(&mut self, kind: Tok, context: &str) -> PResult<Token> {
        let t = self.next();
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
                    if self.next().kind == Tok::Define {
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
        let vars = std::mem::replace(&mut self.vars, vec!["$"]);
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
        let t = self.next();
        let name = match t.kind {
            Tok::String | Tok::RawString => self.unquote(&t)?.into_owned(),
            _ => return self.unexpected(&t, CONTEXT),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let (root, end) = self.sub_template(|p| p.item_list())?;
        if let ListEnd::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add_define(name, root)
    }

    /// The nodes up to `{{end}}` or `{{else}}`. They are gathered on `self.nodes`, shared
    /// by the nested lists, and moved out at the end into a vector of the exact size.
    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let base = self.nodes.len();
        let end = self.items_onto_stack();
        if end.is_err() {
            self.nodes.truncate(base);
        }
        let end = end?;
        Ok((self.nodes.drain(base..).collect(), end))
    }

    fn items_onto_stack(&mut self) -> PResult<ListEnd> {
        loop {
            if self.peek().kind == Tok::Eof {
                return self.err("unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => self.nodes.push(n),
                Item::End => return Ok(ListEnd::End),
                Item::Else => return Ok(ListEnd::Else),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next();
        match t.kind {
            Tok::Text => Ok(Item::Node(Node::Text(SrcStr::new(
                &self.text, t.pos, t.end,
            )))),
            Tok::LeftDelim => {
                self.action_pos = Some(t.pos);
                let r = self.action();
                self.action_pos = None;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next();
        match t.kind {
            Tok::Block => return self.block_control().map(Item::Node),
            Tok::Break | Tok::Continue => {
                let is_break = t.kind == Tok::Break;
                let word = if is_break { "break" } else { "continue" };
                let n = self.next();
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
                let peek = self.peek();
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

    fn template_name(&mut self, t: &Token, context: &str) -> PResult<Cow<'s, str>> {
        match t.kind {
            Tok::String | Tok::RawString => self.unquote(t),
            _ => self.unexpected(t, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let t = self.next();
        let name = self.template_name(&t, CONTEXT)?;
        let mut pipe = None;
        if self.next().kind != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: self.names.get(&name),
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let t = self.next();
        let name = self.template_name(&t, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        self.enter()?;
        let r = self.sub_template(|p| p.item_list());
        self.leave();
        let (root, end) = r?;
        if let ListEnd::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add_define(name.to_string(), root)?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: self.names.get(&name),
            pipe: Some(pipe),
        })))
    }

    // ----- pipelines -----

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let start = self.peek();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Few::Zero,
        };
        // Declarations: `$x :=`, `$x =`, `$i, $e :=` (range only).
        'decls: loop {
            let v = self.peek();
            if v.kind != Tok::Variable {
                break;
            }
            let save = self.idx;
            self.next();
            let next = self.peek();
            match next.kind {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.kind == Tok::Assign;
                    self.next();
                    let name = self.text(&v);
                    pipe.decl.push(self.names.get(name));
                    self.vars.push(name);
                    break 'decls;
                }
                Tok::Char if self.text(&next) == "," => {
                    self.next();
                    let name = self.text(&v);
                    pipe.decl.push(self.names.get(name));
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek().kind {
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
        let base = self.cmd_stack.len();
        loop {
            let t = self.next();
            if t.kind == end {
                pipe.cmds = take_few(&mut self.cmd_stack, base);
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
                    self.cmd_stack.push(c);
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
        let pos = self.peek().pos;
        let base = self.arg_stack.len();
        // Go's lexer makes space tokens and this loop goes on after one. Here, blanks
        // before the token after an operand count once: if no operand follows them, that
        // token must end the command.
        let mut blanks_seen_at = usize::MAX;
        loop {
            self.peek();
            if let Some(op) = self.operand()? {
                self.arg_stack.push(op);
            }
            let i = self.idx;
            let t = self.next();
            if i != blanks_seen_at && self.space_before(i) {
                blanks_seen_at = i;
                self.backup();
                continue;
            }
            match t.kind {
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        let args = take_few(&mut self.arg_stack, base);
        if args.is_empty() {
            return self.err("empty command");
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> PResult<Option<Expr>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        // The term's (last) token, then the `.x` tokens that follow it without blanks.
        let term_end = self.tok_read(self.idx.wrapping_sub(1)).end;
        let first = self.peek();
        let is_field = |p: &Self, t: Token| t.kind == Tok::Field && !p.space_before(p.idx);
        let has_chain = is_field(self, first);
        let mut end = term_end;
        loop {
            let t = self.peek();
            if !is_field(self, t) {
                break;
            }
            end = self.next().end;
        }
        let chain = |p: &mut Self| {
            let text = p.src.get(first.pos..end).unwrap_or("");
            p.names.fields(text)
        };
        Ok(Some(match node {
            // A field term reads its names from its own text and the chain's. Go gives
            // the merged node the position of the first appended field.
            Expr::Field(pos, _) => {
                let text = self.src.get(pos..end).unwrap_or("");
                let fields = self.names.fields(text);
                Expr::Field(if has_chain { first.pos } else { pos }, fields)
            }
            node if !has_chain => node,
            Expr::Variable(_, name, _) => Expr::Variable(first.pos, name, chain(self)),
            Expr::Bool(..) | Expr::Str(..) | Expr::Number(..) | Expr::Nil(_) | Expr::Dot(_) => {
                return self.err(format!(
                    "unexpected . after term {}",
                    crate::fmt::quote_str(&node.to_string())
                ));
            }
            other => Expr::Chain(first.pos, Box::new(other), chain(self)),
        }))
    }

    fn term(&mut self) -> PResult<Option<Expr>> {
        let t = self.next();
        let text = self.text(&t);
        Ok(Some(match t.kind {
            Tok::Identifier => Expr::Ident(t.pos, self.names.get(text)),
            Tok::Dot => Expr::Dot(t.pos),
            Tok::Nil => Expr::Nil(t.pos),
            Tok::Variable => {
                if !self.vars.contains(&text) {
                    return self.err(format!(
                        "undefined variable {}",
                        crate::fmt::quote_str(text)
                    ));
                }
                Expr::Variable(t.pos, self.names.get(text), self.names.no_fields())
            }
            // `operand` fills in the names.
            Tok::Field => Expr::Field(t.pos, self.names.no_fields()),
            Tok::Bool => Expr::Bool(t.pos, text == "true"),
            Tok::CharConst | Tok::Complex | Tok::Number => {
                let n = self.number(&t)?;
                Expr::Number(t.pos, n)
            }
            Tok::LeftParen => {
                self.enter()?;
                let p = self.pipeline("parenthesized pipeline", Tok::RightParen);
                self.leave();
                Expr::Pipe(t.pos, Box::new(p?))
            }
            Tok::String | Tok::RawString => {
                let s = self.unquote(&t)?;
                let value = self.names.get(&s);
                Expr::Str(t.pos, SrcStr::new(&self.text, t.pos, t.end), value)
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn unquote(&self, t: &Token) -> PResult<Cow<'s, str>> {
        let text = self.text(t);
        match unquote_cow(text) {
            Some(s) => Ok(s),
            None => self.err("invalid syntax"),
        }
    }

    fn number(&mut self, t: &Token) -> PResult<Number> {
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
            text: self.names.get(text),
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

/// [`unquote`], borrowing the literal's inside when there is nothing to unescape (the
/// usual case: `"app.name"`, `"-"`).
fn unquote_cow(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] {
        let plain = match b[0] {
            // Raw strings can be long (embedded JSON): `contains(char)` runs `memchr`.
            b'`' => {
                let inner = &s[1..s.len() - 1];
                !inner.contains('`') && !inner.contains('\r')
            }
            b'"' => !b[1..b.len() - 1]
                .iter()
                .any(|&c| matches!(c, b'\\' | b'"' | b'\n')),
            _ => false,
        };
        if plain {
            return Some(Cow::Borrowed(&s[1..s.len() - 1]));
        }
    }
    unquote(s).map(Cow::Owned)
}

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
        // The borrowing fast path agrees with the full unquote.
        for lit in [
            r#""app.name""#,
            r#""""#,
            r#""a\tb""#,
            "`x\r\ny`",
            "``",
            "`a`",
            r#""é""#,
        ] {
            assert_eq!(unquote_cow(lit).map(Cow::into_owned), unquote(lit), "{lit}");
        }
        assert!(matches!(
            unquote_cow(r#""app""#),
            Some(Cow::Borrowed("app"))
        ));
        assert!(matches!(unquote_cow("`a\rb`"), Some(Cow::Owned(_))));
    }

    fn actions(src: &str) -> Vec<Pipe> {
        let parsed = parse("t", src).unwrap();
        parsed
            .top
            .root
            .into_iter()
            .filter_map(|n| match n {
                Node::Action(a) => Some(a.pipe),
                _ => None,
            })
            .collect()
    }

    fn err(src: &str) -> String {
        match parse("t", src) {
            Ok(_) => panic!("{src:?} parsed"),
            Err(e) => e.to_string(),
        }
    }

    /// Each command's operands as (position, text).
    fn operands(p: &Pipe) -> Vec<Vec<(Pos, String)>> {
        p.cmds
            .iter()
            .map(|c| c.args.iter().map(|a| (a.pos(), a.to_string())).collect())
            .collect()
    }

    #[test]
    fn field_chains_and_blanks() {
        // `.a.b` is one operand at the position of its first appended field (as in Go);
        // `.a .b` two; blanks and newlines inside an action separate operands alike.
        let p = actions("{{ .a.b }}{{ .a .b }}{{ f\n  .x\t(g).y.z }}");
        assert_eq!(operands(&p[0]), vec![vec![(5, ".a.b".to_string())]]);
        assert_eq!(
            operands(&p[1]),
            vec![vec![(13, ".a".to_string()), (16, ".b".to_string())]]
        );
        assert_eq!(
            operands(&p[2]),
            vec![vec![
                (24, "f".to_string()),
                (28, ".x".to_string()),
                (34, "(g).y.z".to_string())
            ]]
        );
        let Expr::Chain(_, _, fields) = &p[2].cmds[0].args[2] else {
            panic!("not a chain")
        };
        assert_eq!(fields.iter().map(|f| &**f).collect::<Vec<_>>(), ["y", "z"]);
        // Variables: `$x.a` chains, `$x .a` does not; `$.a` is the root's field.
        let p = actions("{{ $x := .v }}{{ $x.a }}{{ f $x .a }}{{ $.a.b }}");
        assert_eq!(p[0].decl.iter().map(|d| &**d).collect::<Vec<_>>(), ["$x"]);
        assert!(
            matches!(&p[1].cmds[0].args[0], Expr::Variable(_, n, f) if &**n == "$x" && f.len() == 1)
        );
        assert_eq!(p[2].cmds[0].args.len(), 3);
        assert!(matches!(&p[2].cmds[0].args[1], Expr::Variable(_, _, f) if f.is_empty()));
        assert!(
            matches!(&p[3].cmds[0].args[0], Expr::Variable(_, n, f) if &**n == "$" && f.len() == 2)
        );
        // Pipelines of one command and commands of one operand are stored inline.
        let p = actions("{{ .a }}{{ f .a | g 1 2 }}");
        assert!(matches!(p[0].cmds, Few::One(ref c) if matches!(c.args, Few::One(_))));
        assert!(matches!(p[1].cmds, Few::More(ref v) if v.len() == 2));
        assert_eq!(p[1].to_string(), "f .a | g 1 2");
    }

    #[test]
    fn names_are_shared() {
        let p = actions("{{ .Values.a.b }}{{ .Values.a.b | quote }}{{ quote .Values.c }}");
        let fields = |p: &Pipe, c: usize, a: usize| match &p.cmds[c].args[a] {
            Expr::Field(_, f) => f.clone(),
            e => panic!("{e}"),
        };
        assert!(Arc::ptr_eq(&fields(&p[0], 0, 0), &fields(&p[1], 0, 0)));
        assert!(Arc::ptr_eq(
            &fields(&p[0], 0, 0)[0],
            &fields(&p[2], 0, 1)[0]
        ));
        let ident = |p: &Pipe, c: usize| match &p.cmds[c].args[0] {
            Expr::Ident(_, n) => n.clone(),
            e => panic!("{e}"),
        };
        assert!(Arc::ptr_eq(&ident(&p[1], 1), &ident(&p[2], 0)));
        // Text nodes point into one copy of the source.
        let parsed = parse("t", "ab {{- 1 -}} cd{{/* c */}}ef").unwrap();
        let texts: Vec<&str> = parsed
            .top
            .root
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(&**t),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["ab", "cd", "ef"]);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            err("{{ f(x) }}"),
            r#"template: t:1: unexpected "(" in operand"#
        );
        assert_eq!(
            err("{{ f\n  (x) }}\n{{ true.a }}"),
            r#"template: t:3: unexpected . after term "true""#
        );
        assert_eq!(err("a\n{{ if .x }}\nb"), "template: t:3: unexpected EOF");
        assert_eq!(
            err("a\n{{ f\n (x\n}}"),
            "template: t:4: unclosed left paren in action started at t:2"
        );
        assert_eq!(
            err("{{ x\n\n"),
            "template: t:3: unclosed action started at t:1"
        );
        assert_eq!(
            err("{{ \"a\n}}"),
            "template: t:1: unterminated quoted string"
        );
        assert_eq!(
            err("{{\n'a}}"),
            "template: t:2: unterminated character constant in action started at t:1"
        );
        assert_eq!(err("{{ $x }}"), r#"template: t:1: undefined variable "$x""#);
        assert_eq!(
            err("{{ .a | 1 }}"),
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(err("{{ end }}"), "template: t:1: unexpected {{end}}");
        assert_eq!(err("{{ 1x }}"), r#"template: t:1: bad number syntax: "1x""#);
        assert_eq!(err("{{ 09 }}"), r#"template: t:1: integer overflow: "09""#);
    }
}
