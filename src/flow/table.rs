//! The per-worker flow table.
//!
//! Each worker owns one table; nothing here is shared or locked. Flows live in a slab (a `Vec`
//! of slots with a free list) and a hash map from the normalised [`FlowKey`] to the slot index,
//! so a flow's memory is reused after it ends and lookups do not allocate.
//!
//! Hasher: `foldhash::fast::RandomState`. It is several times faster than std's SipHash on the
//! small fixed-size keys used here, and it is seeded per process from a random source, so an
//! attacker who does not know the seed cannot precompute colliding 5-tuples (the flow table is
//! fed by untrusted traffic). It is not a cryptographic MAC; the map stays bounded by
//! [`FlowConfig::max_flows`] in any case.
//!
//! Limits: at most [`FlowConfig::max_flows`] flows. When a new flow would exceed that, one
//! existing flow is evicted (a clock hand over the slab, so eviction is O(1) amortised) and
//! counted in [`FlowTableStats::evicted`]; evicted flows are queued and handed out by
//! [`FlowTable::take_evicted`] with [`EndReason::Forced`] so they are logged, never dropped
//! silently.
//!
//! Time is the packet time (sans-IO): [`FlowTable::expire`] is called by the worker when packet
//! time has advanced by at least a second ([`FlowTable::expire_due`]), so the full scan costs
//! O(flows) once per second of traffic, not per packet.

use super::{Direction, EndReason, Flow, FlowKey, TcpState};
use crate::decode::{tcp_flags, IcmpHdr, Packet, L4};
use crate::time::Timestamp;
use std::collections::HashMap;
use std::net::IpAddr;

/// Idle timeouts (seconds) of one protocol, by flow state (Suricata's `flow-timeouts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtoTimeouts {
    /// Flow not yet established.
    pub new: u64,
    /// Established flow.
    pub established: u64,
    /// Closed flow (TCP after FIN/RST).
    pub closed: u64,
}

/// Flow-table limits and timeouts (seconds), from the config's `flow` and `flow-timeouts`.
#[derive(Clone, Debug)]
pub struct FlowConfig {
    /// Maximum number of flows per worker before forced eviction.
    pub max_flows: usize,
    /// Idle timeout for new (unestablished) flows of protocols other than TCP/UDP/ICMP
    /// (`flow-timeouts.default.new`).
    pub timeout_new: u64,
    /// Idle timeout for established flows (`flow-timeouts.default.established`).
    pub timeout_established: u64,
    /// Idle timeout after close (`flow-timeouts.default.closed`).
    pub timeout_closed: u64,
    /// Allow TCP flows picked up without a handshake (`stream.midstream`).
    pub midstream: bool,
    /// `flow-timeouts.tcp`.
    pub tcp: ProtoTimeouts,
    /// `flow-timeouts.udp`.
    pub udp: ProtoTimeouts,
    /// `flow-timeouts.icmp` (ICMPv4 and ICMPv6).
    pub icmp: ProtoTimeouts,
}

impl Default for FlowConfig {
    /// Suricata's shipped `suricata.yaml` values.
    fn default() -> Self {
        FlowConfig {
            max_flows: 65_536,
            timeout_new: 30,
            timeout_established: 300,
            timeout_closed: 0,
            midstream: false,
            tcp: ProtoTimeouts { new: 60, established: 600, closed: 60 },
            udp: ProtoTimeouts { new: 30, established: 300, closed: 0 },
            icmp: ProtoTimeouts { new: 30, established: 300, closed: 0 },
        }
    }
}

impl FlowConfig {
    /// The idle timeout that applies to `flow` in its current state.
    pub fn timeout_of(&self, flow: &Flow) -> u64 {
        let t = match flow.key.proto {
            6 => self.tcp,
            17 => self.udp,
            1 | 58 => self.icmp,
            _ => ProtoTimeouts { new: self.timeout_new, established: self.timeout_established, closed: self.timeout_closed },
        };
        match flow.eve_state() {
            "established" => t.established,
            "closed" => t.closed,
            _ => t.new,
        }
    }
}

