//! The Microsoft Graph v1.0 target: one request body per named location and per policy, in the
//! exact shape of `POST /identity/conditionalAccess/{namedLocations,policies}`, and a manifest
//! that lists the files in dependency order.
//!
//! Shapes follow the v1.0 metadata: `"All"`/`"None"` for users and apps but lower-case `all` for
//! platforms and client apps, flags enums as one comma-separated string, user actions as URNs,
//! `@odata.type` on named locations and on every IP range, the authentication strength as
//! `{"id": ...}`. Every condition Graph knows is written, unset ones as `null` or `[]`, so a body
//! used for `PATCH` also clears what the workspace does not set.
//!
//! Ids the workspace does not know become placeholders that the manifest explains:
//! `${location:NAME}` for a named location the deployment creates (the id Graph returns for its
//! file), `${KIND:NAME}` for a directory object declared without an id. Template placeholders
//! written in the workspace, such as `<ExclusionTempGroup>`, are carried unchanged and listed too.

pub mod compare;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Note, OutputFile, to_pretty_json, workspace_notes};
use crate::check::words::is_placeholder;
use crate::ir::{self, Program};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// What `compile` produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphOutput {
    /// Named locations, then policies, then the manifest.
    pub files: Vec<OutputFile>,
    /// Things the user must know, printed on standard error by the CLI.
    pub notes: Vec<Note>,
}

/// A placeholder written into request bodies in place of an unknown id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placeholder {
    kind: String,
    name: String,
    meaning: String,
}

/// Resolves references to the strings Graph expects, recording every placeholder it writes.
struct Resolver<'p> {
    program: &'p Program,
    /// Managed location name → its file, for locations created by this deployment.
    location_files: BTreeMap<String, String>,
    placeholders: BTreeMap<String, Placeholder>,
}

