//! Pure TLS/SSL message helpers: record framing constants, the hello messages (parsed with
//! `tls-parser`) turned into owned summaries with their fingerprints, and the SSLv2 hellos.
//!
//! Nothing here keeps state or panics on input: every length is checked, a malformed
//! extension ends the extension walk (and raises an event where Suricata has one).

use super::{ja3, ja4, TlsEvent};
use tls_parser::{TlsMessage, TlsMessageHandshake};

/// Record content types.
pub mod content {
    /// change_cipher_spec
    pub const CCS: u8 = 20;
    /// alert
    pub const ALERT: u8 = 21;
    /// handshake
    pub const HANDSHAKE: u8 = 22;
    /// application_data
    pub const APPLICATION_DATA: u8 = 23;
    /// heartbeat
    pub const HEARTBEAT: u8 = 24;
}

/// Handshake message types this parser acts on (others are accepted and skipped).
pub mod hs {
    /// hello_request
    pub const HELLO_REQUEST: u8 = 0;
    /// client_hello
    pub const CLIENT_HELLO: u8 = 1;
    /// server_hello
    pub const SERVER_HELLO: u8 = 2;
    /// certificate
    pub const CERTIFICATE: u8 = 11;
    /// server_key_exchange
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    /// server_hello_done
    pub const SERVER_HELLO_DONE: u8 = 14;
    /// client_key_exchange
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;

    /// Whether `t` is a handshake type defined by an RFC or a well-known draft (others raise
    /// `invalid_handshake_message`).
    pub fn is_known(t: u8) -> bool {
        matches!(t, 0..=8 | 11..=16 | 20..=25 | 67 | 254)
    }
}

/// The version Rampart records for TLS 1.3 drafts 1..15 (named `TLS 1.3 draft-<16`).
pub const PRE_DRAFT16: u16 = 0x7f0f;

/// Most ALPN values, ciphers or extensions kept from one hello (the wire format bounds them
/// too: a hello is at most `TlsConfig::max_handshake_len` bytes).
pub const MAX_LIST: usize = 512;

/// A ClientHello, as EVE and the keywords need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// SSLv2-format hello (no extensions, no JA3/JA4).
    pub sslv2: bool,
    /// legacy_version.
    pub version: u16,
    /// The 32-byte random (SSLv2: the challenge, 16..32 bytes).
    pub random: Vec<u8>,
    /// Session id.
    pub session_id: Vec<u8>,
    /// Cipher suites, wire order.
    pub ciphers: Vec<u16>,
    /// Extension types, wire order.
    pub extensions: Vec<u16>,
    /// supported_groups.
    pub groups: Vec<u16>,
    /// ec_point_formats.
    pub point_formats: Vec<u8>,
    /// signature_algorithms.
    pub sig_algs: Vec<u16>,
    /// supported_versions.
    pub supported_versions: Vec<u16>,
    /// server_name host_name (the first).
    pub sni: Option<Vec<u8>>,
    /// ALPN protocols, wire order.
    pub alpns: Vec<Vec<u8>>,
    /// JA3 string (empty for SSLv2).
    pub ja3: String,
    /// JA3 MD5.
    pub ja3_hash: String,
    /// JA4 (empty for SSLv2).
    pub ja4: String,
}

/// A ServerHello.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerHello {
    /// SSLv2-format server hello.
    pub sslv2: bool,
    /// legacy_version.
    pub version: u16,
    /// The negotiated version (supported_versions when present, else legacy_version).
    pub selected_version: u16,
    /// Random.
    pub random: Vec<u8>,
    /// Session id.
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher: u16,
    /// Extension types, wire order.
    pub extensions: Vec<u16>,
    /// ALPN protocols.
    pub alpns: Vec<Vec<u8>>,
    /// JA3S string.
    pub ja3s: String,
    /// JA3S MD5.
    pub ja3s_hash: String,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Iterates `(type, data)` over an extensions block; stops at the first malformed entry.
pub fn extensions(mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let t = be16(b, 0)?;
        let l = usize::from(be16(b, 2)?);
        let data = b.get(4..4 + l)?;
        b = b.get(4 + l..)?;
        Some((t, data))
    })
}

/// A list of u16 with a 2-byte length prefix.
fn u16_list(d: &[u8], out: &mut Vec<u16>) {
    let Some(l) = be16(d, 0) else { return };
    let body = d.get(2..2 + usize::from(l)).unwrap_or(d.get(2..).unwrap_or(&[]));
    for c in body.chunks_exact(2).take(MAX_LIST) {
        out.push(u16::from_be_bytes([c[0], c[1]]));
    }
}

