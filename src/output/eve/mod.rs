//! EVE JSON events, written field for field in Suricata's order and spelling.
//!
//! Every function appends exactly one JSON object followed by `\n` to a caller-owned buffer;
//! workers keep one buffer each and hand filled buffers to the output thread. The shape of
//! every event is specified by `eve-schema/*.json` and checked by `tests/eve_schema.rs`.

pub mod writer;

use crate::decode::{Packet, L4};
use crate::detect::{Action, Alert};
use crate::flow::{Direction, EndReason, Flow};
use crate::output::stats::{Counters, TCP_END_STATES};
use crate::output::EveOptions;
use crate::time::Timestamp;
use std::net::IpAddr;
pub use writer::JsonWriter;

/// Display adapter for addresses as Suricata writes them: dotted IPv4, and IPv6 as eight
/// groups of four lowercase hex digits (`2001:0db8:0000:...`), never `::`-compressed.
#[derive(Clone, Copy, Debug)]
pub struct EveIp(pub IpAddr);

impl std::fmt::Display for EveIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}"),
            IpAddr::V6(a) => {
                let s = a.segments();
                write!(f, "{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}", s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
            }
        }
    }
}

/// Suricata's `pkt_src` for packets read from the wire or a capture file.
const PKT_SRC: &str = "wire/pcap";

/// A packet as the EVE writer needs it.
#[derive(Clone, Copy)]
pub struct PacketRecord<'p, 'a> {
    /// The decoded packet.
    pub p: &'p Packet<'a>,
    /// 1-based index in the source (`pcap_cnt`).
    pub pcap_cnt: u64,
    /// The packet's flow and direction, when it has one.
    pub flow: Option<(&'p Flow, Direction)>,
}

fn has_ports(proto: u8) -> bool {
    matches!(proto, 6 | 17 | 132)
}

/// timestamp, flow_id, pcap_cnt, event_type, vlan, src/dest ip and port, proto, ip_v, icmp
/// type/code, pkt_src: the common head of packet events (alert, anomaly, drop).
fn packet_head(w: &mut JsonWriter<'_>, r: &PacketRecord<'_, '_>, event_type: &str) {
    let p = r.p;
    w.kdisp("timestamp", p.ts.eve());
    if let Some((f, _)) = r.flow {
        w.ku64("flow_id", f.id);
    }
    if r.pcap_cnt > 0 {
        w.ku64("pcap_cnt", r.pcap_cnt);
    }
    w.kstr("event_type", event_type);
    write_vlan(w, p.vlans());
    if let Some(ip) = p.ip {
        let (sp, dp) = p.ports();
        let ports = has_ports(ip.proto) && !matches!(p.l4, L4::None);
        w.kdisp("src_ip", EveIp(ip.src));
        if ports {
            w.ku64("src_port", sp.into());
        }
        w.kdisp("dest_ip", EveIp(ip.dst));
        if ports {
            w.ku64("dest_port", dp.into());
        }
        w.kdisp("proto", p.proto_name());
        w.ku64("ip_v", ip.version.into());
        if let L4::Icmp4(i) | L4::Icmp6(i) = p.l4 {
            w.ku64("icmp_type", i.typ.into()).ku64("icmp_code", i.code.into());
        }
    }
    match p.tunnel_outer() {
        Some(outer) => {
            w.kstr("pkt_src", if outer.version == 4 { "ipv4 tunnel" } else { "ipv6 tunnel" });
            w.key("tunnel").open();
            w.kdisp("src_ip", EveIp(outer.src)).kdisp("dest_ip", EveIp(outer.dst));
            w.kdisp("proto", crate::decode::ProtoName(outer.proto));
            w.ku64("depth", 0);
            if r.pcap_cnt > 0 {
                w.ku64("pcap_cnt", r.pcap_cnt);
            }
            w.kstr("pkt_src", PKT_SRC);
            w.close();
        }
        None => {
            w.kstr("pkt_src", PKT_SRC);
        }
    }
}

fn write_vlan(w: &mut JsonWriter<'_>, vlans: &[u16]) {
    if !vlans.is_empty() {
        w.key("vlan").open_arr();
        for v in vlans {
            w.u64((*v).into());
        }
        w.close_arr();
    }
}

fn mac(w: &mut JsonWriter<'_>, m: &[u8]) {
    if let [a, b, c, d, e, f] = m {
        w.display_plain(format_args!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}"));
    }
}

/// The packet's `ether` object (`src_mac`, `dest_mac`) when the frame is Ethernet.
fn write_ether_packet(w: &mut JsonWriter<'_>, p: &Packet<'_>) {
    if p.link != crate::capture::LinkType::Ethernet {
        return;
    }
    if let (Some(dst), Some(src)) = (p.data.get(0..6), p.data.get(6..12)) {
        w.key("ether").open();
        w.key("src_mac");
        mac(w, src);
        w.key("dest_mac");
        mac(w, dst);
        w.close();
    }
}

/// A flow's `ether` object: every client (`src_macs`) and server (`dest_macs`) MAC address
/// seen, first seen first.
fn write_ether_flow(w: &mut JsonWriter<'_>, f: &Flow) {
    let o = &f.out;
    if o.client_macs.is_empty() && o.server_macs.is_empty() {
        return;
    }
    w.key("ether").open();
    w.key("dest_macs").open_arr();
    for m in &o.server_macs {
        mac(w, m);
    }
    w.close_arr();
    w.key("src_macs").open_arr();
    for m in &o.client_macs {
        mac(w, m);
    }
    w.close_arr();
    w.close();
}

fn write_community_id(w: &mut JsonWriter<'_>, opts: &EveOptions, f: &Flow) {
    if opts.community_id {
        let mut s = String::with_capacity(crate::output::community_id::COMMUNITY_ID_LEN);
        crate::output::community_id::community_id(f, opts.community_id_seed, &mut s);
        w.kstr("community_id", &s);
    }
}

/// `packet` (base64 of the frame) and `packet_info.linktype`.
fn write_packet_dump(w: &mut JsonWriter<'_>, p: &Packet<'_>) {
    w.key("packet").base64(p.data);
    w.key("packet_info").open().ku64("linktype", p.link.to_pcap().into());
    if let Some(name) = linktype_name(p.link) {
        w.kstr("linktype_name", name);
    }
    w.close();
}

/// Suricata's name for a link type (`packet_info.linktype_name`), for the ones it names.
fn linktype_name(l: crate::capture::LinkType) -> Option<&'static str> {
    use crate::capture::LinkType as L;
    match l {
        L::Null => Some("NULL"),
        L::Ethernet => Some("EN10MB"),
        L::Raw => Some("RAW"),
        L::LinuxSll => Some("LINUX_SLL"),
        L::LinuxSll2 => Some("LINUX_SLL2"),
        L::Ipv4 => Some("IPv4"),
        L::Ipv6 => Some("IPv6"),
        L::Loop | L::Other(_) => None,
    }
}

