//! Test support shared by the integration test binaries (each includes it with
//! `#[path = "support/files.rs"] mod files;`): finding input files on disk.

use std::path::{Path, PathBuf};

/// Every file under `dir` (recursively) whose extension is `extension`, sorted; none when `dir`
/// does not exist.
pub fn with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
