//! `gen-demo-pcaps`: writes the project's own demo captures, deterministically.
//!
//! ```text
//! cargo run --bin gen-demo-pcaps -- [OUT_DIR]     # OUT_DIR defaults to `pcaps`
//! ```
//!
//! Two files are written into `OUT_DIR`:
//!
//! - `demo.pcap`: a small, realistic mix (TCP sessions with handshakes, data both ways and FIN
//!   teardown over IPv4, IPv6 and an 802.1Q VLAN; a DNS-like UDP query/response; ICMP echo)
//!   plus the traffic `rules/demo.rules` is written to catch (NOP sled, `/etc/passwd` on a
//!   non-HTTP port, a suspicious User-Agent in raw TCP, a marked ICMP ping, a SYN scan, a
//!   length-field overflow, a login brute force, a DNS query for a bad domain, and two IPv4
//!   decoder anomalies).
//! - `anomalies.pcap`: malformed frames only (truncated and impossible headers at every layer).
//!
//! The output is byte-identical on every run: timestamps start at a fixed instant and advance
//! by fixed steps, sequence numbers and IP ids come from a fixed-seed generator, and nothing
//! reads the clock or the environment. `tests/demo_pcaps.rs` regenerates both files and
//! compares them with the committed copies in `pcaps/`.
//!
//! Files are classic pcap: little-endian, microsecond timestamps, version 2.4, snaplen 65535,
//! link type 1 (Ethernet). Checksums are correct except in the frames that exist to carry a bad
//! one (listed in `pcaps/README.md`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// 2024-01-01T00:00:00Z: the first packet's timestamp.
const BASE_EPOCH_SECS: u32 = 1_704_067_200;
/// Default gap between consecutive packets, in microseconds.
const STEP_US: u64 = 1_500;
/// Seed of the sequence-number / IP-id generator.
const SEED: u64 = 0x5241_4d50_4152_5421; // "RAMPART!"
/// The pcap snaplen written in the global header.
const SNAPLEN: u32 = 65_535;
/// LINKTYPE_ETHERNET.
const LINKTYPE_ETHERNET: u32 = 1;

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86dd;
const ETH_VLAN: u16 = 0x8100;
const PROTO_ICMP: u8 = 1;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;

/// TCP flag bits.
mod flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
}

// ---------------------------------------------------------------------------------------------
// Deterministic helpers

/// A tiny xorshift64* generator: fixed seed, no dependency, same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u16(&mut self) -> u16 {
        (self.next_u64() >> 48) as u16
    }
}

/// One captured frame.
struct Record {
    ts_us: u64,
    /// Bytes on the wire (the pcap `orig_len` may be larger, see `orig_len`).
    data: Vec<u8>,
    /// `orig_len`; equal to `data.len()` unless the capture was snaplen-truncated.
    orig_len: u32,
}

/// Collects frames and owns the clock and the random generator.
struct Capture {
    now_us: u64,
    rng: Rng,
    records: Vec<Record>,
}

impl Capture {
    fn new() -> Self {
        Capture {
            now_us: u64::from(BASE_EPOCH_SECS) * 1_000_000,
            rng: Rng(SEED),
            records: Vec::new(),
        }
    }

    /// Appends a frame `STEP_US` after the previous one.
    fn push(&mut self, frame: Vec<u8>) {
        self.push_after(STEP_US, frame);
    }

    /// Appends a frame `gap_us` after the previous one.
    fn push_after(&mut self, gap_us: u64, frame: Vec<u8>) {
        self.now_us += gap_us;
        let orig_len = u32::try_from(frame.len()).expect("demo frames are small");
        self.records.push(Record {
            ts_us: self.now_us,
            data: frame,
            orig_len,
        });
    }

    /// Appends a frame whose `orig_len` claims more bytes than were captured.
    fn push_snapped(&mut self, frame: Vec<u8>, orig_len: u32) {
        self.now_us += STEP_US;
        self.records.push(Record {
            ts_us: self.now_us,
            data: frame,
            orig_len,
        });
    }

    /// Lets `us` microseconds pass with no traffic.
    fn idle(&mut self, us: u64) {
        self.now_us += us;
    }

