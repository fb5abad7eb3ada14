//! Detection over the application layer: conditions on the flow's app layer
//! (`app-layer-protocol`, `app-layer-event`, `stream-event`) and access to transactions'
//! buffers for transaction signatures.
//!
//! A signature that reads a transaction buffer (`http.uri`, `file.data`, ...) or a
//! transaction condition is a *transaction signature*: it is evaluated once per transaction
//! side change, on packets of its direction, and alerts at most once per transaction (see
//! `DetectEngine::inspect_packet` and [`TxDetStore`]).

use super::compile::BufferId;
use crate::applayer::http::detect as http_detect;
use crate::applayer::http::{HttpEvent, HttpState, HttpTx};
use crate::applayer::AppProto;
use crate::flow::Direction;
use crate::stream::{StreamEvent, StreamEvents};

/// A condition on the flow's application layer.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        if v.starts_with("http.") || v.starts_with("http1.") {
            let name = v.strip_prefix("http1.").map(|r| format!("http.{r}")).unwrap_or_else(|| v.to_string());
            return HttpEvent::from_name(&name).map(AppCond::HttpEvent).ok_or_else(|| format!("app-layer-event {v}: no such HTTP event in Rampart's parser"));
        }
        Err(format!("app-layer-event {v}: events of this protocol are not raised by Rampart yet"))
    }

    /// `stream-event` value (Suricata's names).
    pub fn parse_stream_event(v: &str) -> Result<AppCond, String> {
        let v = v.trim();
        StreamEvent::ALL.iter().find(|e| e.name() == v).map(|e| AppCond::Stream(*e)).ok_or_else(|| format!("stream-event {v}: not an event Rampart's stream engine raises"))
    }

    /// Whether the condition is about a transaction (evaluated per transaction).
    pub fn is_tx(&self) -> bool {
        matches!(self, AppCond::HttpEvent(_))
    }

    /// Evaluates a packet-level condition: `app_proto` is the flow's EVE protocol name.
    pub fn matches_packet(&self, app_proto: Option<&str>, events: StreamEvents) -> bool {
        match self {
            AppCond::Proto { name, negated } => match app_proto {
                None => false,
                Some(p) => (p == *name) != *negated,
            },
            AppCond::Stream(e) => events.contains(*e),
            AppCond::HttpEvent(_) => true,
        }
    }

    /// Evaluates a transaction condition on `tx`.
    pub fn matches_tx(&self, tx: TxRef<'_>) -> bool {
        match (self, tx) {
            (AppCond::HttpEvent(e), TxRef::Http(t)) => t.has_event(*e),
            _ => true,
        }
    }
}

/// The live transactions of a flow, of whichever protocol (copyable, read-only).
#[derive(Clone, Copy, Debug, Default)]
pub struct TxSource<'a> {
    /// The flow's HTTP/1 state.
    pub http: Option<&'a HttpState>,
}

impl<'a> TxSource<'a> {
    /// Number of live transactions.
    pub fn tx_count(self) -> usize {
        self.http.map_or(0, |h| h.txs().len())
    }

    /// The live transaction at position `i` (oldest first).
    pub fn tx_at(self, i: usize) -> Option<TxRef<'a>> {
        self.http.and_then(|h| h.txs().nth(i)).map(TxRef::Http)
    }
}

/// One transaction, of whichever protocol.
#[derive(Clone, Copy, Debug)]
pub enum TxRef<'a> {
    /// An HTTP/1 transaction.
    Http(&'a HttpTx),
}

impl<'a> TxRef<'a> {
    /// The transaction id (EVE `tx_id`).
    pub fn id(self) -> u64 {
        match self {
            TxRef::Http(t) => t.id.0,
        }
    }

    /// How far side `side` has got (changes whenever detection has something new to see).
    pub fn fingerprint(self, side: Direction) -> u64 {
        match self {
            TxRef::Http(t) => http_detect::fingerprint(t, side),
        }
    }

    /// Calls `f` on each instance of buffer `buf` (side `dir` for two-sided buffers) until it
    /// returns true; whether it did. A buffer of another protocol has no instance.
    pub(crate) fn for_each(self, buf: BufferId, dir: Direction, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        match (self, buf) {
            (TxRef::Http(t), BufferId::Http(b)) => http_detect::for_each(t, b, dir, f),
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
            _ => true,
        }
    }

    /// The transaction's application protocol.
    pub fn proto(self) -> AppProto {
        match self {
            TxRef::Http(_) => AppProto::Http1,
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

    /// Drops the state of transactions below `lowest` (pruned by the parser).
    pub fn prune_below(&mut self, lowest: u64) {
        self.entries.retain(|e| e.tx >= lowest);
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
        assert_eq!(AppCond::parse_app_layer_protocol("http"), Ok(AppCond::Proto { name: "http", negated: false }));
        assert_eq!(AppCond::parse_app_layer_protocol("!tls, either"), Ok(AppCond::Proto { name: "tls", negated: true }));
        assert_eq!(AppCond::parse_app_layer_protocol("failed"), Ok(AppCond::Proto { name: "failed", negated: false }));
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
        assert!(AppCond::parse_app_layer_event("tls.invalid_record_type").is_err());
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
        s.prune_below(1);
        assert!(s.is_empty());
    }
}
