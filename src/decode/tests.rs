//! Decoder tests: hand-written frames per layer (deconstruct, truncated, impossible length),
//! frames built with etherparse, a reference capture from suricata-verify, and proptests.
#![allow(clippy::type_complexity)]

use super::*;
use crate::capture::LinkType;
use crate::time::Timestamp;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use DecodeEvent as E;

const CK: DecodeConfig = DecodeConfig { checksums: true };
const NOCK: DecodeConfig = DecodeConfig { checksums: false };

fn dec(link: LinkType, data: &[u8]) -> Packet<'_> {
    decode(Timestamp::default(), link, data, &CK)
}

fn events(p: &Packet<'_>) -> Vec<&'static str> {
    p.events.iter().map(|e| e.name()).collect()
}

/// Ethernet + IPv4 + TCP SYN with MSS, SACK-permitted, timestamps, NOP, window scale.
const SYN: [u8; 74] = [
    0x72, 0x4d, 0x4a, 0xd1, 0x13, 0x0d, 0x4e, 0x9c, 0xae, 0xde, 0xcb, 0x73, 0x08, 0x00, // eth: dst, src, type IPv4
    0x45, 0x00, 0x00, 0x3c, 0xdf, 0x08, 0x40, 0x00, 0x40, 0x06, 0x47, 0x9f, // ip: v4 ihl5, len 60, id, DF, ttl 64, tcp, csum
    0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02, // ip: 10.9.0.1 -> 10.9.0.2
    0xd1, 0xf4, 0x11, 0x51, 0x34, 0x1b, 0x5b, 0x17, 0x00, 0x00, 0x00, 0x00, // tcp: 53748 -> 4433, seq, ack
    0xa0, 0x02, 0x72, 0x10, 0x14, 0x43, 0x00, 0x00, // tcp: doff 10, SYN, window 29200, csum, urg
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0xe4, 0xdb, 0x6b, 0x7b, // MSS 1460, SACK-perm, TS ..
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07, // .. TS ecr 0, NOP, wscale 7
];

#[test]
fn ethernet_ipv4_tcp_deconstruct() {
    let p = decode(Timestamp::from_micros(5), LinkType::Ethernet, &SYN, &NOCK);
    assert!(p.events.is_empty(), "{:?}", events(&p));
    let ip = p.ip.expect("ip");
    assert_eq!((ip.version, ip.src, ip.dst), (4, IpAddr::V4(Ipv4Addr::new(10, 9, 0, 1)), IpAddr::V4(Ipv4Addr::new(10, 9, 0, 2))));
    assert_eq!((ip.proto, ip.ttl, ip.id, ip.df, ip.mf, ip.offset, ip.hdr_len, ip.total_len), (6, 64, 0xdf08, true, false, 14, 20, 60));
    assert_eq!(ip.csum_ok, None);
    let t = p.tcp().expect("tcp");
    assert_eq!((t.sport, t.dport, t.seq, t.flags, t.window, t.offset, t.hdr_len), (53748, 4433, 0x341b_5b17, tcp_flags::SYN, 29200, 34, 40));
    assert_eq!((t.mss, t.wscale, t.sack_permitted, t.tsopt), (Some(1460), Some(7), true, Some((0xe4db_6b7b, 0))));
    assert_eq!((p.payload_off, p.payload_len), (74, 0));
    assert_eq!(p.ports(), (53748, 4433));
    assert_eq!(p.proto_name().to_string(), "TCP");
}

#[test]
fn ethernet_ipv4_tcp_truncated_at_every_length() {
    for cut in 0..SYN.len() {
        let p = dec(LinkType::Ethernet, &SYN[..cut]);
        let want = match cut {
            0..=13 => E::EthernetPktTooSmall,
            14..=33 => E::Ipv4PktTooSmall,
            _ => E::Ipv4TruncPkt,
        };
        assert_eq!(p.events.iter().collect::<Vec<_>>(), vec![want], "cut at {cut}");
        assert!(p.ip.is_none() && p.l4 == L4::None, "cut at {cut}");
    }
}

#[test]
fn impossible_lengths() {
    let cases: &[(&str, fn(&mut Vec<u8>), E)] = &[
        ("ihl 4", |b| b[14] = 0x44, E::Ipv4HlenTooSmall),
        ("version 5", |b| b[14] = 0x55, E::Ipv4WrongIpVersion),
        ("total < hlen", |b| b[17] = 19, E::Ipv4IplenSmallerThanHlen),
        ("total > frame", |b| b[17] = 61, E::Ipv4TruncPkt),
        ("tcp doff 4", |b| b[46] = 0x40, E::TcpHlenTooSmall),
        ("tcp doff 15", |b| b[46] = 0xf0, E::TcpPktTooSmall),
        ("tcp option length 0", |b| b[55] = 0, E::TcpOptInvalidLen),
        ("tcp option overruns header", |b| b[55] = 40, E::TcpOptInvalidLen),
        ("tcp mss length 3", |b| b[55] = 3, E::TcpOptInvalidLen),
    ];
    for (name, edit, want) in cases {
        let mut b = SYN.to_vec();
        edit(&mut b);
        let p = dec(LinkType::Ethernet, &b);
        assert!(p.events.contains(*want), "{name}: {:?}", events(&p));
    }
    // TCP option problems keep the TCP layer; header problems drop it.
    let mut b = SYN.to_vec();
    b[55] = 0;
    assert!(dec(LinkType::Ethernet, &b).tcp().is_some());
    b = SYN.to_vec();
    b[46] = 0x40;
    let p = dec(LinkType::Ethernet, &b);
    assert!(p.tcp().is_none() && p.ip.is_some());
}

#[test]
fn tcp_duplicate_option() {
    let mut b = SYN.to_vec();
    // replace SACK-permitted (04 02) + start of TS by a second MSS: keep lengths valid
    b[58..62].copy_from_slice(&[0x02, 0x04, 0x05, 0xb4]);
    b[62..71].copy_from_slice(&[0x01; 9]);
    let p = dec(LinkType::Ethernet, &b);
    assert_eq!(events(&p), vec!["tcp.opt_duplicate"]);
}

/// Builds Ethernet/IPv4/UDP with `pad` bytes of Ethernet trailer.
fn eth_udp(payload: &[u8], pad: usize) -> Vec<u8> {
    let mut v = Vec::new();
    etherparse::PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4([192, 168, 1, 1], [192, 168, 1, 2], 32)
        .udp(5353, 53)
        .write(&mut v, payload)
        .expect("build");
    v.extend(std::iter::repeat_n(0u8, pad));
    v
}

#[test]
fn payload_bounded_by_ip_length_not_ethernet_padding() {
    let b = eth_udp(b"hi", 16);
    let p = dec(LinkType::Ethernet, &b);
    assert!(p.events.is_empty(), "{:?}", events(&p));
    assert_eq!(p.payload(), b"hi");
    let u = match p.l4 {
        L4::Udp(u) => u,
        other => panic!("{other:?}"),
    };
    assert_eq!((u.sport, u.dport, u.len, u.offset, u.csum_ok), (5353, 53, 10, 34, Some(true)));
    assert_eq!(p.ip.and_then(|i| i.csum_ok), Some(true));
}

#[test]
fn checksums_detect_corruption_and_can_be_disabled() {
    let mut b = eth_udp(b"hello", 0);
    let n = b.len();
    b[n - 1] ^= 0xff;
    let p = dec(LinkType::Ethernet, &b);
    assert!(matches!(p.l4, L4::Udp(UdpHdr { csum_ok: Some(false), .. })));
    assert_eq!(p.ip.and_then(|i| i.csum_ok), Some(true));
    b[24] ^= 1; // IPv4 header checksum byte
    assert_eq!(dec(LinkType::Ethernet, &b).ip.and_then(|i| i.csum_ok), Some(false));
    let p = decode(Timestamp::default(), LinkType::Ethernet, &b, &NOCK);
    assert!(matches!(p.l4, L4::Udp(UdpHdr { csum_ok: None, .. })));
    assert_eq!(p.ip.and_then(|i| i.csum_ok), None);
}

#[test]
fn udp_lengths() {
    let b = eth_udp(b"abcd", 0);
    let cases: &[(&str, u16, E)] = &[("len > data", 13, E::UdpPktTooSmall), ("len < 8", 7, E::UdpLenInvalid), ("len < data", 10, E::UdpLenInvalid)];
    for (name, len, want) in cases {
        let mut b = b.clone();
        b[38..40].copy_from_slice(&len.to_be_bytes());
        let p = dec(LinkType::Ethernet, &b);
        assert!(p.events.contains(*want), "{name}: {:?}", events(&p));
    }
    let mut short = b.clone();
    short.truncate(14 + 20 + 6);
    short[16..18].copy_from_slice(&26u16.to_be_bytes());
    assert!(dec(LinkType::Ethernet, &short).events.contains(E::UdpHlenTooSmall));
}

#[test]
fn vlan_tags() {
    let inner = eth_udp(b"x", 0);
    for n in 0..=4usize {
        let mut b = inner[..12].to_vec();
        for i in 0..n {
            b.extend_from_slice(&[0x81, 0x00, 0x20, 10 + i as u8]); // TPID, PCP 1 + VID
        }
        b.extend_from_slice(&inner[12..]);
        let p = dec(LinkType::Ethernet, &b);
        if n <= 3 {
            assert_eq!(p.vlans().len(), n);
            assert_eq!(p.vlans().iter().map(|v| *v as usize).collect::<Vec<_>>(), (0..n).map(|i| 10 + i).collect::<Vec<_>>());
            assert!(p.ip.is_some() && p.events.is_empty(), "{n}: {:?}", events(&p));
        } else {
            assert!(p.events.contains(E::VlanTooManyLayers));
            assert!(p.ip.is_none());
        }
    }
    // 802.1ad outer + 802.1Q inner
    let mut b = inner[..12].to_vec();
    b.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8]);
    b.extend_from_slice(&inner[12..]);
    assert_eq!(dec(LinkType::Ethernet, &b).vlans(), &[100, 200]);
    // truncated tag, unknown type inside a tag
    assert!(dec(LinkType::Ethernet, &[0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 1]).events.contains(E::VlanHeaderTooSmall));
    let p = dec(LinkType::Ethernet, &[0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 1, 0x12, 0x34]);
    assert!(p.events.contains(E::VlanUnknownType) && p.events.contains(E::EthernetUnknownEthertype));
    // ARP is known: no event
    assert!(dec(LinkType::Ethernet, &[0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06, 0, 1]).events.is_empty());
}

