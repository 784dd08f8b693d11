//! Harnesses shared by the fuzz targets in `fuzz/` and their regression tests: each runs one
//! phase on arbitrary input. Diagnostics are the expected outcome of bad input; a panic is a bug,
//! either in the phase or in an invariant these harnesses check (`docs/testing.md`).

use std::sync::OnceLock;

use crate::eval::{self, Engine};
use crate::{Sources, fmt, import, ir, syntax};

/// Parse, check and compile one file of arbitrary bytes. When it compiles, the IR must survive
/// a JSON round trip unchanged and every span of every diagnostic must lie inside the file.
pub fn parse_check_compile(data: &[u8]) {
    let mut sources = Sources::new();
    let (_, load_error) = sources.add_bytes("fuzz.capol", data);
    if load_error.is_some() {
        return;
    }
    let (program, diags) = crate::compile_workspace(&sources);
    let len = sources.files.first().map_or(0, |f| f.text.len());
    for diag in &diags.items {
        let loc = diag.loc();
        assert!(loc.span.end as usize <= len, "span out of the file: {diag:?}");
    }
    if let Some(program) = program {
        let json = program.to_json();
        match serde_json::from_str::<ir::Program>(&json) {
            Ok(back) => assert_eq!(back, program, "IR JSON round trip"),
            Err(e) => panic!("compiled IR does not deserialise: {e}"),
        }
    }
}

/// Format a file that parses: the formatter's own safety net (same tree, same comments) must
/// never refuse, the printed tree must parse to the same declarations, and formatting must be
/// idempotent.
pub fn format_round_trip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (tree, diags) = syntax::parse(crate::span::FileId(0), text);
    if diags.has_errors() {
        return;
    }
    let formatted = match fmt::format(text) {
        Ok(formatted) => formatted,
        Err(fmt::FormatError::Unsafe(diags)) => {
            panic!("the formatter refused its own output: {diags:?}\n{text}")
        }
        Err(fmt::FormatError::Syntax(diags)) => panic!("text that parses was refused: {diags:?}"),
    };
    let (again, diags) = syntax::parse(crate::span::FileId(0), &formatted);
    assert!(!diags.has_errors(), "formatted text does not parse: {diags:?}\n{formatted}");
    assert!(fmt::same_decls(&tree.decls, &again.decls), "formatting changed the tree:\n{formatted}");
    match fmt::format(&formatted) {
        Ok(twice) => assert_eq!(twice, formatted, "formatting is not idempotent"),
        Err(e) => panic!("formatted text was refused: {:?}", e.diagnostics()),
    }
}

/// Import arbitrary bytes as Graph exports; whatever is imported must parse and check without a
/// panic. NUL bytes (never valid in JSON) split the input into files `fuzz/p0.json`,
/// `fuzz/p1.json`, ..., so a `manifest.json` of `capol compile --target graph` can name the
/// others.
pub fn import_export(data: &[u8]) {
    let output = import::import(&import_inputs(data));
    let mut sources = Sources::new();
    for file in &output.files {
        sources.add(file.path.clone(), file.text.clone());
    }
    let _ = crate::check_workspace(&sources);
}

/// The files `import_export` reads from its input: the parts between NUL bytes, named
/// `fuzz/p0.json`, `fuzz/p1.json`, ...
pub fn import_inputs(data: &[u8]) -> Vec<import::Input> {
    data.split(|&b| b == 0)
        .enumerate()
        .map(|(i, part)| import::Input { path: format!("fuzz/p{i}.json"), bytes: part.to_vec() })
        .collect()
}

/// Evaluate an arbitrary document (capol scenario, Graph What If request or sign-in record)
/// against a fixed generated workspace.
pub fn evaluate_document(data: &[u8]) {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut sources = Sources::new();
        sources.add("generated.capol", crate::generate::workspace(7, 30, 6, 40));
        crate::compile_workspace(&sources).0.map(|program| Engine::new(&program))
    });
    let (Some(engine), Ok(text)) = (engine, std::str::from_utf8(data)) else { return };
    let resolver = eval::scenario::Resolver::new(engine);
    let _ = eval::evaluate_document(&resolver, text, eval::Input::Auto);
}

/// Evaluate arbitrary batch lines through the fast path and through the general one, in every
/// output form and input kind: the bytes written, the errors and the summaries must be equal
/// (a differential test of `eval::batch::Batch::line`). Lines are split at newlines.
pub fn batch_lines(data: &[u8]) {
    use eval::batch::{Batch, LineOutput};
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut sources = Sources::new();
        sources.add("generated.capol", crate::generate::workspace(11, 40, 8, 30));
        crate::compile_workspace(&sources).0.map(|program| Engine::new(&program))
    });
    assert!(engine.is_some(), "the generated workspace compiles");
    let (Some(engine), Ok(text)) = (engine, std::str::from_utf8(data)) else { return };
    let resolver = eval::scenario::Resolver::new(engine);
    for input in [eval::Input::Auto, eval::Input::Scenario, eval::Input::SignIn] {
        for output in [LineOutput::Json, LineOutput::Human, LineOutput::None] {
            let batch = Batch::new(resolver, input, output);
            let (mut fast_scratch, mut general_scratch) = (batch.scratch(), batch.scratch());
            let (mut fast_summary, mut general_summary) = (batch.summary(), batch.summary());
            let (mut fast_out, mut general_out) = (Vec::new(), Vec::new());
            for (n, line) in text.lines().enumerate() {
                let n = n as u64 + 1;
                let fast = batch.line(n, line, &mut fast_scratch, &mut fast_summary, &mut fast_out);
                let general =
                    batch.general_line(n, line, &mut general_scratch, &mut general_summary, &mut general_out);
                assert_eq!(
                    fast.map_err(|e| e.to_json()),
                    general.map_err(|e| e.to_json()),
                    "line {n}: {line}"
                );
            }
            assert_eq!(String::from_utf8_lossy(&fast_out), String::from_utf8_lossy(&general_out));
            assert_eq!(fast_summary, general_summary);
        }
    }
}
