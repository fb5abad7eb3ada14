//! Table tests for the rule parser.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;

fn span() -> Span {
    Span { file: Arc::new(PathBuf::from("t.rules")), line: 1 }
}

fn vars() -> Vars {
    let mut v = Vars::suricata_defaults();
    v.address.insert("LOOP_A".into(), "[1.1.1.1,$LOOP_B]".into());
    v.address.insert("LOOP_B".into(), "$LOOP_A".into());
    v.address.insert("SELF".into(), "!$SELF".into());
    v.address.insert("NESTED".into(), "[$HOME_NET, ![10.1.0.0/16, 10.2.0.0/16]]".into());
    v.address.insert("BROKEN".into(), "[1.2.3.4".into());
    v.port.insert("WEB".into(), "[$HTTP_PORTS, 8080:8089]".into());
    v
}

fn rule(text: &str) -> Result<Rule, RuleIssue> {
    parse_rule(text, span(), &vars())
}

fn net(s: &str, prefix: u8) -> AddrExpr {
    AddrExpr::Net(Cidr { addr: s.parse::<IpAddr>().unwrap(), prefix })
}

fn home() -> AddrExpr {
    AddrExpr::List(vec![net("192.168.0.0", 16), net("10.0.0.0", 8), net("172.16.0.0", 12)])
}

fn not(e: AddrExpr) -> AddrExpr {
    AddrExpr::Not(Box::new(e))
}

fn p(lo: u16, hi: u16) -> PortExpr {
    PortExpr::Range(lo, hi)
}

const OPTS: &str = "(msg:\"x\"; sid:1;)";

#[test]
fn header_forms() {
    struct Case {
        name: &'static str,
        header: &'static str,
        action: Action,
        proto: &'static str,
        bidir: bool,
        service: bool,
    }
    let cases = [
        Case { name: "alert tcp", header: "alert tcp any any -> any any", action: Action::Alert, proto: "tcp", bidir: false, service: false },
        Case { name: "bidirectional", header: "drop udp any any <> any any", action: Action::Drop, proto: "udp", bidir: true, service: false },
        Case { name: "upper-case proto", header: "pass HTTP any any -> any any", action: Action::Pass, proto: "http", bidir: false, service: false },
        Case { name: "upper-case action", header: "ALERT ip any any -> any any", action: Action::Alert, proto: "ip", bidir: false, service: false },
        Case { name: "reject", header: "reject tcp any any -> any any", action: Action::Reject, proto: "tcp", bidir: false, service: false },
        Case { name: "rejectsrc", header: "rejectsrc tcp any any -> any any", action: Action::RejectSrc, proto: "tcp", bidir: false, service: false },
        Case { name: "rejectdst", header: "rejectdst tcp any any -> any any", action: Action::RejectDst, proto: "tcp", bidir: false, service: false },
        Case { name: "rejectboth", header: "rejectboth tcp any any -> any any", action: Action::RejectBoth, proto: "tcp", bidir: false, service: false },
        Case { name: "tcp-pkt", header: "alert tcp-pkt any any -> any any", action: Action::Alert, proto: "tcp-pkt", bidir: false, service: false },
        Case { name: "extra whitespace", header: "  alert \t tcp   any  any ->  any   any   ", action: Action::Alert, proto: "tcp", bidir: false, service: false },
        Case { name: "snort3 service", header: "alert http", action: Action::Alert, proto: "http", bidir: false, service: true },
        Case { name: "snort3 file", header: "alert file", action: Action::Alert, proto: "file", bidir: false, service: true },
    ];
    for c in cases {
        let r = rule(&format!("{} {OPTS}", c.header)).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(r.header.action, c.action, "{}", c.name);
        assert_eq!(r.header.proto, c.proto, "{}", c.name);
        assert_eq!(r.header.bidirectional, c.bidir, "{}", c.name);
        assert_eq!(r.header.snort3_service, c.service, "{}", c.name);
        assert_eq!(r.sid, Some(1), "{}", c.name);
        if c.service {
            assert_eq!(r.header.src, AddrExpr::Any);
            assert_eq!(r.header.dport, PortExpr::Any);
        }
    }
    // No space before '('.
    let r = rule("alert tcp any any -> any 80(msg:\"x\"; sid:2;)").unwrap();
    assert_eq!(r.header.dport, p(80, 80));
    assert_eq!(r.sid, Some(2));
}

