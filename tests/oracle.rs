//! Differential test against Suricata's own output (the "oracle").
//!
//! For every capture under `/work/shared/pcaps/real/` (recursively) that has an oracle file
//! `/work/shared/oracle/<same relative path>.eve.json`, this test runs the built `rampart` with
//! the settings of `/work/shared/oracle/README.md` (every `*.rules` of `rules/et-open` and
//! `rules/suricata-builtin`, concatenated; `-k none --runmode single`, HOME_NET and EXTERNAL_NET
//! `any`, Suricata's classification and reference files), then compares the alerts of both
//! `eve.json` files as multisets of `(gid, sid, src_ip, src_port, dest_ip, dest_port, proto)`.
//!
//! Only **packet-level** rules are compared (see [`classify_rule`]): rules whose header
//! protocol is a packet protocol and that use no app-layer keyword. App-layer detection is
//! measured elsewhere once the app-layer parsers exist.
//!
//! Output: a per-capture table on stdout (oracle count, ours, matched, missing, extra), an
//! overall match rate, and the details in `target/oracle-report.json`.
//!
//! The test fails when
//! - `/work/shared` (or `$RAMPART_SHARED_DIR`) is absent: it never passes silently;
//! - the engine crashes, times out or exits non-zero on any capture;
//! - the engine writes a line of `eve.json` that is not JSON;
//! - the overall match rate is below the number in `tests/oracle-threshold.txt`.
//!
//! Match rate = matched / (oracle + ours - matched) over all captures (a Jaccard index of the
//! two multisets): missing and extra alerts both lower it; 1.0 means identical alerts.
//!
//! Environment knobs: `RAMPART_SHARED_DIR` (default `/work/shared`), `ORACLE_ONLY` (run only
//! captures whose relative path contains this substring), `ORACLE_TIMEOUT_SECS` (per capture,
//! default 900).

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// =============================================================================================
// Rule classifier

/// Header protocols whose rules are evaluated per packet (no app-layer parser involved).
/// Suricata also accepts `tcp-pkt`/`tcp-stream`, address-family and other L3/L4 names here.
const PACKET_PROTOCOLS: &[&str] = &[
    "ip",
    "ipv4",
    "ip4",
    "ipv6",
    "ip6",
    "tcp",
    "tcp-pkt",
    "tcp-stream",
    "udp",
    "icmp",
    "icmpv4",
    "icmpv6",
    "sctp",
    "igmp",
    "pkthdr",
];

/// Dotted keyword prefixes that name packet buffers, not app-layer ones (`tcp.hdr`,
/// `ipv4.hdr`, `tcp.mss`, `tcp.flags`, `icmpv6.mtu`, ...).
const PACKET_DOTTED_PREFIXES: &[&str] = &[
    "ip.", "ipv4.", "ipv6.", "tcp.", "udp.", "icmpv4.", "icmpv6.", "pkt.",
];

/// Option-name prefixes that need an app-layer parser (legacy content modifiers and
/// underscore-spelled sticky buffers; dotted names are handled separately).
const APP_LAYER_PREFIXES: &[&str] = &[
    "http_",
    "uricontent",
    "urilen",
    "file_data",
    "file",
    "ssl_",
    "tls_",
    "tls",
    "ja3",
    "ja4",
    "dns_",
    "app-layer-",
    "ssh_",
    "smb_",
    "krb5_",
    "dce_",
    "dcerpc",
    "dnp3_",
    "modbus",
    "enip_",
    "cip_",
    "ftpbounce",
    "ftpdata_",
    "nfs_",
    "sip_",
    "snmp_",
    "rfb_",
    "mqtt_",
    "ike_",
    "quic_",
    "http2_",
    "ldap_",
    "websocket",
    "frame",
    "template",
    "lua",
];

/// What the classifier learnt about one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleClass {
    /// `gid` option, 1 when absent.
    pub gid: u32,
    /// `sid` option.
    pub sid: u32,
    /// Header protocol, lowercased.
    pub proto: String,
    /// Whether the rule is packet-level (compared by this test).
    pub packet_level: bool,
    /// Why it is not packet-level (first reason found), for the report.
    pub reason: Option<String>,
}

