//! Checking a test's expectations against an evaluation and its combined decision.
//!
//! `expect grant` lines are checked together: their conjunction must be logically equivalent to
//! what the sign-in must satisfy, the AND of every applying enforced policy's grant. Both sides
//! are read as a conjunction of clauses (`mfa` is the clause {mfa}, `all(a, b)` the clauses {a}
//! and {b}, `any(a, b)` the clause {a, b}); two such formulas are equivalent exactly when their
//! clauses, once every clause that contains another is dropped, are the same sets.

use std::collections::BTreeSet;

use super::Failure;
use crate::eval::decision::{Decision, Outcome, cas_word, frequency_text};
use crate::eval::{Engine, Evaluation, PolicyResult, SignIn};
use crate::fmt;
use crate::ir;
use crate::span::Spanned;
use crate::syntax::ast::{Control, Expectation, GrantExpr, SessionValue};

/// What a test's expectations are checked against.
pub(super) struct Facts<'a> {
    pub engine: &'a Engine,
    pub sign_in: &'a SignIn,
    pub evaluation: &'a Evaluation,
    pub decision: &'a Decision,
}

/// The expectations that do not hold, in source order (the `expect grant` lines as one, at the
/// first of them).
pub(super) fn check(facts: &Facts<'_>, expects: &[Spanned<Expectation>]) -> Vec<Failure> {
    let mut failures = Vec::new();
    let grants: Vec<&Spanned<Expectation>> = expects
        .iter()
        .filter(|e| matches!(&e.node, Expectation::Grant(g) if *g != GrantExpr::Block))
        .collect();
    for e in expects {
        let result = match &e.node {
            Expectation::Grant(GrantExpr::Block) | Expectation::Block(None) => block(facts, None),
            Expectation::Block(Some(by)) => block(facts, Some(&by.node)),
            Expectation::Allow => allow(facts),
            Expectation::Grant(_) => {
                if !grants.first().is_some_and(|first| std::ptr::eq(*first, e)) {
                    continue;
                }
                grant(facts, &grants)
            }
            Expectation::Applies(name) => applies(facts, &name.node, true),
            Expectation::NotApplies(name) => applies(facts, &name.node, false),
            Expectation::ReportOnly(name) => report_only(facts, &name.node),
            Expectation::Session(name, value) => session(facts, &name.node, value.as_ref().map(|v| &v.node)),
        };
        if let Err((expected, actual)) = result {
            let expectation = match &e.node {
                Expectation::Grant(g) if *g != GrantExpr::Block => {
                    grants.iter().map(|g| fmt::expectation_text(&g.node)).collect::<Vec<_>>().join("\n")
                }
                other => fmt::expectation_text(other),
            };
            failures.push(Failure { expectation, span: e.span, expected, actual });
        }
    }
    failures
}

type Check = Result<(), (String, String)>;

