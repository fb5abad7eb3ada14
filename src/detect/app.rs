//! Detection over the application layer: conditions on the flow's app layer
//! (`app-layer-protocol`, `app-layer-event`, `stream-event`) and access to transactions'
//! buffers for transaction signatures.
//!
//! A signature that reads a transaction buffer (`http.uri`, `file.data`, ...) or a
//! transaction condition is a *transaction signature*: it is evaluated once per transaction
//! side change, on packets of its direction, and alerts at most once per transaction (see
//! `DetectEngine::inspect_packet` and [`TxDetStore`]).

use super::compile::BufferId;
use super::keywords::{dns_opcode, dns_rcode, dns_rrtype, ftpbounce, ftpdata_command, ssh_protoversion, ssh_softwareversion};
use super::keywords::{ssl_state, ssl_version, tls_cert_chain_len, tls_cert_validity, tls_subject, tls_version};
use crate::applayer::dns::{DnsEvent, DnsState, DnsTx};
use crate::applayer::ftp::{FtpDataState, FtpDataTx, FtpEvent, FtpState, FtpTx};
use crate::applayer::http::detect as http_detect;
use crate::applayer::http::{HttpEvent, HttpState, HttpTx};
use crate::applayer::smtp::{SmtpEvent, SmtpState, SmtpTx};
use crate::applayer::ssh::{SshEvent, SshState, SshTx};
use crate::applayer::tls::{TlsEvent, TlsState, TlsTx};
use crate::applayer::{dns, ftp, smtp, ssh, tls};
use crate::applayer::AppProto;
use crate::flow::Direction;
use crate::stream::{StreamEvent, StreamEvents};

/// A condition on the flow's application layer.
#[derive(Clone, Debug)]
pub enum AppCond {
    /// `app-layer-protocol:[!]name`: the flow's detected protocol (EVE name) is / is not
    /// `name`. Never matches while detection is still running, as Suricata.
    Proto {
        /// The protocol's EVE name.
        name: &'static str,
        /// `!`.
        negated: bool,
    },
    /// `stream-event:name`: this packet raised the stream event.
    Stream(StreamEvent),
    /// `app-layer-event:http.name`: the transaction carries the HTTP event.
    HttpEvent(HttpEvent),
    /// `app-layer-event:dns.name`.
    DnsEvent(DnsEvent),
    /// `app-layer-event:tls.name`.
    TlsEvent(TlsEvent),
    /// `app-layer-event:ssh.name`.
    SshEvent(SshEvent),
    /// `app-layer-event:ftp.name`.
    FtpEvent(FtpEvent),
    /// `app-layer-event:smtp.name`.
    SmtpEvent(SmtpEvent),
    /// `dns.opcode`.
    DnsOpcode(dns_opcode::DnsOpcode),
    /// `dns.rcode`.
    DnsRcode(dns_rcode::DnsRcode),
    /// `dns.rrtype`.
    DnsRrtype(dns_rrtype::DnsRrtype),
    /// `tls.version`.
    TlsVersion(tls_version::TlsVersion),
    /// `ssl_version`.
    SslVersion(ssl_version::SslVersion),
    /// `ssl_state`.
    SslState(ssl_state::SslState),
    /// `tls.cert_chain_len`.
    CertChainLen(tls_cert_chain_len::CertChainLen),
    /// `tls_cert_notbefore` / `tls_cert_notafter` / `tls_cert_expired` / `tls_cert_valid`
    /// (compared with the packet time).
    CertValidity(tls_cert_validity::CertValidity),
    /// `tls.subject` / `tls.issuerdn` / `tls.fingerprint` (legacy forms).
    TlsCertField(tls_subject::TlsCertField),
    /// `ftpbounce`.
    FtpBounce(ftpbounce::FtpBounce),
    /// `ftpdata_command`.
    FtpDataCommand(ftpdata_command::FtpDataCommand),
    /// `ssh.protoversion`.
    SshProtoVersion(ssh_protoversion::SshProtoVersion),
    /// `ssh.softwareversion`.
    SshSoftwareVersion(ssh_softwareversion::SshSoftwareVersion),
}

