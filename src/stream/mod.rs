//! TCP stream reassembly, per direction, sans-IO.
//!
//! A [`TcpSession`] lives in a flow and holds two [`Stream`]s (to_server, to_client). The
//! pipeline feeds it every TCP packet of the flow with [`TcpSession::on_packet`] (time passed
//! in), then drains in-order data per direction with [`TcpSession::next_chunk`] (contiguous
//! [`Chunk::Data`] and explicit [`Chunk::Gap`]s for holes given up on) for the app layer, and
//! reads [`TcpSession::raw`] (the last `raw_keep` reassembled bytes) for stream-matching
//! rules. [`TcpSession::close`] at flow end gives up every hole so nothing waits forever.
//!
//! Sequence numbers become 64-bit stream offsets (offset 0 = ISN + 1) relative to a moving
//! anchor, so wraparound is invisible to the [`assembler`]. Overlaps are resolved by the
//! [`policy::StreamPolicy`]; anomalies are [`StreamEvent`]s named as Suricata's
//! `stream-event` keywords.
//!
//! Bounds (per direction, from [`StreamConfig`]): `memcap` buffered bytes, `max_segments`,
//! `max_holes`, `depth`. Contract: no panic on any packet sequence.

pub mod assembler;
pub mod policy;

pub use assembler::{Assembler, AssemblerConfig, AssemblerStats, Chunk, InsertError, InsertResult};
pub use policy::{ReassemblyMode, StreamPolicy};

use crate::flow::Direction;
use crate::time::Timestamp;

/// TCP flag bits as in the header's flags byte.
pub mod flags {
    /// FIN
    pub const FIN: u8 = 0x01;
    /// SYN
    pub const SYN: u8 = 0x02;
    /// RST
    pub const RST: u8 = 0x04;
    /// PSH
    pub const PSH: u8 = 0x08;
    /// ACK
    pub const ACK: u8 = 0x10;
    /// URG
    pub const URG: u8 = 0x20;
}

/// Stream settings (Suricata's `stream:` section).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamConfig {
    /// `stream.reassembly.depth`: bytes reassembled per direction; 0 = unlimited. Default 1 MiB.
    pub depth: u64,
    /// Bytes buffered per direction at most (raw window + undelivered + out-of-order).
    pub memcap: usize,
    /// Undelivered segments per direction at most.
    pub max_segments: usize,
    /// Holes per direction at most (smoltcp-style "too many holes").
    pub max_holes: usize,
    /// Reassembled bytes kept per direction for stream-matching rules.
    pub raw_keep: usize,
    /// `stream.midstream`: pick up sessions without a handshake.
    pub midstream: bool,
    /// `stream.async-oneside`: accept sessions of which only one direction is seen.
    pub async_oneside: bool,
    /// Overlap policy.
    pub policy: StreamPolicy,
    /// IDS (deliver when ACKed) or inline (deliver at once).
    pub mode: ReassemblyMode,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            depth: 1024 * 1024,
            memcap: 4 * 1024 * 1024,
            max_segments: 4096,
            max_holes: 64,
            raw_keep: 64 * 1024,
            midstream: false,
            async_oneside: false,
            policy: StreamPolicy::Bsd,
            mode: ReassemblyMode::Ids,
        }
    }
}

impl StreamConfig {
    fn assembler(&self) -> AssemblerConfig {
        AssemblerConfig {
            depth: self.depth,
            memcap: self.memcap,
            max_segments: self.max_segments,
            max_holes: self.max_holes,
            raw_keep: self.raw_keep.min(self.memcap / 2),
            policy: self.policy,
        }
    }
}

/// One TCP segment as the pipeline hands it over (fill from `decode::TcpHdr` + payload,
/// see [`TcpSeg::from_decoded`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSeg<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number (meaningful with ACK).
    pub ack: u32,
    /// Flags byte (see [`flags`]).
    pub flags: u8,
    /// Window, unscaled.
    pub window: u16,
    /// Window-scale option (SYN / SYN-ACK).
    pub wscale: Option<u8>,
    /// Timestamp option (TSval, TSecr).
    pub tsopt: Option<(u32, u32)>,
    /// TCP payload.
    pub payload: &'a [u8],
}

