//! JA3 (client) and JA3S (server) TLS fingerprints, as Suricata computes them.
//!
//! - JA3 string: `version,ciphers,extensions,groups,point_formats`, each list as decimal values
//!   joined by `-`, in wire order, GREASE values (RFC 8701) left out of ciphers, extensions and
//!   groups. JA3S: `version,cipher,extensions`. The hash is the MD5 of the string, in lower-case hex.
//! - Only TLS-format (SSLv3 and later) hellos have one; SSLv2 hellos do not (Suricata logs none).
//!
//! Pure functions over already-parsed values: no allocation beyond the returned strings.

use md5::{Digest, Md5};
use std::fmt::Write;

/// Whether `v` is a GREASE value (RFC 8701: `0x?a?a` with both bytes equal).
pub fn is_grease(v: u16) -> bool {
    (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff)
}

fn push_list(s: &mut String, vals: impl Iterator<Item = u16>) {
    let mut first = true;
    for v in vals {
        if !first {
            s.push('-');
        }
        first = false;
        let _ = write!(s, "{v}");
    }
}

/// The JA3 string of a ClientHello.
pub fn ja3_string(version: u16, ciphers: &[u16], extensions: &[u16], groups: &[u16], point_formats: &[u8]) -> String {
    let mut s = String::with_capacity(16 + 6 * (ciphers.len() + extensions.len() + groups.len()));
    let _ = write!(s, "{version},");
    push_list(&mut s, ciphers.iter().copied().filter(|v| !is_grease(*v)));
    s.push(',');
    push_list(&mut s, extensions.iter().copied().filter(|v| !is_grease(*v)));
    s.push(',');
    push_list(&mut s, groups.iter().copied().filter(|v| !is_grease(*v)));
    s.push(',');
    push_list(&mut s, point_formats.iter().map(|v| u16::from(*v)));
    s
}

/// The JA3S string of a ServerHello.
pub fn ja3s_string(version: u16, cipher: u16, extensions: &[u16]) -> String {
    let mut s = String::with_capacity(16 + 6 * extensions.len());
    let _ = write!(s, "{version},{cipher},");
    push_list(&mut s, extensions.iter().copied().filter(|v| !is_grease(*v)));
    s
}

/// MD5 of `s` in lower-case hex (32 characters).
pub fn md5_hex(s: &str) -> String {
    let d = Md5::digest(s.as_bytes());
    let mut out = String::with_capacity(32);
    for b in d {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grease() {
        for v in [0x0a0a, 0x1a1a, 0x2a2a, 0xfafa, 0xeaea] {
            assert!(is_grease(v), "{v:#x}");
        }
        for v in [0x0a1a, 0x0000, 0xfeff, 0x000a, 0x1301] {
            assert!(!is_grease(v), "{v:#x}");
        }
    }

    /// Vectors from Suricata's output for real captures (zeek tls_tls1.2.pcap, ssl.v3.pcap).
    #[test]
    fn known_vectors() {
        let s = "771,49200-49196-49192-49188-49172-49162-49186-49185-163-159-107-106-57-56-136-135-49202-49198-49194-49190-49167-49157-157-61-53-132-49170-49160-49180-49179-22-19-49165-49155-10-49199-49195-49191-49187-49171-49161-49183-49182-162-158-103-64-51-50-154-153-69-68-49201-49197-49193-49189-49166-49156-156-60-47-150-65-7-49169-49159-49164-49154-5-4-21-18-9-20-17-8-6-3-255,11-10-35-13-15,14-13-25-11-12-24-9-10-22-23-8-6-7-20-21-4-5-18-19-1-2-3-15-16-17,0-1-2";
        assert_eq!(md5_hex(s), "bd9c99b3a0f752c3ab8b052a79e9de3e");
        assert_eq!(md5_hex("771,4,65281"), "c253ec3ad88e42f8da4032682892f9a0");
        let ciphers = [57u16, 56, 53, 51, 50, 4, 5, 47, 22, 19, 65279, 10, 21, 18, 65278, 9, 100, 98, 3, 6];
        let js = ja3_string(769, &ciphers, &[], &[], &[]);
        assert_eq!(js, "769,57-56-53-51-50-4-5-47-22-19-65279-10-21-18-65278-9-100-98-3-6,,,");
        assert_eq!(md5_hex(&js), "716b10339fb8cc7be0f1e2e7187c73e8");
        assert_eq!(ja3s_string(769, 4, &[]), "769,4,");
        assert_eq!(md5_hex("769,4,"), "53611273a714cb4789c8222932efd5a7");
    }

    #[test]
    fn grease_values_are_left_out() {
        let s = ja3_string(771, &[0x0a0a, 4865], &[0x1a1a, 0, 10], &[0x2a2a, 29], &[0]);
        assert_eq!(s, "771,4865,0-10,29,0");
        assert_eq!(ja3s_string(771, 4865, &[43, 0xfafa, 51]), "771,4865,43-51");
    }
}
