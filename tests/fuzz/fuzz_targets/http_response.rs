//! Fuzz target for the HTTP/1 response parser: the first byte picks the chunk size, the rest is the
//! to_client stream. The checks live in
//! `rampart::applayer::http::harness` so `tests/fuzz_replay_http.rs` runs the same ones.
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz http_response tests/fuzz/corpus/http_response`
//! (minimised crashes go to tests/fuzz/regressions/http_response).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::http::harness::fuzz_response(data);
});
