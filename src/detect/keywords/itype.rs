//! `itype`: ICMP (v4 or v6) type, with the integer grammar.

use super::header::{uint, U8Field};
use super::{Cond, Keyword, KwError};

/// Parses `itype`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U8(U8Field::Itype, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("echo", "8", icmp_pkt(8, 0, Some(7)), true),
            ("range", "0<>3", icmp_pkt(8, 0, Some(7)), false),
            ("greater", ">5", icmp_pkt(8, 0, Some(7)), true),
            ("not icmp", "0", tcp_pkt(0x02), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("itype", v, &p), want, "case {name}: itype:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("256", "itype: '256' is out of range for u8"),
            ("", "itype: needs a value"),
        ] {
            assert_eq!(error("itype", Some(v)), want);
        }
        assert_eq!(error("itype", None), "itype: needs a value");
    }
}
