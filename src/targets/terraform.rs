//! The Terraform target: one `.tf.json` file (Terraform's JSON syntax) with
//! `azuread_named_location` and `azuread_conditional_access_policy` resources of the
//! hashicorp/azuread provider, version 3.
//!
//! References: a named location the workspace manages is referenced through its resource,
//! `${azuread_named_location.NAME.object_id}` (in provider 3.x `id` is the Graph path
//! `/identity/conditionalAccess/namedLocations/<uuid>`, which Graph rejects inside a policy);
//! an unmanaged location by its id. Groups and users with an id are written by id; a group
//! without one is looked up by display name (`data "azuread_group"`), a user without one by
//! principal name (`data "azuread_user"`). Template placeholders such as `<ExclusionTempGroup>`
//! and other objects without an id become input variables. Policies the provider cannot express
//! (authentication contexts, `risk_remediation`, token protection) are left out with a note.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::graph::{auth_flow, builtin_control, client_app, insider_risk, platform, risk, state};
use super::{Note, to_pretty_json, workspace_notes};
use crate::check::words::is_placeholder;
use crate::import::names::Names;
use crate::ir::{self, Program};

/// The provider version constraint written into the file.
pub const PROVIDER_VERSION: &str = ">= 3.4.0";
/// The constraint when a policy uses authentication flows, which the provider supports since 3.8.
pub const PROVIDER_VERSION_AUTH_FLOWS: &str = ">= 3.8.0";

/// What `compile` produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformOutput {
    /// The `.tf.json` text.
    pub contents: String,
    /// Things the user must know, printed on standard error by the CLI.
    pub notes: Vec<Note>,
}

/// Collects the data sources and variables that references need.
struct Refs<'p> {
    program: &'p Program,
    data_groups: BTreeMap<String, Value>,
    data_users: BTreeMap<String, Value>,
    variables: BTreeMap<String, Value>,
    notes: Vec<Note>,
}

impl Refs<'_> {
    fn variable(&mut self, kind: &str, r: &ir::Ref, why: &str) -> String {
        let name = format!("{}_{}_id", kind, r.name);
        self.variables.entry(name.clone()).or_insert_with(
            || json!({"type": "string", "description": format!("id of {kind} `{}`: {why}", r.name)}),
        );
        format!("${{var.{name}}}")
    }

    fn object(&mut self, kind: &str, r: &ir::Ref) -> String {
        match &r.id {
            Some(id) if is_placeholder(id) => {
                self.variable(kind, r, &format!("replaces the template placeholder `{id}`"))
            }
            Some(id) => id.clone(),
            None if kind == "group" => {
                let display = self
                    .program
                    .groups
                    .iter()
                    .find(|g| g.name == r.name)
                    .and_then(|g| g.display_name.clone())
                    .unwrap_or_else(|| r.name.clone());
                self.data_groups
                    .entry(r.name.clone())
                    .or_insert_with(|| json!({"display_name": display, "security_enabled": true}));
                format!("${{data.azuread_group.{}.object_id}}", r.name)
            }
            None if kind == "user" => {
                let upn = self.program.users.iter().find(|u| u.name == r.name).and_then(|u| u.upn.clone());
                match upn {
                    Some(upn) => {
                        self.data_users
                            .entry(r.name.clone())
                            .or_insert_with(|| json!({"user_principal_name": upn}));
                        format!("${{data.azuread_user.{}.object_id}}", r.name)
                    }
                    None => self.variable(kind, r, "declared without an id or a principal name"),
                }
            }
            None => self.variable(kind, r, "declared without an id"),
        }
    }

    fn location(&mut self, r: &ir::Ref) -> String {
        match &r.id {
            Some(_) => self.object("location", r),
            None => format!("${{azuread_named_location.{}.object_id}}", r.name),
        }
    }
}