impl<'p> Resolver<'p> {
    fn new(program: &'p Program) -> Resolver<'p> {
        Resolver { program, location_files: BTreeMap::new(), placeholders: BTreeMap::new() }
    }

    fn object(&mut self, kind: &str, r: &ir::Ref) -> String {
        match &r.id {
            Some(id) if is_placeholder(id) => {
                self.placeholders.entry(id.clone()).or_insert_with(|| Placeholder {
                    kind: kind.to_owned(),
                    name: r.name.clone(),
                    meaning: format!(
                        "template placeholder written as the id of {kind} `{}`; replace it with the real id",
                        r.name
                    ),
                });
                id.clone()
            }
            Some(id) => id.clone(),
            None => {
                let text = placeholder(kind, &r.name);
                let display = self.display_name(kind, &r.name);
                let meaning = match display {
                    Some(d) => format!(
                        "the id of {kind} `{}` (display name \"{d}\"), declared without an id",
                        r.name
                    ),
                    None => format!("the id of {kind} `{}`, declared without an id", r.name),
                };
                self.placeholders.entry(text.clone()).or_insert_with(|| Placeholder {
                    kind: kind.to_owned(),
                    name: r.name.clone(),
                    meaning,
                });
                text
            }
        }
    }

    fn display_name(&self, kind: &str, name: &str) -> Option<String> {
        let p = self.program;
        let find = |objects: &[ir::Object]| {
            objects.iter().find(|o| o.name == name).and_then(|o| o.display_name.clone())
        };
        match kind {
            "group" => p.groups.iter().find(|g| g.name == name).and_then(|g| g.display_name.clone()),
            "user" => {
                p.users.iter().find(|u| u.name == name).and_then(|u| u.display_name.clone().or(u.upn.clone()))
            }
            "auth_strength" => {
                p.auth_strengths.iter().find(|s| s.name == name).and_then(|s| s.display_name.clone())
            }
            "terms_of_use" => find(&p.terms_of_use),
            "custom_control" => find(&p.custom_controls),
            "service_principal" => find(&p.service_principals),
            "app" => find(&p.apps),
            "auth_context" => find(&p.auth_contexts),
            _ => None,
        }
    }

    fn location(&mut self, r: &ir::Ref) -> String {
        if let Some(id) = &r.id {
            return self.object("location", &ir::Ref { name: r.name.clone(), id: Some(id.clone()) });
        }
        let text = placeholder("location", &r.name);
        let file = self.location_files.get(&r.name).cloned().unwrap_or_default();
        self.placeholders.entry(text.clone()).or_insert_with(|| Placeholder {
            kind: "location".into(),
            name: r.name.clone(),
            meaning: format!("the id Graph returns when `{file}` is created"),
        });
        text
    }
}

/// The placeholder for an object of `kind` named `name` that has no id: `${kind:name}`.
pub fn placeholder(kind: &str, name: &str) -> String {
    format!("${{{kind}:{name}}}")
}

/// The kind and name of a placeholder `placeholder` wrote, or `None` for any other text.
pub fn parse_placeholder(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    let (kind, name) = inner.split_once(':')?;
    (is_placeholder_word(kind) && is_placeholder_word(name)).then_some((kind, name))
}

/// True for a kind or name a placeholder can carry: ASCII letters, digits and `_`.
pub fn is_placeholder_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Compile a program to Graph request bodies and a manifest.
pub fn compile(program: &Program) -> GraphOutput {
    let mut resolver = Resolver::new(program);
    let mut notes = workspace_notes(program);
    let mut files = Vec::new();
    let mut manifest_files = Vec::new();
    let mut used_names = BTreeSet::new();

    for location in &program.locations {
        let Some(body) = location_body(location) else { continue };
        let path = format!("locations/{}", unique_file_name(&location.display_name, &mut used_names));
        resolver.location_files.insert(location.name.clone(), path.clone());
        manifest_files.push(json!({
            "path": path,
            "type": "namedLocation",
            "name": location.name,
            "displayName": location.display_name,
            "id": location.id,
            "request": request("namedLocations", location.id.as_deref()),
            "dependsOn": [],
        }));
        files.push(OutputFile { path, contents: to_pretty_json(&body) });
    }
    for policy in &program.policies {
        let body = policy_body(&mut resolver, policy);
        let path = format!("policies/{}", unique_file_name(&policy.display_name, &mut used_names));
        let depends: Vec<String> = policy_locations(policy)
            .filter(|r| r.id.is_none())
            .filter_map(|r| resolver.location_files.get(&r.name).cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        manifest_files.push(json!({
            "path": path,
            "type": "conditionalAccessPolicy",
            "displayName": policy.display_name,
            "id": policy.id,
            "request": request("policies", policy.id.as_deref()),
            "dependsOn": depends,
        }));
        files.push(OutputFile { path, contents: to_pretty_json(&body) });
    }

    let placeholders: Vec<Value> = resolver
        .placeholders
        .iter()
        .map(|(text, p)| json!({"placeholder": text, "kind": p.kind, "name": p.name, "meaning": p.meaning}))
        .collect();
    if !placeholders.is_empty() {
        notes.push(Note(format!(
            "{} placeholder{} must be replaced by real ids before deploying; `{MANIFEST}` lists {}",
            placeholders.len(),
            if placeholders.len() == 1 { "" } else { "s" },
            if placeholders.len() == 1 { "it" } else { "them" }
        )));
    }
    let manifest = json!({
        "capol_graph": MANIFEST_VERSION,
        "api": "https://graph.microsoft.com/v1.0",
        "order": "deploy the files in this order: named locations first, then the policies that reference them",
        "files": manifest_files,
        "placeholders": placeholders,
        "notes": notes.iter().map(|n| n.0.clone()).collect::<Vec<_>>(),
    });
    files.push(OutputFile { path: MANIFEST.into(), contents: to_pretty_json(&manifest) });
    GraphOutput { files, notes }
}

fn request(collection: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("PATCH /identity/conditionalAccess/{collection}/{id}"),
        None => format!("POST /identity/conditionalAccess/{collection}"),
    }
}

fn policy_locations(policy: &ir::Policy) -> impl Iterator<Item = &ir::Ref> {
    policy.locations.iter().flat_map(|l| l.include.named.iter().chain(l.exclude.named.iter()))
}

/// A file name from a display name (see `import::file_stem`), unique in the output.
fn unique_file_name(display: &str, used: &mut BTreeSet<String>) -> String {
    format!("{}.json", crate::import::file_stem(display, used))
}

/// The request body of a named location; `None` for an unmanaged one (declared with only an id),
/// which capol does not create or change.
pub fn location_body(location: &ir::Location) -> Option<Value> {
    let mut body = Map::new();
    match &location.kind {
        ir::LocationKind::Ip { trusted, ranges } => {
            body.insert("@odata.type".into(), json!("#microsoft.graph.ipNamedLocation"));
            insert_id(&mut body, location.id.as_deref());
            body.insert("displayName".into(), json!(location.display_name));
            body.insert("isTrusted".into(), json!(trusted));
            let ranges: Vec<Value> = ranges
                .iter()
                .map(|r| {
                    let kind = if r.network.is_ipv6() { "iPv6CidrRange" } else { "iPv4CidrRange" };
                    json!({"@odata.type": format!("#microsoft.graph.{kind}"), "cidrAddress": r.to_string()})
                })
                .collect();
            body.insert("ipRanges".into(), Value::Array(ranges));
        }
        ir::LocationKind::Country { countries, include_unknown, lookup } => {
            body.insert("@odata.type".into(), json!("#microsoft.graph.countryNamedLocation"));
            insert_id(&mut body, location.id.as_deref());
            body.insert("displayName".into(), json!(location.display_name));
            body.insert("countriesAndRegions".into(), json!(countries));
            body.insert("includeUnknownCountriesAndRegions".into(), json!(include_unknown));
            let lookup = match lookup {
                ir::CountryLookup::ClientIp => "clientIpAddress",
                ir::CountryLookup::AuthenticatorGps => "authenticatorAppGps",
            };
            body.insert("countryLookupMethod".into(), json!(lookup));
        }
        ir::LocationKind::Unmanaged { .. } => return None,
    }
    Some(Value::Object(body))
}

fn insert_id(body: &mut Map<String, Value>, id: Option<&str>) {
    if let Some(id) = id {
        body.insert("id".into(), json!(id));
    }
}

/// The request body of one policy of `program` (placeholders are not recorded; use `compile`
/// for the manifest).
pub fn policy_json(program: &Program, policy: &ir::Policy) -> Value {
    let mut resolver = Resolver::new(program);
    policy_body(&mut resolver, policy)
}

fn policy_body(r: &mut Resolver<'_>, p: &ir::Policy) -> Value {
    let mut body = Map::new();
    insert_id(&mut body, p.id.as_deref());
    body.insert("displayName".into(), json!(p.display_name));
    if let Some(d) = &p.description {
        body.insert("description".into(), json!(d));
    }
    body.insert("state".into(), json!(state(p.state)));
    body.insert("conditions".into(), conditions(r, p));
    body.insert("grantControls".into(), p.grant.as_ref().map_or(Value::Null, |g| grant(r, g)));
    body.insert("sessionControls".into(), session(&p.session));
    Value::Object(body)
}

/// Graph's spelling of a policy state.
pub fn state(s: ir::PolicyState) -> &'static str {
    match s {
        ir::PolicyState::Enabled => "enabled",
        ir::PolicyState::Disabled => "disabled",
        ir::PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
    }
}

