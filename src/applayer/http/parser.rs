//! Pure HTTP/1 line parsers: request line, status line, header line, chunk size, content
//! length, URI split and normalisation, host normalisation.
//!
//! Every function takes one line (without its CRLF/LF terminator) or one field value and returns
//! borrowed slices of it plus flags describing the anomalies found; nothing allocates except the
//! URI normaliser, whose output is never longer than its input. Nothing panics on any input.
//!
//! Leniency follows libhtp (Suricata's HTTP parser) in its IDS personality: leading whitespace,
//! tabs and runs of spaces as delimiters, missing protocol (HTTP/0.9), header names with
//! whitespace before the colon, and missing colons are all accepted and flagged.

/// Trims HTTP linear whitespace (SP, HT, CR, LF, VT, FF) from both ends.
pub fn trim_lws(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !is_lws(*b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_lws(*b)).map_or(start, |p| p + 1);
    s.get(start..end).unwrap_or(&[])
}

/// Whitespace as libhtp treats it between tokens.
pub fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

/// RFC 7230 token characters (header names, methods).
pub fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether a line holds only whitespace (SP, HT, CR, LF, VT, FF): libhtp ends a header block
/// on such a line (e.g. `\t\n`), not only on an empty one.
pub fn is_whitespace_line(line: &[u8]) -> bool {
    line.iter().all(|b| is_lws(*b))
}

/// Strips a line's end of line: any trailing run of CR and LF bytes.
pub fn chomp_any(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|b| *b != b'\r' && *b != b'\n').map_or(0, |p| p + 1);
    &line[..end]
}

/// A folded-looking response line that is really a header: optional whitespace, a token, optional
/// whitespace, then `:` (libhtp's lookahead for "name with leading whitespace").
pub fn looks_like_header_start(line: &[u8]) -> bool {
    let l = &line[line.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(line.len())..];
    let t = l.iter().take_while(|b| is_token(**b)).count();
    if t == 0 {
        return false;
    }
    let r = &l[t..];
    let r = &r[r.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(r.len())..];
    r.first() == Some(&b':')
}

/// Length of the first response line in `buf` including its end of line, by libhtp's response
/// rules: `CRLF`, `LF CR`, `LF`, a lone `CR`, and the deformed `LF CR CR LF` when a blank line
/// (`LF` or `CRLF`) follows. `None` when the end is not in `buf` yet or needs more lookahead;
/// with `closing`, the missing lookahead counts as absent.
pub fn response_eol(buf: &[u8], closing: bool) -> Option<usize> {
    let i = memchr::memchr2(b'\n', b'\r', buf)?;
    let at = |k: usize| buf.get(i + k).copied();
    if i == 0 {
        // A blank line ends the block at once (no lookahead for an empty line).
        return match (buf[0], at(1)) {
            (b'\r', Some(b'\n')) => Some(2),
            (b'\r', None) if !closing => None,
            _ => Some(1),
        };
    }
    if buf[i] == b'\r' {
        if at(1) == Some(b'\n') && at(2).is_none() && !closing {
            return None; // may be the deformed `CR LF CR ...`
        }
        // Deformed `CR LF CR [CR SP HT]+ [LF]` not followed by a blank line: one end of line.
        if at(1) == Some(b'\n') && at(2) == Some(b'\r') {
            let mut j = i + 3;
            while matches!(buf.get(j), Some(b'\r' | b' ' | b'\t')) {
                j += 1;
            }
            if j == buf.len() && !closing {
                return None;
            }
            if j > i + 3 {
                if buf.get(j) == Some(&b'\n') {
                    j += 1;
                }
                match (buf.get(j), buf.get(j + 1)) {
                    (None, _) | (Some(b'\r'), None) if !closing => return None,
                    (Some(b'\n'), _) | (Some(b'\r'), Some(b'\n')) => {}
                    _ => return Some(j),
                }
            }
        }
        return match at(1) {
            Some(b'\n') => Some(i + 2),
            Some(_) => Some(i + 1),
            None if closing => Some(i + 1),
            None => None,
        };
    }
    // LF: the deformed `LF CR CR LF` + blank line, else `LF CR`, else `LF`.
    let deformed = [Some(b'\r'), Some(b'\r'), Some(b'\n')];
    let have = [at(1), at(2), at(3)];
    let prefix_ok = have.iter().zip(deformed.iter()).all(|(h, d)| h.is_none() || h == d);
    if prefix_ok {
        if have.iter().any(Option::is_none) {
            if !closing {
                return None;
            }
        } else {
            match (at(4), at(5)) {
                (Some(b'\n'), _) | (Some(b'\r'), Some(b'\n')) => return Some(i + 4),
                (None, _) | (Some(b'\r'), None) if !closing => return None,
                _ => {}
            }
        }
    }
    match at(1) {
        Some(b'\r') => Some(i + 2),
        Some(_) => Some(i + 1),
        None if closing => Some(i + 1),
        None => None,
    }
}

