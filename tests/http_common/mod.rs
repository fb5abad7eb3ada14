//! Shared by the HTTP parity tests: read a pcap/pcapng from /work/shared, split TCP
//! connections, rebuild each direction naively (sort by sequence number, drop retransmitted
//! bytes, report holes as gaps) and run both directions through an `HttpState`.
#![allow(dead_code)]

use rampart::applayer::http::{HttpConfig, HttpState};
use rampart::applayer::Direction;
use rampart::time::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

pub type Endpoint = (IpAddr, u16);

#[derive(Default)]
pub struct DirStream {
    isn: Option<u32>,
    segs: Vec<(u32, Vec<u8>)>,
}

#[derive(Default)]
pub struct Conn {
    /// The endpoint that sent the first SYN (without ACK), if seen.
    pub client: Option<Endpoint>,
    pub dirs: HashMap<(Endpoint, Endpoint), DirStream>,
    pub first_seen: usize,
}

pub fn read_pcap(path: &str) -> Vec<(u32, Vec<u8>)> {
    use pcap_parser::{create_reader, Block, PcapBlockOwned, PcapError};
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("reference pcap {path} missing: {e}"));
    let mut r = create_reader(1 << 20, f).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    let mut link = 1u32;
    let mut out = Vec::new();
    loop {
        match r.next() {
            Ok((off, b)) => {
                match b {
                    PcapBlockOwned::LegacyHeader(h) => link = h.network.0 as u32,
                    PcapBlockOwned::Legacy(b) => out.push((link, b.data.to_vec())),
                    PcapBlockOwned::NG(Block::InterfaceDescription(i)) => link = i.linktype.0 as u32,
                    PcapBlockOwned::NG(Block::EnhancedPacket(e)) => {
                        out.push((link, e.data[..(e.caplen as usize).min(e.data.len())].to_vec()))
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(s)) => out.push((link, s.data.to_vec())),
                    PcapBlockOwned::NG(_) => {}
                }
                r.consume(off);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => r.refill().unwrap_or_else(|e| panic!("{path}: {e:?}")),
            Err(e) => panic!("{path}: {e:?}"),
        }
    }
    out
}

pub fn collect(path: &str) -> BTreeMap<(Endpoint, Endpoint), Conn> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let mut conns: BTreeMap<(Endpoint, Endpoint), Conn> = BTreeMap::new();
    for (i, (link, data)) in read_pcap(path).into_iter().enumerate() {
        let sliced = match link {
            1 => SlicedPacket::from_ethernet(&data),
            101 | 228 | 229 | 12 | 14 => SlicedPacket::from_ip(&data),
            // BSD NULL / OpenBSD LOOP: a 4-byte address family, then IP.
            0 | 108 => SlicedPacket::from_ip(data.get(4..).unwrap_or(&[])),
            _ => continue,
        };
        let Ok(p) = sliced else { continue };
        let (src, dst): (IpAddr, IpAddr) = match &p.net {
            Some(NetSlice::Ipv4(s)) => (s.header().source_addr().into(), s.header().destination_addr().into()),
            Some(NetSlice::Ipv6(s)) => (s.header().source_addr().into(), s.header().destination_addr().into()),
            _ => continue,
        };
        let Some(TransportSlice::Tcp(t)) = &p.transport else { continue };
        let a = (src, t.source_port());
        let b = (dst, t.destination_port());
        let key = if a < b { (a, b) } else { (b, a) };
        let c = conns.entry(key).or_insert_with(|| Conn { first_seen: i, ..Conn::default() });
        if t.syn() && !t.ack() && c.client.is_none() {
            c.client = Some(a);
        }
        let d = c.dirs.entry((a, b)).or_default();
        if t.syn() {
            d.isn = Some(t.sequence_number().wrapping_add(1));
        }
        if !t.payload().is_empty() {
            d.segs.push((t.sequence_number(), t.payload().to_vec()));
        }
    }
    conns
}

/// One direction's stream as data and gap pieces.
pub fn stream(d: &DirStream) -> Vec<Result<Vec<u8>, u64>> {
    let Some(base) = d.isn.or_else(|| d.segs.iter().map(|s| s.0).min()) else { return Vec::new() };
    let mut segs: Vec<(u64, &[u8])> =
        d.segs.iter().map(|(s, p)| (u64::from(s.wrapping_sub(base)), p.as_slice())).collect();
    segs.sort_by_key(|s| s.0);
    let mut out = Vec::new();
    let mut cur = 0u64;
    for (rel, p) in segs {
        let end = rel + p.len() as u64;
        if end <= cur {
            continue;
        }
        if rel > cur {
            out.push(Err(rel - cur));
            cur = rel;
        }
        out.push(Ok(p[(cur - rel) as usize..].to_vec()));
        cur = end;
    }
    out
}

/// Runs every TCP connection of `path` through its own `HttpState`, to_server stream first;
/// returns (client, server, closed state) per connection, in capture order of first packet.
pub fn http_states(path: &str) -> Vec<(Endpoint, Endpoint, HttpState)> {
    http_states_with(path, &HttpConfig::default())
}

/// [`http_states`] with the given parser configuration.
pub fn http_states_with(path: &str, cfg: &HttpConfig) -> Vec<(Endpoint, Endpoint, HttpState)> {
    let mut conns: Vec<_> = collect(path).into_iter().collect();
    conns.sort_by_key(|(_, c)| c.first_seen);
    let mut out = Vec::new();
    for (key, c) in conns {
        let client = c.client.unwrap_or(if key.1 .1 == 80 || key.1 .1 == 8080 { key.0 } else { key.1 });
        let server = if client == key.0 { key.1 } else { key.0 };
        let mut st = HttpState::new(cfg.clone());
        let ts = Timestamp::default();
        for (dir, k) in [(Direction::ToServer, (client, server)), (Direction::ToClient, (server, client))] {
            if let Some(d) = c.dirs.get(&k) {
                for piece in stream(d) {
                    match piece {
                        Ok(b) => {
                            st.on_data(dir, ts, &b);
                        }
                        Err(n) => st.on_gap(dir, n),
                    }
                }
            }
        }
        st.on_close(ts);
        out.push((client, server, st));
    }
    out
}
