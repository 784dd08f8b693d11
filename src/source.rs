//! Source files of a workspace: decoding bytes into text and mapping offsets to lines.

use crate::diagnostic::{Diag, Error};
use crate::span::{FileId, Loc, Span};

/// Largest `.capol` file accepted, in bytes. Larger inputs are refused with a diagnostic before
/// parsing so that a stray multi-gigabyte file cannot exhaust memory or time.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave or found it, used in diagnostics.
    pub path: String,
    /// The text, without a leading byte-order mark.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A file from already decoded text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| (i + 1) as u32)).collect();
        SourceFile { path: path.into(), text, line_starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_idx).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self.text.get(line_start..end).map_or(0, |s| s.chars().count());
        (line_idx + 1, column + 1)
    }
}

/// All files of a workspace, addressed by `FileId`.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The files, in the order they were added.
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Add a file from decoded text.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId((self.files.len() - 1) as u32)
    }

    /// Add a file from raw bytes. Undecodable input still gets a file (with the text that could
    /// be decoded, possibly empty) so the diagnostic can name it; the diagnostic is returned.
    pub fn add_bytes(&mut self, path: impl Into<String>, bytes: &[u8]) -> (FileId, Option<Diag>) {
        let path = path.into();
        match decode(bytes) {
            Ok(text) => (self.add(path, text), None),
            Err(boxed) => {
                let (text, error) = *boxed;
                let id = self.add(path, text);
                (id, Some(Diag::new(id, error)))
            }
        }
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The path of a file, or `<unknown>`.
    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map_or("<unknown>", |f| f.path.as_str())
    }

    /// 1-based line and column of a location.
    pub fn line_col(&self, loc: Loc) -> (usize, usize) {
        self.get(loc.file).map_or((1, 1), |f| f.line_col(loc.span.start))
    }
}

/// Decode a `.capol` file: UTF-8, with or without a byte-order mark. UTF-16 and invalid UTF-8
/// are refused with a diagnostic pointing at the first bad byte.
fn decode(bytes: &[u8]) -> Result<String, Box<(String, Error)>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Box::new((
            String::new(),
            Error::FileTooLarge { size: bytes.len(), limit: MAX_FILE_BYTES, span: Span::new(0, 0).into() },
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Box::new((String::new(), Error::Utf16 { span: Span::new(0, 0).into() })));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let valid = e.valid_up_to();
            let text = String::from_utf8_lossy(body).into_owned();
            // The lossy text replaces bad bytes with U+FFFD, which is longer; find the offset of
            // the first replacement in the lossy text so the label points at it.
            let offset = text.get(..).and_then(|t| t.find('\u{FFFD}')).unwrap_or(valid);
            Err(Box::new((text, Error::InvalidUtf8 { span: Span::new(offset, offset + 3).into() })))
        }
    }
}
