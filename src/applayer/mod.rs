//! Application-layer protocol detection and parsers.
//!
//! # Contract with the stream and detection stages
//! - The TCP reassembler ([`crate::stream`]) hands each direction's in-order bytes as chunks of
//!   any size, and a gap notification (`len` bytes that will never arrive) when data was lost.
//! - First [`probe::Prober`] identifies the protocol from the first bytes of each direction
//!   (with the server port as a hint), then the flow's parser state (for HTTP:
//!   [`http::HttpState`]) gets every later chunk via `on_data`, gaps via `on_gap`, and the
//!   flow end via `on_close`.
//! - Parsers buffer partial messages themselves, within named limits, so a caller never has to
//!   keep unconsumed bytes: every chunk is [`ParseOutcome::Consumed`] unless the parser gave up
//!   ([`ParseOutcome::GiveUp`], after which the flow's app-layer is done).
//! - Parsers produce transactions with monotonic [`TxId`]s and a [`TxProgress`]; detection and
//!   logging read them by id, and the owner prunes the ones it is done with.
//!
//! Nothing here panics on input bytes, reads a clock or allocates without a bound.

pub mod counters;
pub mod dns;
pub mod http;
pub mod probe;
pub mod session; // pipeline wiring (wire)
pub mod ssh; // proto3
pub mod ftp; // proto3
pub mod smtp; // proto3
pub mod tls; // TLS/SSL parser (tls)
pub mod view;

pub use crate::flow::Direction;

/// An application-layer protocol, as Suricata's `app_proto` names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppProto {
    /// Not identified yet (detection still running).
    #[default]
    Unknown,
    /// Detection ran out of bytes or candidates: the flow has no known app-layer protocol.
    Failed,
    /// HTTP/1.0 and HTTP/1.1 (and HTTP/0.9).
    Http1,
    /// HTTP/2.
    Http2,
    /// TLS and SSL.
    Tls,
    /// DNS over UDP or TCP.
    Dns,
    /// SSH.
    Ssh,
    /// SMTP.
    Smtp,
    /// FTP control channel.
    Ftp,
    /// FTP data channel (known from the control channel, never probed).
    FtpData,
}

impl AppProto {
    /// Every variant, for table tests and registries.
    pub const ALL: [AppProto; 10] = [
        AppProto::Unknown,
        AppProto::Failed,
        AppProto::Http1,
        AppProto::Http2,
        AppProto::Tls,
        AppProto::Dns,
        AppProto::Ssh,
        AppProto::Smtp,
        AppProto::Ftp,
        AppProto::FtpData,
    ];

    /// The EVE `app_proto` string; `None` for [`AppProto::Unknown`] (Suricata omits the field).
    pub fn eve_name(self) -> Option<&'static str> {
        match self {
            AppProto::Unknown => None,
            AppProto::Failed => Some("failed"),
            AppProto::Http1 => Some("http"),
            AppProto::Http2 => Some("http2"),
            AppProto::Tls => Some("tls"),
            AppProto::Dns => Some("dns"),
            AppProto::Ssh => Some("ssh"),
            AppProto::Smtp => Some("smtp"),
            AppProto::Ftp => Some("ftp"),
            AppProto::FtpData => Some("ftp-data"),
        }
    }

    /// The protocol a rule header names (`alert http ...`): Suricata's names and aliases
    /// (`http1`, `ssl`, `ftp-data`). `None` for names that are not app-layer protocols.
    pub fn from_rule_name(name: &str) -> Option<AppProto> {
        let p = match name.to_ascii_lowercase().as_str() {
            "http" | "http1" => AppProto::Http1,
            "http2" => AppProto::Http2,
            "tls" | "ssl" => AppProto::Tls,
            "dns" => AppProto::Dns,
            "ssh" => AppProto::Ssh,
            "smtp" => AppProto::Smtp,
            "ftp" => AppProto::Ftp,
            "ftp-data" => AppProto::FtpData,
            "failed" => AppProto::Failed,
            _ => return None,
        };
        Some(p)
    }

    /// Whether detection has reached a verdict (a protocol or [`AppProto::Failed`]).
    pub fn is_decided(self) -> bool {
        self != AppProto::Unknown
    }
}

