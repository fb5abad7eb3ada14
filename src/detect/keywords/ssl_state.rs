//! `ssl_state`: which handshake messages were seen (Suricata `detect-ssl-state.c`).
//!
//! Syntax: `ssl_state:client_hello|server_hello;` — states `client_hello`, `server_hello`,
//! `client_keyx`, `server_keyx`, `unknown`, joined by `|` (any of them); `!state` requires the
//! state *not* to have been seen.
//!
//! As Suricata (its `current_flags`), the states are those of the handshake messages in the
//! last chunk of stream data parsed, not everything seen on the flow.

use crate::applayer::tls::{ssl_state as bits, TlsTx};
use crate::applayer::Direction;

/// A compiled `ssl_state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SslState {
    /// States of which at least one must have been seen (0: none required).
    pub any: u8,
    /// States that must not have been seen.
    pub none: u8,
}

impl SslState {
    /// Parses the option value.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or("ssl_state: needs a value")?;
        let (mut any, mut none) = (0u8, 0u8);
        for item in v.split('|') {
            let item = item.trim();
            let (neg, name) = match item.strip_prefix('!') {
                Some(r) => (true, r.trim()),
                None => (false, item),
            };
            let b = match name.to_ascii_lowercase().as_str() {
                "client_hello" => bits::CLIENT_HELLO,
                "server_hello" => bits::SERVER_HELLO,
                "client_keyx" => bits::CLIENT_KEYX,
                "server_keyx" => bits::SERVER_KEYX,
                "unknown" => bits::UNKNOWN,
                _ => return Err(format!("ssl_state: unknown state '{name}'")),
            };
            if neg {
                none |= b;
            } else {
                any |= b;
            }
        }
        Ok(SslState { any, none })
    }

    /// Whether `tx` matches (the direction does not matter).
    pub fn matches(&self, tx: &TlsTx, _dir: Direction) -> bool {
        let s = tx.current_state_bits;
        (self.any == 0 || s & self.any != 0) && s & self.none == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let tx = TlsTx { state_bits: bits::CLIENT_HELLO | bits::SERVER_HELLO, current_state_bits: bits::CLIENT_HELLO, ..Default::default() };
        let cases = [
            ("client_hello", true),
            ("server_hello", false),
            ("server_hello|client_hello", true),
            ("!server_hello", true),
            ("client_hello|!client_hello", false),
            ("!client_hello", false),
        ];
        for (v, want) in cases {
            assert_eq!(SslState::parse(Some(v)).expect(v).matches(&tx, Direction::ToServer), want, "ssl_state:{v}");
        }
        assert!(SslState::parse(Some("hello")).is_err());
    }
}
