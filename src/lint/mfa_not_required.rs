//! Rule `mfa_not_required`: multifactor authentication is not required of everyone.
//!
//! ## What it does
//! Asks the evaluation engine, for a representative member user outside every group signing in
//! to an app no app-specific policy names, whether the *enabled* policies block or require
//! multifactor authentication (`mfa` or an authentication strength, on every path of the
//! grant) for each `browser` and `mobile_desktop` sign-in from every location class (no IP
//! address, each named location, an untrusted public address) on every platform. It fires at
//! the first sign-in that gets in without it, and names a report-only or disabled policy that
//! would require it. `any(mfa, compliant_device)` does not count: the device alone suffices.
//!
//! ## Why is this bad?
//! MFA for every user is the baseline every guide starts with; a gap by location, platform or
//! client is where password spraying lands.
//!
//! ## Example
//! ```capol
//! policy "MFA outside the office" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   locations { include any  exclude trusted }
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference BASE002 `no-mfa-all-users`; ScubaGear MS.AAD.3.2v2 (`IsGeneralMFA`); Maester
//! MT.1007; Microsoft Learn, "Conditional Access policy templates".

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Client;

/// The rule.
pub static RULE: Rule = Rule {
    id: "mfa_not_required",
    reference: "BASE002",
    summary: "the enabled policies let some sign-in of an ordinary user in without MFA",
    default_level: Level::Error,
    docs: Docs(include_str!("mfa_not_required.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let member = probe::member(ctx.engine);
    let policies = ctx.engine.policies();
    let covered = |e: &probe::Enforced| {
        e.blocked()
            || e.applied
                .iter()
                .filter_map(|&i| policies.get(i as usize))
                .any(|p| probe::requires(p, probe::is_mfa))
    };
    let Some(gap) = probe::first_gap(
        ctx.places(),
        ctx.engine,
        &member,
        probe::unlisted_app(),
        &[Client::Browser, Client::MobileDesktop],
        ctx.platforms(),
        |_| {},
        covered,
    ) else {
        return;
    };
    let dormant =
        probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, |p| probe::requires(p, probe::is_mfa));
    let message = format!(
        "multifactor authentication is not required: {} by a member in no group get in without it",
        gap.describe()
    );
    out.push(ctx.gap_warning(
        &RULE,
        dormant,
        message,
        "this policy would require it, but is not enabled",
        "",
        "add an enabled policy requiring `mfa` (or an authentication strength) for all users on all apps, excluding only the emergency-access accounts",
    ));
}