/// Splits a rule's option block on `;` the way Suricata does: a `;` ends an option unless it
/// is escaped with a backslash. Quotes do not protect a `;` (Suricata rejects `msg:"a;b"`),
/// and an unescaped quote inside a pcre (`pcre:"/^["']?x/"`) is legal.
fn split_options(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut escaped) = (0, false);
    for (i, ch) in body.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            ';' => {
                out.push(body[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let tail = body[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out.retain(|o| !o.is_empty());
    out
}

/// Whether option `name` (lowercased) needs an app-layer parser.
fn is_app_layer_option(name: &str) -> bool {
    if name.contains('.') {
        return !PACKET_DOTTED_PREFIXES.iter().any(|p| name.starts_with(p));
    }
    APP_LAYER_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Classifies one line of a rules file. Returns `None` for blank lines, comments (including
/// commented-out rules, which Suricata does not load) and lines that are not a rule.
pub fn classify_rule(line: &str) -> Option<RuleClass> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    if close <= open {
        return None;
    }
    let mut header = line[..open].split_whitespace();
    let _action = header.next()?;
    let proto = header.next()?.to_ascii_lowercase();
    let (mut gid, mut sid) = (1u32, None);
    let mut reason = None;
    if !PACKET_PROTOCOLS.contains(&proto.as_str()) {
        reason = Some(format!("app-layer protocol `{proto}` in header"));
    }
    for opt in split_options(&line[open + 1..close]) {
        let (name, value) = match opt.split_once(':') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), v.trim()),
            None => (opt.trim().to_ascii_lowercase(), ""),
        };
        match name.as_str() {
            "sid" => sid = value.parse().ok(),
            "gid" => gid = value.parse().unwrap_or(gid),
            _ => {}
        }
        if reason.is_none() && is_app_layer_option(&name) {
            reason = Some(format!("app-layer keyword `{name}`"));
        }
    }
    Some(RuleClass {
        gid,
        sid: sid?,
        proto,
        packet_level: reason.is_none(),
        reason,
    })
}

/// Classifies every rule in `text`; keyed by (gid, sid). A later duplicate wins, as it would
/// fail to load in Suricata anyway.
fn classify_rules(text: &str) -> BTreeMap<(u32, u32), RuleClass> {
    text.lines()
        .filter_map(classify_rule)
        .map(|c| ((c.gid, c.sid), c))
        .collect()
}

// =============================================================================================
// Alerts as multisets

/// The identity of one alert, as compared between engines.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AlertKey {
    /// Generator id.
    pub gid: u32,
    /// Signature id.
    pub sid: u32,
    /// Source address, normalised (IPv6 compressed).
    pub src_ip: String,
    /// Source port; absent for ICMP and port-less protocols.
    pub src_port: Option<u16>,
    /// Destination address, normalised.
    pub dest_ip: String,
    /// Destination port.
    pub dest_port: Option<u16>,
    /// EVE `proto` (`TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, ...), uppercased.
    pub proto: String,
}

impl AlertKey {
    fn to_json(&self, count: usize) -> Value {
        json!({
            "gid": self.gid, "sid": self.sid,
            "src_ip": self.src_ip, "src_port": self.src_port,
            "dest_ip": self.dest_ip, "dest_port": self.dest_port,
            "proto": self.proto, "count": count,
        })
    }
}

/// A multiset of alerts.
pub type AlertBag = BTreeMap<AlertKey, usize>;

/// Normalises an address so that `2001:0db8::0001` and `2001:db8::1` compare equal.
fn normalise_ip(s: &str) -> String {
    s.parse::<IpAddr>()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// Extracts the alert key from one EVE event, `None` when it is not an alert.
pub fn alert_key(ev: &Value) -> Option<AlertKey> {
    if ev.get("event_type")?.as_str()? != "alert" {
        return None;
    }
    let alert = ev.get("alert")?;
    let port = |k: &str| {
        ev.get(k)
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok())
    };
    let text = |k: &str| ev.get(k).and_then(Value::as_str).unwrap_or("");
    Some(AlertKey {
        gid: alert
            .get("gid")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(1),
        sid: u32::try_from(alert.get("signature_id")?.as_u64()?).ok()?,
        src_ip: normalise_ip(text("src_ip")),
        src_port: port("src_port"),
        dest_ip: normalise_ip(text("dest_ip")),
        dest_port: port("dest_port"),
        proto: text("proto").to_ascii_uppercase(),
    })
}

