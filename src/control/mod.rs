//! The control socket: a unix stream socket speaking the JSON protocol of Suricata's
//! `suricatasc` (`unix-command` in the config, `--unix-socket[=PATH]` on the command line).
//!
//! # Protocol
//! The client sends `{"version": "0.2"}` and gets `{"return": "OK"}`; then each command is
//! `{"command": "NAME", "arguments": {...}}` and each reply `{"return": "OK"|"NOK",
//! "message": ...}` followed by a newline. Messages are JSON values, delimited by their own
//! syntax (a newline after each is usual, not required). A client that sends a command
//! without the handshake is served all the same.
//!
//! # Contract
//! - A message larger than [`MAX_MESSAGE`] bytes, bytes that are not JSON, or a value that
//!   is not a command object get a `NOK` reply and the connection is closed; a message left
//!   half-sent for [`PARTIAL_TIMEOUT`] is dropped with the connection; an idle connection is
//!   closed after [`IDLE_TIMEOUT`]. At most [`MAX_CLIENTS`] connections are served at once
//!   (more are told so and closed). None of this touches the packet path.
//! - The socket file is created with mode 0660 (owner and group, as Suricata's) and removed
//!   when the [`ControlServer`] is dropped; a stale socket file from a dead process is
//!   replaced, a live one (something answers on it) is an error.

use crate::output::metrics::StatsHub;
use crate::reload::{Reloader, Trigger};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest single message accepted.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// A message must be complete this long after its first byte arrived.
pub const PARTIAL_TIMEOUT: Duration = Duration::from_secs(5);
/// An idle connection is closed after this long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Connections served at once.
pub const MAX_CLIENTS: usize = 16;
/// Longest a blocking `reload-rules` waits for the rebuild.
pub const RELOAD_WAIT: Duration = Duration::from_secs(600);
/// Default socket file name (Suricata's is `suricata-command.socket`).
pub const DEFAULT_SOCKET_NAME: &str = "rampart-command.socket";
/// Directory of a relative socket file name (Suricata: `$localstatedir/run/suricata/`).
pub const DEFAULT_RUN_DIR: &str = "/var/run/rampart";

/// The commands this server knows, for `command-list`.
pub const COMMANDS: &[&str] = &[
    "command-list",
    "version",
    "uptime",
    "running-mode",
    "capture-mode",
    "iface-list",
    "reload-rules",
    "ruleset-reload-rules",
    "ruleset-reload-nonblocking",
    "ruleset-reload-time",
    "ruleset-stats",
    "ruleset-failed-rules",
    "dump-counters",
    "shutdown",
];

/// What the commands answer from and act on.
pub struct ControlContext {
    /// Counters and ruleset state.
    pub hub: Arc<StatsHub>,
    /// The rule reloader (`None` with `--disable-detection`).
    pub reloader: Option<Arc<Reloader>>,
    /// Live capture interfaces (`iface-list`); empty for offline runs.
    pub ifaces: Vec<String>,
    /// Suricata's capture mode name: `PCAP_FILE`, `AF_PACKET_DEV`, `PCAP_DEV`, `NFQ`.
    pub capture_mode: String,
    /// The run mode: `single`, `workers`.
    pub running_mode: String,
    /// Set by `shutdown`: the capture loop stops at its next packet.
    pub stop: Arc<AtomicBool>,
}

/// A running control socket; removes its file when dropped.
pub struct ControlServer {
    path: PathBuf,
    closed: Arc<AtomicBool>,
}

