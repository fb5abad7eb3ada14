//! `tls.cert_chain_len`: number of certificates in the server's chain, with the integer
//! grammar (`tls.cert_chain_len:>2;`, Suricata 8).

use super::uint::Uint;
use crate::applayer::tls::TlsTx;
use crate::applayer::Direction;

/// A compiled `tls.cert_chain_len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertChainLen(pub Uint<u32>);

impl CertChainLen {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.ok_or("tls.cert_chain_len: needs a value")?;
        Uint::<u32>::parse(v).map(CertChainLen).map_err(|e| format!("tls.cert_chain_len: {e}"))
    }

    /// Whether `tx` matches (the chain is known once the server's Certificate was parsed).
    pub fn matches(&self, tx: &TlsTx, _dir: Direction) -> bool {
        if tx.server_certs.is_empty() && !tx.progress.response_complete {
            return false;
        }
        self.0.matches(u32::try_from(tx.server_certs.len()).unwrap_or(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::cert::CertInfo;

    #[test]
    fn parse_and_match() {
        let tx = TlsTx { server_certs: vec![CertInfo::default(), CertInfo::default()], ..Default::default() };
        for (v, want) in [("2", true), (">2", false), ("<3", true), ("1-3", true)] {
            assert_eq!(CertChainLen::parse(Some(v)).expect(v).matches(&tx, Direction::ToClient), want, "{v}");
        }
        assert!(CertChainLen::parse(Some("x")).is_err());
    }
}
