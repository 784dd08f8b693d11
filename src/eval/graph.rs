//! Microsoft Graph's What If API: reading a `POST /identity/conditionalAccess/evaluate` request
//! body (v1.0) into a scenario, and writing results shaped like `whatIfAnalysisResult`.
//!
//! Source: entra-ca-facts §6 (learn.microsoft.com/graph/api/conditionalaccessroot-evaluate,
//! learn.microsoft.com/graph/api/resources/whatifanalysisresult).

use serde_json::{Map, Value, json};

use super::engine::{Miss, PolicyResult};
use super::scenario::{
    ErrorKind, Fields, Scenario, ScenarioError, Source, Target, json_error, parse_country, parse_device,
    parse_ip, unknown_word,
};
use super::signin::{Client, Risk};
use crate::ir::{self, AuthFlow, InsiderRisk, Platform, UserAction, UserType};

/// A parsed What If request.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfRequest {
    /// The sign-in, as a scenario.
    pub scenario: Scenario,
    /// `appliedPoliciesOnly`: list only the policies that apply.
    pub applied_policies_only: bool,
}

const PLATFORMS: &[(&str, Platform)] = &[
    ("android", Platform::Android),
    ("iOS", Platform::Ios),
    ("windows", Platform::Windows),
    ("windowsPhone", Platform::WindowsPhone),
    ("macOS", Platform::Macos),
    ("linux", Platform::Linux),
];

const CLIENTS: &[(&str, Client)] = &[
    ("browser", Client::Browser),
    ("mobileAppsAndDesktopClients", Client::MobileDesktop),
    ("exchangeActiveSync", Client::ExchangeActiveSync),
    ("easSupported", Client::EasSupported),
    ("other", Client::Other),
];

const RISKS: &[(&str, Risk)] = &[
    ("low", Risk::Low),
    ("medium", Risk::Medium),
    ("high", Risk::High),
    ("hidden", Risk::Hidden),
    ("none", Risk::None),
];

const INSIDER: &[(&str, Option<InsiderRisk>)] = &[
    ("none", None),
    ("minor", Some(InsiderRisk::Minor)),
    ("moderate", Some(InsiderRisk::Moderate)),
    ("elevated", Some(InsiderRisk::Elevated)),
];

const TRANSFER: &[(&str, Option<AuthFlow>)] = &[
    ("none", None),
    ("deviceCodeFlow", Some(AuthFlow::DeviceCode)),
    ("authenticationTransfer", Some(AuthFlow::AuthTransfer)),
];

const ACTIONS: &[(&str, UserAction)] = &[
    ("registerSecurityInformation", UserAction::RegisterSecurityInfo),
    ("registerOrJoinDevices", UserAction::RegisterDevice),
];

/// Graph enum values compare case-insensitively here: Graph's own spelling is documented, but a
/// help-desk request typed by hand should not fail on `ios` versus `iOS`.
fn graph_word<'a, T: Copy>(
    f: &mut Fields<'a>,
    key: &'a str,
    what: &str,
    table: &[(&'static str, T)],
) -> Result<Option<T>, ScenarioError> {
    let Some(s) = f.string(key)? else { return Ok(None) };
    match table.iter().find(|(w, _)| w.eq_ignore_ascii_case(s)) {
        Some((_, v)) => Ok(Some(*v)),
        None => Err(unknown_word(&f.path(key), what, s, table)),
    }
}

fn odata_type<'a>(f: &mut Fields<'a>) -> Result<Option<&'a str>, ScenarioError> {
    Ok(f.string("@odata.type")?.map(|t| t.trim_start_matches('#').trim_start_matches("microsoft.graph.")))
}

impl WhatIfRequest {
    /// Parse a request body.
    ///
    /// # Errors
    ///
    /// Not JSON, a missing `signInIdentity` or `signInContext`, an unknown field or enum value,
    /// or an invalid IP address or country.
    pub fn from_json(text: &str) -> Result<WhatIfRequest, ScenarioError> {
        let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        WhatIfRequest::from_value(&value)
    }

