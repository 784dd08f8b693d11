//! Text to tree: runs the pest parser and lowers its pairs into `ast` nodes.
//!
//! Terminology: a *pair* is pest's parse node; *lowering* turns one pair into one AST node. Each
//! grammar rule that produces a node has one `lower_<rule>` method. Generic `{ key = value }`
//! blocks are first read into `Prop`s and then interpreted per context by a `PropReader`, which
//! reports unknown and duplicate fields. This is the only module that knows about pest.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use crate::diagnostic::{Diagnostics, Error};
use crate::span::{FileId, Span, Spanned};
use crate::suggest;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/capol.pest"]
struct CapolParser;

/// Longest identifier accepted.
pub const MAX_IDENT_LEN: usize = 128;
/// Longest string literal accepted, in bytes.
pub const MAX_STRING_LEN: usize = 8192;
/// Most items in one list.
pub const MAX_LIST_LEN: usize = 100_000;

type P<'i> = Pair<'i, Rule>;

/// Parse the text of one file. Never panics; on a syntax error the tree holds what precedes it.
///
/// Long `ip` lists are cut out of the text pest sees (pest costs tens of nanoseconds per byte,
/// and a tenant's locations can hold hundreds of thousands of ranges); `Cuts` maps positions
/// back to the original text and hands the lowering each cut list, split by hand.
pub fn parse_text(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Decl> {
    let cuts = Cuts::find(text);
    let masked = cuts.masked(text);
    let pairs = match CapolParser::parse(Rule::file, &masked) {
        Ok(pairs) => pairs,
        Err(error) => {
            diags.push(file, syntax_error(&error, &masked, &cuts));
            return Vec::new();
        }
    };
    let mut lower = Lower { file, diags, cuts: &cuts, text };
    lower.lower_file(pairs)
}

/// The long `ip` lists removed from the text given to pest.
#[derive(Debug, Default)]
struct Cuts {
    /// For each cut, in order: the original offset of the first address, the original range
    /// removed after it, and the addresses of the whole list with their original offsets.
    lists: Vec<CutList>,
}

#[derive(Debug)]
struct CutList {
    first_start: usize,
    removed: std::ops::Range<usize>,
    /// Position of the cut in the masked text.
    masked_at: usize,
    /// Bytes removed by this cut and every earlier one.
    removed_total: usize,
    /// Original offset and length of every address of the list.
    addresses: Vec<(usize, usize)>,
}

/// Lists shorter than this are left to pest.
const CUT_MIN_ADDRESSES: usize = 16;

impl Cuts {
    fn find(text: &str) -> Cuts {
        let bytes = text.as_bytes();
        let mut cuts = Cuts::default();
        let mut removed_total = 0;
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
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'i' if bytes.get(i + 1) == Some(&b'p')
                    && bytes.get(i + 2).is_some_and(|b| b.is_ascii_whitespace())
                    && (i == 0 || !is_ident_byte(bytes[i - 1])) =>
                {
                    let start = i + 2;
                    let addresses: Vec<(usize, usize)> =
                        address_run(text, start).map(|(o, a)| (start + o, a.len())).collect();
                    match (addresses.first(), addresses.last()) {
                        (Some(first), Some(last)) if addresses.len() >= CUT_MIN_ADDRESSES => {
                            let first_end = first.0 + first.1;
                            let last_end = last.0 + last.1;
                            let masked_at = first_end - removed_total;
                            removed_total += last_end - first_end;
                            cuts.lists.push(CutList {
                                first_start: first.0,
                                removed: first_end..last_end,
                                masked_at,
                                removed_total,
                                addresses,
                            });
                            i = last_end;
                        }
                        _ => i += 2,
                    }
                }
                _ => i += 1,
            }
        }
        cuts
    }

    fn masked<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.lists.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for cut in &self.lists {
            out.push_str(text.get(at..cut.removed.start).unwrap_or(""));
            at = cut.removed.end;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        std::borrow::Cow::Owned(out)
    }

    /// Original offset of a masked position that starts something: text at the cut point
    /// belongs after the removed list.
    fn start(&self, masked: usize) -> usize {
        let idx = self.lists.partition_point(|c| c.masked_at <= masked);
        masked + idx.checked_sub(1).and_then(|i| self.lists.get(i)).map_or(0, |c| c.removed_total)
    }

    /// Original offset of a masked position that ends something: text ending at the cut point
    /// is the first address, before the removed list.
    fn end(&self, masked: usize) -> usize {
        let idx = self.lists.partition_point(|c| c.masked_at < masked);
        masked + idx.checked_sub(1).and_then(|i| self.lists.get(i)).map_or(0, |c| c.removed_total)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.start(start), self.end(end))
    }

    /// The whole list whose first address starts at this original offset, if it was cut.
    fn list_at(&self, first_start: usize) -> Option<&[(usize, usize)]> {
        self.lists
            .binary_search_by_key(&first_start, |c| c.first_start)
            .ok()
            .and_then(|i| self.lists.get(i))
            .map(|c| c.addresses.as_slice())
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The addresses of an `ip` list starting at `start`, as the grammar's `address_list` reads
/// them: ranges separated by commas, whitespace and comments. Offsets are relative to `start`.
fn address_run(text: &str, start: usize) -> impl Iterator<Item = (usize, &str)> {
    let rest = text.get(start..).unwrap_or("");
    let bytes = rest.as_bytes();
    let mut i = 0;
    let mut first = true;
    std::iter::from_fn(move || {
        let skip = |mut j: usize| {
            loop {
                match bytes.get(j) {
                    Some(b) if b.is_ascii_whitespace() => j += 1,
                    Some(b'/') if bytes.get(j + 1) == Some(&b'/') => {
                        while bytes.get(j).is_some_and(|c| *c != b'\n') {
                            j += 1;
                        }
                    }
                    _ => return j,
                }
            }
        };
        let mut j = skip(i);
        if !first {
            if bytes.get(j) != Some(&b',') {
                return None;
            }
            j = skip(j + 1);
        }
        let begin = j;
        while bytes.get(j).is_some_and(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.' | b'/')) {
            j += 1;
        }
        let token = rest.get(begin..j)?;
        // Same shape as the grammar's `address`: a hex run followed by `.` or `:`.
        let shaped = token.trim_start_matches(|c: char| c.is_ascii_hexdigit()).starts_with(['.', ':']);
        if token.is_empty() || !shaped {
            return None;
        }
        first = false;
        i = j;
        Some((begin, token))
    })
}

impl Lower<'_> {
    /// The pair's span in the original text, without the whitespace pest leaves at the end of
    /// rules that end in an optional repetition (labels would otherwise run onto the next line).
    fn span_of(&self, pair: &P<'_>) -> Span {
        let span = self.cuts.span(pair.as_span().start(), pair.as_span().end());
        let bytes = self.text.as_bytes();
        let mut end = span.end as usize;
        while end > span.start as usize && bytes.get(end - 1).is_some_and(|b| b.is_ascii_whitespace()) {
            end -= 1;
        }
        Span::new(span.start as usize, end)
    }
}

