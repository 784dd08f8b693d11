//! The inventory of an import: every directory object, grant object and named location the
//! imported policies reference, named from the display names the inputs give (object files,
//! migration tables, the built-in catalogues) and declared once.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Reporter;
use super::names::{Names, identifier};
use super::read::{self, JsonPath};
use crate::catalog;
use crate::check::words::{is_auth_context_id, is_guid, is_placeholder};
use crate::diagnostic::Error;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{self, Ident, ObjectKind, Str};
use crate::targets::graph::{is_placeholder_word, parse_placeholder, placeholder};

/// What an inventory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A directory or grant object.
    Object(ObjectKind),
    /// A named location.
    Location,
}

impl Kind {
    fn keyword(self) -> &'static str {
        match self {
            Kind::Object(k) => k.keyword(),
            Kind::Location => "location",
        }
    }
}

/// A named location read from an export.
#[derive(Debug, Clone)]
enum LocationBody {
    Ip { trusted: bool, ranges: Vec<String> },
    Country { countries: Vec<String>, include_unknown: bool, gps: bool },
    Unmanaged { trusted: bool },
}

#[derive(Debug, Clone)]
struct KnownLocation {
    display_name: String,
    body: LocationBody,
}

/// One declared entry.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    decl: ast::Decl,
}

/// Every object of an import, by kind and id.
#[derive(Debug, Default)]
pub struct Inventory {
    names: Names,
    /// Display names from object files and migration tables, by kind and lower-case id.
    display_names: BTreeMap<(Kind, String), String>,
    /// User principal names from user objects, by lower-case id.
    upns: BTreeMap<String, String>,
    /// Named locations from location files, by lower-case id.
    locations: BTreeMap<String, KnownLocation>,
    /// Objects given as files, declared even when no policy references them.
    given: Vec<(Kind, String)>,
    /// Declared entries, by kind and lower-case id (or the raw value for invalid ids).
    entries: BTreeMap<(Kind, String), Entry>,
    /// The tenant id of a migration table.
    pub tenant_id: Option<String>,
}

/// The id policies use for the multifactor authentication trusted IPs, which is not a named
/// location object.
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";

fn ident(text: &str) -> Ident {
    Spanned::new(text.to_owned(), Span::default())
}

fn string(text: &str) -> Str {
    Spanned::new(text.to_owned(), Span::default())
}

/// The key of a location: its id in lower case, or the `${location:NAME}` placeholder of one
/// the deployment creates, as written.
fn location_key(id: &str) -> String {
    if parse_placeholder(id).is_some() { id.to_owned() } else { id.to_lowercase() }
}

fn short_id(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).take(8).collect::<String>().to_lowercase()
}

impl Inventory {
    /// Record a group object.
    pub fn add_group(&mut self, object: &Map<String, Value>) {
        self.add_named(Kind::Object(ObjectKind::Group), object, "displayName", "id");
    }

    /// Record a user object.
    pub fn add_user(&mut self, object: &Map<String, Value>) {
        let id = object.get("id").and_then(Value::as_str);
        if let (Some(id), Some(upn)) = (id, object.get("userPrincipalName").and_then(Value::as_str)) {
            self.upns.insert(id.to_lowercase(), upn.to_owned());
        }
        self.add_named(Kind::Object(ObjectKind::User), object, "displayName", "id");
    }

    /// Record an authentication strength object.
    pub fn add_auth_strength(&mut self, object: &Map<String, Value>) {
        self.add_named(Kind::Object(ObjectKind::AuthStrength), object, "displayName", "id");
    }

    fn add_named(&mut self, kind: Kind, object: &Map<String, Value>, name_key: &str, id_key: &str) {
        let (Some(id), Some(name)) =
            (object.get(id_key).and_then(Value::as_str), object.get(name_key).and_then(Value::as_str))
        else {
            return;
        };
        let key = (kind, id.to_lowercase());
        self.display_names.entry(key.clone()).or_insert_with(|| name.to_owned());
        if !self.given.contains(&key) {
            self.given.push(key);
        }
    }

