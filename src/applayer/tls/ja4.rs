//! JA4 TLS client fingerprint (the `ja4` part of FoxIO's JA4+ only), as Suricata computes it.
//!
//! `ja4_a` `_` `ja4_b` `_` `ja4_c`:
//! - `ja4_a`: `t` (TCP), the 2-character version (the highest of the ClientHello version and
//!   the `supported_versions` entries: `13`, `12`, `11`, `10`, `s3`, else `00`), `d` if a SNI
//!   extension is present else `i`, the number of cipher suites and of extensions (2 digits
//!   each, capped at 99), and the first and last byte of the first ALPN value (`00` without one
//!   or when it is shorter than 2 bytes).
//! - `ja4_b`: the first 12 hex digits of SHA-256 over the cipher suites as 4-digit hex, sorted,
//!   joined by `,`.
//! - `ja4_c`: the first 12 hex digits of SHA-256 over the extensions (SNI and ALPN left out)
//!   as 4-digit hex, sorted, joined by `,`, then `_`, then the signature algorithms in wire
//!   order joined by `,`.
//!
//! GREASE values are ignored everywhere (they count nowhere). As in Suricata, empty lists hash
//! like any string (the empty cipher list gives `e3b0c44298fc`).

use super::ja3::is_grease;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The fields of a ClientHello JA4 needs.
#[derive(Clone, Debug, Default)]
pub struct Ja4Input<'a> {
    /// ClientHello legacy version.
    pub version: u16,
    /// `supported_versions` entries.
    pub supported_versions: &'a [u16],
    /// Cipher suites, wire order.
    pub ciphers: &'a [u16],
    /// Extension types, wire order.
    pub extensions: &'a [u16],
    /// Signature algorithms, wire order.
    pub sig_algs: &'a [u16],
    /// First ALPN protocol, if any.
    pub first_alpn: Option<&'a [u8]>,
}

fn version_code(v: Option<u16>) -> &'static str {
    match v {
        Some(0x0304) => "13",
        Some(0x0303) => "12",
        Some(0x0302) => "11",
        Some(0x0301) => "10",
        Some(0x0300) => "s3",
        _ => "00",
    }
}

fn sha12(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(12);
    for b in d.iter().take(6) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn hex_list(s: &mut String, vals: &[u16]) {
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{v:04x}");
    }
}

/// The JA4 fingerprint (36 characters).
pub fn ja4(inp: &Ja4Input<'_>) -> String {
    let mut version: Option<u16> = None;
    for v in std::iter::once(inp.version).chain(inp.supported_versions.iter().copied()) {
        if !is_grease(v) && version.is_none_or(|c| v > c) {
            version = Some(v);
        }
    }
    let mut ciphers: Vec<u16> = inp.ciphers.iter().copied().filter(|v| !is_grease(*v)).collect();
    let mut n_ext = 0usize;
    let mut sni = false;
    let mut exts: Vec<u16> = Vec::with_capacity(inp.extensions.len());
    for &e in inp.extensions {
        if is_grease(e) {
            continue;
        }
        n_ext += 1;
        match e {
            0 => sni = true,
            16 => {}
            _ => exts.push(e),
        }
    }
    let mut alpn = ['0', '0'];
    if let Some(a) = inp.first_alpn {
        if let (Some(&f), Some(&l)) = (a.first(), a.last()) {
            let grease_pair = a.len() == 2 && is_grease(u16::from(f) << 8 | u16::from(l));
            if a.len() > 1 && !grease_pair {
                alpn = [char::from(f), char::from(l)];
            }
        }
    }
    let mut out = String::with_capacity(36);
    let _ = write!(
        out,
        "t{}{}{:02}{:02}{}{}_",
        version_code(version),
        if sni { 'd' } else { 'i' },
        ciphers.len().min(99),
        n_ext.min(99),
        alpn[0],
        alpn[1]
    );
    ciphers.sort_unstable();
    let mut s = String::with_capacity(5 * ciphers.len().max(exts.len() + inp.sig_algs.len()) + 1);
    hex_list(&mut s, &ciphers);
    out.push_str(&sha12(&s));
    out.push('_');
    exts.sort_unstable();
    s.clear();
    hex_list(&mut s, &exts);
    s.push('_');
    let sigs: Vec<u16> = inp.sig_algs.iter().copied().filter(|v| !is_grease(*v)).collect();
    hex_list(&mut s, &sigs);
    out.push_str(&sha12(&s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: &Ja4Input<'_>) -> String {
        ja4(i)
    }

    /// Vectors from Suricata's ja4 unit tests (rust/src/ja4.rs), rebuilt step by step.
    #[test]
    fn suricata_vectors() {
        assert_eq!(hash(&Ja4Input::default()), "t00i000000_e3b0c44298fc_d2e2adf7177b");
        let base = Ja4Input { version: 0x0303, ..Default::default() };
        assert_eq!(hash(&base), "t12i000000_e3b0c44298fc_d2e2adf7177b");
        let i = Ja4Input { extensions: &[0x0a0a], ..base.clone() };
        assert_eq!(hash(&i), "t12i000000_e3b0c44298fc_d2e2adf7177b", "GREASE extension ignored");
        let i = Ja4Input { extensions: &[0x0a0a, 0], ..base.clone() };
        assert_eq!(hash(&i), "t12d000100_e3b0c44298fc_d2e2adf7177b");
        let i = Ja4Input { extensions: &[0x0a0a, 0, 16], first_alpn: Some(b"h3-16"), ..base.clone() };
        assert_eq!(hash(&i), "t12d0002h6_e3b0c44298fc_d2e2adf7177b");
        let i = Ja4Input { extensions: &[0x0a0a, 0, 16], first_alpn: Some(b"h3-16"), ciphers: &[0x1111, 0x0a20, 0xbada], ..base.clone() };
        assert_eq!(hash(&i), "t12d0302h6_f500716053f9_d2e2adf7177b");
        let i = Ja4Input {
            extensions: &[0x0a0a, 0, 16, 0xface, 0x0121, 0x1234],
            first_alpn: Some(b"h3-16"),
            ciphers: &[0x1111, 0x0a20, 0xbada],
            sig_algs: &[0x6666],
            ..base.clone()
        };
        assert_eq!(hash(&i), "t12d0305h6_f500716053f9_2debc8880bae");
    }

    #[test]
    fn counts_cap_at_99_and_versions_take_the_highest() {
        let c: Vec<u16> = (1..200).collect();
        let i = Ja4Input { ciphers: &c, extensions: &c, ..Default::default() };
        assert!(hash(&i).starts_with("t00i999900_"));
        let i = Ja4Input { version: 0x0303, supported_versions: &[0x2a2a, 0x0304, 0x0303], ..Default::default() };
        assert!(hash(&i).starts_with("t13i"));
        let i = Ja4Input { first_alpn: Some(b"a"), ..Default::default() };
        assert!(hash(&i).starts_with("t00i000000"));
        let i = Ja4Input { first_alpn: Some(&[0x0a, 0x0a]), ..Default::default() };
        assert!(hash(&i).starts_with("t00i000000"), "GREASE ALPN ignored");
    }
}
