//! Rule `overlapping_ranges`: IP ranges that repeat or overlap.
//!
//! ## What it does
//! Flags a range that repeats or lies inside another range of the same location (`warning`),
//! and a range that overlaps a range of another location (`info`). An overlap between a trusted
//! location and a location that a blocking policy includes is a `warning`: the same address is
//! both "safe" and "blocked". Ranges with host bits set are a check warning
//! (`capol::check::host_bits_set`).
//!
//! ## Why is this bad?
//! Redundant ranges hide intent and make reviews harder. Across locations, an overlap means one
//! sign-in is in both; since exclusion wins within a policy and block wins across policies, a
//! trusted range inside a blocked one is a logic conflict.
//!
//! ## Example
//! ```capol
//! location hq {
//!   trusted
//!   ip 20.1.4.0/24, 20.1.4.128/25
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! location hq {
//!   trusted
//!   ip 20.1.4.0/24
//! }
//! ```
//!
//! ## Source
//! Reference LOC004 `cidr-overlap` (parts a and b; part c is a check warning); derived from
//! Microsoft Learn, "Conditional Access: Network assignment" and "Users, groups, and workload
//! identities" (exclude overrides include).

use super::{Docs, Level, LintContext, LintWarning, Rule, non_public_range::written_ranges};
use crate::ir::{self, Cidr};
use crate::span::Loc;

/// The rule.
pub static RULE: Rule = Rule {
    id: "overlapping_ranges",
    reference: "LOC004",
    summary: "repeated or nested ranges in a location, or ranges shared by two locations",
    default_level: Level::Warning,
    docs: Docs(include_str!("overlapping_ranges.rs")),
    check,
};

struct Entry<'a> {
    bounds: (u128, u128),
    v4: bool,
    range: Cidr,
    loc: Loc,
    location: &'a ir::Location,
}

fn blocked_locations(ctx: &LintContext<'_>) -> Vec<String> {
    ctx.policies()
        .iter()
        .filter(|p| p.grant == Some(ir::Grant::Block))
        .filter_map(|p| p.locations.as_ref())
        .flat_map(|l| l.include.named.iter().map(|r| r.name.clone()))
        .collect()
}

fn trusted(l: &ir::Location) -> bool {
    matches!(l.kind, ir::LocationKind::Ip { trusted: true, .. })
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let mut entries = Vec::new();
    for l in &ctx.checked.program.locations {
        for (range, loc) in written_ranges(ctx, &l.name) {
            entries.push(Entry {
                bounds: range.bounds(),
                v4: range.network.is_ipv4(),
                range,
                loc,
                location: l,
            });
        }
    }
    // Sweep in address order (widest first at equal starts): each range is compared with the
    // range reaching furthest so far, which holds it whenever anything before it does.
    entries.sort_by(|a, b| {
        (!a.v4, a.bounds.0, std::cmp::Reverse(a.bounds.1), a.loc).cmp(&(
            !b.v4,
            b.bounds.0,
            std::cmp::Reverse(b.bounds.1),
            b.loc,
        ))
    });
    let blocked = blocked_locations(ctx);
    let mut reported_pairs: Vec<(&str, &str)> = Vec::new();
    let mut reach: Option<&Entry<'_>> = None;
    for entry in &entries {
        if let Some(prev) = reach
            && prev.v4 == entry.v4
            && entry.bounds.0 <= prev.bounds.1
        {
            let (a, b) = (prev.location, entry.location);
            if a.name == b.name {
                let what = if prev.range == entry.range { "repeats" } else { "lies inside" };
                out.push(
                    LintWarning::new(
                        &RULE,
                        entry.loc,
                        format!("location `{}`: `{}` {what} `{}`", a.name, entry.range, prev.range),
                    )
                    .label("redundant")
                    .related(prev.loc, "already covered here")
                    .help("remove the redundant range"),
                );
            } else if !reported_pairs.contains(&(a.name.as_str(), b.name.as_str())) {
                reported_pairs.push((a.name.as_str(), b.name.as_str()));
                let conflict =
                    (trusted(a) && blocked.contains(&b.name)) || (trusted(b) && blocked.contains(&a.name));
                let mut finding = LintWarning::new(
                    &RULE,
                    entry.loc,
                    format!(
                        "`{}` of location `{}` overlaps `{}` of location `{}`",
                        entry.range, b.name, prev.range, a.name
                    ),
                )
                .label("in both locations")
                .related(prev.loc, "overlapping range");
                finding = if conflict {
                    finding.help("one location is trusted and a blocking policy includes the other: the same addresses are both trusted and blocked")
                } else {
                    finding.level(Level::Info).help("keep each network in one location")
                };
                out.push(finding);
            }
        }
        if reach.is_none_or(|r| r.v4 != entry.v4 || entry.bounds.1 > r.bounds.1) {
            reach = Some(entry);
        }
    }
}