fn conditions(r: &mut Resolver<'_>, p: &ir::Policy) -> Value {
    let mut c = Map::new();
    c.insert("users".into(), users(r, &p.users));
    c.insert("applications".into(), applications(r, &p.target));
    c.insert(
        "clientApplications".into(),
        p.service_principals.as_ref().map_or(Value::Null, |sp| {
            let mut include: Vec<String> = Vec::new();
            if sp.include_all {
                include.push("ServicePrincipalsInMyTenant".into());
            }
            include.extend(sp.include.iter().map(|x| r.object("service_principal", x)));
            let exclude: Vec<String> = sp.exclude.iter().map(|x| r.object("service_principal", x)).collect();
            json!({
                "includeServicePrincipals": include,
                "excludeServicePrincipals": exclude,
                "servicePrincipalFilter": sp.filter.as_ref().map_or(Value::Null, filter),
            })
        }),
    );
    c.insert(
        "clientAppTypes".into(),
        json!(p.client_apps.iter().map(|a| client_app(*a)).collect::<Vec<_>>()),
    );
    c.insert(
        "platforms".into(),
        p.platforms.as_ref().map_or(Value::Null, |pl| {
            json!({
                "includePlatforms": pl.include.iter().map(|x| platform(*x)).collect::<Vec<_>>(),
                "excludePlatforms": pl.exclude.iter().map(|x| platform(*x)).collect::<Vec<_>>(),
            })
        }),
    );
    c.insert(
        "locations".into(),
        p.locations.as_ref().map_or(Value::Null, |l| {
            let mut include = Vec::new();
            if l.include.any {
                include.push("All".to_owned());
            }
            if l.include.trusted {
                include.push("AllTrusted".to_owned());
            }
            include.extend(l.include.named.iter().map(|x| r.location(x)));
            let mut exclude = Vec::new();
            if l.exclude.trusted {
                exclude.push("AllTrusted".to_owned());
            }
            exclude.extend(l.exclude.named.iter().map(|x| r.location(x)));
            json!({"includeLocations": include, "excludeLocations": exclude})
        }),
    );
    c.insert(
        "devices".into(),
        p.device_filter.as_ref().map_or(Value::Null, |f| json!({"deviceFilter": filter(f)})),
    );
    c.insert("signInRiskLevels".into(), risks(&p.sign_in_risk));
    c.insert("userRiskLevels".into(), risks(&p.user_risk));
    c.insert("servicePrincipalRiskLevels".into(), risks(&p.service_principal_risk));
    c.insert(
        "insiderRiskLevels".into(),
        if p.insider_risk.is_empty() {
            Value::Null
        } else {
            json!(p.insider_risk.iter().map(|x| insider_risk(*x)).collect::<Vec<_>>().join(","))
        },
    );
    c.insert(
        "authenticationFlows".into(),
        if p.auth_flows.is_empty() {
            Value::Null
        } else {
            json!({"transferMethods": p.auth_flows.iter().map(|x| auth_flow(*x)).collect::<Vec<_>>().join(",")})
        },
    );
    Value::Object(c)
}

