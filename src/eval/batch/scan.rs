//! A scanner for the one JSON shape a capol scenario line usually has: an object whose values
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

/// A position in a line.
pub(super) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Scanner<'a> {
        Scanner { text, pos: 0 }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skip whitespace, then expect `byte`.
    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    /// A string without escapes or control characters, the opening quote not yet read.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = start.checked_add(closing_quote(self.text.as_bytes().get(start..)?)?)?;
        // Both ends are next to an ASCII quote, so on character boundaries.
        let s = self.text.get(start..end)?;
        self.pos = end + 1;
        Some(s)
    }

    #[inline]
    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.pos.checked_add(word.len())?;
        (self.text.as_bytes().get(self.pos..end)? == word.as_bytes()).then(|| self.pos = end)
    }

    /// A string, boolean or `null`.
    #[inline]
    pub(super) fn scalar(&mut self) -> Option<Scalar<'a>> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(Scalar::Str),
            b'n' => self.literal("null").map(|()| Scalar::Null),
            b't' => self.literal("true").map(|()| Scalar::Bool(true)),
            b'f' => self.literal("false").map(|()| Scalar::Bool(false)),
            _ => None,
        }
    }

    /// Whether the next value is an object (whitespace skipped).
    #[inline]
    pub(super) fn at_object(&mut self) -> bool {
        self.skip_ws();
        self.peek() == Some(b'{')
    }

    /// An object: `field` is called with each key and must read its value.
    pub(super) fn object(&mut self, mut field: impl FnMut(&'a str, &mut Scanner<'a>) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            field(key, self)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The current position.
    pub(super) fn position(&mut self) -> usize {
        self.skip_ws();
        self.pos
    }

    /// The text from `start` to the current position.
    pub(super) fn since(&self, start: usize) -> Option<&'a str> {
        self.text.get(start..self.pos)
    }

    /// Only whitespace is left.
    pub(super) fn end(&mut self) -> Option<()> {
        self.skip_ws();
        (self.pos == self.text.len()).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Option<Vec<(String, Scalar<'_>)>> {
        let mut out = Vec::new();
        let mut s = Scanner::new(text);
        s.object(|k, s| {
            out.push((k.to_owned(), s.scalar()?));
            Some(())
        })?;
        s.end()?;
        Some(out)
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
