//! Detection hooks of SMTP: `smtp.helo`, `smtp.mail_from`, `smtp.rcpt_to` (multi) and the
//! `email.*` header buffers (see the app-layer contract).

use super::SmtpTx;
use crate::flow::Direction;

/// One sticky buffer of SMTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SmtpBuf {
    /// `smtp.helo`.
    Helo,
    /// `smtp.mail_from`.
    MailFrom,
    /// `smtp.rcpt_to` (one instance per recipient).
    RcptTo,
    /// `email.from`.
    EmailFrom,
    /// `email.to` (one instance per address).
    EmailTo,
    /// `email.cc` (one instance per address).
    EmailCc,
    /// `email.subject`.
    EmailSubject,
    /// `email.date`.
    EmailDate,
    /// `email.message_id`.
    EmailMessageId,
    /// `email.x_mailer`.
    EmailXMailer,
}

impl SmtpBuf {
    /// Suricata's keyword names.
    pub fn from_keyword(name: &str) -> Option<Self> {
        let b = match name.to_ascii_lowercase().as_str() {
            "smtp.helo" => SmtpBuf::Helo,
            "smtp.mail_from" => SmtpBuf::MailFrom,
            "smtp.rcpt_to" => SmtpBuf::RcptTo,
            "email.from" => SmtpBuf::EmailFrom,
            "email.to" => SmtpBuf::EmailTo,
            "email.cc" => SmtpBuf::EmailCc,
            "email.subject" => SmtpBuf::EmailSubject,
            "email.date" => SmtpBuf::EmailDate,
            "email.message_id" => SmtpBuf::EmailMessageId,
            "email.x_mailer" => SmtpBuf::EmailXMailer,
            _ => return None,
        };
        Some(b)
    }

    /// All are client data: inspected on to_server packets.
    pub fn direction(self) -> Direction {
        Direction::ToServer
    }
}

/// Calls `f` on each instance of `buf` in `tx` until it returns true.
pub fn for_each(tx: &SmtpTx, buf: SmtpBuf, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let one = |v: &[u8], f: &mut dyn FnMut(&[u8]) -> bool| !v.is_empty() && f(v);
    let m = &tx.mime;
    match buf {
        SmtpBuf::Helo => one(&tx.helo, f),
        SmtpBuf::MailFrom => one(&tx.mail_from, f),
        SmtpBuf::RcptTo => tx.rcpt_to.iter().any(|r| f(r)),
        SmtpBuf::EmailFrom => one(&m.from, f),
        SmtpBuf::EmailTo => m.to.iter().any(|r| f(r)),
        SmtpBuf::EmailCc => m.cc.iter().any(|r| f(r)),
        SmtpBuf::EmailSubject => one(&m.subject, f),
        SmtpBuf::EmailDate => one(&m.date, f),
        SmtpBuf::EmailMessageId => one(&m.message_id, f),
        SmtpBuf::EmailXMailer => one(&m.x_mailer, f),
    }
}

/// Envelope buffers are final once the message started (or the tx is done); email ones once
/// the message headers ended.
pub fn ready(tx: &SmtpTx, buf: SmtpBuf) -> bool {
    let done = tx.progress.is_done();
    match buf {
        SmtpBuf::Helo | SmtpBuf::MailFrom | SmtpBuf::RcptTo => done || tx.has_message,
        _ => done || tx.mime.headers_done,
    }
}
