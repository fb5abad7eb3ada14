//! [`TlsState`]: one flow's TLS parser and its single transaction.
//!
//! Each direction is a small record machine: a 5-byte TLS header (or a 2-byte SSLv2 header,
//! told apart by the first byte) is collected across chunks, then the record's payload is
//! consumed as it arrives. Payloads are never buffered whole except handshake messages
//! (concatenated across records into one bounded buffer, as handshake messages may span
//! records and records may hold several messages) and SSLv2 records (at most 32 KiB).
//! Encrypted records (after ChangeCipherSpec, or everything after a TLS 1.3 ServerHello) are
//! only counted.

use super::cert::{self, CertInfo};
use super::parser::{self, content, hs, sslv2};
use super::{ssl_state, TlsConfig, TlsEvent, TlsTx};
use crate::applayer::{Direction, ParseOutcome, TxId};
use crate::time::Timestamp;

/// Largest SSLv2 record (2-byte header: 15-bit length).
const SSLV2_MAX: usize = 0x7fff;

#[derive(Clone, Debug, Default)]
struct DirState {
    /// Header bytes collected so far (TLS: 5, SSLv2: 2).
    hdr: [u8; 5],
    hdr_len: usize,
    /// Inside a record: its type (0 for SSLv2), version and bytes still to come.
    in_record: bool,
    rec_type: u8,
    rec_len: usize,
    remaining: usize,
    /// Alert / heartbeat head bytes of the current record.
    head: [u8; 3],
    head_len: usize,
    /// Handshake message bytes (across records).
    hs_buf: Vec<u8>,
    /// SSLv2 record payload.
    v2_buf: Vec<u8>,
    /// Records of this direction are encrypted now.
    encrypted: bool,
    /// Handshake parsing stopped (oversized message); records are still framed.
    hs_stopped: bool,
    /// The stream can no longer be framed (gap or garbage): only counted.
    lost: bool,
    /// A Certificate message was taken from this direction.
    certs_seen: bool,
}

/// Per-flow TLS state. See the module docs.
#[derive(Clone, Debug)]
pub struct TlsState {
    cfg: TlsConfig,
    dirs: [DirState; 2],
    tx: TlsTx,
    /// Whether the transaction exists (it is created by the first record).
    has_tx: bool,
    pruned: bool,
    events: Vec<TlsEvent>,
    /// Events that did not fit `max_events`.
    pub events_dropped: u64,
    /// TLS 1.3 was negotiated.
    tls13: bool,
    /// Progress inputs: the server finished its handshake flight (ServerHelloDone, its CCS,
    /// a TLS 1.3 ServerHello, an SSLv2 SERVER-HELLO); the client sent a record after its
    /// hello that ends its handshake (CCS, application data, SSLv2 CLIENT-MASTER-KEY); a
    /// direction was lost; the flow closed.
    server_flight_done: bool,
    client_finished: bool,
    lost: [bool; 2],
    closed: bool,
}

