//! Checksum keywords: `ipv4-csum`, `tcpv4-csum`, `tcpv6-csum`, `udpv4-csum`, `udpv6-csum`,
//! `icmpv4-csum`, `icmpv6-csum`, each `valid` or `invalid` (optionally quoted), as Suricata's
//! `detect-csum.c`. The packet must have the named layer (and IP version); a checksum the
//! decoder did not check (`-k none`) counts as valid, as Suricata's `PKT_IGNORE_CHECKSUM`.

use super::util::{need, unquote};
use super::{Cond, Keyword, KwError};
use crate::decode::{Packet, L4};

/// Which checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CsumLayer {
    /// IPv4 header.
    Ipv4,
    /// TCP over IPv4.
    TcpV4,
    /// TCP over IPv6.
    TcpV6,
    /// UDP over IPv4.
    UdpV4,
    /// UDP over IPv6.
    UdpV6,
    /// ICMPv4.
    Icmpv4,
    /// ICMPv6.
    Icmpv6,
}

/// A compiled checksum check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Csum {
    /// Layer.
    pub layer: CsumLayer,
    /// `true`: valid, `false`: invalid.
    pub valid: bool,
}

impl Csum {
    /// Whether `p` has the layer and its checksum verdict is the wanted one.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        let Some(ip) = p.ip else { return false };
        let verdict = match (self.layer, &p.l4) {
            (CsumLayer::Ipv4, _) if ip.version == 4 => p.ipv4_csum_ok(),
            (CsumLayer::TcpV4, L4::Tcp(_)) if ip.version == 4 => p.l4_csum_ok(),
            (CsumLayer::TcpV6, L4::Tcp(_)) if ip.version == 6 => p.l4_csum_ok(),
            (CsumLayer::UdpV4, L4::Udp(_)) if ip.version == 4 => p.l4_csum_ok(),
            (CsumLayer::UdpV6, L4::Udp(_)) if ip.version == 6 => p.l4_csum_ok(),
            (CsumLayer::Icmpv4, L4::Icmp4(_)) => p.l4_csum_ok(),
            (CsumLayer::Icmpv6, L4::Icmp6(_)) => p.l4_csum_ok(),
            _ => return false,
        };
        verdict.unwrap_or(true) == self.valid
    }
}

/// Parses every keyword of this file.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let layer = match kw {
        "ipv4-csum" => CsumLayer::Ipv4,
        "tcpv4-csum" => CsumLayer::TcpV4,
        "tcpv6-csum" => CsumLayer::TcpV6,
        "udpv4-csum" => CsumLayer::UdpV4,
        "udpv6-csum" => CsumLayer::UdpV6,
        "icmpv4-csum" => CsumLayer::Icmpv4,
        "icmpv6-csum" => CsumLayer::Icmpv6,
        other => return Err(KwError::invalid(other, "not a checksum keyword")),
    };
    let v = unquote(need(kw, value)?).trim();
    let valid = match v {
        "valid" => true,
        "invalid" => false,
        _ => return Err(KwError::invalid(kw, format!("'{v}' is not valid or invalid"))),
    };
    Ok(Keyword::Cond(Cond::Csum(Csum { layer, valid })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;
    use crate::decode::L4;

    #[test]
    fn matches() {
        let mut bad_tcp = tcp_pkt(0);
        if let L4::Tcp(t) = &mut bad_tcp.l4 {
            t.csum_ok = Some(false);
        }
        let mut good_ip = tcp_pkt(0);
        if let Some(ip) = good_ip.ip.as_mut() {
            ip.csum_ok = Some(true);
        }
        let cases = [
            ("tcp invalid", "tcpv4-csum", "invalid", bad_tcp.clone(), true),
            ("tcp valid on bad", "tcpv4-csum", "\"valid\"", bad_tcp.clone(), false),
            ("tcpv6 on v4", "tcpv6-csum", "invalid", bad_tcp, false),
            ("ip valid", "ipv4-csum", "valid", good_ip.clone(), true),
            ("unchecked counts as valid", "tcpv4-csum", "valid", good_ip, true),
            ("udp on tcp", "udpv4-csum", "valid", tcp_pkt(0), false),
            ("icmpv4", "icmpv4-csum", "valid", icmp_pkt(8, 0, None), true),
            ("icmpv6 on v4", "icmpv6-csum", "valid", icmp_pkt(8, 0, None), false),
        ];
        for (name, kw, v, p, want) in cases {
            assert_eq!(check(kw, v, &p), want, "case {name}");
        }
        assert_eq!(error("ipv4-csum", Some("maybe")), "ipv4-csum: 'maybe' is not valid or invalid");
        assert_eq!(error("ipv4-csum", None), "ipv4-csum: needs a value");
    }
}