/// The `flow` object of an alert: counters so far, start, and the flow's orientation.
fn alert_flow(w: &mut JsonWriter<'_>, f: &Flow) {
    w.key("flow").open();
    w.ku64("pkts_toserver", f.pkts_ts).ku64("pkts_toclient", f.pkts_tc);
    w.ku64("bytes_toserver", f.bytes_ts).ku64("bytes_toclient", f.bytes_tc);
    w.kdisp("start", f.start.eve());
    w.kdisp("src_ip", EveIp(f.client.0)).kdisp("dest_ip", EveIp(f.server.0));
    if has_ports(f.key.proto) {
        w.ku64("src_port", f.client.1.into()).ku64("dest_port", f.server.1.into());
    }
    w.close();
}

/// Writes one `alert` event. `blocked`: the packet was dropped (IPS), `alert.action` is
/// `blocked`; otherwise `allowed`.
pub fn write_alert(buf: &mut Vec<u8>, opts: &EveOptions, r: &PacketRecord<'_, '_>, a: &Alert, blocked: bool) {
    write_alert_with(buf, opts, r, a, blocked, &mut |_, _| {})
}

/// [`write_alert`] with the app-layer object of the alert's transaction: `app(w, tx_id)`
/// writes it (e.g. `"http":{...}`) after `alert`, before `app_proto`, as Suricata orders them.
pub fn write_alert_with(buf: &mut Vec<u8>, opts: &EveOptions, r: &PacketRecord<'_, '_>, a: &Alert, blocked: bool, app: &mut dyn FnMut(&mut JsonWriter<'_>, u64)) {
    let mut w = JsonWriter::new(buf);
    w.open();
    packet_head(&mut w, r, "alert");
    if let Some(tx) = a.tx_id {
        w.ku64("tx_id", tx);
    }
    let s = &a.sig;
    w.key("alert").open();
    w.kstr("action", if blocked { "blocked" } else { "allowed" });
    w.ku64("gid", s.gid.into()).ku64("signature_id", s.sid.into()).ku64("rev", s.rev.into());
    w.kstr("signature", &s.msg).kstr("category", &s.category).ku64("severity", s.severity.into());
    if opts.alert_metadata && !s.metadata.is_empty() {
        w.key("metadata").open();
        for (k, vals) in &s.metadata {
            w.key(k).open_arr();
            for v in vals {
                w.str(v);
            }
            w.close_arr();
        }
        w.close();
    }
    w.close();
    if let Some(tx) = a.tx_id {
        app(&mut w, tx);
    }
    if opts.ethernet {
        write_ether_packet(&mut w, r.p);
    }
    if let Some((f, dir)) = r.flow {
        write_community_id(&mut w, opts, f);
        if let Some(app) = f.app_proto {
            w.kstr("app_proto", app);
        }
        w.kstr("direction", dir.as_str());
        alert_flow(&mut w, f);
    }
    let payload = r.p.payload();
    if opts.alert_payload {
        w.key("payload").base64(payload);
    }
    if opts.alert_payload_printable {
        w.key("payload_printable").printable(payload);
    }
    if opts.alert_payload || opts.alert_payload_printable {
        w.ku64("stream", 0);
    }
    if opts.alert_packet {
        write_packet_dump(&mut w, r.p);
    }
    w.close();
    buf.push(b'\n');
}

/// Writes one `anomaly` event of type `decode` for decoder event `name` (e.g. `ipv4.trunc_pkt`).
pub fn write_anomaly(buf: &mut Vec<u8>, r: &PacketRecord<'_, '_>, name: &str) {
    write_anomaly_opts(buf, &EveOptions::default(), r, name)
}

/// [`write_anomaly`] honouring the eve-log options (`packethdr`, `ethernet`, `community-id`).
pub fn write_anomaly_opts(buf: &mut Vec<u8>, opts: &EveOptions, r: &PacketRecord<'_, '_>, name: &str) {
    let mut w = JsonWriter::new(buf);
    w.open();
    packet_head(&mut w, r, "anomaly");
    if opts.ethernet {
        write_ether_packet(&mut w, r.p);
    }
    if let Some((f, _)) = r.flow {
        write_community_id(&mut w, opts, f);
    }
    if opts.anomaly_packethdr {
        write_packet_dump(&mut w, r.p);
    }
    w.key("anomaly").open().kstr("type", "decode");
    w.key("event");
    // Suricata's decode anomaly names carry the `decoder.` prefix.
    w.str_prefixed("decoder.", name);
    w.close();
    w.close();
    buf.push(b'\n');
}

impl JsonWriter<'_> {
    /// A string value `prefix + s`, escaped, without building the joined string.
    pub fn str_prefixed(&mut self, prefix: &str, s: &str) -> &mut Self {
        // Names are plain ASCII identifiers; escape both parts to stay valid regardless.
        self.str_concat(prefix, s)
    }
}

