//! Packet time. Nothing below `pipeline` reads the wall clock: every stage is handed the
//! timestamp of the packet it works on (sans-IO, as quinn and smoltcp do).

use std::fmt;

/// A point in time with microsecond resolution, as carried by pcap records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    micros: i64,
}

impl Timestamp {
    /// Builds a timestamp from seconds and microseconds since the Unix epoch.
    pub const fn from_parts(secs: i64, usecs: u32) -> Self {
        Timestamp { micros: secs.saturating_mul(1_000_000).saturating_add(usecs as i64) }
    }

    /// Builds a timestamp from microseconds since the Unix epoch.
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp { micros }
    }

    /// Microseconds since the Unix epoch.
    pub const fn as_micros(self) -> i64 {
        self.micros
    }

    /// Whole seconds since the Unix epoch.
    pub const fn secs(self) -> i64 {
        self.micros.div_euclid(1_000_000)
    }

    /// The microsecond part, 0..1_000_000.
    pub const fn subsec_micros(self) -> u32 {
        self.micros.rem_euclid(1_000_000) as u32
    }

    /// `self - earlier` in whole seconds, saturating at zero.
    pub fn secs_since(self, earlier: Timestamp) -> u64 {
        (self.micros.saturating_sub(earlier.micros)).max(0) as u64 / 1_000_000
    }

    /// This time plus `secs` seconds.
    pub const fn add_secs(self, secs: u64) -> Timestamp {
        Timestamp { micros: self.micros.saturating_add((secs as i64).saturating_mul(1_000_000)) }
    }

    /// Suricata's EVE timestamp: `2023-11-14T22:13:20.060000+0000`, always UTC.
    pub fn eve(self) -> EveTime {
        EveTime(self)
    }
}

/// Display adapter writing Suricata's EVE timestamp format (UTC, `+0000`).
pub struct EveTime(Timestamp);

impl fmt::Display for EveTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.secs();
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+0000",
            y,
            m,
            d,
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60,
            self.0.subsec_micros()
        )
    }
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eve_format_matches_suricata() {
        let t = Timestamp::from_parts(1_700_000_000, 60_000);
        assert_eq!(t.eve().to_string(), "2023-11-14T22:13:20.060000+0000");
        assert_eq!(Timestamp::from_parts(0, 1).eve().to_string(), "1970-01-01T00:00:00.000001+0000");
        // leap day
        assert_eq!(Timestamp::from_parts(951_782_400, 0).eve().to_string(), "2000-02-29T00:00:00.000000+0000");
    }

    #[test]
    fn secs_since_saturates() {
        let a = Timestamp::from_parts(10, 0);
        let b = Timestamp::from_parts(12, 500_000);
        assert_eq!(b.secs_since(a), 2);
        assert_eq!(a.secs_since(b), 0);
    }
}
