//! The straightforward evaluator: what a user would write over the Graph JSON. Policies are parsed
//! into plain structs once; each sign-in walks every policy and every condition, string by
//! string, and checks IP ranges one by one with ipnetwork's `contains` — no index of any kind.
//! The one economy it makes is the obvious one: whether the address is in a location (or in any
//! trusted location) is worked out at most once per sign-in, when a policy first asks.

use std::net::IpAddr;

use ipnetwork::IpNetwork;
use serde_json::{Map, Value};

use crate::workload::View;

/// A named location.
struct Location {
    key: String,
    trusted: bool,
    ranges: Vec<IpNetwork>,
}

/// The guest condition of one side of a users condition.
struct Guests {
    types: Vec<String>,
    all_tenants: bool,
}

/// One side (include or exclude) of a users condition.
#[derive(Default)]
struct UserSide {
    users: Vec<String>,
    groups: Vec<String>,
    roles: Vec<String>,
    guests: Option<Guests>,
}

/// A policy's conditions, as Graph writes them.
struct Policy {
    state: String,
    include: UserSide,
    exclude: UserSide,
    include_apps: Vec<String>,
    exclude_apps: Vec<String>,
    user_actions: Vec<String>,
    auth_contexts: Vec<String>,
    platforms: Option<(Vec<String>, Vec<String>)>,
    client_app_types: Vec<String>,
    locations: Option<(Vec<String>, Vec<String>)>,
    sign_in_risk: Vec<String>,
    user_risk: Vec<String>,
    insider_risk: Option<Vec<String>>,
    flows: Option<Vec<String>>,
}

/// What one sign-in has found out about its address so far.
struct Memo {
    locations: Vec<Option<bool>>,
    trusted: Option<bool>,
}

/// The evaluator.
pub struct Straightforward {
    policies: Vec<Policy>,
    locations: Vec<Location>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn comma_list(v: &Value) -> Option<Vec<String>> {
    v.as_str().map(|s| s.split(',').map(str::to_owned).collect())
}

fn guests(v: &Value) -> Option<Guests> {
    let types = comma_list(v.get("guestOrExternalUserTypes")?)?;
    let all_tenants = v.pointer("/externalTenants/membershipKind").and_then(Value::as_str) == Some("all");
    Some(Guests { types, all_tenants })
}

fn parse_policy(p: &Value) -> Policy {
    let c = &p["conditions"];
    let u = &c["users"];
    let a = &c["applications"];
    let side = |users: &str, groups: &str, roles: &str, g: &str| UserSide {
        users: strings(&u[users]),
        groups: strings(&u[groups]),
        roles: strings(&u[roles]),
        guests: guests(&u[g]),
    };
    Policy {
        state: p["state"].as_str().unwrap_or_default().to_owned(),
        include: side("includeUsers", "includeGroups", "includeRoles", "includeGuestsOrExternalUsers"),
        exclude: side("excludeUsers", "excludeGroups", "excludeRoles", "excludeGuestsOrExternalUsers"),
        include_apps: strings(&a["includeApplications"]),
        exclude_apps: strings(&a["excludeApplications"]),
        user_actions: strings(&a["includeUserActions"]),
        auth_contexts: strings(&a["includeAuthenticationContextClassReferences"]),
        platforms: c["platforms"].is_object().then(|| {
            (strings(&c["platforms"]["includePlatforms"]), strings(&c["platforms"]["excludePlatforms"]))
        }),
        client_app_types: strings(&c["clientAppTypes"]),
        locations: c["locations"].is_object().then(|| {
            (strings(&c["locations"]["includeLocations"]), strings(&c["locations"]["excludeLocations"]))
        }),
        sign_in_risk: strings(&c["signInRiskLevels"]),
        user_risk: strings(&c["userRiskLevels"]),
        insider_risk: comma_list(&c["insiderRiskLevels"]),
        flows: comma_list(&c["authenticationFlows"]["transferMethods"]),
    }
}

fn has(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x == s)
}

