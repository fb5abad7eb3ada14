//! The option list between `(` and `)`: `name[:value];` repeated.
//!
//! Splitting follows Suricata's `SigParseOptions`: an option ends at the first `;` that is not
//! escaped by a backslash; quotes do *not* protect a `;` (Suricata would split there too, so a
//! literal `;` in `content`/`pcre`/`msg` must be written `\;` or `|3B|`). One difference: we
//! treat `\\` as an escaped backslash, so in `"a\\";` the `;` ends the option (Suricata only
//! looks at the previous byte; no rule in ET Open or the community sets depends on that).
//! The name is everything before the first `:`, trimmed; the value everything after it,
//! trimmed, with every escape left in place for the keyword parsers. An empty value is `None`.

use super::{Fail, RuleOption};

/// Splits the option body (without the parentheses) into options.
pub(crate) fn split_options(body: &str) -> Result<Vec<RuleOption>, Fail> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        while b.get(pos).is_some_and(|c| c.is_ascii_whitespace()) {
            pos += 1;
        }
        if pos >= b.len() {
            break;
        }
        let start = pos;
        let mut end = None;
        while let Some(&c) = b.get(pos) {
            match c {
                b'\\' => pos += 2,
                b';' => {
                    end = Some(pos);
                    break;
                }
                _ => pos += 1,
            }
        }
        let opt = match end {
            Some(e) => body.get(start..e).unwrap_or(""),
            None => body.get(start..).unwrap_or(""),
        };
        let (name, value) = match opt.split_once(':') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (opt.trim(), None),
        };
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')) {
            let shown: String = name.chars().take(32).collect();
            let reason = if name.is_empty() {
                "empty option (stray ';' or ':')".to_string()
            } else {
                format!("malformed option name '{shown}'")
            };
            return Err(Fail { keyword: None, reason });
        }
        if end.is_none() {
            return Err(Fail::kw(name, "option not terminated by ';'"));
        }
        out.push(RuleOption {
            name: name.to_string(),
            value: value.filter(|v| !v.is_empty()).map(str::to_string),
        });
        pos += 1; // past ';'
    }
    Ok(out)
}

/// The rule's sid: exactly one `sid` option with a value in 1..=u32::MAX (quotes allowed).
pub(crate) fn sid_of(options: &[RuleOption]) -> Result<u32, Fail> {
    let mut found = options.iter().filter(|o| o.name == "sid");
    let Some(opt) = found.next() else {
        return Err(Fail { keyword: None, reason: "rule has no sid".to_string() });
    };
    if found.next().is_some() {
        return Err(Fail::kw("sid", "sid given more than once"));
    }
    let v = opt.value.as_deref().unwrap_or("");
    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v).trim();
    match v.parse::<u32>() {
        Ok(0) => Err(Fail::kw("sid", "sid 0 is invalid")),
        Ok(n) if v.bytes().all(|c| c.is_ascii_digit()) => Ok(n),
        _ => Err(Fail::kw("sid", format!("sid '{}' is not a number in 1..=4294967295", v.chars().take(24).collect::<String>()))),
    }
}

/// Best-effort sid of a rule that failed to parse (for the issue report).
pub(crate) fn find_sid(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|r| r.find("sid")).map(|i| i + from) {
        from = i + 3;
        let before = b.get(..i).and_then(|s| s.iter().rev().find(|c| !c.is_ascii_whitespace()));
        if !matches!(before, Some(b';') | Some(b'(')) {
            continue;
        }
        let mut p = i + 3;
        let skip = |p: &mut usize| {
            while b.get(*p).is_some_and(|c| c.is_ascii_whitespace()) {
                *p += 1;
            }
        };
        skip(&mut p);
        if b.get(p) != Some(&b':') {
            continue;
        }
        p += 1;
        skip(&mut p);
        if b.get(p) == Some(&b'"') {
            p += 1;
        }
        let start = p;
        while b.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        if let Some(n) = text.get(start..p).and_then(|d| d.parse::<u32>().ok()).filter(|n| *n != 0) {
            return Some(n);
        }
    }
    None
}
