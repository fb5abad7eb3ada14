//! Pure DNS message decoding (RFC 1035 wire format plus EDNS, RFC 6891): one complete message
//! in, a [`DnsMessage`] out. No I/O, no state; every loop is bounded.
//!
//! Leniency follows Suricata's DNS parser: a message whose header, questions or answers do not
//! decode is malformed (no transaction, `dns.malformed_data`); broken authority or additional
//! sections are dropped with `dns.invalid_authorities` / `dns.invalid_additionals`; trailing
//! bytes after the last record are ignored; rdata that does not decode as its type's layout
//! makes its section invalid, as in Suricata.
//!
//! Bounds: a decoded name keeps at most [`MAX_NAME_LEN`] bytes (the rest is dropped, the name
//! is flagged truncated, `dns.name_too_long`); a name is followed through at most
//! [`MAX_LABELS`] labels and pointers (`dns.too_many_labels`), which also bounds compression
//! loops; a pointer to itself is `dns.infinite_loop`. Per message at most
//! [`DnsLimits::max_records`] records are decoded and at most [`DnsLimits::max_decoded_bytes`]
//! bytes of names and rdata are stored (compression lets 2 wire bytes expand into a 1 KiB
//! name); records beyond either are dropped and counted in [`DnsMessage::records_dropped`].

/// Longest decoded name kept, in bytes (Suricata's limit: longer names are truncated).
pub const MAX_NAME_LEN: usize = 1025;
/// Labels and compression pointers followed per name before giving up on it.
pub const MAX_LABELS: usize = 255;
/// The fixed header length.
pub const HEADER_LEN: usize = 12;

/// Record types with a name (Suricata's `DNS_RECORD_TYPE_*`).
pub mod rrtype {
    /// A.
    pub const A: u16 = 1;
    /// NS.
    pub const NS: u16 = 2;
    /// CNAME.
    pub const CNAME: u16 = 5;
    /// SOA.
    pub const SOA: u16 = 6;
    /// NULL.
    pub const NULL: u16 = 10;
    /// PTR.
    pub const PTR: u16 = 12;
    /// MX.
    pub const MX: u16 = 15;
    /// TXT.
    pub const TXT: u16 = 16;
    /// AAAA.
    pub const AAAA: u16 = 28;
    /// SRV.
    pub const SRV: u16 = 33;
    /// OPT (EDNS).
    pub const OPT: u16 = 41;
    /// SSHFP.
    pub const SSHFP: u16 = 44;
}

/// Suricata's name for record type `t` (`"A"`, `"AAAA"`, ...; the number for unknown types).
/// Unknown types are written by [`write_rrtype_name`]; this returns `None` for them.
pub fn rrtype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        3 => "ND", // sic: Suricata's spelling
        4 => "MF",
        5 => "CNAME",
        6 => "SOA",
        7 => "MB",
        8 => "MG",
        9 => "MR",
        10 => "NULL",
        11 => "WKS",
        12 => "PTR",
        13 => "HINFO",
        14 => "MINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        18 => "AFSDB",
        19 => "X25",
        20 => "ISDN",
        21 => "RT",
        22 => "NSAP",
        23 => "NSAPPT", // sic: Suricata's spelling
        24 => "SIG",
        25 => "KEY",
        26 => "PX",
        27 => "GPOS",
        28 => "AAAA",
        29 => "LOC",
        30 => "NXT",
        33 => "SRV",
        34 => "ATMA",
        35 => "NAPTR",
        36 => "KX",
        37 => "CERT",
        38 => "A6",
        39 => "DNAME",
        41 => "OPT",
        42 => "APL",
        43 => "DS",
        44 => "SSHFP",
        45 => "IPSECKEY",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        49 => "DHCID",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        52 => "TLSA",
        55 => "HIP",
        59 => "CDS",
        60 => "CDSNKEY", // sic: Suricata's spelling
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        249 => "TKEY",
        250 => "TSIG",
        254 => "MAILA",
        255 => "ANY",
        256 => "URI",
        _ => return None,
    })
}

/// The record type a rule names (`dns.rrtype:A`), case-insensitively, or a number.
pub fn rrtype_from_name(s: &str) -> Option<u16> {
    if let Ok(n) = s.parse::<u16>() {
        return Some(n);
    }
    (0u16..=256).find(|t| rrtype_name(*t).is_some_and(|n| n.eq_ignore_ascii_case(s)))
}

