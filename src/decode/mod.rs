//! Zero-copy decoding. A [`Packet`] is the captured bytes plus the offsets and parsed header
//! fields of each layer; nothing is copied out of the frame.
//!
//! Contract: [`decode`] never panics on any input. Malformed or odd layers raise named
//! [`DecodeEvent`]s (Suricata's `decoder.*` names) and decoding stops at the first layer it
//! cannot trust; everything decoded before that stays available to detection.
//!
//! What is decoded: Ethernet, Linux SLL/SLL2, raw IPv4/IPv6, BSD null/loop (both byte
//! orders), up to [`link::MAX_VLAN_LAYERS`] 802.1Q/802.1ad tags, MPLS, IPv4 with options,
//! IPv6 with extension headers (hop-by-hop, routing, destination options, fragment, AH, ESP
//! stops), TCP with options, UDP, ICMPv4, ICMPv6. IP fragments with a non-zero offset keep
//! `l4 = None` and their payload is the IP payload (reassembly is a later stage); a first
//! fragment is decoded but its L4 length checks and checksum are skipped.
//!
//! Tunnels (IP-in-IP, IPv6-in-IP, GRE version 0 with key/sequence, MPLS, MPLS-in-IP,
//! Ethernet-over-GRE) are decoded straight through to the innermost packet, which is what
//! [`Packet::ip`] and [`Packet::l4`] describe; [`Packet::tunnel`] keeps the outermost IP
//! header and the outermost tunnel kind. As Suricata inspects the tunnel packet and then an
//! inner pseudo packet, the pipeline treats [`Packet::tunnel_outer`] as a packet of its own
//! (own flow, own inspection) before the inner one.
//!
//! Event semantics follow Suricata's decoders: too-small / truncated / wrong-version
//! conditions raise the layer's event and drop that layer (an IPv4 or IPv6 header that
//! fails its checks leaves `ip = None`, as Suricata clears it). Checksums are never events;
//! they are verdicts in the `csum_ok` fields when [`DecodeConfig::checksums`] is set.
//!
//! Limits: [`MAX_LAYERS`] nested link/tunnel layers, [`ip::MAX_IPV6_EXTHDRS`] extension
//! headers, [`link::MAX_MPLS_LABELS`] labels; beyond them `too_many_layers` is raised.
//! Frames longer than 65535 bytes are decoded only while header offsets fit in `u16`.

pub mod events;
mod hint;
pub mod ip;
mod l4;
pub mod link;

pub use events::{DecodeEvent, DecodeEvents};
pub use hint::{flow_hint, FlowHint};

use crate::capture::LinkType;
use crate::time::Timestamp;
use std::net::IpAddr;

/// Decoder settings that change what is checked.
#[derive(Clone, Copy, Debug)]
pub struct DecodeConfig {
    /// Validate IPv4/TCP/UDP/ICMP checksums (`-k all`). With `-k none` checksum fields are
    /// left as `None`.
    pub checksums: bool,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig { checksums: true }
    }
}

/// The IP layer of a packet (the innermost one when tunnels are decoded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpHdr {
    /// 4 or 6.
    pub version: u8,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Transport protocol number (after IPv6 extension headers).
    pub proto: u8,
    /// TTL or hop limit.
    pub ttl: u8,
    /// TOS / traffic class.
    pub tos: u8,
    /// IPv4 identification, or the IPv6 fragment header identification (0 if none).
    pub id: u32,
    /// Fragment offset in 8-byte units.
    pub frag_offset: u16,
    /// More-fragments flag.
    pub mf: bool,
    /// Don't-fragment flag (IPv4).
    pub df: bool,
    /// Reserved bit (IPv4 "evil bit").
    pub rb: bool,
    /// Offset of the IP header in [`Packet::data`].
    pub offset: u16,
    /// Header length in bytes (IPv4 IHL*4; IPv6 40 plus extension headers).
    pub hdr_len: u16,
    /// IPv4 total length or IPv6 40 + payload length, as claimed by the header.
    pub total_len: u32,
    /// IPv4 options present, one bit per [`ipopt`] constant.
    pub ipopts: u16,
    /// Header checksum verdict when checked (IPv4 only).
    pub csum_ok: Option<bool>,
}

