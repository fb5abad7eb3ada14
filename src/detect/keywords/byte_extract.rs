//! `byte_extract` plus the number extraction shared by byte_test, byte_jump and byte_math.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#byte-extract>

use super::content::{parse_val, Val};

/// Byte order of a binary extraction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Network order (the default).
    #[default]
    Big,
    /// Little endian.
    Little,
}

/// Base of a string extraction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// `oct`
    Oct,
    /// `dec`
    Dec,
    /// `hex`
    Hex,
}

impl Base {
    fn radix(self) -> u32 {
        match self {
            Base::Oct => 8,
            Base::Dec => 10,
            Base::Hex => 16,
        }
    }
    /// Most characters Suricata extracts in this base.
    pub fn max_len(self) -> u8 {
        match self {
            Base::Oct => 23,
            Base::Dec => 20,
            Base::Hex => 14,
        }
    }
}

/// How to read a number out of the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NumSpec {
    /// Bytes read.
    pub nbytes: u8,
    /// Binary byte order.
    pub endian: Endian,
    /// `string,<base>`: ASCII digits instead of binary.
    pub string: Option<Base>,
}

impl NumSpec {
    /// Reads the number from exactly `b` (which must be `nbytes` long). `None`: not a number.
    pub fn read(&self, b: &[u8]) -> Option<u64> {
        match self.string {
            None => {
                let mut v: u64 = 0;
                match self.endian {
                    Endian::Big => b.iter().for_each(|x| v = v << 8 | *x as u64),
                    Endian::Little => b.iter().rev().for_each(|x| v = v << 8 | *x as u64),
                }
                Some(v)
            }
            Some(base) => {
                // strtoull semantics on the extracted bytes: leading space, optional '+',
                // optional 0x for hex, then the longest run of digits (at least one).
                let mut i = 0;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) == Some(&b'+') {
                    i += 1;
                }
                if base == Base::Hex && b.len() > i + 2 && b[i] == b'0' && (b[i + 1] | 0x20) == b'x' && (b[i + 2] as char).is_ascii_hexdigit() {
                    i += 2;
                }
                let mut v: u64 = 0;
                let mut n = 0;
                while let Some(d) = b.get(i).and_then(|c| (*c as char).to_digit(base.radix())) {
                    v = v.checked_mul(base.radix() as u64)?.checked_add(d as u64)?;
                    i += 1;
                    n += 1;
                }
                (n > 0).then_some(v)
            }
        }
    }
}

/// Start of an extraction: `offset` from the buffer start, or from `cur` when relative.
/// `None` when the `nbytes` at that position are not all inside the buffer.
pub fn locate(buf_len: usize, cur: usize, relative: bool, offset: i64, nbytes: usize) -> Option<usize> {
    let base = if relative { cur as i64 } else { 0 };
    let start = base.checked_add(offset)?;
    if start < 0 {
        return None;
    }
    let start = start as usize;
    (start.checked_add(nbytes)? <= buf_len).then_some(start)
}

/// Applies a bitmask the Suricata way: mask, then shift right by the mask's trailing zeros.
pub fn apply_mask(v: u64, mask: Option<u32>) -> u64 {
    match mask {
        Some(m) if m != 0 => (v & m as u64) >> m.trailing_zeros(),
        Some(_) => 0,
        None => v,
    }
}

/// Parses the nbytes field for `string` or binary extraction.
pub fn check_nbytes(nbytes: u8, string: Option<Base>) -> Result<(), String> {
    if nbytes == 0 {
        return Err("nbytes 0 (read to a delimiter) not supported yet".into());
    }
    match string {
        None if nbytes > 8 => Err(format!("nbytes {nbytes} must be 1..8 without 'string'")),
        Some(b) if nbytes > b.max_len() => Err(format!("nbytes {nbytes} too large for string extraction")),
        _ => Ok(()),
    }
}

/// Splits a keyword value on commas, trimming each part.
pub fn split_args(v: &str) -> Vec<&str> {
    v.split(',').map(str::trim).collect()
}

/// Parses a bitmask value (`0x..` hex or decimal).
pub fn parse_bitmask(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse::<u32>(),
    };
    r.map_err(|_| format!("invalid bitmask '{s}'"))
}

/// Parses `string` + base words shared by the byte_* keywords; returns true if consumed.
pub fn take_common(word: &str, endian: &mut Endian, string: &mut Option<Base>, saw_string: &mut bool) -> Result<bool, String> {
    match word {
        "big" => *endian = Endian::Big,
        "little" => *endian = Endian::Little,
        "string" => {
            *saw_string = true;
            if string.is_none() {
                *string = Some(Base::Dec);
            }
        }
        "hex" => *string = Some(Base::Hex),
        "dec" => *string = Some(Base::Dec),
        "oct" => *string = Some(Base::Oct),
        "dce" => return Err("dce option needs the DCERPC app-layer".into()),
        _ => return Ok(false),
    }
    Ok(true)
}

/// A compiled `byte_extract`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteExtract {
    /// How to read.
    pub num: NumSpec,
    /// Offset.
    pub offset: i64,
    /// `relative`.
    pub relative: bool,
    /// `multiplier`.
    pub multiplier: u64,
    /// `align` (2 or 4), 0 if none.
    pub align: u64,
    /// `bitmask`.
    pub bitmask: Option<u32>,
    /// Destination variable slot.
    pub slot: u8,
}

