//! Offline capture files: pcap and pcapng, a single file or a directory read in name order.
//!
//! # Contract
//! - Formats: classic pcap in both byte orders with micro- or nanosecond timestamps (magics
//!   `a1b2c3d4` / `a1b23c4d`), and pcapng with any number of sections and interfaces, each
//!   interface with its own link type, `if_tsresol` and `if_tsoffset`. Parsing is done by the
//!   `pcap-parser` crate's streaming readers; this module adds file handling, limits and
//!   error reporting.
//! - A directory is read as every regular file in it whose first four bytes are a pcap or
//!   pcapng magic, in byte-wise name order; other files are skipped. `pcap_cnt` runs on across
//!   the files (1-based over the whole source).
//! - Memory is bounded: the read buffer starts at [`INITIAL_BUFFER`] and grows only as far as
//!   [`MAX_RECORD`] for a single record/block; a record claiming more is reported as corrupt.
//!   [`PacketSource::next_frame`] copies the frame into the caller's reusable [`Frame`] and
//!   allocates nothing else per packet.
//! - Damage: every frame before a truncated or corrupt record is returned; the next call then
//!   returns a [`CaptureError`] naming the file and the byte offset of the bad record
//!   ("truncated record at offset N ..."). An empty file and a file that is no capture at all
//!   are errors at [`PcapSource::open`] (or when the directory walk reaches them).

use super::{CaptureError, Frame, LinkType, PacketSource};
use crate::time::Timestamp;
use pcap_parser::pcapng::Block;
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Initial read-buffer size.
pub const INITIAL_BUFFER: usize = 256 * 1024;
/// Largest single pcap record or pcapng block accepted (bytes). libpcap's own maximum snap
/// length is 256 KiB; pcapng blocks may carry options, so we allow well over that.
pub const MAX_RECORD: usize = 16 * 1024 * 1024;

/// pcap magics as read little-endian from the first four bytes.
const MAGIC_PCAP_US_LE: u32 = 0xa1b2_c3d4;
const MAGIC_PCAP_US_BE: u32 = 0xd4c3_b2a1;
const MAGIC_PCAP_NS_LE: u32 = 0xa1b2_3c4d;
const MAGIC_PCAP_NS_BE: u32 = 0x4d3c_b2a1;
const MAGIC_PCAP_MOD_LE: u32 = 0xa1b2_cd34;
const MAGIC_PCAP_MOD_BE: u32 = 0x34cd_b2a1;
const MAGIC_PCAPNG: u32 = 0x0a0d_0d0a;

/// The capture format of a file, from its magic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Pcap { big_endian: bool },
    PcapNg,
}

fn sniff(magic: [u8; 4]) -> Option<Format> {
    match u32::from_le_bytes(magic) {
        MAGIC_PCAP_US_LE | MAGIC_PCAP_NS_LE | MAGIC_PCAP_MOD_LE => Some(Format::Pcap { big_endian: false }),
        MAGIC_PCAP_US_BE | MAGIC_PCAP_NS_BE | MAGIC_PCAP_MOD_BE => Some(Format::Pcap { big_endian: true }),
        MAGIC_PCAPNG => Some(Format::PcapNg),
        _ => None,
    }
}

/// Per-interface parameters of a pcapng section.
#[derive(Clone, Copy, Debug)]
struct Iface {
    link: LinkType,
    /// Timestamp units per second.
    resolution: u64,
    /// Seconds added to every timestamp.
    offset: i64,
}

/// The file currently being read.
struct Open {
    path: PathBuf,
    reader: Box<dyn PcapReaderIterator + Send>,
    format: Format,
    /// Classic pcap: link type and timestamp resolution from the file header.
    pcap_link: LinkType,
    pcap_nanos: bool,
    /// pcapng: interfaces of the current section, by id.
    ifaces: Vec<Iface>,
    /// Last timestamp seen (simple packet blocks carry none).
    last_ts: Timestamp,
    /// Frames returned from this file.
    frames: u64,
    /// Current read-buffer capacity.
    buf_cap: usize,
    /// pcapng: byte order of the current section.
    ng_big_endian: bool,
}

