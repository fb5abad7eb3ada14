//! The worker pipeline: a source feeds a dispatcher that hashes each packet's flow
//! symmetrically to one of N workers; each worker decodes, tracks flows, runs detection and
//! formats events, which an output thread writes.
//!
//! ```text
//!  caller thread                 worker threads (N)                       output thread
//!  source.next_frame ─► hash ─► [Batch of Frames] ─► decode ► flow ► detect ► EVE bytes ─► eve.json
//!        ▲                          │                                         │
//!        └──── empty batches ◄──────┘                  empty buffers ◄────────┘
//! ```
//!
//! Steady state allocates nothing per packet: frames travel in batches of [`BATCH_SIZE`] whose
//! buffers are swapped (not copied) with the reader's scratch frame and returned to the
//! dispatcher when a worker is done with them; EVE lines are written into per-worker buffers
//! that the output thread hands back after writing. Channels are bounded
//! ([`BATCHES_IN_FLIGHT`]), so a slow worker or output slows the reader instead of growing
//! memory.
//!
//! The detection engine is read through an [`ArcSwap`] once per batch, so a reload that
//! stores a new engine is picked up at the next batch boundary; a worker rebuilds its
//! [`crate::detect::DetectCtx`] when the engine changes.

use crate::applayer::session::AppWorker; // wire
use crate::capture::{Frame, PacketSource};
use crate::config::{Config, RunMode};
use crate::decode::{self, DecodeConfig};
use crate::detect::{Alert, DetectEngine, SigMeta};
use crate::flow::table::FlowTable;
use crate::decode::{Packet, L4};
use crate::flow::{Direction, EndReason, Flow};
use crate::flow::flow_hash_hint;
use crate::output::eve::{self, PacketRecord};
use crate::output::stats::Counters;
use crate::output::EveOptions;
use crate::time::Timestamp;
use arc_swap::ArcSwap;
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

pub mod live;

/// Frames per batch handed to a worker.
pub const BATCH_SIZE: usize = 64;
/// Batches queued per worker before the reader blocks.
pub const BATCHES_IN_FLIGHT: usize = 8;
/// Packets between two looks at the wall clock for periodic stats.
const STATS_CLOCK_EVERY: u64 = 256;
/// Size above which a worker hands its EVE buffer to the output thread mid-batch.
const OUT_FLUSH_BYTES: usize = 256 * 1024;

/// Totals of one run, for the exit summary.
#[derive(Clone, Debug, Default)]
pub struct RunSummary {
    /// Packets read from the source.
    pub packets: u64,
    /// Alerts written.
    pub alerts: u64,
    /// Alerts per (sid, msg), for the demo summary, most frequent first.
    pub alerts_by_sig: Vec<(u32, String, u64)>,
    /// Why the source stopped early (truncated or corrupt capture). Every frame before the
    /// damage was processed and logged, as Suricata does; the caller decides the exit code.
    pub capture_error: Option<String>,
    /// live: kernel capture and verdict counters (zero offline).
    pub live: crate::output::stats::LiveCounters,
    /// live: packets dropped (inline).
    pub dropped: u64,
}

/// A batch of frames for one worker; `len` of `frames` are valid.
struct Batch {
    frames: Vec<Frame>,
    len: usize,
}

impl Batch {
    fn new() -> Batch {
        Batch { frames: Vec::with_capacity(BATCH_SIZE), len: 0 }
    }
}

/// An empty batch: one a worker gave back (its frame buffers are reused), else a new one.
fn recycled(free: &Receiver<Batch>) -> Batch {
    match free.try_recv() {
        Ok(mut b) => {
            b.len = 0;
            b
        }
        Err(_) => Batch::new(),
    }
}

/// What the dispatcher sends a worker.
enum ToWorker {
    Frames(Batch),
    /// Periodic stats: send your counters, tagged with this tick.
    StatsTick(u64),
    /// Packet time of the run moved on (sent once per second of packet time), so workers
    /// that see no packets still time their flows out.
    Time(Timestamp),
    /// End of input; `Timestamp` is the last packet time of the run.
    End(Timestamp),
}

/// What workers send the output thread.
enum ToOutput {
    Lines(Vec<u8>),
    Counters { tick: u64, counters: Box<Counters> },
    Done { counters: Box<Counters> },
    /// ops: write a `stats` event from the hub's published counters now.
    HubStats,
}

/// What a worker returns when it ends.
struct WorkerResult {
    alerts: u64,
    by_sig: HashMap<(u32, u32), (Arc<SigMeta>, u64)>,
}

