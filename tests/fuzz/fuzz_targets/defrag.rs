//! Structured fuzzing of IP defragmentation: the input is a sequence of IPv4/IPv6 fragments
//! (offsets, MF, lengths, ids, timestamps) and expiries under every overlap policy, decoded
//! by `drivers.rs` (shared with `tests/fuzz_replay_stream.rs`). Invariants (memcap, length
//! fields of reassembled packets) are asserted.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../drivers.rs"]
mod drivers;

fuzz_target!(|data: &[u8]| {
    drivers::run_defrag(data);
});
