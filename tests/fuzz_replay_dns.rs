//! Replays the DNS fuzz corpus and minimised regressions through the same harness the fuzz
//! target uses (`rampart::applayer::dns::harness`), so plain `cargo test` exercises them.
//! Input format: the first byte picks transport, direction and TCP chunk size, the rest is the
//! datagram or stream.

use rampart::applayer::dns::harness::fuzz_dns;
use std::path::Path;

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

#[test]
fn dns_corpus_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let corpus = inputs(&root.join("corpus/dns"));
    assert!(corpus.len() >= 40, "dns seed corpus missing or nearly empty");
    let regressions = inputs(&root.join("regressions/dns"));
    for (name, data) in corpus.iter().chain(regressions.iter()) {
        let r = std::panic::catch_unwind(|| fuzz_dns(data));
        assert!(r.is_ok(), "{name} panicked");
        // Every mode and a spread of chunk sizes, not only the one the seed picks.
        for sel in (0..=255u8).step_by(7).chain(0..4) {
            let mut d = data.clone();
            if let Some(first) = d.first_mut() {
                *first = sel;
            }
            fuzz_dns(&d);
        }
    }
}

/// Deterministic mutations of every seed (bit flips, pointer bytes, cuts, duplicated spans):
/// a fixed-seed stand-in for a fuzzer under plain `cargo test`.
#[test]
fn dns_mutations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/dns");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for (_, seed) in inputs(&root) {
        for _ in 0..200 {
            let mut d = seed.clone();
            for _ in 0..(1 + next() % 4) {
                if d.len() < 2 {
                    break;
                }
                let at = 1 + (next() as usize) % (d.len() - 1);
                match next() % 5 {
                    0 => d[at] ^= 1 << (next() % 8),
                    1 => d[at] = [0xc0, 0x0c, 0x00, 0x3f, 0xff, 0x29][(next() % 6) as usize],
                    2 => d.truncate(at),
                    3 => {
                        let end = (at + (next() as usize) % 16).min(d.len());
                        let span = d[at..end].to_vec();
                        d.splice(at..at, span);
                    }
                    _ => {
                        d.remove(at);
                    }
                }
            }
            fuzz_dns(&d);
        }
    }
}
