//! Streaming gzip / deflate decompression of response bodies with bounded output.
//!
//! Output beyond the caller's room is counted but not kept, so memory stays bounded whatever
//! the ratio; the caller stops decompression once the total is bomb-like.

use std::io::Write;

use flate2::write::{DeflateDecoder, ZlibDecoder};

/// Content codings we decompress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Gzip,
    Deflate,
}

/// A write sink keeping at most `room` bytes and counting everything.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub buf: Vec<u8>,
    pub room: usize,
    pub total: u64,
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.total = self.total.saturating_add(data.len() as u64);
        let keep = data.len().min(self.room.saturating_sub(self.buf.len()));
        self.buf.extend_from_slice(&data[..keep]);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Inner {
    /// Deflate: zlib-wrapped or raw, decided on the first two bytes.
    DeflateUndecided(Vec<u8>),
    /// Gzip: the header is parsed here, leniently (reserved flags ignored, as libhtp-rs does),
    /// then the raw deflate stream follows; the CRC/size trailer is ignored.
    GzipHeader(Vec<u8>),
    Zlib(ZlibDecoder<Sink>),
    Raw(DeflateDecoder<Sink>),
    /// The stream ended; later bytes (trailers, junk) are ignored.
    Done,
}

/// Most gzip header bytes buffered (FNAME/FCOMMENT are unbounded on the wire).
const GZIP_HEADER_LIMIT: usize = 4096;

