//! IPv4 and IPv6 defragmentation, per worker and sans-IO.
//!
//! A [`Defragger`] belongs to one worker (no locks, no globals). The pipeline hands it every
//! fragment as a [`FragInfo`] with the packet's timestamp; [`Defragger::insert`] answers
//! [`DefragStatus::Pending`], [`DefragStatus::Reassembled`] (a complete IP packet in a buffer the
//! defragger reuses, header rewritten) or [`DefragStatus::Dropped`], plus anomaly
//! [`DefragEvent`]s named as Suricata's decoder events (`ipv4.frag_overlap`, ...).
//!
//! Overlaps are resolved by an [`OverlapPolicy`] chosen per tracker from the destination host
//! (optional lookup) or the default, with Suricata's exact trimming rules (see [`policy`]).
//!
//! Bounds (all named in [`DefragConfig`]): `memcap` bytes of stored fragment data plus a fixed
//! per-fragment and per-tracker overhead, `max_trackers` packets being reassembled at once,
//! `max_frags_per_tracker` fragments per packet. When a new fragment would exceed a bound,
//! expired trackers are reclaimed first, then the least recently updated tracker is evicted
//! (counted in [`DefragStats`]); a fragment that could never fit is dropped with
//! `frag_ignored`. A reassembled packet longer than 65535 bytes (IPv4 total length, IPv6
//! payload length) raises `frag_pkt_too_large` and is dropped.
//!
//! Contract: nothing here panics on any input; buffers are recycled between packets.

pub mod policy;

pub use policy::OverlapPolicy;

use crate::time::Timestamp;
use policy::{Decision, StoredFrag};
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

/// Accounting overhead charged per stored fragment, on top of its bytes.
pub const FRAG_OVERHEAD: usize = 64;
/// Accounting overhead charged per tracker.
pub const TRACKER_OVERHEAD: usize = 128;
/// Largest IPv4 total length / IPv6 payload length.
pub const MAX_IP_PACKET: usize = 65_535;
/// IPv4 header without options.
const IPV4_MIN_HDR: usize = 20;
/// IPv6 fixed header.
const IPV6_HDR: usize = 40;

/// Per-destination policy lookup (Suricata's `host-os-policy`).
pub type PolicyLookup = Arc<dyn Fn(IpAddr) -> Option<OverlapPolicy> + Send + Sync>;

/// Defragmentation settings (Suricata's `defrag:` section).
#[derive(Clone)]
pub struct DefragConfig {
    /// Bytes of fragment data plus overhead held at once (`defrag.memcap`, default 32 MiB).
    pub memcap: usize,
    /// Packets being reassembled at once (`defrag.trackers`, default 65535).
    pub max_trackers: usize,
    /// Fragments stored per packet (Rampart bound; default 256).
    pub max_frags_per_tracker: usize,
    /// Seconds a tracker lives after its last fragment (`defrag.timeout`, default 60).
    pub timeout_secs: u64,
    /// Policy when no host lookup answers (Suricata default: bsd).
    pub default_policy: OverlapPolicy,
    /// Optional per-destination policy lookup.
    pub policy_lookup: Option<PolicyLookup>,
}

impl Default for DefragConfig {
    fn default() -> Self {
        DefragConfig {
            memcap: 32 * 1024 * 1024,
            max_trackers: 65_535,
            max_frags_per_tracker: 256,
            timeout_secs: 60,
            default_policy: OverlapPolicy::Bsd,
            policy_lookup: None,
        }
    }
}

impl fmt::Debug for DefragConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefragConfig")
            .field("memcap", &self.memcap)
            .field("max_trackers", &self.max_trackers)
            .field("max_frags_per_tracker", &self.max_frags_per_tracker)
            .field("timeout_secs", &self.timeout_secs)
            .field("default_policy", &self.default_policy)
            .field("policy_lookup", &self.policy_lookup.is_some())
            .finish()
    }
}

