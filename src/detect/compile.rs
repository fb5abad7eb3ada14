//! Rules -> signatures: keyword dispatch, payload chain construction, fast-pattern choice,
//! signature ordering and prefilter grouping.
//!
//! Every option of a rule is either compiled into the signature with its full meaning or the
//! rule is refused (a [`RuleIssue`] naming the keyword and the reason). Nothing is ignored.

use super::keywords::byte_extract::{parse_byte_extract, ByteExtract};
use super::keywords::byte_jump::{parse_byte_jump, ByteJump};
use super::keywords::byte_math::{parse_byte_math, ByteMath};
use super::keywords::byte_test::{parse_byte_test, ByteTest};
use super::keywords::content::{parse_content, parse_val, Content, FastPattern, Val};
use super::keywords::dsize::UintMatch;
use super::keywords::isdataat::{parse_isdataat, IsDataAt};
use super::keywords::pcre::{parse_pcre, Pcre, PcreCache, PcreError};
use super::keywords::{self, Cond, Keyword, Meta, PostMatch, ThresholdSpec};
use super::mpm::{PatternSpec, Prefilter, PrefilterConfig, PrefilterError};
use super::parse::{Action, AddrExpr, PortExpr, Rule, RuleIssue};
use crate::decode::Packet;
use crate::applayer::dns::detect::DnsBuf;
use crate::applayer::ftp::detect::FtpBuf;
use crate::applayer::http::detect::HttpBuf;
use crate::applayer::smtp::detect::SmtpBuf;
use crate::applayer::ssh::detect::SshBuf;
use crate::applayer::tls::detect::TlsBuf;
use crate::applayer::AppProto;
use crate::flow::Direction;
use super::app::AppCond;
use super::transforms::{self, Transform};
use super::{DetectSettings, SigMeta};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Most byte_extract / byte_math variables one rule may define.
pub const MAX_VARS: usize = 64;
/// Most payload keywords in one rule (bounds the evaluation recursion depth).
pub const MAX_CHAIN: usize = 256;
/// A port-specific prefilter group is only built for ports with at least this many rules;
/// rules of rarer ports share the port-independent group (their ports are still checked).
pub const MIN_PORT_GROUP: usize = 8;
/// Port lists larger than this put a rule in the port-independent group.
pub const MAX_GROUP_PORTS: usize = 32;

/// Protocol part of a rule header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ProtoMatch {
    /// `ip` / `pkthdr`: any IP packet.
    Ip,
    /// `ipv4`: IPv4 packets only.
    Ip4,
    /// `ipv6`: IPv6 packets only.
    Ip6,
    /// `tcp`, `tcp-pkt`.
    Tcp,
    /// `udp`, `udp-pkt`.
    Udp,
    /// TCP or UDP (`alert dns`: DNS runs over both).
    TcpUdp,
    /// `icmp`: ICMPv4 and ICMPv6.
    Icmp,
    /// `icmpv4`.
    Icmp4,
    /// `icmpv6`.
    Icmp6,
    /// Another IP protocol number (`sctp`).
    Num(u8),
}

/// One payload keyword of the chain.
#[derive(Clone, Debug)]
pub(crate) enum PayloadKw {
    Content(Content),
    Pcre(Pcre),
    ByteTest(ByteTest),
    ByteJump(ByteJump),
    ByteExtract(ByteExtract),
    ByteMath(ByteMath),
    IsDataAt(IsDataAt),
}

/// A chain element plus whether the next element is relative to it.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub kw: PayloadKw,
    pub relative_next: bool,
}

impl PayloadKw {
    fn is_relative(&self) -> bool {
        match self {
            PayloadKw::Content(c) => c.is_relative(),
            PayloadKw::Pcre(p) => p.relative,
            PayloadKw::ByteTest(t) => t.relative,
            PayloadKw::ByteJump(j) => j.relative,
            PayloadKw::ByteExtract(e) => e.relative,
            PayloadKw::ByteMath(m) => m.relative,
            PayloadKw::IsDataAt(i) => i.relative,
        }
    }
}

/// An inspection buffer: the packet payload or a sticky buffer. Every buffer has its own
/// payload chain in a signature and its own prefilter database in a group; app-layer buffers
/// (HTTP, TLS, DNS, ...) are added here as their parsers land.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum BufferId {
    /// The packet payload (`pkt_data`, the default).
    Payload,
    /// `ipv4.hdr`: the IPv4 header with options.
    Ipv4Hdr,
    /// `ipv6.hdr`: the fixed 40-byte IPv6 header.
    Ipv6Hdr,
    /// `tcp.hdr`: the TCP header with options.
    TcpHdr,
    /// `udp.hdr`: the 8-byte UDP header.
    UdpHdr,
    /// `icmpv4.hdr`: the ICMPv4 header.
    Icmpv4Hdr,
    /// `icmpv6.hdr`: the ICMPv6 header.
    Icmpv6Hdr,
    /// `ip.src`: the source address in network byte order (4 or 16 bytes).
    IpSrc,
    /// `ip.dst`: the destination address in network byte order (4 or 16 bytes).
    IpDst,
    /// An HTTP/1 transaction buffer (`http.uri`, `file.data`, ...).
    Http(HttpBuf),
    /// A DNS buffer (`dns.query`, ...).
    Dns(DnsBuf),
    /// A TLS buffer (`tls.sni`, `ja3.hash`, ...).
    Tls(TlsBuf),
    /// An SSH buffer (`ssh.software`, `ssh.hassh`, ...).
    Ssh(SshBuf),
    /// An FTP buffer (`ftp.command`, ...).
    Ftp(FtpBuf),
    /// An SMTP / email buffer (`smtp.helo`, `email.subject`, ...).
    Smtp(SmtpBuf),
}

impl BufferId {
    /// The sticky-buffer keyword selecting this buffer.
    pub fn from_keyword(name: &str) -> Option<BufferId> {
        Some(match name {
            "pkt_data" => BufferId::Payload,
            "ipv4.hdr" => BufferId::Ipv4Hdr,
            "ipv6.hdr" => BufferId::Ipv6Hdr,
            "tcp.hdr" => BufferId::TcpHdr,
            "udp.hdr" => BufferId::UdpHdr,
            "icmpv4.hdr" => BufferId::Icmpv4Hdr,
            "icmpv6.hdr" => BufferId::Icmpv6Hdr,
            "ip.src" => BufferId::IpSrc,
            "ip.dst" => BufferId::IpDst,
            _ => {
                return HttpBuf::from_keyword(name)
                    .map(BufferId::Http)
                    .or_else(|| DnsBuf::from_keyword(name).map(BufferId::Dns))
                    .or_else(|| TlsBuf::from_keyword(name).map(BufferId::Tls))
                    .or_else(|| SshBuf::from_keyword(name).map(BufferId::Ssh))
                    .or_else(|| FtpBuf::from_keyword(name).map(BufferId::Ftp))
                    .or_else(|| SmtpBuf::from_keyword(name).map(BufferId::Smtp))
            }
        })
    }

    /// The application protocol whose transactions hold this buffer (`None`: a packet
    /// buffer).
    pub fn app_proto(self) -> Option<AppProto> {
        match self {
            BufferId::Http(_) => Some(AppProto::Http1),
            BufferId::Dns(_) => Some(AppProto::Dns),
            BufferId::Tls(_) => Some(AppProto::Tls),
            BufferId::Ssh(_) => Some(AppProto::Ssh),
            BufferId::Ftp(_) => Some(AppProto::Ftp),
            BufferId::Smtp(_) => Some(AppProto::Smtp),
            _ => None,
        }
    }

    /// For a transaction buffer: the side it lives on (`None`: both sides, or a packet
    /// buffer).
    pub fn tx_direction(self) -> Option<Direction> {
        match self {
            BufferId::Http(h) => h.direction(),
            BufferId::Dns(b) => (!b.both_directions()).then(|| b.direction()),
            BufferId::Tls(b) => Some(b.direction()),
            BufferId::Ssh(b) => (!b.both_directions()).then(|| b.direction()),
            BufferId::Ftp(b) => Some(b.direction()),
            BufferId::Smtp(b) => Some(b.direction()),
            _ => None,
        }
    }
}

/// The bytes of `buf` in `p` (empty when the packet has no such layer).
pub(crate) fn buffer_bytes<'a>(buf: BufferId, p: &Packet<'a>) -> &'a [u8] {
    use crate::decode::L4;
    let slice = |off: u16, len: u16| {
        let o = off as usize;
        p.data.get(o..o.saturating_add(len as usize)).unwrap_or(&[])
    };
    match buf {
        BufferId::Payload => p.payload(),
        BufferId::Ipv4Hdr => p.ip.filter(|ip| ip.version == 4).map_or(&[], |ip| slice(ip.offset, ip.hdr_len)),
        // ipv6.hdr: the fixed header and the extension headers, as Suricata's buffer.
        BufferId::Ipv6Hdr => p.ip.filter(|ip| ip.version == 6).map_or(&[], |ip| slice(ip.offset, ip.hdr_len)),
        BufferId::TcpHdr => match p.l4 {
            L4::Tcp(t) => slice(t.offset, t.hdr_len),
            _ => &[],
        },
        BufferId::UdpHdr => match p.l4 {
            L4::Udp(u) => slice(u.offset, 8),
            _ => &[],
        },
        BufferId::Icmpv4Hdr => match p.l4 {
            L4::Icmp4(i) => slice(i.offset, icmpv4_hdr_len(p.data, i)),
            _ => &[],
        },
        BufferId::Icmpv6Hdr => match p.l4 {
            L4::Icmp6(i) => slice(i.offset, i.hdr_len),
            _ => &[],
        },
        // The address bytes as they are in the frame (IPv4 src at +12, dst at +16; IPv6 at
        // +8 and +24).
        BufferId::IpSrc => p.ip.map_or(&[], |ip| if ip.version == 4 { slice(ip.offset.saturating_add(12), 4) } else { slice(ip.offset.saturating_add(8), 16) }),
        BufferId::IpDst => p.ip.map_or(&[], |ip| if ip.version == 4 { slice(ip.offset.saturating_add(16), 4) } else { slice(ip.offset.saturating_add(24), 16) }),
        // Transaction buffers are read from the transaction, never from the packet.
        BufferId::Http(_) | BufferId::Dns(_) | BufferId::Tls(_) | BufferId::Ssh(_) | BufferId::Ftp(_) | BufferId::Smtp(_) => &[],
    }
}

