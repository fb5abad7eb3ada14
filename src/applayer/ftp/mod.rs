//! FTP control channel over reassembled TCP (RFC 959, RFC 2428), as Suricata parses it:
//! one transaction per known command with the reply lines that follow it; reply lines are
//! attached to the oldest transaction still waiting (a reply with no command pending, such
//! as the `220` greeting, gets a transaction of its own); a `1yz` line keeps the transaction
//! open, any other line completes it. Reply lines that arrive in the same chunk after the
//! completing line stay with that transaction (Suricata's per-call grouping).
//!
//! PORT/EPRT (active) and PASV/EPSV (passive) set the flow's dynamic port; a data command
//! (RETR, STOR, LIST, ...) then announces a data channel: the state queues an
//! [`FtpExpectation`] that the session puts into the shared [`expect::ExpectTable`], so the
//! data connection gets `app_proto` `ftp-data` ([`FtpDataState`]) on whichever worker sees it.
//!
//! # Bounds (in [`FtpConfig`])
//! A line keeps at most `max_line_len` bytes (longer: truncated, `*_command_too_long`); a
//! transaction at most `max_reply_lines` reply lines and `max_reply_bytes` bytes (then
//! `reply_truncated`); a flow at most `max_txs` live transactions (`too_many_transactions`);
//! at most [`MAX_PENDING_EXPECT`] expectations wait to be taken.

pub mod detect;
pub mod eve;
pub mod expect;
pub mod harness;

use super::{Direction, ParseOutcome, TxId, TxProgress};
use crate::time::Timestamp;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Limits of the FTP parser; Suricata's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpConfig {
    /// Longest command or reply line kept (`app-layer.protocols.ftp.max-line-length`, 4 KiB).
    pub max_line_len: usize,
    /// Live transactions per flow (`max-tx`, 256).
    pub max_txs: usize,
    /// Reply lines kept per transaction.
    pub max_reply_lines: usize,
    /// Reply bytes kept per transaction.
    pub max_reply_bytes: usize,
}

impl Default for FtpConfig {
    fn default() -> Self {
        FtpConfig { max_line_len: 4096, max_txs: 256, max_reply_lines: 1024, max_reply_bytes: 64 * 1024 }
    }
}

/// An anomaly the FTP parser raises (`app-layer-event:ftp.<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FtpEvent {
    /// A command line longer than the line limit.
    RequestCommandTooLong,
    /// A reply line longer than the line limit.
    ResponseCommandTooLong,
    /// More live transactions than the limit.
    TooManyTransactions,
    /// A data command before any PORT/EPRT/PASV/EPSV.
    FileBeforePort,
    /// RETR/STOR without a file name.
    FileWithoutName,
}

impl FtpEvent {
    /// Every event.
    pub const ALL: &'static [FtpEvent] = &[
        FtpEvent::RequestCommandTooLong,
        FtpEvent::ResponseCommandTooLong,
        FtpEvent::TooManyTransactions,
        FtpEvent::FileBeforePort,
        FtpEvent::FileWithoutName,
    ];

    /// The rule-visible name without `ftp.`.
    pub fn name(self) -> &'static str {
        match self {
            FtpEvent::RequestCommandTooLong => "request_command_too_long",
            FtpEvent::ResponseCommandTooLong => "response_command_too_long",
            FtpEvent::TooManyTransactions => "too_many_transactions",
            FtpEvent::FileBeforePort => "file_before_port",
            FtpEvent::FileWithoutName => "file_without_name",
        }
    }

    /// Looks an event up by its rule name (with or without `ftp.`).
    pub fn from_name(name: &str) -> Option<FtpEvent> {
        let n = name.strip_prefix("ftp.").unwrap_or(name);
        FtpEvent::ALL.iter().copied().find(|e| e.name() == n)
    }
}

