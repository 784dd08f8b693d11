//! `assert` blocks: their conditions lowered against a program, checked over every sign-in, and
//! a concrete counterexample for each that fails.
//!
//! Semantics (`docs/verify.md`): the clauses are ANDed; each selects sign-ins (`group g`: the
//! user is a member of `g`; `from not trusted`: the IP is in no trusted location, or there is no
//! IP). `never O` fails when some selected sign-in has outcome `O`; `always O` fails when some
//! selected sign-in does not. Outcomes: `block`; `allow` (access with no requirement);
//! `require C` (blocked, or every way to meet the requirements meets `C`; see `order`).

use biodivine_lib_bdd::Bdd;
use serde_json::Value;

use super::model::{CLIENTS, DimId, FLOWS, INSIDER, PLATFORMS, RISKS, Verdict};
use super::space::{Atoms, TargetKind};
use super::{Analysis, Example, Replay, order};
use crate::check::words;
use crate::diagnostic::{Diag, Diagnostics, Error};
use crate::eval::Engine;
use crate::ir;
use crate::span::{FileId, Loc};
use crate::syntax::ast::{self, Condition, ConditionWord, ObjectKind, Quantifier, RefKind};

/// What an assertion says about the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Blocked.
    Block,
    /// Access with no requirement.
    Allow,
    /// Blocked, or every way to meet the requirements meets this control.
    Require(ir::Control),
}

/// An app an assertion names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AppSel {
    All,
    None,
    Office365,
    AdminPortals,
    App(ir::Ref),
}

/// A lowered condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cond {
    Group(ir::Ref),
    User(ir::Ref),
    Role(ir::Ref),
    Apps(Vec<AppSel>),
    Location(String),
    Context(ir::Ref),
    Guests,
    Members,
    Trusted,
    Action(ir::UserAction),
    Country(String),
    Platform(Option<usize>),
    Client(Option<usize>),
    SignInRisk(usize),
    UserRisk(usize),
    Insider(usize),
    Flow(usize),
    /// A name the checker already reported; selects nothing.
    Nothing,
}

/// An assertion lowered against a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub loc: Loc,
    /// `never` or `always`.
    pub quantifier: Quantifier,
    /// The outcome.
    pub expect: Expect,
    /// The assertion as written, normalised: `never block for group break_glass`.
    pub text: String,
    clauses: Vec<(bool, Cond)>,
}

/// A failed assertion's counterexample.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The sign-in.
    pub example: Example,
    /// Its verdict in the model.
    pub verdict: Verdict,
    /// The failing sign-ins around it, in words.
    pub region: String,
    /// The same, as JSON conditions.
    pub conditions: Value,
    /// The engine's evaluation of the sign-in.
    pub replay: Result<Replay, String>,
}

/// The result of one assertion.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The assertion.
    pub assertion: Assertion,
    /// `None` when it holds for every sign-in.
    pub counterexample: Option<Counterexample>,
}

fn word_of(kind: ConditionWord, value: &str) -> String {
    format!("{} {value}", kind.keyword())
}

fn condition_text(c: &Condition) -> String {
    match c {
        Condition::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
        Condition::TargetApps(names) => {
            format!("target apps {}", names.iter().map(|n| n.node.as_str()).collect::<Vec<_>>().join(", "))
        }
        Condition::Guests => "guests".into(),
        Condition::Members => "members".into(),
        Condition::Trusted => "trusted".into(),
        Condition::Value(kind, value) => word_of(*kind, &value.node),
    }
}

/// The assertion as written.
fn text_of(a: &ast::AssertDecl) -> String {
    let mut out = String::from(match a.quantifier.node {
        Quantifier::Never => "never",
        Quantifier::Always => "always",
    });
    out.push(' ');
    match &a.outcome.node {
        ast::Outcome::Block => out.push_str("block"),
        ast::Outcome::Allow => out.push_str("allow"),
        ast::Outcome::Require(c) => {
            out.push_str("require ");
            out.push_str(&match &c.node {
                ast::Control::Builtin(w) => w.node.clone(),
                ast::Control::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
            });
        }
    }
    for clause in &a.clauses {
        out.push(' ');
        if let Some(w) = &clause.node.word {
            out.push_str(w);
            out.push(' ');
        }
        if clause.node.negated {
            out.push_str("not ");
        }
        out.push_str(&condition_text(&clause.node.condition));
    }
    out
}

