//! Compilation targets: the IR to the JSON that deployment tools read, Microsoft Graph v1.0
//! request bodies (`graph`) and Terraform JSON for the azuread provider (`terraform`).
//!
//! INVARIANT: targets are pure functions of a compiled `ir::Program`; they do no I/O, and the
//! same program always gives byte-identical files. What a target cannot express is reported as
//! a `Note`, never dropped silently.

pub mod graph;
pub mod terraform;

/// One file a target produces, relative to the output directory (or the output file itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    /// The contents: pretty JSON ending with a newline.
    pub contents: String,
}

/// Something the user must know about the output: a construct with no form in the target, or
/// a placeholder to fill in before deploying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(pub String);

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Deterministic pretty JSON with a trailing newline.
pub fn to_pretty_json(value: &serde_json::Value) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

/// Notes about workspace declarations that are not Conditional Access objects and so have no
/// form in either target.
pub fn workspace_notes(program: &crate::ir::Program) -> Vec<Note> {
    let mut notes = Vec::new();
    if program.combined_registration.is_some() {
        notes.push(Note(
            "`preview combined_registration` has no Graph or Terraform form: it is a tenant setting \
             (the combined security information registration experience), not part of Conditional \
             Access; set it in the Entra admin center"
                .into(),
        ));
    }
    if program.methods.is_some() {
        notes.push(Note(
            "`methods` is not compiled: authentication methods belong to the authentication methods \
             policy, not to Conditional Access"
                .into(),
        ));
    }
    notes
}

/// Graph's special values of a user set for `includeUsers` / `excludeUsers` (and the
/// provider's `included_users` / `excluded_users`), which come before the user ids.
pub(crate) fn special_users(set: &crate::ir::UserSet) -> Vec<String> {
    let mut out = Vec::new();
    if set.all {
        out.push("All".to_owned());
    }
    if set.none {
        out.push("None".to_owned());
    }
    if set.all_guests {
        out.push("GuestsOrExternalUsers".to_owned());
    }
    out
}