/// Length of a complete lenient gzip header at the start of `b`: `Ok(Some(n))`, `Ok(None)` when
/// more bytes are needed, `Err` when `b` is not gzip.
fn gzip_header_len(b: &[u8]) -> Result<Option<usize>, ()> {
    if b.len() >= 2 && (b[0] != 0x1f || b[1] != 0x8b) || b.first().is_some_and(|x| *x != 0x1f) {
        return Err(());
    }
    if b.len() < 10 {
        return Ok(None);
    }
    let flags = b[3];
    let mut i = 10;
    if flags & 0x04 != 0 {
        let (Some(lo), Some(hi)) = (b.get(i), b.get(i + 1)) else { return Ok(None) };
        i += 2 + (usize::from(*hi) << 8 | usize::from(*lo));
    }
    for bit in [0x08u8, 0x10] {
        if flags & bit != 0 {
            match b.get(i..).and_then(|r| r.iter().position(|x| *x == 0)) {
                Some(z) => i += z + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 0x02 != 0 {
        i += 2;
    }
    Ok(if i <= b.len() { Some(i) } else { None })
}

fn zlib_header(b: &[u8]) -> bool {
    match b {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// One content-coding layer.
struct Layer {
    inner: Inner,
    /// The layer's first bytes did not decode: it passes data through unchanged (libhtp does
    /// this per layer, so a wrong or duplicated Content-Encoding still yields the body).
    passthrough: bool,
    produced_any: bool,
}

impl Layer {
    fn new(c: Coding) -> Self {
        let inner = match c {
            Coding::Gzip => Inner::GzipHeader(Vec::new()),
            Coding::Deflate => Inner::DeflateUndecided(Vec::new()),
        };
        Layer { inner, passthrough: false, produced_any: false }
    }

    /// Decodes `data`, appending at most `room - out.len()` bytes to `out`; returns the bytes
    /// produced (kept or not).
    fn feed(&mut self, data: &[u8], out: &mut Vec<u8>, room: usize) -> Result<u64, ()> {
        match &mut self.inner {
            Inner::GzipHeader(h) => {
                h.extend_from_slice(data);
                match gzip_header_len(h) {
                    Err(()) => Err(()),
                    Ok(None) if h.len() > GZIP_HEADER_LIMIT => Err(()),
                    Ok(None) => Ok(0),
                    Ok(Some(n)) => {
                        let rest = h.split_off(n.min(h.len()));
                        self.inner = Inner::Raw(DeflateDecoder::new(Sink::default()));
                        self.feed(&rest, out, room)
                    }
                }
            }
            Inner::DeflateUndecided(pending) => {
                pending.extend_from_slice(data);
                if pending.len() < 2 {
                    return Ok(0);
                }
                let pending = std::mem::take(pending);
                self.inner = if zlib_header(&pending) {
                    Inner::Zlib(ZlibDecoder::new(Sink::default()))
                } else {
                    Inner::Raw(DeflateDecoder::new(Sink::default()))
                };
                self.feed(&pending, out, room)
            }
            Inner::Done => Ok(0),
            Inner::Zlib(d) => Self::write(d, data, out, room).map(|(n, end)| {
                if end {
                    self.inner = Inner::Done;
                }
                n
            }),
            Inner::Raw(d) => Self::write(d, data, out, room).map(|(n, end)| {
                if end {
                    self.inner = Inner::Done;
                }
                n
            }),
        }
    }

    /// Runs one flate2 writer; returns (bytes produced, stream ended).
    fn write<W: Write + SinkAccess>(w: &mut W, data: &[u8], out: &mut Vec<u8>, room: usize) -> Result<(u64, bool), ()> {
        let before = w.sink().total;
        w.sink_mut().room = room;
        w.sink_mut().buf = std::mem::take(out);
        let mut d = data;
        let mut end = false;
        let mut res = Ok(());
        while !d.is_empty() {
            match w.write(d) {
                Ok(0) => {
                    end = true;
                    break;
                }
                Ok(n) => d = d.get(n..).unwrap_or(&[]),
                Err(_) => {
                    res = Err(());
                    break;
                }
            }
        }
        if res.is_ok() && w.flush().is_err() {
            res = Err(());
        }
        *out = std::mem::take(&mut w.sink_mut().buf);
        let produced = w.sink().total - before;
        res.map(|()| (produced, end))
    }
}

/// Access to the sink inside a flate2 writer.
trait SinkAccess {
    fn sink(&self) -> &Sink;
    fn sink_mut(&mut self) -> &mut Sink;
}

impl SinkAccess for ZlibDecoder<Sink> {
    fn sink(&self) -> &Sink {
        self.get_ref()
    }
    fn sink_mut(&mut self) -> &mut Sink {
        self.get_mut()
    }
}

impl SinkAccess for DeflateDecoder<Sink> {
    fn sink(&self) -> &Sink {
        self.get_ref()
    }
    fn sink_mut(&mut self) -> &mut Sink {
        self.get_mut()
    }
}

/// Bytes one intermediate layer may produce per input chunk (bounds memory between layers).
const INTERMEDIATE_LIMIT: usize = 1 << 20;

/// One body's decompressor: a chain of layers, outermost coding first.
pub(crate) struct Decoder {
    layers: Vec<Layer>,
    /// Compressed bytes fed.
    pub input: u64,
    /// Total bytes produced by the innermost layer.
    pub total: u64,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("layers", &self.layers.len()).field("input", &self.input).finish()
    }
}

impl Decoder {
    /// A decoder for `codings` as listed in Content-Encoding (applied in that order, so they are
    /// undone last to first).
    pub fn new_layers(codings: &[Coding]) -> Self {
        Decoder { layers: codings.iter().rev().map(|c| Layer::new(*c)).collect(), input: 0, total: 0 }
    }

    /// A single-layer decoder.
    #[cfg(test)]
    pub fn new(c: Coding) -> Self {
        Self::new_layers(&[c])
    }

    /// Whether some layer passes data through (it failed on its first bytes); the decoder
    /// still produces output then. `false` after an `Err` means decoding broke mid-stream.
    pub fn is_passthrough(&self) -> bool {
        self.layers.iter().any(|l| l.passthrough)
    }

    /// Decompresses `data`, appending at most `room - out.len()` bytes to `out`. Returns the
    /// total decompressed so far. When the very first bytes do not decode, switches to
    /// passing data through (and returns `Err` once so the caller can raise an event);
    /// later corruption returns `Err` and output stops.
    pub fn feed(&mut self, data: &[u8], out: &mut Vec<u8>, room: usize) -> Result<u64, ()> {
        self.input = self.input.saturating_add(data.len() as u64);
        let mut cur: Vec<u8> = data.to_vec();
        let n = self.layers.len();
        let mut failed = false;
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let last = i + 1 == n;
            let mut next = Vec::new();
            let (dst, cap) = if last { (&mut *out, room) } else { (&mut next, INTERMEDIATE_LIMIT) };
            if layer.passthrough {
                let keep = cur.len().min(cap.saturating_sub(dst.len()));
                dst.extend_from_slice(&cur[..keep]);
                if last {
                    self.total = self.total.saturating_add(cur.len() as u64);
                }
            } else {
                match layer.feed(&cur, dst, cap) {
                    Ok(p) => {
                        if p > 0 {
                            layer.produced_any = true;
                        }
                        if last {
                            self.total = self.total.saturating_add(p);
                        }
                    }
                    Err(()) if !layer.produced_any => {
                        failed = true;
                        layer.passthrough = true;
                        let keep = cur.len().min(cap.saturating_sub(dst.len()));
                        dst.extend_from_slice(&cur[..keep]);
                        if last {
                            self.total = self.total.saturating_add(cur.len() as u64);
                        }
                    }
                    Err(()) => return Err(()),
                }
            }
            if !last {
                cur = next;
            }
        }
        if failed {
            Err(())
        } else {
            Ok(self.total)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_split_everywhere() {
        let body = b"hello hello hello world".repeat(20);
        let c = gz(&body);
        for cut in 0..=c.len() {
            let mut d = Decoder::new(Coding::Gzip);
            let mut out = Vec::new();
            d.feed(&c[..cut], &mut out, 1 << 20).unwrap();
            d.feed(&c[cut..], &mut out, 1 << 20).unwrap();
            assert_eq!(out, body, "cut {cut}");
        }
    }

    #[test]
    fn deflate_zlib_and_raw() {
        let body = b"abcabcabc".repeat(10);
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&body).unwrap();
        let z = z.finish().unwrap();
        let mut r = DeflateEncoder::new(Vec::new(), Compression::default());
        r.write_all(&body).unwrap();
        let r = r.finish().unwrap();
        for (name, c) in [("zlib", z), ("raw", r)] {
            for cut in 0..=c.len() {
                let mut d = Decoder::new(Coding::Deflate);
                let mut out = Vec::new();
                d.feed(&c[..cut], &mut out, 1 << 20).unwrap();
                d.feed(&c[cut..], &mut out, 1 << 20).unwrap();
                assert_eq!(out, body, "{name} cut {cut}");
            }
        }
    }

    #[test]
    fn output_is_bounded_but_counted() {
        let body = vec![0u8; 1 << 20];
        let c = gz(&body);
        let mut d = Decoder::new(Coding::Gzip);
        let mut out = Vec::new();
        let total = d.feed(&c, &mut out, 1000).unwrap();
        assert_eq!(out.len(), 1000);
        assert_eq!(total, 1 << 20);
    }

    #[test]
    fn corrupt_is_an_error() {
        let mut d = Decoder::new(Coding::Gzip);
        let mut out = Vec::new();
        assert!(d.feed(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", &mut out, 100).is_err());
    }
}
