//! Bidirectional flows. Each worker owns a [`table::FlowTable`]; nothing here is shared between
//! threads. Time is the packet time passed in by the caller.

pub mod table;

use crate::time::Timestamp;
use std::net::IpAddr;

/// Which way a packet travels within its flow. The client is whoever sent the flow's first
/// packet (for TCP, the SYN when one was seen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
}

impl Direction {
    /// EVE's spelling: `to_server` / `to_client`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToServer => "to_server",
            Direction::ToClient => "to_client",
        }
    }

    /// The other direction.
    pub fn flip(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

/// A normalised flow key: the same for both directions of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// The lower (address, port) endpoint.
    pub lo: (IpAddr, u16),
    /// The higher (address, port) endpoint.
    pub hi: (IpAddr, u16),
    /// IP protocol.
    pub proto: u8,
    /// Outermost VLAN id (0 if none); inner ids are folded into `vlan_inner`.
    pub vlan: u16,
    /// Second VLAN id (QinQ), 0 if none.
    pub vlan_inner: u16,
    /// Third VLAN id (QinQinQ), 0 if none.
    pub vlan_third: u16,
}

impl FlowKey {
    /// Builds the normalised key for a packet from `src` to `dst`.
    pub fn new(src: (IpAddr, u16), dst: (IpAddr, u16), proto: u8, vlans: &[u16]) -> FlowKey {
        let (lo, hi) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey { lo, hi, proto, vlan: vlans.first().copied().unwrap_or(0), vlan_inner: vlans.get(1).copied().unwrap_or(0), vlan_third: vlans.get(2).copied().unwrap_or(0) }
    }

    /// A symmetric hash: both directions of a flow give the same value. Used to pick a worker.
    pub fn worker_hash(&self) -> u64 {
        // FNV-1a over the normalised key: cheap, stable across runs, symmetric by construction.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |b: &[u8]| {
            for x in b {
                h ^= *x as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (ip, port) in [self.lo, self.hi] {
            match ip {
                IpAddr::V4(a) => eat(&a.octets()),
                IpAddr::V6(a) => eat(&a.octets()),
            }
            eat(&port.to_be_bytes());
        }
        eat(&[self.proto]);
        eat(&self.vlan.to_be_bytes());
        h
    }
}

/// TCP connection state as far as detection (`flow:established`) and EVE `tcp.state` need it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TcpState {
    /// No TCP packet seen yet / not TCP.
    #[default]
    None,
    /// SYN seen.
    SynSent,
    /// SYN/ACK seen.
    SynRecv,
    /// Three-way handshake complete (or picked up midstream).
    Established,
    /// One side sent FIN.
    FinWait1,
    /// Both sides sent FIN.
    Closing,
    /// Both FINs acknowledged.
    TimeWait,
    /// The first closer's FIN was acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// The peer of the first closer sent its FIN; waiting for the last ACK.
    LastAck,
    /// Closed after FIN exchange.
    Closed,
    /// Reset.
    Reset,
}

impl TcpState {
    /// Suricata's EVE `tcp.state` names.
    pub fn as_str(self) -> &'static str {
        match self {
            TcpState::None => "none",
            TcpState::SynSent => "syn_sent",
            TcpState::SynRecv => "syn_recv",
            TcpState::Established => "established",
            TcpState::FinWait1 => "fin_wait1",
            TcpState::Closing => "closing",
            TcpState::TimeWait => "time_wait",
            TcpState::FinWait2 => "fin_wait2",
            TcpState::LastAck => "last_ack",
            TcpState::Closed => "closed",
            TcpState::Reset => "closed",
        }
    }
}

/// Per-flow TCP bookkeeping.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpTrack {
    /// Current state.
    pub state: TcpState,
    /// OR of all TCP flags seen to the server.
    pub flags_ts: u8,
    /// OR of all TCP flags seen to the client.
    pub flags_tc: u8,
    /// Whether the flow was picked up without its handshake.
    pub midstream: bool,
    /// Which side sent the first FIN (when one was seen).
    pub first_fin: Option<Direction>,
}

impl TcpTrack {
    /// Whether a TCP session exists (the state machine left [`TcpState::None`]); EVE writes
    /// `tcp.state` only then.
    pub fn has_session(&self) -> bool {
        self.state != TcpState::None
    }
}

