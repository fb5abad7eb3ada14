//! Replays the TLS fuzz corpus and minimised regressions through the harness the fuzz target
//! uses (`rampart::applayer::tls::harness`), plus deterministic mutations of every seed, so
//! plain `cargo test` exercises them.

use rampart::applayer::tls::harness::{fuzz_conversation, fuzz_stream};
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
fn tls_corpus_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let corpus = inputs(&root.join("corpus/tls"));
    assert!(corpus.len() >= 10, "tls seed corpus missing or nearly empty");
    for (name, data) in corpus.iter().chain(inputs(&root.join("regressions/tls")).iter()) {
        let r = std::panic::catch_unwind(|| fuzz_conversation(data));
        assert!(r.is_ok(), "{name} panicked");
        // The same bytes as one direction's stream, in every chunk size.
        for sel in 0..=255u8 {
            let mut d = vec![sel];
            d.extend_from_slice(data);
            fuzz_stream(&d);
        }
    }
}

#[test]
fn tls_mutations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/tls");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for (_, seed) in inputs(&root) {
        for _ in 0..300 {
            let mut d = seed.clone();
            for _ in 0..(1 + next() % 4) {
                if d.is_empty() {
                    break;
                }
                let at = (next() as usize) % d.len();
                match next() % 5 {
                    0 => d[at] ^= 1 << (next() % 8),
                    1 => d.insert(at, [0x16, 0x14, 0x17, 0x80, 0xff, 0][(next() % 6) as usize]),
                    2 => d.truncate(at.max(1)),
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
            fuzz_conversation(&d);
        }
    }
}
