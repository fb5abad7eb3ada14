//! Per-worker wiring of defragmentation, TCP reassembly and the app layer into the pipeline.
//!
//! One [`AppWorker`] per worker thread (no locks) owns:
//! - the worker's [`Defragger`] (fragments are defragmented before flow lookup);
//! - one [`FlowApp`] per live TCP flow (allocated once, on the flow's first TCP packet, and
//!   dropped when the flow ends): the [`TcpSession`], the [`Prober`] and, once the flow is
//!   identified as HTTP/1, the [`HttpState`];
//! - the app-layer counters ([`AppCounters`]) and the EVE settings for `http` and `anomaly`
//!   (`stream`, `applayer`) events.
//!
//! Per-flow state lives in a map keyed by the flow id rather than inside the flow-table slot,
//! so the flow table stays independent of the app layer; the entry is removed in the flow-end
//! callback, so the map never holds more entries than the flow table holds TCP flows (and is
//! bounded by `flow.memcap` through it). Memory per entry is bounded by the stream config
//! (per-direction memcap) and the HTTP config (transaction cap and per-field limits).
//!
//! See `docs/design/stream.md`, "Pipeline wiring", for the calling sequence.

use crate::applayer::counters::AppCounters;
use crate::applayer::dns::eve::DnsEveOptions;
use crate::applayer::dns::{DnsConfig, DnsState, DnsTransport};
use crate::applayer::http::eve::{write_http, ContentRange, HttpEveOptions, HttpEveSink};
use crate::applayer::http::{Header, HttpConfig, HttpState, HttpTx};
use crate::applayer::probe::{self, ProbeResult, Prober, Transport};
use crate::applayer::tls::eve::{write_tls, TlsEveOptions, TlsEveSink};
use crate::applayer::tls::{TlsConfig, TlsState};
use crate::applayer::ssh::{SshConfig, SshState}; // proto3
use crate::applayer::ftp::expect::ExpectTable; // proto3
use crate::applayer::ftp::{FtpConfig, FtpDataState, FtpState}; // proto3
use crate::applayer::smtp::{SmtpConfig, SmtpState}; // proto3
use std::sync::Arc; // proto3
use crate::applayer::view::AppView;
use crate::applayer::{AppProto, ParseOutcome, TxId};
use crate::config::{Config, Yaml};
use crate::decode::{DecodeEvent, Packet, L4};
use crate::defrag::{DefragConfig, DefragEvent, DefragStatus, Defragger, FragInfo};
use crate::flow::{Direction, Flow};
use crate::output::eve::{EveIp, JsonWriter};
use crate::stream::{Chunk, StreamConfig, StreamEvent, StreamEvents, TcpSeg, TcpSession};
use crate::time::Timestamp;
use std::collections::HashMap;

/// Most logged, complete transactions kept per flow while detection has not seen their
/// final state yet.
const MAX_UNINSPECTED_TXS: usize = 8;

/// EVE `pkt_src` of events raised while a flow is closed at timeout or shutdown.
const PKT_SRC_FLOW_END: &str = "stream (flow timeout)";
/// EVE `pkt_src` of events raised by a captured packet.
const PKT_SRC_WIRE: &str = "wire/pcap";

/// App-layer state of one TCP flow.
pub struct FlowApp {
    /// TCP reassembly.
    pub tcp: TcpSession,
    /// Protocol detection (kept after the verdict: it is small and tells the verdict).
    pub prober: Prober,
    /// HTTP/1 parser state, once the prober said HTTP/1.
    pub http: Option<HttpState>,
    /// The HTTP parser gave up (transaction cap): no more data is fed.
    http_gave_up: bool,
    /// Transactions below this id were logged.
    next_log: u64,
    /// HTTP transactions already counted (`app_layer.tx.http`).
    counted_txs: u64,
    /// App-layer anomaly events already logged (per-tx events are logged with the tx).
    state_events_logged: usize,
    /// Detection state of the live transactions.
    pub det: crate::detect::app::TxDetStore,
    /// SSH parser state, once the prober said SSH (proto3).
    pub ssh: Option<SshState>,
    /// FTP control channel state, once the prober said FTP (proto3).
    pub ftp: Option<FtpState>,
    /// FTP data channel state, when the flow matched an announced data connection (proto3).
    pub ftp_data: Option<FtpDataState>,
    /// SMTP state, once the prober said SMTP (proto3). After a successful STARTTLS
    /// (`SmtpState::tls_upgraded`) the flow's bytes are TLS: see `feed_proto3`.
    pub smtp: Option<SmtpState>,
    /// DNS-over-TCP state, once the prober said DNS.
    pub dns: Option<DnsState>,
    /// DNS logging and counting progress.
    dns_log: DnsLog,
    /// TLS parser state, once the prober said TLS (boxed: most flows are not TLS).
    pub tls: Option<Box<TlsState>>,
    /// The TLS transaction was logged (or judged not loggable) / counted.
    tls_logged: bool,
    tls_counted: bool,
    /// TLS events already logged as anomalies.
    tls_events_logged: usize,
}

impl FlowApp {
    fn new(stream: &StreamConfig, server_port: u16) -> FlowApp {
        FlowApp {
            tcp: TcpSession::new(stream),
            prober: Prober::new(Transport::Tcp, server_port),
            http: None,
            http_gave_up: false,
            next_log: 0,
            counted_txs: 0,
            state_events_logged: 0,
            det: Default::default(),
            ssh: None,
            ftp: None,
            ftp_data: None,
            smtp: None,
            dns: None,
            dns_log: DnsLog::default(),
            tls: None,
            tls_logged: false,
            tls_counted: false,
            tls_events_logged: 0,
        }
    }

    /// Switches the flow to TLS after an upgrade (SMTP/FTP STARTTLS, HTTP CONNECT): from the
    /// next chunk on, every byte of both directions goes to a new TLS state, whose EVE event
    /// carries `from_proto` (Suricata's name of the original protocol). For the protocol
    /// parsers that see the upgrade succeed.
    pub fn start_tls(&mut self, from_proto: &'static str, cfg: &TlsConfig) {
        let mut t = Box::new(TlsState::new(cfg.clone()));
        t.set_from_proto(from_proto);
        self.tls = Some(t);
    }

    /// The flow's transaction detection state and its live transactions (split borrows).
    pub fn det_and_txs(&mut self) -> (&mut crate::detect::app::TxDetStore, crate::detect::app::TxSource<'_>) {
        let FlowApp { det, http, dns, tls, ssh, ftp, ftp_data, smtp, .. } = self;
        let src = crate::detect::app::TxSource { http: http.as_ref(), dns: dns.as_ref(), tls: tls.as_deref(), ssh: ssh.as_ref(), ftp: ftp.as_ref(), ftp_data: ftp_data.as_ref(), smtp: smtp.as_ref() };
        (det, src)
    }

    /// The app-layer verdict so far.
    pub fn app_proto(&self) -> AppProto {
        if self.http.is_some() {
            AppProto::Http1
        } else if self.ssh.is_some() {
            AppProto::Ssh
        } else if self.ftp.is_some() {
            AppProto::Ftp
        } else if self.ftp_data.is_some() {
            AppProto::FtpData
        } else if self.smtp.is_some() {
            AppProto::Smtp
        } else if self.dns.is_some() {
            AppProto::Dns
        } else if self.tls.is_some() {
            AppProto::Tls
        } else {
            self.prober.verdict()
        }
    }

    /// Feeds every deliverable chunk of both directions (the peer's first: the packet's ACK
    /// released it) into the prober or the parser.
    fn drain(&mut self, ts: Timestamp, first: Direction, http_cfg: &HttpConfig, p3: &Proto3Config, tls_cfg: &TlsConfig) {
        for d in [first, first.flip()] {
            let FlowApp { tcp, prober, http, http_gave_up, ssh, ftp, ftp_data, smtp, dns, tls, .. } = self;
            let mut p3s = P3 { ssh, ftp, ftp_data, smtp };
            while let Some(chunk) = tcp.next_chunk(d) {
                match chunk {
                    // DNS over TCP (dns helper): fed like HTTP once the prober said DNS.
                    Chunk::Data(bytes) if dns.is_some() => {
                        if let Some(s) = dns.as_mut() {
                            s.on_data(d, ts, bytes);
                        }
                    }
                    Chunk::Data(bytes) => {
                        if !feed_proto3(&mut p3s, d, ts, bytes) && !feed_tls(prober, tls, tls_cfg, d, ts, bytes, http.is_none()) {
                            feed_data(prober, http, http_gave_up, http_cfg, d, ts, bytes);
                            feed_tls(prober, tls, tls_cfg, d, ts, bytes, http.is_none());
                            start_proto3(prober, &mut p3s, p3, d, ts, bytes);
                            if prober.verdict() == AppProto::Dns && !bytes.is_empty() {
                                *dns = Some(start_dns_tcp(prober, d, ts, bytes));
                            }
                        }
                    }
                    Chunk::Gap(len) if dns.is_some() => {
                        if let Some(s) = dns.as_mut() {
                            s.on_gap(d, len);
                        }
                    }
                    Chunk::Gap(len) if gap_proto3(&mut p3s, d, len) => {}
                    Chunk::Gap(len) if tls.is_some() => {
                        if let Some(t) = tls.as_mut() {
                            t.on_gap(d, len);
                        }
                    }
                    Chunk::Gap(len) => match http.as_mut() {
                        Some(h) => h.on_gap(d, len),
                        None => {
                            if !prober.verdict().is_decided() {
                                prober.on_gap(d);
                            }
                        }
                    },
                }
            }
        }
    }
}

/// TLS side of [`FlowApp::drain`]: feeds `bytes` to the TLS state if there is one (returns
/// true), or creates it when the prober has just said TLS and replays the probed bytes into it
/// (returns true: `bytes` were part of the replay).
fn feed_tls(prober: &Prober, tls: &mut Option<Box<TlsState>>, cfg: &TlsConfig, d: Direction, ts: Timestamp, bytes: &[u8], no_http: bool) -> bool {
    if let Some(t) = tls.as_mut() {
        if !bytes.is_empty() {
            t.on_data(d, ts, bytes);
        }
        return true;
    }
    if !no_http || prober.verdict() != AppProto::Tls || bytes.is_empty() {
        return false;
    }
    let mut t = Box::new(TlsState::new(cfg.clone()));
    let other = d.flip();
    let kept = prober.buffered(other);
    if !kept.is_empty() {
        t.on_data(other, ts, kept);
    }
    for part in prober.replay_parts(d, bytes) {
        if !part.is_empty() {
            t.on_data(d, ts, part);
        }
    }
    *tls = Some(t);
    true
}


