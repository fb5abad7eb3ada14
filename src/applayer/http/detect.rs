//! What detection reads from an HTTP transaction: Suricata's HTTP sticky buffers
//! (`http.uri`, `http.header`, `file.data`, ...) and when each is final.
//!
//! Every buffer is stored ready in [`HttpTx`] by the parser (the composite ones, `http.header`,
//! `http.header_names`, `http.start`, when the header block completes), so inspection never
//! allocates. A buffer that exists on both sides (`http.header`, `http.protocol`, ...) is read
//! from the side of the direction detection asks for.

use super::HttpTx;
use crate::flow::Direction;

/// One HTTP sticky buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpBuf {
    /// `http.uri` / `http_uri`: the normalised URI.
    Uri,
    /// `http.uri.raw` / `http_raw_uri`: the URI as sent.
    UriRaw,
    /// `http.method`.
    Method,
    /// `http.request_line`.
    RequestLine,
    /// `http.host`: normalised (lowercase, no port).
    Host,
    /// `http.host.raw`.
    HostRaw,
    /// `http.user_agent`.
    UserAgent,
    /// `http.accept`.
    Accept,
    /// `http.accept_enc`.
    AcceptEnc,
    /// `http.accept_lang`.
    AcceptLang,
    /// `http.referer`.
    Referer,
    /// `http.connection`.
    Connection,
    /// `http.request_body` / `http_client_body`: the dechunked request body.
    RequestBody,
    /// `http.stat_code`.
    StatCode,
    /// `http.stat_msg`.
    StatMsg,
    /// `http.response_line`.
    ResponseLine,
    /// `http.location`.
    Location,
    /// `http.server`.
    Server,
    /// `http.response_body` / `http_server_body`: dechunked, decompressed.
    ResponseBody,
    /// `file.data` / `file_data` on HTTP: the response body as `http.response_body`.
    FileData,
    /// `http.protocol` (both sides).
    Protocol,
    /// `http.content_type` (both sides).
    ContentType,
    /// `http.content_len` (both sides).
    ContentLen,
    /// `http.cookie`: `Cookie` in requests, `Set-Cookie` in responses.
    Cookie,
    /// `http.header`: normalised `Name: value\r\n` lines, cookies excluded (both sides).
    Header,
    /// `http.header.raw`: the header block as sent (both sides).
    HeaderRaw,
    /// `http.header_names` (both sides).
    HeaderNames,
    /// `http.start`: start line and header block (both sides).
    Start,
}

impl HttpBuf {
    /// The buffer a sticky-buffer keyword (Suricata's name or its legacy alias) selects.
    pub fn from_keyword(name: &str) -> Option<HttpBuf> {
        use HttpBuf::*;
        Some(match name {
            "http.uri" | "http_uri" => Uri,
            "http.uri.raw" | "http_raw_uri" => UriRaw,
            "http.method" | "http_method" => Method,
            "http.request_line" | "http_request_line" => RequestLine,
            "http.host" | "http_host" => Host,
            "http.host.raw" | "http_raw_host" => HostRaw,
            "http.user_agent" | "http_user_agent" => UserAgent,
            "http.accept" | "http_accept" => Accept,
            "http.accept_enc" | "http_accept_enc" => AcceptEnc,
            "http.accept_lang" | "http_accept_lang" => AcceptLang,
            "http.referer" | "http_referer" => Referer,
            "http.connection" | "http_connection" => Connection,
            "http.request_body" | "http_client_body" => RequestBody,
            "http.stat_code" | "http_stat_code" => StatCode,
            "http.stat_msg" | "http_stat_msg" => StatMsg,
            "http.response_line" | "http_response_line" => ResponseLine,
            "http.location" => Location,
            "http.server" => Server,
            "http.response_body" | "http_server_body" => ResponseBody,
            "file.data" | "file_data" => FileData,
            "http.protocol" | "http_protocol" => Protocol,
            "http.content_type" | "http_content_type" => ContentType,
            "http.content_len" | "http_content_len" => ContentLen,
            "http.cookie" | "http_cookie" => Cookie,
            "http.header" | "http_header" => Header,
            "http.header.raw" | "http_raw_header" => HeaderRaw,
            "http.header_names" | "http_header_names" => HeaderNames,
            "http.start" | "http_start" => Start,
            _ => return None,
        })
    }

