//! `decode-event:<name>`: a decoder anomaly (Suricata's `decoder.*` events, written without the
//! `decoder.` prefix, which is accepted too) was raised on the packet.

use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::DecodeEvent;

/// Parses `decode-event`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let name = v.strip_prefix("decoder.").unwrap_or(v).trim();
    match DecodeEvent::from_name(name) {
        Some(e) => Ok(Keyword::Cond(Cond::DecodeEvent(e))),
        None => Err(KwError::invalid(kw, format!("unknown decoder event '{name}'"))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;

    #[test]
    fn table() {
        let mut p = tcp_pkt(0);
        let c = match parse("decode-event", Some("ipv4.trunc_pkt")) {
            Ok(Keyword::Cond(c)) => c,
            other => panic!("{other:?}"),
        };
        assert!(!c.matches(&p, None));
        p.events.set(DecodeEvent::Ipv4TruncPkt);
        assert!(c.matches(&p, None));
        assert!(matches!(parse("decode-event", Some("decoder.ipv4.trunc_pkt")), Ok(Keyword::Cond(_))));
        let e = parse("decode-event", Some("ipv4.nope")).expect_err("unknown");
        assert_eq!(e.reason, "decode-event: unknown decoder event 'ipv4.nope'");
    }
}
