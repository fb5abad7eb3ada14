//! `hostbits:<cmd>,<name>[,<src|dst|both>][,expire <seconds>]` and `hostbits:noalert`: bits
//! kept per host (IP address) instead of per flow (Suricata's `detect-hostbits.c`).
//!
//! Commands as flowbits: `set`, `unset`, `toggle` (side effects when the rule matched),
//! `isset`, `isnotset` (conditions). The direction picks the host: `src` (default), `dst`,
//! or `both` (side effects apply to both; `isset` holds when either host has the bit,
//! `isnotset` when neither has). A set bit expires `expire` seconds (default 30) after it was
//! last set. The table is [`HostTable`]: bounded, expired bits dropped first when full.
//!
//! The engine owns one table per detection engine, shared by every worker (as Suricata's
//! host table); these keywords are compiled by the rule compiler, not through the packet
//! keyword registry, because they need that table.

use super::util::need;
use super::vars::intern_checked;
use super::KwError;
use crate::decode::Packet;
use crate::time::Timestamp;
use std::collections::HashMap;
use std::net::IpAddr;

/// Default lifetime of a set bit, seconds (`DETECT_XBITS_EXPIRE_DEFAULT`).
pub const DEFAULT_EXPIRE: u32 = 30;
/// Most hosts tracked (one entry per address with at least one bit).
pub const MAX_HOSTS: usize = 65_536;
/// Most bits per host.
pub const MAX_BITS_PER_HOST: usize = 64;

/// Which host(s) of the packet a hostbit applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HostDir {
    /// Source address.
    Src,
    /// Destination address.
    Dst,
    /// Both addresses.
    Both,
}

/// What a hostbits option does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HostOp {
    /// set (side effect).
    Set,
    /// unset (side effect).
    Unset,
    /// toggle (side effect).
    Toggle,
    /// isset (condition).
    IsSet,
    /// isnotset (condition).
    IsNotSet,
}

/// A compiled `hostbits` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HostBits {
    /// Operation.
    pub op: HostOp,
    /// Interned name.
    pub id: u32,
    /// Host selection.
    pub dir: HostDir,
    /// Lifetime of a set bit, seconds.
    pub expire: u32,
}

/// What parsing a `hostbits` value gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// `hostbits:noalert`.
    NoAlert,
    /// A condition or side effect.
    Bits(HostBits),
}

impl HostBits {
    /// Whether this is a condition (isset / isnotset) rather than a side effect.
    pub fn is_cond(&self) -> bool {
        matches!(self.op, HostOp::IsSet | HostOp::IsNotSet)
    }

    fn hosts(&self, p: &Packet<'_>) -> [Option<IpAddr>; 2] {
        let Some(ip) = p.ip else { return [None, None] };
        match self.dir {
            HostDir::Src => [Some(ip.src), None],
            HostDir::Dst => [Some(ip.dst), None],
            HostDir::Both => [Some(ip.src), Some(ip.dst)],
        }
    }

    /// Condition check against `table` at the packet's time. Packets without IP never match.
    pub fn matches(&self, table: &HostTable, p: &Packet<'_>) -> bool {
        let hosts = self.hosts(p);
        let mut set = hosts.iter().flatten().map(|h| table.isset(*h, self.id, p.ts));
        match self.op {
            HostOp::IsSet => set.any(|b| b),
            HostOp::IsNotSet => p.ip.is_some() && set.all(|b| !b),
            _ => true,
        }
    }

    /// Applies a side effect to `table`.
    pub fn apply(&self, table: &mut HostTable, p: &Packet<'_>) {
        for h in self.hosts(p).into_iter().flatten() {
            match self.op {
                HostOp::Set => table.set(h, self.id, p.ts, self.expire),
                HostOp::Unset => table.unset(h, self.id),
                HostOp::Toggle => {
                    if table.isset(h, self.id, p.ts) {
                        table.unset(h, self.id)
                    } else {
                        table.set(h, self.id, p.ts, self.expire)
                    }
                }
                HostOp::IsSet | HostOp::IsNotSet => {}
            }
        }
    }
}

/// Bits per host, with expiry. Bounded by [`MAX_HOSTS`] and [`MAX_BITS_PER_HOST`].
#[derive(Debug, Default)]
pub struct HostTable {
    map: HashMap<IpAddr, Vec<(u32, Timestamp)>>,
}

impl HostTable {
    /// Whether `host` has bit `id` unexpired at `now`.
    pub fn isset(&self, host: IpAddr, id: u32, now: Timestamp) -> bool {
        self.map.get(&host).is_some_and(|bits| bits.iter().any(|(b, exp)| *b == id && *exp >= now))
    }

