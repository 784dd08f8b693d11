//! Generated inputs too large or too strange to commit as fixtures: Graph's limits on policies,
//! locations and ranges, undecodable bytes, deep nesting and very large files. Each test checks
//! that the right code fires (and not one step earlier) and snapshots only the diagnostic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use capol::diagnostic::{Diag, Diagnostics, render_human};
use capol::{Sources, check_workspace};
use proptest::prelude::*;

/// Load one file from bytes and check it the way the CLI does.
fn check_bytes(path: &str, bytes: &[u8]) -> (Sources, Diagnostics) {
    let mut sources = Sources::new();
    let (_, load_diag) = sources.add_bytes(path, bytes);
    if let Some(diag) = load_diag {
        return (sources, Diagnostics { items: vec![diag] });
    }
    let (_, diags) = check_workspace(&sources);
    (sources, diags)
}

fn check_text(text: &str) -> (Sources, Diagnostics) {
    check_bytes("generated.capol", text.as_bytes())
}

fn codes(diags: &Diagnostics) -> Vec<String> {
    diags.items.iter().map(|d| d.error.code_str()).collect()
}

/// The diagnostics with `code`, rendered for a snapshot; fails when there is none.
fn rendered(sources: &Sources, diags: &Diagnostics, code: &str) -> String {
    let found: Vec<&Diag> = diags.items.iter().filter(|d| d.error.code_str() == code).collect();
    assert!(!found.is_empty(), "expected `{code}` among {:?}", codes(diags));
    found.iter().map(|d| render_human(d, sources, false, 80)).collect::<Vec<_>>().join("\n")
}