fn users(r: &mut Resolver<'_>, u: &ir::Users) -> Value {
    let mut include_users = super::special_users(&u.include);
    include_users.extend(u.include.users.iter().map(|x| r.object("user", x)));
    let mut exclude_users = super::special_users(&u.exclude);
    exclude_users.extend(u.exclude.users.iter().map(|x| r.object("user", x)));
    let ids = |r: &mut Resolver<'_>, kind: &str, refs: &[ir::Ref]| -> Vec<String> {
        refs.iter().map(|x| r.object(kind, x)).collect()
    };
    json!({
        "includeUsers": include_users,
        "excludeUsers": exclude_users,
        "includeGroups": ids(r, "group", &u.include.groups),
        "excludeGroups": ids(r, "group", &u.exclude.groups),
        "includeRoles": ids(r, "role", &u.include.roles),
        "excludeRoles": ids(r, "role", &u.exclude.roles),
        "includeGuestsOrExternalUsers": u.include.guests.as_ref().map_or(Value::Null, guests),
        "excludeGuestsOrExternalUsers": u.exclude.guests.as_ref().map_or(Value::Null, guests),
    })
}

fn guests(g: &ir::Guests) -> Value {
    let types: Vec<&str> = g.types.iter().map(|t| t.graph()).collect();
    let tenants = match &g.tenants {
        None => json!({
            "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
            "membershipKind": "all",
        }),
        Some(ids) => json!({
            "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            "membershipKind": "enumerated",
            "members": ids,
        }),
    };
    json!({"guestOrExternalUserTypes": types.join(","), "externalTenants": tenants})
}

fn applications(r: &mut Resolver<'_>, t: &ir::Target) -> Value {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    let mut actions = Vec::new();
    let mut contexts = Vec::new();
    let mut app_filter = Value::Null;
    match t {
        ir::Target::Apps { include: inc, exclude: exc, filter: f } => {
            for (set, out, is_include) in [(inc, &mut include, true), (exc, &mut exclude, false)] {
                if is_include && set.all {
                    out.push("All".to_owned());
                }
                if is_include && set.none {
                    out.push("None".to_owned());
                }
                if set.office365 {
                    out.push("Office365".to_owned());
                }
                if set.admin_portals {
                    out.push("MicrosoftAdminPortals".to_owned());
                }
                out.extend(set.apps.iter().map(|x| r.object("app", x)));
            }
            app_filter = f.as_ref().map_or(Value::Null, filter);
        }
        ir::Target::UserActions { actions: a } => actions.extend(a.iter().map(|x| x.urn().to_owned())),
        ir::Target::AuthContexts { contexts: c } => {
            contexts.extend(c.iter().map(|x| r.object("auth_context", x)));
        }
    }
    json!({
        "includeApplications": include,
        "excludeApplications": exclude,
        "includeUserActions": actions,
        "includeAuthenticationContextClassReferences": contexts,
        "applicationFilter": app_filter,
    })
}

