//! Built-in catalogues: Entra directory roles, well-known Microsoft applications, authentication strengths and ISO 3166-1 country codes.
//!
//! Conditional Access policies exported from Microsoft Graph name roles, resource
//! applications and authentication strengths only by GUID, and named locations only by
//! ISO country code. These tables let the compiler accept human-readable names and let
//! the linter and evaluator print them back, without a live tenant to ask.
//!
//! Sources (a snapshot; Microsoft adds roles and apps over time, so an unknown GUID is
//! not necessarily wrong):
//! - Roles: the "All roles" table of Microsoft Entra built-in roles
//!   (learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference,
//!   MicrosoftDocs/entra-docs `docs/identity/role-based-access-control/permissions-reference.md`),
//!   plus the roles that page adds later or lists only by name under "Deprecated roles" and
//!   "Roles not shown in the portal", whose template ids come from Microsoft Graph role
//!   definitions and the `Get-AzureADDirectoryRoleTemplate` cmdlet reference.
//! - Applications: "Verify first-party Microsoft applications in sign-in reports"
//!   (MicrosoftDocs/SupportArticles-docs), the B2B cross-tenant access settings page,
//!   and the Graph-derived list of Microsoft-owned service principals in merill/microsoft-info.
//! - Authentication strengths: the three built-in policies of Microsoft Entra ID.
//! - Countries: ISO 3166-1 as shipped by Debian `iso-codes` 4.15 (all 249 officially
//!   assigned alpha-2 codes with their English short names).

use std::cmp::Ordering;

/// A built-in Microsoft Entra directory role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinRole {
    /// Display name as shown in the Microsoft Entra permissions reference.
    pub name: &'static str,
    /// Role template id (lowercase GUID); identical in every tenant.
    pub template_id: &'static str,
}

