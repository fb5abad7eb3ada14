//! A cheap flow tuple for the dispatcher: addresses, ports, protocol and VLAN ids, without a
//! full decode. [`crate::flow::flow_hash_hint`] turns it into the symmetric worker hash.
//!
//! Contract: `flow_hint(link, data) == decode(.., link, data, ..).flow_hint()` for every input.
//! The fast path handles the common shapes (Ethernet/SLL/SLL2/null/raw, up to three VLAN tags,
//! IPv4 without options or IPv6 without extension headers, unfragmented, TCP/UDP/other) with
//! exactly the validity checks [`super::decode`] applies to them; everything else (options,
//! extension headers, fragments, tunnels, malformed headers) falls back to a full decode with
//! checksums off. A test checks the equality on arbitrary bytes for every link type.

use super::ip::{proto, IPV4_HDR, IPV6_HDR};
use super::l4::{TCP_HDR, UDP_HDR};
use super::link::{ethertype as et, ETH_LEN, MAX_VLAN_LAYERS, SLL2_LEN, SLL_LEN, VLAN_LEN};
use super::{be16, be32, decode, DecodeConfig};
use crate::capture::LinkType;
use crate::time::Timestamp;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The fields a flow key is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowHint {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// TCP/UDP source port, 0 otherwise.
    pub sport: u16,
    /// TCP/UDP destination port, 0 otherwise.
    pub dport: u16,
    /// IP protocol (after extension headers).
    pub proto: u8,
    /// VLAN ids, outermost first; `vlan_len` are valid.
    pub vlan: [u16; 3],
    /// Number of valid VLAN ids.
    pub vlan_len: u8,
    /// The packet is an IP fragment: ports are 0 for non-first fragments, so a dispatcher that
    /// must keep fragments of one datagram together should hash on addresses only for these.
    pub fragment: bool,
}

impl FlowHint {
    /// The VLAN ids present, outermost first.
    pub fn vlans(&self) -> &[u16] {
        &self.vlan[..(self.vlan_len as usize).min(3)]
    }
}

/// Extracts the flow tuple of a frame; `None` when it has no IP layer. See the module doc.
pub fn flow_hint(link: LinkType, data: &[u8]) -> Option<FlowHint> {
    match fast(link, data) {
        Some(h) => Some(h),
        None => decode(Timestamp::default(), link, data, &DecodeConfig { checksums: false }).flow_hint(),
    }
}

/// The fast path; `None` means "not sure, do the full decode".
fn fast(link: LinkType, data: &[u8]) -> Option<FlowHint> {
    let mut vlan = [0u16; 3];
    let mut vlan_len = 0u8;
    let (mut off, mut ethertype) = match link {
        LinkType::Ethernet if data.len() >= ETH_LEN => (ETH_LEN, be16(data, 12)),
        LinkType::LinuxSll if data.len() >= SLL_LEN => (SLL_LEN, be16(data, 14)),
        LinkType::LinuxSll2 if data.len() >= SLL2_LEN => (SLL2_LEN, be16(data, 0)),
        LinkType::Raw | LinkType::Ipv4 | LinkType::Ipv6 => match (link, data.first().map(|b| b >> 4)) {
            (LinkType::Raw | LinkType::Ipv4, Some(4)) => (0, et::IPV4),
            (LinkType::Raw | LinkType::Ipv6, Some(6)) => (0, et::IPV6),
            _ => return None,
        },
        _ => return None,
    };
    while matches!(ethertype, et::VLAN | et::QINQ_8021AD | et::QINQ_9100) {
        if vlan_len as usize >= MAX_VLAN_LAYERS || data.len() < off + VLAN_LEN {
            return None;
        }
        vlan[vlan_len as usize] = be16(data, off) & 0x0fff;
        vlan_len += 1;
        ethertype = be16(data, off + 2);
        off += VLAN_LEN;
    }
    let d = data.get(off..)?;
    let (src, dst, nh, l4) = match ethertype {
        et::IPV4 => {
            if d.len() < IPV4_HDR || d.first() != Some(&0x45) {
                return None;
            }
            let total = be16(d, 2) as usize;
            if total < IPV4_HDR || total > d.len() || be16(d, 6) & 0x3fff != 0 {
                return None;
            }
            let src = IpAddr::V4(Ipv4Addr::from(be32(d, 12)));
            let dst = IpAddr::V4(Ipv4Addr::from(be32(d, 16)));
            (src, dst, d.get(9).copied()?, d.get(IPV4_HDR..total)?)
        }
        et::IPV6 => {
            if d.len() < IPV6_HDR || d.first().map(|b| b >> 4) != Some(6) {
                return None;
            }
            let end = IPV6_HDR + be16(d, 4) as usize;
            let mut s = [0u8; 16];
            s.copy_from_slice(d.get(8..24)?);
            let mut t = [0u8; 16];
            t.copy_from_slice(d.get(24..40)?);
            (IpAddr::V6(Ipv6Addr::from(s)), IpAddr::V6(Ipv6Addr::from(t)), d.get(6).copied()?, d.get(IPV6_HDR..end)?)
        }
        _ => return None,
    };
    let (sport, dport) = match nh {
        proto::TCP => {
            let doff = ((l4.get(12).copied().unwrap_or(0) >> 4) as usize) * 4;
            if l4.len() >= TCP_HDR && doff >= TCP_HDR && l4.len() >= doff {
                (be16(l4, 0), be16(l4, 2))
            } else {
                (0, 0)
            }
        }
        proto::UDP => {
            let ulen = be16(l4, 4) as usize;
            if l4.len() >= UDP_HDR && ulen >= UDP_HDR && ulen <= l4.len() {
                (be16(l4, 0), be16(l4, 2))
            } else {
                (0, 0)
            }
        }
        // A destination unreachable hashes with the flow it quotes: the slow way.
        proto::ICMP if l4.first() == Some(&3) => return None,
        // ICMP and the like have no ports; anything that might be a tunnel or an extension
        // header goes the slow way.
        proto::ICMP | proto::ICMPV6 | proto::IGMP | proto::SCTP | proto::ESP | proto::PIM | proto::VRRP => (0, 0),
        _ => return None,
    };
    Some(FlowHint { src, dst, sport, dport, proto: nh, vlan, vlan_len, fragment: false })
}
