//! `byte_jump`: read a number and move the inspection cursor by it.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#byte-jump>

use super::byte_extract::{apply_mask, check_nbytes, locate, parse_bitmask, split_args, take_common, val, Endian, NumSpec};
use super::content::Val;

/// A compiled `byte_jump`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteJump {
    /// How to read.
    pub num: NumSpec,
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

/// Parses `nbytes, offset [, options]`.
pub fn parse_byte_jump(v: &str, var: &dyn Fn(&str) -> Option<u8>) -> Result<ByteJump, String> {
    let a = split_args(v);
    if a.len() < 2 {
        return Err("byte_jump needs nbytes and offset".into());
    }
    let nbytes: u8 = a[0].parse().map_err(|_| format!("invalid nbytes '{}'", a[0]))?;
    let offset = val(a[1], -65535, 65535, var)?;
    let (mut endian, mut string, mut saw_string) = (Endian::Big, None, false);
    let mut j = ByteJump { num: NumSpec { nbytes, endian, string }, offset, relative: false, multiplier: 1, align: false, from_beginning: false, from_end: false, post_offset: 0, bitmask: None };
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
    check_nbytes(nbytes, string)?;
    j.num = NumSpec { nbytes, endian, string };
    Ok(j)
}

impl ByteJump {
    /// The new cursor, or `None` (no match) when the read or the jump leaves the buffer.
    pub fn run(&self, buf: &[u8], cur: usize, vars: &[u64]) -> Option<usize> {
        let n = self.num.nbytes as usize;
        let start = locate(buf.len(), cur, self.relative, self.offset.get(vars), n)?;
        let mut v = apply_mask(self.num.read(buf.get(start..start + n)?)?, self.bitmask);
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
        if target < 0 || target > buf.len() as i64 {
            return None;
        }
        Some(target as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("to_end", "1, 0, post_offset 6", 0, Some(9)),
            ("before_start", "1, 0, from_beginning, post_offset -3", 0, None),
        ];
        for (name, spec, cur, want) in cases {
            let j = parse_byte_jump(spec, &none).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(j.run(buf, *cur, &[]), *want, "case {name}");
        }
        assert!(parse_byte_jump("1, 0, dce", &none).is_err());
        assert!(parse_byte_jump("1, 0, from_end, from_beginning", &none).is_err());
    }
}
