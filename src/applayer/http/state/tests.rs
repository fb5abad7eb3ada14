//! Conversation tests: text transcripts run whole, byte by byte and split at every offset.
//!
//! Transcript format, one segment per line: `> ` (to_server) or `< ` (to_client) then the bytes
//! with escapes `\r \n \t \\ \xHH`; no line ending is added. `>~ N` / `<~ N` is a gap of N bytes.
//! Consecutive lines of one direction form one segment.

use super::*;
use crate::applayer::TxProgress;
use std::io::Write;

#[derive(Clone, Debug)]
enum Seg {
    Data(Direction, Vec<u8>),
    Gap(Direction, u64),
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' => {
                    let h = u8::from_str_radix(&s[i + 2..i + 4], 16).expect("bad \\x escape");
                    out.push(h);
                    i += 4;
                    continue;
                }
                other => panic!("bad escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn transcript(t: &str) -> Vec<Seg> {
    let mut segs: Vec<Seg> = Vec::new();
    for line in t.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        let dir = match line.as_bytes()[0] {
            b'>' => Direction::ToServer,
            b'<' => Direction::ToClient,
            _ => panic!("transcript line without direction: {line:?}"),
        };
        if let Some(n) = line[1..].strip_prefix("~ ") {
            segs.push(Seg::Gap(dir, n.trim().parse().expect("gap length")));
            continue;
        }
        let body = line[1..].strip_prefix(' ').unwrap_or(&line[1..]);
        let bytes = unescape(body);
        match segs.last_mut() {
            Some(Seg::Data(d, v)) if *d == dir => v.extend_from_slice(&bytes),
            _ => segs.push(Seg::Data(dir, bytes)),
        }
    }
    segs
}

/// What a test compares: every tx field that matters, as strings.
fn summary(st: &HttpState) -> Vec<String> {
    st.txs()
        .map(|t| {
            format!(
                "id={} m={:?} uri={:?} norm={:?} proto={:?} host={:?} status={:?} msg={:?} reqh={:?} resh={:?} reqb={:?} resb={:?} reslen={} prog={:?} ev={:?}",
                t.id.0,
                String::from_utf8_lossy(&t.method),
                String::from_utf8_lossy(&t.uri_raw),
                String::from_utf8_lossy(&t.uri_normalized),
                String::from_utf8_lossy(&t.request_protocol),
                String::from_utf8_lossy(&t.host),
                t.status,
                String::from_utf8_lossy(&t.status_message),
                t.request_headers.list.iter().map(|h| format!("{}={}", String::from_utf8_lossy(&h.name), String::from_utf8_lossy(&h.value))).collect::<Vec<_>>(),
                t.response_headers.list.iter().map(|h| format!("{}={}", String::from_utf8_lossy(&h.name), String::from_utf8_lossy(&h.value))).collect::<Vec<_>>(),
                String::from_utf8_lossy(&t.request_body),
                String::from_utf8_lossy(&t.response_body),
                t.response_body_len,
                t.progress,
                {
                    let mut e: Vec<&str> = t.events.iter().map(|e| e.name()).collect();
                    e.sort_unstable();
                    e
                },
            )
        })
        .collect()
}

fn run(segs: &[Seg], split: impl Fn(usize, &[u8]) -> Vec<Vec<u8>>, close: bool) -> HttpState {
    let mut st = HttpState::default();
    let ts = Timestamp::from_micros(0);
    for (i, s) in segs.iter().enumerate() {
        match s {
            Seg::Data(d, v) => {
                for part in split(i, v) {
                    st.on_data(*d, ts, &part);
                }
            }
            Seg::Gap(d, n) => st.on_gap(*d, *n),
        }
    }
    if close {
        st.on_close(ts);
    }
    st
}

