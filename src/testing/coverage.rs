//! Coverage: which policies the tests make apply, and, per condition of each policy, whether
//! some test's sign-in matches it and some test's sign-in does not.
//!
//! The interpreter decides every match, so coverage cannot disagree with evaluation: for each
//! condition of each policy capol builds a *probe*, a policy with that one condition and nothing
//! else (every user or workload identity, the test's own target, no other condition), and
//! evaluates each test's sign-in against the probes. Exclusions are probed on their own (include
//! everything, exclude as the policy does), so "matched" for an exclude condition means the
//! sign-in is excluded. The probes target what the test signs in to, so they are grouped by the
//! tests' identity kind and target.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::TestResult;
use crate::eval::scenario::Target as ScenarioTarget;
use crate::eval::{Engine, Miss, PolicyResult, Reason, Resolver, Why};
use crate::ir;

/// A condition of a policy that tests can exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `users { include ... }`.
    UsersInclude,
    /// `users { exclude ... }`.
    UsersExclude,
    /// `service_principals { include ... }`.
    WorkloadsInclude,
    /// `service_principals { exclude ... }`.
    WorkloadsExclude,
    /// `service_principal_risk ...`.
    ServicePrincipalRisk,
    /// `target apps|action|auth_context ...`.
    Target,
    /// `exclude apps ...`.
    ExcludeApps,
    /// `platforms { include ... }`.
    PlatformsInclude,
    /// `platforms { exclude ... }`.
    PlatformsExclude,
    /// `device_filter include|exclude "..."`: matched when the rule matches the device.
    DeviceFilter(ir::FilterMode),
    /// `client_apps ...`.
    ClientApps,
    /// `locations { include ... }`.
    LocationsInclude,
    /// `locations { exclude ... }`.
    LocationsExclude,
    /// `sign_in_risk ...`.
    SignInRisk,
    /// `user_risk ...`.
    UserRisk,
    /// `insider_risk ...`.
    InsiderRisk,
    /// `auth_flows ...`.
    AuthFlows,
}

impl Condition {
    /// The condition in words, as the table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Condition::UsersInclude => "users include",
            Condition::UsersExclude => "users exclude",
            Condition::WorkloadsInclude => "service_principals include",
            Condition::WorkloadsExclude => "service_principals exclude",
            Condition::ServicePrincipalRisk => "service_principal_risk",
            Condition::Target => "target",
            Condition::ExcludeApps => "exclude apps",
            Condition::PlatformsInclude => "platforms include",
            Condition::PlatformsExclude => "platforms exclude",
            Condition::DeviceFilter(ir::FilterMode::Include) => "device_filter include",
            Condition::DeviceFilter(ir::FilterMode::Exclude) => "device_filter exclude",
            Condition::ClientApps => "client_apps",
            Condition::LocationsInclude => "locations include",
            Condition::LocationsExclude => "locations exclude",
            Condition::SignInRisk => "sign_in_risk",
            Condition::UserRisk => "user_risk",
            Condition::InsiderRisk => "insider_risk",
            Condition::AuthFlows => "auth_flows",
        }
    }

    /// True for exclusions: matched means the sign-in is excluded.
    fn excludes(self) -> bool {
        matches!(
            self,
            Condition::UsersExclude
                | Condition::WorkloadsExclude
                | Condition::ExcludeApps
                | Condition::PlatformsExclude
                | Condition::LocationsExclude
                | Condition::DeviceFilter(ir::FilterMode::Exclude)
        )
    }
}

/// One condition of one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionCoverage {
    /// The condition.
    pub condition: Condition,
    /// It matches every sign-in (`include all`, `include any`, `target apps all`), so no test
    /// can miss it; not counted.
    pub always: bool,
    /// The tests whose sign-in matches it.
    pub matched_by: Vec<String>,
    /// The tests whose sign-in does not match it.
    pub not_matched_by: Vec<String>,
}

impl ConditionCoverage {
    /// Exercised both ways.
    pub fn covered(&self) -> bool {
        !self.matched_by.is_empty() && !self.not_matched_by.is_empty()
    }
}

/// One policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCoverage {
    /// The display name.
    pub name: String,
    /// The state.
    pub state: ir::PolicyState,
    /// The policy can never apply (disabled, or a report-only user-action policy): not counted.
    pub never_evaluated: bool,
    /// The tests it applies to.
    pub applied_by: Vec<String>,
    /// Its configured conditions.
    pub conditions: Vec<ConditionCoverage>,
}

