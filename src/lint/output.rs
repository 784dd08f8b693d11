//! Rendering lint findings: miette reports for people, JSON lines, SARIF 2.1.0 for code scanning,
//! GitHub workflow annotations, and the Markdown rule reference (`docs/lint-rules.md`).

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
use serde_json::{Value, json};

use super::{Level, LintWarning, RULES, Rule};
use crate::diagnostic::{self, Diag, Diagnostics};
use crate::source::Sources;
use crate::span::Loc;

/// One finding as miette's graphical report (no colour codes unless `color`).
pub fn render_human(finding: &LintWarning, sources: &Sources, color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let (path, text) = sources
        .get(finding.loc.file)
        .map_or(("<unknown>".to_owned(), String::new()), |f| (f.path.clone(), f.text.clone()));
    let report = miette::Report::new(finding.clone()).with_source_code(NamedSource::new(path, text));
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("{}: {}\n", finding.code(), finding.message);
    }
    out
}

fn span_json(sources: &Sources, loc: Loc) -> Value {
    let file = sources.get(loc.file);
    let (sl, sc) = file.map_or((1, 1), |f| f.line_col(loc.span.start));
    let (el, ec) = file.map_or((1, 1), |f| f.line_col(loc.span.end));
    json!({
        "offset": loc.span.start, "length": loc.span.len(),
        "start": {"line": sl, "column": sc},
        "end": {"line": el, "column": ec},
    })
}

/// A finding as one JSON object, shaped like a check diagnostic plus `rule`.
pub fn to_json(finding: &LintWarning, sources: &Sources) -> Value {
    let labels: Vec<Value> = std::iter::once((finding.loc, finding.label.clone().unwrap_or_default()))
        .chain(finding.related.iter().cloned())
        .map(|(loc, label)| json!({"message": label, "file": sources.path(loc.file), "span": span_json(sources, loc)}))
        .collect();
    json!({
        "code": finding.code(),
        "rule": finding.rule.id,
        "severity": finding.level.word(),
        "message": finding.message,
        "file": sources.path(finding.loc.file),
        "span": span_json(sources, finding.loc),
        "labels": labels,
        "help": finding.help,
    })
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
        Level::Off => "none",
    }
}

/// A path as a relative URI reference: `/` separators, anything outside the unreserved set
/// percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn sarif_location(sources: &Sources, loc: Loc) -> Value {
    let file = sources.get(loc.file);
    let (sl, sc) = file.map_or((1, 1), |f| f.line_col(loc.span.start));
    let (el, ec) = file.map_or((1, 1), |f| f.line_col(loc.span.end));
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(sources.path(loc.file))},
            "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
        }
    })
}

fn sarif_rule(rule: &Rule, level: Level) -> Value {
    let docs = rule.docs.text();
    json!({
        "id": rule.code(),
        "name": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.docs.section("What it does").unwrap_or_else(|| rule.summary.to_owned())},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": sarif_level(level), "enabled": level != Level::Off},
        "properties": {"reference": rule.reference, "tags": ["security", "conditional-access"]},
    })
}

