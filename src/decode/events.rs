//! Named decoder anomalies, with Suricata's rule names (`decode-event:ipv4.trunc_pkt;`) and
//! EVE names (`decoder.ipv4.trunc_pkt`).

/// One decoder anomaly. The list follows Suricata's `decoder-events.rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[non_exhaustive]
pub enum DecodeEvent {
    /// Packet shorter than an IPv4 header.
    Ipv4PktTooSmall,
    /// IPv4 header length smaller than 20.
    Ipv4HlenTooSmall,
    /// IPv4 total length smaller than the header.
    Ipv4IplenSmallerThanHlen,
    /// Truncated IPv4 packet.
    Ipv4TruncPkt,
}

impl DecodeEvent {
    /// Every event, in order.
    pub const ALL: &'static [DecodeEvent] = &[
        DecodeEvent::Ipv4PktTooSmall,
        DecodeEvent::Ipv4HlenTooSmall,
        DecodeEvent::Ipv4IplenSmallerThanHlen,
        DecodeEvent::Ipv4TruncPkt,
    ];

    /// The name used by the `decode-event` keyword and, prefixed with `decoder.`, in EVE.
    pub fn name(self) -> &'static str {
        match self {
            DecodeEvent::Ipv4PktTooSmall => "ipv4.pkt_too_small",
            DecodeEvent::Ipv4HlenTooSmall => "ipv4.hlen_too_small",
            DecodeEvent::Ipv4IplenSmallerThanHlen => "ipv4.iplen_smaller_than_hlen",
            DecodeEvent::Ipv4TruncPkt => "ipv4.trunc_pkt",
        }
    }

    /// Looks an event up by its rule name (without the `decoder.` prefix).
    pub fn from_name(name: &str) -> Option<DecodeEvent> {
        DecodeEvent::ALL.iter().copied().find(|e| e.name() == name)
    }
}

/// The set of events raised on one packet: a fixed-size bitset, no allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeEvents {
    bits: [u64; 4],
}

impl DecodeEvents {
    /// Records `e`.
    pub fn set(&mut self, e: DecodeEvent) {
        let i = e as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    /// Whether `e` was raised.
    pub fn contains(&self, e: DecodeEvent) -> bool {
        let i = e as usize;
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// Whether no event was raised.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|b| *b == 0)
    }

    /// The raised events in enum order.
    pub fn iter(&self) -> impl Iterator<Item = DecodeEvent> + '_ {
        DecodeEvent::ALL.iter().copied().filter(move |e| self.contains(*e))
    }
}
