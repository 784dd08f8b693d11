//! The IR: a checked workspace with every name resolved and every condition normalised,
//! serialised as versioned JSON (`"capol_ir": 1`).
//!
//! INVARIANT: an `ir::Program` produced by `compile` is valid: references resolve, enums hold
//! only values Graph accepts, sets are sorted and deduplicated, tables are sorted by name, and
//! defaults are explicit. Serialising it twice gives the same bytes. The JSON Schema of these
//! types ships as `docs/ir.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The IR format version written to `capol_ir`.
pub const IR_VERSION: u32 = 1;

/// A compiled workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Program {
    /// The IR format version, currently 1.
    pub capol_ir: u32,
    /// Tenant facts.
    pub tenant: Tenant,
    /// Declared groups, by name.
    pub groups: Vec<Group>,
    /// Declared users, by name.
    pub users: Vec<User>,
    /// Declared directory roles, by name.
    pub roles: Vec<Role>,
    /// Declared applications, by name (the built-ins `all`, `none`, `office365` and
    /// `admin_portals` are not listed).
    pub apps: Vec<Object>,
    /// Authentication contexts, by name.
    pub auth_contexts: Vec<Object>,
    /// Terms of use, by name.
    pub terms_of_use: Vec<Object>,
    /// Authentication strengths, by name.
    pub auth_strengths: Vec<AuthStrength>,
    /// Custom controls, by name.
    pub custom_controls: Vec<Object>,
    /// Service principals (workload identities), by name.
    pub service_principals: Vec<Object>,
    /// Named locations, by name.
    pub locations: Vec<Location>,
    /// The combined security-info registration preview switch, when declared.
    pub combined_registration: Option<CombinedRegistration>,
    /// Authentication methods enabled for MFA and SSPR, when declared.
    pub methods: Option<Methods>,
    /// Policies, by display name.
    pub policies: Vec<Policy>,
}

/// Tenant facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// The licence edition, when declared.
    pub edition: Option<Edition>,
    /// The tenant id.
    pub id: Option<String>,
    /// The primary domain.
    pub domain: Option<String>,
}

/// The tenant's licence edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    /// Microsoft Entra ID Free.
    Free,
    /// A trial tenant.
    Trial,
    /// Microsoft Entra ID P1.
    P1,
    /// Microsoft Entra ID P2.
    P2,
}

/// A directory group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Name in the workspace.
    pub name: String,
    /// Object id.
    pub id: Option<String>,
    /// Display name in the tenant.
    pub display_name: Option<String>,
    /// Break-glass group.
    pub emergency_access: bool,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Name in the workspace.
    pub name: String,
    /// Object id.
    pub id: Option<String>,
    /// User principal name.
    pub upn: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Member, or a guest or external type.
    pub user_type: UserType,
    /// Names of the groups the user is a direct member of, sorted.
    pub member_of: Vec<String>,
    /// Names of the roles the user holds, sorted.
    pub roles: Vec<String>,
    /// Break-glass account.
    pub emergency_access: bool,
}

/// Whether a user is a member or which kind of guest or external user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    /// An internal member.
    Member,
    /// `internalGuest`.
    InternalGuest,
    /// `b2bCollaborationGuest`.
    B2bCollaborationGuest,
    /// `b2bCollaborationMember`.
    B2bCollaborationMember,
    /// `b2bDirectConnectUser`.
    B2bDirectConnectUser,
    /// `otherExternalUser`.
    OtherExternalUser,
    /// `serviceProvider`.
    ServiceProvider,
}

impl UserType {
    /// The guest and external types, in Graph's order.
    pub const GUEST_TYPES: [UserType; 6] = [
        UserType::InternalGuest,
        UserType::B2bCollaborationGuest,
        UserType::B2bCollaborationMember,
        UserType::B2bDirectConnectUser,
        UserType::OtherExternalUser,
        UserType::ServiceProvider,
    ];

