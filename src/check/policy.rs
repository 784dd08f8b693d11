//! Checks of policies: every setting resolved and validated against Graph's rules, producing an
//! `ir::Policy` in source order.

use std::collections::BTreeMap;

use super::{Checker, MAX_FILTER_LEN, PolicySpans, words};
use crate::devfilter;
use crate::diagnostic::Error;
use crate::ir;
use crate::span::{FileId, Loc, Span, Spanned};
use crate::syntax::ast::{
    self, Control, Decl, FilterMode, GrantExpr, IncludeExclude, LocationRef, ObjectKind, PolicyItem,
    Principal, RefKind, RiskKind, ServicePrincipalItem, SessionItem, SpRef, TargetKind,
};

/// Settings that may be written several times in one policy and are merged.
const MERGED: &[&str] = &["target", "exclude apps"];

impl Checker<'_> {
    pub(super) fn check_policies(&mut self, files: &[ast::File]) {
        for (index, tree) in files.iter().enumerate() {
            let file = FileId(index as u32);
            for decl in &tree.decls {
                if let Decl::Policy(p) = decl
                    && self.policy_names.get(&p.name.node) == Some(&Loc { file, span: p.name.span })
                {
                    self.policy(file, p);
                }
            }
        }
    }

    fn policy(&mut self, file: FileId, p: &ast::PolicyDecl) {
        let name = p.name.node.clone();
        let mut spans = PolicySpans {
            decl: Loc { file, span: p.span },
            name: Loc { file, span: p.name.span },
            settings: BTreeMap::new(),
        };
        let mut policy = ir::Policy::unconditional(
            name.clone(),
            ir::PolicyState::Disabled,
            ir::Users::default(),
            ir::Target::Apps { include: ir::AppSet::default(), exclude: ir::AppSet::default(), filter: None },
        );
        let mut state_seen = false;
        let mut targets = Targets::default();
        let mut client_apps_set = false;
        for item in &p.items {
            let setting = item.node.setting();
            if let Some(first) = spans.settings.get(setting).copied() {
                if !MERGED.contains(&setting) {
                    self.err(
                        file,
                        Error::DuplicateSetting {
                            setting: setting.into(),
                            span: item.span.into(),
                            first: first.span.into(),
                        },
                    );
                    continue;
                }
            } else {
                spans.settings.insert(setting, Loc { file, span: item.span });
            }
            match &item.node {
                PolicyItem::Id(id) => {
                    self.guid(file, id, "policy id");
                    policy.id = Some(id.node.clone());
                }
                PolicyItem::Description(d) => policy.description = Some(d.node.clone()),
                PolicyItem::State(s) => {
                    state_seen = true;
                    if let Some(state) = self.word(file, s, "policy state", words::STATES) {
                        policy.state = state;
                    }
                }
                PolicyItem::ReportOnlySince(d) => {
                    if !is_date(&d.node) {
                        self.err(
                            file,
                            Error::InvalidValue {
                                field: "report_only_since".into(),
                                expected: "a date `YYYY-MM-DD`".into(),
                                span: d.span.into(),
                                help: None,
                            },
                        );
                    }
                    policy.report_only_since = Some(d.node.clone());
                }
                PolicyItem::Contingency => policy.contingency = true,
                PolicyItem::Users(lines) => policy.users = self.users(file, lines),
                PolicyItem::ServicePrincipals(lines) => {
                    policy.service_principals = Some(self.service_principals(file, lines))
                }
                PolicyItem::Target(kind, names) => targets.add(*kind, names, item.span),
                PolicyItem::ExcludeApps(names) => {
                    targets.exclude_apps.extend(names.iter().cloned());
                    targets.exclude_span.get_or_insert(item.span);
                }
                PolicyItem::AppFilter(f) => {
                    targets.app_filter = Some((self.filter(file, f, false), item.span))
                }
                PolicyItem::Locations(lines) => policy.locations = self.locations(file, lines, item.span),
                PolicyItem::Platforms(lines) => policy.platforms = self.platforms(file, lines, item.span),
                PolicyItem::ClientApps(list) => {
                    client_apps_set = true;
                    policy.client_apps = self.words_list(file, list, "client app type", words::CLIENT_APPS);
                }
                PolicyItem::Risk(kind, list) => match kind {
                    RiskKind::SignIn => {
                        policy.sign_in_risk = self.words_list(file, list, "risk level", words::RISK_LEVELS)
                    }
                    RiskKind::User => {
                        policy.user_risk = self.words_list(file, list, "risk level", words::RISK_LEVELS)
                    }
                    RiskKind::ServicePrincipal => {
                        policy.service_principal_risk =
                            self.words_list(file, list, "risk level", words::RISK_LEVELS);
                    }
                    RiskKind::Insider => {
                        policy.insider_risk =
                            self.words_list(file, list, "insider risk level", words::INSIDER_RISKS);
                    }
                },
                PolicyItem::DeviceFilter(f) => policy.device_filter = Some(self.filter(file, f, true)),
                PolicyItem::AuthFlows(list) => {
                    policy.auth_flows = self.words_list(file, list, "authentication flow", words::AUTH_FLOWS)
                }
                PolicyItem::Grant(g) => policy.grant = self.grant(file, g, item.span),
                PolicyItem::Session(items) => policy.session = self.session(file, items),
            }
        }
        if !state_seen && !self.incomplete(file) {
            self.err(file, Error::MissingState { name: name.clone(), span: p.name.span.into() });
        }
        // Only when nothing was written: included names that failed to resolve were reported.
        let includes_written = p.items.iter().any(|item| match &item.node {
            PolicyItem::Users(lines) => {
                lines.iter().any(|l| matches!(&l.node, IncludeExclude::Include(e) if !e.is_empty()))
            }
            PolicyItem::ServicePrincipals(lines) => {
                lines.iter().any(|l| matches!(&l.node, ServicePrincipalItem::Include(e) if !e.is_empty()))
            }
            _ => false,
        });
        let real_users = !policy.users.include.is_empty();
        if let (true, Some(_)) = (real_users, &policy.service_principals) {
            self.err(
                file,
                Error::UsersWithServicePrincipals {
                    span: spans.setting_or_decl("service_principals").span.into(),
                    users: spans.setting_or_decl("users").span.into(),
                },
            );
        }
        if !includes_written && !self.incomplete(file) {
            let span = spans.setting_or_decl("users").span;
            let span = if spans.settings.contains_key("users") { span } else { p.name.span };
            self.err(file, Error::PolicyWithoutUsers { name: name.clone(), span: span.into() });
        }
        if let Some(target) = self.target(file, &targets) {
            policy.target = target;
        } else if targets.is_empty() && !self.incomplete(file) {
            self.err(file, Error::PolicyWithoutTarget { name: name.clone(), span: p.name.span.into() });
        }
        if let (Some(_), ir::Target::AuthContexts { .. }) = (&policy.service_principals, &policy.target) {
            self.err(
                file,
                Error::MixedTargets {
                    other: "workload identities".into(),
                    span: spans.setting_or_decl("target").span.into(),
                    other_span: spans.setting_or_decl("service_principals").span.into(),
                },
            );
        }
        let controls_written = spans.settings.contains_key("grant") || spans.settings.contains_key("session");
        if policy.grant.is_none() && policy.session.is_empty() && !controls_written && !self.incomplete(file)
        {
            self.err(file, Error::PolicyWithoutControls { name: name.clone(), span: p.name.span.into() });
        }
        self.grant_restrictions(file, &policy, &spans, client_apps_set);
        self.registration_scope(file, &policy, &spans);
        self.spans.policies.insert(name, spans);
        self.program.policies.push(policy);
    }

    fn users(&mut self, file: FileId, lines: &[Spanned<IncludeExclude<Principal>>]) -> ir::Users {
        let mut users = ir::Users::default();
        let (mut first_include_guests, mut first_exclude_guests) = (None, None);
        for line in lines {
            match &line.node {
                IncludeExclude::Include(entries) => {
                    self.user_set(file, entries, true, &mut users.include, &mut first_include_guests);
                }
                IncludeExclude::Exclude(entries) => {
                    self.user_set(file, entries, false, &mut users.exclude, &mut first_exclude_guests);
                }
            }
        }

        let include = &users.include;
        if include.none
            && (include.all
                || include.all_guests
                || include.guests.is_some()
                || !include.users.is_empty()
                || !include.groups.is_empty()
                || !include.roles.is_empty())
        {
            if let Some(span) = find_principal(lines, true, |p| matches!(p, Principal::None)) {
                self.err(file, Error::NoneWithOthers { what: "users".into(), span: span.into() });
            }
        } else if include.all
            && let Some(span) = find_principal(lines, true, |p| !matches!(p, Principal::All))
        {
            self.err(file, Error::RedundantInclude { what: "user".into(), span: span.into() });
        }
        users
    }

    fn guests_conflict(&mut self, file: FileId, span: Span) {
        self.err(
            file,
            Error::InvalidSpecialValue {
                value: "guests".into(),
                place: "combined with `guests(...)` in one include list".into(),
                span: span.into(),
                help: Some("Graph rejects `GuestsOrExternalUsers` next to typed guests: keep `guests` for every guest, or `guests(...)` for some types".into()),
            },
        );
    }

    fn user_set(
        &mut self,
        file: FileId,
        entries: &[Spanned<Principal>],
        include: bool,
        set: &mut ir::UserSet,
        first_guests: &mut Option<Span>,
    ) {
        for entry in entries {
            match &entry.node {
                Principal::All | Principal::None if !include => {
                    let value = if matches!(entry.node, Principal::All) { "all" } else { "none" };
                    self.err(
                        file,
                        Error::InvalidSpecialValue {
                            value: value.into(),
                            place: "excluded from users".into(),
                            span: entry.span.into(),
                            help: Some("exclude specific users, groups, roles or guests".into()),
                        },
                    );
                }
                Principal::All => set.all = true,
                Principal::None => set.none = true,
                // Graph rejects the two forms together in an include (an error reported against
                // terraform-provider-azuread #1196); nothing says so for excludes.
                Principal::AllGuests => {
                    if include && set.guests.is_some() {
                        self.guests_conflict(file, entry.span);
                    }
                    set.all_guests = true;
                }
                Principal::Guests { types, tenants } => {
                    if include && set.all_guests {
                        self.guests_conflict(file, entry.span);
                    }
                    if let Some(first) = *first_guests {
                        self.err(
                            file,
                            Error::DuplicateSetting {
                                setting: "guests(...)".into(),
                                span: entry.span.into(),
                                first: first.into(),
                            },
                        );
                        continue;
                    }
                    *first_guests = Some(entry.span);
                    if set.guests.is_some() {
                        self.err(
                            file,
                            Error::DuplicateSetting {
                                setting: "guests(...)".into(),
                                span: entry.span.into(),
                                first: entries
                                    .iter()
                                    .find(|e| matches!(e.node, Principal::Guests { .. }))
                                    .map_or(entry.span, |e| e.span)
                                    .into(),
                            },
                        );
                        continue;
                    }
                    let mut guest_types: Vec<ir::UserType> = Vec::new();
                    for t in types {
                        let table = &words::USER_TYPES[1..];
                        if let Some(value) = self.word(file, t, "guest or external user type", table) {
                            guest_types.push(value);
                        }
                    }
                    guest_types.sort();
                    guest_types.dedup();
                    if types.is_empty() {
                        self.err(
                            file,
                            Error::MissingField {
                                field: "guest type".into(),
                                context: "`guests(...)`".into(),
                                span: entry.span.into(),
                                help: Some("name at least one type, e.g. `guests(b2b_collaboration_guest)`; `guests` alone means every guest or external user".into()),
                            },
                        );
                    }
                    let tenants = tenants.as_ref().map(|list| {
                        let mut ids: Vec<String> = list
                            .node
                            .iter()
                            .map(|id| {
                                self.guid(file, id, "tenant id");
                                id.node.to_lowercase()
                            })
                            .collect();
                        ids.sort();
                        ids.dedup();
                        ids
                    });
                    set.guests = Some(ir::Guests { types: guest_types, tenants });
                }
                Principal::Ref(kind, name) => {
                    match kind {
                        RefKind::Object(ObjectKind::User | ObjectKind::Group | ObjectKind::Role) => {}
                        other => {
                            self.err(
                                file,
                                Error::WrongKind {
                                    name: name.node.clone(),
                                    expected: "a user, group or role".into(),
                                    found: format!("{} reference", super::kind_with_article(*other)),
                                    span: entry.span.into(),
                                    declared: None,
                                    help: Some(
                                        "`users { ... }` takes `user`, `group` and `role` references".into(),
                                    ),
                                },
                            );
                            continue;
                        }
                    }
                    if let Some(r) = self.resolve(file, name, *kind) {
                        match kind {
                            RefKind::Object(ObjectKind::User) => set.users.push(r),
                            RefKind::Object(ObjectKind::Group) => set.groups.push(r),
                            _ => set.roles.push(r),
                        }
                    }
                }
            }
        }
    }

    fn service_principals(
        &mut self,
        file: FileId,
        lines: &[Spanned<ServicePrincipalItem>],
    ) -> ir::ServicePrincipals {
        let mut sps = ir::ServicePrincipals {
            include_all: false,
            include: Vec::new(),
            exclude: Vec::new(),
            filter: None,
        };
        for line in lines {
            match &line.node {
                ServicePrincipalItem::Include(refs) | ServicePrincipalItem::Exclude(refs) => {
                    let include = matches!(line.node, ServicePrincipalItem::Include(_));
                    for r in refs {
                        match &r.node {
                            SpRef::All if include => sps.include_all = true,
                            SpRef::All => self.err(
                                file,
                                Error::InvalidSpecialValue {
                                    value: "all".into(),
                                    place: "excluded from service principals".into(),
                                    span: r.span.into(),
                                    help: None,
                                },
                            ),
                            SpRef::Named(name) => {
                                if let Some(resolved) =
                                    self.resolve(file, name, RefKind::Object(ObjectKind::ServicePrincipal))
                                {
                                    if include {
                                        sps.include.push(resolved)
                                    } else {
                                        sps.exclude.push(resolved)
                                    }
                                }
                            }
                        }
                    }
                }
                ServicePrincipalItem::Filter(f) => sps.filter = Some(self.filter(file, f, false)),
            }
        }
        sps
    }

    fn target(&mut self, file: FileId, t: &Targets) -> Option<ir::Target> {
        let first_of = |kind: TargetKind| t.lines.iter().find(|(k, _, _)| *k == kind).map(|(_, _, s)| *s);
        let apps = first_of(TargetKind::Apps);
        let action = first_of(TargetKind::Action);
        let context = first_of(TargetKind::AuthContext);
        if let (Some(action), Some(apps)) = (action, apps) {
            self.err(file, Error::AppsWithUserAction { span: action.into(), apps: apps.into() });
            return None;
        }
        if let Some(context) = context
            && let Some((other, other_span)) =
                apps.map(|s| ("apps", s)).or(action.map(|s| ("user actions", s)))
        {
            self.err(
                file,
                Error::MixedTargets {
                    other: other.into(),
                    span: context.into(),
                    other_span: other_span.into(),
                },
            );
            return None;
        }
        if apps.is_none() {
            let stray = t
                .exclude_span
                .map(|s| (s, "exclude apps"))
                .or(t.app_filter.as_ref().map(|(_, s)| (*s, "app_filter")));
            if let Some((span, what)) = stray {
                self.err(
                    file,
                    Error::ExcludeWithoutInclude {
                        condition: what.into(),
                        span: span.into(),
                        help: Some(format!("`{what}` needs `target apps ...`")),
                    },
                );
                return None;
            }
        }
        if action.is_some() {
            let mut actions: Vec<ir::UserAction> = t
                .names(TargetKind::Action)
                .into_iter()
                .filter_map(|n| self.word(file, &n, "user action", words::USER_ACTIONS))
                .collect();
            actions.sort();
            actions.dedup();
            return Some(ir::Target::UserActions { actions });
        }
        if context.is_some() {
            let contexts = t
                .names(TargetKind::AuthContext)
                .into_iter()
                .filter_map(|n| self.resolve(file, &n, RefKind::Object(ObjectKind::AuthContext)))
                .collect();
            return Some(ir::Target::AuthContexts { contexts });
        }
        apps?;
        let include = self.app_set(file, &t.names(TargetKind::Apps), true);
        let exclude = self.app_set(file, &t.exclude_apps, false);
        Some(ir::Target::Apps { include, exclude, filter: t.app_filter.as_ref().map(|(f, _)| f.clone()) })
    }

    fn app_set(&mut self, file: FileId, names: &[ast::Ident], include: bool) -> ir::AppSet {
        let mut set = ir::AppSet::default();
        for name in names {
            match name.node.as_str() {
                "all" | "none" if !include => self.err(
                    file,
                    Error::InvalidSpecialValue {
                        value: name.node.clone(),
                        place: "excluded from apps".into(),
                        span: name.span.into(),
                        help: Some(
                            "Graph accepts only app ids, `office365` and `admin_portals` in excluded apps"
                                .into(),
                        ),
                    },
                ),
                "all" => set.all = true,
                "none" => set.none = true,
                "office365" => set.office365 = true,
                "admin_portals" => set.admin_portals = true,
                _ => {
                    if let Some(r) = self.resolve(file, name, RefKind::Object(ObjectKind::App)) {
                        set.apps.push(r);
                    }
                }
            }
        }
        if include
            && set.none
            && (set.all || set.office365 || set.admin_portals || !set.apps.is_empty())
            && let Some(none) = names.iter().find(|n| n.node == "none")
        {
            self.err(file, Error::NoneWithOthers { what: "apps".into(), span: none.span.into() });
        }
        set
    }

    fn locations(
        &mut self,
        file: FileId,
        lines: &[Spanned<IncludeExclude<LocationRef>>],
        span: Span,
    ) -> Option<ir::Locations> {
        let mut locations = ir::Locations::default();
        for line in lines {
            let (entries, include) = match &line.node {
                IncludeExclude::Include(e) => (e, true),
                IncludeExclude::Exclude(e) => (e, false),
            };
            let set = if include { &mut locations.include } else { &mut locations.exclude };
            let mut named = Vec::new();
            for entry in entries {
                match &entry.node {
                    LocationRef::Any if include => set.any = true,
                    LocationRef::Any => {
                        named.push(Err(Error::InvalidSpecialValue {
                            value: "any".into(),
                            place: "excluded from locations".into(),
                            span: entry.span.into(),
                            help: Some("to apply nowhere, remove the policy or disable it".into()),
                        }));
                    }
                    LocationRef::Trusted => set.trusted = true,
                    LocationRef::Named(name) => named.push(Ok(name.clone())),
                }
            }
            for item in named {
                match item {
                    Ok(name) => {
                        if let Some(r) = self.resolve(file, &name, RefKind::Location) {
                            let set = if include { &mut locations.include } else { &mut locations.exclude };
                            set.named.push(r);
                        }
                    }
                    Err(error) => self.err(file, error),
                }
            }
        }
        let include_written =
            lines.iter().any(|l| matches!(&l.node, IncludeExclude::Include(e) if !e.is_empty()));
        if !include_written {
            self.err(
                file,
                Error::ExcludeWithoutInclude {
                    condition: "locations".into(),
                    span: span.into(),
                    help: Some("add `include any` to exclude from every location".into()),
                },
            );
            return None;
        }
        if locations.include.named.is_empty() && !locations.include.any && !locations.include.trusted {
            // Every included name failed to resolve and was reported.
            return None;
        }
        Some(locations)
    }

    fn platforms(
        &mut self,
        file: FileId,
        lines: &[Spanned<IncludeExclude<ast::Ident>>],
        span: Span,
    ) -> Option<ir::Platforms> {
        let mut platforms = ir::Platforms::default();
        for line in lines {
            match &line.node {
                IncludeExclude::Include(e) => {
                    let words: Vec<ast::Ident> = e.iter().map(|s| s.node.clone()).collect();
                    platforms.include.extend(self.words_list(file, &words, "platform", words::PLATFORMS));
                }
                IncludeExclude::Exclude(e) => {
                    if let Some(all) = e.iter().find(|w| w.node.node == "all") {
                        self.err(
                            file,
                            Error::InvalidSpecialValue {
                                value: "all".into(),
                                place: "excluded from platforms".into(),
                                span: all.span.into(),
                                help: Some("exclude the platforms the policy must not apply to".into()),
                            },
                        );
                    }
                    let words: Vec<ast::Ident> = e.iter().map(|s| s.node.clone()).collect();
                    platforms.exclude.extend(self.words_list(file, &words, "platform", words::PLATFORMS));
                }
            }
        }
        let include_written =
            lines.iter().any(|l| matches!(&l.node, IncludeExclude::Include(e) if !e.is_empty()));
        if !include_written {
            self.err(
                file,
                Error::ExcludeWithoutInclude {
                    condition: "platforms".into(),
                    span: span.into(),
                    help: Some(
                        "Graph rejects excluded platforms without included ones; add `include all`".into(),
                    ),
                },
            );
            return None;
        }
        Some(platforms)
    }

    pub(super) fn words_list<T: Copy + Ord>(
        &mut self,
        file: FileId,
        list: &[ast::Ident],
        what: &str,
        table: &[(&'static str, T)],
    ) -> Vec<T> {
        let mut out: Vec<T> = list.iter().filter_map(|w| self.word(file, w, what, table)).collect();
        out.sort();
        out.dedup();
        out
    }

    fn filter(&mut self, file: FileId, f: &ast::Filter, device: bool) -> ir::Filter {
        let mode = match f.mode.node {
            FilterMode::Include => ir::FilterMode::Include,
            FilterMode::Exclude => ir::FilterMode::Exclude,
        };
        let rule = &f.rule.node;
        if rule.chars().count() > MAX_FILTER_LEN {
            // Label the opening quote: the whole rule would make a one-line excerpt of kilobytes.
            let quote = Span::new(f.rule.span.start as usize, f.rule.span.start as usize + 1);
            self.err(
                file,
                Error::FilterTooLong { len: rule.chars().count(), limit: MAX_FILTER_LEN, span: quote.into() },
            );
        } else if device && let Err(e) = devfilter::parse(rule) {
            let span = self.rule_span(file, f.rule.span, e.start, e.end);
            let help = e.suggestion().map(|s| format!("did you mean `{s}`?"));
            self.err(
                file,
                Error::InvalidDeviceFilter { message: e.message.clone(), span: span.into(), help },
            );
        }
        ir::Filter { mode, rule: rule.clone() }
    }

    /// Map a byte range of a decoded string back to the source, through its escapes.
    fn rule_span(&self, file: FileId, literal: Span, start: usize, end: usize) -> Span {
        let Some(raw) = self
            .sources
            .get(file)
            .and_then(|f| f.text.get(literal.start as usize + 1..(literal.end as usize).saturating_sub(1)))
        else {
            return literal;
        };
        let mut decoded = 0usize;
        let mut map = Vec::with_capacity(raw.len() + 1);
        let mut chars = raw.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let raw_start = literal.start as usize + 1 + i;
            let (decoded_len, _) = if c == '\\' {
                let next = chars.next().map_or('\\', |(_, n)| n);
                let out = match next {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                };
                (out.len_utf8(), ())
            } else {
                (c.len_utf8(), ())
            };
            for _ in 0..decoded_len {
                map.push(raw_start);
            }
            decoded += decoded_len;
        }
        map.push(literal.end as usize - 1);
        let at = |offset: usize| map.get(offset.min(decoded)).copied().unwrap_or(literal.start as usize);
        let (s, e) = (at(start), at(end));
        Span::new(s, e.max(s + 1).min(literal.end as usize))
    }

    fn grant(&mut self, file: FileId, g: &GrantExpr, span: Span) -> Option<ir::Grant> {
        let (operator, controls) = match g {
            GrantExpr::Block => return Some(ir::Grant::Block),
            GrantExpr::One(c) => (ir::Operator::Or, std::slice::from_ref(c)),
            GrantExpr::Any(list) => (ir::Operator::Or, list.as_slice()),
            GrantExpr::All(list) => (ir::Operator::And, list.as_slice()),
        };
        if controls.iter().any(|c| matches!(&c.node, Control::Builtin(w) if w.node == "block")) {
            if controls.len() == 1 {
                return Some(ir::Grant::Block);
            }
            self.err(file, Error::BlockWithControls { span: span.into() });
            return None;
        }
        let resolved = self.controls(file, controls)?;
        Some(ir::Grant::Require { operator, controls: resolved })
    }

    /// Resolve grant controls; `None` when any is invalid.
    pub(super) fn controls(
        &mut self,
        file: FileId,
        controls: &[Spanned<Control>],
    ) -> Option<Vec<ir::Control>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut strength_seen = false;
        for c in controls {
            let control = match &c.node {
                Control::Builtin(word) if word.node == "block" => {
                    self.err(
                        file,
                        Error::InvalidSpecialValue {
                            value: "block".into(),
                            place: "a required control".into(),
                            span: word.span.into(),
                            help: Some("blocking is an outcome, not a control: write `grant block`, `expect block` or `always block`".into()),
                        },
                    );
                    ok = false;
                    continue;
                }
                Control::Builtin(word) => {
                    let mut names = words::names(words::CONTROLS);
                    names.push("block");
                    match words::lookup(words::CONTROLS, &word.node) {
                        Some(control) => control,
                        None => {
                            let help = crate::suggest::did_you_mean(&word.node, names.iter().copied()).or_else(|| {
                                Some("references need their kind: `auth_strength name`, `terms_of_use name`, `custom_control name`".into())
                            });
                            self.err(
                                file,
                                Error::UnknownValue {
                                    what: "grant control".into(),
                                    value: word.node.clone(),
                                    span: word.span.into(),
                                    expected: crate::syntax::quote_alternatives(&names),
                                    help,
                                },
                            );
                            ok = false;
                            continue;
                        }
                    }
                }
                Control::Ref(
                    RefKind::Object(
                        kind
                        @ (ObjectKind::AuthStrength | ObjectKind::TermsOfUse | ObjectKind::CustomControl),
                    ),
                    name,
                ) => {
                    let Some(r) = self.resolve(file, name, RefKind::Object(*kind)) else {
                        ok = false;
                        continue;
                    };
                    match kind {
                        ObjectKind::AuthStrength => {
                            if strength_seen {
                                self.err(file, Error::MultipleAuthStrengths { span: c.span.into() });
                                ok = false;
                            }
                            strength_seen = true;
                            ir::Control::AuthStrength(r)
                        }
                        ObjectKind::TermsOfUse => ir::Control::TermsOfUse(r),
                        _ => ir::Control::CustomControl(r),
                    }
                }
                Control::Ref(kind, name) => {
                    self.err(
                        file,
                        Error::WrongKind {
                            name: name.node.clone(),
                            expected: "a grant control".into(),
                            found: format!("{} reference", super::kind_with_article(*kind)),
                            span: c.span.into(),
                            declared: None,
                            help: Some("grant controls are built-in words or `auth_strength`, `terms_of_use` and `custom_control` references".into()),
                        },
                    );
                    ok = false;
                    continue;
                }
            };
            if !out.contains(&control) {
                out.push(control);
            }
        }
        if strength_seen
            && let Some(mfa) =
                controls.iter().find(|c| matches!(&c.node, Control::Builtin(w) if w.node == "mfa"))
        {
            self.err(file, Error::MfaWithAuthStrength { span: mfa.span.into() });
            ok = false;
        }
        out.sort();
        ok.then_some(out)
    }

    fn session(&mut self, file: FileId, items: &[Spanned<SessionItem>]) -> ir::Session {
        let mut session = ir::Session::default();
        for item in items {
            match &item.node {
                SessionItem::SignInFrequency(f) => {
                    session.sign_in_frequency = self.sign_in_frequency(file, f, item.span)
                }
                SessionItem::PersistentBrowser(w) => {
                    session.persistent_browser =
                        self.word(file, w, "persistent browser mode", words::PERSISTENT_BROWSER);
                }
                SessionItem::AppEnforcedRestrictions => session.app_enforced_restrictions = true,
                SessionItem::CloudAppSecurity(w) => {
                    session.cloud_app_security =
                        self.word(file, w, "cloud app security mode", words::CLOUD_APP_SECURITY);
                }
                SessionItem::DisableResilienceDefaults => session.disable_resilience_defaults = true,
                SessionItem::SecureSignInSession => session.secure_sign_in_session = true,
            }
        }
        session
    }

    fn sign_in_frequency(
        &mut self,
        file: FileId,
        f: &ast::SignInFrequency,
        span: Span,
    ) -> Option<ir::SignInFrequency> {
        let every_time = match &f.interval {
            Some(word) => self.word(file, word, "sign-in frequency interval", words::INTERVALS)?,
            None if f.period.is_none() => {
                // The block form must say what it means; only `= every_time` is implicit.
                self.err(file, Error::SignInFrequencyWithoutPeriod { span: span.into() });
                return None;
            }
            None => false,
        };
        let authentication = match &f.authentication {
            Some(word) => self.word(file, word, "sign-in frequency authentication", words::FREQUENCY_AUTH)?,
            None => ir::FrequencyAuthentication::PrimaryAndSecondary,
        };
        let interval = if every_time {
            if let Some(period) = &f.period {
                self.err(file, Error::EveryTimeWithPeriod { span: period.span.into() });
                return None;
            }
            ir::FrequencyInterval::EveryTime
        } else {
            let Some(period) = &f.period else {
                self.err(file, Error::SignInFrequencyWithoutPeriod { span: span.into() });
                return None;
            };
            let (max, unit) = match period.node.unit {
                ast::DurationUnit::Hours => (23, ir::FrequencyUnit::Hours),
                ast::DurationUnit::Days => (365, ir::FrequencyUnit::Days),
            };
            if period.node.value == 0 || period.node.value > max {
                self.err(
                    file,
                    Error::SignInFrequencyOutOfRange {
                        value: period.node.to_string(),
                        span: period.span.into(),
                    },
                );
                return None;
            }
            ir::FrequencyInterval::TimeBased { value: period.node.value, unit }
        };
        Some(ir::SignInFrequency { interval, authentication })
    }

    /// Microsoft's documented restrictions on `password_change`, `risk_remediation` and the
    /// `register_device` user action.
    fn grant_restrictions(
        &mut self,
        file: FileId,
        policy: &ir::Policy,
        spans: &PolicySpans,
        client_apps_set: bool,
    ) {
        let grant_span = spans.setting_or_decl("grant").span;
        if let Some(ir::Grant::Require { operator, controls }) = &policy.grant {
            let has = |c: &ir::Control| controls.contains(c);
            let risk_control =
                [ir::Control::PasswordChange, ir::Control::RiskRemediation].into_iter().find(has);
            if has(&ir::Control::PasswordChange) && has(&ir::Control::RiskRemediation) {
                self.err(
                    file,
                    Error::PasswordChangeRestrictions {
                        reason: "cannot be combined with `risk_remediation`".into(),
                        span: grant_span.into(),
                    },
                );
            } else if let Some(control) = risk_control {
                let others: Vec<&ir::Control> = controls.iter().filter(|c| **c != control).collect();
                let mut reasons = Vec::new();
                if control == ir::Control::PasswordChange {
                    let paired =
                        others.iter().any(|c| matches!(c, ir::Control::Mfa | ir::Control::AuthStrength(_)));
                    if !paired || *operator != ir::Operator::And {
                        reasons.push("must be required together with `mfa` or an authentication strength: `grant all(mfa, password_change)`");
                    }
                }
                if control == ir::Control::PasswordChange
                    && others.iter().any(|c| !matches!(c, ir::Control::Mfa | ir::Control::AuthStrength(_)))
                {
                    reasons.push("can only be combined with `mfa` or an authentication strength");
                }
                if control == ir::Control::RiskRemediation {
                    let paired = others.iter().any(|c| matches!(c, ir::Control::AuthStrength(_)));
                    if !paired || *operator != ir::Operator::And || others.len() != 1 {
                        reasons.push("must be required together with one authentication strength: `grant all(risk_remediation, auth_strength s)`");
                    }
                }
                let all_apps = matches!(&policy.target, ir::Target::Apps { include, exclude, filter: None } if include.all && exclude.is_empty());
                if !all_apps {
                    reasons.push("needs `target apps all` without excluded apps");
                }
                if policy.user_risk.is_empty() {
                    reasons.push("needs a `user_risk` condition");
                }
                let extra = policy.locations.is_some()
                    || policy.platforms.is_some()
                    || client_apps_set
                    || !policy.sign_in_risk.is_empty()
                    || !policy.insider_risk.is_empty()
                    || !policy.service_principal_risk.is_empty()
                    || policy.device_filter.is_some()
                    || !policy.auth_flows.is_empty();
                if extra {
                    reasons.push("allows no conditions besides users, apps and user risk");
                }
                if !reasons.is_empty() {
                    let reason = reasons.join("; it ");
                    if control == ir::Control::PasswordChange {
                        self.err(file, Error::PasswordChangeRestrictions { reason, span: grant_span.into() });
                    } else {
                        self.err(
                            file,
                            Error::RiskRemediationRestrictions {
                                reason,
                                span: grant_span.into(),
                                help: Some("Graph requires `risk_remediation` with one authentication strength under `all(...)`, on all apps, with a user risk condition and no other conditions".into()),
                            },
                        );
                    }
                }
            }
        }
        let registers_device = matches!(&policy.target, ir::Target::UserActions { actions } if actions.contains(&ir::UserAction::RegisterDevice));
        if registers_device {
            let grant_ok = match &policy.grant {
                None => true,
                Some(ir::Grant::Block) => false,
                Some(ir::Grant::Require { controls, .. }) => {
                    controls.iter().all(|c| matches!(c, ir::Control::Mfa | ir::Control::AuthStrength(_)))
                }
            };
            if !grant_ok {
                self.err(
                    file,
                    Error::RegisterDeviceRestrictions { what: "this grant".into(), span: grant_span.into() },
                );
            }
            if client_apps_set {
                let span = spans.setting_or_decl("client_apps").span;
                self.err(
                    file,
                    Error::RegisterDeviceRestrictions {
                        what: "the client apps condition".into(),
                        span: span.into(),
                    },
                );
            }
            if policy.device_filter.is_some() {
                let span = spans.setting_or_decl("device_filter").span;
                self.err(
                    file,
                    Error::RegisterDeviceRestrictions { what: "a device filter".into(), span: span.into() },
                );
            }
        }
    }

    /// The seed's rule: register_security_info policies only apply to users who have the
    /// combined registration experience.
    fn registration_scope(&mut self, file: FileId, policy: &ir::Policy, spans: &PolicySpans) {
        let Some(preview) = &self.program.combined_registration else { return };
        let registers = matches!(&policy.target, ir::Target::UserActions { actions } if actions.contains(&ir::UserAction::RegisterSecurityInfo));
        if !registers {
            return;
        }
        let include = &policy.users.include;
        let (outside, scope) = match &preview.enabled_for {
            ir::RegistrationScope::All => return,
            ir::RegistrationScope::None => (!include.is_empty(), "nobody (`enabled_for = none`)".to_owned()),
            ir::RegistrationScope::Group(g) => {
                let only_group = !include.all
                    && !include.all_guests
                    && include.guests.is_none()
                    && include.users.is_empty()
                    && include.roles.is_empty()
                    && include.groups.iter().all(|x| x.name == g.name);
                (!only_group, format!("members of group `{}`", g.name))
            }
        };
        if outside {
            let preview_loc = self.spans.preview.filter(|l| l.file == file).map(|l| l.span.into());
            self.err(
                file,
                Error::RegistrationOutsidePreview {
                    name: policy.display_name.clone(),
                    scope,
                    span: spans.setting_or_decl("users").span.into(),
                    preview: preview_loc,
                },
            );
        }
    }
}

