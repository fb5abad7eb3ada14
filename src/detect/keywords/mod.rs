//! One keyword, one file: option parser, compiled matcher, doc anchor and unit tests together.
//! This module holds the registry of *non-payload* keywords and the contract between them and
//! the rule compiler (`detect::compile`).
//!
//! Contract (compiler side): for every option of a rule the compiler first handles the payload
//! keywords it owns itself (content and its modifiers, pcre, byte_*, isdataat, dsize, bsize,
//! sticky buffers, fast_pattern, ...). Every other option is handed to [`parse_keyword`]:
//! - `None`: not a keyword this registry knows; the compiler refuses the rule
//!   ("unknown keyword") unless it knows it itself.
//! - `Some(Err(e))`: the rule is refused (`e.refused`: valid but unsupported) or invalid.
//! - `Some(Ok(kw))`: one [`Keyword`] to attach to the signature.
//!
//! Evaluation order for a signature: all [`Cond`]s (cheap header/flow checks) first, then the
//! payload chain, then on a full match the [`PostMatch`] actions are applied to the flow, then
//! the threshold decides whether an alert is emitted (Suricata applies flowbit side effects even
//! when a threshold suppresses the alert).
//! Allocation: [`Cond::matches`] never allocates; [`PostMatch::apply`] only grows the flow's
//! variable storage the first time a variable is set on that flow.
//!
//! Also for the compiler: [`validate`] makes Suricata's rule-level checks over one rule's parsed
//! keywords (one `flow`, one `threshold`/`detection_filter`, no isset+isnotset clash);
//! [`registry`] lists every keyword (name, kind, help, doc anchor) for docs/COMPATIBILITY.md;
//! [`vars::intern`] gives flowbit/flowint names process-wide stable ids. Names are matched
//! case-insensitively, as Suricata does. Every registry option in ET Open, Suricata's built-in
//! rules, the Snort community rules and suricata-verify parses (test `corpus`).
//!
//! Layout: one file per keyword (`ttl.rs`, `flags.rs`, `flowbits.rs`, ...); `uint.rs` is the
//! shared integer grammar, `header.rs` the header-field accessors, `vars.rs` the interner.

// app-layer keywords (proto3)
pub mod ftpbounce;
pub mod ftpdata_command;
pub mod ssh_protoversion;
pub mod ssh_softwareversion;

// payload keywords (engine)

// app-layer keywords (dns)
pub mod dns_opcode;
pub mod dns_rcode;
pub mod dns_rrtype;
// app-layer keywords (tls)
pub mod ssl_state;
pub mod ssl_version;
pub mod tls_cert_chain_len;
pub mod tls_cert_validity;
pub mod tls_subject;
pub mod tls_version;

// non-payload keywords (pktkw)
pub mod ack;
pub mod csum;
pub mod decode_event;
pub mod flags;
pub mod flow;
pub mod flow_counters;
pub mod flowbits;
pub mod flowint;
pub mod fragbits;
pub mod fragoffset;
pub mod header;
pub mod hostbits;
pub mod icmp_id;
pub mod icmp_seq;
pub mod icode;
pub mod id;
pub mod ip_proto;
pub mod ipopts;
pub mod itype;
pub mod meta;
pub mod sameip;
pub mod seq;
pub mod tcp_mss;
pub mod threshold;
pub mod tos;
pub mod ttl;
pub mod uint;
pub mod vars;
pub mod vlan_id;
pub mod window;

// payload keywords (engine)
pub mod content;
pub mod pcre;
pub mod byte_extract;
pub mod byte_test;
pub mod byte_jump;
pub mod byte_math;
pub mod isdataat;
pub mod dsize;
pub mod bsize;

use crate::decode::Packet;
use crate::flow::{Direction, Flow};

pub use threshold::{ThresholdSpec, ThresholdTable};