fn filter(f: &ir::Filter) -> Value {
    let mode = match f.mode {
        ir::FilterMode::Include => "include",
        ir::FilterMode::Exclude => "exclude",
    };
    json!({"mode": mode, "rule": f.rule})
}

fn risks(levels: &[ir::RiskLevel]) -> Value {
    json!(levels.iter().map(|x| risk(*x)).collect::<Vec<_>>())
}

/// Graph's spelling of a risk level.
pub fn risk(level: ir::RiskLevel) -> &'static str {
    match level {
        ir::RiskLevel::High => "high",
        ir::RiskLevel::Medium => "medium",
        ir::RiskLevel::Low => "low",
        ir::RiskLevel::None => "none",
    }
}

/// Graph's spelling of an insider risk level.
pub fn insider_risk(level: ir::InsiderRisk) -> &'static str {
    match level {
        ir::InsiderRisk::Minor => "minor",
        ir::InsiderRisk::Moderate => "moderate",
        ir::InsiderRisk::Elevated => "elevated",
    }
}

/// Graph's spelling of an authentication flow (transfer method).
pub fn auth_flow(flow: ir::AuthFlow) -> &'static str {
    match flow {
        ir::AuthFlow::DeviceCode => "deviceCodeFlow",
        ir::AuthFlow::AuthTransfer => "authenticationTransfer",
    }
}

/// Graph's spelling of a device platform (lower-case `all`).
pub fn platform(p: ir::Platform) -> &'static str {
    match p {
        ir::Platform::All => "all",
        ir::Platform::Android => "android",
        ir::Platform::Ios => "iOS",
        ir::Platform::Windows => "windows",
        ir::Platform::WindowsPhone => "windowsPhone",
        ir::Platform::Macos => "macOS",
        ir::Platform::Linux => "linux",
    }
}

/// Graph's spelling of a client app type.
pub fn client_app(a: ir::ClientApp) -> &'static str {
    match a {
        ir::ClientApp::All => "all",
        ir::ClientApp::Browser => "browser",
        ir::ClientApp::MobileDesktop => "mobileAppsAndDesktopClients",
        ir::ClientApp::ExchangeActiveSync => "exchangeActiveSync",
        ir::ClientApp::EasSupported => "easSupported",
        ir::ClientApp::Other => "other",
    }
}

/// Graph's spelling of a built-in grant control; `None` for the referencing controls.
pub fn builtin_control(c: &ir::Control) -> Option<&'static str> {
    Some(match c {
        ir::Control::Mfa => "mfa",
        ir::Control::CompliantDevice => "compliantDevice",
        ir::Control::DomainJoinedDevice => "domainJoinedDevice",
        ir::Control::ApprovedApp => "approvedApplication",
        ir::Control::CompliantApp => "compliantApplication",
        ir::Control::PasswordChange => "passwordChange",
        ir::Control::RiskRemediation => "riskRemediation",
        ir::Control::AuthStrength(_) | ir::Control::TermsOfUse(_) | ir::Control::CustomControl(_) => {
            return None;
        }
    })
}

