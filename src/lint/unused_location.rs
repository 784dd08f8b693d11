//! Rule `unused_location`: a named location no policy uses.
//!
//! ## What it does
//! Flags a named location that no policy names, and that is not trusted while a policy uses
//! `trusted` (which covers every trusted location). An unused untrusted location is a
//! `warning`; an unused trusted one is `info`, because trusted locations still lower Identity
//! Protection risk even when no policy refers to them.
//!
//! ## Why is this bad?
//! A location nobody uses is dead configuration that still counts towards the 195-location
//! limit, and often a sign that a policy refers to the wrong one.
//!
//! ## Example
//! ```capol
//! location old_branch { ip 20.7.0.0/24 }
//! ```
//!
//! ## Use instead
//! Delete it, or use it in the policy it was meant for.
//!
//! ## Source
//! Reference LOC005 `unused-location`; Microsoft Learn, "Conditional Access: Network
//! assignment" (trusted locations); prior art msec `Get-MsecEntraNamedLocation`.

use super::{Docs, Level, LintContext, LintWarning, Rule};
use crate::ir;

/// The rule.
pub static RULE: Rule = Rule {
    id: "unused_location",
    reference: "LOC005",
    summary: "a named location no policy uses",
    default_level: Level::Warning,
    docs: Docs(include_str!("unused_location.rs")),
    check,
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<LintWarning>) {
    let sets =
        || ctx.policies().iter().filter_map(|p| p.locations.as_ref()).flat_map(|l| [&l.include, &l.exclude]);
    let uses_trusted = sets().any(|s| s.trusted);
    for l in &ctx.checked.program.locations {
        let trusted = matches!(l.kind, ir::LocationKind::Ip { trusted: true, .. });
        let named = sets().any(|s| s.named.iter().any(|r| r.name == l.name));
        if named || (trusted && uses_trusted) {
            continue;
        }
        let finding =
            LintWarning::new(&RULE, ctx.decl_loc(&l.name), format!("no policy uses location `{}`", l.name))
                .label("unused");
        out.push(if trusted {
            finding.level(Level::Info).help("it still marks sign-ins from it as trusted for Identity Protection; delete it if that is not wanted")
        } else {
            finding.help("delete it, or name it in the policy it was meant for")
        });
    }
}