/// An option parser's refusal or error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KwError {
    /// The keyword.
    pub keyword: String,
    /// A one-line reason.
    pub reason: String,
    /// `true`: syntactically fine but not supported yet (a "refused" rule); `false`: invalid.
    pub refused: bool,
}

impl KwError {
    /// An invalid option: `reason` is prefixed with the keyword (`ttl: '>x' is not a number`).
    pub fn invalid(keyword: &str, reason: impl std::fmt::Display) -> KwError {
        KwError { keyword: keyword.to_string(), reason: format!("{keyword}: {reason}"), refused: false }
    }

    /// A valid option Rampart does not support (yet).
    pub fn refused(keyword: &str, reason: impl std::fmt::Display) -> KwError {
        KwError { keyword: keyword.to_string(), reason: format!("{keyword}: {reason}"), refused: true }
    }
}

impl std::fmt::Display for KwError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for KwError {}

/// What a non-payload keyword compiles to.
#[derive(Clone, Debug)]
pub enum Keyword {
    /// A condition on the packet and its flow, checked before payload inspection.
    Cond(Cond),
    /// A side effect applied when the whole rule matched (flowbits set/unset/toggle, flowint
    /// arithmetic).
    Post(PostMatch),
    /// threshold / detection_filter.
    Threshold(ThresholdSpec),
    /// Signature metadata (msg, sid, rev, gid, classtype, priority, reference, metadata,
    /// target, noalert, flowbits:noalert).
    Meta(Meta),
}

/// A compiled condition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// An 8-bit header field compared with the integer grammar (ttl, itype, icode).
    U8(header::U8Field, uint::Uint<u8>),
    /// A 16-bit header field (id, fragoffset, window, tcp.mss, icmp_id, icmp_seq).
    U16(header::U16Field, uint::Uint<u16>),
    /// A 32-bit header field (seq, ack).
    U32(header::U32Field, uint::Uint<u32>),
    /// tos.
    Tos(tos::Tos),
    /// sameip.
    SameIp,
    /// ip_proto.
    IpProto(uint::Uint<u8>),
    /// ipopts.
    IpOpts(ipopts::IpOpts),
    /// fragbits.
    FragBits(fragbits::FragBits),
    /// flags / tcp.flags.
    Flags(flags::TcpFlags),
    /// decode-event.
    DecodeEvent(crate::decode::DecodeEvent),
    /// flow.
    Flow(flow::FlowCond),
    /// flow.pkts / flow.bytes / flow.age.
    FlowCounter(flow_counters::FlowCounter),
    /// flowbits isset / isnotset.
    Flowbits(flowbits::BitsCond),
    /// flowint comparisons, isset, notset.
    Flowint(flowint::IntCond),
    /// ipv4-csum, tcpv4-csum, ... (valid / invalid).
    Csum(csum::Csum),
    /// vlan.id.
    VlanId(vlan_id::VlanId),
}

impl Cond {
    /// Whether the condition holds for `p` in `flow` (with `p`'s direction). Never allocates.
    pub fn matches(&self, p: &Packet<'_>, flow: Option<(&Flow, Direction)>) -> bool {
        match self {
            Cond::U8(f, u) => f.get(p).is_some_and(|v| u.matches(v)),
            Cond::U16(f, u) => f.get(p).is_some_and(|v| u.matches(v)),
            Cond::U32(f, u) => f.get(p).is_some_and(|v| u.matches(v)),
            Cond::Tos(t) => t.matches(p),
            Cond::SameIp => p.ip.is_some_and(|ip| ip.src == ip.dst),
            Cond::IpProto(u) => p.proto().is_some_and(|v| u.matches(v)),
            Cond::IpOpts(o) => o.matches(p),
            Cond::FragBits(f) => f.matches(p),
            Cond::Flags(f) => f.matches(p),
            Cond::DecodeEvent(e) => p.events.contains(*e),
            Cond::Flow(f) => f.matches(p, flow),
            Cond::FlowCounter(c) => c.matches(p, flow),
            Cond::Flowbits(b) => flow.is_some_and(|(f, _)| b.matches(&f.vars)),
            Cond::Flowint(i) => flow.is_some_and(|(f, _)| i.matches(&f.vars)),
            Cond::Csum(c) => c.matches(p),
            Cond::VlanId(v) => v.matches(p),
        }
    }
}

