//! Control socket and reload triggers configured from the config (`unix-command`, `metrics`,
//! `rule-reload.watch: no`), driven with the `rampartctl` client: with watching off a file
//! edit does not reload, SIGUSR2 and `reload-rules` do, and `shutdown` ends a run whose
//! input never ends.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn ctl(sock: &Path, cmd: &str) -> (bool, serde_json::Value) {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_rampartctl")).args(["-c", cmd]).arg(sock).output().expect("run rampartctl");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let v = serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("rampartctl {cmd}: not JSON ({e}): {text:?} {}", String::from_utf8_lossy(&o.stderr)));
    (o.status.success(), v)
}

fn reloads(sock: &Path) -> u64 {
    let (ok, v) = ctl(sock, "ruleset-stats");
    assert!(ok, "{v}");
    v["message"][0]["reloads"].as_u64().expect("reloads")
}

fn udp_record(n: u64) -> Vec<u8> {
    let mut frame = Vec::new();
    etherparse::PacketBuilder::ethernet2([2; 6], [4; 6]).ipv4([10, 8, 0, 1], [10, 8, 0, 2], 64).udp(4000 + (n % 16) as u16, 7777).write(&mut frame, b"PING").expect("build");
    let mut r = Vec::new();
    r.extend_from_slice(&(1_700_000_000u32 + (n / 100) as u32).to_le_bytes());
    r.extend_from_slice(&((n % 100) as u32 * 10_000).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(&frame);
    r
}

#[test]
fn config_socket_signal_reload_and_shutdown() {
    let dir = tempfile::tempdir().expect("tmp");
    let rules = dir.path().join("r.rules");
    std::fs::write(&rules, "alert udp any any -> any any (msg:\"ping\"; content:\"PING\"; sid:1;)\n").expect("write");
    let fifo = dir.path().join("in.pcap");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let sock = dir.path().join("c.socket");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("-r")
        .arg(&fifo)
        .arg("-S")
        .arg(&rules)
        .arg("-l")
        .arg(dir.path())
        .args(["--set", "unix-command.enabled=yes", "--set"])
        .arg(format!("unix-command.filename={}", sock.display()))
        .args(["--set", "rule-reload.watch=no", "--set", "stats.interval=1", "--set", "metrics.enabled=yes", "--set"])
        .arg(format!("metrics.listen=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let pause = Arc::new(AtomicBool::new(false));
    let pause2 = Arc::clone(&pause);
    let fifo2 = fifo.clone();
    // Writes until rampart stops reading (EPIPE) or the test says stop.
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::File::create(&fifo2).expect("open fifo");
        let mut hdr = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        hdr.extend_from_slice(&[0; 8]);
        hdr.extend_from_slice(&65535u32.to_le_bytes());
        hdr.extend_from_slice(&1u32.to_le_bytes());
        f.write_all(&hdr).expect("header");
        let mut n = 0u64;
        while !stop2.load(Ordering::Relaxed) {
            if pause2.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            if f.write_all(&udp_record(n)).is_err() {
                break;
            }
            n += 1;
            std::thread::sleep(Duration::from_millis(2));
        }
        n
    });
    let start = Instant::now();
    while !sock.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "control socket never appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));

    let (ok, v) = ctl(&sock, "running-mode");
    assert!(ok && (v["message"] == "workers" || v["message"] == "single"), "{v}");
    let (ok, v) = ctl(&sock, "iface-list");
    assert!(ok && v["message"]["count"] == 0, "{v}");
    let (ok, v) = ctl(&sock, "no-such-command");
    assert!(!ok && v["return"] == "NOK", "{v}");

    // Watching is off: an edit alone does not reload.
    std::fs::write(&rules, "alert udp any any -> any any (msg:\"a\"; content:\"PING\"; sid:1;)\nalert udp any any -> any any (msg:\"b\"; content:\"PONG\"; sid:2;)\n").expect("edit");
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(reloads(&sock), 0, "no reload without a trigger");
    // SIGUSR2 does.
    assert!(Command::new("kill").args(["-USR2", &pid]).status().expect("kill").success());
    let start = Instant::now();
    while reloads(&sock) == 0 {
        assert!(start.elapsed() < Duration::from_secs(20), "SIGUSR2 did not reload");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ok, v) = ctl(&sock, "ruleset-stats");
    assert!(ok && v["message"][0]["rules_loaded"] == 2, "{v}");
    // So does reload-rules, blocking until it is done.
    let (ok, v) = ctl(&sock, "reload-rules");
    assert!(ok && v["message"] == "done", "{v}");
    assert_eq!(reloads(&sock), 2);
    let (ok, v) = ctl(&sock, "ruleset-reload-time");
    assert!(ok && v["message"][0]["last_reload"].as_str().is_some_and(|t| t.ends_with("+0000")), "{v}");

    // Counters over the socket and the endpoint configured in the config.
    let (ok, v) = ctl(&sock, "dump-counters");
    assert!(ok && v["message"]["decoder"]["pkts"].as_u64().is_some_and(|n| n > 0), "{v}");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("metrics");
    s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    assert!(text.contains("rampart_detect_alert_total"), "{text}");

    // Periodic stats keep coming (and EVE is flushed) while no packet arrives.
    pause.store(true, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(2600));
    let idle_stats = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve").lines().filter(|l| l.contains("\"event_type\":\"stats\"")).count();
    assert!(idle_stats >= 2, "{idle_stats} stats events by now, with 1 s interval");
    pause.store(false, Ordering::Relaxed);

    // shutdown: the run ends although its input does not.
    let (ok, v) = ctl(&sock, "shutdown");
    assert!(ok, "{v}");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "rampart did not stop after shutdown");
        std::thread::sleep(Duration::from_millis(50));
    };
    stop.store(true, Ordering::Relaxed);
    let _ = writer.join();
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    assert!(status.success(), "{err}");
    let eve = std::fs::read_to_string(dir.path().join("eve.json")).expect("eve");
    assert!(eve.lines().any(|l| l.contains("\"event_type\":\"stats\"")), "final stats written after shutdown");
}
