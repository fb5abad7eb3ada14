//! The shared table of announced FTP data channels.
//!
//! Workers each own their flows, and an FTP data connection usually hashes to another worker
//! than its control connection, so the announcement cannot stay in the control flow's state.
//! Design (Suricata's `app-layer-expectation.c` in small):
//! - One [`ExpectTable`] per engine run, shared by every worker (`Arc`); an entry is an
//!   unordered address pair, the data connection's destination port, the control flow's id,
//!   the data command and its file name, and the packet time it was announced.
//! - Consulted only for flows without an app-layer verdict (see below), and only when the
//!   table is not empty: an atomic entry count is read first (one relaxed load on the hot path; the lock
//!   is taken only while FTP transfers are pending).
//! - A match consumes the entry (one data connection per announcement).
//! - Bounded: at most [`ExpectTable::capacity`] entries (the oldest is dropped to make room)
//!   and entries older than [`ExpectTable::ttl_secs`] of packet time are dropped when the table
//!   is consulted or added to.
//!
//! Consulted when a TCP flow's state is created and, while the flow is still probing, when a
//! packet with payload arrives (the data command usually follows the data connection's SYN).
//! Race: across workers the data connection's first data can be processed before the worker
//! that owns the control flow has parsed the data command; such a connection is not
//! recognised (with one worker, `--runmode single` or pcap replay in order, there is none).

use super::FtpExpectation;
use crate::time::Timestamp;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// One pending data channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The two addresses of the control connection (either may open the data connection).
    pub addrs: (IpAddr, IpAddr),
    /// What the control channel announced.
    pub exp: FtpExpectation,
    /// The control flow's id.
    pub parent_flow: u64,
}

/// The shared expectation table. See the module docs.
#[derive(Debug)]
pub struct ExpectTable {
    count: AtomicUsize,
    inner: Mutex<Vec<Expected>>,
    capacity: usize,
    ttl_secs: u64,
}

impl Default for ExpectTable {
    fn default() -> Self {
        ExpectTable::new(1024, 120)
    }
}

impl ExpectTable {
    /// A table of at most `capacity` entries, each living `ttl_secs` of packet time.
    pub fn new(capacity: usize, ttl_secs: u64) -> ExpectTable {
        ExpectTable { count: AtomicUsize::new(0), inner: Mutex::new(Vec::new()), capacity: capacity.max(1), ttl_secs }
    }

    /// The process-wide table the workers share unless given another one.
    pub fn global() -> Arc<ExpectTable> {
        static G: OnceLock<Arc<ExpectTable>> = OnceLock::new();
        G.get_or_init(|| Arc::new(ExpectTable::default())).clone()
    }

    /// Most entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entry lifetime in seconds of packet time.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// Entries pending.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Whether nothing is pending (the hot-path check).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn expire(&self, v: &mut Vec<Expected>, now: Timestamp) {
        let ttl = self.ttl_secs;
        v.retain(|e| now.secs_since(e.exp.ts) <= ttl);
    }

    /// Adds an announcement of control flow `parent_flow` between `a` and `b`.
    pub fn insert(&self, a: IpAddr, b: IpAddr, parent_flow: u64, exp: FtpExpectation) {
        let Ok(mut v) = self.inner.lock() else { return };
        self.expire(&mut v, exp.ts);
        // A newer announcement of the same channel replaces the older one.
        v.retain(|e| !(e.exp.port == exp.port && same_pair(e.addrs, (a, b))));
        if v.len() >= self.capacity {
            v.remove(0);
        }
        v.push(Expected { addrs: (a, b), exp, parent_flow });
        self.count.store(v.len(), Ordering::Relaxed);
    }

    /// For a new TCP flow `client` → `server`:`port` at `now`: takes the matching announcement.
    pub fn take(&self, client: IpAddr, server: IpAddr, port: u16, now: Timestamp) -> Option<Expected> {
        if self.is_empty() {
            return None;
        }
        let Ok(mut v) = self.inner.lock() else { return None };
        self.expire(&mut v, now);
        let pos = v.iter().position(|e| e.exp.port == port && same_pair(e.addrs, (client, server)));
        let found = pos.map(|p| v.remove(p));
        self.count.store(v.len(), Ordering::Relaxed);
        found
    }
}

fn same_pair(a: (IpAddr, IpAddr), b: (IpAddr, IpAddr)) -> bool {
    a == b || (a.0 == b.1 && a.1 == b.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp(port: u16, secs: i64) -> FtpExpectation {
        FtpExpectation { port, command: "RETR", filename: b"f".to_vec(), ts: Timestamp::from_parts(secs, 0) }
    }

    #[test]
    fn match_either_direction_once() {
        let t = ExpectTable::new(4, 60);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(t.is_empty());
        t.insert(a, b, 7, exp(5000, 1));
        assert_eq!(t.len(), 1);
        assert!(t.take(a, b, 5001, Timestamp::from_parts(2, 0)).is_none(), "other port");
        let e = t.take(b, a, 5000, Timestamp::from_parts(2, 0)).expect("active mode: server connects");
        assert_eq!(e.parent_flow, 7);
        assert!(t.take(a, b, 5000, Timestamp::from_parts(2, 0)).is_none(), "consumed");
        assert!(t.is_empty());
    }

    #[test]
    fn bounded_and_expiring() {
        let t = ExpectTable::new(2, 60);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        for p in 0..5 {
            t.insert(a, b, 1, exp(1000 + p, 1));
        }
        assert_eq!(t.len(), 2);
        assert!(t.take(a, b, 1000, Timestamp::from_parts(1, 0)).is_none(), "oldest dropped");
        assert!(t.take(a, b, 1004, Timestamp::from_parts(100, 0)).is_none(), "expired");
        assert!(t.is_empty());
    }
}
