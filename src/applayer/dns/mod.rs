//! DNS over UDP (one message per datagram) and over TCP (RFC 1035 §4.2.2: a 2-byte length
//! prefix per message; messages split across and joined in segments).
//!
//! - [`parser`]: pure decoding of one message (header, questions, the three record sections,
//!   name compression, EDNS OPT, per-type rdata as Suricata decodes it; unknown types raw).
//! - [`DnsState`]: per-flow framing and the transaction list, one transaction per message
//!   (Suricata 8: a request and its response are separate transactions, logged as separate EVE
//!   v3 events `"type":"request"` / `"type":"response"`).
//! - [`eve`]: the EVE `dns` object (version 3). [`detect`]: sticky buffers for rules.
//!
//! # Why our own parser
//! The `dns-parser` crate is unmaintained (last release 2018), rejects messages Suricata
//! accepts (unknown classes, trailing bytes), has no bound on decoded name size or labels and
//! does not expose what Suricata logs (truncation flags, TXT segments, raw unknown rdata).
//! `hickory-proto` is a full resolver stack that allocates per field and validates strictly.
//! A DNS message decoder is ~500 lines; owning it lets us match Suricata's leniency and bound
//! every allocation (see [`parser`] for the bounds).
//!
//! # Bounds (all in [`DnsConfig`])
//! A message is at most 65535 bytes (the TCP length prefix; UDP datagrams are cut there too),
//! so a TCP direction buffers at most 65537 bytes. Decoding keeps at most
//! [`parser::DnsLimits`] records and bytes per message; a flow keeps at most
//! [`DnsConfig::max_txs`] live transactions (later messages are dropped and counted in
//! [`DnsState::dropped_messages`]); state-level events are kept at most
//! [`MAX_STATE_EVENTS`].

pub mod detect;
pub mod eve;
pub mod harness;
pub mod parser;

use std::collections::VecDeque;

pub use parser::{DnsMessage, DnsName, DnsQuery, DnsRData, DnsRecord};

use super::{Direction, ParseOutcome, TxId, TxProgress};
use crate::time::Timestamp;
use parser::{DnsLimits, ParseError};

/// State-level events kept per flow (later ones are counted only).
pub const MAX_STATE_EVENTS: usize = 64;
/// Longest DNS message (the TCP length prefix is 16 bits).
pub const MAX_MESSAGE_LEN: usize = 65535;

/// Limits of the DNS parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsConfig {
    /// Live (not yet pruned) transactions per flow.
    pub max_txs: usize,
    /// Per-message decoding limits.
    pub limits: DnsLimits,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig { max_txs: 256, limits: DnsLimits::default() }
    }
}

