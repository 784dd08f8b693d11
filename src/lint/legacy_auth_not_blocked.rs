//! Rule `legacy_auth_not_blocked`: legacy authentication is not blocked for everyone.
//!
//! ## What it does
//! Asks the evaluation engine, for a representative member user outside every group signing in
//! to an app no app-specific policy names, whether an *enabled* policy blocks each
//! `exchange_active_sync` and `other` sign-in from every location class (no IP address, one
//! address inside each named location, a public address outside all of them in a country no
//! location lists) on every platform (none, android, ios, windows, windows_phone, macos, linux).
//! It fires at the first sign-in no enabled policy blocks, and names a report-only or disabled
//! policy that would block it.
//!
//! The union of all enabled policies counts: one policy for Exchange ActiveSync and another for
//! other clients pass together, and so does any mix of conditions that leaves no gap. Policies
//! on named groups, roles or apps do not count, since the representative is in none of them.
//!
//! ## Why is this bad?
//! Legacy protocols cannot do multifactor authentication, so a stolen password is enough.
//! ScubaGear requires both client types in a single policy and misses sets that split them;
//! Maester checks them separately. capol evaluates what the set as a whole does.
//!
//! ## Example
//! ```capol
//! policy "Block legacy authentication" {
//!   state = report_only
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   client_apps exchange_active_sync, other
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Block legacy authentication" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   client_apps exchange_active_sync, other
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference BASE001 `legacy-auth-not-blocked`; ScubaGear MS.AAD.1.1v1 (`AADConfig.rego`
//! `LegacyAuthentication`); Maester MT.1009, MT.1010; Microsoft Learn, "Block legacy
//! authentication with Conditional Access".

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::eval::signin::Client;
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "legacy_auth_not_blocked",
    reference: "BASE001",
    summary: "no set of enabled policies blocks legacy authentication for all users and apps",
    default_level: Level::Error,
    docs: Docs(include_str!("legacy_auth_not_blocked.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let member = probe::member(ctx.engine);
    let Some(gap) = probe::first_gap(
        ctx.places(),
        ctx.engine,
        &member,
        probe::unlisted_app(),
        &[Client::ExchangeActiveSync, Client::Other],
        ctx.platforms(),
        |_| {},
        probe::Enforced::blocked,
    ) else {
        return;
    };
    let dormant =
        probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, |p| p.grant == Some(ir::Grant::Block));
    let message = format!(
        "legacy authentication is not blocked: {} by a member in no group reach an app no policy names",
        gap.describe()
    );
    out.push(ctx.gap_warning(
        &RULE,
        dormant,
        message,
        "this policy would block it, but is not enabled",
        ", or another policy blocking `exchange_active_sync` and `other` for all users and apps",
        "add an enabled policy: `users { include all  exclude group <break-glass> }`, `target apps all`, `client_apps exchange_active_sync, other`, `grant block`",
    ));
}
