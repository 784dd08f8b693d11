//! Rule `lockout_risk`: an enforced block of every user on every app with no exclusion.
//!
//! ## What it does
//! Flags an `enabled` policy with `grant block`, `include all` users and `target apps all` that
//! excludes no user, group or role, and whose conditions can match an ordinary modern sign-in:
//! its client apps include browsers or mobile and desktop apps, and it has no risk or
//! authentication-flow condition. A policy that blocks only legacy clients, risky sign-ins or
//! device-code flow cannot lock administrators out; location, platform and device conditions
//! can (a trusted network that changes, a laptop that is not compliant).
//!
//! ## Why is this bad?
//! "Be careful when using block and all resources in a single policy. This combination could
//! lock out admins." One wrong condition and nobody, emergency-access accounts included, can
//! sign in to fix it.
//!
//! ## Example
//! ```capol
//! policy "Block outside the office" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Block outside the office" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target apps all
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference EXC001 `lockout-risk`; Microsoft Learn, "Plan a Conditional Access deployment" (tip
//! under "Apply Conditional Access policies to every app") and "Users, groups, and workload
//! identities" (preventing administrator lockout).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir::{self, ClientApp};

/// The rule.
pub static RULE: Rule = Rule {
    id: "lockout_risk",
    reference: "EXC001",
    summary: "an enforced block of all users on all apps that excludes nobody",
    default_level: Level::Error,
    docs: Docs(include_str!("lockout_risk.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let all_apps = matches!(&p.target, ir::Target::Apps { include, .. } if include.all);
        let exclude = &p.users.exclude;
        let excludes_someone =
            !exclude.users.is_empty() || !exclude.groups.is_empty() || !exclude.roles.is_empty();
        let modern = p
            .client_apps
            .iter()
            .any(|c| matches!(c, ClientApp::All | ClientApp::Browser | ClientApp::MobileDesktop));
        let narrowed = !p.sign_in_risk.is_empty()
            || !p.user_risk.is_empty()
            || !p.insider_risk.is_empty()
            || !p.auth_flows.is_empty();
        if p.state != ir::PolicyState::Enabled
            || p.grant != Some(ir::Grant::Block)
            || !p.users.include.all
            || !all_apps
            || excludes_someone
            || !modern
            || narrowed
        {
            continue;
        }
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.setting_loc(name, "users"),
                format!("policy `{name}` can block every user on every app, administrators included"),
            )
            .label("all users, nobody excluded")
            .related(ctx.setting_loc(name, "grant"), "block")
            .help("exclude the emergency-access accounts (`exclude group break_glass`)"),
        );
    }
}