    /// Record the names of an IntuneManagement migration table (`{"Objects": [{"Id",
    /// "DisplayName", "Type"}]}`); only names are taken, nothing is declared from it alone.
    pub fn add_migration_table(&mut self, object: &Map<String, Value>) {
        if let Some(tenant) = object.get("TenantId").and_then(Value::as_str)
            && is_guid(tenant)
        {
            self.tenant_id.get_or_insert_with(|| tenant.to_lowercase());
        }
        for entry in object.get("Objects").and_then(Value::as_array).into_iter().flatten() {
            let get = |k: &str| entry.get(k).and_then(Value::as_str);
            let (Some(id), Some(name), Some(kind)) = (get("Id"), get("DisplayName"), get("Type")) else {
                continue;
            };
            let kind = match kind.to_ascii_lowercase().as_str() {
                "group" => Kind::Object(ObjectKind::Group),
                "user" => Kind::Object(ObjectKind::User),
                "authenticationstrength" | "authenticationstrengthpolicy" => {
                    Kind::Object(ObjectKind::AuthStrength)
                }
                "namedlocation" | "location" => Kind::Location,
                "termsofuse" | "agreement" => Kind::Object(ObjectKind::TermsOfUse),
                "serviceprincipal" => Kind::Object(ObjectKind::ServicePrincipal),
                "application" | "app" => Kind::Object(ObjectKind::App),
                _ => continue,
            };
            self.display_names.entry((kind, id.to_lowercase())).or_insert_with(|| name.to_owned());
        }
    }

