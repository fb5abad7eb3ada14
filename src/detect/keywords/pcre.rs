//! `pcre`: Perl-compatible regular expressions on the payload, through PCRE2 with JIT.
//! Doc: <https://docs.suricata.io/en/latest/rules/pcre.html>

use pcre2::bytes::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A compiled `pcre`.
#[derive(Clone, Debug)]
pub struct Pcre {
    /// The compiled expression (shared by every rule with the same pattern and flags).
    pub regex: Arc<Regex>,
    /// `R`: relative to the previous match.
    pub relative: bool,
    /// `!"/.../"`.
    pub negated: bool,
}

/// The parsed parts of a pcre value, before compilation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PcreSpec {
    /// The expression as PCRE2 will compile it (anchoring / ungreedy folded in).
    pub expr: String,
    /// `i`
    pub caseless: bool,
    /// `s`
    pub dotall: bool,
    /// `m`
    pub multiline: bool,
    /// `x`
    pub extended: bool,
    /// `R`
    pub relative: bool,
    /// `!`
    pub negated: bool,
    /// An HTTP buffer flag (`U`, `I`, `P`, `Q`, `H`, `D`, `M`, `C`, `K`, `S`, `Y`, `V`, `W`,
    /// `Z`): the pcre inspects that buffer instead of the current one. At most one.
    pub buffer_flag: Option<char>,
}

/// Why a pcre value was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PcreError {
    /// Malformed.
    Invalid(String),
    /// Valid but not supported (http buffer flags, ...).
    Refused(String),
}

/// Parses `[!]"/expr/flags"` (option escapes are left for PCRE2, which reads `\;` as `;`).
pub fn parse_pcre(value: &str) -> Result<PcreSpec, PcreError> {
    let inv = |s: &str| PcreError::Invalid(s.to_string());
    let mut s = value.trim();
    let mut negated = false;
    if let Some(r) = s.strip_prefix('!') {
        negated = true;
        s = r.trim_start();
    }
    // Suricata also accepts the unquoted form `pcre:/x/i;`.
    let s = match s.strip_prefix('"') {
        Some(r) => r.strip_suffix('"').ok_or_else(|| inv("pcre has an opening '\"' without a closing one"))?,
        None => s,
    };
    let s = s.strip_prefix('/').ok_or_else(|| inv("pcre must start with '/'"))?;
    let end = s.rfind('/').ok_or_else(|| inv("pcre has no closing '/'"))?;
    let (body, flags) = (&s[..end], &s[end + 1..]);
    let mut spec = PcreSpec { expr: String::new(), caseless: false, dotall: false, multiline: false, extended: false, relative: false, negated, buffer_flag: None };
    let (mut anchored, mut ungreedy) = (false, false);
    for f in flags.chars() {
        match f {
            'i' => spec.caseless = true,
            's' => spec.dotall = true,
            'm' => spec.multiline = true,
            'x' => spec.extended = true,
            'A' => anchored = true,
            'G' => ungreedy = true,
            'R' => spec.relative = true,
            'O' => {} // match-limit override: PCRE2 defaults apply
            'E' => return Err(PcreError::Refused("pcre flag E (dollar-endonly) not supported yet".into())),
            // Snort's rawbytes: Suricata accepts and ignores it.
            'B' => {}
            'U' | 'I' | 'P' | 'Q' | 'H' | 'D' | 'M' | 'C' | 'K' | 'S' | 'Y' | 'V' | 'W' | 'Z' => {
                if spec.buffer_flag.is_some_and(|b| b != f) {
                    return Err(inv(&format!("pcre has two buffer flags ({} and {f})", spec.buffer_flag.unwrap_or(f))));
                }
                spec.buffer_flag = Some(f);
            }
            _ => return Err(inv(&format!("unknown pcre flag '{f}'"))),
        }
    }
    if body.contains("(?P<pkt_") || body.contains("(?P<flow_") || body.contains("(?<pkt_") || body.contains("(?<flow_") {
        return Err(PcreError::Refused("pcre capture into pkt/flow variables not supported yet".into()));
    }
    let mut expr = String::with_capacity(body.len() + 12);
    if ungreedy {
        expr.push_str("(?U)");
    }
    if anchored {
        // \G anchors at the start offset, as PCRE2_ANCHORED does on retries.
        expr.push_str("\\G(?:");
        expr.push_str(body);
        expr.push(')');
    } else {
        expr.push_str(body);
    }
    spec.expr = expr;
    Ok(spec)
}

