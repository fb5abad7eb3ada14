//! `ttl`: IPv4 TTL / IPv6 hop limit, with the integer grammar (Suricata `detect-ttl.c`).

use super::header::{uint, U8Field};
use super::{Cond, Keyword, KwError};

/// Parses `ttl`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U8(U8Field::Ttl, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "64", tcp_pkt(0x02), true),
            ("less", "<10", tcp_pkt(0x02), false),
            ("range", "60-70", tcp_pkt(0x02), true),
            ("not on non-IP", "!1", bare_pkt(), false),
            ("ipv6 hop limit", "64", tcp6_pkt(), true),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("ttl", v, &p), want, "case {name}: ttl:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            (">x", "ttl: '>x' is not a number"),
            ("300", "ttl: '300' is out of range for u8"),
            ("", "ttl: needs a value"),
        ] {
            assert_eq!(error("ttl", Some(v)), want);
        }
        assert_eq!(error("ttl", None), "ttl: needs a value");
    }
}
