//! The symbolic model against the engine: on the examples and on small generated workspaces,
//! every sampled point of the model and every concrete sign-in of a fine grid gets from the
//! engine exactly the verdict the BDDs give; every counterexample, gap and diff example replays
//! to the outcome claimed; and the assertion semantics of `docs/verify.md`.

use proptest::prelude::*;

use super::model::{DimId, Point, Verdict};
use super::*;
use crate::generate::Rng;

struct Ws {
    analysis: Analysis,
    asserts: Vec<assertion::Assertion>,
    engines: Vec<Engine>,
}

fn compile(text: &str) -> (Vec<crate::syntax::ast::File>, ir::Program) {
    let mut sources = crate::Sources::new();
    sources.add("w.capol", text.to_owned());
    let (checked, diags) = crate::check_workspace(&sources);
    let errors: Vec<String> =
        diags.items.iter().filter(|d| !d.error.is_warning()).map(|d| d.error.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
    let (files, checked) = checked.unwrap();
    let program = crate::compile::compile(&checked);
    (files, program)
}

fn example_text(dir: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "capol"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn workspace(texts: &[&str]) -> Ws {
    let mut programs = Vec::new();
    let mut asserts = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let (files, program) = compile(text);
        if i == 0 {
            let (a, diags) = assertion::lower(&files, &program);
            assert!(diags.is_empty(), "{diags:?}");
            asserts = a;
        }
        programs.push(program);
    }
    let engines = programs.iter().map(Engine::new).collect();
    let analysis = Analysis::new(programs, &assertion::atoms(&asserts));
    Ws { analysis, asserts, engines }
}

fn random_point(a: &Analysis, rng: &mut Rng) -> Point {
    let l = &a.layout;
    let mut p = Point {
        groups: (0..l.groups.len()).map(|_| rng.chance(40)).collect(),
        roles: (0..l.roles.len()).map(|_| rng.chance(30)).collect(),
        filters: (0..l.filters.len()).map(|_| rng.chance(50)).collect(),
        ..Point::default()
    };
    for (id, dim) in &l.dims {
        let v = rng.below(dim.size);
        match id {
            DimId::Who => p.who = v,
            DimId::UserType => p.user_type = v,
            DimId::Tenant => p.tenant = v,
            DimId::Target => p.target = v,
            DimId::Ip => p.ip = v,
            DimId::Country => p.country = v,
            DimId::Gps => p.gps = v,
            DimId::Platform => p.platform = v,
            DimId::Client => p.client = v,
            DimId::SignInRisk => p.sign_in_risk = v,
            DimId::UserRisk => p.user_risk = v,
            DimId::Insider => p.insider = v,
            DimId::Flow => p.flow = v,
        }
    }
    p
}

/// Every program's model verdict at `p` is the engine's verdict on the point's example.
fn check_point(ws: &Ws, p: &Point) {
    let a = &ws.analysis;
    let example = a.example(p);
    if !example.device_found {
        return;
    }
    let mut verdicts = Vec::new();
    for (i, engine) in ws.engines.iter().enumerate() {
        let model = a.semantics[i].verdict(&a.layout, p);
        let replay =
            a.replay(engine, &example.scenario).unwrap_or_else(|e| panic!("{e}: {}", example.scenario));
        assert_eq!(replay.verdict.as_ref(), Some(&model), "program {i} at {p:?}\n{}", example.scenario);
        verdicts.push(model);
    }
    if let [old, new] = verdicts.as_slice() {
        assert_eq!(a.changed().eval_in(&a.layout.valuation(p)), old != new, "{p:?}");
    }
}

/// The claims of every report replay exactly.
fn check_reports(ws: &Ws) {
    let a = &ws.analysis;
    for r in a.check(&ws.asserts, &ws.engines[0]) {
        if let Some(c) = r.counterexample {
            if !c.example.device_found {
                continue;
            }
            let replay = c.replay.as_ref().unwrap();
            assert_eq!(
                replay.verdict.as_ref(),
                Some(&c.verdict),
                "{}: {}",
                r.assertion.text,
                c.example.scenario
            );
            assert!(a.violations(&r.assertion).eval_in(&a.layout.valuation(&c.example.point)));
        }
    }
    for answer in a.gaps(&ws.engines[0], 4) {
        for g in answer.gaps {
            if g.example.device_found {
                assert_eq!(g.replay.unwrap().verdict, Some(Verdict::Allow), "{}", g.example.scenario);
            }
        }
    }
    if ws.engines.len() == 2 {
        for d in a.diff([&ws.engines[0], &ws.engines[1]], 4) {
            assert_ne!(d.old, d.new);
            for r in d.regions {
                if r.example.device_found {
                    assert_eq!(r.old.unwrap().verdict.as_ref(), Some(&d.old), "{}", r.example.scenario);
                    assert_eq!(r.new.unwrap().verdict.as_ref(), Some(&d.new), "{}", r.example.scenario);
                }
            }
        }
    }
}

// --- small generated workspaces ------------------------------------------------------------

const INVENTORY: &str = r#"
tenant { edition = p2 }
group staff { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }
group break_glass { id = "7c3ac0b0-7e9a-4c6a-9a57-3f1b2f0a9d11" }
role global_admin = builtin("Global Administrator")
role helpdesk = builtin("Helpdesk Administrator")
user ada { id = "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40" member_of = [staff] roles = [global_admin] }
user gus { id = "6f5e4d3c-2b1a-4098-b7c6-d5e4f3a2b1c0" user_type = b2b_collaboration_guest }
app exchange = builtin("Office 365 Exchange Online")
app azure_management = builtin("Windows Azure Service Management API")
app azure_portal = builtin("Azure Portal")
auth_context sensitive = "c1"
auth_strength phishing_resistant = builtin("Phishing-resistant MFA")
terms_of_use tou = "ce580154-086a-40fd-91df-8a60abac81a0"
location hq { trusted  ip 203.0.113.0/24, 2001:db8:1000::/48 }
location lab { ip 203.0.113.128/25, 198.51.100.0/24 }
location risky { countries KP, RU  include_unknown }
location home { countries FR, DE  lookup = gps }
"#;

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

fn policy(rng: &mut Rng, i: usize) -> String {
    let state = pick(rng, &["enabled", "enabled", "enabled", "report_only", "disabled"]);
    let include = pick(
        rng,
        &[
            "all",
            "group staff",
            "role global_admin",
            "user ada",
            "guests",
            "guests(b2b_collaboration_guest, internal_guest, tenants = [\"8e1b2c3d-4f5a-4b6c-9d7e-0f1a2b3c4d5e\"])",
            "group staff, role helpdesk",
        ],
    );
    let exclude = pick(rng, &["", "", "group break_glass", "user gus", "role helpdesk", "guests"]);
    let mut out = format!("policy \"P{i}\" {{\n  state = {state}\n  users {{\n    include {include}\n");
    if !exclude.is_empty() {
        out.push_str(&format!("    exclude {exclude}\n"));
    }
    out.push_str("  }\n");
    let action = rng.chance(20).then(|| pick(rng, &["register_security_info", "register_device"]));
    if let Some(a) = action {
        out.push_str(&format!("  target action {a}\n"));
    } else if rng.chance(10) {
        out.push_str("  target auth_context sensitive\n");
    } else {
        let t =
            pick(rng, &["all", "office365", "admin_portals", "exchange", "azure_management, azure_portal"]);
        out.push_str(&format!("  target apps {t}\n"));
        if t == "all" && rng.chance(30) {
            out.push_str(&format!(
                "  exclude apps {}\n",
                pick(rng, &["exchange", "azure_portal", "office365"])
            ));
        }
        if rng.chance(30) {
            out.push_str(&format!(
                "  client_apps {}\n",
                pick(
                    rng,
                    &[
                        "browser",
                        "mobile_desktop",
                        "exchange_active_sync, other",
                        "eas_supported",
                        "browser, eas_supported"
                    ]
                )
            ));
        }
        if rng.chance(25) {
            out.push_str(&format!(
                "  device_filter {} \"{}\"\n",
                pick(rng, &["include", "exclude"]),
                pick(rng, &["device.isCompliant -eq True", "device.trustType -eq \\\"AzureAD\\\""])
            ));
        }
    }
    if rng.chance(30) {
        out.push_str(&format!(
            "  platforms {{ include {} }}\n",
            pick(rng, &["ios, android", "windows", "all", "all  exclude macos", "windows, macos"])
        ));
    }
    if rng.chance(40) {
        out.push_str(&format!(
            "  locations {{ {} }}\n",
            pick(
                rng,
                &[
                    "include any  exclude trusted",
                    "include hq",
                    "include lab",
                    "include risky",
                    "include home",
                    "include any  exclude hq, home",
                    "include trusted",
                    "include lab, risky",
                ]
            )
        ));
    }
    if rng.chance(15) {
        out.push_str(&format!("  sign_in_risk {}\n", pick(rng, &["high", "medium, high", "low"])));
    }
    if rng.chance(10) {
        out.push_str("  insider_risk elevated\n");
    }
    if rng.chance(10) {
        out.push_str("  auth_flows device_code\n");
    }
    let grant = if action == Some("register_device") {
        "mfa"
    } else if action.is_some() {
        pick(rng, &["block", "mfa"])
    } else {
        pick(
            rng,
            &[
                "block",
                "mfa",
                "mfa",
                "compliant_device",
                "any(compliant_device, domain_joined_device)",
                "all(mfa, terms_of_use tou)",
                "auth_strength phishing_resistant",
                "",
            ],
        )
    };
    if grant.is_empty() {
        out.push_str("  session { persistent_browser = never }\n");
    } else {
        out.push_str(&format!("  grant {grant}\n"));
    }
    out.push_str("}\n");
    out
}

fn generated(seed: u64, policies: usize, preview: bool) -> String {
    let mut rng = Rng::new(seed);
    let mut text = INVENTORY.to_owned();
    if preview {
        text.push_str("preview combined_registration { enabled_for = group staff }\n");
    }
    for i in 0..policies {
        text.push_str(&policy(&mut rng, i));
    }
    text
}

const ASSERTS: &str = r#"
assert "a" { never block for group break_glass }
assert "b" { always require mfa when role global_admin and target apps admin_portals }
assert "c" { never allow action register_security_info from not trusted }
assert "d" { always block for guests via client_app other and not location lab }
assert "e" { never require compliant_device for user ada on platform ios }
assert "f" { always allow for members from location home with sign_in_risk none country FR }
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The model equals the engine on every sampled point of two small generated workspaces,
    /// and every example of every report replays to the claimed outcome.
    #[test]
    fn model_equals_engine(seed in any::<u64>(), n in 1usize..7, m in 1usize..7, preview in any::<bool>()) {
        let old = generated(seed, n, preview) + ASSERTS;
        let new = generated(seed.wrapping_add(1), m, !preview);
        let ws = workspace(&[&old, &new]);
        let mut rng = Rng::new(seed);
        for _ in 0..300 {
            let p = random_point(&ws.analysis, &mut rng);
            check_point(&ws, &p);
        }
        check_reports(&ws);
    }

    /// A fine grid of concrete sign-ins: each gets from the engine the verdict of the model
    /// point its values fall in, so classes never split what the engine tells apart.
    #[test]
    fn classes_are_exact(seed in any::<u64>(), n in 1usize..8) {
        let ws = workspace(&[&(generated(seed, n, seed % 2 == 0) + ASSERTS)]);
        let mut rng = Rng::new(seed ^ 0x5eed);
        for _ in 0..300 {
            check_concrete(&ws, &mut rng);
        }
    }
}

