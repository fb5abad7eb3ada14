//! Rule text to a typed AST with spans. Pure: no engine, no globals.
//!
//! Parsing checks the *grammar* (header, address and port expressions, option syntax and
//! escaping). Whether each keyword is supported is decided later by the compiler, which
//! refuses rules it cannot honour; a rule that does not parse here "failed".
//!
//! Entry points: [`load_files`] (rule files and directories) and [`parse_rule`] (one rule).
//! Pieces: `lexer` (file -> logical rule lines), `header` (action, protocol, addresses, ports,
//! direction), `expr` + `address` + `port` (group expressions and `$VAR` resolution),
//! `options` (the `name:value;` list), `vars` ([`Vars::suricata_defaults`]).
//!
//! Contract: never panics on any input; memory is bounded by [`MAX_RULE_LEN`] per rule and by
//! the expression limits [`MAX_NESTING`], [`MAX_VAR_DEPTH`], [`MAX_NODES`].
//!
//! Known differences from Suricata's parser, all deliberate:
//! - a rule line indented with spaces or tabs is parsed (Suricata's loader skips it silently);
//! - in option values `\\` is an escaped backslash, so `"a\\";` ends the option (Suricata
//!   only checks the byte before `;`);
//! - the option list must be closed by `)`;
//! - `config` rules (Suricata's `config` action) are reported as failed, not supported;
//! - Snort 3 service rules (`alert http (...)`) parse, flagged by [`Header::snort3_service`];
//! - whether an expression leaves anything to match (`[1.2.3.4,!1.2.3.4]`) is not checked
//!   here, only `!any`.

mod address;
mod expr;
mod header;
mod lexer;
mod options;
mod port;
mod vars;

#[cfg(test)]
mod tests;

pub use expr::{MAX_NESTING, MAX_NODES, MAX_VAR_DEPTH};

/// Longest logical rule (continuation lines joined) accepted, in bytes.
pub const MAX_RULE_LEN: usize = 64 * 1024;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a rule came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The rule file (shared by all rules of the file).
    pub file: Arc<PathBuf>,
    /// 1-based line of the rule's first line.
    pub line: u32,
}

/// A rule's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// alert
    Alert,
    /// pass
    Pass,
    /// drop
    Drop,
    /// reject (RST / ICMP unreachable to the sender)
    Reject,
    /// rejectsrc
    RejectSrc,
    /// rejectdst
    RejectDst,
    /// rejectboth
    RejectBoth,
}

impl Action {
    /// Rule spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Pass => "pass",
            Action::Drop => "drop",
            Action::Reject => "reject",
            Action::RejectSrc => "rejectsrc",
            Action::RejectDst => "rejectdst",
            Action::RejectBoth => "rejectboth",
        }
    }
}

/// An IP network: address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// Network address (host bits zeroed).
    pub addr: IpAddr,
    /// Prefix length (0..=32 or 0..=128).
    pub prefix: u8,
}

impl Cidr {
    /// Whether `ip` lies in this network (an IPv4 network never contains an IPv6 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - self.prefix.min(32) as u32) };
                (u32::from(n) & mask) == (u32::from(a) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - self.prefix.min(128) as u32) };
                (u128::from(n) & mask) == (u128::from(a) & mask)
            }
            _ => false,
        }
    }
}

/// An address expression after variable resolution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddrExpr {
    /// `any`
    Any,
    /// One network (a single address is a /32 or /128).
    Net(Cidr),
    /// An inclusive address range `a-b` (Suricata allows it in address vars).
    Range(IpAddr, IpAddr),
    /// `[a, b, ...]`: matches if any element matches (negated elements subtract).
    List(Vec<AddrExpr>),
    /// `!x`
    Not(Box<AddrExpr>),
}

/// A port expression after variable resolution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortExpr {
    /// `any`
    Any,
    /// Inclusive range; a single port is `Range(p, p)`.
    Range(u16, u16),
    /// `[a, b, ...]`
    List(Vec<PortExpr>),
    /// `!x`
    Not(Box<PortExpr>),
}

/// The rule header: `action proto src sport -> dst dport`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Action.
    pub action: Action,
    /// Protocol, lower-cased as written (`tcp`, `udp`, `ip`, `icmp`, `http`, `tls`, `tcp-pkt`, ...).
    pub proto: String,
    /// Source addresses.
    pub src: AddrExpr,
    /// Source ports.
    pub sport: PortExpr,
    /// Destination addresses.
    pub dst: AddrExpr,
    /// Destination ports.
    pub dport: PortExpr,
    /// `<>`: the rule matches both ways.
    pub bidirectional: bool,
    /// Snort 3 service-rule form `action proto (options)` with no addresses or ports (they are
    /// `any` here). Suricata does not accept it; the compiler should refuse such rules.
    pub snort3_service: bool,
}