/// Flow variables (`flowbits`, `flowint`) stored on the flow. Names are interned by the detect
/// engine into ids that stay stable across rule reloads, so state set before a reload is still
/// seen after it.
#[derive(Clone, Debug, Default)]
pub struct FlowVars {
    /// Set flowbits (interned ids), unordered; usually 0-4 entries.
    pub bits: Vec<u32>,
    /// Flowints: (interned id, value).
    pub ints: Vec<(u32, u32)>,
}

impl FlowVars {
    /// Whether flowbit `id` is set.
    pub fn isset(&self, id: u32) -> bool {
        self.bits.contains(&id)
    }
    /// Sets flowbit `id`.
    pub fn set(&mut self, id: u32) {
        if !self.bits.contains(&id) {
            self.bits.push(id);
        }
    }
    /// Unsets flowbit `id`.
    pub fn unset(&mut self, id: u32) {
        self.bits.retain(|b| *b != id);
    }
    /// Toggles flowbit `id`.
    pub fn toggle(&mut self, id: u32) {
        if self.isset(id) {
            self.unset(id)
        } else {
            self.set(id)
        }
    }
    /// Value of flowint `id`.
    pub fn int(&self, id: u32) -> Option<u32> {
        self.ints.iter().find(|(k, _)| *k == id).map(|(_, v)| *v)
    }
    /// Sets flowint `id`.
    pub fn set_int(&mut self, id: u32, v: u32) {
        match self.ints.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = v,
            None => self.ints.push((id, v)),
        }
    }
}

/// Why a flow ended, EVE `flow.reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// Idle or state timeout.
    Timeout,
    /// Still open when the engine stopped.
    Shutdown,
    /// Evicted by memcap pressure.
    Forced,
    /// A closed TCP flow's tuple was reused by a new SYN; the old flow ended.
    TcpReuse,
}

impl EndReason {
    /// EVE spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Timeout => "timeout",
            EndReason::Shutdown => "shutdown",
            EndReason::Forced => "forced",
            EndReason::TcpReuse => "tcp_reuse",
        }
    }
}

/// One bidirectional flow.
#[derive(Clone, Debug)]
pub struct Flow {
    /// EVE `flow_id`: unique per run, never 0.
    pub id: u64,
    /// Normalised key.
    pub key: FlowKey,
    /// Client endpoint (sender of the first packet, or of the SYN).
    pub client: (IpAddr, u16),
    /// Server endpoint.
    pub server: (IpAddr, u16),
    /// First packet time.
    pub start: Timestamp,
    /// Last packet time.
    pub last: Timestamp,
    /// Packets to server.
    pub pkts_ts: u64,
    /// Packets to client.
    pub pkts_tc: u64,
    /// Bytes (whole frames) to server.
    pub bytes_ts: u64,
    /// Bytes (whole frames) to client.
    pub bytes_tc: u64,
    /// TCP tracking (default for other protocols).
    pub tcp: TcpTrack,
    /// Whether any alert fired on this flow.
    pub alerted: bool,
    /// Whether a `drop` verdict applies to every later packet (IPS).
    pub drop: bool,
    /// Whether a `pass` rule stopped inspection of this flow.
    pub pass: bool,
    /// Whether a rule with the `bypass` keyword matched: Suricata stops inspecting the flow
    /// (and counts it as bypassed); the pipeline decides what that means here.
    pub bypass: bool,
    /// flowbits and flowints.
    pub vars: FlowVars,
    /// Application protocol detected on this flow, if any (EVE `app_proto`).
    pub app_proto: Option<&'static str>,
    /// ICMP (type, code) of the first ICMP packet to the server (EVE `icmp_type`/`icmp_code`).
    pub icmp_ts: Option<(u8, u8)>,
    /// ICMP (type, code) of the first ICMP packet to the client (EVE `response_icmp_type`/`_code`).
    pub icmp_tc: Option<(u8, u8)>,
    /// IP version of the flow (4 or 6), EVE `ip_v`.
    pub ip_v: u8,
    /// Output-side state: drop logging, MAC addresses seen, bypass.
    pub out: FlowOutState,
}

/// Most MAC addresses remembered per flow side for EVE `ether.{src,dest}_macs`.
pub const MAX_FLOW_MACS: usize = 32;