#[test]
fn other_link_types() {
    let eth = eth_udp(b"q", 0);
    let ip = &eth[14..];
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(ip);
    let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
    sll2.extend_from_slice(ip);
    let mut null_le = vec![2, 0, 0, 0];
    null_le.extend_from_slice(ip);
    let mut null_be = vec![0, 0, 0, 2];
    null_be.extend_from_slice(ip);
    let cases: &[(&str, LinkType, &[u8])] = &[
        ("sll", LinkType::LinuxSll, &sll),
        ("sll2", LinkType::LinuxSll2, &sll2),
        ("null le", LinkType::Null, &null_le),
        ("null be", LinkType::Null, &null_be),
        ("loop", LinkType::Loop, &null_be),
        ("raw", LinkType::Raw, ip),
        ("ipv4", LinkType::Ipv4, ip),
    ];
    for (name, link, data) in cases {
        let p = dec(*link, data);
        assert!(p.events.is_empty(), "{name}: {:?}", events(&p));
        assert_eq!(p.ports(), (5353, 53), "{name}");
        assert_eq!(p.payload(), b"q", "{name}");
    }
    assert!(dec(LinkType::LinuxSll, &sll[..15]).events.contains(E::SllPktTooSmall));
    assert!(dec(LinkType::LinuxSll2, &sll2[..19]).events.contains(E::SllPktTooSmall));
    assert!(dec(LinkType::Null, &[2, 0]).events.contains(E::LtnullPktTooSmall));
    assert!(dec(LinkType::Null, &[7, 0, 0, 0]).events.contains(E::LtnullUnsupportedType));
    assert!(dec(LinkType::Raw, &[0x50, 0, 0]).events.contains(E::IprawInvalidIpVersion));
    let padded = eth_udp(b"q", 20);
    assert!(dec(LinkType::Ipv6, &padded[14..]).events.contains(E::Ipv6WrongIpVersion));
    assert!(dec(LinkType::Other(147), ip).ip.is_none());
}

