//! `flags:[modifier]<flags>[,<mask>]` (alias `tcp.flags`): Snort/Suricata TCP flag syntax.
//! Letters F S R P A U C E (`1`/`2` are the old names of C and E), `0` for "no flags";
//! modifiers `+` (at least these), `*` (any of these), `!` (not all of these; with `0`: any
//! flag set); the optional mask lists flags to ignore. Semantics are Suricata's
//! `detect-tcp-flags.c` (note `+` does not require an extra flag there, unlike `fragbits`; and
//! `0` clears the flags named before it).

use super::fragbits::Modifier;
use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::{tcp_flags as f, Packet};

/// A compiled `flags`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpFlags {
    /// Flags to compare.
    pub flags: u8,
    /// Comparison.
    pub modifier: Modifier,
    /// Packet bits taken into account (all but the ignored ones).
    pub keep: u8,
}

impl TcpFlags {
    /// Whether `p` is TCP with matching flags.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        match p.tcp() {
            Some(t) => flags_match(t.flags, self.flags, self.modifier, self.keep),
            None => false,
        }
    }
}

/// Suricata's `FlagsMatch`.
#[inline]
fn flags_match(pflags: u8, want: u8, m: Modifier, keep: u8) -> bool {
    if want == 0 && pflags != 0 {
        return m == Modifier::Not;
    }
    let flags = pflags & keep;
    match m {
        Modifier::Any => flags & want != 0,
        Modifier::Plus => flags & want == want,
        Modifier::Not => flags & want != want,
        Modifier::Exact => flags == want,
    }
}

fn flag_bit(c: char) -> Option<u8> {
    Some(match c.to_ascii_uppercase() {
        'F' => f::FIN,
        'S' => f::SYN,
        'R' => f::RST,
        'P' => f::PSH,
        'A' => f::ACK,
        'U' => f::URG,
        'C' | '1' => f::CWR,
        'E' | '2' => f::ECE,
        _ => return None,
    })
}

/// Parses `flags` / `tcp.flags`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let (set, mask) = match v.split_once(',') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (v, None),
    };
    let mut modifier = None;
    let mut flags = 0u8;
    let mut found = false;
    for c in set.chars() {
        let m = match c {
            '+' => Modifier::Plus,
            '*' => Modifier::Any,
            '!' => Modifier::Not,
            '0' => {
                flags = 0;
                found = true;
                continue;
            }
            c if c.is_whitespace() => continue,
            c => {
                flags |= flag_bit(c).ok_or_else(|| KwError::invalid(kw, format!("'{v}': unknown flag '{c}' (expected F S R P A U C E 0 and + * !)")))?;
                found = true;
                continue;
            }
        };
        if modifier.replace(m).is_some() {
            return Err(KwError::invalid(kw, format!("'{v}': only one modifier at a time")));
        }
    }
    if !found {
        return Err(KwError::invalid(kw, format!("'{v}' names no flag")));
    }
    let modifier = modifier.unwrap_or(Modifier::Exact);
    let mut keep = 0xffu8;
    if let Some(m) = mask {
        if m.is_empty() {
            return Err(KwError::invalid(kw, format!("'{v}': empty mask after ','")));
        }
        for c in m.chars() {
            if c.is_whitespace() {
                continue;
            }
            let b = flag_bit(c).ok_or_else(|| KwError::invalid(kw, format!("'{v}': unknown flag '{c}' in the mask")))?;
            keep &= !b;
        }
    }
    Ok(Keyword::Cond(Cond::Flags(TcpFlags { flags, modifier, keep })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;

    fn cond(v: &str) -> Cond {
        match parse("flags", Some(v)) {
            Ok(Keyword::Cond(c)) => c,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn table() {
        let syn = tcp_pkt(f::SYN);
        let synack = tcp_pkt(f::SYN | f::ACK);
        let syn_ecn = tcp_pkt(f::SYN | f::ECE | f::CWR);
        let none = tcp_pkt(0);
        let cases: &[(&str, &str, &Packet<'_>, bool)] = &[
            ("exact S on SYN", "S", &syn, true),
            ("exact S on SYN/ACK", "S", &synack, false),
            ("exact SA", "SA", &synack, true),
            ("plus S on SYN/ACK", "S+", &synack, true),
            ("plus S on SYN", "+S", &syn, true),
            ("plus SA on SYN", "SA+", &syn, false),
            ("not zero on SYN", "!0", &syn, true),
            ("not zero on none", "!0", &none, false),
            ("zero then S", "0S", &syn, true),
            ("any SA on SYN", "*SA", &syn, true),
            ("not A on SYN", "!A", &syn, true),
            ("not S on SYN", "!S", &syn, false),
            ("mask 12", "S,12", &syn_ecn, true),
            ("mask CE", "S,CE", &syn_ecn, true),
            ("no mask", "S", &syn_ecn, false),
            ("alias 1 2", "S12", &syn_ecn, true),
            ("zero", "0", &none, true),
            ("zero on SYN", "0", &syn, false),
        ];
        for (name, v, p, want) in cases {
            assert_eq!(cond(v).matches(p, None), *want, "case {name}");
        }
        for bad in ["", "X", "S,", "+", "S,Q", "+S*", "!S!"] {
            assert!(parse("flags", Some(bad)).is_err(), "{bad:?}");
        }
    }
}
