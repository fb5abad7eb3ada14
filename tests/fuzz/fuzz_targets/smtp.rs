//! Structured fuzz target for the SMTP parser: records of to_server data, to_client data,
//! gaps and prunes (format in `rampart::applayer::smtp::harness::fuzz_conversation`).
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz smtp tests/fuzz/corpus/smtp`
//! (minimised crashes go to tests/fuzz/regressions/smtp).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::smtp::harness::fuzz_conversation(data);
});
