//! Engine counters with Suricata's names, kept per worker and summed for the `stats` event.

use crate::capture::LinkType;
use crate::decode::{DecodeEvent, Packet, L4};
use crate::flow::table::FlowTableStats;
use crate::flow::{Flow, TcpState};

/// Number of decoder event slots (the capacity of [`crate::decode::DecodeEvents`]).
pub const EVENT_SLOTS: usize = 256;

/// Counters of one worker (or the sum of all). Field names follow Suricata's `stats` tree.
#[derive(Clone, Debug)]
pub struct Counters {
    /// `decoder.pkts`.
    pub pkts: u64,
    /// `decoder.bytes` (captured frame bytes).
    pub bytes: u64,
    /// `decoder.invalid`: packets with a decoder event that stopped decoding before IP.
    pub invalid: u64,
    /// `decoder.ipv4`.
    pub ipv4: u64,
    /// `decoder.ipv6`.
    pub ipv6: u64,
    /// `decoder.ethernet`.
    pub ethernet: u64,
    /// `decoder.raw`.
    pub raw: u64,
    /// `decoder.null`.
    pub null: u64,
    /// `decoder.sll`.
    pub sll: u64,
    /// `decoder.sll2`.
    pub sll2: u64,
    /// `decoder.tcp`.
    pub tcp: u64,
    /// `decoder.udp`.
    pub udp: u64,
    /// `decoder.icmpv4`.
    pub icmpv4: u64,
    /// `decoder.icmpv6`.
    pub icmpv6: u64,
    /// `decoder.vlan`.
    pub vlan: u64,
    /// `decoder.vlan_qinq`.
    pub vlan_qinq: u64,
    /// `decoder.vlan_qinqinq`.
    pub vlan_qinqinq: u64,
    /// `decoder.max_pkt_size`.
    pub max_pkt_size: u64,
    /// `decoder.arp`.
    pub arp: u64,
    /// `decoder.unknown_ethertype`.
    pub unknown_ethertype: u64,
    /// `decoder.vntag`.
    pub vntag: u64,
    /// `decoder.etag`.
    pub etag: u64,
    /// `decoder.ieee8021ah`.
    pub ieee8021ah: u64,
    /// `decoder.too_many_layers`.
    pub too_many_layers: u64,
    /// `decoder.ipv4_in_ipv4`, `ipv6_in_ipv4`, `ipv4_in_ipv6`, `ipv6_in_ipv6`.
    pub ip_in_ip: [u64; 4],
    /// `decoder.event.*`, indexed by [`DecodeEvent`] discriminant.
    pub events: [u64; EVENT_SLOTS],
    /// Flow-table counters (`flow.*`, parts of `tcp.*`).
    pub flow: FlowTableStats,
    /// `flow.end.state.{new,established,closed}`.
    pub flow_end_state: [u64; 3],
    /// `flow.end.tcp_state.*`, in [`TCP_END_STATES`] order.
    pub flow_end_tcp_state: [u64; TCP_END_STATES.len()],
    /// `detect.alert`.
    pub alerts: u64,
    /// `detect.alert_queue_overflow`.
    pub alert_queue_overflow: u64,
    /// `ips.blocked`-like count of dropped packets (IPS simulation); written as
    /// `ips.drop_reason.rules`.
    pub dropped: u64,
    /// Stream, app-layer and defrag counters (wire: `src/applayer/counters.rs`).
    pub app: crate::applayer::counters::AppCounters,
    /// Live capture and inline verdict counters (`capture.*`, `ips.*`); all zero offline.
    pub live: LiveCounters,
}

/// Counters of a live run: kernel capture statistics and inline verdicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveCounters {
    /// A live source filled these (EVE then writes the `capture` object).
    pub live: bool,
    /// An inline (NFQUEUE) run: EVE writes the `ips` verdict counters.
    pub inline: bool,
    /// `capture.kernel_packets`: packets the kernel handed to the capture sockets.
    pub kernel_packets: u64,
    /// `capture.kernel_drops`: packets the kernel dropped (ring or queue full).
    pub kernel_drops: u64,
    /// `ips.accepted`: packets given an accept verdict.
    pub accepted: u64,
    /// `ips.rejected`: reject responses sent.
    pub rejected: u64,
    /// Packets the kernel let through without a verdict (queue full with fail-open set),
    /// derived from the kernel's queue counters; in the exit summary (Suricata's EVE schema
    /// has no field for it).
    pub fail_open: u64,
    /// `ips.drop_reason.nfq_error`: verdicts the kernel refused.
    pub verdict_errors: u64,
}