/// Length of the `icmpv4.hdr` buffer: Suricata counts a router advertisement's address
/// entries (`naddr * addr_sz` words) as header when they are all present.
fn icmpv4_hdr_len(data: &[u8], h: crate::decode::IcmpHdr) -> u16 {
    const ROUTER_ADVERT: u8 = 9;
    if h.typ != ROUTER_ADVERT {
        return h.hdr_len;
    }
    let o = h.offset as usize;
    let (Some(&naddr), Some(&size)) = (data.get(o + 4), data.get(o + 5)) else { return h.hdr_len };
    let advert = naddr as usize * size as usize * 4;
    let total = h.hdr_len as usize + advert;
    if o + total <= data.len() {
        total.min(u16::MAX as usize) as u16
    } else {
        h.hdr_len
    }
}

/// One buffer's inspection in a signature: its payload chain and `bsize`.
#[derive(Debug)]
pub(crate) struct BufChain {
    pub buffer: BufferId,
    /// Transforms applied to the buffer before the chain runs (a transformed buffer is a
    /// chain of its own).
    pub transforms: Vec<Transform>,
    pub chain: Vec<Step>,
    pub bsize: Option<UintMatch>,
}

/// A compiled signature.
#[derive(Debug)]
pub(crate) struct Sig {
    pub meta: Arc<SigMeta>,
    pub proto: ProtoMatch,
    pub src: AddrSet,
    pub sport: PortExpr,
    pub dst: AddrSet,
    pub dport: PortExpr,
    /// `sport` compiled to sorted disjoint ranges (binary search per packet).
    pub sports: PortSet,
    /// `dport` compiled to sorted disjoint ranges.
    pub dports: PortSet,
    pub bidir: bool,
    pub conds: Vec<Cond>,
    pub posts: Vec<PostMatch>,
    pub thresholds: Vec<ThresholdSpec>,
    pub noalert: bool,
    /// `bypass`: a match marks the flow bypassed.
    pub bypass: bool,
    /// `alert`: alert even when the action does not imply it (`pass ... alert;`).
    pub force_alert: bool,
    /// hostbits conditions (isset / isnotset) and side effects, in rule order.
    pub hostbits: Vec<keywords::hostbits::HostBits>,
    pub dsize: Option<UintMatch>,
    /// Per-buffer chains, in order of first use; every one must match.
    pub buffers: Vec<BufChain>,
    /// Prefilter pattern: (buffer, bytes, nocase).
    pub fast: Option<(BufferId, Vec<u8>, bool)>,
    /// Suricata priority (1 highest).
    pub prio: u8,
    /// Position in the input, for stable ordering.
    pub load_order: usize,
    /// The application protocol the flow must have (`alert http`, or implied by an HTTP
    /// buffer or keyword).
    pub app: Option<AppProto>,
    /// Inspected per transaction (uses transaction buffers or transaction conditions).
    pub tx: bool,
    /// For transaction signatures: the packet direction they are evaluated on (`None`: both,
    /// each reading its own side of two-sided buffers).
    pub tx_dir: Option<Direction>,
    /// Conditions on the flow's app layer (app-layer-protocol, stream-event, app-layer-event).
    pub app_conds: Vec<AppCond>,
    /// Buffer length conditions outside a chain (`urilen`).
    pub lens: Vec<(BufferId, UintMatch)>,
}

impl Sig {
    /// Whether a `pass`/`drop` match applies to the whole flow rather than the packet:
    /// Suricata's `FlowApplySignatureActions` does so for IP-only and "like IP-only" rules
    /// (no payload inspection, no packet conditions besides flowbits). Rules that inspect
    /// the packet pass or drop only that packet.
    pub fn applies_to_flow(&self) -> bool {
        self.buffers.is_empty()
            && self.dsize.is_none()
            && !self.tx
            && self.app.is_none()
            && self.app_conds.is_empty()
            && self.conds.iter().all(|c| matches!(c, Cond::Flowbits(_)))
            && self.hostbits.iter().all(|h| !h.is_cond())
    }

    /// Whether the signature is checked on packets without an IP layer: as Suricata's
    /// decoder-event group, an `ip`/`pkthdr` rule with a `decode-event` condition, `any`
    /// addresses and ports, and no buffer inspection.
    pub fn needs_no_ip(&self) -> bool {
        self.proto == ProtoMatch::Ip
            && self.conds.iter().any(|c| matches!(c, Cond::DecodeEvent(_)))
            && self.src == AddrSet::full()
            && self.dst == AddrSet::full()
            && matches!(self.sport, PortExpr::Any)
            && matches!(self.dport, PortExpr::Any)
            && self.buffers.is_empty()
            && self.dsize.is_none()
            && self.app.is_none()
            && self.app_conds.is_empty()
    }
}

/// Why one rule was not compiled.
#[derive(Debug)]
pub(crate) struct Reject {
    pub keyword: Option<String>,
    pub reason: String,
    /// true: valid but unsupported; false: invalid.
    pub refused: bool,
}

fn refuse(kw: &str, reason: impl Into<String>) -> Reject {
    Reject { keyword: Some(kw.to_string()), reason: reason.into(), refused: true }
}
fn invalid(kw: &str, reason: impl Into<String>) -> Reject {
    Reject { keyword: Some(kw.to_string()), reason: reason.into(), refused: false }
}

impl Reject {
    pub fn into_issue(self, rule: &Rule) -> RuleIssue {
        RuleIssue { span: rule.span.clone(), sid: rule.sid, keyword: self.keyword, reason: self.reason }
    }
}

/// Protocols that need an application-layer parser (not implemented yet).
const APP_PROTOS: &[&str] = &[
    "http", "http1", "http2", "tls", "ssl", "dns", "ssh", "smtp", "ftp", "ftp-data", "smb", "dcerpc", "nfs", "ntp", "dhcp", "krb5", "snmp",
    "sip", "rfb", "mqtt", "pgsql", "ike", "ikev2", "modbus", "dnp3", "enip", "tftp", "rdp", "telnet", "quic", "imap", "pop3", "ldap",
    "websocket", "bittorrent-dht", "mdns", "doh2", "irc", "nntp", "template", "cip", "http-any",
];

fn parse_proto(p: &str) -> Result<(ProtoMatch, Option<AppProto>), Reject> {
    if let Some(app) = AppProto::from_rule_name(p).filter(|a| SUPPORTED_APPS.contains(a)) {
        let t = if app == AppProto::Dns { ProtoMatch::TcpUdp } else { ProtoMatch::Tcp };
        return Ok((t, Some(app)));
    }
    Ok((parse_transport(p)?, None))
}

/// App-layer protocols whose rules load (`alert http ...`); the others are refused until
/// their parsers land.
const SUPPORTED_APPS: &[AppProto] = &[AppProto::Http1, AppProto::Dns, AppProto::Tls, AppProto::Ssh, AppProto::Smtp, AppProto::Ftp, AppProto::FtpData];

fn parse_transport(p: &str) -> Result<ProtoMatch, Reject> {
    Ok(match p {
        "ip" | "pkthdr" => ProtoMatch::Ip,
        "ipv4" | "ip4" => ProtoMatch::Ip4,
        "ipv6" | "ip6" => ProtoMatch::Ip6,
        "tcp" | "tcp-pkt" => ProtoMatch::Tcp,
        "udp" | "udp-pkt" => ProtoMatch::Udp,
        "icmp" => ProtoMatch::Icmp,
        "icmpv4" | "icmp4" => ProtoMatch::Icmp4,
        "icmpv6" | "icmp6" => ProtoMatch::Icmp6,
        "sctp" => ProtoMatch::Num(132),
        "tcp-stream" => return Err(refuse("protocol", "protocol tcp-stream needs stream reassembly, not supported yet")),
        _ if APP_PROTOS.contains(&p) => return Err(refuse("protocol", format!("app-layer protocol {p} not supported yet"))),
        _ => return Err(refuse("protocol", format!("unknown protocol {p}"))),
    })
}

/// Buffer keywords and content modifiers that need an app-layer parser not supported yet.
fn app_layer_keyword(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "uricontent", "urilen", "file_data", "filename", "fileext", "filemagic", "filestore", "filemd5", "filesha1", "filesha256", "filesize",
        "dce_iface", "dce_opnum", "dce_stub_data", "ja3_hash", "ja3_string", "ja3s_hash", "ja3s_string", "ssh_proto", "ssh_software",
        "tls_sni", "tls_cert_subject", "tls_cert_issuer", "tls_cert_serial", "tls_cert_fingerprint", "tls_cert_notbefore",
        "tls_cert_notafter", "tls_cert_expired", "tls_cert_valid", "tls_version", "tls_subject", "tls_issuerdn", "tls_fingerprint",
        "tls_store", "ssl_version", "ssl_state", "dns_query", "app-layer-protocol", "app-layer-event", "app-layer-state",
        "base64_decode", "base64_data", "luajit", "lua", "sip_method", "sip_uri", "krb5_cname", "krb5_sname", "krb5_err_code",
        "krb5_msg_type", "snmp.community", "modbus", "dnp3_func", "dnp3_ind", "dnp3_obj", "dnp3_data", "enip_command", "cip_service",
        "template_buffer", "smb_named_pipe", "smb_share", "ftpbounce", "ftpdata_command", "xbits", "file.data",
    ];
    const PREFIXES: &[&str] = &[
        "http_", "http.", "http2.", "tls.", "dns.", "ssh.", "ssh_", "ja3.", "ja3s.", "ja4.", "file.", "smb.", "dcerpc.", "krb5.", "sip.",
        "smtp.", "ftp.", "mqtt.", "rfb.", "snmp.", "ike.", "quic.", "pgsql.", "ldap.", "websocket.", "dhcp.", "nfs.", "rdp.", "tftp.",
        "sdp.", "email.", "imap.", "pop3.", "mdns.", "dnp3.", "modbus.", "enip.", "cip.", "bittorrent", "x509.", "tcp.hdr", "udp.hdr",
        "ipv4.hdr", "ipv6.hdr", "icmpv4.hdr", "icmpv6.hdr",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Snort-3-only option names.
const SNORT3_ONLY: &[&str] = &["service", "rem", "sd_pattern", "bufferlen", "regex", "js_data", "file_type", "so", "soid", "sha256", "sha512", "md5", "http_param", "script_data", "vba_data", "file_meta", "raw_data"];

struct Builder<'a> {
    settings: &'a DetectSettings,
    pcre_cache: &'a PcreCache,
    chains: Vec<BufChain>,
    /// Index in `chains` of the buffer keywords currently go to.
    cur: usize,
    /// (chain, index in it) of the last content.
    last_content: Option<(usize, usize)>,
    /// The current chain was just selected by a sticky-buffer keyword (transforms may
    /// follow).
    just_selected: bool,
    app: Option<AppProto>,
    app_conds: Vec<AppCond>,
    lens: Vec<(BufferId, UintMatch)>,
    /// Keywords handed to `keywords::validate`.
    checked: Vec<Keyword>,
    bypass: bool,
    force_alert: bool,
    hostbits: Vec<keywords::hostbits::HostBits>,
    /// Explicit `prefilter` keyword given.
    prefilter_kw: bool,
    vars: HashMap<String, u8>,
    conds: Vec<Cond>,
    posts: Vec<PostMatch>,
    thresholds: Vec<ThresholdSpec>,
    noalert: bool,
    dsize: Option<UintMatch>,
    msg: Option<String>,
    sid: Option<u32>,
    rev: Option<u32>,
    gid: Option<u32>,
    classtype: Option<String>,
    priority: Option<u8>,
    metadata: Vec<(String, Vec<String>)>,
    target: Option<super::Target>,
    fast_pattern_seen: bool,
}

