use super::flags::*;
use super::*;
use crate::flow::Direction::{ToClient, ToServer};

fn t(s: i64) -> Timestamp {
    Timestamp::from_parts(s, 0)
}

fn seg(seq: u32, ack: u32, flags: u8, payload: &[u8]) -> TcpSeg<'_> {
    TcpSeg {
        seq,
        ack,
        flags,
        window: 65_535,
        wscale: None,
        tsopt: None,
        payload,
    }
}

/// Drains one direction: (bytes, gap bytes).
fn drain(s: &mut TcpSession, dir: Direction) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let mut gaps = 0;
    while let Some(c) = s.next_chunk(dir) {
        match c {
            Chunk::Data(d) => out.extend_from_slice(d),
            Chunk::Gap(n) => gaps += n,
        }
    }
    (out, gaps)
}

fn handshake(s: &mut TcpSession, cisn: u32, sisn: u32) {
    assert!(s
        .on_packet(t(1), ToServer, &seg(cisn, 0, SYN, b""))
        .is_empty());
    assert!(s
        .on_packet(
            t(1),
            ToClient,
            &seg(sisn, cisn.wrapping_add(1), SYN | ACK, b"")
        )
        .is_empty());
    assert!(s
        .on_packet(
            t(1),
            ToServer,
            &seg(cisn.wrapping_add(1), sisn.wrapping_add(1), ACK, b"")
        )
        .is_empty());
    assert_eq!(s.state(), TcpState::Established);
}

#[test]
fn handshake_data_ids_waits_for_ack() {
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 1000, 5000);
    s.on_packet(
        t(2),
        ToServer,
        &seg(1001, 5001, ACK | PSH, b"GET / HTTP/1.1\r\n\r\n"),
    );
    assert_eq!(s.next_chunk(ToServer), None, "IDS: not yet acknowledged");
    s.on_packet(
        t(2),
        ToClient,
        &seg(5001, 1001 + 18, ACK, b"HTTP/1.1 200 OK\r\n"),
    );
    assert_eq!(
        drain(&mut s, ToServer),
        (b"GET / HTTP/1.1\r\n\r\n".to_vec(), 0)
    );
    assert_eq!(s.raw(ToServer), b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(drain(&mut s, ToClient).0, b"");
    s.close();
    assert_eq!(
        drain(&mut s, ToClient),
        (b"HTTP/1.1 200 OK\r\n".to_vec(), 0)
    );
}

#[test]
fn inline_mode_delivers_at_once_and_wraps() {
    let cfg = StreamConfig {
        mode: ReassemblyMode::Inline,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    let cisn = u32::MAX - 3; // data crosses the 2^32 wrap
    handshake(&mut s, cisn, 7);
    s.on_packet(
        t(2),
        ToServer,
        &seg(cisn.wrapping_add(1), 8, ACK, b"abcdef"),
    );
    s.on_packet(t(2), ToServer, &seg(cisn.wrapping_add(7), 8, ACK, b"ghij"));
    assert_eq!(drain(&mut s, ToServer), (b"abcdefghij".to_vec(), 0));
}

#[test]
#[allow(clippy::type_complexity)]
fn handshake_anomalies() {
    let cases: &[(&str, &[(Direction, u32, u32, u8)], StreamEvent)] = &[
        (
            "synack toserver",
            &[(ToServer, 10, 0, SYN), (ToServer, 50, 11, SYN | ACK)],
            StreamEvent::SynAckInWrongDirection,
        ),
        (
            "synack wrong ack",
            &[(ToServer, 10, 0, SYN), (ToClient, 50, 99, SYN | ACK)],
            StreamEvent::SynAckWithWrongAck,
        ),
        (
            "synack resend diff seq",
            &[
                (ToServer, 10, 0, SYN),
                (ToClient, 50, 11, SYN | ACK),
                (ToClient, 51, 11, SYN | ACK),
            ],
            StreamEvent::SynAckResendWithDiffSeq,
        ),
        (
            "synack resend diff ack",
            &[
                (ToServer, 10, 0, SYN),
                (ToClient, 50, 11, SYN | ACK),
                (ToClient, 50, 12, SYN | ACK),
            ],
            StreamEvent::SynAckResendWithDifferentAck,
        ),
        (
            "right seq wrong ack",
            &[
                (ToServer, 10, 0, SYN),
                (ToClient, 50, 11, SYN | ACK),
                (ToServer, 11, 77, ACK),
            ],
            StreamEvent::RightSeqWrongAckEvasion,
        ),
        (
            "wrong seq wrong ack",
            &[
                (ToServer, 10, 0, SYN),
                (ToClient, 50, 11, SYN | ACK),
                (ToServer, 99, 77, ACK),
            ],
            StreamEvent::WrongSeqWrongAck,
        ),
        (
            "ack in wrong dir",
            &[
                (ToServer, 10, 0, SYN),
                (ToClient, 50, 11, SYN | ACK),
                (ToClient, 51, 11, ACK),
            ],
            StreamEvent::AckInWrongDir,
        ),
        (
            "rst no session",
            &[(ToServer, 10, 0, RST)],
            StreamEvent::RstButNoSession,
        ),
        (
            "fin no session",
            &[(ToServer, 10, 0, FIN | ACK)],
            StreamEvent::FinButNoSession,
        ),
    ];
    for (name, pkts, want) in cases {
        let mut s = TcpSession::new(&StreamConfig::default());
        let mut last = StreamEvents::default();
        for &(d, sq, ak, f) in *pkts {
            last = s.on_packet(t(1), d, &seg(sq, ak, f, b""));
        }
        assert!(
            last.contains(*want),
            "{name}: {:?}",
            last.iter().collect::<Vec<_>>()
        );
        assert!(!want.name().is_empty());
    }
    // Established resends.
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 10, 50);
    assert!(s
        .on_packet(t(1), ToServer, &seg(10, 0, SYN, b""))
        .contains(StreamEvent::EstSynResend));
    assert!(s
        .on_packet(t(1), ToServer, &seg(12, 0, SYN, b""))
        .contains(StreamEvent::EstSynResendDiffSeq));
    assert!(s
        .on_packet(t(1), ToClient, &seg(50, 11, SYN | ACK, b""))
        .contains(StreamEvent::EstSynAckResend));
    assert!(s
        .on_packet(t(1), ToServer, &seg(50, 11, SYN | ACK, b""))
        .contains(StreamEvent::EstSynAckToServer));
}

