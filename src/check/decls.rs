//! Checks of the inventory declarations: tenant, directory objects, named locations, the
//! combined-registration preview and authentication methods.

use std::collections::HashMap;
use std::net::IpAddr;

use super::{Checker, MAX_RANGES, words};
use crate::catalog;
use crate::diagnostic::Error;
use crate::ir;
use crate::span::{FileId, Loc, Spanned};
use crate::suggest;
use crate::syntax::ast::{self, Decl, ObjectKind, PreviewScope, RefKind};

impl Checker<'_> {
    pub(super) fn check_decls(&mut self, files: &[ast::File]) {
        // Tenant first: the methods check needs the edition wherever it is declared.
        let mut tenant_loc: Option<Loc> = None;
        for (index, tree) in files.iter().enumerate() {
            let file = FileId(index as u32);
            for decl in &tree.decls {
                if let Decl::Tenant(t) = decl {
                    let loc = Loc { file, span: t.span };
                    if let Some(first) = tenant_loc {
                        self.duplicate_declaration(file, "tenant", loc, first);
                        continue;
                    }
                    tenant_loc = Some(loc);
                    self.tenant(file, t);
                }
            }
        }
        let mut ids: HashMap<(ObjectKind, String), String> = HashMap::new();
        let mut preview_loc: Option<Loc> = None;
        let mut methods_loc: Option<Loc> = None;
        for (index, tree) in files.iter().enumerate() {
            let file = FileId(index as u32);
            for decl in &tree.decls {
                match decl {
                    // Only the first declaration of a name is checked; duplicates were reported.
                    Decl::Object(o) if self.is_first(&o.name.node, file, o.span) => {
                        self.object(file, o, &mut ids);
                    }
                    Decl::Location(l) if self.is_first(&l.name.node, file, l.span) => {
                        self.location(file, l);
                    }
                    Decl::Preview(p) => {
                        let loc = Loc { file, span: p.span };
                        if p.feature.node != "combined_registration" {
                            self.err(
                                file,
                                Error::UnknownValue {
                                    what: "preview feature".into(),
                                    value: p.feature.node.clone(),
                                    span: p.feature.span.into(),
                                    expected: "`combined_registration`".into(),
                                    help: suggest::did_you_mean(&p.feature.node, ["combined_registration"]),
                                },
                            );
                            continue;
                        }
                        if let Some(first) = preview_loc {
                            self.duplicate_declaration(file, "preview combined_registration", loc, first);
                            continue;
                        }
                        preview_loc = Some(loc);
                        self.preview(file, p);
                        // Later diagnostics point at the scope, not the whole block.
                        if let Some(scope) = &p.enabled_for {
                            self.spans.preview = Some(Loc { file, span: scope.span });
                        }
                    }
                    Decl::Methods(m) => {
                        let loc = Loc { file, span: m.span };
                        if let Some(first) = methods_loc {
                            self.duplicate_declaration(file, "methods", loc, first);
                            continue;
                        }
                        methods_loc = Some(loc);
                        self.methods(file, m);
                    }
                    _ => {}
                }
            }
        }
        if self.spans.preview.is_none() {
            self.spans.preview = preview_loc;
        }
    }

    fn is_first(&self, name: &str, file: FileId, span: crate::span::Span) -> bool {
        self.symbols.get(name).is_some_and(|s| s.loc == Loc { file, span })
    }

    fn duplicate_declaration(&mut self, file: FileId, what: &str, loc: Loc, first: Loc) {
        let (first_span, help) = self.first_label(file, first);
        self.err(
            file,
            Error::DuplicateDeclaration {
                what: what.to_owned(),
                span: loc.span.into(),
                first: first_span,
                help,
            },
        );
    }

    fn tenant(&mut self, file: FileId, t: &ast::TenantDecl) {
        if let Some(edition) = &t.edition
            && let Some(value) = self.word(file, edition, "edition", words::EDITIONS)
        {
            self.program.tenant.edition = Some(value);
            self.edition = Some((value, Loc { file, span: edition.span }));
        }
        if let Some(id) = &t.id {
            self.guid(file, id, "tenant id");
            self.program.tenant.id = Some(id.node.clone());
        }
        self.program.tenant.domain = t.domain.as_ref().map(|d| d.node.clone());
    }

    fn object(&mut self, file: FileId, o: &ast::ObjectDecl, ids: &mut HashMap<(ObjectKind, String), String>) {
        if let (Some(builtin), Some(id)) = (&o.builtin, &o.id) {
            self.err(
                file,
                Error::InvalidValue {
                    field: "id".into(),
                    expected: "either `builtin` or `id`, not both".into(),
                    span: id.span.into(),
                    help: Some(format!("`builtin(\"{}\")` already gives the id", builtin.node)),
                },
            );
            return;
        }
        let name = o.name.node.clone();
        let display_name = o.display_name.as_ref().map(|d| d.node.clone());
        if let Some(id) = &o.id {
            match o.kind {
                ObjectKind::AuthContext => {
                    if !words::is_auth_context_id(&id.node) {
                        self.err(
                            file,
                            Error::InvalidId {
                                what: "authentication context id".into(),
                                value: id.node.clone(),
                                span: id.span.into(),
                                expected: "`c1` to `c99`".into(),
                            },
                        );
                    }
                }
                ObjectKind::CustomControl => {}
                kind => self.guid(file, id, &format!("{} id", kind.keyword())),
            }
            let key = (o.kind, id.node.to_lowercase());
            if let Some(other) = ids.get(&key) {
                self.err(
                    file,
                    Error::DuplicateId {
                        kind: o.kind.keyword().into(),
                        id: id.node.clone(),
                        name: name.clone(),
                        other: other.clone(),
                        span: id.span.into(),
                    },
                );
            } else {
                ids.insert(key, name.clone());
            }
        }
        let id = o.id.as_ref().map(|s| s.node.clone());
        match o.kind {
            ObjectKind::Group => self.program.groups.push(ir::Group {
                name,
                id,
                display_name,
                emergency_access: o.emergency_access.is_some(),
            }),
            ObjectKind::User => {
                let user_type = match &o.user_type {
                    Some(t) => {
                        self.word(file, t, "user type", words::USER_TYPES).unwrap_or(ir::UserType::Member)
                    }
                    None => ir::UserType::Member,
                };
                let member_of = o
                    .member_of
                    .iter()
                    .filter_map(|g| self.resolve(file, g, RefKind::Object(ObjectKind::Group)))
                    .map(|r| r.name)
                    .collect();
                let roles = o
                    .roles
                    .iter()
                    .filter_map(|r| self.resolve(file, r, RefKind::Object(ObjectKind::Role)))
                    .map(|r| r.name)
                    .collect();
                self.program.users.push(ir::User {
                    name,
                    id,
                    upn: o.upn.as_ref().map(|u| u.node.clone()),
                    display_name,
                    user_type,
                    member_of,
                    roles,
                    emergency_access: o.emergency_access.is_some(),
                });
            }
            ObjectKind::Role => {
                let (template_id, display_name, builtin) = match (&o.builtin, &o.id) {
                    (Some(b), _) => match catalog::role_by_name(&b.node) {
                        Some(role) => (role.template_id.to_owned(), Some(role.name.to_owned()), true),
                        None => {
                            let help = suggest::did_you_mean(&b.node, catalog::ROLES.iter().map(|r| r.name));
                            self.err(
                                file,
                                Error::UnknownBuiltinRole { name: b.node.clone(), span: b.span.into(), help },
                            );
                            return;
                        }
                    },
                    (None, Some(id)) => {
                        let catalogue_name = catalog::role_by_id(&id.node).map(|r| r.name.to_owned());
                        (id.node.to_lowercase(), display_name.or(catalogue_name), false)
                    }
                    (None, None) => {
                        self.missing_id(file, o, "`builtin(\"Global Administrator\")` or `id = \"...\"`");
                        return;
                    }
                };
                // Keep the symbol's id in step with the catalogue so references resolve to it.
                if let Some(symbol) = self.symbols.get_mut(&name) {
                    symbol.id = Some(template_id.clone());
                }
                self.program.roles.push(ir::Role { name, template_id, display_name, builtin });
            }
            ObjectKind::App => {
                let object = match &o.builtin {
                    Some(b) => match catalog::app_by_name(&b.node) {
                        Some(app) => ir::Object {
                            name: name.clone(),
                            id: Some(app.app_id.to_owned()),
                            display_name: Some(app.name.to_owned()),
                        },
                        None => {
                            let help = suggest::did_you_mean(&b.node, catalog::APPS.iter().map(|a| a.name));
                            self.err(
                                file,
                                Error::UnknownBuiltinApp { name: b.node.clone(), span: b.span.into(), help },
                            );
                            return;
                        }
                    },
                    None => {
                        if o.id.is_none() {
                            self.missing_id(file, o, "`= \"<app id>\"` or `builtin(\"...\")`");
                            return;
                        }
                        let catalogue_name =
                            id.as_deref().and_then(catalog::app_by_id).map(|a| a.name.to_owned());
                        ir::Object {
                            name: name.clone(),
                            id: id.map(|i| i.to_lowercase()),
                            display_name: display_name.or(catalogue_name),
                        }
                    }
                };
                if let Some(symbol) = self.symbols.get_mut(&name) {
                    symbol.id.clone_from(&object.id);
                }
                self.program.apps.push(object);
            }
            ObjectKind::AuthStrength => {
                let strength = match &o.builtin {
                    Some(b) => match catalog::strength_by_name(&b.node) {
                        Some(s) => ir::AuthStrength {
                            name: name.clone(),
                            id: Some(s.id.to_owned()),
                            display_name: Some(s.name.to_owned()),
                            builtin: true,
                        },
                        None => {
                            let help = suggest::did_you_mean(
                                &b.node,
                                catalog::AUTH_STRENGTHS.iter().map(|s| s.name),
                            );
                            self.err(
                                file,
                                Error::UnknownBuiltinStrength {
                                    name: b.node.clone(),
                                    span: b.span.into(),
                                    help,
                                },
                            );
                            return;
                        }
                    },
                    None => {
                        if o.id.is_none() {
                            self.missing_id(
                                file,
                                o,
                                "`builtin(\"Phishing-resistant MFA\")` or `id = \"...\"`",
                            );
                            return;
                        }
                        let builtin = id.as_deref().and_then(catalog::strength_by_id);
                        ir::AuthStrength {
                            name: name.clone(),
                            display_name: display_name.or(builtin.map(|s| s.name.to_owned())),
                            builtin: builtin.is_some(),
                            id,
                        }
                    }
                };
                if let Some(symbol) = self.symbols.get_mut(&name) {
                    symbol.id.clone_from(&strength.id);
                }
                self.program.auth_strengths.push(strength);
            }
            kind => {
                if o.id.is_none() && kind == ObjectKind::AuthContext {
                    self.missing_id(file, o, "`= \"c1\"`");
                    return;
                }
                let object = ir::Object { name, id, display_name };
                match kind {
                    ObjectKind::AuthContext => self.program.auth_contexts.push(object),
                    ObjectKind::TermsOfUse => self.program.terms_of_use.push(object),
                    ObjectKind::CustomControl => self.program.custom_controls.push(object),
                    _ => self.program.service_principals.push(object),
                }
            }
        }
    }

    fn missing_id(&mut self, file: FileId, o: &ast::ObjectDecl, how: &str) {
        self.err(
            file,
            Error::MissingField {
                field: "id".into(),
                context: format!("{} `{}`", o.kind.keyword(), o.name.node),
                span: o.name.span.into(),
                help: Some(format!("write {how}")),
            },
        );
    }

    fn location(&mut self, file: FileId, l: &ast::LocationDecl) {
        let name = l.name.node.clone();
        if let Some(id) = &l.id {
            self.guid(file, id, "location id");
        }
        let display_name = l.display_name.as_ref().map_or_else(|| name.clone(), |d| d.node.clone());
        let kind = match (l.ranges.first(), l.countries.first()) {
            // Only an id: a location that exists in the tenant and is managed elsewhere.
            (None, None) if l.id.is_some() => {
                for (option, span) in
                    [("include_unknown", l.include_unknown), ("lookup", l.lookup.as_ref().map(|i| i.span))]
                {
                    if let Some(span) = span {
                        self.err(
                            file,
                            Error::CountryOptionOnIpLocation { option: option.into(), span: span.into() },
                        );
                    }
                }
                ir::LocationKind::Unmanaged { trusted: l.trusted.is_some() }
            }
            (None, None) => {
                self.err(file, Error::EmptyLocation { name, span: l.name.span.into() });
                return;
            }
            (Some(range), Some(country)) => {
                self.err(
                    file,
                    Error::MixedLocation { name, span: country.span.into(), ranges: range.span.into() },
                );
                return;
            }
            (Some(_), None) => {
                for (option, span) in
                    [("include_unknown", l.include_unknown), ("lookup", l.lookup.as_ref().map(|i| i.span))]
                {
                    if let Some(span) = span {
                        self.err(
                            file,
                            Error::CountryOptionOnIpLocation { option: option.into(), span: span.into() },
                        );
                    }
                }
                if l.ranges.len() > MAX_RANGES {
                    let extra = &l.ranges[MAX_RANGES];
                    self.err(
                        file,
                        Error::TooManyRanges {
                            name: name.clone(),
                            count: l.ranges.len(),
                            limit: MAX_RANGES,
                            span: extra.span.into(),
                            limit_plus_one: MAX_RANGES + 1,
                        },
                    );
                }
                let ranges = l.ranges.iter().filter_map(|r| self.cidr(file, r)).collect();
                ir::LocationKind::Ip { trusted: l.trusted.is_some(), ranges }
            }
            (None, Some(_)) => {
                if let Some(span) = l.trusted {
                    self.err(file, Error::TrustedCountryLocation { name: name.clone(), span: span.into() });
                }
                let mut countries = Vec::new();
                for code in &l.countries {
                    if catalog::country_name(&code.node).is_some() {
                        countries.push(code.node.clone());
                    } else {
                        self.unknown_country(file, code);
                    }
                }
                let lookup = match &l.lookup {
                    Some(word) => self
                        .word(file, word, "country lookup", words::LOOKUPS)
                        .unwrap_or(ir::CountryLookup::ClientIp),
                    None => ir::CountryLookup::ClientIp,
                };
                ir::LocationKind::Country { countries, include_unknown: l.include_unknown.is_some(), lookup }
            }
        };
        self.program.locations.push(ir::Location {
            name,
            id: l.id.as_ref().map(|i| i.node.clone()),
            display_name,
            kind,
        });
    }

    pub(super) fn unknown_country(&mut self, file: FileId, code: &ast::Ident) {
        let upper = code.node.to_uppercase();
        // Every two-letter word is one edit away from some code, so edit distance suggests
        // noise; only case and the common non-ISO aliases get a suggestion.
        let alias = match upper.as_str() {
            "UK" => Some("GB"),
            "EL" => Some("GR"),
            "EN" => Some("GB"),
            _ => None,
        };
        let help = if code.node != upper && catalog::country_name(&upper).is_some() {
            Some(format!("country codes are upper case: `{upper}`"))
        } else if let Some(alias) = alias {
            Some(format!("the ISO 3166-1 code is `{alias}`"))
        } else {
            catalog::COUNTRIES
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(&code.node))
                .map(|(c, name)| format!("{name} is `{c}`"))
        };
        self.err(file, Error::UnknownCountry { code: code.node.clone(), span: code.span.into(), help });
    }

    /// Validate one CIDR range; returns its canonical form.
    fn cidr(&mut self, file: FileId, range: &Spanned<String>) -> Option<ir::Cidr> {
        let text = range.node.as_str();
        if let Some((ip, prefix)) = ir::Cidr::parse_ipv4_fast(text)
            && prefix > 8
            && let Some(cidr) = ir::Cidr::new(ip.into(), prefix)
            && cidr.network == std::net::IpAddr::V4(ip)
        {
            return Some(cidr);
        }
        let Some((address, prefix)) = text.split_once('/') else {
            let help = text.parse::<IpAddr>().ok().map(|ip| {
                let bits = if ip.is_ipv4() { 32 } else { 128 };
                format!("a single address is written `{text}/{bits}`")
            });
            self.err(
                file,
                Error::InvalidCidr {
                    text: text.into(),
                    span: range.span.into(),
                    reason: "no `/prefix`".into(),
                    help,
                },
            );
            return None;
        };
        let Ok(ip) = address.parse::<IpAddr>() else {
            self.err(
                file,
                Error::InvalidCidr {
                    text: text.into(),
                    span: range.span.into(),
                    reason: format!("`{address}` is not an IP address"),
                    help: None,
                },
            );
            return None;
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix.parse::<u8>() {
            Ok(p) if p <= max => p,
            _ => {
                self.err(
                    file,
                    Error::InvalidCidr {
                        text: text.into(),
                        span: range.span.into(),
                        reason: format!("the prefix must be 0 to {max}"),
                        help: None,
                    },
                );
                return None;
            }
        };
        if prefix <= 8 {
            self.err(file, Error::CidrTooBroad { text: text.into(), span: range.span.into(), prefix });
            return None;
        }
        let cidr = ir::Cidr::new(ip, prefix)?;
        if cidr.network != ip {
            self.err(
                file,
                Error::HostBitsSet {
                    text: text.into(),
                    canonical: cidr.to_string(),
                    span: range.span.into(),
                },
            );
        }
        Some(cidr)
    }

    fn preview(&mut self, file: FileId, p: &ast::PreviewDecl) {
        let Some(scope) = &p.enabled_for else { return };
        let scope = match &scope.node {
            PreviewScope::All => ir::RegistrationScope::All,
            PreviewScope::None => ir::RegistrationScope::None,
            PreviewScope::Group(g) => match self.resolve(file, g, RefKind::Object(ObjectKind::Group)) {
                Some(r) => ir::RegistrationScope::Group(r),
                None => return,
            },
        };
        self.program.combined_registration = Some(ir::CombinedRegistration { enabled_for: scope });
    }

    fn methods(&mut self, file: FileId, m: &ast::MethodsDecl) {
        let mut methods = ir::Methods { mfa: Vec::new(), sspr: Vec::new() };
        for (list, out, for_mfa) in [(&m.mfa, &mut methods.mfa, true), (&m.sspr, &mut methods.sspr, false)] {
            let Some(list) = list else { continue };
            // Email and security questions can reset a password but are not a second factor.
            let table: Vec<(&'static str, ir::Method)> = words::METHODS
                .iter()
                .copied()
                .filter(|(_, m)| !for_mfa || !matches!(m, ir::Method::Email | ir::Method::SecurityQuestions))
                .collect();
            let what = if for_mfa { "MFA method" } else { "authentication method" };
            for word in &list.node {
                let Some(method) = self.word(file, word, what, &table) else {
                    continue;
                };
                if method == ir::Method::VoiceCall
                    && let Some((edition, loc)) = self.edition
                    && matches!(edition, ir::Edition::Free | ir::Edition::Trial)
                {
                    let edition_word = if edition == ir::Edition::Free { "free" } else { "trial" };
                    self.err(
                        file,
                        Error::VoiceCallUnavailable {
                            edition: edition_word.into(),
                            span: word.span.into(),
                            edition_span: (loc.file == file).then_some(loc.span.into()),
                        },
                    );
                }
                out.push(method);
            }
        }
        self.program.methods = Some(methods);
    }
}