    /// The buffer a legacy content modifier (`content:"x"; http_uri;`) moves its content to.
    pub fn from_modifier(name: &str) -> Option<HttpBuf> {
        use HttpBuf::*;
        Some(match name {
            "http_uri" => Uri,
            "http_raw_uri" => UriRaw,
            "http_method" => Method,
            "http_host" => Host,
            "http_raw_host" => HostRaw,
            "http_user_agent" => UserAgent,
            "http_client_body" => RequestBody,
            "http_server_body" => ResponseBody,
            "http_stat_code" => StatCode,
            "http_stat_msg" => StatMsg,
            "http_cookie" | "http_raw_cookie" => Cookie,
            "http_header" => Header,
            "http_raw_header" => HeaderRaw,
            _ => return None,
        })
    }

    /// The buffer a pcre HTTP flag selects (`/x/U`): Suricata's letters.
    pub fn from_pcre_flag(f: char) -> Option<HttpBuf> {
        use HttpBuf::*;
        Some(match f {
            'U' => Uri,
            'I' => UriRaw,
            'P' => RequestBody,
            'Q' => ResponseBody,
            'H' => Header,
            'D' => HeaderRaw,
            'M' => Method,
            'C' | 'K' => Cookie,
            'S' => StatCode,
            'Y' => StatMsg,
            'V' => UserAgent,
            'W' => Host,
            'Z' => HostRaw,
            _ => return None,
        })
    }

    /// The side this buffer lives on: `Some(ToServer)` for request buffers, `Some(ToClient)`
    /// for response buffers, `None` for buffers present on both sides.
    pub fn direction(self) -> Option<Direction> {
        use HttpBuf::*;
        match self {
            Uri | UriRaw | Method | RequestLine | Host | HostRaw | UserAgent | Accept | AcceptEnc | AcceptLang | Referer | Connection | RequestBody => {
                Some(Direction::ToServer)
            }
            StatCode | StatMsg | ResponseLine | Location | Server | ResponseBody | FileData => Some(Direction::ToClient),
            Protocol | ContentType | ContentLen | Cookie | Header | HeaderRaw | HeaderNames | Start => None,
        }
    }

    /// The side the buffer is read from when detection runs for direction `dir`.
    pub fn side(self, dir: Direction) -> Direction {
        self.direction().unwrap_or(dir)
    }
}

/// Calls `f` on the buffer `buf` of `tx` (side `dir` for two-sided buffers) when it is
/// present; returns what `f` returned, `false` when the buffer is absent. HTTP buffers are
/// single-instance. No allocation.
pub fn for_each(tx: &HttpTx, buf: HttpBuf, dir: Direction, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    match get(tx, buf, dir) {
        Some(b) => f(b),
        None => false,
    }
}

/// The bytes of `buf` in `tx`, `None` when absent (a header not sent, a side not seen yet).
pub fn get(tx: &HttpTx, buf: HttpBuf, dir: Direction) -> Option<&[u8]> {
    use HttpBuf::*;
    let req = buf.side(dir) == Direction::ToServer;
    fn nz(b: &[u8]) -> Option<&[u8]> {
        (!b.is_empty()).then_some(b)
    }
    let v: Option<&[u8]> = match buf {
        Uri => nz(&tx.uri_normalized),
        UriRaw => nz(&tx.uri_raw),
        Method => nz(&tx.method),
        RequestLine => nz(&tx.request_line),
        Host => nz(&tx.host),
        HostRaw => nz(&tx.host_raw),
        UserAgent => tx.user_agent(),
        Accept => tx.accept(),
        AcceptEnc => tx.accept_encoding(),
        AcceptLang => tx.accept_language(),
        Referer => tx.referer(),
        Connection => tx.connection(),
        RequestBody => nz(&tx.request_body),
        StatCode => nz(&tx.status_code),
        StatMsg => nz(&tx.status_message),
        ResponseLine => nz(&tx.response_line),
        Location => tx.location(),
        Server => tx.server(),
        ResponseBody | FileData => nz(&tx.response_body),
        Protocol => nz(if req { &tx.request_protocol } else { &tx.response_protocol }),
        ContentType => {
            if req {
                tx.content_type()
            } else {
                tx.response_content_type()
            }
        }
        ContentLen => {
            if req {
                tx.content_length()
            } else {
                tx.response_content_length()
            }
        }
        Cookie => {
            if req {
                tx.cookie()
            } else {
                tx.set_cookie()
            }
        }
        Header => nz(if req { &tx.detect.request_header } else { &tx.detect.response_header }),
        HeaderRaw => nz(if req { &tx.request_headers.raw } else { &tx.response_headers.raw }),
        HeaderNames => nz(if req { &tx.detect.request_header_names } else { &tx.detect.response_header_names }),
        Start => nz(if req { &tx.detect.request_start } else { &tx.detect.response_start }),
    };
    v
}

