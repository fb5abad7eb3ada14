//! Building a new detect engine off the packet path and publishing it atomically.
//!
//! # Triggers
//! - a change in a watched rule file or directory ([`watch`]: `notify`, the directories of the
//!   rule paths; debounced by [`ReloadConfig::debounce`]),
//! - `SIGUSR2` ([`on_sigusr2`]),
//! - the control socket's `reload-rules` / `ruleset-reload-nonblocking`
//!   ([`Reloader::request`]).
//!
//! # Contract
//! - One rebuild at a time, on the `rampart-reload` thread. Requests are flags, not a queue:
//!   any number of triggers while a rebuild runs (a storm of editor writes, repeated signals)
//!   collapse into one more rebuild after it. File changes wait until the rules have been
//!   quiet for `debounce` (at most [`MAX_DEBOUNCE_WAIT`] after the first change, so an endless
//!   stream of writes cannot starve reloads); a signal or a command starts at once.
//! - Loading follows Suricata: a rule that fails to parse or is refused is reported with
//!   `file:line` and the rest load; an unreadable rule file is reported and skipped. The
//!   old engine is kept (the reload *fails*) when every rule file is unreadable, when no rule
//!   loads while some failed (a ruleset edited into garbage: Suricata would run on with an
//!   empty engine; Rampart keeps the last good one), or, with `--init-errors-fatal`, when any
//!   rule failed.
//! - A new engine adopts the old one's threshold and hostbit state
//!   ([`DetectEngine::adopt_state`]) and is stored into the shared [`ArcSwap`]; each worker
//!   switches at its next batch. Flowbits and flowints live in the flows, keyed by interned
//!   names, so they survive.
//! - Every reload logs one line (`rule reload: ...`) and updates [`StatsHub`]'s
//!   [`EngineStats`], which EVE `stats` (`detect.engines`), `ruleset-stats` and the metrics
//!   endpoint report.

use crate::config::Config;
use crate::detect::{DetectEngine, LoadReport, RuleIssue};
use crate::output::metrics::{wall_now, EngineStats, StatsHub};
use arc_swap::ArcSwap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Longest a pending file change waits for the rules to go quiet.
pub const MAX_DEBOUNCE_WAIT: Duration = Duration::from_secs(2);
/// Failed-rule descriptions kept for `ruleset-failed-rules`.
pub const MAX_FAILED_KEPT: usize = 1000;

/// What a reload reads: the rule paths as the command line and config name them.
#[derive(Clone, Debug)]
pub struct ReloadConfig {
    /// The run's configuration (rule-files, default-rule-path, vars, classification).
    pub cfg: Config,
    /// `-S` paths: when non-empty, the only rules.
    pub exclusive: Vec<PathBuf>,
    /// `-s` paths, added to the config's rule files.
    pub extra: Vec<PathBuf>,
    /// `--init-errors-fatal`: a reload with any failed rule keeps the old engine.
    pub errors_fatal: bool,
    /// Quiet time a file change waits for before the rebuild.
    pub debounce: Duration,
}

impl ReloadConfig {
    /// The rule paths to load now: `-S`, else the config's rule files (patterns re-expanded,
    /// missing files skipped) plus `-s`.
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        if !self.exclusive.is_empty() {
            return self.exclusive.clone();
        }
        let mut p: Vec<PathBuf> = self.cfg.rule_paths();
        p.extend(self.extra.iter().cloned());
        p
    }

    /// Directories to watch: each directory path itself, and each file's parent.
    pub fn watch_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut roots: Vec<PathBuf> = self.rule_paths();
        if self.exclusive.is_empty() {
            // Patterns and not-yet-existing files in the config still name a directory.
            for f in &self.cfg.rule_files {
                let p = Path::new(f);
                roots.push(match &self.cfg.default_rule_path {
                    Some(base) if p.is_relative() => base.join(p),
                    _ => p.to_path_buf(),
                });
            }
        }
        for p in roots {
            let d = if p.is_dir() { p } else { p.parent().map(Path::to_path_buf).unwrap_or_default() };
            let d = if d.as_os_str().is_empty() { PathBuf::from(".") } else { d };
            if d.is_dir() && !dirs.contains(&d) {
                dirs.push(d);
            }
        }
        dirs
    }

    /// Whether a change to `path` (in a watched directory) concerns the rules: a rule path
    /// itself, any `*.rules` file, or a file named like a `rule-files` entry.
    fn concerns(&self, path: &Path) -> bool {
        if path.extension().is_some_and(|x| x == "rules") {
            return true;
        }
        let Some(name) = path.file_name() else { return false };
        // By name: a relative rule path (`-S my.conf`) and the watcher's `./my.conf` differ.
        self.rule_paths().iter().any(|p| p.file_name() == Some(name)) || self.cfg.rule_files.iter().any(|f| Path::new(f).file_name() == Some(name))
    }
}

