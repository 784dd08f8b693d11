//! Phase 2, check: resolves every name of a workspace and validates it against what Graph
//! accepts, collecting all diagnostics in one run.
//!
//! INVARIANT: `check` never stops at the first error. It returns a `Checked` workspace only when
//! no error-level diagnostic was found, so later phases see only valid input. Every diagnostic
//! points at the file and span the user wrote.

mod decls;
mod policy;
mod tests;
pub mod words;

use std::collections::{BTreeMap, HashMap};

use miette::SourceSpan;

use crate::diagnostic::{Diagnostics, Error};
use crate::ir;
use crate::source::Sources;
use crate::span::{FileId, Loc, Span};
use crate::suggest;
use crate::syntax::ast::{self, Decl, ObjectKind, RefKind};

/// Most policies a tenant can hold (any state).
pub const MAX_POLICIES: usize = 195;
/// Most named locations a tenant can hold.
pub const MAX_LOCATIONS: usize = 195;
/// Most IP ranges in one named location.
pub const MAX_RANGES: usize = 2000;
/// Longest device or application filter rule.
pub const MAX_FILTER_LEN: usize = 3072;

/// A checked workspace: the IR in source order (not yet normalised) and where everything was
/// written.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The resolved workspace, in declaration order.
    pub program: ir::Program,
    /// Spans of declarations and policy settings.
    pub spans: SpanMap,
    /// Every symbol of the workspace.
    pub symbols: HashMap<String, Symbol>,
}

/// Where declarations and policy settings were written.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    /// Declarations by name (objects and locations).
    pub decls: BTreeMap<String, Loc>,
    /// Policies by display name.
    pub policies: BTreeMap<String, PolicySpans>,
    /// Tests by name.
    pub tests: BTreeMap<String, Loc>,
    /// Assertions by name.
    pub asserts: BTreeMap<String, Loc>,
    /// The `preview combined_registration` declaration.
    pub preview: Option<Loc>,
}

/// Where one policy and its settings were written.
#[derive(Debug, Clone, Default)]
pub struct PolicySpans {
    /// The whole policy.
    pub decl: Loc,
    /// The display name string.
    pub name: Loc,
    /// Each setting by name (`state`, `users`, `target`, `grant`, ...).
    pub settings: BTreeMap<&'static str, Loc>,
}

impl PolicySpans {
    /// The span of a setting, or of the whole policy when the setting is absent.
    pub fn setting_or_decl(&self, setting: &str) -> Loc {
        self.settings.get(setting).copied().unwrap_or(self.decl)
    }
}

/// A declared name.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// What it names.
    pub kind: RefKind,
    /// Where it is declared.
    pub loc: Loc,
    /// Its name's span.
    pub name_span: Span,
    /// Its directory id, when declared.
    pub id: Option<String>,
}

/// Check a parsed workspace. `files[i]` is the tree of `sources.files[i]`.
pub fn check(sources: &Sources, files: &[ast::File]) -> (Option<Checked>, Diagnostics) {
    check_partial(sources, files, &[])
}

/// Check a workspace some of whose files had errors while their trees were built
/// (`incomplete[i]` for `files[i]`). In those files a setting whose value was invalid is
/// missing from the tree, so "missing setting" checks are skipped there: the syntax error
/// already explains it.
pub fn check_partial(
    sources: &Sources,
    files: &[ast::File],
    incomplete: &[bool],
) -> (Option<Checked>, Diagnostics) {
    let mut checker = Checker::new(sources);
    checker.incomplete = incomplete.to_vec();
    checker.collect(files);
    checker.check_decls(files);
    checker.check_policies(files);
    checker.check_limits(files);
    checker.check_tests(files);
    let mut diags = std::mem::take(&mut checker.diags);
    diags.sort();
    if diags.has_errors() {
        return (None, diags);
    }
    let checked = Checked { program: checker.program, spans: checker.spans, symbols: checker.symbols };
    (Some(checked), diags)
}

pub(crate) struct Checker<'s> {
    sources: &'s Sources,
    diags: Diagnostics,
    symbols: HashMap<String, Symbol>,
    policy_names: HashMap<String, Loc>,
    program: ir::Program,
    spans: SpanMap,
    edition: Option<(ir::Edition, Loc)>,
    incomplete: Vec<bool>,
}