impl<'a> Builder<'a> {
    fn new(settings: &'a DetectSettings, pcre_cache: &'a PcreCache) -> Builder<'a> {
        Builder {
            settings,
            pcre_cache,
            chains: vec![BufChain { buffer: BufferId::Payload, transforms: Vec::new(), chain: Vec::new(), bsize: None }],
            cur: 0,
            last_content: None,
            just_selected: false,
            app: None,
            app_conds: Vec::new(),
            lens: Vec::new(),
            checked: Vec::new(),
            bypass: false,
            force_alert: false,
            hostbits: Vec::new(),
            prefilter_kw: false,
            vars: HashMap::new(),
            conds: Vec::new(),
            posts: Vec::new(),
            thresholds: Vec::new(),
            noalert: false,
            dsize: None,
            msg: None,
            sid: None,
            rev: None,
            gid: None,
            classtype: None,
            priority: None,
            metadata: Vec::new(),
            target: None,
            fast_pattern_seen: false,
        }
    }

    fn var_lookup(&self) -> impl Fn(&str) -> Option<u8> + '_ {
        |n: &str| self.vars.get(n).copied()
    }

    fn content_mut(&mut self, kw: &str) -> Result<&mut Content, Reject> {
        let (ci, idx) = self.last_content.ok_or_else(|| invalid(kw, format!("{kw} needs a preceding content")))?;
        match self.chains.get_mut(ci).and_then(|c| c.chain.get_mut(idx)).map(|s| &mut s.kw) {
            Some(PayloadKw::Content(c)) => Ok(c),
            _ => Err(invalid(kw, format!("{kw} needs a preceding content"))),
        }
    }

    fn push(&mut self, kw: &str, k: PayloadKw) -> Result<(), Reject> {
        if self.chains.iter().map(|c| c.chain.len()).sum::<usize>() >= MAX_CHAIN {
            return Err(refuse(kw, format!("more than {MAX_CHAIN} payload keywords")));
        }
        let Some(c) = self.chains.get_mut(self.cur) else { return Err(invalid(kw, "no inspection buffer")) };
        c.chain.push(Step { kw: k, relative_next: false });
        self.just_selected = false;
        Ok(())
    }

    /// Records that the rule needs app-layer protocol `p` (from a buffer or keyword); a
    /// different one already required is a contradiction.
    fn need_app(&mut self, kw: &str, p: AppProto) -> Result<(), Reject> {
        if matches!(kw, "file.data" | "file_data") && self.app.is_some_and(|a| a != AppProto::Http1) {
            return Err(refuse(kw, format!("{kw} on {} (file contents of that protocol) is not supported yet", self.app.and_then(|a| a.eve_name()).unwrap_or("?"))));
        }
        match self.app {
            Some(a) if a != p => Err(invalid(kw, format!("{kw} needs {} but the rule is for {}", p.eve_name().unwrap_or("?"), a.eve_name().unwrap_or("?")))),
            _ => {
                self.app = Some(p);
                Ok(())
            }
        }
    }

    /// `content:"x"; http_uri;`: moves the last content to the modifier's buffer, where it
    /// stays relative to the previous content moved there (Suricata's list semantics).
    fn move_last_content(&mut self, kw: &str, to: BufferId) -> Result<(), Reject> {
        let (ci, idx) = self.last_content.ok_or_else(|| invalid(kw, format!("{kw} needs a preceding content")))?;
        let chain = self.chains.get_mut(ci).ok_or_else(|| invalid(kw, "no inspection buffer"))?;
        if chain.buffer != BufferId::Payload || !chain.transforms.is_empty() {
            return Err(invalid(kw, format!("{kw} after a content in a sticky buffer")));
        }
        if idx + 1 != chain.chain.len() {
            return Err(invalid(kw, format!("{kw} must follow its content's modifiers, not other payload keywords")));
        }
        let step = chain.chain.pop().ok_or_else(|| invalid(kw, "no content"))?;
        let ti = match self.chains.iter().position(|c| c.buffer == to && c.transforms.is_empty()) {
            Some(i) => i,
            None => {
                self.chains.push(BufChain { buffer: to, transforms: Vec::new(), chain: Vec::new(), bsize: None });
                self.chains.len() - 1
            }
        };
        let t = self.chains.get_mut(ti).ok_or_else(|| invalid(kw, "no inspection buffer"))?;
        t.chain.push(step);
        self.last_content = Some((ti, t.chain.len() - 1));
        Ok(())
    }

    /// Length of the current buffer's chain.
    fn cur_len(&self) -> usize {
        self.chains.get(self.cur).map_or(0, |c| c.chain.len())
    }

    /// Makes `buf` the buffer later payload keywords apply to (Suricata's sticky buffers).
    fn select(&mut self, buf: BufferId) {
        self.cur = match self.chains.iter().position(|c| c.buffer == buf && c.transforms.is_empty()) {
            Some(i) => i,
            None => {
                self.chains.push(BufChain { buffer: buf, transforms: Vec::new(), chain: Vec::new(), bsize: None });
                self.chains.len() - 1
            }
        };
        self.last_content = None;
        self.just_selected = true;
    }

    /// A transform keyword: applies to the buffer just selected (a chain of its own when
    /// that buffer already has keywords without this transform list).
    fn transform(&mut self, kw: &str, t: Transform) -> Result<(), Reject> {
        let cur = self.chains.get(self.cur).ok_or_else(|| invalid(kw, "no inspection buffer"))?;
        if self.chains.get(self.cur).is_some_and(|c| c.buffer == BufferId::Payload && c.transforms.is_empty()) && !self.just_selected {
            return Err(invalid(kw, format!("transform {kw} must follow a sticky buffer keyword")));
        }
        // After keywords of the buffer (Suricata accepts it): the transform applies to the
        // whole buffer, as Suricata keeps one transform list per buffer instance.
        if cur.chain.is_empty() || !self.just_selected {
            if let Some(c) = self.chains.get_mut(self.cur) {
                c.transforms.push(t);
            }
        } else {
            let mut ts = cur.transforms.clone();
            ts.push(t);
            let buffer = cur.buffer;
            self.chains.push(BufChain { buffer, transforms: ts, chain: Vec::new(), bsize: None });
            self.cur = self.chains.len() - 1;
        }
        Ok(())
    }

    fn new_slot(vars: &mut HashMap<String, u8>, kw: &str, name: &str) -> Result<u8, String> {
        if let Some(i) = vars.get(name) {
            return Ok(*i);
        }
        if vars.len() >= MAX_VARS {
            return Err(format!("{kw}: more than {MAX_VARS} variables"));
        }
        let i = vars.len() as u8;
        vars.insert(name.to_string(), i);
        Ok(i)
    }

    fn option(&mut self, name: &str, value: Option<&str>) -> Result<(), Reject> {
        let no_value = |v: Option<&str>| match v {
            Some(x) if !x.trim().is_empty() => Err(invalid(name, format!("{name} takes no value"))),
            _ => Ok(()),
        };
        match name {
            "content" => {
                let v = need(name, value)?;
                let (pattern, negated) = parse_content(v).map_err(|e| {
                    // Snort 3 puts modifiers after the string: content:"abc",nocase;
                    if v.trim_end().ends_with('"') || !v.contains("\",") {
                        invalid(name, e)
                    } else {
                        refuse(name, "Snort 3 content syntax (modifiers inside the value) not supported")
                    }
                })?;
                self.push(name, PayloadKw::Content(Content::new(pattern, negated)))?;
                self.last_content = Some((self.cur, self.cur_len() - 1));
            }
            "nocase" => {
                no_value(value)?;
                let c = self.content_mut(name)?;
                if c.nocase {
                    return Err(invalid(name, "nocase given twice"));
                }
                c.nocase = true;
            }
            "rawbytes" => no_value(value)?,
            "prefilter" => {
                no_value(value)?;
                // Suricata: use the preceding content (or keyword) as the prefilter. Only
                // contents have a prefilter engine here; on them it is fast_pattern.
                if self.prefilter_kw {
                    return Err(invalid(name, "prefilter given twice"));
                }
                self.prefilter_kw = true;
                match self.last_content {
                    Some(_) if !self.fast_pattern_seen => {
                        self.fast_pattern_seen = true;
                        let c = self.content_mut(name)?;
                        if c.negated {
                            return Err(invalid(name, "prefilter on a negated content"));
                        }
                        c.fast_pattern = FastPattern::Whole;
                    }
                    Some(_) => return Err(invalid(name, "prefilter together with fast_pattern")),
                    // On a non-content keyword the rule is still evaluated exactly, only
                    // without a dedicated prefilter engine for that keyword.
                    None => {}
                }
            }
            "bypass" => {
                no_value(value)?;
                self.bypass = true;
            }
            "alert" => {
                no_value(value)?;
                self.force_alert = true;
            }
            "dataset" | "datarep" => return Err(refuse(name, format!("{name} needs dataset files and their state, which are not supported yet"))),
            "frame" => return Err(refuse(name, "frame buffers need app-layer frame parsing, not supported yet")),
            "entropy" => return Err(refuse(name, "entropy is not supported yet")),
            "hostbits" => match keywords::hostbits::parse(name, value).map_err(|e| Reject { keyword: Some(e.keyword), reason: e.reason, refused: e.refused })? {
                keywords::hostbits::Parsed::NoAlert => self.noalert = true,
                keywords::hostbits::Parsed::Bits(b) => self.hostbits.push(b),
            },
            _ if HttpBuf::from_modifier(name).is_some() => {
                no_value(value)?;
                if let Some(h) = HttpBuf::from_modifier(name) {
                    self.need_app(name, AppProto::Http1)?;
                    self.move_last_content(name, BufferId::Http(h))?;
                }
            }
            "uricontent" => {
                // Snort's `uricontent:"x"` is `content:"x"; http_uri;`.
                self.option("content", value)?;
                self.need_app(name, AppProto::Http1)?;
                self.move_last_content(name, BufferId::Http(HttpBuf::Uri))?;
            }
            "urilen" => {
                let v = need(name, value)?;
                let (num, raw) = match v.rsplit_once(',') {
                    Some((n, m)) if m.trim() == "raw" => (n, true),
                    Some((n, m)) if m.trim() == "norm" => (n, false),
                    Some((_, m)) => return Err(invalid(name, format!("urilen: unknown modifier '{}'", m.trim()))),
                    None => (v, true),
                };
                let m = super::keywords::bsize::parse_bsize(num).map_err(|e| invalid(name, e))?;
                self.need_app(name, AppProto::Http1)?;
                self.lens.push((BufferId::Http(if raw { HttpBuf::UriRaw } else { HttpBuf::Uri }), m));
            }
            _ if transforms::is_transform(name) => {
                let t = transforms::parse(name, value, self.pcre_cache).map_err(|e| invalid(name, e))?;
                self.transform(name, t)?;
            }
            "app-layer-protocol" => {
                let c = AppCond::parse_app_layer_protocol(need(name, value)?).map_err(|e| invalid(name, e))?;
                self.app_conds.push(c);
            }
            "app-layer-event" => {
                let c = AppCond::parse_app_layer_event(need(name, value)?).map_err(|e| refuse(name, e))?;
                if let Some(p) = c.app_proto() {
                    self.need_app(name, p)?;
                }
                self.app_conds.push(c);
            }
            _ if AppCond::parse_keyword(name, value).is_some() => {
                if let Some(r) = AppCond::parse_keyword(name, value) {
                    let c = r.map_err(|e| invalid(name, e))?;
                    if let Some(p) = c.app_proto() {
                        self.need_app(name, p)?;
                    }
                    self.app_conds.push(c);
                }
            }
            "tls.store" | "tls_store" => {
                // Suricata writes the certificate chain to disk; Rampart has no certificate
                // store, and the keyword has no effect on matching.
                no_value(value)?;
                self.need_app(name, AppProto::Tls)?;
            }
            "stream-event" => {
                // Suricata's names the stream engine does not raise are refused (loudly), not
                // failed: the rule is valid, Rampart cannot honour it.
                let c = AppCond::parse_stream_event(need(name, value)?).map_err(|e| refuse(name, e))?;
                self.app_conds.push(c);
            }
            _ if BufferId::from_keyword(name).is_some() => {
                no_value(value)?;
                if let Some(b) = BufferId::from_keyword(name) {
                    if let Some(p) = b.app_proto() {
                        self.need_app(name, p)?;
                    }
                    self.select(b);
                }
            }
            "depth" | "offset" | "distance" | "within" => {
                let v = need(name, value)?.to_string();
                let vars = self.vars.clone();
                let look = |n: &str| vars.get(n).copied();
                let val = match name {
                    "depth" => parse_val(&v, 1, 65535, &look),
                    "offset" => parse_val(&v, 0, 65535, &look),
                    "distance" => parse_val(&v, -65535, 65535, &look),
                    _ => parse_val(&v, 1, 65535, &look),
                }
                .map_err(|e| invalid(name, e))?;
                let c = self.content_mut(name)?;
                let relative = matches!(name, "distance" | "within");
                if relative && (c.depth.is_some() || c.offset.is_some()) || !relative && c.is_relative() {
                    return Err(invalid(name, "relative (distance/within) and absolute (depth/offset) modifiers on one content"));
                }
                let len = c.pattern.len() as i64;
                let slot = match name {
                    "depth" => &mut c.depth,
                    "offset" => &mut c.offset,
                    "distance" => &mut c.distance,
                    _ => &mut c.within,
                };
                if slot.is_some() {
                    return Err(invalid(name, format!("{name} given twice for one content")));
                }
                if let (Val::Lit(x), "depth" | "within") = (val, name) {
                    if x < len {
                        return Err(invalid(name, format!("{name} {x} is smaller than the content length {len}")));
                    }
                }
                *slot = Some(val);
            }
            "startswith" => {
                no_value(value)?;
                let c = self.content_mut(name)?;
                if c.depth.is_some() || c.offset.is_some() || c.is_relative() {
                    return Err(invalid(name, "startswith with depth/offset/distance/within"));
                }
                c.depth = Some(Val::Lit(c.pattern.len() as i64));
                c.offset = Some(Val::Lit(0));
            }
            "endswith" => {
                no_value(value)?;
                self.content_mut(name)?.endswith = true;
            }
            "fast_pattern" => {
                if self.fast_pattern_seen {
                    return Err(invalid(name, "fast_pattern on more than one content"));
                }
                self.fast_pattern_seen = true;
                let c = self.content_mut(name)?;
                let v = value.map(str::trim).unwrap_or("");
                c.fast_pattern = if v.is_empty() || v == "only" {
                    if v == "only" && c.negated {
                        return Err(invalid(name, "fast_pattern:only on a negated content"));
                    }
                    FastPattern::Whole
                } else {
                    let (o, l) = v.split_once(',').ok_or_else(|| invalid(name, format!("invalid fast_pattern value '{v}'")))?;
                    let o: u16 = o.trim().parse().map_err(|_| invalid(name, "invalid fast_pattern offset"))?;
                    let l: u16 = l.trim().parse().map_err(|_| invalid(name, "invalid fast_pattern length"))?;
                    if l == 0 || o as usize + l as usize > c.pattern.len() {
                        return Err(invalid(name, "fast_pattern chop outside the content"));
                    }
                    FastPattern::Chop(o, l)
                };
            }
            "pcre" => {
                let spec = parse_pcre(need(name, value)?).map_err(|e| match e {
                    PcreError::Invalid(r) => invalid(name, r),
                    PcreError::Refused(r) => refuse(name, r),
                })?;
                let regex = self.pcre_cache.compile(&spec).map_err(|e| invalid(name, e))?;
                let kw = PayloadKw::Pcre(Pcre { regex, relative: spec.relative, negated: spec.negated });
                match spec.buffer_flag.and_then(HttpBuf::from_pcre_flag) {
                    // `/x/U`: the pcre inspects that HTTP buffer, relative to what is there.
                    Some(h) => {
                        self.need_app(name, AppProto::Http1)?;
                        let (cur, last, just) = (self.cur, self.last_content, self.just_selected);
                        self.select(BufferId::Http(h));
                        self.push(name, kw)?;
                        (self.cur, self.last_content, self.just_selected) = (cur, last, just);
                    }
                    None => self.push(name, kw)?,
                }
            }
            "byte_test" => {
                let k = parse_byte_test(need(name, value)?, &self.var_lookup()).map_err(|e| kw_err(name, e))?;
                self.push(name, PayloadKw::ByteTest(k))?;
            }
            "byte_jump" => {
                let k = parse_byte_jump(need(name, value)?, &self.var_lookup()).map_err(|e| kw_err(name, e))?;
                self.push(name, PayloadKw::ByteJump(k))?;
            }
            "byte_extract" => {
                let v = need(name, value)?.to_string();
                let vars = &mut self.vars;
                let k = parse_byte_extract(&v, &mut |n| Self::new_slot(vars, name, n)).map_err(|e| kw_err(name, e))?;
                self.push(name, PayloadKw::ByteExtract(k))?;
            }
            "byte_math" => {
                let v = need(name, value)?.to_string();
                let snapshot = self.vars.clone();
                let look = |n: &str| snapshot.get(n).copied();
                let vars = &mut self.vars;
                let k = parse_byte_math(&v, &look, &mut |n| Self::new_slot(vars, name, n)).map_err(|e| kw_err(name, e))?;
                self.push(name, PayloadKw::ByteMath(k))?;
            }
            "isdataat" => {
                let k = parse_isdataat(need(name, value)?, &self.var_lookup()).map_err(|e| invalid(name, e))?;
                self.push(name, PayloadKw::IsDataAt(k))?;
            }
            "dsize" => {
                if self.dsize.is_some() {
                    return Err(invalid(name, "dsize given twice"));
                }
                self.dsize = Some(super::keywords::dsize::parse_dsize(need(name, value)?).map_err(|e| invalid(name, e))?);
            }
            "bsize" => {
                let m = super::keywords::bsize::parse_bsize(need(name, value)?).map_err(|e| invalid(name, e))?;
                let Some(c) = self.chains.get_mut(self.cur) else { return Err(invalid(name, "no inspection buffer")) };
                if c.buffer == BufferId::Payload && c.transforms.is_empty() {
                    return Err(invalid(name, "bsize needs a sticky buffer"));
                }
                if c.bsize.replace(m).is_some() {
                    return Err(invalid(name, "bsize given twice"));
                }
            }
            _ if app_layer_keyword(name) => return Err(refuse(name, format!("needs app-layer {name}"))),
            _ if SNORT3_ONLY.contains(&name) => return Err(refuse(name, format!("Snort 3 keyword {name} not supported"))),
            _ => match keywords::parse_keyword(name, value) {
                None => return Err(refuse(name, format!("unknown keyword {name}"))),
                Some(Err(e)) => return Err(Reject { keyword: Some(e.keyword), reason: e.reason, refused: e.refused }),
                Some(Ok(k)) => {
                    if matches!(k, Keyword::Threshold(_) | Keyword::Cond(Cond::Flow(_)) | Keyword::Cond(Cond::Flowbits(_))) {
                        self.checked.push(k.clone());
                    }
                    self.keyword(k)
                }
            },
        }
        Ok(())
    }

    fn keyword(&mut self, k: Keyword) {
        match k {
            Keyword::Cond(c) => self.conds.push(c),
            Keyword::Post(p) => self.posts.push(p),
            Keyword::Threshold(t) => self.thresholds.push(t),
            Keyword::Meta(m) => match m {
                Meta::Msg(s) => self.msg = Some(s),
                Meta::Sid(s) => self.sid = Some(s),
                Meta::Rev(r) => self.rev = Some(r),
                Meta::Gid(g) => self.gid = Some(g),
                Meta::Classtype(c) => self.classtype = Some(c),
                Meta::Priority(p) => self.priority = Some(p),
                Meta::Reference(..) => {}
                Meta::Metadata(kv) => {
                    for (k, v) in kv {
                        match self.metadata.iter_mut().find(|(key, _)| *key == k) {
                            Some((_, vals)) => vals.push(v),
                            None => self.metadata.push((k, vec![v])),
                        }
                    }
                }
                Meta::Target(t) => self.target = Some(t),
                Meta::NoAlert => self.noalert = true,
            },
        }
    }
}