macro_rules! dns_events {
    ($($(#[$doc:meta])* $v:ident => $name:literal,)*) => {
        /// An anomaly the DNS parser raises, named as Suricata's `app-layer-event:dns.<name>`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DnsEvent {
            $($(#[$doc])* $v,)*
        }

        impl DnsEvent {
            /// Every event.
            pub const ALL: &'static [DnsEvent] = &[$(DnsEvent::$v,)*];

            /// The name after `dns.` in `app-layer-event:dns.<name>`.
            pub fn name(self) -> &'static str {
                match self { $(DnsEvent::$v => $name,)* }
            }

            /// The event a rule names (without the `dns.` prefix).
            pub fn from_name(name: &str) -> Option<DnsEvent> {
                match name { $($name => Some(DnsEvent::$v),)* _ => None }
            }
        }
    };
}

dns_events! {
    /// A message did not decode (length fields wrong, names running off the message).
    MalformedData => "malformed_data",
    /// A response (QR set) travelled to the server.
    NotRequest => "not_request",
    /// A request (QR clear) travelled to the client.
    NotResponse => "not_response",
    /// The reserved Z flag is set.
    ZFlagSet => "z_flag_set",
    /// Opcode 7 or above.
    InvalidOpcode => "invalid_opcode",
    /// A name was longer than 1025 bytes and was truncated.
    NameTooLong => "name_too_long",
    /// A compression pointer pointed at itself.
    InfiniteLoop => "infinite_loop",
    /// A name needed more than 255 labels and pointers.
    TooManyLabels => "too_many_labels",
    /// The additional section did not decode.
    InvalidAdditionals => "invalid_additionals",
    /// The authority section did not decode.
    InvalidAuthorities => "invalid_authorities",
}

/// One DNS message and its anomalies.
#[derive(Clone, Debug)]
pub struct DnsTx {
    /// Per-flow transaction id (EVE `tx_id`).
    pub id: TxId,
    /// Always complete both ways: a message is parsed whole.
    pub progress: TxProgress,
    /// Anomalies of this message.
    pub events: Vec<DnsEvent>,
    /// The direction the message travelled: to_server is a request, to_client a response
    /// (as Suricata types them, whatever the QR bit says).
    pub dir: Direction,
    /// Packet time of the message's last byte.
    pub ts: Timestamp,
    /// The decoded message.
    pub message: DnsMessage,
}

impl DnsTx {
    /// Whether the message travelled to the server (EVE `"type":"request"`).
    pub fn is_request(&self) -> bool {
        self.dir == Direction::ToServer
    }

    /// Whether `e` was raised on this message.
    pub fn has_event(&self, e: DnsEvent) -> bool {
        self.events.contains(&e)
    }

    /// Heap bytes held (approximate).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<DnsTx>() + self.message.memory_bytes() + self.events.capacity() * std::mem::size_of::<DnsEvent>()
    }
}

/// How the flow carries messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsTransport {
    /// One message per datagram.
    Udp,
    /// Length-prefixed messages in the reassembled stream.
    Tcp,
}

/// Per-flow DNS state.
#[derive(Debug)]
pub struct DnsState {
    cfg: DnsConfig,
    transport: DnsTransport,
    txs: VecDeque<DnsTx>,
    next_id: u64,
    events: Vec<DnsEvent>,
    /// TCP: the partial message of each direction (length prefix included).
    partial: [Vec<u8>; 2],
    /// TCP: a gap lost the message framing of this direction; data is ignored until a chunk
    /// starts like a framed message.
    lost: [bool; 2],
    /// Messages not turned into transactions because of [`DnsConfig::max_txs`].
    pub dropped_messages: u64,
    /// Records dropped by the per-message limits.
    pub records_dropped: u64,
    /// State events not kept because of [`MAX_STATE_EVENTS`].
    pub events_dropped: u64,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

/// Whether `data` starts with a length prefix and a DNS header that fits direction `dir`
/// (QR set exactly for responses, a defined opcode, at least one question for requests, at
/// most 32 questions): the resynchronisation point after a TCP gap.
fn plausible_frame(dir: Direction, data: &[u8]) -> bool {
    let be = |i: usize| data.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let (Some(len), Some(flags), Some(qd)) = (be(0), be(4), be(6)) else { return false };
    let qr = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0x0f;
    usize::from(len) >= parser::HEADER_LEN
        && qr == (dir == Direction::ToClient)
        && matches!(opcode, 0 | 1 | 2 | 4 | 5)
        && qd <= 32
        && (qd > 0 || dir == Direction::ToClient)
}

impl DnsState {
    /// A DNS-over-TCP state (the contract's constructor).
    pub fn new(cfg: DnsConfig) -> DnsState {
        Self::with_transport(cfg, DnsTransport::Tcp)
    }

    /// A DNS-over-UDP state: each [`DnsState::on_data`] call is one datagram.
    pub fn new_udp(cfg: DnsConfig) -> DnsState {
        Self::with_transport(cfg, DnsTransport::Udp)
    }

