//! `icmp_seq`: ICMP sequence number, for the message types that carry one; optionally quoted.

use super::header::{uint, U16Field};
use super::{Cond, Keyword, KwError};

/// Parses `icmp_seq`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U16(U16Field::IcmpSeq, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "7", icmp_pkt(8, 0, Some(7)), true),
            ("absent on unreachable", "0", icmp_pkt(3, 1, None), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("icmp_seq", v, &p), want, "case {name}: icmp_seq:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("70000", "icmp_seq: '70000' is out of range for u16"),
            ("", "icmp_seq: needs a value"),
        ] {
            assert_eq!(error("icmp_seq", Some(v)), want);
        }
        assert_eq!(error("icmp_seq", None), "icmp_seq: needs a value");
    }
}
