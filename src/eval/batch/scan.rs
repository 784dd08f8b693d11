//! Scanning functions for the one JSON shape a capol scenario line usually has: an object whose values
//! are unescaped strings, booleans, `null`, or one level of nested object of the same. It borrows
//! every string from the line and gives up (`None`) on anything else — escapes, control
//! characters, numbers, arrays, deeper nesting, malformed text — leaving those lines to
//! `serde_json` in the general path. Whitespace is JSON's: space, tab, line feed, carriage return.

/// A value the scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalar<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A string without escapes.
    Str(&'a str),
}

/// The index of the first `"` in `bytes`; `None` when a backslash or a control character comes
/// first, or there is none. Eight bytes at a time: in each word, the lowest byte flagged by the
/// zero-byte trick is exact (false positives only follow a true one), so the first flagged byte
/// of the three tests together is the first byte that is a quote, a backslash or below 0x20.
#[inline]
fn closing_quote(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let flags = zero(word ^ (ONES * u64::from(b'"')))
            | zero(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if flags != 0 {
            let at = i + (flags.trailing_zeros() / 8) as usize;
            return (bytes.get(at) == Some(&b'"')).then_some(at);
        }
        i += 8;
    }
    for (k, &b) in bytes.get(i..)?.iter().enumerate() {
        match b {
            b'"' => return Some(i + k),
            b'\\' | 0..=0x1f => return None,
            _ => {}
        }
    }
    None
}

/// The index of the first byte at or after `i` that is not JSON whitespace.
#[inline]
pub(super) fn ws(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
        i += 1;
    }
    i
}

/// Whether the byte at `i` is `byte`.
#[inline]
pub(super) fn at(bytes: &[u8], i: usize, byte: u8) -> bool {
    bytes.get(i) == Some(&byte)
}

/// The string whose opening quote is at `i`: its text and the index after its closing quote.
#[inline]
pub(super) fn string(text: &str, i: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if !at(bytes, i, b'"') {
        return None;
    }
    let start = i + 1;
    let end = start + closing_quote(bytes.get(start..)?)?;
    // Both ends are next to an ASCII quote, so on character boundaries.
    Some((text.get(start..end)?, end + 1))
}

/// The string, boolean or `null` at `i`: its value and the index after it.
#[inline]
pub(super) fn scalar(text: &str, i: usize) -> Option<(Scalar<'_>, usize)> {
    let bytes = text.as_bytes();
    let word = |w: &[u8], value: Scalar<'static>| {
        (bytes.get(i..i + w.len()) == Some(w)).then_some((value, i + w.len()))
    };
    match bytes.get(i)? {
        b'"' => string(text, i).map(|(s, next)| (Scalar::Str(s), next)),
        b'n' => word(b"null", Scalar::Null),
        b't' => word(b"true", Scalar::Bool(true)),
        b'f' => word(b"false", Scalar::Bool(false)),
        _ => None,
    }
}

/// The object whose `{` is at `i` (whitespace skipped before it): `field` is called with each
/// key and the index of its value (whitespace skipped), and returns the index after the value.
/// Returns the index after the closing brace.
#[inline]
pub(super) fn object<'a>(
    text: &'a str,
    i: usize,
    mut field: impl FnMut(&'a str, usize) -> Option<usize>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    if !at(bytes, i, b'{') {
        return None;
    }
    let mut i = ws(bytes, i + 1);
    if at(bytes, i, b'}') {
        return Some(i + 1);
    }
    loop {
        let (key, next) = string(text, i)?;
        i = ws(bytes, next);
        if !at(bytes, i, b':') {
            return None;
        }
        i = ws(bytes, field(key, ws(bytes, i + 1))?);
        match bytes.get(i)? {
            b',' => i = ws(bytes, i + 1),
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Option<Vec<(String, Scalar<'_>)>> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let end = object(text, ws(bytes, 0), |k, i| {
            let (value, next) = scalar(text, i)?;
            out.push((k.to_owned(), value));
            Some(next)
        })?;
        (ws(bytes, end) == bytes.len()).then_some(out)
    }

    #[test]
    fn closing_quote_is_the_first_special_byte() {
        for len in 0..40 {
            for special in [b'"', b'\\', b'\n', 0x1f, 0x00] {
                for at in 0..=len {
                    // Bytes around the tests' edges: 0x20, 0x21 ('!'), 0x5b, 0x7f, 0x80, 0xff.
                    let filler = [0x20u8, 0x21, 0x5b, 0x7f, 0x80, 0xff, b'a'];
                    let mut bytes: Vec<u8> = (0..len).map(|i| filler[i % filler.len()]).collect();
                    bytes.insert(at, special);
                    bytes.push(b'"');
                    let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
                    let expected = expected.filter(|&i| bytes[i] == b'"');
                    assert_eq!(closing_quote(&bytes), expected, "{bytes:?}");
                }
            }
        }
        assert_eq!(closing_quote(b""), None);
        assert_eq!(closing_quote(b"abc"), None);
    }

    #[test]
    fn reads_flat_objects_and_gives_up_on_the_rest() {
        assert_eq!(
            fields(" {\"a\" : \"x y\",\t\"b\":true,\"c\":null ,\"d\":false}\r\n"),
            Some(vec![
                ("a".into(), Scalar::Str("x y")),
                ("b".into(), Scalar::Bool(true)),
                ("c".into(), Scalar::Null),
                ("d".into(), Scalar::Bool(false)),
            ])
        );
        assert_eq!(fields("{}"), Some(vec![]));
        assert_eq!(fields("{\"é\":\"ü\"}"), Some(vec![("é".into(), Scalar::Str("ü"))]));
        for bad in [
            "",
            "{",
            "{\"a\":\"x\"",
            "{\"a\":\"x\",}",
            "{\"a\":\"x\\\"\"}",
            "{\"a\":\"x\ty\"}",
            "{\"a\":1}",
            "{\"a\":[]}",
            "{\"a\":truex}",
            "{\"a\":nul}",
            "{\"a\":\"x\"} x",
            "{\"a\" \"x\"}",
            "[\"a\"]",
            "{a:\"x\"}",
        ] {
            assert_eq!(fields(bad), None, "{bad}");
        }
    }
}
