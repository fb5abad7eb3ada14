//! Configuration: a suricata.yaml-compatible subset. [`yaml`] reads the file into a generic
//! tree (like Suricata's `ConfNode`), `include:` and `--set` are applied on that tree, and
//! [`Config`] holds the validated, typed values read from it. Nothing outside `config/` reads
//! YAML.
//!
//! Value rules follow Suricata: booleans are `ConfValIsTrue`/`ConfValIsFalse` spellings
//! (yes/no/true/false/on/off/1/0, any case), sizes are `ParseSizeString` (`32mb`, `1 KiB`,
//! `4096`). A value of the wrong type is an error naming its key
//! (`flow.memcap: expected a size like 32mb, got 'abc'`); keys Rampart does not read are
//! ignored (logged at debug level).

pub mod classification;
pub mod yaml;
pub mod live;

use crate::detect::{DetectSettings, Vars};
use crate::flow::table::FlowConfig;
use crate::output::EveOptions;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
pub use yaml::Yaml;

/// The configuration used without `-c`.
pub const DEFAULT_CONFIG: &str = include_str!("../../rampart.yaml");
/// Deepest `include:` nesting accepted.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// Most worker threads a config can ask for.
pub const MAX_THREADS: usize = 1024;
/// Largest config file read (bytes).
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Threading mode (`--runmode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RunMode {
    /// N workers fed by a symmetric flow hash.
    #[default]
    Workers,
    /// One worker.
    Single,
}

impl RunMode {
    /// Parses a `--runmode`/`runmode:` value. Suricata's `autofp` maps to workers.
    pub fn parse(s: &str) -> Option<RunMode> {
        match s.to_ascii_lowercase().as_str() {
            "single" => Some(RunMode::Single),
            "workers" | "autofp" => Some(RunMode::Workers),
            _ => None,
        }
    }
}

/// `app-layer.protocols.<proto>.enabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoEnabled {
    /// Parsed and logged.
    Yes,
    /// Not parsed.
    No,
    /// Parsed for detection only (`detection-only`).
    DetectionOnly,
}

/// `stream` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamConfig {
    /// `stream.memcap` (bytes).
    pub memcap: u64,
    /// `stream.reassembly.memcap` (bytes).
    pub reassembly_memcap: u64,
    /// `stream.reassembly.depth` (bytes, 0 = unlimited).
    pub reassembly_depth: u64,
    /// `stream.midstream`.
    pub midstream: bool,
    /// `stream.async-oneside`.
    pub async_oneside: bool,
    /// `stream.inline` (`auto` follows IPS mode).
    pub inline: bool,
    /// `stream.checksum-validation`.
    pub checksum_validation: bool,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            memcap: 64 << 20,
            reassembly_memcap: 256 << 20,
            reassembly_depth: 1 << 20,
            midstream: false,
            async_oneside: false,
            inline: false,
            checksum_validation: true,
        }
    }
}