/// One fragment as the decoder saw it. Borrowed; nothing is kept beyond what is copied.
#[derive(Clone, Copy, Debug)]
pub struct FragInfo<'a> {
    /// Source address (its family selects IPv4 or IPv6 handling).
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IPv4 identification or IPv6 fragment-header identification.
    pub id: u32,
    /// VLAN ids (0 when absent): fragments in different VLANs never reassemble together.
    pub vlan: [u16; 2],
    /// IPv4 protocol, or the fragment header's next header (IPv6). Part of the tracker key,
    /// as in Suricata: fragments differing in protocol never reassemble together.
    pub proto: u8,
    /// Fragment offset in bytes (the header's 8-byte units times 8).
    pub offset: u16,
    /// More-fragments flag.
    pub more_fragments: bool,
    /// IPv4: the IP header with options. IPv6: the fixed header plus any unfragmentable
    /// extension headers (everything before the fragment header). Used from the offset-0
    /// fragment only.
    pub header: &'a [u8],
    /// IPv6 only: index in `header` of the next-header byte that names the fragment header
    /// (6 when the fragment header follows the fixed header). Rewritten to `proto`.
    pub v6_next_header_at: usize,
    /// The fragment's data (after the IP header / fragment header).
    pub payload: &'a [u8],
}

impl<'a> FragInfo<'a> {
    /// Builds the fragment view straight from an IP packet (`ip` starts at the IPv4 or IPv6
    /// header; bytes after the IP total length are ignored). Returns `None` for a packet that
    /// is not a fragment or whose headers are truncated or inconsistent. IPv6: the walk
    /// through unfragmentable extension headers (hop-by-hop, routing, destination options)
    /// is bounded to [`MAX_V6_EXT_HEADERS`]. Never panics.
    pub fn parse(ip: &'a [u8], vlan: [u16; 2]) -> Option<FragInfo<'a>> {
        match ip.first()? >> 4 {
            4 => Self::parse_ipv4(ip, vlan),
            6 => Self::parse_ipv6(ip, vlan),
            _ => None,
        }
    }

    fn parse_ipv4(ip: &'a [u8], vlan: [u16; 2]) -> Option<FragInfo<'a>> {
        let hl = usize::from(ip.first()? & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
        if hl < IPV4_MIN_HDR || total < hl || total > ip.len() {
            return None;
        }
        let fo = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]);
        let more_fragments = fo & 0x2000 != 0;
        let offset = (fo & 0x1fff) << 3;
        if offset == 0 && !more_fragments {
            return None;
        }
        let src: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
        let dst: [u8; 4] = ip.get(16..20)?.try_into().ok()?;
        Some(FragInfo {
            src: IpAddr::from(src),
            dst: IpAddr::from(dst),
            id: u32::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?])),
            vlan,
            proto: *ip.get(9)?,
            offset,
            more_fragments,
            header: ip.get(..hl)?,
            v6_next_header_at: 0,
            payload: ip.get(hl..total)?,
        })
    }

    fn parse_ipv6(ip: &'a [u8], vlan: [u16; 2]) -> Option<FragInfo<'a>> {
        let plen = usize::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]));
        let end = IPV6_HDR + plen;
        if end > ip.len() {
            return None;
        }
        let src: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
        let dst: [u8; 16] = ip.get(24..40)?.try_into().ok()?;
        let mut nh = *ip.get(6)?;
        let mut nh_at = 6usize;
        let mut pos = IPV6_HDR;
        for _ in 0..MAX_V6_EXT_HEADERS {
            match nh {
                // hop-by-hop, routing, destination options: unfragmentable part.
                0 | 43 | 60 => {
                    let len = (usize::from(*ip.get(pos + 1)?) + 1) * 8;
                    nh_at = pos;
                    nh = *ip.get(pos)?;
                    pos += len;
                    if pos > end {
                        return None;
                    }
                }
                44 => {
                    let fh = ip.get(pos..pos + 8)?;
                    let off_flags = u16::from_be_bytes([fh[2], fh[3]]);
                    let offset = off_flags & 0xfff8;
                    let more_fragments = off_flags & 1 != 0;
                    if offset == 0 && !more_fragments {
                        return None;
                    }
                    return Some(FragInfo {
                        src: IpAddr::from(src),
                        dst: IpAddr::from(dst),
                        id: u32::from_be_bytes([fh[4], fh[5], fh[6], fh[7]]),
                        vlan,
                        proto: fh[0],
                        offset,
                        more_fragments,
                        header: ip.get(..pos)?,
                        v6_next_header_at: nh_at,
                        payload: ip.get(pos + 8..end)?,
                    });
                }
                _ => return None,
            }
        }
        None
    }
}

/// Extension headers walked at most before the IPv6 fragment header.
pub const MAX_V6_EXT_HEADERS: usize = 8;

