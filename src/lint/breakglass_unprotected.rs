//! Rule `breakglass_unprotected`: emergency-access accounts without phishing-resistant MFA.
//!
//! ## What it does
//! For every emergency-access account and group, asks the evaluation engine about a `browser`
//! sign-in by it (a declared account with its memberships, or a member of the group alone) to
//! an app no app-specific policy names, from every location class: an enabled policy must block
//! it or require a phishing-resistant authentication strength (the built-in
//! "Phishing-resistant MFA", or one listed in `phishing_resistant_strengths`).
//!
//! ## Why is this bad?
//! Emergency-access accounts are excluded from the other policies and hold Global Administrator:
//! with password-only sign-in they are the easiest way into the tenant. Microsoft: "Require
//! phishing-resistant multifactor authentication for all of your emergency accounts."
//!
//! ## Example
//! ```capol
//! group break_glass { emergency_access }
//! // No policy includes group break_glass.
//! ```
//!
//! ## Use instead
//! ```capol
//! auth_strength phishing_resistant = builtin("Phishing-resistant MFA")
//!
//! policy "Break-glass: phishing-resistant MFA" {
//!   state = enabled
//!   users { include group break_glass }
//!   target apps all
//!   grant auth_strength phishing_resistant
//! }
//! ```
//!
//! ## Source
//! Reference EXC003 `breakglass-unprotected`; Microsoft Learn, "Manage emergency access
//! accounts in Microsoft Entra ID" (create emergency access accounts, step 4).

use super::{
    Docs, Level, LintContext, LintWarning, Rule, breakglass_not_excluded::breakglass_principals, probe,
};
use crate::eval::signin::Client;
use crate::ir::{self, Control};

/// The rule.
pub static RULE: Rule = Rule {
    id: "breakglass_unprotected",
    reference: "EXC003",
    summary: "an emergency-access account no enabled policy holds to phishing-resistant MFA",
    default_level: Level::Warning,
    docs: Docs(include_str!("breakglass_unprotected.rs")),
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
    for (words, scope_principal, loc) in breakglass_principals(ctx) {
        // The scope engine and the engine intern names alike (same program), so the principal
        // built for one is valid in the other.
        let Some(gap) = probe::first_gap(
            ctx.places(),
            ctx.engine,
            &scope_principal,
            probe::unlisted_app(),
            &[Client::Browser],
            &[None],
            |_| {},
            covered,
        ) else {
            continue;
        };
        let dormant = probe::dormant(ctx.program, ctx.scope_engine(), &gap.sign_in, strong);
        let help = match dormant {
            Some(p) => format!("policy `{}` would require it, but is not enabled: enable it", p.display_name),
            None => "add an enabled policy including them that requires the built-in \"Phishing-resistant MFA\" strength".to_owned(),
        };
        out.push(
            LintWarning::new(
                &RULE,
                loc,
                format!(
                    "emergency-access {words} can sign in without phishing-resistant MFA ({})",
                    gap.describe()
                ),
            )
            .label("not protected by any enabled policy")
            .help(help),
        );
    }
}