/// Writes one `drop` event (IPS: the packet was dropped by a rule).
pub fn write_drop(buf: &mut Vec<u8>, r: &PacketRecord<'_, '_>) {
    write_drop_opts(buf, &EveOptions::default(), r, DropReason::Rules, None)
}

/// Why a packet was dropped (EVE `drop.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// A drop/reject rule matched this packet.
    Rules,
    /// The packet belongs to a flow a rule dropped earlier.
    FlowDrop,
}

impl DropReason {
    /// Suricata's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Rules => "rules",
            DropReason::FlowDrop => "flow drop",
        }
    }
}

/// [`write_drop`] with the eve-log options, the reason, and the alert that caused the drop
/// (written as the `alert` object when `drop.alerts` is on).
pub fn write_drop_opts(buf: &mut Vec<u8>, opts: &EveOptions, r: &PacketRecord<'_, '_>, reason: DropReason, alert: Option<&Alert>) {
    let mut w = JsonWriter::new(buf);
    w.open();
    packet_head(&mut w, r, "drop");
    let p = r.p;
    w.key("drop").open();
    if let Some(ip) = p.ip {
        w.ku64("len", ip.total_len.into());
        if ip.version == 4 {
            w.ku64("tos", ip.tos.into()).ku64("ttl", ip.ttl.into()).ku64("ipid", ip.id.into());
        } else {
            w.ku64("tc", ip.tos.into()).ku64("hoplimit", ip.ttl.into());
        }
    }
    match p.l4 {
        L4::Tcp(t) => {
            use crate::decode::tcp_flags::*;
            w.ku64("tcpseq", t.seq.into()).ku64("tcpack", t.ack.into()).ku64("tcpwin", t.window.into());
            w.kbool("syn", t.flags & SYN != 0).kbool("ack", t.flags & ACK != 0).kbool("psh", t.flags & PSH != 0);
            w.kbool("rst", t.flags & RST != 0).kbool("urg", t.flags & URG != 0).kbool("fin", t.flags & FIN != 0);
            w.ku64("tcpurgp", t.urg_ptr.into());
        }
        L4::Udp(u) => {
            w.ku64("udplen", u.len.into());
        }
        L4::Icmp4(i) | L4::Icmp6(i) => {
            if let Some(id) = i.id {
                w.ku64("icmp_id", id.into());
            }
            if let Some(seq) = i.seq {
                w.ku64("icmp_seq", seq.into());
            }
        }
        _ => {}
    }
    w.kstr("reason", reason.as_str());
    w.close();
    if opts.drop_alerts {
        if let Some(a) = alert {
            let sig = &a.sig;
            w.key("alert").open();
            w.kstr("action", "blocked");
            w.ku64("gid", sig.gid.into()).ku64("signature_id", sig.sid.into()).ku64("rev", sig.rev.into());
            w.kstr("signature", &sig.msg).kstr("category", &sig.category).ku64("severity", sig.severity.into());
            w.close();
        }
    }
    if opts.ethernet {
        write_ether_packet(&mut w, r.p);
    }
    if let Some((f, _)) = r.flow {
        write_community_id(&mut w, opts, f);
    }
    w.close();
    buf.push(b'\n');
}

