//! Which applications belong to the `Office365` and `MicrosoftAdminPortals` app groups.
//!
//! Microsoft's What If API does not expand these groups ("Groups of apps, such as Office 365 or
//! Microsoft Admin Portals, don't result in a match"), but Entra does when it enforces a policy:
//! a sign-in to Exchange Online is a sign-in to an Office 365 app. capol evaluates like Entra, so
//! it needs the members. Microsoft publishes the members by display name only; the tables below
//! are the published names that capol's catalogue (`crate::catalog::APPS`) knows an app id for.
//!
//! Sources:
//! - Office 365: "Apps included in Conditional Access Office 365 app suite"
//!   (learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents,
//!   MicrosoftDocs/entra-docs `docs/identity/conditional-access/reference-office-365-application-contents.md`,
//!   ms.date 12/6/2024).
//! - Admin portals: "Conditional Access: Target resources", section "Microsoft Admin Portals"
//!   (`concept-conditional-access-cloud-apps.md`), which lists the Azure portal, Exchange admin
//!   center, Microsoft 365 admin center, Microsoft 365 Defender portal, Microsoft Entra admin
//!   center, Intune admin center, Purview compliance portal and Teams admin center. The same page
//!   says the group does not cover the APIs behind the portals (Microsoft Graph, Azure Resource
//!   Manager), so `Windows Azure Service Management API` is deliberately not a member.

use crate::catalog;

/// Office 365 suite members, by catalogue display name.
const OFFICE365: &[&str] = &[
    "Microsoft Exchange Online Protection",
    "Microsoft Forms",
    "Microsoft Office",
    "Microsoft Office 365 Portal",
    "Microsoft Stream Portal",
    "Microsoft Teams",
    "Microsoft Teams Services",
    "Microsoft Teams Web Client",
    "Microsoft Whiteboard Services",
    "Office 365 Exchange Online",
    "Office 365 Search Service",
    "Office 365 SharePoint Online",
    "Office Delve",
    "Office.com",
    "OfficeHome",
    "OneDrive",
    "OneDrive SyncEngine",
    "OneNote",
    "SharePoint Online Web Client Extensibility",
    "Skype for Business Online",
    "Sway",
    "Viva Engage",
];

/// Microsoft Admin Portals members, by catalogue display name. The Azure portal's app id also
/// serves the Microsoft Entra admin center; "Microsoft 365 Security and Compliance Center" is the
/// Purview compliance portal. Admin centers without a catalogued app id cannot be recognised by
/// id; a sign-in can name the group itself (`app = admin_portals`).
const ADMIN_PORTALS: &[&str] =
    &["Azure Portal", "Exchange Admin Center", "Microsoft 365 Security and Compliance Center"];

fn ids(names: &'static [&'static str]) -> impl Iterator<Item = &'static str> {
    names.iter().filter_map(|n| catalog::app_by_name(n)).map(|a| a.app_id)
}

/// Whether the app id belongs to the Office 365 app group.
pub fn is_office365(app_id: &str) -> bool {
    ids(OFFICE365).any(|id| id.eq_ignore_ascii_case(app_id))
}

/// Whether the app id belongs to the Microsoft Admin Portals app group.
pub fn is_admin_portal(app_id: &str) -> bool {
    ids(ADMIN_PORTALS).any(|id| id.eq_ignore_ascii_case(app_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_catalogued() {
        assert_eq!(ids(OFFICE365).count(), OFFICE365.len());
        assert_eq!(ids(ADMIN_PORTALS).count(), ADMIN_PORTALS.len());
    }

    #[test]
    fn membership() {
        assert!(is_office365("00000002-0000-0ff1-ce00-000000000000"));
        assert!(is_office365("00000003-0000-0FF1-CE00-000000000000"));
        assert!(!is_office365("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"));
        assert!(is_admin_portal("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"));
        assert!(!is_admin_portal("797f4846-ba00-4fd7-ba43-dac1f8f63013"));
    }
}
