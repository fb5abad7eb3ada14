//! Named decoder anomalies, with Suricata's rule names (`decode-event:ipv4.trunc_pkt;`) and
//! EVE names (`decoder.ipv4.trunc_pkt`, in `anomaly.event` with `anomaly.type: decode`).
//!
//! The list is exactly the set of names used by Suricata's `decoder-events.rules`, in that
//! file's order. Some of them are raised by later stages (defragmentation: `*.frag_*`) or by
//! link layers this decoder does not implement (PPP, PPPoE, ERSPAN, ...); they exist so rules
//! naming them load and so those stages can raise them.

macro_rules! decode_events {
    ($($variant:ident => $name:literal,)*) => {
        /// One decoder anomaly. The list follows Suricata's `decoder-events.rules`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[non_exhaustive]
        pub enum DecodeEvent {
            $(
                #[doc = concat!("`decode-event:", $name, "`")]
                $variant,
            )*
        }

        impl DecodeEvent {
            /// Every event, in order.
            pub const ALL: &'static [DecodeEvent] = &[$(DecodeEvent::$variant,)*];

            /// The name used by the `decode-event` keyword (and, prefixed with `decoder.`, in EVE).
            pub fn name(self) -> &'static str {
                match self {
                    $(DecodeEvent::$variant => $name,)*
                }
            }

            /// The name Suricata writes in EVE `anomaly.event`: `decoder.<name>`.
            pub fn eve_name(self) -> &'static str {
                match self {
                    $(DecodeEvent::$variant => concat!("decoder.", $name),)*
                }
            }
        }
    };
}

