//! The compilation targets on the examples and on small workspaces: every Graph body validates
//! against the v1.0 schema and uses Graph's spellings; Terraform output is valid JSON with the
//! azuread provider's attribute names; the CLI writes what it promises.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use capol::targets::{graph, terraform};
use predicates::prelude::*;
use serde_json::{Value, json};

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/graph-ca-v1.0.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn program_of(text: &str) -> capol::ir::Program {
    let mut sources = capol::Sources::new();
    sources.add("t.capol", text);
    let (program, diags) = capol::compile_workspace(&sources);
    assert!(!diags.has_errors(), "{diags:?}");
    program.unwrap()
}

/// Each example workspace (a directory of `examples/`), compiled on its own.
fn example_programs() -> Vec<capol::ir::Program> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut roots: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    roots.sort();
    roots
        .into_iter()
        .map(|root| {
            let mut sources = capol::Sources::new();
            let mut stack = vec![root];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(d).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if path.extension().is_some_and(|e| e == "capol") {
                        sources.add(path.display().to_string(), std::fs::read_to_string(&path).unwrap());
                    }
                }
            }
            let (program, diags) = capol::compile_workspace(&sources);
            assert!(!diags.has_errors(), "{diags:?}");
            program.unwrap()
        })
        .collect()
}