/// Suricata's name of the response code in the low 4 bits of `flags`.
pub fn rcode_name(rcode: u16) -> Option<&'static str> {
    Some(match rcode {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => return None,
    })
}

/// A decoded domain name (labels joined with `.`, no trailing dot, raw label bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsName {
    /// The name, at most [`MAX_NAME_LEN`] bytes.
    pub value: Vec<u8>,
    /// The name was longer than [`MAX_NAME_LEN`] and was cut.
    pub truncated: bool,
}

/// One question.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsQuery {
    /// QNAME.
    pub name: DnsName,
    /// QTYPE.
    pub rrtype: u16,
    /// QCLASS.
    pub rrclass: u16,
}

/// SOA rdata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsSoa {
    /// Primary server.
    pub mname: DnsName,
    /// Responsible mailbox.
    pub rname: DnsName,
    /// Serial.
    pub serial: u32,
    /// Refresh.
    pub refresh: u32,
    /// Retry.
    pub retry: u32,
    /// Expire.
    pub expire: u32,
    /// Minimum TTL.
    pub minimum: u32,
}

/// SRV rdata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsSrv {
    /// Priority.
    pub priority: u16,
    /// Weight.
    pub weight: u16,
    /// Port.
    pub port: u16,
    /// Target host.
    pub target: DnsName,
}

/// One EDNS option of an OPT record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsOpt {
    /// Option code.
    pub code: u16,
    /// Option data.
    pub data: Vec<u8>,
}

/// Decoded rdata, per type as Suricata decodes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsRData {
    /// A or AAAA: the raw address bytes (Suricata prints 4 or 16 bytes, anything else as "").
    Addr(Vec<u8>),
    /// CNAME, NS, PTR, MX (preference dropped, as Suricata logs it): a name.
    Name(DnsName),
    /// TXT: each character-string.
    Txt(Vec<Vec<u8>>),
    /// NULL: raw bytes.
    Null(Vec<u8>),
    /// SOA.
    Soa(DnsSoa),
    /// SRV.
    Srv(DnsSrv),
    /// SSHFP.
    Sshfp {
        /// Algorithm.
        algo: u8,
        /// Fingerprint type.
        fp_type: u8,
        /// Fingerprint bytes.
        fingerprint: Vec<u8>,
    },
    /// OPT (EDNS) options.
    Opt(Vec<DnsOpt>),
    /// Any other type: the raw rdata.
    Unknown(Vec<u8>),
}

impl DnsRData {
    /// The name-typed rdata (CNAME/NS/PTR/MX), if any.
    pub fn name(&self) -> Option<&DnsName> {
        match self {
            DnsRData::Name(n) => Some(n),
            _ => None,
        }
    }

    fn stored_bytes(&self) -> usize {
        match self {
            DnsRData::Addr(v) | DnsRData::Null(v) | DnsRData::Unknown(v) => v.len(),
            DnsRData::Name(n) => n.value.len(),
            DnsRData::Txt(t) => t.iter().map(|s| s.len() + 24).sum(),
            DnsRData::Soa(s) => s.mname.value.len() + s.rname.value.len(),
            DnsRData::Srv(s) => s.target.value.len(),
            DnsRData::Sshfp { fingerprint, .. } => fingerprint.len(),
            DnsRData::Opt(o) => o.iter().map(|x| x.data.len() + 28).sum(),
        }
    }
}

/// One resource record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// Owner name.
    pub name: DnsName,
    /// TYPE.
    pub rrtype: u16,
    /// CLASS.
    pub rrclass: u16,
    /// TTL.
    pub ttl: u32,
    /// Decoded rdata.
    pub data: DnsRData,
}

/// Name-decoding anomalies of one message (Suricata's `DNSNameFlags`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NameFlags {
    /// A name was longer than [`MAX_NAME_LEN`].
    pub truncated: bool,
    /// A compression pointer pointed at itself.
    pub infinite_loop: bool,
    /// A name needed more than [`MAX_LABELS`] labels and pointers.
    pub label_limit: bool,
}

/// A decoded message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsMessage {
    /// Message id.
    pub id: u16,
    /// The flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode).
    pub flags: u16,
    /// Questions.
    pub queries: Vec<DnsQuery>,
    /// Answer section.
    pub answers: Vec<DnsRecord>,
    /// Authority section.
    pub authorities: Vec<DnsRecord>,
    /// Additional section (OPT included).
    pub additionals: Vec<DnsRecord>,
    /// Name anomalies.
    pub name_flags: NameFlags,
    /// The authority section did not decode (dropped).
    pub invalid_authorities: bool,
    /// The additional section did not decode (dropped).
    pub invalid_additionals: bool,
    /// Records not decoded because of [`DnsLimits`].
    pub records_dropped: u32,
}

