//! `dns.opcode` (Suricata 8): the opcode of the DNS header, an unsigned 8-bit integer with the
//! shared integer grammar (`dns.opcode:4;`, `dns.opcode:!0;`, `dns.opcode:7-15;`,
//! `dns.opcode:!7-15;`). A transaction is one message: it matches on packets of the direction
//! the message travelled (the request header to the server, the response header to the client).

use super::uint::Uint;
use crate::applayer::dns::DnsTx;
use crate::flow::Direction;

/// A parsed `dns.opcode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DnsOpcode(pub Uint<u8>);

impl DnsOpcode {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("dns.opcode needs a value")?;
        Uint::<u8>::parse(v).map(DnsOpcode).map_err(|e| format!("dns.opcode: {e}"))
    }

    /// Whether `tx` (inspected on a packet travelling in `dir`) matches. No allocation.
    pub fn matches(&self, tx: &DnsTx, dir: Direction) -> bool {
        tx.dir == dir && self.0.matches(tx.message.opcode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::dns::{DnsConfig, DnsState};
    use crate::time::Timestamp;

    fn tx(dir: Direction, flags: u16) -> DnsTx {
        let mut m = vec![0, 1];
        m.extend_from_slice(&flags.to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0, 1, b'a', 0, 0, 1, 0, 1]);
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(dir, Timestamp::default(), &m);
        let t = s.txs().next().cloned().expect("tx");
        t
    }

    #[test]
    fn suricata_examples() {
        let notify = tx(Direction::ToServer, 4 << 11);
        assert!(DnsOpcode::parse(Some("4")).expect("4").matches(&notify, Direction::ToServer));
        assert!(!DnsOpcode::parse(Some("4")).expect("4").matches(&notify, Direction::ToClient), "request header only to_server");
        assert!(DnsOpcode::parse(Some("!0")).expect("!0").matches(&notify, Direction::ToServer));
        assert!(!DnsOpcode::parse(Some("!4")).expect("!4").matches(&notify, Direction::ToServer));
        let q = tx(Direction::ToServer, 0x0100);
        assert!(DnsOpcode::parse(Some(" 0 ")).expect("0").matches(&q, Direction::ToServer));
        let inv = tx(Direction::ToServer, 9 << 11);
        assert!(DnsOpcode::parse(Some("7-15")).expect("range").matches(&inv, Direction::ToServer));
        assert!(!DnsOpcode::parse(Some("!7-15")).expect("neg range").matches(&inv, Direction::ToServer));
        let resp = tx(Direction::ToClient, 0x8000 | (5 << 11));
        assert!(DnsOpcode::parse(Some("5")).expect("5").matches(&resp, Direction::ToClient));
        assert!(DnsOpcode::parse(None).is_err());
        assert!(DnsOpcode::parse(Some("x")).is_err());
        assert!(DnsOpcode::parse(Some("256")).is_err());
    }
}
