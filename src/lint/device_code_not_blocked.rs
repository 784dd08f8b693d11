//! Rule `device_code_not_blocked`: the device code flow is not blocked for everyone.
//!
//! ## What it does
//! Asks the evaluation engine whether an *enabled* policy blocks a `device_code` sign-in by a
//! representative member user outside every group, to an app no app-specific policy names,
//! with a `mobile_desktop` or `browser` client, from every location class (no IP address, each
//! named location, an untrusted public address) on every platform. The engine treats
//! `auth_flows` as a set of flags, so a policy on `device_code, auth_transfer` counts.
//!
//! ## Why is this bad?
//! Device code phishing hands an attacker a token for a code the user typed in good faith.
//! Few users need the flow; block it and exclude those who do.
//!
//! ## Example
//! A workspace with no policy on `auth_flows device_code`.
//!
//! ## Use instead
//! ```capol
//! policy "Block device code flow" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   auth_flows device_code, auth_transfer
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference BASE005 `device-code-not-blocked`; ScubaGear MS.AAD.3.9v1 (whose check compares
//! `transferMethods` for equality and misses combined flags); Maester MT.1052; Microsoft
//! Learn, "Plan a Conditional Access deployment" (restrict device code flow).

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Client;
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "device_code_not_blocked",
    reference: "BASE005",
    summary: "no set of enabled policies blocks the device code flow for all users and apps",
    default_level: Level::Warning,
    docs: Docs(include_str!("device_code_not_blocked.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let member = probe::member(ctx.engine);
    let Some(gap) = probe::first_gap(
        ctx.places(),
        ctx.engine,
        &member,
        probe::unlisted_app(),
        &[Client::MobileDesktop, Client::Browser],
        ctx.platforms(),
        |s| s.auth_flow = Some(ir::AuthFlow::DeviceCode),
        probe::Enforced::blocked,
    ) else {
        return;
    };
    let dormant =
        probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, |p| p.grant == Some(ir::Grant::Block));
    let message = format!("the device code flow is not blocked: device code {} get in", gap.describe());
    out.push(ctx.gap_warning(
        &RULE,
        dormant,
        message,
        "this policy would block it, but is not enabled",
        "",
        "add an enabled policy with `auth_flows device_code` and `grant block` for all users and apps",
    ));
}