/// Words for grammar rules in "expected ..." messages; `None` hides a rule that is only an
/// implementation detail.
fn rule_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::file => "a declaration (`policy`, `group`, `user`, `location`, `test`, ...)",
        Rule::k_assert
        | Rule::k_location
        | Rule::k_methods
        | Rule::k_policy
        | Rule::k_preview
        | Rule::k_tenant
        | Rule::k_test => "a declaration (`policy`, `group`, `user`, `location`, `test`, ...)",
        Rule::k_allow => "`allow`",
        Rule::k_app_filter => "`app_filter`",
        Rule::k_applies => "`applies`",
        Rule::k_apps => "`apps`",
        Rule::k_auth_flows => "`auth_flows`",
        Rule::k_by => "`by`",
        Rule::k_client_apps => "`client_apps`",
        Rule::k_countries => "`countries`",
        Rule::k_device_filter => "`device_filter`",
        Rule::k_expect => "`expect`",
        Rule::k_filter => "`filter`",
        Rule::k_grant => "`grant`",
        Rule::k_ip => "`ip`",
        Rule::k_locations => "`locations`",
        Rule::k_platforms => "`platforms`",
        Rule::k_report_only => "`report_only`",
        Rule::k_require => "`require`",
        Rule::k_service_principals => "`service_principals`",
        Rule::k_session => "`session`",
        Rule::k_sign_in => "`sign_in`",
        Rule::k_target => "`target`",
        Rule::k_users => "`users`",
        Rule::tenant_decl
        | Rule::object_decl
        | Rule::location_decl
        | Rule::preview_decl
        | Rule::methods_decl
        | Rule::policy_decl
        | Rule::test_decl
        | Rule::assert_decl => "a declaration (`policy`, `group`, `user`, `location`, `test`, ...)",
        Rule::ident => "a name",
        Rule::string => "a string in double quotes",
        Rule::duration => "a duration such as `4h` or `7d`",
        Rule::number => "a number",
        Rule::address | Rule::address_list => "an IP address or CIDR range",
        Rule::props => "`{`",
        Rule::prop => "a field",
        Rule::list => "a list `[...]`",
        Rule::kind_ref | Rule::ref_kind => "a reference such as `group name`",
        Rule::builtin_call => "`builtin(\"...\")`",
        Rule::object_kind => "a declaration (`policy`, `group`, `user`, `location`, `test`, ...)",
        Rule::location_ip => "`ip`",
        Rule::location_countries => "`countries`",
        Rule::users_block => "`users`",
        Rule::users_include | Rule::sp_include | Rule::locations_include | Rule::platforms_include => {
            "`include`"
        }
        Rule::users_exclude | Rule::sp_exclude | Rule::locations_exclude | Rule::platforms_exclude => {
            "`exclude`"
        }
        Rule::principal => "`all`, `none`, `guests` or a reference such as `group name`",
        Rule::guests_typed => "`guests(...)`",
        Rule::guest_tenants => "`tenants = ...`",
        Rule::service_principals_block => "`service_principals`",
        Rule::sp_ref => "`all` or a service principal",
        Rule::sp_filter => "`filter`",
        Rule::target => "`target`",
        Rule::target_kind => "`apps`, `action` or `auth_context`",
        Rule::exclude_apps => "`exclude apps`",
        Rule::app_filter => "`app_filter`",
        Rule::locations_block => "`locations`",
        Rule::location_ref => "`any`, `trusted` or a location name",
        Rule::platforms_block => "`platforms`",
        Rule::client_apps => "`client_apps`",
        Rule::risk_condition | Rule::risk_kind => "a risk condition",
        Rule::device_filter => "`device_filter`",
        Rule::filter_mode => "`include` or `exclude`",
        Rule::auth_flows => "`auth_flows`",
        Rule::grant => "`grant`",
        Rule::grant_expr => "`block`, a control, `any(...)` or `all(...)`",
        Rule::grant_any => "`any(...)`",
        Rule::grant_all => "`all(...)`",
        Rule::control => "a grant control",
        Rule::session_block => "`session`",
        Rule::sign_in => "`sign_in`",
        Rule::expect => "`expect`",
        Rule::expect_block => "`block`",
        Rule::expect_allow => "`allow`",
        Rule::expect_grant => "`grant`",
        Rule::expect_applies => "`applies`",
        Rule::expect_not_applies => "`not applies`",
        Rule::expect_report_only => "`report_only`",
        Rule::expect_session => "`session`",
        Rule::assertion | Rule::quantifier => "`never` or `always`",
        Rule::outcome | Rule::outcome_block | Rule::outcome_allow | Rule::outcome_require => {
            "`block`, `allow` or `require <control>`"
        }
        Rule::clause | Rule::condition | Rule::clause_word => "a condition",
        Rule::cond_target_apps => "`target apps`",
        Rule::cond_value | Rule::cond_word => "a condition such as `platform ios`",
        Rule::kw_all => "`all`",
        Rule::kw_none => "`none`",
        Rule::kw_any => "`any`",
        Rule::kw_trusted => "`trusted`",
        Rule::kw_guests => "`guests`",
        Rule::kw_include => "`include`",
        Rule::kw_exclude => "`exclude`",
        Rule::kw_block => "`block`",
        Rule::kw_not => "`not`",
        _ => return None,
    })
}

/// Turn pest's error into a diagnostic in words.
fn syntax_error(error: &pest::error::Error<Rule>, text: &str, cuts: &Cuts) -> Error {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&str> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| rule_words(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    let expected = match expected.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    let (found, len) = describe_token(text, pos);
    // Suggest a keyword when the unexpected token is a misspelt one (`includ` for `include`).
    let keywords: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    let word = found.trim_matches('`');
    let suggestion = if found.starts_with('`') && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        suggest::did_you_mean(word, keywords.iter().copied())
    } else {
        None
    };
    let help = if let Some(suggestion) = suggestion {
        Some(suggestion)
    } else if text.get(pos..).and_then(|r| r.chars().next()).is_some_and(|c| !c.is_ascii()) {
        Some("names use ASCII letters, digits and `_`; other text belongs in a string".to_owned())
    } else if expected.contains("a declaration")
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        suggest::did_you_mean(
            word,
            [
                "policy", "group", "user", "role", "app", "location", "tenant", "test", "assert", "preview",
                "methods",
            ],
        )
    } else {
        None
    };
    Error::Syntax { found, expected, span: cuts.span(pos, pos + len).into(), help }
}

/// What sits at `pos`, for "unexpected ..." messages, and its length in bytes.
fn describe_token(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_owned(), 0);
    };
    if first.is_ascii_alphanumeric() || first == '_' {
        let word: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if first == '"' {
        return ("string".to_owned(), 1);
    }
    (format!("`{first}`"), first.len_utf8())
}