impl AppCond {
    /// `app-layer-protocol` value: `[!]proto[,final|original|either|to_server|to_client|direction]`.
    /// Rampart keeps one protocol per flow (no protocol change), so every mode reads it.
    pub fn parse_app_layer_protocol(v: &str) -> Result<AppCond, String> {
        let mut parts = v.split(',').map(str::trim);
        let p = parts.next().unwrap_or("");
        if let Some(m) = parts.next() {
            if !matches!(m, "final" | "original" | "either" | "to_server" | "to_client" | "direction") {
                return Err(format!("app-layer-protocol: unknown mode '{m}'"));
            }
        }
        if parts.next().is_some() {
            return Err("app-layer-protocol: too many values".into());
        }
        let (negated, p) = match p.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, p),
        };
        let proto = AppProto::from_rule_name(p).ok_or_else(|| format!("app-layer-protocol: protocol '{p}' is not detected by Rampart"))?;
        let name = proto.eve_name().ok_or_else(|| format!("app-layer-protocol: '{p}' has no name"))?;
        Ok(AppCond::Proto { name, negated })
    }

    /// `app-layer-event` value. Only events a Rampart parser raises are accepted.
    pub fn parse_app_layer_event(v: &str) -> Result<AppCond, String> {
        let v = v.trim();
        let no = || format!("app-layer-event {v}: no such event in Rampart's parser");
        if v.starts_with("http.") || v.starts_with("http1.") {
            let name = v.strip_prefix("http1.").map(|r| format!("http.{r}")).unwrap_or_else(|| v.to_string());
            return HttpEvent::from_name(&name).map(AppCond::HttpEvent).ok_or_else(no);
        }
        if let Some(n) = v.strip_prefix("dns.") {
            return DnsEvent::from_name(n).map(AppCond::DnsEvent).ok_or_else(no);
        }
        if v.starts_with("tls.") {
            return TlsEvent::from_name(v).map(AppCond::TlsEvent).ok_or_else(no);
        }
        if v.starts_with("ssh.") {
            return SshEvent::from_name(v).map(AppCond::SshEvent).ok_or_else(no);
        }
        if v.starts_with("ftp.") {
            return FtpEvent::from_name(v).map(AppCond::FtpEvent).ok_or_else(no);
        }
        if v.starts_with("smtp.") {
            return SmtpEvent::from_name(v).map(AppCond::SmtpEvent).ok_or_else(no);
        }
        Err(format!("app-layer-event {v}: events of this protocol are not raised by Rampart yet"))
    }

    /// The application protocol the condition implies (`None` for the flow-level ones).
    pub fn app_proto(&self) -> Option<AppProto> {
        use AppProto as P;
        Some(match self {
            AppCond::Proto { .. } | AppCond::Stream(_) => return None,
            AppCond::HttpEvent(_) => P::Http1,
            AppCond::DnsEvent(_) | AppCond::DnsOpcode(_) | AppCond::DnsRcode(_) | AppCond::DnsRrtype(_) => P::Dns,
            AppCond::TlsEvent(_) | AppCond::TlsVersion(_) | AppCond::SslVersion(_) | AppCond::SslState(_) | AppCond::CertChainLen(_) | AppCond::CertValidity(_) | AppCond::TlsCertField(_) => P::Tls,
            AppCond::SshEvent(_) | AppCond::SshProtoVersion(_) | AppCond::SshSoftwareVersion(_) => P::Ssh,
            AppCond::FtpEvent(_) | AppCond::FtpBounce(_) => P::Ftp,
            AppCond::FtpDataCommand(_) => P::FtpData,
            AppCond::SmtpEvent(_) => P::Smtp,
        })
    }

    /// The app-layer keywords that are conditions on a transaction (`dns.opcode`,
    /// `tls.version`, `ftpbounce`, ...): `None` when `name` is not one; otherwise the
    /// condition (its protocol: [`AppCond::app_proto`]) or the parse error.
    pub fn parse_keyword(name: &str, value: Option<&str>) -> Option<Result<AppCond, String>> {
        let r = match name {
            "dns.opcode" => dns_opcode::DnsOpcode::parse(value).map(AppCond::DnsOpcode),
            "dns.rcode" => dns_rcode::DnsRcode::parse(value).map(AppCond::DnsRcode),
            "dns.rrtype" => dns_rrtype::DnsRrtype::parse(value).map(AppCond::DnsRrtype),
            "tls.version" => tls_version::TlsVersion::parse(value).map(AppCond::TlsVersion),
            "ssl_version" => ssl_version::SslVersion::parse(value).map(AppCond::SslVersion),
            "ssl_state" => ssl_state::SslState::parse(value).map(AppCond::SslState),
            "tls.cert_chain_len" => tls_cert_chain_len::CertChainLen::parse(value).map(AppCond::CertChainLen),
            "tls_cert_notbefore" | "tls_cert_notafter" | "tls_cert_expired" | "tls_cert_valid" => {
                tls_cert_validity::CertValidity::parse(name, value).map(AppCond::CertValidity)
            }
            "tls.subject" | "tls.issuerdn" | "tls.fingerprint" => tls_subject::TlsCertField::parse(name, value).map(AppCond::TlsCertField),
            "ftpbounce" => ftpbounce::FtpBounce::parse(value).map(AppCond::FtpBounce),
            "ftpdata_command" => ftpdata_command::FtpDataCommand::parse(value).map(AppCond::FtpDataCommand),
            "ssh.protoversion" | "ssh_protoversion" => ssh_protoversion::SshProtoVersion::parse(value).map(AppCond::SshProtoVersion),
            "ssh.softwareversion" | "ssh_softwareversion" => ssh_softwareversion::SshSoftwareVersion::parse(value).map(AppCond::SshSoftwareVersion),
            _ => return None,
        };
        Some(r)
    }

    /// `stream-event` value (Suricata's names).
    pub fn parse_stream_event(v: &str) -> Result<AppCond, String> {
        let v = v.trim();
        StreamEvent::ALL.iter().find(|e| e.name() == v).map(|e| AppCond::Stream(*e)).ok_or_else(|| format!("stream-event {v}: not an event Rampart's stream engine raises"))
    }

    /// Whether the condition is about a transaction (evaluated per transaction).
    pub fn is_tx(&self) -> bool {
        !matches!(self, AppCond::Proto { .. } | AppCond::Stream(_))
    }

    /// Evaluates a packet-level condition: `app_proto` is the flow's EVE protocol name.
    pub fn matches_packet(&self, app_proto: Option<&str>, events: StreamEvents) -> bool {
        match self {
            AppCond::Proto { name, negated } => match app_proto {
                None => false,
                Some(p) => (p == *name) != *negated,
            },
            AppCond::Stream(e) => events.contains(*e),
            _ => true,
        }
    }

    /// Evaluates a transaction condition on `tx` for a packet travelling in `dir` at
    /// `now_secs` (Unix seconds). A condition of another protocol does not match.
    pub fn matches_tx(&self, tx: TxRef<'_>, dir: Direction, now_secs: i64) -> bool {
        match (self, tx) {
            (AppCond::HttpEvent(e), TxRef::Http(t)) => t.has_event(*e),
            (AppCond::DnsEvent(e), TxRef::Dns(t)) => t.events.contains(e),
            (AppCond::TlsEvent(e), TxRef::Tls(t)) => t.events.contains(e),
            (AppCond::SshEvent(e), TxRef::Ssh(t)) => t.events.contains(e),
            (AppCond::FtpEvent(e), TxRef::Ftp(t)) => t.events.contains(e),
            (AppCond::SmtpEvent(e), TxRef::Smtp(t)) => t.events.contains(e),
            (AppCond::DnsOpcode(k), TxRef::Dns(t)) => k.matches(t, dir),
            (AppCond::DnsRcode(k), TxRef::Dns(t)) => k.matches(t, dir),
            (AppCond::DnsRrtype(k), TxRef::Dns(t)) => k.matches(t, dir),
            (AppCond::TlsVersion(k), TxRef::Tls(t)) => k.matches(t, dir),
            (AppCond::SslVersion(k), TxRef::Tls(t)) => k.matches(t, dir),
            (AppCond::SslState(k), TxRef::Tls(t)) => k.matches(t, dir),
            (AppCond::CertChainLen(k), TxRef::Tls(t)) => k.matches(t, dir),
            (AppCond::CertValidity(k), TxRef::Tls(t)) => k.matches_at(t, now_secs),
            (AppCond::TlsCertField(k), TxRef::Tls(t)) => k.matches(t, dir),
            (AppCond::FtpBounce(k), TxRef::Ftp(t)) => k.matches(t, dir),
            (AppCond::FtpDataCommand(k), TxRef::FtpData(t)) => k.matches(t, dir),
            (AppCond::SshProtoVersion(k), TxRef::Ssh(t)) => k.matches(t, dir),
            (AppCond::SshSoftwareVersion(k), TxRef::Ssh(t)) => k.matches(t, dir),
            _ => false,
        }
    }
}

