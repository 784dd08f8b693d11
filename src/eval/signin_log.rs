//! Graph `signIn` log records (`GET /auditLogs/signIns`) mapped onto scenarios, for replaying
//! real sign-ins against a policy set.
//!
//! Mapping (research notes, graph-constraints §12; every property is optional):
//!
//! | signIn property | scenario field |
//! |---|---|
//! | `id` | `name` |
//! | `userId` (else `userPrincipalName`) | `user` |
//! | `servicePrincipalId` when there is no user | `service_principal` |
//! | `userType` (beta: `member`, `guest`) | `user_type` (`guest` → `b2b_collaboration_guest`) |
//! | `homeTenantId` of a guest (beta) | `external_tenant` |
//! | `resourceId`, else `appId` | `app`: Conditional Access targets the resource signed in to, not the client |
//! | `ipAddress` | `ip` |
//! | `location.countryOrRegion` | `country` |
//! | `clientAppUsed` | `client_app`: `Browser` → browser, `Mobile Apps and Desktop clients` → mobile_desktop, `Exchange ActiveSync` → exchange_active_sync, every other legacy value → other |
//! | `deviceDetail.operatingSystem` | `platform` (Windows, Windows Phone, iOS/iPadOS, Android, macOS, Linux; others unknown) and the device's `operatingSystem` |
//! | `deviceDetail.deviceId`, `displayName`, `isCompliant`, `trustType` | the device (registered when `deviceId` is set); log trust types map to filter values: joined → `AzureAD`, hybrid/domain joined → `ServerAD`, registered/workplace → `Workplace` |
//! | `riskLevelDuringSignIn` | `sign_in_risk` |
//! | `authenticationProtocol: deviceCode`, `originalTransferMethod` (beta) | `auth_flow` |
//!
//! The record holds no user risk or insider risk: both are taken as none.

use serde_json::Value;

use super::scenario::{ErrorKind, Scenario, ScenarioError, Source, Target, kind_of, parse_country, parse_ip};
use super::signin::{Client, Risk};
use crate::devfilter::{Device, DeviceValue};
use crate::ir::{AuthFlow, Platform, UserType};

fn text<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ScenarioError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(v) => Err(ScenarioError::new(
            ErrorKind::InvalidValue,
            if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") },
            format!("expected a string, found {}", kind_of(v)),
        )),
    }
}

