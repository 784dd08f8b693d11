//! The enumerated words of the language and their IR values.

use crate::ir;

/// `state = ...`.
pub const STATES: &[(&str, ir::PolicyState)] = &[
    ("enabled", ir::PolicyState::Enabled),
    ("disabled", ir::PolicyState::Disabled),
    ("report_only", ir::PolicyState::ReportOnly),
];

/// `tenant { edition = ... }`.
pub const EDITIONS: &[(&str, ir::Edition)] = &[
    ("free", ir::Edition::Free),
    ("trial", ir::Edition::Trial),
    ("p1", ir::Edition::P1),
    ("p2", ir::Edition::P2),
];

/// Device platforms.
pub const PLATFORMS: &[(&str, ir::Platform)] = &[
    ("all", ir::Platform::All),
    ("android", ir::Platform::Android),
    ("ios", ir::Platform::Ios),
    ("windows", ir::Platform::Windows),
    ("windows_phone", ir::Platform::WindowsPhone),
    ("macos", ir::Platform::Macos),
    ("linux", ir::Platform::Linux),
];

/// Client app types.
pub const CLIENT_APPS: &[(&str, ir::ClientApp)] = &[
    ("all", ir::ClientApp::All),
    ("browser", ir::ClientApp::Browser),
    ("mobile_desktop", ir::ClientApp::MobileDesktop),
    ("exchange_active_sync", ir::ClientApp::ExchangeActiveSync),
    ("eas_supported", ir::ClientApp::EasSupported),
    ("other", ir::ClientApp::Other),
];

/// Sign-in, user and service principal risk levels.
pub const RISK_LEVELS: &[(&str, ir::RiskLevel)] = &[
    ("high", ir::RiskLevel::High),
    ("medium", ir::RiskLevel::Medium),
    ("low", ir::RiskLevel::Low),
    ("none", ir::RiskLevel::None),
];

/// Insider risk levels.
pub const INSIDER_RISKS: &[(&str, ir::InsiderRisk)] = &[
    ("minor", ir::InsiderRisk::Minor),
    ("moderate", ir::InsiderRisk::Moderate),
    ("elevated", ir::InsiderRisk::Elevated),
];

/// Authentication flows.
pub const AUTH_FLOWS: &[(&str, ir::AuthFlow)] =
    &[("device_code", ir::AuthFlow::DeviceCode), ("auth_transfer", ir::AuthFlow::AuthTransfer)];

/// User actions.
pub const USER_ACTIONS: &[(&str, ir::UserAction)] = &[
    ("register_security_info", ir::UserAction::RegisterSecurityInfo),
    ("register_device", ir::UserAction::RegisterDevice),
];

/// User types: `member` and the guest or external types.
pub const USER_TYPES: &[(&str, ir::UserType)] = &[
    ("member", ir::UserType::Member),
    ("internal_guest", ir::UserType::InternalGuest),
    ("b2b_collaboration_guest", ir::UserType::B2bCollaborationGuest),
    ("b2b_collaboration_member", ir::UserType::B2bCollaborationMember),
    ("b2b_direct_connect_user", ir::UserType::B2bDirectConnectUser),
    ("other_external_user", ir::UserType::OtherExternalUser),
    ("service_provider", ir::UserType::ServiceProvider),
];

/// Built-in grant controls (block is handled separately).
pub const CONTROLS: &[(&str, ir::Control)] = &[
    ("mfa", ir::Control::Mfa),
    ("compliant_device", ir::Control::CompliantDevice),
    ("domain_joined_device", ir::Control::DomainJoinedDevice),
    ("approved_app", ir::Control::ApprovedApp),
    ("compliant_app", ir::Control::CompliantApp),
    ("password_change", ir::Control::PasswordChange),
    ("risk_remediation", ir::Control::RiskRemediation),
];

/// `persistent_browser = ...`.
pub const PERSISTENT_BROWSER: &[(&str, ir::PersistentBrowser)] =
    &[("always", ir::PersistentBrowser::Always), ("never", ir::PersistentBrowser::Never)];

/// `cloud_app_security = ...`.
pub const CLOUD_APP_SECURITY: &[(&str, ir::CloudAppSecurity)] = &[
    ("monitor_only", ir::CloudAppSecurity::MonitorOnly),
    ("block_downloads", ir::CloudAppSecurity::BlockDownloads),
    ("mcas_configured", ir::CloudAppSecurity::McasConfigured),
];

/// `sign_in_frequency { interval = ... }`.
pub const INTERVALS: &[(&str, bool)] = &[("every_time", true), ("time_based", false)];

/// `sign_in_frequency { authentication = ... }`.
pub const FREQUENCY_AUTH: &[(&str, ir::FrequencyAuthentication)] = &[
    ("primary_and_secondary", ir::FrequencyAuthentication::PrimaryAndSecondary),
    ("secondary", ir::FrequencyAuthentication::Secondary),
];

/// `location { lookup = ... }`.
pub const LOOKUPS: &[(&str, ir::CountryLookup)] =
    &[("ip", ir::CountryLookup::ClientIp), ("gps", ir::CountryLookup::AuthenticatorGps)];

