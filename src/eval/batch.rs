//! Batch evaluation: one JSON document per line (scenarios, What If requests or `signIn` log
//! records), one decision per line, and a summary. The CLI streams the file; this module
//! evaluates lines and accumulates the summary.
//!
//! Two paths give the same output. The general one (`evaluate_line`, then `LineResult::to_json`
//! or `human`) reads a `serde_json::Value`, builds a `Scenario`, a `SignIn` and a `Decision`. The
//! fast one (`Batch::line`) reads capol scenario lines and Graph `signIn` records into borrowed
//! structs, resolves them
//! through the engine's interners and per-thread caches, and writes the output line straight
//! from per-policy tables built once; every line it does not handle goes to the general path.

mod fast;
mod scan;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::decision::{Decision, Outcome, group_of, same_group};
use super::engine::Engine;
use super::scenario::{Resolver, ScenarioError, json_error};
use super::signin::Principal;
use super::{Input, parse_input};
use crate::ir::{self, PolicyState};

/// Reusable per-thread buffers (and, for `Batch::line`, per-thread caches tied to one `Batch`).
#[derive(Debug, Default)]
pub struct Scratch {
    applicable: super::engine::Applicable,
    fast: fast::FastScratch,
    /// Requirement groups of the current line: (group, first policy requiring it).
    groups: Vec<(u32, u32)>,
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
    engine.applicable_into(&sign_in, &mut scratch.applicable);
    let applied = &scratch.applicable.policies;
    let decision = Decision::new(engine, &sign_in, applied, &scratch.applicable.env);
    Ok(LineResult { line, name: parsed.scenario.name, applied: applied.clone(), decision })
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
        match result {
            Err(_) => {
                self.lines += 1;
                self.errors += 1;
            }
            Ok(r) => self.count(r.decision.outcome, &r.applied),
        }
    }

    /// Count one evaluated line: its outcome and applying policies.
    pub fn count(&mut self, outcome: Outcome, applied: &[u32]) {
        self.lines += 1;
        match outcome {
            Outcome::Block => self.block += 1,
            Outcome::Grant => self.grant += 1,
            Outcome::Allow => self.allow += 1,
        }
        for &i in applied {
            if let Some(h) = self.hits.get_mut(i as usize) {
                *h += 1;
            }
        }
    }

    /// Add another summary's counts (of the same engine) to this one.
    pub fn merge(&mut self, other: &Summary) {
        self.lines += other.lines;
        self.errors += other.errors;
        self.block += other.block;
        self.grant += other.grant;
        self.allow += other.allow;
        if self.hits.len() < other.hits.len() {
            self.hits.resize(other.hits.len(), 0);
        }
        for (h, o) in self.hits.iter_mut().zip(&other.hits) {
            *h += o;
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

/// What a batch writes per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutput {
    /// `LineResult::to_json`, and `{"line": n, "error": …}` for a line with an error.
    Json,
    /// `LineResult::human`; nothing for a line with an error.
    Human,
    /// Nothing: only the summary counts the line.
    None,
}

/// How one enforced policy contributes to the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Block,
    /// A requirement group (index into `Batch::groups`).
    Group(u32),
    Nothing,
}

/// One policy, as the per-line output needs it.
#[derive(Debug, Clone)]
struct Row {
    state: PolicyState,
    effect: Effect,
    /// The display name.
    name: String,
    /// The display name as a JSON string (quoted, escaped).
    name_json: String,
    /// The text of this policy's requirement group (`RequirementGroup::text`).
    requires: String,
    /// `requires` escaped for a JSON string (no quotes).
    requires_json: String,
}

/// Distinguishes batches, so that a `Scratch`'s caches are never used with another engine.
static BATCH_IDS: AtomicU64 = AtomicU64::new(1);

/// A batch evaluator: per-policy tables built once, then `line` for every line (from any number
/// of threads, each with its own `Scratch`).
#[derive(Debug)]
pub struct Batch<'a> {
    resolver: Resolver<'a>,
    input: Input,
    output: LineOutput,
    id: u64,
    rows: Vec<Row>,
    empty: Arc<Principal>,
}

/// The JSON text of a string, as `serde_json` writes it.
fn json_string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// Append a string as `serde_json` writes it.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(json_string(s).as_bytes());
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Append a number in decimal.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// Append items separated by `sep`.
fn push_joined<'r>(out: &mut Vec<u8>, items: impl Iterator<Item = &'r str>, sep: &[u8]) {
    for (k, item) in items.enumerate() {
        if k > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(item.as_bytes());
    }
}

