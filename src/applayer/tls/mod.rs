//! TLS and SSL over reassembled TCP streams (Suricata's `tls` app-layer).
//!
//! - [`parser`]: pure helpers: record header, SSLv2 record, ClientHello / ServerHello
//!   extraction (through the `tls-parser` crate) into owned [`ClientHello`] / [`ServerHello`].
//! - [`cert`]: X.509 certificate fields (through `x509-parser`) as Suricata logs them.
//! - [`ja3`], [`ja4`]: the fingerprints.
//! - [`state`]: [`TlsState`], the per-flow parser: records split across chunks, handshake
//!   messages split across records and several messages per record all work; after
//!   ChangeCipherSpec (or a TLS 1.3 ServerHello) a direction's records are only counted.
//! - [`eve`]: the fields of Suricata's EVE `tls` object.
//! - [`detect`]: sticky buffers for detection; keywords in `src/detect/keywords/tls_*.rs`.
//!
//! Suricata's model: one transaction per flow, complete when both sides finished their
//! handshake (or at flow end).
//!
//! # Bounds (all in [`TlsConfig`])
//! A handshake message is kept whole up to `max_handshake_len` bytes (bigger ones raise
//! [`TlsEvent::HandshakeInvalidLength`] and the direction stops parsing handshakes); an SSLv2
//! record is at most 32 KiB by its format; at most `max_certs` certificates of a chain are kept
//! (DER bytes included), at most `max_alpns` ALPN values, at most `max_events` events.

pub mod cert;
pub mod detect;
pub mod eve;
pub mod harness;
pub mod ja3;
pub mod ja4;
pub mod parser;
pub mod state;

pub use parser::{ClientHello, ServerHello};
pub use state::TlsState;

use super::{TxId, TxProgress};
use cert::CertInfo;

/// Limits of the TLS parser (per flow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// Largest handshake message kept for parsing (a certificate chain is one message).
    pub max_handshake_len: usize,
    /// Certificates of a chain kept (parsed and as DER).
    pub max_certs: usize,
    /// ALPN values kept per side.
    pub max_alpns: usize,
    /// Events kept per flow (later ones are dropped, counted in `events_dropped`).
    pub max_events: usize,
    /// Records parsed in one chunk before [`TlsEvent::TooManyRecordsInPacket`] (Suricata: 255).
    pub max_records_per_chunk: usize,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig { max_handshake_len: 256 * 1024, max_certs: 16, max_alpns: 16, max_events: 64, max_records_per_chunk: 255 }
    }
}

