//! `ack`: TCP acknowledgement number.

use super::header::{uint, U32Field};
use super::{Cond, Keyword, KwError};

/// Parses `ack`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U32(U32Field::Ack, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "200", tcp_pkt(0x02), true),
            ("not tcp", "0", icmp_pkt(8, 0, Some(7)), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("ack", v, &p), want, "case {name}: ack:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("x", "ack: 'x' is not a number"),
            ("", "ack: needs a value"),
        ] {
            assert_eq!(error("ack", Some(v)), want);
        }
        assert_eq!(error("ack", None), "ack: needs a value");
    }
}
