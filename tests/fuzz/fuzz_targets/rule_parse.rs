//! Rule parser fuzz target: arbitrary bytes as one rule (`parse_rule`) and as a rule file
//! (`parse_rules_text`: comments, continuations, CRLF). Must never panic or allocate without
//! bound. Run: `cargo fuzz run --fuzz-dir tests/fuzz rule_parse`.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rampart::detect::parse::{parse_rule, parse_rules_text, RuleSet, Span, Vars};

fn vars() -> &'static Vars {
    static VARS: OnceLock<Vars> = OnceLock::new();
    VARS.get_or_init(Vars::suricata_defaults)
}

fuzz_target!(|data: &[u8]| {
    let file = Arc::new(PathBuf::from("fuzz.rules"));
    if let Ok(text) = std::str::from_utf8(data) {
        let span = Span { file: Arc::clone(&file), line: 1 };
        if let Ok(rule) = parse_rule(text, span, vars()) {
            assert!(rule.sid.is_some(), "a parsed rule always has a sid");
        }
    }
    let mut set = RuleSet::default();
    parse_rules_text(data, file, vars(), &mut set);
});