fn need<'v>(name: &str, v: Option<&'v str>) -> Result<&'v str, Reject> {
    v.filter(|s| !s.trim().is_empty()).ok_or_else(|| invalid(name, format!("{name} needs a value")))
}

fn kw_err(name: &str, e: String) -> Reject {
    if e.contains("dce") || e.contains("not supported") {
        refuse(name, e)
    } else {
        invalid(name, e)
    }
}

/// Picks the prefilter pattern: the explicit `fast_pattern` content, else the longest positive
/// content (first on ties). A negated explicit fast pattern means "no prefilter pattern".
///
/// Contents of a transformed buffer are candidates when every transform keeps a prefilter on
/// the raw buffer exact-or-wider (`dotprefix`, `to_lowercase`, `to_uppercase`): the pattern
/// loses a leading `.` (a `.` added by dotprefix is not in the raw buffer) and becomes
/// caseless, so every buffer the transformed content matches also hits the raw prefilter.
/// Other transforms (digests, decoding) leave the signature without a pattern from that
/// buffer.
fn choose_fast(chains: &[BufChain]) -> Option<(BufferId, Vec<u8>, bool)> {
    let usable = |bc: &&BufChain| bc.transforms.iter().all(|t| matches!(t, Transform::DotPrefix | Transform::ToLowercase | Transform::ToUppercase));
    let contents = chains.iter().filter(usable).flat_map(|bc| {
        bc.chain.iter().filter_map(move |s| match &s.kw {
            PayloadKw::Content(c) => Some((bc, c)),
            _ => None,
        })
    });
    let raw_form = |bc: &BufChain, bytes: &[u8], nocase: bool| -> Option<(BufferId, Vec<u8>, bool)> {
        if bc.transforms.is_empty() {
            return Some((bc.buffer, bytes.to_vec(), nocase));
        }
        let dot = bc.transforms.iter().any(|t| matches!(t, Transform::DotPrefix));
        let b = if dot { bytes.strip_prefix(b".").unwrap_or(bytes) } else { bytes };
        let case = bc.transforms.iter().any(|t| matches!(t, Transform::ToLowercase | Transform::ToUppercase));
        (!b.is_empty()).then(|| (bc.buffer, b.to_vec(), nocase || case))
    };
    if let Some((bc, c)) = contents.clone().find(|(_, c)| c.fast_pattern != FastPattern::None) {
        return if c.negated { None } else { raw_form(bc, c.fast_bytes(), c.nocase) };
    }
    let mut best: Option<(&BufChain, &Content)> = None;
    for (bc, c) in contents.filter(|(_, c)| !c.negated) {
        if best.is_none_or(|(_, x)| c.pattern.len() > x.pattern.len()) {
            best = Some((bc, c));
        }
    }
    best.and_then(|(bc, c)| raw_form(bc, &c.pattern, c.nocase))
}