#[test]
fn retransmission_overlap_gap_and_depth_events() {
    let cfg = StreamConfig {
        depth: 20,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    handshake(&mut s, 0, 100);
    s.on_packet(t(2), ToServer, &seg(1, 101, ACK, b"aaaa"));
    let e = s.on_packet(t(2), ToServer, &seg(1, 101, ACK, b"aaaa"));
    assert!(e.contains(StreamEvent::PktRetransmission), "{e:?}");
    let e = s.on_packet(t(2), ToServer, &seg(1, 101, ACK, b"abab"));
    assert!(e.contains(StreamEvent::OverlapDifferentData));
    // hole 5..9, then data at 9; the server ACKs past the hole: a gap.
    s.on_packet(t(2), ToServer, &seg(9, 101, ACK, b"cccc"));
    let e = s.on_packet(t(2), ToClient, &seg(101, 13, ACK, b""));
    assert!(e.contains(StreamEvent::SeqGap));
    assert_eq!(s.next_chunk(ToServer), Some(Chunk::Data(b"aaaa")));
    assert_eq!(s.next_chunk(ToServer), Some(Chunk::Gap(4)));
    assert_eq!(s.next_chunk(ToServer), Some(Chunk::Data(b"cccc")));
    let e = s.on_packet(t(2), ToServer, &seg(1, 101, ACK, b"aaaa"));
    assert!(e.contains(StreamEvent::SegmentBeforeBaseSeq));
    let e = s.on_packet(t(2), ToServer, &seg(13, 101, ACK, b"0123456789"));
    assert!(e.contains(StreamEvent::DepthReached));
}

#[test]
fn out_of_window_and_fin_flush() {
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 0, 100);
    let mut w = seg(101, 1, ACK, b"");
    w.window = 100;
    s.on_packet(t(1), ToClient, &w);
    let e = s.on_packet(t(1), ToServer, &seg(1 + 5000, 101, ACK, b"far"));
    assert!(e.contains(StreamEvent::EstPacketOutOfWindow));
    // Data with a hole then FIN; the FIN's ACK flushes with a gap.
    s.on_packet(t(1), ToServer, &seg(1, 101, ACK, b"ab"));
    s.on_packet(t(1), ToServer, &seg(5, 101, ACK | FIN, b"ef"));
    let e = s.on_packet(t(1), ToClient, &seg(101, 8, ACK, b""));
    assert!(e.contains(StreamEvent::SeqGap));
    assert_eq!(drain(&mut s, ToServer), (b"abef".to_vec(), 2));
    assert_eq!(s.state(), TcpState::Closing);
}

#[test]
fn midstream_pickup() {
    let mut s = TcpSession::new(&StreamConfig::default());
    assert!(s
        .on_packet(t(1), ToServer, &seg(500, 900, ACK, b"xyz"))
        .is_empty());
    assert_eq!(s.state(), TcpState::New, "midstream off: ignored");
    let cfg = StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    s.on_packet(t(1), ToServer, &seg(500, 900, ACK, b"xyz"));
    assert_eq!(s.state(), TcpState::Established);
    s.on_packet(t(1), ToClient, &seg(900, 503, ACK, b"ok"));
    assert_eq!(drain(&mut s, ToServer).0, b"xyz");
    // Window scale unknown midstream: a large ACK step is not judged invalid.
    let mut big = seg(902, 503 + 70_000, ACK, b"");
    big.window = 1000;
    let e = s.on_packet(t(1), ToClient, &big);
    assert!(
        !e.contains(StreamEvent::PktInvalidAck),
        "{:?}",
        e.iter().collect::<Vec<_>>()
    );
}

