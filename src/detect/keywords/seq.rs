//! `seq`: TCP sequence number.

use super::header::{uint, U32Field};
use super::{Cond, Keyword, KwError};

/// Parses `seq`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U32(U32Field::Seq, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "100", tcp_pkt(0x02), true),
            ("other", "101", tcp_pkt(0x02), false),
            ("not tcp", "0", icmp_pkt(8, 0, Some(7)), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("seq", v, &p), want, "case {name}: seq:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("-1", "seq: '-1' is not a number"),
            ("", "seq: needs a value"),
        ] {
            assert_eq!(error("seq", Some(v)), want);
        }
        assert_eq!(error("seq", None), "seq: needs a value");
    }
}