#[test]
fn ipv4_options() {
    // (name, options bytes, expected ipopts bits or None if the IP layer is dropped, events)
    let cases: &[(&str, &[u8], Option<u16>, &[E])] = &[
        ("nop nop nop eol", &[1, 1, 1, 0], Some(ipopt::NOP | ipopt::EOL), &[]),
        ("record route", &[7, 7, 4, 0, 0, 0, 0, 0], Some(ipopt::RR | ipopt::EOL), &[]),
        ("rr bad pointer", &[7, 7, 5, 0, 0, 0, 0, 0], None, &[E::Ipv4OptMalformed]),
        ("timestamp", &[0x44, 8, 5, 0, 0, 0, 0, 0], Some(ipopt::TS), &[]),
        ("length overruns", &[0x44, 12, 5, 0], None, &[E::Ipv4OptInvalidLen]),
        ("length 1", &[0x88, 1, 0, 0], None, &[E::Ipv4OptInvalidLen]),
        ("lone type byte", &[1, 1, 1, 0x88], None, &[E::Ipv4OptEolRequired]),
        ("unknown option", &[0x9e, 4, 0, 0], Some(ipopt::ANY), &[E::Ipv4OptInvalid]),
        ("duplicate stream id", &[0x88, 4, 0, 1, 0x88, 4, 0, 2], Some(ipopt::SATID), &[E::Ipv4OptDuplicate]),
        ("lsrr + ssrr", &[0x83, 3, 4, 0x89, 3, 4, 1, 0], Some(ipopt::LSRR | ipopt::SSRR | ipopt::NOP | ipopt::EOL), &[]),
    ];
    for (name, opts, bits, want) in cases {
        let mut b = SYN[..14].to_vec();
        let ihl = 5 + opts.len() / 4;
        b.push(0x40 | ihl as u8);
        b.push(0);
        b.extend_from_slice(&((ihl * 4 + 40) as u16).to_be_bytes());
        b.extend_from_slice(&SYN[18..34]);
        b.extend_from_slice(opts);
        b.extend_from_slice(&SYN[34..]);
        let p = dec(LinkType::Ethernet, &b);
        assert_eq!(p.ip.map(|i| i.ipopts), *bits, "{name}: {:?}", events(&p));
        assert_eq!(p.events.iter().collect::<Vec<_>>(), want.to_vec(), "{name}");
        if bits.is_some() {
            assert_eq!(p.tcp().map(|t| t.sport), Some(53748), "{name}");
        }
    }
}