/// The addresses of an `address_list` token with their byte offsets in it. The grammar has
/// already checked the shape: addresses separated by commas, whitespace and comments.
fn split_addresses(list: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = list.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            let b = *bytes.get(i)?;
            if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            } else if b.is_ascii_whitespace() || b == b',' {
                i += 1;
            } else {
                break;
            }
        }
        let start = i;
        while bytes.get(i).is_some_and(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.' | b'/')) {
            i += 1;
        }
        // The grammar guarantees progress; stop rather than loop if it ever did not.
        if i == start {
            return None;
        }
        list.get(start..i).map(|a| (start, a))
    })
}

/// A generic property before interpretation.
#[derive(Debug, Clone)]
struct Prop {
    key: Ident,
    value: Option<Spanned<Value>>,
    span: Span,
}

/// A generic property value.
#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Builtin(Str),
    List(Vec<Spanned<Value>>),
    Props(Vec<Prop>),
    Address(String),
    Duration(Duration),
    Number,
    KindRef(RefKind, Ident),
    Ident(String),
}

impl Value {
    fn describe(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Builtin(_) => "a `builtin(...)` call",
            Value::List(_) => "a list",
            Value::Props(_) => "a block",
            Value::Address(_) => "an IP address",
            Value::Duration(_) => "a duration",
            Value::Number => "a number",
            Value::KindRef(..) => "a reference",
            Value::Ident(_) => "a word",
        }
    }
}

struct Lower<'d> {
    file: FileId,
    diags: &'d mut Diagnostics,
    cuts: &'d Cuts,
    /// The original text (pest sees it with long `ip` lists cut out).
    text: &'d str,
}