/// Whether a line is exactly `SP LF` or `HT LF` (libhtp's conditional header terminator).
pub fn is_lws_lf(line: &[u8]) -> bool {
    matches!(line, [b' ' | b'\t', b'\n'])
}

/// Whether a line is an end-of-headers blank line: only an end of line (`LF`, `CRLF`, `LF CR`,
/// a lone `CR`, or the deformed `LF CR CR LF`).
pub fn is_blank_eol(line: &[u8]) -> bool {
    matches!(line, b"\n" | b"\r\n" | b"\n\r" | b"\r" | b"\n\r\r\n")
}

/// Whether a partial chunk-size line (no LF yet) can no longer become a valid size line:
/// after optional whitespace it must be hex digits, then whitespace or `;`.
pub fn chunk_size_prefix_invalid(partial: &[u8]) -> bool {
    let l = &partial[partial.iter().position(|b| !is_lws(*b)).unwrap_or(partial.len())..];
    if l.is_empty() {
        return false;
    }
    let digits = l.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return true;
    }
    match l.get(digits) {
        None => false,
        Some(b) => !(is_lws(*b) || *b == b';'),
    }
}

/// Strips one trailing LF and an optional CR before it.
pub fn chomp(line: &[u8]) -> &[u8] {
    if line.ends_with(b"\n\r") {
        return &line[..line.len() - 2];
    }
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Whether a line is empty (only CR/LF): the end of a header block.
pub fn is_blank(line: &[u8]) -> bool {
    chomp(line).is_empty()
}

/// HTTP protocol version as parsed from `HTTP/x.y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// No protocol on the request line: HTTP/0.9.
    V0_9,
    /// `HTTP/1.0`.
    V1_0,
    /// `HTTP/1.1`.
    V1_1,
    /// Something else (`HTTP/2.0` on an HTTP/1 stream, `HTTP/1.x` junk, ...).
    Invalid,
}

/// Parses a protocol string leniently (case-insensitive `HTTP`, whitespace around `/`).
pub fn parse_protocol(p: &[u8]) -> Protocol {
    let p = trim_lws(p);
    if p.len() < 4 || !p[..4].eq_ignore_ascii_case(b"HTTP") {
        return Protocol::Invalid;
    }
    let rest = trim_lws(&p[4..]);
    let Some(v) = rest.strip_prefix(b"/") else {
        return Protocol::Invalid;
    };
    match trim_lws(v) {
        b"1.1" => Protocol::V1_1,
        b"1.0" => Protocol::V1_0,
        b"0.9" => Protocol::V0_9,
        _ => Protocol::Invalid,
    }
}

/// A parsed request line (slices of the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLine<'a> {
    /// The method token (may be garbage on a garbage line).
    pub method: &'a [u8],
    /// The request target exactly as sent.
    pub uri: &'a [u8],
    /// The protocol, `None` when missing (HTTP/0.9).
    pub protocol: Option<&'a [u8]>,
    /// The line started with whitespace.
    pub leading_whitespace: bool,
    /// The method was not followed by exactly one space.
    pub method_delim_non_compliant: bool,
    /// The URI was not followed by exactly one space.
    pub uri_delim_non_compliant: bool,
}