fn find<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'a T> {
    items.iter().find(|x| key(x) == name)
}

fn control(c: &ast::Control, program: &ir::Program) -> Option<ir::Control> {
    match c {
        ast::Control::Builtin(w) => words::lookup(words::CONTROLS, &w.node),
        ast::Control::Ref(RefKind::Object(kind), name) => {
            let r = |name: &str, id: Option<&String>| ir::Ref { name: name.to_owned(), id: id.cloned() };
            match kind {
                ObjectKind::AuthStrength => find(&program.auth_strengths, &name.node, |s| &s.name)
                    .map(|s| ir::Control::AuthStrength(r(&s.name, s.id.as_ref()))),
                ObjectKind::TermsOfUse => find(&program.terms_of_use, &name.node, |s| &s.name)
                    .map(|s| ir::Control::TermsOfUse(r(&s.name, s.id.as_ref()))),
                ObjectKind::CustomControl => find(&program.custom_controls, &name.node, |s| &s.name)
                    .map(|s| ir::Control::CustomControl(r(&s.name, s.id.as_ref()))),
                _ => None,
            }
        }
        ast::Control::Ref(RefKind::Location, _) => None,
    }
}

fn lower_condition(c: &Condition, program: &ir::Program) -> Result<Cond, String> {
    let obj = |name: &str, id: Option<&String>| ir::Ref { name: name.to_owned(), id: id.cloned() };
    Ok(match c {
        Condition::Ref(RefKind::Location, name) => Cond::Location(name.node.clone()),
        Condition::Ref(RefKind::Object(kind), name) => {
            let n = name.node.as_str();
            let found = match kind {
                ObjectKind::Group => {
                    find(&program.groups, n, |g| &g.name).map(|g| Cond::Group(obj(&g.name, g.id.as_ref())))
                }
                ObjectKind::User => {
                    find(&program.users, n, |g| &g.name).map(|u| Cond::User(obj(&u.name, u.id.as_ref())))
                }
                ObjectKind::Role => find(&program.roles, n, |g| &g.name)
                    .map(|r| Cond::Role(ir::Ref { name: r.name.clone(), id: Some(r.template_id.clone()) })),
                ObjectKind::App => Some(Cond::Apps(vec![app_sel(n, program)])),
                ObjectKind::AuthContext => find(&program.auth_contexts, n, |g| &g.name)
                    .map(|c| Cond::Context(obj(&c.name, c.id.as_ref()))),
                ObjectKind::TermsOfUse
                | ObjectKind::AuthStrength
                | ObjectKind::CustomControl
                | ObjectKind::ServicePrincipal => {
                    return Err(kind.keyword().to_owned());
                }
            };
            found.unwrap_or(Cond::Nothing)
        }
        Condition::TargetApps(names) => Cond::Apps(names.iter().map(|n| app_sel(&n.node, program)).collect()),
        Condition::Guests => Cond::Guests,
        Condition::Members => Cond::Members,
        Condition::Trusted => Cond::Trusted,
        Condition::Value(kind, value) => {
            let v = value.node.as_str();
            match kind {
                ConditionWord::Action => {
                    words::lookup(words::USER_ACTIONS, v).map_or(Cond::Nothing, Cond::Action)
                }
                ConditionWord::Country => Cond::Country(v.to_ascii_uppercase()),
                ConditionWord::Platform => match words::lookup(words::PLATFORMS, v) {
                    Some(ir::Platform::All) => Cond::Platform(None),
                    Some(p) => PLATFORMS
                        .iter()
                        .position(|x| *x == Some(p))
                        .map_or(Cond::Nothing, |i| Cond::Platform(Some(i))),
                    None => Cond::Nothing,
                },
                ConditionWord::ClientApp => match words::lookup(words::CLIENT_APPS, v) {
                    Some(ir::ClientApp::All) => Cond::Client(None),
                    Some(_) => CLIENTS
                        .iter()
                        .position(|x| x.is_some_and(|c| c.word() == v))
                        .map_or(Cond::Nothing, |i| Cond::Client(Some(i))),
                    None => Cond::Nothing,
                },
                ConditionWord::SignInRisk | ConditionWord::UserRisk => {
                    match RISKS.iter().position(|r| r.word() == v) {
                        Some(i) if *kind == ConditionWord::SignInRisk => Cond::SignInRisk(i),
                        Some(i) => Cond::UserRisk(i),
                        None => Cond::Nothing,
                    }
                }
                ConditionWord::InsiderRisk => INSIDER
                    .iter()
                    .position(|r| r.is_some_and(|r| super::insider_word(r) == v))
                    .map_or(Cond::Nothing, Cond::Insider),
                ConditionWord::AuthFlow => FLOWS
                    .iter()
                    .position(|f| f.is_some_and(|f| super::flow_word(f) == v))
                    .map_or(Cond::Nothing, Cond::Flow),
            }
        }
    })
}