/// What a set of tests exercises in a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// The tests measured (those that could be evaluated).
    pub tests: usize,
    /// Every policy, in engine order.
    pub policies: Vec<PolicyCoverage>,
}

/// The totals of a coverage report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Policies that can apply (neither disabled nor report-only user actions).
    pub policies: usize,
    /// Of those, the policies some test makes apply.
    pub applied: usize,
    /// Policies that can never apply, not counted.
    pub never_evaluated: usize,
    /// Conditions that some sign-in can miss, of the countable policies.
    pub conditions: usize,
    /// Of those, the conditions exercised both ways.
    pub conditions_covered: usize,
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64) * 100.0 / (whole as f64))
}

impl Summary {
    /// Policies applied by a test, in percent (`None` without countable policies).
    pub fn policy_percent(&self) -> Option<f64> {
        percent(self.applied, self.policies)
    }

    /// Conditions exercised both ways, in percent.
    pub fn condition_percent(&self) -> Option<f64> {
        percent(self.conditions_covered, self.conditions)
    }
}

impl Coverage {
    /// The totals.
    pub fn summary(&self) -> Summary {
        let counted = || self.policies.iter().filter(|p| !p.never_evaluated);
        let conditions = || counted().flat_map(|p| p.conditions.iter()).filter(|c| !c.always);
        Summary {
            policies: counted().count(),
            applied: counted().filter(|p| !p.applied_by.is_empty()).count(),
            never_evaluated: self.policies.len() - counted().count(),
            conditions: conditions().count(),
            conditions_covered: conditions().filter(|c| c.covered()).count(),
        }
    }

    /// The policies that can apply but no test makes apply.
    pub fn never_applied(&self) -> Vec<&str> {
        self.policies
            .iter()
            .filter(|p| !p.never_evaluated && p.applied_by.is_empty())
            .map(|p| p.name.as_str())
            .collect()
    }
}

/// The configured conditions of a policy, with whether each matches every sign-in.
pub fn conditions(p: &ir::Policy) -> Vec<(Condition, bool)> {
    let mut out = Vec::new();
    match &p.service_principals {
        Some(sp) => {
            out.push((Condition::WorkloadsInclude, sp.include_all && sp.filter.is_none()));
            if !sp.exclude.is_empty() {
                out.push((Condition::WorkloadsExclude, false));
            }
            if !p.service_principal_risk.is_empty() {
                out.push((Condition::ServicePrincipalRisk, false));
            }
        }
        None => {
            out.push((Condition::UsersInclude, p.users.include.all));
            if !p.users.exclude.is_empty() {
                out.push((Condition::UsersExclude, false));
            }
        }
    }
    match &p.target {
        ir::Target::Apps { include, exclude, filter } => {
            out.push((Condition::Target, include.all && filter.is_none()));
            if !exclude.is_empty() {
                out.push((Condition::ExcludeApps, false));
            }
        }
        _ => out.push((Condition::Target, false)),
    }
    if let Some(pl) = &p.platforms {
        out.push((
            Condition::PlatformsInclude,
            pl.include.is_empty() || pl.include.contains(&ir::Platform::All),
        ));
        if !pl.exclude.is_empty() {
            out.push((Condition::PlatformsExclude, false));
        }
    }
    if let Some(f) = &p.device_filter {
        out.push((Condition::DeviceFilter(f.mode), false));
    }
    if !p.client_apps.is_empty() && !p.client_apps.contains(&ir::ClientApp::All) {
        out.push((Condition::ClientApps, false));
    }
    if let Some(l) = &p.locations {
        out.push((Condition::LocationsInclude, l.include.any));
        if l.exclude.any || l.exclude.trusted || !l.exclude.named.is_empty() {
            out.push((Condition::LocationsExclude, false));
        }
    }
    for (list_empty, condition) in [
        (p.sign_in_risk.is_empty(), Condition::SignInRisk),
        (p.user_risk.is_empty(), Condition::UserRisk),
        (p.insider_risk.is_empty(), Condition::InsiderRisk),
        (p.auth_flows.is_empty(), Condition::AuthFlows),
    ] {
        if !list_empty {
            out.push((condition, false));
        }
    }
    out
}

/// Who signs in and to what: probes are built per group of tests sharing this.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Group {
    workload: bool,
    target: GroupTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupTarget {
    App,
    Action(ir::UserAction),
    AuthContext(String),
}