/// Parses a request line (without its terminator).
///
/// The protocol is the last whitespace-separated token when it starts with `HTTP`; then the URI
/// is everything between method and protocol (so a URI with spaces survives). Otherwise the URI
/// is the second token and the rest (if any) is the protocol, which will not parse.
pub fn parse_request_line(line: &[u8]) -> RequestLine<'_> {
    let start = line.iter().position(|b| !is_lws(*b)).unwrap_or(line.len());
    let leading_whitespace = start > 0;
    let line = trim_lws(line);
    let m_end = line.iter().position(|b| is_lws(*b)).unwrap_or(line.len());
    let method = &line[..m_end];
    let after = &line[m_end..];
    let delim_len = after.iter().position(|b| !is_lws(*b)).unwrap_or(after.len());
    let method_delim_non_compliant = !after.is_empty() && after.get(..delim_len) != Some(&b" "[..]);
    let rest = &after[delim_len..];
    // `rest` is trimmed at both ends here.
    if let Some(ws) = rest.iter().rposition(|b| is_lws(*b)) {
        let tail = &rest[ws + 1..];
        if tail.len() >= 4 && tail[..4].eq_ignore_ascii_case(b"HTTP") {
            let uri_part = &rest[..=ws];
            let uri_end = uri_part.iter().rposition(|b| !is_lws(*b)).map_or(0, |p| p + 1);
            let uri = &uri_part[..uri_end];
            let delim = &uri_part[uri_end..];
            return RequestLine {
                method,
                uri,
                protocol: Some(tail),
                leading_whitespace,
                method_delim_non_compliant,
                uri_delim_non_compliant: delim != b" ",
            };
        }
        let first_ws = rest.iter().position(|b| is_lws(*b)).unwrap_or(rest.len());
        let uri = &rest[..first_ws];
        let proto = trim_lws(&rest[first_ws..]);
        return RequestLine {
            method,
            uri,
            protocol: Some(proto),
            leading_whitespace,
            method_delim_non_compliant,
            uri_delim_non_compliant: rest.get(first_ws..first_ws + 1) != Some(&b" "[..]),
        };
    }
    RequestLine {
        method,
        uri: rest,
        protocol: None,
        leading_whitespace,
        method_delim_non_compliant,
        uri_delim_non_compliant: false,
    }
}

/// Whether a line looks like the start of an HTTP response (`HTTP` after optional whitespace).
pub fn looks_like_status_line(line: &[u8]) -> bool {
    // libhtp: optional whitespace or NUL bytes, then `http` in any case.
    let start = line.iter().position(|b| !is_lws(*b) && *b != 0).unwrap_or(line.len());
    line.get(start..start + 4).is_some_and(|p| p.eq_ignore_ascii_case(b"HTTP"))
}

/// A parsed status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusLine<'a> {
    /// `HTTP/1.1` as sent.
    pub protocol: &'a [u8],
    /// The status code text as sent (`200`, or junk).
    pub status: &'a [u8],
    /// The status as a number when it is 3 digits, 100..=999.
    pub code: Option<u16>,
    /// The reason phrase (may be empty).
    pub message: &'a [u8],
}

/// Parses a status line (without its terminator).
pub fn parse_status_line(line: &[u8]) -> StatusLine<'_> {
    let start = line.iter().position(|b| !is_lws(*b) && *b != 0).unwrap_or(line.len());
    let line = trim_lws(&line[start..]);
    let p_end = line.iter().position(|b| is_lws(*b)).unwrap_or(line.len());
    let protocol = &line[..p_end];
    let rest = trim_lws(&line[p_end..]);
    let s_end = rest.iter().position(|b| is_lws(*b)).unwrap_or(rest.len());
    let status = &rest[..s_end];
    let message = trim_lws(&rest[s_end..]);
    let code = if status.len() == 3 && status.iter().all(u8::is_ascii_digit) {
        let v = status.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0'));
        (100..=999).contains(&v).then_some(v)
    } else {
        None
    };
    StatusLine { protocol, status, code, message }
}

