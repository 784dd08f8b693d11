//! The abstract syntax tree of `.capol` files: what was written, with spans, before names are
//! resolved. Equality ignores spans (see `Spanned`), so two files that differ only in layout or
//! comments have equal trees.

use crate::span::{Span, Spanned};

/// An identifier with its span.
pub type Ident = Spanned<String>;
/// A string literal (escapes decoded) with its span.
pub type Str = Spanned<String>;

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// Declarations in source order.
    pub decls: Vec<Decl>,
    /// Every `//` comment, in source order. Not part of equality: see `Comment`.
    pub comments: Vec<Comment>,
}

/// A `//` comment.
#[derive(Debug, Clone, Default)]
pub struct Comment {
    /// The comment, from `//` to the end of the line (exclusive).
    pub span: Span,
    /// The text after `//`.
    pub text: String,
}

impl PartialEq for Comment {
    // Comments are layout for the tree's purposes; the formatter checks them separately.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    /// `tenant { ... }`.
    Tenant(TenantDecl),
    /// `group`, `user`, `role`, `app`, ... declarations.
    Object(ObjectDecl),
    /// `location NAME { ... }`.
    Location(LocationDecl),
    /// `preview FEATURE { ... }`.
    Preview(PreviewDecl),
    /// `methods { ... }`.
    Methods(MethodsDecl),
    /// `policy "..." { ... }`.
    Policy(PolicyDecl),
    /// `test "..." { ... }`.
    Test(TestDecl),
    /// `assert "..." { ... }`.
    Assert(AssertDecl),
}

impl Decl {
    /// The span of the whole declaration.
    pub fn span(&self) -> Span {
        match self {
            Decl::Tenant(d) => d.span,
            Decl::Object(d) => d.span,
            Decl::Location(d) => d.span,
            Decl::Preview(d) => d.span,
            Decl::Methods(d) => d.span,
            Decl::Policy(d) => d.span,
            Decl::Test(d) => d.span,
            Decl::Assert(d) => d.span,
        }
    }
}

/// `tenant { edition = p2, id = "..." }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantDecl {
    /// Whole declaration.
    pub span: Span,
    /// `edition = free | trial | p1 | p2`.
    pub edition: Option<Ident>,
    /// The tenant id.
    pub id: Option<Str>,
    /// The primary domain, informational.
    pub domain: Option<Str>,
}

/// The kinds of object declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// `group`.
    Group,
    /// `user`.
    User,
    /// `role`.
    Role,
    /// `app`.
    App,
    /// `auth_context`.
    AuthContext,
    /// `terms_of_use`.
    TermsOfUse,
    /// `auth_strength`.
    AuthStrength,
    /// `custom_control`.
    CustomControl,
    /// `service_principal`.
    ServicePrincipal,
}

impl ObjectKind {
    /// Every kind, in the order the formatter and docs list them.
    pub const ALL: [ObjectKind; 9] = [
        ObjectKind::Group,
        ObjectKind::User,
        ObjectKind::Role,
        ObjectKind::App,
        ObjectKind::AuthContext,
        ObjectKind::TermsOfUse,
        ObjectKind::AuthStrength,
        ObjectKind::CustomControl,
        ObjectKind::ServicePrincipal,
    ];

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ObjectKind::Group => "group",
            ObjectKind::User => "user",
            ObjectKind::Role => "role",
            ObjectKind::App => "app",
            ObjectKind::AuthContext => "auth_context",
            ObjectKind::TermsOfUse => "terms_of_use",
            ObjectKind::AuthStrength => "auth_strength",
            ObjectKind::CustomControl => "custom_control",
            ObjectKind::ServicePrincipal => "service_principal",
        }
    }

    /// Parse a keyword.
    pub fn from_keyword(word: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.keyword() == word)
    }

    /// The kind with an article, for messages: "a group", "an app".
    pub fn with_article(self) -> &'static str {
        match self {
            ObjectKind::Group => "a group",
            ObjectKind::User => "a user",
            ObjectKind::Role => "a role",
            ObjectKind::App => "an app",
            ObjectKind::AuthContext => "an auth_context",
            ObjectKind::TermsOfUse => "a terms_of_use",
            ObjectKind::AuthStrength => "an auth_strength",
            ObjectKind::CustomControl => "a custom_control",
            ObjectKind::ServicePrincipal => "a service_principal",
        }
    }
}

