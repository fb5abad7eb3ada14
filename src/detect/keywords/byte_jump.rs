//! `byte_jump`: read a number and move the inspection cursor by it.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#byte-jump>

use super::byte_extract::{apply_mask, check_nbytes, locate, parse_bitmask, split_args, take_common, val, Endian, NumSpec};
use super::content::Val;

/// A compiled `byte_jump`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteJump {
    /// How to read. `num.nbytes` 0 reads nothing: binary it is the value 0 (a pure
    /// `post_offset` move, as Suricata), as a string it never matches (no digits).
    pub num: NumSpec,
    /// nbytes taken from a byte_extract/byte_math variable slot at match time.
    pub nbytes_var: Option<u8>,
    /// Offset.
    pub offset: Val,
    /// `relative`.
    pub relative: bool,
    /// `multiplier`.
    pub multiplier: u64,
    /// `align`: round the jump up to a multiple of 4.
    pub align: bool,
    /// `from_beginning`.
    pub from_beginning: bool,
    /// `from_end`.
    pub from_end: bool,
    /// `post_offset`.
    pub post_offset: i64,
    /// `bitmask`.
    pub bitmask: Option<u32>,
}

/// Most digits a string number may have (Suricata: octal with one leading zero fits u64).
pub const MAX_STRING_NBYTES: u64 = 23;

/// Parses `nbytes, offset [, options]` (nbytes may name a byte_extract/byte_math variable).
pub fn parse_byte_jump(v: &str, var: &dyn Fn(&str) -> Option<u8>) -> Result<ByteJump, String> {
    let a = split_args(v);
    if a.len() < 2 {
        return Err("byte_jump needs nbytes and offset".into());
    }
    let (nbytes, nbytes_var) = if a[0].starts_with(|c: char| c.is_ascii_alphabetic()) {
        (0u8, Some(var(a[0]).ok_or_else(|| format!("unknown variable '{}' for nbytes", a[0]))?))
    } else {
        (a[0].parse::<u8>().map_err(|_| format!("invalid nbytes '{}'", a[0]))?, None)
    };
    let offset = val(a[1], -65535, 65535, var)?;
    let (mut endian, mut string, mut saw_string) = (Endian::Big, None, false);
    let mut j = ByteJump { num: NumSpec { nbytes, endian, string }, nbytes_var, offset, relative: false, multiplier: 1, align: false, from_beginning: false, from_end: false, post_offset: 0, bitmask: None };
    for w in &a[2..] {
        if take_common(w, &mut endian, &mut string, &mut saw_string)? {
            continue;
        }
        let mut it = w.split_whitespace();
        match (it.next(), it.next()) {
            (Some("relative"), None) => j.relative = true,
            (Some("align"), None) => j.align = true,
            (Some("from_beginning"), None) => j.from_beginning = true,
            (Some("from_end"), None) => j.from_end = true,
            (Some("multiplier"), Some(m)) => j.multiplier = m.parse().ok().filter(|m| (1..=65535).contains(m)).ok_or_else(|| format!("invalid multiplier '{m}'"))?,
            (Some("post_offset"), Some(p)) => j.post_offset = p.parse().ok().filter(|p: &i64| p.abs() <= 65535).ok_or_else(|| format!("invalid post_offset '{p}'"))?,
            (Some("bitmask"), Some(m)) => j.bitmask = Some(parse_bitmask(m)?),
            _ => return Err(format!("unknown byte_jump option '{w}'")),
        }
    }
    if j.from_beginning && j.from_end {
        return Err("from_beginning and from_end together".into());
    }
    if nbytes_var.is_none() && nbytes != 0 {
        check_nbytes(nbytes, string)?;
    }
    j.num = NumSpec { nbytes, endian, string };
    Ok(j)
}

impl ByteJump {
    /// The new cursor, or `None` (no match) when the read or the jump leaves the buffer.
    pub fn run(&self, buf: &[u8], cur: usize, vars: &[u64]) -> Option<usize> {
        let n = match self.nbytes_var {
            None => self.num.nbytes as usize,
            Some(slot) => {
                let n = *vars.get(slot as usize)?;
                let max = if self.num.string.is_some() { MAX_STRING_NBYTES } else { 8 };
                if n > max {
                    return None;
                }
                n as usize
            }
        };
        if n == 0 && self.num.string.is_some() {
            return None;
        }
        let start = locate(buf.len(), cur, self.relative, self.offset.get(vars), n)?;
        if self.relative && start >= buf.len() {
            // Suricata: nothing left after the relative base is no match.
            return None;
        }
        let spec = NumSpec { nbytes: n as u8, ..self.num };
        let raw = if n == 0 { 0 } else { spec.read(buf.get(start..start + n)?)? };
        let mut v = apply_mask(raw, self.bitmask);
        v = v.checked_mul(self.multiplier)?;
        if self.align && v % 4 != 0 {
            v = v.checked_add(4 - v % 4)?;
        }
        let v = i64::try_from(v).ok()?;
        let base = if self.from_beginning {
            0
        } else if self.from_end {
            buf.len() as i64
        } else {
            (start + n) as i64
        };
        let target = base.checked_add(v)?.checked_add(self.post_offset)?;
        // Suricata: a jump before the buffer start lands on the start; at or past the end
        // does not match (an empty remainder leaves nothing to inspect).
        if target >= buf.len() as i64 {
            return None;
        }
        Some(target.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nbytes_from_variable() {
        let look = |n: &str| (n == "len").then_some(0u8);
        let j = parse_byte_jump("len, 0", &look).unwrap();
        let buf = b"\x02xxABCDEF";
        assert_eq!(j.run(buf, 0, &[1]), Some(3), "1 byte read -> jump 2 past it");
        assert_eq!(j.run(buf, 0, &[0]), Some(0), "zero binary bytes read the value 0");
        assert_eq!(j.run(buf, 0, &[9]), None, "more than 8 binary bytes never match");
    }

    #[test]
    fn table() {
        let none = |_: &str| None;
        let buf = b"\x02xxABCDEF";
        let cases: &[(&str, &str, usize, Option<usize>)] = &[
            ("simple", "1, 0", 0, Some(3)),
            ("relative", "1, -1, relative", 1, Some(3)),
            ("multiplier", "1, 0, multiplier 2", 0, Some(5)),
            ("align", "1, 0, align", 0, Some(5)),
            ("from_beginning", "1, 0, from_beginning", 0, Some(2)),
            ("from_end", "1, 0, from_end, post_offset -4", 0, Some(7)),
            ("post_offset", "1, 0, post_offset 1", 0, Some(4)),
            ("past_end", "1, 0, multiplier 100", 0, None),
            ("to_end_is_no_match", "1, 0, post_offset 6", 0, None),
            ("before_start_clamps", "1, 0, from_beginning, post_offset -3", 0, Some(0)),
            ("nbytes_zero_string_never_matches", "0, 0, string, dec", 0, None),
            ("nbytes_zero_binary_moves_by_post_offset", "0, 0, relative, post_offset -1", 3, Some(2)),
        ];
        for (name, spec, cur, want) in cases {
            let j = parse_byte_jump(spec, &none).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(j.run(buf, *cur, &[]), *want, "case {name}");
        }
        assert!(parse_byte_jump("1, 0, dce", &none).is_err());
        assert!(parse_byte_jump("n, 0", &none).is_err(), "unknown nbytes variable");
        assert!(parse_byte_jump("1, 0, from_end, from_beginning", &none).is_err());
    }
}