/// A parsed header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderLine<'a> {
    /// The name with surrounding whitespace removed (empty when the colon is missing).
    pub name: &'a [u8],
    /// The value with surrounding whitespace removed.
    pub value: &'a [u8],
    /// No colon on the line: `value` holds the whole line.
    pub missing_colon: bool,
    /// The name is empty, has whitespace before the colon, or non-token characters.
    pub invalid_name: bool,
}

/// Parses one header line (without its terminator and after folding was joined).
pub fn parse_header_line(line: &[u8]) -> HeaderLine<'_> {
    match line.iter().position(|b| *b == b':') {
        None => HeaderLine { name: &[], value: trim_lws(line), missing_colon: true, invalid_name: false },
        Some(c) => {
            let raw_name = &line[..c];
            let name = trim_lws(raw_name);
            let invalid_name = name.is_empty() || name.len() != raw_name.len() || !name.iter().all(|b| is_token(*b));
            HeaderLine { name, value: trim_lws(&line[c + 1..]), missing_colon: false, invalid_name }
        }
    }
}

/// A parsed chunk-size line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSize {
    /// The size, `None` when the line has no hex digits or overflows [`MAX_CHUNK_SIZE`].
    pub size: Option<u64>,
    /// The line carried a chunk extension (`;name=value`) or trailing junk.
    pub extension: bool,
}

/// Largest chunk size accepted; bigger ones are treated as invalid (as libhtp rejects
/// negative/overflowing sizes).
pub const MAX_CHUNK_SIZE: u64 = 1 << 48;

/// Parses a chunk-size line: optional whitespace, hex digits, optional extension.
pub fn parse_chunk_size(line: &[u8]) -> ChunkSize {
    let l = trim_lws(line);
    let digits = l.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = trim_lws(&l[digits..]);
    let extension = digits > 0 && !rest.is_empty();
    if digits == 0 || digits > 16 {
        return ChunkSize { size: None, extension };
    }
    let mut v: u64 = 0;
    for b in &l[..digits] {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b - b'A' + 10,
        };
        v = v.saturating_mul(16).saturating_add(u64::from(d));
    }
    ChunkSize { size: (v <= MAX_CHUNK_SIZE).then_some(v), extension }
}

/// Parses a Content-Length value: optional whitespace around decimal digits. `None` when
/// invalid (empty, junk, or above `u64` range).
pub fn parse_content_length(v: &[u8]) -> Option<u64> {
    let v = trim_lws(v);
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0')))
}

/// The parts of a request target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UriParts<'a> {
    /// `http` / `https` for absolute-form targets.
    pub scheme: Option<&'a [u8]>,
    /// `host[:port]` for absolute-form and authority-form (CONNECT) targets.
    pub authority: Option<&'a [u8]>,
    /// The path (may be empty).
    pub path: &'a [u8],
    /// The query without its `?`.
    pub query: Option<&'a [u8]>,
    /// The fragment without its `#`.
    pub fragment: Option<&'a [u8]>,
}