/// The baseline example, the richest workspace shipped.
fn examples() -> capol::ir::Program {
    example_programs().into_iter().max_by_key(|p| p.policies.len()).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, path: &str, body: &Value) {
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{path} fails the Graph schema: {errors:#?}\n{body:#}");
}

/// A workspace that uses every construct the Graph target writes.
const EVERYTHING: &str = r#"
group hr { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }
group nameless { display_name = "Nameless" }
group templ { id = "<ExclusionTempGroup>" }
user u { id = "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40" }
role ga = builtin("Global Administrator")
app exo = builtin("Office 365 Exchange Online")
auth_strength phish = builtin("Phishing-resistant MFA")
auth_context c1 = "c1"
terms_of_use tou = "ce580154-086a-40fd-91df-8a60abac81a0"
custom_control duo = "DuoMfa"
service_principal bot { id = "5d1e8f2a-3b4c-4d6e-8f90-a1b2c3d4e5f6" }
location hq { trusted ip 203.0.113.0/24, 2001:db8::/48 }
location risky { countries RU, KP include_unknown lookup = gps }
location compliant { id = "3d46dbda-8382-466a-856d-eb00cbc6b910" }

policy "Everything" {
  state = report_only
  users {
    include all
    exclude group hr, group nameless, group templ, user u, role ga, guests,
        guests(b2b_collaboration_guest, internal_guest, tenants = ["8a5c2b47-1c43-4f1e-9d8c-0f3c0b1d2e4f"])
  }
  target apps all
  exclude apps exo, office365, admin_portals
  app_filter exclude "CustomSecurityAttribute.Eng_Project -eq \"Baker\""
  locations { include any, hq exclude trusted, risky, compliant }
  platforms { include all exclude ios, macos, windows_phone }
  client_apps browser, mobile_desktop, exchange_active_sync, eas_supported, other
  sign_in_risk high, medium
  user_risk low
  insider_risk elevated, moderate
  device_filter exclude "device.trustType -eq \"ServerAD\""
  auth_flows device_code, auth_transfer
  grant all(compliant_device, auth_strength phish, terms_of_use tou, custom_control duo)
  session {
    sign_in_frequency { interval = time_based period = 7d authentication = secondary }
    persistent_browser = never
    app_enforced_restrictions
    cloud_app_security = block_downloads
    disable_resilience_defaults
  }
}

policy "Workload" { state = enabled users { include none }
  service_principals { include all exclude bot filter include "CustomSecurityAttribute.x -eq \"y\"" }
  target apps all service_principal_risk high grant block }
policy "Register" { state = disabled users { include guests(service_provider) } target action register_device, register_security_info
  grant mfa session { sign_in_frequency = every_time secure_sign_in_session } }
policy "Context" { state = enabled users { include group hr } target auth_context c1 grant auth_strength phish }
"#;

#[test]
fn every_graph_file_of_the_examples_validates() {
    let validator = schema();
    let mut noted = false;
    for program in example_programs() {
        let out = graph::compile(&program);
        let mut checked = 0;
        for file in &out.files {
            if file.path == graph::MANIFEST {
                continue;
            }
            let body: Value = serde_json::from_str(&file.contents).unwrap();
            assert_valid(&validator, &file.path, &body);
            checked += 1;
        }
        assert!(checked >= 2, "each example has a location and a policy");
        noted |= out.notes.iter().any(|n| n.0.contains("`preview combined_registration` has no Graph"));
    }
    assert!(noted, "the combined-registration example's preview is noted");
}

#[test]
fn every_construct_validates_and_uses_graph_spellings() {
    let validator = schema();
    let program = program_of(EVERYTHING);
    let out = graph::compile(&program);
    for file in out.files.iter().filter(|f| f.path != graph::MANIFEST) {
        assert_valid(&validator, &file.path, &serde_json::from_str(&file.contents).unwrap());
    }
    let body = |name: &str| -> Value {
        let file = out.files.iter().find(|f| f.path == name).unwrap();
        serde_json::from_str(&file.contents).unwrap()
    };
    let p = body("policies/everything.json");
    assert_eq!(p["state"], "enabledForReportingButNotEnforced");
    let c = &p["conditions"];
    assert_eq!(c["users"]["includeUsers"], json!(["All"]));
    assert_eq!(
        c["users"]["excludeUsers"],
        json!(["GuestsOrExternalUsers", "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40"])
    );
    assert_eq!(
        c["users"]["excludeGroups"],
        json!(["3ee3a9de-0a86-4e12-a287-9769accf1ba2", "${group:nameless}", "<ExclusionTempGroup>"])
    );
    assert_eq!(c["users"]["excludeRoles"], json!(["62e90394-69f5-4237-9190-012177145e10"]));
    let guests = &c["users"]["excludeGuestsOrExternalUsers"];
    assert_eq!(guests["guestOrExternalUserTypes"], "internalGuest,b2bCollaborationGuest");
    assert_eq!(
        guests["externalTenants"]["@odata.type"],
        "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"
    );
    assert_eq!(
        c["applications"]["excludeApplications"],
        json!(["Office365", "MicrosoftAdminPortals", "00000002-0000-0ff1-ce00-000000000000"])
    );
    assert_eq!(c["applications"]["applicationFilter"]["mode"], "exclude");
    assert_eq!(c["locations"]["includeLocations"], json!(["All", "${location:hq}"]));
    assert_eq!(
        c["locations"]["excludeLocations"],
        json!(["AllTrusted", "3d46dbda-8382-466a-856d-eb00cbc6b910", "${location:risky}"])
    );
    assert_eq!(c["platforms"]["includePlatforms"], json!(["all"]));
    assert_eq!(c["platforms"]["excludePlatforms"], json!(["iOS", "windowsPhone", "macOS"]));
    assert_eq!(
        c["clientAppTypes"],
        json!(["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other"])
    );
    assert_eq!(c["insiderRiskLevels"], "moderate,elevated");
    assert_eq!(c["authenticationFlows"]["transferMethods"], "deviceCodeFlow,authenticationTransfer");
    assert_eq!(c["devices"]["deviceFilter"]["mode"], "exclude");
    let g = &p["grantControls"];
    assert_eq!(g["operator"], "AND");
    assert_eq!(g["builtInControls"], json!(["compliantDevice"]));
    assert_eq!(g["authenticationStrength"], json!({"id": "00000000-0000-0000-0000-000000000004"}));
    assert_eq!(g["termsOfUse"], json!(["ce580154-086a-40fd-91df-8a60abac81a0"]));
    assert_eq!(g["customAuthenticationFactors"], json!(["DuoMfa"]));
    let s = &p["sessionControls"];
    assert_eq!(
        s["signInFrequency"],
        json!({"isEnabled": true, "frequencyInterval": "timeBased", "authenticationType": "secondaryAuthentication", "type": "days", "value": 7})
    );
    assert_eq!(s["persistentBrowser"], json!({"isEnabled": true, "mode": "never"}));
    assert_eq!(s["cloudAppSecurity"]["cloudAppSecurityType"], "blockDownloads");
    assert_eq!(s["disableResilienceDefaults"], true);

    let w = body("policies/workload.json");
    assert_eq!(w["conditions"]["users"]["includeUsers"], json!(["None"]));
    assert_eq!(
        w["conditions"]["clientApplications"]["includeServicePrincipals"],
        json!(["ServicePrincipalsInMyTenant"])
    );
    assert_eq!(w["conditions"]["servicePrincipalRiskLevels"], json!(["high"]));
    let r = body("policies/register.json");
    assert_eq!(
        r["conditions"]["applications"]["includeUserActions"],
        json!(["urn:user:registersecurityinfo", "urn:user:registerdevice"])
    );
    assert_eq!(r["sessionControls"]["signInFrequency"]["frequencyInterval"], "everyTime");
    assert_eq!(r["sessionControls"]["secureSignInSession"], json!({"isEnabled": true}));
    let ctx = body("policies/context.json");
    assert_eq!(
        ctx["conditions"]["applications"]["includeAuthenticationContextClassReferences"],
        json!(["c1"])
    );

    let hq = body("locations/hq.json");
    assert_eq!(hq["@odata.type"], "#microsoft.graph.ipNamedLocation");
    assert_eq!(hq["isTrusted"], true);
    assert_eq!(
        hq["ipRanges"],
        json!([
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/48"},
        ])
    );
    let risky = body("locations/risky.json");
    assert_eq!(risky["@odata.type"], "#microsoft.graph.countryNamedLocation");
    assert_eq!(risky["countryLookupMethod"], "authenticatorAppGps");
    assert_eq!(risky["includeUnknownCountriesAndRegions"], true);
    assert!(!out.files.iter().any(|f| f.path.contains("compliant")), "unmanaged locations get no file");

    let manifest = body(graph::MANIFEST);
    let order: Vec<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(order[..2], ["locations/hq.json", "locations/risky.json"]);
    let everything = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "policies/everything.json")
        .unwrap();
    assert_eq!(everything["dependsOn"], json!(["locations/hq.json", "locations/risky.json"]));
    let placeholders: Vec<&str> = manifest["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["placeholder"].as_str().unwrap())
        .collect();
    assert_eq!(
        placeholders,
        ["${group:nameless}", "${location:hq}", "${location:risky}", "<ExclusionTempGroup>"]
    );
}

#[test]
fn compiling_is_deterministic() {
    let program = program_of(EVERYTHING);
    assert_eq!(graph::compile(&program), graph::compile(&program));
    assert_eq!(terraform::compile(&program), terraform::compile(&program));
}

/// The azuread provider's attribute names (hashicorp/terraform-provider-azuread docs, v3).
const POLICY_ATTRIBUTES: &[&str] =
    &["display_name", "state", "conditions", "grant_controls", "session_controls"];
const CONDITION_ATTRIBUTES: &[&str] = &[
    "client_app_types",
    "sign_in_risk_levels",
    "user_risk_levels",
    "service_principal_risk_levels",
    "insider_risk_levels",
    "authentication_flow_transfer_methods",
    "applications",
    "users",
    "client_applications",
    "devices",
    "locations",
    "platforms",
];
const USER_ATTRIBUTES: &[&str] = &[
    "included_users",
    "excluded_users",
    "included_groups",
    "excluded_groups",
    "included_roles",
    "excluded_roles",
    "included_guests_or_external_users",
    "excluded_guests_or_external_users",
];
const SESSION_ATTRIBUTES: &[&str] = &[
    "application_enforced_restrictions_enabled",
    "cloud_app_security_policy",
    "disable_resilience_defaults",
    "persistent_browser_mode",
    "sign_in_frequency",
    "sign_in_frequency_period",
    "sign_in_frequency_authentication_type",
    "sign_in_frequency_interval",
];
const GRANT_ATTRIBUTES: &[&str] = &[
    "operator",
    "built_in_controls",
    "authentication_strength_policy_id",
    "custom_authentication_factors",
    "terms_of_use",
];

fn keys_within(value: &Value, allowed: &[&str], what: &str) {
    for key in value.as_object().unwrap().keys() {
        assert!(allowed.contains(&key.as_str()), "`{key}` is not an attribute of {what}");
    }
}

#[test]
fn terraform_uses_the_provider_attribute_names() {
    let mut programs = example_programs();
    programs.push(program_of(EVERYTHING));
    for program in programs {
        let out = terraform::compile(&program);
        let tf: Value = serde_json::from_str(&out.contents).expect("valid JSON");
        assert_eq!(tf["terraform"]["required_providers"]["azuread"]["source"], "hashicorp/azuread");
        let policies = tf["resource"]["azuread_conditional_access_policy"].as_object().unwrap();
        assert!(!policies.is_empty());
        for policy in policies.values() {
            keys_within(policy, POLICY_ATTRIBUTES, "azuread_conditional_access_policy");
            let conditions = &policy["conditions"][0];
            keys_within(conditions, CONDITION_ATTRIBUTES, "conditions");
            keys_within(&conditions["users"][0], USER_ATTRIBUTES, "conditions.users");
            assert!(conditions["client_app_types"].is_array());
            if let Some(g) = policy.get("grant_controls") {
                keys_within(&g[0], GRANT_ATTRIBUTES, "grant_controls");
            }
            if let Some(s) = policy.get("session_controls") {
                keys_within(&s[0], SESSION_ATTRIBUTES, "session_controls");
            }
        }
        for location in tf["resource"]["azuread_named_location"].as_object().unwrap().values() {
            keys_within(location, &["display_name", "ip", "country"], "azuread_named_location");
            if let Some(ip) = location.get("ip") {
                keys_within(&ip[0], &["ip_ranges", "trusted"], "ip");
            }
            if let Some(c) = location.get("country") {
                keys_within(
                    &c[0],
                    &[
                        "countries_and_regions",
                        "include_unknown_countries_and_regions",
                        "country_lookup_method",
                    ],
                    "country",
                );
            }
        }
    }
    let tf: Value = serde_json::from_str(&terraform::compile(&program_of(EVERYTHING)).contents).unwrap();
    let everything = &tf["resource"]["azuread_conditional_access_policy"]["everything"];
    assert_eq!(
        everything["grant_controls"][0]["authentication_strength_policy_id"],
        "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
    );
    assert_eq!(
        everything["conditions"][0]["locations"][0]["included_locations"],
        json!(["All", "${azuread_named_location.hq.object_id}"])
    );
    assert_eq!(tf["data"]["azuread_group"]["nameless"]["display_name"], "Nameless");
    assert!(tf["variable"]["group_templ_id"].is_object());
    let out = terraform::compile(&program_of(EVERYTHING));
    for left_out in ["`Register`", "`Context`"] {
        assert!(out.notes.iter().any(|n| n.0.contains(left_out)), "{left_out} is noted as left out");
    }
}

#[test]
fn terraform_validate_accepts_the_output() {
    let Ok(version) = std::process::Command::new("terraform").arg("version").output() else {
        println!("skipped: `terraform` is not installed (no package registry here provides it)");
        return;
    };
    if !version.status.success() {
        println!("skipped: `terraform version` failed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf.json"), terraform::compile(&examples()).contents).unwrap();
    let init = std::process::Command::new("terraform")
        .args(["init", "-backend=false", "-input=false"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    if !init.status.success() {
        println!(
            "skipped: `terraform init` cannot fetch the azuread provider: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        return;
    }
    let validate =
        std::process::Command::new("terraform").arg("validate").current_dir(dir.path()).output().unwrap();
    assert!(validate.status.success(), "{}", String::from_utf8_lossy(&validate.stdout));
}

fn capol() -> Command {
    Command::cargo_bin("capol").unwrap()
}

#[test]
fn cli_writes_graph_files_and_notes_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("graph");
    capol()
        .args(["compile", "--target", "graph", "-o"])
        .arg(&out)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/combined-registration"))
        .assert()
        .success()
        .stderr(predicate::str::contains("note: `preview combined_registration` has no Graph"));
    assert!(out.join(graph::MANIFEST).is_file());
    assert!(out.join("locations/corporate-hq.json").is_file());
    assert!(out.join("policies/combined-security-info-registration-on-trusted-networks.json").is_file());
}

#[test]
fn cli_checks_the_output_argument_of_each_target() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/combined-registration");
    capol()
        .args(["compile", "--target", "graph"])
        .arg(&examples)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`-o DIR`"));
    capol()
        .args(["compile", "--target", "terraform", "-o", "out.json"])
        .arg(&examples)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`.tf.json`"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ca.tf.json");
    capol().args(["compile", "--target", "terraform", "-o"]).arg(&file).arg(&examples).assert().success();
    let tf: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert!(tf["resource"]["azuread_named_location"]["corporate_hq"].is_object());
    // The default target still prints the IR.
    capol()
        .arg("compile")
        .arg(&examples)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"capol_ir\": 1"));
}

