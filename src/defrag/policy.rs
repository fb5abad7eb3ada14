//! Fragment overlap policies, exactly as Suricata's `DefragInsertFrag` (src/defrag.c) applies
//! them: the new fragment is compared with the stored ones in offset order, and either the new
//! fragment is trimmed at its start (`ltrim`), a stored fragment is trimmed at its start, a
//! stored fragment is dropped, or the new fragment is dropped. Reassembly then copies the
//! surviving bytes in offset order (equal offsets in arrival order), so a later copy wins where
//! trimming left an overlap.

use std::fmt;
use std::str::FromStr;

/// A target-based overlap policy (Suricata's `host-os-policy` flavours mapped to defrag policies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OverlapPolicy {
    /// The first copy of a byte wins (`first`; also old Solaris, HP-UX 11, macOS).
    First,
    /// The last copy of a byte wins (`last`).
    Last,
    /// BSD (`bsd`; also HP-UX 10, IRIX). Suricata's default.
    #[default]
    Bsd,
    /// BSD-right (`bsd-right`): no trimming, later offsets overwrite earlier ones.
    BsdRight,
    /// Linux (`linux`, `old-linux`).
    Linux,
    /// Windows (`windows`, `vista`, `windows2k3`).
    Windows,
    /// Solaris (`solaris`).
    Solaris,
}

impl OverlapPolicy {
    /// Every policy, for table tests.
    pub const ALL: [OverlapPolicy; 7] = [
        OverlapPolicy::First,
        OverlapPolicy::Last,
        OverlapPolicy::Bsd,
        OverlapPolicy::BsdRight,
        OverlapPolicy::Linux,
        OverlapPolicy::Windows,
        OverlapPolicy::Solaris,
    ];

    /// Maps one of Suricata's `host-os-policy` names to the policy its defrag uses
    /// (`DefragGetOsPolicy`). Unknown names give `None`.
    pub fn from_host_os(name: &str) -> Option<OverlapPolicy> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "bsd" | "hpux10" | "irix" => OverlapPolicy::Bsd,
            "bsd-right" | "bsd_right" => OverlapPolicy::BsdRight,
            "linux" | "old-linux" | "old_linux" => OverlapPolicy::Linux,
            "first" | "old-solaris" | "old_solaris" | "hpux11" | "macos" => OverlapPolicy::First,
            "solaris" => OverlapPolicy::Solaris,
            "windows" | "vista" | "windows2k3" => OverlapPolicy::Windows,
            "last" => OverlapPolicy::Last,
            _ => return None,
        })
    }

    /// The canonical configuration name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverlapPolicy::First => "first",
            OverlapPolicy::Last => "last",
            OverlapPolicy::Bsd => "bsd",
            OverlapPolicy::BsdRight => "bsd-right",
            OverlapPolicy::Linux => "linux",
            OverlapPolicy::Windows => "windows",
            OverlapPolicy::Solaris => "solaris",
        }
    }
}

impl fmt::Display for OverlapPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown policy name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPolicy(pub String);

impl fmt::Display for UnknownPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown overlap policy {:?}", self.0)
    }
}

impl std::error::Error for UnknownPolicy {}

impl FromStr for OverlapPolicy {
    type Err = UnknownPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OverlapPolicy::from_host_os(s).ok_or_else(|| UnknownPolicy(s.to_string()))
    }
}

/// A stored fragment as the policy sees it (offsets in bytes from the start of the
/// fragmentable part).
#[derive(Clone, Debug)]
pub(crate) struct StoredFrag {
    /// Offset after the insert-time trim.
    pub offset: u16,
    /// Data length after the insert-time trim (`data.len()`).
    pub data_len: u16,
    /// Leading bytes later arrivals asked to be ignored at reassembly.
    pub ltrim: u16,
    /// Dropped by a later arrival (removed at once).
    pub skip: bool,
}

/// What to do with a new fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Insert it with its first `ltrim` bytes cut; if `remove` is set, the stored fragment at
    /// that index is to be removed first (fully overlapped or trimmed away).
    Insert { ltrim: u16, remove: Option<usize> },
    /// Drop the new fragment.
    Drop,
}

