//! Rule `non_public_range`: a named-location range in private, reserved or documentation space.
//!
//! ## What it does
//! Flags an IP range of a named location that overlaps RFC 1918 space (`10.0.0.0/8`,
//! `172.16.0.0/12`, `192.168.0.0/16`), shared address space (`100.64.0.0/10`), loopback
//! (`127.0.0.0/8`, `::1/128`), link-local (`169.254.0.0/16`, `fe80::/10`), unique local
//! (`fc00::/7`) or documentation ranges (`192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`,
//! `2001:db8::/32`). It says which policies use the location.
//!
//! ## Why is this bad?
//! Entra sees the public egress address of a sign-in, never "the client IP of the user's device
//! on the intranet". Such a range never matches: a policy excluding the location exempts
//! nobody, one including it applies to nobody. Documentation ranges are placeholders that were
//! never replaced.
//!
//! ## Example
//! ```capol
//! location service_accounts_network {
//!   trusted
//!   ip 192.168.1.2/32
//! }
//! ```
//!
//! ## Use instead
//! ```capol
//! location service_accounts_network {
//!   trusted
//!   ip 20.31.42.7/32   // the office's public egress address
//! }
//! ```
//!
//! ## Source
//! Reference LOC003 `non-public-range`; Microsoft Learn, "Conditional Access: Network
//! assignment" (IPv4 and IPv6 address ranges); RFC 1918, 6598, 5737, 3849, 4193, 4291.

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir::Cidr;
use crate::span::Loc;

/// The rule.
pub static RULE: Rule = Rule {
    id: "non_public_range",
    reference: "LOC003",
    summary: "a named-location range in private, reserved or documentation address space, which never matches",
    default_level: Level::Warning,
    docs: Docs(include_str!("non_public_range.rs")),
    check,
};

const RESERVED: &[(&str, &str)] = &[
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("192.0.2.0/24", "documentation (RFC 5737)"),
    ("198.51.100.0/24", "documentation (RFC 5737)"),
    ("203.0.113.0/24", "documentation (RFC 5737)"),
    ("::1/128", "loopback"),
    ("fc00::/7", "unique local (RFC 4193)"),
    ("fe80::/10", "link-local"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
];

/// The reserved block a range overlaps, if any.
pub(super) fn reserved_block(range: Cidr) -> Option<(&'static str, &'static str)> {
    let (start, end) = range.bounds();
    RESERVED.iter().copied().find(|(block, _)| {
        block.parse::<Cidr>().is_ok_and(|b| {
            let (bs, be) = b.bounds();
            b.network.is_ipv4() == range.network.is_ipv4() && start <= be && bs <= end
        })
    })
}

/// The ranges of a location as written, parsed, with their spans.
pub(super) fn written_ranges(ctx: &LintContext<'_>, location: &str) -> Vec<(Cidr, Loc)> {
    let Some((file, decl)) = ctx.location_ast(location) else { return Vec::new() };
    decl.ranges
        .iter()
        .filter_map(|r| r.node.parse::<Cidr>().ok().map(|c| (c, Loc { file, span: r.span })))
        .collect()
}

/// The policies naming a location (include or exclude).
pub(super) fn users_of(ctx: &LintContext<'_>, location: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for p in ctx.policies() {
        let Some(l) = &p.locations else { continue };
        if l.include.named.iter().any(|r| r.name == location) {
            out.push((p.display_name.clone(), true));
        }
        if l.exclude.named.iter().any(|r| r.name == location) {
            out.push((p.display_name.clone(), false));
        }
    }
    out
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    for l in &ctx.checked.program.locations {
        let users = users_of(ctx, &l.name);
        for (range, loc) in written_ranges(ctx, &l.name) {
            let Some((block, kind)) = reserved_block(range) else { continue };
            let used = match users.first() {
                Some((policy, false)) => {
                    format!("; policy `{policy}` excludes this location, which exempts nobody")
                }
                Some((policy, true)) => {
                    format!("; policy `{policy}` includes this location, which matches nobody")
                }
                None => String::new(),
            };
            out.push(
                LintWarning::new(
                    &RULE,
                    loc,
                    format!(
                        "location `{}` holds `{range}`, which is in {kind} space `{block}`{used}",
                        l.name
                    ),
                )
                .label("never the address Entra sees")
                .help("use the public egress addresses of the network"),
            );
        }
    }
}
