//! `dns.rcode` (Suricata 8): the rcode of the DNS header (low 4 bits), an unsigned 8-bit
//! integer with the shared integer grammar, or a name from the enumeration (`noerror`,
//! `formerr`, `servfail`, `nxdomain`, `notimp`, `refused`, `yxdomain`, `yxrrset`, `nxrrset`,
//! `notauth`, `notzone`; case-insensitive, `!` allowed). Matches on packets of the direction
//! the message travelled.

use super::uint::Uint;
use crate::applayer::dns::parser::rcode_name;
use crate::applayer::dns::DnsTx;
use crate::flow::Direction;

/// A parsed `dns.rcode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DnsRcode(pub Uint<u8>);

impl DnsRcode {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("dns.rcode needs a value")?;
        let (neg, body) = match v.strip_prefix('!') {
            Some(b) => (true, b.trim()),
            None => (false, v),
        };
        if body.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            let code = (0u8..16)
                .find(|c| rcode_name((*c).into()).is_some_and(|n| n.eq_ignore_ascii_case(body)))
                .ok_or_else(|| format!("dns.rcode: unknown rcode name {body:?}"))?;
            let s = if neg { format!("!{code}") } else { code.to_string() };
            return Uint::<u8>::parse(&s).map(DnsRcode).map_err(|e| format!("dns.rcode: {e}"));
        }
        Uint::<u8>::parse(v).map(DnsRcode).map_err(|e| format!("dns.rcode: {e}"))
    }

    /// Whether `tx` (inspected on a packet travelling in `dir`) matches. No allocation.
    pub fn matches(&self, tx: &DnsTx, dir: Direction) -> bool {
        tx.dir == dir && self.0.matches(tx.message.rcode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::dns::{DnsConfig, DnsState};
    use crate::time::Timestamp;

    fn resp(rcode: u16) -> DnsTx {
        let mut m = vec![0, 1];
        m.extend_from_slice(&(0x8180u16 | rcode).to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0, 1, b'a', 0, 0, 1, 0, 1]);
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToClient, Timestamp::default(), &m);
        let t = s.txs().next().cloned().expect("tx");
        t
    }

    #[test]
    fn numbers_and_names() {
        let nx = resp(3);
        for v in ["3", "nxdomain", "NXDOMAIN", "!0", "!noerror", "2-4", ">2"] {
            assert!(DnsRcode::parse(Some(v)).expect(v).matches(&nx, Direction::ToClient), "{v}");
        }
        for v in ["0", "noerror", "!3", "!nxdomain", "4-15"] {
            assert!(!DnsRcode::parse(Some(v)).expect(v).matches(&nx, Direction::ToClient), "{v}");
        }
        assert!(!DnsRcode::parse(Some("3")).expect("3").matches(&nx, Direction::ToServer));
        assert!(DnsRcode::parse(Some("bogus")).is_err());
        assert!(DnsRcode::parse(None).is_err());
    }
}
