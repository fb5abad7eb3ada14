//! Replays the HTTP fuzz corpora and minimised regressions through the same harness the fuzz
//! targets use (`rampart::applayer::http::harness`), so plain `cargo test` exercises them.
//! Input format: first byte picks the chunk size, the rest is the fuzzed direction's stream.

use rampart::applayer::http::harness::{fuzz_request, fuzz_response};
use std::path::Path;

fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut out: Vec<_> = rd
        .map(|e| e.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')))
        .map(|p| {
            (p.display().to_string(), std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())))
        })
        .collect();
    out.sort();
    out
}

fn replay(kind: &str, min_seeds: usize, f: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let corpus = inputs(&root.join("corpus").join(kind));
    assert!(corpus.len() >= min_seeds, "{kind} seed corpus missing or nearly empty");
    let regressions = inputs(&root.join("regressions").join(kind));
    for (name, data) in corpus.iter().chain(regressions.iter()) {
        let r = std::panic::catch_unwind(|| f(data));
        assert!(r.is_ok(), "{name} panicked");
        // Every chunk size, not only the one the seed picks.
        for sel in 0..64u8 {
            let mut d = data.clone();
            if let Some(first) = d.first_mut() {
                *first = sel;
            }
            f(&d);
        }
    }
}

#[test]
fn http_request_corpus_and_regressions() {
    replay("http_request", 10, fuzz_request);
}

#[test]
fn http_response_corpus_and_regressions() {
    replay("http_response", 10, fuzz_response);
}
