//! Per-flow HTTP/1 state: two streaming line/body machines (request, response) and the
//! transaction list.
//!
//! Transitions per side (a side is a direction):
//!
//! | phase     | input                         | next                                   |
//! |-----------|-------------------------------|----------------------------------------|
//! | Start     | blank line                    | Start (ignored)                        |
//! | Start     | request / status line         | Headers                                |
//! | Start     | response not `HTTP...`        | Body(UntilClose) (`response_invalid_protocol`) |
//! | Headers   | header / folded line          | Headers                                |
//! | Headers   | blank line                    | Body(..) / Start / Tunnel / WaitConnect |
//! | Body      | bytes / chunk lines           | Body / Trailers / Start                |
//! | Trailers  | blank line                    | Start                                  |
//! | Start     | request line without protocol | After09 (HTTP/0.9 unless more data follows before the response) |
//! | After09   | non-whitespace, no response yet | Headers (not 0.9 after all)          |
//! | Start     | non-HTTP lines (response)     | skipped if a status line follows within 256 B, else Body(UntilClose) |
//! | any       | gap outside a sized body      | Resync (drop lines until a request/status line) |
//! | any       | tx cap reached                | Dead                                   |
//!
//! Response status/header lines are split with libhtp's response end-of-line rules
//! ([`parser::response_eol`]), request lines at LF. See `docs/design/http.md` for every
//! libhtp behaviour mirrored here.
//!
//! Every chunk is consumed (partial lines are buffered, at most `field_limit` bytes); no input
//! can panic; memory per flow is bounded by `max_txs` times the per-transaction limits.

use std::collections::VecDeque;

use super::decompress::{Coding, Decoder};
use super::parser::{self, Protocol};
use super::{Header, Headers, HttpConfig, HttpEvent, HttpTx};
use crate::applayer::{probe::HTTP_METHODS, Direction, ParseOutcome, StreamParser, TxId};
use crate::time::Timestamp;

/// Bytes sent after a CONNECT request that are held until its response decides between a
/// tunnel (dropped) and more HTTP (parsed).
pub const CONNECT_PENDING_LIMIT: usize = 64 * 1024;

/// Whitespace tolerated after an HTTP/0.9 request line before it counts as "more data"
/// (libhtp's `HTTP09_MAX_JUNK_LEN`).
pub const HTTP09_MAX_JUNK_LEN: usize = 16;

/// Non-HTTP bytes tolerated before a status line; beyond it they are the response body.
pub const RESPONSE_JUNK_LIMIT: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    Size,
    Data(u64),
    DataEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    Headers,
    Length(u64),
    Chunked(Chunk),
    Trailers,
    UntilClose,
    WaitConnect,
    /// After a request line without protocol: more than whitespace before the response starts
    /// means it was not HTTP/0.9 after all (headers follow); otherwise, as libhtp, later
    /// client data is ignored.
    After09,
    Tunnel,
    Resync,
    Dead,
}

#[derive(Debug)]
struct Side {
    phase: Phase,
    line: Vec<u8>,
    overflow: bool,
    /// The transaction this side is working on.
    cur: Option<u64>,
    /// The last header line, held until the next line shows whether it is folded.
    pending: Vec<u8>,
    /// Whitespace seen after a protocol-less request line.
    after09_ws: usize,
    /// An over-long response line was cut: drop bytes up to its end.
    skip_to_eol: bool,
    /// A `SP LF` / `HT LF` line was seen in a header block: it ends the block unless the next
    /// byte is LF (then it is ignored), as libhtp decides.
    lws_terminator: bool,
    /// Bytes of header names and values stored for this message (bounded by
    /// `header_block_limit`, like the raw block).
    hdr_bytes: usize,
    /// The header count limit was reported for this message.
    too_many: bool,
    decoder: Option<Decoder>,
    /// Decompression stopped (bomb): further body bytes are counted, not kept.
    body_stopped: bool,
}

impl Side {
    fn new() -> Self {
        Side {
            phase: Phase::Start,
            line: Vec::new(),
            overflow: false,
            cur: None,
            pending: Vec::new(),
            lws_terminator: false,
            skip_to_eol: false,
            after09_ws: 0,
            hdr_bytes: 0,
            too_many: false,
            decoder: None,
            body_stopped: false,
        }
    }

    /// Buffers bytes up to and including the next LF. Returns (consumed, line complete).
    fn read_line(&mut self, data: &[u8], limit: usize) -> (usize, bool) {
        let (n, done) = match memchr::memchr(b'\n', data) {
            Some(p) => (p + 1, true),
            None => (data.len(), false),
        };
        let room = limit.saturating_sub(self.line.len());
        let keep = n.min(room);
        self.line.extend_from_slice(&data[..keep]);
        if keep < n {
            self.overflow = true;
        }
        (n, done)
    }
}

/// HTTP/1 state of one flow. See the module documentation for the machine; see
/// [`crate::applayer`] for how the pipeline drives it.
#[derive(Debug)]
pub struct HttpState {
    cfg: HttpConfig,
    txs: VecDeque<HttpTx>,
    next_id: u64,
    next_res_id: u64,
    req: Side,
    res: Side,
    pending_connect: Vec<u8>,
    /// Non-HTTP lines seen where a status line was expected (at most [`RESPONSE_JUNK_LIMIT`]).
    res_junk: Vec<u8>,
    /// The last response ended without a body (204/304/HEAD): non-HTTP data right after it is
    /// its body.
    res_nobody_tx: Option<u64>,
    tunnel: bool,
    closed: bool,
    events: Vec<HttpEvent>,
    anomalies: u64,
    /// Packet time of the chunk being parsed.
    now: Timestamp,
}

impl Default for HttpState {
    fn default() -> Self {
        HttpState::new(HttpConfig::default())
    }
}

impl HttpState {
    /// A fresh state with the given limits.
    pub fn new(cfg: HttpConfig) -> Self {
        HttpState {
            cfg,
            txs: VecDeque::new(),
            next_id: 0,
            next_res_id: 0,
            req: Side::new(),
            res: Side::new(),
            pending_connect: Vec::new(),
            res_junk: Vec::new(),
            res_nobody_tx: None,
            tunnel: false,
            closed: false,
            events: Vec::new(),
            anomalies: 0,
            now: Timestamp::from_micros(0),
        }
    }