/// The commands Suricata knows (others make no transaction), as it names them in EVE.
pub const COMMANDS: &[&str] = &[
    "ABOR", "ACCT", "ALLO", "APPE", "AUTH TLS", "CDUP", "CHMOD", "CWD", "DELE", "EPSV", "EPRT", "HELP", "IDLE", "LIST", "MAIL", "MDTM", "MKD", "MLFL", "MODE",
    "MRCP", "MRSQ", "MSAM", "MSND", "MSOM", "NLST", "NOOP", "PASS", "PASV", "PORT", "PWD", "QUIT", "REIN", "REST", "RETR", "RMD", "RNFR", "RNTO", "SITE",
    "SIZE", "SMNT", "STAT", "STOR", "STOU", "STRU", "SYST", "TYPE", "UMASK", "USER",
];

/// Commands that open a data connection (logged in `ftp_data`).
const DATA_COMMANDS: &[&str] = &["RETR", "STOR", "APPE", "STOU", "LIST", "NLST"];
/// Data commands whose argument is a file name.
const FILE_COMMANDS: &[&str] = &["RETR", "STOR", "APPE", "STOU"];

/// Most expectations queued in a state before the session takes them.
pub const MAX_PENDING_EXPECT: usize = 16;
/// Most events kept per transaction.
const MAX_EVENTS: usize = 8;

/// One FTP transaction: a command and its reply lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FtpTx {
    /// Monotonic id.
    pub id: TxId,
    /// request: the command line was seen (or none will be); response: the reply completed.
    pub progress: TxProgress,
    /// Per-transaction anomalies.
    pub events: Vec<FtpEvent>,
    /// The command as Suricata names it (`None`: a reply without a command).
    pub command: Option<&'static str>,
    /// The argument after the command and one space (without the line end).
    pub command_data: Vec<u8>,
    /// The command line was longer than the limit.
    pub command_truncated: bool,
    /// Reply lines, without line ends.
    pub replies: Vec<Vec<u8>>,
    /// Reply lines or bytes were dropped (line too long or per-tx bound).
    pub reply_truncated: bool,
    /// A final (non-1yz) reply line was seen.
    pub done: bool,
    /// Dynamic port set by this command's reply (PORT/EPRT/PASV/EPSV), 0 if none.
    pub dyn_port: u16,
    /// Active mode (PORT/EPRT) rather than passive.
    pub active: bool,
    /// PORT/EPRT: the address the client asked the server to connect to.
    pub port_addr: Option<IpAddr>,
    /// PORT/EPRT to an address other than the client's (the `ftpbounce` condition).
    pub bounce: bool,
}

/// A data channel announced by the control channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpExpectation {
    /// The data connection's destination port.
    pub port: u16,
    /// The data command (`RETR`, `LIST`, ...).
    pub command: &'static str,
    /// Its file name (empty for listings), bounded by the line limit.
    pub filename: Vec<u8>,
    /// When it was announced.
    pub ts: Timestamp,
}

#[derive(Clone, Debug, Default)]
struct LineBuf {
    buf: Vec<u8>,
    truncated: bool,
}

/// Per-flow FTP state. See the module docs.
#[derive(Debug)]
pub struct FtpState {
    cfg: FtpConfig,
    txs: VecDeque<FtpTx>,
    next_id: u64,
    lines: [LineBuf; 2],
    /// Dynamic port of the last PORT/EPRT/PASV/EPSV (0: none yet).
    dyn_port: u16,
    active: bool,
    client_addr: Option<IpAddr>,
    expectations: Vec<FtpExpectation>,
    events: Vec<FtpEvent>,
    /// A tx was given a reply line in the current `on_data` call: later lines of the same
    /// call go to it when nothing else waits.
    call_tx: Option<u64>,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl FtpState {
    /// A new flow's state.
    pub fn new(cfg: FtpConfig) -> FtpState {
        FtpState {
            cfg,
            txs: VecDeque::new(),
            next_id: 0,
            lines: [LineBuf::default(), LineBuf::default()],
            dyn_port: 0,
            active: false,
            client_addr: None,
            expectations: Vec::new(),
            events: Vec::new(),
            call_tx: None,
        }
    }

    /// The client's address (for `ftpbounce`): set by the session when the state is created.
    pub fn set_client_addr(&mut self, ip: IpAddr) {
        self.client_addr = Some(ip);
    }

    /// The configuration.
    pub fn config(&self) -> &FtpConfig {
        &self.cfg
    }

    /// Live transactions, oldest first.
    pub fn txs(&self) -> impl ExactSizeIterator<Item = &FtpTx> + '_ {
        self.txs.iter()
    }

