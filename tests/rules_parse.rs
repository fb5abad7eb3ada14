//! Every rule of the reference rule sets in /work/shared/rules parses with Suricata's default
//! variables: ET Open, the Snort 2 and Snort 3 community sets and Suricata's built-in rules.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rampart::detect::parse::{load_files, Vars};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules");

/// Counts lines that start a rule (first word an action), as `grep -c '^alert\|^drop\|...'`.
fn count_rule_lines(dir: &Path) -> usize {
    let mut n = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rules"))
        .collect();
    entries.sort();
    for p in entries {
        let data = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
        for line in data.split(|c| *c == b'\n') {
            const ACTIONS: [&[u8]; 7] =
                [b"alert ", b"drop ", b"pass ", b"reject ", b"rejectsrc ", b"rejectdst ", b"rejectboth "];
            if ACTIONS.iter().any(|a| line.starts_with(a)) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn reference_rule_sets_parse() {
    let root = Path::new(ROOT);
    assert!(
        root.is_dir(),
        "{ROOT} is missing: this test needs the reference rule sets (et-open, snort2-community, \
         snort3-community, suricata-builtin) and must not pass without them"
    );
    let vars = Vars::suricata_defaults();
    let mut total_failed = 0;
    for (dir, expected) in
        [("et-open", Some(25_803)), ("snort2-community", None), ("snort3-community", None), ("suricata-builtin", None)]
    {
        let path = root.join(dir);
        assert!(path.is_dir(), "{} is missing", path.display());
        let start = Instant::now();
        let set = load_files(std::slice::from_ref(&path), &vars)
            .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
        let took = start.elapsed();
        let lines = count_rule_lines(&path);
        println!(
            "{dir}: {} rules parsed, {} failed, {lines} rule lines by grep, {:.1} ms",
            set.rules.len(),
            set.failed.len(),
            took.as_secs_f64() * 1000.0
        );
        for issue in set.failed.iter().take(20) {
            println!("  FAILED {issue}");
        }
        total_failed += set.failed.len();
        assert_eq!(set.rules.len() + set.failed.len(), lines, "{dir}: rule count differs from grep's");
        if let Some(n) = expected {
            assert_eq!(set.rules.len(), n, "{dir}: expected {n} rules");
        }
        assert!(set.rules.iter().all(|r| r.sid.is_some()), "{dir}: a rule without sid");
    }
    assert_eq!(total_failed, 0, "some reference rules failed to parse (listed above)");
}
