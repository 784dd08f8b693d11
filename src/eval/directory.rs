//! A Graph-shaped directory snapshot: users with their (transitive) group memberships and roles,
//! and groups with their display names, so that sign-ins by object id can be evaluated.
//!
//! ```json
//! {"users": [{"id": "...", "userPrincipalName": "...", "userType": "Member",
//!             "memberOf": ["<group id>"], "roles": ["<role template id>"]}],
//!  "groups": [{"id": "...", "displayName": "..."}]}
//! ```
//!
//! `memberOf` entries may be ids or Graph directory objects (`{"id": ...}`); `roles` entries may be
//! template ids or role objects (`{"roleTemplateId": ...}`). Other properties of Graph's user and
//! group resources are ignored, so a Graph export can be used as it is.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::engine::Engine;
use super::scenario::{ErrorKind, ScenarioError, json_error, kind_of};
use super::signin::Principal;
use crate::ir::UserType;

/// A directory user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// Object id.
    pub id: String,
    /// User principal name.
    pub upn: Option<String>,
    /// Member, or a guest type (`Guest` reads as a B2B collaboration guest).
    pub user_type: UserType,
    /// Group ids; taken as the transitive memberships, which Conditional Access evaluates.
    pub member_of: Vec<String>,
    /// Role template ids.
    pub roles: Vec<String>,
}

/// A directory group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryGroup {
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
}

/// A parsed directory snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    /// Users.
    pub users: Vec<DirectoryUser>,
    /// Groups.
    pub groups: Vec<DirectoryGroup>,
}

fn string_field<'a>(
    obj: &'a serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ScenarioError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(ScenarioError::new(
            ErrorKind::InvalidValue,
            format!("{path}.{key}"),
            format!("expected a string, found {}", kind_of(v)),
        )),
    }
}

fn id_list(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
    id_keys: &[&str],
) -> Result<Vec<String>, ScenarioError> {
    let field = format!("{path}.{key}");
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let id = match item {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => id_keys.iter().find_map(|k| o.get(*k).and_then(Value::as_str)),
                    _ => None,
                };
                match id {
                    Some(id) => out.push(id.to_owned()),
                    None => {
                        return Err(ScenarioError::new(
                            ErrorKind::InvalidValue,
                            format!("{field}[{i}]"),
                            format!(
                                "expected an id or an object with `{}`, found {}",
                                id_keys.join("` or `"),
                                kind_of(item)
                            ),
                        ));
                    }
                }
            }
            Ok(out)
        }
        Some(v) => Err(ScenarioError::new(
            ErrorKind::InvalidValue,
            field,
            format!("expected a list, found {}", kind_of(v)),
        )),
    }
}

fn objects<'a>(
    root: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<Vec<(String, &'a serde_json::Map<String, Value>)>, ScenarioError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = format!("{key}[{i}]");
                match v {
                    Value::Object(o) => Ok((path, o)),
                    other => Err(ScenarioError::new(
                        ErrorKind::InvalidValue,
                        path,
                        format!("expected an object, found {}", kind_of(other)),
                    )),
                }
            })
            .collect(),
        Some(v) => Err(ScenarioError::new(
            ErrorKind::InvalidValue,
            key,
            format!("expected a list, found {}", kind_of(v)),
        )),
    }
}