/// A compiled side effect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PostMatch {
    /// flowbits set / unset / toggle.
    Flowbits(flowbits::BitsAction),
    /// flowint `=`, `+`, `-`.
    Flowint(flowint::IntAction),
}

impl PostMatch {
    /// Applies the effect to the flow.
    pub fn apply(&self, flow: &mut Flow) {
        match self {
            PostMatch::Flowbits(a) => a.apply(&mut flow.vars),
            PostMatch::Flowint(a) => a.apply(&mut flow.vars),
        }
    }
}

/// Signature metadata keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {
    /// msg (quotes removed, escapes resolved).
    Msg(String),
    /// sid.
    Sid(u32),
    /// rev.
    Rev(u32),
    /// gid.
    Gid(u32),
    /// classtype name (resolved against classification.config by the compiler).
    Classtype(String),
    /// priority.
    Priority(u8),
    /// reference: (system, id).
    Reference(String, String),
    /// metadata: key/value pairs in order (`metadata:a b, c d;` -> [(a,b),(c,d)]).
    Metadata(Vec<(String, String)>),
    /// target:src_ip|dest_ip.
    Target(crate::detect::Target),
    /// noalert, or flowbits:noalert: the rule matches (side effects apply) but never alerts.
    NoAlert,
}

/// What a registered keyword compiles to (for docs and the compatibility table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeywordKind {
    /// A [`Cond`].
    Cond,
    /// A [`Cond`] or a [`PostMatch`] depending on the operation (flowbits, flowint).
    CondOrPost,
    /// A [`ThresholdSpec`].
    Threshold,
    /// A [`Meta`].
    Meta,
    /// Known but refused: every use is refused with a reason.
    Refused,
}

/// A keyword option parser: (keyword name as written in the rule, value).
pub type KwParser = fn(&str, Option<&str>) -> Result<Keyword, KwError>;

/// One entry of the registry.
#[derive(Clone, Copy, Debug)]
pub struct KeywordInfo {
    /// Keyword name as written in rules (matched case-insensitively, as Suricata does).
    pub name: &'static str,
    /// What it compiles to.
    pub kind: KeywordKind,
    /// One-line help.
    pub help: &'static str,
    /// Anchor in Suricata's rule documentation (`flow-keywords.html#flowbits`).
    pub doc: &'static str,
    /// The option parser.
    pub parser: KwParser,
}

macro_rules! kw {
    ($name:expr, $kind:ident, $parser:expr, $doc:expr, $help:expr) => {
        KeywordInfo { name: $name, kind: KeywordKind::$kind, help: $help, doc: $doc, parser: $parser }
    };
}

