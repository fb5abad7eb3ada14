//! One direction's reassembly buffer, in stream offsets (offset 0 = the byte after the ISN).
//! Sequence numbers are turned into offsets by the caller ([`super::Stream`]), so nothing here
//! knows about wraparound.
//!
//! Layout: `buf` holds the bytes of offsets `[start, start + buf.len())`; it covers the raw
//! window kept behind the consumer (`raw_keep` bytes), data ready but not yet taken, and
//! out-of-order data with holes. `segs` lists the stored segments not yet delivered (they may
//! overlap; the overlap policy compares against each). Declared gaps (holes given up on) sit
//! in `gaps` until the consumer passes them.
//!
//! Bounds: `buf.len() <= memcap`, `segs.len() <= max_segments`, holes beyond the contiguous
//! part `<= max_holes`. A segment that would break a bound is refused with a typed
//! [`InsertError`] and counted; the hole it leaves is given up on later (ACK or close), so the
//! consumer never waits forever.

use super::policy::StreamPolicy;
use std::collections::VecDeque;

/// Bounds and behaviour of one direction's assembler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssemblerConfig {
    /// Reassembly depth in bytes from the stream start; 0 = unlimited.
    pub depth: u64,
    /// Bytes buffered at most (raw window + undelivered data + out-of-order data).
    pub memcap: usize,
    /// Stored undelivered segments at most.
    pub max_segments: usize,
    /// Holes beyond the contiguous data at most.
    pub max_holes: usize,
    /// Delivered bytes kept for the raw-stream view.
    pub raw_keep: usize,
    /// Overlap policy.
    pub policy: StreamPolicy,
}

impl Default for AssemblerConfig {
    fn default() -> Self {
        AssemblerConfig {
            depth: 1024 * 1024,
            memcap: 4 * 1024 * 1024,
            max_segments: 4096,
            max_holes: 64,
            raw_keep: 64 * 1024,
            policy: StreamPolicy::Bsd,
        }
    }
}

/// Why a segment was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertError {
    /// Storing it would exceed `memcap`.
    Memcap,
    /// It would open more than `max_holes` holes.
    TooManyHoles,
    /// More than `max_segments` undelivered segments.
    TooManySegments,
}

/// What one insert found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InsertResult {
    /// Some overlapped byte differed from the stored one
    /// (`stream.reassembly_overlap_different_data`).
    pub overlap_different_data: bool,
    /// Every byte was already stored or delivered, identical (a retransmission).
    pub retransmission: bool,
    /// The segment lies wholly before the consumer's position
    /// (`stream.reassembly_segment_before_base_seq`).
    pub before_base: bool,
    /// This segment hit the depth for the first time (`stream.reassembly_depth_reached`).
    pub depth_reached: bool,
    /// Bytes beyond the depth were ignored.
    pub beyond_depth: bool,
    /// The segment was refused.
    pub error: Option<InsertError>,
}

/// A piece of the reassembled stream, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// Contiguous bytes.
    Data(&'a [u8]),
    /// Bytes that will never be seen (`stream.reassembly_seq_gap`).
    Gap(u64),
}

/// Counters for one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssemblerStats {
    /// Segments stored.
    pub segments: u64,
    /// Identical retransmissions ignored.
    pub retransmissions: u64,
    /// Inserts with differing overlapping data.
    pub overlaps_different: u64,
    /// Gaps declared.
    pub gaps: u64,
    /// Bytes given up as gaps.
    pub gap_bytes: u64,
    /// Segments refused at the memcap.
    pub memcap_drops: u64,
    /// Segments refused for too many holes.
    pub hole_drops: u64,
    /// Segments refused for too many segments.
    pub segment_drops: u64,
}