decode_events! {
    Ipv4PktTooSmall => "ipv4.pkt_too_small",
    Ipv4HlenTooSmall => "ipv4.hlen_too_small",
    Ipv4IplenSmallerThanHlen => "ipv4.iplen_smaller_than_hlen",
    Ipv4TruncPkt => "ipv4.trunc_pkt",
    Ipv4OptInvalid => "ipv4.opt_invalid",
    Ipv4OptInvalidLen => "ipv4.opt_invalid_len",
    Ipv4OptMalformed => "ipv4.opt_malformed",
    Ipv4OptPadRequired => "ipv4.opt_pad_required",
    Ipv4Icmpv6 => "ipv4.icmpv6",
    Ipv4OptEolRequired => "ipv4.opt_eol_required",
    Ipv4OptDuplicate => "ipv4.opt_duplicate",
    Ipv4OptUnknown => "ipv4.opt_unknown",
    Ipv4WrongIpVersion => "ipv4.wrong_ip_version",
    Ipv6PktTooSmall => "ipv6.pkt_too_small",
    Ipv6TruncPkt => "ipv6.trunc_pkt",
    Ipv6TruncExthdr => "ipv6.trunc_exthdr",
    Ipv6ExthdrDuplFh => "ipv6.exthdr_dupl_fh",
    Ipv6ExthdrUselessFh => "ipv6.exthdr_useless_fh",
    Ipv6ExthdrDuplRh => "ipv6.exthdr_dupl_rh",
    Ipv6ExthdrDuplHh => "ipv6.exthdr_dupl_hh",
    Ipv6ExthdrDuplDh => "ipv6.exthdr_dupl_dh",
    Ipv6ExthdrDuplAh => "ipv6.exthdr_dupl_ah",
    Ipv6ExthdrDuplEh => "ipv6.exthdr_dupl_eh",
    Ipv6ExthdrInvalidOptlen => "ipv6.exthdr_invalid_optlen",
    Ipv6WrongIpVersion => "ipv6.wrong_ip_version",
    Ipv6ExthdrAhResNotNull => "ipv6.exthdr_ah_res_not_null",
    Ipv6HopoptsUnknownOpt => "ipv6.hopopts_unknown_opt",
    Ipv6HopoptsOnlyPadding => "ipv6.hopopts_only_padding",
    Ipv6DstoptsUnknownOpt => "ipv6.dstopts_unknown_opt",
    Ipv6DstoptsOnlyPadding => "ipv6.dstopts_only_padding",
    Ipv6RhType0 => "ipv6.rh_type_0",
    Ipv6ZeroLenPadn => "ipv6.zero_len_padn",
    Ipv6FhNonZeroReservedField => "ipv6.fh_non_zero_reserved_field",
    Ipv6DataAfterNoneHeader => "ipv6.data_after_none_header",
    Ipv6UnknownNextHeader => "ipv6.unknown_next_header",
    Ipv6Icmpv4 => "ipv6.icmpv4",
    Icmpv4PktTooSmall => "icmpv4.pkt_too_small",
    Icmpv4UnknownType => "icmpv4.unknown_type",
    Icmpv4UnknownCode => "icmpv4.unknown_code",
    Icmpv4Ipv4TruncPkt => "icmpv4.ipv4_trunc_pkt",
    Icmpv4Ipv4UnknownVer => "icmpv4.ipv4_unknown_ver",
    Icmpv6PktTooSmall => "icmpv6.pkt_too_small",
    Icmpv6UnknownType => "icmpv6.unknown_type",
    Icmpv6UnknownCode => "icmpv6.unknown_code",
    Icmpv6Ipv6TruncPkt => "icmpv6.ipv6_trunc_pkt",
    Icmpv6Ipv6UnknownVersion => "icmpv6.ipv6_unknown_version",
    Icmpv6MldMessageWithInvalidHl => "icmpv6.mld_message_with_invalid_hl",
    Icmpv6UnassignedType => "icmpv6.unassigned_type",
    Icmpv6ExperimentationType => "icmpv6.experimentation_type",
    TcpPktTooSmall => "tcp.pkt_too_small",
    TcpHlenTooSmall => "tcp.hlen_too_small",
    TcpInvalidOptlen => "tcp.invalid_optlen",
    TcpOptInvalidLen => "tcp.opt_invalid_len",
    TcpOptDuplicate => "tcp.opt_duplicate",
    UdpPktTooSmall => "udp.pkt_too_small",
    UdpHlenTooSmall => "udp.hlen_too_small",
    UdpLenInvalid => "udp.len_invalid",
    SllPktTooSmall => "sll.pkt_too_small",
    EthernetPktTooSmall => "ethernet.pkt_too_small",
    EthernetUnknownEthertype => "ethernet.unknown_ethertype",
    PppPktTooSmall => "ppp.pkt_too_small",
    PppVjuPktTooSmall => "ppp.vju_pkt_too_small",
    PppIp4PktTooSmall => "ppp.ip4_pkt_too_small",
    PppIp6PktTooSmall => "ppp.ip6_pkt_too_small",
    PppWrongType => "ppp.wrong_type",
    PppUnsupProto => "ppp.unsup_proto",
    PppoePktTooSmall => "pppoe.pkt_too_small",
    PppoeWrongCode => "pppoe.wrong_code",
    PppoeMalformedTags => "pppoe.malformed_tags",
    GrePktTooSmall => "gre.pkt_too_small",
    GreWrongVersion => "gre.wrong_version",
    GreVersion0Recur => "gre.version0_recur",
    GreVersion0Flags => "gre.version0_flags",
    GreVersion0HdrTooBig => "gre.version0_hdr_too_big",
    GreVersion1Chksum => "gre.version1_chksum",
    GreVersion1Route => "gre.version1_route",
    GreVersion1Ssr => "gre.version1_ssr",
    GreVersion1Recur => "gre.version1_recur",
    GreVersion1Flags => "gre.version1_flags",
    GreVersion1NoKey => "gre.version1_no_key",
    GreVersion1WrongProtocol => "gre.version1_wrong_protocol",
    GreVersion1MalformedSreHdr => "gre.version1_malformed_sre_hdr",
    GreVersion1HdrTooBig => "gre.version1_hdr_too_big",
    VlanHeaderTooSmall => "vlan.header_too_small",
    VlanUnknownType => "vlan.unknown_type",
    VlanTooManyLayers => "vlan.too_many_layers",
    VntagHeaderTooSmall => "vntag.header_too_small",
    VntagUnknownType => "vntag.unknown_type",
    Ieee8021ahHeaderTooSmall => "ieee8021ah.header_too_small",
    EtagHeaderTooSmall => "etag.header_too_small",
    EtagUnknownType => "etag.unknown_type",
    IprawInvalidIpVersion => "ipraw.invalid_ip_version",
    Ipv4FragPktTooLarge => "ipv4.frag_pkt_too_large",
    Ipv4FragOverlap => "ipv4.frag_overlap",
    Ipv6FragPktTooLarge => "ipv6.frag_pkt_too_large",
    Ipv6FragOverlap => "ipv6.frag_overlap",
    Ipv6FragInvalidLength => "ipv6.frag_invalid_length",
    Ipv6Ipv4InIpv6TooSmall => "ipv6.ipv4_in_ipv6_too_small",
    Ipv6Ipv4InIpv6WrongVersion => "ipv6.ipv4_in_ipv6_wrong_version",
    Ipv6Ipv6InIpv6TooSmall => "ipv6.ipv6_in_ipv6_too_small",
    Ipv6Ipv6InIpv6WrongVersion => "ipv6.ipv6_in_ipv6_wrong_version",
    MplsHeaderTooSmall => "mpls.header_too_small",
    MplsPktTooSmall => "mpls.pkt_too_small",
    MplsBadLabelRouterAlert => "mpls.bad_label_router_alert",
    MplsBadLabelImplicitNull => "mpls.bad_label_implicit_null",
    MplsBadLabelReserved => "mpls.bad_label_reserved",
    MplsUnknownPayloadType => "mpls.unknown_payload_type",
    LtnullPktTooSmall => "ltnull.pkt_too_small",
    LtnullUnsupportedType => "ltnull.unsupported_type",
    ErspanHeaderTooSmall => "erspan.header_too_small",
    ErspanUnsupportedVersion => "erspan.unsupported_version",
    ErspanTooManyVlanLayers => "erspan.too_many_vlan_layers",
    DcePktTooSmall => "dce.pkt_too_small",
    ChdlcPktTooSmall => "chdlc.pkt_too_small",
    TooManyLayers => "too_many_layers",
    AfpacketTruncPkt => "afpacket.trunc_pkt",
    IgmpPktTooSmall => "igmp.pkt_too_small",
    IgmpV3PktTooSmall => "igmp.v3_pkt_too_small",
    IgmpMalformed => "igmp.malformed",
    Ipv4UnknownProtocol => "ipv4.unknown_protocol",
    // SCTP (sctp-events.rules). The names load so Suricata's built-in rules load; the decoder
    // does not walk SCTP chunks yet, so these are never raised (docs/COMPATIBILITY.md).
    SctpPktTooSmall => "sctp.pkt_too_small",
    SctpChunkTooSmall => "sctp.chunk_too_small",
    SctpChunkLenInvalid => "sctp.chunk_len_invalid",
    SctpInitChunkBundled => "sctp.init_chunk_bundled",
    SctpInitWithNonZeroVtag => "sctp.init_with_non_zero_vtag",
    SctpDataWithZeroVtag => "sctp.data_with_zero_vtag",
    SctpTooManyChunks => "sctp.too_many_chunks",
    SctpTooManyDataChunks => "sctp.too_many_data_chunks",
}

