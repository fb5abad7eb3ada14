//! Engine-level tests: rules built by hand (the rule parser is another module), packets built
//! as decoded views over payload bytes.

use super::*;
use crate::capture::LinkType;
use crate::decode::{IcmpHdr, IpHdr, TcpHdr, UdpHdr, L4};
use crate::detect::parse::{AddrExpr, Cidr, Header, PortExpr, RuleOption, Span};
use crate::flow::FlowKey;
use crate::time::Timestamp;
use std::net::IpAddr;

/// Splits `name:value; name; ...` on semicolons outside quotes and not escaped.
fn opts(s: &str) -> Vec<RuleOption> {
    let mut out = Vec::new();
    let (mut cur, mut q, mut esc) = (String::new(), false, false);
    for c in s.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' => {
                esc = true;
                cur.push(c)
            }
            '"' => {
                q = !q;
                cur.push(c)
            }
            ';' if !q => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .map(|o| match o.split_once(':') {
            Some((n, v)) => RuleOption { name: n.trim().into(), value: Some(v.trim().into()) },
            None => RuleOption { name: o, value: None },
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn mk(action: Action, proto: &str, src: AddrExpr, sport: PortExpr, dst: AddrExpr, dport: PortExpr, bidir: bool, o: &str, sid: u32) -> Rule {
    let header = Header { action, proto: proto.into(), src, sport, dst, dport, bidirectional: bidir, snort3_service: false };
    Rule { header, options: opts(o), span: Span { file: Arc::new("test.rules".into()), line: sid }, sid: Some(sid), text: Arc::from(o) }
}

fn rule(proto: &str, o: &str, sid: u32) -> Rule {
    mk(Action::Alert, proto, AddrExpr::Any, PortExpr::Any, AddrExpr::Any, PortExpr::Any, false, o, sid)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn iphdr(src: &str, dst: &str, proto: u8) -> IpHdr {
    let (s, d) = (ip(src), ip(dst));
    IpHdr { version: if s.is_ipv4() { 4 } else { 6 }, src: s, dst: d, proto, ttl: 64, tos: 0, id: 0, frag_offset: 0, mf: false, df: false, rb: false, offset: 0, hdr_len: 20, total_len: 0, ipopts: 0, csum_ok: None }
}

fn pkt<'a>(data: &'a [u8], l4: L4, ipp: IpHdr) -> Packet<'a> {
    let mut p = Packet::empty(Timestamp::from_parts(1_700_000_000, 0), LinkType::Raw, data);
    p.ip = Some(ipp);
    p.l4 = l4;
    p.payload_off = 0;
    p.payload_len = data.len() as u32;
    p
}

fn tcp<'a>(data: &'a [u8], src: &str, sp: u16, dst: &str, dp: u16) -> Packet<'a> {
    pkt(data, L4::Tcp(TcpHdr { sport: sp, dport: dp, ..Default::default() }), iphdr(src, dst, 6))
}

fn udp<'a>(data: &'a [u8], src: &str, sp: u16, dst: &str, dp: u16) -> Packet<'a> {
    pkt(data, L4::Udp(UdpHdr { sport: sp, dport: dp, ..Default::default() }), iphdr(src, dst, 17))
}

fn settings(hs: bool) -> DetectSettings {
    let mut s = DetectSettings::default();
    s.mpm.hyperscan = hs;
    s
}

fn sids(e: &DetectEngine, ctx: &mut DetectCtx, p: &Packet<'_>) -> Vec<u32> {
    let mut a = Vec::new();
    e.inspect_packet(ctx, p, None, &mut a);
    a.iter().map(|a| a.sig.sid).collect()
}

fn backends() -> Vec<bool> {
    if cfg!(feature = "hyperscan") {
        vec![false, true]
    } else {
        vec![false]
    }
}

