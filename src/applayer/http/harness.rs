//! The HTTP fuzz harness, shared by `tests/fuzz/fuzz_targets/http_{request,response}.rs` and
//! the plain-`cargo test` replay in `tests/fuzz_replay_http.rs`, so both run the same checks.
//!
//! Input format: the first byte picks the chunk size (1..=64, so chunk boundaries get fuzzed
//! too), the rest is the stream of the fuzzed direction. Every call asserts the parser's
//! contract: no panic, every stored buffer within its limit, the tx cap kept, and every
//! transaction complete after close.

use super::{HttpConfig, HttpState};
use crate::applayer::Direction;
use crate::time::Timestamp;

/// Small limits so the fuzzer reaches them quickly.
pub fn fuzz_config() -> HttpConfig {
    HttpConfig {
        request_body_limit: 1024,
        response_body_limit: 1024,
        field_limit: 512,
        header_block_limit: 2048,
        max_headers: 16,
        max_txs: 32,
        ..HttpConfig::default()
    }
}

fn feed(st: &mut HttpState, dir: Direction, data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let chunk = usize::from(sel % 64) + 1;
    let ts = Timestamp::default();
    for c in rest.chunks(chunk) {
        st.on_data(dir, ts, c);
        check(st);
    }
}

/// Asserts the bounds of every transaction (panics on violation: a bug for the fuzzer).
pub fn check(st: &HttpState) {
    let cfg = st.config();
    assert!(st.txs().len() <= cfg.max_txs, "tx cap exceeded");
    for t in st.txs() {
        assert!(t.request_body.len() <= cfg.request_body_limit, "request body limit");
        assert!(t.response_body.len() <= cfg.response_body_limit, "response body limit");
        assert!(t.request_headers.list.len() <= cfg.max_headers, "request header count");
        assert!(t.response_headers.list.len() <= cfg.max_headers, "response header count");
        assert!(t.request_headers.raw.len() <= cfg.header_block_limit, "request header block");
        assert!(t.response_headers.raw.len() <= cfg.header_block_limit, "response header block");
        assert!(t.request_line.len() <= cfg.field_limit, "request line");
        for hs in [&t.request_headers, &t.response_headers] {
            let stored: usize = hs.list.iter().map(|h| h.name.len() + h.value.len()).sum();
            assert!(stored <= cfg.header_block_limit + cfg.field_limit, "stored header bytes");
        }
        assert!(t.uri_normalized.len() <= t.uri_raw.len() + 1, "normalised uri longer than raw");
    }
}

fn close(mut st: HttpState) {
    st.on_close(Timestamp::default());
    assert!(st.txs().all(|t| t.progress.is_done()), "tx incomplete after close");
    for t in st.txs() {
        let mut sink = super::eve::JsonFields::default();
        super::eve::write_http(
            t,
            super::eve::HttpEveOptions { request_headers: true, response_headers: true },
            &mut sink,
        );
    }
}

/// Fuzzes the request direction: the input is the to_server stream.
pub fn fuzz_request(data: &[u8]) {
    let mut st = HttpState::new(fuzz_config());
    feed(&mut st, Direction::ToServer, data);
    // A response for whatever was parsed, so pairing runs too.
    st.on_data(Direction::ToClient, Timestamp::default(), b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    check(&st);
    close(st);
}

/// Fuzzes the response direction: a fixed pipelined request pair, then the input as the
/// to_client stream.
pub fn fuzz_response(data: &[u8]) {
    let mut st = HttpState::new(fuzz_config());
    st.on_data(
        Direction::ToServer,
        Timestamp::default(),
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    );
    feed(&mut st, Direction::ToClient, data);
    close(st);
}

/// Fuzzes a whole conversation: the input is a sequence of records `[op, len, bytes...]`;
/// `op % 4` selects to_server data, to_client data, a gap of `len` bytes in the direction
/// `op & 4` picks, or a close; data records carry `len` bytes (fewer at the end).
pub fn fuzz_conversation(data: &[u8]) {
    let mut st = HttpState::new(fuzz_config());
    let ts = Timestamp::default();
    let mut rest = data;
    while let [op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let dir = if op & 4 == 0 { Direction::ToServer } else { Direction::ToClient };
        match op % 4 {
            0 => {
                st.on_data(Direction::ToServer, ts, &tail[..n]);
                rest = &tail[n..];
            }
            1 => {
                st.on_data(Direction::ToClient, ts, &tail[..n]);
                rest = &tail[n..];
            }
            2 => {
                st.on_gap(dir, u64::from(*len));
                rest = tail;
            }
            _ => {
                // Prune what is done, as the pipeline would after logging.
                let upto = st.next_tx_id();
                st.prune_done(upto);
                rest = tail;
            }
        }
        check(&st);
    }
    close(st);
}
