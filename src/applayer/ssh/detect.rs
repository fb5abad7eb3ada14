//! Detection hooks of SSH: the sticky buffers and their inspection (see the app-layer
//! contract). `ssh.proto` and `ssh.software` exist in both directions (the banner of the
//! side sending the packet): use [`for_each_dir`] for them; [`for_each`] gives the client's.

use super::SshTx;
use crate::flow::Direction;

/// One sticky buffer of SSH.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SshBuf {
    /// `ssh.proto` (`ssh_proto`): the protocol version of the banner.
    Proto,
    /// `ssh.software` (`ssh_software`): the software version of the banner.
    Software,
    /// `ssh.hassh` (`ssh_hassh`): the client's HASSH.
    Hassh,
    /// `ssh.hassh.string` (`ssh-hassh-string`): the client's HASSH string.
    HasshString,
    /// `ssh.hassh.server` (`ssh_hassh_server`): the server's HASSH.
    HasshServer,
    /// `ssh.hassh.server.string` (`ssh-hassh-server-string`): the server's HASSH string.
    HasshServerString,
}

impl SshBuf {
    /// Suricata's keyword names and legacy aliases.
    pub fn from_keyword(name: &str) -> Option<Self> {
        let b = match name.to_ascii_lowercase().as_str() {
            "ssh.proto" | "ssh_proto" => SshBuf::Proto,
            "ssh.software" | "ssh_software" => SshBuf::Software,
            "ssh.hassh" | "ssh_hassh" => SshBuf::Hassh,
            "ssh.hassh.string" | "ssh-hassh-string" | "ssh_hassh_string" => SshBuf::HasshString,
            "ssh.hassh.server" | "ssh_hassh_server" => SshBuf::HasshServer,
            "ssh.hassh.server.string" | "ssh-hassh-server-string" | "ssh_hassh_server_string" => SshBuf::HasshServerString,
            _ => return None,
        };
        Some(b)
    }

    /// Which direction's packets inspect it. `Proto` and `Software` are inspected in both
    /// (see [`SshBuf::both_directions`]); this returns ToServer for them.
    pub fn direction(self) -> Direction {
        match self {
            SshBuf::HasshServer | SshBuf::HasshServerString => Direction::ToClient,
            _ => Direction::ToServer,
        }
    }

    /// Whether packets of both directions inspect it (each its own side's banner).
    pub fn both_directions(self) -> bool {
        matches!(self, SshBuf::Proto | SshBuf::Software)
    }
}

fn value(tx: &SshTx, buf: SshBuf, dir: Direction) -> &[u8] {
    let h = tx.header(dir);
    match buf {
        SshBuf::Proto => &h.proto_version,
        SshBuf::Software => &h.software_version,
        SshBuf::Hassh => &tx.client.hassh,
        SshBuf::HasshString => &tx.client.hassh_string,
        SshBuf::HasshServer => &tx.server.hassh,
        SshBuf::HasshServerString => &tx.server.hassh_string,
    }
}

/// Calls `f` on the buffer (the client's side for `Proto`/`Software`) when it is set.
pub fn for_each(tx: &SshTx, buf: SshBuf, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    for_each_dir(tx, buf, buf.direction(), f)
}

/// As [`for_each`], for a packet travelling in `dir` (`Proto`/`Software` of that side).
pub fn for_each_dir(tx: &SshTx, buf: SshBuf, dir: Direction, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let v = value(tx, buf, dir);
    !v.is_empty() && f(v)
}

/// Whether `buf` is final: the banner was parsed (Proto/Software) or the KEXINIT was seen or
/// the side finished (HASSH).
pub fn ready(tx: &SshTx, buf: SshBuf) -> bool {
    let h = tx.header(buf.direction());
    match buf {
        SshBuf::Proto | SshBuf::Software => h.banner_done || h.finished,
        _ => !h.hassh.is_empty() || h.finished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::ssh::{SshConfig, SshState};

    #[test]
    fn buffers() {
        let (c, s) = crate::applayer::ssh::tests::conversation();
        let mut st = SshState::new(SshConfig::default());
        st.on_data(Direction::ToServer, Default::default(), &c);
        st.on_data(Direction::ToClient, Default::default(), &s);
        let tx = st.txs().next().expect("tx");
        let get = |b: SshBuf, d: Direction| {
            let mut out = Vec::new();
            for_each_dir(tx, b, d, &mut |v| {
                out = v.to_vec();
                true
            });
            String::from_utf8(out).expect("utf8")
        };
        assert_eq!(get(SshBuf::from_keyword("ssh_proto").expect("kw"), Direction::ToClient), "1.99");
        assert_eq!(get(SshBuf::Software, Direction::ToServer), "OpenSSH_8.9p1");
        assert_eq!(get(SshBuf::HasshServerString, Direction::ToServer), "diffie-hellman-group14-sha1;aes128-ctr;hmac-md5;zlib");
        assert_eq!(get(SshBuf::Hassh, Direction::ToServer).len(), 32);
        assert!(ready(tx, SshBuf::Hassh));
        assert_eq!(SshBuf::from_keyword("ssh.hassh.server"), Some(SshBuf::HasshServer));
        assert_eq!(SshBuf::HasshServer.direction(), Direction::ToClient);
        assert_eq!(SshBuf::from_keyword("ssh.nope"), None);
    }
}
