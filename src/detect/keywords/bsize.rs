//! `bsize` on the packet payload (the only buffer without the app layer).
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#bsize>

pub use super::dsize::UintMatch;

/// Parses a `bsize` value.
pub fn parse_bsize(v: &str) -> Result<UintMatch, String> {
    UintMatch::parse(v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        assert!(super::parse_bsize("<5").unwrap().matches(4));
        assert!(super::parse_bsize("zz").is_err());
    }
}