/// One SARIF 2.1.0 log with one run: every rule's metadata (at its configured level), the
/// findings and the check warnings.
pub fn sarif<'a>(
    runs: impl IntoIterator<Item = (&'a Sources, &'a Diagnostics, &'a [LintWarning])>,
    level_of: impl Fn(&Rule) -> Level,
) -> Value {
    let rules: Vec<Value> = RULES.iter().map(|r| sarif_rule(r, level_of(r))).collect();
    let mut results = Vec::new();
    for (sources, diags, findings) in runs {
        for d in &diags.items {
            results.push(check_result(d, sources));
        }
        for f in findings {
            let index = RULES.iter().position(|r| r.id == f.rule.id);
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let mut result = json!({
                "ruleId": f.code(),
                "level": sarif_level(f.level),
                "message": {"text": text},
                "locations": [sarif_location(sources, f.loc)],
            });
            if let (Some(index), Some(obj)) = (index, result.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(index));
            }
            if !f.related.is_empty()
                && let Some(obj) = result.as_object_mut()
            {
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, (loc, label))| {
                        let mut l = sarif_location(sources, *loc);
                        if let Some(o) = l.as_object_mut() {
                            o.insert("id".into(), json!(i));
                            o.insert("message".into(), json!({"text": label}));
                        }
                        l
                    })
                    .collect();
                obj.insert("relatedLocations".into(), json!(related));
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "capol",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn check_result(d: &Diag, sources: &Sources) -> Value {
    let level = if d.error.is_warning() { "warning" } else { "error" };
    let mut text = d.error.to_string();
    if let Some(help) = miette::Diagnostic::help(&d.error) {
        text.push_str(&format!("\nhelp: {help}"));
    }
    json!({
        "ruleId": d.error.code_str(),
        "level": level,
        "message": {"text": text},
        "locations": [sarif_location(sources, d.loc())],
    })
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(kind: &str, sources: &Sources, loc: Loc, title: &str, message: &str) -> String {
    let file = sources.get(loc.file);
    let (sl, sc) = file.map_or((1, 1), |f| f.line_col(loc.span.start));
    let (el, ec) = file.map_or((1, 1), |f| f.line_col(loc.span.end));
    let mut props = format!(
        "file={},line={sl},endLine={el}",
        escape_property(&sources.path(loc.file).replace('\\', "/"))
    );
    // Columns are allowed only on single-line annotations.
    if sl == el {
        props.push_str(&format!(",col={sc},endColumn={ec}"));
    }
    format!("::{kind} {props},title={}::{}\n", escape_property(title), escape_data(message))
}

/// A finding as a GitHub Actions workflow command (`::error`, `::warning` or `::notice`).
pub fn github(finding: &LintWarning, sources: &Sources) -> String {
    let kind = match finding.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info | Level::Off => "notice",
    };
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    annotation(kind, sources, finding.loc, &finding.code(), &message)
}

/// A check diagnostic as a GitHub Actions workflow command.
pub fn github_check(diag: &Diag, sources: &Sources) -> String {
    let kind = if diag.error.is_warning() { "warning" } else { "error" };
    annotation(kind, sources, diag.loc(), &diag.error.code_str(), &diag.error.to_string())
}

/// A check diagnostic as JSON.
pub fn check_json(diag: &Diag, sources: &Sources) -> Value {
    diagnostic::to_json(diag, sources)
}

/// `docs/lint-rules.md`: a table of every rule, then each rule's docs.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "# capol lint rules\n\n<!-- Generated from the rule registry (`src/lint.rs`, `src/lint/*.rs`). Do not edit: run `CAPOL_UPDATE_DOCS=1 cargo test --test lint` to regenerate. -->\n\n",
    );
    out.push_str(
        "`capol lint PATH...` checks a workspace, then runs these rules. Levels: `error` fails the run, `warning` fails it under `--deny-warnings`, `info` is advisory. Set levels in `capol.toml` (`[lint.rules] <id> = \"error\" | \"warning\" | \"info\" | \"off\"`), and silence one finding with `// capol: allow(<id>) reason: ...` at the end of the flagged line or on the line above it. `Ref` is the rule's id in the reference list the pack was built from.\n\n",
    );
    out.push_str("| Rule | Ref | Level | Flags |\n|---|---|---|---|\n");
    for rule in RULES {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            rule.id,
            rule.id,
            rule.reference,
            rule.default_level.word(),
            rule.summary
        ));
    }
    for rule in RULES {
        out.push_str(&format!(
            "\n## {}\n\nCode `{}` · default level `{}` · reference {}\n\n{}\n\n",
            rule.id,
            rule.code(),
            rule.default_level.word(),
            rule.reference,
            rule.summary
        ));
        // Demote the docs' headings one level under the rule's.
        for line in rule.docs.text().lines() {
            if line.starts_with("## ") {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
