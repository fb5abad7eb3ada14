//! Every EVE line we write must validate against our own strict schemas in `eve-schema/` and
//! against Suricata's schema in /work/shared/eve-schema/suricata.schema.json.
//!
//! Two sources of lines: (1) the whole pipeline over captures built here with etherparse, and
//! (2) each event writer called directly with hand-built packets, flows and alerts, so every
//! event type and optional field is covered even where the decoder or engine cannot produce
//! it.

use arc_swap::ArcSwap;
use rampart::capture::{CaptureError, Frame, LinkType, PacketSource};
use rampart::config::{Config, RunMode};
use rampart::decode::{self, DecodeEvent, IcmpHdr, IpHdr, Packet, TcpHdr, UdpHdr, L4};
use rampart::detect::{Action, Alert, DetectEngine, SigMeta};
use rampart::flow::table::{FlowConfig, FlowTable};
use rampart::flow::{Direction, EndReason};
use rampart::output::eve::{self, PacketRecord};
use rampart::output::stats::Counters;
use rampart::output::EveOptions;
use rampart::time::Timestamp;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

const SURICATA_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eve-schema/suricata.schema.json");
const BASE: &str = "https://rampart.invalid/eve-schema/";

struct Validators {
    ours: jsonschema::Validator,
    suricata: jsonschema::Validator,
}

fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn validators() -> Validators {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eve-schema");
    let mut opts = jsonschema::options();
    for name in ["alert", "anomaly", "drop", "flow", "stats", "tls"] {
        let v = load_json(&dir.join(format!("{name}.json")));
        opts = opts.with_resource(format!("{BASE}{name}.json"), jsonschema::Resource::from_contents(v));
    }
    let ours = opts.build(&load_json(&dir.join("eve.json"))).expect("eve-schema/eve.json compiles");
    let sp = Path::new(SURICATA_SCHEMA);
    assert!(sp.exists(), "{SURICATA_SCHEMA} is missing: the Suricata EVE schema is required for this test (mount /work/shared)");
    let suricata = jsonschema::validator_for(&load_json(sp)).expect("suricata schema compiles");
    Validators { ours, suricata }
}

fn check_lines(v: &Validators, text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let j: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {i} is not JSON ({e}): {line}"));
        let errs: Vec<String> = v.ours.iter_errors(&j).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errs.is_empty(), "line {i} fails eve-schema: {errs:?}\n{line}");
        let errs: Vec<String> = v.suricata.iter_errors(&j).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errs.is_empty(), "line {i} fails suricata.schema.json: {errs:?}\n{line}");
        out.push(j);
    }
    out
}

// ---------------------------------------------------------------- hand-built records

fn ip4(src: [u8; 4], dst: [u8; 4], proto: u8) -> IpHdr {
    IpHdr {
        version: 4,
        src: IpAddr::V4(Ipv4Addr::from(src)),
        dst: IpAddr::V4(Ipv4Addr::from(dst)),
        proto,
        ttl: 64,
        tos: 0,
        id: 7,
        frag_offset: 0,
        mf: false,
        df: true,
        rb: false,
        offset: 14,
        hdr_len: 20,
        total_len: 60,
        ipopts: 0,
        csum_ok: None,
    }
}

fn sig(sid: u32, action: Action, meta: bool) -> Arc<SigMeta> {
    Arc::new(SigMeta {
        gid: 1,
        sid,
        rev: 2,
        msg: format!("TEST \"quoted\" rule {sid}"),
        category: if meta { "Misc activity".into() } else { String::new() },
        severity: 3,
        action,
        metadata: if meta { vec![("created_at".into(), vec!["2024_01_01".into()]), ("tag".into(), vec!["a".into(), "b".into()])] } else { vec![] },
        target: None,
    })
}

