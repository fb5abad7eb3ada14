//! Structured fuzz target for the HTTP state machine: records of to_server data, to_client
//! data, gaps and prunes (format in `rampart::applayer::http::harness::fuzz_conversation`).
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz http_conversation tests/fuzz/corpus/http_conversation`
//! (minimised crashes go to tests/fuzz/regressions/http_conversation).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::http::harness::fuzz_conversation(data);
});