#[test]
fn address_expressions() {
    let cases: Vec<(&str, &str, AddrExpr)> = vec![
        ("any", "any", AddrExpr::Any),
        ("v4 host", "1.2.3.4", net("1.2.3.4", 32)),
        ("v4 cidr", "10.0.0.0/8", net("10.0.0.0", 8)),
        ("host bits cleared", "192.168.1.77/24", net("192.168.1.0", 24)),
        ("dotted netmask", "10.1.2.3/255.255.0.0", net("10.1.0.0", 16)),
        ("/0", "1.2.3.4/0", net("0.0.0.0", 0)),
        ("v6 host", "2001:db8::1", net("2001:db8::1", 128)),
        ("v6 cidr normalised", "2001:db8::1/32", net("2001:db8::", 32)),
        ("v4 range", "1.2.3.4-1.2.3.9", AddrExpr::Range("1.2.3.4".parse().unwrap(), "1.2.3.9".parse().unwrap())),
        ("var", "$HOME_NET", home()),
        ("negated var", "!$HOME_NET", not(home())),
        ("var to var", "$EXTERNAL_NET", not(home())),
        ("var of var of var", "$AIM_SERVERS", not(home())),
        ("list", "[1.2.3.4,5.6.7.0/24]", AddrExpr::List(vec![net("1.2.3.4", 32), net("5.6.7.0", 24)])),
        ("list with spaces", "[ 1.2.3.4 , 5.6.7.8 ]", AddrExpr::List(vec![net("1.2.3.4", 32), net("5.6.7.8", 32)])),
        (
            "nested negation",
            "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]",
            AddrExpr::List(vec![
                net("10.0.0.0", 8),
                not(AddrExpr::List(vec![net("10.1.0.0", 16), net("10.2.0.0", 16)])),
            ]),
        ),
        (
            "var with nested list",
            "$NESTED",
            AddrExpr::List(vec![home(), not(AddrExpr::List(vec![net("10.1.0.0", 16), net("10.2.0.0", 16)]))]),
        ),
        ("var in list", "[$HOME_NET,1.2.3.4]", AddrExpr::List(vec![home(), net("1.2.3.4", 32)])),
        ("any in list", "[any,!1.2.3.4]", AddrExpr::List(vec![AddrExpr::Any, not(net("1.2.3.4", 32))])),
    ];
    for (name, text, want) in cases {
        let r = rule(&format!("alert ip {text} any -> any any {OPTS}")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.header.src, want, "{name}");
    }
}

#[test]
fn port_expressions() {
    let cases: Vec<(&str, &str, PortExpr)> = vec![
        ("any", "any", PortExpr::Any),
        ("single", "80", p(80, 80)),
        ("zero", "0", p(0, 0)),
        ("max", "65535", p(65535, 65535)),
        ("range", "1000:2000", p(1000, 2000)),
        ("open high", "1024:", p(1024, 65535)),
        ("open low", ":1023", p(0, 1023)),
        ("negated", "!80", PortExpr::Not(Box::new(p(80, 80)))),
        ("list", "[80, 443,8000:8080]", PortExpr::List(vec![p(80, 80), p(443, 443), p(8000, 8080)])),
        ("var", "$HTTP_PORTS", p(80, 80)),
        ("var with list", "$FILE_DATA_PORTS", PortExpr::List(vec![p(80, 80), p(110, 110), p(143, 143)])),
        ("negated var", "!$SHELLCODE_PORTS", PortExpr::Not(Box::new(PortExpr::Not(Box::new(p(80, 80)))))),
        (
            "nested",
            "[1:100,![50,60]]",
            PortExpr::List(vec![p(1, 100), PortExpr::Not(Box::new(PortExpr::List(vec![p(50, 50), p(60, 60)])))]),
        ),
    ];
    for (name, text, want) in cases {
        let r = rule(&format!("alert tcp any any -> any {text} {OPTS}")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.header.dport, want, "{name}");
    }
}

