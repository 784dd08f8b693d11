//! The fast path of batch evaluation: a capol scenario line read into a borrowed struct (no
//! `serde_json::Value`, no owned strings), resolved through the engine's interners and per-thread
//! caches, evaluated into reusable buffers. It handles the common shape only and answers `None`
//! for anything else — escapes in strings, unknown or inline-membership fields, duplicate keys,
//! device lists, and every line with an error — so that the general path, which also words the
//! errors, decides those lines.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::super::scenario::{AUTH_FLOWS, CLIENTS, INSIDER_RISKS, PLATFORMS, RISKS, Resolver, word};
use super::super::signin::{AppRef, Context, Identity, Principal, SignIn};
use crate::catalog;
use crate::check::words;
use crate::devfilter::{self, Device, DeviceValue, Kind};

/// Device objects with more fields than this take the general path.
const DEVICE_FIELDS: usize = 12;

/// Distinct app keys remembered per thread; past this, apps are resolved every time.
const APP_CACHE: usize = 4096;

/// A capol scenario line, borrowed from its text. The fields that add group or role
/// memberships, a user type or a tenant are absent on purpose: a line with them takes the
/// general path (as does a line with any other field, through `deny_unknown_fields`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    name: Option<&'a str>,
    #[serde(borrow)]
    user: Option<&'a str>,
    #[serde(borrow)]
    service_principal: Option<&'a str>,
    #[serde(borrow)]
    app: Option<&'a str>,
    #[serde(borrow)]
    action: Option<&'a str>,
    #[serde(borrow)]
    auth_context: Option<&'a str>,
    #[serde(borrow)]
    ip: Option<&'a str>,
    #[serde(borrow)]
    country: Option<&'a str>,
    #[serde(borrow)]
    gps_country: Option<&'a str>,
    #[serde(borrow)]
    platform: Option<&'a str>,
    #[serde(borrow)]
    client_app: Option<&'a str>,
    #[serde(borrow)]
    sign_in_risk: Option<&'a str>,
    #[serde(borrow)]
    user_risk: Option<&'a str>,
    #[serde(borrow)]
    service_principal_risk: Option<&'a str>,
    #[serde(borrow)]
    insider_risk: Option<&'a str>,
    #[serde(borrow)]
    auth_flow: Option<&'a str>,
    #[serde(borrow)]
    device: Option<DeviceLine<'a>>,
    used_combined_registration: Option<bool>,
}

/// A device field's value: the shapes the fast path takes (lists take the general path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null, a boolean or an unescaped string")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(b))
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(s))
            }
        }
        d.deserialize_any(V)
    }
}

/// A device object's fields in input order, without allocating.
struct DeviceLine<'a> {
    fields: [(&'a str, Scalar<'a>); DEVICE_FIELDS],
    len: usize,
}

impl<'a> DeviceLine<'a> {
    fn fields(&self) -> &[(&'a str, Scalar<'a>)] {
        self.fields.get(..self.len).unwrap_or_default()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for DeviceLine<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DeviceLine<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a device object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = DeviceLine { fields: [("", Scalar::Null); DEVICE_FIELDS], len: 0 };
                while let Some(key) = map.next_key::<&'de str>()? {
                    let value = map.next_value::<Scalar<'de>>()?;
                    // A repeated key keeps its first position and last value in the general
                    // path's map; rare enough to leave to it.
                    if out.fields().iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom("repeated device field"));
                    }
                    let Some(slot) = out.fields.get_mut(out.len) else {
                        return Err(de::Error::custom("too many device fields"));
                    };
                    *slot = (key, value);
                    out.len += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// Per-thread state of the fast path.
#[derive(Debug, Default)]
pub(super) struct FastScratch {
    /// The batch the caches below belong to.
    batch: u64,
    /// Resolved apps by the line's key.
    apps: HashMap<String, AppRef>,
    /// The device of the previous line, reused when the next one has the same properties.
    device: Device,
    /// A device field name in camelCase.
    camel: String,
    /// A device's properties before they are compared with `device`.
    props: Vec<(&'static str, Prop)>,
}

/// A device property value, owned only when it differs from the previous line's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prop {
    Bool(bool),
    /// A byte range of the line's text.
    Text(usize, usize),
}

