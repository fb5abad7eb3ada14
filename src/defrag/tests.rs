use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn t(secs: i64) -> Timestamp {
    Timestamp::from_parts(secs, 0)
}

/// A 20-byte IPv4 header 1.1.1.1 -> 2.2.2.2, proto ICMP; length/offset fields are whatever the
/// fragment had (the defragger rewrites them).
fn v4_header() -> Vec<u8> {
    vec![
        0x45, 0x00, 0x00, 0x00, // version/IHL, TOS, total length
        0x00, 0x01, 0x20, 0x00, // id 1, MF
        0x40, 0x01, 0x00, 0x00, // TTL 64, ICMP, checksum
        1, 1, 1, 1, // src
        2, 2, 2, 2, // dst
    ]
}

fn v6_header() -> Vec<u8> {
    let mut h = vec![0x60, 0, 0, 0, 0, 0, 44, 64];
    h.extend_from_slice(&[1; 16]);
    h.extend_from_slice(&[2; 16]);
    h
}

struct F {
    off: u16,
    mf: bool,
    data: Vec<u8>,
}

fn frag(off: u16, mf: bool, c: u8, len: usize) -> F {
    F {
        off,
        mf,
        data: vec![c; len],
    }
}

fn info<'a>(v6: bool, f: &'a F, hdr: &'a [u8], id: u32) -> FragInfo<'a> {
    let (src, dst) = if v6 {
        (
            IpAddr::V6(Ipv6Addr::from([1; 16])),
            IpAddr::V6(Ipv6Addr::from([2; 16])),
        )
    } else {
        (
            IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1)),
            IpAddr::V4(Ipv4Addr::new(2, 2, 2, 2)),
        )
    };
    FragInfo {
        src,
        dst,
        id,
        vlan: [0, 0],
        proto: if v6 { 58 } else { 1 },
        offset: f.off,
        more_fragments: f.mf,
        header: hdr,
        v6_next_header_at: 6,
        payload: &f.data,
    }
}

fn cfg(policy: OverlapPolicy) -> DefragConfig {
    DefragConfig {
        default_policy: policy,
        ..DefragConfig::default()
    }
}

/// The Sturges/Novak "Target-Based Fragmentation Reassembly" fragment set, as in Suricata's
/// defrag unit tests: 9 originals, 7 overlapping ones, then the last.
fn sturges_novak() -> Vec<F> {
    vec![
        frag(0, true, b'A', 24),
        frag(32, true, b'B', 16),
        frag(48, true, b'C', 24),
        frag(80, true, b'D', 8),
        frag(104, true, b'E', 16),
        frag(120, true, b'F', 24),
        frag(144, true, b'G', 16),
        frag(160, true, b'H', 16),
        frag(176, true, b'I', 8),
        frag(8, true, b'J', 32),
        frag(48, true, b'K', 24),
        frag(72, true, b'L', 24),
        frag(96, true, b'M', 24),
        frag(128, true, b'N', 8),
        frag(152, true, b'O', 8),
        frag(160, true, b'P', 8),
        frag(176, false, b'Q', 16),
    ]
}

/// Expected result as a string of one letter per 8-byte block.
fn expand(blocks: &str) -> Vec<u8> {
    blocks
        .bytes()
        .flat_map(|b| std::iter::repeat_n(b, 8))
        .collect()
}

fn run_sturges_novak(policy: OverlapPolicy, v6: bool) -> Vec<u8> {
    let mut d = Defragger::new(cfg(policy));
    let hdr = if v6 { v6_header() } else { v4_header() };
    let frags = sturges_novak();
    let mut overlaps = 0;
    for (i, f) in frags.iter().enumerate() {
        let r = d.insert(t(100), info(v6, f, &hdr, 1));
        let ov = r.events.contains(DefragEvent::overlap(v6));
        if i < 9 {
            assert!(!ov, "{policy}: original fragment {i} flagged as overlap");
        } else if ov {
            overlaps += 1;
        }
        if i < 16 {
            assert!(
                !matches!(r.status, DefragStatus::Reassembled(_)),
                "{policy}: fragment {i}"
            );
        } else {
            match r.status {
                DefragStatus::Reassembled(p) => {
                    assert!(overlaps > 0, "{policy}: no overlap event");
                    let hl = if v6 { 40 } else { 20 };
                    return p[hl..].to_vec();
                }
                other => panic!("{policy}: last fragment gave {other:?}"),
            }
        }
    }
    unreachable!()
}

