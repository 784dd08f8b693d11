//! Scenarios: a sign-in described by names and words (capol's scenario JSON, or a Graph What If
//! request or sign-in log record mapped onto the same fields), and its resolution against an
//! engine into a `SignIn`.
//!
//! Every problem is a `ScenarioError` naming the field, in the input's own spelling
//! (`ip` for a scenario, `signInConditions.ipAddress` for a Graph request).

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::directory::BoundDirectory;
use super::engine::Engine;
use super::signin::{Client, Context, Identity, Principal, Risk, SignIn, country_code};
use crate::check::words;
use crate::devfilter::{Device, DeviceValue};
use crate::ir::{AuthFlow, InsiderRisk, Platform, UserAction, UserType};
use crate::{catalog, suggest};

/// What went wrong with a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not JSON, or not a JSON object.
    Json,
    /// A field capol does not know.
    UnknownField,
    /// A value of the wrong type or outside its allowed words.
    InvalidValue,
    /// A name (user, group, app, ...) the workspace and directory do not know.
    UnknownName,
    /// A required field is missing.
    MissingField,
    /// Two fields that exclude each other.
    Conflict,
}

impl ErrorKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Json => "capol::eval::invalid_json",
            ErrorKind::UnknownField => "capol::eval::unknown_field",
            ErrorKind::InvalidValue => "capol::eval::invalid_value",
            ErrorKind::UnknownName => "capol::eval::unknown_name",
            ErrorKind::MissingField => "capol::eval::missing_field",
            ErrorKind::Conflict => "capol::eval::conflicting_fields",
        }
    }
}

/// A malformed or unresolvable scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The kind, which gives the code.
    pub kind: ErrorKind,
    /// The field, as the input spells it (empty for the whole document).
    pub field: String,
    /// Lowercase message; user input in backticks.
    pub message: String,
    /// A hint, often "did you mean".
    pub help: Option<String>,
}

impl ScenarioError {
    /// A new error.
    pub fn new(kind: ErrorKind, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError { kind, field: field.into(), message: message.into(), help: None }
    }

    /// With a hint.
    pub fn with_help(mut self, help: Option<String>) -> ScenarioError {
        self.help = help;
        self
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The error as a JSON object (`code`, `field`, `message`, `help`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "code": self.code(),
            "severity": "error",
            "field": self.field,
            "message": self.to_string(),
            "help": self.help,
        })
    }
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Where a scenario came from, for naming fields in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Source {
    /// capol's scenario JSON.
    #[default]
    Capol,
    /// A Graph What If request body.
    GraphRequest,
    /// A Graph `signIn` log record.
    SignInLog,
}

impl Source {
    /// The input's spelling of a scenario field.
    pub fn field(self, name: &str) -> &str {
        match (self, name) {
            (Source::GraphRequest, "user") => "signInIdentity.userId",
            (Source::GraphRequest, "external_tenant") => "signInIdentity.externalTenantId",
            (Source::GraphRequest, "service_principal") => "signInIdentity.servicePrincipalId",
            (Source::GraphRequest, "app") => "signInContext.includeApplications",
            (Source::GraphRequest, "auth_context") => "signInContext.authenticationContextValue",
            (Source::SignInLog, "user") => "userId",
            (Source::SignInLog, "app") => "resourceId",
            (Source::SignInLog, "service_principal") => "servicePrincipalId",
            _ => name,
        }
    }
}

/// What a sign-in is for, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A resource: a workspace app name, an app id, a catalogued app name, or the groups
    /// `office365` and `admin_portals` (a sign-in to some member of the group).
    App(String),
    /// A user action.
    Action(UserAction),
    /// An authentication context: a workspace name or an id (`c1`).
    AuthContext(String),
}

