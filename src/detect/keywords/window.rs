//! `window:[!]<n>`: the TCP window (unscaled) equals, or with `!` differs from, `n`
//! (Suricata `detect-window.c`: only those two forms).

use super::header::{uint, U16Field};
use super::uint::UintMode;
use super::{Cond, Keyword, KwError};

/// Parses `window`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let u = uint::<u16>(kw, value)?;
    if !matches!(u.mode, UintMode::Eq | UintMode::Ne) {
        return Err(KwError::invalid(kw, format!("'{}' must be N or !N", value.unwrap_or("").trim())));
    }
    Ok(Keyword::Cond(Cond::U16(U16Field::Window, u)))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let cases = [
            ("equal", "8192", tcp_pkt(0), true),
            ("hex", "0x2000", tcp_pkt(0), true),
            ("negated", "!8192", tcp_pkt(0), false),
            ("negated other", "!1", tcp_pkt(0), true),
            ("not tcp", "!1", icmp_pkt(8, 0, None), false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(check("window", v, &p), want, "case {name}: window:{v}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(error("window", Some(">5")), "window: '>5' must be N or !N");
        assert_eq!(error("window", Some("65536")), "window: '65536' is out of range for u16");
        assert_eq!(error("window", None), "window: needs a value");
    }
}
