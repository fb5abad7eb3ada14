//! A small YAML document tree that keeps what Suricata and suricata-verify need and serde
//! loses: scalar text as written plus whether it was quoted, mapping order, and duplicate keys
//! resolved the way Suricata's `ConfNode` does (the later one wins, mappings merge).
//!
//! Scalars stay text ([`Yaml::Scalar`]); [`Yaml::typed`] resolves a plain scalar with YAML 1.1
//! (PyYAML) rules, which is what suricata-verify's `test.yaml` checks compare against.

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle};
use std::collections::HashMap;

/// Upper bound on nodes in one document, aliases expanded (guards against alias bombs).
pub const MAX_NODES: usize = 1_000_000;
/// Upper bound on nesting depth.
pub const MAX_DEPTH: usize = 128;

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    /// A scalar: its text, and whether it was plain (unquoted, not a block scalar).
    Scalar {
        /// Text after escape processing.
        text: String,
        /// Unquoted: subject to YAML 1.1 type resolution.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Yaml>),
    /// A mapping in document order, keys unique (later duplicates replaced earlier ones).
    Map(Vec<(String, Yaml)>),
}

/// A YAML syntax or structure error.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// 1-based line, 0 if unknown.
    pub line: usize,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.reason)
        } else {
            f.write_str(&self.reason)
        }
    }
}

impl std::error::Error for YamlError {}

impl Default for Yaml {
    fn default() -> Self {
        Yaml::empty_map()
    }
}

impl Yaml {
    /// An empty mapping.
    pub fn empty_map() -> Yaml {
        Yaml::Map(Vec::new())
    }

    /// A plain scalar.
    pub fn plain(text: impl Into<String>) -> Yaml {
        Yaml::Scalar { text: text.into(), plain: true }
    }

    /// Parses the first document of `src`. An empty document is an empty mapping.
    pub fn parse(src: &str) -> Result<Yaml, YamlError> {
        let mut b = Builder { anchors: HashMap::new(), nodes: 0, stack: Vec::new(), root: None };
        let parser = Parser::new_from_str_with_options(src, Options::default());
        for ev in parser {
            let (ev, span) = ev.map_err(|e| YamlError { line: e.marker().line(), reason: e.info() })?;
            let line = span.start.line();
            let done = b.event(ev, line)?;
            if done {
                break;
            }
        }
        match b.root {
            None => Ok(Yaml::empty_map()),
            Some(Yaml::Scalar { text, plain: true }) if matches!(text.as_str(), "" | "~" | "null") => Ok(Yaml::empty_map()),
            Some(root) => Ok(root),
        }
    }

    /// The scalar text, if a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Mapping entries, if a mapping.
    pub fn as_map(&self) -> Option<&[(String, Yaml)]> {
        match self {
            Yaml::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Sequence items, if a sequence.
    pub fn as_seq(&self) -> Option<&[Yaml]> {
        match self {
            Yaml::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Looks a child up: a mapping key, or a sequence index written in decimal.
    pub fn child(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Yaml::Seq(s) => key.parse::<usize>().ok().and_then(|i| s.get(i)),
            Yaml::Scalar { .. } => None,
        }
    }

    /// Looks up a dotted path (`outputs.1.eve-log.enabled`).
    pub fn get(&self, path: &str) -> Option<&Yaml> {
        path.split('.').try_fold(self, |node, part| node.child(part))
    }

    /// Mutable child, created as an empty mapping when missing. A scalar in the way is
    /// replaced by a mapping (as Suricata's `ConfSetFinal` does). Sequence indices past the end
    /// append.
    fn child_mut_or_insert(&mut self, key: &str) -> &mut Yaml {
        let seq_index = match (&*self, key.parse::<usize>()) {
            (Yaml::Seq(s), Ok(i)) => Some(i.min(s.len())),
            _ => None,
        };
        if !matches!(self, Yaml::Map(_)) && seq_index.is_none() {
            *self = Yaml::empty_map();
        }
        match self {
            Yaml::Seq(s) => {
                let i = seq_index.unwrap_or(s.len()).min(s.len());
                if i == s.len() {
                    s.push(Yaml::empty_map());
                }
                &mut s[i] // i <= old len, and one was pushed when equal
            }
            Yaml::Map(m) => {
                let pos = match m.iter().position(|(k, _)| k == key) {
                    Some(p) => p,
                    None => {
                        m.push((key.to_string(), Yaml::empty_map()));
                        m.len() - 1
                    }
                };
                &mut m[pos].1
            }
            Yaml::Scalar { .. } => unreachable!("replaced by a map above"),
        }
    }

    /// Sets the node at a dotted path, creating mappings on the way (`--set`).
    pub fn set(&mut self, path: &str, value: Yaml) {
        let mut node = self;
        for part in path.split('.') {
            node = node.child_mut_or_insert(part);
        }
        *node = value;
    }

    /// Merges `other` into `self`: mappings merge key by key (recursively), anything else
    /// replaces. This is how Suricata applies a later duplicate key or an `include:`.
    pub fn merge(&mut self, other: Yaml) {
        match (self, other) {
            (Yaml::Map(mine), Yaml::Map(theirs)) => {
                for (k, v) in theirs {
                    merge_entry(mine, k, v);
                }
            }
            (me, other) => *me = other,
        }
    }

    /// The value with YAML 1.1 (PyYAML safe loader) typing, as JSON: plain `yes`/`no`/`on`/
    /// `off`/`true`/`false` are booleans, plain numbers are numbers, `~`/`null`/empty is null.
    pub fn typed(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Yaml::Scalar { text, plain: false } => Value::String(text.clone()),
            Yaml::Scalar { text, plain: true } => resolve_plain(text),
            Yaml::Seq(s) => Value::Array(s.iter().map(Yaml::typed).collect()),
            Yaml::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), v.typed())).collect()),
        }
    }
}

