//! TLS sticky buffers for detection (the lead wires them into the engine).

use super::TlsTx;
use crate::applayer::Direction;

/// One sticky buffer of TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsBuf {
    /// `tls.sni` (`tls_sni`): ClientHello server_name.
    Sni,
    /// `tls.cert_subject` (`tls_cert_subject`): leaf certificate subject DN.
    CertSubject,
    /// `tls.cert_issuer` (`tls_cert_issuer`): leaf certificate issuer DN.
    CertIssuer,
    /// `tls.cert_serial` (`tls_cert_serial`): leaf serial `AA:BB:..`.
    CertSerial,
    /// `tls.cert_fingerprint` (`tls_cert_fingerprint`): leaf SHA-1 `aa:bb:..`.
    CertFingerprint,
    /// `tls.certs` (multi): each DER certificate of the server chain.
    Certs,
    /// `tls.subjectaltname` (multi): leaf SAN DNS names.
    SubjectAltName,
    /// `ja3.hash` (`ja3_hash`).
    Ja3Hash,
    /// `ja3.string` (`ja3_string`).
    Ja3String,
    /// `ja3s.hash` (`ja3s_hash`).
    Ja3sHash,
    /// `ja3s.string` (`ja3s_string`).
    Ja3sString,
    /// `ja4.hash`.
    Ja4Hash,
    /// `tls.random` (client side; Suricata has one per direction).
    RandomToServer,
    /// `tls.random` on to-client packets: the server random.
    RandomToClient,
    /// `tls.random_time`: the first 4 bytes of the client random.
    RandomTime,
    /// `tls.random_bytes`: the last 28 bytes of the client random.
    RandomBytes,
    /// `tls.alpn` (multi): client ALPN protocols.
    Alpn,
}

impl TlsBuf {
    /// Every buffer.
    pub const ALL: [TlsBuf; 17] = [
        TlsBuf::Sni,
        TlsBuf::CertSubject,
        TlsBuf::CertIssuer,
        TlsBuf::CertSerial,
        TlsBuf::CertFingerprint,
        TlsBuf::Certs,
        TlsBuf::SubjectAltName,
        TlsBuf::Ja3Hash,
        TlsBuf::Ja3String,
        TlsBuf::Ja3sHash,
        TlsBuf::Ja3sString,
        TlsBuf::Ja4Hash,
        TlsBuf::RandomToServer,
        TlsBuf::RandomToClient,
        TlsBuf::RandomTime,
        TlsBuf::RandomBytes,
        TlsBuf::Alpn,
    ];

    /// Suricata's keyword names and legacy aliases. `tls.random` maps to the to-server
    /// variant; the engine picks [`TlsBuf::RandomToClient`] for `flow:to_client` rules.
    pub fn from_keyword(name: &str) -> Option<Self> {
        let b = match name {
            "tls.sni" | "tls_sni" => TlsBuf::Sni,
            "tls.cert_subject" | "tls_cert_subject" => TlsBuf::CertSubject,
            "tls.cert_issuer" | "tls_cert_issuer" => TlsBuf::CertIssuer,
            "tls.cert_serial" | "tls_cert_serial" => TlsBuf::CertSerial,
            "tls.cert_fingerprint" | "tls_cert_fingerprint" => TlsBuf::CertFingerprint,
            "tls.certs" => TlsBuf::Certs,
            "tls.subjectaltname" => TlsBuf::SubjectAltName,
            "ja3.hash" | "ja3_hash" => TlsBuf::Ja3Hash,
            "ja3.string" | "ja3_string" => TlsBuf::Ja3String,
            "ja3s.hash" | "ja3s_hash" => TlsBuf::Ja3sHash,
            "ja3s.string" | "ja3s_string" => TlsBuf::Ja3sString,
            "ja4.hash" => TlsBuf::Ja4Hash,
            "tls.random" => TlsBuf::RandomToServer,
            "tls.random_time" => TlsBuf::RandomTime,
            "tls.random_bytes" => TlsBuf::RandomBytes,
            "tls.alpn" => TlsBuf::Alpn,
            _ => return None,
        };
        Some(b)
    }

    /// Which direction's packets inspect it.
    pub fn direction(self) -> Direction {
        match self {
            TlsBuf::Sni | TlsBuf::Ja3Hash | TlsBuf::Ja3String | TlsBuf::Ja4Hash | TlsBuf::RandomToServer | TlsBuf::RandomTime | TlsBuf::RandomBytes | TlsBuf::Alpn => Direction::ToServer,
            _ => Direction::ToClient,
        }
    }
}