/// A directory or grant-control object: `group g { id = "...", display_name = "..." }`,
/// `app a = "appId"`, `role r = builtin("Global Administrator")`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDecl {
    /// Whole declaration.
    pub span: Span,
    /// What is declared.
    pub kind: ObjectKind,
    /// Its name in the workspace.
    pub name: Ident,
    /// `builtin("...")`: a catalogue entry by display name.
    pub builtin: Option<Str>,
    /// The directory id (object id, app id, template id, `c1`...).
    pub id: Option<Str>,
    /// The display name in the tenant.
    pub display_name: Option<Str>,
    /// A user's principal name.
    pub upn: Option<Str>,
    /// Marks break-glass accounts and groups.
    pub emergency_access: Option<Span>,
    /// A user's group memberships.
    pub member_of: Vec<Ident>,
    /// A user's directory roles.
    pub roles: Vec<Ident>,
    /// A user's type: `member` or one of the guest or external user types.
    pub user_type: Option<Ident>,
}

impl ObjectDecl {
    /// A declaration with only a kind and a name.
    pub fn new(kind: ObjectKind, name: Ident, span: Span) -> ObjectDecl {
        ObjectDecl {
            span,
            kind,
            name,
            builtin: None,
            id: None,
            display_name: None,
            upn: None,
            emergency_access: None,
            member_of: Vec::new(),
            roles: Vec::new(),
            user_type: None,
        }
    }
}

/// A named location.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationDecl {
    /// Whole declaration.
    pub span: Span,
    /// Its name.
    pub name: Ident,
    /// The Graph id, if the location exists already.
    pub id: Option<Str>,
    /// The display name in the tenant (defaults to the name).
    pub display_name: Option<Str>,
    /// `trusted`.
    pub trusted: Option<Span>,
    /// `ip ...` lines: the ranges as written.
    pub ranges: Vec<Spanned<String>>,
    /// `countries ...` lines.
    pub countries: Vec<Ident>,
    /// `include_unknown`.
    pub include_unknown: Option<Span>,
    /// `lookup = ip | gps`.
    pub lookup: Option<Ident>,
}

/// `preview combined_registration { enabled_for = group g }`.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewDecl {
    /// Whole declaration.
    pub span: Span,
    /// The feature name.
    pub feature: Ident,
    /// Who the feature is enabled for.
    pub enabled_for: Option<Spanned<PreviewScope>>,
}

/// Who a preview feature is enabled for.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewScope {
    /// Everyone.
    All,
    /// No one.
    None,
    /// One group.
    Group(Ident),
}

/// `methods { mfa = [...], sspr = [...] }`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodsDecl {
    /// Whole declaration.
    pub span: Span,
    /// Methods enabled for MFA.
    pub mfa: Option<Spanned<Vec<Ident>>>,
    /// Methods enabled for self-service password reset.
    pub sspr: Option<Spanned<Vec<Ident>>>,
}

/// A Conditional Access policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDecl {
    /// Whole declaration.
    pub span: Span,
    /// The display name.
    pub name: Str,
    /// The settings in source order.
    pub items: Vec<Spanned<PolicyItem>>,
}

/// One setting of a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyItem {
    /// `id = "..."`.
    Id(Str),
    /// `description = "..."`.
    Description(Str),
    /// `state = enabled | disabled | report_only`.
    State(Ident),
    /// `report_only_since = "YYYY-MM-DD"`.
    ReportOnlySince(Str),
    /// `contingency`: a disabled policy kept for emergencies.
    Contingency,
    /// `users { ... }`.
    Users(Vec<Spanned<IncludeExclude<Principal>>>),
    /// `service_principals { ... }`.
    ServicePrincipals(Vec<Spanned<ServicePrincipalItem>>),
    /// `target apps|action|auth_context ...`.
    Target(TargetKind, Vec<Ident>),
    /// `exclude apps ...`.
    ExcludeApps(Vec<Ident>),
    /// `app_filter include|exclude "rule"`.
    AppFilter(Filter),
    /// `locations { ... }`.
    Locations(Vec<Spanned<IncludeExclude<LocationRef>>>),
    /// `platforms { ... }`.
    Platforms(Vec<Spanned<IncludeExclude<Ident>>>),
    /// `client_apps ...`.
    ClientApps(Vec<Ident>),
    /// `sign_in_risk ...`, `user_risk ...`, `insider_risk ...`, `service_principal_risk ...`.
    Risk(RiskKind, Vec<Ident>),
    /// `device_filter include|exclude "rule"`.
    DeviceFilter(Filter),
    /// `auth_flows ...`.
    AuthFlows(Vec<Ident>),
    /// `grant ...`.
    Grant(GrantExpr),
    /// `session { ... }`.
    Session(Vec<Spanned<SessionItem>>),
}

