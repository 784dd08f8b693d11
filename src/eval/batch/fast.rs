//! The fast path of batch evaluation: a capol scenario line or a Graph `signIn` record read into
//! a borrowed struct (no `serde_json::Value`, no owned strings), resolved through the engine's
//! interners and per-thread caches, evaluated into reusable buffers. It handles the common shapes
//! only and answers `None` for anything else — escapes in the strings it reads, unknown or
//! inline-membership fields of a scenario, a record's `userType`, repeated keys, device lists, and
//! every line with an error — so that the general path, which also words the errors, decides
//! those lines.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::scan::{self, Scalar};

use super::super::Input;
use super::super::scenario::{AUTH_FLOWS, CLIENTS, INSIDER_RISKS, PLATFORMS, RISKS, Resolver, word};
use super::super::signin::{AppRef, Context, Identity, Principal, Risk, SignIn, country_slot};
use super::super::signin_log;
use crate::catalog;
use crate::check::words;
use crate::devfilter::{self, Device, DeviceValue, Kind};
use crate::ir::AuthFlow;

/// Device objects with more fields than this take the general path.
const DEVICE_FIELDS: usize = 8;

/// Distinct app keys remembered per thread; past this, apps are resolved every time.
const APP_CACHE: usize = 4096;

/// Distinct device field names remembered per thread.
const KEY_CACHE: usize = 64;

/// A capol scenario line, borrowed from its text. The fields that add group or role
/// memberships, a user type or a tenant are absent on purpose: a line with them takes the
/// general path (as does a line with any other field).
#[derive(Default)]
struct Line<'a> {
    name: Option<&'a str>,
    user: Option<&'a str>,
    service_principal: Option<&'a str>,
    app: Option<&'a str>,
    action: Option<&'a str>,
    auth_context: Option<&'a str>,
    ip: Option<&'a str>,
    country: Option<&'a str>,
    gps_country: Option<&'a str>,
    platform: Option<&'a str>,
    client_app: Option<&'a str>,
    sign_in_risk: Option<&'a str>,
    user_risk: Option<&'a str>,
    service_principal_risk: Option<&'a str>,
    insider_risk: Option<&'a str>,
    auth_flow: Option<&'a str>,
    device: Option<DeviceLine<'a>>,
    used_combined_registration: Option<bool>,
}

/// A device object's fields in input order, without allocating.
struct DeviceLine<'a> {
    /// The object's text, braces included.
    source: &'a str,
    fields: [(&'a str, Scalar<'a>); DEVICE_FIELDS],
    len: usize,
}

impl<'a> DeviceLine<'a> {
    fn fields(&self) -> &[(&'a str, Scalar<'a>)] {
        self.fields.get(..self.len).unwrap_or_default()
    }
}

/// Read a scenario line of the common shape into `line` (all `None` before); `None` for
/// anything else (an unknown field, a repeated one, a value of another type or with escapes,
/// malformed JSON).
fn read_line<'a>(text: &'a str, line: &mut Line<'a>) -> Option<()> {
    let bytes = text.as_bytes();
    let mut seen = 0u32;
    let end = scan::object(text, scan::ws(bytes, 0), |key, i| {
        let (bit, slot) = match key {
            "name" => (0, &mut line.name),
            "user" => (1, &mut line.user),
            "service_principal" => (2, &mut line.service_principal),
            "app" => (3, &mut line.app),
            "action" => (4, &mut line.action),
            "auth_context" => (5, &mut line.auth_context),
            "ip" => (6, &mut line.ip),
            "country" => (7, &mut line.country),
            "gps_country" => (8, &mut line.gps_country),
            "platform" => (9, &mut line.platform),
            "client_app" => (10, &mut line.client_app),
            "sign_in_risk" => (11, &mut line.sign_in_risk),
            "user_risk" => (12, &mut line.user_risk),
            "service_principal_risk" => (13, &mut line.service_principal_risk),
            "insider_risk" => (14, &mut line.insider_risk),
            "auth_flow" => (15, &mut line.auth_flow),
            "device" => {
                if seen & 1 << 16 != 0 {
                    return None;
                }
                seen |= 1 << 16;
                if !scan::at(bytes, i, b'{') {
                    let (value, next) = scan::scalar(text, i)?;
                    return (value == Scalar::Null).then_some(next);
                }
                let device = line.device.insert(DeviceLine {
                    source: "",
                    fields: [("", Scalar::Null); DEVICE_FIELDS],
                    len: 0,
                });
                let next = scan::object(text, i, |key, i| {
                    // A repeated key keeps its first position and last value in the general
                    // path's map; rare enough to leave to it.
                    if device.fields().iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    let (value, next) = scan::scalar(text, i)?;
                    *device.fields.get_mut(device.len)? = (key, value);
                    device.len += 1;
                    Some(next)
                })?;
                device.source = text.get(i..next)?;
                return Some(next);
            }
            "used_combined_registration" => {
                if seen & 1 << 17 != 0 {
                    return None;
                }
                seen |= 1 << 17;
                let (value, next) = scan::scalar(text, i)?;
                line.used_combined_registration = match value {
                    Scalar::Bool(b) => Some(b),
                    Scalar::Null => None,
                    Scalar::Str(_) => return None,
                };
                return Some(next);
            }
            _ => return None,
        };
        if seen & 1 << bit != 0 {
            return None;
        }
        seen |= 1 << bit;
        let (value, next) = scan::scalar(text, i)?;
        *slot = match value {
            Scalar::Str(v) => Some(v),
            Scalar::Null => None,
            Scalar::Bool(_) => return None,
        };
        Some(next)
    })?;
    (scan::ws(bytes, end) == bytes.len()).then_some(())
}