/// Reads one capture file, or every capture in a directory in name order.
pub struct PcapSource {
    /// Files still to open, in reverse order (pop from the end).
    pending: Vec<PathBuf>,
    current: Option<Open>,
    /// Frames returned so far over all files.
    count: u64,
    /// Set once an error was returned: the source stays stopped.
    failed: bool,
    /// Bytes of the files already read to their end (progress).
    bytes_done: u64,
    /// Sum of the files' sizes; `None` when one is no regular file (a FIFO) (progress).
    bytes_total: Option<u64>,
}

fn err(path: &Path, reason: impl Into<String>) -> CaptureError {
    CaptureError { source: path.to_path_buf(), reason: reason.into() }
}

/// Reads the first four bytes of `path` (fewer if the file is shorter).
fn read_magic(path: &Path) -> std::io::Result<(usize, [u8; 4])> {
    let mut f = File::open(path)?;
    let mut m = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        let got = f.read(&mut m[n..])?;
        if got == 0 {
            break;
        }
        n += got;
    }
    Ok((n, m))
}

impl PcapSource {
    /// Opens `path` (a file, or a directory of `*.pcap`/`*.pcapng`/`*.cap`, recognised by
    /// content). The first file is opened and checked here, so an empty or non-capture file
    /// fails at once.
    pub fn open(path: &Path) -> Result<PcapSource, CaptureError> {
        let meta = std::fs::metadata(path).map_err(|e| err(path, format!("cannot open: {e}")))?;
        let mut files = Vec::new();
        if meta.is_dir() {
            let rd = std::fs::read_dir(path).map_err(|e| err(path, format!("cannot read directory: {e}")))?;
            for entry in rd {
                let entry = entry.map_err(|e| err(path, format!("cannot read directory: {e}")))?;
                let p = entry.path();
                let is_file = std::fs::metadata(&p).map(|m| m.is_file()).unwrap_or(false);
                if !is_file {
                    continue;
                }
                match read_magic(&p) {
                    Ok((4, m)) if sniff(m).is_some() => files.push(p),
                    _ => tracing::debug!(file = %p.display(), "skipping non-capture file in directory"),
                }
            }
            if files.is_empty() {
                return Err(err(path, "directory contains no pcap or pcapng files"));
            }
            files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        } else {
            files.push(path.to_path_buf());
        }
        files.reverse();
        let bytes_total = files.iter().try_fold(0u64, |sum, p| std::fs::metadata(p).ok().filter(|m| m.is_file()).map(|m| sum.saturating_add(m.len())));
        let mut src = PcapSource { pending: files, current: None, count: 0, failed: false, bytes_done: 0, bytes_total };
        src.open_next()?;
        Ok(src)
    }

    /// Bytes read so far over all files (file headers included), for a progress display.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_done.saturating_add(self.current.as_ref().map_or(0, |c| c.reader.consumed() as u64))
    }

    /// The capture's size in bytes (every file's), or `None` when it is not known (a FIFO).
    pub fn bytes_total(&self) -> Option<u64> {
        self.bytes_total
    }

    /// Opens the next pending file into `current`. `Ok(false)` when none is left.
    fn open_next(&mut self) -> Result<bool, CaptureError> {
        self.current = None;
        let Some(path) = self.pending.pop() else { return Ok(false) };
        self.current = Some(open_file(&path)?);
        Ok(true)
    }
}

fn open_file(path: &Path) -> Result<Open, CaptureError> {
    // One open and the magic read from it: a FIFO cannot be opened twice (see
    // `open_with_header`).
    let mut file = File::open(path).map_err(|e| err(path, format!("cannot open: {e}")))?;
    let mut head = Vec::with_capacity(64);
    read_up_to(&mut file, &mut head, 4).map_err(|e| err(path, format!("cannot read: {e}")))?;
    let n = head.len();
    let mut magic = [0u8; 4];
    magic[..n].copy_from_slice(&head);
    if n == 0 {
        return Err(err(path, "empty file (not a pcap or pcapng capture)"));
    }
    if n < 4 {
        return Err(err(path, format!("file too short ({n} bytes) to be a pcap or pcapng capture")));
    }
    let Some(format) = sniff(magic) else {
        return Err(err(
            path,
            format!("not a pcap or pcapng file (magic {:02x}{:02x}{:02x}{:02x})", magic[0], magic[1], magic[2], magic[3]),
        ));
    };
    let file = open_with_header(file, head, format).map_err(|e| err(path, format!("cannot read: {e}")))?;
    let reader: Box<dyn PcapReaderIterator + Send> = match format {
        Format::Pcap { .. } => match LegacyPcapReader::new(INITIAL_BUFFER, file) {
            Ok(r) => Box::new(r),
            Err(e) => return Err(err(path, format!("bad pcap file header: {}", describe(&e)))),
        },
        Format::PcapNg => match PcapNGReader::new(INITIAL_BUFFER, file) {
            Ok(r) => Box::new(r),
            Err(e) => return Err(err(path, format!("bad pcapng section header: {}", describe(&e)))),
        },
    };
    Ok(Open {
        path: path.to_path_buf(),
        reader,
        format,
        pcap_link: LinkType::Ethernet,
        pcap_nanos: false,
        ifaces: Vec::new(),
        last_ts: Timestamp::default(),
        frames: 0,
        buf_cap: INITIAL_BUFFER,
        ng_big_endian: false,
    })
}