impl Lower<'_> {
    fn error(&mut self, error: Error) {
        self.diags.push(self.file, error);
    }

    fn lower_file(&mut self, mut pairs: Pairs<'_, Rule>) -> Vec<Decl> {
        let Some(file) = pairs.next() else { return Vec::new() };
        let mut decls = Vec::new();
        for pair in file.into_inner() {
            if let Some(decl) = self.lower_decl(pair) {
                decls.push(decl);
            }
        }
        decls
    }

    fn lower_decl(&mut self, pair: P<'_>) -> Option<Decl> {
        Some(match pair.as_rule() {
            Rule::tenant_decl => Decl::Tenant(self.lower_tenant(pair)),
            Rule::object_decl => Decl::Object(self.lower_object(pair)),
            Rule::location_decl => Decl::Location(self.lower_location(pair)),
            Rule::preview_decl => Decl::Preview(self.lower_preview(pair)),
            Rule::methods_decl => Decl::Methods(self.lower_methods(pair)),
            Rule::policy_decl => Decl::Policy(self.lower_policy(pair)),
            Rule::test_decl => Decl::Test(self.lower_test(pair)),
            Rule::assert_decl => Decl::Assert(self.lower_assert(pair)),
            _ => return None,
        })
    }

    // --- lexical ------------------------------------------------------------------------------

    fn ident(&mut self, pair: &P<'_>) -> Ident {
        let span = self.span_of(pair);
        let text = pair.as_str();
        if text.len() > MAX_IDENT_LEN {
            self.error(Error::LimitExceeded {
                what: "identifier".into(),
                limit: format!("{MAX_IDENT_LEN} characters"),
                span: span.into(),
            });
        }
        Spanned::new(text.to_owned(), span)
    }

    fn string(&mut self, pair: &P<'_>) -> Str {
        let span = self.span_of(pair);
        let body = pair.clone().into_inner().next().map_or("", |p| p.as_str());
        if body.len() > MAX_STRING_LEN {
            self.error(Error::LimitExceeded {
                what: "string".into(),
                limit: format!("{MAX_STRING_LEN} bytes"),
                span: span.into(),
            });
        }
        let body_start = span.start as usize + 1;
        Spanned::new(self.unescape(body, body_start), span)
    }

    fn unescape(&mut self, body: &str, body_start: usize) -> String {
        let mut out = String::with_capacity(body.len());
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, escaped)) = chars.next() else { break };
            match escaped {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let rest = body.get(i + 2..).unwrap_or("");
                    let decoded = rest
                        .strip_prefix('{')
                        .and_then(|r| r.split_once('}'))
                        .filter(|(hex, _)| !hex.is_empty() && hex.len() <= 6)
                        .and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok().map(|v| (hex.len(), v)))
                        .and_then(|(len, v)| char::from_u32(v).map(|ch| (len, ch)));
                    match decoded {
                        Some((len, ch)) => {
                            out.push(ch);
                            for _ in 0..len + 2 {
                                chars.next();
                            }
                        }
                        None => self.error(Error::InvalidEscape {
                            escape: "\\u".into(),
                            span: Span::new(body_start + i, body_start + i + 2).into(),
                        }),
                    }
                }
                other => self.error(Error::InvalidEscape {
                    escape: format!("\\{other}"),
                    span: Span::new(body_start + i, body_start + i + 1 + other.len_utf8()).into(),
                }),
            }
        }
        out
    }

    fn duration(&mut self, pair: &P<'_>) -> Spanned<Duration> {
        let span = self.span_of(pair);
        let text = pair.as_str();
        let (digits, unit) = text.split_at(text.len().saturating_sub(1));
        let unit = if unit == "d" { DurationUnit::Days } else { DurationUnit::Hours };
        let value = digits.parse::<u32>().unwrap_or_else(|_| {
            self.error(Error::LimitExceeded {
                what: "duration".into(),
                limit: "9 digits".into(),
                span: span.into(),
            });
            0
        });
        Spanned::new(Duration { value, unit }, span)
    }

    fn ident_list(&mut self, pairs: Pairs<'_, Rule>) -> Vec<Ident> {
        let mut out = Vec::new();
        for pair in pairs {
            if pair.as_rule() == Rule::ident {
                if out.len() == MAX_LIST_LEN {
                    self.error(Error::LimitExceeded {
                        what: "list".into(),
                        limit: format!("{MAX_LIST_LEN} items"),
                        span: self.span_of(&pair).into(),
                    });
                }
                out.push(self.ident(&pair));
            }
        }
        out
    }

    fn kind_ref(&mut self, pair: P<'_>) -> (RefKind, Ident) {
        let mut inner = pair.into_inner();
        let kind_word = inner.next().map_or("", |p| p.as_str());
        let kind = ObjectKind::from_keyword(kind_word).map_or(RefKind::Location, RefKind::Object);
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_default();
        (kind, name)
    }

    // --- generic properties -------------------------------------------------------------------

    fn props(&mut self, pair: P<'_>) -> Vec<Prop> {
        pair.into_inner().filter(|p| p.as_rule() == Rule::prop).map(|p| self.prop(p)).collect()
    }

    fn prop(&mut self, pair: P<'_>) -> Prop {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let key = inner.next().map(|p| self.ident(&p)).unwrap_or_default();
        let value = inner.next().map(|p| self.value(p));
        Prop { key, value, span }
    }

    fn value(&mut self, pair: P<'_>) -> Spanned<Value> {
        let span = self.span_of(&pair);
        let value = match pair.as_rule() {
            Rule::string => Value::Str(self.string(&pair).node),
            Rule::builtin_call => {
                let s = pair.into_inner().next().map(|p| self.string(&p)).unwrap_or_default();
                Value::Builtin(s)
            }
            Rule::list => {
                let items: Vec<_> = pair.into_inner().map(|p| self.value(p)).collect();
                if items.len() > MAX_LIST_LEN {
                    self.error(Error::LimitExceeded {
                        what: "list".into(),
                        limit: format!("{MAX_LIST_LEN} items"),
                        span: span.into(),
                    });
                }
                Value::List(items)
            }
            Rule::props => Value::Props(self.props(pair)),
            Rule::address => Value::Address(pair.as_str().to_owned()),
            Rule::duration => Value::Duration(self.duration(&pair).node),
            Rule::number => Value::Number,
            Rule::kind_ref => {
                let (kind, name) = self.kind_ref(pair);
                Value::KindRef(kind, name)
            }
            _ => Value::Ident(self.ident(&pair).node),
        };
        Spanned::new(value, span)
    }

    // --- declarations -------------------------------------------------------------------------

    fn lower_tenant(&mut self, pair: P<'_>) -> TenantDecl {
        let span = self.span_of(&pair);
        let props = pair.into_inner().next().map(|p| self.props(p)).unwrap_or_default();
        let mut decl = TenantDecl { span, edition: None, id: None, domain: None };
        let mut reader = PropReader::new("tenant", &["edition", "id", "domain"]);
        for prop in reader.read(self, props) {
            match prop.key.node.as_str() {
                "edition" => decl.edition = self.want_word(&prop),
                "id" => decl.id = self.want_string(&prop),
                _ => decl.domain = self.want_string(&prop),
            }
        }
        decl
    }

    fn lower_object(&mut self, pair: P<'_>) -> ObjectDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let kind =
            inner.next().and_then(|p| ObjectKind::from_keyword(p.as_str())).unwrap_or(ObjectKind::Group);
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_default();
        let mut decl = ObjectDecl::new(kind, name, span);
        let Some(body) = inner.next() else { return decl };
        match body.as_rule() {
            Rule::builtin_call => {
                decl.builtin = body.into_inner().next().map(|p| self.string(&p));
                if !matches!(kind, ObjectKind::Role | ObjectKind::App | ObjectKind::AuthStrength) {
                    self.error(Error::InvalidValue {
                        field: kind.keyword().into(),
                        expected: "a string id".into(),
                        span: span.into(),
                        help: Some("only roles, apps and authentication strengths have built-ins".into()),
                    });
                }
            }
            Rule::string => {
                decl.id = Some(self.string(&body));
                if matches!(kind, ObjectKind::Group | ObjectKind::User | ObjectKind::Role) {
                    self.error(Error::InvalidValue {
                        field: kind.keyword().into(),
                        expected: "a block `{ id = \"...\" }`".into(),
                        span: self.span_of(&body).into(),
                        help: Some(format!(
                            "write `{} {} {{ id = \"...\" }}`",
                            kind.keyword(),
                            decl.name.node
                        )),
                    });
                }
            }
            _ => {
                let props = self.props(body);
                self.object_props(&mut decl, props);
            }
        }
        decl
    }

    fn object_props(&mut self, decl: &mut ObjectDecl, props: Vec<Prop>) {
        let allowed: &[&str] = match decl.kind {
            ObjectKind::Group => &["id", "display_name", "emergency_access"],
            ObjectKind::User => {
                &["id", "upn", "display_name", "emergency_access", "member_of", "roles", "user_type"]
            }
            ObjectKind::Role | ObjectKind::App | ObjectKind::AuthStrength => {
                &["builtin", "id", "display_name"]
            }
            _ => &["id", "display_name"],
        };
        let mut reader = PropReader::new(decl.kind.keyword(), allowed);
        for prop in reader.read(self, props) {
            match prop.key.node.as_str() {
                "id" => decl.id = self.want_string(&prop),
                "display_name" => decl.display_name = self.want_string(&prop),
                "upn" => decl.upn = self.want_string(&prop),
                "emergency_access" => decl.emergency_access = self.want_flag(&prop),
                "member_of" => {
                    decl.member_of = self.want_word_list(&prop).map(|l| l.node).unwrap_or_default()
                }
                "roles" => decl.roles = self.want_word_list(&prop).map(|l| l.node).unwrap_or_default(),
                "user_type" => decl.user_type = self.want_word(&prop),
                _ => decl.builtin = self.want_builtin(&prop),
            }
        }
    }

    fn lower_location(&mut self, pair: P<'_>) -> LocationDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_default();
        let mut decl = LocationDecl {
            span,
            name,
            id: None,
            display_name: None,
            trusted: None,
            ranges: Vec::new(),
            countries: Vec::new(),
            include_unknown: None,
            lookup: None,
        };
        let mut props = Vec::new();
        for item in inner {
            match item.as_rule() {
                Rule::location_ip => {
                    let Some(list) = item.into_inner().next() else { continue };
                    let list_span = self.span_of(&list);
                    let base = list_span.start as usize;
                    let addresses: Vec<(usize, usize)> = match self.cuts.list_at(base) {
                        Some(whole) => whole.to_vec(),
                        None => split_addresses(self.text.get(base..list_span.end as usize).unwrap_or(""))
                            .map(|(o, a)| (base + o, a.len()))
                            .collect(),
                    };
                    decl.ranges.reserve(addresses.len());
                    for (start, len) in addresses {
                        let span = Span::new(start, start + len);
                        let address = self.text.get(start..start + len).unwrap_or("").to_owned();
                        if decl.ranges.len() == MAX_LIST_LEN {
                            self.error(Error::LimitExceeded {
                                what: "list of IP ranges".into(),
                                limit: format!("{MAX_LIST_LEN} items"),
                                span: span.into(),
                            });
                        }
                        decl.ranges.push(Spanned::new(address, span));
                    }
                }
                Rule::location_countries => {
                    let codes = self.ident_list(item.into_inner());
                    decl.countries.extend(codes);
                }
                Rule::prop => props.push(self.prop(item)),
                _ => {}
            }
        }
        let mut reader =
            PropReader::new("location", &["id", "display_name", "trusted", "include_unknown", "lookup"]);
        for prop in reader.read(self, props) {
            match prop.key.node.as_str() {
                "id" => decl.id = self.want_string(&prop),
                "display_name" => decl.display_name = self.want_string(&prop),
                "trusted" => decl.trusted = self.want_flag(&prop),
                "include_unknown" => decl.include_unknown = self.want_flag(&prop),
                _ => decl.lookup = self.want_word(&prop),
            }
        }
        decl
    }

    fn lower_preview(&mut self, pair: P<'_>) -> PreviewDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let feature = inner.next().map(|p| self.ident(&p)).unwrap_or_default();
        let props = inner.next().map(|p| self.props(p)).unwrap_or_default();
        let mut decl = PreviewDecl { span, feature, enabled_for: None };
        let mut reader = PropReader::new("preview", &["enabled_for"]);
        let mut reported = false;
        for prop in reader.read(self, props) {
            reported = true;
            let Some(value) = &prop.value else {
                self.missing_value(&prop, "`all`, `none` or `group <name>`");
                continue;
            };
            let scope = match &value.node {
                Value::Ident(w) if w == "all" => PreviewScope::All,
                Value::Ident(w) if w == "none" => PreviewScope::None,
                Value::KindRef(RefKind::Object(ObjectKind::Group), name) => PreviewScope::Group(name.clone()),
                other => {
                    self.wrong_value(&prop, value.span, "`all`, `none` or `group <name>`", other);
                    continue;
                }
            };
            decl.enabled_for = Some(Spanned::new(scope, value.span));
        }
        if decl.enabled_for.is_none() && !reported {
            self.error(Error::MissingField {
                field: "enabled_for".into(),
                context: "preview".into(),
                span: span.into(),
                help: Some("write `enabled_for = group <name>`, `all` or `none`".into()),
            });
        }
        decl
    }

    fn lower_methods(&mut self, pair: P<'_>) -> MethodsDecl {
        let span = self.span_of(&pair);
        let props = pair.into_inner().next().map(|p| self.props(p)).unwrap_or_default();
        let mut decl = MethodsDecl { span, mfa: None, sspr: None };
        let mut reader = PropReader::new("methods", &["mfa", "sspr"]);
        for prop in reader.read(self, props) {
            let list = self.want_word_list(&prop);
            if prop.key.node == "mfa" {
                decl.mfa = list;
            } else {
                decl.sspr = list;
            }
        }
        decl
    }

    // --- policies -----------------------------------------------------------------------------

    fn lower_policy(&mut self, pair: P<'_>) -> PolicyDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.string(&p)).unwrap_or_default();
        let mut items = Vec::new();
        let mut props = Vec::new();
        for item in inner {
            let item_span = self.span_of(&item);
            let lowered = match item.as_rule() {
                Rule::prop => {
                    props.push(items.len());
                    let prop = self.prop(item);
                    self.policy_prop(prop)
                }
                Rule::users_block => {
                    Some(PolicyItem::Users(self.include_exclude(item, |l, p| l.principal(p))))
                }
                Rule::service_principals_block => {
                    Some(PolicyItem::ServicePrincipals(self.service_principals(item)))
                }
                Rule::target => {
                    let mut parts = item.into_inner();
                    let kind = match parts.next().map(|p| p.as_str()) {
                        Some("action") => TargetKind::Action,
                        Some("auth_context") => TargetKind::AuthContext,
                        _ => TargetKind::Apps,
                    };
                    Some(PolicyItem::Target(kind, self.ident_list(parts)))
                }
                Rule::exclude_apps => Some(PolicyItem::ExcludeApps(self.ident_list(item.into_inner()))),
                Rule::app_filter => Some(PolicyItem::AppFilter(self.filter(item))),
                Rule::locations_block => Some(PolicyItem::Locations(self.include_exclude(item, |l, p| {
                    let inner = p.into_inner().next();
                    match inner.as_ref().map(|i| i.as_rule()) {
                        Some(Rule::kw_any) => LocationRef::Any,
                        Some(Rule::kw_trusted) => LocationRef::Trusted,
                        _ => LocationRef::Named(inner.map(|i| l.ident(&i)).unwrap_or_default()),
                    }
                }))),
                Rule::platforms_block => Some(PolicyItem::Platforms(self.include_exclude_idents(item))),
                Rule::client_apps => Some(PolicyItem::ClientApps(self.ident_list(item.into_inner()))),
                Rule::risk_condition => {
                    let mut parts = item.into_inner();
                    let kind = match parts.next().map(|p| p.as_str()) {
                        Some("user_risk") => RiskKind::User,
                        Some("insider_risk") => RiskKind::Insider,
                        Some("service_principal_risk") => RiskKind::ServicePrincipal,
                        _ => RiskKind::SignIn,
                    };
                    Some(PolicyItem::Risk(kind, self.ident_list(parts)))
                }
                Rule::device_filter => Some(PolicyItem::DeviceFilter(self.filter(item))),
                Rule::auth_flows => Some(PolicyItem::AuthFlows(self.ident_list(item.into_inner()))),
                Rule::grant => item.into_inner().next().map(|g| PolicyItem::Grant(self.grant_expr(g))),
                Rule::session_block => {
                    let props = item.into_inner().next().map(|p| self.props(p)).unwrap_or_default();
                    Some(PolicyItem::Session(self.session(props)))
                }
                _ => None,
            };
            if let Some(lowered) = lowered {
                items.push(Spanned::new(lowered, item_span));
            }
        }
        PolicyDecl { span, name, items }
    }

    fn policy_prop(&mut self, prop: Prop) -> Option<PolicyItem> {
        const FIELDS: &[&str] = &["id", "description", "state", "report_only_since", "contingency"];
        match prop.key.node.as_str() {
            "id" => self.want_string(&prop).map(PolicyItem::Id),
            "description" => self.want_string(&prop).map(PolicyItem::Description),
            "state" => self.want_word(&prop).map(PolicyItem::State),
            "report_only_since" => self.want_string(&prop).map(PolicyItem::ReportOnlySince),
            "contingency" => self.want_flag(&prop).map(|_| PolicyItem::Contingency),
            other => {
                let mut candidates: Vec<&str> = FIELDS.to_vec();
                candidates.extend([
                    "users",
                    "service_principals",
                    "target",
                    "exclude",
                    "app_filter",
                    "locations",
                    "platforms",
                    "client_apps",
                    "sign_in_risk",
                    "user_risk",
                    "insider_risk",
                    "service_principal_risk",
                    "device_filter",
                    "auth_flows",
                    "grant",
                    "session",
                ]);
                self.error(Error::UnknownField {
                    field: other.to_owned(),
                    context: "a policy".into(),
                    span: prop.key.span.into(),
                    help: suggest::did_you_mean(other, candidates),
                });
                None
            }
        }
    }

    fn include_exclude<T>(
        &mut self,
        pair: P<'_>,
        mut item: impl FnMut(&mut Self, P<'_>) -> T,
    ) -> Vec<Spanned<IncludeExclude<T>>> {
        let mut out = Vec::new();
        for line in pair.into_inner() {
            let span = self.span_of(&line);
            let include = matches!(line.as_rule(), Rule::users_include | Rule::locations_include);
            let entries: Vec<Spanned<T>> = line
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::kw_include | Rule::kw_exclude))
                .map(|p| {
                    let s = self.span_of(&p);
                    Spanned::new(item(self, p), s)
                })
                .collect();
            let node =
                if include { IncludeExclude::Include(entries) } else { IncludeExclude::Exclude(entries) };
            out.push(Spanned::new(node, span));
        }
        out
    }

    fn include_exclude_idents(&mut self, pair: P<'_>) -> Vec<Spanned<IncludeExclude<Ident>>> {
        let mut out = Vec::new();
        for line in pair.into_inner() {
            let span = self.span_of(&line);
            let include = line.as_rule() == Rule::platforms_include;
            let entries = self.ident_list(line.into_inner());
            let entries = entries.into_iter().map(|i| Spanned::new(i.clone(), i.span)).collect();
            let node =
                if include { IncludeExclude::Include(entries) } else { IncludeExclude::Exclude(entries) };
            out.push(Spanned::new(node, span));
        }
        out
    }

    fn principal(&mut self, pair: P<'_>) -> Principal {
        let Some(inner) = pair.into_inner().next() else { return Principal::None };
        match inner.as_rule() {
            Rule::kw_all => Principal::All,
            Rule::kw_none => Principal::None,
            Rule::kw_guests => Principal::AllGuests,
            Rule::guests_typed => {
                let mut types = Vec::new();
                let mut tenants = None;
                for arg in inner.into_inner() {
                    match arg.as_rule() {
                        Rule::ident => types.push(self.ident(&arg)),
                        Rule::guest_tenants => {
                            let span = self.span_of(&arg);
                            let Some(value) = arg.into_inner().next() else { continue };
                            if value.as_rule() == Rule::kw_all {
                                continue;
                            }
                            let ids = self.string_list(value);
                            tenants = Some(Spanned::new(ids, span));
                        }
                        _ => {}
                    }
                }
                Principal::Guests { types, tenants }
            }
            _ => {
                let (kind, name) = self.kind_ref(inner);
                Principal::Ref(kind, name)
            }
        }
    }

    fn string_list(&mut self, list: P<'_>) -> Vec<Str> {
        let mut out = Vec::new();
        for item in list.into_inner() {
            let value = self.value(item);
            match value.node {
                Value::Str(s) => out.push(Spanned::new(s, value.span)),
                other => self.error(Error::InvalidValue {
                    field: "list item".into(),
                    expected: "a string".into(),
                    span: value.span.into(),
                    help: Some(format!("found {}", other.describe())),
                }),
            }
        }
        out
    }

    fn service_principals(&mut self, pair: P<'_>) -> Vec<Spanned<ServicePrincipalItem>> {
        let mut out = Vec::new();
        for line in pair.into_inner() {
            let span = self.span_of(&line);
            let node = match line.as_rule() {
                Rule::sp_filter => ServicePrincipalItem::Filter(self.filter(line)),
                rule => {
                    let refs = line
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::sp_ref)
                        .map(|p| {
                            let s = self.span_of(&p);
                            let node = match p.into_inner().next() {
                                Some(i) if i.as_rule() == Rule::kw_all => SpRef::All,
                                Some(i) => SpRef::Named(self.ident(&i)),
                                None => SpRef::All,
                            };
                            Spanned::new(node, s)
                        })
                        .collect();
                    if rule == Rule::sp_include {
                        ServicePrincipalItem::Include(refs)
                    } else {
                        ServicePrincipalItem::Exclude(refs)
                    }
                }
            };
            out.push(Spanned::new(node, span));
        }
        out
    }

    fn filter(&mut self, pair: P<'_>) -> Filter {
        let mut mode = Spanned::new(FilterMode::Include, Span::default());
        let mut rule = Str::default();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::filter_mode => {
                    let m =
                        if part.as_str() == "exclude" { FilterMode::Exclude } else { FilterMode::Include };
                    mode = Spanned::new(m, self.span_of(&part));
                }
                Rule::string => rule = self.string(&part),
                _ => {}
            }
        }
        Filter { mode, rule }
    }

    fn grant_expr(&mut self, pair: P<'_>) -> GrantExpr {
        let Some(inner) = pair.into_inner().next() else { return GrantExpr::Block };
        match inner.as_rule() {
            Rule::kw_block => GrantExpr::Block,
            Rule::grant_any => GrantExpr::Any(self.controls(inner)),
            Rule::grant_all => GrantExpr::All(self.controls(inner)),
            _ => {
                let span = self.span_of(&inner);
                GrantExpr::One(Spanned::new(self.control(inner), span))
            }
        }
    }

    fn controls(&mut self, pair: P<'_>) -> Vec<Spanned<Control>> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::control)
            .map(|p| {
                let span = self.span_of(&p);
                Spanned::new(self.control(p), span)
            })
            .collect()
    }

    fn control(&mut self, pair: P<'_>) -> Control {
        let Some(inner) = pair.into_inner().next() else { return Control::Builtin(Ident::default()) };
        if inner.as_rule() == Rule::kind_ref {
            let (kind, name) = self.kind_ref(inner);
            Control::Ref(kind, name)
        } else {
            Control::Builtin(self.ident(&inner))
        }
    }

    fn session(&mut self, props: Vec<Prop>) -> Vec<Spanned<SessionItem>> {
        let mut reader = PropReader::new(
            "a session block",
            &[
                "sign_in_frequency",
                "persistent_browser",
                "app_enforced_restrictions",
                "cloud_app_security",
                "disable_resilience_defaults",
                "secure_sign_in_session",
            ],
        );
        let mut out = Vec::new();
        for prop in reader.read(self, props) {
            let item = match prop.key.node.as_str() {
                "sign_in_frequency" => self.sign_in_frequency(&prop).map(SessionItem::SignInFrequency),
                "persistent_browser" => self.want_word(&prop).map(SessionItem::PersistentBrowser),
                "app_enforced_restrictions" => {
                    self.want_flag(&prop).map(|_| SessionItem::AppEnforcedRestrictions)
                }
                "cloud_app_security" => self.want_word(&prop).map(SessionItem::CloudAppSecurity),
                "disable_resilience_defaults" => {
                    self.want_flag(&prop).map(|_| SessionItem::DisableResilienceDefaults)
                }
                _ => self.want_flag(&prop).map(|_| SessionItem::SecureSignInSession),
            };
            if let Some(item) = item {
                out.push(Spanned::new(item, prop.span));
            }
        }
        out
    }

    fn sign_in_frequency(&mut self, prop: &Prop) -> Option<SignInFrequency> {
        const EXPECTED: &str = "a duration such as `4h`, `every_time`, or a block `{ period = 4h, ... }`";
        let Some(value) = &prop.value else {
            self.missing_value(prop, EXPECTED);
            return None;
        };
        match &value.node {
            Value::Duration(d) => Some(SignInFrequency {
                block_form: false,
                interval: None,
                period: Some(Spanned::new(*d, value.span)),
                authentication: None,
            }),
            Value::Ident(w) if w == "every_time" => Some(SignInFrequency {
                block_form: false,
                interval: Some(Spanned::new(w.clone(), value.span)),
                period: None,
                authentication: None,
            }),
            Value::Props(props) => {
                let mut sif =
                    SignInFrequency { block_form: true, interval: None, period: None, authentication: None };
                let mut reader =
                    PropReader::new("sign_in_frequency", &["interval", "period", "authentication"]);
                for inner in reader.read(self, props.clone()) {
                    match inner.key.node.as_str() {
                        "interval" => sif.interval = self.want_word(&inner),
                        "authentication" => sif.authentication = self.want_word(&inner),
                        _ => match &inner.value {
                            Some(Spanned { node: Value::Duration(d), span }) => {
                                sif.period = Some(Spanned::new(*d, *span));
                            }
                            Some(v) => self.wrong_value(&inner, v.span, "a duration such as `4h`", &v.node),
                            None => self.missing_value(&inner, "a duration such as `4h`"),
                        },
                    }
                }
                Some(sif)
            }
            other => {
                self.wrong_value(prop, value.span, EXPECTED, other);
                None
            }
        }
    }

    // --- tests --------------------------------------------------------------------------------

    fn lower_test(&mut self, pair: P<'_>) -> TestDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.string(&p)).unwrap_or_default();
        let mut decl = TestDecl { span, name, sign_ins: Vec::new(), expects: Vec::new() };
        for item in inner {
            let item_span = self.span_of(&item);
            match item.as_rule() {
                Rule::sign_in => {
                    let props = item.into_inner().next().map(|p| self.props(p)).unwrap_or_default();
                    let sign_in = self.sign_in(props);
                    decl.sign_ins.push(Spanned::new(sign_in, item_span));
                }
                Rule::expect => {
                    if let Some(e) = item.into_inner().next().and_then(|e| self.expectation(e)) {
                        decl.expects.push(Spanned::new(e, item_span));
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn sign_in(&mut self, props: Vec<Prop>) -> SignIn {
        let mut reader = PropReader::new(
            "a sign-in",
            &[
                "user",
                "groups",
                "roles",
                "user_type",
                "app",
                "action",
                "auth_context",
                "service_principal",
                "ip",
                "country",
                "platform",
                "client_app",
                "sign_in_risk",
                "user_risk",
                "insider_risk",
                "service_principal_risk",
                "auth_flow",
                "device",
            ],
        );
        let mut s = SignIn::default();
        for prop in reader.read(self, props) {
            match prop.key.node.as_str() {
                "user" => s.user = self.want_word(&prop),
                "groups" => s.groups = self.want_word_list(&prop),
                "roles" => s.roles = self.want_word_list(&prop),
                "user_type" => s.user_type = self.want_word(&prop),
                "app" => s.app = self.want_word(&prop),
                "action" => s.action = self.want_word(&prop),
                "auth_context" => s.auth_context = self.want_word(&prop),
                "service_principal" => s.service_principal = self.want_word(&prop),
                "ip" => {
                    s.ip = match &prop.value {
                        Some(Spanned { node: Value::Address(a) | Value::Str(a), span }) => {
                            Some(Spanned::new(a.clone(), *span))
                        }
                        Some(v) => {
                            self.wrong_value(&prop, v.span, "an IP address", &v.node);
                            None
                        }
                        None => {
                            self.missing_value(&prop, "an IP address");
                            None
                        }
                    }
                }
                "country" => s.country = self.want_word(&prop),
                "platform" => s.platform = self.want_word(&prop),
                "client_app" => s.client_app = self.want_word(&prop),
                "sign_in_risk" => s.sign_in_risk = self.want_word(&prop),
                "user_risk" => s.user_risk = self.want_word(&prop),
                "insider_risk" => s.insider_risk = self.want_word(&prop),
                "service_principal_risk" => s.service_principal_risk = self.want_word(&prop),
                "auth_flow" => s.auth_flow = self.want_word(&prop),
                _ => s.device = self.device(&prop),
            }
        }
        s
    }

    fn device(&mut self, prop: &Prop) -> Option<Spanned<Vec<DeviceProp>>> {
        let Some(value) = &prop.value else {
            self.missing_value(prop, "a block `{ trust_type = \"...\", ... }`");
            return None;
        };
        let Value::Props(props) = &value.node else {
            self.wrong_value(prop, value.span, "a block `{ trust_type = \"...\", ... }`", &value.node);
            return None;
        };
        let mut out: Vec<DeviceProp> = Vec::new();
        for p in props {
            let Some(v) = &p.value else {
                self.missing_value(p, "a string, `true`, `false` or a list of strings");
                continue;
            };
            let node = match &v.node {
                Value::Str(s) => DeviceValueAst::Text(s.clone()),
                Value::Ident(w) if w == "true" => DeviceValueAst::Bool(true),
                Value::Ident(w) if w == "false" => DeviceValueAst::Bool(false),
                Value::List(items) => {
                    let mut strings = Vec::new();
                    for item in items {
                        match &item.node {
                            Value::Str(s) => strings.push(s.clone()),
                            other => self.wrong_value(p, item.span, "a string", other),
                        }
                    }
                    DeviceValueAst::List(strings)
                }
                other => {
                    self.wrong_value(p, v.span, "a string, `true`, `false` or a list of strings", other);
                    continue;
                }
            };
            if let Some(first) = out.iter().find(|d| d.name.node == p.key.node) {
                self.error(Error::DuplicateField {
                    field: p.key.node.clone(),
                    span: p.key.span.into(),
                    first: first.name.span.into(),
                });
                continue;
            }
            out.push(DeviceProp { name: p.key.clone(), value: Spanned::new(node, v.span) });
        }
        Some(Spanned::new(out, value.span))
    }

    fn expectation(&mut self, pair: P<'_>) -> Option<Expectation> {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        Some(match rule {
            Rule::expect_block => {
                let by = inner.find(|p| p.as_rule() == Rule::string).map(|p| self.string(&p));
                Expectation::Block(by)
            }
            Rule::expect_allow => Expectation::Allow,
            Rule::expect_grant => Expectation::Grant(self.grant_expr(inner.next()?)),
            Rule::expect_applies => Expectation::Applies(self.string(&inner.next()?)),
            Rule::expect_not_applies => {
                Expectation::NotApplies(self.string(&inner.find(|p| p.as_rule() == Rule::string)?))
            }
            Rule::expect_report_only => Expectation::ReportOnly(self.string(&inner.next()?)),
            Rule::expect_session => {
                let name = self.ident(&inner.next()?);
                let value = inner.next().map(|v| {
                    let span = self.span_of(&v);
                    let node = if v.as_rule() == Rule::duration {
                        SessionValue::Duration(self.duration(&v).node)
                    } else {
                        SessionValue::Word(v.as_str().to_owned())
                    };
                    Spanned::new(node, span)
                });
                Expectation::Session(name, value)
            }
            _ => return None,
        })
    }

    // --- assertions ---------------------------------------------------------------------------

    fn lower_assert(&mut self, pair: P<'_>) -> AssertDecl {
        let span = self.span_of(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().map(|p| self.string(&p)).unwrap_or_default();
        let mut decl = AssertDecl {
            span,
            name,
            quantifier: Spanned::new(Quantifier::Never, span),
            outcome: Spanned::new(Outcome::Block, span),
            clauses: Vec::new(),
        };
        let Some(assertion) = inner.next() else { return decl };
        for part in assertion.into_inner() {
            let part_span = self.span_of(&part);
            match part.as_rule() {
                Rule::quantifier => {
                    let q = if part.as_str() == "always" { Quantifier::Always } else { Quantifier::Never };
                    decl.quantifier = Spanned::new(q, part_span);
                }
                Rule::outcome => {
                    let Some(o) = part.into_inner().next() else { continue };
                    let outcome = match o.as_rule() {
                        Rule::outcome_allow => Outcome::Allow,
                        Rule::outcome_require => match o.into_inner().next() {
                            Some(c) => {
                                let cspan = self.span_of(&c);
                                Outcome::Require(Spanned::new(self.control(c), cspan))
                            }
                            None => Outcome::Block,
                        },
                        _ => Outcome::Block,
                    };
                    decl.outcome = Spanned::new(outcome, part_span);
                }
                Rule::clause => decl.clauses.push(Spanned::new(self.clause(part), part_span)),
                _ => {}
            }
        }
        decl
    }

    fn clause(&mut self, pair: P<'_>) -> Clause {
        let mut clause = Clause { word: None, negated: false, condition: Condition::Guests };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::clause_word => clause.word = Some(part.as_str().to_owned()),
                Rule::kw_not => clause.negated = true,
                Rule::condition => {
                    let Some(c) = part.into_inner().next() else { continue };
                    clause.condition = match c.as_rule() {
                        Rule::cond_target_apps => Condition::TargetApps(self.ident_list(c.into_inner())),
                        Rule::cond_guests => Condition::Guests,
                        Rule::cond_members => Condition::Members,
                        Rule::cond_trusted => Condition::Trusted,
                        Rule::cond_value => {
                            let mut parts = c.into_inner();
                            let word = match parts.next().map(|p| p.as_str()) {
                                Some("action") => ConditionWord::Action,
                                Some("country") => ConditionWord::Country,
                                Some("platform") => ConditionWord::Platform,
                                Some("client_app") => ConditionWord::ClientApp,
                                Some("sign_in_risk") => ConditionWord::SignInRisk,
                                Some("user_risk") => ConditionWord::UserRisk,
                                Some("insider_risk") => ConditionWord::InsiderRisk,
                                _ => ConditionWord::AuthFlow,
                            };
                            let value = parts.next().map(|p| self.ident(&p)).unwrap_or_default();
                            Condition::Value(word, value)
                        }
                        _ => {
                            let (kind, name) = self.kind_ref(c);
                            Condition::Ref(kind, name)
                        }
                    };
                }
                _ => {}
            }
        }
        clause
    }

    // --- typed access to generic properties ---------------------------------------------------

    fn missing_value(&mut self, prop: &Prop, expected: &str) {
        self.error(Error::InvalidValue {
            field: prop.key.node.clone(),
            expected: expected.to_owned(),
            span: prop.span.into(),
            help: Some(format!("write `{} = ...`", prop.key.node)),
        });
    }

    fn wrong_value(&mut self, prop: &Prop, span: Span, expected: &str, found: &Value) {
        self.error(Error::InvalidValue {
            field: prop.key.node.clone(),
            expected: expected.to_owned(),
            span: span.into(),
            help: Some(format!("found {}", found.describe())),
        });
    }

    fn want_string(&mut self, prop: &Prop) -> Option<Str> {
        match &prop.value {
            Some(Spanned { node: Value::Str(s), span }) => Some(Spanned::new(s.clone(), *span)),
            Some(v) => {
                self.wrong_value(prop, v.span, "a string", &v.node);
                None
            }
            None => {
                self.missing_value(prop, "a string");
                None
            }
        }
    }

    fn want_word(&mut self, prop: &Prop) -> Option<Ident> {
        match &prop.value {
            Some(Spanned { node: Value::Ident(w), span }) => Some(Spanned::new(w.clone(), *span)),
            Some(v) => {
                self.wrong_value(prop, v.span, "a word", &v.node);
                None
            }
            None => {
                self.missing_value(prop, "a word");
                None
            }
        }
    }

    fn want_flag(&mut self, prop: &Prop) -> Option<Span> {
        match &prop.value {
            None => Some(prop.span),
            Some(v) => {
                self.error(Error::InvalidValue {
                    field: prop.key.node.clone(),
                    expected: "no value".into(),
                    span: v.span.into(),
                    help: Some(format!("`{}` is a flag: write it alone, without `= ...`", prop.key.node)),
                });
                None
            }
        }
    }

    fn want_builtin(&mut self, prop: &Prop) -> Option<Str> {
        match &prop.value {
            Some(Spanned { node: Value::Builtin(s), .. }) => Some(s.clone()),
            Some(Spanned { node: Value::Str(s), span }) => Some(Spanned::new(s.clone(), *span)),
            Some(v) => {
                self.wrong_value(prop, v.span, "`builtin(\"...\")`", &v.node);
                None
            }
            None => {
                self.missing_value(prop, "`builtin(\"...\")`");
                None
            }
        }
    }

    fn want_word_list(&mut self, prop: &Prop) -> Option<Spanned<Vec<Ident>>> {
        match &prop.value {
            Some(Spanned { node: Value::List(items), span }) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.node {
                        Value::Ident(w) => out.push(Spanned::new(w.clone(), item.span)),
                        Value::KindRef(_, name) => out.push(name.clone()),
                        other => self.wrong_value(prop, item.span, "a name", other),
                    }
                }
                Some(Spanned::new(out, *span))
            }
            Some(Spanned { node: Value::Ident(w), span }) => {
                Some(Spanned::new(vec![Spanned::new(w.clone(), *span)], *span))
            }
            Some(v) => {
                self.wrong_value(prop, v.span, "a list `[a, b]`", &v.node);
                None
            }
            None => {
                self.missing_value(prop, "a list `[a, b]`");
                None
            }
        }
    }
}

