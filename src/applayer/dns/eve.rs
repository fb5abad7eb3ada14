//! The EVE `dns` object, version 3 (Suricata 8): one event per message, `"type":"request"` or
//! `"type":"response"`, header flags as booleans, `queries`, `answers` (detailed), `grouped`
//! (answers by type), `authorities` and `additionals` (OPT records without options left out).
//!
//! Field order is Suricata's: version, type, tx_id, id, flags, qr, aa, tc, rd, ra, z, opcode,
//! rcode, queries, answers, grouped, authorities, additionals. `grouped` is written in order of
//! first appearance (Suricata iterates a hash map: its order is unspecified).
//!
//! Names and byte strings follow Suricata's `set_string_from_bytes`: valid UTF-8 is written as
//! is (JSON-escaped), otherwise every byte >= 0x80 becomes the four characters `\xNN`.

use super::parser::{rcode_name, rrtype_name, DnsRData, DnsRecord};
use super::DnsTx;
use crate::output::eve::JsonWriter;
use std::fmt::Write as _;

/// Writes a byte string as Suricata does (see the module docs).
pub fn bytes_str(w: &mut JsonWriter<'_>, v: &[u8]) {
    match std::str::from_utf8(v) {
        Ok(s) => {
            w.str(s);
        }
        Err(_) => {
            let mut s = String::with_capacity(v.len() + 16);
            for &b in v {
                if b < 0x80 {
                    s.push(char::from(b));
                } else {
                    let _ = write!(s, "\\x{b:02x}");
                }
            }
            w.str(&s);
        }
    }
}

fn kbytes(w: &mut JsonWriter<'_>, k: &str, v: &[u8]) {
    w.key(k);
    bytes_str(w, v);
}

/// Writes `rrtype` as Suricata names it (the number for unknown types).
pub fn rrtype_value(w: &mut JsonWriter<'_>, t: u16) {
    match rrtype_name(t) {
        Some(n) => w.str(n),
        None => w.display_plain(t),
    };
}

fn addr(w: &mut JsonWriter<'_>, a: &[u8]) {
    match a.len() {
        4 => {
            w.display_plain(format_args!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]));
        }
        16 => {
            let mut s = [0u8; 39];
            let hex = b"0123456789abcdef";
            let mut j = 0;
            for (i, b) in a.iter().enumerate() {
                if i > 0 && i % 2 == 0 {
                    s[j] = b':';
                    j += 1;
                }
                s[j] = hex[usize::from(b >> 4)];
                s[j + 1] = hex[usize::from(b & 15)];
                j += 2;
            }
            w.str(std::str::from_utf8(&s).unwrap_or(""));
        }
        _ => {
            w.str("");
        }
    }
}

fn soa(w: &mut JsonWriter<'_>, s: &super::parser::DnsSoa) {
    w.open();
    kbytes(w, "mname", &s.mname.value);
    if s.mname.truncated {
        w.kbool("mname_truncated", true);
    }
    kbytes(w, "rname", &s.rname.value);
    if s.rname.truncated {
        w.kbool("rname_truncated", true);
    }
    w.ku64("serial", s.serial.into()).ku64("refresh", s.refresh.into()).ku64("retry", s.retry.into());
    w.ku64("expire", s.expire.into()).ku64("minimum", s.minimum.into());
    w.close();
}

fn sshfp(w: &mut JsonWriter<'_>, algo: u8, fp_type: u8, fp: &[u8]) {
    w.open();
    let mut s = String::with_capacity(fp.len() * 3);
    for (i, b) in fp.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02x}");
    }
    w.kstr("fingerprint", &s).ku64("algo", algo.into()).ku64("type", fp_type.into());
    w.close();
}

fn srv(w: &mut JsonWriter<'_>, s: &super::parser::DnsSrv) {
    w.open();
    w.ku64("priority", s.priority.into()).ku64("weight", s.weight.into()).ku64("port", s.port.into());
    kbytes(w, "name", &s.target.value);
    w.close();
}

