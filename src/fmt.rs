//! The canonical printer: any `ast::File` back to `.capol` text, in one layout per construct.
//!
//! INVARIANT: for every tree the parser can produce, parsing the printed text gives an equal
//! tree (equality ignores spans and comments), and printing is idempotent. The layout: two-space
//! indentation; a blank line between declarations, except between consecutive one-line object
//! declarations of the same kind; every `{ ... }` block on several lines (an empty one as `{}`);
//! settings in the order of the tree; comma lists on one line while they fit in
//! `MAX_WIDTH` columns, otherwise broken after a comma with a four-space continuation indent.
//!
//! Comments are not printed yet: the tree keeps them apart (`ast::File::comments`), and the
//! formatter will weave them back in.

use crate::syntax::ast::*;

/// Width after which comma lists are broken over several lines.
pub const MAX_WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Print a whole file as canonical `.capol` text, ending with a newline (empty for no
/// declarations).
pub fn print_file(file: &File) -> String {
    let mut out = String::new();
    let mut previous: Option<&Decl> = None;
    for decl in &file.decls {
        if let Some(prev) = previous {
            out.push('\n');
            if !(one_line_object(prev).is_some() && one_line_object(prev) == one_line_object(decl)) {
                out.push('\n');
            }
        }
        out.push_str(&print_decl(decl));
        previous = Some(decl);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Print one declaration, without a trailing newline.
pub fn print_decl(decl: &Decl) -> String {
    let mut p = Printer::default();
    match decl {
        Decl::Tenant(t) => p.tenant(t),
        Decl::Object(o) => p.object(o),
        Decl::Location(l) => p.location(l),
        Decl::Preview(d) => p.preview(d),
        Decl::Methods(m) => p.methods(m),
        Decl::Policy(d) => p.policy(d),
        Decl::Test(t) => p.test(t),
        Decl::Assert(a) => p.assert(a),
    }
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

fn ident_list(items: &[Ident]) -> Vec<String> {
    items.iter().map(|i| i.node.clone()).collect()
}

fn mode_word(mode: FilterMode) -> &'static str {
    match mode {
        FilterMode::Include => "include",
        FilterMode::Exclude => "exclude",
    }
}

/// Builds the text of one declaration line by line.
#[derive(Default)]
struct Printer {
    out: String,
    depth: usize,
}

impl Printer {
    fn finish(mut self) -> String {
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out
    }

    fn indent(&self) -> String {
        INDENT.repeat(self.depth)
    }

    fn line(&mut self, text: &str) {
        let indent = self.indent();
        self.out.push_str(&indent);
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `prefix a, b, c`, broken after commas when the line would be too wide.
    fn list_line(&mut self, prefix: &str, items: &[String], suffix: &str) {
        let indent = self.indent();
        let one = format!("{indent}{prefix}{}{suffix}", items.join(", "));
        if one.chars().count() <= MAX_WIDTH || items.len() < 2 {
            self.out.push_str(&one);
            self.out.push('\n');
            return;
        }
        let continuation = format!("{indent}    ");
        let mut current = format!("{indent}{prefix}");
        let mut first_on_line = true;
        for (i, item) in items.iter().enumerate() {
            let last = i + 1 == items.len();
            let piece = if last { format!("{item}{suffix}") } else { format!("{item},") };
            let candidate_len = current.chars().count() + usize::from(!first_on_line) + piece.chars().count();
            if !first_on_line && candidate_len > MAX_WIDTH {
                self.out.push_str(&current);
                self.out.push('\n');
                current = continuation.clone();
                first_on_line = true;
            }
            if !first_on_line {
                current.push(' ');
            }
            current.push_str(&piece);
            first_on_line = false;
        }
        self.out.push_str(&current);
        self.out.push('\n');
    }

    fn open(&mut self, head: &str) {
        self.line(&format!("{head} {{"));
        self.depth += 1;
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.line("}");
    }

    /// A block whose body is printed by `body`; `{}` when the body prints nothing.
    fn block(&mut self, head: &str, body: impl FnOnce(&mut Printer)) {
        let start = self.out.len();
        self.open(head);
        let after_open = self.out.len();
        body(self);
        if self.out.len() == after_open {
            self.out.truncate(start);
            self.depth = self.depth.saturating_sub(1);
            self.line(&format!("{head} {{}}"));
        } else {
            self.close();
        }
    }

    // --- declarations -------------------------------------------------------------------------

    fn tenant(&mut self, t: &TenantDecl) {
        self.block("tenant", |p| {
            if let Some(e) = &t.edition {
                p.line(&format!("edition = {}", e.node));
            }
            if let Some(id) = &t.id {
                p.line(&format!("id = {}", quote(&id.node)));
            }
            if let Some(d) = &t.domain {
                p.line(&format!("domain = {}", quote(&d.node)));
            }
        });
    }

    fn object(&mut self, o: &ObjectDecl) {
        let head = format!("{} {}", o.kind.keyword(), o.name.node);
        if let Some(short) = object_short_form(o) {
            self.line(&format!("{head} = {short}"));
            return;
        }
        self.block(&head, |p| {
            if let Some(b) = &o.builtin {
                p.line(&format!("builtin = builtin({})", quote(&b.node)));
            }
            if let Some(id) = &o.id {
                p.line(&format!("id = {}", quote(&id.node)));
            }
            if let Some(upn) = &o.upn {
                p.line(&format!("upn = {}", quote(&upn.node)));
            }
            if let Some(d) = &o.display_name {
                p.line(&format!("display_name = {}", quote(&d.node)));
            }
            if let Some(t) = &o.user_type {
                p.line(&format!("user_type = {}", t.node));
            }
            if !o.member_of.is_empty() {
                p.list_line("member_of = [", &ident_list(&o.member_of), "]");
            }
            if !o.roles.is_empty() {
                p.list_line("roles = [", &ident_list(&o.roles), "]");
            }
            if o.emergency_access.is_some() {
                p.line("emergency_access");
            }
        });
    }

    fn location(&mut self, l: &LocationDecl) {
        self.block(&format!("location {}", l.name.node), |p| {
            if let Some(id) = &l.id {
                p.line(&format!("id = {}", quote(&id.node)));
            }
            if let Some(d) = &l.display_name {
                p.line(&format!("display_name = {}", quote(&d.node)));
            }
            if l.trusted.is_some() {
                p.line("trusted");
            }
            if !l.ranges.is_empty() {
                let ranges: Vec<String> = l.ranges.iter().map(|r| r.node.clone()).collect();
                p.list_line("ip ", &ranges, "");
            }
            if !l.countries.is_empty() {
                p.list_line("countries ", &ident_list(&l.countries), "");
            }
            if l.include_unknown.is_some() {
                p.line("include_unknown");
            }
            if let Some(lookup) = &l.lookup {
                p.line(&format!("lookup = {}", lookup.node));
            }
        });
    }

    fn preview(&mut self, d: &PreviewDecl) {
        self.block(&format!("preview {}", d.feature.node), |p| {
            if let Some(scope) = &d.enabled_for {
                let value = match &scope.node {
                    PreviewScope::All => "all".to_owned(),
                    PreviewScope::None => "none".to_owned(),
                    PreviewScope::Group(g) => format!("group {}", g.node),
                };
                p.line(&format!("enabled_for = {value}"));
            }
        });
    }

    fn methods(&mut self, m: &MethodsDecl) {
        self.block("methods", |p| {
            for (key, list) in [("mfa", &m.mfa), ("sspr", &m.sspr)] {
                if let Some(list) = list {
                    p.list_line(&format!("{key} = ["), &ident_list(&list.node), "]");
                }
            }
        });
    }

    // --- policies -----------------------------------------------------------------------------

    fn policy(&mut self, d: &PolicyDecl) {
        self.block(&format!("policy {}", quote(&d.name.node)), |p| {
            for item in &d.items {
                p.policy_item(&item.node);
            }
        });
    }

    fn policy_item(&mut self, item: &PolicyItem) {
        match item {
            PolicyItem::Id(id) => self.line(&format!("id = {}", quote(&id.node))),
            PolicyItem::Description(d) => self.line(&format!("description = {}", quote(&d.node))),
            PolicyItem::State(s) => self.line(&format!("state = {}", s.node)),
            PolicyItem::ReportOnlySince(d) => self.line(&format!("report_only_since = {}", quote(&d.node))),
            PolicyItem::Contingency => self.line("contingency"),
            PolicyItem::Users(lines) => self.block("users", |p| {
                for line in lines {
                    p.include_exclude(&line.node, principal);
                }
            }),
            PolicyItem::ServicePrincipals(lines) => self.block("service_principals", |p| {
                for line in lines {
                    match &line.node {
                        ServicePrincipalItem::Include(refs) => p.list_line("include ", &sp_refs(refs), ""),
                        ServicePrincipalItem::Exclude(refs) => p.list_line("exclude ", &sp_refs(refs), ""),
                        ServicePrincipalItem::Filter(f) => p.line(&format!("filter {}", filter(f))),
                    }
                }
            }),
            PolicyItem::Target(kind, names) => {
                self.list_line(&format!("target {} ", kind.keyword()), &ident_list(names), "")
            }
            PolicyItem::ExcludeApps(names) => self.list_line("exclude apps ", &ident_list(names), ""),
            PolicyItem::AppFilter(f) => self.line(&format!("app_filter {}", filter(f))),
            PolicyItem::Locations(lines) => self.block("locations", |p| {
                for line in lines {
                    p.include_exclude(&line.node, |r: &LocationRef| match r {
                        LocationRef::Any => "any".to_owned(),
                        LocationRef::Trusted => "trusted".to_owned(),
                        LocationRef::Named(n) => n.node.clone(),
                    });
                }
            }),
            PolicyItem::Platforms(lines) => self.block("platforms", |p| {
                for line in lines {
                    p.include_exclude(&line.node, |i: &Ident| i.node.clone());
                }
            }),
            PolicyItem::ClientApps(list) => self.list_line("client_apps ", &ident_list(list), ""),
            PolicyItem::Risk(kind, list) => {
                self.list_line(&format!("{} ", kind.keyword()), &ident_list(list), "")
            }
            PolicyItem::DeviceFilter(f) => self.line(&format!("device_filter {}", filter(f))),
            PolicyItem::AuthFlows(list) => self.list_line("auth_flows ", &ident_list(list), ""),
            PolicyItem::Grant(g) => self.grant("grant ", g),
            PolicyItem::Session(items) => self.block("session", |p| {
                for item in items {
                    p.session_item(&item.node);
                }
            }),
        }
    }

    fn include_exclude<T>(&mut self, line: &IncludeExclude<T>, show: impl Fn(&T) -> String) {
        let (word, entries) = match line {
            IncludeExclude::Include(e) => ("include ", e),
            IncludeExclude::Exclude(e) => ("exclude ", e),
        };
        let items: Vec<String> = entries.iter().map(|e| show(&e.node)).collect();
        self.list_line(word, &items, "");
    }

    fn grant(&mut self, prefix: &str, g: &GrantExpr) {
        match g {
            GrantExpr::Block => self.line(&format!("{prefix}block")),
            GrantExpr::One(c) => self.line(&format!("{prefix}{}", control(&c.node))),
            GrantExpr::Any(list) | GrantExpr::All(list) => {
                let word = if matches!(g, GrantExpr::Any(_)) { "any" } else { "all" };
                let items: Vec<String> = list.iter().map(|c| control(&c.node)).collect();
                self.list_line(&format!("{prefix}{word}("), &items, ")");
            }
        }
    }

    fn session_item(&mut self, item: &SessionItem) {
        match item {
            SessionItem::SignInFrequency(f) => self.sign_in_frequency(f),
            SessionItem::PersistentBrowser(w) => self.line(&format!("persistent_browser = {}", w.node)),
            SessionItem::AppEnforcedRestrictions => self.line("app_enforced_restrictions"),
            SessionItem::CloudAppSecurity(w) => self.line(&format!("cloud_app_security = {}", w.node)),
            SessionItem::DisableResilienceDefaults => self.line("disable_resilience_defaults"),
            SessionItem::SecureSignInSession => self.line("secure_sign_in_session"),
        }
    }

    fn sign_in_frequency(&mut self, f: &SignInFrequency) {
        if !f.block_form && f.authentication.is_none() {
            match (&f.interval, &f.period) {
                (None, Some(period)) => {
                    self.line(&format!("sign_in_frequency = {}", period.node));
                    return;
                }
                (Some(word), None) if word.node == "every_time" => {
                    self.line("sign_in_frequency = every_time");
                    return;
                }
                _ => {}
            }
        }
        self.block("sign_in_frequency", |p| {
            if let Some(i) = &f.interval {
                p.line(&format!("interval = {}", i.node));
            }
            if let Some(period) = &f.period {
                p.line(&format!("period = {}", period.node));
            }
            if let Some(a) = &f.authentication {
                p.line(&format!("authentication = {}", a.node));
            }
        });
    }

    // --- tests and assertions -----------------------------------------------------------------

    fn test(&mut self, t: &TestDecl) {
        self.block(&format!("test {}", quote(&t.name.node)), |p| {
            for sign_in in &t.sign_ins {
                p.sign_in(&sign_in.node);
            }
            for expect in &t.expects {
                p.expectation(&expect.node);
            }
        });
    }

    fn sign_in(&mut self, s: &SignIn) {
        self.block("sign_in", |p| {
            let word = |p: &mut Printer, key: &str, value: &Option<Ident>| {
                if let Some(v) = value {
                    p.line(&format!("{key} = {}", v.node));
                }
            };
            word(p, "user", &s.user);
            for (key, list) in [("groups", &s.groups), ("roles", &s.roles)] {
                if let Some(list) = list {
                    p.list_line(&format!("{key} = ["), &ident_list(&list.node), "]");
                }
            }
            word(p, "user_type", &s.user_type);
            word(p, "app", &s.app);
            word(p, "action", &s.action);
            word(p, "auth_context", &s.auth_context);
            word(p, "service_principal", &s.service_principal);
            if let Some(ip) = &s.ip {
                let value = if is_bare_address(&ip.node) { ip.node.clone() } else { quote(&ip.node) };
                p.line(&format!("ip = {value}"));
            }
            word(p, "country", &s.country);
            word(p, "platform", &s.platform);
            word(p, "client_app", &s.client_app);
            word(p, "sign_in_risk", &s.sign_in_risk);
            word(p, "user_risk", &s.user_risk);
            word(p, "insider_risk", &s.insider_risk);
            word(p, "service_principal_risk", &s.service_principal_risk);
            word(p, "auth_flow", &s.auth_flow);
            if let Some(device) = &s.device {
                p.block("device", |p| {
                    for prop in &device.node {
                        let value = match &prop.value.node {
                            DeviceValueAst::Text(t) => quote(t),
                            DeviceValueAst::Bool(b) => b.to_string(),
                            DeviceValueAst::List(items) => {
                                let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
                                format!("[{}]", quoted.join(", "))
                            }
                        };
                        p.line(&format!("{} = {value}", prop.name.node));
                    }
                });
            }
        });
    }

    fn expectation(&mut self, e: &Expectation) {
        match e {
            Expectation::Block(None) => self.line("expect block"),
            Expectation::Block(Some(by)) => self.line(&format!("expect block by {}", quote(&by.node))),
            Expectation::Allow => self.line("expect allow"),
            Expectation::Grant(g) => self.grant("expect grant ", g),
            Expectation::Applies(n) => self.line(&format!("expect applies {}", quote(&n.node))),
            Expectation::NotApplies(n) => self.line(&format!("expect not applies {}", quote(&n.node))),
            Expectation::ReportOnly(n) => self.line(&format!("expect report_only {}", quote(&n.node))),
            Expectation::Session(name, value) => {
                let value = match value.as_ref().map(|v| &v.node) {
                    Some(SessionValue::Duration(d)) => format!(" {d}"),
                    Some(SessionValue::Word(w)) => format!(" {w}"),
                    None => String::new(),
                };
                self.line(&format!("expect session {}{value}", name.node));
            }
        }
    }

    fn assert(&mut self, a: &AssertDecl) {
        self.block(&format!("assert {}", quote(&a.name.node)), |p| {
            let quantifier = match a.quantifier.node {
                Quantifier::Never => "never",
                Quantifier::Always => "always",
            };
            let outcome = match &a.outcome.node {
                Outcome::Block => "block".to_owned(),
                Outcome::Allow => "allow".to_owned(),
                Outcome::Require(c) => format!("require {}", control(&c.node)),
            };
            let mut text = format!("{quantifier} {outcome}");
            for clause in &a.clauses {
                text.push(' ');
                text.push_str(&clause_text(&clause.node));
            }
            p.line(&text);
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

fn sp_refs(refs: &[crate::span::Spanned<SpRef>]) -> Vec<String> {
    refs.iter()
        .map(|r| match &r.node {
            SpRef::All => "all".to_owned(),
            SpRef::Named(n) => n.node.clone(),
        })
        .collect()
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
        Condition::TargetApps(apps) => format!("target apps {}", ident_list(apps).join(", ")),
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
        }
    }

    #[test]
    fn empty_file_prints_nothing() {
        assert_eq!(print_file(&File::default()), "");
    }
}
