//! `isdataat`: is there data at a position (absolute or relative to the cursor).
//! Doc: <https://docs.suricata.io/en/latest/rules/payload-keywords.html#isdataat>

use super::byte_extract::{split_args, val};
use super::content::Val;

/// A compiled `isdataat`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IsDataAt {
    /// Position.
    pub at: Val,
    /// `relative`.
    pub relative: bool,
    /// `!`.
    pub negated: bool,
}

/// Parses `[!]N [, relative] [, rawbytes]`.
pub fn parse_isdataat(v: &str, var: &dyn Fn(&str) -> Option<u8>) -> Result<IsDataAt, String> {
    let a = split_args(v);
    let (negated, first) = match a[0].strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, a[0]),
    };
    let at = val(first, 0, 65535, var)?;
    let mut relative = false;
    for w in &a[1..] {
        match *w {
            "relative" => relative = true,
            "rawbytes" => {}
            _ => return Err(format!("unknown isdataat option '{w}'")),
        }
    }
    Ok(IsDataAt { at, relative, negated })
}

impl IsDataAt {
    /// Suricata's check: relative: `cur + n <= len`; absolute: `n < len`.
    pub fn matches(&self, len: usize, cur: usize, vars: &[u64]) -> bool {
        let n = self.at.get(vars).max(0) as u64;
        let has = if self.relative { (cur as u64).saturating_add(n) <= len as u64 } else { n < len as u64 };
        has != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let none = |_: &str| None;
        let cases: &[(&str, &str, usize, usize, bool)] = &[
            ("abs_hit", "3", 4, 0, true),
            ("abs_miss", "4", 4, 0, false),
            ("rel_hit", "2, relative", 4, 2, true),
            ("rel_miss", "3, relative", 4, 2, false),
            ("neg", "!4", 4, 0, true),
            ("rawbytes", "1, rawbytes", 4, 0, true),
        ];
        for (name, spec, len, cur, want) in cases {
            let k = parse_isdataat(spec, &none).unwrap();
            assert_eq!(k.matches(*len, *cur, &[]), *want, "case {name}");
        }
        assert!(parse_isdataat("x", &none).is_err());
    }
}