/// Optional operational hooks of a run (ops: control socket, metrics, reload).
#[derive(Clone, Default)]
pub struct RunHooks {
    /// Workers publish their counters here after every batch, and `stats` events carry its
    /// ruleset state (`detect.engines`).
    pub hub: Option<Arc<crate::output::metrics::StatsHub>>,
    /// When set (control socket `shutdown`), the dispatcher stops reading at the next frame
    /// and the run ends as at the end of the input.
    pub stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// [`run`] with [`RunHooks`] (ops).
pub fn run_hooked(cfg: &Config, engine: Arc<ArcSwap<DetectEngine>>, source: Box<dyn PacketSource>, log_dir: &Path, hooks: RunHooks) -> anyhow::Result<RunSummary> {
    run_inner(cfg, engine, source, log_dir, hooks)
}

/// Runs `source` to its end through the workers and writes EVE into `log_dir`.
///
/// `engine` is the shared, swappable detection engine: a reload stores a new engine into it
/// and workers switch at their next batch.
///
/// Errors: the EVE file cannot be created or written, or a worker died. A capture source
/// that fails midway is not an error: the frames before the failure are processed and the
/// reason is returned in [`RunSummary::capture_error`].
pub fn run(cfg: &Config, engine: Arc<ArcSwap<DetectEngine>>, source: Box<dyn PacketSource>, log_dir: &Path) -> anyhow::Result<RunSummary> {
    run_inner(cfg, engine, source, log_dir, RunHooks::default())
}

fn run_inner(cfg: &Config, engine: Arc<ArcSwap<DetectEngine>>, mut source: Box<dyn PacketSource>, log_dir: &Path, hooks: RunHooks) -> anyhow::Result<RunSummary> {
    let n_workers = match cfg.runmode {
        RunMode::Single => 1,
        RunMode::Workers => cfg.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).clamp(1, 1024),
    };
    let started = std::time::Instant::now();
    let eve_opts = cfg.eve.clone();
    let path = log_dir.join(&eve_opts.filename);
    let file: Option<BufWriter<File>> = if eve_opts.enabled {
        let f = File::create(&path).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        Some(BufWriter::with_capacity(1 << 20, f))
    } else {
        None
    };

    let (out_tx, out_rx) = bounded::<ToOutput>(n_workers * BATCHES_IN_FLIGHT);
    let (buf_back_tx, buf_back_rx) = unbounded::<Vec<u8>>();
    let write_stats = eve_opts.stats;
    if let Some(h) = &hooks.hub {
        h.ensure_workers(n_workers); // ops
    }
    let out_hub = hooks.hub.clone(); // ops
    let output = std::thread::Builder::new()
        .name("rampart-output".into())
        .spawn(move || output_thread(file, out_rx, buf_back_tx, n_workers, write_stats, started, out_hub))?;

    let mut to_workers: Vec<Sender<ToWorker>> = Vec::with_capacity(n_workers);
    let mut free_batches: Vec<Receiver<Batch>> = Vec::with_capacity(n_workers);
    let mut handles = Vec::with_capacity(n_workers);
    for w in 0..n_workers {
        let (tx, rx) = bounded::<ToWorker>(BATCHES_IN_FLIGHT);
        let (free_tx, free_rx) = unbounded::<Batch>();
        to_workers.push(tx);
        free_batches.push(free_rx);
        let ctx = WorkerSetup {
            id: w as u16,
            cfg: cfg.clone(),
            engine: Arc::clone(&engine),
            rx,
            free_tx,
            out_tx: out_tx.clone(),
            buf_back_rx: buf_back_rx.clone(),
            hub: hooks.hub.clone(), // ops
        };
        handles.push(std::thread::Builder::new().name(format!("rampart-w{w}")).spawn(move || worker(ctx))?);
    }
    // ops: with a hub, periodic stats come from a timer thread, so they keep coming when no
    // packet does (a quiet live link, an idle FIFO).
    let stats_timer = start_stats_timer(cfg, &hooks, &out_tx)?;
    drop(out_tx);

