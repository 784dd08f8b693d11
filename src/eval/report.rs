//! Reports of one evaluation: a readable trace for people, and JSON shaped like Graph's What If
//! response plus capol's combined decision.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::decision::{Decision, Effect, Experience, Outcome, cas_word, frequency_text};
use super::engine::{Engine, Env, Evaluation, Miss, PolicyResult, Reason, Why};
use super::graph;
use super::scenario::{Scenario, Target};
use super::signin::{Context, Identity, SignIn};
use crate::ir;

/// Everything a report shows.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// The scenario as given.
    pub scenario: &'a Scenario,
    /// The resolved sign-in.
    pub sign_in: &'a SignIn,
    /// The per-policy results.
    pub evaluation: &'a Evaluation,
    /// The combined decision.
    pub decision: &'a Decision,
    /// List only the policies that apply.
    pub applied_only: bool,
}

fn state_word(s: ir::PolicyState) -> &'static str {
    match s {
        ir::PolicyState::Enabled => "enabled",
        ir::PolicyState::Disabled => "disabled",
        ir::PolicyState::ReportOnly => "report-only",
    }
}

fn grant_text(p: &ir::Policy) -> String {
    let mut parts = Vec::new();
    match &p.grant {
        Some(ir::Grant::Block) => parts.push("block".to_owned()),
        Some(ir::Grant::Require { operator, controls }) => {
            let words: Vec<String> = controls.iter().map(ir::Control::word).collect();
            parts.push(match (words.as_slice(), operator) {
                ([one], _) => format!("grant {one}"),
                (_, ir::Operator::And) => format!("grant all({})", words.join(", ")),
                (_, ir::Operator::Or) => format!("grant any({})", words.join(", ")),
            });
        }
        None => {}
    }
    let s = &p.session;
    let mut session = Vec::new();
    if let Some(f) = &s.sign_in_frequency {
        session.push(format!("sign_in_frequency {}", frequency_text(f)));
    }
    if let Some(b) = s.persistent_browser {
        session.push(format!(
            "persistent_browser {}",
            if b == ir::PersistentBrowser::Never { "never" } else { "always" }
        ));
    }
    if let Some(c) = s.cloud_app_security {
        session.push(format!("cloud_app_security {}", cas_word(c)));
    }
    for (on, word) in [
        (s.app_enforced_restrictions, "app_enforced_restrictions"),
        (s.disable_resilience_defaults, "disable_resilience_defaults"),
        (s.secure_sign_in_session, "secure_sign_in_session"),
    ] {
        if on {
            session.push(word.to_owned());
        }
    }
    if !session.is_empty() {
        parts.push(format!("session {}", session.join(", ")));
    }
    parts.join("; ")
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Where the sign-in comes from, in words: `192.0.2.44, in no named location; country unknown`.
pub fn location_text(engine: &Engine, sign_in: &SignIn, env: &Env) -> String {
    let mut out = match sign_in.ip {
        None => "no IP address".to_owned(),
        Some(ip) => {
            let names = engine.location_names(env.ip_set);
            if names.is_empty() {
                format!("{ip}, in no named location")
            } else {
                let trusted = if engine.set_is_trusted(env.ip_set) { "trusted " } else { "" };
                let plural = if names.len() > 1 { "s" } else { "" };
                format!("{ip}, in {trusted}location{plural} {}", quoted(&names))
            }
        }
    };
    match sign_in.country {
        Some(c) => {
            let _ = write!(out, "; country {}", String::from_utf8_lossy(&c));
        }
        None => out.push_str("; country unknown"),
    }
    out
}

fn user_names_in(engine: &Engine, set: &ir::UserSet, sign_in: &SignIn) -> Vec<String> {
    let Some(p) = sign_in.principal() else { return Vec::new() };
    let mut out = Vec::new();
    if set.all {
        out.push("all users".to_owned());
    }
    if (set.all_guests || set.guests.as_ref().is_some_and(|g| g.types.contains(&p.user_type)))
        && p.user_type.is_guest()
    {
        out.push(format!("guests ({})", p.user_type.word()));
    }
    for u in &set.users {
        if p.user.is_some() && engine.user_index(&u.name) == p.user {
            out.push(format!("user {}", u.name));
        }
    }
    for g in &set.groups {
        if engine.group_index(&g.name).is_some_and(|i| p.groups.contains(i)) {
            out.push(format!("group {}", g.name));
        }
    }
    for r in &set.roles {
        if engine.role_index(&r.name).is_some_and(|i| p.roles.contains(i)) {
            out.push(format!("role {}", r.name));
        }
    }
    out
}

/// Why a policy does not apply, in words.
pub fn explain(engine: &Engine, policy: &ir::Policy, miss: Miss, sign_in: &SignIn, env: &Env) -> String {
    use Reason as R;
    use Why as W;
    let excluded = miss.why == W::Excluded;
    match (miss.reason, miss.why) {
        (R::PolicyNotEnabled, _) => "disabled: not evaluated".into(),
        (R::InvalidPolicy, _) => "invalid: its device filter does not parse".into(),
        (R::UserActions, W::ReportOnlyUserAction) => {
            "user actions: report-only mode does not evaluate user actions".into()
        }
        (R::UserActions, W::LegacyRegistration) => {
            "user actions: the user is outside the combined registration preview and gets the legacy registration experience".into()
        }
        (R::WorkloadIdentities, W::OtherIdentity) => "users: the policy targets workload identities, not users".into(),
        (R::Users, W::OtherIdentity) => "users: the policy targets users, not workload identities".into(),
        (R::Users, W::Excluded) => {
            let by = user_names_in(engine, &policy.users.exclude, sign_in);
            if by.is_empty() { "users: excluded".into() } else { format!("users: excluded ({})", by.join(", ")) }
        }
        (R::Users, _) => "users: not included".into(),
        (R::WorkloadIdentities, W::Excluded) => "workload identities: excluded".into(),
        (R::WorkloadIdentities, _) => "workload identities: not included (or service principal risk not included)".into(),
        (R::Application | R::UserActions | R::AuthenticationContext, W::OtherContext) => {
            let (policy_kind, sign_in_kind) = (
                match miss.reason {
                    R::Application => "apps",
                    R::UserActions => "user actions",
                    _ => "authentication contexts",
                },
                match sign_in.context {
                    Context::App(_) => "an app",
                    Context::Action(_) => "a user action",
                    Context::AuthContext(_) => "an authentication context",
                },
            );
            format!("{}: the policy targets {policy_kind}; the sign-in is to {sign_in_kind}", reason_word(miss.reason))
        }
        (R::Application, _) => format!("application: the app is {}", if excluded { "excluded" } else { "not included" }),
        (R::UserActions, _) => "user actions: the policy targets another user action".into(),
        (R::AuthenticationContext, _) => "authentication context: not included".into(),
        (R::DevicePlatform, _) => {
            let platform = sign_in
                .platform
                .and_then(|p| super::scenario::PLATFORMS.iter().find(|(_, x)| *x == p))
                .map_or("an unknown platform".to_owned(), |(w, _)| format!("`{w}`"));
            format!("device platform: {platform} is {}", if excluded { "excluded" } else { "not included" })
        }
        (R::Devices, _) => {
            let unregistered = if sign_in.device.registered { "" } else { " (unregistered device: every property is null)" };
            if excluded {
                format!("devices: the device matches the exclude filter{unregistered}")
            } else {
                format!("devices: the device does not match the include filter{unregistered}")
            }
        }
        (R::ClientApps, _) => match sign_in.client {
            Some(c) => format!("client apps: `{}` is not included", c.word()),
            None => "client apps: no client app given, and the policy lists specific client apps".into(),
        },
        (R::Location, _) => format!(
            "location: {} (sign-in from {})",
            if excluded { "excluded" } else { "not in an included location" },
            location_text(engine, sign_in, env)
        ),
        (R::SignInRisk, _) => format!("sign-in risk: `{}` is not included", sign_in.sign_in_risk.word()),
        (R::UserRisk, _) => format!("user risk: `{}` is not included", sign_in.user_risk.word()),
        (R::InsiderRisk, _) => format!(
            "insider risk: `{}` is not included",
            match sign_in.insider_risk {
                None => "none",
                Some(ir::InsiderRisk::Minor) => "minor",
                Some(ir::InsiderRisk::Moderate) => "moderate",
                Some(ir::InsiderRisk::Elevated) => "elevated",
            }
        ),
        (R::AuthenticationFlow, _) => format!(
            "authentication flow: `{}` is not included",
            match sign_in.auth_flow {
                None => "none",
                Some(ir::AuthFlow::DeviceCode) => "device_code",
                Some(ir::AuthFlow::AuthTransfer) => "auth_transfer",
            }
        ),
    }
}

fn reason_word(r: Reason) -> &'static str {
    match r {
        Reason::Application => "application",
        Reason::UserActions => "user actions",
        _ => "authentication context",
    }
}