/// Builds an IPv6 frame (raw link) with the given next header and payload after the fixed header.
fn v6(nh: u8, hop: u8, rest: &[u8]) -> Vec<u8> {
    let mut b = vec![0x60, 0, 0, 0];
    b.extend_from_slice(&(rest.len() as u16).to_be_bytes());
    b.push(nh);
    b.push(hop);
    b.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    b.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    b.extend_from_slice(rest);
    b
}

const UDP8: [u8; 10] = [0x30, 0x39, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, b'h', b'i']; // 12345 -> 53, len 10

#[test]
fn ipv6_extension_headers() {
    let b = v6(17, 64, &UDP8);
    let p = dec(LinkType::Raw, &b);
    let ip = p.ip.expect("ip");
    assert_eq!((ip.version, ip.proto, ip.ttl, ip.hdr_len, ip.total_len), (6, 17, 64, 40, 50));
    assert_eq!(ip.src, IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)));
    assert_eq!((p.ports(), p.payload()), ((12345, 53), &b"hi"[..]));

    let mut hop_pad = vec![17, 0, 1, 4, 0, 0, 0, 0]; // hop-by-hop: PadN(4) only
    hop_pad.extend_from_slice(&UDP8);
    let b = v6(0, 1, &hop_pad);
    let p = dec(LinkType::Raw, &b);
    assert_eq!(events(&p), vec!["ipv6.hopopts_only_padding"]);
    assert_eq!((p.ports(), p.ip.map(|i| i.hdr_len)), ((12345, 53), Some(48)));

    let cases: &[(&str, Vec<u8>, u8, &[E])] = &[
        ("hop unknown opt", [vec![17, 0, 0x3f, 4, 0, 0, 0, 0], UDP8.to_vec()].concat(), 0, &[E::Ipv6HopoptsUnknownOpt]),
        ("dst padn 0", [vec![17, 0, 1, 0, 1, 2, 0, 0], UDP8.to_vec()].concat(), 60, &[E::Ipv6ZeroLenPadn, E::Ipv6DstoptsOnlyPadding]),
        ("opt overruns", [vec![17, 0, 5, 9, 0, 0, 0, 0], UDP8.to_vec()].concat(), 60, &[E::Ipv6ExthdrInvalidOptlen]),
        ("rh type 0", [vec![17, 0, 0, 0, 0, 0, 0, 0], UDP8.to_vec()].concat(), 43, &[E::Ipv6RhType0]),
        ("two rh", [vec![43, 0, 2, 0, 0, 0, 0, 0, 17, 0, 2, 0, 0, 0, 0, 0], UDP8.to_vec()].concat(), 43, &[E::Ipv6ExthdrDuplRh]),
        ("useless fh", [vec![17, 0, 0, 0, 0, 0, 0, 1], UDP8.to_vec()].concat(), 44, &[E::Ipv6ExthdrUselessFh]),
        ("fh reserved", [vec![17, 1, 0, 0, 0, 0, 0, 1], UDP8.to_vec()].concat(), 44, &[E::Ipv6ExthdrUselessFh, E::Ipv6FhNonZeroReservedField]),
        ("trunc exthdr", vec![17, 4, 0, 0], 0, &[E::Ipv6TruncExthdr]),
        ("none with data", vec![1, 2, 3], 59, &[E::Ipv6DataAfterNoneHeader]),
        ("unknown nh", vec![1, 2, 3], 253, &[E::Ipv6UnknownNextHeader]),
        ("icmpv4 in v6", vec![8, 0, 0, 0, 0, 0, 0, 0], 1, &[E::Ipv6Icmpv4]),
        ("ah reserved", [vec![17, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], UDP8.to_vec()].concat(), 51, &[E::Ipv6ExthdrAhResNotNull]),
    ];
    for (name, rest, nh, want) in cases {
        let b = v6(*nh, 64, rest);
        let p = dec(LinkType::Raw, &b);
        let mut got: Vec<_> = p.events.iter().collect();
        got.sort();
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(got, want, "{name}");
        assert!(p.ip.is_some(), "{name}");
    }
    // payload length beyond the frame, and short frames
    let mut b = v6(17, 64, &UDP8);
    b[5] += 1;
    assert!(dec(LinkType::Raw, &b).events.contains(E::Ipv6TruncPkt));
    assert!(dec(LinkType::Ipv6, &b[..39]).events.contains(E::Ipv6PktTooSmall));
}

