//! Detection hot-path benches: decode of one TCP packet, a prefilter scan of a 1400-byte
//! payload against the ET Open packet-rule database, and `inspect_packet` over a small pcap.
//!
//! The rule set is `RAMPART_BENCH_RULES` (default: ET Open plus Suricata's built-in rules
//! from `../shared/rules`); the pcap is `RAMPART_BENCH_PCAP` (default `pcaps/demo.pcap`).
//! A missing input panics with a clear message rather than benching nothing.
//! Run: `cargo bench --bench detect` (each bench is kept to a few seconds).
#![allow(missing_docs)] // criterion_group! generates an undocumented public fn

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rampart::capture::pcap_file::PcapSource;
use rampart::capture::{Frame, LinkType, PacketSource};
use rampart::config::Config;
use rampart::decode::{decode, DecodeConfig};
use rampart::detect::mpm::{Prefilter, PrefilterConfig, PrefilterScratch};
use rampart::detect::DetectEngine;
use rampart::time::Timestamp;

/// `RAMPART_BENCH_RULES` (a file or directory), else ET Open plus Suricata's built-in rules
/// from `../shared/rules` beside the repository.
fn rule_paths() -> Vec<PathBuf> {
    let paths = match std::env::var_os("RAMPART_BENCH_RULES") {
        Some(p) => vec![PathBuf::from(p)],
        None => {
            let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/rules");
            vec![shared.join("et-open"), shared.join("suricata-builtin")]
        }
    };
    for p in &paths {
        assert!(p.exists(), "bench rules {} are missing: set RAMPART_BENCH_RULES to an ET Open rule file or directory", p.display());
    }
    paths
}

fn engine() -> DetectEngine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config::load(Some(&root.join("rampart.yaml")), &[]).expect("rampart.yaml loads");
    let set = rampart::detect::parse::load_files(&rule_paths(), &cfg.vars).expect("rules load");
    let (engine, report) = DetectEngine::build(set.rules, cfg.detect_settings());
    assert!(report.loaded > 1000, "only {} rules loaded: not an ET Open rule set", report.loaded);
    engine
}

/// Ethernet + IPv4 + TCP (ACK|PSH) to port 80 with `payload`.
fn tcp_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 14 + 20 + 20];
    f[12] = 0x08; // IPv4
    let total = (40 + payload.len()) as u16;
    let ip = &mut f[14..34];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[8] = 64;
    ip[9] = 6;
    ip[12..16].copy_from_slice(&[192, 0, 2, 1]);
    ip[16..20].copy_from_slice(&[198, 51, 100, 7]);
    let mut sum = 0u32;
    for c in ip.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    ip[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    let tcp = &mut f[34..54];
    tcp[0..2].copy_from_slice(&49152u16.to_be_bytes());
    tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
    tcp[4..8].copy_from_slice(&1u32.to_be_bytes());
    tcp[12] = 5 << 4;
    tcp[13] = 0x18;
    tcp[14..16].copy_from_slice(&65535u16.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A 1400-byte HTTP-looking payload (request line, headers, filler body).
fn http_payload() -> Vec<u8> {
    let mut p = b"GET /index.php?id=42&page=news HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\nCookie: session=0123456789abcdef\r\n\r\n".to_vec();
    let filler = b"lorem ipsum dolor sit amet consectetur adipiscing elit ";
    while p.len() < 1400 {
        p.extend_from_slice(filler);
    }
    p.truncate(1400);
    p
}

fn bench_decode(c: &mut Criterion) {
    let frame = tcp_frame(&http_payload());
    let cfg = DecodeConfig::default();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    g.bench_function("tcp_1400", |b| {
        b.iter(|| {
            let p = decode(Timestamp::default(), LinkType::Ethernet, std::hint::black_box(&frame), &cfg);
            std::hint::black_box(p.payload().len())
        })
    });
    g.finish();
}

fn bench_prefilter(c: &mut Criterion) {
    let engine = engine();
    let pats = engine.payload_patterns();
    let db = Prefilter::build(&PrefilterConfig::default(), &pats).expect("prefilter builds");
    let mut scratch = PrefilterScratch::for_all([&db]).expect("scratch");
    let payload = http_payload();
    let mut g = c.benchmark_group("prefilter");
    g.throughput(Throughput::Bytes(payload.len() as u64));
    g.bench_function(format!("payload_1400_vs_{}_patterns", pats.len()), |b| {
        b.iter(|| {
            let mut hits = 0u32;
            db.scan(&mut scratch, std::hint::black_box(&payload), &mut |_| hits += 1);
            hits
        })
    });
    g.finish();
}

fn bench_inspect(c: &mut Criterion) {
    let engine = engine();
    let pcap = PathBuf::from(std::env::var("RAMPART_BENCH_PCAP").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/pcaps/demo.pcap").into()));
    let mut src = PcapSource::open(&pcap).unwrap_or_else(|e| panic!("bench pcap {} cannot be opened: {e}", pcap.display()));
    let mut frames: Vec<Frame> = Vec::new();
    let mut f = Frame::new();
    while src.next_frame(&mut f).expect("pcap reads") {
        frames.push(f.clone());
    }
    assert!(!frames.is_empty(), "bench pcap {} has no packets", pcap.display());
    let dcfg = DecodeConfig::default();
    let mut ctx = engine.new_ctx();
    let mut alerts = Vec::with_capacity(64);
    let mut g = c.benchmark_group("inspect");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function(format!("demo_pcap_{}_packets", frames.len()), |b| {
        b.iter_batched_ref(
            || (),
            |_| {
                let mut n = 0usize;
                for fr in &frames {
                    let p = decode(fr.ts, fr.link, &fr.data, &dcfg);
                    alerts.clear();
                    engine.inspect_packet(&mut ctx, &p, None, &mut alerts);
                    n += alerts.len();
                }
                n
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(20)
}

criterion_group! { name = benches; config = config(); targets = bench_decode, bench_prefilter, bench_inspect }
criterion_main!(benches);
