//! Live capture on Linux with AF_PACKET: a TPACKET_V3 memory-mapped receive ring per socket and
//! PACKET_FANOUT, so N workers each own a socket and the kernel spreads flows over them (hash
//! mode keeps both directions of a flow on one socket, as Suricata's `cluster_flow`).
//!
//! ```text
//!  NIC ─► kernel ─► fanout group <cluster-id> ─┬─► socket 0 ─► ring 0 (blocks) ─► worker 0
//!                     (hash of the flow)       └─► socket 1 ─► ring 1 (blocks) ─► worker 1
//! ```
//!
//! The ring is `block_nr` blocks of `block_size` bytes. The kernel fills a block with packets
//! and hands it to user space by setting `TP_STATUS_USER` in the block header (when it is full
//! or after `retire_blk_tov` ms); the reader walks every packet of the block in place (no copy)
//! and gives the block back by writing `TP_STATUS_KERNEL`. A block the reader still holds is
//! never touched by the kernel, so the borrowed packet bytes stay valid until release.
//!
//! This is the one module of the crate (with `ips::raw`) that uses `unsafe`: socket options,
//! `mmap` and reads of the kernel-shared ring. Every block says why it is sound.
#![allow(unsafe_code)]

use crate::capture::LinkType;
use crate::time::Timestamp;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{fence, AtomicU32, Ordering};

const SOL_PACKET: libc::c_int = 263;
const PACKET_ADD_MEMBERSHIP: libc::c_int = 1;
const PACKET_RX_RING: libc::c_int = 5;
const PACKET_STATISTICS: libc::c_int = 6;
const PACKET_VERSION: libc::c_int = 10;
const PACKET_FANOUT: libc::c_int = 18;
const PACKET_MR_PROMISC: libc::c_ushort = 1;
const TPACKET_V3: libc::c_int = 2;
const SO_ATTACH_FILTER: libc::c_int = 26;
const ETH_P_ALL: u16 = 0x0003;
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
const PACKET_FANOUT_FLAG_DEFRAG: u32 = 0x8000;
const TP_STATUS_VLAN_VALID: u32 = 0x10;
const TP_STATUS_VLAN_TPID_VALID: u32 = 0x40;
const ETH_P_8021Q: u16 = 0x8100;

/// Offsets in `struct tpacket_block_desc` (version, offset_to_priv, then `tpacket_hdr_v1`).
mod block {
    pub const STATUS: usize = 8;
    pub const NUM_PKTS: usize = 12;
    pub const FIRST_PKT: usize = 16;
}
/// Offsets in `struct tpacket3_hdr`.
mod pkt {
    pub const NEXT: usize = 0;
    pub const SEC: usize = 4;
    pub const NSEC: usize = 8;
    pub const SNAPLEN: usize = 12;
    pub const LEN: usize = 16;
    pub const STATUS: usize = 20;
    pub const MAC: usize = 24;
    pub const VLAN_TCI: usize = 32;
    pub const VLAN_TPID: usize = 36;
}

/// `struct tpacket_req3`.
#[repr(C)]
struct TpacketReq3 {
    block_size: u32,
    block_nr: u32,
    frame_size: u32,
    frame_nr: u32,
    retire_blk_tov: u32,
    sizeof_priv: u32,
    feature_req_word: u32,
}

/// `struct tpacket_stats_v3`.
#[repr(C)]
#[derive(Default)]
struct TpacketStatsV3 {
    packets: u32,
    drops: u32,
    freeze_q_cnt: u32,
}

/// `struct packet_mreq`.
#[repr(C)]
struct PacketMreq {
    ifindex: libc::c_int,
    kind: libc::c_ushort,
    alen: libc::c_ushort,
    address: [u8; 8],
}

/// How the kernel spreads packets over the sockets of one fanout group (Suricata's
/// `cluster-type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutMode {
    /// `cluster_flow`: hash of the flow (both directions to one socket); IP fragments are
    /// reassembled by the kernel first so they hash like the flow.
    Hash,
    /// `cluster_cpu`: the CPU that handled the packet.
    Cpu,
    /// `cluster_qm`: the NIC's receive queue.
    QueueMapping,
    /// `cluster_round_robin`: round robin (breaks flows over workers; for tests only).
    RoundRobin,
    /// `cluster_random`.
    Random,
}

