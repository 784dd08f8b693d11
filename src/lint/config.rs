//! The `[lint]` section of `capol.toml`: rule levels, emergency-access accounts, thresholds and
//! the date lifecycle rules compare against.
//!
//! ```toml
//! [lint]
//! report_only_max_days = 30
//! today = "2026-11-20"                       # fixed date for reproducible runs
//! privileged_roles = ["Global Administrator", "62e90394-69f5-4237-9190-012177145e10"]
//! phishing_resistant_strengths = ["break_glass_strength"]
//! max_users_per_policy = 20
//! emergency_access = { groups = ["break_glass"], users = ["bg_one"] }
//!
//! [lint.rules]
//! legacy_auth_not_blocked = "error"
//! disabled_policy = "off"
//! ```
//!
//! Other top-level tables of `capol.toml` are left to the commands that own them.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;

use super::{Level, RULES, Rule};
use crate::{catalog, ir, suggest};

/// The privileged roles of ScubaGear's baseline (MS.AAD.3.6v1), the default of
/// `privileged_roles`.
pub const DEFAULT_PRIVILEGED_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Role Administrator",
    "User Administrator",
    "SharePoint Administrator",
    "Exchange Administrator",
    "Hybrid Identity Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
];

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day, 1 to 31.
    pub day: u32,
}

impl Date {
    /// Parse `YYYY-MM-DD` (a real calendar date).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date { year: y.parse().ok()?, month: m.parse().ok()?, day: d.parse().ok()? };
        (Date::from_days(date.days()) == date).then_some(date)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The resolved lint configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Levels set per rule.
    pub levels: BTreeMap<&'static str, Level>,
    /// Groups treated as emergency-access groups besides those marked in the workspace.
    pub emergency_groups: Vec<String>,
    /// Users treated as emergency-access accounts besides those marked in the workspace.
    pub emergency_users: Vec<String>,
    /// Days a policy may stay report-only.
    pub report_only_max_days: u32,
    /// The date lifecycle rules compare against; `None` when unknown.
    pub today: Option<Date>,
    /// Template ids of the privileged roles for `admin_mfa_not_phishing_resistant`.
    pub privileged_roles: Vec<String>,
    /// Authentication strengths (workspace names) that count as phishing-resistant besides the
    /// built-in one.
    pub phishing_resistant_strengths: Vec<String>,
    /// Most individual users one policy should list.
    pub max_users_per_policy: usize,
    /// Where the workspace names given in the configuration were written, for errors.
    pub name_spans: Vec<(String, NameKind, Range<usize>)>,
}

/// What kind of workspace name the configuration lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A group.
    Group,
    /// A user.
    User,
    /// An authentication strength.
    AuthStrength,
}

impl Default for LintConfig {
    fn default() -> LintConfig {
        LintConfig {
            levels: BTreeMap::new(),
            emergency_groups: Vec::new(),
            emergency_users: Vec::new(),
            report_only_max_days: 30,
            today: None,
            privileged_roles: DEFAULT_PRIVILEGED_ROLES
                .iter()
                .filter_map(|n| catalog::role_by_name(n))
                .map(|r| r.template_id.to_owned())
                .collect(),
            phishing_resistant_strengths: Vec::new(),
            max_users_per_policy: 20,
            name_spans: Vec::new(),
        }
    }
}

/// A problem in `capol.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Lowercase message.
    pub message: String,
    /// Byte range in `capol.toml`, when known.
    pub span: Option<Range<usize>>,
    /// A hint.
    pub help: Option<String>,
}

