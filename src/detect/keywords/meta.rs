//! Signature metadata: msg, sid, rev, gid, classtype, priority, reference, metadata, target,
//! noalert. These never match anything; the compiler folds them into the signature's `SigMeta`.

use super::util::{need, none, unquote};
use super::{Keyword, KwError, Meta};
use crate::detect::Target;

/// Longest `msg` accepted (Suricata's whole-rule limit is 8 KiB).
pub const MAX_MSG: usize = 8192;

/// Parses every keyword of this file.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let meta = match kw {
        "msg" => {
            let v = need(kw, value)?;
            if v.len() > MAX_MSG {
                return Err(KwError::invalid(kw, format!("longer than {MAX_MSG} bytes")));
            }
            Meta::Msg(unescape(unquote(v)))
        }
        "sid" => {
            let n = number(kw, value)?;
            if n == 0 {
                return Err(KwError::invalid(kw, "'0' is not a valid sid"));
            }
            Meta::Sid(n)
        }
        "rev" => Meta::Rev(number(kw, value)?),
        "gid" => Meta::Gid(number(kw, value)?),
        "priority" => {
            let v = need(kw, value)?;
            match v.parse::<u8>() {
                Ok(n) if n >= 1 && v.bytes().all(|c| c.is_ascii_digit()) => Meta::Priority(n),
                _ => return Err(KwError::invalid(kw, format!("'{v}' is not a priority (1-255)"))),
            }
        }
        "classtype" => {
            let v = need(kw, value)?;
            if !v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
                return Err(KwError::invalid(kw, format!("'{v}' is not a classtype name")));
            }
            Meta::Classtype(v.to_string())
        }
        "reference" => {
            let v = need(kw, value)?;
            let (sys, id) = v.split_once(',').ok_or_else(|| KwError::invalid(kw, format!("'{v}': expected <system>,<id>")))?;
            let (sys, id) = (sys.trim(), unquote(id.trim()));
            if sys.is_empty() || id.is_empty() {
                return Err(KwError::invalid(kw, format!("'{v}': expected <system>,<id>")));
            }
            Meta::Reference(sys.to_string(), id.to_string())
        }
        "metadata" => {
            let v = need(kw, value)?;
            let mut pairs = Vec::new();
            for item in v.split(',') {
                let item = item.trim();
                // Suricata skips entries without a value.
                if let Some((k, val)) = item.split_once(char::is_whitespace) {
                    let val = val.trim();
                    if !val.is_empty() {
                        pairs.push((k.to_string(), val.to_string()));
                    }
                }
            }
            Meta::Metadata(pairs)
        }
        "target" => match need(kw, value)? {
            "src_ip" => Meta::Target(Target::Src),
            "dest_ip" => Meta::Target(Target::Dst),
            other => return Err(KwError::invalid(kw, format!("'{other}' is not src_ip or dest_ip"))),
        },
        "noalert" => {
            none(kw, value)?;
            Meta::NoAlert
        }
        other => return Err(KwError::invalid(other, "not a meta keyword")),
    };
    Ok(Keyword::Meta(meta))
}

fn number(kw: &str, value: Option<&str>) -> Result<u32, KwError> {
    let v = unquote(need(kw, value)?);
    if !v.bytes().all(|c| c.is_ascii_digit()) {
        return Err(KwError::invalid(kw, format!("'{v}' is not a number")));
    }
    v.parse::<u32>().map_err(|_| KwError::invalid(kw, format!("'{v}' is out of range for u32")))
}

/// Resolves `msg` escapes as Suricata's `DetectMsgSetup`: a backslash makes the next character
/// literal, whatever it is (`\w` is `w`, `\"` is `"`); a trailing lone backslash is dropped.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(kw: &str, v: Option<&str>) -> Meta {
        match super::super::parse_keyword(kw, v) {
            Some(Ok(Keyword::Meta(m))) => m,
            other => panic!("{kw}:{v:?} -> {other:?}"),
        }
    }

    #[test]
    fn table() {
        let cases: Vec<(&str, Option<&str>, Meta)> = vec![
            ("msg", Some("\"ET POLICY \\\"quoted\\\" \\; semi\""), Meta::Msg("ET POLICY \"quoted\" ; semi".into())),
            ("msg", Some("bare words"), Meta::Msg("bare words".into())),
            // Suricata's DetectMsgParseTest02.
            ("msg", Some("\"msg escape tests \\w\\x\\y\\'\\\"\\\\;\\:\""), Meta::Msg("msg escape tests wxy'\"\\;:".into())),
            ("sid", Some("2100498"), Meta::Sid(2100498)),
            ("rev", Some("7"), Meta::Rev(7)),
            ("gid", Some("1"), Meta::Gid(1)),
            ("priority", Some("2"), Meta::Priority(2)),
            ("classtype", Some("trojan-activity"), Meta::Classtype("trojan-activity".into())),
            ("reference", Some("url, doc.emergingthreats.net/2008"), Meta::Reference("url".into(), "doc.emergingthreats.net/2008".into())),
            ("reference", Some("cve,2021-44228"), Meta::Reference("cve".into(), "2021-44228".into())),
            (
                "metadata",
                Some("policy balanced-ips drop, created_at 2010_07_30, former_category MALWARE, lonely"),
                Meta::Metadata(vec![
                    ("policy".into(), "balanced-ips drop".into()),
                    ("created_at".into(), "2010_07_30".into()),
                    ("former_category".into(), "MALWARE".into()),
                ]),
            ),
            ("target", Some("dest_ip"), Meta::Target(Target::Dst)),
            ("noalert", None, Meta::NoAlert),
        ];
        for (kw, v, want) in cases {
            assert_eq!(meta(kw, v), want, "{kw}:{v:?}");
        }
    }

    #[test]
    fn errors() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("sid", Some("0"), "sid: '0' is not a valid sid"),
            ("sid", Some("abc"), "sid: 'abc' is not a number"),
            ("sid", Some("99999999999"), "sid: '99999999999' is out of range for u32"),
            ("priority", Some("0"), "priority: '0' is not a priority (1-255)"),
            ("reference", Some("nocomma"), "reference: 'nocomma': expected <system>,<id>"),
            ("target", Some("both"), "target: 'both' is not src_ip or dest_ip"),
            ("noalert", Some("x"), "noalert: takes no value, got 'x'"),
            ("msg", None, "msg: needs a value"),
        ];
        for (kw, v, want) in cases {
            match super::super::parse_keyword(kw, *v) {
                Some(Err(e)) => assert_eq!(e.reason, *want),
                other => panic!("{kw}:{v:?} -> {other:?}"),
            }
        }
    }
}