    /// The limits in use.
    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// Live transactions, oldest first.
    pub fn txs(&self) -> impl ExactSizeIterator<Item = &HttpTx> + '_ {
        self.txs.iter()
    }

    /// The transaction with id `id`, if still live.
    pub fn tx(&self, id: TxId) -> Option<&HttpTx> {
        let i = self.txs.binary_search_by_key(&id.0, |t| t.id.0).ok()?;
        self.txs.get(i)
    }

    /// The id the next new transaction will get (one past the newest).
    pub fn next_tx_id(&self) -> TxId {
        TxId(self.next_id)
    }

    /// Removes transactions that are done (both sides complete) and whose id is below `upto`
    /// (the caller has logged and inspected them). Returns how many were removed.
    pub fn prune_done(&mut self, upto: TxId) -> usize {
        let before = self.txs.len();
        self.txs.retain(|t| !(t.id < upto && t.progress.is_done()));
        before - self.txs.len()
    }

    /// Events raised on the state rather than on one transaction (the tx cap).
    pub fn events(&self) -> &[HttpEvent] {
        &self.events
    }

    /// Approximate heap bytes held by this flow's HTTP state (transactions and buffers), for
    /// memcaps and stats.
    pub fn memory_bytes(&self) -> usize {
        let side = |s: &Side| s.line.capacity() + s.pending.capacity();
        self.txs.iter().map(HttpTx::memory_bytes).sum::<usize>()
            + side(&self.req)
            + side(&self.res)
            + self.pending_connect.capacity()
            + self.res_junk.capacity()
    }

    /// Anomalies counted so far (every raise, including repeats), for stats.
    pub fn anomaly_count(&self) -> u64 {
        self.anomalies
    }

    /// The connection became a tunnel (CONNECT accepted, 101 Switching Protocols): later bytes
    /// are not HTTP and are ignored here; the pipeline may re-run protocol detection on them.
    pub fn is_tunnel(&self) -> bool {
        self.tunnel
    }

    fn idx(&self, id: u64) -> Option<usize> {
        self.txs.binary_search_by_key(&id, |t| t.id.0).ok()
    }

    fn tx_mut(&mut self, id: Option<u64>) -> Option<&mut HttpTx> {
        let i = self.idx(id?)?;
        self.txs.get_mut(i)
    }

    fn raise(&mut self, id: Option<u64>, e: HttpEvent) {
        self.anomalies += 1;
        match self.tx_mut(id) {
            Some(tx) => tx.raise(e),
            None => {
                if !self.events.contains(&e) {
                    self.events.push(e);
                }
            }
        }
    }

    /// Creates a transaction, or `None` at the cap (raising `too_many_transactions`).
    fn new_tx(&mut self) -> Option<u64> {
        if self.txs.len() >= self.cfg.max_txs {
            self.raise(None, HttpEvent::TooManyTransactions);
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.txs.push_back(HttpTx { id: TxId(id), ..HttpTx::default() });
        Some(id)
    }

    // ----- request side -----

    fn req_data(&mut self, data: &[u8]) -> usize {
        if std::mem::take(&mut self.req.lws_terminator) && data.first() != Some(&b'\n') {
            self.req_line(b"\n", false);
            return 0;
        }
        match self.req.phase {
            Phase::Dead | Phase::Tunnel => data.len(),
            Phase::After09 => {
                let id = self.req.cur;
                let response_started = self.res.cur == id && id.is_some()
                    || self.tx_mut(id).is_some_and(|t| !t.response_line.is_empty() || t.response_body_len > 0);
                let ws = data.iter().take_while(|b| parser::is_lws(**b)).count();
                let junk_only = ws == data.len() && self.req.after09_ws + ws <= HTTP09_MAX_JUNK_LEN;
                if response_started || junk_only {
                    self.req.after09_ws += ws;
                    return data.len();
                }
                // Not HTTP/0.9: the lines that follow are headers.
                self.req.after09_ws = 0;
                if let Some(tx) = self.tx_mut(id) {
                    tx.request_version = Some(Protocol::Invalid);
                    tx.progress.request_complete = false;
                }
                self.req.phase = Phase::Headers;
                0
            }
            Phase::WaitConnect => {
                let room = CONNECT_PENDING_LIMIT.saturating_sub(self.pending_connect.len());
                if data.len() > room {
                    // Too much to be a pipelined request: it is tunnel payload.
                    self.pending_connect.clear();
                    self.req.phase = Phase::Tunnel;
                } else {
                    self.pending_connect.extend_from_slice(data);
                }
                data.len()
            }
            Phase::Length(rem) => {
                let take = clamp(rem, data.len());
                self.req_body(&data[..take]);
                let rem = rem - take as u64;
                if rem == 0 {
                    self.req_complete();
                } else {
                    self.req.phase = Phase::Length(rem);
                }
                take
            }
            Phase::Chunked(Chunk::Data(rem)) => {
                let take = clamp(rem, data.len());
                self.req_body(&data[..take]);
                let rem = rem - take as u64;
                self.req.phase = Phase::Chunked(if rem == 0 { Chunk::DataEnd } else { Chunk::Data(rem) });
                take
            }
            Phase::UntilClose => {
                self.req_body(data);
                data.len()
            }
            Phase::Start | Phase::Headers | Phase::Chunked(_) | Phase::Trailers | Phase::Resync => {
                let (n, done) = self.req.read_line(data, self.cfg.field_limit);
                if done {
                    let line = std::mem::take(&mut self.req.line);
                    let overflow = std::mem::replace(&mut self.req.overflow, false);
                    self.req_line(&line, overflow);
                    self.req.line = line;
                    self.req.line.clear();
                }
                n
            }
        }
    }

    fn req_body(&mut self, data: &[u8]) {
        let limit = self.cfg.request_body_limit;
        if let Some(tx) = self.tx_mut(self.req.cur) {
            tx.request_body_len = tx.request_body_len.saturating_add(data.len() as u64);
            let keep = data.len().min(limit.saturating_sub(tx.request_body.len()));
            tx.request_body.extend_from_slice(&data[..keep]);
        }
    }

    fn req_line(&mut self, line: &[u8], overflow: bool) {
        match self.req.phase {
            Phase::Resync if looks_like_request(line) => {
                self.req.phase = Phase::Start;
                self.req_line(line, overflow);
            }
            Phase::Resync => {}
            Phase::Start => {
                if parser::is_blank(line) {
                    return;
                }
                self.req_start(line, overflow);
            }
            Phase::Headers | Phase::Trailers => {
                if parser::is_lws_lf(line) {
                    // Ends the block unless an LF follows (libhtp); decided on the next byte.
                    self.req.lws_terminator = true;
                    return;
                }
                if parser::is_blank(line) {
                    self.flush_header(Direction::ToServer);
                    if self.req.phase == Phase::Headers {
                        self.req_headers_done();
                    } else {
                        self.req_complete();
                    }
                    return;
                }
                let cur = self.req.cur;
                if overflow {
                    self.raise(cur, HttpEvent::RequestFieldTooLong);
                }
                self.header_line(Direction::ToServer, line);
            }
            Phase::Chunked(_) if parser::is_whitespace_line(line) => {
                // The CRLF after chunk data, or stray blank lines before a size (libhtp skips them).
                self.req.phase = Phase::Chunked(Chunk::Size);
            }
            Phase::Chunked(_) => {
                let c = parser::parse_chunk_size(parser::chomp(line));
                let cur = self.req.cur;
                if c.extension {
                    self.raise(cur, HttpEvent::RequestChunkExtension);
                }
                match c.size {
                    None => {
                        self.raise(cur, HttpEvent::InvalidRequestChunkLen);
                        self.req_complete();
                    }
                    Some(0) => self.req.phase = Phase::Trailers,
                    Some(n) => self.req.phase = Phase::Chunked(Chunk::Data(n)),
                }
            }
            _ => {}
        }
    }

    fn req_start(&mut self, line: &[u8], overflow: bool) {
        let Some(id) = self.new_tx() else {
            self.req.phase = Phase::Dead;
            return;
        };
        self.req.cur = Some(id);
        self.req.pending.clear();
        self.req.hdr_bytes = 0;
        self.req.after09_ws = 0;
        self.req.too_many = false;
        let body = parser::chomp(line);
        let rl = parser::parse_request_line(body);
        let mut evs: Vec<HttpEvent> = Vec::new();
        if overflow {
            evs.push(HttpEvent::RequestFieldTooLong);
        }
        if rl.leading_whitespace {
            evs.push(HttpEvent::RequestLineLeadingWhitespace);
        }
        if rl.method_delim_non_compliant {
            evs.push(HttpEvent::MethodDelimNonCompliant);
        }
        if rl.uri_delim_non_compliant {
            evs.push(HttpEvent::UriDelimNonCompliant);
        }
        let version = match rl.protocol {
            None => {
                evs.push(if rl.uri.is_empty() {
                    HttpEvent::RequestLineIncomplete
                } else {
                    HttpEvent::RequestLineMissingProtocol
                });
                Protocol::V0_9
            }
            Some(p) => {
                let v = parser::parse_protocol(p);
                if v == Protocol::Invalid {
                    evs.push(HttpEvent::RequestLineInvalid);
                }
                v
            }
        };
        let connect = rl.method.eq_ignore_ascii_case(b"CONNECT");
        let parts = parser::split_uri(rl.uri, connect);
        let now = self.now;
        let Some(tx) = self.tx_mut(Some(id)) else { return };
        tx.request_ts = Some(now);
        tx.request_line = body.to_vec();
        tx.method = rl.method.to_vec();
        tx.uri_raw = rl.uri.to_vec();
        tx.request_protocol = rl.protocol.unwrap_or(&[]).to_vec();
        tx.request_version = Some(version);
        if !connect {
            let flags = parser::normalize_path(parts.path, &mut tx.uri_normalized);
            if let Some(q) = parts.query {
                tx.uri_normalized.push(b'?');
                tx.uri_normalized.extend_from_slice(q);
            }
            if flags.double_encoded {
                evs.push(HttpEvent::DoubleEncodedUri);
            }
        }
        if let Some(a) = parts.authority {
            let (h, port, bad_port) = parser::normalize_host(a);
            if h.is_empty() && !connect {
                evs.push(HttpEvent::RequestUriHostInvalid);
            }
            if bad_port {
                evs.push(HttpEvent::InvalidAuthorityPort);
            }
            tx.host = h;
            tx.host_raw = a.to_vec();
            tx.port = port;
        }
        for e in evs {
            tx.raise(e);
        }
        self.anomalies += tx.events.len() as u64;
        if version == Protocol::V0_9 {
            self.req_complete();
            self.req.phase = Phase::After09;
            self.req.cur = Some(id);
        } else {
            self.req.phase = Phase::Headers;
        }
    }

    fn req_headers_done(&mut self) {
        let id = self.req.cur;
        let Some(tx) = self.tx_mut(id) else {
            self.req.phase = Phase::Start;
            return;
        };
        let HttpTx { detect, request_line, request_headers, .. } = tx;
        detect.build(Direction::ToServer, request_line, request_headers);
        let mut evs = Vec::new();
        if let Some(hv) = tx.request_headers.get(b"host").map(<[u8]>::to_vec) {
            let (h, port, bad_port) = parser::normalize_host(&hv);
            if bad_port {
                evs.push(HttpEvent::InvalidAuthorityPort);
            }
            if h.is_empty() || h.iter().any(|b| parser::is_lws(*b) || *b == b'/') {
                evs.push(HttpEvent::RequestHeaderHostInvalid);
            }
            if tx.host_raw.is_empty() {
                tx.host = h;
                tx.port = port;
                tx.host_raw = hv;
            } else if h != tx.host {
                evs.push(HttpEvent::HostHeaderAmbiguous);
            }
        } else if tx.request_version == Some(Protocol::V1_1) && tx.host_raw.is_empty() {
            evs.push(HttpEvent::MissingHostHeader);
        }
        if let Some(auth) = tx.request_headers.get(b"authorization") {
            let scheme = parser::trim_lws(auth).split(|b| parser::is_lws(*b)).next().unwrap_or(&[]);
            if ![&b"basic"[..], b"digest", b"bearer"].iter().any(|k| scheme.eq_ignore_ascii_case(k)) {
                evs.push(HttpEvent::RequestAuthUnrecognized);
            }
        }
        let next = body_mode(&tx.request_headers, &mut evs, Direction::ToServer);
        for e in &evs {
            tx.raise(*e);
        }
        self.anomalies += evs.len() as u64;
        match next {
            Some(p) => self.req.phase = p,
            None => self.req_complete(),
        }
    }

    fn req_complete(&mut self) {
        let id = self.req.cur.take();
        let mut connect = false;
        if let Some(tx) = self.tx_mut(id) {
            tx.progress.request_complete = true;
            connect = tx.method.eq_ignore_ascii_case(b"CONNECT");
            if connect {
                // The response may already have decided.
                if let Some(code) = tx.status {
                    if tx.progress.response_complete || (200..300).contains(&code) {
                        connect = (200..300).contains(&code);
                        if connect {
                            self.tunnel = true;
                            self.req.phase = Phase::Tunnel;
                            self.res.phase = Phase::Tunnel;
                            return;
                        }
                    }
                }
            }
        }
        self.req.phase = if connect { Phase::WaitConnect } else { Phase::Start };
        self.req.cur = if connect { id } else { None };
    }

    // ----- shared header handling -----

    fn header_line(&mut self, dir: Direction, line: &[u8]) {
        let (limit_block, field_limit) = (self.cfg.header_block_limit, self.cfg.field_limit);
        let cur = self.side_mut(dir).cur;
        if let Some(tx) = self.tx_mut(cur) {
            let hs = match dir {
                Direction::ToServer => &mut tx.request_headers,
                Direction::ToClient => &mut tx.response_headers,
            };
            let room = limit_block.saturating_sub(hs.raw.len());
            hs.raw.extend_from_slice(&line[..line.len().min(room)]);
        }
        let body = parser::chomp_any(line);
        // libhtp: SP, HT or NUL continue the previous header; on responses a continuation
        // that reads `token:` is a new header with leading whitespace instead.
        let folded = matches!(body.first(), Some(b' ') | Some(b'\t') | Some(0))
            && !(dir == Direction::ToClient && parser::looks_like_header_start(body));
        let side = self.side_mut(dir);
        if folded {
            // Folding joins at the line level (as libhtp), so a fold inside the name works too.
            let cont = parser::trim_lws(body.strip_prefix(b"\0").unwrap_or(body));
            if !side.pending.is_empty() {
                let room = field_limit.saturating_sub(side.pending.len());
                if !cont.is_empty() && room > 1 {
                    side.pending.push(b' ');
                    side.pending.extend_from_slice(&cont[..cont.len().min(room - 1)]);
                }
                return;
            }
            let ev = match dir {
                Direction::ToServer => HttpEvent::InvalidRequestFieldFolding,
                Direction::ToClient => HttpEvent::InvalidResponseFieldFolding,
            };
            if !cont.is_empty() {
                side.pending.extend_from_slice(cont);
            }
            self.raise(cur, ev);
            return;
        }
        self.flush_header(dir);
        let side = self.side_mut(dir);
        side.pending.extend_from_slice(&body[..body.len().min(field_limit)]);
    }

    /// Parses and stores the header line held back for folding.
    fn flush_header(&mut self, dir: Direction) {
        let (max_headers, block_limit) = (self.cfg.max_headers, self.cfg.header_block_limit);
        let side = self.side_mut(dir);
        if side.pending.is_empty() {
            return;
        }
        let line = std::mem::take(&mut side.pending);
        let cur = side.cur;
        let mut stored = side.hdr_bytes;
        let mut too_many_now = false;
        let mut evs: Vec<HttpEvent> = Vec::new();
        if let Some(tx) = self.tx_mut(cur) {
            let hs = match dir {
                Direction::ToServer => &mut tx.request_headers,
                Direction::ToClient => &mut tx.response_headers,
            };
            let h = parser::parse_header_line(&line);
            if h.missing_colon {
                evs.push(match dir {
                    Direction::ToServer => HttpEvent::RequestFieldMissingColon,
                    Direction::ToClient => HttpEvent::ResponseFieldMissingColon,
                });
            } else {
                if h.invalid_name {
                    evs.push(match dir {
                        Direction::ToServer => HttpEvent::RequestHeaderInvalid,
                        Direction::ToClient => HttpEvent::ResponseHeaderInvalid,
                    });
                }
                if let Some(existing) = hs.list.iter_mut().find(|x| super::name_matches(&x.name, h.name)) {
                    if super::name_matches(h.name, b"content-length") {
                        if parser::trim_lws(&existing.value) != h.value {
                            evs.push(match dir {
                                Direction::ToServer => HttpEvent::DuplicateContentLengthFieldInRequest,
                                Direction::ToClient => HttpEvent::DuplicateContentLengthFieldInResponse,
                            });
                        }
                    } else {
                        if stored + 2 + h.value.len() <= block_limit {
                            existing.value.extend_from_slice(b", ");
                            existing.value.extend_from_slice(h.value);
                            stored += 2 + h.value.len();
                        }
                        evs.push(match dir {
                            Direction::ToServer => HttpEvent::RequestHeaderRepetition,
                            Direction::ToClient => HttpEvent::ResponseHeaderRepetition,
                        });
                    }
                } else if hs.list.len() >= max_headers || stored + h.name.len() + h.value.len() > block_limit {
                    too_many_now = true;
                } else {
                    hs.list.push(Header { name: h.name.to_vec(), value: h.value.to_vec() });
                    stored += h.name.len() + h.value.len();
                }
            }
        }
        let side = self.side_mut(dir);
        side.hdr_bytes = stored;
        side.pending = line;
        side.pending.clear();
        if too_many_now && !side.too_many {
            side.too_many = true;
            evs.push(match dir {
                Direction::ToServer => HttpEvent::RequestTooManyHeaders,
                Direction::ToClient => HttpEvent::ResponseTooManyHeaders,
            });
        }
        for e in evs {
            self.raise(cur, e);
        }
    }

    // ----- response side -----

    /// Pairs the next response with a transaction (creating one when none waits).
    fn res_pair(&mut self) -> Option<u64> {
        if let Some(c) = self.res.cur {
            return Some(c);
        }
        let want = self.next_res_id;
        if let Some(i) = self.idx(want) {
            self.res.cur = Some(want);
            return self.txs.get(i).map(|t| t.id.0);
        }
        // Skip ids already pruned.
        if let Some(t) = self.txs.iter().find(|t| t.id.0 > want && !t.progress.response_complete) {
            let id = t.id.0;
            self.res.cur = Some(id);
            return Some(id);
        }
        let id = self.new_tx()?;
        if let Some(tx) = self.tx_mut(Some(id)) {
            tx.progress.request_complete = true;
        }
        self.raise(Some(id), HttpEvent::UnableToMatchResponseToRequest);
        self.res.cur = Some(id);
        Some(id)
    }

    fn res_data(&mut self, data: &[u8]) -> usize {
        if std::mem::take(&mut self.res.lws_terminator) && data.first() != Some(&b'\n') {
            self.res_line(b"\n", false);
            return 0;
        }
        match self.res.phase {
            Phase::Dead | Phase::Tunnel | Phase::WaitConnect | Phase::After09 => data.len(),
            Phase::Length(rem) => {
                let take = clamp(rem, data.len());
                self.res_body(&data[..take]);
                let rem = rem - take as u64;
                if rem == 0 {
                    self.res_complete();
                } else {
                    self.res.phase = Phase::Length(rem);
                }
                take
            }
            Phase::Chunked(Chunk::Data(rem)) => {
                let take = clamp(rem, data.len());
                self.res_body(&data[..take]);
                let rem = rem - take as u64;
                self.res.phase = Phase::Chunked(if rem == 0 { Chunk::DataEnd } else { Chunk::Data(rem) });
                take
            }
            Phase::UntilClose => {
                self.res_body(data);
                data.len()
            }
            Phase::Start => {
                if self.res.line.is_empty() {
                    let Some(id) = self.res_pair() else {
                        self.res.phase = Phase::Dead;
                        return data.len();
                    };
                    let v09 = self.tx_mut(Some(id)).map(|t| t.request_version == Some(Protocol::V0_9)).unwrap_or(false);
                    if v09 {
                        self.res_start_body();
                        self.res.phase = Phase::UntilClose;
                        return 0;
                    }
                }
                self.res_lines(data)
            }
            Phase::Chunked(Chunk::Size) => {
                let n = self.res_read_line(data);
                if self.res.phase == Phase::Chunked(Chunk::Size) && parser::chunk_size_prefix_invalid(&self.res.line) {
                    // As libhtp: not a chunk size even before its LF; the rest is the body.
                    self.raise(self.res.cur, HttpEvent::InvalidResponseChunkLen);
                    self.res.phase = Phase::UntilClose;
                    let line = std::mem::take(&mut self.res.line);
                    self.res_body(&line);
                    self.res.overflow = false;
                }
                n
            }
            Phase::Headers | Phase::Trailers | Phase::Resync => self.res_lines(data),
            Phase::Chunked(_) => self.res_read_line(data),
        }
    }

    /// Response status and header lines, split with libhtp's response end-of-line rules
    /// (`CRLF`, `LF CR`, `LF`, a lone `CR`, and `LF CR CR LF` before a blank line), which need
    /// a little lookahead: bytes are buffered until a line's end is certain.
    fn res_lines(&mut self, data: &[u8]) -> usize {
        let limit = self.cfg.field_limit;
        if self.res.skip_to_eol {
            // The rest of an over-long line is dropped up to its end.
            match memchr::memchr2(b'\n', b'\r', data) {
                Some(p) => {
                    self.res.skip_to_eol = false;
                    return p + 1;
                }
                None => return data.len(),
            }
        }
        self.res.line.extend_from_slice(data);
        // Lines are taken by advancing `pos` and the buffer is compacted once, so a big chunk
        // of short lines costs linear time.
        let mut pos = 0;
        loop {
            if self.res.lws_terminator {
                match self.res.line.get(pos) {
                    None => break,
                    Some(b) => {
                        self.res.lws_terminator = false;
                        if *b != b'\n' {
                            self.res_line(b"\n", false);
                        }
                    }
                }
            }
            if !matches!(self.res.phase, Phase::Start | Phase::Headers | Phase::Trailers | Phase::Resync) {
                let mut rest = std::mem::take(&mut self.res.line);
                rest.drain(..pos.min(rest.len()));
                if rest.len() <= data.len() {
                    return data.len() - rest.len();
                }
                // Lookahead from an earlier chunk belongs to the body: feed it once.
                let _ = self.feed_side(Direction::ToClient, &rest);
                return data.len();
            }
            let buf = self.res.line.get(pos..).unwrap_or(&[]);
            match parser::response_eol(buf, false) {
                Some(n) => {
                    let line = buf[..n].to_vec();
                    pos += n;
                    self.res_line(&line, false);
                }
                None if buf.len() > limit => {
                    let line = buf[..limit].to_vec();
                    pos = self.res.line.len();
                    self.res.skip_to_eol = true;
                    self.res_line(&line, true);
                    break;
                }
                None => break,
            }
        }
        let pos = pos.min(self.res.line.len());
        self.res.line.drain(..pos);
        data.len()
    }

    fn res_read_line(&mut self, data: &[u8]) -> usize {
        let (n, done) = self.res.read_line(data, self.cfg.field_limit);
        if done {
            let line = std::mem::take(&mut self.res.line);
            let overflow = std::mem::replace(&mut self.res.overflow, false);
            self.res_line(&line, overflow);
            self.res.line = line;
            self.res.line.clear();
        }
        n
    }

    fn res_line(&mut self, line: &[u8], overflow: bool) {
        match self.res.phase {
            Phase::Resync if parser::looks_like_status_line(line) => {
                self.res.phase = Phase::Start;
                self.res_line(line, overflow);
            }
            Phase::Resync => {}
            Phase::Start => {
                if parser::is_whitespace_line(line) {
                    return;
                }
                if !parser::looks_like_status_line(line) {
                    if let Some(prev) = self.res_nobody_tx.take() {
                        // As libhtp's "unexpected response body": data after a response that
                        // may not have a body is that response's body.
                        self.res.cur = Some(prev);
                        self.res_start_body();
                        self.res.phase = Phase::UntilClose;
                        self.res_body(line);
                        return;
                    }
                    // Junk before a status line is skipped when a status line follows soon;
                    // otherwise (HTTP/0.9-style reply) it is the body.
                    let room = RESPONSE_JUNK_LIMIT.saturating_sub(self.res_junk.len());
                    if line.len() <= room {
                        self.res_junk.extend_from_slice(line);
                    } else {
                        self.res_junk_to_body(line);
                    }
                    return;
                }
                self.res_nobody_tx = None;
                let Some(id) = self.res_pair() else {
                    self.res.phase = Phase::Dead;
                    return;
                };
                if !self.res_junk.is_empty() {
                    self.res_junk.clear();
                    self.raise(Some(id), HttpEvent::ResponseInvalidProtocol);
                }
                let sl = parser::parse_status_line(parser::chomp(line));
                let mut evs = Vec::new();
                if overflow {
                    evs.push(HttpEvent::ResponseFieldTooLong);
                }
                if sl.code.is_none() {
                    evs.push(HttpEvent::ResponseInvalidStatus);
                }
                let now = self.now;
                if let Some(tx) = self.tx_mut(Some(id)) {
                    if sl.code == Some(100) && tx.status == Some(100) {
                        evs.push(HttpEvent::ContinueAlreadySeen);
                    }
                    tx.response_ts = Some(now);
                    tx.response_line = parser::chomp(line).to_vec();
                    tx.response_protocol = sl.protocol.to_vec();
                    tx.status_code = sl.status.to_vec();
                    tx.status = sl.code;
                    tx.status_message = sl.message.to_vec();
                    tx.response_headers = Headers::default();
                }
                for e in evs {
                    self.raise(Some(id), e);
                }
                self.res.pending.clear();
                self.res.hdr_bytes = 0;
                self.res.too_many = false;
                self.res.phase = Phase::Headers;
            }
            Phase::Headers | Phase::Trailers => {
                if parser::is_lws_lf(line) {
                    // Ends the block unless an LF follows (libhtp); decided on the next byte.
                    self.res.lws_terminator = true;
                    return;
                }
                if parser::is_blank_eol(line) {
                    self.flush_header(Direction::ToClient);
                    if self.res.phase == Phase::Headers {
                        self.res_headers_done();
                    } else {
                        self.res_complete();
                    }
                    return;
                }
                if overflow {
                    self.raise(self.res.cur, HttpEvent::ResponseFieldTooLong);
                }
                self.header_line(Direction::ToClient, line);
            }
            Phase::Chunked(_) if parser::is_whitespace_line(line) => {
                self.res_count_framing(line);
                self.res.phase = Phase::Chunked(Chunk::Size);
            }
            Phase::Chunked(_) => {
                let c = parser::parse_chunk_size(parser::chomp(line));
                let cur = self.res.cur;
                if c.size.is_some() {
                    self.res_count_framing(line);
                }
                if c.extension {
                    self.raise(cur, HttpEvent::ResponseChunkExtension);
                }
                match c.size {
                    None => {
                        // As libhtp: the rest of the stream is the body.
                        self.raise(cur, HttpEvent::InvalidResponseChunkLen);
                        self.res.phase = Phase::UntilClose;
                        self.res_body(line);
                    }
                    Some(0) => self.res.phase = Phase::Trailers,
                    Some(n) => self.res.phase = Phase::Chunked(Chunk::Data(n)),
                }
            }
            _ => {}
        }
    }

    /// Buffered non-HTTP lines (plus `more`) become the body of the response, until close.
    fn res_junk_to_body(&mut self, more: &[u8]) {
        let Some(id) = self.res_pair() else {
            self.res.phase = Phase::Dead;
            return;
        };
        self.raise(Some(id), HttpEvent::ResponseInvalidProtocol);
        self.res_start_body();
        self.res.phase = Phase::UntilClose;
        let junk = std::mem::take(&mut self.res_junk);
        self.res_body(&junk);
        self.res_body(more);
    }

    fn res_headers_done(&mut self) {
        let id = self.res.cur;
        let decompress = self.cfg.decompress_response;
        let max_layers = self.cfg.max_decompress_layers;
        let Some(tx) = self.tx_mut(id) else {
            self.res.phase = Phase::Start;
            return;
        };
        let code = tx.status.unwrap_or(0);
        // As libhtp: a 1xx / 204 / 304 that still announces a body gets one.
        let has_te = tx.response_headers.get(b"transfer-encoding").is_some();
        let cl = tx.response_headers.get(b"content-length");
        let framed = has_te || cl.is_some();
        let cl_positive = cl.and_then(parser::parse_content_length).is_some_and(|n| n > 0);
        if (100..200).contains(&code) && code != 101 && !has_te && !cl_positive {
            tx.interim_responses = tx.interim_responses.saturating_add(1);
            self.res.phase = Phase::Start;
            return;
        }
        let HttpTx { detect, response_line, response_headers, .. } = &mut *tx;
        detect.build(Direction::ToClient, response_line, response_headers);
        let connect = tx.method.eq_ignore_ascii_case(b"CONNECT");
        if (code == 101 && !framed) || (connect && (200..300).contains(&code)) {
            tx.progress.response_complete = true;
            self.tunnel = true;
            self.res.phase = Phase::Tunnel;
            self.req.phase = Phase::Tunnel;
            self.pending_connect = Vec::new();
            self.res.cur = None;
            self.next_res_id = self.next_res_id.max(id.unwrap_or(0) + 1);
            return;
        }
        let head = tx.method.eq_ignore_ascii_case(b"HEAD");
        let mut evs = Vec::new();
        let next = if head || ((code == 204 || code == 304 || (100..200).contains(&code)) && !framed) {
            None
        } else {
            match body_mode(&tx.response_headers, &mut evs, Direction::ToClient) {
                Some(Phase::Chunked(c)) => {
                    if parser::parse_protocol(&tx.response_protocol) == Protocol::V1_0 {
                        evs.push(HttpEvent::ResponseChunkedOldProto);
                    }
                    Some(Phase::Chunked(c))
                }
                Some(p) => Some(p),
                None => {
                    let cl = tx.response_headers.get(b"content-length").and_then(parser::parse_content_length);
                    if cl == Some(0) {
                        None
                    } else {
                        Some(Phase::UntilClose)
                    }
                }
            }
        };
        let coding = if decompress { content_coding(&tx.response_headers, &mut evs, max_layers) } else { Vec::new() };
        for e in &evs {
            tx.raise(*e);
        }
        self.anomalies += evs.len() as u64;
        self.res_start_body();
        if !coding.is_empty() {
            self.res.decoder = Some(Decoder::new_layers(&coding));
        }
        match next {
            Some(p) => self.res.phase = p,
            None => {
                self.res_complete();
                self.res_nobody_tx = id;
            }
        }
    }

    /// Chunk framing counts in the message length as libhtp counts it (EVE `length`).
    fn res_count_framing(&mut self, line: &[u8]) {
        if let Some(tx) = self.tx_mut(self.res.cur) {
            tx.response_body_len = tx.response_body_len.saturating_add(line.len() as u64);
        }
    }

    fn res_start_body(&mut self) {
        self.res.decoder = None;
        self.res.body_stopped = false;
    }

    fn res_body(&mut self, data: &[u8]) {
        let Some(i) = self.res.cur.and_then(|c| self.idx(c)) else { return };
        let limit = self.cfg.response_body_limit;
        let (bomb_limit, ratio) = (self.cfg.decompression_limit, self.cfg.decompression_ratio);
        let Some(tx) = self.txs.get_mut(i) else { return };
        tx.response_body_len = tx.response_body_len.saturating_add(data.len() as u64);
        if self.res.body_stopped {
            return;
        }
        let mut ev = None;
        match self.res.decoder.as_mut() {
            Some(d) => match d.feed(data, &mut tx.response_body, limit) {
                Ok(total) => {
                    tx.response_file_size = total;
                    if total > bomb_limit && total / d.input.max(1) > ratio {
                        ev = Some(HttpEvent::CompressionBomb);
                        self.res.decoder = None;
                        self.res.body_stopped = true;
                    }
                }
                Err(()) => {
                    ev = Some(HttpEvent::GzipDecompressionFailed);
                    if !d.is_passthrough() {
                        self.res.decoder = None;
                        self.res.body_stopped = true;
                    }
                }
            },
            None => {
                tx.response_file_size = tx.response_file_size.saturating_add(data.len() as u64);
                let keep = data.len().min(limit.saturating_sub(tx.response_body.len()));
                tx.response_body.extend_from_slice(&data[..keep]);
            }
        }
        if let Some(e) = ev {
            tx.raise(e);
            self.anomalies += 1;
        }
    }

    fn res_complete(&mut self) {
        let id = self.res.cur.take();
        self.res.decoder = None;
        self.res.phase = Phase::Start;
        let mut replay = None;
        if let Some(tx) = self.tx_mut(id) {
            tx.progress.response_complete = true;
            let connect = tx.method.eq_ignore_ascii_case(b"CONNECT");
            if connect && self.req.phase == Phase::WaitConnect {
                // Refused CONNECT: what the client sent meanwhile is HTTP again.
                replay = Some(std::mem::take(&mut self.pending_connect));
            }
        }
        if let Some(id) = id {
            self.next_res_id = self.next_res_id.max(id + 1);
        }
        if let Some(p) = replay {
            self.req.phase = Phase::Start;
            self.req.cur = None;
            let _ = self.feed_side(Direction::ToServer, &p);
        }
    }

    fn feed_side(&mut self, dir: Direction, mut data: &[u8]) -> ParseOutcome {
        // Every pass either consumes bytes or changes phase; the bound guards against a bug
        // turning into a hang.
        let mut stalls = 0;
        while !data.is_empty() {
            let n = match dir {
                Direction::ToServer => self.req_data(data),
                Direction::ToClient => self.res_data(data),
            };
            if n == 0 {
                stalls += 1;
                if stalls > 4 {
                    debug_assert!(false, "http parser stalled");
                    break;
                }
            } else {
                stalls = 0;
            }
            data = data.get(n..).unwrap_or(&[]);
        }
        let phase = match dir {
            Direction::ToServer => self.req.phase,
            Direction::ToClient => self.res.phase,
        };
        if phase == Phase::Dead {
            ParseOutcome::GiveUp
        } else {
            ParseOutcome::Consumed
        }
    }

    /// Feeds in-order bytes of `dir`. Always consumes everything; `GiveUp` once the side is
    /// dead (transaction cap), after which further bytes are ignored.
    pub fn on_data(&mut self, dir: Direction, ts: Timestamp, data: &[u8]) -> ParseOutcome {
        self.now = ts;
        if self.closed {
            return ParseOutcome::GiveUp;
        }
        self.feed_side(dir, data)
    }

    /// `len` bytes of `dir` were lost. Inside a sized body the body just loses bytes (the
    /// transaction is flagged); elsewhere the side drops the current message and resyncs on
    /// the next request/status line.
    pub fn on_gap(&mut self, dir: Direction, len: u64) {
        let side = match dir {
            Direction::ToServer => &mut self.req,
            Direction::ToClient => &mut self.res,
        };
        side.line.clear();
        side.overflow = false;
        let cur = side.cur;
        let phase = side.phase;
        let mark = |tx: &mut HttpTx| match dir {
            Direction::ToServer => {
                tx.request_gap = true;
                tx.request_body_len = tx.request_body_len.saturating_add(len);
            }
            Direction::ToClient => {
                tx.response_gap = true;
                tx.response_body_len = tx.response_body_len.saturating_add(len);
            }
        };
        match phase {
            Phase::Dead | Phase::Tunnel | Phase::Resync => {}
            Phase::WaitConnect => {
                self.pending_connect.clear();
                self.req.phase = Phase::Tunnel;
            }
            Phase::Length(rem) if len < rem => {
                if let Some(tx) = self.tx_mut(cur) {
                    mark(tx);
                }
                self.side_mut(dir).phase = Phase::Length(rem - len);
                self.side_mut(dir).decoder = None;
                self.side_mut(dir).body_stopped = dir == Direction::ToClient && cur.is_some();
            }
            Phase::Length(rem) if len == rem => {
                if let Some(tx) = self.tx_mut(cur) {
                    mark(tx);
                }
                match dir {
                    Direction::ToServer => self.req_complete(),
                    Direction::ToClient => self.res_complete(),
                }
            }
            Phase::Chunked(Chunk::Data(rem)) if len <= rem => {
                if let Some(tx) = self.tx_mut(cur) {
                    mark(tx);
                }
                let s = self.side_mut(dir);
                s.phase = Phase::Chunked(if len == rem { Chunk::DataEnd } else { Chunk::Data(rem - len) });
                s.decoder = None;
                s.body_stopped = true;
            }
            Phase::UntilClose => {
                if let Some(tx) = self.tx_mut(cur) {
                    mark(tx);
                }
                let s = self.side_mut(dir);
                s.decoder = None;
                s.body_stopped = true;
            }
            _ => {
                if let Some(tx) = self.tx_mut(cur) {
                    match dir {
                        Direction::ToServer => {
                            tx.request_gap = true;
                            tx.progress.request_complete = true;
                        }
                        Direction::ToClient => {
                            tx.response_gap = true;
                            tx.progress.response_complete = true;
                        }
                    }
                }
                if dir == Direction::ToClient {
                    if let Some(c) = cur {
                        self.next_res_id = self.next_res_id.max(c + 1);
                    }
                }
                let s = self.side_mut(dir);
                s.cur = None;
                s.decoder = None;
                s.phase = Phase::Resync;
            }
        }
    }

    fn side_mut(&mut self, dir: Direction) -> &mut Side {
        match dir {
            Direction::ToServer => &mut self.req,
            Direction::ToClient => &mut self.res,
        }
    }

    /// The flow ended: a body delimited by the close completes, and every transaction is
    /// marked complete on both sides so it can be logged and pruned.
    pub fn on_close(&mut self, ts: Timestamp) {
        let _ = ts;
        if self.closed {
            return;
        }
        if std::mem::take(&mut self.req.lws_terminator) {
            self.req_line(b"\n", false);
        }
        if std::mem::take(&mut self.res.lws_terminator) {
            self.res_line(b"\n", false);
        }
        while matches!(self.res.phase, Phase::Start | Phase::Headers | Phase::Trailers | Phase::Resync) {
            let Some(n) = parser::response_eol(&self.res.line, true) else { break };
            let line: Vec<u8> = self.res.line.drain(..n).collect();
            self.res_line(&line, false);
            if !matches!(self.res.phase, Phase::Start | Phase::Headers | Phase::Trailers | Phase::Resync) {
                let rest = std::mem::take(&mut self.res.line);
                let _ = self.feed_side(Direction::ToClient, &rest);
                break;
            }
        }
        if self.res.phase == Phase::Start && (!self.res_junk.is_empty() || !self.res.line.is_empty()) {
            let partial = std::mem::take(&mut self.res.line);
            if let Some(prev) = self.res_nobody_tx.take() {
                self.res.cur = Some(prev);
                let junk = std::mem::take(&mut self.res_junk);
                self.res_body(&junk);
                self.res_body(&partial);
            } else {
                self.res_junk_to_body(&partial);
            }
        }
        self.closed = true;
        for tx in self.txs.iter_mut() {
            tx.progress.request_complete = true;
            tx.progress.response_complete = true;
        }
        self.req.cur = None;
        self.res.cur = None;
        self.req.phase = Phase::Dead;
        self.res.phase = Phase::Dead;
    }
}