    /// Transaction `id`, if live.
    pub fn tx(&self, id: TxId) -> Option<&FtpTx> {
        self.txs.iter().find(|t| t.id == id)
    }

    /// The id the next transaction gets.
    pub fn next_tx_id(&self) -> TxId {
        TxId(self.next_id)
    }

    /// Drops done transactions below `upto`; returns how many.
    pub fn prune_done(&mut self, upto: TxId) -> usize {
        let before = self.txs.len();
        self.txs.retain(|t| !(t.id < upto && t.progress.is_done()));
        before - self.txs.len()
    }

    /// State-level anomalies (too many transactions).
    pub fn events(&self) -> &[FtpEvent] {
        &self.events
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        let tx: usize = self
            .txs
            .iter()
            .map(|t| std::mem::size_of::<FtpTx>() + t.command_data.capacity() + t.replies.iter().map(|r| r.capacity() + 24).sum::<usize>())
            .sum();
        tx + self.lines.iter().map(|l| l.buf.capacity()).sum::<usize>() + self.expectations.iter().map(|e| e.filename.capacity() + 48).sum::<usize>()
    }

    /// Takes the data channels announced since the last call.
    pub fn take_expectations(&mut self) -> std::vec::Drain<'_, FtpExpectation> {
        self.expectations.drain(..)
    }

    /// Whether an expectation is waiting to be taken (cheap check for the session).
    pub fn has_expectations(&self) -> bool {
        !self.expectations.is_empty()
    }

    /// In-order bytes of `dir`.
    pub fn on_data(&mut self, dir: Direction, ts: Timestamp, mut data: &[u8]) -> ParseOutcome {
        let i = idx(dir);
        self.call_tx = None;
        while !data.is_empty() {
            let nl = memchr::memchr(b'\n', data);
            let part = &data[..nl.unwrap_or(data.len())];
            let lb = &mut self.lines[i];
            let room = self.cfg.max_line_len.saturating_sub(lb.buf.len());
            if part.len() > room {
                lb.truncated = true;
            }
            lb.buf.extend_from_slice(&part[..part.len().min(room)]);
            match nl {
                Some(n) => {
                    data = &data[n + 1..];
                    let mut line = std::mem::take(&mut self.lines[i].buf);
                    let truncated = std::mem::take(&mut self.lines[i].truncated);
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    match dir {
                        Direction::ToServer => self.request_line(&line, truncated, ts),
                        Direction::ToClient => self.reply_line(&line, truncated),
                    }
                    line.clear();
                    if line.capacity() <= self.cfg.max_line_len {
                        self.lines[i].buf = line;
                    }
                }
                None => data = &[],
            }
        }
        ParseOutcome::Consumed
    }

    fn tx_event(tx: &mut FtpTx, e: FtpEvent) {
        if tx.events.len() < MAX_EVENTS && !tx.events.contains(&e) {
            tx.events.push(e);
        }
    }

    fn new_tx(&mut self) -> Option<&mut FtpTx> {
        if self.txs.len() >= self.cfg.max_txs {
            if self.events.len() < MAX_EVENTS && !self.events.contains(&FtpEvent::TooManyTransactions) {
                self.events.push(FtpEvent::TooManyTransactions);
            }
            return None;
        }
        let id = TxId(self.next_id);
        self.next_id += 1;
        self.txs.push_back(FtpTx { id, ..FtpTx::default() });
        self.txs.back_mut()
    }

    fn request_line(&mut self, line: &[u8], truncated: bool, ts: Timestamp) {
        let Some(cmd) = command_of(line) else { return };
        let data = line.get(cmd.len() + 1..).unwrap_or(&[]).to_vec();
        let (dyn_port, client) = (self.dyn_port, self.client_addr);
        let mut expect = None;
        let Some(tx) = self.new_tx() else { return };
        tx.command = Some(cmd);
        tx.progress.request_complete = true;
        tx.command_truncated = truncated;
        if truncated {
            Self::tx_event(tx, FtpEvent::RequestCommandTooLong);
        }
        match cmd {
            "PORT" | "EPRT" => {
                let parsed = if cmd == "PORT" { parse_port(&data) } else { parse_eprt(&data) };
                if let Some((ip, _)) = parsed {
                    tx.port_addr = ip;
                    tx.bounce = matches!((ip, client), (Some(a), Some(c)) if a != c);
                }
            }
            c if DATA_COMMANDS.contains(&c) => {
                let is_file = FILE_COMMANDS.contains(&c);
                if is_file && data.is_empty() {
                    Self::tx_event(tx, FtpEvent::FileWithoutName);
                }
                if dyn_port == 0 {
                    Self::tx_event(tx, FtpEvent::FileBeforePort);
                } else {
                    let filename = if is_file { data.clone() } else { Vec::new() };
                    expect = Some(FtpExpectation { port: dyn_port, command: c, filename, ts });
                }
            }
            _ => {}
        }
        tx.command_data = data;
        if let Some(e) = expect {
            if self.expectations.len() < MAX_PENDING_EXPECT {
                self.expectations.push(e);
            }
        }
    }

    fn reply_line(&mut self, line: &[u8], truncated: bool) {
        // The oldest transaction waiting for a reply, else the one of this call, else a new one.
        let pos = match self.txs.iter().position(|t| !t.done) {
            Some(p) => Some(p),
            None => match self.call_tx.and_then(|id| self.txs.iter().position(|t| t.id.0 == id)) {
                Some(p) => Some(p),
                None => {
                    if self.new_tx().is_none() {
                        return;
                    }
                    Some(self.txs.len() - 1)
                }
            },
        };
        let Some(p) = pos else { return };
        let (max_lines, max_bytes) = (self.cfg.max_reply_lines, self.cfg.max_reply_bytes);
        let mut port_update = None;
        let Some(tx) = self.txs.get_mut(p) else { return };
        self.call_tx = Some(tx.id.0);
        tx.progress.request_complete = true;
        if !tx.done {
            let dp = match tx.command {
                Some("PORT") => parse_port(&tx.command_data).map(|(_, p)| p),
                Some("EPRT") => parse_eprt(&tx.command_data).map(|(_, p)| p),
                Some("PASV") if line.starts_with(b"227 ") => parse_pasv(line),
                Some("EPSV") if line.starts_with(b"229 ") => parse_epsv(line),
                _ => None,
            };
            if let Some(dp) = dp.filter(|p| *p != 0) {
                tx.dyn_port = dp;
                tx.active = matches!(tx.command, Some("PORT" | "EPRT"));
                port_update = Some((dp, tx.active));
            }
        }
        if truncated {
            tx.reply_truncated = true;
            Self::tx_event(tx, FtpEvent::ResponseCommandTooLong);
        }
        let used: usize = tx.replies.iter().map(Vec::len).sum();
        if !line.is_empty() {
            if tx.replies.len() < max_lines && used + line.len() <= max_bytes {
                tx.replies.push(line.to_vec());
            } else {
                tx.reply_truncated = true;
            }
        }
        let ppr = line.len() >= 3 && line[0] == b'1' && line[..3].iter().all(u8::is_ascii_digit);
        if !ppr {
            tx.done = true;
            tx.progress.response_complete = true;
        }
        if let Some((p, a)) = port_update {
            self.dyn_port = p;
            self.active = a;
        }
    }

    /// `len` bytes of `dir` were lost: the partial line is dropped.
    pub fn on_gap(&mut self, dir: Direction, _len: u64) {
        let lb = &mut self.lines[idx(dir)];
        lb.buf.clear();
        lb.truncated = false;
    }

    /// The flow ended: every transaction is complete.
    pub fn on_close(&mut self, _ts: Timestamp) {
        for t in self.txs.iter_mut() {
            t.progress.request_complete = true;
            t.progress.response_complete = true;
        }
    }
}