impl ControlServer {
    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where a configured socket name lives: absolute as given, relative under
/// [`DEFAULT_RUN_DIR`], empty or `auto` as [`DEFAULT_SOCKET_NAME`] there.
pub fn socket_path(name: Option<&str>) -> PathBuf {
    match name.map(str::trim) {
        None | Some("") | Some("auto") => Path::new(DEFAULT_RUN_DIR).join(DEFAULT_SOCKET_NAME),
        Some(n) if Path::new(n).is_absolute() => PathBuf::from(n),
        Some(n) => Path::new(DEFAULT_RUN_DIR).join(n),
    }
}

/// Binds `path` and serves commands from a thread named `rampart-control`.
///
/// Errors: the directory cannot be created, another process answers on `path`, or the
/// socket cannot be bound.
pub fn serve(path: &Path, ctx: Arc<ControlContext>) -> std::io::Result<ControlServer> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, format!("{}: another process is listening", path.display())));
        }
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660));
    }
    let closed = Arc::new(AtomicBool::new(false));
    let closed2 = Arc::clone(&closed);
    let clients = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new().name("rampart-control".into()).spawn(move || {
        for conn in listener.incoming() {
            if closed2.load(Ordering::Relaxed) {
                break;
            }
            let mut s = match conn {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("control socket: accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            if clients.load(Ordering::Relaxed) >= MAX_CLIENTS {
                let _ = s.set_write_timeout(Some(Duration::from_secs(1)));
                let _ = s.write_all(&reply_bytes(false, json!("too many clients")));
                continue;
            }
            clients.fetch_add(1, Ordering::Relaxed);
            let ctx = Arc::clone(&ctx);
            let clients = Arc::clone(&clients);
            let spawned = std::thread::Builder::new().name("rampart-control-client".into()).spawn(move || {
                if let Err(e) = client(s, &ctx) {
                    tracing::debug!("control client: {e}");
                }
                clients.fetch_sub(1, Ordering::Relaxed);
            });
            if spawned.is_err() {
                tracing::warn!("control socket: cannot start a client thread");
            }
        }
    })?;
    tracing::info!("control socket listening on {}", path.display());
    Ok(ControlServer { path: path.to_path_buf(), closed })
}

fn reply_bytes(ok: bool, message: Value) -> Vec<u8> {
    let mut v = serde_json::to_vec(&json!({"return": if ok { "OK" } else { "NOK" }, "message": message})).unwrap_or_default();
    v.push(b'\n');
    v
}

/// What the next bytes of a connection hold.
enum Next {
    Message(Value),
    NeedMore,
    Garbage(String),
}

/// Takes one JSON value off the front of `buf`.
fn take_message(buf: &mut Vec<u8>) -> Next {
    let start = buf.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(buf.len());
    if start == buf.len() {
        buf.clear();
        return Next::NeedMore;
    }
    let mut it = serde_json::Deserializer::from_slice(&buf[start..]).into_iter::<Value>();
    match it.next() {
        Some(Ok(v)) => {
            let used = start + it.byte_offset();
            buf.drain(..used);
            Next::Message(v)
        }
        Some(Err(e)) if e.is_eof() => Next::NeedMore,
        Some(Err(e)) => Next::Garbage(format!("invalid JSON: {e}")),
        None => Next::NeedMore,
    }
}