impl<'a> Batch<'a> {
    /// A batch over a resolver's engine, reading `input` documents and writing `output`.
    pub fn new(resolver: Resolver<'a>, input: Input, output: LineOutput) -> Batch<'a> {
        let engine = resolver.engine;
        let mut groups: Vec<super::decision::RequirementGroup> = Vec::new();
        let rows = engine
            .policies()
            .iter()
            .map(|p| {
                let name = p.display_name.as_str();
                let (effect, requires) = match &p.grant {
                    Some(ir::Grant::Block) => (Effect::Block, String::new()),
                    Some(ir::Grant::Require { operator, controls }) if !controls.is_empty() => {
                        let group = group_of(*operator, controls, name);
                        let text = group.text();
                        let index = match groups.iter().position(|g| same_group(g, &group)) {
                            Some(i) => i,
                            None => {
                                groups.push(group);
                                groups.len() - 1
                            }
                        };
                        (Effect::Group(index as u32), text)
                    }
                    _ => (Effect::Nothing, String::new()),
                };
                let quoted = json_string(&requires);
                let requires_json =
                    quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_owned();
                Row {
                    state: p.state,
                    effect,
                    name: name.to_owned(),
                    name_json: json_string(name),
                    requires,
                    requires_json,
                }
            })
            .collect();
        Batch {
            resolver,
            input,
            output,
            id: BATCH_IDS.fetch_add(1, Ordering::Relaxed),
            rows,
            empty: Arc::new(engine.empty_principal(ir::UserType::Member)),
        }
    }

    /// Per-thread buffers for `line`.
    pub fn scratch(&self) -> Scratch {
        Scratch::default()
    }

    /// The engine.
    pub fn engine(&self) -> &'a Engine {
        self.resolver.engine
    }

    /// A summary sized for this batch's engine.
    pub fn summary(&self) -> Summary {
        Summary::new(self.resolver.engine)
    }

    /// Evaluate one line (1-based number `line`, its text with or without the newline): count it
    /// into `summary` and append its output line, newline included, to `out`. The output and the
    /// counts are exactly those of `evaluate_line` with `Summary::add` and `LineResult::to_json`
    /// or `human`.
    ///
    /// # Errors
    ///
    /// The line could not be evaluated (counted, and written to `out` in JSON output); the
    /// caller reports it.
    pub fn line(
        &self,
        line: u64,
        text: &str,
        scratch: &mut Scratch,
        summary: &mut Summary,
        out: &mut Vec<u8>,
    ) -> Result<(), ScenarioError> {
        if let Some(name) = fast::evaluate(&self.resolver, self.input, self.id, &self.empty, text, scratch) {
            let outcome = self.decide(scratch, summary);
            self.write(line, name, outcome, scratch, out);
            return Ok(());
        }
        self.general_line(line, text, scratch, summary, out)
    }

    /// Whether `line` evaluates this text on the fast path (rather than handing it to the general
    /// one); evaluates it to know.
    pub fn is_fast(&self, text: &str, scratch: &mut Scratch) -> bool {
        fast::evaluate(&self.resolver, self.input, self.id, &self.empty, text, scratch).is_some()
    }

    /// `line` through the general path only (the reference the fast path is tested against).
    ///
    /// # Errors
    ///
    /// As `line`.
    pub fn general_line(
        &self,
        line: u64,
        text: &str,
        scratch: &mut Scratch,
        summary: &mut Summary,
        out: &mut Vec<u8>,
    ) -> Result<(), ScenarioError> {
        let result = evaluate_line(&self.resolver, self.input, line, text, scratch);
        summary.add(&result);
        match result {
            Ok(r) => {
                match self.output {
                    LineOutput::Json => out.extend_from_slice(r.to_json().as_bytes()),
                    LineOutput::Human => out.extend_from_slice(r.human().as_bytes()),
                    LineOutput::None => return Ok(()),
                }
                out.push(b'\n');
                Ok(())
            }
            Err(e) => {
                self.error(line, &e, out);
                Err(e)
            }
        }
    }

    /// A line that could not be read (not UTF-8): count it and write its error line.
    pub fn unreadable(&self, line: u64, e: &ScenarioError, summary: &mut Summary, out: &mut Vec<u8>) {
        summary.add(&Err(e.clone()));
        self.error(line, e, out);
    }

