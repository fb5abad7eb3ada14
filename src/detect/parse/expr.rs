//! The shared grammar of address and port expressions.
//!
//! ```text
//! expr := ws* ( '!' expr | '[' expr (',' expr)* ']' | '$' NAME | 'any' | ATOM ) ws*
//! ```
//!
//! `$NAME` is resolved from the variable table and its value parsed as an expression in turn.
//! Bounds: [`MAX_NESTING`] nested `[`/`!`, [`MAX_VAR_DEPTH`] nested variables (a variable that
//! refers to itself, directly or not, is an error), [`MAX_NODES`] nodes per expression after
//! expansion (so `A=[$B,$B]`, `B=[$C,$C]`, ... cannot blow up). Never panics.

use std::collections::HashMap;

/// Deepest nesting of `[` and `!` in one expression (variables' values included).
pub const MAX_NESTING: usize = 32;
/// Deepest chain of variables referring to variables.
pub const MAX_VAR_DEPTH: usize = 16;
/// Most nodes one expression may expand to.
pub const MAX_NODES: usize = 65_536;

/// An expression type built by the shared grammar (addresses, ports).
pub(crate) trait GroupExpr: Sized {
    /// "address" or "port", for messages.
    const WHAT: &'static str;
    /// `any`
    fn any() -> Self;
    /// Whether this is `any`.
    fn is_any(&self) -> bool;
    /// `[a, b, ...]`
    fn list(items: Vec<Self>) -> Self;
    /// `!x`
    fn not(inner: Self) -> Self;
    /// A literal (no `!`, `[`, `$`, `,`, `]` or whitespace in it).
    fn atom(text: &str) -> Result<Self, String>;
}

/// Parses a whole expression, resolving `$VARS` from `vars` (names without `$`).
pub(crate) fn parse_group<T: GroupExpr>(text: &str, vars: &HashMap<String, String>) -> Result<T, String> {
    let mut p = Parser { vars, stack: Vec::new(), nodes: 0 };
    p.full(text, 0)
}

struct Parser<'v> {
    vars: &'v HashMap<String, String>,
    /// Variables being expanded (cycle detection).
    stack: Vec<&'v str>,
    nodes: usize,
}

fn skip_ws(s: &[u8], pos: &mut usize) {
    while s.get(*pos).is_some_and(|b| b.is_ascii_whitespace()) {
        *pos += 1;
    }
}

/// A short, printable excerpt of `s` from `pos` for messages.
fn snippet(s: &str, pos: usize) -> String {
    let rest = s.get(pos..).unwrap_or("");
    let mut out: String = rest.chars().take(24).collect();
    if rest.chars().count() > 24 {
        out.push_str("...");
    }
    out
}

impl<'v> Parser<'v> {
    fn full<T: GroupExpr>(&mut self, s: &str, nest: usize) -> Result<T, String> {
        let mut pos = 0;
        let e = self.expr(s, &mut pos, nest)?;
        skip_ws(s.as_bytes(), &mut pos);
        if pos < s.len() {
            return Err(format!("unexpected '{}' in {} expression", snippet(s, pos), T::WHAT));
        }
        Ok(e)
    }

    fn expr<T: GroupExpr>(&mut self, s: &str, pos: &mut usize, nest: usize) -> Result<T, String> {
        if nest > MAX_NESTING {
            return Err(format!("{} expression nested deeper than {MAX_NESTING}", T::WHAT));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(format!("{} expression expands to more than {MAX_NODES} elements", T::WHAT));
        }
        let b = s.as_bytes();
        skip_ws(b, pos);
        match b.get(*pos) {
            None => Err(format!("empty {} expression", T::WHAT)),
            Some(b'!') => {
                *pos += 1;
                let inner: T = self.expr(s, pos, nest + 1)?;
                if inner.is_any() {
                    return Err(format!("negated 'any' leaves no {} to match", T::WHAT));
                }
                Ok(T::not(inner))
            }
            Some(b'[') => {
                *pos += 1;
                let mut items = Vec::new();
                loop {
                    skip_ws(b, pos);
                    if items.is_empty() && b.get(*pos) == Some(&b']') {
                        return Err(format!("empty {} list", T::WHAT));
                    }
                    items.push(self.expr(s, pos, nest + 1)?);
                    skip_ws(b, pos);
                    match b.get(*pos) {
                        Some(b',') => *pos += 1,
                        Some(b']') => {
                            *pos += 1;
                            break;
                        }
                        None => return Err(format!("unclosed '[' in {} list", T::WHAT)),
                        Some(_) => {
                            return Err(format!("unexpected '{}' in {} list", snippet(s, *pos), T::WHAT))
                        }
                    }
                }
                Ok(T::list(items))
            }
            Some(b'$') => {
                *pos += 1;
                let start = *pos;
                while b.get(*pos).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-') {
                    *pos += 1;
                }
                let name = s.get(start..*pos).unwrap_or("");
                if name.is_empty() {
                    return Err(format!("'$' without a variable name in {} expression", T::WHAT));
                }
                self.var(name, nest)
            }
            Some(_) => {
                let start = *pos;
                while b.get(*pos).is_some_and(|c| !matches!(c, b',' | b']' | b'[') && !c.is_ascii_whitespace()) {
                    *pos += 1;
                }
                let atom = s.get(start..*pos).unwrap_or("");
                if atom.is_empty() {
                    return Err(format!("unexpected '{}' in {} expression", snippet(s, start), T::WHAT));
                }
                if atom.eq_ignore_ascii_case("any") {
                    Ok(T::any())
                } else {
                    T::atom(atom)
                }
            }
        }
    }

    fn var<T: GroupExpr>(&mut self, name: &str, nest: usize) -> Result<T, String> {
        let Some((key, value)) = self.vars.get_key_value(name) else {
            return Err(format!("unknown {} variable ${name}", T::WHAT));
        };
        if self.stack.contains(&name) {
            return Err(format!("{} variable ${name} refers to itself", T::WHAT));
        }
        if self.stack.len() >= MAX_VAR_DEPTH {
            return Err(format!("{} variables nested deeper than {MAX_VAR_DEPTH} at ${name}", T::WHAT));
        }
        self.stack.push(key.as_str());
        let r = self.full(value, nest + 1);
        self.stack.pop();
        r.map_err(|e| format!("in ${name}: {e}"))
    }
}
