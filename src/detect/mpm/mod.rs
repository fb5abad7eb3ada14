//! The multi-pattern prefilter: one database per rule group and buffer (Hyperscan, with
//! aho-corasick as the fallback when built without libhs or when Hyperscan cannot compile a
//! database).
//!
//! Shape (Config + Builder -> searcher, as regex-automata): [`PrefilterConfig`] says which
//! backend to try; [`Prefilter::build`] compiles a list of [`PatternSpec`]s; a [`Prefilter`] is
//! immutable and shared; each worker owns one [`PrefilterScratch`] valid for every database of
//! an engine (Hyperscan needs per-thread scratch). Scans report the *user ids* of the patterns
//! that occur at least once; callers dedupe.

use aho_corasick::AhoCorasick;

/// One pattern of a database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PatternSpec {
    /// Literal bytes (non-empty).
    pub bytes: Vec<u8>,
    /// ASCII case-insensitive.
    pub nocase: bool,
    /// Id reported on a hit.
    pub id: u32,
}

/// Prefilter settings.
#[derive(Clone, Copy, Debug)]
pub struct PrefilterConfig {
    /// Try Hyperscan first (ignored when built without the `hyperscan` feature).
    pub hyperscan: bool,
    /// Largest number of patterns in one database.
    pub max_patterns: usize,
}

impl Default for PrefilterConfig {
    fn default() -> Self {
        PrefilterConfig { hyperscan: cfg!(feature = "hyperscan"), max_patterns: 1 << 20 }
    }
}

/// Why a database could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefilterError(String);

impl std::fmt::Display for PrefilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for PrefilterError {}

enum Backend {
    Empty,
    Ac { cs: Option<(AhoCorasick, Vec<u32>)>, ci: Option<(AhoCorasick, Vec<u32>)> },
    #[cfg(feature = "hyperscan")]
    /// One database of literals (UTF-8 patterns) and one of escaped regexes (the rest).
    Hs { dbs: Vec<(hyperscan::BlockDatabase, Vec<u32>)> },
}

/// An immutable multi-pattern searcher.
pub struct Prefilter {
    backend: Backend,
    patterns: usize,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prefilter({}, {} patterns)", self.backend_name(), self.patterns)
    }
}

/// Per-worker scratch space for scanning.
#[derive(Default)]
pub struct PrefilterScratch {
    #[cfg(feature = "hyperscan")]
    hs: Option<hyperscan::Scratch>,
}

impl PrefilterScratch {
    /// Scratch valid for every prefilter in `all`.
    pub fn for_all<'a>(all: impl IntoIterator<Item = &'a Prefilter>) -> Result<PrefilterScratch, PrefilterError> {
        #[allow(unused_mut)]
        let mut s = PrefilterScratch::default();
        for _p in all {
            #[cfg(feature = "hyperscan")]
            for (db, _) in if let Backend::Hs { dbs } = &_p.backend { dbs.as_slice() } else { &[] } {
                match &mut s.hs {
                    None => s.hs = Some(db.alloc_scratch().map_err(|e| PrefilterError(format!("hyperscan scratch: {e}")))?),
                    Some(sc) => {
                        db.realloc_scratch(sc).map_err(|e| PrefilterError(format!("hyperscan scratch: {e}")))?;
                    }
                }
            }
        }
        Ok(s)
    }
}

