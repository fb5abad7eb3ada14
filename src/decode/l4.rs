//! Transport layers: TCP (with options), UDP, ICMPv4, ICMPv6; checksums.

use super::ip::{fold, proto, sum16};
use super::{be16, be32, Dec, DecodeEvent as E, IcmpHdr, IpHdr, TcpHdr, UdpHdr, L4};
use std::net::IpAddr;

/// TCP header length without options.
pub(crate) const TCP_HDR: usize = 20;
/// UDP header length.
pub(crate) const UDP_HDR: usize = 8;
/// ICMP header length.
pub(crate) const ICMP_HDR: usize = 8;

/// Ones-complement sum of the TCP/UDP/ICMPv6 pseudo header.
pub(crate) fn pseudo_sum(ip: &IpHdr, proto: u8, len: usize) -> u32 {
    let mut s = 0u32;
    match (ip.src, ip.dst) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            s = sum16(&a.octets(), s);
            s = sum16(&b.octets(), s);
            s = s.wrapping_add(proto as u32).wrapping_add(len as u32 & 0xffff);
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            s = sum16(&a.octets(), s);
            s = sum16(&b.octets(), s);
            s = s.wrapping_add((len as u32) >> 16).wrapping_add(len as u32 & 0xffff).wrapping_add(proto as u32);
        }
        _ => {}
    }
    s
}

