//! `ipopts:<name>`: an IPv4 option is present. Names: rr, eol, nop, ts, sec, esec, lsrr, ssrr,
//! satid, and `any` (any option at all).

use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::{ipopt, Packet};

/// The option looked for; `mask == u16::MAX` means "any option".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpOpts {
    /// Bits of [`ipopt`] that must be present (one of them).
    pub mask: u16,
}

impl IpOpts {
    /// Whether `p` is IPv4 and carries the option.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        match p.ip {
            Some(ip) if ip.version == 4 => ip.ipopts & self.mask != 0,
            _ => false,
        }
    }
}

/// Parses `ipopts`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let mask = match v {
        "rr" => ipopt::RR,
        "eol" => ipopt::EOL,
        "nop" => ipopt::NOP,
        "ts" => ipopt::TS,
        "sec" => ipopt::SEC,
        "esec" => ipopt::ESEC,
        "lsrr" => ipopt::LSRR,
        "ssrr" => ipopt::SSRR,
        "satid" => ipopt::SATID,
        "any" => u16::MAX,
        _ => return Err(KwError::invalid(kw, format!("'{v}' is not one of rr eol nop ts sec esec lsrr ssrr satid any"))),
    };
    Ok(Keyword::Cond(Cond::IpOpts(IpOpts { mask })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;

    #[test]
    fn table() {
        let mut p = tcp_pkt(0);
        let cond = |v: &str| match parse("ipopts", Some(v)) {
            Ok(Keyword::Cond(c)) => c,
            other => panic!("{other:?}"),
        };
        assert!(!cond("any").matches(&p, None), "no options");
        if let Some(ip) = p.ip.as_mut() {
            ip.ipopts = ipopt::RR | ipopt::NOP;
        }
        let cases = [("rr", true), ("nop", true), ("ts", false), ("any", true), ("lsrr", false)];
        for (v, want) in cases {
            assert_eq!(cond(v).matches(&p, None), want, "{v}");
        }
        assert!(parse("ipopts", Some("bogus")).is_err());
    }
}