/// Parses an `eve.json` text into its alerts. Errors name the first line that is not JSON.
pub fn parse_eve_alerts(text: &str) -> Result<Vec<AlertKey>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let ev: Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: not JSON: {e}", i + 1))?;
        out.extend(alert_key(&ev));
    }
    Ok(out)
}

/// Result of comparing two alert multisets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Alerts in the oracle.
    pub oracle: usize,
    /// Alerts we produced.
    pub ours: usize,
    /// Alerts present in both (per key, the smaller count).
    pub matched: usize,
    /// Oracle alerts we did not produce, with multiplicity.
    pub missing: AlertBag,
    /// Alerts we produced that the oracle did not, with multiplicity.
    pub extra: AlertBag,
}

impl Comparison {
    fn missing_total(&self) -> usize {
        self.missing.values().sum()
    }
    fn extra_total(&self) -> usize {
        self.extra.values().sum()
    }
}

/// Builds a multiset from a list of alerts.
pub fn bag<I: IntoIterator<Item = AlertKey>>(alerts: I) -> AlertBag {
    let mut b = AlertBag::new();
    for a in alerts {
        *b.entry(a).or_default() += 1;
    }
    b
}

/// Compares two alert multisets.
pub fn compare(oracle: &AlertBag, ours: &AlertBag) -> Comparison {
    let mut c = Comparison {
        oracle: oracle.values().sum(),
        ours: ours.values().sum(),
        ..Comparison::default()
    };
    let keys: BTreeSet<&AlertKey> = oracle.keys().chain(ours.keys()).collect();
    for k in keys {
        let o = oracle.get(k).copied().unwrap_or(0);
        let u = ours.get(k).copied().unwrap_or(0);
        c.matched += o.min(u);
        if o > u {
            c.missing.insert(k.clone(), o - u);
        }
        if u > o {
            c.extra.insert(k.clone(), u - o);
        }
    }
    c
}

/// Jaccard match rate of a set of comparisons: matched / (oracle + ours - matched); 1.0 when
/// both sides are empty.
pub fn match_rate(matched: usize, oracle: usize, ours: usize) -> f64 {
    let union = oracle + ours - matched;
    if union == 0 {
        1.0
    } else {
        matched as f64 / union as f64
    }
}

/// Splits alerts into those of packet-level rules and those of app-layer rules. Returns
/// (packet-level, app-layer, number of alerts of rules not in the rule files).
fn restrict(
    alerts: Vec<AlertKey>,
    rules: &BTreeMap<(u32, u32), RuleClass>,
) -> (Vec<AlertKey>, Vec<AlertKey>, usize) {
    let (mut kept, mut app, mut unknown) = (Vec::new(), Vec::new(), 0);
    for a in alerts {
        match rules.get(&(a.gid, a.sid)) {
            Some(c) if c.packet_level => kept.push(a),
            Some(_) => app.push(a),
            None => unknown += 1,
        }
    }
    (kept, app, unknown)
}

// =============================================================================================
// The differential run

fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var("RAMPART_SHARED_DIR").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").into()),
    );
    assert!(
        dir.is_dir(),
        "ORACLE TEST CANNOT RUN: shared reference data directory {} is absent \
         (set RAMPART_SHARED_DIR to its location); this test never passes without it",
        dir.display()
    );
    dir
}

/// Every file under `dir`, recursively, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
        for e in entries {
            let p = e
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()))
                .path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Concatenates every `*.rules` of `dirs` (sorted by name) into `dest`; returns the text.
fn concat_rules(dirs: &[PathBuf], dest: &Path) -> String {
    let mut all = String::new();
    for d in dirs {
        let mut files: Vec<PathBuf> = fs::read_dir(d)
            .unwrap_or_else(|e| panic!("cannot list rule dir {}: {e}", d.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rules"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no *.rules in {}", d.display());
        for f in files {
            let text = fs::read_to_string(&f)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()));
            all.push_str(&text);
            if !all.ends_with('\n') {
                all.push('\n');
            }
        }
    }
    fs::write(dest, &all).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
    all
}

fn read_threshold() -> f64 {
    read_threshold_file("tests/oracle-threshold.txt")
}

