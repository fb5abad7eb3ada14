//! `threshold:type <limit|threshold|both>, track <by_src|by_dst|by_rule|by_both|by_flow>,
//! count N, seconds T;` and `detection_filter:track <...>, count N, seconds T;`, with the
//! per-worker state that applies them (Suricata's `detect-engine-threshold.c`).
//!
//! Counting, per signature (gid:sid) and tracked key, in windows that start at the first match
//! after the previous window ended and include every match up to and including `start +
//! seconds` (packet times, microsecond precision, as Suricata's `SCTIME_CMP_LTE`):
//! - limit: alert on the first `count` matches of each window.
//! - threshold: alert on every `count`-th match within a window (the counter restarts after
//!   each alert and when the window ends).
//! - both: alert once per window, on the `count`-th match.
//! - detection_filter: alert on every match after the `count`-th within the window (the match
//!   that opens a window never alerts, even with count 0).
//! - backoff (Suricata 8): no window; alert on match `count`, then `count*multiplier`,
//!   `count*multiplier^2`, ...

use super::util::need;
use super::{Keyword, KwError};
use crate::decode::Packet;
use crate::flow::FlowKey;
use crate::time::Timestamp;
use std::collections::HashMap;
use std::net::IpAddr;

/// Default most tracked (signature, key) entries per worker.
pub const MAX_ENTRIES: usize = 65_536;

/// The kind of rate control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThresholdKind {
    /// type limit.
    Limit,
    /// type threshold.
    Threshold,
    /// type both.
    Both,
    /// detection_filter.
    DetectionFilter,
    /// type backoff (with `multiplier`).
    Backoff,
}

/// What the counters are kept per.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Track {
    /// Source address.
    BySrc,
    /// Destination address.
    ByDst,
    /// The signature alone.
    ByRule,
    /// The address pair (either order).
    ByBoth,
    /// The flow (its normalised 5-tuple).
    ByFlow,
}

/// threshold / detection_filter settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThresholdSpec {
    /// Kind.
    pub kind: ThresholdKind,
    /// Tracking.
    pub track: Track,
    /// count.
    pub count: u32,
    /// seconds (0 for backoff).
    pub seconds: u32,
    /// multiplier (backoff only; 0 otherwise).
    pub multiplier: u32,
    /// `unique_on src_port|dst_port` (detection_filter, Suricata 8): count distinct port
    /// values in the window instead of matches.
    pub unique_on: Option<UniqueOn>,
}

/// The value `unique_on` counts distinct occurrences of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UniqueOn {
    /// Source port.
    SrcPort,
    /// Destination port.
    DstPort,
}

/// The key one counter is kept under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TrackKey {
    Rule,
    Addr(IpAddr),
    Pair(IpAddr, IpAddr),
    Flow(FlowKey),
}

#[derive(Clone, Debug)]
struct Entry {
    /// Window start (packet time of the match that opened it).
    start: Timestamp,
    /// Last instant inside the window (`start + seconds`); also used for eviction.
    end: Timestamp,
    /// Matches counted in this window.
    count: u32,
    /// backoff: the match number that alerts next.
    next: u32,
    /// unique_on: the distinct values seen in this window, sorted; at most `count + 1` are
    /// kept (enough to know the count was exceeded), so memory stays bounded per entry.
    seen: Vec<u16>,
}

/// What a threshold decides for one match (Suricata's `PacketAlertThreshold` return values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdVerdict {
    /// Alert, and apply the rule's actions.
    Alert,
    /// No alert, but the rule's actions (drop, reject, pass) still apply: limit/both past
    /// their count, backoff between alerts.
    Silent,
    /// As if the rule did not match: no alert, no actions (threshold below its count,
    /// detection_filter not yet past its count, a tracked address missing).
    NoMatch,
}

/// Per-worker threshold state (one per worker, lives in `DetectCtx`; survives rule reloads
/// because it is keyed by gid:sid). Bounded by [`MAX_ENTRIES`] (or the limit given to
/// [`ThresholdTable::with_limit`]): when full, expired windows are dropped first, then the
/// oldest window.
#[derive(Debug)]
pub struct ThresholdTable {
    map: HashMap<(u32, u32, TrackKey), Entry>,
    limit: usize,
}

impl Default for ThresholdTable {
    fn default() -> Self {
        ThresholdTable::with_limit(MAX_ENTRIES)
    }
}