impl PolicyItem {
    /// The setting's name as written, used to find duplicates and in messages.
    pub fn setting(&self) -> &'static str {
        match self {
            PolicyItem::Id(_) => "id",
            PolicyItem::Description(_) => "description",
            PolicyItem::State(_) => "state",
            PolicyItem::ReportOnlySince(_) => "report_only_since",
            PolicyItem::Contingency => "contingency",
            PolicyItem::Users(_) => "users",
            PolicyItem::ServicePrincipals(_) => "service_principals",
            PolicyItem::Target(..) => "target",
            PolicyItem::ExcludeApps(_) => "exclude apps",
            PolicyItem::AppFilter(_) => "app_filter",
            PolicyItem::Locations(_) => "locations",
            PolicyItem::Platforms(_) => "platforms",
            PolicyItem::ClientApps(_) => "client_apps",
            PolicyItem::Risk(kind, _) => kind.keyword(),
            PolicyItem::DeviceFilter(_) => "device_filter",
            PolicyItem::AuthFlows(_) => "auth_flows",
            PolicyItem::Grant(_) => "grant",
            PolicyItem::Session(_) => "session",
        }
    }
}

/// An `include ...` or `exclude ...` line.
#[derive(Debug, Clone, PartialEq)]
pub enum IncludeExclude<T> {
    /// `include a, b`.
    Include(Vec<Spanned<T>>),
    /// `exclude a, b`.
    Exclude(Vec<Spanned<T>>),
}

/// An entry of a `users` include or exclude list.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `all`.
    All,
    /// `none`.
    None,
    /// `guests`: every guest or external user (Graph's `GuestsOrExternalUsers`).
    AllGuests,
    /// `guests(type, ..., tenants = ...)`.
    Guests {
        /// The guest or external user types.
        types: Vec<Ident>,
        /// `None`: all tenants; `Some(list)`: only these tenant ids.
        tenants: Option<Spanned<Vec<Str>>>,
    },
    /// `group g`, `user u`, `role r` (or a reference of another kind, which the checker rejects).
    Ref(RefKind, Ident),
}

/// The kind word of a reference: `group`, `user`, ..., or `location`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// A directory or grant object.
    Object(ObjectKind),
    /// A named location.
    Location,
}

impl RefKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RefKind::Object(kind) => kind.keyword(),
            RefKind::Location => "location",
        }
    }
}

/// An entry of a `service_principals` block.
#[derive(Debug, Clone, PartialEq)]
pub enum ServicePrincipalItem {
    /// `include all` / `include sp, ...`.
    Include(Vec<Spanned<SpRef>>),
    /// `exclude sp, ...`.
    Exclude(Vec<Spanned<SpRef>>),
    /// `filter include|exclude "rule"`.
    Filter(Filter),
}

/// A service principal in a `service_principals` block.
#[derive(Debug, Clone, PartialEq)]
pub enum SpRef {
    /// Every service principal of the tenant.
    All,
    /// A declared service principal.
    Named(Ident),
}

/// What `target` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// `target apps`.
    Apps,
    /// `target action`.
    Action,
    /// `target auth_context`.
    AuthContext,
}

impl TargetKind {
    /// The keyword after `target`.
    pub fn keyword(self) -> &'static str {
        match self {
            TargetKind::Apps => "apps",
            TargetKind::Action => "action",
            TargetKind::AuthContext => "auth_context",
        }
    }
}

/// `include|exclude "rule"` of a device or application filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// `include` or `exclude`.
    pub mode: Spanned<FilterMode>,
    /// The rule text.
    pub rule: Str,
}

/// Whether a filter selects or removes what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterMode {
    /// Matching devices or apps are in scope.
    Include,
    /// Matching devices or apps are out of scope.
    Exclude,
}

/// An entry of a `locations` include or exclude list.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationRef {
    /// `any`: every IP address.
    Any,
    /// `trusted`: every location marked trusted.
    Trusted,
    /// A declared location.
    Named(Ident),
}

