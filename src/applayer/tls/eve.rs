//! The fields of Suricata's EVE `tls` object for a flow's transaction, in Suricata's order
//! (`JsonTlsLogFields`): subject, issuerdn, subjectaltname, session_resumed, serial,
//! fingerprint, sni, version, notbefore, notafter, certificate, chain, ja3, ja3s, ja4,
//! client_alpns, server_alpns, client.
//!
//! The writer is abstract ([`TlsEveSink`]) so the app layer does not depend on the output
//! stage; `applayer::session` adapts it to the EVE JSON writer.

use super::{cert, version_name, TlsTx};

/// Which fields to write (Suricata: `extended`, `custom`, `session-resumption`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlsEveOptions {
    /// Bit set of [`fields`].
    pub fields: u32,
    /// Log resumed sessions (`session-resumption`, default yes).
    pub session_resumption: bool,
}

/// Field bits (Suricata's `custom` names in comments).
pub mod fields {
    /// `version`
    pub const VERSION: u32 = 1 << 0;
    /// `subject`
    pub const SUBJECT: u32 = 1 << 1;
    /// `issuer`
    pub const ISSUER: u32 = 1 << 2;
    /// `serial`
    pub const SERIAL: u32 = 1 << 3;
    /// `fingerprint`
    pub const FINGERPRINT: u32 = 1 << 4;
    /// `not_before`
    pub const NOTBEFORE: u32 = 1 << 5;
    /// `not_after`
    pub const NOTAFTER: u32 = 1 << 6;
    /// `sni`
    pub const SNI: u32 = 1 << 7;
    /// `certificate`
    pub const CERTIFICATE: u32 = 1 << 8;
    /// `chain`
    pub const CHAIN: u32 = 1 << 9;
    /// `session_resumed`
    pub const SESSION_RESUMED: u32 = 1 << 10;
    /// `ja3`
    pub const JA3: u32 = 1 << 11;
    /// `ja3s`
    pub const JA3S: u32 = 1 << 12;
    /// `client`
    pub const CLIENT: u32 = 1 << 13;
    /// `client_certificate`
    pub const CLIENT_CERT: u32 = 1 << 14;
    /// `client_chain`
    pub const CLIENT_CHAIN: u32 = 1 << 15;
    /// `ja4`
    pub const JA4: u32 = 1 << 16;
    /// `subjectaltname`
    pub const SUBJECTALTNAME: u32 = 1 << 17;
    /// `client_alpns`
    pub const CLIENT_ALPNS: u32 = 1 << 18;
    /// `server_alpns`
    pub const SERVER_ALPNS: u32 = 1 << 19;
    /// Basic logging (no `extended`).
    pub const BASIC: u32 = SUBJECT | ISSUER | SUBJECTALTNAME;
    /// `extended: yes`.
    pub const EXTENDED: u32 = BASIC | VERSION | SERIAL | FINGERPRINT | NOTBEFORE | NOTAFTER | JA3 | JA3S | JA4 | CLIENT | CLIENT_ALPNS | SERVER_ALPNS | SNI;

    /// A `custom` field name (case-insensitive) to its bit.
    pub fn from_name(n: &str) -> Option<u32> {
        let b = match n.to_ascii_lowercase().as_str() {
            "version" => VERSION,
            "subject" => SUBJECT,
            "issuer" => ISSUER,
            "serial" => SERIAL,
            "fingerprint" => FINGERPRINT,
            "not_before" => NOTBEFORE,
            "not_after" => NOTAFTER,
            "sni" => SNI,
            "certificate" => CERTIFICATE,
            "chain" => CHAIN,
            "session_resumed" => SESSION_RESUMED,
            "ja3" => JA3,
            "ja3s" => JA3S,
            "client" => CLIENT,
            "client_certificate" => CLIENT_CERT | CLIENT,
            "client_chain" => CLIENT_CHAIN | CLIENT,
            "ja4" => JA4,
            "subjectaltname" => SUBJECTALTNAME,
            "client_alpns" => CLIENT_ALPNS,
            "server_alpns" => SERVER_ALPNS,
            _ => return None,
        };
        Some(b)
    }
}

impl Default for TlsEveOptions {
    /// Suricata's default configuration (`extended: yes`, session resumption logged).
    fn default() -> Self {
        TlsEveOptions { fields: fields::EXTENDED | fields::SESSION_RESUMED, session_resumption: true }
    }
}