/// A policy that applies to every sign-in of the group: every user (or workload identity), the
/// group's target, no other condition.
fn neutral(program: &ir::Program, group: &Group, name: String) -> ir::Policy {
    let target = match &group.target {
        GroupTarget::App => ir::Target::Apps {
            include: ir::AppSet { all: true, ..ir::AppSet::default() },
            exclude: ir::AppSet::default(),
            filter: None,
        },
        GroupTarget::Action(a) => ir::Target::UserActions { actions: vec![*a] },
        GroupTarget::AuthContext(key) => {
            let known = program
                .auth_contexts
                .iter()
                .find(|c| c.name == *key || c.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(key)));
            let r = match known {
                Some(c) => ir::Ref { name: c.name.clone(), id: c.id.clone() },
                None => ir::Ref { name: key.clone(), id: Some(key.clone()) },
            };
            ir::Target::AuthContexts { contexts: vec![r] }
        }
    };
    let (users, service_principals) = if group.workload {
        (
            ir::Users::default(),
            Some(ir::ServicePrincipals {
                include_all: true,
                include: Vec::new(),
                exclude: Vec::new(),
                filter: None,
            }),
        )
    } else {
        (
            ir::Users {
                include: ir::UserSet { all: true, ..ir::UserSet::default() },
                ..ir::Users::default()
            },
            None,
        )
    };
    ir::Policy {
        service_principals,
        ..ir::Policy::unconditional(name, ir::PolicyState::Enabled, users, target)
    }
}

/// The probe of one condition of `p`: the neutral policy with that condition alone.
fn probe(mut base: ir::Policy, p: &ir::Policy, condition: Condition) -> ir::Policy {
    match condition {
        Condition::UsersInclude => base.users.include = p.users.include.clone(),
        Condition::UsersExclude => base.users.exclude = p.users.exclude.clone(),
        Condition::WorkloadsInclude | Condition::WorkloadsExclude | Condition::ServicePrincipalRisk => {
            if let (Some(sp), Some(b)) = (&p.service_principals, &mut base.service_principals) {
                match condition {
                    Condition::WorkloadsInclude => {
                        b.include_all = sp.include_all;
                        b.include = sp.include.clone();
                        b.filter = sp.filter.clone();
                    }
                    Condition::WorkloadsExclude => b.exclude = sp.exclude.clone(),
                    _ => base.service_principal_risk = p.service_principal_risk.clone(),
                }
            }
        }
        Condition::Target => {
            base.target = match &p.target {
                ir::Target::Apps { include, filter, .. } => ir::Target::Apps {
                    include: include.clone(),
                    exclude: ir::AppSet::default(),
                    filter: filter.clone(),
                },
                other => other.clone(),
            };
        }
        Condition::ExcludeApps => {
            if let (ir::Target::Apps { exclude, .. }, ir::Target::Apps { exclude: into, .. }) =
                (&p.target, &mut base.target)
            {
                *into = exclude.clone();
            }
        }
        Condition::PlatformsInclude => {
            base.platforms = p
                .platforms
                .as_ref()
                .map(|pl| ir::Platforms { include: pl.include.clone(), exclude: Vec::new() });
        }
        Condition::PlatformsExclude => {
            base.platforms = p
                .platforms
                .as_ref()
                .map(|pl| ir::Platforms { include: vec![ir::Platform::All], exclude: pl.exclude.clone() });
        }
        Condition::DeviceFilter(_) => base.device_filter = p.device_filter.clone(),
        Condition::ClientApps => base.client_apps = p.client_apps.clone(),
        Condition::LocationsInclude => {
            base.locations = p
                .locations
                .as_ref()
                .map(|l| ir::Locations { include: l.include.clone(), exclude: ir::LocationSet::default() });
        }
        Condition::LocationsExclude => {
            base.locations = p.locations.as_ref().map(|l| ir::Locations {
                include: ir::LocationSet { any: true, ..ir::LocationSet::default() },
                exclude: l.exclude.clone(),
            });
        }
        Condition::SignInRisk => base.sign_in_risk = p.sign_in_risk.clone(),
        Condition::UserRisk => base.user_risk = p.user_risk.clone(),
        Condition::InsiderRisk => base.insider_risk = p.insider_risk.clone(),
        Condition::AuthFlows => base.auth_flows = p.auth_flows.clone(),
    }
    base
}

