//! Structured fuzzing of TCP reassembly: the input is a sequence of packets (both
//! directions, any flags, seq/ack near the wrap), drains, raw-view reads and closes, decoded
//! by `drivers.rs` (shared with `tests/fuzz_replay_stream.rs`, so `cargo test` replays the
//! corpus and regressions identically). Invariants (bounds, no hang after close) are asserted.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../drivers.rs"]
mod drivers;

fuzz_target!(|data: &[u8]| {
    drivers::run_stream(data);
});
