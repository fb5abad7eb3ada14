//! The `rampart` command: Suricata's command line. Parses arguments, loads config and rules,
//! and runs the pipeline over a capture file (or, with `-T`, only checks the rules).
//!
//! Exit codes: 0 success; 1 for anything that stopped the run (bad flag, unreadable file,
//! bad config, rule errors with `-T` or `--init-errors-fatal`). Every failure prints one line
//! `rampart: error: <reason>` to stderr.

use anyhow::{bail, Context, Result};
use clap::{ArgAction, Parser};
use rampart::capture::pcap_file::PcapSource;
use rampart::config::{Config, RunMode};
use rampart::detect::{DetectEngine, LoadReport, RuleIssue};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// How many example rules `-T` prints per refusal reason.
const EXAMPLES_PER_REASON: usize = 3;

/// Command-line arguments, with Suricata's spelling and meaning.
#[derive(Parser, Debug)]
#[command(name = "rampart", version, disable_version_flag = true, args_override_self = true, about = "Rampart: an IDS/IPS engine that speaks Suricata's rules, command line and EVE JSON")]
struct Args {
    /// Read packets from a pcap/pcapng file, or every capture file in a directory.
    #[arg(short = 'r', value_name = "FILE|DIR")]
    pcap: Option<PathBuf>,
    /// Use only these rules (file, or directory of *.rules), ignoring the config's rule-files.
    #[arg(short = 'S', value_name = "FILE|DIR", action = ArgAction::Append)]
    exclusive_rules: Vec<PathBuf>,
    /// Load these rules in addition to the config's rule-files.
    #[arg(short = 's', value_name = "FILE|DIR", action = ArgAction::Append)]
    extra_rules: Vec<PathBuf>,
    /// Configuration file (suricata.yaml format). Default: the built-in configuration.
    #[arg(short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log directory (created if missing). Default: the config's default-log-dir, else ".".
    #[arg(short = 'l', value_name = "DIR")]
    log_dir: Option<PathBuf>,
    /// Checksum validation: all (default) or none.
    #[arg(short = 'k', value_name = "all|none", value_parser = ["all", "none"])]
    checksum: Option<String>,
    /// Test the configuration and rules, then exit.
    #[arg(short = 'T')]
    test: bool,
    /// Override a config value (dotted key, e.g. stream.midstream=true). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE", action = ArgAction::Append)]
    set: Vec<String>,
    /// Run mode: single or workers (autofp is accepted as workers).
    #[arg(long = "runmode", value_name = "MODE")]
    runmode: Option<String>,
    /// Any rule or config error is fatal.
    #[arg(long = "init-errors-fatal")]
    init_errors_fatal: bool,
    /// Behave as an inline IPS on offline input (drop/reject take effect).
    #[arg(long = "simulate-ips")]
    simulate_ips: bool,
    /// Run without rules.
    #[arg(long = "disable-detection")]
    disable_detection: bool,
    /// Deterministic run (Rampart has no randomised hashing to turn off; accepted).
    #[arg(long = "no-random")]
    no_random: bool,
    /// Directory for state files (datasets and the like).
    #[arg(long = "data-dir", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// More logging (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', action = ArgAction::Count)]
    verbose: u8,
    /// Only errors on stderr, and no summary on stdout.
    #[arg(long = "quiet")]
    quiet: bool,
    /// Print the version and exit.
    #[arg(short = 'V', long = "version")]
    version: bool,
    /// Print build information and exit.
    #[arg(long = "build-info")]
    build_info: bool,
    /// Live capture on an interface (AF_PACKET, TPACKET_V3 ring + fanout). Repeatable.
    #[arg(short = 'i', value_name = "IFACE", action = ArgAction::Append)]
    interface: Vec<String>,
    /// Inline IPS on NFQUEUE queue N (or a range A:B). Repeatable.
    #[arg(short = 'q', value_name = "QUEUE", action = ArgAction::Append)]
    queue: Vec<String>,
    /// AF_PACKET live capture on IFACE, or on every interface of the config's af-packet list.
    #[arg(long = "af-packet", value_name = "IFACE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    af_packet: Option<String>,
    /// libpcap live capture on IFACE, or on the first interface of the config's pcap list.
    #[arg(long = "pcap", value_name = "IFACE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pcap_live: Option<String>,
    /// Inline: the kernel accepts packets when the queue is full (NFQA_CFG_F_FAIL_OPEN),
    /// as config nfq.fail-open.
    #[arg(long = "queue-bypass")]
    queue_bypass: bool,
    /// Read the BPF capture filter from FILE.
    #[arg(short = 'F', value_name = "FILE")]
    bpf_file: Option<PathBuf>,
    /// BPF capture filter (tcpdump syntax), as trailing words like Suricata's.
    #[arg(value_name = "BPF FILTER", trailing_var_arg = true)]
    bpf: Vec<String>,
    /// Control socket (suricatasc protocol); PATH defaults to the config's
    /// unix-command.filename, else /var/run/rampart/rampart-command.socket.
    #[arg(long = "unix-socket", value_name = "PATH", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    unix_socket: Option<String>,
    /// Serve Prometheus metrics on ADDR (e.g. 127.0.0.1:9911); overrides the config's metrics.listen.
    #[arg(long = "metrics", value_name = "ADDR")]
    metrics: Option<String>,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.render().to_string();
            let line = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("bad arguments");
            eprintln!("rampart: {}", line.trim_start_matches("error: ").trim());
            return ExitCode::FAILURE;
        }
    };
    init_logging(&args);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rampart: error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    let s = e.chain().map(ToString::to_string).collect::<Vec<_>>().join(": ");
    s.replace('\n', " ")
}