/// Compile a program to Terraform JSON.
pub fn compile(program: &Program) -> TerraformOutput {
    let mut refs = Refs {
        program,
        data_groups: BTreeMap::new(),
        data_users: BTreeMap::new(),
        variables: BTreeMap::new(),
        notes: workspace_notes(program),
    };
    let mut locations = Map::new();
    for l in &program.locations {
        let block = match &l.kind {
            ir::LocationKind::Ip { trusted, ranges } => {
                json!({"display_name": l.display_name, "ip": [{"ip_ranges": ranges, "trusted": trusted}]})
            }
            ir::LocationKind::Country { countries, include_unknown, lookup } => {
                let lookup = match lookup {
                    ir::CountryLookup::ClientIp => "clientIpAddress",
                    ir::CountryLookup::AuthenticatorGps => "authenticatorAppGps",
                };
                json!({"display_name": l.display_name, "country": [{
                    "countries_and_regions": countries,
                    "include_unknown_countries_and_regions": include_unknown,
                    "country_lookup_method": lookup,
                }]})
            }
            ir::LocationKind::Unmanaged { .. } => continue,
        };
        if l.id.is_some() {
            refs.notes.push(Note(format!(
                "location `{}` has an id: import it into the state (`terraform import azuread_named_location.{} /identity/conditionalAccess/namedLocations/<id>`) before applying",
                l.name, l.name
            )));
        }
        locations.insert(l.name.clone(), block);
    }
    let mut names = Names::new();
    let mut policies = Map::new();
    let mut auth_flows = false;
    for p in &program.policies {
        if let Some(reason) = unsupported(p) {
            refs.notes.push(Note(format!(
                "policy `{}` is left out of the Terraform output: the azuread provider cannot express {reason}",
                p.display_name
            )));
            continue;
        }
        auth_flows |= !p.auth_flows.is_empty();
        let name = names.allocate(&p.display_name, "policy");
        policies.insert(name, policy(&mut refs, p));
    }

    let mut resource = Map::new();
    if !locations.is_empty() {
        resource.insert("azuread_named_location".into(), Value::Object(locations));
    }
    if !policies.is_empty() {
        resource.insert("azuread_conditional_access_policy".into(), Value::Object(policies));
    }
    let version = if auth_flows { PROVIDER_VERSION_AUTH_FLOWS } else { PROVIDER_VERSION };
    let mut root = Map::new();
    root.insert(
        "terraform".into(),
        json!({"required_providers": {"azuread": {"source": "hashicorp/azuread", "version": version}}}),
    );
    if !refs.variables.is_empty() {
        root.insert("variable".into(), json!(refs.variables));
        refs.notes.push(Note(format!(
            "{} input variable{} stand{} for ids the workspace does not give",
            refs.variables.len(),
            if refs.variables.len() == 1 { "" } else { "s" },
            if refs.variables.len() == 1 { "s" } else { "" }
        )));
    }
    let mut data = Map::new();
    if !refs.data_groups.is_empty() {
        data.insert("azuread_group".into(), json!(refs.data_groups));
    }
    if !refs.data_users.is_empty() {
        data.insert("azuread_user".into(), json!(refs.data_users));
    }
    if !data.is_empty() {
        root.insert("data".into(), Value::Object(data));
    }
    if !resource.is_empty() {
        root.insert("resource".into(), Value::Object(resource));
    }
    TerraformOutput { contents: to_pretty_json(&Value::Object(root)), notes: refs.notes }
}

/// Why the provider cannot express a policy, if it cannot.
fn unsupported(p: &ir::Policy) -> Option<&'static str> {
    if matches!(p.target, ir::Target::AuthContexts { .. }) {
        return Some("authentication contexts");
    }
    if let Some(ir::Grant::Require { controls, .. }) = &p.grant
        && controls.contains(&ir::Control::RiskRemediation)
    {
        return Some("the `risk_remediation` grant control");
    }
    if p.session.secure_sign_in_session {
        return Some("the `secure_sign_in_session` (token protection) session control");
    }
    None
}

