//! `tcp.mss`: TCP MSS option, with the integer grammar; packets without the option never match.

use super::header::{uint, U16Field};
use super::{Cond, Keyword, KwError};

/// Parses `tcp.mss`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    Ok(Keyword::Cond(Cond::U16(U16Field::TcpMss, uint(kw, value)?)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("greater", ">1000", tcp_pkt(0x02), true),
            ("equal", "1460", tcp_pkt(0x02), true),
            ("range", "0-1000", tcp_pkt(0x02), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("tcp.mss", v, &p), want, "case {name}: tcp.mss:{v}");
        }
    }

    #[test]
    fn errors() {
        for (v, want) in [
            ("70000", "tcp.mss: '70000' is out of range for u16"),
            ("", "tcp.mss: needs a value"),
        ] {
            assert_eq!(error("tcp.mss", Some(v)), want);
        }
        assert_eq!(error("tcp.mss", None), "tcp.mss: needs a value");
    }
}
