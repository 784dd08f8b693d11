//! The test runner: every `test "..." { sign_in { ... } expect ... }` block of a workspace is a
//! sign-in evaluated offline by the interpreter, and its expectations are checked against the
//! evaluation and the combined decision.
//!
//! A test's `sign_in` is read exactly like a `capol eval` scenario (`docs/eval.md`): its fields
//! become a scenario document, resolved against the engine. `docs/testing-policies.md` defines
//! what each expectation means; `expect` holds the checks and `coverage` what the tests exercise.

pub mod coverage;
mod expect;
pub mod report;

use serde_json::{Map, Value, json};

use crate::eval::{Decision, Engine, Report, Resolver, Scenario, ScenarioError};
use crate::span::{FileId, Span};
use crate::syntax::ast;

pub use coverage::Coverage;

/// A `test` block and the file it is in.
#[derive(Debug, Clone, Copy)]
pub struct TestCase<'t> {
    /// The file.
    pub file: FileId,
    /// The declaration.
    pub decl: &'t ast::TestDecl,
}

/// Every `test` block of the files whose name contains `filter` (all when `None`), in file and
/// source order.
pub fn cases<'t>(files: &'t [ast::File], filter: Option<&str>) -> Vec<TestCase<'t>> {
    let mut out = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for decl in &file.decls {
            if let ast::Decl::Test(t) = decl
                && filter.is_none_or(|f| t.name.node.contains(f))
            {
                out.push(TestCase { file: FileId(index as u32), decl: t });
            }
        }
    }
    out
}

/// The scenario of a test's sign-in: its fields as a `capol eval` scenario document, read by
/// the same reader, so both accept the same words.
///
/// # Errors
///
/// A field the scenario reader refuses (the checker has already validated every word, so this
/// only happens for input the checker lets through, such as an app given by catalogue name).
pub fn scenario(name: &str, s: &ast::SignIn) -> Result<Scenario, ScenarioError> {
    let mut doc = Map::new();
    doc.insert("name".into(), json!(name));
    let words: [(&str, &Option<ast::Ident>); 14] = [
        ("user", &s.user),
        ("user_type", &s.user_type),
        ("app", &s.app),
        ("action", &s.action),
        ("auth_context", &s.auth_context),
        ("service_principal", &s.service_principal),
        ("country", &s.country),
        ("platform", &s.platform),
        ("client_app", &s.client_app),
        ("sign_in_risk", &s.sign_in_risk),
        ("user_risk", &s.user_risk),
        ("insider_risk", &s.insider_risk),
        ("service_principal_risk", &s.service_principal_risk),
        ("auth_flow", &s.auth_flow),
    ];
    for (key, value) in words {
        if let Some(v) = value {
            doc.insert(key.into(), json!(v.node));
        }
    }
    for (key, list) in [("groups", &s.groups), ("roles", &s.roles)] {
        if let Some(list) = list {
            let names: Vec<&str> = list.node.iter().map(|i| i.node.as_str()).collect();
            doc.insert(key.into(), json!(names));
        }
    }
    if let Some(ip) = &s.ip {
        doc.insert("ip".into(), json!(ip.node));
    }
    if let Some(device) = &s.device {
        let mut props = Map::new();
        for prop in &device.node {
            let value = match &prop.value.node {
                ast::DeviceValueAst::Text(t) => json!(t),
                ast::DeviceValueAst::Bool(b) => json!(b),
                ast::DeviceValueAst::List(items) => json!(items),
            };
            props.insert(prop.name.node.clone(), value);
        }
        doc.insert("device".into(), Value::Object(props));
    }
    Scenario::from_value(&Value::Object(doc))
}

/// Whether a test passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Every expectation holds.
    Passed,
    /// At least one expectation does not hold.
    Failed,
    /// The sign-in could not be evaluated.
    Error,
}

impl Status {
    /// `ok`, `FAILED` or `ERROR`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Passed => "ok",
            Status::Failed => "FAILED",
            Status::Error => "ERROR",
        }
    }
}

/// An expectation that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The expectation as written (in canonical form); several lines for `expect grant`, which
    /// are checked together.
    pub expectation: String,
    /// Where it is written.
    pub span: Span,
    /// What it expects, in words.
    pub expected: String,
    /// What the evaluation gave, in words.
    pub actual: String,
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The file it is in.
    pub file: FileId,
    /// The span of its name.
    pub span: Span,
    /// The expectations that do not hold.
    pub failures: Vec<Failure>,
    /// Why the sign-in could not be evaluated.
    pub error: Option<ScenarioError>,
    /// The scenario, when it could be read.
    pub scenario: Option<Scenario>,
    /// The combined decision, when evaluated.
    pub decision: Option<Decision>,
    /// The evaluation trace, as `capol eval` prints it.
    pub trace: String,
    /// Every policy whose conditions hold (enabled and report-only), in engine order.
    pub applied: Vec<String>,
}

impl TestResult {
    /// Passed, failed or error.
    pub fn status(&self) -> Status {
        if self.error.is_some() {
            Status::Error
        } else if self.failures.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        }
    }
}

/// Run the tests.
pub fn run(engine: &Engine, cases: &[TestCase<'_>]) -> Vec<TestResult> {
    cases.iter().map(|case| run_one(engine, case)).collect()
}

/// Run one test.
pub fn run_one(engine: &Engine, case: &TestCase<'_>) -> TestResult {
    let t = case.decl;
    let mut result = TestResult {
        name: t.name.node.clone(),
        file: case.file,
        span: t.name.span,
        failures: Vec::new(),
        error: None,
        scenario: None,
        decision: None,
        trace: String::new(),
        applied: Vec::new(),
    };
    let Some(sign_in) = t.sign_ins.first() else {
        result.error = Some(ScenarioError::new(
            crate::eval::ErrorKind::MissingField,
            "sign_in",
            "the test has no sign-in",
        ));
        return result;
    };
    let scenario = match scenario(&t.name.node, &sign_in.node) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    let resolved = match Resolver::new(engine).resolve(&scenario) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(e);
            result.scenario = Some(scenario);
            return result;
        }
    };
    let evaluation = engine.evaluate(&resolved);
    let decision = Decision::new(engine, &resolved, &evaluation.applied, &evaluation.env);
    let facts = expect::Facts { engine, sign_in: &resolved, evaluation: &evaluation, decision: &decision };
    result.failures = expect::check(&facts, &t.expects);
    result.trace = Report {
        engine,
        scenario: &scenario,
        sign_in: &resolved,
        evaluation: &evaluation,
        decision: &decision,
        applied_only: false,
    }
    .human();
    result.applied = evaluation
        .applied
        .iter()
        .filter_map(|&i| engine.policies().get(i as usize))
        .map(|p| p.display_name.clone())
        .collect();
    result.scenario = Some(scenario);
    result.decision = Some(decision);
    result
}