/// Bits of [`IpHdr::ipopts`], named after the `ipopts` rule keyword values.
pub mod ipopt {
    /// Record route.
    pub const RR: u16 = 1 << 0;
    /// End of list.
    pub const EOL: u16 = 1 << 1;
    /// No-op.
    pub const NOP: u16 = 1 << 2;
    /// Timestamp.
    pub const TS: u16 = 1 << 3;
    /// Security.
    pub const SEC: u16 = 1 << 4;
    /// Extended security.
    pub const ESEC: u16 = 1 << 5;
    /// Loose source routing.
    pub const LSRR: u16 = 1 << 6;
    /// Strict source routing.
    pub const SSRR: u16 = 1 << 7;
    /// Stream identifier.
    pub const SATID: u16 = 1 << 8;
    /// Any other option.
    pub const ANY: u16 = 1 << 15;
}

/// TCP header fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpHdr {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags byte: FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE=0x40 CWR=0x80.
    pub flags: u8,
    /// Window (unscaled).
    pub window: u16,
    /// Urgent pointer.
    pub urg_ptr: u16,
    /// Offset of the TCP header in [`Packet::data`].
    pub offset: u16,
    /// Header length including options.
    pub hdr_len: u16,
    /// MSS option.
    pub mss: Option<u16>,
    /// Window-scale option.
    pub wscale: Option<u8>,
    /// SACK-permitted option seen.
    pub sack_permitted: bool,
    /// Timestamp option (value, echo reply).
    pub tsopt: Option<(u32, u32)>,
    /// Checksum verdict when checked.
    pub csum_ok: Option<bool>,
}

/// TCP flag bits.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE.
    pub const ECE: u8 = 0x40;
    /// CWR.
    pub const CWR: u8 = 0x80;
}

/// UDP header fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UdpHdr {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Length field.
    pub len: u16,
    /// Offset of the UDP header in [`Packet::data`].
    pub offset: u16,
    /// Checksum verdict when checked.
    pub csum_ok: Option<bool>,
}

/// ICMPv4 or ICMPv6 header fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcmpHdr {
    /// Type.
    pub typ: u8,
    /// Code.
    pub code: u8,
    /// Identifier, for the message types that carry one (echo, timestamp, ...).
    pub id: Option<u16>,
    /// Sequence number, for the message types that carry one.
    pub seq: Option<u16>,
    /// MTU of ICMPv6 packet-too-big / ICMPv4 frag-needed.
    pub mtu: Option<u32>,
    /// Offset of the ICMP header in [`Packet::data`].
    pub offset: u16,
    /// Header length (8 for most types).
    pub hdr_len: u16,
    /// Checksum verdict when checked.
    pub csum_ok: Option<bool>,
    /// For an ICMPv4 destination unreachable quoting a TCP or UDP packet: that packet's
    /// tuple, which ties the error to the quoted packet's flow (as Suricata does).
    pub emb: Option<IcmpEmbedded>,
}

/// The tuple of the packet quoted in an ICMP error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpEmbedded {
    /// Quoted packet's source address.
    pub src: IpAddr,
    /// Quoted packet's destination address.
    pub dst: IpAddr,
    /// Quoted packet's protocol (6 or 17).
    pub proto: u8,
    /// Quoted packet's source port.
    pub sport: u16,
    /// Quoted packet's destination port.
    pub dport: u16,
}

