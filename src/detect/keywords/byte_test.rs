//! `byte_test`: compare a number read from the buffer.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#byte-test>

use super::byte_extract::{apply_mask, check_nbytes, locate, parse_bitmask, split_args, take_common, val, Endian, NumSpec};
use super::content::Val;

/// Comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `=`
    Eq,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `&`: any bit of the value set
    And,
    /// `^`: xor non-zero
    Xor,
}

/// A compiled `byte_test`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteTest {
    /// How to read.
    pub num: NumSpec,
    /// Operator.
    pub op: Op,
    /// `!op`.
    pub negated: bool,
    /// Compared value.
    pub value: Val,
    /// Offset.
    pub offset: Val,
    /// `relative`.
    pub relative: bool,
    /// `bitmask`.
    pub bitmask: Option<u32>,
}

/// Parses `nbytes, [!]op, value, offset [, relative] [, big|little] [, string, base] [, bitmask N]`.
pub fn parse_byte_test(v: &str, var: &dyn Fn(&str) -> Option<u8>) -> Result<ByteTest, String> {
    let a = split_args(v);
    if a.len() < 4 {
        return Err("byte_test needs nbytes, operator, value and offset".into());
    }
    let nbytes: u8 = a[0].parse().map_err(|_| format!("invalid nbytes '{}'", a[0]))?;
    let (negated, ops) = match a[1].strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, a[1]),
    };
    let op = match ops {
        "<" => Op::Lt,
        ">" => Op::Gt,
        "=" => Op::Eq,
        "" if negated => Op::Eq, // "!" alone means "!="
        "<=" => Op::Le,
        ">=" => Op::Ge,
        "&" => Op::And,
        "^" => Op::Xor,
        _ => return Err(format!("invalid byte_test operator '{}'", a[1])),
    };
    let value = val(a[2], 0, u64::MAX as i64 & i64::MAX, var)?;
    // Suricata parses the byte_test offset as an i32 (out-of-buffer offsets never match).
    let offset = val(a[3], i32::MIN as i64, i32::MAX as i64, var)?;
    let (mut endian, mut string, mut saw_string) = (Endian::Big, None, false);
    let (mut relative, mut bitmask) = (false, None);
    for w in &a[4..] {
        if take_common(w, &mut endian, &mut string, &mut saw_string)? {
            continue;
        }
        let mut it = w.split_whitespace();
        match (it.next(), it.next()) {
            (Some("relative"), None) => relative = true,
            (Some("bitmask"), Some(m)) => bitmask = Some(parse_bitmask(m)?),
            _ => return Err(format!("unknown byte_test option '{w}'")),
        }
    }
    check_nbytes(nbytes, string)?;
    Ok(ByteTest { num: NumSpec { nbytes, endian, string }, op, negated, value, offset, relative, bitmask })
}

impl ByteTest {
    /// Evaluates at cursor `cur` (the cursor does not move).
    pub fn matches(&self, buf: &[u8], cur: usize, vars: &[u64]) -> bool {
        let n = self.num.nbytes as usize;
        let Some(start) = locate(buf.len(), cur, self.relative, self.offset.get(vars), n) else { return false };
        let Some(raw) = buf.get(start..start + n).and_then(|b| self.num.read(b)) else { return false };
        let x = apply_mask(raw, self.bitmask);
        let v = self.value.get(vars) as u64;
        let r = match self.op {
            Op::Lt => x < v,
            Op::Gt => x > v,
            Op::Eq => x == v,
            Op::Le => x <= v,
            Op::Ge => x >= v,
            Op::And => x & v != 0,
            Op::Xor => x ^ v != 0,
        };
        r != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let none = |_: &str| None;
        let buf = b"\x00\x10AB 123";
        let cases: &[(&str, &str, usize, bool)] = &[
            ("gt", "2, >, 15, 0", 0, true),
            ("eq", "2, =, 16, 0", 0, true),
            ("neq", "2, !=, 16, 0", 0, false),
            ("and", "1, &, 16, 1", 0, true),
            ("le_little", "2, <=, 4096, 0, little", 0, true),
            ("relative_hex_value", "1, =, 0x41, 1, relative", 2, false),
            ("relative_ok", "1, =, 66, 1, relative", 2, true),
            ("string_dec", "3, =, 123, 5, string, dec", 0, true),
            ("out_of_bounds", "4, >, 0, 6", 0, false),
            ("negative_rel", "1, =, 65, -1, relative", 3, true),
            ("bitmask", "2, =, 1, 0, bitmask 0x0010", 0, true),
        ];
        for (name, spec, cur, want) in cases {
            let t = parse_byte_test(spec, &none).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(t.matches(buf, *cur, &[]), *want, "case {name}");
        }
        assert!(parse_byte_test("2, ~, 1, 0", &none).is_err());
        assert!(parse_byte_test("2, =, 1, 0, dce", &none).is_err());
        let var = |s: &str| (s == "len").then_some(0u8);
        let t = parse_byte_test("1, =, len, 1", &var).unwrap();
        assert!(t.matches(buf, 0, &[0x10]));
    }
}