/// The validated configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where the config came from (`None`: the embedded default).
    pub source: Option<PathBuf>,
    /// Address and port groups.
    pub vars: Vars,
    /// `default-rule-path`.
    pub default_rule_path: Option<PathBuf>,
    /// `rule-files`, relative to `default_rule_path`.
    pub rule_files: Vec<String>,
    /// `classification-file`.
    pub classification_file: Option<PathBuf>,
    /// `reference-config-file`.
    pub reference_config_file: Option<PathBuf>,
    /// The eve-log output.
    pub eve: EveOptions,
    /// Flow table settings.
    pub flow: FlowConfig,
    /// Number of workers in workers mode (`threading.detect-thread-ratio` etc.), `None` = cores.
    pub threads: Option<usize>,
    /// Run mode.
    pub runmode: RunMode,
    /// Validate checksums (`-k all`, default) or not (`-k none`).
    pub checksums: bool,
    /// Seconds between periodic stats events (`stats.interval`), 0 = only at exit.
    pub stats_interval: u64,
    /// `default-log-dir` (`-l` overrides).
    pub default_log_dir: Option<PathBuf>,
    /// `stats.enabled`.
    pub stats_enabled: bool,
    /// Every event type listed under the eve-log's `types`, in order, with its options
    /// (`Yaml::Map` of the type's settings, empty when none). Includes the ones mirrored in
    /// [`Config::eve`] and app-layer ones (http, dns, tls, ...).
    pub eve_types: Vec<(String, Yaml)>,
    /// `app-layer.protocols.<name>.enabled`, by protocol name.
    pub app_layer: HashMap<String, ProtoEnabled>,
    /// `stream` settings.
    pub stream: StreamConfig,
    /// `flow.memcap` (bytes).
    pub flow_memcap: u64,
    /// `flow.hash-size`.
    pub flow_hash_size: u32,
    /// `threshold-file`.
    pub threshold_file: Option<PathBuf>,
    /// `packet-alert-max`: alerts kept per packet.
    pub packet_alert_max: u16,
    /// IPS mode (`--simulate-ips`).
    pub ips: bool,
    /// `--disable-detection`.
    pub detection_enabled: bool,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// The whole merged tree (after `include:` and `--set`), for settings read elsewhere.
    pub tree: Yaml,
}

/// Reads `flow-timeouts.<proto>.{new,established,closed}` over `def`.
fn read_timeouts(r: &Reader<'_>, proto: &str, def: crate::flow::table::ProtoTimeouts) -> Result<crate::flow::table::ProtoTimeouts, ConfigError> {
    Ok(crate::flow::table::ProtoTimeouts {
        new: r.u64(&format!("flow-timeouts.{proto}.new"), def.new)?,
        established: r.u64(&format!("flow-timeouts.{proto}.established"), def.established)?,
        closed: r.u64(&format!("flow-timeouts.{proto}.closed"), def.closed)?,
    })
}

/// A config that could not be loaded: the message names the file or key.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(msg.into()))
}

/// Reads a config file into a tree and expands its `include:`s.
pub fn load_tree(path: &Path) -> Result<Yaml, ConfigError> {
    load_file(path, 0)
}