    /// The capol word.
    pub fn word(self) -> &'static str {
        match self {
            UserType::Member => "member",
            UserType::InternalGuest => "internal_guest",
            UserType::B2bCollaborationGuest => "b2b_collaboration_guest",
            UserType::B2bCollaborationMember => "b2b_collaboration_member",
            UserType::B2bDirectConnectUser => "b2b_direct_connect_user",
            UserType::OtherExternalUser => "other_external_user",
            UserType::ServiceProvider => "service_provider",
        }
    }

    /// Graph's spelling in `guestOrExternalUserTypes`.
    pub fn graph(self) -> &'static str {
        match self {
            UserType::Member => "none",
            UserType::InternalGuest => "internalGuest",
            UserType::B2bCollaborationGuest => "b2bCollaborationGuest",
            UserType::B2bCollaborationMember => "b2bCollaborationMember",
            UserType::B2bDirectConnectUser => "b2bDirectConnectUser",
            UserType::OtherExternalUser => "otherExternalUser",
            UserType::ServiceProvider => "serviceProvider",
        }
    }

    /// True for every type but `member`.
    pub fn is_guest(self) -> bool {
        self != UserType::Member
    }
}

/// A directory role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name in the workspace.
    pub name: String,
    /// Role template id.
    pub template_id: String,
    /// Display name (the catalogue name for built-ins).
    pub display_name: Option<String>,
    /// True when declared with `builtin("...")`.
    pub builtin: bool,
}

/// A named object with an id: app, authentication context, terms of use, custom control,
/// service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Object {
    /// Name in the workspace.
    pub name: String,
    /// The id Graph uses (app id, `c1`, agreement id, ...).
    pub id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
}

/// An authentication strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthStrength {
    /// Name in the workspace.
    pub name: String,
    /// Policy id.
    pub id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// True when declared with `builtin("...")`.
    pub builtin: bool,
}

/// A named location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Name in the workspace.
    pub name: String,
    /// Graph id, when the location exists already.
    pub id: Option<String>,
    /// Display name (the name when none is declared).
    pub display_name: String,
    /// IP ranges, countries, or unmanaged.
    pub kind: LocationKind,
}

/// What a named location is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LocationKind {
    /// IP ranges.
    Ip {
        /// Marked as trusted.
        trusted: bool,
        /// Ranges in canonical CIDR form (host bits cleared), IPv4 before IPv6, sorted,
        /// deduplicated.
        ranges: Vec<Cidr>,
    },
    /// Countries and regions.
    Country {
        /// ISO 3166-1 alpha-2 codes, sorted.
        countries: Vec<String>,
        /// Also match addresses that map to no country.
        include_unknown: bool,
        /// How the country is found.
        lookup: CountryLookup,
    },
    /// A location that exists in the tenant but whose definition capol does not manage, declared
    /// with only an `id`: a compliant-network location, the MFA trusted IPs pseudo-location
    /// `00000000-0000-0000-0000-000000000000`, or one kept outside the workspace. Its addresses
    /// are unknown to capol.
    Unmanaged {
        /// Marked as trusted (as declared; capol cannot verify it).
        trusted: bool,
    },
}

