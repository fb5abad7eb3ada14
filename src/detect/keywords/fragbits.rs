//! `fragbits:[+*!]<MDR...>`: the IPv4 fragmentation bits M (more fragments), D (don't
//! fragment), R (reserved). Without a modifier the packet's bits must equal the given set;
//! `+` the given bits and at least one other (unlike `flags`), `*` any of them, `!` not all of them (Suricata's
//! `detect-fragbits.c`).

use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::Packet;

/// Reserved bit.
pub const R: u8 = 0x4;
/// Don't fragment.
pub const D: u8 = 0x2;
/// More fragments.
pub const M: u8 = 0x1;

/// How the bits are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// Exactly these bits.
    Exact,
    /// These bits plus at least one more.
    Plus,
    /// Any of these bits.
    Any,
    /// Not all of these bits.
    Not,
}

/// A compiled `fragbits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FragBits {
    /// Bits (R D M constants).
    pub bits: u8,
    /// Comparison.
    pub modifier: Modifier,
}

impl FragBits {
    /// Whether `p` is IPv4 with matching bits.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        let Some(ip) = p.ip.filter(|ip| ip.version == 4) else { return false };
        let pb = (if ip.rb { R } else { 0 }) | (if ip.df { D } else { 0 }) | (if ip.mf { M } else { 0 });
        bits_match(pb, self.bits, self.modifier)
    }
}

/// Suricata's `FragBitsMatch`.
#[inline]
fn bits_match(packet: u8, want: u8, m: Modifier) -> bool {
    match m {
        Modifier::Exact => packet == want,
        Modifier::Plus => packet & want == want && packet != want,
        Modifier::Any => packet & want != 0,
        Modifier::Not => packet & want != want,
    }
}

/// Parses `fragbits`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let mut modifier = None;
    let mut bits = 0u8;
    for c in v.chars() {
        let m = match c {
            '+' => Modifier::Plus,
            '*' => Modifier::Any,
            '!' => Modifier::Not,
            'M' | 'm' => {
                bits |= M;
                continue;
            }
            'D' | 'd' => {
                bits |= D;
                continue;
            }
            'R' | 'r' => {
                bits |= R;
                continue;
            }
            c if c.is_whitespace() => continue,
            c => return Err(KwError::invalid(kw, format!("'{v}': unexpected '{c}' (expected M D R and one of + * !)"))),
        };
        if modifier.replace(m).is_some() {
            return Err(KwError::invalid(kw, format!("'{v}': only one modifier at a time")));
        }
    }
    let modifier = modifier.unwrap_or(Modifier::Exact);
    if bits == 0 {
        return Err(KwError::invalid(kw, format!("'{v}' names no bit (expected M D R)")));
    }
    Ok(Keyword::Cond(Cond::FragBits(FragBits { bits, modifier })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;

    #[test]
    fn table() {
        let mut p = tcp_pkt(0); // DF set
        let cond = |v: &str| match parse("fragbits", Some(v)) {
            Ok(Keyword::Cond(c)) => c,
            other => panic!("{other:?}"),
        };
        let cases = [("D", true), ("M", false), ("*MD", true), ("+D", false), ("!D", false), ("!M", true), ("DM", false)];
        for (v, want) in cases {
            assert_eq!(cond(v).matches(&p, None), want, "DF-only packet: {v}");
        }
        if let Some(ip) = p.ip.as_mut() {
            ip.mf = true;
        }
        let cases = [("D", false), ("+D", true), ("MD", true), ("!R", true), ("*R", false)];
        for (v, want) in cases {
            assert_eq!(cond(v).matches(&p, None), want, "DF+MF packet: {v}");
        }
        assert!(parse("fragbits", Some("X")).is_err());
        assert!(parse("fragbits", Some("+")).is_err());
        assert!(parse("fragbits", Some("+D*")).is_err(), "one modifier");
        assert!(cond("M+").matches(&p, None), "trailing modifier, as in ET rules");
    }
}
