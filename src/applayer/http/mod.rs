//! HTTP/1.0, HTTP/1.1 (and HTTP/0.9) over reassembled TCP streams.
//!
//! - [`parser`]: pure line parsers and the URI/host normalisers.
//! - [`state`]: [`HttpState`], the per-flow parser with its transaction list.
//! - [`eve`]: the fields of Suricata's EVE `http` object for one transaction.
//!
//! Why our own parser and not `suricata-htp` or `httparse`: see `docs/design/http.md`.
//!
//! # Bounds (all in [`HttpConfig`])
//! One line (request line, status line, header, chunk size) keeps at most `field_limit` bytes;
//! a header block at most `header_block_limit` bytes and `max_headers` headers; a body at most
//! its body limit; decompression stops at `decompression_limit`; a flow holds at most `max_txs`
//! live transactions. Every bound hit raises an [`HttpEvent`].

mod decompress;
pub mod detect;
pub mod eve;
pub mod harness;
pub mod parser;
pub mod state;

pub use state::HttpState;

use super::{TxId, TxProgress};

/// Limits and switches of the HTTP parser; Suricata's `libhtp` defaults unless noted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Request body bytes kept per transaction (Suricata `request-body-limit`, 100 KiB).
    pub request_body_limit: usize,
    /// Response body bytes kept per transaction, after decompression (`response-body-limit`).
    pub response_body_limit: usize,
    /// Longest line kept (request line, header, chunk size); longer lines are truncated and
    /// raise `*_field_too_long` (libhtp `field-limit`: 18000).
    pub field_limit: usize,
    /// Raw header block bytes kept per message; also the bound on stored header names and
    /// values (headers beyond it are dropped with `*_too_many_headers`).
    pub header_block_limit: usize,
    /// Headers kept per message; more raise `*_too_many_headers`.
    pub max_headers: usize,
    /// Live transactions per flow; at the cap `too_many_transactions` is raised and the
    /// request side stops creating transactions until some are pruned.
    pub max_txs: usize,
    /// Decompressed bytes per response after which, when the compression ratio is also above
    /// [`HttpConfig::decompression_ratio`], decompression stops with `compression_bomb`
    /// (libhtp `compression-bomb-limit`: 1 MiB).
    pub decompression_limit: u64,
    /// Ratio (decompressed / compressed) that, beyond `decompression_limit`, marks a bomb.
    /// libhtp uses 2048, which only layered codings reach (one deflate layer tops out near
    /// 1032:1); we decode one layer, so the default is 512.
    pub decompression_ratio: u64,
    /// Decompress gzip/deflate response bodies.
    pub decompress_response: bool,
    /// Content-coding layers undone at most (Suricata
    /// `response-body-decompress-layer-limit`, 2); more raise `too_many_encoding_layers`.
    pub max_decompress_layers: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            request_body_limit: 100 * 1024,
            response_body_limit: 100 * 1024,
            field_limit: 18_000,
            header_block_limit: 64 * 1024,
            max_headers: 256,
            max_txs: 256,
            decompression_limit: 1024 * 1024,
            decompression_ratio: 512,
            decompress_response: true,
            max_decompress_layers: 2,
        }
    }
}