impl DnsMessage {
    /// QR bit.
    pub fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }
    /// Opcode (4 bits).
    pub fn opcode(&self) -> u8 {
        ((self.flags >> 11) & 0x0f) as u8
    }
    /// Rcode (low 4 bits of the header; the EDNS extension is not applied, as Suricata).
    pub fn rcode(&self) -> u8 {
        (self.flags & 0x0f) as u8
    }
    /// Bytes this message holds on the heap (approximate, for memory accounting).
    pub fn memory_bytes(&self) -> usize {
        let rec = |r: &DnsRecord| std::mem::size_of::<DnsRecord>() + r.name.value.len() + r.data.stored_bytes();
        self.queries.iter().map(|q| std::mem::size_of::<DnsQuery>() + q.name.value.len()).sum::<usize>()
            + self.answers.iter().map(rec).sum::<usize>()
            + self.authorities.iter().map(rec).sum::<usize>()
            + self.additionals.iter().map(rec).sum::<usize>()
    }
}

/// Per-message decoding limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsLimits {
    /// Records (questions included) decoded per message.
    pub max_records: usize,
    /// Name and rdata bytes stored per message.
    pub max_decoded_bytes: usize,
}

impl Default for DnsLimits {
    fn default() -> Self {
        DnsLimits { max_records: 4096, max_decoded_bytes: 256 * 1024 }
    }
}

/// Why a message did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Shorter than a header.
    Short,
    /// The header, a question or an answer did not decode.
    Malformed,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?]))
}

/// Decodes the name at `start` of `msg`; returns it and the offset after it (after the first
/// pointer when compression was used). `None`: the name runs off the message or uses a
/// reserved label type.
pub fn parse_name(msg: &[u8], start: usize, flags: &mut NameFlags) -> Option<(DnsName, usize)> {
    let mut name = DnsName::default();
    let mut pos = start;
    let mut after: Option<usize> = None;
    let mut steps = 0usize;
    loop {
        let len = *msg.get(pos)?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                pos += 1;
                break;
            }
            0x00 => {
                let l = usize::from(len);
                let label = msg.get(pos + 1..pos + 1 + l)?;
                if !name.truncated {
                    let dot = usize::from(!name.value.is_empty());
                    if name.value.len() + dot + l > MAX_NAME_LEN {
                        name.truncated = true;
                        flags.truncated = true;
                        let room = MAX_NAME_LEN.saturating_sub(name.value.len() + dot);
                        if dot == 1 && room > 0 {
                            name.value.push(b'.');
                        }
                        name.value.extend_from_slice(label.get(..room).unwrap_or(&[]));
                    } else {
                        if dot == 1 {
                            name.value.push(b'.');
                        }
                        name.value.extend_from_slice(label);
                    }
                }
                pos += 1 + l;
            }
            0xc0 => {
                let target = usize::from(be16(msg, pos)? & 0x3fff);
                if target == pos {
                    flags.infinite_loop = true;
                    if let Some(a) = after {
                        return Some((name, a));
                    }
                    return None;
                }
                if target >= msg.len() {
                    return None;
                }
                if after.is_none() {
                    after = Some(pos + 2);
                }
                pos = target;
            }
            // 0x40 / 0x80: extended and reserved label types.
            _ => return None,
        }
        steps += 1;
        if steps > MAX_LABELS {
            flags.label_limit = true;
            // Without a pointer the end of the name is unknown: the message cannot go on.
            return after.map(|a| (name, a));
        }
    }
    Some((name, after.unwrap_or(pos)))
}