impl ThresholdTable {
    /// A table holding at most `limit` entries (at least 1).
    pub fn with_limit(limit: usize) -> Self {
        ThresholdTable { map: HashMap::new(), limit: limit.max(1) }
    }

    /// Entries currently tracked.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Records one match of signature `gid:sid` (with `spec`) on `p` and says whether an alert
    /// may be emitted for it. For `detection_filter`, `false` also means the rule's actions
    /// other than flowbits do not apply yet. See [`ThresholdTable::decide`] for the full
    /// verdict.
    pub fn allow(&mut self, spec: &ThresholdSpec, gid: u32, sid: u32, p: &Packet<'_>) -> bool {
        self.decide(spec, gid, sid, p) == ThresholdVerdict::Alert
    }

    /// Records one match of signature `gid:sid` (with `spec`) on `p` and returns Suricata's
    /// verdict for it (alert / silent match / no match).
    pub fn decide(&mut self, spec: &ThresholdSpec, gid: u32, sid: u32, p: &Packet<'_>) -> ThresholdVerdict {
        use ThresholdVerdict::{Alert, NoMatch, Silent};
        let Some(track) = track_key(spec.track, p) else { return NoMatch };
        let key = (gid, sid, track);
        let now = p.ts;
        let seconds = spec.seconds as u64;
        if !self.map.contains_key(&key) && self.map.len() >= self.limit {
            self.evict(now);
        }
        let fresh = Entry { start: now, end: now.add_secs(seconds), count: 1, next: spec.count, seen: Vec::new() };
        if let Some(u) = spec.unique_on {
            return self.decide_unique(spec, u, key, now, p);
        }
        let Some(e) = self.map.get_mut(&key) else {
            // First match for this key.
            return match spec.kind {
                ThresholdKind::Threshold if spec.count == 1 => Alert,
                ThresholdKind::Backoff => {
                    let next = if spec.count == 1 { spec.count.saturating_mul(spec.multiplier) } else { spec.count };
                    self.map.insert(key, Entry { end: Timestamp::from_micros(i64::MAX), next, ..fresh });
                    if spec.count == 1 { Alert } else { Silent }
                }
                kind => {
                    self.map.insert(key, fresh);
                    match kind {
                        ThresholdKind::Limit => Alert,
                        ThresholdKind::Both if spec.count == 1 => Alert,
                        _ => NoMatch,
                    }
                }
            };
        };
        if spec.kind == ThresholdKind::Backoff {
            e.count = e.count.saturating_add(1);
            if e.count == e.next {
                e.next = e.next.saturating_mul(spec.multiplier);
                return Alert;
            }
            return Silent;
        }
        if now > e.end {
            // Window over: this match opens a new one.
            *e = fresh;
            return match spec.kind {
                ThresholdKind::Limit => Alert,
                ThresholdKind::Both if spec.count == 1 => Alert,
                _ => NoMatch,
            };
        }
        e.count = e.count.saturating_add(1);
        match spec.kind {
            ThresholdKind::Limit => {
                if e.count <= spec.count {
                    Alert
                } else {
                    Silent
                }
            }
            ThresholdKind::Threshold => {
                if e.count >= spec.count {
                    e.count = 0;
                    Alert
                } else {
                    NoMatch
                }
            }
            ThresholdKind::Both => match e.count.cmp(&spec.count) {
                std::cmp::Ordering::Equal => Alert,
                std::cmp::Ordering::Greater => Silent,
                std::cmp::Ordering::Less => NoMatch,
            },
            ThresholdKind::DetectionFilter => {
                if e.count > spec.count {
                    Alert
                } else {
                    NoMatch
                }
            }
            ThresholdKind::Backoff => Silent,
        }
    }

    /// detection_filter with `unique_on`: the match counts only when its port value is new in
    /// the window; the rule alerts once more than `count` distinct values were seen.
    fn decide_unique(&mut self, spec: &ThresholdSpec, u: UniqueOn, key: (u32, u32, TrackKey), now: Timestamp, p: &Packet<'_>) -> ThresholdVerdict {
        let (sp, dp) = p.ports();
        let v = match u {
            UniqueOn::SrcPort => sp,
            UniqueOn::DstPort => dp,
        };
        let keep = (spec.count as usize).saturating_add(1).min(1 << 16);
        let e = self.map.entry(key).or_insert_with(|| Entry { start: now, end: now.add_secs(spec.seconds as u64), count: 0, next: 0, seen: Vec::new() });
        if now > e.end {
            *e = Entry { start: now, end: now.add_secs(spec.seconds as u64), count: 0, next: 0, seen: Vec::new() };
        }
        if let Err(i) = e.seen.binary_search(&v) {
            if e.seen.len() < keep {
                e.seen.insert(i, v);
            }
            e.count = e.count.saturating_add(1);
        }
        if e.count > spec.count {
            ThresholdVerdict::Alert
        } else {
            ThresholdVerdict::NoMatch
        }
    }

