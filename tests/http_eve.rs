//! End to end: the `rampart` binary on the real HTTP captures of /work/shared must log the
//! same EVE `http` events as Suricata (the oracle): per capture, the multiset of
//! (hostname, url, status, http_method) must match, and so must the multiset of whole records
//! without the run-specific fields (`timestamp`, `flow_id`, `pcap_cnt`, which depend on when
//! the transaction completes in the stream engine and on hashing).
//!
//! Fails loudly when /work/shared is absent.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PCAP_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pcaps/real/zeek");
const ORACLE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle/zeek");

/// Captures with HTTP traffic (plain, VLAN, QinQ, pipelined, large POST, IPv6 fragments).
fn captures() -> Vec<PathBuf> {
    let dir = Path::new(PCAP_DIR);
    assert!(dir.is_dir(), "{PCAP_DIR} is missing: the shared reference data must be mounted for this test");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {PCAP_DIR}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains("http") && !n.starts_with("quic")))
        .collect();
    v.sort();
    assert!(v.len() >= 9, "expected the zeek HTTP captures in {PCAP_DIR}, found {}", v.len());
    v
}

type Bag = BTreeMap<String, usize>;

/// (short key bag, full record bag) of the `http` events in an EVE file.
fn http_bags(eve: &Path) -> (Bag, Bag) {
    let text = std::fs::read_to_string(eve).unwrap_or_else(|e| panic!("cannot read {}: {e}", eve.display()));
    let (mut short, mut full) = (Bag::new(), Bag::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut ev: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{}: bad JSON line: {e}: {line}", eve.display()));
        if ev["event_type"] != "http" {
            continue;
        }
        let h = &ev["http"];
        let key = format!("{}|{}|{}|{}", h["hostname"], h["url"], h["status"], h["http_method"]);
        *short.entry(key).or_default() += 1;
        if let Some(o) = ev.as_object_mut() {
            for k in ["timestamp", "flow_id", "pcap_cnt", "metadata", "pkt_src"] {
                o.remove(k);
            }
        }
        *full.entry(ev.to_string()).or_default() += 1;
    }
    (short, full)
}

fn matched(a: &Bag, b: &Bag) -> usize {
    a.iter().map(|(k, n)| (*n).min(b.get(k).copied().unwrap_or(0))).sum()
}

fn run(pcap: &Path, dir: &Path) {
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("rampart.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("-c")
        .arg(&cfg)
        .arg("-r")
        .arg(pcap)
        .arg("-l")
        .arg(dir)
        .args(["--disable-detection", "--quiet", "--runmode", "single"])
        .output()
        .expect("run rampart");
    assert!(out.status.success(), "rampart failed on {}: {}", pcap.display(), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn http_events_match_the_oracle() {
    let mut report = Vec::new();
    let (mut tot_m, mut tot_o, mut tot_u, mut tot_full) = (0, 0, 0, 0);
    for pcap in captures() {
        let name = pcap.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let oracle = Path::new(ORACLE_DIR).join(format!("{name}.eve.json"));
        assert!(oracle.is_file(), "oracle output {} is missing", oracle.display());
        let dir = tempfile::tempdir().expect("tempdir");
        run(&pcap, dir.path());
        let (o_short, o_full) = http_bags(&oracle);
        let (u_short, u_full) = http_bags(&dir.path().join("eve.json"));
        let (no, nu) = (o_short.values().sum::<usize>(), u_short.values().sum::<usize>());
        let m = matched(&o_short, &u_short);
        let mf = matched(&o_full, &u_full);
        report.push(format!("{name}: oracle {no}, ours {nu}, matched {m} (whole records {mf})"));
        tot_m += m;
        tot_o += no;
        tot_u += nu;
        tot_full += mf;
    }
    let rate = tot_m as f64 / tot_o.max(tot_u).max(1) as f64;
    eprintln!("{}\nhttp events: {tot_m} of {tot_o} oracle / {tot_u} ours matched ({:.1}%), whole records {tot_full}", report.join("\n"), rate * 100.0);
    assert!(tot_o > 40, "too few oracle http events ({tot_o}): wrong oracle files?");
    // Every capture matched exactly when this was written; keep it that way.
    assert_eq!((tot_m, tot_u), (tot_o, tot_o), "http events differ from the oracle:\n{}", report.join("\n"));
    assert_eq!(tot_full, tot_o, "whole http records differ from the oracle:\n{}", report.join("\n"));
}