fn grant(r: &mut Resolver<'_>, g: &ir::Grant) -> Value {
    let (operator, controls): (&str, &[ir::Control]) = match g {
        ir::Grant::Block => {
            return json!({
                "operator": "OR",
                "builtInControls": ["block"],
                "customAuthenticationFactors": [],
                "termsOfUse": [],
                "authenticationStrength": null,
            });
        }
        ir::Grant::Require { operator, controls } => {
            (if *operator == ir::Operator::And { "AND" } else { "OR" }, controls.as_slice())
        }
    };
    let mut builtins = Vec::new();
    let mut custom = Vec::new();
    let mut terms = Vec::new();
    let mut strength = Value::Null;
    for c in controls {
        match c {
            ir::Control::AuthStrength(x) => strength = json!({"id": r.object("auth_strength", x)}),
            ir::Control::TermsOfUse(x) => terms.push(r.object("terms_of_use", x)),
            ir::Control::CustomControl(x) => custom.push(r.object("custom_control", x)),
            other => builtins.extend(builtin_control(other)),
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

fn session(s: &ir::Session) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    let enabled = |on: bool| if on { json!({"isEnabled": true}) } else { Value::Null };
    let sign_in_frequency = s.sign_in_frequency.as_ref().map_or(Value::Null, |f| {
        let authentication = match f.authentication {
            ir::FrequencyAuthentication::PrimaryAndSecondary => "primaryAndSecondaryAuthentication",
            ir::FrequencyAuthentication::Secondary => "secondaryAuthentication",
        };
        match f.interval {
            ir::FrequencyInterval::EveryTime => json!({
                "isEnabled": true,
                "frequencyInterval": "everyTime",
                "authenticationType": authentication,
                "type": null,
                "value": null,
            }),
            ir::FrequencyInterval::TimeBased { value, unit } => json!({
                "isEnabled": true,
                "frequencyInterval": "timeBased",
                "authenticationType": authentication,
                "type": if unit == ir::FrequencyUnit::Hours { "hours" } else { "days" },
                "value": value,
            }),
        }
    });
    json!({
        "applicationEnforcedRestrictions": enabled(s.app_enforced_restrictions),
        "cloudAppSecurity": s.cloud_app_security.map_or(Value::Null, |c| {
            let kind = match c {
                ir::CloudAppSecurity::MonitorOnly => "monitorOnly",
                ir::CloudAppSecurity::BlockDownloads => "blockDownloads",
                ir::CloudAppSecurity::McasConfigured => "mcasConfigured",
            };
            json!({"isEnabled": true, "cloudAppSecurityType": kind})
        }),
        "disableResilienceDefaults": if s.disable_resilience_defaults { json!(true) } else { Value::Null },
        "persistentBrowser": s.persistent_browser.map_or(Value::Null, |m| {
            let mode = if m == ir::PersistentBrowser::Always { "always" } else { "never" };
            json!({"isEnabled": true, "mode": mode})
        }),
        "secureSignInSession": enabled(s.secure_sign_in_session),
        "signInFrequency": sign_in_frequency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_text(text: &str) -> GraphOutput {
        let mut sources = crate::Sources::new();
        sources.add("t.capol", text);
        let (program, diags) = crate::compile_workspace(&sources);
        assert!(!diags.has_errors(), "{diags:?}");
        compile(&program.unwrap())
    }

    #[test]
    fn file_names_are_unique_and_readable() {
        let mut used = BTreeSet::new();
        assert_eq!(
            unique_file_name("800 - <RING> - All apps: Block", &mut used),
            "800-ring-all-apps-block.json"
        );
        assert_eq!(
            unique_file_name("800 <RING> all apps BLOCK", &mut used),
            "800-ring-all-apps-block-2.json"
        );
        assert_eq!(unique_file_name("???", &mut used), "unnamed.json");
    }

    #[test]
    fn locations_without_ids_become_placeholders_the_manifest_explains() {
        let out = compile_text(
            r#"
group g { display_name = "G" }
location hq { ip 203.0.113.0/24 }
location ext { id = "3d46dbda-8382-466a-856d-eb00cbc6b910" }
policy "P" { state = enabled users { include all exclude group g } target apps all
  locations { include any exclude hq, ext } grant block }
"#,
        );
        let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["locations/hq.json", "policies/p.json", MANIFEST]);
        let policy: Value = serde_json::from_str(&out.files[1].contents).unwrap();
        assert_eq!(
            policy["conditions"]["locations"]["excludeLocations"],
            json!(["3d46dbda-8382-466a-856d-eb00cbc6b910", "${location:hq}"])
        );
        assert_eq!(policy["conditions"]["users"]["excludeGroups"], json!(["${group:g}"]));
        let manifest: Value = serde_json::from_str(&out.files[2].contents).unwrap();
        assert_eq!(manifest["files"][1]["dependsOn"], json!(["locations/hq.json"]));
        let placeholders: Vec<&str> = manifest["placeholders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["placeholder"].as_str().unwrap())
            .collect();
        assert_eq!(placeholders, ["${group:g}", "${location:hq}"]);
        assert!(out.notes.iter().any(|n| n.0.contains("2 placeholders")));
    }
}