macro_rules! http_events {
    ($($(#[$doc:meta])* $v:ident => $name:literal,)*) => {
        /// An anomaly the HTTP parser raises, named as Suricata's `app-layer-event:http.<name>`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum HttpEvent {
            $($(#[$doc])* $v,)*
        }
        impl HttpEvent {
            /// Every event.
            pub const ALL: &'static [HttpEvent] = &[$(HttpEvent::$v,)*];
            /// The rule-visible name without the `http.` prefix.
            pub fn name(self) -> &'static str {
                match self { $(HttpEvent::$v => $name,)* }
            }
            /// Looks an event up by its rule name (with or without `http.`).
            pub fn from_name(name: &str) -> Option<HttpEvent> {
                let n = name.strip_prefix("http.").unwrap_or(name);
                match n { $($name => Some(HttpEvent::$v),)* _ => None }
            }
        }
    };
}

http_events! {
    /// A `100 Continue` after one was already seen for the transaction.
    ContinueAlreadySeen => "100_continue_already_seen",
    /// A Content-Encoding value that is neither known nor a list of known codings.
    AbnormalCeHeader => "abnormal_ce_header",
    /// Decompression output exceeded the limit with a bomb-like ratio.
    CompressionBomb => "compression_bomb",
    /// A `%25` followed by hex in the URI path (double percent-encoding).
    DoubleEncodedUri => "double_encoded_uri",
    /// Two Content-Length headers with different values in a request.
    DuplicateContentLengthFieldInRequest => "duplicate_content_length_field_in_request",
    /// Two Content-Length headers with different values in a response.
    DuplicateContentLengthFieldInResponse => "duplicate_content_length_field_in_response",
    /// A gzip/deflate body could not be decompressed.
    GzipDecompressionFailed => "gzip_decompression_failed",
    /// Host header and absolute-URI authority disagree.
    HostHeaderAmbiguous => "host_header_ambiguous",
    /// The port in the Host header or URI authority is not a number in 1..=65535.
    InvalidAuthorityPort => "invalid_authority_port",
    /// A request Content-Length that is not a decimal number.
    InvalidContentLengthFieldInRequest => "invalid_content_length_field_in_request",
    /// A response Content-Length that is not a decimal number.
    InvalidContentLengthFieldInResponse => "invalid_content_length_field_in_response",
    /// A request chunk-size line without a valid size.
    InvalidRequestChunkLen => "invalid_request_chunk_len",
    /// Folding (a line starting with whitespace) before any request header.
    InvalidRequestFieldFolding => "invalid_request_field_folding",
    /// A response chunk-size line without a valid size.
    InvalidResponseChunkLen => "invalid_response_chunk_len",
    /// Folding before any response header.
    InvalidResponseFieldFolding => "invalid_response_field_folding",
    /// A request Transfer-Encoding other than chunked/identity.
    InvalidTransferEncodingValueInRequest => "invalid_transfer_encoding_value_in_request",
    /// A response Transfer-Encoding other than chunked/identity.
    InvalidTransferEncodingValueInResponse => "invalid_transfer_encoding_value_in_response",
    /// The method is not followed by exactly one space.
    MethodDelimNonCompliant => "method_delim_non_compliant",
    /// An HTTP/1.1 request without a Host header.
    MissingHostHeader => "missing_host_header",
    /// A chunk extension on a request chunk-size line.
    RequestChunkExtension => "request_chunk_extension",
    /// An Authorization header whose scheme is not Basic, Digest or Bearer.
    RequestAuthUnrecognized => "request_auth_unrecognized",
    /// A request header line without a colon.
    RequestFieldMissingColon => "request_field_missing_colon",
    /// A request line or header longer than the field limit (truncated).
    RequestFieldTooLong => "request_field_too_long",
    /// The Host header value is not a valid host.
    RequestHeaderHostInvalid => "request_header_host_invalid",
    /// A request header name with whitespace before the colon or non-token bytes.
    RequestHeaderInvalid => "request_header_invalid",
    /// A request header repeated (values are joined with `, `).
    RequestHeaderRepetition => "request_header_repetition",
    /// The request line is invalid (unknown protocol).
    RequestLineInvalid => "request_line_invalid",
    /// Whitespace before the request line.
    RequestLineLeadingWhitespace => "request_line_leading_whitespace",
    /// A request line without protocol (treated as HTTP/0.9).
    RequestLineMissingProtocol => "request_line_missing_protocol",
    /// The request line ended before a URI (only a method).
    RequestLineIncomplete => "request_line_incomplete",
    /// More request headers than the limit.
    RequestTooManyHeaders => "request_too_many_headers",
    /// The absolute-URI authority is not a valid host.
    RequestUriHostInvalid => "request_uri_host_invalid",
    /// A chunk extension on a response chunk-size line.
    ResponseChunkExtension => "response_chunk_extension",
    /// A chunked response over HTTP/1.0.
    ResponseChunkedOldProto => "response_chunked_old_proto",
    /// A response header line without a colon.
    ResponseFieldMissingColon => "response_field_missing_colon",
    /// A status line or response header longer than the field limit (truncated).
    ResponseFieldTooLong => "response_field_too_long",
    /// A response header name with whitespace before the colon or non-token bytes.
    ResponseHeaderInvalid => "response_header_invalid",
    /// A response header repeated.
    ResponseHeaderRepetition => "response_header_repetition",
    /// The response does not start with an `HTTP/` status line (treated as a body until close).
    ResponseInvalidProtocol => "response_invalid_protocol",
    /// The status code is not three digits.
    ResponseInvalidStatus => "response_invalid_status",
    /// More response headers than the limit.
    ResponseTooManyHeaders => "response_too_many_headers",
    /// More content codings than `max_decompress_layers` (only the outermost are undone).
    TooManyEncodingLayers => "too_many_encoding_layers",
    /// A response arrived with no request to pair it with.
    UnableToMatchResponseToRequest => "unable_to_match_response_to_request",
    /// The uri delimiter is not exactly one space.
    UriDelimNonCompliant => "uri_delim_non_compliant",
    /// The live transaction cap was hit (Suricata `http.too_many_transactions`... is not in its
    /// rule file; this name is ours and is raised on the state).
    TooManyTransactions => "too_many_transactions",
}

/// Most distinct events kept per transaction.
pub const MAX_EVENTS_PER_TX: usize = 32;

/// Header name comparison as libhtp does it: ASCII case-insensitive, NUL bytes ignored.
pub fn name_matches(stored: &[u8], wanted: &[u8]) -> bool {
    let mut a = stored.iter().filter(|b| **b != 0);
    let mut b = wanted.iter().filter(|b| **b != 0);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
            _ => return false,
        }
    }
}

