//! Detection: an immutable [`DetectEngine`] built from parsed rules and shared by all workers
//! behind an atomically swappable pointer, and a per-worker [`DetectCtx`] holding scratch
//! space and per-worker state (thresholds).
//!
//! Building ([`DetectEngine::build`]): every rule is compiled in parallel (`compile`): header,
//! payload chain, non-payload keywords through [`keywords::parse_keyword`], metadata. A rule
//! either loads with its full meaning or is listed in the [`LoadReport`] (refused: valid but
//! unsupported; failed: invalid). Loaded signatures are ordered as Suricata assigns internal
//! ids (action pass, drop, reject, alert; then priority) and grouped by protocol and port
//! into prefilter databases ([`mpm`]).
//!
//! Inspection buffers: every payload keyword applies to the buffer selected before it (the
//! packet payload by default, or a sticky buffer: `ipv4.hdr`, `ipv6.hdr`, `tcp.hdr`,
//! `udp.hdr`, `icmpv4.hdr`, `icmpv6.hdr`, `ip.src`, `ip.dst`; `pkt_data` returns to the
//! payload). A signature holds one chain per buffer (`compile::BufChain`, with its `bsize`)
//! and every chain must match; each group holds one prefilter database per buffer
//! (`compile::BufPrefilter`). App-layer buffers join as `compile::BufferId` variants.
//!
//! Per packet ([`DetectEngine::inspect_packet`]): the packet's groups are scanned once each
//! (each prefilter over its own buffer); candidates (fast pattern hit, or no fast pattern)
//! are evaluated in internal-id order: header, conditions, dsize, buffer chains ([`inspect`]),
//! hostbits, post-match actions, thresholds ([`keywords::ThresholdTable::decide`]), the rule
//! action and the alert. Packets without an IP layer are checked only when decoding raised
//! an event, and only against decoder-event rules (Suricata's decoder-event group). `pass`
//! and (IPS) `drop` apply to the flow only for IP-only-like rules, as Suricata's
//! `FlowApplySignatureActions`; otherwise they apply to the packet. Threshold and hostbit
//! state is engine-wide, shared by all workers (see [`DetectEngine::adopt_state`]).
//! No allocation after warm-up: candidate lists live in the ctx.

pub mod app;
pub mod parse;
pub mod keywords;
pub mod mpm;
pub mod compile;
pub mod inspect;
pub mod transforms;

use crate::applayer::view::AppView;
use crate::decode::{Packet, L4};
use crate::flow::{Direction, Flow};
use app::{TxRef, TxSource};
use compile::{bucket_of_proto, Groups, ProtoMatch, Sig};
use keywords::pcre::PcreCache;
use mpm::{PrefilterConfig, PrefilterScratch};
pub use parse::{Action, Rule, RuleIssue, Vars};
use std::collections::HashMap;
use keywords::threshold::ThresholdVerdict;
use std::sync::{Arc, Mutex};

/// Suricata's `packet-alert-max`: most alerts kept per packet.
pub const PACKET_ALERT_MAX: usize = 15;

/// What the engine needs beyond the rules.
#[derive(Clone, Debug, Default)]
pub struct DetectSettings {
    /// classtype name -> (description, priority), from classification.config.
    pub classifications: HashMap<String, (String, u8)>,
    /// reference system name -> URL prefix, from reference.config.
    pub references: HashMap<String, String>,
    /// Treat drop/reject as an inline engine would (`--simulate-ips`, `-q`).
    pub ips: bool,
    /// Prefilter backend settings (Hyperscan on by default when compiled in).
    pub mpm: PrefilterConfig,
    /// `packet-alert-max`: most alerts kept per packet; 0 means [`PACKET_ALERT_MAX`].
    pub alert_max: usize,
}

/// The static description of a signature that an alert carries to outputs.
#[derive(Clone, Debug)]
pub struct SigMeta {
    /// gid (default 1).
    pub gid: u32,
    /// sid.
    pub sid: u32,
    /// rev.
    pub rev: u32,
    /// msg.
    pub msg: String,
    /// Classification description (EVE `alert.category`), empty if none.
    pub category: String,
    /// Priority (EVE `alert.severity`), 3 if none given.
    pub severity: u8,
    /// Rule action.
    pub action: Action,
    /// `metadata` as EVE's `alert.metadata` map: key -> values in order.
    pub metadata: Vec<(String, Vec<String>)>,
    /// `target:src_ip|dest_ip`, if given.
    pub target: Option<Target>,
}