fn load_file(path: &Path, depth: usize) -> Result<Yaml, ConfigError> {
    if depth > MAX_INCLUDE_DEPTH {
        return err(format!("{}: include nesting deeper than {MAX_INCLUDE_DEPTH}", path.display()));
    }
    let meta = std::fs::metadata(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return err(format!("{}: larger than {MAX_CONFIG_BYTES} bytes", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    let tree = Yaml::parse(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    expand_includes(tree, &dir, depth, path)
}

/// Replaces every `include:` key (a file name or a list of them, relative to the including
/// file) by the included files' contents merged in at that point; later keys override.
/// `key: !include file` arrives here as `key: {include: file}`, so the value is the file.
fn expand_includes(tree: Yaml, dir: &Path, depth: usize, file: &Path) -> Result<Yaml, ConfigError> {
    let entries = match tree {
        Yaml::Map(entries) => entries,
        Yaml::Seq(items) => return Ok(Yaml::Seq(items.into_iter().map(|i| expand_includes(i, dir, depth, file)).collect::<Result<_, _>>()?)),
        scalar => return Ok(scalar),
    };
    let mut out = Yaml::empty_map();
    for (k, v) in entries {
        if k == "include" {
            let names: Vec<String> = match &v {
                Yaml::Scalar { text, .. } => vec![text.clone()],
                Yaml::Seq(items) => {
                    let mut names = Vec::new();
                    for i in items {
                        match i.as_str() {
                            Some(s) => names.push(s.to_string()),
                            None => return err(format!("{}: include: expected a file name or a list of file names", file.display())),
                        }
                    }
                    names
                }
                Yaml::Map(_) => return err(format!("{}: include: expected a file name or a list of file names", file.display())),
            };
            for n in names {
                let p = Path::new(&n);
                let p = if p.is_relative() { dir.join(p) } else { p.to_path_buf() };
                out.merge(load_file(&p, depth + 1)?);
            }
        } else {
            let v = expand_includes(v, dir, depth, file)?;
            out.merge(Yaml::Map(vec![(k, v)]));
        }
    }
    Ok(out)
}

/// Splits a `--set key=value` argument.
pub fn parse_set(arg: &str) -> Result<(String, String), ConfigError> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => err(format!("--set {arg}: expected key=value")),
    }
}

/// Keys (top level) that Rampart reads; others are accepted and logged at debug level.
const KNOWN_TOP: &[&str] = &[
    "vars", "default-rule-path", "rule-files", "classification-file", "reference-config-file", "default-log-dir",
    "outputs", "app-layer", "flow", "flow-timeouts", "stream", "threading", "stats", "detect", "runmode",
    "threshold-file", "packet-alert-max", "include",
    "af-packet", "pcap", "nfq",
];

impl Config {
    /// Loads `path` (or the embedded default), applies `sets` (`key=value`, dotted paths, list
    /// indices allowed) and validates.
    pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Config, ConfigError> {
        let mut tree = match path {
            Some(p) => load_tree(p)?,
            None => Yaml::parse(DEFAULT_CONFIG).map_err(|e| ConfigError(format!("embedded rampart.yaml: {e}")))?,
        };
        for s in sets {
            let (k, v) = parse_set(s)?;
            if !KNOWN_TOP.contains(&k.split('.').next().unwrap_or("")) {
                tracing::debug!("--set {k}: not used by Rampart, accepted");
            }
            tree.set(&k, Yaml::plain(v));
        }
        let mut cfg = Config::from_tree(tree)?;
        cfg.source = path.map(Path::to_path_buf);
        Ok(cfg)
    }

    /// Reads typed values from a merged tree.
    pub fn from_tree(tree: Yaml) -> Result<Config, ConfigError> {
        if !matches!(tree, Yaml::Map(_)) {
            return err("config: the top level must be a mapping");
        }
        for (k, _) in tree.as_map().unwrap_or(&[]) {
            if !KNOWN_TOP.contains(&k.as_str()) {
                tracing::debug!("config key '{k}' is not used by Rampart; ignored");
            }
        }
        let r = Reader(&tree);
        let mut cfg = Config {
            checksums: true,
            detection_enabled: true,
            stats_enabled: r.bool("stats.enabled", true)?,
            stats_interval: r.u64("stats.interval", 8)?,
            default_rule_path: r.string("default-rule-path")?.map(PathBuf::from),
            classification_file: r.string("classification-file")?.map(PathBuf::from),
            reference_config_file: r.string("reference-config-file")?.map(PathBuf::from),
            default_log_dir: r.string("default-log-dir")?.map(PathBuf::from),
            threshold_file: r.string("threshold-file")?.map(PathBuf::from),
            packet_alert_max: r.u64("packet-alert-max", 15)?.clamp(1, u16::MAX as u64) as u16,
            ..Config::default()
        };
        cfg.vars = read_vars(&r)?;
        cfg.rule_files = read_rule_files(&r)?;
        if let Some(m) = r.string("runmode")? {
            cfg.runmode = RunMode::parse(&m).ok_or_else(|| ConfigError(format!("runmode: expected single or workers, got '{m}'")))?;
        }
        read_eve(&r, &mut cfg)?;
        cfg.app_layer = read_app_layer(&r)?;
        let s = StreamConfig::default();
        cfg.stream = StreamConfig {
            memcap: r.size("stream.memcap", s.memcap)?,
            reassembly_memcap: r.size("stream.reassembly.memcap", s.reassembly_memcap)?,
            reassembly_depth: r.size("stream.reassembly.depth", s.reassembly_depth)?,
            midstream: r.bool("stream.midstream", s.midstream)?,
            async_oneside: r.bool("stream.async-oneside", s.async_oneside)?,
            inline: match r.string("stream.inline")? {
                Some(v) if v.eq_ignore_ascii_case("auto") => false,
                _ => r.bool("stream.inline", s.inline)?,
            },
            checksum_validation: r.bool("stream.checksum-validation", s.checksum_validation)?,
        };
        cfg.checksums = cfg.stream.checksum_validation;
        let f = FlowConfig::default();
        cfg.flow = FlowConfig {
            max_flows: f.max_flows,
            timeout_new: r.u64("flow-timeouts.default.new", f.timeout_new)?,
            timeout_established: r.u64("flow-timeouts.default.established", f.timeout_established)?,
            timeout_closed: r.u64("flow-timeouts.default.closed", f.timeout_closed)?,
            midstream: cfg.stream.midstream,
            tcp: read_timeouts(&r, "tcp", f.tcp)?,
            udp: read_timeouts(&r, "udp", f.udp)?,
            icmp: read_timeouts(&r, "icmp", f.icmp)?,
        };
        cfg.flow_memcap = r.size("flow.memcap", 128 << 20)?;
        cfg.flow_hash_size = r.u64("flow.hash-size", 65_536)?.min(u32::MAX as u64) as u32;
        cfg.threads = match r.scalar("threading.detect-thread-ratio")? {
            None => None,
            Some(v) => {
                let ratio: f64 = v.trim().parse().ok().filter(|x: &f64| x.is_finite() && *x > 0.0).ok_or_else(|| {
                    ConfigError(format!("threading.detect-thread-ratio: expected a positive number, got '{v}'"))
                })?;
                if ratio == 1.0 {
                    None
                } else {
                    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
                    Some(((cores as f64 * ratio).round() as usize).clamp(1, MAX_THREADS))
                }
            }
        };
        cfg.tree = tree;
        Ok(cfg)
    }

    /// Loads the classification and reference lists this config names (the built-in ones when
    /// it names none). A named file that cannot be read is a warning, as in Suricata, and the
    /// built-in list is used instead so rules with standard classtypes still load.
    pub fn detect_settings(&self) -> DetectSettings {
        let class_text = read_side_file(self.classification_file.as_deref(), "classification-file", classification::BUILTIN_CLASSIFICATION);
        let ref_text = read_side_file(self.reference_config_file.as_deref(), "reference-config-file", classification::BUILTIN_REFERENCE);
        let (classifications, bad) = classification::parse_classifications(&class_text);
        for b in bad {
            tracing::warn!("classification-file line {}: {}", b.line, b.reason);
        }
        let (references, bad) = classification::parse_references(&ref_text);
        for b in bad {
            tracing::warn!("reference-config-file line {}: {}", b.line, b.reason);
        }
        DetectSettings { classifications, references, ips: self.ips, alert_max: usize::from(self.packet_alert_max), ..Default::default() }
    }

    /// The scalar at a dotted key of the merged tree (`None` when absent, null, or not a scalar),
    /// for settings that have no typed field yet.
    pub fn value(&self, key: &str) -> Option<&str> {
        Reader(&self.tree).scalar(key).ok().flatten()
    }

    /// A boolean setting (Suricata spellings), `default` when absent; an error names the key.
    pub fn bool_at(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        Reader(&self.tree).bool(key, default)
    }

    /// A size setting (`32mb`), `default` when absent; an error names the key.
    pub fn size_at(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        Reader(&self.tree).size(key, default)
    }

    /// A whole-number setting, `default` when absent; an error names the key.
    pub fn u64_at(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        Reader(&self.tree).u64(key, default)
    }

    /// The rule files named by the config: `rule-files` joined to `default-rule-path`. A `*`
    /// or `?` in an entry's file name is a pattern matched against that directory (sorted).
    pub fn rule_paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for f in &self.rule_files {
            let p = Path::new(f);
            let full = match &self.default_rule_path {
                Some(base) if p.is_relative() => base.join(p),
                _ => p.to_path_buf(),
            };
            let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !name.contains(['*', '?']) {
                out.push(full);
                continue;
            }
            let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
            let dir_read = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.clone() };
            let mut matched: Vec<PathBuf> = std::fs::read_dir(&dir_read)
                .map(|rd| rd.flatten().filter(|e| glob_match(&name, &e.file_name().to_string_lossy())).map(|e| dir.join(e.file_name())).collect())
                .unwrap_or_default();
            matched.sort();
            if matched.is_empty() {
                tracing::warn!("rule-files: no file matches {}", full.display());
            }
            out.extend(matched);
        }
        out
    }
}