/// Whether a property is present, whatever its value (`null` included).
#[derive(Default)]
struct Presence(bool);

impl<'de> Deserialize<'de> for Presence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d).map(|_| Presence(true))
    }
}

/// A string property whose presence counts even when `null`.
#[derive(Default)]
struct Seen<'a> {
    present: bool,
    value: Option<&'a str>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Seen<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<&'a str>::deserialize(d).map(|value| Seen { present: true, value })
    }
}

/// The properties of a Graph `signIn` record that `signin_log::scenario` reads; the others are
/// skipped unread.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(default)]
    sign_in_identity: Presence,
    #[serde(default)]
    created_date_time: Presence,
    #[serde(borrow, default)]
    user_id: Seen<'a>,
    #[serde(borrow, default)]
    user_principal_name: Seen<'a>,
    #[serde(borrow, default)]
    app_id: Seen<'a>,
    #[serde(borrow, default)]
    resource_id: Seen<'a>,
    #[serde(borrow, default)]
    ip_address: Seen<'a>,
    #[serde(borrow, default)]
    client_app_used: Seen<'a>,
    #[serde(borrow)]
    id: Option<&'a str>,
    #[serde(borrow)]
    service_principal_id: Option<&'a str>,
    #[serde(borrow)]
    user_type: Option<&'a str>,
    #[serde(borrow)]
    location: Option<RecordLocation<'a>>,
    #[serde(borrow)]
    device_detail: Option<RecordDevice<'a>>,
    #[serde(borrow)]
    risk_level_during_sign_in: Option<&'a str>,
    #[serde(borrow)]
    authentication_protocol: Option<&'a str>,
    #[serde(borrow)]
    original_transfer_method: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordLocation<'a> {
    #[serde(borrow)]
    country_or_region: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordDevice<'a> {
    #[serde(borrow)]
    operating_system: Option<&'a str>,
    #[serde(borrow)]
    device_id: Option<&'a str>,
    #[serde(borrow)]
    display_name: Option<&'a str>,
    #[serde(borrow)]
    trust_type: Option<&'a str>,
    is_compliant: Option<bool>,
}

/// A record's string as `signin_log` reads it: blank counts as absent.
fn text(value: Option<&str>) -> Option<&str> {
    value.filter(|s| !s.trim().is_empty())
}

/// FNV-1a for the per-thread caches: their keys are short and their size bounded, and SipHash
/// would cost more than the rest of resolving a line. (Keys come from the sign-in file the user
/// evaluates, not from a network peer.)
#[derive(Debug, Default, Clone, Copy)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// App keys to resolved apps.
type AppCache = HashMap<String, AppRef, BuildHasherDefault<Fnv>>;

/// User keys to their facts.
type UserCache = HashMap<String, Arc<Principal>, BuildHasherDefault<Fnv>>;

/// Distinct user keys remembered per thread.
const USER_CACHE: usize = 1 << 16;