/// The `target` keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The source is the target.
    Src,
    /// The destination is the target.
    Dst,
}

/// One alert raised on a packet.
#[derive(Clone, Debug)]
pub struct Alert {
    /// The signature.
    pub sig: Arc<SigMeta>,
    /// Application-layer transaction id, when the match was on a transaction.
    pub tx_id: Option<u64>,
}

/// Counts from building an engine: what `-T` prints.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Rules loaded.
    pub loaded: usize,
    /// Rules that parsed but use something not supported.
    pub refused: Vec<RuleIssue>,
    /// Rules that could not be parsed.
    pub failed: Vec<RuleIssue>,
}

/// The compiled, immutable detection engine.
pub struct DetectEngine {
    /// Unique per built engine: transaction detection state records which engine's
    /// signature ids it holds.
    id: u64,
    /// Some signature is evaluated per transaction.
    has_tx: bool,
    settings: DetectSettings,
    sigs: Vec<Sig>,
    groups: Groups,
    max_vars: usize,
    /// Signatures that can match a packet without an IP layer, in internal-id order.
    noip: Vec<u32>,
    /// Threshold / detection_filter state, shared by all workers as Suricata's host and
    /// ip-pair tables are (per-worker tables would split a source's matches across workers).
    thresholds: Arc<Mutex<keywords::ThresholdTable>>,
    /// hostbits, shared by all workers (Suricata's host table).
    hosts: Mutex<keywords::hostbits::HostTable>,
}

/// Per-worker detection scratch and state.
pub struct DetectCtx {
    /// Candidate bitset over internal signature ids: set while collecting, walked in id
    /// order (Suricata's order) and cleared while walking. No per-packet sort.
    cands: Vec<u64>,
    vars: Vec<u64>,
    scratch: PrefilterScratch,
    /// Alerts dropped because a packet already had `packet-alert-max` alerts (Suricata's
    /// `detect.alert_queue_overflow` counter), cumulative for this ctx.
    pub alert_queue_overflow: u64,
    /// Threshold / detection_filter state (shared with every ctx of the same engine).
    pub thresholds: Arc<Mutex<keywords::ThresholdTable>>,
    /// Transform scratch (two ping-pong buffers).
    ta: Vec<u8>,
    tb: Vec<u8>,
    /// Positions of the transactions whose packet-direction side changed (this packet).
    txs: Vec<usize>,
}

