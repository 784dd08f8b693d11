//! Phase 1, syntax: text of one file to an `ast::File` plus diagnostics.
//!
//! INVARIANT: this is the only module that uses pest. Parsing never panics and never recurses
//! deeper than `MAX_NESTING` brackets: a linear pre-scan refuses deeper input before pest sees
//! it. Comments are collected by a separate scan so the tree stays free of trivia.

pub mod ast;
mod parser;

pub use parser::{MAX_IDENT_LEN, MAX_LIST_LEN, MAX_STRING_LEN, quote_list};

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

/// One linear pass over the text: collects comments and refuses nesting deeper than
/// `MAX_NESTING`, skipping string literals so brackets and `//` inside them do not count.
fn scan(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let body = text[i + 2..end].trim_end_matches('\r');
                comments.push(Comment { span: Span::new(i, i + 2 + body.len()), text: body.to_owned() });
                i = end;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    diags.push(
                        file,
                        Error::NestingTooDeep { limit: MAX_NESTING, span: Span::new(i, i + 1).into() },
                    );
                    return comments;
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    comments
}
