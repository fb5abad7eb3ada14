//! `tls.version`: the negotiated TLS/SSL version (Suricata `detect-tls-version.c`).
//!
//! Syntax: `tls.version:1.2;` — one of `1.0`, `1.1`, `1.2`, `1.3`, `3.0` (SSLv3), `2.0`
//! (SSLv2) or a raw `0x0303`; `!` negates. Matched against the server's version on to-client
//! packets and the ClientHello's version on to-server packets; `1.3` also matches TLS 1.3
//! drafts (0x7fxx), as Suricata does.

use crate::applayer::tls::TlsTx;
use crate::applayer::Direction;

/// A compiled `tls.version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TlsVersion {
    /// Wire version to compare with.
    pub version: u16,
    /// `!` given.
    pub negated: bool,
}

impl TlsVersion {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("tls.version: needs a value")?;
        let (negated, v) = match v.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, v),
        };
        let v = v.trim_matches('"');
        let version = match v {
            "1.0" => 0x0301,
            "1.1" => 0x0302,
            "1.2" => 0x0303,
            "1.3" => 0x0304,
            "3.0" => 0x0300,
            "2.0" => 0x0200,
            _ => match v.strip_prefix("0x").map(|h| u16::from_str_radix(h, 16)) {
                Some(Ok(x)) => x,
                _ => return Err(format!("tls.version: invalid version '{v}'")),
            },
        };
        Ok(TlsVersion { version, negated })
    }

    /// Whether `tx` matches, for a packet travelling in `dir`.
    pub fn matches(&self, tx: &TlsTx, dir: Direction) -> bool {
        let v = match dir {
            Direction::ToClient => tx.version,
            Direction::ToServer => match &tx.client_hello {
                Some(c) if c.sslv2 => 0x0200,
                Some(c) => c.version,
                None => 0,
            },
        };
        if v == 0 {
            return false;
        }
        let eq = v == self.version || (self.version == 0x0304 && v >> 8 == 0x7f);
        eq != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::ClientHello;

    #[test]
    fn parse_and_match() {
        let tx = TlsTx { version: 0x0303, client_hello: Some(ClientHello { version: 0x0301, ..Default::default() }), ..Default::default() };
        let cases = [
            ("1.2", Direction::ToClient, true),
            ("1.2", Direction::ToServer, false),
            ("1.0", Direction::ToServer, true),
            ("!1.2", Direction::ToClient, false),
            ("!1.1", Direction::ToClient, true),
            ("0x0303", Direction::ToClient, true),
        ];
        for (v, d, want) in cases {
            assert_eq!(TlsVersion::parse(Some(v)).expect(v).matches(&tx, d), want, "tls.version:{v} {d:?}");
        }
        let draft = TlsTx { version: 0x7f17, ..Default::default() };
        assert!(TlsVersion::parse(Some("1.3")).expect("1.3").matches(&draft, Direction::ToClient));
        assert!(!TlsVersion::parse(Some("!1.2")).expect("neg").matches(&TlsTx::default(), Direction::ToClient), "no version: no match");
        assert!(TlsVersion::parse(Some("4.0")).is_err());
        assert!(TlsVersion::parse(None).is_err());
    }
}