/// Splits a request target. `connect` selects authority-form (`host:port`).
pub fn split_uri(uri: &[u8], connect: bool) -> UriParts<'_> {
    if connect {
        return UriParts { authority: Some(uri), ..UriParts::default() };
    }
    let mut parts = UriParts::default();
    let mut rest = uri;
    if let Some(sep) = find(rest, b"://") {
        let scheme = &rest[..sep];
        if !scheme.is_empty() && scheme.iter().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b)) {
            parts.scheme = Some(scheme);
            let after = &rest[sep + 3..];
            let a_end = after.iter().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(after.len());
            parts.authority = Some(&after[..a_end]);
            rest = &after[a_end..];
        }
    }
    if let Some(h) = rest.iter().position(|b| *b == b'#') {
        parts.fragment = Some(&rest[h + 1..]);
        rest = &rest[..h];
    }
    if let Some(q) = rest.iter().position(|b| *b == b'?') {
        parts.query = Some(&rest[q + 1..]);
        rest = &rest[..q];
    }
    parts.path = rest;
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Flags raised while normalising a path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathFlags {
    /// A `%` not followed by two hex digits (kept as is).
    pub invalid_encoding: bool,
    /// A decoded byte was itself `%` followed by hex (double encoding).
    pub double_encoded: bool,
}

/// Normalises a URI path as libhtp's IDS personality does (with Suricata's setting of keeping
/// case): `%XX` and `%uXXXX` decoding (invalid escapes preserved; `%u` above 0xFF becomes `?`),
/// backslashes to slashes, runs of slashes compressed, then `.`/`..` segments removed
/// (RFC 3986 5.2.4). Appends to `out`; the output is never longer than `path`.
pub fn normalize_path(path: &[u8], out: &mut Vec<u8>) -> PathFlags {
    let mut flags = PathFlags::default();
    let mut dec: Vec<u8> = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        let b = path[i];
        if b == b'%' {
            if let (Some(h), Some(l)) =
                (path.get(i + 1).and_then(|c| hex_val(*c)), path.get(i + 2).and_then(|c| hex_val(*c)))
            {
                let v = h << 4 | l;
                if v == b'%' && path.get(i + 3).and_then(|c| hex_val(*c)).is_some() {
                    flags.double_encoded = true;
                }
                dec.push(v);
                i += 3;
                continue;
            }
            if matches!(path.get(i + 1), Some(b'u') | Some(b'U')) {
                let hs: Option<Vec<u8>> = (2..6).map(|k| path.get(i + k).and_then(|c| hex_val(*c))).collect();
                if let Some(hs) = hs {
                    let hi = hs[0] << 4 | hs[1];
                    let lo = hs[2] << 4 | hs[3];
                    dec.push(if hi == 0 { lo } else { b'?' });
                    i += 6;
                    continue;
                }
            }
            flags.invalid_encoding = true;
        }
        dec.push(if b == b'\\' { b'/' } else { b });
        i += 1;
    }
    // Backslashes produced by decoding count as separators too.
    for b in dec.iter_mut() {
        if *b == b'\\' {
            *b = b'/';
        }
    }
    // Compress runs of '/'.
    let mut comp: Vec<u8> = Vec::with_capacity(dec.len());
    for b in dec {
        if b == b'/' && comp.last() == Some(&b'/') {
            continue;
        }
        comp.push(b);
    }
    remove_dot_segments(&comp, out);
    flags
}

/// RFC 3986 section 5.2.4, appending to `out`.
fn remove_dot_segments(input: &[u8], out: &mut Vec<u8>) {
    let base = out.len();
    let mut inp = input;
    while !inp.is_empty() {
        if let Some(r) = inp.strip_prefix(b"../").or_else(|| inp.strip_prefix(b"./")) {
            inp = r;
        } else if inp.starts_with(b"/./") {
            inp = &inp[2..];
        } else if inp == b"/." {
            inp = b"/";
        } else if inp.starts_with(b"/../") || inp == b"/.." {
            inp = if inp.len() == 3 { b"/" } else { &inp[3..] };
            // Remove the last segment of the output (never below `base`).
            let seg = out[base..].iter().rposition(|b| *b == b'/').map_or(base, |p| base + p);
            out.truncate(seg);
        } else if inp == b"." || inp == b".." {
            inp = &[];
        } else {
            let skip = usize::from(inp.first() == Some(&b'/'));
            let end = inp[skip..].iter().position(|b| *b == b'/').map_or(inp.len(), |p| p + skip);
            out.extend_from_slice(&inp[..end]);
            inp = &inp[end..];
        }
    }
}