/// Writes one `flow` event for a flow that ended at `now` for `reason`.
pub fn write_flow(buf: &mut Vec<u8>, f: &Flow, reason: EndReason, now: Timestamp) {
    write_flow_opts(buf, &EveOptions::default(), f, reason, now)
}

/// [`write_flow`] honouring the eve-log options (`ethernet`, `community-id`).
pub fn write_flow_opts(buf: &mut Vec<u8>, opts: &EveOptions, f: &Flow, reason: EndReason, now: Timestamp) {
    let mut w = JsonWriter::new(buf);
    w.open();
    w.kdisp("timestamp", now.eve());
    w.ku64("flow_id", f.id);
    w.kstr("event_type", "flow");
    let vl = [f.key.vlan, f.key.vlan_inner, f.key.vlan_third];
    let nv = if f.key.vlan_third != 0 {
        3
    } else if f.key.vlan_inner != 0 {
        2
    } else if f.key.vlan != 0 {
        1
    } else {
        0
    };
    write_vlan(&mut w, &vl[..nv]);
    let ports = has_ports(f.key.proto);
    w.kdisp("src_ip", EveIp(f.client.0));
    if ports {
        w.ku64("src_port", f.client.1.into());
    }
    w.kdisp("dest_ip", EveIp(f.server.0));
    if ports {
        w.ku64("dest_port", f.server.1.into());
    }
    w.ku64("ip_v", f.ip_v.into());
    w.kdisp("proto", crate::decode::ProtoName(f.key.proto));
    if let Some((t, c)) = f.icmp_ts {
        w.ku64("icmp_type", t.into()).ku64("icmp_code", c.into());
    }
    if let Some((t, c)) = f.icmp_tc {
        w.ku64("response_icmp_type", t.into()).ku64("response_icmp_code", c.into());
    }
    if opts.ethernet {
        write_ether_flow(&mut w, f);
    }
    write_community_id(&mut w, opts, f);
    if let Some(app) = f.app_proto {
        w.kstr("app_proto", app);
    }
    w.key("flow").open();
    w.ku64("pkts_toserver", f.pkts_ts).ku64("pkts_toclient", f.pkts_tc);
    w.ku64("bytes_toserver", f.bytes_ts).ku64("bytes_toclient", f.bytes_tc);
    w.kdisp("start", f.start.eve()).kdisp("end", f.last.eve());
    w.ku64("age", (f.last.secs() - f.start.secs()).max(0) as u64);
    w.kstr("state", f.eve_state()).kstr("reason", reason.as_str()).kbool("alerted", f.alerted);
    if f.drop {
        w.kstr("action", "drop");
    } else if f.pass {
        w.kstr("action", "pass");
    }
    w.close();
    if f.key.proto == 6 {
        let (ts, tc) = (f.tcp.flags_ts, f.tcp.flags_tc);
        let all = ts | tc;
        w.key("tcp").open();
        w.kdisp("tcp_flags", format_args!("{all:02x}"));
        w.kdisp("tcp_flags_ts", format_args!("{ts:02x}"));
        w.kdisp("tcp_flags_tc", format_args!("{tc:02x}"));
        use crate::decode::tcp_flags::*;
        for (bit, name) in [(SYN, "syn"), (FIN, "fin"), (RST, "rst"), (PSH, "psh"), (ACK, "ack"), (URG, "urg"), (ECE, "ecn"), (CWR, "cwr")] {
            if all & bit != 0 {
                w.kbool(name, true);
            }
        }
        if f.tcp.has_session() {
            let st = match f.tcp.state {
                crate::flow::TcpState::Reset => "closed",
                s => s.as_str(),
            };
            w.kstr("state", st);
        }
        w.close();
    }
    w.close();
    buf.push(b'\n');
}

