//! `tos:[!]<value>`: the IPv4 TOS byte equals (or, with `!`, differs from) a value given in
//! decimal or as `xHH` / `0xHH` hex (Suricata `detect-tos.c`). IPv6 packets never match.

use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::Packet;

/// `tos:[!]<value>`: IPv4 TOS equal (or not equal) to a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tos {
    /// `!` given.
    pub negated: bool,
    /// The byte.
    pub tos: u8,
}

impl Tos {
    /// Whether `p` is IPv4 with (or, negated, without) that TOS.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        match p.ip {
            Some(ip) if ip.version == 4 => (ip.tos == self.tos) != self.negated,
            _ => false,
        }
    }
}

/// Parses `tos`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::Tos(parse_tos(kw, need(kw, value)?)?)))
}

/// `[!]N` with N decimal (0-255) or `xHH` / `0xHH` hex.
fn parse_tos(kw: &str, v: &str) -> Result<Tos, KwError> {
    let (negated, rest) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim_start()),
        None => (false, v),
    };
    let parsed = if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix('x')).or_else(|| rest.strip_prefix('X')) {
        u8::from_str_radix(h, 16).ok().filter(|_| !h.is_empty() && h.len() <= 2)
    } else {
        rest.parse::<u8>().ok().filter(|_| rest.bytes().all(|c| c.is_ascii_digit()))
    };
    match parsed {
        Some(tos) => Ok(Tos { negated, tos }),
        None => Err(KwError::invalid(kw, format!("'{v}' is not a TOS byte (0-255 or xHH)"))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("decimal", "16", tcp_pkt(0), true),
            ("x hex", "x10", tcp_pkt(0), true),
            ("0x hex", "0x10", tcp_pkt(0), true),
            ("negated", "!16", tcp_pkt(0), false),
            ("negated other", "!8", tcp_pkt(0), true),
            ("ipv6 never", "16", tcp6_pkt(), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("tos", v, &p), want, "case {name}: tos:{v}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(error("tos", Some("x1ff")), "tos: 'x1ff' is not a TOS byte (0-255 or xHH)");
        assert_eq!(error("tos", Some("256")), "tos: '256' is not a TOS byte (0-255 or xHH)");
        assert_eq!(error("tos", Some("+5")), "tos: '+5' is not a TOS byte (0-255 or xHH)");
        assert_eq!(error("tos", None), "tos: needs a value");
    }
}
