//! `ftpbounce`: an FTP `PORT` command naming an address other than the client's (Suricata
//! `detect-ftpbounce.c`; IPv4 PORT only, as there). Takes no value. App-layer keyword (proto3):
//! the lead wires it to FTP transactions.

use crate::applayer::ftp::FtpTx;
use crate::flow::Direction;

/// The compiled keyword (no options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FtpBounce;

impl FtpBounce {
    /// Parses `ftpbounce` (no value).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(FtpBounce),
            Some(v) => Err(format!("ftpbounce: takes no value, got '{v}'")),
        }
    }

    /// Whether `tx` (seen on a to_server packet) is a PORT to another address than the client.
    pub fn matches(&self, tx: &FtpTx, dir: Direction) -> bool {
        dir == Direction::ToServer && tx.command == Some("PORT") && tx.bounce
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::ftp::{FtpConfig, FtpState};

    #[test]
    fn port_to_a_third_party() {
        let k = FtpBounce::parse(None).expect("parse");
        assert!(FtpBounce::parse(Some("x")).is_err());
        let mut st = FtpState::new(FtpConfig::default());
        st.set_client_addr(std::net::IpAddr::from([10, 0, 0, 1]));
        st.on_data(Direction::ToServer, Default::default(), b"PORT 10,0,0,1,4,1\r\nPORT 192,168,1,9,0,25\r\nEPRT |1|1.2.3.4|25|\r\n");
        let v: Vec<bool> = st.txs().map(|t| k.matches(t, Direction::ToServer)).collect();
        assert_eq!(v, vec![false, true, false]);
    }
}