/// Compiles one rule.
pub(crate) fn compile_rule(rule: &Rule, load_order: usize, settings: &DetectSettings, pcre_cache: &PcreCache) -> Result<Sig, Reject> {
    if rule.header.snort3_service {
        return Err(refuse("protocol", format!("Snort 3 service rule ('{} {} (...)' without addresses and ports); Suricata does not accept this form", rule.header.action.as_str(), rule.header.proto)));
    }
    let (proto, app) = parse_proto(&rule.header.proto)?;
    let mut b = Builder::new(settings, pcre_cache);
    b.app = app;
    for opt in &rule.options {
        b.option(opt.name.as_str(), opt.value.as_deref())?;
    }
    keywords::validate(&b.checked).map_err(|e| Reject { keyword: Some(e.keyword), reason: e.reason, refused: e.refused })?;
    finish(b, rule, proto, load_order)
}

/// Turns the collected options into a signature.
fn finish(mut b: Builder<'_>, rule: &Rule, proto: ProtoMatch, load_order: usize) -> Result<Sig, Reject> {
    let sid = b.sid.or(rule.sid).ok_or_else(|| Reject { keyword: Some("sid".into()), reason: "rule has no sid".into(), refused: false })?;
    let (category, class_prio) = match &b.classtype {
        None => (String::new(), None),
        Some(ct) => match b.settings.classifications.get(ct) {
            Some((desc, prio)) => (desc.clone(), Some(*prio)),
            None => return Err(invalid("classtype", format!("unknown classtype {ct}"))),
        },
    };
    let prio = b.priority.or(class_prio).unwrap_or(3);
    for bc in &mut b.chains {
        let n = bc.chain.len();
        for i in 0..n.saturating_sub(1) {
            let next_rel = bc.chain[i + 1].kw.is_relative();
            bc.chain[i].relative_next = next_rel;
        }
    }
    // Buffers named but left empty (`pkt_data;` alone) inspect nothing.
    b.chains.retain(|bc| !bc.chain.is_empty() || bc.bsize.is_some());
    let fast = choose_fast(&b.chains);
    let tx = b.chains.iter().any(|c| c.buffer.app_proto().is_some()) || b.lens.iter().any(|(bf, _)| bf.app_proto().is_some()) || b.app_conds.iter().any(AppCond::is_tx);
    // Direction of a transaction signature: the side of its one-sided buffers; a rule with
    // both sides runs when the response is there (it reads the request too).
    let sides = b.chains.iter().map(|c| c.buffer).chain(b.lens.iter().map(|(bf, _)| *bf)).filter_map(BufferId::tx_direction);
    let tx_dir = sides.fold(None, |acc: Option<Direction>, d| match acc {
        None => Some(d),
        Some(a) if a == d => Some(a),
        Some(_) => Some(Direction::ToClient),
    });
    // Meta::Msg arrives with quotes removed and escapes resolved (keywords contract).
    let msg = b.msg.unwrap_or_default();
    let meta = SigMeta {
        gid: b.gid.unwrap_or(1),
        sid,
        rev: b.rev.unwrap_or(0),
        msg,
        category,
        severity: prio,
        action: rule.header.action,
        metadata: b.metadata,
        target: b.target,
    };
    Ok(Sig {
        meta: Arc::new(meta),
        proto,
        src: AddrSet::new(&rule.header.src),
        sport: rule.header.sport.clone(),
        dst: AddrSet::new(&rule.header.dst),
        dport: rule.header.dport.clone(),
        sports: PortSet::new(&rule.header.sport),
        dports: PortSet::new(&rule.header.dport),
        bidir: rule.header.bidirectional,
        conds: b.conds,
        posts: b.posts,
        thresholds: b.thresholds,
        noalert: b.noalert,
        bypass: b.bypass,
        force_alert: b.force_alert,
        hostbits: b.hostbits,
        dsize: b.dsize,
        buffers: b.chains,
        fast,
        prio,
        load_order,
        app: b.app,
        tx,
        tx_dir,
        app_conds: b.app_conds,
        lens: b.lens,
    })
}

/// Suricata's default action order: pass, drop, reject, alert.
pub(crate) fn action_rank(a: Action) -> u8 {
    match a {
        Action::Pass => 0,
        Action::Drop => 1,
        Action::Reject | Action::RejectSrc | Action::RejectDst | Action::RejectBoth => 2,
        Action::Alert => 3,
    }
}

/// Sorts signatures the way Suricata assigns internal ids: by action, then rules with flow
/// side effects (flowbits set) before the rest, then priority, then load order.
pub(crate) fn order_sigs(sigs: &mut [Sig]) {
    sigs.sort_by_key(|s| (action_rank(s.meta.action), s.posts.is_empty() && !s.hostbits.iter().any(|h| !h.is_cond()), s.prio, s.load_order));
}

/// Address expression match (negated list members subtract from the positive ones): the
/// reference semantics [`AddrSet`] is tested against.
#[cfg(test)]
pub(crate) fn addr_match(e: &AddrExpr, ip: IpAddr) -> bool {
    match e {
        AddrExpr::Any => true,
        AddrExpr::Net(c) => c.contains(ip),
        AddrExpr::Range(a, b) => match (a, b, ip) {
            (IpAddr::V4(a), IpAddr::V4(b), IpAddr::V4(x)) => *a <= x && x <= *b,
            (IpAddr::V6(a), IpAddr::V6(b), IpAddr::V6(x)) => *a <= x && x <= *b,
            _ => false,
        },
        AddrExpr::Not(x) => !addr_match(x, ip),
        AddrExpr::List(items) => {
            let mut any_pos = false;
            let mut pos_hit = false;
            for it in items {
                match it {
                    AddrExpr::Not(x) => {
                        if addr_match(x, ip) {
                            return false;
                        }
                    }
                    _ => {
                        any_pos = true;
                        pos_hit = pos_hit || addr_match(it, ip);
                    }
                }
            }
            !any_pos || pos_hit
        }
    }
}

/// A compiled address expression: sorted, disjoint, inclusive ranges per address family,
/// checked by binary search (rule address lists of reputation rulesets hold hundreds of nets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AddrSet {
    v4: Vec<(u128, u128)>,
    v6: Vec<(u128, u128)>,
}

const V4_MAX: u128 = u32::MAX as u128;