#[test]
fn fragments() {
    // IPv6 first fragment: L4 decoded, id and flags recorded.
    let mut f0 = vec![17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef]; // offset 0, M
    f0.extend_from_slice(&UDP8[..8]);
    let b = v6(44, 64, &f0);
    let p = dec(LinkType::Raw, &b);
    let ip = p.ip.expect("ip");
    assert_eq!((ip.id, ip.frag_offset, ip.mf, ip.proto), (0xdead_beef, 0, true, 17));
    assert_eq!(p.ports(), (12345, 53));
    assert!(p.is_fragment() && p.events.is_empty(), "{:?}", events(&p));
    // second fragment: no L4, payload is the fragment data
    let f1 = [17, 0, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef, b'h', b'i'];
    let b = v6(44, 64, &f1);
    let p = dec(LinkType::Raw, &b);
    assert_eq!((p.l4, p.payload(), p.ip.map(|i| i.frag_offset)), (L4::None, &b"hi"[..], Some(1)));
    // IPv4 fragment with offset: no L4
    let mut b = eth_udp(b"abcdefgh", 0);
    b[20] = 0x00;
    b[21] = 0x03; // offset 3 (24 bytes)
    let p = dec(LinkType::Ethernet, &b);
    assert_eq!(p.l4, L4::None);
    assert_eq!(p.payload().len(), 16);
    assert_eq!(p.ip.map(|i| (i.frag_offset, i.mf)), Some((3, false)));
    // IPv4 first fragment with MF: UDP decoded without length checks
    let mut b = eth_udp(b"abcdefgh", 0);
    b[20] = 0x20;
    b[38..40].copy_from_slice(&1000u16.to_be_bytes());
    let p = dec(LinkType::Ethernet, &b);
    assert!(p.events.is_empty(), "{:?}", events(&p));
    assert_eq!(p.payload(), b"abcdefgh");
}

#[test]
fn icmp() {
    let mut v = Vec::new();
    etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4([1, 1, 1, 1], [2, 2, 2, 2], 9).icmpv4_echo_request(77, 5).write(&mut v, b"ping").expect("build");
    let p = dec(LinkType::Ethernet, &v);
    assert!(p.events.is_empty());
    match p.l4 {
        L4::Icmp4(h) => assert_eq!((h.typ, h.code, h.id, h.seq, h.csum_ok, h.hdr_len), (8, 0, Some(77), Some(5), Some(true), 8)),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.payload(), b"ping");
    // frag-needed carries the MTU and an embedded IPv4 header
    let icmp_at = 34;
    let mut b = v[..icmp_at].to_vec();
    b.extend_from_slice(&[3, 4, 0, 0, 0, 0, 0x05, 0xdc]);
    b.extend_from_slice(&SYN[14..34]);
    let total = (b.len() - 14) as u16;
    b[16..18].copy_from_slice(&total.to_be_bytes());
    let p = dec(LinkType::Ethernet, &b);
    assert!(matches!(p.l4, L4::Icmp4(IcmpHdr { mtu: Some(1500), .. })), "{:?}", p.l4);
    assert!(!p.events.contains(E::Icmpv4Ipv4TruncPkt));
    let cases: &[(&str, [u8; 8], &[u8], E)] = &[
        ("unknown type", [42, 0, 0, 0, 0, 0, 0, 0], &[], E::Icmpv4UnknownType),
        ("echo code 1", [8, 1, 0, 0, 0, 0, 0, 0], &[], E::Icmpv4UnknownCode),
        ("unreach code 16", [3, 16, 0, 0, 0, 0, 0, 0], &[], E::Icmpv4UnknownCode),
        ("embedded short", [11, 0, 0, 0, 0, 0, 0, 0], &[0x45, 0, 0], E::Icmpv4Ipv4TruncPkt),
        ("embedded version", [11, 0, 0, 0, 0, 0, 0, 0], &[0x65; 20], E::Icmpv4Ipv4UnknownVer),
    ];
    for (name, h, rest, want) in cases {
        let mut b = v[..icmp_at].to_vec();
        b.extend_from_slice(h);
        b.extend_from_slice(rest);
        let total = (b.len() - 14) as u16;
        b[16..18].copy_from_slice(&total.to_be_bytes());
        assert!(dec(LinkType::Ethernet, &b).events.contains(*want), "{name}");
    }
    let mut b = v[..icmp_at].to_vec();
    b.extend_from_slice(&[8, 0, 0]);
    b[16..18].copy_from_slice(&23u16.to_be_bytes());
    assert!(dec(LinkType::Ethernet, &b).events.contains(E::Icmpv4PktTooSmall));

    // ICMPv6
    let mut v = Vec::new();
    etherparse::PacketBuilder::ipv6([1; 16], [2; 16], 64).icmpv6_echo_reply(9, 10).write(&mut v, b"pong").expect("build");
    let p = dec(LinkType::Raw, &v);
    assert!(p.events.is_empty());
    assert!(matches!(p.l4, L4::Icmp6(IcmpHdr { typ: 129, id: Some(9), seq: Some(10), csum_ok: Some(true), .. })), "{:?}", p.l4);
    assert_eq!(p.proto_name().to_string(), "IPv6-ICMP");
    let ptb = [&[2u8, 0, 0, 0, 0, 0, 0x05, 0x00][..], &v6(17, 1, &UDP8)].concat();
    let b = v6(58, 64, &ptb);
    let p = dec(LinkType::Raw, &b);
    assert!(matches!(p.l4, L4::Icmp6(IcmpHdr { mtu: Some(1280), .. })));
    let cases: &[(&str, u8, Vec<u8>, E)] = &[
        ("mld hop limit", 64, vec![130, 0, 0, 0, 0, 0, 0, 0], E::Icmpv6MldMessageWithInvalidHl),
        ("unassigned", 1, vec![50, 0, 0, 0, 0, 0, 0, 0], E::Icmpv6UnassignedType),
        ("experimental", 1, vec![200, 0, 0, 0, 0, 0, 0, 0], E::Icmpv6ExperimentationType),
        ("unknown type 0", 1, vec![0, 0, 0, 0, 0, 0, 0, 0], E::Icmpv6UnknownType),
        ("echo code", 1, vec![128, 3, 0, 0, 0, 0, 0, 0], E::Icmpv6UnknownCode),
        ("embedded short", 1, vec![1, 0, 0, 0, 0, 0, 0, 0, 0x60], E::Icmpv6Ipv6TruncPkt),
        ("embedded version", 1, [vec![3, 0, 0, 0, 0, 0, 0, 0], vec![0x45; 40]].concat(), E::Icmpv6Ipv6UnknownVersion),
        ("too small", 1, vec![128, 0, 0], E::Icmpv6PktTooSmall),
    ];
    for (name, hl, rest, want) in cases {
        assert!(dec(LinkType::Raw, &v6(58, *hl, rest)).events.contains(*want), "{name}");
    }
    // ICMPv6 carried in IPv4
    let mut b = eth_udp(b"", 0);
    b[23] = 58;
    assert!(dec(LinkType::Ethernet, &b).events.contains(E::Ipv4Icmpv6));
}

