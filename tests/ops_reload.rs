//! Hot rule reload under load (issue 6, part 3), the control socket and the metrics
//! endpoint, end to end: `rampart -r FIFO` reads a pcap that this test keeps writing into a
//! named pipe (UDP packets stamped with the wall clock), while the test changes the rules 20
//! times (file edits, every other one followed by SIGUSR2), fires a storm of 100 edits, then
//! edits a rule file into garbage.
//!
//! Asserted: every packet written is processed (final `stats` `decoder.pkts`); after each
//! change the new rule alerts on packets written within a second of the change and the old
//! one never alerts on packets written later than a second after it; a flowbit set before
//! the reloads is still seen after them; the storm gives at most two rebuilds; the garbage
//! file's errors name file and line and the engine keeps running; the control socket
//! survives garbage and disconnects; the metrics endpoint counts packets.

use rampart::control::send_command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Number of rule changes (file edits; odd ones also send SIGUSR2).
const CHANGES: u32 = 20;
/// Time between two changes.
const SPACING: Duration = Duration::from_millis(1200);
/// Packets per second the writer aims at.
const PPS: u64 = 400;

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_micros() as u64
}

/// One Ethernet/IPv4/UDP frame.
fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(64 + payload.len());
    etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]).ipv4([10, 9, 0, 1], [10, 9, 0, 2], 64).udp(sport, dport).write(&mut v, payload).expect("build");
    v
}