#[derive(Deserialize, Default)]
struct Manifest {
    #[serde(default)]
    lint: Section,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    rules: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    emergency_access: EmergencySection,
    report_only_max_days: Option<u32>,
    today: Option<toml::Spanned<String>>,
    privileged_roles: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    phishing_resistant_strengths: Vec<toml::Spanned<String>>,
    max_users_per_policy: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EmergencySection {
    #[serde(default)]
    groups: Vec<toml::Spanned<String>>,
    #[serde(default)]
    users: Vec<toml::Spanned<String>>,
}

impl LintConfig {
    /// Read the `[lint]` section of a `capol.toml`.
    ///
    /// # Errors
    ///
    /// The text is not TOML, a key is unknown, or a value is not allowed; every problem found.
    pub fn parse(text: &str) -> Result<LintConfig, Vec<ConfigError>> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end_matches('\n').to_owned();
            let message = lowercase_first(&message);
            vec![ConfigError {
                message: format!("invalid `capol.toml`: {message}"),
                span: e.span(),
                help: None,
            }]
        })?;
        let section = manifest.lint;
        let mut errors = Vec::new();
        let mut config = LintConfig::default();
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        for (id, level) in &section.rules {
            let Some(rule) = RULES.iter().find(|r| r.id == id) else {
                errors.push(ConfigError {
                    message: format!("unknown lint rule `{id}`"),
                    span: Some(level.span()),
                    help: suggest::did_you_mean(id, ids.iter().copied()),
                });
                continue;
            };
            match Level::from_word(level.get_ref()) {
                Some(l) => {
                    config.levels.insert(rule.id, l);
                }
                None => errors.push(ConfigError {
                    message: format!("unknown level `{}` for rule `{id}`", level.get_ref()),
                    span: Some(level.span()),
                    help: Some("the levels are `error`, `warning`, `info` and `off`".into()),
                }),
            }
        }
        if let Some(days) = section.report_only_max_days {
            config.report_only_max_days = days;
        }
        if let Some(max) = section.max_users_per_policy {
            config.max_users_per_policy = max;
        }
        if let Some(today) = &section.today {
            match Date::parse(today.get_ref()) {
                Some(d) => config.today = Some(d),
                None => errors.push(ConfigError {
                    message: format!("`today` is not a date: `{}`", today.get_ref()),
                    span: Some(today.span()),
                    help: Some("write it as `YYYY-MM-DD`".into()),
                }),
            }
        }
        if let Some(roles) = &section.privileged_roles {
            config.privileged_roles.clear();
            for role in roles {
                let text = role.get_ref();
                let found = catalog::role_by_name(text).or_else(|| catalog::role_by_id(text));
                match found {
                    Some(r) => config.privileged_roles.push(r.template_id.to_owned()),
                    None if crate::check::words::is_guid(text) => {
                        config.privileged_roles.push(text.to_ascii_lowercase());
                    }
                    None => errors.push(ConfigError {
                        message: format!("unknown built-in role `{text}` in `privileged_roles`"),
                        span: Some(role.span()),
                        help: suggest::did_you_mean(text, catalog::ROLES.iter().map(|r| r.name)),
                    }),
                }
            }
        }
        for (list, kind, out) in [
            (&section.emergency_access.groups, NameKind::Group, &mut config.emergency_groups),
            (&section.emergency_access.users, NameKind::User, &mut config.emergency_users),
            (
                &section.phishing_resistant_strengths,
                NameKind::AuthStrength,
                &mut config.phishing_resistant_strengths,
            ),
        ] {
            for name in list {
                out.push(name.get_ref().clone());
                config.name_spans.push((name.get_ref().clone(), kind, name.span()));
            }
        }
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }

    /// The names the configuration lists that the workspace does not declare.
    pub fn unknown_names(&self, program: &ir::Program) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        for (name, kind, span) in &self.name_spans {
            let (declared, what): (Vec<&str>, &str) = match kind {
                NameKind::Group => (program.groups.iter().map(|g| g.name.as_str()).collect(), "group"),
                NameKind::User => (program.users.iter().map(|u| u.name.as_str()).collect(), "user"),
                NameKind::AuthStrength => {
                    (program.auth_strengths.iter().map(|s| s.name.as_str()).collect(), "auth_strength")
                }
            };
            if !declared.contains(&name.as_str()) {
                errors.push(ConfigError {
                    message: format!("unknown {what} `{name}` in `capol.toml`"),
                    span: Some(span.clone()),
                    help: suggest::did_you_mean(name, declared.iter().copied()),
                });
            }
        }
        errors
    }

    /// The level a rule runs at.
    pub fn level(&self, rule: &Rule) -> Level {
        self.levels.get(rule.id).copied().unwrap_or(rule.default_level)
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_lowercase().collect::<String>() + chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for text in ["1970-01-01", "2000-02-29", "2026-11-25", "2100-12-31"] {
            let date = Date::parse(text).unwrap();
            assert_eq!(date.to_string(), text);
            assert_eq!(Date::from_days(date.days()), date);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        assert_eq!(Date::parse("2026-02-29"), None);
        assert_eq!(Date::parse("2026-1-01"), None);
    }

    #[test]
    fn reads_levels_and_names() {
        let config = LintConfig::parse(
            "[workspace]\nname = \"x\"\n[lint]\ntoday = \"2026-01-02\"\nemergency_access = { groups = [\"bg\"] }\n[lint.rules]\ndisabled_policy = \"off\"\n",
        )
        .unwrap();
        assert_eq!(config.today, Date::parse("2026-01-02"));
        assert_eq!(config.emergency_groups, ["bg"]);
        assert_eq!(config.levels.get("disabled_policy"), Some(&Level::Off));
    }

    #[test]
    fn reports_unknown_rules_and_levels() {
        let errors = LintConfig::parse("[lint.rules]\ndisabled_polcy = \"off\"\nlockout_risk = \"fatal\"\n")
            .unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `disabled_policy`?"));
        assert!(errors[1].message.contains("`fatal`"));
        let errors = LintConfig::parse("[lint]\ntoday = 3\n").unwrap_err();
        assert!(errors[0].span.is_some());
    }
}