fn app_sel(name: &str, program: &ir::Program) -> AppSel {
    match name {
        "all" => AppSel::All,
        "none" => AppSel::None,
        "office365" => AppSel::Office365,
        "admin_portals" => AppSel::AdminPortals,
        _ => find(&program.apps, name, |a| &a.name)
            .map_or(AppSel::None, |a| AppSel::App(ir::Ref { name: a.name.clone(), id: a.id.clone() })),
    }
}

/// The assertions of a checked workspace, lowered against its program. Conditions that say
/// nothing about a sign-in (`terms_of_use t`) are errors.
pub fn lower(files: &[ast::File], program: &ir::Program) -> (Vec<Assertion>, Diagnostics) {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for (index, tree) in files.iter().enumerate() {
        let file = FileId(index as u32);
        for decl in &tree.decls {
            let ast::Decl::Assert(a) = decl else { continue };
            let expect = match &a.outcome.node {
                ast::Outcome::Block => Expect::Block,
                ast::Outcome::Allow => Expect::Allow,
                ast::Outcome::Require(c) => match control(&c.node, program) {
                    Some(c) => Expect::Require(c),
                    // The checker reported it.
                    None => continue,
                },
            };
            let mut clauses = Vec::new();
            let mut ok = true;
            for clause in &a.clauses {
                match lower_condition(&clause.node.condition, program) {
                    Ok(c) => clauses.push((clause.node.negated, c)),
                    Err(kind) => {
                        ok = false;
                        diags.items.push(Diag::new(
                            file,
                            Error::AssertUnsupportedCondition { kind, span: clause.span.into() },
                        ));
                    }
                }
            }
            if ok {
                out.push(Assertion {
                    name: a.name.node.clone(),
                    loc: Loc { file, span: a.span },
                    quantifier: a.quantifier.node,
                    expect,
                    text: text_of(a),
                    clauses,
                });
            }
        }
    }
    (out, diags)
}

/// What the assertions mention, for the universe.
pub fn atoms(assertions: &[Assertion]) -> Atoms {
    let mut atoms = Atoms::default();
    for (_, c) in assertions.iter().flat_map(|a| &a.clauses) {
        match c {
            Cond::Group(r) => atoms.groups.push(r.clone()),
            Cond::User(r) => atoms.users.push(r.clone()),
            Cond::Role(r) => atoms.roles.push(r.clone()),
            Cond::Apps(list) => {
                for s in list {
                    if let AppSel::App(r) = s {
                        atoms.apps.push(r.clone());
                    }
                }
            }
            Cond::Location(name) => atoms.locations.push(name.clone()),
            Cond::Context(r) => atoms.contexts.push(r.clone()),
            Cond::Trusted => atoms.trusted = true,
            Cond::Country(code) if !atoms.countries.contains(code) => atoms.countries.push(code.clone()),
            _ => {}
        }
    }
    atoms
}