/// A sign-in described by names and words, before resolution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// Where it came from.
    pub source: Source,
    /// A label for reports (`name`, a log record's `id`).
    pub name: Option<String>,
    /// The user: a workspace name, an object id or a UPN.
    pub user: Option<String>,
    /// The user type (overrides the user's).
    pub user_type: Option<UserType>,
    /// A guest's home tenant id.
    pub external_tenant: Option<String>,
    /// Extra group memberships (names or object ids).
    pub groups: Vec<String>,
    /// Extra roles (names, template ids or built-in role names).
    pub roles: Vec<String>,
    /// A workload identity signing in instead of a user (name or id).
    pub service_principal: Option<String>,
    /// What the sign-in is for.
    pub target: Option<Target>,
    /// The public IP address.
    pub ip: Option<IpAddr>,
    /// The country of the IP (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// The country from the Authenticator app's GPS.
    pub gps_country: Option<String>,
    /// The device platform.
    pub platform: Option<Platform>,
    /// The client app type.
    pub client_app: Option<Client>,
    /// Sign-in risk.
    pub sign_in_risk: Option<Risk>,
    /// User risk.
    pub user_risk: Option<Risk>,
    /// Workload identity risk.
    pub service_principal_risk: Option<Risk>,
    /// Insider risk (`None` also for `none`).
    pub insider_risk: Option<InsiderRisk>,
    /// Authentication flow.
    pub auth_flow: Option<AuthFlow>,
    /// The device; `None` is an unregistered device.
    pub device: Option<Device>,
    /// Whether the user used the combined registration experience before it was turned off for
    /// them.
    pub used_combined_registration: Option<bool>,
}

// --- JSON reading ----------------------------------------------------------------------------

