//! A sign-in resolved against an engine: identities and targets as dense indices, conditions as
//! small enums. Built from a scenario by `Engine::resolve`; read by `Engine::evaluate`.

use std::net::IpAddr;
use std::sync::Arc;

use super::bits::BitSet;
use crate::devfilter::Device;
use crate::ir::{AuthFlow, InsiderRisk, Platform, UserAction, UserType};

/// Who signs in.
#[derive(Debug, Clone)]
pub enum Identity {
    /// A user.
    User(Arc<Principal>),
    /// A workload identity: its index among the engine's service principals, if it is one of
    /// them.
    ServicePrincipal(Option<u32>),
}

/// A user's facts as the engine sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Index among the engine's users, when the user is one the workspace knows.
    pub user: Option<u32>,
    /// Member or guest type.
    pub user_type: UserType,
    /// Memberships among the engine's groups (those policies or the registration preview name).
    pub groups: BitSet,
    /// Roles among the engine's roles.
    pub roles: BitSet,
    /// The guest's home tenant, as an index among the tenants policies name (`None` when absent
    /// or not named by any policy).
    pub tenant: Option<u32>,
}

/// What the sign-in is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A resource (cloud app).
    App(AppRef),
    /// A user action.
    Action(UserAction),
    /// An authentication context: its index among the engine's contexts, if known.
    AuthContext(Option<u32>),
}

/// A resource signed in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppRef {
    /// Index among the apps policies name, when it is one of them.
    pub index: Option<u32>,
    /// Member of the Office 365 app group.
    pub office365: bool,
    /// Member of the Microsoft Admin Portals app group.
    pub admin_portals: bool,
    /// The sign-in names the app group itself (`office365`, `admin_portals`), not one app.
    pub named_group: bool,
}

/// The client app type of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// A browser.
    Browser,
    /// Mobile apps and desktop clients (modern authentication).
    MobileDesktop,
    /// Exchange ActiveSync.
    ExchangeActiveSync,
    /// Exchange ActiveSync from a platform Microsoft supports for it (Graph's `easSupported`).
    EasSupported,
    /// Other, legacy clients.
    Other,
}

impl Client {
    /// The capol word.
    pub fn word(self) -> &'static str {
        match self {
            Client::Browser => "browser",
            Client::MobileDesktop => "mobile_desktop",
            Client::ExchangeActiveSync => "exchange_active_sync",
            Client::EasSupported => "eas_supported",
            Client::Other => "other",
        }
    }
}

/// A sign-in, user or workload identity risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Risk {
    /// No risk (the default when not given).
    #[default]
    None,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Hidden (tenants without Entra ID P2 see this); matches no policy level.
    Hidden,
}

impl Risk {
    /// The capol word.
    pub fn word(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Hidden => "hidden",
        }
    }
}

/// A resolved sign-in.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// Who signs in.
    pub identity: Identity,
    /// What for.
    pub context: Context,
    /// The public IP address, when known.
    pub ip: Option<IpAddr>,
    /// The country (ISO 3166-1 alpha-2, upper case) the IP maps to, when known.
    pub country: Option<[u8; 2]>,
    /// The country the Authenticator app's GPS reports, when known (for GPS country locations;
    /// `country` is used when absent).
    pub gps_country: Option<[u8; 2]>,
    /// The device platform, when known.
    pub platform: Option<Platform>,
    /// The client app type, when known.
    pub client: Option<Client>,
    /// Sign-in risk.
    pub sign_in_risk: Risk,
    /// User risk.
    pub user_risk: Risk,
    /// Workload identity risk.
    pub service_principal_risk: Risk,
    /// Insider risk; `None` is no insider risk.
    pub insider_risk: Option<InsiderRisk>,
    /// The authentication flow; `None` is an ordinary sign-in.
    pub auth_flow: Option<AuthFlow>,
    /// The device (unregistered by default: every property null).
    pub device: Device,
    /// Whether the user registered security info through the combined experience before it was
    /// turned off for them; `None` when unknown.
    pub used_combined_registration: Option<bool>,
}

impl SignIn {
    /// A sign-in with every condition at its default: no IP, country, platform or client app,
    /// no risk, ordinary flow, unregistered device.
    pub fn new(identity: Identity, context: Context) -> SignIn {
        SignIn {
            identity,
            context,
            ip: None,
            country: None,
            gps_country: None,
            platform: None,
            client: None,
            sign_in_risk: Risk::None,
            user_risk: Risk::None,
            service_principal_risk: Risk::None,
            insider_risk: None,
            auth_flow: None,
            device: Device::default(),
            used_combined_registration: None,
        }
    }

    /// The signing-in user, when it is a user.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.identity {
            Identity::User(p) => Some(p),
            Identity::ServicePrincipal(_) => None,
        }
    }
}

/// A country code as two upper-case ASCII letters, when `code` is one.
pub fn country_code(code: &str) -> Option<[u8; 2]> {
    match code.as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

/// The index of a country code in a 26 × 26 table.
pub fn country_slot(code: [u8; 2]) -> usize {
    let a = code[0].wrapping_sub(b'A') as usize % 26;
    let b = code[1].wrapping_sub(b'A') as usize % 26;
    a * 26 + b
}
