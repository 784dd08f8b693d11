//! Property test: generated workspaces of every shape compile to IR that validates against the
//! shipped `docs/ir.schema.json`.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use proptest::prelude::*;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ir.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_workspaces_compile_to_valid_ir(
        seed in any::<u64>(),
        policies in 1usize..40,
        locations in 1usize..8,
        ranges in 1usize..30,
    ) {
        let mut sources = capol::Sources::new();
        sources.add("generated.capol", capol::generate::workspace(seed, policies, locations, ranges));
        let (program, diags) = capol::compile_workspace(&sources);
        prop_assert!(!diags.has_errors(), "{:?}", diags);
        let json: serde_json::Value = serde_json::from_str(&program.unwrap().to_json()).unwrap();
        let validator = validator();
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }
}