/// The transport layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum L4 {
    /// No transport layer decoded (non-IP, fragment, or decoding stopped).
    #[default]
    None,
    /// TCP.
    Tcp(TcpHdr),
    /// UDP.
    Udp(UdpHdr),
    /// ICMPv4.
    Icmp4(IcmpHdr),
    /// ICMPv6.
    Icmp6(IcmpHdr),
    /// Another IP protocol (SCTP, GRE we did not tunnel into, ...): payload is the IP payload.
    Other(u8),
}

/// One decoded packet: a view over the frame bytes.
#[derive(Clone, Debug)]
pub struct Packet<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// The whole captured frame.
    pub data: &'a [u8],
    /// Link type of `data`.
    pub link: LinkType,
    /// VLAN ids, outermost first; `vlan_len` are valid.
    pub vlan: [u16; 3],
    /// Number of valid entries in `vlan`.
    pub vlan_len: u8,
    /// The IP layer, if any.
    pub ip: Option<IpHdr>,
    /// The transport layer.
    pub l4: L4,
    /// Offset of the application payload in `data`.
    pub payload_off: u32,
    /// Length of the application payload.
    pub payload_len: u32,
    /// Anomalies raised while decoding.
    pub events: DecodeEvents,
    /// Set when the packet came through a tunnel; `ip`/`l4` are then the innermost layers.
    pub tunnel: Option<Tunnel>,
    /// Which link/tunnel layers the decoder walked through (bits of [`layer`]), for the
    /// `decoder.*` counters.
    pub layers: u32,
}

/// Bits of [`Packet::layers`].
pub mod layer {
    /// An ARP frame.
    pub const ARP: u32 = 1 << 0;
    /// An ethertype the decoder does not know.
    pub const UNKNOWN_ETHERTYPE: u32 = 1 << 1;
    /// Decoding stopped at [`super::MAX_LAYERS`].
    pub const TOO_MANY_LAYERS: u32 = 1 << 2;
    /// A Cisco VN-Tag.
    pub const VNTAG: u32 = 1 << 3;
    /// An 802.1BR E-Tag.
    pub const ETAG: u32 = 1 << 4;
    /// An 802.1ah (PBB) I-Tag.
    pub const IEEE8021AH: u32 = 1 << 5;
    /// MPLS labels.
    pub const MPLS: u32 = 1 << 6;
    /// GRE.
    pub const GRE: u32 = 1 << 7;
    /// IPv4 in IPv4.
    pub const IPV4_IN_IPV4: u32 = 1 << 8;
    /// IPv6 in IPv4.
    pub const IPV6_IN_IPV4: u32 = 1 << 9;
    /// IPv4 in IPv6.
    pub const IPV4_IN_IPV6: u32 = 1 << 10;
    /// IPv6 in IPv6.
    pub const IPV6_IN_IPV6: u32 = 1 << 11;
    /// VXLAN.
    pub const VXLAN: u32 = 1 << 12;
    /// Geneve.
    pub const GENEVE: u32 = 1 << 13;
    /// Teredo.
    pub const TEREDO: u32 = 1 << 14;
}

/// The kind of the outermost tunnel a packet came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TunnelKind {
    /// IPv4 in IP (protocol 4).
    IpInIp,
    /// IPv6 in IP (protocol 41).
    Ipv6InIp,
    /// GRE version 0 with its optional key and sequence number.
    Gre {
        /// GRE key (K bit).
        key: Option<u32>,
        /// GRE sequence number (S bit).
        seq: Option<u32>,
    },
    /// MPLS (over Ethernet or in IP).
    Mpls,
}

/// Tunnel information of a decapsulated packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tunnel {
    /// The outermost tunnel.
    pub kind: TunnelKind,
    /// The outermost IP header, if the tunnel ran over IP (MPLS over Ethernet has none).
    pub outer: Option<IpHdr>,
    /// Number of tunnel layers crossed.
    pub depth: u8,
}

impl<'a> Packet<'a> {
    /// The outermost IP header when the packet was decapsulated from an IP tunnel down to an
    /// inner IP layer (`ip` is then the inner one).
    pub fn tunnel_outer(&self) -> Option<IpHdr> {
        let outer = self.tunnel?.outer?;
        let inner = self.ip?;
        (inner.offset != outer.offset).then_some(outer)
    }