/// One header: name as sent, value with surrounding whitespace removed; a repeated header is
/// one entry with the values joined by `, ` (as libhtp does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The name as sent.
    pub name: Vec<u8>,
    /// The (joined) value.
    pub value: Vec<u8>,
}

/// One side's headers with lookup by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    /// Headers in first-seen order.
    pub list: Vec<Header>,
    /// The header block as sent (lines with their terminators, no final blank line), bounded.
    pub raw: Vec<u8>,
}

impl Headers {
    /// The value of the header `name` (ASCII case-insensitive).
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.list.iter().find(|h| name_matches(&h.name, name)).map(|h| h.value.as_slice())
    }

    /// Suricata's `http.header_names` buffer: `\r\n` then each name followed by `\r\n`, then
    /// `\r\n`.
    pub fn names_buffer(&self) -> Vec<u8> {
        let mut v = b"\r\n".to_vec();
        for h in &self.list {
            v.extend_from_slice(&h.name);
            v.extend_from_slice(b"\r\n");
        }
        v.extend_from_slice(b"\r\n");
        v
    }

    /// `Name: value\r\n` per header.
    pub fn normalized_buffer(&self) -> Vec<u8> {
        self.normalized_buffer_without(b"")
    }

    /// Suricata's normalised `http.header` buffer: `Name: value\r\n` per header, leaving out
    /// the header named `skip` (Suricata leaves `Cookie` / `Set-Cookie` out).
    pub fn normalized_buffer_without(&self, skip: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        for h in self.list.iter().filter(|h| skip.is_empty() || !name_matches(&h.name, skip)) {
            v.extend_from_slice(&h.name);
            v.extend_from_slice(b": ");
            v.extend_from_slice(&h.value);
            v.extend_from_slice(b"\r\n");
        }
        v
    }
}

