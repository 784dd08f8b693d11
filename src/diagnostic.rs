//! Diagnostics: the one error type of capol, where each variant is a miette diagnostic with a
//! stable code, and the renderers for humans and machines.
//!
//! Codes never change once released: tools and suppressions depend on them. Messages are
//! lowercase, have no final period and put user input in backticks; the *where* goes into
//! labels, the *why* and the next step into `help`.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use serde_json::json;
use thiserror::Error;

use crate::source::Sources;
use crate::span::{FileId, Loc};

/// Every diagnostic capol can report about its input.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // --- syntax -------------------------------------------------------------------------------
    /// The file exceeds `MAX_FILE_BYTES`.
    #[error("file is too large ({size} bytes)")]
    #[diagnostic(
        code(capol::syntax::file_too_large),
        help("capol reads files of at most {limit} bytes; split the workspace into several files")
    )]
    FileTooLarge {
        size: usize,
        limit: usize,
        #[label("this file")]
        span: SourceSpan,
    },

    /// The file starts with a UTF-16 byte-order mark.
    #[error("file is encoded as UTF-16")]
    #[diagnostic(code(capol::syntax::utf16), help("save the file as UTF-8"))]
    Utf16 {
        #[label("UTF-16 byte-order mark")]
        span: SourceSpan,
    },

    /// The file is not valid UTF-8.
    #[error("file is not valid UTF-8")]
    #[diagnostic(code(capol::syntax::invalid_utf8), help("save the file as UTF-8"))]
    InvalidUtf8 {
        #[label("invalid byte sequence")]
        span: SourceSpan,
    },

    /// The parser met something it did not expect.
    #[error("unexpected {found}")]
    #[diagnostic(code(capol::syntax::unexpected))]
    Syntax {
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        expected: String,
        #[help]
        help: Option<String>,
    },

    /// A string literal has no closing quote on its line.
    #[error("unterminated string")]
    #[diagnostic(
        code(capol::syntax::unterminated_string),
        help("close the string with `\"` on the same line; write a quote inside a string as `\\\"`")
    )]
    UnterminatedString {
        #[label("this string is never closed")]
        span: SourceSpan,
    },

    /// A bracket is never closed, or closes nothing.
    #[error("{message}")]
    #[diagnostic(code(capol::syntax::unbalanced))]
    Unbalanced {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    /// Brackets nest deeper than the limit.
    #[error("nesting is deeper than {limit} levels")]
    #[diagnostic(code(capol::syntax::nesting_too_deep), help("flatten the nested blocks or lists"))]
    NestingTooDeep {
        limit: usize,
        #[label("too deep")]
        span: SourceSpan,
    },

    /// A string contains an escape capol does not know.
    #[error("invalid escape `{escape}` in string")]
    #[diagnostic(
        code(capol::syntax::invalid_escape),
        help("the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{{...}}`")
    )]
    InvalidEscape {
        escape: String,
        #[label("invalid escape")]
        span: SourceSpan,
    },

    /// A block has a field that does not belong there.
    #[error("unknown field `{field}` in {context}")]
    #[diagnostic(code(capol::syntax::unknown_field))]
    UnknownField {
        field: String,
        context: String,
        #[label("not a field of {context}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A field is given twice in one block.
    #[error("`{field}` is given more than once")]
    #[diagnostic(code(capol::syntax::duplicate_field), help("keep one of them"))]
    DuplicateField {
        field: String,
        #[label("given again here")]
        span: SourceSpan,
        #[label("first given here")]
        first: SourceSpan,
    },

    /// A field has a value of the wrong shape.
    #[error("`{field}` expects {expected}")]
    #[diagnostic(code(capol::syntax::invalid_value))]
    InvalidValue {
        field: String,
        expected: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A required field is missing.
    #[error("{context} needs `{field}`")]
    #[diagnostic(code(capol::syntax::missing_field))]
    MissingField {
        field: String,
        context: String,
        #[label("`{field}` is missing here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// An identifier, string or list exceeds a documented limit.
    #[error("{what} is longer than {limit}")]
    #[diagnostic(code(capol::syntax::limit_exceeded), help("see the limits in docs/language.md"))]
    LimitExceeded {
        what: String,
        limit: String,
        #[label("too long")]
        span: SourceSpan,
    },

    // --- check: names -------------------------------------------------------------------------
    /// A reference to a group that is not declared.
    #[error("unknown group `{name}`")]
    #[diagnostic(code(capol::check::unknown_group))]
    UnknownGroup {
        name: String,
        #[label("no group of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to a user that is not declared.
    #[error("unknown user `{name}`")]
    #[diagnostic(code(capol::check::unknown_user))]
    UnknownUser {
        name: String,
        #[label("no user of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to a role that is not declared.
    #[error("unknown role `{name}`")]
    #[diagnostic(code(capol::check::unknown_role))]
    UnknownRole {
        name: String,
        #[label("no role of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to an application that is neither built in nor declared.
    #[error("unknown app `{name}`")]
    #[diagnostic(code(capol::check::unknown_app))]
    UnknownApp {
        name: String,
        #[label("no app of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to a named location that is not declared.
    #[error("unknown location `{name}`")]
    #[diagnostic(code(capol::check::unknown_location))]
    UnknownLocation {
        name: String,
        #[label("no location of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to an authentication context that is not declared.
    #[error("unknown authentication context `{name}`")]
    #[diagnostic(code(capol::check::unknown_auth_context))]
    UnknownAuthContext {
        name: String,
        #[label("no auth_context of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to terms of use that are not declared.
    #[error("unknown terms of use `{name}`")]
    #[diagnostic(code(capol::check::unknown_terms_of_use))]
    UnknownTermsOfUse {
        name: String,
        #[label("no terms_of_use of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to an authentication strength that is not declared.
    #[error("unknown authentication strength `{name}`")]
    #[diagnostic(code(capol::check::unknown_auth_strength))]
    UnknownAuthStrength {
        name: String,
        #[label("no auth_strength of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to a custom control that is not declared.
    #[error("unknown custom control `{name}`")]
    #[diagnostic(code(capol::check::unknown_custom_control))]
    UnknownCustomControl {
        name: String,
        #[label("no custom_control of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A reference to a service principal that is not declared.
    #[error("unknown service principal `{name}`")]
    #[diagnostic(code(capol::check::unknown_service_principal))]
    UnknownServicePrincipal {
        name: String,
        #[label("no service_principal of this name is declared")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A test or expectation names a policy that does not exist.
    #[error("unknown policy `{name}`")]
    #[diagnostic(code(capol::check::unknown_policy))]
    UnknownPolicy {
        name: String,
        #[label("no policy has this display name")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A name refers to a declaration of another kind.
    #[error("`{name}` is {found}, not {expected}")]
    #[diagnostic(code(capol::check::wrong_kind))]
    WrongKind {
        name: String,
        expected: String,
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[label("declared as {found} here")]
        declared: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// A name is declared twice in the workspace.
    #[error("`{name}` is declared more than once")]
    #[diagnostic(code(capol::check::duplicate_name))]
    DuplicateName {
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// A singleton declaration (`tenant`, `methods`, a `preview` feature) appears twice.
    #[error("`{what}` is declared more than once")]
    #[diagnostic(code(capol::check::duplicate_declaration))]
    DuplicateDeclaration {
        what: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// Two policies share a display name.
    #[error("two policies are named `{name}`")]
    #[diagnostic(code(capol::check::duplicate_policy))]
    DuplicatePolicy {
        name: String,
        #[label("this display name is already used")]
        span: SourceSpan,
        #[label("first used here")]
        first: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// Two tests or two assertions share a name.
    #[error("two {what}s are named `{name}`")]
    #[diagnostic(code(capol::check::duplicate_test))]
    DuplicateTest {
        what: String,
        name: String,
        #[label("this name is already used")]
        span: SourceSpan,
        #[label("first used here")]
        first: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// Two declarations of one kind carry the same directory id.
    #[error("{kind} id `{id}` is declared by both `{name}` and `{other}`")]
    #[diagnostic(code(capol::check::duplicate_id), help("each directory object needs one name"))]
    DuplicateId {
        kind: String,
        id: String,
        name: String,
        other: String,
        #[label("same id as `{other}`")]
        span: SourceSpan,
    },

    /// A declaration uses a word reserved by the language as its name.
    #[error("`{name}` is a reserved word and cannot be declared")]
    #[diagnostic(
        code(capol::check::reserved_name),
        help("choose another name; `{name}` has a meaning of its own in references")
    )]
    ReservedName {
        name: String,
        #[label("reserved")]
        span: SourceSpan,
    },

    // --- check: values ------------------------------------------------------------------------
    /// An enumerated word is not one of the allowed values.
    #[error("unknown {what} `{value}`")]
    #[diagnostic(code(capol::check::unknown_value))]
    UnknownValue {
        what: String,
        value: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        expected: String,
        #[help]
        help: Option<String>,
    },

    /// An id is not in the format Graph expects.
    #[error("`{value}` is not a valid {what}")]
    #[diagnostic(code(capol::check::invalid_id))]
    InvalidId {
        what: String,
        value: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        expected: String,
    },

    /// An id is a template placeholder such as `<ExclusionTempGroup>`.
    #[error("{what} `{value}` is a template placeholder")]
    #[diagnostic(
        code(capol::check::placeholder_id),
        severity(Warning),
        help(
            "replace it with the real id before deploying; compiled output carries the placeholder unchanged"
        )
    )]
    PlaceholderId {
        what: String,
        value: String,
        #[label("placeholder")]
        span: SourceSpan,
    },

    /// `builtin("...")` names no built-in directory role.
    #[error("unknown built-in role `{name}`")]
    #[diagnostic(code(capol::check::unknown_builtin_role))]
    UnknownBuiltinRole {
        name: String,
        #[label("not a built-in Entra directory role")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// `builtin("...")` names no well-known application.
    #[error("unknown built-in app `{name}`")]
    #[diagnostic(code(capol::check::unknown_builtin_app))]
    UnknownBuiltinApp {
        name: String,
        #[label("not a well-known Microsoft application")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// `builtin("...")` names no built-in authentication strength.
    #[error("unknown built-in authentication strength `{name}`")]
    #[diagnostic(code(capol::check::unknown_builtin_strength))]
    UnknownBuiltinStrength {
        name: String,
        #[label("not a built-in authentication strength")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A country code is not ISO 3166-1 alpha-2.
    #[error("unknown country code `{code}`")]
    #[diagnostic(code(capol::check::unknown_country))]
    UnknownCountry {
        code: String,
        #[label("not an ISO 3166-1 alpha-2 code")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// An IP range is not valid CIDR notation.
    #[error("`{text}` is not a valid CIDR range")]
    #[diagnostic(code(capol::check::invalid_cidr))]
    InvalidCidr {
        text: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
        #[help]
        help: Option<String>,
    },

    /// An IP range's mask is /8 or wider, which Graph rejects.
    #[error("`{text}` is too broad: Graph accepts only masks longer than /8")]
    #[diagnostic(
        code(capol::check::cidr_too_broad),
        help(
            "split the range into /9 or narrower ranges, or reconsider whether it belongs in a named location"
        )
    )]
    CidrTooBroad {
        text: String,
        #[label("mask /{prefix}")]
        span: SourceSpan,
        prefix: u8,
    },

    /// An IP range has host bits set. Graph accepts it, so this is a warning.
    #[error("`{text}` has host bits set")]
    #[diagnostic(
        code(capol::check::host_bits_set),
        severity(Warning),
        help("write the network as `{canonical}`")
    )]
    HostBitsSet {
        text: String,
        canonical: String,
        #[label("the network is {canonical}")]
        span: SourceSpan,
    },

    /// An IP sign-in address is not valid.
    #[error("`{text}` is not a valid IP address")]
    #[diagnostic(
        code(capol::check::invalid_ip),
        help("write an IPv4 address such as `203.0.113.9` or an IPv6 address such as `2001:db8::1`")
    )]
    InvalidIp {
        text: String,
        #[label("not an IP address")]
        span: SourceSpan,
    },

    // --- check: named locations ---------------------------------------------------------------
    /// A named location has no ranges and no countries.
    #[error("location `{name}` has no IP ranges and no countries")]
    #[diagnostic(
        code(capol::check::empty_location),
        help(
            "add `ip <cidr>, ...` or `countries <code>, ...`, or `id = \"...\"` to refer to a location managed outside capol"
        )
    )]
    EmptyLocation {
        name: String,
        #[label("empty location")]
        span: SourceSpan,
    },

    /// A named location has both IP ranges and countries.
    #[error("location `{name}` has both IP ranges and countries")]
    #[diagnostic(
        code(capol::check::mixed_location),
        help("Graph has separate IP and country locations; declare two locations")
    )]
    MixedLocation {
        name: String,
        #[label("countries here")]
        span: SourceSpan,
        #[label("IP ranges here")]
        ranges: SourceSpan,
    },

    /// A country location is marked trusted.
    #[error("country location `{name}` cannot be trusted")]
    #[diagnostic(
        code(capol::check::trusted_country_location),
        help("only IP-range locations can be marked trusted in Entra; remove `trusted`")
    )]
    TrustedCountryLocation {
        name: String,
        #[label("`trusted` on a country location")]
        span: SourceSpan,
    },

    /// A country-only option is used on an IP location.
    #[error("`{option}` applies only to country locations")]
    #[diagnostic(
        code(capol::check::country_option_on_ip_location),
        help("remove `{option}` from the IP location")
    )]
    CountryOptionOnIpLocation {
        option: String,
        #[label("not valid for an IP location")]
        span: SourceSpan,
    },

    /// A named location has more IP ranges than Entra allows.
    #[error("location `{name}` has {count} IP ranges; Entra allows at most {limit}")]
    #[diagnostic(
        code(capol::check::too_many_ranges),
        help("split the ranges across several named locations")
    )]
    TooManyRanges {
        name: String,
        count: usize,
        limit: usize,
        #[label("range {limit_plus_one} is here")]
        span: SourceSpan,
        limit_plus_one: usize,
    },

    /// The workspace has more named locations than Entra allows.
    #[error("the workspace declares {count} named locations; Entra allows at most {limit}")]
    #[diagnostic(code(capol::check::too_many_locations), help("merge locations or remove unused ones"))]
    TooManyLocations {
        count: usize,
        limit: usize,
        #[label("location {limit_plus_one}")]
        span: SourceSpan,
        limit_plus_one: usize,
    },

    /// The workspace has more policies than Entra allows.
    #[error("the workspace declares {count} policies; Entra allows at most {limit}")]
    #[diagnostic(
        code(capol::check::too_many_policies),
        help("the limit counts policies in every state, including disabled and report-only ones")
    )]
    TooManyPolicies {
        count: usize,
        limit: usize,
        #[label("policy {limit_plus_one}")]
        span: SourceSpan,
        limit_plus_one: usize,
    },

    // --- check: policies ----------------------------------------------------------------------
    /// A policy has no `state`.
    #[error("policy `{name}` has no state")]
    #[diagnostic(
        code(capol::check::missing_state),
        help("add `state = report_only` to try it safely, or `state = enabled` to enforce it")
    )]
    MissingState {
        name: String,
        #[label("no `state = ...` in this policy")]
        span: SourceSpan,
    },

    /// A policy setting appears twice.
    #[error("`{setting}` is given more than once")]
    #[diagnostic(code(capol::check::duplicate_setting), help("merge the two into one"))]
    DuplicateSetting {
        setting: String,
        #[label("set again here")]
        span: SourceSpan,
        #[label("first set here")]
        first: SourceSpan,
    },

    /// A policy includes no users (and no workload identities).
    #[error("policy `{name}` applies to no users")]
    #[diagnostic(
        code(capol::check::policy_without_users),
        help("add `users {{ include ... }}` (or `include none` to keep it deliberately inert)")
    )]
    PolicyWithoutUsers {
        name: String,
        #[label("no users included")]
        span: SourceSpan,
    },

    /// A policy targets no app, user action or authentication context.
    #[error("policy `{name}` has no target")]
    #[diagnostic(
        code(capol::check::policy_without_target),
        help("add `target apps ...`, `target action ...` or `target auth_context ...`")
    )]
    PolicyWithoutTarget {
        name: String,
        #[label("no target")]
        span: SourceSpan,
    },

    /// A policy has neither grant nor session controls.
    #[error("policy `{name}` has no controls")]
    #[diagnostic(
        code(capol::check::policy_without_controls),
        help("add `grant ...` or a `session {{ ... }}` block; a policy without controls does nothing")
    )]
    PolicyWithoutControls {
        name: String,
        #[label("no grant and no session controls")]
        span: SourceSpan,
    },

    /// A policy targets apps and user actions (Graph error 1012).
    #[error("a policy cannot target both apps and user actions")]
    #[diagnostic(
        code(capol::check::apps_with_user_action),
        help("Graph rejects this with error 1012; split it into two policies")
    )]
    AppsWithUserAction {
        #[label("user action")]
        span: SourceSpan,
        #[label("apps")]
        apps: SourceSpan,
    },

    /// A policy mixes authentication contexts with apps or user actions.
    #[error("a policy cannot target authentication contexts together with {other}")]
    #[diagnostic(
        code(capol::check::mixed_targets),
        help("a policy targets one kind of resource: apps, user actions or authentication contexts")
    )]
    MixedTargets {
        other: String,
        #[label("authentication context")]
        span: SourceSpan,
        #[label("{other}")]
        other_span: SourceSpan,
    },

    /// Users, apps or locations use a special value in a place Graph does not allow.
    #[error("`{value}` cannot be {place}")]
    #[diagnostic(code(capol::check::invalid_special_value))]
    InvalidSpecialValue {
        value: String,
        place: String,
        #[label("not allowed here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// An exclude list is given without an include list where Graph needs one.
    #[error("`{condition}` excludes without including")]
    #[diagnostic(code(capol::check::exclude_without_include))]
    ExcludeWithoutInclude {
        condition: String,
        #[label("exclude only")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// `include none` is combined with other principals.
    #[error("`none` cannot be combined with other {what}")]
    #[diagnostic(code(capol::check::none_with_others), help("remove `none` or the other entries"))]
    NoneWithOthers {
        what: String,
        #[label("`none` here")]
        span: SourceSpan,
    },

    /// `block` is combined with other grant controls.
    #[error("`block` cannot be combined with other grant controls")]
    #[diagnostic(
        code(capol::check::block_with_controls),
        help("write `grant block` alone: block wins and the other controls would never apply")
    )]
    BlockWithControls {
        #[label("block mixed with other controls")]
        span: SourceSpan,
    },

    /// More than one authentication strength in one grant.
    #[error("a policy can require only one authentication strength")]
    #[diagnostic(
        code(capol::check::multiple_auth_strengths),
        help("Graph stores one authentication strength per policy")
    )]
    MultipleAuthStrengths {
        #[label("second authentication strength")]
        span: SourceSpan,
    },

    /// `mfa` together with an authentication strength.
    #[error("`mfa` cannot be combined with an authentication strength")]
    #[diagnostic(
        code(capol::check::mfa_with_auth_strength),
        help("use the built-in `Multifactor authentication` strength or plain `mfa`, not both")
    )]
    MfaWithAuthStrength {
        #[label("`mfa` here")]
        span: SourceSpan,
    },

    /// `password_change` used outside Microsoft's documented restrictions.
    #[error("`password_change` {reason}")]
    #[diagnostic(
        code(capol::check::password_change_restrictions),
        help(
            "Graph requires: `grant all(mfa, password_change)`, `target apps all` without exclusions, a `user_risk` condition and no conditions besides users, apps and user risk"
        )
    )]
    PasswordChangeRestrictions {
        reason: String,
        #[label("this grant")]
        span: SourceSpan,
    },

    /// `risk_remediation` used outside its restrictions.
    #[error("`risk_remediation` {reason}")]
    #[diagnostic(code(capol::check::risk_remediation_restrictions))]
    RiskRemediationRestrictions {
        reason: String,
        #[label("this grant")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// The `register_device` user action with controls or conditions Entra does not offer there.
    #[error("`register_device` policies cannot use {what}")]
    #[diagnostic(
        code(capol::check::register_device_restrictions),
        help(
            "for the register_device user action Entra offers only `mfa` or an authentication strength, and no client app, device filter or device state condition"
        )
    )]
    RegisterDeviceRestrictions {
        what: String,
        #[label("not available for register_device")]
        span: SourceSpan,
    },

    /// `every_time` sign-in frequency with a period.
    #[error("`every_time` sign-in frequency cannot have a period")]
    #[diagnostic(
        code(capol::check::every_time_with_period),
        help("remove `period`, or use `interval = time_based` with the period")
    )]
    EveryTimeWithPeriod {
        #[label("period given here")]
        span: SourceSpan,
    },

    /// A time-based sign-in frequency without a period.
    #[error("time-based sign-in frequency needs a period")]
    #[diagnostic(
        code(capol::check::sign_in_frequency_without_period),
        help("add `period = 4h` (hours or days)")
    )]
    SignInFrequencyWithoutPeriod {
        #[label("no period")]
        span: SourceSpan,
    },

    /// A sign-in frequency outside 1–23 hours or 1–365 days.
    #[error("sign-in frequency `{value}` is out of range")]
    #[diagnostic(
        code(capol::check::sign_in_frequency_out_of_range),
        help("Entra accepts 1 to 23 hours or 1 to 365 days; write whole days as `Nd`")
    )]
    SignInFrequencyOutOfRange {
        value: String,
        #[label("out of range")]
        span: SourceSpan,
    },

    /// A device or app filter rule is too long.
    #[error("filter rule is {len} characters long; Entra allows at most {limit}")]
    #[diagnostic(
        code(capol::check::filter_too_long),
        help("shorten the rule, for example with `-in [...]` lists")
    )]
    FilterTooLong {
        len: usize,
        limit: usize,
        #[label("rule too long")]
        span: SourceSpan,
    },

    /// A device filter rule does not parse.
    #[error("invalid device filter: {message}")]
    #[diagnostic(code(capol::check::invalid_device_filter))]
    InvalidDeviceFilter {
        message: String,
        #[label("here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A voice-call method in a free or trial tenant.
    #[error("`voice_call` is not available in {edition} tenants")]
    #[diagnostic(
        code(capol::check::voice_call_unavailable),
        help(
            "since March 2019 phone-call options are unavailable for MFA and SSPR in free and trial tenants; use `sms` or `authenticator`"
        )
    )]
    VoiceCallUnavailable {
        edition: String,
        #[label("voice call")]
        span: SourceSpan,
        #[label("tenant edition declared here")]
        edition_span: Option<SourceSpan>,
    },

    /// A registration policy targets users outside the combined-registration preview scope.
    #[error("policy `{name}` targets registration for users outside the combined registration scope")]
    #[diagnostic(
        code(capol::check::registration_outside_preview),
        severity(Warning),
        help(
            "users outside `preview combined_registration` get the legacy registration experience, where register_security_info policies do not apply; include only {scope}"
        )
    )]
    RegistrationOutsidePreview {
        name: String,
        scope: String,
        #[label("users outside the preview scope")]
        span: SourceSpan,
        #[label("preview enabled for {scope} here")]
        preview: Option<SourceSpan>,
    },

    /// `include all` together with other principals: the others are redundant.
    #[error("`all` already includes every {what}")]
    #[diagnostic(
        code(capol::check::redundant_include),
        severity(Warning),
        help("remove the other entries, or replace `all` with them")
    )]
    RedundantInclude {
        what: String,
        #[label("redundant next to `all`")]
        span: SourceSpan,
    },

    // --- check: tests -------------------------------------------------------------------------
    /// A test has no `sign_in`.
    #[error("test `{name}` has no sign-in")]
    #[diagnostic(code(capol::check::test_without_sign_in), help("add `sign_in {{ user = ..., app = ... }}`"))]
    TestWithoutSignIn {
        name: String,
        #[label("no sign_in")]
        span: SourceSpan,
    },

    /// A test's sign-in names no app, user action or authentication context.
    #[error("the sign-in of test `{name}` has no target")]
    #[diagnostic(
        code(capol::check::sign_in_without_target),
        help(
            "add `app = NAME`, `action = register_security_info` or `auth_context = NAME`: a sign-in is to one resource"
        )
    )]
    SignInWithoutTarget {
        name: String,
        #[label("no `app`, `action` or `auth_context`")]
        span: SourceSpan,
    },

    /// A test has no expectation.
    #[error("test `{name}` expects nothing")]
    #[diagnostic(
        code(capol::check::test_without_expectation),
        help("add `expect block`, `expect allow`, `expect grant ...` or another expectation")
    )]
    TestWithoutExpectation {
        name: String,
        #[label("no expect")]
        span: SourceSpan,
    },

    /// A sign-in names two identities or two targets.
    #[error("a sign-in has one {what}: {first} or {second}, not both")]
    #[diagnostic(code(capol::check::conflicting_sign_in_target))]
    ConflictingSignInTarget {
        what: String,
        first: String,
        second: String,
        #[label("second {what}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    /// A policy names both users and workload identities.
    #[error("a policy applies to users or to workload identities, not both")]
    #[diagnostic(
        code(capol::check::users_with_service_principals),
        help(
            "split it into a user policy and a workload identity policy (`users {{ include none }}` is allowed next to `service_principals`)"
        )
    )]
    UsersWithServicePrincipals {
        #[label("workload identities")]
        span: SourceSpan,
        #[label("users")]
        users: SourceSpan,
    },

    // --- fmt ----------------------------------------------------------------------------------
    /// The formatted text would not be the same program, or would not keep every comment: the
    /// formatter refuses to write it.
    #[error("formatting would change {what}")]
    #[diagnostic(
        code(capol::fmt::unsafe_output),
        help("the file was left unchanged; this is a bug in `capol fmt`: please report it with this file")
    )]
    FormatUnsafe {
        what: String,
        #[label("first difference here")]
        span: SourceSpan,
    },

    // --- import -------------------------------------------------------------------------------
    /// An input file cannot be read as JSON.
    #[error("cannot read `{path}` as JSON: {reason}")]
    #[diagnostic(
        code(capol::import::unreadable),
        help("capol reads Graph JSON exports in UTF-8, or in UTF-16 with a byte-order mark")
    )]
    ImportUnreadable {
        path: String,
        reason: String,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    /// A JSON object is none of the kinds capol imports.
    #[error(
        "`{property}` is not a policy, named location, group, user, authentication strength or migration table"
    )]
    #[diagnostic(code(capol::import::unrecognised_object), severity(Warning), help("it was skipped"))]
    ImportUnrecognised {
        property: String,
        #[label("skipped")]
        span: Option<SourceSpan>,
    },

    /// A property capol does not model has a value, so the import is not faithful there.
    #[error("`{property}` is not modelled by capol and was not imported")]
    #[diagnostic(code(capol::import::unmodelled_property), severity(Warning))]
    ImportUnmodelled {
        property: String,
        #[label("not imported")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    /// A value is written in a spelling Graph does not use.
    #[error("`{value}` at `{property}` is not Graph's spelling")]
    #[diagnostic(
        code(capol::import::non_canonical_value),
        severity(Warning),
        help("imported as if it were `{canonical}`; compiling writes Graph's spelling")
    )]
    ImportNonCanonical {
        property: String,
        value: String,
        canonical: String,
        #[label("read as `{canonical}`")]
        span: Option<SourceSpan>,
    },

    /// A template placeholder stands where an id belongs.
    #[error("`{value}` at `{property}` is a template placeholder")]
    #[diagnostic(
        code(capol::import::placeholder),
        severity(Warning),
        help("imported as the id of {kind} `{name}`; replace it with the real id before deploying")
    )]
    ImportPlaceholder {
        property: String,
        value: String,
        kind: String,
        name: String,
        #[label("placeholder")]
        span: Option<SourceSpan>,
    },

    /// A value stands where an id belongs but is neither an id nor a placeholder.
    #[error("`{value}` at `{property}` is not a valid {what}")]
    #[diagnostic(
        code(capol::import::invalid_id),
        severity(Warning),
        help("imported as {kind} `{name}` without an id; add its real id")
    )]
    ImportInvalidId {
        property: String,
        value: String,
        what: String,
        kind: String,
        name: String,
        #[label("not an id")]
        span: Option<SourceSpan>,
    },

    /// A policy references a named location that is not among the imported files.
    #[error("named location `{id}` is not in the imported files")]
    #[diagnostic(
        code(capol::import::missing_location),
        severity(Warning),
        help(
            "declared by id only as `location {name}`, which capol does not manage; import its namedLocation JSON to manage it"
        )
    )]
    ImportMissingLocation {
        id: String,
        name: String,
        #[label("referenced here")]
        span: Option<SourceSpan>,
    },

    /// A policy refers to a location capol's Graph output creates, but the location's file is
    /// not among the inputs.
    #[error("`{value}` at `{property}` stands for a named location whose file is not in the imported files")]
    #[diagnostic(
        code(capol::import::uncreated_location),
        severity(Warning),
        help(
            "declared as the empty `location {name}`; import the whole output directory of `capol compile --target graph`, with its `manifest.json`, to keep the location's ranges"
        )
    )]
    ImportUncreatedLocation {
        property: String,
        value: String,
        name: String,
        #[label("placeholder of a location the deployment creates")]
        span: Option<SourceSpan>,
    },

    /// A value has the wrong JSON type or an unknown value where capol needs a known one.
    #[error("`{property}` {problem}")]
    #[diagnostic(code(capol::import::invalid_value), severity(Warning), help("the value was not imported"))]
    ImportInvalidValue {
        property: String,
        problem: String,
        #[label("not imported")]
        span: Option<SourceSpan>,
    },

    /// A policy cannot be expressed in capol once its unmodelled parts are left out.
    #[error("policy `{name}` was not imported: {reason}")]
    #[diagnostic(
        code(capol::import::policy_not_imported),
        severity(Warning),
        help(
            "keep managing it in the Entra admin center or Graph; the warnings about this file name what capol does not model"
        )
    )]
    ImportPolicySkipped {
        name: String,
        reason: String,
        #[label("this policy")]
        span: Option<SourceSpan>,
    },

    /// Two imported policies share a display name, which capol requires to be unique.
    #[error("a second policy is named `{name}`")]
    #[diagnostic(
        code(capol::import::duplicate_policy),
        severity(Warning),
        help("imported as `{renamed}`; rename one of them in the tenant")
    )]
    ImportDuplicatePolicy {
        name: String,
        renamed: String,
        #[label("same display name as another policy")]
        span: Option<SourceSpan>,
    },

    // --- lint ---------------------------------------------------------------------------------
    /// `capol.toml` has a `[lint]` setting capol cannot use.
    #[error("{message}")]
    #[diagnostic(code(capol::lint::invalid_config))]
    InvalidLintConfig {
        message: String,
        #[label("here")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    // --- verify -------------------------------------------------------------------------------
    /// An assertion condition names an object that says nothing about a sign-in.
    #[error("`{kind}` is not a condition on sign-ins")]
    #[diagnostic(
        code(capol::verify::unsupported_condition),
        help(
            "assertions speak about users (`group`, `user`, `role`, `guests`, `members`), targets (`app`, `target apps`, `action`, `auth_context`), places (`location`, `trusted`, `country`) and the sign-in's `platform`, `client_app`, risks and `auth_flow`"
        )
    )]
    AssertUnsupportedCondition {
        kind: String,
        #[label("not a sign-in condition")]
        span: SourceSpan,
    },
}

