//! Suricata's EVE `ftp` object of a transaction and `ftp_data` object of a data flow.

use super::{FtpDataTx, FtpTx};
use crate::applayer::ssh::eve::bytes_str;
use crate::output::eve::JsonWriter;

/// `ddd ` at the start of a reply line: (code, text after it).
fn split_code(line: &[u8]) -> Option<(&[u8], &[u8])> {
    if line.len() >= 4 && line[..3].iter().all(u8::is_ascii_digit) && line[3] == b' ' {
        Some((&line[..3], &line[4..]))
    } else {
        None
    }
}

/// Writes the members of the `ftp` object (the caller opens and closes it): command,
/// command_data, command_truncated, completion_code, reply, dynamic_port, mode,
/// reply_received, reply_truncated.
pub fn write_ftp(tx: &FtpTx, w: &mut JsonWriter<'_>) {
    if let Some(c) = tx.command {
        w.kstr("command", c);
        if !tx.command_data.is_empty() {
            w.kstr("command_data", &bytes_str(&tx.command_data));
            w.kbool("command_truncated", tx.command_truncated);
        }
    }
    if tx.replies.iter().any(|l| split_code(l).is_some()) {
        w.key("completion_code").open_arr();
        for (code, _) in tx.replies.iter().filter_map(|l| split_code(l)) {
            w.str(&bytes_str(code));
        }
        w.close_arr();
    }
    if !tx.replies.is_empty() {
        w.key("reply").open_arr();
        // Suricata leaves out lines that are only blanks (the server's empty banner lines).
        for l in tx.replies.iter().filter(|l| !l.iter().all(|c| *c == b' ' || *c == b'\t')) {
            let text = split_code(l).map_or(&l[..], |(_, t)| t);
            w.str(&bytes_str(text));
        }
        w.close_arr();
    }
    if tx.dyn_port != 0 {
        w.ku64("dynamic_port", u64::from(tx.dyn_port));
        w.kstr("mode", if tx.active { "active" } else { "passive" });
    }
    w.kstr("reply_received", if tx.done { "yes" } else { "no" });
    w.kbool("reply_truncated", tx.reply_truncated);
}

/// Writes the members of the `ftp_data` object: filename (when known), command.
pub fn write_ftp_data(tx: &FtpDataTx, w: &mut JsonWriter<'_>) {
    if !tx.filename.is_empty() {
        w.kstr("filename", &bytes_str(&tx.filename));
    }
    w.kstr("command", tx.command);
}