/// Per-thread state of the fast path.
#[derive(Debug, Default)]
pub(super) struct FastScratch {
    /// The batch the caches below belong to.
    batch: u64,
    /// Resolved apps by the line's key.
    apps: AppCache,
    /// The device of the previous line, reused when the next one has the same properties.
    device: Device,
    /// The scenario device object `device` was read from (empty when unknown).
    device_source: String,
    /// Users by the line's key.
    users: UserCache,
    /// A device field name in camelCase.
    camel: String,
    /// Device field names as written, with the attribute `Device::set` stores them under.
    keys: Vec<(String, Option<(&'static str, Kind)>)>,
    /// A device's properties before they are compared with `device`.
    props: Vec<(&'static str, Prop)>,
}

/// A device property value, owned only when it differs from the previous line's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prop {
    Bool(bool),
    /// A byte range of the line's text.
    Text(usize, usize),
    /// A fixed word.
    Word(&'static str),
}

/// Read, resolve and evaluate a line of `input` documents into `applicable`; the line's label
/// (`name`, a record's `id`), or `None` when the line needs the general path.
pub(super) fn evaluate<'t>(
    resolver: &Resolver<'_>,
    input: Input,
    batch: u64,
    empty: &Arc<Principal>,
    text: &'t str,
    scratch: &mut super::Scratch,
) -> Option<Option<&'t str>> {
    if scratch.fast.batch != batch {
        scratch.fast.apps.clear();
        scratch.fast.users.clear();
        scratch.fast.batch = batch;
    }
    let (name, mut sign_in) = match input {
        Input::Scenario => scenario(resolver, empty, text, &mut scratch.fast)?,
        Input::SignIn => record(resolver, empty, text, &mut scratch.fast, false)?,
        Input::Auto => {
            let mut line = Line::default();
            match read_line(text, &mut line) {
                Some(()) => scenario_line(resolver, empty, text, &line, &mut scratch.fast)?,
                None => record(resolver, empty, text, &mut scratch.fast, true)?,
            }
        }
        Input::Graph => return None,
    };
    sign_in.device = std::mem::take(&mut scratch.fast.device);
    resolver.engine.applicable_into(&sign_in, &mut scratch.applicable);
    scratch.fast.device = std::mem::take(&mut sign_in.device);
    Some(name)
}

fn identity(
    resolver: &Resolver<'_>,
    empty: &Arc<Principal>,
    users: &mut UserCache,
    user: Option<&str>,
    service_principal: Option<&str>,
) -> Option<Identity> {
    Some(match (user, service_principal) {
        (Some(_), Some(_)) => return None,
        (None, Some(sp)) => Identity::ServicePrincipal(resolver.service_principal_ref(sp)?),
        (Some(user), None) => Identity::User(cached_user(resolver, users, user)?),
        (None, None) => Identity::User(Arc::clone(empty)),
    })
}

fn cached_user(resolver: &Resolver<'_>, cache: &mut UserCache, key: &str) -> Option<Arc<Principal>> {
    if let Some(p) = cache.get(key) {
        return Some(Arc::clone(p));
    }
    let p = resolver.known_user(key)?;
    if cache.len() < USER_CACHE {
        cache.insert(key.to_owned(), Arc::clone(&p));
    }
    Some(p)
}

fn scenario<'t>(
    resolver: &Resolver<'_>,
    empty: &Arc<Principal>,
    text: &'t str,
    fast: &mut FastScratch,
) -> Option<(Option<&'t str>, SignIn)> {
    let mut line = Line::default();
    read_line(text, &mut line)?;
    scenario_line(resolver, empty, text, &line, fast)
}

/// A capol scenario, as `Scenario::from_value` and `Resolver::resolve` read it; the device is
/// left in `fast.device`.
fn scenario_line<'t>(
    resolver: &Resolver<'_>,
    empty: &Arc<Principal>,
    text: &'t str,
    line: &Line<'t>,
    fast: &mut FastScratch,
) -> Option<(Option<&'t str>, SignIn)> {
    let identity = identity(resolver, empty, &mut fast.users, line.user, line.service_principal)?;
    let context = match (line.app, line.action, line.auth_context) {
        (Some(app), None, None) => Context::App(cached_app(resolver, &mut fast.apps, app)?),
        (None, Some(action), None) => Context::Action(word(words::USER_ACTIONS, action)?),
        (None, None, Some(ctx)) => Context::AuthContext(resolver.context_ref(ctx)?),
        _ => return None,
    };
    let mut sign_in = SignIn::new(identity, context);
    sign_in.ip = ip(line.ip)?;
    sign_in.country = country(line.country)?;
    sign_in.gps_country = country(line.gps_country)?;
    sign_in.platform = lookup(PLATFORMS, line.platform)?;
    sign_in.client = lookup(CLIENTS, line.client_app)?;
    sign_in.sign_in_risk = lookup(RISKS, line.sign_in_risk)?.unwrap_or_default();
    sign_in.user_risk = lookup(RISKS, line.user_risk)?.unwrap_or_default();
    sign_in.service_principal_risk = lookup(RISKS, line.service_principal_risk)?.unwrap_or_default();
    sign_in.insider_risk = lookup(INSIDER_RISKS, line.insider_risk)?.flatten();
    sign_in.auth_flow = lookup(AUTH_FLOWS, line.auth_flow)?.flatten();
    sign_in.used_combined_registration = line.used_combined_registration;
    device(text, line.device.as_ref(), fast)?;
    Some((line.name, sign_in))
}

