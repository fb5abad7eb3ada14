//! Fuzz target for the packet decoder: the first input byte picks the link type, the rest is
//! the frame. Checks the decoder contract: no panic, every exposed offset inside the frame, and
//! the dispatcher's flow hint agreeing with the full decode.
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz decode tests/fuzz/corpus/decode`
//! (seeds in tests/fuzz/corpus/decode; minimised crashes go to tests/fuzz/regressions/decode,
//! which `tests/fuzz_replay_decode.rs` replays under plain `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart::capture::LinkType;
use rampart::decode::{decode, flow_hint, DecodeConfig};
use rampart::time::Timestamp;

/// The link type selected by the first byte (same table as tests/fuzz_replay_decode.rs).
const LINKS: [LinkType; 8] = [
    LinkType::Ethernet,
    LinkType::Null,
    LinkType::Loop,
    LinkType::Raw,
    LinkType::Ipv4,
    LinkType::Ipv6,
    LinkType::LinuxSll,
    LinkType::LinuxSll2,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, frame)) = data.split_first() else { return };
    let link = LINKS[sel as usize % LINKS.len()];
    for checksums in [true, false] {
        let p = decode(Timestamp::default(), link, frame, &DecodeConfig { checksums });
        assert!(p.payload_off as usize + p.payload_len as usize <= frame.len());
        let _ = p.payload();
        if !checksums {
            assert_eq!(flow_hint(link, frame), p.flow_hint());
        }
    }
});
