//! Offline capture files: pcap and pcapng, a single file or a directory read in name order.
//! (Owned by the decode/capture work; this stub is replaced.)

use super::{CaptureError, Frame, PacketSource};
use std::path::{Path, PathBuf};

/// Reads one capture file, or every capture in a directory in name order.
pub struct PcapSource {
    paths: Vec<PathBuf>,
}

impl PcapSource {
    /// Opens `path` (a file, or a directory of `*.pcap`/`*.pcapng`/`*.cap`).
    pub fn open(path: &Path) -> Result<PcapSource, CaptureError> {
        Ok(PcapSource { paths: vec![path.to_path_buf()] })
    }
}

impl PacketSource for PcapSource {
    fn next_frame(&mut self, _frame: &mut Frame) -> Result<bool, CaptureError> {
        let _ = &self.paths;
        Ok(false)
    }
}
