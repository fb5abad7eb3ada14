//! `ftpdata_command:retr|stor`: an `ftp-data` flow carrying the data of a RETR or STOR
//! command (Suricata `detect-ftpdata.c`). App-layer keyword (proto3).

use crate::applayer::ftp::FtpDataTx;
use crate::flow::Direction;

/// The compiled keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpDataCommand {
    /// `retr`.
    Retr,
    /// `stor`.
    Stor,
}

impl FtpDataCommand {
    /// Parses `retr` or `stor` (case-insensitive, as Suricata).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("retr") => Ok(FtpDataCommand::Retr),
            Some("stor") => Ok(FtpDataCommand::Stor),
            Some(v) => Err(format!("ftpdata_command: expected 'retr' or 'stor', got '{v}'")),
            None => Err("ftpdata_command: needs a value ('retr' or 'stor')".into()),
        }
    }

    /// Whether the data flow's command is this one (either direction).
    pub fn matches(&self, tx: &FtpDataTx, _dir: Direction) -> bool {
        matches!((self, tx.command), (FtpDataCommand::Retr, "RETR") | (FtpDataCommand::Stor, "STOR"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::ftp::{FtpDataState, FtpExpectation};

    #[test]
    fn retr_and_stor() {
        let e = FtpExpectation { port: 1, command: "STOR", filename: b"x".to_vec(), ts: Default::default() };
        let d = FtpDataState::new(1, &e);
        assert!(FtpDataCommand::parse(Some("STOR")).expect("parse").matches(&d.tx, Direction::ToServer));
        assert!(!FtpDataCommand::parse(Some("retr")).expect("parse").matches(&d.tx, Direction::ToClient));
        assert!(FtpDataCommand::parse(Some("list")).is_err());
        assert!(FtpDataCommand::parse(None).is_err());
    }
}
