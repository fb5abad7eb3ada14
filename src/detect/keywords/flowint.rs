//! `flowint:<name>,<op>[,<value>]`: unsigned 32-bit flow integers.
//!
//! Side effects (applied when the rule matched): `=` set, `+` add, `-` subtract (wrapping, as
//! Suricata's u32 arithmetic; adding to an unset variable sets it to the value, subtracting
//! from one leaves it unset). Conditions: `==`, `!=`, `<`, `<=`, `>`, `>=` (false when the
//! variable is unset), `isset`, `notset` (alias `isnotset`). The value is a number or the name
//! of another flowint, which counts as 0 while unset (Suricata's `DetectFlowintMatch`).

use super::util::need;
use super::vars::intern_checked;
use super::{Cond, Keyword, KwError, PostMatch};
use crate::flow::FlowVars;

/// The right-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A literal.
    Num(u32),
    /// Another flowint (interned id).
    Var(u32),
}

impl Operand {
    /// The value; an unset variable counts as 0.
    fn get(self, vars: &FlowVars) -> u32 {
        match self {
            Operand::Num(n) => n,
            Operand::Var(id) => vars.int(id).unwrap_or(0),
        }
    }
}

/// A flowint comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCmp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// isset.
    IsSet,
    /// notset.
    NotSet,
}

/// A flowint condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntCond {
    /// Variable.
    pub id: u32,
    /// Comparison.
    pub cmp: IntCmp,
    /// Value (ignored by isset/notset).
    pub rhs: Operand,
}

impl IntCond {
    /// Whether the condition holds on `vars`.
    #[inline]
    pub fn matches(&self, vars: &FlowVars) -> bool {
        let cur = vars.int(self.id);
        match self.cmp {
            IntCmp::IsSet => return cur.is_some(),
            IntCmp::NotSet => return cur.is_none(),
            _ => {}
        }
        let Some(a) = cur else { return false };
        let b = self.rhs.get(vars);
        match self.cmp {
            IntCmp::Eq => a == b,
            IntCmp::Ne => a != b,
            IntCmp::Lt => a < b,
            IntCmp::Le => a <= b,
            IntCmp::Gt => a > b,
            IntCmp::Ge => a >= b,
            IntCmp::IsSet | IntCmp::NotSet => false,
        }
    }
}

/// A flowint side effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntOp {
    /// `=`.
    Set,
    /// `+`.
    Add,
    /// `-`.
    Sub,
}

/// A flowint side effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntAction {
    /// Variable.
    pub id: u32,
    /// Operation.
    pub op: IntOp,
    /// Value.
    pub rhs: Operand,
}

impl IntAction {
    /// Applies the effect.
    pub fn apply(&self, vars: &mut FlowVars) {
        let v = self.rhs.get(vars);
        let new = match (self.op, vars.int(self.id)) {
            (IntOp::Set, _) => v,
            (IntOp::Add, None) => v,
            (IntOp::Add, Some(cur)) => cur.wrapping_add(v),
            (IntOp::Sub, None) => return,
            (IntOp::Sub, Some(cur)) => cur.wrapping_sub(v),
        };
        vars.set_int(self.id, new);
    }
}

/// Parses `flowint`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let mut parts = v.splitn(3, ',').map(str::trim);
    let name = parts.next().unwrap_or("");
    let op = parts.next().ok_or_else(|| KwError::invalid(kw, format!("'{v}': expected <name>,<op>[,<value>]")))?;
    let rhs = parts.next();
    let id = intern_checked(kw, name)?;
    let operand = |r: Option<&str>| -> Result<Operand, KwError> {
        let r = r.filter(|r| !r.is_empty()).ok_or_else(|| KwError::invalid(kw, format!("'{v}': '{op}' needs a value")))?;
        if r.bytes().all(|c| c.is_ascii_digit()) {
            r.parse::<u32>().map(Operand::Num).map_err(|_| KwError::invalid(kw, format!("'{v}': '{r}' is out of range for u32")))
        } else if r.as_bytes().first().is_some_and(|c| c.is_ascii_digit() || *c == b'-') {
            Err(KwError::invalid(kw, format!("'{v}': '{r}' is not a number")))
        } else {
            intern_checked(kw, r).map(Operand::Var)
        }
    };
    let cmp = match op {
        "=" | "+" | "-" => {
            let op = match op {
                "=" => IntOp::Set,
                "+" => IntOp::Add,
                _ => IntOp::Sub,
            };
            return Ok(Keyword::Post(PostMatch::Flowint(IntAction { id, op, rhs: operand(rhs)? })));
        }
        "==" => IntCmp::Eq,
        "!=" => IntCmp::Ne,
        "<" => IntCmp::Lt,
        "<=" => IntCmp::Le,
        ">" => IntCmp::Gt,
        ">=" => IntCmp::Ge,
        "isset" | "notset" | "isnotset" => {
            if rhs.is_some() {
                return Err(KwError::invalid(kw, format!("'{v}': {op} takes no value")));
            }
            let cmp = if op == "isset" { IntCmp::IsSet } else { IntCmp::NotSet };
            return Ok(Keyword::Cond(Cond::Flowint(IntCond { id, cmp, rhs: Operand::Num(0) })));
        }
        _ => return Err(KwError::invalid(kw, format!("'{v}': unknown operator '{op}'"))),
    };
    Ok(Keyword::Cond(Cond::Flowint(IntCond { id, cmp, rhs: operand(rhs)? })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &str, vars: &mut FlowVars) {
        match parse("flowint", Some(v)) {
            Ok(Keyword::Post(PostMatch::Flowint(a))) => a.apply(vars),
            other => panic!("{v}: {other:?}"),
        }
    }

    fn check(v: &str, vars: &FlowVars) -> bool {
        match parse("flowint", Some(v)) {
            Ok(Keyword::Cond(Cond::Flowint(c))) => c.matches(vars),
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn sequence() {
        let mut vars = FlowVars::default();
        assert!(check("fi_a, notset", &vars));
        assert!(!check("fi_a, ==, 0", &vars), "unset compares false");
        run("fi_a, +, 5", &mut vars);
        assert!(check("fi_a, isset", &vars));
        assert!(check("fi_a, ==, 5", &vars));
        run("fi_a, +, 2", &mut vars);
        assert!(check("fi_a, >, 6", &vars));
        run("fi_a, -, 10", &mut vars);
        assert!(check("fi_a, ==, 4294967293", &vars), "wrapping u32: 7 - 10");
        run("fi_a, =, 3", &mut vars);
        run("fi_b, -, 1", &mut vars);
        assert!(check("fi_b, notset", &vars), "sub on unset leaves it unset");
        run("fi_b, =, fi_a", &mut vars);
        assert!(check("fi_b, ==, fi_a", &vars));
        assert!(check("fi_b, <=, 3", &vars));
        assert!(check("fi_b, >, fi_unset", &vars), "an unset operand counts as 0");
        run("fi_c, =, fi_unset", &mut vars);
        assert!(check("fi_c, ==, 0", &vars), "set from an unset var sets 0");
    }

    #[test]
    fn errors() {
        for bad in ["a", "a,+", "a,~,1", "a,==,-1", "a,isset,1", ",+,1", "a,=,99999999999"] {
            let e = parse("flowint", Some(bad)).expect_err(bad);
            assert!(!e.refused, "{bad}");
        }
    }
}
