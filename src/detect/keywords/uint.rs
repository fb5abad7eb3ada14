//! The integer-comparison grammar shared by every numeric keyword (ttl, id, window, seq, ack,
//! itype, icode, icmp_id, icmp_seq, tcp.mss, fragoffset, flow.pkts, flow.bytes, flow.age, and
//! the engine's dsize/bsize), with Suricata's syntax and semantics (`rust/src/detect/uint.rs`):
//!
//! | form          | meaning                                   |
//! |---------------|-------------------------------------------|
//! | `N`, `=N`     | equal                                     |
//! | `!N`, `!=N`   | not equal                                 |
//! | `<N` `<=N` `>N` `>=N` | comparisons (always-true/false forms like `<0` are refused) |
//! | `N-M`, `N<>M` | exclusive range `N < v < M` (needs `M - N > 1`) |
//! | `!N-M`        | outside the exclusive range: `v <= N || v >= M` |
//! | `&M=V`, `&M!=V` | bitmask: `v & M == V` / `!=` (`V` must fit in `M`) |
//!
//! Numbers are decimal (with an optional `kb`/`kib`/`mb`/`mib`/`gb`/`gib` unit, all powers of
//! 1024) or `0x` hex. Spaces are allowed around operators as in Suricata.

use std::fmt::Debug;
use std::hash::Hash;

/// An unsigned integer type the grammar works on.
pub trait UintValue: Copy + Ord + Eq + Hash + Debug + Send + Sync + 'static {
    /// Smallest value.
    const MIN: Self;
    /// Largest value.
    const MAX: Self;
    /// Type name for error messages.
    const NAME: &'static str;
    /// Narrows from u64, `None` when out of range.
    fn from_u64(v: u64) -> Option<Self>;
    /// Widens to u64.
    fn to_u64(self) -> u64;
}

macro_rules! uint_value {
    ($($t:ty),*) => {$(
        impl UintValue for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            const NAME: &'static str = stringify!($t);
            fn from_u64(v: u64) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            fn to_u64(self) -> u64 {
                self as u64
            }
        }
    )*};
}
uint_value!(u8, u16, u32, u64);

/// The comparison a [`Uint`] performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UintMode {
    /// `v == arg1`.
    Eq,
    /// `v != arg1`.
    Ne,
    /// `v < arg1`.
    Lt,
    /// `v <= arg1`.
    Lte,
    /// `v > arg1`.
    Gt,
    /// `v >= arg1`.
    Gte,
    /// `arg1 < v < arg2`.
    Range,
    /// `v <= arg1 || v >= arg2`.
    NegRange,
    /// `v & arg1 == arg2`.
    Bitmask,
    /// `v & arg1 != arg2`.
    NegBitmask,
}

/// A parsed integer condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Uint<T: UintValue> {
    /// What to compare.
    pub mode: UintMode,
    /// First operand.
    pub arg1: T,
    /// Second operand (ranges and bitmasks), `T::MIN` otherwise.
    pub arg2: T,
}

impl<T: UintValue> Uint<T> {
    /// An equality condition.
    pub fn eq(v: T) -> Self {
        Uint { mode: UintMode::Eq, arg1: v, arg2: T::MIN }
    }

    /// Whether `v` satisfies the condition. Never allocates.
    #[inline]
    pub fn matches(&self, v: T) -> bool {
        let (a, b) = (self.arg1, self.arg2);
        match self.mode {
            UintMode::Eq => v == a,
            UintMode::Ne => v != a,
            UintMode::Lt => v < a,
            UintMode::Lte => v <= a,
            UintMode::Gt => v > a,
            UintMode::Gte => v >= a,
            UintMode::Range => v > a && v < b,
            UintMode::NegRange => v <= a || v >= b,
            UintMode::Bitmask => v.to_u64() & a.to_u64() == b.to_u64(),
            UintMode::NegBitmask => v.to_u64() & a.to_u64() != b.to_u64(),
        }
    }