/// The reason a probe of this condition misses with, when its condition is what fails.
fn reason_of(condition: Condition, p: &ir::Policy) -> Reason {
    match condition {
        Condition::UsersInclude | Condition::UsersExclude => Reason::Users,
        Condition::WorkloadsInclude | Condition::WorkloadsExclude | Condition::ServicePrincipalRisk => {
            Reason::WorkloadIdentities
        }
        Condition::Target | Condition::ExcludeApps => match p.target {
            ir::Target::Apps { .. } => Reason::Application,
            ir::Target::UserActions { .. } => Reason::UserActions,
            ir::Target::AuthContexts { .. } => Reason::AuthenticationContext,
        },
        Condition::PlatformsInclude | Condition::PlatformsExclude => Reason::DevicePlatform,
        Condition::DeviceFilter(_) => Reason::Devices,
        Condition::ClientApps => Reason::ClientApps,
        Condition::LocationsInclude | Condition::LocationsExclude => Reason::Location,
        Condition::SignInRisk => Reason::SignInRisk,
        Condition::UserRisk => Reason::UserRisk,
        Condition::InsiderRisk => Reason::InsiderRisk,
        Condition::AuthFlows => Reason::AuthenticationFlow,
    }
}

/// Whether the probe's result says the condition matched (`Some(true)`), did not
/// (`Some(false)`), or does not speak about it (`None`: another kind of identity or target).
fn classify(condition: Condition, p: &ir::Policy, result: PolicyResult) -> Option<bool> {
    let excludes = condition.excludes();
    match result {
        PolicyResult::Applies => Some(!excludes),
        PolicyResult::NotApplies(Miss { reason, why }) => {
            if reason != reason_of(condition, p) {
                return None;
            }
            match why {
                Why::NotIncluded if !excludes => Some(false),
                Why::Excluded if excludes => Some(true),
                // A sign-in to another kind of target does not match a target condition.
                Why::OtherContext if condition == Condition::Target => Some(false),
                _ => None,
            }
        }
    }
}

fn group_of(scenario: &crate::eval::Scenario) -> Option<Group> {
    let target = match scenario.target.as_ref()? {
        ScenarioTarget::App(_) => GroupTarget::App,
        ScenarioTarget::Action(a) => GroupTarget::Action(*a),
        ScenarioTarget::AuthContext(c) => GroupTarget::AuthContext(c.clone()),
    };
    Some(Group { workload: scenario.service_principal.is_some(), target })
}

