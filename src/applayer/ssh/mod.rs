//! SSH over reassembled TCP: the identification banners (`SSH-protoversion-softwareversion
//! comments`), then the binary packet layer in clear text up to `SSH_MSG_NEWKEYS`, with the
//! `SSH_MSG_KEXINIT` name-lists kept for HASSH fingerprints (salesforce/hassh:
//! `md5("kex;enc;mac;cmp")` over the client's client-to-server lists for `hassh`, the server's
//! server-to-client lists for `hassh.server`). After NEWKEYS a direction is encrypted and its
//! bytes are ignored.
//!
//! Suricata's model: one transaction per flow, done when both directions reached NEWKEYS (or
//! at the end of the flow).
//!
//! # Bounds
//! A banner keeps at most [`SshConfig::max_banner_len`] bytes (longer: `long_banner`, the rest
//! of the line is skipped); a KEXINIT is buffered up to [`SshConfig::max_kex_record_len`]
//! bytes (longer ones are skipped, no HASSH); every other record is skipped without
//! buffering. A malformed record header raises `invalid_record` and stops that direction.

pub mod detect;
pub mod eve;
pub mod harness;

use super::{Direction, ParseOutcome, TxId, TxProgress};
use crate::time::Timestamp;

/// Limits of the SSH parser; Suricata's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshConfig {
    /// Banner bytes kept (Suricata `SSH_MAX_BANNER_LEN`, 256, less the line end).
    pub max_banner_len: usize,
    /// Largest KEXINIT record buffered for HASSH (Suricata `SSH_MAX_REASSEMBLED_RECORD_LEN`).
    pub max_kex_record_len: usize,
    /// Log HASSH in EVE (`app-layer.protocols.ssh.hassh`, off by default as in Suricata).
    /// The fingerprints are always computed, for the `ssh.hassh*` keywords.
    pub hassh_eve: bool,
}

impl Default for SshConfig {
    fn default() -> Self {
        SshConfig { max_banner_len: 255, max_kex_record_len: 65535, hassh_eve: false }
    }
}

/// An anomaly the SSH parser raises (`app-layer-event:ssh.<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SshEvent {
    /// The first line of a direction is not an `SSH-x-y` identification.
    InvalidBanner,
    /// The identification line is longer than the banner limit.
    LongBanner,
    /// A binary packet header with an impossible length.
    InvalidRecord,
}

impl SshEvent {
    /// Every event.
    pub const ALL: &'static [SshEvent] = &[SshEvent::InvalidBanner, SshEvent::LongBanner, SshEvent::InvalidRecord];

    /// The rule-visible name without the `ssh.` prefix.
    pub fn name(self) -> &'static str {
        match self {
            SshEvent::InvalidBanner => "invalid_banner",
            SshEvent::LongBanner => "long_banner",
            SshEvent::InvalidRecord => "invalid_record",
        }
    }

    /// Looks an event up by its rule name (with or without `ssh.`).
    pub fn from_name(name: &str) -> Option<SshEvent> {
        let n = name.strip_prefix("ssh.").unwrap_or(name);
        SshEvent::ALL.iter().copied().find(|e| e.name() == n)
    }
}

/// What one side announced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshHeader {
    /// Protocol version of the banner (`2.0`, `1.99`).
    pub proto_version: Vec<u8>,
    /// Software version of the banner (up to the first space).
    pub software_version: Vec<u8>,
    /// HASSH (client) or HASSH server: 32 lower-case hex digits, empty until KEXINIT.
    pub hassh: Vec<u8>,
    /// The `kex;enc;mac;cmp` string hashed into [`SshHeader::hassh`].
    pub hassh_string: Vec<u8>,
    /// The banner was parsed.
    pub banner_done: bool,
    /// NEWKEYS was seen (or this direction stopped being parsed): nothing more will change.
    pub finished: bool,
}

/// The one transaction of an SSH flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshTx {
    /// Always 0.
    pub id: TxId,
    /// request: client side finished; response: server side finished.
    pub progress: TxProgress,
    /// Per-transaction anomalies.
    pub events: Vec<SshEvent>,
    /// The client's banner and HASSH.
    pub client: SshHeader,
    /// The server's banner and HASSH server.
    pub server: SshHeader,
}