/// One detailed record object; for TXT, `seg` picks the character-string.
fn record(w: &mut JsonWriter<'_>, r: &DnsRecord, seg: usize) {
    w.open();
    kbytes(w, "rrname", &r.name.value);
    if r.name.truncated {
        w.kbool("rrname_truncated", true);
    }
    w.key("rrtype");
    rrtype_value(w, r.rrtype);
    w.ku64("ttl", r.ttl.into());
    match &r.data {
        DnsRData::Addr(a) => {
            w.key("rdata");
            addr(w, a);
        }
        DnsRData::Name(n) => {
            kbytes(w, "rdata", &n.value);
            if n.truncated {
                w.kbool("rdata_truncated", true);
            }
        }
        DnsRData::Txt(t) => {
            if let Some(s) = t.get(seg) {
                kbytes(w, "rdata", s);
            }
        }
        DnsRData::Null(b) => kbytes(w, "rdata", b),
        DnsRData::Soa(s) => {
            w.key("soa");
            soa(w, s);
        }
        DnsRData::Sshfp { algo, fp_type, fingerprint } => {
            w.key("sshfp");
            sshfp(w, *algo, *fp_type, fingerprint);
        }
        DnsRData::Srv(s) => {
            w.key("srv");
            srv(w, s);
        }
        DnsRData::Opt(o) => {
            w.key("opt").open_arr();
            for x in o {
                w.open().ku64("code", x.code.into());
                let mut hex = String::with_capacity(x.data.len() * 2);
                for b in &x.data {
                    let _ = write!(hex, "{b:02x}");
                }
                w.kstr("data", &hex);
                w.close();
            }
            w.close_arr();
        }
        DnsRData::Unknown(_) => {}
    }
    w.close();
}

/// A section's records, TXT records expanded to one entry per character-string.
fn records(w: &mut JsonWriter<'_>, rs: &[DnsRecord], skip_empty_opt: bool) {
    for r in rs {
        match &r.data {
            DnsRData::Txt(t) => {
                for i in 0..t.len() {
                    record(w, r, i);
                }
            }
            DnsRData::Opt(o) if skip_empty_opt && o.is_empty() => {}
            _ => record(w, r, 0),
        }
    }
}

/// The grouped value of `r` (appended to the open array), if its type is grouped.
fn grouped_value(w: &mut JsonWriter<'_>, r: &DnsRecord) {
    match &r.data {
        DnsRData::Addr(a) => addr(w, a),
        DnsRData::Name(n) => bytes_str(w, &n.value),
        DnsRData::Txt(t) => {
            for s in t {
                bytes_str(w, s);
            }
        }
        DnsRData::Null(b) => bytes_str(w, b),
        DnsRData::Soa(s) => soa(w, s),
        DnsRData::Sshfp { algo, fp_type, fingerprint } => sshfp(w, *algo, *fp_type, fingerprint),
        DnsRData::Srv(s) => srv(w, s),
        DnsRData::Opt(_) | DnsRData::Unknown(_) => {}
    }
}

fn is_grouped(d: &DnsRData) -> bool {
    !matches!(d, DnsRData::Opt(_) | DnsRData::Unknown(_))
}

/// Whether Suricata logs this transaction at all (it logs only messages with a question).
pub fn loggable(tx: &DnsTx) -> bool {
    !tx.message.queries.is_empty()
}

/// The `outputs.eve-log.types.dns` options of Suricata 8 that shape the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsEveOptions {
    /// `requests`: log requests (default yes).
    pub requests: bool,
    /// `responses`: log responses (default yes).
    pub responses: bool,
    /// `formats` has `detailed`: the `answers` array (default yes).
    pub detailed: bool,
    /// `formats` has `grouped`: the `grouped` object (default yes).
    pub grouped: bool,
    /// `types`: the question types logged (bit `t` for rrtype `t` < 320); `None`: all.
    pub types: Option<[u64; 5]>,
    /// `version`: 3 (default, one event per message) or 2 (Suricata 7's format: one `query`
    /// event per question, one `answer` event per response, both written client → server).
    pub version: u8,
}