fn feed_data(prober: &mut Prober, http: &mut Option<HttpState>, gave_up: &mut bool, cfg: &HttpConfig, d: Direction, ts: Timestamp, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(h) = http.as_mut() {
        if !*gave_up && !h.is_tunnel() && h.on_data(d, ts, bytes) == ParseOutcome::GiveUp {
            *gave_up = true;
        }
        return;
    }
    if prober.verdict().is_decided() {
        return;
    }
    if prober.feed(d, bytes) == AppProto::Http1 {
        let mut h = HttpState::new(cfg.clone());
        // Replay what the prober saw: the other direction's kept bytes first, then this
        // direction from its start (docs/design/http.md).
        let other = d.flip();
        let kept = prober.buffered(other);
        if !kept.is_empty() {
            h.on_data(other, ts, kept);
        }
        for part in prober.replay_parts(d, bytes) {
            if !part.is_empty() {
                h.on_data(d, ts, part);
            }
        }
        *http = Some(h);
    }
}

// ---- SSH, FTP, SMTP (proto3) -------------------------------------------------------------

/// Parser settings of the proto3 protocols (SSH, FTP, SMTP).
#[derive(Clone, Debug, Default)]
pub struct Proto3Config {
    /// SSH limits and switches.
    pub ssh: SshConfig,
    /// FTP limits.
    pub ftp: FtpConfig,
    /// SMTP limits.
    pub smtp: SmtpConfig,
}

impl Proto3Config {
    /// Suricata's settings: `app-layer.protocols.ssh.hassh` (HASSH in EVE),
    /// `app-layer.protocols.ftp.max-line-length` and the eve-log `smtp` type's `extended`.
    pub fn from_config(cfg: &Config) -> Proto3Config {
        let mut c = Proto3Config::default();
        c.ssh.hassh_eve = cfg.bool_at("app-layer.protocols.ssh.hassh", false).unwrap_or(false);
        if let Ok(n) = cfg.size_at("app-layer.protocols.ftp.max-line-length", c.ftp.max_line_len as u64) {
            c.ftp.max_line_len = usize::try_from(n).unwrap_or(usize::MAX).clamp(64, 1 << 20);
        }
        for (name, y) in &cfg.eve_types {
            if name == "smtp" {
                c.smtp.extended = yaml_true(y.get("extended")).unwrap_or(false);
            }
        }
        c
    }
}

/// The proto3 parser states of one flow, borrowed for `drain`.
struct P3<'a> {
    ssh: &'a mut Option<SshState>,
    ftp: &'a mut Option<FtpState>,
    ftp_data: &'a mut Option<FtpDataState>,
    smtp: &'a mut Option<SmtpState>,
}

/// Feeds `bytes` to the proto3 parser of the flow, if it has one; false when it has none.
fn feed_proto3(p: &mut P3<'_>, d: Direction, ts: Timestamp, bytes: &[u8]) -> bool {
    if let Some(s) = p.ssh.as_mut() {
        if !s.is_finished() {
            s.on_data(d, ts, bytes);
        }
        return true;
    }
    if let Some(s) = p.ftp.as_mut() {
        s.on_data(d, ts, bytes);
        return true;
    }
    if let Some(s) = p.ftp_data.as_mut() {
        s.on_data(d, bytes);
        return true;
    }
    if let Some(s) = p.smtp.as_mut() {
        if s.tls_upgraded() {
            // STARTTLS hook: the bytes from here on are TLS. Hand them to the TLS parser
            // (Suricata: app_proto `tls`, app_proto_orig `smtp`) once FlowApp has one.
            return true;
        }
        s.on_data(d, ts, bytes);
        return true;
    }
    false
}

/// A gap for the proto3 parser of the flow; false when it has none.
fn gap_proto3(p: &mut P3<'_>, d: Direction, len: u64) -> bool {
    if let Some(s) = p.ssh.as_mut() {
        s.on_gap(d, len);
        return true;
    }
    if let Some(s) = p.ftp.as_mut() {
        s.on_gap(d, len);
        return true;
    }
    if let Some(s) = p.smtp.as_mut() {
        s.on_gap(d, len);
        return true;
    }
    p.ftp_data.is_some()
}

/// Feeds what the prober kept (the other direction first) and the rest of this chunk.
fn replay(prober: &Prober, d: Direction, bytes: &[u8], mut f: impl FnMut(Direction, &[u8])) {
    let other = d.flip();
    let kept = prober.buffered(other);
    if !kept.is_empty() {
        f(other, kept);
    }
    for part in prober.replay_parts(d, bytes) {
        if !part.is_empty() {
            f(d, part);
        }
    }
}

/// Right after the prober saw `bytes` of `d`: when its verdict is a proto3 protocol, creates
/// the parser and replays what the prober kept (the other direction first), as for HTTP.
fn start_proto3(prober: &Prober, p: &mut P3<'_>, cfg: &Proto3Config, d: Direction, ts: Timestamp, bytes: &[u8]) {
    if bytes.is_empty() || p.ssh.is_some() || p.ftp.is_some() || p.smtp.is_some() {
        return;
    }
    match prober.verdict() {
        AppProto::Ssh => {
            let mut s = SshState::new(cfg.ssh.clone());
            replay(prober, d, bytes, |dd, b| {
                s.on_data(dd, ts, b);
            });
            *p.ssh = Some(s);
        }
        AppProto::Ftp => {
            let mut s = FtpState::new(cfg.ftp.clone());
            replay(prober, d, bytes, |dd, b| {
                s.on_data(dd, ts, b);
            });
            *p.ftp = Some(s);
        }
        AppProto::Smtp => {
            let mut s = SmtpState::new(cfg.smtp.clone());
            replay(prober, d, bytes, |dd, b| {
                s.on_data(dd, ts, b);
            });
            *p.smtp = Some(s);
        }
        _ => {}
    }
}

/// Logs the flow's done SMTP transactions (all at the end) with their `email` object, and
/// SMTP anomalies.
#[allow(clippy::too_many_arguments)]
fn log_smtp(fa: &mut FlowApp, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, at_end: bool, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    let Some(s) = fa.smtp.as_ref() else { return };
    let newest = s.next_tx_id().0;
    if newest > fa.counted_txs {
        counters.tx_smtp += newest - fa.counted_txs;
        fa.counted_txs = newest;
    }
    for tx in s.txs() {
        if tx.id.0 < fa.next_log {
            continue;
        }
        if !tx.progress.is_done() && !at_end {
            break;
        }
        if eve.enabled && eve.anomaly_applayer {
            for e in tx.events.iter() {
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, Some(tx.id.0), "smtp", e.eve_name(), p);
            }
        }
        if eve.enabled && eve.smtp {
            use crate::applayer::smtp::eve as se;
            let mut w = JsonWriter::new(out);
            w.open();
            flow_head(&mut w, flow, ts, pcap_cnt, pkt_src, "smtp", p);
            w.ku64("tx_id", tx.id.0);
            w.key("smtp").open();
            se::write_smtp(tx, &mut w);
            w.close();
            if se::has_email(tx) {
                w.key("email").open();
                se::write_email(tx, s.config().extended, &mut w);
                w.close();
            }
            w.close();
            out.push(b'\n');
        }
        fa.next_log = tx.id.0 + 1;
    }
    let st = s.events();
    if st.len() > fa.state_events_logged {
        if eve.enabled && eve.anomaly_applayer {
            for e in st.iter().skip(fa.state_events_logged) {
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, None, "smtp", e.eve_name(), p);
            }
        }
        fa.state_events_logged = st.len();
    }
}

/// Moves the data channels the flow's FTP state announced into the shared table.
fn publish_ftp_expectations(fa: &mut FlowApp, flow: &Flow, table: &ExpectTable) {
    let Some(f) = fa.ftp.as_mut() else { return };
    if !f.has_expectations() {
        return;
    }
    for e in f.take_expectations() {
        table.insert(flow.client.0, flow.server.0, flow.id, e);
    }
}

/// Logs the flow's done FTP transactions (all at the end) and their anomalies, or the
/// `ftp_data` event of a data flow at its end.
#[allow(clippy::too_many_arguments)]
fn log_ftp(fa: &mut FlowApp, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, at_end: bool, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    if let Some(dstate) = fa.ftp_data.as_mut() {
        if dstate.take_loggable() {
            counters.tx_ftp_data += 1;
            if eve.enabled && eve.ftp {
                let mut w = JsonWriter::new(out);
                w.open();
                flow_head_parent(&mut w, flow, ts, pcap_cnt, pkt_src, "ftp_data", p, Some(dstate.parent_flow));
                w.key("ftp_data").open();
                crate::applayer::ftp::eve::write_ftp_data(&dstate.tx, &mut w);
                w.close();
                w.close();
                out.push(b'\n');
            }
        }
        return;
    }
    let Some(s) = fa.ftp.as_ref() else { return };
    let newest = s.next_tx_id().0;
    if newest > fa.counted_txs {
        counters.tx_ftp += newest - fa.counted_txs;
        fa.counted_txs = newest;
    }
    for tx in s.txs() {
        if tx.id.0 < fa.next_log {
            continue;
        }
        if !tx.progress.is_done() && !at_end {
            break;
        }
        if eve.enabled && eve.anomaly_applayer {
            for e in tx.events.iter() {
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, Some(tx.id.0), "ftp", e.name(), p);
            }
        }
        if eve.enabled && eve.ftp {
            let mut w = JsonWriter::new(out);
            w.open();
            flow_head(&mut w, flow, ts, pcap_cnt, pkt_src, "ftp", p);
            w.key("ftp").open();
            crate::applayer::ftp::eve::write_ftp(tx, &mut w);
            w.close();
            w.close();
            out.push(b'\n');
        }
        fa.next_log = tx.id.0 + 1;
    }
    let st = s.events();
    if st.len() > fa.state_events_logged {
        if eve.enabled && eve.anomaly_applayer {
            for e in st.iter().skip(fa.state_events_logged) {
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, None, "ftp", e.name(), p);
            }
        }
        fa.state_events_logged = st.len();
    }
}

/// Logs the flow's SSH transaction once it is done (or at the end), and its anomalies.
#[allow(clippy::too_many_arguments)]
fn log_ssh(fa: &mut FlowApp, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, at_end: bool, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    let Some(s) = fa.ssh.as_ref() else { return };
    let newest = s.next_tx_id().0;
    if newest > fa.counted_txs {
        counters.tx_ssh += newest - fa.counted_txs;
        fa.counted_txs = newest;
    }
    for tx in s.txs() {
        if tx.id.0 < fa.next_log || (!tx.progress.is_done() && !at_end) {
            continue;
        }
        if eve.enabled && eve.anomaly_applayer {
            for e in tx.events.iter() {
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, Some(tx.id.0), "ssh", e.name(), p);
            }
        }
        if eve.enabled && eve.ssh && crate::applayer::ssh::eve::has_fields(tx) {
            let mut w = JsonWriter::new(out);
            w.open();
            flow_head(&mut w, flow, ts, pcap_cnt, pkt_src, "ssh", p);
            w.key("ssh").open();
            crate::applayer::ssh::eve::write_ssh(tx, s.config().hassh_eve, &mut w);
            w.close();
            w.close();
            out.push(b'\n');
        }
        fa.next_log = tx.id.0 + 1;
    }
}

