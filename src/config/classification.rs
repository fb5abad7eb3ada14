//! `classification.config` and `reference.config`, Suricata's formats:
//!
//! ```text
//! config classification: shortname,short description,priority
//! config reference: system url-prefix
//! ```
//!
//! Blank lines and `#` comments are skipped; malformed lines are reported (Suricata warns and
//! goes on), never fatal. The built-in lists are used when the config names no file.

use std::collections::HashMap;

/// The classification list shipped with Rampart (Suricata's public classtype names).
pub const BUILTIN_CLASSIFICATION: &str = include_str!("classification.config");
/// The reference systems shipped with Rampart.
pub const BUILTIN_REFERENCE: &str = include_str!("reference.config");

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// Parses `classification.config`: name -> (description, priority).
pub fn parse_classifications(text: &str) -> (HashMap<String, (String, u8)>, Vec<BadLine>) {
    let mut out = HashMap::new();
    let mut bad = Vec::new();
    for (i, body) in config_lines(text, "classification") {
        // name up to the first comma, priority after the last; the description may hold commas.
        let split = body.split_once(',').and_then(|(n, rest)| rest.rsplit_once(',').map(|(d, p)| (n.trim(), d, p)));
        let Some((name, desc, prio)) = split else {
            bad.push(BadLine { line: i, reason: "expected 'name,description,priority'".into() });
            continue;
        };
        if name.is_empty() {
            bad.push(BadLine { line: i, reason: "empty classification name".into() });
            continue;
        }
        match prio.trim().parse::<u8>() {
            // Suricata lowercases classtype names when loading and when matching.
            Ok(p) => {
                out.insert(name.to_ascii_lowercase(), (desc.trim().to_string(), p));
            }
            Err(_) => bad.push(BadLine { line: i, reason: format!("priority '{}' is not a number 0-255", prio.trim()) }),
        }
    }
    (out, bad)
}

/// Parses `reference.config`: system -> URL prefix.
pub fn parse_references(text: &str) -> (HashMap<String, String>, Vec<BadLine>) {
    let mut out = HashMap::new();
    let mut bad = Vec::new();
    for (i, body) in config_lines(text, "reference") {
        let mut parts = body.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some(sys), Some(url)) => {
                out.insert(sys.to_ascii_lowercase(), url.to_string());
            }
            _ => bad.push(BadLine { line: i, reason: "expected 'system url'".into() }),
        }
    }
    (out, bad)
}

/// Yields (line number, text after `config <kind>:`) for each non-comment line; lines that are
/// not `config <kind>:` lines come back with an empty body so the caller reports them.
fn config_lines<'a>(text: &'a str, kind: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    text.lines().enumerate().filter_map(move |(i, line)| {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            return None;
        }
        let body = l
            .strip_prefix("config")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(kind))
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or("");
        Some((i + 1, body))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_parse_cleanly() {
        let (c, bad) = parse_classifications(BUILTIN_CLASSIFICATION);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(c.get("trojan-activity"), Some(&("A Network Trojan was detected".to_string(), 1)));
        assert_eq!(c.get("not-suspicious"), Some(&("Not Suspicious Traffic".to_string(), 3)));
        assert!(c.len() >= 38);
        let (r, bad) = parse_references(BUILTIN_REFERENCE);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(r.get("url").map(String::as_str), Some("http://"));
    }

    #[test]
    fn table_of_lines() {
        type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str, u8)>, bool);
        let cases: &[Case<'_>] = &[
            ("plain", "config classification: foo,Foo thing,2", Some(("foo", "Foo thing", 2)), false),
            ("comma in description", "config classification: bar,A, B,1", Some(("bar", "A, B", 1)), false),
            ("spaces", "  config   classification:  Baz , Baz d , 3 ", Some(("baz", "Baz d", 3)), false),
            ("missing priority", "config classification: x,y", None, true),
            ("bad priority", "config classification: x,y,high", None, true),
            ("comment", "# config classification: x,y,1", None, false),
            ("other line", "garbage", None, true),
        ];
        for (name, line, want, want_bad) in cases {
            let (c, bad) = parse_classifications(line);
            if let Some((n, d, p)) = want {
                assert_eq!(c.get(*n), Some(&(d.to_string(), *p)), "{name}");
            }
            assert_eq!(!bad.is_empty(), *want_bad, "{name}: {bad:?}");
        }
    }
}
