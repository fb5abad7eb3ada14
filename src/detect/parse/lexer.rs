//! Rule files to logical rule lines.
//!
//! Blank lines and lines whose first non-blank character is `#` are skipped (a commented-out
//! rule is a comment). A line whose last non-blank character is `\` continues on the next line
//! (the backslash is dropped, the next line appended as it is). CRLF line ends are accepted;
//! leading whitespace before a rule is allowed. A logical rule longer than
//! [`MAX_RULE_LEN`](super::MAX_RULE_LEN) bytes is reported, not stored.

use super::MAX_RULE_LEN;

/// One logical rule: its 1-based first line and its text (or why it cannot be read).
pub(crate) struct RawRule {
    /// 1-based line of the rule's first line.
    pub line: u32,
    /// The joined text, or a reason.
    pub text: Result<String, String>,
}

struct Pending {
    line: u32,
    buf: Vec<u8>,
    too_long: bool,
}

impl Pending {
    fn push(&mut self, part: &[u8]) {
        if self.too_long || self.buf.len() + part.len() > MAX_RULE_LEN {
            self.too_long = true;
            self.buf = Vec::new();
        } else {
            self.buf.extend_from_slice(part);
        }
    }

    fn finish(self) -> RawRule {
        let text = if self.too_long {
            Err(format!("rule longer than {MAX_RULE_LEN} bytes"))
        } else {
            String::from_utf8(self.buf).map_err(|_| "rule is not valid UTF-8".to_string())
        };
        RawRule { line: self.line, text }
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    s.get(n..).unwrap_or(&[])
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s.iter().rev().take_while(|c| c.is_ascii_whitespace()).count();
    s.get(..s.len() - n).unwrap_or(&[])
}

/// Splits a rule file into logical rules.
pub(crate) fn split_rules(data: &[u8]) -> Vec<RawRule> {
    let mut out = Vec::new();
    let mut pending: Option<Pending> = None;
    for (idx, raw) in data.split(|c| *c == b'\n').enumerate() {
        let lineno = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let line = trim_end(raw);
        let mut cur = match pending.take() {
            Some(p) => p,
            None => {
                let t = trim_start(line);
                if t.is_empty() || t.first() == Some(&b'#') {
                    continue;
                }
                Pending { line: lineno, buf: Vec::with_capacity(t.len()), too_long: false }
            }
        };
        let part = if cur.buf.is_empty() && !cur.too_long { trim_start(line) } else { line };
        match part.strip_suffix(b"\\") {
            Some(head) => {
                cur.push(head);
                pending = Some(cur);
            }
            None => {
                cur.push(part);
                out.push(cur.finish());
            }
        }
    }
    if let Some(p) = pending {
        out.push(RawRule { line: p.line, text: Err("file ends inside a rule continued with '\\'".to_string()) });
    }
    out
}
