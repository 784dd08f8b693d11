//! Rule `redundant_policy`: a policy another enabled policy already implies.
//!
//! ## What it does
//! Flags an enabled policy P when another enabled policy Q covers all of P's scope (the
//! conservative comparison of `shadowed_by_block`) and requires at least as much: both block,
//! or every way of satisfying Q's grant satisfies P's (`mfa` is satisfied by any authentication
//! strength), and P's session controls are none or the same as Q's. Of two identical policies,
//! the one written later is flagged. Blocks shadowing grants are `shadowed_by_block`'s.
//!
//! ## Why is this bad?
//! "Minimize the number of Conditional Access policies." Duplicates drift apart: one gets
//! edited, the other does not, and the effective rule is no longer the one anybody reads.
//!
//! ## Example
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//!
//! policy "MFA for Office 365" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps office365
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! Keep "MFA for everyone" and delete the other.
//!
//! ## Source
//! Reference SEM002 `redundant-policy`; Microsoft Learn, "Plan a Conditional Access deployment"
//! (minimize the number of policies).

use super::{Docs, Level, LintContext, LintWarning, Rule, shadowed_by_block::covers};
use crate::ir::{self, Control, Operator};

/// The rule.
pub static RULE: Rule = Rule {
    id: "redundant_policy",
    reference: "SEM002",
    summary: "an enabled policy implied by another enabled policy with the same or stronger controls",
    default_level: Level::Info,
    docs: Docs(include_str!("redundant_policy.rs")),
    check,
};

fn satisfies(q: &Control, p: &Control) -> bool {
    q == p || (*p == Control::Mfa && matches!(q, Control::AuthStrength(_)))
}

/// Whether meeting `q`'s grant always meets `p`'s.
fn implies(q: &Option<ir::Grant>, p: &Option<ir::Grant>) -> bool {
    match (q, p) {
        (_, None) => true,
        (Some(ir::Grant::Block), Some(ir::Grant::Block)) => true,
        (
            Some(ir::Grant::Require { operator: qo, controls: qc }),
            Some(ir::Grant::Require { operator: po, controls: pc }),
        ) => {
            let q_all = *qo == Operator::And || qc.len() == 1;
            let p_all = *po == Operator::And || pc.len() == 1;
            match (q_all, p_all) {
                (true, true) => pc.iter().all(|c| qc.iter().any(|x| satisfies(x, c))),
                (true, false) => qc.iter().any(|x| pc.iter().any(|c| satisfies(x, c))),
                (false, true) => qc.iter().all(|x| pc.iter().all(|c| satisfies(x, c))),
                (false, false) => qc.iter().all(|x| pc.iter().any(|c| satisfies(x, c))),
            }
        }
        _ => false,
    }
}

fn redundant(q: &ir::Policy, p: &ir::Policy) -> bool {
    covers(q, p)
        && implies(&q.grant, &p.grant)
        && (p.grant.is_some() || !p.session.is_empty())
        && (p.session.is_empty() || p.session == q.session)
        && !(q.grant == Some(ir::Grant::Block) && p.grant != Some(ir::Grant::Block))
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let policies: Vec<&ir::Policy> =
        ctx.policies().iter().filter(|p| p.state == ir::PolicyState::Enabled).collect();
    for (pi, p) in policies.iter().enumerate() {
        // Of two policies implying each other, only the later one is reported.
        let found = policies
            .iter()
            .enumerate()
            .find(|(qi, q)| *qi != pi && redundant(q, p) && !(redundant(p, q) && *qi > pi));
        let Some((_, q)) = found else { continue };
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.policy_loc(name),
                format!(
                    "policy `{name}` adds nothing: policy `{}` already requires as much wherever it applies",
                    q.display_name
                ),
            )
            .label("redundant")
            .related(ctx.policy_loc(&q.display_name), "implies it")
            .help("delete one of them, or make them differ on purpose"),
        );
    }
}