/// Anomalies, named as Suricata's decoder events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefragEvent {
    /// `ipv4.frag_overlap`
    Ipv4FragOverlap,
    /// `ipv6.frag_overlap`
    Ipv6FragOverlap,
    /// `ipv4.frag_pkt_too_large`
    Ipv4FragPktTooLarge,
    /// `ipv6.frag_pkt_too_large`
    Ipv6FragPktTooLarge,
    /// `ipv4.frag_ignored` (no room: memcap or limits)
    Ipv4FragIgnored,
    /// `ipv6.frag_ignored`
    Ipv6FragIgnored,
    /// `ipv6.frag_invalid_length` (MF set and data not a multiple of 8)
    Ipv6FragInvalidLength,
}

impl DefragEvent {
    /// Suricata's `decode-event` keyword name.
    pub fn name(self) -> &'static str {
        match self {
            DefragEvent::Ipv4FragOverlap => "ipv4.frag_overlap",
            DefragEvent::Ipv6FragOverlap => "ipv6.frag_overlap",
            DefragEvent::Ipv4FragPktTooLarge => "ipv4.frag_pkt_too_large",
            DefragEvent::Ipv6FragPktTooLarge => "ipv6.frag_pkt_too_large",
            DefragEvent::Ipv4FragIgnored => "ipv4.frag_ignored",
            DefragEvent::Ipv6FragIgnored => "ipv6.frag_ignored",
            DefragEvent::Ipv6FragInvalidLength => "ipv6.frag_invalid_length",
        }
    }

    fn overlap(v6: bool) -> Self {
        if v6 {
            DefragEvent::Ipv6FragOverlap
        } else {
            DefragEvent::Ipv4FragOverlap
        }
    }
    fn too_large(v6: bool) -> Self {
        if v6 {
            DefragEvent::Ipv6FragPktTooLarge
        } else {
            DefragEvent::Ipv4FragPktTooLarge
        }
    }
    fn ignored(v6: bool) -> Self {
        if v6 {
            DefragEvent::Ipv6FragIgnored
        } else {
            DefragEvent::Ipv4FragIgnored
        }
    }
}

/// The events of one insert (at most a few; no allocation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragEvents {
    buf: [Option<DefragEvent>; 3],
}

impl DefragEvents {
    fn push(&mut self, e: DefragEvent) {
        if self.contains(e) {
            return;
        }
        if let Some(slot) = self.buf.iter_mut().find(|s| s.is_none()) {
            *slot = Some(e);
        }
    }
    /// Whether `e` was raised.
    pub fn contains(&self, e: DefragEvent) -> bool {
        self.buf.contains(&Some(e))
    }
    /// The raised events, in order.
    pub fn iter(&self) -> impl Iterator<Item = DefragEvent> + '_ {
        self.buf.iter().flatten().copied()
    }
    /// No event raised.
    pub fn is_empty(&self) -> bool {
        self.buf.iter().all(Option::is_none)
    }
}

/// Why a fragment was not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// Offset 0 and no more fragments: not a fragment; process the packet as is.
    NotFragment,
    /// The overlap policy discarded it (fully overlapped) or it had no data.
    Overlapped,
    /// Its end lies beyond the largest IP packet (`frag_pkt_too_large`).
    TooLarge,
    /// IPv6 MF set with a length not a multiple of 8 (`ipv6.frag_invalid_length`).
    InvalidLength,
    /// The offset-0 header is unusable (IPv4 shorter than 20 bytes, IPv6 shorter than 40 or
    /// the next-header index outside it).
    BadHeader,
    /// No room under the configured bounds (`frag_ignored`).
    NoRoom,
    /// Reassembly produced a packet over 65535 bytes; the tracker was discarded.
    ReassembledTooLarge,
}

/// What happened to a fragment.
#[derive(Debug, PartialEq, Eq)]
pub enum DefragStatus<'a> {
    /// Stored; the packet is not complete yet.
    Pending,
    /// The packet is complete: a full IP packet (IPv4: total length set, MF and offset
    /// cleared, checksum recomputed; IPv6: fragment header removed, payload length and next
    /// header fixed). Borrowed from the defragger's reused buffer until the next call.
    Reassembled(&'a [u8]),
    /// Not kept.
    Dropped(DropReason),
}

/// Result of [`Defragger::insert`].
#[derive(Debug, PartialEq, Eq)]
pub struct DefragResult<'a> {
    /// Outcome for the packet.
    pub status: DefragStatus<'a>,
    /// Anomalies to raise on the fragment.
    pub events: DefragEvents,
}