/// Tiny deterministic PRNG (xorshift64*), fixed seeds so failures replay.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// Model test against a naive seq->byte map: random splits, reordering, duplicates and
/// same-data overlaps, across the sequence wrap, in both modes; the in-order output equals
/// the original and no gap is reported.
#[test]
fn model_random_segments() {
    let mut rng = Rng(0x5eed_57ea_0000_0001);
    for round in 0..200 {
        let mode = if round % 2 == 0 {
            ReassemblyMode::Ids
        } else {
            ReassemblyMode::Inline
        };
        let policy = StreamPolicy::ALL[round % StreamPolicy::ALL.len()];
        let cfg = StreamConfig {
            depth: 0,
            mode,
            policy,
            ..StreamConfig::default()
        };
        let len = 1 + rng.below(5000) as usize;
        let original: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let isn = (u32::MAX - 2500).wrapping_add(rng.below(5000) as u32);
        // Naive model: offset -> byte.
        let mut model = std::collections::BTreeMap::new();
        let mut segs: Vec<(usize, usize)> = Vec::new();
        let mut at = 0;
        while at < len {
            let l = 1 + rng.below(300) as usize;
            let e = (at + l).min(len);
            segs.push((at, e));
            at = e;
        }
        // Same-data overlaps and duplicates.
        for _ in 0..rng.below(10) {
            let a = rng.below(len as u64) as usize;
            let b = (a + 1 + rng.below(400) as usize).min(len);
            segs.push((a, b));
        }
        for i in (1..segs.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            segs.swap(i, j);
        }
        let mut s = TcpSession::new(&cfg);
        handshake(&mut s, isn, 42);
        let mut out = Vec::new();
        for &(a, b) in &segs {
            for (o, byte) in original[a..b].iter().enumerate() {
                model.insert(a + o, *byte);
            }
            let seq = isn.wrapping_add(1).wrapping_add(a as u32);
            s.on_packet(t(2), ToServer, &seg(seq, 43, ACK, &original[a..b]));
            let (d, g) = drain(&mut s, ToServer);
            assert_eq!(g, 0, "round {round}: no gap expected");
            out.extend_from_slice(&d);
        }
        // Anything refused for bounds is retransmitted in order.
        for &(a, b) in segs.iter() {
            let seq = isn.wrapping_add(1).wrapping_add(a as u32);
            s.on_packet(t(3), ToServer, &seg(seq, 43, ACK, &original[a..b]));
        }
        s.on_packet(
            t(3),
            ToClient,
            &seg(43, isn.wrapping_add(1).wrapping_add(len as u32), ACK, b""),
        );
        let (d, g) = drain(&mut s, ToServer);
        assert_eq!(g, 0, "round {round}");
        out.extend_from_slice(&d);
        let want: Vec<u8> = model.values().copied().collect();
        assert_eq!(want, original);
        assert_eq!(out, original, "round {round} {mode:?} {policy}");
    }
}

proptest::proptest! {
    /// Arbitrary packet sequences: no panic, bounds hold, and after close() everything drains
    /// with no hole left.
    #[test]
    fn prop_bounds_and_no_hang(ops in proptest::collection::vec(
        (proptest::bool::ANY, 0u32..6000, 0u32..6000, 0u8..64, 0usize..700), 1..80)) {
        let cfg = StreamConfig {
            depth: 4000, memcap: 3000, max_segments: 16, max_holes: 4, raw_keep: 512,
            midstream: true, ..StreamConfig::default() };
        let mut s = TcpSession::new(&cfg);
        let data = vec![0x41u8; 700];
        for (to_server, seq, ack, fl, len) in ops {
            let d = if to_server { ToServer } else { ToClient };
            s.on_packet(t(1), d, &seg(seq.wrapping_sub(3000), ack.wrapping_sub(3000), fl, &data[..len]));
            for dir in [ToServer, ToClient] {
                let a = s.stream(dir).assembler();
                proptest::prop_assert!(a.buffered() <= 3000);
                proptest::prop_assert!(a.segment_count() <= 16);
                proptest::prop_assert!(a.holes() <= 4);
                drain(&mut s, dir);
                proptest::prop_assert!(s.raw(dir).len() <= 512);
            }
        }
        s.close();
        for dir in [ToServer, ToClient] {
            drain(&mut s, dir);
            let a = s.stream(dir).assembler();
            proptest::prop_assert_eq!(a.read_offset(), a.contiguous_end());
            proptest::prop_assert_eq!(a.holes(), 0);
        }
    }
}

/// Every event name is one of Suricata's `stream-event` keywords (reads the built-in rules
/// from /work/shared; fails loudly when they are absent).
#[test]
fn event_names_match_suricata_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/stream-events.rules");
    let rules = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path} is needed for this test: {e}"));
    for e in StreamEvent::ALL {
        let needle = format!("stream-event:{};", e.name());
        assert!(rules.contains(&needle), "{needle} not in {path}");
    }
}

#[test]
fn rst_in_window_closes_and_flushes_far_rst_ignored() {
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 0, 100);
    s.on_packet(t(1), ToServer, &seg(1, 101, ACK, b"ab"));
    s.on_packet(t(1), ToServer, &seg(5, 101, ACK, b"ef"));
    s.on_packet(t(1), ToClient, &seg(101 + 2_000_000, 1, RST, b""));
    assert_eq!(
        s.state(),
        TcpState::Established,
        "RST far out of window ignored"
    );
    let e = s.on_packet(t(1), ToClient, &seg(101, 1, RST | ACK, b""));
    assert_eq!(s.state(), TcpState::Closed);
    assert!(e.contains(StreamEvent::SeqGap));
    assert_eq!(drain(&mut s, ToServer), (b"abef".to_vec(), 2));
}