impl LiveCounters {
    /// Adds `o` into `self`.
    pub fn merge(&mut self, o: &LiveCounters) {
        self.live |= o.live;
        self.inline |= o.inline;
        self.kernel_packets += o.kernel_packets;
        self.kernel_drops += o.kernel_drops;
        self.accepted += o.accepted;
        self.rejected += o.rejected;
        self.fail_open += o.fail_open;
        self.verdict_errors += o.verdict_errors;
    }
}

/// Suricata's `flow.end.tcp_state` names, in its order.
pub const TCP_END_STATES: [&str; 11] =
    ["none", "syn_sent", "syn_recv", "established", "fin_wait1", "fin_wait2", "time_wait", "last_ack", "close_wait", "closing", "closed"];

impl Default for Counters {
    fn default() -> Self {
        Counters {
            pkts: 0,
            bytes: 0,
            invalid: 0,
            ipv4: 0,
            ipv6: 0,
            ethernet: 0,
            raw: 0,
            null: 0,
            sll: 0,
            sll2: 0,
            tcp: 0,
            udp: 0,
            icmpv4: 0,
            icmpv6: 0,
            vlan: 0,
            vlan_qinq: 0,
            vlan_qinqinq: 0,
            max_pkt_size: 0,
            arp: 0,
            unknown_ethertype: 0,
            vntag: 0,
            etag: 0,
            ieee8021ah: 0,
            too_many_layers: 0,
            ip_in_ip: [0; 4],
            events: [0; EVENT_SLOTS],
            flow: FlowTableStats::default(),
            flow_end_state: [0; 3],
            flow_end_tcp_state: [0; TCP_END_STATES.len()],
            alerts: 0,
            alert_queue_overflow: 0,
            dropped: 0,
            app: Default::default(), // wire
            live: LiveCounters::default(),
        }
    }
}

impl Counters {
    /// Counts one decoded packet.
    pub fn count_packet(&mut self, p: &Packet<'_>) {
        let len = p.data.len() as u64;
        self.pkts += 1;
        self.bytes += len;
        self.max_pkt_size = self.max_pkt_size.max(len);
        match p.link {
            LinkType::Ethernet => self.ethernet += 1,
            LinkType::Raw | LinkType::Ipv4 | LinkType::Ipv6 => self.raw += 1,
            LinkType::Null | LinkType::Loop => self.null += 1,
            LinkType::LinuxSll => self.sll += 1,
            LinkType::LinuxSll2 => self.sll2 += 1,
            LinkType::Other(_) => {}
        }
        match p.vlan_len {
            0 => {}
            1 => self.vlan += 1,
            2 => self.vlan_qinq += 1,
            _ => self.vlan_qinqinq += 1,
        }
        {
            use crate::decode::layer;
            let l = p.layers;
            for (bit, c) in [
                (layer::ARP, &mut self.arp),
                (layer::UNKNOWN_ETHERTYPE, &mut self.unknown_ethertype),
                (layer::VNTAG, &mut self.vntag),
                (layer::ETAG, &mut self.etag),
                (layer::IEEE8021AH, &mut self.ieee8021ah),
                (layer::TOO_MANY_LAYERS, &mut self.too_many_layers),
            ] {
                if l & bit != 0 {
                    *c += 1;
                }
            }
        }
        if let (Some(t), Some(outer)) = (p.tunnel, p.tunnel_outer()) {
            use crate::decode::TunnelKind;
            let i = match (t.kind, outer.version) {
                (TunnelKind::IpInIp, 4) => Some(0),
                (TunnelKind::Ipv6InIp, 4) => Some(1),
                (TunnelKind::IpInIp, _) => Some(2),
                (TunnelKind::Ipv6InIp, _) => Some(3),
                _ => None,
            };
            if let Some(c) = i.and_then(|i| self.ip_in_ip.get_mut(i)) {
                *c += 1;
            }
        }
        match p.ip.map(|i| i.version) {
            Some(4) => self.ipv4 += 1,
            Some(6) => self.ipv6 += 1,
            _ => {}
        }
        match p.l4 {
            L4::Tcp(_) => self.tcp += 1,
            L4::Udp(_) => self.udp += 1,
            L4::Icmp4(_) => self.icmpv4 += 1,
            L4::Icmp6(_) => self.icmpv6 += 1,
            _ => {}
        }
        if !p.events.is_empty() {
            if p.ip.is_none() {
                self.invalid += 1;
            }
            for e in p.events.iter() {
                if let Some(c) = self.events.get_mut(e as usize) {
                    *c += 1;
                }
            }
        }
    }

