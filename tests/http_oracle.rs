//! HTTP parity against Suricata's own output: real pcaps from /work/shared are reassembled
//! naively (clean captures: sort each direction by sequence number, drop retransmitted
//! bytes, report holes as gaps), fed through `HttpState`, and every transaction's EVE `http`
//! object (from `eve::write_http`) is compared field by field, in order, with the oracle's
//! `http` events for the same flow and `tx_id`.
//!
//! This exercises the parser alone; the pipeline's own end-to-end test covers the real stream
//! engine. Fails loudly when /work/shared is absent.

use rampart::applayer::http::eve::{write_http, HttpEveOptions, JsonFields};
use rampart::applayer::http::HttpState;
use rampart::applayer::Direction;
use rampart::time::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

type Endpoint = (IpAddr, u16);

#[derive(Default)]
struct DirStream {
    isn: Option<u32>,
    segs: Vec<(u32, Vec<u8>)>,
}

#[derive(Default)]
struct Conn {
    /// The endpoint that sent the first SYN (without ACK), if seen.
    client: Option<Endpoint>,
    dirs: HashMap<(Endpoint, Endpoint), DirStream>,
    first_seen: usize,
}

fn read_pcap(path: &str) -> Vec<(u32, Vec<u8>)> {
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

fn collect(path: &str) -> BTreeMap<(Endpoint, Endpoint), Conn> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let mut conns: BTreeMap<(Endpoint, Endpoint), Conn> = BTreeMap::new();
    for (i, (link, data)) in read_pcap(path).into_iter().enumerate() {
        let sliced = match link {
            1 => SlicedPacket::from_ethernet(&data),
            101 | 228 | 229 | 12 | 14 => SlicedPacket::from_ip(&data),
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
fn stream(d: &DirStream) -> Vec<Result<Vec<u8>, u64>> {
    let Some(base) = d.isn.or_else(|| d.segs.iter().map(|s| s.0).min()) else { return Vec::new() };
    let mut segs: Vec<(u64, &[u8])> = d.segs.iter().map(|(s, p)| (u64::from(s.wrapping_sub(base)), p.as_slice())).collect();
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

fn our_events(path: &str) -> HashMap<(Endpoint, Endpoint, u64), Vec<(String, serde_json::Value)>> {
    let mut out = HashMap::new();
    for (key, c) in collect(path) {
        let client = c.client.unwrap_or(if key.1 .1 == 80 || key.1 .1 == 8080 { key.0 } else { key.1 });
        let server = if client == key.0 { key.1 } else { key.0 };
        let _ = c.first_seen;
        let mut st = HttpState::default();
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
        for tx in st.txs() {
            let mut s = JsonFields::default();
            write_http(tx, HttpEveOptions::default(), &mut s);
            out.insert((client, server, tx.id.0), s.0.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        }
    }
    out
}

fn oracle_events(path: &str) -> Vec<((Endpoint, Endpoint, u64), Vec<(String, serde_json::Value)>)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("oracle {path} missing: {e}"));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("\"event_type\":\"http\"")) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle json");
        let ep = |ip: &str, port: &str| -> Endpoint {
            (v[ip].as_str().and_then(|s| s.parse().ok()).expect("ip"), v[port].as_u64().expect("port") as u16)
        };
        let key = (ep("src_ip", "src_port"), ep("dest_ip", "dest_port"), v["tx_id"].as_u64().expect("tx_id"));
        let http_at = line.find("\"http\":{").expect("http object");
        let mut fields: Vec<(String, serde_json::Value)> =
            v["http"].as_object().expect("http object").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        fields.sort_by_key(|(k, _)| line[http_at..].find(&format!("\"{k}\":")).unwrap_or(usize::MAX));
        out.push((key, fields));
    }
    out
}

/// Compares one capture; returns (matched, total, mismatch descriptions).
fn compare(name: &str) -> (usize, usize, Vec<String>) {
    let pcap = format!("/work/shared/pcaps/real/zeek/{name}");
    let oracle = format!("/work/shared/oracle/zeek/{name}.eve.json");
    let ours = our_events(&pcap);
    let want = oracle_events(&oracle);
    let mut bad = Vec::new();
    for (key, fields) in &want {
        match ours.get(key) {
            None => bad.push(format!("{name}: no tx for {key:?}")),
            Some(got) if got != fields => bad.push(format!("{name} {key:?}:\n  want {fields:?}\n  got  {got:?}")),
            Some(_) => {}
        }
    }
    (want.len() - bad.len(), want.len(), bad)
}

#[test]
fn http_records_match_suricata_on_real_captures() {
    let captures = [
        "http_testmyids.pcap",
        "http_pipelined-requests.pcap",
        "http_bro.org.pcap",
        "http_m57-long-49583-80.pcap",
        "http_http-post-large.pcap",
        "http_ctu-62604-80.pcap",
        "http_cooper-grill-dvwa.pcapng",
        "http-vlan-0.pcap",
        "http-qinq-0.pcap",
    ];
    let mut all_bad = Vec::new();
    let (mut ok, mut total) = (0, 0);
    for c in captures {
        let (m, t, bad) = compare(c);
        ok += m;
        total += t;
        all_bad.extend(bad);
    }
    assert!(total >= 40, "oracle http events missing ({total})");
    assert!(all_bad.is_empty(), "{ok}/{total} http records match; mismatches:\n{}", all_bad.join("\n"));
}