/// Which risk a risk condition tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskKind {
    /// `sign_in_risk`.
    SignIn,
    /// `user_risk`.
    User,
    /// `insider_risk`.
    Insider,
    /// `service_principal_risk`.
    ServicePrincipal,
}

impl RiskKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RiskKind::SignIn => "sign_in_risk",
            RiskKind::User => "user_risk",
            RiskKind::Insider => "insider_risk",
            RiskKind::ServicePrincipal => "service_principal_risk",
        }
    }
}

/// The grant of a policy (or an expected grant in a test).
#[derive(Debug, Clone, PartialEq)]
pub enum GrantExpr {
    /// `block`.
    Block,
    /// A single control.
    One(Spanned<Control>),
    /// `any(...)`: one of the controls (OR).
    Any(Vec<Spanned<Control>>),
    /// `all(...)`: every control (AND).
    All(Vec<Spanned<Control>>),
}

/// A grant control.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// A built-in word: `mfa`, `compliant_device`, ..., or `block` inside a list.
    Builtin(Ident),
    /// `auth_strength s`, `terms_of_use t`, `custom_control c` (or a reference of another kind).
    Ref(RefKind, Ident),
}

/// One setting in a `session` block.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionItem {
    /// `sign_in_frequency = 4h | every_time` or the block form.
    SignInFrequency(SignInFrequency),
    /// `persistent_browser = always | never`.
    PersistentBrowser(Ident),
    /// `app_enforced_restrictions`.
    AppEnforcedRestrictions,
    /// `cloud_app_security = monitor_only | block_downloads | mcas_configured`.
    CloudAppSecurity(Ident),
    /// `disable_resilience_defaults`.
    DisableResilienceDefaults,
    /// `secure_sign_in_session`.
    SecureSignInSession,
}

impl SessionItem {
    /// The setting's name.
    pub fn setting(&self) -> &'static str {
        match self {
            SessionItem::SignInFrequency(_) => "sign_in_frequency",
            SessionItem::PersistentBrowser(_) => "persistent_browser",
            SessionItem::AppEnforcedRestrictions => "app_enforced_restrictions",
            SessionItem::CloudAppSecurity(_) => "cloud_app_security",
            SessionItem::DisableResilienceDefaults => "disable_resilience_defaults",
            SessionItem::SecureSignInSession => "secure_sign_in_session",
        }
    }
}

/// A sign-in frequency: the short form `= 4h` / `= every_time`, or the block form
/// `{ interval = ..., period = ..., authentication = ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInFrequency {
    /// True for the block form.
    pub block_form: bool,
    /// `every_time` or `time_based`; in the short form derived from the value.
    pub interval: Option<Ident>,
    /// The period, e.g. `4h` or `30d`.
    pub period: Option<Spanned<Duration>>,
    /// `primary_and_secondary` or `secondary`.
    pub authentication: Option<Ident>,
}

/// A period of hours or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    /// The number.
    pub value: u32,
    /// Hours or days.
    pub unit: DurationUnit,
}

/// The unit of a `Duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `h`.
    Hours,
    /// `d`.
    Days,
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            DurationUnit::Hours => 'h',
            DurationUnit::Days => 'd',
        };
        write!(f, "{}{}", self.value, unit)
    }
}

/// `test "name" { sign_in { ... } expect ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    /// Whole declaration.
    pub span: Span,
    /// The test's name.
    pub name: Str,
    /// The sign-in (the first one if several were written; the checker reports the others).
    pub sign_ins: Vec<Spanned<SignIn>>,
    /// The expectations, in order.
    pub expects: Vec<Spanned<Expectation>>,
}

/// The sign-in of a test, field by field; every field is optional.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignIn {
    /// `user = name` (a declared user).
    pub user: Option<Ident>,
    /// `groups = [g, ...]` for an undeclared user.
    pub groups: Option<Spanned<Vec<Ident>>>,
    /// `roles = [r, ...]` for an undeclared user.
    pub roles: Option<Spanned<Vec<Ident>>>,
    /// `user_type = member | b2b_collaboration_guest | ...`.
    pub user_type: Option<Ident>,
    /// `app = name` (declared or built-in app).
    pub app: Option<Ident>,
    /// `action = register_security_info | register_device`.
    pub action: Option<Ident>,
    /// `auth_context = name`.
    pub auth_context: Option<Ident>,
    /// `service_principal = name`: a workload identity signs in instead of a user.
    pub service_principal: Option<Ident>,
    /// `ip = 203.0.113.9`.
    pub ip: Option<Spanned<String>>,
    /// `country = FR`.
    pub country: Option<Ident>,
    /// `platform = ios`.
    pub platform: Option<Ident>,
    /// `client_app = browser`.
    pub client_app: Option<Ident>,
    /// `sign_in_risk = high`.
    pub sign_in_risk: Option<Ident>,
    /// `user_risk = high`.
    pub user_risk: Option<Ident>,
    /// `insider_risk = elevated`.
    pub insider_risk: Option<Ident>,
    /// `service_principal_risk = high`.
    pub service_principal_risk: Option<Ident>,
    /// `auth_flow = device_code`.
    pub auth_flow: Option<Ident>,
    /// `device { trust_type = "...", is_compliant = true, ... }`.
    pub device: Option<Spanned<Vec<DeviceProp>>>,
}