/// Every built-in directory role, sorted by `name`.
///
/// Sorted ASCII case-insensitively so that [`role_by_name`] can binary-search. Deprecated
/// and hidden roles are kept because old policies still reference them.
pub static ROLES: &[BuiltinRole] = &[
    BuiltinRole { name: "AdHoc License Administrator", template_id: "eb1d8c34-acf5-460d-8424-c1f1a6fbdb85" },
    BuiltinRole { name: "Agent ID Administrator", template_id: "db506228-d27e-4b7d-95e5-295956d6615f" },
    BuiltinRole { name: "Agent ID Developer", template_id: "adb2368d-a9be-41b5-8667-d96778e081b0" },
    BuiltinRole { name: "Agent Registry Administrator", template_id: "6b942400-691f-4bf0-9d12-d8a254a2baf5" },
    BuiltinRole { name: "AI Administrator", template_id: "d2562ede-74db-457e-a7b6-544e236ebb61" },
    BuiltinRole { name: "AI Reader", template_id: "1fe13547-53f6-408d-ac04-7f8eed167b38" },
    BuiltinRole { name: "Application Administrator", template_id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" },
    BuiltinRole { name: "Application Developer", template_id: "cf1c38e5-3621-4004-a7cb-879624dced7c" },
    BuiltinRole { name: "Attack Payload Author", template_id: "9c6df0f2-1e7c-4dc3-b195-66dfbd24aa8f" },
    BuiltinRole {
        name: "Attack Simulation Administrator",
        template_id: "c430b396-e693-46cc-96f3-db01bf8bb62a",
    },
    BuiltinRole {
        name: "Attribute Assignment Administrator",
        template_id: "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d",
    },
    BuiltinRole { name: "Attribute Assignment Reader", template_id: "ffd52fa5-98dc-465c-991d-fc073eb59f8f" },
    BuiltinRole {
        name: "Attribute Definition Administrator",
        template_id: "8424c6f0-a189-499e-bbd0-26c1753c96d4",
    },
    BuiltinRole { name: "Attribute Definition Reader", template_id: "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c" },
    BuiltinRole { name: "Attribute Log Administrator", template_id: "5b784334-f94b-471a-a387-e7219fc49ca2" },
    BuiltinRole { name: "Attribute Log Reader", template_id: "9c99539d-8186-4804-835f-fd51ef9e2dcd" },
    BuiltinRole {
        name: "Attribute Provisioning Administrator",
        template_id: "ecb2c6bf-0ab6-418e-bd87-7986f8d63bbe",
    },
    BuiltinRole {
        name: "Attribute Provisioning Reader",
        template_id: "422218e4-db15-4ef9-bbe0-8afb41546d79",
    },
    BuiltinRole { name: "Authentication Administrator", template_id: "c4e39bd9-1100-46d3-8c65-fb160da0071f" },
    BuiltinRole {
        name: "Authentication Extensibility Administrator",
        template_id: "25a516ed-2fa0-40ea-a2d0-12923a21473a",
    },
    BuiltinRole {
        name: "Authentication Extensibility Password Administrator",
        template_id: "0b00bede-4072-4d22-b441-e7df02a1ef63",
    },
    BuiltinRole {
        name: "Authentication Policy Administrator",
        template_id: "0526716b-113d-4c15-b2c8-68e3c22b9f80",
    },
    BuiltinRole { name: "Azure DevOps Administrator", template_id: "e3973bdf-4987-49ae-837a-ba8e231c7286" },
    BuiltinRole {
        name: "Azure Information Protection Administrator",
        template_id: "7495fdc4-34c4-4d15-a289-98788ce399fd",
    },
    BuiltinRole { name: "B2C IEF Keyset Administrator", template_id: "aaf43236-0c0d-4d5f-883a-6955382ac081" },
    BuiltinRole { name: "B2C IEF Policy Administrator", template_id: "3edaf663-341e-4475-9f94-5c398ef6c070" },
    BuiltinRole { name: "Billing Administrator", template_id: "b0f54661-2d74-4c50-afa3-1ec803f12efe" },
    BuiltinRole {
        name: "Cloud App Security Administrator",
        template_id: "892c5842-a9a6-463a-8041-72aa08ca3cf6",
    },
    BuiltinRole {
        name: "Cloud Application Administrator",
        template_id: "158c047a-c907-4556-b7ef-446551a6b5f7",
    },
    BuiltinRole { name: "Cloud Device Administrator", template_id: "7698a772-787b-4ac8-901f-60d6b08affd2" },
    BuiltinRole { name: "Compliance Administrator", template_id: "17315797-102d-40b4-93e0-432062caca18" },
    BuiltinRole {
        name: "Compliance Data Administrator",
        template_id: "e6d1a23a-da11-4be4-9570-befc86d067a7",
    },
    BuiltinRole {
        name: "Conditional Access Administrator",
        template_id: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    },
    BuiltinRole {
        name: "Customer Delegated Admin Relationship Administrator",
        template_id: "fc8ad4e2-40e4-4724-8317-bcda7503ecbf",
    },
    BuiltinRole {
        name: "Customer LockBox Access Approver",
        template_id: "5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91",
    },
    BuiltinRole {
        name: "Desktop Analytics Administrator",
        template_id: "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4",
    },
    BuiltinRole { name: "Device Join", template_id: "9c094953-4995-41c8-84c8-3ebb9b32c93f" },
    BuiltinRole { name: "Device Managers", template_id: "2b499bcd-da44-4968-8aec-78e1674fa64d" },
    BuiltinRole { name: "Device Users", template_id: "d405c6df-0af8-4e3b-95e4-4d06e542189e" },
    BuiltinRole { name: "Directory Readers", template_id: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b" },
    BuiltinRole {
        name: "Directory Synchronization Accounts",
        template_id: "d29b2b05-8046-44ba-8758-1e26182fcf32",
    },
    BuiltinRole { name: "Directory Writers", template_id: "9360feb5-f418-4baa-8175-e2a00bac4301" },
    BuiltinRole { name: "Domain Name Administrator", template_id: "8329153b-31d0-4727-b945-745eb3bc5f31" },
    BuiltinRole { name: "Dragon Administrator", template_id: "e93e3737-fa85-474a-aee4-7d3fb86510f3" },
    BuiltinRole { name: "Dynamics 365 Administrator", template_id: "44367163-eba1-44c3-98af-f5787879f96a" },
    BuiltinRole {
        name: "Dynamics 365 Business Central Administrator",
        template_id: "963797fb-eb3b-4cde-8ce3-5878b3f32a3f",
    },
    BuiltinRole { name: "Edge Administrator", template_id: "3f1acade-1e04-4fbc-9b69-f0302cd84aef" },
    BuiltinRole { name: "Email Verified User Creator", template_id: "d65e02d2-0214-4674-8e5d-766fb330e2c0" },
    BuiltinRole { name: "Entra Backup Administrator", template_id: "b6a27b2b-f905-4b2e-81b5-0d90e0ef1fdb" },
    BuiltinRole { name: "Entra Backup Reader", template_id: "f42252d9-5400-4d7b-b9ef-cc582dbb8577" },
    BuiltinRole { name: "Exchange Administrator", template_id: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
    BuiltinRole {
        name: "Exchange Backup Administrator",
        template_id: "49eb8f75-97e9-4e37-9b2b-6c3ebfcffa31",
    },
    BuiltinRole {
        name: "Exchange Recipient Administrator",
        template_id: "31392ffb-586c-42d1-9346-e59415a2cc4e",
    },
    BuiltinRole {
        name: "Extended Directory User Administrator",
        template_id: "dd13091a-6207-4fc0-82ba-3641e056ab95",
    },
    BuiltinRole {
        name: "External ID User Flow Administrator",
        template_id: "6e591065-9bad-43ed-90f3-e9424366d2f0",
    },
    BuiltinRole {
        name: "External ID User Flow Attribute Administrator",
        template_id: "0f971eea-41eb-4569-a71e-57bb8a3eff1e",
    },
    BuiltinRole {
        name: "External Identity Provider Administrator",
        template_id: "be2f45a1-457d-42af-a067-6ec1fa63bc45",
    },
    BuiltinRole { name: "Fabric Administrator", template_id: "a9ea8996-122f-4c74-9520-8edcd192826c" },
    BuiltinRole { name: "Global Administrator", template_id: "62e90394-69f5-4237-9190-012177145e10" },
    BuiltinRole { name: "Global Reader", template_id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451" },
    BuiltinRole {
        name: "Global Secure Access Administrator",
        template_id: "ac434307-12b9-4fa1-a708-88bf58caabc1",
    },
    BuiltinRole {
        name: "Global Secure Access Log Reader",
        template_id: "843318fb-79a6-4168-9e6f-aa9a07481cc4",
    },
    BuiltinRole { name: "Groups Administrator", template_id: "fdd7a751-b60b-444a-984c-02652fe8fa1c" },
    BuiltinRole { name: "Guest Inviter", template_id: "95e79109-95c0-4d8e-aee3-d01accf2d47b" },
    BuiltinRole { name: "Guest User", template_id: "10dae51f-b6af-4016-8d66-8c2a99b929b3" },
    BuiltinRole { name: "Helpdesk Administrator", template_id: "729827e3-9c14-49f7-bb1b-9608f156bbb8" },
    BuiltinRole {
        name: "Hybrid Identity Administrator",
        template_id: "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
    },
    BuiltinRole {
        name: "Identity Governance Administrator",
        template_id: "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
    },
    BuiltinRole { name: "Insights Administrator", template_id: "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c" },
    BuiltinRole { name: "Insights Analyst", template_id: "25df335f-86eb-4119-b717-0ff02de207e9" },
    BuiltinRole { name: "Insights Business Leader", template_id: "31e939ad-9672-4796-9c2e-873181342d2d" },
    BuiltinRole { name: "Intune Administrator", template_id: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
    BuiltinRole { name: "IoT Device Administrator", template_id: "2ea5ce4c-b2d8-4668-bd81-3680bd2d227a" },
    BuiltinRole { name: "Kaizala Administrator", template_id: "74ef975b-6605-40af-a5d2-b9539d836353" },
    BuiltinRole { name: "Knowledge Administrator", template_id: "b5a8dcf3-09d5-43a9-a639-8e29ef291470" },
    BuiltinRole { name: "Knowledge Manager", template_id: "744ec460-397e-42ad-a462-8b3f9747a02c" },
    BuiltinRole { name: "License Administrator", template_id: "4d6ac14f-3453-41d0-bef9-a3e0c569773a" },
    BuiltinRole {
        name: "Lifecycle Workflows Administrator",
        template_id: "59d46f88-662b-457b-bceb-5c3809e5908f",
    },
    BuiltinRole { name: "Mailbox Administrator", template_id: "b5468a13-3945-4a40-b0b1-5d78c2676bbf" },
    BuiltinRole {
        name: "Message Center Privacy Reader",
        template_id: "ac16e43d-7b2d-40e0-ac05-243ff356ab5b",
    },
    BuiltinRole { name: "Message Center Reader", template_id: "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b" },
    BuiltinRole {
        name: "Microsoft 365 Backup Administrator",
        template_id: "1707125e-0aa2-4d4d-8655-a7c786c76a25",
    },
    BuiltinRole {
        name: "Microsoft 365 Migration Administrator",
        template_id: "8c8b803f-96e1-4129-9349-20738d9f9652",
    },
    BuiltinRole {
        name: "Microsoft 365 Support Engineer",
        template_id: "00cf5c54-4693-4f59-a0ac-ab79ef0a974d",
    },
    BuiltinRole {
        name: "Microsoft Entra Joined Device Local Administrator",
        template_id: "9f06204d-73c1-4d4c-880a-6edb90606fd8",
    },
    BuiltinRole {
        name: "Microsoft Graph Data Connect Administrator",
        template_id: "ee67aa9c-e510-4759-b906-227085a7fd4d",
    },
    BuiltinRole {
        name: "Microsoft Hardware Warranty Administrator",
        template_id: "1501b917-7653-4ff9-a4b5-203eaf33784f",
    },
    BuiltinRole {
        name: "Microsoft Hardware Warranty Specialist",
        template_id: "281fe777-fb20-4fbb-b7a3-ccebce5b0d96",
    },
    BuiltinRole {
        name: "Modern Commerce Administrator",
        template_id: "d24aef57-1500-4070-84db-2666f29cf966",
    },
    BuiltinRole { name: "Network Administrator", template_id: "d37c8bed-0711-4417-ba38-b4abe66ce4c2" },
    BuiltinRole { name: "Office Apps Administrator", template_id: "2b745bdf-0803-4d80-aa65-822c4493daac" },
    BuiltinRole {
        name: "On Premises Directory Sync Account",
        template_id: "a92aed5d-d78a-4d16-b381-09adb37eb3b0",
    },
    BuiltinRole {
        name: "Organizational Branding Administrator",
        template_id: "92ed04bf-c94a-4b82-9729-b799a7a4c178",
    },
    BuiltinRole {
        name: "Organizational Data Source Administrator",
        template_id: "9d70768a-0cbc-4b4c-aea3-2e124b2477f4",
    },
    BuiltinRole {
        name: "Organizational Messages Approver",
        template_id: "e48398e2-f4bb-4074-8f31-4586725e205b",
    },
    BuiltinRole {
        name: "Organizational Messages Writer",
        template_id: "507f53e4-4e52-4077-abd3-d2e1558b6ea2",
    },
    BuiltinRole { name: "Partner Tier1 Support", template_id: "4ba39ca4-527c-499a-b93d-d9b492c50246" },
    BuiltinRole { name: "Partner Tier2 Support", template_id: "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8" },
    BuiltinRole { name: "Password Administrator", template_id: "966707d0-3269-4727-9be2-8c3a10f19b9d" },
    BuiltinRole { name: "People Administrator", template_id: "024906de-61e5-49c8-8572-40335f1e0e10" },
    BuiltinRole {
        name: "Permissions Management Administrator",
        template_id: "af78dc32-cf4d-46f9-ba4e-4428526346b5",
    },
    BuiltinRole { name: "Places Administrator", template_id: "78b0ccd1-afc2-4f92-9116-b41aedd09592" },
    BuiltinRole { name: "Power Platform Administrator", template_id: "11648597-926c-4cf3-9c36-bcebb0ba8dcc" },
    BuiltinRole { name: "Printer Administrator", template_id: "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f" },
    BuiltinRole { name: "Printer Technician", template_id: "e8cef6f1-e4bd-4ea8-bc07-4b8d950f4477" },
    BuiltinRole {
        name: "Privileged Authentication Administrator",
        template_id: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    },
    BuiltinRole {
        name: "Privileged Role Administrator",
        template_id: "e8611ab8-c189-46e8-94e1-60213ab1f814",
    },
    BuiltinRole {
        name: "Purview Workload Content Administrator",
        template_id: "3f04f91a-4ad7-4bd3-bcfa-49882ea1a88a",
    },
    BuiltinRole {
        name: "Purview Workload Content Reader",
        template_id: "e07494ad-1654-4dd2-922e-6f81a71bf00f",
    },
    BuiltinRole {
        name: "Purview Workload Content Writer",
        template_id: "02d5655b-c1cf-4e5f-98da-5fb919085bf6",
    },
    BuiltinRole { name: "Reports Reader", template_id: "4a5d8f65-41da-4de4-8968-e035b65339cf" },
    BuiltinRole { name: "Restricted Guest User", template_id: "2af84b1e-32c8-42b7-82bc-daa82404023b" },
    BuiltinRole { name: "Search Administrator", template_id: "0964bb5e-9bdb-4d7b-ac29-58e794862a40" },
    BuiltinRole { name: "Search Editor", template_id: "8835291a-918c-4fd7-a9ce-faa49f0cf7d9" },
    BuiltinRole { name: "Security Administrator", template_id: "194ae4cb-b126-40b2-bd5b-6091b380977d" },
    BuiltinRole { name: "Security Operator", template_id: "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f" },
    BuiltinRole { name: "Security Reader", template_id: "5d6b6bb7-de71-4623-b4af-96380a352509" },
    BuiltinRole {
        name: "Service Support Administrator",
        template_id: "f023fd81-a637-4b56-95fd-791ac0226033",
    },
    BuiltinRole { name: "SharePoint Administrator", template_id: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c" },
    BuiltinRole {
        name: "SharePoint Advanced Management Administrator",
        template_id: "99009c4a-3b3f-4957-82a9-9d35e12db77e",
    },
    BuiltinRole {
        name: "SharePoint Backup Administrator",
        template_id: "9d3e04ba-3ee4-4d1b-a3a7-9aef423a09be",
    },
    BuiltinRole {
        name: "SharePoint Embedded Administrator",
        template_id: "1a7d78b6-429f-476b-b8eb-35fb715fffd4",
    },
    BuiltinRole {
        name: "Skype for Business Administrator",
        template_id: "75941009-915a-4869-abe7-691bff18279e",
    },
    BuiltinRole { name: "Teams Administrator", template_id: "69091246-20e8-4a56-aa4d-066075b2a7a8" },
    BuiltinRole {
        name: "Teams Communications Administrator",
        template_id: "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
    },
    BuiltinRole {
        name: "Teams Communications Support Engineer",
        template_id: "f70938a0-fc10-4177-9e90-2178f8765737",
    },
    BuiltinRole {
        name: "Teams Communications Support Specialist",
        template_id: "fcf91098-03e3-41a9-b5ba-6f0ec8188a12",
    },
    BuiltinRole { name: "Teams Devices Administrator", template_id: "3d762c5a-1b6c-493f-843e-55a3b42923d4" },
    BuiltinRole {
        name: "Teams External Collaboration Administrator",
        template_id: "2fe872fb-daa8-4afc-8f6c-53c4565cfef4",
    },
    BuiltinRole { name: "Teams Reader", template_id: "1076ac91-f3d9-41a7-a339-dcdf5f480acc" },
    BuiltinRole {
        name: "Teams Telephony Administrator",
        template_id: "aa38014f-0993-46e9-9b45-30501a20909d",
    },
    BuiltinRole { name: "Tenant Creator", template_id: "112ca1a2-15ad-4102-995e-45b0bc479a6a" },
    BuiltinRole {
        name: "Tenant Governance Administrator",
        template_id: "1981f584-96e9-4a6f-95b0-f522373f8fae",
    },
    BuiltinRole { name: "Tenant Governance Reader", template_id: "e0a4caa6-fe82-443f-b92f-d87341d17b2e" },
    BuiltinRole {
        name: "Tenant Governance Relationship Administrator",
        template_id: "b8e31d83-1534-480f-9b10-0338ded51b7e",
    },
    BuiltinRole {
        name: "Tenant Governance Relationship Reader",
        template_id: "124577f8-48ed-456a-839f-13b419002e33",
    },
    BuiltinRole { name: "Usage Summary Reports Reader", template_id: "75934031-6c7e-415a-99d7-48dbd49e875e" },
    BuiltinRole { name: "User", template_id: "a0b1b346-4d3e-4e8b-98f8-753987be4970" },
    BuiltinRole { name: "User Administrator", template_id: "fe930be7-5e62-47db-91af-98c3a49a38b1" },
    BuiltinRole {
        name: "User Experience Success Manager",
        template_id: "27460883-1df1-4691-b032-3b79643e5e63",
    },
    BuiltinRole { name: "Virtual Visits Administrator", template_id: "e300d9e7-4a2b-4295-9eff-f1c78b36cc98" },
    BuiltinRole {
        name: "Viva Glint Tenant Administrator",
        template_id: "0ec3f692-38d6-4d14-9e69-0377ca7797ad",
    },
    BuiltinRole { name: "Viva Goals Administrator", template_id: "92b086b3-e367-4ef2-b869-1de128fb986e" },
    BuiltinRole { name: "Viva Pulse Administrator", template_id: "87761b17-1ed2-4af3-9acd-92a150038160" },
    BuiltinRole { name: "Windows 365 Administrator", template_id: "11451d60-acb2-45eb-a7d6-43d0f0125c13" },
    BuiltinRole {
        name: "Windows Update Deployment Administrator",
        template_id: "32696413-001a-46ae-978c-ce0f6b3620d2",
    },
    BuiltinRole { name: "Workplace Device Join", template_id: "c34f683f-4d5a-4403-affd-6615e00e3a7f" },
    BuiltinRole { name: "Yammer Administrator", template_id: "810a2642-a034-447f-a5e8-41beaa378541" },
];

/// Names the role had before Microsoft renamed it, so that policies written against the
/// old documentation still resolve.
const ROLE_ALIASES: &[(&str, &str)] = &[
    ("Azure AD Joined Device Local Administrator", "9f06204d-73c1-4d4c-880a-6edb90606fd8"),
    ("Modern Commerce User", "d24aef57-1500-4070-84db-2666f29cf966"),
];

/// Looks up a built-in role by display name, ASCII case-insensitively.
///
/// A few former display names (for example "Azure AD Joined Device Local Administrator")
/// are also accepted and resolve to the role under its current name.
#[must_use]
pub fn role_by_name(name: &str) -> Option<&'static BuiltinRole> {
    find_sorted(ROLES, name, |r| r.name).or_else(|| {
        ROLE_ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .and_then(|(_, id)| role_by_id(id))
    })
}

/// Looks up a built-in role by template id; the GUID is compared case-insensitively.
#[must_use]
pub fn role_by_id(id: &str) -> Option<&'static BuiltinRole> {
    ROLES.iter().find(|r| r.template_id.eq_ignore_ascii_case(id))
}

/// A well-known Microsoft first-party application (resource) that Conditional Access policies target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinApp {
    /// Service principal display name as Microsoft publishes it.
    pub name: &'static str,
    /// Application (client) id (lowercase GUID); identical in every tenant.
    pub app_id: &'static str,
}

/// Well-known first-party applications, sorted by `name` (ASCII case-insensitively).
pub static APPS: &[BuiltinApp] = &[
    BuiltinApp { name: "AAD Terms Of Use", app_id: "d52792f4-ba38-424d-8140-ada5b883f293" },
    BuiltinApp { name: "Azure Active Directory PowerShell", app_id: "1b730954-1685-4b74-9bfd-dac224a7b894" },
    BuiltinApp { name: "Azure DevOps", app_id: "499b84ac-1321-427f-aa17-267ca6975798" },
    BuiltinApp { name: "Azure Linux VM Sign-In", app_id: "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0" },
    BuiltinApp { name: "Azure Portal", app_id: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" },
    BuiltinApp { name: "Azure SQL Database", app_id: "022907d3-0f1b-48f7-badc-1ba6abab6d66" },
    BuiltinApp { name: "Azure Virtual Desktop", app_id: "9cdead84-a844-4324-93f2-b2e6bb768d07" },
    BuiltinApp { name: "Azure Virtual Desktop Client", app_id: "a85cf173-4192-42f8-81fa-777a763e6e2c" },
    BuiltinApp { name: "Azure Windows VM Sign-In", app_id: "372140e0-b3b7-4226-8ef9-d57986796201" },
    BuiltinApp { name: "Dataverse", app_id: "00000007-0000-0000-c000-000000000000" },
    BuiltinApp { name: "Device Registration Service", app_id: "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9" },
    BuiltinApp { name: "Exchange Admin Center", app_id: "497effe9-df71-4043-a8bb-14cf78c4b63b" },
    BuiltinApp { name: "Graph Explorer", app_id: "de8bc8b5-d9f9-48b1-a8ad-b748da725064" },
    BuiltinApp {
        name: "Microsoft 365 Security and Compliance Center",
        app_id: "80ccca67-54bd-44ab-8625-4b79c4dc7775",
    },
    BuiltinApp { name: "Microsoft App Access Panel", app_id: "0000000c-0000-0000-c000-000000000000" },
    BuiltinApp { name: "Microsoft Authentication Broker", app_id: "29d9ed98-a469-4536-ade2-f981bc1d605e" },
    BuiltinApp { name: "Microsoft Authenticator App", app_id: "4813382a-8fa7-425e-ab75-3b753aab3abb" },
    BuiltinApp {
        name: "Microsoft Azure Active Directory Connect",
        app_id: "cb1056e2-e479-49de-ae31-7812af012ed8",
    },
    BuiltinApp { name: "Microsoft Azure CLI", app_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" },
    BuiltinApp { name: "Microsoft Azure PowerShell", app_id: "1950a258-227b-4e31-a9cf-717495945fc2" },
    BuiltinApp { name: "Microsoft Defender for Cloud Apps", app_id: "3090ab82-f1c1-4cdf-af2c-5d7a6f3e2cc7" },
    BuiltinApp {
        name: "Microsoft Exchange Online Protection",
        app_id: "00000007-0000-0ff1-ce00-000000000000",
    },
    BuiltinApp {
        name: "Microsoft Exchange REST API Based Powershell",
        app_id: "fb78d390-0c51-40cd-8e17-fdbfab77341b",
    },
    BuiltinApp { name: "Microsoft Forms", app_id: "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87" },
    BuiltinApp { name: "Microsoft Graph", app_id: "00000003-0000-0000-c000-000000000000" },
    BuiltinApp { name: "Microsoft Graph Command Line Tools", app_id: "14d82eec-204b-4c2f-b7e8-296a70dab67e" },
    BuiltinApp { name: "Microsoft Intune", app_id: "0000000a-0000-0000-c000-000000000000" },
    BuiltinApp { name: "Microsoft Intune Checkin", app_id: "26a4ae64-5862-427f-a9b0-044e62572a4f" },
    BuiltinApp { name: "Microsoft Intune Company Portal", app_id: "9ba1a5c7-f17a-4de9-a1f1-6178c8d51223" },
    BuiltinApp { name: "Microsoft Intune Enrollment", app_id: "d4ebce55-015a-49b5-a083-c84d1797ae8c" },
    BuiltinApp {
        name: "Microsoft Intune Web Company Portal",
        app_id: "74bcdadc-2fdc-4bb3-8459-76d06952a0e9",
    },
    BuiltinApp { name: "Microsoft Intune Windows Agent", app_id: "fc0f3af4-6835-4174-b806-f7db311fd2f3" },
    BuiltinApp {
        name: "Microsoft Invitation Acceptance Portal",
        app_id: "4660504c-45b3-4674-a709-71951a6b0763",
    },
    BuiltinApp {
        name: "Microsoft Mobile Application Management",
        app_id: "0a5f63c0-b750-4f38-a71c-4fc0d58b89e2",
    },
    BuiltinApp { name: "Microsoft Office", app_id: "d3590ed6-52b3-4102-aeff-aad2292ab01c" },
    BuiltinApp { name: "Microsoft Office 365 Portal", app_id: "00000006-0000-0ff1-ce00-000000000000" },
    BuiltinApp { name: "Microsoft Outlook", app_id: "5d661950-3475-41cd-a2c3-d671a3162bc1" },
    BuiltinApp { name: "Microsoft password reset service", app_id: "93625bc8-bfe2-437a-97e0-3d0060024faa" },
    BuiltinApp { name: "Microsoft Power BI", app_id: "871c010f-5e61-4fb1-83ac-98610a7e9110" },
    BuiltinApp { name: "Microsoft Remote Desktop", app_id: "a4a365df-50f1-4397-bc59-1a1564b8bb9c" },
    BuiltinApp {
        name: "Microsoft Rights Management Services",
        app_id: "00000012-0000-0000-c000-000000000000",
    },
    BuiltinApp { name: "Microsoft Stream Portal", app_id: "cf53fce8-def6-4aeb-8d30-b158e7b1cf83" },
    BuiltinApp { name: "Microsoft Teams", app_id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264" },
    BuiltinApp { name: "Microsoft Teams Services", app_id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe" },
    BuiltinApp { name: "Microsoft Teams Web Client", app_id: "5e3ce6c0-2b1f-4285-8d4b-75ee78787346" },
    BuiltinApp { name: "Microsoft Whiteboard Services", app_id: "95de633a-083e-42f5-b444-a4295d8e9314" },
    BuiltinApp { name: "My Apps", app_id: "2793995e-0a7d-40d7-bd35-6968ba142197" },
    BuiltinApp { name: "My Profile", app_id: "8c59ead7-d703-4a27-9e55-c96a0054c8d2" },
    BuiltinApp { name: "My Signins", app_id: "19db86c3-b2b9-44cc-b339-36da233a3be2" },
    BuiltinApp { name: "My Staff", app_id: "ba9ff945-a723-4ab5-a977-bd8c9044fe61" },
    BuiltinApp { name: "Office 365 Exchange Online", app_id: "00000002-0000-0ff1-ce00-000000000000" },
    BuiltinApp { name: "Office 365 Management", app_id: "00b41c95-dab0-4487-9791-b9d2c32c80f2" },
    BuiltinApp { name: "Office 365 Search Service", app_id: "66a88757-258c-4c72-893c-3e8bed4d6899" },
    BuiltinApp { name: "Office 365 SharePoint Online", app_id: "00000003-0000-0ff1-ce00-000000000000" },
    BuiltinApp { name: "Office Delve", app_id: "94c63fef-13a3-47bc-8074-75af8c65887a" },
    BuiltinApp { name: "Office.com", app_id: "4b233688-031c-404b-9a80-a4f3f2351f90" },
    BuiltinApp { name: "OfficeHome", app_id: "4765445b-32c6-49b0-83e6-1d93765276ca" },
    BuiltinApp { name: "OneDrive", app_id: "b26aadf8-566f-4478-926f-589f601d9c74" },
    BuiltinApp { name: "OneDrive SyncEngine", app_id: "ab9b8c07-8f02-4f72-87fa-80105867a763" },
    BuiltinApp { name: "OneNote", app_id: "2d4d3d8e-2be3-4bef-9f87-7875a61c29de" },
    BuiltinApp { name: "Outlook Mobile", app_id: "27922004-5251-4030-b22d-91ecd9a37ea4" },
    BuiltinApp { name: "Portfolios", app_id: "f53895d3-095d-408f-8e93-8f94b391404e" },
    BuiltinApp { name: "Power BI Service", app_id: "00000009-0000-0000-c000-000000000000" },
    BuiltinApp {
        name: "SharePoint Online Web Client Extensibility",
        app_id: "08e18876-6177-487e-b8b5-cf950c1e598c",
    },
    BuiltinApp { name: "Skype for Business Online", app_id: "00000004-0000-0ff1-ce00-000000000000" },
    BuiltinApp { name: "Sway", app_id: "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba" },
    BuiltinApp { name: "Universal Store Native Client", app_id: "268761a2-03f3-40df-8a8b-c3db24145b6b" },
    BuiltinApp { name: "Viva Engage", app_id: "00000005-0000-0ff1-ce00-000000000000" },
    BuiltinApp { name: "Windows 365", app_id: "0af06dc6-e4b5-4f28-818e-e78e62d137a5" },
    BuiltinApp { name: "Windows Azure Active Directory", app_id: "00000002-0000-0000-c000-000000000000" },
    BuiltinApp {
        name: "Windows Azure Service Management API",
        app_id: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    },
    BuiltinApp { name: "Windows Cloud Login", app_id: "270efc09-cd0d-444b-a71f-39af4910ec45" },
    BuiltinApp { name: "Windows Search", app_id: "26a7ee05-5602-4d76-a7ba-eae8b7b67941" },
    BuiltinApp { name: "Windows Store for Business", app_id: "45a330b1-b1ec-4cc1-9161-9f03992aa49f" },
    BuiltinApp { name: "WindowsDefenderATP Portal", app_id: "a3b79187-70b2-4139-83f9-6016c58cd27b" },
    BuiltinApp { name: "Yammer Web", app_id: "c1c74fed-04c9-4704-80dc-9f79a2e515cb" },
];

/// Looks up a well-known application by display name, ASCII case-insensitively.
#[must_use]
pub fn app_by_name(name: &str) -> Option<&'static BuiltinApp> {
    find_sorted(APPS, name, |a| a.name)
}

/// Looks up a well-known application by application id; the GUID is compared case-insensitively.
#[must_use]
pub fn app_by_id(id: &str) -> Option<&'static BuiltinApp> {
    APPS.iter().find(|a| a.app_id.eq_ignore_ascii_case(id))
}

/// A built-in authentication strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinStrength {
    /// Display name of the built-in authentication strength policy.
    pub name: &'static str,
    /// Policy id; built-in strengths use fixed, tenant-independent GUIDs.
    pub id: &'static str,
}

/// The built-in authentication strengths, sorted by `name`.
pub static AUTH_STRENGTHS: &[BuiltinStrength] = &[
    BuiltinStrength { name: "Multifactor authentication", id: "00000000-0000-0000-0000-000000000002" },
    BuiltinStrength { name: "Passwordless MFA", id: "00000000-0000-0000-0000-000000000003" },
    BuiltinStrength { name: "Phishing-resistant MFA", id: "00000000-0000-0000-0000-000000000004" },
];

/// Looks up a built-in authentication strength by name, ASCII case-insensitively.
#[must_use]
pub fn strength_by_name(name: &str) -> Option<&'static BuiltinStrength> {
    find_sorted(AUTH_STRENGTHS, name, |s| s.name)
}

/// Looks up a built-in authentication strength by id; the GUID is compared case-insensitively.
#[must_use]
pub fn strength_by_id(id: &str) -> Option<&'static BuiltinStrength> {
    AUTH_STRENGTHS.iter().find(|s| s.id.eq_ignore_ascii_case(id))
}

/// ISO 3166-1 alpha-2 codes with English short names, sorted by code.
pub static COUNTRIES: &[(&str, &str)] = &[
    ("AD", "Andorra"),
    ("AE", "United Arab Emirates"),
    ("AF", "Afghanistan"),
    ("AG", "Antigua and Barbuda"),
    ("AI", "Anguilla"),
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AO", "Angola"),
    ("AQ", "Antarctica"),
    ("AR", "Argentina"),
    ("AS", "American Samoa"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AW", "Aruba"),
    ("AX", "Åland Islands"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BB", "Barbados"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BF", "Burkina Faso"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BI", "Burundi"),
    ("BJ", "Benin"),
    ("BL", "Saint Barthélemy"),
    ("BM", "Bermuda"),
    ("BN", "Brunei Darussalam"),
    ("BO", "Bolivia, Plurinational State of"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "Brazil"),
    ("BS", "Bahamas"),
    ("BT", "Bhutan"),
    ("BV", "Bouvet Island"),
    ("BW", "Botswana"),
    ("BY", "Belarus"),
    ("BZ", "Belize"),
    ("CA", "Canada"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CD", "Congo, The Democratic Republic of the"),
    ("CF", "Central African Republic"),
    ("CG", "Congo"),
    ("CH", "Switzerland"),
    ("CI", "Côte d'Ivoire"),
    ("CK", "Cook Islands"),
    ("CL", "Chile"),
    ("CM", "Cameroon"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("CV", "Cabo Verde"),
    ("CW", "Curaçao"),
    ("CX", "Christmas Island"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DJ", "Djibouti"),
    ("DK", "Denmark"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EH", "Western Sahara"),
    ("ER", "Eritrea"),
    ("ES", "Spain"),
    ("ET", "Ethiopia"),
    ("FI", "Finland"),
    ("FJ", "Fiji"),
    ("FK", "Falkland Islands (Malvinas)"),
    ("FM", "Micronesia, Federated States of"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GB", "United Kingdom"),
    ("GD", "Grenada"),
    ("GE", "Georgia"),
    ("GF", "French Guiana"),
    ("GG", "Guernsey"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GL", "Greenland"),
    ("GM", "Gambia"),
    ("GN", "Guinea"),
    ("GP", "Guadeloupe"),
    ("GQ", "Equatorial Guinea"),
    ("GR", "Greece"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("GT", "Guatemala"),
    ("GU", "Guam"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HK", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HT", "Haiti"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IM", "Isle of Man"),
    ("IN", "India"),
    ("IO", "British Indian Ocean Territory"),
    ("IQ", "Iraq"),
    ("IR", "Iran, Islamic Republic of"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JE", "Jersey"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"),
    ("KH", "Cambodia"),
    ("KI", "Kiribati"),
    ("KM", "Comoros"),
    ("KN", "Saint Kitts and Nevis"),
    ("KP", "Korea, Democratic People's Republic of"),
    ("KR", "Korea, Republic of"),
    ("KW", "Kuwait"),
    ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"),
    ("LA", "Lao People's Democratic Republic"),
    ("LB", "Lebanon"),
    ("LC", "Saint Lucia"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LR", "Liberia"),
    ("LS", "Lesotho"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MC", "Monaco"),
    ("MD", "Moldova, Republic of"),
    ("ME", "Montenegro"),
    ("MF", "Saint Martin (French part)"),
    ("MG", "Madagascar"),
    ("MH", "Marshall Islands"),
    ("MK", "North Macedonia"),
    ("ML", "Mali"),
    ("MM", "Myanmar"),
    ("MN", "Mongolia"),
    ("MO", "Macao"),
    ("MP", "Northern Mariana Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MS", "Montserrat"),
    ("MT", "Malta"),
    ("MU", "Mauritius"),
    ("MV", "Maldives"),
    ("MW", "Malawi"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("MZ", "Mozambique"),
    ("NA", "Namibia"),
    ("NC", "New Caledonia"),
    ("NE", "Niger"),
    ("NF", "Norfolk Island"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NR", "Nauru"),
    ("NU", "Niue"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PM", "Saint Pierre and Miquelon"),
    ("PN", "Pitcairn"),
    ("PR", "Puerto Rico"),
    ("PS", "Palestine, State of"),
    ("PT", "Portugal"),
    ("PW", "Palau"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russian Federation"),
    ("RW", "Rwanda"),
    ("SA", "Saudi Arabia"),
    ("SB", "Solomon Islands"),
    ("SC", "Seychelles"),
    ("SD", "Sudan"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "Slovenia"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SK", "Slovakia"),
    ("SL", "Sierra Leone"),
    ("SM", "San Marino"),
    ("SN", "Senegal"),
    ("SO", "Somalia"),
    ("SR", "Suriname"),
    ("SS", "South Sudan"),
    ("ST", "Sao Tome and Principe"),
    ("SV", "El Salvador"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SY", "Syrian Arab Republic"),
    ("SZ", "Eswatini"),
    ("TC", "Turks and Caicos Islands"),
    ("TD", "Chad"),
    ("TF", "French Southern Territories"),
    ("TG", "Togo"),
    ("TH", "Thailand"),
    ("TJ", "Tajikistan"),
    ("TK", "Tokelau"),
    ("TL", "Timor-Leste"),
    ("TM", "Turkmenistan"),
    ("TN", "Tunisia"),
    ("TO", "Tonga"),
    ("TR", "Türkiye"),
    ("TT", "Trinidad and Tobago"),
    ("TV", "Tuvalu"),
    ("TW", "Taiwan, Province of China"),
    ("TZ", "Tanzania, United Republic of"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("UM", "United States Minor Outlying Islands"),
    ("US", "United States"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VA", "Holy See (Vatican City State)"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("VE", "Venezuela, Bolivarian Republic of"),
    ("VG", "Virgin Islands, British"),
    ("VI", "Virgin Islands, U.S."),
    ("VN", "Viet Nam"),
    ("VU", "Vanuatu"),
    ("WF", "Wallis and Futuna"),
    ("WS", "Samoa"),
    ("YE", "Yemen"),
    ("YT", "Mayotte"),
    ("ZA", "South Africa"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

/// Returns the English short name for an ISO 3166-1 alpha-2 code.
///
/// Only exact upper-case codes match: Graph always emits them that way, and accepting
/// other spellings here would hide malformed input from the linter.
#[must_use]
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| COUNTRIES.get(i))
        .map(|(_, name)| *name)
}

/// Orders names the way the tables are sorted: byte-wise after ASCII lower-casing.
fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn find_sorted<T>(table: &'static [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'static T> {
    table.binary_search_by(|entry| cmp_ignore_ascii_case(key(entry), name)).ok().and_then(|i| table.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn is_lower_guid(s: &str) -> bool {
        s.len() == 36
            && s.bytes().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            })
    }

    fn assert_table<T>(table: &[T], name: impl Fn(&T) -> &str, id: impl Fn(&T) -> &str, what: &str) {
        for pair in table.windows(2) {
            assert_eq!(
                cmp_ignore_ascii_case(name(&pair[0]), name(&pair[1])),
                Ordering::Less,
                "{what} not sorted/unique by name: {:?} then {:?}",
                name(&pair[0]),
                name(&pair[1])
            );
        }
        let ids: BTreeSet<String> = table.iter().map(|e| id(e).to_ascii_lowercase()).collect();
        assert_eq!(ids.len(), table.len(), "{what} ids not unique");
        for e in table {
            assert!(is_lower_guid(id(e)), "{what} id malformed: {:?}", id(e));
            assert!(!name(e).is_empty(), "{what} has an empty name");
            assert_eq!(name(e), name(e).trim(), "{what} name has stray whitespace");
        }
    }

    #[test]
    fn guid_check_rejects_bad_input() {
        assert!(is_lower_guid("62e90394-69f5-4237-9190-012177145e10"));
        assert!(!is_lower_guid("62E90394-69F5-4237-9190-012177145E10"));
        assert!(!is_lower_guid("62e90394-69f5-4237-9190-012177145e1"));
        assert!(!is_lower_guid("62e90394x69f5-4237-9190-012177145e10"));
        assert!(!is_lower_guid("62e90394-69f5-4237-9190-012177145e1g"));
    }

    #[test]
    fn tables_sorted_unique_and_well_formed() {
        assert_table(ROLES, |r| r.name, |r| r.template_id, "ROLES");
        assert_table(APPS, |a| a.name, |a| a.app_id, "APPS");
        assert_table(AUTH_STRENGTHS, |s| s.name, |s| s.id, "AUTH_STRENGTHS");
        assert!(ROLES.len() >= 100, "only {} roles", ROLES.len());
    }

    #[test]
    fn role_lookups_round_trip() {
        for r in ROLES {
            assert_eq!(role_by_name(r.name), Some(r));
            assert_eq!(role_by_name(&r.name.to_ascii_uppercase()), Some(r));
            assert_eq!(role_by_name(&r.name.to_ascii_lowercase()), Some(r));
            assert_eq!(role_by_id(r.template_id), Some(r));
            assert_eq!(role_by_id(&r.template_id.to_ascii_uppercase()), Some(r));
        }
        assert_eq!(role_by_name("Global Admin"), None);
        assert_eq!(role_by_name(" Global Administrator"), None);
        assert_eq!(role_by_name(""), None);
        assert_eq!(role_by_id("00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(role_by_id("62e90394"), None);
    }

    #[test]
    fn role_aliases_resolve_to_current_names() {
        for (alias, id) in ROLE_ALIASES {
            let role = role_by_name(alias).expect("alias resolves");
            assert_eq!(role.template_id, *id);
            assert!(role_by_name(&alias.to_ascii_lowercase()).is_some());
            // An alias must never shadow a current display name.
            assert!(ROLES.iter().all(|r| !r.name.eq_ignore_ascii_case(alias)));
        }
        assert_eq!(
            role_by_name("Azure AD Joined Device Local Administrator").map(|r| r.name),
            Some("Microsoft Entra Joined Device Local Administrator")
        );
    }

    #[test]
    fn app_lookups_round_trip() {
        for a in APPS {
            assert_eq!(app_by_name(a.name), Some(a));
            assert_eq!(app_by_name(&a.name.to_ascii_uppercase()), Some(a));
            assert_eq!(app_by_id(a.app_id), Some(a));
            assert_eq!(app_by_id(&a.app_id.to_ascii_uppercase()), Some(a));
        }
        assert_eq!(app_by_name("Office365"), None);
        assert_eq!(app_by_id("All"), None);
    }

    #[test]
    fn strength_lookups_round_trip() {
        assert_eq!(AUTH_STRENGTHS.len(), 3);
        for s in AUTH_STRENGTHS {
            assert_eq!(strength_by_name(s.name), Some(s));
            assert_eq!(strength_by_name(&s.name.to_ascii_lowercase()), Some(s));
            assert_eq!(strength_by_id(s.id), Some(s));
        }
        let known = [
            ("Multifactor authentication", "00000000-0000-0000-0000-000000000002"),
            ("Passwordless MFA", "00000000-0000-0000-0000-000000000003"),
            ("Phishing-resistant MFA", "00000000-0000-0000-0000-000000000004"),
        ];
        for (name, id) in known {
            assert_eq!(strength_by_name(name).map(|s| s.id), Some(id));
        }
        assert_eq!(strength_by_id("00000000-0000-0000-0000-000000000001"), None);
    }

    #[test]
    fn countries_complete_sorted_and_exact() {
        assert_eq!(COUNTRIES.len(), 249);
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} then {:?}", pair[0].0, pair[1].0);
        }
        for (code, name) in COUNTRIES {
            assert_eq!(code.len(), 2);
            assert!(code.bytes().all(|c| c.is_ascii_uppercase()), "{code}");
            assert!(!name.is_empty());
            assert_eq!(country_name(code), Some(*name));
            assert_eq!(country_name(&code.to_ascii_lowercase()), None);
        }
        assert_eq!(country_name("AD"), Some("Andorra"));
        assert_eq!(country_name("ZW"), Some("Zimbabwe"));
        assert_eq!(country_name("US"), Some("United States"));
        // User-assigned or reserved codes are not countries.
        for code in ["XK", "ZZ", "AA", "EU", "UK", "", "U", "USA"] {
            assert_eq!(country_name(code), None, "{code}");
        }
    }

    #[test]
    fn known_ids_present() {
        let roles = [
            ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10"),
            ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"),
            ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
            ("SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"),
            ("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
            ("Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"),
            ("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
            ("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"),
            ("Directory Synchronization Accounts", "d29b2b05-8046-44ba-8758-1e26182fcf32"),
        ];
        for (name, id) in roles {
            assert_eq!(role_by_name(name).map(|r| r.template_id), Some(id), "{name}");
            assert_eq!(role_by_id(id).map(|r| r.name), Some(name), "{id}");
        }
        let apps = [
            ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
            ("Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"),
            ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
            ("Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"),
            ("Microsoft Intune", "0000000a-0000-0000-c000-000000000000"),
            ("Microsoft Intune Enrollment", "d4ebce55-015a-49b5-a083-c84d1797ae8c"),
            ("Azure DevOps", "499b84ac-1321-427f-aa17-267ca6975798"),
            ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
            ("Microsoft Azure PowerShell", "1950a258-227b-4e31-a9cf-717495945fc2"),
            ("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            ("Device Registration Service", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"),
            ("Windows Store for Business", "45a330b1-b1ec-4cc1-9161-9f03992aa49f"),
            ("Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e"),
            ("My Apps", "2793995e-0a7d-40d7-bd35-6968ba142197"),
            ("My Signins", "19db86c3-b2b9-44cc-b339-36da233a3be2"),
            ("My Profile", "8c59ead7-d703-4a27-9e55-c96a0054c8d2"),
        ];
        for (name, id) in apps {
            assert_eq!(app_by_name(name).map(|a| a.app_id), Some(id), "{name}");
            assert_eq!(app_by_id(id).map(|a| a.name), Some(name), "{id}");
        }
    }

    /// Every role and application id referenced by the policy exports in the shared corpus,
    /// pinned here so the catalogue cannot silently lose one.
    #[test]
    fn corpus_ids_are_named() {
        let role_ids = [
            "0526716b-113d-4c15-b2c8-68e3c22b9f80",
            "0964bb5e-9bdb-4d7b-ac29-58e794862a40",
            "0f971eea-41eb-4569-a71e-57bb8a3eff1e",
            "10dae51f-b6af-4016-8d66-8c2a99b929b3",
            "112ca1a2-15ad-4102-995e-45b0bc479a6a",
            "11451d60-acb2-45eb-a7d6-43d0f0125c13",
            "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
            "1501b917-7653-4ff9-a4b5-203eaf33784f",
            "158c047a-c907-4556-b7ef-446551a6b5f7",
            "1707125e-0aa2-4d4d-8655-a7c786c76a25",
            "17315797-102d-40b4-93e0-432062caca18",
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            "1a7d78b6-429f-476b-b8eb-35fb715fffd4",
            "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c",
            "25a516ed-2fa0-40ea-a2d0-12923a21473a",
            "25df335f-86eb-4119-b717-0ff02de207e9",
            "27460883-1df1-4691-b032-3b79643e5e63",
            "281fe777-fb20-4fbb-b7a3-ccebce5b0d96",
            "29232cdf-9323-42fd-ade2-1d097af3e4de",
            "2af84b1e-32c8-42b7-82bc-daa82404023b",
            "2b499bcd-da44-4968-8aec-78e1674fa64d",
            "2b745bdf-0803-4d80-aa65-822c4493daac",
            "31392ffb-586c-42d1-9346-e59415a2cc4e",
            "31e939ad-9672-4796-9c2e-873181342d2d",
            "32696413-001a-46ae-978c-ce0f6b3620d2",
            "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4",
            "3a2c62db-5318-420d-8d74-23affee5d9d5",
            "3d762c5a-1b6c-493f-843e-55a3b42923d4",
            "3edaf663-341e-4475-9f94-5c398ef6c070",
            "3f1acade-1e04-4fbc-9b69-f0302cd84aef",
            "44367163-eba1-44c3-98af-f5787879f96a",
            "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
            "4a5d8f65-41da-4de4-8968-e035b65339cf",
            "4ba39ca4-527c-499a-b93d-d9b492c50246",
            "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
            "507f53e4-4e52-4077-abd3-d2e1558b6ea2",
            "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d",
            "59d46f88-662b-457b-bceb-5c3809e5908f",
            "5b784334-f94b-471a-a387-e7219fc49ca2",
            "5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91",
            "5d6b6bb7-de71-4623-b4af-96380a352509",
            "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
            "62e90394-69f5-4237-9190-012177145e10",
            "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f",
            "69091246-20e8-4a56-aa4d-066075b2a7a8",
            "6b942400-691f-4bf0-9d12-d8a254a2baf5",
            "6e591065-9bad-43ed-90f3-e9424366d2f0",
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            "744ec460-397e-42ad-a462-8b3f9747a02c",
            "7495fdc4-34c4-4d15-a289-98788ce399fd",
            "74ef975b-6605-40af-a5d2-b9539d836353",
            "75934031-6c7e-415a-99d7-48dbd49e875e",
            "75941009-915a-4869-abe7-691bff18279e",
            "7698a772-787b-4ac8-901f-60d6b08affd2",
            "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
            "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
            "810a2642-a034-447f-a5e8-41beaa378541",
            "8329153b-31d0-4727-b945-745eb3bc5f31",
            "8424c6f0-a189-499e-bbd0-26c1753c96d4",
            "87761b17-1ed2-4af3-9acd-92a150038160",
            "8835291a-918c-4fd7-a9ce-faa49f0cf7d9",
            "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
            "892c5842-a9a6-463a-8041-72aa08ca3cf6",
            "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
            "8c8b803f-96e1-4129-9349-20738d9f9652",
            "92b086b3-e367-4ef2-b869-1de128fb986e",
            "92ed04bf-c94a-4b82-9729-b799a7a4c178",
            "9360feb5-f418-4baa-8175-e2a00bac4301",
            "95e79109-95c0-4d8e-aee3-d01accf2d47b",
            "963797fb-eb3b-4cde-8ce3-5878b3f32a3f",
            "966707d0-3269-4727-9be2-8c3a10f19b9d",
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            "9c094953-4995-41c8-84c8-3ebb9b32c93f",
            "9c6df0f2-1e7c-4dc3-b195-66dfbd24aa8f",
            "9c99539d-8186-4804-835f-fd51ef9e2dcd",
            "9f06204d-73c1-4d4c-880a-6edb90606fd8",
            "a9ea8996-122f-4c74-9520-8edcd192826c",
            "aa38014f-0993-46e9-9b45-30501a20909d",
            "aaf43236-0c0d-4d5f-883a-6955382ac081",
            "ac16e43d-7b2d-40e0-ac05-243ff356ab5b",
            "ac434307-12b9-4fa1-a708-88bf58caabc1",
            "af78dc32-cf4d-46f9-ba4e-4428526346b5",
            "b0f54661-2d74-4c50-afa3-1ec803f12efe",
            "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
            "b5a8dcf3-09d5-43a9-a639-8e29ef291470",
            "b6a27b2b-f905-4b2e-81b5-0d90e0ef1fdb",
            "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
            "be2f45a1-457d-42af-a067-6ec1fa63bc45",
            "c34f683f-4d5a-4403-affd-6615e00e3a7f",
            "c430b396-e693-46cc-96f3-db01bf8bb62a",
            "c4e39bd9-1100-46d3-8c65-fb160da0071f",
            "cf1c38e5-3621-4004-a7cb-879624dced7c",
            "d2562ede-74db-457e-a7b6-544e236ebb61",
            "d29b2b05-8046-44ba-8758-1e26182fcf32",
            "d37c8bed-0711-4417-ba38-b4abe66ce4c2",
            "d405c6df-0af8-4e3b-95e4-4d06e542189e",
            "db506228-d27e-4b7d-95e5-295956d6615f",
            "dd13091a-6207-4fc0-82ba-3641e056ab95",
            "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8",
            "e300d9e7-4a2b-4295-9eff-f1c78b36cc98",
            "e3973bdf-4987-49ae-837a-ba8e231c7286",
            "e6d1a23a-da11-4be4-9570-befc86d067a7",
            "e8611ab8-c189-46e8-94e1-60213ab1f814",
            "e8cef6f1-e4bd-4ea8-bc07-4b8d950f4477",
            "e93e3737-fa85-474a-aee4-7d3fb86510f3",
            "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c",
            "f023fd81-a637-4b56-95fd-791ac0226033",
            "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
            "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
            "f70938a0-fc10-4177-9e90-2178f8765737",
            "fcf91098-03e3-41a9-b5ba-6f0ec8188a12",
            "fdd7a751-b60b-444a-984c-02652fe8fa1c",
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            "ffd52fa5-98dc-465c-991d-fc073eb59f8f",
        ];
        for id in role_ids {
            assert!(role_by_id(id).is_some(), "corpus role {id} missing");
        }
        let app_ids = [
            "00000002-0000-0ff1-ce00-000000000000",
            "00000003-0000-0ff1-ce00-000000000000",
            "0000000a-0000-0000-c000-000000000000",
            "14d82eec-204b-4c2f-b7e8-296a70dab67e",
            "2793995e-0a7d-40d7-bd35-6968ba142197",
            "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            "d4ebce55-015a-49b5-a083-c84d1797ae8c",
            "f53895d3-095d-408f-8e93-8f94b391404e",
        ];
        for id in app_ids {
            assert!(app_by_id(id).is_some(), "corpus app {id} missing");
        }
    }
}
