//! Rule `trusted_range_too_broad`: a trusted location with a very wide range.
//!
//! ## What it does
//! Flags a range of a `trusted` location wider than `/16` (IPv4) or `/32` (IPv6). Ranges of
//! `/8` or wider are already check errors (`capol::check::cidr_too_broad`).
//!
//! ## Why is this bad?
//! Every "exclude trusted" condition exempts the whole range, and Identity Protection lowers the
//! risk of sign-ins from it. A trusted `/12` is a large part of someone else's network: a
//! catch-all that silently disables the policies that rely on `trusted`.
//!
//! ## Example
//! ```capol
//! location offices {
//!   trusted
//!   ip 20.0.0.0/12
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! location offices {
//!   trusted
//!   ip 20.1.4.0/24, 20.9.16.0/26
//! }
//! ```
//!
//! ## Source
//! Reference LOC002 `trusted-range-too-broad` (the catch-all `0.0.0.0/0` of its error tier is a
//! check error in capol); Microsoft Learn, "Conditional Access: Network assignment" (trusted
//! locations); prior art TenantLens CA-007.

use super::{Docs, Level, LintContext, LintWarning, Rule, non_public_range::written_ranges};
use crate::ir::{self, Cidr};

/// The rule.
pub static RULE: Rule = Rule {
    id: "trusted_range_too_broad",
    reference: "LOC002",
    summary: "a trusted location with a range wider than /16 (IPv4) or /32 (IPv6)",
    default_level: Level::Warning,
    docs: Docs(include_str!("trusted_range_too_broad.rs")),
    check,
};

/// Whether a trusted range is wider than the thresholds.
pub(super) fn too_broad(range: Cidr) -> bool {
    range.prefix < if range.network.is_ipv4() { 16 } else { 32 }
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for l in &ctx.checked.program.locations {
        let ir::LocationKind::Ip { trusted: true, .. } = &l.kind else { continue };
        for (range, loc) in written_ranges(ctx, &l.name) {
            if too_broad(range) {
                let limit = if range.network.is_ipv4() { "/16" } else { "/32" };
                out.push(
                    LintWarning::new(
                        &RULE,
                        loc,
                        format!("trusted location `{}` trusts all of `{range}`", l.name),
                    )
                    .label(format!("wider than {limit}"))
                    .help("list the networks' public egress ranges instead"),
                );
            }
        }
    }
}