/// Counters of one table (Suricata's `flow.*` stats).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowTableStats {
    /// Flows created (`flow.total`).
    pub total: u64,
    /// TCP flows created (`flow.tcp`).
    pub tcp: u64,
    /// UDP flows created (`flow.udp`).
    pub udp: u64,
    /// ICMPv4 flows created (`flow.icmpv4`).
    pub icmpv4: u64,
    /// ICMPv6 flows created (`flow.icmpv6`).
    pub icmpv6: u64,
    /// Flows evicted because the table was full (`flow.get_used`).
    pub evicted: u64,
    /// Flows ended by timeout (`flow.mgr.flows_timeout`).
    pub timed_out: u64,
    /// TCP flows picked up midstream (`tcp.midstream_pickups`).
    pub midstream_pickups: u64,
    /// TCP sessions created (`tcp.sessions`).
    pub tcp_sessions: u64,
    /// SYN packets (`tcp.syn`).
    pub syn: u64,
    /// SYN/ACK packets (`tcp.synack`).
    pub synack: u64,
    /// RST packets (`tcp.rst`).
    pub rst: u64,
    /// TCP flows replaced by a new session on the same tuple (`flow.tcp_reuse`).
    pub tcp_reuse: u64,
}

/// Bits reserved for the worker index in a flow id.
const WORKER_BITS: u32 = 10;
/// Flow ids stay below 2^53 so JSON consumers using doubles keep every digit.
const ID_MASK: u64 = (1 << 53) - 1;
/// An odd multiplier: multiplication by it is a bijection modulo 2^53, so distinct
/// (counter, worker) pairs give distinct ids that look like Suricata's large ids.
const ID_MIX: u64 = 0x0005_DEEC_E66D_A4B5 | 1;

/// The per-worker flow table.
pub struct FlowTable {
    cfg: FlowConfig,
    map: HashMap<FlowKey, u32, foldhash::fast::RandomState>,
    slots: Vec<Option<Flow>>,
    free: Vec<u32>,
    worker: u16,
    next_seq: u64,
    hand: usize,
    last_expire: Option<Timestamp>,
    evicted: Vec<(Flow, EndReason)>,
    stats: FlowTableStats,
}

/// The 5-tuple and flow-relevant facts of one packet.
struct PktView {
    src: (IpAddr, u16),
    dst: (IpAddr, u16),
    proto: u8,
    tcp_flags: Option<u8>,
    icmp: Option<(u8, u8)>,
}

fn view(p: &Packet<'_>) -> Option<PktView> {
    let ip = p.ip?;
    let (sp, dp) = p.ports();
    let (tcp_flags, icmp) = match p.l4 {
        L4::Tcp(t) => (Some(t.flags), None),
        L4::Icmp4(i) | L4::Icmp6(i) => (None, Some((i.typ, i.code))),
        _ => (None, None),
    };
    Some(PktView { src: (ip.src, sp), dst: (ip.dst, dp), proto: ip.proto, tcp_flags, icmp })
}

