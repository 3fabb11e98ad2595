//! The syntax tree (Go's `text/template/parse/node.go`).
//!
//! Every node carries `pos`, its byte offset in the source text, so execution errors can
//! name line and column. `Display` prints nodes the way Go's `Node.String()` does, which
//! is what appears between `<` and `>` in execution errors.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::lexer::Lines;

pub(crate) type Pos = usize;

/// The source of one parsed file, shared by all trees parsed from it.
#[derive(Debug)]
pub(crate) struct Source {
    /// Go's `ParseName`: the name given to `TemplateSet::parse`.
    pub parse_name: Arc<str>,
    /// Lines and columns of byte offsets (built on first use, for error messages).
    pub lines: Lines,
}

/// A piece of a file's source text: the file is copied once into an `Arc<str>` and every
/// text node points into it, instead of one allocation per node. Reads as a `&str`.
#[derive(Clone)]
pub(crate) struct SrcStr {
    text: Arc<str>,
    start: usize,
    end: usize,
}

impl SrcStr {
    /// `text[start..end]`; an invalid range reads as the empty string.
    pub fn new(text: &Arc<str>, start: usize, end: usize) -> SrcStr {
        let (start, end) = if text.get(start..end).is_some() {
            (start, end)
        } else {
            (0, 0)
        };
        SrcStr {
            text: text.clone(),
            start,
            end,
        }
    }
}

impl Deref for SrcStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.text.get(self.start..self.end).unwrap_or("")
    }
}

impl AsRef<str> for SrcStr {
    fn as_ref(&self) -> &str {
        self
    }
}

impl fmt::Debug for SrcStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for SrcStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

/// A list that usually holds one item (most pipelines are one command, many commands
/// one operand): that item is stored inline, saving an allocation. Reads as a slice.
#[derive(Debug)]
pub(crate) enum Few<T> {
    Zero,
    One(T),
    More(Vec<T>),
}

impl<T> Deref for Few<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Few::Zero => &[],
            Few::One(x) => std::slice::from_ref(x),
            Few::More(v) => v,
        }
    }
}

impl<'a, T> IntoIterator for &'a Few<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One named template: a file's top level or a `define`/`block` body.
#[derive(Debug)]
pub(crate) struct Tree {
    pub name: Arc<str>,
    pub source: Arc<Source>,
    pub root: Vec<Node>,
}

impl Tree {
    /// Go's `parse.IsEmptyTree`: only whitespace text (and comments).
    pub fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text(t) => t.trim_ascii().is_empty(),
            _ => false,
        })
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    /// Literal text, as written (after trim markers).
    Text(SrcStr),
    Action(Box<Action>),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break,
    Continue,
}

#[derive(Debug)]
pub(crate) struct Action {
    pub pipe: Pipe,
}

/// `if`, `with` and `range`: pipeline, body, optional `else` body.
#[derive(Debug)]
pub(crate) struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(crate) struct TemplateCall {
    pub pos: Pos,
    pub name: Arc<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub(crate) struct Pipe {
    pub pos: Pos,
    /// `$x = ...` rather than `$x := ...`.
    pub is_assign: bool,
    pub decl: Vec<Arc<str>>,
    pub cmds: Few<Command>,
}

#[derive(Debug)]
pub(crate) struct Command {
    pub pos: Pos,
    pub args: Few<Expr>,
}

/// The names of a field chain `.a.b.c`, shared by every use of the same chain (a
/// chart repeats `.Values.image.tag` many times). Reads as a slice.
pub(crate) type Fields = Arc<[Arc<str>]>;

/// A number constant; Go decides int or float from the spelling (`idealConstant`).
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub text: Arc<str>,
    pub value: NumValue,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum NumValue {
    Int(i64),
    Float(f64),
    /// Out of `int` range (Go: "X overflows int" at execution).
    Overflow,
    /// A complex constant (`1i`): parsed, not supported at execution.
    Complex,
}

#[derive(Debug)]
pub(crate) enum Expr {
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Pos, Number),
    /// Quoted text as written, and its value.
    Str(Pos, SrcStr, Arc<str>),
    /// `.a.b.c`
    Field(Pos, Fields),
    /// `$x.a.b` (name includes `$`).
    Variable(Pos, Arc<str>, Fields),
    /// A function name.
    Ident(Pos, Arc<str>),
    /// `(pipe).a.b` or `term.a.b` for other terms.
    Chain(Pos, Box<Expr>, Fields),
    /// A parenthesised pipeline.
    Pipe(Pos, Box<Pipe>),
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Dot(p)
            | Expr::Nil(p)
            | Expr::Bool(p, _)
            | Expr::Number(p, _)
            | Expr::Str(p, _, _)
            | Expr::Field(p, _)
            | Expr::Variable(p, _, _)
            | Expr::Ident(p, _)
            | Expr::Chain(p, _, _)
            | Expr::Pipe(p, _) => *p,
        }
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, fields: &[Arc<str>]) -> fmt::Result {
    for x in fields {
        write!(f, ".{x}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Dot(_) => f.write_str("."),
            Expr::Nil(_) => f.write_str("nil"),
            Expr::Bool(_, b) => write!(f, "{b}"),
            Expr::Number(_, n) => f.write_str(&n.text),
            Expr::Str(_, quoted, _) => f.write_str(quoted),
            Expr::Field(_, fields) => write_fields(f, fields),
            Expr::Variable(_, name, fields) => {
                f.write_str(name)?;
                write_fields(f, fields)
            }
            Expr::Ident(_, name) => f.write_str(name),
            Expr::Chain(_, node, fields) => {
                if let Expr::Pipe(_, p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                write_fields(f, fields)
            }
            Expr::Pipe(_, p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Expr::Pipe(_, p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = crate::fmt::quote_str(&self.name);
        match &self.pipe {
            Some(p) => write!(f, "{{{{template {name} {p}}}}}"),
            None => write!(f, "{{{{template {name}}}}}"),
        }
    }
}