    /// Record a named location object; unmodelled location types and range kinds are reported.
    /// A location without an id is one a deployment creates (capol's Graph output writes them
    /// so): it is named `created_name` (from the output's manifest) or after its display name,
    /// and policies refer to it by the `${location:NAME}` placeholder.
    pub fn add_location(
        &mut self,
        object: &Map<String, Value>,
        path: &JsonPath,
        created_name: Option<&str>,
        rep: &mut Reporter,
    ) {
        let id = match object.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                // A manifest name no placeholder could carry (a hand-edited manifest) is
                // ignored: the display name names the location instead.
                let created_name = created_name.filter(|n| is_placeholder_word(n));
                let Some(name) = created_name.map(str::to_owned).or_else(|| {
                    object.get("displayName").and_then(Value::as_str).map(|d| identifier(d, "location"))
                }) else {
                    rep.warn(&path.key("id"), |property, span| Error::ImportInvalidValue {
                        property,
                        problem:
                            "is missing, and so is `displayName`: the named location cannot be referenced"
                                .into(),
                        span,
                    });
                    return;
                };
                let key = placeholder("location", &name);
                if self.locations.contains_key(&key) {
                    rep.warn(&path.key("displayName"), |property, span| Error::ImportInvalidValue {
                        property,
                        problem: format!(
                            "names a second named location `{name}` without an id; only the first is imported"
                        ),
                        span,
                    });
                    return;
                }
                self.names.want(&name);
                key
            }
        };
        let id = id.as_str();
        let display_name = object.get("displayName").and_then(Value::as_str).unwrap_or(id).to_owned();
        let odata = object.get("@odata.type").and_then(Value::as_str).unwrap_or("");
        let trusted = object.get("isTrusted").and_then(Value::as_bool).unwrap_or(false);
        let body = if object.contains_key("ipRanges") || odata.ends_with("ipNamedLocation") {
            let mut ranges = Vec::new();
            for (i, range) in
                object.get("ipRanges").and_then(Value::as_array).into_iter().flatten().enumerate()
            {
                match range.get("cidrAddress").and_then(Value::as_str) {
                    Some(cidr) => ranges.push(cidr.to_owned()),
                    None => rep.unmodelled(
                        &path.key("ipRanges").index(i),
                        "capol names IP ranges in CIDR notation only; this range is left out",
                    ),
                }
            }
            if ranges.is_empty() {
                LocationBody::Unmanaged { trusted }
            } else {
                LocationBody::Ip { trusted, ranges }
            }
        } else if object.contains_key("countriesAndRegions") || odata.ends_with("countryNamedLocation") {
            let countries: Vec<String> = object
                .get("countriesAndRegions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let gps =
                object.get("countryLookupMethod").and_then(Value::as_str) == Some("authenticatorAppGps");
            let include_unknown =
                object.get("includeUnknownCountriesAndRegions").and_then(Value::as_bool).unwrap_or(false);
            if countries.is_empty() {
                LocationBody::Unmanaged { trusted: false }
            } else {
                LocationBody::Country { countries, include_unknown, gps }
            }
        } else {
            let what = odata.trim_start_matches('#').trim_start_matches("microsoft.graph.");
            let what = if what.is_empty() { "this kind of named location" } else { what };
            rep.unmodelled(
                &path.key("@odata.type"),
                &format!(
                    "`{what}` is a Graph beta location type; it is declared by id only, as a location capol does not manage"
                ),
            );
            LocationBody::Unmanaged { trusted }
        };
        let key = location_key(id);
        self.display_names.entry((Kind::Location, key.clone())).or_insert_with(|| display_name.clone());
        self.locations.entry(key.clone()).or_insert(KnownLocation { display_name, body });
        if !self.given.contains(&(Kind::Location, key.clone())) {
            self.given.push((Kind::Location, key));
        }
    }

    /// The workspace name for a reference of `kind` written as `raw` at `path`, declaring the
    /// object on first use. Placeholders and invalid ids are reported.
    pub fn reference(&mut self, kind: Kind, raw: &str, path: &JsonPath, rep: &mut Reporter) -> String {
        let raw = raw.trim();
        if let Some((word, name)) = parse_placeholder(raw)
            && word == kind.keyword()
        {
            let declared = self.declare_created(kind, raw, name);
            if kind == Kind::Location && !self.locations.contains_key(raw) {
                let (value, name_for) = (raw.to_owned(), declared.clone());
                rep.warn(path, move |property, span| Error::ImportUncreatedLocation {
                    property,
                    value,
                    name: name_for,
                    span,
                });
            }
            return declared;
        }
        if is_placeholder(raw) {
            let key = (kind, raw.to_owned());
            let name = match self.entries.get(&key) {
                Some(e) => e.name.clone(),
                None => {
                    let name = self.names.allocate(&raw[1..raw.len() - 1], kind.keyword());
                    let decl = self.declaration(kind, &name, Some(raw), None);
                    self.entries.insert(key, Entry { name: name.clone(), decl });
                    name
                }
            };
            let (value, kind_word, name_for) = (raw.to_owned(), kind.keyword().to_owned(), name.clone());
            rep.warn(path, move |property, span| Error::ImportPlaceholder {
                property,
                value,
                kind: kind_word,
                name: name_for,
                span,
            });
            return name;
        }
        let valid = match kind {
            Kind::Object(ObjectKind::AuthContext) => is_auth_context_id(raw),
            Kind::Object(ObjectKind::CustomControl) => !raw.is_empty(),
            _ => is_guid(raw),
        };
        if !valid {
            let key = (kind, raw.to_owned());
            let name = match self.entries.get(&key) {
                Some(e) => e.name.clone(),
                None => {
                    let name = self.names.allocate(raw, kind.keyword());
                    let decl = self.declaration(kind, &name, None, Some(raw));
                    self.entries.insert(key, Entry { name: name.clone(), decl });
                    name
                }
            };
            let what = match kind {
                Kind::Object(ObjectKind::AuthContext) => {
                    "authentication context id (`c1` to `c99`)".to_owned()
                }
                other => format!("{} id (a GUID)", other.keyword()),
            };
            let (value, kind_word, name_for) = (raw.to_owned(), kind.keyword().to_owned(), name.clone());
            rep.warn(path, move |property, span| Error::ImportInvalidId {
                property,
                value,
                what,
                kind: kind_word,
                name: name_for,
                span,
            });
            return name;
        }
        let id = raw.to_lowercase();
        let key = (kind, id.clone());
        if let Some(e) = self.entries.get(&key) {
            return e.name.clone();
        }
        if kind == Kind::Location && !self.locations.contains_key(&id) {
            let name = self.declare(kind, raw);
            let (id_text, name_for) = (raw.to_owned(), name.clone());
            rep.warn(path, move |_, span| Error::ImportMissingLocation { id: id_text, name: name_for, span });
            return name;
        }
        self.declare(kind, raw)
    }

    /// Declare the object a `${kind:name}` placeholder stands for: declared without an id, as in
    /// the workspace the placeholder was compiled from, keeping its name when it is free.
    fn declare_created(&mut self, kind: Kind, raw: &str, name: &str) -> String {
        let key = (kind, raw.to_owned());
        if let Some(e) = self.entries.get(&key) {
            return e.name.clone();
        }
        let name = self.names.claim(name, kind.keyword());
        let decl = self.declaration(kind, &name, Some(raw), None);
        self.entries.insert(key, Entry { name: name.clone(), decl });
        name
    }

    /// Declare the object with a GUID (or other valid) id `raw`.
    fn declare(&mut self, kind: Kind, raw: &str) -> String {
        let id = raw.to_lowercase();
        let key = (kind, id.clone());
        let display = self.display_names.get(&key).cloned();
        let catalogue = match kind {
            Kind::Object(ObjectKind::Role) => catalog::role_by_id(raw).map(|r| r.name),
            Kind::Object(ObjectKind::App) => catalog::app_by_id(raw).map(|a| a.name),
            Kind::Object(ObjectKind::AuthStrength) => catalog::strength_by_id(raw).map(|s| s.name),
            _ => None,
        };
        let base = match (catalogue, &display) {
            (Some(c), _) => c.to_owned(),
            (None, Some(d)) => d.clone(),
            (None, None) if kind == Kind::Object(ObjectKind::AuthContext) => raw.to_owned(),
            // Graph's pseudo-location for the legacy MFA trusted IPs has no object to name it.
            (None, None) if kind == Kind::Location && id == MFA_TRUSTED_IPS => "mfa_trusted_ips".to_owned(),
            (None, None) => format!("{}_{}", kind.keyword(), short_id(raw)),
        };
        let name = self.names.allocate(&base, kind.keyword());
        let decl = match catalogue {
            Some(builtin) => {
                let mut o = ast::ObjectDecl::new(object_kind(kind), ident(&name), Span::default());
                o.builtin = Some(string(builtin));
                ast::Decl::Object(o)
            }
            None => self.declaration(kind, &name, Some(raw), display.as_deref()),
        };
        self.entries.insert(key, Entry { name: name.clone(), decl });
        name
    }

    /// A declaration with an optional id and display name; for locations the definition read
    /// from its file, when there was one.
    fn declaration(&self, kind: Kind, name: &str, id: Option<&str>, display: Option<&str>) -> ast::Decl {
        let created = id.is_some_and(|i| parse_placeholder(i).is_some());
        let known = id.and_then(|i| self.locations.get(&location_key(i)));
        let id = if created { None } else { id };
        if kind == Kind::Location {
            let mut l = ast::LocationDecl {
                span: Span::default(),
                name: ident(name),
                id: id.map(string),
                display_name: known.map(|k| k.display_name.as_str()).or(display).map(string),
                trusted: None,
                ranges: Vec::new(),
                countries: Vec::new(),
                include_unknown: None,
                lookup: None,
            };
            match known.map(|k| &k.body) {
                Some(LocationBody::Ip { trusted, ranges }) => {
                    l.trusted = trusted.then_some(Span::default());
                    l.ranges = ranges.iter().map(|r| string(r)).collect();
                }
                Some(LocationBody::Country { countries, include_unknown, gps }) => {
                    l.countries = countries.iter().map(|c| ident(c)).collect();
                    l.include_unknown = include_unknown.then_some(Span::default());
                    l.lookup = gps.then(|| ident("gps"));
                }
                Some(LocationBody::Unmanaged { trusted }) => l.trusted = trusted.then_some(Span::default()),
                None => {}
            }
            return ast::Decl::Location(l);
        }
        let kind = object_kind(kind);
        let mut o = ast::ObjectDecl::new(kind, ident(name), Span::default());
        o.id = id.map(string);
        o.display_name = display.map(string);
        if kind == ObjectKind::User {
            o.upn = id.and_then(|i| self.upns.get(&i.to_lowercase())).map(|u| string(u));
        }
        ast::Decl::Object(o)
    }

    /// Declare every object that was given as a file but that no policy referenced.
    pub fn declare_given(&mut self) {
        let given = self.given.clone();
        for (kind, id) in given {
            if self.entries.contains_key(&(kind, id.clone())) {
                continue;
            }
            match parse_placeholder(&id) {
                Some((_, name)) => {
                    self.declare_created(kind, &id, name);
                }
                None => {
                    self.declare(kind, &id);
                }
            }
        }
    }

    /// The declarations, grouped by kind in the formatter's order, sorted by name.
    pub fn into_decls(self) -> Vec<ast::Decl> {
        let mut tenant = Vec::new();
        if let Some(id) = &self.tenant_id {
            tenant.push(ast::Decl::Tenant(ast::TenantDecl {
                span: Span::default(),
                edition: None,
                id: Some(string(id)),
                domain: None,
            }));
        }
        let mut entries: Vec<(Kind, Entry)> = self.entries.into_iter().map(|((k, _), e)| (k, e)).collect();
        entries.sort_by(|(ka, a), (kb, b)| ka.cmp(kb).then_with(|| a.name.cmp(&b.name)));
        tenant.into_iter().chain(entries.into_iter().map(|(_, e)| e.decl)).collect()
    }

    /// Keep `name` free: a `${kind:name}` placeholder will claim it.
    pub fn want_name(&mut self, name: &str) {
        self.names.want(name);
    }

    /// Number of declared entries of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.entries.keys().filter(|(k, _)| *k == kind).count()
    }
}

fn object_kind(kind: Kind) -> ObjectKind {
    match kind {
        Kind::Object(k) => k,
        Kind::Location => ObjectKind::Group,
    }
}

/// Strip annotations and report nothing: used for objects whose content is only named.
pub fn plain(value: &Value) -> Option<Map<String, Value>> {
    match read::strip_annotations(value) {
        Value::Object(map) => Some(map),
        _ => None,
    }
}
