//! Live-capture and inline settings: Suricata's `af-packet:` list, `pcap:` list and `nfq:`
//! section, read from the merged config tree.
//!
//! ```yaml
//! af-packet:
//!   - interface: eth0        # or "default": settings for interfaces not listed
//!     threads: auto          # sockets (= workers) on this interface
//!     cluster-id: 99         # fanout group id
//!     cluster-type: cluster_flow
//!     ring-size: 2048        # frames per socket
//!     block-size: 131072     # bytes per ring block
//!     block-timeout: 10      # ms before a partly filled block is handed over
//!     promisc: yes           # (Suricata's disable-promisc: no)
//!     bpf-filter: "tcp or udp"
//! nfq:
//!   mode: accept             # accept | repeat | route
//!   repeat-mark: 1
//!   repeat-mask: 1
//!   route-queue: 2
//!   fail-open: yes
//! ```

use super::{err, Config, ConfigError, Yaml};

/// Settings of one AF_PACKET (or libpcap) interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfaceConfig {
    /// Interface name.
    pub interface: String,
    /// Sockets/workers on it; `None` = one per core.
    pub threads: Option<usize>,
    /// Fanout group id.
    pub cluster_id: u16,
    /// Suricata cluster-type spelling (`cluster_flow`, `cluster_cpu`, `cluster_qm`, ...).
    pub cluster_type: String,
    /// Frames per socket ring.
    pub ring_size: u32,
    /// Bytes per ring block.
    pub block_size: u32,
    /// Block retire timeout (ms).
    pub block_timeout: u32,
    /// Promiscuous mode.
    pub promisc: bool,
    /// tcpdump-syntax capture filter.
    pub bpf_filter: Option<String>,
}

impl IfaceConfig {
    /// Suricata's defaults for `iface`.
    pub fn defaults(iface: &str) -> IfaceConfig {
        IfaceConfig {
            interface: iface.to_string(),
            threads: None,
            cluster_id: 99,
            cluster_type: "cluster_flow".into(),
            ring_size: 2048,
            block_size: 128 << 10,
            block_timeout: 10,
            promisc: true,
            bpf_filter: None,
        }
    }
}

/// Most sockets per interface.
pub const MAX_IFACE_THREADS: usize = 256;

fn scalar<'a>(node: &'a Yaml, key: &str) -> Option<&'a str> {
    node.child(key).and_then(Yaml::as_str).filter(|s| !s.is_empty() && *s != "~" && *s != "null")
}

fn num<T: TryFrom<u64>>(node: &Yaml, sect: &str, key: &str, default: T) -> Result<T, ConfigError> {
    match scalar(node, key) {
        None => Ok(default),
        Some(v) => match super::parse_size(v).and_then(|n| T::try_from(n).ok()) {
            Some(n) => Ok(n),
            None => err(format!("{sect}.{key}: expected a number in range, got '{v}'")),
        },
    }
}

fn boolean(node: &Yaml, sect: &str, key: &str, default: bool) -> Result<bool, ConfigError> {
    match scalar(node, key) {
        None => Ok(default),
        Some(v) => super::parse_bool(v).ok_or_else(|| ConfigError(format!("{sect}.{key}: expected yes/no, got '{v}'"))),
    }
}

fn apply(node: &Yaml, sect: &str, c: &mut IfaceConfig) -> Result<(), ConfigError> {
    if let Some(t) = scalar(node, "threads") {
        c.threads = if t == "auto" {
            None
        } else {
            match t.parse::<usize>() {
                Ok(n) if (1..=MAX_IFACE_THREADS).contains(&n) => Some(n),
                _ => return err(format!("{sect}.threads: expected auto or 1..{MAX_IFACE_THREADS}, got '{t}'")),
            }
        };
    }
    c.cluster_id = num(node, sect, "cluster-id", c.cluster_id)?;
    if let Some(t) = scalar(node, "cluster-type") {
        c.cluster_type = t.to_string();
    }
    c.ring_size = num(node, sect, "ring-size", c.ring_size)?;
    c.block_size = num(node, sect, "block-size", c.block_size)?;
    c.block_timeout = num(node, sect, "block-timeout", c.block_timeout)?;
    c.promisc = boolean(node, sect, "promisc", c.promisc)?;
    if scalar(node, "disable-promisc").is_some() {
        c.promisc = !boolean(node, sect, "disable-promisc", false)?;
    }
    if let Some(f) = scalar(node, "bpf-filter") {
        c.bpf_filter = Some(f.to_string());
    }
    Ok(())
}

/// The settings for `iface` from the `section` list (`af-packet` or `pcap`): the `default`
/// entry, then the entry naming `iface`, over Suricata's defaults.
pub fn iface_config(cfg: &Config, section: &str, iface: &str) -> Result<IfaceConfig, ConfigError> {
    let mut c = IfaceConfig::defaults(iface);
    let Some(list) = cfg.tree.get(section) else { return Ok(c) };
    let Some(items) = list.as_seq() else {
        return err(format!("{section}: expected a list of interfaces"));
    };
    for name in ["default", iface] {
        for (i, item) in items.iter().enumerate() {
            if scalar(item, "interface") == Some(name) {
                apply(item, &format!("{section}[{i}]"), &mut c)?;
            }
        }
    }
    Ok(c)
}

