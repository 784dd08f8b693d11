//! Filter-for-devices rules: parse the rule language of `conditions.devices.deviceFilter` and evaluate it against a device.
//!
//! Sources (Microsoft Learn, MicrosoftDocs/entra-docs):
//! - `docs/identity/conditional-access/concept-condition-filters-for-devices.md` ("Conditional Access:
//!   Filter for devices"): the attributes, which operators each one supports, the 3072-character
//!   limit, `Contains` on collections matching whole strings, and unregistered devices having only
//!   null properties (positive operators never apply to them, negative operators do).
//! - `docs/identity/users/groups-dynamic-membership.md` (rules for dynamic membership groups), to which
//!   the first page and the Graph `conditionalAccessFilter` resource refer for the syntax:
//!   operator spellings, "operators can be used with or without the hyphen (-) prefix", `-in`/`-notIn`
//!   lists in `[` `]`, "regex and string operations aren't case sensitive", `null`, escaping quotes,
//!   `-and`/`-or`/`-not` and their precedence.
//!
//! Grammar as implemented (keywords and attribute names are case-insensitive):
//!
//! ```text
//! rule       = or END
//! or         = and { ("-or" | "or") and }
//! and        = unary { ("-and" | "and") unary }
//! unary      = ("-not" | "not") unary | primary
//! primary    = "(" or ")" | comparison
//! comparison = "device." ATTRIBUTE OPERATOR value
//! value      = STRING | "true" | "false" | "null" | "[" STRING { "," STRING } "]"
//! STRING     = '"' { char | "`\"" | "``" } '"'  |  "'" { char | "''" } "'"
//! ```
//!
//! Comparison operators bind tighter than `-not`, which binds tighter than `-and`, which binds
//! tighter than `-or` (the dynamic-membership precedence table).

// Choices made where Microsoft is silent or contradicts itself (each is also noted where it is
// implemented):
// - Case: the `device.` prefix, attribute names, operators, `-and`/`-or`/`-not`, `true`, `false`
//   and `null` are case-insensitive. The dynamic-membership page says property names are case
//   sensitive, but the filter-for-devices page's own example is `device.deviceid`, and the
//   dynamic-membership page itself writes both `-endsWith` and `-EndsWith`; we accept any case.
// - Hyphens: Microsoft says operators work with or without the `-`; it says so next to the
//   comparison operators, and we extend it to `-and`, `-or` and `-not`.
// - Operators absent from Microsoft's filter-for-devices table (`-match`, `-notMatch`, `-any`,
//   `-all`, `-le`, `-ge`) are rejected, each with a targeted message.
// - Values: strings must be quoted, in `"…"` or `'…'`; bare words other than `true`, `false`,
//   `null` (and `$null`) are errors, numbers included. `isCompliant` takes `true`/`false`, bare or
//   quoted, any case (Microsoft writes both `-eq "True"` and `-ne True`); other attributes reject
//   booleans. Lists hold quoted strings only and must not be empty.
// - `null` may be compared with `-eq`/`-ne` only (as in dynamic membership rules): `-eq null`
//   holds exactly when the property is null (unset, or the device is unregistered).
// - Negative operators are the negation of their positive operator, so a null property satisfies
//   every negative operator and no positive one; this is Microsoft's rule for unregistered
//   devices, applied to unset properties of registered devices too.
// - `-not` is boolean negation of its operand; `-not -not x` is allowed.
// - Case-insensitive comparison folds each character with Unicode lowercase mapping.
// - An empty string is a valid value; `-contains ""` holds for every non-null string (see
//   `Rule::warnings`).

use std::collections::BTreeMap;
use std::fmt;

/// Longest rule Microsoft accepts, in characters. `parse` does not enforce it (the checker reports
/// it separately); `parse` accepts any length.
pub const MAX_RULE_LEN: usize = 3072;

/// Deepest nesting of parentheses `parse` accepts; the same limit applies, separately, to nested
/// `-not` operators. Deeper input is an error, never a stack overflow.
pub const MAX_NESTING: usize = 64;

/// Canonical attribute names, as Microsoft spells them, in the order of Microsoft's table.
pub const ATTRIBUTES: &[&str] = &[
    "deviceId",
    "displayName",
    "deviceOwnership",
    "enrollmentProfileName",
    "isCompliant",
    "manufacturer",
    "mdmAppId",
    "model",
    "operatingSystem",
    "operatingSystemVersion",
    "physicalIds",
    "profileType",
    "systemLabels",
    "trustType",
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
];

/// `ATTRIBUTES` with the `device.` prefix, in the same order (for suggestions).
const PREFIXED: &[&str] = &[
    "device.deviceId",
    "device.displayName",
    "device.deviceOwnership",
    "device.enrollmentProfileName",
    "device.isCompliant",
    "device.manufacturer",
    "device.mdmAppId",
    "device.model",
    "device.operatingSystem",
    "device.operatingSystemVersion",
    "device.physicalIds",
    "device.profileType",
    "device.systemLabels",
    "device.trustType",
    "device.extensionAttribute1",
    "device.extensionAttribute2",
    "device.extensionAttribute3",
    "device.extensionAttribute4",
    "device.extensionAttribute5",
    "device.extensionAttribute6",
    "device.extensionAttribute7",
    "device.extensionAttribute8",
    "device.extensionAttribute9",
    "device.extensionAttribute10",
    "device.extensionAttribute11",
    "device.extensionAttribute12",
    "device.extensionAttribute13",
    "device.extensionAttribute14",
    "device.extensionAttribute15",
];

/// Names people write for device attributes elsewhere (dynamic membership rules, older docs) and
/// the filter-for-devices attribute they mean. Keys are lowercase.
const ATTRIBUTE_ALIASES: &[(&str, &str)] = &[
    ("devicephysicalids", "physicalIds"),
    ("deviceostype", "operatingSystem"),
    ("deviceosversion", "operatingSystemVersion"),
    ("devicemanufacturer", "manufacturer"),
    ("devicemodel", "model"),
    ("devicetrusttype", "trustType"),
    ("devicemanagementappid", "mdmAppId"),
    ("devicename", "displayName"),
    ("name", "displayName"),
    ("os", "operatingSystem"),
    ("osversion", "operatingSystemVersion"),
    ("ownership", "deviceOwnership"),
    ("ownertype", "deviceOwnership"),
    ("compliant", "isCompliant"),
];

/// Documented values of the enumeration-like attributes (for `Rule::warnings`).
const KNOWN_VALUES: &[(&str, &[&str])] = &[
    ("trustType", &["AzureAD", "ServerAD", "Workplace"]),
    // The filter-for-devices page lists Personal and Company; the dynamic-membership page adds Unknown.
    ("deviceOwnership", &["Personal", "Company", "Unknown"]),
    ("profileType", &["RegisteredDevice", "SecureVM", "Printer", "Shared", "IoT"]),
];