/// Runs a transcript whole, byte by byte, and split at every offset of every segment; all
/// runs must agree. Returns the whole run's state.
fn check(t: &str, close: bool) -> HttpState {
    let segs = transcript(t);
    let whole = run(&segs, |_, v| vec![v.to_vec()], close);
    let want = summary(&whole);
    let bytes = run(&segs, |_, v| v.iter().map(|b| vec![*b]).collect(), close);
    assert_eq!(summary(&bytes), want, "byte by byte differs");
    for (i, s) in segs.iter().enumerate() {
        if let Seg::Data(_, v) = s {
            for cut in 0..=v.len() {
                let st = run(
                    &segs,
                    |j, w| if j == i { vec![w[..cut].to_vec(), w[cut..].to_vec()] } else { vec![w.to_vec()] },
                    close,
                );
                assert_eq!(summary(&st), want, "split of segment {i} at {cut} differs");
            }
        }
    }
    whole
}

fn tx(st: &HttpState, id: u64) -> &HttpTx {
    st.tx(TxId(id)).unwrap_or_else(|| panic!("no tx {id}"))
}

const DONE: TxProgress = TxProgress { request_complete: true, response_complete: true };

#[test]
fn simple_get() {
    let st = check(
        r"
        > GET /index.html?a=1 HTTP/1.1\r\nHost: Example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n
        < HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nServer: nginx\r\n\r\nhello
        ",
        false,
    );
    assert_eq!(st.txs().len(), 1);
    let t = tx(&st, 0);
    assert_eq!(t.method, b"GET");
    assert_eq!(t.uri_raw, b"/index.html?a=1");
    assert_eq!(t.uri_normalized, b"/index.html?a=1");
    assert_eq!(t.request_protocol, b"HTTP/1.1");
    assert_eq!(t.request_line, b"GET /index.html?a=1 HTTP/1.1");
    assert_eq!(t.host, b"example.com");
    assert_eq!(t.host_raw, b"Example.com");
    assert_eq!(t.user_agent(), Some(&b"curl/8.5.0"[..]));
    assert_eq!(t.accept(), Some(&b"*/*"[..]));
    assert_eq!(t.status, Some(200));
    assert_eq!(t.status_code, b"200");
    assert_eq!(t.status_message, b"OK");
    assert_eq!(t.response_line, b"HTTP/1.1 200 OK");
    assert_eq!(t.server(), Some(&b"nginx"[..]));
    assert_eq!(t.response_body, b"hello");
    assert_eq!(t.response_body_len, 5);
    assert_eq!(t.progress, DONE);
    assert!(t.events.is_empty(), "{:?}", t.events);
    assert_eq!(t.request_headers.raw, b"Host: Example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n");
}

#[test]
fn pipelined_requests() {
    let st = check(
        r"
        > GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc
        < HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 404 NF\r\nContent-Length: 1\r\n\r\nBHTTP/1.1 201 C\r\nContent-Length: 0\r\n\r\n
        ",
        false,
    );
    assert_eq!(st.txs().len(), 3);
    assert_eq!(tx(&st, 0).response_body, b"A");
    assert_eq!(tx(&st, 1).status, Some(404));
    assert_eq!(tx(&st, 1).uri_raw, b"/2");
    assert_eq!(tx(&st, 2).request_body, b"abc");
    assert_eq!(tx(&st, 2).status, Some(201));
    assert!(st.txs().all(|t| t.progress == DONE));
}

#[test]
fn chunked_both_ways_with_trailers() {
    let st = check(
        r"
        > POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n
        < HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n
        ",
        false,
    );
    let t = tx(&st, 0);
    assert_eq!(t.request_body, b"abcde");
    assert_eq!(t.response_body, b"hello");
    assert!(t.has_event(HttpEvent::RequestChunkExtension));
    assert_eq!(t.request_header(b"x-trailer"), Some(&b"t"[..]));
    assert_eq!(t.progress, DONE);
}

#[test]
fn gzip_response() {
    let body = b"<html>compressed body</html>".repeat(10);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&body).unwrap();
    let gz = e.finish().unwrap();
    let esc: String = gz.iter().map(|b| format!("\\x{b:02x}")).collect();
    let t = format!(
        "> GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n\n< HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nContent-Length: {}\\r\\n\\r\\n{esc}\n",
        gz.len()
    );
    let st = check(&t, false);
    let t = tx(&st, 0);
    assert_eq!(t.response_body, body);
    assert_eq!(t.response_body_len, gz.len() as u64);
    assert!(t.events.is_empty(), "{:?}", t.events);
}

