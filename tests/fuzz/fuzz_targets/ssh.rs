//! Structured fuzz target for the SSH parser: records of to_server data, to_client data,
//! gaps and prunes (format in `rampart::applayer::ssh::harness::fuzz_conversation`).
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz ssh tests/fuzz/corpus/ssh`
//! (minimised crashes go to tests/fuzz/regressions/ssh).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::ssh::harness::fuzz_conversation(data);
});