impl Directory {
    /// Parse a snapshot.
    ///
    /// # Errors
    ///
    /// Not JSON, a user without `id`, an unknown `userType`, or a value of the wrong type.
    pub fn from_json(text: &str) -> Result<Directory, ScenarioError> {
        let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        let Value::Object(root) = &value else {
            return Err(ScenarioError::new(
                ErrorKind::Json,
                "",
                format!("expected a JSON object, found {}", kind_of(&value)),
            ));
        };
        let mut directory = Directory::default();
        for (path, u) in objects(root, "users")? {
            let Some(id) = string_field(u, "id", &path)? else {
                return Err(ScenarioError::new(
                    ErrorKind::MissingField,
                    format!("{path}.id"),
                    "a user needs an `id`",
                ));
            };
            let user_type = match string_field(u, "userType", &path)? {
                None => UserType::Member,
                Some(t) if t.eq_ignore_ascii_case("member") => UserType::Member,
                Some(t) if t.eq_ignore_ascii_case("guest") => UserType::B2bCollaborationGuest,
                Some(t) => match UserType::GUEST_TYPES.iter().find(|g| g.graph().eq_ignore_ascii_case(t)) {
                    Some(g) => *g,
                    None => {
                        return Err(ScenarioError::new(
                            ErrorKind::InvalidValue,
                            format!("{path}.userType"),
                            format!("unknown user type `{t}`"),
                        )
                        .with_help(Some("expected `Member` or `Guest`".into())));
                    }
                },
            };
            directory.users.push(DirectoryUser {
                id: id.to_owned(),
                upn: string_field(u, "userPrincipalName", &path)?.map(str::to_owned),
                user_type,
                member_of: id_list(u, "memberOf", &path, &["id"])?,
                roles: id_list(u, "roles", &path, &["roleTemplateId", "templateId", "id"])?,
            });
        }
        for (path, g) in objects(root, "groups")? {
            let Some(id) = string_field(g, "id", &path)? else {
                return Err(ScenarioError::new(
                    ErrorKind::MissingField,
                    format!("{path}.id"),
                    "a group needs an `id`",
                ));
            };
            directory.groups.push(DirectoryGroup {
                id: id.to_owned(),
                display_name: string_field(g, "displayName", &path)?.map(str::to_owned),
            });
        }
        Ok(directory)
    }

    /// Precompute every user's memberships as the engine's indices.
    pub fn bind(&self, engine: &Engine) -> BoundDirectory {
        let mut groups: HashMap<String, Option<u32>> = HashMap::new();
        for g in &self.groups {
            // By id first; a workspace group declared without an id is matched by display name.
            let index = engine.group_index(&g.id).or_else(|| {
                let name = g.display_name.as_deref()?;
                let declared = engine.program().groups.iter().find(|w| {
                    w.id.is_none() && (w.display_name.as_deref() == Some(name) || w.name == name)
                })?;
                engine.group_index(&declared.name)
            });
            groups.insert(g.id.to_ascii_lowercase(), index);
        }
        let mut users = HashMap::new();
        for u in &self.users {
            let mut p = engine.empty_principal(u.user_type);
            p.user = engine.user_index(&u.id);
            for g in &u.member_of {
                let index = match groups.get(&g.to_ascii_lowercase()) {
                    Some(i) => *i,
                    None => engine.group_index(g),
                };
                if let Some(i) = index {
                    p.groups.insert(i);
                }
            }
            for r in &u.roles {
                if let Some(i) = engine.role_index(r) {
                    p.roles.insert(i);
                }
            }
            let p = Arc::new(p);
            users.insert(u.id.to_ascii_lowercase(), Arc::clone(&p));
            if let Some(upn) = &u.upn {
                users.entry(upn.to_ascii_lowercase()).or_insert(p);
            }
        }
        BoundDirectory { users, groups }
    }
}

/// A directory snapshot bound to an engine.
#[derive(Debug, Clone, Default)]
pub struct BoundDirectory {
    users: HashMap<String, Arc<Principal>>,
    groups: HashMap<String, Option<u32>>,
}

impl BoundDirectory {
    /// The user with this object id or UPN (case-insensitive).
    pub fn user(&self, key: &str) -> Option<Arc<Principal>> {
        self.users.get(&key.to_ascii_lowercase()).cloned()
    }

    /// For a group id in the snapshot: its engine index, or `None` when no policy names it.
    pub fn group(&self, id: &str) -> Option<Option<u32>> {
        self.groups.get(&id.to_ascii_lowercase()).copied()
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// True when the snapshot has no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
