//! Rule `unjustified_exclusion`: an exclusion with no recorded reason.
//!
//! ## What it does
//! Flags every user, group, role, guest and app exclusion of a policy, except the
//! emergency-access accounts and groups. The way to keep an exclusion is to justify it where it
//! is written, with a suppression that carries the reason:
//! `// capol: allow(unjustified_exclusion) reason: sync account, owner: IAM team, review 2027-01`.
//!
//! ## Why is this bad?
//! Every exclusion is a hole in the policy. Only intended ones should pass review, each with an
//! owner and a reason; Microsoft: "Use exclusions sparingly… add users back as soon as
//! possible." ScubaGear fails any exclusion not listed in its configuration.
//!
//! ## Example
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users { include all  exclude group break_glass, group vip }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! policy "MFA for everyone" {
//!   state = enabled
//!   users {
//!     include all
//!     exclude group break_glass, group kiosk  // capol: allow(unjustified_exclusion) reason: kiosks use FIDO2 via CA110, owner IT-Ops
//!   }
//!   target apps all
//!   grant mfa
//! }
//! ```
//!
//! ## Source
//! Reference EXC005 `undeclared-exclusion` (the reason is the suppression's; capol has no
//! expiry yet); ScubaGear `CapExclusions` and the `*ExclusionsFullyExempt` functions in
//! `Rego/Utils/AAD.rego`; Microsoft Learn, "Plan a Conditional Access deployment".

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "unjustified_exclusion",
    reference: "EXC005",
    summary: "an exclusion (other than emergency access) with no reason recorded next to it",
    default_level: Level::Warning,
    docs: Docs(include_str!("unjustified_exclusion.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for p in ctx.policies() {
        let name = &p.display_name;
        let exclude = &p.users.exclude;
        let mut items: Vec<(String, String)> = Vec::new();
        for g in exclude.groups.iter().filter(|g| !ctx.emergency.groups.contains(&g.name)) {
            items.push((format!("group `{}`", g.name), g.name.clone()));
        }
        for u in exclude.users.iter().filter(|u| !ctx.emergency.users.contains(&u.name)) {
            items.push((format!("user `{}`", u.name), u.name.clone()));
        }
        for r in &exclude.roles {
            items.push((format!("role `{}`", r.name), r.name.clone()));
        }
        if exclude.all_guests || exclude.guests.is_some() {
            items.push(("guests".into(), "guests".into()));
        }
        for (words, key) in items {
            let loc = ctx.principal_loc(name, &key, false).unwrap_or_else(|| ctx.setting_loc(name, "users"));
            out.push(
                LintWarning::new(
                    &RULE,
                    loc,
                    format!("policy `{name}` excludes {words} without a recorded reason"),
                )
                .label("exclusion")
                .help("remove it, or justify it: `// capol: allow(unjustified_exclusion) reason: ...`"),
            );
        }
        if let ir::Target::Apps { exclude, .. } = &p.target
            && !exclude.is_empty()
        {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.setting_loc(name, "exclude apps"),
                    format!("policy `{name}` excludes apps without a recorded reason"),
                )
                .label("exclusion")
                .help("remove it, or justify it: `// capol: allow(unjustified_exclusion) reason: ...`"),
            );
        }
    }
}