/// Parses `nbytes, offset, name [, options]`; the caller allocates the slot for `name`.
/// Returns the keyword and the variable name.
pub fn parse_byte_extract(v: &str, slot_for: &mut dyn FnMut(&str) -> Result<u8, String>) -> Result<ByteExtract, String> {
    let a = split_args(v);
    if a.len() < 3 {
        return Err("byte_extract needs nbytes, offset and a variable name".into());
    }
    let nbytes: u8 = a[0].parse().map_err(|_| format!("invalid nbytes '{}'", a[0]))?;
    let offset: i64 = a[1].parse().map_err(|_| format!("invalid offset '{}'", a[1]))?;
    if !(-65535..=65535).contains(&offset) {
        return Err("offset out of range".into());
    }
    let name = a[2];
    if name.is_empty() || name.parse::<i64>().is_ok() {
        return Err(format!("invalid variable name '{name}'"));
    }
    let (mut endian, mut string, mut saw_string) = (Endian::Big, None, false);
    let (mut relative, mut multiplier, mut align, mut bitmask) = (false, 1u64, 0u64, None);
    for w in &a[3..] {
        if take_common(w, &mut endian, &mut string, &mut saw_string)? {
            continue;
        }
        let mut it = w.split_whitespace();
        match (it.next(), it.next()) {
            (Some("relative"), None) => relative = true,
            (Some("multiplier"), Some(m)) => multiplier = m.parse().ok().filter(|m| (1..=65535).contains(m)).ok_or_else(|| format!("invalid multiplier '{m}'"))?,
            (Some("align"), Some(al)) => align = al.parse().ok().filter(|x| *x == 2 || *x == 4).ok_or_else(|| format!("invalid align '{al}'"))?,
            (Some("bitmask"), Some(m)) => bitmask = Some(parse_bitmask(m)?),
            _ => return Err(format!("unknown byte_extract option '{w}'")),
        }
    }
    if !saw_string && string.is_some() {
        return Err("base given without 'string'".into());
    }
    check_nbytes(nbytes, string)?;
    let slot = slot_for(name)?;
    Ok(ByteExtract { num: NumSpec { nbytes, endian, string }, offset, relative, multiplier, align, bitmask, slot })
}

impl ByteExtract {
    /// Runs the extraction at cursor `cur`: the value and the new cursor (after the bytes read).
    pub fn run(&self, buf: &[u8], cur: usize) -> Option<(u64, usize)> {
        let n = self.num.nbytes as usize;
        let start = locate(buf.len(), cur, self.relative, self.offset, n)?;
        let mut v = apply_mask(self.num.read(buf.get(start..start + n)?)?, self.bitmask);
        v = v.wrapping_mul(self.multiplier);
        if self.align != 0 && v % self.align != 0 {
            v = v.wrapping_add(self.align - v % self.align);
        }
        Some((v, start + n))
    }
}

/// Resolver used by parsers for values that may name a variable.
pub fn val(s: &str, min: i64, max: i64, var: &dyn Fn(&str) -> Option<u8>) -> Result<Val, String> {
    parse_val(s, min, max, var)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_table() {
        let cases: &[(&str, NumSpec, &[u8], Option<u64>)] = &[
            ("be2", NumSpec { nbytes: 2, endian: Endian::Big, string: None }, &[0x01, 0x02], Some(0x0102)),
            ("le2", NumSpec { nbytes: 2, endian: Endian::Little, string: None }, &[0x01, 0x02], Some(0x0201)),
            ("dec", NumSpec { nbytes: 3, endian: Endian::Big, string: Some(Base::Dec) }, b"123", Some(123)),
            ("dec_trailing_junk", NumSpec { nbytes: 3, endian: Endian::Big, string: Some(Base::Dec) }, b"12x", Some(12)),
            ("dec_none", NumSpec { nbytes: 3, endian: Endian::Big, string: Some(Base::Dec) }, b"x12", None),
            ("hex", NumSpec { nbytes: 2, endian: Endian::Big, string: Some(Base::Hex) }, b"fF", Some(255)),
            ("hex_0x", NumSpec { nbytes: 4, endian: Endian::Big, string: Some(Base::Hex) }, b"0x1f", Some(31)),
            ("oct", NumSpec { nbytes: 3, endian: Endian::Big, string: Some(Base::Oct) }, b"017", Some(15)),
            ("space", NumSpec { nbytes: 3, endian: Endian::Big, string: Some(Base::Dec) }, b" 42", Some(42)),
        ];
        for (name, spec, b, want) in cases {
            assert_eq!(spec.read(b), *want, "case {name}");
        }
    }

    #[test]
    fn extract_align_and_cursor() {
        let mut slot = |_: &str| Ok(0u8);
        let e = parse_byte_extract("1, 1, len, relative, align 4", &mut slot).unwrap();
        assert_eq!(e.run(&[9, 9, 5, 0], 1), Some((8, 3)));
        assert_eq!(e.run(&[9, 9], 1), None);
        assert!(parse_byte_extract("1, 0, x, dce", &mut slot).is_err());
        assert!(parse_byte_extract("9, 0, x", &mut slot).is_err());
        assert!(parse_byte_extract("2, 0, x, string, hex", &mut slot).is_ok());
    }

    #[test]
    fn mask_shifts() {
        assert_eq!(apply_mask(0xABCD, Some(0x0FF0)), 0xBC);
        assert_eq!(apply_mask(0xABCD, None), 0xABCD);
    }
}