/// A Graph `signIn` record, as `signin_log::scenario` and `Resolver::resolve` read it; `detect`:
/// only when `parse_input` would take the document for a record. The device is left in
/// `fast.device`.
fn record<'t>(
    resolver: &Resolver<'_>,
    empty: &Arc<Principal>,
    line: &'t str,
    fast: &mut FastScratch,
    detect: bool,
) -> Option<(Option<&'t str>, SignIn)> {
    let r: Record<'t> = serde_json::from_str(line).ok()?;
    if detect {
        let keys = [
            &r.user_id,
            &r.user_principal_name,
            &r.app_id,
            &r.resource_id,
            &r.ip_address,
            &r.client_app_used,
        ];
        if r.sign_in_identity.0 || !(r.created_date_time.0 || keys.iter().any(|k| k.present)) {
            return None;
        }
    }
    // A user type makes the general path copy the user's facts; rare in v1.0 records.
    if text(r.user_type).is_some() {
        return None;
    }
    let user = text(r.user_id.value).or(text(r.user_principal_name.value));
    let service_principal = if user.is_none() { text(r.service_principal_id) } else { None };
    let identity = identity(resolver, empty, &mut fast.users, user, service_principal)?;
    let app = text(r.resource_id.value).or(text(r.app_id.value))?;
    let mut sign_in = SignIn::new(identity, Context::App(cached_app(resolver, &mut fast.apps, app)?));
    sign_in.ip = ip(text(r.ip_address.value))?;
    sign_in.country = country(r.location.as_ref().and_then(|l| text(l.country_or_region)))?;
    sign_in.client = text(r.client_app_used.value).map(signin_log::client);
    sign_in.sign_in_risk = match text(r.risk_level_during_sign_in) {
        None => Risk::None,
        Some("none") => Risk::None,
        Some("low") => Risk::Low,
        Some("medium") => Risk::Medium,
        Some("high") => Risk::High,
        Some("hidden" | "unknownFutureValue") => Risk::Hidden,
        Some(_) => return None,
    };
    let protocol = text(r.authentication_protocol);
    let transfer = text(r.original_transfer_method);
    sign_in.auth_flow = match (protocol, transfer) {
        (_, Some(t)) if t.eq_ignore_ascii_case("deviceCodeFlow") => Some(AuthFlow::DeviceCode),
        (_, Some(t)) if t.eq_ignore_ascii_case("authenticationTransfer") => Some(AuthFlow::AuthTransfer),
        (Some(p), _) if p.eq_ignore_ascii_case("deviceCode") => Some(AuthFlow::DeviceCode),
        _ => None,
    };
    fast.props.clear();
    let registered = match &r.device_detail {
        None => {
            reuse_device(line, false, false, fast)?;
            return Some((text(r.id), sign_in));
        }
        Some(d) => {
            let os = text(d.operating_system);
            sign_in.platform = os.and_then(signin_log::platform);
            let mut put = |name: &str, prop: Option<Prop>| {
                if let (Some((canonical, _)), Some(prop)) = (devfilter::settable_attribute(name), prop) {
                    fast.props.push((canonical, prop));
                }
            };
            // Every string borrows from the line; should one not, `Word("")` sends the line to
            // the general path below.
            let span = |v: Option<&str>| {
                v.map(|v| range_in(line, v).map_or(Prop::Word(""), |(a, b)| Prop::Text(a, b)))
            };
            let id = text(d.device_id);
            put("deviceId", span(id));
            put("displayName", span(text(d.display_name)));
            put("operatingSystem", span(os));
            put(
                "trustType",
                text(d.trust_type).map(|t| match signin_log::trust_type_word(t) {
                    "ServerAD" => Prop::Word("ServerAD"),
                    "Workplace" => Prop::Word("Workplace"),
                    "AzureAD" => Prop::Word("AzureAD"),
                    own => range_in(line, own).map_or(Prop::Word(""), |(a, b)| Prop::Text(a, b)),
                }),
            );
            put("isCompliant", d.is_compliant.map(Prop::Bool));
            if fast.props.iter().any(|(_, p)| *p == Prop::Word("")) {
                return None;
            }
            id.is_some()
        }
    };
    reuse_device(line, registered, true, fast)?;
    Some((text(r.id), sign_in))
}