impl FlowTable {
    /// An empty table. `worker` (its low 10 bits) makes flow ids unique across workers.
    pub fn new(cfg: FlowConfig, worker: u16) -> FlowTable {
        let cap = cfg.max_flows.min(4096);
        FlowTable {
            cfg,
            map: HashMap::with_capacity_and_hasher(cap, foldhash::fast::RandomState::default()),
            slots: Vec::with_capacity(cap),
            free: Vec::new(),
            worker,
            next_seq: 0,
            hand: 0,
            last_expire: None,
            evicted: Vec::new(),
            stats: FlowTableStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> FlowTableStats {
        self.stats
    }

    /// Number of live flows.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn next_id(&mut self) -> u64 {
        self.next_seq += 1;
        let raw = (self.next_seq << WORKER_BITS) | (u64::from(self.worker) & ((1 << WORKER_BITS) - 1));
        // raw is non-zero and < 2^53 for the first 2^43 flows of a worker; the odd multiplier
        // keeps the mapping one-to-one modulo 2^53, so the id is non-zero and unique.
        let id = (raw & ID_MASK).wrapping_mul(ID_MIX) & ID_MASK;
        if id == 0 {
            1
        } else {
            id
        }
    }

    /// Finds or creates the flow of `p`, updates its counters and state, and returns it with the
    /// packet's direction. `None` for packets without an IP layer.
    pub fn update(&mut self, p: &Packet<'_>) -> Option<(&mut Flow, Direction)> {
        let v = view(p)?;
        // An ICMP destination unreachable quoting a TCP/UDP packet belongs to that packet's
        // flow when it exists (Suricata's ICMPV4_DEST_UNREACH_IS_VALID flow lookup).
        if let L4::Icmp4(IcmpHdr { emb: Some(e), .. }) = p.l4 {
            if p.events.is_empty() {
                let key = FlowKey::new((e.src, e.sport), (e.dst, e.dport), e.proto, p.vlans());
                if let Some(i) = self.map.get(&key).map(|i| *i as usize) {
                    let flow = self.slots.get_mut(i)?.as_mut()?;
                    let dir = if v.src.0 == flow.client.0 { Direction::ToServer } else { Direction::ToClient };
                    flow.last = flow.last.max(p.ts);
                    let len = p.data.len() as u64;
                    match dir {
                        Direction::ToServer => {
                            flow.pkts_ts += 1;
                            flow.bytes_ts += len;
                        }
                        Direction::ToClient => {
                            flow.pkts_tc += 1;
                            flow.bytes_tc += len;
                        }
                    }
                    return Some((flow, dir));
                }
            }
        }
        let key = FlowKey::new(v.src, v.dst, v.proto, p.vlans());
        let mut found = self.map.get(&key).map(|i| *i as usize);
        if let (Some(i), Some(flags)) = (found, v.tcp_flags) {
            // TCP reuse: a fresh SYN on a flow whose session is over starts a new flow.
            let syn_only = flags & (tcp_flags::SYN | tcp_flags::ACK | tcp_flags::RST) == tcp_flags::SYN;
            let over = self.slots.get(i).and_then(|s| s.as_ref()).is_some_and(|f| {
                matches!(f.tcp.state, TcpState::Closed | TcpState::Reset | TcpState::TimeWait | TcpState::LastAck)
            });
            if syn_only && over {
                if let Some(old) = self.remove(i) {
                    self.stats.tcp_reuse += 1;
                    self.evicted.push((old, EndReason::TcpReuse));
                }
                found = None;
            }
        }
        let idx = match found {
            Some(i) => i,
            None => self.insert(key, &v, p.ts)?,
        };
        let midstream = self.cfg.midstream;
        let flow = self.slots.get_mut(idx)?.as_mut()?;
        let dir = flow.direction_of(v.src);
        flow.last = flow.last.max(p.ts);
        let len = p.data.len() as u64;
        match dir {
            Direction::ToServer => {
                flow.pkts_ts += 1;
                flow.bytes_ts += len;
            }
            Direction::ToClient => {
                flow.pkts_tc += 1;
                flow.bytes_tc += len;
            }
        }
        if let Some((t, c)) = v.icmp {
            let slot = match dir {
                Direction::ToServer => &mut flow.icmp_ts,
                Direction::ToClient => &mut flow.icmp_tc,
            };
            if slot.is_none() {
                *slot = Some((t, c));
            }
        }
        // A flow an IPS drop rule dropped gets no further TCP tracking: its packets are
        // dropped before the stream engine (Suricata's FLOW_ACTION_DROP).
        let tracked_flags = if flow.drop { None } else { v.tcp_flags };
        if let Some(flags) = tracked_flags {
            if flags & tcp_flags::SYN != 0 {
                if flags & tcp_flags::ACK != 0 {
                    self.stats.synack += 1;
                } else {
                    self.stats.syn += 1;
                }
            }
            if flags & tcp_flags::RST != 0 {
                self.stats.rst += 1;
            }
            let before = flow.tcp.state;
            tcp_step(flow, dir, flags, midstream);
            if before == TcpState::None && flow.tcp.state != TcpState::None {
                self.stats.tcp_sessions += 1;
                if flow.tcp.midstream {
                    self.stats.midstream_pickups += 1;
                }
            }
        }
        Some((flow, dir))
    }

    fn insert(&mut self, key: FlowKey, v: &PktView, ts: Timestamp) -> Option<usize> {
        if self.map.len() >= self.cfg.max_flows.max(1) {
            self.evict_one();
        }
        // TCP: a first packet that is a SYN/ACK was sent by the server.
        let syn_ack = v.tcp_flags.is_some_and(|f| f & (tcp_flags::SYN | tcp_flags::ACK) == (tcp_flags::SYN | tcp_flags::ACK));
        let (client, server) = if syn_ack { (v.dst, v.src) } else { (v.src, v.dst) };
        let id = self.next_id();
        let flow = Flow::new(id, key, client, server, ts);
        self.stats.total += 1;
        match v.proto {
            6 => self.stats.tcp += 1,
            17 => self.stats.udp += 1,
            1 => self.stats.icmpv4 += 1,
            58 => self.stats.icmpv6 += 1,
            _ => {}
        }
        let idx = match self.free.pop() {
            Some(i) => {
                let i = i as usize;
                *self.slots.get_mut(i)? = Some(flow);
                i
            }
            None => {
                self.slots.push(Some(flow));
                self.slots.len() - 1
            }
        };
        self.map.insert(key, idx as u32);
        Some(idx)
    }

    fn remove(&mut self, idx: usize) -> Option<Flow> {
        let flow = self.slots.get_mut(idx)?.take()?;
        self.map.remove(&flow.key);
        self.free.push(idx as u32);
        Some(flow)
    }

    fn evict_one(&mut self) {
        let n = self.slots.len();
        for _ in 0..n {
            let i = self.hand % n;
            self.hand = (i + 1) % n;
            if self.slots.get(i).is_some_and(|s| s.is_some()) {
                if let Some(f) = self.remove(i) {
                    self.stats.evicted += 1;
                    self.evicted.push((f, EndReason::Forced));
                }
                return;
            }
        }
    }

    /// Hands every flow ended inside [`FlowTable::update`] since the last call to `ended`:
    /// evicted by memory pressure ([`EndReason::Forced`]) or replaced by a new TCP session on
    /// the same tuple ([`EndReason::TcpReuse`]).
    pub fn take_evicted(&mut self, ended: &mut dyn FnMut(Flow, EndReason)) {
        for (f, r) in self.evicted.drain(..) {
            ended(f, r);
        }
    }

    /// Whether [`FlowTable::expire`] should run at `now`: the first call, or packet time moved
    /// on by at least one second since the last expiry pass.
    pub fn expire_due(&self, now: Timestamp) -> bool {
        match self.last_expire {
            None => true,
            Some(t) => now.secs() > t.secs(),
        }
    }

    /// Removes the flows that timed out at `now`, handing each to `ended`.
    /// A flow times out when `now` is later than its last packet plus the timeout of its
    /// protocol and state.
    pub fn expire(&mut self, now: Timestamp, ended: &mut dyn FnMut(Flow, EndReason)) {
        self.last_expire = Some(now);
        for i in 0..self.slots.len() {
            let due = match self.slots.get(i).and_then(|s| s.as_ref()) {
                Some(f) => f.last.add_secs(self.cfg.timeout_of(f)) < now,
                None => false,
            };
            if due {
                if let Some(f) = self.remove(i) {
                    self.stats.timed_out += 1;
                    ended(f, EndReason::Timeout);
                }
            }
        }
    }

    /// Removes every flow (shutdown), handing each to `ended`, in creation order.
    pub fn drain(&mut self, ended: &mut dyn FnMut(Flow, EndReason)) {
        self.take_evicted(ended);
        let mut flows: Vec<Flow> = self.slots.drain(..).flatten().collect();
        flows.sort_by_key(|f| (f.start, f.id));
        self.map.clear();
        self.free.clear();
        self.hand = 0;
        for f in flows {
            ended(f, EndReason::Shutdown);
        }
    }
}

/// One step of the TCP state machine for a packet with `flags` travelling `dir`.
fn tcp_step(flow: &mut Flow, dir: Direction, flags: u8, midstream: bool) {
    use TcpState as S;
    match dir {
        Direction::ToServer => flow.tcp.flags_ts |= flags,
        Direction::ToClient => flow.tcp.flags_tc |= flags,
    }
    let syn = flags & tcp_flags::SYN != 0;
    let ack = flags & tcp_flags::ACK != 0;
    let fin = flags & tcp_flags::FIN != 0;
    let rst = flags & tcp_flags::RST != 0;
    let st = &mut flow.tcp.state;
    if rst && *st != S::None {
        *st = S::Reset;
        return;
    }
    *st = match *st {
        S::None => {
            if syn && !ack && dir == Direction::ToServer {
                S::SynSent
            } else if midstream && syn && ack {
                flow.tcp.midstream = true;
                S::SynRecv
            } else if midstream && !syn && !rst {
                flow.tcp.midstream = true;
                if fin {
                    flow.tcp.first_fin = Some(dir);
                    S::FinWait1
                } else {
                    S::Established
                }
            } else {
                S::None
            }
        }
        S::SynSent => {
            if syn && ack && dir == Direction::ToClient {
                S::SynRecv
            } else {
                S::SynSent
            }
        }
        S::SynRecv => {
            if ack && !syn && dir == Direction::ToServer {
                if fin {
                    flow.tcp.first_fin = Some(dir);
                    S::FinWait1
                } else {
                    S::Established
                }
            } else {
                S::SynRecv
            }
        }
        S::Established => {
            if fin {
                flow.tcp.first_fin = Some(dir);
                S::FinWait1
            } else {
                S::Established
            }
        }
        S::FinWait1 => {
            let closer = flow.tcp.first_fin.unwrap_or(dir);
            if dir != closer && fin {
                S::LastAck
            } else if dir != closer && ack {
                S::FinWait2
            } else {
                S::FinWait1
            }
        }
        S::FinWait2 => {
            let closer = flow.tcp.first_fin.unwrap_or(dir);
            if dir != closer && fin {
                S::TimeWait
            } else {
                S::FinWait2
            }
        }
        S::LastAck | S::TimeWait | S::Closing => {
            let closer = flow.tcp.first_fin.unwrap_or(dir);
            if dir == closer && ack {
                S::Closed
            } else {
                *st
            }
        }
        S::Closed | S::Reset => *st,
    };
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::capture::LinkType;
    use crate::decode::{IcmpHdr, IpHdr, TcpHdr, UdpHdr};
    use std::net::Ipv4Addr;

    static FRAME: [u8; 64] = [0u8; 64];

    fn ip(src: [u8; 4], dst: [u8; 4], proto: u8) -> IpHdr {
        IpHdr {
            version: 4,
            src: IpAddr::V4(Ipv4Addr::from(src)),
            dst: IpAddr::V4(Ipv4Addr::from(dst)),
            proto,
            ttl: 64,
            tos: 0,
            id: 0,
            frag_offset: 0,
            mf: false,
            df: false,
            rb: false,
            offset: 14,
            hdr_len: 20,
            total_len: 50,
            ipopts: 0,
            csum_ok: None,
        }
    }

    /// A hand-built packet of `len` frame bytes.
    pub(crate) fn pkt(secs: i64, src: ([u8; 4], u16), dst: ([u8; 4], u16), l4: L4, len: usize) -> Packet<'static> {
        let proto = match l4 {
            L4::Tcp(_) => 6,
            L4::Udp(_) => 17,
            L4::Icmp4(_) => 1,
            L4::Icmp6(_) => 58,
            L4::Other(n) => n,
            L4::None => 0,
        };
        let l4 = match l4 {
            L4::Tcp(t) => L4::Tcp(TcpHdr { sport: src.1, dport: dst.1, ..t }),
            L4::Udp(u) => L4::Udp(UdpHdr { sport: src.1, dport: dst.1, ..u }),
            o => o,
        };
        let mut p = Packet::empty(Timestamp::from_parts(secs, 0), LinkType::Ethernet, &FRAME[..len.min(64)]);
        p.ip = Some(ip(src.0, dst.0, proto));
        p.l4 = l4;
        p
    }