/// Writes one `anomaly` event of type `applayer` for protocol `app_proto` (event name as the
/// parser registers it: Suricata's Rust parsers log them in lower case).
#[allow(clippy::too_many_arguments)]
fn write_proto_anomaly(buf: &mut Vec<u8>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx_id: Option<u64>, app_proto: &str, name: &str, p: Option<&Packet<'_>>) {
    write_proto_anomaly_dir(buf, flow, Direction::ToServer, ts, pcap_cnt, pkt_src, tx_id, app_proto, name, p)
}

/// [`write_proto_anomaly`] with src/dest in direction `dir`.
#[allow(clippy::too_many_arguments)]
fn write_proto_anomaly_dir(buf: &mut Vec<u8>, flow: &Flow, dir: Direction, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx_id: Option<u64>, app_proto: &str, name: &str, p: Option<&Packet<'_>>) {
    let mut w = JsonWriter::new(buf);
    w.open();
    flow_head_dir(&mut w, flow, ts, pcap_cnt, pkt_src, "anomaly", p, None, dir == Direction::ToClient);
    if let Some(t) = tx_id {
        w.ku64("tx_id", t);
    }
    w.key("anomaly").open();
    w.kstr("app_proto", app_proto).kstr("type", "applayer");
    w.kstr("event", name);
    w.kstr("layer", "proto_parser");
    w.close();
    w.close();
    buf.push(b'\n');
}

/// Counts a flow newly identified as a proto3 protocol.
fn count_proto3_flow(counters: &mut AppCounters, was: Option<&'static str>, proto: AppProto) {
    if was.is_some() {
        return;
    }
    match proto {
        AppProto::Ssh => counters.flow_ssh += 1,
        AppProto::Ftp => counters.flow_ftp += 1,
        AppProto::FtpData => counters.flow_ftp_data += 1,
        AppProto::Smtp => counters.flow_smtp += 1,
        _ => {}
    }
}

// ---- end proto3 ----------------------------------------------------------------------------

/// A DNS-over-TCP state fed with what the prober saw (as HTTP's replay in `feed_data`).
fn start_dns_tcp(prober: &Prober, d: Direction, ts: Timestamp, bytes: &[u8]) -> DnsState {
    let mut s = DnsState::new(DnsConfig::default());
    let other = d.flip();
    let kept = prober.buffered(other);
    if !kept.is_empty() {
        s.on_data(other, ts, kept);
    }
    for part in prober.replay_parts(d, bytes) {
        if !part.is_empty() {
            s.on_data(d, ts, part);
        }
    }
    s
}

/// DNS logging progress of one flow (TCP or UDP).
#[derive(Debug, Default)]
struct DnsLog {
    /// Transactions below this id were logged.
    next_log: u64,
    /// Transactions already counted (`app_layer.tx.dns_*`).
    counted: u64,
    /// State-level events already logged.
    state_events_logged: usize,
}

/// App-layer state of one UDP flow (dns helper): the probing verdict and, once it said DNS,
/// the [`DnsState`] (one datagram = one message). Created on the flow's first UDP payload and
/// dropped in [`AppWorker::on_flow_end`].
pub struct UdpApp {
    /// Protocol verdict so far (each datagram is probed alone with [`probe::probe`], so no
    /// bytes are kept).
    verdict: AppProto,
    /// A datagram of this direction (to_server, to_client) matched no protocol.
    no_match: [bool; 2],
    /// DNS state, once probing said DNS.
    pub dns: Option<DnsState>,
    dns_log: DnsLog,
    /// Detection state of the live transactions.
    pub det: crate::detect::app::TxDetStore,
}

impl UdpApp {
    fn new() -> UdpApp {
        UdpApp { verdict: AppProto::Unknown, no_match: [false; 2], dns: None, dns_log: DnsLog::default(), det: Default::default() }
    }

    /// The app-layer verdict so far.
    pub fn app_proto(&self) -> AppProto {
        if self.dns.is_some() {
            AppProto::Dns
        } else {
            self.verdict
        }
    }

    /// Probes one datagram of `dir` while undecided; returns the verdict.
    fn probe(&mut self, dir: Direction, payload: &[u8], server_port: u16) -> AppProto {
        if self.verdict.is_decided() {
            return self.verdict;
        }
        match probe::probe(Transport::Udp, dir, payload, server_port) {
            ProbeResult::Found(p) => self.verdict = p,
            // UDP candidates decide on one datagram; NeedMore cannot happen, but counts as no.
            ProbeResult::NoMatch | ProbeResult::NeedMore => {
                self.no_match[usize::from(dir == Direction::ToClient)] = true;
                if self.no_match == [true, true] {
                    self.verdict = AppProto::Failed;
                }
            }
        }
        self.verdict
    }
}

/// EVE settings the app layer needs, read from the eve-log `types` list.
#[derive(Clone, Copy, Debug)]
struct AppEveOptions {
    enabled: bool,
    http: bool,
    http_headers: HttpEveOptions,
    /// `tls` in eve-log types, with its options (tls).
    tls: bool,
    tls_opts: TlsEveOptions,
    anomaly_stream: bool,
    anomaly_applayer: bool,
    /// EVE `ssh` events (proto3).
    ssh: bool,
    /// EVE `ftp` and `ftp_data` events (proto3).
    ftp: bool,
    /// EVE `smtp` events (proto3).
    smtp: bool,
    /// EVE `fileinfo` events (`types: - files`).
    files: bool,
    /// `dns` events (dns helper).
    dns: bool,
    /// `dns` event options (dns helper).
    dns_opts: DnsEveOptions,
}

fn yaml_true(y: Option<&Yaml>) -> Option<bool> {
    let s = y?.as_str()?;
    Some(matches!(s.to_ascii_lowercase().as_str(), "yes" | "true" | "on" | "1" | "enable" | "enabled"))
}

impl AppEveOptions {
    fn from_config(cfg: &Config) -> AppEveOptions {
        let mut o = AppEveOptions {
            enabled: cfg.eve.enabled,
            http: false,
            http_headers: HttpEveOptions::default(),
            tls: false,
            tls_opts: TlsEveOptions::default(),
            anomaly_stream: false,
            anomaly_applayer: cfg.eve.anomaly,
            ssh: false,
            ftp: false,
            smtp: false,
            files: false,
            dns: false,
            dns_opts: DnsEveOptions::default(),
        };
        for (name, y) in &cfg.eve_types {
            match name.as_str() {
                "http" => {
                    o.http = yaml_true(y.get("enabled")).unwrap_or(true);
                    if let Some(v) = y.get("dump-all-headers").and_then(|v| v.as_str()) {
                        let v = v.to_ascii_lowercase();
                        o.http_headers.request_headers = v == "both" || v == "request";
                        o.http_headers.response_headers = v == "both" || v == "response";
                    }
                }
                "ssh" => o.ssh = yaml_true(y.get("enabled")).unwrap_or(true),
                "ftp" => o.ftp = yaml_true(y.get("enabled")).unwrap_or(true),
                "smtp" => o.smtp = yaml_true(y.get("enabled")).unwrap_or(true),
                "files" => o.files = yaml_true(y.get("enabled")).unwrap_or(true),
                "dns" => {
                    o.dns = yaml_true(y.get("enabled")).unwrap_or(true);
                    o.dns_opts.requests = yaml_true(y.get("requests")).unwrap_or(true);
                    o.dns_opts.responses = yaml_true(y.get("responses")).unwrap_or(true);
                    if let Some(f) = y.get("formats").and_then(|f| f.as_seq()) {
                        let has = |n: &str| f.iter().any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(n)));
                        o.dns_opts.detailed = has("detailed");
                        o.dns_opts.grouped = has("grouped");
                    }
                    // Suricata lets SURICATA_EVE_DNS_VERSION override the configured version.
                    let env = std::env::var("SURICATA_EVE_DNS_VERSION").ok();
                    o.dns_opts.version = match env.as_deref().or(y.get("version").and_then(|v| v.as_str())) {
                        Some("2") => 2,
                        _ => 3,
                    };
                    if let Some(t) = y.get("types").and_then(|t| t.as_seq()) {
                        for n in t.iter().filter_map(|x| x.as_str()) {
                            if !o.dns_opts.enable_type(n) {
                                tracing::warn!("eve-log dns: unknown type {n:?} ignored");
                            }
                        }
                        // An empty or all-unknown list logs nothing, as in Suricata.
                        o.dns_opts.types.get_or_insert([0; 5]);
                    }
                }
                "tls" => {
                    o.tls = yaml_true(y.get("enabled")).unwrap_or(true);
                    o.tls_opts = tls_eve_options(y);
                }
                "anomaly" => {
                    let on = cfg.eve.anomaly && yaml_true(y.get("enabled")).unwrap_or(true);
                    o.anomaly_stream = on && yaml_true(y.get("types.stream")).unwrap_or(false);
                    o.anomaly_applayer = on && yaml_true(y.get("types.applayer")).unwrap_or(true);
                }
                _ => {}
            }
        }
        o
    }
}

/// Per-worker app-layer state. See the module docs.
pub struct AppWorker {
    defrag: Defragger,
    stream_cfg: StreamConfig,
    http_cfg: HttpConfig,
    tls_cfg: TlsConfig,
    /// SSH, FTP and SMTP parser settings (proto3).
    p3_cfg: Proto3Config,
    /// Announced FTP data channels, shared by all workers (proto3).
    expect: Arc<ExpectTable>,
    eve: AppEveOptions,
    flows: HashMap<u64, Box<FlowApp>>,
    /// App-layer state of live UDP flows (dns helper), removed at flow end.
    udp_flows: HashMap<u64, Box<UdpApp>>,
    /// App-layer, stream and defrag counters.
    pub counters: AppCounters,
    /// Reassembled frame (original link-layer header + reassembled IP packet), reused.
    reasm: Vec<u8>,
    /// Stream events of the packet being processed (for [`AppWorker::view`]).
    cur_events: StreamEvents,
    /// Flow id of the packet being processed, when it has a TCP session.
    cur_flow: Option<(u64, Direction)>,
    /// Flow id of the packet being processed, when it has UDP app state (dns helper).
    cur_udp: Option<u64>,
}