/// Measure what the tests exercise. Tests that could not be evaluated are left out.
pub fn measure(engine: &Engine, results: &[TestResult]) -> Coverage {
    let policies = engine.policies();
    let mut out = Coverage {
        tests: 0,
        policies: policies
            .iter()
            .map(|p| PolicyCoverage {
                name: p.display_name.clone(),
                state: p.state,
                never_evaluated: p.state == ir::PolicyState::Disabled
                    || (p.state == ir::PolicyState::ReportOnly
                        && matches!(p.target, ir::Target::UserActions { .. })),
                applied_by: Vec::new(),
                conditions: conditions(p)
                    .into_iter()
                    .map(|(condition, always)| ConditionCoverage {
                        condition,
                        always,
                        matched_by: Vec::new(),
                        not_matched_by: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let by_name: HashMap<&str, usize> =
        policies.iter().enumerate().map(|(i, p)| (p.display_name.as_str(), i)).collect();
    let mut groups: BTreeMap<Group, Vec<&TestResult>> = BTreeMap::new();
    for result in results.iter().filter(|r| r.error.is_none()) {
        out.tests += 1;
        for name in &result.applied {
            if let Some(&i) = by_name.get(name.as_str()) {
                out.policies[i].applied_by.push(result.name.clone());
            }
        }
        if let Some(group) = result.scenario.as_ref().and_then(group_of) {
            groups.entry(group).or_default().push(result);
        }
    }
    for (group, tests) in groups {
        probe_group(engine, &group, &tests, &mut out);
    }
    out
}

/// Evaluate a group's tests against the probes of every condition.
fn probe_group(engine: &Engine, group: &Group, tests: &[&TestResult], out: &mut Coverage) {
    let original = engine.policies();
    let mut program = engine.program().clone();
    // Every user gets the combined registration experience: the preview is not a condition of
    // any one policy.
    program.combined_registration = None;
    let mut index = HashMap::new();
    let mut probes = Vec::new();
    for (pi, p) in original.iter().enumerate() {
        let Some(coverage) = out.policies.get(pi) else { continue };
        // Only sign-ins of the policy's own identity kind can reach its conditions.
        if p.service_principals.is_some() != group.workload {
            continue;
        }
        for (ci, c) in coverage.conditions.iter().enumerate() {
            let name = format!("probe {pi} {ci}");
            index.insert(name.clone(), (pi, ci));
            probes.push(probe(neutral(&program, group, name), p, c.condition));
        }
    }
    if probes.is_empty() {
        return;
    }
    program.policies = probes;
    let probe_engine = Engine::new(&program);
    let resolver = Resolver::new(&probe_engine);
    for test in tests {
        let Some(scenario) = &test.scenario else { continue };
        let Ok(sign_in) = resolver.resolve(scenario) else { continue };
        let evaluation = probe_engine.evaluate(&sign_in);
        for (probe, result) in probe_engine.policies().iter().zip(&evaluation.results) {
            let Some(&(pi, ci)) = index.get(&probe.display_name) else { continue };
            let (Some(policy), Some(cov)) = (original.get(pi), out.policies.get_mut(pi)) else { continue };
            let Some(c) = cov.conditions.get_mut(ci) else { continue };
            match classify(c.condition, policy, *result) {
                Some(true) => c.matched_by.push(test.name.clone()),
                Some(false) => c.not_matched_by.push(test.name.clone()),
                None => {}
            }
        }
    }
}

fn state_word(s: ir::PolicyState) -> &'static str {
    match s {
        ir::PolicyState::Enabled => "enabled",
        ir::PolicyState::Disabled => "disabled",
        ir::PolicyState::ReportOnly => "report_only",
    }
}

fn percent_text(p: Option<f64>) -> String {
    p.map_or("n/a".to_owned(), |p| format!("{p:.0}%"))
}

impl Coverage {
    /// The coverage table for people.
    pub fn human(&self, label: &str) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let s = self.summary();
        let _ = writeln!(out, "coverage of {label} ({} tests)", self.tests);
        let width = self
            .policies
            .iter()
            .flat_map(|p| p.conditions.iter().map(|c| c.condition.label().len() + 4))
            .max()
            .unwrap_or(0)
            .max(24);
        for p in &self.policies {
            let applied = if p.never_evaluated {
                format!("{}: never evaluated, not counted", state_word(p.state))
            } else if p.applied_by.is_empty() {
                "NEVER APPLIED by a test".to_owned()
            } else {
                format!("applied by {} of {} tests", p.applied_by.len(), self.tests)
            };
            let _ = writeln!(out, "\n  {}  [{}]", p.name, applied);
            for c in &p.conditions {
                let label = format!("    {}", c.condition.label());
                let verdict = if c.always {
                    "matches every sign-in".to_owned()
                } else {
                    let mark = if c.covered() { "covered" } else { "NOT COVERED" };
                    format!(
                        "{mark}: matched by {}, not matched by {}",
                        c.matched_by.len(),
                        c.not_matched_by.len()
                    )
                };
                let _ = writeln!(out, "{label:<width$}  {verdict}");
            }
        }
        let _ = writeln!(
            out,
            "\npolicies applied by a test: {} of {} ({}){}",
            s.applied,
            s.policies,
            percent_text(s.policy_percent()),
            if s.never_evaluated > 0 {
                format!("; {} never evaluated, not counted", s.never_evaluated)
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "conditions matched and not matched by tests: {} of {} ({})",
            s.conditions_covered,
            s.conditions,
            percent_text(s.condition_percent())
        );
        let never = self.never_applied();
        if !never.is_empty() {
            let list: Vec<String> = never.iter().map(|n| format!("`{n}`")).collect();
            let _ = writeln!(out, "never applied: {}", list.join(", "));
        }
        out
    }

    /// The coverage as JSON.
    pub fn to_json(&self) -> Value {
        let s = self.summary();
        let policies: Vec<Value> = self
            .policies
            .iter()
            .map(|p| {
                json!({
                    "policy": p.name,
                    "state": state_word(p.state),
                    "never_evaluated": p.never_evaluated,
                    "never_applied": !p.never_evaluated && p.applied_by.is_empty(),
                    "applied_by": p.applied_by,
                    "conditions": p.conditions.iter().map(|c| json!({
                        "condition": c.condition.label(),
                        "always": c.always,
                        "covered": c.covered(),
                        "matched_by": c.matched_by,
                        "not_matched_by": c.not_matched_by,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "tests": self.tests,
            "policies": policies,
            "summary": {
                "policies": s.policies,
                "applied": s.applied,
                "policy_percent": s.policy_percent(),
                "never_evaluated": s.never_evaluated,
                "conditions": s.conditions,
                "conditions_covered": s.conditions_covered,
                "condition_percent": s.condition_percent(),
                "never_applied": self.never_applied(),
            },
        })
    }
}
