//! Header-field keywords that compare one IP/TCP/ICMP field: ttl, id, fragoffset, tos, sameip,
//! seq, ack, window, tcp.mss, itype, icode, icmp_id, icmp_seq. Each is a one-line mapping from
//! keyword to field plus the shared [`uint`](super::uint) grammar, so they share this file; the
//! keywords with their own grammar (flags, fragbits, ipopts, ip_proto) have their own files.
//!
//! Packets without the layer a keyword reads never match (Suricata: `ttl` on a non-IP packet,
//! `window` on UDP, `icmp_id` on an ICMP type without an identifier).

use super::uint::Uint;
use super::util::{need, none, unquote};
use super::{Cond, Keyword, KwError};
use crate::decode::{Packet, L4};

/// 8-bit fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum U8Field {
    /// IPv4 TTL / IPv6 hop limit.
    Ttl,
    /// ICMP type.
    Itype,
    /// ICMP code.
    Icode,
}

impl U8Field {
    /// The field's value on `p`, if present.
    #[inline]
    pub fn get(self, p: &Packet<'_>) -> Option<u8> {
        match self {
            U8Field::Ttl => p.ip.map(|ip| ip.ttl),
            U8Field::Itype => icmp(p).map(|i| i.typ),
            U8Field::Icode => icmp(p).map(|i| i.code),
        }
    }
}

/// 16-bit fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum U16Field {
    /// IPv4 identification (IPv4 only, as Suricata).
    Id,
    /// Fragment offset in 8-byte units (IPv4, or the IPv6 fragment header).
    FragOffset,
    /// TCP window (unscaled).
    Window,
    /// TCP MSS option (packets without it never match).
    TcpMss,
    /// ICMP identifier (message types that carry one).
    IcmpId,
    /// ICMP sequence (message types that carry one).
    IcmpSeq,
}

impl U16Field {
    /// The field's value on `p`, if present.
    #[inline]
    pub fn get(self, p: &Packet<'_>) -> Option<u16> {
        match self {
            U16Field::Id => p.ip.filter(|ip| ip.version == 4).map(|ip| ip.id as u16),
            U16Field::FragOffset => p.ip.map(|ip| ip.frag_offset),
            U16Field::Window => p.tcp().map(|t| t.window),
            U16Field::TcpMss => p.tcp().and_then(|t| t.mss),
            U16Field::IcmpId => icmp(p).and_then(|i| i.id),
            U16Field::IcmpSeq => icmp(p).and_then(|i| i.seq),
        }
    }
}

/// 32-bit fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum U32Field {
    /// TCP sequence number.
    Seq,
    /// TCP acknowledgement number.
    Ack,
}

impl U32Field {
    /// The field's value on `p`, if present.
    #[inline]
    pub fn get(self, p: &Packet<'_>) -> Option<u32> {
        match self {
            U32Field::Seq => p.tcp().map(|t| t.seq),
            U32Field::Ack => p.tcp().map(|t| t.ack),
        }
    }
}

/// `tos:[!]<value>`: IPv4 TOS equal (or not equal) to a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tos {
    /// `!` given.
    pub negated: bool,
    /// The byte.
    pub tos: u8,
}

impl Tos {
    /// Whether `p` is IPv4 with (or, negated, without) that TOS.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        match p.ip {
            Some(ip) if ip.version == 4 => (ip.tos == self.tos) != self.negated,
            _ => false,
        }
    }
}

fn icmp<'p>(p: &'p Packet<'_>) -> Option<&'p crate::decode::IcmpHdr> {
    match &p.l4 {
        L4::Icmp4(i) | L4::Icmp6(i) => Some(i),
        _ => None,
    }
}

/// Parses every keyword of this file.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let cond = match kw {
        "sameip" => {
            none(kw, value)?;
            Cond::SameIp
        }
        "tos" => Cond::Tos(parse_tos(kw, need(kw, value)?)?),
        "ttl" => Cond::U8(U8Field::Ttl, uint(kw, value)?),
        "itype" => Cond::U8(U8Field::Itype, uint(kw, value)?),
        "icode" => Cond::U8(U8Field::Icode, uint(kw, value)?),
        "id" => Cond::U16(U16Field::Id, uint(kw, value)?),
        "fragoffset" => Cond::U16(U16Field::FragOffset, uint(kw, value)?),
        "tcp.mss" => Cond::U16(U16Field::TcpMss, uint(kw, value)?),
        "icmp_id" => Cond::U16(U16Field::IcmpId, uint(kw, value)?),
        "icmp_seq" => Cond::U16(U16Field::IcmpSeq, uint(kw, value)?),
        "window" => {
            let u: Uint<u16> = uint(kw, value)?;
            if !matches!(u.mode, super::uint::UintMode::Eq | super::uint::UintMode::Ne) {
                return Err(KwError::invalid(kw, format!("'{}' must be N or !N", need(kw, value)?)));
            }
            Cond::U16(U16Field::Window, u)
        }
        "seq" => Cond::U32(U32Field::Seq, uint(kw, value)?),
        "ack" => Cond::U32(U32Field::Ack, uint(kw, value)?),
        other => return Err(KwError::invalid(other, "not a header keyword")),
    };
    Ok(Keyword::Cond(cond))
}

fn uint<T: super::uint::UintValue>(kw: &str, value: Option<&str>) -> Result<Uint<T>, KwError> {
    let v = unquote(need(kw, value)?);
    Uint::<T>::parse(v).map_err(|e| KwError::invalid(kw, e))
}