/// The live transactions of a flow, of whichever protocol (copyable, read-only).
#[derive(Clone, Copy, Debug, Default)]
pub struct TxSource<'a> {
    /// The flow's HTTP/1 state.
    pub http: Option<&'a HttpState>,
    /// DNS (UDP or TCP).
    pub dns: Option<&'a DnsState>,
    /// TLS.
    pub tls: Option<&'a TlsState>,
    /// SSH.
    pub ssh: Option<&'a SshState>,
    /// FTP control channel.
    pub ftp: Option<&'a FtpState>,
    /// FTP data channel.
    pub ftp_data: Option<&'a FtpDataState>,
    /// SMTP.
    pub smtp: Option<&'a SmtpState>,
}

impl<'a> TxSource<'a> {
    /// Every live transaction, oldest first, protocol by protocol (the order of
    /// [`TxSource::tx_at`]).
    pub fn iter(self) -> impl Iterator<Item = TxRef<'a>> {
        let http = self.http.into_iter().flat_map(|s| s.txs().map(TxRef::Http));
        let dns = self.dns.into_iter().flat_map(|s| s.txs().map(TxRef::Dns));
        let tls = self.tls.into_iter().flat_map(|s| s.txs().map(TxRef::Tls));
        let ssh = self.ssh.into_iter().flat_map(|s| s.txs().map(TxRef::Ssh));
        let ftp = self.ftp.into_iter().flat_map(|s| s.txs().map(TxRef::Ftp));
        let ftp_data = self.ftp_data.into_iter().map(|d| TxRef::FtpData(&d.tx));
        let smtp = self.smtp.into_iter().flat_map(|s| s.txs().map(TxRef::Smtp));
        http.chain(dns).chain(tls).chain(ssh).chain(ftp).chain(ftp_data).chain(smtp)
    }

    /// The live transaction at position `i` (oldest first, protocol by protocol).
    #[allow(unused_assignments)]
    pub fn tx_at(self, mut i: usize) -> Option<TxRef<'a>> {
        macro_rules! step {
            ($opt:expr, $v:ident) => {
                if let Some(s) = $opt {
                    let n = s.txs().len();
                    if i < n {
                        return s.txs().nth(i).map(TxRef::$v);
                    }
                    i -= n;
                }
            };
        }
        step!(self.http, Http);
        step!(self.dns, Dns);
        step!(self.tls, Tls);
        step!(self.ssh, Ssh);
        step!(self.ftp, Ftp);
        if let Some(d) = self.ftp_data {
            if i == 0 {
                return Some(TxRef::FtpData(&d.tx));
            }
            i -= 1;
        }
        step!(self.smtp, Smtp);
        None
    }
}