/// A concrete sign-in from pools of values (boundary addresses, listed and unlisted countries,
/// apps inside and outside the groups), and the point the model puts it in.
fn check_concrete(ws: &Ws, rng: &mut Rng) {
    let a = &ws.analysis;
    let u = &a.universe;
    let refs = a.program_refs();
    let mut s = serde_json::Map::new();
    let mut p =
        Point { groups: vec![false; u.groups.len()], roles: vec![false; u.roles.len()], ..Point::default() };
    match rng.below(3) {
        1 => {
            s.insert("user".into(), "ada".into());
            p.who = u.users.find("ada").map_or(0, |i| i + 1);
        }
        2 => {
            s.insert("user".into(), "gus".into());
            p.who = u.users.find("gus").map_or(0, |i| i + 1);
        }
        _ => {}
    }
    if p.who == 0 {
        if let Some(name) = s.get("user").and_then(|v| v.as_str()) {
            // A workspace user no policy names is a user like any other, with its memberships.
            let d = refs[0].users.iter().find(|x| x.name == name).unwrap();
            p.user_type = d.user_type as usize;
            for g in &d.member_of {
                if let Some(i) = u.groups.find(g) {
                    p.groups[i] = true;
                }
            }
            for r in &d.roles {
                let t = &refs[0].roles.iter().find(|x| &x.name == r).unwrap().template_id;
                if let Some(i) = u.roles.find(t) {
                    p.roles[i] = true;
                }
            }
        } else {
            let t = rng.below(model::USER_TYPES.len());
            p.user_type = t;
            s.insert("user_type".into(), model::USER_TYPES[t].word().into());
            let mut groups = Vec::new();
            for (i, g) in u.groups.items.iter().enumerate() {
                if rng.chance(40) {
                    groups.push(serde_json::Value::from(g.name.clone()));
                    p.groups[i] = true;
                }
            }
            s.insert("groups".into(), serde_json::Value::Array(groups));
            let mut roles = Vec::new();
            for (i, r) in u.roles.items.iter().enumerate() {
                if rng.chance(30) {
                    roles.push(serde_json::Value::from(r.name.clone()));
                    p.roles[i] = true;
                }
            }
            s.insert("roles".into(), serde_json::Value::Array(roles));
        }
    }
    let tenant =
        pick(rng, &["", "8e1b2c3d-4f5a-4b6c-9d7e-0f1a2b3c4d5e", "11111111-2222-4333-8444-555555555555"]);
    if !tenant.is_empty() {
        s.insert("external_tenant".into(), tenant.into());
        p.tenant = u.tenants.iter().position(|t| t == tenant).map_or(0, |i| i + 1);
    }
    let (field, value) = pick2(
        rng,
        &[
            ("app", "exchange"),
            ("app", "azure_management"),
            ("app", "azure_portal"),
            ("app", "Microsoft Teams"),
            ("app", "office365"),
            ("app", "admin_portals"),
            ("app", "Microsoft Power BI"),
            ("app", "Exchange Admin Center"),
            ("action", "register_security_info"),
            ("action", "register_device"),
            ("auth_context", "sensitive"),
            ("auth_context", "c7"),
        ],
    );
    s.insert(field.into(), value.into());
    p.target = target_class(a, field, value);
    let ip = pick(
        rng,
        &[
            "",
            "203.0.113.0",
            "203.0.113.127",
            "203.0.113.128",
            "203.0.113.255",
            "203.0.114.0",
            "198.51.100.7",
            "2001:db8:1000::1",
            "2001:db8:1001::",
            "10.1.2.3",
            "::ffff:203.0.113.200",
        ],
    );
    let parsed: Option<std::net::IpAddr> = if ip.is_empty() { None } else { Some(ip.parse().unwrap()) };
    if let Some(addr) = parsed {
        s.insert("ip".into(), ip.into());
        let addr = match addr {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, std::net::IpAddr::V4),
            v4 => v4,
        };
        p.ip = ip::class_of(&u.ip, &refs, &u.relevant_locations, Some(addr));
    }
    let country = pick(rng, &["", "FR", "DE", "KP", "RU", "BR", "US"]);
    if !country.is_empty() {
        s.insert("country".into(), country.into());
    }
    p.country = u.country_class(&refs, (!country.is_empty()).then_some(country));
    let gps = pick(rng, &["", "", "FR", "US", "KP"]);
    if !gps.is_empty() {
        s.insert("gps_country".into(), gps.into());
        let (_, gps_sets) = space_sets(&refs, &u.relevant_locations, gps);
        p.gps = u.gps.iter().skip(1).position(|g| g.sets == gps_sets).map_or(0, |i| i + 1);
    }
    p.platform = rng.below(model::PLATFORMS.len());
    if let Some(pl) = model::PLATFORMS[p.platform] {
        s.insert("platform".into(), platform_word(pl).into());
    }
    p.client = rng.below(model::CLIENTS.len());
    if let Some(c) = model::CLIENTS[p.client] {
        s.insert("client_app".into(), c.word().into());
    }
    p.sign_in_risk = rng.below(model::RISKS.len());
    s.insert("sign_in_risk".into(), model::RISKS[p.sign_in_risk].word().into());
    p.user_risk = rng.below(model::RISKS.len());
    s.insert("user_risk".into(), model::RISKS[p.user_risk].word().into());
    p.insider = rng.below(model::INSIDER.len());
    s.insert("insider_risk".into(), model::INSIDER[p.insider].map_or("none", insider_word).into());
    p.flow = rng.below(model::FLOWS.len());
    s.insert("auth_flow".into(), model::FLOWS[p.flow].map_or("none", flow_word).into());
    let devices = [
        serde_json::json!(null),
        serde_json::json!({"isCompliant": true}),
        serde_json::json!({"trustType": "AzureAD"}),
        serde_json::json!({"trustType": "azuread", "isCompliant": false}),
        serde_json::json!({"registered": false, "isCompliant": true}),
    ];
    let device = &devices[rng.below(devices.len())];
    let parsed_device = if device.is_null() {
        crate::devfilter::Device::default()
    } else {
        s.insert("device".into(), device.clone());
        Scenario::from_value(&serde_json::json!({"app": "x", "device": device})).unwrap().device.unwrap()
    };
    p.filters = u.filters.vector(&parsed_device);
    let scenario = serde_json::Value::Object(s);
    let replay = a.replay(&ws.engines[0], &scenario).unwrap_or_else(|e| panic!("{e}: {scenario}"));
    let model = a.semantics[0].verdict(&a.layout, &p);
    assert_eq!(replay.verdict.as_ref(), Some(&model), "{scenario}\n{p:?}");
}