impl Error {
    /// The primary span of the diagnostic.
    pub fn primary_span(&self) -> Option<SourceSpan> {
        self.labels().and_then(|mut labels| labels.next()).map(|l| *l.inner())
    }

    /// True for errors after which a file's tree is incomplete, so checking the workspace would
    /// only report follow-on errors (every name declared after the error would be unknown).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::FileTooLarge { .. }
                | Error::Utf16 { .. }
                | Error::InvalidUtf8 { .. }
                | Error::Syntax { .. }
                | Error::NestingTooDeep { .. }
                | Error::UnterminatedString { .. }
                | Error::Unbalanced { .. }
        )
    }

    /// True for warnings.
    pub fn is_warning(&self) -> bool {
        matches!(self.severity(), Some(miette::Severity::Warning | miette::Severity::Advice))
    }

    /// The stable code, e.g. `capol::check::unknown_group`.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }
}

/// A diagnostic located in a file of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// The file the spans point into.
    pub file: FileId,
    /// The diagnostic.
    pub error: Error,
}

impl Diag {
    /// Locate a diagnostic in a file.
    pub fn new(file: FileId, error: Error) -> Diag {
        Diag { file, error }
    }

    /// Where the primary label points.
    pub fn loc(&self) -> Loc {
        let span = self.error.primary_span().map_or(crate::span::Span::default(), |s| {
            crate::span::Span::new(s.offset(), s.offset() + s.len())
        });
        Loc { file: self.file, span }
    }
}

