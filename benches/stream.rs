//! TCP reassembler benches: one [`TcpSession`] fed a whole 512 KiB client->server transfer
//! (handshake, 1448-byte segments, the server's ACKs) and drained by the consumer, as the
//! pipeline does, in three shapes:
//!
//! - `in_order`: every segment once, in sequence order, an ACK every second segment;
//! - `out_of_order`: each window of 8 segments arrives in a fixed shuffled order;
//! - `retransmit_overlap`: in-order, plus every 4th segment retransmitted whole and a
//!   1448-byte segment straddling two earlier ones (half of each) after every 8th.
//!
//! Throughput is the transfer's payload bytes (retransmitted bytes not counted), so the three
//! figures compare directly. Inputs are generated here (fixed pattern, no randomness).
//! Run: `cargo bench --bench stream -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)] // criterion_group! generates an undocumented public fn

use std::hint::black_box;
use std::ops::Range;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampart::flow::Direction::{self, ToClient, ToServer};
use rampart::stream::flags::{ACK, PSH, SYN};
use rampart::stream::{Chunk, StreamConfig, TcpSeg, TcpSession};
use rampart::time::Timestamp;

/// Ethernet MSS.
const MSS: usize = 1448;
/// Transfer size: within the default 1 MiB reassembly depth.
const TRANSFER: usize = 512 * 1024;
const CISN: u32 = 0xfff0_0000; // the transfer crosses the 2^32 sequence wrap
const SISN: u32 = 0x1000;

/// One packet of the scenario: direction, seq, ack, flags and the payload range in `data`.
struct Pkt {
    dir: Direction,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: Range<usize>,
}

struct Scenario {
    data: Vec<u8>,
    pkts: Vec<Pkt>,
}

/// HTTP-ish bytes: repeated text with a counter, so no two segments are identical.
fn transfer_bytes() -> Vec<u8> {
    let mut d = Vec::with_capacity(TRANSFER + 64);
    let mut i = 0u32;
    while d.len() < TRANSFER {
        d.extend_from_slice(format!("<tr><td>row {i}</td><td>lorem ipsum dolor sit amet</td></tr>\n").as_bytes());
        i += 1;
    }
    d.truncate(TRANSFER);
    d
}

fn data_pkt(r: Range<usize>) -> Pkt {
    Pkt { dir: ToServer, seq: CISN.wrapping_add(1).wrapping_add(r.start as u32), ack: SISN + 1, flags: ACK | PSH, payload: r }
}

fn ack_pkt(upto: usize) -> Pkt {
    Pkt { dir: ToClient, seq: SISN + 1, ack: CISN.wrapping_add(1).wrapping_add(upto as u32), flags: ACK, payload: 0..0 }
}

fn segments() -> Vec<Range<usize>> {
    (0..TRANSFER).step_by(MSS).map(|s| s..(s + MSS).min(TRANSFER)).collect()
}

fn handshake() -> Vec<Pkt> {
    vec![
        Pkt { dir: ToServer, seq: CISN, ack: 0, flags: SYN, payload: 0..0 },
        Pkt { dir: ToClient, seq: SISN, ack: CISN.wrapping_add(1), flags: SYN | ACK, payload: 0..0 },
        Pkt { dir: ToServer, seq: CISN.wrapping_add(1), ack: SISN + 1, flags: ACK, payload: 0..0 },
    ]
}

fn in_order() -> Vec<Pkt> {
    let mut pkts = handshake();
    for (i, r) in segments().into_iter().enumerate() {
        let end = r.end;
        pkts.push(data_pkt(r));
        if i % 2 == 1 {
            pkts.push(ack_pkt(end));
        }
    }
    pkts.push(ack_pkt(TRANSFER));
    pkts
}

fn out_of_order() -> Vec<Pkt> {
    // A fixed permutation of each window of 8 (the first segment of a window is never first).
    const ORDER: [usize; 8] = [1, 0, 3, 2, 6, 4, 7, 5];
    let mut pkts = handshake();
    for window in segments().chunks(8) {
        for &k in ORDER.iter().filter(|&&k| k < window.len()) {
            pkts.push(data_pkt(window[k].clone()));
        }
        pkts.push(ack_pkt(window[window.len() - 1].end));
    }
    pkts
}

fn retransmit_overlap() -> Vec<Pkt> {
    let mut pkts = handshake();
    let segs = segments();
    for (i, r) in segs.iter().enumerate() {
        pkts.push(data_pkt(r.clone()));
        if i % 4 == 3 {
            pkts.push(data_pkt(r.clone()));
        }
        if i % 8 == 7 {
            // Straddles segments i-2 and i-1: their second and first halves.
            let start = segs[i - 2].start + MSS / 2;
            pkts.push(data_pkt(start..start + MSS));
        }
        if i % 2 == 1 {
            pkts.push(ack_pkt(r.end));
        }
    }
    pkts.push(ack_pkt(TRANSFER));
    pkts
}

/// Feeds every packet and drains both directions after each, as the pipeline does; returns
/// the bytes delivered (checked against the transfer size once, outside the timing).
fn run(sc: &Scenario, cfg: &StreamConfig) -> usize {
    let mut s = TcpSession::new(cfg);
    let now = Timestamp::from_parts(1_700_000_000, 0);
    let mut delivered = 0;
    for p in &sc.pkts {
        let seg = TcpSeg { seq: p.seq, ack: p.ack, flags: p.flags, window: 65_535, wscale: None, tsopt: None, payload: &sc.data[p.payload.clone()] };
        black_box(s.on_packet(now, p.dir, &seg));
        while let Some(c) = s.next_chunk(ToServer) {
            match c {
                Chunk::Data(d) => delivered += black_box(d).len(),
                Chunk::Gap(n) => panic!("bench scenario produced a gap of {n} bytes"),
            }
        }
    }
    delivered
}

fn bench_stream(c: &mut Criterion) {
    let cfg = StreamConfig::default();
    let data = transfer_bytes();
    let scenarios = [
        ("in_order", in_order()),
        ("out_of_order", out_of_order()),
        ("retransmit_overlap", retransmit_overlap()),
    ];
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Bytes(TRANSFER as u64));
    for (name, pkts) in scenarios {
        let sc = Scenario { data: data.clone(), pkts };
        assert_eq!(run(&sc, &cfg), TRANSFER, "{name}: the whole transfer must be delivered");
        g.bench_function(name, |b| b.iter(|| run(&sc, &cfg)));
    }
    g.finish();
}

criterion_group!(benches, bench_stream);
criterion_main!(benches);