fn init_logging(args: &Args) {
    let level = if args.quiet {
        "error"
    } else {
        match args.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

fn build_info() -> String {
    let mut s = format!("Rampart {}\n", env!("CARGO_PKG_VERSION"));
    s.push_str(&format!("Prefilter: {}\n", if cfg!(feature = "hyperscan") { "hyperscan" } else { "aho-corasick" }));
    s.push_str("Capture: pcap/pcapng files, AF_PACKET (TPACKET_V3, fanout), libpcap, NFQUEUE (inline)\n");
    s.push_str("Features: none of HAVE_LUA HAVE_NSS HAVE_LIBJANSSON HAVE_MAGIC HAVE_JA3 HAVE_JA4\n");
    s
}

fn run(args: Args) -> Result<ExitCode> {
    if args.version {
        println!("Rampart version {}", env!("CARGO_PKG_VERSION"));
        return Ok(ExitCode::SUCCESS);
    }
    if args.build_info {
        print!("{}", build_info());
        return Ok(ExitCode::SUCCESS);
    }
    let live = live_mode(&args)?;

    let mut cfg = Config::load(args.config.as_deref(), &args.set).map_err(anyhow::Error::msg)?;
    if let Some(m) = &args.runmode {
        cfg.runmode = RunMode::parse(m).with_context(|| format!("--runmode {m}: expected single or workers"))?;
    }
    if let Some(k) = &args.checksum {
        cfg.checksums = k == "all";
        cfg.stream.checksum_validation = cfg.checksums;
    }
    cfg.ips = args.simulate_ips;
    live_adjust_config(&mut cfg, &args, live.as_ref());
    cfg.detection_enabled = !args.disable_detection;
    cfg.data_dir = args.data_dir.clone();
    if args.no_random {
        tracing::debug!("--no-random: Rampart's hashing is already deterministic");
    }
    if let Some(d) = &cfg.data_dir {
        if !d.is_dir() {
            bail!("--data-dir {}: not a directory", d.display());
        }
    }

    // Rules.
    let (engine, report) = if args.disable_detection {
        (DetectEngine::empty(), LoadReport::default())
    } else {
        let paths = rule_paths(&cfg, &args)?;
        let set = rampart::detect::parse::load_files(&paths, &cfg.vars).context("loading rules")?;
        let failed = set.failed;
        let (engine, mut report) = DetectEngine::build(set.rules, cfg.detect_settings());
        let mut all_failed = failed;
        all_failed.append(&mut report.failed);
        report.failed = all_failed;
        (engine, report)
    };
    let summary_line = format!("rules: {} loaded, {} refused, {} failed", report.loaded, report.refused.len(), report.failed.len());

    if args.test {
        print_report(&report);
        println!("{summary_line}");
        let bad = !report.failed.is_empty() || !report.refused.is_empty();
        return Ok(if bad { ExitCode::FAILURE } else { ExitCode::SUCCESS });
    }
    for i in report.failed.iter().chain(&report.refused) {
        tracing::warn!("{i}");
    }
    if args.init_errors_fatal && (!report.failed.is_empty() || !report.refused.is_empty()) {
        bail!("--init-errors-fatal: {summary_line}");
    }
    if !report.failed.is_empty() || !report.refused.is_empty() {
        tracing::warn!("{summary_line}");
    } else {
        tracing::info!("{summary_line}");
    }

    if let Some(mode) = live {
        return run_live(&cfg, &args, mode, engine, &report);
    }
    let Some(pcap) = &args.pcap else {
        bail!("no input: give -r FILE|DIR, -i IFACE, --pcap=IFACE or -q QUEUE");
    };
    std::fs::metadata(pcap).with_context(|| format!("-r {}", pcap.display()))?;
    let log_dir = args.log_dir.clone().or_else(|| cfg.default_log_dir.clone()).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&log_dir).with_context(|| format!("-l {}", log_dir.display()))?;
    let engine = Arc::new(arc_swap::ArcSwap::from_pointee(engine));
    // Before the source opens: a FIFO blocks the open until its writer comes, and SIGUSR2 or
    // the control socket must already work then.
    let ops = start_ops(&args, &cfg, &engine, &report, "PCAP_FILE")?;
    let source = PcapSource::open(pcap).map_err(|e| anyhow::anyhow!("-r {e}"))?;
    // A progress bar on stderr, only on a terminal and without --quiet.
    let source = rampart::capture::progress::ProgressSource::new(source, rampart::capture::progress::enabled(std::io::IsTerminal::is_terminal(&std::io::stderr()), args.quiet));
    let summary = rampart::pipeline::run_hooked(&cfg, engine, Box::new(source), &log_dir, ops.hooks.clone())?;
    drop(ops);
    if let Some(reason) = &summary.capture_error {
        // Every packet before the damage was processed and logged; say loudly why we stopped.
        eprintln!("rampart: error: {reason} (stopped after {} packets)", summary.packets);
    }
    if !args.quiet {
        println!("packets: {}, alerts: {}", summary.packets, summary.alerts);
        let mut by_sig = summary.alerts_by_sig.clone();
        by_sig.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        for (sid, msg, n) in by_sig {
            println!("{n:>8}  sid {sid}  {msg}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rule reload, control socket and metrics endpoint of a run (dropping it stops reloads
/// and removes the socket file).
struct Ops {
    hooks: rampart::pipeline::RunHooks,
    reloader: Option<Arc<rampart::reload::Reloader>>,
    _watcher: Option<notify::RecommendedWatcher>,
    _control: Option<rampart::control::ControlServer>,
}

impl Drop for Ops {
    fn drop(&mut self) {
        if let Some(r) = &self.reloader {
            r.shutdown();
        }
    }
}

/// Starts what operators talk to: the reload thread (SIGUSR2, rule-file watching unless
/// `rule-reload.watch: no`), the control socket (`--unix-socket`, `unix-command`) and the
/// metrics endpoint (`--metrics`, `metrics.listen`). Errors: a socket or address that cannot
/// be bound.
fn start_ops(args: &Args, cfg: &Config, engine: &Arc<arc_swap::ArcSwap<DetectEngine>>, report: &LoadReport, capture_mode: &str) -> Result<Ops> {
    use rampart::reload::{ReloadConfig, Reloader};
    let hub = rampart::output::metrics::StatsHub::new();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut ops = Ops { hooks: rampart::pipeline::RunHooks { hub: Some(Arc::clone(&hub)), stop: Some(Arc::clone(&stop)) }, reloader: None, _watcher: None, _control: None };
    if !args.disable_detection {
        rampart::reload::record_load(&hub, report);
        let debounce = cfg.u64_at("rule-reload.debounce", 300).map_err(anyhow::Error::msg)?;
        let rc = ReloadConfig {
            cfg: cfg.clone(),
            exclusive: args.exclusive_rules.clone(),
            extra: args.extra_rules.clone(),
            errors_fatal: args.init_errors_fatal,
            debounce: std::time::Duration::from_millis(debounce),
        };
        let r = Reloader::start(rc, Arc::clone(engine), Arc::clone(&hub), report).context("starting the rule reload thread")?;
        rampart::reload::on_sigusr2(&r).context("installing the SIGUSR2 handler")?;
        if cfg.bool_at("rule-reload.watch", true).map_err(anyhow::Error::msg)? {
            match rampart::reload::watch(&r) {
                Ok(w) => ops._watcher = Some(w),
                Err(e) => tracing::warn!("rule reload: cannot watch the rule files ({e}); SIGUSR2 and the control socket still reload"),
            }
        }
        ops.reloader = Some(r);
    } else {
        rampart::reload::ignore_sigusr2().context("installing the SIGUSR2 handler")?;
    }
    let enabled = match cfg.value("unix-command.enabled").map(str::to_ascii_lowercase).as_deref() {
        Some("auto") => capture_mode != "PCAP_FILE",
        Some(v) => rampart::config::parse_bool(v).unwrap_or(false),
        None => false,
    };
    if args.unix_socket.is_some() || enabled {
        let name = args.unix_socket.as_deref().filter(|s| !s.is_empty()).or(cfg.value("unix-command.filename"));
        let path = rampart::control::socket_path(name);
        let ctx = rampart::control::ControlContext {
            hub: Arc::clone(&hub),
            reloader: ops.reloader.clone(),
            ifaces: args.interface.iter().cloned().collect(),
            capture_mode: capture_mode.to_string(),
            running_mode: match cfg.runmode {
                RunMode::Single => "single".into(),
                RunMode::Workers => "workers".into(),
            },
            stop,
        };
        let server = rampart::control::serve(&path, Arc::new(ctx)).with_context(|| format!("unix-command {}", path.display()))?;
        ops._control = Some(server);
    }
    let listen = match &args.metrics {
        Some(a) => Some(a.clone()),
        None if cfg.bool_at("metrics.enabled", false).map_err(anyhow::Error::msg)? => Some(cfg.value("metrics.listen").unwrap_or("127.0.0.1:9911").to_string()),
        None => None,
    };
    if let Some(a) = listen {
        let addr: std::net::SocketAddr = a.parse().with_context(|| format!("--metrics {a}: expected IP:PORT"))?;
        let bound = rampart::output::metrics::serve_metrics(addr, hub).with_context(|| format!("--metrics {a}"))?;
        tracing::info!("metrics on http://{bound}/metrics");
    }
    Ok(ops)
}

/// `-S` (exclusive) or the config's rule files plus `-s`. Every path must exist.
fn rule_paths(cfg: &Config, args: &Args) -> Result<Vec<PathBuf>> {
    if !args.exclusive_rules.is_empty() && !args.extra_rules.is_empty() {
        bail!("-S and -s cannot be mixed (-S replaces the config's rule files, -s adds to them)");
    }
    let paths: Vec<PathBuf> = if !args.exclusive_rules.is_empty() {
        args.exclusive_rules.clone()
    } else {
        let mut p = Vec::new();
        for f in cfg.rule_paths() {
            if f.exists() {
                p.push(f);
            } else if args.init_errors_fatal {
                bail!("rule-files: {}: no such file", f.display());
            } else {
                tracing::warn!("rule-files: {}: no such file; skipped", f.display());
            }
        }
        p.extend(args.extra_rules.iter().cloned());
        p
    };
    for p in &paths {
        check_readable(p)?;
    }
    Ok(paths)
}

fn check_readable(p: &Path) -> Result<()> {
    let m = std::fs::metadata(p).with_context(|| format!("rules {}", p.display()))?;
    if m.is_file() {
        std::fs::File::open(p).with_context(|| format!("rules {}", p.display()))?;
    }
    Ok(())
}

/// `-T`: refusals and failures grouped by reason, each with a count and a few examples.
fn print_report(report: &LoadReport) {
    for (title, issues) in [("failed", &report.failed), ("refused", &report.refused)] {
        let mut groups: BTreeMap<String, Vec<&RuleIssue>> = BTreeMap::new();
        for i in issues {
            let key = match &i.keyword {
                Some(k) => format!("{k}: {}", i.reason),
                None => i.reason.clone(),
            };
            groups.entry(key).or_default().push(i);
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        for (reason, list) in groups {
            println!("{title}: {reason} ({} rule{})", list.len(), if list.len() == 1 { "" } else { "s" });
            for i in list.iter().take(EXAMPLES_PER_REASON) {
                match i.sid {
                    Some(sid) => println!("    {}:{} sid {sid}", i.span.file.display(), i.span.line),
                    None => println!("    {}:{}", i.span.file.display(), i.span.line),
                }
            }
        }
    }
}

/// A live run chosen on the command line.
enum LiveMode {
    /// AF_PACKET on these interfaces.
    AfPacket(Vec<String>),
    /// libpcap on this interface.
    Pcap(String),
    /// NFQUEUE on these queues.
    Nfq(Vec<u16>),
}

/// Which live mode the flags ask for (at most one input kind).
fn live_mode(args: &Args) -> Result<Option<LiveMode>> {
    let mut kinds = 0;
    kinds += usize::from(args.pcap.is_some());
    kinds += usize::from(!args.interface.is_empty() || args.af_packet.is_some());
    kinds += usize::from(args.pcap_live.is_some());
    kinds += usize::from(!args.queue.is_empty());
    if kinds > 1 {
        bail!("give one input: -r, -i/--af-packet, --pcap or -q");
    }
    if !args.bpf.is_empty() && args.bpf_file.is_some() {
        bail!("-F and a filter on the command line cannot be mixed");
    }
    if !args.queue.is_empty() {
        let mut qs = Vec::new();
        for q in &args.queue {
            for n in rampart::ips::nfqueue::parse_queue_arg(q).map_err(anyhow::Error::msg)? {
                if !qs.contains(&n) {
                    qs.push(n);
                }
            }
        }
        return Ok(Some(LiveMode::Nfq(qs)));
    }
    if let Some(p) = &args.pcap_live {
        return Ok(Some(LiveMode::Pcap(p.clone())));
    }
    if !args.interface.is_empty() || args.af_packet.is_some() {
        let mut ifs = args.interface.clone();
        if let Some(a) = args.af_packet.as_ref().filter(|a| !a.is_empty()) {
            ifs.push(a.clone());
        }
        return Ok(Some(LiveMode::AfPacket(ifs)));
    }
    if !args.bpf.is_empty() || args.bpf_file.is_some() {
        bail!("a BPF filter needs a live interface (-i, --pcap); filtering capture files is not supported");
    }
    Ok(None)
}

/// Live defaults: inline mode for NFQUEUE; checksums trusted to the kernel unless `-k all`
/// (locally generated packets captured on the wire side carry offloaded, unfilled
/// checksums: Suricata's `checksum-checks: kernel`).
fn live_adjust_config(cfg: &mut Config, args: &Args, live: Option<&LiveMode>) {
    let Some(mode) = live else { return };
    if matches!(mode, LiveMode::Nfq(_)) {
        cfg.ips = true;
    }
    if args.checksum.is_none() {
        cfg.checksums = false;
        cfg.stream.checksum_validation = false;
    }
}

/// The command-line BPF filter (trailing words or `-F FILE`), if any.
fn cli_bpf(args: &Args) -> Result<Option<String>> {
    if let Some(f) = &args.bpf_file {
        let text = std::fs::read_to_string(f).with_context(|| format!("-F {}", f.display()))?;
        let text: String = text.lines().map(|l| l.split('#').next().unwrap_or("")).collect::<Vec<_>>().join(" ");
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        return Ok((!t.is_empty()).then_some(t));
    }
    Ok((!args.bpf.is_empty()).then(|| args.bpf.join(" ")))
}

fn run_live(cfg: &Config, args: &Args, mode: LiveMode, engine: DetectEngine, report: &LoadReport) -> Result<ExitCode> {
    use rampart::capture::afpacket::{compile_bpf, AfPacket, FanoutMode, RingConfig};
    use rampart::config::live::{iface_config, listed_interfaces, nfq_config};
    use rampart::pipeline::live::LiveSource;
    let log_dir = args.log_dir.clone().or_else(|| cfg.default_log_dir.clone()).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&log_dir).with_context(|| format!("-l {}", log_dir.display()))?;
    rampart::capture::shutdown::install_handlers().context("installing signal handlers")?;
    let bpf = cli_bpf(args)?;
    let engine = Arc::new(arc_swap::ArcSwap::from_pointee(engine));
    // Hot reload (file watch, SIGUSR2, control socket) swaps the engine the live workers read;
    // kept alive for the whole run. Live runs do not feed the metrics hub yet.
    let capture_mode = if matches!(mode, LiveMode::Nfq(_)) { "NFQ" } else { "AF_PACKET_DEV" };
    // A control socket another instance holds must not keep a sensor from capturing: warn and
    // run without the ops hooks (capture errors, such as a queue already taken, stay errors).
    let _ops = match start_ops(args, cfg, &engine, report, capture_mode) {
        Ok(o) => Some(o),
        Err(e) => {
            tracing::warn!("hot reload and control socket disabled: {e:#}");
            None
        }
    };
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    let summary = match mode {
        LiveMode::Pcap(iface) => {
            let iface = if iface.is_empty() { listed_interfaces(cfg, "pcap").into_iter().next().context("--pcap: no interface given and none in the config's pcap list")? } else { iface };
            let ic = iface_config(cfg, "pcap", &iface).map_err(anyhow::Error::msg)?;
            let filter = bpf.or(ic.bpf_filter.clone());
            let src = rampart::capture::pcap_live::PcapLive::open(&iface, ic.promisc, filter.as_deref(), Arc::clone(&stop)).map_err(|e| anyhow::anyhow!("--pcap {e}"))?;
            tracing::info!("engine started: libpcap on {iface}");
            rampart::pipeline::run(cfg, engine, Box::new(src), &log_dir)?
        }
        LiveMode::AfPacket(mut ifaces) => {
            if ifaces.is_empty() {
                ifaces = listed_interfaces(cfg, "af-packet");
                if ifaces.is_empty() {
                    bail!("--af-packet: no interface given and none in the config's af-packet list");
                }
            }
            let mut sources = Vec::new();
            for (n, iface) in ifaces.iter().enumerate() {
                let ic = iface_config(cfg, "af-packet", iface).map_err(anyhow::Error::msg)?;
                let threads = match cfg.runmode {
                    RunMode::Single => 1,
                    RunMode::Workers => ic.threads.or(cfg.threads).unwrap_or(cores).clamp(1, rampart::config::live::MAX_IFACE_THREADS),
                };
                let fanout = FanoutMode::parse(&ic.cluster_type).with_context(|| format!("af-packet {iface}: cluster-type {}: expected cluster_flow, cluster_cpu, cluster_qm, cluster_round_robin or cluster_random", ic.cluster_type))?;
                let filter = bpf.clone().or(ic.bpf_filter.clone());
                let prog = match &filter {
                    Some(f) => Some(compile_bpf(f).map_err(|e| anyhow::anyhow!("{iface}: {e}"))?),
                    None => None,
                };
                // Interfaces sharing the default cluster-id get distinct fanout groups.
                let cluster_id = ic.cluster_id.wrapping_add(n as u16);
                let rc = RingConfig { iface: iface.clone(), block_size: ic.block_size, ring_size: ic.ring_size, block_timeout_ms: ic.block_timeout, promisc: ic.promisc, cluster_id, fanout, bpf: prog };
                for _ in 0..threads {
                    sources.push(LiveSource::AfPacket(AfPacket::open(&rc).map_err(|e| anyhow::anyhow!("-i {e}"))?));
                }
                tracing::info!("af-packet: {iface}: {threads} socket(s), cluster-id {cluster_id}, {:?}", fanout);
            }
            rampart::pipeline::live::run_live(cfg, engine, sources, &log_dir, stop)?
        }
        LiveMode::Nfq(queues) => {
            let mut nc = nfq_config(cfg).map_err(anyhow::Error::msg)?;
            nc.fail_open |= args.queue_bypass;
            let mut sources = Vec::new();
            for q in queues {
                sources.push(LiveSource::Nfq(rampart::ips::nfqueue::NfQueue::open(q, nc).map_err(anyhow::Error::msg)?));
            }
            rampart::pipeline::live::run_live(cfg, engine, sources, &log_dir, stop)?
        }
    };
    if let Some(reason) = &summary.capture_error {
        eprintln!("rampart: error: {reason} (stopped after {} packets)", summary.packets);
    }
    if !args.quiet {
        println!("packets: {}, alerts: {}", summary.packets, summary.alerts);
        let l = &summary.live;
        if l.live {
            println!("capture: kernel_packets {}, kernel_drops {}", l.kernel_packets, l.kernel_drops);
            if cfg.ips {
                println!("ips: accepted {}, blocked {}, rejected {}, fail_open {}", l.accepted, summary.dropped, l.rejected, l.fail_open);
            }
        }
        for (sid, msg, n) in &summary.alerts_by_sig {
            println!("{n:>8}  sid {sid}  {msg}");
        }
    }
    Ok(if summary.capture_error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