/// An IP range in CIDR notation: a network address (host bits clear) and a prefix length.
/// Serialised as its canonical text, e.g. `203.0.113.0/24` or `2001:db8::/48`; ordered IPv4
/// first, then by address, then by prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    /// The network address.
    pub network: std::net::IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Cidr {
    /// A range from an address and a prefix length, clearing host bits. `None` when the prefix
    /// is longer than the address.
    pub fn new(address: std::net::IpAddr, prefix: u8) -> Option<Cidr> {
        let network = match address {
            std::net::IpAddr::V4(v4) if prefix <= 32 => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                std::net::IpAddr::V4((u32::from(v4) & mask).into())
            }
            std::net::IpAddr::V6(v6) if prefix <= 128 => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                std::net::IpAddr::V6((u128::from(v6) & mask).into())
            }
            _ => return None,
        };
        Some(Cidr { network, prefix })
    }

    /// A range written `a.b.c.d/p` in the strict form the address parser accepts (four decimal
    /// octets without leading zeros, a prefix of at most 32), read in one pass; `None` for
    /// anything else, which callers then read with the general parser. Long location lists are
    /// almost all IPv4, and this is most of the time spent checking them.
    pub fn parse_ipv4_fast(text: &str) -> Option<(std::net::Ipv4Addr, u8)> {
        let bytes = text.as_bytes();
        let mut octets = [0u8; 4];
        let mut i = 0;
        for (n, octet) in octets.iter_mut().enumerate() {
            let start = i;
            let mut value: u32 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 3 {
                value = value * 10 + u32::from(bytes[i] - b'0');
                i += 1;
            }
            let digits = i - start;
            if digits == 0 || value > 255 || (digits > 1 && bytes[start] == b'0') {
                return None;
            }
            *octet = value as u8;
            let separator = if n == 3 { b'/' } else { b'.' };
            if bytes.get(i) != Some(&separator) {
                return None;
            }
            i += 1;
        }
        let rest = &bytes[i..];
        if rest.is_empty()
            || rest.len() > 2
            || !rest.iter().all(u8::is_ascii_digit)
            || (rest.len() > 1 && rest[0] == b'0')
        {
            return None;
        }
        let prefix = rest.iter().fold(0u8, |p, d| p * 10 + (d - b'0'));
        (prefix <= 32).then_some((std::net::Ipv4Addr::from(octets), prefix))
    }

    /// The first and last address as integers (IPv4 in the low 32 bits).
    pub fn bounds(self) -> (u128, u128) {
        let (value, bits) = match self.network {
            std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32u32),
            std::net::IpAddr::V6(v6) => (u128::from(v6), 128u32),
        };
        let host_bits = bits - u32::from(self.prefix);
        let span = if host_bits >= 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
        (value, value | span)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        if let Some((ip, prefix)) = Cidr::parse_ipv4_fast(s) {
            return Cidr::new(ip.into(), prefix).ok_or_else(|| format!("`/{prefix}` is too long for `{ip}`"));
        }
        let (address, prefix) = s.split_once('/').ok_or_else(|| format!("`{s}` has no `/prefix`"))?;
        let address: std::net::IpAddr =
            address.parse().map_err(|_| format!("`{address}` is not an IP address"))?;
        let prefix: u8 = prefix.parse().map_err(|_| format!("`{prefix}` is not a prefix length"))?;
        Cidr::new(address, prefix).ok_or_else(|| format!("`/{prefix}` is too long for `{address}`"))
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Cidr, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Cidr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }

    fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An IPv4 or IPv6 range in canonical CIDR notation, e.g. `203.0.113.0/24`.",
            "pattern": "^[0-9a-fA-F:.]+/[0-9]{1,3}$"
        })
    }
}

/// How a country location finds the country of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountryLookup {
    /// From the client IP address (`clientIpAddress`, the default).
    ClientIp,
    /// From the Authenticator app's GPS (`authenticatorAppGps`).
    AuthenticatorGps,
}

/// The combined security-info registration enablement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CombinedRegistration {
    /// Who has the combined registration experience.
    pub enabled_for: RegistrationScope,
}

/// Who a preview is enabled for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "scope", content = "group", rename_all = "snake_case")]
pub enum RegistrationScope {
    /// Every user.
    All,
    /// No user.
    None,
    /// Members of one group.
    Group(Ref),
}

/// Authentication methods enabled for MFA and SSPR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Methods {
    /// Methods usable for MFA, sorted.
    pub mfa: Vec<Method>,
    /// Methods usable for self-service password reset, sorted.
    pub sspr: Vec<Method>,
}