impl SshTx {
    /// The side sending in `dir`.
    pub fn header(&self, dir: Direction) -> &SshHeader {
        match dir {
            Direction::ToServer => &self.client,
            Direction::ToClient => &self.server,
        }
    }
}

/// Most events kept per flow.
const MAX_EVENTS: usize = 16;

/// SSH_MSG_KEXINIT.
const MSG_KEXINIT: u8 = 20;
/// SSH_MSG_NEWKEYS.
const MSG_NEWKEYS: u8 = 21;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Reading the identification line (`line` holds it so far).
    Banner,
    /// Skipping the rest of an over-long banner line.
    BannerSkip,
    /// Reading a 6-byte record header into `hdr`.
    Header,
    /// Buffering a KEXINIT payload of `left` more bytes into `kex`.
    Kex { left: usize },
    /// Skipping `left` bytes of a record.
    Skip { left: usize },
    /// Done with this direction (NEWKEYS, error, or gap).
    Done,
}

#[derive(Clone, Debug)]
struct Side {
    phase: Phase,
    line: Vec<u8>,
    hdr: [u8; 6],
    hdr_len: usize,
    kex: Vec<u8>,
    /// A KEXINIT was already used for HASSH (later ones are ignored).
    kex_seen: bool,
}

impl Side {
    fn new() -> Side {
        Side { phase: Phase::Banner, line: Vec::new(), hdr: [0; 6], hdr_len: 0, kex: Vec::new(), kex_seen: false }
    }
}

/// Per-flow SSH parser state. See the module docs.
#[derive(Debug)]
pub struct SshState {
    cfg: SshConfig,
    sides: [Side; 2],
    tx: SshTx,
    /// The transaction was pruned (logged): it is no longer exposed.
    pruned: bool,
    events: Vec<SshEvent>,
    closed: bool,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl SshState {
    /// A new flow's state.
    pub fn new(cfg: SshConfig) -> SshState {
        SshState { cfg, sides: [Side::new(), Side::new()], tx: SshTx::default(), pruned: false, events: Vec::new(), closed: false }
    }

    /// The configuration.
    pub fn config(&self) -> &SshConfig {
        &self.cfg
    }

    /// The live transactions (zero or one), oldest first.
    pub fn txs(&self) -> impl ExactSizeIterator<Item = &SshTx> + '_ {
        let live = !self.pruned && (self.tx.client.banner_done || self.tx.server.banner_done || self.closed);
        std::slice::from_ref(&self.tx).iter().take(usize::from(live))
    }

    /// The transaction `id`, if live.
    pub fn tx(&self, id: TxId) -> Option<&SshTx> {
        self.txs().find(|t| t.id == id)
    }

    /// The id the next transaction would get.
    pub fn next_tx_id(&self) -> TxId {
        TxId(u64::from(self.txs().len() > 0 || self.pruned))
    }

    /// Drops the transaction if it is done and below `upto`; returns how many were dropped.
    pub fn prune_done(&mut self, upto: TxId) -> usize {
        if !self.pruned && upto.0 > 0 && self.tx.progress.is_done() && self.txs().len() > 0 {
            self.pruned = true;
            return 1;
        }
        0
    }

    /// State-level anomalies (none: SSH events belong to the transaction).
    pub fn events(&self) -> &[SshEvent] {
        &self.events
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        let h = |h: &SshHeader| h.proto_version.capacity() + h.software_version.capacity() + h.hassh.capacity() + h.hassh_string.capacity();
        self.sides.iter().map(|s| s.line.capacity() + s.kex.capacity()).sum::<usize>()
            + h(&self.tx.client)
            + h(&self.tx.server)
            + self.tx.events.capacity() * std::mem::size_of::<SshEvent>()
    }

    /// Whether both directions are encrypted or stopped: nothing more to parse.
    pub fn is_finished(&self) -> bool {
        self.tx.progress.is_done()
    }

    fn event(&mut self, e: SshEvent) {
        if self.tx.events.len() < MAX_EVENTS && !self.tx.events.contains(&e) {
            self.tx.events.push(e);
        }
    }

    fn finish(&mut self, d: Direction) {
        let i = idx(d);
        self.sides[i].phase = Phase::Done;
        self.sides[i].line = Vec::new();
        self.sides[i].kex = Vec::new();
        let hdr = match d {
            Direction::ToServer => &mut self.tx.client,
            Direction::ToClient => &mut self.tx.server,
        };
        hdr.finished = true;
        match d {
            Direction::ToServer => self.tx.progress.request_complete = true,
            Direction::ToClient => self.tx.progress.response_complete = true,
        }
    }

