//! The `rampart` command line: Suricata's flags, one-line errors, exit codes.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/manifest-visible.tsv");

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("run rampart")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn errors_are_one_line_and_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let bad_yaml = dir.path().join("bad.yaml");
    std::fs::write(&bad_yaml, "stream:\n  midstream: perhaps\n").unwrap();
    let bad_yaml = bad_yaml.to_str().unwrap();
    let tmp = dir.path().to_str().unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        ("unknown flag", &["--bogus"], "--bogus"),
        ("bad -k", &["-k", "some"], "some"),
        ("live capture -i, no such interface", &["-i", "rampart-nope0", "--disable-detection", "-l", tmp], "rampart-nope0: no such interface"),
        ("live capture -q, bad number", &["-q", "x", "--disable-detection"], "expected a queue number"),
        ("live capture -q, bad range", &["-q", "5:1", "--disable-detection"], "range must be ascending"),
        ("live capture --af-packet", &["--af-packet=rampart-nope0", "--disable-detection", "-l", tmp], "rampart-nope0: no such interface"),
        ("live capture --pcap without interface", &["--pcap", "--disable-detection", "-l", tmp], "--pcap: no interface given"),
        ("two inputs", &["-i", "lo", "-q", "0", "--disable-detection"], "give one input"),
        ("bad bpf", &["-i", "lo", "--disable-detection", "-l", tmp, "tcp", "port", "eighty"], "bpf filter"),
        ("bpf with a file", &["-r", "/nonexistent.pcap", "tcp"], "BPF filter needs a live interface"),
        ("missing config", &["-c", "/nonexistent/x.yaml", "-T"], "/nonexistent/x.yaml"),
        ("bad config value", &["-c", bad_yaml, "-T"], "stream.midstream"),
        ("bad --set size", &["--set", "flow.memcap=abc", "-T"], "flow.memcap: expected a size like 32mb, got 'abc'"),
        ("--set without =", &["--set", "flow.memcap", "-T"], "key=value"),
        ("missing rules", &["-S", "/nonexistent.rules", "-T"], "/nonexistent.rules"),
        ("mixing -s and -S", &["-S", "/dev/null", "-s", "/dev/null", "-T"], "cannot be mixed"),
        ("bad runmode", &["--runmode", "turbo", "-T", "--disable-detection"], "--runmode turbo"),
        ("no input", &["--disable-detection"], "no input"),
        ("missing pcap", &["--disable-detection", "-r", "/nonexistent.pcap", "-l", dir.path().to_str().unwrap()], ""),
    ];
    for (name, args, needle) in cases {
        let o = rampart(args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{name}: should fail, stderr: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line expected, got {err:?}");
        assert!(err.contains(needle), "{name}: {err:?} should mention {needle:?}");
    }
}

#[test]
fn version_help_and_build_info() {
    let o = rampart(&["-V"]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("Rampart version "), "{}", stdout(&o));
    let o = rampart(&["--build-info"]);
    assert!(o.status.success() && stdout(&o).contains("Rampart"));
    let o = rampart(&["--help"]);
    assert!(o.status.success() && stdout(&o).contains("--simulate-ips"));
}

#[test]
fn test_mode_ends_with_the_rules_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("empty.rules");
    std::fs::write(&rules, "# nothing\n").unwrap();
    let o = rampart(&["-T", "-S", rules.to_str().unwrap()]);
    let out = stdout(&o);
    let last = out.lines().last().unwrap_or("");
    assert!(last.starts_with("rules: ") && last.contains(" loaded, ") && last.contains(" refused, ") && last.ends_with(" failed"), "{out:?}");
    assert_eq!(out.lines().filter(|l| l.starts_with("rules: ")).count(), 1);
}

#[test]
fn every_flag_in_the_suricata_verify_manifest_is_accepted() {
    assert!(Path::new(MANIFEST).is_file(), "{MANIFEST} is missing: this test needs the suricata-verify snapshot in /work/shared");
    let text = std::fs::read_to_string(MANIFEST).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header.iter().position(|c| *c == "args").expect("args column");
    let mut arg_sets = BTreeSet::new();
    for l in lines {
        if let Some(a) = l.split('\t').nth(col) {
            arg_sets.insert(a.to_string());
        }
    }
    assert!(arg_sets.len() > 10);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for a in &arg_sets {
        let a = a.replace("${TEST_DIR}", d).replace("${OUTPUT_DIR}", d);
        let mut args: Vec<&str> = a.split_whitespace().collect();
        args.extend(["-T", "--disable-detection", "--init-errors-fatal", "-l", d]);
        let o = rampart(&args);
        assert!(o.status.success(), "args {a:?} were refused: {}", stderr(&o));
    }
}