fn pick2<'a>(rng: &mut Rng, items: &[(&'a str, &'a str)]) -> (&'a str, &'a str) {
    items[rng.below(items.len())]
}

fn space_sets(
    programs: &[&ir::Program],
    relevant: &[Vec<bool>],
    code: &str,
) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut ip_sets = Vec::new();
    let mut gps_sets = Vec::new();
    for (pi, program) in programs.iter().enumerate() {
        let (mut by_ip, mut by_gps) = (Vec::new(), Vec::new());
        for (l, loc) in program.locations.iter().enumerate() {
            if !relevant[pi][l] {
                continue;
            }
            if let ir::LocationKind::Country { countries, lookup, .. } = &loc.kind
                && countries.iter().any(|c| c == code)
            {
                match lookup {
                    ir::CountryLookup::ClientIp => by_ip.push(l as u32),
                    ir::CountryLookup::AuthenticatorGps => by_gps.push(l as u32),
                }
            }
        }
        ip_sets.push(by_ip);
        gps_sets.push(by_gps);
    }
    (ip_sets, gps_sets)
}

/// The target class of a scenario target, computed from the engine's view of the app.
fn target_class(a: &Analysis, field: &str, value: &str) -> usize {
    let targets = &a.universe.targets;
    let find = |pred: &dyn Fn(&space::TargetClass) -> bool| targets.iter().position(pred).unwrap();
    match field {
        "action" => {
            let action = words::lookup(words::USER_ACTIONS, value).unwrap();
            find(&|t| t.kind == space::TargetKind::Action(action))
        }
        "auth_context" => {
            let i = a.universe.contexts.find(value);
            find(&|t| t.kind == space::TargetKind::Context && t.context == i)
        }
        _ => {
            let id = match value {
                "office365" => None,
                "admin_portals" => None,
                _ => Some(
                    a.programs[0]
                        .apps
                        .iter()
                        .find(|x| x.name == value)
                        .and_then(|x| x.id.clone())
                        .unwrap_or_else(|| crate::catalog::app_by_name(value).unwrap().app_id.to_owned())
                        .to_ascii_lowercase(),
                ),
            };
            if let Some(i) = targets.iter().position(|t| t.app_key.is_some() && t.app_key == id) {
                return i;
            }
            let (o, ap) = match (value, &id) {
                ("office365", _) => (true, false),
                ("admin_portals", _) => (false, true),
                (_, Some(id)) => {
                    (crate::eval::apps::is_office365(id), crate::eval::apps::is_admin_portal(id))
                }
                _ => (false, false),
            };
            find(&|t| {
                t.kind == space::TargetKind::App
                    && t.app_key.is_none()
                    && t.office365 == o
                    && t.admin_portals == ap
            })
        }
    }
}