/// An authentication method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Microsoft Authenticator notification or code.
    Authenticator,
    /// Text message.
    Sms,
    /// Phone call.
    VoiceCall,
    /// Hardware or software OATH token.
    OathToken,
    /// Email (SSPR only).
    Email,
    /// Security questions (SSPR only).
    SecurityQuestions,
    /// FIDO2 security key or passkey.
    Fido2,
    /// Windows Hello for Business.
    WindowsHello,
    /// Temporary Access Pass.
    TemporaryAccessPass,
    /// Certificate-based authentication.
    Certificate,
}

/// A resolved reference: the workspace name and the directory id, when declared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    /// The name in the workspace.
    pub name: String,
    /// The directory id.
    pub id: Option<String>,
}

/// A Conditional Access policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The display name, unique in the workspace.
    pub display_name: String,
    /// The Graph id, when the policy exists already.
    pub id: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// State.
    pub state: PolicyState,
    /// When report-only mode started (`YYYY-MM-DD`), for lifecycle checks.
    pub report_only_since: Option<String>,
    /// A disabled policy kept for emergencies.
    pub contingency: bool,
    /// Which users the policy applies to.
    pub users: Users,
    /// Which workload identities the policy applies to, when configured.
    pub service_principals: Option<ServicePrincipals>,
    /// Which resources the policy applies to.
    pub target: Target,
    /// Location condition; `None` when not configured (matches every sign-in).
    pub locations: Option<Locations>,
    /// Device platform condition; `None` when not configured (matches every sign-in).
    pub platforms: Option<Platforms>,
    /// Client app types; `[all]` when not configured.
    pub client_apps: Vec<ClientApp>,
    /// Sign-in risk levels; empty when not configured.
    pub sign_in_risk: Vec<RiskLevel>,
    /// User risk levels; empty when not configured.
    pub user_risk: Vec<RiskLevel>,
    /// Service principal risk levels; empty when not configured.
    pub service_principal_risk: Vec<RiskLevel>,
    /// Insider risk levels; empty when not configured.
    pub insider_risk: Vec<InsiderRisk>,
    /// Filter for devices, when configured.
    pub device_filter: Option<Filter>,
    /// Authentication flows; empty when not configured.
    pub auth_flows: Vec<AuthFlow>,
    /// Grant controls; `None` for a session-only policy.
    pub grant: Option<Grant>,
    /// Session controls.
    pub session: Session,
}

impl Policy {
    /// A policy with only a name, a state, users and a target: every condition unset (so it
    /// matches every sign-in) and no controls. Checking and coverage probes start from it.
    pub fn unconditional(display_name: String, state: PolicyState, users: Users, target: Target) -> Policy {
        Policy {
            display_name,
            id: None,
            description: None,
            state,
            report_only_since: None,
            contingency: false,
            users,
            service_principals: None,
            target,
            locations: None,
            platforms: None,
            client_apps: vec![ClientApp::All],
            sign_in_risk: Vec::new(),
            user_risk: Vec::new(),
            service_principal_risk: Vec::new(),
            insider_risk: Vec::new(),
            device_filter: None,
            auth_flows: Vec::new(),
            grant: None,
            session: Session::default(),
        }
    }
}

/// The state of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyState {
    /// Enforced.
    Enabled,
    /// Not evaluated.
    Disabled,
    /// Evaluated and logged, never enforced (`enabledForReportingButNotEnforced`).
    ReportOnly,
}

/// A set of users.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserSet {
    /// Every user.
    pub all: bool,
    /// Explicitly nobody (`None` in Graph).
    pub none: bool,
    /// Every guest or external user: Graph's legacy `GuestsOrExternalUsers` value.
    pub all_guests: bool,
    /// Guests or external users by type (`includeGuestsOrExternalUsers`).
    pub guests: Option<Guests>,
    /// Users, sorted.
    pub users: Vec<Ref>,
    /// Groups, sorted.
    pub groups: Vec<Ref>,
    /// Roles (template ids), sorted.
    pub roles: Vec<Ref>,
}