/// All diagnostics of a run, errors and warnings together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The diagnostics, in the order they were found until `sort` is called.
    pub items: Vec<Diag>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Add one.
    pub fn push(&mut self, file: FileId, error: Error) {
        self.items.push(Diag::new(file, error));
    }

    /// Add many.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| !d.error.is_warning())
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| !d.error.is_warning()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.error.is_warning()).count()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sort by file, then position, so output is stable whatever order checks ran in.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| {
            let loc = d.loc();
            (loc.file, loc.span.start, loc.span.end, d.error.code_str())
        });
        self.items.dedup();
    }
}

/// Render one diagnostic as miette's graphical report, without a global hook so output is the
/// same in tests and in the CLI. `color` adds ANSI colours.
pub fn render_human(diag: &Diag, sources: &Sources, color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let (path, text) = sources
        .get(diag.file)
        .map_or(("<unknown>".to_owned(), String::new()), |f| (f.path.clone(), f.text.clone()));
    let report = miette::Report::new(diag.error.clone()).with_source_code(NamedSource::new(path, text));
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("{}: {}\n", diag.error.code_str(), diag.error);
    }
    out
}

/// The machine-readable form of one diagnostic: code, severity, message, file, line/column
/// span, labels and help.
pub fn to_json(diag: &Diag, sources: &Sources) -> serde_json::Value {
    let file = sources.get(diag.file);
    let span_json = |span: SourceSpan| {
        let start = span.offset() as u32;
        let end = (span.offset() + span.len()) as u32;
        let (sl, sc) = file.map_or((1, 1), |f| f.line_col(start));
        let (el, ec) = file.map_or((1, 1), |f| f.line_col(end));
        json!({
            "offset": start, "length": span.len(),
            "start": {"line": sl, "column": sc},
            "end": {"line": el, "column": ec},
        })
    };
    let labels: Vec<serde_json::Value> = diag
        .error
        .labels()
        .map(|labels| labels.map(|l| json!({"message": l.label(), "span": span_json(*l.inner())})).collect())
        .unwrap_or_default();
    json!({
        "code": diag.error.code_str(),
        "severity": if diag.error.is_warning() { "warning" } else { "error" },
        "message": diag.error.to_string(),
        "file": sources.path(diag.file),
        "span": diag.error.primary_span().map(span_json),
        "labels": labels,
        "help": diag.error.help().map(|h| h.to_string()),
    })
}
