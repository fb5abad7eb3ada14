//! Live runs. No dispatcher: each worker owns its packet source and runs the same per-packet
//! path as the offline pipeline ([`WorkerState::packet`]).
//!
//! ```text
//!  AF_PACKET (IDS)   fanout socket k ─► ring ─► worker k: decode ► flow ► stream ► detect ─► output thread
//!  NFQUEUE (IPS)     queue q ─► worker q: decode ► ... ► detect ─► verdict (accept / drop / reject) ─┘
//! ```
//!
//! The kernel balances flows over the AF_PACKET sockets of one fanout group (hash mode keeps
//! both directions of a flow on one socket) and over NFQUEUE queues (`--queue-balance`), so a
//! flow always meets the same worker and its flow table needs no locks.
//!
//! Time: packets carry kernel timestamps; flows time out and periodic `stats` events are
//! written on the wall clock, checked at least every [`IDLE_POLL_MS`] ms when the link is
//! quiet. Shutdown (SIGINT/SIGTERM, see [`crate::capture::shutdown`]): workers finish the
//! packets they hold (an NFQUEUE worker gives every packet it received a verdict), log their
//! open flows, send their final counters; the output thread writes the final `stats` event
//! and flushes `eve.json`.
//!
//! Inline verdicts: a packet is dropped when the worker's drop counter moved while processing
//! it (a drop/reject rule matched it, or its flow was dropped earlier); in live IPS mode a drop
//! marks the whole flow dropped, so every later packet of the flow (retransmissions included)
//! is dropped uninspected. Detection runs on each segment before its verdict, so a segment
//! that completes a match is never forwarded.

use super::*;
use crate::capture::afpacket::AfPacket;
use crate::capture::shutdown;
use crate::capture::LinkType;
use crate::detect::{Action, DetectCtx};
use crate::ips::nfqueue::{queue_stats, NfQueue, QueueStats};
use crate::ips::reject::RawSender;
use crate::output::stats::LiveCounters;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Longest a quiet worker waits before it looks at the clock and the stop flag.
pub const IDLE_POLL_MS: i32 = 100;
/// How long a stopping AF_PACKET worker waits for the kernel to retire the last block.
const STOP_DRAIN_MS: i32 = 30;
/// Packets between two looks at the clock while packets flow.
const CLOCK_EVERY: u32 = 64;

/// What one packet came to in inline mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Drop it (a drop or reject rule, or a dropped flow).
    pub drop: bool,
    /// The reject action of the first alert that asked for one.
    pub reject: Option<Action>,
}

/// A worker of a live run: the offline worker state plus its clocks and engine handle.
struct LiveWorker {
    st: WorkerState,
    dcfg: DecodeConfig,
    shared: Arc<ArcSwap<DetectEngine>>,
    engine: Arc<DetectEngine>,
    ctx: DetectCtx,
    out_tx: Sender<ToOutput>,
    buf_back_rx: Receiver<Vec<u8>>,
    started: Instant,
    stats_every: Option<Duration>,
    tick: u64,
    since_clock: u32,
    packets: u64,
}

impl LiveWorker {
    fn new(cfg: &Config, id: u16, shared: Arc<ArcSwap<DetectEngine>>, out_tx: Sender<ToOutput>, buf_back_rx: Receiver<Vec<u8>>, started: Instant) -> LiveWorker {
        let engine = shared.load_full();
        let ctx = engine.new_ctx();
        let mut st = WorkerState::new(cfg, id);
        st.live_drop_flow = cfg.ips;
        st.counters.live.live = true;
        st.counters.live.inline = cfg.ips;
        LiveWorker {
            st,
            dcfg: DecodeConfig { checksums: cfg.checksums },
            shared,
            engine,
            ctx,
            out_tx,
            buf_back_rx,
            started,
            stats_every: (cfg.stats_interval > 0 && cfg.eve.stats).then(|| Duration::from_secs(cfg.stats_interval)),
            tick: 0,
            since_clock: 0,
            packets: 0,
        }
    }

    /// Picks up a reloaded engine (called between reads, not per packet).
    fn refresh_engine(&mut self) {
        let current = self.shared.load();
        if !Arc::ptr_eq(&current, &self.engine) {
            self.engine = Arc::clone(&current);
            self.ctx = self.engine.new_ctx();
        }
    }

