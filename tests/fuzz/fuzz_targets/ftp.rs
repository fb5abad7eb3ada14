//! Structured fuzz target for the FTP parser: records of to_server data, to_client data,
//! gaps and prunes (format in `rampart::applayer::ftp::harness::fuzz_conversation`).
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz ftp tests/fuzz/corpus/ftp`
//! (minimised crashes go to tests/fuzz/regressions/ftp).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::ftp::harness::fuzz_conversation(data);
});
