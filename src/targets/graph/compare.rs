//! Comparing Graph policy JSON for meaning rather than bytes: the normalisation behind the
//! import round trip, and a structural diff that names where two policies differ.
//!
//! Normalisation: annotations (`@odata.*`, `*@odata.type`, `#microsoft.graph.*`) and the
//! read-only `createdDateTime`, `modifiedDateTime`, `templateId` and `deletedDateTime` are
//! dropped; `null`, `[]`, `""`, `false` and empty objects mean absent; a session control with
//! `isEnabled: false` is absent and `isEnabled: true` is implied by presence; lists of strings
//! are sets (sorted, GUIDs lower-cased); enum members and flags take Graph's spelling whatever
//! their case or order; Graph's defaults are made explicit (`clientAppTypes: ["all"]`,
//! `frequencyInterval: "timeBased"`, `authenticationType: "primaryAndSecondaryAuthentication"`,
//! `externalTenants` of every tenant, `countryLookupMethod: "clientIpAddress"`); and the grant
//! `operator` is dropped when there is at most one control, where it means nothing.

use serde_json::{Map, Value, json};

use crate::check::words::is_guid;
use crate::import::JsonPath;
use crate::import::read::is_annotation;

const READ_ONLY: &[&str] = &["createdDateTime", "modifiedDateTime", "templateId", "deletedDateTime"];

/// Enum-valued lists and their members in Graph's spelling.
const ENUMS: &[(&str, &[&str])] = &[
    (
        "clientAppTypes",
        &["all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"],
    ),
    ("includePlatforms", &["all", "android", "iOS", "windows", "windowsPhone", "macOS", "linux"]),
    ("excludePlatforms", &["all", "android", "iOS", "windows", "windowsPhone", "macOS", "linux"]),
    ("signInRiskLevels", &["low", "medium", "high", "hidden", "none"]),
    ("userRiskLevels", &["low", "medium", "high", "hidden", "none"]),
    ("servicePrincipalRiskLevels", &["low", "medium", "high", "none"]),
    (
        "builtInControls",
        &[
            "block",
            "mfa",
            "compliantDevice",
            "domainJoinedDevice",
            "approvedApplication",
            "compliantApplication",
            "passwordChange",
            "riskRemediation",
        ],
    ),
];

/// Flags enums written as one comma-separated string.
const FLAGS: &[&str] = &["guestOrExternalUserTypes", "insiderRiskLevels", "transferMethods"];

/// The normal form of a policy (see the module documentation).
pub fn normalise_policy(policy: &Value) -> Value {
    let mut value = normalise(policy, None);
    if let Value::Object(top) = &mut value {
        for key in READ_ONLY {
            top.remove(*key);
        }
        let conditions = top.entry("conditions").or_insert_with(|| json!({}));
        if let Value::Object(c) = conditions
            && !c.contains_key("clientAppTypes")
        {
            c.insert("clientAppTypes".into(), json!(["all"]));
        }
        if let Some(Value::Object(grant)) = top.get_mut("grantControls") {
            let count = ["builtInControls", "customAuthenticationFactors", "termsOfUse"]
                .iter()
                .map(|k| grant.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum::<usize>()
                + usize::from(grant.contains_key("authenticationStrength"));
            if count <= 1 {
                grant.remove("operator");
            }
        }
        if let Some(Value::Object(strength)) =
            top.get_mut("grantControls").and_then(|g| g.get_mut("authenticationStrength"))
        {
            // Exports expand the strength; requests name it by id.
            strength.retain(|k, _| k == "id");
        }
    }
    value
}

/// The normal form of a named location: annotations (including `@odata.type`, which the
/// properties imply) and read-only fields dropped, empty values absent, lists as sets.
pub fn normalise_location(location: &Value) -> Value {
    let mut value = normalise(location, None);
    if let Value::Object(top) = &mut value {
        for key in READ_ONLY {
            top.remove(*key);
        }
    }
    value
}

fn normalise(value: &Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if is_annotation(k) {
                    continue;
                }
                if v.get("isEnabled") == Some(&Value::Bool(false)) {
                    continue;
                }
                let n = normalise(v, Some(k));
                if !is_nothing(&n) {
                    out.insert(k.clone(), n);
                }
            }
            if out.get("isEnabled") == Some(&Value::Bool(true)) && out.len() > 1 {
                out.remove("isEnabled");
            }
            defaults(key, &mut out);
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut normal: Vec<Value> =
                items.iter().map(|i| normalise(i, None)).filter(|i| !is_nothing(i)).collect();
            if let Some((_, members)) = ENUMS.iter().find(|(k, _)| Some(*k) == key) {
                for item in &mut normal {
                    if let Value::String(s) = item
                        && let Some(m) = members.iter().find(|m| m.eq_ignore_ascii_case(s))
                    {
                        *s = (*m).to_owned();
                    }
                }
            }
            normal.sort_by_key(|v| v.to_string());
            normal.dedup();
            Value::Array(normal)
        }
        Value::String(s) if key.is_some_and(|k| FLAGS.contains(&k)) => {
            let mut parts: Vec<String> =
                s.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty() && p != "none").collect();
            parts.sort_by_key(|p| p.to_ascii_lowercase());
            Value::String(parts.join(","))
        }
        Value::String(s) if is_guid(s) => Value::String(s.to_lowercase()),
        other => other.clone(),
    }
}

