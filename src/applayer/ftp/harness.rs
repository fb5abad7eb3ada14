//! The FTP fuzz harness, shared by `tests/fuzz/fuzz_targets/ftp.rs` and the replay test
//! `tests/fuzz_replay_proto3.rs`.
//!
//! Input: records `[op, len, bytes...]`; `op % 4` selects to_server data, to_client data, a
//! gap in the direction `op & 4` picks, or a prune. Checks: no panic, every bound kept,
//! and every transaction complete after close.

use super::{FtpConfig, FtpState, MAX_PENDING_EXPECT};
use crate::applayer::Direction;
use crate::time::Timestamp;

/// Small limits so the fuzzer reaches them.
pub fn fuzz_config() -> FtpConfig {
    FtpConfig { max_line_len: 128, max_txs: 16, max_reply_lines: 8, max_reply_bytes: 512 }
}

/// Asserts the parser's bounds.
pub fn check(st: &FtpState) {
    let cfg = st.config();
    assert!(st.txs().len() <= cfg.max_txs, "tx cap");
    for t in st.txs() {
        assert!(t.command_data.len() <= cfg.max_line_len, "command bound");
        assert!(t.replies.len() <= cfg.max_reply_lines, "reply lines bound");
        assert!(t.replies.iter().map(Vec::len).sum::<usize>() <= cfg.max_reply_bytes, "reply bytes bound");
        assert!(t.events.len() <= 8, "events bound");
    }
    assert!(
        st.memory_bytes()
            <= cfg.max_txs * (cfg.max_reply_bytes + cfg.max_reply_lines * 24 + cfg.max_line_len + 512)
                + MAX_PENDING_EXPECT * (cfg.max_line_len + 48)
                + 4 * cfg.max_line_len,
        "memory bound"
    );
}

/// Runs one fuzz input.
pub fn fuzz_conversation(data: &[u8]) {
    let mut st = FtpState::new(fuzz_config());
    st.set_client_addr(std::net::IpAddr::from([10, 0, 0, 1]));
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
                let _ = st.take_expectations().count();
                rest = tail;
            }
        }
        check(&st);
    }
    st.on_close(ts);
    assert!(st.txs().all(|t| t.progress.is_done()), "tx incomplete after close");
    for t in st.txs() {
        let mut buf = Vec::new();
        let mut w = crate::output::eve::JsonWriter::new(&mut buf);
        w.open();
        super::eve::write_ftp(t, &mut w);
        w.close();
        assert!(serde_json::from_slice::<serde_json::Value>(&buf).is_ok(), "valid JSON");
    }
}
