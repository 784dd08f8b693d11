//! Rule `admin_mfa_not_phishing_resistant`: privileged roles without phishing-resistant MFA.
//!
//! ## What it does
//! For each privileged role (by default ScubaGear's eight: Global, Privileged Role, User,
//! SharePoint, Exchange, Hybrid Identity, Application and Cloud Application Administrator; set
//! `privileged_roles` in `capol.toml` to change them), asks the evaluation engine about a
//! representative holder of that role alone, signing in with `browser` and `mobile_desktop`
//! clients to an app no app-specific policy names, from every location class on every
//! platform: an enabled policy must block the sign-in or require a phishing-resistant
//! authentication strength on every path of its grant. Phishing-resistant strengths are the
//! built-in "Phishing-resistant MFA" and those listed in `phishing_resistant_strengths`.
//! It fires once, listing the roles left without it.
//!
//! ## Why is this bad?
//! Administrators are the target of adversary-in-the-middle phishing, which plain MFA does not
//! stop. One forgotten role is enough.
//!
//! ## Example
//! ```capol
//! policy "Admins: MFA" {
//!   state = enabled
//!   users { include role global_admin  exclude group break_glass }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Admins: phishing-resistant MFA" {
//!   state = enabled
//!   users {
//!     include role global_admin, role privileged_role_admin, role user_admin,
//!       role sharepoint_admin, role exchange_admin, role hybrid_identity_admin,
//!       role application_admin, role cloud_application_admin
//!     exclude group break_glass
//!   }
//!   target apps all
//!   grant auth_strength phishing_resistant
//! }
//! ```
//!
//! ## Source
//! Reference BASE003 `no-phr-mfa-privileged`; ScubaGear MS.AAD.3.6v1
//! (`PhishingResistantMFAPrivilegedRoles`); Maester MT.1006; Microsoft Learn, "Plan a
//! Conditional Access deployment" (core policies).

use super::{Docs, Level, LintContext, LintWarning, Rule, probe};
use crate::catalog;
use crate::eval::signin::Client;
use crate::ir::{self, Control};

/// The rule.
pub static RULE: Rule = Rule {
    id: "admin_mfa_not_phishing_resistant",
    reference: "BASE003",
    summary: "a privileged role the enabled policies do not hold to phishing-resistant MFA",
    default_level: Level::Error,
    docs: Docs(include_str!("admin_mfa_not_phishing_resistant.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let policies = ctx.engine.policies();
    let strong = |p: &ir::Policy| {
        probe::requires(p, |c| matches!(c, Control::AuthStrength(s) if ctx.is_phishing_resistant(s)))
    };
    let covered = |e: &probe::Enforced| {
        e.blocked() || e.applied.iter().filter_map(|&i| policies.get(i as usize)).any(strong)
    };
    let mut missing = Vec::new();
    let mut dormant = None;
    for template in &ctx.config.privileged_roles {
        let holder = probe::role_holder(ctx.engine, template);
        let gap = probe::first_gap(
            ctx.places(),
            ctx.engine,
            &holder,
            probe::unlisted_app(),
            &[Client::Browser, Client::MobileDesktop],
            ctx.platforms(),
            |_| {},
            covered,
        );
        if let Some(gap) = gap {
            let name = catalog::role_by_id(template).map_or(template.as_str(), |r| r.name);
            if missing.is_empty() {
                dormant = probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, strong);
            }
            missing.push((name.to_owned(), gap));
        }
    }
    let Some((first, gap)) = missing.first() else { return };
    let names: Vec<&str> = missing.iter().map(|(n, _)| n.as_str()).collect();
    let message = format!(
        "phishing-resistant MFA is not required of {}: e.g. {} by a {first} get in without it",
        super::quoted_list(&names),
        gap.describe()
    );
    out.push(ctx.gap_warning(
        &RULE,
        dormant,
        message,
        "this policy would require it, but is not enabled",
        "",
        "require `auth_strength` with the built-in \"Phishing-resistant MFA\" for these roles on all apps in an enabled policy",
    ));
}
