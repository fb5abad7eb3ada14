//! Protocol detection by content, as Suricata's pattern-matching detection and probing parsers
//! do: the first bytes of each direction are checked against every candidate, with the server
//! port as a hint where content alone is ambiguous (a `220` banner, a DNS header).
//!
//! [`probe`] is a pure function over "the bytes seen so far in one direction"; [`Prober`] keeps
//! those bytes per direction (at most [`PROBE_MAX_BYTES`] each) and combines both directions into
//! one [`AppProto`] verdict, so callers can feed chunks of any size.
//!
//! Bounds: at most [`PROBE_MAX_BYTES`] bytes are kept and examined per direction; a direction
//! still undecided at that size counts as no match. Nothing here panics on input.

use super::{AppProto, Direction};

/// Bytes examined per direction before detection gives up on that direction.
pub const PROBE_MAX_BYTES: usize = 1024;

/// Transport the bytes came over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// TCP: the reassembled stream.
    Tcp,
    /// UDP: one datagram's payload.
    Udp,
}

/// The result of probing one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    /// Not enough bytes to decide; call again with more.
    NeedMore,
    /// The bytes are this protocol.
    Found(AppProto),
    /// No candidate protocol can match these bytes.
    NoMatch,
}

/// One candidate check: [`ProbeResult::Found`] with its protocol, `NeedMore` or `NoMatch`.
type Check = fn(Direction, &[u8], u16) -> ProbeResult;

/// TCP candidates in priority order (first `Found` wins).
const TCP_CHECKS: &[(AppProto, Check)] = &[
    (AppProto::Http1, check_http),
    (AppProto::Tls, check_tls),
    (AppProto::Ssh, check_ssh),
    (AppProto::Smtp, check_smtp),
    (AppProto::Ftp, check_ftp),
    (AppProto::Dns, check_dns_tcp),
];

/// UDP candidates in priority order.
const UDP_CHECKS: &[(AppProto, Check)] = &[(AppProto::Dns, check_dns_udp)];

/// HTTP request methods recognised at the start of a to_server stream (Suricata's list plus
/// WebDAV). Matched case-insensitively (as Suricata's patterns) and followed by a space or tab.
pub const HTTP_METHODS: &[&[u8]] = &[
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"CONNECT",
    b"TRACE",
    b"PATCH",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"CHECKOUT",
    b"UNCHECKOUT",
    b"CHECKIN",
    b"UPDATE",
    b"LABEL",
    b"REPORT",
    b"MKWORKSPACE",
    b"MKACTIVITY",
    b"MERGE",
    b"SEARCH",
    b"BASELINE-CONTROL",
    b"VERSION-CONTROL",
    b"INVALID",
    b"POLL",
    b"BPROPFIND",
    b"SUBSCRIBE",
    b"UNSUBSCRIBE",
    b"NOTIFY",
];

/// Probes `data` (the first bytes of direction `dir`, starting at stream offset 0) for every
/// candidate of `transport`. `server_port` is the flow's server-side port, used only as a hint.
pub fn probe(transport: Transport, dir: Direction, data: &[u8], server_port: u16) -> ProbeResult {
    let checks = match transport {
        Transport::Tcp => TCP_CHECKS,
        Transport::Udp => UDP_CHECKS,
    };
    let mut need_more = false;
    for (_, check) in checks {
        match check(dir, data, server_port) {
            ProbeResult::Found(p) => return ProbeResult::Found(p),
            ProbeResult::NeedMore => need_more = true,
            ProbeResult::NoMatch => {}
        }
    }
    if need_more && data.len() < PROBE_MAX_BYTES {
        ProbeResult::NeedMore
    } else {
        ProbeResult::NoMatch
    }
}

/// `data` starts with `pat`: `Some(true)`; could still (too short): `None`; cannot: `Some(false)`.
fn prefix(data: &[u8], pat: &[u8], ignore_case: bool) -> Option<bool> {
    let n = data.len().min(pat.len());
    let (a, b) = (&data[..n], &pat[..n]);
    let same = if ignore_case { a.eq_ignore_ascii_case(b) } else { a == b };
    if !same {
        Some(false)
    } else if n < pat.len() {
        None
    } else {
        Some(true)
    }
}

