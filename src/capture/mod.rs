//! Where frames come from. No parsing happens here: a source hands out timestamped frames with
//! their link type, and everything after the source is shared by offline and live modes.

pub mod afpacket;
pub mod pcap_file;
pub mod pcap_live;
pub mod progress; // -r progress bar (bench)
pub mod shutdown;

use crate::time::Timestamp;
use std::fmt;
use std::path::PathBuf;

/// The link-layer type of a frame (pcap `LINKTYPE_*` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// LINKTYPE_ETHERNET (1).
    Ethernet,
    /// LINKTYPE_NULL (0): BSD loopback, 4-byte host-order family.
    Null,
    /// LINKTYPE_LOOP (108): OpenBSD loopback, 4-byte network-order family.
    Loop,
    /// LINKTYPE_RAW (101, also DLT 12/14): raw IPv4 or IPv6.
    Raw,
    /// LINKTYPE_IPV4 (228).
    Ipv4,
    /// LINKTYPE_IPV6 (229).
    Ipv6,
    /// LINKTYPE_LINUX_SLL (113).
    LinuxSll,
    /// LINKTYPE_LINUX_SLL2 (276).
    LinuxSll2,
    /// Anything else; frames of this type are counted and skipped.
    Other(u32),
}

impl LinkType {
    /// Maps a pcap/pcapng link-type number.
    pub fn from_pcap(n: u32) -> LinkType {
        match n {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            276 => LinkType::LinuxSll2,
            other => LinkType::Other(other),
        }
    }

    /// The pcap number of this link type (Suricata's EVE `pkthdr`/`packet_info.linktype`).
    pub fn to_pcap(self) -> u32 {
        match self {
            LinkType::Null => 0,
            LinkType::Ethernet => 1,
            LinkType::Raw => 101,
            LinkType::Loop => 108,
            LinkType::LinuxSll => 113,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
            LinkType::LinuxSll2 => 276,
            LinkType::Other(n) => n,
        }
    }
}

/// One captured frame. Sources fill a caller-owned `Frame` so its buffer is reused and the
/// read loop does not allocate per packet.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type of `data`.
    pub link: LinkType,
    /// The captured bytes (possibly shorter than `orig_len`).
    pub data: Vec<u8>,
    /// Length of the packet on the wire.
    pub orig_len: u32,
    /// 1-based index of this frame in its source (Suricata's `pcap_cnt`).
    pub pcap_cnt: u64,
}

impl Frame {
    /// An empty frame with room for a jumbo frame.
    pub fn new() -> Frame {
        Frame { ts: Timestamp::default(), link: LinkType::Ethernet, data: Vec::with_capacity(9216), orig_len: 0, pcap_cnt: 0 }
    }
}

impl Default for Frame {
    fn default() -> Self {
        Frame::new()
    }
}

/// A source of frames: a capture file, a directory of them, or a live interface.
pub trait PacketSource: Send {
    /// Fills `frame` with the next frame. `Ok(false)` at the clean end of input. An `Err` means
    /// the source cannot go on (truncated or corrupt file); every frame before the damage has
    /// already been returned.
    fn next_frame(&mut self, frame: &mut Frame) -> Result<bool, CaptureError>;
}

/// Why a capture source stopped.
#[derive(Debug)]
pub struct CaptureError {
    /// The file or interface.
    pub source: PathBuf,
    /// What went wrong, for a human.
    pub reason: String,
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source.display(), self.reason)
    }
}

impl std::error::Error for CaptureError {}