impl<'s> Checker<'s> {
    fn new(sources: &'s Sources) -> Checker<'s> {
        let program = ir::Program {
            capol_ir: ir::IR_VERSION,
            tenant: ir::Tenant::default(),
            groups: Vec::new(),
            users: Vec::new(),
            roles: Vec::new(),
            apps: Vec::new(),
            auth_contexts: Vec::new(),
            terms_of_use: Vec::new(),
            auth_strengths: Vec::new(),
            custom_controls: Vec::new(),
            service_principals: Vec::new(),
            locations: Vec::new(),
            combined_registration: None,
            methods: None,
            policies: Vec::new(),
        };
        Checker {
            sources,
            diags: Diagnostics::new(),
            symbols: HashMap::new(),
            policy_names: HashMap::new(),
            program,
            spans: SpanMap::default(),
            edition: None,
            incomplete: Vec::new(),
        }
    }

    fn incomplete(&self, file: FileId) -> bool {
        self.incomplete.get(file.0 as usize).copied().unwrap_or(false)
    }

    fn err(&mut self, file: FileId, error: Error) {
        self.diags.push(file, error);
    }

    /// A secondary label for `first` when it is in `file`; otherwise help naming its place.
    fn first_label(&self, file: FileId, first: Loc) -> (Option<SourceSpan>, Option<String>) {
        if first.file == file {
            (Some(first.span.into()), None)
        } else {
            let (line, column) = self.sources.line_col(first);
            (None, Some(format!("first declared at {}:{line}:{column}", self.sources.path(first.file))))
        }
    }

    /// Pass 1: every name, policy, test and singleton declaration, so later passes can resolve
    /// references in any order.
    fn collect(&mut self, files: &[ast::File]) {
        let mut tests: HashMap<String, Loc> = HashMap::new();
        let mut asserts: HashMap<String, Loc> = HashMap::new();
        for (index, tree) in files.iter().enumerate() {
            let file = FileId(index as u32);
            for decl in &tree.decls {
                let (name, kind, id) = match decl {
                    Decl::Object(o) => {
                        (&o.name, RefKind::Object(o.kind), o.id.as_ref().map(|s| s.node.clone()))
                    }
                    Decl::Location(l) => (&l.name, RefKind::Location, l.id.as_ref().map(|s| s.node.clone())),
                    Decl::Policy(p) => {
                        let loc = Loc { file, span: p.name.span };
                        if let Some(first) = self.policy_names.get(&p.name.node).copied() {
                            let (first_span, help) = self.first_label(file, first);
                            self.err(
                                file,
                                Error::DuplicatePolicy {
                                    name: p.name.node.clone(),
                                    span: p.name.span.into(),
                                    first: first_span,
                                    help,
                                },
                            );
                        } else {
                            self.policy_names.insert(p.name.node.clone(), loc);
                        }
                        continue;
                    }
                    Decl::Test(t) => {
                        self.collect_named(file, &mut tests, "test", &t.name);
                        continue;
                    }
                    Decl::Assert(a) => {
                        self.collect_named(file, &mut asserts, "assertion", &a.name);
                        continue;
                    }
                    _ => continue,
                };
                if words::RESERVED.contains(&name.node.as_str()) {
                    self.err(file, Error::ReservedName { name: name.node.clone(), span: name.span.into() });
                    continue;
                }
                let loc = Loc { file, span: decl.span() };
                if let Some(first) = self.symbols.get(&name.node) {
                    let first = Loc { file: first.loc.file, span: first.name_span };
                    let (first_span, help) = self.first_label(file, first);
                    self.err(
                        file,
                        Error::DuplicateName {
                            name: name.node.clone(),
                            span: name.span.into(),
                            first: first_span,
                            help,
                        },
                    );
                    continue;
                }
                self.symbols.insert(name.node.clone(), Symbol { kind, loc, name_span: name.span, id });
                self.spans.decls.insert(name.node.clone(), loc);
            }
        }
        self.spans.tests = tests.into_iter().collect();
        self.spans.asserts = asserts.into_iter().collect();
    }

    fn collect_named(&mut self, file: FileId, seen: &mut HashMap<String, Loc>, what: &str, name: &ast::Str) {
        if let Some(first) = seen.get(&name.node).copied() {
            let (first_span, help) = self.first_label(file, first);
            self.err(
                file,
                Error::DuplicateTest {
                    what: what.to_owned(),
                    name: name.node.clone(),
                    span: name.span.into(),
                    first: first_span,
                    help,
                },
            );
        } else {
            seen.insert(name.node.clone(), Loc { file, span: name.span });
        }
    }

    /// Resolve a reference that must name a declaration of `expected` kind.
    fn resolve(&mut self, file: FileId, name: &ast::Ident, expected: RefKind) -> Option<ir::Ref> {
        match self.symbols.get(&name.node) {
            Some(symbol) if symbol.kind == expected => {
                Some(ir::Ref { name: name.node.clone(), id: symbol.id.clone() })
            }
            Some(symbol) => {
                let declared = (symbol.loc.file == file).then_some(symbol.name_span.into());
                let found = kind_with_article(symbol.kind);
                self.err(
                    file,
                    Error::WrongKind {
                        name: name.node.clone(),
                        expected: kind_with_article(expected).to_owned(),
                        found: found.to_owned(),
                        span: name.span.into(),
                        declared,
                        help: self.suggest_of_kind(&name.node, expected),
                    },
                );
                None
            }
            None => {
                let help = self.suggest_of_kind(&name.node, expected);
                self.err(file, unknown(expected, name, help));
                None
            }
        }
    }

    /// "did you mean" among the declared names of one kind (and the built-in apps for apps).
    fn suggest_of_kind(&self, word: &str, kind: RefKind) -> Option<String> {
        let mut candidates: Vec<&str> =
            self.symbols.iter().filter(|(_, s)| s.kind == kind).map(|(n, _)| n.as_str()).collect();
        if kind == RefKind::Object(ObjectKind::App) {
            candidates.extend(words::BUILTIN_APPS);
        }
        candidates.sort_unstable();
        suggest::did_you_mean(word, candidates)
    }

    /// Look an enumerated word up, reporting an unknown one with the allowed values.
    fn word<T: Copy>(
        &mut self,
        file: FileId,
        ident: &ast::Ident,
        what: &str,
        table: &[(&'static str, T)],
    ) -> Option<T> {
        if let Some(value) = words::lookup(table, &ident.node) {
            return Some(value);
        }
        let names = words::names(table);
        let help = match words::from_graph(&ident.node) {
            Some(capol) if names.contains(&capol) => {
                Some(format!("Graph's `{}` is written `{capol}` in capol", ident.node))
            }
            _ => suggest::did_you_mean(&ident.node, names.iter().copied()),
        };
        self.err(
            file,
            Error::UnknownValue {
                what: what.to_owned(),
                value: ident.node.clone(),
                span: ident.span.into(),
                expected: one_of(&names),
                help,
            },
        );
        None
    }

    /// Check that an id has the shape Graph expects for `what`.
    fn guid(&mut self, file: FileId, id: &ast::Str, what: &str) {
        // Templates name objects by `<Placeholder>` until they are deployed: keep them, warn.
        if words::is_placeholder(&id.node) {
            self.err(
                file,
                Error::PlaceholderId { what: what.to_owned(), value: id.node.clone(), span: id.span.into() },
            );
            return;
        }
        if !words::is_guid(&id.node) {
            let help_placeholder = id.node.starts_with('<');
            self.err(
                file,
                Error::InvalidId {
                    what: what.to_owned(),
                    value: id.node.clone(),
                    span: id.span.into(),
                    expected: if help_placeholder {
                        "a GUID; replace the placeholder with the real id".into()
                    } else {
                        "a GUID such as `3ee3a9de-0a86-4e12-a287-9769accf1ba2`".into()
                    },
                },
            );
        }
    }

    fn check_limits(&mut self, files: &[ast::File]) {
        let mut policies = Vec::new();
        let mut locations = Vec::new();
        for (index, tree) in files.iter().enumerate() {
            for decl in &tree.decls {
                let loc = Loc { file: FileId(index as u32), span: decl.span() };
                match decl {
                    Decl::Policy(_) => policies.push(loc),
                    Decl::Location(_) => locations.push(loc),
                    _ => {}
                }
            }
        }
        if let Some(extra) = policies.get(MAX_POLICIES) {
            self.err(
                extra.file,
                Error::TooManyPolicies {
                    count: policies.len(),
                    limit: MAX_POLICIES,
                    span: extra.span.into(),
                    limit_plus_one: MAX_POLICIES + 1,
                },
            );
        }
        if let Some(extra) = locations.get(MAX_LOCATIONS) {
            self.err(
                extra.file,
                Error::TooManyLocations {
                    count: locations.len(),
                    limit: MAX_LOCATIONS,
                    span: extra.span.into(),
                    limit_plus_one: MAX_LOCATIONS + 1,
                },
            );
        }
    }
}

/// "`x`" or "one of `x`, `y` or `z`".
pub fn one_of(names: &[&str]) -> String {
    match names {
        [one] => format!("`{one}`"),
        _ => format!("one of {}", crate::syntax::quote_alternatives(names)),
    }
}

/// "a group", "a location", ...
pub fn kind_with_article(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Object(k) => k.with_article(),
        RefKind::Location => "a location",
    }
}

fn unknown(kind: RefKind, name: &ast::Ident, help: Option<String>) -> Error {
    let (name, span) = (name.node.clone(), name.span.into());
    match kind {
        RefKind::Location => Error::UnknownLocation { name, span, help },
        RefKind::Object(ObjectKind::Group) => Error::UnknownGroup { name, span, help },
        RefKind::Object(ObjectKind::User) => Error::UnknownUser { name, span, help },
        RefKind::Object(ObjectKind::Role) => Error::UnknownRole { name, span, help },
        RefKind::Object(ObjectKind::App) => Error::UnknownApp { name, span, help },
        RefKind::Object(ObjectKind::AuthContext) => Error::UnknownAuthContext { name, span, help },
        RefKind::Object(ObjectKind::TermsOfUse) => Error::UnknownTermsOfUse { name, span, help },
        RefKind::Object(ObjectKind::AuthStrength) => Error::UnknownAuthStrength { name, span, help },
        RefKind::Object(ObjectKind::CustomControl) => Error::UnknownCustomControl { name, span, help },
        RefKind::Object(ObjectKind::ServicePrincipal) => Error::UnknownServicePrincipal { name, span, help },
    }
}
