//! SMTP over reassembled TCP (RFC 5321, RFC 3030 BDAT, RFC 3207 STARTTLS, RFC 2920 pipelining),
//! modelled on Suricata's parser: one transaction per mail transaction (created by the first
//! command after the previous one completed; RSET and QUIT make none), commands matched to
//! replies in order (pipelining), multi-line replies (`250-...` continuation), DATA up to the
//! lone `.` line (dot-stuffing undone for the message parser), BDAT chunks, and the message's
//! MIME headers (From, To, Cc, Subject, ...) and attachment file names.
//!
//! STARTTLS: once the server answers `220` to STARTTLS, nothing more is parsed and
//! [`SmtpState::tls_upgraded`] turns true: the hook for the session to hand the flow to the
//! TLS parser (Suricata: `app_proto` becomes `tls`, `app_proto_orig` `smtp`).
//!
//! # Bounds (in [`SmtpConfig`])
//! Lines keep at most `max_line_len` bytes (longer: `max_*_line_len_exceeded`, truncated);
//! pending commands at most [`MAX_PENDING`] (older ones are dropped); header values
//! `max_header_value` bytes; recipients `max_rcpt`; attachments `max_attachments`; live
//! transactions `max_txs`.

pub mod detect;
pub mod eve;
pub mod harness;
mod mime;

use super::{Direction, ParseOutcome, TxId, TxProgress};
use crate::time::Timestamp;
use std::collections::VecDeque;

pub use mime::MimeHeaders;

/// Limits of the SMTP parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Longest command, reply or message line kept.
    pub max_line_len: usize,
    /// Recipients kept per transaction.
    pub max_rcpt: usize,
    /// Bytes kept per header value (From, To, Subject, ...) and per address.
    pub max_header_value: usize,
    /// Attachment names kept per transaction.
    pub max_attachments: usize,
    /// Live transactions per flow.
    pub max_txs: usize,
    /// Log `email.subject` and the other extended fields (`extended: yes`).
    pub extended: bool,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig { max_line_len: 4096, max_rcpt: 64, max_header_value: 1024, max_attachments: 32, max_txs: 64, extended: false }
    }
}

macro_rules! smtp_events {
    ($($v:ident => $name:literal,)*) => {
        /// An anomaly the SMTP parser raises (`app-layer-event:smtp.<name>`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SmtpEvent { $(#[doc = $name] $v,)* }
        impl SmtpEvent {
            /// Every event.
            pub const ALL: &'static [SmtpEvent] = &[$(SmtpEvent::$v,)*];
            /// The rule-visible name without `smtp.`.
            pub fn name(self) -> &'static str { match self { $(SmtpEvent::$v => $name,)* } }
            /// Looks an event up by its rule name (with or without `smtp.`).
            pub fn from_name(name: &str) -> Option<SmtpEvent> {
                let n = name.strip_prefix("smtp.").unwrap_or(name);
                match n { $($name => Some(SmtpEvent::$v),)* _ => None }
            }
        }
    };
}

smtp_events! {
    InvalidReply => "invalid_reply",
    UnableToMatchReplyWithRequest => "unable_to_match_reply_with_request",
    MaxCommandLineLenExceeded => "max_command_line_len_exceeded",
    MaxReplyLineLenExceeded => "max_reply_line_len_exceeded",
    InvalidPipelinedSequence => "invalid_pipelined_sequence",
    BdatChunkLenExceeded => "bdat_chunk_len_exceeded",
    NoServerWelcomeMessage => "no_server_welcome_message",
    TlsRejected => "tls_rejected",
    DataCommandRejected => "data_command_rejected",
    MimeParseFailed => "mime_parse_failed",
    MimeMalformedMsg => "mime_malformed_msg",
    MimeInvalidBase64 => "mime_invalid_base64",
    MimeLongHeaderName => "mime_long_header_name",
    MimeLongHeaderValue => "mime_long_header_value",
    MimeInvalidQp => "mime_invalid_qp",
    MimeLongLine => "mime_long_line",
    MimeLongEncLine => "mime_long_enc_line",
    MimeLongBoundary => "mime_long_boundary",
    DuplicateFields => "duplicate_fields",
    UnparsableContent => "unparsable_content",
    MimeLongFilename => "mime_long_filename",
    FailedProtocolChange => "failed_protocol_change",
    InvalidBdat => "invalid_bdat",
}