    /// Sets bit `id` on `host` until `now + expire`.
    pub fn set(&mut self, host: IpAddr, id: u32, now: Timestamp, expire: u32) {
        let until = now.add_secs(expire as u64);
        if !self.map.contains_key(&host) && self.map.len() >= MAX_HOSTS {
            self.map.retain(|_, bits| {
                bits.retain(|(_, exp)| *exp >= now);
                !bits.is_empty()
            });
            if self.map.len() >= MAX_HOSTS {
                // Still full of live bits: this one is not recorded (bounded memory wins).
                return;
            }
        }
        let bits = self.map.entry(host).or_default();
        bits.retain(|(_, exp)| *exp >= now);
        if let Some(e) = bits.iter_mut().find(|(b, _)| *b == id) {
            e.1 = until;
        } else if bits.len() < MAX_BITS_PER_HOST {
            bits.push((id, until));
        }
    }

    /// Clears bit `id` on `host`.
    pub fn unset(&mut self, host: IpAddr, id: u32) {
        if let Some(bits) = self.map.get_mut(&host) {
            bits.retain(|(b, _)| *b != id);
            if bits.is_empty() {
                self.map.remove(&host);
            }
        }
    }

    /// Hosts tracked.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no host is tracked.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Parses a `hostbits` value.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Parsed, KwError> {
    let v = need(kw, value)?;
    let parts: Vec<&str> = v.split(',').map(str::trim).collect();
    let cmd = parts.first().copied().unwrap_or("");
    if cmd == "noalert" {
        return if parts.len() == 1 { Ok(Parsed::NoAlert) } else { Err(KwError::invalid(kw, format!("'{v}': noalert takes no name"))) };
    }
    let op = match cmd {
        "set" => HostOp::Set,
        "unset" => HostOp::Unset,
        "toggle" => HostOp::Toggle,
        "isset" => HostOp::IsSet,
        "isnotset" => HostOp::IsNotSet,
        _ => return Err(KwError::invalid(kw, format!("'{v}': unknown command '{cmd}' (set unset toggle isset isnotset noalert)"))),
    };
    let name = parts.get(1).copied().filter(|n| !n.is_empty()).ok_or_else(|| KwError::invalid(kw, format!("'{v}': {cmd} needs a name")))?;
    if name.contains(['|', '&']) {
        return Err(KwError::refused(kw, format!("'{v}': name groups are not supported for hostbits")));
    }
    let id = intern_checked(kw, name)?;
    let (mut dir, mut expire) = (HostDir::Src, DEFAULT_EXPIRE);
    for p in parts.iter().skip(2) {
        match *p {
            "src" | "ip_src" => dir = HostDir::Src,
            "dst" | "ip_dst" => dir = HostDir::Dst,
            "both" | "ip_both" => dir = HostDir::Both,
            _ => match p.strip_prefix("expire").map(str::trim) {
                Some(n) => expire = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| KwError::invalid(kw, format!("'{v}': invalid expire '{n}'")))?,
                None => return Err(KwError::invalid(kw, format!("'{v}': unknown option '{p}' (src, dst, both, expire N)"))),
            },
        }
    }
    Ok(Parsed::Bits(HostBits { op, id, dir, expire }))
}

/// Registry parser: hostbits need the engine's host table, so the rule compiler handles them
/// itself; reaching this means a caller bypassed the compiler.
pub fn parse_registry(kw: &str, value: Option<&str>) -> Result<super::Keyword, KwError> {
    parse(kw, value)?;
    Err(KwError::refused(kw, "hostbits are compiled by the detection engine (host table), not as a packet keyword"))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;

    fn hb(v: &str) -> HostBits {
        match parse("hostbits", Some(v)) {
            Ok(Parsed::Bits(b)) => b,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn set_isset_toggle_expire() {
        let mut t = HostTable::default();
        let mut p = tcp_pkt(0);
        p.ts = Timestamp::from_parts(100, 0);
        assert!(!hb("isset,a").matches(&t, &p));
        assert!(hb("isnotset,a,both").matches(&t, &p));
        hb("set,a,src,expire 10").apply(&mut t, &p);
        assert!(hb("isset,a").matches(&t, &p));
        assert!(!hb("isset,a,dst").matches(&t, &p), "only the source host got the bit");
        assert!(hb("isset,a,both").matches(&t, &p), "both: either host");
        hb("toggle,a").apply(&mut t, &p);
        assert!(!hb("isset,a").matches(&t, &p));
        hb("set,a").apply(&mut t, &p);
        p.ts = Timestamp::from_parts(131, 0);
        assert!(!hb("isset,a").matches(&t, &p), "default expiry is 30 s");
        hb("set,b,both").apply(&mut t, &p);
        assert!(hb("isset,b,dst").matches(&t, &p));
        hb("unset,b,dst").apply(&mut t, &p);
        assert!(!hb("isset,b,dst").matches(&t, &p) && hb("isset,b,src").matches(&t, &p));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(parse("hostbits", Some("noalert")), Ok(Parsed::NoAlert));
        for v in ["frob,a", "set", "set,a,sideways", "set,a,expire 0", "noalert,a"] {
            assert!(matches!(parse("hostbits", Some(v)), Err(KwError { refused: false, .. })), "{v}");
        }
        assert!(matches!(parse("hostbits", Some("isset,a|b")), Err(KwError { refused: true, .. })));
    }
}