/// One `name[:value];` option, in rule order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOption {
    /// Keyword name as written (trimmed; keywords are case-sensitive in Suricata).
    pub name: String,
    /// The value with surrounding whitespace trimmed and option escapes (`\;` `\"` `\\` `\:`)
    /// still in place, so keywords with their own quoting (content, pcre) see what was written.
    pub value: Option<String>,
}

/// A parsed rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Header.
    pub header: Header,
    /// Options in order.
    pub options: Vec<RuleOption>,
    /// Where it came from.
    pub span: Span,
    /// `sid`, if present and numeric.
    pub sid: Option<u32>,
    /// The rule's text (continuation lines joined), for messages and `-T` output.
    pub text: Arc<str>,
}

/// Rule variables from the config (`vars.address-groups`, `vars.port-groups`), unresolved.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// Address groups by name without `$` (e.g. `HOME_NET` -> `[192.168.0.0/16,...]`).
    pub address: std::collections::HashMap<String, String>,
    /// Port groups by name without `$`.
    pub port: std::collections::HashMap<String, String>,
}

/// Why a rule could not be used.
#[derive(Clone, Debug)]
pub struct RuleIssue {
    /// Rule location.
    pub span: Span,
    /// sid, if one could be read.
    pub sid: Option<u32>,
    /// The keyword at fault, if any.
    pub keyword: Option<String>,
    /// A one-line reason.
    pub reason: String,
}

impl std::fmt::Display for RuleIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.span.file.display(), self.span.line)?;
        if let Some(sid) = self.sid {
            write!(f, " sid {sid}")?;
        }
        if let Some(k) = &self.keyword {
            write!(f, " {k}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Everything read from a set of rule files.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Rules that parsed.
    pub rules: Vec<Rule>,
    /// Lines that look like rules but could not be parsed.
    pub failed: Vec<RuleIssue>,
}

/// Why a rule failed, before the location is attached.
#[derive(Debug)]
pub(crate) struct Fail {
    keyword: Option<String>,
    reason: String,
}

impl Fail {
    fn kw(keyword: &str, reason: impl Into<String>) -> Fail {
        Fail { keyword: Some(keyword.to_string()), reason: reason.into() }
    }
}

/// Parses one rule (one logical line, continuation already joined).
///
/// `vars` resolves `$VAR`s in the header; an unknown variable fails the rule. The rule must
/// carry exactly one numeric `sid`. Errors carry `span`, the sid if one can be read, the
/// keyword at fault if any and a one-line reason. Never panics; rules longer than
/// [`MAX_RULE_LEN`] are refused before any work.
pub fn parse_rule(text: &str, span: Span, vars: &Vars) -> Result<Rule, RuleIssue> {
    let issue = |f: Fail, span: Span| RuleIssue {
        span,
        sid: if text.len() <= MAX_RULE_LEN { options::find_sid(text) } else { None },
        keyword: f.keyword,
        reason: f.reason,
    };
    if text.len() > MAX_RULE_LEN {
        let reason = format!("rule longer than {MAX_RULE_LEN} bytes");
        return Err(issue(Fail { keyword: None, reason }, span));
    }
    let t = text.trim();
    let parsed = header::parse_header(t, vars).and_then(|(header, body)| {
        let options = options::split_options(body)?;
        let sid = options::sid_of(&options)?;
        Ok((header, options, sid))
    });
    match parsed {
        Ok((header, options, sid)) => Ok(Rule { header, options, span, sid: Some(sid), text: Arc::from(t) }),
        Err(f) => Err(issue(f, span)),
    }
}

/// Parses the rules of one file's contents into `set` (`file` names the spans).
pub fn parse_rules_text(data: &[u8], file: Arc<PathBuf>, vars: &Vars, set: &mut RuleSet) {
    for raw in lexer::split_rules(data) {
        let span = Span { file: Arc::clone(&file), line: raw.line };
        match raw.text {
            Ok(text) => match parse_rule(&text, span, vars) {
                Ok(rule) => set.rules.push(rule),
                Err(issue) => set.failed.push(issue),
            },
            Err(reason) => set.failed.push(RuleIssue { span, sid: None, keyword: None, reason }),
        }
    }
}

fn with_path(path: &std::path::Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Reads rule files (a directory means every `*.rules` in it, in name order).
///
/// Rules that do not parse are collected in [`RuleSet::failed`]; only I/O errors (a missing or
/// unreadable path) are `Err`, with the path in the message.
pub fn load_files(paths: &[PathBuf], vars: &Vars) -> Result<RuleSet, std::io::Error> {
    let mut set = RuleSet::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| with_path(path, e))?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(|e| with_path(path, e))? {
                let p = entry.map_err(|e| with_path(path, e))?.path();
                if p.extension().is_some_and(|x| x == "rules") && p.is_file() {
                    files.push(p);
                }
            }
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let data = std::fs::read(&file).map_err(|e| with_path(&file, e))?;
            parse_rules_text(&data, Arc::new(file), vars, &mut set);
        }
    }
    Ok(set)
}
