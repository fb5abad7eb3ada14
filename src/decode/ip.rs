//! IPv4 (with options), IPv6 (with extension headers) and the IP tunnels we follow:
//! IP-in-IP (4), IPv6-in-IP (41), GRE version 0 (47) and MPLS-in-IP (137).
//!
//! Tunnels: Suricata builds a separate pseudo packet for the inner packet and inspects both.
//! We decode straight through to the innermost packet: [`Packet::ip`](super::Packet::ip) and
//! the transport layer are the inner ones, and [`Packet::tunnel`](super::Packet::tunnel)
//! records the outermost IP header and the kind of the outermost tunnel. Detection therefore
//! sees the inner packet only.

use super::{be16, be32, ipopt, Dec, DecodeEvent as E, IpHdr, TunnelKind, L4};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 header length without options.
pub(crate) const IPV4_HDR: usize = 20;
/// IPv6 fixed header length.
pub(crate) const IPV6_HDR: usize = 40;
/// Most IPv6 extension headers walked.
pub const MAX_IPV6_EXTHDRS: usize = 32;

/// IP protocol numbers we handle.
pub(crate) mod proto {
    pub const HOPOPTS: u8 = 0;
    pub const ICMP: u8 = 1;
    pub const IGMP: u8 = 2;
    pub const IPIP: u8 = 4;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const IPV6: u8 = 41;
    pub const ROUTING: u8 = 43;
    pub const FRAGMENT: u8 = 44;
    pub const GRE: u8 = 47;
    pub const ESP: u8 = 50;
    pub const AH: u8 = 51;
    pub const ICMPV6: u8 = 58;
    pub const NONE: u8 = 59;
    pub const DSTOPTS: u8 = 60;
    pub const PIM: u8 = 103;
    pub const VRRP: u8 = 112;
    pub const SCTP: u8 = 132;
    pub const MH: u8 = 135;
    pub const MPLS_IN_IP: u8 = 137;
    pub const HIP: u8 = 139;
    pub const SHIM6: u8 = 140;
}

/// RFC 1071 ones-complement sum of `data` added to `sum` (not folded).
pub(crate) fn sum16(data: &[u8], mut sum: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum = sum.wrapping_add(u16::from_be_bytes([c[0], c[1]]) as u32);
    }
    if let [last] = chunks.remainder() {
        sum = sum.wrapping_add((*last as u32) << 8);
    }
    sum
}

/// Folds a 32-bit ones-complement sum to 16 bits.
pub(crate) fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

