//! The canonical printer and the formatter: any `ast::File` back to `.capol` text, in one layout
//! per construct, with the file's comments woven back in.
//!
//! INVARIANT: for every tree the parser can produce, parsing the printed text gives an equal
//! tree (equality ignores spans and comments), the comments come out with the same texts in the
//! same order, and printing is idempotent. `format` checks the first two on every run and
//! refuses to return text that breaks them.
//!
//! The layout: two-space indentation; a blank line between declarations, except between
//! consecutive one-line object declarations of the same kind; every `{ ... }` block on several
//! lines (an empty one as `{}`); settings in the order they were written (a tree without spans
//! prints them in a fixed order); comma lists on one line while they fit in `MAX_WIDTH` columns,
//! otherwise broken after a comma with a four-space continuation indent. With the source text at
//! hand, one blank line is kept wherever the source had one or more between two settings or
//! declarations.
//!
//! Comments are attached by position, never by guessing what they describe:
//! - a comment with code before it on its line *trails* the last token before it, and is
//!   printed at the end of the output line holding that token;
//! - any other comment is printed on its own line, at the indentation of the first construct
//!   that starts after it (or, at the end of a block, of the block's contents);
//! - a comment inside a construct printed on one line (between `policy` and its name, after
//!   `=`) is printed on its own line just above that line; inside a comma list it stays between
//!   the same two items, which forces a line break there.

use crate::diagnostic::{Diagnostics, Error};
use crate::span::{FileId, Span};
use crate::syntax::ast::*;

/// Width after which comma lists are broken over several lines.
pub const MAX_WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Why `format` returned no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The text has syntax errors (or errors found while building its tree): it is left alone.
    Syntax(Diagnostics),
    /// The formatted text would not be the same program, or would lose, change or reorder a
    /// comment: a bug of the formatter, reported as `capol::fmt::unsafe_output`.
    Unsafe(Diagnostics),
}

impl FormatError {
    /// The diagnostics explaining the refusal.
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            FormatError::Syntax(d) | FormatError::Unsafe(d) => d,
        }
    }
}

/// Format the text of one `.capol` file (as file 0 for diagnostics).
///
/// # Errors
///
/// See `format_file`.
pub fn format(text: &str) -> Result<String, FormatError> {
    format_file(FileId(0), text)
}

/// Format the text of one `.capol` file. The result parses back to the same tree and carries the
/// same comments in the same order; the function checks both before returning.
///
/// # Errors
///
/// `FormatError::Syntax` when the text has errors; `FormatError::Unsafe` when the output would
/// change the program or its comments (diagnostics point at the first difference).
pub fn format_file(file: FileId, text: &str) -> Result<String, FormatError> {
    let (tree, diags) = crate::syntax::parse(file, text);
    if diags.has_errors() {
        return Err(FormatError::Syntax(diags));
    }
    let out = print_with_comments(&tree, text);
    verify(file, &tree, &out)?;
    Ok(out)
}

/// The safety net: `out` must parse to the same declarations and carry the same comments.
fn verify(file: FileId, tree: &File, out: &str) -> Result<(), FormatError> {
    let refuse = |what: String, span: Span| {
        let mut diags = Diagnostics::new();
        diags.push(file, Error::FormatUnsafe { what, span: span.into() });
        Err(FormatError::Unsafe(diags))
    };
    let (again, diags) = crate::syntax::parse(file, out);
    if diags.has_errors() {
        let first = tree.decls.first().map_or(Span::default(), Decl::span);
        return refuse("the file into text that does not parse".into(), first);
    }
    if !same_decls(&tree.decls, &again.decls) {
        let index = tree
            .decls
            .iter()
            .zip(&again.decls)
            .position(|(a, b)| !same_decls(std::slice::from_ref(a), std::slice::from_ref(b)))
            .unwrap_or(tree.decls.len().min(again.decls.len()));
        let span = tree.decls.get(index).or(tree.decls.last()).map_or(Span::default(), Decl::span);
        return refuse("this declaration".into(), span);
    }
    let texts = |f: &File| f.comments.iter().map(|c| c.text.trim_end().to_owned()).collect::<Vec<_>>();
    let (before, after) = (texts(tree), texts(&again));
    if before != after {
        let index =
            before.iter().zip(&after).position(|(a, b)| a != b).unwrap_or(before.len().min(after.len()));
        let span = tree.comments.get(index).or(tree.comments.last()).map_or(Span::default(), |c| c.span);
        return refuse("the comments".into(), span);
    }
    Ok(())
}

/// Print a whole file as canonical `.capol` text, without its comments, ending with a newline
/// (empty for no declarations).
pub fn print_file(file: &File) -> String {
    Printer::new("", &[]).file(&file.decls)
}

/// Print a whole file as canonical `.capol` text with its comments; `source` is the text the tree
/// was parsed from (its spans point into it). Blank lines of the source are kept, at most one in a
/// row.
pub fn print_with_comments(file: &File, source: &str) -> String {
    Printer::new(source, &file.comments).file(&file.decls)
}

/// Print one declaration, without a trailing newline.
pub fn print_decl(decl: &Decl) -> String {
    let mut p = Printer::new("", &[]);
    p.decl(decl);
    p.finish()
}

/// One expectation of a test as it is printed: `expect grant any(mfa, compliant_device)`.
pub fn expectation_text(e: &Expectation) -> String {
    let mut p = Printer::new("", &[]);
    p.expectation(&crate::span::Spanned::new(e.clone(), Span::default()));
    p.finish()
}

/// True when two lists of declarations are the same program text up to layout: equal after every
/// span is forgotten. (`Spanned` equality already ignores spans, but declarations also carry raw
/// `Span` fields, such as the span of a whole declaration or of a flag.)
pub fn same_decls(a: &[Decl], b: &[Decl]) -> bool {
    a.len() == b.len() && strip_spans(&format!("{a:?}")) == strip_spans(&format!("{b:?}"))
}

/// Debug text with every `Span { start: N, end: M }` replaced by `Span`.
fn strip_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let after = &rest[at..];
        rest = after.find('}').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The kind of an object declaration printed on one line, if it is.
fn one_line_object(decl: &Decl) -> Option<ObjectKind> {
    match decl {
        Decl::Object(o) if object_short_form(o).is_some() => Some(o.kind),
        _ => None,
    }
}

/// `= builtin("...")` or `= "id"` when that is all an object declaration holds.
fn object_short_form(o: &ObjectDecl) -> Option<String> {
    let only_core = o.display_name.is_none()
        && o.upn.is_none()
        && o.emergency_access.is_none()
        && o.member_of.is_empty()
        && o.roles.is_empty()
        && o.user_type.is_none();
    if !only_core {
        return None;
    }
    match (&o.builtin, &o.id) {
        (Some(b), None) => Some(format!("builtin({})", quote(&b.node))),
        // Groups, users and roles are written with a block so that `id` is explicit.
        (None, Some(id)) if !matches!(o.kind, ObjectKind::Group | ObjectKind::User | ObjectKind::Role) => {
            Some(quote(&id.node))
        }
        _ => None,
    }
}