#[test]
fn every_writer_validates() {
    let v = validators();
    let frame = [0x41u8; 80];
    let ts = Timestamp::from_parts(1_700_000_000, 123_456);
    let mut buf = Vec::new();
    let opts_all = EveOptions { alert_payload: true, alert_payload_printable: true, alert_packet: true, ..EveOptions::default() };

    let mut table = FlowTable::new(FlowConfig::default(), 1);
    // TCP with VLAN, SYN then SYN/ACK
    let mut p = Packet::empty(ts, LinkType::Ethernet, &frame);
    p.ip = Some(ip4([10, 0, 0, 1], [10, 0, 0, 2], 6));
    p.l4 = L4::Tcp(TcpHdr { sport: 40000, dport: 80, flags: 0x02, seq: 1, window: 100, ..TcpHdr::default() });
    p.vlan = [100, 0, 0];
    p.vlan_len = 1;
    p.payload_off = 54;
    p.payload_len = 10;
    p.events.set(DecodeEvent::Ipv4TruncPkt);
    let (f, d) = table.update(&p).expect("flow");
    let rec = PacketRecord { p: &p, pcap_cnt: 1, flow: Some((&*f, d)) };
    eve::write_alert(&mut buf, &opts_all, &rec, &Alert { sig: sig(1, Action::Alert, true), tx_id: None }, false);
    eve::write_alert(&mut buf, &EveOptions::default(), &rec, &Alert { sig: sig(2, Action::Drop, false), tx_id: Some(0) }, true);
    eve::write_anomaly(&mut buf, &rec, DecodeEvent::Ipv4TruncPkt.name());
    eve::write_drop(&mut buf, &rec);

    // UDP without flow
    let mut u = Packet::empty(ts, LinkType::Ethernet, &frame);
    u.ip = Some(ip4([10, 0, 0, 3], [10, 0, 0, 4], 17));
    u.l4 = L4::Udp(UdpHdr { sport: 5353, dport: 53, len: 30, ..UdpHdr::default() });
    let rec = PacketRecord { p: &u, pcap_cnt: 2, flow: None };
    eve::write_alert(&mut buf, &EveOptions::default(), &rec, &Alert { sig: sig(3, Action::Alert, false), tx_id: None }, false);
    eve::write_drop(&mut buf, &rec);

    // ICMPv4 echo + reply
    let mut i = Packet::empty(ts, LinkType::Ethernet, &frame);
    i.ip = Some(ip4([10, 0, 0, 5], [10, 0, 0, 6], 1));
    i.l4 = L4::Icmp4(IcmpHdr { typ: 8, code: 0, id: Some(1), seq: Some(2), ..IcmpHdr::default() });
    table.update(&i);
    let mut r = i.clone();
    r.ip = Some(ip4([10, 0, 0, 6], [10, 0, 0, 5], 1));
    r.l4 = L4::Icmp4(IcmpHdr { typ: 0, code: 0, ..IcmpHdr::default() });
    let (f, d) = table.update(&r).expect("icmp flow");
    assert_eq!(d, Direction::ToClient);
    let rec = PacketRecord { p: &r, pcap_cnt: 3, flow: Some((&*f, d)) };
    eve::write_alert(&mut buf, &EveOptions::default(), &rec, &Alert { sig: sig(4, Action::Alert, true), tx_id: None }, false);
    eve::write_drop(&mut buf, &rec);

    // IPv6 TCP
    let mut s6 = Packet::empty(ts, LinkType::Raw, &frame);
    s6.ip = Some(IpHdr {
        version: 6,
        src: IpAddr::V6(Ipv6Addr::LOCALHOST),
        dst: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ..ip4([0; 4], [0; 4], 6)
    });
    s6.l4 = L4::Tcp(TcpHdr { sport: 1, dport: 2, flags: 0x12, ..TcpHdr::default() });
    let (f, d) = table.update(&s6).expect("v6 flow");
    let rec = PacketRecord { p: &s6, pcap_cnt: 4, flow: Some((&*f, d)) };
    eve::write_drop(&mut buf, &rec);

    let mut c = Counters::default();
    c.count_packet(&p);
    c.count_packet(&u);
    table.drain(&mut |f, reason| {
        c.count_flow_end(&f);
        eve::write_flow(&mut buf, &f, reason, ts);
    });
    let mut gone = FlowTable::new(FlowConfig::default(), 2);
    gone.update(&u);
    gone.expire(ts.add_secs(1000), &mut |f, reason| {
        assert_eq!(reason, EndReason::Timeout);
        eve::write_flow(&mut buf, &f, reason, ts.add_secs(1000));
    });
    c.dropped = 1;
    eve::write_stats(&mut buf, &c, ts, 5);
    // Live runs: the capture object (AF_PACKET IDS), then capture + ips verdicts (inline).
    let mut live = c.clone();
    live.live = rampart::output::stats::LiveCounters { live: true, kernel_packets: 10, kernel_drops: 1, ..Default::default() };
    eve::write_stats(&mut buf, &live, ts, 6);
    live.live.inline = true;
    live.live.accepted = 8;
    live.live.rejected = 1;
    live.live.verdict_errors = 1;
    eve::write_stats(&mut buf, &live, ts, 7);
    // ops: with the ruleset state (`detect.engines`), as the rampart binary writes it.
    let engines = rampart::output::metrics::EngineStats { last_reload: ts, rules_loaded: 3, rules_failed: 1, ..Default::default() };
    eve::write_stats_with(&mut buf, &c, ts, 8, Some(&engines));

    let text = String::from_utf8(buf).expect("utf8");
    let lines = check_lines(&v, &text);
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["event_type"].as_str()).collect();
    for k in ["alert", "anomaly", "drop", "flow", "stats"] {
        assert!(kinds.contains(&k), "no {k} line written");
    }
    // Field checks against what Suricata writes.
    let a = &lines[0];
    assert_eq!(a["vlan"], serde_json::json!([100]));
    assert_eq!(a["alert"]["metadata"]["tag"], serde_json::json!(["a", "b"]));
    assert_eq!(a["flow"]["pkts_toserver"], 1);
    assert_eq!(a["packet_info"]["linktype"], 1);
    assert_eq!(lines[1]["alert"]["action"], "blocked");
    assert_eq!(lines[1]["alert"]["category"], "");
    assert_eq!(lines[2]["anomaly"]["event"], "decoder.ipv4.trunc_pkt");
    let icmp_alert = lines.iter().find(|l| l["alert"]["signature_id"] == 4).expect("icmp alert");
    assert!(icmp_alert.get("src_port").is_none(), "ICMP has no ports");
    assert_eq!(icmp_alert["icmp_type"], 0);
    let icmp_flow = lines.iter().find(|l| l["event_type"] == "flow" && l["proto"] == "ICMP").expect("icmp flow");
    assert_eq!((icmp_flow["icmp_type"].as_u64(), icmp_flow["response_icmp_type"].as_u64()), (Some(8), Some(0)));
    let tcp_flow = lines.iter().find(|l| l["event_type"] == "flow" && l["proto"] == "TCP" && l["ip_v"] == 4).expect("tcp flow");
    assert_eq!(tcp_flow["tcp"]["tcp_flags"], "02");
    assert_eq!(tcp_flow["tcp"]["syn"], true);
    assert_eq!(tcp_flow["tcp"]["state"], "syn_sent");
    assert_eq!(tcp_flow["flow"]["reason"], "shutdown");
    assert_eq!(tcp_flow["flow"]["state"], "new");
    assert!(lines.iter().any(|l| l["flow"]["reason"] == "timeout"));
    let v6 = lines.iter().find(|l| l["ip_v"] == 6).expect("ipv6 line");
    assert_eq!(v6["src_ip"], "0000:0000:0000:0000:0000:0000:0000:0001", "IPv6 uncompressed, as Suricata writes it");
}

