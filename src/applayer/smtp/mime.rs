//! The part of a mail message detection and EVE need: the top-level headers (From, To, Cc,
//! Subject, Date, Message-ID, X-Mailer), unfolded, and the file names of attachments
//! (Content-Disposition `filename=`, else Content-Type `name=`) of multipart bodies, nested up
//! to [`MAX_DEPTH`] boundaries. Bodies are not decoded or kept. Every value is bounded.

/// Most nested multipart boundaries followed.
pub const MAX_DEPTH: usize = 4;
/// Longest boundary kept (RFC 2046: 70).
const MAX_BOUNDARY: usize = 200;

/// Headers and attachment names of one message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MimeHeaders {
    /// `From` value.
    pub from: Vec<u8>,
    /// `To` addresses (split at commas, trimmed).
    pub to: Vec<Vec<u8>>,
    /// `Cc` addresses.
    pub cc: Vec<Vec<u8>>,
    /// `Subject` value.
    pub subject: Vec<u8>,
    /// `Date` value.
    pub date: Vec<u8>,
    /// `Message-ID` value.
    pub message_id: Vec<u8>,
    /// `X-Mailer` value.
    pub x_mailer: Vec<u8>,
    /// Attachment file names.
    pub attachments: Vec<Vec<u8>>,
    /// The message ended (lone `.` or last BDAT chunk, or the flow ended).
    pub done: bool,
    /// The top-level header block ended.
    pub headers_done: bool,
    hdr: Vec<u8>,
    hdr_over: bool,
    in_part_headers: bool,
    boundaries: Vec<Vec<u8>>,
    part_name: Vec<u8>,
    part_boundary: Option<Vec<u8>>,
    raw: Vec<u8>,
    max_value: usize,
    max_att: usize,
}

fn trimmed(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

/// The value of parameter `name` (`name=value` or `name="value"`) in a header value.
pub fn header_param<'a>(value: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    for p in value.split(|c| *c == b';').skip(1) {
        let p = trimmed(p);
        let Some(eq) = p.iter().position(|c| *c == b'=') else { continue };
        if !trimmed(&p[..eq]).eq_ignore_ascii_case(name) {
            continue;
        }
        let v = trimmed(&p[eq + 1..]);
        let v = v.strip_prefix(b"\"").map(|x| x.strip_suffix(b"\"").unwrap_or(x)).unwrap_or(v);
        return Some(v);
    }
    None
}

