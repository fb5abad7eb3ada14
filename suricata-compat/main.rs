//! `suricata-compat`: runs suricata-verify tests against the `rampart` binary with the
//! semantics of suricata-verify's README (argument order, requirements, checks), and reports
//! PASS/FAIL/SKIP per test, per-area pass counts, and a JSON report.
//!
//! Rampart is treated as Suricata version [`ENGINE_VERSION`] with the build features in
//! [`FEATURES`]. Tests that need `command:`, `shell:` or `file-compare:` are skipped.
//!
//! Exit code: with `--check-expected`, 1 when a test listed in the expected-pass file did not
//! pass; without it, 1 when any test failed. 2 for runner errors (bad arguments, no tests).

#![deny(unsafe_code)]

use clap::Parser;
use rampart::config::yaml::Yaml;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The Suricata version Rampart answers requirements as.
const ENGINE_VERSION: [u64; 3] = [9, 0, 0];
/// Build features Rampart has (Suricata's `requires: features:` names). None yet: no Lua,
/// NSS, libmagic, JA3/JA4 fingerprints.
const FEATURES: &[&str] = &[];
/// The area names, in report order.
const AREAS: &[&str] = &["packet-level", "http", "stream", "defrag", "tls", "dns", "ssh", "smtp", "ftp", "other"];
/// Largest eve.json line read (bytes); longer lines fail the check.
const MAX_EVE_LINE: usize = 64 << 20;

#[derive(Parser, Debug)]
#[command(name = "suricata-compat", about = "Run suricata-verify tests against rampart")]
struct Args {
    /// Only tests whose name contains this string.
    filter: Option<String>,
    /// The suricata-verify tests directory.
    #[arg(long)]
    tests: Option<PathBuf>,
    /// The rampart binary (default: next to this program).
    #[arg(long)]
    engine: Option<PathBuf>,
    /// Parallel jobs.
    #[arg(long, short = 'j', default_value_t = 2)]
    jobs: usize,
    /// Write a JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Exit non-zero if any test in the expected-pass list does not pass.
    #[arg(long)]
    check_expected: bool,
    /// The expected-pass list (default: suricata-compat/expected-pass.txt in the repo).
    #[arg(long)]
    expected: Option<PathBuf>,
    /// manifest-visible.tsv for area classification (default: next to the tests dir).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Where to put per-test log dirs (default: a temporary directory, removed afterwards).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seconds before a run is killed.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Print only failures and the summary.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

#[derive(Debug)]
struct Outcome {
    name: String,
    status: Status,
    reason: String,
    area: &'static str,
    millis: u128,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match real_main(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("suricata-compat: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn default_tests_dir() -> PathBuf {
    let rel = repo_root().join("../shared/suricata-verify/tests");
    if rel.is_dir() {
        return rel;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suricata-verify/tests"))
}

fn real_main(args: Args) -> Result<ExitCode, String> {
    let tests_dir = args.tests.clone().unwrap_or_else(default_tests_dir);
    let tests_dir = tests_dir.canonicalize().map_err(|e| format!("tests dir {}: {e}", tests_dir.display()))?;
    let engine = match &args.engine {
        Some(e) => e.clone(),
        None => std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("rampart"),
    };
    let engine = engine.canonicalize().map_err(|e| format!("engine {}: {e}", engine.display()))?;
    let manifest_path = args.manifest.clone().unwrap_or_else(|| tests_dir.join("../manifest-visible.tsv"));
    let manifest = read_manifest(&manifest_path);

    let mut tests = Vec::new();
    find_tests(&tests_dir, &tests_dir, &mut tests);
    tests.sort();
    if let Some(f) = &args.filter {
        tests.retain(|t| t.contains(f.as_str()));
    }
    if tests.is_empty() {
        return Err(format!("no tests found under {}", tests_dir.display()));
    }

    let (out_dir, temp) = match &args.out {
        Some(o) => (o.clone(), false),
        None => (std::env::temp_dir().join(format!("rampart-compat-{}", std::process::id())), true),
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let ctx = Ctx { tests_dir: tests_dir.clone(), engine: engine.clone(), out_dir, timeout: Duration::from_secs(args.timeout), manifest };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let jobs = args.jobs.clamp(1, 64);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(name) = tests.get(i) else { break };
                let o = run_test(&ctx, name);
                if !args.quiet || o.status == Status::Fail {
                    if o.reason.is_empty() {
                        println!("{} {}", o.status.as_str(), o.name);
                    } else {
                        println!("{} {}: {}", o.status.as_str(), o.name, o.reason);
                    }
                }
                if let Ok(mut r) = results.lock() {
                    r.push(o);
                }
            });
        }
    });
    if temp {
        let _ = std::fs::remove_dir_all(&ctx.out_dir);
    }
    let mut results = results.into_inner().map_err(|_| "a worker panicked".to_string())?;
    results.sort_by(|a, b| a.name.cmp(&b.name));