/// Per-flow state kept for outputs (not used by detection).
#[derive(Clone, Debug, Default)]
pub struct FlowOutState {
    /// A drop event was logged for a to-server packet of this dropped flow.
    pub drop_logged_ts: bool,
    /// A drop event was logged for a to-client packet of this dropped flow.
    pub drop_logged_tc: bool,
    /// Client-side MAC addresses, first seen first, deduplicated, at most [`MAX_FLOW_MACS`]
    /// (only tracked when EVE `ethernet` is on).
    pub client_macs: Vec<[u8; 6]>,
    /// Server-side MAC addresses, same rules.
    pub server_macs: Vec<[u8; 6]>,
}

impl FlowOutState {
    /// Records the MACs of one Ethernet frame of the flow seen in direction `dir`.
    pub fn add_macs(&mut self, src: [u8; 6], dst: [u8; 6], dir: Direction) {
        let (c, s) = match dir {
            Direction::ToServer => (src, dst),
            Direction::ToClient => (dst, src),
        };
        for (set, mac) in [(&mut self.client_macs, c), (&mut self.server_macs, s)] {
            if set.len() < MAX_FLOW_MACS && !set.contains(&mac) {
                set.push(mac);
            }
        }
    }
}

impl Flow {
    /// A new flow with zeroed counters, `client` -> `server`, first seen at `start`. Use this
    /// rather than a struct literal: fields may be added.
    pub fn new(id: u64, key: FlowKey, client: (IpAddr, u16), server: (IpAddr, u16), start: Timestamp) -> Flow {
        Flow {
            id,
            key,
            client,
            server,
            start,
            last: start,
            pkts_ts: 0,
            pkts_tc: 0,
            bytes_ts: 0,
            bytes_tc: 0,
            tcp: TcpTrack::default(),
            alerted: false,
            drop: false,
            pass: false,
            bypass: false,
            vars: FlowVars::default(),
            app_proto: None,
            icmp_ts: None,
            icmp_tc: None,
            ip_v: if client.0.is_ipv4() { 4 } else { 6 },
            out: FlowOutState::default(),
        }
    }

    /// EVE `flow.state`: `new`, `established` or `closed`.
    pub fn eve_state(&self) -> &'static str {
        if self.key.proto == 6 {
            match self.tcp.state {
                // As Suricata's stream engine updates the flow state: LAST_ACK, TIME_WAIT and
                // CLOSED make the flow closed (and subject to the closed timeout).
                TcpState::Closed | TcpState::Reset | TcpState::LastAck | TcpState::TimeWait => "closed",
                TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 | TcpState::Closing => "established",
                TcpState::None | TcpState::SynSent | TcpState::SynRecv => "new",
            }
        } else if self.pkts_ts > 0 && self.pkts_tc > 0 {
            "established"
        } else {
            "new"
        }
    }

    /// The direction of a packet from `src` within this flow.
    pub fn direction_of(&self, src: (IpAddr, u16)) -> Direction {
        if src == self.client {
            Direction::ToServer
        } else {
            Direction::ToClient
        }
    }

    /// Whether detection should treat the flow as established (`flow:established`): the TCP
    /// handshake completed (closing states included, as Suricata's `state >= ESTABLISHED`:
    /// the last ACK of a FIN close still inspects the response), or, for UDP and other stateless protocols, packets were seen both
    /// ways.
    pub fn is_established(&self) -> bool {
        if self.key.proto == 6 {
            matches!(
                self.tcp.state,
                TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 | TcpState::Closing | TcpState::LastAck | TcpState::TimeWait
            ) || (self.tcp.state == TcpState::Closed && self.tcp.first_fin.is_some())
        } else {
            self.pkts_ts > 0 && self.pkts_tc > 0
        }
    }
}

/// The dispatcher's worker hash for a raw frame, without a full decode: the same value as
/// `FlowKey::worker_hash()` of the key built from the decoded packet
/// (`FlowKey::new((src, sport), (dst, dport), proto, vlans)` with [`crate::decode::Packet::ports`]).
/// Frames without an IP layer hash to 0. (Added by the decode work.)
///
/// Every IP fragment (the first one too, which carries ports) hashes on addresses, protocol
/// and VLANs only, so all fragments of a datagram reach the same worker's defragmenter.
pub fn flow_hash_hint(link: crate::capture::LinkType, data: &[u8]) -> u64 {
    match crate::decode::flow_hint(link, data) {
        Some(h) if h.fragment => FlowKey::new((h.src, 0), (h.dst, 0), h.proto, h.vlans()).worker_hash(),
        Some(h) => FlowKey::new((h.src, h.sport), (h.dst, h.dport), h.proto, h.vlans()).worker_hash(),
        None => 0,
    }
}
