//! The combined decision: what the applying policies together require of a sign-in.
//!
//! Microsoft documents (entra-ca-facts §4): block wins over everything (4); every applying
//! enabled policy must be satisfied, so grant requirements are ANDed across policies while each
//! policy's own operator combines its controls (3, 5); report-only policies are evaluated and
//! never enforced (6). Microsoft documents nothing on merging session controls (15); capol's
//! choices are marked "derived" or "choice" below and in `docs/eval.md`.

use serde_json::{Value, json};

use super::engine::{Engine, Env};
use super::signin::{Context, Identity, SignIn};
use crate::ir::{self, Control, Operator};

/// The outcome of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// An enforced policy blocks access.
    Block,
    /// Access once the requirements are met.
    Grant,
    /// Access with no requirement (session controls may still apply).
    Allow,
}

impl Outcome {
    /// The capol word.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Block => "block",
            Outcome::Grant => "grant",
            Outcome::Allow => "allow",
        }
    }
}

/// One policy's grant: its controls joined by its operator. Groups are ANDed together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementGroup {
    /// `and` (every control) or `or` (one of them); `and` for a single control.
    pub operator: Operator,
    /// The controls, in the policy's prompt order.
    pub controls: Vec<Control>,
    /// The policies requiring exactly this group.
    pub policies: Vec<String>,
}

impl RequirementGroup {
    /// `mfa`, `any(compliant_device, domain_joined_device)`, `all(mfa, terms_of_use tou)`.
    pub fn text(&self) -> String {
        let words: Vec<String> = self.controls.iter().map(Control::word).collect();
        match (words.as_slice(), self.operator) {
            ([one], _) => one.clone(),
            (_, Operator::And) => format!("all({})", words.join(", ")),
            (_, Operator::Or) => format!("any({})", words.join(", ")),
        }
    }
}

/// A merged session control and the policies it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged<T> {
    /// The effective value.
    pub value: T,
    /// The policies that set this value.
    pub policies: Vec<String>,
}

/// The session controls of the applying enforced policies, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// Sign-in frequency: the shortest wins (`every_time` is shortest); on equal periods,
    /// re-authenticating both factors wins. Derived from "all policies must be satisfied".
    pub sign_in_frequency: Option<Merged<ir::SignInFrequency>>,
    /// Persistent browser: `never` wins over `always` (choice: the stricter mode).
    pub persistent_browser: Option<Merged<ir::PersistentBrowser>>,
    /// Conditional Access App Control: the strictest of `monitor_only` < `block_downloads` <
    /// `mcas_configured` (choice).
    pub cloud_app_security: Option<Merged<ir::CloudAppSecurity>>,
    /// Policies enforcing app-enforced restrictions.
    pub app_enforced_restrictions: Vec<String>,
    /// Policies disabling resilience defaults.
    pub disable_resilience_defaults: Vec<String>,
    /// Policies requiring token protection.
    pub secure_sign_in_session: Vec<String>,
}

impl Session {
    /// True when no session control applies.
    pub fn is_empty(&self) -> bool {
        self == &Session::default()
    }
}

/// What a report-only policy would have done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Block.
    Block,
    /// Require these controls.
    Grant(RequirementGroup),
    /// Session controls only.
    Session,
}

/// A report-only policy that would have applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOnly {
    /// The policy.
    pub policy: String,
    /// Its effect, had it been enforced.
    pub effect: Effect,
}

/// Which security-info registration experience the user gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Experience {
    /// The combined experience, where `register_security_info` policies apply.
    Combined,
    /// The legacy experience (user outside the preview scope).
    Legacy,
}

/// The registration facts of a `register_security_info` sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// The experience.
    pub experience: Experience,
    /// For the legacy experience: whether the legacy page asks for MFA first, which it does when
    /// the combined experience was turned off after the user used it; `None` when unknown.
    pub legacy_page_requires_mfa: Option<bool>,
}