    /// An undecoded packet over `data`.
    pub fn empty(ts: Timestamp, link: LinkType, data: &'a [u8]) -> Packet<'a> {
        Packet { ts, data, link, vlan: [0; 3], vlan_len: 0, ip: None, l4: L4::None, payload_off: 0, payload_len: 0, events: DecodeEvents::default(), tunnel: None, layers: 0 }
    }

    /// Whether this is an IP fragment (more-fragments set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.ip.is_some_and(|ip| ip.mf || ip.frag_offset > 0)
    }

    /// The flow tuple of this packet, exactly as [`flow_hint`] computes it from the raw
    /// frame: addresses, [`Packet::ports`], protocol and VLAN ids. `None` without an IP layer.
    pub fn flow_hint(&self) -> Option<FlowHint> {
        let ip = self.ip?;
        // A tunnelled packet goes with its outer packet (whose flow is tracked too).
        if let Some(outer) = self.tunnel_outer() {
            return Some(FlowHint { src: outer.src, dst: outer.dst, sport: 0, dport: 0, proto: outer.proto, vlan: self.vlan, vlan_len: self.vlan_len.min(3), fragment: outer.mf || outer.frag_offset > 0 });
        }
        // An ICMP error goes with the flow of the packet it quotes (see `IcmpHdr::emb`).
        if let L4::Icmp4(IcmpHdr { emb: Some(e), .. }) = self.l4 {
            if self.events.is_empty() {
                return Some(FlowHint { src: e.src, dst: e.dst, sport: e.sport, dport: e.dport, proto: e.proto, vlan: self.vlan, vlan_len: self.vlan_len.min(3), fragment: false });
            }
        }
        let (sport, dport) = self.ports();
        Some(FlowHint { src: ip.src, dst: ip.dst, sport, dport, proto: ip.proto, vlan: self.vlan, vlan_len: self.vlan_len.min(3), fragment: self.is_fragment() })
    }

    /// The application payload (TCP/UDP data, ICMP data, or the IP payload of other protocols).
    pub fn payload(&self) -> &'a [u8] {
        let start = self.payload_off as usize;
        let end = start.saturating_add(self.payload_len as usize);
        self.data.get(start..end).unwrap_or(&[])
    }

    /// The VLAN ids present, outermost first.
    pub fn vlans(&self) -> &[u16] {
        &self.vlan[..(self.vlan_len as usize).min(3)]
    }

    /// Source and destination ports for TCP and UDP, `(0, 0)` otherwise.
    pub fn ports(&self) -> (u16, u16) {
        match self.l4 {
            L4::Tcp(t) => (t.sport, t.dport),
            L4::Udp(u) => (u.sport, u.dport),
            _ => (0, 0),
        }
    }

    /// The TCP header, if this is TCP.
    pub fn tcp(&self) -> Option<&TcpHdr> {
        match &self.l4 {
            L4::Tcp(t) => Some(t),
            _ => None,
        }
    }

    /// The IP protocol number, if there is an IP layer.
    pub fn proto(&self) -> Option<u8> {
        self.ip.map(|ip| ip.proto)
    }

    /// Suricata's EVE `proto` string: `TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, or the number.
    pub fn proto_name(&self) -> ProtoName {
        ProtoName(self.proto().unwrap_or(0))
    }
}

/// Display adapter for Suricata's protocol names in EVE.
#[derive(Clone, Copy, Debug)]
pub struct ProtoName(pub u8);

impl std::fmt::Display for ProtoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            1 => f.write_str("ICMP"),
            2 => f.write_str("IGMP"),
            6 => f.write_str("TCP"),
            17 => f.write_str("UDP"),
            4 => f.write_str("IP-in-IP"),
            41 => f.write_str("IPv6"),
            47 => f.write_str("GRE"),
            50 => f.write_str("ESP"),
            58 => f.write_str("IPv6-ICMP"),
            132 => f.write_str("SCTP"),
            n => write!(f, "{n}"),
        }
    }
}