    /// Counts a flow that ended.
    pub fn count_flow_end(&mut self, f: &Flow) {
        let i = match f.eve_state() {
            "established" => 1,
            "closed" => 2,
            _ => 0,
        };
        self.flow_end_state[i] += 1;
        if f.key.proto == 6 {
            let name = match f.tcp.state {
                TcpState::Reset => "closed",
                s => s.as_str(),
            };
            if let Some(j) = TCP_END_STATES.iter().position(|n| *n == name) {
                self.flow_end_tcp_state[j] += 1;
            }
        }
    }

    /// `decoder.avg_pkt_size`.
    pub fn avg_pkt_size(&self) -> u64 {
        self.bytes.checked_div(self.pkts).unwrap_or(0)
    }

    /// Adds `o` into `self`.
    pub fn merge(&mut self, o: &Counters) {
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f += o.$f; )* };
        }
        add!(pkts, bytes, invalid, ipv4, ipv6, ethernet, raw, null, sll, sll2, tcp, udp, icmpv4, icmpv6, vlan, vlan_qinq, vlan_qinqinq, arp, unknown_ethertype, vntag, etag, ieee8021ah, too_many_layers, alerts, alert_queue_overflow, dropped);
        self.max_pkt_size = self.max_pkt_size.max(o.max_pkt_size);
        self.live.merge(&o.live);
        for (a, b) in self.ip_in_ip.iter_mut().zip(o.ip_in_ip.iter()) {
            *a += *b;
        }
        for (a, b) in self.events.iter_mut().zip(o.events.iter()) {
            *a += *b;
        }
        for (a, b) in self.flow_end_state.iter_mut().zip(o.flow_end_state.iter()) {
            *a += *b;
        }
        for (a, b) in self.flow_end_tcp_state.iter_mut().zip(o.flow_end_tcp_state.iter()) {
            *a += *b;
        }
        self.app.merge(&o.app); // wire
        let (f, g) = (&mut self.flow, &o.flow);
        f.total += g.total;
        f.tcp += g.tcp;
        f.udp += g.udp;
        f.icmpv4 += g.icmpv4;
        f.icmpv6 += g.icmpv6;
        f.evicted += g.evicted;
        f.timed_out += g.timed_out;
        f.midstream_pickups += g.midstream_pickups;
        f.tcp_sessions += g.tcp_sessions;
        f.syn += g.syn;
        f.synack += g.synack;
        f.rst += g.rst;
        f.tcp_reuse += g.tcp_reuse;
    }

    /// `decoder.event` groups: (group, [(name, count)]) in [`DecodeEvent::ALL`] order.
    pub fn event_groups(&self) -> Vec<(&'static str, Vec<(&'static str, u64)>)> {
        let mut groups: Vec<(&'static str, Vec<(&'static str, u64)>)> = Vec::new();
        for e in DecodeEvent::ALL {
            let full = e.name();
            let (g, n) = full.split_once('.').unwrap_or(("other", full));
            let c = self.events.get(*e as usize).copied().unwrap_or(0);
            match groups.iter_mut().find(|(name, _)| *name == g) {
                Some((_, v)) => v.push((n, c)),
                None => groups.push((g, vec![(n, c)])),
            }
        }
        groups
    }
}