    /// Read a request body from parsed JSON.
    ///
    /// # Errors
    ///
    /// As `from_json`.
    pub fn from_value(value: &Value) -> Result<WhatIfRequest, ScenarioError> {
        let mut f = Fields::new(value, "")?;
        let mut s = Scenario { source: Source::GraphRequest, ..Scenario::default() };
        let Some(mut identity) = f.object("signInIdentity")? else {
            return Err(missing("signInIdentity", "the request has no `signInIdentity`"));
        };
        let kind = match odata_type(&mut identity)? {
            Some(t) => t,
            None if identity.get("servicePrincipalId").is_some() => "servicePrincipalSignIn",
            None => "userSignIn",
        };
        match kind {
            "userSignIn" => {
                let Some(user) = identity.string("userId")? else {
                    return Err(missing("signInIdentity.userId", "a user sign-in needs `userId`"));
                };
                s.user = Some(user.to_owned());
                s.external_tenant = identity.string("externalTenantId")?.map(str::to_owned);
                if let Some(t) = identity.string("externalUserType")? {
                    s.user_type = Some(external_user_type(&identity.path("externalUserType"), t)?);
                }
            }
            "servicePrincipalSignIn" => {
                let Some(sp) = identity.string("servicePrincipalId")? else {
                    return Err(missing(
                        "signInIdentity.servicePrincipalId",
                        "a service principal sign-in needs `servicePrincipalId`",
                    ));
                };
                s.service_principal = Some(sp.to_owned());
            }
            other => {
                return Err(unknown_type(
                    "signInIdentity.@odata.type",
                    other,
                    &["userSignIn", "servicePrincipalSignIn"],
                ));
            }
        }
        identity.finish()?;
        let Some(mut context) = f.object("signInContext")? else {
            return Err(missing("signInContext", "the request has no `signInContext`"));
        };
        let kind = match odata_type(&mut context)? {
            Some(t) => t,
            None if context.get("includeApplications").is_some() => "applicationContext",
            None if context.get("userAction").is_some() => "userActionContext",
            None if context.get("authenticationContextValue").is_some() => "authContext",
            None => {
                return Err(missing(
                    "signInContext.@odata.type",
                    "the sign-in context has no `@odata.type` and no field that tells its kind",
                ));
            }
        };
        s.target = Some(match kind {
            "applicationContext" => {
                let apps = context.strings("includeApplications")?;
                match apps.as_slice() {
                    [app] => Target::App((*app).to_owned()),
                    [] => return Err(missing("signInContext.includeApplications", "no application given")),
                    _ => {
                        return Err(ScenarioError::new(
                            ErrorKind::InvalidValue,
                            "signInContext.includeApplications",
                            format!("capol evaluates one application per sign-in; {} are given", apps.len()),
                        )
                        .with_help(Some("evaluate one request per application".into())));
                    }
                }
            }
            "userActionContext" => match graph_word(&mut context, "userAction", "user action", ACTIONS)? {
                Some(a) => Target::Action(a),
                None => return Err(missing("signInContext.userAction", "no user action given")),
            },
            "authContext" => match context.string("authenticationContextValue")? {
                Some(c) => Target::AuthContext(c.to_owned()),
                None => {
                    return Err(missing(
                        "signInContext.authenticationContextValue",
                        "no authentication context given",
                    ));
                }
            },
            other => {
                return Err(unknown_type(
                    "signInContext.@odata.type",
                    other,
                    &["applicationContext", "userActionContext", "authContext"],
                ));
            }
        });
        context.finish()?;
        if let Some(mut c) = f.object("signInConditions")? {
            s.platform = graph_word(&mut c, "devicePlatform", "device platform", PLATFORMS)?;
            s.client_app = graph_word(&mut c, "clientAppType", "client app type", CLIENTS)?;
            s.sign_in_risk = graph_word(&mut c, "signInRiskLevel", "risk level", RISKS)?;
            s.user_risk = graph_word(&mut c, "userRiskLevel", "risk level", RISKS)?;
            s.service_principal_risk = graph_word(&mut c, "servicePrincipalRiskLevel", "risk level", RISKS)?;
            s.insider_risk = graph_word(&mut c, "insiderRiskLevel", "insider risk level", INSIDER)?.flatten();
            if let Some(country) = c.string("country")? {
                s.country = Some(parse_country(&c.path("country"), country)?);
            }
            if let Some(ip) = c.string("ipAddress")? {
                s.ip = Some(parse_ip(&c.path("ipAddress"), ip)?);
            }
            if let Some(mut flow) = c.object("authenticationFlow")? {
                s.auth_flow = graph_word(&mut flow, "transferMethod", "transfer method", TRANSFER)?.flatten();
                flow.finish()?;
            }
            if let Some(device) = c.object("deviceInfo")? {
                s.device = Some(parse_device(device)?);
            }
            c.finish()?;
        }
        let applied_policies_only = f.boolean("appliedPoliciesOnly")?.unwrap_or(false);
        f.finish()?;
        Ok(WhatIfRequest { scenario: s, applied_policies_only })
    }
}

