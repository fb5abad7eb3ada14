//! Streaming gzip / deflate decompression of response bodies with bounded output.
//!
//! Output beyond the caller's room is counted but not kept, so memory stays bounded whatever
//! the ratio; the caller stops decompression once the total is bomb-like.

use std::io::Write;

use flate2::write::{DeflateDecoder, GzDecoder, ZlibDecoder};

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
    Undecided(Vec<u8>),
    Gzip(GzDecoder<Sink>),
    Zlib(ZlibDecoder<Sink>),
    Raw(DeflateDecoder<Sink>),
}

/// One body's decompressor.
pub(crate) struct Decoder {
    inner: Inner,
    /// Compressed bytes fed.
    pub input: u64,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("input", &self.input).finish()
    }
}

fn zlib_header(b: &[u8]) -> bool {
    match b {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

impl Decoder {
    pub fn new(c: Coding) -> Self {
        let inner = match c {
            Coding::Gzip => Inner::Gzip(GzDecoder::new(Sink::default())),
            Coding::Deflate => Inner::Undecided(Vec::new()),
        };
        Decoder { inner, input: 0 }
    }

    /// Decompresses `data`, appending at most `room - out.len()` bytes to `out`. Returns the
    /// total decompressed so far, or `Err` when the stream is corrupt.
    pub fn feed(&mut self, data: &[u8], out: &mut Vec<u8>, room: usize) -> Result<u64, ()> {
        self.input = self.input.saturating_add(data.len() as u64);
        if let Inner::Undecided(pending) = &mut self.inner {
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
            return self.write(&pending, out, room);
        }
        self.write(data, out, room)
    }

    fn write(&mut self, data: &[u8], out: &mut Vec<u8>, room: usize) -> Result<u64, ()> {
        fn run<W: Write>(w: &mut W, data: &[u8]) -> Result<(), ()> {
            let mut d = data;
            while !d.is_empty() {
                match w.write(d) {
                    Ok(0) => return Ok(()), // stream ended; trailing bytes ignored
                    Ok(n) => d = d.get(n..).unwrap_or(&[]),
                    Err(_) => return Err(()),
                }
            }
            Ok(())
        }
        macro_rules! go {
            ($dec:expr) => {{
                $dec.get_mut().room = room;
                $dec.get_mut().buf = std::mem::take(out);
                let r = run($dec, data).and_then(|()| $dec.flush().map_err(|_| ()));
                *out = std::mem::take(&mut $dec.get_mut().buf);
                r.map(|()| $dec.get_ref().total)
            }};
        }
        match &mut self.inner {
            Inner::Undecided(_) => Ok(0),
            Inner::Gzip(d) => go!(d),
            Inner::Zlib(d) => go!(d),
            Inner::Raw(d) => go!(d),
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