/// Decodes one record's rdata (`rd` = the rdata span `start..end` of `msg`).
fn parse_rdata(msg: &[u8], t: u16, start: usize, end: usize, flags: &mut NameFlags) -> Option<DnsRData> {
    let rd = msg.get(start..end)?;
    let name_in_rdata = |at: usize, flags: &mut NameFlags| -> Option<(DnsName, usize)> {
        if at >= end {
            return None;
        }
        parse_name(msg, at, flags)
    };
    Some(match t {
        rrtype::A | rrtype::AAAA => DnsRData::Addr(rd.to_vec()),
        rrtype::CNAME | rrtype::NS | rrtype::PTR => DnsRData::Name(name_in_rdata(start, flags)?.0),
        rrtype::MX => {
            if rd.len() < 2 {
                return None;
            }
            DnsRData::Name(name_in_rdata(start + 2, flags)?.0)
        }
        rrtype::SOA => {
            let (mname, p) = name_in_rdata(start, flags)?;
            let (rname, p) = name_in_rdata(p, flags)?;
            if p + 20 > end {
                return None;
            }
            DnsRData::Soa(DnsSoa {
                mname,
                rname,
                serial: be32(msg, p)?,
                refresh: be32(msg, p + 4)?,
                retry: be32(msg, p + 8)?,
                expire: be32(msg, p + 12)?,
                minimum: be32(msg, p + 16)?,
            })
        }
        rrtype::SRV => {
            if rd.len() < 6 {
                return None;
            }
            let (target, _) = name_in_rdata(start + 6, flags)?;
            DnsRData::Srv(DnsSrv { priority: be16(rd, 0)?, weight: be16(rd, 2)?, port: be16(rd, 4)?, target })
        }
        rrtype::TXT => {
            let mut parts = Vec::new();
            let mut i = 0;
            while i < rd.len() {
                let l = usize::from(rd[i]);
                parts.push(rd.get(i + 1..i + 1 + l)?.to_vec());
                i += 1 + l;
            }
            DnsRData::Txt(parts)
        }
        rrtype::NULL => DnsRData::Null(rd.to_vec()),
        rrtype::SSHFP => {
            if rd.len() < 2 {
                return None;
            }
            DnsRData::Sshfp { algo: rd[0], fp_type: rd[1], fingerprint: rd[2..].to_vec() }
        }
        rrtype::OPT => {
            let mut opts = Vec::new();
            let mut i = 0;
            while i < rd.len() {
                let code = be16(rd, i)?;
                let l = usize::from(be16(rd, i + 2)?);
                opts.push(DnsOpt { code, data: rd.get(i + 4..i + 4 + l)?.to_vec() });
                i += 4 + l;
            }
            DnsRData::Opt(opts)
        }
        _ => DnsRData::Unknown(rd.to_vec()),
    })
}

struct Budget {
    records: usize,
    bytes: usize,
    dropped: u32,
}

/// Decodes `count` records from `pos`; returns them and the offset after the last.
fn parse_records(msg: &[u8], mut pos: usize, count: u16, flags: &mut NameFlags, budget: &mut Budget) -> Option<(Vec<DnsRecord>, usize)> {
    let mut out = Vec::with_capacity(usize::from(count).min(64));
    for _ in 0..count {
        let (name, p) = parse_name(msg, pos, flags)?;
        let rrtype = be16(msg, p)?;
        let rrclass = be16(msg, p + 2)?;
        let ttl = be32(msg, p + 4)?;
        let rdlen = usize::from(be16(msg, p + 8)?);
        let start = p + 10;
        let end = start + rdlen;
        if end > msg.len() {
            return None;
        }
        pos = end;
        if budget.records == 0 || budget.bytes == 0 {
            budget.dropped = budget.dropped.saturating_add(1);
            continue;
        }
        let data = parse_rdata(msg, rrtype, start, end, flags)?;
        let cost = name.value.len() + data.stored_bytes();
        budget.records -= 1;
        budget.bytes = budget.bytes.saturating_sub(cost);
        out.push(DnsRecord { name, rrtype, rrclass, ttl, data });
    }
    Some((out, pos))
}