    /// One captured frame through the whole path; `reject` sends active responses.
    fn packet(&mut self, ts: Timestamp, link: LinkType, data: &[u8], reject: Option<&mut RawSender>) -> Outcome {
        self.packets += 1;
        let dropped_before = self.st.counters.dropped;
        let eng = &*self.engine;
        let ctx = &mut self.ctx;
        let mut inspect = |p: &Packet<'_>, f: Option<(&mut Flow, Direction)>, v: &mut crate::applayer::view::AppView<'_>, a: &mut Vec<Alert>| eng.inspect_packet_app(ctx, p, f, v, a);
        let mut p = decode::decode(ts, link, data, &self.dcfg);
        let reassembled = self.st.app.defrag(&mut p);
        self.st.packet(&p, 0, &mut inspect);
        let mut out = Outcome { drop: self.st.counters.dropped != dropped_before, reject: None };
        out.reject = self.st.alerts.iter().map(|a| a.sig.action).find(|a| crate::ips::reject::sides(*a) != (false, false));
        let mut sent = 0;
        if let (Some(action), Some(tx)) = (out.reject, reject) {
            sent = tx.reject(&p, action);
        }
        if let Some(buf) = reassembled {
            let rp = decode::decode(ts, link, &buf, &self.dcfg);
            let c = &self.st.counters;
            let kept = (c.pkts, c.bytes, c.max_pkt_size);
            self.st.packet(&rp, 0, &mut inspect);
            (self.st.counters.pkts, self.st.counters.bytes, self.st.counters.max_pkt_size) = kept;
            self.st.app.recycle(buf);
            out.drop |= self.st.counters.dropped != dropped_before;
        }
        self.st.counters.live.rejected += u64::from(sent);
        if self.st.out.len() >= OUT_FLUSH_BYTES {
            send_out(&mut self.st.out, &self.out_tx, &self.buf_back_rx);
        }
        self.since_clock += 1;
        out
    }

    /// Whether it is time for [`LiveWorker::periodic`] (cheap: a counter, then the clock).
    fn clock_due(&mut self) -> bool {
        if self.since_clock >= CLOCK_EVERY {
            self.since_clock = 0;
            return true;
        }
        false
    }

    /// Flow timeouts, due `stats` ticks and the EVE hand-off; `live` are the source's kernel
    /// counters right now.
    fn periodic(&mut self, live: impl FnOnce(&mut LiveCounters)) {
        self.st.counters.alert_queue_overflow += std::mem::take(&mut self.ctx.alert_queue_overflow);
        self.st.tick(wall_now());
        if let Some(every) = self.stats_every {
            let due = |t: u64| self.started + every * u32::try_from(t).unwrap_or(u32::MAX);
            if Instant::now() >= due(self.tick + 1) {
                live(&mut self.st.counters.live);
                while Instant::now() >= due(self.tick + 1) {
                    self.tick += 1;
                    send_out(&mut self.st.out, &self.out_tx, &self.buf_back_rx);
                    let _ = self.out_tx.send(ToOutput::Counters { tick: self.tick, counters: self.st.snapshot() });
                }
            }
        }
        send_out(&mut self.st.out, &self.out_tx, &self.buf_back_rx);
    }

    /// Logs open flows, sends the final counters; returns the worker's totals.
    fn finish(mut self, live: impl FnOnce(&mut LiveCounters)) -> WorkerOut {
        self.st.counters.alert_queue_overflow += std::mem::take(&mut self.ctx.alert_queue_overflow);
        live(&mut self.st.counters.live);
        let counters = self.st.finish(wall_now());
        let (l, dropped) = (counters.live, counters.dropped);
        send_out(&mut self.st.out, &self.out_tx, &self.buf_back_rx);
        let _ = self.out_tx.send(ToOutput::Done { counters });
        WorkerOut { result: self.st.result, packets: self.packets, live: l, dropped }
    }
}

/// A worker's packet source.
pub enum LiveSource {
    /// One AF_PACKET fanout socket.
    AfPacket(AfPacket),
    /// One NFQUEUE queue (inline), with its raw sockets for reject responses.
    Nfq(NfQueue),
}

impl LiveSource {
    fn name(&self) -> String {
        match self {
            LiveSource::AfPacket(s) => s.iface().to_string(),
            LiveSource::Nfq(q) => format!("NFQUEUE {}", q.num()),
        }
    }
}