/// An IP address as `scenario::parse_ip` reads it; `Some(None)` when absent, `None` when invalid.
fn ip(text: Option<&str>) -> Option<Option<IpAddr>> {
    let Some(text) = text else { return Some(None) };
    let text = trim(text);
    match dotted_quad(text.as_bytes()) {
        Some(v4) => Some(Some(IpAddr::V4(v4))),
        None => Some(Some(text.parse::<IpAddr>().ok()?)),
    }
}

/// The common IPv4 spelling (four decimal octets, no leading zeros), which the standard parser
/// reads as the same address; `None` for anything else, left to it.
fn dotted_quad(bytes: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (k, slot) in octets.iter_mut().enumerate() {
        if k > 0 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut value = 0u32;
        while let Some(&d @ b'0'..=b'9') = bytes.get(i) {
            value = value * 10 + u32::from(d - b'0');
            i += 1;
            if i - start > 3 {
                return None;
            }
        }
        let leading_zero = i - start > 1 && bytes.get(start) == Some(&b'0');
        if i == start || leading_zero {
            return None;
        }
        *slot = u8::try_from(value).ok()?;
    }
    (i == bytes.len()).then_some(Ipv4Addr::from(octets))
}

/// `str::trim`, without decoding characters when both ends are visible ASCII (which it keeps).
fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b.is_ascii());
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) { text } else { text.trim() }
}

/// A word of a table; `Some(None)` when absent, `None` for a word not in the table.
fn lookup<T: Copy>(table: &[(&'static str, T)], text: Option<&str>) -> Option<Option<T>> {
    match text {
        None => Some(None),
        Some(w) => word(table, w).map(Some),
    }
}

/// A country code as the general path stores it (trimmed, upper case, catalogued); `Some(None)`
/// when absent, `None` when the general path would reject it.
fn country(text: Option<&str>) -> Option<Option<[u8; 2]>> {
    let Some(text) = text else { return Some(None) };
    let [a, b] = trim(text).as_bytes() else { return None };
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    (code.iter().all(u8::is_ascii_uppercase) && known_countries()[country_slot(code)]).then_some(Some(code))
}

/// Which two-letter codes the catalogue knows, by `country_slot`.
fn known_countries() -> &'static [bool; 676] {
    static KNOWN: OnceLock<[bool; 676]> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut known = [false; 676];
        for (code, _) in catalog::COUNTRIES {
            if let [a, b] = code.as_bytes()
                && a.is_ascii_uppercase()
                && b.is_ascii_uppercase()
                && let Some(slot) = known.get_mut(country_slot([*a, *b]))
            {
                *slot = true;
            }
        }
        known
    })
}

fn cached_app(resolver: &Resolver<'_>, cache: &mut AppCache, key: &str) -> Option<AppRef> {
    if let Some(app) = cache.get(key) {
        return Some(*app);
    }
    let app = resolver.app_ref(key)?;
    if cache.len() < APP_CACHE {
        cache.insert(key.to_owned(), app);
    }
    Some(app)
}

/// The byte range of `part` inside `text` (`part` borrows from `text`).
fn range_in(text: &str, part: &str) -> Option<(usize, usize)> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    text.get(start..end).is_some_and(|p| p == part).then_some((start, end))
}

