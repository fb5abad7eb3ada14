//! The DNS fuzz harness, shared by `tests/fuzz/fuzz_targets/dns.rs` and the plain-`cargo test`
//! replay in `tests/fuzz_replay_dns.rs`, so both run the same checks.
//!
//! Input format: the first byte picks the mode (bit 0: TCP or UDP; bit 1: direction) and, for
//! TCP, the chunk size (bits 2..: 1..=64); the rest is the datagram or stream. Every call
//! asserts: no panic, the per-message and per-flow bounds kept, TCP chunking does not change
//! the transactions, and every transaction's EVE object is valid JSON.

use super::{DnsConfig, DnsState, DnsTransport, MAX_MESSAGE_LEN};
use crate::applayer::Direction;
use crate::output::eve::JsonWriter;
use crate::time::Timestamp;

/// Small limits so the fuzzer reaches them quickly.
pub fn fuzz_config() -> DnsConfig {
    DnsConfig { max_txs: 16, limits: super::parser::DnsLimits { max_records: 64, max_decoded_bytes: 8192 } }
}

/// Asserts the bounds of `st` (panics on violation: a bug for the fuzzer).
pub fn check(st: &DnsState) {
    let cfg = st.config();
    assert!(st.txs().len() <= cfg.max_txs, "tx cap exceeded");
    assert!(st.events().len() <= super::MAX_STATE_EVENTS, "state events unbounded");
    for t in st.txs() {
        let m = &t.message;
        let n = m.queries.len() + m.answers.len() + m.authorities.len() + m.additionals.len();
        assert!(n <= cfg.limits.max_records, "record cap exceeded");
        let names = m.queries.iter().map(|q| &q.name).chain(m.answers.iter().chain(&m.authorities).chain(&m.additionals).map(|r| &r.name));
        let mut bytes = 0;
        for nm in names {
            assert!(nm.value.len() <= super::parser::MAX_NAME_LEN, "name too long");
            bytes += nm.value.len();
        }
        // The budget is checked before each record: one record may overshoot it.
        assert!(bytes <= cfg.limits.max_decoded_bytes + 2 * MAX_MESSAGE_LEN, "decoded bytes unbounded");
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open();
        super::eve::write_dns(&mut w, t);
        w.close();
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&buf) {
            panic!("invalid EVE JSON ({e}): {}", String::from_utf8_lossy(&buf));
        }
    }
    assert!(st.memory_bytes() <= cfg.max_txs * (cfg.limits.max_decoded_bytes + 4 * MAX_MESSAGE_LEN) + 2 * (MAX_MESSAGE_LEN + 2) + 4096);
}

fn summary(st: &DnsState) -> Vec<(u64, u16, u16, usize, usize)> {
    st.txs().map(|t| (t.id.0, t.message.id, t.message.flags, t.message.queries.len(), t.message.answers.len())).collect()
}

/// Runs one fuzz input (see the module docs).
pub fn fuzz_dns(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let dir = if sel & 2 == 0 { Direction::ToServer } else { Direction::ToClient };
    let ts = Timestamp::default();
    if sel & 1 == 0 {
        let mut st = DnsState::with_transport(fuzz_config(), DnsTransport::Udp);
        st.on_data(dir, ts, rest);
        // Also as a request/response pair in both directions.
        st.on_data(dir.flip(), ts, rest);
        check(&st);
        st.on_close(ts);
        check(&st);
        return;
    }
    let chunk = usize::from(sel >> 2) + 1;
    let mut whole = DnsState::new(fuzz_config());
    whole.on_data(dir, ts, rest);
    check(&whole);
    let mut split = DnsState::new(fuzz_config());
    for c in rest.chunks(chunk) {
        split.on_data(dir, ts, c);
        check(&split);
    }
    assert_eq!(summary(&whole), summary(&split), "chunking changed the transactions");
    assert_eq!(whole.events(), split.events(), "chunking changed the events");
    split.on_close(ts);
    check(&split);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(m: &[u8]) -> Vec<u8> {
        let mut v = (m.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(m);
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn no_panic_on_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..1500)) {
            fuzz_dns(&data);
        }

        /// Random bytes behind a valid header and a pointer-heavy body: names through
        /// compression pointers terminate and stay bounded.
        #[test]
        fn compression_terminates(body in proptest::collection::vec(prop_oneof![Just(0xc0u8), Just(12u8), Just(14u8), Just(1u8), any::<u8>()], 0..400),
                                  counts in proptest::array::uniform4(0u16..50)) {
            let mut m = vec![0, 1, 0x81, 0x80];
            for c in counts { m.extend_from_slice(&c.to_be_bytes()); }
            m.extend_from_slice(&body);
            let mut st = DnsState::new_udp(fuzz_config());
            st.on_data(Direction::ToClient, Timestamp::default(), &m);
            check(&st);
        }

        /// Valid framed messages split anywhere give the same transactions.
        #[test]
        fn tcp_split_anywhere(names in proptest::collection::vec("[a-z]{1,20}(\\.[a-z]{1,10}){0,3}", 1..6),
                              cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
            let mut stream = Vec::new();
            for (i, n) in names.iter().enumerate() {
                stream.extend(frame(&super::super::parser::tests::query(i as u16, n, 1)));
            }
            let mut whole = DnsState::new(DnsConfig::default());
            whole.on_data(Direction::ToServer, Timestamp::default(), &stream);
            prop_assert_eq!(whole.txs().len(), names.len());
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
            at.sort_unstable();
            let mut split = DnsState::new(DnsConfig::default());
            let mut prev = 0;
            for a in at.into_iter().chain([stream.len()]) {
                split.on_data(Direction::ToServer, Timestamp::default(), &stream[prev..a]);
                prev = a;
            }
            prop_assert_eq!(summary(&whole), summary(&split));
            let got: Vec<Vec<u8>> = split.txs().map(|t| t.message.queries[0].name.value.clone()).collect();
            let want: Vec<Vec<u8>> = names.iter().map(|n| n.as_bytes().to_vec()).collect();
            prop_assert_eq!(got, want);
        }
    }
}