fn di(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl TlsState {
    /// A state for a new flow.
    pub fn new(cfg: TlsConfig) -> TlsState {
        TlsState { cfg, dirs: Default::default(), tx: TlsTx::default(), has_tx: false, pruned: false, events: Vec::new(), events_dropped: 0, tls13: false, server_flight_done: false, client_finished: false, lost: [false; 2], closed: false }
    }

    fn event(&mut self, e: TlsEvent) {
        if self.events.len() < self.cfg.max_events {
            self.events.push(e);
            self.tx.events.push(e);
        } else {
            self.events_dropped += 1;
        }
    }

    /// In-order bytes of direction `dir`. Always consumes everything (bounded buffering).
    pub fn on_data(&mut self, dir: Direction, _ts: Timestamp, data: &[u8]) -> ParseOutcome {
        let d = di(dir);
        if !data.is_empty() {
            self.has_tx = true;
        }
        let mut records_started = 0usize;
        let mut too_many = false;
        let mut i = 0;
        while i < data.len() {
            if self.dirs[d].lost {
                break;
            }
            if !self.dirs[d].in_record {
                // Collect the header.
                let st = &mut self.dirs[d];
                if st.hdr_len == 0 {
                    st.hdr[0] = data[i];
                    st.hdr_len = 1;
                    i += 1;
                }
                let first = st.hdr[0];
                let tls = (content::CCS..=content::HEARTBEAT).contains(&first);
                let need = if tls { 5 } else { 2 };
                if !tls && first & 0x80 == 0 {
                    let e = if st.encrypted || self.tx.state_bits != 0 { TlsEvent::InvalidRecordType } else { TlsEvent::InvalidTlsHeader };
                    st.lost = true;
                    self.event(e);
                    self.lost_side(d);
                    break;
                }
                let st = &mut self.dirs[d];
                let take = (need - st.hdr_len).min(data.len() - i);
                st.hdr[st.hdr_len..st.hdr_len + take].copy_from_slice(&data[i..i + take]);
                st.hdr_len += take;
                i += take;
                if st.hdr_len < need {
                    break;
                }
                records_started += 1;
                if records_started > self.cfg.max_records_per_chunk && !too_many {
                    too_many = true;
                    self.event(TlsEvent::TooManyRecordsInPacket);
                }
                self.start_record(d, tls);
                continue;
            }
            let st = &mut self.dirs[d];
            let take = st.remaining.min(data.len() - i);
            let chunk = &data[i..i + take];
            st.remaining -= take;
            i += take;
            let last = st.remaining == 0;
            self.record_payload(d, chunk, last);
            if last {
                let st = &mut self.dirs[d];
                st.in_record = false;
                st.hdr_len = 0;
                st.head_len = 0;
            }
        }
        self.refresh_progress();
        ParseOutcome::Consumed
    }

    fn start_record(&mut self, d: usize, tls: bool) {
        let st = &mut self.dirs[d];
        if tls {
            let ver = u16::from_be_bytes([st.hdr[1], st.hdr[2]]);
            let len = usize::from(u16::from_be_bytes([st.hdr[3], st.hdr[4]]));
            st.rec_type = st.hdr[0];
            st.rec_len = len;
            st.remaining = len;
            st.in_record = true;
            st.head_len = 0;
            if ver >> 8 != 3 {
                st.lost = true;
                self.event(TlsEvent::InvalidRecordVersion);
                self.lost_side(d);
                return;
            }
        } else {
            let len = usize::from(u16::from_be_bytes([st.hdr[0] & 0x7f, st.hdr[1]]));
            st.rec_type = 0;
            st.rec_len = len;
            st.remaining = len;
            st.in_record = true;
            st.v2_buf.clear();
            if len == 0 || len > SSLV2_MAX {
                st.lost = true;
                self.event(TlsEvent::InvalidSslv2Header);
                self.lost_side(d);
                return;
            }
        }
        self.tx.records[d] += 1;
        let st = &self.dirs[d];
        if st.remaining == 0 {
            // Empty record: finish it now.
            let rt = st.rec_type;
            if rt == content::ALERT && !st.encrypted {
                self.event(TlsEvent::InvalidAlertMessage);
            }
            if rt == content::CCS {
                self.on_ccs(d);
            }
            let st = &mut self.dirs[d];
            st.in_record = false;
            st.hdr_len = 0;
        }
    }

    fn record_payload(&mut self, d: usize, chunk: &[u8], last: bool) {
        let rt = self.dirs[d].rec_type;
        match rt {
            0 => {
                let st = &mut self.dirs[d];
                st.v2_buf.extend_from_slice(chunk);
                if last {
                    let buf = std::mem::take(&mut self.dirs[d].v2_buf);
                    self.sslv2_record(d, &buf);
                    self.dirs[d].v2_buf = buf;
                }
            }
            content::HANDSHAKE => {
                if self.dirs[d].encrypted || self.dirs[d].hs_stopped {
                    return;
                }
                self.dirs[d].hs_buf.extend_from_slice(chunk);
                self.handshake_messages(d);
            }
            content::CCS => {
                if last {
                    self.on_ccs(d);
                }
            }
            content::ALERT => {
                let st = &mut self.dirs[d];
                if st.encrypted {
                    return;
                }
                for &b in chunk {
                    if st.head_len < 2 {
                        st.head[st.head_len] = b;
                    }
                    st.head_len = st.head_len.saturating_add(1);
                }
                if last {
                    let (n, lvl, desc) = (st.rec_len, st.head[0], st.head[1]);
                    if n != 2 {
                        self.event(TlsEvent::InvalidAlertMessage);
                    } else {
                        if self.tx.alerts.len() < 8 {
                            self.tx.alerts.push((lvl, desc));
                        }
                        if lvl == 2 {
                            self.event(TlsEvent::ErrorMessageEncountered);
                        }
                    }
                }
            }
            content::APPLICATION_DATA => {
                if self.dirs[d].head_len == 0 {
                    self.dirs[d].head_len = 1;
                    self.tx.encrypted_records[d] += 1;
                    if d == 0 {
                        self.client_finished = true;
                    } else {
                        self.server_flight_done = true;
                    }
                }
            }
            content::HEARTBEAT => {
                let st = &mut self.dirs[d];
                let first = st.head_len == 0;
                for &b in chunk {
                    if st.head_len < 3 {
                        st.head[st.head_len] = b;
                        st.head_len += 1;
                    }
                }
                if first {
                    self.event(TlsEvent::HeartbeatMessage);
                }
                if last {
                    let st = &self.dirs[d];
                    if !st.encrypted {
                        if st.head_len < 3 {
                            self.event(TlsEvent::InvalidHeartbeatMessage);
                        } else {
                            let plen = usize::from(u16::from_be_bytes([st.head[1], st.head[2]]));
                            // type(1) + payload_length(2) + payload + at least 16 bytes padding.
                            if plen + 3 + 16 > st.rec_len {
                                self.event(TlsEvent::OverflowHeartbeatMessage);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn on_ccs(&mut self, d: usize) {
        self.dirs[d].encrypted = true;
        self.tx.ccs[d] = true;
        if d == 0 {
            self.client_finished = true;
        } else {
            // A server CCS without a certificate before it: an abbreviated handshake. Suricata
            // logs those once the server's first application data arrives.
            if !self.tls13 && self.tx.server_certs.is_empty() && self.tx.server_hello.is_some() && !self.dirs[1].certs_seen {
                self.tx.session_resumed = true;
            }
            if !self.tx.session_resumed {
                self.server_flight_done = true;
            }
        }
    }

    /// Parses every complete handshake message in direction `d`'s buffer.
    fn handshake_messages(&mut self, d: usize) {
        let mut off = 0;
        loop {
            let buf = &self.dirs[d].hs_buf;
            let Some(h) = buf.get(off..off + 4) else { break };
            let len = (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
            if len + 4 > self.cfg.max_handshake_len {
                self.event(TlsEvent::HandshakeInvalidLength);
                self.dirs[d].hs_stopped = true;
                self.dirs[d].hs_buf = Vec::new();
                return;
            }
            if buf.len() < off + 4 + len {
                break;
            }
            let msg = std::mem::take(&mut self.dirs[d].hs_buf);
            self.handshake(d, &msg[off..off + 4 + len]);
            self.dirs[d].hs_buf = msg;
            off += 4 + len;
            if self.dirs[d].encrypted || self.dirs[d].hs_stopped {
                self.dirs[d].hs_buf.clear();
                return;
            }
        }
        if off > 0 {
            self.dirs[d].hs_buf.drain(..off);
        }
        if self.dirs[d].hs_buf.capacity() > 4 * 1024 && self.dirs[d].hs_buf.is_empty() {
            self.dirs[d].hs_buf = Vec::new();
        }
    }

    fn handshake(&mut self, d: usize, msg: &[u8]) {
        let t = msg[0];
        match t {
            hs::CLIENT_HELLO => {
                self.tx.state_bits |= ssl_state::CLIENT_HELLO;
                let mut ev = Vec::new();
                match parser::parse_client_hello(msg, self.cfg.max_alpns, &mut ev) {
                    Ok(h) => {
                        if self.tx.client_hello.is_none() {
                            self.tx.client_hello = Some(h);
                        }
                    }
                    Err(()) => self.event(TlsEvent::InvalidHandshakeMessage),
                }
                for e in ev {
                    self.event(e);
                }
            }
            hs::SERVER_HELLO => {
                self.tx.state_bits |= ssl_state::SERVER_HELLO;
                match parser::parse_server_hello(msg, self.cfg.max_alpns) {
                    Ok(h) => {
                        let v = h.selected_version;
                        self.tx.version = v;
                        if v == 0x0304 || v >> 8 == 0x7f {
                            self.tls13 = true;
                            self.tx.log_without_cert = true;
                            // Everything after the ServerHello is encrypted.
                            self.dirs[d].encrypted = true;
                            self.server_flight_done = true;
                        } else if let Some(c) = &self.tx.client_hello {
                            if !h.session_id.is_empty() && h.session_id == c.session_id {
                                self.tx.session_resumed = true;
                            }
                        }
                        if self.tx.server_hello.is_none() {
                            self.tx.server_hello = Some(h);
                        }
                    }
                    Err(()) => self.event(TlsEvent::InvalidHandshakeMessage),
                }
            }
            hs::CERTIFICATE => {
                if self.dirs[d].certs_seen {
                    return;
                }
                self.dirs[d].certs_seen = true;
                self.certificates(d, &msg[4..]);
            }
            hs::SERVER_KEY_EXCHANGE => self.tx.state_bits |= ssl_state::SERVER_KEYX,
            hs::CLIENT_KEY_EXCHANGE => self.tx.state_bits |= ssl_state::CLIENT_KEYX,
            hs::SERVER_HELLO_DONE => self.server_flight_done = true,
            t if hs::is_known(t) => {}
            _ => {
                self.tx.state_bits |= ssl_state::UNKNOWN;
                self.event(TlsEvent::InvalidHandshakeMessage);
            }
        }
    }

    /// A Certificate message body: 3-byte list length, then 3-byte-length DER certificates.
    fn certificates(&mut self, d: usize, body: &[u8]) {
        let u24 = |b: &[u8]| (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2]);
        let Some(h) = body.get(..3) else {
            self.event(TlsEvent::CertificateInvalidLength);
            return;
        };
        let total = u24(h);
        let Some(mut list) = body.get(3..3 + total) else {
            self.event(TlsEvent::CertificateInvalidLength);
            return;
        };
        let mut out: Vec<CertInfo> = Vec::new();
        while !list.is_empty() {
            let Some(h) = list.get(..3) else {
                self.event(TlsEvent::CertificateInvalidLength);
                break;
            };
            let n = u24(h);
            let Some(der) = list.get(3..3 + n) else {
                self.event(TlsEvent::CertificateInvalidLength);
                break;
            };
            if out.len() < self.cfg.max_certs {
                let (info, ev) = cert::decode(der);
                if let Some(e) = ev {
                    // Suricata raises the specific event for the leaf only and stops.
                    self.event(e);
                    if out.is_empty() {
                        out.push(info);
                        break;
                    }
                }
                out.push(info);
            }
            list = &list[3 + n..];
        }
        if d == 1 {
            self.tx.server_certs = out;
        } else {
            self.tx.client_certs = out;
        }
    }

    fn sslv2_record(&mut self, d: usize, rec: &[u8]) {
        let Some(&t) = rec.first() else { return };
        if self.dirs[d].encrypted {
            return;
        }
        match t {
            sslv2::CLIENT_HELLO if d == 0 => {
                self.tx.state_bits |= ssl_state::CLIENT_HELLO;
                match parser::parse_sslv2_client_hello(rec) {
                    Some(h) => {
                        if self.tx.client_hello.is_none() {
                            self.tx.client_hello = Some(h);
                        }
                    }
                    None => self.event(TlsEvent::InvalidSslv2Header),
                }
            }
            sslv2::SERVER_HELLO if d == 1 => {
                self.tx.state_bits |= ssl_state::SERVER_HELLO;
                match parser::parse_sslv2_server_hello(rec) {
                    Some((_v, der)) => {
                        self.tx.version = 0x0200;
                        self.tx.server_hello = Some(parser::ServerHello { sslv2: true, version: 0x0200, selected_version: 0x0200, ..Default::default() });
                        if !der.is_empty() && !self.dirs[1].certs_seen {
                            self.dirs[1].certs_seen = true;
                            let (info, ev) = cert::decode(der);
                            if let Some(e) = ev {
                                self.event(e);
                            }
                            self.tx.server_certs = vec![info];
                        }
                        self.server_flight_done = true;
                        self.dirs[1].encrypted = true;
                    }
                    None => self.event(TlsEvent::InvalidSslv2Header),
                }
            }
            sslv2::CLIENT_MASTER_KEY if d == 0 => {
                self.tx.state_bits |= ssl_state::CLIENT_KEYX;
                self.client_finished = true;
                self.dirs[0].encrypted = true;
            }
            _ => {}
        }
    }

    fn lost_side(&mut self, d: usize) {
        self.lost[d] = true;
        self.refresh_progress();
    }

    /// Suricata's logging points, measured on its output for real captures: up to TLS 1.2
    /// the transaction completes when the server's first flight ends (ServerHelloDone; for a
    /// resumed session its first application data) after a ClientHello; with TLS 1.3 once the
    /// client sent its ChangeCipherSpec or encrypted records after the ServerHello.
    fn refresh_progress(&mut self) {
        let hello = self.tx.state_bits & ssl_state::CLIENT_HELLO != 0;
        let client = self.closed || self.lost[0] || self.client_finished || (hello && !self.tls13);
        let server = self.closed || self.lost[1] || self.server_flight_done;
        self.tx.progress.request_complete = client;
        self.tx.progress.response_complete = server;
    }

    /// `len` bytes of `dir` were lost: the direction can no longer be framed.
    pub fn on_gap(&mut self, dir: Direction, _len: u64) {
        let d = di(dir);
        let st = &mut self.dirs[d];
        st.lost = true;
        st.hs_buf = Vec::new();
        st.v2_buf = Vec::new();
        self.lost_side(d);
    }

    /// The flow ended: the transaction is complete.
    pub fn on_close(&mut self, _ts: Timestamp) {
        self.closed = true;
        self.refresh_progress();
    }

    /// The flow's transaction (none before the first byte, or once pruned).
    pub fn txs(&self) -> std::option::IntoIter<&TlsTx> {
        self.tx_ref().into_iter()
    }

    fn tx_ref(&self) -> Option<&TlsTx> {
        (self.has_tx && !self.pruned).then_some(&self.tx)
    }

    /// The transaction with id `id` (only 0 exists).
    pub fn tx(&self, id: TxId) -> Option<&TlsTx> {
        self.tx_ref().filter(|_| id.0 == 0)
    }

    /// The transaction, even after pruning (TLS keeps its one transaction for the flow's
    /// life: detection on later packets still needs its fields).
    pub fn the_tx(&self) -> &TlsTx {
        &self.tx
    }

    /// The next transaction id (1 once the transaction exists).
    pub fn next_tx_id(&self) -> TxId {
        TxId(u64::from(self.has_tx))
    }

    /// Marks transactions below `upto` as done with. TLS keeps the data (one transaction per
    /// flow, bounded), so this only hides it from [`TlsState::txs`].
    pub fn prune_done(&mut self, upto: TxId) {
        if upto.0 >= 1 && self.tx.progress.is_done() {
            self.pruned = true;
        }
    }

    /// Every event raised on the flow, oldest first.
    pub fn events(&self) -> &[TlsEvent] {
        &self.events
    }

    /// Whether TLS 1.3 was negotiated.
    pub fn is_tls13(&self) -> bool {
        self.tls13
    }

    /// Approximate heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        let certs: usize = self.tx.server_certs.iter().chain(&self.tx.client_certs).map(|c| c.der.len() + 256 + c.sans.iter().map(|s| s.len() + 24).sum::<usize>()).sum();
        let hello = self.tx.client_hello.as_ref().map_or(0, |c| 512 + 2 * (c.ciphers.len() + c.extensions.len()) + c.ja3.len() + c.alpns.iter().map(|a| a.len() + 24).sum::<usize>());
        let bufs: usize = self.dirs.iter().map(|d| d.hs_buf.capacity() + d.v2_buf.capacity()).sum();
        certs + hello + bufs + self.events.capacity() * 2 + 512
    }
}
