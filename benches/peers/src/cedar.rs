//! Cedar: each CA policy as one Cedar `permit` whose condition is "this CA policy applies". The
//! applying CA policies are the determining policies of the authorizer's answer (no policy is a
//! `forbid`, so the reason set is exactly the satisfied permits).
//!
//! Encoding: the user is `User::"<object id>"` whose parents are its groups (`Group::"<id>"`) and
//! roles (`Role::"<template id>"`), so memberships are Cedar's entity hierarchy (`principal in
//! Group::"…"`); the resource is `App::"<app id>"` (parents: the app groups it belongs to,
//! `AppGroup::"Office365"`), `UserAction::"<urn>"` or `AuthContext::"<id>"`; the other facts are
//! context attributes, the address as an `ipaddr` (`context.ip.isInRange(ip("…"))`). Disabled
//! policies and report-only user-action policies never apply and are not emitted. Conditions are
//! ordered cheapest first, the IP ranges last; a location's ranges are a balanced `||` tree, so
//! Cedar's recursive evaluator stays shallow with thousands of ranges.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId,
    PolicySet, Request, RestrictedExpression,
};
use serde_json::{Map, Value};

use crate::workload::{UserFacts, View};

/// The compiled Cedar side.
pub struct Cedar {
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
    action: EntityUid,
    /// Cedar policy id → CA policy index.
    index: HashMap<PolicyId, u32>,
    /// Number of `isInRange` calls in the policy text.
    pub ip_terms: usize,
    /// Size of the policy text, bytes.
    pub text_bytes: usize,
}