#[test]
fn tunnels() {
    let inner = eth_udp(b"tun", 0);
    let inner_ip = &inner[14..];
    let outer = |proto: u8, body: &[u8]| {
        let mut b = SYN[..14].to_vec();
        b.extend_from_slice(&[0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        let total = (20 + body.len()) as u16;
        b[16..18].copy_from_slice(&total.to_be_bytes());
        b.extend_from_slice(body);
        b
    };
    let check = |name: &str, b: &[u8], kind: TunnelKind| {
        let p = dec(LinkType::Ethernet, b);
        assert!(p.events.is_empty(), "{name}: {:?}", events(&p));
        assert_eq!(p.ip.map(|i| i.src), Some(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1))), "{name}");
        assert_eq!((p.ports(), p.payload()), ((5353, 53), &b"tun"[..]), "{name}");
        let t = p.tunnel.expect("tunnel");
        assert_eq!(t.kind, kind, "{name}");
        assert_eq!(t.outer.map(|o| o.src), Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))), "{name}");
    };
    check("ipip", &outer(4, inner_ip), TunnelKind::IpInIp);
    let gre = [&[0x30u8, 0x00, 0x08, 0x00, 0, 0, 0x12, 0x34, 0, 0, 0, 7][..], inner_ip].concat(); // K+S, IPv4
    check("gre key seq", &outer(47, &gre), TunnelKind::Gre { key: Some(0x1234), seq: Some(7) });
    let mpls = [&[0x00u8, 0x01, 0x01, 0x40][..], inner_ip].concat(); // label 16, bottom of stack
    check("mpls in ip", &outer(137, &mpls), TunnelKind::Mpls);
    // 6in4
    let b = outer(41, &v6(17, 64, &UDP8));
    let p = dec(LinkType::Ethernet, &b);
    assert_eq!((p.ip.map(|i| i.version), p.ports()), (Some(6), (12345, 53)));
    // MPLS over Ethernet with explicit-null IPv4 label
    let mut b = inner[..12].to_vec();
    b.extend_from_slice(&[0x88, 0x47, 0x00, 0x00, 0x01, 0x40]);
    b.extend_from_slice(inner_ip);
    let p = dec(LinkType::Ethernet, &b);
    assert_eq!(p.ports(), (5353, 53));
    assert_eq!(p.tunnel.map(|t| (t.kind, t.outer)), Some((TunnelKind::Mpls, None)));
    // GRE problems
    let cases: &[(&str, &[u8], E)] = &[
        ("short", &[0, 0], E::GrePktTooSmall),
        ("recursion", &[0x01, 0, 8, 0], E::GreVersion0Recur),
        ("flags", &[0, 0x08, 8, 0], E::GreVersion0Flags),
        ("hdr too big", &[0x30, 0, 8, 0, 0, 0], E::GreVersion0HdrTooBig),
        ("version 2", &[0, 2, 8, 0], E::GreWrongVersion),
        ("v1 no key", &[0, 1, 0x88, 0x0b], E::GreVersion1NoKey),
        ("v1 proto", &[0x20, 1, 0x08, 0x00, 0, 0, 0, 0], E::GreVersion1WrongProtocol),
        ("v1 csum", &[0x80, 1, 0x88, 0x0b], E::GreVersion1Chksum),
    ];
    for (name, body, want) in cases {
        let b = outer(47, body);
        let p = dec(LinkType::Ethernet, &b);
        assert!(p.events.contains(*want), "{name}: {:?}", events(&p));
        assert_eq!(p.l4, L4::Other(47), "{name}");
    }
    // IPv6-in-IPv6 too small / wrong version
    assert!(dec(LinkType::Raw, &v6(41, 64, &[0x60; 10])).events.contains(E::Ipv6Ipv6InIpv6TooSmall));
    assert!(dec(LinkType::Raw, &v6(41, 64, &[0x45; 40])).events.contains(E::Ipv6Ipv6InIpv6WrongVersion));
    assert!(dec(LinkType::Raw, &v6(4, 64, &[0x65; 20])).events.contains(E::Ipv6Ipv4InIpv6WrongVersion));
    // MPLS reserved labels
    for (label, want) in [(1u8, E::MplsBadLabelRouterAlert), (3, E::MplsBadLabelImplicitNull), (7, E::MplsBadLabelReserved)] {
        let mut b = inner[..12].to_vec();
        b.extend_from_slice(&[0x88, 0x47, 0x00, 0x00, (label << 4) | 0x01, 0x40]);
        b.extend_from_slice(inner_ip);
        assert!(dec(LinkType::Ethernet, &b).events.contains(want), "label {label}");
    }
    // nested IP-in-IP beyond the layer limit stops with too_many_layers
    let mut b = inner_ip.to_vec();
    for _ in 0..20 {
        let mut o = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 4, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let total = (20 + b.len()) as u16;
        o[2..4].copy_from_slice(&total.to_be_bytes());
        o.extend_from_slice(&b);
        b = o;
    }
    assert!(dec(LinkType::Raw, &b).events.contains(E::TooManyLayers));
}

