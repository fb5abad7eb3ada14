//! `ssh.softwareversion:<prefix>` (legacy, `detect-ssh-software-version.c`): the banner's
//! software version of the side sending the packet starts with `<prefix>`. App-layer keyword
//! (proto3).

use crate::applayer::ssh::SshTx;
use crate::flow::Direction;

/// The compiled keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshSoftwareVersion(pub Vec<u8>);

impl SshSoftwareVersion {
    /// Parses the value (quotes allowed).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(|v| v.trim().trim_matches('"')).unwrap_or("");
        if v.is_empty() {
            return Err("ssh.softwareversion: needs a software version".into());
        }
        Ok(SshSoftwareVersion(v.as_bytes().to_vec()))
    }

    /// Whether the banner of the side sending in `dir` matches.
    pub fn matches(&self, tx: &SshTx, dir: Direction) -> bool {
        let v = &tx.header(dir).software_version;
        !v.is_empty() && v.starts_with(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix() {
        let mut tx = SshTx::default();
        tx.client.software_version = b"PuTTY_Release_0.70".to_vec();
        let k = SshSoftwareVersion::parse(Some("PuTTY")).expect("parse");
        assert!(k.matches(&tx, Direction::ToServer));
        assert!(!k.matches(&tx, Direction::ToClient));
        assert!(SshSoftwareVersion::parse(Some("")).is_err());
    }
}