/// Writes one `stats` event at wall-clock time `now` with `uptime` seconds.
pub fn write_stats(buf: &mut Vec<u8>, c: &Counters, now: Timestamp, uptime: u64) {
    write_stats_with(buf, c, now, uptime, None);
}

/// [`write_stats`] with the ruleset state as Suricata's `detect.engines` (one engine, id 0).
pub fn write_stats_with(buf: &mut Vec<u8>, c: &Counters, now: Timestamp, uptime: u64, engines: Option<&super::metrics::EngineStats>) {
    let mut w = JsonWriter::new(buf);
    w.open();
    w.kdisp("timestamp", now.eve());
    w.kstr("event_type", "stats");
    w.key("stats").open();
    w.ku64("uptime", uptime);
    w.key("decoder").open();
    w.ku64("pkts", c.pkts).ku64("bytes", c.bytes).ku64("invalid", c.invalid);
    w.ku64("ipv4", c.ipv4).ku64("ipv6", c.ipv6).ku64("ethernet", c.ethernet);
    w.ku64("arp", c.arp).ku64("unknown_ethertype", c.unknown_ethertype);
    w.ku64("raw", c.raw).ku64("null", c.null).ku64("sll", c.sll).ku64("sll2", c.sll2);
    w.ku64("tcp", c.tcp).ku64("udp", c.udp).ku64("icmpv4", c.icmpv4).ku64("icmpv6", c.icmpv6);
    w.ku64("vlan", c.vlan).ku64("vlan_qinq", c.vlan_qinq).ku64("vlan_qinqinq", c.vlan_qinqinq);
    w.ku64("vntag", c.vntag).ku64("etag", c.etag).ku64("ieee8021ah", c.ieee8021ah);
    w.ku64("avg_pkt_size", c.avg_pkt_size()).ku64("max_pkt_size", c.max_pkt_size);
    w.ku64("too_many_layers", c.too_many_layers);
    for (name, n) in ["ipv4_in_ipv4", "ipv6_in_ipv4", "ipv4_in_ipv6", "ipv6_in_ipv6"].iter().zip(c.ip_in_ip.iter()) {
        w.ku64(name, *n);
    }
    w.key("event").open();
    // Events without a group (`too_many_layers`) are decoder-level counters, not events.
    for (group, events) in c.event_groups().into_iter().filter(|(g, _)| *g != "other") {
        w.key(group).open();
        for (name, n) in events {
            w.ku64(name, n);
        }
        w.close();
    }
    w.close();
    w.close();
    let fs = &c.flow;
    w.key("tcp").open();
    w.ku64("syn", fs.syn).ku64("synack", fs.synack).ku64("rst", fs.rst);
    w.ku64("sessions", fs.tcp_sessions).ku64("midstream_pickups", fs.midstream_pickups);
    c.app.write_tcp(&mut w); // wire: stream counters
    w.close();
    w.key("flow").open();
    w.ku64("total", fs.total).ku64("tcp", fs.tcp).ku64("udp", fs.udp).ku64("icmpv4", fs.icmpv4).ku64("icmpv6", fs.icmpv6);
    w.ku64("tcp_reuse", fs.tcp_reuse).ku64("get_used", fs.evicted);
    w.key("end").open();
    w.key("state").open();
    w.ku64("new", c.flow_end_state[0]).ku64("established", c.flow_end_state[1]).ku64("closed", c.flow_end_state[2]);
    w.close();
    w.key("tcp_state").open();
    for (name, n) in TCP_END_STATES.iter().zip(c.flow_end_tcp_state.iter()) {
        w.ku64(name, *n);
    }
    w.close();
    w.close();
    w.key("mgr").open().ku64("flows_timeout", fs.timed_out).close();
    w.close();
    c.app.write_objects(&mut w); // wire: app_layer + defrag
    w.key("detect").open();
    w.ku64("alert", c.alerts).ku64("alert_queue_overflow", c.alert_queue_overflow);
    if let Some(e) = engines {
        w.key("engines").open_arr().open();
        w.ku64("id", 0).kdisp("last_reload", e.last_reload.eve());
        w.ku64("rules_loaded", e.rules_loaded).ku64("rules_failed", e.rules_failed).ku64("rules_skipped", e.rules_skipped);
        w.close().close_arr();
    }
    w.close();
    if c.dropped > 0 && !c.live.live {
        w.key("ips").open().ku64("blocked", c.dropped).close();
    }
    write_live_stats(&mut w, c);
    w.close();
    w.close();
    buf.push(b'\n');
}

