//! The header fields read by the single-field keywords (ttl.rs, id.rs, fragoffset.rs, seq.rs,
//! ack.rs, window.rs, tcp_mss.rs, itype.rs, icode.rs, icmp_id.rs, icmp_seq.rs) and their shared
//! parse helper; each keyword has its own file.
//!
//! Packets without the layer a keyword reads never match (Suricata: `ttl` on a non-IP packet,
//! `window` on UDP, `icmp_id` on an ICMP type without an identifier).

use super::uint::Uint;
use super::util::{need, unquote};
use super::KwError;
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

fn icmp<'p>(p: &'p Packet<'_>) -> Option<&'p crate::decode::IcmpHdr> {
    match &p.l4 {
        L4::Icmp4(i) | L4::Icmp6(i) => Some(i),
        _ => None,
    }
}

/// The shared `<kw>:<uint>` parse: value required, optional surrounding quotes.
pub(crate) fn uint<T: super::uint::UintValue>(kw: &str, value: Option<&str>) -> Result<Uint<T>, KwError> {
    let v = unquote(need(kw, value)?);
    Uint::<T>::parse(v).map_err(|e| KwError::invalid(kw, e))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{parse_keyword, Keyword};
    use super::*;
    use crate::capture::LinkType;
    use crate::decode::{IcmpHdr, IpHdr, TcpHdr};
    use crate::time::Timestamp;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

    /// IPv4 10.0.0.1:1234 -> 10.0.0.2:80, TTL 64, TOS 0x10, id 4321, DF; TCP seq 100 ack 200
    /// window 8192 MSS 1460 with `flags`.
    pub(crate) fn tcp_pkt(flags: u8) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp::from_parts(1000, 0), LinkType::Ethernet, &[]);
        p.ip = Some(ip4(6));
        p.l4 = L4::Tcp(TcpHdr { sport: 1234, dport: 80, seq: 100, ack: 200, flags, window: 8192, mss: Some(1460), ..TcpHdr::default() });
        p
    }

    /// The same TCP packet over IPv6 (hop limit 64).
    pub(crate) fn tcp6_pkt() -> Packet<'static> {
        let mut p = tcp_pkt(0x10);
        if let Some(ip) = p.ip.as_mut() {
            ip.version = 6;
            ip.src = IpAddr::V6(Ipv6Addr::LOCALHOST);
            ip.dst = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
            ip.id = 0;
        }
        p
    }

    /// ICMPv4 with type, code and (when given) identifier = sequence = `id`.
    pub(crate) fn icmp_pkt(typ: u8, code: u8, id: Option<u16>) -> Packet<'static> {
        let mut p = Packet::empty(Timestamp::from_parts(1000, 0), LinkType::Ethernet, &[]);
        p.ip = Some(ip4(1));
        p.l4 = L4::Icmp4(IcmpHdr { typ, code, id, seq: id, ..IcmpHdr::default() });
        p
    }

    /// An undecoded packet.
    pub(crate) fn bare_pkt() -> Packet<'static> {
        Packet::empty(Timestamp::from_parts(1, 0), LinkType::Ethernet, &[])
    }

    /// Parses `kw:v` (panicking unless it is a Cond) and evaluates it on `p` without a flow.
    pub(crate) fn check(kw: &str, v: &str, p: &Packet<'_>) -> bool {
        match parse_keyword(kw, Some(v)) {
            Some(Ok(Keyword::Cond(c))) => c.matches(p, None),
            other => panic!("{kw}:{v} -> {other:?}"),
        }
    }

    /// The reason of an invalid (not refused) option.
    pub(crate) fn error(kw: &str, v: Option<&str>) -> String {
        match parse_keyword(kw, v) {
            Some(Err(e)) if !e.refused => e.reason,
            other => panic!("{kw}:{v:?} -> {other:?}"),
        }
    }
}