/// Runs one worker per source until a stop is requested (SIGINT/SIGTERM or `stop`) or a
/// source fails, and writes EVE into `log_dir`. A failing source stops the run; its reason
/// is returned in [`RunSummary::capture_error`].
pub fn run_live(cfg: &Config, engine: Arc<ArcSwap<DetectEngine>>, sources: Vec<LiveSource>, log_dir: &Path, stop: Arc<AtomicBool>) -> anyhow::Result<RunSummary> {
    let n = sources.len();
    if n == 0 {
        anyhow::bail!("no capture source");
    }
    let started = Instant::now();
    let eve_opts = cfg.eve.clone();
    let path = log_dir.join(&eve_opts.filename);
    let file: Option<BufWriter<File>> = if eve_opts.enabled {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
        Some(BufWriter::with_capacity(1 << 16, f))
    } else {
        None
    };
    let (out_tx, out_rx) = bounded::<ToOutput>(n * BATCHES_IN_FLIGHT);
    let (buf_back_tx, buf_back_rx) = unbounded::<Vec<u8>>();
    let write_stats = eve_opts.stats;
    let output = std::thread::Builder::new().name("rampart-output".into()).spawn(move || output_thread(file, out_rx, buf_back_tx, n, write_stats, started, None))?;

    let errors: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let mut handles = Vec::with_capacity(n);
    let mut blocking = Vec::new();
    for (i, src) in sources.into_iter().enumerate() {
        let w = LiveWorker::new(cfg, i as u16, Arc::clone(&engine), out_tx.clone(), buf_back_rx.clone(), started);
        let stop = Arc::clone(&stop);
        let errors = Arc::clone(&errors);
        let is_nfq = matches!(src, LiveSource::Nfq(_));
        let name = src.name();
        let h = std::thread::Builder::new().name(format!("rampart-w{i}")).spawn(move || {
            let r = match src {
                LiveSource::AfPacket(s) => afpacket_worker(w, s, &stop),
                LiveSource::Nfq(q) => nfq_worker(w, q, &stop),
            };
            let (out, failure) = r;
            if let Some(e) = failure {
                tracing::error!("{name}: {e}");
                errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                stop.store(true, Ordering::SeqCst);
            }
            out
        })?;
        if is_nfq {
            blocking.push(i);
        }
        handles.push(h);
    }
    drop(out_tx);
    tracing::info!("engine started: {n} live worker(s)");

    // Monitor: turn a signal into the stop flag; wake blocked NFQUEUE readers once a second
    // for their periodic work, and repeatedly once stopping.
    let mut last_wake = Instant::now();
    loop {
        if handles.iter().all(|h| h.is_finished()) {
            break;
        }
        if shutdown::requested() {
            stop.store(true, Ordering::SeqCst);
        }
        let stopping = stop.load(Ordering::SeqCst);
        if stopping || last_wake.elapsed() >= Duration::from_secs(1) {
            for &i in &blocking {
                if !handles[i].is_finished() {
                    shutdown::wake(handles[i].as_pthread_t());
                }
            }
            last_wake = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(if stopping { 20 } else { 50 }));
    }

    let mut summary = RunSummary::default();
    let mut by_sig: HashMap<(u32, u32), (Arc<SigMeta>, u64)> = HashMap::new();
    let mut worker_err = None;
    for h in handles {
        match h.join() {
            Ok(WorkerOut { result: r, packets, live, dropped }) => {
                summary.packets += packets;
                summary.live.merge(&live);
                summary.dropped += dropped;
                summary.alerts += r.alerts;
                for (k, (sig, c)) in r.by_sig {
                    by_sig.entry(k).or_insert((sig, 0)).1 += c;
                }
            }
            Err(_) => worker_err = Some(anyhow::anyhow!("a worker thread panicked")),
        }
    }
    let out_res = output.join().map_err(|_| anyhow::anyhow!("the output thread panicked"))?;
    out_res.map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    if let Some(e) = worker_err {
        return Err(e);
    }
    let errs = std::mem::take(&mut *errors.lock().unwrap_or_else(|p| p.into_inner()));
    if !errs.is_empty() {
        summary.capture_error = Some(errs.join("; "));
    }
    let mut list: Vec<(u32, String, u64)> = by_sig.into_values().map(|(s, c)| (s.sid, s.msg.clone(), c)).collect();
    list.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    summary.alerts_by_sig = list;
    Ok(summary)
}

/// What a live worker returns.
struct WorkerOut {
    result: WorkerResult,
    packets: u64,
    live: LiveCounters,
    dropped: u64,
}

