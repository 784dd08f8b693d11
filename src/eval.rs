//! The interpreter: offline What If. A compiled program answers "what happens when this user
//! signs in from here?" with Microsoft's semantics, the first unmet condition of every policy that
//! does not apply, and the combined decision.
//!
//! The pipeline: a scenario (capol JSON, a Graph What If request or a Graph `signIn` record) is
//! read into a `Scenario`, resolved against an `Engine` (and an optional directory snapshot) into
//! a `SignIn`, evaluated into an `Evaluation`, and combined into a `Decision`. `docs/eval.md`
//! documents the semantics and every choice where Microsoft documents nothing.
//!
//! ```
//! use capol::eval::{Engine, Resolver, Scenario, Decision};
//! # let mut sources = capol::Sources::new();
//! # sources.add("w.capol", r#"
//! # group staff { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }
//! # user alice { id = "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40"  member_of = [staff] }
//! # policy "MFA for staff" { state = enabled  users { include group staff }  target apps all  grant mfa }
//! # "#);
//! # let (program, _) = capol::compile_workspace(&sources);
//! # let program = program.unwrap();
//! let engine = Engine::new(&program);
//! let scenario = Scenario::from_json(r#"{"user": "alice", "app": "office365", "ip": "192.0.2.1"}"#).unwrap();
//! let sign_in = Resolver::new(&engine).resolve(&scenario).unwrap();
//! let evaluation = engine.evaluate(&sign_in);
//! let decision = Decision::new(&engine, &sign_in, &evaluation.applied, &evaluation.env);
//! assert_eq!(decision.requirements_text(), "mfa");
//! ```

pub mod apps;
pub mod batch;
pub mod bits;
pub mod decision;
pub mod directory;
pub mod engine;
pub mod graph;
pub mod iptable;
pub mod report;
pub mod scenario;
pub mod signin;
pub mod signin_log;

pub use decision::{Decision, Outcome};
pub use directory::{BoundDirectory, Directory};
pub use engine::{Engine, Evaluation, Miss, PolicyResult, Reason, Why};
pub use report::Report;
pub use scenario::{ErrorKind, Resolver, Scenario, ScenarioError, UnknownUsers};
pub use signin::SignIn;

use serde_json::Value;

/// The kind of a JSON input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Input {
    /// Detect: a Graph What If request has `signInIdentity`; a `signIn` record has Graph sign-in
    /// properties such as `userId` or `ipAddress`; anything else is a capol scenario.
    #[default]
    Auto,
    /// capol's scenario JSON.
    Scenario,
    /// A Graph What If request body.
    Graph,
    /// A Graph `signIn` log record.
    SignIn,
}

/// A parsed input document.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The sign-in.
    pub scenario: Scenario,
    /// List only the applying policies (a What If request's `appliedPoliciesOnly`).
    pub applied_only: bool,
}

/// Read a JSON document of the given kind.
///
/// # Errors
///
/// The document does not fit its kind.
pub fn parse_input(value: &Value, input: Input) -> Result<Parsed, ScenarioError> {
    let input = match input {
        Input::Auto if value.get("signInIdentity").is_some() => Input::Graph,
        Input::Auto if signin_log::looks_like_sign_in(value) => Input::SignIn,
        Input::Auto => Input::Scenario,
        other => other,
    };
    match input {
        Input::Graph => graph::WhatIfRequest::from_value(value)
            .map(|r| Parsed { scenario: r.scenario, applied_only: r.applied_policies_only }),
        Input::SignIn => signin_log::scenario(value).map(|scenario| Parsed { scenario, applied_only: false }),
        _ => Scenario::from_value(value).map(|scenario| Parsed { scenario, applied_only: false }),
    }
}

/// Everything one evaluation produces.
#[derive(Debug, Clone)]
pub struct Run {
    /// The scenario as read.
    pub scenario: Scenario,
    /// The resolved sign-in.
    pub sign_in: SignIn,
    /// Per-policy results.
    pub evaluation: Evaluation,
    /// The combined decision.
    pub decision: Decision,
    /// List only the applying policies.
    pub applied_only: bool,
}

impl Run {
    /// A report over this evaluation.
    pub fn report<'a>(&'a self, engine: &'a Engine) -> Report<'a> {
        Report {
            engine,
            scenario: &self.scenario,
            sign_in: &self.sign_in,
            evaluation: &self.evaluation,
            decision: &self.decision,
            applied_only: self.applied_only,
        }
    }
}

/// Parse, resolve and evaluate one JSON document.
///
/// # Errors
///
/// The document is not JSON, does not fit its kind, or names something unknown.
pub fn evaluate_document(resolver: &Resolver<'_>, text: &str, input: Input) -> Result<Run, ScenarioError> {
    let value: Value = serde_json::from_str(text).map_err(|e| scenario::json_error(&e))?;
    let parsed = parse_input(&value, input)?;
    let sign_in = resolver.resolve(&parsed.scenario)?;
    let evaluation = resolver.engine.evaluate(&sign_in);
    let decision = Decision::new(resolver.engine, &sign_in, &evaluation.applied, &evaluation.env);
    Ok(Run { scenario: parsed.scenario, sign_in, evaluation, decision, applied_only: parsed.applied_only })
}
