//! Replays the SSH, FTP and SMTP fuzz corpora and minimised regressions through the harnesses
//! the fuzz targets use (`rampart::applayer::{ssh,ftp,smtp}::harness`), plus deterministic
//! mutations of every seed, so plain `cargo test` exercises them.

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

fn replay(kind: &str, min_seeds: usize, f: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let corpus = inputs(&root.join("corpus").join(kind));
    assert!(corpus.len() >= min_seeds, "{kind} seed corpus missing or nearly empty");
    let regressions = inputs(&root.join("regressions").join(kind));
    for (name, data) in corpus.iter().chain(regressions.iter()) {
        let r = std::panic::catch_unwind(|| f(data));
        assert!(r.is_ok(), "{name} panicked");
    }
}

/// Byte flips, inserted CR/LF/NUL/space, cuts, duplicated spans (fixed seed).
fn mutate_all(kind: &str, f: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus").join(kind);
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
                    1 => d.insert(at, [b'\r', b'\n', 0, b' ', b'-', b'\t'][(next() % 6) as usize]),
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
            f(&d);
        }
    }
}

#[test]
fn ssh_corpus_and_regressions() {
    replay("ssh", 8, rampart::applayer::ssh::harness::fuzz_conversation);
}

#[test]
fn ssh_mutations() {
    mutate_all("ssh", rampart::applayer::ssh::harness::fuzz_conversation);
}

#[test]
fn ftp_corpus_and_regressions() {
    replay("ftp", 8, rampart::applayer::ftp::harness::fuzz_conversation);
}

#[test]
fn ftp_mutations() {
    mutate_all("ftp", rampart::applayer::ftp::harness::fuzz_conversation);
}

#[test]
fn smtp_corpus_and_regressions() {
    replay("smtp", 8, rampart::applayer::smtp::harness::fuzz_conversation);
}

#[test]
fn smtp_mutations() {
    mutate_all("smtp", rampart::applayer::smtp::harness::fuzz_conversation);
}