fn next_engine_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl DetectEngine {
    /// Compiles `rules`. Rules that cannot be honoured are refused (listed in the report).
    pub fn build(rules: Vec<Rule>, settings: DetectSettings) -> (DetectEngine, LoadReport) {
        use rayon::prelude::*;
        let cache = PcreCache::default();
        let results: Vec<Result<Sig, (bool, RuleIssue)>> =
            rules.par_iter().enumerate().map(|(i, r)| compile::compile_rule(r, i, &settings, &cache).map_err(|e| (e.refused, e.into_issue(r)))).collect();
        let mut report = LoadReport::default();
        let mut sigs = Vec::new();
        let mut seen: HashMap<(u32, u32), usize> = HashMap::new();
        for (r, rule) in results.into_iter().zip(rules.iter()) {
            match r {
                Ok(s) => {
                    let key = (s.meta.gid, s.meta.sid);
                    if seen.insert(key, sigs.len()).is_some() {
                        report.failed.push(RuleIssue { span: rule.span.clone(), sid: Some(s.meta.sid), keyword: Some("sid".into()), reason: format!("duplicate signature {}:{}", key.0, key.1) });
                        continue;
                    }
                    sigs.push(s);
                }
                Err((true, issue)) => report.refused.push(issue),
                Err((false, issue)) => report.failed.push(issue),
            }
        }
        // The parsed rules are not needed past this point; free them before the prefilter
        // compilation, which is the load's memory peak.
        let first_span = rules.first().map(|r| r.span.clone());
        drop(rules);
        compile::order_sigs(&mut sigs);
        report.loaded = sigs.len();
        let groups = match compile::build_groups(&settings.mpm, &sigs) {
            Ok(g) => g,
            Err(e) => {
                // Only reachable through configured limits: load nothing rather than guess.
                tracing::error!("prefilter build failed: {e}");
                for s in &sigs {
                    report.refused.push(RuleIssue { span: first_span.clone().unwrap_or_else(|| parse::Span { file: Arc::new(Default::default()), line: 0 }), sid: Some(s.meta.sid), keyword: None, reason: format!("prefilter build failed: {e}") });
                }
                report.loaded = 0;
                sigs.clear();
                Groups::default()
            }
        };
        let max_vars = compile::MAX_VARS;
        let noip = sigs.iter().enumerate().filter(|(_, s)| s.needs_no_ip()).map(|(i, _)| i as u32).collect();
        let has_tx = sigs.iter().any(|s| s.tx);
        (DetectEngine { id: next_engine_id(), has_tx, settings, sigs, groups, max_vars, noip, thresholds: Arc::default(), hosts: Mutex::default() }, report)
    }

    /// Carries the cross-packet state (threshold counters, hostbits) of `old` over to this
    /// engine, so a rule reload does not reset them (both are keyed by gid:sid / bit name).
    /// Call before handing the engine to workers; contexts made afterwards share it.
    pub fn adopt_state(&mut self, old: &DetectEngine) {
        self.thresholds = Arc::clone(&old.thresholds);
        let hosts = std::mem::take(&mut *old.hosts.lock().unwrap_or_else(|e| e.into_inner()));
        *self.hosts.get_mut().unwrap_or_else(|e| e.into_inner()) = hosts;
    }

    /// An engine with no rules (`--disable-detection`).
    pub fn empty() -> DetectEngine {
        DetectEngine { id: next_engine_id(), has_tx: false, settings: DetectSettings::default(), sigs: Vec::new(), groups: Groups::default(), max_vars: 0, noip: Vec::new(), thresholds: Arc::default(), hosts: Mutex::default() }
    }

    /// Number of loaded signatures.
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    /// Whether no signature is loaded.
    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// The loaded signatures' metadata in internal-id (evaluation) order.
    pub fn signatures(&self) -> impl Iterator<Item = &Arc<SigMeta>> {
        self.sigs.iter().map(|s| &s.meta)
    }

    /// The distinct prefilter patterns of the loaded signatures that inspect the packet
    /// payload, numbered from 0: the database a packet-rule payload scan runs against (used
    /// by the benches and for sizing).
    pub fn payload_patterns(&self) -> Vec<mpm::PatternSpec> {
        let mut seen: HashMap<(&[u8], bool), ()> = HashMap::new();
        let mut out = Vec::new();
        for s in &self.sigs {
            if let Some((compile::BufferId::Payload, bytes, nocase)) = &s.fast {
                if seen.insert((bytes.as_slice(), *nocase), ()).is_none() {
                    out.push(mpm::PatternSpec { bytes: bytes.clone(), nocase: *nocase, id: out.len() as u32 });
                }
            }
        }
        out
    }

    /// The settings the engine was built with.
    pub fn settings(&self) -> &DetectSettings {
        &self.settings
    }

    /// Fresh per-worker scratch.
    pub fn new_ctx(&self) -> DetectCtx {
        let scratch = match PrefilterScratch::for_all(self.groups.prefilters()) {
            Ok(s) => s,
            Err(e) => {
                // Scans without scratch report every pattern: slower, never missing alerts.
                tracing::error!("prefilter scratch allocation failed: {e}");
                PrefilterScratch::default()
            }
        };
        DetectCtx {
            cands: vec![0; self.sigs.len().div_ceil(64)],
            vars: vec![0; self.max_vars],
            scratch,
            alert_queue_overflow: 0,
            thresholds: Arc::clone(&self.thresholds),
            ta: Vec::new(),
            tb: Vec::new(),
            txs: Vec::new(),
        }
    }

    /// Runs every candidate rule against `p`, pushing alerts in Suricata's order.
    /// `flow` is the packet's flow with the packet's direction, updated (flowbits, ...) in place.
    /// A packet without an IP layer (broken or non-IP) is still checked against the rules that
    /// need none: `ip`/`pkthdr` rules with `any` addresses and ports and no payload keywords
    /// (decoder-event rules).
    pub fn inspect_packet(&self, ctx: &mut DetectCtx, p: &Packet<'_>, flow: Option<(&mut Flow, Direction)>, alerts: &mut Vec<Alert>) {
        self.inspect_packet_app(ctx, p, flow, &mut AppView::default(), alerts)
    }

    /// [`DetectEngine::inspect_packet`] with the packet's app-layer view: transaction
    /// signatures run on the transactions whose side in the packet's direction changed since
    /// they were last inspected, at most one alert per signature and transaction.
    pub fn inspect_packet_app(&self, ctx: &mut DetectCtx, p: &Packet<'_>, flow: Option<(&mut Flow, Direction)>, app: &mut AppView<'_>, alerts: &mut Vec<Alert>) {
        let mut flow = flow;
        let src = app.source();
        let events = app.stream_events;
        let mut det = app.det.as_deref_mut();
        if flow.as_ref().is_some_and(|(f, _)| f.pass) {
            return;
        }
        if self.sigs.is_empty() {
            return;
        }
        let start_len = alerts.len();
        let Some(ip) = p.ip else {
            // Suricata inspects packets without IP only when decoding raised an event, and
            // only against the decoder-event rules.
            if p.events.is_empty() {
                return;
            }
            for &iid in &self.noip {
                let Some(sig) = self.sigs.get(iid as usize) else { continue };
                if !proto_matches(sig.proto, p, 0) {
                    continue;
                }
                if self.eval_sig(ctx, sig, p, &mut flow, &[], events, None, alerts, start_len) == Outcome::Stop {
                    break;
                }
            }
            return;
        };
        let words = self.sigs.len().div_ceil(64);
        if ctx.cands.len() != words {
            // A ctx from another engine: resize once.
            ctx.cands = vec![0; words];
        }
        let payload = p.payload();
        let (sport, dport) = p.ports();
        let bucket = bucket_of_proto(ip.proto);
        let dir = flow.as_ref().map(|(_, d)| *d);
        ctx.txs.clear();
        if self.has_tx {
            if let (Some(d), Some(det)) = (dir, det.as_deref_mut()) {
                det.bind(self.id);
                for (i, tx) in src.iter().enumerate() {
                    if det.changed(tx.key(), d, tx.fingerprint(d)) {
                        ctx.txs.push(i);
                    }
                }
            }
        }
        {
            let DetectCtx { cands, scratch, txs, .. } = ctx;
            let mut add = |iid: u32| {
                if let Some(w) = cands.get_mut((iid >> 6) as usize) {
                    *w |= 1u64 << (iid & 63);
                }
            };
            let pg = &self.groups.protos[bucket];
            let mut groups: [Option<&compile::Group>; 4] = [Some(&self.groups.ip), Some(&pg.any), None, None];
            if matches!(p.l4, L4::Tcp(_) | L4::Udp(_)) {
                groups[2] = pg.by_dport.get(&dport);
                groups[3] = pg.by_sport.get(&sport);
            }
            let (v4s, src_n) = compile::ip_num(ip.src);
            let (_, dst_n) = compile::ip_num(ip.dst);
            for g in groups.into_iter().flatten() {
                g.always.for_packet(!v4s, src_n, dst_n, |l| l.iter().for_each(|i| add(*i)));
                if !txs.is_empty() {
                    g.always_tx.for_packet(!v4s, src_n, dst_n, |l| l.iter().for_each(|i| add(*i)));
                }
                for pf in &g.prefilters {
                    if pf.db.is_empty() {
                        continue;
                    }
                    let mut hit = |pid: u32| {
                        if let Some(list) = pf.pat_sigs.get(pid as usize) {
                            list.iter().for_each(|i| add(*i));
                        }
                    };
                    if pf.buffer.app_proto().is_some() {
                        // A transaction buffer: scanned in each transaction that changed, when
                        // a signature of this packet's direction prefilters on it.
                        let Some(d) = dir else { continue };
                        if !pf.dirs[app::side_idx(d)] {
                            continue;
                        }
                        for &i in txs.iter() {
                            let Some(tx) = src.tx_at(i) else { continue };
                            tx.for_each(pf.buffer, d, &mut |b| {
                                pf.db.scan(scratch, b, &mut hit);
                                false
                            });
                        }
                        continue;
                    }
                    let buf = compile::buffer_bytes(pf.buffer, p);
                    if !buf.is_empty() {
                        pf.db.scan(scratch, buf, &mut hit);
                    }
                }
            }
        }
        for w in 0..words {
            let Some(slot) = ctx.cands.get_mut(w) else { break };
            let mut bits = std::mem::take(slot);
            while bits != 0 {
                let iid = (w as u32) * 64 + bits.trailing_zeros();
                bits &= bits - 1;
                let Some(sig) = self.sigs.get(iid as usize) else { continue };
                if !header_matches(sig, p, ip.src, ip.dst, sport, dport) {
                    continue;
                }
                let stop = if sig.tx {
                    self.eval_tx_sig(ctx, iid, sig, p, &mut flow, payload, events, src, det.as_deref_mut(), alerts, start_len)
                } else {
                    self.eval_sig(ctx, sig, p, &mut flow, payload, events, None, alerts, start_len) == Outcome::Stop
                };
                if stop {
                    // Leave the bitset clean for the next packet.
                    ctx.cands.iter_mut().for_each(|x| *x = 0);
                    return;
                }
            }
        }
    }

    /// A transaction signature on every changed transaction of its protocol it has not
    /// alerted on yet. Returns whether a pass rule stopped inspection.
    #[allow(clippy::too_many_arguments)]
    fn eval_tx_sig(
        &self,
        ctx: &mut DetectCtx,
        iid: u32,
        sig: &Sig,
        p: &Packet<'_>,
        flow: &mut Option<(&mut Flow, Direction)>,
        payload: &[u8],
        events: crate::stream::StreamEvents,
        src: TxSource<'_>,
        mut det: Option<&mut app::TxDetStore>,
        alerts: &mut Vec<Alert>,
        start_len: usize,
    ) -> bool {
        let Some(d) = flow.as_ref().map(|(_, d)| *d) else { return false };
        if sig.tx_dir.is_some_and(|sd| sd != d) {
            return false;
        }
        for k in 0..ctx.txs.len() {
            let Some(tx) = ctx.txs.get(k).and_then(|&i| src.tx_at(i)) else { continue };
            if sig.app.is_some_and(|a| a != tx.proto()) {
                continue;
            }
            if det.as_deref().is_some_and(|s| s.alerted(tx.key(), iid)) {
                continue;
            }
            let ready = sig.buffers.iter().map(|c| c.buffer).chain(sig.lens.iter().map(|(b, _)| *b)).all(|b| b.app_proto().is_none() || tx.ready(b, d));
            if !ready {
                continue;
            }
            match self.eval_sig(ctx, sig, p, flow, payload, events, Some((tx, d)), alerts, start_len) {
                Outcome::NoMatch => {}
                Outcome::Match => {
                    if let Some(s) = det.as_deref_mut() {
                        s.set_alerted(tx.key(), iid);
                    }
                }
                Outcome::Stop => return true,
            }
        }
        false
    }

    /// Everything after the header check: conditions, size checks, payload chains, post-match
    /// actions, thresholds, the rule action and the alert. `tx`: the transaction (and packet
    /// direction) a transaction signature is evaluated on.
    #[allow(clippy::too_many_arguments)]
    fn eval_sig(
        &self,
        ctx: &mut DetectCtx,
        sig: &Sig,
        p: &Packet<'_>,
        flow: &mut Option<(&mut Flow, Direction)>,
        payload: &[u8],
        events: crate::stream::StreamEvents,
        tx: Option<(TxRef<'_>, Direction)>,
        alerts: &mut Vec<Alert>,
        start_len: usize,
    ) -> Outcome {
        let fref = flow.as_ref().map(|(f, d)| (&**f, *d));
        if !sig.conds.iter().all(|c| c.matches(p, fref)) {
            return Outcome::NoMatch;
        }
        let app_proto = fref.and_then(|(f, _)| f.app_proto);
        if let Some(a) = sig.app {
            if app_proto != a.eve_name() {
                return Outcome::NoMatch;
            }
        }
        for c in &sig.app_conds {
            let ok = match (c.is_tx(), tx) {
                (true, Some((t, d))) => c.matches_tx(t, d, p.ts.secs()),
                (true, None) => false,
                (false, _) => c.matches_packet(app_proto, events),
            };
            if !ok {
                return Outcome::NoMatch;
            }
        }
        for (b, m) in &sig.lens {
            let len = match (b.app_proto(), tx) {
                (Some(_), Some((t, d))) => t.get(*b, d).map(<[u8]>::len),
                (Some(_), None) => None,
                (None, _) => Some(compile::buffer_bytes(*b, p).len()),
            };
            if !len.is_some_and(|l| m.matches(l as u64)) {
                return Outcome::NoMatch;
            }
        }
        // Suricata: `dsize:!N` (like `>N`, ranges, `N` > 0) needs a payload
        // (`SIG_MASK_REQUIRE_PAYLOAD`): empty packets never match it.
        if sig.dsize.is_some_and(|m| !m.matches(payload.len() as u64) || payload.is_empty() && matches!(m, keywords::dsize::UintMatch::Ne(_))) {
            return Outcome::NoMatch;
        }
        for bc in &sig.buffers {
            let DetectCtx { vars, ta, tb, .. } = &mut *ctx;
            let mut check = |raw: &[u8]| -> bool {
                let buf = if bc.transforms.is_empty() { raw } else { transforms::apply(&bc.transforms, raw, ta, tb) };
                if bc.bsize.is_some_and(|m| !m.matches(buf.len() as u64)) {
                    return false;
                }
                bc.chain.is_empty() || inspect::chain_matches(&bc.chain, buf, vars)
            };
            let ok = match (bc.buffer.app_proto(), tx) {
                (Some(_), Some((t, d))) => t.for_each(bc.buffer, d, &mut check),
                (Some(_), None) => false,
                (None, _) => check(if bc.buffer == compile::BufferId::Payload { payload } else { compile::buffer_bytes(bc.buffer, p) }),
            };
            if !ok {
                return Outcome::NoMatch;
            }
        }
        if !sig.hostbits.is_empty() {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            if !sig.hostbits.iter().filter(|h| h.is_cond()).all(|h| h.matches(&hosts, p)) {
                return Outcome::NoMatch;
            }
            sig.hostbits.iter().filter(|h| !h.is_cond()).for_each(|h| h.apply(&mut hosts, p));
        }
        if let Some((f, _)) = flow.as_mut() {
            sig.posts.iter().for_each(|pm| pm.apply(f));
        }
        let mut verdict = ThresholdVerdict::Alert;
        if !sig.thresholds.is_empty() {
            // A poisoned lock only means another worker panicked mid-update: the table is
            // still a valid map, keep counting.
            let mut t = ctx.thresholds.lock().unwrap_or_else(|e| e.into_inner());
            for spec in &sig.thresholds {
                match t.decide(spec, sig.meta.gid, sig.meta.sid, p) {
                    ThresholdVerdict::Alert => {}
                    ThresholdVerdict::Silent => verdict = verdict.min_with(ThresholdVerdict::Silent),
                    ThresholdVerdict::NoMatch => verdict = ThresholdVerdict::NoMatch,
                }
            }
        }
        if verdict == ThresholdVerdict::NoMatch {
            return Outcome::NoMatch;
        }
        if sig.bypass {
            if let Some((f, _)) = flow.as_mut() {
                f.bypass = true;
            }
        }
        match sig.meta.action {
            Action::Pass => {
                if sig.applies_to_flow() {
                    if let Some((f, _)) = flow.as_mut() {
                        f.pass = true;
                    }
                }
                if sig.force_alert && !sig.noalert && verdict == ThresholdVerdict::Alert {
                    self.push_alert(ctx, sig, flow, tx.map(|(t, _)| t.id()), alerts, start_len);
                }
                return Outcome::Stop;
            }
            Action::Drop | Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth if self.settings.ips && sig.applies_to_flow() => {
                if let Some((f, _)) = flow.as_mut() {
                    f.drop = true;
                }
            }
            _ => {}
        }
        if sig.noalert || verdict == ThresholdVerdict::Silent {
            return Outcome::Match;
        }
        self.push_alert(ctx, sig, flow, tx.map(|(t, _)| t.id()), alerts, start_len);
        Outcome::Match
    }

    /// Queues an alert unless the packet already has `packet-alert-max` of them (counted as
    /// an overflow; candidates run in internal-id order, so the kept ones are Suricata's).
    fn push_alert(&self, ctx: &mut DetectCtx, sig: &Sig, flow: &mut Option<(&mut Flow, Direction)>, tx_id: Option<u64>, alerts: &mut Vec<Alert>, start_len: usize) {
        let max = if self.settings.alert_max == 0 { PACKET_ALERT_MAX } else { self.settings.alert_max };
        if alerts.len() - start_len >= max {
            ctx.alert_queue_overflow += 1;
            return;
        }
        alerts.push(Alert { sig: Arc::clone(&sig.meta), tx_id });
        if let Some((f, _)) = flow.as_mut() {
            f.alerted = true;
        }
    }
}

/// The outcome of evaluating one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// It did not match; go on.
    NoMatch,
    /// It matched (alerted, or was silenced by a threshold / noalert); go on.
    Match,
    /// A pass rule matched: no later signature is evaluated for this packet.
    Stop,
}