impl AppWorker {
    /// A worker's app layer from the run configuration.
    pub fn new(cfg: &Config) -> AppWorker {
        let s = &cfg.stream;
        let stream_cfg = StreamConfig {
            depth: s.reassembly_depth,
            midstream: s.midstream,
            async_oneside: s.async_oneside,
            mode: if s.inline || cfg.ips { crate::stream::ReassemblyMode::Inline } else { crate::stream::ReassemblyMode::Ids },
            ..StreamConfig::default()
        };
        AppWorker {
            defrag: Defragger::new(DefragConfig::default()),
            stream_cfg,
            http_cfg: HttpConfig::default(),
            tls_cfg: TlsConfig::default(),
            p3_cfg: Proto3Config::from_config(cfg),
            expect: ExpectTable::global(),
            eve: AppEveOptions::from_config(cfg),
            flows: HashMap::new(),
            udp_flows: HashMap::new(),
            counters: AppCounters::default(),
            reasm: Vec::new(),
            cur_events: StreamEvents::default(),
            cur_flow: None,
            cur_udp: None,
        }
    }

    /// Defragmentation, before flow lookup. For a fragment `p` (of frame `frame`), inserts it
    /// into the worker's defragmenter and raises defrag events on `p` (as decoder events, so
    /// `decode-event:ipv4.frag_overlap` and `anomaly` see them). Returns the reassembled frame
    /// (the original link-layer header and VLANs followed by the reassembled IP packet) to
    /// decode and process like a captured packet, if this fragment completed one.
    pub fn defrag(&mut self, p: &mut Packet<'_>) -> Option<Vec<u8>> {
        if !p.is_fragment() {
            return None;
        }
        let ip = p.ip?;
        let off = usize::from(ip.offset);
        let ip_bytes = p.data.get(off..)?;
        let vlan = [p.vlan[0], p.vlan[1]];
        let info = FragInfo::parse(ip_bytes, vlan)?;
        let res = self.defrag.insert(p.ts, info);
        for e in res.events.iter() {
            let de = match e {
                DefragEvent::Ipv4FragOverlap => Some(DecodeEvent::Ipv4FragOverlap),
                DefragEvent::Ipv6FragOverlap => Some(DecodeEvent::Ipv6FragOverlap),
                DefragEvent::Ipv4FragPktTooLarge => Some(DecodeEvent::Ipv4FragPktTooLarge),
                DefragEvent::Ipv6FragPktTooLarge => Some(DecodeEvent::Ipv6FragPktTooLarge),
                DefragEvent::Ipv6FragInvalidLength => Some(DecodeEvent::Ipv6FragInvalidLength),
                // No decoder event slot: named through the registry if it knows it.
                other => DecodeEvent::from_name(other.name()),
            };
            if let Some(de) = de {
                p.events.set(de);
            }
        }
        match res.status {
            DefragStatus::Reassembled(pkt) => {
                let mut buf = std::mem::take(&mut self.reasm);
                buf.clear();
                buf.extend_from_slice(p.data.get(..off).unwrap_or(&[]));
                buf.extend_from_slice(pkt);
                Some(buf)
            }
            _ => None,
        }
    }

    /// Shares `t` as the FTP expectation table (give every worker of a run the same one; the
    /// default is a process-wide table). proto3.
    pub fn set_expectations(&mut self, t: Arc<ExpectTable>) {
        self.expect = t;
    }

    /// Gives back the buffer returned by [`AppWorker::defrag`] for reuse.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        self.reasm = buf;
    }

    /// Periodic housekeeping at packet time `now` (defrag tracker timeouts).
    pub fn expire(&mut self, now: Timestamp) {
        self.defrag.expire(now);
    }

    /// One packet of `flow` travelling in `dir`, after the flow update and before detection:
    /// TCP reassembly, protocol detection, HTTP parsing; writes `anomaly` (stream) and `http`
    /// events into `out`; sets `flow.app_proto`. Returns this packet's stream events.
    pub fn on_packet(&mut self, p: &Packet<'_>, pcap_cnt: u64, flow: &mut Flow, dir: Direction, out: &mut Vec<u8>) -> StreamEvents {
        self.cur_events = StreamEvents::default();
        self.cur_flow = None;
        self.cur_udp = None;
        let h = match p.l4 {
            L4::Tcp(h) => h,
            L4::Udp(_) => {
                self.on_udp(p, pcap_cnt, flow, dir, out);
                return StreamEvents::default();
            }
            _ => return StreamEvents::default(),
        };
        let id = flow.id;
        let stream_cfg = &self.stream_cfg;
        let server_port = flow.server.1;
        let counters = &mut self.counters;
        let expect = &self.expect;
        let fa = self.flows.entry(id).or_insert_with(|| {
            counters.tcp_sessions_tracked += 1;
            let mut fa = Box::new(FlowApp::new(stream_cfg, server_port));
            // proto3: an announced FTP data connection (one atomic load unless one is pending).
            if !expect.is_empty() {
                if let Some(e) = expect.take(flow.client.0, flow.server.0, server_port, p.ts) {
                    fa.ftp_data = Some(FtpDataState::new(e.parent_flow, &e.exp));
                }
            }
            fa
        });
        // proto3: a flow still probing whose first data arrives may be an announced FTP data
        // connection (the data command usually follows the SYN; one atomic load otherwise).
        if !p.payload().is_empty() && !self.expect.is_empty() && fa.ftp_data.is_none() && !fa.prober.verdict().is_decided() && fa.app_proto() == AppProto::Unknown {
            if let Some(e) = self.expect.take(flow.client.0, flow.server.0, server_port, p.ts) {
                fa.ftp_data = Some(FtpDataState::new(e.parent_flow, &e.exp));
            }
        }
        let seg = TcpSeg::from_decoded(&h, p.payload());
        let ev = fa.tcp.on_packet(p.ts, dir, &seg);
        fa.drain(p.ts, dir.flip(), &self.http_cfg, &self.p3_cfg, &self.tls_cfg);
        self.counters.count_stream_events(ev);
        let was = flow.app_proto;
        let proto = fa.app_proto();
        flow.app_proto = proto.eve_name();
        if was.is_none() && proto == AppProto::Http1 {
            self.counters.flow_http += 1;
        }
        count_proto3_flow(&mut self.counters, was, proto);
        if was.is_none() && proto == AppProto::Dns {
            self.counters.flow_dns_tcp += 1;
        }
        if was.is_none() && proto == AppProto::Tls {
            self.counters.flow_tls += 1;
        }
        let eve = self.eve;
        if let Some(s) = fa.dns.as_ref() {
            log_dns(s, &mut fa.dns_log, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, eve, &mut self.counters, out, Some(p));
        }
        if eve.enabled && eve.anomaly_stream {
            for e in ev.iter() {
                write_stream_anomaly(out, p, pcap_cnt, flow, e);
            }
        }
        log_txs(fa, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, false, eve, &mut self.counters, out, Some(p));
        log_ssh(fa, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, false, eve, &mut self.counters, out, Some(p));
        publish_ftp_expectations(fa, flow, &self.expect);
        log_ftp(fa, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, false, eve, &mut self.counters, out, Some(p));
        log_smtp(fa, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, false, eve, &mut self.counters, out, Some(p));
        log_tls(fa, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, false, eve, &mut self.counters, out, Some(p));
        self.cur_events = ev;
        self.cur_flow = Some((id, dir));
        ev
    }

    /// One UDP packet of `flow` (dns helper): probes the first datagrams, feeds DNS (one
    /// datagram = one message), logs the messages as `dns` events and sets `flow.app_proto`.
    fn on_udp(&mut self, p: &Packet<'_>, pcap_cnt: u64, flow: &mut Flow, dir: Direction, out: &mut Vec<u8>) {
        let payload = p.payload();
        let id = flow.id;
        let server_port = flow.server.1;
        let ua = match self.udp_flows.get_mut(&id) {
            Some(ua) => ua,
            None if payload.is_empty() => return,
            None => self.udp_flows.entry(id).or_insert_with(|| Box::new(UdpApp::new())),
        };
        if payload.is_empty() {
            return;
        }
        if let Some(s) = ua.dns.as_mut() {
            s.on_data(dir, p.ts, payload);
        } else if !ua.verdict.is_decided() && ua.probe(dir, payload, server_port) == AppProto::Dns {
            let mut s = DnsState::new_udp(DnsConfig::default());
            s.on_data(dir, p.ts, payload);
            ua.dns = Some(s);
        }
        let was = flow.app_proto;
        let proto = ua.app_proto();
        if proto.is_decided() {
            flow.app_proto = proto.eve_name();
        }
        if was.is_none() && proto == AppProto::Dns {
            self.counters.flow_dns_udp += 1;
        }
        if let Some(s) = ua.dns.as_mut() {
            log_dns(s, &mut ua.dns_log, flow, p.ts, pcap_cnt, PKT_SRC_WIRE, self.eve, &mut self.counters, out, Some(p));
        }
        self.cur_udp = Some(id);
    }

    /// A packet without a flow: no app-layer state for it.
    pub fn no_flow(&mut self) {
        self.cur_events = StreamEvents::default();
        self.cur_flow = None;
        self.cur_udp = None;
    }

    /// The read-only view of the current packet's flow for detection (build right before
    /// `inspect_packet`; valid until the next call into this worker). `with_raw`: fill
    /// `raw_stream` (it may move the reassembly buffer to make it contiguous, so ask only when
    /// the engine has stream-matching rules).
    pub fn view(&mut self, with_raw: bool) -> AppView<'_> {
        let ev = self.cur_events;
        if let Some(ua) = self.cur_udp.and_then(|id| self.udp_flows.get_mut(&id)) {
            // A UDP flow (dns helper).
            let app_proto = ua.app_proto();
            let UdpApp { dns, det, .. } = &mut **ua;
            return AppView { app_proto, dns: dns.as_ref(), det: Some(det), ..AppView::default() };
        }
        let Some((id, dir)) = self.cur_flow else { return AppView { stream_events: ev, ..AppView::default() } };
        match self.flows.get_mut(&id) {
            Some(fa) => {
                let app_proto = fa.app_proto();
                let FlowApp { tcp, http, det, ssh, ftp, ftp_data, smtp, dns, tls, .. } = &mut **fa;
                let raw_stream = if with_raw { tcp.raw(dir) } else { &[] };
                AppView { app_proto, http: http.as_ref(), dns: dns.as_ref(), tls: tls.as_deref(), raw_stream, stream_events: ev, det: Some(det), ssh: ssh.as_ref(), ftp: ftp.as_ref(), ftp_data: ftp_data.as_ref(), smtp: smtp.as_ref() }
            }
            None => AppView { stream_events: ev, ..AppView::default() },
        }
    }

    /// Writes the app-layer object of transaction `tx_id` of the current packet's flow into
    /// an alert (`"http":{...}`, Suricata's fields), if the transaction is still there.
    pub fn write_alert_app(&self, w: &mut JsonWriter<'_>, tx_id: u64) {
        let Some((id, _)) = self.cur_flow else { return };
        let Some(fa) = self.flows.get(&id) else { return };
        if let Some(tx) = fa.http.as_ref().and_then(|h| h.tx(TxId(tx_id))) {
            w.key("http").open();
            write_http(tx, self.eve.http_headers, &mut Sink(w));
            w.close();
        }
    }

    /// After detection: prunes the transactions that were logged (and inspected).
    pub fn after_inspect(&mut self) {
        if let Some((id, _)) = self.cur_flow {
            if let Some(fa) = self.flows.get_mut(&id) {
                let logged = fa.next_log;
                let mut upto = logged;
                if let Some(h) = fa.http.as_mut() {
                    // A transaction stays until detection has seen both of its sides in their
                    // final state (its response is often parsed on the client's ACK and
                    // inspected on the next packet from the server, as in Suricata), unless
                    // detection lags by more than MAX_UNINSPECTED_TXS (no transaction
                    // rules, a passed flow): memory stays bounded.
                    let waiting = h.txs().take_while(|t| t.id.0 < upto).position(|t| {
                        let tx = crate::detect::app::TxRef::Http(t);
                        [Direction::ToServer, Direction::ToClient].iter().any(|d| !fa.det.inspected(t.id.0, *d, tx.fingerprint(*d)))
                    });
                    if let Some(i) = waiting {
                        let pending = h.txs().take_while(|t| t.id.0 < upto).count() - i;
                        if pending <= MAX_UNINSPECTED_TXS {
                            upto = h.txs().nth(i).map_or(upto, |t| t.id.0);
                        }
                    }
                    h.prune_done(TxId(upto));
                }
                if let Some(s) = fa.ssh.as_mut() {
                    s.prune_done(TxId(logged));
                }
                if let Some(s) = fa.ftp.as_mut() {
                    s.prune_done(TxId(logged));
                }
                if let Some(s) = fa.smtp.as_mut() {
                    s.prune_done(TxId(logged));
                }
                if let Some(s) = fa.dns.as_mut() {
                    s.prune_done(TxId(fa.dns_log.next_log));
                }
                let (det, src) = fa.det_and_txs();
                det.retain_live(src);
            }
        }
        if let Some(id) = self.cur_udp {
            if let Some(ua) = self.udp_flows.get_mut(&id) {
                if let Some(s) = ua.dns.as_mut() {
                    s.prune_done(TxId(ua.dns_log.next_log));
                }
                ua.det.retain_live(crate::detect::app::TxSource { dns: ua.dns.as_ref(), ..Default::default() });
            }
        }
    }

    /// Flow end (timeout, eviction, shutdown, TCP close): closes the session, drains both
    /// directions, closes the parser and logs what it completed. Call before the `flow`
    /// event is written; updates `flow.app_proto`.
    pub fn on_flow_end(&mut self, flow: &mut Flow, now: Timestamp, out: &mut Vec<u8>) {
        if let Some(mut ua) = self.udp_flows.remove(&flow.id) {
            // UDP (dns helper): everything was logged per datagram; an undecided flow that
            // carried payload ends as `failed`, as Suricata reports it.
            if ua.dns.is_none() {
                let proto = if ua.verdict.is_decided() { ua.verdict } else { AppProto::Failed };
                flow.app_proto = proto.eve_name();
            }
            if let Some(s) = ua.dns.as_mut() {
                s.on_close(now);
                log_dns(s, &mut ua.dns_log, flow, now, 0, PKT_SRC_FLOW_END, self.eve, &mut self.counters, out, None);
            }
            return;
        }
        let Some(mut fa) = self.flows.remove(&flow.id) else { return };
        let ev = fa.tcp.close();
        self.counters.count_stream_events(ev);
        fa.drain(now, Direction::ToServer, &self.http_cfg, &self.p3_cfg, &self.tls_cfg);
        // A flow that ends while still probing keeps no `app_proto` (Suricata: unknown, not
        // `failed`), so the prober is not closed here.
        if let Some(h) = fa.http.as_mut() {
            h.on_close(now);
        }
        if let Some(t) = fa.tls.as_mut() {
            t.on_close(now);
        }
        if let Some(s) = fa.ssh.as_mut() {
            s.on_close(now);
        }
        if let Some(s) = fa.ftp.as_mut() {
            s.on_close(now);
        }
        if let Some(s) = fa.ftp_data.as_mut() {
            s.on_close();
        }
        if let Some(s) = fa.smtp.as_mut() {
            s.on_close(now);
        }
        if let Some(s) = fa.dns.as_mut() {
            s.on_close(now);
        }
        let was = flow.app_proto;
        let proto = fa.app_proto();
        if proto.is_decided() {
            flow.app_proto = proto.eve_name();
        }
        if was.is_none() && proto == AppProto::Http1 {
            self.counters.flow_http += 1;
        }
        count_proto3_flow(&mut self.counters, was, proto);
        let eve = self.eve;
        log_txs(&mut fa, flow, now, 0, PKT_SRC_FLOW_END, true, eve, &mut self.counters, out, None);
        log_ssh(&mut fa, flow, now, 0, PKT_SRC_FLOW_END, true, eve, &mut self.counters, out, None);
        publish_ftp_expectations(&mut fa, flow, &self.expect);
        log_ftp(&mut fa, flow, now, 0, PKT_SRC_FLOW_END, true, eve, &mut self.counters, out, None);
        log_smtp(&mut fa, flow, now, 0, PKT_SRC_FLOW_END, true, eve, &mut self.counters, out, None);
        log_tls(&mut fa, flow, now, 0, PKT_SRC_FLOW_END, true, eve, &mut self.counters, out, None);
        if was.is_none() && proto == AppProto::Dns {
            self.counters.flow_dns_tcp += 1;
        }
        if was.is_none() && proto == AppProto::Tls {
            self.counters.flow_tls += 1;
        }
        if let Some(s) = fa.dns.as_ref() {
            log_dns(s, &mut fa.dns_log, flow, now, 0, PKT_SRC_FLOW_END, eve, &mut self.counters, out, None);
        }
    }

    /// Defrag counters of this worker.
    pub fn defrag_stats(&self) -> crate::defrag::DefragStats {
        self.defrag.stats()
    }

    /// A snapshot of all counters (defrag included).
    pub fn snapshot(&self) -> AppCounters {
        let mut c = self.counters.clone();
        c.defrag = self.defrag.stats();
        c
    }
}

