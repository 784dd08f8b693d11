//! Rule `all_trusted_dependency`: a policy relying on `trusted` (Graph's `AllTrusted`).
//!
//! ## What it does
//! Flags a policy that uses `trusted` in its `locations`. It is an `error` when the policy
//! blocks everything except trusted locations and the workspace declares no trusted location:
//! that blocks everyone, everywhere. Otherwise it is `info`.
//!
//! ## Why is this bad?
//! `AllTrusted` is every named location marked trusted *plus* the legacy MFA-service "trusted
//! IPs", which live outside the workspace. What a policy on `trusted` exempts is therefore
//! partly invisible to review, and with no trusted location at all, a block outside `trusted`
//! blocks every sign-in.
//!
//! ## Example
//! ```capol
//! policy "Block outside trusted networks" {
//!   state = enabled
//!   users { include group service_accounts }
//!   target apps all
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Block outside trusted networks" {
//!   state = enabled
//!   users { include group service_accounts }
//!   target apps all
//!   locations { include any  exclude headquarters }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference LOC006 `alltrusted-dependency`; Microsoft Learn, "Conditional Access: Network
//! assignment" ("All trusted networks and locations", "Multifactor authentication trusted
//! IPs").

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "all_trusted_dependency",
    reference: "LOC006",
    summary: "a policy on `trusted`, which also covers MFA trusted IPs outside the workspace",
    default_level: Level::Error,
    docs: Docs(include_str!("all_trusted_dependency.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let any_trusted =
        ctx.program.locations.iter().any(|l| matches!(l.kind, ir::LocationKind::Ip { trusted: true, .. }));
    for p in ctx.policies() {
        let Some(l) = &p.locations else { continue };
        if !l.include.trusted && !l.exclude.trusted {
            continue;
        }
        let name = &p.display_name;
        let loc = ctx.setting_loc(name, "locations");
        if p.grant == Some(ir::Grant::Block) && l.exclude.trusted && !any_trusted {
            out.push(
                LintWarning::new(
                    &RULE,
                    loc,
                    format!(
                        "policy `{name}` blocks everything outside `trusted`, and no location is trusted"
                    ),
                )
                .label("exempts only MFA trusted IPs, if any")
                .help(
                    "declare the trusted networks (`location hq { trusted  ip ... }`) before enforcing this",
                ),
            );
        } else {
            out.push(
                LintWarning::new(
                    &RULE,
                    loc,
                    format!(
                        "policy `{name}` relies on `trusted`, which includes the MFA service's trusted IPs"
                    ),
                )
                .level(Level::Info)
                .label("`trusted`")
                .help("name the trusted locations explicitly to keep the policy's scope in the workspace"),
            );
        }
    }
}
