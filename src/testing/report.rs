//! Test results for people (one line per test, then the failures with the evaluation trace),
//! as JUnit XML for CI systems, and as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Status, TestResult, expect};
use crate::source::Sources;

/// The results of one workspace.
#[derive(Debug, Clone)]
pub struct Suite<'a> {
    /// The workspace's name (its root directory, or its file).
    pub label: String,
    /// Its files, for paths and line numbers.
    pub sources: &'a Sources,
    /// One result per test run.
    pub results: Vec<TestResult>,
}

/// Passed, failed and error counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tests whose expectations all hold.
    pub passed: usize,
    /// Tests with an expectation that does not hold.
    pub failed: usize,
    /// Tests whose sign-in could not be evaluated.
    pub errors: usize,
}

impl Counts {
    /// Every test counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.errors
    }

    /// Add another count.
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.errors += other.errors;
    }

    /// `test result: ok. 3 passed; 0 failed; 0 errors`.
    pub fn line(&self) -> String {
        let verdict = if self.failed + self.errors == 0 { "ok" } else { "FAILED" };
        format!(
            "test result: {verdict}. {} passed; {} failed; {} {}",
            self.passed,
            self.failed,
            self.errors,
            if self.errors == 1 { "error" } else { "errors" }
        )
    }
}

impl Suite<'_> {
    /// The counts of this suite.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.results {
            match r.status() {
                Status::Passed => c.passed += 1,
                Status::Failed => c.failed += 1,
                Status::Error => c.errors += 1,
            }
        }
        c
    }

    /// `path:line:column` of a test's name.
    fn location(&self, r: &TestResult) -> (String, usize, usize) {
        let (line, column) = self.sources.get(r.file).map_or((1, 1), |f| f.line_col(r.span.start));
        (self.sources.path(r.file).to_owned(), line, column)
    }

    /// One line per test, then every failure with expected and actual values and the
    /// evaluation trace, then the counts.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let n = self.results.len();
        let _ = writeln!(out, "running {n} test{} in {}", if n == 1 { "" } else { "s" }, self.label);
        for r in &self.results {
            let _ = writeln!(out, "{:<7} {}", r.status().word(), r.name);
        }
        let failing: Vec<&TestResult> =
            self.results.iter().filter(|r| r.status() != Status::Passed).collect();
        if !failing.is_empty() {
            let _ = writeln!(out, "\nfailures:");
            for r in failing {
                let (path, line, column) = self.location(r);
                let _ = writeln!(out, "\n---- {} ({path}:{line}:{column}) ----", r.name);
                out.push_str(&failure_text(r));
                if !r.trace.is_empty() {
                    let _ = writeln!(out, "  evaluation:");
                    for l in r.trace.lines() {
                        if l.is_empty() {
                            out.push('\n');
                        } else {
                            let _ = writeln!(out, "    {l}");
                        }
                    }
                }
            }
        }
        let _ = writeln!(out, "\n{}", self.counts().line());
        out
    }
}

/// The expectations a test misses (or why it could not run), without the trace.
fn failure_text(r: &TestResult) -> String {
    let mut out = String::new();
    if let Some(e) = &r.error {
        let _ = writeln!(out, "  error[{}]: {e}", e.code());
        if let Some(help) = &e.help {
            let _ = writeln!(out, "    help: {help}");
        }
    }
    for f in &r.failures {
        for l in f.expectation.lines() {
            let _ = writeln!(out, "  {l}");
        }
        let _ = writeln!(out, "    expected: {}", f.expected);
        let _ = writeln!(out, "    actual:   {}", f.actual);
    }
    out
}

/// Text escaped for XML attributes and content; characters XML 1.0 forbids are dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `testsuite` per workspace, one `testcase` per test, a `failure` for unmet
/// expectations and an `error` for a sign-in that could not be evaluated.
pub fn junit(suites: &[Suite<'_>]) -> String {
    let mut total = Counts::default();
    for s in suites {
        total.add(s.counts());
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"capol test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        total.total(),
        total.failed,
        total.errors
    );
    for s in suites {
        let c = s.counts();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            xml(&s.label),
            c.total(),
            c.failed,
            c.errors
        );
        for r in &s.results {
            let (path, line, _) = s.location(r);
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\"",
                xml(&r.name),
                xml(&path),
                xml(&path)
            );
            match r.status() {
                Status::Passed => out.push_str("/>\n"),
                Status::Failed => {
                    let message = match r.failures.as_slice() {
                        [one] => format!("expected {}, got {}", one.expected, one.actual),
                        many => format!("{} expectations not met", many.len()),
                    };
                    let body = format!("{}\nevaluation:\n{}", failure_text(r), r.trace);
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>\n",
                        xml(&message),
                        xml(&body)
                    );
                }
                Status::Error => {
                    let (code, message) = r
                        .error
                        .as_ref()
                        .map_or((String::new(), String::new()), |e| (e.code().to_owned(), e.to_string()));
                    let _ = write!(
                        out,
                        ">\n      <error message=\"{}\" type=\"{}\">{}</error>\n    </testcase>\n",
                        xml(&message),
                        xml(&code),
                        xml(&failure_text(r))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// One test as JSON.
fn test_json(s: &Suite<'_>, r: &TestResult) -> Value {
    let (path, line, column) = s.location(r);
    json!({
        "name": r.name,
        "file": path,
        "line": line,
        "column": column,
        "status": match r.status() { Status::Passed => "passed", Status::Failed => "failed", Status::Error => "error" },
        "failures": r.failures.iter().map(|f| json!({
            "expectation": f.expectation,
            "expected": f.expected,
            "actual": f.actual,
        })).collect::<Vec<_>>(),
        "error": r.error.as_ref().map(crate::eval::ScenarioError::to_json),
        "outcome": r.decision.as_ref().map(expect::outcome_text),
        "decision": r.decision.as_ref().map(crate::eval::Decision::to_json),
        "applied": r.applied,
    })
}

/// Every suite as one JSON document: its tests, and the coverage when measured.
pub fn json(suites: &[(Suite<'_>, Option<Value>)]) -> Value {
    let mut total = Counts::default();
    let list: Vec<Value> = suites
        .iter()
        .map(|(s, coverage)| {
            let c = s.counts();
            total.add(c);
            let mut v = json!({
                "workspace": s.label,
                "tests": s.results.iter().map(|r| test_json(s, r)).collect::<Vec<_>>(),
                "summary": {"passed": c.passed, "failed": c.failed, "errors": c.errors},
            });
            if let Some(cov) = coverage {
                v["coverage"] = cov.clone();
            }
            v
        })
        .collect();
    json!({
        "workspaces": list,
        "summary": {"passed": total.passed, "failed": total.failed, "errors": total.errors},
    })
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml("a < b & \"c\" > 'd'"), "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;");
        assert_eq!(xml("line\nnext\ttab\u{1}\u{FFFF}é"), "line\nnext\ttabé");
    }
}