/// The known command at the start of `line` (case-insensitive, followed by a space or the end).
pub fn command_of(line: &[u8]) -> Option<&'static str> {
    COMMANDS
        .iter()
        .copied()
        .find(|c| line.len() >= c.len() && line[..c.len()].eq_ignore_ascii_case(c.as_bytes()) && (line.len() == c.len() || line[c.len()] == b' '))
}

fn num(s: &[u8]) -> Option<u32> {
    let s = s.trim_ascii();
    if s.is_empty() || s.len() > 5 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// `h1,h2,h3,h4,p1,p2` → (address, port).
pub fn parse_port(arg: &[u8]) -> Option<(Option<IpAddr>, u16)> {
    let mut it = arg.split(|&c| c == b',');
    let mut v = [0u32; 6];
    for x in v.iter_mut() {
        *x = num(it.next()?)?;
    }
    if it.next().is_some() || v.iter().any(|x| *x > 255) {
        return None;
    }
    let ip = IpAddr::from([v[0] as u8, v[1] as u8, v[2] as u8, v[3] as u8]);
    Some((Some(ip), (v[4] * 256 + v[5]) as u16))
}

/// `|proto|address|port|` (RFC 2428) → (address, port).
pub fn parse_eprt(arg: &[u8]) -> Option<(Option<IpAddr>, u16)> {
    let d = *arg.first()?;
    let parts: Vec<&[u8]> = arg[1..].splitn(4, |&c| c == d).collect();
    if parts.len() < 3 {
        return None;
    }
    let ip = std::str::from_utf8(parts[1]).ok().and_then(|s| s.parse::<IpAddr>().ok());
    let port = num(parts[2])?;
    u16::try_from(port).ok().map(|p| (ip, p))
}

/// `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` → port.
pub fn parse_pasv(line: &[u8]) -> Option<u16> {
    let start = line.iter().position(|&c| c == b'(').map(|p| p + 1).or_else(|| line.iter().skip(4).position(u8::is_ascii_digit).map(|p| p + 4))?;
    let rest = &line[start..];
    let end = rest.iter().position(|&c| c != b',' && !c.is_ascii_digit() && c != b' ').unwrap_or(rest.len());
    parse_port(&rest[..end]).map(|(_, p)| p)
}

/// `229 Entering Extended Passive Mode (|||port|)` → port.
pub fn parse_epsv(line: &[u8]) -> Option<u16> {
    let start = line.iter().position(|&c| c == b'(')? + 1;
    let rest = &line[start..];
    let d = *rest.first()?;
    let parts: Vec<&[u8]> = rest[1..].splitn(4, |&c| c == d).collect();
    let port = num(parts.get(2)?)?;
    u16::try_from(port).ok()
}

/// The data connection's app-layer state (`ftp-data`): which command it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpDataState {
    /// The control flow's id (EVE `parent_id`).
    pub parent_flow: u64,
    /// The transaction (one per data flow).
    pub tx: FtpDataTx,
    /// Bytes seen per direction.
    pub bytes: [u64; 2],
    logged: bool,
}

