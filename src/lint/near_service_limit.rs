//! Rule `near_service_limit`: a workspace at 90% of an Entra limit.
//!
//! ## What it does
//! Flags a workspace with at least 176 policies (90% of 195, in any state) or 176 named
//! locations, and a named location with at least 1800 IP ranges (90% of 2000). Going over the
//! limits themselves is a check error (`capol::check::too_many_policies`,
//! `too_many_locations`, `too_many_ranges`).
//!
//! ## Why is this bad?
//! At the limit, the next policy or range cannot be deployed, which tends to happen during an
//! incident. Disabled and report-only policies count too.
//!
//! ## Example
//! A workspace with 180 policies, 30 of them disabled.
//!
//! ## Use instead
//! Delete disabled policies that are not contingency policies, merge policies that differ only
//! by their users (use groups), and merge ranges into wider ones.
//!
//! ## Source
//! Reference BASE006 `service-limits` (the 90% warning; the limits themselves are check
//! errors); Microsoft Learn, "Plan a Conditional Access deployment" (195 policies in any state)
//! and "Network assignment" (195 named locations, 2000 ranges per location).

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::check::{MAX_LOCATIONS, MAX_POLICIES, MAX_RANGES};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "near_service_limit",
    reference: "BASE006",
    summary: "90% of the 195 policies, 195 named locations or 2000 ranges per location",
    default_level: Level::Warning,
    docs: Docs(include_str!("near_service_limit.rs")),
    check,
};

fn threshold(limit: usize) -> usize {
    limit * 9 / 10 + usize::from(!(limit * 9).is_multiple_of(10))
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let policies = ctx.policies();
    if policies.len() >= threshold(MAX_POLICIES)
        && let Some(p) = policies.get(threshold(MAX_POLICIES) - 1)
    {
        out.push(
            LintWarning::new(
                &RULE,
                ctx.policy_loc(&p.display_name),
                format!("the workspace has {} policies, near the limit of {MAX_POLICIES}", policies.len()),
            )
            .label(format!("policy number {}", threshold(MAX_POLICIES)))
            .help("disabled and report-only policies count too: delete the ones no longer needed"),
        );
    }
    let locations = &ctx.checked.program.locations;
    if locations.len() >= threshold(MAX_LOCATIONS)
        && let Some(l) = locations.get(threshold(MAX_LOCATIONS) - 1)
    {
        out.push(
            LintWarning::new(
                &RULE,
                ctx.decl_loc(&l.name),
                format!(
                    "the workspace has {} named locations, near the limit of {MAX_LOCATIONS}",
                    locations.len()
                ),
            )
            .label(format!("location number {}", threshold(MAX_LOCATIONS)))
            .help("merge locations, or delete the ones no policy uses"),
        );
    }
    for l in locations {
        if let ir::LocationKind::Ip { ranges, .. } = &l.kind
            && ranges.len() >= threshold(MAX_RANGES)
        {
            out.push(
                LintWarning::new(
                    &RULE,
                    ctx.decl_loc(&l.name),
                    format!(
                        "location `{}` has {} ranges, near the limit of {MAX_RANGES}",
                        l.name,
                        ranges.len()
                    ),
                )
                .label("near the range limit")
                .help("merge adjacent ranges into wider ones, or split the location"),
            );
        }
    }
}
