//! Address expressions: `any`, `1.2.3.4`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`,
//! `2001:db8::/32`, ranges `1.2.3.4-1.2.3.9`, `$VAR`, `!x`, `[a, b, ![c, d]]`.
//!
//! Networks are normalised: host bits below the prefix are cleared (`192.168.1.7/24` is
//! `192.168.1.0/24`), as Suricata does. A range's ends must be one family, low <= high.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::expr::{parse_group, GroupExpr};
use super::{AddrExpr, Cidr};

impl GroupExpr for AddrExpr {
    const WHAT: &'static str = "address";
    fn any() -> Self {
        AddrExpr::Any
    }
    fn is_any(&self) -> bool {
        matches!(self, AddrExpr::Any)
    }
    fn list(items: Vec<Self>) -> Self {
        AddrExpr::List(items)
    }
    fn not(inner: Self) -> Self {
        AddrExpr::Not(Box::new(inner))
    }
    fn atom(text: &str) -> Result<Self, String> {
        parse_atom(text)
    }
}

/// Parses an address expression, resolving `$VARS` from `vars` (address groups).
pub(crate) fn parse_address(text: &str, vars: &HashMap<String, String>) -> Result<AddrExpr, String> {
    parse_group(text, vars)
}

fn ip(text: &str) -> Result<IpAddr, String> {
    text.parse::<IpAddr>().map_err(|_| format!("invalid address '{text}'"))
}

/// Clears the host bits of `addr` below `prefix`.
pub(crate) fn network(addr: IpAddr, prefix: u8) -> Cidr {
    let addr = match addr {
        IpAddr::V4(a) => {
            let p = u32::from(prefix.min(32));
            let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let p = u32::from(prefix.min(128));
            let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
    };
    Cidr { addr, prefix }
}

fn parse_atom(text: &str) -> Result<AddrExpr, String> {
    if let Some((lo, hi)) = text.split_once('-') {
        let (lo, hi) = (ip(lo)?, ip(hi)?);
        let ordered = match (lo, hi) {
            (IpAddr::V4(a), IpAddr::V4(b)) => a <= b,
            (IpAddr::V6(a), IpAddr::V6(b)) => a <= b,
            _ => return Err(format!("address range '{text}' mixes IPv4 and IPv6")),
        };
        if !ordered {
            return Err(format!("address range '{text}' has its low end above its high end"));
        }
        return Ok(AddrExpr::Range(lo, hi));
    }
    if let Some((a, m)) = text.split_once('/') {
        let addr = ip(a)?;
        let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if !m.is_empty() && m.len() <= 3 && m.bytes().all(|c| c.is_ascii_digit()) {
            m.parse::<u8>().ok().filter(|p| *p <= max)
        } else if addr.is_ipv4() {
            // Dotted netmask: must be contiguous ones.
            m.parse::<Ipv4Addr>().ok().and_then(|mask| {
                let v = u32::from(mask);
                let ones = v.leading_ones();
                (v.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
            })
        } else {
            None
        };
        let Some(prefix) = prefix else {
            return Err(format!("invalid prefix length or netmask in '{text}'"));
        };
        return Ok(AddrExpr::Net(network(addr, prefix)));
    }
    let addr = ip(text)?;
    let prefix = if addr.is_ipv4() { 32 } else { 128 };
    Ok(AddrExpr::Net(Cidr { addr, prefix }))
}
