//! `dsize` (payload size) and the small integer matcher it shares with `bsize`.
//! (The generic matcher in `keywords/uint.rs` may replace [`UintMatch`] at integration.)
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#dsize>

/// An integer comparison: `N`, `<N`, `>N`, `<=N`, `>=N`, `!N`, `N<>M`, `N-M` (exclusive range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UintMatch {
    /// `== N`
    Eq(u64),
    /// `!= N`
    Ne(u64),
    /// `< N`
    Lt(u64),
    /// `<= N`
    Le(u64),
    /// `> N`
    Gt(u64),
    /// `>= N`
    Ge(u64),
    /// `a < x < b`
    Range(u64, u64),
}

impl UintMatch {
    /// Parses the value; ranges need `min < max`.
    pub fn parse(s: &str) -> Result<UintMatch, String> {
        let s = s.trim();
        let num = |t: &str| t.trim().parse::<u64>().map_err(|_| format!("invalid number '{}'", t.trim()));
        if let Some((a, b)) = s.split_once("<>").or_else(|| s.split_once('-')) {
            let (a, b) = (num(a)?, num(b)?);
            if a >= b {
                return Err(format!("invalid range {a}-{b}"));
            }
            return Ok(UintMatch::Range(a, b));
        }
        Ok(if let Some(r) = s.strip_prefix("<=") {
            UintMatch::Le(num(r)?)
        } else if let Some(r) = s.strip_prefix(">=") {
            UintMatch::Ge(num(r)?)
        } else if let Some(r) = s.strip_prefix('<') {
            UintMatch::Lt(num(r)?)
        } else if let Some(r) = s.strip_prefix('>') {
            UintMatch::Gt(num(r)?)
        } else if let Some(r) = s.strip_prefix('!') {
            UintMatch::Ne(num(r)?)
        } else if let Some(r) = s.strip_prefix('=') {
            UintMatch::Eq(num(r)?)
        } else {
            UintMatch::Eq(num(s)?)
        })
    }

    /// Whether `x` satisfies the comparison.
    pub fn matches(&self, x: u64) -> bool {
        match *self {
            UintMatch::Eq(v) => x == v,
            UintMatch::Ne(v) => x != v,
            UintMatch::Lt(v) => x < v,
            UintMatch::Le(v) => x <= v,
            UintMatch::Gt(v) => x > v,
            UintMatch::Ge(v) => x >= v,
            UintMatch::Range(a, b) => a < x && x < b,
        }
    }
}

/// Parses a `dsize` value.
pub fn parse_dsize(v: &str) -> Result<UintMatch, String> {
    let m = UintMatch::parse(v)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases: &[(&str, &str, u64, bool)] = &[
            ("eq", "10", 10, true),
            ("eq_miss", "10", 11, false),
            ("lt", "<10", 9, true),
            ("gt", ">10", 10, false),
            ("le", "<=10", 10, true),
            ("ge", ">= 10", 10, true),
            ("ne", "!10", 10, false),
            ("range_excl_low", "10<>20", 10, false),
            ("range_in", "10<>20", 15, true),
            ("dash_range", "10-20", 19, true),
        ];
        for (name, spec, x, want) in cases {
            assert_eq!(parse_dsize(spec).unwrap().matches(*x), *want, "case {name}");
        }
        for bad in ["", "x", "20<>10", "<", "-1"] {
            assert!(parse_dsize(bad).is_err(), "{bad}");
        }
    }
}
