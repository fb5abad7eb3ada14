//! The process-wide interner for flow variable names (flowbits, flowint). Ids are handed out in
//! first-seen order and never reused or forgotten, so flow state set before a rule reload keeps
//! its meaning after it. Bounded: at most [`MAX_VARS`] names.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Most distinct variable names a process interns (a rule set with more is refused).
pub const MAX_VARS: usize = 1 << 20;

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

fn interner() -> &'static Mutex<Interner> {
    static I: OnceLock<Mutex<Interner>> = OnceLock::new();
    I.get_or_init(|| Mutex::new(Interner::default()))
}

/// The id of `name`, interning it if new. `None` when [`MAX_VARS`] names exist already.
pub fn intern(name: &str) -> Option<u32> {
    let mut g = interner().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(id) = g.ids.get(name) {
        return Some(*id);
    }
    if g.names.len() >= MAX_VARS {
        return None;
    }
    let id = u32::try_from(g.names.len()).ok()?;
    g.names.push(name.to_string());
    g.ids.insert(name.to_string(), id);
    Some(id)
}

/// The name interned as `id`.
pub fn name_of(id: u32) -> Option<String> {
    let g = interner().lock().unwrap_or_else(|e| e.into_inner());
    g.names.get(id as usize).cloned()
}

/// Checks a variable name (Suricata allows anything but whitespace and the operator
/// characters; we keep to printable ASCII without `,;|&"`), then interns it.
pub(crate) fn intern_checked(kw: &str, name: &str) -> Result<u32, super::KwError> {
    let ok = !name.is_empty() && name.len() <= 256 && name.bytes().all(|c| c.is_ascii_graphic() && !b",;|&\"".contains(&c));
    if !ok {
        return Err(super::KwError::invalid(kw, format!("'{name}' is not a valid variable name")));
    }
    intern(name).ok_or_else(|| super::KwError::refused(kw, "too many distinct variable names"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids() {
        let a = intern("vars_test_a").expect("id");
        let b = intern("vars_test_b").expect("id");
        assert_ne!(a, b);
        assert_eq!(intern("vars_test_a"), Some(a));
        assert_eq!(name_of(b).as_deref(), Some("vars_test_b"));
    }
}