fn afpacket_worker(mut w: LiveWorker, mut s: AfPacket, stop: &AtomicBool) -> (WorkerOut, Option<String>) {
    let mut failure = None;
    while !stop.load(Ordering::Relaxed) {
        match s.wait(IDLE_POLL_MS) {
            Ok(true) => {
                w.refresh_engine();
                s.next_block(&mut |ts, link, data, _wire_len| {
                    w.packet(ts, link, data, None);
                });
                if w.clock_due() {
                    let k = s.read_kernel_stats();
                    w.periodic(|l| (l.kernel_packets, l.kernel_drops) = (k.packets, k.drops));
                }
            }
            Ok(false) => {
                w.refresh_engine();
                let k = s.read_kernel_stats();
                w.periodic(|l| (l.kernel_packets, l.kernel_drops) = (k.packets, k.drops));
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    // Packets already in the ring when the stop came are processed, not lost: drain the
    // ready blocks, then give the kernel a block timeout to retire the partly filled one.
    if failure.is_none() {
        for _ in 0..3 {
            while s.next_block(&mut |ts, link, data, _| {
                w.packet(ts, link, data, None);
            }) > 0
            {}
            if !matches!(s.wait(STOP_DRAIN_MS), Ok(true)) {
                break;
            }
        }
    }
    let k = s.read_kernel_stats();
    let out = w.finish(|l| (l.kernel_packets, l.kernel_drops) = (k.packets, k.drops));
    (out, failure)
}

/// Kernel counters of a queue since the worker bound it, and the packets it received.
struct QueueBase {
    num: u16,
    base: QueueStats,
    received: u64,
}

impl QueueBase {
    fn fill(&self, l: &mut LiveCounters) {
        let Some(now) = queue_stats(self.num) else { return };
        let seq = now.id_sequence.saturating_sub(self.base.id_sequence);
        let drops = (now.queue_dropped + now.user_dropped).saturating_sub(self.base.queue_dropped + self.base.user_dropped);
        l.kernel_packets = seq;
        l.kernel_drops = drops;
        // Ids the kernel handed out that neither reached us, nor were dropped, nor wait:
        // packets accepted by fail-open while the queue was full.
        l.fail_open = seq.saturating_sub(self.received + drops + now.waiting);
    }
}

fn nfq_worker(mut w: LiveWorker, mut q: NfQueue, stop: &AtomicBool) -> (WorkerOut, Option<String>) {
    let mut rawtx = match RawSender::open() {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!("NFQUEUE {}: raw sockets for reject responses: {e}; reject rules will only drop", q.num());
            None
        }
    };
    let mut qb = QueueBase { num: q.num(), base: queue_stats(q.num()).unwrap_or_default(), received: 0 };
    let mut failure = None;
    let mut verdict_errors = 0u64;
    let mut accepted = 0u64;
    while !stop.load(Ordering::Relaxed) {
        match q.recv() {
            Ok(msg) => {
                qb.received += 1;
                if qb.received % u64::from(CLOCK_EVERY) == 1 {
                    w.refresh_engine();
                }
                let ts = msg.get_timestamp().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| Timestamp::from_micros(d.as_micros().min(i64::MAX as u128) as i64)).unwrap_or_else(wall_now);
                let o = w.packet(ts, LinkType::Raw, msg.get_payload(), rawtx.as_mut());
                if !o.drop {
                    accepted += 1;
                }
                if let Err(e) = q.verdict(msg, o.drop) {
                    verdict_errors += 1;
                    tracing::debug!("NFQUEUE {}: verdict: {e}", q.num());
                }
                if w.clock_due() {
                    w.st.counters.live.accepted = accepted;
                    w.st.counters.live.verdict_errors = verdict_errors;
                    w.periodic(|l| qb.fill(l));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                w.refresh_engine();
                w.st.counters.live.accepted = accepted;
                w.st.counters.live.verdict_errors = verdict_errors;
                w.periodic(|l| qb.fill(l));
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                // The socket buffer overflowed: the kernel counts these as user_dropped.
                continue;
            }
            Err(e) => {
                failure = Some(format!("NFQUEUE {}: recv: {e}", q.num()));
                break;
            }
        }
    }
    w.st.counters.live.accepted = accepted;
    w.st.counters.live.verdict_errors = verdict_errors;
    let out = w.finish(|l| qb.fill(l));
    // Dropping the queue unbinds it: from now on the iptables rule decides (`--queue-bypass`
    // lets packets through while no program listens).
    drop(q);
    (out, failure)
}