/// Runs the policy for a new fragment `[frag_offset, frag_offset + data_len)` against `frags`
/// (sorted by offset, equal offsets in arrival order), updating stored trims. Returns the
/// decision and whether any stored fragment overlapped the new one.
pub(crate) fn decide(
    policy: OverlapPolicy,
    frags: &mut [StoredFrag],
    frag_offset: u16,
    data_len: u16,
) -> (Decision, bool) {
    let fo = i32::from(frag_offset);
    // The caller guarantees frag_offset + data_len <= 65535.
    let frag_end = fo + i32::from(data_len);
    let mut ltrim: u16 = 0;
    let mut overlap = false;
    if frags.is_empty() {
        return (
            Decision::Insert {
                ltrim: 0,
                remove: None,
            },
            false,
        );
    }
    // Start at the last fragment before `frag_offset` (RB_NFIND(offset - 1) then PREV), or at
    // the minimum when there is none or the new fragment starts at 0.
    let first_ge = frags.partition_point(|f| f.offset < frag_offset);
    let start = if frag_offset == 0 || first_ge == frags.len() || first_ge == 0 {
        0
    } else {
        first_ge - 1
    };
    let n = frags.len();
    let mut i = start;
    while i < n {
        let next = i + 1;
        if frags[i].skip {
            i = next;
            continue;
        }
        let p_off = i32::from(frags[i].offset);
        let p_len = i32::from(frags[i].data_len);
        let p_ltrim = i32::from(frags[i].ltrim);
        let p_end = p_off + p_len;
        if fo < p_end && p_off < frag_end {
            overlap = true;
        }
        let lt = i32::from(ltrim);
        let mut inserted = false;
        match policy {
            OverlapPolicy::Bsd => {
                if fo < p_end {
                    if p_off <= fo {
                        if p_end > frag_end {
                            return (Decision::Drop, overlap);
                        }
                        ltrim = to_u16(p_end - fo);
                        if next < n && frag_end > i32::from(frags[next].offset) {
                            frags[next].ltrim = to_u16(frag_end - i32::from(frags[next].offset));
                        }
                        inserted = true;
                    } else {
                        if fo <= p_off && frag_end > p_off + p_ltrim {
                            let prev_ltrim = frag_end - p_off;
                            if prev_ltrim > p_ltrim {
                                frags[i].ltrim = to_u16(prev_ltrim);
                            }
                        }
                        if next < n && frag_end > i32::from(frags[next].offset) {
                            frags[next].ltrim = to_u16(frag_end - i32::from(frags[next].offset));
                        }
                        inserted = true;
                    }
                }
            }
            OverlapPolicy::Linux => {
                if p_off + p_ltrim < fo + lt && p_end > fo + lt {
                    ltrim = ltrim.wrapping_add(to_u16(p_end - fo));
                }
                let lt = i32::from(ltrim);
                if fo + lt < p_off + p_ltrim && frag_end > p_off + p_ltrim {
                    let add = frag_end - (p_off + p_ltrim);
                    frags[i].ltrim = frags[i].ltrim.wrapping_add(to_u16(add));
                    inserted = true;
                } else if fo + lt <= p_off + p_ltrim && frag_end >= p_end {
                    frags[i].skip = true;
                    inserted = true;
                }
            }
            OverlapPolicy::Windows => {
                if fo + lt >= p_off + lt && frag_end <= p_end {
                    return (Decision::Drop, overlap);
                }
                if fo + lt < p_off + lt && frag_end > p_end {
                    frags[i].skip = true;
                    inserted = true;
                } else if (fo + lt > p_off + p_ltrim && fo + lt < p_end)
                    // Starts with the stored fragment and ends after it.
                    || (fo + lt == p_off + lt && frag_end > p_end)
                {
                    // Overlaps the end of the stored fragment: trim the new one.
                    ltrim = ltrim.wrapping_add(to_u16(p_end - fo));
                    inserted = true;
                }
            }
            OverlapPolicy::Solaris => {
                if fo < p_end {
                    if fo >= p_off {
                        ltrim = to_u16(p_end - fo);
                    }
                    if fo < p_off && frag_end >= p_end {
                        frags[i].skip = true;
                    }
                    inserted = true;
                }
            }
            OverlapPolicy::First => {
                if fo >= p_off && frag_end <= p_end {
                    return (Decision::Drop, overlap);
                }
                if fo < p_off {
                    inserted = true;
                } else if fo < p_end {
                    ltrim = to_u16(p_end - fo);
                    inserted = true;
                }
            }
            OverlapPolicy::Last => {
                if fo <= p_off {
                    if frag_end > p_off {
                        frags[i].ltrim = to_u16(frag_end - p_off);
                    }
                    inserted = true;
                }
            }
            // Suricata has no case for bsd-right: nothing is trimmed and the copy order
            // (by offset) decides.
            OverlapPolicy::BsdRight => {}
        }
        if inserted {
            let f = &frags[i];
            let remove = (f.skip || f.ltrim >= f.data_len).then_some(i);
            return (Decision::Insert { ltrim, remove }, overlap);
        }
        i = next;
    }
    (
        Decision::Insert {
            ltrim,
            remove: None,
        },
        overlap,
    )
}

/// Clamps a non-negative in-range value to u16 (all callers pass values in 0..=65535).
fn to_u16(v: i32) -> u16 {
    u16::try_from(v.clamp(0, i32::from(u16::MAX))).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_os_names_map_like_suricata() {
        let cases = [
            ("bsd", OverlapPolicy::Bsd),
            ("hpux10", OverlapPolicy::Bsd),
            ("irix", OverlapPolicy::Bsd),
            ("bsd-right", OverlapPolicy::BsdRight),
            ("old-linux", OverlapPolicy::Linux),
            ("linux", OverlapPolicy::Linux),
            ("old-solaris", OverlapPolicy::First),
            ("hpux11", OverlapPolicy::First),
            ("macos", OverlapPolicy::First),
            ("first", OverlapPolicy::First),
            ("solaris", OverlapPolicy::Solaris),
            ("windows", OverlapPolicy::Windows),
            ("vista", OverlapPolicy::Windows),
            ("windows2k3", OverlapPolicy::Windows),
            ("last", OverlapPolicy::Last),
        ];
        for (name, want) in cases {
            assert_eq!(OverlapPolicy::from_host_os(name), Some(want), "{name}");
        }
        assert!("plan9".parse::<OverlapPolicy>().is_err());
        assert_eq!(OverlapPolicy::default(), OverlapPolicy::Bsd);
    }
}