/// Where the fields go.
pub trait TlsEveSink {
    /// A string member.
    fn string(&mut self, key: &str, value: &str);
    /// A boolean member.
    fn boolean(&mut self, key: &str, value: bool);
    /// An array of strings.
    fn strings(&mut self, key: &str, values: &mut dyn Iterator<Item = &str>);
    /// A base64 string member.
    fn base64(&mut self, key: &str, data: &[u8]);
    /// An array of base64 strings.
    fn base64s(&mut self, key: &str, values: &mut dyn Iterator<Item = &[u8]>);
    /// Opens an object member.
    fn open(&mut self, key: &str);
    /// Closes the innermost object.
    fn close(&mut self);
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

fn cert_fields(s: &mut dyn TlsEveSink, c: &cert::CertInfo, log_cert: bool, log_chain: bool, chain: &[cert::CertInfo], client: bool) {
    if let Some(v) = &c.subject {
        s.string("subject", v);
    }
    if let Some(v) = &c.issuer {
        s.string("issuerdn", v);
    }
    if client {
        s.string("fingerprint", &c.fingerprint);
        if let Some(v) = &c.serial {
            s.string("serial", v);
        }
        if let Some(t) = c.not_before {
            s.string("notbefore", &cert::format_time(t));
        }
        if let Some(t) = c.not_after {
            s.string("notafter", &cert::format_time(t));
        }
    }
    if log_cert {
        s.base64("certificate", &c.der);
    }
    if log_chain {
        s.base64s("chain", &mut chain.iter().map(|c| c.der.as_slice()));
    }
}

/// Writes the members of the `tls` object for `tx`.
pub fn write_tls(tx: &TlsTx, opts: TlsEveOptions, s: &mut dyn TlsEveSink) {
    let f = opts.fields;
    let c0 = tx.cert0();
    if f & fields::SUBJECT != 0 {
        if let Some(v) = c0.and_then(|c| c.subject.as_deref()) {
            s.string("subject", v);
        }
    }
    if f & fields::ISSUER != 0 {
        if let Some(v) = c0.and_then(|c| c.issuer.as_deref()) {
            s.string("issuerdn", v);
        }
    }
    if f & fields::SUBJECTALTNAME != 0 {
        if let Some(c) = c0.filter(|c| !c.sans.is_empty()) {
            s.strings("subjectaltname", &mut c.sans.iter().map(|x| x.as_str()));
        }
    }
    if f & fields::SESSION_RESUMED != 0 && tx.session_resumed {
        let no_cert = c0.is_none_or(|c| c.subject.is_none() && c.issuer.is_none());
        if no_cert && tx.server_hello.is_some() && !tx.log_without_cert {
            s.boolean("session_resumed", true);
        }
    }
    if f & fields::SERIAL != 0 {
        if let Some(v) = c0.and_then(|c| c.serial.as_deref()) {
            s.string("serial", v);
        }
    }
    if f & fields::FINGERPRINT != 0 {
        if let Some(c) = c0 {
            s.string("fingerprint", &c.fingerprint);
        }
    }
    let ch = tx.client_hello.as_ref();
    if f & fields::SNI != 0 {
        if let Some(v) = ch.and_then(|c| c.sni.as_deref()) {
            s.string("sni", &lossy(v));
        }
    }
    if f & fields::VERSION != 0 {
        s.string("version", &version_name(tx.version));
    }
    if f & fields::NOTBEFORE != 0 {
        if let Some(t) = c0.and_then(|c| c.not_before).filter(|t| *t != 0) {
            s.string("notbefore", &cert::format_time(t));
        }
    }
    if f & fields::NOTAFTER != 0 {
        if let Some(t) = c0.and_then(|c| c.not_after).filter(|t| *t != 0) {
            s.string("notafter", &cert::format_time(t));
        }
    }
    if f & fields::CERTIFICATE != 0 {
        if let Some(c) = c0 {
            s.base64("certificate", &c.der);
        }
    }
    if f & fields::CHAIN != 0 && !tx.server_certs.is_empty() {
        s.base64s("chain", &mut tx.server_certs.iter().map(|c| c.der.as_slice()));
    }
    let ch_tls = ch.filter(|c| !c.sslv2);
    if f & fields::JA3 != 0 {
        if let Some(c) = ch_tls {
            s.open("ja3");
            s.string("hash", &c.ja3_hash);
            s.string("string", &c.ja3);
            s.close();
        }
    }
    let sh_tls = tx.server_hello.as_ref().filter(|h| !h.sslv2);
    if f & fields::JA3S != 0 {
        if let Some(h) = sh_tls {
            s.open("ja3s");
            s.string("hash", &h.ja3s_hash);
            s.string("string", &h.ja3s);
            s.close();
        }
    }
    if f & fields::JA4 != 0 {
        if let Some(c) = ch_tls {
            s.string("ja4", &c.ja4);
        }
    }
    if f & fields::CLIENT_ALPNS != 0 {
        if let Some(c) = ch_tls.filter(|c| !c.alpns.is_empty()) {
            s.strings("client_alpns", &mut c.alpns.iter().map(|a| std::str::from_utf8(a).unwrap_or("")));
        }
    }
    if f & fields::SERVER_ALPNS != 0 {
        if let Some(h) = sh_tls.filter(|h| !h.alpns.is_empty()) {
            s.strings("server_alpns", &mut h.alpns.iter().map(|a| std::str::from_utf8(a).unwrap_or("")));
        }
    }
    if f & fields::CLIENT != 0 {
        if let Some(c) = tx.client_certs.first().filter(|c| c.subject.is_some() || c.issuer.is_some()) {
            s.open("client");
            cert_fields(s, c, f & fields::CLIENT_CERT != 0, f & fields::CLIENT_CHAIN != 0, &tx.client_certs, true);
            s.close();
        }
    }
    if let Some(p) = tx.from_proto {
        s.string("from_proto", p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::harness::CountSink;

    /// Records (key, value) pairs in order.
    #[derive(Default)]
    struct Keys(Vec<(String, String)>);

    impl TlsEveSink for Keys {
        fn string(&mut self, k: &str, v: &str) {
            self.0.push((k.into(), v.into()));
        }
        fn boolean(&mut self, k: &str, v: bool) {
            self.0.push((k.into(), v.to_string()));
        }
        fn strings(&mut self, k: &str, v: &mut dyn Iterator<Item = &str>) {
            let v: Vec<&str> = v.collect();
            self.0.push((k.into(), v.join(",")));
        }
        fn base64(&mut self, k: &str, _: &[u8]) {
            self.0.push((k.into(), String::new()));
        }
        fn base64s(&mut self, k: &str, _: &mut dyn Iterator<Item = &[u8]>) {
            self.0.push((k.into(), String::new()));
        }
        fn open(&mut self, k: &str) {
            self.0.push((k.into(), "{".into()));
        }
        fn close(&mut self) {
            self.0.push(("}".into(), String::new()));
        }
    }

    #[test]
    fn order_and_options() {
        use crate::applayer::tls::{cert::CertInfo, ClientHello, ServerHello};
        let tx = TlsTx {
            version: 0x0303,
            client_hello: Some(ClientHello { sni: Some(b"a".to_vec()), ja3: "j".into(), ja3_hash: "h".into(), ja4: "t".into(), alpns: vec![b"h2".to_vec()], ..Default::default() }),
            server_hello: Some(ServerHello { ja3s: "s".into(), ja3s_hash: "sh".into(), ..Default::default() }),
            server_certs: vec![CertInfo { subject: Some("CN=a".into()), issuer: Some("CN=b".into()), serial: Some("01".into()), fingerprint: "aa".into(), not_before: Some(1), not_after: Some(86_400), sans: vec!["a".into()], ..Default::default() }],
            from_proto: Some("smtp"),
            ..Default::default()
        };
        let mut k = Keys::default();
        write_tls(&tx, TlsEveOptions::default(), &mut k);
        let keys: Vec<&str> = k.0.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            keys,
            ["subject", "issuerdn", "subjectaltname", "serial", "fingerprint", "sni", "version", "notbefore", "notafter", "ja3", "hash", "string", "}", "ja3s", "hash", "string", "}", "ja4", "client_alpns", "from_proto"]
        );
        let mut k = Keys::default();
        write_tls(&tx, TlsEveOptions { fields: fields::BASIC, session_resumption: true }, &mut k);
        let keys: Vec<&str> = k.0.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(keys, ["subject", "issuerdn", "subjectaltname", "from_proto"]);
        assert_eq!(fields::from_name("NOT_AFTER"), Some(fields::NOTAFTER));
        let mut c = CountSink::default();
        write_tls(&tx, TlsEveOptions { fields: u32::MAX, session_resumption: true }, &mut c);
        assert!(c.0 > 0);
    }
}
