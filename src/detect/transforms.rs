//! Transforms: keywords after a sticky buffer that rewrite it before inspection
//! (`http.uri; url_decode; to_lowercase; content:"..."`), as Suricata's transforms.
//! Doc: <https://docs.suricata.io/en/latest/rules/transforms.html>
//!
//! A transformed buffer is a different buffer: a signature keys its chains by (buffer,
//! transforms). Transforms run in rule order into two scratch vectors owned by the worker's
//! detection context (no allocation after warm-up); each output is capped at
//! [`MAX_TRANSFORM_OUT`] bytes.

use super::keywords::pcre::{parse_pcre, PcreCache, PcreError};
use md5::Digest as _;
use pcre2::bytes::Regex;
use std::sync::Arc;

/// Most bytes a transform produces (larger inputs are truncated first).
pub const MAX_TRANSFORM_OUT: usize = 1 << 20;

/// `from_base64` decoding mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum B64Mode {
    /// Stop at the first byte outside the alphabet (Suricata's default).
    Rfc4648,
    /// Skip bytes outside the alphabet (MIME).
    Rfc2045,
    /// Any byte outside the alphabet makes the output empty.
    Strict,
}

/// One transform.
#[derive(Clone, Debug)]
pub enum Transform {
    /// `dotprefix`: prepends a `.` (so `content:".example.com"; endswith;` matches the domain
    /// and its subdomains, not `badexample.com`).
    DotPrefix,
    /// `to_lowercase`.
    ToLowercase,
    /// `to_uppercase`.
    ToUppercase,
    /// `strip_whitespace`: removes every whitespace byte.
    StripWhitespace,
    /// `compress_whitespace`: each run of whitespace becomes its first byte.
    CompressWhitespace,
    /// `url_decode`: `%XX` decoded, `+` to space; malformed escapes kept as they are.
    UrlDecode,
    /// `to_md5`: the 16-byte MD5 digest.
    ToMd5,
    /// `to_sha1`: the 20-byte SHA-1 digest.
    ToSha1,
    /// `to_sha256`: the 32-byte SHA-256 digest.
    ToSha256,
    /// `header_lowercase`: header names (before the first `:` of each line) lowercased.
    HeaderLowercase,
    /// `strip_pseudo_headers`: lines starting with `:` removed (HTTP/2 pseudo headers).
    StripPseudoHeaders,
    /// `xor:"hexkey"`: every byte xored with the repeating key.
    Xor(Vec<u8>),
    /// `pcrexform:"regex"`: the first capture group of the first match (empty without a
    /// match).
    PcreXform(Arc<Regex>),
    /// `from_base64`: decodes from `offset`, at most `bytes` input bytes (0: all).
    FromBase64 {
        /// Bytes skipped first.
        offset: u32,
        /// Most input bytes decoded (0: all).
        bytes: u32,
        /// Decoding mode.
        mode: B64Mode,
    },
}

/// Whether `name` is a transform keyword.
pub fn is_transform(name: &str) -> bool {
    matches!(
        name,
        "dotprefix"
            | "to_lowercase"
            | "to_uppercase"
            | "strip_whitespace"
            | "compress_whitespace"
            | "url_decode"
            | "to_md5"
            | "to_sha1"
            | "to_sha256"
            | "header_lowercase"
            | "strip_pseudo_headers"
            | "xor"
            | "pcrexform"
            | "from_base64"
    )
}

