//! Structured fuzz target for the TLS state machine: records of to_server data, to_client
//! data, gaps and prunes (format in `rampart::applayer::tls::harness::fuzz_conversation`).
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz tls tests/fuzz/corpus/tls`
//! (minimised crashes go to tests/fuzz/regressions/tls).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::tls::harness::fuzz_conversation(data);
});