fn filter(f: &ir::Filter) -> Value {
    let mode = if f.mode == ir::FilterMode::Include { "include" } else { "exclude" };
    json!([{"mode": mode, "rule": f.rule}])
}

fn policy(refs: &mut Refs<'_>, p: &ir::Policy) -> Value {
    let mut conditions = Map::new();
    conditions.insert(
        "client_app_types".into(),
        json!(p.client_apps.iter().map(|a| client_app(*a)).collect::<Vec<_>>()),
    );
    for (key, levels) in [
        ("sign_in_risk_levels", &p.sign_in_risk),
        ("user_risk_levels", &p.user_risk),
        ("service_principal_risk_levels", &p.service_principal_risk),
    ] {
        if !levels.is_empty() {
            conditions.insert(key.into(), json!(levels.iter().map(|x| risk(*x)).collect::<Vec<_>>()));
        }
    }
    if !p.insider_risk.is_empty() {
        let levels: Vec<&str> = p.insider_risk.iter().map(|x| insider_risk(*x)).collect();
        conditions.insert("insider_risk_levels".into(), json!(levels.join(",")));
    }
    if !p.auth_flows.is_empty() {
        conditions.insert(
            "authentication_flow_transfer_methods".into(),
            json!(p.auth_flows.iter().map(|x| auth_flow(*x)).collect::<Vec<_>>()),
        );
    }
    conditions.insert("applications".into(), json!([applications(refs, &p.target)]));
    conditions.insert("users".into(), json!([users(refs, &p.users)]));
    if let Some(sp) = &p.service_principals {
        let mut block = Map::new();
        let mut include: Vec<String> = Vec::new();
        if sp.include_all {
            include.push("ServicePrincipalsInMyTenant".into());
        }
        include.extend(sp.include.iter().map(|x| refs.object("service_principal", x)));
        block.insert("included_service_principals".into(), json!(include));
        block.insert(
            "excluded_service_principals".into(),
            json!(sp.exclude.iter().map(|x| refs.object("service_principal", x)).collect::<Vec<_>>()),
        );
        if let Some(f) = &sp.filter {
            block.insert("filter".into(), filter(f));
        }
        conditions.insert("client_applications".into(), json!([block]));
    }
    if let Some(f) = &p.device_filter {
        conditions.insert("devices".into(), json!([{"filter": filter(f)}]));
    }
    if let Some(l) = &p.locations {
        let mut include = Vec::new();
        if l.include.any {
            include.push("All".to_owned());
        }
        if l.include.trusted {
            include.push("AllTrusted".to_owned());
        }
        include.extend(l.include.named.iter().map(|x| refs.location(x)));
        let mut exclude = Vec::new();
        if l.exclude.trusted {
            exclude.push("AllTrusted".to_owned());
        }
        exclude.extend(l.exclude.named.iter().map(|x| refs.location(x)));
        conditions.insert(
            "locations".into(),
            json!([{"included_locations": include, "excluded_locations": exclude}]),
        );
    }
    if let Some(pl) = &p.platforms {
        conditions.insert(
            "platforms".into(),
            json!([{
                "included_platforms": pl.include.iter().map(|x| platform(*x)).collect::<Vec<_>>(),
                "excluded_platforms": pl.exclude.iter().map(|x| platform(*x)).collect::<Vec<_>>(),
            }]),
        );
    }

    let mut resource = Map::new();
    resource.insert("display_name".into(), json!(p.display_name));
    resource.insert("state".into(), json!(state(p.state)));
    resource.insert("conditions".into(), json!([conditions]));
    if let Some(g) = &p.grant {
        resource.insert("grant_controls".into(), json!([grant(refs, g)]));
    }
    if !p.session.is_empty() {
        resource.insert("session_controls".into(), json!([session(&p.session)]));
    }
    Value::Object(resource)
}

