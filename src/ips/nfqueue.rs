//! One NFQUEUE queue: bind, fail-open, queue length, verdicts with Suricata's modes, and the
//! kernel's per-queue counters. Netlink is spoken by the `nfq` crate.
//!
//! Verdict modes (`nfq.mode`):
//! - `accept`: NF_ACCEPT for packets let through, NF_DROP for dropped ones.
//! - `repeat`: NF_REPEAT with `repeat-mark` set under `repeat-mask`, so the packet re-enters
//!   the hook and an iptables rule matching the mark lets it skip the queue.
//! - `route`: NF_QUEUE to `route-queue` (another inspector next).

use crate::config::live::{NfqConfig, NfqMode};

/// Kernel counters of a queue (`/proc/net/netfilter/nfnetlink_queue`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Packets waiting for a verdict now.
    pub waiting: u64,
    /// Packets dropped by the kernel because the queue was full (fail-open off).
    pub queue_dropped: u64,
    /// Packets the kernel could not deliver to us (socket buffer full).
    pub user_dropped: u64,
    /// Last packet id handed out: packets that entered the queue, fail-open ones included.
    pub id_sequence: u64,
}

/// Reads the counters of queue `num` from the kernel's table (`None` if it is not bound).
pub fn queue_stats(num: u16) -> Option<QueueStats> {
    let text = std::fs::read_to_string("/proc/net/netfilter/nfnetlink_queue").ok()?;
    parse_queue_stats(&text, num)
}

/// Parses one line per queue: `queue portid waiting copy_mode copy_range queue_dropped
/// user_dropped id_sequence 1`.
pub fn parse_queue_stats(text: &str, num: u16) -> Option<QueueStats> {
    for line in text.lines() {
        let f: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        if f.len() >= 8 && f[0] == u64::from(num) {
            return Some(QueueStats { waiting: f[2], queue_dropped: f[5], user_dropped: f[6], id_sequence: f[7] });
        }
    }
    None
}

/// A bound queue.
pub struct NfQueue {
    q: nfq::Queue,
    num: u16,
    cfg: NfqConfig,
}

/// Parses `-q` values: `N` or a range `A:B` (Suricata 7 syntax), each 0..=65535.
pub fn parse_queue_arg(s: &str) -> Result<Vec<u16>, String> {
    let num = |t: &str| t.trim().parse::<u16>().map_err(|_| format!("-q {s}: expected a queue number 0-65535 or a range A:B"));
    match s.split_once(':') {
        None => Ok(vec![num(s)?]),
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if a > b || b - a >= 256 {
                return Err(format!("-q {s}: range must be ascending and at most 256 queues"));
            }
            Ok((a..=b).collect())
        }
    }
}

impl NfQueue {
    /// Binds queue `num`. Errors say why (not root, queue taken by another program).
    pub fn open(num: u16, cfg: NfqConfig) -> Result<NfQueue, String> {
        let mut q = nfq::Queue::open().map_err(|e| format!("NFQUEUE {num}: netlink socket: {e} (needs root / CAP_NET_ADMIN)"))?;
        q.bind(num).map_err(|e| match e.raw_os_error() {
            // The kernel answers EPERM both for a queue bound by another socket and for a
            // caller without CAP_NET_ADMIN (who would have failed earlier, at the socket).
            Some(libc::EBUSY) | Some(libc::EPERM) => format!("NFQUEUE {num}: queue already taken by another program (or not permitted: needs CAP_NET_ADMIN)"),
            _ => format!("NFQUEUE {num}: bind: {e}"),
        })?;
        q.set_fail_open(num, cfg.fail_open).map_err(|e| format!("NFQUEUE {num}: fail-open: {e}"))?;
        q.set_queue_max_len(num, cfg.queue_maxlen.max(1)).map_err(|e| format!("NFQUEUE {num}: queue-maxlen: {e}"))?;
        Ok(NfQueue { q, num, cfg })
    }

    /// The queue number.
    pub fn num(&self) -> u16 {
        self.num
    }

    /// Blocks for the next packet. `Err` with kind `Interrupted` when a signal woke us.
    pub fn recv(&mut self) -> std::io::Result<nfq::Message> {
        self.q.recv()
    }

    /// Sends the verdict for `msg`: drop, or let through as the mode says.
    pub fn verdict(&mut self, mut msg: nfq::Message, drop: bool) -> std::io::Result<()> {
        if drop {
            msg.set_verdict(nfq::Verdict::Drop);
        } else {
            match self.cfg.mode {
                NfqMode::Accept => msg.set_verdict(nfq::Verdict::Accept),
                NfqMode::Repeat => {
                    let mark = (msg.get_nfmark() & !self.cfg.repeat_mask) | (self.cfg.repeat_mark & self.cfg.repeat_mask);
                    msg.set_nfmark(mark);
                    msg.set_verdict(nfq::Verdict::Repeat);
                }
                NfqMode::Route => msg.set_verdict(nfq::Verdict::Queue(self.cfg.route_queue)),
            }
        }
        self.q.verdict(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_ranges() {
        assert_eq!(parse_queue_arg("3").expect("ok"), [3]);
        assert_eq!(parse_queue_arg("0:3").expect("ok"), [0, 1, 2, 3]);
        assert!(parse_queue_arg("3:1").is_err());
        assert!(parse_queue_arg("x").is_err());
        assert!(parse_queue_arg("70000").is_err());
    }

    #[test]
    fn proc_table_parses() {
        let t = "    0  12345     2 2 65535     7     1       99  1\n    5  777     0 2 65535     0     0       10  1\n";
        assert_eq!(parse_queue_stats(t, 0), Some(QueueStats { waiting: 2, queue_dropped: 7, user_dropped: 1, id_sequence: 99 }));
        assert_eq!(parse_queue_stats(t, 5).map(|s| s.id_sequence), Some(10));
        assert_eq!(parse_queue_stats(t, 6), None);
    }
}