/// One device property of a test sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceProp {
    /// The property name as written (snake_case or Graph camelCase).
    pub name: Ident,
    /// Its value.
    pub value: Spanned<DeviceValueAst>,
}

/// A device property value.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceValueAst {
    /// A string.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A list of strings.
    List(Vec<String>),
}

/// One `expect ...` of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// `expect block` or `expect block by "Policy"`.
    Block(Option<Str>),
    /// `expect allow`: access with no requirement.
    Allow,
    /// `expect grant ...`.
    Grant(GrantExpr),
    /// `expect applies "Policy"`.
    Applies(Str),
    /// `expect not applies "Policy"`.
    NotApplies(Str),
    /// `expect report_only "Policy"`: the report-only policy would have applied.
    ReportOnly(Str),
    /// `expect session sign_in_frequency 4h`, `expect session persistent_browser never`, ...
    Session(Ident, Option<Spanned<SessionValue>>),
}

/// The value of an expected session control.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionValue {
    /// A duration.
    Duration(Duration),
    /// A word.
    Word(String),
}

/// `assert "name" { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct AssertDecl {
    /// Whole declaration.
    pub span: Span,
    /// The assertion's name.
    pub name: Str,
    /// `never` or `always`.
    pub quantifier: Spanned<Quantifier>,
    /// What must never or always happen.
    pub outcome: Spanned<Outcome>,
    /// The sign-ins the assertion speaks about.
    pub clauses: Vec<Spanned<Clause>>,
}

/// `never` or `always`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// No sign-in in scope may have the outcome.
    Never,
    /// Every sign-in in scope must have the outcome.
    Always,
}

/// The outcome an assertion speaks about.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Access is blocked.
    Block,
    /// Access is granted with no requirement.
    Allow,
    /// Access requires this control (or is blocked).
    Require(Spanned<Control>),
}

/// One condition of an assertion, with the word that introduced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// `for`, `when`, `and`, `from`, `on`, `via`, `with`, or none. Kept for the formatter only.
    pub word: Option<String>,
    /// `not`.
    pub negated: bool,
    /// The condition.
    pub condition: Condition,
}

/// A condition on sign-ins in an assertion.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `group g`, `user u`, `role r`, `app a`, `location l`, `auth_context c`, ...
    Ref(RefKind, Ident),
    /// `target apps a, b`.
    TargetApps(Vec<Ident>),
    /// `guests`: the user is a guest or external user.
    Guests,
    /// `members`: the user is a member (not a guest).
    Members,
    /// `trusted`: the sign-in comes from a trusted location.
    Trusted,
    /// `action x`, `country CC`, `platform p`, `client_app c`, risks, `auth_flow f`.
    Value(ConditionWord, Ident),
}

/// The word of a `Condition::Value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionWord {
    /// `action`.
    Action,
    /// `country`.
    Country,
    /// `platform`.
    Platform,
    /// `client_app`.
    ClientApp,
    /// `sign_in_risk`.
    SignInRisk,
    /// `user_risk`.
    UserRisk,
    /// `insider_risk`.
    InsiderRisk,
    /// `auth_flow`.
    AuthFlow,
}

impl ConditionWord {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ConditionWord::Action => "action",
            ConditionWord::Country => "country",
            ConditionWord::Platform => "platform",
            ConditionWord::ClientApp => "client_app",
            ConditionWord::SignInRisk => "sign_in_risk",
            ConditionWord::UserRisk => "user_risk",
            ConditionWord::InsiderRisk => "insider_risk",
            ConditionWord::AuthFlow => "auth_flow",
        }
    }
}