/// Serves one connection until it closes, errs or times out.
fn client(mut s: UnixStream, ctx: &ControlContext) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_millis(500)))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let mut partial_since: Option<Instant> = None;
    let mut idle_since = Instant::now();
    loop {
        // Serve every complete message already buffered.
        loop {
            match take_message(&mut buf) {
                Next::Message(v) => {
                    let (reply, close) = handle(&v, ctx);
                    s.write_all(&reply)?;
                    if close {
                        return Ok(());
                    }
                    idle_since = Instant::now();
                }
                Next::NeedMore => break,
                Next::Garbage(why) => {
                    let _ = s.write_all(&reply_bytes(false, json!(why)));
                    return Ok(());
                }
            }
        }
        partial_since = if buf.is_empty() { None } else { partial_since.or(Some(Instant::now())) };
        if buf.len() > MAX_MESSAGE {
            let _ = s.write_all(&reply_bytes(false, json!(format!("message longer than {MAX_MESSAGE} bytes"))));
            return Ok(());
        }
        match s.read(&mut chunk) {
            Ok(0) => return Ok(()), // closed, possibly mid-message: nothing to answer
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted) => {
                if partial_since.is_some_and(|t| t.elapsed() >= PARTIAL_TIMEOUT) {
                    let _ = s.write_all(&reply_bytes(false, json!("incomplete message timed out")));
                    return Ok(());
                }
                if partial_since.is_none() && idle_since.elapsed() >= IDLE_TIMEOUT {
                    return Ok(());
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Answers one message; `true` closes the connection afterwards.
fn handle(v: &Value, ctx: &ControlContext) -> (Vec<u8>, bool) {
    let Some(obj) = v.as_object() else {
        return (reply_bytes(false, json!("expected a JSON object")), true);
    };
    if let Some(ver) = obj.get("version") {
        return match ver.as_str() {
            Some(s) if s.starts_with("0.") => {
                let mut v = serde_json::to_vec(&json!({"return": "OK"})).unwrap_or_default();
                v.push(b'\n');
                (v, false)
            }
            _ => (reply_bytes(false, json!("unsupported protocol version")), true),
        };
    }
    let Some(cmd) = obj.get("command").and_then(Value::as_str) else {
        return (reply_bytes(false, json!("expected {\"command\": ...} or {\"version\": ...}")), true);
    };
    let (ok, msg) = run_command(cmd, ctx);
    (reply_bytes(ok, msg), false)
}

/// Runs one command: `(ok, message)`.
pub fn run_command(cmd: &str, ctx: &ControlContext) -> (bool, Value) {
    let e = ctx.hub.engine();
    match cmd {
        "command-list" => (true, json!({"count": COMMANDS.len(), "commands": COMMANDS})),
        "version" => (true, json!(format!("Rampart {}", env!("CARGO_PKG_VERSION")))),
        "uptime" => (true, json!(ctx.hub.uptime())),
        "running-mode" => (true, json!(ctx.running_mode)),
        "capture-mode" => (true, json!(ctx.capture_mode)),
        "iface-list" => (true, json!({"count": ctx.ifaces.len(), "ifaces": ctx.ifaces})),
        "reload-rules" | "ruleset-reload-rules" => {
            let Some(r) = &ctx.reloader else { return (false, json!("detection is disabled: no rules to reload")) };
            let Some(rx) = r.request(Trigger::Command, true) else { return (false, json!("reload not started")) };
            match rx.recv_timeout(RELOAD_WAIT) {
                Ok(o) if o.swapped => (true, json!("done")),
                Ok(o) => (false, json!(o.message)),
                Err(_) => (false, json!("reload did not finish in time; it goes on in the background")),
            }
        }
        "ruleset-reload-nonblocking" => match &ctx.reloader {
            Some(r) => {
                r.request(Trigger::Command, false);
                (true, json!("done"))
            }
            None => (false, json!("detection is disabled: no rules to reload")),
        },
        "ruleset-reload-time" => (true, json!([{"id": 0, "last_reload": e.last_reload.eve().to_string()}])),
        "ruleset-stats" => (
            true,
            json!([{"id": 0, "rules_loaded": e.rules_loaded, "rules_failed": e.rules_failed, "rules_skipped": e.rules_skipped,
                    "reloads": e.reloads, "reloads_failed": e.reloads_failed, "last_error": e.last_error}]),
        ),
        "ruleset-failed-rules" => {
            let list: Vec<Value> = ctx
                .reloader
                .as_ref()
                .map(|r| r.failed_rules())
                .unwrap_or_default()
                .into_iter()
                .map(|f| {
                    let (file, line) = match f.location.rsplit_once(':') {
                        Some((file, line)) => (file.to_string(), line.parse::<u64>().unwrap_or(0)),
                        None => (f.location.clone(), 0),
                    };
                    json!({"tenant_id": 0, "filename": file, "line": line, "reason": f.reason})
                })
                .collect();
            (true, json!(list))
        }
        "dump-counters" => (true, ctx.hub.stats_json()),
        "shutdown" => {
            tracing::warn!("control socket: shutdown requested");
            ctx.stop.store(true, Ordering::Relaxed);
            (true, json!("Closing Rampart"))
        }
        _ => (false, json!("Unknown command")),
    }
}

/// Client side: connects to `path`, does the handshake, sends `command` with `arguments`
/// and returns the reply object.
///
/// Errors: connection, I/O or timeout, or a reply that is not JSON.
pub fn send_command(path: &Path, command: &str, arguments: Option<Value>, timeout: Duration) -> std::io::Result<Value> {
    let mut s = UnixStream::connect(path)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    let mut buf = Vec::new();
    s.write_all(b"{\"version\": \"0.2\"}\n")?;
    let hello = read_reply(&mut s, &mut buf)?;
    if hello.get("return").and_then(Value::as_str) != Some("OK") {
        return Err(std::io::Error::other(format!("handshake refused: {hello}")));
    }
    let mut msg = json!({"command": command});
    if let Some(a) = arguments {
        msg["arguments"] = a;
    }
    let mut bytes = serde_json::to_vec(&msg).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    s.write_all(&bytes)?;
    read_reply(&mut s, &mut buf)
}

fn read_reply(s: &mut UnixStream, buf: &mut Vec<u8>) -> std::io::Result<Value> {
    let mut chunk = [0u8; 8192];
    loop {
        match take_message(buf) {
            Next::Message(v) => return Ok(v),
            Next::Garbage(why) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why)),
            Next::NeedMore => {}
        }
        if buf.len() > 64 * MAX_MESSAGE {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "reply too large"));
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed before a reply"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Arc<ControlContext> {
        Arc::new(ControlContext {
            hub: StatsHub::new(),
            reloader: None,
            ifaces: vec!["eth0".into()],
            capture_mode: "PCAP_FILE".into(),
            running_mode: "workers".into(),
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    fn raw(path: &Path, bytes: &[u8]) -> String {
        let mut s = UnixStream::connect(path).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
        let _ = s.write_all(bytes);
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn framing_splits_and_detects_garbage() {
        let mut b = b"{\"version\": \"0.2\"}\n{\"command\":".to_vec();
        assert!(matches!(take_message(&mut b), Next::Message(_)));
        assert!(matches!(take_message(&mut b), Next::NeedMore));
        b.extend_from_slice(b" \"uptime\"}");
        assert!(matches!(take_message(&mut b), Next::Message(v) if v["command"] == "uptime"));
        let mut g = b"\x00\xffnot json".to_vec();
        assert!(matches!(take_message(&mut g), Next::Garbage(_)));
    }

    #[test]
    fn commands_garbage_and_disconnects() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("ctl.socket");
        let c = ctx();
        let server = serve(&path, Arc::clone(&c)).expect("serve");
        assert!(serve(&path, Arc::clone(&c)).is_err(), "a live socket is not taken over");
        let t = Duration::from_secs(10);
        let v = send_command(&path, "version", None, t).expect("version");
        assert_eq!(v["return"], "OK");
        assert!(v["message"].as_str().is_some_and(|m| m.starts_with("Rampart ")));
        assert_eq!(send_command(&path, "iface-list", None, t).expect("x")["message"]["ifaces"][0], "eth0");
        assert_eq!(send_command(&path, "capture-mode", None, t).expect("x")["message"], "PCAP_FILE");
        assert_eq!(send_command(&path, "nonsense", None, t).expect("x")["return"], "NOK");
        assert_eq!(send_command(&path, "reload-rules", None, t).expect("x")["return"], "NOK");
        assert!(send_command(&path, "dump-counters", None, t).expect("x")["message"]["decoder"]["pkts"].is_u64());
        // Garbage: an error reply, then the connection is closed.
        let r = raw(&path, b"\x16\x03\x01 hello garbage\n");
        assert!(r.contains("\"NOK\"") && r.contains("invalid JSON"), "{r}");
        // Oversized: error reply.
        let mut big = b"{\"command\": \"".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_MESSAGE + 100));
        let r = raw(&path, &big);
        assert!(r.contains("longer than"), "{r}");
        // A JSON value that is not a command.
        let r = raw(&path, b"[1,2,3]");
        assert!(r.contains("expected a JSON object"), "{r}");
        // Disconnect mid-command.
        {
            let mut s = UnixStream::connect(&path).expect("connect");
            s.write_all(b"{\"version\": \"0.2\"}{\"comm").expect("write");
        }
        // Half-sent and left hanging: dropped after PARTIAL_TIMEOUT.
        let started = Instant::now();
        let r = raw(&path, b"{\"version\": \"0.2\"}\n{\"command\": \"upt");
        assert!(r.contains("timed out"), "{r}");
        assert!(started.elapsed() >= PARTIAL_TIMEOUT);
        // Still serving.
        assert_eq!(send_command(&path, "uptime", None, t).expect("x")["return"], "OK");
        assert!(!c.stop.load(Ordering::Relaxed));
        assert_eq!(send_command(&path, "shutdown", None, t).expect("x")["return"], "OK");
        assert!(c.stop.load(Ordering::Relaxed));
        drop(server);
        assert!(!path.exists(), "socket file removed");
    }
}
