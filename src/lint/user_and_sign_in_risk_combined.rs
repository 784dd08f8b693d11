//! Rule `user_and_sign_in_risk_combined`: user risk and sign-in risk conditions in one policy.
//!
//! ## What it does
//! Flags a policy that sets both `user_risk` and `sign_in_risk`.
//!
//! ## Why is this bad?
//! Conditions are ANDed: the policy applies only when the user risk *and* the sign-in risk
//! match. A risky user with an ordinary sign-in, or a risky sign-in by an ordinary user, gets
//! nothing from it.
//!
//! ## Example
//! ```capol
//! policy "Risky users and sign-ins" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   user_risk high
//!   sign_in_risk high
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! Two policies, one per risk:
//! ```capol
//! policy "High user risk" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   user_risk high
//!   grant all(mfa, password_change)
//! }
//!
//! policy "High sign-in risk" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   sign_in_risk high
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference STR007 `user-and-signin-risk-combined`; Maester MT.1049
//! (`Test-MtCaMisconfiguredIDProtection`).

use super::{Docs, Level, LintContext, LintWarning, Rule};

/// The rule.
pub static RULE: Rule = Rule {
    id: "user_and_sign_in_risk_combined",
    reference: "STR007",
    summary: "`user_risk` and `sign_in_risk` in one policy, which then needs both",
    default_level: Level::Warning,
    docs: Docs(include_str!("user_and_sign_in_risk_combined.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        if p.user_risk.is_empty() || p.sign_in_risk.is_empty() {
            continue;
        }
        let name = &p.display_name;
        out.push(
            LintWarning::new(
                &RULE,
                ctx.setting_loc(name, "user_risk"),
                format!("policy `{name}` applies only when user risk and sign-in risk both match"),
            )
            .label("user risk")
            .related(ctx.setting_loc(name, "sign_in_risk"), "and sign-in risk")
            .help("split it into a user-risk policy and a sign-in-risk policy"),
        );
    }
}