type CacheMap = HashMap<(String, u8), Result<Arc<Regex>, String>>;

/// Compiled regexes keyed by pattern and flags, so identical pcres across rules compile once.
#[derive(Default)]
pub struct PcreCache {
    map: Mutex<CacheMap>,
}

impl PcreCache {
    /// Compiles (or reuses) the regex for `spec`.
    pub fn compile(&self, spec: &PcreSpec) -> Result<Arc<Regex>, String> {
        let fl = spec.caseless as u8 | (spec.dotall as u8) << 1 | (spec.multiline as u8) << 2 | (spec.extended as u8) << 3;
        let key = (spec.expr.clone(), fl);
        if let Some(r) = self.map.lock().map_err(|_| "pcre cache poisoned".to_string())?.get(&key) {
            return r.clone();
        }
        let r = RegexBuilder::new()
            .caseless(spec.caseless)
            .dotall(spec.dotall)
            .multi_line(spec.multiline)
            .extended(spec.extended)
            .jit_if_available(true)
            .build(&spec.expr)
            .map(Arc::new)
            .map_err(|e| format!("pcre compile error: {e}"));
        self.map.lock().map_err(|_| "pcre cache poisoned".to_string())?.insert(key, r.clone());
        r
    }

    /// Number of distinct compiled patterns.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether nothing was compiled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Pcre {
    /// Runs the regex on `subject` from `start`; on a hit returns (match start, match end).
    /// A PCRE2 runtime error (match limit) counts as no match, as in Suricata.
    pub fn find(&self, subject: &[u8], start: usize) -> Option<(usize, usize)> {
        if start > subject.len() {
            return None;
        }
        match self.regex.find_at(subject, start) {
            Ok(Some(m)) => Some((m.start(), m.end())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok: &[(&str, &str, &str, bool, bool)] = &[
            ("plain", "\"/abc/\"", "abc", false, false),
            ("flags", "\"/a.c/smixR\"", "a.c", true, false),
            ("negated", "!\"/abc/i\"", "abc", false, true),
            ("anchored", "\"/ab|cd/A\"", "\\G(?:ab|cd)", false, false),
            ("ungreedy", "\"/a.*b/G\"", "(?U)a.*b", false, false),
            ("slash_inside", "\"/a\\/b/\"", "a\\/b", false, false),
        ];
        for (name, v, expr, rel, neg) in ok {
            let s = parse_pcre(v).unwrap_or_else(|e| panic!("case {name}: {e:?}"));
            assert_eq!((s.expr.as_str(), s.relative, s.negated), (*expr, *rel, *neg), "case {name}");
        }
        assert_eq!(parse_pcre("\"/abc/U\"").map(|s| s.buffer_flag), Ok(Some('U')));
        assert!(matches!(parse_pcre("\"/abc/UH\""), Err(PcreError::Invalid(_))));
        assert!(matches!(parse_pcre("\"/abc/q\""), Err(PcreError::Invalid(_))));
        assert!(matches!(parse_pcre("\"abc\""), Err(PcreError::Invalid(_))));
    }

    #[test]
    fn cache_shares_and_reports_errors() {
        let c = PcreCache::default();
        let a = c.compile(&parse_pcre("\"/ab+c/i\"").unwrap()).unwrap();
        let b = c.compile(&parse_pcre("\"/ab+c/i\"").unwrap()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(c.len(), 1);
        assert!(c.compile(&parse_pcre("\"/a(b/\"").unwrap()).is_err());
        let p = Pcre { regex: a, relative: false, negated: false };
        assert_eq!(p.find(b"xxABBC", 0), Some((2, 6)));
        assert_eq!(p.find(b"xxABBC", 3), None);
    }
}
