//! The per-worker flow table (owned by the flow work; this stub is replaced).

use super::{Direction, Flow};
use crate::decode::Packet;

/// Flow-table limits and timeouts (seconds), from the config's `flow` and `flow-timeouts`.
#[derive(Clone, Debug)]
pub struct FlowConfig {
    /// Maximum number of flows per worker before forced eviction.
    pub max_flows: usize,
    /// Idle timeout for new (unestablished) flows.
    pub timeout_new: u64,
    /// Idle timeout for established flows.
    pub timeout_established: u64,
    /// Idle timeout after close.
    pub timeout_closed: u64,
    /// Allow TCP flows picked up without a handshake (`stream.midstream`).
    pub midstream: bool,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig { max_flows: 65_536, timeout_new: 30, timeout_established: 300, timeout_closed: 0, midstream: false }
    }
}

/// The per-worker flow table.
pub struct FlowTable {
    _cfg: FlowConfig,
}

impl FlowTable {
    /// An empty table. `id_seed` makes flow ids unique across workers.
    pub fn new(cfg: FlowConfig, _worker: u16) -> FlowTable {
        FlowTable { _cfg: cfg }
    }

    /// Finds or creates the flow of `p`, updates its counters and state, and returns it with the
    /// packet's direction. `None` for packets without an IP layer.
    pub fn update(&mut self, _p: &Packet<'_>) -> Option<(&mut Flow, Direction)> {
        None
    }

    /// Removes the flows that timed out at `now`, handing each to `ended`.
    pub fn expire(&mut self, _now: crate::time::Timestamp, _ended: &mut dyn FnMut(Flow, super::EndReason)) {}

    /// Removes every flow (shutdown), handing each to `ended`.
    pub fn drain(&mut self, _ended: &mut dyn FnMut(Flow, super::EndReason)) {}
}