/// Counters (Suricata's `defrag.*` stats plus Rampart's eviction counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefragStats {
    /// IPv4 fragments seen (`defrag.ipv4.fragments`).
    pub ipv4_fragments: u64,
    /// IPv6 fragments seen (`defrag.ipv6.fragments`).
    pub ipv6_fragments: u64,
    /// IPv4 packets reassembled (`defrag.ipv4.reassembled`).
    pub ipv4_reassembled: u64,
    /// IPv6 packets reassembled (`defrag.ipv6.reassembled`).
    pub ipv6_reassembled: u64,
    /// Trackers currently held.
    pub trackers: u64,
    /// Trackers created.
    pub trackers_created: u64,
    /// Trackers dropped because they timed out.
    pub timeouts: u64,
    /// Trackers evicted to stay under the memcap.
    pub memcap_evictions: u64,
    /// Trackers evicted at `max_trackers` (`defrag.max_trackers_reached`).
    pub tracker_evictions: u64,
    /// Fragments dropped because no room could be made.
    pub ignored: u64,
    /// Fragments that overlapped stored ones.
    pub overlaps: u64,
    /// Bytes currently accounted against the memcap.
    pub memuse: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: u8,
    vlan: [u16; 2],
}

#[derive(Debug)]
struct Frag {
    more_fragments: bool,
    /// Arrival number within the tracker (links an offset-0 fragment to its header).
    arrival: u64,
    data: Vec<u8>,
}

#[derive(Debug)]
struct Tracker {
    policy: OverlapPolicy,
    v6: bool,
    seen_last: bool,
    last_seen: Timestamp,
    /// Expires when `now.secs() > timeout_at`.
    timeout_at: i64,
    /// Policy view of the stored fragments: sorted by offset, equal offsets in arrival order.
    metas: Vec<StoredFrag>,
    /// The fragments' bytes, parallel to `metas`.
    frags: Vec<Frag>,
    /// Headers of offset-0 fragments: (arrival, header bytes, next-header index, proto).
    headers: Vec<(u64, Vec<u8>, usize, u8)>,
    /// Arrival counter.
    seq: u64,
    mem: usize,
}

/// A per-worker defragmenter. See the module docs.
pub struct Defragger {
    cfg: DefragConfig,
    trackers: HashMap<Key, Tracker>,
    stats: DefragStats,
    memuse: usize,
    out: Vec<u8>,
    /// Recycled fragment buffers.
    pool: Vec<Vec<u8>>,
}

/// Recycled buffers kept at most.
const POOL_MAX: usize = 1024;

impl fmt::Debug for Defragger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Defragger")
            .field("cfg", &self.cfg)
            .field("stats", &self.stats)
            .finish()
    }
}

impl Defragger {
    /// A defragmenter with the given bounds.
    pub fn new(cfg: DefragConfig) -> Self {
        Defragger {
            cfg,
            trackers: HashMap::new(),
            stats: DefragStats::default(),
            memuse: 0,
            out: Vec::new(),
            pool: Vec::new(),
        }
    }

    /// Current counters.
    pub fn stats(&self) -> DefragStats {
        let mut s = self.stats;
        s.trackers = self.trackers.len() as u64;
        s.memuse = self.memuse as u64;
        s
    }

    /// Bytes accounted against the memcap now.
    pub fn memuse(&self) -> usize {
        self.memuse
    }

    /// Drops every tracker idle for longer than the timeout (`now.secs() > last + timeout`).
    /// Returns how many were dropped.
    pub fn expire(&mut self, now: Timestamp) -> usize {
        let now_s = now.secs();
        let (pool, memuse) = (&mut self.pool, &mut self.memuse);
        let mut n = 0;
        self.trackers.retain(|_, t| {
            if now_s <= t.timeout_at {
                return true;
            }
            n += 1;
            *memuse = memuse.saturating_sub(t.mem);
            for f in t.frags.drain(..) {
                recycle(pool, f.data);
            }
            for h in t.headers.drain(..) {
                recycle(pool, h.1);
            }
            false
        });
        self.stats.timeouts += n as u64;
        n
    }

