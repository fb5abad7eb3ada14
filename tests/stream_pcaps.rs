//! Real traffic through the TCP reassembler and the defragmenter: every small Ethernet pcap
//! under /work/shared (suricata-verify tests and the real captures) is read with
//! pcap-parser/etherparse (independent of our decoder), each TCP flow is fed to a
//! `TcpSession`, and the delivered bytes are compared with a naive model (offset -> byte,
//! first copy wins) for every flow that reported no gap, no differing overlap and no refused
//! segment. IPv4/IPv6 fragments go through `FragInfo::parse` + `Defragger`, and every
//! reassembled packet must parse as a well-formed IP packet.
//!
//! Needs /work/shared; fails loudly without it.

use rampart::defrag::{DefragConfig, DefragStatus, Defragger, FragInfo};
use rampart::flow::Direction;
use rampart::stream::{
    flags, Chunk, ReassemblyMode, StreamConfig, StreamEvent, TcpSeg, TcpSession,
};
use rampart::time::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");
/// Files larger than this are skipped to keep the debug-build test short.
const MAX_FILE: u64 = 3 * 1024 * 1024;

fn pcaps(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            pcaps(&p, out);
        } else if p.extension().is_some_and(|x| x == "pcap")
            && e.metadata().is_ok_and(|m| m.len() <= MAX_FILE)
        {
            out.push(p);
        }
    }
}

type FlowKey = (IpAddr, u16, IpAddr, u16);

struct Flow {
    session: TcpSession,
    client: (IpAddr, u16),
    /// Per direction: ISN (from the SYN / SYN-ACK) and the naive model.
    isn: [Option<u32>; 2],
    model: [BTreeMap<u64, u8>; 2],
    got: [Vec<u8>; 2],
    gaps: [u64; 2],
    dirty: bool,
    established: bool,
}

fn idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

fn drain(f: &mut Flow, d: Direction) {
    let i = idx(d);
    let mut n = 0;
    while let Some(c) = f.session.next_chunk(d) {
        n += 1;
        assert!(n < 10_000_000, "drain does not terminate");
        match c {
            Chunk::Data(b) => f.got[i].extend_from_slice(b),
            Chunk::Gap(g) => f.gaps[i] += g,
        }
    }
}

#[test]
fn real_pcaps_ids_mode() {
    run(ReassemblyMode::Ids);
}

#[test]
fn real_pcaps_inline_mode() {
    run(ReassemblyMode::Inline);
}

