//! Import: Microsoft Graph exports of Conditional Access policies, named locations, groups, users
//! and authentication strengths (single objects or `{"value": [...]}` list responses, and
//! IntuneManagement's `MigrationTable.json`) to readable `.capol` files: one per policy and an
//! inventory of everything they reference.
//!
//! INVARIANT: `import` does no I/O and never panics on input. Nothing is dropped silently: a
//! property with a value capol does not model becomes a warning naming the file and JSON path,
//! and a policy that cannot be expressed once those are left out is reported and not written.
//! Read-only properties and OData annotations are dropped; the policy `id` is kept.

mod inventory;
pub mod names;
mod policy;
pub mod read;

use std::collections::{BTreeMap, BTreeSet};

use miette::SourceSpan;
use serde_json::Value;

use crate::diagnostic::{Diagnostics, Error};
use crate::fmt;
use crate::source::Sources;
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, ObjectKind};
use inventory::{Inventory, Kind};
use policy::{Converted, PolicyReader};
pub use read::JsonPath;
use read::{classify, strip_annotations};

/// The inventory file's name.
pub const INVENTORY_FILE: &str = "inventory.capol";
/// The directory policies are written to.
pub const POLICY_DIR: &str = "policies";

/// One input file.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given, used in diagnostics and headers.
    pub path: String,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

/// A `.capol` file the import writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    /// The text.
    pub text: String,
}

/// What happened to one policy of the inputs.
#[derive(Debug, Clone)]
pub struct PolicyRecord {
    /// The input file (an index into `ImportOutput::sources`).
    pub file: FileId,
    /// Where the policy is in the file (the root, or `value[i]` of a list response).
    pub path: JsonPath,
    /// The display name in the export.
    pub display_name: String,
    /// The display name in the workspace (different only when two policies shared one).
    pub imported_as: String,
    /// The `.capol` file written for it, or `None` when it was not imported.
    pub output: Option<String>,
    /// Why it was not imported.
    pub skipped: Option<String>,
    /// Every JSON path a warning was given for, relative to the document.
    pub warned: Vec<JsonPath>,
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Policies written.
    pub policies: usize,
    /// Policies not imported.
    pub skipped: usize,
    /// Named locations declared.
    pub locations: usize,
    /// Groups, users, roles, apps and other objects declared.
    pub objects: usize,
    /// Warnings of every kind.
    pub warnings: usize,
    /// Properties left out because capol does not model them.
    pub unmodelled: usize,
    /// Template placeholders met.
    pub placeholders: usize,
}

/// Everything an import produces.
#[derive(Debug, Clone)]
pub struct ImportOutput {
    /// The files to write: the inventory first, then one per policy.
    pub files: Vec<OutputFile>,
    /// The decoded input files, which the diagnostics point into.
    pub sources: Sources,
    /// Import diagnostics: unreadable inputs (errors) and everything not imported (warnings).
    pub diags: Diagnostics,
    /// One record per policy found.
    pub policies: Vec<PolicyRecord>,
    /// Counts.
    pub summary: Summary,
}

/// Collects the diagnostics about one input object, with their JSON paths.
pub struct Reporter<'t> {
    text: &'t str,
    items: Vec<(JsonPath, Error)>,
}