    // Dispatcher (this thread).
    let mut current: Vec<Batch> = (0..n_workers).map(|_| Batch::new()).collect();
    let mut scratch = Frame::new();
    let mut packets: u64 = 0;
    let mut last_ts = Timestamp::default();
    let mut next_stats: Option<std::time::Instant> = None;
    let mut tick: u64 = 0;
    let mut last_tick_sec = i64::MIN;
    let mut read_err: Option<String> = None;
    let mut send_failed = false;
    loop {
        if hooks.stop.as_ref().is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
            break; // ops: control-socket shutdown
        }
        match source.next_frame(&mut scratch) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                read_err = Some(e.to_string());
                break;
            }
        }
        packets += 1;
        if scratch.pcap_cnt == 0 {
            scratch.pcap_cnt = packets;
        }
        last_ts = last_ts.max(scratch.ts);
        // Periodic stats follow the wall clock, as Suricata's stats thread does (a capture
        // file read faster than the interval gets only the final stats event).
        if cfg.stats_interval > 0 && packets % STATS_CLOCK_EVERY == 0 && stats_timer.is_none() {
            let now = std::time::Instant::now();
            let due = *next_stats.get_or_insert(started + std::time::Duration::from_secs(cfg.stats_interval));
            if now >= due {
                next_stats = Some(now + std::time::Duration::from_secs(cfg.stats_interval));
                // Flush what is queued so the counters cover every packet before the tick.
                for (w, b) in current.iter_mut().enumerate() {
                    if b.len > 0 {
                        let full = std::mem::replace(b, recycled(&free_batches[w]));
                        send_failed |= to_workers[w].send(ToWorker::Frames(full)).is_err();
                    }
                }
                tick += 1;
                for tx in &to_workers {
                    send_failed |= tx.send(ToWorker::StatsTick(tick)).is_err();
                }
            }
        }
        if scratch.ts.secs() > last_tick_sec {
            if last_tick_sec != i64::MIN {
                // Queued frames are older: hand them over first so each worker sees time in
                // order (partial batches once per second of packet time).
                for (w, b) in current.iter_mut().enumerate() {
                    if b.len > 0 {
                        let full = std::mem::replace(b, recycled(&free_batches[w]));
                        send_failed |= to_workers[w].send(ToWorker::Frames(full)).is_err();
                    }
                }
                for tx in &to_workers {
                    send_failed |= tx.send(ToWorker::Time(scratch.ts)).is_err();
                }
            }
            last_tick_sec = scratch.ts.secs();
        }
        // wire: fragments hash on addresses only (one worker defragments them all).
        let w = (flow_hash_hint(scratch.link, &scratch.data) % n_workers as u64) as usize;
        let b = &mut current[w];
        if b.len < b.frames.len() {
            std::mem::swap(&mut b.frames[b.len], &mut scratch);
        } else {
            b.frames.push(std::mem::take(&mut scratch));
            scratch = Frame::new();
        }
        b.len += 1;
        if b.len == BATCH_SIZE {
            let full = std::mem::replace(b, recycled(&free_batches[w]));
            if to_workers[w].send(ToWorker::Frames(full)).is_err() {
                send_failed = true;
                break;
            }
        }
    }
    for (w, b) in current.into_iter().enumerate() {
        if b.len > 0 {
            send_failed |= to_workers[w].send(ToWorker::Frames(b)).is_err();
        }
        send_failed |= to_workers[w].send(ToWorker::End(last_ts)).is_err();
    }
    drop(to_workers);

    let mut summary = RunSummary { packets, ..RunSummary::default() };
    let mut by_sig: HashMap<(u32, u32), (Arc<SigMeta>, u64)> = HashMap::new();
    let mut worker_err = None;
    for h in handles {
        match h.join() {
            Ok(r) => {
                summary.alerts += r.alerts;
                for (k, (sig, n)) in r.by_sig {
                    by_sig.entry(k).or_insert((sig, 0)).1 += n;
                }
            }
            Err(_) => worker_err = Some(anyhow::anyhow!("a worker thread panicked")),
        }
    }
    if let Some((stop, h)) = stats_timer {
        drop(stop); // ops: ends the timer, which holds a sender of the output channel
        let _ = h.join();
    }
    let out_res = output.join().map_err(|_| anyhow::anyhow!("the output thread panicked"))?;
    out_res.map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    if let Some(e) = worker_err {
        return Err(e);
    }
    if send_failed {
        return Err(anyhow::anyhow!("a worker stopped early"));
    }
    if let Some(e) = &read_err {
        tracing::warn!("capture stopped early: {e}");
    }
    summary.capture_error = read_err;
    let mut list: Vec<(u32, String, u64)> = by_sig.into_values().map(|(s, n)| (s.sid, s.msg.clone(), n)).collect();
    list.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    summary.alerts_by_sig = list;
    Ok(summary)
}

struct WorkerSetup {
    id: u16,
    cfg: Config,
    engine: Arc<ArcSwap<DetectEngine>>,
    rx: Receiver<ToWorker>,
    free_tx: Sender<Batch>,
    out_tx: Sender<ToOutput>,
    buf_back_rx: Receiver<Vec<u8>>,
    /// ops: where counters are published after every batch.
    hub: Option<Arc<crate::output::metrics::StatsHub>>,
}

/// Per-worker state that event writing needs while the flow table is borrowed.
struct Emit<'a> {
    opts: &'a EveOptions,
    out: &'a mut Vec<u8>,
    counters: &'a mut Counters,
    /// wire: stream/app-layer state (src/applayer/session.rs).
    app: &'a mut AppWorker,
}

impl Emit<'_> {
    fn flow_ended(&mut self, mut f: Flow, reason: EndReason, now: Timestamp) {
        self.app.on_flow_end(&mut f, now, self.out); // wire: close stream, log last http txs
        let f = &f;
        self.counters.count_flow_end(f);
        if self.opts.enabled && self.opts.flow {
            eve::write_flow_opts(self.out, self.opts, f, reason, now);
        }
    }
}

/// Runs detection on one packet: the engine's `inspect_packet` with the worker's context, or a
/// stand-in in tests.
type Inspect<'e> = dyn FnMut(&Packet<'_>, Option<(&mut Flow, Direction)>, &mut crate::applayer::view::AppView<'_>, &mut Vec<Alert>) + 'e;

/// Everything one worker owns: flow table, counters, EVE buffer, alert scratch.
struct WorkerState {
    opts: EveOptions,
    ips: bool,
    table: FlowTable,
    counters: Counters,
    out: Vec<u8>,
    alerts: Vec<Alert>,
    result: WorkerResult,
    last_ts: Timestamp,
    /// wire: defrag, TCP reassembly, app layer of this worker.
    app: AppWorker,
    /// live: a packet dropped by a rule drops the rest of its flow (live inline mode).
    live_drop_flow: bool,
}