#[test]
fn compression_bomb_is_bounded() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![b'A'; 8 << 20]).unwrap();
    let gz = e.finish().unwrap();
    let mut st = HttpState::default();
    let ts = Timestamp::from_micros(0);
    st.on_data(Direction::ToServer, ts, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    let head = format!("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", gz.len());
    st.on_data(Direction::ToClient, ts, head.as_bytes());
    st.on_data(Direction::ToClient, ts, &gz);
    let t = tx(&st, 0);
    assert!(t.has_event(HttpEvent::CompressionBomb), "{:?}", t.events);
    assert!(t.response_body.len() <= st.config().response_body_limit);
    assert_eq!(t.progress, DONE);
}

#[test]
fn corrupt_gzip_raises_event() {
    let st = check(
        r"
        > GET / HTTP/1.1\r\nHost: a\r\n\r\n
        < HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\n\r\nnot gzip!!!!
        ",
        false,
    );
    assert!(tx(&st, 0).has_event(HttpEvent::GzipDecompressionFailed));
}

#[test]
fn interim_100_continue() {
    let st = check(
        r"
        > POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n
        < HTTP/1.1 100 Continue\r\n\r\n
        > hi
        < HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok
        ",
        false,
    );
    let t = tx(&st, 0);
    assert_eq!(t.status, Some(200));
    assert_eq!(t.interim_responses, 2);
    assert_eq!(t.request_body, b"hi");
    assert_eq!(t.response_body, b"ok");
    assert!(t.has_event(HttpEvent::ContinueAlreadySeen));
    assert_eq!(st.txs().len(), 1);
}

#[test]
fn connect_tunnel() {
    let st = check(
        r"
        > CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n
        < HTTP/1.1 200 Connection established\r\n\r\n
        > \x16\x03\x01\x00\x05hello
        < \x16\x03\x03\x00\x02hi
        ",
        false,
    );
    assert!(st.is_tunnel());
    assert_eq!(st.txs().len(), 1);
    let t = tx(&st, 0);
    assert_eq!(t.host, b"example.com");
    assert_eq!(t.port, Some(443));
    assert_eq!(t.progress, DONE);
}

#[test]
fn connect_refused_then_more_http() {
    let st = check(
        r"
        > CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n
        < HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n
        ",
        false,
    );
    assert!(!st.is_tunnel());
    assert_eq!(st.txs().len(), 2);
    assert_eq!(tx(&st, 1).host, b"b");
    assert_eq!(tx(&st, 1).status, Some(200));
}

#[test]
fn http09() {
    let st = check(
        r"
        > GET /old\r\n
        < <html>nine</html>
        ",
        true,
    );
    let t = tx(&st, 0);
    assert_eq!(t.request_protocol, b"");
    assert_eq!(t.uri_raw, b"/old");
    assert_eq!(t.response_body, b"<html>nine</html>");
    assert!(t.has_event(HttpEvent::RequestLineMissingProtocol));
    assert_eq!(t.progress, DONE);
}

#[test]
fn folding_duplicates_and_odd_whitespace() {
    let st = check(
        r"
        >   GET\t/a//b/../c%2fd  HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\nAccept: a\r\nAccept: b\r\nBad Name : v\r\nnocolon\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx
        ",
        false,
    );
    let t = tx(&st, 0);
    assert_eq!(t.uri_raw, b"/a//b/../c%2fd");
    assert_eq!(t.uri_normalized, b"/a/c/d");
    assert_eq!(t.request_header(b"x-long"), Some(&b"one two"[..]));
    assert_eq!(t.accept(), Some(&b"a, b"[..]));
    assert_eq!(t.request_body, b"x");
    for e in [
        HttpEvent::RequestLineLeadingWhitespace,
        HttpEvent::MethodDelimNonCompliant,
        HttpEvent::UriDelimNonCompliant,
        HttpEvent::RequestHeaderRepetition,
        HttpEvent::RequestHeaderInvalid,
        HttpEvent::RequestFieldMissingColon,
        HttpEvent::DuplicateContentLengthFieldInRequest,
    ] {
        assert!(t.has_event(e), "missing {e:?} in {:?}", t.events);
    }
}