    let count = |st: Status| results.iter().filter(|o| o.status == st).count();
    let (passed, failed, skipped) = (count(Status::Pass), count(Status::Fail), count(Status::Skip));
    let mut areas: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for o in &results {
        let e = areas.entry(o.area).or_default();
        match o.status {
            Status::Pass => e[0] += 1,
            Status::Fail => e[1] += 1,
            Status::Skip => e[2] += 1,
        }
    }
    for a in AREAS {
        if let Some([p, f, s]) = areas.get(a) {
            println!("area {a}: {p}/{} passed ({s} skipped)", p + f);
        }
    }

    let mut code = if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    let mut missing_expected = Vec::new();
    if args.check_expected {
        let path = args.expected.clone().unwrap_or_else(|| repo_root().join("suricata-compat/expected-pass.txt"));
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let by_name: HashMap<&str, Status> = results.iter().map(|o| (o.name.as_str(), o.status)).collect();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            match by_name.get(line) {
                Some(Status::Pass) => {}
                Some(st) => missing_expected.push(format!("{line} ({})", st.as_str())),
                None if args.filter.is_some() => {}
                None => missing_expected.push(format!("{line} (not found)")),
            }
        }
        for m in &missing_expected {
            println!("EXPECTED-PASS NOT PASSING: {m}");
        }
        code = if missing_expected.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }

    if let Some(rp) = &args.report {
        let report = json!({
            "engine": engine.display().to_string(),
            "engine_version": ENGINE_VERSION.iter().map(u64::to_string).collect::<Vec<_>>().join("."),
            "tests_dir": tests_dir.display().to_string(),
            "summary": {"passed": passed, "failed": failed, "skipped": skipped},
            "areas": areas.iter().map(|(a, [p, f, s])| (a.to_string(), json!({"passed": p, "failed": f, "skipped": s}))).collect::<serde_json::Map<_, _>>(),
            "expected_not_passing": missing_expected,
            "tests": results.iter().map(|o| json!({"name": o.name, "status": o.status.as_str(), "reason": o.reason, "area": o.area, "millis": o.millis as u64})).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(rp, text).map_err(|e| format!("{}: {e}", rp.display()))?;
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    Ok(code)
}

struct Ctx {
    tests_dir: PathBuf,
    engine: PathBuf,
    out_dir: PathBuf,
    timeout: Duration,
    manifest: HashMap<String, HashMap<String, String>>,
}

/// A folder with test.yaml is a test; its subfolders are not searched.
fn find_tests(root: &Path, dir: &Path, out: &mut Vec<String>) {
    if dir.join("test.yaml").is_file() {
        if let Ok(rel) = dir.strip_prefix(root) {
            out.push(rel.to_string_lossy().into_owned());
        }
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            find_tests(root, &p, out);
        }
    }
}

fn read_manifest(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut out = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else { return out };
    let mut lines = text.lines();
    let Some(header) = lines.next() else { return out };
    let cols: Vec<&str> = header.split('\t').collect();
    for l in lines {
        let row: HashMap<String, String> = cols.iter().zip(l.split('\t')).map(|(c, v)| (c.to_string(), v.to_string())).collect();
        if let Some(n) = row.get("name").cloned() {
            out.insert(n, row);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Versions and requirements

fn parse_version(s: &str) -> Vec<u64> {
    s.trim().split(['.', '-']).map_while(|p| p.parse::<u64>().ok()).collect()
}

fn cmp_version(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    for i in 0..3 {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

fn scalar_text(y: &Yaml) -> Option<String> {
    y.as_str().map(str::to_string)
}

fn list_of_text(y: &Yaml) -> Vec<String> {
    match y {
        Yaml::Seq(items) => items.iter().filter_map(scalar_text).collect(),
        Yaml::Scalar { text, .. } => vec![text.clone()],
        Yaml::Map(_) => Vec::new(),
    }
}

/// `None` when every requirement holds, else why not.
fn unmet_requirement(req: &Yaml, test_dir: &Path) -> Option<String> {
    use std::cmp::Ordering::*;
    let entries = req.as_map()?;
    for (k, v) in entries {
        let text = scalar_text(v).unwrap_or_default();
        let want = parse_version(&text);
        let unmet = match k.as_str() {
            "min-version" => cmp_version(&ENGINE_VERSION, &want) == Less,
            "lt-version" => cmp_version(&ENGINE_VERSION, &want) != Less,
            "gt-version" => cmp_version(&ENGINE_VERSION, &want) != Greater,
            "version" => !want.iter().zip(ENGINE_VERSION.iter()).all(|(a, b)| a == b) || want.is_empty(),
            "features" => {
                let missing: Vec<String> = list_of_text(v).into_iter().filter(|f| !FEATURES.contains(&f.as_str())).collect();
                if !missing.is_empty() {
                    return Some(format!("requires features {}", missing.join(",")));
                }
                false
            }
            "os" => !list_of_text(v).iter().any(|o| o.eq_ignore_ascii_case(std::env::consts::OS)),
            "arch" => !list_of_text(v).iter().any(|o| o.eq_ignore_ascii_case(std::env::consts::ARCH)),
            "env" => !list_of_text(v).iter().all(|e| std::env::var_os(e).is_some()),
            "files" => !list_of_text(v).iter().all(|f| test_dir.join(f).exists()),
            "pcap" => false, // handled when choosing the pcap
            other => return Some(format!("unsupported requirement '{other}'")),
        };
        if unmet {
            return Some(format!("requires {k}: {text}"));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// One test

fn skip(name: &str, area: &'static str, reason: impl Into<String>) -> Outcome {
    Outcome { name: name.to_string(), status: Status::Skip, reason: reason.into(), area, millis: 0 }
}

fn run_test(ctx: &Ctx, name: &str) -> Outcome {
    let started = Instant::now();
    let dir = ctx.tests_dir.join(name);
    let text = match std::fs::read_to_string(dir.join("test.yaml")) {
        Ok(t) => t,
        Err(e) => return Outcome { name: name.into(), status: Status::Fail, reason: format!("test.yaml: {e}"), area: "other", millis: 0 },
    };
    let spec = match Yaml::parse(&text) {
        Ok(y) => y,
        Err(e) => return Outcome { name: name.into(), status: Status::Fail, reason: format!("test.yaml: {e}"), area: "other", millis: 0 },
    };
    let area = classify(name, &dir, &spec, ctx.manifest.get(name));
    let mut o = match prepare(ctx, name, &dir, &spec) {
        Err(reason) => skip(name, area, reason),
        Ok(plan) => {
            let runs = spec.get("count").and_then(|c| c.typed().as_u64()).unwrap_or(1).clamp(1, 100);
            let attempts = spec.get("retry").and_then(|c| c.typed().as_u64()).unwrap_or(1).clamp(1, 100);
            let mut last = skip(name, area, "not run");
            'runs: for _ in 0..runs {
                for _ in 0..attempts {
                    last = execute(ctx, name, area, &dir, &plan);
                    if last.status != Status::Fail {
                        break;
                    }
                }
                if last.status != Status::Pass {
                    break 'runs;
                }
            }
            last
        }
    };
    o.millis = started.elapsed().as_millis();
    o
}

#[derive(Debug)]
struct Plan {
    args: Vec<String>,
    env: Vec<(String, String)>,
    exit_code: i64,
    checks: Vec<Yaml>,
    log_dir: PathBuf,
}

/// Works out the command line; `Err` is a skip reason.
fn prepare(ctx: &Ctx, name: &str, dir: &Path, spec: &Yaml) -> Result<Plan, String> {
    if let Some(r) = spec.get("requires") {
        if let Some(why) = unmet_requirement(r, dir) {
            return Err(why);
        }
    }
    if spec.get("command").is_some() {
        return Err("needs a custom command".into());
    }
    let checks: Vec<Yaml> = spec.get("checks").and_then(Yaml::as_seq).map(<[Yaml]>::to_vec).unwrap_or_default();
    for c in &checks {
        if c.child("shell").is_some() {
            return Err("needs a shell check".into());
        }
        if c.child("file-compare").is_some() {
            return Err("needs a file-compare check".into());
        }
    }
    let log_dir = ctx.out_dir.join(name.replace('/', "__"));
    let _ = std::fs::remove_dir_all(&log_dir);
    std::fs::create_dir_all(&log_dir).map_err(|e| format!("log dir {}: {e}", log_dir.display()))?;
    let test_dir_s = dir.display().to_string();
    let out_s = log_dir.display().to_string();
    let subst = |s: &str| s.replace("${TEST_DIR}", &test_dir_s).replace("${OUTPUT_DIR}", &out_s);

    let mut args = Vec::new();
    // 1. args: entries, split on whitespace.
    if let Some(a) = spec.get("args") {
        for entry in list_of_text(a) {
            args.extend(entry.split_whitespace().map(subst));
        }
    }
    // 2. --simulate-ips when the folder's own name contains "ips".
    if dir.file_name().is_some_and(|n| n.to_string_lossy().contains("ips")) {
        args.push("--simulate-ips".into());
    }
    // 3.
    args.extend(["--init-errors-fatal".to_string(), "-l".to_string(), out_s.clone()]);
    // 4.
    if dir.join("suricata.yaml").is_file() {
        args.extend(["-c".to_string(), dir.join("suricata.yaml").display().to_string()]);
    }
    // 5. the pcap.
    let pcap_wanted = !matches!(spec.get("requires.pcap").map(Yaml::typed), Some(Value::Bool(false)));
    match spec.get("pcap") {
        Some(p) if p.typed() == Value::Bool(false) => {}
        Some(p) => {
            let rel = scalar_text(p).unwrap_or_default();
            let path = dir.join(rel.trim());
            if !path.is_file() {
                return Err(format!("pcap {} not found", path.display()));
            }
            args.extend(["-r".to_string(), path.display().to_string()]);
        }
        None if pcap_wanted => {
            let mut pcaps: Vec<PathBuf> = read_dir_sorted(dir)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
                .collect();
            match pcaps.len() {
                0 => return Err("no pcap".into()),
                1 => args.extend(["-r".to_string(), pcaps.remove(0).display().to_string()]),
                n => return Err(format!("{n} pcaps in the folder")),
            }
        }
        None => {}
    }
    // 6. rules.
    if let Some(r) = spec.get("rules") {
        let text = match r {
            Yaml::Seq(items) => items.iter().filter_map(Yaml::as_str).collect::<Vec<_>>().join("\n"),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        let p = log_dir.join("test.rules");
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        args.extend(["-S".to_string(), p.display().to_string()]);
    } else {
        let rules: Vec<PathBuf> = read_dir_sorted(dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "rules")).collect();
        let fname = |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if rules.iter().any(|p| fname(p) == "firewall.rules") {
            return Err("firewall mode".into());
        }
        // min<version>.rules: the highest version the engine meets; otherwise the plain file.
        let mut best: Option<(Vec<u64>, PathBuf)> = None;
        let mut plain = Vec::new();
        for p in &rules {
            let n = fname(p);
            match n.strip_prefix("min").and_then(|r| r.strip_suffix(".rules")) {
                Some(v) if !parse_version(v).is_empty() => {
                    let v = parse_version(v);
                    if cmp_version(&ENGINE_VERSION, &v) != std::cmp::Ordering::Less && best.as_ref().is_none_or(|(bv, _)| cmp_version(&v, bv).is_gt()) {
                        best = Some((v, p.clone()));
                    }
                }
                _ => plain.push(p.clone()),
            }
        }
        let chosen = match (best, plain.len()) {
            (Some((_, p)), _) => Some(p),
            (None, 0) => None,
            (None, 1) => plain.pop(),
            (None, n) => return Err(format!("{n} rule files in the folder")),
        };
        match chosen {
            Some(p) => args.extend(["-S".to_string(), p.display().to_string()]),
            None => args.push("--disable-detection".into()),
        }
    }

    let mut env = vec![("TZ".to_string(), "UTC".to_string()), ("TEST_DIR".to_string(), test_dir_s.clone()), ("OUTPUT_DIR".to_string(), out_s.clone())];
    match spec.get("env") {
        Some(Yaml::Map(m)) => env.extend(m.iter().map(|(k, v)| (k.clone(), subst(v.as_str().unwrap_or_default())))),
        Some(Yaml::Seq(items)) => {
            for i in items {
                match i {
                    Yaml::Map(m) => env.extend(m.iter().map(|(k, v)| (k.clone(), subst(v.as_str().unwrap_or_default())))),
                    Yaml::Scalar { text, .. } => {
                        if let Some((k, v)) = text.split_once('=') {
                            env.push((k.to_string(), subst(v)));
                        }
                    }
                    Yaml::Seq(_) => {}
                }
            }
        }
        _ => {}
    }
    let exit_code = spec.get("exit-code").and_then(|v| v.typed().as_i64()).unwrap_or(0);
    Ok(Plan { args, env, exit_code, checks, log_dir })
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn execute(ctx: &Ctx, name: &str, area: &'static str, dir: &Path, plan: &Plan) -> Outcome {
    let fail = |reason: String| Outcome { name: name.into(), status: Status::Fail, reason, area, millis: 0 };
    // Fresh log dir per attempt.
    if let Ok(rd) = std::fs::read_dir(&plan.log_dir) {
        for e in rd.flatten() {
            if e.file_name() != "test.rules" {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let stderr_path = plan.log_dir.join("rampart.stderr");
    let stdout_path = plan.log_dir.join("rampart.stdout");
    let (Ok(errf), Ok(outf)) = (std::fs::File::create(&stderr_path), std::fs::File::create(&stdout_path)) else {
        return fail("cannot create output files".into());
    };
    let mut cmd = Command::new(&ctx.engine);
    cmd.args(&plan.args).current_dir(dir).stdin(Stdio::null()).stdout(outf).stderr(errf);
    for (k, v) in &plan.env {
        cmd.env(k, v);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot run {}: {e}", ctx.engine.display())),
    };
    let deadline = Instant::now() + ctx.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return fail(format!("timed out after {}s", ctx.timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return fail(format!("wait: {e}")),
        }
    };
    let code = status.code().map(i64::from).unwrap_or(-1);
    if code != plan.exit_code {
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        return fail(format!("exit code: expected {}, got {code}{}{}", plan.exit_code, if last.is_empty() { "" } else { ": " }, truncate(last, 200)));
    }
    let mut ran = 0usize;
    for (i, c) in plan.checks.iter().enumerate() {
        match run_check(c, &plan.log_dir, dir) {
            CheckResult::Pass => ran += 1,
            CheckResult::Skipped => {}
            CheckResult::Fail(why) => return fail(format!("check {}: {why}", i + 1)),
        }
    }
    if ran == 0 && !plan.checks.is_empty() {
        return skip(name, area, "every check's requirements unmet");
    }
    Outcome { name: name.into(), status: Status::Pass, reason: String::new(), area, millis: 0 }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

// ---------------------------------------------------------------------------------------------
// Checks

enum CheckResult {
    Pass,
    Skipped,
    Fail(String),
}

fn run_check(c: &Yaml, log_dir: &Path, test_dir: &Path) -> CheckResult {
    if let Some(f) = c.child("filter") {
        if let Some(r) = f.child("requires") {
            if unmet_requirement(r, test_dir).is_some() {
                return CheckResult::Skipped;
            }
        }
        let file = f.child("filename").and_then(Yaml::as_str).unwrap_or("eve.json");
        let records = match read_eve(&log_dir.join(file)) {
            Ok(r) => r,
            Err(e) => return CheckResult::Fail(e),
        };
        let want = f.child("count").map(Yaml::typed);
        let matcher = f.child("match").map(Yaml::typed).unwrap_or(Value::Object(Default::default()));
        let Value::Object(m) = &matcher else { return CheckResult::Fail("filter match: not a mapping".into()) };
        let got = records.iter().filter(|r| record_matches(m, r)).count();
        let ok = match &want {
            Some(w) => py_eq(&Value::from(got as u64), w),
            None => got > 0,
        };
        if ok {
            CheckResult::Pass
        } else {
            let desc = describe_match(m);
            CheckResult::Fail(format!("filter {desc}: expected count {}, got {got}", want.map(|w| w.to_string()).unwrap_or_else(|| ">0".into())))
        }
    } else if let Some(s) = c.child("stats") {
        let records = match read_eve(&log_dir.join("eve.json")) {
            Ok(r) => r,
            Err(e) => return CheckResult::Fail(e),
        };
        let Some(stats) = records.iter().rev().find(|r| r.get("event_type").and_then(Value::as_str) == Some("stats")).and_then(|r| r.get("stats")) else {
            return CheckResult::Fail("stats: no stats event in eve.json".into());
        };
        let Value::Object(m) = s.typed() else { return CheckResult::Fail("stats: not a mapping".into()) };
        for (k, v) in &m {
            if k == "requires" {
                continue;
            }
            if !entry_matches(k, v, stats) {
                let got = find_value(k.split("__").next().unwrap_or(k).trim_end_matches('.'), stats);
                return CheckResult::Fail(format!("stats {k}: expected {v}, got {}", got.map(|g| match g {
                    Found::Value(v) => v.to_string(),
                    Found::Len(n) => n.to_string(),
                }).unwrap_or_else(|| "missing".into())));
            }
        }
        CheckResult::Pass
    } else {
        CheckResult::Skipped
    }
}

fn describe_match(m: &serde_json::Map<String, Value>) -> String {
    let parts: Vec<String> = m.iter().take(4).map(|(k, v)| format!("{k}={v}")).collect();
    let more = if m.len() > 4 { ",..." } else { "" };
    format!("{{{}{more}}}", parts.join(","))
}

fn read_eve(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_EVE_LINE {
            return Err(format!("{}: line {} longer than {MAX_EVE_LINE} bytes", path.display(), i + 1));
        }
        out.push(serde_json::from_str(line).map_err(|e| format!("{} line {}: invalid JSON: {e}", path.display(), i + 1))?);
    }
    Ok(out)
}

fn record_matches(m: &serde_json::Map<String, Value>, rec: &Value) -> bool {
    m.iter().all(|(k, v)| entry_matches(k, v, rec))
}

/// What a path points at.
#[derive(Debug, PartialEq)]
enum Found<'a> {
    Value(&'a Value),
    Len(i64),
}

/// suricata-verify's `find_value`: dotted parts, `name[N]` indexing, `__len`. `None` is
/// "missing" (absent or JSON null).
fn find_value<'a>(path: &str, obj: &'a Value) -> Option<Found<'a>> {
    let mut cur = obj;
    for part in path.split('.') {
        if part == "__len" {
            let n = match cur {
                Value::Array(a) => a.len() as i64,
                Value::Object(o) => o.len() as i64,
                Value::String(s) => s.chars().count() as i64,
                _ => -1,
            };
            return Some(Found::Len(n));
        }
        let (key, index) = split_index(part);
        let Value::Object(o) = cur else { return None };
        cur = o.get(key)?;
        if let Some(i) = index {
            cur = match cur {
                Value::Array(a) => a.get(i)?,
                _ => return None,
            };
        }
    }
    if cur.is_null() {
        None
    } else {
        Some(Found::Value(cur))
    }
}

fn split_index(part: &str) -> (&str, Option<usize>) {
    if let Some(rest) = part.strip_suffix(']') {
        if let Some(open) = rest.rfind('[') {
            let idx = &rest[open + 1..];
            if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(i) = idx.parse() {
                    return (&rest[..open], Some(i));
                }
            }
        }
    }
    (part, None)
}

const SUFFIXES: &[&str] = &["__contains", "__find", "__startswith", "__endswith", "__gte", "__gt", "__lte", "__lt"];

fn entry_matches(key: &str, expected: &Value, rec: &Value) -> bool {
    if key == "has-key" || key == "not-has-key" {
        let paths: Vec<&str> = match expected {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => return false,
        };
        let want_present = key == "has-key";
        return paths.iter().all(|p| find_value(p, rec).is_some() == want_present);
    }
    for suf in SUFFIXES {
        if let Some(path) = key.strip_suffix(suf).and_then(|p| p.strip_suffix('.')) {
            let val = find_value(path, rec);
            let val = match val {
                Some(Found::Value(v)) => v.clone(),
                Some(Found::Len(n)) => Value::from(n),
                None => return false,
            };
            return match *suf {
                "__contains" => match &val {
                    Value::Array(a) => a.iter().any(|x| py_eq(x, expected)),
                    Value::String(s) => expected.as_str().is_some_and(|e| s.contains(e)),
                    Value::Object(o) => expected.as_str().is_some_and(|e| o.contains_key(e)),
                    _ => false,
                },
                "__find" => matches!((&val, expected), (Value::String(s), Value::String(e)) if s.contains(e.as_str())),
                "__startswith" => matches!((&val, expected), (Value::String(s), Value::String(e)) if s.starts_with(e.as_str())),
                "__endswith" => matches!((&val, expected), (Value::String(s), Value::String(e)) if s.ends_with(e.as_str())),
                op => match (num(&val), num(expected)) {
                    (Some(a), Some(b)) => match op {
                        "__gt" => a > b,
                        "__gte" => a >= b,
                        "__lt" => a < b,
                        _ => a <= b,
                    },
                    _ => false,
                },
            };
        }
    }
    match find_value(key, rec) {
        None => expected.is_null(),
        Some(Found::Len(n)) => py_eq(&Value::from(n), expected),
        Some(Found::Value(v)) => py_eq(v, expected),
    }
}

/// A number that is not a boolean.
fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Python's `==` on JSON-like values: `True == 1`, `1 == 1.0`, `"1" != 1`.
fn py_eq(a: &Value, b: &Value) -> bool {
    fn as_num(v: &Value) -> Option<Value> {
        match v {
            Value::Bool(b) => Some(Value::from(*b as i64)),
            Value::Number(_) => Some(v.clone()),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w))),
        _ => match (as_num(a), as_num(b)) {
            (Some(Value::Number(x)), Some(Value::Number(y))) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64().zip(y.as_f64()).is_some_and(|(p, q)| p == q),
            },
            _ => false,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Areas

fn classify(name: &str, dir: &Path, spec: &Yaml, row: Option<&HashMap<String, String>>) -> &'static str {
    let mut words: HashSet<String> = HashSet::new();
    let mut observed: HashSet<String> = HashSet::new();
    let mut protos: HashSet<String> = HashSet::new();
    let mut keywords = String::new();
    match row {
        Some(r) => {
            let col = |c: &str| r.get(c).map(String::as_str).unwrap_or("").split(',').filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>();
            words.extend(col("event_types_checked"));
            observed.extend(col("observed_app_protos"));
            protos.extend(r.get("rule_protocols").map(String::as_str).unwrap_or("").split(',').filter(|s| !s.is_empty()).map(str::to_string));
            keywords = r.get("rule_keywords").cloned().unwrap_or_default();
        }
        None => {
            // From the test itself: checked event types and the rules' protocols.
            if let Value::Array(checks) = spec.get("checks").map(Yaml::typed).unwrap_or(Value::Null) {
                for c in checks {
                    if let Some(et) = c.pointer("/filter/match/event_type").and_then(Value::as_str) {
                        words.insert(et.to_string());
                    }
                }
            }
            for p in read_dir_sorted(dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "rules")) {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for line in text.lines() {
                    let mut it = line.split_whitespace();
                    if let (Some(_action), Some(proto)) = (it.next(), it.next()) {
                        if !line.trim_start().starts_with('#') {
                            protos.insert(proto.to_ascii_lowercase());
                        }
                    }
                }
                keywords.push_str(&text);
            }
        }
    }
    let lname = name.to_ascii_lowercase();
    if lname.contains("defrag") || keywords.contains("fragbits") || keywords.contains("fragoffset") {
        return "defrag";
    }
    let app = |p: &str| words.contains(p) || protos.contains(p);
    for (area, names) in [
        ("http", &["http", "http1", "http2"][..]),
        ("tls", &["tls"][..]),
        ("dns", &["dns"][..]),
        ("ssh", &["ssh"][..]),
        ("smtp", &["smtp"][..]),
        ("ftp", &["ftp", "ftp-data"][..]),
    ] {
        if names.iter().any(|n| app(n)) || keywords.split(',').any(|k| names.iter().any(|n| k.starts_with(&format!("{n}.")) || k.starts_with(&format!("{n}_")))) {
            return area;
        }
    }
    if lname.contains("stream") || lname.contains("tcp") || keywords.contains("stream") {
        return "stream";
    }
    let packet_protos = ["ip", "tcp", "udp", "icmp", "pkthdr", "ipv4", "ipv6", "icmpv6", "tcp-pkt", "tcp-stream"];
    let other_events = words.iter().any(|w| !matches!(w.as_str(), "alert" | "drop" | "flow" | "netflow" | "anomaly" | "stats" | "failed"));
    if !other_events && protos.iter().all(|p| packet_protos.contains(&p.as_str())) {
        return "packet-level";
    }
    // Last resort: what the pcap carries.
    for (area, p) in [("http", "http"), ("tls", "tls"), ("dns", "dns"), ("ssh", "ssh"), ("smtp", "smtp"), ("ftp", "ftp")] {
        if observed.contains(p) {
            return area;
        }
    }
    "other"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        Yaml::parse(s).unwrap().typed()
    }

    #[test]
    fn python_equality() {
        let cases: &[(&str, Value, Value, bool)] = &[
            ("int int", json!(1), json!(1), true),
            ("int float", json!(1), json!(1.0), true),
            ("true is 1", json!(true), json!(1), true),
            ("false is 0", json!(0), json!(false), true),
            ("string vs int", json!("1"), json!(1), false),
            ("null", json!(null), json!(null), true),
            ("list", json!([1, "a"]), json!([1.0, "a"]), true),
            ("obj", json!({"a": true}), json!({"a": 1}), true),
        ];
        for (name, a, b, want) in cases {
            assert_eq!(py_eq(a, b), *want, "{name}");
        }
    }

    #[test]
    fn match_entries() {
        let rec = json!({"event_type": "alert", "alert": {"signature_id": 1, "metadata": {"x": ["a", "b"]}}, "dns": {"answers": [{"rrname": "x.com"}]}, "s": "hello", "n": null, "b": true});
        let m = y("event_type: alert\nalert.signature_id: 1\ndns.answers[0].rrname: x.com\ns.__startswith: he\ns.__endswith: lo\ns.__find: ell\ns.__len: 5\nalert.metadata.x.__contains: b\nalert.metadata.x.__len: 2\nalert.signature_id.__gte: 1\nalert.signature_id.__lt: 2\nhas-key: s\nnot-has-key: [n, nope]\nb: 1\n");
        let Value::Object(m) = m else { panic!() };
        for (k, v) in &m {
            assert!(entry_matches(k, v, &rec), "{k}: {v}");
        }
        let negative = y("alert.signature_id: '1'\nnope: 1\nb.__gt: 0\ns.__gt: 1\ndns.answers[1].rrname: x.com\nhas-key: n\ns.__contains: z\nalert.signature_id.__lt: 1\n");
        let Value::Object(neg) = negative else { panic!() };
        for (k, v) in &neg {
            assert!(!entry_matches(k, v, &rec), "{k}: {v} should not match");
        }
        assert!(entry_matches("missing", &json!(null), &rec));
        assert!(entry_matches("n", &json!(null), &rec));
        assert!(entry_matches("b.__len", &json!(-1), &rec));
    }

    #[test]
    fn versions_and_requirements() {
        let d = Path::new(".");
        let cases: &[(&str, bool)] = &[
            ("min-version: 7", true),
            ("min-version: 9.0.0", true),
            ("min-version: 9.0.1", false),
            ("min-version: 10", false),
            ("lt-version: 8.0.7", false),
            ("lt-version: 10", true),
            ("gt-version: 8", true),
            ("gt-version: 9", false),
            ("version: 9", true),
            ("version: 8", false),
            ("features: [HAVE_JA3]", false),
            ("os: linux", cfg!(target_os = "linux")),
            ("something-new: 1", false),
        ];
        for (req, ok) in cases {
            assert_eq!(unmet_requirement(&Yaml::parse(req).unwrap(), d).is_none(), *ok, "{req}");
        }
    }

    fn ctx_for(tests_dir: &Path, engine: &Path, out: &Path) -> Ctx {
        Ctx { tests_dir: tests_dir.to_path_buf(), engine: engine.to_path_buf(), out_dir: out.to_path_buf(), timeout: Duration::from_secs(20), manifest: HashMap::new() }
    }

    #[test]
    fn argument_order_follows_suricata_verify() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("group/bug-1-ips");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(t.join("test.yaml"), "args:\n  - -k none --set x.y=${TEST_DIR}/a\nchecks: []\n").unwrap();
        for f in ["suricata.yaml", "input.pcap", "test.rules"] {
            std::fs::write(t.join(f), "").unwrap();
        }
        let out = root.path().join("out");
        let ctx = ctx_for(root.path(), Path::new("/bin/true"), &out);
        let spec = Yaml::parse(&std::fs::read_to_string(t.join("test.yaml")).unwrap()).unwrap();
        let plan = prepare(&ctx, "group/bug-1-ips", &t, &spec).unwrap_or_else(|e| panic!("{e}"));
        let td = t.display().to_string();
        let log = out.join("group__bug-1-ips").display().to_string();
        let want: Vec<String> = vec![
            "-k".into(), "none".into(), "--set".into(), format!("x.y={td}/a"),
            "--simulate-ips".into(), "--init-errors-fatal".into(), "-l".into(), log,
            "-c".into(), format!("{td}/suricata.yaml"), "-r".into(), format!("{td}/input.pcap"), "-S".into(), format!("{td}/test.rules"),
        ];
        assert_eq!(plan.args, want);

        // min<version>.rules: the highest one the engine meets wins; none -> --disable-detection.
        std::fs::write(t.join("min8.rules"), "").unwrap();
        std::fs::write(t.join("min99.rules"), "").unwrap();
        let plan = prepare(&ctx, "group/bug-1-ips", &t, &spec).unwrap();
        assert_eq!(plan.args.last().unwrap(), &format!("{td}/min8.rules"));
        for f in ["min8.rules", "min99.rules", "test.rules"] {
            std::fs::remove_file(t.join(f)).unwrap();
        }
        let plan = prepare(&ctx, "group/bug-1-ips", &t, &spec).unwrap();
        assert_eq!(plan.args.last().unwrap(), "--disable-detection");
        // Skips.
        let shell = Yaml::parse("checks:\n  - shell: {args: ls}\n").unwrap();
        assert!(prepare(&ctx, "group/bug-1-ips", &t, &shell).unwrap_err().contains("shell"));
        let ja3 = Yaml::parse("requires:\n  features: [HAVE_JA3]\n").unwrap();
        assert!(prepare(&ctx, "group/bug-1-ips", &t, &ja3).unwrap_err().contains("HAVE_JA3"));
    }

    #[cfg(unix)]
    #[test]
    fn end_to_end_with_a_fake_engine() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let engine = root.path().join("fake-engine");
        std::fs::write(
            &engine,
            "#!/bin/sh\nprintf '%s\\n' '{\"event_type\":\"alert\",\"alert\":{\"signature_id\":1}}' '{\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":5}}}' > \"$OUTPUT_DIR/eve.json\"\nexit ${FAKE_EXIT:-0}\n",
        )
        .unwrap();
        std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
        let tests = root.path().join("tests");
        let cases: &[(&str, &str, Status)] = &[
            ("pass", "checks:\n  - filter:\n      count: 1\n      match: {event_type: alert, alert.signature_id: 1}\n  - stats:\n      decoder.pkts: 5\n", Status::Pass),
            ("wrong-count", "checks:\n  - filter:\n      count: 2\n      match: {event_type: alert}\n", Status::Fail),
            ("wrong-type", "checks:\n  - filter:\n      count: 1\n      match: {alert.signature_id: \"1\"}\n", Status::Fail),
            ("stats-gt", "checks:\n  - stats:\n      decoder.pkts.__gt: 4\n", Status::Pass),
            ("exit-code", "env:\n  FAKE_EXIT: \"1\"\nexit-code: 1\nchecks:\n  - filter:\n      count: 0\n      match: {event_type: drop}\n", Status::Pass),
            ("bad-exit", "env:\n  FAKE_EXIT: \"3\"\nchecks: []\n", Status::Fail),
            ("check-requires", "checks:\n  - filter:\n      requires: {min-version: 10}\n      count: 5\n      match: {}\n", Status::Skip),
            ("too-new", "requires:\n  min-version: 9.1\nchecks: []\n", Status::Skip),
        ];
        for (name, yaml, _) in cases {
            let d = tests.join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("test.yaml"), yaml).unwrap();
            std::fs::write(d.join("input.pcap"), "").unwrap();
        }
        let ctx = ctx_for(&tests, &engine, &root.path().join("out"));
        for (name, _, want) in cases {
            let o = run_test(&ctx, name);
            assert_eq!(o.status, *want, "{name}: {}", o.reason);
        }
        let o = run_test(&ctx, "wrong-count");
        assert!(o.reason.contains("expected count 2, got 1"), "{}", o.reason);
    }

    #[test]
    fn index_parts() {
        assert_eq!(split_index("answers[3]"), ("answers", Some(3)));
        assert_eq!(split_index("answers"), ("answers", None));
        assert_eq!(split_index("a[x]"), ("a[x]", None));
    }
}