impl WorkerState {
    fn new(cfg: &Config, id: u16) -> WorkerState {
        WorkerState {
            opts: cfg.eve.clone(),
            ips: cfg.ips,
            table: FlowTable::new(cfg.flow.clone(), id),
            counters: Counters::default(),
            out: Vec::with_capacity(64 * 1024),
            alerts: Vec::with_capacity(32),
            result: WorkerResult { alerts: 0, by_sig: HashMap::new() },
            last_ts: Timestamp::default(),
            app: AppWorker::new(cfg), // wire
            live_drop_flow: false,
        }
    }

    /// Times flows out at packet time `now` (cheap unless a second of packet time passed).
    fn tick(&mut self, now: Timestamp) {
        if self.table.expire_due(now) {
            self.app.expire(now); // wire: defrag tracker timeouts
            let mut em = Emit { opts: &self.opts, out: &mut self.out, counters: &mut self.counters, app: &mut self.app };
            self.table.expire(now, &mut |f, r| em.flow_ended(f, r, now));
        }
    }

    /// One packet: counters, flow update, detection, IPS verdict, EVE lines.
    fn packet(&mut self, p: &Packet<'_>, pcap_cnt: u64, inspect: &mut Inspect<'_>) {
        self.last_ts = self.last_ts.max(p.ts);
        self.counters.count_packet(p);
        self.tick(p.ts);
        // A packet decapsulated from an IP tunnel: the outer packet is a packet of its own
        // (its own flow, inspected by itself), as Suricata handles the tunnel packet and its
        // inner pseudo packet.
        if let Some(outer) = p.tunnel_outer() {
            let mut op = p.clone();
            op.ip = Some(outer);
            op.l4 = L4::Other(outer.proto);
            op.tunnel = None;
            op.events = crate::decode::DecodeEvents::default();
            let start = u32::from(outer.offset) + u32::from(outer.hdr_len);
            op.payload_off = start;
            op.payload_len = (u32::from(outer.offset) + outer.total_len).saturating_sub(start).min((p.data.len() as u32).saturating_sub(start));
            self.packet_body(&op, pcap_cnt, inspect);
        }
        self.packet_body(p, pcap_cnt, inspect);
    }

    /// Flow update, detection, IPS verdict and EVE lines for one (outer or inner) packet.
    fn packet_body(&mut self, p: &Packet<'_>, pcap_cnt: u64, inspect: &mut Inspect<'_>) {
        let ips = self.ips;
        let live_drop_flow = self.live_drop_flow;
        let opts = &self.opts;
        let mut em = Emit { opts, out: &mut self.out, counters: &mut self.counters, app: &mut self.app };
        let alerts = &mut self.alerts;
        let result = &mut self.result;
        alerts.clear();
        // wire: IP fragments get no flow (Suricata: only the reassembled packet does).
        let update = if p.is_fragment() { None } else { self.table.update(p) };
        let (mut flow_ref, dir) = match update {
            Some((f, d)) => (Some(f), Some(d)),
            None => (None, None),
        };
        if opts.ethernet && p.link == crate::capture::LinkType::Ethernet {
            if let (Some(f), Some(d), Some(dst), Some(src)) = (flow_ref.as_deref_mut(), dir, p.data.get(0..6), p.data.get(6..12)) {
                let mut a = [0u8; 6];
                let mut b = [0u8; 6];
                a.copy_from_slice(src);
                b.copy_from_slice(dst);
                f.out.add_macs(a, b, d);
            }
        }
        // wire: TCP reassembly, app-layer detection/parsing, stream anomaly + http events.
        match (flow_ref.as_deref_mut(), dir) {
            (Some(f), Some(d)) => {
                em.app.on_packet(p, pcap_cnt, f, d, em.out);
            }
            _ => em.app.no_flow(),
        }
        if ips && flow_ref.as_ref().is_some_and(|f| f.drop) {
            // IPS: every packet after the one a drop rule matched is dropped uninspected.
            // Drop log `flows: start` logs the first such packet per direction, `all` each.
            em.counters.dropped += 1;
            if opts.enabled && opts.drop {
                if let (Some(f), Some(d)) = (flow_ref.as_deref_mut(), dir) {
                    let logged = match d {
                        Direction::ToServer => &mut f.out.drop_logged_ts,
                        Direction::ToClient => &mut f.out.drop_logged_tc,
                    };
                    let log = !opts.drop_flows_start || !*logged;
                    *logged = true;
                    if log {
                        let rec = PacketRecord { p, pcap_cnt, flow: Some((&*f, d)) };
                        eve::write_drop_opts(em.out, opts, &rec, eve::DropReason::FlowDrop, None);
                    }
                }
            }
        } else {
            // A `pass` rule stopped inspection of this flow.
            if !flow_ref.as_ref().is_some_and(|f| f.pass) {
                let inspect_flow = match (flow_ref.as_deref_mut(), dir) {
                    (Some(f), Some(d)) => Some((f, d)),
                    _ => None,
                };
                let mut view = em.app.view(false);
                inspect(p, inspect_flow, &mut view, alerts);
            }
            // Pass rules only reach `alerts` with the `alert` keyword, and then they are logged.
            // A drop rule matched: one that alerted (this packet is dropped), or one that marked
            // the whole flow dropped. Whether a drop covers the flow is the engine's call
            // (Suricata: IP-only rules drop the flow, others the packet).
            let drop_now = ips && (alerts.iter().any(|a| eve::action_drops(a.sig.action)) || flow_ref.as_ref().is_some_and(|f| f.drop));
            if let Some(f) = flow_ref.as_deref_mut() {
                if !alerts.is_empty() {
                    f.alerted = true;
                }
            }
            let flow_view = match (flow_ref.as_deref(), dir) {
                (Some(f), Some(d)) => Some((f, d)),
                _ => None,
            };
            let rec = PacketRecord { p, pcap_cnt, flow: flow_view };
            if opts.enabled && opts.anomaly && opts.anomaly_decode {
                for e in p.events.iter() {
                    eve::write_anomaly_opts(em.out, opts, &rec, e.name());
                }
            }
            for a in alerts.iter() {
                em.counters.alerts += 1;
                result.alerts += 1;
                result.by_sig.entry((a.sig.gid, a.sig.sid)).or_insert_with(|| (Arc::clone(&a.sig), 0)).1 += 1;
                if opts.enabled && opts.alert {
                    let blocked = ips && eve::action_drops(a.sig.action);
                    let app = &*em.app;
                    eve::write_alert_with(em.out, opts, &rec, a, blocked, &mut |w, tx| app.write_alert_app(w, tx));
                }
            }
            if drop_now {
                em.counters.dropped += 1;
                if opts.enabled && opts.drop {
                    let cause = alerts.iter().find(|a| eve::action_drops(a.sig.action));
                    eve::write_drop_opts(em.out, opts, &rec, eve::DropReason::Rules, cause);
                }
                if let (Some(f), Some(d)) = (flow_ref.as_deref_mut(), dir) {
                    f.drop |= live_drop_flow; // live: the rest of the flow is dropped too
                    match d {
                        Direction::ToServer => f.out.drop_logged_ts = true,
                        Direction::ToClient => f.out.drop_logged_tc = true,
                    }
                }
            }
        }
        em.app.after_inspect(); // wire: prune logged http txs
        let now = p.ts;
        self.table.take_evicted(&mut |f, r| em.flow_ended(f, r, now));
    }