/// The combined decision for one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Block, grant or allow.
    pub outcome: Outcome,
    /// The enforced policies that block.
    pub blocked_by: Vec<String>,
    /// The requirement groups, ANDed (empty unless the outcome is `Grant`).
    pub requirements: Vec<RequirementGroup>,
    /// Session controls (empty when blocked).
    pub session: Session,
    /// Every enforced policy that applies.
    pub applied: Vec<String>,
    /// Report-only policies that would have applied, never enforced.
    pub report_only: Vec<ReportOnly>,
    /// Registration facts, for a `register_security_info` sign-in by a user.
    pub registration: Option<Registration>,
    /// Things the reader should know about this evaluation.
    pub notes: Vec<String>,
}

fn frequency_minutes(f: &ir::SignInFrequency) -> u64 {
    match f.interval {
        ir::FrequencyInterval::EveryTime => 0,
        ir::FrequencyInterval::TimeBased { value, unit: ir::FrequencyUnit::Hours } => u64::from(value) * 60,
        ir::FrequencyInterval::TimeBased { value, unit: ir::FrequencyUnit::Days } => u64::from(value) * 1440,
    }
}

fn frequency_key(f: &ir::SignInFrequency) -> (u64, u8) {
    let auth = match f.authentication {
        ir::FrequencyAuthentication::PrimaryAndSecondary => 0,
        ir::FrequencyAuthentication::Secondary => 1,
    };
    (frequency_minutes(f), auth)
}

fn cas_rank(c: ir::CloudAppSecurity) -> u8 {
    match c {
        ir::CloudAppSecurity::MonitorOnly => 0,
        ir::CloudAppSecurity::BlockDownloads => 1,
        ir::CloudAppSecurity::McasConfigured => 2,
    }
}

/// Keep the value with the smallest key; collect the policies that set that same value.
fn merge<T: Clone + PartialEq, K: Ord>(
    slot: &mut Option<Merged<T>>,
    value: &T,
    key: impl Fn(&T) -> K,
    policy: &str,
) {
    match slot {
        Some(m) if m.value == *value => m.policies.push(policy.to_owned()),
        Some(m) if key(value) >= key(&m.value) => {}
        _ => *slot = Some(Merged { value: value.clone(), policies: vec![policy.to_owned()] }),
    }
}

pub(crate) fn group_of(operator: Operator, controls: &[Control], policy: &str) -> RequirementGroup {
    let operator = if controls.len() == 1 { Operator::And } else { operator };
    RequirementGroup { operator, controls: controls.to_vec(), policies: vec![policy.to_owned()] }
}

pub(crate) fn same_group(a: &RequirementGroup, b: &RequirementGroup) -> bool {
    let mut x = a.controls.clone();
    let mut y = b.controls.clone();
    x.sort();
    y.sort();
    a.operator == b.operator && x == y
}