/// Decodes one complete DNS message.
pub fn parse_message(msg: &[u8], limits: &DnsLimits) -> Result<DnsMessage, ParseError> {
    if msg.len() < HEADER_LEN {
        return Err(ParseError::Short);
    }
    let h = |i| be16(msg, i).unwrap_or(0);
    let (id, flags, qd, an, ns, ar) = (h(0), h(2), h(4), h(6), h(8), h(10));
    let mut m = DnsMessage { id, flags, ..DnsMessage::default() };
    let mut budget = Budget { records: limits.max_records, bytes: limits.max_decoded_bytes, dropped: 0 };
    let mut nf = NameFlags::default();
    let mut pos = HEADER_LEN;
    m.queries.reserve(usize::from(qd).min(16));
    for _ in 0..qd {
        let (name, p) = parse_name(msg, pos, &mut nf).ok_or(ParseError::Malformed)?;
        let rrtype = be16(msg, p).ok_or(ParseError::Malformed)?;
        let rrclass = be16(msg, p + 2).ok_or(ParseError::Malformed)?;
        pos = p + 4;
        if budget.records == 0 || budget.bytes == 0 {
            budget.dropped = budget.dropped.saturating_add(1);
            continue;
        }
        budget.records -= 1;
        budget.bytes = budget.bytes.saturating_sub(name.value.len());
        m.queries.push(DnsQuery { name, rrtype, rrclass });
    }
    let (answers, p) = parse_records(msg, pos, an, &mut nf, &mut budget).ok_or(ParseError::Malformed)?;
    m.answers = answers;
    pos = p;
    match parse_records(msg, pos, ns, &mut nf, &mut budget) {
        Some((r, p)) => {
            m.authorities = r;
            pos = p;
            match parse_records(msg, pos, ar, &mut nf, &mut budget) {
                Some((r, _)) => m.additionals = r,
                None => m.invalid_additionals = ar > 0,
            }
        }
        None => {
            m.invalid_authorities = true;
            m.invalid_additionals = ar > 0;
        }
    }
    m.name_flags = nf;
    m.records_dropped = budget.dropped;
    Ok(m)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a message: header fields then raw body.
    pub(crate) fn msg(id: u16, flags: u16, counts: [u16; 4], body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        for x in [id, flags, counts[0], counts[1], counts[2], counts[3]] {
            v.extend_from_slice(&x.to_be_bytes());
        }
        v.extend_from_slice(body);
        v
    }

    pub(crate) fn qname(name: &str) -> Vec<u8> {
        let mut v = Vec::new();
        for l in name.split('.').filter(|l| !l.is_empty()) {
            v.push(l.len() as u8);
            v.extend_from_slice(l.as_bytes());
        }
        v.push(0);
        v
    }

    /// A standard query for `name` of type `t`.
    pub(crate) fn query(id: u16, name: &str, t: u16) -> Vec<u8> {
        let mut b = qname(name);
        b.extend_from_slice(&t.to_be_bytes());
        b.extend_from_slice(&1u16.to_be_bytes());
        msg(id, 0x0100, [1, 0, 0, 0], &b)
    }

    /// A response to `name`/A with one A answer (compressed owner name) and an OPT record.
    pub(crate) fn response_a(id: u16, name: &str, addr: [u8; 4]) -> Vec<u8> {
        let mut b = qname(name);
        b.extend_from_slice(&[0, 1, 0, 1]);
        b.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        b.extend_from_slice(&addr);
        b.extend_from_slice(&[0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]);
        msg(id, 0x8180, [1, 1, 0, 1], &b)
    }

    #[test]
    fn query_and_compressed_response() {
        let q = parse_message(&query(7, "www.example.com", 1), &DnsLimits::default()).expect("query");
        assert_eq!(q.id, 7);
        assert!(!q.is_response());
        assert_eq!(q.queries[0].name.value, b"www.example.com");
        let r = parse_message(&response_a(7, "www.example.com", [1, 2, 3, 4]), &DnsLimits::default()).expect("resp");
        assert!(r.is_response());
        assert_eq!(r.answers.len(), 1);
        assert_eq!(r.answers[0].name.value, b"www.example.com");
        assert_eq!(r.answers[0].ttl, 3600);
        assert_eq!(r.answers[0].data, DnsRData::Addr(vec![1, 2, 3, 4]));
        assert_eq!(r.additionals[0].rrtype, rrtype::OPT);
        assert_eq!(r.additionals[0].data, DnsRData::Opt(vec![]));
    }

    #[test]
    fn rdata_types() {
        let mut b = qname("x.org");
        b.extend_from_slice(&[0, 16, 0, 1]);
        // TXT with two strings
        b.extend_from_slice(&[0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 5, 0, 7, 2, b'h', b'i', 3, b'a', b'b', b'c']);
        // MX 10 mail.x.org (compressed suffix)
        b.extend_from_slice(&[0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 5, 0, 9, 0, 10, 4, b'm', b'a', b'i', b'l', 0xc0, 12]);
        // SRV
        b.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 5, 0, 8, 0, 1, 0, 2, 0, 80, 0xc0, 12]);
        // SSHFP
        b.extend_from_slice(&[0xc0, 12, 0, 44, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 0xab, 0xcd]);
        // SOA
        b.extend_from_slice(&[0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 5, 0, 24, 0xc0, 12, 0xc0, 12]);
        for x in [1u32, 2, 3, 4, 5] {
            b.extend_from_slice(&x.to_be_bytes());
        }
        // unknown type 99 (SPF) raw
        b.extend_from_slice(&[0xc0, 12, 0, 200, 0, 1, 0, 0, 0, 5, 0, 2, 9, 9]);
        let m = parse_message(&msg(1, 0x8180, [1, 6, 0, 0], &b), &DnsLimits::default()).expect("parse");
        let d: Vec<&DnsRData> = m.answers.iter().map(|a| &a.data).collect();
        assert_eq!(d[0], &DnsRData::Txt(vec![b"hi".to_vec(), b"abc".to_vec()]));
        assert_eq!(d[1], &DnsRData::Name(DnsName { value: b"mail.x.org".to_vec(), truncated: false }));
        assert!(matches!(d[2], DnsRData::Srv(s) if s.port == 80 && s.target.value == b"x.org"));
        assert!(matches!(d[3], DnsRData::Sshfp { algo: 1, fp_type: 2, fingerprint } if fingerprint == &[0xab, 0xcd]));
        assert!(matches!(d[4], DnsRData::Soa(s) if s.serial == 1 && s.minimum == 5 && s.rname.value == b"x.org"));
        assert_eq!(d[5], &DnsRData::Unknown(vec![9, 9]));
    }

    #[test]
    fn compression_loops_terminate() {
        // Self-pointer in the question: malformed, infinite loop flagged.
        let m = msg(1, 0x0100, [1, 0, 0, 0], &[0xc0, 12, 0, 1, 0, 1]);
        assert_eq!(parse_message(&m, &DnsLimits::default()), Err(ParseError::Malformed));
        // Two pointers pointing at each other: label limit, terminates.
        let m = msg(1, 0x0100, [1, 0, 0, 0], &[0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
        assert!(parse_message(&m, &DnsLimits::default()).is_ok_and(|m| m.name_flags.label_limit));
        // A label loop: "a" then pointer back to it.
        let m = msg(1, 0x0100, [1, 0, 0, 0], &[1, b'a', 0xc0, 12, 0, 1, 0, 1]);
        let r = parse_message(&m, &DnsLimits::default()).expect("ok");
        assert!(r.name_flags.label_limit);
        assert!(r.queries[0].name.value.len() <= MAX_NAME_LEN);
    }

    #[test]
    fn long_names_are_truncated() {
        let mut b = Vec::new();
        for _ in 0..20 {
            b.push(63);
            b.extend_from_slice(&[b'x'; 63]);
        }
        b.push(0);
        b.extend_from_slice(&[0, 1, 0, 1]);
        let m = parse_message(&msg(1, 0x0100, [1, 0, 0, 0], &b), &DnsLimits::default()).expect("ok");
        assert!(m.name_flags.truncated);
        assert!(m.queries[0].name.truncated);
        assert_eq!(m.queries[0].name.value.len(), MAX_NAME_LEN);
    }

    #[test]
    fn bad_sections() {
        // Answer count too high: malformed.
        let mut b = qname("a.b");
        b.extend_from_slice(&[0, 1, 0, 1]);
        assert_eq!(parse_message(&msg(1, 0x8180, [1, 1, 0, 0], &b), &DnsLimits::default()), Err(ParseError::Malformed));
        // Authority count too high: dropped, flagged.
        let m = parse_message(&msg(1, 0x8180, [1, 0, 1, 0], &b), &DnsLimits::default()).expect("ok");
        assert!(m.invalid_authorities);
        let m = parse_message(&msg(1, 0x8180, [1, 0, 0, 2], &b), &DnsLimits::default()).expect("ok");
        assert!(m.invalid_additionals && !m.invalid_authorities);
        assert_eq!(parse_message(&[0; 5], &DnsLimits::default()), Err(ParseError::Short));
    }

    #[test]
    fn record_budget() {
        let mut b = qname("a.b");
        b.extend_from_slice(&[0, 1, 0, 1]);
        for _ in 0..10 {
            b.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 1, 1, 1]);
        }
        let lim = DnsLimits { max_records: 4, max_decoded_bytes: 1 << 20 };
        let m = parse_message(&msg(1, 0x8180, [1, 10, 0, 0], &b), &lim).expect("ok");
        assert_eq!(m.answers.len(), 3);
        assert_eq!(m.records_dropped, 7);
    }

    #[test]
    fn rrtype_names() {
        assert_eq!(rrtype_from_name("aaaa"), Some(28));
        assert_eq!(rrtype_from_name("TXT"), Some(16));
        assert_eq!(rrtype_from_name("252"), Some(252));
        assert_eq!(rrtype_from_name("nope"), None);
        assert_eq!(rrtype_name(252), None);
    }
}