/// Calls `f` on each instance of `buf` in `tx` until it returns true; returns whether it did.
/// No allocation.
pub fn for_each(tx: &TlsTx, buf: TlsBuf, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let ch = tx.client_hello.as_ref();
    let sh = tx.server_hello.as_ref();
    let c0 = tx.cert0();
    let one = |v: Option<&[u8]>, f: &mut dyn FnMut(&[u8]) -> bool| v.is_some_and(f);
    match buf {
        TlsBuf::Sni => one(ch.and_then(|c| c.sni.as_deref()), f),
        TlsBuf::CertSubject => one(c0.and_then(|c| c.subject.as_deref()).map(str::as_bytes), f),
        TlsBuf::CertIssuer => one(c0.and_then(|c| c.issuer.as_deref()).map(str::as_bytes), f),
        TlsBuf::CertSerial => one(c0.and_then(|c| c.serial.as_deref()).map(str::as_bytes), f),
        TlsBuf::CertFingerprint => one(c0.map(|c| c.fingerprint.as_bytes()), f),
        TlsBuf::Certs => tx.server_certs.iter().any(|c| f(&c.der)),
        TlsBuf::SubjectAltName => c0.is_some_and(|c| c.sans.iter().any(|s| f(s.as_bytes()))),
        TlsBuf::Ja3Hash => one(ch.filter(|c| !c.sslv2).map(|c| c.ja3_hash.as_bytes()), f),
        TlsBuf::Ja3String => one(ch.filter(|c| !c.sslv2).map(|c| c.ja3.as_bytes()), f),
        TlsBuf::Ja3sHash => one(sh.filter(|h| !h.sslv2).map(|h| h.ja3s_hash.as_bytes()), f),
        TlsBuf::Ja3sString => one(sh.filter(|h| !h.sslv2).map(|h| h.ja3s.as_bytes()), f),
        TlsBuf::Ja4Hash => one(ch.filter(|c| !c.sslv2).map(|c| c.ja4.as_bytes()), f),
        TlsBuf::RandomToServer => one(ch.filter(|c| !c.sslv2 && c.random.len() == 32).map(|c| c.random.as_slice()), f),
        TlsBuf::RandomToClient => one(sh.filter(|h| h.random.len() == 32).map(|h| h.random.as_slice()), f),
        TlsBuf::RandomTime => one(ch.filter(|c| !c.sslv2 && c.random.len() == 32).and_then(|c| c.random.get(..4)), f),
        TlsBuf::RandomBytes => one(ch.filter(|c| !c.sslv2 && c.random.len() == 32).and_then(|c| c.random.get(4..)), f),
        TlsBuf::Alpn => ch.is_some_and(|c| c.alpns.iter().any(|a| f(a))),
    }
}

/// Whether `buf` is final in `tx` (will not change any more).
pub fn ready(tx: &TlsTx, buf: TlsBuf) -> bool {
    match buf.direction() {
        Direction::ToServer => tx.client_hello.is_some() || tx.progress.request_complete,
        Direction::ToClient => match buf {
            TlsBuf::Ja3sHash | TlsBuf::Ja3sString | TlsBuf::RandomToClient => tx.server_hello.is_some() || tx.progress.response_complete,
            _ => !tx.server_certs.is_empty() || tx.progress.response_complete,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::ClientHello;

    #[test]
    fn keywords_and_aliases() {
        let table = [
            ("tls.sni", TlsBuf::Sni),
            ("tls_sni", TlsBuf::Sni),
            ("tls.cert_subject", TlsBuf::CertSubject),
            ("tls_cert_subject", TlsBuf::CertSubject),
            ("tls.cert_issuer", TlsBuf::CertIssuer),
            ("tls_cert_issuer", TlsBuf::CertIssuer),
            ("tls.certs", TlsBuf::Certs),
            ("ja3.hash", TlsBuf::Ja3Hash),
            ("ja3_hash", TlsBuf::Ja3Hash),
            ("ja3s.hash", TlsBuf::Ja3sHash),
            ("ja4.hash", TlsBuf::Ja4Hash),
            ("tls.alpn", TlsBuf::Alpn),
        ];
        for (k, b) in table {
            assert_eq!(TlsBuf::from_keyword(k), Some(b), "{k}");
        }
        assert_eq!(TlsBuf::from_keyword("tls.version"), None);
        assert_eq!(TlsBuf::Sni.direction(), Direction::ToServer);
        assert_eq!(TlsBuf::CertSubject.direction(), Direction::ToClient);
    }

    #[test]
    fn buffers_read_the_tx() {
        let mut tx = TlsTx::default();
        assert!(!ready(&tx, TlsBuf::Sni));
        tx.client_hello = Some(ClientHello { sni: Some(b"a.example".to_vec()), alpns: vec![b"h2".to_vec(), b"http/1.1".to_vec()], random: vec![1; 32], ..Default::default() });
        assert!(ready(&tx, TlsBuf::Sni));
        let mut got = Vec::new();
        for_each(&tx, TlsBuf::Alpn, &mut |b| {
            got.push(b.to_vec());
            false
        });
        assert_eq!(got, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert!(for_each(&tx, TlsBuf::Sni, &mut |b| b == b"a.example"));
        assert!(for_each(&tx, TlsBuf::RandomBytes, &mut |b| b.len() == 28));
        assert!(!for_each(&tx, TlsBuf::CertSubject, &mut |_| true));
    }
}