impl DecodeEvent {
    /// Looks an event up by its rule name (without the `decoder.` prefix; ASCII case-insensitive,
    /// as Suricata's keyword parser is). A `decoder.`-prefixed EVE name is accepted too.
    pub fn from_name(name: &str) -> Option<DecodeEvent> {
        let name = name.strip_prefix("decoder.").unwrap_or(name);
        DecodeEvent::ALL.iter().copied().find(|e| e.name().eq_ignore_ascii_case(name))
    }
}

/// Number of 64-bit words in [`DecodeEvents`].
const WORDS: usize = 4;
const _: () = assert!(DecodeEvent::ALL.len() <= WORDS * 64, "grow DecodeEvents");

/// The set of events raised on one packet: a fixed-size bitset, no allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeEvents {
    bits: [u64; WORDS],
}

impl DecodeEvents {
    /// Records `e`.
    pub fn set(&mut self, e: DecodeEvent) {
        let i = e as usize;
        if let Some(w) = self.bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Whether `e` was raised.
    pub fn contains(&self, e: DecodeEvent) -> bool {
        let i = e as usize;
        self.bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Whether no event was raised.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|b| *b == 0)
    }

    /// Number of events raised.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The raised events in enum order.
    pub fn iter(&self) -> impl Iterator<Item = DecodeEvent> + '_ {
        DecodeEvent::ALL.iter().copied().filter(move |e| self.contains(*e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for (i, e) in DecodeEvent::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i);
            assert_eq!(DecodeEvent::from_name(e.name()), Some(*e));
            assert_eq!(DecodeEvent::from_name(e.eve_name()), Some(*e));
            assert_eq!(e.eve_name(), format!("decoder.{}", e.name()));
        }
        let mut names: Vec<_> = DecodeEvent::ALL.iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DecodeEvent::ALL.len());
        assert_eq!(DecodeEvent::from_name("IPV4.TRUNC_PKT"), Some(DecodeEvent::Ipv4TruncPkt));
        assert_eq!(DecodeEvent::from_name("ipv4.nope"), None);
    }

    #[test]
    fn every_rule_name_is_known() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/decoder-events.rules");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reference rules missing at {path}: {e}"));
        let mut n = 0;
        for part in text.split("decode-event:").skip(1) {
            let name = part.split(';').next().unwrap_or("").trim();
            assert!(DecodeEvent::from_name(name).is_some(), "unknown decode-event {name}");
            n += 1;
        }
        assert!(n > 100, "only {n} decode-event rules found");
    }

    #[test]
    fn bitset() {
        let mut s = DecodeEvents::default();
        assert!(s.is_empty());
        let last = *DecodeEvent::ALL.last().expect("events");
        s.set(DecodeEvent::Ipv4TruncPkt);
        s.set(last);
        s.set(last);
        assert!(s.contains(last) && s.contains(DecodeEvent::Ipv4TruncPkt));
        assert!(!s.contains(DecodeEvent::Ipv4PktTooSmall));
        assert_eq!(s.len(), 2);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![DecodeEvent::Ipv4TruncPkt, last]);
    }
}
