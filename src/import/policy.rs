//! One Graph `conditionalAccessPolicy` to one `policy` declaration.
//!
//! Every property is either read into the tree, dropped because it is read-only (`id` is kept as
//! the policy's `id`), or, when it has a value capol does not model, reported with its JSON
//! path. Empty values (`null`, `[]`, `false`, objects of such) carry nothing and are dropped
//! silently, and so is a session control with `isEnabled: false`, which Graph does not apply.

use serde_json::{Map, Value};

use super::Reporter;
use super::inventory::{Inventory, Kind};
use super::read::{JsonPath, is_empty};
use crate::check::words::{is_guid, is_placeholder};
use crate::diagnostic::Error;
use crate::span::{Span, Spanned};
use crate::syntax::ast::*;

/// Read-only properties dropped without a word.
const READ_ONLY: &[&str] = &["createdDateTime", "modifiedDateTime", "templateId", "deletedDateTime"];

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn word(text: &str) -> Ident {
    sp(text.to_owned())
}

/// A policy read from JSON, or the reason it cannot be expressed.
pub enum Converted {
    /// The declaration.
    Policy(PolicyDecl),
    /// Why the policy was left out.
    Skipped(String),
}

/// Reads one policy object; `object` has its annotations stripped.
pub struct PolicyReader<'a, 'r> {
    inv: &'a mut Inventory,
    rep: &'a mut Reporter<'r>,
}

/// Look a value up in a table of Graph spellings, case-insensitively; a spelling that matches
/// only without case is reported. Returns the capol word.
fn lookup<'t>(
    rep: &mut Reporter<'_>,
    table: &[(&str, &'t str)],
    value: &str,
    path: &JsonPath,
    what: &str,
) -> Option<&'t str> {
    if let Some((_, w)) = table.iter().find(|(g, _)| *g == value) {
        return Some(w);
    }
    if let Some((g, w)) = table.iter().find(|(g, _)| g.eq_ignore_ascii_case(value.trim())) {
        let (value, canonical) = (value.to_owned(), (*g).to_owned());
        rep.warn(path, move |property, span| Error::ImportNonCanonical { property, value, canonical, span });
        return Some(w);
    }
    rep.unmodelled(path, &format!("`{value}` is not a {what} capol knows"));
    None
}

const PLATFORMS: &[(&str, &str)] = &[
    ("all", "all"),
    ("android", "android"),
    ("iOS", "ios"),
    ("windows", "windows"),
    ("windowsPhone", "windows_phone"),
    ("macOS", "macos"),
    ("linux", "linux"),
];
const CLIENT_APPS: &[(&str, &str)] = &[
    ("all", "all"),
    ("browser", "browser"),
    ("mobileAppsAndDesktopClients", "mobile_desktop"),
    ("exchangeActiveSync", "exchange_active_sync"),
    ("easSupported", "eas_supported"),
    ("other", "other"),
];
const RISKS: &[(&str, &str)] = &[("high", "high"), ("medium", "medium"), ("low", "low"), ("none", "none")];
const INSIDER_RISKS: &[(&str, &str)] =
    &[("minor", "minor"), ("moderate", "moderate"), ("elevated", "elevated")];
const FLOWS: &[(&str, &str)] =
    &[("deviceCodeFlow", "device_code"), ("authenticationTransfer", "auth_transfer")];
const GUEST_TYPES: &[(&str, &str)] = &[
    ("internalGuest", "internal_guest"),
    ("b2bCollaborationGuest", "b2b_collaboration_guest"),
    ("b2bCollaborationMember", "b2b_collaboration_member"),
    ("b2bDirectConnectUser", "b2b_direct_connect_user"),
    ("otherExternalUser", "other_external_user"),
    ("serviceProvider", "service_provider"),
];
const CONTROLS: &[(&str, &str)] = &[
    ("mfa", "mfa"),
    ("compliantDevice", "compliant_device"),
    ("domainJoinedDevice", "domain_joined_device"),
    ("approvedApplication", "approved_app"),
    ("compliantApplication", "compliant_app"),
    ("passwordChange", "password_change"),
    ("riskRemediation", "risk_remediation"),
    ("block", "block"),
];
const STATES: &[(&str, &str)] =
    &[("enabled", "enabled"), ("disabled", "disabled"), ("enabledForReportingButNotEnforced", "report_only")];
