//! `sameip`: the source address equals the destination address (Suricata `detect-sameip.c`).

use super::util::none;
use super::{Cond, Keyword, KwError};

/// Parses `sameip` (no value).
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    none(kw, value)?;
    Ok(Keyword::Cond(Cond::SameIp))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;
    use super::super::{parse_keyword, Keyword};

    #[test]
    fn matches() {
        let c = match parse_keyword("sameip", None) {
            Some(Ok(Keyword::Cond(c))) => c,
            other => panic!("{other:?}"),
        };
        let mut p = tcp_pkt(0);
        assert!(!c.matches(&p, None), "10.0.0.1 -> 10.0.0.2");
        if let Some(ip) = p.ip.as_mut() {
            ip.dst = ip.src;
        }
        assert!(c.matches(&p, None), "10.0.0.1 -> 10.0.0.1");
        assert!(!c.matches(&bare_pkt(), None), "no IP layer");
        assert_eq!(error("sameip", Some("x")), "sameip: takes no value, got 'x'");
    }
}
