//! `id`: IPv4 identification (IPv4 only, as Suricata `detect-id.c`); optionally quoted.

use super::header::{uint, U16Field};
use super::{Cond, Keyword, KwError};

/// Parses `id`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U16(U16Field::Id, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "4321", tcp_pkt(0x02), true),
            ("quoted", "\"4321\"", tcp_pkt(0x02), true),
            ("other", "1", tcp_pkt(0x02), false),
            ("ipv6 never", "4321", tcp6_pkt(), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("id", v, &p), want, "case {name}: id:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("70000", "id: '70000' is out of range for u16"),
            ("", "id: needs a value"),
        ] {
            assert_eq!(error("id", Some(v)), want);
        }
        assert_eq!(error("id", None), "id: needs a value");
    }
}
