//! Detection: an immutable [`DetectEngine`] built from parsed rules and shared by all workers
//! behind an atomically swappable pointer, and a per-worker [`DetectCtx`] holding scratch
//! space and per-worker state (thresholds).
//! (Owned by the detection work; this stub is replaced.)

pub mod parse;
pub mod keywords;
pub mod mpm;

use crate::decode::Packet;
use crate::flow::{Direction, Flow};
pub use parse::{Action, Rule, RuleIssue, Vars};
use std::collections::HashMap;
use std::sync::Arc;

/// What the engine needs beyond the rules.
#[derive(Clone, Debug, Default)]
pub struct DetectSettings {
    /// classtype name -> (description, priority), from classification.config.
    pub classifications: HashMap<String, (String, u8)>,
    /// reference system name -> URL prefix, from reference.config.
    pub references: HashMap<String, String>,
    /// Treat drop/reject as an inline engine would (`--simulate-ips`, `-q`).
    pub ips: bool,
}

/// The static description of a signature that an alert carries to outputs.
#[derive(Clone, Debug)]
pub struct SigMeta {
    /// gid (default 1).
    pub gid: u32,
    /// sid.
    pub sid: u32,
    /// rev.
    pub rev: u32,
    /// msg.
    pub msg: String,
    /// Classification description (EVE `alert.category`), empty if none.
    pub category: String,
    /// Priority (EVE `alert.severity`), 3 if none given.
    pub severity: u8,
    /// Rule action.
    pub action: Action,
    /// `metadata` as EVE's `alert.metadata` map: key -> values in order.
    pub metadata: Vec<(String, Vec<String>)>,
    /// `target:src_ip|dest_ip`, if given.
    pub target: Option<Target>,
}

/// The `target` keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The source is the target.
    Src,
    /// The destination is the target.
    Dst,
}

/// One alert raised on a packet.
#[derive(Clone, Debug)]
pub struct Alert {
    /// The signature.
    pub sig: Arc<SigMeta>,
    /// Application-layer transaction id, when the match was on a transaction.
    pub tx_id: Option<u64>,
}

/// Counts from building an engine: what `-T` prints.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Rules loaded.
    pub loaded: usize,
    /// Rules that parsed but use something not supported.
    pub refused: Vec<RuleIssue>,
    /// Rules that could not be parsed.
    pub failed: Vec<RuleIssue>,
}

/// The compiled, immutable detection engine.
pub struct DetectEngine {
    _settings: DetectSettings,
}

/// Per-worker detection scratch and state.
pub struct DetectCtx {}

impl DetectEngine {
    /// Compiles `rules`. Rules that cannot be honoured are refused (listed in the report).
    pub fn build(_rules: Vec<Rule>, settings: DetectSettings) -> (DetectEngine, LoadReport) {
        (DetectEngine { _settings: settings }, LoadReport::default())
    }

    /// An engine with no rules (`--disable-detection`).
    pub fn empty() -> DetectEngine {
        DetectEngine { _settings: DetectSettings::default() }
    }

    /// Fresh per-worker scratch.
    pub fn new_ctx(&self) -> DetectCtx {
        DetectCtx {}
    }

    /// Runs every candidate rule against `p`, pushing alerts in Suricata's order.
    /// `flow` is the packet's flow with the packet's direction, updated (flowbits, ...) in place.
    pub fn inspect_packet(&self, _ctx: &mut DetectCtx, _p: &Packet<'_>, _flow: Option<(&mut Flow, Direction)>, _alerts: &mut Vec<Alert>) {}
}