#[test]
fn ack_past_missed_tail_gives_gap_within_window_only() {
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 0, 100);
    s.on_packet(t(1), ToServer, &seg(1, 101, ACK, b"GET /"));
    // The tail (offsets 5..10) was never captured; the server ACKs it.
    let e = s.on_packet(t(1), ToClient, &seg(101, 11, ACK, b""));
    assert!(e.contains(StreamEvent::SeqGap));
    assert_eq!(drain(&mut s, ToServer), (b"GET /".to_vec(), 5));
    // A forged ACK beyond the last ACK + window is invalid and ignored.
    let e = s.on_packet(t(1), ToClient, &seg(101, 11 + 10_000_000, ACK, b""));
    assert!(e.contains(StreamEvent::PktInvalidAck) && e.contains(StreamEvent::EstInvalidAck));
    assert!(!e.contains(StreamEvent::SeqGap));
    // Within the window, a trailing hole is skipped only up to the window past the data.
    let mut w = seg(101, 11, ACK, b"");
    w.window = 1000;
    s.on_packet(t(1), ToClient, &w);
    let e = s.on_packet(t(1), ToClient, &seg(101, 11 + 900, ACK, b""));
    assert!(
        e.contains(StreamEvent::SeqGap),
        "{:?}",
        e.iter().collect::<Vec<_>>()
    );
    assert_eq!(drain(&mut s, ToServer), (Vec::new(), 900));
    s.on_packet(t(1), ToServer, &seg(911, 101, ACK, b"next"));
    s.on_packet(t(1), ToClient, &seg(101, 915, ACK, b""));
    assert_eq!(drain(&mut s, ToServer), (b"next".to_vec(), 0));
}