/// Parses transform `name` with its value (Suricata's syntax).
pub fn parse(name: &str, value: Option<&str>, cache: &PcreCache) -> Result<Transform, String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty());
    let none = |t: Transform| match v {
        Some(_) => Err(format!("{name} takes no value")),
        None => Ok(t),
    };
    match name {
        "dotprefix" => none(Transform::DotPrefix),
        "to_lowercase" => none(Transform::ToLowercase),
        "to_uppercase" => none(Transform::ToUppercase),
        "strip_whitespace" => none(Transform::StripWhitespace),
        "compress_whitespace" => none(Transform::CompressWhitespace),
        "url_decode" => none(Transform::UrlDecode),
        "to_md5" => none(Transform::ToMd5),
        "to_sha1" => none(Transform::ToSha1),
        "to_sha256" => none(Transform::ToSha256),
        "header_lowercase" => none(Transform::HeaderLowercase),
        "strip_pseudo_headers" => none(Transform::StripPseudoHeaders),
        "xor" => {
            let v = v.ok_or("xor needs a hex key")?;
            let hex = v.trim_matches('"');
            if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > 510 {
                return Err(format!("xor key '{hex}' must be an even number of hex digits (at most 255 bytes)"));
            }
            let key = (0..hex.len())
                .step_by(2)
                .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| format!("xor key '{hex}' is not hex"))?;
            Ok(Transform::Xor(key))
        }
        "pcrexform" => {
            let v = v.ok_or("pcrexform needs a regex")?;
            let spec = parse_pcre(v).map_err(|e| match e {
                PcreError::Invalid(r) | PcreError::Refused(r) => format!("pcrexform: {r}"),
            })?;
            if spec.relative || spec.negated || spec.buffer_flag.is_some() {
                return Err("pcrexform takes no R, ! or buffer flags".into());
            }
            let re = cache.compile(&spec)?;
            if re.captures_len() < 2 {
                return Err("pcrexform needs a capture group".into());
            }
            Ok(Transform::PcreXform(re))
        }
        "from_base64" => {
            let (mut offset, mut bytes, mut mode) = (0u32, 0u32, B64Mode::Rfc4648);
            for part in v.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (k, val) = part.split_once(|c: char| c == ' ' || c == ':').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((part, ""));
                let num = || val.parse::<u32>().map_err(|_| format!("from_base64: invalid {k} '{val}'"));
                match k {
                    "offset" => offset = num()?,
                    "bytes" => bytes = num()?,
                    "mode" => {
                        mode = match val.to_ascii_lowercase().as_str() {
                            "rfc4648" => B64Mode::Rfc4648,
                            "rfc2045" => B64Mode::Rfc2045,
                            "strict" => B64Mode::Strict,
                            _ => return Err(format!("from_base64: unknown mode '{val}'")),
                        }
                    }
                    _ => return Err(format!("from_base64: unknown option '{k}'")),
                }
            }
            Ok(Transform::FromBase64 { offset, bytes, mode })
        }
        _ => Err(format!("unknown transform {name}")),
    }
}