/// Shell-style match of a file name: `*` any run, `?` one character.
fn glob_match(pat: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pat.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ni;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn read_side_file(path: Option<&Path>, key: &str, builtin: &str) -> String {
    match path {
        None => builtin.to_string(),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("{key} {}: {e}; using the built-in list", p.display());
                builtin.to_string()
            }
        },
    }
}

/// Typed reads from the tree; every error names the dotted key.
struct Reader<'a>(&'a Yaml);

impl<'a> Reader<'a> {
    fn scalar(&self, key: &str) -> Result<Option<&'a str>, ConfigError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Yaml::Scalar { text, plain }) => {
                if *plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
                    Ok(None)
                } else {
                    Ok(Some(text))
                }
            }
            Some(_) => err(format!("{key}: expected a single value, got a list or mapping")),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        Ok(self.scalar(key)?.map(str::to_string))
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.scalar(key)? {
            None => Ok(default),
            Some(v) => parse_bool(v).ok_or_else(|| ConfigError(format!("{key}: expected yes/no/true/false/on/off, got '{v}'"))),
        }
    }

    fn u64(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        match self.scalar(key)? {
            None => Ok(default),
            Some(v) => v.trim().parse::<u64>().map_err(|_| ConfigError(format!("{key}: expected a whole number, got '{v}'"))),
        }
    }

    fn size(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        match self.scalar(key)? {
            None => Ok(default),
            Some(v) => parse_size(v).ok_or_else(|| ConfigError(format!("{key}: expected a size like 32mb, got '{v}'"))),
        }
    }
}