// --- the examples ----------------------------------------------------------------------------

#[test]
fn examples_model_equals_engine_and_asserts_hold() {
    for dir in ["baseline", "combined-registration"] {
        let ws = workspace(&[&example_text(dir)]);
        let mut rng = Rng::new(11);
        for _ in 0..2000 {
            let p = random_point(&ws.analysis, &mut rng);
            check_point(&ws, &p);
        }
        for r in ws.analysis.check(&ws.asserts, &ws.engines[0]) {
            assert!(r.counterexample.is_none(), "{dir}: {} fails", r.assertion.name);
        }
        check_reports(&ws);
    }
}

#[test]
fn diff_of_the_baseline_against_an_edited_copy() {
    let old = example_text("baseline");
    // Lift the legacy authentication block and stop requiring MFA of guests.
    let new = old
        .replace(
            "  client_apps exchange_active_sync, other\n  grant block",
            "  client_apps exchange_active_sync, other\n  grant mfa",
        )
        .replace("grant all(mfa, terms_of_use guest_terms)", "grant terms_of_use guest_terms");
    let ws = workspace(&[&old, &new]);
    let deltas = ws.analysis.diff([&ws.engines[0], &ws.engines[1]], 4);
    assert!(!deltas.is_empty());
    // Guests keep MFA from the all-users policy: `all(mfa, terms_of_use)` and `mfa` become
    // `terms_of_use` and `mfa`, equally strict.
    assert!(deltas.iter().any(|d| d.change == order::Change::Weakened));
    assert!(
        deltas.iter().all(|d| matches!(d.change, order::Change::Weakened | order::Change::Equivalent)),
        "{:?}",
        deltas.iter().map(|d| d.change).collect::<Vec<_>>()
    );
    check_reports(&ws);
    let same = workspace(&[&old, &old]);
    assert!(same.analysis.changed().is_false());
}