impl<'a> TcpSeg<'a> {
    /// From the decoder's TCP header and the packet payload.
    pub fn from_decoded(h: &crate::decode::TcpHdr, payload: &'a [u8]) -> Self {
        TcpSeg {
            seq: h.seq,
            ack: h.ack,
            flags: h.flags,
            window: h.window,
            wscale: h.wscale,
            tsopt: h.tsopt,
            payload,
        }
    }
    fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

/// Stream anomalies this module detects, named as Suricata's `stream-event` keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StreamEvent {
    /// `3whs_synack_in_wrong_direction`
    SynAckInWrongDirection,
    /// `3whs_synack_with_wrong_ack`
    SynAckWithWrongAck,
    /// `3whs_synack_resend_with_diff_seq`
    SynAckResendWithDiffSeq,
    /// `3whs_synack_resend_with_different_ack`
    SynAckResendWithDifferentAck,
    /// `3whs_synack_toserver_on_syn_recv`
    SynAckToServerOnSynRecv,
    /// `3whs_syn_resend_diff_seq_on_syn_recv`
    SynResendDiffSeqOnSynRecv,
    /// `3whs_ack_in_wrong_dir`
    AckInWrongDir,
    /// `3whs_syn_flood`
    SynFlood,
    /// `3whs_synack_tfo_data_ignored`
    SynAckTfoDataIgnored,
    /// `3whs_wrong_seq_wrong_ack`
    WrongSeqWrongAck,
    /// `3whs_right_seq_wrong_ack_evasion`
    RightSeqWrongAckEvasion,
    /// `est_syn_resend`
    EstSynResend,
    /// `est_syn_resend_diff_seq`
    EstSynResendDiffSeq,
    /// `est_syn_toclient`
    EstSynToClient,
    /// `est_synack_resend`
    EstSynAckResend,
    /// `est_synack_resend_with_diff_seq`
    EstSynAckResendWithDiffSeq,
    /// `est_synack_resend_with_different_ack`
    EstSynAckResendWithDifferentAck,
    /// `est_synack_toserver`
    EstSynAckToServer,
    /// `est_packet_out_of_window`
    EstPacketOutOfWindow,
    /// `pkt_invalid_ack`
    PktInvalidAck,
    /// `pkt_invalid_timestamp`
    PktInvalidTimestamp,
    /// `est_invalid_ack`
    EstInvalidAck,
    /// `rst_but_no_session`
    RstButNoSession,
    /// `fin_but_no_session`
    FinButNoSession,
    /// `pkt_retransmission`
    PktRetransmission,
    /// `reassembly_segment_before_base_seq`
    SegmentBeforeBaseSeq,
    /// `reassembly_overlap_different_data`
    OverlapDifferentData,
    /// `reassembly_seq_gap`
    SeqGap,
    /// `reassembly_depth_reached`
    DepthReached,
}

impl StreamEvent {
    /// Every event, in bit order.
    pub const ALL: [StreamEvent; 29] = [
        StreamEvent::SynAckInWrongDirection,
        StreamEvent::SynAckWithWrongAck,
        StreamEvent::SynAckResendWithDiffSeq,
        StreamEvent::SynAckResendWithDifferentAck,
        StreamEvent::SynAckToServerOnSynRecv,
        StreamEvent::SynResendDiffSeqOnSynRecv,
        StreamEvent::AckInWrongDir,
        StreamEvent::SynFlood,
        StreamEvent::SynAckTfoDataIgnored,
        StreamEvent::WrongSeqWrongAck,
        StreamEvent::RightSeqWrongAckEvasion,
        StreamEvent::EstSynResend,
        StreamEvent::EstSynResendDiffSeq,
        StreamEvent::EstSynToClient,
        StreamEvent::EstSynAckResend,
        StreamEvent::EstSynAckResendWithDiffSeq,
        StreamEvent::EstSynAckResendWithDifferentAck,
        StreamEvent::EstSynAckToServer,
        StreamEvent::EstPacketOutOfWindow,
        StreamEvent::PktInvalidAck,
        StreamEvent::PktInvalidTimestamp,
        StreamEvent::EstInvalidAck,
        StreamEvent::RstButNoSession,
        StreamEvent::FinButNoSession,
        StreamEvent::PktRetransmission,
        StreamEvent::SegmentBeforeBaseSeq,
        StreamEvent::OverlapDifferentData,
        StreamEvent::SeqGap,
        StreamEvent::DepthReached,
    ];