impl Default for DnsEveOptions {
    fn default() -> Self {
        DnsEveOptions { requests: true, responses: true, detailed: true, grouped: true, types: None, version: 3 }
    }
}

impl DnsEveOptions {
    /// Whether `tx` gets an event with these options (Suricata: a message is logged when one
    /// of its questions has a logged type).
    pub fn logs(&self, tx: &DnsTx) -> bool {
        (if tx.is_request() { self.requests } else { self.responses }) && tx.message.queries.iter().any(|q| self.type_enabled(q.rrtype))
    }

    /// Whether questions of type `t` are logged.
    pub fn type_enabled(&self, t: u16) -> bool {
        match &self.types {
            None => true,
            Some(b) => b.get(usize::from(t / 64)).is_some_and(|w| w & (1u64 << (t % 64)) != 0),
        }
    }

    /// Enables type `name` of the config's `types` list (Suricata's lower-case names: `a`,
    /// `aaaa`, `mx`, ...); returns false for names Suricata does not know.
    pub fn enable_type(&mut self, name: &str) -> bool {
        let t = match name.to_ascii_lowercase().as_str() {
            "md" => Some(3),
            "nsapptr" => Some(23),
            "cdnskey" => Some(60),
            "axfr" | "ixfr" | "svcb" => None,
            n => super::parser::rrtype_from_name(n).filter(|t| n.parse::<u16>().is_err() && *t < 320),
        };
        let Some(t) = t else { return false };
        let b = self.types.get_or_insert([0; 5]);
        if let Some(w) = b.get_mut(usize::from(t / 64)) {
            *w |= 1u64 << (t % 64);
        }
        true
    }
}

/// Version 2: the members of the `dns` object of the `query` event for question `qi` of the
/// request `tx` (Suricata's `dns_log_query`).
pub fn write_dns_v2_query(w: &mut JsonWriter<'_>, tx: &DnsTx, qi: usize) {
    let m = &tx.message;
    let Some(q) = m.queries.get(qi) else { return };
    w.ku64("version", 2).kstr("type", "query").ku64("id", m.id.into());
    kbytes(w, "rrname", &q.name.value);
    if q.name.truncated {
        w.kbool("rrname_truncated", true);
    }
    w.key("rrtype");
    rrtype_value(w, q.rrtype);
    w.ku64("tx_id", tx.id.0);
    if m.flags & 0x0040 != 0 {
        w.kbool("z", true);
    }
    w.ku64("opcode", m.opcode().into());
}

/// Version 2: the members of the `dns` object of the `answer` event of the response `tx`
/// (Suricata's `dns_log_json_answer`).
pub fn write_dns_v2_answer(w: &mut JsonWriter<'_>, tx: &DnsTx, opts: DnsEveOptions) {
    let m = &tx.message;
    w.ku64("version", 2).kstr("type", "answer").ku64("id", m.id.into());
    w.key("flags").display_plain(format_args!("{:x}", m.flags));
    for (bit, name) in [(0x8000u16, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0040, "z")] {
        if m.flags & bit != 0 {
            w.kbool(name, true);
        }
    }
    w.ku64("opcode", m.opcode().into());
    if let Some(q) = m.queries.first() {
        kbytes(w, "rrname", &q.name.value);
        if q.name.truncated {
            w.kbool("rrname_truncated", true);
        }
        w.key("rrtype");
        rrtype_value(w, q.rrtype);
    }
    w.key("rcode");
    match rcode_name(m.rcode().into()) {
        Some(n) => w.str(n),
        None => w.display_plain(m.rcode()),
    };
    write_sections(w, m, opts);
}