#[test]
fn unknown_ethertype_and_protocol() {
    let mut b = eth_udp(b"", 0);
    b[12] = 0x12;
    assert_eq!(events(&dec(LinkType::Ethernet, &b)), vec!["ethernet.unknown_ethertype"]);
    let mut b = eth_udp(b"", 0);
    b[23] = 200;
    let p = dec(LinkType::Ethernet, &b);
    assert!(p.events.contains(E::Ipv4UnknownProtocol));
    assert_eq!((p.l4, p.payload().len()), (L4::Other(200), 8));
    b[23] = 89; // OSPF: assigned, not decoded, no event
    assert!(dec(LinkType::Ethernet, &b).events.is_empty());
}

/// Suricata-verify's output-eve-anomaly-packethdr: Suricata logs 42 icmpv4.unknown_type,
/// 4 icmpv4.unknown_code and 2 ipv4.trunc_pkt anomalies for this capture.
#[test]
fn suricata_verify_anomaly_capture() {
    use crate::capture::pcap_file::PcapSource;
    use crate::capture::{Frame, PacketSource};
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/tests/output-eve-anomaly-packethdr/anomaly.pcap"));
    assert!(path.exists(), "reference capture missing: {}", path.display());
    let mut src = PcapSource::open(path).expect("open reference capture");
    let mut frame = Frame::new();
    let mut counts = std::collections::BTreeMap::new();
    while src.next_frame(&mut frame).expect("read reference capture") {
        let p = decode(frame.ts, frame.link, &frame.data, &NOCK);
        for e in p.events.iter() {
            *counts.entry(e.eve_name()).or_insert(0) += 1;
        }
    }
    assert_eq!(counts.get("decoder.icmpv4.unknown_type"), Some(&42), "{counts:?}");
    assert_eq!(counts.get("decoder.icmpv4.unknown_code"), Some(&4), "{counts:?}");
    assert_eq!(counts.get("decoder.ipv4.trunc_pkt"), Some(&2), "{counts:?}");
    assert_eq!(counts.values().sum::<i32>(), 48, "{counts:?}");
}

const LINKS: [LinkType; 9] = [
    LinkType::Ethernet,
    LinkType::Null,
    LinkType::Loop,
    LinkType::Raw,
    LinkType::Ipv4,
    LinkType::Ipv6,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
    LinkType::Other(147),
];

