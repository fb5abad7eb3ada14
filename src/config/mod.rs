//! Configuration: a suricata.yaml-compatible subset. `raw` mirrors the file; [`Config`] holds
//! validated, typed values. Nothing outside `config/` reads YAML.
//! (Owned by the config/CLI work; this stub is replaced.)

use crate::detect::Vars;
use crate::flow::table::FlowConfig;
use crate::output::EveOptions;
use std::path::PathBuf;

/// Threading mode (`--runmode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RunMode {
    /// N workers fed by a symmetric flow hash.
    #[default]
    Workers,
    /// One worker.
    Single,
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
    /// Act on `drop`/`reject` rules as an inline engine would (`--simulate-ips`): the packet
    /// and every later packet of its flow are dropped, alerts say `blocked`, `drop` events
    /// are written.
    pub simulate_ips: bool,
}
