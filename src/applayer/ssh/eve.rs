//! Suricata's EVE `ssh` object for the flow's transaction:
//! `{"client":{"proto_version","software_version","hassh":{"hash","string"}},"server":{...}}`
//! (a side without a banner is left out; `hassh` only when enabled and computed).

use super::{SshHeader, SshTx};
use crate::output::eve::JsonWriter;
use std::borrow::Cow;

/// Bytes as Suricata's `set_string_from_bytes` writes them: UTF-8 as is, otherwise every byte
/// that is not printable ASCII as `\xHH`.
pub fn bytes_str(v: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(v) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let mut s = String::with_capacity(v.len() * 2);
            for &b in v {
                if (0x20..0x7f).contains(&b) {
                    s.push(char::from(b));
                } else {
                    s.push_str(&format!("\\x{b:02X}"));
                }
            }
            Cow::Owned(s)
        }
    }
}

/// Whether the transaction has anything to log (Suricata skips a tx with no banner at all).
pub fn has_fields(tx: &SshTx) -> bool {
    !tx.client.proto_version.is_empty() || !tx.server.proto_version.is_empty()
}

fn side(w: &mut JsonWriter<'_>, key: &str, h: &SshHeader, hassh: bool) {
    if h.proto_version.is_empty() {
        return;
    }
    w.key(key).open();
    w.kstr("proto_version", &bytes_str(&h.proto_version));
    if !h.software_version.is_empty() {
        w.kstr("software_version", &bytes_str(&h.software_version));
    }
    if hassh && (!h.hassh.is_empty() || !h.hassh_string.is_empty()) {
        w.key("hassh").open();
        if !h.hassh.is_empty() {
            w.kstr("hash", &bytes_str(&h.hassh));
        }
        if !h.hassh_string.is_empty() {
            w.kstr("string", &bytes_str(&h.hassh_string));
        }
        w.close();
    }
    w.close();
}

/// Writes the members of the `ssh` object (the caller opens and closes it).
pub fn write_ssh(tx: &SshTx, hassh: bool, w: &mut JsonWriter<'_>) {
    side(w, "client", &tx.client, hassh);
    side(w, "server", &tx.server, hassh);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_shape() {
        let (c, s) = super::super::tests::conversation();
        let mut st = super::super::SshState::new(Default::default());
        st.on_data(crate::flow::Direction::ToServer, Default::default(), &c);
        st.on_data(crate::flow::Direction::ToClient, Default::default(), &s);
        let tx = st.txs().next().expect("tx");
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open();
        write_ssh(tx, false, &mut w);
        w.close();
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            r#"{"client":{"proto_version":"2.0","software_version":"OpenSSH_8.9p1"},"server":{"proto_version":"1.99","software_version":"Cisco-1.25"}}"#
        );
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open();
        write_ssh(tx, true, &mut w);
        w.close();
        let v: serde_json::Value = serde_json::from_slice(&buf).expect("json");
        assert_eq!(v["server"]["hassh"]["string"], "diffie-hellman-group14-sha1;aes128-ctr;hmac-md5;zlib");
        assert_eq!(v["client"]["hassh"]["hash"].as_str().map(str::len), Some(32));
    }

    #[test]
    fn non_utf8_bytes_are_escaped() {
        assert_eq!(bytes_str(b"a\xffb"), "a\\xFFb");
        assert_eq!(bytes_str("é".as_bytes()), "é");
    }
}
