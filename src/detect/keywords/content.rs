//! `content` and its modifiers (nocase, depth, offset, distance, within, startswith, endswith,
//! fast_pattern, rawbytes): pattern parsing and the single-pattern search.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#content>

/// A numeric modifier value: a literal or a `byte_extract`/`byte_math` variable (by slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Val {
    /// A literal number.
    Lit(i64),
    /// A variable slot filled by an earlier byte_extract / byte_math.
    Var(u8),
}

impl Val {
    /// Resolves the value against the current variable slots.
    pub fn get(self, vars: &[u64]) -> i64 {
        match self {
            Val::Lit(v) => v,
            Val::Var(i) => vars.get(i as usize).copied().unwrap_or(0) as i64,
        }
    }
}

/// Parses a modifier value: an integer in `min..=max` or a known variable name.
pub fn parse_val(s: &str, min: i64, max: i64, var: &dyn Fn(&str) -> Option<u8>) -> Result<Val, String> {
    let s = s.trim();
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok(),
        None => s.parse::<i64>().ok(),
    };
    if let Some(v) = parsed {
        if v < min || v > max {
            return Err(format!("value {v} out of range {min}..{max}"));
        }
        return Ok(Val::Lit(v));
    }
    match var(s) {
        Some(i) => Ok(Val::Var(i)),
        None => Err(format!("invalid value or unknown variable '{s}'")),
    }
}

/// `fast_pattern` settings of a content.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FastPattern {
    /// Not given.
    #[default]
    None,
    /// `fast_pattern` (or `fast_pattern:only`).
    Whole,
    /// `fast_pattern:offset,length`: only that slice goes to the prefilter.
    Chop(u16, u16),
}

/// A compiled content match.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Content {
    /// The bytes searched for.
    pub pattern: Vec<u8>,
    /// `!"..."`.
    pub negated: bool,
    /// `nocase`.
    pub nocase: bool,
    /// `depth`.
    pub depth: Option<Val>,
    /// `offset`.
    pub offset: Option<Val>,
    /// `distance`.
    pub distance: Option<Val>,
    /// `within`.
    pub within: Option<Val>,
    /// `endswith`.
    pub endswith: bool,
    /// `fast_pattern`.
    pub fast_pattern: FastPattern,
}

impl Content {
    /// A plain content over `pattern`.
    pub fn new(pattern: Vec<u8>, negated: bool) -> Content {
        Content {
            pattern,
            negated,
            nocase: false,
            depth: None,
            offset: None,
            distance: None,
            within: None,
            endswith: false,
            fast_pattern: FastPattern::None,
        }
    }

    /// Whether the content is relative to the previous match (distance or within).
    pub fn is_relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }

    /// The bytes that go to the prefilter (honouring `fast_pattern:o,l`).
    pub fn fast_bytes(&self) -> &[u8] {
        match self.fast_pattern {
            FastPattern::Chop(o, l) => {
                let (o, l) = (o as usize, l as usize);
                self.pattern.get(o..o.saturating_add(l)).unwrap_or(&self.pattern)
            }
            _ => &self.pattern,
        }
    }
}

/// Largest content accepted, as Suricata's 64 KiB signature option limit.
pub const MAX_CONTENT_LEN: usize = 65_535;

/// Parses a content value: optional `!`, a double-quoted string with `|hex|` segments and
/// `\"` `\\` `\;` `\:` escapes. Returns (bytes, negated).
pub fn parse_content(value: &str) -> Result<(Vec<u8>, bool), String> {
    let mut s = value.trim();
    let mut negated = false;
    if let Some(rest) = s.strip_prefix('!') {
        negated = true;
        s = rest.trim_start();
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(|| "content must be a double-quoted string".to_string())?;
    let b = inner.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_hex = false;
    let mut nib: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if in_hex {
            match c {
                b'|' => {
                    if nib.is_some() {
                        return Err("odd number of hex digits in content".into());
                    }
                    in_hex = false;
                }
                b' ' | b'\t' => {
                    if nib.is_some() {
                        return Err("space inside a hex byte in content".into());
                    }
                }
                _ => {
                    let d = (c as char).to_digit(16).ok_or_else(|| format!("invalid hex character '{}' in content", c as char))? as u8;
                    match nib.take() {
                        Some(h) => out.push(h << 4 | d),
                        None => nib = Some(d),
                    }
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'|' => in_hex = true,
            b'\\' => {
                let n = *b.get(i + 1).ok_or_else(|| "content ends with a backslash".to_string())?;
                match n {
                    b'\\' | b'"' | b';' | b':' => out.push(n),
                    _ => return Err(format!("invalid escape '\\{}' in content", n as char)),
                }
                i += 1;
            }
            b'"' => return Err("unescaped '\"' in content".into()),
            b';' => return Err("unescaped ';' in content".into()),
            _ => out.push(c),
        }
        i += 1;
    }
    if in_hex {
        return Err("unterminated hex segment in content".into());
    }
    if out.is_empty() {
        return Err("empty content".into());
    }
    if out.len() > MAX_CONTENT_LEN {
        return Err("content too long".into());
    }
    Ok((out, negated))
}

/// Finds `needle` in `hay`; with `nocase` ASCII letters compare case-insensitively.
pub fn find(hay: &[u8], needle: &[u8], nocase: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    if !nocase {
        return memchr::memmem::find(hay, needle);
    }
    let first = needle[0];
    let (a, b) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = hay.len() - needle.len();
    let mut pos = 0;
    while pos <= last_start {
        let idx = memchr::memchr2(a, b, &hay[pos..=last_start])?;
        let at = pos + idx;
        if hay[at..at + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, &str, Option<(&[u8], bool)>)] = &[
            ("plain", "\"abc\"", Some((b"abc", false))),
            ("negated", "!\"abc\"", Some((b"abc", true))),
            ("negated_space", "! \"abc\"", Some((b"abc", true))),
            ("hex", "\"|41 42|C\"", Some((b"ABC", false))),
            ("hex_nospace", "\"a|0d0a|b\"", Some((b"a\r\nb", false))),
            ("escapes", r#""a\;b\"c\\d\:e""#, Some((b"a;b\"c\\d:e", false))),
            ("unquoted", "abc", None),
            ("odd_hex", "\"|414|\"", None),
            ("bad_hex", "\"|4G|\"", None),
            ("unterminated_hex", "\"|41\"", None),
            ("bad_escape", r#""a\nb""#, None),
            ("empty", "\"\"", None),
            ("bare_semicolon", "\"a;b\"", None),
        ];
        for (name, input, want) in cases {
            let got = parse_content(input).ok();
            let got = got.as_ref().map(|(v, n)| (v.as_slice(), *n));
            assert_eq!(got, *want, "case {name}");
        }
    }

    #[test]
    fn find_table() {
        let cases: &[(&str, &[u8], &[u8], bool, Option<usize>)] = &[
            ("cs_hit", b"xxabcxx", b"abc", false, Some(2)),
            ("cs_miss_case", b"xxABCxx", b"abc", false, None),
            ("nocase_hit", b"xxABcxx", b"abC", true, Some(2)),
            ("nocase_first_later", b"aaAb", b"ab", true, Some(2)),
            ("too_long", b"ab", b"abc", true, None),
            ("at_end", b"xyzab", b"AB", true, Some(3)),
        ];
        for (name, hay, needle, nocase, want) in cases {
            assert_eq!(find(hay, needle, *nocase), *want, "case {name}");
        }
    }
}
