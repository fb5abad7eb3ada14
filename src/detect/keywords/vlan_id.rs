//! `vlan.id:<uint>[,<layer>]`: the packet's VLAN ids (Suricata 8, `detect-vlan.c`).
//! The value uses the integer grammar (`200`, `!200`, `<400`, `100-600`, `0x12C`); the layer is
//! `0`.. from the outermost tag, `-1`.. from the innermost, or `all` (every tag must match).
//! Without a layer, any tag may match. Packets without VLAN tags never match.

use super::uint::Uint;
use super::util::need;
use super::{Cond, Keyword, KwError};
use crate::decode::Packet;

/// Most VLAN layers Suricata tracks (`VLAN_MAX_LAYERS`).
pub const MAX_LAYERS: i8 = 3;

/// Which VLAN tag(s) a `vlan.id` looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VlanLayer {
    /// Any tag matching is enough.
    Any,
    /// Every tag must match.
    All,
    /// One tag: >= 0 from the outermost, < 0 from the innermost (-1 = innermost).
    Index(i8),
}

/// A compiled `vlan.id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VlanId {
    /// The id condition.
    pub id: Uint<u16>,
    /// Which tag(s).
    pub layer: VlanLayer,
}

impl VlanId {
    /// Whether `p`'s VLAN tags satisfy the condition. Never allocates.
    pub fn matches(&self, p: &Packet<'_>) -> bool {
        let tags = p.vlans();
        if tags.is_empty() {
            return false;
        }
        match self.layer {
            VlanLayer::Any => tags.iter().any(|v| self.id.matches(*v)),
            VlanLayer::All => tags.iter().all(|v| self.id.matches(*v)),
            VlanLayer::Index(i) => {
                let idx = if i >= 0 { i as usize } else { tags.len().wrapping_sub(i.unsigned_abs() as usize) };
                tags.get(idx).is_some_and(|v| self.id.matches(*v))
            }
        }
    }
}

/// Parses `vlan.id`.
pub fn parse(kw: &str, value: Option<&str>) -> Result<Keyword, KwError> {
    let v = need(kw, value)?;
    let (id, layer) = match v.split_once(',') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (v, None),
    };
    let id = Uint::<u16>::parse(id).map_err(|e| KwError::invalid(kw, e))?;
    if id.arg1 > 4095 && matches!(id.mode, super::uint::UintMode::Eq) {
        return Err(KwError::invalid(kw, format!("'{v}': VLAN ids are 0..4095")));
    }
    let layer = match layer {
        None => VlanLayer::Any,
        Some("all") => VlanLayer::All,
        Some(l) => {
            let n: i8 = l.parse().map_err(|_| KwError::invalid(kw, format!("'{v}': layer '{l}' is not a number or 'all'")))?;
            if !(-MAX_LAYERS..MAX_LAYERS).contains(&n) {
                return Err(KwError::invalid(kw, format!("'{v}': layer {n} out of range {}..{}", -MAX_LAYERS, MAX_LAYERS - 1)));
            }
            VlanLayer::Index(n)
        }
    };
    Ok(Keyword::Cond(Cond::VlanId(VlanId { id, layer })))
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::*;

    #[test]
    fn matches() {
        let mut p = tcp_pkt(0x02);
        p.vlan = [100, 200, 300];
        p.vlan_len = 3;
        let cases = [
            ("any", "300", true),
            ("first", "100,0", true),
            ("second", "200,1", true),
            ("last", "300,-1", true),
            ("last_wrong", "200,-1", false),
            ("not_at_layer", "!200,1", false),
            ("none_equal_all", "!500,all", true),
            ("all_greater", ">100,all", false),
            ("all_ge", ">=100,all", true),
            ("range_layer", "100-600,2", true),
            ("hex", "0x12C,2", true),
            ("missing_layer", "100,-3", true),
        ];
        for (name, v, want) in cases {
            assert_eq!(check("vlan.id", v, &p), want, "case {name}: vlan.id:{v}");
        }
        assert!(!check("vlan.id", "100", &tcp_pkt(0x02)), "untagged packets never match");
    }

    #[test]
    fn errors() {
        assert_eq!(error("vlan.id", Some("5000")), "vlan.id: '5000': VLAN ids are 0..4095");
        assert_eq!(error("vlan.id", Some("1,x")), "vlan.id: '1,x': layer 'x' is not a number or 'all'");
        assert_eq!(error("vlan.id", Some("1,3")), "vlan.id: '1,3': layer 3 out of range -3..2");
    }
}
