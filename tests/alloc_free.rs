//! Steady state allocates nothing per packet on the flow -> EVE path: after warm-up, flow
//! lookups and updates, counters and alert/flow EVE formatting into a reused buffer do not
//! touch the heap. Measured with a counting global allocator (the one `unsafe` here is the
//! `GlobalAlloc` impl, which only forwards to the system allocator).
#![allow(unsafe_code)]

use rampart::capture::LinkType;
use rampart::decode::{IpHdr, Packet, TcpHdr, L4};
use rampart::detect::{Action, Alert, SigMeta};
use rampart::flow::table::{FlowConfig, FlowTable};
use rampart::output::eve::{self, PacketRecord};
use rampart::output::stats::Counters;
use rampart::output::EveOptions;
use rampart::time::Timestamp;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards every call unchanged to `System`; only counts calls made on the thread
// that enabled counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn packet(frame: &[u8], i: u32) -> Packet<'_> {
    let mut p = Packet::empty(Timestamp::from_parts(1_700_000_000 + i64::from(i / 1000), i % 1000), LinkType::Ethernet, frame);
    let (a, b) = (Ipv4Addr::new(10, 0, 0, (i % 50) as u8), Ipv4Addr::new(10, 0, 1, 1));
    let (src, dst) = if i % 2 == 0 { (a, b) } else { (b, a) };
    p.ip = Some(IpHdr {
        version: 4,
        src: IpAddr::V4(src),
        dst: IpAddr::V4(dst),
        proto: 6,
        ttl: 64,
        tos: 0,
        id: 0,
        frag_offset: 0,
        mf: false,
        df: false,
        rb: false,
        offset: 14,
        hdr_len: 20,
        total_len: 100,
        ipopts: 0,
        csum_ok: None,
    });
    let (sp, dp) = if i % 2 == 0 { (40000, 80) } else { (80, 40000) };
    p.l4 = L4::Tcp(TcpHdr { sport: sp, dport: dp, flags: 0x18, ..TcpHdr::default() });
    p.payload_off = 54;
    p.payload_len = 40;
    p
}

#[test]
fn flow_and_eve_path_does_not_allocate_per_packet() {
    let frame = [0x42u8; 100];
    let sig = Arc::new(SigMeta {
        gid: 1,
        sid: 1,
        rev: 1,
        msg: "alloc test".into(),
        category: "Misc activity".into(),
        severity: 3,
        action: Action::Alert,
        metadata: vec![("tag".into(), vec!["x".into()])],
        target: None,
    });
    let alert = Alert { sig, tx_id: None };
    let opts = EveOptions { alert_payload: true, alert_payload_printable: true, alert_packet: true, ..EveOptions::default() };
    let mut table = FlowTable::new(FlowConfig { midstream: true, ..FlowConfig::default() }, 0);
    let mut counters = Counters::default();
    let mut out: Vec<u8> = Vec::new();
    let mut run = |range: std::ops::Range<u32>, out: &mut Vec<u8>| {
        for i in range {
            let p = packet(&frame, i);
            counters.count_packet(&p);
            if table.expire_due(p.ts) {
                table.expire(p.ts, &mut |_, _| {});
            }
            let (f, d) = table.update(&p).expect("flow");
            f.alerted = true;
            let rec = PacketRecord { p: &p, pcap_cnt: u64::from(i) + 1, flow: Some((&*f, d)) };
            out.clear();
            eve::write_alert(out, &opts, &rec, &alert, false);
        }
    };
    // Control: the counter sees an allocation on this thread.
    COUNTING.with(|c| c.set(true));
    drop(std::hint::black_box(Vec::<u8>::with_capacity(16)));
    COUNTING.with(|c| c.set(false));
    assert!(ALLOCS.swap(0, Ordering::Relaxed) >= 1, "counting allocator is not active");

    run(0..2_000, &mut out); // warm-up: flows created, buffers grown
    COUNTING.with(|c| c.set(true));
    run(2_000..12_000, &mut out);
    COUNTING.with(|c| c.set(false));
    let n = ALLOCS.load(Ordering::Relaxed);
    assert_eq!(n, 0, "{n} allocations in 10,000 packets after warm-up");
}