/// The targets of one policy, gathered before they are validated together.
#[derive(Default)]
struct Targets {
    lines: Vec<(TargetKind, Vec<ast::Ident>, Span)>,
    exclude_apps: Vec<ast::Ident>,
    exclude_span: Option<Span>,
    app_filter: Option<(ir::Filter, Span)>,
}

impl Targets {
    fn add(&mut self, kind: TargetKind, names: &[ast::Ident], span: Span) {
        self.lines.push((kind, names.to_vec(), span));
    }

    fn names(&self, kind: TargetKind) -> Vec<ast::Ident> {
        self.lines.iter().filter(|(k, _, _)| *k == kind).flat_map(|(_, n, _)| n.iter().cloned()).collect()
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.exclude_apps.is_empty() && self.app_filter.is_none()
    }
}

fn find_principal(
    lines: &[Spanned<IncludeExclude<Principal>>],
    include: bool,
    pred: impl Fn(&Principal) -> bool,
) -> Option<Span> {
    lines.iter().find_map(|line| match &line.node {
        IncludeExclude::Include(e) if include => e.iter().find(|p| pred(&p.node)).map(|p| p.span),
        IncludeExclude::Exclude(e) if !include => e.iter().find(|p| pred(&p.node)).map(|p| p.span),
        _ => None,
    })
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts.iter().zip([4, 2, 2]).all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && parts[2].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}