    /// Feeds one fragment. See [`DefragStatus`] for the outcomes.
    pub fn insert(&mut self, now: Timestamp, frag: FragInfo<'_>) -> DefragResult<'_> {
        let mut events = DefragEvents::default();
        let v6 = frag.src.is_ipv6();
        if frag.offset == 0 && !frag.more_fragments {
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::NotFragment),
                events,
            };
        }
        if v6 {
            self.stats.ipv6_fragments += 1;
        } else {
            self.stats.ipv4_fragments += 1;
        }
        if v6 && frag.more_fragments && frag.payload.len() % 8 != 0 {
            events.push(DefragEvent::Ipv6FragInvalidLength);
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::InvalidLength),
                events,
            };
        }
        // Suricata: IPV4_HEADER_LEN + offset + len > 65535, IPv6: offset + len > 65535.
        let base = if v6 { 0 } else { IPV4_MIN_HDR };
        if base + usize::from(frag.offset) + frag.payload.len() > MAX_IP_PACKET {
            events.push(DefragEvent::too_large(v6));
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::TooLarge),
                events,
            };
        }
        // Within bounds now: data_len fits u16 and offset + data_len <= 65535.
        let data_len = frag.payload.len() as u16;
        if frag.offset == 0 {
            let ok = if v6 {
                frag.header.len() >= IPV6_HDR && frag.v6_next_header_at < frag.header.len()
            } else {
                frag.header.len() >= IPV4_MIN_HDR && frag.header.len() <= 60
            };
            if !ok {
                return DefragResult {
                    status: DefragStatus::Dropped(DropReason::BadHeader),
                    events,
                };
            }
        }
        let key = Key {
            src: frag.src,
            dst: frag.dst,
            id: frag.id,
            proto: frag.proto,
            vlan: frag.vlan,
        };
        let now_s = now.secs();

        // A timed-out tracker with this key is replaced.
        if self
            .trackers
            .get(&key)
            .is_some_and(|t| now_s > t.timeout_at)
        {
            self.remove_tracker(&key);
            self.stats.timeouts += 1;
        }
        let need = frag.payload.len()
            + FRAG_OVERHEAD
            + if frag.offset == 0 {
                frag.header.len()
            } else {
                0
            };
        let new_tracker = !self.trackers.contains_key(&key);
        let need_total = need + if new_tracker { TRACKER_OVERHEAD } else { 0 };
        if need_total > self.cfg.memcap || (new_tracker && self.cfg.max_trackers == 0) {
            self.stats.ignored += 1;
            events.push(DefragEvent::ignored(v6));
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::NoRoom),
                events,
            };
        }
        if let Some(t) = self.trackers.get(&key) {
            if t.frags.len() >= self.cfg.max_frags_per_tracker {
                self.stats.ignored += 1;
                events.push(DefragEvent::ignored(v6));
                return DefragResult {
                    status: DefragStatus::Dropped(DropReason::NoRoom),
                    events,
                };
            }
        }
        // Make room: expired trackers first, then the least recently updated other tracker.
        if self.memuse + need_total > self.cfg.memcap
            || (new_tracker && self.trackers.len() >= self.cfg.max_trackers)
        {
            self.expire(now);
        }
        while new_tracker && self.trackers.len() >= self.cfg.max_trackers {
            if !self.evict_oldest(&key) {
                break;
            }
            self.stats.tracker_evictions += 1;
        }
        while self.memuse + need_total > self.cfg.memcap {
            if !self.evict_oldest(&key) {
                break;
            }
            self.stats.memcap_evictions += 1;
        }
        if self.memuse + need_total > self.cfg.memcap
            || (new_tracker && self.trackers.len() >= self.cfg.max_trackers)
        {
            // Only this packet's own tracker holds the memory.
            self.stats.ignored += 1;
            events.push(DefragEvent::ignored(v6));
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::NoRoom),
                events,
            };
        }

        if new_tracker {
            let policy = self
                .cfg
                .policy_lookup
                .as_ref()
                .and_then(|f| f(frag.dst))
                .unwrap_or(self.cfg.default_policy);
            self.trackers.insert(
                key,
                Tracker {
                    policy,
                    v6,
                    seen_last: false,
                    last_seen: now,
                    timeout_at: now_s,
                    metas: Vec::new(),
                    frags: Vec::new(),
                    headers: Vec::new(),
                    seq: 0,
                    mem: TRACKER_OVERHEAD,
                },
            );
            self.memuse += TRACKER_OVERHEAD;
            self.stats.trackers_created += 1;
        }
        let Some(t) = self.trackers.get_mut(&key) else {
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::NoRoom),
                events,
            };
        };
        t.last_seen = now;
        t.timeout_at =
            now_s.saturating_add(i64::try_from(self.cfg.timeout_secs).unwrap_or(i64::MAX));

        // The policy works on the stored metadata.
        let (decision, overlap) = policy::decide(t.policy, &mut t.metas, frag.offset, data_len);
        if overlap {
            events.push(DefragEvent::overlap(v6));
            self.stats.overlaps += 1;
        }
        let ltrim = match decision {
            Decision::Drop => {
                return DefragResult {
                    status: DefragStatus::Dropped(DropReason::Overlapped),
                    events,
                };
            }
            Decision::Insert { ltrim, remove } => {
                if let Some(idx) = remove {
                    if idx < t.frags.len() {
                        t.metas.remove(idx);
                        let old = t.frags.remove(idx);
                        let arr = old.arrival;
                        let mut freed = old.data.len() + FRAG_OVERHEAD;
                        if let Some(pos) = t.headers.iter().position(|h| h.0 == arr) {
                            freed += t.headers[pos].1.len();
                            let (_, hb, _, _) = t.headers.remove(pos);
                            recycle(&mut self.pool, hb);
                        }
                        recycle(&mut self.pool, old.data);
                        t.mem = t.mem.saturating_sub(freed);
                        self.memuse = self.memuse.saturating_sub(freed);
                    }
                }
                ltrim
            }
        };
        if ltrim >= data_len {
            return DefragResult {
                status: DefragStatus::Dropped(DropReason::Overlapped),
                events,
            };
        }
        let lt = usize::from(ltrim);
        let mut data = self.pool.pop().unwrap_or_default();
        data.clear();
        data.extend_from_slice(frag.payload.get(lt..).unwrap_or(&[]));
        let new_off = frag.offset + ltrim;
        let meta = StoredFrag {
            offset: new_off,
            data_len: data_len - ltrim,
            ltrim: 0,
            skip: false,
        };
        let pos = t.metas.partition_point(|m| m.offset <= new_off);
        let arr = t.seq;
        t.seq += 1;
        let mut used = data.len() + FRAG_OVERHEAD;
        if new_off == 0 {
            let mut hb = self.pool.pop().unwrap_or_default();
            hb.clear();
            hb.extend_from_slice(frag.header);
            used += hb.len();
            t.headers
                .push((arr, hb, frag.v6_next_header_at, frag.proto));
        }
        t.metas.insert(pos, meta);
        t.frags.insert(
            pos,
            Frag {
                more_fragments: frag.more_fragments,
                arrival: arr,
                data,
            },
        );
        t.mem += used;
        self.memuse += used;
        if !frag.more_fragments {
            t.seen_last = true;
        }
        if !t.seen_last {
            return DefragResult {
                status: DefragStatus::Pending,
                events,
            };
        }
        match reassemble(t, &mut self.out) {
            Reasm::Incomplete => DefragResult {
                status: DefragStatus::Pending,
                events,
            },
            Reasm::TooLarge => {
                self.remove_tracker(&key);
                events.push(DefragEvent::too_large(v6));
                DefragResult {
                    status: DefragStatus::Dropped(DropReason::ReassembledTooLarge),
                    events,
                }
            }
            Reasm::BadHeader => {
                self.remove_tracker(&key);
                DefragResult {
                    status: DefragStatus::Dropped(DropReason::BadHeader),
                    events,
                }
            }
            Reasm::Done => {
                self.remove_tracker(&key);
                if v6 {
                    self.stats.ipv6_reassembled += 1;
                } else {
                    self.stats.ipv4_reassembled += 1;
                }
                DefragResult {
                    status: DefragStatus::Reassembled(&self.out),
                    events,
                }
            }
        }
    }

    fn remove_tracker(&mut self, key: &Key) {
        if let Some(t) = self.trackers.remove(key) {
            self.memuse = self.memuse.saturating_sub(t.mem);
            for f in t.frags {
                recycle(&mut self.pool, f.data);
            }
            for h in t.headers {
                recycle(&mut self.pool, h.1);
            }
        }
    }

    /// Evicts the least recently updated tracker other than `keep`. False if there is none.
    fn evict_oldest(&mut self, keep: &Key) -> bool {
        let victim = self
            .trackers
            .iter()
            .filter(|(k, _)| *k != keep)
            .min_by_key(|(_, t)| t.last_seen)
            .map(|(k, _)| *k);
        match victim {
            Some(k) => {
                self.remove_tracker(&k);
                true
            }
            None => false,
        }
    }
}