    /// In-order bytes of `dir`.
    pub fn on_data(&mut self, dir: Direction, _ts: Timestamp, mut data: &[u8]) -> ParseOutcome {
        let i = idx(dir);
        while !data.is_empty() {
            let phase = self.sides[i].phase.clone();
            match phase {
                Phase::Done => return ParseOutcome::Consumed,
                Phase::Banner => {
                    let nl = memchr::memchr(b'\n', data);
                    let part = &data[..nl.unwrap_or(data.len())];
                    let side = &mut self.sides[i];
                    let room = self.cfg.max_banner_len + 1 - side.line.len().min(self.cfg.max_banner_len + 1);
                    let take = part.len().min(room);
                    side.line.extend_from_slice(&part[..take]);
                    match nl {
                        Some(n) => {
                            data = &data[n + 1..];
                            self.banner_line(dir, false);
                        }
                        None => {
                            data = &[];
                            if self.sides[i].line.len() > self.cfg.max_banner_len {
                                // Too long: parse what we have, skip the rest of the line.
                                self.banner_line(dir, true);
                                if self.sides[i].phase == Phase::Header {
                                    self.sides[i].phase = Phase::BannerSkip;
                                }
                            }
                        }
                    }
                }
                Phase::BannerSkip => match memchr::memchr(b'\n', data) {
                    Some(n) => {
                        data = &data[n + 1..];
                        self.sides[i].phase = Phase::Header;
                    }
                    None => data = &[],
                },
                Phase::Header => {
                    let side = &mut self.sides[i];
                    let take = (6 - side.hdr_len).min(data.len());
                    side.hdr[side.hdr_len..side.hdr_len + take].copy_from_slice(&data[..take]);
                    side.hdr_len += take;
                    data = &data[take..];
                    if side.hdr_len == 6 {
                        side.hdr_len = 0;
                        let h = side.hdr;
                        self.record_header(dir, h);
                    }
                }
                Phase::Kex { left } => {
                    let take = left.min(data.len());
                    self.sides[i].kex.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if take == left {
                        self.sides[i].phase = Phase::Header;
                        self.kexinit(dir);
                    } else {
                        self.sides[i].phase = Phase::Kex { left: left - take };
                    }
                }
                Phase::Skip { left } => {
                    let take = left.min(data.len());
                    data = &data[take..];
                    self.sides[i].phase = if take == left { Phase::Header } else { Phase::Skip { left: left - take } };
                }
            }
        }
        ParseOutcome::Consumed
    }

    /// The banner line of `dir` is complete (`truncated`: longer than the limit).
    fn banner_line(&mut self, dir: Direction, truncated: bool) {
        let i = idx(dir);
        let mut line = std::mem::take(&mut self.sides[i].line);
        let max = self.cfg.max_banner_len;
        let too_long = truncated || line.len() > max;
        line.truncate(max);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if too_long {
            self.event(SshEvent::LongBanner);
        }
        let Some((proto, soft)) = parse_banner(&line) else {
            self.event(SshEvent::InvalidBanner);
            self.finish(dir);
            return;
        };
        let hdr = match dir {
            Direction::ToServer => &mut self.tx.client,
            Direction::ToClient => &mut self.tx.server,
        };
        hdr.proto_version = proto.to_vec();
        hdr.software_version = soft.to_vec();
        hdr.banner_done = true;
        self.sides[i].phase = Phase::Header;
        line.clear();
        self.sides[i].line = line;
        self.sides[i].line.shrink_to(0);
    }

    fn record_header(&mut self, dir: Direction, h: [u8; 6]) {
        let i = idx(dir);
        let plen = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
        let pad = usize::from(h[4]);
        let code = h[5];
        // packet_length covers padding_length (1), the payload (code first) and the padding.
        if plen < 2 || pad + 2 > plen || plen > 256 * 1024 {
            self.event(SshEvent::InvalidRecord);
            self.finish(dir);
            return;
        }
        let rest = plen - 2; // bytes after the message code
        if code == MSG_NEWKEYS {
            self.finish(dir);
            return;
        }
        let side = &mut self.sides[i];
        if code == MSG_KEXINIT && !side.kex_seen && plen <= self.cfg.max_kex_record_len {
            side.kex_seen = true;
            side.kex.clear();
            let payload = rest - pad;
            side.kex.reserve(payload);
            if payload == 0 {
                self.kexinit_padding(dir, pad);
                return;
            }
            side.phase = Phase::Kex { left: payload };
            // The padding follows the payload: skipped after the payload is parsed.
            side.hdr = [0, 0, 0, 0, h[4], 0];
            return;
        }
        side.phase = if rest == 0 { Phase::Header } else { Phase::Skip { left: rest } };
    }

