//! The hot path allocates nothing per packet: decoding, the dispatcher's flow hint and reading
//! frames from a capture file into a reused `Frame` (after warm-up), counted with a wrapping
//! global allocator.
#![allow(unsafe_code)]

use rampart::capture::pcap_file::PcapSource;
use rampart::capture::{Frame, LinkType, PacketSource};
use rampart::decode::{decode, flow_hint, DecodeConfig};
use rampart::time::Timestamp;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Counts allocations made by `f` on this test's thread (tests run one per file here).
fn count(f: impl FnOnce()) -> usize {
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCS.load(Ordering::SeqCst)
}

fn frames() -> Vec<(LinkType, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/decode");
    let links = [LinkType::Ethernet, LinkType::Null, LinkType::Loop, LinkType::Raw, LinkType::Ipv4, LinkType::Ipv6, LinkType::LinuxSll, LinkType::LinuxSll2];
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("seed corpus missing at {}: {e}", dir.display())) {
        let p = e.expect("dir entry").path();
        let data = std::fs::read(&p).expect("read seed");
        if let Some((&sel, frame)) = data.split_first() {
            out.push((links[sel as usize % links.len()], frame.to_vec()));
        }
    }
    assert!(out.len() >= 10, "too few seeds");
    out
}

#[test]
fn hot_path_allocates_nothing() {
    // decode + flow hint over every seed, both checksum settings
    let frames = frames();
    let n = count(|| {
        for (link, data) in &frames {
            for checksums in [true, false] {
                let p = decode(Timestamp::default(), *link, data, &DecodeConfig { checksums });
                std::hint::black_box(&p);
            }
            std::hint::black_box(flow_hint(*link, data));
            std::hint::black_box(rampart::flow::flow_hash_hint(*link, data));
        }
    });
    assert_eq!(n, 0, "decode/flow_hint allocated {n} times");

    // reading a pcap into a reused frame
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pcap");
    let mut f = std::fs::File::create(&path).expect("create");
    let mut bytes = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
    for (i, (_, data)) in frames.iter().cycle().take(5000).enumerate() {
        for x in [i as u32, 0, data.len() as u32, data.len() as u32] {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        bytes.extend_from_slice(data);
    }
    f.write_all(&bytes).expect("write");
    drop(f);
    let mut src = PcapSource::open(&path).expect("open");
    let mut frame = Frame::new();
    assert!(src.next_frame(&mut frame).expect("first frame")); // warm-up
    let mut read = 1;
    let n = count(|| {
        while src.next_frame(&mut frame).expect("frame") {
            read += 1;
            std::hint::black_box(decode(frame.ts, frame.link, &frame.data, &DecodeConfig::default()));
        }
    });
    assert_eq!(read, 5000);
    assert_eq!(n, 0, "reading + decoding allocated {n} times");
}