/// ALPN: 2-byte list length, then 1-byte-length strings.
fn alpn_list(d: &[u8], out: &mut Vec<Vec<u8>>, max: usize) {
    let Some(l) = be16(d, 0) else { return };
    let mut b = d.get(2..2 + usize::from(l)).unwrap_or(&[]);
    while let Some((&n, rest)) = b.split_first() {
        let Some(p) = rest.get(..usize::from(n)) else { break };
        if out.len() < max {
            out.push(p.to_vec());
        }
        b = &rest[usize::from(n)..];
    }
}

/// SNI: the first host_name; raises events for other types and bad lengths.
fn sni(d: &[u8], events: &mut Vec<TlsEvent>) -> Option<Vec<u8>> {
    let Some(l) = be16(d, 0) else {
        events.push(TlsEvent::InvalidSniLength);
        return None;
    };
    let Some(mut b) = d.get(2..2 + usize::from(l)) else {
        events.push(TlsEvent::InvalidSniLength);
        return None;
    };
    let mut found = None;
    while !b.is_empty() {
        let t = b[0];
        let Some(n) = be16(b, 1) else {
            events.push(TlsEvent::InvalidSniLength);
            break;
        };
        let Some(name) = b.get(3..3 + usize::from(n)) else {
            events.push(TlsEvent::InvalidSniLength);
            break;
        };
        if t != 0 {
            events.push(TlsEvent::InvalidSniType);
        } else if found.is_none() {
            found = Some(name.to_vec());
        }
        b = &b[3 + usize::from(n)..];
    }
    found
}

/// Parses a whole ClientHello handshake message (`msg` starts with the 4-byte handshake
/// header). `None` when it does not parse (raise `invalid_handshake_message`).
pub fn parse_client_hello(msg: &[u8], max_alpns: usize, events: &mut Vec<TlsEvent>) -> Option<ClientHello> {
    let Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ClientHello(c)))) = tls_parser::parse_tls_message_handshake(msg) else {
        return None;
    };
    let mut h = ClientHello {
        version: c.version.0,
        random: c.random.to_vec(),
        session_id: c.session_id.unwrap_or(&[]).to_vec(),
        ciphers: c.ciphers.iter().take(MAX_LIST).map(|x| x.0).collect(),
        ..ClientHello::default()
    };
    let mut n_sni = 0;
    for (t, d) in extensions(c.ext.unwrap_or(&[])) {
        if h.extensions.len() < MAX_LIST {
            h.extensions.push(t);
        }
        match t {
            0 => {
                n_sni += 1;
                if n_sni == 2 {
                    events.push(TlsEvent::MultipleSniExtensions);
                }
                let s = sni(d, events);
                if h.sni.is_none() {
                    h.sni = s;
                }
            }
            10 => u16_list(d, &mut h.groups),
            11 => {
                if let Some((&n, rest)) = d.split_first() {
                    h.point_formats = rest.get(..usize::from(n)).unwrap_or(rest).to_vec();
                }
            }
            13 => u16_list(d, &mut h.sig_algs),
            16 => alpn_list(d, &mut h.alpns, max_alpns),
            43 => {
                if let Some((&n, rest)) = d.split_first() {
                    let body = rest.get(..usize::from(n)).unwrap_or(rest);
                    h.supported_versions.extend(body.chunks_exact(2).take(MAX_LIST).map(|c| u16::from_be_bytes([c[0], c[1]])));
                }
            }
            _ => {}
        }
    }
    h.ja3 = ja3::ja3_string(h.version, &h.ciphers, &h.extensions, &h.groups, &h.point_formats);
    h.ja3_hash = ja3::md5_hex(&h.ja3);
    h.ja4 = ja4::ja4(&ja4::Ja4Input {
        version: h.version,
        supported_versions: &h.supported_versions,
        ciphers: &h.ciphers,
        extensions: &h.extensions,
        sig_algs: &h.sig_algs,
        first_alpn: h.alpns.first().map(|v| v.as_slice()),
    });
    Some(h)
}

/// Parses a whole ServerHello handshake message (with its 4-byte header); `None` when it
/// does not parse.
pub fn parse_server_hello(msg: &[u8], max_alpns: usize) -> Option<ServerHello> {
    let (version, random, sid, cipher, ext) = match tls_parser::parse_tls_message_handshake(msg) {
        Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(s)))) => (s.version.0, s.random, s.session_id.unwrap_or(&[]), s.cipher.0, s.ext),
        Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHelloV13Draft18(s)))) => (s.version.0, s.random, &[][..], s.cipher.0, s.ext),
        _ => draft13_server_hello(msg)?,
    };
    let mut h = ServerHello {
        version,
        selected_version: version,
        random: random.to_vec(),
        session_id: sid.to_vec(),
        cipher,
        ..ServerHello::default()
    };
    for (t, d) in extensions(ext.unwrap_or(&[])) {
        if h.extensions.len() < MAX_LIST {
            h.extensions.push(t);
        }
        match t {
            16 => alpn_list(d, &mut h.alpns, max_alpns),
            43 => {
                if let Some(v) = be16(d, 0) {
                    h.selected_version = v;
                }
            }
            _ => {}
        }
    }
    // TLS 1.3 drafts 1..15 put 0x0304 in the legacy field (the final RFC never does):
    // Suricata's "TLS 1.3 draft-<16".
    if h.version == 0x0304 {
        h.selected_version = PRE_DRAFT16;
    }
    h.ja3s = ja3::ja3s_string(h.version, h.cipher, &h.extensions);
    h.ja3s_hash = ja3::md5_hex(&h.ja3s);
    Some(h)
}