fn norm(mut r: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    r.sort_unstable();
    let mut out: Vec<(u128, u128)> = Vec::with_capacity(r.len());
    for (a, b) in r {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn complement(r: &[(u128, u128)], max: u128) -> Vec<(u128, u128)> {
    let mut out = Vec::with_capacity(r.len() + 1);
    let mut next = 0u128;
    let mut done = false;
    for &(a, b) in r {
        if a > next {
            out.push((next, a - 1));
        }
        if b >= max {
            done = true;
            break;
        }
        next = b + 1;
    }
    if !done {
        out.push((next, max));
    }
    out
}

fn intersect(x: &[(u128, u128)], y: &[(u128, u128)]) -> Vec<(u128, u128)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < x.len() && j < y.len() {
        let (a, b) = (x[i].0.max(y[j].0), x[i].1.min(y[j].1));
        if a <= b {
            out.push((a, b));
        }
        if x[i].1 < y[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

pub(crate) fn ip_num(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (true, u32::from(a) as u128),
        IpAddr::V6(a) => (false, u128::from(a)),
    }
}

impl AddrSet {
    fn full() -> AddrSet {
        AddrSet { v4: vec![(0, V4_MAX)], v6: vec![(0, u128::MAX)] }
    }

    fn union(sets: impl IntoIterator<Item = AddrSet>) -> AddrSet {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for s in sets {
            v4.extend(s.v4);
            v6.extend(s.v6);
        }
        AddrSet { v4: norm(v4), v6: norm(v6) }
    }

    fn not(&self) -> AddrSet {
        AddrSet { v4: complement(&self.v4, V4_MAX), v6: complement(&self.v6, u128::MAX) }
    }

    fn and(&self, o: &AddrSet) -> AddrSet {
        AddrSet { v4: intersect(&self.v4, &o.v4), v6: intersect(&self.v6, &o.v6) }
    }

    /// Compiles an expression with [`addr_match`]'s semantics.
    pub fn new(e: &AddrExpr) -> AddrSet {
        match e {
            AddrExpr::Any => AddrSet::full(),
            AddrExpr::Net(c) => {
                let (v4, n) = ip_num(c.addr);
                let bits = if v4 { 32 } else { 128 };
                let host = bits - (c.prefix as u32).min(bits);
                let mask = if host >= 128 { u128::MAX } else { (1u128 << host) - 1 };
                let r = vec![(n & !mask, (n & !mask) | mask)];
                if v4 {
                    AddrSet { v4: r, v6: Vec::new() }
                } else {
                    AddrSet { v4: Vec::new(), v6: r }
                }
            }
            AddrExpr::Range(a, b) => {
                let ((fa, x), (fb, y)) = (ip_num(*a), ip_num(*b));
                if fa != fb || x > y {
                    return AddrSet::default();
                }
                if fa {
                    AddrSet { v4: vec![(x, y)], v6: Vec::new() }
                } else {
                    AddrSet { v4: Vec::new(), v6: vec![(x, y)] }
                }
            }
            AddrExpr::Not(x) => AddrSet::new(x).not(),
            AddrExpr::List(items) => {
                let pos: Vec<&AddrExpr> = items.iter().filter(|i| !matches!(i, AddrExpr::Not(_))).collect();
                let pos = if pos.is_empty() { AddrSet::full() } else { AddrSet::union(pos.into_iter().map(AddrSet::new)) };
                let neg = AddrSet::union(items.iter().filter_map(|i| match i {
                    AddrExpr::Not(x) => Some(AddrSet::new(x)),
                    _ => None,
                }));
                pos.and(&neg.not())
            }
        }
    }

    /// Whether `ip` is in the set.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (v4, n) = ip_num(ip);
        let r = if v4 { &self.v4 } else { &self.v6 };
        let i = r.partition_point(|(_, b)| *b < n);
        r.get(i).is_some_and(|(a, _)| *a <= n)
    }
}

/// Port expression match, same list semantics as addresses.
#[cfg(test)]
pub(crate) fn port_match(e: &PortExpr, port: u16) -> bool {
    match e {
        PortExpr::Any => true,
        PortExpr::Range(a, b) => *a <= port && port <= *b,
        PortExpr::Not(x) => !port_match(x, port),
        PortExpr::List(items) => {
            let mut any_pos = false;
            let mut pos_hit = false;
            for it in items {
                match it {
                    PortExpr::Not(x) => {
                        if port_match(x, port) {
                            return false;
                        }
                    }
                    _ => {
                        any_pos = true;
                        pos_hit = pos_hit || port_match(it, port);
                    }
                }
            }
            !any_pos || pos_hit
        }
    }
}

/// A compiled port expression: sorted, disjoint, inclusive ranges with [`port_match`]'s
/// semantics, checked by binary search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PortSet(Vec<(u16, u16)>);

const PORT_MAX: u128 = u16::MAX as u128;

fn port_ranges(e: &PortExpr) -> Vec<(u128, u128)> {
    match e {
        PortExpr::Any => vec![(0, PORT_MAX)],
        PortExpr::Range(a, b) if a <= b => vec![(*a as u128, *b as u128)],
        PortExpr::Range(..) => Vec::new(),
        PortExpr::Not(x) => complement(&port_ranges(x), PORT_MAX),
        PortExpr::List(items) => {
            let pos: Vec<(u128, u128)> = items.iter().filter(|i| !matches!(i, PortExpr::Not(_))).flat_map(port_ranges).collect();
            let pos = if items.iter().all(|i| matches!(i, PortExpr::Not(_))) { vec![(0, PORT_MAX)] } else { norm(pos) };
            let neg: Vec<(u128, u128)> = items
                .iter()
                .filter_map(|i| match i {
                    PortExpr::Not(x) => Some(port_ranges(x)),
                    _ => None,
                })
                .flatten()
                .collect();
            intersect(&pos, &complement(&norm(neg), PORT_MAX))
        }
    }
}

impl PortSet {
    /// Compiles `e`.
    pub fn new(e: &PortExpr) -> PortSet {
        PortSet(norm(port_ranges(e)).into_iter().map(|(a, b)| (a as u16, b.min(PORT_MAX) as u16)).collect())
    }

    /// Whether `port` is in the set.
    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        match self.0.as_slice() {
            [(a, b)] => *a <= port && port <= *b,
            r => {
                let i = r.partition_point(|(_, b)| *b < port);
                r.get(i).is_some_and(|(a, _)| *a <= port)
            }
        }
    }
}

/// Upper bound on (signature, elementary interval) pairs in one [`AddrIndex`]; signatures
/// past it stay in the group's unindexed list (correct, only slower).
pub const MAX_ADDR_INDEX_ENTRIES: usize = 1 << 20;

/// Address -> signatures index (Suricata's IP-only radix tree as elementary intervals):
/// the boundaries of every indexed set split the address space into intervals, each holding
/// the sorted ids of the signatures whose set covers it; a lookup is one binary search.
#[derive(Debug, Default)]
pub(crate) struct AddrIndex {
    /// Start of each interval, ascending; interval `i` is `starts[i]..starts[i + 1]`.
    starts: Vec<u128>,
    /// Per interval: `(offset, len)` into `ids`.
    spans: Vec<(u32, u32)>,
    ids: Vec<u32>,
}

impl AddrIndex {
    /// Builds from `(signature id, ranges)` in ascending signature order. Returns the
    /// index and the signatures that did not fit under [`MAX_ADDR_INDEX_ENTRIES`].
    fn build(entries: &[(u32, &[(u128, u128)])]) -> (AddrIndex, Vec<u32>) {
        if entries.is_empty() {
            return (AddrIndex::default(), Vec::new());
        }
        let mut starts: Vec<u128> = Vec::new();
        for (_, rs) in entries {
            for &(a, b) in rs.iter() {
                starts.push(a);
                if let Some(e) = b.checked_add(1) {
                    starts.push(e);
                }
            }
        }
        starts.sort_unstable();
        starts.dedup();
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); starts.len()];
        let (mut total, mut over) = (0usize, Vec::new());
        for (sid, rs) in entries {
            let covered: Vec<(usize, usize)> = rs
                .iter()
                .map(|&(a, b)| {
                    let i = starts.partition_point(|s| *s < a);
                    let j = b.checked_add(1).map_or(starts.len(), |e| starts.partition_point(|s| *s < e));
                    (i, j)
                })
                .collect();
            let n: usize = covered.iter().map(|(i, j)| j - i).sum();
            if total + n > MAX_ADDR_INDEX_ENTRIES {
                over.push(*sid);
                continue;
            }
            total += n;
            for (i, j) in covered {
                lists.get_mut(i..j).into_iter().flatten().for_each(|l| l.push(*sid));
            }
        }
        let mut idx = AddrIndex { starts: Vec::with_capacity(starts.len()), spans: Vec::with_capacity(starts.len()), ids: Vec::with_capacity(total) };
        let mut prev: Option<&Vec<u32>> = None;
        for (s, l) in starts.iter().zip(lists.iter()) {
            // Adjacent intervals with the same signatures are one interval.
            if prev == Some(l) {
                continue;
            }
            prev = Some(l);
            idx.starts.push(*s);
            idx.spans.push((idx.ids.len() as u32, l.len() as u32));
            idx.ids.extend_from_slice(l);
        }
        (idx, over)
    }

    /// The sorted signature ids whose indexed set contains `n`.
    #[inline]
    pub fn lookup(&self, n: u128) -> &[u32] {
        let i = self.starts.partition_point(|s| *s <= n);
        let Some(&(off, len)) = i.checked_sub(1).and_then(|i| self.spans.get(i)) else { return &[] };
        self.ids.get(off as usize..off as usize + len as usize).unwrap_or(&[])
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

fn index_entries(e: &[(u32, Vec<(u128, u128)>)]) -> Vec<(u32, &[(u128, u128)])> {
    e.iter().map(|(i, r)| (*i, r.as_slice())).collect()
}

/// Number of addresses in `r`, saturating.
fn coverage(r: &[(u128, u128)]) -> u128 {
    r.iter().fold(0u128, |acc, (a, b)| acc.saturating_add((b - a).saturating_add(1)))
}

/// Candidates of a group without a prefilter pattern, split by address: per IP version
/// (0 = v4, 1 = v6), signatures indexed by packet source, by packet destination, and the
/// rest (address sets too wide to be worth indexing) as a sorted list.
#[derive(Debug, Default)]
pub(crate) struct AlwaysSet {
    pub by_src: [AddrIndex; 2],
    pub by_dst: [AddrIndex; 2],
    pub rest: [Vec<u32>; 2],
}

impl AlwaysSet {
    fn build(sigs: &[Sig], members: &[u32]) -> AlwaysSet {
        let mut out = AlwaysSet::default();
        for v in 0..2 {
            let half = if v == 0 { 1u128 << 31 } else { 1u128 << 127 };
            let sets = |s: &Sig| if v == 0 { (s.src.v4.clone(), s.dst.v4.clone()) } else { (s.src.v6.clone(), s.dst.v6.clone()) };
            let mut src_e: Vec<(u32, Vec<(u128, u128)>)> = Vec::new();
            let mut dst_e: Vec<(u32, Vec<(u128, u128)>)> = Vec::new();
            for &iid in members {
                let Some(s) = sigs.get(iid as usize) else { continue };
                let (src, dst) = sets(s);
                if s.bidir {
                    // Forward needs packet src in `src`, reverse needs it in `dst`.
                    let u = norm(src.into_iter().chain(dst).collect());
                    if u.is_empty() {
                        continue; // never matches this IP version
                    }
                    if coverage(&u) < half {
                        src_e.push((iid, u));
                    } else {
                        out.rest[v].push(iid);
                    }
                    continue;
                }
                if src.is_empty() || dst.is_empty() {
                    continue;
                }
                let (cs, cd) = (coverage(&src), coverage(&dst));
                if cs <= cd && cs < half {
                    src_e.push((iid, src));
                } else if cd < half {
                    dst_e.push((iid, dst));
                } else {
                    out.rest[v].push(iid);
                }
            }
            let (si, over_s) = AddrIndex::build(&index_entries(&src_e));
            let (di, over_d) = AddrIndex::build(&index_entries(&dst_e));
            out.by_src[v] = si;
            out.by_dst[v] = di;
            out.rest[v].extend(over_s);
            out.rest[v].extend(over_d);
            out.rest[v].sort_unstable();
            out.rest[v].shrink_to_fit();
        }
        out
    }

    /// Calls `f` with each candidate list for a packet (`v6`, numeric `src`, `dst`).
    #[inline]
    pub fn for_packet(&self, v6: bool, src: u128, dst: u128, mut f: impl FnMut(&[u32])) {
        let v = usize::from(v6);
        if let Some(r) = self.rest.get(v) {
            f(r);
        }
        if let Some(i) = self.by_src.get(v).filter(|i| !i.is_empty()) {
            f(i.lookup(src));
        }
        if let Some(i) = self.by_dst.get(v).filter(|i| !i.is_empty()) {
            f(i.lookup(dst));
        }
    }
}

/// The explicit ports of an expression when it is a small positive set.
fn small_port_set(e: &PortExpr, out: &mut Vec<u16>) -> bool {
    match e {
        PortExpr::Range(a, b) => {
            if (*b as usize).saturating_sub(*a as usize) >= MAX_GROUP_PORTS {
                return false;
            }
            out.extend(*a..=*b);
            out.len() <= MAX_GROUP_PORTS
        }
        PortExpr::List(items) => items.iter().all(|i| small_port_set(i, out)),
        _ => false,
    }
}

/// One buffer's prefilter database in a group.
#[derive(Debug)]
pub(crate) struct BufPrefilter {
    pub buffer: BufferId,
    /// For a transaction buffer: packet directions (0 to_server, 1 to_client) on which some
    /// signature prefiltering on it is evaluated (the scan is skipped on the others).
    pub dirs: [bool; 2],
    pub db: Prefilter,
    /// Pattern id -> signature ids.
    pub pat_sigs: Vec<Vec<u32>>,
}

/// A set of signatures sharing prefilter databases (one per inspected buffer).
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub prefilters: Vec<BufPrefilter>,
    /// Signatures without a prefilter pattern: candidates whenever their addresses fit.
    pub always: AlwaysSet,
    /// Transaction signatures without a prefilter pattern: candidates only on packets where
    /// some transaction changed (most packets carry none, and these are many: app-layer
    /// event rules, pcre-only rules).
    pub always_tx: AlwaysSet,
}

