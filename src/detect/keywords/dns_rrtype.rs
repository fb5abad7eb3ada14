//! `dns.rrtype` (Suricata 8): the type of the questions, an unsigned 16-bit integer with the
//! shared integer grammar or a type name (`A`, `AAAA`, `TXT`, ...; case-insensitive, `!`
//! allowed). Matches when any question of the message travelling in the packet's direction
//! matches (requests to the server, responses to the client).

use super::uint::Uint;
use crate::applayer::dns::parser::rrtype_from_name;
use crate::applayer::dns::DnsTx;
use crate::flow::Direction;

/// A parsed `dns.rrtype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DnsRrtype(pub Uint<u16>);

impl DnsRrtype {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("dns.rrtype needs a value")?;
        let (neg, body) = match v.strip_prefix('!') {
            Some(b) => (true, b.trim()),
            None => (false, v),
        };
        if body.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            let t = rrtype_from_name(body).ok_or_else(|| format!("dns.rrtype: unknown type name {body:?}"))?;
            let s = if neg { format!("!{t}") } else { t.to_string() };
            return Uint::<u16>::parse(&s).map(DnsRrtype).map_err(|e| format!("dns.rrtype: {e}"));
        }
        Uint::<u16>::parse(v).map(DnsRrtype).map_err(|e| format!("dns.rrtype: {e}"))
    }

    /// Whether `tx` (inspected on a packet travelling in `dir`) matches. No allocation.
    pub fn matches(&self, tx: &DnsTx, dir: Direction) -> bool {
        tx.dir == dir && tx.message.queries.iter().any(|q| self.0.matches(q.rrtype))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::dns::{DnsConfig, DnsState};
    use crate::time::Timestamp;

    fn query(t: u16) -> DnsTx {
        let mut m = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, b'a', 0];
        m.extend_from_slice(&t.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &m);
        let t = s.txs().next().cloned().expect("tx");
        t
    }

    #[test]
    fn numbers_and_names() {
        let txt = query(16);
        for v in ["16", "TXT", "txt", "!1", "!A", ">10"] {
            assert!(DnsRrtype::parse(Some(v)).expect(v).matches(&txt, Direction::ToServer), "{v}");
        }
        for v in ["1", "A", "!16", "!TXT"] {
            assert!(!DnsRrtype::parse(Some(v)).expect(v).matches(&txt, Direction::ToServer), "{v}");
        }
        assert!(!DnsRrtype::parse(Some("16")).expect("16").matches(&txt, Direction::ToClient));
        assert!(DnsRrtype::parse(Some("NOPE")).is_err());
        assert!(DnsRrtype::parse(Some("70000")).is_err());
    }
}