/// Suricata's `ConfValIsTrue` / `ConfValIsFalse`; `None` for anything else.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// Suricata's `ParseSizeString`: a number (decimals allowed) with an optional `kb`/`mb`/`gb`
/// (or `KiB`/`MiB`/`GiB`, all powers of 1024) unit, any case.
pub fn parse_size(v: &str) -> Option<u64> {
    let v = v.trim();
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len());
    let (num, unit) = (v[..split].trim(), v[split..].trim());
    if num.is_empty() {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "kib" => 1 << 10,
        "mb" | "mib" => 1 << 20,
        "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    let r = n * mult as f64;
    if !r.is_finite() || r < 0.0 || r > u64::MAX as f64 {
        return None;
    }
    Some(r as u64)
}

fn read_vars(r: &Reader<'_>) -> Result<Vars, ConfigError> {
    let mut vars = Vars::default();
    for (section, out) in [("vars.address-groups", &mut vars.address), ("vars.port-groups", &mut vars.port)] {
        match r.0.get(section) {
            None => {}
            Some(Yaml::Map(m)) => {
                for (name, v) in m {
                    let val = match v {
                        Yaml::Scalar { text, .. } => text.clone(),
                        // A list is written as a group: [a, b].
                        Yaml::Seq(items) => {
                            let parts: Option<Vec<&str>> = items.iter().map(Yaml::as_str).collect();
                            match parts {
                                Some(p) => format!("[{}]", p.join(",")),
                                None => return err(format!("{section}.{name}: expected a string")),
                            }
                        }
                        Yaml::Map(_) => return err(format!("{section}.{name}: expected a string")),
                    };
                    out.insert(name.clone(), val);
                }
            }
            Some(_) => return err(format!("{section}: expected a mapping of NAME: value")),
        }
    }
    Ok(vars)
}

