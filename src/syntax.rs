//! Phase 1, syntax: text of one file to an `ast::File` plus diagnostics.
//!
//! INVARIANT: this is the only module that uses pest. Parsing never panics and never recurses
//! deeper than `MAX_NESTING` brackets: a linear pre-scan refuses deeper input before pest sees
//! it. Comments are collected by a separate scan so the tree stays free of trivia.

pub mod ast;
mod parser;

pub use parser::{MAX_IDENT_LEN, MAX_LIST_LEN, MAX_STRING_LEN, quote_alternatives, quote_list};

use crate::diagnostic::{Diagnostics, Error};
use crate::span::{FileId, Span};
use ast::Comment;

/// Deepest bracket nesting accepted (`{`, `[` and `(` together).
pub const MAX_NESTING: usize = 64;

/// Parse one file. Returns the tree (possibly partial) and every syntax diagnostic.
pub fn parse(file: FileId, text: &str) -> (ast::File, Diagnostics) {
    let mut diags = Diagnostics::new();
    let comments = scan(file, text, &mut diags);
    if diags.has_errors() {
        return (ast::File { decls: Vec::new(), comments }, diags);
    }
    let decls = parser::parse_text(file, text, &mut diags);
    (ast::File { decls, comments }, diags)
}

/// One linear pass over the text: collects comments, refuses nesting deeper than
/// `MAX_NESTING`, and reports unterminated strings and unbalanced brackets, which pest would
/// only describe far from their cause. String literals are skipped so brackets and `//` inside
/// them do not count.
fn scan(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i >= bytes.len() || bytes[i] != b'"' {
                    diags.push(file, Error::UnterminatedString { span: Span::new(start, start + 1).into() });
                    return comments;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let body = text[i + 2..end].trim_end_matches('\r');
                comments.push(Comment { span: Span::new(i, i + 2 + body.len()), text: body.to_owned() });
                i = end;
            }
            open_byte @ (b'{' | b'[' | b'(') => {
                open.push((open_byte, i));
                if open.len() > MAX_NESTING {
                    diags.push(
                        file,
                        Error::NestingTooDeep { limit: MAX_NESTING, span: Span::new(i, i + 1).into() },
                    );
                    return comments;
                }
                i += 1;
            }
            close @ (b'}' | b']' | b')') => {
                let expected_open = match close {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                match open.pop() {
                    Some((o, _)) if o == expected_open => {}
                    Some((o, at)) => {
                        diags.push(
                            file,
                            Error::Unbalanced {
                                message: format!("`{}` closes `{}`", close as char, o as char),
                                span: Span::new(i, i + 1).into(),
                                label: format!("expected `{}` here", closing(o)),
                                help: Some(format!(
                                    "the `{}` on line {} is still open",
                                    o as char,
                                    line_of(text, at)
                                )),
                            },
                        );
                        return comments;
                    }
                    None => {
                        diags.push(
                            file,
                            Error::Unbalanced {
                                message: format!("`{}` closes nothing", close as char),
                                span: Span::new(i, i + 1).into(),
                                label: "no matching opening bracket".into(),
                                help: Some("remove it, or add the missing opening bracket".into()),
                            },
                        );
                        return comments;
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if let Some((o, at)) = open.last() {
        diags.push(
            file,
            Error::Unbalanced {
                message: format!("`{}` is never closed", *o as char),
                span: Span::new(*at, at + 1).into(),
                label: format!("no matching `{}`", closing(*o)),
                help: Some(format!("add `{}` where this block ends", closing(*o))),
            },
        );
    }
    comments
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|b| **b == b'\n').count() + 1
}

fn closing(open: u8) -> char {
    match open {
        b'{' => '}',
        b'[' => ']',
        _ => ')',
    }
}