    /// The `stream-event:` keyword value (EVE shows it as `stream.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            StreamEvent::SynAckInWrongDirection => "3whs_synack_in_wrong_direction",
            StreamEvent::SynAckWithWrongAck => "3whs_synack_with_wrong_ack",
            StreamEvent::SynAckResendWithDiffSeq => "3whs_synack_resend_with_diff_seq",
            StreamEvent::SynAckResendWithDifferentAck => "3whs_synack_resend_with_different_ack",
            StreamEvent::SynAckToServerOnSynRecv => "3whs_synack_toserver_on_syn_recv",
            StreamEvent::SynResendDiffSeqOnSynRecv => "3whs_syn_resend_diff_seq_on_syn_recv",
            StreamEvent::AckInWrongDir => "3whs_ack_in_wrong_dir",
            StreamEvent::SynFlood => "3whs_syn_flood",
            StreamEvent::SynAckTfoDataIgnored => "3whs_synack_tfo_data_ignored",
            StreamEvent::WrongSeqWrongAck => "3whs_wrong_seq_wrong_ack",
            StreamEvent::RightSeqWrongAckEvasion => "3whs_right_seq_wrong_ack_evasion",
            StreamEvent::EstSynResend => "est_syn_resend",
            StreamEvent::EstSynResendDiffSeq => "est_syn_resend_diff_seq",
            StreamEvent::EstSynToClient => "est_syn_toclient",
            StreamEvent::EstSynAckResend => "est_synack_resend",
            StreamEvent::EstSynAckResendWithDiffSeq => "est_synack_resend_with_diff_seq",
            StreamEvent::EstSynAckResendWithDifferentAck => "est_synack_resend_with_different_ack",
            StreamEvent::EstSynAckToServer => "est_synack_toserver",
            StreamEvent::EstPacketOutOfWindow => "est_packet_out_of_window",
            StreamEvent::PktInvalidAck => "pkt_invalid_ack",
            StreamEvent::PktInvalidTimestamp => "pkt_invalid_timestamp",
            StreamEvent::EstInvalidAck => "est_invalid_ack",
            StreamEvent::RstButNoSession => "rst_but_no_session",
            StreamEvent::FinButNoSession => "fin_but_no_session",
            StreamEvent::PktRetransmission => "pkt_retransmission",
            StreamEvent::SegmentBeforeBaseSeq => "reassembly_segment_before_base_seq",
            StreamEvent::OverlapDifferentData => "reassembly_overlap_different_data",
            StreamEvent::SeqGap => "reassembly_seq_gap",
            StreamEvent::DepthReached => "reassembly_depth_reached",
        }
    }
}

/// A set of [`StreamEvent`]s (a bitset; no allocation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamEvents(u32);

impl StreamEvents {
    /// Adds an event.
    pub fn insert(&mut self, e: StreamEvent) {
        self.0 |= 1 << (e as u8);
    }
    /// Whether `e` is in the set.
    pub fn contains(&self, e: StreamEvent) -> bool {
        self.0 & (1 << (e as u8)) != 0
    }
    /// No event.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
    /// The events, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = StreamEvent> + '_ {
        StreamEvent::ALL.into_iter().filter(|e| self.contains(*e))
    }
    fn merge(&mut self, o: StreamEvents) {
        self.0 |= o.0;
    }
}

/// Session state (simplified TCP state machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TcpState {
    /// Nothing usable seen yet.
    #[default]
    New,
    /// SYN seen.
    SynSent,
    /// SYN/ACK seen.
    SynRecv,
    /// Handshake completed, or picked up midstream.
    Established,
    /// A FIN was seen in at least one direction.
    Closing,
    /// Both FINs or a RST seen.
    Closed,
}

/// Shift for a window advertised by the side that offered `own` when the peer offered
/// `peer` (RFC 7323: only when both did). Picked up midstream, the scale is unknown and the
/// largest (14) is assumed so valid traffic is never judged out of window.
fn window_scale(own: Option<u8>, peer: Option<u8>, midstream: bool) -> u32 {
    match (own, peer) {
        (Some(s), Some(_)) => u32::from(s.min(14)),
        _ if midstream => 14,
        _ => 0,
    }
}

/// One direction of a session.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The SYN's sequence number (or first seen − 1 when picked up midstream).
    isn: Option<u32>,
    /// Sequence number of a known offset (moves along so offsets stay within ±2^31).
    anchor_seq: u32,
    anchor_off: u64,
    /// Window-scale offered on this side's SYN.
    wscale: Option<u8>,
    /// Last advertised window of this side (unscaled).
    window: u16,
    /// Highest offset of the *other* direction this side has ACKed.
    acked_other: Option<u64>,
    /// Offset of this side's FIN.
    fin_off: Option<u64>,
    /// Latest TSval this side sent (RFC 7323), when it uses timestamps.
    last_tsval: Option<u32>,
    seen: bool,
    asm: Assembler,
}

