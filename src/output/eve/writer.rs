//! A small streaming JSON writer into a caller-owned, reused `Vec<u8>`: no intermediate tree,
//! no allocation once the buffer has grown to its working size (the pattern of Suricata's
//! `jsonbuilder.rs`).
//!
//! Commas are tracked with a bit per nesting level, so the writer supports up to
//! [`MAX_DEPTH`] levels; deeper opens are a caller bug and are written anyway (the output
//! stays valid JSON, only comma tracking for levels beyond the limit is shared).

use std::fmt::Display;
use std::io::Write as _;

/// Nesting levels with exact comma tracking.
pub const MAX_DEPTH: u32 = 63;

/// Streaming JSON writer. Build one per line with [`JsonWriter::new`].
pub struct JsonWriter<'a> {
    buf: &'a mut Vec<u8>,
    /// Bit `d` set: level `d` already holds a member, so the next one needs a comma.
    comma: u64,
    depth: u32,
    after_key: bool,
}

impl<'a> JsonWriter<'a> {
    /// A writer appending to `buf`.
    pub fn new(buf: &'a mut Vec<u8>) -> JsonWriter<'a> {
        JsonWriter { buf, comma: 0, depth: 0, after_key: false }
    }

    fn bit(&self) -> u64 {
        1u64 << self.depth.min(MAX_DEPTH)
    }

    fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if self.comma & self.bit() != 0 {
            self.buf.push(b',');
        }
        self.comma |= self.bit();
    }

    /// Opens an object (as a value: after a key, in an array, or at the top).
    pub fn open(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'{');
        self.depth += 1;
        self.comma &= !self.bit();
        self
    }

    /// Closes the innermost object.
    pub fn close(&mut self) -> &mut Self {
        self.buf.push(b'}');
        self.depth = self.depth.saturating_sub(1);
        self
    }

    /// Opens an array.
    pub fn open_arr(&mut self) -> &mut Self {
        self.sep();
        self.buf.push(b'[');
        self.depth += 1;
        self.comma &= !self.bit();
        self
    }

    /// Closes the innermost array.
    pub fn close_arr(&mut self) -> &mut Self {
        self.buf.push(b']');
        self.depth = self.depth.saturating_sub(1);
        self
    }

    /// Writes a member name; the next value call writes its value.
    pub fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        escape_into(self.buf, k);
        self.buf.push(b':');
        self.after_key = true;
        self
    }

    /// A string value, escaped.
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        escape_into(self.buf, v);
        self
    }

    /// A string value from a `Display` whose output never needs escaping (IP addresses,
    /// timestamps, protocol names).
    pub fn display_plain(&mut self, v: impl Display) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        let _ = write!(self.buf, "{v}");
        self.buf.push(b'"');
        self
    }

    /// An unsigned integer value.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    /// A signed integer value.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    /// A boolean value.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    /// A string value: standard base64 (with padding) of `data`.
    pub fn base64(&mut self, data: &[u8]) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        base64_into(self.buf, data);
        self.buf.push(b'"');
        self
    }

    /// A string value: `data` with every byte outside printable ASCII replaced by `.`, and
    /// line feeds, carriage returns and tabs kept (Suricata's `payload_printable`).
    pub fn printable(&mut self, data: &[u8]) -> &mut Self {
        self.sep();
        self.buf.push(b'"');
        for &b in data {
            match b {
                b'"' => self.buf.extend_from_slice(b"\\\""),
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                0x20..=0x7e => self.buf.push(b),
                _ => self.buf.push(b'.'),
            }
        }
        self.buf.push(b'"');
        self
    }

    /// A string value `a` followed by `b`, escaped, without building the joined string.
    pub fn str_concat(&mut self, a: &str, b: &str) -> &mut Self {
        self.sep();
        escape_into(self.buf, a);
        self.buf.pop();
        let at = self.buf.len();
        escape_into(self.buf, b);
        // drop the opening quote of the second part
        self.buf.remove(at);
        self
    }

    /// `"k":"v"` (escaped).
    pub fn kstr(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k).str(v)
    }

    /// `"k":n`.
    pub fn ku64(&mut self, k: &str, v: u64) -> &mut Self {
        self.key(k).u64(v)
    }

    /// `"k":true|false`.
    pub fn kbool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).bool(v)
    }

    /// `"k":"<display>"` for values that never need escaping.
    pub fn kdisp(&mut self, k: &str, v: impl Display) -> &mut Self {
        self.key(k).display_plain(v)
    }
}

