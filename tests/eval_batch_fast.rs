//! The fast batch path (`Batch::line`) against the general one (`Batch::general_line`, which is
//! `evaluate_line` with `LineResult::to_json`/`human` and `Summary::add`): the same output bytes,
//! the same errors and the same summary, line by line, on generated workspaces and generated
//! scenario lines — valid ones, odd spacing, escapes, unknown and duplicate fields, IPv6,
//! missing fields, malformed JSON, other input kinds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use capol::eval::batch::{Batch, LineOutput, Scratch, Summary};
use capol::eval::{Engine, Input, Resolver};
use capol::generate::{Rng, USERS, workspace};
use proptest::prelude::*;

fn engine(seed: u64, policies: usize, locations: usize, ranges: usize) -> Engine {
    let mut sources = capol::Sources::new();
    sources.add("gen.capol", workspace(seed, policies, locations, ranges));
    let (program, diags) = capol::compile_workspace(&sources);
    assert!(!diags.has_errors());
    Engine::new(&program.unwrap())
}

fn user_ids(engine: &Engine) -> Vec<String> {
    engine.program().users.iter().filter_map(|u| u.id.clone()).collect()
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

/// A good word, or now and then a bad one.
fn word<'a>(rng: &mut Rng, good: &[&'a str], bad: &[&'a str]) -> &'a str {
    if rng.chance(1) { pick(rng, bad) } else { pick(rng, good) }
}

/// A JSON string literal, sometimes written with escapes the fast path leaves to the general one.
fn lit(style: usize, s: &str) -> String {
    match style {
        0 if !s.is_empty() => {
            let c = s.chars().next().unwrap();
            format!("\"\\u{:04x}{}\"", c as u32, &s[c.len_utf8()..])
        }
        1 if s.is_ascii() && !s.is_empty() && !s.contains(['"', '\\']) => {
            let (head, last) = s.split_at(s.len() - 1);
            format!("\"{head}\\u{:04X}\"", last.as_bytes()[0])
        }
        _ => serde_json::to_string(s).unwrap(),
    }
}

/// Whitespace the JSON grammar allows between tokens.
fn ws(rng: &mut Rng) -> &'static str {
    ["", "", "", " ", "  ", "\t", " \t "][rng.below(7)]
}

fn ip(rng: &mut Rng, locations: usize, ranges: usize) -> String {
    let block = 1 + rng.below(locations * ranges + 5);
    match rng.below(12) {
        0..=6 => {
            let a = (11u64 << 24) + ((block as u64) << 8) + rng.below(256) as u64;
            format!("{}.{}.{}.{}", a >> 24 & 255, a >> 16 & 255, a >> 8 & 255, a & 255)
        }
        7 | 8 => format!("2001:db8:{:x}:{:x}::{:x}", block & 0xffff, rng.below(65536), rng.below(65536)),
        9 => format!(" 11.0.{}.{} ", rng.below(256), rng.below(256)),
        10 => format!("::ffff:11.0.{}.{}", rng.below(256), rng.below(256)),
        _ => word(rng, &["2001:db8::1", "::1", "0.0.0.0"], &["300.1.1.1", "11.0.0.0/24", "", "fe80::1%eth0"])
            .to_owned(),
    }
}

fn device(rng: &mut Rng) -> String {
    let good: &[&str] = &[
        r#""trustType":"AzureAD""#,
        r#""trust_type":"ServerAD""#,
        r#""isCompliant":true"#,
        r#""is_compliant":false"#,
        r#""isCompliant":"TRUE""#,
        r#""registered":false"#,
        r#""ownership":"Company""#,
        r#""deviceOwnership":"Personal""#,
        r#""device.operatingSystem":"Windows""#,
        r#""operating_system":null"#,
        r#""bogus":null"#,
        r#""extension_attribute1":"a\"b""#,
        r#""extensionAttribute2":"tier0""#,
        r#""physical_ids":["[OrderId]:x"]"#,
        r##""@odata.type":"#microsoft.graph.device""##,
        r#""trustType":"Workplace""#,
        r#""TRUSTTYPE":"AzureAD""#,
        r#""model":"Surface Laptop 5""#,
        r#""model":"Surface Laptop 5""#,
    ];
    let bad: &[&str] = &[
        r#""isCompliant":"maybe""#,
        r#""registered":"yes""#,
        r#""registered":null"#,
        r#""bogus":"x""#,
        r#""systemLabels":"x""#,
        r#""trustType":1"#,
    ];
    if rng.below(40) == 0 {
        return "\"not an object\"".to_owned();
    }
    let n = rng.below(5);
    let parts: Vec<&str> = (0..n).map(|_| word(rng, good, bad)).collect();
    format!("{{{}}}", parts.join(","))
}