/// Why a rebuild ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A watched rule file changed.
    FileChange,
    /// SIGUSR2.
    Signal,
    /// A control-socket command.
    Command,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::FileChange => "file change",
            Trigger::Signal => "SIGUSR2",
            Trigger::Command => "control socket",
        }
    }
}

/// The result of one rebuild.
#[derive(Clone, Debug)]
pub struct ReloadOutcome {
    /// A new engine is running.
    pub swapped: bool,
    /// Rules loaded (of the new engine, or of the attempt that was refused).
    pub loaded: usize,
    /// Rules that failed to parse, were refused, or came from unreadable files.
    pub failed: usize,
    /// One-line summary, also logged.
    pub message: String,
}

/// One failed rule (`ruleset-failed-rules`).
#[derive(Clone, Debug)]
pub struct FailedRule {
    /// File and line.
    pub location: String,
    /// The reason.
    pub reason: String,
}

#[derive(Default)]
struct Pending {
    first_change: Option<Instant>,
    last_change: Option<Instant>,
    now: Option<Trigger>,
    waiters: Vec<SyncSender<ReloadOutcome>>,
    shutdown: bool,
}

/// Owns the reload thread. Cheap to share (`Arc`); dropping the last handle does not stop
/// the thread: call [`Reloader::shutdown`].
pub struct Reloader {
    pending: Mutex<Pending>,
    cv: Condvar,
    rebuilds: std::sync::atomic::AtomicU64,
    failed_rules: Mutex<Vec<FailedRule>>,
    /// Configuration used by rebuilds and by the watcher's filter.
    pub config: ReloadConfig,
    engine: Arc<ArcSwap<DetectEngine>>,
    hub: Arc<StatsHub>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Records a completed load (initial or reload) into the hub.
pub fn record_load(hub: &StatsHub, report: &LoadReport) {
    hub.update_engine(|e| {
        e.last_reload = wall_now();
        e.rules_loaded = report.loaded as u64;
        e.rules_failed = (report.failed.len() + report.refused.len()) as u64;
        e.rules_skipped = 0;
    });
}

impl Reloader {
    /// Starts the reload thread for `engine`. `initial` is the report of the load that built
    /// the running engine (kept for `ruleset-failed-rules`).
    pub fn start(config: ReloadConfig, engine: Arc<ArcSwap<DetectEngine>>, hub: Arc<StatsHub>, initial: &LoadReport) -> std::io::Result<Arc<Reloader>> {
        let r = Arc::new(Reloader {
            pending: Mutex::new(Pending::default()),
            cv: Condvar::new(),
            rebuilds: Default::default(),
            failed_rules: Mutex::new(failed_list(initial, &[])),
            config,
            engine,
            hub,
        });
        let me = Arc::clone(&r);
        std::thread::Builder::new().name("rampart-reload".into()).spawn(move || me.run())?;
        Ok(r)
    }

    /// Rebuilds done so far (successful or not).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Failed rules of the running ruleset (at most [`MAX_FAILED_KEPT`]).
    pub fn failed_rules(&self) -> Vec<FailedRule> {
        lock(&self.failed_rules).clone()
    }

    /// A watched file changed: rebuild once the rules have been quiet for the debounce time.
    pub fn file_changed(&self) {
        let mut p = lock(&self.pending);
        let now = Instant::now();
        p.first_change.get_or_insert(now);
        p.last_change = Some(now);
        self.cv.notify_one();
    }

