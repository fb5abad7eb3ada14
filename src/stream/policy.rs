//! TCP overlap policies and reassembly modes.
//!
//! When a new segment overlaps data that is stored but not yet delivered and the bytes
//! differ, the policy decides whether the new or the old bytes are kept. The decision table
//! is Suricata's `DoHandleDataOverlap` (src/stream-tcp-list.c, IDS mode), per stored segment
//! `L` the new segment `S` overlaps:
//!
//! | case                         | new data wins for                                  |
//! |------------------------------|----------------------------------------------------|
//! | any                          | `last`                                             |
//! | S starts with L, ends after  | `linux`, `old-linux`, `solaris`, `hpux11`          |
//! | S starts with L, ends with L | `old-linux`, `solaris`, `hpux11`                   |
//! | S starts before L            | `bsd` `hpux10` `irix` `windows` `windows2k3` `old-linux` `linux` `macos`; plus `solaris` `hpux11` if S ends at or after L |
//! | S starts inside L, ends after| `solaris`, `hpux11`                                |
//! | otherwise                    | old data is kept (`first`, `vista`, `bsd-right` always) |
//!
//! Bytes already delivered to the consumer are never changed, whatever the policy.

use std::fmt;
use std::str::FromStr;

/// Suricata's `host-os-policy` flavours as the TCP reassembler distinguishes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum StreamPolicy {
    /// Old data always wins.
    First,
    /// New data always wins.
    Last,
    /// BSD (Suricata's default).
    #[default]
    Bsd,
    /// BSD-right (treated as `first` by Suricata's TCP reassembler).
    BsdRight,
    /// Old Linux.
    OldLinux,
    /// Linux.
    Linux,
    /// Solaris.
    Solaris,
    /// HP-UX 10 (as BSD).
    Hpux10,
    /// HP-UX 11 (as Solaris).
    Hpux11,
    /// IRIX (as BSD).
    Irix,
    /// macOS (as BSD).
    Macos,
    /// Windows.
    Windows,
    /// Windows Vista (old data wins).
    Vista,
    /// Windows 2003 (as Windows).
    Windows2k3,
}

impl StreamPolicy {
    /// Every policy, for table tests.
    pub const ALL: [StreamPolicy; 14] = [
        StreamPolicy::First,
        StreamPolicy::Last,
        StreamPolicy::Bsd,
        StreamPolicy::BsdRight,
        StreamPolicy::OldLinux,
        StreamPolicy::Linux,
        StreamPolicy::Solaris,
        StreamPolicy::Hpux10,
        StreamPolicy::Hpux11,
        StreamPolicy::Irix,
        StreamPolicy::Macos,
        StreamPolicy::Windows,
        StreamPolicy::Vista,
        StreamPolicy::Windows2k3,
    ];

    /// The `host-os-policy` name.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamPolicy::First => "first",
            StreamPolicy::Last => "last",
            StreamPolicy::Bsd => "bsd",
            StreamPolicy::BsdRight => "bsd-right",
            StreamPolicy::OldLinux => "old-linux",
            StreamPolicy::Linux => "linux",
            StreamPolicy::Solaris => "solaris",
            StreamPolicy::Hpux10 => "hpux10",
            StreamPolicy::Hpux11 => "hpux11",
            StreamPolicy::Irix => "irix",
            StreamPolicy::Macos => "macos",
            StreamPolicy::Windows => "windows",
            StreamPolicy::Vista => "vista",
            StreamPolicy::Windows2k3 => "windows2k3",
        }
    }

    /// Whether the new segment `[s, e)` replaces differing bytes of stored segment
    /// `[ls, le)` (stream offsets, overlap assumed).
    pub fn use_new_data(self, s: u64, e: u64, ls: u64, le: u64) -> bool {
        use StreamPolicy::*;
        if self == Last {
            return true;
        }
        if s == ls {
            if e < le {
                return false;
            }
            if e > le && self == Linux {
                return true;
            }
            matches!(self, OldLinux | Solaris | Hpux11)
        } else if s < ls {
            if e >= le && matches!(self, Solaris | Hpux11) {
                return true;
            }
            matches!(
                self,
                Bsd | Hpux10 | Irix | Windows | Windows2k3 | OldLinux | Linux | Macos
            )
        } else {
            e > le && matches!(self, Solaris | Hpux11)
        }
    }
}

impl fmt::Display for StreamPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StreamPolicy {
    type Err = crate::defrag::policy::UnknownPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = s.trim().to_ascii_lowercase().replace('_', "-");
        StreamPolicy::ALL
            .into_iter()
            .find(|p| p.as_str() == n)
            .ok_or_else(|| crate::defrag::policy::UnknownPolicy(s.to_string()))
    }
}

/// When reassembled data becomes available to the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReassemblyMode {
    /// IDS: data is delivered once the receiver has ACKed it (as Suricata's IDS mode), so a
    /// retransmission with different data before the ACK is still resolved by the policy.
    /// One-sided (asynchronous) sessions fall back to delivering contiguous data at once.
    #[default]
    Ids,
    /// Inline (IPS): contiguous data is delivered at once, because the verdict on the
    /// packet cannot wait for the ACK; later overlaps cannot change delivered bytes.
    Inline,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (policy, new, old, new data wins)
    #[test]
    #[allow(clippy::type_complexity)]
    fn decision_table() {
        use StreamPolicy::*;
        let starts_same_ends_after = (10, 30, 10, 20);
        let same = (10, 20, 10, 20);
        let starts_same_ends_before = (10, 15, 10, 20);
        let before_ends_inside = (5, 15, 10, 20);
        let before_covers = (5, 25, 10, 20);
        let inside = (12, 18, 10, 20);
        let inside_ends_after = (15, 25, 10, 20);
        let cases: &[(StreamPolicy, (u64, u64, u64, u64), bool)] = &[
            (Last, inside, true),
            (First, before_covers, false),
            (Vista, before_covers, false),
            (BsdRight, before_covers, false),
            (Linux, starts_same_ends_after, true),
            (Linux, same, false),
            (OldLinux, same, true),
            (Solaris, same, true),
            (Bsd, same, false),
            (Bsd, starts_same_ends_before, false),
            (Solaris, starts_same_ends_before, false),
            (Bsd, before_ends_inside, true),
            (Windows, before_ends_inside, true),
            (Macos, before_covers, true),
            (Solaris, before_ends_inside, false),
            (Solaris, before_covers, true),
            (Hpux11, before_covers, true),
            (Bsd, inside, false),
            (Linux, inside_ends_after, false),
            (Solaris, inside_ends_after, true),
            (Solaris, inside, false),
        ];
        for (p, (s, e, ls, le), want) in cases {
            assert_eq!(
                p.use_new_data(*s, *e, *ls, *le),
                *want,
                "{p} {s}..{e} vs {ls}..{le}"
            );
        }
        assert_eq!("old_linux".parse::<StreamPolicy>(), Ok(OldLinux));
        assert!("beos".parse::<StreamPolicy>().is_err());
    }
}
