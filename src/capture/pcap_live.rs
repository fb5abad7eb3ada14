//! `--pcap IFACE`: live capture through libpcap, one reader feeding the dispatcher (libpcap
//! cannot join a fanout group, so there is one socket per interface). Used where AF_PACKET
//! is not wanted or not available.

use crate::capture::{CaptureError, Frame, LinkType, PacketSource};
use crate::time::Timestamp;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Read timeout, so the reader notices a shutdown request while the link is quiet.
const READ_TIMEOUT_MS: i32 = 100;

/// A live libpcap capture that ends cleanly when `stop` is set.
pub struct PcapLive {
    cap: pcap::Capture<pcap::Active>,
    link: LinkType,
    iface: String,
    stop: Arc<AtomicBool>,
    count: u64,
}

impl PcapLive {
    /// Opens `iface` (promiscuous if asked) with an optional tcpdump-syntax filter.
    pub fn open(iface: &str, promisc: bool, filter: Option<&str>, stop: Arc<AtomicBool>) -> Result<PcapLive, CaptureError> {
        let err = |reason: String| CaptureError { source: PathBuf::from(iface), reason };
        let mut cap = pcap::Capture::from_device(iface)
            .map_err(|e| err(e.to_string()))?
            .promisc(promisc)
            .snaplen(65535)
            .timeout(READ_TIMEOUT_MS)
            .immediate_mode(true)
            .buffer_size(16 << 20)
            .open()
            .map_err(|e| err(format!("libpcap open: {e}")))?;
        if let Some(f) = filter {
            cap.filter(f, true).map_err(|e| err(format!("bpf filter '{f}': {e}")))?;
        }
        let link = LinkType::from_pcap(cap.get_datalink().0 as u32);
        Ok(PcapLive { cap, link, iface: iface.to_string(), stop, count: 0 })
    }

    /// Kernel counters as libpcap reports them: (received, dropped by the kernel).
    pub fn kernel_stats(&mut self) -> Option<(u64, u64)> {
        self.cap.stats().ok().map(|s| (u64::from(s.received), u64::from(s.dropped)))
    }
}

impl PacketSource for PcapLive {
    fn next_frame(&mut self, frame: &mut Frame) -> Result<bool, CaptureError> {
        loop {
            if self.stop.load(Ordering::Relaxed) || crate::capture::shutdown::requested() {
                return Ok(false);
            }
            match self.cap.next_packet() {
                Ok(p) => {
                    self.count += 1;
                    frame.ts = Timestamp::from_parts(p.header.ts.tv_sec, p.header.ts.tv_usec.clamp(0, 999_999) as u32);
                    frame.link = self.link;
                    frame.data.clear();
                    frame.data.extend_from_slice(p.data);
                    frame.orig_len = p.header.len;
                    frame.pcap_cnt = self.count;
                    return Ok(true);
                }
                Err(pcap::Error::TimeoutExpired) => continue,
                Err(e) => return Err(CaptureError { source: PathBuf::from(&self.iface), reason: e.to_string() }),
            }
        }
    }
}