    /// Shutdown: every flow still open is logged with reason `shutdown` at the run's last
    /// packet time, as Suricata does at the end of a capture file.
    fn finish(&mut self, last_ts: Timestamp) -> Box<Counters> {
        let now = self.last_ts.max(last_ts);
        let mut em = Emit { opts: &self.opts, out: &mut self.out, counters: &mut self.counters, app: &mut self.app };
        self.table.drain(&mut |f, r| em.flow_ended(f, r, now));
        let mut c = Box::new(self.counters.clone());
        c.flow = self.table.stats();
        c.app = self.app.snapshot(); // wire
        c
    }

    fn snapshot(&self) -> Box<Counters> {
        let mut c = Box::new(self.counters.clone());
        c.flow = self.table.stats();
        c.app = self.app.snapshot(); // wire
        c
    }
}

fn send_out(out: &mut Vec<u8>, tx: &Sender<ToOutput>, back: &Receiver<Vec<u8>>) {
    if !out.is_empty() {
        let fresh = back.try_recv().unwrap_or_else(|_| Vec::with_capacity(64 * 1024));
        let full = std::mem::replace(out, fresh);
        let _ = tx.send(ToOutput::Lines(full));
    }
}

fn worker(s: WorkerSetup) -> WorkerResult {
    let dcfg = DecodeConfig { checksums: s.cfg.checksums };
    let mut st = WorkerState::new(&s.cfg, s.id);
    let mut engine = s.engine.load_full();
    let mut ctx = engine.new_ctx();
    let mut last_ts = Timestamp::default();
    let mut published = Counters::default(); // ops: reused snapshot for the hub

    for msg in s.rx.iter() {
        let batch = match msg {
            ToWorker::Frames(b) => b,
            ToWorker::StatsTick(tick) => {
                send_out(&mut st.out, &s.out_tx, &s.buf_back_rx);
                let _ = s.out_tx.send(ToOutput::Counters { tick, counters: st.snapshot() });
                continue;
            }
            ToWorker::Time(now) => {
                st.tick(now);
                send_out(&mut st.out, &s.out_tx, &s.buf_back_rx);
                publish_counters(&s, &st, &mut published); // ops
                continue;
            }
            ToWorker::End(ts) => {
                last_ts = last_ts.max(ts);
                break;
            }
        };
        let current = s.engine.load();
        if !Arc::ptr_eq(&current, &engine) {
            engine = Arc::clone(&current);
            ctx = engine.new_ctx();
        }
        drop(current);
        let eng = &*engine;
        let mut inspect = |p: &Packet<'_>, f: Option<(&mut Flow, Direction)>, v: &mut crate::applayer::view::AppView<'_>, a: &mut Vec<Alert>| eng.inspect_packet_app(&mut ctx, p, f, v, a);
        for frame in batch.frames.iter().take(batch.len) {
            let mut p = decode::decode(frame.ts, frame.link, &frame.data, &dcfg);
            // wire: fragments go to the worker's defragmenter before flow lookup; a
            // reassembled packet is decoded (same link layer/VLANs) and processed after them.
            let reassembled = st.app.defrag(&mut p);
            st.packet(&p, frame.pcap_cnt, &mut inspect);
            if let Some(buf) = reassembled {
                let rp = decode::decode(frame.ts, frame.link, &buf, &dcfg);
                // A pseudo-packet: not a captured one (Suricata's decoder.pkts/bytes).
                let c = &st.counters;
                let kept = (c.pkts, c.bytes, c.max_pkt_size);
                st.packet(&rp, frame.pcap_cnt, &mut inspect);
                (st.counters.pkts, st.counters.bytes, st.counters.max_pkt_size) = kept;
                st.app.recycle(buf);
            }
            if st.out.len() >= OUT_FLUSH_BYTES {
                send_out(&mut st.out, &s.out_tx, &s.buf_back_rx);
            }
        }
        // The engine caps alerts per packet (`packet-alert-max`) and counts what it cut.
        st.counters.alert_queue_overflow += std::mem::take(&mut ctx.alert_queue_overflow);
        let mut batch = batch;
        batch.len = 0;
        let _ = s.free_tx.send(batch);
        send_out(&mut st.out, &s.out_tx, &s.buf_back_rx);
        publish_counters(&s, &st, &mut published); // ops
    }
    let counters = st.finish(last_ts);
    if let Some(h) = &s.hub {
        h.publish(usize::from(s.id), &counters); // ops: final counters
    }
    send_out(&mut st.out, &s.out_tx, &s.buf_back_rx);
    let _ = s.out_tx.send(ToOutput::Done { counters });
    st.result
}