fn check_http(dir: Direction, data: &[u8], _port: u16) -> ProbeResult {
    match dir {
        Direction::ToClient => match prefix(data, b"HTTP/", true) {
            Some(true) => ProbeResult::Found(AppProto::Http1),
            None => ProbeResult::NeedMore,
            Some(false) => ProbeResult::NoMatch,
        },
        Direction::ToServer => {
            let mut need = false;
            for m in HTTP_METHODS {
                // Suricata registers the method patterns case-insensitively.
                match prefix(data, m, true) {
                    Some(true) => match data.get(m.len()) {
                        Some(b' ') | Some(b'\t') => return ProbeResult::Found(AppProto::Http1),
                        Some(_) => {}
                        None => need = true,
                    },
                    None => need = true,
                    Some(false) => {}
                }
            }
            if need {
                ProbeResult::NeedMore
            } else {
                ProbeResult::NoMatch
            }
        }
    }
}

fn check_tls(dir: Direction, data: &[u8], _port: u16) -> ProbeResult {
    let b0 = match data.first() {
        Some(b) => *b,
        None => return ProbeResult::NeedMore,
    };
    if b0 == 0x16 {
        // TLS record: handshake, version 3.x (SSLv3 .. TLS 1.3 legacy 3.1/3.3).
        return match (data.get(1), data.get(2)) {
            (Some(0x03), Some(minor)) if *minor <= 0x04 => ProbeResult::Found(AppProto::Tls),
            (Some(0x03), None) | (None, _) => ProbeResult::NeedMore,
            _ => ProbeResult::NoMatch,
        };
    }
    if b0 & 0x80 != 0 {
        // SSLv2 record with a 2-byte header: [len_hi|0x80, len_lo, msg_type, ver_hi, ver_lo].
        let (Some(&msg), Some(&ver_hi)) = (data.get(2), data.get(3)) else {
            return ProbeResult::NeedMore;
        };
        let want = match dir {
            Direction::ToServer => 0x01, // CLIENT-HELLO
            Direction::ToClient => 0x04, // SERVER-HELLO
        };
        let len = usize::from(b0 & 0x7f) << 8 | usize::from(data.get(1).copied().unwrap_or(0));
        if msg == want && (ver_hi == 0x03 || ver_hi == 0x00 || (dir == Direction::ToClient)) && len >= 9 {
            return ProbeResult::Found(AppProto::Tls);
        }
    }
    ProbeResult::NoMatch
}

fn check_ssh(_dir: Direction, data: &[u8], _port: u16) -> ProbeResult {
    match prefix(data, b"SSH-", false) {
        Some(true) => ProbeResult::Found(AppProto::Ssh),
        None => ProbeResult::NeedMore,
        Some(false) => ProbeResult::NoMatch,
    }
}

/// A `220` reply code followed by a space or `-` (multi-line banner).
fn banner_220(data: &[u8]) -> Option<bool> {
    match prefix(data, b"220", false) {
        Some(true) => match data.get(3) {
            Some(b' ') | Some(b'-') => Some(true),
            Some(_) => Some(false),
            None => None,
        },
        other => other,
    }
}

/// Any of `words` (case-insensitive) followed by a space, CR or LF.
fn command(data: &[u8], words: &[&[u8]]) -> ProbeResult {
    let mut need = false;
    for w in words {
        match prefix(data, w, true) {
            Some(true) => match data.get(w.len()) {
                Some(b' ') | Some(b'\r') | Some(b'\n') => return ProbeResult::Found(AppProto::Unknown),
                Some(_) => {}
                None => need = true,
            },
            None => need = true,
            Some(false) => {}
        }
    }
    if need {
        ProbeResult::NeedMore
    } else {
        ProbeResult::NoMatch
    }
}

fn with_proto(r: ProbeResult, p: AppProto) -> ProbeResult {
    match r {
        ProbeResult::Found(_) => ProbeResult::Found(p),
        other => other,
    }
}

/// Server ports on which a bare `220` banner means SMTP.
const SMTP_PORTS: &[u16] = &[25, 465, 587, 2525];
/// Server ports on which a bare `220` banner means FTP.
const FTP_PORTS: &[u16] = &[21];