    /// Makes room: drops expired windows, and if the table is still full, the oldest eighth
    /// (by window start), so a flood of new keys costs amortised O(1) per insertion rather
    /// than a full scan each.
    fn evict(&mut self, now: Timestamp) {
        self.map.retain(|_, e| e.end > now);
        if self.map.len() < self.limit {
            return;
        }
        let mut starts: Vec<Timestamp> = self.map.values().map(|e| e.start).collect();
        let k = (starts.len() / 8).max(1) - 1;
        let (_, cutoff, _) = starts.select_nth_unstable(k);
        let cutoff = *cutoff;
        self.map.retain(|_, e| e.start > cutoff);
    }
}

/// The key a match is counted under; `None` when the tracked address is missing (no IP layer),
/// in which case Suricata finds no host and the match does not count.
fn track_key(track: Track, p: &Packet<'_>) -> Option<TrackKey> {
    if track == Track::ByRule {
        return Some(TrackKey::Rule);
    }
    let ip = p.ip?;
    let (src, dst) = (ip.src, ip.dst);
    Some(match track {
        Track::ByRule => TrackKey::Rule,
        Track::BySrc => TrackKey::Addr(src),
        Track::ByDst => TrackKey::Addr(dst),
        Track::ByBoth => {
            let (a, b) = if src <= dst { (src, dst) } else { (dst, src) };
            TrackKey::Pair(a, b)
        }
        Track::ByFlow => {
            let (sp, dp) = p.ports();
            TrackKey::Flow(FlowKey::new((src, sp), (dst, dp), ip.proto, p.vlans()))
        }
    })
}