/// Longest piece of user input quoted in a message, in characters.
const SHOW_MAX: usize = 64;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A rule that cannot be parsed (or, from `Rule::warnings`, a suspicious part of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Lowercase message; user input appears in backticks.
    pub message: String,
    /// First byte of the offending text in the rule.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl FilterError {
    fn new(message: impl Into<String>, start: usize, end: usize) -> FilterError {
        FilterError { message: message.into(), start, end: end.max(start) }
    }

    /// What the user probably meant, when the error is a near miss: a canonical attribute name
    /// (`trustType` for `trustTyp`, `operatingSystem` for the dynamic-group name `deviceOSType`),
    /// the `device.`-prefixed name for a missing prefix, an operator (`-eq` for `-equals`, `==` or `–eq`),
    /// a logical operator (`-and` for `&&`), or a documented value in a warning.
    #[must_use]
    pub fn suggestion(&self) -> Option<&str> {
        let m = self.message.as_str();
        if let Some(word) = quoted_after(m, "unknown device attribute `") {
            return suggest_attribute(word);
        }
        if let Some(word) = quoted_after(m, "missing `device.` prefix before `") {
            return canonical_index(word).and_then(|i| PREFIXED.get(i).copied());
        }
        if let Some(word) = quoted_after(m, "unknown operator `") {
            return suggest_operator(word);
        }
        if let Some(word) = quoted_after(m, "unknown logical operator `") {
            return suggest_logical(word);
        }
        if let Some(rest) = m.strip_prefix("undocumented `") {
            let (attribute, rest) = rest.split_once('`')?;
            let value = quoted_after(rest, " value `")?;
            let known = known_values(attribute)?;
            return nearest(value, known.iter().map(|v| (*v, *v)));
        }
        None
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

/// The text between `prefix` (which ends with a backtick) and the next backtick.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

// ---------------------------------------------------------------------------------------------
// Attributes and operators
// ---------------------------------------------------------------------------------------------

/// What an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A single string.
    Text,
    /// `isCompliant`.
    Bool,
    /// A string collection: `physicalIds`, `systemLabels`.
    Collection,
}

fn kind(attribute: &str) -> Kind {
    match attribute {
        "isCompliant" => Kind::Bool,
        "physicalIds" | "systemLabels" => Kind::Collection,
        _ => Kind::Text,
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    Contains,
    NotContains,
    In,
    NotIn,
}

/// The positive form of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Equals,
    StartsWith,
    EndsWith,
    Contains,
    In,
}

/// Operator names without the hyphen, lowercase.
const OPS: &[(&str, Op)] = &[
    ("eq", Op::Eq),
    ("ne", Op::Ne),
    ("startswith", Op::StartsWith),
    ("notstartswith", Op::NotStartsWith),
    ("endswith", Op::EndsWith),
    ("notendswith", Op::NotEndsWith),
    ("contains", Op::Contains),
    ("notcontains", Op::NotContains),
    ("in", Op::In),
    ("notin", Op::NotIn),
];

/// Operators of the dynamic-membership language that filters for devices do not support, with
/// what to use instead.
// Microsoft's filter-for-devices table does not list these; whether Entra accepts them in a device
// filter is not documented, so we choose to reject them.
const UNSUPPORTED_OPS: &[(&str, &str, &str)] = &[
    ("match", "-match", "use `-startsWith`, `-endsWith` or `-contains`"),
    ("notmatch", "-notMatch", "use `-notStartsWith`, `-notEndsWith` or `-notContains`"),
    ("any", "-any", "use `-contains` or `-notContains` on `physicalIds` and `systemLabels`"),
    ("all", "-all", "use `-contains` or `-notContains` on `physicalIds` and `systemLabels`"),
    ("le", "-le", "no device attribute is a date or a number"),
    ("ge", "-ge", "no device attribute is a date or a number"),
    ("lt", "-lt", "no device attribute is a date or a number"),
    ("gt", "-gt", "no device attribute is a date or a number"),
];

/// Other spellings of operators, lowercase without a hyphen, for suggestions. The friendly names
/// are those of the Entra admin center's rule builder (`Equals`, `NotEquals`, ...).
const OPERATOR_ALIASES: &[(&str, &str)] = &[
    ("eq", "-eq"),
    ("equals", "-eq"),
    ("equal", "-eq"),
    ("==", "-eq"),
    ("=", "-eq"),
    ("ne", "-ne"),
    ("neq", "-ne"),
    ("notequals", "-ne"),
    ("notequal", "-ne"),
    ("!=", "-ne"),
    ("<>", "-ne"),
    ("startswith", "-startsWith"),
    ("beginswith", "-startsWith"),
    ("notstartswith", "-notStartsWith"),
    ("endswith", "-endsWith"),
    ("notendswith", "-notEndsWith"),
    ("contains", "-contains"),
    ("notcontains", "-notContains"),
    ("in", "-in"),
    ("notin", "-notIn"),
];

const LOGICAL_ALIASES: &[(&str, &str)] = &[
    ("and", "-and"),
    ("or", "-or"),
    ("not", "-not"),
    ("&&", "-and"),
    ("&", "-and"),
    ("||", "-or"),
    ("|", "-or"),
    ("!", "-not"),
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Eq => "-eq",
            Op::Ne => "-ne",
            Op::StartsWith => "-startsWith",
            Op::NotStartsWith => "-notStartsWith",
            Op::EndsWith => "-endsWith",
            Op::NotEndsWith => "-notEndsWith",
            Op::Contains => "-contains",
            Op::NotContains => "-notContains",
            Op::In => "-in",
            Op::NotIn => "-notIn",
        }
    }

    /// The positive operator and whether this one negates it.
    fn split(self) -> (Base, bool) {
        match self {
            Op::Eq => (Base::Equals, false),
            Op::Ne => (Base::Equals, true),
            Op::StartsWith => (Base::StartsWith, false),
            Op::NotStartsWith => (Base::StartsWith, true),
            Op::EndsWith => (Base::EndsWith, false),
            Op::NotEndsWith => (Base::EndsWith, true),
            Op::Contains => (Base::Contains, false),
            Op::NotContains => (Base::Contains, true),
            Op::In => (Base::In, false),
            Op::NotIn => (Base::In, true),
        }
    }
}

const ALL_OPS: &[Op] = &[
    Op::Eq,
    Op::Ne,
    Op::StartsWith,
    Op::NotStartsWith,
    Op::EndsWith,
    Op::NotEndsWith,
    Op::Contains,
    Op::NotContains,
    Op::In,
    Op::NotIn,
];

/// The operators Microsoft's table allows for each attribute.
fn supported_ops(attribute: &str) -> &'static [Op] {
    match attribute {
        "deviceId" | "mdmAppId" => &[Op::Eq, Op::Ne, Op::In, Op::NotIn],
        "deviceOwnership" | "isCompliant" | "profileType" | "trustType" => &[Op::Eq, Op::Ne],
        "physicalIds" | "systemLabels" => &[Op::Contains, Op::NotContains],
        _ => ALL_OPS,
    }
}

fn known_values(attribute: &str) -> Option<&'static [&'static str]> {
    KNOWN_VALUES.iter().find(|(a, _)| *a == attribute).map(|(_, v)| *v)
}

fn canonical_index(name: &str) -> Option<usize> {
    ATTRIBUTES.iter().position(|a| a.eq_ignore_ascii_case(name))
}

/// The canonical spelling of an attribute name, matched case-insensitively.
fn canonical_attribute(name: &str) -> Option<&'static str> {
    canonical_index(name).and_then(|i| ATTRIBUTES.get(i).copied())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logical {
    And,
    Or,
    Not,
}

/// `-and`, `-or`, `-not`, with or without the hyphen, any case.
// Microsoft is silent on the hyphenless and case-variant forms of the logical operators; we accept them.
fn logical(word: &str) -> Option<Logical> {
    let body = word.strip_prefix('-').unwrap_or(word);
    if body.eq_ignore_ascii_case("and") {
        Some(Logical::And)
    } else if body.eq_ignore_ascii_case("or") {
        Some(Logical::Or)
    } else if body.eq_ignore_ascii_case("not") {
        Some(Logical::Not)
    } else {
        None
    }
}

fn lookup_op(body: &str) -> Option<Op> {
    OPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(body)).map(|(_, op)| *op)
}

/// Dashes that are not the ASCII hyphen-minus but look like it (word processors turn `-eq` into
/// `–eq`; Microsoft's own pages show `–eq`, `–and`).
fn is_dash_like(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}')
}

fn is_curly_quote(c: char) -> bool {
    matches!(c, '\u{2018}'..='\u{201F}' | '\u{00AB}' | '\u{00BB}')
}

// ---------------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------------

fn suggest_attribute(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let bare = lower.strip_prefix("device.").unwrap_or(&lower);
    if let Some((_, canon)) = ATTRIBUTE_ALIASES.iter().find(|(alias, _)| *alias == bare) {
        return Some(canon);
    }
    let numbered = bare
        .strip_prefix("extensionattribute")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if numbered {
        // `extensionAttribute16` is as close to `extensionAttribute1` as to `extensionAttribute6`.
        return None;
    }
    nearest(bare, ATTRIBUTES.iter().map(|a| (*a, *a)))
}

fn strip_dash(word: &str) -> &str {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) if c == '-' || is_dash_like(c) => chars.as_str(),
        _ => word,
    }
}

fn suggest_operator(word: &str) -> Option<&'static str> {
    let body = strip_dash(word).to_lowercase();
    if let Some((_, op)) = OPERATOR_ALIASES.iter().find(|(alias, _)| *alias == body) {
        return Some(op);
    }
    nearest(&body, OPERATOR_ALIASES.iter().copied())
}

fn suggest_logical(word: &str) -> Option<&'static str> {
    let body = strip_dash(word).to_lowercase();
    if let Some((_, op)) = LOGICAL_ALIASES.iter().find(|(alias, _)| *alias == body) {
        return Some(op);
    }
    nearest(&body, LOGICAL_ALIASES.iter().copied())
}

/// The result of the candidate whose key is closest to `word`, if it is close enough.
fn nearest(
    word: &str,
    candidates: impl Iterator<Item = (&'static str, &'static str)>,
) -> Option<&'static str> {
    let n = word.chars().count();
    if n == 0 || n > SHOW_MAX {
        return None;
    }
    let limit = (n / 3).clamp(1, 3);
    let mut best: Option<(usize, &'static str)> = None;
    for (key, result) in candidates {
        let d = edit_distance(word, key);
        if d <= limit && best.is_none_or(|(best_d, _)| d < best_d) {
            best = Some((d, result));
        }
    }
    best.map(|(_, result)| result)
}

/// Case-insensitive optimal-string-alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    // Rows of the dynamic-programming table, read with `get` so no index can panic.
    fn at(row: &[usize], k: usize) -> usize {
        row.get(k).copied().unwrap_or(usize::MAX / 4)
    }
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut last_a: Option<char> = None;
    for (i, &ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        let mut last_b: Option<char> = None;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut d = (at(&prev, j + 1) + 1).min(at(&row, j) + 1).min(at(&prev, j) + cost);
            if last_b == Some(ca) && last_a == Some(cb) && j > 0 {
                d = d.min(at(&before, j - 1) + 1);
            }
            row.push(d);
            last_b = Some(cb);
        }
        before = std::mem::replace(&mut prev, row);
        last_a = Some(ca);
    }
    prev.last().copied().unwrap_or(0)
}

/// User input for a message: at most `SHOW_MAX` characters, control and invisible characters escaped.
fn show(s: &str) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == SHOW_MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else if matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// "`-eq` or `-ne`", "`-eq`, `-ne`, `-in` or `-notIn`".
fn list_ops(ops: &[Op]) -> String {
    let names: Vec<String> = ops.iter().map(|op| format!("`{}`", op.name())).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {}", rest.join(", "), last),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/// A string literal of the rule, decoded, with the byte span of its token (quotes included).
#[derive(Debug, Clone, PartialEq)]
struct Lit {
    text: String,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(Lit),
    Bool(bool),
    Null,
    List(Vec<Lit>),
}

#[derive(Debug, Clone, PartialEq)]
struct Comparison {
    attribute: &'static str,
    op: Op,
    value: Value,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Comparison),
}