    fn kexinit_padding(&mut self, dir: Direction, pad: usize) {
        let side = &mut self.sides[idx(dir)];
        side.phase = if pad == 0 { Phase::Header } else { Phase::Skip { left: pad } };
    }

    /// A whole KEXINIT payload (after the message code, without padding) is in `kex`.
    fn kexinit(&mut self, dir: Direction) {
        let i = idx(dir);
        let kex = std::mem::take(&mut self.sides[i].kex);
        let pad = usize::from(self.sides[i].hdr[4]);
        if let Some((s, hash)) = hassh(&kex, dir) {
            let hdr = match dir {
                Direction::ToServer => &mut self.tx.client,
                Direction::ToClient => &mut self.tx.server,
            };
            hdr.hassh_string = s;
            hdr.hassh = hash;
        }
        self.kexinit_padding(dir, pad);
    }

    /// `len` bytes of `dir` were lost: that direction cannot be followed any more.
    pub fn on_gap(&mut self, dir: Direction, _len: u64) {
        if self.sides[idx(dir)].phase != Phase::Done {
            self.finish(dir);
        }
    }

    /// The flow ended: the transaction is complete.
    pub fn on_close(&mut self, _ts: Timestamp) {
        self.closed = true;
        for d in [Direction::ToServer, Direction::ToClient] {
            if self.sides[idx(d)].phase != Phase::Done {
                self.finish(d);
            }
        }
    }
}

/// `SSH-<proto>-<software>[ <comments>]` → (proto, software). The software version ends at
/// the first space (Suricata: also at CR/LF). `None` when the line is not an identification.
pub fn parse_banner(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = line.strip_prefix(b"SSH-")?;
    let dash = memchr::memchr(b'-', rest)?;
    let proto = &rest[..dash];
    if proto.is_empty() {
        return None;
    }
    let sw = &rest[dash + 1..];
    let end = sw.iter().position(|&c| c == b' ' || c == b'\r' || c == b'\n').unwrap_or(sw.len());
    Some((proto, &sw[..end]))
}

/// Reads one SSH name-list (u32 length + bytes) from `b`.
fn name_list(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize;
    let v = b.get(4..4 + n)?;
    Some((v, &b[4 + n..]))
}