    /// Parses the grammar above. The error is a reason without the keyword name, quoting the
    /// whole input (`'>x' is not a number`).
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let bad = |why: &str| format!("'{input}' {why}");
        if s.is_empty() {
            return Err("empty value: expected a number".into());
        }
        // Bitmask: &M=V / &M!=V.
        if let Some(rest) = s.strip_prefix('&') {
            let (mask, rest) = value::<T>(rest.trim_start()).map_err(|e| bad(&e))?;
            let rest = rest.trim_start();
            let (neg, rest) = match rest.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let rest = rest.strip_prefix('=').ok_or_else(|| bad("needs '=' or '!=' after the bitmask"))?;
            let (v, rest) = value::<T>(rest.trim_start()).map_err(|e| bad(&e))?;
            if !rest.trim().is_empty() {
                return Err(bad("has trailing characters"));
            }
            if v.to_u64() & mask.to_u64() != v.to_u64() {
                return Err(bad("can never match: the value has bits outside the mask"));
            }
            let mode = if neg { UintMode::NegBitmask } else { UintMode::Bitmask };
            return Ok(Uint { mode, arg1: mask, arg2: v });
        }
        // Range: [!]N-M / [!]N<>M.
        {
            let (neg, r) = match s.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, s),
            };
            if let Ok((a, r2)) = value::<T>(r) {
                let r3 = r2.trim_start();
                let after = r3.strip_prefix("<>").or_else(|| r3.strip_prefix('-'));
                if let Some(after) = after {
                    let (b, tail) = value::<T>(after.trim_start()).map_err(|e| bad(&e))?;
                    if !tail.trim().is_empty() {
                        return Err(bad("has trailing characters"));
                    }
                    if b <= a || b.to_u64() - a.to_u64() <= 1 {
                        return Err(bad("is an empty range (ranges are exclusive: N-M needs M > N+1)"));
                    }
                    let mode = if neg { UintMode::NegRange } else { UintMode::Range };
                    return Ok(Uint { mode, arg1: a, arg2: b });
                }
            }
        }
        // Symbol or plain number.
        let (mode, rest) = if let Some(r) = s.strip_prefix(">=") {
            (UintMode::Gte, r)
        } else if let Some(r) = s.strip_prefix("<=") {
            (UintMode::Lte, r)
        } else if let Some(r) = s.strip_prefix('>') {
            (UintMode::Gt, r)
        } else if let Some(r) = s.strip_prefix('<') {
            (UintMode::Lt, r)
        } else if let Some(r) = s.strip_prefix("!=") {
            (UintMode::Ne, r)
        } else if let Some(r) = s.strip_prefix('!') {
            (UintMode::Ne, r)
        } else if let Some(r) = s.strip_prefix('=') {
            (UintMode::Eq, r)
        } else {
            (UintMode::Eq, s)
        };
        let (a, tail) = value::<T>(rest.trim_start()).map_err(|e| bad(&e))?;
        if !tail.trim().is_empty() {
            return Err(bad("has trailing characters"));
        }
        let degenerate = match mode {
            UintMode::Lt | UintMode::Gte => a == T::MIN,
            UintMode::Lte | UintMode::Gt => a == T::MAX,
            _ => false,
        };
        if degenerate {
            return Err(bad("is always true or always false"));
        }
        Ok(Uint { mode, arg1: a, arg2: T::MIN })
    }
}