impl StreamParser for HttpState {
    fn on_data(&mut self, dir: Direction, ts: Timestamp, data: &[u8]) -> ParseOutcome {
        HttpState::on_data(self, dir, ts, data)
    }
    fn on_gap(&mut self, dir: Direction, len: u64) {
        HttpState::on_gap(self, dir, len)
    }
    fn on_close(&mut self, ts: Timestamp) {
        HttpState::on_close(self, ts)
    }
}

fn clamp(rem: u64, len: usize) -> usize {
    usize::try_from(rem).map_or(len, |r| r.min(len))
}

/// A method token at line start followed by whitespace: a plausible request line.
fn looks_like_request(line: &[u8]) -> bool {
    HTTP_METHODS.iter().any(|m| line.starts_with(m) && matches!(line.get(m.len()), Some(b' ') | Some(b'\t')))
}

/// The body framing of a message from its headers: `Some(phase)` for a body, `None` for none.
/// Requests without Content-Length or chunked Transfer-Encoding have no body; the response
/// caller maps `None` without Content-Length to "until close".
fn body_mode(hs: &Headers, evs: &mut Vec<HttpEvent>, dir: Direction) -> Option<Phase> {
    if let Some(te) = hs.get(b"transfer-encoding") {
        // libhtp: chunked when the value contains "chunked" (case-insensitive, NULs ignored).
        let norm: Vec<u8> = te.iter().filter(|b| **b != 0).map(u8::to_ascii_lowercase).collect();
        if memchr::memmem::find(&norm, b"chunked").is_some() {
            return Some(Phase::Chunked(Chunk::Size));
        }
        let identity_only = te.split(|b| *b == b',').all(|t| parser::trim_lws(t).eq_ignore_ascii_case(b"identity"));
        if !identity_only {
            evs.push(match dir {
                Direction::ToServer => HttpEvent::InvalidTransferEncodingValueInRequest,
                Direction::ToClient => HttpEvent::InvalidTransferEncodingValueInResponse,
            });
        }
    }
    match hs.get(b"content-length") {
        None => None,
        Some(v) => match parser::parse_content_length(v) {
            Some(0) => None,
            Some(n) => Some(Phase::Length(n)),
            None => {
                evs.push(match dir {
                    Direction::ToServer => HttpEvent::InvalidContentLengthFieldInRequest,
                    Direction::ToClient => HttpEvent::InvalidContentLengthFieldInResponse,
                });
                None
            }
        },
    }
}