/// Read, resolve and evaluate a capol scenario line into `applicable`; the line's `name`, or
/// `None` when the line needs the general path.
pub(super) fn evaluate<'t>(
    resolver: &Resolver<'_>,
    batch: u64,
    empty: &Arc<Principal>,
    text: &'t str,
    scratch: &mut super::Scratch,
) -> Option<Option<&'t str>> {
    let line: Line<'t> = serde_json::from_str(text).ok()?;
    let fast = &mut scratch.fast;
    if fast.batch != batch {
        fast.apps.clear();
        fast.batch = batch;
    }
    let identity = match (line.user, line.service_principal) {
        (Some(_), Some(_)) => return None,
        (None, Some(sp)) => Identity::ServicePrincipal(resolver.service_principal_ref(sp)?),
        (Some(user), None) => Identity::User(resolver.known_user(user)?),
        (None, None) => Identity::User(Arc::clone(empty)),
    };
    let context = match (line.app, line.action, line.auth_context) {
        (Some(app), None, None) => Context::App(cached_app(resolver, &mut fast.apps, app)?),
        (None, Some(action), None) => Context::Action(word(words::USER_ACTIONS, action)?),
        (None, None, Some(ctx)) => Context::AuthContext(resolver.context_ref(ctx)?),
        _ => return None,
    };
    let mut sign_in = SignIn::new(identity, context);
    sign_in.ip = match line.ip {
        Some(ip) => Some(ip.trim().parse::<IpAddr>().ok()?),
        None => None,
    };
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
    sign_in.device = std::mem::take(&mut fast.device);
    resolver.engine.applicable_into(&sign_in, &mut scratch.applicable);
    scratch.fast.device = std::mem::take(&mut sign_in.device);
    Some(line.name)
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
    let [a, b] = text.trim().as_bytes() else { return None };
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    let known = std::str::from_utf8(&code).ok().and_then(catalog::country_name).is_some();
    (known && code.iter().all(u8::is_ascii_alphabetic)).then_some(Some(code))
}

fn cached_app(resolver: &Resolver<'_>, cache: &mut HashMap<String, AppRef>, key: &str) -> Option<AppRef> {
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
    let Some(line) = line else {
        if fast.device.registered || !fast.device.props.is_empty() {
            fast.device = Device::default();
        }
        return Some(());
    };
    let mut registered = true;
    fast.props.clear();
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
        let name = if key == "ownership" {
            "deviceOwnership"
        } else {
            devfilter::snake_to_camel_into(key, &mut fast.camel);
            fast.camel.as_str()
        };
        if value == Scalar::Null {
            continue;
        }
        let (canonical, kind) = devfilter::settable_attribute(name)?;
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
    let value_of = |prop: Prop| -> Option<&str> {
        match prop {
            Prop::Text(start, end) => text.get(start..end),
            Prop::Bool(_) => None,
        }
    };
    let same = fast.device.registered == registered
        && fast.device.props.len() == fast.props.len()
        && fast.props.iter().all(|&(c, prop)| match (fast.device.props.get(c), prop) {
            (Some(DeviceValue::Bool(a)), Prop::Bool(b)) => *a == b,
            (Some(DeviceValue::Text(a)), Prop::Text(..)) => Some(a.as_str()) == value_of(prop),
            _ => false,
        });
    if !same {
        fast.device.registered = registered;
        fast.device.props.clear();
        for &(c, prop) in &fast.props {
            let value = match prop {
                Prop::Bool(b) => DeviceValue::Bool(b),
                Prop::Text(..) => DeviceValue::Text(value_of(prop)?.to_owned()),
            };
            fast.device.props.insert(c.to_owned(), value);
        }
    }
    Some(())
}
