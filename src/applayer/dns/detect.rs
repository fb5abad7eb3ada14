//! Sticky buffers of DNS for rules (Suricata 8 keyword names). All are multi-buffers: one
//! instance per name. Nothing here allocates.
//!
//! | keyword | instances | direction |
//! |---|---|---|
//! | `dns.query`, `dns_query` | each question name of a request | to_server |
//! | `dns.queries.rrname`, `dns.query.name` | each question name | both |
//! | `dns.answers.rrname`, `dns.answer.name` | each answer owner name | both |
//! | `dns.authorities.rrname` | each authority owner name | both |
//! | `dns.additionals.rrname` | each additional owner name | both |
//! | `dns.response.rrname` | of a response: question names, every record's owner name, and name-typed rdata (CNAME, PTR, MX, NS, SOA mname and rname) | to_client |
//!
//! "both" buffers are inspected on the messages of either direction ([`DnsBuf::both_directions`]);
//! [`DnsBuf::direction`] then names the usual one (Suricata recommends `flow:` to pin it).

use super::parser::{DnsRData, DnsRecord};
use super::DnsTx;
use crate::flow::Direction;

/// One sticky buffer of DNS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DnsBuf {
    /// `dns.query` / `dns_query`: question names of requests.
    Query,
    /// `dns.queries.rrname` / `dns.query.name`: question names of any message.
    QueriesRrname,
    /// `dns.answers.rrname` / `dns.answer.name`: answer owner names.
    AnswersRrname,
    /// `dns.authorities.rrname`.
    AuthoritiesRrname,
    /// `dns.additionals.rrname`.
    AdditionalsRrname,
    /// `dns.response.rrname`: every name of a response.
    ResponseRrname,
}

impl DnsBuf {
    /// Every buffer.
    pub const ALL: [DnsBuf; 6] =
        [DnsBuf::Query, DnsBuf::QueriesRrname, DnsBuf::AnswersRrname, DnsBuf::AuthoritiesRrname, DnsBuf::AdditionalsRrname, DnsBuf::ResponseRrname];

    /// Suricata's keyword names and legacy aliases.
    pub fn from_keyword(name: &str) -> Option<Self> {
        Some(match name {
            "dns.query" | "dns_query" => DnsBuf::Query,
            "dns.queries.rrname" | "dns.query.name" => DnsBuf::QueriesRrname,
            "dns.answers.rrname" | "dns.answer.name" => DnsBuf::AnswersRrname,
            "dns.authorities.rrname" => DnsBuf::AuthoritiesRrname,
            "dns.additionals.rrname" => DnsBuf::AdditionalsRrname,
            "dns.response.rrname" => DnsBuf::ResponseRrname,
            _ => return None,
        })
    }

    /// The direction whose packets inspect it (the usual one for "both" buffers).
    pub fn direction(self) -> Direction {
        match self {
            DnsBuf::Query | DnsBuf::QueriesRrname => Direction::ToServer,
            _ => Direction::ToClient,
        }
    }

    /// Whether Suricata inspects it on messages of both directions.
    pub fn both_directions(self) -> bool {
        !matches!(self, DnsBuf::Query | DnsBuf::ResponseRrname)
    }
}

fn each_owner(rs: &[DnsRecord], f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    rs.iter().any(|r| f(&r.name.value))
}

/// Calls `f` on each instance of `buf` in `tx` until it returns true; returns whether it did.
pub fn for_each(tx: &DnsTx, buf: DnsBuf, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let m = &tx.message;
    match buf {
        DnsBuf::Query => tx.is_request() && m.queries.iter().any(|q| f(&q.name.value)),
        DnsBuf::QueriesRrname => m.queries.iter().any(|q| f(&q.name.value)),
        DnsBuf::AnswersRrname => each_owner(&m.answers, f),
        DnsBuf::AuthoritiesRrname => each_owner(&m.authorities, f),
        DnsBuf::AdditionalsRrname => each_owner(&m.additionals, f),
        DnsBuf::ResponseRrname => {
            if tx.is_request() {
                return false;
            }
            if m.queries.iter().any(|q| f(&q.name.value)) {
                return true;
            }
            for r in m.answers.iter().chain(&m.authorities).chain(&m.additionals) {
                if f(&r.name.value) {
                    return true;
                }
                let hit = match &r.data {
                    DnsRData::Name(n) => f(&n.value),
                    DnsRData::Soa(s) => f(&s.mname.value) || f(&s.rname.value),
                    _ => false,
                };
                if hit {
                    return true;
                }
            }
            false
        }
    }
}

/// Whether `buf` is final in `tx`: a transaction is one whole message, so always.
pub fn ready(_tx: &DnsTx, _buf: DnsBuf) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::super::parser::tests::{query, response_a};
    use super::super::{DnsConfig, DnsState};
    use super::*;
    use crate::time::Timestamp;

    fn collect(tx: &DnsTx, b: DnsBuf) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        for_each(tx, b, &mut |x| {
            v.push(x.to_vec());
            false
        });
        v
    }

    #[test]
    fn buffers() {
        let mut s = DnsState::new_udp(DnsConfig::default());
        s.on_data(Direction::ToServer, Timestamp::default(), &query(1, "evil.example.com", 1));
        s.on_data(Direction::ToClient, Timestamp::default(), &response_a(1, "evil.example.com", [1, 2, 3, 4]));
        let t: Vec<&DnsTx> = s.txs().collect();
        assert_eq!(collect(t[0], DnsBuf::Query), vec![b"evil.example.com".to_vec()]);
        assert!(collect(t[1], DnsBuf::Query).is_empty(), "dns.query is request-only");
        assert_eq!(collect(t[1], DnsBuf::QueriesRrname).len(), 1);
        assert_eq!(collect(t[1], DnsBuf::AnswersRrname), vec![b"evil.example.com".to_vec()]);
        // question + answer owner + OPT owner (root, empty)
        assert_eq!(collect(t[1], DnsBuf::ResponseRrname).len(), 3);
        assert!(collect(t[0], DnsBuf::ResponseRrname).is_empty());
        assert!(for_each(t[0], DnsBuf::Query, &mut |x| x.ends_with(b".example.com")));
        assert!(ready(t[0], DnsBuf::Query));
        for b in DnsBuf::ALL {
            let name = match b {
                DnsBuf::Query => "dns.query",
                DnsBuf::QueriesRrname => "dns.queries.rrname",
                DnsBuf::AnswersRrname => "dns.answers.rrname",
                DnsBuf::AuthoritiesRrname => "dns.authorities.rrname",
                DnsBuf::AdditionalsRrname => "dns.additionals.rrname",
                DnsBuf::ResponseRrname => "dns.response.rrname",
            };
            assert_eq!(DnsBuf::from_keyword(name), Some(b));
        }
        assert_eq!(DnsBuf::from_keyword("dns_query"), Some(DnsBuf::Query));
        assert_eq!(DnsBuf::from_keyword("dns.nope"), None);
    }
}
