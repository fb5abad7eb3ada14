//! `flowbits:<cmd>,<name>` and `flowbits:noalert`.
//!
//! Commands: `set`, `unset`, `toggle` (side effects, applied when the whole rule matched),
//! `isset`, `isnotset` (conditions). Several names may be grouped: `a|b` (or: isset = any is
//! set, isnotset = any is not set; only for the two checks, as Suricata) or `a&b` (and: every
//! name; for set/unset/toggle, every name is changed). `noalert` compiles to [`Meta::NoAlert`].

use super::util::need;
use super::vars::intern_checked;
use super::{Cond, Keyword, KwError, Meta, PostMatch};
use crate::flow::FlowVars;

/// Most names in one group.
pub const MAX_GROUP: usize = 32;

/// A flowbits check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BitsCond {
    /// `true`: isset, `false`: isnotset.
    pub isset: bool,
    /// `true` for an `a|b` group (any), `false` for one name or an `a&b` group (all).
    pub any: bool,
    /// Interned names.
    pub ids: Vec<u32>,
}

impl BitsCond {
    /// Whether the check holds on `vars`. Never allocates.
    #[inline]
    pub fn matches(&self, vars: &FlowVars) -> bool {
        let holds = |id: &u32| vars.isset(*id) == self.isset;
        if self.any {
            self.ids.iter().any(holds)
        } else {
            self.ids.iter().all(holds)
        }
    }
}

/// What a flowbits side effect does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitsOp {
    /// set.
    Set,
    /// unset.
    Unset,
    /// toggle.
    Toggle,
}

/// A flowbits side effect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BitsAction {
    /// Operation.
    pub op: BitsOp,
    /// Interned names.
    pub ids: Vec<u32>,
}

impl BitsAction {
    /// Applies the effect.
    pub fn apply(&self, vars: &mut FlowVars) {
        for id in &self.ids {
            match self.op {
                BitsOp::Set => vars.set(*id),
                BitsOp::Unset => vars.unset(*id),
                BitsOp::Toggle => vars.toggle(*id),
            }
        }
    }
}

/// Parses `flowbits`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let (cmd, names) = match v.split_once(',') {
        Some((c, n)) => (c.trim(), Some(n.trim())),
        None => (v, None),
    };
    if cmd == "noalert" {
        return match names {
            None => Ok(Keyword::Meta(Meta::NoAlert)),
            Some(_) => Err(KwError::invalid(kw, format!("'{v}': noalert takes no name"))),
        };
    }
    let is_check = matches!(cmd, "isset" | "isnotset");
    let op = match cmd {
        "set" => Some(BitsOp::Set),
        "unset" => Some(BitsOp::Unset),
        "toggle" => Some(BitsOp::Toggle),
        "isset" | "isnotset" => None,
        _ => return Err(KwError::invalid(kw, format!("'{v}': unknown command '{cmd}' (set unset toggle isset isnotset noalert)"))),
    };
    let names = match names {
        Some(n) if !n.is_empty() => n,
        _ => return Err(KwError::invalid(kw, format!("'{v}': {cmd} needs a flowbit name"))),
    };
    let has_or = names.contains('|');
    let has_and = names.contains('&');
    if has_or && has_and {
        return Err(KwError::invalid(kw, format!("'{v}': cannot mix '|' and '&'")));
    }
    if has_or && !is_check {
        return Err(KwError::invalid(kw, format!("'{v}': '|' (or) only works with isset and isnotset")));
    }
    let sep = if has_or { '|' } else { '&' };
    let mut ids = Vec::new();
    for name in names.split(sep) {
        if ids.len() >= MAX_GROUP {
            return Err(KwError::invalid(kw, format!("'{v}': more than {MAX_GROUP} names")));
        }
        let id = intern_checked(kw, name.trim())?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(match op {
        Some(op) => Keyword::Post(PostMatch::Flowbits(BitsAction { op, ids })),
        None => Keyword::Cond(Cond::Flowbits(BitsCond { isset: cmd == "isset", any: has_or, ids })),
    })
}

#[cfg(test)]
mod tests {
    use super::super::flow::tests::flow;
    use super::super::header::tests::tcp_pkt;
    use super::*;
    use crate::flow::Direction;

    fn kw(v: &str) -> Keyword {
        parse("flowbits", Some(v)).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    fn check(v: &str, f: &crate::flow::Flow) -> bool {
        let p = tcp_pkt(0);
        match kw(v) {
            Keyword::Cond(c) => c.matches(&p, Some((f, Direction::ToServer))),
            other => panic!("{other:?}"),
        }
    }

    fn run(v: &str, f: &mut crate::flow::Flow) {
        match kw(v) {
            Keyword::Post(pm) => pm.apply(f),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn set_check_unset_toggle() {
        let mut f = flow(true);
        assert!(!check("isset,fb_t1", &f));
        assert!(check("isnotset,fb_t1", &f));
        run("set,fb_t1", &mut f);
        assert!(check("isset,fb_t1", &f));
        assert!(check("isset,fb_t1|fb_t2", &f), "or: any set");
        assert!(!check("isset,fb_t1&fb_t2", &f), "and: all set");
        assert!(check("isnotset,fb_t1|fb_t2", &f), "or: any not set");
        assert!(!check("isnotset,fb_t1&fb_t2", &f), "and: none set");
        run("set,fb_t2&fb_t3", &mut f);
        assert!(check("isset,fb_t1&fb_t2&fb_t3", &f));
        run("unset,fb_t1", &mut f);
        assert!(!check("isset,fb_t1", &f));
        run("toggle,fb_t1&fb_t2", &mut f);
        assert!(check("isset,fb_t1", &f));
        assert!(check("isnotset,fb_t2", &f));
        let p = tcp_pkt(0);
        match kw("isset,fb_t1") {
            Keyword::Cond(c) => assert!(!c.matches(&p, None), "no flow, no bits"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parse_forms() {
        assert!(matches!(kw("noalert"), Keyword::Meta(Meta::NoAlert)));
        assert!(matches!(kw(" set , spaced "), Keyword::Post(_)));
        for bad in ["set", "set,", "bogus,x", "set,a|b", "isset,a|b&c", "isset,a b", "noalert,x"] {
            let e = parse("flowbits", Some(bad)).expect_err(bad);
            assert!(!e.refused, "{bad}");
        }
    }
}
