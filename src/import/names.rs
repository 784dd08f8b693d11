//! Readable, unique `snake_case` names from display names, for imported declarations and for
//! Terraform resource names.
//!
//! INVARIANT: a name is a valid capol identifier (`[a-z_][a-z0-9_]*`, at most `MAX_NAME`
//! characters) and never a reserved word. Given the same requests in the same order, `Names`
//! hands out the same names.

use std::collections::BTreeSet;

use crate::check::words::RESERVED;

/// Longest generated name (the language allows 128; shorter names read better).
pub const MAX_NAME: usize = 60;

/// `snake_case` words of a display name: `"CA000-Global MFA"` → `ca000_global_mfa`,
/// `"<ExclusionTempGroup>"` → `exclusion_temp_group`. Letters with accents keep their base
/// letter where it is plain ASCII after lower-casing; other characters separate words. The
/// result may be empty or start with a digit; `identifier` fixes both.
pub fn snake_case(display: &str) -> String {
    let chars: Vec<char> = display.chars().map(fold).collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            // A word starts at an upper-case letter after a lower-case letter ("tempGroup"), or
            // before a lower-case letter after a digit or a capital ("P2Group" → "p2_group",
            // "MFAPolicy" → "mfa_policy").
            let boundary = c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || ((prev.is_ascii_digit() || prev.is_ascii_uppercase()) && next.is_ascii_lowercase()));
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    let mut cut: String = trimmed.chars().take(MAX_NAME).collect();
    // Cut at a word boundary when a long name was shortened.
    if trimmed.len() > MAX_NAME
        && let Some(at) = cut.rfind('_')
        && at > MAX_NAME / 2
    {
        cut.truncate(at);
    }
    cut.trim_end_matches('_').to_owned()
}

/// A few Latin letters with diacritics to their ASCII base, so `Zürich` reads `zurich`.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'ç' => 'c',
        'Ç' => 'C',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        other => other,
    }
}

/// A valid identifier from a display name: `snake_case`, prefixed with `prefix_` when it would
/// be empty, start with a digit, or be a reserved word.
pub fn identifier(display: &str, prefix: &str) -> String {
    let base = snake_case(display);
    if base.is_empty() {
        return prefix.to_owned();
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) || RESERVED.contains(&base.as_str()) {
        return format!("{prefix}_{base}");
    }
    base
}

/// Hands out unique identifiers: the first request for a base name gets it, later ones get
/// `_2`, `_3`, ...
#[derive(Debug, Clone, Default)]
pub struct Names {
    used: BTreeSet<String>,
    /// Names that `claim` will ask for later; `allocate` leaves them free.
    wanted: BTreeSet<String>,
}

impl Names {
    /// An allocator with no name taken.
    pub fn new() -> Names {
        Names::default()
    }

    /// Reserve a name that must not be handed out (already declared elsewhere).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_owned());
    }

    /// Keep `name` free for a later `claim`: objects the inputs name exactly (capol's own
    /// `${kind:name}` placeholders) keep their names whatever order the inputs come in.
    pub fn want(&mut self, name: &str) {
        self.wanted.insert(name.to_owned());
    }

    /// `name` itself when it is a valid identifier not handed out yet, else a unique variant.
    pub fn claim(&mut self, name: &str, prefix: &str) -> String {
        if identifier(name, prefix) == name && !self.used.contains(name) {
            self.used.insert(name.to_owned());
            return name.to_owned();
        }
        self.allocate(name, prefix)
    }

    /// A unique identifier for `display`, see `identifier`.
    pub fn allocate(&mut self, display: &str, prefix: &str) -> String {
        let base = identifier(display, prefix);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.used.contains(&candidate) || self.wanted.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_become_snake_case() {
        assert_eq!(snake_case("<ExclusionTempGroup>"), "exclusion_temp_group");
        assert_eq!(
            snake_case("CA000-Global-IdentityProtection-AnyApp"),
            "ca000_global_identity_protection_any_app"
        );
        assert_eq!(snake_case("MFAPolicy for HR"), "mfa_policy_for_hr");
        assert_eq!(snake_case("ALLOWED COUNTRIES - SERVICE ACCOUNTS"), "allowed_countries_service_accounts");
        assert_eq!(snake_case("Zürich office"), "zurich_office");
        assert_eq!(snake_case("Phishing-resistant MFA"), "phishing_resistant_mfa");
        assert_eq!(snake_case("AADP2Group"), "aadp2_group");
        assert_eq!(snake_case("B2C IEF Keyset Administrator"), "b2c_ief_keyset_administrator");
        assert_eq!(snake_case("!!!"), "");
    }

    #[test]
    fn identifiers_are_valid_and_unique() {
        let mut names = Names::new();
        assert_eq!(names.allocate("800 - RING", "policy"), "policy_800_ring");
        assert_eq!(names.allocate("All", "group"), "group_all");
        assert_eq!(names.allocate("", "group"), "group");
        assert_eq!(names.allocate("HR", "group"), "hr");
        assert_eq!(names.allocate("hr", "group"), "hr_2");
        let long = "word ".repeat(40);
        let name = names.allocate(&long, "x");
        assert!(name.len() <= MAX_NAME && !name.ends_with('_'), "{name}");
    }
}