/// Writes `s` as a JSON string literal (quotes included).
pub fn escape_into(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f | 0x7f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[(b >> 4) as usize]);
            buf.push(HEX[(b & 0xf) as usize]);
        } else {
            buf.extend_from_slice(esc);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// Appends the standard base64 encoding (with `=` padding) of `data`.
pub fn base64_into(buf: &mut Vec<u8>, data: &[u8]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for s in [18, 12, 6, 0] {
            buf.push(A[((n >> s) & 63) as usize]);
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            buf.extend_from_slice(&[A[((n >> 18) & 63) as usize], A[((n >> 12) & 63) as usize], b'=', b'=']);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            buf.extend_from_slice(&[A[((n >> 18) & 63) as usize], A[((n >> 12) & 63) as usize], A[((n >> 6) & 63) as usize], b'=']);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_and_arrays() {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open().ku64("a", 1).key("b").open().kstr("c", "x").close().key("v").open_arr().u64(1).u64(2).close_arr().kbool("d", true).close();
        assert_eq!(String::from_utf8(buf).unwrap(), r#"{"a":1,"b":{"c":"x"},"v":[1,2],"d":true}"#);
    }

    #[test]
    fn escaping_cases() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain", "abc", r#""abc""#),
            ("quote", "a\"b", r#""a\"b""#),
            ("backslash", "a\\b", r#""a\\b""#),
            ("newline", "a\nb", r#""a\nb""#),
            ("control", "\u{1}", r#""\u0001""#),
            ("del", "\u{7f}", r#""\u007f""#),
            ("utf8", "é", "\"é\""),
        ];
        for (name, input, want) in cases {
            let mut b = Vec::new();
            escape_into(&mut b, input);
            assert_eq!(String::from_utf8(b).unwrap(), *want, "{name}");
            let mut b = Vec::new();
            escape_into(&mut b, input);
            let back: String = serde_json::from_slice(&b).unwrap();
            assert_eq!(&back, input, "{name} round trip");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips(s in ".*") {
            let mut b = Vec::new();
            let mut w = JsonWriter::new(&mut b);
            w.open().kstr(&s, &s).close();
            let v: serde_json::Value = serde_json::from_slice(&b).expect("valid JSON");
            proptest::prop_assert_eq!(v[&s].as_str(), Some(s.as_str()));
        }

        #[test]
        fn any_bytes_base64_and_printable_are_valid(data in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let mut b = Vec::new();
            JsonWriter::new(&mut b).open().key("p").base64(&data).key("q").printable(&data).close();
            let v: serde_json::Value = serde_json::from_slice(&b).expect("valid JSON");
            proptest::prop_assert_eq!(v["p"].as_str().map(|s| s.len()), Some(data.len().div_ceil(3) * 4));
            proptest::prop_assert_eq!(v["q"].as_str().map(|s| s.len()), Some(data.len()));
        }
    }

    #[test]
    fn base64_vectors() {
        for (input, want) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            let mut b = Vec::new();
            base64_into(&mut b, input.as_bytes());
            assert_eq!(String::from_utf8(b).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn printable_replaces_binary() {
        let mut buf = Vec::new();
        JsonWriter::new(&mut buf).printable(b"GET /\r\n\x00\xff\"");
        assert_eq!(String::from_utf8(buf).unwrap(), r#""GET /\r\n..\"""#);
    }
}