/// The decision in words: `block by `A``, `grant mfa AND compliant_device`, `allow`.
pub(super) fn outcome_text(d: &Decision) -> String {
    match d.outcome {
        Outcome::Block => format!("block by {}", quoted(&d.blocked_by)),
        Outcome::Grant => format!("grant {}", d.requirements_text()),
        Outcome::Allow if d.applied.is_empty() => "allow (no enforced policy applies)".to_owned(),
        Outcome::Allow => "allow (the applying policies require nothing)".to_owned(),
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn block(facts: &Facts<'_>, by: Option<&str>) -> Check {
    let d = facts.decision;
    let ok = d.outcome == Outcome::Block && by.is_none_or(|p| d.blocked_by.iter().any(|b| b == p));
    if ok {
        return Ok(());
    }
    let expected = match by {
        Some(p) => format!("block by `{p}`"),
        None => "block".to_owned(),
    };
    Err((expected, outcome_text(d)))
}

fn allow(facts: &Facts<'_>) -> Check {
    if facts.decision.outcome == Outcome::Allow {
        Ok(())
    } else {
        Err(("allow (no grant requirement)".to_owned(), outcome_text(facts.decision)))
    }
}

/// A conjunction of clauses, each a set of control words of which one is enough.
type Cnf = BTreeSet<BTreeSet<String>>;

fn control_word(c: &Control) -> String {
    match c {
        Control::Builtin(w) => w.node.clone(),
        Control::Ref(kind, name) => format!("{} {}", kind.keyword(), name.node),
    }
}

/// Drop every clause that contains another clause: `mfa AND any(mfa, x)` is `mfa`.
fn minimal(clauses: Vec<BTreeSet<String>>) -> Cnf {
    let all: Cnf = clauses.into_iter().filter(|c| !c.is_empty()).collect();
    all.iter().filter(|c| !all.iter().any(|other| other != *c && other.is_subset(c))).cloned().collect()
}

fn expected_cnf(grants: &[&Spanned<Expectation>]) -> Cnf {
    let mut clauses = Vec::new();
    for g in grants {
        match &g.node {
            Expectation::Grant(GrantExpr::One(c)) => clauses.push(BTreeSet::from([control_word(&c.node)])),
            Expectation::Grant(GrantExpr::All(list)) => {
                clauses.extend(list.iter().map(|c| BTreeSet::from([control_word(&c.node)])));
            }
            Expectation::Grant(GrantExpr::Any(list)) => {
                clauses.push(list.iter().map(|c| control_word(&c.node)).collect());
            }
            _ => {}
        }
    }
    minimal(clauses)
}

fn decision_cnf(d: &Decision) -> Cnf {
    let mut clauses = Vec::new();
    for group in &d.requirements {
        let words = group.controls.iter().map(ir::Control::word);
        match group.operator {
            ir::Operator::And => clauses.extend(words.map(|w| BTreeSet::from([w]))),
            ir::Operator::Or => clauses.push(words.collect()),
        }
    }
    minimal(clauses)
}

fn grant(facts: &Facts<'_>, grants: &[&Spanned<Expectation>]) -> Check {
    let d = facts.decision;
    if d.outcome == Outcome::Grant && decision_cnf(d) == expected_cnf(grants) {
        return Ok(());
    }
    let written: Vec<String> = grants
        .iter()
        .filter_map(|g| match &g.node {
            Expectation::Grant(g) => Some(grant_text(g)),
            _ => None,
        })
        .collect();
    Err((format!("grant {}", written.join(" AND ")), outcome_text(d)))
}

/// `mfa`, `any(a, b)`, `all(a, b)`: an expected grant as written.
fn grant_text(g: &GrantExpr) -> String {
    let list =
        |l: &[Spanned<Control>]| l.iter().map(|c| control_word(&c.node)).collect::<Vec<_>>().join(", ");
    match g {
        GrantExpr::Block => "block".to_owned(),
        GrantExpr::One(c) => control_word(&c.node),
        GrantExpr::Any(l) => format!("any({})", list(l)),
        GrantExpr::All(l) => format!("all({})", list(l)),
    }
}

/// The index of the policy with this display name.
fn policy(facts: &Facts<'_>, name: &str) -> Option<usize> {
    facts.engine.policies().iter().position(|p| p.display_name == name)
}

fn applies(facts: &Facts<'_>, name: &str, want: bool) -> Check {
    let expected = if want { format!("`{name}` applies") } else { format!("`{name}` does not apply") };
    let Some(i) = policy(facts, name) else {
        return Err((expected, format!("no policy is named `{name}`")));
    };
    match facts.evaluation.results.get(i) {
        Some(PolicyResult::Applies) if want => Ok(()),
        Some(PolicyResult::NotApplies(_)) if !want => Ok(()),
        Some(PolicyResult::Applies) => Err((expected, format!("`{name}` applies"))),
        Some(PolicyResult::NotApplies(miss)) => {
            let p = &facts.engine.policies()[i];
            let why =
                crate::eval::report::explain(facts.engine, p, *miss, facts.sign_in, &facts.evaluation.env);
            Err((expected, format!("`{name}` does not apply: {why}")))
        }
        None => Err((expected, format!("`{name}` was not evaluated"))),
    }
}

fn report_only(facts: &Facts<'_>, name: &str) -> Check {
    let expected = format!("report-only `{name}` would have applied");
    let Some(i) = policy(facts, name) else {
        return Err((expected, format!("no policy is named `{name}`")));
    };
    let state = facts.engine.policies()[i].state;
    if state != ir::PolicyState::ReportOnly {
        let word = if state == ir::PolicyState::Enabled { "enabled" } else { "disabled" };
        return Err((expected, format!("`{name}` is {word}, not report-only")));
    }
    applies(facts, name, true).map_err(|(_, actual)| (expected, actual))
}

fn session(facts: &Facts<'_>, control: &str, value: Option<&SessionValue>) -> Check {
    let s = &facts.decision.session;
    let want = match value {
        Some(SessionValue::Duration(d)) => Some(d.to_string()),
        Some(SessionValue::Word(w)) => Some(w.clone()),
        None => None,
    };
    let (actual, policies): (Option<String>, Vec<String>) = match control {
        "sign_in_frequency" => s
            .sign_in_frequency
            .as_ref()
            .map_or((None, Vec::new()), |m| (Some(frequency_text(&m.value)), m.policies.clone())),
        "persistent_browser" => s.persistent_browser.as_ref().map_or((None, Vec::new()), |m| {
            let word = if m.value == ir::PersistentBrowser::Never { "never" } else { "always" };
            (Some(word.to_owned()), m.policies.clone())
        }),
        "cloud_app_security" => s
            .cloud_app_security
            .as_ref()
            .map_or((None, Vec::new()), |m| (Some(cas_word(m.value).to_owned()), m.policies.clone())),
        flag => {
            let list = match flag {
                "app_enforced_restrictions" => &s.app_enforced_restrictions,
                "disable_resilience_defaults" => &s.disable_resilience_defaults,
                _ => &s.secure_sign_in_session,
            };
            ((!list.is_empty()).then(String::new), list.clone())
        }
    };
    let ok = match (&want, &actual) {
        (Some(w), Some(a)) => w == a,
        (None, Some(_)) => true,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let show = |v: &Option<String>| match v.as_deref() {
        Some("") | None => format!("session {control}"),
        Some(v) => format!("session {control} {v}"),
    };
    let actual = match actual {
        None if facts.decision.outcome == Outcome::Block => {
            format!("no session control: the sign-in is blocked ({})", outcome_text(facts.decision))
        }
        None => format!("no {control}"),
        Some(_) => format!("{} from {}", show(&actual), quoted(&policies)),
    };
    Err((show(&want), actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mfa AND any(compliant_device, domain_joined_device)`.
    fn cnf_text(cnf: &Cnf) -> String {
        cnf.iter()
            .map(|clause| {
                let words: Vec<&str> = clause.iter().map(String::as_str).collect();
                match words.as_slice() {
                    [one] => (*one).to_owned(),
                    many => format!("any({})", many.join(", ")),
                }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn set(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn absorbed_clauses_are_dropped() {
        let cnf = minimal(vec![set(&["mfa"]), set(&["mfa", "compliant_device"]), set(&["mfa"])]);
        assert_eq!(cnf, Cnf::from([set(&["mfa"])]));
        let cnf = minimal(vec![set(&["a", "b"]), set(&["b", "a"]), set(&["c"])]);
        assert_eq!(cnf_text(&cnf), "any(a, b) AND c");
    }
}
