//! `flow:<option>[,<option>...]`: flow state and direction.
//!
//! Options (case-insensitive): `established`, `not_established`, `stateless`, `to_server` /
//! `from_client`, `to_client` / `from_server`, `no_stream` (always true here: Rampart inspects
//! packets, never reassembled stream chunks), `only_stream` (refused: needs stream reassembly),
//! `no_frag`, `only_frag`. Packets without a flow only match rules that ask for neither state
//! nor direction.

use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::Packet;
use crate::flow::{Direction, Flow};

/// A compiled `flow`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FlowCond {
    /// `Some(true)`: established, `Some(false)`: not_established.
    pub established: Option<bool>,
    /// Required direction.
    pub dir: Option<Direction>,
    /// `Some(true)`: only_frag, `Some(false)`: no_frag.
    pub frag: Option<bool>,
    /// `stateless` was given (informational: it matches every packet).
    pub stateless: bool,
}

impl FlowCond {
    /// Whether `p` (in `flow`) satisfies the options.
    #[inline]
    pub fn matches(&self, p: &Packet<'_>, flow: Option<(&Flow, Direction)>) -> bool {
        if let Some(want) = self.frag {
            let is_frag = p.ip.is_some_and(|ip| ip.mf || ip.frag_offset > 0);
            if is_frag != want {
                return false;
            }
        }
        if self.established.is_none() && self.dir.is_none() {
            return true;
        }
        let Some((f, dir)) = flow else { return false };
        if let Some(want) = self.established {
            if f.is_established() != want {
                return false;
            }
        }
        match self.dir {
            Some(d) => d == dir,
            None => true,
        }
    }
}

/// Parses `flow`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let mut c = FlowCond::default();
    let conflict = |a: &str| KwError::invalid(kw, format!("'{v}': '{a}' conflicts with an earlier option"));
    for opt in v.split(',') {
        let o = opt.trim().to_ascii_lowercase();
        match o.as_str() {
            "established" | "not_established" => {
                let want = o == "established";
                if c.established.is_some_and(|e| e != want) {
                    return Err(conflict(&o));
                }
                c.established = Some(want);
            }
            "to_server" | "from_client" | "to_client" | "from_server" => {
                let d = if o == "to_server" || o == "from_client" { Direction::ToServer } else { Direction::ToClient };
                if c.dir.is_some_and(|x| x != d) {
                    return Err(conflict(&o));
                }
                c.dir = Some(d);
            }
            "stateless" => c.stateless = true,
            "no_stream" => {}
            "only_stream" => return Err(KwError::refused(kw, "only_stream needs stream reassembly")),
            "no_frag" | "only_frag" => {
                let want = o == "only_frag";
                if c.frag.is_some_and(|x| x != want) {
                    return Err(conflict(&o));
                }
                c.frag = Some(want);
            }
            "" => return Err(KwError::invalid(kw, format!("'{v}': empty option"))),
            _ => return Err(KwError::invalid(kw, format!("'{v}': unknown option '{}'", opt.trim()))),
        }
    }
    Ok(Keyword::Cond(Cond::Flow(c)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::header::tests::tcp_pkt;
    use super::*;
    use crate::flow::{FlowKey, TcpState, TcpTrack};
    use crate::time::Timestamp;
    use std::net::{IpAddr, Ipv4Addr};

    pub(crate) fn flow(established: bool) -> Flow {
        let c = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 1234);
        let s = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);
        let mut f = Flow::new(1, FlowKey::new(c, s, 6, &[]), c, s, Timestamp::from_parts(900, 0));
        f.last = Timestamp::from_parts(1000, 0);
        (f.pkts_ts, f.pkts_tc, f.bytes_ts, f.bytes_tc) = (3, 2, 300, 2000);
        f.tcp = TcpTrack { state: if established { TcpState::Established } else { TcpState::SynSent }, ..TcpTrack::default() };
        f
    }

    #[test]
    fn table() {
        let p = tcp_pkt(0x10);
        let est = flow(true);
        let syn = flow(false);
        type Case<'a> = (&'a str, &'a str, Option<(&'a Flow, Direction)>, bool);
        let cases: &[Case<'_>] = &[
            ("est to_server", "established,to_server", Some((&est, Direction::ToServer)), true),
            ("est to_server wrong dir", "established,to_server", Some((&est, Direction::ToClient)), false),
            ("from_server", "from_server", Some((&est, Direction::ToClient)), true),
            ("not established", "not_established", Some((&syn, Direction::ToServer)), true),
            ("established on syn", "established", Some((&syn, Direction::ToServer)), false),
            ("no flow", "established", None, false),
            ("stateless no flow", "stateless", None, true),
            ("no_stream", "to_server, no_stream", Some((&est, Direction::ToServer)), true),
            ("no_frag", "no_frag", None, true),
            ("only_frag", "only_frag", None, false),
            ("case", "Established,To_Server", Some((&est, Direction::ToServer)), true),
        ];
        for (name, v, f, want) in cases {
            let c = match parse("flow", Some(v)) {
                Ok(Keyword::Cond(c)) => c,
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(c.matches(&p, *f), *want, "case {name}");
        }
    }

    #[test]
    fn errors() {
        let e = parse("flow", Some("only_stream")).expect_err("refused");
        assert!(e.refused);
        assert_eq!(e.reason, "flow: only_stream needs stream reassembly");
        for bad in ["to_server,to_client", "established,not_established", "bogus", "established,", ""] {
            let e = parse("flow", Some(bad)).expect_err(bad);
            assert!(!e.refused, "{bad}");
        }
    }
}
