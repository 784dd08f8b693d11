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

/// Every `.capol` file under the given paths (files are taken as given, directories are walked
/// recursively), sorted and deduplicated so the workspace does not depend on argument order.
pub fn find_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| IoError(format!("cannot read `{}`: {}", path.display(), describe(&e))))?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, &mut out)?;
            if out.len() == before {
                return Err(IoError(format!("no `.capol` files under `{}`", path.display())));
            }
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IoError> {
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
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "capol") {
            out.push(path);
        }
    }
    Ok(())
}

/// Read the files into `Sources`; undecodable files give diagnostics.
pub fn load(paths: &[PathBuf]) -> Result<(Sources, Diagnostics), IoError> {
    let files = find_files(paths)?;
    let mut sources = Sources::new();
    let mut diags = Diagnostics::new();
    for path in files {
        let bytes = std::fs::read(&path)
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
