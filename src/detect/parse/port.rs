//! Port expressions: `any`, `80`, `1024:`, `:1023`, `1000:2000`, `$VAR`, `!x`, `[a, b, ![c]]`.
//!
//! Ports are 0..=65535; a range's low end may not exceed its high end.

use std::collections::HashMap;

use super::expr::{parse_group, GroupExpr};
use super::PortExpr;

impl GroupExpr for PortExpr {
    const WHAT: &'static str = "port";
    fn any() -> Self {
        PortExpr::Any
    }
    fn is_any(&self) -> bool {
        matches!(self, PortExpr::Any)
    }
    fn list(items: Vec<Self>) -> Self {
        PortExpr::List(items)
    }
    fn not(inner: Self) -> Self {
        PortExpr::Not(Box::new(inner))
    }
    fn atom(text: &str) -> Result<Self, String> {
        parse_atom(text)
    }
}

/// Parses a port expression, resolving `$VARS` from `vars` (port groups).
pub(crate) fn parse_port(text: &str, vars: &HashMap<String, String>) -> Result<PortExpr, String> {
    parse_group(text, vars)
}

fn num(text: &str, whole: &str) -> Result<u16, String> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid port '{whole}'"));
    }
    text.parse::<u16>().map_err(|_| format!("port '{whole}' is above 65535"))
}

fn parse_atom(text: &str) -> Result<PortExpr, String> {
    if let Some((lo, hi)) = text.split_once(':') {
        if lo.is_empty() && hi.is_empty() {
            return Err(format!("invalid port range '{text}'"));
        }
        let lo = if lo.is_empty() { 0 } else { num(lo, text)? };
        let hi = if hi.is_empty() { u16::MAX } else { num(hi, text)? };
        if lo > hi {
            return Err(format!("port range '{text}' has its low end above its high end"));
        }
        return Ok(PortExpr::Range(lo, hi));
    }
    let p = num(text, text)?;
    Ok(PortExpr::Range(p, p))
}
