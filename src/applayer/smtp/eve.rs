//! Suricata's EVE `smtp` object (`helo`, `mail_from`, `rcpt_to`) and `email` object
//! (`status`, `from`, `to`, `cc`, `attachment`; with `extended`: `subject`, `date`,
//! `message_id`, `x_mailer`) of a transaction.

use super::SmtpTx;
use crate::applayer::ssh::eve::bytes_str;
use crate::output::eve::JsonWriter;

/// Writes the members of the `smtp` object (the caller opens and closes it).
pub fn write_smtp(tx: &SmtpTx, w: &mut JsonWriter<'_>) {
    if !tx.helo.is_empty() {
        w.kstr("helo", &bytes_str(&tx.helo));
    }
    if !tx.mail_from.is_empty() {
        w.kstr("mail_from", &bytes_str(&tx.mail_from));
    }
    if !tx.rcpt_to.is_empty() {
        w.key("rcpt_to").open_arr();
        for r in &tx.rcpt_to {
            w.str(&bytes_str(r));
        }
        w.close_arr();
    }
}

/// Whether the transaction has an `email` object (a message was seen).
pub fn has_email(tx: &SmtpTx) -> bool {
    tx.has_message
}

fn list(w: &mut JsonWriter<'_>, key: &str, v: &[Vec<u8>]) {
    if v.is_empty() {
        return;
    }
    w.key(key).open_arr();
    for x in v {
        w.str(&bytes_str(x));
    }
    w.close_arr();
}

/// Writes the members of the `email` object.
pub fn write_email(tx: &SmtpTx, extended: bool, w: &mut JsonWriter<'_>) {
    let m = &tx.mime;
    w.kstr("status", if m.done { "PARSE_DONE" } else { "HEADER_READY" });
    if !m.from.is_empty() {
        w.kstr("from", &bytes_str(&m.from));
    }
    list(w, "to", &m.to);
    list(w, "cc", &m.cc);
    if extended {
        if !m.date.is_empty() {
            w.kstr("date", &bytes_str(&m.date));
        }
        if !m.message_id.is_empty() {
            w.kstr("message_id", &bytes_str(&m.message_id));
        }
        if !m.subject.is_empty() {
            w.kstr("subject", &bytes_str(&m.subject));
        }
        if !m.x_mailer.is_empty() {
            w.kstr("x_mailer", &bytes_str(&m.x_mailer));
        }
    }
    list(w, "attachment", &m.attachments);
}