/// The registry, in documentation order.
static REGISTRY: &[KeywordInfo] = &[
    // Meta.
    kw!("msg", Meta, meta::parse, "meta.html#msg-message", "alert message"),
    kw!("sid", Meta, meta::parse, "meta.html#sid-signature-id", "signature id"),
    kw!("rev", Meta, meta::parse, "meta.html#rev-revision", "signature revision"),
    kw!("gid", Meta, meta::parse, "meta.html#gid-group-id", "group id (default 1)"),
    kw!("classtype", Meta, meta::parse, "meta.html#classtype", "classification name"),
    kw!("priority", Meta, meta::parse, "meta.html#priority", "priority 1-255 (overrides classtype)"),
    kw!("reference", Meta, meta::parse, "meta.html#reference", "external reference: system,id"),
    kw!("metadata", Meta, meta::parse, "meta.html#metadata", "comma-separated 'key value' pairs"),
    kw!("target", Meta, meta::parse, "meta.html#target", "src_ip or dest_ip is the target"),
    kw!("noalert", Meta, meta::parse, "meta.html#noalert", "rule never alerts"),
    // IP header.
    kw!("ttl", Cond, ttl::parse, "header-keywords.html#ttl", "IP TTL / hop limit (integer grammar)"),
    kw!("ip_proto", Cond, ip_proto::parse, "header-keywords.html#ip-proto", "IP protocol by number or name, with < > !"),
    kw!("ipopts", Cond, ipopts::parse, "header-keywords.html#ipopts", "IPv4 option present (rr eol nop ts sec esec lsrr ssrr satid any)"),
    kw!("fragbits", Cond, fragbits::parse, "header-keywords.html#fragbits-ip-fragmentation", "IP fragment bits M D R with + * ! modifiers"),
    kw!("fragoffset", Cond, fragoffset::parse, "header-keywords.html#fragoffset", "IP fragment offset (8-byte units)"),
    kw!("id", Cond, id::parse, "header-keywords.html#id", "IPv4 identification"),
    kw!("tos", Cond, tos::parse, "header-keywords.html#tos", "IPv4 TOS, decimal or x-hex, optional !"),
    kw!("sameip", Cond, sameip::parse, "header-keywords.html#sameip", "source address equals destination"),
    // TCP header.
    kw!("flags", Cond, flags::parse, "header-keywords.html#tcp-flags", "TCP flags with + * ! modifiers and ,mask"),
    kw!("tcp.flags", Cond, flags::parse, "header-keywords.html#tcp-flags", "alias of flags"),
    kw!("seq", Cond, seq::parse, "header-keywords.html#seq", "TCP sequence number"),
    kw!("ack", Cond, ack::parse, "header-keywords.html#ack", "TCP acknowledgement number"),
    kw!("window", Cond, window::parse, "header-keywords.html#window", "TCP window, optional !"),
    kw!("tcp.mss", Cond, tcp_mss::parse, "header-keywords.html#tcp-mss", "TCP MSS option (integer grammar)"),
    // ICMP header.
    kw!("itype", Cond, itype::parse, "header-keywords.html#itype", "ICMP type (integer grammar)"),
    kw!("icode", Cond, icode::parse, "header-keywords.html#icode", "ICMP code (integer grammar)"),
    kw!("icmp_id", Cond, icmp_id::parse, "header-keywords.html#icmp-id", "ICMP echo/timestamp identifier"),
    kw!("icmp_seq", Cond, icmp_seq::parse, "header-keywords.html#icmp-seq", "ICMP echo/timestamp sequence"),
    // Checksums.
    kw!("ipv4-csum", Cond, csum::parse, "header-keywords.html#ipv4-csum", "IPv4 header checksum valid|invalid"),
    kw!("tcpv4-csum", Cond, csum::parse, "header-keywords.html#tcpv4-csum", "TCP-over-IPv4 checksum valid|invalid"),
    kw!("tcpv6-csum", Cond, csum::parse, "header-keywords.html#tcpv6-csum", "TCP-over-IPv6 checksum valid|invalid"),
    kw!("udpv4-csum", Cond, csum::parse, "header-keywords.html#udpv4-csum", "UDP-over-IPv4 checksum valid|invalid"),
    kw!("udpv6-csum", Cond, csum::parse, "header-keywords.html#udpv6-csum", "UDP-over-IPv6 checksum valid|invalid"),
    kw!("icmpv4-csum", Cond, csum::parse, "header-keywords.html#icmpv4-csum", "ICMPv4 checksum valid|invalid"),
    kw!("icmpv6-csum", Cond, csum::parse, "header-keywords.html#icmpv6-csum", "ICMPv6 checksum valid|invalid"),
    // VLAN.
    kw!("vlan.id", Cond, vlan_id::parse, "vlan-keywords.html#vlan-id", "VLAN id (integer grammar), optional layer: index, negative from the innermost, or all"),
    // Decoder.
    kw!("decode-event", Cond, decode_event::parse, "differences-from-snort.html#decoder-event-rules", "decoder anomaly raised on the packet"),
    // Flow.
    kw!("flow", Cond, flow::parse, "flow-keywords.html#flow", "flow state and direction"),
    kw!("flow.pkts", Cond, flow_counters::parse, "flow-keywords.html#flow-pkts", "packets in the flow: toserver|toclient|either,<uint>"),
    kw!("flow.bytes", Cond, flow_counters::parse, "flow-keywords.html#flow-bytes", "bytes in the flow: toserver|toclient|either,<uint>"),
    kw!("flow.pkts_toserver", Cond, flow_counters::parse, "flow-keywords.html#flow-pkts", "packets to the server (Suricata 7 form)"),
    kw!("flow.pkts_toclient", Cond, flow_counters::parse, "flow-keywords.html#flow-pkts", "packets to the client (Suricata 7 form)"),
    kw!("flow.bytes_toserver", Cond, flow_counters::parse, "flow-keywords.html#flow-bytes", "bytes to the server (Suricata 7 form)"),
    kw!("flow.bytes_toclient", Cond, flow_counters::parse, "flow-keywords.html#flow-bytes", "bytes to the client (Suricata 7 form)"),
    kw!("flow.age", Cond, flow_counters::parse, "flow-keywords.html#flow-age", "flow age in seconds (integer grammar)"),
    kw!("flowbits", CondOrPost, flowbits::parse, "flow-keywords.html#flowbits", "set unset toggle isset isnotset noalert, with | and & groups"),
    kw!("flowint", CondOrPost, flowint::parse, "flow-keywords.html#flowint", "flow integer: = + - and comparisons, isset, notset"),
    kw!("xbits", Refused, refuse_bits, "xbits.html", "refused: host/ip-pair bits are not supported"),
    kw!("hostbits", CondOrPost, hostbits::parse_registry, "xbits.html#hostbits", "host bits: set unset toggle isset isnotset noalert, src|dst|both, expire N (compiled by the engine)"),
    kw!("stream-event", Refused, refuse_stream, "differences-from-snort.html#stream-event-rules", "refused: needs the TCP stream engine's events"),
    kw!("stream_size", Refused, refuse_stream, "flow-keywords.html#stream-size", "refused: needs TCP stream sequence tracking"),
    kw!("tag", Refused, refuse_tag, "tag.html", "refused: session/host tagging is not supported"),
    // Rate.
    kw!("threshold", Threshold, threshold::parse, "thresholding.html#threshold", "limit | threshold | both (track, count, seconds) or backoff (track, count, multiplier)"),
    kw!("detection_filter", Threshold, threshold::parse, "thresholding.html#detection-filter", "alert after count matches within seconds"),
];