/// Normalises a host: lowercase, surrounding whitespace and one trailing dot removed, the port
/// split off. Returns `(host, port, port_invalid)`; IPv6 literals keep their brackets.
pub fn normalize_host(raw: &[u8]) -> (Vec<u8>, Option<u16>, bool) {
    let h = trim_lws(raw);
    // userinfo@host
    let h = match h.iter().rposition(|b| *b == b'@') {
        Some(p) => &h[p + 1..],
        None => h,
    };
    let (host, port) = if h.first() == Some(&b'[') {
        match h.iter().position(|b| *b == b']') {
            Some(e) => (&h[..=e], h.get(e + 1..).and_then(|r| r.strip_prefix(b":"))),
            None => (h, None),
        }
    } else {
        match h.iter().rposition(|b| *b == b':') {
            Some(c) => (&h[..c], Some(&h[c + 1..])),
            None => (h, None),
        }
    };
    let host = host.strip_suffix(b".").unwrap_or(host);
    let mut port_invalid = false;
    let port = match port {
        None => None,
        Some(b"") => None,
        Some(p) => match parse_content_length(p) {
            Some(v) if (1..=65535).contains(&v) => Some(v as u16),
            _ => {
                port_invalid = true;
                None
            }
        },
    };
    (host.to_ascii_lowercase(), port, port_invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        struct Case {
            name: &'static str,
            line: &'static [u8],
            method: &'static [u8],
            uri: &'static [u8],
            proto: Option<&'static [u8]>,
            flags: (bool, bool, bool),
        }
        let cases = [
            Case {
                name: "plain",
                line: b"GET / HTTP/1.1",
                method: b"GET",
                uri: b"/",
                proto: Some(b"HTTP/1.1"),
                flags: (false, false, false),
            },
            Case {
                name: "http09",
                line: b"GET /index.html",
                method: b"GET",
                uri: b"/index.html",
                proto: None,
                flags: (false, false, false),
            },
            Case {
                name: "leading ws",
                line: b"  GET / HTTP/1.0",
                method: b"GET",
                uri: b"/",
                proto: Some(b"HTTP/1.0"),
                flags: (true, false, false),
            },
            Case {
                name: "tab delims",
                line: b"GET\t/x\tHTTP/1.1",
                method: b"GET",
                uri: b"/x",
                proto: Some(b"HTTP/1.1"),
                flags: (false, true, true),
            },
            Case {
                name: "double space",
                line: b"GET  /x  HTTP/1.1",
                method: b"GET",
                uri: b"/x",
                proto: Some(b"HTTP/1.1"),
                flags: (false, true, true),
            },
            Case {
                name: "space in uri",
                line: b"GET /a b HTTP/1.1",
                method: b"GET",
                uri: b"/a b",
                proto: Some(b"HTTP/1.1"),
                flags: (false, false, false),
            },
            Case {
                name: "bad proto",
                line: b"GET / FOO/1.1",
                method: b"GET",
                uri: b"/",
                proto: Some(b"FOO/1.1"),
                flags: (false, false, false),
            },
            Case {
                name: "method only",
                line: b"GET",
                method: b"GET",
                uri: b"",
                proto: None,
                flags: (false, false, false),
            },
            Case { name: "empty", line: b"", method: b"", uri: b"", proto: None, flags: (false, false, false) },
        ];
        for c in cases {
            let r = parse_request_line(c.line);
            assert_eq!((r.method, r.uri, r.protocol), (c.method, c.uri, c.proto), "{}", c.name);
            assert_eq!(
                (r.leading_whitespace, r.method_delim_non_compliant, r.uri_delim_non_compliant),
                c.flags,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn protocols() {
        let cases: &[(&str, &[u8], Protocol)] = &[
            ("1.1", b"HTTP/1.1", Protocol::V1_1),
            ("1.0", b"HTTP/1.0", Protocol::V1_0),
            ("lower", b"http/1.1", Protocol::V1_1),
            ("spaces", b"HTTP / 1.0", Protocol::V1_0),
            ("2.0", b"HTTP/2.0", Protocol::Invalid),
            ("junk", b"XTTP/1.1", Protocol::Invalid),
            ("short", b"HT", Protocol::Invalid),
        ];
        for (name, p, want) in cases {
            assert_eq!(parse_protocol(p), *want, "{name}");
        }
    }

    #[test]
    fn status_lines() {
        let s = parse_status_line(b"HTTP/1.1 200 OK");
        assert_eq!((s.protocol, s.status, s.code, s.message), (&b"HTTP/1.1"[..], &b"200"[..], Some(200), &b"OK"[..]));
        let s = parse_status_line(b"HTTP/1.0 404 Not Found Here");
        assert_eq!((s.code, s.message), (Some(404), &b"Not Found Here"[..]));
        assert_eq!(parse_status_line(b"HTTP/1.1 20x OK").code, None);
        assert_eq!(parse_status_line(b"HTTP/1.1 099 OK").code, None);
        assert_eq!(parse_status_line(b"HTTP/1.1").code, None);
        assert!(looks_like_status_line(b" http/1.1 200"));
        assert!(!looks_like_status_line(b"<html>"));
    }

    #[test]
    fn header_lines() {
        let h = parse_header_line(b"Host: example.com ");
        assert_eq!(
            (h.name, h.value, h.missing_colon, h.invalid_name),
            (&b"Host"[..], &b"example.com"[..], false, false)
        );
        let h = parse_header_line(b"Host : x");
        assert!(h.invalid_name);
        assert_eq!(h.name, b"Host");
        let h = parse_header_line(b"no colon here");
        assert!(h.missing_colon);
        let h = parse_header_line(b": empty name");
        assert!(h.invalid_name);
        let h = parse_header_line(b"X-Empty:");
        assert_eq!(h.value, b"");
    }

    #[test]
    fn chunk_sizes() {
        let cases: &[(&str, &[u8], Option<u64>, bool)] = &[
            ("hex", b"1a", Some(26), false),
            ("upper", b"FF", Some(255), false),
            ("zero", b"0", Some(0), false),
            ("ext", b"5;name=v", Some(5), true),
            ("ws", b"  5  ", Some(5), false),
            ("junk", b"zz", None, false),
            ("empty", b"", None, false),
            ("overflow", b"ffffffffffffffffff", None, false),
            ("too big", b"ffffffffffffff", None, false),
        ];
        for (name, l, size, ext) in cases {
            let c = parse_chunk_size(l);
            assert_eq!((c.size, c.extension), (*size, *ext), "{name}");
        }
    }

    #[test]
    fn content_lengths() {
        assert_eq!(parse_content_length(b" 42 "), Some(42));
        assert_eq!(parse_content_length(b"4 2"), None);
        assert_eq!(parse_content_length(b"-1"), None);
        assert_eq!(parse_content_length(b""), None);
        assert_eq!(parse_content_length(b"99999999999999999999"), None);
    }

    #[test]
    fn uri_split() {
        let p = split_uri(b"http://Example.com:8080/a/b?x=1#frag", false);
        assert_eq!(p.scheme, Some(&b"http"[..]));
        assert_eq!(p.authority, Some(&b"Example.com:8080"[..]));
        assert_eq!(p.path, b"/a/b");
        assert_eq!(p.query, Some(&b"x=1"[..]));
        assert_eq!(p.fragment, Some(&b"frag"[..]));
        let p = split_uri(b"/p?q", false);
        assert_eq!((p.scheme, p.path, p.query), (None, &b"/p"[..], Some(&b"q"[..])));
        let p = split_uri(b"example.com:443", true);
        assert_eq!(p.authority, Some(&b"example.com:443"[..]));
    }

    #[test]
    fn path_normalisation() {
        let cases: &[(&str, &[u8], &[u8])] = &[
            ("plain", b"/index.html", b"/index.html"),
            ("percent", b"/a%20b", b"/a b"),
            ("encoded slash", b"/a%2fb", b"/a/b"),
            ("u encoding", b"/%u0041", b"/A"),
            ("u wide", b"/%u2215x", b"/?x"),
            ("invalid percent", b"/a%zz", b"/a%zz"),
            ("backslash", b"\\a\\b", b"/a/b"),
            ("double slash", b"//a///b", b"/a/b"),
            ("dot", b"/a/./b", b"/a/b"),
            ("dotdot", b"/a/b/../c", b"/a/c"),
            ("dotdot past root", b"/../../etc/passwd", b"/etc/passwd"),
            ("encoded dotdot", b"/a/%2e%2e/b", b"/b"),
            ("trailing dot", b"/a/.", b"/a/"),
            ("case kept", b"/AbC", b"/AbC"),
        ];
        for (name, inp, want) in cases {
            let mut out = Vec::new();
            normalize_path(inp, &mut out);
            assert_eq!(out, *want, "{name}: {}", String::from_utf8_lossy(&out));
            assert!(out.len() <= inp.len(), "{name}");
        }
        let mut out = Vec::new();
        assert!(normalize_path(b"/%252e", &mut out).double_encoded);
    }

    #[test]
    fn hosts() {
        assert_eq!(normalize_host(b"Example.COM:8080"), (b"example.com".to_vec(), Some(8080), false));
        assert_eq!(normalize_host(b"example.com."), (b"example.com".to_vec(), None, false));
        assert_eq!(normalize_host(b"[::1]:80"), (b"[::1]".to_vec(), Some(80), false));
        assert_eq!(normalize_host(b"a.b:99999"), (b"a.b".to_vec(), None, true));
        assert_eq!(normalize_host(b"user@h"), (b"h".to_vec(), None, false));
    }

    #[test]
    fn response_eols() {
        let cases: &[(&str, &[u8], bool, Option<usize>)] = &[
            ("crlf", b"a\r\nb", false, Some(3)),
            ("crlf at end waits", b"a\r\n", false, None),
            ("blank crlf", b"\r\n", false, Some(2)),
            ("blank lf", b"\nabc", false, Some(1)),
            ("lf", b"a\nb", false, Some(2)),
            ("lone cr", b"a\rb", false, Some(2)),
            ("lf cr", b"a\n\rb", false, Some(3)),
            ("cr at end waits", b"a\r", false, None),
            ("cr at end on close", b"a\r", true, Some(2)),
            ("lf at end waits", b"a\n", false, None),
            ("deformed lfcrcrlf before blank", b"a\n\r\r\n\r\nbody", false, Some(5)),
            ("lfcrcrlf before data is lf cr", b"a\n\r\r\nX", false, Some(3)),
            ("crlfcr run", b"a\r\n\r\r\r\nT", false, Some(7)),
            ("crlfcrlf is crlf", b"a\r\n\r\nbody", false, Some(3)),
            ("none", b"abc", false, None),
        ];
        for (name, buf, closing, want) in cases {
            assert_eq!(response_eol(buf, *closing), *want, "{name}");
        }
        assert!(looks_like_header_start(b" Transfer-Encoding: chunked"));
        assert!(!looks_like_header_start(b" folded value"));
        assert_eq!(chomp_any(b"x\r\n\r"), b"x");
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(line in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_request_line(&line);
            let _ = parse_status_line(&line);
            let _ = parse_header_line(&line);
            let _ = parse_chunk_size(&line);
            let _ = parse_content_length(&line);
            let _ = split_uri(&line, false);
            let _ = normalize_host(&line);
            for closing in [false, true] {
                if let Some(n) = response_eol(&line, closing) {
                    proptest::prop_assert!(n <= line.len());
                }
            }
            let mut out = Vec::new();
            normalize_path(&line, &mut out);
            proptest::prop_assert!(out.len() <= line.len());
        }
    }
}