impl Analysis {
    fn condition(&self, c: &Cond) -> Bdd {
        let l = &self.layout;
        let u = &self.universe;
        let f = l.vars.mk_false();
        let Some(s) = self.semantics.first() else { return f };
        let target = |pred: &dyn Fn(&super::space::TargetClass) -> bool| {
            l.set(l.dim(DimId::Target), |t| u.targets.get(t).is_some_and(pred))
        };
        match c {
            Cond::Group(r) => u.groups.find_ref(r).and_then(|i| s.in_group.get(i)).cloned().unwrap_or(f),
            Cond::User(r) => u.users.find_ref(r).map_or(f, |i| l.eq(l.dim(DimId::Who), i + 1)),
            Cond::Role(r) => {
                r.id.as_deref()
                    .and_then(|id| u.roles.find(id))
                    .and_then(|i| s.has_role.get(i))
                    .cloned()
                    .unwrap_or(f)
            }
            Cond::Apps(list) => {
                let keys: Vec<String> = list
                    .iter()
                    .filter_map(|s| match s {
                        AppSel::App(r) => Some(r.id.as_deref().unwrap_or(&r.name).to_ascii_lowercase()),
                        _ => None,
                    })
                    .collect();
                target(&|t| {
                    t.kind == TargetKind::App
                        && list.iter().any(|s| match s {
                            AppSel::All => true,
                            AppSel::None => false,
                            AppSel::Office365 => t.office365,
                            AppSel::AdminPortals => t.admin_portals,
                            AppSel::App(_) => t.app_key.as_ref().is_some_and(|k| keys.contains(k)),
                        })
                })
            }
            Cond::Location(name) => self
                .programs
                .first()
                .and_then(|p| p.locations.iter().position(|x| x.name == *name))
                .and_then(|i| s.locations.get(i))
                .cloned()
                .unwrap_or(f),
            Cond::Context(r) => {
                let i = u.contexts.find_ref(r);
                target(&|t| t.kind == TargetKind::Context && t.context.is_some() && t.context == i)
            }
            Cond::Guests => s.type_is.first().map_or(f, Bdd::not),
            Cond::Members => s.type_is.first().cloned().unwrap_or(f),
            Cond::Trusted => s.trusted.clone(),
            Cond::Action(a) => target(&|t| t.kind == TargetKind::Action(*a)),
            Cond::Country(code) => {
                let refs = self.program_refs();
                l.eq(l.dim(DimId::Country), u.country_class(&refs, Some(code)))
            }
            Cond::Platform(p) => p.map_or_else(|| l.vars.mk_true(), |i| l.eq(l.dim(DimId::Platform), i)),
            Cond::Client(c) => c.map_or_else(|| l.vars.mk_true(), |i| l.eq(l.dim(DimId::Client), i)),
            Cond::SignInRisk(i) => l.eq(l.dim(DimId::SignInRisk), *i),
            Cond::UserRisk(i) => l.eq(l.dim(DimId::UserRisk), *i),
            Cond::Insider(i) => l.eq(l.dim(DimId::Insider), *i),
            Cond::Flow(i) => l.eq(l.dim(DimId::Flow), *i),
            Cond::Nothing => f,
        }
    }

    /// The sign-ins an assertion speaks about.
    pub fn scope(&self, a: &Assertion) -> Bdd {
        let mut out = self.layout.valid.clone();
        for (negated, c) in &a.clauses {
            let b = self.condition(c);
            out = if *negated { out.and_not(&b) } else { out.and(&b) };
        }
        out
    }

    /// The sign-ins of program `p` whose outcome is `expect`.
    pub fn outcome_bdd(&self, p: usize, expect: &Expect) -> Bdd {
        let l = &self.layout;
        let Some(s) = self.semantics.get(p) else { return l.vars.mk_false() };
        match expect {
            Expect::Block => s.block.clone(),
            Expect::Allow => s.allow.clone(),
            Expect::Require(c) => {
                let mut out = s.block.clone();
                for (r, b) in self.universe.requirements.iter().zip(&s.requires) {
                    if order::forces(r, c) {
                        out = out.or(b);
                    }
                }
                out.and(&l.valid)
            }
        }
    }

    /// The sign-ins that break an assertion.
    pub fn violations(&self, a: &Assertion) -> Bdd {
        let scope = self.scope(a);
        let outcome = self.outcome_bdd(0, &a.expect);
        match a.quantifier {
            Quantifier::Never => scope.and(&outcome),
            Quantifier::Always => scope.and_not(&outcome),
        }
    }

    /// Run assertions on the first program; `engine` is that program's engine, for replays.
    pub fn check(&self, assertions: &[Assertion], engine: &Engine) -> Vec<Outcome> {
        assertions
            .iter()
            .map(|a| {
                let bad = self.violations(a);
                let counterexample = self.pick(&bad).map(|point| {
                    let cube = self.expand(&point, &bad);
                    let example = self.example(&point);
                    let verdict =
                        self.semantics.first().map_or(Verdict::Allow, |s| s.verdict(&self.layout, &point));
                    Counterexample {
                        replay: self.replay(engine, &example.scenario),
                        region: self.words(&cube, 0),
                        conditions: self.cube_json(&cube),
                        example,
                        verdict,
                    }
                });
                Outcome { assertion: a.clone(), counterexample }
            })
            .collect()
    }
}
