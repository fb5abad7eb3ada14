//! HTTP parity against Suricata's own output: real pcaps from /work/shared are reassembled
//! naively (clean captures: sort each direction by sequence number, drop retransmitted
//! bytes, report holes as gaps), fed through `HttpState`, and every transaction's EVE `http`
//! object (from `eve::write_http`) is compared field by field, in order, with the oracle's
//! `http` events for the same flow and `tx_id`.
//!
//! This exercises the parser alone; the pipeline's own end-to-end test covers the real stream
//! engine. Fails loudly when /work/shared is absent.

mod http_common;

use http_common::Endpoint;
use rampart::applayer::http::eve::{write_http, HttpEveOptions, JsonFields};
use std::collections::HashMap;

fn our_events(path: &str) -> HashMap<(Endpoint, Endpoint, u64), Vec<(String, serde_json::Value)>> {
    let mut out = HashMap::new();
    for (client, server, st) in http_common::http_states(path) {
        for tx in st.txs() {
            let mut s = JsonFields::default();
            write_http(tx, HttpEveOptions::default(), &mut s);
            out.insert((client, server, tx.id.0), s.0.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        }
    }
    out
}

/// An EVE `http` object as ordered (key, value) pairs.
type Fields = Vec<(String, serde_json::Value)>;

fn oracle_events(path: &str) -> Vec<((Endpoint, Endpoint, u64), Fields)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("oracle {path} missing: {e}"));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("\"event_type\":\"http\"")) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle json");
        let ep = |ip: &str, port: &str| -> Endpoint {
            (v[ip].as_str().and_then(|s| s.parse().ok()).expect("ip"), v[port].as_u64().expect("port") as u16)
        };
        let key = (ep("src_ip", "src_port"), ep("dest_ip", "dest_port"), v["tx_id"].as_u64().expect("tx_id"));
        let http_at = line.find("\"http\":{").expect("http object");
        let mut fields: Vec<(String, serde_json::Value)> =
            v["http"].as_object().expect("http object").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        fields.sort_by_key(|(k, _)| line[http_at..].find(&format!("\"{k}\":")).unwrap_or(usize::MAX));
        out.push((key, fields));
    }
    out
}

/// Response-side fields whose value depends on how much of the response the capture lets a
/// TCP stream engine deliver (Suricata withholds unacknowledged and post-loss data; this test's
/// naive reassembly does not).
const RESPONSE_FIELDS: &[&str] = &["length", "status", "http_content_type", "content_range", "redirect"];

/// Compares one capture; returns (total, exact mismatches, response-only mismatches).
fn compare(name: &str) -> (usize, Vec<String>, Vec<String>) {
    let pcap = format!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/pcaps/real/{}"), name);
    let oracle = format!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle/{}.eve.json"), name);
    let ours = our_events(&pcap);
    let want = oracle_events(&oracle);
    let (mut bad, mut response_only) = (Vec::new(), Vec::new());
    for (key, fields) in &want {
        match ours.get(key) {
            None => bad.push(format!("{name}: no tx for {key:?}")),
            Some(got) if got != fields => {
                let strip = |v: &[(String, serde_json::Value)]| -> Vec<(String, serde_json::Value)> {
                    v.iter().filter(|(k, _)| !RESPONSE_FIELDS.contains(&k.as_str())).cloned().collect()
                };
                let msg = format!("{name} {key:?}:\n  want {fields:?}\n  got  {got:?}");
                if strip(got) == strip(fields) {
                    response_only.push(msg);
                } else {
                    bad.push(msg);
                }
            }
            Some(_) => {}
        }
    }
    (want.len(), bad, response_only)
}

/// Clean captures: every http record equals Suricata's, field for field and in order.
#[test]
fn http_records_match_suricata_on_clean_captures() {
    let captures = [
        "zeek/http_testmyids.pcap",
        "zeek/http_pipelined-requests.pcap",
        "zeek/http_bro.org.pcap",
        "zeek/http_m57-long-49583-80.pcap",
        "zeek/http_http-post-large.pcap",
        "zeek/http_ctu-62604-80.pcap",
        "zeek/http_cooper-grill-dvwa.pcapng",
        "zeek/http-vlan-0.pcap",
        "zeek/http-qinq-0.pcap",
        "chrissanders/aurora.pcapng",
        "chrissanders/cryptowall4_c2.pcapng",
        "chrissanders/ek_to_cryptowall4.pcapng",
        "chrissanders/http_dvwa_sqlinjection.pcapng",
        "ivre-wireshark/http.pcap",
    ];
    let mut all = Vec::new();
    let mut total = 0;
    for c in captures {
        let (t, bad, resp) = compare(c);
        total += t;
        all.extend(bad);
        all.extend(resp);
    }
    assert!(total >= 60, "oracle http events missing ({total})");
    assert!(all.is_empty(), "{} of {total} http records differ:\n{}", all.len(), all.join("\n"));
}

/// Lossy captures (malware traffic with missing/unacknowledged segments): request-side fields
/// of every record equal Suricata's, and at least 95% of records are exact.
#[test]
fn http_request_fields_match_suricata_on_lossy_captures() {
    let captures = [
        "elcabezzonn/capture-Mon-02-13-17-17-15-34_Empire.pcap",
        "elcabezzonn/capture-Thu-11-24-16-10-28-11_cerber.pcap",
        "elcabezzonn/malware_infection.pcap",
    ];
    let (mut total, mut bad, mut resp) = (0, Vec::new(), Vec::new());
    for c in captures {
        let (t, b, r) = compare(c);
        total += t;
        bad.extend(b);
        resp.extend(r);
    }
    assert!(total >= 900, "oracle http events missing ({total})");
    assert!(bad.is_empty(), "request-side differences:\n{}", bad.join("\n"));
    assert!(
        resp.len() * 20 <= total,
        "{} of {total} records differ in response fields:\n{}",
        resp.len(),
        resp.join("\n")
    );
}