impl SmtpEvent {
    /// The name Suricata's `anomaly` events use (its SMTP parser's upper-case table names).
    pub fn eve_name(self) -> &'static str {
        macro_rules! up {
            ($($v:ident => $n:literal,)*) => { match self { $(SmtpEvent::$v => $n,)* } };
        }
        up! {
            InvalidReply => "INVALID_REPLY",
            UnableToMatchReplyWithRequest => "UNABLE_TO_MATCH_REPLY_WITH_REQUEST",
            MaxCommandLineLenExceeded => "MAX_COMMAND_LINE_LEN_EXCEEDED",
            MaxReplyLineLenExceeded => "MAX_REPLY_LINE_LEN_EXCEEDED",
            InvalidPipelinedSequence => "INVALID_PIPELINED_SEQUENCE",
            BdatChunkLenExceeded => "BDAT_CHUNK_LEN_EXCEEDED",
            NoServerWelcomeMessage => "NO_SERVER_WELCOME_MESSAGE",
            TlsRejected => "TLS_REJECTED",
            DataCommandRejected => "DATA_COMMAND_REJECTED",
            MimeParseFailed => "MIME_PARSE_FAILED",
            MimeMalformedMsg => "MIME_MALFORMED_MSG",
            MimeInvalidBase64 => "MIME_INVALID_BASE64",
            MimeLongHeaderName => "MIME_LONG_HEADER_NAME",
            MimeLongHeaderValue => "MIME_LONG_HEADER_VALUE",
            MimeInvalidQp => "MIME_INVALID_QP",
            MimeLongLine => "MIME_LONG_LINE",
            MimeLongEncLine => "MIME_LONG_ENC_LINE",
            MimeLongBoundary => "MIME_LONG_BOUNDARY",
            DuplicateFields => "DUPLICATE_FIELDS",
            UnparsableContent => "UNPARSABLE_CONTENT",
            MimeLongFilename => "MIME_LONG_FILENAME",
            FailedProtocolChange => "FAILED_PROTOCOL_CHANGE",
            InvalidBdat => "INVALID_BDAT",
        }
    }
}

/// Most commands waiting for their reply (pipelining).
pub const MAX_PENDING: usize = 64;
/// Most events kept per transaction or state.
const MAX_EVENTS: usize = 16;

/// The commands whose replies matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmd {
    Data,
    Bdat,
    StartTls,
    /// HELO/EHLO: a mid-session one accepted by the server resets the envelope (of the
    /// transaction open when it was sent).
    Helo(Option<u64>),
    /// RSET: completes the transaction open when it was sent, when the server accepts it.
    Rset(Option<u64>),
    Other,
}

/// One mail transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmtpTx {
    /// Monotonic id.
    pub id: TxId,
    /// Both sides complete when the message ended (or at the end of the flow).
    pub progress: TxProgress,
    /// Per-transaction anomalies.
    pub events: Vec<SmtpEvent>,
    /// The HELO/EHLO argument in force when the transaction was created.
    pub helo: Vec<u8>,
    /// The MAIL FROM address (`<a@b>`), without parameters.
    pub mail_from: Vec<u8>,
    /// The RCPT TO addresses.
    pub rcpt_to: Vec<Vec<u8>>,
    /// The message was parsed (DATA or BDAT seen).
    pub has_message: bool,
    /// The message headers and attachment names.
    pub mime: MimeHeaders,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Command,
    /// In DATA: lines until the lone `.`.
    Data,
    /// In a BDAT chunk: `left` bytes, `last` chunk.
    Bdat {
        left: u64,
        last: bool,
    },
    /// After a successful STARTTLS, or a give-up: ignore everything.
    Off,
}