impl FanoutMode {
    /// Parses Suricata's `cluster-type` spelling.
    pub fn parse(s: &str) -> Option<FanoutMode> {
        Some(match s {
            "cluster_flow" | "cluster_hash" | "hash" => FanoutMode::Hash,
            "cluster_cpu" | "cpu" => FanoutMode::Cpu,
            "cluster_qm" | "qm" => FanoutMode::QueueMapping,
            "cluster_round_robin" | "lb" => FanoutMode::RoundRobin,
            "cluster_random" | "random" => FanoutMode::Random,
            _ => return None,
        })
    }

    fn kernel_value(self) -> u32 {
        match self {
            FanoutMode::Hash => PACKET_FANOUT_FLAG_DEFRAG,
            FanoutMode::RoundRobin => 1,
            FanoutMode::Cpu => 2,
            FanoutMode::Random => 4,
            FanoutMode::QueueMapping => 5,
        }
    }
}

/// Settings of one AF_PACKET socket.
#[derive(Clone, Debug)]
pub struct RingConfig {
    /// Interface name.
    pub iface: String,
    /// Bytes per ring block (power of two, multiple of the page size).
    pub block_size: u32,
    /// Frames per socket (Suricata's `ring-size`); the ring gets enough blocks for them at
    /// [`FRAME_SIZE`] bytes each.
    pub ring_size: u32,
    /// Block retire timeout in ms: a partly filled block is handed over after this long.
    pub block_timeout_ms: u32,
    /// Put the interface in promiscuous mode (for as long as the socket lives).
    pub promisc: bool,
    /// Fanout group id (Suricata's `cluster-id`), shared by all sockets of the interface.
    pub cluster_id: u16,
    /// Fanout mode.
    pub fanout: FanoutMode,
    /// Classic BPF program to attach (already compiled), if any.
    pub bpf: Option<Vec<BpfInsn>>,
}

/// Nominal frame size used to size the ring from `ring-size` (frames are variable in V3).
pub const FRAME_SIZE: u32 = 2048;
/// Upper bound on the ring of one socket (bytes), against a config asking for gigabytes.
pub const MAX_RING_BYTES: u64 = 1 << 30;

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BpfInsn {
    /// Opcode.
    pub code: u16,
    /// Jump if true.
    pub jt: u8,
    /// Jump if false.
    pub jf: u8,
    /// Constant.
    pub k: u32,
}

/// Compiles a tcpdump-syntax filter for Ethernet frames with libpcap.
pub fn compile_bpf(filter: &str) -> Result<Vec<BpfInsn>, String> {
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).map_err(|e| format!("libpcap: {e}"))?;
    let prog = cap.compile(filter, true).map_err(|e| format!("bpf filter '{filter}': {e}"))?;
    Ok(prog
        .get_instructions()
        .iter()
        .map(|i| {
            let (code, jt, jf, k) = bpf_fields(i);
            BpfInsn { code, jt, jf, k }
        })
        .collect())
}

/// Fields of a libpcap instruction. `pcap::BpfInstruction` is `#[repr(transparent)]` over
/// `struct bpf_insn { u_short code; u_char jt; u_char jf; bpf_u_int32 k; }`, 8 bytes.
fn bpf_fields(i: &pcap::BpfInstruction) -> (u16, u8, u8, u32) {
    const _: () = assert!(std::mem::size_of::<pcap::BpfInstruction>() == 8);
    // SAFETY: `i` is a valid reference to an 8-byte `repr(transparent)` wrapper of
    // `struct bpf_insn` (size asserted above); reading its bytes is reading initialised memory.
    let b: [u8; 8] = unsafe { std::ptr::read_unaligned(i as *const pcap::BpfInstruction as *const [u8; 8]) };
    (u16::from_ne_bytes([b[0], b[1]]), b[2], b[3], u32::from_ne_bytes([b[4], b[5], b[6], b[7]]))
}

/// Kernel counters of one socket since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelStats {
    /// Packets the kernel passed to the socket (after the filter), dropped ones included.
    pub packets: u64,
    /// Packets dropped because the ring was full.
    pub drops: u64,
}

/// What [`AfPacket::next_block`] calls per packet: (timestamp, link type, captured bytes,
/// length on the wire).
pub type OnFrame<'a> = dyn FnMut(Timestamp, LinkType, &[u8], u32) + 'a;