fn check_smtp(dir: Direction, data: &[u8], port: u16) -> ProbeResult {
    match dir {
        Direction::ToServer => with_proto(command(data, &[b"EHLO", b"HELO"]), AppProto::Smtp),
        Direction::ToClient => match banner_220(data) {
            Some(true) if SMTP_PORTS.contains(&port) => ProbeResult::Found(AppProto::Smtp),
            None => ProbeResult::NeedMore,
            _ => ProbeResult::NoMatch,
        },
    }
}

fn check_ftp(dir: Direction, data: &[u8], port: u16) -> ProbeResult {
    match dir {
        Direction::ToServer => with_proto(command(data, &[b"USER", b"AUTH TLS", b"FEAT"]), AppProto::Ftp),
        Direction::ToClient => match banner_220(data) {
            Some(true) if FTP_PORTS.contains(&port) => ProbeResult::Found(AppProto::Ftp),
            None => ProbeResult::NeedMore,
            _ => ProbeResult::NoMatch,
        },
    }
}

/// Port DNS is expected on; the header check alone is too weak to claim other ports.
const DNS_PORT: u16 = 53;
/// The fixed DNS header length.
const DNS_HEADER_LEN: usize = 12;
/// Most questions a plausible DNS message carries.
const DNS_MAX_QUESTIONS: u16 = 32;

/// Sanity of a DNS header: QR matches the direction, a known opcode, 1..=32 questions, and
/// record counts that fit the message.
fn dns_header_ok(dir: Direction, h: &[u8], msg_len: usize) -> bool {
    let be =
        |i: usize| -> u16 { u16::from_be_bytes([h.get(i).copied().unwrap_or(0), h.get(i + 1).copied().unwrap_or(0)]) };
    let flags = be(2);
    let qr = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0x0f;
    if qr != (dir == Direction::ToClient) || !matches!(opcode, 0 | 1 | 2 | 4 | 5) {
        return false;
    }
    let (qd, an, ns, ar) = (be(4), be(6), be(8), be(10));
    if qd == 0 && dir == Direction::ToServer || qd > DNS_MAX_QUESTIONS {
        return false;
    }
    // Each question takes >= 5 bytes, each record >= 11.
    let min = DNS_HEADER_LEN + usize::from(qd) * 5 + (usize::from(an) + usize::from(ns) + usize::from(ar)) * 11;
    min <= msg_len
}

fn check_dns_udp(dir: Direction, data: &[u8], port: u16) -> ProbeResult {
    if port != DNS_PORT || data.len() < DNS_HEADER_LEN {
        return ProbeResult::NoMatch;
    }
    if dns_header_ok(dir, data, data.len()) {
        ProbeResult::Found(AppProto::Dns)
    } else {
        ProbeResult::NoMatch
    }
}

fn check_dns_tcp(dir: Direction, data: &[u8], port: u16) -> ProbeResult {
    if port != DNS_PORT {
        return ProbeResult::NoMatch;
    }
    if data.len() < 2 + DNS_HEADER_LEN {
        return ProbeResult::NeedMore;
    }
    let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
    if len >= DNS_HEADER_LEN && dns_header_ok(dir, &data[2..], len) {
        ProbeResult::Found(AppProto::Dns)
    } else {
        ProbeResult::NoMatch
    }
}

/// Per-direction detection state of one flow: buffers each direction's first bytes (at most
/// [`PROBE_MAX_BYTES`]) and decides once either direction matches, or both cannot.
#[derive(Debug)]
pub struct Prober {
    transport: Transport,
    server_port: u16,
    buf: [Vec<u8>; 2],
    /// Bytes of the last chunk per direction that went into `buf`.
    last_take: [usize; 2],
    /// A direction had more bytes than were kept.
    overflow: [bool; 2],
    done: [bool; 2],
    verdict: AppProto,
}