fn build_ac(pats: &[&PatternSpec], nocase: bool) -> Result<Option<(AhoCorasick, Vec<u32>)>, PrefilterError> {
    if pats.is_empty() {
        return Ok(None);
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(nocase)
        .build(pats.iter().map(|p| p.bytes.as_slice()))
        .map_err(|e| PrefilterError(format!("aho-corasick: {e}")))?;
    Ok(Some((ac, pats.iter().map(|p| p.id).collect())))
}

#[cfg(feature = "hyperscan")]
fn build_hs(pats: &[PatternSpec]) -> Result<Backend, PrefilterError> {
    use hyperscan::prelude::*;
    use hyperscan::{Literal, LiteralFlags, Literals};
    // Content patterns are literals: Hyperscan's literal compiler skips the regex parser and
    // its per-pattern graphs (~100 MB of transient memory on ET Open's biggest group). Its
    // API takes UTF-8 strings, so non-UTF-8 patterns go to a second database, compiled as
    // regexes with every byte escaped.
    let mut lits = Vec::new();
    let mut lit_ids = Vec::new();
    let mut res = Vec::new();
    let mut res_ids = Vec::new();
    for p in pats {
        match std::str::from_utf8(&p.bytes) {
            Ok(text) => {
                let mut flags = LiteralFlags::SINGLEMATCH;
                if p.nocase {
                    flags |= LiteralFlags::CASELESS;
                }
                let mut lit = Literal::with_flags(text, flags).map_err(|e| PrefilterError(format!("hyperscan: {e}")))?;
                lit.id = Some(lits.len());
                lits.push(lit);
                lit_ids.push(p.id);
            }
            Err(_) => {
                let mut expr = String::with_capacity(p.bytes.len() * 4);
                for b in &p.bytes {
                    use std::fmt::Write;
                    let _ = write!(expr, "\\x{b:02x}");
                }
                let mut flags = CompileFlags::SINGLEMATCH;
                if p.nocase {
                    flags |= CompileFlags::CASELESS;
                }
                let mut pat = Pattern::with_flags(expr, flags).map_err(|e| PrefilterError(format!("hyperscan: {e}")))?;
                pat.id = Some(res.len());
                res.push(pat);
                res_ids.push(p.id);
            }
        }
    }
    let mut dbs = Vec::with_capacity(2);
    if !lits.is_empty() {
        let db: BlockDatabase = Literals::from_iter(lits).build().map_err(|e| PrefilterError(format!("hyperscan: {e}")))?;
        dbs.push((db, lit_ids));
    }
    if !res.is_empty() {
        let db: BlockDatabase = Patterns(res).build().map_err(|e| PrefilterError(format!("hyperscan: {e}")))?;
        dbs.push((db, res_ids));
    }
    Ok(Backend::Hs { dbs })
}

impl Prefilter {
    /// Builds a searcher over `pats`: Hyperscan when configured and available, aho-corasick
    /// otherwise (also when Hyperscan refuses the database).
    pub fn build(cfg: &PrefilterConfig, pats: &[PatternSpec]) -> Result<Prefilter, PrefilterError> {
        if pats.len() > cfg.max_patterns {
            return Err(PrefilterError(format!("{} patterns exceed the limit of {}", pats.len(), cfg.max_patterns)));
        }
        if pats.iter().any(|p| p.bytes.is_empty()) {
            return Err(PrefilterError("empty pattern".into()));
        }
        if pats.is_empty() {
            return Ok(Prefilter { backend: Backend::Empty, patterns: 0 });
        }
        #[cfg(feature = "hyperscan")]
        if cfg.hyperscan {
            match build_hs(pats) {
                Ok(b) => return Ok(Prefilter { backend: b, patterns: pats.len() }),
                Err(e) => tracing::warn!("hyperscan database failed, using aho-corasick: {e}"),
            }
        }
        let cs: Vec<&PatternSpec> = pats.iter().filter(|p| !p.nocase).collect();
        let ci: Vec<&PatternSpec> = pats.iter().filter(|p| p.nocase).collect();
        Ok(Prefilter { backend: Backend::Ac { cs: build_ac(&cs, false)?, ci: build_ac(&ci, true)? }, patterns: pats.len() })
    }

    /// Which backend serves this database.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Empty => "empty",
            Backend::Ac { .. } => "aho-corasick",
            #[cfg(feature = "hyperscan")]
            Backend::Hs { .. } => "hyperscan",
        }
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns
    }

    /// Whether the database has no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns == 0
    }

    /// Calls `hit(id)` for patterns occurring in `hay` (at least once each; maybe more often).
    /// `scratch` must come from [`PrefilterScratch::for_all`] over a set including `self`;
    /// if it does not, Hyperscan reports an error and the scan reports every pattern (fail open).
    pub fn scan(&self, scratch: &mut PrefilterScratch, hay: &[u8], hit: &mut dyn FnMut(u32)) {
        let _ = &scratch;
        match &self.backend {
            Backend::Empty => {}
            Backend::Ac { cs, ci } => {
                for (ac, ids) in [cs, ci].into_iter().flatten() {
                    for m in ac.find_overlapping_iter(hay) {
                        if let Some(id) = ids.get(m.pattern().as_usize()) {
                            hit(*id);
                        }
                    }
                }
            }
            #[cfg(feature = "hyperscan")]
            Backend::Hs { dbs } => {
                for (db, ids) in dbs {
                    let ok = match &scratch.hs {
                        Some(s) => db
                            .scan(hay, s, |i: u32, _: u64, _: u64, _: u32| {
                                if let Some(id) = ids.get(i as usize) {
                                    hit(*id);
                                }
                                hyperscan::Matching::Continue
                            })
                            .is_ok(),
                        None => false,
                    };
                    if !ok {
                        ids.iter().for_each(|id| hit(*id));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(list: &[(&str, bool, u32)]) -> Vec<PatternSpec> {
        list.iter().map(|(b, n, id)| PatternSpec { bytes: b.as_bytes().to_vec(), nocase: *n, id: *id }).collect()
    }

    fn run(cfg: PrefilterConfig, p: &[PatternSpec], hay: &[u8]) -> Vec<u32> {
        let pf = Prefilter::build(&cfg, p).unwrap();
        let mut s = PrefilterScratch::for_all([&pf]).unwrap();
        let mut out = Vec::new();
        pf.scan(&mut s, hay, &mut |id| out.push(id));
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn table_all_backends() {
        let p = pats(&[("abc", false, 1), ("ABC", true, 2), ("b\u{0}c", false, 3), ("xyz", true, 4), ("bc", false, 5)]);
        let cases: &[(&str, &[u8], &[u32])] = &[
            ("exact", b"--abc--", &[1, 2, 5]),
            ("upper", b"--ABC--", &[2]),
            ("binary", b"b\x00c", &[3]),
            ("overlap", b"xYzabc", &[1, 2, 4, 5]),
            ("none", b"", &[]),
        ];
        let mut cfgs = vec![PrefilterConfig { hyperscan: false, ..Default::default() }];
        if cfg!(feature = "hyperscan") {
            cfgs.push(PrefilterConfig { hyperscan: true, ..Default::default() });
        }
        for cfg in cfgs {
            for (name, hay, want) in cases {
                assert_eq!(run(cfg, &p, hay), *want, "case {name} hyperscan={}", cfg.hyperscan);
            }
        }
    }

    #[test]
    fn empty_and_limits() {
        assert!(run(PrefilterConfig::default(), &[], b"abc").is_empty());
        assert!(Prefilter::build(&PrefilterConfig::default(), &pats(&[("", false, 0)])).is_err());
        assert!(Prefilter::build(&PrefilterConfig { max_patterns: 1, ..Default::default() }, &pats(&[("a", false, 0), ("b", false, 1)])).is_err());
    }

    #[test]
    fn send_sync() {
        fn ss<T: Send + Sync>() {}
        fn s<T: Send>() {}
        ss::<Prefilter>();
        s::<PrefilterScratch>();
    }
}