    fn tcp(flags: u8) -> L4 {
        L4::Tcp(TcpHdr { flags, ..TcpHdr::default() })
    }
    fn udp() -> L4 {
        L4::Udp(UdpHdr::default())
    }

    const C: ([u8; 4], u16) = ([10, 0, 0, 1], 40000);
    const S: ([u8; 4], u16) = ([10, 0, 0, 2], 80);

    fn collect(t: &mut FlowTable) -> Vec<(Flow, EndReason)> {
        let mut v = Vec::new();
        t.drain(&mut |f, r| v.push((f, r)));
        v
    }

    #[test]
    fn handshake_established_and_fin_close() {
        use tcp_flags::*;
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let steps: &[(&str, bool, u8, TcpState)] = &[
            ("syn", true, SYN, TcpState::SynSent),
            ("synack", false, SYN | ACK, TcpState::SynRecv),
            ("ack", true, ACK, TcpState::Established),
            ("data", true, PSH | ACK, TcpState::Established),
            ("fin client", true, FIN | ACK, TcpState::FinWait1),
            ("ack of fin", false, ACK, TcpState::FinWait2),
            ("fin server", false, FIN | ACK, TcpState::TimeWait),
            ("last ack", true, ACK, TcpState::Closed),
        ];
        for (name, to_server, flags, want) in steps {
            let p = if *to_server { pkt(1, C, S, tcp(*flags), 60) } else { pkt(1, S, C, tcp(*flags), 60) };
            let (f, d) = t.update(&p).expect("flow");
            assert_eq!(f.tcp.state, *want, "step {name}");
            assert_eq!(d == Direction::ToServer, *to_server, "direction at {name}");
        }
        let ended = collect(&mut t);
        assert_eq!(ended.len(), 1);
        let f = &ended[0].0;
        assert_eq!(f.eve_state(), "closed");
        assert_eq!(f.tcp.flags_ts, FIN | SYN | PSH | ACK);
        assert_eq!(f.tcp.flags_tc, FIN | SYN | ACK);
        assert_eq!((f.pkts_ts, f.pkts_tc, f.bytes_ts, f.bytes_tc), (5, 3, 300, 180));
        assert_eq!(ended[0].1, EndReason::Shutdown);
    }

