//! `fragoffset`: IP fragment offset in 8-byte units (IPv4, or the IPv6 fragment header), with the integer grammar.

use super::header::{uint, U16Field};
use super::{Cond, Keyword, KwError};

/// Parses `fragoffset`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U16(U16Field::FragOffset, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("zero", "0", tcp_pkt(0x02), true),
            ("greater", ">0", tcp_pkt(0x02), false),
            ("not zero", "!0", tcp_pkt(0x02), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("fragoffset", v, &p), want, "case {name}: fragoffset:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("<0", "fragoffset: '<0' is always true or always false"),
            ("", "fragoffset: needs a value"),
        ] {
            assert_eq!(error("fragoffset", Some(v)), want);
        }
        assert_eq!(error("fragoffset", None), "fragoffset: needs a value");
    }
}