impl Group {
    fn build(cfg: &PrefilterConfig, sigs: &[Sig], members: &[u32]) -> Result<Group, PrefilterError> {
        // buffer -> (pattern ids, specs, pattern -> sigs)
        type PerBuf<'s> = (HashMap<(&'s [u8], bool), u32>, Vec<PatternSpec>, Vec<Vec<u32>>, [bool; 2]);
        let mut per: Vec<(BufferId, PerBuf<'_>)> = Vec::new();
        let mut g = Group::default();
        let mut always = Vec::new();
        let mut always_tx = Vec::new();
        for &sid in members {
            let Some(sig) = sigs.get(sid as usize) else { continue };
            match &sig.fast {
                None if sig.tx => always_tx.push(sid),
                None => always.push(sid),
                Some((buf, bytes, nocase)) => {
                    let i = match per.iter().position(|(b, _)| b == buf) {
                        Some(i) => i,
                        None => {
                            per.push((*buf, Default::default()));
                            per.len() - 1
                        }
                    };
                    let Some((_, (ids, pats, pat_sigs, dirs))) = per.get_mut(i) else { continue };
                    match sig.tx_dir {
                        Some(d) => dirs[super::app::side_idx(d)] = true,
                        None => *dirs = [true, true],
                    }
                    let next = ids.len() as u32;
                    let id = *ids.entry((bytes.as_slice(), *nocase)).or_insert(next);
                    if id == next {
                        pats.push(PatternSpec { bytes: bytes.clone(), nocase: *nocase, id });
                        pat_sigs.push(Vec::new());
                    }
                    if let Some(v) = pat_sigs.get_mut(id as usize) {
                        v.push(sid);
                    }
                }
            }
        }
        g.always = AlwaysSet::build(sigs, &always);
        g.always_tx = AlwaysSet::build(sigs, &always_tx);
        per.sort_by_key(|(b, _)| *b);
        for (buffer, (_, pats, pat_sigs, dirs)) in per {
            g.prefilters.push(BufPrefilter { buffer, dirs, db: Prefilter::build(cfg, &pats)?, pat_sigs });
        }
        Ok(g)
    }
}

/// Protocol buckets for grouping.
pub(crate) const BUCKETS: usize = 4;
/// Bucket index of a packet's protocol: tcp 0, udp 1, icmp 2, other 3.
pub(crate) fn bucket_of_proto(proto: u8) -> usize {
    match proto {
        6 => 0,
        17 => 1,
        1 | 58 => 2,
        _ => 3,
    }
}

/// Per-protocol groups: port-independent, by destination port, by source port.
#[derive(Debug, Default)]
pub(crate) struct ProtoGroups {
    pub any: Group,
    pub by_dport: HashMap<u16, Group>,
    pub by_sport: HashMap<u16, Group>,
}

/// All groups of an engine: `ip` holds rules for every IP packet.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    pub ip: Group,
    pub protos: [ProtoGroups; BUCKETS],
}

impl Groups {
    /// Every prefilter, for scratch allocation.
    pub fn prefilters(&self) -> Vec<&Prefilter> {
        let mut v: Vec<&Prefilter> = self.ip.prefilters.iter().map(|p| &p.db).collect();
        for p in &self.protos {
            v.extend(p.any.prefilters.iter().map(|p| &p.db));
            v.extend(p.by_dport.values().flat_map(|g| g.prefilters.iter().map(|p| &p.db)));
            v.extend(p.by_sport.values().flat_map(|g| g.prefilters.iter().map(|p| &p.db)));
        }
        v
    }
}