/// The content codings to undo, outermost last as listed, at most `max_layers` (libhtp's
/// `response-body-decompress-layer-limit`). Matching is lenient as libhtp's: NUL bytes are
/// ignored and a token containing `gzip` / `deflate` counts (`x-gzip`, `gzip_x`, `\xa0gzip`).
/// A coding we cannot undo (br, zstd, lzma, compress) stops the chain there.
fn content_coding(hs: &Headers, evs: &mut Vec<HttpEvent>, max_layers: usize) -> Vec<Coding> {
    let Some(ce) = hs.get(b"content-encoding") else { return Vec::new() };
    let mut layers = Vec::new();
    for t in ce.split(|b| *b == b',') {
        let t: Vec<u8> = t.iter().filter(|b| **b != 0).map(u8::to_ascii_lowercase).collect();
        let t = parser::trim_lws(&t);
        let has = |w: &[u8]| memchr::memmem::find(t, w).is_some();
        if t.is_empty() || t == b"identity" {
            continue;
        } else if has(b"gzip") {
            layers.push(Coding::Gzip);
        } else if has(b"deflate") {
            layers.push(Coding::Deflate);
        } else if has(b"br") || has(b"zstd") || has(b"lzma") || has(b"compress") {
            // Undecodable here: only the layers applied after it can be undone.
            layers.clear();
        } else {
            evs.push(HttpEvent::AbnormalCeHeader);
        }
    }
    if layers.len() > max_layers {
        evs.push(HttpEvent::TooManyEncodingLayers);
        let drop = layers.len() - max_layers;
        layers.drain(..drop);
    }
    layers
}

#[cfg(test)]
mod tests;
