//! Rule `registration_not_location_scoped`: a registration policy not restricted by location.
//!
//! ## What it does
//! Flags an enabled `register_security_info` policy whose `locations` are not "include `any`,
//! exclude the trusted networks" (`exclude trusted` or named locations), or that has no grant
//! (it must block, as in the seed scenario, or require MFA, an authentication strength or a
//! managed device), or whose `client_apps` leave out `mobile_desktop`: registration in the
//! Microsoft Authenticator app is a mobile-app sign-in. `client_apps browser, mobile_desktop`
//! is fine.
//!
//! ## Why is this bad?
//! This is the seed requirement and Microsoft's template: registration from anywhere lets a
//! stolen password become a registered authenticator. Microsoft's template is "include any
//! location, exclude all trusted locations".
//!
//! ## Example
//! ```capol
//! policy "Register security info" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   grant auth_strength phishing_resistant_or_tap
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Register security info on trusted networks" {
//!   state = enabled
//!   users { include all  exclude group break_glass }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference REG002 `registration-not-location-scoped`; Microsoft Learn, "Protect security info
//! registration with Conditional Access policy"; Maester MT.1011 (which also demands
//! `clientAppTypes == all`, stricter than needed).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir::{self, ClientApp, UserAction};

/// The rule.
pub static RULE: Rule = Rule {
    id: "registration_not_location_scoped",
    reference: "REG002",
    summary: "an enabled registration policy without \"include any, exclude trusted\", a grant, or mobile apps",
    default_level: Level::Warning,
    docs: Docs(include_str!("registration_not_location_scoped.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let registers = matches!(&p.target, ir::Target::UserActions { actions } if actions.contains(&UserAction::RegisterSecurityInfo));
        if !registers || p.state != ir::PolicyState::Enabled {
            continue;
        }
        let name = &p.display_name;
        let scoped = p
            .locations
            .as_ref()
            .is_some_and(|l| l.include.any && (l.exclude.trusted || !l.exclude.named.is_empty()));
        if !scoped {
            out.push(
                LintWarning::new(&RULE, ctx.setting_loc(name, "locations"), format!("registration policy `{name}` does not restrict registration to trusted locations"))
                    .label(if p.locations.is_some() { "not \"include any, exclude trusted\"" } else { "no location condition" })
                    .help("add `locations { include any  exclude trusted }` (or exclude the named trusted locations)"),
            );
        }
        if p.grant.is_none() {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "session"),
                    format!("registration policy `{name}` has no grant"),
                )
                .label("no block and no requirement")
                .help("use `grant block` outside trusted locations, or require an authentication strength"),
            );
        }
        if !p.client_apps.iter().any(|c| matches!(c, ClientApp::All | ClientApp::MobileDesktop)) {
            out.push(
                LintWarning::new(&RULE, ctx.setting_loc(name, "client_apps"), format!("registration policy `{name}` leaves out mobile apps"))
                    .label("no `mobile_desktop`")
                    .help("registration in the Authenticator app is a `mobile_desktop` sign-in: add it, or drop `client_apps`"),
            );
        }
    }
}