const ACTIONS: &[(&str, &str)] = &[
    ("urn:user:registersecurityinfo", "register_security_info"),
    ("urn:user:registerdevice", "register_device"),
];

/// A JSON object whose properties are taken one by one; `finish` reports what is left.
struct Props {
    map: Map<String, Value>,
    path: JsonPath,
}

impl Props {
    fn new(value: Option<&Value>, path: JsonPath) -> Props {
        let map = match value {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        Props { map, path }
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn path(&self, key: &str) -> JsonPath {
        self.path.key(key)
    }

    /// A list of strings; a non-list or non-string items are reported.
    fn strings(&mut self, key: &str, rep: &mut Reporter<'_>) -> Vec<(String, JsonPath)> {
        let path = self.path(key);
        match self.take(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) => Some((s, path.index(i))),
                    other => {
                        if !is_empty(&other) {
                            rep.invalid(&path.index(i), "is not a string");
                        }
                        None
                    }
                })
                .collect(),
            Some(other) => {
                if !is_empty(&other) {
                    rep.invalid(&path, "is not a list of strings");
                }
                Vec::new()
            }
        }
    }

    fn string(&mut self, key: &str, rep: &mut Reporter<'_>) -> Option<String> {
        let path = self.path(key);
        match self.take(key) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                if !is_empty(&other) {
                    rep.invalid(&path, "is not a string");
                }
                None
            }
        }
    }

    /// Report every property left with a value.
    fn finish(self, rep: &mut Reporter<'_>) {
        for (key, value) in self.map {
            if !is_empty(&value) {
                rep.unmodelled(&self.path.key(&key), "");
            }
        }
    }
}

