//! Runs the suricata-verify conformance runner over the snapshot in /work/shared with
//! `--check-expected`: every test listed in suricata-compat/expected-pass.txt must pass.

use std::path::Path;
use std::process::Command;

const SV_TESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/tests");

#[test]
fn expected_suricata_verify_tests_pass() {
    assert!(Path::new(SV_TESTS).is_dir(), "{SV_TESTS} is missing: this test needs the suricata-verify snapshot in /work/shared");
    let runner = env!("CARGO_BIN_EXE_suricata-compat");
    let engine = env!("CARGO_BIN_EXE_rampart");
    let report = std::env::temp_dir().join(format!("rampart-compat-report-{}.json", std::process::id()));
    let out = Command::new(runner)
        .args(["--check-expected", "--quiet", "--tests", SV_TESTS, "--engine", engine, "--report"])
        .arg(&report)
        .output()
        .expect("run suricata-compat");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stdout.lines().last().unwrap_or("");
    assert!(
        last.ends_with(" skipped") && last.contains(" passed, ") && last.contains(" failed, "),
        "the runner's last line must be 'N passed, M failed, K skipped', got {last:?}\nstderr: {stderr}"
    );
    let text = std::fs::read_to_string(&report).expect("the runner writes its JSON report");
    let json: serde_json::Value = serde_json::from_str(&text).expect("the report is JSON");
    assert!(json["tests"].as_array().is_some_and(|t| t.len() > 100), "report lists the tests");
    let _ = std::fs::remove_file(&report);
    assert!(out.status.success(), "expected-pass tests did not all pass:\n{}", stdout.lines().filter(|l| l.starts_with("EXPECTED-PASS")).collect::<Vec<_>>().join("\n"));
}