/// One HTTP transaction: a request and its response. Every field the detection keywords and
/// EVE need is exposed as bytes; absent parts are empty slices / `None`.
#[derive(Clone, Debug, Default)]
pub struct HttpTx {
    /// Monotonic id within the flow (EVE `tx_id`).
    pub id: TxId,
    /// Progress per side.
    pub progress: TxProgress,
    /// Request line without its terminator.
    pub request_line: Vec<u8>,
    /// Method.
    pub method: Vec<u8>,
    /// Request target as sent (`http.uri.raw`, EVE `url`).
    pub uri_raw: Vec<u8>,
    /// Normalised path + `?query` (`http.uri`).
    pub uri_normalized: Vec<u8>,
    /// Request protocol as sent (`http.protocol`); empty for HTTP/0.9.
    pub request_protocol: Vec<u8>,
    /// Parsed request protocol.
    pub request_version: Option<parser::Protocol>,
    /// Request headers.
    pub request_headers: Headers,
    /// Host: from the absolute URI if any, else the Host header; lowercase, no port
    /// (`http.host`).
    pub host: Vec<u8>,
    /// Host as sent (`http.host.raw`): Host header value, else the URI authority.
    pub host_raw: Vec<u8>,
    /// Port from the Host header or URI authority.
    pub port: Option<u16>,
    /// Dechunked request body, at most `request_body_limit` bytes (`http.request_body`).
    pub request_body: Vec<u8>,
    /// Request body bytes seen (may exceed what was kept).
    pub request_body_len: u64,
    /// Response status line without terminator (`http.response_line`).
    pub response_line: Vec<u8>,
    /// Response protocol as sent.
    pub response_protocol: Vec<u8>,
    /// Status code text (`http.stat_code`).
    pub status_code: Vec<u8>,
    /// Status code as a number when valid.
    pub status: Option<u16>,
    /// Reason phrase (`http.stat_msg`).
    pub status_message: Vec<u8>,
    /// Response headers (the final response's, after any 1xx).
    pub response_headers: Headers,
    /// Response body: dechunked and decompressed, at most `response_body_limit` bytes
    /// (`http.response_body` / `file.data`).
    pub response_body: Vec<u8>,
    /// Response message length as libhtp counts it (EVE `length`): body bytes before
    /// decompression plus chunk-size lines and chunk CRLFs, trailers excluded.
    pub response_body_len: u64,
    /// Response body bytes after dechunking and decompression (all of them, not only what
    /// was kept): the EVE `fileinfo.size`.
    pub response_file_size: u64,
    /// Part of the request was lost in a gap.
    pub request_gap: bool,
    /// Part of the response was lost in a gap.
    pub response_gap: bool,
    /// Number of interim (1xx) responses seen.
    pub interim_responses: u32,
    /// Distinct events raised on this transaction, at most [`MAX_EVENTS_PER_TX`].
    pub events: Vec<HttpEvent>,
    /// Packet time of the chunk that completed the request line.
    pub request_ts: Option<crate::time::Timestamp>,
    /// Packet time of the chunk that completed the (final) status line.
    pub response_ts: Option<crate::time::Timestamp>,
    /// Composite detection buffers, built once when each header block completes.
    pub detect: HttpTxDetect,
}

/// Detection buffers of a transaction that combine several fields, built by the parser when
/// a side's header block completes (so inspection never allocates). See [`detect`].
#[derive(Clone, Debug, Default)]
pub struct HttpTxDetect {
    /// The request header block is complete.
    pub request_headers_done: bool,
    /// The (final) response header block is complete.
    pub response_headers_done: bool,
    /// `http.header` of the request: `Name: value\r\n` per header, `Cookie` left out.
    pub request_header: Vec<u8>,
    /// `http.header` of the response, `Set-Cookie` left out.
    pub response_header: Vec<u8>,
    /// `http.header_names` of the request.
    pub request_header_names: Vec<u8>,
    /// `http.header_names` of the response.
    pub response_header_names: Vec<u8>,
    /// `http.start` of the request: request line, CRLF, header block, CRLF.
    pub request_start: Vec<u8>,
    /// `http.start` of the response.
    pub response_start: Vec<u8>,
}

impl HttpTxDetect {
    /// Builds one side's buffers from its start line and headers.
    pub(crate) fn build(&mut self, dir: crate::flow::Direction, start_line: &[u8], h: &Headers) {
        let skip: &[u8] = if dir == crate::flow::Direction::ToServer { b"cookie" } else { b"set-cookie" };
        let norm = h.normalized_buffer_without(skip);
        let mut start = Vec::with_capacity(start_line.len() + h.raw.len() + 4);
        start.extend_from_slice(start_line);
        start.extend_from_slice(b"\r\n");
        start.extend_from_slice(&h.raw);
        start.extend_from_slice(b"\r\n");
        let names = h.names_buffer();
        match dir {
            crate::flow::Direction::ToServer => {
                self.request_headers_done = true;
                (self.request_header, self.request_header_names, self.request_start) = (norm, names, start);
            }
            crate::flow::Direction::ToClient => {
                self.response_headers_done = true;
                (self.response_header, self.response_header_names, self.response_start) = (norm, names, start);
            }
        }
    }

    fn capacity(&self) -> usize {
        self.request_header.capacity() + self.response_header.capacity() + self.request_header_names.capacity() + self.response_header_names.capacity() + self.request_start.capacity() + self.response_start.capacity()
    }
}