/// The interfaces listed in `section`, `default` excepted (for `--af-packet` without a name).
pub fn listed_interfaces(cfg: &Config, section: &str) -> Vec<String> {
    let Some(items) = cfg.tree.get(section).and_then(Yaml::as_seq) else { return Vec::new() };
    items.iter().filter_map(|i| scalar(i, "interface")).filter(|n| *n != "default").map(str::to_string).collect()
}

/// What the NFQUEUE verdict does with a packet Rampart lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NfqMode {
    /// NF_ACCEPT: the packet goes on to the next rule's chain... the netfilter default.
    Accept,
    /// NF_REPEAT with `repeat-mark` set: the packet re-enters the hook; a rule matching the
    /// mark must skip the queue (`-m mark ! --mark 1/1 -j NFQUEUE`).
    Repeat,
    /// NF_QUEUE to `route-queue`: another program inspects next.
    Route,
}

/// The `nfq:` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NfqConfig {
    /// Verdict mode for accepted packets.
    pub mode: NfqMode,
    /// Mark set in repeat mode (combined with the packet's mark under `repeat_mask`).
    pub repeat_mark: u32,
    /// Mask for `repeat_mark`.
    pub repeat_mask: u32,
    /// Queue for route mode.
    pub route_queue: u16,
    /// NFQA_CFG_F_FAIL_OPEN: the kernel accepts packets when the queue is full.
    pub fail_open: bool,
    /// Kernel queue length (packets waiting for a verdict).
    pub queue_maxlen: u32,
}

impl Default for NfqConfig {
    fn default() -> Self {
        NfqConfig { mode: NfqMode::Accept, repeat_mark: 1, repeat_mask: 1, route_queue: 0, fail_open: false, queue_maxlen: 4096 }
    }
}

/// Reads `nfq:`.
pub fn nfq_config(cfg: &Config) -> Result<NfqConfig, ConfigError> {
    let mut c = NfqConfig::default();
    let Some(node) = cfg.tree.get("nfq") else { return Ok(c) };
    if let Some(m) = scalar(node, "mode") {
        c.mode = match m {
            "accept" => NfqMode::Accept,
            "repeat" => NfqMode::Repeat,
            "route" => NfqMode::Route,
            other => return err(format!("nfq.mode: expected accept, repeat or route, got '{other}'")),
        };
    }
    c.repeat_mark = num(node, "nfq", "repeat-mark", c.repeat_mark)?;
    c.repeat_mask = num(node, "nfq", "repeat-mask", c.repeat_mask)?;
    c.route_queue = num(node, "nfq", "route-queue", c.route_queue)?;
    c.fail_open = boolean(node, "nfq", "fail-open", c.fail_open)?;
    c.queue_maxlen = num(node, "nfq", "queue-maxlen", c.queue_maxlen)?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(yaml: &str) -> Config {
        Config::from_tree(Yaml::parse(yaml).expect("yaml")).expect("config")
    }

    #[test]
    fn af_packet_default_then_named_entry() {
        let c = cfg("af-packet:\n  - interface: default\n    ring-size: 4096\n    promisc: no\n  - interface: eth1\n    threads: 3\n    cluster-id: 7\n    bpf-filter: tcp port 80\n");
        let e = iface_config(&c, "af-packet", "eth1").expect("ok");
        assert_eq!((e.threads, e.cluster_id, e.ring_size, e.promisc), (Some(3), 7, 4096, false));
        assert_eq!(e.bpf_filter.as_deref(), Some("tcp port 80"));
        let d = iface_config(&c, "af-packet", "eth9").expect("ok");
        assert_eq!((d.threads, d.cluster_id, d.ring_size), (None, 99, 4096));
        assert_eq!(listed_interfaces(&c, "af-packet"), ["eth1"]);
    }

    #[test]
    fn bad_values_name_the_key() {
        let c = cfg("af-packet:\n  - interface: eth0\n    threads: lots\n");
        let e = iface_config(&c, "af-packet", "eth0").expect_err("bad");
        assert!(e.0.contains("af-packet[0].threads"), "{e}");
        let c = cfg("nfq:\n  mode: sideways\n");
        assert!(nfq_config(&c).expect_err("bad").0.contains("nfq.mode"));
    }

    #[test]
    fn nfq_section() {
        let c = cfg("nfq:\n  mode: repeat\n  repeat-mark: 4\n  repeat-mask: 4\n  fail-open: yes\n");
        let n = nfq_config(&c).expect("ok");
        assert_eq!((n.mode, n.repeat_mark, n.repeat_mask, n.fail_open), (NfqMode::Repeat, 4, 4, true));
        assert_eq!(nfq_config(&cfg("vars: {}\n")).expect("ok"), NfqConfig::default());
    }
}