    /// A state for `transport`.
    pub fn with_transport(cfg: DnsConfig, transport: DnsTransport) -> DnsState {
        DnsState {
            cfg,
            transport,
            txs: VecDeque::new(),
            next_id: 0,
            events: Vec::new(),
            partial: [Vec::new(), Vec::new()],
            lost: [false; 2],
            dropped_messages: 0,
            records_dropped: 0,
            events_dropped: 0,
        }
    }

    /// The limits in use.
    pub fn config(&self) -> &DnsConfig {
        &self.cfg
    }

    /// The transport.
    pub fn transport(&self) -> DnsTransport {
        self.transport
    }

    /// UDP: one datagram's payload. TCP: the next in-order bytes of `dir`.
    pub fn on_data(&mut self, dir: Direction, ts: Timestamp, data: &[u8]) -> ParseOutcome {
        match self.transport {
            DnsTransport::Udp => {
                let msg = data.get(..MAX_MESSAGE_LEN).unwrap_or(data);
                self.on_message(dir, ts, msg);
            }
            DnsTransport::Tcp => self.on_stream(dir, ts, data),
        }
        ParseOutcome::Consumed
    }

    fn on_stream(&mut self, dir: Direction, ts: Timestamp, mut data: &[u8]) {
        let i = idx(dir);
        if self.lost[i] {
            // After a gap, as Suricata: resume only at a chunk that starts like a framed
            // message of this direction; drop other chunks.
            if !plausible_frame(dir, data) {
                return;
            }
            self.lost[i] = false;
        }
        // Complete a buffered partial message first.
        if !self.partial[i].is_empty() {
            let buf = &mut self.partial[i];
            if buf.len() < 2 {
                let take = (2 - buf.len()).min(data.len());
                buf.extend_from_slice(&data[..take]);
                data = &data[take..];
                if buf.len() < 2 {
                    return;
                }
            }
            let want = 2 + usize::from(u16::from_be_bytes([buf[0], buf[1]]));
            let take = (want - buf.len()).min(data.len());
            buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if buf.len() < want {
                return;
            }
            let buf = std::mem::take(&mut self.partial[i]);
            self.on_message(dir, ts, &buf[2..]);
            // Keep the allocation for the next partial message.
            self.partial[i] = buf;
            self.partial[i].clear();
        }
        // Whole messages straight from the chunk.
        while data.len() >= 2 {
            let want = 2 + usize::from(u16::from_be_bytes([data[0], data[1]]));
            if data.len() < want {
                break;
            }
            self.on_message(dir, ts, &data[2..want]);
            data = &data[want..];
        }
        self.partial[i].extend_from_slice(data);
    }

    fn state_event(&mut self, e: DnsEvent) {
        if self.events.len() < MAX_STATE_EVENTS {
            self.events.push(e);
        } else {
            self.events_dropped += 1;
        }
    }

    /// One complete message travelling in `dir`.
    fn on_message(&mut self, dir: Direction, ts: Timestamp, msg: &[u8]) {
        let m = match parser::parse_message(msg, &self.cfg.limits) {
            Ok(m) => m,
            Err(ParseError::Short | ParseError::Malformed) => {
                self.state_event(DnsEvent::MalformedData);
                return;
            }
        };
        if dir == Direction::ToServer && m.is_response() {
            self.state_event(DnsEvent::NotRequest);
            return;
        }
        if self.txs.len() >= self.cfg.max_txs {
            self.dropped_messages += 1;
            return;
        }
        let mut events = Vec::new();
        if dir == Direction::ToClient && !m.is_response() {
            events.push(DnsEvent::NotResponse);
        }
        if m.flags & 0x0040 != 0 {
            events.push(DnsEvent::ZFlagSet);
        }
        if m.opcode() >= 7 {
            events.push(DnsEvent::InvalidOpcode);
        }
        if m.name_flags.truncated {
            events.push(DnsEvent::NameTooLong);
        }
        if m.name_flags.infinite_loop {
            events.push(DnsEvent::InfiniteLoop);
        }
        if m.name_flags.label_limit {
            events.push(DnsEvent::TooManyLabels);
        }
        if m.invalid_additionals {
            events.push(DnsEvent::InvalidAdditionals);
        }
        if m.invalid_authorities {
            events.push(DnsEvent::InvalidAuthorities);
        }
        self.records_dropped += u64::from(m.records_dropped);
        let id = TxId(self.next_id);
        self.next_id += 1;
        self.txs.push_back(DnsTx {
            id,
            progress: TxProgress { request_complete: true, response_complete: true },
            events,
            dir,
            ts,
            message: m,
        });
    }

