//! Replays the rule-parser fuzz corpus and any minimised crashes through the parser under a
//! plain `cargo test`, so CI exercises them without a fuzzer.
//!
//! Files named `ok-*` must parse into at least one rule with no failures; `bad-*` must yield at
//! least one failure; anything else (fuzzer-found inputs) must merely not panic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart::detect::parse::{parse_rule, parse_rules_text, RuleSet, Span, Vars};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn replay(path: &Path, vars: &Vars) -> RuleSet {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file = Arc::new(path.to_path_buf());
    if let Ok(text) = std::str::from_utf8(&data) {
        let _ = parse_rule(text, Span { file: Arc::clone(&file), line: 1 }, vars);
    }
    let mut set = RuleSet::default();
    parse_rules_text(&data, file, vars, &mut set);
    set
}

#[test]
fn replay_rule_parse_corpus_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let corpus = files(&root.join("corpus/rule_parse"));
    assert!(!corpus.is_empty(), "seed corpus tests/fuzz/corpus/rule_parse is missing or empty");
    let regressions = files(&root.join("regressions/rule_parse"));
    let vars = Vars::suricata_defaults();
    for path in corpus.iter().chain(&regressions) {
        let set = replay(path, &vars);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("ok-") {
            assert!(!set.rules.is_empty() && set.failed.is_empty(), "{name}: {:?}", set.failed);
        } else if name.starts_with("bad-") {
            assert!(!set.failed.is_empty(), "{name}: expected a failure");
        }
    }
    println!("replayed {} corpus and {} regression files", corpus.len(), regressions.len());
}