#[test]
fn sturges_novak_every_policy_v4_and_v6() {
    // Expected blocks from Suricata's DefragSturgesNovak*Test.
    let cases: [(OverlapPolicy, &str); 6] = [
        (OverlapPolicy::Bsd, "AAAJJBCCCLLLMMMFFFGGHHIQ"),
        (OverlapPolicy::Linux, "AAAJJBKKKLLLMMMFFFGGPHQQ"),
        (OverlapPolicy::Windows, "AAAJBBCCCLLLMEEFFFGGHHIQ"),
        (OverlapPolicy::Solaris, "AAAJBBCCCLLLMMMFFFGGHHIQ"),
        (OverlapPolicy::First, "AAAJBBCCCLDLMEEFFFGGHHIQ"),
        (OverlapPolicy::Last, "AJJJJBKKKLLLMMMFNFGOPHQQ"),
    ];
    for (policy, blocks) in cases {
        for v6 in [false, true] {
            let got = run_sturges_novak(policy, v6);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expand(blocks)),
                "{policy} v6={v6}"
            );
        }
    }
}

/// bsd-right trims nothing: every byte comes from the fragment with the greatest
/// (offset, arrival) covering it.
#[test]
fn sturges_novak_bsd_right_is_rightmost_wins() {
    let frags = sturges_novak();
    let mut model = vec![0u8; 192];
    let mut order: Vec<(u16, usize)> = frags.iter().enumerate().map(|(i, f)| (f.off, i)).collect();
    order.sort();
    for (off, i) in order {
        let f = &frags[i];
        model[usize::from(off)..usize::from(off) + f.data.len()].copy_from_slice(&f.data);
    }
    assert_eq!(run_sturges_novak(OverlapPolicy::BsdRight, false), model);
}

#[test]
fn reassembled_ipv4_header_is_rewritten() {
    let mut d = Defragger::new(DefragConfig::default());
    let hdr = v4_header();
    let a = frag(0, true, b'a', 16);
    let b = frag(16, false, b'b', 10);
    assert_eq!(
        d.insert(t(1), info(false, &b, &hdr, 7)).status,
        DefragStatus::Pending
    );
    let r = d.insert(t(1), info(false, &a, &hdr, 7));
    let DefragStatus::Reassembled(p) = r.status else {
        panic!("{:?}", r.status)
    };
    assert_eq!(p.len(), 46);
    assert_eq!(u16::from_be_bytes([p[2], p[3]]), 46, "total length");
    assert_eq!(&p[6..8], &[0, 0], "MF and offset cleared");
    assert_eq!(ipv4_checksum(&p[..20]), 0, "checksum verifies");
    assert_eq!(&p[20..36], &[b'a'; 16]);
    assert_eq!(&p[36..], &[b'b'; 10]);
    assert!(r.events.is_empty());
    let s = d.stats();
    assert_eq!(
        (s.ipv4_fragments, s.ipv4_reassembled, s.trackers, s.memuse),
        (2, 1, 0, 0)
    );
}

#[test]
fn reassembled_ipv6_drops_fragment_header() {
    let mut d = Defragger::new(DefragConfig::default());
    // fixed header + an 8-byte hop-by-hop header (unfragmentable) whose next header is 44.
    let mut hdr = v6_header();
    hdr[6] = 0;
    hdr.extend_from_slice(&[44, 0, 0, 0, 0, 0, 0, 0]);
    let a = frag(0, true, b'x', 8);
    let b = frag(8, false, b'y', 3);
    let mut ia = info(true, &a, &hdr, 9);
    ia.v6_next_header_at = 40;
    ia.proto = 17;
    let mut ib = info(true, &b, &hdr, 9);
    ib.proto = 17;
    assert_eq!(d.insert(t(1), ia).status, DefragStatus::Pending);
    let r = d.insert(t(1), ib);
    let DefragStatus::Reassembled(p) = r.status else {
        panic!("{:?}", r.status)
    };
    assert_eq!(p.len(), 40 + 8 + 11);
    assert_eq!(u16::from_be_bytes([p[4], p[5]]), 19, "payload length");
    assert_eq!(p[6], 0, "fixed header still points at hop-by-hop");
    assert_eq!(p[40], 17, "hop-by-hop now points at UDP");
    assert_eq!(&p[48..], b"xxxxxxxxyyy");
}

