//! Phase 5, lint: the Conditional Access rule pack. Each rule is a self-contained unit in
//! `src/lint/<rule_id>.rs` (docs, `RULE`, `check`), registered once in `RULES`; the driver here
//! runs the enabled rules over a checked workspace, applies the configured levels and the inline
//! suppressions, and renders findings for people and tools.
//!
//! INVARIANT: lint reads a workspace that checked without errors; it never panics and never does
//! I/O. Findings are sorted by file, position and rule, so output is stable.
//! INVARIANT: coverage rules (baseline, break-glass, registration) evaluate sign-ins with the
//! evaluation engine; they never pattern-match a single policy to decide what the set does.

pub mod config;
pub mod output;
pub mod probe;
pub mod suppress;

mod admin_mfa_not_phishing_resistant;
mod all_trusted_dependency;
mod breakglass_not_excluded;
mod breakglass_unprotected;
mod device_code_not_blocked;
mod disabled_policy;
mod exclusion_without_fallback;
mod included_and_excluded;
mod legacy_auth_not_blocked;
mod lockout_risk;
mod many_individual_users;
mod mfa_not_required;
mod near_service_limit;
mod non_public_range;
mod overlapping_ranges;
mod policy_without_controls;
mod redundant_policy;
mod registration_location_weak;
mod registration_not_enforced;
mod registration_not_location_scoped;
mod registration_outside_preview;
mod retired_approved_app;
mod risk_not_blocked;
mod shadowed_by_block;
mod stale_report_only;
mod suppression_without_reason;
mod sync_account_not_excluded;
mod trusted_range_too_broad;
mod unjustified_exclusion;
mod untargeted_policy;
mod unused_location;
mod unused_suppression;
mod user_action_report_only;
mod user_and_sign_in_risk_combined;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use miette::{Diagnostic, LabeledSpan, Severity};

pub use config::{Date, LintConfig};

use crate::check::{Checked, PolicySpans};
use crate::diagnostic::Diagnostics;
use crate::eval::Engine;
use crate::ir;
use crate::source::Sources;
use crate::span::{FileId, Loc, Span};
use crate::syntax::ast;

/// Every rule, sorted by id. The only place a rule is registered.
pub const RULES: &[&Rule] = &[
    &admin_mfa_not_phishing_resistant::RULE,
    &all_trusted_dependency::RULE,
    &breakglass_not_excluded::RULE,
    &breakglass_unprotected::RULE,
    &device_code_not_blocked::RULE,
    &disabled_policy::RULE,
    &exclusion_without_fallback::RULE,
    &included_and_excluded::RULE,
    &legacy_auth_not_blocked::RULE,
    &lockout_risk::RULE,
    &many_individual_users::RULE,
    &mfa_not_required::RULE,
    &near_service_limit::RULE,
    &non_public_range::RULE,
    &overlapping_ranges::RULE,
    &policy_without_controls::RULE,
    &redundant_policy::RULE,
    &registration_location_weak::RULE,
    &registration_not_enforced::RULE,
    &registration_not_location_scoped::RULE,
    &registration_outside_preview::RULE,
    &retired_approved_app::RULE,
    &risk_not_blocked::RULE,
    &shadowed_by_block::RULE,
    &stale_report_only::RULE,
    &suppression_without_reason::RULE,
    &sync_account_not_excluded::RULE,
    &trusted_range_too_broad::RULE,
    &unjustified_exclusion::RULE,
    &untargeted_policy::RULE,
    &unused_location::RULE,
    &unused_suppression::RULE,
    &user_action_report_only::RULE,
    &user_and_sign_in_risk_combined::RULE,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The rule does not run.
    Off,
    /// Advisory; never fails a run.
    Info,
    /// Needs review; fails a run under `--deny-warnings`.
    Warning,
    /// Fails a run.
    Error,
}

impl Level {
    /// Every level, weakest first.
    pub const ALL: [Level; 4] = [Level::Off, Level::Info, Level::Warning, Level::Error];

