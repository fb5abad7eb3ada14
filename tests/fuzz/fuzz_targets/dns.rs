//! Fuzz target for the DNS parser (UDP datagrams and TCP streams): the first byte picks the
//! transport, direction and chunk size, the rest is the datagram or stream. The checks live in
//! `rampart::applayer::dns::harness` so `tests/fuzz_replay_dns.rs` runs the same ones.
//!
//! Run: `cargo fuzz run --fuzz-dir tests/fuzz dns tests/fuzz/corpus/dns`
//! (minimised crashes go to tests/fuzz/regressions/dns).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rampart::applayer::dns::harness::fuzz_dns(data);
});