/// A parsed filter-for-devices rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    expr: Expr,
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tk {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// A quoted string; `Token::text` holds it decoded.
    Str,
    /// A run of characters up to whitespace or one of `()[],"'`.
    Word,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tk: Tk,
    start: usize,
    end: usize,
    text: String,
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ',' | '"' | '\'')
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn next_token(&mut self) -> Result<Token, FilterError> {
        let src = self.src;
        let rest = src.get(self.pos..).unwrap_or("").trim_start();
        let start = src.len() - rest.len();
        let Some(c) = rest.chars().next() else {
            self.pos = src.len();
            return Ok(Token { tk: Tk::End, start: src.len(), end: src.len(), text: String::new() });
        };
        let punct = match c {
            '(' => Some(Tk::LParen),
            ')' => Some(Tk::RParen),
            '[' => Some(Tk::LBracket),
            ']' => Some(Tk::RBracket),
            ',' => Some(Tk::Comma),
            _ => None,
        };
        if let Some(tk) = punct {
            self.pos = start + 1;
            return Ok(Token { tk, start, end: start + 1, text: String::new() });
        }
        if c == '"' || c == '\'' {
            return self.string(start, c);
        }
        let len = rest.find(is_delimiter).unwrap_or(rest.len());
        self.pos = start + len;
        Ok(Token { tk: Tk::Word, start, end: start + len, text: String::new() })
    }

    // In double quotes a backtick escapes `"` and `` ` `` (Microsoft: "both quotes should be
    // escaped using the ` character"); any other backtick is literal (Microsoft is silent; we
    // choose this). In single quotes `''` stands for `'` (Microsoft: "single quotes should be
    // escaped by using two single quotes").
    fn string(&mut self, start: usize, quote: char) -> Result<Token, FilterError> {
        let src = self.src;
        let body_start = start + quote.len_utf8();
        let body = src.get(body_start..).unwrap_or("");
        let mut text = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, ch)) = chars.next() {
            if ch == quote {
                if quote == '\'' && chars.peek().is_some_and(|&(_, next)| next == '\'') {
                    chars.next();
                    text.push('\'');
                    continue;
                }
                let end = body_start + i + ch.len_utf8();
                self.pos = end;
                return Ok(Token { tk: Tk::Str, start, end, text });
            }
            let escaped = match chars.peek() {
                Some(&(_, next)) if ch == '`' && quote == '"' && (next == '"' || next == '`') => Some(next),
                _ => None,
            };
            if let Some(next) = escaped {
                chars.next();
                text.push(next);
                continue;
            }
            text.push(ch);
        }
        Err(FilterError::new(format!("unterminated string: missing closing `{quote}`"), start, src.len()))
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// Parses a filter-for-devices rule. Never panics; accepts rules of any length (see `MAX_RULE_LEN`).
///
/// # Errors
///
/// A `FilterError` with the byte span of the offending token: empty rule, unknown attribute,
/// unknown or unsupported operator, operator not supported for the attribute, missing value,
/// value of the wrong type, unterminated string or list, unbalanced parentheses, trailing input,
/// or nesting deeper than `MAX_NESTING`.
pub fn parse(rule: &str) -> Result<Rule, FilterError> {
    if rule.trim().is_empty() {
        return Err(FilterError::new("empty rule", 0, rule.len()));
    }
    let mut lexer = Lexer { src: rule, pos: 0 };
    let cur = lexer.next_token()?;
    let mut parser = Parser { src: rule, lexer, cur, parens: 0, nots: 0 };
    let expr = parser.parse_or(None)?;
    match parser.cur.tk {
        Tk::End => Ok(Rule { expr }),
        Tk::RParen => {
            Err(FilterError::new("unbalanced parentheses: unmatched `)`", parser.cur.start, parser.cur.end))
        }
        _ => Err(parser.unexpected(false)),
    }
}

/// Byte span of a token.
type Span = (usize, usize);

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    cur: Token,
    parens: usize,
    nots: usize,
}

impl<'a> Parser<'a> {
    fn advance(&mut self) -> Result<(), FilterError> {
        self.cur = self.lexer.next_token()?;
        Ok(())
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        let src: &'a str = self.src;
        src.get(start..end).unwrap_or("")
    }

