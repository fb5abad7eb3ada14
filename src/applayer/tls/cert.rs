//! X.509 certificate fields as Suricata logs and matches them (through `x509-parser`).
//!
//! - subject / issuer: the distinguished name in certificate order, `, `-separated, short
//!   attribute names (`C=US, O=Example, CN=a.example`);
//! - serial: the DER serial bytes in upper-case hex separated by `:` (leading zero kept);
//! - fingerprint: SHA-1 of the DER certificate, lower-case hex separated by `:`;
//! - not_before / not_after: Unix seconds; SANs: the DNS names of subjectAltName.

use super::TlsEvent;
use sha1::{Digest, Sha1};
use std::fmt::Write;
use x509_parser::error::X509Error;
use x509_parser::extensions::GeneralName;

/// Decoded fields of one certificate, ready for EVE and keywords.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertInfo {
    /// The DER certificate (for `tls.certs` and `certificate`/`chain` logging).
    pub der: Vec<u8>,
    /// Subject DN, when the certificate decoded.
    pub subject: Option<String>,
    /// Issuer DN.
    pub issuer: Option<String>,
    /// Serial, `AA:BB:...`.
    pub serial: Option<String>,
    /// SHA-1 fingerprint, `aa:bb:...` (computed even when decoding failed, as Suricata does).
    pub fingerprint: String,
    /// notBefore, Unix seconds.
    pub not_before: Option<i64>,
    /// notAfter, Unix seconds.
    pub not_after: Option<i64>,
    /// subjectAltName DNS names.
    pub sans: Vec<String>,
}

/// Most SAN entries kept per certificate (a certificate is bounded by the handshake limit;
/// real ones carry a few hundred).
pub const MAX_SANS: usize = 4096;

fn hex_sep(bytes: &[u8], upper: bool) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = if upper { write!(s, "{b:02X}") } else { write!(s, "{b:02x}") };
    }
    s
}

fn error_event(e: &x509_parser::nom::Err<X509Error>) -> TlsEvent {
    match e {
        x509_parser::nom::Err::Incomplete(_) => TlsEvent::CertificateInvalidLength,
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => match e {
            X509Error::InvalidVersion => TlsEvent::CertificateInvalidVersion,
            X509Error::InvalidSerial => TlsEvent::CertificateInvalidSerial,
            X509Error::InvalidAlgorithmIdentifier => TlsEvent::CertificateInvalidAlgorithmidentifier,
            X509Error::InvalidX509Name => TlsEvent::CertificateInvalidX509name,
            X509Error::InvalidDate => TlsEvent::CertificateInvalidDate,
            X509Error::InvalidExtensions => TlsEvent::CertificateInvalidExtensions,
            X509Error::Der(_) => TlsEvent::CertificateInvalidDer,
            _ => TlsEvent::InvalidCertificate,
        },
    }
}

/// Decodes `der`. Returns the fields (the fingerprint and DER always) and, when the
/// certificate did not decode, the event to raise.
pub fn decode(der: &[u8]) -> (CertInfo, Option<TlsEvent>) {
    let fingerprint = hex_sep(&Sha1::digest(der), false);
    let mut info = CertInfo { der: der.to_vec(), fingerprint, ..CertInfo::default() };
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, c)) => {
            info.subject = Some(c.subject().to_string());
            info.issuer = Some(c.issuer().to_string());
            info.serial = Some(hex_sep(c.raw_serial(), true));
            info.not_before = Some(c.validity().not_before.timestamp());
            info.not_after = Some(c.validity().not_after.timestamp());
            if let Ok(Some(san)) = c.subject_alternative_name() {
                for n in &san.value.general_names {
                    if info.sans.len() >= MAX_SANS {
                        break;
                    }
                    if let GeneralName::DNSName(d) = n {
                        info.sans.push((*d).to_string());
                    }
                }
            }
            (info, None)
        }
        Err(e) => {
            let ev = error_event(&e);
            (info, Some(ev))
        }
    }
}

/// Unix seconds as Suricata's certificate timestamps: `YYYY-MM-DDTHH:MM:SS` (UTC, no zone).
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00");
        assert_eq!(format_time(1_397_045_265), "2014-04-09T12:07:45");
        assert_eq!(format_time(951_782_400), "2000-02-29T00:00:00");
    }

    #[test]
    fn garbage_is_an_event_with_a_fingerprint() {
        let (info, ev) = decode(b"\x30\x03\x02\x01");
        assert!(ev.is_some());
        assert!(info.subject.is_none());
        assert_eq!(info.fingerprint.len(), 59);
    }

    #[test]
    fn hex() {
        assert_eq!(hex_sep(&[0x00, 0x99, 0xfa], true), "00:99:FA");
        assert_eq!(hex_sep(&[0xcb, 0x69], false), "cb:69");
    }
}