/// Logs every done, unlogged HTTP transaction in id order (stopping at the first one not done
/// unless `at_end`), app-layer anomalies, and counts transactions.
#[allow(clippy::too_many_arguments)]
fn log_txs(fa: &mut FlowApp, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, at_end: bool, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    let Some(h) = fa.http.as_ref() else { return };
    let newest = h.next_tx_id().0;
    if newest > fa.counted_txs {
        counters.tx_http += newest - fa.counted_txs;
        fa.counted_txs = newest;
    }
    for tx in h.txs() {
        if tx.id.0 < fa.next_log {
            continue;
        }
        if !tx.progress.is_done() && !at_end {
            break;
        }
        if eve.enabled && eve.anomaly_applayer {
            for e in tx.events.iter() {
                write_applayer_anomaly(out, flow, ts, pcap_cnt, pkt_src, Some(tx.id.0), e.name(), p);
            }
        }
        if eve.enabled && eve.http {
            write_http_event(out, flow, ts, pcap_cnt, pkt_src, tx, eve.http_headers, p);
        }
        if eve.enabled && eve.files && tx.response_file_size > 0 {
            write_fileinfo_event(out, flow, ts, pcap_cnt, pkt_src, tx, eve.http_headers, p);
        }
        fa.next_log = tx.id.0 + 1;
    }
    let st = h.events();
    if st.len() > fa.state_events_logged {
        if eve.enabled && eve.anomaly_applayer {
            for e in st.iter().skip(fa.state_events_logged) {
                write_applayer_anomaly(out, flow, ts, pcap_cnt, pkt_src, None, e.name(), p);
            }
        }
        fa.state_events_logged = st.len();
    }
}

/// Logs every unlogged DNS transaction of `s` (each is one complete message) as a `dns`
/// event, with its anomalies, then new state-level anomalies; counts transactions (dns helper).
#[allow(clippy::too_many_arguments)]
fn log_dns(s: &DnsState, lg: &mut DnsLog, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    let udp = s.transport() == DnsTransport::Udp;
    let newest = s.next_tx_id().0;
    if newest > lg.counted {
        let n = newest - lg.counted;
        if udp {
            counters.tx_dns_udp += n;
        } else {
            counters.tx_dns_tcp += n;
        }
        lg.counted = newest;
    }
    for tx in s.txs() {
        if tx.id.0 < lg.next_log {
            continue;
        }
        if eve.enabled && eve.anomaly_applayer {
            for e in tx.events.iter() {
                write_dns_anomaly(out, flow, tx.dir, ts, pcap_cnt, pkt_src, Some(tx.id.0), e.name(), p);
            }
        }
        if eve.enabled && eve.dns && eve.dns_opts.version == 2 {
            write_dns_v2(out, flow, ts, pcap_cnt, pkt_src, tx, eve.dns_opts, p);
        } else if eve.enabled && eve.dns && eve.dns_opts.logs(tx) {
            let mut w = JsonWriter::new(out);
            w.open();
            dns_head(&mut w, flow, tx.dir, ts, pcap_cnt, pkt_src, "dns", p);
            w.key("dns").open();
            crate::applayer::dns::eve::write_dns_with(&mut w, tx, eve.dns_opts);
            w.close();
            w.close();
            out.push(b'\n');
        }
        lg.next_log = tx.id.0 + 1;
    }
    let st = s.events();
    if st.len() > lg.state_events_logged {
        if eve.enabled && eve.anomaly_applayer {
            for e in st.iter().skip(lg.state_events_logged) {
                let d = p.map_or(Direction::ToServer, |p| if p.ports().1 == flow.server.1 { Direction::ToServer } else { Direction::ToClient });
                write_dns_anomaly(out, flow, d, ts, pcap_cnt, pkt_src, None, e.name(), p);
            }
        }
        lg.state_events_logged = st.len();
    }
}

