//! Inline suppressions: `// capol: allow(rule_id, ...) reason: why` at the end of the flagged
//! line, or on its own line just above the flagged construct (other comment lines may sit in
//! between); above a declaration, it covers every line of the declaration. A suppression must
//! give a reason; one that suppresses nothing is reported.

use super::{LintContext, LintWarning, RULES, unused_suppression};
use crate::span::{FileId, Loc};
use crate::suggest;

/// One `// capol:` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment.
    pub loc: Loc,
    /// The rule ids listed, empty when the comment does not parse.
    pub rules: Vec<String>,
    /// The reason, trimmed; `None` when missing or empty.
    pub reason: Option<String>,
    /// False when the comment starts with `capol:` but is not `allow(...)`.
    pub well_formed: bool,
    /// The 1-based lines it applies to, inclusive: one line, or every line of the declaration
    /// that starts on the line below it.
    pub target_lines: (usize, usize),
}

/// Every `// capol:` comment of the workspace.
pub fn suppressions(ctx: &LintContext<'_>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (index, file) in ctx.files.iter().enumerate() {
        let file_id = FileId(index as u32);
        let Some(source) = ctx.sources.get(file_id) else { continue };
        let lines: Vec<&str> = source.text.lines().collect();
        for comment in &file.comments {
            let Some(body) = comment.text.trim_start().strip_prefix("capol:") else { continue };
            let (line, _) = source.line_col(comment.span.start);
            let before = lines.get(line - 1).map_or("", |l| {
                let col = comment.span.start as usize - line_start(&source.text, line);
                l.get(..col).unwrap_or("")
            });
            let target_lines = if before.trim().is_empty() {
                let next = next_code_line(&lines, line);
                // A suppression above a declaration covers the whole declaration.
                let decl_end = file.decls.iter().find_map(|d| {
                    let span = d.span();
                    (source.line_col(span.start).0 == next).then(|| source.line_col(span.end).0)
                });
                (next, decl_end.unwrap_or(next))
            } else {
                (line, line)
            };
            let (rules, reason, well_formed) = parse(body);
            out.push(Suppression {
                loc: Loc { file: file_id, span: comment.span },
                rules,
                reason,
                well_formed,
                target_lines,
            });
        }
    }
    out
}

fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(0, |(i, _)| i + 1)
}

/// The first line after `line` that is not a comment-only line (1-based).
fn next_code_line(lines: &[&str], line: usize) -> usize {
    let mut next = line + 1;
    while lines.get(next - 1).is_some_and(|l| l.trim_start().starts_with("//")) {
        next += 1;
    }
    next
}

/// `allow(a, b) reason: text` → (rules, reason, well-formed).
fn parse(body: &str) -> (Vec<String>, Option<String>, bool) {
    let body = body.trim();
    let Some(rest) = body.strip_prefix("allow") else { return (Vec::new(), None, false) };
    let Some(rest) = rest.trim_start().strip_prefix('(') else { return (Vec::new(), None, false) };
    let Some((list, after)) = rest.split_once(')') else { return (Vec::new(), None, false) };
    let rules: Vec<String> = list.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    if rules.is_empty() {
        return (rules, None, false);
    }
    let after = after.trim_start();
    let reason = after.strip_prefix("reason:").map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    (rules, reason, after.is_empty() || after.starts_with("reason:"))
}

/// Drop suppressed findings and report suppressions that suppressed nothing.
pub fn apply(ctx: &LintContext<'_>, findings: Vec<LintWarning>) -> Vec<LintWarning> {
    let list = suppressions(ctx);
    let mut used = vec![false; list.len()];
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings {
        let (line, _) = ctx.sources.line_col(finding.loc);
        let mut suppressed = false;
        if !is_suppression_rule(finding.rule.id) {
            for (s, flag) in list.iter().zip(used.iter_mut()) {
                if s.loc.file == finding.loc.file
                    && (s.target_lines.0..=s.target_lines.1).contains(&line)
                    && s.rules.iter().any(|r| r == finding.rule.id)
                {
                    *flag = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(finding);
        }
    }
    let unused_level = ctx.config.level(&unused_suppression::RULE);
    if unused_level == super::Level::Off {
        return kept;
    }
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    for (s, used) in list.iter().zip(used) {
        if used || !s.well_formed {
            continue;
        }
        let unknown: Vec<&String> = s.rules.iter().filter(|r| !ids.contains(&r.as_str())).collect();
        let finding = if let Some(first) = unknown.first() {
            LintWarning::new(
                &unused_suppression::RULE,
                s.loc,
                format!("unknown lint rule `{first}` in suppression"),
            )
            .label("no such rule")
            .help_opt(suggest::did_you_mean(first, ids.iter().copied()))
        } else {
            // A suppression of a rule that is turned off is not reported: it may matter again.
            let all_off = s
                .rules
                .iter()
                .filter_map(|r| super::rule(r))
                .all(|r| ctx.config.level(r) == super::Level::Off);
            if all_off {
                continue;
            }
            LintWarning::new(
                &unused_suppression::RULE,
                s.loc,
                format!("suppression of {} matches no finding", super::quoted_list(&s.rules)),
            )
            .label("suppresses nothing")
            .help("remove it, or put it on the line of the finding or on the line just above it")
        };
        let mut finding = finding;
        finding.level = unused_level;
        kept.push(finding);
    }
    kept
}

fn is_suppression_rule(id: &str) -> bool {
    id == "unused_suppression" || id == "suppression_without_reason"
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_allow_comments() {
        assert_eq!(
            parse(" allow(a, b) reason: because"),
            (vec!["a".to_owned(), "b".to_owned()], Some("because".to_owned()), true)
        );
        assert_eq!(parse("allow(a)"), (vec!["a".to_owned()], None, true));
        assert_eq!(parse("allow(a) reason:   "), (vec!["a".to_owned()], None, true));
        assert!(!parse("alow(a)").2);
        assert!(!parse("allow() reason: x").2);
        assert!(!parse("allow(a) because").2);
    }
}