/// Given `f` opened once with its first bytes already in `head`, reads the file header (classic pcap) or section header block
/// (pcapng) into memory, returning a reader that yields those bytes and then the rest of the
/// file. The parsers look for the whole header in their first read, and a FIFO or a pipe
/// (`-r` on a named pipe fed by another program) can neither be opened twice nor be trusted
/// to deliver a header in one read. Files shorter than their header yield what they have.
fn open_with_header(mut f: File, mut head: Vec<u8>, format: Format) -> std::io::Result<std::io::Chain<std::io::Cursor<Vec<u8>>, File>> {
    match format {
        Format::Pcap { .. } => read_up_to(&mut f, &mut head, 24)?,
        Format::PcapNg => {
            read_up_to(&mut f, &mut head, 12)?;
            if let (Some(l), Some(bom)) = (head.get(4..8), head.get(8..12)) {
                let l = [l[0], l[1], l[2], l[3]];
                let len = if bom == [0x1a, 0x2b, 0x3c, 0x4d] { u32::from_be_bytes(l) } else { u32::from_le_bytes(l) } as usize;
                // A corrupt length is reported by the parser; only read what is plausible.
                if len <= MAX_RECORD {
                    read_up_to(&mut f, &mut head, len)?;
                }
            }
        }
    }
    Ok(std::io::Cursor::new(head).chain(f))
}