#[test]
fn options_split_and_escapes() {
    let r = rule(
        r#"alert tcp any any -> any any (msg:"a\;b \"q\" c\\"; content:"x|3B|y\;z"; nocase; pcre:"/a\;b/i"; reference : url,example.com/a:b ;  sid : 7 ; rev:1;)"#,
    )
    .unwrap();
    let got: Vec<(&str, Option<&str>)> = r.options.iter().map(|o| (o.name.as_str(), o.value.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("msg", Some(r#""a\;b \"q\" c\\""#)),
            ("content", Some(r#""x|3B|y\;z""#)),
            ("nocase", None),
            ("pcre", Some(r#""/a\;b/i""#)),
            ("reference", Some("url,example.com/a:b")),
            ("sid", Some("7")),
            ("rev", Some("1")),
        ]
    );
    assert_eq!(r.sid, Some(7));
    // Empty options list is fine grammatically but the rule has no sid.
    let e = rule("alert tcp any any -> any any ()").unwrap_err();
    assert_eq!(e.reason, "rule has no sid");
}

#[test]
fn garbage_and_reasons() {
    let cases: &[(&str, &str, &str)] = &[
        ("unknown action", "alrt tcp any any -> any any (sid:1;)", "unknown action 'alrt'"),
        ("config action", "config dns any any -> any any (sid:1;)", "action 'config' (Suricata config rules) is not supported"),
        ("missing proto", "alert", "rule header ends after the action: missing protocol"),
        ("bad proto", "alert t/cp any any -> any any (sid:1;)", "invalid protocol 't/cp'"),
        ("short header", "alert tcp any any -> any", "rule header ends early: missing destination port"),
        ("left arrow", "alert tcp any any <- any any (sid:1;)", "direction '<-' is not valid (write '->' with the ends swapped)"),
        ("bad direction", "alert tcp any any => any any (sid:1;)", "invalid direction '=>' (expected '->' or '<>')"),
        ("no options", "alert tcp any any -> any any", "rule has no options: expected '(' after the header"),
        ("header cut short", "alert tcp any any", "rule header ends early: missing direction"),
        ("trailing junk", "alert tcp any any -> any any x (sid:1;)", "unexpected 'x (sid:1;)' after the header, expected '('"),
        ("unclosed options", "alert tcp any any -> any any (msg:\"x\"; sid:1;", "rule options are not closed with ')'"),
        ("missing semicolon", "alert tcp any any -> any any (msg:\"x\"; sid:1)", "option not terminated by ';'"),
        ("empty option", "alert tcp any any -> any any (msg:\"x\";; sid:1;)", "empty option (stray ';' or ':')"),
        ("bad option name", "alert tcp any any -> any any (ms g:\"x\"; sid:1;)", "malformed option name 'ms g'"),
        ("sid zero", "alert tcp any any -> any any (sid:0;)", "sid 0 is invalid"),
        ("sid text", "alert tcp any any -> any any (sid:abc;)", "sid 'abc' is not a number in 1..=4294967295"),
        ("sid twice", "alert tcp any any -> any any (sid:1; sid:2;)", "sid given more than once"),
        ("unknown var", "alert tcp $NOPE any -> any any (sid:1;)", "source address: unknown address variable $NOPE"),
        ("port var as address", "alert tcp $HTTP_PORTS any -> any any (sid:1;)", "source address: unknown address variable $HTTP_PORTS"),
        ("unknown port var", "alert tcp any $NOPE -> any any (sid:1;)", "source port: unknown port variable $NOPE"),
        ("cycle", "alert tcp $LOOP_A any -> any any (sid:1;)", "source address: in $LOOP_A: in $LOOP_B: address variable $LOOP_A refers to itself"),
        ("self cycle", "alert tcp $SELF any -> any any (sid:1;)", "source address: in $SELF: address variable $SELF refers to itself"),
        ("negated any", "alert tcp !any any -> any any (sid:1;)", "source address: negated 'any' leaves no address to match"),
        ("negated any port", "alert tcp any !any -> any any (sid:1;)", "source port: negated 'any' leaves no port to match"),
        ("bad address", "alert tcp 1.2.3 any -> any any (sid:1;)", "source address: invalid address '1.2.3'"),
        ("octet too big", "alert tcp 1.2.3.256 any -> any any (sid:1;)", "source address: invalid address '1.2.3.256'"),
        ("bad prefix", "alert tcp 1.2.3.4/33 any -> any any (sid:1;)", "source address: invalid prefix length or netmask in '1.2.3.4/33'"),
        ("gappy netmask", "alert tcp 1.2.3.4/255.0.255.0 any -> any any (sid:1;)", "source address: invalid prefix length or netmask in '1.2.3.4/255.0.255.0'"),
        ("reversed range", "alert tcp 1.2.3.9-1.2.3.4 any -> any any (sid:1;)", "source address: address range '1.2.3.9-1.2.3.4' has its low end above its high end"),
        ("mixed range", "alert tcp 1.2.3.4-::1 any -> any any (sid:1;)", "source address: address range '1.2.3.4-::1' mixes IPv4 and IPv6"),
        ("empty list", "alert tcp [] any -> any any (sid:1;)", "source address: empty address list"),
        ("unclosed list", "alert tcp [1.2.3.4 any -> any any (sid:1;)", "source address: unclosed '['"),
        ("unclosed var list", "alert tcp $BROKEN any -> any any (sid:1;)", "source address: in $BROKEN: unclosed '[' in address list"),
        ("trailing comma", "alert tcp [1.2.3.4,] any -> any any (sid:1;)", "source address: unexpected ']' in address expression"),
        ("port too big", "alert tcp any 65536 -> any any (sid:1;)", "source port: port '65536' is above 65535"),
        ("port text", "alert tcp any http -> any any (sid:1;)", "source port: invalid port 'http'"),
        ("reversed port range", "alert tcp any 90:80 -> any any (sid:1;)", "source port: port range '90:80' has its low end above its high end"),
        ("bare colon", "alert tcp any : -> any any (sid:1;)", "source port: invalid port range ':'"),
        ("negative port", "alert tcp any -1 -> any any (sid:1;)", "source port: invalid port '-1'"),
    ];
    for (name, text, reason) in cases {
        let e = rule(text).err().unwrap_or_else(|| panic!("{name}: parsed"));
        assert_eq!(e.reason, *reason, "{name}");
    }
    // The issue carries the sid when it can be read, and the keyword.
    let e = rule("alert tcp $NOPE any -> any any (msg:\"x\"; sid:42; rev:1;)").unwrap_err();
    assert_eq!(e.sid, Some(42));
    let e = rule("alert tcp any any -> any any (sid:1; sid:2;)").unwrap_err();
    assert_eq!(e.keyword.as_deref(), Some("sid"));
}

#[test]
fn limits() {
    let long = format!("alert tcp any any -> any any (msg:\"{}\"; sid:1;)", "a".repeat(MAX_RULE_LEN));
    assert!(rule(&long).unwrap_err().reason.contains("longer than"));
    let deep = format!("alert tcp {}1.2.3.4{} any -> any any (sid:1;)", "[".repeat(100), "]".repeat(100));
    assert!(rule(&deep).unwrap_err().reason.contains("nested deeper"), "deep brackets");
    let nots = format!("alert tcp {}1.2.3.4 any -> any any (sid:1;)", "!".repeat(100));
    assert!(rule(&nots).unwrap_err().reason.contains("nested deeper"), "deep negation");
    // Exponential expansion through variables is cut off.
    let mut v = Vars::default();
    v.address.insert("V0".into(), "1.2.3.4".into());
    for i in 1..15 {
        v.address.insert(format!("V{i}"), format!("[$V{0},$V{0},$V{0},$V{0}]", i - 1));
    }
    let e = parse_rule("alert tcp $V14 any -> any any (sid:1;)", span(), &v).unwrap_err();
    assert!(e.reason.contains("more than"), "{}", e.reason);
    // A long chain of variables is cut off.
    let mut v = Vars::default();
    v.address.insert("C0".into(), "any".into());
    for i in 1..40 {
        v.address.insert(format!("C{i}"), format!("$C{}", i - 1));
    }
    let e = parse_rule("alert tcp $C39 any -> any any (sid:1;)", span(), &v).unwrap_err();
    assert!(e.reason.contains("nested deeper"), "{}", e.reason);
}

fn load(text: &str) -> RuleSet {
    let mut set = RuleSet::default();
    parse_rules_text(text.as_bytes(), Arc::new(PathBuf::from("f.rules")), &vars(), &mut set);
    set
}

#[test]
fn file_lines() {
    let text = "# a comment\n\
                \n\
                #alert tcp any any -> any any (sid:9;)\n\
                   # indented comment\r\n\
                alert tcp any any -> any any (msg:\"one\"; sid:1;)\r\n\
                alert tcp any any -> any any (msg:\"two\"; \\\n    content:\"x\"; \\\r\n    sid:2;)\n\
                \t alert udp any any -> any any (sid:3;)   \n\
                garbage here\n\
                alert tcp any any -> any any (sid:4;)";
    let set = load(text);
    let got: Vec<(u32, Option<u32>)> = set.rules.iter().map(|r| (r.span.line, r.sid)).collect();
    assert_eq!(got, vec![(5, Some(1)), (6, Some(2)), (9, Some(3)), (11, Some(4))]);
    let joined = set.rules.get(1).unwrap();
    assert_eq!(&*joined.text, "alert tcp any any -> any any (msg:\"two\";     content:\"x\";     sid:2;)");
    assert_eq!(joined.options.len(), 3);
    assert_eq!(set.failed.len(), 1);
    let f = set.failed.first().unwrap();
    assert_eq!((f.span.line, f.reason.as_str()), (10, "unknown action 'garbage'"));
    assert_eq!(f.to_string(), "f.rules:10: unknown action 'garbage'");
}

#[test]
fn file_edge_cases() {
    let set = load("alert tcp any any -> any any (sid:1; \\\n");
    assert_eq!(set.rules.len(), 0);
    // The last line is empty, so the continuation ends the rule: it parses.
    assert_eq!(set.failed.len(), 1, "{:?}", set.failed);
    let set = load("alert tcp any any -> any any (sid:1; \\");
    assert_eq!(set.failed.first().map(|f| f.reason.as_str()), Some("file ends inside a rule continued with '\\'"));
    let mut bad = b"alert tcp any any -> any any (msg:\"".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(b"\"; sid:1;)\nalert tcp any any -> any any (sid:2;)\n");
    let mut set = RuleSet::default();
    parse_rules_text(&bad, Arc::new(PathBuf::from("b.rules")), &vars(), &mut set);
    assert_eq!(set.rules.len(), 1);
    assert_eq!(set.failed.first().map(|f| f.reason.as_str()), Some("rule is not valid UTF-8"));
    let huge = format!("alert tcp any any -> any any (msg:\"{}\\\n{}\"; sid:1;)\nalert ip any any -> any any (sid:2;)\n", "a".repeat(40_000), "b".repeat(40_000));
    let set = load(&huge);
    assert_eq!(set.rules.len(), 1);
    assert_eq!(set.failed.first().map(|f| (f.span.line, f.reason.contains("longer than"))), Some((1, true)));
}

#[test]
fn load_files_directory_sorted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.rules"), "alert tcp any any -> any any (sid:2;)\n").unwrap();
    std::fs::write(dir.path().join("a.rules"), "alert tcp any any -> any any (sid:1;)\n").unwrap();
    std::fs::write(dir.path().join("c.txt"), "alert tcp any any -> any any (sid:3;)\n").unwrap();
    let set = load_files(&[dir.path().to_path_buf()], &vars()).unwrap();
    let sids: Vec<Option<u32>> = set.rules.iter().map(|r| r.sid).collect();
    assert_eq!(sids, vec![Some(1), Some(2)]);
    assert!(set.rules.first().unwrap().span.file.ends_with("a.rules"));
    let err = load_files(&[dir.path().join("missing.rules")], &vars()).unwrap_err();
    assert!(err.to_string().contains("missing.rules"));
}

#[test]
fn defaults_cover_et_open_vars() {
    let v = Vars::suricata_defaults();
    for name in ["HOME_NET", "EXTERNAL_NET", "HTTP_SERVERS", "SQL_SERVERS", "SMTP_SERVERS", "DNS_SERVERS", "TELNET_SERVERS", "AIM_SERVERS"] {
        assert!(v.address.contains_key(name), "{name}");
    }
    for name in ["HTTP_PORTS", "ORACLE_PORTS", "SHELLCODE_PORTS", "SSH_PORTS", "FILE_DATA_PORTS", "FTP_PORTS"] {
        assert!(v.port.contains_key(name), "{name}");
    }
    // Every default resolves.
    for name in v.address.keys() {
        rule(&format!("alert ip ${name} any -> any any (sid:1;)")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for name in v.port.keys() {
        rule(&format!("alert tcp any ${name} -> any any (sid:1;)")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        let _ = rule(&s);
        let _ = load(&s);
    }

    #[test]
    fn rule_shaped_strings_never_panic(
        a in "[a-z]{0,6}", pr in "[a-z-]{0,5}",
        src in "[\\[\\]!$0-9a-fA-F.:/,_ -]{0,30}", sp in "[\\[\\]!$0-9:, ]{0,12}",
        dir in "(->|<>|<-|x)", dst in "[\\[\\]!$A-Z_0-9./,]{0,20}", dp in "[\\[\\]!0-9:,]{0,10}",
        opts in "[a-z:;\\\\\" ]{0,40}",
    ) {
        let _ = rule(&format!("{a} {pr} {src} {sp} {dir} {dst} {dp} ({opts})"));
    }

    #[test]
    fn valid_ports_roundtrip(lo in 0u16.., hi in 0u16..) {
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let r = rule(&format!("alert tcp any {lo}:{hi} -> any any (sid:1;)")).unwrap();
        prop_assert_eq!(r.header.sport, PortExpr::Range(lo, hi));
    }
}
