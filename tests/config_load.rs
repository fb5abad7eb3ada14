//! Every `suricata.yaml` in the suricata-verify snapshot must load: Rampart reads the same
//! configs as Suricata.

use rampart::config::Config;
use std::path::{Path, PathBuf};

const SV_TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/tests");

fn find(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            find(&p, out);
        } else if p.file_name().is_some_and(|n| n == "suricata.yaml") {
            out.push(p);
        }
    }
}

#[test]
fn every_suricata_verify_config_loads() {
    let root = Path::new(SV_TESTS);
    assert!(root.is_dir(), "{SV_TESTS} is missing: this test needs the suricata-verify snapshot in /work/shared");
    let mut files = Vec::new();
    find(root, &mut files);
    assert!(files.len() > 100, "expected the snapshot's suricata.yaml files, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = Config::load(Some(f), &[]) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} configs failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn embedded_default_has_suricata_defaults() {
    let cfg = Config::load(None, &[]).expect("embedded default loads");
    assert!(cfg.source.is_none());
    assert!(cfg.eve.enabled);
    assert_eq!(cfg.eve.filename, "eve.json");
    assert!(cfg.vars.address.contains_key("HOME_NET"));
}