fn run(mode: ReassemblyMode) {
    assert!(
        Path::new(SHARED).is_dir(),
        "{SHARED} is needed for this test"
    );
    let mut files = Vec::new();
    pcaps(&Path::new(SHARED).join("suricata-verify/tests"), &mut files);
    pcaps(&Path::new(SHARED).join("pcaps"), &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "expected the suricata-verify pcaps under {SHARED}"
    );
    let cfg = StreamConfig {
        depth: 0,
        memcap: 64 << 20,
        max_segments: 1 << 16,
        max_holes: 1024,
        midstream: true,
        async_oneside: true,
        mode,
        ..StreamConfig::default()
    };
    let (mut checked_flows, mut checked_bytes, mut reassembled) = (0usize, 0usize, 0usize);
    for path in &files {
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let Ok(cap) = pcap_parser::PcapCapture::from_file(&data) else {
            continue;
        };
        if cap.header.network.0 != 1 {
            continue; // Ethernet only
        }
        let mut flows: HashMap<FlowKey, Flow> = HashMap::new();
        let mut defrag = Defragger::new(DefragConfig::default());
        for b in &cap.blocks {
            let now = Timestamp::from_parts(i64::from(b.ts_sec), b.ts_usec.min(999_999));
            let Ok(pkt) = etherparse::SlicedPacket::from_ethernet(b.data) else {
                continue;
            };
            let ip_bytes = match &pkt.net {
                Some(etherparse::NetSlice::Ipv4(v4)) => Some(v4.header().slice()),
                Some(etherparse::NetSlice::Ipv6(v6)) => Some(v6.header().slice()),
                _ => None,
            };
            // Fragments: from the IP header on.
            if let Some(h) = ip_bytes {
                let start = h.as_ptr() as usize - b.data.as_ptr() as usize;
                if let Some(info) = b
                    .data
                    .get(start..)
                    .and_then(|ip| FragInfo::parse(ip, [0, 0]))
                {
                    if let DefragStatus::Reassembled(p) = defrag.insert(now, info).status {
                        reassembled += 1;
                        let ok = if p[0] >> 4 == 4 {
                            etherparse::Ipv4Slice::from_slice(p).is_ok()
                        } else {
                            etherparse::Ipv6Slice::from_slice(p).is_ok()
                        };
                        assert!(ok, "{}: reassembled packet does not parse", path.display());
                    }
                    continue;
                }
            }
            let (src, dst) = match &pkt.net {
                Some(etherparse::NetSlice::Ipv4(v4)) => (
                    IpAddr::V4(v4.header().source_addr()),
                    IpAddr::V4(v4.header().destination_addr()),
                ),
                Some(etherparse::NetSlice::Ipv6(v6)) => (
                    IpAddr::V6(v6.header().source_addr()),
                    IpAddr::V6(v6.header().destination_addr()),
                ),
                _ => continue,
            };
            let Some(etherparse::TransportSlice::Tcp(tcp)) = &pkt.transport else {
                continue;
            };
            let (sp, dp) = (tcp.source_port(), tcp.destination_port());
            let key = if (src, sp) <= (dst, dp) {
                (src, sp, dst, dp)
            } else {
                (dst, dp, src, sp)
            };
            let mut fl = 0u8;
            for (set, bit) in [
                (tcp.fin(), flags::FIN),
                (tcp.syn(), flags::SYN),
                (tcp.rst(), flags::RST),
                (tcp.psh(), flags::PSH),
                (tcp.ack(), flags::ACK),
                (tcp.urg(), flags::URG),
            ] {
                if set {
                    fl |= bit;
                }
            }
            let f = flows.entry(key).or_insert_with(|| Flow {
                session: TcpSession::new(&cfg),
                // Client: the SYN sender, else the first sender.
                client: if tcp.syn() && tcp.ack() {
                    (dst, dp)
                } else {
                    (src, sp)
                },
                isn: [None, None],
                model: [BTreeMap::new(), BTreeMap::new()],
                got: [Vec::new(), Vec::new()],
                gaps: [0, 0],
                dirty: false,
                established: false,
            });
            let dir = if (src, sp) == f.client {
                Direction::ToServer
            } else {
                Direction::ToClient
            };
            let i = idx(dir);
            let payload = tcp.payload();
            // The model follows the latest SYN until data arrives (the session does too,
            // or takes the queued ISN the SYN/ACK answers).
            if tcp.syn() && f.model[i].is_empty() && !(i == 0 && tcp.ack()) {
                f.isn[i] = Some(tcp.sequence_number());
            }
            if i == 1 && tcp.syn() && tcp.ack() && f.model[0].is_empty() {
                f.isn[0] = Some(tcp.acknowledgment_number().wrapping_sub(1));
            }
            if let Some(isn) = f.isn[i] {
                let mut off0 =
                    i64::from(tcp.sequence_number().wrapping_sub(isn.wrapping_add(1)) as i32);
                if tcp.syn() {
                    off0 += 1; // data on a SYN (TFO) follows the SYN's sequence number
                }
                for (k, byte) in payload.iter().enumerate() {
                    if let Ok(o) = u64::try_from(off0 + k as i64) {
                        f.model[i].entry(o).or_insert(*byte);
                    }
                }
            }
            let (mut wscale, mut tsopt) = (None, None);
            for o in tcp.options_iterator().flatten() {
                match o {
                    etherparse::TcpOptionElement::WindowScale(w) => wscale = Some(w),
                    etherparse::TcpOptionElement::Timestamp(a, b) => tsopt = Some((a, b)),
                    _ => {}
                }
            }
            let seg = TcpSeg {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                flags: fl,
                window: tcp.window_size(),
                wscale,
                tsopt,
                payload,
            };
            if f.session.state() == rampart::stream::TcpState::Closed && !payload.is_empty() {
                f.dirty = true; // data after RST/FIN-FIN is not reassembled (as Suricata)
            }
            if f.session.is_reuse(dir, &seg) {
                f.dirty = true; // a new connection on the same tuple: the flow table's job
            }
            let ev = f.session.on_packet(now, dir, &seg);
            f.established |= f.session.state() == rampart::stream::TcpState::Established;
            if std::env::var("STREAM_PCAP_DEBUG").is_ok_and(|v| path.to_string_lossy().contains(&v))
            {
                eprintln!(
                    "{dir:?} seq {} ack {} fl {fl:#x} len {} -> {:?} state {:?}",
                    seg.seq,
                    seg.ack,
                    payload.len(),
                    ev.iter().collect::<Vec<_>>(),
                    f.session.state()
                );
            }
            for e in [
                StreamEvent::SeqGap,
                StreamEvent::OverlapDifferentData,
                StreamEvent::PktInvalidAck,
            ] {
                if ev.contains(e) {
                    f.dirty = true;
                    if std::env::var("STREAM_PCAP_REASONS").is_ok() {
                        eprintln!("dirty {:?} {} {:?}", e, path.display(), key);
                    }
                }
            }
            drain(f, Direction::ToServer);
            drain(f, Direction::ToClient);
        }
        for (key, mut f) in flows {
            let ev = f.session.close();
            f.dirty |= ev.contains(StreamEvent::SeqGap);
            for d in [Direction::ToServer, Direction::ToClient] {
                drain(&mut f, d);
                let a = f.session.stream(d).assembler();
                assert_eq!(a.read_offset(), a.contiguous_end(), "{}", path.display());
                assert_eq!(a.holes(), 0);
                let st = a.stats();
                if st.memcap_drops + st.hole_drops + st.segment_drops > 0 {
                    f.dirty = true;
                }
            }
            // Only flows with both handshake ISNs and nothing unusual are compared.
            if f.dirty || !f.established || f.isn.iter().any(Option::is_none) {
                continue;
            }
            for d in [Direction::ToServer, Direction::ToClient] {
                let i = idx(d);
                let model: Vec<u8> = f.model[i].values().copied().collect();
                let contiguous = f.model[i].keys().enumerate().all(|(n, k)| *k == n as u64);
                if !contiguous || f.gaps[i] != 0 {
                    continue;
                }
                assert_eq!(
                    f.got[i].len(),
                    model.len(),
                    "{}: {:?} delivered length differs from the model (flow {key:?}, client {:?}, isn {:?}, state {:?})",
                    path.display(),
                    d,
                    f.client,
                    f.isn,
                    f.session.state()
                );
                assert!(
                    f.got[i] == model,
                    "{}: {:?} delivered bytes differ from the model",
                    path.display(),
                    d
                );
                checked_flows += 1;
                checked_bytes += model.len();
            }
        }
    }
    eprintln!("{mode:?}: checked {checked_flows} flow directions, {checked_bytes} bytes; {reassembled} packets defragmented");
    assert!(
        checked_flows > 100,
        "too few clean flows checked ({checked_flows})"
    );
    assert!(reassembled > 0, "no fragmented traffic was reassembled");
}