#[test]
fn ipv6_invalid_length_and_not_fragment() {
    let mut d = Defragger::new(DefragConfig::default());
    let hdr = v6_header();
    let a = frag(0, true, b'x', 7);
    let r = d.insert(t(1), info(true, &a, &hdr, 1));
    assert_eq!(r.status, DefragStatus::Dropped(DropReason::InvalidLength));
    assert!(r.events.contains(DefragEvent::Ipv6FragInvalidLength));
    assert_eq!(
        DefragEvent::Ipv6FragInvalidLength.name(),
        "ipv6.frag_invalid_length"
    );
    let n = frag(0, false, b'x', 7);
    assert_eq!(
        d.insert(t(1), info(true, &n, &hdr, 1)).status,
        DefragStatus::Dropped(DropReason::NotFragment)
    );
}

#[test]
fn too_large_fragment_and_packet() {
    let mut d = Defragger::new(DefragConfig::default());
    let hdr = v4_header();
    // Suricata's DefragTooLargeIpv4Test: offset 8183*8, 71 bytes.
    let f = frag(8183 * 8, false, b'A', 71);
    let r = d.insert(t(1), info(false, &f, &hdr, 1));
    assert_eq!(r.status, DefragStatus::Dropped(DropReason::TooLarge));
    assert!(r.events.contains(DefragEvent::Ipv4FragPktTooLarge));
    assert_eq!(d.stats().trackers, 0);
    // IPv6: the fragments fit but the header makes the payload too long.
    let mut hdr6 = v6_header();
    hdr6[6] = 0;
    hdr6.extend_from_slice(&[44, 0, 0, 0, 0, 0, 0, 0]);
    let a = frag(0, true, b'x', 32_000);
    let b = frag(32_000, false, b'y', 33_530);
    let mut ia = info(true, &a, &hdr6, 2);
    ia.v6_next_header_at = 40;
    assert_eq!(d.insert(t(1), ia).status, DefragStatus::Pending);
    let r = d.insert(t(1), info(true, &b, &hdr6, 2));
    assert_eq!(
        r.status,
        DefragStatus::Dropped(DropReason::ReassembledTooLarge)
    );
    assert!(r.events.contains(DefragEvent::Ipv6FragPktTooLarge));
    assert_eq!(d.memuse(), 0);
}

#[test]
fn timeout_expires_trackers() {
    let mut d = Defragger::new(DefragConfig {
        timeout_secs: 60,
        ..DefragConfig::default()
    });
    let hdr = v4_header();
    for id in 0..16 {
        let f = frag(0, true, b'A', 16);
        assert_eq!(
            d.insert(t(100), info(false, &f, &hdr, id)).status,
            DefragStatus::Pending
        );
    }
    assert_eq!(d.expire(t(160)), 0, "not yet: 160 is not past 100+60");
    assert_eq!(d.expire(t(161)), 16);
    let s = d.stats();
    assert_eq!((s.trackers, s.timeouts, s.memuse), (0, 16, 0));
    // A late fragment for a timed-out tracker starts afresh.
    let a = frag(0, true, b'A', 8);
    let b = frag(8, false, b'B', 8);
    d.insert(t(200), info(false, &a, &hdr, 1));
    let r = d.insert(t(300), info(false, &b, &hdr, 1));
    assert_eq!(r.status, DefragStatus::Pending, "first half timed out");
    assert_eq!(d.stats().timeouts, 17);
}