/// DNS EVE version 2 (Suricata 7's format): a `query` event per logged question of a request,
/// an `answer` event per logged response; both written in the flow's direction.
#[allow(clippy::too_many_arguments)]
fn write_dns_v2(out: &mut Vec<u8>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx: &crate::applayer::dns::DnsTx, opts: DnsEveOptions, p: Option<&Packet<'_>>) {
    use crate::applayer::dns::eve::{write_dns_v2_answer, write_dns_v2_query};
    let enabled = |t: u16| opts.type_enabled(t);
    if tx.is_request() {
        if !opts.requests {
            return;
        }
        for (i, q) in tx.message.queries.iter().enumerate() {
            if !enabled(q.rrtype) {
                continue;
            }
            let mut w = JsonWriter::new(out);
            w.open();
            dns_head(&mut w, flow, Direction::ToServer, ts, pcap_cnt, pkt_src, "dns", p);
            w.key("dns").open();
            write_dns_v2_query(&mut w, tx, i);
            w.close();
            w.close();
            out.push(b'\n');
        }
    } else if opts.responses && tx.message.queries.iter().any(|q| enabled(q.rrtype)) {
        let mut w = JsonWriter::new(out);
        w.open();
        dns_head(&mut w, flow, Direction::ToServer, ts, pcap_cnt, pkt_src, "dns", p);
        w.key("dns").open();
        write_dns_v2_answer(&mut w, tx, opts);
        w.close();
        w.close();
        out.push(b'\n');
    }
}

/// The head of a DNS event: [`flow_head_dir`] with src/dest following the message's direction
/// (Suricata writes a response with the server as `src_ip`).
#[allow(clippy::too_many_arguments)]
fn dns_head(w: &mut JsonWriter<'_>, flow: &Flow, dir: Direction, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, event_type: &str, p: Option<&Packet<'_>>) {
    flow_head_dir(w, flow, ts, pcap_cnt, pkt_src, event_type, p, None, dir == Direction::ToClient);
}

/// Writes one `anomaly` event of type `applayer` for a DNS event (`app_proto` `dns`, the
/// event name in lower case as Suricata's Rust parsers name them: `invalid_opcode`).
#[allow(clippy::too_many_arguments)]
fn write_dns_anomaly(buf: &mut Vec<u8>, flow: &Flow, dir: Direction, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx_id: Option<u64>, name: &str, p: Option<&Packet<'_>>) {
    write_proto_anomaly_dir(buf, flow, dir, ts, pcap_cnt, pkt_src, tx_id, "dns", name, p)
}

/// EVE `tls` options from an eve-log `types` entry (`extended`, `custom`,
/// `session-resumption`), as Suricata's `OutputTlsInitCtx`. Without `extended`, basic fields.
fn tls_eve_options(y: &Yaml) -> TlsEveOptions {
    use crate::applayer::tls::eve::fields;
    let mut f = fields::BASIC;
    if yaml_true(y.get("extended")) == Some(true) {
        f = fields::EXTENDED;
    }
    if let Some(list) = y.get("custom").and_then(|c| c.as_seq()) {
        f = 0;
        for item in list {
            if let Some(b) = item.as_str().and_then(fields::from_name) {
                f |= b;
            }
        }
    }
    let resumption = yaml_true(y.get("session-resumption")).unwrap_or(true);
    if resumption {
        f |= fields::SESSION_RESUMED;
    }
    TlsEveOptions { fields: f, session_resumption: resumption }
}

/// Logs the flow's TLS transaction once it is complete (both handshakes done, or at flow
/// end) and loggable, new TLS events as `anomaly` events, and counts the transaction.
#[allow(clippy::too_many_arguments)]
fn log_tls(fa: &mut FlowApp, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, at_end: bool, eve: AppEveOptions, counters: &mut AppCounters, out: &mut Vec<u8>, p: Option<&Packet<'_>>) {
    let Some(t) = fa.tls.as_ref() else { return };
    if !fa.tls_counted && t.next_tx_id().0 > 0 {
        counters.tx_tls += 1;
        fa.tls_counted = true;
    }
    let st = t.events();
    if st.len() > fa.tls_events_logged {
        if eve.enabled && eve.anomaly_applayer {
            for e in st.iter().skip(fa.tls_events_logged) {
                let mut up = [0u8; 64];
                write_proto_anomaly(out, flow, ts, pcap_cnt, pkt_src, Some(0), "tls", upper(e.name(), &mut up), p);
            }
        }
        fa.tls_events_logged = st.len();
    }
    if fa.tls_logged {
        return;
    }
    let tx = t.the_tx();
    if !(tx.progress.is_done() || at_end) || t.next_tx_id().0 == 0 {
        return;
    }
    fa.tls_logged = true;
    if eve.enabled && eve.tls && tx.loggable(eve.tls_opts.session_resumption) {
        let mut w = JsonWriter::new(out);
        w.open();
        flow_head(&mut w, flow, ts, pcap_cnt, pkt_src, "tls", p);
        w.key("tls").open();
        write_tls(tx, eve.tls_opts, &mut TlsSink(&mut w));
        w.close();
        w.close();
        out.push(b'\n');
    }
}

/// [`TlsEveSink`] over the EVE JSON writer.
struct TlsSink<'w, 'b>(&'w mut JsonWriter<'b>);