    /// `len` bytes of `dir` were lost. TCP: the framing is lost: the partial message is
    /// dropped and that direction resumes at the first chunk that starts like a framed message
    /// (as Suricata). UDP: nothing to do.
    pub fn on_gap(&mut self, dir: Direction, _len: u64) {
        if self.transport == DnsTransport::Tcp {
            let i = idx(dir);
            self.lost[i] = true;
            self.partial[i] = Vec::new();
        }
    }

    /// The flow ended: a partial TCP message is dropped (it never completed).
    pub fn on_close(&mut self, _ts: Timestamp) {
        for (i, p) in self.partial.iter_mut().enumerate() {
            if !p.is_empty() && !self.lost[i] {
                *p = Vec::new();
            }
        }
    }

    /// Live transactions, oldest first.
    pub fn txs(&self) -> impl ExactSizeIterator<Item = &DnsTx> + '_ {
        self.txs.iter()
    }

    /// The transaction `id`, if still live.
    pub fn tx(&self, id: TxId) -> Option<&DnsTx> {
        let first = self.txs.front()?.id.0;
        let i = usize::try_from(id.0.checked_sub(first)?).ok()?;
        self.txs.get(i)
    }

    /// The id the next message will get.
    pub fn next_tx_id(&self) -> TxId {
        TxId(self.next_id)
    }

    /// Drops transactions with ids below `upto`.
    pub fn prune_done(&mut self, upto: TxId) {
        while self.txs.front().is_some_and(|t| t.id < upto) {
            self.txs.pop_front();
        }
    }

    /// State-level anomalies (messages that made no transaction), oldest first.
    pub fn events(&self) -> &[DnsEvent] {
        &self.events
    }

    /// Heap bytes held (approximate).
    pub fn memory_bytes(&self) -> usize {
        self.txs.iter().map(DnsTx::memory_bytes).sum::<usize>()
            + self.partial.iter().map(Vec::capacity).sum::<usize>()
            + self.events.capacity() * std::mem::size_of::<DnsEvent>()
    }
}

#[cfg(test)]
mod tests {
    use super::parser::tests::{query, response_a};
    use super::*;

