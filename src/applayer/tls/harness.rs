//! The TLS fuzz harness, shared by `tests/fuzz/fuzz_targets/tls.rs` and the plain-`cargo
//! test` replay in `tests/fuzz_replay_tls.rs`.
//!
//! Input: a sequence of records `[op, len, bytes...]`; `op % 4` selects to_server data,
//! to_client data, a gap of `len` bytes (direction from `op & 4`), or a prune; data records
//! carry `len` bytes (fewer at the end). Every step asserts the bounds; after close the
//! transaction is complete and EVE writing runs over it.

use super::eve::{write_tls, TlsEveOptions, TlsEveSink};
use super::{TlsConfig, TlsState};
use crate::applayer::Direction;
use crate::time::Timestamp;

/// Small limits so the fuzzer reaches them quickly.
pub fn fuzz_config() -> TlsConfig {
    TlsConfig { max_handshake_len: 8 * 1024, max_certs: 4, max_alpns: 4, max_events: 16, max_records_per_chunk: 8 }
}

/// Asserts the bounds of the state (panics on violation: a bug for the fuzzer).
pub fn check(st: &TlsState, cfg: &TlsConfig) {
    let tx = st.the_tx();
    assert!(tx.server_certs.len() <= cfg.max_certs && tx.client_certs.len() <= cfg.max_certs, "cert cap");
    assert!(st.events().len() <= cfg.max_events, "event cap");
    if let Some(c) = &tx.client_hello {
        assert!(c.alpns.len() <= cfg.max_alpns, "alpn cap");
        assert!(c.ciphers.len() <= super::parser::MAX_LIST, "cipher cap");
    }
    assert!(st.memory_bytes() <= 2 * cfg.max_handshake_len * 2 + cfg.max_certs * 4 * cfg.max_handshake_len + 64 * 1024 + 2 * 0x8000, "memory bound");
    assert!(st.txs().len() <= 1);
}

/// Counts bytes written, to exercise the EVE writer.
#[derive(Default)]
pub struct CountSink(pub usize);

impl TlsEveSink for CountSink {
    fn string(&mut self, k: &str, v: &str) {
        self.0 += k.len() + v.len();
    }
    fn boolean(&mut self, k: &str, _: bool) {
        self.0 += k.len();
    }
    fn strings(&mut self, k: &str, v: &mut dyn Iterator<Item = &str>) {
        self.0 += k.len() + v.map(str::len).sum::<usize>();
    }
    fn base64(&mut self, k: &str, d: &[u8]) {
        self.0 += k.len() + d.len();
    }
    fn base64s(&mut self, k: &str, v: &mut dyn Iterator<Item = &[u8]>) {
        self.0 += k.len() + v.map(<[u8]>::len).sum::<usize>();
    }
    fn open(&mut self, k: &str) {
        self.0 += k.len();
    }
    fn close(&mut self) {}
}

/// Runs one fuzz input (see the module docs).
pub fn fuzz_conversation(data: &[u8]) {
    let cfg = fuzz_config();
    let mut st = TlsState::new(cfg.clone());
    let ts = Timestamp::default();
    let mut rest = data;
    while let [op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let dir = if op & 4 == 0 { Direction::ToServer } else { Direction::ToClient };
        match op % 4 {
            0 | 1 => {
                let d = if op % 4 == 0 { Direction::ToServer } else { Direction::ToClient };
                st.on_data(d, ts, &tail[..n]);
                rest = &tail[n..];
            }
            2 => {
                st.on_gap(dir, u64::from(*len));
                rest = tail;
            }
            _ => {
                let upto = st.next_tx_id();
                st.prune_done(upto);
                rest = tail;
            }
        }
        check(&st, &cfg);
    }
    st.on_close(ts);
    let tx = st.the_tx();
    assert!(tx.progress.is_done(), "tx incomplete after close");
    let mut sink = CountSink::default();
    write_tls(tx, TlsEveOptions { fields: u32::MAX, session_resumption: true }, &mut sink);
    for b in super::detect::TlsBuf::ALL {
        super::detect::for_each(tx, b, &mut |_| false);
    }
}

/// Fuzzes one direction's stream with the first byte choosing the chunk size (1..=64) and
/// the direction (bit 7).
pub fn fuzz_stream(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let cfg = fuzz_config();
    let mut st = TlsState::new(cfg.clone());
    let dir = if sel & 0x80 == 0 { Direction::ToServer } else { Direction::ToClient };
    for c in rest.chunks(usize::from(sel % 64) + 1) {
        st.on_data(dir, Timestamp::default(), c);
        check(&st, &cfg);
    }
    st.on_close(Timestamp::default());
}