fn defaults(key: Option<&str>, out: &mut Map<String, Value>) {
    match key {
        Some("signInFrequency") => {
            if out.contains_key("value") && !out.contains_key("frequencyInterval") {
                out.insert("frequencyInterval".into(), json!("timeBased"));
            }
            if !out.contains_key("authenticationType") {
                out.insert("authenticationType".into(), json!("primaryAndSecondaryAuthentication"));
            }
        }
        Some("includeGuestsOrExternalUsers" | "excludeGuestsOrExternalUsers")
            if !out.contains_key("externalTenants") =>
        {
            out.insert("externalTenants".into(), json!({"membershipKind": "all"}));
        }
        _ => {}
    }
    if out.contains_key("countriesAndRegions") && !out.contains_key("countryLookupMethod") {
        out.insert("countryLookupMethod".into(), json!("clientIpAddress"));
    }
}

fn is_nothing(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Number(_) => false,
    }
}

/// Where two normalised values differ: the deepest paths whose values are not equal (a list
/// that differs is named as a whole).
pub fn diff(left: &Value, right: &Value) -> Vec<JsonPath> {
    let mut out = Vec::new();
    diff_at(left, right, &JsonPath::root(), &mut out);
    out
}

fn diff_at(left: &Value, right: &Value, path: &JsonPath, out: &mut Vec<JsonPath>) {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (x, y) = (a.get(k).unwrap_or(&Value::Null), b.get(k).unwrap_or(&Value::Null));
                diff_at(x, y, &path.key(k), out);
            }
        }
        (a, b) if a != b => out.push(path.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_spellings_normalise_alike() {
        let export = json!({
            "id": "A349C0A7-8F15-4DF0-84ED-5D8329E9CFFD",
            "@odata.context": "x",
            "createdDateTime": "2026-01-01T00:00:00Z",
            "displayName": "P",
            "state": "enabled",
            "conditions": {
                "clientAppTypes": ["All"],
                "users": {"includeUsers": ["All"], "excludeGroups": [], "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest"}},
                "locations": null,
            },
            "grantControls": {"operator": "AND", "builtInControls": ["mfa"], "termsOfUse": []},
            "sessionControls": {"persistentBrowser": {"isEnabled": false, "mode": "never"},
                "signInFrequency": {"isEnabled": true, "value": 4, "type": "hours"}},
        });
        let request = json!({
            "id": "a349c0a7-8f15-4df0-84ed-5d8329e9cffd",
            "displayName": "P",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
                    "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}},
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
            "sessionControls": {"signInFrequency": {"value": 4, "type": "hours", "frequencyInterval": "timeBased",
                "authenticationType": "primaryAndSecondaryAuthentication", "isEnabled": true}},
        });
        assert_eq!(diff(&normalise_policy(&export), &normalise_policy(&request)), Vec::<JsonPath>::new());
    }

    #[test]
    fn differences_are_named_by_path() {
        let a = normalise_policy(
            &json!({"displayName": "P", "conditions": {"users": {"includeUsers": ["All"]}}}),
        );
        let b = normalise_policy(
            &json!({"displayName": "P", "conditions": {"users": {"includeUsers": ["None"]}}}),
        );
        let paths: Vec<String> = diff(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(paths, ["conditions.users.includeUsers"]);
    }
}
