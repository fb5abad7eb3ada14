//! Outputs. EVE JSON is the contract with users: Suricata's field names, nesting and
//! timestamp format, validated against `eve-schema/` by the tests.
//! (Owned by the output work; this stub is replaced.)

pub mod community_id;
pub mod eve;
pub mod metrics;
pub mod stats;

/// Which EVE event types are written, and their options (`outputs: - eve-log: types:`).
#[derive(Clone, Debug)]
pub struct EveOptions {
    /// eve-log enabled.
    pub enabled: bool,
    /// File name inside the log dir.
    pub filename: String,
    /// `alert` events.
    pub alert: bool,
    /// alert `payload` (base64).
    pub alert_payload: bool,
    /// alert `payload_printable`.
    pub alert_payload_printable: bool,
    /// alert `packet` (base64 of the frame).
    pub alert_packet: bool,
    /// alert `metadata` (flowbits etc. and rule metadata).
    pub alert_metadata: bool,
    /// `drop` events (IPS).
    pub drop: bool,
    /// `flow` events.
    pub flow: bool,
    /// `anomaly` events.
    pub anomaly: bool,
    /// `anomaly` events of type `decode` (`anomaly.types.decode`, off by default as in
    /// Suricata's shipped config).
    pub anomaly_decode: bool,
    /// `stats` events.
    pub stats: bool,
    /// `drop.alerts`: a drop event carries the alert that caused it.
    pub drop_alerts: bool,
    /// `drop.flows: start` (default): for a dropped flow, log one drop event per direction
    /// (plus every packet a rule dropped); `all`: every dropped packet.
    pub drop_flows_start: bool,
    /// `anomaly.packethdr`: anomaly events carry the packet (`packet`, `packet_info`).
    pub anomaly_packethdr: bool,
    /// eve-log `ethernet: yes`: packet events carry `ether.{src,dest}_mac`, flow events the
    /// MAC addresses seen on the flow.
    pub ethernet: bool,
    /// eve-log `community-id: true`: events with a flow tuple carry `community_id`.
    pub community_id: bool,
    /// eve-log `community-id-seed`.
    pub community_id_seed: u16,
}

impl Default for EveOptions {
    fn default() -> Self {
        EveOptions {
            enabled: true,
            filename: "eve.json".into(),
            alert: true,
            alert_payload: false,
            alert_payload_printable: false,
            alert_packet: false,
            alert_metadata: true,
            drop: true,
            flow: true,
            anomaly: true,
            anomaly_decode: false,
            stats: true,
            drop_alerts: false,
            drop_flows_start: true,
            anomaly_packethdr: false,
            ethernet: false,
            community_id: false,
            community_id_seed: 0,
        }
    }
}