#[test]
fn memcap_and_tracker_limit_evict_oldest() {
    let c = DefragConfig {
        memcap: 3 * (TRACKER_OVERHEAD + FRAG_OVERHEAD + 100 + 20),
        max_trackers: 2,
        ..DefragConfig::default()
    };
    let mut d = Defragger::new(c);
    let hdr = v4_header();
    let f = frag(0, true, b'A', 100);
    for id in 0..2 {
        d.insert(t(i64::from(id)), info(false, &f, &hdr, id));
    }
    d.insert(t(5), info(false, &f, &hdr, 5));
    let s = d.stats();
    assert_eq!((s.trackers, s.tracker_evictions), (2, 1));
    let big = frag(0, true, b'B', 900);
    let r = d.insert(t(6), info(false, &big, &hdr, 6));
    assert_eq!(
        r.status,
        DefragStatus::Dropped(DropReason::NoRoom),
        "can never fit"
    );
    assert!(r.events.contains(DefragEvent::Ipv4FragIgnored));
    let mid = frag(0, true, b'C', 500);
    assert_eq!(
        d.insert(t(7), info(false, &mid, &hdr, 7)).status,
        DefragStatus::Pending
    );
    let s = d.stats();
    assert!(s.memcap_evictions >= 1, "{s:?}");
    assert!(d.memuse() <= 3 * (TRACKER_OVERHEAD + FRAG_OVERHEAD + 100 + 20));
}

#[test]
fn per_host_policy_lookup() {
    let c = DefragConfig {
        policy_lookup: Some(Arc::new(|_dst| Some(OverlapPolicy::Last))),
        ..DefragConfig::default()
    };
    let mut d = Defragger::new(c);
    let hdr = v4_header();
    let a = frag(0, true, b'A', 16);
    let b = frag(8, true, b'B', 8);
    let e = frag(16, false, b'E', 8);
    d.insert(t(1), info(false, &a, &hdr, 1));
    let r = d.insert(t(1), info(false, &b, &hdr, 1));
    assert!(r.events.contains(DefragEvent::Ipv4FragOverlap));
    let r = d.insert(t(1), info(false, &e, &hdr, 1));
    let DefragStatus::Reassembled(p) = r.status else {
        panic!()
    };
    assert_eq!(&p[20..], b"AAAAAAAABBBBBBBBEEEEEEEE");
}