impl Decision {
    /// Combine the applying policies (`applied`, from an evaluation) of a sign-in.
    pub fn new(engine: &Engine, sign_in: &SignIn, applied: &[u32], env: &Env) -> Decision {
        let policies = engine.policies();
        let mut d = Decision {
            outcome: Outcome::Allow,
            blocked_by: Vec::new(),
            requirements: Vec::new(),
            session: Session::default(),
            applied: Vec::new(),
            report_only: Vec::new(),
            registration: None,
            notes: Vec::new(),
        };
        for p in applied.iter().filter_map(|&i| policies.get(i as usize)) {
            let name = p.display_name.as_str();
            match p.state {
                ir::PolicyState::ReportOnly => {
                    let effect = match &p.grant {
                        Some(ir::Grant::Block) => Effect::Block,
                        Some(ir::Grant::Require { operator, controls }) => {
                            Effect::Grant(group_of(*operator, controls, name))
                        }
                        None => Effect::Session,
                    };
                    d.report_only.push(ReportOnly { policy: name.to_owned(), effect });
                    continue;
                }
                ir::PolicyState::Disabled => continue,
                ir::PolicyState::Enabled => {}
            }
            d.applied.push(name.to_owned());
            match &p.grant {
                Some(ir::Grant::Block) => d.blocked_by.push(name.to_owned()),
                Some(ir::Grant::Require { operator, controls }) if !controls.is_empty() => {
                    let group = group_of(*operator, controls, name);
                    match d.requirements.iter_mut().find(|g| same_group(g, &group)) {
                        Some(existing) => existing.policies.push(name.to_owned()),
                        None => d.requirements.push(group),
                    }
                }
                _ => {}
            }
            let s = &p.session;
            if let Some(f) = &s.sign_in_frequency {
                merge(&mut d.session.sign_in_frequency, f, frequency_key, name);
            }
            if let Some(b) = &s.persistent_browser {
                // Never sorts first: the stricter mode wins.
                merge(&mut d.session.persistent_browser, b, |b| *b != ir::PersistentBrowser::Never, name);
            }
            if let Some(c) = &s.cloud_app_security {
                merge(&mut d.session.cloud_app_security, c, |c| std::cmp::Reverse(cas_rank(*c)), name);
            }
            for (on, list) in [
                (s.app_enforced_restrictions, &mut d.session.app_enforced_restrictions),
                (s.disable_resilience_defaults, &mut d.session.disable_resilience_defaults),
                (s.secure_sign_in_session, &mut d.session.secure_sign_in_session),
            ] {
                if on {
                    list.push(name.to_owned());
                }
            }
        }
        if !d.blocked_by.is_empty() {
            d.outcome = Outcome::Block;
            d.requirements.clear();
            d.session = Session::default();
        } else if !d.requirements.is_empty() {
            d.outcome = Outcome::Grant;
        }
        d.registration_facts(engine, sign_in, env);
        d.input_notes(engine, sign_in);
        d
    }

    fn registration_facts(&mut self, engine: &Engine, sign_in: &SignIn, env: &Env) {
        let (Context::Action(ir::UserAction::RegisterSecurityInfo), Identity::User(_)) =
            (sign_in.context, &sign_in.identity)
        else {
            return;
        };
        if env.combined_registration {
            self.registration =
                Some(Registration { experience: Experience::Combined, legacy_page_requires_mfa: None });
            return;
        }
        let scope = match engine.program().combined_registration.as_ref().map(|c| &c.enabled_for) {
            Some(ir::RegistrationScope::Group(g)) => format!("enabled for group `{}`", g.name),
            Some(ir::RegistrationScope::None) => "enabled for nobody".to_owned(),
            _ => "enabled for a scope".to_owned(),
        };
        self.notes.push(format!(
            "the user is outside the combined registration preview ({scope}): registering security info uses the legacy experience, which `register_security_info` policies do not govern"
        ));
        let mfa = sign_in.used_combined_registration;
        self.notes.push(match mfa {
            Some(true) => "the combined experience was turned off after this user used it: the legacy registration page (https://aka.ms/ssprsetup) requires multifactor authentication first".to_owned(),
            Some(false) => "the user never used the combined experience: the legacy registration page asks for no extra multifactor authentication".to_owned(),
            None => "if this user used the combined experience before it was turned off for them, the legacy registration page (https://aka.ms/ssprsetup) requires multifactor authentication first (set `used_combined_registration` to know)".to_owned(),
        });
        self.registration =
            Some(Registration { experience: Experience::Legacy, legacy_page_requires_mfa: mfa });
    }

    fn input_notes(&mut self, engine: &Engine, sign_in: &SignIn) {
        if sign_in.ip.is_none() && engine.has_named_location_conditions() {
            self.notes.push(
                "no IP address given: the sign-in is in no named or trusted location; only `include any` matches it"
                    .into(),
            );
        }
        if sign_in.country.is_none() && engine.has_country_locations() {
            self.notes.push(
                "no country given: country locations see an unknown country and match only with `include_unknown`"
                    .into(),
            );
        }
        let policy = |i: &u32| engine.policies().get(*i as usize);
        if let Context::App(app) = sign_in.context {
            if app.named_group {
                self.notes.push(format!(
                    "the sign-in names the app group `{}`, not one app: policies that include or exclude individual apps do not see it",
                    if app.office365 { "office365" } else { "admin_portals" }
                ));
            }
            for p in engine.app_filter_policies().iter().filter_map(policy) {
                if let ir::Target::Apps { filter: Some(f), .. } = &p.target {
                    self.notes.push(format!(
                        "policy `{}` has an app filter ({} mode) on custom security attributes, which capol does not model: the filter matches no app",
                        p.display_name,
                        if f.mode == ir::FilterMode::Include { "include" } else { "exclude" }
                    ));
                }
            }
        }
        if let Identity::ServicePrincipal(_) = sign_in.identity {
            for p in engine.workload_filter_policies().iter().filter_map(policy) {
                self.notes.push(format!(
                    "policy `{}` filters workload identities on custom security attributes, which capol does not model: the filter matches no service principal",
                    p.display_name
                ));
            }
        }
    }