impl<'a> Dec<'a, '_> {
    /// Decodes an IPv4 packet at `off`. `inner` marks a tunnelled packet. On any failure the
    /// IP layer is left unset, as Suricata clears it.
    pub(crate) fn ipv4(&mut self, off: usize, inner: bool) {
        let Some(d) = self.data.get(off..) else { return };
        if d.len() < IPV4_HDR {
            self.ev(E::Ipv4PktTooSmall);
            return;
        }
        let b0 = d.first().copied().unwrap_or(0);
        if b0 >> 4 != 4 {
            self.ev(E::Ipv4WrongIpVersion);
            return;
        }
        let hlen = ((b0 & 0x0f) as usize) * 4;
        if hlen < IPV4_HDR {
            self.ev(E::Ipv4HlenTooSmall);
            return;
        }
        let total = be16(d, 2) as usize;
        if total < hlen {
            self.ev(E::Ipv4IplenSmallerThanHlen);
            return;
        }
        if d.len() < total {
            self.ev(E::Ipv4TruncPkt);
            return;
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let hdr = d.get(..hlen).unwrap_or(&[]);
        let Some(ipopts) = self.ipv4_options(hdr.get(IPV4_HDR..).unwrap_or(&[])) else { return };
        let frag = be16(d, 6);
        let src = IpAddr::V4(Ipv4Addr::from(be32(d, 12)));
        let dst = IpAddr::V4(Ipv4Addr::from(be32(d, 16)));
        let ip = IpHdr {
            version: 4,
            src,
            dst,
            proto: d.get(9).copied().unwrap_or(0),
            ttl: d.get(8).copied().unwrap_or(0),
            tos: d.get(1).copied().unwrap_or(0),
            id: be16(d, 4) as u32,
            frag_offset: frag & 0x1fff,
            mf: frag & 0x2000 != 0,
            df: frag & 0x4000 != 0,
            rb: frag & 0x8000 != 0,
            offset: off16,
            hdr_len: hlen as u16,
            total_len: total as u32,
            ipopts,
            csum_ok: if self.cfg.checksums { Some(fold(sum16(hdr, 0)) == 0xffff) } else { None },
        };
        self.set_ip(ip, inner);
        self.ip_payload(ip.proto, off + hlen, off + total, ip.frag_offset > 0, ip.mf);
    }

    /// Walks IPv4 options (Suricata's DecodeIPV4Options). `None` when they are invalid enough
    /// that Suricata drops the IP layer.
    fn ipv4_options(&mut self, mut o: &[u8]) -> Option<u16> {
        let mut bits = 0u16;
        let mut seen_ts = false;
        let mut seen_rr = false;
        let mut seen_lsrr = false;
        let mut seen_ssrr = false;
        let mut seen_other = 0u32;
        while let Some(&typ) = o.first() {
            match typ {
                0 => {
                    bits |= ipopt::EOL;
                    break;
                }
                1 => {
                    bits |= ipopt::NOP;
                    o = o.get(1..).unwrap_or(&[]);
                    continue;
                }
                _ => {}
            }
            if o.len() < 2 {
                self.ev(E::Ipv4OptEolRequired);
                return None;
            }
            let len = o.get(1).copied().unwrap_or(0) as usize;
            if len > o.len() || len < 2 {
                self.ev(E::Ipv4OptInvalidLen);
                return None;
            }
            let opt = o.get(..len).unwrap_or(&[]);
            let ptr = opt.get(2).copied().unwrap_or(0) as usize;
            let dup = |seen: &mut bool, ev: &mut Self| {
                if *seen {
                    ev.ev(E::Ipv4OptDuplicate);
                }
                *seen = true;
            };
            match typ {
                // record route, loose / strict source route: 3 + 4n bytes, pointer 4.. step 4
                0x07 | 0x83 | 0x89 => {
                    if len < 3 {
                        self.ev(E::Ipv4OptInvalidLen);
                        return None;
                    }
                    if ptr < 4 || ptr % 4 != 0 || ptr > len + 1 {
                        self.ev(E::Ipv4OptMalformed);
                        return None;
                    }
                    let (seen, bit) = match typ {
                        0x07 => (&mut seen_rr, ipopt::RR),
                        0x83 => (&mut seen_lsrr, ipopt::LSRR),
                        _ => (&mut seen_ssrr, ipopt::SSRR),
                    };
                    dup(seen, self);
                    bits |= bit;
                }
                // timestamp
                0x44 => {
                    if len < 5 {
                        self.ev(E::Ipv4OptInvalidLen);
                        return None;
                    }
                    let flag = opt.get(3).copied().unwrap_or(0) & 0x0f;
                    let rec = if flag == 0 { 4 } else { 8 };
                    if ptr < 5 || (ptr - 5) % rec != 0 || ptr > len + 1 {
                        self.ev(E::Ipv4OptMalformed);
                        return None;
                    }
                    dup(&mut seen_ts, self);
                    bits |= ipopt::TS;
                }
                // security (11), extended security (>= 3), stream id (4), router alert (4),
                // quick start (8), CIPSO (>= 10)
                0x82 | 0x85 | 0x88 | 0x94 | 0x19 | 0x86 => {
                    let ok = match typ {
                        0x82 => len == 11,
                        0x88 | 0x94 => len == 4,
                        0x19 => len == 8,
                        0x86 => len >= 10,
                        _ => len >= 3,
                    };
                    if !ok {
                        self.ev(E::Ipv4OptInvalidLen);
                        return None;
                    }
                    let slot = match typ {
                        0x82 => 0,
                        0x85 => 1,
                        0x88 => 2,
                        0x94 => 3,
                        0x19 => 4,
                        _ => 5,
                    };
                    if seen_other & (1 << slot) != 0 {
                        self.ev(E::Ipv4OptDuplicate);
                    }
                    seen_other |= 1 << slot;
                    bits |= match typ {
                        0x82 => ipopt::SEC,
                        0x85 => ipopt::ESEC,
                        0x88 => ipopt::SATID,
                        _ => ipopt::ANY,
                    };
                }
                _ => {
                    self.ev(E::Ipv4OptInvalid);
                    bits |= ipopt::ANY;
                }
            }
            o = o.get(len..).unwrap_or(&[]);
        }
        Some(bits)
    }

    /// Decodes an IPv6 packet at `off`.
    pub(crate) fn ipv6(&mut self, off: usize, inner: bool) {
        let Some(d) = self.data.get(off..) else { return };
        if d.len() < IPV6_HDR {
            self.ev(E::Ipv6PktTooSmall);
            return;
        }
        let b0 = d.first().copied().unwrap_or(0);
        if b0 >> 4 != 6 {
            self.ev(E::Ipv6WrongIpVersion);
            return;
        }
        let plen = be16(d, 4) as usize;
        if d.len() < IPV6_HDR + plen {
            self.ev(E::Ipv6TruncPkt);
            return;
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let addr = |i: usize| {
            let mut a = [0u8; 16];
            if let Some(s) = d.get(i..i + 16) {
                a.copy_from_slice(s);
            }
            IpAddr::V6(Ipv6Addr::from(a))
        };
        let mut ip = IpHdr {
            version: 6,
            src: addr(8),
            dst: addr(24),
            proto: d.get(6).copied().unwrap_or(0),
            ttl: d.get(7).copied().unwrap_or(0),
            tos: (((be16(d, 0) >> 4) & 0xff) as u8),
            id: 0,
            frag_offset: 0,
            mf: false,
            df: false,
            rb: false,
            offset: off16,
            hdr_len: IPV6_HDR as u16,
            total_len: (IPV6_HDR + plen) as u32,
            ipopts: 0,
            csum_ok: None,
        };
        let end = off + IPV6_HDR + plen;
        let (nh, l4_off) = self.ipv6_exthdrs(&mut ip, off + IPV6_HDR, end);
        ip.proto = nh;
        ip.hdr_len = u16::try_from(l4_off - off).unwrap_or(u16::MAX);
        self.set_ip(ip, inner);
        match nh {
            // Extension-header walk stopped on something it could not follow.
            proto::NONE => {
                self.p.l4 = L4::Other(nh);
                self.set_payload(l4_off, end);
            }
            _ => self.ip_payload(nh, l4_off, end, ip.frag_offset > 0, ip.mf),
        }
    }

    /// Walks IPv6 extension headers from `off`; returns the upper-layer protocol and its offset.
    fn ipv6_exthdrs(&mut self, ip: &mut IpHdr, mut off: usize, end: usize) -> (u8, usize) {
        let mut nh = ip.proto;
        let (mut hh, mut rh, mut fh, mut ah) = (false, false, false, false);
        let mut dh = 0;
        for _ in 0..MAX_IPV6_EXTHDRS {
            let rest = self.data.get(off..end).unwrap_or(&[]);
            match nh {
                proto::HOPOPTS | proto::DSTOPTS | proto::ROUTING | proto::MH | proto::HIP | proto::SHIM6 => {
                    if rest.len() < 2 {
                        self.ev(E::Ipv6TruncExthdr);
                        return (proto::NONE, end);
                    }
                    let hlen = (rest.get(1).copied().unwrap_or(0) as usize + 1) * 8;
                    if hlen > rest.len() {
                        self.ev(E::Ipv6TruncExthdr);
                        return (proto::NONE, end);
                    }
                    let h = rest.get(..hlen).unwrap_or(&[]);
                    match nh {
                        proto::HOPOPTS => {
                            if hh {
                                self.ev(E::Ipv6ExthdrDuplHh);
                            }
                            hh = true;
                            self.ipv6_options(h.get(2..).unwrap_or(&[]), true);
                        }
                        proto::DSTOPTS => {
                            if dh >= 2 {
                                self.ev(E::Ipv6ExthdrDuplDh);
                            }
                            dh += 1;
                            self.ipv6_options(h.get(2..).unwrap_or(&[]), false);
                        }
                        proto::ROUTING => {
                            if rh {
                                self.ev(E::Ipv6ExthdrDuplRh);
                            }
                            rh = true;
                            if h.get(2) == Some(&0) {
                                self.ev(E::Ipv6RhType0);
                            }
                        }
                        _ => {}
                    }
                    nh = h.first().copied().unwrap_or(proto::NONE);
                    off += hlen;
                }
                proto::FRAGMENT => {
                    if rest.len() < 8 {
                        self.ev(E::Ipv6TruncExthdr);
                        return (proto::NONE, end);
                    }
                    if fh {
                        self.ev(E::Ipv6ExthdrDuplFh);
                    }
                    fh = true;
                    let fo = be16(rest, 2);
                    if rest.get(1) != Some(&0) || fo & 0x0006 != 0 {
                        self.ev(E::Ipv6FhNonZeroReservedField);
                    }
                    ip.frag_offset = fo >> 3;
                    ip.mf = fo & 1 != 0;
                    ip.id = be32(rest, 4);
                    if ip.frag_offset == 0 && !ip.mf {
                        self.ev(E::Ipv6ExthdrUselessFh);
                    }
                    if ip.mf && (rest.len() - 8) % 8 != 0 {
                        self.ev(E::Ipv6FragInvalidLength);
                    }
                    nh = rest.first().copied().unwrap_or(proto::NONE);
                    off += 8;
                    if ip.frag_offset > 0 {
                        // Not the first fragment: the rest is opaque until reassembly.
                        return (nh, off);
                    }
                }
                proto::AH => {
                    if rest.len() < 8 {
                        self.ev(E::Ipv6TruncExthdr);
                        return (proto::NONE, end);
                    }
                    let hlen = (rest.get(1).copied().unwrap_or(0) as usize + 2) * 4;
                    if hlen > rest.len() {
                        self.ev(E::Ipv6TruncExthdr);
                        return (proto::NONE, end);
                    }
                    if be16(rest, 2) != 0 {
                        self.ev(E::Ipv6ExthdrAhResNotNull);
                    }
                    if ah {
                        self.ev(E::Ipv6ExthdrDuplAh);
                    }
                    ah = true;
                    nh = rest.first().copied().unwrap_or(proto::NONE);
                    off += hlen;
                }
                // ESP encrypts what follows, so a second ESP header (exthdr_dupl_eh) cannot be seen.
                proto::ESP => return (nh, off),
                proto::NONE => {
                    if !rest.is_empty() {
                        self.ev(E::Ipv6DataAfterNoneHeader);
                    }
                    return (nh, off);
                }
                proto::ICMP => {
                    self.ev(E::Ipv6Icmpv4);
                    return (nh, off);
                }
                proto::TCP | proto::UDP | proto::ICMPV6 | proto::SCTP | proto::GRE | proto::IPIP | proto::IPV6 | proto::PIM
                | proto::MPLS_IN_IP | proto::VRRP => return (nh, off),
                _ => {
                    self.ev(E::Ipv6UnknownNextHeader);
                    return (nh, off);
                }
            }
        }
        self.ev(E::TooManyLayers);
        (proto::NONE, end)
    }

    /// Hop-by-hop / destination options (TLV list) checks.
    fn ipv6_options(&mut self, mut o: &[u8], hop: bool) {
        let mut only_padding = true;
        while let Some(&typ) = o.first() {
            if typ == 0 {
                o = o.get(1..).unwrap_or(&[]);
                continue;
            }
            let Some(&len) = o.get(1) else {
                self.ev(E::Ipv6ExthdrInvalidOptlen);
                return;
            };
            let len = len as usize;
            if 2 + len > o.len() {
                self.ev(E::Ipv6ExthdrInvalidOptlen);
                return;
            }
            match typ {
                1 => {
                    if len == 0 {
                        self.ev(E::Ipv6ZeroLenPadn);
                    }
                }
                // router alert, jumbo payload, home address, tunnel encap limit, RPL, quick start, CALIPSO
                0x05 | 0xc2 | 0xc9 | 0x04 | 0x63 | 0x26 | 0x07 | 0x6d | 0x1e | 0x3e | 0x5e | 0x7e | 0x9e | 0xbe | 0xde | 0xfe => only_padding = false,
                _ => {
                    only_padding = false;
                    self.ev(if hop { E::Ipv6HopoptsUnknownOpt } else { E::Ipv6DstoptsUnknownOpt });
                }
            }
            o = o.get(2 + len..).unwrap_or(&[]);
        }
        if only_padding {
            self.ev(if hop { E::Ipv6HopoptsOnlyPadding } else { E::Ipv6DstoptsOnlyPadding });
        }
    }

    /// Dispatches the IP payload `[off, end)` by protocol. `later_frag`: not the first
    /// fragment (no L4 decoding); `mf`: more fragments follow (L4 length checks are skipped).
    fn ip_payload(&mut self, proto: u8, off: usize, end: usize, later_frag: bool, mf: bool) {
        if later_frag {
            self.p.l4 = L4::None;
            self.set_payload(off, end);
            return;
        }
        let is_v4 = self.p.ip.map(|i| i.version == 4).unwrap_or(false);
        match proto {
            proto::TCP => self.tcp(off, end, mf),
            proto::UDP => self.udp(off, end, mf),
            proto::ICMP if is_v4 => self.icmpv4(off, end, mf),
            proto::ICMPV6 if !is_v4 => self.icmpv6(off, end, mf),
            proto::ICMPV6 => {
                self.ev(E::Ipv4Icmpv6);
                self.other(proto, off, end);
            }
            proto::IPIP | proto::IPV6 | proto::GRE | proto::MPLS_IN_IP if !mf => {
                if !self.enter_layer() {
                    return self.other(proto, off, end);
                }
                self.tunnel_mark(match proto {
                    proto::IPIP => TunnelKind::IpInIp,
                    proto::IPV6 => TunnelKind::Ipv6InIp,
                    proto::GRE => TunnelKind::Gre { key: None, seq: None },
                    _ => TunnelKind::Mpls,
                });
                // Bound inner decoding by the outer IP length, not the frame.
                let saved = self.data;
                let outer_off = self.p.ip.map(|i| i.offset);
                self.data = self.data.get(..end).unwrap_or(self.data);
                match proto {
                    proto::IPIP => self.inner_ip(off, 4),
                    proto::IPV6 => self.inner_ip(off, 6),
                    proto::GRE => self.gre(off),
                    _ => self.mpls(off),
                }
                self.data = saved;
                if self.p.ip.map(|i| i.offset) == outer_off {
                    // No inner IP layer: the tunnel payload stays visible as the IP payload.
                    self.other(proto, off, end);
                }
            }
            _ => {
                // Only numbers IANA has not assigned (143-252): an assigned protocol we do not
                // decode (OSPF, L2TP, ...) is not an anomaly.
                if is_v4 && (143..=252).contains(&proto) {
                    self.ev(E::Ipv4UnknownProtocol);
                }
                self.other(proto, off, end)
            }
        }
    }

    fn other(&mut self, proto: u8, off: usize, end: usize) {
        self.p.l4 = L4::Other(proto);
        self.set_payload(off, end);
    }

    /// IPv4-in-IP / IPv6-in-IP: checks the inner version, then decodes it.
    fn inner_ip(&mut self, off: usize, want: u8) {
        let d = self.data.get(off..).unwrap_or(&[]);
        let outer_v6 = self.p.ip.map(|i| i.version == 6).unwrap_or(false);
        let ver = d.first().map(|b| b >> 4);
        if outer_v6 {
            let (min, small, wrong) = if want == 4 {
                (IPV4_HDR, E::Ipv6Ipv4InIpv6TooSmall, E::Ipv6Ipv4InIpv6WrongVersion)
            } else {
                (IPV6_HDR, E::Ipv6Ipv6InIpv6TooSmall, E::Ipv6Ipv6InIpv6WrongVersion)
            };
            if d.len() < min {
                return self.ev(small);
            }
            if ver != Some(want) {
                return self.ev(wrong);
            }
        }
        if want == 4 {
            self.ipv4(off, true)
        } else {
            self.ipv6(off, true)
        }
    }

    /// GRE (RFC 2784/2890 version 0; version 1 is checked but its PPP payload not decoded).
    fn gre(&mut self, off: usize) {
        let d = self.data.get(off..).unwrap_or(&[]);
        if d.len() < 4 {
            return self.ev(E::GrePktTooSmall);
        }
        let f = d.first().copied().unwrap_or(0);
        let v = d.get(1).copied().unwrap_or(0);
        let (c, r, k, s, ssr) = (f & 0x80 != 0, f & 0x40 != 0, f & 0x20 != 0, f & 0x10 != 0, f & 0x08 != 0);
        let recur = f & 0x07;
        let ptype = be16(d, 2);
        match v & 0x07 {
            0 => {
                if recur != 0 {
                    return self.ev(E::GreVersion0Recur);
                }
                if v & 0xf8 != 0 {
                    return self.ev(E::GreVersion0Flags);
                }
                let mut hlen = 4;
                if c || r {
                    hlen += 4;
                }
                let key_at = hlen;
                if k {
                    hlen += 4;
                }
                let seq_at = hlen;
                if s {
                    hlen += 4;
                }
                if hlen > d.len() {
                    return self.ev(E::GreVersion0HdrTooBig);
                }
                if r {
                    // Source routing entries (deprecated, RFC 1701): not followed.
                    return;
                }
                let key = if k { Some(be32(d, key_at)) } else { None };
                let seq = if s { Some(be32(d, seq_at)) } else { None };
                if let Some(t) = self.p.tunnel.as_mut() {
                    if let TunnelKind::Gre { key: tk, seq: ts } = &mut t.kind {
                        if tk.is_none() && ts.is_none() {
                            *tk = key;
                            *ts = seq;
                        }
                    }
                }
                let inner = off + hlen;
                use super::link::ethertype as et;
                match ptype {
                    et::IPV4 => self.ipv4(inner, true),
                    et::IPV6 => self.ipv6(inner, true),
                    et::BRIDGE => self.ethernet(inner),
                    et::MPLS_UC | et::MPLS_MC => self.mpls(inner),
                    et::VLAN | et::QINQ_8021AD => self.ether_dispatch(inner, ptype),
                    _ => {}
                }
            }
            1 => {
                if c {
                    return self.ev(E::GreVersion1Chksum);
                }
                if r {
                    return self.ev(E::GreVersion1Route);
                }
                if ssr {
                    return self.ev(E::GreVersion1Ssr);
                }
                if recur != 0 {
                    return self.ev(E::GreVersion1Recur);
                }
                if v & 0x7f & !0x07 != 0 {
                    return self.ev(E::GreVersion1Flags);
                }
                if !k {
                    return self.ev(E::GreVersion1NoKey);
                }
                if ptype != 0x880b {
                    return self.ev(E::GreVersion1WrongProtocol);
                }
                let hlen = 8 + if s { 4 } else { 0 } + if v & 0x80 != 0 { 4 } else { 0 };
                if hlen > d.len() {
                    self.ev(E::GreVersion1HdrTooBig);
                }
                // PPTP's enhanced GRE carries PPP, which we do not decode.
            }
            _ => self.ev(E::GreWrongVersion),
        }
    }
}