/// The name of the file a response carries, as Suricata's file tracking names it: the
/// `filename` parameter of `Content-Disposition` when there is one, else the URI path
/// (normalised, without the query).
pub fn file_name(tx: &HttpTx) -> &[u8] {
    if let Some(cd) = tx.response_header(b"content-disposition") {
        if let Some(n) = disposition_filename(cd) {
            return n;
        }
    }
    let u = &tx.uri_normalized;
    let end = u.iter().position(|b| *b == b'?').unwrap_or(u.len());
    &u[..end]
}

/// `filename="x"` / `filename=x` in a `Content-Disposition` value.
fn disposition_filename(v: &[u8]) -> Option<&[u8]> {
    let lower = |i: usize| v.get(i..i + 9).is_some_and(|s| s.eq_ignore_ascii_case(b"filename="));
    let i = (0..v.len()).find(|&i| lower(i))?;
    let rest = &v[i + 9..];
    let n = match rest.strip_prefix(b"\"") {
        Some(q) => &q[..q.iter().position(|b| *b == b'"').unwrap_or(q.len())],
        None => &rest[..rest.iter().position(|b| *b == b';' || *b == b' ').unwrap_or(rest.len())],
    };
    (!n.is_empty()).then_some(n)
}

/// Whether `buf` (side `dir` for two-sided buffers) can be inspected in `tx`: its part of
/// the message has been parsed (start line, header block) or its side is complete. Bodies
/// are inspectable from the end of the header block on and grow until the side completes
/// (detection inspects them again when they grow, as Suricata's progressive body inspection).
pub fn ready(tx: &HttpTx, buf: HttpBuf, dir: Direction) -> bool {
    use HttpBuf::*;
    let side = buf.side(dir);
    if tx.progress.is_complete(side) {
        return true;
    }
    let headers_done = match side {
        Direction::ToServer => tx.detect.request_headers_done,
        Direction::ToClient => tx.detect.response_headers_done,
    };
    match buf {
        Uri | UriRaw | Method | RequestLine => !tx.request_line.is_empty(),
        StatCode | StatMsg | ResponseLine => !tx.response_line.is_empty(),
        Protocol => match side {
            Direction::ToServer => !tx.request_line.is_empty(),
            Direction::ToClient => !tx.response_line.is_empty(),
        },
        _ => headers_done,
    }
}

/// Body bytes between two inspections of a growing body past [`BODY_INSPECT_SMALL`] (32 KiB).
pub const BODY_INSPECT_WINDOW: usize = 32 * 1024;
/// A body shorter than this is inspected again whenever it grows (small bodies, evasions in
/// tiny chunks); a longer one every [`BODY_INSPECT_WINDOW`] bytes and at completion, so a large
/// download is not rescanned on every packet.
pub const BODY_INSPECT_SMALL: usize = 64 * 1024;

/// A cheap summary of how far side `side` of `tx` has got: detection re-inspects a
/// transaction side only when this changes: start line, end of headers, completion, a new
/// event, body growth (per [`BODY_INSPECT_WINDOW`] past [`BODY_INSPECT_SMALL`]).
pub fn fingerprint(tx: &HttpTx, side: Direction) -> u64 {
    let (line, done, body, complete) = match side {
        Direction::ToServer => (tx.request_line.len(), tx.detect.request_headers_done, tx.request_body.len(), tx.progress.request_complete),
        Direction::ToClient => (tx.response_line.len(), tx.detect.response_headers_done, tx.response_body.len(), tx.progress.response_complete),
    };
    (line as u64 & 0xffff) | (u64::from(done) << 16) | (u64::from(complete) << 17) | ((tx.events.len() as u64 & 0x3f) << 18) | ((body_mark(body) as u64) << 24)
}