    #[test]
    fn first_packet_synack_makes_destination_the_client() {
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let (f, d) = t.update(&pkt(1, S, C, tcp(tcp_flags::SYN | tcp_flags::ACK), 60)).expect("flow");
        assert_eq!(d, Direction::ToClient);
        assert_eq!(f.client.1, 40000);
        assert_eq!(f.tcp.state, TcpState::None, "no midstream: no session");
    }

    #[test]
    fn midstream_pickup_only_when_enabled() {
        let cfg = FlowConfig { midstream: true, ..FlowConfig::default() };
        let mut t = FlowTable::new(cfg, 0);
        let (f, _) = t.update(&pkt(1, C, S, tcp(tcp_flags::ACK | tcp_flags::PSH), 60)).expect("flow");
        assert_eq!(f.tcp.state, TcpState::Established);
        assert!(f.tcp.midstream);
        assert!(f.is_established());
        assert_eq!(t.stats().midstream_pickups, 1);
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let (f, _) = t.update(&pkt(1, C, S, tcp(tcp_flags::ACK | tcp_flags::PSH), 60)).expect("flow");
        assert_eq!(f.tcp.state, TcpState::None);
        assert!(!f.is_established());
    }

    #[test]
    fn rst_closes() {
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        t.update(&pkt(1, C, S, tcp(tcp_flags::SYN), 60));
        let (f, _) = t.update(&pkt(1, S, C, tcp(tcp_flags::RST | tcp_flags::ACK), 60)).expect("flow");
        assert_eq!(f.tcp.state, TcpState::Reset);
        assert_eq!(f.eve_state(), "closed");
        assert_eq!(t.stats().rst, 1);
    }

