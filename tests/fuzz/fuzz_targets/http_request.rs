//! Fuzz target for the HTTP/1 request parser: the first byte picks the chunk size, the rest is the
//! to_server stream. The checks live in
//! `rampart::applayer::http::harness` so `tests/fuzz_replay_http.rs` runs the same ones.
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz http_request tests/fuzz/corpus/http_request`
//! (minimised crashes go to tests/fuzz/regressions/http_request).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::http::harness::fuzz_request(data);
});