/// A string literal with the escapes the grammar knows.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True when the text is an IP address or CIDR range that the grammar reads unquoted.
fn is_bare_address(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    !address.is_empty()
        && address.contains(['.', ':'])
        && address.chars().all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':')
        && address.parse::<std::net::IpAddr>().is_ok()
        && prefix.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn mode_word(mode: FilterMode) -> &'static str {
    match mode {
        FilterMode::Include => "include",
        FilterMode::Exclude => "exclude",
    }
}

/// True when the text holds a blank line: two line breaks with only spaces between them.
fn has_blank_line(text: &str) -> bool {
    let mut after_break = false;
    for b in text.bytes() {
        match b {
            b'\n' if after_break => return true,
            b'\n' => after_break = true,
            b' ' | b'\t' | b'\r' => {}
            _ => after_break = false,
        }
    }
    false
}

/// True when the text holds only whitespace, commas and comments: two list items it separates
/// belong to the same list.
fn only_separators(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while bytes.get(i).is_some_and(|c| *c != b'\n') {
                i += 1;
            }
        } else if b.is_ascii_whitespace() || b == b',' {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// One item of a printed list, with where it was written.
struct Item {
    text: String,
    start: usize,
    end: usize,
    /// A piece of a larger item (`guests(a,` of `guests(a, b)`): no separator follows it.
    joined: bool,
}

/// Where a `{ ... }` block was written: its first token, its braces and its end.
#[derive(Debug, Clone, Copy)]
struct At {
    start: usize,
    open: Option<usize>,
    close: Option<usize>,
    end: usize,
}

/// A setting of a block, to be printed in source order: where it starts, and how to print it.
type Field<'f, 'a> = (usize, Box<dyn FnOnce(&mut Printer<'a>) + 'f>);

fn line_field<'f, 'a>(span: Span, text: String) -> Field<'f, 'a> {
    (span.start as usize, Box::new(move |p: &mut Printer<'a>| p.line_span(&text, span)))
}

/// A `key = [a, b]` setting; `span` is the list's, which places an empty one.
fn list_field<'f, 'a>(prefix: &'f str, list: &'f [Ident], span: Span) -> Field<'f, 'a> {
    let key = list.first().map_or(span.start, |i| i.span.start) as usize;
    (
        key,
        Box::new(move |p: &mut Printer<'a>| {
            let items = p.idents(list);
            let end = p.end_of(span);
            p.list(prefix, &items, true, "]", span.start as usize, end);
        }),
    )
}

/// Builds the text of a file line by line, weaving in comments when it has the source.
struct Printer<'a> {
    out: String,
    depth: usize,
    /// The source text the spans point into; empty when printing a tree alone.
    src: &'a str,
    /// The comments, in source order.
    comments: &'a [Comment],
    /// The first comment not printed yet.
    next: usize,
    /// Source offset of the end of the last token or comment printed.
    last: usize,
    /// Nothing has been printed since the last `{`.
    opened: bool,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer { out: String::new(), depth: 0, src, comments, next: 0, last: 0, opened: false }
    }

    fn finish(mut self) -> String {
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out
    }

    fn file(mut self, decls: &[Decl]) -> String {
        let mut previous: Option<&Decl> = None;
        for decl in decls {
            if let Some(prev) = previous {
                self.flush_trailing();
                if !(one_line_object(prev).is_some() && one_line_object(prev) == one_line_object(decl)) {
                    self.blank();
                }
            }
            self.decl(decl);
            previous = Some(decl);
        }
        self.flush(usize::MAX);
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }

    fn indent(&self) -> String {
        INDENT.repeat(self.depth)
    }

    /// One output line at the current indentation.
    fn push_line(&mut self, text: &str) {
        let indent = self.indent();
        self.push_raw(&format!("{indent}{text}"));
    }

    /// One output line as given.
    fn push_raw(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
        self.opened = false;
    }

    /// A blank line, unless one is there already or a block has just been opened.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.opened && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    // --- source positions ---------------------------------------------------------------------

    /// The end of the last token of a span: spans of rules that end in an optional repetition
    /// can run over the whitespace and comments after them.
    fn end_of(&self, span: Span) -> usize {
        let start = span.start as usize;
        let mut end = span.end as usize;
        let bytes = self.src.as_bytes();
        loop {
            while end > start && bytes.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
                end -= 1;
            }
            let at = self.comments.partition_point(|c| (c.span.end as usize) < end);
            match self.comments.get(at) {
                Some(c) if c.span.end as usize == end && c.span.start as usize >= start => {
                    end = c.span.start as usize;
                }
                _ => return end,
            }
        }
    }

    /// The first `{` at or after `from`, outside comments and strings.
    fn brace_after(&self, from: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'{' => return Some(i),
                b'}' => return None,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while bytes.get(i).is_some_and(|c| *c != b'\n') {
                        i += 1;
                    }
                }
                b'"' => {
                    i += 1;
                    while bytes.get(i).is_some_and(|c| *c != b'"' && *c != b'\n') {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        None
    }

    /// Where a block spanning `span` was written; its `{` is the first one after `head_end`.
    fn at(&self, span: Span, head_end: usize) -> At {
        let end = self.end_of(span);
        let close = end.checked_sub(1).filter(|&c| self.src.as_bytes().get(c) == Some(&b'}'));
        At { start: span.start as usize, open: self.brace_after(head_end), close, end }
    }

    fn item(&self, text: String, span: Span) -> Item {
        Item { text, start: span.start as usize, end: self.end_of(span), joined: false }
    }

    /// The pieces of a `users` entry: one, or for `guests(a, b, ...)` one per argument so that
    /// a long guest list can break between its arguments.
    fn principal_items(&self, entry: &crate::span::Spanned<Principal>, out: &mut Vec<Item>) {
        let Principal::Guests { types, tenants } = &entry.node else {
            out.push(self.item(principal(&entry.node), entry.span));
            return;
        };
        let mut args: Vec<(String, Span)> = types.iter().map(|t| (t.node.clone(), t.span)).collect();
        if let Some(list) = tenants {
            let ids: Vec<String> = list.node.iter().map(|s| quote(&s.node)).collect();
            args.push((format!("tenants = [{}]", ids.join(", ")), list.span));
        }
        if args.is_empty() {
            out.push(self.item(principal(&entry.node), entry.span));
            return;
        }
        let n = args.len();
        for (i, (arg, span)) in args.into_iter().enumerate() {
            let open = if i == 0 { "guests(" } else { "" };
            let close = if i + 1 == n { ")" } else { "," };
            let mut item = self.item(format!("{open}{arg}{close}"), span);
            if i == 0 {
                item.start = entry.span.start as usize;
            }
            if i + 1 == n {
                item.end = self.end_of(entry.span);
            }
            item.joined = i + 1 < n;
            out.push(item);
        }
    }

    fn idents(&self, list: &[Ident]) -> Vec<Item> {
        list.iter().map(|i| self.item(i.node.clone(), i.span)).collect()
    }

    // --- comments -----------------------------------------------------------------------------

    fn pending(&self) -> Option<&'a Comment> {
        self.comments.get(self.next)
    }

    /// True when a comment starting at `start` trails the last token printed: only spaces,
    /// commas and closing brackets lie between them in the source.
    fn trails(&self, start: usize) -> bool {
        !self.out.is_empty() && !self.out.ends_with("\n\n") && self.follows_last(start)
    }

    /// True when only spaces, commas and closing brackets lie between the last token printed and
    /// `start` in the source.
    fn follows_last(&self, start: usize) -> bool {
        self.last <= start
            && self
                .src
                .get(self.last..start)
                .is_some_and(|gap| gap.bytes().all(|b| matches!(b, b' ' | b'\t' | b',' | b')' | b']')))
    }

    /// Print every comment that starts before `upto`: a trailing one at the end of the last
    /// line, the others on their own lines.
    fn flush(&mut self, upto: usize) {
        while let Some(c) = self.pending().filter(|c| (c.span.start as usize) < upto) {
            let start = c.span.start as usize;
            if self.trails(start) {
                self.append_comment(c);
            } else {
                self.gap(start);
                let line = format!("//{}", c.text.trim_end());
                self.push_line(&line);
            }
            self.last = c.span.end as usize;
            self.next += 1;
        }
    }

    /// Print the next comment if it trails the last line.
    fn flush_trailing(&mut self) {
        if let Some(c) = self.pending().filter(|c| self.trails(c.span.start as usize)) {
            self.append_comment(c);
            self.last = c.span.end as usize;
            self.next += 1;
        }
    }

    fn append_comment(&mut self, c: &Comment) {
        let opened = self.opened;
        if self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out.push_str(" //");
        self.out.push_str(c.text.trim_end());
        self.out.push('\n');
        self.opened = opened;
    }

    /// A blank line when the source has one between the last thing printed and `start`.
    fn gap(&mut self, start: usize) {
        if self.src.get(self.last..start).is_some_and(has_blank_line) {
            self.blank();
        }
    }

    /// Before a line whose first token is at `start` and last token ends at `end`: the comments
    /// before it (and inside it, which cannot stay there), and a blank line if the source has one.
    fn before(&mut self, start: usize, end: usize) {
        self.flush(end);
        self.gap(start);
    }

    // --- lines, lists and blocks --------------------------------------------------------------

    fn line(&mut self, text: &str, start: usize, end: usize) {
        self.before(start, end);
        self.push_line(text);
        self.last = end;
    }

    fn line_span(&mut self, text: &str, span: Span) {
        let end = self.end_of(span);
        self.line(text, span.start as usize, end);
    }

    /// `prefix a, b, c suffix`, broken after commas when the line would be too wide and after
    /// any item followed by a comment. `comma` is false for lists separated by spaces only.
    /// `start`/`end` place an empty list.
    fn list(&mut self, prefix: &str, items: &[Item], comma: bool, suffix: &str, start: usize, end: usize) {
        let Some(first) = items.first() else {
            self.line(&format!("{prefix}{suffix}"), start, end);
            return;
        };
        self.before(start, first.start);
        let continuation = format!("{}    ", self.indent());
        let mut current = format!("{}{prefix}", self.indent());
        let mut empty = true;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                while let Some(c) = self.pending().filter(|c| (c.span.start as usize) < item.start) {
                    if !empty && self.follows_last(c.span.start as usize) {
                        current.push_str(" //");
                        current.push_str(c.text.trim_end());
                    } else {
                        if !empty {
                            self.push_raw(&current);
                        }
                        current = format!("{continuation}//{}", c.text.trim_end());
                    }
                    self.push_raw(&current);
                    current.clone_from(&continuation);
                    empty = true;
                    self.last = c.span.end as usize;
                    self.next += 1;
                }
            }
            let last = i + 1 == items.len();
            let piece = match (last, comma && !item.joined) {
                (true, _) => format!("{}{suffix}", item.text),
                (false, true) => format!("{},", item.text),
                (false, false) => item.text.clone(),
            };
            if !empty && current.chars().count() + 1 + piece.chars().count() > MAX_WIDTH {
                self.push_raw(&current);
                current.clone_from(&continuation);
                empty = true;
            }
            if !empty {
                current.push(' ');
            }
            current.push_str(&piece);
            empty = false;
            self.last = item.end;
        }
        self.push_raw(&current);
    }

    /// A block whose body is printed by `body`; `{}` when the body prints nothing.
    fn block(&mut self, head: &str, at: At, body: impl FnOnce(&mut Printer<'a>)) {
        let open_end = at.open.map_or(at.start, |o| o + 1);
        self.before(at.start, open_end);
        let mark = self.out.len();
        self.push_line(&format!("{head} {{"));
        self.opened = true;
        self.last = open_end;
        self.depth += 1;
        let inside = self.out.len();
        body(self);
        if let Some(close) = at.close {
            self.flush(close);
        }
        self.depth = self.depth.saturating_sub(1);
        if self.out.len() == inside {
            self.out.truncate(mark);
            self.push_line(&format!("{head} {{}}"));
        } else {
            self.push_line("}");
        }
        self.last = at.end;
    }

    /// Print settings in the order they were written.
    fn fields(&mut self, mut fields: Vec<Field<'_, 'a>>) {
        fields.sort_by_key(|f| f.0);
        for (_, print) in fields {
            print(self);
        }
    }

    // --- declarations -------------------------------------------------------------------------

    fn decl(&mut self, decl: &Decl) {
        match decl {
            Decl::Tenant(t) => self.tenant(t),
            Decl::Object(o) => self.object(o),
            Decl::Location(l) => self.location(l),
            Decl::Preview(d) => self.preview(d),
            Decl::Methods(m) => self.methods(m),
            Decl::Policy(d) => self.policy(d),
            Decl::Test(t) => self.test(t),
            Decl::Assert(a) => self.assert(a),
        }
    }

    fn tenant(&mut self, t: &TenantDecl) {
        let at = self.at(t.span, t.span.start as usize);
        self.block("tenant", at, |p| {
            let mut f = Vec::new();
            if let Some(e) = &t.edition {
                f.push(line_field(e.span, format!("edition = {}", e.node)));
            }
            if let Some(id) = &t.id {
                f.push(line_field(id.span, format!("id = {}", quote(&id.node))));
            }
            if let Some(d) = &t.domain {
                f.push(line_field(d.span, format!("domain = {}", quote(&d.node))));
            }
            p.fields(f);
        });
    }

    fn object(&mut self, o: &ObjectDecl) {
        let head = format!("{} {}", o.kind.keyword(), o.name.node);
        if let Some(short) = object_short_form(o) {
            self.line_span(&format!("{head} = {short}"), o.span);
            return;
        }
        let at = self.at(o.span, o.name.span.end as usize);
        self.block(&head, at, |p| {
            let mut f = Vec::new();
            if let Some(b) = &o.builtin {
                f.push(line_field(b.span, format!("builtin = builtin({})", quote(&b.node))));
            }
            if let Some(id) = &o.id {
                f.push(line_field(id.span, format!("id = {}", quote(&id.node))));
            }
            if let Some(upn) = &o.upn {
                f.push(line_field(upn.span, format!("upn = {}", quote(&upn.node))));
            }
            if let Some(d) = &o.display_name {
                f.push(line_field(d.span, format!("display_name = {}", quote(&d.node))));
            }
            if let Some(t) = &o.user_type {
                f.push(line_field(t.span, format!("user_type = {}", t.node)));
            }
            if !o.member_of.is_empty() {
                f.push(list_field("member_of = [", &o.member_of, Span::default()));
            }
            if !o.roles.is_empty() {
                f.push(list_field("roles = [", &o.roles, Span::default()));
            }
            if let Some(span) = o.emergency_access {
                f.push(line_field(span, "emergency_access".to_owned()));
            }
            p.fields(f);
        });
    }

    /// Consecutive items written in one list (`ip a, b` then `ip c` are two runs).
    fn runs<'l, T>(&self, items: &'l [crate::span::Spanned<T>]) -> Vec<&'l [crate::span::Spanned<T>]> {
        let mut runs = Vec::new();
        let mut from = 0;
        for i in 1..items.len() {
            let (a, b) = (items[i - 1].span, items[i].span);
            let together = self.src.get(a.end as usize..b.start as usize).is_none_or(only_separators);
            if !together {
                runs.push(&items[from..i]);
                from = i;
            }
        }
        if from < items.len() {
            runs.push(&items[from..]);
        }
        runs
    }

    fn location(&mut self, l: &LocationDecl) {
        let at = self.at(l.span, l.name.span.end as usize);
        self.block(&format!("location {}", l.name.node), at, |p| {
            let mut f: Vec<Field<'_, 'a>> = Vec::new();
            if let Some(id) = &l.id {
                f.push(line_field(id.span, format!("id = {}", quote(&id.node))));
            }
            if let Some(d) = &l.display_name {
                f.push(line_field(d.span, format!("display_name = {}", quote(&d.node))));
            }
            if let Some(span) = l.trusted {
                f.push(line_field(span, "trusted".to_owned()));
            }
            for run in p.runs(&l.ranges) {
                let key = run.first().map_or(0, |r| r.span.start as usize);
                f.push((
                    key,
                    Box::new(move |p: &mut Printer<'a>| {
                        let items: Vec<Item> = run.iter().map(|r| p.item(r.node.clone(), r.span)).collect();
                        p.list("ip ", &items, true, "", key, key);
                    }),
                ));
            }
            for run in p.runs(&l.countries) {
                let key = run.first().map_or(0, |r| r.span.start as usize);
                f.push((
                    key,
                    Box::new(move |p: &mut Printer<'a>| {
                        let items = p.idents(run);
                        p.list("countries ", &items, true, "", key, key);
                    }),
                ));
            }
            if let Some(span) = l.include_unknown {
                f.push(line_field(span, "include_unknown".to_owned()));
            }
            if let Some(lookup) = &l.lookup {
                f.push(line_field(lookup.span, format!("lookup = {}", lookup.node)));
            }
            p.fields(f);
        });
    }

    fn preview(&mut self, d: &PreviewDecl) {
        let at = self.at(d.span, d.feature.span.end as usize);
        self.block(&format!("preview {}", d.feature.node), at, |p| {
            if let Some(scope) = &d.enabled_for {
                let value = match &scope.node {
                    PreviewScope::All => "all".to_owned(),
                    PreviewScope::None => "none".to_owned(),
                    PreviewScope::Group(g) => format!("group {}", g.node),
                };
                p.line_span(&format!("enabled_for = {value}"), scope.span);
            }
        });
    }

    fn methods(&mut self, m: &MethodsDecl) {
        let at = self.at(m.span, m.span.start as usize);
        self.block("methods", at, |p| {
            let mut f = Vec::new();
            if let Some(list) = &m.mfa {
                f.push(list_field("mfa = [", &list.node, list.span));
            }
            if let Some(list) = &m.sspr {
                f.push(list_field("sspr = [", &list.node, list.span));
            }
            p.fields(f);
        });
    }

    // --- policies -----------------------------------------------------------------------------

    fn policy(&mut self, d: &PolicyDecl) {
        let at = self.at(d.span, d.name.span.end as usize);
        self.block(&format!("policy {}", quote(&d.name.node)), at, |p| {
            for item in &d.items {
                p.policy_item(item);
            }
        });
    }

    fn policy_item(&mut self, item: &crate::span::Spanned<PolicyItem>) {
        let span = item.span;
        let start = span.start as usize;
        match &item.node {
            PolicyItem::Id(id) => self.line_span(&format!("id = {}", quote(&id.node)), span),
            PolicyItem::Description(d) => self.line_span(&format!("description = {}", quote(&d.node)), span),
            PolicyItem::State(s) => self.line_span(&format!("state = {}", s.node), span),
            PolicyItem::ReportOnlySince(d) => {
                self.line_span(&format!("report_only_since = {}", quote(&d.node)), span)
            }
            PolicyItem::Contingency => self.line_span("contingency", span),
            PolicyItem::Users(lines) => {
                let at = self.at(span, start);
                self.block("users", at, |p| {
                    for line in lines {
                        let (word, entries) = match &line.node {
                            IncludeExclude::Include(e) => ("include ", e),
                            IncludeExclude::Exclude(e) => ("exclude ", e),
                        };
                        let mut items = Vec::new();
                        for entry in entries {
                            p.principal_items(entry, &mut items);
                        }
                        let end = p.end_of(line.span);
                        p.list(word, &items, true, "", line.span.start as usize, end);
                    }
                });
            }
            PolicyItem::ServicePrincipals(lines) => {
                let at = self.at(span, start);
                self.block("service_principals", at, |p| {
                    for line in lines {
                        match &line.node {
                            ServicePrincipalItem::Include(refs) | ServicePrincipalItem::Exclude(refs) => {
                                let word = if matches!(line.node, ServicePrincipalItem::Include(_)) {
                                    "include "
                                } else {
                                    "exclude "
                                };
                                let items: Vec<Item> = refs
                                    .iter()
                                    .map(|r| {
                                        let text = match &r.node {
                                            SpRef::All => "all".to_owned(),
                                            SpRef::Named(n) => n.node.clone(),
                                        };
                                        p.item(text, r.span)
                                    })
                                    .collect();
                                let end = p.end_of(line.span);
                                p.list(word, &items, true, "", line.span.start as usize, end);
                            }
                            ServicePrincipalItem::Filter(f) => {
                                p.line_span(&format!("filter {}", filter(f)), line.span)
                            }
                        }
                    }
                });
            }
            PolicyItem::Target(kind, names) => {
                let items = self.idents(names);
                let end = self.end_of(span);
                self.list(&format!("target {} ", kind.keyword()), &items, true, "", start, end);
            }
            PolicyItem::ExcludeApps(names) => self.ident_list_item("exclude apps ", names, span),
            PolicyItem::AppFilter(f) => self.line_span(&format!("app_filter {}", filter(f)), span),
            PolicyItem::Locations(lines) => {
                let at = self.at(span, start);
                self.block("locations", at, |p| {
                    for line in lines {
                        p.include_exclude(line, |r: &LocationRef| match r {
                            LocationRef::Any => "any".to_owned(),
                            LocationRef::Trusted => "trusted".to_owned(),
                            LocationRef::Named(n) => n.node.clone(),
                        });
                    }
                });
            }
            PolicyItem::Platforms(lines) => {
                let at = self.at(span, start);
                self.block("platforms", at, |p| {
                    for line in lines {
                        p.include_exclude(line, |i: &Ident| i.node.clone());
                    }
                });
            }
            PolicyItem::ClientApps(list) => self.ident_list_item("client_apps ", list, span),
            PolicyItem::Risk(kind, list) => self.ident_list_item(&format!("{} ", kind.keyword()), list, span),
            PolicyItem::DeviceFilter(f) => self.line_span(&format!("device_filter {}", filter(f)), span),
            PolicyItem::AuthFlows(list) => self.ident_list_item("auth_flows ", list, span),
            PolicyItem::Grant(g) => self.grant("grant ", g, span),
            PolicyItem::Session(items) => {
                let at = self.at(span, start);
                self.block("session", at, |p| {
                    for item in items {
                        p.session_item(item);
                    }
                });
            }
        }
    }

    fn ident_list_item(&mut self, prefix: &str, list: &[Ident], span: Span) {
        let items = self.idents(list);
        let end = self.end_of(span);
        self.list(prefix, &items, true, "", span.start as usize, end);
    }

    fn include_exclude<T>(
        &mut self,
        line: &crate::span::Spanned<IncludeExclude<T>>,
        show: impl Fn(&T) -> String,
    ) {
        let (word, entries) = match &line.node {
            IncludeExclude::Include(e) => ("include ", e),
            IncludeExclude::Exclude(e) => ("exclude ", e),
        };
        let items: Vec<Item> = entries.iter().map(|e| self.item(show(&e.node), e.span)).collect();
        let end = self.end_of(line.span);
        self.list(word, &items, true, "", line.span.start as usize, end);
    }

    fn grant(&mut self, prefix: &str, g: &GrantExpr, span: Span) {
        match g {
            GrantExpr::Block => self.line_span(&format!("{prefix}block"), span),
            GrantExpr::One(c) => self.line_span(&format!("{prefix}{}", control(&c.node)), span),
            GrantExpr::Any(list) | GrantExpr::All(list) => {
                let word = if matches!(g, GrantExpr::Any(_)) { "any" } else { "all" };
                let items: Vec<Item> = list.iter().map(|c| self.item(control(&c.node), c.span)).collect();
                let end = self.end_of(span);
                self.list(&format!("{prefix}{word}("), &items, true, ")", span.start as usize, end);
            }
        }
    }

    fn session_item(&mut self, item: &crate::span::Spanned<SessionItem>) {
        let span = item.span;
        match &item.node {
            SessionItem::SignInFrequency(f) => self.sign_in_frequency(f, span),
            SessionItem::PersistentBrowser(w) => {
                self.line_span(&format!("persistent_browser = {}", w.node), span)
            }
            SessionItem::AppEnforcedRestrictions => self.line_span("app_enforced_restrictions", span),
            SessionItem::CloudAppSecurity(w) => {
                self.line_span(&format!("cloud_app_security = {}", w.node), span)
            }
            SessionItem::DisableResilienceDefaults => self.line_span("disable_resilience_defaults", span),
            SessionItem::SecureSignInSession => self.line_span("secure_sign_in_session", span),
        }
    }

    fn sign_in_frequency(&mut self, f: &SignInFrequency, span: Span) {
        if !f.block_form && f.authentication.is_none() {
            match (&f.interval, &f.period) {
                (None, Some(period)) => {
                    self.line_span(&format!("sign_in_frequency = {}", period.node), span);
                    return;
                }
                (Some(word), None) if word.node == "every_time" => {
                    self.line_span("sign_in_frequency = every_time", span);
                    return;
                }
                _ => {}
            }
        }
        let at = self.at(span, span.start as usize);
        self.block("sign_in_frequency", at, |p| {
            let mut fields = Vec::new();
            if let Some(i) = &f.interval {
                fields.push(line_field(i.span, format!("interval = {}", i.node)));
            }
            if let Some(period) = &f.period {
                fields.push(line_field(period.span, format!("period = {}", period.node)));
            }
            if let Some(a) = &f.authentication {
                fields.push(line_field(a.span, format!("authentication = {}", a.node)));
            }
            p.fields(fields);
        });
    }

    // --- tests and assertions -----------------------------------------------------------------

    fn test(&mut self, t: &TestDecl) {
        let at = self.at(t.span, t.name.span.end as usize);
        self.block(&format!("test {}", quote(&t.name.node)), at, |p| {
            let mut f: Vec<Field<'_, 'a>> = Vec::new();
            for sign_in in &t.sign_ins {
                f.push((
                    sign_in.span.start as usize,
                    Box::new(move |p: &mut Printer<'a>| p.sign_in(sign_in)),
                ));
            }
            for expect in &t.expects {
                f.push((
                    expect.span.start as usize,
                    Box::new(move |p: &mut Printer<'a>| p.expectation(expect)),
                ));
            }
            p.fields(f);
        });
    }

    fn sign_in(&mut self, s: &crate::span::Spanned<SignIn>) {
        let at = self.at(s.span, s.span.start as usize);
        let s = &s.node;
        self.block("sign_in", at, |p| {
            // Pushed in the documented order, which the stable sort keeps for a tree without spans.
            let mut f: Vec<Field<'_, 'a>> = Vec::new();
            let word = |f: &mut Vec<Field<'_, 'a>>, key: &str, value: &Option<Ident>| {
                if let Some(v) = value {
                    f.push(line_field(v.span, format!("{key} = {}", v.node)));
                }
            };
            word(&mut f, "user", &s.user);
            for (prefix, list) in [("groups = [", &s.groups), ("roles = [", &s.roles)] {
                if let Some(list) = list {
                    f.push(list_field(prefix, &list.node, list.span));
                }
            }
            word(&mut f, "user_type", &s.user_type);
            word(&mut f, "app", &s.app);
            word(&mut f, "action", &s.action);
            word(&mut f, "auth_context", &s.auth_context);
            word(&mut f, "service_principal", &s.service_principal);
            if let Some(ip) = &s.ip {
                let value = if is_bare_address(&ip.node) { ip.node.clone() } else { quote(&ip.node) };
                f.push(line_field(ip.span, format!("ip = {value}")));
            }
            word(&mut f, "country", &s.country);
            word(&mut f, "platform", &s.platform);
            word(&mut f, "client_app", &s.client_app);
            word(&mut f, "sign_in_risk", &s.sign_in_risk);
            word(&mut f, "user_risk", &s.user_risk);
            word(&mut f, "insider_risk", &s.insider_risk);
            word(&mut f, "service_principal_risk", &s.service_principal_risk);
            word(&mut f, "auth_flow", &s.auth_flow);
            if let Some(device) = &s.device {
                f.push((device.span.start as usize, Box::new(move |p: &mut Printer<'a>| p.device(device))));
            }
            p.fields(f);
        });
    }

    fn device(&mut self, device: &crate::span::Spanned<Vec<DeviceProp>>) {
        let at = self.at(device.span, device.span.start as usize);
        self.block("device", at, |p| {
            for prop in &device.node {
                let value = match &prop.value.node {
                    DeviceValueAst::Text(t) => quote(t),
                    DeviceValueAst::Bool(b) => b.to_string(),
                    DeviceValueAst::List(items) => {
                        let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
                        format!("[{}]", quoted.join(", "))
                    }
                };
                let end = p.end_of(prop.value.span);
                p.line(&format!("{} = {value}", prop.name.node), prop.name.span.start as usize, end);
            }
        });
    }

    fn expectation(&mut self, e: &crate::span::Spanned<Expectation>) {
        let span = e.span;
        match &e.node {
            Expectation::Block(None) => self.line_span("expect block", span),
            Expectation::Block(Some(by)) => {
                self.line_span(&format!("expect block by {}", quote(&by.node)), span)
            }
            Expectation::Allow => self.line_span("expect allow", span),
            Expectation::Grant(g) => self.grant("expect grant ", g, span),
            Expectation::Applies(n) => self.line_span(&format!("expect applies {}", quote(&n.node)), span),
            Expectation::NotApplies(n) => {
                self.line_span(&format!("expect not applies {}", quote(&n.node)), span)
            }
            Expectation::ReportOnly(n) => {
                self.line_span(&format!("expect report_only {}", quote(&n.node)), span)
            }
            Expectation::Session(name, value) => {
                let value = match value.as_ref().map(|v| &v.node) {
                    Some(SessionValue::Duration(d)) => format!(" {d}"),
                    Some(SessionValue::Word(w)) => format!(" {w}"),
                    None => String::new(),
                };
                self.line_span(&format!("expect session {}{value}", name.node), span);
            }
        }
    }

    fn assert(&mut self, a: &AssertDecl) {
        let at = self.at(a.span, a.name.span.end as usize);
        self.block(&format!("assert {}", quote(&a.name.node)), at, |p| {
            let quantifier = match a.quantifier.node {
                Quantifier::Never => "never",
                Quantifier::Always => "always",
            };
            let outcome = match &a.outcome.node {
                Outcome::Block => "block".to_owned(),
                Outcome::Allow => "allow".to_owned(),
                Outcome::Require(c) => format!("require {}", control(&c.node)),
            };
            let head = format!("{quantifier} {outcome}");
            let start = a.quantifier.span.start as usize;
            if a.clauses.is_empty() {
                let end = p.end_of(a.outcome.span);
                p.line(&head, start, end);
                return;
            }
            let items: Vec<Item> = a.clauses.iter().map(|c| p.item(clause_text(&c.node), c.span)).collect();
            p.list(&format!("{head} "), &items, false, "", start, start);
        });
    }
}

fn principal(p: &Principal) -> String {
    match p {
        Principal::All => "all".to_owned(),
        Principal::None => "none".to_owned(),
        Principal::AllGuests => "guests".to_owned(),
        Principal::Guests { types, tenants } => {
            let mut args: Vec<String> = types.iter().map(|t| t.node.clone()).collect();
            match tenants {
                Some(list) => {
                    let ids: Vec<String> = list.node.iter().map(|s| quote(&s.node)).collect();
                    args.push(format!("tenants = [{}]", ids.join(", ")));
                }
                // `tenants = all` is the default; it is needed only when there is no type.
                None if args.is_empty() => args.push("tenants = all".to_owned()),
                None => {}
            }
            format!("guests({})", args.join(", "))
        }
        Principal::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
    }
}

fn filter(f: &Filter) -> String {
    format!("{} {}", mode_word(f.mode.node), quote(&f.rule.node))
}

fn control(c: &Control) -> String {
    match c {
        Control::Builtin(w) => w.node.clone(),
        Control::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
    }
}

fn clause_text(c: &Clause) -> String {
    let mut parts = Vec::new();
    if let Some(word) = &c.word {
        parts.push(word.clone());
    }
    if c.negated {
        parts.push("not".to_owned());
    }
    parts.push(match &c.condition {
        Condition::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
        Condition::TargetApps(apps) => {
            let names: Vec<&str> = apps.iter().map(|a| a.node.as_str()).collect();
            format!("target apps {}", names.join(", "))
        }
        Condition::Guests => "guests".to_owned(),
        Condition::Members => "members".to_owned(),
        Condition::Trusted => "trusted".to_owned(),
        Condition::Value(word, value) => format!("{} {}", word.keyword(), value.node),
    });
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn reparse(text: &str) -> File {
        let (file, diags) = crate::syntax::parse(FileId(0), text);
        assert!(!diags.has_errors(), "printed text does not parse:\n{text}\n{diags:?}");
        file
    }

    fn round_trip(source: &str) -> String {
        let original = reparse(source);
        let printed = print_file(&original);
        let again = reparse(&printed);
        assert!(same_decls(&original.decls, &again.decls), "tree changed:\n{printed}");
        assert_eq!(printed, print_file(&again), "printing is not idempotent");
        printed
    }

    #[test]
    fn every_construct_round_trips() {
        let source = r#"
tenant { edition = p2, id = "8a5c2b47-1c43-4f1e-9d8c-0f3c0b1d2e4f", domain = "contoso.example" }
group g { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2", display_name = "G \"quoted\"", emergency_access }
group empty {}
user u { id = "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40", upn = "u@x", member_of = [g], roles = [ga], user_type = internal_guest }
role ga = builtin("Global Administrator")
role custom { id = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", display_name = "X" }
app exo = builtin("Office 365 Exchange Online")
app mine = "4b233688-031c-404b-9a80-a4f3f2351f90"
auth_strength s = builtin("Phishing-resistant MFA")
auth_context c1 = "c1"
terms_of_use tou = "ce580154-086a-40fd-91df-8a60abac81a0"
custom_control cc = "dcc"
service_principal sp { id = "5d1e8f2a-3b4c-4d6e-8f90-a1b2c3d4e5f6" }
location hq { display_name = "HQ" trusted ip 203.0.113.0/24, 2001:db8::/48 }
location c { countries FR, DE include_unknown lookup = gps }
location ext { id = "3d46dbda-8382-466a-856d-eb00cbc6b910" }
preview combined_registration { enabled_for = group g }
methods { mfa = [authenticator, sms] sspr = [email] }
policy "P \\ 1" {
  id = "3ee3a9de-0a86-4e12-a287-9769accf1ba3"
  description = "line\nbreak\ttab"
  state = report_only
  report_only_since = "2024-01-02"
  contingency
  users { include all exclude group g, user u, role ga, guests, guests(b2b_collaboration_guest, tenants = ["8a5c2b47-1c43-4f1e-9d8c-0f3c0b1d2e4f"]) }
  target apps all
  exclude apps exo, office365
  app_filter exclude "CustomSecurityAttribute.x -eq \"y\""
  locations { include any exclude trusted, hq }
  platforms { include all exclude ios }
  client_apps browser, mobile_desktop
  sign_in_risk high, medium
  user_risk high
  insider_risk elevated
  service_principal_risk low
  device_filter exclude "device.trustType -eq \"ServerAD\""
  auth_flows device_code
  grant any(mfa, auth_strength s, terms_of_use tou)
  session {
    sign_in_frequency = 4h
    persistent_browser = never
    app_enforced_restrictions
    cloud_app_security = block_downloads
    disable_resilience_defaults
    secure_sign_in_session
  }
}
policy "Q" { state = enabled users { include guests(internal_guest) } service_principals { include all exclude sp filter include "x" } target action register_security_info grant block session { sign_in_frequency = every_time } }
policy "R" { state = disabled users { include none } target auth_context c1 grant all(mfa, compliant_device) session { sign_in_frequency { interval = time_based period = 7d authentication = secondary } } }
test "t" {
  sign_in { user = u groups = [g] roles = [ga] user_type = member app = exo ip = 203.0.113.9 country = FR platform = ios client_app = browser sign_in_risk = high user_risk = low insider_risk = minor service_principal_risk = none auth_flow = device_code device { trust_type = "AzureAD" is_compliant = true physical_ids = ["a", "b"] } }
  expect block
  expect block by "P \\ 1"
  expect allow
  expect grant all(mfa)
  expect applies "Q"
  expect not applies "R"
  expect report_only "P \\ 1"
  expect session sign_in_frequency 4h
  expect session persistent_browser never
  expect session app_enforced_restrictions
}
assert "a" { never block for group g when not platform ios and target apps exo, office365 }
assert "b" { always require mfa guests from trusted via members on location hq with client_app browser }
"#;
        let printed = round_trip(source);
        assert!(printed.contains("role ga = builtin(\"Global Administrator\")\n\nrole custom {"));
        assert!(printed.contains("app exo = builtin(\"Office 365 Exchange Online\")\napp mine = "));
        assert!(printed.contains("    include all\n    exclude group g, user u, role ga"));
    }

    #[test]
    fn long_lists_wrap_and_still_round_trip() {
        let ranges: Vec<String> = (0..40).map(|i| format!("10.{i}.0.0/16")).collect();
        let source = format!("location many {{ ip {} }}", ranges.join(", "));
        let printed = round_trip(&source);
        assert!(printed.lines().all(|l| l.chars().count() <= MAX_WIDTH), "{printed}");
        assert!(printed.lines().count() > 5);
    }

    #[test]
    fn examples_round_trip() {
        for path in [
            "examples/combined-registration/inventory.capol",
            "examples/combined-registration/registration.capol",
        ] {
            let text = std::fs::read_to_string(path).unwrap();
            round_trip(&text);
        }
    }

    mod generated {
        use proptest::prelude::*;

        use super::super::*;
        use crate::span::{FileId, Span, Spanned};

        fn sp<T>(node: T) -> Spanned<T> {
            Spanned::new(node, Span::default())
        }

        // Names carry a prefix so that no generated name is a keyword of the grammar.
        fn name() -> impl Strategy<Value = Ident> {
            "n_[a-z0-9_]{0,6}".prop_map(sp)
        }

        fn text() -> impl Strategy<Value = Str> {
            prop_oneof!["\\PC{0,12}", "[a-z\"\\\\\n\t\u{1}é🙂]{0,8}"].prop_map(sp)
        }

        fn principal() -> impl Strategy<Value = Principal> {
            prop_oneof![
                Just(Principal::All),
                Just(Principal::None),
                Just(Principal::AllGuests),
                (prop::collection::vec(name(), 1..3), prop::option::of(prop::collection::vec(text(), 0..2)))
                    .prop_map(|(types, tenants)| Principal::Guests { types, tenants: tenants.map(sp) }),
                (
                    prop_oneof![Just(ObjectKind::Group), Just(ObjectKind::User), Just(ObjectKind::Role)],
                    name()
                )
                    .prop_map(|(k, n)| Principal::Ref(RefKind::Object(k), n)),
            ]
        }

        fn lines<T: std::fmt::Debug + Clone>(
            item: impl Strategy<Value = T>,
        ) -> impl Strategy<Value = Vec<Spanned<IncludeExclude<T>>>> {
            prop::collection::vec(
                (any::<bool>(), prop::collection::vec(item.prop_map(sp), 1..4)).prop_map(
                    |(include, entries)| {
                        sp(if include {
                            IncludeExclude::Include(entries)
                        } else {
                            IncludeExclude::Exclude(entries)
                        })
                    },
                ),
                0..3,
            )
        }

        fn control() -> impl Strategy<Value = Spanned<Control>> {
            prop_oneof![
                name().prop_map(Control::Builtin),
                name().prop_map(|n| Control::Ref(RefKind::Object(ObjectKind::AuthStrength), n)),
            ]
            .prop_map(sp)
        }

        fn grant() -> impl Strategy<Value = GrantExpr> {
            prop_oneof![
                Just(GrantExpr::Block),
                control().prop_map(GrantExpr::One),
                prop::collection::vec(control(), 1..4).prop_map(GrantExpr::Any),
                prop::collection::vec(control(), 1..4).prop_map(GrantExpr::All),
            ]
        }

        fn filter() -> impl Strategy<Value = Filter> {
            (any::<bool>(), text()).prop_map(|(include, rule)| Filter {
                mode: sp(if include { FilterMode::Include } else { FilterMode::Exclude }),
                rule,
            })
        }

        fn session_item() -> impl Strategy<Value = SessionItem> {
            let duration = (1u32..400, any::<bool>()).prop_map(|(value, hours)| {
                sp(Duration { value, unit: if hours { DurationUnit::Hours } else { DurationUnit::Days } })
            });
            prop_oneof![
                duration.clone().prop_map(|d| SessionItem::SignInFrequency(SignInFrequency {
                    block_form: false,
                    interval: None,
                    period: Some(d),
                    authentication: None,
                })),
                Just(SessionItem::SignInFrequency(SignInFrequency {
                    block_form: false,
                    interval: Some(sp("every_time".to_owned())),
                    period: None,
                    authentication: None,
                })),
                (prop::option::of(name()), prop::option::of(duration), prop::option::of(name())).prop_map(
                    |(interval, period, authentication)| SessionItem::SignInFrequency(SignInFrequency {
                        block_form: true,
                        interval,
                        period,
                        authentication,
                    })
                ),
                name().prop_map(SessionItem::PersistentBrowser),
                name().prop_map(SessionItem::CloudAppSecurity),
                Just(SessionItem::AppEnforcedRestrictions),
                Just(SessionItem::DisableResilienceDefaults),
                Just(SessionItem::SecureSignInSession),
            ]
        }

        fn item() -> impl Strategy<Value = PolicyItem> {
            let names = || prop::collection::vec(name(), 1..4);
            let location_ref = prop_oneof![
                Just(LocationRef::Any),
                Just(LocationRef::Trusted),
                name().prop_map(LocationRef::Named)
            ];
            prop_oneof![
                text().prop_map(PolicyItem::Id),
                text().prop_map(PolicyItem::Description),
                name().prop_map(PolicyItem::State),
                Just(PolicyItem::Contingency),
                lines(principal()).prop_map(PolicyItem::Users),
                (
                    prop_oneof![
                        Just(TargetKind::Apps),
                        Just(TargetKind::Action),
                        Just(TargetKind::AuthContext)
                    ],
                    names()
                )
                    .prop_map(|(k, n)| PolicyItem::Target(k, n)),
                names().prop_map(PolicyItem::ExcludeApps),
                filter().prop_map(PolicyItem::AppFilter),
                lines(location_ref).prop_map(PolicyItem::Locations),
                lines(name()).prop_map(PolicyItem::Platforms),
                names().prop_map(PolicyItem::ClientApps),
                (prop_oneof![Just(RiskKind::SignIn), Just(RiskKind::User), Just(RiskKind::Insider)], names())
                    .prop_map(|(k, n)| PolicyItem::Risk(k, n)),
                filter().prop_map(PolicyItem::DeviceFilter),
                names().prop_map(PolicyItem::AuthFlows),
                grant().prop_map(PolicyItem::Grant),
                // The parser refuses a session setting given twice, so the trees it makes have none.
                prop::collection::vec(session_item().prop_map(sp), 0..4).prop_map(|mut items| {
                    let mut seen = Vec::new();
                    items.retain(|i| {
                        let fresh = !seen.contains(&i.node.setting());
                        seen.push(i.node.setting());
                        fresh
                    });
                    PolicyItem::Session(items)
                }),
            ]
        }

        fn policy() -> impl Strategy<Value = Decl> {
            (text(), prop::collection::vec(item().prop_map(sp), 0..8))
                .prop_map(|(name, items)| Decl::Policy(PolicyDecl { span: Span::default(), name, items }))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn printed_policies_parse_back_to_the_same_tree(decls in prop::collection::vec(policy(), 1..3)) {
                let file = File { decls, comments: Vec::new() };
                let printed = print_file(&file);
                let (again, diags) = crate::syntax::parse(FileId(0), &printed);
                prop_assert!(!diags.has_errors(), "does not parse:\n{printed}\n{diags:?}");
                prop_assert!(same_decls(&file.decls, &again.decls), "tree changed:\n{printed}");
                prop_assert_eq!(print_file(&again), printed);
            }

            #[test]
            fn comments_anywhere_survive_formatting(
                decls in prop::collection::vec(policy(), 1..3),
                picks in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3), 0..12),
            ) {
                let printed = print_file(&File { decls, comments: Vec::new() });
                let text = super::with_comments(&printed, &picks);
                let out = format(&text);
                prop_assert!(out.is_ok(), "refused:\n{text}\n{out:?}");
                let out = out.unwrap_or_default();
                let again = format(&out);
                prop_assert_eq!(again.as_ref().ok(), Some(&out), "not idempotent:\n{}", text);
            }
        }
    }

    /// Comments inserted at whitespace outside strings: kind 0 replaces a space or line break by
    /// a trailing comment, 1 puts an own-line comment before a line break, 2 a comment then a
    /// blank line.
    fn with_comments(text: &str, picks: &[(proptest::sample::Index, u8)]) -> String {
        let bytes = text.as_bytes();
        let mut spots = Vec::new();
        let mut in_string = false;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_string => i += 1,
                b'"' => in_string = !in_string,
                b' ' | b'\n' if !in_string => spots.push(i),
                _ => {}
            }
            i += 1;
        }
        if spots.is_empty() {
            return text.to_owned();
        }
        let mut chosen: Vec<(usize, u8, usize)> = picks
            .iter()
            .enumerate()
            .map(|(n, (index, kind))| (spots[index.index(spots.len())], *kind, n))
            .collect();
        chosen.sort();
        chosen.dedup_by_key(|c| c.0);
        let mut out = text.to_owned();
        for (at, kind, n) in chosen.into_iter().rev() {
            let comment = match kind {
                0 => format!(" // c{n} trailing\n"),
                1 => format!("\n// c{n} own line\n"),
                _ => format!("\n\n  // c{n} after a blank line\n\n"),
            };
            out.replace_range(at..at + 1, &comment);
        }
        out
    }

    fn fmt_ok(text: &str) -> String {
        let out = format(text).unwrap_or_else(|e| panic!("refused: {e:?}\n{text}"));
        assert_eq!(format(&out).as_ref(), Ok(&out), "not idempotent:\n{out}");
        out
    }

    #[test]
    fn comments_before_after_and_inside() {
        let source = r#"// header

// about the group
group g { // the group
  id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" // its id
  // before the name
  display_name = "G"
} // after the group
role a = builtin("Global Administrator") // first role
// between roles
role b = builtin("Security Administrator")
policy // odd
  "P" {
  state = enabled


  users { include group g, // one
    // own line
    role a, role b exclude role b }
  grant any(mfa, // why
    compliant_device // last
  )
  // end of policy
}
// trailing file comment
"#;
        let expected = r#"// header

// about the group
group g { // the group
  id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" // its id
  // before the name
  display_name = "G"
} // after the group

role a = builtin("Global Administrator") // first role
// between roles
role b = builtin("Security Administrator")

// odd
policy "P" {
  state = enabled

  users {
    include group g, // one
        // own line
        role a, role b
    exclude role b
  }
  grant any(mfa, // why
      compliant_device) // last
  // end of policy
}
// trailing file comment
"#;
        assert_eq!(fmt_ok(source), expected);
    }

    #[test]
    fn comments_in_ip_lists_and_separate_ip_lines() {
        let source = "location hq {\n  ip 203.0.113.0/24, // office\n  198.51.100.0/25 // vpn\n  trusted\n  ip 192.0.2.0/24\n}\n";
        let expected = "location hq {\n  ip 203.0.113.0/24, // office\n      198.51.100.0/25 // vpn\n  trusted\n  ip 192.0.2.0/24\n}\n";
        assert_eq!(fmt_ok(source), expected);
    }

    #[test]
    fn settings_keep_their_written_order() {
        let source = "user u { roles = [r] id = \"0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40\" }\n";
        assert_eq!(
            fmt_ok(source),
            "user u {\n  roles = [r]\n  id = \"0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40\"\n}\n"
        );
    }

    #[test]
    fn syntax_errors_are_refused() {
        assert!(matches!(format("policy \"x\" {"), Err(FormatError::Syntax(_))));
        assert!(matches!(format("group g { colour = red }"), Err(FormatError::Syntax(_))));
    }

    #[test]
    fn the_safety_net_catches_a_changed_tree_and_lost_comments() {
        let text = "group g { id = \"x\" } // kept\n";
        let (tree, _) = crate::syntax::parse(FileId(0), text);
        assert!(verify(FileId(0), &tree, "group g { id = \"x\" } // kept\n").is_ok());
        let changed = verify(FileId(0), &tree, "group h { id = \"x\" } // kept\n");
        assert!(matches!(changed, Err(FormatError::Unsafe(_))));
        let lost = verify(FileId(0), &tree, "group g { id = \"x\" }\n");
        assert!(matches!(lost, Err(FormatError::Unsafe(_))));
        let broken = verify(FileId(0), &tree, "group g {\n");
        assert!(matches!(broken, Err(FormatError::Unsafe(_))));
    }

    #[test]
    fn empty_file_prints_nothing() {
        assert_eq!(print_file(&File::default()), "");
    }
}