/// The device platform of a log's `operatingSystem`.
pub fn platform(os: &str) -> Option<Platform> {
    let starts = |prefix: &str| {
        os.as_bytes().get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if starts("windows phone") || starts("winphone") || starts("windows 10 mobile") {
        Some(Platform::WindowsPhone)
    } else if starts("windows") {
        Some(Platform::Windows)
    } else if starts("ios") || starts("ipados") || starts("iphone") || starts("ipad") {
        Some(Platform::Ios)
    } else if starts("android") {
        Some(Platform::Android)
    } else if starts("mac") {
        Some(Platform::Macos)
    } else if starts("linux") || starts("ubuntu") {
        Some(Platform::Linux)
    } else {
        None
    }
}

/// The client app type of a log's `clientAppUsed`.
pub fn client(used: &str) -> Client {
    let used = used.trim();
    if used.eq_ignore_ascii_case("browser") {
        Client::Browser
    } else if used.eq_ignore_ascii_case("mobile apps and desktop clients") {
        Client::MobileDesktop
    } else if used.eq_ignore_ascii_case("exchange activesync") {
        Client::ExchangeActiveSync
    } else {
        Client::Other
    }
}

/// The device-filter `trustType` of a log's `deviceDetail.trustType`.
pub fn trust_type(log: &str) -> String {
    trust_type_word(log).to_owned()
}

/// `trust_type` without allocating: a filter value, or the log's own text.
pub(crate) fn trust_type_word(log: &str) -> &str {
    let has = |needle: &str| {
        log.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if has("hybrid") || has("domain") || log.eq_ignore_ascii_case("serverad") {
        "ServerAD"
    } else if has("registered") || has("workplace") {
        "Workplace"
    } else if has("joined") || log.eq_ignore_ascii_case("azuread") {
        "AzureAD"
    } else {
        log
    }
}

/// Read a `signIn` record.
///
/// # Errors
///
/// Not an object, a value of the wrong type, an invalid IP address or country code, or an unknown
/// risk level.
pub fn scenario(value: &Value) -> Result<Scenario, ScenarioError> {
    let Value::Object(obj) = value else {
        return Err(ScenarioError::new(
            ErrorKind::Json,
            "",
            format!("expected a JSON object, found {}", kind_of(value)),
        ));
    };
    let mut s = Scenario { source: Source::SignInLog, ..Scenario::default() };
    s.name = text(obj, "id", "")?.map(str::to_owned);
    s.user = text(obj, "userId", "")?.or(text(obj, "userPrincipalName", "")?).map(str::to_owned);
    if s.user.is_none() {
        s.service_principal = text(obj, "servicePrincipalId", "")?.map(str::to_owned);
    }
    if let Some(t) = text(obj, "userType", "")? {
        s.user_type = Some(if t.eq_ignore_ascii_case("guest") {
            UserType::B2bCollaborationGuest
        } else {
            UserType::Member
        });
        if t.eq_ignore_ascii_case("guest") {
            s.external_tenant = text(obj, "homeTenantId", "")?.map(str::to_owned);
        }
    }
    s.target = text(obj, "resourceId", "")?.or(text(obj, "appId", "")?).map(|a| Target::App(a.to_owned()));
    if let Some(ip) = text(obj, "ipAddress", "")? {
        s.ip = Some(parse_ip("ipAddress", ip)?);
    }
    if let Some(Value::Object(loc)) = obj.get("location")
        && let Some(c) = text(loc, "countryOrRegion", "location")?
    {
        s.country = Some(parse_country("location.countryOrRegion", c)?);
    }
    s.client_app = text(obj, "clientAppUsed", "")?.map(client);
    if let Some(Value::Object(d)) = obj.get("deviceDetail") {
        let os = text(d, "operatingSystem", "deviceDetail")?;
        s.platform = os.and_then(platform);
        let mut device =
            Device { registered: text(d, "deviceId", "deviceDetail")?.is_some(), ..Device::default() };
        let set = |device: &mut Device, name: &str, v: DeviceValue| {
            let _ = device.set(name, v);
        };
        if let Some(id) = text(d, "deviceId", "deviceDetail")? {
            set(&mut device, "deviceId", DeviceValue::Text(id.to_owned()));
        }
        if let Some(name) = text(d, "displayName", "deviceDetail")? {
            set(&mut device, "displayName", DeviceValue::Text(name.to_owned()));
        }
        if let Some(os) = os {
            set(&mut device, "operatingSystem", DeviceValue::Text(os.to_owned()));
        }
        if let Some(t) = text(d, "trustType", "deviceDetail")? {
            set(&mut device, "trustType", DeviceValue::Text(trust_type(t)));
        }
        match d.get("isCompliant") {
            Some(Value::Bool(b)) => set(&mut device, "isCompliant", DeviceValue::Bool(*b)),
            None | Some(Value::Null) => {}
            Some(v) => {
                return Err(ScenarioError::new(
                    ErrorKind::InvalidValue,
                    "deviceDetail.isCompliant",
                    format!("expected `true` or `false`, found {}", kind_of(v)),
                ));
            }
        }
        s.device = Some(device);
    }
    if let Some(r) = text(obj, "riskLevelDuringSignIn", "")? {
        s.sign_in_risk = Some(match r {
            "none" => Risk::None,
            "low" => Risk::Low,
            "medium" => Risk::Medium,
            "high" => Risk::High,
            "hidden" | "unknownFutureValue" => Risk::Hidden,
            other => {
                return Err(ScenarioError::new(
                    ErrorKind::InvalidValue,
                    "riskLevelDuringSignIn",
                    format!("unknown risk level `{other}`"),
                )
                .with_help(Some("expected `none`, `low`, `medium`, `high` or `hidden`".into())));
            }
        });
    }
    let protocol = text(obj, "authenticationProtocol", "")?;
    let transfer = text(obj, "originalTransferMethod", "")?;
    s.auth_flow = match (protocol, transfer) {
        (_, Some(t)) if t.eq_ignore_ascii_case("deviceCodeFlow") => Some(AuthFlow::DeviceCode),
        (_, Some(t)) if t.eq_ignore_ascii_case("authenticationTransfer") => Some(AuthFlow::AuthTransfer),
        (Some(p), _) if p.eq_ignore_ascii_case("deviceCode") => Some(AuthFlow::DeviceCode),
        _ => None,
    };
    Ok(s)
}

/// Whether a JSON object looks like a `signIn` record rather than a scenario or a What If
/// request.
pub fn looks_like_sign_in(value: &Value) -> bool {
    value.as_object().is_some_and(|o| SIGN_IN_KEYS.iter().any(|k| o.contains_key(*k)))
}

/// The properties whose presence (even `null`) makes a document a `signIn` record.
pub(crate) const SIGN_IN_KEYS: &[&str] =
    &["userId", "appId", "resourceId", "ipAddress", "clientAppUsed", "createdDateTime", "userPrincipalName"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_clients_and_trust_types() {
        assert_eq!(platform("Windows 10"), Some(Platform::Windows));
        assert_eq!(platform("Windows Phone 8"), Some(Platform::WindowsPhone));
        assert_eq!(platform("iOS 17.2"), Some(Platform::Ios));
        assert_eq!(platform("Ios"), Some(Platform::Ios));
        assert_eq!(platform("MacOs"), Some(Platform::Macos));
        assert_eq!(platform("Android"), Some(Platform::Android));
        assert_eq!(platform("ChromeOS"), None);
        assert_eq!(client("Browser"), Client::Browser);
        assert_eq!(client("Mobile Apps and Desktop clients"), Client::MobileDesktop);
        assert_eq!(client("Exchange ActiveSync"), Client::ExchangeActiveSync);
        assert_eq!(client("IMAP4"), Client::Other);
        assert_eq!(client("Other clients"), Client::Other);
        assert_eq!(trust_type("Azure AD registered"), "Workplace");
        assert_eq!(trust_type("Hybrid Azure AD joined"), "ServerAD");
        assert_eq!(trust_type("Azure AD joined"), "AzureAD");
        assert_eq!(trust_type("Domain Joined"), "ServerAD");
    }

    #[test]
    fn record_to_scenario() {
        let record = serde_json::json!({
            "id": "66ea54eb-6301-4ee5-be62-ff5a759b0100",
            "userId": "0b5a3c1e-6f0d-4a53-9d5e-2f1c8e7a6b40",
            "appId": "5d661950-3475-41cd-a2c3-d671a3162bc1",
            "resourceId": "00000002-0000-0ff1-ce00-000000000000",
            "ipAddress": "2001:db8:1000::9",
            "clientAppUsed": "Mobile Apps and Desktop clients",
            "location": {"city": "Paris", "countryOrRegion": "FR"},
            "deviceDetail": {"deviceId": "", "operatingSystem": "Ios", "isCompliant": false, "trustType": ""},
            "riskLevelDuringSignIn": "low",
        });
        let s = scenario(&record).unwrap();
        assert_eq!(s.target, Some(Target::App("00000002-0000-0ff1-ce00-000000000000".into())));
        assert_eq!(s.platform, Some(Platform::Ios));
        assert_eq!(s.client_app, Some(Client::MobileDesktop));
        assert_eq!(s.country.as_deref(), Some("FR"));
        assert_eq!(s.sign_in_risk, Some(Risk::Low));
        assert!(!s.device.unwrap().registered);
        let bad = serde_json::json!({"userId": "x", "ipAddress": "1.2.3"});
        assert_eq!(scenario(&bad).unwrap_err().field, "ipAddress");
    }
}
