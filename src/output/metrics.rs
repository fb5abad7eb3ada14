//! Live counters for operators: a [`StatsHub`] that workers publish their counters into, the
//! ruleset state ([`EngineStats`], Suricata's `detect.engines`), and a Prometheus endpoint
//! that serves the same counters as the EVE `stats` event.
//!
//! # Contract
//! - Workers publish a copy of their counters after every batch into their own slot
//!   ([`StatsHub::publish`]): a `clone_from` of plain integers under an uncontended mutex, no
//!   allocation. Readers (the control socket's `dump-counters`, the metrics endpoint) sum the
//!   slots on demand, so they see every packet a worker finished, not only the last periodic
//!   `stats` event.
//! - The metrics endpoint ([`serve_metrics`]) is one std thread with a `TcpListener`: it reads
//!   at most [`MAX_REQUEST`] bytes of request head within [`IO_TIMEOUT`], answers `GET
//!   /metrics` (any path is accepted, as node exporters do) with the OpenMetrics text format
//!   written by `prometheus-client`, and closes the connection. One client at a time; a slow
//!   or silent client costs at most [`IO_TIMEOUT`].
//! - Metric names are the EVE `stats` keys joined with `_` and prefixed with `rampart_`
//!   (`decoder.pkts` -> `rampart_decoder_pkts_total`): the counter set is the EVE one by
//!   construction, since both come from [`super::eve::write_stats_with`].

use super::stats::Counters;
use crate::time::Timestamp;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Largest HTTP request head the metrics endpoint reads.
pub const MAX_REQUEST: usize = 8 * 1024;
/// Read/write timeout of one metrics connection.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The loaded ruleset, as Suricata reports it in `detect.engines` and `ruleset-stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Wall-clock time of the last successful (re)load.
    pub last_reload: Timestamp,
    /// Rules in the running engine.
    pub rules_loaded: u64,
    /// Rules of the running engine's ruleset that failed to parse or were refused.
    pub rules_failed: u64,
    /// Rules skipped (Suricata: unmet `requires`); always 0 in Rampart.
    pub rules_skipped: u64,
    /// Reloads that produced a new engine (the initial load not counted).
    pub reloads: u64,
    /// Reloads that kept the old engine.
    pub reloads_failed: u64,
    /// Why the last reload kept the old engine, if it did.
    pub last_error: Option<String>,
}

/// Counters published by the workers and the ruleset state, shared with the control socket,
/// the metrics endpoint and the output thread.
#[derive(Debug)]
pub struct StatsHub {
    started: Instant,
    slots: RwLock<Vec<Mutex<Counters>>>,
    engine: Mutex<EngineStats>,
}

