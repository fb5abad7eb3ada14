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
            self.tx.current_state_bits = 0;
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
            content::CCS if last => self.on_ccs(d),
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
            content::APPLICATION_DATA if self.dirs[d].head_len == 0 => {
                self.dirs[d].head_len = 1;
                self.tx.encrypted_records[d] += 1;
                if d == 0 {
                    self.client_finished = true;
                } else {
                    self.server_flight_done = true;
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
                self.state_bit(ssl_state::CLIENT_HELLO);
                let mut ev = Vec::new();
                match parser::parse_client_hello(msg, self.cfg.max_alpns, &mut ev) {
                    Some(h) => {
                        if self.tx.client_hello.is_none() {
                            self.tx.client_hello = Some(h);
                        }
                    }
                    None => self.event(TlsEvent::InvalidHandshakeMessage),
                }
                for e in ev {
                    self.event(e);
                }
            }
            hs::SERVER_HELLO => {
                self.state_bit(ssl_state::SERVER_HELLO);
                match parser::parse_server_hello(msg, self.cfg.max_alpns) {
                    Some(h) => {
                        let v = h.selected_version;
                        self.tx.version = v;
                        if v == 0x0304 || v >> 8 == 0x7f || matches!(v, 0xfb14 | 0xfb17 | 0xfb1a) {
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
                    None => self.event(TlsEvent::InvalidHandshakeMessage),
                }
            }
            hs::CERTIFICATE => {
                if self.dirs[d].certs_seen {
                    return;
                }
                self.dirs[d].certs_seen = true;
                self.certificates(d, &msg[4..]);
            }
            hs::SERVER_KEY_EXCHANGE => self.state_bit(ssl_state::SERVER_KEYX),
            hs::CLIENT_KEY_EXCHANGE => self.state_bit(ssl_state::CLIENT_KEYX),
            hs::SERVER_HELLO_DONE => self.server_flight_done = true,
            t if hs::is_known(t) => {}
            _ => {
                self.state_bit(ssl_state::UNKNOWN);
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
                self.state_bit(ssl_state::CLIENT_HELLO);
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
                self.state_bit(ssl_state::SERVER_HELLO);
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
                self.state_bit(ssl_state::CLIENT_KEYX);
                self.client_finished = true;
                self.dirs[0].encrypted = true;
            }
            _ => {}
        }
    }

    /// Records a handshake state, for the flow and for the current chunk.
    fn state_bit(&mut self, b: u8) {
        self.tx.state_bits |= b;
        self.tx.current_state_bits |= b;
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

    /// Marks the flow as upgraded to TLS from `proto` (Suricata's app-layer name, e.g.
    /// `smtp`): logged as `from_proto`.
    pub fn set_from_proto(&mut self, proto: &'static str) {
        self.tx.from_proto = Some(proto);
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

/// Builders of synthetic TLS messages for tests (no capture bytes are copied into the repo).
#[cfg(test)]
pub(crate) mod testdata {
    fn u16b(v: usize) -> [u8; 2] {
        (v as u16).to_be_bytes()
    }

    /// A record of `ctype` with `body`.
    pub fn record(ctype: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![ctype, 3, 1];
        v.extend_from_slice(&u16b(body.len()));
        v.extend_from_slice(body);
        v
    }

    /// A handshake message of type `t`.
    pub fn hs(t: u8, body: &[u8]) -> Vec<u8> {
        let n = body.len();
        let mut v = vec![t, (n >> 16) as u8, (n >> 8) as u8, n as u8];
        v.extend_from_slice(body);
        v
    }

    fn ext(t: u16, data: &[u8]) -> Vec<u8> {
        let mut v = t.to_be_bytes().to_vec();
        v.extend_from_slice(&u16b(data.len()));
        v.extend_from_slice(data);
        v
    }

    /// A ClientHello body: TLS 1.2, GREASE cipher + 2 ciphers, SNI, groups, point formats,
    /// sig algs, ALPN h2/http1.1, a GREASE extension, session id `sid`.
    pub fn client_hello(sni: &[u8], sid: &[u8], tls13: bool) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7u8; 32]);
        b.push(sid.len() as u8);
        b.extend_from_slice(sid);
        let ciphers: [u16; 3] = [0x0a0a, 0x1301, 0xc02f];
        b.extend_from_slice(&u16b(ciphers.len() * 2));
        for c in ciphers {
            b.extend_from_slice(&c.to_be_bytes());
        }
        b.extend_from_slice(&[1, 0]);
        let mut exts = Vec::new();
        exts.extend(ext(0x2a2a, &[]));
        let mut s = vec![0u8];
        s.extend_from_slice(&u16b(sni.len()));
        s.extend_from_slice(sni);
        let mut sl = u16b(s.len()).to_vec();
        sl.extend(s);
        exts.extend(ext(0, &sl));
        exts.extend(ext(10, &[0, 4, 0x3a, 0x3a, 0, 29]));
        exts.extend(ext(11, &[1, 0]));
        exts.extend(ext(13, &[0, 4, 4, 3, 8, 4]));
        exts.extend(ext(16, &[0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1']));
        if tls13 {
            exts.extend(ext(43, &[4, 3, 4, 3, 3]));
        }
        b.extend_from_slice(&u16b(exts.len()));
        b.extend(exts);
        b
    }

    /// A ServerHello body choosing 0xc02f (or TLS 1.3 with supported_versions).
    pub fn server_hello(sid: &[u8], tls13: bool) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[9u8; 32]);
        b.push(sid.len() as u8);
        b.extend_from_slice(sid);
        b.extend_from_slice(&if tls13 { 0x1301u16 } else { 0xc02f }.to_be_bytes());
        b.push(0);
        let mut exts = ext(0xff01, &[0]);
        if tls13 {
            exts.extend(ext(43, &[3, 4]));
        }
        b.extend_from_slice(&u16b(exts.len()));
        b.extend(exts);
        b
    }

    /// A whole TLS 1.2 conversation as (direction is to_server, bytes) steps: ClientHello;
    /// ServerHello + ServerHelloDone in one record, the Certificate message split over two
    /// records in between (an empty chain); client CKE + CCS + Finished; server CCS + Finished;
    /// application data both ways; a heartbeat and an alert.
    pub fn conversation() -> Vec<(bool, Vec<u8>)> {
        let mut server = Vec::new();
        let mut flight = hs(2, &server_hello(&[1, 2, 3], false));
        let cert = hs(11, &[0, 0, 0]);
        flight.extend_from_slice(&cert[..2]);
        server.extend(record(22, &flight));
        let mut rest = cert[2..].to_vec();
        rest.extend(hs(14, &[]));
        server.extend(record(22, &rest));
        let mut client2 = record(22, &hs(16, &[0, 2, 1, 1]));
        client2.extend(record(20, &[1]));
        client2.extend(record(22, &[0x55; 40]));
        let mut server2 = record(20, &[1]);
        server2.extend(record(22, &[0x66; 40]));
        server2.extend(record(23, &[0x77; 100]));
        let mut client3 = record(23, &[0x88; 64]);
        client3.extend(record(21, &[0x99; 26]));
        vec![
            (true, record(22, &hs(1, &client_hello(b"a.example", &[], false)))),
            (false, server),
            (true, client2),
            (false, server2),
            (true, client3),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::testdata::*;
    use super::*;
    use proptest::prelude::*;

    /// How a step's bytes are cut into chunks: (step index, bytes) -> chunks.
    type Split<'a> = &'a dyn Fn(usize, &[u8]) -> Vec<Vec<u8>>;

    fn run(steps: &[(bool, Vec<u8>)], split: Split<'_>) -> TlsState {
        let mut st = TlsState::new(TlsConfig::default());
        for (i, (ts, bytes)) in steps.iter().enumerate() {
            let dir = if *ts { Direction::ToServer } else { Direction::ToClient };
            for c in split(i, bytes) {
                st.on_data(dir, Timestamp::default(), &c);
            }
        }
        st
    }

    fn whole(_: usize, b: &[u8]) -> Vec<Vec<u8>> {
        vec![b.to_vec()]
    }

    #[test]
    fn tls12_conversation() {
        let st = run(&conversation(), &whole);
        let tx = st.the_tx();
        let ch = tx.client_hello.as_ref().expect("client hello");
        assert_eq!(ch.sni.as_deref(), Some(&b"a.example"[..]));
        assert_eq!(ch.alpns, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert_eq!(ch.ja3, "771,4865-49199,0-10-11-13-16,29,0", "GREASE left out");
        assert!(ch.ja4.starts_with("t12d0205h2_"), "{}", ch.ja4);
        let sh = tx.server_hello.as_ref().expect("server hello");
        assert_eq!(sh.ja3s, "771,49199,65281");
        assert_eq!(tx.version, 0x0303);
        assert!(tx.progress.is_done());
        assert_eq!(tx.ccs, [true, true]);
        assert_eq!(tx.encrypted_records, [1, 1]);
        assert!(!tx.session_resumed);
        assert!(tx.state_bits & ssl_state::CLIENT_KEYX != 0);
        // The encrypted alert after CCS is not an event; no heartbeat here.
        assert!(st.events().is_empty(), "{:?}", st.events());
        assert_eq!(st.txs().len(), 1);
    }

    #[test]
    fn every_split_gives_the_same_tx() {
        let conv = conversation();
        let reference = run(&conv, &whole);
        let byte_by_byte = run(&conv, &|_, b| b.chunks(1).map(<[u8]>::to_vec).collect());
        assert_eq!(format!("{:?}", reference.the_tx()), format!("{:?}", byte_by_byte.the_tx()));
        for step in 0..conv.len() {
            for at in 0..conv[step].1.len() {
                let st = run(&conv, &|i, b| if i == step { vec![b[..at].to_vec(), b[at..].to_vec()] } else { vec![b.to_vec()] });
                assert_eq!(format!("{:?}", reference.the_tx()), format!("{:?}", st.the_tx()), "step {step} split at {at}");
            }
        }
    }

    #[test]
    fn tls13_stops_parsing_after_server_hello() {
        let steps = vec![
            (true, record(22, &hs(1, &client_hello(b"x", &[5; 32], true)))),
            (false, {
                let mut v = record(22, &hs(2, &server_hello(&[5; 32], true)));
                v.extend(record(20, &[1]));
                // Encrypted handshake in application data records: counted only.
                v.extend(record(23, &[0xaa; 300]));
                v
            }),
        ];
        let st = run(&steps, &whole);
        let tx = st.the_tx();
        assert_eq!(tx.version, 0x0304);
        assert!(tx.log_without_cert && st.is_tls13());
        assert!(tx.progress.response_complete && !tx.progress.request_complete, "waits for the client's finish");
        assert!(!tx.session_resumed, "TLS 1.3 echoes the session id: not a resumption");
        assert!(tx.client_hello.as_ref().is_some_and(|c| c.ja4.starts_with("t13d")));
        let mut st = st;
        st.on_data(Direction::ToServer, Timestamp::default(), &record(20, &[1]));
        assert!(st.the_tx().progress.is_done());
        assert!(st.the_tx().loggable(true));
    }

    #[test]
    fn resumed_session() {
        let steps = vec![
            (true, record(22, &hs(1, &client_hello(b"x", &[4; 32], false)))),
            (false, {
                let mut v = record(22, &hs(2, &server_hello(&[4; 32], false)));
                v.extend(record(20, &[1]));
                v.extend(record(22, &[0x11; 40]));
                v
            }),
        ];
        let mut st = run(&steps, &whole);
        assert!(st.the_tx().session_resumed);
        assert!(st.the_tx().loggable(true) && !st.the_tx().loggable(false));
        assert!(!st.the_tx().progress.response_complete, "logged at the server's first application data");
        st.on_data(Direction::ToClient, Timestamp::default(), &record(23, &[1; 30]));
        assert!(st.the_tx().progress.is_done());
    }

    #[test]
    fn anomalies() {
        let mut st = TlsState::new(TlsConfig::default());
        let ts = Timestamp::default();
        st.on_data(Direction::ToServer, ts, &record(22, &hs(1, &client_hello(b"x", &[], false))));
        // Heartbeat claiming a 1000-byte payload in a 20-byte record (Heartbleed).
        st.on_data(Direction::ToServer, ts, &record(24, &[1, 0x03, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        st.on_data(Direction::ToClient, ts, &record(21, &[2, 40]));
        st.on_data(Direction::ToClient, ts, &record(22, &hs(99, &[])));
        assert_eq!(st.events(), &[TlsEvent::HeartbeatMessage, TlsEvent::OverflowHeartbeatMessage, TlsEvent::ErrorMessageEncountered, TlsEvent::InvalidHandshakeMessage]);
        assert_eq!(st.the_tx().alerts, vec![(2, 40)]);
        // Garbage stops the direction with an event, without a panic.
        st.on_data(Direction::ToClient, ts, b"\x05garbage");
        assert_eq!(st.events().last(), Some(&TlsEvent::InvalidRecordType));
        st.on_data(Direction::ToClient, ts, &record(22, &hs(2, &server_hello(&[], false))));
        assert!(st.the_tx().server_hello.is_none(), "a lost direction is not parsed");
    }

    #[test]
    fn oversized_handshake_is_bounded() {
        let cfg = TlsConfig { max_handshake_len: 1024, ..TlsConfig::default() };
        let mut st = TlsState::new(cfg);
        let big = hs(11, &vec![0u8; 5000]);
        for c in big.chunks(1000) {
            st.on_data(Direction::ToClient, Timestamp::default(), &record(22, c));
        }
        assert_eq!(st.events(), &[TlsEvent::HandshakeInvalidLength]);
        assert!(st.memory_bytes() < 8 * 1024);
    }

    #[test]
    fn sslv2_client_hello_then_gap() {
        let mut st = TlsState::new(TlsConfig::default());
        let body = [1u8, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x39, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7];
        let mut rec = vec![0x80, body.len() as u8];
        rec.extend_from_slice(&body);
        st.on_data(Direction::ToServer, Timestamp::default(), &rec);
        let ch = st.the_tx().client_hello.as_ref().expect("sslv2 hello");
        assert!(ch.sslv2 && ch.ja3.is_empty());
        st.on_gap(Direction::ToClient, 100);
        assert!(st.the_tx().progress.is_done(), "hello seen and the server side lost");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn no_panic_and_bounded(chunks in proptest::collection::vec((any::<bool>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..20)) {
            let cfg = super::super::harness::fuzz_config();
            let mut st = TlsState::new(cfg.clone());
            for (ts, c) in &chunks {
                let d = if *ts { Direction::ToServer } else { Direction::ToClient };
                st.on_data(d, Timestamp::default(), c);
                super::super::harness::check(&st, &cfg);
            }
            st.on_close(Timestamp::default());
            prop_assert!(st.the_tx().progress.is_done());
        }

        #[test]
        fn split_anywhere_equivalence(cuts in proptest::collection::vec(1usize..64, 1..40)) {
            let conv = conversation();
            let reference = run(&conv, &whole);
            let st = run(&conv, &|i, b| {
                let mut out = Vec::new();
                let mut at = 0;
                let mut k = i;
                while at < b.len() {
                    let n = cuts[k % cuts.len()].min(b.len() - at);
                    out.push(b[at..at + n].to_vec());
                    at += n;
                    k += 1;
                }
                out
            });
            prop_assert_eq!(format!("{:?}", reference.the_tx()), format!("{:?}", st.the_tx()));
        }

        #[test]
        fn mutated_conversations_do_not_panic(flips in proptest::collection::vec((0usize..5, any::<usize>(), any::<u8>()), 1..8)) {
            let mut conv = conversation();
            for (step, at, x) in flips {
                let b = &mut conv[step].1;
                let i = at % b.len();
                b[i] ^= x;
            }
            let mut st = run(&conv, &|_, b| b.chunks(7).map(<[u8]>::to_vec).collect());
            st.on_close(Timestamp::default());
            prop_assert!(st.memory_bytes() < 1 << 20);
        }
    }
}