fn pcap_record(ts_us: u64, frame: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(16 + frame.len());
    r.extend_from_slice(&((ts_us / 1_000_000) as u32).to_le_bytes());
    r.extend_from_slice(&((ts_us % 1_000_000) as u32).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(frame);
    r
}

fn switch_rule(version: u32) -> String {
    format!("alert udp any any -> any any (msg:\"switch v{version}\"; content:\"TICK\"; sid:{}; rev:1;)\n", 1000 + version)
}

const BASE_RULES: &str = "\
alert udp any any -> any any (msg:\"mark flow\"; content:\"SETBIT\"; flowbits:set,ops.marked; flowbits:noalert; sid:1; rev:1;)
alert udp any any -> any any (msg:\"marked flow seen again\"; content:\"CHECKBIT\"; flowbits:isset,ops.marked; sid:2; rev:1;)
";

fn wait_for(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn scrape(port: u16) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect metrics");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    let mut r = String::new();
    s.read_to_string(&mut r).expect("read");
    r
}

fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

fn reloads(sock: &Path) -> u64 {
    let v = send_command(sock, "ruleset-stats", None, Duration::from_secs(30)).expect("ruleset-stats");
    v["message"][0]["reloads"].as_u64().expect("reloads")
}

/// Writes packets into the FIFO until `stop`; returns the number written.
struct Writer {
    written: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    /// Flowbit flow packets to send next (payloads), taken by the writer thread.
    inject: Arc<std::sync::Mutex<Vec<&'static [u8]>>>,
    handle: Option<std::thread::JoinHandle<u64>>,
}

impl Writer {
    fn start(fifo: PathBuf) -> Writer {
        let written = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let inject: Arc<std::sync::Mutex<Vec<&'static [u8]>>> = Arc::new(std::sync::Mutex::new(vec![b"SETBIT"]));
        let (w, s, inj) = (Arc::clone(&written), Arc::clone(&stop), Arc::clone(&inject));
        let handle = std::thread::spawn(move || {
            let mut f = File::create(&fifo).expect("open fifo for writing");
            let mut hdr = Vec::new();
            hdr.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
            hdr.extend_from_slice(&2u16.to_le_bytes());
            hdr.extend_from_slice(&4u16.to_le_bytes());
            hdr.extend_from_slice(&0i32.to_le_bytes());
            hdr.extend_from_slice(&0u32.to_le_bytes());
            hdr.extend_from_slice(&65535u32.to_le_bytes());
            hdr.extend_from_slice(&1u32.to_le_bytes());
            f.write_all(&hdr).expect("pcap header");
            let mut n: u64 = 0;
            let mut last_keep = Instant::now();
            let period = Duration::from_micros(1_000_000 / PPS);
            let mut next = Instant::now();
            while !s.load(Ordering::Relaxed) {
                let extra: Vec<&'static [u8]> = std::mem::take(&mut *inj.lock().expect("lock"));
                for p in extra {
                    f.write_all(&pcap_record(now_us(), &udp(5555, 53, p))).expect("write");
                    n += 1;
                }
                if last_keep.elapsed() >= Duration::from_secs(1) {
                    // Keeps the flowbit flow alive across the run.
                    f.write_all(&pcap_record(now_us(), &udp(5555, 53, b"KEEPALIVE"))).expect("write");
                    n += 1;
                    last_keep = Instant::now();
                }
                let sport = 20000 + (n % 64) as u16;
                let payload = format!("TICK {n}");
                f.write_all(&pcap_record(now_us(), &udp(sport, 9999, payload.as_bytes()))).expect("write");
                n += 1;
                w.store(n, Ordering::Relaxed);
                next += period;
                if let Some(d) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(d);
                }
            }
            w.store(n, Ordering::Relaxed);
            n
        });
        Writer { written, stop, inject, handle: Some(handle) }
    }

    fn finish(&mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().expect("handle").join().expect("writer")
    }
}

#[test]
fn reload_under_load_from_a_fifo() {
    let dir = tempfile::tempdir().expect("tmp");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(rules.join("base.rules"), BASE_RULES).expect("write");
    let switch = rules.join("switch.rules");
    std::fs::write(&switch, switch_rule(0)).expect("write");
    let fifo = dir.path().join("in.pcap");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success(), "mkfifo failed");
    let logs = dir.path().join("logs");
    let sock = dir.path().join("ctl.socket");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["-v", "-k", "none", "-r"])
        .arg(&fifo)
        .arg("-S")
        .arg(&rules)
        .arg("-l")
        .arg(&logs)
        .arg(format!("--unix-socket={}", sock.display()))
        .args(["--metrics", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rampart");
    let pid = child.id().to_string();
    // Drain stderr in the background so the pipe never fills.
    let mut child = child;
    let mut err_pipe = child.stderr.take().expect("stderr");
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let mut writer = Writer::start(fifo.clone());
    wait_for("the control socket", Duration::from_secs(60), || sock.exists());
    std::thread::sleep(Duration::from_millis(300));

    // A client sending garbage, one disconnecting mid-command, one oversized message.
    {
        let mut s = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
        s.write_all(b"\x00\x01garbage{{{\n").expect("write");
        let mut r = String::new();
        s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let _ = s.read_to_string(&mut r);
        assert!(r.contains("NOK"), "garbage gets an error reply: {r}");
        let mut s = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
        s.write_all(b"{\"version\": \"0.2\"}\n{\"command\": \"dump-cou").expect("write");
        drop(s);
        let mut s = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
        let _ = s.write_all(&vec![b'['; 200_000]);
        drop(s);
    }
    let v = send_command(&sock, "version", None, Duration::from_secs(10)).expect("version after garbage");
    assert_eq!(v["return"], "OK");
    assert_eq!(send_command(&sock, "capture-mode", None, Duration::from_secs(10)).expect("x")["message"], "PCAP_FILE");

    // 20 changes: file edit; odd ones also SIGUSR2.
    let mut change_at: BTreeMap<u32, u64> = BTreeMap::new();
    change_at.insert(0, 0);
    for k in 1..=CHANGES {
        std::thread::sleep(SPACING);
        let t = now_us();
        std::fs::write(&switch, switch_rule(k)).expect("edit rules");
        if k % 2 == 1 {
            let st = Command::new("kill").args(["-USR2", &pid]).status().expect("kill");
            assert!(st.success());
        }
        change_at.insert(k, t);
    }
    std::thread::sleep(SPACING);
    let after_changes = reloads(&sock);
    assert!(after_changes >= u64::from(CHANGES), "{after_changes} reloads for {CHANGES} changes");

    // Metrics endpoint: counts what the workers processed so far.
    let text = scrape(port);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    let pkts = metric(&text, "rampart_decoder_pkts_total").expect("decoder pkts metric");
    assert!(pkts > 1000, "metrics show {pkts} packets");
    assert!(metric(&text, "rampart_detect_engines_rules_loaded") == Some(3), "{text}");

    // A storm: 100 edits in about a second, ending on version CHANGES+1.
    std::thread::sleep(Duration::from_millis(800));
    let before_storm = reloads(&sock);
    let storm = CHANGES + 1;
    for i in 0..100u32 {
        // Intermediate versions match nothing: only the last one may ever alert.
        let text = if i == 99 { switch_rule(storm) } else { format!("alert udp any any -> any any (msg:\"storm {i}\"; content:\"NEVER-SENT\"; sid:{};)\n", 5000 + i) };
        std::fs::write(&switch, text).expect("storm edit");
        std::thread::sleep(Duration::from_millis(10));
    }
    let t_storm = now_us();
    change_at.insert(storm, t_storm);
    std::thread::sleep(Duration::from_millis(2500));
    let storm_rebuilds = reloads(&sock) - before_storm;
    assert!((1..=2).contains(&storm_rebuilds), "{storm_rebuilds} rebuilds for a storm of 100 edits");

    // Garbage: the switch file edited into two bad lines. The base rules load, the errors
    // name the file and line, the engine keeps running.
    let t_garbage = now_us();
    std::fs::write(&switch, "alert udp any any -> any any (msg:\"broken\"; content:; sid:77;)\n%%% not a rule at all\n").expect("garbage");
    wait_for("the garbage reload", Duration::from_secs(10), || {
        let v = send_command(&sock, "ruleset-failed-rules", None, Duration::from_secs(10)).expect("failed rules");
        v["message"].as_array().is_some_and(|a| a.len() == 2)
    });
    let failed = send_command(&sock, "ruleset-failed-rules", None, Duration::from_secs(10)).expect("failed rules");
    let lines: Vec<(String, u64)> = failed["message"].as_array().expect("array").iter().map(|f| (f["filename"].as_str().unwrap_or_default().to_string(), f["line"].as_u64().unwrap_or(0))).collect();
    assert!(lines.iter().all(|(f, _)| f.ends_with("switch.rules")), "{lines:?}");
    assert_eq!(lines.iter().map(|l| l.1).collect::<Vec<_>>(), [1, 2], "{lines:?}");
    let stats = send_command(&sock, "ruleset-stats", None, Duration::from_secs(10)).expect("stats");
    assert_eq!(stats["message"][0]["rules_loaded"], 2, "{stats}");
    assert_eq!(stats["message"][0]["rules_failed"], 2, "{stats}");
    // A blocking reload over the socket answers once it is done.
    let r = send_command(&sock, "reload-rules", None, Duration::from_secs(60)).expect("reload-rules");
    assert_eq!(r["return"], "OK", "{r}");
    assert_eq!(r["message"], "done");

    // The flowbit set before all of this is still seen.
    std::thread::sleep(Duration::from_millis(1500));
    writer.inject.lock().expect("lock").push(b"CHECKBIT");
    std::thread::sleep(Duration::from_millis(1500));
    let written = writer.finish();
    assert_eq!(written, writer.written.load(Ordering::Relaxed));

    // End of input: rampart drains and exits.
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("rampart did not exit after the end of its input");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut out).expect("stdout");
    let err = err_thread.join().expect("stderr");
    assert!(status.success(), "rampart failed: {err}");
    assert!(err.contains("switch.rules:2"), "the garbage error names file and line: {err}");
    assert!(err.contains("SIGUSR2"), "signal reloads are logged: {err}");
    assert!(!sock.exists(), "socket file removed at exit");

    // EVE: final stats count every packet written; alerts switch with the rules.
    let eve = std::fs::read_to_string(logs.join("eve.json")).expect("eve.json");
    let events: Vec<Value> = eve.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    let stats = events.iter().rev().find(|e| e["event_type"] == "stats").expect("final stats");
    assert_eq!(stats["stats"]["decoder"]["pkts"].as_u64(), Some(written), "packets written = packets processed");
    assert!(out.contains(&format!("packets: {written},")), "{out}");
    let engines = &stats["stats"]["detect"]["engines"][0];
    assert_eq!(engines["rules_loaded"], 2, "{engines}");
    assert_eq!(engines["rules_failed"], 2, "{engines}");

    let mut by_sid: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for e in events.iter().filter(|e| e["event_type"] == "alert") {
        let sid = e["alert"]["signature_id"].as_u64().expect("sid");
        let ts = eve_ts_us(e["timestamp"].as_str().expect("ts"));
        by_sid.entry(sid).or_default().push(ts);
    }
    assert_eq!(by_sid.get(&2).map(Vec::len), Some(1), "flowbit survives {CHANGES} reloads and a storm: {:?}", by_sid.keys());
    assert!(!by_sid.contains_key(&1), "flowbits:noalert");
    let versions: Vec<u32> = change_at.keys().copied().collect();
    let mut worst_switch = 0u64;
    for (i, v) in versions.iter().enumerate() {
        let sid = 1000 + u64::from(*v);
        let ts = by_sid.get(&sid).unwrap_or_else(|| panic!("no alert from rule version {v}"));
        let start = change_at[v];
        let end = versions.get(i + 1).map(|n| change_at[n]).unwrap_or(t_garbage);
        let first = *ts.iter().min().expect("one");
        let last = *ts.iter().max().expect("one");
        if *v > 0 {
            // The new rule alerts on packets written within a second of the change.
            let lag = first.saturating_sub(start);
            worst_switch = worst_switch.max(lag);
            assert!(lag < 1_000_000, "version {v}: first alert {lag} us after the change");
        }
        // The old rule never alerts on packets written a second after the next change.
        assert!(last < end + 1_000_000, "version {v}: alert {} us after it was replaced", last.saturating_sub(end));
    }
    eprintln!("reload under load: {written} packets, {after_changes} reloads for {CHANGES} changes, storm {storm_rebuilds} rebuilds, slowest switch {worst_switch} us");
}

/// Microseconds since the epoch of an EVE timestamp.
fn eve_ts_us(s: &str) -> u64 {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> i64 { std::str::from_utf8(&b[r]).expect("utf8").parse().expect("digits") };
    let (y, mo, d, h, mi, se, us) = (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19), num(20..26));
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    ((days * 86_400 + h * 3600 + mi * 60 + se) * 1_000_000 + us) as u64
}
