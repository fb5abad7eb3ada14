//! Outputs. EVE JSON is the contract with users: Suricata's field names, nesting and
//! timestamp format, validated against `eve-schema/` by the tests.
//! (Owned by the output work; this stub is replaced.)

pub mod eve;
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
        }
    }
}