/// What a parser did with a chunk of streamed input (STYLE.md pattern 7).
///
/// Invariant for `Incomplete`: `consumed <= input.len()` and `consumed + needed > input.len()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseOutcome {
    /// Everything was consumed (possibly buffered inside the parser).
    Consumed,
    /// Only `consumed` bytes were used; call again with the rest plus at least `needed` more.
    Incomplete {
        /// Bytes of the input that were used.
        consumed: usize,
        /// Bytes needed beyond what was used before progress can be made.
        needed: usize,
    },
    /// The parser cannot follow this stream any more; stop feeding it.
    GiveUp,
}

/// One piece of a direction's reassembled stream: data, or a gap of lost bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamInput<'a> {
    /// In-order bytes.
    Data(&'a [u8]),
    /// `len` bytes were lost (never arrived, or the reassembler gave up on them).
    Gap(u64),
}

/// A transaction id: monotonic per flow (and per protocol state), starting at 0, as EVE's
/// `tx_id`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(pub u64);

/// How far a transaction has got, per direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TxProgress {
    /// The request (to_server side) is complete: line, headers and body were seen (or will
    /// never be, after a gap or the end of the flow).
    pub request_complete: bool,
    /// The response (to_client side) is complete.
    pub response_complete: bool,
}

impl TxProgress {
    /// Whether the side flowing in `dir` is complete.
    pub fn is_complete(self, dir: Direction) -> bool {
        match dir {
            Direction::ToServer => self.request_complete,
            Direction::ToClient => self.response_complete,
        }
    }

    /// Both sides complete: the transaction can be logged and pruned.
    pub fn is_done(self) -> bool {
        self.request_complete && self.response_complete
    }
}

/// A parser of one flow's reassembled streams (both directions).
///
/// Implementations buffer partial messages themselves within documented limits.
pub trait StreamParser {
    /// In-order bytes of direction `dir`, seen at packet time `ts`.
    fn on_data(&mut self, dir: Direction, ts: crate::time::Timestamp, data: &[u8]) -> ParseOutcome;
    /// `len` bytes of direction `dir` were lost.
    fn on_gap(&mut self, dir: Direction, len: u64);
    /// The flow ended (FIN/RST seen by both sides, or timeout).
    fn on_close(&mut self, ts: crate::time::Timestamp);

    /// Dispatches one [`StreamInput`].
    fn feed(&mut self, dir: Direction, ts: crate::time::Timestamp, input: StreamInput<'_>) -> ParseOutcome {
        match input {
            StreamInput::Data(d) => self.on_data(dir, ts, d),
            StreamInput::Gap(len) => {
                self.on_gap(dir, len);
                ParseOutcome::Consumed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eve_names_match_suricata() {
        let table: &[(AppProto, Option<&str>)] = &[
            (AppProto::Unknown, None),
            (AppProto::Failed, Some("failed")),
            (AppProto::Http1, Some("http")),
            (AppProto::Http2, Some("http2")),
            (AppProto::Tls, Some("tls")),
            (AppProto::Dns, Some("dns")),
            (AppProto::Ssh, Some("ssh")),
            (AppProto::Smtp, Some("smtp")),
            (AppProto::Ftp, Some("ftp")),
            (AppProto::FtpData, Some("ftp-data")),
        ];
        assert_eq!(table.len(), AppProto::ALL.len());
        for (p, name) in table {
            assert_eq!(p.eve_name(), *name, "{p:?}");
        }
    }

    #[test]
    fn rule_names_round_trip() {
        for p in AppProto::ALL {
            if let Some(n) = p.eve_name() {
                assert_eq!(AppProto::from_rule_name(n), Some(p), "{n}");
            }
        }
        assert_eq!(AppProto::from_rule_name("SSL"), Some(AppProto::Tls));
        assert_eq!(AppProto::from_rule_name("http1"), Some(AppProto::Http1));
        assert_eq!(AppProto::from_rule_name("tcp"), None);
    }

    #[test]
    fn progress() {
        let p = TxProgress { request_complete: true, response_complete: false };
        assert!(p.is_complete(Direction::ToServer));
        assert!(!p.is_complete(Direction::ToClient));
        assert!(!p.is_done());
    }
}