/// ops: a thread that asks the output thread for a hub `stats` event every
/// `stats.interval` seconds of wall-clock time, until the returned sender is dropped.
#[allow(clippy::type_complexity)]
fn start_stats_timer(cfg: &Config, hooks: &RunHooks, out_tx: &Sender<ToOutput>) -> std::io::Result<Option<(Sender<()>, std::thread::JoinHandle<()>)>> {
    if hooks.hub.is_none() || cfg.stats_interval == 0 || !cfg.eve.stats {
        return Ok(None);
    }
    let (stop_tx, stop_rx) = bounded::<()>(0);
    let tx = out_tx.clone();
    let every = std::time::Duration::from_secs(cfg.stats_interval);
    let h = std::thread::Builder::new().name("rampart-stats".into()).spawn(move || {
        while let Err(crossbeam_channel::RecvTimeoutError::Timeout) = stop_rx.recv_timeout(every) {
            if tx.send(ToOutput::HubStats).is_err() {
                break;
            }
        }
    })?;
    Ok(Some((stop_tx, h)))
}

/// ops: copies the worker's counters into `scratch` (no allocation: plain integers) and
/// publishes them to the hub, if there is one.
fn publish_counters(s: &WorkerSetup, st: &WorkerState, scratch: &mut Counters) {
    if let Some(h) = &s.hub {
        scratch.clone_from(&st.counters);
        scratch.flow = st.table.stats();
        scratch.app = st.app.snapshot();
        h.publish(usize::from(s.id), scratch);
    }
}