trait VerdictExt {
    fn min_with(self, o: ThresholdVerdict) -> ThresholdVerdict;
}

impl VerdictExt for ThresholdVerdict {
    /// The stronger suppression of two verdicts (NoMatch > Silent > Alert).
    fn min_with(self, o: ThresholdVerdict) -> ThresholdVerdict {
        use ThresholdVerdict::*;
        match (self, o) {
            (NoMatch, _) | (_, NoMatch) => NoMatch,
            (Silent, _) | (_, Silent) => Silent,
            _ => Alert,
        }
    }
}

fn proto_matches(pm: ProtoMatch, p: &Packet<'_>, ipproto: u8) -> bool {
    match pm {
        ProtoMatch::Ip => true,
        ProtoMatch::Ip4 => p.ip.is_some_and(|ip| ip.version == 4),
        ProtoMatch::Ip6 => p.ip.is_some_and(|ip| ip.version == 6),
        ProtoMatch::Tcp => matches!(p.l4, L4::Tcp(_)),
        ProtoMatch::Udp => matches!(p.l4, L4::Udp(_)),
        ProtoMatch::TcpUdp => matches!(p.l4, L4::Tcp(_) | L4::Udp(_)),
        ProtoMatch::Icmp => matches!(p.l4, L4::Icmp4(_) | L4::Icmp6(_)),
        ProtoMatch::Icmp4 => matches!(p.l4, L4::Icmp4(_)),
        ProtoMatch::Icmp6 => matches!(p.l4, L4::Icmp6(_)),
        ProtoMatch::Num(n) => ipproto == n,
    }
}

fn header_matches(sig: &Sig, p: &Packet<'_>, src: std::net::IpAddr, dst: std::net::IpAddr, sport: u16, dport: u16) -> bool {
    if !proto_matches(sig.proto, p, p.proto().unwrap_or(0)) {
        return false;
    }
    let has_ports = matches!(p.l4, L4::Tcp(_) | L4::Udp(_));
    let ports_ok = |s: u16, d: u16| {
        if has_ports {
            sig.sports.contains(s) && sig.dports.contains(d)
        } else {
            matches!(sig.sport, parse::PortExpr::Any) && matches!(sig.dport, parse::PortExpr::Any)
        }
    };
    let fwd = ports_ok(sport, dport) && sig.src.contains(src) && sig.dst.contains(dst);
    fwd || (sig.bidir && ports_ok(dport, sport) && sig.src.contains(dst) && sig.dst.contains(src))
}

#[cfg(test)]
mod tests;