fn read_rule_files(r: &Reader<'_>) -> Result<Vec<String>, ConfigError> {
    match r.0.get("rule-files") {
        None => Ok(Vec::new()),
        Some(Yaml::Seq(items)) => items
            .iter()
            .enumerate()
            .map(|(i, it)| it.as_str().map(str::to_string).ok_or_else(|| ConfigError(format!("rule-files.{i}: expected a file name"))))
            .collect(),
        Some(Yaml::Scalar { text, plain }) if *plain && text.is_empty() => Ok(Vec::new()),
        Some(Yaml::Scalar { text, .. }) => Ok(vec![text.clone()]),
        Some(Yaml::Map(_)) => err("rule-files: expected a list of file names"),
    }
}

fn read_eve(r: &Reader<'_>, cfg: &mut Config) -> Result<(), ConfigError> {
    let mut eve = EveOptions {
        enabled: false,
        alert: false,
        alert_payload: false,
        alert_payload_printable: false,
        alert_packet: false,
        alert_metadata: true,
        drop: false,
        flow: false,
        anomaly: false,
        stats: false,
        ..EveOptions::default()
    };
    let outputs = match r.0.get("outputs") {
        None => {
            cfg.eve = eve;
            return Ok(());
        }
        Some(Yaml::Seq(items)) => items,
        Some(Yaml::Scalar { text, plain: true }) if text.is_empty() => {
            cfg.eve = eve;
            return Ok(());
        }
        Some(_) => return err("outputs: expected a list of outputs"),
    };
    // The first enabled eve-log output is the one Rampart writes.
    for (i, item) in outputs.iter().enumerate() {
        let Some(node) = item.child("eve-log") else { continue };
        let prefix = format!("outputs.{i}.eve-log");
        let sub = Reader(node);
        let enabled = sub.bool("enabled", false).map_err(|e| prefixed(&prefix, e))?;
        if !enabled {
            continue;
        }
        eve.enabled = true;
        if let Some(f) = sub.string("filename").map_err(|e| prefixed(&prefix, e))? {
            eve.filename = f;
        }
        eve.ethernet = sub.bool("ethernet", false).map_err(|e| prefixed(&prefix, e))?;
        eve.community_id = sub.bool("community-id", false).map_err(|e| prefixed(&prefix, e))?;
        let seed = sub.u64("community-id-seed", 0).map_err(|e| prefixed(&prefix, e))?;
        eve.community_id_seed = u16::try_from(seed).map_err(|_| ConfigError(format!("{prefix}.community-id-seed: expected 0..65535, got {seed}")))?;
        let types = match node.child("types") {
            None => &[][..],
            Some(Yaml::Seq(t)) => t,
            Some(Yaml::Scalar { text, plain: true }) if text.is_empty() => &[][..],
            Some(_) => return err(format!("{prefix}.types: expected a list of event types")),
        };
        for (j, t) in types.iter().enumerate() {
            let (name, opts) = match t {
                Yaml::Scalar { text, .. } => (text.clone(), Yaml::empty_map()),
                Yaml::Map(m) if m.len() == 1 => {
                    let (k, v) = &m[0];
                    let v = if matches!(v, Yaml::Map(_)) { v.clone() } else { Yaml::empty_map() };
                    (k.clone(), v)
                }
                _ => return err(format!("{prefix}.types.{j}: expected an event type name or 'name: {{options}}'")),
            };
            let tp = format!("{prefix}.types.{j}.{name}");
            let o = Reader(&opts);
            if !o.bool("enabled", true).map_err(|e| prefixed(&tp, e))? {
                continue;
            }
            match name.as_str() {
                "alert" => {
                    eve.alert = true;
                    eve.alert_payload = o.bool("payload", false).map_err(|e| prefixed(&tp, e))?;
                    eve.alert_payload_printable = o.bool("payload-printable", false).map_err(|e| prefixed(&tp, e))?;
                    eve.alert_packet = o.bool("packet", false).map_err(|e| prefixed(&tp, e))?;
                    eve.alert_metadata = match opts.child("metadata") {
                        Some(Yaml::Map(_)) => true,
                        _ => o.bool("metadata", true).map_err(|e| prefixed(&tp, e))?,
                    };
                }
                "drop" => {
                    eve.drop = true;
                    eve.drop_alerts = o.bool("alerts", false).map_err(|e| prefixed(&tp, e))?;
                    // Suricata warns about other values and keeps the default (`start`).
                    if let Some(v) = o.string("flows").map_err(|e| prefixed(&tp, e))? {
                        match v.to_ascii_lowercase().as_str() {
                            "start" => eve.drop_flows_start = true,
                            "all" => eve.drop_flows_start = false,
                            other => tracing::warn!("{tp}.flows: expected start or all, got '{other}'"),
                        }
                    }
                }
                "flow" => eve.flow = true,
                "anomaly" => {
                    eve.anomaly = true;
                    // Without `types`, Suricata logs only app-layer anomalies.
                    eve.anomaly_decode = o.bool("types.decode", false).map_err(|e| prefixed(&tp, e))?;
                    eve.anomaly_packethdr = o.bool("packethdr", false).map_err(|e| prefixed(&tp, e))?;
                }
                "stats" => {
                    eve.stats = true;
                    for k in ["totals", "threads", "deltas"] {
                        o.bool(k, false).map_err(|e| prefixed(&tp, e))?;
                    }
                }
                _ => {}
            }
            cfg.eve_types.push((name, opts));
        }
        break;
    }
    cfg.eve = eve;
    Ok(())
}

