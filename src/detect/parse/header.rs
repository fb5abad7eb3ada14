//! The rule header: `action proto src sport dir dst dport (`, or Snort 3's service form
//! `action proto (` (addresses and ports `any`, [`Header::snort3_service`] set).
//!
//! Tokens are separated by whitespace; inside `[...]` whitespace is allowed (as Suricata's
//! `SigParseList`). Actions are matched case-insensitively; the protocol is lower-cased and must
//! be a word (`[a-z0-9_.-]+`); whether it is supported is the compiler's decision.

use super::address::parse_address;
use super::port::parse_port;
use super::{Action, AddrExpr, Fail, Header, PortExpr, Vars};

/// Longest protocol name accepted.
const MAX_PROTO_LEN: usize = 32;

fn fail(reason: impl Into<String>) -> Fail {
    Fail { keyword: None, reason: reason.into() }
}

fn skip_ws(b: &[u8], pos: &mut usize) {
    while b.get(*pos).is_some_and(|c| c.is_ascii_whitespace()) {
        *pos += 1;
    }
}

/// A plain token: up to whitespace or `(`.
fn token<'a>(s: &'a str, pos: &mut usize) -> &'a str {
    let b = s.as_bytes();
    skip_ws(b, pos);
    let start = *pos;
    while b.get(*pos).is_some_and(|c| !c.is_ascii_whitespace() && *c != b'(') {
        *pos += 1;
    }
    s.get(start..*pos).unwrap_or("")
}

/// A list token: up to whitespace or `(` outside brackets.
fn list_token<'a>(s: &'a str, pos: &mut usize) -> &'a str {
    let b = s.as_bytes();
    skip_ws(b, pos);
    let start = *pos;
    let mut depth: i32 = 0;
    while let Some(&c) = b.get(*pos) {
        match c {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'(' if depth <= 0 => break,
            c if c.is_ascii_whitespace() && depth <= 0 => break,
            _ => {}
        }
        *pos += 1;
    }
    s.get(start..*pos).unwrap_or("")
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(32).collect();
    if s.chars().count() > 32 {
        out.push_str("...");
    }
    out
}

fn parse_action(word: &str) -> Result<Action, Fail> {
    const ACTIONS: [(&str, Action); 7] = [
        ("alert", Action::Alert),
        ("pass", Action::Pass),
        ("drop", Action::Drop),
        ("reject", Action::Reject),
        ("rejectsrc", Action::RejectSrc),
        ("rejectdst", Action::RejectDst),
        ("rejectboth", Action::RejectBoth),
    ];
    if let Some((_, a)) = ACTIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(word)) {
        return Ok(*a);
    }
    if word.eq_ignore_ascii_case("config") {
        return Err(fail("action 'config' (Suricata config rules) is not supported"));
    }
    if word.is_empty() {
        return Err(fail("empty rule"));
    }
    Err(fail(format!("unknown action '{}'", short(word))))
}

/// Parses the header and returns it with the option body (between `(` and the final `)`).
pub(crate) fn parse_header<'a>(text: &'a str, vars: &Vars) -> Result<(Header, &'a str), Fail> {
    let b = text.as_bytes();
    let mut pos = 0;
    let action = parse_action(token(text, &mut pos))?;

    let proto = token(text, &mut pos);
    if proto.is_empty() {
        return Err(fail("rule header ends after the action: missing protocol"));
    }
    if proto.len() > MAX_PROTO_LEN
        || !proto.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    {
        return Err(fail(format!("invalid protocol '{}'", short(proto))));
    }
    let proto = proto.to_ascii_lowercase();

    skip_ws(b, &mut pos);
    let header = if b.get(pos) == Some(&b'(') {
        Header {
            action,
            proto,
            src: AddrExpr::Any,
            sport: PortExpr::Any,
            dst: AddrExpr::Any,
            dport: PortExpr::Any,
            bidirectional: false,
            snort3_service: true,
        }
    } else {
        let mut field = |name: &str| {
            let t = list_token(text, &mut pos);
            if t.is_empty() {
                Err(fail(format!("rule header ends early: missing {name}")))
            } else if t.bytes().filter(|c| *c == b'[').count() > t.bytes().filter(|c| *c == b']').count() {
                Err(fail(format!("{name}: unclosed '['")))
            } else {
                Ok(t)
            }
        };
        let src = field("source address")?;
        let sport = field("source port")?;
        let dir = field("direction")?;
        let dst = field("destination address")?;
        let dport = field("destination port")?;
        let bidirectional = match dir {
            "->" => false,
            "<>" => true,
            "<-" => return Err(fail("direction '<-' is not valid (write '->' with the ends swapped)")),
            other => return Err(fail(format!("invalid direction '{}' (expected '->' or '<>')", short(other)))),
        };
        let addr = |t: &str, what: &str| parse_address(t, &vars.address).map_err(|e| fail(format!("{what}: {e}")));
        let port = |t: &str, what: &str| parse_port(t, &vars.port).map_err(|e| fail(format!("{what}: {e}")));
        let header = Header {
            action,
            proto,
            src: addr(src, "source address")?,
            sport: port(sport, "source port")?,
            dst: addr(dst, "destination address")?,
            dport: port(dport, "destination port")?,
            bidirectional,
            snort3_service: false,
        };
        skip_ws(b, &mut pos);
        match b.get(pos) {
            Some(b'(') => {}
            None => return Err(fail("rule has no options: expected '(' after the header")),
            Some(_) => {
                let rest = text.get(pos..).unwrap_or("");
                return Err(fail(format!("unexpected '{}' after the header, expected '('", short(rest))));
            }
        }
        header
    };
    // pos is at '('.
    let rest = text.get(pos + 1..).unwrap_or("").trim_end();
    let Some(body) = rest.strip_suffix(')') else {
        return Err(fail("rule options are not closed with ')'"));
    };
    Ok((header, body))
}
