//! `ip_proto:[!|<|>]<number or name>`: the IP protocol (after IPv6 extension headers).
//! Names are those of `/etc/protocols` (case-insensitive), built in so results do not depend on
//! the host.

use super::uint::{Uint, UintMode};
use super::util::need;
use super::{Cond, Keyword, KwError};

/// Protocol names as in `/etc/protocols` (netbase), with their numbers.
const NAMES: &[(&str, u8)] = &[
    ("ip", 0), ("hopopt", 0), ("icmp", 1), ("igmp", 2), ("ggp", 3), ("ipencap", 4), ("st", 5),
    ("tcp", 6), ("egp", 8), ("igp", 9), ("pup", 12), ("udp", 17), ("hmp", 20), ("xns-idp", 22),
    ("rdp", 27), ("iso-tp4", 29), ("dccp", 33), ("xtp", 36), ("ddp", 37), ("idpr-cmtp", 38),
    ("ipv6", 41), ("ipv6-route", 43), ("ipv6-frag", 44), ("idrp", 45), ("rsvp", 46), ("gre", 47),
    ("esp", 50), ("ah", 51), ("skip", 57), ("ipv6-icmp", 58), ("ipv6-nonxt", 59),
    ("ipv6-opts", 60), ("rspf", 73), ("vmtp", 81), ("eigrp", 88), ("ospf", 89), ("ax.25", 93),
    ("ipip", 94), ("etherip", 97), ("encap", 98), ("pim", 103), ("ipcomp", 108), ("vrrp", 112),
    ("l2tp", 115), ("isis", 124), ("sctp", 132), ("fc", 133), ("mobility-header", 135),
    ("udplite", 136), ("mpls-in-ip", 137), ("manet", 138), ("hip", 139), ("shim6", 140),
    ("wesp", 141), ("rohc", 142), ("ethernet", 143),
];

/// Protocol number by name.
pub fn proto_by_name(name: &str) -> Option<u8> {
    NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

/// Parses `ip_proto`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let (mode, rest) = match v.as_bytes().first() {
        Some(b'!') => (UintMode::Ne, &v[1..]),
        Some(b'<') => (UintMode::Lt, &v[1..]),
        Some(b'>') => (UintMode::Gt, &v[1..]),
        _ => (UintMode::Eq, v),
    };
    let rest = rest.trim();
    let n = if !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_digit()) {
        rest.parse::<u8>().map_err(|_| KwError::invalid(kw, format!("'{v}': protocol number out of range 0-255")))?
    } else {
        proto_by_name(rest).ok_or_else(|| KwError::invalid(kw, format!("'{v}': unknown protocol name '{rest}'")))?
    };
    let never = match mode {
        UintMode::Lt => n == 0,
        UintMode::Gt => n == u8::MAX,
        _ => false,
    };
    if never {
        return Err(KwError::invalid(kw, format!("'{v}' can never match")));
    }
    Ok(Keyword::Cond(Cond::IpProto(Uint { mode, arg1: n, arg2: 0 })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::{icmp_pkt, tcp_pkt};
    use super::*;

    fn cond(v: &str) -> Result<Cond, KwError> {
        match parse("ip_proto", Some(v)) {
            Ok(Keyword::Cond(c)) => Ok(c),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e),
        }
    }

    #[test]
    fn table() {
        let tcp = tcp_pkt(0);
        let icmp = icmp_pkt(8, 0, None);
        let cases: &[(&str, bool, bool)] = &[
            ("6", true, false),
            ("tcp", true, false),
            ("TCP", true, false),
            ("!tcp", false, true),
            ("<6", false, true),
            (">1", true, false),
            ("icmp", false, true),
        ];
        for (v, on_tcp, on_icmp) in cases {
            let c = cond(v).expect(v);
            assert_eq!(c.matches(&tcp, None), *on_tcp, "{v} on tcp");
            assert_eq!(c.matches(&icmp, None), *on_icmp, "{v} on icmp");
        }
        for bad in ["256", "nosuchproto", "<0", ">255", "!"] {
            assert!(cond(bad).is_err(), "{bad}");
        }
    }
}