/// Suricata's stream overlap unit tests (src/tests/stream-tcp-list.c, OVERLAP_STEP): per
/// policy, segments at relative sequence numbers (1 = ISN + 1) and the expected stream
/// buffer after each (`.` = hole), each scenario run with the ISNs Suricata uses
/// (0, 1, UINT_MAX, UINT_MAX - 10) so the wrap is crossed.
#[test]
#[allow(clippy::type_complexity)]
fn suricata_overlap_policy_vectors() {
    let table: &[(StreamPolicy, &str, &[(u32, &str, &str)])] = &[
        (
            StreamPolicy::Bsd,
            "Bsd",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AAAJJBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AAAJJBCCC.D..EEFFFGGHHI"),
                (11, "LLL", ".AAAJJBCCCLLL.EEFFFGGHHI"),
                (14, "MMM", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (18, "N", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (21, "O", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (22, "P", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (24, "QQ", ".AAAJJBCCCLLLMMMFFFGGHHIQ"),
                (1, "0", "0AAAJJBCCCLLLMMMFFFGGHHIQ"),
            ],
        ),
        (
            StreamPolicy::Bsd,
            "BsdBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AA.....D..EE"),
                (1, "JJJJ", "JJJJ....D..EE"),
                (8, "LLL", "JJJJ...LLL.EE"),
                (11, "MMM", "JJJJ...LLLMMM"),
            ],
        ),
        (
            StreamPolicy::Bsd,
            "BsdSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "CCC...........HHII"),
                (1, "LLLL", "CCCL..........HHII"),
                (15, "P", "CCCL..........HHII"),
                (15, "QQ", "CCCL..........HHII"),
            ],
        ),
        (
            StreamPolicy::Bsd,
            "BsdAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AAJ............FFFGG"),
                (20, "O", "AAJ............FFFGG"),
                (17, "N", "AAJ............FFFGG"),
            ],
        ),
        (
            StreamPolicy::Vista,
            "Vista",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AAAJBBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AAAJBBCCC.D..EEFFFGGHHI"),
                (11, "LLL", ".AAAJBBCCCLDL.EEFFFGGHHI"),
                (14, "MMM", ".AAAJBBCCCLDLMEEFFFGGHHI"),
                (18, "N", ".AAAJBBCCCLDLMEEFFFGGHHI"),
                (21, "O", ".AAAJBBCCCLDLMEEFFFGGHHI"),
                (22, "P", ".AAAJBBCCCLDLMEEFFFGGHHI"),
                (24, "QQ", ".AAAJBBCCCLDLMEEFFFGGHHIQ"),
                (1, "0", "0AAAJBBCCCLDLMEEFFFGGHHIQ"),
            ],
        ),
        (
            StreamPolicy::Vista,
            "VistaBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AB.....D..EE"),
                (1, "JJJJ", "JABJ....D..EE"),
                (8, "LLL", "JABJ...LDL.EE"),
                (11, "MMM", "JABJ...LDLMEE"),
            ],
        ),
        (
            StreamPolicy::Vista,
            "VistaSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "CCC...........HHII"),
                (1, "LLLL", "CCCL..........HHII"),
                (15, "P", "CCCL..........HHII"),
                (15, "QQ", "CCCL..........HHII"),
            ],
        ),
        (
            StreamPolicy::Vista,
            "VistaAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AAJ............FFFGG"),
                (20, "O", "AAJ............FFFGG"),
                (17, "N", "AAJ............FFFGG"),
            ],
        ),
        (
            StreamPolicy::Linux,
            "Linux",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AAAJJBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AAAJJBCCC.D..EEFFFGGHHI"),
                (11, "LLL", ".AAAJJBCCCLLL.EEFFFGGHHI"),
                (14, "MMM", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (18, "N", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (21, "O", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (22, "P", ".AAAJJBCCCLLLMMMFFFGGHHI"),
                (24, "QQ", ".AAAJJBCCCLLLMMMFFFGGHHQQ"),
                (1, "0", "0AAAJJBCCCLLLMMMFFFGGHHQQ"),
            ],
        ),
        (
            StreamPolicy::Linux,
            "LinuxBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AA.....D..EE"),
                (1, "JJJJ", "JJJJ....D..EE"),
                (8, "LLL", "JJJJ...LLL.EE"),
                (11, "MMM", "JJJJ...LLLMMM"),
            ],
        ),
        (
            StreamPolicy::Linux,
            "LinuxSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "CCC...........HHII"),
                (1, "LLLL", "LLLL..........HHII"),
                (15, "P", "LLLL..........HHII"),
                (15, "QQ", "LLLL..........HHII"),
            ],
        ),
        (
            StreamPolicy::Linux,
            "LinuxAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AAJ............FFFGG"),
                (20, "O", "AAJ............FFFGG"),
                (17, "N", "AAJ............FFFGG"),
            ],
        ),
        (
            StreamPolicy::OldLinux,
            "OldLinux",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AAAJJBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AAAJJBKKK.D..EEFFFGGHHI"),
                (11, "LLL", ".AAAJJBKKKLLL.EEFFFGGHHI"),
                (14, "MMM", ".AAAJJBKKKLLLMMMFFFGGHHI"),
                (18, "N", ".AAAJJBKKKLLLMMMFFFGGHHI"),
                (21, "O", ".AAAJJBKKKLLLMMMFFFGGHHI"),
                (22, "P", ".AAAJJBKKKLLLMMMFFFGGHHI"),
                (24, "QQ", ".AAAJJBKKKLLLMMMFFFGGHHQQ"),
                (1, "0", "0AAAJJBKKKLLLMMMFFFGGHHQQ"),
            ],
        ),
        (
            StreamPolicy::OldLinux,
            "OldLinuxBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AA.....D..EE"),
                (1, "JJJJ", "JJJJ....D..EE"),
                (8, "LLL", "JJJJ...LLL.EE"),
                (11, "MMM", "JJJJ...LLLMMM"),
            ],
        ),
        (
            StreamPolicy::OldLinux,
            "OldLinuxSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "KKK...........HHII"),
                (1, "LLLL", "LLLL..........HHII"),
                (15, "P", "LLLL..........HHII"),
                (15, "QQ", "LLLL..........QQII"),
            ],
        ),
        (
            StreamPolicy::OldLinux,
            "OldLinuxAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AAJ............FFFGG"),
                (20, "O", "AAJ............FFFGG"),
                (17, "N", "AAJ............FFFGG"),
            ],
        ),
        (
            StreamPolicy::Solaris,
            "Solaris",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AJJJBBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AJJJBBKKK.D..EEFFFGGHHI"),
                (11, "LLL", ".AJJJBBKKKLLL.EEFFFGGHHI"),
                (14, "MMM", ".AJJJBBKKKLLLMMMFFFGGHHI"),
                (18, "N", ".AJJJBBKKKLLLMMMFFFGGHHI"),
                (21, "O", ".AJJJBBKKKLLLMMMFFFGGHHI"),
                (22, "P", ".AJJJBBKKKLLLMMMFFFGGHHI"),
                (24, "QQ", ".AJJJBBKKKLLLMMMFFFGGHHQQ"),
                (1, "0", "0AJJJBBKKKLLLMMMFFFGGHHQQ"),
            ],
        ),
        (
            StreamPolicy::Solaris,
            "SolarisBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AA.....D..EE"),
                (1, "JJJJ", "JJJJ....D..EE"),
                (8, "LLL", "JJJJ...LLL.EE"),
                (11, "MMM", "JJJJ...LLLMMM"),
            ],
        ),
        (
            StreamPolicy::Solaris,
            "SolarisSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "KKK...........HHII"),
                (1, "LLLL", "LLLL..........HHII"),
                (15, "P", "LLLL..........HHII"),
                (15, "QQ", "LLLL..........QQII"),
            ],
        ),
        (
            StreamPolicy::Solaris,
            "SolarisAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AJJ............FFFGG"),
                (20, "O", "AJJ............FFFGG"),
                (17, "N", "AJJ............FFFGG"),
            ],
        ),
        (
            StreamPolicy::Last,
            "Last",
            &[
                (2, "AAA", ".AAA"),
                (6, "BB", ".AAA.BB"),
                (8, "CCC", ".AAA.BBCCC"),
                (12, "D", ".AAA.BBCCC.D"),
                (15, "EE", ".AAA.BBCCC.D..EE"),
                (17, "FFF", ".AAA.BBCCC.D..EEFFF"),
                (20, "GG", ".AAA.BBCCC.D..EEFFFGG"),
                (22, "HH", ".AAA.BBCCC.D..EEFFFGGHH"),
                (24, "I", ".AAA.BBCCC.D..EEFFFGGHHI"),
                (3, "JJJJ", ".AJJJJBCCC.D..EEFFFGGHHI"),
                (8, "KKK", ".AJJJJBKKK.D..EEFFFGGHHI"),
                (11, "LLL", ".AJJJJBKKKLLL.EEFFFGGHHI"),
                (14, "MMM", ".AJJJJBKKKLLLMMMFFFGGHHI"),
                (18, "N", ".AJJJJBKKKLLLMMMFNFGGHHI"),
                (21, "O", ".AJJJJBKKKLLLMMMFNFGOHHI"),
                (22, "P", ".AJJJJBKKKLLLMMMFNFGOPHI"),
                (24, "QQ", ".AJJJJBKKKLLLMMMFNFGOPHQQ"),
                (1, "0", "0AJJJJBKKKLLLMMMFNFGOPHQQ"),
            ],
        ),
        (
            StreamPolicy::Last,
            "LastBefore",
            &[
                (3, "B", "..B"),
                (9, "D", "..B.....D"),
                (12, "EE", "..B.....D..EE"),
                (2, "AA", ".AA.....D..EE"),
                (1, "JJJJ", "JJJJ....D..EE"),
                (8, "LLL", "JJJJ...LLL.EE"),
                (11, "MMM", "JJJJ...LLLMMM"),
            ],
        ),
        (
            StreamPolicy::Last,
            "LastSame",
            &[
                (1, "CCC", "CCC"),
                (15, "HH", "CCC...........HH"),
                (17, "II", "CCC...........HHII"),
                (1, "KKK", "KKK...........HHII"),
                (1, "LLLL", "LLLL..........HHII"),
                (15, "P", "LLLL..........PHII"),
                (15, "QQ", "LLLL..........QQII"),
            ],
        ),
        (
            StreamPolicy::Last,
            "LastAfter",
            &[
                (1, "AA", "AA"),
                (16, "FFF", "AA.............FFF"),
                (19, "GG", "AA.............FFFGG"),
                (2, "JJ", "AJJ............FFFGG"),
                (20, "O", "AJJ............FFFGO"),
                (17, "N", "AJJ............FNFGO"),
            ],
        ),
        // StreamTcpReassembleTest30..32.
        (
            StreamPolicy::Bsd,
            "Test30",
            &[(3, "BBB", "..BBB"), (1, "AA", "AABBB")],
        ),
        (
            StreamPolicy::Bsd,
            "Test31",
            &[(1, "AA", "AA"), (3, "BBB", "AABBB")],
        ),
        (
            StreamPolicy::Bsd,
            "Test32",
            &[
                (11, "AAAAAAAAAA", "..........AAAAAAAAAA"),
                (21, "BBBBBBBBBB", "..........AAAAAAAAAABBBBBBBBBB"),
                (
                    41,
                    "CCCCCCCCCC",
                    "..........AAAAAAAAAABBBBBBBBBB..........CCCCCCCCCC",
                ),
                (
                    6,
                    "aaaaaaaaaaaaaaaaaaaa",
                    ".....aaaaaaaaaaaaaaaaaaaaBBBBB..........CCCCCCCCCC",
                ),
                (
                    1,
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                ),
            ],
        ),
    ];
    for (policy, name, steps) in table {
        for isn in [0u32, 1, u32::MAX, u32::MAX - 10] {
            let cfg = StreamConfig {
                policy: *policy,
                depth: 0,
                ..StreamConfig::default()
            };
            let mut s = TcpSession::new(&cfg);
            handshake(&mut s, isn, 7);
            for (i, (rseq, data, want)) in steps.iter().enumerate() {
                s.on_packet(
                    t(2),
                    ToServer,
                    &seg(isn.wrapping_add(*rseq), 8, ACK, data.as_bytes()),
                );
                let want: Vec<u8> = want
                    .bytes()
                    .map(|b| if b == b'.' { 0 } else { b })
                    .collect();
                let got = s.to_server.asm.peek();
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "{name} isn={isn} step {i} ({rseq}, {data:?})"
                );
            }
        }
    }
}