/// Tiny deterministic PRNG (xorshift64*), fixed seeds so failures replay.
pub(crate) struct Rng(u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// Model test: random non-overlapping 8-byte-aligned splits in random order (with exact
/// duplicates) reassemble to the original bytes under every policy.
#[test]
fn model_random_splits_every_policy() {
    let mut rng = Rng(0x5eed_defa_9000_0001);
    for round in 0..300 {
        let policy = OverlapPolicy::ALL[round % OverlapPolicy::ALL.len()];
        let v6 = round % 2 == 1;
        let len = 8 + rng.below(3000) as usize;
        let original: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let mut cuts = vec![0usize];
        let mut at = 0usize;
        while at < len {
            let step = 8 * (1 + rng.below(40) as usize);
            at = (at + step).min(len);
            cuts.push(at);
        }
        let mut frags: Vec<F> = cuts
            .windows(2)
            .map(|w| F {
                off: w[0] as u16,
                mf: w[1] != len,
                data: original[w[0]..w[1]].to_vec(),
            })
            .collect();
        if frags.len() == 1 {
            // offset 0 without MF is not a fragment at all.
            let mut d = Defragger::new(cfg(policy));
            let h = v4_header();
            let r = d.insert(t(1), info(v6, &frags[0], &h, 3));
            assert_eq!(r.status, DefragStatus::Dropped(DropReason::NotFragment));
            continue;
        }
        if rng.below(3) == 0 {
            let i = rng.below(frags.len() as u64 - 1) as usize;
            let dup = F {
                off: frags[i].off,
                mf: frags[i].mf,
                data: frags[i].data.clone(),
            };
            frags.push(dup);
        }
        for i in (1..frags.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            frags.swap(i, j);
        }
        // The last fragment in time must complete the packet: keep the duplicate before it.
        let mut d = Defragger::new(cfg(policy));
        let hdr = if v6 { v6_header() } else { v4_header() };
        let mut done = None;
        for f in &frags {
            if let DefragStatus::Reassembled(p) = d.insert(t(1), info(v6, f, &hdr, 3)).status {
                done = Some(p.to_vec());
                break;
            }
        }
        let p = done.unwrap_or_else(|| panic!("round {round} {policy}: never reassembled"));
        let hl = if v6 { 40 } else { 20 };
        assert_eq!(&p[hl..], &original[..], "round {round} {policy}");
    }
}

proptest::proptest! {
    /// Arbitrary fragment sequences: no panic, memory within the cap, reassembled packets
    /// within 65535 bytes and consistent with their length field.
    #[test]
    fn prop_arbitrary_fragments(ops in proptest::collection::vec(
        (0u16..400, proptest::bool::ANY, 0usize..600, 0u32..3, proptest::bool::ANY, 0i64..200), 1..60)) {
        let memcap = 8 * 1024;
        let mut d = Defragger::new(DefragConfig {
            memcap, max_trackers: 2, max_frags_per_tracker: 16,
            default_policy: OverlapPolicy::ALL[ops.len() % 7], ..DefragConfig::default() });
        let h4 = v4_header();
        let h6 = v6_header();
        for (off8, mf, len, id, v6, ts) in ops {
            let f = F { off: off8 * 8, mf, data: vec![id as u8; len] };
            let hdr = if v6 { &h6 } else { &h4 };
            let r = d.insert(t(ts), info(v6, &f, hdr, id));
            if let DefragStatus::Reassembled(p) = r.status {
                proptest::prop_assert!(p.len() <= 65_535 + 40);
                if v6 {
                    proptest::prop_assert_eq!(usize::from(u16::from_be_bytes([p[4], p[5]])) + 40, p.len());
                } else {
                    proptest::prop_assert_eq!(usize::from(u16::from_be_bytes([p[2], p[3]])), p.len());
                }
            }
            proptest::prop_assert!(d.memuse() <= memcap);
            d.expire(t(ts));
        }
    }
}

/// Event names are Suricata's `decode-event` names (the rule file lists all but the
/// `frag_ignored` pair, which Suricata raises without a shipped rule).
#[test]
fn event_names_match_suricata_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/decoder-events.rules");
    let rules = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path} is needed for this test: {e}"));
    for e in [
        DefragEvent::Ipv4FragOverlap,
        DefragEvent::Ipv6FragOverlap,
        DefragEvent::Ipv4FragPktTooLarge,
        DefragEvent::Ipv6FragPktTooLarge,
        DefragEvent::Ipv6FragInvalidLength,
    ] {
        let needle = format!("decode-event:{};", e.name());
        assert!(rules.contains(&needle), "{needle} not in {path}");
    }
}

/// Feeds `frags` (byte offset, MF, data) in order; every fragment but the last must not
/// complete the packet. Returns the reassembled payload after the last one, if any.
fn run_case(policy: OverlapPolicy, v6: bool, frags: &[(u16, bool, &[u8])]) -> Option<Vec<u8>> {
    let mut d = Defragger::new(cfg(policy));
    let hdr = if v6 { v6_header() } else { v4_header() };
    let hl = hdr.len();
    for (i, (off, mf, data)) in frags.iter().enumerate() {
        let f = F {
            off: *off,
            mf: *mf,
            data: data.to_vec(),
        };
        let r = d.insert(t(1), info(v6, &f, &hdr, 6));
        if let DefragStatus::Reassembled(p) = r.status {
            assert_eq!(
                i,
                frags.len() - 1,
                "{policy} v6={v6}: complete before the last fragment"
            );
            return Some(p[hl..].to_vec());
        }
    }
    None
}

