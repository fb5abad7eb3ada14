//! Fuzz drivers for the stream and defrag targets, shared by the cargo-fuzz targets
//! (`tests/fuzz/fuzz_targets/{stream,defrag}.rs`) and the plain-`cargo test` replay
//! (`tests/fuzz_replay_stream.rs`). Input bytes are decoded by a small fixed reader (missing
//! bytes read as zero), so a corpus file means the same operation sequence everywhere.
#![allow(dead_code)]

use rampart::defrag::{
    DefragConfig, DefragStatus, Defragger, FragInfo, OverlapPolicy, FRAG_OVERHEAD, TRACKER_OVERHEAD,
};
use rampart::flow::Direction;
use rampart::stream::{Chunk, ReassemblyMode, StreamConfig, StreamPolicy, TcpSeg, TcpSession};
use rampart::time::Timestamp;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Operations at most per input (keeps each run short).
pub const MAX_OPS: usize = 512;

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let from = self.pos.min(self.data.len());
        let to = (self.pos + n).min(self.data.len());
        self.pos += n;
        &self.data[from..to]
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
}

fn pattern(buf: &mut [u8], fill: u8) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = fill.wrapping_add((i as u8) & 0x7);
    }
}

/// Stream input layout: header [policy, mode|midstream, depth_sel, seq_base u32], then ops:
/// op byte % 4 = 0 packet [dir, seq u16 (relative), ack u16 (relative), flags, window u16,
/// len u16 % 1461, fill], 1 drain [dir], 2 raw [dir], 3 close.
pub fn run_stream(data: &[u8]) {
    let mut r = Reader::new(data);
    let policy = StreamPolicy::ALL[usize::from(r.u8()) % StreamPolicy::ALL.len()];
    let m = r.u8();
    let depth = [0u64, 100, 5000, 1 << 20][usize::from(r.u8() % 4)];
    let base = r.u32();
    let cfg = StreamConfig {
        depth,
        memcap: 8192,
        max_segments: 32,
        max_holes: 8,
        raw_keep: 1024,
        midstream: m & 2 != 0,
        async_oneside: m & 4 != 0,
        policy,
        mode: if m & 1 == 0 {
            ReassemblyMode::Ids
        } else {
            ReassemblyMode::Inline
        },
    };
    let mut s = TcpSession::new(&cfg);
    let mut payload = [0u8; 1460];
    let mut ops = 0;
    while !r.done() && ops < MAX_OPS {
        ops += 1;
        match r.u8() % 4 {
            0 => {
                let dir = if r.bool() {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                let seq = base.wrapping_add(u32::from(r.u16()));
                let ack = base.wrapping_add(u32::from(r.u16()));
                let flags = r.u8();
                let window = r.u16();
                let len = usize::from(r.u16()) % 1461;
                let fill = r.u8();
                let p = &mut payload[..len];
                pattern(p, fill);
                let seg = TcpSeg {
                    seq,
                    ack,
                    flags,
                    window,
                    wscale: (flags & 0x80 != 0).then_some(window as u8 & 0x0f),
                    tsopt: (flags & 0x40 != 0).then_some((seq ^ 0x5a5a, ack)),
                    payload: p,
                };
                s.on_packet(Timestamp::from_parts(i64::from(ops as u32), 0), dir, &seg);
            }
            1 => {
                let dir = if r.bool() {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                while let Some(c) = s.next_chunk(dir) {
                    if let Chunk::Gap(n) = c {
                        assert!(n > 0, "empty gap");
                    }
                }
            }
            2 => {
                let dir = if r.bool() {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                assert!(s.raw(dir).len() <= cfg.raw_keep);
            }
            _ => {
                s.close();
            }
        }
        for dir in [Direction::ToServer, Direction::ToClient] {
            let a = s.stream(dir).assembler();
            assert!(a.buffered() <= cfg.memcap, "memcap");
            assert!(a.segment_count() <= cfg.max_segments, "segments");
            assert!(a.holes() <= cfg.max_holes, "holes");
        }
    }
    // Never a hang: after close everything drains.
    s.close();
    for dir in [Direction::ToServer, Direction::ToClient] {
        let mut n = 0;
        while s.next_chunk(dir).is_some() {
            n += 1;
            assert!(n < 1_000_000, "drain does not terminate");
        }
        let a = s.stream(dir).assembler();
        assert_eq!(a.read_offset(), a.contiguous_end());
        assert_eq!(a.holes(), 0);
    }
}

/// Defrag input layout: header [policy], then ops: op byte % 8 = 7 expire [ts]; 6 raw IP
/// packet through `FragInfo::parse` [len u8, bytes]; otherwise a fragment [v6, id % 4,
/// offset u16 (8-byte units, masked), mf, len u16 % 2048, fill, ts].
pub fn run_defrag(data: &[u8]) {
    let mut r = Reader::new(data);
    let policy = OverlapPolicy::ALL[usize::from(r.u8()) % OverlapPolicy::ALL.len()];
    let memcap = 16 * 1024;
    let mut d = Defragger::new(DefragConfig {
        memcap,
        max_trackers: 4,
        max_frags_per_tracker: 32,
        timeout_secs: 30,
        default_policy: policy,
        policy_lookup: None,
    });
    let mut h4 = [0u8; 20];
    h4[0] = 0x45;
    h4[9] = 17;
    let mut h6 = [0u8; 40];
    h6[0] = 0x60;
    h6[6] = 44;
    let mut payload = [0u8; 2048];
    let mut ops = 0;
    while !r.done() && ops < MAX_OPS {
        ops += 1;
        let op = r.u8();
        if op % 8 == 7 {
            d.expire(Timestamp::from_parts(i64::from(r.u8()), 0));
            continue;
        }
        if op % 8 == 6 {
            // A raw IP packet through FragInfo::parse.
            let n = usize::from(r.u8());
            let raw = r.bytes(n);
            if let Some(info) = FragInfo::parse(raw, [0, 0]) {
                assert!(info.header.len() + info.payload.len() <= raw.len());
                let _ = d.insert(Timestamp::from_parts(0, 0), info);
            }
            assert!(d.memuse() <= memcap, "memcap");
            continue;
        }
        let v6 = r.bool();
        let id = u32::from(r.u8() % 4);
        let offset = (r.u16() & 0x1fff) << 3;
        let mf = r.bool();
        let len = usize::from(r.u16()) % 2048;
        let fill = r.u8();
        let ts = r.u8();
        let p = &mut payload[..len];
        pattern(p, fill);
        let (src, dst) = if v6 {
            (
                IpAddr::V6(Ipv6Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            )
        } else {
            (
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            )
        };
        let info = FragInfo {
            src,
            dst,
            id,
            vlan: [0, 0],
            proto: 17,
            offset,
            more_fragments: mf,
            header: if v6 { &h6 } else { &h4 },
            v6_next_header_at: 6,
            payload: p,
        };
        let res = d.insert(Timestamp::from_parts(i64::from(ts), 0), info);
        if let DefragStatus::Reassembled(pkt) = res.status {
            if v6 {
                assert!(pkt.len() >= 40);
                assert_eq!(
                    usize::from(u16::from_be_bytes([pkt[4], pkt[5]])) + 40,
                    pkt.len()
                );
            } else {
                assert!(pkt.len() >= 20 && pkt.len() <= 65_535);
                assert_eq!(usize::from(u16::from_be_bytes([pkt[2], pkt[3]])), pkt.len());
            }
        }
        assert!(d.memuse() <= memcap, "memcap");
        assert!(d.stats().trackers <= 4);
    }
    let _ = (FRAG_OVERHEAD, TRACKER_OVERHEAD);
}