fn missing(field: &str, message: &str) -> ScenarioError {
    ScenarioError::new(ErrorKind::MissingField, field, message)
}

fn unknown_type(field: &str, value: &str, expected: &[&str]) -> ScenarioError {
    let help = crate::suggest::did_you_mean(value, expected.iter().copied())
        .or_else(|| Some(format!("expected one of {}", super::scenario::quote_list(expected))));
    ScenarioError::new(ErrorKind::InvalidValue, field, format!("unknown type `{value}`")).with_help(help)
}

/// `externalUserType`: one guest type (Graph allows a flags list; a sign-in is by one user).
fn external_user_type(field: &str, text: &str) -> Result<UserType, ScenarioError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let [one] = parts.as_slice() else {
        return Err(ScenarioError::new(
            ErrorKind::InvalidValue,
            field,
            format!("expected one user type, found `{text}`"),
        ));
    };
    let table: Vec<(&'static str, UserType)> =
        std::iter::once(UserType::Member).chain(UserType::GUEST_TYPES).map(|t| (t.graph(), t)).collect();
    table
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(one))
        .map(|(_, t)| *t)
        .ok_or_else(|| unknown_word(field, "user type", one, &table))
}

// --- results ---------------------------------------------------------------------------------

/// Graph's spelling of a policy state.
pub fn state(s: ir::PolicyState) -> &'static str {
    match s {
        ir::PolicyState::Enabled => "enabled",
        ir::PolicyState::Disabled => "disabled",
        ir::PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
    }
}

fn builtin(c: &ir::Control) -> Option<&'static str> {
    Some(match c {
        ir::Control::Mfa => "mfa",
        ir::Control::CompliantDevice => "compliantDevice",
        ir::Control::DomainJoinedDevice => "domainJoinedDevice",
        ir::Control::ApprovedApp => "approvedApplication",
        ir::Control::CompliantApp => "compliantApplication",
        ir::Control::PasswordChange => "passwordChange",
        ir::Control::RiskRemediation => "riskRemediation",
        _ => return None,
    })
}

fn id_or_name(r: &ir::Ref) -> String {
    r.id.clone().unwrap_or_else(|| r.name.clone())
}