fn applications(refs: &mut Refs<'_>, t: &ir::Target) -> Value {
    let mut block = Map::new();
    match t {
        ir::Target::Apps { include, exclude, filter: f } => {
            let mut inc = Vec::new();
            if include.all {
                inc.push("All".to_owned());
            }
            if include.none {
                inc.push("None".to_owned());
            }
            let mut exc = Vec::new();
            for (set, out) in [(include, &mut inc), (exclude, &mut exc)] {
                if set.office365 {
                    out.push("Office365".to_owned());
                }
                if set.admin_portals {
                    out.push("MicrosoftAdminPortals".to_owned());
                }
                out.extend(set.apps.iter().map(|x| refs.object("app", x)));
            }
            block.insert("included_applications".into(), json!(inc));
            block.insert("excluded_applications".into(), json!(exc));
            if let Some(f) = f {
                block.insert("filter".into(), filter(f));
            }
        }
        ir::Target::UserActions { actions } => {
            block.insert(
                "included_user_actions".into(),
                json!(actions.iter().map(|a| a.urn()).collect::<Vec<_>>()),
            );
        }
        // Left out by `unsupported`.
        ir::Target::AuthContexts { .. } => {}
    }
    Value::Object(block)
}

fn users(refs: &mut Refs<'_>, u: &ir::Users) -> Value {
    let mut include_users = super::special_users(&u.include);
    include_users.extend(u.include.users.iter().map(|x| refs.object("user", x)));
    let mut exclude_users = super::special_users(&u.exclude);
    exclude_users.extend(u.exclude.users.iter().map(|x| refs.object("user", x)));
    let mut block = Map::new();
    block.insert("included_users".into(), json!(include_users));
    block.insert("excluded_users".into(), json!(exclude_users));
    for (key, kind, list) in [
        ("included_groups", "group", &u.include.groups),
        ("excluded_groups", "group", &u.exclude.groups),
        ("included_roles", "role", &u.include.roles),
        ("excluded_roles", "role", &u.exclude.roles),
    ] {
        block.insert(key.into(), json!(list.iter().map(|x| refs.object(kind, x)).collect::<Vec<_>>()));
    }
    if let Some(g) = &u.include.guests {
        block.insert("included_guests_or_external_users".into(), json!([guests(g)]));
    }
    if let Some(g) = &u.exclude.guests {
        block.insert("excluded_guests_or_external_users".into(), json!([guests(g)]));
    }
    Value::Object(block)
}

fn guests(g: &ir::Guests) -> Value {
    let tenants = match &g.tenants {
        None => json!({"membership_kind": "all"}),
        Some(ids) => json!({"membership_kind": "enumerated", "members": ids}),
    };
    json!({
        "guest_or_external_user_types": g.types.iter().map(|t| t.graph()).collect::<Vec<_>>(),
        "external_tenants": [tenants],
    })
}

fn grant(refs: &mut Refs<'_>, g: &ir::Grant) -> Value {
    let (operator, controls): (&str, &[ir::Control]) = match g {
        ir::Grant::Block => return json!({"operator": "OR", "built_in_controls": ["block"]}),
        ir::Grant::Require { operator, controls } => {
            (if *operator == ir::Operator::And { "AND" } else { "OR" }, controls.as_slice())
        }
    };
    let mut block = Map::new();
    block.insert("operator".into(), json!(operator));
    let builtins: Vec<&str> = controls.iter().filter_map(builtin_control).collect();
    if !builtins.is_empty() {
        block.insert("built_in_controls".into(), json!(builtins));
    }
    let mut terms = Vec::new();
    let mut custom = Vec::new();
    for c in controls {
        match c {
            ir::Control::AuthStrength(x) => {
                let id = refs.object("auth_strength", x);
                // Provider 3.x takes the Graph path of the strength, not the bare id.
                let value = if id.starts_with("${") {
                    id
                } else {
                    format!("/policies/authenticationStrengthPolicies/{id}")
                };
                block.insert("authentication_strength_policy_id".into(), json!(value));
            }
            ir::Control::TermsOfUse(x) => terms.push(refs.object("terms_of_use", x)),
            ir::Control::CustomControl(x) => custom.push(refs.object("custom_control", x)),
            _ => {}
        }
    }
    if !terms.is_empty() {
        block.insert("terms_of_use".into(), json!(terms));
    }
    if !custom.is_empty() {
        block.insert("custom_authentication_factors".into(), json!(custom));
    }
    Value::Object(block)
}

