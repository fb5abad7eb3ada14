//! `icode`: ICMP (v4 or v6) code, with the integer grammar.

use super::header::{uint, U8Field};
use super::{Cond, Keyword, KwError};

/// Parses `icode`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U8(U8Field::Icode, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("host unreachable", "1", icmp_pkt(3, 1, None), true),
            ("zero", "0", icmp_pkt(8, 0, Some(7)), true),
            ("not icmp", "0", tcp_pkt(0x02), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("icode", v, &p), want, "case {name}: icode:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            (">255", "icode: '>255' is always true or always false"),
            ("", "icode: needs a value"),
        ] {
            assert_eq!(error("icode", Some(v)), want);
        }
        assert_eq!(error("icode", None), "icode: needs a value");
    }
}