/// A policy's `grantControls` in Graph's shape (`null` for a session-only policy). Objects the
/// workspace declares without an id appear by their workspace name.
pub fn grant_controls(p: &ir::Policy, program: &ir::Program) -> Value {
    let Some(grant) = &p.grant else { return Value::Null };
    let (operator, controls): (&str, &[ir::Control]) = match grant {
        ir::Grant::Block => {
            return json!({"operator": "OR", "builtInControls": ["block"], "customAuthenticationFactors": [], "termsOfUse": [], "authenticationStrength": null});
        }
        ir::Grant::Require { operator, controls } => {
            (if *operator == ir::Operator::And { "AND" } else { "OR" }, controls)
        }
    };
    let mut strength = Value::Null;
    let mut terms = Vec::new();
    let mut custom = Vec::new();
    let mut builtins = Vec::new();
    for c in controls {
        match c {
            ir::Control::AuthStrength(r) => {
                let display = program
                    .auth_strengths
                    .iter()
                    .find(|s| s.name == r.name)
                    .and_then(|s| s.display_name.clone());
                strength = json!({"id": id_or_name(r), "displayName": display});
            }
            ir::Control::TermsOfUse(r) => terms.push(id_or_name(r)),
            ir::Control::CustomControl(r) => custom.push(id_or_name(r)),
            other => builtins.extend(builtin(other)),
        }
    }
    json!({
        "operator": operator,
        "builtInControls": builtins,
        "customAuthenticationFactors": custom,
        "termsOfUse": terms,
        "authenticationStrength": strength,
    })
}

/// A policy's `sessionControls` in Graph's shape (`null` when it has none).
pub fn session_controls(s: &ir::Session) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    let mut out = Map::new();
    out.insert(
        "applicationEnforcedRestrictions".into(),
        if s.app_enforced_restrictions { json!({"isEnabled": true}) } else { Value::Null },
    );
    out.insert(
        "cloudAppSecurity".into(),
        match s.cloud_app_security {
            None => Value::Null,
            Some(m) => json!({"isEnabled": true, "cloudAppSecurityType": match m {
                ir::CloudAppSecurity::MonitorOnly => "monitorOnly",
                ir::CloudAppSecurity::BlockDownloads => "blockDownloads",
                ir::CloudAppSecurity::McasConfigured => "mcasConfigured",
            }}),
        },
    );
    out.insert(
        "persistentBrowser".into(),
        match s.persistent_browser {
            None => Value::Null,
            Some(m) => json!({"isEnabled": true, "mode": match m {
                ir::PersistentBrowser::Always => "always",
                ir::PersistentBrowser::Never => "never",
            }}),
        },
    );
    out.insert(
        "signInFrequency".into(),
        match &s.sign_in_frequency {
            None => Value::Null,
            Some(f) => {
                let auth = match f.authentication {
                    ir::FrequencyAuthentication::PrimaryAndSecondary => "primaryAndSecondaryAuthentication",
                    ir::FrequencyAuthentication::Secondary => "secondaryAuthentication",
                };
                match f.interval {
                    ir::FrequencyInterval::EveryTime => json!({"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": auth, "value": null, "type": null}),
                    ir::FrequencyInterval::TimeBased { value, unit } => json!({
                        "isEnabled": true, "frequencyInterval": "timeBased", "authenticationType": auth,
                        "value": value, "type": match unit { ir::FrequencyUnit::Hours => "hours", ir::FrequencyUnit::Days => "days" },
                    }),
                }
            }
        },
    );
    out.insert(
        "disableResilienceDefaults".into(),
        if s.disable_resilience_defaults { json!(true) } else { Value::Null },
    );
    out.insert(
        "secureSignInSession".into(),
        if s.secure_sign_in_session { json!({"isEnabled": true}) } else { Value::Null },
    );
    Value::Object(out)
}

/// One `whatIfAnalysisResult` item, with capol's detail under `capol`.
pub fn result_item(p: &ir::Policy, program: &ir::Program, result: PolicyResult) -> Value {
    let (applies, reasons, detail) = match result {
        PolicyResult::Applies => (true, "notSet", Value::Null),
        PolicyResult::NotApplies(Miss { reason, why }) => (false, reason.graph(), json!(why.word())),
    };
    json!({
        "id": p.id,
        "templateId": null,
        "displayName": p.display_name,
        "state": state(p.state),
        "policyApplies": applies,
        "analysisReasons": reasons,
        "grantControls": grant_controls(p, program),
        "sessionControls": session_controls(&p.session),
        "capol": {"detail": detail},
    })
}
