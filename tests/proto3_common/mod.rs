//! Shared by the SSH, FTP and SMTP end-to-end tests: runs the `rampart` binary on a real
//! capture of /work/shared and compares the EVE events of some types with Suricata's (the
//! oracle), as multisets of whole records without the run-specific fields (`timestamp`,
//! `flow_id`, `parent_id`, `pcap_cnt`, `pkt_src`: when a transaction completes in the stream
//! engine and how flows hash). Fails loudly when /work/shared is absent.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Real captures.
pub const PCAP_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pcaps/real");
/// Suricata's EVE output for them.
pub const ORACLE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle");

/// A multiset of normalised records.
pub type Bag = BTreeMap<String, usize>;

/// The records of `types` in an EVE file, normalised.
pub fn bag(eve: &Path, types: &[&str]) -> Bag {
    let text = std::fs::read_to_string(eve).unwrap_or_else(|e| panic!("cannot read {}: {e}", eve.display()));
    let mut out = Bag::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut ev: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: bad JSON line: {e}: {line}", eve.display()));
        if !types.iter().any(|t| ev["event_type"] == *t) {
            continue;
        }
        if let Some(o) = ev.as_object_mut() {
            for k in ["timestamp", "flow_id", "parent_id", "pcap_cnt", "pkt_src", "metadata", "tx_id"] {
                o.remove(k);
            }
        }
        *out.entry(ev.to_string()).or_default() += 1;
    }
    out
}

/// How many records of `a` are also in `b` (multiset intersection).
pub fn matched(a: &Bag, b: &Bag) -> usize {
    a.iter().map(|(k, n)| (*n).min(b.get(k).copied().unwrap_or(0))).sum()
}

/// Runs rampart on `pcap` (relative to [`PCAP_DIR`]) and returns (oracle bag, our bag).
pub fn run(capture: &str, types: &[&str]) -> (Bag, Bag) {
    let pcap = Path::new(PCAP_DIR).join(capture);
    assert!(pcap.is_file(), "{} is missing: the shared reference data must be mounted for this test", pcap.display());
    let oracle = Path::new(ORACLE_DIR).join(format!("{capture}.eve.json"));
    assert!(oracle.is_file(), "oracle output {} is missing", oracle.display());
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("rampart.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("-c")
        .arg(&cfg)
        .arg("-r")
        .arg(&pcap)
        .arg("-l")
        .arg(dir.path())
        .args(["--disable-detection", "--quiet", "--runmode", "single"])
        .output()
        .expect("run rampart");
    assert!(out.status.success(), "rampart failed on {}: {}", pcap.display(), String::from_utf8_lossy(&out.stderr));
    (bag(&oracle, types), bag(&dir.path().join("eve.json"), types))
}

/// Compares every capture; returns (matched, oracle total, ours total, report lines).
pub fn compare(captures: &[&str], types: &[&str]) -> (usize, usize, usize, Vec<String>) {
    let (mut m, mut o, mut u, mut report) = (0, 0, 0, Vec::new());
    for c in captures {
        let (ob, ub) = run(c, types);
        let (no, nu) = (ob.values().sum::<usize>(), ub.values().sum::<usize>());
        let mm = matched(&ob, &ub);
        report.push(format!("{c}: oracle {no}, ours {nu}, matched {mm}"));
        for (k, n) in &ob {
            let have = ub.get(k).copied().unwrap_or(0);
            if have < *n {
                report.push(format!("  missing x{}: {k}", n - have));
            }
        }
        for (k, n) in &ub {
            let want = ob.get(k).copied().unwrap_or(0);
            if want < *n {
                report.push(format!("  extra x{}: {k}", n - want));
            }
        }
        m += mm;
        o += no;
        u += nu;
    }
    (m, o, u, report)
}