    /// Asks for a rebuild now. With `wait`, returns a receiver that gets the outcome of a
    /// rebuild that started after this call.
    pub fn request(&self, trigger: Trigger, wait: bool) -> Option<Receiver<ReloadOutcome>> {
        let mut p = lock(&self.pending);
        if p.now.is_none() {
            p.now = Some(trigger);
        }
        let rx = if wait {
            let (tx, rx) = sync_channel(1);
            p.waiters.push(tx);
            Some(rx)
        } else {
            None
        };
        self.cv.notify_one();
        rx
    }

    /// Stops the reload thread after its current rebuild.
    pub fn shutdown(&self) {
        lock(&self.pending).shutdown = true;
        self.cv.notify_one();
    }

    fn run(&self) {
        loop {
            let (trigger, waiters) = {
                let mut p = lock(&self.pending);
                loop {
                    if p.shutdown {
                        return;
                    }
                    if p.now.is_some() {
                        break;
                    }
                    if let (Some(first), Some(last)) = (p.first_change, p.last_change) {
                        let due = (last + self.config.debounce).min(first + MAX_DEBOUNCE_WAIT);
                        let now = Instant::now();
                        if now >= due {
                            break;
                        }
                        p = self.cv.wait_timeout(p, due - now).unwrap_or_else(|e| e.into_inner()).0;
                        continue;
                    }
                    p = self.cv.wait(p).unwrap_or_else(|e| e.into_inner());
                }
                let trigger = p.now.take().unwrap_or(Trigger::FileChange);
                p.first_change = None;
                p.last_change = None;
                (trigger, std::mem::take(&mut p.waiters))
            };
            let outcome = self.rebuild(trigger);
            for w in waiters {
                let _ = w.try_send(outcome.clone());
            }
        }
    }