/// Suricata's other defrag unit tests (src/defrag.c), each for IPv4 and IPv6.
#[test]
fn suricata_defrag_unit_cases() {
    for v6 in [false, true] {
        // DefragMfIpv{4,6}Test: a fragment past the MF=0 one is left out.
        let got = run_case(
            OverlapPolicy::Bsd,
            v6,
            &[
                (16, true, b"CCCCCCCC"),
                (0, true, b"AAAAAAAA"),
                (8, false, b"BBBBBBBB"),
            ],
        );
        assert_eq!(got.as_deref(), Some(&b"AAAAAAAABBBBBBBB"[..]), "mf v6={v6}");
        // DefragTestJeremyLinux.
        let got = run_case(
            OverlapPolicy::Linux,
            v6,
            &[
                (0, true, &[b'A'; 24]),
                (40, true, &[b'B'; 48]),
                (24, true, &[b'C'; 48]),
                (88, false, &[b'D'; 14]),
            ],
        );
        let want = [&[b'A'; 24][..], &[b'C'; 48], &[b'B'; 16], &[b'D'; 14]].concat();
        assert_eq!(got, Some(want), "jeremy linux v6={v6}");
        // DefragBsdFragmentAfterNoMf.
        let got = run_case(
            OverlapPolicy::Bsd,
            v6,
            &[
                (24, false, &[b'A'; 16]),
                (8, true, &[b'B'; 16]),
                (16, true, &[b'C'; 16]),
                (0, true, &[b'D'; 8]),
            ],
        );
        assert_eq!(
            got.as_deref(),
            Some(&b"DDDDDDDDBBBBBBBBBBBBBBBBCCCCCCCCAAAAAAAA"[..]),
            "after no-mf v6={v6}"
        );
        // DefragBsdSubsequentOverlapsStartOfOriginal and its _2 variant.
        let got = run_case(
            OverlapPolicy::Bsd,
            v6,
            &[(8, false, &[b'E'; 24]), (0, true, &[b'M'; 24])],
        );
        assert_eq!(
            got.as_deref(),
            Some(&b"MMMMMMMMMMMMMMMMMMMMMMMMEEEEEEEE"[..]),
            "overlaps start v6={v6}"
        );
        let got = run_case(
            OverlapPolicy::Bsd,
            v6,
            &[
                (16, true, b"AABBCCDDAABBDDCC"),
                (8, true, b"AACCBBDDAACCDDBB"),
                (0, true, b"ZZZZZZZZ"),
                (32, false, b"DDCCBBAA"),
            ],
        );
        assert_eq!(
            got.as_deref(),
            Some(&b"ZZZZZZZZAACCBBDDAACCDDBBAABBDDCCDDCCBBAA"[..]),
            "overlaps start _2 v6={v6}"
        );
        // DefragBsdMissingFragment: 32..40 never arrives, no reassembly.
        let got = run_case(
            OverlapPolicy::Bsd,
            v6,
            &[
                (16, true, b"AABBCCDDAABBDDCC"),
                (40, true, b"AACCBBDD"),
                (8, true, b"AACCDDBBAADDBBCC"),
                (0, true, b"ZZZZZZZZ"),
                (48, false, b"DDCCBBAA"),
            ],
        );
        assert_eq!(got, None, "missing fragment v6={v6}");
    }
}

/// DefragTestBadProto and DefragVlanTest: fragments differing in protocol or VLAN never
/// reassemble together.
#[test]
fn proto_and_vlan_separate_trackers() {
    let mut d = Defragger::new(DefragConfig::default());
    let hdr = v4_header();
    let a = frag(0, true, b'A', 8);
    let b = frag(8, true, b'B', 8);
    let c = frag(16, false, b'C', 3);
    assert_eq!(
        d.insert(t(1), info(false, &a, &hdr, 12)).status,
        DefragStatus::Pending
    );
    let mut ib = info(false, &b, &hdr, 12);
    ib.proto = 17;
    assert_eq!(d.insert(t(1), ib).status, DefragStatus::Pending);
    assert_eq!(
        d.insert(t(1), info(false, &c, &hdr, 12)).status,
        DefragStatus::Pending
    );
    let a2 = frag(0, true, b'A', 8);
    let b2 = frag(8, false, b'B', 8);
    let mut ia = info(false, &a2, &hdr, 13);
    ia.vlan = [1, 0];
    let mut ib = info(false, &b2, &hdr, 13);
    ib.vlan = [2, 0];
    assert_eq!(d.insert(t(1), ia).status, DefragStatus::Pending);
    assert_eq!(d.insert(t(1), ib).status, DefragStatus::Pending);
}

