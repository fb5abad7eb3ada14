//! Active responses for `reject`, `rejectsrc`, `rejectdst` and `rejectboth` in inline mode:
//! a TCP RST for TCP, an ICMP port unreachable otherwise, sent on raw sockets with the IP
//! header built here (as Suricata's `respond-reject`).
//!
//! Sequence numbers: the RST to the packet's sender acknowledges what it sent (`ack = seq +
//! segment length`) and uses its acknowledgement as `seq`, so the sender accepts it; the RST
//! to the packet's receiver carries the dropped packet's own `seq`/`ack`, which is exactly
//! what the receiver expects next.
#![allow(unsafe_code)]

use crate::decode::{Packet, L4};
use crate::detect::Action;
use etherparse::PacketBuilder;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const TCP_SYN: u8 = 0x02;
const TCP_FIN: u8 = 0x01;
const TCP_RST: u8 = 0x04;
const TCP_ACK: u8 = 0x10;
/// Most bytes of the offending packet quoted in an ICMPv6 error (minimum MTU 1280 - 48).
const ICMP6_QUOTE_MAX: usize = 1232;

/// Which side(s) a reject action answers: (to the packet's source, to its destination).
pub fn sides(a: Action) -> (bool, bool) {
    match a {
        Action::Reject | Action::RejectSrc => (true, false),
        Action::RejectDst => (false, true),
        Action::RejectBoth => (true, true),
        _ => (false, false),
    }
}

/// Builds the response to `p` toward its source (`to_src`) or its destination into `out`
/// (cleared first). Returns the destination address, or `None` when the packet has no IP
/// layer, or is itself a RST or an ICMP error (never answered, to avoid loops).
pub fn build(p: &Packet<'_>, to_src: bool, out: &mut Vec<u8>) -> Option<IpAddr> {
    out.clear();
    let ip = p.ip?;
    let (src, dst) = if to_src { (ip.dst, ip.src) } else { (ip.src, ip.dst) };
    let ttl = 64;
    let builder = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => PacketBuilder::ipv4(s.octets(), d.octets(), ttl),
        (IpAddr::V6(s), IpAddr::V6(d)) => PacketBuilder::ipv6(s.octets(), d.octets(), ttl),
        _ => return None,
    };
    match &p.l4 {
        L4::Tcp(t) => {
            if t.flags & TCP_RST != 0 {
                return None;
            }
            let seg = p.payload_len + u32::from(t.flags & TCP_SYN != 0) + u32::from(t.flags & TCP_FIN != 0);
            let r = if to_src {
                let seq = if t.flags & TCP_ACK != 0 { t.ack } else { 0 };
                builder.tcp(t.dport, t.sport, seq, 0).rst().ack(t.seq.wrapping_add(seg))
            } else {
                let b = builder.tcp(t.sport, t.dport, t.seq, 0).rst();
                if t.flags & TCP_ACK != 0 {
                    b.ack(t.ack)
                } else {
                    b
                }
            };
            r.write(out, &[]).ok()?;
        }
        l4 => {
            if matches!(l4, L4::Icmp4(h) if is_icmp4_error(h.typ)) || matches!(l4, L4::Icmp6(h) if h.typ < 128) {
                return None;
            }
            let start = usize::from(ip.offset);
            let end = (start + ip.total_len as usize).min(p.data.len());
            let orig = p.data.get(start..end)?;
            match dst {
                IpAddr::V4(_) => {
                    let quote = &orig[..orig.len().min(usize::from(ip.hdr_len) + 8)];
                    let t = etherparse::Icmpv4Type::DestinationUnreachable(etherparse::icmpv4::DestUnreachableHeader::Port);
                    builder.icmpv4(t).write(out, quote).ok()?;
                }
                IpAddr::V6(_) => {
                    let quote = &orig[..orig.len().min(ICMP6_QUOTE_MAX)];
                    let t = etherparse::Icmpv6Type::DestinationUnreachable(etherparse::icmpv6::DestUnreachableCode::Port);
                    builder.icmpv6(t).write(out, quote).ok()?;
                }
            }
        }
    }
    Some(dst)
}

fn is_icmp4_error(kind: u8) -> bool {
    matches!(kind, 3 | 4 | 5 | 11 | 12)
}

/// Raw IPv4 and IPv6 sockets that send complete IP packets (IPPROTO_RAW implies a
/// caller-built header). Opened once per worker; needs CAP_NET_RAW.
pub struct RawSender {
    v4: OwnedFd,
    v6: Option<OwnedFd>,
    buf: Vec<u8>,
}

