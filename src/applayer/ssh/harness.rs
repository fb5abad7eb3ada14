//! The SSH fuzz harness, shared by `tests/fuzz/fuzz_targets/ssh.rs` and the replay test
//! `tests/fuzz_replay_proto3.rs`.
//!
//! Input: records `[op, len, bytes...]`; `op % 4` selects to_server data, to_client data, a
//! gap in the direction `op & 4` picks, or a prune. Checks: no panic, bounded banners and
//! buffers, one transaction at most, and the transaction complete after close.

use super::{SshConfig, SshState};
use crate::applayer::{Direction, TxId};
use crate::time::Timestamp;

/// Asserts the parser's bounds.
pub fn check(st: &SshState) {
    let cfg = st.config();
    assert!(st.txs().len() <= 1, "one tx per flow");
    for t in st.txs() {
        for h in [&t.client, &t.server] {
            assert!(h.proto_version.len() + h.software_version.len() <= cfg.max_banner_len, "banner bound");
            assert!(h.hassh.is_empty() || h.hassh.len() == 32, "hassh is 32 hex digits");
            assert!(h.hassh_string.len() <= cfg.max_kex_record_len, "hassh string bound");
        }
        assert!(t.events.len() <= 16, "event bound");
    }
    assert!(st.memory_bytes() <= 4 * cfg.max_kex_record_len + 4096, "memory bound");
}

/// Runs one fuzz input.
pub fn fuzz_conversation(data: &[u8]) {
    let mut st = SshState::new(SshConfig::default());
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
                st.prune_done(TxId(1));
                rest = tail;
            }
        }
        check(&st);
    }
    st.on_close(ts);
    check(&st);
    assert!(st.txs().all(|t| t.progress.is_done()), "tx incomplete after close");
    for t in st.txs() {
        let mut buf = Vec::new();
        let mut w = crate::output::eve::JsonWriter::new(&mut buf);
        w.open();
        super::eve::write_ssh(t, true, &mut w);
        w.close();
        assert!(serde_json::from_slice::<serde_json::Value>(&buf).is_ok(), "valid JSON");
    }
}