/// Applies `ts` in order to `input`; the result is in `a` or `b` (returned). Both scratch
/// vectors keep their capacity between calls.
pub fn apply<'s>(ts: &[Transform], input: &[u8], a: &'s mut Vec<u8>, b: &'s mut Vec<u8>) -> &'s [u8] {
    a.clear();
    a.extend_from_slice(&input[..input.len().min(MAX_TRANSFORM_OUT)]);
    for t in ts {
        b.clear();
        one(t, a, b);
        b.truncate(MAX_TRANSFORM_OUT);
        std::mem::swap(a, b);
    }
    a
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn one(t: &Transform, i: &[u8], o: &mut Vec<u8>) {
    match t {
        Transform::DotPrefix => {
            o.push(b'.');
            o.extend_from_slice(i);
        }
        Transform::ToLowercase => o.extend(i.iter().map(u8::to_ascii_lowercase)),
        Transform::ToUppercase => o.extend(i.iter().map(u8::to_ascii_uppercase)),
        Transform::StripWhitespace => o.extend(i.iter().copied().filter(|c| !is_space(*c))),
        Transform::CompressWhitespace => {
            let mut prev_space = false;
            for &c in i {
                let sp = is_space(c);
                if !(sp && prev_space) {
                    o.push(c);
                }
                prev_space = sp;
            }
        }
        Transform::UrlDecode => {
            let mut k = 0;
            while k < i.len() {
                let c = i[k];
                match c {
                    b'%' => match (i.get(k + 1).copied().and_then(hex_val), i.get(k + 2).copied().and_then(hex_val)) {
                        (Some(h), Some(l)) => {
                            o.push(h << 4 | l);
                            k += 3;
                            continue;
                        }
                        _ => o.push(c),
                    },
                    b'+' => o.push(b' '),
                    _ => o.push(c),
                }
                k += 1;
            }
        }
        Transform::ToMd5 => o.extend_from_slice(&md5::Md5::digest(i)),
        Transform::ToSha1 => o.extend_from_slice(&<sha1::Sha1 as sha1::Digest>::digest(i)),
        Transform::ToSha256 => o.extend_from_slice(&<sha2::Sha256 as sha2::Digest>::digest(i)),
        Transform::HeaderLowercase => {
            let mut in_name = true;
            for &c in i {
                if c == b'\n' {
                    in_name = true;
                    o.push(c);
                } else if in_name && c == b':' && o.last().is_some_and(|l| *l != b'\n') {
                    in_name = false;
                    o.push(c);
                } else {
                    o.push(if in_name { c.to_ascii_lowercase() } else { c });
                }
            }
        }
        Transform::StripPseudoHeaders => {
            for line in i.split_inclusive(|c| *c == b'\n') {
                if !line.starts_with(b":") {
                    o.extend_from_slice(line);
                }
            }
        }
        Transform::Xor(key) => {
            if key.is_empty() {
                o.extend_from_slice(i);
            } else {
                o.extend(i.iter().zip(key.iter().cycle()).map(|(c, k)| c ^ k));
            }
        }
        Transform::PcreXform(re) => {
            if let Ok(Some(caps)) = re.captures(i) {
                if let Some(m) = caps.get(1) {
                    o.extend_from_slice(m.as_bytes());
                }
            }
        }
        Transform::FromBase64 { offset, bytes, mode } => {
            let start = (*offset as usize).min(i.len());
            let mut src = &i[start..];
            if *bytes > 0 {
                src = &src[..src.len().min(*bytes as usize)];
            }
            base64_decode(src, *mode, o);
        }
    }
}

/// Base64 in Suricata's three modes. Written here rather than with the `base64` crate: the
/// modes decode a valid prefix (RFC 4648) or skip foreign bytes (RFC 2045), which the crate's
/// engines do not offer.
fn base64_decode(src: &[u8], mode: B64Mode, o: &mut Vec<u8>) {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mark = o.len();
    let (mut acc, mut n) = (0u32, 0u32);
    for &c in src {
        if c == b'=' {
            break;
        }
        match val(c) {
            Some(v) => {
                acc = acc << 6 | v;
                n += 1;
                if n == 4 {
                    o.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                    acc = 0;
                    n = 0;
                }
            }
            None => match mode {
                B64Mode::Rfc2045 => continue,
                B64Mode::Rfc4648 => break,
                B64Mode::Strict => {
                    o.truncate(mark);
                    return;
                }
            },
        }
    }
    match n {
        2 => o.push((acc >> 4) as u8),
        3 => o.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(name: &str, value: Option<&str>, input: &[u8]) -> Vec<u8> {
        let t = parse(name, value, &PcreCache::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        apply(&[t], input, &mut a, &mut b).to_vec()
    }

    #[test]
    fn table() {
        let hex = |s: &str| (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0)).collect::<Vec<u8>>();
        let cases: &[(&str, Option<&str>, &[u8], Vec<u8>)] = &[
            ("dotprefix", None, b"example.com", b".example.com".to_vec()),
            ("to_lowercase", None, b"AbC", b"abc".to_vec()),
            ("to_uppercase", None, b"AbC", b"ABC".to_vec()),
            ("strip_whitespace", None, b" a \tb\r\n", b"ab".to_vec()),
            ("compress_whitespace", None, b"a  \t b", b"a b".to_vec()),
            ("url_decode", None, b"%41+b%2x%", b"A b%2x%".to_vec()),
            ("to_md5", None, b"abc", hex("900150983cd24fb0d6963f7d28e17f72")),
            ("to_sha1", None, b"abc", hex("a9993e364706816aba3e25717850c26c9cd0d89d")),
            ("to_sha256", None, b"abc", hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
            ("header_lowercase", None, b"Host: A:B\r\nX-Y: Z\r\n", b"host: A:B\r\nx-y: Z\r\n".to_vec()),
            ("strip_pseudo_headers", None, b":path: /\r\nhost: a\r\n", b"host: a\r\n".to_vec()),
            ("xor", Some("\"0102\""), b"\x01\x02\x03", b"\x00\x00\x02".to_vec()),
            ("pcrexform", Some("\"/id=([0-9]+)/\""), b"x?id=42&y", b"42".to_vec()),
            ("from_base64", None, b"aGVsbG8=", b"hello".to_vec()),
            ("from_base64", Some("offset 2, mode rfc4648"), b"xxaGVsbG8", b"hello".to_vec()),
            ("from_base64", Some("bytes 4"), b"aGVsbG8=", b"hel".to_vec()),
            ("from_base64", Some("mode rfc2045"), b"aGV\r\nsbG8", b"hello".to_vec()),
            ("from_base64", Some("mode strict"), b"aGV\r\nsbG8", b"".to_vec()),
        ];
        for (name, v, input, want) in cases {
            assert_eq!(&run(name, *v, input), want, "{name} {v:?}");
        }
    }

    #[test]
    fn chains_apply_in_order() {
        let c = PcreCache::default();
        let ts = [parse("url_decode", None, &c).expect("t"), parse("to_lowercase", None, &c).expect("t"), parse("dotprefix", None, &c).expect("t")];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        assert_eq!(apply(&ts, b"%41B.com", &mut a, &mut b), b".ab.com");
    }

    #[test]
    fn bad_values_are_errors() {
        let c = PcreCache::default();
        for (n, v) in [("xor", Some("\"0g\"")), ("xor", Some("\"123\"")), ("xor", None), ("to_md5", Some("x")), ("pcrexform", Some("\"/abc/\"")), ("from_base64", Some("mode x"))] {
            assert!(parse(n, v, &c).is_err(), "{n} {v:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(input in proptest::collection::vec(any::<u8>(), 0..512)) {
            let c = PcreCache::default();
            for name in ["dotprefix", "to_lowercase", "strip_whitespace", "compress_whitespace", "url_decode", "to_sha256", "header_lowercase", "strip_pseudo_headers", "from_base64"] {
                let t = parse(name, None, &c).expect("t");
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let out = apply(&[t], &input, &mut a, &mut b);
                prop_assert!(out.len() <= input.len() + 32);
            }
        }
    }
}