impl Straightforward {
    /// Parse the Graph JSON.
    pub fn new(policies: &[Value], locations: &Map<String, Value>) -> Straightforward {
        let locations = locations
            .iter()
            .filter(|(_, l)| l["@odata.type"] == "#microsoft.graph.ipNamedLocation")
            .map(|(key, l)| Location {
                key: key.clone(),
                trusted: l["isTrusted"].as_bool().unwrap_or(false),
                ranges: l["ipRanges"]
                    .as_array()
                    .map(|rs| rs.iter().filter_map(|r| r["cidrAddress"].as_str()?.parse().ok()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Straightforward { policies: policies.iter().map(parse_policy).collect(), locations }
    }

    fn in_side(side: &UserSide, s: &View<'_>, include: bool) -> bool {
        let u = s.user;
        (include && has(&side.users, "All"))
            || (has(&side.users, "GuestsOrExternalUsers") && u.user_type != "member")
            || has(&side.users, &u.id)
            || side.groups.iter().any(|g| u.groups.contains(g))
            || side.roles.iter().any(|r| u.roles.contains(r))
            || side.guests.as_ref().is_some_and(|g| g.all_tenants && has(&g.types, u.user_type))
    }

    fn target(p: &Policy, s: &View<'_>) -> bool {
        if let Some(app) = s.app {
            let matches = |list: &[String], include: bool| {
                (include && has(list, "All")) || has(list, app) || s.app_groups.iter().any(|g| has(list, g))
            };
            return matches(&p.include_apps, true) && !matches(&p.exclude_apps, false);
        }
        if let Some(action) = s.action {
            return has(&p.user_actions, action);
        }
        s.context.is_some_and(|c| has(&p.auth_contexts, c))
    }

    /// Whether the address is in location `index`, remembered for the rest of the sign-in.
    fn in_location(&self, index: usize, ip: IpAddr, memo: &mut Memo) -> bool {
        if let Some(Some(known)) = memo.locations.get(index) {
            return *known;
        }
        let hit = self.locations.get(index).is_some_and(|l| l.ranges.iter().any(|r| r.contains(ip)));
        if let Some(slot) = memo.locations.get_mut(index) {
            *slot = Some(hit);
        }
        hit
    }

    fn in_trusted(&self, ip: IpAddr, memo: &mut Memo) -> bool {
        if let Some(known) = memo.trusted {
            return known;
        }
        let hit =
            (0..self.locations.len()).any(|i| self.locations[i].trusted && self.in_location(i, ip, memo));
        memo.trusted = Some(hit);
        hit
    }

    fn location_side(&self, list: &[String], ip: IpAddr, include: bool, memo: &mut Memo) -> bool {
        list.iter().any(|k| match k.as_str() {
            "All" => include,
            "AllTrusted" => self.in_trusted(ip, memo),
            key => self
                .locations
                .iter()
                .position(|l| l.key == key)
                .is_some_and(|i| self.in_location(i, ip, memo)),
        })
    }

    fn applies(&self, p: &Policy, s: &View<'_>, memo: &mut Memo) -> bool {
        if p.state == "disabled" {
            return false;
        }
        // Report-only mode does not cover user actions.
        if p.state == "enabledForReportingButNotEnforced" && !p.user_actions.is_empty() {
            return false;
        }
        if !Self::in_side(&p.include, s, true) || Self::in_side(&p.exclude, s, false) {
            return false;
        }
        if !Self::target(p, s) {
            return false;
        }
        if let Some((include, exclude)) = &p.platforms {
            let hit = |l: &[String]| has(l, "all") || has(l, s.platform);
            if !hit(include) || hit(exclude) {
                return false;
            }
        }
        if !(has(&p.client_app_types, "all") || has(&p.client_app_types, s.client)) {
            return false;
        }
        if !p.sign_in_risk.is_empty() && !has(&p.sign_in_risk, s.sign_in_risk) {
            return false;
        }
        if !p.user_risk.is_empty() && !has(&p.user_risk, s.user_risk) {
            return false;
        }
        if p.insider_risk.as_ref().is_some_and(|l| !has(l, s.insider_risk)) {
            return false;
        }
        if p.flows.as_ref().is_some_and(|l| !has(l, s.auth_flow)) {
            return false;
        }
        // The IP ranges last: the most expensive condition.
        if let Some((include, exclude)) = &p.locations
            && (!self.location_side(include, s.ip, true, memo)
                || self.location_side(exclude, s.ip, false, memo))
        {
            return false;
        }
        true
    }

    /// The indices of the policies that apply, ascending, into `out`.
    pub fn applicable_into(&self, s: &View<'_>, out: &mut Vec<u32>) {
        out.clear();
        let mut memo = Memo { locations: vec![None; self.locations.len()], trusted: None };
        for (i, p) in self.policies.iter().enumerate() {
            if self.applies(p, s, &mut memo) {
                out.push(i as u32);
            }
        }
    }
}