    /// Serialises the capture as a classic little-endian microsecond pcap.
    fn to_pcap(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            24 + self
                .records
                .iter()
                .map(|r| 16 + r.data.len())
                .sum::<usize>(),
        );
        out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        out.extend_from_slice(&SNAPLEN.to_le_bytes());
        out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        for r in &self.records {
            let secs = u32::try_from(r.ts_us / 1_000_000).expect("timestamp fits in u32");
            let usecs = (r.ts_us % 1_000_000) as u32;
            let incl = u32::try_from(r.data.len()).expect("demo frames are small");
            out.extend_from_slice(&secs.to_le_bytes());
            out.extend_from_slice(&usecs.to_le_bytes());
            out.extend_from_slice(&incl.to_le_bytes());
            out.extend_from_slice(&r.orig_len.to_le_bytes());
            out.extend_from_slice(&r.data);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Packet construction

/// An IP address of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ip {
    V4([u8; 4]),
    V6([u8; 16]),
}

/// A host: MAC and IP.
#[derive(Clone, Copy, Debug)]
struct Host {
    mac: [u8; 6],
    ip: Ip,
}

const fn host4(last_mac: u8, ip: [u8; 4]) -> Host {
    Host {
        mac: [0x02, 0x00, 0x5e, 0x00, 0x00, last_mac],
        ip: Ip::V4(ip),
    }
}

const fn host6(last_mac: u8, ip: [u8; 16]) -> Host {
    Host {
        mac: [0x02, 0x00, 0x5e, 0x00, 0x00, last_mac],
        ip: Ip::V6(ip),
    }
}

/// Internet checksum accumulator (RFC 1071).
#[derive(Default)]
struct Sum(u32);

impl Sum {
    fn add(mut self, bytes: &[u8]) -> Self {
        let mut chunks = bytes.chunks_exact(2);
        for c in &mut chunks {
            self.0 += u32::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            self.0 += u32::from(u16::from_be_bytes([*last, 0]));
        }
        self
    }
    fn finish(self) -> u16 {
        let mut s = self.0;
        while s > 0xffff {
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }
}

/// Checksum of a transport segment with the IP pseudo-header of `src`/`dst`.
fn transport_checksum(src: Ip, dst: Ip, proto: u8, segment: &[u8]) -> u16 {
    let len = segment.len();
    let sum = match (src, dst) {
        (Ip::V4(s), Ip::V4(d)) => Sum::default()
            .add(&s)
            .add(&d)
            .add(&[0, proto])
            .add(&(len as u16).to_be_bytes()),
        (Ip::V6(s), Ip::V6(d)) => Sum::default()
            .add(&s)
            .add(&d)
            .add(&(len as u32).to_be_bytes())
            .add(&[0, 0, 0, proto]),
        _ => panic!("mixed address families in one packet"),
    };
    sum.add(segment).finish()
}

/// Ethernet header (with an optional 802.1Q tag) followed by `payload`.
fn ethernet(
    src: [u8; 6],
    dst: [u8; 6],
    vlan: Option<u16>,
    ethertype: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(18 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    if let Some(id) = vlan {
        f.extend_from_slice(&ETH_VLAN.to_be_bytes());
        f.extend_from_slice(&(id & 0x0fff).to_be_bytes()); // PCP 0, DEI 0
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// An IPv4 header (no options) with a correct checksum, followed by `payload`.
fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, ttl: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let total = u16::try_from(20 + payload.len()).expect("demo packets are small");
    let mut h = vec![0x45, 0x00];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&0x4000u16.to_be_bytes()); // DF, offset 0
    h.extend_from_slice(&[ttl, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let csum = Sum::default().add(&h).finish();
    h[10..12].copy_from_slice(&csum.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

/// An IPv6 header (no extension headers) followed by `payload`.
fn ipv6(src: [u8; 16], dst: [u8; 16], next: u8, hop_limit: u8, payload: &[u8]) -> Vec<u8> {
    let plen = u16::try_from(payload.len()).expect("demo packets are small");
    let mut h = vec![0x60, 0x00, 0x00, 0x00];
    h.extend_from_slice(&plen.to_be_bytes());
    h.extend_from_slice(&[next, hop_limit]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

/// A TCP segment with a correct checksum. SYNs carry an MSS option.
// One argument per header field the demo varies; a builder struct would only add noise here.
#[allow(clippy::too_many_arguments)]
fn tcp(
    src: Ip,
    dst: Ip,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    fl: u8,
    payload: &[u8],
) -> Vec<u8> {
    let opts: &[u8] = if fl & flags::SYN != 0 {
        &[0x02, 0x04, 0x05, 0xb4]
    } else {
        &[]
    };
    let hlen = 20 + opts.len();
    let mut s = Vec::with_capacity(hlen + payload.len());
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(&(if fl & flags::ACK != 0 { ack } else { 0 }).to_be_bytes());
    s.push(((hlen / 4) as u8) << 4);
    s.push(fl);
    s.extend_from_slice(&64_240u16.to_be_bytes()); // window
    s.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    s.extend_from_slice(opts);
    s.extend_from_slice(payload);
    let csum = transport_checksum(src, dst, PROTO_TCP, &s);
    s[16..18].copy_from_slice(&csum.to_be_bytes());
    s
}

/// A UDP datagram with a correct checksum.
fn udp(src: Ip, dst: Ip, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(8 + payload.len()).expect("demo packets are small");
    let mut s = Vec::with_capacity(usize::from(len));
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&len.to_be_bytes());
    s.extend_from_slice(&[0, 0]);
    s.extend_from_slice(payload);
    let csum = match transport_checksum(src, dst, PROTO_UDP, &s) {
        0 => 0xffff,
        c => c,
    };
    s[6..8].copy_from_slice(&csum.to_be_bytes());
    s
}

/// An ICMPv4 echo request (type 8) or reply (type 0) with a correct checksum.
fn icmp_echo(icmp_type: u8, ident: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![icmp_type, 0, 0, 0];
    s.extend_from_slice(&ident.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(payload);
    let csum = Sum::default().add(&s).finish();
    s[2..4].copy_from_slice(&csum.to_be_bytes());
    s
}

/// Wraps a transport segment in IP and Ethernet for `src` -> `dst`.
fn frame(
    cap: &mut Capture,
    src: &Host,
    dst: &Host,
    vlan: Option<u16>,
    proto: u8,
    ttl: u8,
    seg: &[u8],
) -> Vec<u8> {
    match (src.ip, dst.ip) {
        (Ip::V4(s), Ip::V4(d)) => {
            let id = cap.rng.next_u16();
            ethernet(
                src.mac,
                dst.mac,
                vlan,
                ETH_IPV4,
                &ipv4(s, d, proto, ttl, id, seg),
            )
        }
        (Ip::V6(s), Ip::V6(d)) => ethernet(
            src.mac,
            dst.mac,
            vlan,
            ETH_IPV6,
            &ipv6(s, d, proto, ttl, seg),
        ),
        _ => panic!("mixed address families in one packet"),
    }
}

/// Direction of a segment within a [`Session`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    ToServer,
    ToClient,
}

/// A TCP connection between a client and a server, tracking sequence numbers.
struct Session {
    client: Host,
    server: Host,
    cport: u16,
    sport: u16,
    vlan: Option<u16>,
    /// Next sequence number the client sends.
    cseq: u32,
    /// Next sequence number the server sends.
    sseq: u32,
    ttl: u8,
}

impl Session {
    fn new(cap: &mut Capture, client: Host, cport: u16, server: Host, sport: u16) -> Self {
        Session {
            client,
            server,
            cport,
            sport,
            vlan: None,
            cseq: cap.rng.next_u32(),
            sseq: cap.rng.next_u32(),
            ttl: 64,
        }
    }

    fn with_vlan(mut self, id: u16) -> Self {
        self.vlan = Some(id);
        self
    }

    /// Sends one segment in `dir` and advances that side's sequence number.
    fn segment(&mut self, cap: &mut Capture, dir: Dir, fl: u8, payload: &[u8]) {
        let (src, dst, sp, dp, seq, ack) = match dir {
            Dir::ToServer => (
                self.client,
                self.server,
                self.cport,
                self.sport,
                self.cseq,
                self.sseq,
            ),
            Dir::ToClient => (
                self.server,
                self.client,
                self.sport,
                self.cport,
                self.sseq,
                self.cseq,
            ),
        };
        let seg = tcp(src.ip, dst.ip, sp, dp, seq, ack, fl, payload);
        let f = frame(cap, &src, &dst, self.vlan, PROTO_TCP, self.ttl, &seg);
        cap.push(f);
        let used = payload.len() as u32 + u32::from(fl & (flags::SYN | flags::FIN) != 0);
        match dir {
            Dir::ToServer => self.cseq = self.cseq.wrapping_add(used),
            Dir::ToClient => self.sseq = self.sseq.wrapping_add(used),
        }
    }

    /// SYN, SYN-ACK, ACK.
    fn handshake(&mut self, cap: &mut Capture) {
        self.segment(cap, Dir::ToServer, flags::SYN, &[]);
        self.segment(cap, Dir::ToClient, flags::SYN | flags::ACK, &[]);
        self.segment(cap, Dir::ToServer, flags::ACK, &[]);
    }

    /// Data in `dir`, acknowledged by the other side.
    fn send(&mut self, cap: &mut Capture, dir: Dir, data: &[u8]) {
        self.segment(cap, dir, flags::PSH | flags::ACK, data);
        let back = if dir == Dir::ToServer {
            Dir::ToClient
        } else {
            Dir::ToServer
        };
        self.segment(cap, back, flags::ACK, &[]);
    }

    /// FIN from the client, FIN-ACK from the server, final ACK.
    fn close(&mut self, cap: &mut Capture) {
        self.segment(cap, Dir::ToServer, flags::FIN | flags::ACK, &[]);
        self.segment(cap, Dir::ToClient, flags::FIN | flags::ACK, &[]);
        self.segment(cap, Dir::ToServer, flags::ACK, &[]);
    }
}

// ---------------------------------------------------------------------------------------------
// Hosts (documentation address ranges only: RFC 5737 and RFC 3849)

const WORKSTATION: Host = host4(0x01, [192, 0, 2, 10]);
const WEB_SERVER: Host = host4(0x02, [198, 51, 100, 20]);
const RESOLVER: Host = host4(0x03, [198, 51, 100, 53]);
const ATTACKER: Host = host4(0x04, [203, 0, 113, 66]);
const SCANNER: Host = host4(0x05, [203, 0, 113, 99]);
const FILE_SERVER: Host = host4(0x06, [192, 0, 2, 30]);
const VLAN_CLIENT: Host = host4(0x07, [10, 100, 0, 5]);
const VLAN_SERVER: Host = host4(0x08, [10, 100, 0, 6]);
const WORKSTATION6: Host = host6(
    0x01,
    [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ],
);
const MAIL_SERVER6: Host = host6(
    0x09,
    [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25,
    ],
);

/// The VLAN id used by the tagged session.
const DEMO_VLAN: u16 = 100;

/// Classic 32-bit Linux `execve("/bin//sh")` shellcode, preceded in the capture by a NOP sled.
const SHELLCODE: &[u8] =
    b"\x31\xc0\x50\x68\x2f\x2f\x73\x68\x68\x2f\x62\x69\x6e\x89\xe3\x50\x53\x89\xe1\xb0\x0b\xcd\x80";

/// A DNS query (id, RD flag, one question, class IN) for `labels`, type A.
fn dns_query(id: u16, labels: &[&str]) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    for l in labels {
        m.push(l.len() as u8);
        m.extend_from_slice(l.as_bytes());
    }
    m.extend_from_slice(&[0x00, 0x00, 0x01, 0x00, 0x01]);
    m
}

/// The response to [`dns_query`]: the question echoed and one A record.
fn dns_response(id: u16, labels: &[&str], addr: [u8; 4]) -> Vec<u8> {
    let mut m = dns_query(id, labels);
    m[2] = 0x81; // QR, RD
    m[3] = 0x80; // RA
    m[7] = 0x01; // ANCOUNT = 1
    m.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]); // name ptr, type A, class IN
    m.extend_from_slice(&300u32.to_be_bytes()); // TTL
    m.extend_from_slice(&[0x00, 0x04]);
    m.extend_from_slice(&addr);
    m
}

/// The usual 56-byte ping payload: 8 bytes of timestamp-like data, then 0x10..=0x3f.
fn ping_payload(n: u8) -> Vec<u8> {
    let mut p = vec![0x65, 0x92, 0xaa, 0x00, 0x00, 0x00, 0x00, n];
    p.extend(0x10u8..0x40);
    p
}

// ---------------------------------------------------------------------------------------------
// demo.pcap

/// Builds `demo.pcap`. The order of sections is part of the file format: change it and the
/// committed capture must be regenerated.
fn build_demo() -> Capture {
    let mut cap = Capture::new();

    // 1. DNS lookup of the web server, then an HTTP session over IPv4.
    let q = dns_query(0x1a2b, &["www", "example", "com"]);
    let seg = udp(WORKSTATION.ip, RESOLVER.ip, 53_001, 53, &q);
    let f = frame(&mut cap, &WORKSTATION, &RESOLVER, None, PROTO_UDP, 64, &seg);
    cap.push(f);
    let r = dns_response(0x1a2b, &["www", "example", "com"], [198, 51, 100, 20]);
    let seg = udp(RESOLVER.ip, WORKSTATION.ip, 53, 53_001, &r);
    let f = frame(&mut cap, &RESOLVER, &WORKSTATION, None, PROTO_UDP, 64, &seg);
    cap.push_after(12_000, f);

    let mut s = Session::new(&mut cap, WORKSTATION, 49_152, WEB_SERVER, 80);
    s.handshake(&mut cap);
    s.send(
        &mut cap,
        Dir::ToServer,
        b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\nAccept: text/html\r\n\r\n",
    );
    s.send(
        &mut cap,
        Dir::ToClient,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 46\r\n\r\n<html><body><h1>It works!</h1></body></html>\r\n",
    );
    s.close(&mut cap);

    // 2. ICMP echo request/reply, two rounds, ordinary payload.
    for n in 1..=2u8 {
        let req = icmp_echo(8, 0x0d0e, u16::from(n), &ping_payload(n));
        let f = frame(
            &mut cap,
            &WORKSTATION,
            &WEB_SERVER,
            None,
            PROTO_ICMP,
            64,
            &req,
        );
        cap.push_after(200_000, f);
        let rep = icmp_echo(0, 0x0d0e, u16::from(n), &ping_payload(n));
        let f = frame(
            &mut cap,
            &WEB_SERVER,
            &WORKSTATION,
            None,
            PROTO_ICMP,
            64,
            &rep,
        );
        cap.push_after(800, f);
    }

    // 3. SMTP-like exchange over IPv6.
    let mut s = Session::new(&mut cap, WORKSTATION6, 49_200, MAIL_SERVER6, 25);
    s.handshake(&mut cap);
    s.send(
        &mut cap,
        Dir::ToClient,
        b"220 mail.example.net ESMTP ready\r\n",
    );
    s.send(&mut cap, Dir::ToServer, b"EHLO workstation.example.net\r\n");
    s.send(
        &mut cap,
        Dir::ToClient,
        b"250-mail.example.net\r\n250 SIZE 10240000\r\n",
    );
    s.send(&mut cap, Dir::ToServer, b"QUIT\r\n");
    s.send(&mut cap, Dir::ToClient, b"221 Bye\r\n");
    s.close(&mut cap);

    // 4. A key/value protocol inside VLAN 100.
    let mut s = Session::new(&mut cap, VLAN_CLIENT, 50_000, VLAN_SERVER, 6379).with_vlan(DEMO_VLAN);
    s.handshake(&mut cap);
    s.send(
        &mut cap,
        Dir::ToServer,
        b"*2\r\n$3\r\nGET\r\n$7\r\ncounter\r\n",
    );
    s.send(&mut cap, Dir::ToClient, b"$2\r\n42\r\n");
    s.close(&mut cap);

    // 5. Attack: NOP sled + execve shellcode to a high port (rule 1000001).
    cap.idle(500_000);
    let mut s = Session::new(&mut cap, ATTACKER, 40_001, WORKSTATION, 4444);
    s.ttl = 52;
    s.handshake(&mut cap);
    let mut sled = vec![0x90u8; 64];
    sled.extend_from_slice(SHELLCODE);
    s.send(&mut cap, Dir::ToServer, &sled);
    s.close(&mut cap);

    // 6. Attack: `/etc/passwd` requested over a plain TCP service on port 2323, and the file
    //    coming back (rules 1000002 + 1000003, linked by a flowbit).
    let mut s = Session::new(&mut cap, ATTACKER, 40_002, FILE_SERVER, 2323);
    s.ttl = 52;
    s.handshake(&mut cap);
    s.send(&mut cap, Dir::ToClient, b"fileserv 1.0 ready\n");
    s.send(&mut cap, Dir::ToServer, b"cat ../../../../etc/passwd\n");
    s.send(
        &mut cap,
        Dir::ToClient,
        b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    );
    s.close(&mut cap);

    // 7. Attack: a bot announcing itself with a known-bad User-Agent in raw TCP (rule 1000004).
    let mut s = Session::new(&mut cap, WORKSTATION, 49_160, ATTACKER, 8081);
    s.handshake(&mut cap);
    s.send(
        &mut cap,
        Dir::ToServer,
        b"HELLO 7\r\nuser-agent: EvilBot/6.6 (compatible; x86_64)\r\nid: 4f2a9c\r\n\r\n",
    );
    s.send(&mut cap, Dir::ToClient, b"OK sleep=60\r\n");
    s.close(&mut cap);

    // 8. Attack: ICMP echo carrying a marker payload (rule 1000005); the reply echoes it.
    let marker = b"RAMPART-DEMO-PING covert channel test 0123456789";
    let req = icmp_echo(8, 0x4242, 1, marker);
    let f = frame(
        &mut cap,
        &ATTACKER,
        &WORKSTATION,
        None,
        PROTO_ICMP,
        52,
        &req,
    );
    cap.push_after(100_000, f);
    let rep = icmp_echo(0, 0x4242, 1, marker);
    let f = frame(
        &mut cap,
        &WORKSTATION,
        &ATTACKER,
        None,
        PROTO_ICMP,
        64,
        &rep,
    );
    cap.push_after(700, f);

    // 9. Attack: SYN scan of 20 ports from one host; closed ports answer RST-ACK
    //    (rule 1000006, threshold).
    cap.idle(300_000);
    for (i, port) in [
        21u16, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389,
        5900, 8080,
    ]
    .into_iter()
    .enumerate()
    {
        let sp = 61_000 + i as u16;
        let seq = cap.rng.next_u32();
        let syn = tcp(
            SCANNER.ip,
            WORKSTATION.ip,
            sp,
            port,
            seq,
            0,
            flags::SYN,
            &[],
        );
        let f = frame(&mut cap, &SCANNER, &WORKSTATION, None, PROTO_TCP, 40, &syn);
        cap.push_after(300, f);
        let rst = tcp(
            WORKSTATION.ip,
            SCANNER.ip,
            port,
            sp,
            0,
            seq.wrapping_add(1),
            flags::RST | flags::ACK,
            &[],
        );
        let f = frame(&mut cap, &WORKSTATION, &SCANNER, None, PROTO_TCP, 64, &rst);
        cap.push_after(150, f);
    }

    // 10. Attack: a length-prefixed protocol on port 9000 whose 4-byte length field claims far
    //     more than the message holds (rule 1000007, byte_test + dsize).
    let mut s = Session::new(&mut cap, ATTACKER, 40_003, FILE_SERVER, 9000);
    s.ttl = 52;
    s.handshake(&mut cap);
    let mut msg = b"RPM1".to_vec();
    msg.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // claims 65536 bytes
    msg.extend_from_slice(b"AAAAAAAAAAAAAAAAAAAAAAAA");
    s.send(&mut cap, Dir::ToServer, &msg);
    s.close(&mut cap);

    // 11. Attack: login brute force on port 2121: seven failed attempts on one connection
    //     (rule 1000008, detection_filter).
    let mut s = Session::new(&mut cap, ATTACKER, 40_004, FILE_SERVER, 2121);
    s.ttl = 52;
    s.handshake(&mut cap);
    s.send(&mut cap, Dir::ToClient, b"220 admin console\r\n");
    for pw in [
        "admin", "password", "123456", "letmein", "qwerty", "root", "toor",
    ] {
        s.send(
            &mut cap,
            Dir::ToServer,
            format!("LOGIN admin {pw}\r\n").as_bytes(),
        );
        s.send(&mut cap, Dir::ToClient, b"530 Login incorrect\r\n");
    }
    s.close(&mut cap);

    // 12. Attack: DNS lookup of a known-bad domain (rule 1000009).
    let q = dns_query(0x7e57, &["c2", "badness", "test"]);
    let seg = udp(WORKSTATION.ip, RESOLVER.ip, 53_002, 53, &q);
    let f = frame(&mut cap, &WORKSTATION, &RESOLVER, None, PROTO_UDP, 64, &seg);
    cap.push_after(50_000, f);
    let r = dns_response(0x7e57, &["c2", "badness", "test"], [203, 0, 113, 66]);
    let seg = udp(RESOLVER.ip, WORKSTATION.ip, 53, 53_002, &r);
    let f = frame(&mut cap, &RESOLVER, &WORKSTATION, None, PROTO_UDP, 64, &seg);
    cap.push_after(9_000, f);

    // 13. Decoder anomalies (rules 1000010, 1000011): an IPv4 header whose IHL says 16 bytes,
    //     and an IPv4 packet whose total length exceeds the bytes captured.
    let seg = udp(ATTACKER.ip, WORKSTATION.ip, 40_005, 161, b"public");
    let mut pkt = ipv4(
        [203, 0, 113, 66],
        [192, 0, 2, 10],
        PROTO_UDP,
        52,
        0x0bad,
        &seg,
    );
    pkt[0] = 0x44; // IHL 4: header length 16 < 20
    fix_ipv4_checksum(&mut pkt, 20);
    cap.push(ethernet(
        ATTACKER.mac,
        WORKSTATION.mac,
        None,
        ETH_IPV4,
        &pkt,
    ));
    let seg = tcp(
        ATTACKER.ip,
        WORKSTATION.ip,
        40_006,
        445,
        1,
        0,
        flags::SYN,
        &[],
    );
    let mut pkt = ipv4(
        [203, 0, 113, 66],
        [192, 0, 2, 10],
        PROTO_TCP,
        52,
        0x0bae,
        &seg,
    );
    pkt[2..4].copy_from_slice(&200u16.to_be_bytes()); // total length 200, 44 bytes present
    fix_ipv4_checksum(&mut pkt, 20);
    cap.push(ethernet(
        ATTACKER.mac,
        WORKSTATION.mac,
        None,
        ETH_IPV4,
        &pkt,
    ));

    cap
}

/// Recomputes the IPv4 header checksum over the first `hlen` bytes of `pkt`.
fn fix_ipv4_checksum(pkt: &mut [u8], hlen: usize) {
    pkt[10] = 0;
    pkt[11] = 0;
    let csum = Sum::default().add(&pkt[..hlen]).finish();
    pkt[10..12].copy_from_slice(&csum.to_be_bytes());
}

/// Recomputes the checksum of TCP segment `seg` after an edit.
fn fix_tcp_checksum(src: Ip, dst: Ip, seg: &mut [u8]) {
    seg[16] = 0;
    seg[17] = 0;
    let csum = transport_checksum(src, dst, PROTO_TCP, seg);
    seg[16..18].copy_from_slice(&csum.to_be_bytes());
}

// ---------------------------------------------------------------------------------------------
// anomalies.pcap

/// Builds `anomalies.pcap`: one malformed frame per case, in the order listed in
/// `pcaps/README.md`.
fn build_anomalies() -> Capture {
    let mut cap = Capture::new();
    let (a, b) = (ATTACKER, WORKSTATION);
    let (ai, bi) = ([203, 0, 113, 66], [192, 0, 2, 10]);
    let good_tcp = tcp(a.ip, b.ip, 40_100, 80, 1000, 0, flags::SYN, &[]);
    let good_udp = udp(a.ip, b.ip, 40_101, 53, &dns_query(1, &["example", "com"]));

    // 1. Ethernet frame shorter than the 14-byte Ethernet header.
    cap.push(vec![0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x02, 0x00, 0x5e]);
    // 2. Ethernet header only, ethertype IPv4, no IP bytes at all.
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &[]));
    // 3. IPv4: fewer than 20 bytes (ipv4.pkt_too_small).
    let full = ipv4(ai, bi, PROTO_TCP, 64, 1, &good_tcp);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &full[..12]));
    // 4. IPv4: IHL 3, header length 12 (ipv4.hlen_too_small).
    let mut p = full.clone();
    p[0] = 0x43;
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 5. IPv4: IHL 15 (60-byte header) but only 28 bytes in the packet.
    let mut p = ipv4(ai, bi, PROTO_UDP, 64, 2, &[0u8; 8]);
    p[0] = 0x4f;
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 6. IPv4: total length 16, smaller than the 20-byte header (ipv4.iplen_smaller_than_hlen).
    let mut p = full.clone();
    p[2..4].copy_from_slice(&16u16.to_be_bytes());
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 7. IPv4: total length 1500, far more than captured (ipv4.trunc_pkt).
    let mut p = full.clone();
    p[2..4].copy_from_slice(&1500u16.to_be_bytes());
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 8. IPv4: version field 6 inside an IPv4 ethertype.
    let mut p = full.clone();
    p[0] = 0x65;
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 9. IPv4: bad header checksum on an otherwise valid TCP SYN.
    let mut p = full.clone();
    p[10] ^= 0xff;
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 10. TCP: header truncated to 10 bytes (IPv4 lengths consistent).
    let p = ipv4(ai, bi, PROTO_TCP, 64, 3, &good_tcp[..10]);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 11. TCP: data offset 3 (12-byte header, below the 20-byte minimum).
    let mut t = good_tcp.clone();
    t[12] = 0x30;
    fix_tcp_checksum(a.ip, b.ip, &mut t);
    let p = ipv4(ai, bi, PROTO_TCP, 64, 4, &t);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 12. TCP: data offset 15 (60-byte header) in a 24-byte segment.
    let mut t = good_tcp.clone();
    t[12] = 0xf0;
    fix_tcp_checksum(a.ip, b.ip, &mut t);
    let p = ipv4(ai, bi, PROTO_TCP, 64, 5, &t);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 13. TCP: bad checksum on an otherwise valid SYN.
    let mut t = good_tcp.clone();
    t[16] ^= 0x5a;
    let p = ipv4(ai, bi, PROTO_TCP, 64, 6, &t);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 14. TCP: option list running past the header (MSS option with length 40).
    let mut t = good_tcp.clone();
    t[21] = 40;
    fix_tcp_checksum(a.ip, b.ip, &mut t);
    let p = ipv4(ai, bi, PROTO_TCP, 64, 7, &t);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 15. UDP: header truncated to 6 bytes.
    let p = ipv4(ai, bi, PROTO_UDP, 64, 8, &good_udp[..6]);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 16. UDP: length field 4 (below the 8-byte header).
    let mut u = good_udp.clone();
    u[4..6].copy_from_slice(&4u16.to_be_bytes());
    let p = ipv4(ai, bi, PROTO_UDP, 64, 9, &u);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 17. UDP: length field 1000, more than the datagram holds.
    let mut u = good_udp.clone();
    u[4..6].copy_from_slice(&1000u16.to_be_bytes());
    let p = ipv4(ai, bi, PROTO_UDP, 64, 10, &u);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 18. ICMPv4: 3 bytes, shorter than any ICMP header.
    let p = ipv4(ai, bi, PROTO_ICMP, 64, 11, &[8, 0, 0xf7]);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));
    // 19. IPv6: 30 bytes, shorter than the 40-byte header.
    let (a6, b6) = (WORKSTATION6, MAIL_SERVER6);
    let t6 = tcp(a6.ip, b6.ip, 40_102, 25, 7, 0, flags::SYN, &[]);
    let (Ip::V6(s6), Ip::V6(d6)) = (a6.ip, b6.ip) else {
        unreachable!("IPv6 hosts")
    };
    let full6 = ipv6(s6, d6, PROTO_TCP, 64, &t6);
    cap.push(ethernet(a6.mac, b6.mac, None, ETH_IPV6, &full6[..30]));
    // 20. IPv6: payload length 1000, more than captured.
    let mut p = full6.clone();
    p[4..6].copy_from_slice(&1000u16.to_be_bytes());
    cap.push(ethernet(a6.mac, b6.mac, None, ETH_IPV6, &p));
    // 21. IPv6: version field 4 inside an IPv6 ethertype.
    let mut p = full6.clone();
    p[0] = 0x40;
    cap.push(ethernet(a6.mac, b6.mac, None, ETH_IPV6, &p));
    // 22. 802.1Q tag cut after two bytes.
    let mut f = ethernet(a.mac, b.mac, None, ETH_VLAN, &[]);
    f.extend_from_slice(&[0x00, 0x64]);
    cap.push(f);
    // 23. Five stacked 802.1Q tags around a valid IPv4/TCP SYN.
    let mut f = Vec::new();
    f.extend_from_slice(&b.mac);
    f.extend_from_slice(&a.mac);
    for id in 1..=5u16 {
        f.extend_from_slice(&ETH_VLAN.to_be_bytes());
        f.extend_from_slice(&id.to_be_bytes());
    }
    f.extend_from_slice(&ETH_IPV4.to_be_bytes());
    f.extend_from_slice(&full);
    cap.push(f);
    // 24. Snaplen-truncated record: 34 bytes captured of a 1514-byte frame.
    let big = ipv4(
        ai,
        bi,
        PROTO_TCP,
        64,
        12,
        &tcp(a.ip, b.ip, 40_103, 80, 5, 9, flags::ACK, &[0x41; 1460]),
    );
    let f = ethernet(a.mac, b.mac, None, ETH_IPV4, &big);
    cap.push_snapped(f[..34].to_vec(), f.len() as u32);
    // 25. An empty record (zero captured bytes).
    cap.push(Vec::new());
    // 26. IPv4 fragment with offset so large that offset + length passes 65535.
    let mut p = ipv4(ai, bi, PROTO_UDP, 64, 13, &[0x42; 64]);
    p[6..8].copy_from_slice(&0x1fffu16.to_be_bytes()); // MF clear, offset 8191*8 = 65528
    fix_ipv4_checksum(&mut p, 20);
    cap.push(ethernet(a.mac, b.mac, None, ETH_IPV4, &p));

    cap
}

