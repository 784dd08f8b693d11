//! Rule `retired_approved_app`: the retired "require approved client app" grant.
//!
//! ## What it does
//! Flags a grant that requires `approved_app` without offering `compliant_app` as an
//! alternative in `any(...)`. The level is `error` once the retirement date (31 March 2026) has
//! passed, `warning` before it or when today's date is unknown.
//!
//! ## Why is this bad?
//! Microsoft retired the approved client app grant in March 2026. After that, Entra enforces a
//! policy "as if this grant isn't selected": a policy requiring only `approved_app` stops
//! requiring anything, and one requiring `all(approved_app, ...)` silently drops it.
//!
//! ## Example
//! ```capol
//! policy "Mobile: approved apps" {
//!   state = enabled
//!   users { include all }
//!   target apps office365
//!   platforms { include ios, android }
//!   grant approved_app
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "Mobile: app protection" {
//!   state = enabled
//!   users { include all }
//!   target apps office365
//!   platforms { include ios, android }
//!   grant compliant_app
//! }
//! ```
//!
//! ## Source
//! Reference STR009 `deprecated-construct` (a); Maester MT.1072; Microsoft Learn, "Migrate
//! approved client app to application protection policy" and "Conditional Access: Grant".
//! Part (b), the deprecated traffic-profile properties, cannot be written in capol.

use super::{Docs, Level, LintContext, LintWarning, Rule, config::Date};
use crate::ir::{self, Control};

/// The rule.
pub static RULE: Rule = Rule {
    id: "retired_approved_app",
    reference: "STR009",
    summary: "`approved_app` without `compliant_app` as an alternative (retired in March 2026)",
    default_level: Level::Error,
    docs: Docs(include_str!("retired_approved_app.rs")),
    check,
};

/// The last day the approved client app grant was enforced.
const RETIREMENT: Date = Date { year: 2026, month: 3, day: 31 };

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let retired = ctx.config.today.is_some_and(|t| t > RETIREMENT);
    for p in ctx.policies() {
        let Some(ir::Grant::Require { operator, controls }) = &p.grant else { continue };
        if !controls.contains(&Control::ApprovedApp) {
            continue;
        }
        if *operator == ir::Operator::Or && controls.contains(&Control::CompliantApp) {
            continue;
        }
        let name = &p.display_name;
        let mut finding = LintWarning::new(
            &RULE,
            ctx.setting_loc(name, "grant"),
            format!("policy `{name}` requires `approved_app`, a grant retired in March 2026"),
        )
        .label(if retired { "no longer enforced" } else { "retired after 31 March 2026" })
        .help("require `compliant_app` (an app protection policy), or `any(approved_app, compliant_app)` while migrating");
        if !retired {
            finding = finding.level(Level::Warning);
        }
        out.push(finding);
    }
}
