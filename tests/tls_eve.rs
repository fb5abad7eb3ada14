//! TLS parity against Suricata's own output: the rampart binary runs over every real capture
//! whose oracle has `tls` events, and each flow's `tls` event is compared with the oracle's
//! (sni, version, subject, issuerdn, serial, fingerprint, ja3.hash, ja3s.hash, ja4, and the
//! whole object with its field order). Every `tls` line we write is also validated against
//! Suricata's EVE schema. Fails loudly when /work/shared is absent.

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

/// Captures with TLS flows in the oracle.
const CAPTURES: &[&str] = &[
    "zeek/tls_chrome-34-google.pcap",
    "zeek/tls_tls1.2.pcap",
    "zeek/tls_smtp-starttls.pcap",
    "zeek/tls_ssl.v3.pcap",
    "zeek/tls_tls13-ech.pcap",
    "elcabezzonn/malware_infection.pcap",
    "elcabezzonn/capture-Mon-02-13-17-17-15-34_Empire.pcap",
    "elcabezzonn/capture-Thu-11-24-16-10-28-11_cerber.pcap",
];

const FIELDS: &[&str] = &["sni", "version", "subject", "issuerdn", "serial", "fingerprint", "ja3.hash", "ja3s.hash", "ja4"];

type Key = (String, u64, String, u64);

fn key(v: &Value) -> Key {
    (v["src_ip"].as_str().unwrap_or("").to_string(), v["src_port"].as_u64().unwrap_or(0), v["dest_ip"].as_str().unwrap_or("").to_string(), v["dest_port"].as_u64().unwrap_or(0))
}

/// The `tls` events of an EVE file by flow, with the raw line (for key order).
fn tls_events(text: &str) -> HashMap<Key, (Value, String)> {
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| l.contains("\"event_type\":\"tls\"")) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad json ({e}): {line}"));
        out.insert(key(&v), (v, line.to_string()));
    }
    out
}

fn field<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(&v["tls"], |v, p| &v[p])
}

/// Keys of the `tls` object in the order they appear in `line`.
fn key_order(line: &str, v: &Value) -> Vec<String> {
    let at = line.find("\"tls\":{").unwrap_or(0);
    let mut keys: Vec<String> = v["tls"].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.sort_by_key(|k| line[at..].find(&format!("\"{k}\":")).unwrap_or(usize::MAX));
    keys
}

fn run(pcap: &Path, dir: &Path) -> String {
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
    std::fs::read_to_string(dir.join("eve.json")).expect("eve.json written")
}

/// Our own EVE schema (eve-schema/eve.json and the per-type files it refers to).
fn our_validator() -> jsonschema::Validator {
    const BASE: &str = "https://rampart.invalid/eve-schema/";
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eve-schema");
    let load = |n: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(dir.join(n)).expect("schema file")).expect("schema json") };
    let mut opts = jsonschema::options();
    for name in ["alert", "anomaly", "drop", "flow", "stats", "tls"] {
        opts = opts.with_resource(format!("{BASE}{name}.json"), jsonschema::Resource::from_contents(load(&format!("{name}.json"))));
    }
    opts.build(&load("eve.json")).expect("eve-schema/eve.json compiles")
}

#[test]
fn tls_events_match_suricata() {
    let schema_path = format!("{SHARED}/eve-schema/suricata.schema.json");
    let schema_text = std::fs::read_to_string(&schema_path).unwrap_or_else(|e| panic!("{schema_path} missing ({e}): mount /work/shared"));
    let schema: Value = serde_json::from_str(&schema_text).expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let own_schema = our_validator();

    let (mut flows, mut found, mut field_total, mut field_ok, mut whole_ok, mut order_ok, mut extra, mut when_ok) = (0, 0, 0, 0, 0, 0, 0, 0);
    let mut report = Vec::new();
    for cap in CAPTURES {
        let pcap = Path::new(SHARED).join("pcaps/real").join(cap);
        let oracle_path = Path::new(SHARED).join("oracle").join(format!("{cap}.eve.json"));
        assert!(pcap.exists(), "{} missing: mount /work/shared", pcap.display());
        let oracle = tls_events(&std::fs::read_to_string(&oracle_path).unwrap_or_else(|e| panic!("{} missing: {e}", oracle_path.display())));
        let tmp = tempfile::tempdir().expect("tempdir");
        let text = run(&pcap, tmp.path());
        let ours = tls_events(&text);
        for (v, line) in ours.values() {
            let errs: Vec<String> = validator.iter_errors(v).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errs.is_empty(), "{cap}: tls line fails suricata.schema.json: {errs:?}\n{line}");
            let errs: Vec<String> = own_schema.iter_errors(v).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errs.is_empty(), "{cap}: tls line fails eve-schema: {errs:?}\n{line}");
        }
        extra += ours.keys().filter(|k| !oracle.contains_key(*k)).count();
        for (k, (want, want_line)) in &oracle {
            flows += 1;
            let Some((got, got_line)) = ours.get(k) else {
                report.push(format!("{cap} {k:?}: no tls event"));
                continue;
            };
            found += 1;
            for f in FIELDS {
                field_total += 1;
                if field(want, f) == field(got, f) {
                    field_ok += 1;
                } else {
                    report.push(format!("{cap} {k:?} {f}: want {} got {}", field(want, f), field(got, f)));
                }
            }
            if want["tls"] == got["tls"] {
                whole_ok += 1;
            }
            if key_order(want_line, want) == key_order(got_line, got) {
                order_ok += 1;
            }
            // Logged on the same packet (Suricata's logging point).
            if want["pcap_cnt"] == got["pcap_cnt"] {
                when_ok += 1;
            }
        }
    }
    let rate = field_ok as f64 / field_total.max(1) as f64;
    eprintln!(
        "tls parity: {found}/{flows} flows logged, {field_ok}/{field_total} fields equal ({:.3}), {whole_ok} whole tls objects equal, {order_ok} same key order, {when_ok} on the same packet, {extra} extra events",
        rate
    );
    for r in report.iter().take(40) {
        eprintln!("  {r}");
    }
    assert!(flows >= 150, "oracle has {flows} tls flows: reference data incomplete");
    // Measured: 155/156 flows (the missing one is TLS after SMTP STARTTLS), 1.000 of fields,
    // 155 whole objects and key orders, 153 on the same packet.
    assert!(found * 100 >= flows * 99, "too few flows logged: {found}/{flows}");
    assert!(rate >= 0.99, "field match rate {rate:.3} < 0.99");
    assert!(whole_ok * 100 >= found * 98, "whole tls objects equal: {whole_ok}/{found}");
    assert!(order_ok * 100 >= found * 98, "key order equal: {order_ok}/{found}");
    assert!(when_ok * 100 >= found * 90, "logged on the same packet: {when_ok}/{found}");
    assert_eq!(extra, 0, "tls events for flows Suricata did not log");
}