/// A Graph `signIn` record, mostly valid, sometimes not.
fn record(rng: &mut Rng, users: &[String], locations: usize, ranges: usize) -> String {
    let mut fields: Vec<String> = Vec::new();
    let mut add = |k: &str, v: String| fields.push(format!("\"{k}\":{v}"));
    if rng.chance(70) {
        add(
            "id",
            lit(rng.below(100), word(rng, &["rec-1", "66ea54eb-6301-4ee5-be62-ff5a759b0100"], &["", "  "])),
        );
    }
    if rng.chance(50) {
        add("createdDateTime", lit(rng.below(100), "2024-05-01T08:00:00Z"));
    }
    match rng.below(20) {
        0 => add(
            "userPrincipalName",
            lit(rng.below(100), &format!("user{}@contoso.example", rng.below(USERS))),
        ),
        1 => add("servicePrincipalId", lit(rng.below(100), &rng.guid())),
        2 if rng.chance(30) => add("userId", lit(rng.below(100), &rng.guid())),
        3 => add("userId", "null".to_owned()),
        _ => {
            let id = users[rng.below(users.len())].clone();
            let id = if rng.chance(10) { id.to_uppercase() } else { id };
            add("userId", lit(rng.below(100), &id));
        }
    }
    if rng.chance(3) {
        add("userType", lit(rng.below(100), pick(rng, &["member", "guest"])));
    }
    let app = word(
        rng,
        &[
            "00000002-0000-0ff1-ce00-000000000000",
            "00000003-0000-0ff1-ce00-000000000000",
            "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        ],
        &["", "exchange"],
    );
    match rng.below(10) {
        0 => {}
        1 => add("appId", lit(rng.below(100), app)),
        2 => {
            add("resourceId", lit(rng.below(100), " "));
            add("appId", lit(rng.below(100), app));
        }
        _ => {
            add("appId", lit(rng.below(100), "04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
            add("resourceId", lit(rng.below(100), app));
        }
    }
    if rng.chance(90) {
        let ip = ip(rng, locations, ranges);
        add("ipAddress", lit(rng.below(100), &ip));
    }
    match rng.below(6) {
        0 => {}
        1 => add("location", word(rng, &["null", "{}"], &["\"FR\""]).to_owned()),
        _ => {
            let c = word(rng, &["FR", "DE", "KP", "US", " gb "], &["ZZ", ""]);
            add(
                "location",
                format!(
                    "{{\"city\":\"Paris\",\"countryOrRegion\":{},\"geoCoordinates\":{{\"latitude\":48.8}}}}",
                    lit(rng.below(100), c)
                ),
            );
        }
    }
    if rng.chance(85) {
        let c = pick(
            rng,
            &["Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync", "IMAP4", " browser ", ""],
        );
        add("clientAppUsed", lit(rng.below(100), c));
    }
    if rng.chance(70) {
        let mut d = Vec::new();
        if rng.chance(70) {
            d.push(format!("\"deviceId\":{}", lit(rng.below(100), &rng.guid())));
        }
        if rng.chance(50) {
            d.push(format!(
                "\"displayName\":{}",
                lit(rng.below(100), pick(rng, &["PC-1", "Laptop \"A\"", "iPhone"]))
            ));
        }
        if rng.chance(80) {
            let os = pick(
                rng,
                &["Windows 10", "Windows Phone 8", "iOS 17.2", "MacOs", "Android", "Ubuntu", "ChromeOS"],
            );
            d.push(format!("\"operatingSystem\":{}", lit(rng.below(100), os)));
        }
        if rng.chance(60) {
            let t = pick(
                rng,
                &[
                    "Azure AD joined",
                    "Hybrid Azure AD joined",
                    "Azure AD registered",
                    "Workplace Joined",
                    "Domain Joined",
                    "Other",
                    "",
                ],
            );
            d.push(format!("\"trustType\":{}", lit(rng.below(100), t)));
        }
        if rng.chance(60) {
            d.push(format!("\"isCompliant\":{}", word(rng, &["true", "false", "null"], &["\"yes\""])));
        }
        d.push("\"browser\":\"Edge 120.0\",\"isManaged\":true".to_owned());
        add("deviceDetail", format!("{{{}}}", d.join(",")));
    }
    if rng.chance(40) {
        let r = word(rng, &["none", "low", "medium", "high", "hidden", "unknownFutureValue"], &["severe"]);
        add("riskLevelDuringSignIn", lit(rng.below(100), r));
    }
    if rng.chance(20) {
        add("authenticationProtocol", lit(rng.below(100), pick(rng, &["deviceCode", "none", "ropc"])));
    }
    if rng.chance(10) {
        add(
            "originalTransferMethod",
            lit(rng.below(100), pick(rng, &["deviceCodeFlow", "authenticationTransfer", "none"])),
        );
    }
    if rng.chance(40) {
        add(
            "status",
            r#"{"errorCode":0,"failureReason":"Other \"x\".","additionalDetails":null}"#.to_owned(),
        );
    }
    if rng.chance(40) {
        add(
            "appliedConditionalAccessPolicies",
            r#"[{"id":"x","displayName":"y","result":"notApplied","enforcedGrantControls":[]}]"#.to_owned(),
        );
    }
    if rng.chance(2) {
        add("signInIdentity", "null".to_owned());
    }
    for i in (1..fields.len()).rev() {
        fields.swap(i, rng.below(i + 1));
    }
    format!("{{{}}}", fields.join(&format!(",{}", ws(rng))))
}

/// One scenario line, mostly valid, sometimes not; a quarter of them Graph `signIn` records.
fn line(rng: &mut Rng, users: &[String], locations: usize, ranges: usize) -> String {
    if rng.chance(25) {
        return record(rng, users, locations, ranges);
    }
    match rng.below(60) {
        0 => {
            return pick(
                rng,
                &["{}", "[1]", "42", "\"x\"", "null", "{", "{\"user\":", "{\"user\":\"usr_1\"}}"],
            )
            .to_owned();
        }
        1 => {
            return format!(
                r#"{{"userId":"{}","appId":"00000002-0000-0ff1-ce00-000000000000","ipAddress":"11.0.3.4","clientAppUsed":"Browser"}}"#,
                rng.guid()
            );
        }
        2 => {
            return r##"{"signInIdentity":{"@odata.type":"#microsoft.graph.userSignIn","userId":"bad"},"signInContext":{"@odata.type":"#microsoft.graph.applicationContext","includeApplications":["00000002-0000-0ff1-ce00-000000000000"]}}"##.to_owned();
        }
        _ => {}
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: String| fields.push((k.to_owned(), v));
    if rng.chance(30) {
        let name = pick(rng, &["n1", "café", "a \"quoted\" name", "tab\there", "x"]).to_owned();
        add("name", if rng.chance(5) { "7".to_owned() } else { lit(rng.below(100), &name) });
    }
    match rng.below(20) {
        0 if rng.chance(30) => add("user", lit(rng.below(100), "nobody")),
        1 => add("user", lit(rng.below(100), &format!("USER{}@CONTOSO.EXAMPLE", rng.below(USERS)))),
        2 => add("user", lit(rng.below(100), &format!("user{}@contoso.example", rng.below(USERS)))),
        3 => add("user", lit(rng.below(100), "bg_admin")),
        4 if rng.chance(30) => add("user", lit(rng.below(100), &rng.guid())),
        5 => {}
        6 => add("service_principal", lit(rng.below(100), &rng.guid())),
        // Repeated keys: the last one counts.
        8 => {
            add("user", lit(rng.below(100), "usr_1"));
            add("user", lit(rng.below(100), &format!("usr_{}", rng.below(USERS))));
        }
        7 => add("user", "null".to_owned()),
        _ => add("user", lit(rng.below(100), &format!("usr_{}", rng.below(USERS)))),
    }
    if rng.chance(1) {
        add("service_principal", lit(rng.below(100), "some_app"));
    }
    let targets = match rng.below(60) {
        0 => 0,
        1 => 2,
        _ => 1,
    };
    for _ in 0..targets {
        match rng.below(20) {
            0 => add(
                "action",
                lit(rng.below(100), word(rng, &["register_security_info", "register_device"], &["sign_in"])),
            ),
            1 => add("auth_context", lit(rng.below(100), word(rng, &["sensitive", "c1", "c7"], &["c100"]))),
            _ => {
                let app = pick(
                    rng,
                    &[
                        "exchange",
                        "sharepoint",
                        "teams",
                        "azure_portal",
                        "azure_management",
                        "office365",
                        "admin_portals",
                        "power_bi",
                        "intune",
                        "graph_explorer",
                        "Microsoft Teams",
                        "00000002-0000-0ff1-ce00-000000000000",
                        "00000003-0000-0FF1-CE00-000000000000",
                        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
                    ],
                );
                let app = if rng.chance(2) { "no_such_app" } else { app };
                add("app", lit(rng.below(100), app));
            }
        }
    }
    if rng.chance(90) {
        let ip = ip(rng, locations, ranges);
        add("ip", lit(rng.below(100), &ip));
    }
    if rng.chance(60) {
        let c = word(rng, &["FR", "fr", " us ", "KP", "RU", "DE", "GB"], &["ZZ", "FRA"]);
        add("country", lit(rng.below(100), c));
    }
    if rng.chance(15) {
        add("gps_country", lit(rng.below(100), word(rng, &["FR", "GB", "KP"], &["xx"])));
    }
    if rng.chance(80) {
        let p = word(rng, &["ios", "android", "windows", "macos", "linux", "windows_phone"], &["Windows"]);
        add("platform", lit(rng.below(100), p));
    }
    if rng.chance(80) {
        let c = word(
            rng,
            &["browser", "mobile_desktop", "exchange_active_sync", "eas_supported", "other"],
            &["legacy"],
        );
        add("client_app", lit(rng.below(100), c));
    }
    for key in ["sign_in_risk", "user_risk", "service_principal_risk"] {
        if rng.chance(40) {
            add(
                key,
                lit(rng.below(100), word(rng, &["none", "low", "medium", "high", "hidden"], &["severe"])),
            );
        }
    }
    if rng.chance(30) {
        add(
            "insider_risk",
            lit(rng.below(100), word(rng, &["none", "minor", "moderate", "elevated"], &["major"])),
        );
    }
    if rng.chance(30) {
        add(
            "auth_flow",
            lit(rng.below(100), word(rng, &["none", "device_code", "auth_transfer"], &["other"])),
        );
    }
    if rng.chance(50) {
        add("device", device(rng));
    }
    if rng.chance(10) {
        add("used_combined_registration", word(rng, &["true", "false", "null"], &["\"yes\""]).to_owned());
    }
    // Fields the fast path leaves to the general one.
    match rng.below(40) {
        0 => add("groups", lit(rng.below(100), &format!("grp_{}", rng.below(40)))),
        1 => add("roles", r#"["global_admin"]"#.to_owned()),
        2 => add("user_type", lit(rng.below(100), "b2b_collaboration_guest")),
        3 => add("external_tenant", lit(rng.below(100), &rng.guid())),
        4 => add("bogus", "1".to_owned()),
        5 => add("@odata.context", lit(rng.below(100), "x")),
        6 => add("platform", lit(rng.below(100), "linux")),
        7 => add("ip", "5".to_owned()),
        _ => {}
    }
    // Shuffle the fields.
    for i in (1..fields.len()).rev() {
        fields.swap(i, rng.below(i + 1));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let key = if rng.below(40) == 0 {
                format!("\"\\u{:04x}{}\"", k.as_bytes()[0], &k[1..])
            } else {
                format!("\"{k}\"")
            };
            format!("{}{key}{}:{}{v}{}", ws(rng), ws(rng), ws(rng), ws(rng))
        })
        .collect();
    let mut text = format!("{}{{{}}}{}", ws(rng), body.join(","), ws(rng));
    match rng.below(50) {
        0 => text.truncate(rng.below(text.len() + 1)),
        1 => text.push_str(" x"),
        2 => text.push('\n'),
        3 => text.push_str("\r\n"),
        _ => {}
    }
    while !text.is_char_boundary(text.len()) {
        text.pop();
    }
    text
}

/// Both paths over the same lines: identical bytes, errors and summaries.
/// Returns the number of lines with errors and of lines the fast path evaluated.
fn same(batch: &Batch<'_>, lines: &[String]) -> (usize, usize) {
    let (mut fast_scratch, mut general_scratch) = (Scratch::default(), Scratch::default());
    let (mut fast_summary, mut general_summary): (Summary, Summary) = (batch.summary(), batch.summary());
    let (mut fast_out, mut general_out) = (Vec::new(), Vec::new());
    let mut errors = 0;
    let mut fast_lines = 0;
    let mut probe = Scratch::default();
    for (n, text) in lines.iter().enumerate() {
        fast_lines += usize::from(batch.is_fast(text, &mut probe));
        let n = n as u64 + 1;
        let (fast_len, general_len) = (fast_out.len(), general_out.len());
        let fast = batch.line(n, text, &mut fast_scratch, &mut fast_summary, &mut fast_out);
        let general =
            batch.general_line(n, text, &mut general_scratch, &mut general_summary, &mut general_out);
        assert_eq!(fast, general, "line {n}: {text}");
        assert_eq!(
            String::from_utf8_lossy(&fast_out[fast_len..]),
            String::from_utf8_lossy(&general_out[general_len..]),
            "line {n}: {text}"
        );
        errors += usize::from(fast.is_err());
    }
    assert_eq!(fast_summary, general_summary);
    assert_eq!(fast_out, general_out);
    (errors, fast_lines)
}

#[test]
fn fast_path_output_and_summary_equal_the_general_path() {
    for (seed, policies, locations, ranges) in [(42, 195, 12, 8), (7, 60, 40, 4)] {
        let engine = engine(seed, policies, locations, ranges);
        let resolver = Resolver::new(&engine);
        let ids = user_ids(&engine);
        let mut rng = Rng::new(seed);
        let lines: Vec<String> = (0..1500).map(|_| line(&mut rng, &ids, locations, ranges)).collect();
        for output in [LineOutput::Json, LineOutput::Human, LineOutput::None] {
            for input in [Input::Auto, Input::Scenario, Input::SignIn, Input::Graph] {
                let batch = Batch::new(resolver, input, output);
                let (errors, fast) = same(&batch, &lines);
                // The sweep must exercise errors, the fast path and the general path.
                let range = match input {
                    Input::Auto => 450..1200,
                    Input::Scenario => 300..1000,
                    Input::SignIn => 150..450,
                    Input::Graph => 0..1,
                };
                assert!(range.contains(&fast), "{input:?}: {fast} fast lines, {errors} errors");
                if input != Input::Graph {
                    assert!(
                        errors > 100 && fast + errors < lines.len(),
                        "{input:?}: {fast} fast lines, {errors} errors"
                    );
                }
            }
        }
    }
}

#[test]
fn fast_path_with_a_directory_and_unknown_users_as_members() {
    let engine = engine(3, 80, 10, 5);
    let program = engine.program();
    let users: Vec<serde_json::Value> = program
        .users
        .iter()
        .take(20)
        .filter_map(|u| u.id.as_ref())
        .map(|id| serde_json::json!({"id": id, "memberOf": [{"id": program.groups[0].id}]}))
        .collect();
    let directory = capol::eval::Directory::from_json(&serde_json::json!({"users": users}).to_string())
        .unwrap()
        .bind(&engine);
    let resolver = Resolver {
        engine: &engine,
        directory: Some(&directory),
        unknown_users: capol::eval::UnknownUsers::Member,
    };
    let ids = user_ids(&engine);
    let mut rng = Rng::new(11);
    let lines: Vec<String> = (0..600).map(|_| line(&mut rng, &ids, 10, 5)).collect();
    let batch = Batch::new(resolver, Input::Auto, LineOutput::Json);
    assert!(same(&batch, &lines).1 > 200);
}

#[test]
fn escapes_and_unusual_shapes_take_the_general_path() {
    let engine = engine(42, 20, 4, 4);
    let batch = Batch::new(Resolver::new(&engine), Input::Auto, LineOutput::Json);
    let mut scratch = Scratch::default();
    let fast = r#"{"user":"usr_1","app":"exchange","ip":"2001:db8:1::1","device":{"trust_type":"AzureAD","isCompliant":"true"}}"#;
    assert!(batch.is_fast(fast, &mut scratch));
    let spaced =
        " { \"user\" :\t\"usr_1\" , \"app\": \"exchange\",\"ip\":\" 11.0.3.4 \", \"device\" : { } } \r\n";
    assert!(batch.is_fast(spaced, &mut scratch));
    let record = r#"{"id":"r1","userId":"usr_1","appId":"exchange","status":{"failureReason":"a \"b\""},"deviceDetail":{"deviceId":"d","trustType":"Azure AD joined","browser":"x"}}"#;
    assert!(batch.is_fast(record, &mut scratch));
    for general in [
        r#"{"user":"usr\u005f1","app":"exchange"}"#,
        r#"{"user":"usr_1","app":"exchange","groups":["grp_1"]}"#,
        r#"{"user":"usr_1","user":"usr_2","app":"exchange"}"#,
        r#"{"user":"usr_1","app":"exchange","device":{"physical_ids":["x"]}}"#,
        r#"{"user":"usr_1","app":"exchange","@odata.type":"x"}"#,
        r#"{"user":"usr_1"}"#,
        r#"{"user":"nobody","app":"exchange"}"#,
        r#"{"userId":"usr_1","appId":"exchange","userType":"guest"}"#,
        r#"{"userId":"usr_1","appId":"exchange","signInIdentity":null}"#,
        r#"{"userId":"usr_1","appId":"exchange","ipAddress":"11.0.0.1","location":"FR"}"#,
        r#"{"userId":"usr_1","appId":"exchange","deviceDetail":{"deviceId":"a\u0062"}}"#,
    ] {
        assert!(!batch.is_fast(general, &mut scratch), "{general}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary edits of valid lines (most of them break the JSON or a word).
    #[test]
    fn edited_lines_agree(seed in 0u64..1000, edits in proptest::collection::vec((0usize..400, "[ -~]{0,3}"), 1..4)) {
        thread_local! {
            static ENGINE: Engine = engine(42, 40, 6, 4);
        }
        ENGINE.with(|engine| {
            let mut rng = Rng::new(seed);
            let mut text = line(&mut rng, &user_ids(engine), 6, 4);
            for (at, insert) in &edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let end = (at + insert.len().min(1)).min(text.len());
                let end = if text.is_char_boundary(end) { end } else { at };
                text.replace_range(at..end, insert);
            }
            let batch = Batch::new(Resolver::new(engine), Input::Auto, LineOutput::Json);
            same(&batch, &[text]);
        });
    }
}

#[test]
fn devices_reused_across_lines_stay_right() {
    let engine = engine(42, 195, 6, 4);
    let ids = user_ids(&engine);
    let a = r#"{"user":"usr_1","app":"exchange","device":{"trustType":"Workplace","isCompliant":true}}"#;
    let b = r#"{"user":"usr_1","app":"exchange","device":{"trustType":"Workplace","isCompliant":false}}"#;
    let c =
        r#"{"user":"usr_1","app":"exchange","device":{"trust_type":"AzureAD","operatingSystem":"Windows"}}"#;
    let bad = r#"{"user":"usr_1","app":"exchange","device":{"trustType":"AzureAD","bogus":"x"}}"#;
    let none = r#"{"user":"usr_1","app":"exchange"}"#;
    let unregistered = r#"{"user":"usr_1","app":"exchange","device":{"registered":false}}"#;
    let record = format!(
        r#"{{"userId":"{}","appId":"00000002-0000-0ff1-ce00-000000000000","deviceDetail":{{"deviceId":"x","isCompliant":true,"trustType":"Azure AD joined"}}}}"#,
        ids[0]
    );
    let record2 = record.replace("\"x\"", "\"y\"");
    let order = [a, a, b, a, bad, a, c, none, a, unregistered, a, &record, &record2, a, &record, c, b, b];
    let lines: Vec<String> = order.iter().map(|l| (*l).to_owned()).collect();
    for output in [LineOutput::Json, LineOutput::Human] {
        let batch = Batch::new(Resolver::new(&engine), Input::Auto, output);
        let (errors, fast) = same(&batch, &lines);
        assert_eq!((errors, fast), (1, lines.len() - 1));
    }
    // The device decides: "Unmanaged devices get limited sessions" filters on compliance.
    let batch = Batch::new(Resolver::new(&engine), Input::Auto, LineOutput::Json);
    let (mut scratch, mut summary, mut out) = (Scratch::default(), batch.summary(), Vec::new());
    let mut differ = 0;
    for user in 0..USERS {
        let pair = [a, b].map(|l| l.replace("usr_1", &format!("usr_{user}")));
        let outputs = pair.map(|l| {
            out.clear();
            batch.line(1, &l, &mut scratch, &mut summary, &mut out).unwrap();
            out.clone()
        });
        differ += usize::from(outputs[0] != outputs[1]);
    }
    assert!(differ > 0, "compliant and non-compliant devices decide alike");
}
