//! The SMTP fuzz harness, shared by `tests/fuzz/fuzz_targets/smtp.rs` and the replay test
//! `tests/fuzz_replay_proto3.rs`. Input: records `[op, len, bytes...]` as for FTP.

use super::{SmtpConfig, SmtpState};
use crate::applayer::Direction;
use crate::time::Timestamp;

/// Small limits so the fuzzer reaches them.
pub fn fuzz_config() -> SmtpConfig {
    SmtpConfig { max_line_len: 128, max_rcpt: 4, max_header_value: 64, max_attachments: 4, max_txs: 8, extended: true }
}

/// Asserts the parser's bounds.
pub fn check(st: &SmtpState) {
    let c = st.config();
    assert!(st.txs().len() <= c.max_txs, "tx cap");
    for t in st.txs() {
        assert!(t.rcpt_to.len() <= c.max_rcpt, "rcpt bound");
        assert!(t.mail_from.len() <= c.max_header_value && t.helo.len() <= c.max_header_value, "value bound");
        assert!(t.rcpt_to.iter().all(|r| r.len() <= c.max_header_value), "rcpt value bound");
        let m = &t.mime;
        assert!(m.attachments.len() <= c.max_attachments.max(32), "attachments bound");
        for v in [&m.from, &m.subject, &m.date, &m.message_id, &m.x_mailer] {
            assert!(v.len() <= c.max_header_value.max(1024), "header bound");
        }
        assert!(m.to.len() <= 64 && m.cc.len() <= 64, "address count bound");
    }
    assert!(st.memory_bytes() <= 2_000_000, "memory bound");
}

/// Runs one fuzz input.
pub fn fuzz_conversation(data: &[u8]) {
    let mut st = SmtpState::new(fuzz_config());
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
        check(&st);
    }
    st.on_close(ts);
    assert!(st.txs().all(|t| t.progress.is_done()), "tx incomplete after close");
    for t in st.txs() {
        let mut buf = Vec::new();
        let mut w = crate::output::eve::JsonWriter::new(&mut buf);
        w.open();
        w.key("smtp").open();
        super::eve::write_smtp(t, &mut w);
        w.close();
        w.key("email").open();
        super::eve::write_email(t, true, &mut w);
        w.close();
        w.close();
        assert!(serde_json::from_slice::<serde_json::Value>(&buf).is_ok(), "valid JSON");
    }
}