/// Reads a block of generic properties against the fields allowed in one context, reporting
/// unknown fields (with a suggestion) and duplicates, and yielding the valid ones in order.
struct PropReader<'a> {
    context: &'a str,
    allowed: &'a [&'a str],
}

impl<'a> PropReader<'a> {
    fn new(context: &'a str, allowed: &'a [&'a str]) -> PropReader<'a> {
        PropReader { context, allowed }
    }

    fn read(&mut self, lower: &mut Lower<'_>, props: Vec<Prop>) -> Vec<Prop> {
        let mut seen: Vec<(String, Span)> = Vec::new();
        let mut out = Vec::new();
        for prop in props {
            let key = prop.key.node.as_str();
            if !self.allowed.contains(&key) {
                lower.error(Error::UnknownField {
                    field: key.to_owned(),
                    context: self.context.to_owned(),
                    span: prop.key.span.into(),
                    help: suggest::did_you_mean(key, self.allowed.iter().copied()).or_else(|| {
                        Some(format!("the fields of {} are {}", self.context, quote_list(self.allowed)))
                    }),
                });
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(k, _)| k == key) {
                lower.error(Error::DuplicateField {
                    field: key.to_owned(),
                    span: prop.key.span.into(),
                    first: (*first).into(),
                });
                continue;
            }
            seen.push((key.to_owned(), prop.key.span));
            out.push(prop);
        }
        out
    }
}

/// "`a`, `b` and `c`".
pub fn quote_list(words: &[&str]) -> String {
    join_quoted(words, "and")
}

/// "`a`, `b` or `c`".
pub fn quote_alternatives(words: &[&str]) -> String {
    join_quoted(words, "or")
}

fn join_quoted(words: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}