impl UserSet {
    /// True when nothing is in the set.
    pub fn is_empty(&self) -> bool {
        !self.all
            && !self.all_guests
            && self.guests.is_none()
            && self.users.is_empty()
            && self.groups.is_empty()
            && self.roles.is_empty()
    }
}

/// Guests or external users by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guests {
    /// The guest or external types, in Graph's order, deduplicated.
    pub types: Vec<UserType>,
    /// `None` for every external tenant, or the listed tenant ids, sorted.
    pub tenants: Option<Vec<String>>,
}

/// The user condition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Users {
    /// Who is included.
    pub include: UserSet,
    /// Who is excluded; exclusion wins.
    pub exclude: UserSet,
}

/// The workload identity condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePrincipals {
    /// Every service principal of the tenant (`ServicePrincipalsInMyTenant`).
    pub include_all: bool,
    /// Included service principals, sorted.
    pub include: Vec<Ref>,
    /// Excluded service principals, sorted.
    pub exclude: Vec<Ref>,
    /// Filter on custom security attributes, when configured.
    pub filter: Option<Filter>,
}

/// The resources a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// Cloud apps.
    Apps {
        /// Included apps.
        include: AppSet,
        /// Excluded apps.
        exclude: AppSet,
        /// Filter on the apps' custom security attributes.
        filter: Option<Filter>,
    },
    /// User actions.
    UserActions {
        /// The actions, sorted.
        actions: Vec<UserAction>,
    },
    /// Authentication contexts.
    AuthContexts {
        /// The contexts, sorted.
        contexts: Vec<Ref>,
    },
}

/// A set of applications.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSet {
    /// Every resource (`All`).
    pub all: bool,
    /// Explicitly nothing (`None`).
    pub none: bool,
    /// The Office 365 app group.
    pub office365: bool,
    /// The Microsoft Admin Portals app group.
    pub admin_portals: bool,
    /// Applications by app id, sorted.
    pub apps: Vec<Ref>,
}

impl AppSet {
    /// True when nothing is in the set.
    pub fn is_empty(&self) -> bool {
        !self.all && !self.office365 && !self.admin_portals && self.apps.is_empty()
    }
}

/// A user action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    /// `urn:user:registersecurityinfo`.
    RegisterSecurityInfo,
    /// `urn:user:registerdevice`.
    RegisterDevice,
}

impl UserAction {
    /// The capol word.
    pub fn word(self) -> &'static str {
        match self {
            UserAction::RegisterSecurityInfo => "register_security_info",
            UserAction::RegisterDevice => "register_device",
        }
    }

    /// Graph's URN.
    pub fn urn(self) -> &'static str {
        match self {
            UserAction::RegisterSecurityInfo => "urn:user:registersecurityinfo",
            UserAction::RegisterDevice => "urn:user:registerdevice",
        }
    }
}

/// The location condition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Locations {
    /// Included locations.
    pub include: LocationSet,
    /// Excluded locations.
    pub exclude: LocationSet,
}

/// A set of locations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationSet {
    /// Any location: every IP address.
    pub any: bool,
    /// Every location marked trusted (`AllTrusted`).
    pub trusted: bool,
    /// Named locations, sorted.
    pub named: Vec<Ref>,
}

/// The device platform condition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Platforms {
    /// Included platforms (`all` means every platform).
    pub include: Vec<Platform>,
    /// Excluded platforms.
    pub exclude: Vec<Platform>,
}

/// A device platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Every platform.
    All,
    /// Android.
    Android,
    /// iOS and iPadOS.
    Ios,
    /// Windows.
    Windows,
    /// Windows Phone.
    WindowsPhone,
    /// macOS.
    Macos,
    /// Linux.
    Linux,
}