/// Most nested link/tunnel layers followed before `too_many_layers` is raised.
pub const MAX_LAYERS: u8 = 16;

/// Decodes one frame. Never panics; see the module contract.
pub fn decode<'a>(ts: Timestamp, link: LinkType, data: &'a [u8], cfg: &DecodeConfig) -> Packet<'a> {
    let mut p = Packet::empty(ts, link, data);
    let mut d = Dec { data, p: &mut p, cfg, layers: 0 };
    match link {
        LinkType::Ethernet => d.ethernet(0),
        LinkType::LinuxSll => d.sll(),
        LinkType::LinuxSll2 => d.sll2(),
        LinkType::Null => d.null(false),
        LinkType::Loop => d.null(true),
        LinkType::Ipv4 => d.ipv4(0, false),
        LinkType::Ipv6 => d.ipv6(0, false),
        LinkType::Raw => match data.first().map(|b| b >> 4) {
            Some(4) => d.ipv4(0, false),
            Some(6) => d.ipv6(0, false),
            _ => d.ev(DecodeEvent::IprawInvalidIpVersion),
        },
        LinkType::Other(_) => {}
    }
    p
}

/// Decoder state for one frame: the bytes in scope (shortened inside tunnels to the outer
/// IP length), the packet being filled, and the layer count.
pub(crate) struct Dec<'a, 'p> {
    pub(crate) data: &'a [u8],
    pub(crate) p: &'p mut Packet<'a>,
    pub(crate) cfg: &'p DecodeConfig,
    layers: u8,
}

impl<'a> Dec<'a, '_> {
    /// Raises `e`.
    pub(crate) fn ev(&mut self, e: DecodeEvent) {
        self.p.events.set(e);
    }

    /// Counts one more nested layer; `false` (and `too_many_layers`) past [`MAX_LAYERS`].
    pub(crate) fn enter_layer(&mut self) -> bool {
        self.layers = self.layers.saturating_add(1);
        if self.layers > MAX_LAYERS {
            self.ev(DecodeEvent::TooManyLayers);
            self.p.layers |= layer::TOO_MANY_LAYERS;
            return false;
        }
        true
    }

    /// Installs `ip` as the current (innermost) IP layer, resetting what an outer IP had set.
    pub(crate) fn set_ip(&mut self, ip: IpHdr, _inner: bool) {
        self.p.ip = Some(ip);
        self.p.l4 = L4::None;
        self.p.payload_off = 0;
        self.p.payload_len = 0;
    }

    /// Records that a tunnel is being entered from the current IP layer.
    pub(crate) fn tunnel_mark(&mut self, kind: TunnelKind) {
        match self.p.tunnel.as_mut() {
            Some(t) => t.depth = t.depth.saturating_add(1),
            None => self.p.tunnel = Some(Tunnel { kind, outer: self.p.ip, depth: 1 }),
        }
    }

    /// Sets the payload to `[off, end)`, clamped to the frame.
    pub(crate) fn set_payload(&mut self, off: usize, end: usize) {
        let end = end.min(self.p.data.len());
        let off = off.min(end);
        self.p.payload_off = off as u32;
        self.p.payload_len = (end - off) as u32;
    }
}

/// Big-endian u16 at `i`, 0 when out of range (callers check lengths first).
#[inline]
pub(crate) fn be16(d: &[u8], i: usize) -> u16 {
    match d.get(i..i.saturating_add(2)) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// Big-endian u32 at `i`, 0 when out of range (callers check lengths first).
#[inline]
pub(crate) fn be32(d: &[u8], i: usize) -> u32 {
    match d.get(i..i.saturating_add(4)) {
        Some(&[a, b, c, e]) => u32::from_be_bytes([a, b, c, e]),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