    #[test]
    fn icmp_types_per_direction() {
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let echo = L4::Icmp4(IcmpHdr { typ: 8, ..IcmpHdr::default() });
        let reply = L4::Icmp4(IcmpHdr { typ: 0, ..IcmpHdr::default() });
        t.update(&pkt(1, (C.0, 0), (S.0, 0), echo, 64));
        let (f, d) = t.update(&pkt(1, (S.0, 0), (C.0, 0), reply, 64)).expect("flow");
        assert_eq!(d, Direction::ToClient);
        assert_eq!((f.icmp_ts, f.icmp_tc), (Some((8, 0)), Some((0, 0))));
        assert_eq!(t.stats().icmpv4, 1);
    }

    #[test]
    fn non_ip_has_no_flow() {
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let p = Packet::empty(Timestamp::from_parts(1, 0), LinkType::Ethernet, &FRAME);
        assert!(t.update(&p).is_none());
    }

    #[test]
    fn ids_unique_across_workers_and_below_2_pow_53() {
        let mut seen = std::collections::HashSet::new();
        for w in 0..4u16 {
            let mut t = FlowTable::new(FlowConfig::default(), w);
            for _ in 0..2000 {
                let id = t.next_id();
                assert!(id > 0 && id < (1 << 53));
                assert!(seen.insert(id), "duplicate id {id}");
            }
        }
    }