#[test]
fn flow_hint_agrees_on_built_packets() {
    let eth = eth_udp(b"x", 0);
    for (link, data) in [(LinkType::Ethernet, SYN.to_vec()), (LinkType::Ethernet, eth.clone()), (LinkType::Raw, v6(17, 64, &UDP8)), (LinkType::Raw, eth[14..].to_vec())] {
        let h = flow_hint(link, &data).expect("hint");
        assert_eq!(Some(h), dec(link, &data).flow_hint());
        // symmetric: swapping addresses and ports gives the same worker hash
        let k1 = crate::flow::FlowKey::new((h.src, h.sport), (h.dst, h.dport), h.proto, h.vlans());
        let k2 = crate::flow::FlowKey::new((h.dst, h.dport), (h.src, h.sport), h.proto, h.vlans());
        assert_eq!(k1.worker_hash(), k2.worker_hash());
        assert_eq!(crate::flow::flow_hash_hint(link, &data), k1.worker_hash());
    }
    assert_eq!(flow_hint(LinkType::Ethernet, &[0; 10]), None);
    assert_eq!(crate::flow::flow_hash_hint(LinkType::Ethernet, &[0; 10]), 0);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn link() -> impl Strategy<Value = LinkType> {
        proptest::sample::select(LINKS.to_vec())
    }

    /// Arbitrary bytes behind a plausible prefix, so deep layers get exercised too.
    fn frame() -> impl Strategy<Value = (LinkType, Vec<u8>)> {
        let prefixes: Vec<Vec<u8>> = vec![
            vec![],
            SYN[..14].to_vec(),
            [&SYN[..12], &[0x81, 0x00, 0, 1][..], &[0x86, 0xdd][..]].concat(),
            SYN[..34].to_vec(),
            v6(44, 64, &[])[..40].to_vec(),
            v6(0, 64, &[])[..40].to_vec(),
            [&SYN[..14], &[0x45, 0, 0, 0, 0, 0, 0, 0, 64, 47, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2][..]].concat(),
        ];
        (link(), proptest::sample::select(prefixes), proptest::collection::vec(any::<u8>(), 0..200)).prop_map(|(l, mut pre, rest)| {
            pre.extend(rest);
            // make IPv4/IPv6 length fields agree with the frame sometimes
            (l, pre)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        #[test]
        fn never_panics_and_hint_agrees((link, data) in frame()) {
            let p = decode(Timestamp::default(), link, &data, &CK);
            // every offset the packet exposes is inside the frame
            prop_assert!(p.payload_off as usize + p.payload_len as usize <= data.len());
            let _ = p.payload();
            if let Some(ip) = p.ip {
                prop_assert!((ip.offset as usize) < data.len());
            }
            prop_assert_eq!(flow_hint(link, &data), decode(Timestamp::default(), link, &data, &NOCK).flow_hint());
        }

        #[test]
        fn any_bytes_any_link(link in link(), data in proptest::collection::vec(any::<u8>(), 0..128)) {
            let p = decode(Timestamp::default(), link, &data, &CK);
            prop_assert!(p.payload_off as usize + p.payload_len as usize <= data.len());
            prop_assert_eq!(flow_hint(link, &data), p.flow_hint());
        }

        #[test]
        fn built_packets_decode_to_their_fields(
            src in any::<[u8; 4]>(), dst in any::<[u8; 4]>(), src6 in any::<[u8; 16]>(), dst6 in any::<[u8; 16]>(),
            sport in any::<u16>(), dport in any::<u16>(), ttl in 1u8.., seq in any::<u32>(), win in any::<u16>(),
            payload in proptest::collection::vec(any::<u8>(), 0..300), v6 in any::<bool>(), tcp in any::<bool>(), vlan in proptest::option::of(0u16..4095),
        ) {
            let mut b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]);
            let _ = &mut b;
            let mut out = Vec::new();
            let step = match vlan {
                Some(v) => {
                    let vid = etherparse::VlanId::try_new(v).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let s = b.single_vlan(vid);
                    if v6 { s.ipv6(src6, dst6, ttl) } else { s.ipv4(src, dst, ttl) }
                }
                None => if v6 { b.ipv6(src6, dst6, ttl) } else { b.ipv4(src, dst, ttl) },
            };
            if tcp {
                step.tcp(sport, dport, seq, win).syn().write(&mut out, &payload)
            } else {
                step.udp(sport, dport).write(&mut out, &payload)
            }.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let p = decode(Timestamp::default(), LinkType::Ethernet, &out, &CK);
            prop_assert!(p.events.is_empty(), "{:?}", p.events);
            let ip = p.ip.ok_or_else(|| TestCaseError::fail("no ip"))?;
            if v6 {
                prop_assert_eq!((ip.src, ip.dst), (IpAddr::V6(Ipv6Addr::from(src6)), IpAddr::V6(Ipv6Addr::from(dst6))));
            } else {
                prop_assert_eq!((ip.src, ip.dst), (IpAddr::V4(Ipv4Addr::from(src)), IpAddr::V4(Ipv4Addr::from(dst))));
                prop_assert_eq!(ip.csum_ok, Some(true));
            }
            prop_assert_eq!(ip.ttl, ttl);
            prop_assert_eq!(p.ports(), (sport, dport));
            prop_assert_eq!(p.payload(), &payload[..]);
            prop_assert_eq!(p.vlans(), vlan.as_slice());
            match p.l4 {
                L4::Tcp(t) => {
                    prop_assert!(tcp);
                    prop_assert_eq!((t.seq, t.window, t.flags, t.csum_ok), (seq, win, tcp_flags::SYN, Some(true)));
                }
                L4::Udp(u) => {
                    prop_assert!(!tcp);
                    prop_assert_eq!(u.csum_ok, Some(true));
                }
                other => prop_assert!(false, "{:?}", other),
            }
            prop_assert_eq!(flow_hint(LinkType::Ethernet, &out), p.flow_hint());
        }
    }
}