#[test]
fn types_are_send_and_events_fit_the_bitset() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<TcpSession>();
    send_sync::<StreamConfig>();
    send::<crate::defrag::Defragger>();
    send_sync::<crate::defrag::DefragConfig>();
    assert!(StreamEvent::ALL.len() <= 32, "StreamEvents is a u32 bitset");
    for (i, e) in StreamEvent::ALL.iter().enumerate() {
        assert_eq!(*e as usize, i, "ALL is in declaration order");
    }
    let mut s = TcpSession::new(&StreamConfig::default());
    let base = s.memuse();
    handshake(&mut s, 0, 0);
    s.on_packet(t(1), ToServer, &seg(1, 1, ACK, &[7; 1000]));
    assert!(s.memuse() >= base + 1000);
}

/// A stray RST during the handshake (answering an old connection's challenge ACK, seen in
/// suricata-verify base64-decode-5885) does not end the session; a SYN after close is
/// reported as reuse.
#[test]
fn stray_rst_in_handshake_ignored_and_reuse_detected() {
    let mut s = TcpSession::new(&StreamConfig::default());
    s.on_packet(t(1), ToServer, &seg(255_601_861, 0, SYN, b""));
    s.on_packet(t(1), ToClient, &seg(3_738_406_957, 1_116_180_385, ACK, b""));
    s.on_packet(t(1), ToServer, &seg(1_116_180_385, 1_116_180_385, RST, b""));
    assert_eq!(s.state(), TcpState::SynSent);
    s.on_packet(
        t(1),
        ToClient,
        &seg(4_081_086_534, 255_601_862, SYN | ACK, b""),
    );
    s.on_packet(t(1), ToServer, &seg(255_601_862, 4_081_086_535, ACK, b""));
    assert_eq!(s.state(), TcpState::Established);
    s.on_packet(t(1), ToServer, &seg(255_601_862, 4_081_086_535, RST, b""));
    assert_eq!(s.state(), TcpState::Closed);
    assert!(s.is_reuse(ToServer, &seg(1, 0, SYN, b"")));
    assert!(!s.is_reuse(ToClient, &seg(1, 0, SYN, b"")));
    // Server refusing the SYN.
    let mut s = TcpSession::new(&StreamConfig::default());
    s.on_packet(t(1), ToServer, &seg(10, 0, SYN, b""));
    s.on_packet(t(1), ToClient, &seg(0, 11, RST | ACK, b""));
    assert_eq!(s.state(), TcpState::Closed);
}