impl TlsEveSink for TlsSink<'_, '_> {
    fn string(&mut self, key: &str, value: &str) {
        self.0.kstr(key, value);
    }
    fn boolean(&mut self, key: &str, value: bool) {
        self.0.kbool(key, value);
    }
    fn strings(&mut self, key: &str, values: &mut dyn Iterator<Item = &str>) {
        self.0.key(key).open_arr();
        for v in values {
            self.0.str(v);
        }
        self.0.close_arr();
    }
    fn base64(&mut self, key: &str, data: &[u8]) {
        self.0.key(key).base64(data);
    }
    fn base64s(&mut self, key: &str, values: &mut dyn Iterator<Item = &[u8]>) {
        self.0.key(key).open_arr();
        for v in values {
            self.0.base64(v);
        }
        self.0.close_arr();
    }
    fn open(&mut self, key: &str) {
        self.0.key(key).open();
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// timestamp, flow_id, pcap_cnt, event_type, vlan, src/dest (the flow's client → server),
/// proto, ip_v, pkt_src: the head of flow-oriented app-layer events.
fn flow_head(w: &mut JsonWriter<'_>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, event_type: &str, p: Option<&Packet<'_>>) {
    flow_head_parent(w, flow, ts, pcap_cnt, pkt_src, event_type, p, None);
}

/// [`flow_head`] with Suricata's `parent_id` (the control flow of an `ftp_data` event).
#[allow(clippy::too_many_arguments)]
fn flow_head_parent(w: &mut JsonWriter<'_>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, event_type: &str, p: Option<&Packet<'_>>, parent: Option<u64>) {
    flow_head_dir(w, flow, ts, pcap_cnt, pkt_src, event_type, p, parent, false)
}

/// [`flow_head_parent`] with the addresses in the to_client direction when `to_client`
/// (Suricata's `fileinfo` of a download names the server as the source).
#[allow(clippy::too_many_arguments)]
fn flow_head_dir(w: &mut JsonWriter<'_>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, event_type: &str, p: Option<&Packet<'_>>, parent: Option<u64>, to_client: bool) {
    w.kdisp("timestamp", ts.eve());
    w.ku64("flow_id", flow.id);
    if let Some(pid) = parent {
        w.ku64("parent_id", pid);
    }
    if pcap_cnt > 0 {
        w.ku64("pcap_cnt", pcap_cnt);
    }
    w.kstr("event_type", event_type);
    let vlans: &[u16] = match p {
        Some(p) => p.vlans(),
        None => {
            let v = [flow.key.vlan, flow.key.vlan_inner];
            let n = v.iter().take_while(|x| **x != 0).count();
            if n > 0 {
                w.key("vlan").open_arr();
                for x in &v[..n] {
                    w.u64(u64::from(*x));
                }
                w.close_arr();
            }
            &[]
        }
    };
    if !vlans.is_empty() {
        w.key("vlan").open_arr();
        for x in vlans {
            w.u64(u64::from(*x));
        }
        w.close_arr();
    }
    let (a, b) = if to_client { (flow.server, flow.client) } else { (flow.client, flow.server) };
    w.kdisp("src_ip", EveIp(a.0)).ku64("src_port", a.1.into());
    w.kdisp("dest_ip", EveIp(b.0)).ku64("dest_port", b.1.into());
    w.kstr("proto", if flow.key.proto == 17 { "UDP" } else { "TCP" });
    let ip_v = if flow.ip_v != 0 { flow.ip_v } else if flow.client.0.is_ipv4() { 4 } else { 6 };
    w.ku64("ip_v", ip_v.into());
    w.kstr("pkt_src", pkt_src);
}

/// Writes one EVE `fileinfo` event for the response body of `tx` (Suricata's file tracking
/// of HTTP downloads): the `http` object, `app_proto`, then `fileinfo` with `filename` (the
/// `Content-Disposition` file name, else the URI path), `gaps`, `state`, `stored`, `size`
/// (decompressed bytes) and `tx_id`.
#[allow(clippy::too_many_arguments)]
fn write_fileinfo_event(buf: &mut Vec<u8>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx: &HttpTx, opts: HttpEveOptions, p: Option<&Packet<'_>>) {
    let mut w = JsonWriter::new(buf);
    w.open();
    flow_head_dir(&mut w, flow, ts, pcap_cnt, pkt_src, "fileinfo", p, None, true);
    w.key("http").open();
    write_http(tx, opts, &mut Sink(&mut w));
    w.close();
    w.kstr("app_proto", "http");
    w.key("fileinfo").open();
    let name = crate::applayer::http::detect::file_name(tx);
    w.kstr("filename", &String::from_utf8_lossy(name));
    w.kbool("gaps", tx.response_gap);
    let state = if tx.progress.response_complete && !tx.response_gap { "CLOSED" } else { "TRUNCATED" };
    w.kstr("state", state);
    w.kbool("stored", false);
    w.ku64("size", tx.response_file_size);
    w.ku64("tx_id", tx.id.0);
    w.close();
    w.close();
    buf.push(b'\n');
}

/// Writes one EVE `http` event for `tx`.
#[allow(clippy::too_many_arguments)]
fn write_http_event(buf: &mut Vec<u8>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx: &HttpTx, opts: HttpEveOptions, p: Option<&Packet<'_>>) {
    let mut w = JsonWriter::new(buf);
    w.open();
    flow_head(&mut w, flow, ts, pcap_cnt, pkt_src, "http", p);
    w.ku64("tx_id", tx.id.0);
    w.key("http").open();
    write_http(tx, opts, &mut Sink(&mut w));
    w.close();
    w.close();
    buf.push(b'\n');
}

/// Writes one HTTP `anomaly` event of type `applayer`: Suricata logs HTTP parser events in
/// upper case without the `http.` prefix (`UNABLE_TO_MATCH_RESPONSE_TO_REQUEST`).
#[allow(clippy::too_many_arguments)]
fn write_applayer_anomaly(buf: &mut Vec<u8>, flow: &Flow, ts: Timestamp, pcap_cnt: u64, pkt_src: &str, tx_id: Option<u64>, name: &str, p: Option<&Packet<'_>>) {
    let mut up = [0u8; 64];
    write_proto_anomaly(buf, flow, ts, pcap_cnt, pkt_src, tx_id, "http", upper(name, &mut up), p);
}

/// `name` in ASCII upper case, on the stack (event names are short; a longer one is kept as
/// it is).
fn upper<'a>(name: &'a str, buf: &'a mut [u8; 64]) -> &'a str {
    let Some(dst) = buf.get_mut(..name.len()) else { return name };
    for (d, c) in dst.iter_mut().zip(name.bytes()) {
        *d = c.to_ascii_uppercase();
    }
    std::str::from_utf8(dst).unwrap_or(name)
}

/// Writes one `anomaly` event of type `stream` for packet `p`.
fn write_stream_anomaly(buf: &mut Vec<u8>, p: &Packet<'_>, pcap_cnt: u64, flow: &Flow, e: StreamEvent) {
    let mut w = JsonWriter::new(buf);
    w.open();
    w.kdisp("timestamp", p.ts.eve());
    w.ku64("flow_id", flow.id);
    if pcap_cnt > 0 {
        w.ku64("pcap_cnt", pcap_cnt);
    }
    w.kstr("event_type", "anomaly");
    let vl = p.vlans();
    if !vl.is_empty() {
        w.key("vlan").open_arr();
        for x in vl {
            w.u64(u64::from(*x));
        }
        w.close_arr();
    }
    if let Some(ip) = p.ip {
        let (sp, dp) = p.ports();
        w.kdisp("src_ip", EveIp(ip.src)).ku64("src_port", sp.into());
        w.kdisp("dest_ip", EveIp(ip.dst)).ku64("dest_port", dp.into());
        w.kstr("proto", "TCP").ku64("ip_v", ip.version.into());
    }
    w.kstr("pkt_src", PKT_SRC_WIRE);
    w.key("anomaly").open().kstr("type", "stream");
    w.key("event").str_concat("stream.", e.name());
    w.close();
    w.close();
    buf.push(b'\n');
}

/// [`HttpEveSink`] over the EVE JSON writer.
struct Sink<'w, 'b>(&'w mut JsonWriter<'b>);

fn lossy(v: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(v)
}

impl HttpEveSink for Sink<'_, '_> {
    fn string(&mut self, key: &'static str, value: &[u8]) {
        self.0.kstr(key, &lossy(value));
    }
    fn uint(&mut self, key: &'static str, value: u64) {
        self.0.ku64(key, value);
    }
    fn headers(&mut self, key: &'static str, headers: &[Header]) {
        self.0.key(key).open_arr();
        for h in headers {
            self.0.open();
            self.0.kstr("name", &lossy(&h.name));
            self.0.kstr("value", &lossy(&h.value));
            self.0.close();
        }
        self.0.close_arr();
    }
    fn content_range(&mut self, key: &'static str, range: &ContentRange<'_>) {
        self.0.key(key).open();
        self.0.kstr("raw", &lossy(range.raw));
        if let Some(v) = range.start {
            self.0.ku64("start", v);
        }
        if let Some(v) = range.end {
            self.0.ku64("end", v);
        }
        if let Some(v) = range.size {
            self.0.ku64("size", v);
        }
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::LinkType;

    /// An IPv4 fragment over Ethernet: `off8` in 8-byte units, `mf`, payload `data`.
    fn frag(id: u16, off8: u16, mf: bool, proto: u8, data: &[u8]) -> Vec<u8> {
        let mut v = vec![2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0x08, 0x00];
        let total = 20 + data.len() as u16;
        let fl = off8 | if mf { 0x2000 } else { 0 };
        let mut ip = vec![0x45, 0, (total >> 8) as u8, total as u8, (id >> 8) as u8, id as u8, (fl >> 8) as u8, fl as u8, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let c = crate::defrag::ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        v.extend_from_slice(&ip);
        v.extend_from_slice(data);
        v
    }

    fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let len = 8 + payload.len() as u16;
        let mut u = vec![(sport >> 8) as u8, sport as u8, (dport >> 8) as u8, dport as u8, (len >> 8) as u8, len as u8, 0, 0];
        u.extend_from_slice(payload);
        u
    }

    #[test]
    fn all_fragments_of_a_datagram_hash_alike() {
        let u = udp(1234, 53, &[7u8; 24]);
        let first = frag(9, 0, true, 17, &u[..16]);
        let last = frag(9, 2, false, 17, &u[16..]);
        assert_eq!(crate::flow::flow_hash_hint(LinkType::Ethernet, &first), crate::flow::flow_hash_hint(LinkType::Ethernet, &last));
    }

    #[test]
    fn fragments_reassemble_and_raise_events_in_the_worker() {
        let cfg = Config::default();
        let mut w = AppWorker::new(&cfg);
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let u = udp(1234, 53, &[7u8; 24]);
        let f1 = frag(9, 0, true, 17, &u[..16]);
        let f2 = frag(9, 2, false, 17, &u[16..]);
        let ts = Timestamp::from_parts(1, 0);
        let mut p1 = crate::decode::decode(ts, LinkType::Ethernet, &f1, &dcfg);
        assert!(w.defrag(&mut p1).is_none());
        let mut p2 = crate::decode::decode(ts, LinkType::Ethernet, &f2, &dcfg);
        let buf = w.defrag(&mut p2).expect("reassembled");
        let rp = crate::decode::decode(ts, LinkType::Ethernet, &buf, &dcfg);
        assert!(!rp.is_fragment());
        assert_eq!(rp.ports(), (1234, 53));
        assert_eq!(rp.payload(), &[7u8; 24][..]);
        w.recycle(buf);
        assert_eq!(w.snapshot().defrag.ipv4_reassembled, 1);

        // An overlapping fragment with different bytes raises ipv4.frag_overlap on it.
        let g1 = frag(10, 0, true, 17, &u[..16]);
        let g2 = frag(10, 1, true, 17, &[9u8; 16]);
        let mut q1 = crate::decode::decode(ts, LinkType::Ethernet, &g1, &dcfg);
        let _ = w.defrag(&mut q1);
        let mut q2 = crate::decode::decode(ts, LinkType::Ethernet, &g2, &dcfg);
        let _ = w.defrag(&mut q2);
        assert!(q2.events.iter().any(|e| e == DecodeEvent::Ipv4FragOverlap), "{:?}", q2.events.iter().collect::<Vec<_>>());
    }

    fn tcp(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
        let (src, dst) = if sport == 80 { ([10, 0, 0, 2], [10, 0, 0, 1]) } else { ([10, 0, 0, 1], [10, 0, 0, 2]) };
        let b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4(src, dst, 64).tcp(sport, dport, seq, 65535);
        let b = if flags & 0x02 != 0 { b.syn() } else { b };
        let b = if flags & 0x10 != 0 { b.ack(ack) } else { b };
        let b = if flags & 0x01 != 0 { b.fin() } else { b };
        let mut v = Vec::new();
        b.write(&mut v, payload).expect("build");
        v
    }

    #[test]
    fn http_conversation_logs_one_http_event_and_fills_the_view() {
        use crate::flow::FlowKey;
        let mut cfg = Config::default();
        cfg.eve_types.push(("http".into(), Yaml::empty_map()));
        let mut w = AppWorker::new(&cfg);
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let (c, s) = ((std::net::IpAddr::from([10, 0, 0, 1]), 40000u16), (std::net::IpAddr::from([10, 0, 0, 2]), 80u16));
        let mut flow = Flow::new(7, FlowKey::new(c, s, 6, &[]), c, s, Timestamp::from_parts(1, 0));
        let req = b"GET /x HTTP/1.1\r\nHost: a.example\r\n\r\n";
        let res = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        let frames: Vec<(Direction, Vec<u8>)> = vec![
            (Direction::ToServer, tcp(40000, 80, 100, 0, 0x02, b"")),
            (Direction::ToClient, tcp(80, 40000, 500, 101, 0x12, b"")),
            (Direction::ToServer, tcp(40000, 80, 101, 501, 0x10, b"")),
            (Direction::ToServer, tcp(40000, 80, 101, 501, 0x10, req)),
            (Direction::ToClient, tcp(80, 40000, 501, 101 + req.len() as u32, 0x10, res)),
            (Direction::ToServer, tcp(40000, 80, 101 + req.len() as u32, 501 + res.len() as u32, 0x10, b"")),
        ];
        let mut out = Vec::new();
        let mut saw_tx_in_view = false;
        for (i, (d, f)) in frames.iter().enumerate() {
            let p = crate::decode::decode(Timestamp::from_parts(1, i as u32), LinkType::Ethernet, f, &dcfg);
            w.on_packet(&p, i as u64 + 1, &mut flow, *d, &mut out);
            let v = w.view(true);
            if let Some(h) = v.http {
                saw_tx_in_view |= h.txs().any(|t| t.uri_raw == b"/x");
            }
            w.after_inspect();
        }
        assert!(saw_tx_in_view, "the view exposes the live transaction");
        assert_eq!(flow.app_proto, Some("http"));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines.len(), 1, "{text}");
        let e = &lines[0];
        assert_eq!(e["event_type"], "http");
        assert_eq!(e["pcap_cnt"], 6, "logged when the client ACKs the response");
        assert_eq!(e["src_port"], 40000);
        assert_eq!(e["http"]["hostname"], "a.example");
        assert_eq!(e["http"]["url"], "/x");
        assert_eq!(e["http"]["status"], 200);
        assert_eq!(e["http"]["length"], 2);
        let c = w.snapshot();
        assert_eq!((c.flow_http, c.tx_http), (1, 1));
        let mut flow_out = Vec::new();
        w.on_flow_end(&mut flow, Timestamp::from_parts(2, 0), &mut flow_out);
        assert!(flow_out.is_empty(), "nothing left to log at flow end");
    }

    // dns helper: UDP and TCP DNS through the worker.
    fn dns_query(id: u16, name: &str) -> Vec<u8> {
        let mut m = vec![(id >> 8) as u8, id as u8, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        m
    }

    fn dns_response(id: u16, name: &str, addr: [u8; 4]) -> Vec<u8> {
        let mut m = dns_query(id, name);
        m[2] = 0x81;
        m[3] = 0x80;
        m[7] = 1;
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        m.extend_from_slice(&addr);
        m
    }

    fn udp_frame(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let (src, dst) = if sport == 53 { ([10, 0, 0, 2], [10, 0, 0, 1]) } else { ([10, 0, 0, 1], [10, 0, 0, 2]) };
        let mut v = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4(src, dst, 64).udp(sport, dport).write(&mut v, payload).expect("build");
        v
    }

    fn dns_cfg() -> Config {
        let mut cfg = Config::default();
        cfg.eve_types.push(("dns".into(), Yaml::empty_map()));
        cfg
    }

    #[test]
    fn udp_dns_logs_one_event_per_message_and_frees_state() {
        use crate::flow::FlowKey;
        let mut w = AppWorker::new(&dns_cfg());
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let (c, s) = ((std::net::IpAddr::from([10, 0, 0, 1]), 40000u16), (std::net::IpAddr::from([10, 0, 0, 2]), 53u16));
        let mut flow = Flow::new(9, FlowKey::new(c, s, 17, &[]), c, s, Timestamp::from_parts(1, 0));
        let frames = [
            (Direction::ToServer, udp_frame(40000, 53, &dns_query(0x1234, "www.example.com"))),
            (Direction::ToClient, udp_frame(53, 40000, &dns_response(0x1234, "www.example.com", [93, 184, 216, 34]))),
        ];
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for (i, (d, f)) in frames.iter().enumerate() {
            let p = crate::decode::decode(Timestamp::from_parts(1, i as u32), LinkType::Ethernet, f, &dcfg);
            w.on_packet(&p, i as u64 + 1, &mut flow, *d, &mut out);
            let v = w.view(false);
            assert_eq!(v.app_proto, AppProto::Dns);
            let st = v.dns.expect("dns state in the view");
            seen.extend(st.txs().map(|t| (t.id.0, t.is_request())));
            w.after_inspect();
        }
        assert_eq!(seen, vec![(0, true), (1, false)], "each packet's message is visible to detection");
        assert_eq!(flow.app_proto, Some("dns"));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["dns"]["type"], "request");
        assert_eq!(lines[0]["proto"], "UDP");
        assert_eq!(lines[0]["src_port"], 40000);
        assert_eq!(lines[1]["dns"]["type"], "response");
        assert_eq!(lines[1]["src_port"], 53, "a response is written from the server");
        assert_eq!(lines[1]["dns"]["answers"][0]["rdata"], "93.184.216.34");
        assert_eq!(lines[1]["pcap_cnt"], 2);
        let c = w.snapshot();
        assert_eq!((c.flow_dns_udp, c.tx_dns_udp), (1, 2));
        assert_eq!(w.udp_flows.len(), 1);
        let mut end = Vec::new();
        w.on_flow_end(&mut flow, Timestamp::from_parts(2, 0), &mut end);
        assert!(end.is_empty());
        assert!(w.udp_flows.is_empty(), "state freed at flow end");
        assert_eq!(flow.app_proto, Some("dns"));
    }

    #[test]
    fn udp_non_dns_flow_ends_failed() {
        use crate::flow::FlowKey;
        let mut w = AppWorker::new(&dns_cfg());
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let (c, s) = ((std::net::IpAddr::from([10, 0, 0, 1]), 40000u16), (std::net::IpAddr::from([10, 0, 0, 2]), 9999u16));
        let mut flow = Flow::new(10, FlowKey::new(c, s, 17, &[]), c, s, Timestamp::from_parts(1, 0));
        let f = udp_frame(40000, 9999, b"hello");
        let p = crate::decode::decode(Timestamp::from_parts(1, 0), LinkType::Ethernet, &f, &dcfg);
        let mut out = Vec::new();
        w.on_packet(&p, 1, &mut flow, Direction::ToServer, &mut out);
        w.after_inspect();
        w.on_flow_end(&mut flow, Timestamp::from_parts(2, 0), &mut out);
        assert!(out.is_empty());
        assert_eq!(flow.app_proto, Some("failed"));
        assert!(w.udp_flows.is_empty());
    }

    #[test]
    fn tcp_dns_messages_are_logged() {
        use crate::flow::FlowKey;
        let mut w = AppWorker::new(&dns_cfg());
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let (c, s) = ((std::net::IpAddr::from([10, 0, 0, 1]), 40000u16), (std::net::IpAddr::from([10, 0, 0, 2]), 53u16));
        let mut flow = Flow::new(11, FlowKey::new(c, s, 6, &[]), c, s, Timestamp::from_parts(1, 0));
        let frame = |m: &[u8]| {
            let mut v = (m.len() as u16).to_be_bytes().to_vec();
            v.extend_from_slice(m);
            v
        };
        let req = frame(&dns_query(7, "a.example"));
        let res = frame(&dns_response(7, "a.example", [1, 2, 3, 4]));
        let tcp53 = |sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, payload: &[u8]| {
            let (src, dst) = if sport == 53 { ([10, 0, 0, 2], [10, 0, 0, 1]) } else { ([10, 0, 0, 1], [10, 0, 0, 2]) };
            let b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4(src, dst, 64).tcp(sport, dport, seq, 65535);
            let b = if flags & 0x02 != 0 { b.syn() } else { b };
            let b = if flags & 0x10 != 0 { b.ack(ack) } else { b };
            let mut v = Vec::new();
            b.write(&mut v, payload).expect("build");
            v
        };
        let frames: Vec<(Direction, Vec<u8>)> = vec![
            (Direction::ToServer, tcp53(40000, 53, 100, 0, 0x02, b"")),
            (Direction::ToClient, tcp53(53, 40000, 500, 101, 0x12, b"")),
            (Direction::ToServer, tcp53(40000, 53, 101, 501, 0x10, b"")),
            (Direction::ToServer, tcp53(40000, 53, 101, 501, 0x10, &req[..5])),
            (Direction::ToServer, tcp53(40000, 53, 106, 501, 0x10, &req[5..])),
            (Direction::ToClient, tcp53(53, 40000, 501, 101 + req.len() as u32, 0x10, &res)),
            (Direction::ToServer, tcp53(40000, 53, 101 + req.len() as u32, 501 + res.len() as u32, 0x10, b"")),
        ];
        let mut out = Vec::new();
        for (i, (d, f)) in frames.iter().enumerate() {
            let p = crate::decode::decode(Timestamp::from_parts(1, i as u32), LinkType::Ethernet, f, &dcfg);
            w.on_packet(&p, i as u64 + 1, &mut flow, *d, &mut out);
            w.after_inspect();
        }
        w.on_flow_end(&mut flow, Timestamp::from_parts(2, 0), &mut out);
        assert_eq!(flow.app_proto, Some("dns"));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!((lines[0]["dns"]["type"].as_str(), lines[1]["dns"]["type"].as_str()), (Some("request"), Some("response")));
        assert_eq!(lines[0]["proto"], "TCP");
        let c = w.snapshot();
        assert_eq!((c.flow_dns_tcp, c.tx_dns_tcp), (1, 2));
    }

    #[test]
    fn tls13_conversation_logs_one_tls_event() {
        use crate::applayer::tls::state::testdata::{client_hello, hs, record, server_hello};
        use crate::flow::FlowKey;
        let mut cfg = Config::default();
        let mut tls_cfg = Yaml::empty_map();
        if let Yaml::Map(m) = &mut tls_cfg {
            m.push(("extended".into(), Yaml::Scalar { text: "yes".into(), plain: true }));
        }
        cfg.eve_types.push(("tls".into(), tls_cfg));
        let mut w = AppWorker::new(&cfg);
        let dcfg = crate::decode::DecodeConfig { checksums: false };
        let (c, s) = ((std::net::IpAddr::from([10, 0, 0, 1]), 40001u16), (std::net::IpAddr::from([10, 0, 0, 2]), 443u16));
        let mut flow = Flow::new(9, FlowKey::new(c, s, 6, &[]), c, s, Timestamp::from_parts(1, 0));
        let seg = |to_server: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]| -> Vec<u8> {
            let (sp, dp, src, dst) = if to_server { (40001, 443, [10, 0, 0, 1], [10, 0, 0, 2]) } else { (443, 40001, [10, 0, 0, 2], [10, 0, 0, 1]) };
            let b = etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4(src, dst, 64).tcp(sp, dp, seq, 65535);
            let b = if flags & 0x02 != 0 { b.syn() } else { b };
            let b = if flags & 0x10 != 0 { b.ack(ack) } else { b };
            let mut v = Vec::new();
            b.write(&mut v, payload).expect("build");
            v
        };
        let ch = record(22, &hs(1, &client_hello(b"tls13.example", &[5; 32], true)));
        let mut sh = record(22, &hs(2, &server_hello(&[5; 32], true)));
        sh.extend(record(20, &[1]));
        sh.extend(record(23, &[0xaa; 200]));
        let mut fin = record(20, &[1]);
        fin.extend(record(23, &[0xbb; 50]));
        let (c0, s0) = (100u32, 500u32);
        let (c1, s1) = (c0 + 1 + ch.len() as u32, s0 + 1 + sh.len() as u32);
        let frames: Vec<(Direction, Vec<u8>)> = vec![
            (Direction::ToServer, seg(true, c0, 0, 0x02, b"")),
            (Direction::ToClient, seg(false, s0, c0 + 1, 0x12, b"")),
            (Direction::ToServer, seg(true, c0 + 1, s0 + 1, 0x10, b"")),
            (Direction::ToServer, seg(true, c0 + 1, s0 + 1, 0x10, &ch)),
            (Direction::ToClient, seg(false, s0 + 1, c1, 0x10, &sh)),
            (Direction::ToServer, seg(true, c1, s1, 0x10, &fin)),
            (Direction::ToClient, seg(false, s1, c1 + fin.len() as u32, 0x10, b"")),
        ];
        let mut out = Vec::new();
        let mut saw_view = false;
        for (i, (d, f)) in frames.iter().enumerate() {
            let p = crate::decode::decode(Timestamp::from_parts(1, i as u32), LinkType::Ethernet, f, &dcfg);
            w.on_packet(&p, i as u64 + 1, &mut flow, *d, &mut out);
            saw_view |= w.view(false).tls.is_some_and(|t| t.the_tx().client_hello.is_some());
            w.after_inspect();
        }
        assert!(saw_view, "the view exposes the TLS state");
        assert_eq!(flow.app_proto, Some("tls"));
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines.len(), 1, "{text}");
        let e = &lines[0];
        assert_eq!(e["event_type"], "tls");
        assert_eq!(e["pcap_cnt"], 7, "logged when the client's finish is acknowledged");
        assert_eq!(e["tls"]["sni"], "tls13.example");
        assert_eq!(e["tls"]["version"], "TLS 1.3");
        assert_eq!(e["tls"]["client_alpns"], serde_json::json!(["h2", "http/1.1"]));
        assert!(e["tls"]["ja4"].as_str().is_some_and(|j| j.starts_with("t13d")));
        let c = w.snapshot();
        assert_eq!((c.flow_tls, c.tx_tls), (1, 1));
        let mut end = Vec::new();
        w.on_flow_end(&mut flow, Timestamp::from_parts(2, 0), &mut end);
        assert!(end.is_empty(), "logged once");
    }
}