impl<'t> Reporter<'t> {
    fn new(text: &'t str) -> Reporter<'t> {
        Reporter { text, items: Vec::new() }
    }

    fn span(&self, path: &JsonPath) -> Option<SourceSpan> {
        path.locate(self.text).map(Into::into)
    }

    /// Report at `path` with a diagnostic built from the path's text and span.
    pub fn warn(&mut self, path: &JsonPath, make: impl FnOnce(String, Option<SourceSpan>) -> Error) {
        let error = make(path.to_string(), self.span(path));
        self.items.push((path.clone(), error));
    }

    /// Report a property with a value capol does not model.
    pub fn unmodelled(&mut self, path: &JsonPath, detail: &str) {
        let help = if detail.is_empty() {
            "the imported policy differs from the export here; keep managing this setting in the Entra admin center or Graph".to_owned()
        } else {
            format!("{detail}; the import differs from the export here")
        };
        self.warn(path, |property, span| Error::ImportUnmodelled { property, span, help: Some(help) });
    }

    /// Report a value of the wrong shape.
    pub fn invalid(&mut self, path: &JsonPath, problem: &str) {
        let problem = problem.to_owned();
        self.warn(path, |property, span| Error::ImportInvalidValue { property, problem, span });
    }
}

/// A JSON document of one input and the objects found in it.
struct Document {
    file: FileId,
    objects: Vec<(JsonPath, Value)>,
}

/// Import Graph exports. Inputs are processed in path order, so the result does not depend on
/// the order they are given in.
pub fn import(inputs: &[Input]) -> ImportOutput {
    let mut inputs: Vec<&Input> = inputs.iter().collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut sources = Sources::new();
    let mut diags = Diagnostics::new();
    let mut documents = Vec::new();
    for input in inputs {
        let text = match read::decode(&input.bytes) {
            Ok(text) => text,
            Err(reason) => {
                let file = sources.add(input.path.clone(), String::new());
                diags.push(file, Error::ImportUnreadable { path: input.path.clone(), reason, span: None });
                continue;
            }
        };
        let file = sources.add(input.path.clone(), text.clone());
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let offset = offset_of(&text, e.line(), e.column());
                diags.push(
                    file,
                    Error::ImportUnreadable {
                        path: input.path.clone(),
                        reason: lowercase_first(&e.to_string()),
                        span: Some(Span::new(offset, offset).into()),
                    },
                );
                continue;
            }
        };
        documents.push(Document { file, objects: objects_of(value) });
    }

    // Pass 0: what capol's own Graph output says about names, so they survive a round trip.
    let mut inv = Inventory::default();
    let created = created_location_names(&documents, &sources);
    for doc in &documents {
        for (_, value) in &doc.objects {
            want_placeholder_names(value, &mut inv);
        }
    }

    // Pass 1: everything that names things, so policies see every display name.
    let mut policies = Vec::new();
    for doc in &documents {
        let text = sources.get(doc.file).map_or("", |f| f.text.as_str());
        let mut rep = Reporter::new(text);
        for (path, value) in &doc.objects {
            let Value::Object(object) = value else {
                rep.warn(path, |property, span| Error::ImportUnrecognised { property, span });
                continue;
            };
            match classify(object) {
                Some(read::Kind::Policy) => {
                    if let Some(strength) =
                        object.get("grantControls").and_then(|g| g.get("authenticationStrength"))
                        && let Some(s) = inventory::plain(strength)
                        && s.contains_key("displayName")
                    {
                        inv.add_auth_strength(&s);
                    }
                    policies.push((doc.file, path.clone(), value.clone()));
                }
                Some(read::Kind::Location) => {
                    let name = if path.is_root() {
                        created.get(&normalise_path(sources.path(doc.file))).map(String::as_str)
                    } else {
                        None
                    };
                    inv.add_location(object, path, name, &mut rep);
                }
                Some(read::Kind::Manifest) => {}
                Some(read::Kind::Group) => inv.add_group(object),
                Some(read::Kind::User) => inv.add_user(object),
                Some(read::Kind::AuthStrength) => inv.add_auth_strength(object),
                Some(read::Kind::MigrationTable) => inv.add_migration_table(object),
                None => rep.warn(path, |property, span| Error::ImportUnrecognised { property, span }),
            }
        }
        for (_, error) in rep.items {
            diags.push(doc.file, error);
        }
    }

    // Pass 2: policies.
    let mut records = Vec::new();
    let mut decls_by_policy: Vec<(usize, ast::PolicyDecl)> = Vec::new();
    let mut used_names: BTreeMap<String, usize> = BTreeMap::new();
    for (file, path, value) in &policies {
        let text = sources.get(*file).map_or("", |f| f.text.as_str());
        let mut rep = Reporter::new(text);
        let object = strip_annotations(value);
        let display_name = match object.get("displayName").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => name.to_owned(),
            _ => {
                rep.invalid(&path.key("displayName"), "is missing: a policy needs a display name");
                records.push(PolicyRecord {
                    file: *file,
                    path: path.clone(),
                    display_name: String::new(),
                    imported_as: String::new(),
                    output: None,
                    skipped: Some("it has no display name".into()),
                    warned: rep.items.iter().map(|(p, _)| p.clone()).collect(),
                });
                for (_, error) in rep.items {
                    diags.push(*file, error);
                }
                continue;
            }
        };
        let count = used_names.entry(display_name.clone()).or_insert(0);
        *count += 1;
        let imported_as =
            if *count == 1 { display_name.clone() } else { format!("{display_name} ({count})") };
        if *count > 1 {
            let (name, renamed) = (display_name.clone(), imported_as.clone());
            rep.warn(&path.key("displayName"), |_, span| Error::ImportDuplicatePolicy {
                name,
                renamed,
                span,
            });
        }
        let converted = PolicyReader::new(&mut inv, &mut rep).read(&object, path, &imported_as);
        let skipped = match converted {
            Converted::Policy(decl) => {
                decls_by_policy.push((records.len(), decl));
                None
            }
            Converted::Skipped(reason) => {
                let (name, why) = (display_name.clone(), reason.clone());
                let span = path.key("displayName").locate(text).map(Into::into);
                rep.items.push((path.clone(), Error::ImportPolicySkipped { name, reason: why, span }));
                Some(reason)
            }
        };
        records.push(PolicyRecord {
            file: *file,
            path: path.clone(),
            display_name,
            imported_as,
            output: None,
            skipped,
            warned: rep.items.iter().map(|(p, _)| p.clone()).collect(),
        });
        for (_, error) in rep.items {
            diags.push(*file, error);
        }
    }
    inv.declare_given();

    // Files.
    let summary_counts = (
        inv.count(Kind::Location),
        ObjectKind::ALL.iter().map(|k| inv.count(Kind::Object(*k))).sum::<usize>(),
    );
    let mut files = Vec::new();
    let inventory_decls = inv.into_decls();
    if !inventory_decls.is_empty() {
        let mut text = String::from(
            "// Directory objects, grant objects and named locations of the imported policies.\n\n",
        );
        text.push_str(&fmt::print_file(&ast::File { decls: inventory_decls, comments: Vec::new() }));
        files.push(OutputFile { path: INVENTORY_FILE.into(), text });
    }
    let mut used_files = BTreeSet::new();
    for (index, decl) in decls_by_policy {
        let record = &mut records[index];
        let stem = file_stem(&record.imported_as, &mut used_files);
        let path = format!("{POLICY_DIR}/{stem}.capol");
        let mut text = format!("// Imported from `{}`.\n", sources.path(record.file));
        let unmodelled: Vec<String> = diags
            .items
            .iter()
            .filter(|d| d.file == record.file)
            .filter_map(|d| match &d.error {
                Error::ImportUnmodelled { property, .. }
                    if record.warned.iter().any(|w| w.to_string() == *property) =>
                {
                    Some(property.clone())
                }
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !unmodelled.is_empty() {
            text.push_str("// Not imported, because capol does not model them:\n");
            for property in unmodelled {
                text.push_str(&format!("//   {property}\n"));
            }
        }
        text.push('\n');
        text.push_str(&fmt::print_file(&ast::File {
            decls: vec![ast::Decl::Policy(decl)],
            comments: Vec::new(),
        }));
        record.output = Some(path.clone());
        files.push(OutputFile { path, text });
    }

    let count = |f: fn(&Error) -> bool| diags.items.iter().filter(|d| f(&d.error)).count();
    let summary = Summary {
        policies: records.iter().filter(|r| r.output.is_some()).count(),
        skipped: records.iter().filter(|r| r.skipped.is_some()).count(),
        locations: summary_counts.0,
        objects: summary_counts.1,
        warnings: diags.warning_count(),
        unmodelled: count(|e| matches!(e, Error::ImportUnmodelled { .. })),
        placeholders: count(|e| matches!(e, Error::ImportPlaceholder { .. })),
    };
    diags.sort();
    ImportOutput { files, sources, diags, policies: records, summary }
}

/// Location file path → workspace name, from every `manifest.json` of `capol compile --target
/// graph` among the inputs (its paths are relative to its own directory).
fn created_location_names(documents: &[Document], sources: &Sources) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for doc in documents {
        for (path, value) in &doc.objects {
            let Value::Object(object) = value else { continue };
            if !path.is_root() || classify(object) != Some(read::Kind::Manifest) {
                continue;
            }
            let dir = std::path::Path::new(sources.path(doc.file)).parent().map(std::path::Path::to_path_buf);
            for file in object.get("files").and_then(Value::as_array).into_iter().flatten() {
                let get = |k: &str| file.get(k).and_then(Value::as_str);
                if let (Some("namedLocation"), Some(relative), Some(name), None) =
                    (get("type"), get("path"), get("name"), get("id"))
                {
                    let full = dir.as_ref().map_or_else(|| relative.into(), |d| d.join(relative));
                    names.insert(normalise_path(&full.to_string_lossy()), name.to_owned());
                }
            }
        }
    }
    names
}