#[test]
fn folding_before_first_header() {
    let st = check(r"> GET / HTTP/1.1\r\n folded\r\nHost: a\r\n\r\n", false);
    assert!(tx(&st, 0).has_event(HttpEvent::InvalidRequestFieldFolding));
}

#[test]
fn bogus_chunk_sizes() {
    let st = check(
        r"
        > POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n
        < HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nqq\r\nrest of body
        ",
        true,
    );
    assert!(tx(&st, 0).has_event(HttpEvent::InvalidRequestChunkLen));
    assert!(tx(&st, 0).has_event(HttpEvent::InvalidResponseChunkLen));
    assert_eq!(tx(&st, 0).response_body, b"qq\r\nrest of body");
    assert_eq!(tx(&st, 1).uri_raw, b"/next");
}

#[test]
fn unterminated_headers_complete_on_close() {
    let st = check(r"> GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: x", true);
    let t = tx(&st, 0);
    assert_eq!(t.host, b"");
    assert_eq!(t.progress, DONE);
}

#[test]
fn missing_host_and_ambiguous_host() {
    let st = check(
        r"
        > GET / HTTP/1.1\r\n\r\nGET http://Real.example/x HTTP/1.1\r\nHost: other\r\n\r\n
        ",
        false,
    );
    assert!(tx(&st, 0).has_event(HttpEvent::MissingHostHeader));
    let t = tx(&st, 1);
    assert_eq!(t.host, b"real.example");
    assert_eq!(t.uri_normalized, b"/x");
    assert!(t.has_event(HttpEvent::HostHeaderAmbiguous));
}

