//! Evaluation of a signature's payload chain against one buffer, with Suricata's relative
//! matching and backtracking (`DetectEngineContentInspection`): when a keyword relative to a
//! content or pcre fails, the content/pcre is retried at its next occurrence, until the chain
//! matches, the content runs out of occurrences, or the work budget is spent.

use super::compile::{PayloadKw, Step};
use super::keywords::content::{find, Content};
use super::keywords::pcre::Pcre;

/// Suricata's `inspection-recursion-limit`: most keyword evaluations per signature and buffer.
pub const RECURSION_LIMIT: u32 = 3000;

/// Outcome of evaluating the chain from one element on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum R {
    Match,
    NoMatch,
    /// Stop: no occurrence of an earlier element can change the outcome (or budget spent).
    Abort,
}

/// Per-evaluation state: variable slots and the work budget.
pub(crate) struct Eval<'v> {
    pub vars: &'v mut [u64],
    pub budget: u32,
}

/// Whether `chain` matches `buf`. An empty buffer never matches a non-empty chain (Suricata
/// does not inspect empty payloads).
pub(crate) fn chain_matches(chain: &[Step], buf: &[u8], vars: &mut [u64]) -> bool {
    if chain.is_empty() {
        return true;
    }
    if buf.is_empty() {
        return false;
    }
    let mut ev = Eval { vars, budget: RECURSION_LIMIT };
    run(chain, 0, buf, 0, &mut ev) == R::Match
}

fn next(chain: &[Step], i: usize, buf: &[u8], cur: usize, ev: &mut Eval<'_>) -> R {
    if i + 1 >= chain.len() {
        R::Match
    } else {
        run(chain, i + 1, buf, cur, ev)
    }
}

fn run(chain: &[Step], i: usize, buf: &[u8], cur: usize, ev: &mut Eval<'_>) -> R {
    let Some(step) = chain.get(i) else { return R::Match };
    if ev.budget == 0 {
        return R::Abort;
    }
    ev.budget -= 1;
    match &step.kw {
        PayloadKw::Content(c) => content(chain, i, step.relative_next, c, buf, cur, ev),
        PayloadKw::Pcre(p) => pcre(chain, i, step.relative_next, p, buf, cur, ev),
        PayloadKw::ByteTest(t) => {
            if t.matches(buf, cur, ev.vars) {
                next(chain, i, buf, cur, ev)
            } else {
                R::NoMatch
            }
        }
        PayloadKw::ByteJump(j) => match j.run(buf, cur, ev.vars) {
            Some(c) => next(chain, i, buf, c, ev),
            None => R::NoMatch,
        },
        PayloadKw::ByteExtract(e) => match e.run(buf, cur) {
            Some((v, c)) => {
                if let Some(slot) = ev.vars.get_mut(e.slot as usize) {
                    *slot = v;
                }
                next(chain, i, buf, c, ev)
            }
            None => R::NoMatch,
        },
        PayloadKw::ByteMath(m) => match m.run(buf, cur, ev.vars) {
            Some((v, c)) => {
                if let Some(slot) = ev.vars.get_mut(m.slot as usize) {
                    *slot = v;
                }
                next(chain, i, buf, c, ev)
            }
            None => R::NoMatch,
        },
        PayloadKw::IsDataAt(d) => {
            if d.matches(buf.len(), cur, ev.vars) {
                next(chain, i, buf, cur, ev)
            } else {
                R::NoMatch
            }
        }
    }
}

/// One content, with the retry loop over its later occurrences.
fn content(chain: &[Step], i: usize, relative_next: bool, c: &Content, buf: &[u8], cur: usize, ev: &mut Eval<'_>) -> R {
    let len = buf.len() as i64;
    let plen = c.pattern.len() as i64;
    let relative = c.is_relative();
    let mut prev_offset: i64 = 0;
    loop {
        let (mut offset, mut depth);
        if relative {
            offset = cur as i64;
            depth = len;
            let mut distance = 0;
            if let Some(d) = c.distance {
                distance = d.get(ev.vars);
                offset = if distance < 0 && distance.saturating_neg() > offset { 0 } else { offset.saturating_add(distance) };
            }
            if let Some(w) = c.within {
                let lim = (cur as i64).saturating_add(w.get(ev.vars)).saturating_add(distance);
                if depth > lim {
                    depth = lim;
                }
            }
        } else {
            offset = c.offset.map(|o| o.get(ev.vars)).unwrap_or(0);
            depth = match c.depth {
                Some(d) => offset.saturating_add(d.get(ev.vars)),
                None => len,
            };
        }
        if prev_offset != 0 {
            offset = prev_offset;
        }
        if depth > len {
            depth = len;
        }
        if offset > depth || depth <= 0 || offset < 0 {
            return if c.negated { next(chain, i, buf, cur, ev) } else { R::NoMatch };
        }
        let (o, d) = (offset as usize, depth as usize);
        let sbuf = buf.get(o..d).unwrap_or(&[]);
        let found = if c.endswith && depth < len || plen > sbuf.len() as i64 { None } else { find(sbuf, &c.pattern, c.nocase) };
        match found {
            None => {
                if c.negated {
                    return next(chain, i, buf, cur, ev);
                }
                // An absolute content that is absent cannot appear by retrying earlier ones.
                return if relative { R::NoMatch } else { R::Abort };
            }
            Some(at) => {
                let match_end = (o + at) as i64 + plen;
                if c.negated {
                    if c.endswith && (depth - offset) != match_end {
                        return next(chain, i, buf, cur, ev);
                    }
                    return if !relative && !relative_next { R::Abort } else { R::NoMatch };
                }
                if !c.endswith || match_end == len {
                    if i + 1 >= chain.len() {
                        return R::Match;
                    }
                    match run(chain, i + 1, buf, match_end as usize, ev) {
                        R::Match => return R::Match,
                        R::Abort => return R::Abort,
                        R::NoMatch => {}
                    }
                    if !relative_next {
                        return R::Abort;
                    }
                }
                prev_offset = match_end - (plen - 1);
                if ev.budget == 0 {
                    return R::Abort;
                }
                ev.budget -= 1;
            }
        }
    }
}

/// One pcre, retried from one past its previous match start when a relative successor fails.
fn pcre(chain: &[Step], i: usize, relative_next: bool, p: &Pcre, buf: &[u8], cur: usize, ev: &mut Eval<'_>) -> R {
    let base = if p.relative { cur.min(buf.len()) } else { 0 };
    let subject = buf.get(base..).unwrap_or(&[]);
    let mut start = 0usize;
    loop {
        let hit = p.find(subject, start);
        if p.negated {
            return if hit.is_some() { R::NoMatch } else { next(chain, i, buf, cur, ev) };
        }
        let Some((s, e)) = hit else { return R::NoMatch };
        let new_cur = base + e;
        if !relative_next {
            return next(chain, i, buf, new_cur, ev);
        }
        match next(chain, i, buf, new_cur, ev) {
            R::Match => return R::Match,
            R::Abort => return R::Abort,
            R::NoMatch => {}
        }
        start = s + 1;
        if start > subject.len() || ev.budget == 0 {
            return R::NoMatch;
        }
        ev.budget -= 1;
    }
}