#[test]
fn payload_table() {
    let cases: &[(&str, &str, &[u8], bool)] = &[
        ("content_plain", r#"content:"abc""#, b"xxabcxx", true),
        ("content_case", r#"content:"ABC""#, b"abc", false),
        ("nocase", r#"content:"ABC"; nocase"#, b"xabc", true),
        ("depth_hit", r#"content:"abc"; depth:5"#, b"xxabc", true),
        ("depth_miss", r#"content:"abc"; depth:4"#, b"xxabc", false),
        ("offset_hit", r#"content:"abc"; offset:2"#, b"xxabc", true),
        ("offset_miss", r#"content:"abc"; offset:3"#, b"xxabc", false),
        ("offset_depth", r#"content:"abc"; offset:2; depth:3"#, b"xxabc", true),
        ("offset_depth_miss", r#"content:"abc"; offset:1; depth:3"#, b"xxabc", false),
        ("distance", r#"content:"a"; content:"c"; distance:1"#, b"abc", true),
        ("distance_miss", r#"content:"a"; content:"b"; distance:1"#, b"ab", false),
        ("within", r#"content:"a"; content:"c"; within:2"#, b"abc", true),
        ("within_miss", r#"content:"a"; content:"c"; within:1"#, b"abc", false),
        ("later_occurrence_satisfies_relative", r#"content:"GET"; content:"x"; distance:0; within:1"#, b"GET a GETx", true),
        ("later_occurrence_three_levels", r#"content:"a"; content:"b"; within:1; content:"c"; within:1"#, b"ab ab abc", true),
        ("no_occurrence_works", r#"content:"a"; content:"b"; within:1; content:"c"; within:1"#, b"ab ab ab", false),
        ("negative_distance", r#"content:"c"; content:"ab"; distance:-3; within:2"#, b"abc", true),
        ("negated_absent", r#"content:"abc"; content:!"xyz""#, b"abc", true),
        ("negated_present", r#"content:"abc"; content:!"xyz""#, b"abcxyz", false),
        ("negated_relative_retries", r#"content:"a"; content:!"b"; within:2"#, b"ab ac", true),
        ("negated_relative_all_fail", r#"content:"a"; content:!"b"; within:2"#, b"ab ab", false),
        ("negated_depth_outside", r#"content:!"abc"; depth:3"#, b"xabc", true),
        ("startswith_hit", r#"content:"ab"; startswith"#, b"abc", true),
        ("startswith_miss", r#"content:"ab"; startswith"#, b"xab", false),
        ("endswith_hit", r#"content:"bc"; endswith"#, b"abc", true),
        ("endswith_miss", r#"content:"bc"; endswith"#, b"bca", false),
        ("endswith_later_occurrence", r#"content:"bc"; endswith"#, b"bcabc", true),
        ("hex", r#"content:"|00 01|A""#, b"\x00\x01A", true),
        ("escaped_semicolon", r#"content:"a\;b""#, b"xa;b", true),
        ("pcre", r#"pcre:"/a.c/""#, b"xabc", true),
        ("pcre_nocase", r#"pcre:"/ABC/i""#, b"xabc", true),
        ("pcre_relative_backtrack", r#"content:"id="; pcre:"/^\d+/R""#, b"id=x id=12", true),
        ("pcre_relative_caret_at_cursor", r#"content:"id="; pcre:"/^x/R""#, b"id=yx", false),
        ("pcre_anchored_miss", r#"pcre:"/abc/A""#, b"xabc", false),
        ("pcre_anchored_hit", r#"pcre:"/abc/A""#, b"abcx", true),
        ("pcre_anchored_retry_at_start_offset", r#"pcre:"/a/A"; content:"b"; within:1"#, b"aab", true),
        ("pcre_anchored_no_retry_past_gap", r#"pcre:"/a/A"; content:"b"; within:1"#, b"acab", false),
        ("pcre_negated", r#"content:"a"; pcre:!"/zzz/""#, b"abc", true),
        ("pcre_negated_present", r#"content:"a"; pcre:!"/b/""#, b"abc", false),
        ("pcre_then_relative_content_backtracks", r#"pcre:"/k\d/"; content:"!"; within:1"#, b"k1 k2!", true),
        ("byte_extract_as_distance", r#"content:"L"; byte_extract:1,0,len,relative; content:"Z"; distance:len; within:1"#, b"L\x02abZ", true),
        ("byte_extract_as_distance_miss", r#"content:"L"; byte_extract:1,0,len,relative; content:"Z"; distance:len; within:1"#, b"L\x01abZ", false),
        ("huge_variable_saturates", r#"content:"L"; byte_extract:8,0,big,relative; content:"Z"; distance:big; within:big"#, b"L\xff\xff\xff\xff\xff\xff\xff\xffZ", false),
        ("huge_variable_negative", r#"content:"L"; byte_extract:8,0,big,relative; content:"Z"; distance:big"#, b"L\x80\x00\x00\x00\x00\x00\x00\x00Z", true),
        ("byte_extract_as_depth", r#"byte_extract:1,0,d; content:"Q"; depth:d"#, b"\x03aQ", true),
        ("byte_jump_then_content", r#"byte_jump:1,0; content:"X"; within:1"#, b"\x02abX", true),
        ("byte_jump_relative_string", r#"content:"LEN "; byte_jump:2,0,relative,string,dec; content:"!"; within:1"#, b"LEN 03abc!", true),
        ("byte_test_gt", r#"content:"A"; byte_test:1,>,5,0,relative"#, b"A\x06", true),
        ("byte_test_gt_miss", r#"content:"A"; byte_test:1,>,5,0,relative"#, b"A\x05", false),
        ("byte_test_retries_later_content", r#"content:"A"; byte_test:1,>,5,0,relative"#, b"A\x05A\x09", true),
        ("byte_math_result_as_distance", r#"content:"N"; byte_math:bytes 1, offset 0, oper +, rvalue 1, result r, relative; content:"Q"; distance:r; within:1"#, b"N\x00xQ", true),
        ("isdataat_relative", r#"content:"abc"; isdataat:2,relative"#, b"abcde", true),
        ("isdataat_relative_miss", r#"content:"abc"; isdataat:2,relative"#, b"abcd", false),
        ("isdataat_negated", r#"content:"abc"; isdataat:!1,relative"#, b"abc", true),
        ("isdataat_absolute", r#"isdataat:3"#, b"abcd", true),
        ("dsize_gt", r#"dsize:>3"#, b"abcd", true),
        ("dsize_gt_miss", r#"dsize:>3"#, b"abc", false),
        ("dsize_with_content", r#"dsize:3; content:"b""#, b"abc", true),
        ("empty_payload_negated", r#"content:!"a""#, b"", false),
        ("fast_pattern_chop", r#"content:"abcdef"; fast_pattern:2,2"#, b"abcdef", true),
        ("fast_pattern_chop_partial", r#"content:"abcdef"; fast_pattern:2,2"#, b"cd", false),
        ("fast_pattern_only", r#"content:"abc"; fast_pattern:only"#, b"abc", true),
        ("absolute_after_relative_fails_fast", r#"content:"a"; content:"b"; distance:0; content:"zz""#, b"ab ab", false),
        ("rawbytes_pkt_data_noop", r#"pkt_data; content:"ab"; rawbytes"#, b"ab", true),
    ];
    for hs in backends() {
        for (i, (name, o, payload, want)) in cases.iter().enumerate() {
            let (e, rep) = DetectEngine::build(vec![rule("tcp", o, i as u32 + 1)], settings(hs));
            assert!(rep.refused.is_empty() && rep.failed.is_empty(), "case {name}: {:?} {:?}", rep.refused, rep.failed);
            let mut ctx = e.new_ctx();
            let got = !sids(&e, &mut ctx, &tcp(payload, "10.0.0.1", 1234, "10.0.0.2", 80)).is_empty();
            assert_eq!(got, *want, "case {name} (hyperscan={hs})");
        }
    }
}

#[test]
fn backtracking_work_is_bounded() {
    // Thousands of occurrences of the first content, none followed by the relative one.
    let payload = vec![b'a'; 60_000];
    let (e, _) = DetectEngine::build(vec![rule("tcp", r#"content:"a"; content:"a"; within:1; content:"b"; within:1"#, 1)], settings(false));
    let mut ctx = e.new_ctx();
    assert!(sids(&e, &mut ctx, &tcp(&payload, "1.1.1.1", 1, "2.2.2.2", 2)).is_empty());
}

#[test]
fn header_table() {
    let net = |s: &str, p: u8| AddrExpr::Net(Cidr { addr: ip(s), prefix: p });
    let home = AddrExpr::List(vec![net("10.0.0.0", 8), AddrExpr::Not(Box::new(net("10.9.0.0", 16)))]);
    let icmp4 = |d: &'static [u8]| pkt(d, L4::Icmp4(IcmpHdr { typ: 8, ..Default::default() }), iphdr("10.0.0.1", "10.0.0.2", 1));
    let icmp6 = |d: &'static [u8]| pkt(d, L4::Icmp6(IcmpHdr { typ: 128, ..Default::default() }), iphdr("::1", "::2", 58));
    let r = |proto: &str, src: AddrExpr, sport: PortExpr, dst: AddrExpr, dport: PortExpr, bidir: bool| mk(Action::Alert, proto, src, sport, dst, dport, bidir, "", 1);
    let any = || AddrExpr::Any;
    let port = |p: u16| PortExpr::Range(p, p);
    let cases: Vec<(&str, Rule, Packet<'static>, bool)> = vec![
        ("tcp_on_tcp", r("tcp", any(), PortExpr::Any, any(), PortExpr::Any, false), tcp(b"", "1.1.1.1", 1, "2.2.2.2", 2), true),
        ("tcp_on_udp", r("tcp", any(), PortExpr::Any, any(), PortExpr::Any, false), udp(b"", "1.1.1.1", 1, "2.2.2.2", 2), false),
        ("ip_on_udp", r("ip", any(), PortExpr::Any, any(), PortExpr::Any, false), udp(b"", "1.1.1.1", 1, "2.2.2.2", 2), true),
        ("udp_pkt", r("udp-pkt", any(), PortExpr::Any, any(), PortExpr::Any, false), udp(b"", "1.1.1.1", 1, "2.2.2.2", 2), true),
        ("icmp_v4", r("icmp", any(), PortExpr::Any, any(), PortExpr::Any, false), icmp4(b""), true),
        ("icmp_v6", r("icmp", any(), PortExpr::Any, any(), PortExpr::Any, false), icmp6(b""), true),
        ("icmpv4_on_v6", r("icmpv4", any(), PortExpr::Any, any(), PortExpr::Any, false), icmp6(b""), false),
        ("icmpv6_on_v6", r("icmpv6", any(), PortExpr::Any, any(), PortExpr::Any, false), icmp6(b""), true),
        ("dport_hit", r("tcp", any(), PortExpr::Any, any(), port(80), false), tcp(b"", "1.1.1.1", 1, "2.2.2.2", 80), true),
        ("dport_miss", r("tcp", any(), PortExpr::Any, any(), port(80), false), tcp(b"", "1.1.1.1", 80, "2.2.2.2", 81), false),
        ("ports_on_icmp", r("ip", any(), PortExpr::Any, any(), port(80), false), icmp4(b""), false),
        ("src_list_hit", r("tcp", home.clone(), PortExpr::Any, any(), PortExpr::Any, false), tcp(b"", "10.1.1.1", 1, "2.2.2.2", 2), true),
        ("src_list_negated", r("tcp", home.clone(), PortExpr::Any, any(), PortExpr::Any, false), tcp(b"", "10.9.1.1", 1, "2.2.2.2", 2), false),
        ("not_home_dst", r("tcp", any(), PortExpr::Any, AddrExpr::Not(Box::new(home.clone())), PortExpr::Any, false), tcp(b"", "10.1.1.1", 1, "8.8.8.8", 2), true),
        ("direction_reverse_miss", r("tcp", home.clone(), PortExpr::Any, any(), port(80), false), tcp(b"", "8.8.8.8", 80, "10.1.1.1", 5000), false),
        ("bidirectional_reverse", r("tcp", home.clone(), PortExpr::Any, any(), port(80), true), tcp(b"", "8.8.8.8", 80, "10.1.1.1", 5000), true),
        ("sctp_number", r("sctp", any(), PortExpr::Any, any(), PortExpr::Any, false), pkt(b"", L4::Other(132), iphdr("1.1.1.1", "2.2.2.2", 132)), true),
    ];
    for (name, rl, p, want) in cases {
        let (e, rep) = DetectEngine::build(vec![rl], settings(false));
        assert_eq!(rep.loaded, 1, "case {name}: {:?}", rep.refused);
        let mut ctx = e.new_ctx();
        assert_eq!(!sids(&e, &mut ctx, &p).is_empty(), want, "case {name}");
    }
    // Non-IP packets never match.
    let (e, _) = DetectEngine::build(vec![rule("ip", "", 1)], settings(false));
    let mut ctx = e.new_ctx();
    assert!(sids(&e, &mut ctx, &Packet::empty(Timestamp::default(), LinkType::Ethernet, b"abc")).is_empty());
}

#[derive(Debug, PartialEq)]
enum Want {
    Loaded,
    Refused(&'static str, &'static str),
    Failed(&'static str, &'static str),
}

#[test]
fn refusal_table() {
    let cases: Vec<(&str, Rule, Want)> = vec![
        ("app_proto_http", rule("http", r#"content:"a""#, 1), Want::Loaded),
        ("app_proto_tls", rule("tls", "", 1), Want::Loaded),
        ("transform_on_payload", rule("tcp", r#"content:"a"; to_lowercase"#, 1), Want::Failed("to_lowercase", "transform to_lowercase must follow a sticky buffer keyword")),
        ("file_data_smtp", rule("smtp", r#"file.data; content:"a""#, 1), Want::Refused("file.data", "file.data on smtp (file contents of that protocol) is not supported yet")),
        ("tcp_stream", rule("tcp-stream", "", 1), Want::Refused("protocol", "protocol tcp-stream needs stream reassembly, not supported yet")),
        ("unknown_proto", rule("foo", "", 1), Want::Refused("protocol", "unknown protocol foo")),
        ("http_modifier", rule("tcp", r#"content:"a"; http_uri"#, 1), Want::Loaded),
        ("sticky_buffer", rule("tcp", r#"http.uri; content:"a""#, 1), Want::Loaded),
        ("file_data", rule("tcp", r#"file_data; content:"a""#, 1), Want::Loaded),
        ("uricontent", rule("tcp", r#"uricontent:"a""#, 1), Want::Loaded),
        ("dns_query", rule("udp", r#"dns.query; content:"a""#, 1), Want::Loaded),
        ("http_on_dns", rule("dns", r#"http.uri; content:"a""#, 1), Want::Failed("http.uri", "http.uri needs http but the rule is for dns")),
        ("modifier_without_content", rule("tcp", "http_uri", 1), Want::Failed("http_uri", "http_uri needs a preceding content")),
        ("transform_after_content", rule("http", r#"http.uri; content:"a"; to_lowercase"#, 1), Want::Loaded),
        ("urilen_bad_mode", rule("http", "urilen:3,sideways", 1), Want::Failed("urilen", "urilen: unknown modifier 'sideways'")),
        ("app_proto_smb", rule("smb", "", 1), Want::Refused("protocol", "app-layer protocol smb not supported yet")),
        ("unknown_keyword", rule("tcp", "frobnicate:1", 1), Want::Refused("frobnicate", "unknown keyword frobnicate")),
        ("snort3_service", rule("tcp", "service:http", 1), Want::Refused("service", "Snort 3 keyword service not supported")),
        ("snort3_content", rule("tcp", r#"content:"abc",nocase"#, 1), Want::Refused("content", "Snort 3 content syntax (modifiers inside the value) not supported")),
        ("pcre_http_flag", rule("tcp", r#"pcre:"/a/U""#, 1), Want::Loaded),
        ("pcre_flag_e", rule("tcp", r#"pcre:"/a$/E""#, 1), Want::Refused("pcre", "pcre flag E (dollar-endonly) not supported yet")),
        ("pcre_var_capture", rule("tcp", r#"pcre:"/(?P<pkt_x>a)/""#, 1), Want::Refused("pcre", "pcre capture into pkt/flow variables not supported yet")),
        ("byte_test_dce", rule("tcp", "byte_test:1,=,1,0,dce", 1), Want::Refused("byte_test", "dce option needs the DCERPC app-layer")),
        ("bsize_on_payload", rule("tcp", "bsize:3", 1), Want::Failed("bsize", "bsize needs a sticky buffer")),
        ("snort3_service_rule", snort3_rule(), Want::Refused("protocol", "Snort 3 service rule ('alert http (...)' without addresses and ports); Suricata does not accept this form")),
        ("dataset", rule("ip", "ip.dst; dataset:set,x,type ip", 1), Want::Refused("dataset", "dataset needs dataset files and their state, which are not supported yet")),
        ("two_flow_keywords", rule("tcp", "flow:established; flow:to_server", 1), Want::Failed("flow", "flow: a rule can have only one flow keyword")),
        ("byte_jump_nbytes_nine", rule("tcp", "byte_jump:9,0", 1), Want::Failed("byte_jump", "nbytes 9 must be 1..8 without 'string'")),
        ("depth_without_content", rule("tcp", "depth:3", 1), Want::Failed("depth", "depth needs a preceding content")),
        ("depth_with_distance", rule("tcp", r#"content:"a"; content:"b"; distance:1; depth:3"#, 1), Want::Failed("depth", "relative (distance/within) and absolute (depth/offset) modifiers on one content")),
        ("depth_too_small", rule("tcp", r#"content:"abcd"; depth:3"#, 1), Want::Failed("depth", "depth 3 is smaller than the content length 4")),
        ("bad_pcre", rule("tcp", r#"pcre:"/a(/""#, 1), Want::Failed("pcre", "")),
        ("bad_content", rule("tcp", r#"content:"|4|""#, 1), Want::Failed("content", "odd number of hex digits in content")),
        ("unknown_var", rule("tcp", r#"content:"a"; distance:nope"#, 1), Want::Failed("distance", "invalid value or unknown variable 'nope'")),
        ("two_fast_patterns", rule("tcp", r#"content:"a"; fast_pattern; content:"b"; fast_pattern"#, 1), Want::Failed("fast_pattern", "fast_pattern on more than one content")),
        ("loads", rule("tcp", r#"content:"a"; nocase; pcre:"/b/Rsmi"; byte_test:1,=,1,0,relative"#, 1), Want::Loaded),
    ];
    for (name, rl, want) in cases {
        let (_, rep) = DetectEngine::build(vec![rl], settings(false));
        let got = if rep.loaded == 1 {
            Want::Loaded
        } else if let Some(i) = rep.refused.first() {
            assert_eq!(i.sid, Some(1));
            assert_eq!(i.span.line, 1);
            Want::Refused(leak(i.keyword.clone().unwrap_or_default()), leak(i.reason.clone()))
        } else if let Some(i) = rep.failed.first() {
            Want::Failed(leak(i.keyword.clone().unwrap_or_default()), if matches!(want, Want::Failed(_, "")) { "" } else { leak(i.reason.clone()) })
        } else {
            panic!("case {name}: neither loaded nor reported")
        };
        assert_eq!(got, want, "case {name}");
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn missing_and_duplicate_sid_fail() {
    let mut r = rule("tcp", "", 1);
    r.sid = None;
    let (_, rep) = DetectEngine::build(vec![r], settings(false));
    assert_eq!(rep.failed.len(), 1);
    let (e, rep) = DetectEngine::build(vec![rule("tcp", "", 5), rule("tcp", "", 5)], settings(false));
    assert_eq!((e.len(), rep.failed.len()), (1, 1));
    assert!(rep.failed[0].reason.contains("duplicate"));
}

#[test]
fn action_order_pass_and_cap() {
    let a = |act: Action, o: &str, sid: u32| mk(act, "tcp", AddrExpr::Any, PortExpr::Any, AddrExpr::Any, PortExpr::Any, false, o, sid);
    // drop sorts before alert regardless of load order.
    let (e, _) = DetectEngine::build(vec![a(Action::Alert, r#"content:"x""#, 10), a(Action::Drop, r#"content:"x""#, 20)], settings(false));
    let mut ctx = e.new_ctx();
    assert_eq!(sids(&e, &mut ctx, &tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2)), vec![20, 10]);
    // pass stops the packet's other alerts and passes the flow.
    let (e, _) = DetectEngine::build(vec![a(Action::Alert, r#"content:"x""#, 10), a(Action::Pass, r#"content:"x""#, 20)], settings(false));
    let mut ctx = e.new_ctx();
    let p = tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2);
    assert!(sids(&e, &mut ctx, &p).is_empty());
    let mut flow = test_flow();
    let mut alerts = Vec::new();
    e.inspect_packet(&mut ctx, &p, Some((&mut flow, Direction::ToServer)), &mut alerts);
    assert!(alerts.is_empty() && !flow.pass, "a pass rule inspecting the payload passes only the packet");
    // An IP-only pass rule passes the whole flow (Suricata's FlowApplySignatureActions).
    let (e, _) = DetectEngine::build(vec![a(Action::Alert, r#"content:"x""#, 10), a(Action::Pass, "", 20)], settings(false));
    let mut ctx = e.new_ctx();
    let mut flow = test_flow();
    let mut alerts = Vec::new();
    e.inspect_packet(&mut ctx, &p, Some((&mut flow, Direction::ToServer)), &mut alerts);
    assert!(alerts.is_empty() && flow.pass);
    // 20 matching rules: the first 15 in internal-id order are kept.
    let rules: Vec<Rule> = (1..=20).map(|i| a(Action::Alert, r#"content:"x""#, i)).collect();
    let (e, _) = DetectEngine::build(rules, settings(false));
    let mut ctx = e.new_ctx();
    assert_eq!(sids(&e, &mut ctx, &p), (1..=15).collect::<Vec<_>>());
    assert_eq!(ctx.alert_queue_overflow, 5, "the 5 alerts past packet-alert-max are counted");
    // packet-alert-max from the configuration.
    let rules: Vec<Rule> = (1..=20).map(|i| a(Action::Alert, r#"content:"x""#, i)).collect();
    let (e6, _) = DetectEngine::build(rules, DetectSettings { alert_max: 6, ..settings(false) });
    let mut ctx6 = e6.new_ctx();
    assert_eq!(sids(&e6, &mut ctx6, &p), (1..=6).collect::<Vec<_>>());
    // An alert marks the flow.
    let mut flow = test_flow();
    let mut alerts = Vec::new();
    e.inspect_packet(&mut ctx, &p, Some((&mut flow, Direction::ToServer)), &mut alerts);
    assert!(flow.alerted && alerts.len() == 15);
}

fn test_flow() -> Flow {
    let (c, s) = ((ip("1.1.1.1"), 1), (ip("2.2.2.2"), 2));
    let mut f = Flow::new(1, FlowKey::new(c, s, 6, &[]), c, s, Timestamp::default());
    f.pkts_ts = 1;
    f
}

/// Tiny deterministic generator for the backend-equivalence test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, s: &'a [&'a str]) -> &'a str {
        s[(self.next() as usize) % s.len()]
    }
}

#[test]
fn same_alerts_with_and_without_hyperscan() {
    let mut g = Lcg(42);
    let words = ["ab", "bc", "GET", "get", "xyz", "a", "zz", "|00|", "Q|01 02|"];
    let mut rules = Vec::new();
    for sid in 1..=300u32 {
        let n = 1 + g.next() % 3;
        let mut o = String::new();
        for k in 0..n {
            o.push_str(&format!("content:\"{}\"; ", g.pick(&words)));
            if g.next() % 3 == 0 {
                o.push_str("nocase; ");
            }
            if k > 0 && g.next() % 2 == 0 {
                o.push_str("distance:0; ");
            }
        }
        if g.next() % 7 == 0 {
            o.push_str("content:!\"zz\"; ");
        }
        let dport = if g.next() % 2 == 0 { PortExpr::Any } else { PortExpr::Range(80, 80) };
        rules.push(mk(Action::Alert, if g.next() % 5 == 0 { "ip" } else { "tcp" }, AddrExpr::Any, PortExpr::Any, AddrExpr::Any, dport, false, &o, sid));
    }
    let alphabet = b"abcGETgetxyzQ\x00\x01\x02 ";
    let payloads: Vec<Vec<u8>> = (0..200).map(|_| (0..(g.next() % 40)).map(|_| alphabet[(g.next() as usize) % alphabet.len()]).collect()).collect();
    let (ac, rep) = DetectEngine::build(rules.clone(), settings(false));
    assert_eq!(rep.loaded, 300, "{:?}", rep.failed.first());
    let mut ac_ctx = ac.new_ctx();
    let mut total = 0;
    let engines: Vec<DetectEngine> = backends().into_iter().map(|hs| DetectEngine::build(rules.clone(), settings(hs)).0).collect();
    for (n, p) in payloads.iter().enumerate() {
        let pk = tcp(p, "1.1.1.1", 1000, "2.2.2.2", 80);
        let want = sids(&ac, &mut ac_ctx, &pk);
        total += want.len();
        for e in &engines {
            let mut ctx = e.new_ctx();
            assert_eq!(sids(e, &mut ctx, &pk), want, "payload {:?}", String::from_utf8_lossy(p));
        }
        if n >= 25 {
            continue;
        }
        // Reference: every rule evaluated in an engine of its own must agree too.
        let mut brute = Vec::new();
        for r in &rules {
            let (one, _) = DetectEngine::build(vec![r.clone()], settings(false));
            let mut c = one.new_ctx();
            brute.extend(sids(&one, &mut c, &pk));
        }
        let mut w = want.clone();
        w.sort();
        brute.sort();
        brute.truncate(PACKET_ALERT_MAX);
        assert_eq!(w, brute);
    }
    assert!(total > 0, "the generated rules never matched: test is vacuous");
}

#[test]
fn engine_is_send_sync_and_ctx_is_send() {
    fn ss<T: Send + Sync>() {}
    fn s<T: Send>() {}
    ss::<DetectEngine>();
    s::<DetectCtx>();
}

#[test]
fn empty_engine_inspects_nothing() {
    let e = DetectEngine::empty();
    let mut ctx = e.new_ctx();
    assert!(sids(&e, &mut ctx, &tcp(b"abc", "1.1.1.1", 1, "2.2.2.2", 2)).is_empty());
}

/// Builds the whole ET Open ruleset (payload keywords only: options owned by the non-payload
/// keyword registry are dropped here, since that registry is stubbed in this branch) and
/// reports build time and refusal reasons. Needs /work/shared; run with `--ignored`.
#[test]
#[ignore = "needs /work/shared/rules/et-open; run explicitly"]
fn et_open_builds_fast() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/et-open"));
    assert!(dir.is_dir(), "ET Open rules not found at {} (this test needs /work/shared)", dir.display());
    const MINE: &[&str] = &[
        "content", "nocase", "depth", "offset", "distance", "within", "startswith", "endswith", "fast_pattern", "rawbytes", "pkt_data", "pcre",
        "byte_test", "byte_jump", "byte_extract", "byte_math", "isdataat", "dsize", "bsize",
    ];
    let mut rules = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "rules")).collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (ln, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (Some(open), Some(close)) = (line.find('('), line.rfind(')')) else { continue };
            let hdr: Vec<&str> = line[..open].split_whitespace().collect();
            if hdr.len() != 7 {
                continue;
            }
            let action = match hdr[0] {
                "alert" => Action::Alert,
                "drop" => Action::Drop,
                "pass" => Action::Pass,
                "reject" => Action::Reject,
                _ => continue,
            };
            let port = |s: &str| s.parse::<u16>().map(|p| PortExpr::Range(p, p)).unwrap_or(PortExpr::Any);
            let all = opts(&line[open + 1..close]);
            let sid = all.iter().find(|o| o.name == "sid").and_then(|o| o.value.as_deref()?.parse().ok());
            let options = all.into_iter().filter(|o| MINE.contains(&o.name.as_str()) || compile_app_kw(&o.name)).collect();
            let header = Header { action, proto: hdr[1].into(), src: AddrExpr::Any, sport: port(hdr[3]), dst: AddrExpr::Any, dport: port(hdr[6]), bidirectional: hdr[4] == "<>", snort3_service: false };
            rules.push(Rule { header, options, span: Span { file: Arc::new(f.clone()), line: ln as u32 + 1 }, sid, text: Arc::from(line) });
        }
    }
    let n = rules.len();
    assert!(n > 20_000, "only {n} rules read");
    if std::env::var_os("RAMPART_ETOPEN_AS_TCP").is_some() {
        // Exercise every payload keyword: pretend app-layer rules were plain tcp/udp rules.
        for r in &mut rules {
            if r.header.proto != "udp" && r.header.proto != "icmp" && r.header.proto != "ip" {
                r.header.proto = "tcp".into();
            }
        }
    }
    let t = std::time::Instant::now();
    let (e, rep) = DetectEngine::build(rules, settings(true));
    let dt = t.elapsed();
    let mut reasons: HashMap<String, usize> = HashMap::new();
    for i in rep.refused.iter().chain(rep.failed.iter()) {
        let key = if i.reason.starts_with("needs app-layer") { "needs app-layer <x>".to_string() } else { i.reason.clone() };
        *reasons.entry(key).or_default() += 1;
    }
    let mut rs: Vec<_> = reasons.into_iter().collect();
    rs.sort_by_key(|r| std::cmp::Reverse(r.1));
    eprintln!("ET Open: {n} rules, {} loaded, {} refused, {} failed in {dt:?}", e.len(), rep.refused.len(), rep.failed.len());
    for i in &rep.failed {
        eprintln!("FAILED {i}");
    }
    for (r, c) in rs.iter().take(40) {
        eprintln!("{c:6} {r}");
    }
    let t = std::time::Instant::now();
    let mut ctx = e.new_ctx();
    let payload = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\n\r\n".repeat(8);
    let p = tcp(&payload, "10.0.0.1", 40000, "10.0.0.2", 80);
    let mut alerts = Vec::new();
    for _ in 0..1000 {
        alerts.clear();
        e.inspect_packet(&mut ctx, &p, None, &mut alerts);
    }
    eprintln!("1000 inspections of a {}-byte payload: {:?}, {} alerts", payload.len(), t.elapsed(), alerts.len());
    assert!(dt.as_secs() < 60, "build took {dt:?}");
}

fn compile_app_kw(name: &str) -> bool {
    name.starts_with("http") || name.starts_with("tls") || name.starts_with("dns") || name == "file_data" || name == "uricontent"
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const KWS: &[&str] = &[
        "content", "nocase", "depth", "offset", "distance", "within", "startswith", "endswith", "fast_pattern", "pcre", "byte_test",
        "byte_jump", "byte_extract", "byte_math", "isdataat", "dsize", "bsize",
    ];

    fn value() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            "[-0-9a-z,!<>= |\"/\\\\.*+]{0,16}".prop_map(Some),
            "-?[0-9]{1,6}".prop_map(Some),
            "\"[a-c|0-9 ]{1,6}\"".prop_map(Some),
            "[0-9], ?-?[0-9], ?(relative|string|little|v)?".prop_map(Some),
            Just(Some("bytes 1, offset 0, oper +, rvalue 1, result v, relative".to_string())),
            Just(Some("1,0,v,relative".to_string())),
            Just(Some("\"/a.?b/R\"".to_string())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

        /// Any option soup either loads or is reported, and loaded rules never panic on any payload.
        #[test]
        fn build_and_inspect_never_panic(
            ops in proptest::collection::vec((0..KWS.len(), value()), 0..8),
            payload in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'c'), any::<u8>()], 0..64),
        ) {
            let options: Vec<RuleOption> = ops.into_iter().map(|(k, v)| RuleOption { name: KWS[k].to_string(), value: v }).collect();
            let header = Header { action: Action::Alert, proto: "tcp".into(), src: AddrExpr::Any, sport: PortExpr::Any, dst: AddrExpr::Any, dport: PortExpr::Any, bidirectional: false, snort3_service: false };
            let r = Rule { header, options, span: Span { file: Arc::new("p.rules".into()), line: 1 }, sid: Some(1), text: Arc::from("") };
            let (e, rep) = DetectEngine::build(vec![r], settings(false));
            prop_assert_eq!(rep.loaded + rep.refused.len() + rep.failed.len(), 1);
            let mut ctx = e.new_ctx();
            let _ = sids(&e, &mut ctx, &tcp(&payload, "1.1.1.1", 1, "2.2.2.2", 2));
        }
    }
}

#[test]
fn ctx_buffers_do_not_grow_after_creation() {
    // Proxy for "no allocation per packet": every per-packet buffer is sized when the ctx is
    // made; a thousand varied packets must not make any of them grow.
    let rules: Vec<Rule> = (1..=50).map(|i| rule("tcp", &format!(r#"content:"k{}"; byte_extract:1,0,v{i},relative; content:"z"; distance:v{i}"#, i % 7), i)).collect();
    let (e, rep) = DetectEngine::build(rules, settings(true));
    assert_eq!(rep.loaded, 50);
    let mut ctx = e.new_ctx();
    let caps = (ctx.cands.capacity(), ctx.vars.capacity());
    let mut alerts = Vec::with_capacity(PACKET_ALERT_MAX);
    let mut g = Lcg(7);
    for _ in 0..1000 {
        let payload: Vec<u8> = (0..(g.next() % 200)).map(|_| b"k0123456z\x01\x02"[(g.next() % 11) as usize]).collect();
        alerts.clear();
        e.inspect_packet(&mut ctx, &tcp(&payload, "1.1.1.1", 1, "2.2.2.2", 2), None, &mut alerts);
        assert!(alerts.len() <= PACKET_ALERT_MAX);
    }
    assert_eq!((ctx.cands.capacity(), ctx.vars.capacity()), caps);
    assert_eq!(alerts.capacity(), PACKET_ALERT_MAX);
}

fn snort3_rule() -> Rule {
    let mut r = rule("http", "", 1);
    r.header.snort3_service = true;
    r
}

/// A decoded Ethernet/IPv4/TCP (or UDP) frame for the header sticky buffers.
fn decoded(frame: &[u8]) -> Packet<'_> {
    crate::decode::decode(Timestamp::from_parts(1_700_000_000, 0), LinkType::Ethernet, frame, &Default::default())
}

#[test]
fn header_sticky_buffers() {
    let mut tcp_frame = Vec::new();
    etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64).tcp(1234, 80, 7, 1000).syn().write(&mut tcp_frame, b"hello").expect("build");
    let mut udp_frame = Vec::new();
    etherparse::PacketBuilder::ethernet2([1; 6], [2; 6]).ipv6([1; 16], [2; 16], 5).udp(53, 5353).write(&mut udp_frame, b"q").expect("build");
    let cases: &[(&str, &str, &str, bool, bool)] = &[
        // (name, proto, options, matches tcp frame, matches udp frame)
        ("ipv4_ttl_byte", "ip", "ipv4.hdr; content:\"|40 06|\"; offset:8; depth:2", true, false),
        ("ipv4_bsize", "ip", "ipv4.hdr; bsize:20", true, false),
        ("ipv6_hop_limit", "ip", "ipv6.hdr; content:\"|11 05|\"; offset:6; depth:2", false, true),
        ("ipv6_bsize", "ip", "ipv6.hdr; bsize:40", false, true),
        ("tcp_dport_byte_test", "tcp", "tcp.hdr; byte_test:2,=,80,2", true, false),
        ("tcp_syn_flag", "tcp", "tcp.hdr; content:\"|02|\"; offset:13; depth:1", true, false),
        ("udp_ports", "udp", "udp.hdr; content:\"|00 35 14 e9|\"; startswith", false, true),
        ("udp_bsize", "udp", "udp.hdr; bsize:8", false, true),
        ("header_then_payload", "tcp", "tcp.hdr; content:\"|00 50|\"; pkt_data; content:\"hello\"", true, false),
        ("payload_not_in_header", "tcp", "tcp.hdr; content:\"hello\"", false, false),
        ("isdataat_in_header", "tcp", "tcp.hdr; isdataat:19; isdataat:!20", true, false),
        ("prefilter_keyword", "tcp", "tcp.hdr; content:\"|00 50|\"; prefilter", true, false),
        ("ip_src_v4", "ip", "ip.src; content:\"|0a 00 00 01|\"; bsize:4", true, false),
        ("ip_dst_v6", "ip", "ip.dst; content:\"|02 02|\"; startswith; bsize:16", false, true),
    ];
    for hs in backends() {
        for (name, proto, o, want_tcp, want_udp) in cases {
            let (e, rep) = DetectEngine::build(vec![rule(proto, o, 1)], settings(hs));
            assert_eq!(rep.loaded, 1, "case {name}: {:?} {:?}", rep.refused, rep.failed);
            let mut ctx = e.new_ctx();
            assert_eq!(!sids(&e, &mut ctx, &decoded(&tcp_frame)).is_empty(), *want_tcp, "case {name}: tcp frame (hyperscan={hs})");
            assert_eq!(!sids(&e, &mut ctx, &decoded(&udp_frame)).is_empty(), *want_udp, "case {name}: udp frame (hyperscan={hs})");
        }
    }
}

#[test]
fn decoder_event_rules_fire_without_ip_layer() {
    // An Ethernet frame announcing IPv4 with a 4-byte header: no IP layer is decoded.
    let mut frame = vec![2u8; 6];
    frame.extend_from_slice(&[1; 6]);
    frame.extend_from_slice(&[0x08, 0x00, 0x45, 0x00, 0x00]);
    let p = decoded(&frame);
    assert!(p.ip.is_none() && !p.events.is_empty(), "test frame must be a broken IPv4 packet");
    let ev = p.events.iter().next().map(|e| e.name()).unwrap_or_default();
    let rules = vec![
        rule("pkthdr", &format!("decode-event:{ev}"), 1),
        rule("ip", "", 2),
        rule("tcp", &format!("decode-event:{ev}"), 3),
    ];
    let (e, rep) = DetectEngine::build(rules, settings(false));
    assert_eq!(rep.loaded, 3);
    let mut ctx = e.new_ctx();
    assert_eq!(sids(&e, &mut ctx, &p), vec![1], "only the decoder-event rule applies to a packet without IP");
}

#[test]
fn pass_rule_with_alert_keyword_alerts_and_stops() {
    let rules = vec![mk(Action::Pass, "tcp", AddrExpr::Any, PortExpr::Any, AddrExpr::Any, PortExpr::Any, false, "content:\"x\"; alert", 1), rule("tcp", "content:\"x\"", 2)];
    let (e, rep) = DetectEngine::build(rules, settings(false));
    assert_eq!(rep.loaded, 2);
    let mut ctx = e.new_ctx();
    assert_eq!(sids(&e, &mut ctx, &tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2)), vec![1]);
}

#[test]
fn thresholds_are_shared_between_worker_contexts() {
    // track by_src, count 2: the 2nd match alerts even when each match runs on another worker.
    let (e, _) = DetectEngine::build(vec![rule("tcp", "threshold:type threshold, track by_src, count 2, seconds 60", 1)], settings(false));
    let (mut a, mut b) = (e.new_ctx(), e.new_ctx());
    let p = tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2);
    assert!(sids(&e, &mut a, &p).is_empty());
    assert_eq!(sids(&e, &mut b, &p), vec![1]);
}

#[test]
fn ip_version_protocols() {
    let (e, _) = DetectEngine::build(vec![rule("ipv4", "", 4), rule("ipv6", "", 6)], settings(false));
    let mut ctx = e.new_ctx();
    assert_eq!(sids(&e, &mut ctx, &tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2)), vec![4]);
    assert_eq!(sids(&e, &mut ctx, &tcp(b"x", "::1", 1, "::2", 2)), vec![6]);
}

#[test]
fn reload_keeps_threshold_state() {
    let r = || rule("tcp", "threshold:type threshold, track by_src, count 2, seconds 60", 1);
    let (old, _) = DetectEngine::build(vec![r()], settings(false));
    let p = tcp(b"x", "1.1.1.1", 1, "2.2.2.2", 2);
    assert!(sids(&old, &mut old.new_ctx(), &p).is_empty());
    let (mut new, _) = DetectEngine::build(vec![r()], settings(false));
    new.adopt_state(&old);
    assert_eq!(sids(&new, &mut new.new_ctx(), &p), vec![1], "the count carried over the reload");
}

/// Runs `rules` over an HTTP exchange fed to a real HTTP parser: the request is parsed, the
/// to_server packet inspected, then the response and a to_client packet. Returns the sids
/// (with tx ids) alerted per packet.
fn http_run(rules: &[&str], req: &[u8], res: &[u8]) -> (Vec<(u32, Option<u64>)>, Vec<(u32, Option<u64>)>) {
    use crate::applayer::http::{HttpConfig, HttpState};
    use crate::applayer::view::AppView;
    use crate::applayer::Direction as D;
    let rules: Vec<Rule> = rules.iter().enumerate().map(|(i, o)| rule("http", o, i as u32 + 1)).collect();
    let (e, rep) = DetectEngine::build(rules, settings(false));
    assert!(rep.refused.is_empty() && rep.failed.is_empty(), "{:?} {:?}", rep.refused, rep.failed);
    let mut ctx = e.new_ctx();
    let (c, s) = (ip("10.0.0.1"), ip("10.0.0.2"));
    let mut flow = Flow::new(1, FlowKey::new((c, 1234), (s, 80), 6, &[]), (c, 1234), (s, 80), Timestamp::default());
    flow.app_proto = Some("http");
    let mut st = HttpState::new(HttpConfig::default());
    let mut det = app::TxDetStore::default();
    let mut run = |st: &HttpState, det: &mut app::TxDetStore, flow: &mut Flow, p: &Packet<'_>, d: D| {
        let mut a = Vec::new();
        let mut view = AppView { app_proto: crate::applayer::AppProto::Http1, http: Some(st), det: Some(det), ..AppView::default() };
        e.inspect_packet_app(&mut ctx, p, Some((flow, d)), &mut view, &mut a);
        a.iter().map(|a| (a.sig.sid, a.tx_id)).collect::<Vec<_>>()
    };
    st.on_data(D::ToServer, Timestamp::default(), req);
    let to_s = tcp(b"", "10.0.0.1", 1234, "10.0.0.2", 80);
    let mut first = run(&st, &mut det, &mut flow, &to_s, D::ToServer);
    // Nothing changed: inspecting again alerts nothing more.
    assert!(run(&st, &mut det, &mut flow, &to_s, D::ToServer).is_empty(), "re-inspection of an unchanged tx");
    st.on_data(D::ToClient, Timestamp::default(), res);
    let to_c = tcp(b"", "10.0.0.2", 80, "10.0.0.1", 1234);
    let second = run(&st, &mut det, &mut flow, &to_c, D::ToClient);
    first.sort_unstable();
    (first, second)
}

#[test]
fn http_buffers_modifiers_and_transforms() {
    let req = b"GET /Admin/%2e%2e/login.php?user=x HTTP/1.1\r\nHost: WWW.Example.com\r\nUser-Agent: EvilBot/1.0\r\nCookie: sess=abc\r\n\r\n";
    let res = b"HTTP/1.1 403 Forbidden\r\nServer: nginx\r\nContent-Length: 11\r\n\r\nhello world";
    let rules = [
        r#"http.uri; content:"/login.php""#,                                     // 1 normalised uri
        r#"http.uri.raw; content:"%2e%2e""#,                                     // 2 raw uri
        r#"content:"EvilBot"; http_user_agent"#,                                 // 3 legacy modifier
        r#"http.host; content:"www.example.com"; bsize:15"#,                     // 4 normalised host
        r#"http.host.raw; to_lowercase; content:"www.example.com""#,             // 5 transform
        r#"http.header; content:"sess=abc""#,                                    // 6 cookie not in http.header
        r#"http.cookie; content:"sess=abc""#,                                    // 7
        r#"flow:to_client; http.stat_code; content:"403""#,                      // 8 response
        r#"file.data; content:"hello"; content:"world"; distance:1"#,            // 9 body, relative
        r#"http.method; content:"GET"; http.stat_msg; content:"Forbidden""#,     // 10 both sides
        r#"uricontent:"login"; urilen:>10"#,                                     // 11 uricontent + urilen
        r#"pcre:"/user=\w/U""#,                                                  // 12 pcre U flag
        r#"http.uri; content:"nothere""#,                                        // 13 no match
        r#"http.header_names; content:"|0d 0a|Cookie|0d 0a|""#,                  // 14 names
        r#"http.request_line; content:"HTTP/1.1"; endswith"#,                    // 15
        r#"http.user_agent; to_md5; bsize:16"#,                                  // 16 digest length
        r#"http.server; content:"nginx"; http.method; content:"POST""#,          // 17 one buffer fails
        r#"http.referer; content:!"x""#,                                         // 18 absent buffer never matches
    ];
    let (req_alerts, res_alerts) = http_run(&rules, req, res);
    let ids = |v: &[(u32, Option<u64>)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    assert_eq!(ids(&req_alerts), [1, 2, 3, 4, 5, 7, 11, 12, 14, 15, 16], "request side");
    assert!(req_alerts.iter().all(|x| x.1 == Some(0)), "alerts carry the tx id");
    assert_eq!(ids(&res_alerts), [8, 9, 10], "response side");
}

#[test]
fn http_rules_need_the_http_protocol() {
    // `alert http` on a flow whose protocol is not http never matches, even with a payload
    // content that is there.
    let (e, _) = DetectEngine::build(vec![rule("http", r#"content:"GET""#, 1), rule("tcp", r#"content:"GET""#, 2)], settings(false));
    let mut ctx = e.new_ctx();
    let (c, s) = (ip("10.0.0.1"), ip("10.0.0.2"));
    let mut flow = Flow::new(1, FlowKey::new((c, 1234), (s, 80), 6, &[]), (c, 1234), (s, 80), Timestamp::default());
    let p = tcp(b"GET / HTTP/1.1\r\n", "10.0.0.1", 1234, "10.0.0.2", 80);
    let mut a = Vec::new();
    e.inspect_packet(&mut ctx, &p, Some((&mut flow, Direction::ToServer)), &mut a);
    assert_eq!(a.iter().map(|a| a.sig.sid).collect::<Vec<_>>(), [2]);
    flow.app_proto = Some("http");
    a.clear();
    e.inspect_packet(&mut ctx, &p, Some((&mut flow, Direction::ToServer)), &mut a);
    assert_eq!(a.iter().map(|a| a.sig.sid).collect::<Vec<_>>(), [1, 2]);
}
