//! Rule `stale_report_only`: a policy left in report-only mode too long.
//!
//! ## What it does
//! Flags a `report_only` policy whose `report_only_since` date is more than
//! `report_only_max_days` (default 30) before today. A report-only policy without
//! `report_only_since` gets an `info` finding: its age is unknown. The date compared against is
//! `today` in `capol.toml`, or the system date when `capol lint` runs.
//!
//! ## Why is this bad?
//! Report-only is a staging step ("after confirming the impact, move the toggle from
//! Report-only to On"), not an end state: meanwhile nothing is enforced.
//!
//! ## Example
//! ```capol
//! policy "MFA for everyone" {
//!   state = report_only
//!   report_only_since = "2025-01-15"
//!   users { include all }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference LIFE002 `stale-report-only`; Microsoft Learn, "Analyze Conditional Access policy
//! impact (report-only)" and "Conditional Access policy templates"; ScubaGear `aad.md`
//! ("Conditional Access Policies": report-only first, then on).

use super::{Docs, Level, LintContext, LintWarning, Rule, config::Date};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "stale_report_only",
    reference: "LIFE002",
    summary: "a policy report-only for longer than `report_only_max_days` (30), or since an unknown date",
    default_level: Level::Warning,
    docs: Docs(include_str!("stale_report_only.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let max = i64::from(ctx.config.report_only_max_days);
    for p in ctx.policies() {
        if p.state != ir::PolicyState::ReportOnly {
            continue;
        }
        let name = &p.display_name;
        let since = p.report_only_since.as_deref().and_then(Date::parse);
        match (since, ctx.config.today) {
            (None, _) => out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "state"),
                    format!("policy `{name}` is report-only since an unknown date"),
                )
                .level(Level::Info)
                .label("report-only")
                .help("add `report_only_since = \"YYYY-MM-DD\"` so its age can be checked"),
            ),
            (Some(since), Some(today)) => {
                let days = today.days() - since.days();
                if days > max {
                    out.push(
                        LintWarning::new(
                            &RULE,
                            ctx.setting_loc(name, "report_only_since"),
                            format!("policy `{name}` has been report-only for {days} days"),
                        )
                        .label(format!("since {since}, more than {max} days before {today}"))
                        .help("review its report-only results and enable it, or delete it"),
                    );
                }
            }
            (Some(_), None) => {}
        }
    }
}