fn check_codes(text: &str) -> Vec<String> {
    let mut sources = capol::Sources::new();
    sources.add("t.capol", text);
    let (_, diags) = capol::check_workspace(&sources);
    diags.items.iter().map(|d| d.error.code_str()).collect()
}

#[test]
fn locations_declared_by_id_only_are_unmanaged() {
    let program = program_of(
        r#"location mfa_trusted_ips { id = "00000000-0000-0000-0000-000000000000" }
           location compliant { id = "3d46dbda-8382-466a-856d-eb00cbc6b910" display_name = "Compliant" trusted }"#,
    );
    assert_eq!(program.locations[1].kind, capol::ir::LocationKind::Unmanaged { trusted: false });
    assert_eq!(program.locations[0].kind, capol::ir::LocationKind::Unmanaged { trusted: true });
    assert_eq!(check_codes("location empty {}"), ["capol::check::empty_location"]);
    assert_eq!(
        check_codes(r#"location x { id = "3d46dbda-8382-466a-856d-eb00cbc6b910" lookup = gps }"#),
        ["capol::check::country_option_on_ip_location"]
    );
}

#[test]
fn template_placeholder_ids_are_warnings_and_other_bad_ids_errors() {
    assert_eq!(check_codes(r#"group g { id = "<ExclusionTempGroup>" }"#), ["capol::check::placeholder_id"]);
    assert_eq!(check_codes(r#"group g { id = "ExclusionTempGroup" }"#), ["capol::check::invalid_id"]);
    assert_eq!(check_codes(r#"group g { id = "<>" }"#), ["capol::check::invalid_id"]);
}