impl<'a> Dec<'a, '_> {
    fn l4_csum(&self, proto: u8, seg: &[u8], frag: bool) -> Option<bool> {
        if !self.cfg.checksums || frag {
            return None;
        }
        let ip = self.p.ip?;
        Some(fold(sum16(seg, pseudo_sum(&ip, proto, seg.len()))) == 0xffff)
    }

    /// TCP at `[off, end)`. `frag`: a first fragment (checksum not verifiable).
    pub(crate) fn tcp(&mut self, off: usize, end: usize, frag: bool) {
        let seg = self.data.get(off..end).unwrap_or(&[]);
        if seg.len() < TCP_HDR {
            return self.ev(E::TcpPktTooSmall);
        }
        let hlen = ((seg.get(12).copied().unwrap_or(0) >> 4) as usize) * 4;
        if hlen < TCP_HDR {
            return self.ev(E::TcpHlenTooSmall);
        }
        if seg.len() < hlen {
            return self.ev(E::TcpPktTooSmall);
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let mut t = TcpHdr {
            sport: be16(seg, 0),
            dport: be16(seg, 2),
            seq: be32(seg, 4),
            ack: be32(seg, 8),
            flags: seg.get(13).copied().unwrap_or(0),
            window: be16(seg, 14),
            urg_ptr: be16(seg, 18),
            offset: off16,
            hdr_len: hlen as u16,
            ..TcpHdr::default()
        };
        self.tcp_options(seg.get(TCP_HDR..hlen).unwrap_or(&[]), &mut t);
        t.csum_ok = self.l4_csum(proto::TCP, seg, frag);
        self.p.l4 = L4::Tcp(t);
        self.set_payload(off + hlen, end);
    }

    /// TCP options (Suricata's DecodeTCPOptions): bad lengths stop the walk.
    fn tcp_options(&mut self, mut o: &[u8], t: &mut TcpHdr) {
        let mut sack_seen = false;
        while let Some(&typ) = o.first() {
            match typ {
                0 => break,
                1 => {
                    o = o.get(1..).unwrap_or(&[]);
                    continue;
                }
                _ => {}
            }
            let Some(&len) = o.get(1) else { break };
            let len = len as usize;
            if len > o.len() || len < 2 {
                self.ev(E::TcpOptInvalidLen);
                return;
            }
            let v = o.get(2..len).unwrap_or(&[]);
            match typ {
                2 => {
                    if len != 4 {
                        self.ev(E::TcpOptInvalidLen);
                    } else if t.mss.is_some() {
                        self.ev(E::TcpOptDuplicate);
                    } else {
                        t.mss = Some(be16(v, 0));
                    }
                }
                3 => {
                    if len != 3 {
                        self.ev(E::TcpOptInvalidLen);
                    } else if t.wscale.is_some() {
                        self.ev(E::TcpOptDuplicate);
                    } else {
                        t.wscale = v.first().copied();
                    }
                }
                4 => {
                    if len != 2 {
                        self.ev(E::TcpOptInvalidLen);
                    } else if t.sack_permitted {
                        self.ev(E::TcpOptDuplicate);
                    } else {
                        t.sack_permitted = true;
                    }
                }
                5 => {
                    if !(10..=34).contains(&len) || (len - 2) % 8 != 0 {
                        self.ev(E::TcpOptInvalidLen);
                    } else if sack_seen {
                        self.ev(E::TcpOptDuplicate);
                    }
                    sack_seen = true;
                }
                8 => {
                    if len != 10 {
                        self.ev(E::TcpOptInvalidLen);
                    } else if t.tsopt.is_some() {
                        self.ev(E::TcpOptDuplicate);
                    } else {
                        t.tsopt = Some((be32(v, 0), be32(v, 4)));
                    }
                }
                19 if len != 18 => self.ev(E::TcpOptInvalidLen), // MD5 signature
                29 if len < 4 => self.ev(E::TcpOptInvalidLen),   // TCP-AO
                34 if len != 2 && !(6..=18).contains(&len) => self.ev(E::TcpOptInvalidLen), // TFO
                _ => {}
            }
            o = o.get(len..).unwrap_or(&[]);
        }
    }

    /// UDP at `[off, end)`. `frag`: a first fragment, whose datagram continues elsewhere.
    pub(crate) fn udp(&mut self, off: usize, end: usize, frag: bool) {
        let seg = self.data.get(off..end).unwrap_or(&[]);
        if seg.len() < UDP_HDR {
            return self.ev(E::UdpHlenTooSmall);
        }
        let ulen = be16(seg, 4) as usize;
        let mut pend = end;
        if !frag {
            if ulen > seg.len() {
                return self.ev(E::UdpPktTooSmall);
            }
            if ulen < UDP_HDR {
                return self.ev(E::UdpLenInvalid);
            }
            if ulen != seg.len() {
                self.ev(E::UdpLenInvalid);
            }
            pend = off + ulen;
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let v4 = self.p.ip.map(|i| i.version == 4).unwrap_or(false);
        let csum_ok = if v4 && be16(seg, 6) == 0 && self.cfg.checksums && !frag {
            Some(true) // checksum not used (IPv4 only)
        } else {
            self.l4_csum(proto::UDP, seg.get(..pend - off).unwrap_or(seg), frag)
        };
        self.p.l4 = L4::Udp(UdpHdr { sport: be16(seg, 0), dport: be16(seg, 2), len: ulen as u16, offset: off16, csum_ok });
        self.set_payload(off + UDP_HDR, pend);
    }

    /// ICMPv4 at `[off, end)` (Suricata's DecodeICMPV4).
    pub(crate) fn icmpv4(&mut self, off: usize, end: usize, frag: bool) {
        let seg = self.data.get(off..end).unwrap_or(&[]);
        if seg.len() < ICMP_HDR {
            return self.ev(E::Icmpv4PktTooSmall);
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let typ = seg.first().copied().unwrap_or(0);
        let code = seg.get(1).copied().unwrap_or(0);
        let mut h = IcmpHdr { typ, code, offset: off16, hdr_len: ICMP_HDR as u16, ..IcmpHdr::default() };
        let (max_code, idseq, embeds) = match typ {
            0 | 8 => (0, true, false),
            3 => (15, false, true),
            4 => (0, false, true),
            5 => (3, false, true),
            9 => (16, false, false),
            10 => (0, false, false),
            11 => (1, false, true),
            12 => (2, false, true),
            13..=18 => (0, true, false),
            _ => {
                self.ev(E::Icmpv4UnknownType);
                (u8::MAX, false, false)
            }
        };
        let code_ok = code <= max_code && !(typ == 9 && code != 0 && code != 16);
        if !code_ok {
            self.ev(E::Icmpv4UnknownCode);
        }
        if idseq {
            h.id = Some(be16(seg, 4));
            h.seq = Some(be16(seg, 6));
        }
        if typ == 3 && code == 4 {
            h.mtu = Some(be16(seg, 6) as u32);
        }
        if embeds && code_ok && seg.len() > ICMP_HDR {
            let inner = seg.get(ICMP_HDR..).unwrap_or(&[]);
            if inner.len() < super::ip::IPV4_HDR {
                self.ev(E::Icmpv4Ipv4TruncPkt);
            } else if inner.first().map(|b| b >> 4) != Some(4) {
                self.ev(E::Icmpv4Ipv4UnknownVer);
            } else if typ == 3 {
                h.emb = icmp4_embedded(inner);
            }
        }
        h.csum_ok = if self.cfg.checksums && !frag { Some(fold(sum16(seg, 0)) == 0xffff) } else { None };
        self.p.l4 = L4::Icmp4(h);
        self.set_payload(off + ICMP_HDR, end);
    }

    /// ICMPv6 at `[off, end)` (Suricata's DecodeICMPV6).
    pub(crate) fn icmpv6(&mut self, off: usize, end: usize, frag: bool) {
        let seg = self.data.get(off..end).unwrap_or(&[]);
        if seg.len() < ICMP_HDR {
            return self.ev(E::Icmpv6PktTooSmall);
        }
        let Ok(off16) = u16::try_from(off) else { return };
        let typ = seg.first().copied().unwrap_or(0);
        let code = seg.get(1).copied().unwrap_or(0);
        let hop_limit = self.p.ip.map(|i| i.ttl).unwrap_or(0);
        let mut h = IcmpHdr { typ, code, offset: off16, hdr_len: ICMP_HDR as u16, ..IcmpHdr::default() };
        let mut embeds = false;
        let code_ok = match typ {
            1 => {
                embeds = true;
                code <= 7
            }
            2 => {
                embeds = true;
                h.mtu = Some(be32(seg, 4));
                code == 0
            }
            3 => {
                embeds = true;
                code <= 1
            }
            4 => {
                embeds = true;
                code <= 3
            }
            128 | 129 => {
                h.id = Some(be16(seg, 4));
                h.seq = Some(be16(seg, 6));
                code == 0
            }
            130..=132 | 143 => {
                if hop_limit != 1 {
                    self.ev(E::Icmpv6MldMessageWithInvalidHl);
                }
                code == 0
            }
            133..=137 | 141 | 142 | 144..=153 => code == 0,
            138 => code <= 1 || code == 255,
            139 | 140 => code <= 2,
            154..=159 => true,
            5..=99 | 102..=126 | 160..=199 | 202..=255 => {
                self.ev(E::Icmpv6UnassignedType);
                true
            }
            100 | 101 | 200 | 201 => {
                self.ev(E::Icmpv6ExperimentationType);
                true
            }
            _ => {
                self.ev(E::Icmpv6UnknownType);
                true
            }
        };
        if !code_ok {
            self.ev(E::Icmpv6UnknownCode);
        }
        if embeds && code_ok && seg.len() > ICMP_HDR {
            let inner = seg.get(ICMP_HDR..).unwrap_or(&[]);
            if inner.len() < super::ip::IPV6_HDR {
                self.ev(E::Icmpv6Ipv6TruncPkt);
            } else if inner.first().map(|b| b >> 4) != Some(6) {
                self.ev(E::Icmpv6Ipv6UnknownVersion);
            }
        }
        h.csum_ok = self.l4_csum(proto::ICMPV6, seg, frag);
        self.p.l4 = L4::Icmp6(h);
        self.set_payload(off + ICMP_HDR, end);
    }
}

/// The tuple of the TCP/UDP packet quoted by an ICMPv4 destination unreachable (`inner` is
/// the quoted IPv4 header and what follows), when the quote holds the ports (Suricata's
/// DecodePartialIPV4: 20 bytes of IP plus the first 8 bytes of the L4 header).
fn icmp4_embedded(inner: &[u8]) -> Option<super::IcmpEmbedded> {
    let ihl = usize::from(inner.first()? & 0x0f) * 4;
    let proto = *inner.get(9)?;
    // Suricata wants a whole TCP header but only the 8-byte UDP header.
    let l4_len = match proto {
        6 => 20,
        17 => 8,
        _ => return None,
    };
    if ihl < super::ip::IPV4_HDR || inner.len() < super::ip::IPV4_HDR + l4_len {
        return None;
    }
    let addr = |o: usize| -> Option<std::net::IpAddr> {
        let b: [u8; 4] = inner.get(o..o + 4)?.try_into().ok()?;
        Some(std::net::IpAddr::from(b))
    };
    let l4 = inner.get(ihl..ihl + 8)?;
    Some(super::IcmpEmbedded { src: addr(12)?, dst: addr(16)?, proto, sport: be16(l4, 0), dport: be16(l4, 2) })
}

/// Checksum verdicts computed from the bytes on demand, for the checksum rule keywords
/// (`tcpv4-csum` ...). Suricata evaluates those keywords whatever `-k` says; with `-k none`
/// the decoder skips the work, so the keyword asks here. `None`: not verifiable (fragment,
/// truncated capture, no such layer).
impl super::Packet<'_> {
    /// The IPv4 header checksum verdict (the decoder's when it checked, else computed now).
    pub fn ipv4_csum_ok(&self) -> Option<bool> {
        let ip = self.ip.filter(|ip| ip.version == 4)?;
        if ip.csum_ok.is_some() {
            return ip.csum_ok;
        }
        let start = ip.offset as usize;
        let hdr = self.data.get(start..start + ip.hdr_len as usize)?;
        Some(fold(sum16(hdr, 0)) == 0xffff)
    }

    /// The TCP/UDP/ICMP checksum verdict (the decoder's when it checked, else computed now).
    pub fn l4_csum_ok(&self) -> Option<bool> {
        let ip = self.ip?;
        if self.is_fragment() {
            return None;
        }
        let (decoded, off, proto_no) = match self.l4 {
            L4::Tcp(t) => (t.csum_ok, t.offset, proto::TCP),
            L4::Udp(u) => (u.csum_ok, u.offset, proto::UDP),
            L4::Icmp4(i) => (i.csum_ok, i.offset, 1),
            L4::Icmp6(i) => (i.csum_ok, i.offset, proto::ICMPV6),
            _ => return None,
        };
        if decoded.is_some() {
            return decoded;
        }
        let end = (ip.offset as usize).checked_add(ip.total_len as usize)?;
        let seg = self.data.get(off as usize..end)?;
        match self.l4 {
            L4::Udp(_) if ip.version == 4 && be16(seg, 6) == 0 => Some(true),
            L4::Udp(u) => {
                let seg = seg.get(..u.len as usize).unwrap_or(seg);
                Some(fold(sum16(seg, pseudo_sum(&ip, proto_no, seg.len()))) == 0xffff)
            }
            L4::Icmp4(_) => Some(fold(sum16(seg, 0)) == 0xffff),
            _ => Some(fold(sum16(seg, pseudo_sum(&ip, proto_no, seg.len()))) == 0xffff),
        }
    }
}