/// One transaction, of whichever protocol.
#[derive(Clone, Copy, Debug)]
pub enum TxRef<'a> {
    /// An HTTP/1 transaction.
    Http(&'a HttpTx),
    /// A DNS message.
    Dns(&'a DnsTx),
    /// The TLS session.
    Tls(&'a TlsTx),
    /// The SSH session.
    Ssh(&'a SshTx),
    /// An FTP command and its reply.
    Ftp(&'a FtpTx),
    /// An FTP data transfer.
    FtpData(&'a FtpDataTx),
    /// An SMTP mail transaction.
    Smtp(&'a SmtpTx),
}

fn progress_bits(p: crate::applayer::TxProgress) -> u64 {
    u64::from(p.request_complete) | u64::from(p.response_complete) << 1
}

impl<'a> TxRef<'a> {
    /// The transaction id (EVE `tx_id`).
    pub fn id(self) -> u64 {
        match self {
            TxRef::Http(t) => t.id.0,
            TxRef::Dns(t) => t.id.0,
            TxRef::Tls(t) => t.id.0,
            TxRef::Ssh(t) => t.id.0,
            TxRef::Ftp(t) => t.id.0,
            TxRef::FtpData(t) => t.id.0,
            TxRef::Smtp(t) => t.id.0,
        }
    }

    /// A key unique per flow across protocols (a flow can change protocol: STARTTLS).
    pub fn key(self) -> u64 {
        let tag: u64 = match self {
            TxRef::Http(_) => 0,
            TxRef::Dns(_) => 1,
            TxRef::Tls(_) => 2,
            TxRef::Ssh(_) => 3,
            TxRef::Ftp(_) => 4,
            TxRef::FtpData(_) => 5,
            TxRef::Smtp(_) => 6,
        };
        tag << 56 | (self.id() & ((1 << 56) - 1))
    }

    /// How far side `side` has got (changes whenever detection has something new to see).
    pub fn fingerprint(self, side: Direction) -> u64 {
        match self {
            TxRef::Http(t) => http_detect::fingerprint(t, side),
            TxRef::Dns(t) => 1 | (t.events.len() as u64) << 8,
            TxRef::Tls(t) => {
                u64::from(t.state_bits) | (t.server_certs.len() as u64 & 0xff) << 8 | progress_bits(t.progress) << 16 | (t.events.len() as u64) << 24 | u64::from(t.client_hello.is_some()) << 40 | u64::from(t.server_hello.is_some()) << 41
            }
            TxRef::Ssh(t) => {
                let h = t.header(side);
                u64::from(h.banner_done) | u64::from(h.finished) << 1 | (h.hassh.len() as u64) << 2 | progress_bits(t.progress) << 16 | (t.events.len() as u64) << 24
            }
            TxRef::Ftp(t) => progress_bits(t.progress) | (t.events.len() as u64) << 8,
            TxRef::FtpData(t) => progress_bits(t.progress) | 4,
            TxRef::Smtp(t) => progress_bits(t.progress) | (t.events.len() as u64) << 8,
        }
    }

    /// Calls `f` on each instance of buffer `buf` (side `dir` for two-sided buffers) until it
    /// returns true; whether it did. A buffer of another protocol has no instance.
    pub(crate) fn for_each(self, buf: BufferId, dir: Direction, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        match (self, buf) {
            (TxRef::Http(t), BufferId::Http(b)) => http_detect::for_each(t, b, dir, f),
            (TxRef::Dns(t), BufferId::Dns(b)) => dns::detect::for_each(t, b, f),
            (TxRef::Tls(t), BufferId::Tls(b)) => tls::detect::for_each(t, b, f),
            (TxRef::Ssh(t), BufferId::Ssh(b)) => {
                if b.both_directions() {
                    ssh::detect::for_each_dir(t, b, dir, f)
                } else {
                    ssh::detect::for_each(t, b, f)
                }
            }
            (TxRef::Ftp(t), BufferId::Ftp(b)) => ftp::detect::for_each(t, b, f),
            (TxRef::Smtp(t), BufferId::Smtp(b)) => smtp::detect::for_each(t, b, f),
            _ => false,
        }
    }

    /// The first instance of `buf` (for prefilter scans of single buffers).
    pub(crate) fn get(self, buf: BufferId, dir: Direction) -> Option<&'a [u8]> {
        match (self, buf) {
            (TxRef::Http(t), BufferId::Http(b)) => http_detect::get(t, b, dir),
            _ => None,
        }
    }

    /// Whether `buf` can be inspected yet.
    pub(crate) fn ready(self, buf: BufferId, dir: Direction) -> bool {
        match (self, buf) {
            (TxRef::Http(t), BufferId::Http(b)) => http_detect::ready(t, b, dir),
            (TxRef::Dns(t), BufferId::Dns(b)) => dns::detect::ready(t, b),
            (TxRef::Tls(t), BufferId::Tls(b)) => tls::detect::ready(t, b),
            (TxRef::Ssh(t), BufferId::Ssh(b)) => ssh::detect::ready(t, b),
            (TxRef::Ftp(t), BufferId::Ftp(b)) => ftp::detect::ready(t, b),
            (TxRef::Smtp(t), BufferId::Smtp(b)) => smtp::detect::ready(t, b),
            _ => true,
        }
    }

    /// The transaction's application protocol.
    pub fn proto(self) -> AppProto {
        match self {
            TxRef::Http(_) => AppProto::Http1,
            TxRef::Dns(_) => AppProto::Dns,
            TxRef::Tls(_) => AppProto::Tls,
            TxRef::Ssh(_) => AppProto::Ssh,
            TxRef::Ftp(_) => AppProto::Ftp,
            TxRef::FtpData(_) => AppProto::FtpData,
            TxRef::Smtp(_) => AppProto::Smtp,
        }
    }
}

/// Per-flow detection state of transactions: which side changes were inspected and which
/// signatures already alerted on each transaction. Lives with the flow's app-layer state;
/// entries go when their transaction is pruned.
#[derive(Debug, Default)]
pub struct TxDetStore {
    /// The engine whose internal signature ids `alerted` holds (a reload renumbers them).
    engine: u64,
    entries: Vec<TxDet>,
}

/// Detection state of one transaction.
#[derive(Debug, Default)]
struct TxDet {
    tx: u64,
    /// Fingerprint of each side when it was last inspected (index: 0 to_server, 1 to_client).
    seen: [u64; 2],
    /// Internal ids of the signatures that alerted on this transaction, sorted.
    alerted: Vec<u32>,
}

/// Index of a direction in per-side arrays: 0 to_server, 1 to_client.
pub(crate) fn side_idx(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

impl TxDetStore {
    /// Binds the store to engine `id` (clearing alert records made under another engine).
    pub fn bind(&mut self, id: u64) {
        if self.engine != id {
            self.engine = id;
            self.entries.iter_mut().for_each(|e| e.alerted.clear());
        }
    }

    fn entry(&mut self, tx: u64) -> &mut TxDet {
        let i = match self.entries.iter().position(|e| e.tx == tx) {
            Some(i) => i,
            None => {
                self.entries.push(TxDet { tx, seen: [u64::MAX; 2], alerted: Vec::new() });
                self.entries.len() - 1
            }
        };
        &mut self.entries[i]
    }

    /// Whether side `d` of `tx` changed since it was last inspected; records `fp` as seen.
    pub fn changed(&mut self, tx: u64, d: Direction, fp: u64) -> bool {
        let e = self.entry(tx);
        let s = &mut e.seen[side_idx(d)];
        let c = *s != fp;
        *s = fp;
        c
    }

    /// Whether side `d` of `tx` was inspected at fingerprint `fp` (nothing new since).
    pub fn inspected(&self, tx: u64, d: Direction, fp: u64) -> bool {
        self.entries.iter().find(|e| e.tx == tx).is_some_and(|e| e.seen[side_idx(d)] == fp)
    }

    /// Whether signature `iid` already alerted on `tx`.
    pub fn alerted(&self, tx: u64, iid: u32) -> bool {
        self.entries.iter().find(|e| e.tx == tx).is_some_and(|e| e.alerted.binary_search(&iid).is_ok())
    }

    /// Records that `iid` alerted on `tx`.
    pub fn set_alerted(&mut self, tx: u64, iid: u32) {
        let e = self.entry(tx);
        if let Err(pos) = e.alerted.binary_search(&iid) {
            e.alerted.insert(pos, iid);
        }
    }

    /// Keeps only the state of transactions still live in `src` (their keys).
    pub fn retain_live(&mut self, src: TxSource<'_>) {
        if self.entries.is_empty() {
            return;
        }
        self.entries.retain(|e| src.iter().any(|t| t.key() == e.tx));
    }

    /// Number of transactions tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no transaction is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_layer_protocol_values() {
        assert!(matches!(AppCond::parse_app_layer_protocol("http"), Ok(AppCond::Proto { name: "http", negated: false })));
        assert!(matches!(AppCond::parse_app_layer_protocol("!tls, either"), Ok(AppCond::Proto { name: "tls", negated: true })));
        assert!(matches!(AppCond::parse_app_layer_protocol("failed"), Ok(AppCond::Proto { name: "failed", negated: false })));
        assert!(AppCond::parse_app_layer_protocol("smb").is_err());
        assert!(AppCond::parse_app_layer_protocol("http,sideways").is_err());
        let c = AppCond::parse_app_layer_protocol("!http").expect("c");
        assert!(!c.matches_packet(None, StreamEvents::default()), "undecided never matches");
        assert!(c.matches_packet(Some("tls"), StreamEvents::default()));
        assert!(!c.matches_packet(Some("http"), StreamEvents::default()));
    }

    #[test]
    fn event_values() {
        assert!(matches!(AppCond::parse_app_layer_event("http.request_field_too_long"), Ok(AppCond::HttpEvent(_))));
        assert!(AppCond::parse_app_layer_event("http.no_such_event").is_err());
        assert!(matches!(AppCond::parse_app_layer_event("tls.invalid_record_type"), Ok(AppCond::TlsEvent(_))));
        assert!(AppCond::parse_app_layer_event("smb.bogus").is_err());
        assert!(matches!(AppCond::parse_stream_event("pkt_invalid_ack"), Ok(AppCond::Stream(StreamEvent::PktInvalidAck))));
        assert!(AppCond::parse_stream_event("bogus").is_err());
    }

    #[test]
    fn store_tracks_changes_and_alerts() {
        let mut s = TxDetStore::default();
        s.bind(1);
        assert!(s.changed(0, Direction::ToServer, 5));
        assert!(!s.changed(0, Direction::ToServer, 5));
        assert!(s.changed(0, Direction::ToClient, 5), "sides are separate");
        s.set_alerted(0, 7);
        s.set_alerted(0, 3);
        assert!(s.alerted(0, 7) && s.alerted(0, 3) && !s.alerted(0, 4) && !s.alerted(1, 7));
        s.bind(2);
        assert!(!s.alerted(0, 7), "a new engine renumbers signatures");
        s.retain_live(TxSource::default());
        assert!(s.is_empty());
    }
}