fn raw_socket(family: libc::c_int) -> std::io::Result<OwnedFd> {
    // SAFETY: plain syscall; the descriptor is checked, then owned.
    let fd = unsafe { libc::socket(family, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::IPPROTO_RAW) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

impl RawSender {
    /// Opens the sockets (IPv6 is optional: a host without it still rejects IPv4).
    pub fn open() -> std::io::Result<RawSender> {
        Ok(RawSender { v4: raw_socket(libc::AF_INET)?, v6: raw_socket(libc::AF_INET6).ok(), buf: Vec::with_capacity(1500) })
    }

    /// Sends the responses `action` asks for to `p`. Returns how many were sent.
    pub fn reject(&mut self, p: &Packet<'_>, action: Action) -> u32 {
        let (src, dst) = sides(action);
        let mut n = 0;
        for to_src in [true, false] {
            if (to_src && src) || (!to_src && dst) {
                let mut buf = std::mem::take(&mut self.buf);
                if let Some(to) = build(p, to_src, &mut buf) {
                    match self.send(&buf, to) {
                        Ok(()) => n += 1,
                        Err(e) => tracing::debug!("reject to {to}: {e}"),
                    }
                }
                self.buf = buf;
            }
        }
        n
    }

    fn send(&self, pkt: &[u8], to: IpAddr) -> std::io::Result<()> {
        let r = match to {
            IpAddr::V4(a) => {
                // SAFETY: all-zero is a valid sockaddr_in.
                let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
                sa.sin_family = libc::AF_INET as libc::sa_family_t;
                sa.sin_addr.s_addr = u32::from_ne_bytes(a.octets());
                // SAFETY: `pkt` and `sa` are valid for the call, lengths are theirs.
                unsafe {
                    libc::sendto(self.v4.as_raw_fd(), pkt.as_ptr() as *const libc::c_void, pkt.len(), 0, &sa as *const libc::sockaddr_in as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t)
                }
            }
            IpAddr::V6(a) => {
                let Some(fd) = &self.v6 else { return Err(std::io::Error::other("no IPv6 raw socket")) };
                // SAFETY: all-zero is a valid sockaddr_in6.
                let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
                sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sa.sin6_addr.s6_addr = a.octets();
                // SAFETY: `pkt` and `sa` are valid for the call, lengths are theirs.
                unsafe {
                    libc::sendto(fd.as_raw_fd(), pkt.as_ptr() as *const libc::c_void, pkt.len(), 0, &sa as *const libc::sockaddr_in6 as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t)
                }
            }
        };
        if r < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::LinkType;
    use crate::decode::{decode, DecodeConfig};
    use crate::time::Timestamp;

    fn tcp_pkt(flags_ack: bool, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        let b = PacketBuilder::ipv4([10, 200, 1, 2], [10, 200, 2, 2], 64).tcp(40000, 8080, 1000, 500);
        let b = if flags_ack { b.ack(7000).psh() } else { b.syn() };
        b.write(&mut v, payload).expect("build");
        v
    }

    #[test]
    fn rst_to_source_acks_what_it_sent() {
        let raw = tcp_pkt(true, b"GET /evil HTTP/1.1\r\n\r\n");
        let p = decode(Timestamp::default(), LinkType::Raw, &raw, &DecodeConfig::default());
        let mut out = Vec::new();
        let to = build(&p, true, &mut out).expect("built");
        assert_eq!(to.to_string(), "10.200.1.2");
        let r = decode(Timestamp::default(), LinkType::Raw, &out, &DecodeConfig { checksums: true });
        let ip = r.ip.expect("ip");
        assert_eq!((ip.src.to_string(), ip.dst.to_string()), ("10.200.2.2".into(), "10.200.1.2".into()));
        let L4::Tcp(t) = r.l4 else { panic!("tcp") };
        assert_eq!((t.sport, t.dport, t.seq, t.ack), (8080, 40000, 7000, 1000 + 22));
        assert_eq!(t.flags & (TCP_RST | TCP_ACK), TCP_RST | TCP_ACK);
        assert!(r.events.iter().next().is_none(), "checksums valid, no decode events");
    }

    #[test]
    fn rst_to_destination_uses_the_packets_own_numbers() {
        let raw = tcp_pkt(true, b"x");
        let p = decode(Timestamp::default(), LinkType::Raw, &raw, &DecodeConfig::default());
        let mut out = Vec::new();
        assert_eq!(build(&p, false, &mut out).expect("built").to_string(), "10.200.2.2");
        let r = decode(Timestamp::default(), LinkType::Raw, &out, &DecodeConfig::default());
        let L4::Tcp(t) = r.l4 else { panic!("tcp") };
        assert_eq!((t.sport, t.dport, t.seq, t.ack), (40000, 8080, 1000, 7000));
    }

    #[test]
    fn syn_counts_one_sequence_number() {
        let raw = tcp_pkt(false, b"");
        let p = decode(Timestamp::default(), LinkType::Raw, &raw, &DecodeConfig::default());
        let mut out = Vec::new();
        build(&p, true, &mut out).expect("built");
        let r = decode(Timestamp::default(), LinkType::Raw, &out, &DecodeConfig::default());
        let L4::Tcp(t) = r.l4 else { panic!("tcp") };
        assert_eq!((t.seq, t.ack), (0, 1001));
    }

    #[test]
    fn udp_gets_icmp_port_unreachable_quoting_the_header() {
        let mut raw = Vec::new();
        PacketBuilder::ipv4([10, 200, 1, 2], [10, 200, 2, 2], 64).udp(5353, 53).write(&mut raw, b"query").expect("build");
        let p = decode(Timestamp::default(), LinkType::Raw, &raw, &DecodeConfig::default());
        let mut out = Vec::new();
        build(&p, true, &mut out).expect("built");
        let r = decode(Timestamp::default(), LinkType::Raw, &out, &DecodeConfig { checksums: true });
        let L4::Icmp4(h) = r.l4 else { panic!("icmp") };
        assert_eq!((h.typ, h.code), (3, 3));
        assert_eq!(&out[28..28 + 28], &raw[..28], "quotes IP header + 8 bytes");
    }

    #[test]
    fn never_answers_a_rst_or_an_icmp_error() {
        let mut raw = Vec::new();
        PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64).tcp(1, 2, 3, 4).rst().write(&mut raw, &[]).expect("build");
        let p = decode(Timestamp::default(), LinkType::Raw, &raw, &DecodeConfig::default());
        assert!(build(&p, true, &mut Vec::new()).is_none());
        // Truncated garbage: no panic, no answer.
        for n in 0..raw.len() {
            let p = decode(Timestamp::default(), LinkType::Raw, &raw[..n], &DecodeConfig::default());
            let _ = build(&p, true, &mut Vec::new());
        }
    }
}
