//! HTTP cases from Suricata-verify, checked at the parser level: each capture is rebuilt by
//! the naive reassembly in `http_common`, run through `HttpState`, and the transaction-level
//! facts the suite's rules and EVE checks rely on are compared with the suite's expectations
//! (an `app-layer-event:http.x` rule alerts once per transaction carrying the event).
//!
//! Fails loudly when /work/shared is absent.

mod http_common;

use rampart::applayer::http::{HttpEvent, HttpState, HttpTx};

const SV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/tests");

fn txs_of(test: &str, pcap: &str) -> Vec<HttpTx> {
    let path = format!("{SV}/{test}/{pcap}");
    assert!(std::path::Path::new(&path).is_file(), "suricata-verify capture missing: {path}");
    let states: Vec<HttpState> = http_common::http_states(&path).into_iter().map(|(_, _, s)| s).collect();
    states.iter().flat_map(|s| s.txs().cloned()).collect()
}

/// The expected alert count for `sid` in the test's test.yaml.
fn expected_alerts(test: &str, sid: u32) -> usize {
    let path = format!("{SV}/{test}/test.yaml");
    let y = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for block in y.split("- filter:") {
        if block.contains(&format!("alert.signature_id: {sid}\n"))
            || block.trim_end().ends_with(&format!("alert.signature_id: {sid}"))
        {
            let c = block.split("count:").nth(1).and_then(|r| r.split_whitespace().next()).expect("count");
            return c.parse().expect("count number");
        }
    }
    panic!("{path}: no check for sid {sid}");
}

#[test]
fn app_layer_event_rules() {
    // (test, capture, event, sid)
    let cases = [
        ("http-event-chunk", "input.pcap", HttpEvent::RequestChunkExtension, 2221054),
        ("http-multiple-cl", "input.pcap", HttpEvent::DuplicateContentLengthFieldInRequest, 2221034),
        ("http-auth-bearer", "input.pcap", HttpEvent::RequestAuthUnrecognized, 1),
        ("bug-8224-01", "example-s0.pcap", HttpEvent::RequestFieldTooLong, 2),
        ("http-double-encoded-uri", "../bug-3616-urldecode/input.pcap", HttpEvent::DoubleEncodedUri, 1),
    ];
    let mut bad = Vec::new();
    for (test, pcap, ev, sid) in cases {
        let got = txs_of(test, pcap).iter().filter(|t| t.has_event(ev)).count();
        let want = expected_alerts(test, sid);
        if got != want {
            bad.push(format!("{test}: {} on {got} txs, suite expects {want} alerts", ev.name()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn ipv6_literal_host_is_valid() {
    let txs = txs_of("http-ipv6", "input.pcap");
    assert!(
        txs.iter().any(|t| t.host == b"[::1]"),
        "hosts: {:?}",
        txs.iter().map(|t| String::from_utf8_lossy(&t.host).into_owned()).collect::<Vec<_>>()
    );
    assert!(txs.iter().all(|t| !t.has_event(HttpEvent::RequestHeaderHostInvalid)));
}

#[test]
fn uri_with_spaces_keeps_the_tail() {
    let txs = txs_of("http-uri-spaces", "input.pcap");
    let hits = txs.iter().filter(|t| memchr::memmem::find(&t.uri_normalized, b" afterspace").is_some()).count();
    assert_eq!(hits, expected_alerts("http-uri-spaces", 1));
}

#[test]
fn not_http09_with_user_agent() {
    let txs = txs_of("http-not09", "input.pcap");
    assert_eq!(txs.iter().filter(|t| t.user_agent() == Some(&b"myscript"[..])).count(), 1);
}

#[test]
fn multiple_100_continue_then_200() {
    let txs = txs_of("http-multiple100", "input.pcap");
    let ok: Vec<&HttpTx> = txs.iter().filter(|t| t.status == Some(200)).collect();
    assert_eq!(ok.len(), 1, "the suite expects one http record with status 200");
    // The suite's file (34293 bytes) is a multipart part of this 34498-byte request body.
    assert_eq!(ok[0].request_body_len, 34498);
    assert!(ok[0].interim_responses >= 1);
}
