//! `byte_math`: read a number, combine it with a value, store the result in a variable.
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#byte-math>

use super::byte_extract::{apply_mask, check_nbytes, locate, parse_bitmask, split_args, val, Base, Endian, NumSpec};
use super::content::Val;

/// Arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

/// A compiled `byte_math`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ByteMath {
    /// How to read.
    pub num: NumSpec,
    /// `bytes` taken from a byte_extract/byte_math variable slot at match time.
    pub nbytes_var: Option<u8>,
    /// Offset.
    pub offset: Val,
    /// Operator.
    pub op: MathOp,
    /// Right operand.
    pub rvalue: Val,
    /// `relative`.
    pub relative: bool,
    /// `bitmask`.
    pub bitmask: Option<u32>,
    /// Result variable slot.
    pub slot: u8,
}

/// Parses `bytes N, offset N, oper OP, rvalue V, result NAME [, relative] [, endian E] [, string B] [, bitmask M]`.
pub fn parse_byte_math(v: &str, var: &dyn Fn(&str) -> Option<u8>, slot_for: &mut dyn FnMut(&str) -> Result<u8, String>) -> Result<ByteMath, String> {
    let (mut nbytes, mut offset, mut op, mut rvalue, mut result) = (None, None, None, None, None);
    let mut nbytes_var = None;
    let (mut relative, mut endian, mut string, mut bitmask) = (false, Endian::Big, None, None);
    for w in split_args(v) {
        let mut it = w.splitn(2, char::is_whitespace);
        let (k, arg) = (it.next().unwrap_or(""), it.next().map(str::trim));
        match (k, arg) {
            ("bytes", Some(b)) if b.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                nbytes_var = Some(var(b).ok_or_else(|| format!("unknown variable '{b}' for bytes"))?);
                nbytes = Some(0);
            }
            ("bytes", Some(b)) => nbytes = Some(b.parse::<u8>().map_err(|_| format!("invalid bytes '{b}'"))?),
            ("offset", Some(o)) => offset = Some(val(o, -65535, 65535, var)?),
            ("oper", Some(o)) => {
                op = Some(match o {
                    "+" => MathOp::Add,
                    "-" => MathOp::Sub,
                    "*" => MathOp::Mul,
                    "/" => MathOp::Div,
                    "<<" => MathOp::Shl,
                    ">>" => MathOp::Shr,
                    _ => return Err(format!("invalid oper '{o}'")),
                })
            }
            ("rvalue", Some(r)) => rvalue = Some(val(r, 0, u32::MAX as i64, var)?),
            ("result", Some(r)) => result = Some(r.to_string()),
            ("relative", None) => relative = true,
            ("endian", Some("big")) => endian = Endian::Big,
            ("endian", Some("little")) => endian = Endian::Little,
            ("endian", Some("dce")) | ("dce", None) => return Err("dce option needs the DCERPC app-layer".into()),
            ("string", Some(b)) => {
                string = Some(match b {
                    "dec" => Base::Dec,
                    "hex" => Base::Hex,
                    "oct" => Base::Oct,
                    _ => return Err(format!("invalid string base '{b}'")),
                })
            }
            ("bitmask", Some(m)) => bitmask = Some(parse_bitmask(m)?),
            _ => return Err(format!("unknown byte_math option '{w}'")),
        }
    }
    let (Some(nbytes), Some(offset), Some(op), Some(rvalue), Some(result)) = (nbytes, offset, op, rvalue, result) else {
        return Err("byte_math needs bytes, offset, oper, rvalue and result".into());
    };
    if string.is_none() && nbytes > 4 {
        return Err("byte_math reads at most 4 bytes".into());
    }
    if nbytes_var.is_none() {
        check_nbytes(nbytes, string)?;
    }
    let slot = slot_for(&result)?;
    Ok(ByteMath { num: NumSpec { nbytes, endian, string }, nbytes_var, offset, op, rvalue, relative, bitmask, slot })
}

impl ByteMath {
    /// Computes the result and the new cursor (after the bytes read); `None` = no match.
    pub fn run(&self, buf: &[u8], cur: usize, vars: &[u64]) -> Option<(u64, usize)> {
        let n = match self.nbytes_var {
            None => self.num.nbytes as usize,
            Some(slot) => {
                // Same limits as literal `bytes`: 1..4 binary, 1..max digits as a string.
                let n = *vars.get(slot as usize)?;
                let max = if self.num.string.is_some() { super::byte_jump::MAX_STRING_NBYTES } else { 4 };
                if n == 0 || n > max {
                    return None;
                }
                n as usize
            }
        };
        let start = locate(buf.len(), cur, self.relative, self.offset.get(vars), n)?;
        let spec = NumSpec { nbytes: n as u8, ..self.num };
        let x = spec.read(buf.get(start..start + n)?)?;
        let r = self.rvalue.get(vars) as u64;
        let v = match self.op {
            MathOp::Add => x.wrapping_add(r),
            MathOp::Sub => x.wrapping_sub(r),
            MathOp::Mul => x.wrapping_mul(r),
            MathOp::Div => x.checked_div(r)?,
            MathOp::Shl => x.checked_shl(u32::try_from(r).ok()?).unwrap_or(0),
            MathOp::Shr => x.checked_shr(u32::try_from(r).ok()?).unwrap_or(0),
        };
        Some((apply_mask(v, self.bitmask), start + n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_from_variable() {
        let look = |n: &str| (n == "len").then_some(1u8);
        let mut slot = |_: &str| Ok(0u8);
        let m = parse_byte_math("bytes len, offset 0, oper +, rvalue 1, result r", &look, &mut slot).unwrap();
        let buf = b"\x00\x10\x03";
        assert_eq!(m.run(buf, 0, &[0, 2]), Some((0x11, 2)));
        assert_eq!(m.run(buf, 0, &[0, 0]), None, "zero bytes never match");
        assert_eq!(m.run(buf, 0, &[0, 5]), None, "more than 4 binary bytes never match");
    }

    #[test]
    fn table() {
        let none = |_: &str| None;
        let mut slot = |_: &str| Ok(0u8);
        let buf = b"\x00\x10\x03";
        let cases: &[(&str, &str, usize, Option<u64>)] = &[
            ("add", "bytes 2, offset 0, oper +, rvalue 4, result r", 0, Some(20)),
            ("sub", "bytes 2, offset 0, oper -, rvalue 1, result r", 0, Some(15)),
            ("mul_rel", "bytes 1, offset 1, oper *, rvalue 3, result r, relative", 1, Some(9)),
            ("div0", "bytes 1, offset 2, oper /, rvalue 0, result r", 0, None),
            ("shl", "bytes 1, offset 2, oper <<, rvalue 2, result r", 0, Some(12)),
            ("le", "bytes 2, offset 0, oper +, rvalue 0, result r, endian little", 0, Some(0x1000)),
            ("oob", "bytes 2, offset 2, oper +, rvalue 0, result r", 0, None),
        ];
        for (name, spec, cur, want) in cases {
            let m = parse_byte_math(spec, &none, &mut slot).unwrap_or_else(|e| panic!("case {name}: {e}"));
            assert_eq!(m.run(buf, *cur, &[]).map(|x| x.0), *want, "case {name}");
        }
        assert!(parse_byte_math("bytes 2, offset 0, oper +, rvalue 1", &none, &mut slot).is_err());
        assert!(parse_byte_math("bytes 2, offset 0, oper +, rvalue 1, result r, endian dce", &none, &mut slot).is_err());
    }
}