// --- assertion semantics ---------------------------------------------------------------------

fn holds(text: &str, assertion: &str) -> bool {
    let ws = workspace(&[&format!("{text}\nassert \"x\" {{ {assertion} }}\n")]);
    let results = ws.analysis.check(&ws.asserts, &ws.engines[0]);
    if let Some(c) = &results[0].counterexample {
        assert_eq!(c.replay.as_ref().unwrap().verdict.as_ref(), Some(&c.verdict));
    }
    results[0].counterexample.is_none()
}

const SEMANTICS: &str = r#"
group staff { id = "3ee3a9de-0a86-4e12-a287-9769accf1ba2" }
group break_glass { id = "7c3ac0b0-7e9a-4c6a-9a57-3f1b2f0a9d11" }
role global_admin = builtin("Global Administrator")
auth_strength phishing_resistant = builtin("Phishing-resistant MFA")
app azure_portal = builtin("Azure Portal")
location hq { trusted  ip 203.0.113.0/24 }
policy "admins" { state = enabled  users { include role global_admin  exclude group break_glass }  target apps admin_portals  grant auth_strength phishing_resistant }
policy "registration" { state = enabled  users { include all  exclude group break_glass }  target action register_security_info  locations { include any  exclude trusted }  grant block }
policy "legacy" { state = enabled  users { include all }  target apps all  client_apps other  grant block }
policy "staff" { state = enabled  users { include group staff }  target apps all  grant any(mfa, compliant_device) }
"#;