/// Comma-separated flags.
fn flags(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl<'a, 'r> PolicyReader<'a, 'r> {
    /// A reader that declares references in `inv` and reports to `rep`.
    pub fn new(inv: &'a mut Inventory, rep: &'a mut Reporter<'r>) -> PolicyReader<'a, 'r> {
        PolicyReader { inv, rep }
    }

    /// Convert the policy at `path` (annotations already stripped).
    pub fn read(&mut self, object: &Value, path: &JsonPath, display_name: &str) -> Converted {
        let mut top = Props::new(Some(object), path.clone());
        for key in READ_ONLY {
            top.map.remove(*key);
        }
        top.map.remove("displayName");
        let mut items: Vec<PolicyItem> = Vec::new();
        let id_path = top.path("id");
        if let Some(id) = top.string("id", self.rep) {
            if is_guid(&id) || is_placeholder(&id) {
                items.push(PolicyItem::Id(sp(id)));
            } else {
                self.rep.invalid(&id_path, "is not a policy id (a GUID)");
            }
        }
        if let Some(d) = top.string("description", self.rep).filter(|d| !d.is_empty()) {
            items.push(PolicyItem::Description(sp(d)));
        }
        let state_path = top.path("state");
        match top.string("state", self.rep) {
            Some(s) => match lookup(self.rep, STATES, &s, &state_path, "policy state") {
                Some(w) => items.push(PolicyItem::State(word(w))),
                None => return Converted::Skipped(format!("its state `{s}` is unknown")),
            },
            None => return Converted::Skipped("it has no `state`".into()),
        }

        let conditions = top.take("conditions");
        let mut cond = Props::new(conditions.as_ref(), top.path("conditions"));
        let users = self.users(&mut cond);
        let sps = self.service_principals(&mut cond);
        let target = self.applications(&mut cond);
        let rest = self.conditions(&mut cond);
        cond.finish(self.rep);

        let grant_value = top.take("grantControls");
        let grant = self.grant(grant_value.as_ref(), top.path("grantControls"));
        let session_value = top.take("sessionControls");
        let session = self.session(session_value.as_ref(), top.path("sessionControls"));
        top.finish(self.rep);

        let has_users = users.iter().any(|l| matches!(l, IncludeExclude::Include(e) if !e.is_empty()));
        let has_sps =
            sps.iter().any(|l| matches!(l.node, ServicePrincipalItem::Include(ref e) if !e.is_empty()));
        if !has_users && !has_sps {
            return Converted::Skipped(
                "it applies to no users or workload identities capol can express".into(),
            );
        }
        // `include none` with identities capol does not model (agents) is not an inert policy:
        // importing it as one would misstate whom it applies to.
        let only_none = users.iter().all(|l| match l {
            IncludeExclude::Include(e) => e.iter().all(|p| matches!(p.node, Principal::None)),
            IncludeExclude::Exclude(_) => true,
        });
        let conditions_path = path.key("conditions");
        let unmodelled_identities = self.rep.items.iter().any(|(p, e)| {
            matches!(e, Error::ImportUnmodelled { .. })
                && (p.overlaps(&conditions_path.key("agents"))
                    || p.overlaps(&conditions_path.key("clientApplications")))
        });
        if has_users && only_none && !has_sps && unmodelled_identities {
            return Converted::Skipped(
                "it applies only to agent identities, which capol does not model".into(),
            );
        }
        if target.is_empty() {
            return Converted::Skipped(
                "it targets no apps, user actions or authentication contexts capol can express".into(),
            );
        }
        if grant.is_none() && session.is_empty() {
            return Converted::Skipped("it has no grant or session control capol can express".into());
        }
        if !users.is_empty() {
            items.push(PolicyItem::Users(users.into_iter().map(sp).collect()));
        }
        if !sps.is_empty() {
            items.push(PolicyItem::ServicePrincipals(sps));
        }
        items.extend(target);
        items.extend(rest);
        items.extend(grant.map(PolicyItem::Grant));
        if !session.is_empty() {
            items.push(PolicyItem::Session(session.into_iter().map(sp).collect()));
        }
        Converted::Policy(PolicyDecl {
            span: Span::default(),
            name: sp(display_name.to_owned()),
            items: items.into_iter().map(sp).collect(),
        })
    }

    fn reference(&mut self, kind: Kind, raw: &str, path: &JsonPath) -> Ident {
        word(&self.inv.reference(kind, raw, path, self.rep))
    }

    fn users(&mut self, cond: &mut Props) -> Vec<IncludeExclude<Principal>> {
        let users_value = cond.take("users");
        let mut u = Props::new(users_value.as_ref(), cond.path("users"));
        let mut include: Vec<Spanned<Principal>> = Vec::new();
        let mut exclude: Vec<Spanned<Principal>> = Vec::new();
        for (key, is_include) in [("includeUsers", true), ("excludeUsers", false)] {
            for (value, path) in u.strings(key, self.rep) {
                let principal = match value.as_str() {
                    "All" if is_include => Principal::All,
                    "None" if is_include => Principal::None,
                    "GuestsOrExternalUsers" => Principal::AllGuests,
                    v if v.eq_ignore_ascii_case("all")
                        || v.eq_ignore_ascii_case("none")
                        || v.eq_ignore_ascii_case("GuestsOrExternalUsers") =>
                    {
                        self.rep.unmodelled(
                            &path,
                            "this special value is not valid here or not in Graph's spelling",
                        );
                        continue;
                    }
                    v => Principal::Ref(
                        RefKind::Object(ObjectKind::User),
                        self.reference(Kind::Object(ObjectKind::User), v, &path),
                    ),
                };
                if is_include { include.push(sp(principal)) } else { exclude.push(sp(principal)) }
            }
        }
        for (key, kind, is_include) in [
            ("includeGroups", ObjectKind::Group, true),
            ("excludeGroups", ObjectKind::Group, false),
            ("includeRoles", ObjectKind::Role, true),
            ("excludeRoles", ObjectKind::Role, false),
        ] {
            for (value, path) in u.strings(key, self.rep) {
                let name = self.reference(Kind::Object(kind), &value, &path);
                let principal = sp(Principal::Ref(RefKind::Object(kind), name));
                if is_include { include.push(principal) } else { exclude.push(principal) }
            }
        }
        for (key, is_include) in
            [("includeGuestsOrExternalUsers", true), ("excludeGuestsOrExternalUsers", false)]
        {
            let value = u.take(key);
            if let Some(guests) = self.guests(value.as_ref(), u.path(key)) {
                if is_include { include.push(sp(guests)) } else { exclude.push(sp(guests)) }
            }
        }
        u.finish(self.rep);
        let mut lines = Vec::new();
        if !include.is_empty() {
            lines.push(IncludeExclude::Include(include));
        }
        if !exclude.is_empty() {
            lines.push(IncludeExclude::Exclude(exclude));
        }
        lines
    }

    fn guests(&mut self, value: Option<&Value>, path: JsonPath) -> Option<Principal> {
        value.filter(|v| !is_empty(v))?;
        let mut g = Props::new(value, path);
        let types_path = g.path("guestOrExternalUserTypes");
        let types_text = g.string("guestOrExternalUserTypes", self.rep).unwrap_or_default();
        let mut types = Vec::new();
        for t in flags(&types_text) {
            if t == "none" {
                continue;
            }
            if let Some(w) = lookup(self.rep, GUEST_TYPES, &t, &types_path, "guest or external user type") {
                types.push(word(w));
            }
        }
        let tenants_value = g.take("externalTenants");
        let mut tenants_props = Props::new(tenants_value.as_ref(), g.path("externalTenants"));
        let kind_path = tenants_props.path("membershipKind");
        let kind = tenants_props.string("membershipKind", self.rep);
        let members = tenants_props.strings("members", self.rep);
        let tenants = match kind.as_deref() {
            None | Some("all") => None,
            Some("enumerated") => Some(sp(members.into_iter().map(|(m, _)| sp(m)).collect::<Vec<_>>())),
            Some(other) => {
                self.rep.unmodelled(
                    &kind_path,
                    &format!("membership kind `{other}` is unknown; read as all tenants"),
                );
                None
            }
        };
        tenants_props.finish(self.rep);
        g.finish(self.rep);
        if types.is_empty() && tenants.is_none() {
            self.rep.unmodelled(&types_path, "no guest or external user type capol knows");
            return None;
        }
        Some(Principal::Guests { types, tenants })
    }

    fn service_principals(&mut self, cond: &mut Props) -> Vec<Spanned<ServicePrincipalItem>> {
        let value = cond.take("clientApplications");
        let mut c = Props::new(value.as_ref(), cond.path("clientApplications"));
        let mut lines = Vec::new();
        for (key, is_include) in [("includeServicePrincipals", true), ("excludeServicePrincipals", false)] {
            let mut refs = Vec::new();
            for (value, path) in c.strings(key, self.rep) {
                if value == "ServicePrincipalsInMyTenant" && is_include {
                    refs.push(sp(SpRef::All));
                } else {
                    let name = self.reference(Kind::Object(ObjectKind::ServicePrincipal), &value, &path);
                    refs.push(sp(SpRef::Named(name)));
                }
            }
            if !refs.is_empty() {
                lines.push(sp(if is_include {
                    ServicePrincipalItem::Include(refs)
                } else {
                    ServicePrincipalItem::Exclude(refs)
                }));
            }
        }
        let filter_value = c.take("servicePrincipalFilter");
        if let Some(f) = self.filter(filter_value.as_ref(), c.path("servicePrincipalFilter")) {
            lines.push(sp(ServicePrincipalItem::Filter(f)));
        }
        c.finish(self.rep);
        lines
    }

    fn filter(&mut self, value: Option<&Value>, path: JsonPath) -> Option<Filter> {
        value.filter(|v| !is_empty(v))?;
        let mut f = Props::new(value, path);
        let mode_path = f.path("mode");
        let mode = f.string("mode", self.rep);
        let rule = f.string("rule", self.rep);
        f.finish(self.rep);
        let mode = match mode.as_deref() {
            Some("include") => FilterMode::Include,
            Some("exclude") => FilterMode::Exclude,
            other => {
                self.rep.invalid(
                    &mode_path,
                    &format!("is `{}`, not `include` or `exclude`", other.unwrap_or("missing")),
                );
                return None;
            }
        };
        Some(Filter { mode: sp(mode), rule: sp(rule.unwrap_or_default()) })
    }

    fn applications(&mut self, cond: &mut Props) -> Vec<PolicyItem> {
        let value = cond.take("applications");
        let mut a = Props::new(value.as_ref(), cond.path("applications"));
        let mut out = Vec::new();
        let apps = |reader: &mut Self, key: &str, is_include: bool, a: &mut Props| -> Vec<Ident> {
            let mut names = Vec::new();
            for (value, path) in a.strings(key, reader.rep) {
                let special = match value.as_str() {
                    "All" if is_include => Some("all"),
                    "None" if is_include => Some("none"),
                    "Office365" => Some("office365"),
                    "MicrosoftAdminPortals" => Some("admin_portals"),
                    _ => None,
                };
                match special {
                    Some(w) => names.push(word(w)),
                    None if is_guid(&value) || is_placeholder(&value) => {
                        names.push(reader.reference(Kind::Object(ObjectKind::App), &value, &path))
                    }
                    None => reader.rep.unmodelled(
                        &path,
                        &format!("`{value}` is not an app id or an app group capol knows"),
                    ),
                }
            }
            names
        };
        let include = apps(self, "includeApplications", true, &mut a);
        let exclude = apps(self, "excludeApplications", false, &mut a);
        let mut actions = Vec::new();
        for (value, path) in a.strings("includeUserActions", self.rep) {
            if let Some(w) = lookup(self.rep, ACTIONS, &value, &path, "user action") {
                actions.push(word(w));
            }
        }
        let mut contexts = Vec::new();
        for (value, path) in a.strings("includeAuthenticationContextClassReferences", self.rep) {
            contexts.push(self.reference(Kind::Object(ObjectKind::AuthContext), &value, &path));
        }
        let filter_value = a.take("applicationFilter");
        let filter = self.filter(filter_value.as_ref(), a.path("applicationFilter"));
        a.finish(self.rep);
        if !include.is_empty() {
            out.push(PolicyItem::Target(TargetKind::Apps, include));
        }
        if !actions.is_empty() {
            out.push(PolicyItem::Target(TargetKind::Action, actions));
        }
        if !contexts.is_empty() {
            out.push(PolicyItem::Target(TargetKind::AuthContext, contexts));
        }
        if out.is_empty() {
            return out;
        }
        if !exclude.is_empty() {
            out.push(PolicyItem::ExcludeApps(exclude));
        }
        if let Some(f) = filter {
            out.push(PolicyItem::AppFilter(f));
        }
        out
    }

    /// Locations, platforms, client apps, risks, device filter and authentication flows.
    fn conditions(&mut self, cond: &mut Props) -> Vec<PolicyItem> {
        let mut out = Vec::new();
        // Locations.
        let value = cond.take("locations");
        let mut l = Props::new(value.as_ref(), cond.path("locations"));
        let mut lines = Vec::new();
        for (key, is_include) in [("includeLocations", true), ("excludeLocations", false)] {
            let mut refs = Vec::new();
            for (value, path) in l.strings(key, self.rep) {
                let r = match value.as_str() {
                    "All" if is_include => LocationRef::Any,
                    "AllTrusted" => LocationRef::Trusted,
                    v => LocationRef::Named(self.reference(Kind::Location, v, &path)),
                };
                refs.push(sp(r));
            }
            if !refs.is_empty() {
                lines.push(sp(if is_include {
                    IncludeExclude::Include(refs)
                } else {
                    IncludeExclude::Exclude(refs)
                }));
            }
        }
        l.finish(self.rep);
        if !lines.is_empty() {
            out.push(PolicyItem::Locations(lines));
        }
        // Platforms.
        let value = cond.take("platforms");
        let mut p = Props::new(value.as_ref(), cond.path("platforms"));
        let mut lines = Vec::new();
        for (key, is_include) in [("includePlatforms", true), ("excludePlatforms", false)] {
            let mut words = Vec::new();
            for (value, path) in p.strings(key, self.rep) {
                if let Some(w) = lookup(self.rep, PLATFORMS, &value, &path, "device platform") {
                    words.push(sp(word(w)));
                }
            }
            if !words.is_empty() {
                lines.push(sp(if is_include {
                    IncludeExclude::Include(words)
                } else {
                    IncludeExclude::Exclude(words)
                }));
            }
        }
        p.finish(self.rep);
        if !lines.is_empty() {
            out.push(PolicyItem::Platforms(lines));
        }
        // Client apps: `["all"]` is the default and is left unwritten.
        let mut apps = Vec::new();
        for (value, path) in cond.strings("clientAppTypes", self.rep) {
            if let Some(w) = lookup(self.rep, CLIENT_APPS, &value, &path, "client app type") {
                apps.push(word(w));
            }
        }
        if !(apps.is_empty() || apps.len() == 1 && apps[0].node == "all") {
            out.push(PolicyItem::ClientApps(apps));
        }
        // Risks.
        for (key, kind) in [
            ("signInRiskLevels", RiskKind::SignIn),
            ("userRiskLevels", RiskKind::User),
            ("servicePrincipalRiskLevels", RiskKind::ServicePrincipal),
        ] {
            let mut levels = Vec::new();
            for (value, path) in cond.strings(key, self.rep) {
                if let Some(w) = lookup(self.rep, RISKS, &value, &path, "risk level") {
                    levels.push(word(w));
                }
            }
            if !levels.is_empty() {
                out.push(PolicyItem::Risk(kind, levels));
            }
        }
        let insider_path = cond.path("insiderRiskLevels");
        if let Some(text) = cond.string("insiderRiskLevels", self.rep) {
            let mut levels = Vec::new();
            for level in flags(&text) {
                if let Some(w) = lookup(self.rep, INSIDER_RISKS, &level, &insider_path, "insider risk level")
                {
                    levels.push(word(w));
                }
            }
            if !levels.is_empty() {
                out.push(PolicyItem::Risk(RiskKind::Insider, levels));
            }
        }
        // Devices.
        let value = cond.take("devices");
        let mut d = Props::new(value.as_ref(), cond.path("devices"));
        let filter_value = d.take("deviceFilter");
        if let Some(f) = self.filter(filter_value.as_ref(), d.path("deviceFilter")) {
            out.push(PolicyItem::DeviceFilter(f));
        }
        d.finish(self.rep);
        // Authentication flows.
        let value = cond.take("authenticationFlows");
        let mut f = Props::new(value.as_ref(), cond.path("authenticationFlows"));
        let methods_path = f.path("transferMethods");
        if let Some(text) = f.string("transferMethods", self.rep) {
            let mut flows = Vec::new();
            for m in flags(&text) {
                if m == "none" {
                    continue;
                }
                if let Some(w) = lookup(self.rep, FLOWS, &m, &methods_path, "authentication flow") {
                    flows.push(word(w));
                }
            }
            if !flows.is_empty() {
                out.push(PolicyItem::AuthFlows(flows));
            }
        }
        f.finish(self.rep);
        out
    }

    fn grant(&mut self, value: Option<&Value>, path: JsonPath) -> Option<GrantExpr> {
        value.filter(|v| !is_empty(v))?;
        let mut g = Props::new(value, path);
        let mut controls: Vec<Spanned<Control>> = Vec::new();
        for (value, path) in g.strings("builtInControls", self.rep) {
            if let Some(w) = lookup(self.rep, CONTROLS, &value, &path, "grant control") {
                controls.push(sp(Control::Builtin(word(w))));
            }
        }
        for (key, kind) in [
            ("termsOfUse", ObjectKind::TermsOfUse),
            ("customAuthenticationFactors", ObjectKind::CustomControl),
        ] {
            for (value, path) in g.strings(key, self.rep) {
                let name = self.reference(Kind::Object(kind), &value, &path);
                controls.push(sp(Control::Ref(RefKind::Object(kind), name)));
            }
        }
        let strength_path = g.path("authenticationStrength");
        if let Some(strength) = g.take("authenticationStrength") {
            match strength.get("id").and_then(Value::as_str) {
                Some(id) => {
                    if let (Some(Value::String(name)), Value::Object(obj)) =
                        (strength.get("displayName"), &strength)
                    {
                        let mut named = obj.clone();
                        named.insert("displayName".into(), Value::String(name.clone()));
                        self.inv.add_auth_strength(&named);
                    }
                    let name =
                        self.reference(Kind::Object(ObjectKind::AuthStrength), id, &strength_path.key("id"));
                    controls.push(sp(Control::Ref(RefKind::Object(ObjectKind::AuthStrength), name)));
                }
                None if !is_empty(&strength) => self.rep.invalid(&strength_path, "has no `id`"),
                None => {}
            }
        }
        let operator_path = g.path("operator");
        let operator = g.string("operator", self.rep);
        g.finish(self.rep);
        if controls.is_empty() {
            return None;
        }
        if controls.len() == 1 {
            let only = controls.remove(0);
            if matches!(&only.node, Control::Builtin(w) if w.node == "block") {
                return Some(GrantExpr::Block);
            }
            return Some(GrantExpr::One(only));
        }
        match operator.as_deref() {
            Some("AND") => Some(GrantExpr::All(controls)),
            Some("OR") => Some(GrantExpr::Any(controls)),
            Some(o) if o.eq_ignore_ascii_case("and") || o.eq_ignore_ascii_case("or") => {
                let canonical = o.to_ascii_uppercase();
                let value = o.to_owned();
                let upper = canonical.clone();
                self.rep.warn(&operator_path, move |property, span| Error::ImportNonCanonical {
                    property,
                    value,
                    canonical,
                    span,
                });
                Some(if upper == "AND" { GrantExpr::All(controls) } else { GrantExpr::Any(controls) })
            }
            other => {
                self.rep.invalid(
                    &operator_path,
                    &format!(
                        "is `{}`, not `AND` or `OR`; the controls were read as required together (AND)",
                        other.unwrap_or("missing")
                    ),
                );
                Some(GrantExpr::All(controls))
            }
        }
    }

    fn session(&mut self, value: Option<&Value>, path: JsonPath) -> Vec<SessionItem> {
        let mut s = Props::new(value, path);
        let mut out = Vec::new();
        // A control is on when it is present and not switched off with `isEnabled: false`.
        let control = |s: &mut Props, key: &str| -> Option<(Value, JsonPath)> {
            let v = s.take(key)?;
            let path = s.path(key);
            if v.get("isEnabled") == Some(&Value::Bool(false)) || is_empty(&v) {
                return None;
            }
            Some((v, path))
        };
        if let Some((v, path)) = control(&mut s, "applicationEnforcedRestrictions") {
            let mut c = Props::new(Some(&v), path);
            c.map.remove("isEnabled");
            c.finish(self.rep);
            out.push(SessionItem::AppEnforcedRestrictions);
        }
        if let Some((v, path)) = control(&mut s, "cloudAppSecurity") {
            let mut c = Props::new(Some(&v), path);
            c.map.remove("isEnabled");
            let kind_path = c.path("cloudAppSecurityType");
            let kinds = [
                ("monitorOnly", "monitor_only"),
                ("blockDownloads", "block_downloads"),
                ("mcasConfigured", "mcas_configured"),
            ];
            if let Some(kind) = c.string("cloudAppSecurityType", self.rep)
                && let Some(w) = lookup(self.rep, &kinds, &kind, &kind_path, "cloud app security type")
            {
                out.push(SessionItem::CloudAppSecurity(word(w)));
            }
            c.finish(self.rep);
        }
        let resilience_path = s.path("disableResilienceDefaults");
        match s.take("disableResilienceDefaults") {
            Some(Value::Bool(true)) => out.push(SessionItem::DisableResilienceDefaults),
            Some(Value::Bool(false)) | None => {}
            Some(_) => self.rep.invalid(&resilience_path, "is not `true` or `false`"),
        }
        if let Some((v, path)) = control(&mut s, "persistentBrowser") {
            let mut c = Props::new(Some(&v), path);
            c.map.remove("isEnabled");
            let mode_path = c.path("mode");
            if let Some(mode) = c.string("mode", self.rep)
                && let Some(w) = lookup(
                    self.rep,
                    &[("always", "always"), ("never", "never")],
                    &mode,
                    &mode_path,
                    "persistent browser mode",
                )
            {
                out.push(SessionItem::PersistentBrowser(word(w)));
            }
            c.finish(self.rep);
        }
        if let Some((v, path)) = control(&mut s, "secureSignInSession") {
            let mut c = Props::new(Some(&v), path);
            c.map.remove("isEnabled");
            c.finish(self.rep);
            out.push(SessionItem::SecureSignInSession);
        }
        if let Some((v, path)) = control(&mut s, "signInFrequency")
            && let Some(f) = self.sign_in_frequency(&v, path)
        {
            out.push(SessionItem::SignInFrequency(f));
        }
        s.finish(self.rep);
        out
    }

    fn sign_in_frequency(&mut self, value: &Value, path: JsonPath) -> Option<SignInFrequency> {
        let mut f = Props::new(Some(value), path);
        f.map.remove("isEnabled");
        let interval_path = f.path("frequencyInterval");
        let interval = f.string("frequencyInterval", self.rep);
        let auth_path = f.path("authenticationType");
        let authentication = f.string("authenticationType", self.rep);
        let unit_path = f.path("type");
        let unit = f.string("type", self.rep);
        let value_path = f.path("value");
        let amount = f.take("value");
        f.finish(self.rep);
        let authentication = match authentication.as_deref() {
            None | Some("primaryAndSecondaryAuthentication") => None,
            Some("secondaryAuthentication") => Some(word("secondary")),
            Some(other) => {
                self.rep
                    .unmodelled(&auth_path, &format!("`{other}` is not an authentication type capol knows"));
                None
            }
        };
        let every_time = match interval.as_deref() {
            Some("everyTime") => true,
            None | Some("timeBased") => false,
            Some(other) => {
                self.rep.unmodelled(
                    &interval_path,
                    &format!("`{other}` is not a frequency interval capol knows"),
                );
                return None;
            }
        };
        if every_time {
            return Some(SignInFrequency {
                block_form: authentication.is_some(),
                interval: Some(word("every_time")),
                period: None,
                authentication,
            });
        }
        let unit = match unit.as_deref() {
            Some("hours") => DurationUnit::Hours,
            Some("days") => DurationUnit::Days,
            other => {
                self.rep.invalid(
                    &unit_path,
                    &format!("is `{}`, not `hours` or `days`", other.unwrap_or("missing")),
                );
                return None;
            }
        };
        let Some(amount) = amount.as_ref().and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok()) else {
            self.rep.invalid(&value_path, "is not a whole number of hours or days");
            return None;
        };
        let period = Some(sp(Duration { value: amount, unit }));
        let block_form = authentication.is_some();
        Some(SignInFrequency {
            block_form,
            interval: block_form.then(|| word("time_based")),
            period,
            authentication,
        })
    }
}