impl Default for StatsHub {
    fn default() -> Self {
        StatsHub { started: Instant::now(), slots: RwLock::new(Vec::new()), engine: Mutex::new(EngineStats::default()) }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl StatsHub {
    /// A hub whose uptime starts now.
    pub fn new() -> Arc<StatsHub> {
        Arc::new(StatsHub::default())
    }

    /// Makes room for `n` workers' slots (called once by the pipeline before workers start;
    /// existing slots are kept, so counters of an earlier run are not lost).
    pub fn ensure_workers(&self, n: usize) {
        let mut s = self.slots.write().unwrap_or_else(|e| e.into_inner());
        while s.len() < n {
            s.push(Mutex::new(Counters::default()));
        }
    }

    /// Replaces worker `id`'s slot with `c` (no allocation: the counters are plain integers).
    pub fn publish(&self, id: usize, c: &Counters) {
        let s = self.slots.read().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = s.get(id) {
            lock(slot).clone_from(c);
        }
    }

    /// The sum of every worker's last published counters.
    pub fn totals(&self) -> Counters {
        let mut t = Counters::default();
        let s = self.slots.read().unwrap_or_else(|e| e.into_inner());
        for slot in s.iter() {
            t.merge(&lock(slot));
        }
        t
    }

    /// Seconds since the hub was made (the engine's start).
    pub fn uptime(&self) -> u64 {
        self.started.elapsed().as_secs()
    }

    /// The ruleset state.
    pub fn engine(&self) -> EngineStats {
        lock(&self.engine).clone()
    }

    /// Updates the ruleset state.
    pub fn update_engine(&self, f: impl FnOnce(&mut EngineStats)) {
        f(&mut lock(&self.engine));
    }

    /// The EVE `stats` event of the current totals (one line, with its newline).
    pub fn stats_line(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(8192);
        let e = self.engine();
        super::eve::write_stats_with(&mut buf, &self.totals(), wall_now(), self.uptime(), Some(&e));
        buf
    }

    /// The `stats` object of [`Self::stats_line`] as JSON (the control socket's
    /// `dump-counters`).
    pub fn stats_json(&self) -> serde_json::Value {
        let line = self.stats_line();
        serde_json::from_slice::<serde_json::Value>(&line).ok().and_then(|mut v| v.get_mut("stats").map(serde_json::Value::take)).unwrap_or_default()
    }

    /// The Prometheus/OpenMetrics text of the current counters.
    pub fn prometheus_text(&self) -> String {
        let mut reg = prometheus_client::registry::Registry::default();
        let workers = {
            let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
            slots.iter().map(|s| {
                let c = lock(s);
                [c.pkts, c.bytes, c.alerts]
            }).collect()
        };
        reg.register_collector(Box::new(Snapshot(self.stats_json(), workers)));
        let mut out = String::with_capacity(16 * 1024);
        if prometheus_client::encoding::text::encode(&mut out, &reg).is_err() {
            out.clear();
        }
        out
    }
}

/// Wall-clock now as a [`Timestamp`].
pub fn wall_now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_micros(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Stats keys that are levels, not running totals.
const GAUGES: &[&str] = &["uptime", "decoder_avg_pkt_size", "decoder_max_pkt_size", "detect_engines_rules_loaded", "detect_engines_rules_failed", "detect_engines_rules_skipped", "detect_engines_last_reload"];

/// One scrape's values: the `stats` object, flattened by the collector, and per worker
/// `[pkts, bytes, alerts]`.
#[derive(Debug)]
struct Snapshot(serde_json::Value, Vec<[u64; 3]>);

/// Per-worker families (Suricata's per-thread counters), in [`Snapshot`]'s order.
const PER_WORKER: [(&str, &str); 3] = [
    ("rampart_worker_decoder_pkts", "Packets decoded by one worker thread"),
    ("rampart_worker_decoder_bytes", "Bytes decoded by one worker thread"),
    ("rampart_worker_detect_alert", "Alerts raised by one worker thread"),
];

impl prometheus_client::collector::Collector for Snapshot {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut leaves = Vec::new();
        flatten("", &self.0, &mut leaves);
        for (name, v) in leaves {
            let full = format!("rampart_{name}");
            let help = format!("EVE stats {}", name.replace('_', "."));
            if GAUGES.contains(&name.as_str()) {
                let g = ConstGauge::new(v as i64);
                let m = enc.encode_descriptor(&full, &help, None, g.metric_type())?;
                g.encode(m)?;
            } else {
                let c = ConstCounter::new(v);
                let m = enc.encode_descriptor(&full, &help, None, c.metric_type())?;
                c.encode(m)?;
            }
        }
        for (i, (name, help)) in PER_WORKER.iter().enumerate() {
            let mut m = enc.encode_descriptor(name, help, None, prometheus_client::metrics::MetricType::Counter)?;
            for (w, vals) in self.1.iter().enumerate() {
                let labels = [("worker", w.to_string())];
                let fam = m.encode_family(&labels)?;
                ConstCounter::new(vals[i]).encode(fam)?;
            }
        }
        Ok(())
    }
}

/// Numeric leaves of `v` as (`a_b_c`, value). Arrays (`detect.engines`) contribute their
/// first element's numbers; `last_reload` becomes a Unix time.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, u64)>) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}_{k}") };
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let k: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                if k == "last_reload" {
                    if let Some(t) = v.as_str().and_then(parse_eve_secs) {
                        out.push((join(&k), t));
                    }
                    continue;
                }
                flatten(&join(&k), v, out);
            }
        }
        serde_json::Value::Array(a) => {
            if let Some(first) = a.first() {
                flatten(prefix, first, out);
            }
        }
        serde_json::Value::Number(n) => {
            if let Some(x) = n.as_u64() {
                out.push((prefix.to_string(), x));
            }
        }
        _ => {}
    }
}

/// Unix seconds of an EVE timestamp `YYYY-MM-DDTHH:MM:SS.ffffff+0000`.
fn parse_eve_secs(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { std::str::from_utf8(b.get(r)?).ok()?.parse().ok() };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + se).ok()
}