/// Writes the members of the `dns` object for `tx` (call inside the open object), with the
/// default options.
pub fn write_dns(w: &mut JsonWriter<'_>, tx: &DnsTx) {
    write_dns_with(w, tx, DnsEveOptions::default());
}

/// Writes the members of the `dns` object for `tx` with `opts`.
pub fn write_dns_with(w: &mut JsonWriter<'_>, tx: &DnsTx, opts: DnsEveOptions) {
    let m = &tx.message;
    w.ku64("version", 3);
    w.kstr("type", if tx.is_request() { "request" } else { "response" });
    w.ku64("tx_id", tx.id.0);
    w.ku64("id", m.id.into());
    w.key("flags").display_plain(format_args!("{:x}", m.flags));
    for (bit, name) in [(0x8000u16, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0040, "z")] {
        if m.flags & bit != 0 {
            w.kbool(name, true);
        }
    }
    w.ku64("opcode", m.opcode().into());
    w.key("rcode");
    match rcode_name(m.rcode().into()) {
        Some(n) => w.str(n),
        None => w.display_plain(m.rcode()),
    };
    if !m.queries.is_empty() {
        w.key("queries").open_arr();
        for q in m.queries.iter().filter(|q| opts.type_enabled(q.rrtype)) {
            w.open();
            kbytes(w, "rrname", &q.name.value);
            w.key("rrtype");
            rrtype_value(w, q.rrtype);
            if q.name.truncated {
                w.kbool("rrname_truncated", true);
            }
            w.close();
        }
        w.close_arr();
    }
    write_sections(w, m, opts);
}