    fn cur_text(&self) -> &'a str {
        self.slice(self.cur.start, self.cur.end)
    }

    fn cur_span(&self) -> Span {
        (self.cur.start, self.cur.end)
    }

    fn cur_logical(&self) -> Option<Logical> {
        if self.cur.tk == Tk::Word { logical(self.cur_text()) } else { None }
    }

    fn err_at(&self, message: impl Into<String>, (start, end): Span) -> FilterError {
        FilterError::new(message, start, end)
    }

    /// `ctx` is the span of the operator before this operand, for "missing condition after" errors.
    fn parse_or(&mut self, ctx: Option<Span>) -> Result<Expr, FilterError> {
        let mut items = vec![self.parse_and(ctx)?];
        while self.cur_logical() == Some(Logical::Or) {
            let op = self.cur_span();
            self.advance()?;
            items.push(self.parse_and(Some(op))?);
        }
        Ok(if items.len() == 1 { items.swap_remove(0) } else { Expr::Or(items) })
    }

    fn parse_and(&mut self, ctx: Option<Span>) -> Result<Expr, FilterError> {
        let mut items = vec![self.parse_unary(ctx)?];
        while self.cur_logical() == Some(Logical::And) {
            let op = self.cur_span();
            self.advance()?;
            items.push(self.parse_unary(Some(op))?);
        }
        Ok(if items.len() == 1 { items.swap_remove(0) } else { Expr::And(items) })
    }

    fn parse_unary(&mut self, ctx: Option<Span>) -> Result<Expr, FilterError> {
        // `-not` negates its operand; Microsoft is silent on `-not -not`, which we allow.
        if self.cur_logical() == Some(Logical::Not) {
            let op = self.cur_span();
            if self.nots >= MAX_NESTING {
                return Err(
                    self.err_at(format!("too many nested `-not` operators (more than {MAX_NESTING})"), op)
                );
            }
            self.nots += 1;
            self.advance()?;
            let inner = self.parse_unary(Some(op))?;
            self.nots -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_primary(ctx)
    }

    fn missing_condition(&self, ctx: Option<Span>) -> FilterError {
        match ctx {
            Some(op) => {
                self.err_at(format!("missing condition after `{}`", show(self.slice(op.0, op.1))), op)
            }
            None if self.cur.tk == Tk::RParen => {
                self.err_at("unbalanced parentheses: unmatched `)`", self.cur_span())
            }
            None => self.err_at("empty rule", (0, self.src.len())),
        }
    }

    fn parse_primary(&mut self, ctx: Option<Span>) -> Result<Expr, FilterError> {
        match self.cur.tk {
            Tk::LParen => {
                let open = self.cur_span();
                if self.parens >= MAX_NESTING {
                    return Err(
                        self.err_at(format!("parentheses nested deeper than {MAX_NESTING} levels"), open)
                    );
                }
                self.parens += 1;
                self.advance()?;
                if self.cur.tk == Tk::RParen {
                    return Err(self.err_at("empty parentheses", (open.0, self.cur.end)));
                }
                let inner = self.parse_or(None)?;
                match self.cur.tk {
                    Tk::RParen => self.advance()?,
                    Tk::End => {
                        return Err(self.err_at("unbalanced parentheses: `(` is never closed", open));
                    }
                    _ => return Err(self.unexpected(true)),
                }
                self.parens -= 1;
                Ok(inner)
            }
            Tk::Word => self.parse_comparison(ctx),
            Tk::End | Tk::RParen => Err(self.missing_condition(ctx)),
            Tk::Str | Tk::LBracket | Tk::RBracket | Tk::Comma => Err(self
                .err_at(format!("expected a condition, found `{}`", show(self.cur_text())), self.cur_span())),
        }
    }

    /// The error for a token after a complete condition that neither continues nor ends it.
    fn unexpected(&self, in_parens: bool) -> FilterError {
        let text = self.cur_text();
        let span = self.cur_span();
        if self.cur.tk == Tk::Word && logical(text).is_none() {
            let body = strip_dash(text);
            let dashed = body.len() != text.len();
            let symbolic = !text.is_empty() && text.chars().all(|c| matches!(c, '&' | '|' | '!'));
            if (dashed && lookup_op(body).is_none()) || symbolic {
                return self.err_at(format!("unknown logical operator `{}`", show(text)), span);
            }
        }
        let expected = if in_parens { "`)`" } else { "the end of the rule" };
        self.err_at(format!("unexpected `{}`; expected `-and`, `-or` or {expected}", show(text)), span)
    }

    fn parse_comparison(&mut self, ctx: Option<Span>) -> Result<Expr, FilterError> {
        let prop = self.cur_span();
        let word = self.cur_text();
        if matches!(logical(word), Some(Logical::And | Logical::Or)) {
            return Err(match ctx {
                Some(op) => {
                    self.err_at(format!("missing condition after `{}`", show(self.slice(op.0, op.1))), op)
                }
                None => self.err_at(format!("missing condition before `{}`", show(word)), prop),
            });
        }
        let attribute = self.property(word, prop)?;
        self.advance()?;
        if self.cur.tk != Tk::Word {
            return Err(self.err_at(format!("missing operator after `{}`", show(word)), prop));
        }
        let op_span = self.cur_span();
        let op = self.operator(attribute, word, prop)?;
        self.advance()?;
        let value = self.parse_value(attribute, op, op_span)?;
        Ok(Expr::Cmp(Comparison { attribute, op, value }))
    }

    /// `device.<attribute>`; the `device.` prefix and the attribute name are case-insensitive.
    // Our choice: Microsoft contradicts itself on the case of property names (see the top of the file).
    fn property(&self, word: &str, span: Span) -> Result<&'static str, FilterError> {
        let has_prefix = word.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("device."));
        if has_prefix {
            let name = word.get(7..).unwrap_or("");
            if name.is_empty() {
                return Err(self.err_at("missing attribute name after `device.`", span));
            }
            return canonical_attribute(name).ok_or_else(|| {
                let lower = name.to_ascii_lowercase();
                let numbered = lower
                    .strip_prefix("extensionattribute")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                let hint = if numbered { ": extension attributes are numbered 1 to 15" } else { "" };
                self.err_at(format!("unknown device attribute `{}`{hint}", show(name)), (span.0 + 7, span.1))
            });
        }
        if canonical_attribute(word).is_some() {
            return Err(self.err_at(format!("missing `device.` prefix before `{}`", show(word)), span));
        }
        if word.find('.').is_some_and(|dot| dot > 0) {
            return Err(self.err_at(
                format!("only `device.` properties can be used in a device filter, found `{}`", show(word)),
                span,
            ));
        }
        Err(self.err_at(format!("expected a condition, found `{}`", show(word)), span))
    }

    /// The comparison operator at the current token. Microsoft: "operators can be used with or
    /// without the hyphen (-) prefix"; names are case-insensitive (Microsoft's own pages mix
    /// `-EndsWith` and `-endsWith`).
    fn operator(&self, attribute: &'static str, prop_word: &str, prop: Span) -> Result<Op, FilterError> {
        let word = self.cur_text();
        let span = self.cur_span();
        let first = word.chars().next().unwrap_or(' ');
        let body = match word.strip_prefix('-') {
            Some(body) => body,
            None if is_dash_like(first) => {
                return Err(self.err_at(
                    format!(
                        "unknown operator `{}`: it starts with `{first}` (U+{:04X}), not a hyphen `-`",
                        show(word),
                        u32::from(first)
                    ),
                    span,
                ));
            }
            None => word,
        };
        if let Some(op) = lookup_op(body) {
            let ops = supported_ops(attribute);
            if !ops.contains(&op) {
                return Err(self.err_at(
                    format!(
                        "operator `{}` is not supported for `{attribute}`; use {}",
                        show(word),
                        list_ops(ops)
                    ),
                    span,
                ));
            }
            return Ok(op);
        }
        if let Some((_, name, hint)) = UNSUPPORTED_OPS.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(body)) {
            return Err(self
                .err_at(format!("operator `{name}` is not supported in filters for devices; {hint}"), span));
        }
        match logical(word) {
            Some(Logical::Not) => Err(self.err_at(
                format!(
                    "misplaced `{}`: write it before the condition, as in `-not ({} -eq \"value\")`",
                    show(word),
                    show(prop_word)
                ),
                span,
            )),
            Some(_) => Err(self.err_at(format!("missing operator after `{}`", show(prop_word)), prop)),
            None => Err(self.err_at(format!("unknown operator `{}`", show(word)), span)),
        }
    }

    fn unquoted(&self, word: &str, span: Span) -> FilterError {
        if word.chars().any(is_curly_quote) {
            return self
                .err_at(format!("curly quotes in `{}`: use straight double quotes `\"`", show(word)), span);
        }
        self.err_at(format!("unquoted value `{}`: string values must be in double quotes", show(word)), span)
    }

    fn parse_value(&mut self, attribute: &'static str, op: Op, op_span: Span) -> Result<Value, FilterError> {
        let op_text = show(self.slice(op_span.0, op_span.1));
        let span = self.cur_span();
        let missing = || FilterError::new(format!("missing value after `{op_text}`"), op_span.0, op_span.1);
        let raw = match self.cur.tk {
            Tk::End | Tk::RParen | Tk::RBracket | Tk::Comma => return Err(missing()),
            Tk::LParen => {
                return Err(self.err_at(format!("expected a value after `{op_text}`, found `(`"), span));
            }
            Tk::Str => {
                let text = std::mem::take(&mut self.cur.text);
                self.advance()?;
                Value::Text(Lit { text, start: span.0, end: span.1 })
            }
            Tk::Word => {
                let word = self.cur_text();
                let first = word.chars().next().unwrap_or(' ');
                if logical(word).is_some() || first == '-' || is_dash_like(first) {
                    return Err(missing());
                }
                let value = if word.eq_ignore_ascii_case("true") {
                    Value::Bool(true)
                } else if word.eq_ignore_ascii_case("false") {
                    Value::Bool(false)
                } else if word.eq_ignore_ascii_case("null") || word.eq_ignore_ascii_case("$null") {
                    Value::Null
                } else {
                    // Microsoft: "double quotes are optional unless the value is a string"; every
                    // device attribute but isCompliant is a string, so we choose to reject bare words.
                    return Err(self.unquoted(word, span));
                };
                self.advance()?;
                value
            }
            Tk::LBracket => {
                let (items, end) = self.parse_list()?;
                let (_, negated) = op.split();
                if !matches!(op, Op::In | Op::NotIn) {
                    let suggestion = if negated { "-notIn" } else { "-in" };
                    let hint = if matches!(op, Op::Eq | Op::Ne) {
                        format!("; use `{suggestion}` to compare with a list")
                    } else {
                        String::new()
                    };
                    return Err(FilterError::new(
                        format!("a list cannot be used with `{op_text}`{hint}"),
                        span.0,
                        end,
                    ));
                }
                return Ok(Value::List(items));
            }
        };
        let shown = show(self.slice(span.0, span.1));
        if matches!(op, Op::In | Op::NotIn) {
            return Err(match raw {
                Value::Null => FilterError::new(
                    format!("value `{shown}` can only be used with `-eq` or `-ne`"),
                    span.0,
                    span.1,
                ),
                _ => FilterError::new(
                    format!(
                        "value `{shown}` is not a list: `{op_text}` takes a list such as `[\"a\", \"b\"]`"
                    ),
                    span.0,
                    span.1,
                ),
            });
        }
        match (kind(attribute), raw) {
            // Null checks: documented for dynamic membership rules (`-eq`/`-ne` only), silent for
            // device filters; we choose to allow them the same way.
            (_, Value::Null) if matches!(op, Op::Eq | Op::Ne) => Ok(Value::Null),
            (_, Value::Null) => Err(FilterError::new(
                format!("value `{shown}` can only be used with `-eq` or `-ne`"),
                span.0,
                span.1,
            )),
            (Kind::Bool, Value::Bool(b)) => Ok(Value::Bool(b)),
            // Microsoft's table writes `device.isCompliant -eq "True"`; its other examples write
            // `-ne True`. Both spellings mean the boolean.
            (Kind::Bool, Value::Text(lit)) if lit.text.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            (Kind::Bool, Value::Text(lit)) if lit.text.eq_ignore_ascii_case("false") => {
                Ok(Value::Bool(false))
            }
            (Kind::Bool, _) => Err(FilterError::new(
                format!("value `{shown}` is not a boolean: `{attribute}` takes `true` or `false`"),
                span.0,
                span.1,
            )),
            (_, Value::Bool(_)) => Err(FilterError::new(
                format!("value `{shown}` is not a string: `{attribute}` takes a quoted string"),
                span.0,
                span.1,
            )),
            (_, value) => Ok(value),
        }
    }

    /// `[ STRING { , STRING } ]`, from the `[` to past the `]`; returns the items and the end of `]`.
    fn parse_list(&mut self) -> Result<(Vec<Lit>, usize), FilterError> {
        let open = self.cur_span();
        self.advance()?;
        // Microsoft is silent on `[]`; we choose to reject it (`-in []` could never hold).
        if self.cur.tk == Tk::RBracket {
            return Err(
                self.err_at("empty list: `-in` and `-notIn` need at least one value", (open.0, self.cur.end))
            );
        }
        let mut items = Vec::new();
        loop {
            match self.cur.tk {
                Tk::Str => {
                    let text = std::mem::take(&mut self.cur.text);
                    items.push(Lit { text, start: self.cur.start, end: self.cur.end });
                }
                Tk::End => return Err(self.err_at("unterminated list: `[` is never closed", open)),
                Tk::Word => {
                    let word = self.cur_text();
                    let keyword =
                        ["true", "false", "null", "$null"].iter().any(|k| word.eq_ignore_ascii_case(k));
                    if keyword {
                        return Err(self.err_at(
                            format!("expected a quoted string in the list, found `{}`", show(word)),
                            self.cur_span(),
                        ));
                    }
                    return Err(self.unquoted(word, self.cur_span()));
                }
                _ => {
                    return Err(self.err_at(
                        format!("expected a quoted string in the list, found `{}`", show(self.cur_text())),
                        self.cur_span(),
                    ));
                }
            }
            self.advance()?;
            match self.cur.tk {
                Tk::Comma => {
                    let comma = self.cur_span();
                    self.advance()?;
                    if self.cur.tk == Tk::RBracket {
                        return Err(self.err_at("missing value after `,`", comma));
                    }
                }
                Tk::RBracket => {
                    let end = self.cur.end;
                    self.advance()?;
                    return Ok((items, end));
                }
                Tk::End => return Err(self.err_at("unterminated list: `[` is never closed", open)),
                Tk::Str | Tk::Word => {
                    return Err(self.err_at("missing `,` between list values", self.cur_span()));
                }
                _ => {
                    return Err(self.err_at(
                        format!("expected `,` or `]` in the list, found `{}`", show(self.cur_text())),
                        self.cur_span(),
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

/// Properties of the device in a sign-in. `registered: false` (the default) is an unregistered
/// device: every property is null, whatever `props` holds. A registered device's missing
/// properties are null too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Device {
    /// Whether the device is registered with Microsoft Entra ID.
    pub registered: bool,
    /// Property values; keys are canonical attribute names (see `ATTRIBUTES`).
    pub props: BTreeMap<String, DeviceValue>,
}

/// The value of a device property.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceValue {
    /// A string property.
    Text(String),
    /// `isCompliant`.
    Bool(bool),
    /// A string collection: `physicalIds`, `systemLabels`.
    List(Vec<String>),
}

impl Device {
    /// Sets a property. The name is matched case-insensitively (an optional `device.` prefix is
    /// ignored) and stored under its canonical spelling. The value must fit the attribute:
    /// `isCompliant` takes `Bool` (or `Text` "true"/"false", stored as `Bool`), `physicalIds` and
    /// `systemLabels` take `List`, every other attribute takes `Text`. Does not change `registered`.
    ///
    /// # Errors
    ///
    /// An unknown attribute (the message names it and may add "did you mean"), or a value of the
    /// wrong shape for the attribute.
    pub fn set(&mut self, attribute: &str, value: DeviceValue) -> Result<(), String> {
        let Some((canonical, kind)) = settable_attribute(attribute) else {
            let has_prefix = attribute.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("device."));
            let name = if has_prefix { attribute.get(7..).unwrap_or("") } else { attribute };
            let hint = suggest_attribute(name).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            return Err(format!("unknown device attribute `{}`{hint}", show(attribute)));
        };
        let value = match (kind, value) {
            (Kind::Bool, DeviceValue::Bool(b)) => DeviceValue::Bool(b),
            (Kind::Bool, DeviceValue::Text(t)) if t.eq_ignore_ascii_case("true") => DeviceValue::Bool(true),
            (Kind::Bool, DeviceValue::Text(t)) if t.eq_ignore_ascii_case("false") => DeviceValue::Bool(false),
            (Kind::Bool, _) => {
                return Err(format!("device attribute `{canonical}` takes `true` or `false`"));
            }
            (Kind::Collection, DeviceValue::List(l)) => DeviceValue::List(l),
            (Kind::Collection, _) => {
                return Err(format!("device attribute `{canonical}` takes a list of strings"));
            }
            (Kind::Text, DeviceValue::Text(t)) => DeviceValue::Text(t),
            (Kind::Text, _) => {
                return Err(format!("device attribute `{canonical}` takes a string"));
            }
        };
        self.props.insert(canonical.to_string(), value);
        Ok(())
    }

    /// The value a rule sees for an attribute (name matched case-insensitively): `None` when the
    /// device is unregistered or the property is not set, that is, when it is null.
    #[must_use]
    pub fn value(&self, attribute: &str) -> Option<&DeviceValue> {
        if !self.registered {
            return None;
        }
        if let Some(v) = self.props.get(attribute) {
            return Some(v);
        }
        self.props.iter().find(|(k, _)| k.eq_ignore_ascii_case(attribute)).map(|(_, v)| v)
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// Case folding for comparisons: per-character Unicode lowercase. Microsoft: "regex and string
/// operations aren't case sensitive".
// The exact folding Entra uses is not documented; per-character lowercase is our choice.
fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

fn eq_ci(a: &str, b: &str) -> bool {
    a == b || a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

fn bool_text(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn string_test(base: Base, haystack: &str, needle: &str) -> bool {
    match base {
        Base::Equals | Base::In => eq_ci(haystack, needle),
        Base::StartsWith => fold(haystack).starts_with(&fold(needle)),
        Base::EndsWith => fold(haystack).ends_with(&fold(needle)),
        Base::Contains => fold(haystack).contains(&fold(needle)),
    }
}

/// The positive operator applied to a non-null property value.
fn holds(base: Base, value: &Value, property: &DeviceValue) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => match property {
            DeviceValue::Bool(p) => p == b,
            DeviceValue::Text(t) => eq_ci(t, bool_text(*b)),
            DeviceValue::List(_) => false,
        },
        Value::Text(lit) => match property {
            DeviceValue::Text(t) => string_test(base, t, &lit.text),
            DeviceValue::Bool(p) => string_test(base, bool_text(*p), &lit.text),
            // Microsoft: on a string collection, Contains "indicates whether a specified string
            // matches one of the whole strings in the collection". Other operators cannot reach a
            // collection through `parse`; for a collection stored under a string attribute we
            // apply them to each element (our choice).
            DeviceValue::List(items) => match base {
                Base::Contains => items.iter().any(|i| eq_ci(i, &lit.text)),
                _ => items.iter().any(|i| string_test(base, i, &lit.text)),
            },
        },
        Value::List(lits) => match property {
            DeviceValue::Text(t) => lits.iter().any(|l| eq_ci(t, &l.text)),
            DeviceValue::Bool(p) => lits.iter().any(|l| eq_ci(bool_text(*p), &l.text)),
            DeviceValue::List(items) => items.iter().any(|i| lits.iter().any(|l| eq_ci(i, &l.text))),
        },
    }
}

impl Comparison {
    fn matches(&self, device: &Device) -> bool {
        let (base, negated) = self.op.split();
        let property = device.value(self.attribute);
        let positive = match (&self.value, property) {
            // `-eq null` holds exactly when the property is null; `-ne null` when it is not.
            (Value::Null, p) => p.is_none(),
            // A null property satisfies no positive operator, so every negative operator holds
            // (Microsoft's table for unregistered devices; for unset properties of registered
            // devices Microsoft is silent and we choose the same).
            (_, None) => false,
            (value, Some(p)) => holds(base, value, p),
        };
        positive != negated
    }
}

impl Expr {
    fn matches(&self, device: &Device) -> bool {
        match self {
            Expr::Or(items) => items.iter().any(|e| e.matches(device)),
            Expr::And(items) => items.iter().all(|e| e.matches(device)),
            Expr::Not(inner) => !inner.matches(device),
            Expr::Cmp(c) => c.matches(device),
        }
    }

    fn for_each_comparison<'e>(&'e self, f: &mut impl FnMut(&'e Comparison)) {
        match self {
            Expr::Or(items) | Expr::And(items) => {
                for e in items {
                    e.for_each_comparison(f);
                }
            }
            Expr::Not(inner) => inner.for_each_comparison(f),
            Expr::Cmp(c) => f(c),
        }
    }
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Rule {
    /// Whether the device satisfies the rule.
    #[must_use]
    pub fn matches(&self, device: &Device) -> bool {
        self.expr.matches(device)
    }

    /// The attributes the rule reads, canonical spelling, sorted and deduplicated.
    #[must_use]
    pub fn attributes(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        self.expr.for_each_comparison(&mut |c| out.push(c.attribute));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Suspicious but valid parts of the rule, for a linter: values outside the documented set
    /// of `trustType`, `deviceOwnership` and `profileType` (compared case-insensitively), values of
    /// `deviceId` and `mdmAppId` that are not GUIDs, and empty strings given to
    /// `-startsWith`/`-endsWith`/`-contains` (or their negations), which match every non-null value.
    #[must_use]
    pub fn warnings(&self) -> Vec<FilterError> {
        let mut out = Vec::new();
        self.expr.for_each_comparison(&mut |c| {
            let lits: Vec<&Lit> = match &c.value {
                Value::Text(lit) => vec![lit],
                Value::List(items) => items.iter().collect(),
                Value::Bool(_) | Value::Null => Vec::new(),
            };
            for lit in lits {
                let undocumented =
                    known_values(c.attribute).filter(|known| !known.iter().any(|k| eq_ci(k, &lit.text)));
                if let Some(known) = undocumented {
                    let documented: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                    out.push(FilterError::new(
                        format!(
                            "undocumented `{}` value `{}`; documented values are {}",
                            c.attribute,
                            show(&lit.text),
                            documented.join(", ")
                        ),
                        lit.start,
                        lit.end,
                    ));
                }
                if matches!(c.attribute, "deviceId" | "mdmAppId") && !is_guid(&lit.text) {
                    out.push(FilterError::new(
                        format!(
                            "value `{}` is not a GUID, but `{}` values are GUIDs",
                            show(&lit.text),
                            c.attribute
                        ),
                        lit.start,
                        lit.end,
                    ));
                }
                let (base, negated) = c.op.split();
                if lit.text.is_empty() && matches!(base, Base::StartsWith | Base::EndsWith | Base::Contains) {
                    let effect = if negated { "matches no device" } else { "matches every device" };
                    out.push(FilterError::new(
                        format!(
                            "empty value: `{}` with `\"\"` {effect} whose `{}` is set",
                            c.op.name(),
                            c.attribute
                        ),
                        lit.start,
                        lit.end,
                    ));
                }
            }
        });
        out
    }
}

/// The canonical name and kind of an attribute as `Device::set` takes it: matched
/// case-insensitively, with an optional `device.` prefix.
pub(crate) fn settable_attribute(attribute: &str) -> Option<(&'static str, Kind)> {
    let has_prefix = attribute.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("device."));
    let name = if has_prefix { attribute.get(7..).unwrap_or("") } else { attribute };
    canonical_attribute(name).map(|c| (c, kind(c)))
}

/// `snake_to_camel` into a reusable buffer (cleared first).
pub(crate) fn snake_to_camel_into(name: &str, out: &mut String) {
    out.clear();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
}

/// A device attribute written in capol's snake_case (`trust_type`), in Graph's camelCase
/// (`trustType`); camelCase input is returned unchanged.
pub fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    snake_to_camel_into(name, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(rule: &str) -> Rule {
        match parse(rule) {
            Ok(r) => r,
            Err(e) => panic!("`{rule}` should parse, got {e:?}"),
        }
    }

    fn fail(rule: &str) -> FilterError {
        match parse(rule) {
            Ok(r) => panic!("`{rule}` should not parse, got {r:?}"),
            Err(e) => {
                assert!(e.start <= e.end && e.end <= rule.len(), "bad span {e:?}");
                assert!(rule.get(e.start..e.end).is_some(), "span not on char boundaries {e:?}");
                e
            }
        }
    }

    /// Asserts the error's span is exactly the `nth` occurrence of `needle` and its message starts with `msg`.
    fn assert_error(rule: &str, msg: &str, needle: &str, nth: usize) -> FilterError {
        let e = fail(rule);
        let start = rule.match_indices(needle).nth(nth).map(|(i, _)| i);
        assert_eq!(Some(e.start), start, "start of {e:?} in `{rule}`");
        assert_eq!(e.end, e.start + needle.len(), "end of {e:?} in `{rule}`");
        assert!(e.message.starts_with(msg), "message `{}` should start with `{msg}`", e.message);
        e
    }

    fn device(props: &[(&str, DeviceValue)]) -> Device {
        let mut d = Device { registered: true, props: BTreeMap::new() };
        for (k, v) in props {
            if let Err(e) = d.set(k, v.clone()) {
                panic!("{e}");
            }
        }
        d
    }

    fn text(s: &str) -> DeviceValue {
        DeviceValue::Text(s.to_string())
    }

    fn list(items: &[&str]) -> DeviceValue {
        DeviceValue::List(items.iter().map(ToString::to_string).collect())
    }

    fn unregistered() -> Device {
        Device::default()
    }

    /// The tree of a rule, without spans.
    fn shape(rule: &Rule) -> String {
        fn expr(e: &Expr) -> String {
            let join = |items: &[Expr]| items.iter().map(expr).collect::<Vec<_>>().join(", ");
            match e {
                Expr::Or(items) => format!("or({})", join(items)),
                Expr::And(items) => format!("and({})", join(items)),
                Expr::Not(inner) => format!("not({})", expr(inner)),
                Expr::Cmp(c) => {
                    let value = match &c.value {
                        Value::Text(l) => l.text.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        Value::List(items) => {
                            format!(
                                "[{}]",
                                items.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(", ")
                            )
                        }
                    };
                    format!("{} {} {}", c.attribute, c.op.name(), value)
                }
            }
        }
        expr(&rule.expr)
    }

    fn m(rule: &str, d: &Device) -> bool {
        ok(rule).matches(d)
    }

    #[test]
    fn attribute_tables_agree() {
        assert_eq!(ATTRIBUTES.len(), 29);
        assert_eq!(ATTRIBUTES.len(), PREFIXED.len());
        for (a, p) in ATTRIBUTES.iter().zip(PREFIXED) {
            assert_eq!(format!("device.{a}"), *p);
        }
    }

    #[test]
    fn microsoft_table_examples_parse() {
        let examples = [
            r#"(device.deviceid -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")"#,
            r#"(device.displayName -contains "ABC")"#,
            r#"(device.deviceOwnership -eq "Company")"#,
            r#"(device.enrollmentProfileName -startsWith "AutoPilot Profile")"#,
            r#"(device.isCompliant -eq "True")"#,
            r#"(device.manufacturer -startsWith "Microsoft")"#,
            r#"(device.mdmAppId -in ["00001111-aaaa-2222-bbbb-3333cccc4444"])"#,
            r#"(device.model -notContains "Surface")"#,
            r#"(device.operatingSystem -eq "Windows")"#,
            r#"(device.operatingSystemVersion -in ["10.0.18363", "10.0.19041", "10.0.19042", "10.0.22000"])"#,
            r#"(device.physicalIds -contains "[ZTDId]:value")"#,
            r#"(device.profileType -eq "Printer")"#,
            r#"(device.systemLabels -contains "M365Managed")"#,
            r#"(device.trustType -eq "ServerAD")"#,
            r#"(device.extensionAttribute1 -eq "SAW")"#,
            "device.extensionAttribute1 -ne \"SAW\"",
            r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#,
            r#"device.enrollmentProfileName -eq "Profile 1" -or device.enrollmentProfileName -eq "Profile 2""#,
            "device.extensionAttribute2 -ne 'TeamsPhoneDevice'",
        ];
        for rule in examples {
            let r = ok(rule);
            assert!(r.warnings().is_empty(), "{rule}: {:?}", r.warnings());
        }
    }

    #[test]
    fn unregistered_devices_have_null_properties() {
        let d = unregistered();
        assert!(m("device.extensionAttribute1 -ne \"SAW\"", &d));
        assert!(!m("device.trustType -eq \"ServerAD\"", &d));
        assert!(m("device.trustType -ne \"ServerAD\" -or device.isCompliant -ne True", &d));
        assert!(!m("device.isCompliant -eq false", &d));
        assert!(m("device.isCompliant -ne true", &d));
        assert!(m("device.operatingSystem -notIn [\"Windows\"]", &d));
        assert!(!m("device.operatingSystem -in [\"Windows\"]", &d));
        assert!(m("device.physicalIds -notContains \"[ZTDId]:x\"", &d));
        assert!(!m("device.physicalIds -contains \"[ZTDId]:x\"", &d));
        // Properties are ignored while the device is unregistered.
        let mut d = device(&[("trustType", text("ServerAD"))]);
        d.registered = false;
        assert!(!m("device.trustType -eq \"ServerAD\"", &d));
    }

    #[test]
    fn registered_device_examples() {
        let saw = device(&[("extensionAttribute1", text("SAW")), ("trustType", text("ServerAD"))]);
        assert!(!m("device.extensionAttribute1 -ne \"SAW\"", &saw));
        assert!(m("device.trustType -eq \"ServerAD\"", &saw));
        assert!(m(r#"device.extensionAttribute1 -ne "SAW" -or device.trustType -eq "ServerAD""#, &saw));
        assert!(!m(r#"device.extensionAttribute1 -ne "SAW" -and device.trustType -eq "ServerAD""#, &saw));
        // A registered device without the property: null, like an unregistered one.
        let plain = device(&[("trustType", text("AzureAD"))]);
        assert!(m("device.extensionAttribute1 -ne \"SAW\"", &plain));
        assert!(!m("device.extensionAttribute1 -eq \"SAW\"", &plain));
    }

    #[test]
    fn every_operator_positive_and_negated() {
        let d = device(&[("model", text("Surface Laptop 5"))]);
        let cases: &[(&str, bool)] = &[
            ("-eq \"surface laptop 5\"", true),
            ("-eq \"Surface\"", false),
            ("-ne \"SURFACE LAPTOP 5\"", false),
            ("-ne \"Surface\"", true),
            ("-startsWith \"surface\"", true),
            ("-startsWith \"Laptop\"", false),
            ("-notStartsWith \"SURFACE\"", false),
            ("-notStartsWith \"Laptop\"", true),
            ("-endsWith \"laptop 5\"", true),
            ("-endsWith \"Surface\"", false),
            ("-notEndsWith \"LAPTOP 5\"", false),
            ("-notEndsWith \"Surface\"", true),
            ("-contains \"LAPTOP\"", true),
            ("-contains \"Book\"", false),
            ("-notContains \"laptop\"", false),
            ("-notContains \"Book\"", true),
            ("-in [\"Surface Pro\", \"surface laptop 5\"]", true),
            ("-in [\"Surface Pro\"]", false),
            ("-notIn [\"SURFACE LAPTOP 5\"]", false),
            ("-notIn [\"Surface Pro\", 'Surface Go']", true),
        ];
        for (tail, expected) in cases {
            let rule = format!("device.model {tail}");
            assert_eq!(m(&rule, &d), *expected, "{rule} on a registered device");
            // Null property: positive operators never match, negative ones always do.
            let negative = tail.starts_with("-n");
            assert_eq!(m(&rule, &unregistered()), negative, "{rule} on an unregistered device");
            assert_eq!(m(&rule, &device(&[])), negative, "{rule} on a device without a model");
        }
    }

    #[test]
    fn booleans() {
        let compliant = device(&[("isCompliant", DeviceValue::Bool(true))]);
        let noncompliant = device(&[("isCompliant", DeviceValue::Bool(false))]);
        for rule in [
            "device.isCompliant -eq true",
            "device.isCompliant -eq True",
            "device.isCompliant -eq TRUE",
            "device.isCompliant -eq \"True\"",
            "device.isCompliant -eq 'true'",
            "device.isCompliant -ne false",
        ] {
            assert!(m(rule, &compliant), "{rule}");
            assert!(!m(rule, &noncompliant), "{rule}");
        }
        assert!(m("device.isCompliant -ne True", &noncompliant));
    }

    #[test]
    fn collections_match_whole_strings() {
        let d = device(&[
            ("physicalIds", list(&["[ZTDId]:abc", "[OrderId]:PAW"])),
            ("systemLabels", list(&["M365Managed"])),
        ]);
        assert!(m("device.physicalIds -contains \"[ztdid]:ABC\"", &d));
        assert!(!m("device.physicalIds -contains \"[ZTDId]\"", &d));
        assert!(m("device.physicalIds -notContains \"[ZTDId]\"", &d));
        assert!(!m("device.physicalIds -notContains \"[OrderId]:PAW\"", &d));
        assert!(m("device.systemLabels -contains \"m365managed\"", &d));
        assert!(!m("device.systemLabels -contains \"MultiUser\"", &d));
        let empty = device(&[("systemLabels", list(&[]))]);
        assert!(m("device.systemLabels -notContains \"MultiUser\"", &empty));
    }

    #[test]
    fn precedence_and_parentheses() {
        // a -or b -and c  ==  a -or (b -and c)
        let a_only = device(&[("model", text("a"))]);
        let rule = r#"device.model -eq "a" -or device.manufacturer -eq "b" -and device.displayName -eq "c""#;
        assert!(m(rule, &a_only));
        let grouped =
            r#"(device.model -eq "a" -or device.manufacturer -eq "b") -and device.displayName -eq "c""#;
        assert!(!m(grouped, &a_only));
        let b_only = device(&[("manufacturer", text("b"))]);
        assert!(!m(rule, &b_only));
        let b_and_c = device(&[("manufacturer", text("b")), ("displayName", text("c"))]);
        assert!(m(rule, &b_and_c));
        assert!(m(grouped, &b_and_c));
        // -not binds tighter than -and.
        let not_rule = r#"-not device.model -eq "a" -and device.manufacturer -eq "b""#;
        assert!(m(not_rule, &b_only));
        assert!(!m(not_rule, &a_only));
        assert!(m(r#"-not (device.model -eq "a" -or device.manufacturer -eq "b")"#, &device(&[])));
        assert!(!m(r#"-not -not (device.model -eq "a")"#, &device(&[])));
        assert!(m(r#"device.model -eq "x" -or -not (device.model -eq "a")"#, &b_only));
        // Tree shape: -and groups under -or.
        assert_eq!(shape(&ok(rule)), "or(model -eq a, and(manufacturer -eq b, displayName -eq c))");
        assert_eq!(shape(&ok("((((device.model -eq \"a\"))))")), "model -eq a");
        assert_eq!(
            shape(&ok(
                "-not device.model -eq \"a\" -or device.model -ne \"b\" -and -not (device.model -in ['c', \"d\"])"
            )),
            "or(not(model -eq a), and(model -ne b, not(model -in [c, d])))"
        );
    }

    #[test]
    fn case_insensitive_names_and_hyphenless_operators() {
        let d = device(&[("trustType", text("AzureAD")), ("model", text("X1"))]);
        assert!(m("DEVICE.TRUSTTYPE -EQ \"azuread\"", &d));
        assert!(m("device.trusttype eq \"AzureAD\"", &d));
        assert!(m("device.trustType -eq \"AzureAD\" AND device.model startsWith \"x\"", &d));
        assert!(m("device.trustType -eq \"nope\" or not device.model -eq \"nope\"", &d));
        assert_eq!(ok("device.trusttype -eq \"AzureAD\"").attributes(), vec!["trustType"]);
    }

    #[test]
    fn null_values() {
        let with = device(&[("extensionAttribute3", text("x"))]);
        let without = device(&[]);
        assert!(m("device.extensionAttribute3 -ne null", &with));
        assert!(!m("device.extensionAttribute3 -ne null", &without));
        assert!(!m("device.extensionAttribute3 -ne null", &unregistered()));
        assert!(m("device.extensionAttribute3 -eq null", &without));
        assert!(m("device.extensionAttribute3 -eq $null", &unregistered()));
        assert!(!m("device.extensionAttribute3 -eq \"null\"", &unregistered()));
        assert!(m(
            "device.extensionAttribute3 -eq \"null\"",
            &device(&[("extensionAttribute3", text("NULL"))])
        ));
    }

    #[test]
    fn string_escapes() {
        let d = device(&[("displayName", text("Rob's \"PC\" `1`"))]);
        assert!(m(r#"device.displayName -eq "Rob's `"PC`" ``1``""#, &d));
        assert!(m("device.displayName -eq 'Rob''s \"PC\" `1`'", &d));
        let tick = device(&[("displayName", text("a`b"))]);
        assert!(m("device.displayName -eq \"a`b\"", &tick));
        assert!(m(
            "device.displayName -eq \"\u{e9}t\u{e9}\"",
            &device(&[("displayName", text("\u{c9}T\u{c9}"))])
        ));
    }

    #[test]
    fn attributes_are_sorted_and_deduplicated() {
        let r = ok(
            r#"device.trustType -eq "AzureAD" -or (device.isCompliant -eq true -and device.trustType -ne "x") -or device.deviceId -in ["aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"]"#,
        );
        assert_eq!(r.attributes(), vec!["deviceId", "isCompliant", "trustType"]);
    }

    #[test]
    fn error_unknown_attribute() {
        let e = assert_error(
            "device.trustTyp -eq \"ServerAD\"",
            "unknown device attribute `trustTyp`",
            "trustTyp",
            0,
        );
        assert_eq!(e.message, "unknown device attribute `trustTyp`");
        assert_eq!(e.suggestion(), Some("trustType"));
        let e =
            assert_error("device.deviceOSType -eq \"iOS\"", "unknown device attribute", "deviceOSType", 0);
        assert_eq!(e.suggestion(), Some("operatingSystem"));
        let e = assert_error(
            "device.devicePhysicalIDs -contains \"x\"",
            "unknown device attribute",
            "devicePhysicalIDs",
            0,
        );
        assert_eq!(e.suggestion(), Some("physicalIds"));
        let e = assert_error(
            "device.extensionAttribute16 -eq \"x\"",
            "unknown device attribute",
            "extensionAttribute16",
            0,
        );
        assert_eq!(e.suggestion(), None);
        let e =
            assert_error("device.isRooted -eq true", "unknown device attribute `isRooted`", "isRooted", 0);
        assert_eq!(e.suggestion(), None);
        let e = assert_error("trustType -eq \"ServerAD\"", "missing `device.` prefix", "trustType", 0);
        assert_eq!(e.suggestion(), Some("device.trustType"));
        assert_error("user.department -eq \"Sales\"", "only `device.` properties", "user.department", 0);
        assert_error("device. -eq \"x\"", "missing attribute name", "device.", 0);
    }

    #[test]
    fn error_unknown_operator() {
        let e =
            assert_error("device.trustType -equals \"ServerAD\"", "unknown operator `-equals`", "-equals", 0);
        assert_eq!(e.suggestion(), Some("-eq"));
        let e = assert_error("device.trustType == \"ServerAD\"", "unknown operator `==`", "==", 0);
        assert_eq!(e.suggestion(), Some("-eq"));
        let e = assert_error("device.model -startwith \"x\"", "unknown operator", "-startwith", 0);
        assert_eq!(e.suggestion(), Some("-startsWith"));
        let e = assert_error("device.model -notequal \"x\"", "unknown operator", "-notequal", 0);
        assert_eq!(e.suggestion(), Some("-ne"));
        let e = assert_error(
            "device.trustType \u{2013}eq \"ServerAD\"",
            "unknown operator `\u{2013}eq`: it starts with",
            "\u{2013}eq",
            0,
        );
        assert_eq!(e.suggestion(), Some("-eq"));
        let e = assert_error("device.model -frobnicate \"x\"", "unknown operator", "-frobnicate", 0);
        assert_eq!(e.suggestion(), None);
        assert_error(
            "device.displayName -match \"^Da\"",
            "operator `-match` is not supported in filters for devices",
            "-match",
            0,
        );
        assert_error(
            "device.physicalIds -any _ -startsWith \"[ZTDId]\"",
            "operator `-any` is not supported",
            "-any",
            0,
        );
        assert_error("device.model -not \"x\"", "misplaced `-not`", "-not", 0);
        assert_error("device.model", "missing operator after `device.model`", "device.model", 0);
        assert_error("device.model \"x\"", "missing operator after `device.model`", "device.model", 0);
        assert_error(
            "device.model -and device.x",
            "missing operator after `device.model`",
            "device.model",
            0,
        );
    }

    #[test]
    fn error_operator_not_supported_for_attribute() {
        let e = assert_error(
            "device.isCompliant -startsWith \"T\"",
            "operator `-startsWith` is not supported for `isCompliant`",
            "-startsWith",
            0,
        );
        assert_eq!(
            e.message,
            "operator `-startsWith` is not supported for `isCompliant`; use `-eq` or `-ne`"
        );
        assert_error(
            "device.trustType -in [\"AzureAD\"]",
            "operator `-in` is not supported for `trustType`",
            "-in",
            0,
        );
        assert_error(
            "device.profileType -notIn [\"Printer\"]",
            "operator `-notIn` is not supported for `profileType`",
            "-notIn",
            0,
        );
        let e = assert_error(
            "device.deviceId -contains \"a\"",
            "operator `-contains` is not supported for `deviceId`",
            "-contains",
            0,
        );
        assert!(e.message.ends_with("use `-eq`, `-ne`, `-in` or `-notIn`"), "{}", e.message);
        assert_error(
            "device.physicalIds -eq \"x\"",
            "operator `-eq` is not supported for `physicalIds`",
            "-eq",
            0,
        );
        assert_error(
            "device.systemLabels -startsWith \"x\"",
            "operator `-startsWith` is not supported for `systemLabels`",
            "-startsWith",
            0,
        );
    }

    #[test]
    fn error_missing_value() {
        assert_error("device.model -eq", "missing value after `-eq`", "-eq", 0);
        assert_error("(device.model -eq)", "missing value after `-eq`", "-eq", 0);
        assert_error("device.model -eq -and device.model -eq \"x\"", "missing value after `-eq`", "-eq", 0);
        assert_error("device.model -in", "missing value after `-in`", "-in", 0);
        assert_error("device.model -in [\"a\",]", "missing value after `,`", ",", 0);
        assert_error("device.model -in [\"a\" \"b\"]", "missing `,` between list values", "\"b\"", 0);
    }

    #[test]
    fn error_unterminated_string() {
        let rule = "device.model -eq \"Surface";
        let e = fail(rule);
        assert_eq!((e.start, e.end), (17, rule.len()));
        assert_eq!(e.message, "unterminated string: missing closing `\"`");
        let rule = "device.model -eq 'it''s";
        let e = fail(rule);
        assert_eq!((e.start, e.end), (17, rule.len()));
        let rule = "device.model -eq \"a`\"";
        assert_eq!(fail(rule).start, 17);
    }

    #[test]
    fn error_unbalanced_parentheses() {
        assert_error("(device.model -eq \"a\"", "unbalanced parentheses: `(` is never closed", "(", 0);
        assert_error("((device.model -eq \"a\")", "unbalanced parentheses: `(` is never closed", "(", 0);
        assert_error("device.model -eq \"a\")", "unbalanced parentheses: unmatched `)`", ")", 0);
        assert_error(") device.model -eq \"a\"", "unbalanced parentheses: unmatched `)`", ")", 0);
        assert_error("()", "empty parentheses", "()", 0);
        assert_error(
            "(device.model -eq \"a\" device.x)",
            "unexpected `device.x`; expected `-and`, `-or` or `)`",
            "device.x",
            0,
        );
        assert_error("device.model -in [\"a\"", "unterminated list", "[", 0);
        assert_error("device.model -in []", "empty list", "[]", 0);
    }

    #[test]
    fn error_wrong_value_type() {
        let e =
            assert_error("device.isCompliant -eq \"yes\"", "value `\"yes\"` is not a boolean", "\"yes\"", 0);
        assert_eq!(e.message, "value `\"yes\"` is not a boolean: `isCompliant` takes `true` or `false`");
        assert_error("device.isCompliant -eq yes", "unquoted value `yes`", "yes", 0);
        assert_error(
            "device.trustType -eq true",
            "value `true` is not a string: `trustType` takes a quoted string",
            "true",
            0,
        );
        assert_error(
            "device.trustType -eq ServerAD",
            "unquoted value `ServerAD`: string values must be in double quotes",
            "ServerAD",
            0,
        );
        assert_error("device.model -eq 5", "unquoted value `5`", "5", 0);
        assert_error("device.model -eq \u{201c}X1\u{201d}", "curly quotes", "\u{201c}X1\u{201d}", 0);
        let e = assert_error(
            "device.model -eq [\"a\", \"b\"]",
            "a list cannot be used with `-eq`",
            "[\"a\", \"b\"]",
            0,
        );
        assert!(e.message.ends_with("use `-in` to compare with a list"), "{}", e.message);
        assert_error(
            "device.model -contains [\"a\"]",
            "a list cannot be used with `-contains`",
            "[\"a\"]",
            0,
        );
        assert_error("device.model -in \"a\"", "value `\"a\"` is not a list: `-in` takes a list", "\"a\"", 0);
        assert_error("device.model -in [\"a\", b]", "unquoted value `b`", "b", 0);
        assert_error(
            "device.model -in [\"a\", null]",
            "expected a quoted string in the list, found `null`",
            "null",
            0,
        );
        assert_error(
            "device.model -contains null",
            "value `null` can only be used with `-eq` or `-ne`",
            "null",
            0,
        );
        assert_error("device.model -in null", "value `null` can only be used with `-eq` or `-ne`", "null", 0);
        assert_error("device.model -eq (\"a\")", "expected a value after `-eq`, found `(`", "(", 0);
    }

    #[test]
    fn error_trailing_input() {
        assert_error(
            "device.model -eq \"a\" device.model -eq \"b\"",
            "unexpected `device.model`; expected `-and`, `-or` or the end of the rule",
            "device.model",
            1,
        );
        assert_error("device.model -eq \"a\" \"b\"", "unexpected `\"b\"`", "\"b\"", 0);
        let e = assert_error(
            "device.model -eq \"a\" && device.model -eq \"b\"",
            "unknown logical operator `&&`",
            "&&",
            0,
        );
        assert_eq!(e.suggestion(), Some("-and"));
        let e = assert_error(
            "device.model -eq \"a\" -adn device.model -eq \"b\"",
            "unknown logical operator `-adn`",
            "-adn",
            0,
        );
        assert_eq!(e.suggestion(), Some("-and"));
        assert_error("device.model -eq \"a\" -eq \"b\"", "unexpected `-eq`", "-eq", 1);
    }

    #[test]
    fn error_missing_condition() {
        assert_error("device.model -eq \"a\" -and", "missing condition after `-and`", "-and", 0);
        assert_error("device.model -eq \"a\" -or )", "missing condition after `-or`", "-or", 0);
        assert_error("-and device.model -eq \"a\"", "missing condition before `-and`", "-and", 0);
        assert_error(
            "device.model -eq \"a\" -and -or device.model -eq \"b\"",
            "missing condition after `-and`",
            "-and",
            0,
        );
        assert_error("-not", "missing condition after `-not`", "-not", 0);
        assert_error("\"a\"", "expected a condition, found `\"a\"`", "\"a\"", 0);
        assert_error("SAW", "expected a condition, found `SAW`", "SAW", 0);
    }

    #[test]
    fn error_empty_rule() {
        for rule in ["", "   ", "\n\t"] {
            let e = fail(rule);
            assert_eq!(e.message, "empty rule");
            assert_eq!((e.start, e.end), (0, rule.len()));
        }
    }

    #[test]
    fn nesting_limit() {
        let inner = "device.model -eq \"a\"";
        let at_limit = format!("{}{inner}{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(m(&at_limit, &device(&[("model", text("a"))])));
        let over = format!("{}{inner}{}", "(".repeat(MAX_NESTING + 1), ")".repeat(MAX_NESTING + 1));
        let e = fail(&over);
        assert_eq!((e.start, e.end), (MAX_NESTING, MAX_NESTING + 1));
        assert_eq!(e.message, "parentheses nested deeper than 64 levels");
        let deep = format!("{}{inner}{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(fail(&deep).start, MAX_NESTING);
        let nots = format!("{}{inner}", "-not ".repeat(10_000));
        assert!(fail(&nots).message.starts_with("too many nested `-not`"));
        let ok_nots = format!("{}{inner}", "-not ".repeat(MAX_NESTING));
        assert!(m(&ok_nots, &device(&[("model", text("a"))])));
    }

    #[test]
    fn huge_inputs_do_not_crash() {
        const TEN_MB: usize = 10 * 1024 * 1024;
        let _ = fail(&"(".repeat(TEN_MB));
        let _ = fail(&")".repeat(TEN_MB));
        let _ = fail(&"[".repeat(TEN_MB));
        let _ = fail(&"\"".repeat(TEN_MB + 1));
        let word = "a".repeat(TEN_MB);
        let e = fail(&word);
        assert!(e.message.chars().count() < 200, "message should truncate user input");
        let e = fail(&format!("device.{word} -eq \"x\""));
        assert_eq!(e.suggestion(), None);
        let e = fail(&format!("device.model -eq \"{word}"));
        assert_eq!(e.end, TEN_MB + 18);
        let long_value = ok(&format!("device.model -eq \"{word}\""));
        assert!(long_value.matches(&device(&[("model", text(&word))])));
        let clause = "device.model -eq \"a\" -or ";
        let many = format!("{}device.model -eq \"b\"", clause.repeat(TEN_MB / clause.len()));
        let r = ok(&many);
        assert!(r.matches(&device(&[("model", text("b"))])));
        assert!(!r.matches(&device(&[("model", text("c"))])));
        assert_eq!(r.attributes(), vec!["model"]);
        let dangling = clause.repeat(TEN_MB / clause.len());
        assert!(fail(&dangling).message.starts_with("missing condition after `-or`"));
        let list = format!("device.model -in [{}\"z\"]", "\"a\",".repeat(TEN_MB / 4));
        assert!(ok(&list).matches(&device(&[("model", text("Z"))])));
        let _ = fail(&"-not (".repeat(TEN_MB / 6));
        let _ = fail(&"\u{2013}".repeat(TEN_MB / 3));
    }

    #[test]
    fn random_rules_never_panic() {
        let pieces = [
            "device.",
            "model",
            "trustType",
            "isCompliant",
            "physicalIds",
            " ",
            "-eq",
            "-in",
            "-not",
            "-and",
            "-or",
            "(",
            ")",
            "[",
            "]",
            ",",
            "\"",
            "'",
            "`",
            "x",
            "true",
            "null",
            "\u{2013}",
            "\u{e9}",
            "\u{feff}",
            "\n",
            "-contains",
            "\"a\"",
            "'b'",
            "device.model",
            "device.isCompliant",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let d = device(&[("model", text("a")), ("isCompliant", DeviceValue::Bool(true))]);
        for _ in 0..5_000 {
            let len = (next() % 24) as usize;
            let mut rule = String::new();
            for _ in 0..len {
                rule.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            match parse(&rule) {
                Ok(r) => {
                    let _ = r.matches(&d);
                    let _ = r.matches(&unregistered());
                    let _ = r.attributes();
                    let _ = r.warnings();
                }
                Err(e) => {
                    assert!(e.start <= e.end && e.end <= rule.len(), "{rule:?}: {e:?}");
                    assert!(rule.get(e.start..e.end).is_some(), "{rule:?}: {e:?}");
                    assert!(!e.message.is_empty());
                    let first = e.message.chars().next().unwrap_or('A');
                    assert!(!first.is_uppercase(), "{}", e.message);
                    let _ = e.suggestion();
                }
            }
        }
    }

    #[test]
    fn device_set_canonicalises_and_checks_types() {
        let mut d = Device { registered: true, ..Device::default() };
        assert_eq!(d.set("TRUSTTYPE", text("AzureAD")), Ok(()));
        assert_eq!(d.set("device.extensionattribute7", text("x")), Ok(()));
        assert_eq!(d.set("isCompliant", text("True")), Ok(()));
        assert_eq!(d.props.get("trustType"), Some(&text("AzureAD")));
        assert_eq!(d.props.get("extensionAttribute7"), Some(&text("x")));
        assert_eq!(d.props.get("isCompliant"), Some(&DeviceValue::Bool(true)));
        assert_eq!(d.value("trusttype"), Some(&text("AzureAD")));
        let err = d.set("trustTyp", text("x")).err().unwrap_or_default();
        assert_eq!(err, "unknown device attribute `trustTyp`; did you mean `trustType`?");
        assert!(d.set("isCompliant", text("yes")).is_err());
        assert!(d.set("physicalIds", text("x")).is_err());
        assert!(d.set("model", DeviceValue::Bool(true)).is_err());
        assert!(d.set("physicalIds", list(&["a"])).is_ok());
        // Hand-built props with non-canonical keys are still found.
        let mut raw = Device { registered: true, ..Device::default() };
        raw.props.insert("TrustType".to_string(), text("ServerAD"));
        assert!(m("device.trustType -eq \"ServerAD\"", &raw));
    }

    #[test]
    fn warnings() {
        let r = ok(r#"device.trustType -eq "AzureADJoined" -or device.trustType -eq "azuread""#);
        let w = r.warnings();
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].message,
            "undocumented `trustType` value `AzureADJoined`; documented values are `AzureAD`, `ServerAD`, `Workplace`"
        );
        assert_eq!((w[0].start, w[0].end), (21, 36));
        let w = ok(r#"device.profileType -eq "Priner""#).warnings();
        assert_eq!(w.first().and_then(|e| e.suggestion()), Some("Printer"));
        assert_eq!(ok(r#"device.deviceId -in ["not-a-guid"]"#).warnings().len(), 1);
        assert_eq!(ok(r#"device.model -contains """#).warnings().len(), 1);
        assert!(ok(r#"device.model -eq """#).warnings().is_empty());
    }

    #[test]
    fn display_and_edit_distance() {
        let e = fail("device.trustTyp -eq \"x\"");
        assert_eq!(e.to_string(), e.message);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("TrustType", "trusttype"), 0);
        assert_eq!(show("a\u{0}b\u{feff}"), "a\\0b\\u{feff}");
    }
}