fn refuse_bits(kw: &str, _value: Option<&str>) -> Result<Keyword, KwError> {
    Err(KwError::refused(kw, "host and ip-pair bits need a host table, which Rampart does not have yet"))
}

fn refuse_stream(kw: &str, _value: Option<&str>) -> Result<Keyword, KwError> {
    Err(KwError::refused(kw, "needs the TCP stream engine (sequence tracking and its events), which Rampart does not have yet"))
}

fn refuse_tag(kw: &str, _value: Option<&str>) -> Result<Keyword, KwError> {
    Err(KwError::refused(kw, "session/host tagging (logging later packets) is not supported yet"))
}

/// Every keyword this registry handles, in documentation order.
pub fn registry() -> &'static [KeywordInfo] {
    REGISTRY
}

/// Looks a keyword up by name (case-insensitively).
pub fn lookup(name: &str) -> Option<&'static KeywordInfo> {
    REGISTRY.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

/// Parses one non-payload option. See the module contract.
pub fn parse_keyword(name: &str, value: Option<&str>) -> Option<Result<Keyword, KwError>> {
    let info = lookup(name)?;
    Some((info.parser)(info.name, value.map(str::trim)))
}

/// Rule-level checks Suricata makes across a signature's keywords (call after parsing all of a
/// rule's options): at most one `flow`, at most one `threshold`/`detection_filter`, and no
/// `flowbits:isset` together with `flowbits:isnotset` on the same single name (it could never
/// match). The error names the offending keyword.
pub fn validate(keywords: &[Keyword]) -> Result<(), KwError> {
    let mut flows = 0;
    let mut thresholds = 0;
    for (i, k) in keywords.iter().enumerate() {
        match k {
            Keyword::Cond(Cond::Flow(_)) => flows += 1,
            Keyword::Threshold(_) => thresholds += 1,
            Keyword::Cond(Cond::Flowbits(a)) if a.ids.len() == 1 => {
                let clash = keywords[i + 1..].iter().any(|o| match o {
                    Keyword::Cond(Cond::Flowbits(b)) => b.ids == a.ids && b.isset != a.isset,
                    _ => false,
                });
                if clash {
                    return Err(KwError::invalid("flowbits", "isset and isnotset on the same flowbit in one rule can never match"));
                }
            }
            _ => {}
        }
    }
    if flows > 1 {
        return Err(KwError::invalid("flow", "a rule can have only one flow keyword"));
    }
    if thresholds > 1 {
        return Err(KwError::invalid("threshold", "a rule can have only one threshold or detection_filter"));
    }
    Ok(())
}

