//! Replays the decode fuzz corpus and the minimised regressions through `decode()` under every
//! link type, so plain `cargo test` exercises them without a fuzzer. Input format (shared with
//! tests/fuzz/fuzz_targets/decode.rs): first byte selects the link type, the rest is the frame.

use rampart::capture::LinkType;
use rampart::decode::{decode, flow_hint, DecodeConfig};
use rampart::time::Timestamp;
use std::path::Path;

/// Same table as the fuzz target.
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

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut out: Vec<_> = rd
        .map(|e| e.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))))
        .collect();
    out.sort();
    out
}

fn replay(name: &str, data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else { return };
    let selected = LINKS[sel as usize % LINKS.len()];
    for link in LINKS.iter().copied().chain([LinkType::Other(147)]) {
        for checksums in [true, false] {
            let p = decode(Timestamp::default(), link, frame, &DecodeConfig { checksums });
            assert!(p.payload_off as usize + p.payload_len as usize <= frame.len(), "{name} as {link:?}");
            if !checksums {
                assert_eq!(flow_hint(link, frame), p.flow_hint(), "{name} as {link:?}");
            }
        }
    }
    // seeds are meant to decode to something under their own link type
    let _ = decode(Timestamp::default(), selected, frame, &DecodeConfig::default());
}

#[test]
fn corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/decode");
    let all = inputs(&dir);
    assert!(all.len() >= 10, "decode seed corpus missing or nearly empty at {}", dir.display());
    let mut with_ip = 0;
    for (name, data) in &all {
        replay(name, data);
        if let Some((&sel, frame)) = data.split_first() {
            if decode(Timestamp::default(), LINKS[sel as usize % LINKS.len()], frame, &DecodeConfig::default()).ip.is_some() {
                with_ip += 1;
            }
        }
    }
    assert!(with_ip * 2 >= all.len(), "most seeds should decode to an IP packet ({with_ip}/{})", all.len());
}

#[test]
fn regressions_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions/decode");
    for (name, data) in inputs(&dir) {
        replay(&name, &data);
    }
}