/// The HASSH string and its MD5 (lower-case hex) from a KEXINIT payload (cookie first).
/// Client (`ToServer`): kex;enc c2s;mac c2s;cmp c2s. Server: kex;enc s2c;mac s2c;cmp s2c.
pub fn hassh(payload: &[u8], dir: Direction) -> Option<(Vec<u8>, Vec<u8>)> {
    use md5::{Digest, Md5};
    let b = payload.get(16..)?;
    let (kex, b) = name_list(b)?;
    let (_hostkey, b) = name_list(b)?;
    let (enc_cs, b) = name_list(b)?;
    let (enc_sc, b) = name_list(b)?;
    let (mac_cs, b) = name_list(b)?;
    let (mac_sc, b) = name_list(b)?;
    let (cmp_cs, b) = name_list(b)?;
    let (cmp_sc, _) = name_list(b)?;
    let (enc, mac, cmp) = match dir {
        Direction::ToServer => (enc_cs, mac_cs, cmp_cs),
        Direction::ToClient => (enc_sc, mac_sc, cmp_sc),
    };
    let mut s = Vec::with_capacity(kex.len() + enc.len() + mac.len() + cmp.len() + 3);
    for (k, part) in [kex, enc, mac, cmp].into_iter().enumerate() {
        if k > 0 {
            s.push(b';');
        }
        s.extend_from_slice(part);
    }
    let digest = Md5::digest(&s);
    let mut hex = Vec::with_capacity(32);
    for byte in digest {
        hex.push(b"0123456789abcdef"[usize::from(byte >> 4)]);
        hex.push(b"0123456789abcdef"[usize::from(byte & 15)]);
    }
    Some((s, hex))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{ToClient as TC, ToServer as TS};

    fn record(code: u8, payload: &[u8]) -> Vec<u8> {
        let pad = 4 + (8 - (payload.len() + 1 + 5 + 4) % 8) % 8;
        let plen = 1 + 1 + payload.len() + pad;
        let mut v = (plen as u32).to_be_bytes().to_vec();
        v.push(pad as u8);
        v.push(code);
        v.extend_from_slice(payload);
        v.extend(std::iter::repeat_n(0u8, pad));
        v
    }

    fn kexinit(lists: [&str; 10]) -> Vec<u8> {
        let mut p = vec![0x11u8; 16];
        for l in lists {
            p.extend_from_slice(&(l.len() as u32).to_be_bytes());
            p.extend_from_slice(l.as_bytes());
        }
        p.extend_from_slice(&[0, 0, 0, 0, 0]);
        record(MSG_KEXINIT, &p)
    }

    pub(crate) fn conversation() -> (Vec<u8>, Vec<u8>) {
        let mut c = b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n".to_vec();
        c.extend(kexinit([
            "curve25519-sha256,ext-info-c",
            "ssh-ed25519",
            "aes128-ctr,aes256-gcm@openssh.com",
            "aes256-ctr",
            "hmac-sha2-256",
            "hmac-sha1",
            "none,zlib@openssh.com",
            "none",
            "",
            "",
        ]));
        c.extend(record(30, &[7u8; 40]));
        c.extend(record(MSG_NEWKEYS, &[]));
        c.extend_from_slice(&[0xAB; 100]);
        let mut s = b"SSH-1.99-Cisco-1.25\n".to_vec();
        s.extend(kexinit(["diffie-hellman-group14-sha1", "ssh-rsa", "aes128-cbc", "aes128-ctr", "hmac-sha1", "hmac-md5", "none", "zlib", "", ""]));
        s.extend(record(MSG_NEWKEYS, &[]));
        s.extend_from_slice(&[0xCD; 64]);
        (c, s)
    }

    #[test]
    fn banners_and_hassh() {
        let (c, s) = conversation();
        let mut st = SshState::new(SshConfig::default());
        st.on_data(TS, Timestamp::default(), &c);
        assert!(!st.is_finished());
        st.on_data(TC, Timestamp::default(), &s);
        assert!(st.is_finished());
        let tx = st.txs().next().expect("tx");
        assert_eq!(tx.client.proto_version, b"2.0");
        assert_eq!(tx.client.software_version, b"OpenSSH_8.9p1");
        assert_eq!(tx.server.proto_version, b"1.99");
        assert_eq!(tx.server.software_version, b"Cisco-1.25");
        assert_eq!(tx.client.hassh_string, b"curve25519-sha256,ext-info-c;aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;none,zlib@openssh.com");
        assert_eq!(tx.server.hassh_string, b"diffie-hellman-group14-sha1;aes128-ctr;hmac-md5;zlib");
        assert_eq!(tx.client.hassh.len(), 32);
        assert!(tx.events.is_empty(), "{:?}", tx.events);
    }

    #[test]
    fn hassh_md5_is_the_spec_one() {
        // md5("") and md5("abc") (RFC 1321) through the same hex path.
        let mut p = vec![0u8; 16];
        for _ in 0..10 {
            p.extend_from_slice(&[0, 0, 0, 0]);
        }
        let (s, h) = hassh(&p, TS).expect("parse");
        assert_eq!(s, b";;;");
        use md5::{Digest, Md5};
        let want: String = Md5::digest(b";;;").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(h, want.as_bytes());
        let abc: String = Md5::digest(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(abc, "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn any_chunking_gives_the_same_tx() {
        let (c, s) = conversation();
        let mut whole = SshState::new(SshConfig::default());
        whole.on_data(TS, Timestamp::default(), &c);
        whole.on_data(TC, Timestamp::default(), &s);
        for n in 1..40 {
            let mut st = SshState::new(SshConfig::default());
            for (a, b) in c.chunks(n).zip(s.chunks(n).chain(std::iter::repeat(&[][..]))) {
                st.on_data(TS, Timestamp::default(), a);
                st.on_data(TC, Timestamp::default(), b);
            }
            for b in s.chunks(n).skip(c.chunks(n).len()) {
                st.on_data(TC, Timestamp::default(), b);
            }
            assert_eq!(st.txs().next(), whole.txs().next(), "chunk {n}");
        }
    }

    #[test]
    fn bad_and_long_banners() {
        let mut st = SshState::new(SshConfig::default());
        st.on_data(TS, Timestamp::default(), b"HELLO\r\n");
        assert_eq!(st.txs().next().map(|t| t.events.clone()), None);
        st.on_data(TC, Timestamp::default(), b"SSH-2.0-x\r\n");
        let tx = st.txs().next().expect("tx");
        assert_eq!(tx.events, vec![SshEvent::InvalidBanner]);
        assert!(tx.client.finished);

        let mut st = SshState::new(SshConfig::default());
        let mut long = b"SSH-2.0-".to_vec();
        long.extend(std::iter::repeat_n(b'A', 400));
        long.extend_from_slice(b"\r\n");
        long.extend(record(MSG_NEWKEYS, &[]));
        for c in long.chunks(7) {
            st.on_data(TS, Timestamp::default(), c);
        }
        let tx = st.txs().next().expect("tx");
        assert_eq!(tx.events, vec![SshEvent::LongBanner]);
        assert_eq!(tx.client.software_version.len(), 255 - 8);
        assert!(tx.client.finished, "records parsed after the long line");
    }

    #[test]
    fn invalid_record_stops_the_direction() {
        let mut st = SshState::new(SshConfig::default());
        st.on_data(TS, Timestamp::default(), b"SSH-2.0-x\r\n\x00\x00\x00\x01\x00\x14");
        let tx = st.txs().next().expect("tx");
        assert_eq!(tx.events, vec![SshEvent::InvalidRecord]);
        assert!(tx.progress.request_complete);
    }

    #[test]
    fn events_match_the_builtin_rules() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/ssh-events.rules");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path} missing: {e}"));
        let mut n = 0;
        for l in text.lines().filter(|l| l.contains("app-layer-event:")) {
            let name = l.split("app-layer-event:").nth(1).and_then(|r| r.split(';').next()).expect("event").trim();
            assert!(SshEvent::from_name(name).is_some(), "{name}");
            n += 1;
        }
        assert_eq!(n, SshEvent::ALL.len());
    }

    #[test]
    fn prune_and_close() {
        let (c, s) = conversation();
        let mut st = SshState::new(SshConfig::default());
        st.on_data(TS, Timestamp::default(), &c);
        assert_eq!(st.prune_done(TxId(1)), 0, "not done yet");
        st.on_data(TC, Timestamp::default(), &s);
        assert_eq!(st.prune_done(TxId(1)), 1);
        assert_eq!(st.txs().len(), 0);
        assert_eq!(st.next_tx_id(), TxId(1));
        st.on_close(Timestamp::default());
        assert_eq!(st.txs().len(), 0);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(c in proptest::collection::vec(any::<u8>(), 0..600), s in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut st = SshState::new(SshConfig::default());
            st.on_data(Direction::ToServer, Timestamp::default(), &c);
            st.on_data(Direction::ToClient, Timestamp::default(), &s);
            harness::check(&st);
            st.on_close(Timestamp::default());
            prop_assert!(st.txs().all(|t| t.progress.is_done()));
        }

        #[test]
        fn split_anywhere_is_equivalent(cut in 0usize..400, tail in proptest::collection::vec(any::<u8>(), 0..64)) {
            let (mut c, s) = tests::conversation();
            c.extend_from_slice(&tail);
            let cut = cut.min(c.len());
            let mut whole = SshState::new(SshConfig::default());
            whole.on_data(Direction::ToServer, Timestamp::default(), &c);
            whole.on_data(Direction::ToClient, Timestamp::default(), &s);
            let mut split = SshState::new(SshConfig::default());
            split.on_data(Direction::ToServer, Timestamp::default(), &c[..cut]);
            split.on_data(Direction::ToClient, Timestamp::default(), &s[..cut.min(s.len())]);
            split.on_data(Direction::ToServer, Timestamp::default(), &c[cut..]);
            split.on_data(Direction::ToClient, Timestamp::default(), &s[cut.min(s.len())..]);
            prop_assert_eq!(whole.txs().next(), split.txs().next());
        }
    }
}