/// `FragInfo::parse` on real IPv4 / IPv6 (hop-by-hop + fragment header) packets, then a
/// round trip through the defragmenter.
#[test]
fn parse_real_packets_and_roundtrip() {
    // IPv4 fragments of a UDP datagram: "0123456789abcdef" + "XYZ".
    let v4 = |off8: u16, mf: bool, data: &[u8]| {
        let mut p = vec![
            0x45, 0x00, 0x00, 0x00, // version/IHL, TOS, total length (set below)
            0xbe, 0xef, 0x00, 0x00, // id, flags/offset (set below)
            0x40, 0x11, 0x00, 0x00, // TTL, UDP, checksum
            10, 0, 0, 1, // src
            10, 0, 0, 2, // dst
        ];
        let total = (20 + data.len()) as u16;
        p[2..4].copy_from_slice(&total.to_be_bytes());
        p[6..8].copy_from_slice(&(off8 | if mf { 0x2000 } else { 0 }).to_be_bytes());
        p.extend_from_slice(data);
        p.extend_from_slice(&[0xee; 6]); // Ethernet padding: ignored
        p
    };
    let a = v4(0, true, b"0123456789abcdef");
    let b = v4(2, false, b"XYZ");
    let fa = FragInfo::parse(&a, [0, 0]).expect("first fragment");
    assert_eq!(
        (
            fa.id,
            fa.proto,
            fa.offset,
            fa.more_fragments,
            fa.payload.len()
        ),
        (0xbeef, 17, 0, true, 16)
    );
    let fb = FragInfo::parse(&b, [0, 0]).expect("last fragment");
    assert_eq!(
        (fb.offset, fb.more_fragments, fb.payload),
        (16, false, &b"XYZ"[..])
    );
    let whole = v4(0, false, b"x");
    assert!(FragInfo::parse(&whole, [0, 0]).is_none(), "not a fragment");
    assert!(FragInfo::parse(&a[..30], [0, 0]).is_none(), "truncated");
    let mut d = Defragger::new(DefragConfig::default());
    assert_eq!(d.insert(t(1), fb).status, DefragStatus::Pending);
    let DefragStatus::Reassembled(p) = d.insert(t(1), fa).status else {
        panic!()
    };
    assert_eq!(&p[20..], b"0123456789abcdefXYZ");
    assert_eq!(u16::from_be_bytes([p[2], p[3]]), 39);
    assert_eq!(ipv4_checksum(&p[..20]), 0);

    // IPv6: fixed header -> hop-by-hop (8) -> fragment (8) -> UDP data.
    let v6 = |off: u16, mf: bool, data: &[u8]| {
        let mut p = vec![0x60, 0, 0, 0, 0, 0, 0, 64];
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        p.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop: next = fragment, PadN
        let fo = off | u16::from(mf);
        p.extend_from_slice(&[17, 0, (fo >> 8) as u8, fo as u8, 0, 0, 0x12, 0x34]);
        p.extend_from_slice(data);
        let plen = (p.len() - 40) as u16;
        p[4..6].copy_from_slice(&plen.to_be_bytes());
        p
    };
    let a = v6(0, true, b"ABCDEFGH");
    let b = v6(8, false, b"IJ");
    let fa = FragInfo::parse(&a, [0, 0]).expect("v6 first");
    assert_eq!(
        (fa.id, fa.proto, fa.header.len(), fa.v6_next_header_at),
        (0x1234, 17, 48, 40)
    );
    let fb = FragInfo::parse(&b, [0, 0]).expect("v6 last");
    let mut d = Defragger::new(DefragConfig::default());
    assert_eq!(d.insert(t(1), fa).status, DefragStatus::Pending);
    let DefragStatus::Reassembled(p) = d.insert(t(1), fb).status else {
        panic!()
    };
    assert_eq!(p.len(), 48 + 10);
    assert_eq!(
        u16::from_be_bytes([p[4], p[5]]),
        18,
        "hop-by-hop + 10 bytes"
    );
    assert_eq!((p[6], p[40]), (0, 17), "hop-by-hop now names UDP");
    assert_eq!(&p[48..], b"ABCDEFGHIJ");
}

proptest::proptest! {
    /// `FragInfo::parse` never panics and its slices stay inside the input.
    #[test]
    fn prop_parse_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        if let Some(f) = FragInfo::parse(&data, [0, 0]) {
            proptest::prop_assert!(f.header.len() + f.payload.len() <= data.len());
            proptest::prop_assert!(f.offset != 0 || f.more_fragments);
        }
    }
}