// ---------------------------------------------------------------- whole pipeline

/// Frames from memory, as a capture file would give them; `fail_after` simulates a file
/// truncated after that many frames.
struct VecSource {
    frames: Vec<(Timestamp, Vec<u8>)>,
    at: usize,
    fail_after: Option<usize>,
}

impl PacketSource for VecSource {
    fn next_frame(&mut self, frame: &mut Frame) -> Result<bool, CaptureError> {
        if self.fail_after == Some(self.at) {
            return Err(CaptureError { source: "mem.pcap".into(), reason: "truncated record".into() });
        }
        let Some((ts, data)) = self.frames.get(self.at) else { return Ok(false) };
        self.at += 1;
        frame.ts = *ts;
        frame.link = LinkType::Ethernet;
        frame.data.clear();
        frame.data.extend_from_slice(data);
        frame.orig_len = data.len() as u32;
        frame.pcap_cnt = self.at as u64;
        Ok(true)
    }
}

fn capture() -> Vec<(Timestamp, Vec<u8>)> {
    use etherparse::PacketBuilder;
    let mut v = Vec::new();
    let t = |s: i64| Timestamp::from_parts(1_600_000_000 + s, 0);
    let c = [192, 168, 1, 10];
    let s = [93, 184, 216, 34];
    let mut push = |ts: Timestamp, b: PacketBuilderStep, payload: &[u8]| {
        let mut out = Vec::new();
        b.write(&mut out, payload).expect("build");
        v.push((ts, out));
    };
    type PacketBuilderStep = etherparse::PacketBuilderStep<etherparse::TcpHeader>;
    let e = || PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    push(t(0), e().ipv4(c, s, 64).tcp(40000, 80, 100, 64240).syn(), b"");
    push(t(0), e().ipv4(s, c, 64).tcp(80, 40000, 500, 64240).syn().ack(101), b"");
    push(t(0), e().ipv4(c, s, 64).tcp(40000, 80, 101, 64240).ack(501), b"");
    push(t(1), e().ipv4(c, s, 64).tcp(40000, 80, 101, 64240).ack(501).psh(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    push(t(1), e().ipv4(c, s, 64).tcp(40000, 80, 128, 64240).ack(501).fin(), b"");
    push(t(1), e().ipv4(s, c, 64).tcp(80, 40000, 501, 64240).ack(129).fin(), b"");
    push(t(1), e().ipv4(c, s, 64).tcp(40000, 80, 129, 64240).ack(502), b"");
    for i in 0..20u16 {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([2; 6], [4; 6]).ipv4(c, [8, 8, 8, 8], 64).udp(50000 + i, 53).write(&mut out, b"\x12\x34query").expect("udp");
        v.push((t(2), out));
    }
    for i in 0..3u16 {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([2; 6], [4; 6]).ipv4(c, s, 64).icmpv4_echo_request(1, i).write(&mut out, b"ping").expect("icmp");
        v.push((t(3), out));
    }
    // A packet far later, so the UDP and ICMP flows time out during the run.
    let mut out = Vec::new();
    PacketBuilder::ethernet2([2; 6], [4; 6]).ipv4(c, [1, 1, 1, 1], 64).udp(1, 2).write(&mut out, b"late").expect("udp");
    v.push((t(1000), out));
    v
}

fn run_pipeline(runmode: RunMode, threads: usize) -> (rampart::pipeline::RunSummary, String) {
    run_pipeline_with(runmode, threads, 0)
}

fn run_pipeline_with(runmode: RunMode, threads: usize, stats_interval: u64) -> (rampart::pipeline::RunSummary, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = Config { runmode, threads: Some(threads), checksums: false, stats_interval, ..Config::default() };
    cfg.eve = EveOptions { anomaly_decode: true, ..EveOptions::default() };
    cfg.flow = FlowConfig::default();
    let engine = Arc::new(ArcSwap::from_pointee(DetectEngine::empty()));
    let frames = capture();
    let src = Box::new(VecSource { frames, at: 0, fail_after: None });
    let summary = rampart::pipeline::run(&cfg, engine, src, dir.path()).expect("run");
    let text = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve.json written");
    (summary, text)
}

#[test]
fn pipeline_output_validates() {
    let v = validators();
    let frames = capture();
    let decoder_works = decode::decode(frames[0].0, LinkType::Ethernet, &frames[0].1, &decode::DecodeConfig::default()).ip.is_some();
    for (mode, threads) in [(RunMode::Single, 1), (RunMode::Workers, 3)] {
        let (summary, text) = run_pipeline(mode, threads);
        assert_eq!(summary.packets, frames.len() as u64);
        if std::env::var_os("RAMPART_DUMP_EVE").is_some() {
            eprintln!("--- {mode:?}\n{text}");
        }
        let lines = check_lines(&v, &text);
        let stats: Vec<&Value> = lines.iter().filter(|l| l["event_type"] == "stats").collect();
        assert_eq!(stats.len(), 1, "one stats event at exit");
        assert_eq!(stats[0]["stats"]["decoder"]["pkts"], frames.len() as u64);
        assert_eq!(stats[0]["stats"]["decoder"]["bytes"], frames.iter().map(|f| f.1.len() as u64).sum::<u64>());
        if decoder_works {
            // 1 TCP + 20 UDP + 1 ICMP + 1 late UDP flow.
            let flows: Vec<&Value> = lines.iter().filter(|l| l["event_type"] == "flow").collect();
            assert_eq!(flows.len(), 23, "{mode:?}: one flow event per flow");
            assert_eq!(stats[0]["stats"]["flow"]["total"], 23);
            let tcp = flows.iter().find(|f| f["proto"] == "TCP").expect("tcp flow");
            assert_eq!(tcp["src_port"], 40000);
            assert_eq!(tcp["flow"]["pkts_toserver"], 5);
            assert_eq!(tcp["flow"]["pkts_toclient"], 2);
            assert_eq!(tcp["tcp"]["state"], "closed");
            assert_eq!(tcp["tcp"]["tcp_flags_ts"], "1b"); // SYN|ACK|PSH|FIN, as Suricata writes
            let timeouts = flows.iter().filter(|f| f["flow"]["reason"] == "timeout").count();
            assert_eq!(timeouts, 22, "all but the last flow time out");
            let ids: std::collections::HashSet<u64> = flows.iter().filter_map(|f| f["flow_id"].as_u64()).collect();
            assert_eq!(ids.len(), 23, "flow ids unique across workers");
        } else {
            eprintln!("decoder is still a stub: pipeline test checks stats only");
        }
    }
}

#[test]
fn periodic_stats_follow_the_wall_clock() {
    let v = validators();
    let frames = capture();
    // Packet times span 1000 s, but the run takes milliseconds: as with Suricata reading a
    // capture file, the stats interval is wall-clock time, so only the final event is written.
    let (_, text) = run_pipeline_with(RunMode::Workers, 2, 1);
    let lines = check_lines(&v, &text);
    let pkts: Vec<u64> = lines.iter().filter(|l| l["event_type"] == "stats").filter_map(|l| l["stats"]["decoder"]["pkts"].as_u64()).collect();
    assert_eq!(pkts, [frames.len() as u64], "one final stats event");
}

#[test]
fn many_frames_recycle_batches_without_loss_or_duplication() {
    use etherparse::PacketBuilder;
    let mut frames = Vec::new();
    for i in 0..3000u32 {
        let mut out = Vec::new();
        PacketBuilder::ethernet2([2; 6], [4; 6])
            .ipv4([10, 0, (i % 7) as u8, 1], [10, 1, 0, (i % 13) as u8], 64)
            .udp(1000 + (i % 50) as u16, 53)
            .write(&mut out, &i.to_be_bytes())
            .expect("udp");
        frames.push((Timestamp::from_parts(1_600_000_000 + i64::from(i / 100), 0), out));
    }
    let total_bytes: u64 = frames.iter().map(|f| f.1.len() as u64).sum();
    for threads in [1, 4] {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = Config { runmode: RunMode::Workers, threads: Some(threads), ..Config::default() };
        let engine = Arc::new(ArcSwap::from_pointee(DetectEngine::empty()));
        let src = Box::new(VecSource { frames: frames.clone(), at: 0, fail_after: None });
        let summary = rampart::pipeline::run(&cfg, engine, src, dir.path()).expect("run");
        assert_eq!(summary.packets, 3000);
        let text = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve.json");
        let stats: Value = text.lines().rev().find(|l| l.contains("\"event_type\":\"stats\"")).map(|l| serde_json::from_str(l).expect("json")).expect("stats line");
        assert_eq!(stats["stats"]["decoder"]["pkts"], 3000, "{threads} workers");
        assert_eq!(stats["stats"]["decoder"]["bytes"], total_bytes, "{threads} workers");
    }
}

/// Writes `frames` as a classic little-endian pcap (Ethernet link type).
fn write_pcap(path: &Path, frames: &[(Timestamp, Vec<u8>)]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (ts, data) in frames {
        out.extend_from_slice(&(ts.secs() as u32).to_le_bytes());
        out.extend_from_slice(&ts.subsec_micros().to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    std::fs::write(path, out).expect("write pcap");
}

#[test]
fn pcap_file_through_pipeline_validates() {
    let v = validators();
    let dir = tempfile::tempdir().expect("tempdir");
    let frames = capture();
    let pcap = dir.path().join("t.pcap");
    write_pcap(&pcap, &frames);
    let src = rampart::capture::pcap_file::PcapSource::open(&pcap).expect("open pcap");
    let cfg = Config { runmode: RunMode::Workers, threads: Some(2), ..Config::default() };
    let engine = Arc::new(ArcSwap::from_pointee(DetectEngine::empty()));
    let summary = rampart::pipeline::run(&cfg, engine, Box::new(src), dir.path()).expect("run");
    assert_eq!(summary.packets, frames.len() as u64);
    let text = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve.json");
    let lines = check_lines(&v, &text);
    assert_eq!(lines.iter().filter(|l| l["event_type"] == "flow").count(), 23);
    let tcp = lines.iter().find(|l| l["event_type"] == "flow" && l["proto"] == "TCP").expect("tcp flow");
    assert_eq!(tcp["tcp"]["state"], "closed");
    assert_eq!(tcp["flow"]["bytes_toserver"], frames[..7].iter().filter(|f| f.1[26..30] == [192, 168, 1, 10]).map(|f| f.1.len() as u64).sum::<u64>());
}

#[test]
fn truncated_source_keeps_what_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = Config { runmode: RunMode::Workers, threads: Some(2), ..Config::default() };
    let engine = Arc::new(ArcSwap::from_pointee(DetectEngine::empty()));
    let src = Box::new(VecSource { frames: capture(), at: 0, fail_after: Some(10) });
    let summary = rampart::pipeline::run(&cfg, engine, src, dir.path()).expect("a damaged capture is not a run error");
    assert_eq!(summary.packets, 10);
    assert!(summary.capture_error.as_deref().is_some_and(|e| e.contains("truncated")), "{:?}", summary.capture_error);
    let text = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve.json");
    let stats = text.lines().rev().find(|l| l.contains("\"event_type\":\"stats\"")).expect("stats written");
    assert!(stats.contains("\"pkts\":10,"), "{stats}");
}

/// The optional fields behind eve-log options (ethernet, community-id, drop alerts and
/// reasons, anomaly packethdr, flow pass action) validate and carry Suricata's values.
#[test]
fn optional_fields_validate() {
    let v = validators();
    let mut frame = [0x41u8; 80];
    frame[..12].copy_from_slice(&[0, 0x25, 0x90, 0xe3, 0xd2, 0xe1, 0x0c, 0x86, 0x10, 0xed, 0xd7, 0xc6]);
    let ts = Timestamp::from_parts(1_700_000_000, 0);
    let opts = EveOptions { ethernet: true, community_id: true, drop_alerts: true, anomaly_packethdr: true, ..EveOptions::default() };
    let mut table = FlowTable::new(FlowConfig::default(), 1);
    let mut p = Packet::empty(ts, LinkType::Ethernet, &frame);
    p.ip = Some(IpHdr { version: 4, src: IpAddr::V4(Ipv4Addr::new(128, 232, 110, 120)), dst: IpAddr::V4(Ipv4Addr::new(66, 35, 250, 204)), proto: 6, ttl: 64, tos: 0, id: 1, frag_offset: 0, mf: false, df: false, rb: false, offset: 14, hdr_len: 20, total_len: 66, ipopts: 0, csum_ok: None });
    p.l4 = L4::Tcp(TcpHdr { sport: 34855, dport: 80, flags: 0x02, ..TcpHdr::default() });
    let (f, d) = table.update(&p).expect("flow");
    f.out.add_macs([0x0c, 0x86, 0x10, 0xed, 0xd7, 0xc6], [0, 0x25, 0x90, 0xe3, 0xd2, 0xe1], d);
    f.pass = true;
    let rec = PacketRecord { p: &p, pcap_cnt: 1, flow: Some((&*f, d)) };
    let mut buf = Vec::new();
    let sig = Arc::new(SigMeta { gid: 1, sid: 7, rev: 1, msg: "m".into(), category: String::new(), severity: 3, action: Action::Drop, metadata: vec![], target: None });
    let alert = Alert { sig, tx_id: None };
    eve::write_alert(&mut buf, &opts, &rec, &alert, true);
    eve::write_drop_opts(&mut buf, &opts, &rec, eve::DropReason::Rules, Some(&alert));
    eve::write_drop_opts(&mut buf, &opts, &rec, eve::DropReason::FlowDrop, None);
    eve::write_anomaly_opts(&mut buf, &opts, &rec, DecodeEvent::Ipv4TruncPkt.name());
    eve::write_flow_opts(&mut buf, &opts, f, EndReason::Shutdown, ts);
    let text = String::from_utf8(buf).expect("utf8");
    let lines = check_lines(&v, &text);
    let cid = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";
    assert_eq!(lines[0]["ether"]["src_mac"], "0c:86:10:ed:d7:c6");
    assert_eq!(lines[0]["ether"]["dest_mac"], "00:25:90:e3:d2:e1");
    assert_eq!(lines[0]["community_id"], cid);
    assert_eq!(lines[1]["drop"]["reason"], "rules");
    assert_eq!(lines[1]["alert"]["signature_id"], 7);
    assert_eq!(lines[2]["drop"]["reason"], "flow drop");
    assert!(lines[2].get("alert").is_none());
    assert_eq!(lines[3]["packet_info"]["linktype"], 1);
    assert_eq!(lines[4]["flow"]["action"], "pass");
    assert_eq!(lines[4]["community_id"], cid);
    assert_eq!(lines[4]["ether"]["src_macs"], serde_json::json!(["0c:86:10:ed:d7:c6"]));
    assert_eq!(lines[4]["ether"]["dest_macs"], serde_json::json!(["00:25:90:e3:d2:e1"]));
}
