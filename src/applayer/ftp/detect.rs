//! Detection hooks of FTP: the `ftp.command` and `ftp.command_data` sticky buffers (see the
//! app-layer contract). The non-buffer keywords `ftpbounce` and `ftpdata_command` are in
//! `src/detect/keywords/`.

use super::FtpTx;
use crate::flow::Direction;

/// One sticky buffer of FTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FtpBuf {
    /// `ftp.command`: the command name as Suricata names it (`USER`, `RETR`).
    Command,
    /// `ftp.command_data`: the command's argument.
    CommandData,
}

impl FtpBuf {
    /// Suricata's keyword names.
    pub fn from_keyword(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "ftp.command" => Some(FtpBuf::Command),
            "ftp.command_data" => Some(FtpBuf::CommandData),
            _ => None,
        }
    }

    /// Inspected on to_server packets.
    pub fn direction(self) -> Direction {
        Direction::ToServer
    }
}

/// Calls `f` on the buffer of `tx` when it is set; returns whether `f` returned true.
pub fn for_each(tx: &FtpTx, buf: FtpBuf, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    match buf {
        FtpBuf::Command => tx.command.is_some_and(|c| f(c.as_bytes())),
        FtpBuf::CommandData => tx.command.is_some() && !tx.command_data.is_empty() && f(&tx.command_data),
    }
}

/// Both buffers are final once the command line was parsed.
pub fn ready(tx: &FtpTx, _buf: FtpBuf) -> bool {
    tx.progress.request_complete
}