/// `[!]N` with N decimal (0-255) or `xHH` / `0xHH` hex.
fn parse_tos(kw: &str, v: &str) -> Result<Tos, KwError> {
    let (negated, rest) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim_start()),
        None => (false, v),
    };
    let parsed = if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix('x')).or_else(|| rest.strip_prefix('X')) {
        u8::from_str_radix(h, 16).ok().filter(|_| !h.is_empty() && h.len() <= 2)
    } else {
        rest.parse::<u8>().ok().filter(|_| rest.bytes().all(|c| c.is_ascii_digit()))
    };
    match parsed {
        Some(tos) => Ok(Tos { negated, tos }),
        None => Err(KwError::invalid(kw, format!("'{v}' is not a TOS byte (0-255 or xHH)"))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::capture::LinkType;
    use crate::decode::{IcmpHdr, IpHdr, TcpHdr};
    use crate::time::Timestamp;
    use std::net::{IpAddr, Ipv4Addr};

    pub(crate) fn ip4(proto: u8) -> IpHdr {
        IpHdr {
            version: 4,
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            proto,
            ttl: 64,
            tos: 0x10,
            id: 4321,
            frag_offset: 0,
            mf: false,
            df: true,
            rb: false,
            offset: 14,
            hdr_len: 20,
            total_len: 40,
            ipopts: 0,
            csum_ok: None,
        }
    }

    pub(crate) fn tcp_pkt(flags: u8) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp::from_parts(1000, 0), LinkType::Ethernet, &[]);
        p.ip = Some(ip4(6));
        p.l4 = L4::Tcp(TcpHdr { sport: 1234, dport: 80, seq: 100, ack: 200, flags, window: 8192, mss: Some(1460), ..TcpHdr::default() });
        p
    }

    pub(crate) fn icmp_pkt(typ: u8, code: u8, id: Option<u16>) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp::from_parts(1000, 0), LinkType::Ethernet, &[]);
        p.ip = Some(ip4(1));
        p.l4 = L4::Icmp4(IcmpHdr { typ, code, id, seq: id, ..IcmpHdr::default() });
        p
    }

    fn cond(kw: &str, v: Option<&str>) -> Cond {
        match super::super::parse_keyword(kw, v) {
            Some(Ok(Keyword::Cond(c))) => c,
            other => panic!("{kw}:{v:?} -> {other:?}"),
        }
    }

    #[test]
    fn matches_table() {
        let tcp = tcp_pkt(0x02);
        let icmp = icmp_pkt(8, 0, Some(7));
        let unreach = icmp_pkt(3, 1, None);
        let bare = Packet::empty(Timestamp::from_parts(1, 0), LinkType::Ethernet, &[]);
        let cases: &[(&str, &str, Option<&str>, &Packet<'_>, bool)] = &[
            ("ttl equal", "ttl", Some("64"), &tcp, true),
            ("ttl less", "ttl", Some("<10"), &tcp, false),
            ("ttl range", "ttl", Some("60-70"), &tcp, true),
            ("ttl no ip", "ttl", Some("!1"), &bare, false),
            ("id", "id", Some("4321"), &tcp, true),
            ("id quoted", "id", Some("\"4321\""), &tcp, true),
            ("tos", "tos", Some("16"), &tcp, true),
            ("tos hex", "tos", Some("x10"), &tcp, true),
            ("tos negated", "tos", Some("!16"), &tcp, false),
            ("sameip", "sameip", None, &tcp, false),
            ("seq", "seq", Some("100"), &tcp, true),
            ("ack", "ack", Some("200"), &tcp, true),
            ("ack on icmp", "ack", Some("0"), &icmp, false),
            ("window", "window", Some("8192"), &tcp, true),
            ("window not", "window", Some("!8192"), &tcp, false),
            ("mss", "tcp.mss", Some(">1000"), &tcp, true),
            ("itype", "itype", Some("8"), &icmp, true),
            ("itype range", "itype", Some("0<>3"), &icmp, false),
            ("icode", "icode", Some("1"), &unreach, true),
            ("icmp_id", "icmp_id", Some("7"), &icmp, true),
            ("icmp_id absent", "icmp_id", Some("0"), &unreach, false),
            ("icmp_seq", "icmp_seq", Some("7"), &icmp, true),
            ("itype on tcp", "itype", Some("0"), &tcp, false),
            ("fragoffset", "fragoffset", Some("0"), &tcp, true),
            ("fragoffset gt", "fragoffset", Some(">0"), &tcp, false),
        ];
        for (name, kw, v, p, want) in cases {
            assert_eq!(cond(kw, *v).matches(p, None), *want, "case {name}");
        }
    }

    #[test]
    fn errors() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("ttl", Some(">x"), "ttl: '>x' is not a number"),
            ("ttl", Some("300"), "ttl: '300' is out of range for u8"),
            ("ttl", None, "ttl: needs a value"),
            ("window", Some(">5"), "window: '>5' must be N or !N"),
            ("tos", Some("x1ff"), "tos: 'x1ff' is not a TOS byte (0-255 or xHH)"),
            ("sameip", Some("x"), "sameip: takes no value, got 'x'"),
        ];
        for (kw, v, want) in cases {
            match super::super::parse_keyword(kw, *v) {
                Some(Err(e)) => {
                    assert_eq!(e.reason, *want);
                    assert!(!e.refused);
                }
                other => panic!("{kw}:{v:?} -> {other:?}"),
            }
        }
    }
}