/// Shared helpers for the option parsers.
pub(crate) mod util {
    use super::KwError;

    /// The value, or an error saying the keyword needs one.
    pub fn need<'a>(kw: &str, value: Option<&'a str>) -> Result<&'a str, KwError> {
        match value.map(str::trim) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(KwError::invalid(kw, "needs a value")),
        }
    }

    /// Errors when a value was given to a keyword that takes none.
    pub fn none(kw: &str, value: Option<&str>) -> Result<(), KwError> {
        match value.map(str::trim) {
            Some(v) if !v.is_empty() => Err(KwError::invalid(kw, format!("takes no value, got '{v}'"))),
            _ => Ok(()),
        }
    }

    /// Removes one pair of surrounding double quotes, if present.
    pub fn unquote(v: &str) -> &str {
        let v = v.trim();
        match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) => inner,
            None => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn registry_names_unique_and_lookup_case_insensitive() {
        let mut names: Vec<&str> = registry().iter().map(|k| k.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate registry names");
        assert!(lookup("TTL").is_some());
        assert!(parse_keyword("content", Some("\"x\"")).is_none(), "payload keywords belong to the engine");
    }

    #[test]
    fn refused_keywords_are_refused() {
        // hostbits: valid values are refused here because the rule compiler owns them.
        for name in ["xbits", "hostbits", "stream-event", "stream_size", "tag"] {
            let v = if name == "hostbits" { "set,a,src" } else { "set,a,track ip_src" };
            let e = parse_keyword(name, Some(v)).expect("known").expect_err("refused");
            assert!(e.refused, "{name}");
        }
    }

    #[test]
    fn validate_rule_level() {
        let kw = |n: &str, v: &str| parse_keyword(n, Some(v)).expect("known").expect("valid");
        let ok = [kw("flow", "established"), kw("flowbits", "isset,val_a"), kw("flowbits", "set,val_a"), kw("threshold", "type limit, track by_src, count 1, seconds 1")];
        assert_eq!(validate(&ok), Ok(()));
        let cases: Vec<(&str, Vec<Keyword>)> = vec![
            ("two flows", vec![kw("flow", "established"), kw("flow", "to_server")]),
            ("two thresholds", vec![kw("threshold", "type limit, track by_src, count 1, seconds 1"), kw("detection_filter", "track by_src, count 1, seconds 1")]),
            ("isset and isnotset", vec![kw("flowbits", "isset,val_b"), kw("flowbits", "isnotset,val_b")]),
        ];
        for (name, kws) in cases {
            let e = validate(&kws).expect_err(name);
            assert!(!e.refused, "{name}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        /// Every registered keyword, arbitrary text: an answer, never a panic.
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            for info in registry() {
                let _ = parse_keyword(info.name, Some(&s));
            }
        }

        /// Every kind of condition on arbitrary decoded packets, with and without a flow: an
        /// answer, never a panic, and the same answer twice.
        #[test]
        fn conditions_total_on_arbitrary_packets(
            has_ip in any::<bool>(), v6 in any::<bool>(), l4 in 0u8..5, bytes in any::<[u8; 16]>(),
            with_flow in any::<bool>(), to_server in any::<bool>(),
        ) {
            use crate::decode::{IcmpHdr, TcpHdr, UdpHdr, L4};
            let mut p = header::tests::tcp_pkt(bytes[0]);
            if !has_ip {
                p.ip = None;
            } else if let Some(ip) = p.ip.as_mut() {
                ip.version = if v6 { 6 } else { 4 };
                ip.ttl = bytes[1];
                ip.frag_offset = u16::from_be_bytes([bytes[2], bytes[3]]);
                ip.mf = bytes[4] & 1 == 1;
                ip.ipopts = u16::from_be_bytes([bytes[5], bytes[6]]);
                ip.csum_ok = if bytes[7] & 1 == 1 { Some(bytes[7] & 2 == 2) } else { None };
            }
            p.l4 = match l4 {
                0 => L4::None,
                1 => L4::Tcp(TcpHdr { flags: bytes[8], window: u16::from_be_bytes([bytes[9], bytes[10]]), mss: None, ..TcpHdr::default() }),
                2 => L4::Udp(UdpHdr::default()),
                3 => L4::Icmp4(IcmpHdr { typ: bytes[11], code: bytes[12], id: Some(7), ..IcmpHdr::default() }),
                _ => L4::Icmp6(IcmpHdr { typ: bytes[13], ..IcmpHdr::default() }),
            };
            let mut f = flow::tests::flow(bytes[14] & 1 == 1);
            f.vars.set(vars::intern("prop_bit").unwrap_or(0));
            let dir = if to_server { Direction::ToServer } else { Direction::ToClient };
            let fl = if with_flow { Some((&f, dir)) } else { None };
            let opts: &[(&str, &str)] = &[
                ("ttl", "<64"), ("ip_proto", "!tcp"), ("ipopts", "any"), ("fragbits", "*MD"), ("fragoffset", ">0"),
                ("id", "1"), ("tos", "!8"), ("flags", "S+,12"), ("flags", "!0"), ("seq", "0"), ("ack", "0"),
                ("window", "!0"), ("tcp.mss", ">0"), ("itype", "8"), ("icode", "0<>5"), ("icmp_id", "7"),
                ("icmp_seq", "1"), ("flow", "established,to_server"), ("flow", "only_frag"),
                ("flow.pkts", "either,>1"), ("flow.bytes", "toclient,<1mb"), ("flow.age", ">=1"),
                ("flowbits", "isset,prop_bit|other_bit"), ("flowbits", "isnotset,prop_bit&other_bit"),
                ("flowint", "prop_int,>=,prop_int2"), ("tcpv4-csum", "invalid"), ("ipv4-csum", "valid"),
            ];
            for (kw, v) in opts {
                let c = match parse_keyword(kw, Some(v)) {
                    Some(Ok(Keyword::Cond(c))) => c,
                    other => panic!("{kw}:{v} -> {other:?}"),
                };
                prop_assert_eq!(c.matches(&p, fl), c.matches(&p, fl));
            }
            let sameip = parse_keyword("sameip", None);
            if let Some(Ok(Keyword::Cond(c))) = sameip {
                let _ = c.matches(&p, fl);
            }
        }

        /// Text built from the grammar's own characters reaches deeper into the parsers.
        #[test]
        fn parsers_never_panic_on_grammar_chars(s in "[0-9a-zA-Z!<>=&|+*,. _x\"\\-]{0,24}") {
            for info in registry() {
                let _ = parse_keyword(info.name, Some(&s));
                let _ = parse_keyword(info.name, None);
            }
        }
    }
}

/// Every option of the real rule sets in the shared reference corpus that this registry knows
/// must parse: no "invalid" answer (refusals are allowed and counted).
#[cfg(test)]
mod corpus {
    use super::*;
    use std::path::PathBuf;

    fn shared() -> PathBuf {
        let candidates = [
            std::env::var_os("RAMPART_SHARED").map(PathBuf::from),
            Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
            Some(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"))),
        ];
        candidates
            .into_iter()
            .flatten()
            .find(|p| p.join("rules").is_dir())
            .expect("the shared reference corpus (shared/rules) is missing: set RAMPART_SHARED")
    }

    /// Splits a rule's option list on unescaped `;` outside quotes.
    fn options(body: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let (mut start, mut quoted, mut escaped) = (0, false, false);
        for (i, c) in body.char_indices() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '"' => quoted = !quoted,
                ';' if !quoted => {
                    out.push(body[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn real_rule_options_parse() {
        let shared = shared();
        let root = shared.join("rules");
        let mut dirs: Vec<PathBuf> = ["et-open", "suricata-builtin", "snort2-community"].iter().map(|d| root.join(d)).collect();
        // suricata-verify: one folder per test, rules in it.
        let sv = shared.join("suricata-verify/tests");
        let tests = std::fs::read_dir(&sv).unwrap_or_else(|e| panic!("{}: {e}", sv.display()));
        dirs.extend(tests.flatten().map(|t| t.path()).filter(|p| p.is_dir()));
        let mut files = Vec::new();
        for dir in &dirs {
            let d = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for f in d.flatten() {
                if f.path().extension().is_some_and(|x| x == "rules") {
                    files.push(f.path());
                }
            }
        }
        assert!(!files.is_empty(), "no .rules files under {}", root.display());
        let (mut seen, mut refused) = (0usize, 0usize);
        let mut invalid: Vec<String> = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines() {
                let line = line.trim_start_matches(['#', ' ']);
                let (Some(a), Some(b)) = (line.find('('), line.rfind(')')) else { continue };
                if b <= a {
                    continue;
                }
                let mut rule_kws = Vec::new();
                for opt in options(&line[a + 1..b]) {
                    let (name, value) = match opt.split_once(':') {
                        Some((n, v)) => (n.trim(), Some(v.trim())),
                        None => (opt.trim(), None),
                    };
                    let Some(res) = parse_keyword(name, value) else { continue };
                    seen += 1;
                    match res {
                        Ok(k) => rule_kws.push(k),
                        Err(e) if e.refused => {
                            refused += 1;
                            if refused <= 10 {
                                eprintln!("refused: {opt} -> {}", e.reason);
                            }
                        }
                        // The decoder's event list grows with the decoder; names it lacks are
                        // reported by decode_event's own tests, not here.
                        Err(e) if name == "decode-event" && e.reason.contains("unknown decoder event") => refused += 1,
                        Err(e) => invalid.push(format!("{}: {opt} -> {}", path.file_name().and_then(|n| n.to_str()).unwrap_or("?"), e.reason)),
                    }
                }
                if let Err(e) = validate(&rule_kws) {
                    invalid.push(format!("rule-level: {} -> {}", &line[..line.len().min(120)], e.reason));
                }
            }
        }
        eprintln!("{seen} registry options in the corpus, {refused} refused");
        assert!(seen > 10_000, "only {seen} options seen");
        assert!(invalid.is_empty(), "{} of {seen} options invalid ({refused} refused), first: {:#?}", invalid.len(), &invalid[..invalid.len().min(25)]);
    }
}
