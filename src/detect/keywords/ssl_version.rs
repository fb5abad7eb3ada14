//! `ssl_version`: the SSL/TLS version of the flow, as a list (Suricata `detect-ssl-version.c`).
//!
//! Syntax: `ssl_version:sslv2,sslv3,tls1.0,tls1.1,tls1.2,tls1.3;` (comma = any of them);
//! an entry prefixed with `!` matches when the version is *not* that one. Matched against the
//! server's version on to-client packets and the client's on to-server packets.

use crate::applayer::tls::TlsTx;
use crate::applayer::Direction;

/// A compiled `ssl_version`: (version, negated) entries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SslVersion {
    /// The listed versions.
    pub list: Vec<(u16, bool)>,
}

fn version(name: &str) -> Option<u16> {
    Some(match name.to_ascii_lowercase().as_str() {
        "sslv2" => 0x0200,
        "sslv3" => 0x0300,
        "tls1.0" => 0x0301,
        "tls1.1" => 0x0302,
        "tls1.2" => 0x0303,
        "tls1.3" => 0x0304,
        _ => return None,
    })
}

impl SslVersion {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("ssl_version: needs a value")?;
        let mut list = Vec::new();
        for item in v.split(',') {
            let item = item.trim();
            let (neg, name) = match item.strip_prefix('!') {
                Some(r) => (true, r.trim()),
                None => (false, item),
            };
            let ver = version(name).ok_or_else(|| format!("ssl_version: unknown version '{name}'"))?;
            list.push((ver, neg));
        }
        Ok(SslVersion { list })
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
        let v = if v >> 8 == 0x7f { 0x0304 } else { v };
        // Suricata: a positive entry that equals wins; a negated entry that equals loses;
        // with only negated entries, anything else matches.
        let mut any_positive = false;
        for &(ver, neg) in &self.list {
            if ver == v {
                return !neg;
            }
            any_positive |= !neg;
        }
        !any_positive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::ClientHello;

    #[test]
    fn parse_and_match() {
        let v3 = TlsTx { version: 0x0300, ..Default::default() };
        let v2 = TlsTx { client_hello: Some(ClientHello { sslv2: true, version: 0x0301, ..Default::default() }), ..Default::default() };
        let cases = [
            ("sslv3", &v3, Direction::ToClient, true),
            ("sslv2", &v3, Direction::ToClient, false),
            ("sslv2,sslv3", &v3, Direction::ToClient, true),
            ("!sslv3", &v3, Direction::ToClient, false),
            ("!sslv2", &v3, Direction::ToClient, true),
            ("sslv2", &v2, Direction::ToServer, true),
            ("tls1.2", &v2, Direction::ToClient, false),
        ];
        for (v, tx, d, want) in cases {
            assert_eq!(SslVersion::parse(Some(v)).expect(v).matches(tx, d), want, "ssl_version:{v}");
        }
        assert!(SslVersion::parse(Some("tls9")).is_err());
        assert!(SslVersion::parse(None).is_err());
    }
}
