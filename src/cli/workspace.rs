//! Finding and reading the `.capol` files of a workspace, and writing output files atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
use crate::source::Sources;

/// An I/O problem, reported with exit status 1.
#[derive(Debug)]
pub struct IoError(pub String);

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file that marks the root of a workspace (and holds its configuration).
pub const MANIFEST: &str = "capol.toml";

/// The `.capol` files of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The directory holding `capol.toml`, or `None` for files outside any such directory.
    pub root: Option<PathBuf>,
    /// The files, sorted.
    pub files: Vec<PathBuf>,
}

impl Workspace {
    /// A name for messages: the root directory, or the single file, or `workspace`.
    pub fn label(&self) -> String {
        match (&self.root, self.files.as_slice()) {
            (Some(root), _) => root.display().to_string(),
            (None, [one]) => one.display().to_string(),
            (None, _) => "workspace".to_owned(),
        }
    }
}

/// The workspaces under the given paths. Files are taken as given; directories are walked
/// recursively. A directory holding `capol.toml` is the root of its own workspace, so
/// `capol check examples/` checks each example on its own; every other file joins one shared
/// workspace. The result does not depend on argument order.
pub fn find_workspaces(paths: &[PathBuf]) -> Result<Vec<Workspace>, IoError> {
    let mut by_root: std::collections::BTreeMap<Option<PathBuf>, Vec<PathBuf>> = Default::default();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| IoError(format!("cannot read `{}`: {}", path.display(), describe(&e))))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            let root = path.join(MANIFEST).is_file().then(|| path.clone());
            walk(path, root, &mut found)?;
            if found.is_empty() {
                return Err(IoError(format!("no `.capol` files under `{}`", path.display())));
            }
            for (root, file) in found {
                by_root.entry(root).or_default().push(file);
            }
        } else {
            by_root.entry(None).or_default().push(path.clone());
        }
    }
    Ok(by_root
        .into_iter()
        .map(|(root, mut files)| {
            files.sort();
            files.dedup();
            Workspace { root, files }
        })
        .collect())
}

/// The one workspace a command that produces a single output needs.
pub fn single_workspace(paths: &[PathBuf]) -> Result<Workspace, IoError> {
    let mut workspaces = find_workspaces(paths)?;
    if workspaces.len() > 1 {
        let names: Vec<String> = workspaces.iter().map(Workspace::label).collect();
        return Err(IoError(format!(
            "the paths hold {} workspaces ({}); give one",
            workspaces.len(),
            names.join(", ")
        )));
    }
    workspaces.pop().ok_or_else(|| IoError("no `.capol` files given".into()))
}

fn walk(dir: &Path, root: Option<PathBuf>, out: &mut Vec<(Option<PathBuf>, PathBuf)>) -> Result<(), IoError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| IoError(format!("cannot read directory `{}`: {}", dir.display(), describe(&e))))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            let nested_root = if path.join(MANIFEST).is_file() { Some(path.clone()) } else { root.clone() };
            walk(&path, nested_root, out)?;
        } else if path.extension().is_some_and(|e| e == "capol") {
            out.push((root.clone(), path));
        }
    }
    Ok(())
}

/// Read the files of a workspace into `Sources`; undecodable files give diagnostics.
pub fn load(workspace: &Workspace) -> Result<(Sources, Diagnostics), IoError> {
    let files = &workspace.files;
    let mut sources = Sources::new();
    let mut diags = Diagnostics::new();
    for path in files {
        let bytes = std::fs::read(path)
            .map_err(|e| IoError(format!("cannot read `{}`: {}", path.display(), describe(&e))))?;
        let (_, diag) = sources.add_bytes(path.display().to_string(), &bytes);
        if let Some(diag) = diag {
            diags.items.push(diag);
        }
    }
    Ok((sources, diags))
}

/// Write a file whole: a temporary file in the same directory, synced, then renamed over the
/// target, so readers never see a partial file and an interrupted write leaves the old one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), IoError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(IoError(format!(
            "cannot write `{}`: directory `{}` does not exist",
            path.display(),
            dir.display()
        )));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".capol-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| IoError(format!("cannot write in `{}`: {}", dir.display(), describe(&e))))?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| IoError(format!("cannot write `{}`: {}", path.display(), describe(&e))))?;
    temp.persist(path)
        .map_err(|e| IoError(format!("cannot write `{}`: {}", path.display(), describe(&e.error))))?;
    Ok(())
}

/// An I/O error in lowercase words.
pub fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = error.to_string();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |c| c.to_lowercase().collect::<String>() + chars.as_str())
        }
    }
}
