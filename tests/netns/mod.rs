//! Helpers for tests that build small networks out of Linux network namespaces and veth pairs
//! (root only). Every namespace and child process is owned by a guard that deletes or kills
//! it on drop, so a failing (panicking) test cleans up too. Addresses are 10.200.x.y inside
//! the test's own namespaces; the host's interfaces are never touched.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A short name unique to this process and call (interface names are limited to 15 bytes).
pub fn unique(tag: &str) -> String {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("r{}{}{}", std::process::id() % 100_000, tag, n)
}

/// Runs a command; panics with its output if it fails.
pub fn sh(args: &[&str]) -> Output {
    let o = Command::new(args[0]).args(&args[1..]).output().unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(o.status.success(), "{args:?} failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    o
}

/// Why namespace tests cannot run here (not root, no `ip`, no netns support), if so.
pub fn unsupported() -> Option<String> {
    // The effective uid, through `id -u`.
    let uid = Command::new("id").arg("-u").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if uid.as_deref() != Some("0") {
        return Some("not running as root".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("the `ip` command (iproute2) is missing".into());
    }
    let probe = unique("p");
    let ok = Command::new("ip").args(["netns", "add", &probe]).status().map(|s| s.success()).unwrap_or(false);
    if !ok {
        return Some("the kernel refuses `ip netns add` (no network namespaces)".into());
    }
    let _ = Command::new("ip").args(["netns", "del", &probe]).status();
    None
}

/// Prints the loud skip message every skipping test must print. Written to the stderr handle
/// directly, not with `eprintln!`, so the test harness does not swallow it for a test that
/// "passes" by skipping.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let msg = format!("\n!!!!!!!! SKIPPED {test}: {why}. This namespace test did NOT run. !!!!!!!!\n");
    let _ = std::io::stderr().write_all(msg.as_bytes());
}

/// A network namespace, deleted on drop (which also deletes the veth ends inside it).
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(tag: &str) -> Netns {
        let name = unique(tag);
        sh(&["ip", "netns", "add", &name]);
        let ns = Netns { name };
        ns.run(&["ip", "link", "set", "lo", "up"]);
        // No IPv6 link-local chatter: packet counts stay exactly what the test sends.
        ns.run(&["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
        ns.run(&["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]);
        ns
    }

    /// The argv prefix that runs a command inside this namespace.
    pub fn exec_prefix(&self) -> Vec<String> {
        vec!["ip".into(), "netns".into(), "exec".into(), self.name.clone()]
    }

    /// Runs a command inside the namespace; panics if it fails.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut v: Vec<&str> = vec!["ip", "netns", "exec", &self.name];
        v.extend_from_slice(args);
        sh(&v)
    }

    /// Runs a command inside the namespace and returns its output whatever the exit status.
    pub fn try_run(&self, args: &[&str]) -> Output {
        Command::new("ip").args(["netns", "exec", &self.name]).args(args).output().expect("ip netns exec")
    }

    /// Starts a command inside the namespace; it is killed when the guard drops.
    pub fn spawn(&self, args: &[&str], stdout: Stdio, stderr: Stdio, cwd: Option<&Path>) -> Proc {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name]).args(args).stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        if let Some(d) = cwd {
            c.current_dir(d);
        }
        Proc { child: Some(c.spawn().unwrap_or_else(|e| panic!("{args:?}: {e}"))) }
    }

    /// Reads `/sys/class/net/<iface>/statistics/<counter>` inside the namespace.
    pub fn counter(&self, iface: &str, counter: &str) -> u64 {
        let o = self.run(&["cat", &format!("/sys/class/net/{iface}/statistics/{counter}")]);
        String::from_utf8_lossy(&o.stdout).trim().parse().expect("counter")
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Processes still inside would keep nothing alive: deleting the name is enough for
        // the kernel to tear the namespace down once they exit (they are killed first by
        // their own guards, which are declared after the namespaces).
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// Joins two namespaces with a veth pair and gives each end an address (`a/24`).
pub fn veth(a: &Netns, a_addr: &str, b: &Netns, b_addr: &str) -> (String, String) {
    let ea = unique("a");
    let eb = unique("b");
    sh(&["ip", "link", "add", &ea, "type", "veth", "peer", "name", &eb]);
    sh(&["ip", "link", "set", &ea, "netns", &a.name]);
    sh(&["ip", "link", "set", &eb, "netns", &b.name]);
    a.run(&["ip", "addr", "add", a_addr, "dev", &ea]);
    b.run(&["ip", "addr", "add", b_addr, "dev", &eb]);
    a.run(&["ip", "link", "set", &ea, "up"]);
    b.run(&["ip", "link", "set", &eb, "up"]);
    (ea, eb)
}

/// A child process killed (SIGKILL) and reaped on drop unless it already ended.
pub struct Proc {
    pub child: Option<Child>,
}

impl Proc {
    pub fn pid(&self) -> i32 {
        self.child.as_ref().map(|c| c.id() as i32).unwrap_or(0)
    }

    /// Sends `sig` and waits up to `limit` for the exit; returns the exit code.
    pub fn signal_and_wait(&mut self, sig: i32, limit: Duration) -> Option<i32> {
        let mut c = self.child.take()?;
        // `ip netns exec` execs the command: the child pid is the program itself.
        let _ = Command::new("kill").arg(format!("-{sig}")).arg(c.id().to_string()).status();
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                return st.code();
            }
            if start.elapsed() > limit {
                let _ = c.kill();
                let _ = c.wait();
                panic!("process {} did not exit within {limit:?} of signal {sig}", c.id());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits until `file` contains `needle` (or panics after `limit`, showing the file).
pub fn wait_for(file: &Path, needle: &str, limit: Duration) {
    let start = Instant::now();
    loop {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(file) {
            let _ = f.read_to_string(&mut s);
        }
        if s.contains(needle) {
            return;
        }
        if start.elapsed() > limit {
            panic!("{} never said {needle:?} within {limit:?}:\n{s}", file.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A tiny HTTP server (python3's http.server) serving `root` on `addr:port` inside `ns`,
/// logging requests to `log`. Returns once it accepts connections.
pub fn http_server(ns: &Netns, root: &Path, addr: &str, port: u16, log: &Path) -> Proc {
    let f = std::fs::File::create(log).expect("server log");
    let f2 = f.try_clone().expect("log handle");
    let p = ns.spawn(&["python3", "-u", "-m", "http.server", &port.to_string(), "--bind", addr], Stdio::from(f2), Stdio::from(f), Some(root));
    wait_for(log, "Serving HTTP", Duration::from_secs(10));
    p
}

/// `curl` from inside `ns`: (exit code, body).
pub fn fetch(ns: &Netns, url: &str, timeout_s: u32) -> (i32, String) {
    let o = ns.try_run(&["curl", "-s", "-m", &timeout_s.to_string(), url]);
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The `rampart` binary under test.
pub fn rampart_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rampart"))
}

/// EVE lines of `dir/eve.json`.
pub fn eve(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("eve.json")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad EVE line {l}: {e}"))).collect()
}

/// A config that logs alerts, drops, http, flows and stats (every second) into eve.json.
pub const TEST_CONFIG: &str = "\
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - drop:
            alerts: yes
            flows: all
        - http
        - flow
        - stats
stats:
  enabled: yes
  interval: 1
";