/// Groups signatures (already in internal-id order) and builds their prefilters.
pub(crate) fn build_groups(cfg: &PrefilterConfig, sigs: &[Sig]) -> Result<Groups, PrefilterError> {
    use rayon::prelude::*;
    // (bucket or None for ip, kind 0 any / 1 dport / 2 sport, port) -> members
    type Key = (Option<usize>, u8, u16);
    let mut members: HashMap<Key, Vec<u32>> = HashMap::new();
    let mut pending: Vec<(usize, u8, Vec<u16>, u32)> = Vec::new();
    let placements = sigs.iter().enumerate().flat_map(|(iid, s)| {
        let b: &[Option<usize>] = match s.proto {
            ProtoMatch::Ip | ProtoMatch::Ip4 | ProtoMatch::Ip6 => &[None],
            ProtoMatch::Tcp => &[Some(0)],
            ProtoMatch::Udp => &[Some(1)],
            ProtoMatch::TcpUdp => &[Some(0), Some(1)],
            ProtoMatch::Icmp | ProtoMatch::Icmp4 | ProtoMatch::Icmp6 => &[Some(2)],
            ProtoMatch::Num(n) => match bucket_of_proto(n) {
                0 => &[Some(0)],
                1 => &[Some(1)],
                2 => &[Some(2)],
                _ => &[Some(3)],
            },
        };
        b.iter().map(move |bk| (iid as u32, s, *bk))
    });
    for (iid, s, bucket) in placements {
        let Some(b) = bucket.filter(|b| *b <= 1) else {
            members.entry((bucket, 0, 0)).or_default().push(iid);
            continue;
        };
        let mut ports = Vec::new();
        if !s.bidir && small_port_set(&s.dport, &mut ports) {
            pending.push((b, 1, ports, iid));
        } else if !s.bidir && matches!(s.dport, PortExpr::Any) && {
            ports.clear();
            small_port_set(&s.sport, &mut ports)
        } {
            pending.push((b, 2, ports, iid));
        } else {
            members.entry((Some(b), 0, 0)).or_default().push(iid);
        }
    }
    let mut counts: HashMap<(usize, u8, u16), usize> = HashMap::new();
    for (b, k, ports, _) in &pending {
        for p in ports {
            *counts.entry((*b, *k, *p)).or_default() += 1;
        }
    }
    for (b, k, ports, iid) in pending {
        let big: Vec<u16> = ports.iter().copied().filter(|p| counts.get(&(b, k, *p)).copied().unwrap_or(0) >= MIN_PORT_GROUP).collect();
        if big.len() == ports.len() {
            for p in big {
                members.entry((Some(b), k, p)).or_default().push(iid);
            }
        } else {
            members.entry((Some(b), 0, 0)).or_default().push(iid);
        }
    }
    let mut list: Vec<(Key, Vec<u32>)> = members.into_iter().collect();
    list.iter_mut().for_each(|(_, m)| m.sort_unstable());
    let built: Vec<(Key, Result<Group, PrefilterError>)> = list.par_iter().map(|(k, m)| (*k, Group::build(cfg, sigs, m))).collect();
    let mut g = Groups::default();
    for p in &mut g.protos {
        p.any = Group::build(cfg, sigs, &[])?;
    }
    g.ip = Group::build(cfg, sigs, &[])?;
    for ((bucket, kind, port), grp) in built {
        let grp = grp?;
        match (bucket, kind) {
            (None, _) => g.ip = grp,
            (Some(b), 0) => g.protos[b].any = grp,
            (Some(b), 1) => {
                g.protos[b].by_dport.insert(port, grp);
            }
            (Some(b), _) => {
                g.protos[b].by_sport.insert(port, grp);
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::parse::{Header, Span};

    fn rule() -> Rule {
        let header = Header { action: Action::Alert, proto: "tcp".into(), src: AddrExpr::Any, sport: PortExpr::Any, dst: AddrExpr::Any, dport: PortExpr::Any, bidirectional: false, snort3_service: false };
        Rule { header, options: Vec::new(), span: Span { file: Arc::new("t.rules".into()), line: 1 }, sid: Some(7), text: Arc::from("") }
    }

    fn settings() -> DetectSettings {
        let mut s = DetectSettings::default();
        s.classifications.insert("trojan-activity".into(), ("A Network Trojan was detected".into(), 1));
        s.classifications.insert("misc-activity".into(), ("Misc activity".into(), 3));
        s
    }

    fn meta_of(kws: Vec<Meta>) -> Result<Arc<SigMeta>, Reject> {
        let st = settings();
        let cache = PcreCache::default();
        let mut b = Builder::new(&st, &cache);
        for m in kws {
            b.keyword(Keyword::Meta(m));
        }
        finish(b, &rule(), ProtoMatch::Tcp, 0).map(|s| s.meta)
    }

    #[test]
    fn meta_defaults() {
        let m = meta_of(vec![]).unwrap();
        assert_eq!((m.gid, m.sid, m.rev, m.severity, m.category.as_str(), m.msg.as_str()), (1, 7, 0, 3, "", ""));
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn meta_table() {
        let cases: Vec<(&str, Vec<Meta>, Option<(u32, u32, u8, &str)>)> = vec![
            ("classtype_prio", vec![Meta::Classtype("trojan-activity".into())], Some((1, 0, 1, "A Network Trojan was detected"))),
            ("priority_overrides", vec![Meta::Classtype("trojan-activity".into()), Meta::Priority(2)], Some((1, 0, 2, "A Network Trojan was detected"))),
            ("priority_before_classtype", vec![Meta::Priority(2), Meta::Classtype("misc-activity".into())], Some((1, 0, 2, "Misc activity"))),
            ("gid_rev", vec![Meta::Gid(3), Meta::Rev(5)], Some((3, 5, 3, ""))),
            ("unknown_classtype", vec![Meta::Classtype("nope".into())], None),
        ];
        for (name, kws, want) in cases {
            let got = meta_of(kws).ok();
            let got = got.as_ref().map(|m| (m.gid, m.rev, m.severity, m.category.as_str()));
            assert_eq!(got, want, "case {name}");
        }
    }

    #[test]
    fn metadata_groups_keys_in_order() {
        let m = meta_of(vec![
            Meta::Metadata(vec![("a".into(), "1".into()), ("b".into(), "2".into())]),
            Meta::Metadata(vec![("a".into(), "3".into())]),
            Meta::Msg("x\\;y".into()),
            Meta::Sid(9),
            Meta::NoAlert,
        ])
        .unwrap();
        assert_eq!(m.metadata, vec![("a".to_string(), vec!["1".to_string(), "3".to_string()]), ("b".to_string(), vec!["2".to_string()])]);
        assert_eq!(m.sid, 9);
        assert_eq!(m.msg, "x\\;y", "msg is taken as resolved by the keyword parser");
    }

    #[test]
    fn addr_set_agrees_with_addr_match() {
        use crate::detect::parse::Cidr;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let leaf = prop_oneof![
            Just(AddrExpr::Any),
            (0u8..4, 0u8..=32).prop_map(|(x, p)| {
                let a = std::net::Ipv4Addr::new(10, x * 60, 0, 0);
                let m = if p == 0 { 0 } else { u32::MAX << (32 - p as u32) };
                AddrExpr::Net(Cidr { addr: IpAddr::V4((u32::from(a) & m).into()), prefix: p })
            }),
            (0u8..4, 0u8..4).prop_map(|(a, b)| AddrExpr::Range(IpAddr::V4([10, a * 60, 0, 0].into()), IpAddr::V4([10, b * 60, 255, 255].into()))),
            (0u8..=128).prop_map(|p| AddrExpr::Net(Cidr { addr: "::".parse().unwrap(), prefix: p })),
        ];
        let expr = leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![inner.clone().prop_map(|e| AddrExpr::Not(Box::new(e))), proptest::collection::vec(inner, 1..4).prop_map(AddrExpr::List)]
        });
        let ips = proptest::collection::vec((0u8..=255, 0u8..=255, any::<bool>()), 1..16);
        let mut runner = TestRunner::new(Config { cases: 500, ..Config::default() });
        runner
            .run(&(expr, ips), |(e, ips)| {
                let set = AddrSet::new(&e);
                for (b, c, v6) in ips {
                    let ip = if v6 { IpAddr::V6(std::net::Ipv6Addr::new(b as u16, 0, 0, 0, 0, 0, 0, c as u16)) } else { IpAddr::V4([10, b, c, 1].into()) };
                    prop_assert_eq!(set.contains(ip), addr_match(&e, ip), "{:?} {}", e, ip);
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn address_and_port_lists() {
        use crate::detect::parse::Cidr;
        let net = |s: &str, p: u8| AddrExpr::Net(Cidr { addr: s.parse().unwrap(), prefix: p });
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let list = AddrExpr::List(vec![net("10.0.0.0", 8), AddrExpr::Not(Box::new(net("10.1.0.0", 16)))]);
        let only_neg = AddrExpr::List(vec![AddrExpr::Not(Box::new(net("192.168.0.0", 16)))]);
        let cases: &[(&str, &AddrExpr, &str, bool)] = &[
            ("in_list", &list, "10.2.3.4", true),
            ("negated_member", &list, "10.1.3.4", false),
            ("outside", &list, "11.0.0.1", false),
            ("only_negated_outside", &only_neg, "8.8.8.8", true),
            ("only_negated_inside", &only_neg, "192.168.1.1", false),
            ("v6_vs_v4", &list, "::1", false),
        ];
        for (name, e, a, want) in cases {
            assert_eq!(addr_match(e, ip(a)), *want, "case {name}");
        }
        let ports = PortExpr::List(vec![PortExpr::Range(80, 90), PortExpr::Not(Box::new(PortExpr::Range(85, 85)))]);
        assert!(port_match(&ports, 80));
        assert!(!port_match(&ports, 85));
        assert!(!port_match(&ports, 91));
        assert!(port_match(&PortExpr::Not(Box::new(PortExpr::Range(1, 5))), 6));
    }

    #[test]
    fn port_set_agrees_with_port_match() {
        let r = |a, b| PortExpr::Range(a, b);
        let not = |e: PortExpr| PortExpr::Not(Box::new(e));
        let cases: Vec<(&str, PortExpr)> = vec![
            ("any", PortExpr::Any),
            ("single", r(80, 80)),
            ("range", r(1024, 65535)),
            ("empty_range", r(9, 3)),
            ("negated", not(r(1, 5))),
            ("list_with_negation", PortExpr::List(vec![r(80, 90), not(r(85, 85))])),
            ("only_negations", PortExpr::List(vec![not(r(22, 22)), not(r(443, 445))])),
            ("nested", PortExpr::List(vec![r(1, 100), not(PortExpr::List(vec![r(10, 20), not(r(15, 15))]))])),
            ("double_not", not(not(r(7, 9)))),
            ("edges", PortExpr::List(vec![r(0, 0), r(65535, 65535)])),
        ];
        for (name, e) in &cases {
            let set = PortSet::new(e);
            for port in 0..=u16::MAX {
                assert_eq!(set.contains(port), port_match(e, port), "case {name}, port {port}");
            }
        }
    }

    #[test]
    fn addr_index_agrees_with_brute_force() {
        let sets: Vec<Vec<(u128, u128)>> = vec![
            vec![(10, 20), (40, 40)],
            vec![(15, 45)],
            vec![(0, 0), (u32::MAX as u128, u32::MAX as u128)],
            vec![(100, 200)],
            vec![(20, 20)],
        ];
        let entries: Vec<(u32, &[(u128, u128)])> = sets.iter().enumerate().map(|(i, r)| (i as u32 * 3, r.as_slice())).collect();
        let (idx, over) = AddrIndex::build(&entries);
        assert!(over.is_empty());
        let probes = [0u128, 1, 9, 10, 14, 15, 20, 21, 39, 40, 41, 45, 46, 99, 100, 150, 200, 201, u32::MAX as u128 - 1, u32::MAX as u128];
        for n in probes {
            let want: Vec<u32> = entries.iter().filter(|(_, r)| r.iter().any(|(a, b)| *a <= n && n <= *b)).map(|(i, _)| *i).collect();
            assert_eq!(idx.lookup(n), want.as_slice(), "address {n}");
        }
        assert_eq!(AddrIndex::default().lookup(5), &[] as &[u32]);
    }

    #[test]
    fn always_set_routes_by_narrowest_side() {
        use crate::detect::parse::Cidr;
        let net = |s: &str, p: u8| AddrSet::new(&AddrExpr::Net(Cidr { addr: s.parse().unwrap(), prefix: p }));
        let mk = |src: AddrSet, dst: AddrSet, bidir: bool| {
            let st = settings();
            let cache = PcreCache::default();
            let mut sig = finish(Builder::new(&st, &cache), &rule(), ProtoMatch::Tcp, 0).unwrap();
            sig.src = src;
            sig.dst = dst;
            sig.bidir = bidir;
            sig
        };
        let any = AddrSet::full;
        let sigs = vec![
            mk(net("1.2.3.0", 24), any(), false),          // 0: by src
            mk(any(), net("10.0.0.0", 8), false),          // 1: by dst
            mk(any(), any(), false),                       // 2: rest
            mk(net("5.5.5.5", 32), net("6.6.6.6", 32), true), // 3: bidir, by src over both
            mk(net("::1", 128), any(), false),             // 4: v6 only
        ];
        let a = AlwaysSet::build(&sigs, &[0, 1, 2, 3, 4]);
        let v4 = |s: &str| u32::from(s.parse::<std::net::Ipv4Addr>().unwrap()) as u128;
        let got = |v6: bool, src: u128, dst: u128| {
            let mut v = Vec::new();
            a.for_packet(v6, src, dst, |l| v.extend_from_slice(l));
            v.sort_unstable();
            v
        };
        assert_eq!(got(false, v4("1.2.3.4"), v4("10.1.1.1")), vec![0, 1, 2]);
        assert_eq!(got(false, v4("6.6.6.6"), v4("9.9.9.9")), vec![2, 3]);
        assert_eq!(got(false, v4("9.9.9.9"), v4("9.9.9.9")), vec![2]);
        assert_eq!(got(true, 1, 7), vec![2, 4]);
    }
}