/// The one transaction of an `ftp-data` flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpDataTx {
    /// Always 0.
    pub id: TxId,
    /// Complete at the end of the flow.
    pub progress: TxProgress,
    /// The data command (`RETR`, `STOR`, `LIST`, ...).
    pub command: &'static str,
    /// The file name of RETR/STOR (empty otherwise).
    pub filename: Vec<u8>,
}

impl FtpDataState {
    /// A data flow matched to expectation `e` of control flow `parent_flow`.
    pub fn new(parent_flow: u64, e: &FtpExpectation) -> FtpDataState {
        FtpDataState {
            parent_flow,
            tx: FtpDataTx { id: TxId(0), progress: TxProgress::default(), command: e.command, filename: e.filename.clone() },
            bytes: [0; 2],
            logged: false,
        }
    }

    /// Data bytes of `dir` (counted, not kept).
    pub fn on_data(&mut self, dir: Direction, data: &[u8]) {
        self.bytes[idx(dir)] += data.len() as u64;
    }

    /// The flow ended.
    pub fn on_close(&mut self) {
        self.tx.progress = TxProgress { request_complete: true, response_complete: true };
    }

    /// Returns true once, when the transaction is complete and not yet logged.
    pub fn take_loggable(&mut self) -> bool {
        if self.tx.progress.is_done() && !self.logged {
            self.logged = true;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests;