/// An AF_PACKET socket with its mapped TPACKET_V3 ring.
pub struct AfPacket {
    fd: OwnedFd,
    ring: *mut u8,
    ring_len: usize,
    block_size: usize,
    block_nr: usize,
    /// Next block to look at.
    cur: usize,
    stats: KernelStats,
    iface: String,
    /// A frame with its VLAN tag put back (the kernel strips it into the header).
    vlan_buf: Vec<u8>,
}

// SAFETY: the ring mapping is owned by this value alone (no other handle to it exists in
// the process) and the kernel side synchronises through the block status word; moving the
// owner to another thread is fine.
unsafe impl Send for AfPacket {}

fn os_err(what: &str, iface: &str) -> String {
    format!("{iface}: {what}: {}", io::Error::last_os_error())
}

fn setsockopt<T>(fd: RawFd, level: libc::c_int, name: libc::c_int, val: &T) -> io::Result<()> {
    // SAFETY: `val` points to a live `T` of `size_of::<T>()` bytes for the whole call; the
    // kernel only reads it.
    let r = unsafe { libc::setsockopt(fd, level, name, val as *const T as *const libc::c_void, std::mem::size_of::<T>() as libc::socklen_t) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The interface index of `name`, or an error naming it.
pub fn ifindex(name: &str) -> Result<i32, String> {
    let c = CString::new(name).map_err(|_| format!("{name}: bad interface name"))?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        return Err(format!("{name}: no such interface"));
    }
    i32::try_from(idx).map_err(|_| format!("{name}: interface index {idx} out of range"))
}

impl AfPacket {
    /// Opens a socket on `cfg.iface`, maps its ring, attaches the filter, binds and joins the
    /// fanout group. Needs CAP_NET_RAW.
    pub fn open(cfg: &RingConfig) -> Result<AfPacket, String> {
        let iface = cfg.iface.as_str();
        let idx = ifindex(iface)?;
        // Protocol 0: the socket receives nothing until `bind` names the interface and
        // ETH_P_ALL, so no packet of another interface lands in the ring meanwhile.
        // SAFETY: plain syscall; the returned descriptor is checked and then owned.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(os_err("socket(AF_PACKET)", iface));
        }
        // SAFETY: `raw` is a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let f = fd.as_raw_fd();
        setsockopt(f, SOL_PACKET, PACKET_VERSION, &TPACKET_V3).map_err(|e| format!("{iface}: TPACKET_V3: {e}"))?;
        if let Some(prog) = &cfg.bpf {
            attach_bpf(f, prog).map_err(|e| format!("{iface}: SO_ATTACH_FILTER: {e}"))?;
        }
        let page = 4096u32;
        let block_size = cfg.block_size.max(page).next_power_of_two();
        let frames_per_block = (block_size / FRAME_SIZE).max(1);
        let block_nr = cfg.ring_size.max(1).div_ceil(frames_per_block).max(2);
        if u64::from(block_size) * u64::from(block_nr) > MAX_RING_BYTES {
            return Err(format!("{iface}: ring of {block_nr} x {block_size} bytes is over {MAX_RING_BYTES} bytes"));
        }
        let req = TpacketReq3 {
            block_size,
            block_nr,
            frame_size: FRAME_SIZE,
            frame_nr: block_nr * frames_per_block,
            retire_blk_tov: cfg.block_timeout_ms.max(1),
            sizeof_priv: 0,
            feature_req_word: 0,
        };
        setsockopt(f, SOL_PACKET, PACKET_RX_RING, &req).map_err(|e| format!("{iface}: PACKET_RX_RING ({block_nr} blocks of {block_size}): {e}"))?;
        let ring_len = block_size as usize * block_nr as usize;
        // SAFETY: maps the ring the kernel just allocated for this socket; length and
        // descriptor are the ones it was set up with; the result is checked.
        let ring = unsafe { libc::mmap(std::ptr::null_mut(), ring_len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, f, 0) };
        if ring == libc::MAP_FAILED {
            return Err(os_err("mmap ring", iface));
        }
        let mut me = AfPacket {
            fd,
            ring: ring as *mut u8,
            ring_len,
            block_size: block_size as usize,
            block_nr: block_nr as usize,
            cur: 0,
            stats: KernelStats::default(),
            iface: iface.to_string(),
            vlan_buf: Vec::with_capacity(block_size as usize),
        };
        // SAFETY: all-zero is a valid `sockaddr_ll`.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = idx;
        // SAFETY: `sll` is a valid `sockaddr_ll` that outlives the call, with its exact size.
        let r = unsafe { libc::bind(f, &sll as *const libc::sockaddr_ll as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t) };
        if r != 0 {
            return Err(os_err("bind", iface));
        }
        if cfg.promisc {
            let mreq = PacketMreq { ifindex: idx, kind: PACKET_MR_PROMISC, alen: 0, address: [0; 8] };
            setsockopt(f, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq).map_err(|e| format!("{iface}: promiscuous mode: {e}"))?;
        }
        let fanout: u32 = u32::from(cfg.cluster_id) | (cfg.fanout.kernel_value() << 16);
        setsockopt(f, SOL_PACKET, PACKET_FANOUT, &fanout).map_err(|e| format!("{iface}: PACKET_FANOUT cluster-id {}: {e} (another program uses this cluster-id with other settings?)", cfg.cluster_id))?;
        // Counters start from the moment the socket is ready: drop what the kernel counted
        // between socket() and bind.
        let _ = me.read_kernel_stats();
        me.stats = KernelStats::default();
        Ok(me)
    }

    /// The interface this socket captures on.
    pub fn iface(&self) -> &str {
        &self.iface
    }

    /// Waits up to `timeout_ms` for a ready block. `Ok(false)` on timeout; an error if the
    /// interface went away or the socket failed.
    pub fn wait(&mut self, timeout_ms: i32) -> Result<bool, String> {
        if self.block_ready(self.cur) {
            return Ok(true);
        }
        let mut pfd = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN | libc::POLLERR, revents: 0 };
        // SAFETY: one valid pollfd for the duration of the call.
        let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(false);
            }
            return Err(format!("{}: poll: {e}", self.iface));
        }
        if pfd.revents & (libc::POLLERR | libc::POLLNVAL | libc::POLLHUP) != 0 && !self.block_ready(self.cur) {
            return Err(format!("{}: socket error (interface down or removed?)", self.iface));
        }
        Ok(self.block_ready(self.cur))
    }

    fn status_word(&self, b: usize) -> &AtomicU32 {
        debug_assert!(b < self.block_nr);
        // SAFETY: `b < block_nr`, so the block header lies inside the mapping, which lives as
        // long as `self`; the offset is 4-aligned within a page-aligned block; the kernel
        // writes this word concurrently, hence atomic access only.
        unsafe { &*(self.ring.add(b * self.block_size + block::STATUS) as *const AtomicU32) }
    }

    fn block_ready(&self, b: usize) -> bool {
        self.status_word(b).load(Ordering::Acquire) & TP_STATUS_USER != 0
    }

    /// Hands every packet of the current block (if ready) to `each` as (timestamp, link
    /// type, captured bytes, wire length), then gives the block back to the kernel. Returns
    /// the number of packets. Malformed offsets from the kernel end the block early rather
    /// than read outside it.
    pub fn next_block(&mut self, each: &mut OnFrame<'_>) -> usize {
        let b = self.cur;
        if !self.block_ready(b) {
            return 0;
        }
        // SAFETY: the block is owned by user space while TP_STATUS_USER is set (acquire
        // load above), so the kernel does not write it until we release it below; the slice
        // covers exactly this block inside the mapping.
        let blk: &[u8] = unsafe { std::slice::from_raw_parts(self.ring.add(b * self.block_size), self.block_size) };
        let rd = |off: usize| -> Option<u32> { blk.get(off..off + 4).map(|s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]])) };
        let rd16 = |off: usize| -> Option<u16> { blk.get(off..off + 2).map(|s| u16::from_ne_bytes([s[0], s[1]])) };
        let n = rd(block::NUM_PKTS).unwrap_or(0) as usize;
        let mut off = rd(block::FIRST_PKT).unwrap_or(0) as usize;
        let mut done = 0;
        for _ in 0..n {
            let (Some(next), Some(sec), Some(nsec), Some(snap), Some(len), Some(mac)) =
                (rd(off + pkt::NEXT), rd(off + pkt::SEC), rd(off + pkt::NSEC), rd(off + pkt::SNAPLEN), rd(off + pkt::LEN), rd16(off + pkt::MAC))
            else {
                break;
            };
            let start = off + mac as usize;
            let Some(data) = blk.get(start..start + snap as usize) else { break };
            let ts = Timestamp::from_parts(i64::from(sec), nsec / 1000);
            let status = rd(off + pkt::STATUS).unwrap_or(0);
            match (status & TP_STATUS_VLAN_VALID != 0, rd(off + pkt::VLAN_TCI), data.len() >= 12) {
                (true, Some(tci), true) => {
                    // The NIC or kernel took the 802.1Q tag off; put it back where it was.
                    let tpid = if status & TP_STATUS_VLAN_TPID_VALID != 0 { rd16(off + pkt::VLAN_TPID).unwrap_or(ETH_P_8021Q) } else { ETH_P_8021Q };
                    self.vlan_buf.clear();
                    self.vlan_buf.extend_from_slice(&data[..12]);
                    self.vlan_buf.extend_from_slice(&tpid.to_be_bytes());
                    self.vlan_buf.extend_from_slice(&(tci as u16).to_be_bytes());
                    self.vlan_buf.extend_from_slice(&data[12..]);
                    each(ts, LinkType::Ethernet, &self.vlan_buf, len + 4);
                }
                _ => each(ts, LinkType::Ethernet, data, len),
            }
            done += 1;
            if next == 0 {
                break;
            }
            off += next as usize;
        }
        fence(Ordering::Release);
        self.status_word(b).store(TP_STATUS_KERNEL, Ordering::Release);
        self.cur = (b + 1) % self.block_nr;
        done
    }

    /// Reads the kernel counters (PACKET_STATISTICS resets them on read, so they are added
    /// up here) and returns the totals since open.
    pub fn read_kernel_stats(&mut self) -> KernelStats {
        let mut s = TpacketStatsV3::default();
        let mut len = std::mem::size_of::<TpacketStatsV3>() as libc::socklen_t;
        // SAFETY: `s` and `len` are valid for writes and `len` is the size of `s`.
        let r = unsafe { libc::getsockopt(self.fd.as_raw_fd(), SOL_PACKET, PACKET_STATISTICS, &mut s as *mut TpacketStatsV3 as *mut libc::c_void, &mut len) };
        if r == 0 {
            // tp_packets counts drops too (kernel: packets += drops on read).
            self.stats.packets += u64::from(s.packets);
            self.stats.drops += u64::from(s.drops);
        }
        self.stats
    }
}