#[test]
fn assertion_semantics() {
    // A built-in strength forces MFA; break-glass admins have no requirement.
    assert!(holds(
        SEMANTICS,
        "always require mfa when role global_admin and not group break_glass and target apps admin_portals"
    ));
    assert!(!holds(SEMANTICS, "always require mfa when role global_admin and target apps admin_portals"));
    assert!(holds(
        SEMANTICS,
        "always require auth_strength phishing_resistant when role global_admin and not group break_glass and app azure_portal"
    ));
    // `from not trusted` includes sign-ins without an IP.
    assert!(holds(
        SEMANTICS,
        "never allow action register_security_info from not trusted for not group break_glass"
    ));
    assert!(!holds(SEMANTICS, "never allow action register_security_info from not location hq"));
    assert!(!holds(SEMANTICS, "never allow action register_security_info"));
    // Blocked sign-ins count as requiring every control.
    assert!(holds(SEMANTICS, "always require compliant_device via client_app other and target apps all"));
    // `any(mfa, compliant_device)` forces neither.
    assert!(!holds(SEMANTICS, "always require mfa for group staff and target apps all"));
    assert!(holds(SEMANTICS, "never allow for group staff and target apps all"));
    assert!(holds(SEMANTICS, "always block client_app other and target apps all"));
    assert!(!holds(SEMANTICS, "always block client_app other"));
    assert!(holds(SEMANTICS, "never block for not client_app other and not action register_security_info"));
    assert!(holds(
        SEMANTICS,
        "always allow for not group staff and not role global_admin and not client_app other and target apps all"
    ));
    assert!(!holds(SEMANTICS, "always allow for members and target apps all"));
    assert!(!holds(
        SEMANTICS,
        "always require mfa for guests and group staff and target apps all platform ios sign_in_risk high"
    ));
}

