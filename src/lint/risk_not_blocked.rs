//! Rule `risk_not_blocked`: high user risk or high sign-in risk is not stopped.
//!
//! ## What it does
//! Asks the evaluation engine about two `browser` sign-ins by a representative member user
//! outside every group to an app no app-specific policy names, from every location class: one
//! with high user risk, which an enabled policy must block or remediate (`password_change` or
//! `risk_remediation`), and one with high sign-in risk, which an enabled policy must block.
//! Risk levels need Microsoft Entra ID P2: the rule does not run when the workspace declares
//! `tenant { edition = free }` or `p1`; turn it off in `capol.toml` otherwise.
//!
//! ## Why is this bad?
//! A high user risk means the account is probably compromised; a high sign-in risk means this
//! sign-in probably is not the user. Both should be stopped, not merely challenged.
//!
//! ## Example
//! A workspace with no policy on `user_risk high` or `sign_in_risk high`.
//!
//! ## Use instead
//! ```capol
//! policy "High user risk" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   user_risk high
//!   grant all(mfa, password_change)
//! }
//!
//! policy "High sign-in risk" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   sign_in_risk high
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference BASE004 `no-risk-block`; ScubaGear MS.AAD.2.1v1, MS.AAD.2.3v1; Maester MT.1012,
//! MT.1013.

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::SignIn;
use crate::eval::signin::{Client, Risk};
use crate::ir::{self, Control};

/// One risk probe: what it is, how the sign-in is set, what covers it, and the fix.
type Case<'a> = (&'a str, &'a dyn Fn(&mut SignIn), &'a dyn Fn(&probe::Enforced) -> bool, &'a str);

/// The rule.
pub static RULE: Rule = Rule {
    id: "risk_not_blocked",
    reference: "BASE004",
    summary: "no enabled policy blocks or remediates high user risk, or blocks high sign-in risk",
    default_level: Level::Warning,
    docs: Docs(include_str!("risk_not_blocked.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    if matches!(ctx.program.tenant.edition, Some(ir::Edition::Free | ir::Edition::P1)) {
        return;
    }
    let member = probe::member(ctx.engine);
    let policies = ctx.engine.policies();
    let remediates = |p: &ir::Policy| {
        p.grant == Some(ir::Grant::Block)
            || probe::requires(p, |c| matches!(c, Control::PasswordChange | Control::RiskRemediation))
    };
    let user_covered =
        |e: &probe::Enforced| e.applied.iter().filter_map(|&i| policies.get(i as usize)).any(remediates);
    let cases: [Case<'_>; 2] = [
        (
            "high user risk",
            &|s: &mut SignIn| s.user_risk = Risk::High,
            &user_covered,
            "block it, or require `all(mfa, password_change)` or `risk_remediation`",
        ),
        (
            "high sign-in risk",
            &|s: &mut SignIn| s.sign_in_risk = Risk::High,
            &probe::Enforced::blocked,
            "block it",
        ),
    ];
    for (what, tweak, covered, fix) in cases {
        let Some(gap) = probe::first_gap(
            ctx.places(),
            ctx.engine,
            &member,
            probe::unlisted_app(),
            &[Client::Browser],
            &[None],
            tweak,
            covered,
        ) else {
            continue;
        };
        let message = format!("{what} is not stopped: {} with {what} get in", gap.describe());
        let dormant = probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, remediates);
        out.push(ctx.gap_warning(
            &RULE,
            dormant,
            message,
            "this policy would stop it, but is not enabled",
            "",
            format!("add an enabled policy for all users and apps on {what} that would {fix}"),
        ));
    }
}
