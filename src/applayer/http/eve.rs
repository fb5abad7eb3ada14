//! The fields of Suricata's EVE `http` object for one transaction, in Suricata's order:
//! `hostname`, `http_port`, `url`, `http_user_agent`, `http_content_type`, `http_refer`,
//! `http_method`, `protocol`, `status`, `redirect`, `length`, then (when enabled)
//! `request_headers` and `response_headers` as arrays of `{"name","value"}`.
//!
//! `content_range` (an object: `raw`, `start`, `end`, `size`) follows `http_content_type` when
//! the response has a `Content-Range` header.
//!
//! Pure: the output module passes a [`HttpEveSink`] that writes JSON; absent values are
//! skipped, as Suricata does. Strings are raw bytes; the sink escapes them as Suricata does.

use super::{Header, HttpTx};

/// Options for the `http` record (Suricata `outputs.eve-log.types.http`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HttpEveOptions {
    /// `dump-all-headers: request|both`.
    pub request_headers: bool,
    /// `dump-all-headers: response|both`.
    pub response_headers: bool,
}

/// Receives the fields of the `http` object in order.
pub trait HttpEveSink {
    /// A string field (raw bytes, to be JSON-escaped by the sink).
    fn string(&mut self, key: &'static str, value: &[u8]);
    /// An unsigned integer field.
    fn uint(&mut self, key: &'static str, value: u64);
    /// An array of header objects `{"name": .., "value": ..}`.
    fn headers(&mut self, key: &'static str, headers: &[Header]);
    /// The `content_range` object: `raw`, then `start`, `end`, `size` when parsed.
    fn content_range(&mut self, key: &'static str, range: &ContentRange<'_>);
}

/// A parsed `Content-Range` response header, as Suricata logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentRange<'a> {
    /// The header value as sent.
    pub raw: &'a [u8],
    /// First byte position.
    pub start: Option<u64>,
    /// Last byte position.
    pub end: Option<u64>,
    /// Complete length (`None` for `*`).
    pub size: Option<u64>,
}

/// Parses `bytes <start>-<end>/<size|*>` (also without the `bytes` unit, as Suricata accepts).
pub fn parse_content_range(raw: &[u8]) -> ContentRange<'_> {
    let mut r = ContentRange { raw, start: None, end: None, size: None };
    let v = super::parser::trim_lws(raw);
    let v = match v.get(..5) {
        Some(u) if u.eq_ignore_ascii_case(b"bytes") => super::parser::trim_lws(&v[5..]),
        _ => v,
    };
    let (range, size) = match v.iter().position(|b| *b == b'/') {
        Some(p) => (&v[..p], Some(&v[p + 1..])),
        None => (v, None),
    };
    let num = |s: &[u8]| super::parser::parse_content_length(s);
    if let Some(d) = range.iter().position(|b| *b == b'-') {
        let (a, b) = (num(&range[..d]), num(&range[d + 1..]));
        if a.is_some() && b.is_some() {
            r.start = a;
            r.end = b;
        }
    }
    r.size = size.and_then(num);
    r
}

/// Writes `tx`'s `http` object fields into `sink`, in Suricata's order.
pub fn write_http<S: HttpEveSink>(tx: &HttpTx, opts: HttpEveOptions, sink: &mut S) {
    if !tx.host.is_empty() {
        sink.string("hostname", &tx.host);
    }
    if let Some(p) = tx.port {
        sink.uint("http_port", u64::from(p));
    }
    if !tx.uri_raw.is_empty() {
        sink.string("url", &tx.uri_raw);
    }
    if let Some(v) = tx.user_agent() {
        sink.string("http_user_agent", v);
    }
    if let Some(v) = tx.response_content_type() {
        // Suricata logs the media type without parameters.
        let mt = v.split(|b| *b == b';').next().unwrap_or(v);
        sink.string("http_content_type", super::parser::trim_lws(mt));
    }
    if let Some(v) = tx.response_header(b"content-range") {
        sink.content_range("content_range", &parse_content_range(v));
    }
    if let Some(v) = tx.referer() {
        sink.string("http_refer", v);
    }
    if !tx.method.is_empty() {
        sink.string("http_method", &tx.method);
    }
    if !tx.request_protocol.is_empty() {
        sink.string("protocol", &tx.request_protocol);
    }
    match tx.status {
        Some(s) => sink.uint("status", u64::from(s)),
        None if !tx.status_code.is_empty() => sink.string("status", &tx.status_code),
        None => {}
    }
    if let Some(v) = tx.location() {
        sink.string("redirect", v);
    }
    sink.uint("length", tx.response_body_len);
    if opts.request_headers {
        sink.headers("request_headers", &tx.request_headers.list);
    }
    if opts.response_headers {
        sink.headers("response_headers", &tx.response_headers.list);
    }
}

/// A sink collecting `(key, value)` pairs as JSON values, for tests and slow paths.
#[derive(Debug, Default)]
pub struct JsonFields(pub Vec<(&'static str, serde_json::Value)>);

impl HttpEveSink for JsonFields {
    fn string(&mut self, key: &'static str, value: &[u8]) {
        self.0.push((key, serde_json::Value::String(String::from_utf8_lossy(value).into_owned())));
    }
    fn uint(&mut self, key: &'static str, value: u64) {
        self.0.push((key, serde_json::Value::from(value)));
    }
    fn headers(&mut self, key: &'static str, headers: &[Header]) {
        let arr = headers
            .iter()
            .map(|h| {
                serde_json::json!({
                    "name": String::from_utf8_lossy(&h.name),
                    "value": String::from_utf8_lossy(&h.value),
                })
            })
            .collect();
        self.0.push((key, serde_json::Value::Array(arr)));
    }
    fn content_range(&mut self, key: &'static str, r: &ContentRange<'_>) {
        let mut m = serde_json::Map::new();
        m.insert("raw".into(), String::from_utf8_lossy(r.raw).into_owned().into());
        if let (Some(a), Some(b)) = (r.start, r.end) {
            m.insert("start".into(), a.into());
            m.insert("end".into(), b.into());
        }
        if let Some(n) = r.size {
            m.insert("size".into(), n.into());
        }
        self.0.push((key, serde_json::Value::Object(m)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::http::HttpState;
    use crate::applayer::Direction;
    use crate::time::Timestamp;

    fn fields(st: &HttpState, opts: HttpEveOptions) -> Vec<(&'static str, serde_json::Value)> {
        let mut s = JsonFields::default();
        write_http(st.txs().next().expect("a tx"), opts, &mut s);
        s.0
    }

    #[test]
    fn matches_oracle_shape_testmyids() {
        // Shape and values of the oracle's http_testmyids.pcap `http` object.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle/zeek/http_testmyids.pcap.eve.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("oracle {path} missing: {e}"));
        let line = text.lines().find(|l| l.contains("\"event_type\":\"http\"")).expect("an http event in the oracle");
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        // serde_json sorts keys; recover the oracle's order from the line text.
        let mut want: Vec<(String, serde_json::Value)> =
            v["http"].as_object().expect("http object").iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let http_at = line.find("\"http\":{").expect("http object in line");
        want.sort_by_key(|(k, _)| line[http_at..].find(&format!("\"{k}\":")).unwrap_or(usize::MAX));

        let mut st = HttpState::default();
        let ts = Timestamp::from_micros(0);
        st.on_data(
            Direction::ToServer,
            ts,
            b"GET / HTTP/1.1\r\nHost: testmyids.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
        );
        st.on_data(
            Direction::ToClient,
            ts,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 39\r\n\r\nuid=0(root) gid=0(root) groups=0(root)\n",
        );
        let got: Vec<(String, serde_json::Value)> =
            fields(&st, HttpEveOptions::default()).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn content_ranges() {
        type Case<'a> = (&'a str, &'a [u8], Option<u64>, Option<u64>, Option<u64>);
        let cases: &[Case] = &[
            ("full", b"bytes 0-6190/39341", Some(0), Some(6190), Some(39341)),
            ("star size", b"bytes 10-20/*", Some(10), Some(20), None),
            ("no unit", b"5-6/7", Some(5), Some(6), Some(7)),
            ("unsatisfied", b"bytes */100", None, None, Some(100)),
            ("junk", b"whatever", None, None, None),
        ];
        for (name, raw, a, b, n) in cases {
            let r = parse_content_range(raw);
            assert_eq!((r.start, r.end, r.size), (*a, *b, *n), "{name}");
            assert_eq!(r.raw, *raw);
        }
    }

    #[test]
    fn order_with_everything() {
        let mut st = HttpState::default();
        let ts = Timestamp::from_micros(0);
        st.on_data(
            Direction::ToServer,
            ts,
            b"GET http://h.example:8080/a HTTP/1.1\r\nHost: h.example:8080\r\nUser-Agent: u\r\nReferer: r\r\n\r\n",
        );
        st.on_data(
            Direction::ToClient,
            ts,
            b"HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 0\r\n\r\n",
        );
        let f = fields(&st, HttpEveOptions { request_headers: true, response_headers: true });
        let keys: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "hostname",
                "http_port",
                "url",
                "http_user_agent",
                "http_content_type",
                "http_refer",
                "http_method",
                "protocol",
                "status",
                "redirect",
                "length",
                "request_headers",
                "response_headers"
            ]
        );
        assert_eq!(f[4].1, "text/html");
        assert_eq!(f[1].1, 8080);
    }
}