    #[test]
    fn timeouts_by_state() {
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        t.update(&pkt(100, C, S, udp(), 60)); // new: 30 s
        t.update(&pkt(100, ([10, 0, 0, 3], 5), S, udp(), 60));
        t.update(&pkt(100, S, ([10, 0, 0, 3], 5), udp(), 60)); // established: 300 s
        let mut ended = Vec::new();
        t.expire(Timestamp::from_parts(130, 0), &mut |f, r| ended.push((f.client, r)));
        assert!(ended.is_empty(), "exactly at the timeout is not yet expired");
        t.expire(Timestamp::from_parts(131, 0), &mut |f, r| ended.push((f.client, r)));
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].1, EndReason::Timeout);
        t.expire(Timestamp::from_parts(401, 0), &mut |f, r| ended.push((f.client, r)));
        assert_eq!(ended.len(), 2);
        assert!(t.is_empty());
        assert_eq!(t.stats().timed_out, 2);
    }

    #[test]
    fn max_flows_evicts_and_counts() {
        let cfg = FlowConfig { max_flows: 4, ..FlowConfig::default() };
        let mut t = FlowTable::new(cfg, 0);
        for i in 0..10u16 {
            t.update(&pkt(1, ([10, 0, 0, 9], 1000 + i), S, udp(), 60));
            assert!(t.len() <= 4);
        }
        assert_eq!(t.stats().evicted, 6);
        let mut forced = 0;
        t.take_evicted(&mut |_, r| {
            assert_eq!(r, EndReason::Forced);
            forced += 1
        });
        assert_eq!(forced, 6);
        assert_eq!(collect(&mut t).len(), 4);
    }

    #[test]
    fn random_tcp_flags_keep_invariants() {
        let mut s: u64 = 0x0123_4567_89AB_CDEF;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for midstream in [false, true] {
            let cfg = FlowConfig { max_flows: 8, midstream, ..FlowConfig::default() };
            let mut t = FlowTable::new(cfg, 0);
            let mut ended = 0u64;
            for step in 0..50_000 {
                let port = 1000 + (rnd() % 12) as u16;
                let flags = (rnd() & 0xff) as u8;
                let p = if rnd() % 2 == 0 {
                    pkt(step / 100, ([10, 0, 0, 1], port), S, tcp(flags), 60)
                } else {
                    pkt(step / 100, S, ([10, 0, 0, 1], port), tcp(flags), 60)
                };
                let (f, d) = t.update(&p).expect("flow");
                let seen = if d == Direction::ToServer { f.tcp.flags_ts } else { f.tcp.flags_tc };
                assert_eq!(seen & flags, flags, "flags accumulate");
                if f.is_established() {
                    assert!(matches!(f.tcp.state, TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 | TcpState::Closing | TcpState::LastAck | TcpState::TimeWait | TcpState::Closed));
                }
                if !midstream && f.tcp.midstream {
                    panic!("midstream pickup while disabled");
                }
                t.take_evicted(&mut |_, _| ended += 1);
                if t.expire_due(p.ts) {
                    t.expire(p.ts, &mut |_, _| ended += 1);
                }
                assert!(t.len() <= 8);
                assert_eq!(t.stats().total, t.len() as u64 + ended, "every flow is live or was handed out");
            }
        }
    }

    /// One model flow: key, client, pkts to server, pkts to client, last packet time.
    type ModelFlow = (FlowKey, (IpAddr, u16), u64, u64, Timestamp);

    #[test]
    fn syn_on_closed_flow_starts_a_new_flow() {
        use tcp_flags::*;
        let mut t = FlowTable::new(FlowConfig::default(), 0);
        let first = t.update(&pkt(1, C, S, tcp(SYN), 60)).expect("flow").0.id;
        t.update(&pkt(1, S, C, tcp(RST | ACK), 60));
        let (f, d) = t.update(&pkt(2, C, S, tcp(SYN), 60)).expect("flow");
        assert_ne!(f.id, first);
        assert_eq!((f.tcp.state, d, f.pkts_ts), (TcpState::SynSent, Direction::ToServer, 1));
        let mut ended = Vec::new();
        t.take_evicted(&mut |f, r| ended.push((f.id, r)));
        assert_eq!(ended, [(first, EndReason::TcpReuse)]);
        assert_eq!(t.stats().tcp_reuse, 1);
        // a retransmitted SYN on a live handshake is not reuse
        t.update(&pkt(2, C, S, tcp(SYN), 60));
        t.take_evicted(&mut |_, _| panic!("no reuse"));
    }

    /// The naive model: a list of flows scanned linearly.
    struct Model {
        flows: Vec<ModelFlow>,
    }

    #[test]
    fn model_matches_naive_table() {
        // xorshift64 with a fixed seed so failures replay.
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let cfg = FlowConfig::default();
        let mut t = FlowTable::new(cfg.clone(), 3);
        let mut m = Model { flows: Vec::new() };
        let mut now = 1_000i64;
        for step in 0..20_000 {
            now += (rnd() % 3) as i64;
            if t.expire_due(Timestamp::from_parts(now, 0)) {
                let ts = Timestamp::from_parts(now, 0);
                let mut got = Vec::new();
                t.expire(ts, &mut |f, _| got.push((f.key, f.pkts_ts, f.pkts_tc)));
                let mut want = Vec::new();
                m.flows.retain(|(k, _, a, b, last)| {
                    let to = if *a > 0 && *b > 0 { cfg.udp.established } else { cfg.udp.new };
                    if last.add_secs(to) < ts {
                        want.push((*k, *a, *b));
                        false
                    } else {
                        true
                    }
                });
                got.sort_by_key(|x| format!("{x:?}"));
                want.sort_by_key(|x| format!("{x:?}"));
                assert_eq!(got, want, "expiry at step {step}");
            }
            let a = ([10, 0, 0, (rnd() % 8) as u8], 1000 + (rnd() % 4) as u16);
            let b = ([10, 0, 1, (rnd() % 2) as u8], 53);
            let (src, dst) = if rnd() % 2 == 0 { (a, b) } else { (b, a) };
            let p = pkt(now, src, dst, udp(), 42 + (rnd() % 20) as usize);
            let (f, d) = t.update(&p).expect("flow");
            let key = f.key;
            let srcep = (IpAddr::V4(Ipv4Addr::from(src.0)), src.1);
            let ts = Timestamp::from_parts(now, 0);
            let entry = match m.flows.iter_mut().find(|e| e.0 == key) {
                Some(e) => e,
                None => {
                    m.flows.push((key, srcep, 0, 0, ts));
                    m.flows.last_mut().expect("just pushed")
                }
            };
            let md = if entry.1 == srcep { Direction::ToServer } else { Direction::ToClient };
            if md == Direction::ToServer {
                entry.2 += 1
            } else {
                entry.3 += 1
            }
            entry.4 = ts;
            assert_eq!(d, md, "direction at step {step}");
            assert_eq!((f.pkts_ts, f.pkts_tc), (entry.2, entry.3), "counters at step {step}");
            assert_eq!(t.len(), m.flows.len(), "size at step {step}");
        }
    }
}