#[test]
fn unsupported_conditions_are_errors() {
    let text = format!(
        "{SEMANTICS}\nterms_of_use t = \"ce580154-086a-40fd-91df-8a60abac81a0\"\nassert \"x\" {{ never block for terms_of_use t }}\n"
    );
    let (files, program) = compile(&text);
    let (asserts, diags) = assertion::lower(&files, &program);
    assert!(asserts.is_empty());
    assert_eq!(diags.items.len(), 1);
    assert_eq!(diags.items[0].error.code_str(), "capol::verify::unsupported_condition");
}

#[test]
fn outcome_order() {
    let ws = workspace(&[&format!(
        "{SEMANTICS}\npolicy \"both\" {{ state = enabled  users {{ include all }}  target apps all  grant all(mfa, compliant_device) }}\npolicy \"m\" {{ state = enabled  users {{ include all }}  target apps all  grant mfa }}\n"
    )]);
    let u = &ws.analysis.universe;
    let r = |text: &str| u.requirements.iter().position(|x| x.text == text).unwrap();
    let (mfa, both, any, strength) = (
        r("mfa"),
        r("all(mfa, compliant_device)"),
        r("any(mfa, compliant_device)"),
        r("auth_strength phishing_resistant"),
    );
    let g = |v: &[usize]| Verdict::Grant(v.to_vec());
    use order::{Change, classify};
    assert_eq!(classify(u, &g(&[mfa]), &Verdict::Allow), Change::Weakened);
    assert_eq!(classify(u, &g(&[mfa]), &Verdict::Block), Change::Strengthened);
    assert_eq!(classify(u, &g(&[mfa]), &g(&[both])), Change::Strengthened);
    assert_eq!(classify(u, &g(&[mfa]), &g(&[any])), Change::Weakened);
    assert_eq!(classify(u, &g(&[mfa]), &g(&[strength])), Change::Strengthened);
    assert_eq!(classify(u, &g(&[both]), &g(&[mfa, both])), Change::Equivalent);
    let compliant_only = g(&[any]);
    assert_eq!(classify(u, &g(&[strength]), &compliant_only), Change::Weakened);
    assert_eq!(classify(u, &Verdict::Block, &Verdict::Allow), Change::Weakened);
}