    fn error(&self, line: u64, e: &ScenarioError, out: &mut Vec<u8>) {
        if self.output == LineOutput::Json {
            let mut v = json!({"line": line});
            v["error"] = e.to_json();
            out.extend_from_slice(v.to_string().as_bytes());
            out.push(b'\n');
        }
    }

    /// The outcome of the applying policies in `scratch`, leaving the requirement groups (in
    /// first-seen order) in `scratch.groups`, as `Decision::new` combines them; counted into
    /// `summary` as `Summary::count` does.
    fn decide(&self, scratch: &mut Scratch, summary: &mut Summary) -> Outcome {
        scratch.groups.clear();
        let mut blocked = false;
        for &i in &scratch.applicable.policies {
            if let Some(h) = summary.hits.get_mut(i as usize) {
                *h += 1;
            }
            let Some(row) = self.rows.get(i as usize) else { continue };
            if row.state != PolicyState::Enabled {
                continue;
            }
            match row.effect {
                Effect::Block => blocked = true,
                Effect::Group(g) if !scratch.groups.iter().any(|&(h, _)| h == g) => {
                    scratch.groups.push((g, i));
                }
                _ => {}
            }
        }
        let outcome = if blocked {
            Outcome::Block
        } else if scratch.groups.is_empty() {
            Outcome::Allow
        } else {
            Outcome::Grant
        };
        summary.count(outcome, &[]);
        outcome
    }

    /// The rows of the applying policies in one state, and optionally one effect.
    fn applied<'s>(&'s self, scratch: &'s Scratch, state: PolicyState) -> impl Iterator<Item = &'s Row> + 's {
        scratch
            .applicable
            .policies
            .iter()
            .filter_map(|&i| self.rows.get(i as usize))
            .filter(move |r| r.state == state)
    }

    fn requirement_rows<'s>(&'s self, scratch: &'s Scratch) -> impl Iterator<Item = &'s Row> + 's {
        scratch.groups.iter().filter_map(|&(_, p)| self.rows.get(p as usize))
    }

    fn write(&self, line: u64, name: Option<&str>, outcome: Outcome, scratch: &Scratch, out: &mut Vec<u8>) {
        let enforced = || self.applied(scratch, PolicyState::Enabled);
        let blockers = || enforced().filter(|r| r.effect == Effect::Block);
        let report_only = || self.applied(scratch, PolicyState::ReportOnly);
        match self.output {
            LineOutput::None => {}
            LineOutput::Json => {
                out.extend_from_slice(b"{\"line\":");
                push_u64(out, line);
                out.extend_from_slice(b",\"name\":");
                match name {
                    Some(n) => push_json_str(out, n),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"outcome\":\"");
                out.extend_from_slice(outcome.word().as_bytes());
                out.extend_from_slice(b"\",\"blocked_by\":[");
                if outcome == Outcome::Block {
                    push_joined(out, blockers().map(|r| r.name_json.as_str()), b",");
                }
                out.extend_from_slice(b"],\"requires\":");
                if outcome == Outcome::Grant {
                    out.push(b'"');
                    push_joined(
                        out,
                        self.requirement_rows(scratch).map(|r| r.requires_json.as_str()),
                        b" AND ",
                    );
                    out.push(b'"');
                } else {
                    out.extend_from_slice(b"null");
                }
                out.extend_from_slice(b",\"applied\":[");
                push_joined(out, enforced().map(|r| r.name_json.as_str()), b",");
                out.extend_from_slice(b"],\"report_only\":[");
                push_joined(out, report_only().map(|r| r.name_json.as_str()), b",");
                out.extend_from_slice(b"]}\n");
            }
            LineOutput::Human => {
                out.extend_from_slice(b"line ");
                push_u64(out, line);
                if let Some(n) = name {
                    out.push(b' ');
                    out.extend_from_slice(n.as_bytes());
                }
                out.extend_from_slice(b": ");
                match outcome {
                    Outcome::Block => {
                        out.extend_from_slice(b"block by ");
                        push_joined(out, blockers().map(|r| r.name.as_str()), b", ");
                    }
                    Outcome::Grant => {
                        out.extend_from_slice(b"grant: ");
                        push_joined(
                            out,
                            self.requirement_rows(scratch).map(|r| r.requires.as_str()),
                            b" AND ",
                        );
                    }
                    Outcome::Allow => out.extend_from_slice(b"allow"),
                }
                if report_only().next().is_some() {
                    out.extend_from_slice(b" (report-only: ");
                    push_joined(out, report_only().map(|r| r.name.as_str()), b", ");
                    out.push(b')');
                }
                out.push(b'\n');
            }
        }
    }
}