    /// The word used in `capol.toml` and in output.
    pub fn word(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parse a word of `capol.toml`.
    pub fn from_word(word: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.word() == word)
    }

    fn rank(self) -> u8 {
        self as u8
    }

    /// This level lowered by `steps`, never below `info` (an enabled rule stays visible).
    pub fn lowered(self, steps: u8) -> Level {
        if self == Level::Off {
            return Level::Off;
        }
        let rank = self.rank().saturating_sub(steps).max(Level::Info.rank());
        Level::ALL.get(rank as usize).copied().unwrap_or(Level::Info)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A rule's documentation: the `//!` block at the top of its source file, which `RULE` embeds
/// with `include_str!` so the docs live next to the check they describe.
#[derive(Debug, Clone, Copy)]
pub struct Docs(pub &'static str);

impl Docs {
    /// The Markdown text of the docs, without the `//!` markers and without the first line
    /// (the file's one-line summary).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in self.0.lines().skip(1) {
            let Some(rest) = line.strip_prefix("//!") else { break };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The text under one `## heading`, trimmed.
    pub fn section(&self, heading: &str) -> Option<String> {
        let text = self.text();
        let marker = format!("## {heading}\n");
        let start = text.find(&marker)? + marker.len();
        let rest = &text[start..];
        let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
        Some(rest[..end].trim().to_owned())
    }
}

/// The check of a rule.
pub type CheckFn = fn(&LintContext<'_>, &mut Vec<LintWarning>);

/// A lint rule.
#[derive(Debug)]
pub struct Rule {
    /// The id, snake_case; the code is `capol::lint::<id>`.
    pub id: &'static str,
    /// The id of the rule in the reference list (`BASE001`), or `capol` for capol's own rules.
    pub reference: &'static str,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// The level when `capol.toml` says nothing.
    pub default_level: Level,
    /// The docs, from the rule's source file.
    pub docs: Docs,
    /// The check.
    pub check: CheckFn,
}

impl Rule {
    /// `capol::lint::<id>`.
    pub fn code(&self) -> String {
        format!("capol::lint::{}", self.id)
    }
}

/// One finding of a rule.
#[derive(Debug, Clone)]
pub struct LintWarning {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// The level: set by the rule relative to its default, then by the driver from the
    /// configuration.
    pub level: Level,
    /// Lowercase message; user input in backticks.
    pub message: String,
    /// Where the flagged construct was written.
    pub loc: Loc,
    /// The label of the primary span.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Secondary spans (shown when in the same file as `loc`).
    pub related: Vec<(Loc, String)>,
}

impl LintWarning {
    /// A finding at the rule's default level.
    pub fn new(rule: &'static Rule, loc: Loc, message: impl Into<String>) -> LintWarning {
        LintWarning {
            rule,
            level: rule.default_level,
            message: message.into(),
            loc,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    /// With a label on the primary span.
    pub fn label(mut self, label: impl Into<String>) -> LintWarning {
        self.label = Some(label.into());
        self
    }

    /// With a help line.
    pub fn help(mut self, help: impl Into<String>) -> LintWarning {
        self.help = Some(help.into());
        self
    }

    /// With a help line when there is one.
    pub fn help_opt(mut self, help: Option<String>) -> LintWarning {
        self.help = help;
        self
    }

    /// At a lower tier than the rule's default (a rule with two severities).
    pub fn level(mut self, level: Level) -> LintWarning {
        self.level = level;
        self
    }

    /// With a secondary span.
    pub fn related(mut self, loc: Loc, label: impl Into<String>) -> LintWarning {
        self.related.push((loc, label.into()));
        self
    }

    /// `capol::lint::<id>`.
    pub fn code(&self) -> String {
        self.rule.code()
    }
}

impl fmt::Display for LintWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LintWarning {}

impl Diagnostic for LintWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info | Level::Off => Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(self.label.clone(), self.loc.span);
        let related = self
            .related
            .iter()
            .filter(|(loc, _)| loc.file == self.loc.file)
            .map(|(loc, label)| LabeledSpan::new_with_span(Some(label.clone()), loc.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// The emergency-access (break-glass) accounts and groups: marked `emergency_access` in the
/// workspace or listed in `capol.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Emergency {
    /// Group names.
    pub groups: Vec<String>,
    /// User names.
    pub users: Vec<String>,
}

impl Emergency {
    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.users.is_empty()
    }

    /// Whether a user set names only emergency-access principals.
    pub fn covers_only(&self, set: &ir::UserSet) -> bool {
        !set.all
            && !set.all_guests
            && set.guests.is_none()
            && set.roles.is_empty()
            && (!set.groups.is_empty() || !set.users.is_empty())
            && set.groups.iter().all(|g| self.groups.contains(&g.name))
            && set.users.iter().all(|u| self.users.contains(&u.name))
    }
}

/// Everything a rule may read: the checked workspace, the compiled program, the engine, the
/// sources and comments, and the configuration.
pub struct LintContext<'a> {
    /// The source files.
    pub sources: &'a Sources,
    /// The parsed files (declarations with spans, and comments), indexed like `sources`.
    pub files: &'a [ast::File],
    /// The checked workspace: the IR in source order and the spans of every setting.
    pub checked: &'a Checked,
    /// The compiled, normalised program.
    pub program: &'a ir::Program,
    /// The evaluation engine over `program`.
    pub engine: &'a Engine,
    /// The configuration.
    pub config: &'a LintConfig,
    /// The emergency-access accounts and groups.
    pub emergency: Emergency,
    policy_index: HashMap<&'a str, usize>,
    scope: OnceLock<Engine>,
    places: OnceLock<Vec<probe::Place>>,
    platforms: OnceLock<Vec<Option<ir::Platform>>>,
}

impl<'a> LintContext<'a> {
    /// A context over a checked workspace.
    pub fn new(
        sources: &'a Sources,
        files: &'a [ast::File],
        checked: &'a Checked,
        program: &'a ir::Program,
        engine: &'a Engine,
        config: &'a LintConfig,
    ) -> LintContext<'a> {
        let mut emergency = Emergency::default();
        for g in &program.groups {
            if g.emergency_access || config.emergency_groups.contains(&g.name) {
                emergency.groups.push(g.name.clone());
            }
        }
        for u in &program.users {
            if u.emergency_access || config.emergency_users.contains(&u.name) {
                emergency.users.push(u.name.clone());
            }
        }
        let policy_index =
            program.policies.iter().enumerate().map(|(i, p)| (p.display_name.as_str(), i)).collect();
        LintContext {
            sources,
            files,
            checked,
            program,
            engine,
            config,
            emergency,
            policy_index,
            scope: OnceLock::new(),
            places: OnceLock::new(),
            platforms: OnceLock::new(),
        }
    }

    /// The policies in source order.
    pub fn policies(&self) -> &'a [ir::Policy] {
        &self.checked.program.policies
    }

    /// The index of a policy in the engine (the compiled program's order).
    pub fn engine_index(&self, display_name: &str) -> Option<usize> {
        self.policy_index.get(display_name).copied()
    }

    /// An engine over the program with every policy enabled: it answers "whom and what does
    /// this policy cover", whatever its state.
    pub fn scope_engine(&self) -> &Engine {
        self.scope.get_or_init(|| {
            let mut program = self.program.clone();
            for p in &mut program.policies {
                p.state = ir::PolicyState::Enabled;
            }
            Engine::new(&program)
        })
    }

    /// The representative places of sign-ins (see `probe::places`).
    pub fn places(&self) -> &[probe::Place] {
        self.places.get_or_init(|| probe::places(self.program))
    }

    /// The representative platforms of sign-ins (see `probe::platforms`).
    pub fn platforms(&self) -> &[Option<ir::Platform>] {
        self.platforms.get_or_init(|| probe::platforms(self.program))
    }

    /// Where a policy and its settings were written.
    pub fn spans(&self, display_name: &str) -> Option<&'a PolicySpans> {
        self.checked.spans.policies.get(display_name)
    }

    /// A policy's setting, or the policy's name when the setting is absent.
    pub fn setting_loc(&self, display_name: &str, setting: &str) -> Loc {
        self.spans(display_name)
            .map_or_else(|| self.anchor(), |s| s.settings.get(setting).copied().unwrap_or(s.name))
    }

    /// The finding for a coverage gap. When `dormant` (a policy that is not enabled) would close
    /// it, the finding points at that policy's `state` with `dormant_label` and asks to enable it
    /// (`enable_also` continues that help); otherwise it points at the workspace with `add_help`.
    pub fn gap_warning(
        &self,
        rule: &'static Rule,
        dormant: Option<&ir::Policy>,
        message: String,
        dormant_label: &str,
        enable_also: &str,
        add_help: impl Into<String>,
    ) -> LintWarning {
        match dormant {
            Some(p) => LintWarning::new(rule, self.setting_loc(&p.display_name, "state"), message)
                .label(dormant_label)
                .help(format!("enable `{}`{enable_also}", p.display_name)),
            None => LintWarning::new(rule, self.anchor(), message).label("in this workspace").help(add_help),
        }
    }

    /// A policy's display name.
    pub fn policy_loc(&self, display_name: &str) -> Loc {
        self.spans(display_name).map_or_else(|| self.anchor(), |s| s.name)
    }

    /// A declaration's name (group, user, location, ...), or the workspace anchor.
    pub fn decl_loc(&self, name: &str) -> Loc {
        self.checked
            .symbols
            .get(name)
            .map_or_else(|| self.anchor(), |s| Loc { file: s.loc.file, span: s.name_span })
    }

    /// Where a finding about the whole workspace goes: the `tenant` declaration, else the first
    /// policy's name, else the start of the first file.
    pub fn anchor(&self) -> Loc {
        for (index, file) in self.files.iter().enumerate() {
            for decl in &file.decls {
                if let ast::Decl::Tenant(t) = decl {
                    let span = Span::new(t.span.start as usize, t.span.start as usize + "tenant".len());
                    return Loc { file: FileId(index as u32), span };
                }
            }
        }
        self.policies().first().and_then(|p| self.spans(&p.display_name)).map_or(Loc::default(), |s| s.name)
    }

    /// The tree of a policy.
    pub fn policy_ast(&self, display_name: &str) -> Option<(FileId, &'a ast::PolicyDecl)> {
        let loc = self.spans(display_name)?.decl;
        let file = self.files.get(loc.file.0 as usize)?;
        file.decls.iter().find_map(|d| match d {
            ast::Decl::Policy(p) if p.span == loc.span => Some((loc.file, p)),
            _ => None,
        })
    }

    /// The tree of a named location.
    pub fn location_ast(&self, name: &str) -> Option<(FileId, &'a ast::LocationDecl)> {
        let loc = self.checked.spans.decls.get(name)?;
        let file = self.files.get(loc.file.0 as usize)?;
        file.decls.iter().find_map(|d| match d {
            ast::Decl::Location(l) if l.span == loc.span => Some((loc.file, l)),
            _ => None,
        })
    }

    /// The first `include` or `exclude` entry of a policy's `users` block naming `name`.
    pub fn principal_loc(&self, display_name: &str, name: &str, include: bool) -> Option<Loc> {
        let (file, policy) = self.policy_ast(display_name)?;
        policy.items.iter().find_map(|item| {
            let ast::PolicyItem::Users(lines) = &item.node else { return None };
            lines.iter().find_map(|line| {
                let entries = match (&line.node, include) {
                    (ast::IncludeExclude::Include(e), true) | (ast::IncludeExclude::Exclude(e), false) => e,
                    _ => return None,
                };
                entries.iter().find_map(|e| match &e.node {
                    ast::Principal::Ref(_, ident) if ident.node == name => Some(Loc { file, span: e.span }),
                    ast::Principal::AllGuests | ast::Principal::Guests { .. } if name == "guests" => {
                        Some(Loc { file, span: e.span })
                    }
                    _ => None,
                })
            })
        })
    }

    /// Whether an authentication strength counts as phishing-resistant: the built-in
    /// "Phishing-resistant MFA", or one listed in `capol.toml`.
    pub fn is_phishing_resistant(&self, strength: &ir::Ref) -> bool {
        let builtin = self
            .program
            .auth_strengths
            .iter()
            .find(|s| s.name == strength.name)
            .and_then(|s| s.id.as_deref())
            .or(strength.id.as_deref())
            .is_some_and(|id| id.eq_ignore_ascii_case(PHISHING_RESISTANT_ID));
        builtin || self.config.phishing_resistant_strengths.contains(&strength.name)
    }
}

/// The id of the built-in "Phishing-resistant MFA" authentication strength.
pub const PHISHING_RESISTANT_ID: &str = "00000000-0000-0000-0000-000000000004";

/// The outcome of linting a workspace.
#[derive(Debug, Default)]
pub struct LintRun {
    /// Check diagnostics (errors stop the lint; warnings are kept).
    pub diagnostics: Diagnostics,
    /// The findings, sorted; `None` when the workspace did not check.
    pub findings: Option<Vec<LintWarning>>,
    /// Names in `capol.toml` the workspace does not declare (the lint did not run).
    pub config_errors: Vec<config::ConfigError>,
}

impl LintRun {
    /// True when a finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().flatten().any(|f| f.level == Level::Error)
    }

    /// True when a finding is at warning level or above.
    pub fn has_warnings(&self) -> bool {
        self.findings.iter().flatten().any(|f| f.level >= Level::Warning)
    }
}

/// Check codes a lint rule supersedes: `capol lint` reports the rule's finding instead.
pub const SUPERSEDED_CHECKS: &[&str] = &["capol::check::registration_outside_preview"];

/// Parse, check, compile and lint a workspace.
pub fn lint_workspace(sources: &Sources, config: &LintConfig) -> LintRun {
    let (checked, mut diagnostics) = crate::check_workspace(sources);
    diagnostics.items.retain(|d| !SUPERSEDED_CHECKS.contains(&d.error.code_str().as_str()));
    let Some((files, checked)) = checked else { return LintRun { diagnostics, ..LintRun::default() } };
    if diagnostics.has_errors() {
        return LintRun { diagnostics, ..LintRun::default() };
    }
    let program = crate::compile::compile(&checked);
    let config_errors = config.unknown_names(&program);
    if !config_errors.is_empty() {
        return LintRun { diagnostics, findings: None, config_errors };
    }
    let engine = Engine::new(&program);
    let findings = lint(sources, &files, &checked, &program, &engine, config);
    LintRun { diagnostics, findings: Some(findings), config_errors }
}

/// Run every enabled rule, apply levels and suppressions, and sort.
pub fn lint(
    sources: &Sources,
    files: &[ast::File],
    checked: &Checked,
    program: &ir::Program,
    engine: &Engine,
    config: &LintConfig,
) -> Vec<LintWarning> {
    let ctx = LintContext::new(sources, files, checked, program, engine, config);
    let mut findings = Vec::new();
    for rule in RULES {
        let level = config.level(rule);
        if level == Level::Off {
            continue;
        }
        let mut out = Vec::new();
        (rule.check)(&ctx, &mut out);
        for mut finding in out {
            let tier = rule.default_level.rank().saturating_sub(finding.level.rank());
            finding.level = level.lowered(tier);
            findings.push(finding);
        }
    }
    let mut findings = suppress::apply(&ctx, findings);
    findings.sort_by(|a, b| {
        (a.loc.file, a.loc.span.start, a.rule.id, &a.message).cmp(&(
            b.loc.file,
            b.loc.span.start,
            b.rule.id,
            &b.message,
        ))
    });
    findings
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