/// Live runs: Suricata's `capture` object (kernel counters of the capture sockets or queues)
/// and the `ips` verdict counters.
fn write_live_stats(w: &mut JsonWriter<'_>, c: &Counters) {
    let l = &c.live;
    if !l.live {
        return;
    }
    w.key("capture").open();
    w.ku64("kernel_packets", l.kernel_packets).ku64("kernel_drops", l.kernel_drops);
    w.close();
    if !l.inline {
        if c.dropped > 0 {
            w.key("ips").open().ku64("blocked", c.dropped).close();
        }
        return;
    }
    w.key("ips").open();
    w.ku64("accepted", l.accepted).ku64("blocked", c.dropped).ku64("rejected", l.rejected);
    // A verdict the kernel refused leaves the packet without one: Suricata's nfq_error.
    w.key("drop_reason").open().ku64("nfq_error", l.verdict_errors).close();
    w.close();
}

/// Whether a rule action makes the packet dropped in IPS mode.
pub fn action_drops(a: Action) -> bool {
    matches!(a, Action::Drop | Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_suricata_writes_them() {
        let cases: &[(&str, &str)] = &[
            ("10.0.0.1", "10.0.0.1"),
            ("2001:db8:1::1", "2001:0db8:0001:0000:0000:0000:0000:0001"),
            ("::", "0000:0000:0000:0000:0000:0000:0000:0000"),
            ("fe80::abcd", "fe80:0000:0000:0000:0000:0000:0000:abcd"),
        ];
        for (input, want) in cases {
            let ip: IpAddr = input.parse().expect("address");
            assert_eq!(EveIp(ip).to_string(), *want, "{input}");
        }
    }
}