fn prefixed(prefix: &str, e: ConfigError) -> ConfigError {
    ConfigError(format!("{prefix}.{}", e.0))
}

fn read_app_layer(r: &Reader<'_>) -> Result<HashMap<String, ProtoEnabled>, ConfigError> {
    let mut out = HashMap::new();
    let Some(Yaml::Map(protos)) = r.0.get("app-layer.protocols") else { return Ok(out) };
    for (name, node) in protos {
        let key = format!("app-layer.protocols.{name}.enabled");
        let v = match node.child("enabled").and_then(Yaml::as_str) {
            None => continue,
            Some(v) if v.eq_ignore_ascii_case("detection-only") => ProtoEnabled::DetectionOnly,
            Some(v) => match parse_bool(v) {
                Some(true) => ProtoEnabled::Yes,
                Some(false) => ProtoEnabled::No,
                None => return err(format!("{key}: expected yes/no/detection-only, got '{v}'")),
            },
        };
        out.insert(name.clone(), v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_loads() {
        let cfg = Config::load(None, &[]).unwrap();
        assert!(cfg.eve.enabled && cfg.eve.alert && cfg.eve.flow && cfg.eve.anomaly && cfg.eve.stats);
        assert_eq!(cfg.vars.address.get("HOME_NET").map(String::as_str), Some("[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"));
        assert_eq!(cfg.vars.address.get("EXTERNAL_NET").map(String::as_str), Some("!$HOME_NET"));
        assert_eq!(cfg.vars.port.get("HTTP_PORTS").map(String::as_str), Some("80"));
        assert!(cfg.stats_enabled);
        let ds = cfg.detect_settings();
        assert!(ds.classifications.contains_key("trojan-activity"));
    }

    #[test]
    fn set_overrides_and_errors_name_the_key() {
        let cfg = Config::load(None, &["stream.midstream=true".into(), "flow.memcap=64mb".into(), "anything.else=1".into()]).unwrap();
        assert_eq!(cfg.value("anything.else"), Some("1"));
        assert_eq!(cfg.bool_at("anything.else", false), Ok(true));
        assert_eq!(cfg.size_at("stream.reassembly.depth", 0), Ok(1 << 20));
        assert_eq!(cfg.u64_at("nope", 7), Ok(7));
        assert!(cfg.stream.midstream && cfg.flow.midstream);
        assert_eq!(cfg.flow_memcap, 64 << 20);
        let e = Config::load(None, &["flow.memcap=abc".into()]).unwrap_err();
        assert_eq!(e.0, "flow.memcap: expected a size like 32mb, got 'abc'");
        let e = Config::load(None, &["stream.midstream=maybe".into()]).unwrap_err();
        assert!(e.0.starts_with("stream.midstream:"), "{e}");
        assert!(Config::load(None, &["novalue".into()]).is_err());
    }

    #[test]
    fn sizes_and_bools() {
        let cases: &[(&str, Option<u64>)] = &[
            ("4096", Some(4096)),
            ("32mb", Some(32 << 20)),
            ("1MB", Some(1 << 20)),
            ("200kb", Some(200 << 10)),
            ("1 GiB", Some(1 << 30)),
            ("1.5kb", Some(1536)),
            ("abc", None),
            ("", None),
            ("12tb", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_size(s), *want, "{s}");
        }
        for (s, want) in [("yes", Some(true)), ("On", Some(true)), ("1", Some(true)), ("off", Some(false)), ("FALSE", Some(false)), ("maybe", None)] {
            assert_eq!(parse_bool(s), want, "{s}");
        }
    }

    #[test]
    fn includes_merge_relative_and_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/inc.yaml"), "%YAML 1.1\n---\nstream:\n  midstream: yes\n  async-oneside: yes\n").unwrap();
        std::fs::write(
            dir.path().join("main.yaml"),
            "%YAML 1.1\n---\ninclude: sub/inc.yaml\nstream:\n  async-oneside: no\noutputs:\n  - eve-log:\n      enabled: yes\n      types: [alert, {http: {extended: yes}}]\n",
        )
        .unwrap();
        let cfg = Config::load(Some(&dir.path().join("main.yaml")), &[]).unwrap();
        assert!(cfg.stream.midstream);
        assert!(!cfg.stream.async_oneside);
        assert!(cfg.eve.alert && !cfg.eve.flow);
        assert_eq!(cfg.eve_types.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["alert", "http"]);
        std::fs::write(dir.path().join("sub/outputs.yaml"), "- eve-log:\n    enabled: yes\n    types: [flow]\n").unwrap();
        std::fs::write(dir.path().join("tagged.yaml"), "%YAML 1.1\n---\noutputs: !include sub/outputs.yaml\n").unwrap();
        let cfg = Config::load(Some(&dir.path().join("tagged.yaml")), &[]).unwrap();
        assert!(cfg.eve.enabled && cfg.eve.flow && !cfg.eve.alert);
        std::fs::write(dir.path().join("loop.yaml"), "include: loop.yaml\n").unwrap();
        let e = Config::load(Some(&dir.path().join("loop.yaml")), &[]).unwrap_err();
        assert!(e.0.contains("include nesting"), "{e}");
        let e = Config::load(Some(&dir.path().join("missing.yaml")), &[]).unwrap_err();
        assert!(e.0.contains("missing.yaml"), "{e}");
    }

    #[test]
    fn rule_file_patterns() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["a.rules", "b.rules", "c.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let cfg = Config { default_rule_path: Some(dir.path().to_path_buf()), rule_files: vec!["*.rules".into(), "/abs/x.rules".into(), "c.txt".into()], ..Config::default() };
        let got = cfg.rule_paths();
        assert_eq!(got, vec![dir.path().join("a.rules"), dir.path().join("b.rules"), PathBuf::from("/abs/x.rules"), dir.path().join("c.txt")]);
        for (p, n, want) in [("*.rules", "x.rules", true), ("*.rules", "x.rule", false), ("a?c", "abc", true), ("*", "", true), ("a*b*c", "axxbyyc", true), ("a*b", "ab", true), ("a*b", "ac", false)] {
            assert_eq!(glob_match(p, n), want, "{p} {n}");
        }
    }

    #[test]
    fn app_layer_tristate() {
        let y = Yaml::parse("app-layer:\n  protocols:\n    http: {enabled: yes}\n    smb: {enabled: detection-only}\n    dns: {enabled: no}\n").unwrap();
        let cfg = Config::from_tree(y).unwrap();
        assert_eq!(cfg.app_layer.get("http"), Some(&ProtoEnabled::Yes));
        assert_eq!(cfg.app_layer.get("smb"), Some(&ProtoEnabled::DetectionOnly));
        assert_eq!(cfg.app_layer.get("dns"), Some(&ProtoEnabled::No));
    }
}
