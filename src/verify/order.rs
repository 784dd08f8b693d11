//! The order on outcomes: `block` is stricter than any grant, a grant is stricter than `allow`,
//! and a grant is at least as strict as another when its requirements imply the other's.
//!
//! Requirements are a conjunction of groups; an `and` group is a conjunction of controls and an
//! `or` group a disjunction, so a verdict is a monotone CNF over controls. One CNF implies a
//! clause when one of its clauses is, control by control, at least as strong as some control of
//! that clause. Controls imply themselves; a built-in authentication strength implies `mfa`
//! (every built-in strength is multifactor) and the weaker built-in strengths
//! (phishing-resistant ⇒ passwordless ⇒ multifactor). Custom strengths imply only themselves.

use super::model::Verdict;
use super::space::{Requirement, Universe, control_key};
use crate::ir;

/// How an outcome changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// Less strict: a block lifted or requirements dropped.
    Weakened,
    /// Neither stricter nor less strict: some requirements dropped, others added.
    Changed,
    /// Stricter: a block added or requirements added.
    Strengthened,
    /// Written differently, equally strict.
    Equivalent,
}

impl Change {
    /// The word.
    pub fn word(self) -> &'static str {
        match self {
            Change::Weakened => "weakened",
            Change::Changed => "changed",
            Change::Strengthened => "strengthened",
            Change::Equivalent => "equivalent",
        }
    }

    /// Whether some sign-in loses a requirement or a block it had (weakened or changed).
    pub fn loses_protection(self) -> bool {
        matches!(self, Change::Weakened | Change::Changed)
    }
}

/// The rank of a built-in authentication strength: multifactor 1, passwordless 2,
/// phishing-resistant 3.
fn strength_rank(c: &ir::Control) -> Option<u8> {
    let ir::Control::AuthStrength(r) = c else { return None };
    match r.id.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("00000000-0000-0000-0000-000000000002") => Some(1),
        Some("00000000-0000-0000-0000-000000000003") => Some(2),
        Some("00000000-0000-0000-0000-000000000004") => Some(3),
        _ => None,
    }
}

/// Whether satisfying control `a` satisfies control `b`.
pub fn implies(a: &ir::Control, b: &ir::Control) -> bool {
    if control_key(a) == control_key(b) {
        return true;
    }
    match (strength_rank(a), b) {
        (Some(_), ir::Control::Mfa) => true,
        (Some(ra), b) => strength_rank(b).is_some_and(|rb| ra >= rb),
        (None, _) => false,
    }
}

/// Whether every way of satisfying a requirement group satisfies `control`.
pub fn forces(r: &Requirement, control: &ir::Control) -> bool {
    match r.operator {
        ir::Operator::And => r.controls.iter().any(|c| implies(c, control)),
        ir::Operator::Or => !r.controls.is_empty() && r.controls.iter().all(|c| implies(c, control)),
    }
}

/// The clauses of a verdict's requirements.
fn clauses<'a>(u: &'a Universe, groups: &[usize]) -> Vec<Vec<&'a ir::Control>> {
    let mut out = Vec::new();
    for r in groups.iter().filter_map(|g| u.requirements.get(*g)) {
        match r.operator {
            ir::Operator::And => out.extend(r.controls.iter().map(|c| vec![c])),
            ir::Operator::Or => out.push(r.controls.iter().collect()),
        }
    }
    out
}

/// Whether verdict `a` is at least as strict as verdict `b`.
pub fn at_least(u: &Universe, a: &Verdict, b: &Verdict) -> bool {
    match (a, b) {
        (Verdict::Block, _) | (_, Verdict::Allow) => true,
        (_, Verdict::Block) | (Verdict::Allow, _) => false,
        (Verdict::Grant(x), Verdict::Grant(y)) => {
            let strong = clauses(u, x);
            clauses(u, y).iter().all(|needed| {
                strong.iter().any(|have| have.iter().all(|c| needed.iter().any(|n| implies(c, n))))
            })
        }
    }
}

/// How the outcome changed from `old` to `new`.
pub fn classify(u: &Universe, old: &Verdict, new: &Verdict) -> Change {
    match (at_least(u, new, old), at_least(u, old, new)) {
        (true, true) => Change::Equivalent,
        (true, false) => Change::Strengthened,
        (false, true) => Change::Weakened,
        (false, false) => Change::Changed,
    }
}