    /// The requirements as one line: `mfa AND any(compliant_device, domain_joined_device)`.
    pub fn requirements_text(&self) -> String {
        self.requirements.iter().map(RequirementGroup::text).collect::<Vec<_>>().join(" AND ")
    }

    /// The decision as JSON.
    pub fn to_json(&self) -> Value {
        let groups: Vec<Value> = self
            .requirements
            .iter()
            .map(|g| {
                json!({
                    "operator": if g.operator == Operator::And { "and" } else { "or" },
                    "controls": g.controls.iter().map(Control::word).collect::<Vec<_>>(),
                    "policies": g.policies,
                })
            })
            .collect();
        let s = &self.session;
        let session = json!({
            "sign_in_frequency": s.sign_in_frequency.as_ref().map(|m| json!({
                "value": frequency_text(&m.value),
                "authentication": match m.value.authentication {
                    ir::FrequencyAuthentication::PrimaryAndSecondary => "primary_and_secondary",
                    ir::FrequencyAuthentication::Secondary => "secondary",
                },
                "policies": m.policies,
            })),
            "persistent_browser": s.persistent_browser.as_ref().map(|m| json!({
                "value": match m.value { ir::PersistentBrowser::Always => "always", ir::PersistentBrowser::Never => "never" },
                "policies": m.policies,
            })),
            "cloud_app_security": s.cloud_app_security.as_ref().map(|m| json!({
                "value": cas_word(m.value),
                "policies": m.policies,
            })),
            "app_enforced_restrictions": s.app_enforced_restrictions,
            "disable_resilience_defaults": s.disable_resilience_defaults,
            "secure_sign_in_session": s.secure_sign_in_session,
        });
        let report_only: Vec<Value> = self
            .report_only
            .iter()
            .map(|r| match &r.effect {
                Effect::Block => json!({"policy": r.policy, "effect": "block"}),
                Effect::Grant(g) => json!({"policy": r.policy, "effect": "grant", "requires": g.text()}),
                Effect::Session => json!({"policy": r.policy, "effect": "session"}),
            })
            .collect();
        json!({
            "outcome": self.outcome.word(),
            "blocked_by": self.blocked_by,
            "requirements": groups,
            "session": session,
            "applied": self.applied,
            "report_only": report_only,
            "registration": self.registration.map(|r| json!({
                "experience": match r.experience { Experience::Combined => "combined", Experience::Legacy => "legacy" },
                "legacy_page_requires_mfa": r.legacy_page_requires_mfa,
            })),
            "notes": self.notes,
        })
    }
}

/// `4h`, `30d`, `every_time`.
pub fn frequency_text(f: &ir::SignInFrequency) -> String {
    match f.interval {
        ir::FrequencyInterval::EveryTime => "every_time".into(),
        ir::FrequencyInterval::TimeBased { value, unit: ir::FrequencyUnit::Hours } => format!("{value}h"),
        ir::FrequencyInterval::TimeBased { value, unit: ir::FrequencyUnit::Days } => format!("{value}d"),
    }
}

/// The capol word of an app control mode.
pub fn cas_word(c: ir::CloudAppSecurity) -> &'static str {
    match c {
        ir::CloudAppSecurity::MonitorOnly => "monitor_only",
        ir::CloudAppSecurity::BlockDownloads => "block_downloads",
        ir::CloudAppSecurity::McasConfigured => "mcas_configured",
    }
}