    fn tcp_frame(m: &[u8]) -> Vec<u8> {
        let mut v = (m.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(m);
        v
    }

    #[test]
    fn event_names_exist_in_suricata_rules() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/dns-events.rules");
        let rules = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path} is missing ({e}): the reference rules are needed"));
        for e in DnsEvent::ALL {
            let kw = format!("app-layer-event:dns.{};", e.name());
            assert!(rules.contains(&kw), "{kw} not in {path}");
            assert_eq!(DnsEvent::from_name(e.name()), Some(*e));
        }
        // And every Suricata DNS event has a variant.
        for part in rules.split("app-layer-event:dns.").skip(1) {
            let name = part.split(';').next().unwrap_or("");
            assert!(DnsEvent::from_name(name).is_some(), "dns.{name} has no DnsEvent");
        }
    }

    #[test]
    fn udp_one_tx_per_message() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        let ts = Timestamp::default();
        s.on_data(Direction::ToServer, ts, &query(5, "a.example", 1));
        s.on_data(Direction::ToClient, ts, &response_a(5, "a.example", [9, 9, 9, 9]));
        let v: Vec<_> = s.txs().collect();
        assert_eq!(v.len(), 2);
        assert!(v[0].is_request() && !v[1].is_request());
        assert_eq!((v[0].id, v[1].id), (TxId(0), TxId(1)));
        assert_eq!(s.tx(TxId(1)).map(|t| t.message.id), Some(5));
        s.prune_done(TxId(1));
        assert_eq!(s.txs().len(), 1);
        assert!(s.tx(TxId(0)).is_none());
        // Garbage: a state event, no tx.
        s.on_data(Direction::ToServer, ts, b"\x00\x01\x02");
        assert_eq!(s.events(), &[DnsEvent::MalformedData]);
        // A response to the server: not_request.
        s.on_data(Direction::ToServer, ts, &response_a(5, "a.example", [9, 9, 9, 9]));
        assert_eq!(s.events().last(), Some(&DnsEvent::NotRequest));
        assert_eq!(s.next_tx_id(), TxId(2));
    }

    #[test]
    fn tcp_split_and_joined() {
        let mut stream = tcp_frame(&query(1, "x.example", 1));
        stream.extend(tcp_frame(&query(2, "y.example", 28)));
        stream.extend(tcp_frame(&query(3, "z.example", 16)));
        let ids = |chunk: usize| {
            let mut s = DnsState::new(DnsConfig::default());
            for c in stream.chunks(chunk) {
                s.on_data(Direction::ToServer, Timestamp::default(), c);
            }
            s.txs().map(|t| (t.message.id, t.message.queries[0].name.value.clone())).collect::<Vec<_>>()
        };
        let all = ids(stream.len());
        assert_eq!(all.len(), 3);
        for c in 1..stream.len() {
            assert_eq!(ids(c), all, "chunk {c}");
        }
    }

    #[test]
    fn tcp_gap_resyncs_at_a_message_start() {
        let mut s = DnsState::new(DnsConfig::default());
        let f = tcp_frame(&query(1, "x.example", 1));
        s.on_data(Direction::ToServer, Timestamp::default(), &f[..5]);
        s.on_gap(Direction::ToServer, 10);
        // The rest of a message: not a message start, dropped.
        s.on_data(Direction::ToServer, Timestamp::default(), &f[5..]);
        assert_eq!(s.txs().len(), 0);
        // A response frame in the request direction: not plausible either.
        s.on_data(Direction::ToServer, Timestamp::default(), &tcp_frame(&response_a(1, "x.example", [1, 1, 1, 1])));
        assert_eq!(s.txs().len(), 0);
        // A whole request: parsing resumes.
        s.on_data(Direction::ToServer, Timestamp::default(), &f);
        assert_eq!(s.txs().len(), 1);
        s.on_data(Direction::ToClient, Timestamp::default(), &tcp_frame(&response_a(1, "x.example", [1, 1, 1, 1])));
        assert_eq!(s.txs().len(), 2);
    }

    #[test]
    fn tx_cap() {
        let cfg = DnsConfig { max_txs: 3, ..DnsConfig::default() };
        let mut s = DnsState::new_udp(cfg);
        for i in 0..10 {
            s.on_data(Direction::ToServer, Timestamp::default(), &query(i, "a.b", 1));
        }
        assert_eq!(s.txs().len(), 3);
        assert_eq!(s.dropped_messages, 7);
    }

    #[test]
    fn header_events() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        let mut q = query(1, "a.b", 1);
        q[2] |= 0x78; // opcode 15
        q[3] |= 0x40; // Z
        s.on_data(Direction::ToServer, Timestamp::default(), &q);
        let t = s.txs().next().expect("tx");
        assert!(t.has_event(DnsEvent::ZFlagSet) && t.has_event(DnsEvent::InvalidOpcode));
        s.on_data(Direction::ToClient, Timestamp::default(), &query(2, "a.b", 1));
        assert!(s.txs().last().is_some_and(|t| t.has_event(DnsEvent::NotResponse)));
    }
}