macro_rules! snapshot {
    ($name:literal, $value:expr) => {
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            omit_expression => true,
            snapshot_path => "snapshots",
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

/// A workspace of `count` valid policies.
fn policies(count: usize) -> String {
    let mut text = String::from("group break_glass { id = \"7c3ac0b0-7e9a-4c6a-9a57-3f1b2f0a9d11\" }\n");
    for i in 1..=count {
        writeln!(
            text,
            "policy \"CA{i:03}: Require MFA\" {{ state = report_only  users {{ include all  exclude group break_glass }}  target apps all  grant mfa }}"
        )
        .unwrap();
    }
    text
}

/// A workspace of `count` valid IP named locations.
fn locations(count: usize) -> String {
    let mut text = String::new();
    for i in 1..=count {
        writeln!(text, "location branch_{i:03} {{ ip 10.{}.{}.0/24 }}", i / 256, i % 256).unwrap();
    }
    text
}

/// One IP named location with `count` ranges.
fn ranges(count: usize) -> String {
    let mut text = String::from("location partner_networks {\n");
    for i in 0..count {
        writeln!(text, "  ip 10.{}.{}.0/24", i / 256, i % 256).unwrap();
    }
    text.push_str("}\n");
    text
}

#[test]
fn too_many_policies() {
    let (_, diags) = check_text(&policies(195));
    assert!(diags.is_empty(), "195 policies are allowed: {:?}", codes(&diags));
    let (sources, diags) = check_text(&policies(196));
    snapshot!("too_many_policies", rendered(&sources, &diags, "capol::check::too_many_policies"));
}

#[test]
fn too_many_policies_across_files() {
    let mut sources = Sources::new();
    let all = policies(196);
    let (first, second) = all.split_at(all.find("policy \"CA101").unwrap());
    sources.add("first.capol", first);
    sources.add("second.capol", second);
    let (_, diags) = check_workspace(&sources);
    assert!(codes(&diags).contains(&"capol::check::too_many_policies".to_owned()), "{:?}", codes(&diags));
}

#[test]
fn too_many_locations() {
    let (_, diags) = check_text(&locations(195));
    assert!(diags.is_empty(), "195 locations are allowed: {:?}", codes(&diags));
    let (sources, diags) = check_text(&locations(196));
    snapshot!("too_many_locations", rendered(&sources, &diags, "capol::check::too_many_locations"));
}

#[test]
fn too_many_ranges() {
    let (_, diags) = check_text(&ranges(2000));
    assert!(diags.is_empty(), "2000 ranges are allowed: {:?}", codes(&diags));
    let (sources, diags) = check_text(&ranges(2001));
    snapshot!("too_many_ranges", rendered(&sources, &diags, "capol::check::too_many_ranges"));
}

#[test]
fn ten_thousand_nested_braces() {
    // Ten braces a line, so the snapshot's source excerpt stays short.
    let text = format!("policy \"deep\" {}{}", "{{{{{{{{{{\n".repeat(1_000), "}".repeat(10_000));
    let (sources, diags) = check_text(&text);
    snapshot!("nesting_too_deep_braces", rendered(&sources, &diags, "capol::syntax::nesting_too_deep"));
}

#[test]
fn deep_nesting_of_every_bracket() {
    for (open, close) in [("[", "]"), ("(", ")")] {
        let text = format!("group g {{ id = {}\"x\"{} }}", open.repeat(10_000), close.repeat(10_000));
        let (_, diags) = check_text(&text);
        assert!(codes(&diags).contains(&"capol::syntax::nesting_too_deep".to_owned()), "{open}");
    }
    // Brackets inside strings and comments do not nest.
    let text = format!(
        "// {}\ngroup g {{ id = \"1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b\", display_name = \"{}\" }}\n",
        "{".repeat(10_000),
        "[".repeat(1_000)
    );
    let (_, diags) = check_text(&text);
    assert!(diags.is_empty(), "{:?}", codes(&diags));
}

#[test]
fn ten_megabyte_file() {
    let mut text = String::with_capacity(10_500_000);
    let mut i: u64 = 0;
    while text.len() < 10_000_000 {
        writeln!(
            text,
            "group g{i:06} {{ id = \"{:08x}-0000-4000-8000-{:012x}\", display_name = \"Group {i}\" }}",
            i, i
        )
        .unwrap();
        i += 1;
    }
    let (_, diags) = check_text(&text);
    assert!(diags.is_empty(), "{:?}", codes(&diags).first());
}

#[test]
fn file_over_sixteen_mebibytes() {
    let bytes = vec![b' '; 16 * 1024 * 1024 + 1];
    let (sources, diags) = check_bytes("huge.capol", &bytes);
    snapshot!("file_too_large", rendered(&sources, &diags, "capol::syntax::file_too_large"));
}

#[test]
fn invalid_utf8() {
    let mut bytes = b"group finance {\n  display_name = \"Finanz".to_vec();
    bytes.extend([0xFC, 0x72]); // Latin-1 `ü` followed by `r`
    bytes.extend(b" Buchhaltung\"\n}\n");
    let (sources, diags) = check_bytes("latin1.capol", &bytes);
    snapshot!("invalid_utf8", rendered(&sources, &diags, "capol::syntax::invalid_utf8"));
}

#[test]
fn utf16_byte_order_marks() {
    let text = "group finance { id = \"1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b\" }\n";
    let little: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let big: Vec<u8> =
        [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
    let (sources, diags) = check_bytes("exported.capol", &little);
    snapshot!("utf16", rendered(&sources, &diags, "capol::syntax::utf16"));
    let (_, diags) = check_bytes("exported.capol", &big);
    assert_eq!(codes(&diags), ["capol::syntax::utf16"]);
}

#[test]
fn utf8_byte_order_mark_is_accepted() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(b"group finance { id = \"1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b\" }\n");
    let (sources, diags) = check_bytes("bom.capol", &bytes);
    assert!(diags.is_empty(), "{:?}", codes(&diags));
    assert!(sources.files[0].text.starts_with("group"));
}

#[test]
fn crlf_line_endings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let ok = std::fs::read_to_string(root.join("check/ok/policy_conditions.capol")).unwrap();
    let (_, diags) = check_text(&ok.replace('\n', "\r\n"));
    assert!(diags.is_empty(), "{:?}", codes(&diags));
    // Lines and columns, and the excerpt, are those of the LF original.
    let err = std::fs::read_to_string(root.join("check/err/unknown_group.capol")).unwrap();
    let (sources, diags) = check_bytes("windows.capol", err.replace('\n', "\r\n").as_bytes());
    snapshot!("crlf_unknown_group", rendered(&sources, &diags, "capol::check::unknown_group"));
}

#[test]
fn string_too_long() {
    let text = format!(
        "group finance {{ id = \"1f2e3d4c-5b6a-4798-8a1b-2c3d4e5f6a7b\", display_name = \"{}\" }}\n",
        "x".repeat(8193)
    );
    let (_, diags) = check_text(&text);
    assert_eq!(codes(&diags), ["capol::syntax::limit_exceeded"]);
}

/// Token soup: fragments of the language in random order, so the parser and checker see many
/// almost-valid inputs. Whatever comes in, the pipeline answers with diagnostics, never a panic,
/// and every span lies inside the text.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "policy",
        "\"p\"",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=",
        "state",
        "enabled",
        "users",
        "include",
        "exclude",
        "all",
        "none",
        "guests",
        "group",
        "g",
        "target",
        "apps",
        "action",
        "grant",
        "block",
        "any",
        "mfa",
        "session",
        "sign_in_frequency",
        "4h",
        "every_time",
        "location",
        "ip",
        "10.0.0.0/8",
        "203.0.113.7/24",
        "countries",
        "FR",
        "XX",
        "test",
        "sign_in",
        "expect",
        "assert",
        "never",
        "for",
        "builtin",
        "\"Global Administrator\"",
        "role",
        "\"\\q\"",
        "\n",
        " ",
        "//",
        "tenant",
        "edition",
        "free",
        "methods",
        "mfa",
        "voice_call",
        "preview",
        "combined_registration",
        "enabled_for",
        "\u{e9}",
        "\"",
        "\\",
        "device_filter",
        "\"device.x -eq 1\"",
        "locations",
        "trusted",
        "platforms",
        "ios",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_token_soup(tokens in prop::collection::vec(token(), 0..80)) {
        let text = tokens.join(" ");
        let (sources, diags) = check_text(&text);
        for diag in &diags.items {
            let span = diag.loc().span;
            prop_assert!(span.end as usize <= text.len());
            prop_assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
            let _ = render_human(diag, &sources, false, 80);
        }
    }

    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (sources, diags) = check_bytes("bytes.capol", &bytes);
        for diag in &diags.items {
            let _ = render_human(diag, &sources, false, 80);
        }
    }
}