fn recycle(pool: &mut Vec<Vec<u8>>, mut buf: Vec<u8>) {
    if pool.len() < POOL_MAX && buf.capacity() <= MAX_IP_PACKET {
        buf.clear();
        pool.push(buf);
    }
}

enum Reasm {
    Incomplete,
    TooLarge,
    BadHeader,
    Done,
}

/// Suricata's Defrag{4,6}Reassemble: complete when the first fragment is at 0 and there is no
/// hole; bytes are copied in offset order so later copies win.
fn reassemble(t: &Tracker, out: &mut Vec<u8>) -> Reasm {
    let Some(first) = t.metas.first() else {
        return Reasm::Incomplete;
    };
    if first.offset != 0 {
        return Reasm::Incomplete;
    }
    let mut len: usize = 0;
    for (m, f) in t.metas.iter().zip(&t.frags) {
        let off = usize::from(m.offset);
        if off > len {
            return Reasm::Incomplete;
        }
        len = len.max(off + f.data.len());
    }
    // Copy pass.
    out.clear();
    let mut hdr: Option<(&[u8], usize, u8)> = None;
    let mut fragmentable_len: usize = 0;
    let mut more = true;
    let mut prev_offset: u16 = 0;
    for (m, f) in t.metas.iter().zip(&t.frags) {
        if !more && m.offset > prev_offset {
            break;
        }
        if m.skip || m.ltrim >= m.data_len {
            continue;
        }
        let (from, to_skip) = if m.offset == 0 {
            // The offset-0 fragment is copied whole with its header.
            let Some((_, h, nh, proto)) = t.headers.iter().find(|h| h.0 == f.arrival) else {
                return Reasm::BadHeader;
            };
            hdr = Some((h.as_slice(), *nh, *proto));
            (0usize, 0usize)
        } else {
            (
                usize::from(m.offset) + usize::from(m.ltrim),
                usize::from(m.ltrim),
            )
        };
        let src = f.data.get(to_skip..).unwrap_or(&[]);
        let end = from + src.len();
        if end > MAX_IP_PACKET + 8 {
            return Reasm::TooLarge;
        }
        if out.len() < end {
            out.resize(end, 0);
        }
        if let Some(dst) = out.get_mut(from..end) {
            dst.copy_from_slice(src);
        }
        fragmentable_len = fragmentable_len.max(usize::from(m.offset) + f.data.len());
        if !f.more_fragments {
            more = false;
        }
        prev_offset = m.offset;
    }
    let Some((h, nh_at, proto)) = hdr else {
        return Reasm::BadHeader;
    };
    out.truncate(fragmentable_len);
    if out.len() < fragmentable_len {
        out.resize(fragmentable_len, 0);
    }
    let total = if t.v6 {
        h.len() - IPV6_HDR + fragmentable_len
    } else {
        h.len() + fragmentable_len
    };
    if total > MAX_IP_PACKET {
        return Reasm::TooLarge;
    }
    // Prepend the header: the data was built at index 0; shift it.
    let hl = h.len();
    out.splice(0..0, h.iter().copied());
    let total16 = total as u16;
    if t.v6 {
        if let Some(b) = out.get_mut(4..6) {
            b.copy_from_slice(&total16.to_be_bytes());
        }
        if let Some(b) = out.get_mut(nh_at) {
            *b = proto;
        }
    } else {
        if let Some(b) = out.get_mut(2..4) {
            b.copy_from_slice(&total16.to_be_bytes());
        }
        if let Some(b) = out.get_mut(6..8) {
            b.copy_from_slice(&[0, 0]);
        }
        if let Some(b) = out.get_mut(10..12) {
            b.copy_from_slice(&[0, 0]);
        }
        let sum = ipv4_checksum(out.get(..hl).unwrap_or(&[]));
        if let Some(b) = out.get_mut(10..12) {
            b.copy_from_slice(&sum.to_be_bytes());
        }
    }
    Reasm::Done
}

/// RFC 1071 checksum over an IPv4 header.
pub fn ipv4_checksum(hdr: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in hdr.chunks(2) {
        let w = match c {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from_be_bytes([*a, 0]),
            _ => 0,
        };
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests;