/// Reads from `f` until `buf` holds `want` bytes or the input ends.
fn read_up_to(f: &mut File, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
    let mut chunk = [0u8; 512];
    while buf.len() < want {
        let n = (want - buf.len()).min(chunk.len());
        match f.read(&mut chunk[..n]) {
            Ok(0) => break,
            Ok(got) => buf.extend_from_slice(&chunk[..got]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn describe<I>(e: &PcapError<I>) -> String {
    match e {
        PcapError::Eof | PcapError::UnexpectedEof | PcapError::Incomplete(_) => "file ends inside it".to_string(),
        PcapError::ReadError => "read error".to_string(),
        PcapError::BufferTooSmall => "record too large".to_string(),
        PcapError::HeaderNotRecognized => "header not recognised".to_string(),
        PcapError::NomError(_, k) | PcapError::OwnedNomError(_, k) => format!("malformed ({k:?})"),
    }
}

/// Units per second for a pcapng `if_tsresol` (bit 7 clear: 10^-n s, set: 2^-n s). Done here
/// because pcap-parser 0.17 rejects every binary resolution.
fn ts_resolution(tsresol: u8) -> Option<u64> {
    let n = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u64.checked_pow(n)
    } else {
        1u64.checked_shl(n).filter(|_| n < 64)
    }
}

/// Converts `units` at `resolution` units/second plus `offset` seconds to a [`Timestamp`].
fn ts_from_units(units: u64, resolution: u64, offset: i64) -> Timestamp {
    let res = resolution.max(1);
    let secs = (units / res) as i64;
    let frac = units % res;
    let micros = (frac as u128 * 1_000_000 / res as u128) as u32;
    Timestamp::from_parts(secs.saturating_add(offset), micros)
}

/// What one step of the reader produced.
enum Step {
    /// A frame was written into the caller's `Frame`.
    Frame,
    /// A non-packet block was handled; read on.
    Skip,
    /// Clean end of this file.
    End,
}

impl Open {
    /// Checks the length the next record claims before handing it to the parser, so a corrupt
    /// length is reported as such instead of growing the buffer without bound.
    fn check_record_len(&self) -> Result<(), CaptureError> {
        let data = self.reader.data();
        let offset = self.reader.consumed();
        match self.format {
            Format::Pcap { big_endian } => {
                if self.reader.consumed() == 0 {
                    return Ok(()); // the file header comes first
                }
                let Some(b) = data.get(8..12) else { return Ok(()) };
                let b = [b[0], b[1], b[2], b[3]];
                let caplen = if big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) } as usize;
                if caplen > MAX_RECORD {
                    return Err(err(&self.path, format!("corrupt record at offset {offset}: captured length {caplen} exceeds limit {MAX_RECORD}")));
                }
            }
            Format::PcapNg => {
                let (Some(t), Some(b)) = (data.get(0..4), data.get(4..8)) else { return Ok(()) };
                let b = [b[0], b[1], b[2], b[3]];
                // A section header carries its own byte order (its byte-order magic); other
                // blocks use the current section's.
                let big_endian = if t == [0x0a, 0x0d, 0x0d, 0x0a] {
                    match data.get(8..12) {
                        Some(bom) => bom == [0x1a, 0x2b, 0x3c, 0x4d],
                        None => return Ok(()),
                    }
                } else {
                    self.ng_big_endian
                };
                let len = if big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) } as usize;
                if len > MAX_RECORD {
                    return Err(err(&self.path, format!("corrupt block at offset {offset}: length exceeds limit {MAX_RECORD}")));
                }
            }
        }
        Ok(())
    }

    fn step(&mut self, frame: &mut Frame) -> Result<Step, CaptureError> {
        self.check_record_len()?;
        let offset = self.reader.consumed();
        let (len, step) = match self.reader.next() {
            Ok((len, block)) => {
                let step = match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        self.pcap_link = LinkType::from_pcap(h.network.0 as u32);
                        self.pcap_nanos = h.is_nanosecond_precision();
                        Step::Skip
                    }
                    PcapBlockOwned::Legacy(b) => {
                        let usec = if self.pcap_nanos { b.ts_usec / 1000 } else { b.ts_usec };
                        let ts = Timestamp::from_parts(b.ts_sec as i64, 0).add_micros(usec);
                        fill(frame, ts, self.pcap_link, b.data, b.origlen);
                        Step::Frame
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
                        self.ng_big_endian = shb.big_endian();
                        self.ifaces.clear();
                        Step::Skip
                    }
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        let Some(resolution) = ts_resolution(idb.if_tsresol) else {
                            return Err(err(&self.path, format!("corrupt interface description at offset {offset}: invalid if_tsresol {}", idb.if_tsresol)));
                        };
                        if self.ifaces.len() >= MAX_INTERFACES {
                            return Err(err(&self.path, format!("corrupt file at offset {offset}: more than {MAX_INTERFACES} interfaces")));
                        }
                        self.ifaces.push(Iface { link: LinkType::from_pcap(idb.linktype.0 as u32), resolution, offset: idb.ts_offset() });
                        Step::Skip
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let Some(iface) = self.ifaces.get(epb.if_id as usize).copied() else {
                            return Err(err(&self.path, format!("corrupt packet block at offset {offset}: unknown interface id {}", epb.if_id)));
                        };
                        let units = ((epb.ts_high as u64) << 32) | epb.ts_low as u64;
                        let ts = ts_from_units(units, iface.resolution, iface.offset);
                        fill(frame, ts, iface.link, epb.packet_data(), epb.orig_len());
                        Step::Frame
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        let Some(iface) = self.ifaces.first().copied() else {
                            return Err(err(&self.path, format!("corrupt simple packet block at offset {offset}: no interface described")));
                        };
                        fill(frame, self.last_ts, iface.link, spb.packet_data(), spb.orig_len());
                        Step::Frame
                    }
                    PcapBlockOwned::NG(_) => Step::Skip,
                };
                (len, step)
            }
            Err(PcapError::Eof) => return Ok(Step::End),
            Err(PcapError::Incomplete(_)) => {
                self.reader.refill().map_err(|_| err(&self.path, format!("read error at offset {offset}")))?;
                return Ok(Step::Skip);
            }
            Err(PcapError::BufferTooSmall) => {
                // The parser asks for more room than the buffer has; the record length was
                // checked against MAX_RECORD above, so this growth is bounded.
                let cap = self.buf_cap.saturating_mul(2);
                if cap > MAX_RECORD * 2 || !self.reader.grow(cap) {
                    return Err(err(&self.path, format!("corrupt record at offset {offset}: too large")));
                }
                self.buf_cap = cap;
                self.reader.refill().map_err(|_| err(&self.path, format!("read error at offset {offset}")))?;
                return Ok(Step::Skip);
            }
            Err(PcapError::UnexpectedEof) => {
                let have = self.reader.data().len();
                return Err(err(&self.path, format!("truncated record at offset {offset}: file ends {have} bytes into it")));
            }
            Err(PcapError::ReadError) => return Err(err(&self.path, format!("read error at offset {offset}"))),
            Err(e) => return Err(err(&self.path, format!("corrupt record at offset {offset}: {}", describe(&e)))),
        };
        if matches!(step, Step::Frame) {
            self.last_ts = frame.ts;
            self.frames += 1;
        }
        self.reader.consume(len);
        Ok(step)
    }
}

