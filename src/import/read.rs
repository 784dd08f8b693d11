//! Reading Graph exports: decoding bytes (UTF-8, UTF-8 with a byte-order mark, UTF-16LE/BE with
//! one), parsing JSON, dropping annotations, telling the kinds of object apart, and finding a
//! JSON path in the text for diagnostics.

use serde_json::{Map, Value};

use crate::span::Span;

/// Largest JSON input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Decode an input file to text. Errors are lowercase reasons.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(format!("the file is larger than {MAX_INPUT_BYTES} bytes"));
    }
    let utf16 = |body: &[u8], little: bool| -> Result<String, String> {
        if !body.len().is_multiple_of(2) {
            return Err("UTF-16 text with an odd number of bytes".into());
        }
        let units = body.chunks_exact(2).map(|c| {
            if little { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "invalid UTF-16 (an unpaired surrogate)".to_owned())
    };
    if let Some(body) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(body, true);
    }
    if let Some(body) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(body, false);
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8(body.to_vec())
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// True for keys that carry OData annotations or actions rather than data: `@odata.*`,
/// `property@odata.type`, `#microsoft.graph.restore`.
pub fn is_annotation(key: &str) -> bool {
    key.starts_with('@') || key.starts_with('#') || key.contains("@odata.")
}

/// A copy of the value without annotation keys, at every depth.
pub fn strip_annotations(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !is_annotation(k))
                .map(|(k, v)| (k.clone(), strip_annotations(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_annotations).collect()),
        other => other.clone(),
    }
}

/// True when a value carries nothing: `null`, `false`, `""`, `[]`, or an object of such values.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.iter().all(|(k, v)| is_annotation(k) || is_empty(v)),
        Value::Number(_) => false,
    }
}

/// What a JSON object of an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `conditionalAccessPolicy`.
    Policy,
    /// A `namedLocation` of any type.
    Location,
    /// A directory group.
    Group,
    /// A directory user.
    User,
    /// An `authenticationStrengthPolicy`.
    AuthStrength,
    /// IntuneManagement's `MigrationTable.json`.
    MigrationTable,
    /// The `manifest.json` of `capol compile --target graph`, which names the files' objects.
    Manifest,
}

/// Tell what an object is, from its `@odata.type` or, in trimmed exports without one, from the
/// properties only that kind has.
pub fn classify(object: &Map<String, Value>) -> Option<Kind> {
    let odata = object.get("@odata.type").and_then(Value::as_str).unwrap_or("");
    let odata = odata.trim_start_matches('#').trim_start_matches("microsoft.graph.");
    match odata {
        "conditionalAccessPolicy" => return Some(Kind::Policy),
        "group" => return Some(Kind::Group),
        "user" => return Some(Kind::User),
        "authenticationStrengthPolicy" => return Some(Kind::AuthStrength),
        t if t.ends_with("NamedLocation") || t == "namedLocation" => return Some(Kind::Location),
        _ => {}
    }
    let has = |key: &str| object.contains_key(key);
    if has("capol_graph") && object.get("files").is_some_and(Value::is_array) {
        Some(Kind::Manifest)
    } else if has("conditions") && has("displayName") {
        Some(Kind::Policy)
    } else if has("ipRanges") || has("countriesAndRegions") || has("compliantNetworkType") {
        Some(Kind::Location)
    } else if has("Objects") && object.get("Objects").is_some_and(Value::is_array) {
        Some(Kind::MigrationTable)
    } else if has("allowedCombinations") && has("policyType") {
        Some(Kind::AuthStrength)
    } else if has("userPrincipalName") {
        Some(Kind::User)
    } else if has("securityEnabled") || has("groupTypes") || has("mailNickname") {
        Some(Kind::Group)
    } else {
        None
    }
}

/// A path into a JSON document, for messages: `conditions.users.excludeGroups[2]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct JsonPath(Vec<Segment>);

/// One step of a `JsonPath`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Key(String),
    Index(usize),
}

impl JsonPath {
    /// The path of the document itself.
    pub fn root() -> JsonPath {
        JsonPath::default()
    }

    /// True for the document itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path of a property of this object.
    pub fn key(&self, key: &str) -> JsonPath {
        let mut out = self.clone();
        out.0.push(Segment::Key(key.to_owned()));
        out
    }

    /// The path of an item of this array.
    pub fn index(&self, index: usize) -> JsonPath {
        let mut out = self.clone();
        out.0.push(Segment::Index(index));
        out
    }

    /// True when `self` is `other` or inside it, or `other` inside `self`.
    pub fn overlaps(&self, other: &JsonPath) -> bool {
        let n = self.0.len().min(other.0.len());
        self.0[..n] == other.0[..n]
    }

    /// The span of the last key of the path in `text`, found by searching each key in turn
    /// after the previous one; `None` when it cannot be found.
    pub fn locate(&self, text: &str) -> Option<Span> {
        let mut from = 0usize;
        let mut found = None;
        for segment in &self.0 {
            let Segment::Key(key) = segment else { continue };
            let needle = format!("\"{key}\"");
            let mut search = from;
            loop {
                let at = search + text.get(search..)?.find(&needle)?;
                let after = text.get(at + needle.len()..)?.trim_start();
                if after.starts_with(':') {
                    found = Some(Span::new(at, at + needle.len()));
                    from = at + needle.len();
                    break;
                }
                search = at + needle.len();
            }
        }
        found
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_supported_encoding() {
        let text = "{\"a\": \"é\"}";
        let le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        let bom: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect();
        for bytes in [le, be, bom, text.as_bytes().to_vec()] {
            assert_eq!(decode(&bytes).unwrap(), text);
        }
        assert!(decode(&[0xFF, 0xFE, 0x00]).is_err());
        assert!(decode(&[0xC3]).is_err());
    }

    #[test]
    fn annotations_are_recognised() {
        for key in ["@odata.type", "includeUsers@odata.type", "#microsoft.graph.restore", "@odata.context"] {
            assert!(is_annotation(key), "{key}");
        }
        assert!(!is_annotation("includeUsers"));
        let v: Value = serde_json::json!({"a": {"b@odata.type": "x", "b": [1]}, "@odata.id": "y"});
        assert_eq!(strip_annotations(&v), serde_json::json!({"a": {"b": [1]}}));
    }

    #[test]
    fn paths_print_and_locate() {
        let path = JsonPath::root().key("conditions").key("users").key("excludeGroups").index(2);
        assert_eq!(path.to_string(), "conditions.users.excludeGroups[2]");
        let text = r#"{"users": "x", "conditions": {"users": {"excludeGroups": []}}}"#;
        let span = path.locate(text).unwrap();
        assert_eq!(&text[span.start as usize..span.end as usize], "\"excludeGroups\"");
        assert!(path.overlaps(&JsonPath::root().key("conditions").key("users")));
        assert!(!path.overlaps(&JsonPath::root().key("grantControls")));
    }
}