/// Per-flow SMTP state. See the module docs.
#[derive(Debug)]
pub struct SmtpState {
    cfg: SmtpConfig,
    txs: VecDeque<SmtpTx>,
    next_id: u64,
    /// The current transaction is complete: the next command (but RSET/QUIT) starts one.
    cur_done: bool,
    helo: Vec<u8>,
    mode: Mode,
    lines: [Vec<u8>; 2],
    line_over: [bool; 2],
    pending: VecDeque<Cmd>,
    /// A reply line with `-` was seen: the reply continues.
    in_multiline: bool,
    greeting_seen: bool,
    tls: bool,
    events: Vec<SmtpEvent>,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

fn push_event(v: &mut Vec<SmtpEvent>, e: SmtpEvent) {
    if v.len() < MAX_EVENTS && !v.contains(&e) {
        v.push(e);
    }
}

fn bounded(v: &[u8], max: usize) -> Vec<u8> {
    v[..v.len().min(max)].to_vec()
}

/// The argument after `prefix` (case-insensitive): blanks skipped, up to the next blank.
fn param<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    if line.len() < prefix.len() || !line[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = line[prefix.len()..].trim_ascii_start();
    let end = rest.iter().position(|c| *c == b' ' || *c == b'\t').unwrap_or(rest.len());
    Some(&rest[..end])
}

fn starts_ci(line: &[u8], w: &[u8]) -> bool {
    line.len() >= w.len() && line[..w.len()].eq_ignore_ascii_case(w) && (line.len() == w.len() || line[w.len()] == b' ')
}

impl SmtpState {
    /// A new flow's state.
    pub fn new(cfg: SmtpConfig) -> SmtpState {
        SmtpState {
            cfg,
            txs: VecDeque::new(),
            next_id: 0,
            cur_done: true,
            helo: Vec::new(),
            mode: Mode::Command,
            lines: [Vec::new(), Vec::new()],
            line_over: [false; 2],
            pending: VecDeque::new(),
            in_multiline: false,
            greeting_seen: false,
            tls: false,
            events: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SmtpConfig {
        &self.cfg
    }

    /// Live transactions, oldest first.
    pub fn txs(&self) -> impl ExactSizeIterator<Item = &SmtpTx> + '_ {
        self.txs.iter()
    }

    /// Transaction `id`, if live.
    pub fn tx(&self, id: TxId) -> Option<&SmtpTx> {
        self.txs.iter().find(|t| t.id == id)
    }

    /// The id of the next transaction.
    pub fn next_tx_id(&self) -> TxId {
        TxId(self.next_id)
    }

    /// Drops done transactions below `upto`.
    pub fn prune_done(&mut self, upto: TxId) -> usize {
        let before = self.txs.len();
        self.txs.retain(|t| !(t.id < upto && t.progress.is_done()));
        before - self.txs.len()
    }

    /// State-level anomalies (replies without a transaction).
    pub fn events(&self) -> &[SmtpEvent] {
        &self.events
    }

    /// The HELO/EHLO argument of the session.
    pub fn helo(&self) -> &[u8] {
        &self.helo
    }

    /// STARTTLS succeeded: the rest of the flow is TLS. The session should hand the flow to
    /// the TLS parser (the SMTP state parses nothing more).
    pub fn tls_upgraded(&self) -> bool {
        self.tls
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        let tx: usize = self
            .txs
            .iter()
            .map(|t| {
                std::mem::size_of::<SmtpTx>()
                    + t.mail_from.capacity()
                    + t.helo.capacity()
                    + t.rcpt_to.iter().map(|r| r.capacity() + 24).sum::<usize>()
                    + t.mime.memory_bytes()
            })
            .sum();
        tx + self.lines.iter().map(Vec::capacity).sum::<usize>() + self.helo.capacity() + self.pending.capacity()
    }

    fn cur(&mut self) -> Option<&mut SmtpTx> {
        if self.cur_done {
            return None;
        }
        self.txs.back_mut()
    }

    fn ensure_tx(&mut self) -> Option<&mut SmtpTx> {
        if self.cur_done {
            if self.txs.len() >= self.cfg.max_txs {
                return None;
            }
            let id = TxId(self.next_id);
            self.next_id += 1;
            self.txs.push_back(SmtpTx { id, helo: self.helo.clone(), ..SmtpTx::default() });
            self.cur_done = false;
        }
        self.txs.back_mut()
    }

    fn finish_tx(&mut self) {
        if let Some(t) = self.cur() {
            t.progress = TxProgress { request_complete: true, response_complete: true };
            if t.has_message {
                t.mime.finish();
            }
        }
        self.cur_done = true;
    }

    /// The id of the open transaction.
    fn open_id(&self) -> Option<u64> {
        if self.cur_done {
            return None;
        }
        self.txs.back().map(|t| t.id.0)
    }

    /// The open transaction carries a sender, recipients or a message.
    fn has_envelope(&self) -> bool {
        !self.cur_done && self.txs.back().is_some_and(|t| !t.mail_from.is_empty() || !t.rcpt_to.is_empty() || t.has_message)
    }

    fn tx_event(&mut self, e: SmtpEvent) {
        match self.cur() {
            Some(t) => push_event(&mut t.events, e),
            None => push_event(&mut self.events, e),
        }
    }

    /// In-order bytes of `dir`.
    pub fn on_data(&mut self, dir: Direction, _ts: Timestamp, mut data: &[u8]) -> ParseOutcome {
        let i = idx(dir);
        while !data.is_empty() {
            if self.mode == Mode::Off {
                return ParseOutcome::Consumed;
            }
            if dir == Direction::ToServer {
                if let Mode::Bdat { left, last } = self.mode {
                    let take = (left.min(data.len() as u64)) as usize;
                    let max = self.cfg.max_line_len;
                    if let Some(t) = self.cur() {
                        t.mime.feed_raw(&data[..take], max);
                    }
                    data = &data[take..];
                    let left = left - take as u64;
                    self.mode = if left == 0 { Mode::Command } else { Mode::Bdat { left, last } };
                    if left == 0 && last {
                        self.finish_tx();
                    }
                    continue;
                }
            }
            let nl = memchr::memchr(b'\n', data);
            let part = &data[..nl.unwrap_or(data.len())];
            let room = self.cfg.max_line_len.saturating_sub(self.lines[i].len());
            if part.len() > room {
                self.line_over[i] = true;
            }
            self.lines[i].extend_from_slice(&part[..part.len().min(room)]);
            let Some(n) = nl else { break };
            data = &data[n + 1..];
            let mut line = std::mem::take(&mut self.lines[i]);
            let over = std::mem::take(&mut self.line_over[i]);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            match dir {
                Direction::ToServer => self.request_line(&line, over),
                Direction::ToClient => self.reply_line(&line, over),
            }
            line.clear();
            if line.capacity() <= self.cfg.max_line_len + 1 {
                self.lines[i] = line;
            }
        }
        ParseOutcome::Consumed
    }

    fn pend(&mut self, c: Cmd) {
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(c);
    }

    fn request_line(&mut self, line: &[u8], over: bool) {
        if self.mode == Mode::Data {
            if line == b"." {
                self.mode = Mode::Command;
                self.finish_tx();
                // The server answers the end of the message.
                self.pend(Cmd::Other);
                return;
            }
            let body = if line.first() == Some(&b'.') { &line[1..] } else { line };
            let max = self.cfg.max_header_value;
            let max_att = self.cfg.max_attachments;
            if let Some(t) = self.cur() {
                t.mime.line(body, over, max, max_att);
            }
            return;
        }
        // Suricata: RSET and QUIT make no transaction, except the session's first.
        let quit_or_rset = (starts_ci(line, b"QUIT") || starts_ci(line, b"RSET")) && self.next_id > 0;
        if starts_ci(line, b"HELO") || starts_ci(line, b"EHLO") {
            let h = param(line, &line[..4]).unwrap_or(&[]);
            self.helo = bounded(h, self.cfg.max_header_value);
        }
        if !quit_or_rset {
            let helo = self.helo.clone();
            if let Some(t) = self.ensure_tx() {
                if t.helo.is_empty() {
                    t.helo = helo;
                }
            }
        }
        if over {
            self.tx_event(SmtpEvent::MaxCommandLineLenExceeded);
        }
        let (max_v, max_r) = (self.cfg.max_header_value, self.cfg.max_rcpt);
        let mut cmd = Cmd::Other;
        if let Some(a) = param(line, b"MAIL FROM:") {
            if let Some(t) = self.cur() {
                t.mail_from = bounded(a, max_v);
            }
        } else if let Some(a) = param(line, b"RCPT TO:") {
            if let Some(t) = self.cur() {
                if t.rcpt_to.len() < max_r {
                    t.rcpt_to.push(bounded(a, max_v));
                }
            }
        } else if starts_ci(line, b"DATA") {
            cmd = Cmd::Data;
            self.mode = Mode::Data;
            if let Some(t) = self.cur() {
                t.has_message = true;
            }
        } else if starts_ci(line, b"BDAT") {
            cmd = Cmd::Bdat;
            let mut it = line[4..].split(|c| *c == b' ').filter(|s| !s.is_empty());
            let size = it.next().and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.parse::<u64>().ok());
            let last = it.next().is_some_and(|s| s.eq_ignore_ascii_case(b"LAST"));
            match size {
                Some(left) => {
                    if let Some(t) = self.cur() {
                        t.has_message = true;
                    }
                    if left == 0 {
                        if last {
                            self.finish_tx();
                        }
                    } else {
                        self.mode = Mode::Bdat { left, last };
                    }
                }
                None => self.tx_event(SmtpEvent::InvalidBdat),
            }
        } else if starts_ci(line, b"STARTTLS") {
            cmd = Cmd::StartTls;
        } else if starts_ci(line, b"HELO") || starts_ci(line, b"EHLO") {
            cmd = Cmd::Helo(self.open_id());
        } else if starts_ci(line, b"RSET") {
            cmd = Cmd::Rset(self.open_id());
        }
        self.pend(cmd);
    }