/// A path compared by its components, so `out/./locations/a.json` and `out/locations/a.json`
/// are one file.
fn normalise_path(path: &str) -> String {
    std::path::Path::new(path)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Keep the names of capol's `${kind:name}` placeholders free, wherever they are in a document.
fn want_placeholder_names(value: &Value, inv: &mut Inventory) {
    match value {
        Value::String(s) => {
            if let Some((_, name)) = crate::targets::graph::parse_placeholder(s) {
                inv.want_name(name);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| want_placeholder_names(v, inv)),
        Value::Object(map) => map.values().for_each(|v| want_placeholder_names(v, inv)),
        _ => {}
    }
}

/// The objects of a document: a list response's `value` items, an array's items, or the
/// document itself.
fn objects_of(value: Value) -> Vec<(JsonPath, Value)> {
    let root = JsonPath::root();
    match value {
        Value::Object(mut map)
            if !map.contains_key("conditions") && map.get("value").is_some_and(Value::is_array) =>
        {
            let path = root.key("value");
            match map.remove("value") {
                Some(Value::Array(items)) => {
                    items.into_iter().enumerate().map(|(i, v)| (path.index(i), v)).collect()
                }
                _ => Vec::new(),
            }
        }
        Value::Array(items) => items.into_iter().enumerate().map(|(i, v)| (root.index(i), v)).collect(),
        other => vec![(root, other)],
    }
}

/// A file stem from a display name: lower-case ASCII letters, digits and single dashes, unique
/// ignoring case.
pub fn file_stem(display: &str, used: &mut BTreeSet<String>) -> String {
    let mut slug = String::new();
    for c in display.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "unnamed" } else { slug };
    let mut candidate = slug.to_owned();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{slug}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let line_text = text.get(start..).unwrap_or("");
    let col: usize = line_text.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum();
    (start + col).min(text.len())
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_lowercase().collect::<String>() + chars.as_str())
}