/// Largest number of pcapng interfaces per section we keep.
pub const MAX_INTERFACES: usize = 4096;

/// Copies one record into the reusable frame (the buffer only grows).
fn fill(frame: &mut Frame, ts: Timestamp, link: LinkType, data: &[u8], orig_len: u32) {
    frame.ts = ts;
    frame.link = link;
    frame.data.clear();
    frame.data.extend_from_slice(data);
    frame.orig_len = orig_len;
}

trait AddMicros {
    fn add_micros(self, us: u32) -> Timestamp;
}

impl AddMicros for Timestamp {
    fn add_micros(self, us: u32) -> Timestamp {
        Timestamp::from_micros(self.as_micros().saturating_add(us as i64))
    }
}

impl PacketSource for PcapSource {
    fn next_frame(&mut self, frame: &mut Frame) -> Result<bool, CaptureError> {
        if self.failed {
            return Ok(false);
        }
        loop {
            let Some(cur) = self.current.as_mut() else {
                match self.open_next() {
                    Ok(true) => continue,
                    Ok(false) => return Ok(false),
                    Err(e) => {
                        self.failed = true;
                        return Err(e);
                    }
                }
            };
            match cur.step(frame) {
                Ok(Step::Frame) => {
                    self.count += 1;
                    frame.pcap_cnt = self.count;
                    return Ok(true);
                }
                Ok(Step::Skip) => continue,
                Ok(Step::End) => {
                    tracing::debug!(file = %cur.path.display(), frames = cur.frames, "capture file done");
                    self.bytes_done = self.bytes_done.saturating_add(cur.reader.consumed() as u64);
                    self.current = None;
                    if self.pending.is_empty() {
                        return Ok(false);
                    }
                }
                Err(e) => {
                    self.failed = true;
                    self.current = None;
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A classic pcap file header.
    fn pcap_header(big_endian: bool, nanos: bool, link: u32) -> Vec<u8> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut v = Vec::new();
        let w32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&if big_endian { x.to_be_bytes() } else { x.to_le_bytes() });
        let w16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&if big_endian { x.to_be_bytes() } else { x.to_le_bytes() });
        w32(&mut v, magic);
        w16(&mut v, 2); // version major
        w16(&mut v, 4); // version minor
        w32(&mut v, 0); // thiszone
        w32(&mut v, 0); // sigfigs
        w32(&mut v, 65535); // snaplen
        w32(&mut v, link); // network
        v
    }

    /// One classic pcap record.
    fn pcap_record(big_endian: bool, sec: u32, frac: u32, data: &[u8], orig: u32) -> Vec<u8> {
        let mut v = Vec::new();
        for x in [sec, frac, data.len() as u32, orig] {
            v.extend_from_slice(&if big_endian { x.to_be_bytes() } else { x.to_le_bytes() });
        }
        v.extend_from_slice(data);
        v
    }

    fn ng_block(typ: u32, body: &[u8]) -> Vec<u8> {
        let mut body = body.to_vec();
        while body.len() % 4 != 0 {
            body.push(0);
        }
        let len = (12 + body.len()) as u32;
        let mut v = Vec::new();
        v.extend_from_slice(&typ.to_le_bytes());
        v.extend_from_slice(&len.to_le_bytes());
        v.extend_from_slice(&body);
        v.extend_from_slice(&len.to_le_bytes());
        v
    }

    fn ng_shb() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes()); // byte-order magic
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
        ng_block(0x0a0d_0d0a, &b)
    }

    fn ng_idb(link: u16, tsresol: Option<u8>) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&link.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes()); // snaplen
        if let Some(r) = tsresol {
            b.extend_from_slice(&9u16.to_le_bytes()); // if_tsresol
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&[r, 0, 0, 0]);
            b.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        }
        ng_block(1, &b)
    }

    fn ng_epb(if_id: u32, ts: u64, data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&if_id.to_le_bytes());
        b.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ts as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32 + 10).to_le_bytes());
        b.extend_from_slice(data);
        ng_block(6, &b)
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        let mut f = File::create(&p).expect("create test file");
        f.write_all(bytes).expect("write test file");
        p
    }

    /// Reads every frame; returns (frames as (cnt, link, ts micros, data, orig_len), final error).
    #[allow(clippy::type_complexity)]
    fn read_all(path: &Path) -> (Vec<(u64, LinkType, i64, Vec<u8>, u32)>, Option<CaptureError>) {
        let mut src = match PcapSource::open(path) {
            Ok(s) => s,
            Err(e) => return (Vec::new(), Some(e)),
        };
        let mut frame = Frame::new();
        let mut out = Vec::new();
        loop {
            match src.next_frame(&mut frame) {
                Ok(true) => out.push((frame.pcap_cnt, frame.link, frame.ts.as_micros(), frame.data.clone(), frame.orig_len)),
                Ok(false) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn pcap_both_endians_and_resolutions() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, be, nanos) in [("le_us", false, false), ("be_us", true, false), ("le_ns", false, true), ("be_ns", true, true)] {
            let frac = if nanos { 123_456_789 } else { 123_456 };
            let mut bytes = pcap_header(be, nanos, 1);
            bytes.extend(pcap_record(be, 1_700_000_000, frac, &[1, 2, 3, 4], 60));
            bytes.extend(pcap_record(be, 1_700_000_001, 0, &[5; 20], 20));
            let p = write(dir.path(), name, &bytes);
            let (frames, e) = read_all(&p);
            assert!(e.is_none(), "{name}: {e:?}");
            assert_eq!(frames.len(), 2, "{name}");
            assert_eq!(frames[0], (1, LinkType::Ethernet, 1_700_000_000_123_456, vec![1, 2, 3, 4], 60), "{name}");
            assert_eq!(frames[1].0, 2);
            assert_eq!(frames[1].2, 1_700_000_001_000_000);
            assert_eq!(frames[1].3, vec![5; 20]);
        }
    }

    #[test]
    fn pcap_link_types() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, lt) in [(0u32, LinkType::Null), (101, LinkType::Raw), (113, LinkType::LinuxSll), (276, LinkType::LinuxSll2), (147, LinkType::Other(147))] {
            let mut bytes = pcap_header(false, false, n);
            bytes.extend(pcap_record(false, 1, 0, &[0xaa], 1));
            let p = write(dir.path(), &format!("l{n}.pcap"), &bytes);
            let (frames, e) = read_all(&p);
            assert!(e.is_none());
            assert_eq!(frames[0].1, lt);
        }
    }

    #[test]
    fn pcap_truncated_record_returns_frames_then_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = pcap_header(false, false, 1);
        bytes.extend(pcap_record(false, 1, 0, &[1; 10], 10));
        bytes.extend(pcap_record(false, 2, 0, &[2; 10], 10));
        let full = bytes.len();
        bytes.extend(pcap_record(false, 3, 0, &[3; 100], 100));
        bytes.truncate(full + 30); // header + 14 of 100 data bytes
        let p = write(dir.path(), "trunc.pcap", &bytes);
        let (frames, e) = read_all(&p);
        assert_eq!(frames.len(), 2);
        let e = e.expect("an error after the good frames");
        assert_eq!(e.source, p);
        assert!(e.reason.contains(&format!("truncated record at offset {full}")), "{e}");
        // a record header cut short is reported the same way
        let mut bytes = pcap_header(false, false, 1);
        bytes.extend(pcap_record(false, 1, 0, &[1; 10], 10));
        bytes.extend_from_slice(&[9, 9, 9]);
        let p = write(dir.path(), "trunc2.pcap", &bytes);
        let (frames, e) = read_all(&p);
        assert_eq!(frames.len(), 1);
        assert!(e.expect("error").reason.contains("truncated record at offset 50"));
    }

    #[test]
    fn pcap_garbage_record_length_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = pcap_header(false, false, 1);
        bytes.extend(pcap_record(false, 1, 0, &[1; 10], 10));
        bytes.extend_from_slice(&[0xff; 64]); // caplen 0xffffffff
        let p = write(dir.path(), "garbage.pcap", &bytes);
        let (frames, e) = read_all(&p);
        assert_eq!(frames.len(), 1);
        let e = e.expect("error");
        assert!(e.reason.contains("corrupt record at offset 50"), "{e}");
    }

    #[test]
    fn empty_and_non_capture_files_fail_clearly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = write(dir.path(), "empty.pcap", &[]);
        let e = PcapSource::open(&p).err().expect("empty file is an error");
        assert!(e.reason.contains("empty file"), "{e}");
        let p = write(dir.path(), "text.pcap", b"hello world, not a capture");
        let e = PcapSource::open(&p).err().expect("text file is an error");
        assert!(e.reason.contains("not a pcap or pcapng file"), "{e}");
        let p = write(dir.path(), "short.pcap", &[0xd4, 0xc3]);
        assert!(PcapSource::open(&p).is_err());
        // a pcap header cut short
        let p = write(dir.path(), "hdr.pcap", &pcap_header(false, false, 1)[..10]);
        let e = PcapSource::open(&p).err().expect("short header is an error");
        assert!(e.reason.contains("pcap file header"), "{e}");
        let e = PcapSource::open(&dir.path().join("missing.pcap")).err().expect("missing file");
        assert!(e.reason.contains("cannot open"));
        // header only: a valid capture with no frames
        let p = write(dir.path(), "hdronly.pcap", &pcap_header(false, false, 1));
        let (frames, e) = read_all(&p);
        assert!(frames.is_empty() && e.is_none(), "{e:?}");
    }

    #[test]
    fn pcapng_interfaces_and_resolutions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = ng_shb();
        bytes.extend(ng_idb(1, None)); // if 0: ethernet, microseconds (default)
        bytes.extend(ng_idb(101, Some(9))); // if 1: raw, nanoseconds
        bytes.extend(ng_epb(0, 1_700_000_000_000_001, &[1, 2, 3]));
        bytes.extend(ng_epb(1, 1_700_000_000_000_002_999, &[4, 5, 6, 7, 8]));
        bytes.extend(ng_block(4, &[0; 8])); // a name resolution block, skipped
        bytes.extend(ng_epb(0, 5, &[9]));
        let p = write(dir.path(), "multi.pcapng", &bytes);
        let (frames, e) = read_all(&p);
        assert!(e.is_none(), "{e:?}");
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0], (1, LinkType::Ethernet, 1_700_000_000_000_001, vec![1, 2, 3], 13));
        assert_eq!(frames[1], (2, LinkType::Raw, 1_700_000_000_000_002, vec![4, 5, 6, 7, 8], 15));
        assert_eq!(frames[2].2, 5);
    }

    /// A big-endian pcapng section (SHB, IDB with 2^-20 s resolution, one EPB).
    #[test]
    fn pcapng_big_endian_section() {
        fn block(typ: u32, body: &[u8]) -> Vec<u8> {
            let len = (12 + body.len()) as u32;
            [&typ.to_be_bytes()[..], &len.to_be_bytes(), body, &len.to_be_bytes()].concat()
        }
        let shb = block(0x0a0d_0d0a, &[&0x1a2b_3c4du32.to_be_bytes()[..], &1u16.to_be_bytes(), &0u16.to_be_bytes(), &(-1i64).to_be_bytes()].concat());
        // if_tsresol 0x94 = 2^-20 s
        let idb = block(1, &[&113u16.to_be_bytes()[..], &[0, 0], &0u32.to_be_bytes(), &9u16.to_be_bytes(), &1u16.to_be_bytes(), &[0x94, 0, 0, 0], &[0, 0, 0, 0]].concat());
        let ts: u64 = (1_000u64 << 20) | (1 << 19); // 1000.5 s
        let epb = block(6, &[&0u32.to_be_bytes()[..], &((ts >> 32) as u32).to_be_bytes(), &(ts as u32).to_be_bytes(), &4u32.to_be_bytes(), &4u32.to_be_bytes(), &[9, 8, 7, 6]].concat());
        let dir = tempfile::tempdir().expect("tempdir");
        let p = write(dir.path(), "be.pcapng", &[shb, idb, epb].concat());
        let (frames, e) = read_all(&p);
        assert!(e.is_none(), "{e:?}");
        assert_eq!(frames, vec![(1, LinkType::LinuxSll, 1_000_500_000, vec![9, 8, 7, 6], 4)]);
    }

    #[test]
    fn pcapng_truncated_and_bad_interface() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = ng_shb();
        bytes.extend(ng_idb(1, None));
        bytes.extend(ng_epb(0, 1, &[1; 8]));
        let off = bytes.len();
        bytes.extend(ng_epb(0, 2, &[2; 40]));
        bytes.truncate(off + 20);
        let p = write(dir.path(), "trunc.pcapng", &bytes);
        let (frames, e) = read_all(&p);
        assert_eq!(frames.len(), 1);
        assert!(e.expect("error").reason.contains(&format!("truncated record at offset {off}")));

        let mut bytes = ng_shb();
        bytes.extend(ng_idb(1, None));
        let off = bytes.len();
        bytes.extend(ng_epb(3, 1, &[1; 8]));
        let p = write(dir.path(), "badif.pcapng", &bytes);
        let (frames, e) = read_all(&p);
        assert!(frames.is_empty());
        assert!(e.expect("error").reason.contains(&format!("at offset {off}: unknown interface id 3")));

        let mut bytes = ng_shb();
        let off = bytes.len();
        bytes.extend_from_slice(&[0x06, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]);
        let p = write(dir.path(), "hugeblock.pcapng", &bytes);
        let (_, e) = read_all(&p);
        assert!(e.expect("error").reason.contains(&format!("corrupt block at offset {off}")));
        // a length that is small when misread big-endian is still caught
        let mut bytes = ng_shb();
        bytes.extend_from_slice(&[0x06, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0]);
        let p = write(dir.path(), "hugeblock2.pcapng", &bytes);
        let (_, e) = read_all(&p);
        assert!(e.expect("error").reason.contains(&format!("corrupt block at offset {off}")));
    }

    #[test]
    fn directory_in_name_order_with_running_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = pcap_header(false, false, 1);
        b.extend(pcap_record(false, 20, 0, &[2], 1));
        write(dir.path(), "b.pcap", &b);
        let mut a = ng_shb();
        a.extend(ng_idb(1, None));
        a.extend(ng_epb(0, 10_000_000, &[1]));
        a.extend(ng_epb(0, 11_000_000, &[1]));
        write(dir.path(), "a.whatever", &a);
        write(dir.path(), "notes.txt", b"not a capture");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let (frames, e) = read_all(dir.path());
        assert!(e.is_none(), "{e:?}");
        let cnts: Vec<_> = frames.iter().map(|f| (f.0, f.3[0])).collect();
        assert_eq!(cnts, vec![(1, 1), (2, 1), (3, 2)]);

        let empty = tempfile::tempdir().expect("tempdir");
        write(empty.path(), "x.txt", b"nothing");
        let e = PcapSource::open(empty.path()).err().expect("no captures");
        assert!(e.reason.contains("no pcap"));
    }

    #[test]
    fn large_file_crosses_buffer_refills() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = pcap_header(false, false, 1);
        let n = 2000u32;
        for i in 0..n {
            bytes.extend(pcap_record(false, i, 0, &vec![(i % 251) as u8; 300 + (i as usize % 700)], 1500));
        }
        // and one record larger than the initial buffer
        bytes.extend(pcap_record(false, n, 0, &vec![7u8; INITIAL_BUFFER + 1000], 70_000));
        let p = write(dir.path(), "big.pcap", &bytes);
        let (frames, e) = read_all(&p);
        assert!(e.is_none(), "{e:?}");
        assert_eq!(frames.len(), n as usize + 1);
        for (i, f) in frames.iter().take(n as usize).enumerate() {
            assert_eq!(f.0, i as u64 + 1);
            assert_eq!(f.3.len(), 300 + i % 700);
            assert_eq!(f.3[0], (i % 251) as u8);
        }
        assert_eq!(frames[n as usize].3.len(), INITIAL_BUFFER + 1000);
    }
}