macro_rules! req_header_fns {
    ($($(#[$doc:meta])* $f:ident => $h:literal,)*) => {
        $( $(#[$doc])* pub fn $f(&self) -> Option<&[u8]> { self.request_headers.get($h) } )*
    };
}
macro_rules! res_header_fns {
    ($($(#[$doc:meta])* $f:ident => $h:literal,)*) => {
        $( $(#[$doc])* pub fn $f(&self) -> Option<&[u8]> { self.response_headers.get($h) } )*
    };
}

impl HttpTx {
    /// A request header by name (case-insensitive).
    pub fn request_header(&self, name: &[u8]) -> Option<&[u8]> {
        self.request_headers.get(name)
    }

    /// A response header by name (case-insensitive).
    pub fn response_header(&self, name: &[u8]) -> Option<&[u8]> {
        self.response_headers.get(name)
    }

    req_header_fns! {
        /// `User-Agent` (`http.user_agent`).
        user_agent => b"user-agent",
        /// `Accept` (`http.accept`).
        accept => b"accept",
        /// `Accept-Encoding` (`http.accept_enc`).
        accept_encoding => b"accept-encoding",
        /// `Accept-Language` (`http.accept_lang`).
        accept_language => b"accept-language",
        /// `Referer` (`http.referer`).
        referer => b"referer",
        /// `Connection` (`http.connection`).
        connection => b"connection",
        /// Request `Content-Type` (`http.content_type`).
        content_type => b"content-type",
        /// Request `Content-Length` (`http.content_len`).
        content_length => b"content-length",
        /// `Cookie` (`http.cookie`).
        cookie => b"cookie",
    }

    res_header_fns! {
        /// `Location` (`http.location`, EVE `redirect`).
        location => b"location",
        /// `Server` (`http.server`).
        server => b"server",
        /// Response `Content-Type`.
        response_content_type => b"content-type",
        /// Response `Content-Length`.
        response_content_length => b"content-length",
        /// Response `Set-Cookie`.
        set_cookie => b"set-cookie",
    }

    /// Approximate heap bytes held by this transaction (for memcaps and stats).
    pub fn memory_bytes(&self) -> usize {
        let hs = |h: &Headers| {
            h.raw.capacity() + h.list.iter().map(|x| x.name.capacity() + x.value.capacity() + 48).sum::<usize>()
        };
        self.request_line.capacity()
            + self.method.capacity()
            + self.uri_raw.capacity()
            + self.uri_normalized.capacity()
            + self.request_protocol.capacity()
            + hs(&self.request_headers)
            + self.host.capacity()
            + self.host_raw.capacity()
            + self.request_body.capacity()
            + self.response_line.capacity()
            + self.response_protocol.capacity()
            + self.status_code.capacity()
            + self.status_message.capacity()
            + hs(&self.response_headers)
            + self.response_body.capacity()
            + self.events.capacity()
            + self.detect.capacity()
            + std::mem::size_of::<HttpTx>()
    }

    /// Whether the event was raised on this transaction.
    pub fn has_event(&self, e: HttpEvent) -> bool {
        self.events.contains(&e)
    }

    pub(crate) fn raise(&mut self, e: HttpEvent) {
        if !self.events.contains(&e) && self.events.len() < MAX_EVENTS_PER_TX {
            self.events.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_exist_in_suricata_rules() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/http-events.rules");
        let rules = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reference rules {path} missing: {e}"));
        for e in HttpEvent::ALL {
            if *e == HttpEvent::TooManyTransactions {
                continue;
            }
            let needle = format!("app-layer-event:http.{};", e.name());
            assert!(rules.contains(&needle), "{needle} not in {path}");
            assert_eq!(HttpEvent::from_name(&format!("http.{}", e.name())), Some(*e));
        }
    }

    #[test]
    fn header_lookup_and_buffers() {
        let h = Headers {
            list: vec![
                Header { name: b"Host".to_vec(), value: b"a".to_vec() },
                Header { name: b"User-Agent".to_vec(), value: b"x".to_vec() },
            ],
            raw: Vec::new(),
        };
        assert_eq!(h.get(b"host"), Some(&b"a"[..]));
        assert_eq!(h.get(b"USER-AGENT"), Some(&b"x"[..]));
        assert_eq!(h.get(b"cookie"), None);
        assert_eq!(h.names_buffer(), b"\r\nHost\r\nUser-Agent\r\n\r\n");
        assert_eq!(h.normalized_buffer(), b"Host: a\r\nUser-Agent: x\r\n");
    }
}
