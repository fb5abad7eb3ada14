//! `ssh.protoversion:<version>` (legacy `ssh.protoversion` of `detect-ssh-proto-version.c`):
//! the banner's protocol version of the side sending the packet starts with `<version>`;
//! `2_compat` matches `2.x` and `1.99` (SSH-2 capable). App-layer keyword (proto3).

use crate::applayer::ssh::SshTx;
use crate::flow::Direction;

/// The compiled keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SshProtoVersion {
    /// `2_compat`.
    Compat2,
    /// A version prefix (`2.0`, `1.`).
    Prefix(Vec<u8>),
}

impl SshProtoVersion {
    /// Parses the value (quotes allowed).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(|v| v.trim().trim_matches('"')).unwrap_or("");
        if v.is_empty() {
            return Err("ssh.protoversion: needs a version".into());
        }
        if v.eq_ignore_ascii_case("2_compat") {
            return Ok(SshProtoVersion::Compat2);
        }
        Ok(SshProtoVersion::Prefix(v.as_bytes().to_vec()))
    }

    /// Whether the banner of the side sending in `dir` matches.
    pub fn matches(&self, tx: &SshTx, dir: Direction) -> bool {
        let v = &tx.header(dir).proto_version;
        if v.is_empty() {
            return false;
        }
        match self {
            SshProtoVersion::Compat2 => v.starts_with(b"2") || v.as_slice() == b"1.99",
            SshProtoVersion::Prefix(p) => v.starts_with(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let mut tx = SshTx::default();
        tx.client.proto_version = b"2.0".to_vec();
        tx.server.proto_version = b"1.99".to_vec();
        let c = SshProtoVersion::parse(Some("2_compat")).expect("parse");
        assert!(c.matches(&tx, Direction::ToServer) && c.matches(&tx, Direction::ToClient));
        let p = SshProtoVersion::parse(Some("\"2.0\"")).expect("parse");
        assert!(p.matches(&tx, Direction::ToServer) && !p.matches(&tx, Direction::ToClient));
        assert!(SshProtoVersion::parse(None).is_err());
    }
}