impl Stream {
    fn new(cfg: &StreamConfig) -> Self {
        Stream {
            isn: None,
            anchor_seq: 0,
            anchor_off: 0,
            wscale: None,
            window: 0,
            acked_other: None,
            fin_off: None,
            last_tsval: None,
            seen: false,
            asm: Assembler::new(cfg.assembler()),
        }
    }

    fn set_isn(&mut self, isn: u32) {
        self.isn = Some(isn);
        self.anchor_seq = isn.wrapping_add(1);
        self.anchor_off = 0;
    }

    /// Signed stream offset of `seq` (negative: before the stream start).
    fn offset_signed(&self, seq: u32) -> i64 {
        let d = i64::from(seq.wrapping_sub(self.anchor_seq) as i32);
        i64::try_from(self.anchor_off)
            .unwrap_or(i64::MAX)
            .saturating_add(d)
    }

    /// Stream offset of `seq`, or `None` before the stream start.
    fn offset(&self, seq: u32) -> Option<u64> {
        u64::try_from(self.offset_signed(seq)).ok()
    }

    fn move_anchor(&mut self) {
        let c = self.asm.contiguous_end();
        if c > self.anchor_off {
            self.anchor_seq = self.anchor_seq.wrapping_add((c - self.anchor_off) as u32);
            self.anchor_off = c;
        }
    }

    /// The initial sequence number, once known.
    pub fn isn(&self) -> Option<u32> {
        self.isn
    }
    /// The reassembler.
    pub fn assembler(&self) -> &Assembler {
        &self.asm
    }
    /// Counters.
    pub fn stats(&self) -> AssemblerStats {
        self.asm.stats()
    }
}

/// Both directions of one TCP connection. See the module docs.
#[derive(Clone, Debug)]
pub struct TcpSession {
    cfg: StreamConfig,
    state: TcpState,
    to_server: Stream,
    to_client: Stream,
    last_seen: Timestamp,
    /// Picked up without a handshake: window scales are unknown, assume the largest.
    midstream_pickup: bool,
    /// TSvals of the first and the latest SYN (a SYN/ACK may echo any of them).
    syn_ts: Option<(u32, u32)>,
    /// ISNs of earlier SYNs with other sequence numbers (a SYN/ACK may answer any).
    syn_queue: [u32; MAX_SYN_QUEUED],
    syn_queued: u8,
}

/// Earlier SYNs remembered during the handshake (Suricata's `stream.max-syn-queued`).
pub const MAX_SYN_QUEUED: usize = 10;

impl TcpSession {
    /// A session with nothing seen.
    pub fn new(cfg: &StreamConfig) -> Self {
        TcpSession {
            cfg: *cfg,
            state: TcpState::New,
            to_server: Stream::new(cfg),
            to_client: Stream::new(cfg),
            last_seen: Timestamp::default(),
            midstream_pickup: false,
            syn_ts: None,
            syn_queue: [0; MAX_SYN_QUEUED],
            syn_queued: 0,
        }
    }

    /// Bytes this session holds (both directions' buffers plus segment bookkeeping), for
    /// the flow table's memory accounting.
    pub fn memuse(&self) -> usize {
        let seg = std::mem::size_of::<(u64, u64)>();
        [&self.to_server, &self.to_client]
            .iter()
            .map(|s| s.asm.buffered() + s.asm.segment_count() * seg)
            .sum::<usize>()
            + std::mem::size_of::<TcpSession>()
    }

    /// Whether `seg` starts a new connection on this 5-tuple (a SYN without ACK from the
    /// client after the session closed, Suricata's TCP session reuse). The flow table should
    /// then end this flow and start a new one with a fresh session.
    pub fn is_reuse(&self, dir: Direction, seg: &TcpSeg<'_>) -> bool {
        self.state == TcpState::Closed
            && dir == Direction::ToServer
            && seg.has(flags::SYN)
            && !seg.has(flags::ACK)
    }