/// Binds `addr` and serves the metrics of `hub` from a thread named `rampart-metrics`.
/// Returns the bound address (port 0 picks a free port).
///
/// Errors: the address cannot be bound.
pub fn serve_metrics(addr: SocketAddr, hub: Arc<StatsHub>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    std::thread::Builder::new().name("rampart-metrics".into()).spawn(move || {
        for conn in listener.incoming() {
            match conn {
                Ok(s) => {
                    if let Err(e) = answer(s, &hub) {
                        tracing::debug!("metrics client: {e}");
                    }
                }
                Err(e) => {
                    tracing::warn!("metrics endpoint: accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    })?;
    Ok(local)
}

/// Reads one request head and writes the metrics (or an error status) back.
fn answer(mut s: TcpStream, hub: &StatsHub) -> std::io::Result<()> {
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        if head.len() >= MAX_REQUEST {
            return s.write_all(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let method_ok = line.starts_with(b"GET ") || line.starts_with(b"HEAD ");
    if !method_ok {
        return s.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    let body = hub.prometheus_text();
    let hdr = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(hdr.as_bytes())?;
    if !line.starts_with(b"HEAD ") {
        s.write_all(body.as_bytes())?;
    }
    s.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eve_time_to_unix() {
        assert_eq!(parse_eve_secs("1970-01-01T00:00:00.000000+0000"), Some(0));
        assert_eq!(parse_eve_secs("2024-03-01T12:30:05.123456+0000"), Some(1_709_296_205));
        assert_eq!(parse_eve_secs("garbage"), None);
    }

    #[test]
    fn totals_sum_slots_and_text_has_eve_names() {
        let hub = StatsHub::new();
        hub.ensure_workers(2);
        let mut a = Counters { pkts: 3, alerts: 1, ..Counters::default() };
        hub.publish(0, &a);
        a.pkts = 4;
        hub.publish(1, &a);
        hub.publish(7, &a); // no such worker: ignored
        assert_eq!(hub.totals().pkts, 7);
        hub.update_engine(|e| {
            e.rules_loaded = 12;
            e.last_reload = Timestamp::from_parts(1_700_000_000, 0);
        });
        let text = hub.prometheus_text();
        assert!(text.contains("rampart_decoder_pkts_total 7"), "{text}");
        assert!(text.contains("rampart_detect_alert_total 2"), "{text}");
        assert!(text.contains("rampart_detect_engines_rules_loaded 12"), "{text}");
        assert!(text.contains("rampart_detect_engines_last_reload 1700000000"), "{text}");
        assert!(text.contains("# TYPE rampart_uptime gauge"), "{text}");
        assert!(text.contains("rampart_worker_decoder_pkts_total{worker=\"1\"} 4"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
        let dump = hub.stats_json();
        assert_eq!(dump["decoder"]["pkts"], 7);
        assert_eq!(dump["detect"]["engines"][0]["rules_loaded"], 12);
    }

    #[test]
    fn endpoint_answers_and_survives_garbage() {
        let hub = StatsHub::new();
        let addr = serve_metrics("127.0.0.1:0".parse().expect("addr"), hub).expect("bind");
        // Garbage and an oversized head first: answered with an error, server keeps going.
        let mut g = TcpStream::connect(addr).expect("connect");
        g.write_all(&[0xff; 100]).expect("write");
        g.write_all(b"\r\n\r\n").expect("write");
        let mut r = String::new();
        g.read_to_string(&mut r).expect("read");
        assert!(r.starts_with("HTTP/1.1 405"), "{r}");
        let mut big = TcpStream::connect(addr).expect("connect");
        let _ = big.write_all(&vec![b'a'; MAX_REQUEST + 10]);
        let mut r = String::new();
        let _ = big.read_to_string(&mut r);
        assert!(r.starts_with("HTTP/1.1 431"), "{r}");
        drop(TcpStream::connect(addr).expect("connect")); // disconnects at once
        let mut s = TcpStream::connect(addr).expect("connect");
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
        let mut r = String::new();
        s.read_to_string(&mut r).expect("read");
        assert!(r.starts_with("HTTP/1.1 200 OK"), "{r}");
        assert!(r.contains("rampart_decoder_pkts_total 0"), "{r}");
    }
}