fn merge_entry(map: &mut Vec<(String, Yaml)>, k: String, v: Yaml) {
    match map.iter_mut().find(|(mk, _)| *mk == k) {
        Some((_, existing)) => existing.merge(v),
        None => map.push((k, v)),
    }
}

/// Resolves a plain scalar with YAML 1.1 rules (as PyYAML's SafeLoader does).
pub fn resolve_plain(text: &str) -> serde_json::Value {
    use serde_json::Value;
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Value::Bool(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => return Value::Bool(false),
        _ => {}
    }
    if let Some(i) = resolve_int(text) {
        return Value::from(i);
    }
    if let Some(f) = resolve_float(text) {
        if let Some(n) = serde_json::Number::from_f64(f) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

fn resolve_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() || body.starts_with('_') {
        return None;
    }
    let v = if let Some(h) = clean.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = clean.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if clean.len() > 1 && clean.starts_with('0') {
        i64::from_str_radix(&clean[1..], 8).ok()?
    } else if clean.bytes().all(|c| c.is_ascii_digit()) {
        clean.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn resolve_float(text: &str) -> Option<f64> {
    let body = text.trim_start_matches(['-', '+']);
    match body {
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => return None, // not JSON numbers
        _ => {}
    }
    // PyYAML: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?  (a dot is required)
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let dot = mant.find('.')?;
    let (ip, fp) = (&mant[..dot], &mant[dot + 1..]);
    if !ip.is_empty() && !ip.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !ip.chars().all(|c| c.is_ascii_digit() || c == '_') || !fp.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    if let Some(e) = exp {
        let digits = e.strip_prefix(['-', '+'])?;
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    text.replace('_', "").parse::<f64>().ok()
}

enum Frame {
    Seq(Vec<Yaml>, usize),
    Map(Vec<(String, Yaml)>, Option<String>, usize),
}

struct Builder {
    anchors: HashMap<usize, Yaml>,
    nodes: usize,
    stack: Vec<Frame>,
    root: Option<Yaml>,
}

fn count(y: &Yaml) -> usize {
    match y {
        Yaml::Scalar { .. } => 1,
        Yaml::Seq(s) => 1 + s.iter().map(count).sum::<usize>(),
        Yaml::Map(m) => 1 + m.iter().map(|(_, v)| 1 + count(v)).sum::<usize>(),
    }
}

impl Builder {
    fn err(line: usize, reason: impl Into<String>) -> YamlError {
        YamlError { line, reason: reason.into() }
    }

    fn bump(&mut self, n: usize, line: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Self::err(line, format!("document too large (more than {MAX_NODES} nodes)")));
        }
        Ok(())
    }

    /// Handles one event; returns true at the end of the first document.
    fn event(&mut self, ev: Event<'_>, line: usize) -> Result<bool, YamlError> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.bump(1, line)?;
                let plain = matches!(style, ScalarStyle::Plain);
                let is_include = tag.as_ref().is_some_and(|t| t.handle() == "!" && t.suffix() == "include");
                let node = Yaml::Scalar { text: text.into_owned(), plain };
                // Suricata's `key: !include file.yaml`: the value is the file's content. It
                // becomes `{include: file.yaml}`, which the config loader expands.
                let node = if is_include { Yaml::Map(vec![("include".to_string(), node)]) } else { node };
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node, anchor, line)?;
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| Self::err(line, "unknown alias"))?;
                self.bump(count(&node), line)?;
                self.push_value(node, 0, line)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.bump(1, line)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Self::err(line, format!("nesting deeper than {MAX_DEPTH}")));
                }
                self.stack.push(Frame::Seq(Vec::new(), anchor));
            }
            Event::MappingStart(_, anchor, _) => {
                self.bump(1, line)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Self::err(line, format!("nesting deeper than {MAX_DEPTH}")));
                }
                self.stack.push(Frame::Map(Vec::new(), None, anchor));
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq(items, anchor)) => self.push_value(Yaml::Seq(items), anchor, line)?,
                _ => return Err(Self::err(line, "unbalanced sequence end")),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map(entries, None, anchor)) => self.push_value(Yaml::Map(entries), anchor, line)?,
                _ => return Err(Self::err(line, "unbalanced mapping end")),
            },
            Event::DocumentEnd => return Ok(self.root.is_some()),
            _ => {}
        }
        Ok(false)
    }

    fn push_value(&mut self, node: Yaml, anchor: usize, line: usize) -> Result<(), YamlError> {
        if anchor != 0 && !matches!(node, Yaml::Scalar { .. }) {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                None => match node {
                    Yaml::Scalar { text, .. } => *pending = Some(text),
                    _ => return Err(Self::err(line, "mapping keys must be scalars")),
                },
                Some(key) => {
                    // YAML merge key `<<: *base` merges the base mapping's entries.
                    if key == "<<" {
                        if let Yaml::Map(base) = node {
                            for (k, v) in base {
                                if !entries.iter().any(|(ek, _)| *ek == k) {
                                    entries.push((k, v));
                                }
                            }
                            return Ok(());
                        }
                    }
                    merge_entry(entries, key, node);
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suricata_header_and_types() {
        let y = Yaml::parse("%YAML 1.1\n---\na: yes\nb: \"yes\"\nc: 1\nd: '1'\ne: 1.5\nf: ~\ng: [1, x]\nh: 0x10\ni: 7.0.14\nj: -3\n").unwrap();
        let t = y.typed();
        assert_eq!(t["a"], json!(true));
        assert_eq!(t["b"], json!("yes"));
        assert_eq!(t["c"], json!(1));
        assert_eq!(t["d"], json!("1"));
        assert_eq!(t["e"], json!(1.5));
        assert_eq!(t["f"], json!(null));
        assert_eq!(t["g"], json!([1, "x"]));
        assert_eq!(t["h"], json!(16));
        assert_eq!(t["i"], json!("7.0.14"));
        assert_eq!(t["j"], json!(-3));
        assert_eq!(y.get("g.1").and_then(Yaml::as_str), Some("x"));
    }

    #[test]
    fn duplicate_keys_merge_later_wins() {
        let y = Yaml::parse("a:\n  x: 1\n  y: 2\na:\n  y: 3\nb: 1\nb: 2\n").unwrap();
        assert_eq!(y.get("a.x").and_then(Yaml::as_str), Some("1"));
        assert_eq!(y.get("a.y").and_then(Yaml::as_str), Some("3"));
        assert_eq!(y.get("b").and_then(Yaml::as_str), Some("2"));
    }

    #[test]
    fn set_creates_paths_and_indexes_lists() {
        let mut y = Yaml::parse("outputs:\n  - fast: {enabled: no}\n  - eve-log: {enabled: no}\n").unwrap();
        y.set("outputs.1.eve-log.enabled", Yaml::plain("yes"));
        y.set("stream.reassembly.depth", Yaml::plain("1mb"));
        assert_eq!(y.get("outputs.1.eve-log.enabled").and_then(Yaml::as_str), Some("yes"));
        assert_eq!(y.get("stream.reassembly.depth").and_then(Yaml::as_str), Some("1mb"));
    }

    #[test]
    fn anchors_and_merge_keys() {
        let y = Yaml::parse("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\ncopy: *b\n").unwrap();
        assert_eq!(y.get("other.x").and_then(Yaml::as_str), Some("1"));
        assert_eq!(y.get("copy.x").and_then(Yaml::as_str), Some("1"));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for src in ["a: [", "{a: b", "- a\nb: c", "a: *nope", ":\n  - ]"] {
            let _ = Yaml::parse(src);
        }
        let deep = "[".repeat(10_000);
        assert!(Yaml::parse(&deep).is_err());
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(Yaml::parse(bomb).is_err());
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(src in "[-a-z0-9:&*!|>'\"\\[\\]{},#% \n\t.~?]{0,200}") {
            let _ = Yaml::parse(&src);
        }

        #[test]
        fn plain_resolution_never_panics(s in "\\PC{0,24}") {
            let _ = resolve_plain(&s);
            let _ = crate::config::parse_size(&s);
            let _ = crate::config::parse_bool(&s);
        }

        #[test]
        fn set_then_get_round_trips(parts in proptest::collection::vec("[a-z][a-z0-9-]{0,6}", 1..5), v in "[a-z0-9]{1,8}") {
            let mut y = Yaml::empty_map();
            let path = parts.join(".");
            y.set(&path, Yaml::plain(v.clone()));
            proptest::prop_assert_eq!(y.get(&path).and_then(Yaml::as_str), Some(v.as_str()));
        }
    }

    #[test]
    fn resolve_table() {
        use serde_json::json;
        let cases = [
            ("0644", json!(420)),
            ("0b101", json!(5)),
            ("+12", json!(12)),
            ("1_000", json!(1000)),
            ("1e5", json!("1e5")),
            ("1.0e+5", json!(100000.0)),
            (".5", json!(0.5)),
            ("08", json!("08")),
            ("On", json!(true)),
            ("y", json!("y")),
            ("Null", json!(null)),
            ("9.0.0-dev", json!("9.0.0-dev")),
        ];
        for (s, want) in cases {
            assert_eq!(resolve_plain(s), want, "{s}");
        }
    }

    #[test]
    fn empty_document_is_empty_map() {
        assert_eq!(Yaml::parse("").unwrap(), Yaml::empty_map());
        assert_eq!(Yaml::parse("%YAML 1.1\n---\n").unwrap(), Yaml::empty_map());
    }
}