/// `answers`, `grouped`, `authorities`, `additionals` (shared by versions 2 and 3).
fn write_sections(w: &mut JsonWriter<'_>, m: &super::DnsMessage, opts: DnsEveOptions) {
    if !m.answers.is_empty() && opts.detailed {
        w.key("answers").open_arr();
        records(w, &m.answers, false);
        w.close_arr();
    }
    if !m.answers.is_empty() && opts.grouped {
        w.key("grouped").open();
        // Types in order of first appearance; a type's values in record order. Quadratic in
        // the number of distinct types only (a handful), no allocation.
        for (i, r) in m.answers.iter().enumerate() {
            if !is_grouped(&r.data) || m.answers[..i].iter().any(|p| p.rrtype == r.rrtype && is_grouped(&p.data)) {
                continue;
            }
            match rrtype_name(r.rrtype) {
                Some(n) => w.key(n),
                None => w.key(&r.rrtype.to_string()),
            };
            w.open_arr();
            for x in m.answers[i..].iter().filter(|x| x.rrtype == r.rrtype) {
                grouped_value(w, x);
            }
            w.close_arr();
        }
        w.close();
    }
    if !m.authorities.is_empty() {
        w.key("authorities").open_arr();
        records(w, &m.authorities, false);
        w.close_arr();
    }
    if m.additionals.iter().any(|r| !matches!(&r.data, DnsRData::Opt(o) if o.is_empty())) {
        w.key("additionals").open_arr();
        records(w, &m.additionals, true);
        w.close_arr();
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::tests::{query, response_a};
    use super::super::{DnsConfig, DnsState};
    use super::*;
    use crate::flow::Direction;
    use crate::time::Timestamp;

    fn json(tx: &DnsTx) -> String {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open();
        write_dns(&mut w, tx);
        w.close();
        serde_json::from_slice::<serde_json::Value>(&buf).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&buf)));
        String::from_utf8(buf).expect("utf8")
    }

    #[test]
    fn request_and_response_objects() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &query(4146, "google.com", 16));
        s.on_data(Direction::ToClient, Timestamp::default(), &response_a(4146, "google.com", [216, 239, 37, 26]));
        let v: Vec<_> = s.txs().map(json).collect();
        assert_eq!(
            v[0],
            r#"{"version":3,"type":"request","tx_id":0,"id":4146,"flags":"100","rd":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"google.com","rrtype":"TXT"}]}"#
        );
        assert_eq!(
            v[1],
            r#"{"version":3,"type":"response","tx_id":1,"id":4146,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR","queries":[{"rrname":"google.com","rrtype":"A"}],"answers":[{"rrname":"google.com","rrtype":"A","ttl":3600,"rdata":"216.239.37.26"}],"grouped":{"A":["216.239.37.26"]}}"#
        );
    }

    #[test]
    fn formats_and_directions() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &query(1, "a.b", 1));
        s.on_data(Direction::ToClient, Timestamp::default(), &response_a(1, "a.b", [1, 1, 1, 1]));
        let v: Vec<&DnsTx> = s.txs().collect();
        let only_resp = DnsEveOptions { requests: false, ..DnsEveOptions::default() };
        assert!(!only_resp.logs(v[0]) && only_resp.logs(v[1]));
        let grouped_only = DnsEveOptions { detailed: false, ..DnsEveOptions::default() };
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        w.open();
        write_dns_with(&mut w, v[1], grouped_only);
        w.close();
        let text = String::from_utf8(buf).expect("utf8");
        assert!(!text.contains("\"answers\"") && text.contains("\"grouped\":{\"A\":[\"1.1.1.1\"]}"), "{text}");
    }

    #[test]
    fn version_2() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &query(36146, "www.suricata-ids.org", 1));
        s.on_data(Direction::ToClient, Timestamp::default(), &response_a(36146, "www.suricata-ids.org", [192, 0, 78, 24]));
        let v: Vec<&DnsTx> = s.txs().collect();
        let text = |f: &dyn Fn(&mut JsonWriter<'_>)| {
            let mut buf = Vec::new();
            let mut w = JsonWriter::new(&mut buf);
            w.open();
            f(&mut w);
            w.close();
            String::from_utf8(buf).expect("utf8")
        };
        assert_eq!(
            text(&|w| write_dns_v2_query(w, v[0], 0)),
            r#"{"version":2,"type":"query","id":36146,"rrname":"www.suricata-ids.org","rrtype":"A","tx_id":0,"opcode":0}"#
        );
        assert_eq!(
            text(&|w| write_dns_v2_answer(w, v[1], DnsEveOptions::default())),
            r#"{"version":2,"type":"answer","id":36146,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,"rrname":"www.suricata-ids.org","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"www.suricata-ids.org","rrtype":"A","ttl":3600,"rdata":"192.0.78.24"}],"grouped":{"A":["192.0.78.24"]}}"#
        );
    }

    #[test]
    fn type_filter() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &query(1, "a.b", 15));
        s.on_data(Direction::ToServer, Timestamp::default(), &query(2, "a.b", 1));
        let v: Vec<&DnsTx> = s.txs().collect();
        let mut o = DnsEveOptions::default();
        assert!(o.logs(v[0]) && o.logs(v[1]));
        assert!(o.enable_type("mx") && o.enable_type("AAAA") && o.enable_type("nsapptr"));
        assert!(!o.enable_type("bogus"));
        assert!(o.logs(v[0]) && !o.logs(v[1]));
        assert!(o.type_enabled(28) && o.type_enabled(23) && !o.type_enabled(1));
    }

    #[test]
    fn non_utf8_bytes_are_hex_escaped() {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        bytes_str(&mut w, b"a\xffb");
        assert_eq!(String::from_utf8_lossy(&buf), r#""a\\xffb""#);
    }

    #[test]
    fn ipv6_format() {
        let mut buf = Vec::new();
        let mut w = JsonWriter::new(&mut buf);
        addr(&mut w, &[0x20, 0x01, 0x04, 0xf8, 0, 4, 0, 7, 2, 0xe0, 0x81, 0xff, 0xfe, 0x52, 0x9a, 0x6b]);
        assert_eq!(String::from_utf8_lossy(&buf), r#""2001:04f8:0004:0007:02e0:81ff:fe52:9a6b""#);
    }
}
