//! Batch evaluation: one JSON document per line (scenarios, What If requests or `signIn` log
//! records), one decision per line, and a summary. The CLI streams the file; this module
//! evaluates lines and accumulates the summary.

use serde_json::{Value, json};

use super::decision::{Decision, Outcome};
use super::engine::Engine;
use super::scenario::{Resolver, ScenarioError, json_error};
use super::{Input, parse_input};

/// Reusable per-thread buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    applied: Vec<u32>,
}

/// The result of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineResult {
    /// 1-based line number.
    pub line: u64,
    /// The scenario's label (`name`, or a log record's `id`).
    pub name: Option<String>,
    /// Indices of the applying policies (enforced and report-only).
    pub applied: Vec<u32>,
    /// The decision.
    pub decision: Decision,
}

impl LineResult {
    /// The output line (JSON, no newline).
    pub fn to_json(&self) -> String {
        let d = &self.decision;
        let report_only: Vec<&str> = d.report_only.iter().map(|r| r.policy.as_str()).collect();
        json!({
            "line": self.line,
            "name": self.name,
            "outcome": d.outcome.word(),
            "blocked_by": d.blocked_by,
            "requires": if d.requirements.is_empty() { Value::Null } else { json!(d.requirements_text()) },
            "applied": d.applied,
            "report_only": report_only,
        })
        .to_string()
    }

    /// The output line for people.
    pub fn human(&self) -> String {
        let d = &self.decision;
        let label = self.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
        let what = match d.outcome {
            Outcome::Block => format!("block by {}", d.blocked_by.join(", ")),
            Outcome::Grant => format!("grant: {}", d.requirements_text()),
            Outcome::Allow => "allow".to_owned(),
        };
        let ro = if d.report_only.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = d.report_only.iter().map(|r| r.policy.as_str()).collect();
            format!(" (report-only: {})", names.join(", "))
        };
        format!("line {}{label}: {what}{ro}", self.line)
    }
}

/// Evaluate one line.
///
/// # Errors
///
/// The line is not JSON, or the scenario is malformed or names something unknown.
pub fn evaluate_line(
    resolver: &Resolver<'_>,
    input: Input,
    line: u64,
    text: &str,
    scratch: &mut Scratch,
) -> Result<LineResult, ScenarioError> {
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let parsed = parse_input(&value, input)?;
    let sign_in = resolver.resolve(&parsed.scenario)?;
    let engine: &Engine = resolver.engine;
    engine.applicable_into(&sign_in, &mut scratch.applied);
    let env = engine.env(&sign_in);
    let decision = Decision::new(engine, &sign_in, &scratch.applied, &env);
    Ok(LineResult { line, name: parsed.scenario.name, applied: scratch.applied.clone(), decision })
}

/// Counts over a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines read (blank lines excluded).
    pub lines: u64,
    /// Lines that could not be evaluated.
    pub errors: u64,
    /// Decisions by outcome.
    pub block: u64,
    /// Grants.
    pub grant: u64,
    /// Allows.
    pub allow: u64,
    /// Per policy (engine order): how many sign-ins it applied to.
    pub hits: Vec<u64>,
}

impl Summary {
    /// An empty summary for an engine.
    pub fn new(engine: &Engine) -> Summary {
        Summary { hits: vec![0; engine.policies().len()], ..Summary::default() }
    }

    /// Count one line.
    pub fn add(&mut self, result: &Result<LineResult, ScenarioError>) {
        self.lines += 1;
        match result {
            Err(_) => self.errors += 1,
            Ok(r) => {
                match r.decision.outcome {
                    Outcome::Block => self.block += 1,
                    Outcome::Grant => self.grant += 1,
                    Outcome::Allow => self.allow += 1,
                }
                for &i in &r.applied {
                    if let Some(h) = self.hits.get_mut(i as usize) {
                        *h += 1;
                    }
                }
            }
        }
    }

    /// The summary as a JSON object (`{"summary": ...}`).
    pub fn to_json(&self, engine: &Engine) -> Value {
        let hits: Vec<Value> = engine
            .policies()
            .iter()
            .zip(&self.hits)
            .map(|(p, h)| json!({"policy": p.display_name, "state": super::graph::state(p.state), "applied": h}))
            .collect();
        json!({"summary": {
            "lines": self.lines,
            "evaluated": self.lines - self.errors,
            "errors": self.errors,
            "outcomes": {"block": self.block, "grant": self.grant, "allow": self.allow},
            "hits": hits,
        }})
    }

    /// The summary for people.
    pub fn human(&self, engine: &Engine) -> String {
        let mut out = format!(
            "{} lines: {} evaluated, {} errors\noutcomes: {} block, {} grant, {} allow\nhits per policy:\n",
            self.lines,
            self.lines - self.errors,
            self.errors,
            self.block,
            self.grant,
            self.allow
        );
        for (p, h) in engine.policies().iter().zip(&self.hits) {
            let ro = if p.state == crate::ir::PolicyState::ReportOnly { " (report-only)" } else { "" };
            out.push_str(&format!("  {h:>9}  {}{ro}\n", p.display_name));
        }
        out
    }
}