/// suricata-verify bug-3286-02-linux-evasion: a RST and a FIN from the "server" that do not
/// echo the SYN's timestamp are invalid (Linux discards them), so the real handshake that
/// follows is tracked and its data reassembled.
#[test]
fn linux_timestamp_evasion() {
    let ts = |seq: u32, ack: u32, flags: u8, tsopt: Option<(u32, u32)>| TcpSeg {
        seq,
        ack,
        flags,
        window: 64240,
        wscale: None,
        tsopt,
        payload: b"",
    };
    let mut s = TcpSession::new(&StreamConfig::default());
    s.on_packet(
        t(1),
        ToServer,
        &ts(3_810_062_735, 0, SYN, Some((1_821_165_629, 0))),
    );
    let e = s.on_packet(
        t(1),
        ToClient,
        &ts(0, 3_810_062_736, ACK | RST, Some((100, 100))),
    );
    assert!(e.contains(StreamEvent::PktInvalidTimestamp));
    let e = s.on_packet(
        t(1),
        ToClient,
        &ts(0, 3_810_062_736, ACK | FIN, Some((100, 100))),
    );
    assert!(e.contains(StreamEvent::PktInvalidTimestamp));
    assert_eq!(s.state(), TcpState::SynSent);
    s.on_packet(
        t(1),
        ToClient,
        &ts(26_175, 3_810_062_736, SYN | ACK, Some((1_821_165_629, 0))),
    );
    s.on_packet(
        t(1),
        ToServer,
        &ts(
            3_810_062_736,
            26_176,
            ACK,
            Some((1_821_165_693, 1_821_165_629)),
        ),
    );
    assert_eq!(s.state(), TcpState::Established);
    let mut d = ts(
        3_810_062_736,
        26_176,
        ACK | PSH,
        Some((1_821_165_693, 1_821_165_629)),
    );
    d.payload = b"GET / HTTP/1.1";
    s.on_packet(t(1), ToServer, &d);
    // An injected RST with an old TSval is ignored.
    let e = s.on_packet(
        t(1),
        ToServer,
        &ts(3_810_062_750, 26_176, RST, Some((5, 0))),
    );
    assert!(e.contains(StreamEvent::PktInvalidTimestamp));
    assert_eq!(s.state(), TcpState::Established);
    s.on_packet(
        t(1),
        ToClient,
        &ts(
            26_176,
            3_810_062_750,
            ACK,
            Some((1_821_165_700, 1_821_165_693)),
        ),
    );
    assert_eq!(drain(&mut s, ToServer).0, b"GET / HTTP/1.1");
}

/// suricata-verify bug-4702-01: data, its ACK (with data), then a client RST.
#[test]
fn bug_4702_data_ack_then_rst() {
    let mut s = TcpSession::new(&StreamConfig::default());
    handshake(&mut s, 3333, 4444);
    s.on_packet(t(1), ToServer, &seg(3334, 4445, ACK, b"hello"));
    s.on_packet(t(1), ToClient, &seg(4445, 3339, ACK, b"0123456789abcde"));
    assert_eq!(drain(&mut s, ToServer), (b"hello".to_vec(), 0));
    s.on_packet(t(1), ToServer, &seg(3339, 0, RST, b""));
    s.close();
    assert_eq!(drain(&mut s, ToClient), (b"0123456789abcde".to_vec(), 0));
}