fn read_threshold_file(rel: &str) -> f64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or_else(|| panic!("{} holds no threshold", path.display()));
    let t: f64 = line
        .parse()
        .unwrap_or_else(|e| panic!("{}: bad threshold {line:?}: {e}", path.display()));
    assert!((0.0..=1.0).contains(&t), "threshold {t} outside 0..=1");
    t
}

/// Outcome of running the engine on one capture.
struct Run {
    status: String,
    ok: bool,
    seconds: f64,
    stderr_tail: String,
}

fn run_engine(
    capture: &Path,
    rules: &Path,
    logdir: &Path,
    shared: &Path,
    timeout: Duration,
) -> Run {
    let builtin = shared.join("rules/suricata-builtin");
    let started = Instant::now();
    let stderr_path = logdir.join("engine.stderr");
    let stderr_file = fs::File::create(&stderr_path).expect("create stderr file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("-r")
        .arg(capture)
        .arg("-S")
        .arg(rules)
        .arg("-l")
        .arg(logdir)
        .args(["-k", "none", "--runmode", "single"])
        .args(["--set", "vars.address-groups.HOME_NET=any"])
        .args(["--set", "vars.address-groups.EXTERNAL_NET=any"])
        .args(["--set", "stream.reassembly.memcap=2gb"])
        .arg("--set")
        .arg(format!(
            "classification-file={}",
            builtin.join("classification.config").display()
        ))
        .arg("--set")
        .arg(format!(
            "reference-config-file={}",
            builtin.join("reference.config").display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr_file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rampart: {e}"));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => break Err(format!("wait failed: {e}")),
        }
    };
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    let tail: String = stderr
        .lines()
        .rev()
        .take(15)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    let (status, ok) = match status {
        Ok(s) if s.success() => ("exit 0".to_string(), true),
        Ok(s) => (format!("{s}"), false),
        Err(e) => (e, false),
    };
    Run {
        status,
        ok,
        seconds: started.elapsed().as_secs_f64(),
        stderr_tail: tail,
    }
}

#[test]
fn oracle_differential() {
    let shared = shared_dir();
    let pcap_root = shared.join("pcaps/real");
    let oracle_root = shared.join("oracle");
    assert!(pcap_root.is_dir(), "{} is absent", pcap_root.display());
    assert!(oracle_root.is_dir(), "{} is absent", oracle_root.display());

    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).expect("create work dir");
    let rules_path = work.join("ALL.rules");
    let rules_text = concat_rules(
        &[
            shared.join("rules/et-open"),
            shared.join("rules/suricata-builtin"),
        ],
        &rules_path,
    );
    let classes = classify_rules(&rules_text);
    let packet_rules = classes.values().filter(|c| c.packet_level).count();
    println!(
        "oracle: {} rules classified, {} packet-level",
        classes.len(),
        packet_rules
    );

    let only = std::env::var("ORACLE_ONLY").ok();
    let timeout = Duration::from_secs(
        std::env::var("ORACLE_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(900),
    );

    println!(
        "{:<62} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "capture", "oracle", "ours", "matched", "missing", "extra"
    );
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let (mut t_oracle, mut t_ours, mut t_matched) = (0usize, 0usize, 0usize);
    let (mut a_oracle, mut a_ours, mut a_matched) = (0usize, 0usize, 0usize);
    let mut captures = 0usize;
    for capture in walk(&pcap_root) {
        let rel = capture
            .strip_prefix(&pcap_root)
            .expect("under root")
            .to_path_buf();
        let rel_s = rel.to_string_lossy().to_string();
        let oracle_file = oracle_root.join(format!("{rel_s}.eve.json"));
        if !oracle_file.is_file() {
            continue; // e.g. INDEX.md, or a capture without an oracle
        }
        if only.as_deref().is_some_and(|o| !rel_s.contains(o)) {
            continue;
        }
        captures += 1;
        let oracle_text = fs::read_to_string(&oracle_file)
            .unwrap_or_else(|e| panic!("{}: {e}", oracle_file.display()));
        let oracle_all = parse_eve_alerts(&oracle_text)
            .unwrap_or_else(|e| panic!("oracle {} is corrupt: {e}", oracle_file.display()));
        let oracle_total = oracle_all.len();
        let (oracle_pl, oracle_app, oracle_unknown) = restrict(oracle_all, &classes);

        let logdir = work.join("runs").join(&rel);
        fs::create_dir_all(&logdir).expect("create log dir");
        let run = run_engine(&capture, &rules_path, &logdir, &shared, timeout);
        if !run.ok {
            failures.push(format!(
                "{rel_s}: engine {} \n{}",
                run.status, run.stderr_tail
            ));
        }
        let eve_path = logdir.join("eve.json");
        let eve_missing = !eve_path.is_file();
        let ours_all = if eve_missing {
            Vec::new()
        } else {
            let text = fs::read_to_string(&eve_path)
                .unwrap_or_else(|e| panic!("{}: {e}", eve_path.display()));
            parse_eve_alerts(&text).unwrap_or_else(|e| {
                failures.push(format!("{rel_s}: our eve.json is invalid: {e}"));
                Vec::new()
            })
        };
        let (ours_pl, ours_app, ours_unknown) = restrict(ours_all, &classes);
        let app_cmp = compare(&bag(oracle_app), &bag(ours_app));
        a_oracle += app_cmp.oracle;
        a_ours += app_cmp.ours;
        a_matched += app_cmp.matched;
        let (oracle_app, ours_app) = (app_cmp.oracle, app_cmp.ours);
        let cmp = compare(&bag(oracle_pl), &bag(ours_pl));
        t_oracle += cmp.oracle;
        t_ours += cmp.ours;
        t_matched += cmp.matched;
        println!(
            "{:<62} {:>7} {:>7} {:>7} {:>7} {:>7}{}",
            rel_s,
            cmp.oracle,
            cmp.ours,
            cmp.matched,
            cmp.missing_total(),
            cmp.extra_total(),
            if eve_missing {
                "  (no eve.json written)"
            } else {
                ""
            }
        );
        rows.push(json!({
            "capture": rel_s,
            "engine_status": run.status,
            "engine_seconds": run.seconds,
            "eve_missing": eve_missing,
            "oracle_alerts_all_rules": oracle_total,
            "oracle_alerts_app_layer_rules": oracle_app,
            "oracle_alerts_unknown_rules": oracle_unknown,
            "our_alerts_app_layer_rules": ours_app,
            "our_alerts_unknown_rules": ours_unknown,
            "oracle": cmp.oracle,
            "ours": cmp.ours,
            "matched": cmp.matched,
            "missing": cmp.missing_total(),
            "extra": cmp.extra_total(),
            "match_rate": match_rate(cmp.matched, cmp.oracle, cmp.ours),
            "app_layer_matched": app_cmp.matched,
            "app_layer_missing_detail": app_cmp.missing.iter().map(|(k, n)| k.to_json(*n)).collect::<Vec<_>>(),
            "app_layer_extra_detail": app_cmp.extra.iter().map(|(k, n)| k.to_json(*n)).collect::<Vec<_>>(),
            "missing_detail": cmp.missing.iter().map(|(k, n)| k.to_json(*n)).collect::<Vec<_>>(),
            "extra_detail": cmp.extra.iter().map(|(k, n)| k.to_json(*n)).collect::<Vec<_>>(),
        }));
    }
    assert!(
        captures > 0,
        "no capture under {} has an oracle file",
        pcap_root.display()
    );

    let rate = match_rate(t_matched, t_oracle, t_ours);
    let threshold = read_threshold();
    let app_rate = match_rate(a_matched, a_oracle, a_ours);
    let app_threshold = read_threshold_file("tests/oracle-app-threshold.txt");
    println!("app-layer rules: oracle {a_oracle}, ours {a_ours}, matched {a_matched}: match rate {app_rate:.4} (threshold {app_threshold})");
    println!(
        "{:<62} {:>7} {:>7} {:>7} {:>7} {:>7}\nmatch rate {rate:.4} (threshold {threshold})",
        format!("TOTAL ({captures} captures)"),
        t_oracle,
        t_ours,
        t_matched,
        t_oracle - t_matched,
        t_ours - t_matched,
    );
    let report = json!({
        "captures": rows,
        "rules_classified": classes.len(),
        "packet_level_rules": packet_rules,
        "total": { "oracle": t_oracle, "ours": t_ours, "matched": t_matched,
                   "missing": t_oracle - t_matched, "extra": t_ours - t_matched },
        "match_rate": rate,
        "threshold": threshold,
        "app_layer": { "oracle": a_oracle, "ours": a_ours, "matched": a_matched, "match_rate": app_rate, "threshold": app_threshold },
        "engine_failures": failures,
    });
    let report_path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("oracle-report.json");
    let mut f =
        fs::File::create(&report_path).unwrap_or_else(|e| panic!("{}: {e}", report_path.display()));
    f.write_all(
        serde_json::to_string_pretty(&report)
            .expect("serialise")
            .as_bytes(),
    )
    .expect("write report");
    println!("report: {}", report_path.display());

    assert!(
        failures.is_empty(),
        "engine failed on {} capture(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        rate >= threshold,
        "oracle match rate {rate:.4} is below the threshold {threshold}"
    );
    assert!(
        app_rate >= app_threshold,
        "app-layer rules: oracle match rate {app_rate:.4} is below the threshold {app_threshold}"
    );
}

// =============================================================================================
// Unit tests of the harness itself

#[test]
fn classifier_table() {
    struct Case {
        name: &'static str,
        rule: &'static str,
        want: Option<(u32, u32, bool)>,
    }
    let cases = [
        Case { name: "blank", rule: "   ", want: None },
        Case { name: "comment", rule: "# just a comment", want: None },
        Case {
            name: "commented-out rule is not loaded",
            rule: "#alert tcp any any -> any any (msg:\"x\"; sid:1;)",
            want: None,
        },
        Case {
            name: "plain tcp content",
            rule: "alert tcp any any -> any any (msg:\"a\"; flow:established,to_server; content:\"abc\"; sid:10; rev:1;)",
            want: Some((1, 10, true)),
        },
        Case { name: "http in header", rule: "alert http any any -> any any (msg:\"a\"; sid:11;)", want: Some((1, 11, false)) },
        Case {
            name: "dotted sticky buffer",
            rule: "alert tcp any any -> any any (msg:\"a\"; http.uri; content:\"/x\"; sid:12;)",
            want: Some((1, 12, false)),
        },
        Case {
            name: "legacy http modifier",
            rule: "alert tcp any any -> any 80 (msg:\"a\"; content:\"GET\"; http_method; sid:13;)",
            want: Some((1, 13, false)),
        },
        Case {
            name: "uricontent",
            rule: "alert tcp any any -> any 80 (msg:\"a\"; uricontent:\"/x\"; sid:14;)",
            want: Some((1, 14, false)),
        },
        Case { name: "file_data", rule: "alert tcp any any -> any any (file_data; content:\"MZ\"; sid:15;)", want: Some((1, 15, false)) },
        Case {
            name: "app-layer-event",
            rule: "alert tcp any any -> any any (msg:\"a\"; app-layer-event:applayer_mismatch_protocol_both_directions; sid:16;)",
            want: Some((1, 16, false)),
        },
        Case {
            name: "app-layer-protocol",
            rule: "alert ip any any -> any any (app-layer-protocol:tls; sid:17;)",
            want: Some((1, 17, false)),
        },
        Case { name: "ja3 hash", rule: "alert tls any any -> any any (ja3_hash; content:\"x\"; sid:18;)", want: Some((1, 18, false)) },
        Case {
            name: "dns_query on udp",
            rule: "alert udp any any -> any 53 (dns_query; content:\"x\"; sid:19;)",
            want: Some((1, 19, false)),
        },
        Case {
            name: "decoder event on pkthdr with gid",
            rule: "alert pkthdr any any -> any any (msg:\"SURICATA IPv4 packet too small\"; decode-event:ipv4.pkt_too_small; classtype:protocol-command-decode; sid:2200000; rev:2;)",
            want: Some((1, 2200000, true)),
        },
        Case { name: "explicit gid", rule: "alert ip any any -> any any (gid:3; sid:20;)", want: Some((3, 20, true)) },
        Case {
            name: "flow only_stream is packet-level",
            rule: "alert tcp any any -> any any (flow:established,only_stream; content:\"x\"; sid:21;)",
            want: Some((1, 21, true)),
        },
        Case { name: "tcp.hdr is a packet buffer", rule: "alert tcp any any -> any any (tcp.hdr; content:\"x\"; sid:22;)", want: Some((1, 22, true)) },
        Case {
            name: "escaped semicolon does not split",
            rule: r#"alert tcp any any -> any any (msg:"a\; http.uri\; b"; content:"x|3b|"; sid:23;)"#,
            want: Some((1, 23, true)),
        },
        Case {
            name: "unescaped quote inside pcre (ET sid 2029732 style)",
            rule: r#"alert tcp any any -> any any (content:"method="; pcre:"/^["']?post/Ri"; sid:24;)"#,
            want: Some((1, 24, true)),
        },
        Case { name: "icmp itype", rule: "alert icmp any any -> any any (itype:8; sid:25;)", want: Some((1, 25, true)) },
        Case { name: "tcp-pkt protocol", rule: "alert tcp-pkt any any -> any any (content:\"x\"; sid:26;)", want: Some((1, 26, true)) },
        Case { name: "tls in header", rule: "alert tls any any -> any any (tls.sni; content:\"x\"; sid:27;)", want: Some((1, 27, false)) },
        Case { name: "no sid", rule: "alert tcp any any -> any any (msg:\"a\";)", want: None },
        Case { name: "no options", rule: "alert tcp any any -> any any", want: None },
        Case { name: "uppercase protocol", rule: "alert TCP any any -> any any (sid:28;)", want: Some((1, 28, true)) },
        Case { name: "drop action", rule: "drop udp any any -> any any (content:\"x\"; sid:29;)", want: Some((1, 29, true)) },
        Case {
            name: "file.name sticky buffer",
            rule: "alert smb any any -> any any (file.name; content:\"x\"; sid:30;)",
            want: Some((1, 30, false)),
        },
        Case { name: "urilen", rule: "alert tcp any any -> any any (urilen:>10; sid:31;)", want: Some((1, 31, false)) },
        Case {
            name: "stream-event stays packet-level",
            rule: "alert tcp any any -> any any (stream-event:3whs_ack_in_wrong_dir; sid:2210000;)",
            want: Some((1, 2210000, true)),
        },
    ];
    for c in cases {
        let got = classify_rule(c.rule).map(|r| (r.gid, r.sid, r.packet_level));
        assert_eq!(got, c.want, "case {:?}", c.name);
    }
}

#[test]
fn classifier_reason_names_the_keyword() {
    let r = classify_rule("alert tcp any any -> any any (http.host; content:\"x\"; sid:1;)")
        .expect("rule");
    assert_eq!(r.reason.as_deref(), Some("app-layer keyword `http.host`"));
    let r = classify_rule("alert dns any any -> any any (sid:2;)").expect("rule");
    assert_eq!(
        r.reason.as_deref(),
        Some("app-layer protocol `dns` in header")
    );
}

fn key(sid: u32, src: &str, sport: Option<u16>) -> AlertKey {
    AlertKey {
        gid: 1,
        sid,
        src_ip: normalise_ip(src),
        src_port: sport,
        dest_ip: "10.0.0.2".into(),
        dest_port: sport.map(|_| 80),
        proto: "TCP".into(),
    }
}

#[test]
fn multiset_compare_table() {
    let a = || key(1, "10.0.0.1", Some(1234));
    let b = || key(2, "10.0.0.1", Some(1234));
    let c = || key(1, "10.0.0.9", Some(1234));
    struct Case {
        name: &'static str,
        oracle: Vec<AlertKey>,
        ours: Vec<AlertKey>,
        want: (usize, usize, usize, usize, usize), // oracle, ours, matched, missing, extra
    }
    let cases = vec![
        Case {
            name: "both empty",
            oracle: vec![],
            ours: vec![],
            want: (0, 0, 0, 0, 0),
        },
        Case {
            name: "identical",
            oracle: vec![a(), b()],
            ours: vec![b(), a()],
            want: (2, 2, 2, 0, 0),
        },
        Case {
            name: "we miss all",
            oracle: vec![a(), a()],
            ours: vec![],
            want: (2, 0, 0, 2, 0),
        },
        Case {
            name: "we add extra",
            oracle: vec![],
            ours: vec![a()],
            want: (0, 1, 0, 0, 1),
        },
        Case {
            name: "multiplicity counts",
            oracle: vec![a(), a(), a()],
            ours: vec![a()],
            want: (3, 1, 1, 2, 0),
        },
        Case {
            name: "too many of one key",
            oracle: vec![a()],
            ours: vec![a(), a()],
            want: (1, 2, 1, 0, 1),
        },
        Case {
            name: "different tuple is not a match",
            oracle: vec![a()],
            ours: vec![c()],
            want: (1, 1, 0, 1, 1),
        },
        Case {
            name: "mixed",
            oracle: vec![a(), a(), b()],
            ours: vec![a(), c(), c()],
            want: (3, 3, 1, 2, 2),
        },
    ];
    for c in cases {
        let r = compare(&bag(c.oracle), &bag(c.ours));
        assert_eq!(
            (
                r.oracle,
                r.ours,
                r.matched,
                r.missing_total(),
                r.extra_total()
            ),
            c.want,
            "case {:?}",
            c.name
        );
    }
    let r = compare(&bag(vec![a(), a(), b()]), &bag(vec![a(), c()]));
    assert_eq!(r.missing.get(&a()), Some(&1));
    assert_eq!(r.missing.get(&b()), Some(&1));
    assert_eq!(r.extra.get(&c()), Some(&1));
}

#[test]
fn match_rate_is_jaccard() {
    assert_eq!(match_rate(0, 0, 0), 1.0);
    assert_eq!(match_rate(0, 5, 0), 0.0);
    assert_eq!(match_rate(5, 5, 5), 1.0);
    assert!((match_rate(2, 4, 2) - 0.5).abs() < 1e-12);
    assert!((match_rate(2, 2, 4) - 0.5).abs() < 1e-12);
    assert!((match_rate(1, 3, 3) - 0.2).abs() < 1e-12);
}

#[test]
fn eve_alert_parsing() {
    let text = concat!(
        r#"{"event_type":"flow","src_ip":"1.2.3.4"}"#,
        "\n",
        r#"{"event_type":"alert","src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","alert":{"gid":1,"signature_id":7,"rev":1}}"#,
        "\n\n",
        r#"{"event_type":"alert","src_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","dest_ip":"2001:db8::2","proto":"IPv6-ICMP","icmp_type":128,"alert":{"signature_id":8}}"#,
        "\n",
    );
    let alerts = parse_eve_alerts(text).expect("valid");
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0], key(7, "10.0.0.1", Some(1234)));
    assert_eq!(alerts[1].gid, 1, "gid defaults to 1");
    assert_eq!(alerts[1].src_ip, "2001:db8::1", "IPv6 normalised");
    assert_eq!(alerts[1].src_port, None);
    assert_eq!(alerts[1].proto, "IPV6-ICMP");
    let err = parse_eve_alerts("{\"event_type\":\"alert\"}\nnot json\n").expect_err("bad line");
    assert!(err.starts_with("line 2:"), "{err}");
}