impl Drop for AfPacket {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `open`; no borrow of it outlives `self`.
        unsafe { libc::munmap(self.ring as *mut libc::c_void, self.ring_len) };
    }
}

fn attach_bpf(fd: RawFd, prog: &[BpfInsn]) -> io::Result<()> {
    let mut insns: Vec<libc::sock_filter> = prog.iter().map(|i| libc::sock_filter { code: i.code, jt: i.jt, jf: i.jf, k: i.k }).collect();
    let len = u16::try_from(insns.len()).map_err(|_| io::Error::other("BPF program too long"))?;
    let fprog = libc::sock_fprog { len, filter: insns.as_mut_ptr() };
    // The kernel copies the program during the call; `insns` outlives it.
    setsockopt(fd, libc::SOL_SOCKET, SO_ATTACH_FILTER, &fprog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_types_parse() {
        assert_eq!(FanoutMode::parse("cluster_flow"), Some(FanoutMode::Hash));
        assert_eq!(FanoutMode::parse("cluster_qm"), Some(FanoutMode::QueueMapping));
        assert_eq!(FanoutMode::parse("cluster_ebpf"), None);
    }

    #[test]
    fn bpf_compiles_with_libpcap() {
        let p = compile_bpf("tcp port 80").expect("compiles");
        assert!(p.len() > 4, "{p:?}");
        // The last instructions return: accept (snaplen) or reject (0).
        assert!(p.iter().any(|i| i.code == 0x06 && i.k == 0));
        assert!(compile_bpf("tcp port eighty").is_err());
    }

    #[test]
    fn missing_interface_is_a_clear_error() {
        let cfg = RingConfig {
            iface: "rampart-nope0".into(),
            block_size: 1 << 17,
            ring_size: 2048,
            block_timeout_ms: 10,
            promisc: false,
            cluster_id: 99,
            fanout: FanoutMode::Hash,
            bpf: None,
        };
        let e = AfPacket::open(&cfg).err().expect("fails");
        assert!(e.contains("no such interface"), "{e}");
    }
}