/// Parses `threshold` and `detection_filter`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let is_df = kw == "detection_filter";
    let (mut kind, mut track, mut count, mut seconds, mut multiplier) = (None, None, None, None, None);
    let mut unique_on = None;
    for part in v.split(',') {
        let part = part.trim();
        let (k, val) = part.split_once(char::is_whitespace).map(|(k, v)| (k, v.trim())).ok_or_else(|| KwError::invalid(kw, format!("'{v}': expected '<option> <value>', got '{part}'")))?;
        let dup = || KwError::invalid(kw, format!("'{v}': '{k}' given twice"));
        match k {
            "type" if !is_df => {
                let t = match val {
                    "limit" => ThresholdKind::Limit,
                    "threshold" => ThresholdKind::Threshold,
                    "both" => ThresholdKind::Both,
                    "backoff" => ThresholdKind::Backoff,
                    _ => return Err(KwError::invalid(kw, format!("'{v}': unknown type '{val}' (limit, threshold, both)"))),
                };
                if kind.replace(t).is_some() {
                    return Err(dup());
                }
            }
            "track" => {
                let t = match val {
                    "by_src" => Track::BySrc,
                    "by_dst" => Track::ByDst,
                    "by_rule" => Track::ByRule,
                    "by_both" => Track::ByBoth,
                    "by_flow" => Track::ByFlow,
                    _ => return Err(KwError::invalid(kw, format!("'{v}': unknown track '{val}' (by_src, by_dst, by_rule, by_both, by_flow)"))),
                };
                if track.replace(t).is_some() {
                    return Err(dup());
                }
            }
            "count" | "seconds" | "multiplier" if !(is_df && k == "multiplier") => {
                let n = val.parse::<u32>().map_err(|_| KwError::invalid(kw, format!("'{v}': {k} '{val}' is not a number")))?;
                let slot = match k {
                    "count" => &mut count,
                    "seconds" => &mut seconds,
                    _ => &mut multiplier,
                };
                if slot.replace(n).is_some() {
                    return Err(dup());
                }
            }
            "unique_on" if is_df => {
                let u = match val {
                    "src_port" => UniqueOn::SrcPort,
                    "dst_port" => UniqueOn::DstPort,
                    _ => return Err(KwError::invalid(kw, format!("'{v}': unique_on '{val}' (src_port, dst_port)"))),
                };
                if unique_on.replace(u).is_some() {
                    return Err(dup());
                }
            }
            _ => return Err(KwError::invalid(kw, format!("'{v}': unknown option '{k}'"))),
        }
    }
    let kind = if is_df { ThresholdKind::DetectionFilter } else { kind.ok_or_else(|| KwError::invalid(kw, format!("'{v}': missing 'type'")))? };
    let track = track.ok_or_else(|| KwError::invalid(kw, format!("'{v}': missing 'track'")))?;
    let count = count.ok_or_else(|| KwError::invalid(kw, format!("'{v}': missing 'count'")))?;
    let (seconds, multiplier) = if kind == ThresholdKind::Backoff {
        if seconds.is_some() {
            return Err(KwError::invalid(kw, format!("'{v}': backoff takes multiplier, not seconds")));
        }
        let m = multiplier.ok_or_else(|| KwError::invalid(kw, format!("'{v}': missing 'multiplier'")))?;
        if m < 2 {
            return Err(KwError::invalid(kw, format!("'{v}': multiplier must be at least 2")));
        }
        (0, m)
    } else {
        if multiplier.is_some() {
            return Err(KwError::invalid(kw, format!("'{v}': multiplier is only for type backoff")));
        }
        (seconds.ok_or_else(|| KwError::invalid(kw, format!("'{v}': missing 'seconds'")))?, 0)
    };
    if count == 0 && !is_df {
        return Err(KwError::invalid(kw, format!("'{v}': count must be at least 1")));
    }
    if unique_on.is_some() && matches!(track, Track::ByRule | Track::ByFlow) {
        return Err(KwError::invalid(kw, format!("'{v}': unique_on needs track by_src, by_dst or by_both")));
    }
    Ok(Keyword::Threshold(ThresholdSpec { kind, track, count, seconds, multiplier, unique_on }))
}
#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;
    use std::net::Ipv4Addr;

    fn spec(v: &str) -> ThresholdSpec {
        spec_kw("threshold", v)
    }

    fn spec_kw(kw: &str, v: &str) -> ThresholdSpec {
        match parse(kw, Some(v)) {
            Ok(Keyword::Threshold(s)) => s,
            other => panic!("{v}: {other:?}"),
        }
    }

    /// Runs matches at the given packet times (seconds) and returns which alerted.
    fn run(s: &ThresholdSpec, times: &[i64]) -> Vec<bool> {
        let mut t = ThresholdTable::default();
        times
            .iter()
            .map(|secs| {
                let mut p = tcp_pkt(0);
                p.ts = Timestamp::from_parts(*secs, 0);
                t.allow(s, 1, 1000, &p)
            })
            .collect()
    }

    #[test]
    fn unique_on_counts_distinct_ports() {
        use crate::decode::{TcpHdr, L4};
        let s = spec_kw("detection_filter", "track by_dst, count 1, seconds 60, unique_on dst_port");
        assert_eq!(s.unique_on, Some(UniqueOn::DstPort));
        let mut t = ThresholdTable::default();
        let mut verdict = |dport: u16, secs: i64| {
            let mut p = tcp_pkt(0x02);
            p.l4 = L4::Tcp(TcpHdr { sport: 1000, dport, flags: 0x02, ..Default::default() });
            p.ts = Timestamp::from_parts(secs, 0);
            t.allow(&s, 1, 7, &p)
        };
        // Same port again does not count; the second distinct port exceeds count 1.
        assert_eq!([verdict(80, 0), verdict(80, 1), verdict(443, 2), verdict(443, 3), verdict(22, 70)], [false, false, true, true, false]);
        assert!(parse("detection_filter", Some("track by_rule, count 1, seconds 60, unique_on src_port")).is_err());
        assert!(parse("detection_filter", Some("track by_src, count 1, seconds 60, unique_on proto")).is_err());
        assert!(parse("threshold", Some("type limit, track by_src, count 1, seconds 60, unique_on src_port")).is_err());
    }

    #[test]
    fn counting_table() {
        const T: bool = true;
        const F: bool = false;
        type Case = (&'static str, &'static str, &'static str, &'static [i64], &'static [bool]);
        let cases: &[Case] = &[
            ("limit 2/60", "threshold", "type limit, track by_src, count 2, seconds 60", &[0, 1, 2, 3, 61, 62, 63], &[T, T, F, F, T, T, F]),
            ("limit 1/10", "threshold", "type limit, track by_rule, count 1, seconds 10", &[0, 9, 10, 11], &[T, F, F, T]),
            ("threshold 3/60", "threshold", "type threshold, track by_src, count 3, seconds 60", &[0, 1, 2, 3, 4, 5, 6], &[F, F, T, F, F, T, F]),
            ("threshold window ends", "threshold", "type threshold, track by_dst, count 2, seconds 10", &[0, 11, 12], &[F, F, T]),
            ("threshold 1", "threshold", "type threshold, track by_src, count 1, seconds 10", &[0, 1, 2], &[T, T, T]),
            ("both 3/60", "threshold", "type both, track by_src, count 3, seconds 60", &[0, 1, 2, 3, 4, 61, 62, 63], &[F, F, T, F, F, F, F, T]),
            ("detection_filter 2/60", "detection_filter", "track by_src, count 2, seconds 60", &[0, 1, 2, 3, 70, 71, 72], &[F, F, T, T, F, F, T]),
        ];
        for (name, kw, v, times, want) in cases {
            assert_eq!(run(&spec_kw(kw, v), times), *want, "case {name}");
        }
    }

    /// The counts of suricata-verify's threshold-rule-flow-backoff-single-flow (6676 matches in
    /// one flow) and detection_filter-rule-flow (8 matches).
    #[test]
    fn suricata_verify_counts() {
        let alerts = |kw: &str, v: &str, n: usize| run(&spec_kw(kw, v), &vec![0; n]).iter().filter(|a| **a).count();
        assert_eq!(alerts("threshold", "type backoff, track by_flow, count 1, multiplier 2", 6676), 13);
        assert_eq!(alerts("threshold", "type backoff, track by_flow, count 3, multiplier 2", 6676), 12);
        assert_eq!(alerts("threshold", "type backoff, track by_flow, count 5, multiplier 5", 6676), 5);
        for (count, want) in [(1, 7), (2, 6), (4, 4), (7, 1), (8, 0)] {
            assert_eq!(alerts("detection_filter", &format!("track by_flow, count {count}, seconds 3600"), 8), want, "df count {count}");
        }
        assert_eq!(alerts("threshold", "type limit, track by_flow, count 2, seconds 3600", 8), 2);
        assert_eq!(alerts("threshold", "type both, track by_flow, count 3, seconds 3600", 8), 1);
    }

    /// The window includes its last microsecond (`ts <= start + seconds`) and not one more.
    #[test]
    fn window_edge_is_inclusive_microseconds() {
        let s = spec("type limit, track by_rule, count 1, seconds 10");
        let mut t = ThresholdTable::default();
        let at = |micros: i64| {
            let mut p = tcp_pkt(0);
            p.ts = Timestamp::from_micros(micros);
            p
        };
        assert_eq!(t.decide(&s, 1, 1, &at(500_000)), ThresholdVerdict::Alert);
        assert_eq!(t.decide(&s, 1, 1, &at(10_500_000)), ThresholdVerdict::Silent, "exactly start + 10 s");
        assert_eq!(t.decide(&s, 1, 1, &at(10_500_001)), ThresholdVerdict::Alert, "one microsecond later");
    }

    #[test]
    fn verdicts() {
        use ThresholdVerdict::{Alert, NoMatch, Silent};
        let run_v = |v: &str, n: usize| {
            let s = spec_kw(if v.starts_with("track") { "detection_filter" } else { "threshold" }, v);
            let mut t = ThresholdTable::default();
            (0..n).map(|_| t.decide(&s, 1, 1, &tcp_pkt(0))).collect::<Vec<_>>()
        };
        assert_eq!(run_v("type limit, track by_src, count 1, seconds 60", 3), [Alert, Silent, Silent]);
        assert_eq!(run_v("type threshold, track by_src, count 2, seconds 60", 3), [NoMatch, Alert, NoMatch]);
        assert_eq!(run_v("type both, track by_src, count 2, seconds 60", 3), [NoMatch, Alert, Silent]);
        assert_eq!(run_v("type backoff, track by_flow, count 1, multiplier 2", 3), [Alert, Alert, Silent]);
        assert_eq!(run_v("track by_src, count 0, seconds 60", 2), [NoMatch, Alert], "detection_filter: the opening match never alerts");
        let s = spec("type limit, track by_src, count 1, seconds 60");
        let bare = super::super::header::tests::bare_pkt();
        assert_eq!(ThresholdTable::default().decide(&s, 1, 1, &bare), NoMatch, "no address to track");
    }

    #[test]
    fn tracking_separates_keys_and_sids() {
        let s = spec("type limit, track by_src, count 1, seconds 60");
        let mut t = ThresholdTable::default();
        let a = tcp_pkt(0);
        let mut b = tcp_pkt(0);
        if let Some(ip) = b.ip.as_mut() {
            ip.src = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9));
        }
        assert!(t.allow(&s, 1, 1, &a));
        assert!(!t.allow(&s, 1, 1, &a));
        assert!(t.allow(&s, 1, 1, &b), "other source");
        assert!(t.allow(&s, 1, 2, &a), "other sid");
        assert!(t.allow(&s, 3, 1, &a), "other gid");
        let both = spec("type limit, track by_both, count 1, seconds 60");
        let mut rev = tcp_pkt(0);
        if let Some(ip) = rev.ip.as_mut() {
            std::mem::swap(&mut ip.src, &mut ip.dst);
        }
        assert!(t.allow(&both, 1, 9, &a));
        assert!(!t.allow(&both, 1, 9, &rev), "pair is unordered");
    }

    #[test]
    fn eviction_keeps_recent_windows() {
        let s = spec("type limit, track by_src, count 1, seconds 1000");
        let mut t = ThresholdTable::with_limit(16);
        let pkt = |secs: i64, host: u8| {
            let mut p = tcp_pkt(0);
            p.ts = Timestamp::from_parts(secs, 0);
            if let Some(ip) = p.ip.as_mut() {
                ip.src = IpAddr::V4(Ipv4Addr::new(192, 0, 2, host));
            }
            p
        };
        for host in 0..16u8 {
            assert!(t.allow(&s, 1, 1, &pkt(host as i64, host)));
        }
        // Full: the next new key evicts the oldest windows, the newest survive.
        assert!(t.allow(&s, 1, 1, &pkt(100, 200)));
        assert!(t.len() <= 16);
        assert!(!t.allow(&s, 1, 1, &pkt(101, 15)), "host 15's window (newest) survived");
        assert!(t.allow(&s, 1, 1, &pkt(102, 0)), "host 0's window (oldest) was evicted");
    }

    #[test]
    fn bounded() {
        let s = spec("type limit, track by_src, count 1, seconds 60");
        let mut t = ThresholdTable::with_limit(4);
        for sid in 0..100 {
            let p = tcp_pkt(0);
            assert!(t.allow(&s, 1, sid, &p));
            assert!(t.len() <= 4);
        }
    }

    #[test]
    fn parse_errors() {
        let cases: &[(&str, &str, bool)] = &[
            ("threshold", "type limit, track by_src, count 1", false),
            ("threshold", "type sometimes, track by_src, count 1, seconds 1", false),
            ("threshold", "type limit, track by_host, count 1, seconds 1", false),
            ("threshold", "type limit, track by_src, count x, seconds 1", false),
            ("threshold", "type limit, type limit, track by_src, count 1, seconds 1", false),
            ("threshold", "type limit, track by_src, count 0, seconds 1", false),
            ("threshold", "type backoff, track by_flow, count 1, multiplier 1", false),
            ("threshold", "type backoff, track by_flow, count 1, seconds 10", false),
            ("threshold", "type limit, track by_flow, count 1, seconds 10, multiplier 2", false),
            ("detection_filter", "track by_dst, count 1, seconds 60, unique_on tos", false),
            ("detection_filter", "type limit, track by_src, count 1, seconds 1", false),
            ("detection_filter", "track by_src,count 1", false),
        ];
        for (kw, v, refused) in cases {
            let e = parse(kw, Some(v)).expect_err(v);
            assert_eq!(e.refused, *refused, "{v}: {e}");
        }
        let s = spec_kw("detection_filter", "track by_rule , count 0 , seconds 5");
        assert_eq!(s, ThresholdSpec { kind: ThresholdKind::DetectionFilter, track: Track::ByRule, count: 0, seconds: 5, multiplier: 0, unique_on: None });
    }
}
