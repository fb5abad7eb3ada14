//! Community ID flow hashing, version 1 (<https://github.com/corelight/community-id-spec>),
//! as Suricata writes it in EVE `community_id`: `"1:" + base64(sha1(seed, ordered tuple))`.
//!
//! The hashed record is: seed (u16 big-endian), the lower endpoint's address, the higher
//! endpoint's address, protocol (u8), one zero pad byte, the lower endpoint's port, the
//! higher endpoint's port (u16 big-endian each). Endpoints are ordered by address, then by
//! port when the addresses are equal. For ICMP/ICMPv6 the "ports" are the ICMP type of each
//! side, as Suricata does.

use crate::flow::Flow;
use std::net::IpAddr;

/// Length of a Community ID string: `1:` plus 28 base64 characters.
pub const COMMUNITY_ID_LEN: usize = 30;

/// SHA-1 of `data` (the RustCrypto `sha1` crate). Community ID's input is at most 40 bytes;
/// nothing security-relevant depends on it.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    use sha1::Digest;
    sha1::Sha1::digest(data).into()
}

/// The ICMP type that answers `t` (echo request -> reply and the like), for the side of an
/// ICMP flow that has not been seen yet. Types without a counterpart map to themselves.
fn icmp_counterpart(v6: bool, t: u8) -> u8 {
    let pairs: &[(u8, u8)] = if v6 {
        &[(128, 129), (130, 131), (133, 134), (135, 136), (139, 140), (144, 145)]
    } else {
        &[(8, 0), (13, 14), (15, 16), (17, 18), (10, 9)]
    };
    for &(a, b) in pairs {
        if t == a {
            return b;
        }
        if t == b {
            return a;
        }
    }
    t
}

/// The Community ID of `f` with `seed`, written into `out` (`1:` + base64).
pub fn community_id(f: &Flow, seed: u16, out: &mut String) {
    let proto = f.key.proto;
    let (mut sp, mut dp) = (f.client.1, f.server.1);
    if proto == 1 || proto == 58 {
        let v6 = proto == 58;
        let ts = f.icmp_ts.map(|(t, _)| t);
        let tc = f.icmp_tc.map(|(t, _)| t);
        let (a, b) = match (ts, tc) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, icmp_counterpart(v6, a)),
            (None, Some(b)) => (icmp_counterpart(v6, b), b),
            (None, None) => (0, 0),
        };
        sp = a.into();
        dp = b.into();
    }
    let (src, dst) = (f.client.0, f.server.0);
    let ordered = match (src, dst) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a < b || (a == b && sp < dp),
        (IpAddr::V6(a), IpAddr::V6(b)) => a < b || (a == b && sp < dp),
        _ => true,
    };
    let ((ip1, p1), (ip2, p2)) = if ordered { ((src, sp), (dst, dp)) } else { ((dst, dp), (src, sp)) };
    let mut rec = [0u8; 2 + 16 + 16 + 2 + 4];
    let mut n = 0;
    let mut put = |b: &[u8]| {
        rec[n..n + b.len()].copy_from_slice(b);
        n += b.len();
    };
    put(&seed.to_be_bytes());
    for ip in [ip1, ip2] {
        match ip {
            IpAddr::V4(a) => put(&a.octets()),
            IpAddr::V6(a) => put(&a.octets()),
        }
    }
    put(&[proto, 0]);
    put(&p1.to_be_bytes());
    put(&p2.to_be_bytes());
    let digest = sha1(&rec[..n]);
    let mut b64 = Vec::with_capacity(28);
    crate::output::eve::writer::base64_into(&mut b64, &digest);
    out.clear();
    out.push_str("1:");
    out.push_str(std::str::from_utf8(&b64).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::FlowKey;
    use crate::time::Timestamp;

    fn hex(d: &[u8]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(&sha1(&million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    fn flow(c: (&str, u16), s: (&str, u16), proto: u8) -> Flow {
        let c = (c.0.parse().expect("ip"), c.1);
        let s = (s.0.parse().expect("ip"), s.1);
        Flow::new(1, FlowKey::new(c, s, proto, &[]), c, s, Timestamp::default())
    }

    /// Values from the Community ID spec's reference implementation (baseline tests).
    #[test]
    fn spec_baseline_values() {
        let mut s = String::new();
        community_id(&flow(("128.232.110.120", 34855), ("66.35.250.204", 80), 6), 0, &mut s);
        assert_eq!(s, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
        community_id(&flow(("66.35.250.204", 80), ("128.232.110.120", 34855), 6), 0, &mut s);
        assert_eq!(s, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
        community_id(&flow(("128.232.110.120", 34855), ("66.35.250.204", 80), 6), 1, &mut s);
        assert_eq!(s, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=");
    }
}