/// suricata-verify bug-7657-01: many SYNs with different ISNs; the SYN/ACK answers one of
/// them; past the queue size `3whs_syn_flood` is raised.
#[test]
fn syn_queue_and_syn_flood() {
    let mut s = TcpSession::new(&StreamConfig::default());
    let mut flood = false;
    for i in 0..13u32 {
        let e = s.on_packet(t(1), ToServer, &seg(1000 * i + 7, 0, SYN, b""));
        flood |= e.contains(StreamEvent::SynFlood);
    }
    assert!(flood);
    // Answers the 6th SYN (still queued).
    s.on_packet(t(1), ToClient, &seg(500, 5007 + 1, SYN | ACK, b""));
    assert_eq!(s.state(), TcpState::SynRecv);
    s.on_packet(t(1), ToServer, &seg(5008, 501, ACK, b""));
    assert_eq!(s.state(), TcpState::Established);
    s.on_packet(t(1), ToServer, &seg(5008, 501, ACK, b"POST"));
    s.on_packet(t(1), ToClient, &seg(501, 5012, ACK, b""));
    assert_eq!(drain(&mut s, ToServer).0, b"POST");
}

/// suricata-verify alert-testmyids-async: only the server side is captured; with
/// `async_oneside` the session is established and its data delivered at once.
#[test]
fn async_oneside_server_side_only() {
    let pkts = |s: &mut TcpSession| {
        s.on_packet(
            t(1),
            ToClient,
            &seg(2_548_486_694, 2_059_970_494, SYN | ACK, b""),
        );
        s.on_packet(t(1), ToClient, &seg(2_548_486_695, 2_059_970_575, ACK, b""));
        s.on_packet(
            t(1),
            ToClient,
            &seg(2_548_486_695, 2_059_970_575, ACK | PSH, b"HTTP/1.1 200 OK"),
        )
    };
    let cfg = StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    assert!(
        pkts(&mut s).contains(StreamEvent::AckInWrongDir),
        "async-oneside off"
    );
    let cfg = StreamConfig {
        midstream: true,
        async_oneside: true,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    pkts(&mut s);
    assert_eq!(s.state(), TcpState::Established);
    assert_eq!(drain(&mut s, ToClient).0, b"HTTP/1.1 200 OK");
    // Client side only.
    let mut s = TcpSession::new(&cfg);
    s.on_packet(t(1), ToServer, &seg(10, 0, SYN, b""));
    s.on_packet(t(1), ToServer, &seg(11, 90, ACK, b"GET /"));
    assert_eq!(s.state(), TcpState::Established);
    assert_eq!(drain(&mut s, ToServer).0, b"GET /");
}

/// TCP Fast Open (suricata-verify tcp-fastopen-01): data on the SYN is part of the stream;
/// a SYN/ACK acking only the SYN raises `3whs_synack_tfo_data_ignored`.
#[test]
fn tcp_fast_open() {
    let mut s = TcpSession::new(&StreamConfig::default());
    s.on_packet(t(1), ToServer, &seg(100, 0, SYN, b"GET / HTTP/1.1\r\n"));
    let e = s.on_packet(t(1), ToClient, &seg(900, 101 + 16, SYN | ACK, b""));
    assert!(e.is_empty(), "{:?}", e.iter().collect::<Vec<_>>());
    s.on_packet(t(1), ToServer, &seg(117, 901, ACK, b""));
    assert_eq!(s.state(), TcpState::Established);
    s.on_packet(t(1), ToServer, &seg(117, 901, ACK, b"Host: x\r\n\r\n"));
    s.on_packet(t(1), ToClient, &seg(901, 128, ACK, b""));
    assert_eq!(
        drain(&mut s, ToServer).0,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    );
    let mut s = TcpSession::new(&StreamConfig::default());
    s.on_packet(t(1), ToServer, &seg(100, 0, SYN, b"data"));
    let e = s.on_packet(t(1), ToClient, &seg(900, 101, SYN | ACK, b""));
    assert!(e.contains(StreamEvent::SynAckTfoDataIgnored));
    assert_eq!(s.state(), TcpState::SynRecv);
}

/// Picked up midstream on a keep-alive (seq one below the next byte): the other side's ACK
/// fixes the start, so no false one-byte gap (suricata-verify bug-3616-urldecode).
#[test]
fn midstream_keepalive_pickup_no_false_gap() {
    let cfg = StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    };
    let mut s = TcpSession::new(&cfg);
    s.on_packet(t(1), ToServer, &seg(610_727_824, 1_108_794_695, ACK, b""));
    let e = s.on_packet(t(1), ToClient, &seg(1_108_794_695, 610_727_825, ACK, b""));
    assert!(
        !e.contains(StreamEvent::SeqGap),
        "{:?}",
        e.iter().collect::<Vec<_>>()
    );
    s.on_packet(
        t(1),
        ToServer,
        &seg(610_727_825, 1_108_794_695, ACK, b"next"),
    );
    s.on_packet(t(1), ToClient, &seg(1_108_794_695, 610_727_829, ACK, b""));
    assert_eq!(drain(&mut s, ToServer), (b"next".to_vec(), 0));
}