fn idx(dir: Direction) -> usize {
    match dir {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl Prober {
    /// A prober for a flow over `transport` whose server port is `server_port`.
    pub fn new(transport: Transport, server_port: u16) -> Self {
        Prober {
            transport,
            server_port,
            buf: [Vec::new(), Vec::new()],
            last_take: [0; 2],
            overflow: [false; 2],
            done: [false; 2],
            verdict: AppProto::Unknown,
        }
    }

    /// The verdict so far.
    pub fn verdict(&self) -> AppProto {
        self.verdict
    }

    /// The bytes kept for `dir` (the start of that direction's stream, up to the limit), so a
    /// parser can be fed them once the protocol is known.
    pub fn buffered(&self, dir: Direction) -> &[u8] {
        &self.buf[idx(dir)]
    }

    /// The bytes of `dir` from the start of its stream, once the verdict came on `chunk` (the
    /// chunk just passed to [`Prober::feed`] for `dir`): the kept bytes, then the part of
    /// `chunk` that was not kept. Feed both, in order, to the protocol's parser.
    pub fn replay_parts<'a>(&'a self, dir: Direction, chunk: &'a [u8]) -> [&'a [u8]; 2] {
        let i = idx(dir);
        [&self.buf[i], chunk.get(self.last_take[i]..).unwrap_or(&[])]
    }

    /// Whether `dir` saw more bytes than [`PROBE_MAX_BYTES`] before the verdict (the kept
    /// bytes are then only a prefix of that direction's stream).
    pub fn overflowed(&self, dir: Direction) -> bool {
        self.overflow[idx(dir)]
    }

    /// Feeds the next in-order bytes of `dir` and returns the verdict so far.
    pub fn feed(&mut self, dir: Direction, data: &[u8]) -> AppProto {
        let i = idx(dir);
        if self.verdict.is_decided() || self.done[i] || data.is_empty() {
            self.last_take[i] = 0;
            if !data.is_empty() && !self.verdict.is_decided() {
                self.overflow[i] = true;
            }
            return self.verdict;
        }
        let room = PROBE_MAX_BYTES.saturating_sub(self.buf[i].len());
        let take = data.len().min(room);
        self.buf[i].extend_from_slice(&data[..take]);
        self.last_take[i] = take;
        self.overflow[i] |= take < data.len();
        match self.transport {
            Transport::Udp => {
                // Each datagram stands alone.
                let r = probe(Transport::Udp, dir, &data[..take], self.server_port);
                self.buf[i].clear();
                self.conclude(i, r);
            }
            Transport::Tcp => {
                let r = probe(Transport::Tcp, dir, &self.buf[i], self.server_port);
                self.conclude(i, r);
            }
        }
        self.verdict
    }

    fn conclude(&mut self, i: usize, r: ProbeResult) {
        match r {
            ProbeResult::Found(p) => self.verdict = p,
            ProbeResult::NoMatch => {
                self.done[i] = true;
                if self.done[0] && self.done[1] {
                    self.verdict = AppProto::Failed;
                }
            }
            ProbeResult::NeedMore => {}
        }
    }

    /// A gap in `dir` before a verdict: that direction can no longer be probed.
    pub fn on_gap(&mut self, dir: Direction) -> AppProto {
        if !self.verdict.is_decided() {
            self.conclude(idx(dir), ProbeResult::NoMatch);
        }
        self.verdict
    }

    /// The flow ended: an undecided flow becomes [`AppProto::Failed`].
    pub fn on_close(&mut self) -> AppProto {
        if !self.verdict.is_decided() {
            self.verdict = AppProto::Failed;
        }
        self.verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{ToClient as TC, ToServer as TS};

    struct Case {
        name: &'static str,
        transport: Transport,
        dir: Direction,
        port: u16,
        data: &'static [u8],
        want: ProbeResult,
    }

    const fn tcp(name: &'static str, dir: Direction, port: u16, data: &'static [u8], want: ProbeResult) -> Case {
        Case { name, transport: Transport::Tcp, dir, port, data, want }
    }

    use ProbeResult::{Found, NeedMore, NoMatch};

    const DNS_Q: &[u8] = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";
    const DNS_TCP_Q: &[u8] =
        b"\x00\x1d\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";

    fn cases() -> Vec<Case> {
        vec![
            tcp("http get", TS, 80, b"GET / HTTP/1.1\r\n", Found(AppProto::Http1)),
            tcp("http post odd port", TS, 8081, b"POST /x HTTP/1.0\r\n", Found(AppProto::Http1)),
            tcp("http method tab", TS, 80, b"GET\t/ HTTP/1.1\r\n", Found(AppProto::Http1)),
            tcp("http method prefix only", TS, 80, b"GE", NeedMore),
            tcp("http method no space yet", TS, 80, b"GET", NeedMore),
            tcp("http lowercase method", TS, 80, b"get / HTTP/1.1\r\n", Found(AppProto::Http1)),
            tcp("http method glued", TS, 80, b"GETX / HTTP/1.1\r\n", NoMatch),
            tcp("http response", TC, 80, b"HTTP/1.1 200 OK\r\n", Found(AppProto::Http1)),
            tcp("http response lowercase", TC, 80, b"http/1.0 200 OK\r\n", Found(AppProto::Http1)),
            tcp("http response partial", TC, 80, b"HTT", NeedMore),
            tcp("empty", TS, 80, b"", NeedMore),
            tcp("tls 1.2 client hello", TS, 443, b"\x16\x03\x01\x02\x00\x01", Found(AppProto::Tls)),
            tcp("tls server hello", TC, 443, b"\x16\x03\x03\x00\x5a\x02", Found(AppProto::Tls)),
            tcp("tls one byte", TS, 443, b"\x16", NeedMore),
            tcp("tls bad version", TS, 443, b"\x16\x02\x00", NoMatch),
            tcp("sslv2 client hello", TS, 443, b"\x80\x2e\x01\x03\x00\x00\x15", Found(AppProto::Tls)),
            tcp("sslv2 wrong type", TS, 443, b"\x80\x2e\x05\x03\x00", NoMatch),
            tcp("ssh client", TS, 22, b"SSH-2.0-OpenSSH_9.6\r\n", Found(AppProto::Ssh)),
            tcp("ssh server odd port", TC, 2222, b"SSH-2.0-x\r\n", Found(AppProto::Ssh)),
            tcp("ssh partial", TC, 22, b"SS", NeedMore),
            tcp("smtp ehlo", TS, 25, b"EHLO mail.example.com\r\n", Found(AppProto::Smtp)),
            tcp("smtp helo lowercase", TS, 2525, b"helo x\r\n", Found(AppProto::Smtp)),
            tcp("smtp banner on 25", TC, 25, b"220 mx.example.com ESMTP\r\n", Found(AppProto::Smtp)),
            tcp("smtp banner multiline on 587", TC, 587, b"220-mx ESMTP\r\n", Found(AppProto::Smtp)),
            tcp("ftp user", TS, 21, b"USER anonymous\r\n", Found(AppProto::Ftp)),
            tcp("ftp banner on 21", TC, 21, b"220 ProFTPD ready\r\n", Found(AppProto::Ftp)),
            tcp("220 banner on unknown port", TC, 9999, b"220 hello\r\n", NoMatch),
            tcp("dns tcp query", TS, 53, DNS_TCP_Q, Found(AppProto::Dns)),
            tcp("dns tcp query short", TS, 53, b"\x00\x1d\x12\x34", NeedMore),
            tcp("dns tcp wrong port", TS, 5353, DNS_TCP_Q, NoMatch),
            tcp(
                "dns tcp response bit in to_server",
                TS,
                53,
                b"\x00\x1d\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00",
                NoMatch,
            ),
            tcp("binary garbage", TS, 80, b"\x00\x01\x02\x03\xff\xfe", NoMatch),
            tcp("leading space", TS, 80, b" GET / HTTP/1.1", NoMatch),
            Case {
                name: "dns udp query",
                transport: Transport::Udp,
                dir: TS,
                port: 53,
                data: DNS_Q,
                want: Found(AppProto::Dns),
            },
            Case {
                name: "dns udp wrong port",
                transport: Transport::Udp,
                dir: TS,
                port: 123,
                data: DNS_Q,
                want: NoMatch,
            },
            Case {
                name: "dns udp truncated",
                transport: Transport::Udp,
                dir: TS,
                port: 53,
                data: b"\x12\x34\x01",
                want: NoMatch,
            },
            Case {
                name: "dns udp counts too big",
                transport: Transport::Udp,
                dir: TS,
                port: 53,
                data: b"\x12\x34\x01\x00\x00\x01\x00\x09\x00\x00\x00\x00\x00\x00\x01\x00\x01",
                want: NoMatch,
            },
        ]
    }

    #[test]
    fn probe_table() {
        for c in cases() {
            assert_eq!(probe(c.transport, c.dir, c.data, c.port), c.want, "case {:?}", c.name);
        }
    }

    #[test]
    fn prober_split_at_every_offset() {
        for c in cases().into_iter().filter(|c| c.transport == Transport::Tcp) {
            let whole = {
                let mut p = Prober::new(Transport::Tcp, c.port);
                p.feed(c.dir, c.data)
            };
            for cut in 0..=c.data.len() {
                let mut p = Prober::new(Transport::Tcp, c.port);
                p.feed(c.dir, &c.data[..cut]);
                let v = p.feed(c.dir, &c.data[cut..]);
                assert_eq!(v, whole, "case {:?} cut at {cut}", c.name);
            }
            let mut p = Prober::new(Transport::Tcp, c.port);
            for b in c.data {
                p.feed(c.dir, std::slice::from_ref(b));
            }
            assert_eq!(p.verdict(), whole, "case {:?} byte by byte", c.name);
        }
    }

    #[test]
    fn prober_replay_parts_rebuild_the_stream() {
        let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        for cut in 0..req.len() {
            let mut p = Prober::new(Transport::Tcp, 80);
            let mut v = p.feed(TS, &req[..cut]);
            let mut last: &[u8] = &req[..cut];
            let mut later: &[u8] = &req[cut..];
            if v == AppProto::Unknown {
                v = p.feed(TS, &req[cut..]);
                last = &req[cut..];
                later = &[];
            }
            assert_eq!(v, AppProto::Http1, "cut {cut}");
            let [a, b] = p.replay_parts(TS, last);
            assert_eq!([a, b, later].concat(), req.to_vec(), "cut {cut}");
            assert!(!p.overflowed(TS));
        }
        let mut p = Prober::new(Transport::Tcp, 80);
        let mut big = b"GET /".to_vec();
        big.resize(PROBE_MAX_BYTES + 100, b'a');
        p.feed(TS, &big);
        let [a, b] = p.replay_parts(TS, &big);
        assert_eq!([a, b].concat(), big);
    }

    #[test]
    fn prober_fails_when_both_directions_fail() {
        let mut p = Prober::new(Transport::Tcp, 80);
        assert_eq!(p.feed(TS, b"\x00garbage"), AppProto::Unknown);
        assert_eq!(p.feed(TC, b"\x01more garbage"), AppProto::Failed);
    }

    #[test]
    fn prober_either_direction_decides() {
        let mut p = Prober::new(Transport::Tcp, 80);
        assert_eq!(p.feed(TS, b"\x00garbage"), AppProto::Unknown);
        assert_eq!(p.feed(TC, b"HTTP/1.1 200 OK\r\n"), AppProto::Http1);
        assert_eq!(p.buffered(TC), b"HTTP/1.1 200 OK\r\n");
    }

    #[test]
    fn prober_gives_up_after_limit() {
        let mut p = Prober::new(Transport::Tcp, 80);
        // A to_server stream that could always be "more": never, since no method matches
        // spaces; use a long prefix of nothing decisive in the to_client direction instead.
        let big = vec![b'G'; PROBE_MAX_BYTES * 2];
        assert_eq!(p.feed(TS, &big), AppProto::Unknown);
        assert!(p.buffered(TS).len() <= PROBE_MAX_BYTES);
        assert_eq!(p.feed(TC, &big), AppProto::Failed);
    }

    #[test]
    fn prober_gap_and_close() {
        let mut p = Prober::new(Transport::Tcp, 80);
        p.feed(TS, b"GE");
        assert_eq!(p.on_gap(TS), AppProto::Unknown);
        assert_eq!(p.on_gap(TC), AppProto::Failed);
        let mut p = Prober::new(Transport::Tcp, 80);
        p.feed(TS, b"GE");
        assert_eq!(p.on_close(), AppProto::Failed);
    }

    proptest::proptest! {
        #[test]
        fn probe_never_panics_and_is_bounded(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048), port in 0u16..100) {
            for dir in [TS, TC] {
                let _ = probe(Transport::Tcp, dir, &data, port);
                let _ = probe(Transport::Udp, dir, &data, port);
                let mut p = Prober::new(Transport::Tcp, port);
                p.feed(dir, &data);
                proptest::prop_assert!(p.buffered(dir).len() <= PROBE_MAX_BYTES);
            }
        }
    }
}