/// One direction's reassembler. See the module docs.
#[derive(Clone, Debug)]
pub struct Assembler {
    cfg: AssemblerConfig,
    start: u64,
    buf: VecDeque<u8>,
    /// Consumer position.
    read: u64,
    /// End of the in-order part (data and declared gaps).
    contig: u64,
    /// Data below this is deliverable (IDS: acknowledged; inline: everything).
    ready_limit: u64,
    /// The raw view never reaches back before this (set after a gap).
    raw_floor: u64,
    /// Stored undelivered segments `(start, end)`, sorted by start.
    segs: Vec<(u64, u64)>,
    /// Declared gaps `(start, end)` at or after `read`, in order.
    gaps: VecDeque<(u64, u64)>,
    depth_reached: bool,
    scratch: Vec<u8>,
    stats: AssemblerStats,
}

impl Assembler {
    /// An empty assembler; data is deliverable once `ready_limit` allows (see
    /// [`Assembler::set_ready_limit`]).
    pub fn new(cfg: AssemblerConfig) -> Self {
        Assembler {
            cfg,
            start: 0,
            buf: VecDeque::new(),
            read: 0,
            contig: 0,
            ready_limit: 0,
            raw_floor: 0,
            segs: Vec::new(),
            gaps: VecDeque::new(),
            depth_reached: false,
            scratch: Vec::new(),
            stats: AssemblerStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> AssemblerStats {
        self.stats
    }
    /// Bytes held now.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
    /// Undelivered segments held now.
    pub fn segment_count(&self) -> usize {
        self.segs.len()
    }
    /// The consumer's position (offset of the next byte to deliver).
    pub fn read_offset(&self) -> u64 {
        self.read
    }
    /// End of the in-order data.
    pub fn contiguous_end(&self) -> u64 {
        self.contig
    }
    /// Highest stored offset (end of the furthest segment), at least `contig`.
    pub fn max_end(&self) -> u64 {
        self.segs
            .iter()
            .map(|s| s.1)
            .max()
            .unwrap_or(0)
            .max(self.contig)
    }
    /// Whether the depth has been reached.
    pub fn depth_reached(&self) -> bool {
        self.depth_reached
    }
    /// Holes between stored data beyond the in-order part.
    pub fn holes(&self) -> usize {
        count_holes(&self.segs, self.contig, None)
    }

    /// Test view: stored bytes from the consumer position to the furthest stored byte, holes
    /// as zeros (what Suricata's unit tests call the stream buffer).
    #[cfg(test)]
    pub(crate) fn peek(&mut self) -> Vec<u8> {
        let from = (self.read - self.start) as usize;
        let to = (self.max_end() - self.start) as usize;
        self.buf
            .make_contiguous()
            .get(from..to)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// Raises the deliverable limit (IDS: the receiver's ACK; inline: `u64::MAX`).
    pub fn set_ready_limit(&mut self, limit: u64) {
        self.ready_limit = self.ready_limit.max(limit);
    }

    /// Stores `data` at stream offset `off`, applying the overlap policy against undelivered
    /// data. Never panics; refused segments are reported in [`InsertResult::error`].
    pub fn insert(&mut self, off: u64, data: &[u8]) -> InsertResult {
        let mut res = InsertResult::default();
        if data.is_empty() {
            return res;
        }
        let mut s = off;
        let mut e = off.saturating_add(data.len() as u64);
        let mut data = data;
        if self.cfg.depth > 0 && e > self.cfg.depth {
            res.beyond_depth = true;
            if !self.depth_reached {
                self.depth_reached = true;
                res.depth_reached = true;
            }
            if s >= self.cfg.depth {
                return res;
            }
            e = self.cfg.depth;
            data = data.get(..(e - s) as usize).unwrap_or(&[]);
        }
        // Bytes before the consumer cannot change: compare with what is still held.
        if s < self.read {
            let upto = e.min(self.read);
            let lo = s.max(self.start);
            let mut differs = false;
            if lo < upto {
                let held = self.buf.make_contiguous();
                let h = held.get((lo - self.start) as usize..(upto - self.start) as usize);
                let n = data.get((lo - s) as usize..(upto - s) as usize);
                if let (Some(h), Some(n)) = (h, n) {
                    differs = h != n;
                }
            }
            if differs {
                res.overlap_different_data = true;
                self.stats.overlaps_different += 1;
            }
            if e <= self.read {
                res.before_base = true;
                if !differs {
                    res.retransmission = true;
                    self.stats.retransmissions += 1;
                }
                return res;
            }
            data = data.get((self.read - s) as usize..).unwrap_or(&[]);
            s = self.read;
        }
        // Bounds.
        if e - self.start > self.cfg.memcap as u64 {
            if e - self.read > self.cfg.memcap as u64 {
                self.stats.memcap_drops += 1;
                res.error = Some(InsertError::Memcap);
                return res;
            }
            let to = e - self.cfg.memcap as u64;
            self.trim_to(to.min(self.read));
        }
        let exact_dup = self.segs.iter().any(|&(ls, le)| ls == s && le == e);
        if !exact_dup {
            if count_holes(&self.segs, self.contig, Some((s, e))) > self.cfg.max_holes {
                self.stats.hole_drops += 1;
                res.error = Some(InsertError::TooManyHoles);
                return res;
            }
            if self.segs.len() >= self.cfg.max_segments {
                self.coalesce_delivered_side();
            }
            if self.segs.len() >= self.cfg.max_segments {
                self.stats.segment_drops += 1;
                res.error = Some(InsertError::TooManySegments);
                return res;
            }
        }
        // Apply the policy per overlapped stored segment into the scratch copy.
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend_from_slice(data);
        let mut any_diff = false;
        let mut covered = 0u64;
        let start = self.start;
        let policy = self.cfg.policy;
        let held = self.buf.make_contiguous();
        for &(ls, le) in &self.segs {
            if le <= s || ls >= e {
                continue;
            }
            let a = s.max(ls);
            let b = e.min(le);
            covered += b - a;
            // Stored segments always lie inside the buffer; a missing range counts as equal.
            let old = held.get((a - start) as usize..(b - start) as usize);
            let new = data.get((a - s) as usize..(b - s) as usize);
            let (Some(old), Some(new)) = (old, new) else {
                continue;
            };
            if old != new {
                any_diff = true;
                if !policy.use_new_data(s, e, ls, le) {
                    if let Some(dst) = scratch.get_mut((a - s) as usize..(b - s) as usize) {
                        dst.copy_from_slice(old);
                    }
                }
            }
        }
        if any_diff {
            res.overlap_different_data = true;
            self.stats.overlaps_different += 1;
        } else if exact_dup || (covered >= e - s && self.fully_covered(s, e)) {
            res.retransmission = true;
            self.stats.retransmissions += 1;
        }
        // Write.
        let need = (e - self.start) as usize;
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
        let at = (s - self.start) as usize;
        if let Some(dst) = self.buf.make_contiguous().get_mut(at..at + scratch.len()) {
            dst.copy_from_slice(&scratch);
        }
        self.scratch = scratch;
        if !exact_dup {
            let pos = self.segs.partition_point(|x| x.0 <= s);
            self.segs.insert(pos, (s, e));
            self.stats.segments += 1;
        }
        self.advance_contig();
        res
    }

    fn fully_covered(&self, s: u64, e: u64) -> bool {
        let mut at = s;
        for &(ls, le) in &self.segs {
            if ls <= at && le > at {
                at = le;
            }
            if at >= e {
                return true;
            }
        }
        at >= e
    }

    fn advance_contig(&mut self) {
        for &(ls, le) in &self.segs {
            if ls <= self.contig && le > self.contig {
                self.contig = le;
            }
        }
    }

    /// Merges delivered-side segments (wholly inside the in-order part) into one entry to
    /// free segment slots.
    fn coalesce_delivered_side(&mut self) {
        let inside: Vec<usize> = (0..self.segs.len())
            .filter(|&i| self.segs[i].1 <= self.contig)
            .collect();
        if inside.len() < 2 {
            return;
        }
        let lo = inside
            .iter()
            .map(|&i| self.segs[i].0)
            .min()
            .unwrap_or(self.read);
        self.segs.retain(|s| s.1 > self.contig);
        let pos = self.segs.partition_point(|x| x.0 <= lo);
        self.segs.insert(pos, (lo, self.contig));
    }

    /// Gives up on every hole below `limit` that is followed by stored data: each becomes a
    /// declared gap. Returns the bytes given up.
    pub fn give_up_until(&mut self, limit: u64) -> u64 {
        self.give_up_until_with_tail(limit, 0)
    }

    /// As [`Assembler::give_up_until`], and also gives up a trailing hole (no stored data
    /// after it) up to `limit`, as long as it ends within `max_tail` bytes of the stored data
    /// (the caller passes the receiver's window, so a forged ACK cannot skip the stream far
    /// ahead). Returns the bytes given up.
    pub fn give_up_until_with_tail(&mut self, limit: u64, max_tail: u64) -> u64 {
        let limit = limit.min(self.max_end().saturating_add(max_tail));
        let mut total = 0;
        while self.contig < limit {
            let next = self
                .segs
                .iter()
                .filter(|x| x.0 > self.contig)
                .map(|x| x.0)
                .min();
            let end = next.unwrap_or(limit).min(limit);
            if end <= self.contig {
                break;
            }
            self.gaps.push_back((self.contig, end));
            total += end - self.contig;
            self.stats.gaps += 1;
            self.contig = end;
            self.advance_contig();
        }
        self.stats.gap_bytes += total;
        total
    }

    /// End of stream: every hole becomes a gap, everything stored becomes deliverable, and a
    /// trailing hole up to `end` (if given, e.g. the FIN's offset) is a gap too.
    pub fn flush(&mut self, end: Option<u64>) -> u64 {
        self.ready_limit = u64::MAX;
        let mut total = self.give_up_until(u64::MAX);
        if let Some(end) = end {
            let end = if self.cfg.depth > 0 {
                end.min(self.cfg.depth)
            } else {
                end
            };
            if end > self.contig {
                self.gaps.push_back((self.contig, end));
                self.stats.gaps += 1;
                self.stats.gap_bytes += end - self.contig;
                total += end - self.contig;
                self.contig = end;
            }
        }
        total
    }

    /// The next in-order piece for the consumer, or `None` when nothing is deliverable.
    pub fn next_chunk(&mut self) -> Option<Chunk<'_>> {
        let ready_end = self.contig.min(self.ready_limit);
        if self.read >= ready_end {
            return None;
        }
        if let Some(&(gs, ge)) = self.gaps.front() {
            if gs <= self.read {
                self.gaps.pop_front();
                let len = ge - self.read;
                self.read = ge;
                self.raw_floor = ge;
                self.trim_to(ge);
                self.segs.retain(|x| x.1 > ge);
                return Some(Chunk::Gap(len));
            }
        }
        let end = self.gaps.front().map_or(ready_end, |g| g.0.min(ready_end));
        let old = self.read;
        self.read = end;
        let keep_from = end
            .saturating_sub(self.cfg.raw_keep as u64)
            .max(self.raw_floor)
            .min(old);
        self.trim_to(keep_from);
        self.segs.retain(|x| x.1 > end);
        let from = (old - self.start) as usize;
        let to = (end - self.start) as usize;
        let slice = self.buf.make_contiguous();
        Some(Chunk::Data(slice.get(from..to).unwrap_or(&[])))
    }

    /// The raw-stream view: up to `raw_keep` delivered bytes ending at the consumer
    /// position, never reaching back across a gap.
    pub fn raw(&mut self) -> &[u8] {
        let from = self
            .read
            .saturating_sub(self.cfg.raw_keep as u64)
            .max(self.raw_floor)
            .max(self.start);
        let a = (from - self.start) as usize;
        let b = (self.read - self.start) as usize;
        let slice = self.buf.make_contiguous();
        slice.get(a..b.min(slice.len())).unwrap_or(&[])
    }

    fn trim_to(&mut self, to: u64) {
        if to <= self.start {
            return;
        }
        let n = ((to - self.start) as usize).min(self.buf.len());
        self.buf.drain(..n);
        self.start = to;
    }
}

/// Holes among `segs` (plus an optional extra segment) beyond `contig`.
fn count_holes(segs: &[(u64, u64)], contig: u64, extra: Option<(u64, u64)>) -> usize {
    let mut at = contig;
    let mut holes = 0;
    let mut extra = extra.filter(|x| x.1 > contig);
    let mut i = 0;
    loop {
        let next_seg = loop {
            match segs.get(i) {
                Some(&x) if x.1 <= contig => i += 1,
                other => break other.copied(),
            }
        };
        let pick = match (next_seg, extra) {
            (Some(a), Some(b)) if b.0 < a.0 => {
                extra = None;
                b
            }
            (Some(a), _) => {
                i += 1;
                a
            }
            (None, Some(b)) => {
                extra = None;
                b
            }
            (None, None) => break,
        };
        if pick.0 > at {
            holes += 1;
        }
        at = at.max(pick.1);
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> AssemblerConfig {
        AssemblerConfig {
            depth: 0,
            ..AssemblerConfig::default()
        }
    }

    fn drain(a: &mut Assembler) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let mut gaps = 0;
        while let Some(c) = a.next_chunk() {
            match c {
                Chunk::Data(d) => out.extend_from_slice(d),
                Chunk::Gap(n) => gaps += n,
            }
        }
        (out, gaps)
    }

    #[test]
    fn in_order_and_out_of_order() {
        let mut a = Assembler::new(cfg());
        a.set_ready_limit(u64::MAX);
        assert_eq!(a.insert(5, b"world"), InsertResult::default());
        assert_eq!(a.holes(), 1);
        assert_eq!(a.next_chunk(), None);
        a.insert(0, b"hello");
        assert_eq!(drain(&mut a), (b"helloworld".to_vec(), 0));
        assert_eq!(a.raw(), b"helloworld");
        let r = a.insert(0, b"hello");
        assert!(r.retransmission && r.before_base);
        let r = a.insert(0, b"HELLO");
        assert!(r.overlap_different_data && r.before_base);
    }

    #[test]
    fn ids_mode_waits_for_ack() {
        let mut a = Assembler::new(cfg());
        a.insert(0, b"abcdef");
        assert_eq!(a.next_chunk(), None);
        a.set_ready_limit(3);
        assert_eq!(a.next_chunk(), Some(Chunk::Data(b"abc")));
        assert_eq!(a.next_chunk(), None);
    }

    #[test]
    fn gap_on_give_up_and_flush() {
        let mut a = Assembler::new(cfg());
        a.set_ready_limit(u64::MAX);
        a.insert(0, b"ab");
        a.insert(5, b"fg");
        assert_eq!(a.give_up_until(4), 2, "hole 2..5: only up to the ACK");
        assert_eq!(a.give_up_until(100), 1, "the rest, up to the stored data");
        assert_eq!(
            a.clone().give_up_until_with_tail(100, 10),
            10,
            "trailing hole within the slack"
        );
        assert_eq!(a.next_chunk(), Some(Chunk::Data(b"ab")));
        assert_eq!(a.next_chunk(), Some(Chunk::Gap(2)));
        assert_eq!(a.next_chunk(), Some(Chunk::Gap(1)));
        assert_eq!(a.next_chunk(), Some(Chunk::Data(b"fg")));
        assert_eq!(a.raw(), b"fg", "raw view restarts after a gap");
        a.insert(10, b"k");
        assert_eq!(a.flush(Some(12)), 4);
        assert_eq!(a.next_chunk(), Some(Chunk::Gap(3)));
        assert_eq!(a.next_chunk(), Some(Chunk::Data(b"k")));
        assert_eq!(a.next_chunk(), Some(Chunk::Gap(1)));
        assert_eq!(a.next_chunk(), None);
    }

    #[test]
    fn depth_truncates() {
        let mut a = Assembler::new(AssemblerConfig { depth: 4, ..cfg() });
        a.set_ready_limit(u64::MAX);
        let r = a.insert(0, b"abcdef");
        assert!(r.depth_reached && r.beyond_depth);
        assert!(!a.insert(4, b"zz").depth_reached, "reported once");
        assert_eq!(drain(&mut a), (b"abcd".to_vec(), 0));
    }

    #[test]
    fn too_many_holes_is_typed() {
        let mut a = Assembler::new(AssemblerConfig {
            max_holes: 2,
            ..cfg()
        });
        assert_eq!(a.insert(10, b"a").error, None);
        assert_eq!(a.insert(20, b"a").error, None);
        assert_eq!(a.insert(30, b"a").error, Some(InsertError::TooManyHoles));
        assert_eq!(
            a.insert(11, b"abcdefghi").error,
            None,
            "closing a hole is fine"
        );
        assert_eq!(a.stats().hole_drops, 1);
    }

    #[test]
    fn memcap_refuses() {
        let mut a = Assembler::new(AssemblerConfig {
            memcap: 16,
            raw_keep: 4,
            ..cfg()
        });
        a.set_ready_limit(u64::MAX);
        assert_eq!(a.insert(20, b"x").error, Some(InsertError::Memcap));
        a.insert(0, &[1; 16]);
        drain(&mut a);
        assert_eq!(
            a.insert(16, &[2; 12]).error,
            None,
            "raw window shrinks to make room"
        );
        assert!(a.buffered() <= 16);
    }

    /// Overlap table: stored "old" segments, then a new one; what each policy delivers.
    #[test]
    fn overlap_policies_table() {
        use StreamPolicy::*;
        // old: AAAA at 2..6 and BBBB at 8..12; new: xxxxxxxx at 4..12 (starts inside A,
        // covers the hole and all of B). Then 0..2 fills the start.
        let run = |p: StreamPolicy, olds: &[(u64, &[u8])], new: (u64, &[u8])| {
            let mut a = Assembler::new(AssemblerConfig { policy: p, ..cfg() });
            for (o, d) in olds {
                a.insert(*o, d);
            }
            let r = a.insert(new.0, new.1);
            a.insert(0, b"..");
            a.flush(None);
            let (out, _) = drain(&mut a);
            (
                String::from_utf8(out).unwrap_or_default(),
                r.overlap_different_data,
            )
        };
        let olds: &[(u64, &[u8])] = &[(2, b"AAAA"), (8, b"BBBB")];
        let new = (4, &b"xxxxxxxx"[..]);
        let cases = [
            (First, "..AAAAxxBBBB"),
            (Last, "..AAxxxxxxxx"),
            (Bsd, "..AAAAxxxxxx"),
            (Linux, "..AAAAxxxxxx"),
            (Windows, "..AAAAxxxxxx"),
            (Solaris, "..AAxxxxxxxx"),
            (Vista, "..AAAAxxBBBB"),
        ];
        for (p, want) in cases {
            assert_eq!(run(p, olds, new), (want.to_string(), true), "{p}");
        }
        // Same start, new longer: linux takes the new, bsd keeps the old.
        let olds: &[(u64, &[u8])] = &[(2, b"AAAA")];
        let new = (2, &b"yyyyyy"[..]);
        assert_eq!(run(Linux, olds, new).0, "..yyyyyy");
        assert_eq!(run(Bsd, olds, new).0, "..AAAAyy");
        assert_eq!(run(OldLinux, olds, new).0, "..yyyyyy");
        // Identical overlap: no event, counted as a retransmission.
        let olds: &[(u64, &[u8])] = &[(2, b"AAAA")];
        assert_eq!(run(Bsd, olds, (2, b"AAAA")), ("..AAAA".to_string(), false));
    }
}
