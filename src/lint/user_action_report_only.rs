//! Rule `user_action_report_only`: a user-action policy in report-only mode.
//!
//! ## What it does
//! Flags a policy that targets `register_security_info` or `register_device` and is
//! `report_only`.
//!
//! ## Why is this bad?
//! "Conditional Access policies can be evaluated in report-only mode except for items included
//! in the User Actions scope." Such a policy is neither enforced nor logged: it is effectively
//! off, and nothing in the sign-in logs shows it. The seed scenario's registration policy is the
//! typical case.
//!
//! ## Example
//! ```capol
//! policy "Register security info from trusted networks" {
//!   state = report_only
//!   users { include all }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Use instead
//! Test it with `capol eval` (What If) or on a pilot group, then enable it:
//! ```capol
//! policy "Register security info from trusted networks" {
//!   state = enabled
//!   users { include group pilot }
//!   target action register_security_info
//!   locations { include any  exclude trusted }
//!   grant block
//! }
//! ```
//!
//! ## Source
//! Reference REG004 `user-action-report-only`; Microsoft Learn, "Analyze Conditional Access
//! policy impact (report-only)", first bullet.

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "user_action_report_only",
    reference: "REG004",
    summary: "a user-action policy in report-only mode, which Entra neither enforces nor logs",
    default_level: Level::Warning,
    docs: Docs(include_str!("user_action_report_only.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let ir::Target::UserActions { actions } = &p.target else { continue };
        if p.state != ir::PolicyState::ReportOnly {
            continue;
        }
        let name = &p.display_name;
        let words: Vec<&str> = actions.iter().map(|a| a.word()).collect();
        out.push(
            LintWarning::new(
                &RULE,
                ctx.setting_loc(name, "state"),
                format!("policy `{name}` on {} is report-only, which user actions ignore", super::quoted_list(&words)),
            )
            .label("neither enforced nor logged")
            .help("report-only mode does not evaluate user actions: test with `capol eval` or a pilot group, then set `state = enabled`"),
        );
    }
}
