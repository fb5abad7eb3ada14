//! The `-r` progress bar: bytes of the capture read out of its size, packets/s and ETA,
//! drawn on stderr with `indicatif`.
//!
//! [`ProgressSource`] wraps a [`PcapSource`] and forwards every frame. With the bar off
//! (see [`enabled`]: only when stderr is a terminal and `--quiet` is not given, so CI logs
//! and pipes stay clean), it only forwards. With it on, the per-frame cost is a counter
//! increment. The clock is read once every [`CHECK_EVERY`] frames, and the bar is updated
//! at most every [`UPDATE_INTERVAL`]. The bar is cleared when the input ends, before the
//! summary goes to stdout.
//!
//! The size comes from the files' metadata. A FIFO has no size, so there it shows a spinner
//! with the bytes read and the rates.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::pcap_file::PcapSource;
use super::{CaptureError, Frame, PacketSource};

/// Frames between two reads of the clock.
pub const CHECK_EVERY: u64 = 1024;
/// Shortest time between two bar updates.
pub const UPDATE_INTERVAL: Duration = Duration::from_millis(100);

/// Whether `-r` shows a progress bar: only on a terminal, and not with `--quiet`.
pub fn enabled(stderr_is_terminal: bool, quiet: bool) -> bool {
    stderr_is_terminal && !quiet
}

/// A [`PcapSource`] that drives a progress bar on stderr while frames are read.
pub struct ProgressSource {
    inner: PcapSource,
    bar: Option<Bar>,
}

struct Bar {
    bar: ProgressBar,
    frames: u64,
    last_frames: u64,
    last_update: Instant,
}

impl ProgressSource {
    /// Wraps `inner`. The bar is drawn only when `show` is true (pass [`enabled`]'s answer).
    pub fn new(inner: PcapSource, show: bool) -> Self {
        let bar = show.then(|| {
            let total = inner.bytes_total();
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let template = if total.is_some() {
                "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({percent}%) {binary_bytes_per_sec}, {msg}, ETA {eta}"
            } else {
                "{spinner} [{elapsed_precise}] {binary_bytes} read, {binary_bytes_per_sec}, {msg}"
            };
            // The templates are constants: a parse failure is a bug caught by the unit test.
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message("0 pkt/s");
            bar.set_position(inner.bytes_read());
            // Redraws elapsed time and the spinner while no frame comes (a slow FIFO).
            bar.enable_steady_tick(Duration::from_millis(200));
            Bar { bar, frames: 0, last_frames: 0, last_update: Instant::now() }
        });
        ProgressSource { inner, bar }
    }

    /// Whether a bar is drawn.
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// Clears the bar for good (end of input or an error).
    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.bar.finish_and_clear();
        }
    }
}

impl PacketSource for ProgressSource {
    fn next_frame(&mut self, frame: &mut Frame) -> Result<bool, CaptureError> {
        let r = self.inner.next_frame(frame);
        let Some(b) = self.bar.as_mut() else { return r };
        if !matches!(r, Ok(true)) {
            self.finish();
            return r;
        }
        b.frames += 1;
        if b.frames % CHECK_EVERY == 0 {
            let now = Instant::now();
            let dt = now.duration_since(b.last_update);
            if dt >= UPDATE_INTERVAL {
                let pps = (b.frames - b.last_frames) as f64 / dt.as_secs_f64();
                b.bar.set_position(self.inner.bytes_read());
                b.bar.set_message(format!("{pps:.0} pkt/s"));
                b.last_frames = b.frames;
                b.last_update = now;
            }
        }
        r
    }
}

impl Drop for ProgressSource {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabled_only_on_a_terminal_without_quiet() {
        let cases = [
            ("terminal", true, false, true),
            ("terminal, --quiet", true, true, false),
            ("pipe or file (CI)", false, false, false),
            ("pipe, --quiet", false, true, false),
        ];
        for (name, tty, quiet, want) in cases {
            assert_eq!(enabled(tty, quiet), want, "{name}");
        }
    }

    #[test]
    fn templates_parse() {
        for t in [
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({percent}%) {binary_bytes_per_sec}, {msg}, ETA {eta}",
            "{spinner} [{elapsed_precise}] {binary_bytes} read, {binary_bytes_per_sec}, {msg}",
        ] {
            assert!(ProgressStyle::with_template(t).is_ok(), "{t}");
        }
    }

    /// Without the bar every frame is forwarded unchanged, and the byte count reaches the size.
    #[test]
    fn forwards_every_frame_and_counts_bytes() {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/pcaps/demo.pcap"));
        let size = std::fs::metadata(path).expect("pcaps/demo.pcap is in the repository").len();
        let mut plain = PcapSource::open(path).expect("demo.pcap opens");
        let mut wrapped = ProgressSource::new(PcapSource::open(path).expect("demo.pcap opens"), false);
        assert!(!wrapped.is_shown());
        assert_eq!(wrapped.inner.bytes_total(), Some(size));
        let (mut a, mut b) = (Frame::new(), Frame::new());
        let mut n = 0;
        while plain.next_frame(&mut a).expect("demo.pcap reads") {
            assert!(wrapped.next_frame(&mut b).expect("demo.pcap reads"));
            assert_eq!((a.ts, &a.data, a.pcap_cnt), (b.ts, &b.data, b.pcap_cnt));
            assert!(wrapped.inner.bytes_read() <= size);
            n += 1;
        }
        assert!(!wrapped.next_frame(&mut b).expect("clean end"));
        assert!(n > 0);
        assert_eq!(wrapped.inner.bytes_read(), size, "every byte of the file is counted once read");
    }

    /// A directory: the size is the sum of its captures, and reading counts every file.
    #[test]
    fn directory_bytes_sum_over_files() {
        let demo = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/pcaps/demo.pcap"));
        let size = std::fs::metadata(demo).expect("pcaps/demo.pcap is in the repository").len();
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["a.pcap", "b.pcap"] {
            std::fs::copy(demo, dir.path().join(name)).expect("copy demo.pcap");
        }
        let mut src = ProgressSource::new(PcapSource::open(dir.path()).expect("directory opens"), false);
        assert_eq!(src.inner.bytes_total(), Some(2 * size));
        let mut f = Frame::new();
        while src.next_frame(&mut f).expect("captures read") {}
        assert_eq!(src.inner.bytes_read(), 2 * size);
    }
}
