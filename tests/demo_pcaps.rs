//! The committed demo captures in `pcaps/` are exactly what `gen-demo-pcaps` writes, and the
//! generator is deterministic (two runs, byte-identical output).

use std::path::Path;
use std::process::Command;

/// Files the generator writes; each must be committed under `pcaps/`.
const FILES: &[&str] = &["demo.pcap", "anomalies.pcap"];

fn generate_into(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_gen-demo-pcaps"))
        .arg(dir)
        .output()
        .expect("cannot run gen-demo-pcaps");
    assert!(
        out.status.success(),
        "gen-demo-pcaps failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn committed_pcaps_match_the_generator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    generate_into(tmp.path());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("pcaps");
    for name in FILES {
        let fresh = std::fs::read(tmp.path().join(name)).expect("generated file");
        let old = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("pcaps/{name} is not committed ({e}); run `cargo run --bin gen-demo-pcaps`"));
        assert!(
            fresh == old,
            "pcaps/{name} differs from the generator's output ({} vs {} bytes); \
             regenerate with `cargo run --bin gen-demo-pcaps` and commit",
            fresh.len(),
            old.len()
        );
    }
}

#[test]
fn generator_is_deterministic_across_runs() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    generate_into(a.path());
    generate_into(b.path());
    for name in FILES {
        let x = std::fs::read(a.path().join(name)).expect("run 1");
        let y = std::fs::read(b.path().join(name)).expect("run 2");
        assert!(x == y, "{name}: two runs differ");
        assert!(x.len() > 24 && x.len() < 64 * 1024, "{name}: {} bytes, expected a few KiB", x.len());
    }
}

#[test]
fn generator_rejects_extra_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_gen-demo-pcaps"))
        .args(["a", "b"])
        .output()
        .expect("cannot run gen-demo-pcaps");
    assert_eq!(out.status.code(), Some(2));
}