fn body_mark(len: usize) -> usize {
    if len < BODY_INSPECT_SMALL {
        len
    } else {
        BODY_INSPECT_SMALL + len / BODY_INSPECT_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::http::{HttpConfig, HttpState};
    use crate::time::Timestamp;

    fn tx_of(req: &[u8], res: &[u8]) -> HttpTx {
        let mut st = HttpState::new(HttpConfig::default());
        st.on_data(Direction::ToServer, Timestamp::default(), req);
        st.on_data(Direction::ToClient, Timestamp::default(), res);
        let tx = st.txs().next().cloned().expect("one transaction");
        tx
    }

    #[test]
    fn buffers_of_a_transaction() {
        let tx = tx_of(
            b"GET /a/./b?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: ua\r\nCookie: c=1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nServer: srv\r\nSet-Cookie: s=2\r\nContent-Length: 4\r\n\r\nbody",
        );
        let d = Direction::ToServer;
        let c = Direction::ToClient;
        assert_eq!(get(&tx, HttpBuf::Uri, d), Some(&b"/a/b?x=1"[..]));
        assert_eq!(get(&tx, HttpBuf::UriRaw, d), Some(&b"/a/./b?x=1"[..]));
        assert_eq!(get(&tx, HttpBuf::Host, d), Some(&b"example.com"[..]));
        assert_eq!(get(&tx, HttpBuf::HostRaw, d), Some(&b"Example.COM:8080"[..]));
        assert_eq!(get(&tx, HttpBuf::Method, d), Some(&b"GET"[..]));
        assert_eq!(get(&tx, HttpBuf::Protocol, d), Some(&b"HTTP/1.1"[..]));
        assert_eq!(get(&tx, HttpBuf::Protocol, c), Some(&b"HTTP/1.1"[..]));
        assert_eq!(get(&tx, HttpBuf::Cookie, d), Some(&b"c=1"[..]));
        assert_eq!(get(&tx, HttpBuf::Cookie, c), Some(&b"s=2"[..]));
        // http.header leaves the cookies out, as Suricata's.
        assert_eq!(get(&tx, HttpBuf::Header, d), Some(&b"Host: Example.COM:8080\r\nUser-Agent: ua\r\n"[..]));
        assert_eq!(get(&tx, HttpBuf::Header, c), Some(&b"Server: srv\r\nContent-Length: 4\r\n"[..]));
        assert_eq!(get(&tx, HttpBuf::HeaderNames, d), Some(&b"\r\nHost\r\nUser-Agent\r\nCookie\r\n\r\n"[..]));
        assert!(get(&tx, HttpBuf::Start, d).is_some_and(|s| s.starts_with(b"GET /a/./b?x=1 HTTP/1.1\r\nHost:") && s.ends_with(b"c=1\r\n\r\n")));
        assert_eq!(get(&tx, HttpBuf::StatCode, c), Some(&b"200"[..]));
        assert_eq!(get(&tx, HttpBuf::Server, c), Some(&b"srv"[..]));
        assert_eq!(get(&tx, HttpBuf::FileData, c), Some(&b"body"[..]));
        assert_eq!(get(&tx, HttpBuf::Referer, d), None);
        for b in [HttpBuf::Uri, HttpBuf::Header, HttpBuf::FileData, HttpBuf::StatCode] {
            assert!(ready(&tx, b, d) && ready(&tx, b, c), "{b:?}");
        }
    }

    #[test]
    fn readiness_follows_progress() {
        let mut st = HttpState::new(HttpConfig::default());
        st.on_data(Direction::ToServer, Timestamp::default(), b"GET / HTTP/1.1\r\nHost: a\r\n");
        let tx = st.txs().next().expect("tx");
        assert!(ready(tx, HttpBuf::Uri, Direction::ToServer));
        assert!(!ready(tx, HttpBuf::Host, Direction::ToServer), "header block not complete");
        let f1 = fingerprint(tx, Direction::ToServer);
        st.on_data(Direction::ToServer, Timestamp::default(), b"\r\n");
        let tx = st.txs().next().expect("tx");
        assert!(ready(tx, HttpBuf::Host, Direction::ToServer));
        assert_ne!(f1, fingerprint(tx, Direction::ToServer));
        assert!(!ready(tx, HttpBuf::StatCode, Direction::ToClient));
    }

    #[test]
    fn keyword_names() {
        assert_eq!(HttpBuf::from_keyword("http.uri"), Some(HttpBuf::Uri));
        assert_eq!(HttpBuf::from_keyword("file_data"), Some(HttpBuf::FileData));
        assert_eq!(HttpBuf::from_modifier("http_client_body"), Some(HttpBuf::RequestBody));
        assert_eq!(HttpBuf::from_pcre_flag('U'), Some(HttpBuf::Uri));
        assert_eq!(HttpBuf::from_keyword("http.nope"), None);
    }
}
