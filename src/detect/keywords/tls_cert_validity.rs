//! Certificate validity keywords (Suricata `detect-tls-cert-validity.c`):
//! `tls_cert_notbefore` / `tls_cert_notafter` compare the leaf certificate's dates with a
//! date (`<`, `>`, exact, or a range `a<>b`); `tls_cert_expired` and `tls_cert_valid` (no
//! value) compare them with the packet time.
//!
//! Dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM-DDTHH:MM`,
//! `YYYY-MM-DDTHH:MM:SS` (UTC), or Unix seconds. A missing part is its lowest value.

use crate::applayer::tls::TlsTx;

/// Which date or check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValidityKind {
    /// `tls_cert_notbefore`
    NotBefore,
    /// `tls_cert_notafter`
    NotAfter,
    /// `tls_cert_expired`
    Expired,
    /// `tls_cert_valid`
    Valid,
}

/// Comparison of a date keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateCmp {
    /// Equal to.
    Eq(i64),
    /// Before.
    Lt(i64),
    /// After.
    Gt(i64),
    /// Strictly between.
    Range(i64, i64),
}

/// A compiled validity keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertValidity {
    /// Which keyword.
    pub kind: ValidityKind,
    /// The comparison (date keywords only).
    pub cmp: Option<DateCmp>,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses one date (see the module docs) to Unix seconds.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let bad = || format!("invalid date '{s}'");
    if s.len() > 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map_err(|_| bad());
    }
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let mut dp = date.split('-');
    let num = |p: Option<&str>, dflt: i64, lo: i64, hi: i64| -> Result<i64, String> {
        match p {
            None | Some("") => Ok(dflt),
            Some(p) => p.parse::<i64>().ok().filter(|v| (lo..=hi).contains(v)).ok_or_else(bad),
        }
    };
    let y = num(dp.next(), 0, 0, 9999)?;
    let mo = num(dp.next(), 1, 1, 12)?;
    let d = num(dp.next(), 1, 1, 31)?;
    if dp.next().is_some() || date.is_empty() {
        return Err(bad());
    }
    let mut tp = time.split(':');
    let h = num(tp.next(), 0, 0, 23)?;
    let mi = num(tp.next(), 0, 0, 59)?;
    let se = num(tp.next(), 0, 0, 60)?;
    if tp.next().is_some() {
        return Err(bad());
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

impl CertValidity {
    /// Parses `name` (one of the four keywords) with its value.
    pub fn parse(name: &str, value: Option<&str>) -> Result<Self, String> {
        let kind = match name {
            "tls_cert_notbefore" => ValidityKind::NotBefore,
            "tls_cert_notafter" => ValidityKind::NotAfter,
            "tls_cert_expired" => ValidityKind::Expired,
            "tls_cert_valid" => ValidityKind::Valid,
            _ => return Err(format!("{name}: not a certificate validity keyword")),
        };
        if matches!(kind, ValidityKind::Expired | ValidityKind::Valid) {
            if value.is_some_and(|v| !v.trim().is_empty()) {
                return Err(format!("{name}: takes no value"));
            }
            return Ok(CertValidity { kind, cmp: None });
        }
        let v = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| format!("{name}: needs a date"))?;
        let e = |m: String| format!("{name}: {m}");
        let cmp = if let Some((a, b)) = v.split_once("<>") {
            DateCmp::Range(parse_date(a).map_err(e)?, parse_date(b).map_err(|m| format!("{name}: {m}"))?)
        } else if let Some(r) = v.strip_prefix('<') {
            DateCmp::Lt(parse_date(r).map_err(e)?)
        } else if let Some(r) = v.strip_prefix('>') {
            DateCmp::Gt(parse_date(r).map_err(e)?)
        } else {
            DateCmp::Eq(parse_date(v).map_err(e)?)
        };
        Ok(CertValidity { kind, cmp: Some(cmp) })
    }

    /// Whether `tx`'s leaf certificate matches at packet time `now` (Unix seconds). No
    /// certificate: no match.
    pub fn matches_at(&self, tx: &TlsTx, now: i64) -> bool {
        let Some(c) = tx.cert0() else { return false };
        let (Some(nb), Some(na)) = (c.not_before, c.not_after) else { return false };
        match (self.kind, self.cmp) {
            (ValidityKind::Expired, _) => now > na,
            (ValidityKind::Valid, _) => now >= nb && now <= na,
            (k, Some(cmp)) => {
                let t = if k == ValidityKind::NotBefore { nb } else { na };
                match cmp {
                    DateCmp::Eq(x) => t == x,
                    DateCmp::Lt(x) => t < x,
                    DateCmp::Gt(x) => t > x,
                    DateCmp::Range(a, b) => t > a && t < b,
                }
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applayer::tls::cert::CertInfo;

    fn tx(nb: i64, na: i64) -> TlsTx {
        TlsTx { server_certs: vec![CertInfo { not_before: Some(nb), not_after: Some(na), ..Default::default() }], ..Default::default() }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970"), Ok(0));
        assert_eq!(parse_date("2014-04-09T12:07:45"), Ok(1_397_045_265));
        assert_eq!(parse_date("2000-03"), Ok(951_868_800));
        assert_eq!(parse_date("1397045265"), Ok(1_397_045_265));
        assert!(parse_date("2014-13-01").is_err());
        assert!(parse_date("x").is_err());
    }

    #[test]
    fn matches() {
        let t = tx(parse_date("2014-04-09").expect("d"), parse_date("2014-07-08").expect("d"));
        let cases = [
            ("tls_cert_notbefore", Some("2014-04-09"), true),
            ("tls_cert_notbefore", Some(">2013"), true),
            ("tls_cert_notbefore", Some("<2013"), false),
            ("tls_cert_notafter", Some("2014-01-01<>2015-01-01"), true),
            ("tls_cert_notafter", Some("2015<>2016"), false),
        ];
        for (k, v, want) in cases {
            assert_eq!(CertValidity::parse(k, v).expect(k).matches_at(&t, 0), want, "{k}:{v:?}");
        }
        let now = parse_date("2014-08-01").expect("d");
        assert!(CertValidity::parse("tls_cert_expired", None).expect("e").matches_at(&t, now));
        assert!(!CertValidity::parse("tls_cert_valid", None).expect("v").matches_at(&t, now));
        assert!(CertValidity::parse("tls_cert_valid", None).expect("v").matches_at(&t, parse_date("2014-05").expect("d")));
        assert!(!CertValidity::parse("tls_cert_valid", None).expect("v").matches_at(&TlsTx::default(), 0), "no certificate");
        assert!(CertValidity::parse("tls_cert_expired", Some("x")).is_err());
        assert!(CertValidity::parse("tls_cert_notafter", None).is_err());
    }
}