fn uid(kind: &str, id: &str) -> Result<EntityUid, String> {
    let t = EntityTypeName::from_str(kind).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(t, EntityId::new(id)))
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A disjunction as a balanced tree.
fn any(terms: &[String]) -> String {
    match terms {
        [] => "false".to_owned(),
        [one] => one.clone(),
        _ => {
            let (a, b) = terms.split_at(terms.len() / 2);
            format!("({} || {})", any(a), any(b))
        }
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn set_of(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}

fn users_side(u: &Value, prefix: &str, include: bool) -> String {
    let mut terms = Vec::new();
    for x in strings(&u[format!("{prefix}Users")]) {
        match x {
            "All" if include => return "true".to_owned(),
            "All" | "None" => {}
            "GuestsOrExternalUsers" => terms.push(r#"principal.userType != "member""#.to_owned()),
            id => terms.push(format!("principal == User::{}", quote(id))),
        }
    }
    for g in strings(&u[format!("{prefix}Groups")]) {
        terms.push(format!("principal in Group::{}", quote(g)));
    }
    for r in strings(&u[format!("{prefix}Roles")]) {
        terms.push(format!("principal in Role::{}", quote(r)));
    }
    let guests = &u[format!("{prefix}GuestsOrExternalUsers")];
    if guests.pointer("/externalTenants/membershipKind").and_then(Value::as_str) == Some("all") {
        let types: Vec<&str> = guests["guestOrExternalUserTypes"].as_str().unwrap_or("").split(',').collect();
        terms.push(format!("{}.contains(principal.userType)", set_of(&types)));
    }
    any(&terms)
}

fn apps_side(list: &[&str], include: bool) -> String {
    let mut terms = Vec::new();
    for x in list {
        match *x {
            "All" if include => return "true".to_owned(),
            "All" | "None" => {}
            "Office365" | "MicrosoftAdminPortals" => {
                terms.push(format!("resource in AppGroup::{}", quote(x)))
            }
            id => terms.push(format!("resource == App::{}", quote(id))),
        }
    }
    any(&terms)
}

fn ranges_of(location: &Value) -> Vec<String> {
    location["ipRanges"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["cidrAddress"].as_str())
                .map(|c| format!("context.ip.isInRange(ip({}))", quote(c)))
                .collect()
        })
        .unwrap_or_default()
}

fn locations_side(
    list: &[&str],
    locations: &Map<String, Value>,
    include: bool,
    ip_terms: &mut usize,
) -> String {
    let mut terms = Vec::new();
    for x in list {
        match *x {
            "All" if include => return "true".to_owned(),
            "AllTrusted" => {
                for l in locations.values().filter(|l| l["isTrusted"] == true) {
                    terms.extend(ranges_of(l));
                }
            }
            key => {
                if let Some(l) = locations.get(key) {
                    terms.extend(ranges_of(l));
                }
            }
        }
    }
    *ip_terms += terms.len();
    any(&terms)
}

/// The Cedar text of one CA policy; `None` when it can never apply.
fn policy_text(p: &Value, locations: &Map<String, Value>, ip_terms: &mut usize) -> Option<String> {
    let state = p["state"].as_str().unwrap_or_default();
    let c = &p["conditions"];
    let a = &c["applications"];
    let actions = strings(&a["includeUserActions"]);
    let contexts = strings(&a["includeAuthenticationContextClassReferences"]);
    if state == "disabled" || (state == "enabledForReportingButNotEnforced" && !actions.is_empty()) {
        return None;
    }
    let mut conds = Vec::new();
    let scope = if !actions.is_empty() {
        conds.push(any(&actions
            .iter()
            .map(|x| format!("resource == UserAction::{}", quote(x)))
            .collect::<Vec<_>>()));
        "resource is UserAction"
    } else if !contexts.is_empty() {
        conds.push(any(&contexts
            .iter()
            .map(|x| format!("resource == AuthContext::{}", quote(x)))
            .collect::<Vec<_>>()));
        "resource is AuthContext"
    } else {
        conds.push(apps_side(&strings(&a["includeApplications"]), true));
        let exclude = strings(&a["excludeApplications"]);
        if !exclude.is_empty() {
            conds.push(format!("!({})", apps_side(&exclude, false)));
        }
        "resource is App"
    };
    let u = &c["users"];
    conds.push(users_side(u, "include", true));
    let ex = users_side(u, "exclude", false);
    if ex != "false" {
        conds.push(format!("!({ex})"));
    }
    if c["platforms"].is_object() {
        let inc = strings(&c["platforms"]["includePlatforms"]);
        if !inc.contains(&"all") {
            conds.push(format!("{}.contains(context.platform)", set_of(&inc)));
        }
        let exc = strings(&c["platforms"]["excludePlatforms"]);
        if exc.contains(&"all") {
            conds.push("false".to_owned());
        } else if !exc.is_empty() {
            conds.push(format!("!({}.contains(context.platform))", set_of(&exc)));
        }
    }
    let clients = strings(&c["clientAppTypes"]);
    if !clients.contains(&"all") {
        conds.push(format!("{}.contains(context.clientApp)", set_of(&clients)));
    }
    for (field, attr) in [("signInRiskLevels", "signInRisk"), ("userRiskLevels", "userRisk")] {
        let levels = strings(&c[field]);
        if !levels.is_empty() {
            conds.push(format!("{}.contains(context.{attr})", set_of(&levels)));
        }
    }
    if let Some(levels) = c["insiderRiskLevels"].as_str() {
        conds.push(format!(
            "{}.contains(context.insiderRisk)",
            set_of(&levels.split(',').collect::<Vec<_>>())
        ));
    }
    if let Some(flows) = c["authenticationFlows"]["transferMethods"].as_str() {
        conds.push(format!("{}.contains(context.authFlow)", set_of(&flows.split(',').collect::<Vec<_>>())));
    }
    if c["locations"].is_object() {
        let inc = strings(&c["locations"]["includeLocations"]);
        conds.push(locations_side(&inc, locations, true, ip_terms));
        let exc = strings(&c["locations"]["excludeLocations"]);
        if !exc.is_empty() {
            conds.push(format!("!({})", locations_side(&exc, locations, false, ip_terms)));
        }
    }
    let conds: Vec<String> = conds.into_iter().filter(|c| c != "true").collect();
    let body = if conds.is_empty() { "true".to_owned() } else { conds.join("\n  && ") };
    Some(format!("permit (principal, action == Action::\"signIn\", {scope})\nwhen {{\n  {body}\n}};"))
}

impl Cedar {
    /// Encode the Graph JSON and the directory.
    pub fn new(
        policies: &[Value],
        locations: &Map<String, Value>,
        dir: &[UserFacts],
    ) -> Result<Cedar, String> {
        let mut set = PolicySet::new();
        let mut index = HashMap::new();
        let mut ip_terms = 0;
        let mut text_bytes = 0;
        for (i, p) in policies.iter().enumerate() {
            let Some(text) = policy_text(p, locations, &mut ip_terms) else { continue };
            text_bytes += text.len();
            let id = PolicyId::new(format!("p{i}"));
            let policy = Policy::parse(Some(id.clone()), &text).map_err(|e| format!("policy {i}: {e}"))?;
            set.add(policy).map_err(|e| e.to_string())?;
            index.insert(id, i as u32);
        }
        let mut entities = Vec::new();
        let mut groups = HashSet::new();
        for u in dir {
            let mut parents = HashSet::new();
            for g in &u.groups {
                parents.insert(uid("Group", g)?);
                groups.insert(("Group", g.clone()));
            }
            for r in &u.roles {
                parents.insert(uid("Role", r)?);
                groups.insert(("Role", r.clone()));
            }
            let attrs = HashMap::from([(
                "userType".to_owned(),
                RestrictedExpression::new_string(u.user_type.into()),
            )]);
            entities.push(Entity::new(uid("User", &u.id)?, attrs, parents).map_err(|e| e.to_string())?);
        }
        for (kind, id) in groups {
            entities.push(Entity::new_no_attrs(uid(kind, &id)?, HashSet::new()));
        }
        Ok(Cedar {
            policies: set,
            entities: Entities::from_entities(entities, None).map_err(|e| e.to_string())?,
            authorizer: Authorizer::new(),
            action: uid("Action", "signIn")?,
            index,
            ip_terms,
            text_bytes,
        })
    }

    /// Number of Cedar policies emitted (CA policies that can apply).
    pub fn emitted(&self) -> usize {
        self.index.len()
    }

    /// Add the sign-in's resource (with its app-group parents) to the entity store once, so
    /// requests find it.
    pub fn add_resources(&mut self, views: &[View<'_>]) -> Result<(), String> {
        let mut seen = HashSet::new();
        let mut extra = Vec::new();
        for v in views {
            let (resource, parents) = Self::resource(v)?;
            if seen.insert(resource.clone()) {
                extra.push(Entity::new_no_attrs(resource, parents.into_iter().collect()));
            }
        }
        for g in ["Office365", "MicrosoftAdminPortals"] {
            extra.push(Entity::new_no_attrs(uid("AppGroup", g)?, HashSet::new()));
        }
        let entities = std::mem::replace(&mut self.entities, Entities::empty());
        self.entities = entities.add_entities(extra, None).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn resource(v: &View<'_>) -> Result<(EntityUid, Vec<EntityUid>), String> {
        if let Some(app) = v.app {
            let parents = v.app_groups.iter().map(|g| uid("AppGroup", g)).collect::<Result<_, _>>()?;
            Ok((uid("App", app)?, parents))
        } else if let Some(a) = v.action {
            Ok((uid("UserAction", a)?, Vec::new()))
        } else {
            Ok((uid("AuthContext", v.context.unwrap_or_default())?, Vec::new()))
        }
    }

    /// The Cedar request of a sign-in.
    pub fn request(&self, v: &View<'_>) -> Result<Request, String> {
        let s = |x: &str| RestrictedExpression::new_string(x.to_owned());
        let context = Context::from_pairs([
            ("ip".to_owned(), RestrictedExpression::new_ip(v.ip.to_string())),
            ("platform".to_owned(), s(v.platform)),
            ("clientApp".to_owned(), s(v.client)),
            ("signInRisk".to_owned(), s(v.sign_in_risk)),
            ("userRisk".to_owned(), s(v.user_risk)),
            ("insiderRisk".to_owned(), s(v.insider_risk)),
            ("authFlow".to_owned(), s(v.auth_flow)),
        ])
        .map_err(|e| e.to_string())?;
        let (resource, _) = Self::resource(v)?;
        Request::new(uid("User", &v.user.id)?, self.action.clone(), resource, context, None)
            .map_err(|e| e.to_string())
    }

    /// The applying CA policies, ascending, into `out`.
    pub fn applicable_into(&self, request: &Request, out: &mut Vec<u32>) -> Result<(), String> {
        let response = self.authorizer.is_authorized(request, &self.policies, &self.entities);
        if let Some(e) = response.diagnostics().errors().next() {
            return Err(e.to_string());
        }
        out.clear();
        if response.decision() == Decision::Allow {
            out.extend(response.diagnostics().reason().filter_map(|id| self.index.get(id)));
        }
        out.sort_unstable();
        Ok(())
    }
}
