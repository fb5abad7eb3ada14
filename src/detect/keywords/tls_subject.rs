//! Legacy certificate keywords with their own syntax (Suricata `detect-tls.c`):
//! `tls.subject:"CN=*.example.com";` and `tls.issuerdn:"..."` match when the leaf
//! certificate's subject / issuer DN *contains* the string; `tls.fingerprint:"aa:bb:.."`
//! when the SHA-1 fingerprint *equals* it (case-insensitive). A leading `!` (before or after
//! the quotes' opening) negates. `tls.store` (store the certificate to disk) is accepted as a
//! no-op: Rampart has no certificate store output; the rule still matches on its other
//! options. Both files and keywords live here because they share the value grammar.

use crate::applayer::tls::TlsTx;
use crate::applayer::Direction;

/// Which certificate field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertField {
    /// `tls.subject`
    Subject,
    /// `tls.issuerdn`
    IssuerDn,
    /// `tls.fingerprint`
    Fingerprint,
}

/// A compiled legacy certificate keyword.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TlsCertField {
    /// The field.
    pub field: CertField,
    /// The string (fingerprints lower-cased).
    pub value: String,
    /// `!` given.
    pub negated: bool,
}

impl TlsCertField {
    /// Parses `name` (`tls.subject`, `tls.issuerdn`, `tls.fingerprint`) with its value.
    pub fn parse(name: &str, value: Option<&str>) -> Result<Self, String> {
        let field = match name {
            "tls.subject" => CertField::Subject,
            "tls.issuerdn" => CertField::IssuerDn,
            "tls.fingerprint" => CertField::Fingerprint,
            _ => return Err(format!("{name}: not a legacy tls keyword")),
        };
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| format!("{name}: needs a value"))?;
        let (negated, v) = match v.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, v),
        };
        let v = v.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(v);
        let (negated, v) = match v.strip_prefix('!') {
            Some(r) if !negated => (true, r),
            _ => (negated, v),
        };
        if v.is_empty() {
            return Err(format!("{name}: empty value"));
        }
        let value = if field == CertField::Fingerprint { v.to_ascii_lowercase() } else { v.to_string() };
        Ok(TlsCertField { field, value, negated })
    }

    /// Whether `tx` matches. No certificate: no match (negated or not), as Suricata.
    pub fn matches(&self, tx: &TlsTx, _dir: Direction) -> bool {
        let Some(c) = tx.cert0() else { return false };
        let hit = match self.field {
            CertField::Subject => match &c.subject {
                Some(s) => s.contains(&self.value),
                None => return false,
            },
            CertField::IssuerDn => match &c.issuer {
                Some(s) => s.contains(&self.value),
                None => return false,
            },
            CertField::Fingerprint => c.fingerprint.eq_ignore_ascii_case(&self.value),
        };
        hit != self.negated
    }
}

/// `tls.store`: accepted, no effect (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TlsStore;

impl TlsStore {
    /// Parses `tls.store` (no value).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(TlsStore),
            Some(v) => Err(format!("tls.store: takes no value, got '{v}'")),
        }
    }

    /// Always true: storing is not an inspection.
    pub fn matches(&self, _tx: &TlsTx, _dir: Direction) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::cert::CertInfo;

    #[test]
    fn parse_and_match() {
        let tx = TlsTx {
            server_certs: vec![CertInfo {
                subject: Some("C=US, O=Google Inc, CN=*.google.de".into()),
                issuer: Some("C=US, O=Google Inc, CN=Google Internet Authority G2".into()),
                fingerprint: "cb:69:d0".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let cases = [
            ("tls.subject", "\"CN=*.google.de\"", true),
            ("tls.subject", "\"CN=other\"", false),
            ("tls.subject", "!\"CN=other\"", true),
            ("tls.subject", "\"!CN=*.google.de\"", false),
            ("tls.issuerdn", "\"Google Internet Authority\"", true),
            ("tls.fingerprint", "\"CB:69:D0\"", true),
            ("tls.fingerprint", "\"cb:69\"", false),
            ("tls.fingerprint", "!\"00:11\"", true),
        ];
        for (k, v, want) in cases {
            assert_eq!(TlsCertField::parse(k, Some(v)).expect(v).matches(&tx, Direction::ToClient), want, "{k}:{v}");
        }
        assert!(!TlsCertField::parse("tls.subject", Some("!\"x\"")).expect("x").matches(&TlsTx::default(), Direction::ToClient));
        assert!(TlsCertField::parse("tls.subject", Some("\"\"")).is_err());
        assert!(TlsStore::parse(None).is_ok());
        assert!(TlsStore::parse(Some("x")).is_err());
    }
}