    /// Loads the rules, builds an engine and swaps it in (or keeps the old one and says why).
    pub fn rebuild(&self, trigger: Trigger) -> ReloadOutcome {
        self.rebuilds.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let started = Instant::now();
        let paths = self.config.rule_paths();
        let mut rules = Vec::new();
        let mut io_errors: Vec<String> = Vec::new();
        let mut failed: Vec<RuleIssue> = Vec::new();
        let mut readable = 0usize;
        for p in &paths {
            match crate::detect::parse::load_files(std::slice::from_ref(p), &self.config.cfg.vars) {
                Ok(mut set) => {
                    readable += 1;
                    rules.append(&mut set.rules);
                    failed.append(&mut set.failed);
                }
                Err(e) => io_errors.push(e.to_string()),
            }
        }
        let keep = |reason: String| -> ReloadOutcome {
            let message = format!("rule reload ({}) failed, keeping the running engine: {reason}", trigger.as_str());
            tracing::error!("{message}");
            self.hub.update_engine(|e: &mut EngineStats| {
                e.reloads_failed += 1;
                e.last_error = Some(reason.clone());
            });
            ReloadOutcome { swapped: false, loaded: 0, failed: io_errors.len(), message }
        };
        for e in &io_errors {
            tracing::warn!("rule reload: {e}; skipped");
        }
        if readable == 0 && !paths.is_empty() {
            return keep(format!("no rule file could be read ({})", io_errors.join("; ")));
        }
        let n_io = io_errors.len();
        let (mut engine, mut report) = DetectEngine::build(rules, self.config.cfg.detect_settings());
        let mut all_failed = failed;
        all_failed.append(&mut report.failed);
        report.failed = all_failed;
        let n_bad = report.failed.len() + report.refused.len();
        for i in report.failed.iter().chain(&report.refused).take(50) {
            tracing::warn!("rule reload: {i}");
        }
        let first_bad = report.failed.iter().chain(&report.refused).next().map(|i| i.to_string()).unwrap_or_default();
        if report.loaded == 0 && n_bad > 0 {
            return ReloadOutcome { failed: n_bad + n_io, ..keep(format!("no rule loaded, {n_bad} failed (first: {first_bad})")) };
        }
        if self.config.errors_fatal && n_bad > 0 {
            return ReloadOutcome { loaded: report.loaded, failed: n_bad + n_io, ..keep(format!("--init-errors-fatal: {n_bad} rules failed (first: {first_bad})")) };
        }
        let old = self.engine.load_full();
        engine.adopt_state(&old);
        self.engine.store(Arc::new(engine));
        drop(old);
        record_load(&self.hub, &report);
        *lock(&self.failed_rules) = failed_list(&report, &io_errors);
        self.hub.update_engine(|e| {
            e.reloads += 1;
            e.last_error = None;
        });
        let message = format!(
            "rule reload ({}) done in {} ms: {} rules loaded, {} failed{}",
            trigger.as_str(),
            started.elapsed().as_millis(),
            report.loaded,
            n_bad + io_errors.len(),
            if first_bad.is_empty() { String::new() } else { format!(" (first: {first_bad})") }
        );
        tracing::info!("{message}");
        ReloadOutcome { swapped: true, loaded: report.loaded, failed: n_bad + io_errors.len(), message }
    }
}

fn failed_list(report: &LoadReport, io: &[String]) -> Vec<FailedRule> {
    let mut v: Vec<FailedRule> = io.iter().map(|e| FailedRule { location: String::new(), reason: e.clone() }).collect();
    let mut issues: Vec<&RuleIssue> = report.failed.iter().chain(&report.refused).collect();
    issues.sort_by(|a, b| a.span.file.cmp(&b.span.file).then(a.span.line.cmp(&b.span.line)));
    for i in issues {
        if v.len() >= MAX_FAILED_KEPT {
            break;
        }
        let reason = match &i.keyword {
            Some(k) => format!("{k}: {}", i.reason),
            None => i.reason.clone(),
        };
        v.push(FailedRule { location: format!("{}:{}", i.span.file.display(), i.span.line), reason });
    }
    v
}

/// Watches the rule directories and tells `reloader` about changes. The returned watcher
/// must be kept alive for as long as watching should go on.
///
/// Errors: the watch could not be set up (no inotify instance, a directory vanished).
pub fn watch(reloader: &Arc<Reloader>) -> notify::Result<notify::RecommendedWatcher> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let r = Arc::clone(reloader);
    let mut w = notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
        Ok(ev) => {
            let relevant_kind = match ev.kind {
                EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write)) => true,
                EventKind::Access(_) => false,
                _ => true,
            };
            if relevant_kind && ev.paths.iter().any(|p| r.config.concerns(p)) {
                r.file_changed();
            }
        }
        Err(e) => tracing::warn!("rule watch: {e}"),
    })?;
    for d in reloader.config.watch_dirs() {
        w.watch(&d, RecursiveMode::NonRecursive)?;
        tracing::info!("rule reload: watching {}", d.display());
    }
    Ok(w)
}

/// Starts a thread that asks `reloader` for a rebuild on every `SIGUSR2` (delivered through
/// signal-hook's self-pipe, so nothing of ours runs in signal context).
///
/// Errors: the handler could not be installed.
pub fn on_sigusr2(reloader: &Arc<Reloader>) -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGUSR2])?;
    let r = Arc::clone(reloader);
    std::thread::Builder::new().name("rampart-signals".into()).spawn(move || {
        for _ in signals.forever() {
            tracing::info!("SIGUSR2: rule reload requested");
            r.request(Trigger::Signal, false);
        }
    })?;
    Ok(())
}

