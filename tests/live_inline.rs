//! Inline IPS deployment, for real: client, router and server namespaces; the router forwards
//! through `iptables -A FORWARD -j NFQUEUE --queue-num N --queue-bypass` and Rampart (`-q N`)
//! gives every packet a verdict. A benign request succeeds; a request matching a `drop` rule
//! never reaches the server (its log proves it) and the client's fetch fails; a `rejectsrc`
//! rule resets the client at once; with Rampart stopped, `--queue-bypass` lets traffic pass.
//! Needs root and iptables with the NFQUEUE target; skips loudly otherwise.

mod netns;

use netns::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

const RULES: &str = "\
drop tcp any any -> any 8080 (msg:\"IPS test evil\"; flow:to_server,established; content:\"GET /evil\"; sid:1000002; rev:1;)
rejectsrc tcp any any -> any 8080 (msg:\"IPS test reject\"; flow:to_server,established; content:\"GET /reject\"; sid:1000004; rev:1;)
alert tcp any any -> any 8080 (msg:\"IPS test benign\"; flow:to_server,established; content:\"GET /index\"; sid:1000003; rev:1;)
";

const QUEUE: &str = "7";

struct Net {
    client: Netns,
    router: Netns,
    server: Netns,
}

fn network(queue_rule: &[&str]) -> Result<Net, String> {
    let client = Netns::new("c");
    let router = Netns::new("r");
    let server = Netns::new("s");
    veth(&client, "10.200.2.1/24", &router, "10.200.2.254/24");
    veth(&router, "10.200.3.254/24", &server, "10.200.3.1/24");
    client.run(&["ip", "route", "add", "default", "via", "10.200.2.254"]);
    server.run(&["ip", "route", "add", "default", "via", "10.200.3.254"]);
    router.run(&["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    let mut rule = vec!["iptables", "-A", "FORWARD"];
    rule.extend_from_slice(queue_rule);
    rule.extend_from_slice(&["-j", "NFQUEUE", "--queue-num", QUEUE, "--queue-bypass"]);
    let o = router.try_run(&rule);
    if !o.status.success() {
        return Err(format!("iptables NFQUEUE target unavailable: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    Ok(Net { client, router, server })
}

fn server_log(d: &std::path::Path) -> String {
    std::fs::read_to_string(d.join("server.log")).unwrap_or_default()
}

#[test]
fn inline_nfqueue_blocks_drops_rejects_and_fails_open() {
    inline_scenario("inline_nfqueue_blocks_drops_rejects_and_fails_open", "accept", &[]);
}

/// Repeat mode: accepted packets get NF_REPEAT with the repeat mark, re-enter FORWARD and
/// skip the queue through `-m mark ! --mark 1/1`; drops and rejects behave the same.
#[test]
fn inline_nfqueue_repeat_mode_marks_and_repeats() {
    inline_scenario("inline_nfqueue_repeat_mode_marks_and_repeats", "repeat", &["-m", "mark", "!", "--mark", "1/1"]);
}

fn inline_scenario(name: &str, mode: &str, queue_rule: &[&str]) {
    if let Some(why) = unsupported() {
        skip(name, &why);
        return;
    }
    if std::process::Command::new("iptables").arg("-V").output().is_err() {
        panic!("iptables is missing: scripts/install-deps installs it (Debian package iptables)");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("t.rules"), RULES).unwrap();
    std::fs::write(d.join("rampart.yaml"), format!("{TEST_CONFIG}nfq:\n  mode: {mode}\n  repeat-mark: 1\n  repeat-mask: 1\n  fail-open: yes\n")).unwrap();
    let www = d.join("www");
    std::fs::create_dir(&www).unwrap();
    std::fs::write(www.join("index.html"), "hello\n").unwrap();
    std::fs::write(www.join("evil"), "bad\n").unwrap();
    std::fs::write(www.join("reject"), "bad\n").unwrap();
    let net = match network(queue_rule) {
        Ok(n) => n,
        Err(why) => {
            skip(name, &why);
            return;
        }
    };
    let _srv = http_server(&net.server, &www, "10.200.3.1", 8080, &d.join("server.log"));

    // Before Rampart: nobody listens on the queue, --queue-bypass accepts.
    assert_eq!(fetch(&net.client, "http://10.200.3.1:8080/index.html", 5), (0, "hello\n".into()), "bypass before start");

    let errf = std::fs::File::create(d.join("rampart.err")).unwrap();
    let outf = std::fs::File::create(d.join("rampart.out")).unwrap();
    let bin = rampart_bin();
    let (cfg, rules) = (d.join("rampart.yaml"), d.join("t.rules"));
    let mut ips = net.router.spawn(
        &[bin.to_str().unwrap(), "-v", "-c", cfg.to_str().unwrap(), "-S", rules.to_str().unwrap(), "-l", d.to_str().unwrap(), "-q", QUEUE],
        Stdio::from(outf),
        Stdio::from(errf),
        None,
    );
    wait_for(&d.join("rampart.err"), "engine started", Duration::from_secs(20));

    // A benign request goes through Rampart.
    assert_eq!(fetch(&net.client, "http://10.200.3.1:8080/index.html", 5), (0, "hello\n".into()), "benign request");

    // The attack: the request segment is dropped, and so is every retransmission.
    let (rc, body) = fetch(&net.client, "http://10.200.3.1:8080/evil", 3);
    assert_ne!(rc, 0, "the client's fetch must fail (curl exit code)");
    assert!(body.is_empty(), "no response body: {body:?}");
    assert!(!server_log(d).contains("/evil"), "the server must never see the dropped request:\n{}", server_log(d));

    // reject: the client gets a RST from Rampart at once instead of a timeout.
    let t = Instant::now();
    let (rc, _) = fetch(&net.client, "http://10.200.3.1:8080/reject", 5);
    let took = t.elapsed();
    assert_eq!(rc, 56, "curl 56 = connection reset by peer");
    assert!(took < Duration::from_secs(3), "reset came at once, took {took:?}");
    assert!(!server_log(d).contains("/reject"), "the server must never see the rejected request");

    let code = ips.signal_and_wait(15, Duration::from_secs(20));
    let err = std::fs::read_to_string(d.join("rampart.err")).unwrap_or_default();
    let out = std::fs::read_to_string(d.join("rampart.out")).unwrap_or_default();
    assert_eq!(code, Some(0), "rampart exit after SIGTERM; stderr:\n{err}\nstdout:\n{out}");
    assert!(!server_log(d).contains("/evil"), "still never seen after shutdown");

    // Rampart stopped: the queue has no listener and --queue-bypass lets traffic pass.
    assert_eq!(fetch(&net.client, "http://10.200.3.1:8080/index.html", 5), (0, "hello\n".into()), "fail-open with Rampart stopped");

    let eve = eve(d);
    let alert = |sid: u64| eve.iter().find(|e| e["event_type"] == "alert" && e["alert"]["signature_id"] == sid).unwrap_or_else(|| panic!("alert {sid} missing"));
    assert_eq!(alert(1000002)["alert"]["action"], "blocked");
    assert_eq!(alert(1000004)["alert"]["action"], "blocked");
    assert_eq!(alert(1000003)["alert"]["action"], "allowed");
    let drops: Vec<&serde_json::Value> = eve.iter().filter(|e| e["event_type"] == "drop").collect();
    assert!(!drops.is_empty(), "EVE drop events");
    assert!(drops.iter().any(|e| e["dest_port"] == 8080), "{drops:?}");
    let stats = eve.iter().rev().find(|e| e["event_type"] == "stats").expect("final stats");
    let ipsc = &stats["stats"]["ips"];
    let blocked = ipsc["blocked"].as_u64().unwrap_or(0);
    let accepted = ipsc["accepted"].as_u64().unwrap_or(0);
    let kernel = stats["stats"]["capture"]["kernel_packets"].as_u64().unwrap_or(0);
    let pkts = stats["stats"]["decoder"]["pkts"].as_u64().unwrap_or(0);
    eprintln!("{name}: kernel queued {kernel}, decoded {pkts}, accepted {accepted}, blocked {blocked}, rejected {}", ipsc["rejected"]);
    assert!(blocked >= 2, "the evil and reject requests were blocked: {ipsc}");
    assert!(ipsc["rejected"].as_u64().unwrap_or(0) >= 1, "{ipsc}");
    assert_eq!(accepted + blocked, pkts, "one verdict per packet");
    assert_eq!(kernel, pkts, "every queued packet was received");
    assert_eq!(stats["stats"]["capture"]["kernel_drops"], 0);
    assert!(out.contains("ips: accepted"), "{out}");
}

/// A queue another program already holds is a clear error, not a hang.
#[test]
fn inline_queue_already_taken_is_a_clear_error() {
    let name = "inline_queue_already_taken_is_a_clear_error";
    if let Some(why) = unsupported() {
        skip(name, &why);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let ns = Netns::new("q");
    let errf = std::fs::File::create(d.join("first.err")).unwrap();
    let bin = rampart_bin();
    let mut first = ns.spawn(&[bin.to_str().unwrap(), "-v", "--disable-detection", "-l", d.to_str().unwrap(), "-q", "3"], Stdio::null(), Stdio::from(errf), None);
    wait_for(&d.join("first.err"), "engine started", Duration::from_secs(20));
    let o = ns.try_run(&[bin.to_str().unwrap(), "--disable-detection", "-l", d.to_str().unwrap(), "-q", "3"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("NFQUEUE 3") && err.contains("already taken"), "{err}");
    assert_eq!(first.signal_and_wait(2, Duration::from_secs(20)), Some(0));
}