#[test]
fn response_without_request() {
    let st = check(r"< HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    assert!(tx(&st, 0).has_event(HttpEvent::UnableToMatchResponseToRequest));
}

#[test]
fn response_not_http() {
    let st = check(
        r"
        > GET / HTTP/1.1\r\nHost: a\r\n\r\n
        < garbage here\r\nmore
        ",
        true,
    );
    let t = tx(&st, 0);
    assert!(t.has_event(HttpEvent::ResponseInvalidProtocol));
    assert_eq!(t.response_body, b"garbage here\r\nmore");
}

#[test]
fn invalid_status_and_protocol() {
    let st = check(
        r"
        > GET / FOO/1.0\r\nHost: a\r\n\r\n
        < HTTP/1.1 2x0 Weird\r\nContent-Length: 0\r\n\r\n
        ",
        false,
    );
    let t = tx(&st, 0);
    assert!(t.has_event(HttpEvent::RequestLineInvalid));
    assert!(t.has_event(HttpEvent::ResponseInvalidStatus));
}

#[test]
fn head_and_304_have_no_body() {
    let st = check(
        r"
        > HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n
        < HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 304 NM\r\n\r\n
        ",
        false,
    );
    assert_eq!(tx(&st, 0).progress, DONE);
    assert_eq!(tx(&st, 1).status, Some(304));
    assert_eq!(tx(&st, 1).progress, DONE);
}

#[test]
fn body_until_close() {
    let st = check(
        r"
        > GET / HTTP/1.0\r\n\r\n
        < HTTP/1.0 200 OK\r\n\r\nall of it
        ",
        true,
    );
    assert_eq!(tx(&st, 0).response_body, b"all of it");
    assert_eq!(tx(&st, 0).response_body_len, 9);
}

#[test]
fn field_too_long_is_truncated() {
    let long = "A".repeat(20_000);
    let t = format!("> GET / HTTP/1.1\\r\\nHost: a\\r\\nX: {long}\\r\\n\\r\\n\n");
    let segs = transcript(&t);
    let st = run(&segs, |_, v| vec![v.to_vec()], false);
    let t = tx(&st, 0);
    assert!(t.has_event(HttpEvent::RequestFieldTooLong));
    assert!(t.request_header(b"x").map_or(0, <[u8]>::len) <= st.config().field_limit);
    assert!(t.progress.request_complete);
}

#[test]
fn gap_in_body_keeps_framing() {
    let st = check(
        r"
        > POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab
        >~ 5
        > cde
        > GET /after HTTP/1.1\r\nHost: a\r\n\r\n
        ",
        false,
    );
    assert!(tx(&st, 0).request_gap);
    assert_eq!(tx(&st, 0).request_body, b"abcde");
    assert_eq!(tx(&st, 1).uri_raw, b"/after");
}

#[test]
fn gap_in_headers_resyncs() {
    let st = check(
        r"
        > GET /lost HTTP/1.1\r\nHost: a\r\nUser-Ag
        >~ 100
        > ent junk\r\nmore junk\r\nGET /found HTTP/1.1\r\nHost: a\r\n\r\n
        ",
        false,
    );
    assert!(tx(&st, 0).request_gap);
    assert!(tx(&st, 0).progress.request_complete);
    assert_eq!(tx(&st, 1).uri_raw, b"/found");
    assert_eq!(st.txs().len(), 2);
}

#[test]
fn binary_garbage_is_bounded() {
    let mut st = HttpState::default();
    let ts = Timestamp::from_micros(0);
    let mut x: u32 = 12345;
    let mut junk = vec![0u8; 1 << 20];
    for b in junk.iter_mut() {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (x >> 16) as u8;
    }
    for c in junk.chunks(1500) {
        st.on_data(Direction::ToServer, ts, c);
        st.on_data(Direction::ToClient, ts, c);
    }
    assert!(st.txs().len() <= st.config().max_txs);
    assert!(st.anomaly_count() > 0);
}

#[test]
fn tx_cap_raises_event_and_prune_frees() {
    let cfg = HttpConfig { max_txs: 4, ..HttpConfig::default() };
    let mut st = HttpState::new(cfg);
    let ts = Timestamp::from_micros(0);
    for _ in 0..6 {
        st.on_data(Direction::ToServer, ts, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    }
    assert_eq!(st.txs().len(), 4);
    assert!(st.events().contains(&HttpEvent::TooManyTransactions));
    for _ in 0..4 {
        st.on_data(Direction::ToClient, ts, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    }
    assert_eq!(st.prune_done(TxId(2)), 2);
    assert_eq!(st.txs().len(), 2);
    assert!(st.tx(TxId(0)).is_none());
    assert!(st.tx(TxId(3)).is_some());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    #[test]
    fn arbitrary_bytes_never_panic(
        segs in proptest::collection::vec((proptest::prelude::any::<bool>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), 0u8..10), 0..30)
    ) {
        let cfg = HttpConfig { max_txs: 16, field_limit: 256, header_block_limit: 1024, max_headers: 8,
            request_body_limit: 512, response_body_limit: 512, ..HttpConfig::default() };
        let mut st = HttpState::new(cfg.clone());
        let ts = Timestamp::from_micros(0);
        for (to_server, data, gap) in &segs {
            let dir = if *to_server { Direction::ToServer } else { Direction::ToClient };
            if *gap == 0 {
                st.on_gap(dir, data.len() as u64);
            } else {
                st.on_data(dir, ts, data);
            }
            proptest::prop_assert!(st.txs().len() <= cfg.max_txs);
            for t in st.txs() {
                proptest::prop_assert!(t.request_body.len() <= cfg.request_body_limit);
                proptest::prop_assert!(t.response_body.len() <= cfg.response_body_limit);
                proptest::prop_assert!(t.request_headers.list.len() <= cfg.max_headers);
                proptest::prop_assert!(t.request_headers.raw.len() <= cfg.header_block_limit);
                proptest::prop_assert!(t.uri_raw.len() <= cfg.field_limit);
            }
        }
        // Memory stays bounded by the tx cap times the per-transaction limits (with Vec slack).
        proptest::prop_assert!(st.memory_bytes() <= cfg.max_txs * 64 * 1024, "memory {}", st.memory_bytes());
        st.on_close(ts);
        proptest::prop_assert!(st.txs().all(|t| t.progress.is_done()));
    }

    #[test]
    fn http_like_input_split_anywhere_agrees(
        cut in 0usize..200,
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..50)
    ) {
        let mut req = b"POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        req.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        req.extend_from_slice(&body);
        req.extend_from_slice(b"\r\n0\r\n\r\n");
        let ts = Timestamp::from_micros(0);
        let mut a = HttpState::default();
        a.on_data(Direction::ToServer, ts, &req);
        let mut b = HttpState::default();
        let c = cut.min(req.len());
        b.on_data(Direction::ToServer, ts, &req[..c]);
        b.on_data(Direction::ToServer, ts, &req[c..]);
        proptest::prop_assert_eq!(summary(&a), summary(&b));
        proptest::prop_assert_eq!(&a.txs().next().map(|t| t.request_body.clone()), &Some(body));
    }
}

#[test]
fn double_encoded_uri() {
    let st = check(r"> GET /a%252e%252e/b HTTP/1.1\r\nHost: a\r\n\r\n", false);
    let t = tx(&st, 0);
    assert!(t.has_event(HttpEvent::DoubleEncodedUri));
    assert_eq!(t.uri_normalized, b"/a%2e%2e/b");
}

#[test]
fn lf_only_lines() {
    let st = check(
        r"
        > GET /lf HTTP/1.0\nHost: a\nContent-Length: 2\n\nhi
        < HTTP/1.0 200 OK\nContent-Length: 2\n\nok
        ",
        false,
    );
    let t = tx(&st, 0);
    assert_eq!((t.request_body.as_slice(), t.response_body.as_slice()), (&b"hi"[..], &b"ok"[..]));
    assert_eq!(t.request_headers.raw, b"Host: a\nContent-Length: 2\n");
}

/// libhtp's response end-of-line and header-block rules, each named after the HTTP Evader
/// trick it stands for.
#[test]
fn evader_style_response_framing() {
    struct Case {
        name: &'static str,
        response: &'static str,
        body: &'static [u8],
    }
    let cases = [
        Case {
            name: "lone CR ends a header line",
            response: r"< HTTP/1.1 200 ok\r\nX: a\rTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "lone CR ends the status line",
            response: r"< HTTP/1.1\rTransfer-Encoding:chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "HT LF ends headers before data",
            response: r"< HTTP/1.1 200 ok\r\nContent-length: 3\n\t\nabc",
            body: b"abc",
        },
        Case {
            name: "HT LF LF: the LF ends headers",
            response: r"< HTTP/1.1 200 ok\r\nContent-length: 3\n\t\n\nabc",
            body: b"abc",
        },
        Case {
            name: "LF CR CR LF CRLF",
            response: r"< HTTP/1.1 200 ok\r\nContent-length: 3\n\r\r\n\r\nabc",
            body: b"abc",
        },
        Case {
            name: "LF CR CR LF before data",
            response: r"< HTTP/1.1 200 ok\r\nContent-length: 3\n\r\r\nabc",
            body: b"abc",
        },
        Case {
            name: "CR LF CR CR CR LF",
            response: r"< HTTP/1.1 200 ok\r\nConnection: close\r\n\r\r\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "indented header is a header",
            response: r"< HTTP/1.1 200 ok\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "NUL folds",
            response: r"< HTTP/1.1 200 ok\r\nTransfer-Encoding:\n\x00chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "TE contains chunked",
            response: r"< HTTP/1.1 200 ok\r\nTransfer-Encoding: xchunked;\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "blank line before chunk size",
            response: r"< HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n\r\n3\r\nabc\r\n\r\n0\r\n\r\n",
            body: b"abc",
        },
        Case {
            name: "204 with a length has a body",
            response: r"< HTTP/1.1 204 ok\r\nContent-length: 3\r\n\r\nabc",
            body: b"abc",
        },
        Case {
            name: "101 with a length is not a tunnel",
            response: r"< HTTP/1.1 101 ok\r\nContent-length: 3\r\n\r\nabc",
            body: b"abc",
        },
        Case {
            name: "junk line before status line",
            response: r"< foobar\r\nHTTP/1.1 200 ok\r\nContent-length: 3\r\n\r\nabc",
            body: b"abc",
        },
        Case {
            name: "not chunked after all",
            response: r"< HTTP/1.0 200 ok\r\nTransfer-Encoding: chunked\r\n\r\nabc-not-a-size",
            body: b"abc-not-a-size",
        },
        Case {
            name: "invalid length: until close",
            response: r"< HTTP/1.1 200 ok\r\nContent-length: 3 x\r\n\r\nabcdef",
            body: b"abcdef",
        },
        Case {
            name: "gzip announced, plain sent",
            response: r"< HTTP/1.1 200 ok\r\nContent-Encoding: gzip\r\nContent-length: 3\r\n\r\nabc",
            body: b"abc",
        },
        Case { name: "HTTP/0.9-style reply", response: r"< abc", body: b"abc" },
    ];
    for c in cases {
        let t = format!("> GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n\n{}\n", c.response);
        let st = check(&t, true);
        let bodies: Vec<&[u8]> = st.txs().map(|t| t.response_body.as_slice()).collect();
        assert!(
            bodies.contains(&c.body),
            "{}: bodies {:?}",
            c.name,
            bodies.iter().map(|b| String::from_utf8_lossy(b)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn double_content_encoding_with_single_gzip_layer() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b"payload").unwrap();
    let gz = e.finish().unwrap();
    let esc: String = gz.iter().map(|b| format!("\\x{b:02x}")).collect();
    let t = format!(
        "> GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n\n< HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nContent-Encoding: gzip\\r\\nContent-Length: {}\\r\\n\\r\\n{esc}\n",
        gz.len()
    );
    let st = check(&t, false);
    assert_eq!(tx(&st, 0).response_body, b"payload");
    assert!(tx(&st, 0).has_event(HttpEvent::GzipDecompressionFailed));
}

#[test]
fn many_header_lines_in_one_chunk_are_linear_and_bounded() {
    let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
    let mut req = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..40_000 {
        let l = format!("X-{}: y\r\n", i % 1000);
        head.extend_from_slice(l.as_bytes());
        req.extend_from_slice(l.as_bytes());
    }
    let start = std::time::Instant::now();
    let mut st = HttpState::default();
    let ts = Timestamp::from_micros(0);
    st.on_data(Direction::ToServer, ts, &req);
    st.on_data(Direction::ToClient, ts, &head);
    let t = tx(&st, 0);
    assert!(t.request_headers.list.len() <= st.config().max_headers);
    assert!(t.response_headers.list.len() <= st.config().max_headers);
    assert!(t.response_headers.raw.len() <= st.config().header_block_limit);
    assert!(t.has_event(HttpEvent::ResponseTooManyHeaders));
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "took {:?}", start.elapsed());
}

#[test]
fn protocol_less_request_with_headers_is_not_http09() {
    let st = check(
        r"
        > GET /\r\nFakeHeader\r\nHost: localhost\r\nUser-Agent: myscript\r\n\r\n
        < HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok
        ",
        false,
    );
    let t = tx(&st, 0);
    assert_eq!(t.user_agent(), Some(&b"myscript"[..]));
    assert_eq!(t.status, Some(200));
    assert_eq!(t.response_body, b"ok");
    assert!(t.has_event(HttpEvent::RequestLineMissingProtocol));
    assert_eq!(st.txs().len(), 1);
}

#[test]
fn data_after_http09_response_started_is_ignored() {
    let st = check(
        r"
        > GET /\r\n
        < body
        > GET /x HTTP/1.1\r\n\r\n
        ",
        true,
    );
    assert_eq!(st.txs().len(), 1);
    assert_eq!(tx(&st, 0).response_body, b"body");
}

#[test]
fn timestamps_and_memory_accounting() {
    let mut st = HttpState::default();
    st.on_data(Direction::ToServer, Timestamp::from_parts(10, 0), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    st.on_data(Direction::ToClient, Timestamp::from_parts(11, 5), b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
    let t = tx(&st, 0);
    assert_eq!(t.request_ts, Some(Timestamp::from_parts(10, 0)));
    assert_eq!(t.response_ts, Some(Timestamp::from_parts(11, 5)));
    let m = st.memory_bytes();
    assert!(m >= std::mem::size_of::<HttpTx>() && m < 64 * 1024, "{m}");
    assert_eq!(st.prune_done(TxId(1)), 1);
    assert!(st.memory_bytes() < m);
}

#[test]
fn state_is_send() {
    fn assert_send<T: Send + 'static>() {}
    assert_send::<HttpState>();
    assert_send::<crate::applayer::probe::Prober>();
}