#[test]
fn restrict_drops_app_layer_and_unknown_rules() {
    let rules = classify_rules(
        "alert tcp any any -> any any (content:\"x\"; sid:1;)\nalert http any any -> any any (sid:2;)\n",
    );
    let (kept, app, unknown) = restrict(
        vec![
            key(1, "10.0.0.1", None),
            key(2, "10.0.0.1", None),
            key(3, "10.0.0.1", None),
        ],
        &rules,
    );
    assert_eq!((kept.len(), app.len(), unknown), (1, 1, 1));
}

/// The classifier reads the real rule set the oracle used: every enabled ET Open rule is found
/// (Suricata loaded 25,803) and a sane share of them is packet-level.
#[test]
fn classifier_reads_the_real_ruleset() {
    let shared = shared_dir();
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = concat_rules(
        &[shared.join("rules/et-open")],
        &tmp.path().join("et.rules"),
    );
    let classes = classify_rules(&text);
    assert_eq!(
        classes.len(),
        25_803,
        "ET Open rule count (oracle README says 25,803 loaded)"
    );
    let packet = classes.values().filter(|c| c.packet_level).count();
    assert!(
        (1_000..10_000).contains(&packet),
        "{packet} packet-level ET rules"
    );
    let builtin = concat_rules(
        &[shared.join("rules/suricata-builtin")],
        &tmp.path().join("b.rules"),
    );
    let b = classify_rules(&builtin);
    let decoder = b
        .values()
        .filter(|c| (2_200_000..2_210_000).contains(&c.sid))
        .collect::<Vec<_>>();
    assert!(
        !decoder.is_empty() && decoder.iter().all(|c| c.packet_level),
        "decoder events are packet-level"
    );
}