    fn reply_line(&mut self, line: &[u8], over: bool) {
        if over {
            self.tx_event(SmtpEvent::MaxReplyLineLenExceeded);
        }
        if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) || (line.len() > 3 && line[3] != b' ' && line[3] != b'-') {
            self.tx_event(SmtpEvent::InvalidReply);
            return;
        }
        if line.get(3) == Some(&b'-') {
            self.in_multiline = true;
            return;
        }
        self.in_multiline = false;
        let code = &line[..3];
        if !self.greeting_seen {
            self.greeting_seen = true;
            if code != b"220" {
                push_event(&mut self.events, SmtpEvent::NoServerWelcomeMessage);
            }
            return;
        }
        self.greeting_seen = true;
        let Some(cmd) = self.pending.pop_front() else {
            self.tx_event(SmtpEvent::UnableToMatchReplyWithRequest);
            return;
        };
        match cmd {
            Cmd::StartTls => {
                if code == b"220" {
                    self.tls = true;
                    self.mode = Mode::Off;
                    self.finish_tx();
                } else {
                    self.tx_event(SmtpEvent::TlsRejected);
                }
            }
            // A mid-session HELO/EHLO the server accepts resets the envelope like RSET
            // (RFC 5321 4.1.4); a rejected one leaves it.
            Cmd::Helo(id) if code[0] == b'2' && id.is_some() && id == self.open_id() && self.has_envelope() => self.finish_tx(),
            // Suricata: a 250 to RSET completes the transaction (commands pipelined before
            // the reply stay in it).
            Cmd::Rset(id) if code == b"250" && id.is_some() && id == self.open_id() => self.finish_tx(),
            Cmd::Data if code != b"354" => {
                self.tx_event(SmtpEvent::DataCommandRejected);
                if self.mode == Mode::Data {
                    self.mode = Mode::Command;
                }
            }
            _ => {}
        }
    }

    /// `len` bytes of `dir` were lost: the partial line is dropped; a message in progress ends.
    pub fn on_gap(&mut self, dir: Direction, _len: u64) {
        let i = idx(dir);
        self.lines[i].clear();
        self.line_over[i] = false;
        if dir == Direction::ToServer && matches!(self.mode, Mode::Data | Mode::Bdat { .. }) {
            self.mode = Mode::Command;
            self.finish_tx();
        }
    }

    /// The flow ended: every transaction is complete.
    pub fn on_close(&mut self, _ts: Timestamp) {
        if !self.cur_done {
            self.finish_tx();
        }
        for t in self.txs.iter_mut() {
            t.progress = TxProgress { request_complete: true, response_complete: true };
        }
    }
}

#[cfg(test)]
mod tests;