/// With `--disable-detection` there is nothing to reload: `SIGUSR2` (whose default action
/// would end the process) is caught and logged.
///
/// Errors: the handler could not be installed.
pub fn ignore_sigusr2() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGUSR2])?;
    std::thread::Builder::new().name("rampart-signals".into()).spawn(move || {
        for _ in signals.forever() {
            tracing::warn!("SIGUSR2: detection is disabled, no rules to reload");
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(dir: &Path, text: &str) -> (Arc<Reloader>, Arc<ArcSwap<DetectEngine>>, Arc<StatsHub>) {
        let file = dir.join("a.rules");
        std::fs::write(&file, text).expect("write");
        let cfg = Config::default();
        let set = crate::detect::parse::load_files(std::slice::from_ref(&file), &cfg.vars).expect("load");
        let (engine, report) = DetectEngine::build(set.rules, cfg.detect_settings());
        let engine = Arc::new(ArcSwap::from_pointee(engine));
        let hub = StatsHub::new();
        record_load(&hub, &report);
        let rc = ReloadConfig { cfg, exclusive: vec![file], extra: vec![], errors_fatal: false, debounce: Duration::from_millis(100) };
        let r = Reloader::start(rc, Arc::clone(&engine), Arc::clone(&hub), &report).expect("start");
        (r, engine, hub)
    }

    const RULE_A: &str = "alert udp any any -> any any (msg:\"a\"; content:\"A\"; sid:1;)\n";
    const RULE_B: &str = "alert udp any any -> any any (msg:\"b\"; content:\"B\"; sid:2;)\nalert udp any any -> any any (msg:\"c\"; content:\"C\"; sid:3;)\n";

    #[test]
    fn shared_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Reloader>();
        send_sync::<StatsHub>();
        send_sync::<crate::control::ControlContext>();
    }

    #[test]
    fn command_reload_swaps_and_reports() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, engine, hub) = setup(dir.path(), RULE_A);
        assert_eq!(engine.load().len(), 1);
        std::fs::write(dir.path().join("a.rules"), RULE_B).expect("write");
        let out = r.request(Trigger::Command, true).expect("rx").recv_timeout(Duration::from_secs(20)).expect("outcome");
        assert!(out.swapped, "{out:?}");
        assert_eq!(engine.load().len(), 2);
        assert_eq!(hub.engine().rules_loaded, 2);
        assert_eq!(hub.engine().reloads, 1);
        r.shutdown();
    }

    #[test]
    fn garbage_keeps_engine_and_partial_garbage_names_the_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, engine, hub) = setup(dir.path(), RULE_B);
        std::fs::write(dir.path().join("a.rules"), "this is not a rule\n%%%%\n").expect("write");
        let out = r.request(Trigger::Command, true).expect("rx").recv_timeout(Duration::from_secs(20)).expect("outcome");
        assert!(!out.swapped);
        assert!(out.message.contains("a.rules:1"), "{}", out.message);
        assert_eq!(engine.load().len(), 2, "old engine kept");
        assert_eq!(hub.engine().reloads_failed, 1);
        // One good rule and one bad one: the good one loads, the bad one is named.
        std::fs::write(dir.path().join("a.rules"), format!("{RULE_A}garbage here\n")).expect("write");
        let out = r.request(Trigger::Command, true).expect("rx").recv_timeout(Duration::from_secs(20)).expect("outcome");
        assert!(out.swapped, "{out:?}");
        assert_eq!(engine.load().len(), 1);
        assert_eq!(out.failed, 1);
        let failed = r.failed_rules();
        assert_eq!(failed.len(), 1);
        assert!(failed[0].location.ends_with("a.rules:2"), "{failed:?}");
        // Unreadable (removed) file: old engine kept.
        std::fs::remove_file(dir.path().join("a.rules")).expect("rm");
        let out = r.request(Trigger::Command, true).expect("rx").recv_timeout(Duration::from_secs(20)).expect("outcome");
        assert!(!out.swapped);
        assert!(out.message.contains("no rule file could be read"), "{}", out.message);
        assert_eq!(engine.load().len(), 1);
        r.shutdown();
    }

    #[test]
    fn storm_of_changes_is_debounced() {
        let dir = tempfile::tempdir().expect("tmp");
        let (r, engine, _hub) = setup(dir.path(), RULE_A);
        let _w = watch(&r).expect("watch");
        for i in 0..100 {
            let text = if i % 2 == 0 { RULE_B } else { RULE_A };
            std::fs::write(dir.path().join("a.rules"), text).expect("write");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::fs::write(dir.path().join("a.rules"), RULE_B).expect("write");
        let deadline = Instant::now() + Duration::from_secs(10);
        while engine.load().len() != 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(engine.load().len(), 2);
        let n = r.rebuilds();
        assert!((1..=2).contains(&n), "{n} rebuilds for a storm of 100 changes");
        // A file outside the rules is ignored.
        std::fs::write(dir.path().join("notes.txt"), "x").expect("write");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(r.rebuilds(), n);
        r.shutdown();
    }
}