macro_rules! tls_events {
    ($($(#[$doc:meta])* $v:ident => $name:literal,)*) => {
        /// A TLS app-layer event (Suricata's `tls.*` names, `app-layer-event:tls.<name>`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum TlsEvent {
            $($(#[$doc])* $v,)*
        }
        impl TlsEvent {
            /// Every event.
            pub const ALL: &'static [TlsEvent] = &[$(TlsEvent::$v,)*];
            /// The name without the `tls.` prefix.
            pub fn name(self) -> &'static str {
                match self { $(TlsEvent::$v => $name,)* }
            }
            /// Looks a name up, with or without the `tls.` prefix.
            pub fn from_name(name: &str) -> Option<TlsEvent> {
                let n = name.strip_prefix("tls.").unwrap_or(name);
                match n { $($name => Some(TlsEvent::$v),)* _ => None }
            }
        }
    };
}

tls_events! {
    /// Malformed SSLv2 record header.
    InvalidSslv2Header => "invalid_sslv2_header",
    /// Record header with an impossible content type or version while in the handshake.
    InvalidTlsHeader => "invalid_tls_header",
    /// Record version is not SSLv3..TLS 1.3 style (3.x).
    InvalidRecordVersion => "invalid_record_version",
    /// Unknown record content type.
    InvalidRecordType => "invalid_record_type",
    /// Unknown or unparsable handshake message.
    InvalidHandshakeMessage => "invalid_handshake_message",
    /// A certificate could not be decoded.
    InvalidCertificate => "invalid_certificate",
    /// Certificate (chain) lengths inconsistent.
    CertificateInvalidLength => "certificate_invalid_length",
    /// A fatal alert was seen in the clear.
    ErrorMessageEncountered => "error_message_encountered",
    /// A record that cannot be framed.
    InvalidSslRecord => "invalid_ssl_record",
    /// A heartbeat record.
    HeartbeatMessage => "heartbeat_message",
    /// A heartbeat whose payload length exceeds the record (Heartbleed).
    OverflowHeartbeatMessage => "overflow_heartbeat_message",
    /// A malformed heartbeat message.
    InvalidHeartbeatMessage => "invalid_heartbeat_message",
    /// Heartbeat request and response lengths differ.
    DataleakHeartbeatMismatch => "dataleak_heartbeat_mismatch",
    /// More than one SNI extension in a ClientHello.
    MultipleSniExtensions => "multiple_sni_extensions",
    /// SNI entry of a type other than host_name.
    InvalidSniType => "invalid_sni_type",
    /// SNI lengths inconsistent.
    InvalidSniLength => "invalid_sni_length",
    /// Handshake message longer than its record sequence or than `max_handshake_len`.
    HandshakeInvalidLength => "handshake_invalid_length",
    /// More than `max_records_per_chunk` records in one chunk.
    TooManyRecordsInPacket => "too_many_records_in_packet",
    /// Certificate with an invalid version.
    CertificateInvalidVersion => "certificate_invalid_version",
    /// Certificate with an invalid serial.
    CertificateInvalidSerial => "certificate_invalid_serial",
    /// Certificate with an invalid algorithm identifier.
    CertificateInvalidAlgorithmidentifier => "certificate_invalid_algorithmidentifier",
    /// Certificate with an invalid X.509 name.
    CertificateInvalidX509name => "certificate_invalid_x509name",
    /// Certificate with an invalid date.
    CertificateInvalidDate => "certificate_invalid_date",
    /// Certificate with invalid extensions.
    CertificateInvalidExtensions => "certificate_invalid_extensions",
    /// Certificate that is not valid DER.
    CertificateInvalidDer => "certificate_invalid_der",
    /// Certificate with an invalid subject.
    CertificateInvalidSubject => "certificate_invalid_subject",
    /// Certificate with an invalid issuer.
    CertificateInvalidIssuer => "certificate_invalid_issuer",
    /// Certificate with an invalid validity.
    CertificateInvalidValidity => "certificate_invalid_validity",
    /// Alert record of the wrong length.
    InvalidAlertMessage => "invalid_alert_message",
}

/// `ssl_state` bits (Suricata's `ssl_state` keyword names).
pub mod ssl_state {
    /// A ClientHello was seen.
    pub const CLIENT_HELLO: u8 = 1 << 0;
    /// A ServerHello was seen.
    pub const SERVER_HELLO: u8 = 1 << 1;
    /// A ClientKeyExchange was seen.
    pub const CLIENT_KEYX: u8 = 1 << 2;
    /// A ServerKeyExchange was seen.
    pub const SERVER_KEYX: u8 = 1 << 3;
    /// Something else (e.g. an unknown handshake message).
    pub const UNKNOWN: u8 = 1 << 4;
}

/// SSL/TLS protocol versions as Suricata names them (`SSLVersionToString`).
pub fn version_name(v: u16) -> std::borrow::Cow<'static, str> {
    use std::borrow::Cow::Borrowed;
    match v {
        0 => Borrowed("UNDETERMINED"),
        0x0200 => Borrowed("SSLv2"),
        0x0300 => Borrowed("SSLv3"),
        0x0301 => Borrowed("TLSv1"),
        0x0302 => Borrowed("TLS 1.1"),
        0x0303 => Borrowed("TLS 1.2"),
        0x0304 => Borrowed("TLS 1.3"),
        0x7f01..=0x7f0f => Borrowed("TLS 1.3 draft-<16"),
        v if v >> 8 == 0x7f => std::borrow::Cow::Owned(format!("TLS 1.3 draft-{}", v & 0xff)),
        // Facebook's TLS 1.3 draft variants.
        0xfb14 => Borrowed("TLS 1.3 draft-20-fb"),
        0xfb17 => Borrowed("TLS 1.3 draft-23-fb"),
        0xfb1a => Borrowed("TLS 1.3 draft-26-fb"),
        v => std::borrow::Cow::Owned(format!("0x{v:04x}")),
    }
}

/// The single transaction of a TLS flow: everything EVE and the keywords need, stored ready.
#[derive(Clone, Debug, Default)]
pub struct TlsTx {
    /// Always 0 (one transaction per flow).
    pub id: TxId,
    /// request = client handshake done; response = server handshake done.
    pub progress: TxProgress,
    /// Events raised on this flow.
    pub events: Vec<TlsEvent>,
    /// The ClientHello (TLS format; SSLv2 hellos fill only `version`).
    pub client_hello: Option<ClientHello>,
    /// The ServerHello.
    pub server_hello: Option<ServerHello>,
    /// SSL/TLS version of the server side: the ServerHello's (the `supported_versions` one for
    /// TLS 1.3), 0 when none was seen. EVE `version`.
    pub version: u16,
    /// Server certificate chain, leaf first (at most `max_certs`).
    pub server_certs: Vec<CertInfo>,
    /// Client certificate chain, leaf first.
    pub client_certs: Vec<CertInfo>,
    /// `ssl_state` bits seen on the flow ([`ssl_state`]).
    pub state_bits: u8,
    /// `ssl_state` bits of the messages in the last chunk parsed (Suricata's
    /// `current_flags`, what the `ssl_state` keyword tests).
    pub current_state_bits: u8,
    /// Session resumed (abbreviated handshake).
    pub session_resumed: bool,
    /// Log without a certificate (TLS 1.3: the certificate is encrypted).
    pub log_without_cert: bool,
    /// A ChangeCipherSpec was seen from the client / from the server.
    pub ccs: [bool; 2],
    /// Records counted per direction (to_server, to_client), encrypted ones included.
    pub records: [u64; 2],
    /// Encrypted application records counted per direction.
    pub encrypted_records: [u64; 2],
    /// Alerts seen in the clear: (level, description), at most 8.
    pub alerts: Vec<(u8, u8)>,
    /// The protocol the flow started as, when TLS began after an upgrade (STARTTLS, HTTP
    /// CONNECT): EVE `from_proto`.
    pub from_proto: Option<&'static str>,
}

impl TlsTx {
    /// The leaf server certificate, if any.
    pub fn cert0(&self) -> Option<&CertInfo> {
        self.server_certs.first()
    }

    /// Whether Suricata would write a `tls` EVE record for this flow: a server certificate
    /// with subject and issuer, a resumed session (if `resumed_ok`), or TLS 1.3.
    pub fn loggable(&self, resumed_ok: bool) -> bool {
        let has_cert = self.cert0().is_some_and(|c| c.subject.is_some() && c.issuer.is_some());
        has_cert || (self.session_resumed && resumed_ok) || self.log_without_cert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_match_suricata_rules() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/tls-events.rules");
        let rules = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reference rules {path} missing: {e}"));
        for e in TlsEvent::ALL {
            let needle = format!("app-layer-event:tls.{};", e.name());
            assert!(rules.contains(&needle), "{needle} not in {path}");
            assert_eq!(TlsEvent::from_name(&format!("tls.{}", e.name())), Some(*e));
        }
        let n = rules.matches("app-layer-event:tls.").count();
        assert_eq!(n, TlsEvent::ALL.len(), "every rule event has a variant");
    }

    #[test]
    fn version_names() {
        assert_eq!(version_name(0x0301), "TLSv1");
        assert_eq!(version_name(0x0303), "TLS 1.2");
        assert_eq!(version_name(0x0304), "TLS 1.3");
        assert_eq!(version_name(0x0300), "SSLv3");
        assert_eq!(version_name(0x0200), "SSLv2");
        assert_eq!(version_name(0), "UNDETERMINED");
        assert_eq!(version_name(0x1234), "0x1234");
        assert_eq!(version_name(0x7f0e), "TLS 1.3 draft-<16");
        assert_eq!(version_name(0x7f1c), "TLS 1.3 draft-28");
    }
}