/// A JSON object read field by field, remembering which fields were read so unknown ones can be
/// reported.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    read: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    /// Read `value` as an object; `prefix` is its path (`""` at the top).
    pub(crate) fn new(value: &'a Value, prefix: &str) -> Result<Fields<'a>, ScenarioError> {
        match value {
            Value::Object(map) => Ok(Fields { map, prefix: prefix.to_owned(), read: Vec::new() }),
            _ => Err(ScenarioError::new(
                if prefix.is_empty() { ErrorKind::Json } else { ErrorKind::InvalidValue },
                prefix,
                format!("expected a JSON object, found {}", kind_of(value)),
            )),
        }
    }

    /// The full path of a field.
    pub(crate) fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_owned() } else { format!("{}.{key}", self.prefix) }
    }

    /// The value of a field; `null` counts as absent.
    pub(crate) fn get(&mut self, key: &'a str) -> Option<&'a Value> {
        self.read.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn invalid(&self, key: &str, message: String) -> ScenarioError {
        ScenarioError::new(ErrorKind::InvalidValue, self.path(key), message)
    }

    /// A string field.
    pub(crate) fn string(&mut self, key: &'a str) -> Result<Option<&'a str>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(v) => Err(self.invalid(key, format!("expected a string, found {}", kind_of(v)))),
        }
    }

    /// A boolean field.
    pub(crate) fn boolean(&mut self, key: &'a str) -> Result<Option<bool>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.invalid(key, format!("expected `true` or `false`, found {}", kind_of(v)))),
        }
    }

    /// A list of strings (a single string is accepted as a list of one).
    pub(crate) fn strings(&mut self, key: &'a str) -> Result<Vec<&'a str>, ScenarioError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.as_str()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.as_str()),
                    other => Err(self.invalid(key, format!("expected strings, found {}", kind_of(other)))),
                })
                .collect(),
            Some(v) => Err(self.invalid(key, format!("expected a list of strings, found {}", kind_of(v)))),
        }
    }

    /// A word from a table, with "did you mean" on a miss.
    pub(crate) fn word<T: Copy>(
        &mut self,
        key: &'a str,
        what: &str,
        table: &[(&'static str, T)],
    ) -> Result<Option<T>, ScenarioError> {
        let Some(s) = self.string(key)? else { return Ok(None) };
        word(table, s).map(Some).ok_or_else(|| unknown_word(&self.path(key), what, s, table))
    }

    /// A nested object.
    pub(crate) fn object(&mut self, key: &'a str) -> Result<Option<Fields<'a>>, ScenarioError> {
        let path = self.path(key);
        match self.get(key) {
            None => Ok(None),
            Some(v) => Fields::new(v, &path).map(Some),
        }
    }

    /// Every field not read is an error; `@odata.*` annotations are allowed.
    pub(crate) fn finish(self) -> Result<(), ScenarioError> {
        for key in self.map.keys() {
            if self.read.contains(&key.as_str()) || key.starts_with("@odata.") {
                continue;
            }
            let help = suggest::did_you_mean(key, self.read.iter().copied());
            return Err(ScenarioError::new(
                ErrorKind::UnknownField,
                self.path(key),
                "unknown field".to_owned(),
            )
            .with_help(help));
        }
        Ok(())
    }
}

/// "a string", "a number", ... for messages.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Look a word up, case-sensitively.
pub(crate) fn word<T: Copy>(table: &[(&'static str, T)], s: &str) -> Option<T> {
    table.iter().find(|(w, _)| *w == s).map(|(_, v)| *v)
}

/// The error for a word not in its table.
pub(crate) fn unknown_word<T>(
    field: &str,
    what: &str,
    value: &str,
    table: &[(&'static str, T)],
) -> ScenarioError {
    let names: Vec<&str> = table.iter().map(|(w, _)| *w).collect();
    let help = suggest::did_you_mean(value, names.iter().copied())
        .or_else(|| Some(format!("expected one of {}", quote_list(&names))));
    ScenarioError::new(ErrorKind::InvalidValue, field, format!("unknown {what} `{value}`")).with_help(help)
}

/// "`a`, `b` and `c`".
pub(crate) fn quote_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Sign-in platforms (every platform word but `all`).
pub(crate) const PLATFORMS: &[(&str, Platform)] = &[
    ("android", Platform::Android),
    ("ios", Platform::Ios),
    ("windows", Platform::Windows),
    ("windows_phone", Platform::WindowsPhone),
    ("macos", Platform::Macos),
    ("linux", Platform::Linux),
];

/// Sign-in client app types.
pub(crate) const CLIENTS: &[(&str, Client)] = &[
    ("browser", Client::Browser),
    ("mobile_desktop", Client::MobileDesktop),
    ("exchange_active_sync", Client::ExchangeActiveSync),
    ("eas_supported", Client::EasSupported),
    ("other", Client::Other),
];

/// Risk levels of a sign-in.
pub(crate) const RISKS: &[(&str, Risk)] = &[
    ("none", Risk::None),
    ("low", Risk::Low),
    ("medium", Risk::Medium),
    ("high", Risk::High),
    ("hidden", Risk::Hidden),
];

/// Insider risk levels of a sign-in (`none` is no insider risk).
pub(crate) const INSIDER_RISKS: &[(&str, Option<InsiderRisk>)] = &[
    ("none", None),
    ("minor", Some(InsiderRisk::Minor)),
    ("moderate", Some(InsiderRisk::Moderate)),
    ("elevated", Some(InsiderRisk::Elevated)),
];

/// Authentication flows of a sign-in (`none` is an ordinary sign-in).
pub(crate) const AUTH_FLOWS: &[(&str, Option<AuthFlow>)] = &[
    ("none", None),
    ("device_code", Some(AuthFlow::DeviceCode)),
    ("auth_transfer", Some(AuthFlow::AuthTransfer)),
];

/// The fields of a capol scenario, in documentation order.
pub const SCENARIO_FIELDS: &[&str] = &[
    "name",
    "user",
    "user_type",
    "external_tenant",
    "groups",
    "roles",
    "service_principal",
    "app",
    "action",
    "auth_context",
    "ip",
    "country",
    "gps_country",
    "platform",
    "client_app",
    "sign_in_risk",
    "user_risk",
    "service_principal_risk",
    "insider_risk",
    "auth_flow",
    "device",
    "used_combined_registration",
];

/// Parse an IP address field.
pub(crate) fn parse_ip(field: &str, text: &str) -> Result<IpAddr, ScenarioError> {
    text.trim().parse::<IpAddr>().map_err(|_| {
        let help = if text.contains('/') {
            Some("give one address, not a range".to_owned())
        } else {
            Some("write an IPv4 address like `203.0.113.9` or an IPv6 address like `2001:db8::1`".to_owned())
        };
        ScenarioError::new(ErrorKind::InvalidValue, field, format!("invalid IP address `{text}`"))
            .with_help(help)
    })
}

/// Parse a country code field: ISO 3166-1 alpha-2, any case.
pub(crate) fn parse_country(field: &str, text: &str) -> Result<String, ScenarioError> {
    let upper = text.trim().to_ascii_uppercase();
    if catalog::country_name(&upper).is_some() {
        return Ok(upper);
    }
    let help = suggest::did_you_mean(&upper, catalog::COUNTRIES.iter().map(|(c, _)| *c))
        .or_else(|| Some("use an ISO 3166-1 alpha-2 code such as `FR` or `US`".into()));
    Err(ScenarioError::new(ErrorKind::InvalidValue, field, format!("unknown country code `{text}`"))
        .with_help(help))
}

/// Read a device object: `registered` plus device-filter attributes in capol snake_case or
/// Graph camelCase.
pub(crate) fn parse_device(mut f: Fields<'_>) -> Result<Device, ScenarioError> {
    let mut device = Device { registered: true, ..Device::default() };
    let map = f.map;
    for (key, value) in map {
        if key.starts_with("@odata.") {
            continue;
        }
        let path = f.path(key);
        if key == "registered" {
            match value {
                Value::Bool(b) => device.registered = *b,
                v => {
                    return Err(ScenarioError::new(
                        ErrorKind::InvalidValue,
                        path,
                        format!("expected `true` or `false`, found {}", kind_of(v)),
                    ));
                }
            }
            continue;
        }
        let name = match key.as_str() {
            "ownership" => "deviceOwnership".to_owned(),
            other => crate::devfilter::snake_to_camel(other),
        };
        let v = match value {
            Value::Null => continue,
            Value::String(s) => DeviceValue::Text(s.clone()),
            Value::Bool(b) => DeviceValue::Bool(*b),
            Value::Array(items) => {
                let mut list = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => list.push(s.clone()),
                        other => {
                            return Err(ScenarioError::new(
                                ErrorKind::InvalidValue,
                                path,
                                format!("expected strings, found {}", kind_of(other)),
                            ));
                        }
                    }
                }
                DeviceValue::List(list)
            }
            other => {
                return Err(ScenarioError::new(
                    ErrorKind::InvalidValue,
                    path,
                    format!("expected a string, a boolean or a list, found {}", kind_of(other)),
                ));
            }
        };
        if let Err(message) = device.set(&name, v) {
            let kind = if message.starts_with("unknown") {
                ErrorKind::UnknownField
            } else {
                ErrorKind::InvalidValue
            };
            return Err(ScenarioError::new(kind, path, message));
        }
    }
    f.read.extend(map.keys().map(String::as_str));
    f.finish()?;
    Ok(device)
}

impl Scenario {
    /// Parse capol's scenario JSON.
    ///
    /// # Errors
    ///
    /// Not JSON, an unknown field, a value of the wrong type or word, or conflicting targets.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        Scenario::from_value(&value)
    }

    /// Read capol's scenario from a parsed JSON value.
    ///
    /// # Errors
    ///
    /// As `from_json`.
    pub fn from_value(value: &Value) -> Result<Scenario, ScenarioError> {
        let mut f = Fields::new(value, "")?;
        let mut s = Scenario { source: Source::Capol, ..Scenario::default() };
        s.name = f.string("name")?.map(str::to_owned);
        s.user = f.string("user")?.map(str::to_owned);
        s.user_type = f.word("user_type", "user type", words::USER_TYPES)?;
        s.external_tenant = f.string("external_tenant")?.map(str::to_owned);
        s.groups = f.strings("groups")?.into_iter().map(str::to_owned).collect();
        s.roles = f.strings("roles")?.into_iter().map(str::to_owned).collect();
        s.service_principal = f.string("service_principal")?.map(str::to_owned);
        let mut targets = Vec::new();
        if let Some(app) = f.string("app")? {
            targets.push(("app", Target::App(app.to_owned())));
        }
        if let Some(action) = f.word("action", "user action", words::USER_ACTIONS)? {
            targets.push(("action", Target::Action(action)));
        }
        if let Some(ctx) = f.string("auth_context")? {
            targets.push(("auth_context", Target::AuthContext(ctx.to_owned())));
        }
        if let [(first, _), (second, _), ..] = targets.as_slice() {
            return Err(ScenarioError::new(
                ErrorKind::Conflict,
                *second,
                format!("a sign-in has one target: `{first}` or `{second}`, not both"),
            )
            .with_help(Some("evaluate one sign-in per target".into())));
        }
        s.target = targets.pop().map(|(_, t)| t);
        if let Some(ip) = f.string("ip")? {
            s.ip = Some(parse_ip("ip", ip)?);
        }
        if let Some(c) = f.string("country")? {
            s.country = Some(parse_country("country", c)?);
        }
        if let Some(c) = f.string("gps_country")? {
            s.gps_country = Some(parse_country("gps_country", c)?);
        }
        s.platform = f.word("platform", "platform", PLATFORMS)?;
        s.client_app = f.word("client_app", "client app type", CLIENTS)?;
        s.sign_in_risk = f.word("sign_in_risk", "risk level", RISKS)?;
        s.user_risk = f.word("user_risk", "risk level", RISKS)?;
        s.service_principal_risk = f.word("service_principal_risk", "risk level", RISKS)?;
        s.insider_risk = f.word("insider_risk", "insider risk level", INSIDER_RISKS)?.flatten();
        s.auth_flow = f.word("auth_flow", "authentication flow", AUTH_FLOWS)?.flatten();
        if let Some(device) = f.object("device")? {
            s.device = Some(parse_device(device)?);
        }
        s.used_combined_registration = f.boolean("used_combined_registration")?;
        f.finish()?;
        Ok(s)
    }
}

/// A JSON syntax error as a scenario error.
pub(crate) fn json_error(e: &serde_json::Error) -> ScenarioError {
    let message = e.to_string();
    let message = match message.split_once(" at line ") {
        Some((what, _)) => format!("invalid JSON: {what} (line {}, column {})", e.line(), e.column()),
        None => format!("invalid JSON: {message}"),
    };
    ScenarioError::new(ErrorKind::Json, "", message)
}

// --- resolution ------------------------------------------------------------------------------

/// What to do with a user id neither the workspace nor the directory knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum UnknownUsers {
    /// Report an error: group and role memberships would be guessed otherwise.
    #[default]
    Error,
    /// Treat the user as a member with no group or role (only object ids qualify).
    Member,
}

/// Resolves scenarios against an engine and, optionally, a directory snapshot.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'a> {
    /// The engine.
    pub engine: &'a Engine,
    /// The directory snapshot, if any.
    pub directory: Option<&'a BoundDirectory>,
    /// What to do with unknown user ids.
    pub unknown_users: UnknownUsers,
}

fn is_guid(s: &str) -> bool {
    words::is_guid(s)
}

impl<'a> Resolver<'a> {
    /// A resolver with no directory that rejects unknown users.
    pub fn new(engine: &'a Engine) -> Resolver<'a> {
        Resolver { engine, directory: None, unknown_users: UnknownUsers::Error }
    }

    fn unknown(
        &self,
        s: &Scenario,
        field: &str,
        what: &str,
        value: &str,
        candidates: &[&str],
    ) -> ScenarioError {
        let help = suggest::did_you_mean(value, candidates.iter().copied());
        ScenarioError::new(ErrorKind::UnknownName, s.source.field(field), format!("unknown {what} `{value}`"))
            .with_help(help)
    }

    /// Resolve a scenario into a sign-in.
    ///
    /// # Errors
    ///
    /// No target, both a user and a service principal, or a user, group, role, app,
    /// authentication context or service principal nobody knows.
    pub fn resolve(&self, s: &Scenario) -> Result<SignIn, ScenarioError> {
        let identity = match (&s.user, &s.service_principal) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::new(
                    ErrorKind::Conflict,
                    s.source.field("service_principal"),
                    "a sign-in is by a user or by a service principal, not both",
                ));
            }
            (None, Some(sp)) => Identity::ServicePrincipal(self.service_principal(s, sp)?),
            (user, None) => Identity::User(self.principal(s, user.as_deref())?),
        };
        let Some(target) = &s.target else {
            let field = match s.source {
                Source::Capol => "app",
                Source::GraphRequest => "signInContext",
                Source::SignInLog => "resourceId",
            };
            return Err(ScenarioError::new(ErrorKind::MissingField, field, "the sign-in has no target")
                .with_help(Some("give `app`, `action` or `auth_context`".into())));
        };
        let context = match target {
            Target::App(app) => Context::App(self.app(s, app)?),
            Target::Action(a) => Context::Action(*a),
            Target::AuthContext(c) => Context::AuthContext(self.auth_context(s, c)?),
        };
        let mut sign_in = SignIn::new(identity, context);
        sign_in.ip = s.ip;
        sign_in.country = s.country.as_deref().and_then(country_code);
        sign_in.gps_country = s.gps_country.as_deref().and_then(country_code);
        sign_in.platform = s.platform;
        sign_in.client = s.client_app;
        sign_in.sign_in_risk = s.sign_in_risk.unwrap_or_default();
        sign_in.user_risk = s.user_risk.unwrap_or_default();
        sign_in.service_principal_risk = s.service_principal_risk.unwrap_or_default();
        sign_in.insider_risk = s.insider_risk;
        sign_in.auth_flow = s.auth_flow;
        sign_in.device = s.device.clone().unwrap_or_default();
        sign_in.used_combined_registration = s.used_combined_registration;
        Ok(sign_in)
    }

    /// A user's facts by workspace name, object id or UPN, merged with the directory snapshot's;
    /// `None` when neither knows the user (and `--unknown-users member` does not apply).
    pub(crate) fn known_user(&self, key: &str) -> Option<Arc<Principal>> {
        let engine = self.engine;
        let workspace = engine.workspace_user(key).and_then(|i| {
            let user = engine.program().users.get(i)?;
            Some((user, engine.workspace_principal(i)?))
        });
        let directory = self.directory.and_then(|d| {
            d.user(key)
                .or_else(|| workspace.as_ref().and_then(|(u, _)| u.id.as_deref()).and_then(|id| d.user(id)))
        });
        match (workspace, directory) {
            (Some((_, ws)), Some(dir)) => {
                let mut merged = (*ws).clone();
                merged.groups.union_with(&dir.groups);
                merged.roles.union_with(&dir.roles);
                Some(Arc::new(merged))
            }
            (Some((_, ws)), None) => Some(ws),
            (None, Some(dir)) => Some(dir),
            (None, None) if self.unknown_users == UnknownUsers::Member && is_guid(key) => {
                let mut p = engine.empty_principal(UserType::Member);
                p.user = engine.user_index(key);
                Some(Arc::new(p))
            }
            (None, None) => None,
        }
    }

    fn principal(&self, s: &Scenario, user: Option<&str>) -> Result<Arc<Principal>, ScenarioError> {
        let engine = self.engine;
        let mut principal: Arc<Principal> = match user {
            None => Arc::new(engine.empty_principal(UserType::Member)),
            Some(key) => match self.known_user(key) {
                Some(p) => p,
                None => {
                    let names: Vec<&str> = engine.program().users.iter().map(|u| u.name.as_str()).collect();
                    let mut err = self.unknown(s, "user", "user", key, &names);
                    if err.help.is_none() {
                        err.help = Some(if self.directory.is_some() {
                            "the user is neither declared in the workspace nor in the directory snapshot"
                                .into()
                        } else {
                            "declare the user in the workspace, or pass `--directory` with a Graph directory snapshot".into()
                        });
                    }
                    return Err(err);
                }
            },
        };
        let inline = s.user_type.is_some()
            || s.external_tenant.is_some()
            || !s.groups.is_empty()
            || !s.roles.is_empty();
        if inline {
            let p = Arc::make_mut(&mut principal);
            if let Some(t) = s.user_type {
                p.user_type = t;
            }
            if let Some(tenant) = &s.external_tenant {
                if !is_guid(tenant) {
                    return Err(ScenarioError::new(
                        ErrorKind::InvalidValue,
                        s.source.field("external_tenant"),
                        format!("invalid tenant id `{tenant}`"),
                    )
                    .with_help(Some("a tenant id is a GUID".into())));
                }
                p.tenant = engine.tenant_index(tenant);
            }
            for g in &s.groups {
                if let Some(i) = self.group(s, g)? {
                    p.groups.insert(i);
                }
            }
            for r in &s.roles {
                if let Some(i) = self.role(s, r)? {
                    p.roles.insert(i);
                }
            }
        }
        Ok(principal)
    }

    /// The engine index of a group given by name or id; `None` for a known group no policy
    /// names.
    fn group(&self, s: &Scenario, key: &str) -> Result<Option<u32>, ScenarioError> {
        let engine = self.engine;
        if let Some(i) = engine.group_index(key) {
            return Ok(Some(i));
        }
        let declared = engine
            .program()
            .groups
            .iter()
            .any(|g| g.name == key || g.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(key)));
        if declared {
            return Ok(None);
        }
        if let Some(i) = self.directory.and_then(|d| d.group(key)) {
            return Ok(i);
        }
        if is_guid(key) {
            return Ok(None);
        }
        let names: Vec<&str> = engine.program().groups.iter().map(|g| g.name.as_str()).collect();
        Err(self.unknown(s, "groups", "group", key, &names))
    }

    /// The engine index of a role given by workspace name, template id or built-in name.
    fn role(&self, s: &Scenario, key: &str) -> Result<Option<u32>, ScenarioError> {
        let engine = self.engine;
        if let Some(i) = engine.role_index(key) {
            return Ok(Some(i));
        }
        if let Some(r) = engine.program().roles.iter().find(|r| r.name == key) {
            return Ok(engine.role_index(&r.template_id));
        }
        if let Some(r) = catalog::role_by_name(key) {
            return Ok(engine.role_index(r.template_id));
        }
        if is_guid(key) {
            return Ok(None);
        }
        let mut names: Vec<&str> = engine.program().roles.iter().map(|r| r.name.as_str()).collect();
        names.extend(catalog::ROLES.iter().map(|r| r.name));
        Err(self.unknown(s, "roles", "role", key, &names))
    }

    /// A resource by workspace app name, app id, catalogue name or app group word; `None` when
    /// nobody knows it.
    pub(crate) fn app_ref(&self, key: &str) -> Option<super::signin::AppRef> {
        let engine = self.engine;
        match key {
            "office365" => {
                return Some(super::signin::AppRef {
                    index: None,
                    office365: true,
                    admin_portals: false,
                    named_group: true,
                });
            }
            "admin_portals" => {
                return Some(super::signin::AppRef {
                    index: None,
                    office365: false,
                    admin_portals: true,
                    named_group: true,
                });
            }
            _ => {}
        }
        if let Some(app) = engine.program().apps.iter().find(|a| a.name == key) {
            return Some(engine.app(app.id.as_deref().unwrap_or(key)));
        }
        if is_guid(key) {
            return Some(engine.app(key));
        }
        catalog::app_by_name(key).map(|app| engine.app(app.app_id))
    }

    fn app(&self, s: &Scenario, key: &str) -> Result<super::signin::AppRef, ScenarioError> {
        if let Some(app) = self.app_ref(key) {
            return Ok(app);
        }
        let engine = self.engine;
        let mut names: Vec<&str> = vec!["office365", "admin_portals"];
        names.extend(engine.program().apps.iter().map(|a| a.name.as_str()));
        names.extend(catalog::APPS.iter().map(|a| a.name));
        let mut err = self.unknown(s, "app", "app", key, &names);
        if err.help.is_none() {
            err.help =
                Some("give a workspace app name, an application id, or `office365` / `admin_portals`".into());
        }
        Err(err)
    }

    /// An authentication context by workspace name or id: `Some(None)` for a well-formed id no
    /// policy names, `None` when it is neither.
    pub(crate) fn context_ref(&self, key: &str) -> Option<Option<u32>> {
        if let Some(i) = self.engine.context_index(key) {
            return Some(Some(i));
        }
        words::is_auth_context_id(key).then_some(None)
    }

    fn auth_context(&self, s: &Scenario, key: &str) -> Result<Option<u32>, ScenarioError> {
        if let Some(c) = self.context_ref(key) {
            return Ok(c);
        }
        let names: Vec<&str> = self.engine.program().auth_contexts.iter().map(|a| a.name.as_str()).collect();
        let mut err = self.unknown(s, "auth_context", "authentication context", key, &names);
        if err.help.is_none() {
            err.help = Some("give a workspace name or an id from `c1` to `c99`".into());
        }
        Err(err)
    }

    /// A workload identity by name or id: `Some(None)` for an id no policy names, `None` when it
    /// is neither.
    pub(crate) fn service_principal_ref(&self, key: &str) -> Option<Option<u32>> {
        if let Some(i) = self.engine.service_principal_index(key) {
            return Some(Some(i));
        }
        is_guid(key).then_some(None)
    }

    fn service_principal(&self, s: &Scenario, key: &str) -> Result<Option<u32>, ScenarioError> {
        if let Some(sp) = self.service_principal_ref(key) {
            return Ok(sp);
        }
        let names: Vec<&str> =
            self.engine.program().service_principals.iter().map(|a| a.name.as_str()).collect();
        Err(self.unknown(s, "service_principal", "service principal", key, &names))
    }
}