/// A TLS 1.3 draft ServerHello that `tls-parser` does not know (drafts before 18: version
/// 0x7fxx, or 0x0304 itself for drafts 1..15): version, random, cipher, extensions (no session
/// id, no compression).
#[allow(clippy::type_complexity)]
fn draft13_server_hello(msg: &[u8]) -> Option<(u16, &[u8], &[u8], u16, Option<&[u8]>)> {
    let b = msg.get(4..)?;
    let v = be16(b, 0)?;
    if v >> 8 != 0x7f && v != 0x0304 {
        return None;
    }
    let random = b.get(2..34)?;
    let cipher = be16(b, 34)?;
    let ext = match be16(b, 36) {
        Some(n) => Some(b.get(38..38 + usize::from(n))?),
        None => None,
    };
    Some((v, random, &[][..], cipher, ext))
}

/// SSLv2 message types.
pub mod sslv2 {
    /// CLIENT-HELLO
    pub const CLIENT_HELLO: u8 = 1;
    /// CLIENT-MASTER-KEY
    pub const CLIENT_MASTER_KEY: u8 = 2;
    /// SERVER-HELLO
    pub const SERVER_HELLO: u8 = 4;
}

/// An SSLv2 CLIENT-HELLO body (`m` starts with the message type byte).
pub fn parse_sslv2_client_hello(m: &[u8]) -> Option<ClientHello> {
    let version = be16(m, 1)?;
    let cs = usize::from(be16(m, 3)?);
    let sid = usize::from(be16(m, 5)?);
    let ch = usize::from(be16(m, 7)?);
    let specs = m.get(9..9 + cs)?;
    let session_id = m.get(9 + cs..9 + cs + sid)?.to_vec();
    let random = m.get(9 + cs + sid..9 + cs + sid + ch)?.to_vec();
    let ciphers = specs
        .chunks_exact(3)
        .filter(|c| c[0] == 0)
        .take(MAX_LIST)
        .map(|c| u16::from_be_bytes([c[1], c[2]]))
        .collect();
    Some(ClientHello { sslv2: true, version, random, session_id, ciphers, ..ClientHello::default() })
}

/// An SSLv2 SERVER-HELLO body: `(version, certificate DER)`.
pub fn parse_sslv2_server_hello(m: &[u8]) -> Option<(u16, &[u8])> {
    let version = be16(m, 3)?;
    let cert_len = usize::from(be16(m, 5)?);
    let cs = usize::from(be16(m, 7)?);
    let _conn_id = be16(m, 9)?;
    let cert = m.get(11..11 + cert_len)?;
    let _ = cs;
    Some((version, cert))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_walk_stops_at_damage() {
        let b = [0, 0, 0, 1, 9, 0, 10, 0, 5, 1];
        let v: Vec<_> = extensions(&b).collect();
        assert_eq!(v, vec![(0u16, &[9u8][..])]);
    }

    #[test]
    fn sni_events() {
        let mut ev = Vec::new();
        // list len 8: type 1 (bad) len 1 "a", type 0 len 1 "b"
        let d = [0, 8, 1, 0, 1, b'a', 0, 0, 1, b'b'];
        assert_eq!(sni(&d, &mut ev), Some(b"b".to_vec()));
        assert_eq!(ev, vec![TlsEvent::InvalidSniType]);
        ev.clear();
        assert_eq!(sni(&[0, 9, 0, 0, 200], &mut ev), None);
        assert_eq!(ev, vec![TlsEvent::InvalidSniLength]);
    }

    #[test]
    fn sslv2_client_hello() {
        // From zeek ssl.v3.pcap: CLIENT-HELLO, version 3.1, 60 bytes of specs, 16-byte challenge.
        let mut m = vec![1, 3, 1, 0, 6, 0, 0, 0, 16];
        m.extend_from_slice(&[0, 0, 0x39, 0x07, 0x00, 0xc0]);
        m.extend_from_slice(&[7u8; 16]);
        let h = parse_sslv2_client_hello(&m).expect("parses");
        assert!(h.sslv2);
        assert_eq!(h.version, 0x0301);
        assert_eq!(h.ciphers, vec![0x39]);
        assert_eq!(h.random.len(), 16);
        assert!(parse_sslv2_client_hello(&m[..12]).is_none());
    }
}
