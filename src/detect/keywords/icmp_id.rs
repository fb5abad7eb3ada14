//! `icmp_id`: ICMP identifier, for the message types that carry one (echo, timestamp, ...); optionally quoted.

use super::header::{uint, U16Field};
use super::{Cond, Keyword, KwError};

/// Parses `icmp_id`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U16(U16Field::IcmpId, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "7", icmp_pkt(8, 0, Some(7)), true),
            ("quoted", "\"7\"", icmp_pkt(8, 0, Some(7)), true),
            ("absent on unreachable", "0", icmp_pkt(3, 1, None), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("icmp_id", v, &p), want, "case {name}: icmp_id:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("x", "icmp_id: 'x' is not a number"),
            ("", "icmp_id: needs a value"),
        ] {
            assert_eq!(error("icmp_id", Some(v)), want);
        }
        assert_eq!(error("icmp_id", None), "icmp_id: needs a value");
    }
}