// ---------------------------------------------------------------------------------------------
// Entry point

/// A function building one capture.
type Builder = fn() -> Capture;

/// The files this tool writes, with their builders.
const OUTPUTS: &[(&str, Builder)] = &[
    ("demo.pcap", build_demo),
    ("anomalies.pcap", build_anomalies),
];

/// Writes every capture into `dir`, creating it if needed. Returns the paths written.
fn generate(dir: &Path) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, build) in OUTPUTS {
        let path = dir.join(name);
        fs::write(&path, build().to_pcap())?;
        written.push(path);
    }
    Ok(written)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let dir = match (args.next(), args.next()) {
        (None, _) => PathBuf::from("pcaps"),
        (Some(a), None) if a == "-h" || a == "--help" => {
            println!("usage: gen-demo-pcaps [OUT_DIR]   (default OUT_DIR: pcaps)");
            return ExitCode::SUCCESS;
        }
        (Some(a), None) => PathBuf::from(a),
        (Some(_), Some(_)) => {
            eprintln!("usage: gen-demo-pcaps [OUT_DIR]");
            return ExitCode::from(2);
        }
    };
    match generate(&dir) {
        Ok(paths) => {
            for p in paths {
                println!("wrote {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-demo-pcaps: cannot write into {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    #[test]
    fn checksum_rfc1071_example() {
        // RFC 1071 section 3 example words: 0x0001 0xf203 0xf4f5 0xf6f7 sum to 0xddf2.
        let s = Sum::default().add(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
        assert_eq!(s.finish(), !0xddf2);
    }

    #[test]
    fn builds_are_deterministic() {
        for (name, build) in OUTPUTS {
            assert_eq!(
                build().to_pcap(),
                build().to_pcap(),
                "{name} differs between two builds"
            );
        }
    }

    #[test]
    fn pcap_global_header_is_classic_le_usec_ethernet() {
        let bytes = build_demo().to_pcap();
        assert_eq!(&bytes[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(&bytes[4..8], &[2, 0, 4, 0]);
        assert_eq!(&bytes[20..24], &[1, 0, 0, 0]);
    }

    #[test]
    fn timestamps_increase_and_usecs_are_in_range() {
        for (name, build) in OUTPUTS {
            let cap = build();
            let mut prev = 0;
            for r in &cap.records {
                assert!(r.ts_us > prev, "{name}: timestamps must strictly increase");
                prev = r.ts_us;
            }
        }
    }

    /// Every frame of demo.pcap except the two deliberate anomalies parses with etherparse and
    /// carries correct IPv4 and TCP/UDP/ICMP checksums.
    #[test]
    fn demo_frames_are_well_formed_with_correct_checksums() {
        let cap = build_demo();
        let n = cap.records.len();
        assert!(
            n > 100,
            "demo.pcap should hold a realistic mix, has {n} frames"
        );
        let (mut tcp_n, mut udp_n, mut icmp_n, mut v6_n, mut vlan_n) = (0, 0, 0, 0, 0);
        for (i, r) in cap.records[..n - 2].iter().enumerate() {
            let p =
                SlicedPacket::from_ethernet(&r.data).unwrap_or_else(|e| panic!("frame {i}: {e:?}"));
            if !p.vlan.is_none() {
                vlan_n += 1;
            }
            match &p.net {
                Some(NetSlice::Ipv4(ip)) => {
                    let h = ip.header();
                    assert_eq!(
                        h.to_header().calc_header_checksum(),
                        h.header_checksum(),
                        "frame {i}: IPv4 checksum"
                    );
                    let (src, dst) = (h.source(), h.destination());
                    match &p.transport {
                        Some(TransportSlice::Tcp(t)) => {
                            tcp_n += 1;
                            assert_eq!(
                                t.calc_checksum_ipv4(src, dst).ok(),
                                Some(t.checksum()),
                                "frame {i}: TCP checksum"
                            );
                        }
                        Some(TransportSlice::Udp(u)) => {
                            udp_n += 1;
                            let hdr = u.to_header();
                            assert_eq!(
                                hdr.calc_checksum_ipv4_raw(src, dst, u.payload()).ok(),
                                Some(hdr.checksum),
                                "frame {i}: UDP"
                            );
                        }
                        Some(TransportSlice::Icmpv4(c)) => {
                            icmp_n += 1;
                            assert_eq!(
                                c.icmp_type().calc_checksum(c.payload()),
                                c.checksum(),
                                "frame {i}: ICMP checksum"
                            );
                        }
                        other => panic!("frame {i}: unexpected transport {other:?}"),
                    }
                }
                Some(NetSlice::Ipv6(ip)) => {
                    v6_n += 1;
                    let h = ip.header();
                    let Some(TransportSlice::Tcp(t)) = &p.transport else {
                        panic!("frame {i}: IPv6 carries TCP")
                    };
                    assert_eq!(
                        t.calc_checksum_ipv6(h.source(), h.destination()).ok(),
                        Some(t.checksum()),
                        "frame {i}"
                    );
                    tcp_n += 1;
                }
                other => panic!("frame {i}: unexpected network layer {other:?}"),
            }
        }
        assert!(
            tcp_n > 80 && udp_n == 4 && icmp_n == 6,
            "tcp {tcp_n} udp {udp_n} icmp {icmp_n}"
        );
        assert!(v6_n >= 10 && vlan_n >= 7, "ipv6 {v6_n} vlan {vlan_n}");
    }

    #[test]
    fn demo_ends_with_the_two_ipv4_anomalies() {
        let cap = build_demo();
        let n = cap.records.len();
        let hlen = &cap.records[n - 2].data[14..];
        assert_eq!(hlen[0], 0x44, "IHL 4");
        let trunc = &cap.records[n - 1].data[14..];
        assert_eq!(u16::from_be_bytes([trunc[2], trunc[3]]), 200);
        assert!(trunc.len() < 200);
    }

    #[test]
    fn demo_contains_every_attack_marker() {
        let cap = build_demo();
        let has = |needle: &[u8]| {
            cap.records
                .iter()
                .any(|r| r.data.windows(needle.len()).any(|w| w == needle))
        };
        for (name, needle) in [
            ("nop sled", &[0x90u8; 16][..]),
            ("shellcode", SHELLCODE),
            ("passwd path", b"/etc/passwd"),
            ("passwd contents", b"root:x:0:0:"),
            ("user agent", b"EvilBot/6.6"),
            ("icmp marker", b"RAMPART-DEMO-PING"),
            ("length field", b"RPM1\x00\x01\x00\x00"),
            ("login failure", b"530 Login incorrect"),
            ("bad domain", b"\x02c2\x07badness\x04test\x00"),
        ] {
            assert!(has(needle), "{name} missing from demo.pcap");
        }
    }

    #[test]
    fn anomalies_has_one_record_per_documented_case() {
        let cap = build_anomalies();
        assert_eq!(cap.records.len(), 26);
        let snapped = &cap.records[23];
        assert_eq!(snapped.data.len(), 34);
        assert_eq!(snapped.orig_len, 1514);
        assert!(cap.records[24].data.is_empty());
    }

    #[test]
    fn generate_writes_both_files() {
        let dir = std::env::temp_dir().join(format!("gen-demo-pcaps-unit-{}", std::process::id()));
        let written = generate(&dir).expect("generate");
        assert_eq!(written.len(), 2);
        for p in &written {
            assert!(
                fs::metadata(p).map(|m| m.len() > 24).unwrap_or(false),
                "{} empty",
                p.display()
            );
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