/// Parses one number at the start of `s`; returns it and the rest.
fn value<T: UintValue>(s: &str) -> Result<(T, &str), String> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'0' && (b[1] == b'x') {
        let hex = &s[2..];
        let n = hex.bytes().take_while(|c| c.is_ascii_hexdigit()).count();
        if n == 0 {
            return Err("is not a number".into());
        }
        let v = u64::from_str_radix(&hex[..n], 16).ok().and_then(T::from_u64);
        return match v {
            Some(v) => Ok((v, &hex[n..])),
            None => Err(format!("is out of range for {}", T::NAME)),
        };
    }
    let n = s.bytes().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return Err("is not a number".into());
    }
    let v = s[..n].parse::<u64>().ok().and_then(T::from_u64).ok_or_else(|| format!("is out of range for {}", T::NAME))?;
    let rest = &s[n..];
    let lower = rest.get(..3).map(str::to_ascii_lowercase);
    let lower2 = rest.get(..2).map(str::to_ascii_lowercase);
    let unit: Option<(u64, usize)> = match (lower.as_deref(), lower2.as_deref()) {
        (Some("kib"), _) => Some((1 << 10, 3)),
        (Some("mib"), _) => Some((1 << 20, 3)),
        (Some("gib"), _) => Some((1 << 30, 3)),
        (_, Some("kb")) => Some((1 << 10, 2)),
        (_, Some("mb")) => Some((1 << 20, 2)),
        (_, Some("gb")) => Some((1 << 30, 2)),
        _ => None,
    };
    match unit {
        Some((mul, len)) => {
            let rest = &rest[len..];
            if v.to_u64() == 0 {
                return Ok((v, rest));
            }
            let m = v.to_u64().checked_mul(mul).and_then(T::from_u64).ok_or_else(|| format!("is out of range for {}", T::NAME))?;
            Ok((m, rest))
        }
        None => Ok((v, rest)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        type Case = (&'static str, &'static str, Option<(UintMode, u64, u64)>);
        let cases: &[Case] = &[
            ("plain", "5", Some((UintMode::Eq, 5, 0))),
            ("equal sign", "= 5", Some((UintMode::Eq, 5, 0))),
            ("not", "!5", Some((UintMode::Ne, 5, 0))),
            ("not equal", "!= 5", Some((UintMode::Ne, 5, 0))),
            ("lt", "<5", Some((UintMode::Lt, 5, 0))),
            ("lte", "<= 5", Some((UintMode::Lte, 5, 0))),
            ("gt", ">5", Some((UintMode::Gt, 5, 0))),
            ("gte", ">=5", Some((UintMode::Gte, 5, 0))),
            ("range dash", "1-10", Some((UintMode::Range, 1, 10))),
            ("range diamond", "1 <> 10", Some((UintMode::Range, 1, 10))),
            ("neg range", "!1-10", Some((UintMode::NegRange, 1, 10))),
            ("bitmask", "&0xf0=0x10", Some((UintMode::Bitmask, 0xf0, 0x10))),
            ("neg bitmask", "& 0xf0 != 0x10", Some((UintMode::NegBitmask, 0xf0, 0x10))),
            ("hex", "0x1f", Some((UintMode::Eq, 31, 0))),
            ("unit", "1kb", Some((UintMode::Eq, 1024, 0))),
            ("empty range", "5-6", None),
            ("reversed range", "6-5", None),
            ("lt zero", "<0", None),
            ("gt max", ">255", None),
            ("too big", "256", None),
            ("letters", ">x", None),
            ("trailing", "5 x", None),
            ("mask mismatch", "&0x0f=0x10", None),
            ("empty", "", None),
            ("unit overflow", "1kb", None),
        ];
        for (name, s, want) in cases {
            // The last case checks u8 overflow; every other case runs on u8 unless it needs more.
            let got = Uint::<u8>::parse(s).ok().map(|u| (u.mode, u.arg1 as u64, u.arg2 as u64));
            let want = if *name == "unit" { None } else { *want };
            assert_eq!(got, want, "u8 case {name}: {s:?}");
            if *name == "unit" {
                let got = Uint::<u32>::parse(s).ok().map(|u| (u.mode, u.arg1 as u64, u.arg2 as u64));
                assert_eq!(got, Some((UintMode::Eq, 1024, 0)), "u32 unit");
            }
        }
    }

    #[test]
    fn error_message_quotes_input() {
        assert_eq!(Uint::<u8>::parse(">x").unwrap_err(), "'>x' is not a number");
    }

    /// A tiny deterministic generator (xorshift64*), so the model test needs no extra crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Naive reference: the spec as (operator text, a, b), evaluated directly.
    fn naive(op: &str, a: u64, b: u64, v: u64, max: u64) -> Option<bool> {
        Some(match op {
            "" | "=" => v == a,
            "!" | "!=" => v != a,
            "<" => if a == 0 { return None } else { v < a },
            "<=" => if a == max { return None } else { v <= a },
            ">" => if a == max { return None } else { v > a },
            ">=" => if a == 0 { return None } else { v >= a },
            "-" => if b <= a || b - a <= 1 { return None } else { a < v && v < b },
            "!-" => if b <= a || b - a <= 1 { return None } else { !(a < v && v < b) },
            "&" => if b & a != b { return None } else { v & a == b },
            "&!" => if b & a != b { return None } else { v & a != b },
            _ => unreachable!(),
        })
    }

    fn model<T: UintValue>(seed: u64, bits: u32) {
        let max = T::MAX.to_u64();
        let mut rng = Rng(seed);
        let ops = ["", "=", "!", "!=", "<", "<=", ">", ">=", "-", "!-", "&", "&!"];
        for _ in 0..4000 {
            let op = ops[(rng.next() % ops.len() as u64) as usize];
            let small = |r: &mut Rng| if r.next() % 2 == 0 { r.next() % 8 } else { r.next() >> (64 - bits) };
            let a = small(&mut rng).min(max);
            let b = small(&mut rng).min(max);
            let text = match op {
                "-" => format!("{a}-{b}"),
                "!-" => format!("!{a}-{b}"),
                "&" => format!("&{a}={b}"),
                "&!" => format!("&{a}!={b}"),
                _ => format!("{op}{a}"),
            };
            let parsed = Uint::<T>::parse(&text);
            let probe = |v: u64| naive(op, a, b, v, max);
            match (parsed, probe(0)) {
                (Err(_), None) => {}
                (Ok(u), Some(_)) => {
                    for v in [0, 1, a.saturating_sub(1), a, a.saturating_add(1).min(max), b.saturating_sub(1), b, b.saturating_add(1).min(max), max, rng.next() & max] {
                        let tv = T::from_u64(v).expect("in range");
                        assert_eq!(Some(u.matches(tv)), probe(v), "{} {text:?} on {v}", T::NAME);
                    }
                }
                (p, n) => panic!("{} {text:?}: parse {p:?} vs naive {n:?}", T::NAME),
            }
        }
    }

    #[test]
    fn model_against_naive() {
        model::<u8>(0x5eed_0001, 8);
        model::<u16>(0x5eed_0002, 16);
        model::<u32>(0x5eed_0003, 32);
        model::<u64>(0x5eed_0004, 64);
    }

    #[test]
    fn exhaustive_u8_ranges() {
        for a in 0..=255u16 {
            for b in (a + 2)..=255u16 {
                let u = Uint::<u8>::parse(&format!("{a}<>{b}")).expect("valid range");
                for v in 0..=255u16 {
                    assert_eq!(u.matches(v as u8), a < v && v < b);
                }
            }
        }
    }
}
