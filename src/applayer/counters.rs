//! Stream, app-layer and defrag counters with Suricata's `stats` names, kept per worker and
//! summed into the `stats` event (`tcp.*`, `app_layer.flow.http`, `app_layer.tx.http`,
//! `defrag.*`).

use crate::defrag::DefragStats;
use crate::output::eve::JsonWriter;
use crate::stream::{StreamEvent, StreamEvents};

/// Counters of the app-layer wiring of one worker (or the sum of all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppCounters {
    /// TCP sessions given a reassembly state (Rampart; Suricata counts `tcp.sessions`).
    pub tcp_sessions_tracked: u64,
    /// `tcp.reassembly_gap`.
    pub reassembly_gap: u64,
    /// `tcp.overlap` (retransmissions and overlapping segments).
    pub overlap: u64,
    /// `tcp.overlap_diff_data`.
    pub overlap_diff_data: u64,
    /// `tcp.stream_depth_reached`.
    pub stream_depth_reached: u64,
    /// `tcp.invalid_ack`-like count of packets with an invalid ACK (Rampart name
    /// `tcp.pkt_invalid_ack`).
    pub pkt_invalid_ack: u64,
    /// `app_layer.flow.http`.
    pub flow_http: u64,
    /// `app_layer.tx.http`.
    pub tx_http: u64,
    /// `app_layer.flow.ssh` (proto3).
    pub flow_ssh: u64,
    /// `app_layer.tx.ssh`.
    pub tx_ssh: u64,
    /// `app_layer.flow.ftp`.
    pub flow_ftp: u64,
    /// `app_layer.tx.ftp`.
    pub tx_ftp: u64,
    /// `app_layer.flow.ftp_data`.
    pub flow_ftp_data: u64,
    /// `app_layer.tx.ftp_data`.
    pub tx_ftp_data: u64,
    /// `app_layer.flow.smtp`.
    pub flow_smtp: u64,
    /// `app_layer.tx.smtp`.
    pub tx_smtp: u64,
    /// `app_layer.flow.dns_udp` (DNS over UDP flows).
    pub flow_dns_udp: u64,
    /// `app_layer.flow.dns_tcp`.
    pub flow_dns_tcp: u64,
    /// `app_layer.tx.dns_udp` (one per DNS message).
    pub tx_dns_udp: u64,
    /// `app_layer.tx.dns_tcp`.
    pub tx_dns_tcp: u64,
    /// `app_layer.flow.tls` (tls).
    pub flow_tls: u64,
    /// `app_layer.tx.tls` (tls).
    pub tx_tls: u64,
    /// `defrag.*` (filled from the defragmenter at snapshot time).
    pub defrag: DefragStats,
}

impl AppCounters {
    /// Counts the stream events of one packet.
    pub fn count_stream_events(&mut self, ev: StreamEvents) {
        if ev.is_empty() {
            return;
        }
        for e in ev.iter() {
            match e {
                StreamEvent::SeqGap => self.reassembly_gap += 1,
                StreamEvent::PktRetransmission => self.overlap += 1,
                StreamEvent::OverlapDifferentData => {
                    self.overlap += 1;
                    self.overlap_diff_data += 1;
                }
                StreamEvent::DepthReached => self.stream_depth_reached += 1,
                StreamEvent::PktInvalidAck | StreamEvent::EstInvalidAck => self.pkt_invalid_ack += 1,
                _ => {}
            }
        }
    }

    /// Adds `o` into `self`.
    pub fn merge(&mut self, o: &AppCounters) {
        self.tcp_sessions_tracked += o.tcp_sessions_tracked;
        self.reassembly_gap += o.reassembly_gap;
        self.overlap += o.overlap;
        self.overlap_diff_data += o.overlap_diff_data;
        self.stream_depth_reached += o.stream_depth_reached;
        self.pkt_invalid_ack += o.pkt_invalid_ack;
        self.flow_http += o.flow_http;
        self.tx_http += o.tx_http;
        self.flow_ssh += o.flow_ssh;
        self.tx_ssh += o.tx_ssh;
        self.flow_ftp += o.flow_ftp;
        self.tx_ftp += o.tx_ftp;
        self.flow_ftp_data += o.flow_ftp_data;
        self.tx_ftp_data += o.tx_ftp_data;
        self.flow_smtp += o.flow_smtp;
        self.tx_smtp += o.tx_smtp;
        self.flow_dns_udp += o.flow_dns_udp;
        self.flow_dns_tcp += o.flow_dns_tcp;
        self.tx_dns_udp += o.tx_dns_udp;
        self.tx_dns_tcp += o.tx_dns_tcp;
        self.flow_tls += o.flow_tls;
        self.tx_tls += o.tx_tls;
        let (d, e) = (&mut self.defrag, &o.defrag);
        d.ipv4_fragments += e.ipv4_fragments;
        d.ipv6_fragments += e.ipv6_fragments;
        d.ipv4_reassembled += e.ipv4_reassembled;
        d.ipv6_reassembled += e.ipv6_reassembled;
        d.trackers += e.trackers;
        d.trackers_created += e.trackers_created;
        d.timeouts += e.timeouts;
        d.memcap_evictions += e.memcap_evictions;
        d.tracker_evictions += e.tracker_evictions;
        d.ignored += e.ignored;
        d.overlaps += e.overlaps;
        d.memuse += e.memuse;
    }

    /// Members of the `stats.tcp` object (call inside it).
    pub fn write_tcp(&self, w: &mut JsonWriter<'_>) {
        w.ku64("stream_depth_reached", self.stream_depth_reached);
        w.ku64("reassembly_gap", self.reassembly_gap);
        w.ku64("overlap", self.overlap);
        w.ku64("overlap_diff_data", self.overlap_diff_data);
    }

    /// The `stats.app_layer` and `stats.defrag` objects (call inside `stats`).
    pub fn write_objects(&self, w: &mut JsonWriter<'_>) {
        w.key("app_layer").open();
        w.key("flow").open().ku64("http", self.flow_http);
        w.ku64("ftp", self.flow_ftp).ku64("smtp", self.flow_smtp).ku64("ssh", self.flow_ssh).ku64("ftp_data", self.flow_ftp_data); // proto3
        w.ku64("tls", self.flow_tls).ku64("dns_tcp", self.flow_dns_tcp).ku64("dns_udp", self.flow_dns_udp); // dns
        w.close();
        w.key("tx").open().ku64("http", self.tx_http);
        w.ku64("ftp", self.tx_ftp).ku64("smtp", self.tx_smtp).ku64("ssh", self.tx_ssh).ku64("ftp_data", self.tx_ftp_data); // proto3
        w.ku64("tls", self.tx_tls).ku64("dns_tcp", self.tx_dns_tcp).ku64("dns_udp", self.tx_dns_udp); // dns
        w.close();
        w.close();
        let d = &self.defrag;
        w.key("defrag").open();
        w.key("ipv4").open().ku64("fragments", d.ipv4_fragments).ku64("reassembled", d.ipv4_reassembled).close();
        w.key("ipv6").open().ku64("fragments", d.ipv6_fragments).ku64("reassembled", d.ipv6_reassembled).close();
        w.ku64("max_trackers_reached", d.tracker_evictions);
        w.key("wrk").open().ku64("tracker_timeout", d.timeouts).close();
        w.close();
    }
}