fn session(s: &ir::Session) -> Value {
    let mut block = Map::new();
    if s.app_enforced_restrictions {
        block.insert("application_enforced_restrictions_enabled".into(), json!(true));
    }
    if let Some(c) = s.cloud_app_security {
        let kind = match c {
            ir::CloudAppSecurity::MonitorOnly => "monitorOnly",
            ir::CloudAppSecurity::BlockDownloads => "blockDownloads",
            ir::CloudAppSecurity::McasConfigured => "mcasConfigured",
        };
        block.insert("cloud_app_security_policy".into(), json!(kind));
    }
    if s.disable_resilience_defaults {
        block.insert("disable_resilience_defaults".into(), json!(true));
    }
    if let Some(m) = s.persistent_browser {
        let mode = if m == ir::PersistentBrowser::Always { "always" } else { "never" };
        block.insert("persistent_browser_mode".into(), json!(mode));
    }
    if let Some(f) = &s.sign_in_frequency {
        let authentication = match f.authentication {
            ir::FrequencyAuthentication::PrimaryAndSecondary => "primaryAndSecondaryAuthentication",
            ir::FrequencyAuthentication::Secondary => "secondaryAuthentication",
        };
        block.insert("sign_in_frequency_authentication_type".into(), json!(authentication));
        match f.interval {
            ir::FrequencyInterval::EveryTime => {
                block.insert("sign_in_frequency_interval".into(), json!("everyTime"));
            }
            ir::FrequencyInterval::TimeBased { value, unit } => {
                block.insert("sign_in_frequency_interval".into(), json!("timeBased"));
                block.insert("sign_in_frequency".into(), json!(value));
                let period = if unit == ir::FrequencyUnit::Hours { "hours" } else { "days" };
                block.insert("sign_in_frequency_period".into(), json!(period));
            }
        }
    }
    Value::Object(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_use_resources_data_sources_and_variables() {
        let mut sources = crate::Sources::new();
        sources.add(
            "t.capol",
            r#"
group named { display_name = "HR Onboarding" }
group templ { id = "<ExclusionTempGroup>" }
auth_context ctx = "c1"
location hq { ip 203.0.113.0/24 }
policy "Block outside HQ" { state = enabled users { include group named exclude group templ }
  target apps all locations { include any exclude hq } grant block }
policy "Context" { state = enabled users { include all } target auth_context ctx grant mfa }
"#,
        );
        let (program, diags) = crate::compile_workspace(&sources);
        assert!(!diags.has_errors(), "{diags:?}");
        let out = compile(&program.unwrap());
        let tf: Value = serde_json::from_str(&out.contents).unwrap();
        let policy = &tf["resource"]["azuread_conditional_access_policy"]["block_outside_hq"];
        let conditions = &policy["conditions"][0];
        assert_eq!(
            conditions["locations"][0]["excluded_locations"],
            json!(["${azuread_named_location.hq.object_id}"])
        );
        assert_eq!(
            conditions["users"][0]["included_groups"],
            json!(["${data.azuread_group.named.object_id}"])
        );
        assert_eq!(conditions["users"][0]["excluded_groups"], json!(["${var.group_templ_id}"]));
        assert_eq!(tf["data"]["azuread_group"]["named"]["display_name"], json!("HR Onboarding"));
        assert!(tf["resource"]["azuread_conditional_access_policy"].get("context").is_none());
        assert!(
            out.notes.iter().any(|n| n.0.contains("`Context`") && n.0.contains("authentication contexts"))
        );
    }
}