impl Report<'_> {
    fn target_text(&self) -> String {
        match &self.scenario.target {
            Some(Target::App(a)) => {
                let known = self
                    .engine
                    .program()
                    .apps
                    .iter()
                    .find(|x| x.name == *a || x.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(a)))
                    .map(|x| x.name.clone())
                    .or_else(|| crate::catalog::app_by_id(a).map(|x| x.name.to_owned()));
                match known {
                    Some(name) if name != *a => format!("app {a} ({name})"),
                    _ => format!("app {a}"),
                }
            }
            Some(Target::Action(a)) => format!("action {}", a.word()),
            Some(Target::AuthContext(c)) => format!("auth_context {c}"),
            None => "none".into(),
        }
    }

    fn identity_text(&self) -> String {
        match &self.sign_in.identity {
            Identity::ServicePrincipal(_) => {
                format!("service principal {}", self.scenario.service_principal.as_deref().unwrap_or("?"))
            }
            Identity::User(p) => {
                let who = self.scenario.user.as_deref().unwrap_or("(unnamed user)");
                format!("{who} ({})", p.user_type.word())
            }
        }
    }

    /// The readable trace.
    pub fn human(&self) -> String {
        let (e, s, ev, d) = (self.engine, self.sign_in, self.evaluation, self.decision);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "sign-in{}",
            self.scenario.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
        );
        let mut rows: Vec<(&str, String)> = vec![
            ("identity", self.identity_text()),
            ("target", self.target_text()),
            ("location", location_text(e, s, &ev.env)),
        ];
        rows.push((
            "platform",
            s.platform
                .and_then(|p| super::scenario::PLATFORMS.iter().find(|(_, x)| *x == p))
                .map_or("unknown".into(), |(w, _)| (*w).to_owned()),
        ));
        rows.push(("client app", s.client.map_or("unknown".into(), |c| c.word().to_owned())));
        let risks = format!(
            "sign-in {}, user {}{}",
            s.sign_in_risk.word(),
            s.user_risk.word(),
            s.insider_risk.map_or(String::new(), |r| format!(
                ", insider {}",
                match r {
                    ir::InsiderRisk::Minor => "minor",
                    ir::InsiderRisk::Moderate => "moderate",
                    ir::InsiderRisk::Elevated => "elevated",
                }
            ))
        );
        rows.push(("risk", risks));
        rows.push(("device", if s.device.registered { "registered".into() } else { "unregistered".into() }));
        for (k, v) in rows {
            let _ = writeln!(out, "  {k:<10} {v}");
        }
        let policies = e.policies();
        let applying = ev.applied.len();
        let _ = writeln!(
            out,
            "\npolicies: {applying} of {} apply{}",
            policies.len(),
            if self.applied_only { " (only those are listed)" } else { "" }
        );
        for (p, r) in policies.iter().zip(&ev.results) {
            match r {
                PolicyResult::Applies => {
                    let _ = writeln!(out, "  applies  {} [{}]", p.display_name, state_word(p.state));
                    let effect = grant_text(p);
                    if !effect.is_empty() {
                        let _ = writeln!(out, "           {effect}");
                    }
                }
                PolicyResult::NotApplies(m) if !self.applied_only => {
                    let _ = writeln!(out, "  -        {} [{}]", p.display_name, state_word(p.state));
                    let _ = writeln!(out, "           {}", explain(e, p, *m, s, &ev.env));
                }
                PolicyResult::NotApplies(_) => {}
            }
        }
        let _ = writeln!(out, "\ndecision: {}", d.outcome.word());
        match d.outcome {
            Outcome::Block => {
                let _ = writeln!(out, "  blocked by {}", d.blocked_by.join(", "));
            }
            Outcome::Grant => {
                let _ = writeln!(out, "  requires {}", d.requirements_text());
                for g in &d.requirements {
                    let _ = writeln!(out, "    {} from {}", g.text(), g.policies.join(", "));
                }
            }
            Outcome::Allow => {
                let _ = writeln!(
                    out,
                    "  {}",
                    if d.applied.is_empty() {
                        "no enforced policy applies"
                    } else {
                        "the applying policies add no grant requirement"
                    }
                );
            }
        }
        let ss = &d.session;
        if !ss.is_empty() {
            let _ = writeln!(out, "  session");
            if let Some(m) = &ss.sign_in_frequency {
                let _ = writeln!(
                    out,
                    "    sign_in_frequency {} from {}",
                    frequency_text(&m.value),
                    m.policies.join(", ")
                );
            }
            if let Some(m) = &ss.persistent_browser {
                let mode = if m.value == ir::PersistentBrowser::Never { "never" } else { "always" };
                let _ = writeln!(out, "    persistent_browser {mode} from {}", m.policies.join(", "));
            }
            if let Some(m) = &ss.cloud_app_security {
                let _ = writeln!(
                    out,
                    "    cloud_app_security {} from {}",
                    cas_word(m.value),
                    m.policies.join(", ")
                );
            }
            for (word, list) in [
                ("app_enforced_restrictions", &ss.app_enforced_restrictions),
                ("disable_resilience_defaults", &ss.disable_resilience_defaults),
                ("secure_sign_in_session", &ss.secure_sign_in_session),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(out, "    {word} from {}", list.join(", "));
                }
            }
        }
        if !d.report_only.is_empty() {
            let _ = writeln!(out, "\nreport-only (not enforced)");
            for r in &d.report_only {
                let effect = match &r.effect {
                    Effect::Block => "would block".to_owned(),
                    Effect::Grant(g) => format!("would require {}", g.text()),
                    Effect::Session => "would add session controls".to_owned(),
                };
                let _ = writeln!(out, "  {}: {effect}", r.policy);
            }
        }
        if let Some(r) = d.registration {
            let _ = writeln!(
                out,
                "\nregistration: {} experience",
                if r.experience == Experience::Combined { "combined" } else { "legacy" }
            );
        }
        if !d.notes.is_empty() {
            let _ = writeln!(out, "\nnotes");
            for n in &d.notes {
                let _ = writeln!(out, "  - {n}");
            }
        }
        out
    }

    /// Graph's What If response (`value`: one `whatIfAnalysisResult` per policy, or per applying
    /// policy) with capol's `decision`.
    pub fn json(&self) -> Value {
        let (e, ev) = (self.engine, self.evaluation);
        let program = e.program();
        let value: Vec<Value> = e
            .policies()
            .iter()
            .zip(&ev.results)
            .filter(|(_, r)| !self.applied_only || r.applies())
            .map(|(p, r)| {
                let mut item = graph::result_item(p, program, *r);
                if let (PolicyResult::NotApplies(m), Some(capol)) = (r, item.get_mut("capol")) {
                    capol["explanation"] = json!(explain(e, p, *m, self.sign_in, &ev.env));
                }
                item
            })
            .collect();
        json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)",
            "value": value,
            "decision": self.decision.to_json(),
        })
    }
}
