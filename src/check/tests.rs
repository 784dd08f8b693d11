//! Checks of `test` and `assert` blocks: every name they mention resolves, every word is valid.

use super::{Checker, words};
use crate::catalog;
use crate::diagnostic::Error;
use crate::span::{FileId, Spanned};
use crate::suggest;
use crate::syntax::ast::{
    self, Condition, ConditionWord, Control, Decl, Expectation, GrantExpr, ObjectKind, Outcome, RefKind,
};

/// Session controls an expectation can name, with the words each accepts.
const SESSION_EXPECTATIONS: &[&str] = &[
    "sign_in_frequency",
    "persistent_browser",
    "app_enforced_restrictions",
    "cloud_app_security",
    "disable_resilience_defaults",
    "secure_sign_in_session",
];

impl Checker<'_> {
    pub(super) fn check_tests(&mut self, files: &[ast::File]) {
        for (index, tree) in files.iter().enumerate() {
            let file = FileId(index as u32);
            for decl in &tree.decls {
                match decl {
                    Decl::Test(t) => self.test(file, t),
                    Decl::Assert(a) => self.assertion(file, a),
                    _ => {}
                }
            }
        }
    }

    fn test(&mut self, file: FileId, t: &ast::TestDecl) {
        match t.sign_ins.as_slice() {
            [] => self
                .err(file, Error::TestWithoutSignIn { name: t.name.node.clone(), span: t.name.span.into() }),
            [first, rest @ ..] => {
                for extra in rest {
                    self.err(
                        file,
                        Error::DuplicateSetting {
                            setting: "sign_in".into(),
                            span: extra.span.into(),
                            first: first.span.into(),
                        },
                    );
                }
                self.sign_in(file, &first.node);
                let s = &first.node;
                if s.app.is_none() && s.action.is_none() && s.auth_context.is_none() {
                    // Point at the `sign_in` keyword, not the whole block.
                    let start = first.span.start as usize;
                    let end = (start + "sign_in".len()).min(first.span.end as usize);
                    let keyword = crate::span::Span::new(start, end);
                    self.err(
                        file,
                        Error::SignInWithoutTarget { name: t.name.node.clone(), span: keyword.into() },
                    );
                }
            }
        }
        if t.expects.is_empty() {
            self.err(
                file,
                Error::TestWithoutExpectation { name: t.name.node.clone(), span: t.name.span.into() },
            );
        }
        for e in &t.expects {
            match &e.node {
                Expectation::Block(Some(name))
                | Expectation::Applies(name)
                | Expectation::NotApplies(name)
                | Expectation::ReportOnly(name) => {
                    self.policy_ref(file, name);
                }
                Expectation::Block(None) | Expectation::Allow => {}
                Expectation::Grant(g) => self.expected_grant(file, g),
                Expectation::Session(name, value) => self.expected_session(file, name, value.as_ref()),
            }
        }
    }

    fn policy_ref(&mut self, file: FileId, name: &ast::Str) {
        if !self.policy_names.contains_key(&name.node) {
            let mut names: Vec<&str> = self.policy_names.keys().map(String::as_str).collect();
            names.sort_unstable();
            let help = suggest::did_you_mean(&name.node, names);
            self.err(file, Error::UnknownPolicy { name: name.node.clone(), span: name.span.into(), help });
        }
    }

    fn expected_grant(&mut self, file: FileId, g: &GrantExpr) {
        let controls: &[Spanned<Control>] = match g {
            GrantExpr::Block => return,
            GrantExpr::One(c) => std::slice::from_ref(c),
            GrantExpr::Any(list) | GrantExpr::All(list) => list,
        };
        let _ = self.controls(file, controls);
    }

    fn expected_session(
        &mut self,
        file: FileId,
        name: &ast::Ident,
        value: Option<&Spanned<ast::SessionValue>>,
    ) {
        if !SESSION_EXPECTATIONS.contains(&name.node.as_str()) {
            self.err(
                file,
                Error::UnknownValue {
                    what: "session control".into(),
                    value: name.node.clone(),
                    span: name.span.into(),
                    expected: crate::syntax::quote_alternatives(SESSION_EXPECTATIONS),
                    help: suggest::did_you_mean(&name.node, SESSION_EXPECTATIONS.iter().copied()),
                },
            );
            return;
        }
        let flag = matches!(
            name.node.as_str(),
            "app_enforced_restrictions" | "disable_resilience_defaults" | "secure_sign_in_session"
        );
        let Some(value) = value else {
            if !flag {
                self.err(
                    file,
                    Error::InvalidValue {
                        field: name.node.clone(),
                        expected: "a value".into(),
                        span: name.span.into(),
                        help: Some(format!(
                            "write e.g. `expect session {} {}`",
                            name.node,
                            example_value(&name.node)
                        )),
                    },
                );
            }
            return;
        };
        if flag {
            self.err(
                file,
                Error::InvalidValue {
                    field: name.node.clone(),
                    expected: "no value".into(),
                    span: value.span.into(),
                    help: Some(format!("`{}` is on or off: write `expect session {}`", name.node, name.node)),
                },
            );
            return;
        }
        match (&value.node, name.node.as_str()) {
            (ast::SessionValue::Duration(d), "sign_in_frequency") => {
                let max = if d.unit == ast::DurationUnit::Hours { 23 } else { 365 };
                if d.value == 0 || d.value > max {
                    self.err(
                        file,
                        Error::SignInFrequencyOutOfRange { value: d.to_string(), span: value.span.into() },
                    );
                }
            }
            (ast::SessionValue::Word(w), control) => {
                let w = Spanned::new(w.clone(), value.span);
                match control {
                    "persistent_browser" => {
                        let _ = self.word(file, &w, "persistent browser mode", words::PERSISTENT_BROWSER);
                    }
                    "cloud_app_security" => {
                        let _ = self.word(file, &w, "cloud app security mode", words::CLOUD_APP_SECURITY);
                    }
                    _ => {
                        let _ = self.word(file, &w, "sign-in frequency", &[("every_time", ())]);
                    }
                }
            }
            (ast::SessionValue::Duration(d), control) => self.err(
                file,
                Error::InvalidValue {
                    field: control.to_owned(),
                    expected: "a word".into(),
                    span: value.span.into(),
                    help: Some(format!(
                        "`{d}` is a duration; write e.g. `expect session {control} {}`",
                        example_value(control)
                    )),
                },
            ),
        }
    }

    fn sign_in(&mut self, file: FileId, s: &ast::SignIn) {
        if let Some(user) = &s.user {
            self.resolve(file, user, RefKind::Object(ObjectKind::User));
        }
        for g in s.groups.iter().flat_map(|l| l.node.iter()) {
            self.resolve(file, g, RefKind::Object(ObjectKind::Group));
        }
        for r in s.roles.iter().flat_map(|l| l.node.iter()) {
            self.resolve(file, r, RefKind::Object(ObjectKind::Role));
        }
        if let Some(t) = &s.user_type {
            let _ = self.word(file, t, "user type", words::USER_TYPES);
        }
        let targets: Vec<(&str, &ast::Ident)> =
            [("app", &s.app), ("action", &s.action), ("auth_context", &s.auth_context)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
                .collect();
        if let [(first, _), (second, ident), ..] = targets.as_slice() {
            self.err(
                file,
                Error::ConflictingSignInTarget {
                    what: "target".into(),
                    first: format!("`{first}`"),
                    second: format!("`{second}`"),
                    span: ident.span.into(),
                    help: Some("write one sign-in per test".into()),
                },
            );
        }
        if let (Some(_), Some(sp)) = (&s.user, &s.service_principal) {
            self.err(
                file,
                Error::ConflictingSignInTarget {
                    what: "identity".into(),
                    first: "`user`".into(),
                    second: "`service_principal`".into(),
                    span: sp.span.into(),
                    help: Some("a sign-in is made by a user or by a workload identity".into()),
                },
            );
        }
        if let Some(app) = &s.app {
            if words::BUILTIN_APPS.contains(&app.node.as_str()) {
                self.err(
                    file,
                    Error::InvalidSpecialValue {
                        value: app.node.clone(),
                        place: "the app of a sign-in".into(),
                        span: app.span.into(),
                        help: Some("a sign-in is to one application: declare it, e.g. `app exchange_online = builtin(\"Office 365 Exchange Online\")`, and use its name".into()),
                    },
                );
            } else {
                self.resolve(file, app, RefKind::Object(ObjectKind::App));
            }
        }
        if let Some(action) = &s.action {
            let _ = self.word(file, action, "user action", words::USER_ACTIONS);
        }
        if let Some(ctx) = &s.auth_context {
            self.resolve(file, ctx, RefKind::Object(ObjectKind::AuthContext));
        }
        if let Some(sp) = &s.service_principal {
            self.resolve(file, sp, RefKind::Object(ObjectKind::ServicePrincipal));
        }
        if let Some(ip) = &s.ip
            && ip.node.parse::<std::net::IpAddr>().is_err()
        {
            self.err(file, Error::InvalidIp { text: ip.node.clone(), span: ip.span.into() });
        }
        if let Some(country) = &s.country
            && catalog::country_name(&country.node).is_none()
        {
            self.unknown_country(file, country);
        }
        let single: [(&Option<ast::Ident>, &str, &[&'static str]); 6] = [
            (&s.platform, "platform", &words::names(words::PLATFORMS)[1..]),
            (&s.client_app, "client app type", &words::names(words::CLIENT_APPS)[1..]),
            (&s.sign_in_risk, "risk level", &words::names(words::RISK_LEVELS)),
            (&s.user_risk, "risk level", &words::names(words::RISK_LEVELS)),
            (&s.service_principal_risk, "risk level", &words::names(words::RISK_LEVELS)),
            (&s.auth_flow, "authentication flow", &words::names(words::AUTH_FLOWS)),
        ];
        for (value, what, allowed) in single {
            if let Some(v) = value {
                let table: Vec<(&'static str, ())> = allowed.iter().map(|w| (*w, ())).collect();
                let _ = self.word(file, v, what, &table);
            }
        }
        if let Some(v) = &s.insider_risk {
            let mut table: Vec<(&'static str, ())> = vec![("none", ())];
            table.extend(words::names(words::INSIDER_RISKS).into_iter().map(|w| (w, ())));
            let _ = self.word(file, v, "insider risk level", &table);
        }
        if let Some(device) = &s.device {
            let mut probe = crate::devfilter::Device::default();
            for prop in &device.node {
                let value = match &prop.value.node {
                    ast::DeviceValueAst::Text(t) => crate::devfilter::DeviceValue::Text(t.clone()),
                    ast::DeviceValueAst::Bool(b) => crate::devfilter::DeviceValue::Bool(*b),
                    ast::DeviceValueAst::List(l) => crate::devfilter::DeviceValue::List(l.clone()),
                };
                let name = crate::devfilter::snake_to_camel(&prop.name.node);
                if let Err(message) = probe.set(&name, value) {
                    let known = crate::devfilter::ATTRIBUTES.iter().any(|a| a.eq_ignore_ascii_case(&name));
                    let error = if known {
                        Error::InvalidValue {
                            field: prop.name.node.clone(),
                            expected: "a value of the attribute's type".into(),
                            span: prop.value.span.into(),
                            help: Some(message),
                        }
                    } else {
                        Error::UnknownField {
                            field: prop.name.node.clone(),
                            context: "a device".into(),
                            span: prop.name.span.into(),
                            help: Some(message),
                        }
                    };
                    self.err(file, error);
                }
            }
        }
    }

    fn assertion(&mut self, file: FileId, a: &ast::AssertDecl) {
        if let Outcome::Require(c) = &a.outcome.node {
            let _ = self.controls(file, std::slice::from_ref(c));
        }
        for clause in &a.clauses {
            match &clause.node.condition {
                Condition::Ref(kind, name) => {
                    if *kind == RefKind::Object(ObjectKind::App)
                        && words::BUILTIN_APPS.contains(&name.node.as_str())
                    {
                        continue;
                    }
                    self.resolve(file, name, *kind);
                }
                Condition::TargetApps(names) => {
                    for name in names {
                        if !words::BUILTIN_APPS.contains(&name.node.as_str()) {
                            self.resolve(file, name, RefKind::Object(ObjectKind::App));
                        }
                    }
                }
                Condition::Guests | Condition::Members | Condition::Trusted => {}
                Condition::Value(word, value) => match word {
                    ConditionWord::Action => {
                        let _ = self.word(file, value, "user action", words::USER_ACTIONS);
                    }
                    ConditionWord::Country => {
                        if catalog::country_name(&value.node).is_none() {
                            self.unknown_country(file, value);
                        }
                    }
                    ConditionWord::Platform => {
                        let _ = self.word(file, value, "platform", words::PLATFORMS);
                    }
                    ConditionWord::ClientApp => {
                        let _ = self.word(file, value, "client app type", words::CLIENT_APPS);
                    }
                    ConditionWord::SignInRisk | ConditionWord::UserRisk => {
                        let _ = self.word(file, value, "risk level", words::RISK_LEVELS);
                    }
                    ConditionWord::InsiderRisk => {
                        let _ = self.word(file, value, "insider risk level", words::INSIDER_RISKS);
                    }
                    ConditionWord::AuthFlow => {
                        let _ = self.word(file, value, "authentication flow", words::AUTH_FLOWS);
                    }
                },
            }
        }
    }
}

fn example_value(control: &str) -> &'static str {
    match control {
        "sign_in_frequency" => "4h",
        "persistent_browser" => "never",
        _ => "block_downloads",
    }
}