/// Authentication methods.
pub const METHODS: &[(&str, ir::Method)] = &[
    ("authenticator", ir::Method::Authenticator),
    ("sms", ir::Method::Sms),
    ("voice_call", ir::Method::VoiceCall),
    ("oath_token", ir::Method::OathToken),
    ("email", ir::Method::Email),
    ("security_questions", ir::Method::SecurityQuestions),
    ("fido2", ir::Method::Fido2),
    ("windows_hello", ir::Method::WindowsHello),
    ("temporary_access_pass", ir::Method::TemporaryAccessPass),
    ("certificate", ir::Method::Certificate),
];

/// Built-in application groups usable in `target apps` without a declaration.
pub const BUILTIN_APPS: &[&str] = &["all", "none", "office365", "admin_portals"];

/// Words that cannot be declared as names because they mean something in reference positions.
pub const RESERVED: &[&str] =
    &["all", "none", "any", "trusted", "guests", "members", "office365", "admin_portals", "block", "builtin"];

/// Graph's spellings of enumerated values and their capol words, so a pasted Graph value gets
/// the right suggestion (`enabledForReportingButNotEnforced` → `report_only`).
pub const GRAPH_SPELLINGS: &[(&str, &str)] = &[
    ("enabledForReportingButNotEnforced", "report_only"),
    ("mobileAppsAndDesktopClients", "mobile_desktop"),
    ("exchangeActiveSync", "exchange_active_sync"),
    ("easSupported", "eas_supported"),
    ("iOS", "ios"),
    ("macOS", "macos"),
    ("windowsPhone", "windows_phone"),
    ("compliantDevice", "compliant_device"),
    ("domainJoinedDevice", "domain_joined_device"),
    ("approvedApplication", "approved_app"),
    ("compliantApplication", "compliant_app"),
    ("passwordChange", "password_change"),
    ("riskRemediation", "risk_remediation"),
    ("deviceCodeFlow", "device_code"),
    ("authenticationTransfer", "auth_transfer"),
    ("internalGuest", "internal_guest"),
    ("b2bCollaborationGuest", "b2b_collaboration_guest"),
    ("b2bCollaborationMember", "b2b_collaboration_member"),
    ("b2bDirectConnectUser", "b2b_direct_connect_user"),
    ("otherExternalUser", "other_external_user"),
    ("serviceProvider", "service_provider"),
    ("monitorOnly", "monitor_only"),
    ("blockDownloads", "block_downloads"),
    ("mcasConfigured", "mcas_configured"),
    ("everyTime", "every_time"),
    ("timeBased", "time_based"),
    ("secondaryAuthentication", "secondary"),
    ("primaryAndSecondaryAuthentication", "primary_and_secondary"),
    ("clientIpAddress", "ip"),
    ("authenticatorAppGps", "gps"),
    ("registerSecurityInformation", "register_security_info"),
    ("registerOrJoinDevices", "register_device"),
    ("AllTrusted", "trusted"),
    ("Office365", "office365"),
    ("MicrosoftAdminPortals", "admin_portals"),
    ("GuestsOrExternalUsers", "guests"),
];

/// The capol word for a Graph spelling, if `word` is one.
pub fn from_graph(word: &str) -> Option<&'static str> {
    GRAPH_SPELLINGS.iter().find(|(g, _)| *g == word).map(|(_, c)| *c)
}

/// Look a word up in a table.
pub fn lookup<T: Clone>(table: &[(&str, T)], word: &str) -> Option<T> {
    table.iter().find(|(w, _)| *w == word).map(|(_, v)| v.clone())
}

/// The words of a table, for messages and suggestions.
pub fn names<T>(table: &[(&'static str, T)]) -> Vec<&'static str> {
    table.iter().map(|(w, _)| *w).collect()
}

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` with hex digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// True for a template placeholder such as `<ExclusionTempGroup>`: text in angle brackets, as
/// policy templates write ids that are filled in at deployment.
pub fn is_placeholder(s: &str) -> bool {
    s.len() > 2
        && s.starts_with('<')
        && s.ends_with('>')
        && !s[1..s.len() - 1].contains(['<', '>', '"', '\\'])
        && !s[1..s.len() - 1].trim().is_empty()
}

/// True for an authentication context id `c1` ... `c99`.
pub fn is_auth_context_id(s: &str) -> bool {
    s.strip_prefix('c')
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=99).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_and_context_ids() {
        assert!(is_guid("3ee3a9de-0a86-4e12-a287-9769accf1ba2"));
        assert!(!is_guid("3ee3a9de-0a86-4e12-a287-9769accf1ba"));
        assert!(!is_guid("<ExclusionTempGroup>"));
        assert!(is_auth_context_id("c1") && is_auth_context_id("c99"));
        assert!(!is_auth_context_id("c0") && !is_auth_context_id("c100") && !is_auth_context_id("c01"));
        assert!(is_placeholder("<ExclusionTempGroup>") && is_placeholder("<AADP2 Group>"));
        assert!(
            !is_placeholder("<>")
                && !is_placeholder("< >")
                && !is_placeholder("<a<b>")
                && !is_placeholder("ToU")
        );
    }
}