/// A client app type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientApp {
    /// Every client app type.
    All,
    /// Browsers.
    Browser,
    /// Mobile apps and desktop clients (modern authentication).
    MobileDesktop,
    /// Exchange ActiveSync clients.
    ExchangeActiveSync,
    /// `easSupported`: Exchange ActiveSync on supported platforms only.
    EasSupported,
    /// Other (legacy) clients.
    Other,
}

/// A risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
    /// No risk.
    None,
}

/// An insider risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsiderRisk {
    /// Minor.
    Minor,
    /// Moderate.
    Moderate,
    /// Elevated.
    Elevated,
}

/// An authentication flow (transfer method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    /// Device code flow.
    DeviceCode,
    /// Authentication transfer.
    AuthTransfer,
}

/// A device, application or service principal filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Whether matching objects are in or out of scope.
    pub mode: FilterMode,
    /// The rule text.
    pub rule: String,
}

/// The mode of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterMode {
    /// Matching objects are in scope.
    Include,
    /// Matching objects are out of scope.
    Exclude,
}

/// Grant controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Grant {
    /// Block access.
    Block,
    /// Require controls.
    Require {
        /// `and`: every control; `or`: one of them.
        operator: Operator,
        /// The controls, in prompt order (built-ins in Graph order, then the others).
        controls: Vec<Control>,
    },
}

/// How the controls of one grant combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// Every control.
    And,
    /// One of the controls.
    Or,
}

/// A grant control.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum Control {
    /// Multifactor authentication.
    Mfa,
    /// A compliant device.
    CompliantDevice,
    /// A Microsoft Entra hybrid joined device.
    DomainJoinedDevice,
    /// An approved client app.
    ApprovedApp,
    /// An app protection policy.
    CompliantApp,
    /// A password change.
    PasswordChange,
    /// Risk remediation.
    RiskRemediation,
    /// An authentication strength.
    AuthStrength(Ref),
    /// Terms of use.
    TermsOfUse(Ref),
    /// A custom control.
    CustomControl(Ref),
}

impl Control {
    /// The capol spelling.
    pub fn word(&self) -> String {
        match self {
            Control::Mfa => "mfa".into(),
            Control::CompliantDevice => "compliant_device".into(),
            Control::DomainJoinedDevice => "domain_joined_device".into(),
            Control::ApprovedApp => "approved_app".into(),
            Control::CompliantApp => "compliant_app".into(),
            Control::PasswordChange => "password_change".into(),
            Control::RiskRemediation => "risk_remediation".into(),
            Control::AuthStrength(r) => format!("auth_strength {}", r.name),
            Control::TermsOfUse(r) => format!("terms_of_use {}", r.name),
            Control::CustomControl(r) => format!("custom_control {}", r.name),
        }
    }
}

/// Session controls.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Sign-in frequency.
    pub sign_in_frequency: Option<SignInFrequency>,
    /// Persistent browser session.
    pub persistent_browser: Option<PersistentBrowser>,
    /// Application-enforced restrictions.
    pub app_enforced_restrictions: bool,
    /// Conditional Access App Control.
    pub cloud_app_security: Option<CloudAppSecurity>,
    /// Disable resilience defaults.
    pub disable_resilience_defaults: bool,
    /// Require token protection for sign-in sessions.
    pub secure_sign_in_session: bool,
}

impl Session {
    /// True when no session control is set.
    pub fn is_empty(&self) -> bool {
        self == &Session::default()
    }
}

/// Sign-in frequency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInFrequency {
    /// Every time, or after a period.
    pub interval: FrequencyInterval,
    /// Which authentication is asked again.
    pub authentication: FrequencyAuthentication,
}

/// When sign-in frequency asks again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FrequencyInterval {
    /// Every time.
    EveryTime,
    /// After a period.
    TimeBased {
        /// The number of units.
        value: u32,
        /// Hours or days.
        unit: FrequencyUnit,
    },
}

/// The unit of a sign-in frequency period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyUnit {
    /// Hours.
    Hours,
    /// Days.
    Days,
}