    /// Current state.
    pub fn state(&self) -> TcpState {
        self.state
    }
    /// Time of the last packet.
    pub fn last_seen(&self) -> Timestamp {
        self.last_seen
    }
    /// One direction.
    pub fn stream(&self, dir: Direction) -> &Stream {
        match dir {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }
    fn pair(&mut self, dir: Direction) -> (&mut Stream, &mut Stream) {
        match dir {
            Direction::ToServer => (&mut self.to_server, &mut self.to_client),
            Direction::ToClient => (&mut self.to_client, &mut self.to_server),
        }
    }

    /// Feeds one packet travelling in `dir`. Afterwards drain **both** directions with
    /// [`TcpSession::next_chunk`]: an ACK in one direction releases data of the other.
    pub fn on_packet(&mut self, now: Timestamp, dir: Direction, seg: &TcpSeg<'_>) -> StreamEvents {
        use flags::*;
        let mut ev = StreamEvents::default();
        self.last_seen = now;
        let syn = seg.has(SYN);
        let ackf = seg.has(ACK);
        let to_server = dir == Direction::ToServer;
        match self.state {
            TcpState::New => {
                if seg.has(RST) {
                    ev.insert(StreamEvent::RstButNoSession);
                    return ev;
                }
                if syn && !ackf {
                    let (me, _) = self.pair(dir);
                    me.set_isn(seg.seq);
                    me.wscale = seg.wscale;
                    me.last_tsval = seg.tsopt.map(|t| t.0);
                    if !seg.payload.is_empty() {
                        // TCP Fast Open: data on the SYN starts at ISN + 1.
                        me.asm.insert(0, seg.payload);
                    }
                    me.window = seg.window;
                    me.seen = true;
                    self.state = TcpState::SynSent;
                    self.syn_ts = seg.tsopt.map(|t| (t.0, t.0));
                    return ev;
                }
                if !self.cfg.midstream {
                    if seg.has(FIN) {
                        ev.insert(StreamEvent::FinButNoSession);
                    }
                    return ev;
                }
                if syn && ackf {
                    let (me, other) = self.pair(dir);
                    me.set_isn(seg.seq);
                    me.wscale = seg.wscale;
                    other.set_isn(seg.ack.wrapping_sub(1));
                    me.seen = true;
                    self.state = TcpState::SynRecv;
                    self.midstream_pickup = true;
                    return ev;
                }
                // Midstream pickup on data/ACK. A bare ACK may be a keep-alive (seq one
                // below the next byte), so this side's start is only fixed by data or by
                // the other side's ACK (see data_and_ack).
                let (me, other) = self.pair(dir);
                if !seg.payload.is_empty() || seg.has(FIN) {
                    me.set_isn(seg.seq.wrapping_sub(1));
                }
                if ackf {
                    other.set_isn(seg.ack.wrapping_sub(1));
                }
                self.state = TcpState::Established;
                self.midstream_pickup = true;
            }
            TcpState::SynSent => {
                // The server's reply must echo the SYN's timestamp, or (RST/FIN/ACK) echo
                // nothing when the SYN had none; Linux and Windows discard such packets
                // (suricata-verify bug-3286-02/03 evasions).
                if !to_server {
                    if let Some((_, ecr)) = seg.tsopt {
                        // A SYN/ACK with timestamps to a SYN without them is accepted
                        // (suricata-verify bug-4702-01).
                        let bad = match self.syn_ts {
                            Some((first, last)) => {
                                ecr != 0
                                    && ((ecr.wrapping_sub(first) as i32) < 0
                                        || (last.wrapping_sub(ecr) as i32) < 0)
                            }
                            None => ecr != 0 && !syn,
                        };
                        if bad {
                            ev.insert(StreamEvent::PktInvalidTimestamp);
                            return ev;
                        }
                    }
                }
                if syn && !ackf && to_server {
                    if let Some((tsval, _)) = seg.tsopt {
                        self.syn_ts = Some(self.syn_ts.map_or((tsval, tsval), |(f, _)| (f, tsval)));
                        self.to_server.last_tsval = Some(tsval);
                    }
                }
                if seg.has(RST) {
                    // Valid (as Suricata's SYN_SENT handling): the server refusing the SYN
                    // (ACKs it), or a client RST at its ISN with window 0 acking ISN + 1. Any
                    // other RST (e.g. answering an old connection's challenge ACK) is ignored.
                    let cisn = self.to_server.isn.unwrap_or(0);
                    let valid = if to_server {
                        seg.seq == cisn && seg.window == 0 && seg.ack == cisn.wrapping_add(1)
                    } else {
                        seg.has(ACK) && seg.ack == cisn.wrapping_add(1)
                    };
                    if valid {
                        self.state = TcpState::Closed;
                    }
                    return ev;
                }
                if syn && ackf {
                    if to_server {
                        ev.insert(StreamEvent::SynAckInWrongDirection);
                        return ev;
                    }
                    let client_isn = self.to_server.isn.unwrap_or(0);
                    // TFO: the SYN/ACK acks the SYN's data, or only the SYN (data ignored).
                    let tfo = self.to_server.asm.max_end();
                    if tfo > 0 && seg.ack == client_isn.wrapping_add(1) {
                        ev.insert(StreamEvent::SynAckTfoDataIgnored);
                    }
                    let tfo_acked = tfo > 0
                        && u64::from(seg.ack.wrapping_sub(client_isn.wrapping_add(1))) == tfo;
                    if seg.ack != client_isn.wrapping_add(1) && !tfo_acked {
                        // It may answer an earlier SYN of the queue (stream.max-syn-queued).
                        let queued = self.syn_queue[..usize::from(self.syn_queued)]
                            .iter()
                            .find(|isn| seg.ack == isn.wrapping_add(1))
                            .copied();
                        match queued {
                            Some(isn) => self.to_server.set_isn(isn),
                            None => {
                                ev.insert(StreamEvent::SynAckWithWrongAck);
                                return ev;
                            }
                        }
                    }
                    self.to_client.set_isn(seg.seq);
                    self.to_client.wscale = seg.wscale;
                    self.to_client.last_tsval = seg.tsopt.map(|t| t.0);
                    self.to_client.window = seg.window;
                    self.to_client.seen = true;
                    self.state = TcpState::SynRecv;
                    return ev;
                }
                // Only the client side is captured (async): its ACK completes the session.
                if self.cfg.async_oneside
                    && to_server
                    && ackf
                    && !syn
                    && seg.seq == self.to_server.isn.unwrap_or(0).wrapping_add(1)
                {
                    self.to_client.set_isn(seg.ack.wrapping_sub(1));
                    self.state = TcpState::Established;
                    ev.merge(self.data_and_ack(dir, seg));
                    return ev;
                }
                if syn && to_server {
                    // SYN resent: with another ISN the latest one counts, earlier ones stay
                    // queued (up to MAX_SYN_QUEUED, then `3whs_syn_flood`).
                    if let Some(old) = self.to_server.isn.filter(|isn| *isn != seg.seq) {
                        let known = self.syn_queue[..usize::from(self.syn_queued)].contains(&old);
                        if !known {
                            if usize::from(self.syn_queued) < MAX_SYN_QUEUED {
                                self.syn_queue[usize::from(self.syn_queued)] = old;
                                self.syn_queued += 1;
                            } else {
                                ev.insert(StreamEvent::SynFlood);
                            }
                        }
                    }
                    self.to_server.set_isn(seg.seq);
                    self.to_server.wscale = seg.wscale;
                    if !seg.payload.is_empty() {
                        self.to_server.asm.insert(0, seg.payload);
                    }
                }
                return ev;
            }
            TcpState::SynRecv => {
                let client_isn = self.to_server.isn.unwrap_or(0);
                let server_isn = self.to_client.isn.unwrap_or(0);
                if seg.has(RST) {
                    let (isn, other_isn) = if to_server {
                        (client_isn, server_isn)
                    } else {
                        (server_isn, client_isn)
                    };
                    let valid = seg.seq == isn.wrapping_add(1)
                        || (seg.has(ACK) && seg.ack == other_isn.wrapping_add(1) && seg.seq == isn);
                    if valid {
                        self.state = TcpState::Closed;
                    }
                    return ev;
                }
                if syn && ackf {
                    if to_server {
                        ev.insert(StreamEvent::SynAckToServerOnSynRecv);
                    } else if seg.seq != server_isn {
                        ev.insert(StreamEvent::SynAckResendWithDiffSeq);
                    } else if seg.ack != client_isn.wrapping_add(1) {
                        ev.insert(StreamEvent::SynAckResendWithDifferentAck);
                    }
                    return ev;
                }
                if syn {
                    if to_server && seg.seq != client_isn {
                        ev.insert(StreamEvent::SynResendDiffSeqOnSynRecv);
                    }
                    return ev;
                }
                if !ackf {
                    return ev;
                }
                if !to_server {
                    // Only the server side is captured (async): its next packet completes
                    // the session.
                    if self.cfg.async_oneside && seg.seq == server_isn.wrapping_add(1) {
                        self.state = TcpState::Established;
                        ev.merge(self.data_and_ack(dir, seg));
                        return ev;
                    }
                    ev.insert(StreamEvent::AckInWrongDir);
                    return ev;
                }
                let seq_ok = seg.seq == client_isn.wrapping_add(1);
                if seg.ack != server_isn.wrapping_add(1) {
                    ev.insert(if seq_ok {
                        StreamEvent::RightSeqWrongAckEvasion
                    } else {
                        StreamEvent::WrongSeqWrongAck
                    });
                    return ev;
                }
                self.state = TcpState::Established;
            }
            TcpState::Established | TcpState::Closing => {
                if syn {
                    let (me, _) = self.pair(dir);
                    let same = me.isn == Some(seg.seq);
                    if !ackf {
                        ev.insert(match (to_server, same) {
                            (false, _) => StreamEvent::EstSynToClient,
                            (true, true) => StreamEvent::EstSynResend,
                            (true, false) => StreamEvent::EstSynResendDiffSeq,
                        });
                    } else if to_server {
                        ev.insert(StreamEvent::EstSynAckToServer);
                    } else if !same {
                        ev.insert(StreamEvent::EstSynAckResendWithDiffSeq);
                    } else if Some(seg.ack.wrapping_sub(1)) != self.to_server.isn {
                        ev.insert(StreamEvent::EstSynAckResendWithDifferentAck);
                    } else {
                        ev.insert(StreamEvent::EstSynAckResend);
                    }
                    return ev;
                }
            }
            TcpState::Closed => {
                // Late packets: retransmissions still count, nothing is reassembled.
                return ev;
            }
        }
        // Established-like processing.
        ev.merge(self.data_and_ack(dir, seg));
        ev
    }

    fn data_and_ack(&mut self, dir: Direction, seg: &TcpSeg<'_>) -> StreamEvents {
        use flags::*;
        let mut ev = StreamEvents::default();
        let inline = self.cfg.mode == ReassemblyMode::Inline;
        let mid = self.midstream_pickup;
        let (me, other) = self.pair(dir);
        if me.isn.is_none() && (!seg.payload.is_empty() || seg.has(FIN)) {
            // First data of this side seen after a midstream pickup.
            me.set_isn(seg.seq.wrapping_sub(1));
        }
        if other.isn.is_none() && seg.has(ACK) {
            // Picked up midstream: the ACK names the other side's next byte exactly.
            other.set_isn(seg.ack.wrapping_sub(1));
        }
        me.seen = true;
        // PAWS for RST: an RST whose TSval is older than the last one from that side is
        // invalid (an injected RST must not end the session).
        if let Some((tsval, _)) = seg.tsopt {
            if let Some(last) = me.last_tsval {
                if seg.has(RST) && (tsval.wrapping_sub(last) as i32) < 0 {
                    ev.insert(StreamEvent::PktInvalidTimestamp);
                    return ev;
                }
            }
            if me
                .last_tsval
                .is_none_or(|last| (tsval.wrapping_sub(last) as i32) > 0)
            {
                me.last_tsval = Some(tsval);
            }
        }
        // ACK validation (Suricata's StreamTcpValidateAck): an ACK beyond what the other side
        // may have sent (last ACK + this side's window) or far behind it is invalid, and the
        // packet is not used for reassembly.
        if seg.has(ACK) && other.isn.is_some() && other.seen {
            if let (Some(last), Some(ack_off)) = (me.acked_other, other.offset(seg.ack)) {
                let scale = window_scale(me.wscale, other.wscale, mid);
                let win = u64::from(me.window) << scale;
                if win > 0 && (ack_off > last + win || ack_off.saturating_add(win) < last) {
                    ev.insert(StreamEvent::PktInvalidAck);
                    ev.insert(StreamEvent::EstInvalidAck);
                    return ev;
                }
            }
        }
        me.window = seg.window;
        // Window check against what the receiver allowed.
        let mut in_window = true;
        if let (Some(acked), Some(start)) = (other.acked_other, me.offset(seg.seq)) {
            let scale = window_scale(other.wscale, me.wscale, mid);
            let win = u64::from(other.window) << scale;
            if win > 0 && start > acked + win && !seg.payload.is_empty() {
                in_window = false;
                ev.insert(StreamEvent::EstPacketOutOfWindow);
            }
        }
        if in_window && !seg.payload.is_empty() {
            match me.offset(seg.seq) {
                Some(off) => {
                    let r = me.asm.insert(off, seg.payload);
                    if r.overlap_different_data {
                        ev.insert(StreamEvent::OverlapDifferentData);
                    }
                    if r.before_base {
                        ev.insert(StreamEvent::SegmentBeforeBaseSeq);
                    }
                    if r.retransmission {
                        ev.insert(StreamEvent::PktRetransmission);
                    }
                    if r.depth_reached {
                        ev.insert(StreamEvent::DepthReached);
                    }
                    me.move_anchor();
                }
                None => {
                    // Starts before the stream start: only the part after it counts.
                    let skip = usize::try_from(me.offset_signed(seg.seq).unsigned_abs())
                        .unwrap_or(usize::MAX);
                    if let Some(rest) = seg.payload.get(skip..) {
                        if !rest.is_empty() {
                            me.asm.insert(0, rest);
                            me.move_anchor();
                        }
                    }
                    ev.insert(StreamEvent::SegmentBeforeBaseSeq);
                }
            }
        }
        if seg.has(FIN) {
            if let Some(off) = me.offset(seg.seq) {
                let fin = off + seg.payload.len() as u64;
                me.fin_off = Some(me.fin_off.map_or(fin, |f| f.min(fin)));
            }
        }
        if inline || !other.seen {
            me.asm.set_ready_limit(u64::MAX);
        }
        // This packet's ACK acknowledges the other direction.
        if seg.has(ACK) && other.isn.is_some() {
            if let Some(ack_off) = other.offset(seg.ack) {
                me.acked_other = Some(me.acked_other.map_or(ack_off, |a| a.max(ack_off)));
                other.asm.set_ready_limit(ack_off);
                // A trailing hole may be skipped up to the ACK if the ACK lies within this
                // side's advertised window of the data seen.
                let scale = window_scale(me.wscale, other.wscale, mid);
                let win = u64::from(me.window) << scale;
                // The FIN takes a sequence number but no byte.
                let limit = other.fin_off.map_or(ack_off, |f| ack_off.min(f));
                if other.asm.give_up_until_with_tail(limit, win) > 0 {
                    ev.insert(StreamEvent::SeqGap);
                }
                other.move_anchor();
                // The other side's FIN acknowledged: its stream is complete.
                if let Some(f) = other.fin_off {
                    if ack_off > f && other.asm.flush(Some(f)) > 0 {
                        ev.insert(StreamEvent::SeqGap);
                    }
                }
            }
        }
        if seg.has(RST) {
            // Only an in-window RST ends the session (an injected one far off is ignored).
            let (me, other) = self.pair(dir);
            let win = (u64::from(other.window) << other.wscale.unwrap_or(0).min(14)).max(65_535);
            let valid = me.isn.is_none()
                || me.offset(seg.seq).is_some_and(|o| {
                    o.saturating_add(win) >= me.asm.contiguous_end()
                        && o <= me.asm.max_end().saturating_add(win)
                });
            if valid {
                ev.merge(self.close());
            }
            return ev;
        }
        if seg.has(FIN) || self.state == TcpState::Closing {
            self.state = if self.to_server.fin_off.is_some() && self.to_client.fin_off.is_some() {
                TcpState::Closed
            } else {
                TcpState::Closing
            };
            if self.state == TcpState::Closed {
                ev.merge(self.close());
            }
        }
        ev
    }

    /// Flow end (FIN/RST seen, timeout, shutdown): gives up every hole in both directions and
    /// makes all stored data deliverable. Drain with [`TcpSession::next_chunk`] afterwards.
    pub fn close(&mut self) -> StreamEvents {
        let mut ev = StreamEvents::default();
        for s in [&mut self.to_server, &mut self.to_client] {
            let fin = s.fin_off;
            if s.asm.flush(fin) > 0 {
                ev.insert(StreamEvent::SeqGap);
            }
            s.move_anchor();
        }
        self.state = TcpState::Closed;
        ev
    }

    /// The next in-order piece of `dir`'s stream for the app layer: data, or a gap the
    /// parser must skip. `None` when nothing more is deliverable now.
    pub fn next_chunk(&mut self, dir: Direction) -> Option<Chunk<'_>> {
        match dir {
            Direction::ToServer => self.to_server.asm.next_chunk(),
            Direction::ToClient => self.to_client.asm.next_chunk(),
        }
    }

    /// The raw-stream view of `dir` for stream-matching rules: the last `raw_keep` delivered
    /// bytes (never across a gap).
    pub fn raw(&mut self, dir: Direction) -> &[u8] {
        match dir {
            Direction::ToServer => self.to_server.asm.raw(),
            Direction::ToClient => self.to_client.asm.raw(),
        }
    }
}

#[cfg(test)]
mod tests;