/// Set `fast.device` to the line's device as `scenario::parse_device` would read it, reusing
/// the previous line's when equal; `None` when the general path must read it.
fn device(text: &str, line: Option<&DeviceLine<'_>>, fast: &mut FastScratch) -> Option<()> {
    fast.props.clear();
    let Some(line) = line else { return reuse_device(text, false, false, fast) };
    if !fast.device_source.is_empty() && fast.device_source == line.source {
        return Some(());
    }
    let mut registered = true;
    for &(key, value) in line.fields() {
        if key.starts_with("@odata.") {
            continue;
        }
        if key == "registered" {
            match value {
                Scalar::Bool(b) => registered = b,
                _ => return None,
            }
            continue;
        }
        if value == Scalar::Null {
            continue;
        }
        let (canonical, kind) = attribute(key, &mut fast.keys, &mut fast.camel)?;
        let prop = match (kind, value) {
            (Kind::Bool, Scalar::Bool(b)) => Prop::Bool(b),
            (Kind::Bool, Scalar::Str(t)) if t.eq_ignore_ascii_case("true") => Prop::Bool(true),
            (Kind::Bool, Scalar::Str(t)) if t.eq_ignore_ascii_case("false") => Prop::Bool(false),
            (Kind::Text, Scalar::Str(t)) => {
                let (start, end) = range_in(text, t)?;
                Prop::Text(start, end)
            }
            _ => return None,
        };
        match fast.props.iter_mut().find(|(c, _)| *c == canonical) {
            Some(slot) => slot.1 = prop,
            None => fast.props.push((canonical, prop)),
        }
    }
    reuse_device(text, registered, true, fast)?;
    fast.device_source.push_str(line.source);
    Some(())
}

/// The attribute a scenario's device field sets, as `scenario::parse_device` names it and
/// `Device::set` canonicalises it; remembered per field name.
fn attribute(
    key: &str,
    cache: &mut Vec<(String, Option<(&'static str, Kind)>)>,
    camel: &mut String,
) -> Option<(&'static str, Kind)> {
    if let Some((_, found)) = cache.iter().find(|(k, _)| k == key) {
        return *found;
    }
    let name = if key == "ownership" {
        "deviceOwnership"
    } else {
        devfilter::snake_to_camel_into(key, camel);
        camel.as_str()
    };
    let found = devfilter::settable_attribute(name);
    if cache.len() < KEY_CACHE {
        cache.push((key.to_owned(), found));
    }
    found
}

/// Make `fast.device` the device of `registered` and `fast.props` (or no device at all), in
/// place when it already has the same properties.
fn reuse_device(text: &str, registered: bool, given: bool, fast: &mut FastScratch) -> Option<()> {
    fast.device_source.clear();
    if !given {
        if fast.device.registered || !fast.device.props.is_empty() {
            fast.device = Device::default();
        }
        return Some(());
    }
    let value_of = |prop: Prop| -> Option<&str> {
        match prop {
            Prop::Text(start, end) => text.get(start..end),
            Prop::Word(w) => Some(w),
            Prop::Bool(_) => None,
        }
    };
    fast.device.registered = registered;
    let same_keys = fast.device.props.len() == fast.props.len()
        && fast.props.iter().all(|&(c, prop)| {
            matches!(
                (fast.device.props.get(c), prop),
                (Some(DeviceValue::Bool(_)), Prop::Bool(_))
                    | (Some(DeviceValue::Text(_)), Prop::Text(..) | Prop::Word(_))
            )
        });
    if same_keys {
        for &(c, prop) in &fast.props {
            match (fast.device.props.get_mut(c), prop) {
                (Some(DeviceValue::Bool(b)), Prop::Bool(new)) => *b = new,
                (Some(DeviceValue::Text(s)), _) => {
                    let new = value_of(prop)?;
                    if s != new {
                        s.clear();
                        s.push_str(new);
                    }
                }
                _ => return None,
            }
        }
    } else {
        fast.device.props.clear();
        for &(c, prop) in &fast.props {
            let value = match prop {
                Prop::Bool(b) => DeviceValue::Bool(b),
                Prop::Text(..) | Prop::Word(_) => DeviceValue::Text(value_of(prop)?.to_owned()),
            };
            fast.device.props.insert(c.to_owned(), value);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_quads_read_as_the_standard_parser_does() {
        for text in ["0.0.0.0", "11.0.3.4", "255.255.255.255", "192.168.10.200", "1.22.133.9"] {
            assert_eq!(dotted_quad(text.as_bytes()).map(IpAddr::V4), text.parse().ok(), "{text}");
        }
        for text in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.4 ",
            "1..2.3",
            "1.2.3.1000",
            "::1",
            "a.b.c.d",
        ] {
            assert_eq!(dotted_quad(text.as_bytes()), None, "{text}");
        }
    }
}
