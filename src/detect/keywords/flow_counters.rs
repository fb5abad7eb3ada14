//! Flow counters: `flow.pkts:<toserver|toclient|either>,<uint>` (u32) and
//! `flow.bytes:<dir>,<uint>` (u64) as in Suricata 8, the Suricata 7 forms
//! `flow.pkts_toserver:<uint>` etc., and `flow.age:<uint>` (seconds since the flow's first
//! packet, u32). Packets without a flow never match.

use super::uint::{Uint, UintValue};
use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::Packet;
use crate::flow::{Direction, Flow};

/// Which counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Packets.
    Pkts,
    /// Bytes.
    Bytes,
    /// Age in seconds (direction ignored).
    Age,
}

/// Which direction's counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CounterDir {
    /// To the server.
    ToServer,
    /// To the client.
    ToClient,
    /// Either direction's counter matches.
    Either,
}

/// A compiled flow-counter condition (operands widened to u64; parsed with the keyword's own
/// width so range checks are Suricata's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowCounter {
    /// Counter.
    pub counter: Counter,
    /// Direction.
    pub dir: CounterDir,
    /// Comparison.
    pub cmp: Uint<u64>,
}

impl FlowCounter {
    /// Whether the flow's counter satisfies the comparison.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>, flow: Option<(&Flow, Direction)>) -> bool {
        let Some((f, _)) = flow else { return false };
        let (ts, tc) = match self.counter {
            Counter::Pkts => (f.pkts_ts, f.pkts_tc),
            Counter::Bytes => (f.bytes_ts, f.bytes_tc),
            Counter::Age => {
                // Suricata: whole-second timestamps subtracted (SCTIME_SECS(p->ts) - SCTIME_SECS(f->startts)).
                let age = p.ts.secs().saturating_sub(f.start.secs()).max(0) as u64;
                return self.cmp.matches(age);
            }
        };
        match self.dir {
            CounterDir::ToServer => self.cmp.matches(ts),
            CounterDir::ToClient => self.cmp.matches(tc),
            CounterDir::Either => self.cmp.matches(ts) || self.cmp.matches(tc),
        }
    }
}

fn widen<T: UintValue>(u: Uint<T>) -> Uint<u64> {
    Uint { mode: u.mode, arg1: u.arg1.to_u64(), arg2: u.arg2.to_u64() }
}

fn cmp<T: UintValue>(kw: &str, v: &str) -> Result<Uint<u64>, KwError> {
    Uint::<T>::parse(v).map(widen).map_err(|e| KwError::invalid(kw, e))
}

/// Parses every keyword of this file.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let fc = match kw {
        "flow.pkts" | "flow.bytes" => {
            let (d, rest) = v.split_once(',').ok_or_else(|| KwError::invalid(kw, format!("'{v}': expected <toserver|toclient|either>,<value>")))?;
            let dir = match d.trim() {
                "toserver" => CounterDir::ToServer,
                "toclient" => CounterDir::ToClient,
                "either" => CounterDir::Either,
                other => return Err(KwError::invalid(kw, format!("'{v}': unknown direction '{other}' (toserver, toclient, either)"))),
            };
            if kw == "flow.pkts" {
                FlowCounter { counter: Counter::Pkts, dir, cmp: cmp::<u32>(kw, rest)? }
            } else {
                FlowCounter { counter: Counter::Bytes, dir, cmp: cmp::<u64>(kw, rest)? }
            }
        }
        "flow.pkts_toserver" => FlowCounter { counter: Counter::Pkts, dir: CounterDir::ToServer, cmp: cmp::<u32>(kw, v)? },
        "flow.pkts_toclient" => FlowCounter { counter: Counter::Pkts, dir: CounterDir::ToClient, cmp: cmp::<u32>(kw, v)? },
        "flow.bytes_toserver" => FlowCounter { counter: Counter::Bytes, dir: CounterDir::ToServer, cmp: cmp::<u64>(kw, v)? },
        "flow.bytes_toclient" => FlowCounter { counter: Counter::Bytes, dir: CounterDir::ToClient, cmp: cmp::<u64>(kw, v)? },
        "flow.age" => FlowCounter { counter: Counter::Age, dir: CounterDir::Either, cmp: cmp::<u32>(kw, v)? },
        other => return Err(KwError::invalid(other, "not a flow counter keyword")),
    };
    Ok(Keyword::Cond(Cond::FlowCounter(fc)))
}

#[cfg(test)]
mod tests {
    use super::super::flow::tests::flow;
    use super::super::header::tests::tcp_pkt;
    use super::*;

    #[test]
    fn table() {
        // flow(): 3 pkts / 300 bytes to server, 2 pkts / 2000 bytes to client, started at 900;
        // the packet is at 1000.
        let f = flow(true);
        let p = tcp_pkt(0);
        let cases: &[(&str, &str, bool)] = &[
            ("flow.pkts", "toserver,3", true),
            ("flow.pkts", "toclient,>2", false),
            ("flow.pkts", "either,2", true),
            ("flow.pkts", " toserver , >=3", true),
            ("flow.bytes", "toclient,>1kb", true),
            ("flow.bytes", "toserver,>1kb", false),
            ("flow.pkts_toserver", "3", true),
            ("flow.pkts_toclient", "<2", false),
            ("flow.bytes_toserver", "300", true),
            ("flow.bytes_toclient", "2000", true),
            ("flow.age", "100", true),
            ("flow.age", ">100", false),
            ("flow.age", "<101", true),
        ];
        for (kw, v, want) in cases {
            let c = match parse(kw, Some(v)) {
                Ok(Keyword::Cond(c)) => c,
                other => panic!("{kw}:{v} -> {other:?}"),
            };
            assert_eq!(c.matches(&p, Some((&f, Direction::ToServer))), *want, "{kw}:{v}");
            assert!(!c.matches(&p, None), "{kw}:{v} without a flow");
        }
        for (kw, v) in [("flow.pkts", "3"), ("flow.pkts", "up,3"), ("flow.pkts", "toserver,5000000000"), ("flow.age", "x")] {
            assert!(parse(kw, Some(v)).is_err(), "{kw}:{v}");
        }
    }
}

#[cfg(test)]
mod age_tests {
    use super::super::flow::tests::flow;
    use super::super::header::tests::tcp_pkt;
    use super::*;
    use crate::time::Timestamp;

    /// Age counts whole-second boundaries crossed, as Suricata's `SCTIME_SECS` difference.
    #[test]
    fn whole_seconds() {
        let mut f = flow(true);
        f.start = Timestamp::from_parts(900, 900_000);
        let mut p = tcp_pkt(0);
        p.ts = Timestamp::from_parts(901, 100_000);
        let c = match parse("flow.age", Some("1")) {
            Ok(Keyword::Cond(c)) => c,
            other => panic!("{other:?}"),
        };
        assert!(c.matches(&p, Some((&f, Direction::ToServer))));
    }
}
