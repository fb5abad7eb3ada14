//! The read-only app-layer view of one packet, for the detection engine.
//!
//! The pipeline builds an [`AppView`] right before `inspect_packet` (see
//! `docs/design/stream.md`, "Pipeline wiring"). It borrows the flow's state for the duration
//! of inspection only; nothing in it is owned or allocated per packet.

use crate::applayer::dns::DnsState;
use crate::applayer::http::HttpState;
use crate::applayer::tls::TlsState;
use crate::applayer::AppProto;
use crate::detect::app::{TxDetStore, TxSource};
use crate::stream::{StreamEvent, StreamEvents};

/// What detection may read about the packet's flow beyond the packet itself.
#[derive(Debug, Default)]
pub struct AppView<'a> {
    /// The flow's application protocol verdict so far ([`AppProto::Unknown`] while probing).
    pub app_proto: AppProto,
    /// The flow's HTTP state (`None` unless the flow was identified as HTTP/1): its live
    /// transactions, oldest first, through `HttpState::txs()` / `tx(id)`. Done transactions
    /// are pruned only after this packet was inspected, so one completed by this packet is
    /// still there.
    pub http: Option<&'a HttpState>,
    /// The flow's DNS state (UDP or TCP; `None` unless the flow was identified as DNS): its
    /// live transactions (one per message), oldest first; the ones this packet completed are
    /// pruned only after it was inspected (dns helper).
    pub dns: Option<&'a DnsState>,
    /// The flow's TLS state (`None` unless identified as TLS): its one transaction through
    /// `TlsState::the_tx()` (kept for the flow's life; buffers via `tls::detect::for_each`).
    pub tls: Option<&'a TlsState>,
    /// Reassembled raw stream of the packet's own direction (the last `raw_keep` delivered
    /// bytes, never across a gap): the buffer for content rules on a stream. Empty unless the
    /// view was built with `with_raw` (see `AppWorker::view`).
    pub raw_stream: &'a [u8],
    /// Stream events raised by this packet (`stream-event:` keyword).
    pub stream_events: StreamEvents,
    /// The flow's transaction detection state (what was inspected, what alerted), `None`
    /// for flows without app-layer state.
    pub det: Option<&'a mut TxDetStore>,
    /// The flow's SSH state (one transaction per flow), when identified as SSH (proto3).
    pub ssh: Option<&'a crate::applayer::ssh::SshState>,
    /// The flow's FTP control state, when identified as FTP (proto3).
    pub ftp: Option<&'a crate::applayer::ftp::FtpState>,
    /// The flow's FTP data state, when it is an announced FTP data connection (proto3).
    pub ftp_data: Option<&'a crate::applayer::ftp::FtpDataState>,
    /// The flow's SMTP state, when identified as SMTP (proto3).
    pub smtp: Option<&'a crate::applayer::smtp::SmtpState>,
}

impl<'a> AppView<'a> {
    /// Whether this packet raised stream event `e`.
    pub fn has_stream_event(&self, e: StreamEvent) -> bool {
        self.stream_events.contains(e)
    }

    /// The flow's live transactions.
    pub fn source(&self) -> TxSource<'a> {
        TxSource { http: self.http, dns: self.dns, tls: self.tls, ssh: self.ssh, ftp: self.ftp, ftp_data: self.ftp_data, smtp: self.smtp }
    }
}