impl MimeHeaders {
    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        let l = |v: &Vec<Vec<u8>>| v.iter().map(|x| x.capacity() + 24).sum::<usize>();
        self.from.capacity()
            + l(&self.to)
            + l(&self.cc)
            + self.subject.capacity()
            + self.date.capacity()
            + self.message_id.capacity()
            + self.x_mailer.capacity()
            + l(&self.attachments)
            + self.hdr.capacity()
            + l(&self.boundaries)
            + self.part_name.capacity()
            + self.raw.capacity()
    }

    /// Raw message bytes (BDAT): split into lines here.
    pub fn feed_raw(&mut self, mut data: &[u8], max_line: usize) {
        while !data.is_empty() {
            let nl = memchr::memchr(b'\n', data);
            let part = &data[..nl.unwrap_or(data.len())];
            let room = max_line.saturating_sub(self.raw.len());
            let over = part.len() > room;
            self.raw.extend_from_slice(&part[..part.len().min(room)]);
            let Some(n) = nl else { return };
            data = &data[n + 1..];
            let mut line = std::mem::take(&mut self.raw);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let (mv, ma) = (self.max_value.max(1024), self.max_att.max(32));
            self.line(&line, over, mv, ma);
            line.clear();
            self.raw = line;
        }
    }

    /// One message line (dot-stuffing undone, no line end).
    pub fn line(&mut self, line: &[u8], over: bool, max_value: usize, max_att: usize) {
        self.max_value = max_value;
        self.max_att = max_att;
        if self.done {
            return;
        }
        let in_headers = !self.headers_done || self.in_part_headers;
        if in_headers {
            if line.first().is_some_and(|c| *c == b' ' || *c == b'\t') && !self.hdr.is_empty() {
                let room = (max_value + 64).saturating_sub(self.hdr.len());
                self.hdr_over |= line.len() > room;
                self.hdr.extend_from_slice(&line[..line.len().min(room)]);
                return;
            }
            self.flush_header();
            if line.is_empty() {
                if self.in_part_headers {
                    self.end_part_headers();
                } else {
                    self.headers_done = true;
                }
                return;
            }
            let room = max_value + 64;
            self.hdr_over = over || line.len() > room;
            self.hdr.extend_from_slice(&line[..line.len().min(room)]);
            return;
        }
        // Body: only boundaries matter.
        if let Some(rest) = line.strip_prefix(b"--") {
            if let Some(pos) = self.boundaries.iter().rposition(|b| rest.starts_with(b)) {
                let closing = rest[self.boundaries[pos].len()..].starts_with(b"--");
                self.boundaries.truncate(pos + 1);
                if closing {
                    self.boundaries.pop();
                } else {
                    self.in_part_headers = true;
                    self.part_name.clear();
                    self.part_boundary = None;
                }
            }
        }
    }

    fn end_part_headers(&mut self) {
        self.in_part_headers = false;
        if !self.part_name.is_empty() && self.attachments.len() < self.max_att {
            self.attachments.push(std::mem::take(&mut self.part_name));
        }
        if let Some(b) = self.part_boundary.take() {
            if self.boundaries.len() < MAX_DEPTH {
                self.boundaries.push(b);
            }
        }
    }

    fn flush_header(&mut self) {
        if self.hdr.is_empty() {
            return;
        }
        let h = std::mem::take(&mut self.hdr);
        let Some(colon) = h.iter().position(|c| *c == b':') else { return };
        let name = trimmed(&h[..colon]);
        let value = trimmed(&h[colon + 1..]);
        let mv = self.max_value;
        let b = |v: &[u8]| v[..v.len().min(mv)].to_vec();
        let lname = name.to_ascii_lowercase();
        if self.in_part_headers {
            match lname.as_slice() {
                b"content-disposition" => {
                    if let Some(f) = header_param(value, b"filename") {
                        self.part_name = b(f);
                    }
                }
                b"content-type" => {
                    if self.part_name.is_empty() {
                        if let Some(f) = header_param(value, b"name") {
                            self.part_name = b(f);
                        }
                    }
                    if let Some(bd) = header_param(value, b"boundary") {
                        self.part_boundary = Some(bd[..bd.len().min(MAX_BOUNDARY)].to_vec());
                    }
                }
                _ => {}
            }
            return;
        }
        let list = |v: &[u8]| -> Vec<Vec<u8>> { v.split(|c| *c == b',').map(trimmed).filter(|x| !x.is_empty()).take(64).map(b).collect() };
        match lname.as_slice() {
            b"from" if self.from.is_empty() => self.from = b(value),
            b"to" if self.to.is_empty() => self.to = list(value),
            b"cc" if self.cc.is_empty() => self.cc = list(value),
            b"subject" if self.subject.is_empty() => self.subject = b(value),
            b"date" if self.date.is_empty() => self.date = b(value),
            b"message-id" if self.message_id.is_empty() => self.message_id = b(value),
            b"x-mailer" if self.x_mailer.is_empty() => self.x_mailer = b(value),
            b"content-type" => {
                if let Some(bd) = header_param(value, b"boundary") {
                    if self.boundaries.len() < MAX_DEPTH {
                        self.boundaries.push(bd[..bd.len().min(MAX_BOUNDARY)].to_vec());
                    }
                }
            }
            _ => {}
        }
    }

    /// The message ended.
    pub fn finish(&mut self) {
        self.flush_header();
        if self.in_part_headers {
            self.end_part_headers();
        }
        self.done = true;
        self.raw = Vec::new();
        self.boundaries = Vec::new();
    }
}