fn wall_now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_micros(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn output_thread(
    mut file: Option<BufWriter<File>>,
    rx: Receiver<ToOutput>,
    back: Sender<Vec<u8>>,
    n_workers: usize,
    write_stats: bool,
    started: std::time::Instant,
    hub: Option<Arc<crate::output::metrics::StatsHub>>,
) -> std::io::Result<()> {
    let engines = |h: &Option<Arc<crate::output::metrics::StatsHub>>| h.as_ref().map(|h| h.engine()); // ops
    let mut ticks: HashMap<u64, (usize, Counters)> = HashMap::new();
    let mut total = Counters::default();
    let mut done = 0usize;
    let mut line = Vec::with_capacity(8192);
    for msg in rx.iter() {
        match msg {
            ToOutput::Lines(mut buf) => {
                if let Some(f) = file.as_mut() {
                    f.write_all(&buf)?;
                }
                buf.clear();
                let _ = back.send(buf);
            }
            ToOutput::Counters { tick, counters } => {
                let e = ticks.entry(tick).or_insert_with(|| (0, Counters::default()));
                e.0 += 1;
                e.1.merge(&counters);
                if e.0 == n_workers {
                    if let Some((_, c)) = ticks.remove(&tick) {
                        if write_stats {
                            if let Some(f) = file.as_mut() {
                                line.clear();
                                eve::write_stats_with(&mut line, &c, wall_now(), started.elapsed().as_secs(), engines(&hub).as_ref());
                                f.write_all(&line)?;
                            }
                        }
                    }
                }
            }
            ToOutput::Done { counters } => {
                total.merge(&counters);
                done += 1;
            }
            ToOutput::HubStats => {
                // ops: the hub's totals, as fresh as each worker's last batch.
                if let (true, Some(f), Some(h)) = (write_stats, file.as_mut(), hub.as_ref()) {
                    f.write_all(&h.stats_line())?;
                    // A quiet live link would otherwise keep events in the buffer for long.
                    f.flush()?;
                }
            }
        }
    }
    if done == n_workers && write_stats {
        if let Some(f) = file.as_mut() {
            line.clear();
            eve::write_stats_with(&mut line, &total, wall_now(), started.elapsed().as_secs(), engines(&hub).as_ref());
            f.write_all(&line)?;
        }
    }
    if let Some(f) = file.as_mut() {
        f.flush()?;
    }
    Ok(())
}

/// A symmetric flow hash from a quick parse of the frame (Ethernet with up to two VLAN tags,
/// raw IP, Linux SLL, BSD loopback; IPv4/IPv6; TCP/UDP/SCTP ports of unfragmented packets).
/// Both directions of a flow give the same value; frames it cannot parse hash to 0.
///


#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::LinkType;
    use crate::detect::Action;

    fn eth_ipv4_tcp(src: [u8; 4], dst: [u8; 4], sp: u16, dp: u16) -> Vec<u8> {
        let mut v = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4(src, dst, 64).tcp(sp, dp, 1, 1000).write(&mut v, b"hi").expect("build");
        v
    }

    #[test]
    fn flow_hash_is_symmetric_and_spreads() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..50u16 {
            let ab = eth_ipv4_tcp([10, 0, 0, 1], [10, 0, 0, 2], 1000 + i, 80);
            let ba = eth_ipv4_tcp([10, 0, 0, 2], [10, 0, 0, 1], 80, 1000 + i);
            let h = flow_hash_hint(LinkType::Ethernet, &ab);
            assert_eq!(h, flow_hash_hint(LinkType::Ethernet, &ba), "port {i}");
            seen.insert(h % 4);
        }
        assert_eq!(seen.len(), 4, "all four workers get flows");
    }

    fn drop_sig() -> Arc<SigMeta> {
        Arc::new(SigMeta {
            gid: 1,
            sid: 9,
            rev: 1,
            msg: "drop it".into(),
            category: String::new(),
            severity: 3,
            action: Action::Drop,
            metadata: vec![],
            target: None,
        })
    }

    /// Runs 4 client packets of one UDP flow through a worker whose "engine" raises a drop
    /// alert on the flow's second packet; returns the EVE lines and the inspect call count.
    fn run_drop(ips: bool) -> (Vec<serde_json::Value>, usize, Counters) {
        use crate::flow::table::tests::pkt;
        let cfg = Config { ips, ..Config::default() };
        let mut st = WorkerState::new(&cfg, 0);
        let sig = drop_sig();
        let mut calls = 0usize;
        let mut inspect = |_: &Packet<'_>, f: Option<(&mut Flow, Direction)>, _v: &mut crate::applayer::view::AppView<'_>, a: &mut Vec<Alert>| {
            calls += 1;
            if let Some((f, _)) = f.filter(|(f, _)| f.pkts_ts == 2) {
                a.push(Alert { sig: Arc::clone(&sig), tx_id: None });
                // As the engine does for a flow-scope drop (an IP-only rule) in IPS mode.
                f.drop = ips;
            }
        };
        for i in 0..4 {
            let p = pkt(10 + i, ([10, 0, 0, 1], 1000), ([10, 0, 0, 2], 53), crate::decode::L4::Udp(Default::default()), 60);
            st.packet(&p, i as u64 + 1, &mut inspect);
        }
        let c = st.finish(Timestamp::from_parts(20, 0));
        let lines = String::from_utf8(st.out.clone()).expect("utf8").lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        (lines, calls, *c)
    }

    #[test]
    fn ips_drop_blocks_packet_and_rest_of_flow() {
        let (lines, calls, c) = run_drop(true);
        let kinds: Vec<&str> = lines.iter().filter_map(|l| l["event_type"].as_str()).collect();
        assert_eq!(kinds, ["alert", "drop", "flow"]);
        assert_eq!(lines[0]["alert"]["action"], "blocked");
        assert_eq!(lines[0]["pcap_cnt"], 2);
        assert_eq!(lines[1]["drop"]["reason"], "rules");
        assert_eq!(lines[2]["flow"]["action"], "drop");
        assert_eq!(lines[2]["flow"]["alerted"], true);
        assert_eq!(calls, 2, "packets after the drop are not inspected");
        assert_eq!(c.dropped, 3);
        assert_eq!(c.alerts, 1);
    }

    /// Live inline mode: a packet-scope drop (the engine does not mark the flow) still drops
    /// every later packet of the flow, so a retransmission never reaches the server.
    #[test]
    fn live_inline_drop_covers_the_rest_of_the_flow() {
        use crate::flow::table::tests::pkt;
        let cfg = Config { ips: true, ..Config::default() };
        let mut st = WorkerState::new(&cfg, 0);
        st.live_drop_flow = true;
        let sig = drop_sig();
        let mut calls = 0usize;
        let mut inspect = |_: &Packet<'_>, f: Option<(&mut Flow, Direction)>, _v: &mut crate::applayer::view::AppView<'_>, a: &mut Vec<Alert>| {
            calls += 1;
            if f.is_some_and(|(f, _)| f.pkts_ts == 2) {
                a.push(Alert { sig: Arc::clone(&sig), tx_id: None });
            }
        };
        let mut dropped = Vec::new();
        for i in 0..4 {
            let before = st.counters.dropped;
            let p = pkt(10 + i, ([10, 0, 0, 1], 1000), ([10, 0, 0, 2], 53), crate::decode::L4::Udp(Default::default()), 60);
            st.packet(&p, 0, &mut inspect);
            dropped.push(st.counters.dropped != before);
        }
        assert_eq!(dropped, [false, true, true, true]);
        assert_eq!(calls, 2, "packets after the drop are not inspected");
    }

    #[test]
    fn ids_mode_only_alerts_on_drop_rules() {
        let (lines, calls, c) = run_drop(false);
        let kinds: Vec<&str> = lines.iter().filter_map(|l| l["event_type"].as_str()).collect();
        assert_eq!(kinds, ["alert", "flow"]);
        assert_eq!(lines[0]["alert"]["action"], "allowed");
        assert!(lines[1]["flow"].get("action").is_none());
        assert_eq!(calls, 4);
        assert_eq!(c.dropped, 0);
    }

    /// IPv4-in-IPv4: the outer packet gets its own flow (proto IP-in-IP) and is inspected;
    /// the inner packet's events carry `pkt_src: ipv4 tunnel` and the `tunnel` object.
    #[test]
    fn ip_in_ip_outer_and_inner_flows() {
        let mut inner = Vec::new();
        etherparse::PacketBuilder::ipv4([10, 1, 0, 3], [10, 1, 0, 4], 64).tcp(1000, 80, 1, 1000).write(&mut inner, b"hello").expect("inner");
        let mut frame = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4([10, 1, 0, 1], [10, 1, 0, 2], 64).write(&mut frame, etherparse::IpNumber(4), &inner).expect("outer");
        let cfg = Config::default();
        let mut st = WorkerState::new(&cfg, 0);
        let sig = drop_sig();
        let mut seen = Vec::new();
        let mut inspect = |p: &Packet<'_>, _f: Option<(&mut Flow, Direction)>, _v: &mut crate::applayer::view::AppView<'_>, a: &mut Vec<Alert>| {
            seen.push(p.proto());
            a.push(Alert { sig: Arc::clone(&sig), tx_id: None });
        };
        let p = decode::decode(Timestamp::from_parts(10, 0), LinkType::Ethernet, &frame, &DecodeConfig::default());
        st.packet(&p, 1, &mut inspect);
        assert_eq!(seen, [Some(4), Some(6)], "outer then inner inspected");
        let c = st.finish(Timestamp::from_parts(11, 0));
        assert_eq!(c.ip_in_ip[0], 1);
        let lines: Vec<serde_json::Value> = String::from_utf8(st.out.clone()).expect("utf8").lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        let alerts: Vec<&serde_json::Value> = lines.iter().filter(|l| l["event_type"] == "alert").collect();
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0]["proto"], "IP-in-IP");
        assert_eq!(alerts[0]["pkt_src"], "wire/pcap");
        assert_eq!(alerts[1]["proto"], "TCP");
        assert_eq!(alerts[1]["pkt_src"], "ipv4 tunnel");
        assert_eq!(alerts[1]["tunnel"]["src_ip"], "10.1.0.1");
        assert_eq!(alerts[1]["tunnel"]["proto"], "IP-in-IP");
        let flows: Vec<&str> = lines.iter().filter(|l| l["event_type"] == "flow").filter_map(|l| l["proto"].as_str()).collect();
        assert_eq!(flows.len(), 2);
        assert!(flows.contains(&"IP-in-IP") && flows.contains(&"TCP"), "{flows:?}");
    }

    #[test]
    fn worker_state_moves_between_threads() {
        fn send<T: Send>() {}
        send::<FlowTable>();
        send::<Counters>();
        send::<WorkerSetup>();
        send::<ToWorker>();
        send::<ToOutput>();
    }

    #[test]
    fn flow_hash_ipv6_ignores_extension_headers() {
        let mut plain = Vec::new();
        etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv6([1; 16], [2; 16], 64).udp(5000, 53).write(&mut plain, b"q").expect("build");
        // Same packet with an 8-byte hop-by-hop header (next header 17) inserted.
        let mut hbh = plain.clone();
        hbh[14 + 6] = 0; // next header: hop-by-hop
        let plen = u16::from_be_bytes([hbh[14 + 4], hbh[14 + 5]]) + 8;
        hbh[14 + 4..14 + 6].copy_from_slice(&plen.to_be_bytes());
        hbh.splice(54..54, [17u8, 0, 1, 4, 0, 0, 0, 0]);
        assert_eq!(flow_hash_hint(LinkType::Ethernet, &plain), flow_hash_hint(LinkType::Ethernet, &hbh));
    }

    #[test]
    fn flow_hash_never_panics_on_truncation() {
        let f = eth_ipv4_tcp([10, 0, 0, 1], [10, 0, 0, 2], 1, 2);
        for n in 0..f.len() {
            for link in [LinkType::Ethernet, LinkType::Raw, LinkType::LinuxSll, LinkType::LinuxSll2, LinkType::Null] {
                let _ = flow_hash_hint(link, &f[..n]);
            }
        }
    }
}