/// Which authentication sign-in frequency asks for again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyAuthentication {
    /// Both factors (the default).
    PrimaryAndSecondary,
    /// The second factor only.
    Secondary,
}

/// Persistent browser session mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersistentBrowser {
    /// Always persistent.
    Always,
    /// Never persistent.
    Never,
}

/// Conditional Access App Control mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloudAppSecurity {
    /// Monitor only.
    MonitorOnly,
    /// Block downloads.
    BlockDownloads,
    /// Use a custom policy from Defender for Cloud Apps.
    McasConfigured,
}

impl Program {
    /// The JSON Schema of the IR, as shipped in `docs/ir.schema.json`.
    pub fn json_schema() -> serde_json::Value {
        let schema = schemars::schema_for!(Program);
        serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
    }

    /// Deterministic pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Cidr;
    use proptest::prelude::*;

    /// What the general parser makes of `text` when it is an IPv4 range with a prefix written
    /// without leading zeros (the fast reader leaves `/08` to the general one).
    fn general(text: &str) -> Option<(std::net::Ipv4Addr, u8)> {
        let (address, prefix_text) = text.split_once('/')?;
        let address: std::net::Ipv4Addr = address.parse().ok()?;
        let prefix: u8 = prefix_text.parse().ok()?;
        (prefix <= 32 && prefix.to_string() == prefix_text).then_some((address, prefix))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The fast reader never accepts what the general parser rejects, and never reads a
        /// different range.
        #[test]
        fn fast_ipv4_reading_agrees_with_the_general_parser(text in "[0-9./]{1,20}") {
            if let Some(fast) = Cidr::parse_ipv4_fast(&text) {
                prop_assert_eq!(Some(fast), general(&text), "{}", text);
            }
        }

        /// Every canonical IPv4 range is read by the fast path.
        #[test]
        fn fast_ipv4_reading_accepts_every_canonical_range(a in any::<u32>(), prefix in 0u8..=32) {
            let text = format!("{}/{prefix}", std::net::Ipv4Addr::from(a));
            prop_assert_eq!(Cidr::parse_ipv4_fast(&text), Some((std::net::Ipv4Addr::from(a), prefix)));
        }
    }

    #[test]
    fn fast_ipv4_reading_rejects_near_misses() {
        for text in [
            "1.2.3.4",
            "1.2.3.4/",
            "01.2.3.4/8",
            "1.2.3.4/033",
            "256.1.1.1/8",
            "1.2.3/8",
            "1.2.3.4.5/8",
            "1.2.3.4/33",
            "1..3.4/8",
            " 1.2.3.4/8",
            "1.2.3.4/8 ",
        ] {
            assert_eq!(Cidr::parse_ipv4_fast(text), None, "{text}");
        }
        assert_eq!(Cidr::parse_ipv4_fast("0.0.0.0/0"), Some((std::net::Ipv4Addr::UNSPECIFIED, 0)));
        assert_eq!(Cidr::new("10.1.2.3".parse().unwrap(), 8).unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(Cidr::new("2001:db8::1".parse().unwrap(), 32).unwrap().to_string(), "2001:db8::/32");
        assert_eq!(Cidr::new("2001:db8::1".parse().unwrap(), 0).unwrap().to_string(), "::/0");
        assert_eq!(Cidr::new("10.1.2.3".parse().unwrap(), 33), None);
        // `FromStr` reads through the fast path and the general one alike.
        assert_eq!("10.1.2.3/8".parse::<Cidr>().unwrap().to_string(), "10.0.0.0/8");
        assert_eq!("10.1.2.3/08".parse::<Cidr>().unwrap().to_string(), "10.0.0.0/8");
        assert_eq!("2001:db8::1/32".parse::<Cidr>().unwrap().to_string(), "2001:db8::/32");
        assert!("10.1.2.3/33".parse::<Cidr>().is_err());
    }
}
