//! Link layers: Ethernet, 802.1Q/802.1ad VLAN, Linux SLL/SLL2, BSD null/loop, MPLS.

use super::{DecodeEvent as E, Dec, be16, be32};

/// Ethertypes we dispatch on.
pub(crate) mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const ARP: u16 = 0x0806;
    pub const RARP: u16 = 0x8035;
    pub const IPV6: u16 = 0x86dd;
    pub const VLAN: u16 = 0x8100;
    pub const QINQ_8021AD: u16 = 0x88a8;
    pub const QINQ_9100: u16 = 0x9100;
    pub const MPLS_UC: u16 = 0x8847;
    pub const MPLS_MC: u16 = 0x8848;
    pub const PPPOE_DISC: u16 = 0x8863;
    pub const PPPOE_SESS: u16 = 0x8864;
    pub const BRIDGE: u16 = 0x6558;
    pub const IEEE8021AH: u16 = 0x88e7;
    pub const ERSPAN: u16 = 0x88be;
    pub const DCE: u16 = 0x8903;
    pub const NSH: u16 = 0x894f;
    pub const VNTAG: u16 = 0x8926;
    pub const ETAG: u16 = 0x893f;
    pub const LLDP: u16 = 0x88cc;
    pub const EAPOL: u16 = 0x888e;
    pub const LOOPBACK: u16 = 0x9000;
}

/// Ethernet header length.
pub(crate) const ETH_LEN: usize = 14;
/// Linux cooked capture v1 header length.
pub(crate) const SLL_LEN: usize = 16;
/// Linux cooked capture v2 header length.
pub(crate) const SLL2_LEN: usize = 20;
/// VN-Tag header length (tag + next ethertype).
pub(crate) const VNTAG_LEN: usize = 6;
/// E-Tag header length (tag + next ethertype).
pub(crate) const ETAG_LEN: usize = 8;
/// 802.1ah I-Tag plus the customer Ethernet header.
pub(crate) const IEEE8021AH_LEN: usize = 4 + ETH_LEN;
/// 802.1Q tag length.
pub(crate) const VLAN_LEN: usize = 4;
/// Most VLAN tags decoded (Suricata's VLAN_MAX_LAYERS).
pub const MAX_VLAN_LAYERS: usize = 3;
/// Most MPLS labels walked before giving up.
pub const MAX_MPLS_LABELS: usize = 16;

impl<'a> Dec<'a, '_> {
    pub(crate) fn ethernet(&mut self, off: usize) {
        let Some(rest) = self.data.get(off..) else { return };
        if rest.len() < ETH_LEN {
            self.ev(E::EthernetPktTooSmall);
            return;
        }
        let et = be16(rest, 12);
        self.ether_dispatch(off + ETH_LEN, et);
    }

    pub(crate) fn sll(&mut self) {
        if self.data.len() < SLL_LEN {
            self.ev(E::SllPktTooSmall);
            return;
        }
        let et = be16(self.data, 14);
        self.ether_dispatch(SLL_LEN, et);
    }

    pub(crate) fn sll2(&mut self) {
        if self.data.len() < SLL2_LEN {
            self.ev(E::SllPktTooSmall);
            return;
        }
        let et = be16(self.data, 0);
        self.ether_dispatch(SLL2_LEN, et);
    }

    /// BSD loopback: a 4-byte address family, host order for NULL (either order accepted, as
    /// the capturing host is unknown), network order for LOOP.
    pub(crate) fn null(&mut self, network_order: bool) {
        if self.data.len() < 4 {
            self.ev(E::LtnullPktTooSmall);
            return;
        }
        let be = be32(self.data, 0);
        let family = if network_order || be < 0x0001_0000 { be } else { be.swap_bytes() };
        match family {
            2 => self.ipv4(4, false),
            // AF_INET6 on Linux (10), NetBSD/OpenBSD (24), FreeBSD (28), Darwin (30).
            10 | 24 | 28 | 30 => self.ipv6(4, false),
            _ => self.ev(E::LtnullUnsupportedType),
        }
    }

    /// Dispatches the layer after an ethertype (Suricata's DecodeNetworkLayer).
    pub(crate) fn ether_dispatch(&mut self, off: usize, et: u16) {
        use ethertype::*;
        if !self.enter_layer() {
            return;
        }
        match et {
            IPV4 => self.ipv4(off, false),
            IPV6 => self.ipv6(off, false),
            VLAN | QINQ_8021AD | QINQ_9100 => self.vlan(off),
            MPLS_UC | MPLS_MC => self.mpls(off),
            BRIDGE => self.ethernet(off),
            VNTAG => self.vntag(off),
            ETAG => self.etag(off),
            IEEE8021AH => self.ieee8021ah(off),
            ARP => self.p.layers |= super::layer::ARP,
            // Known but not decoded further (no event, as in Suricata).
            RARP | PPPOE_DISC | PPPOE_SESS | ERSPAN | DCE | NSH | LLDP | EAPOL | LOOPBACK => {}
            _ => {
                self.p.layers |= super::layer::UNKNOWN_ETHERTYPE;
                self.ev(E::EthernetUnknownEthertype)
            }
        }
    }

    /// Cisco VN-Tag: 4 bytes of tag, then the next ethertype (Suricata's DecodeVNTag).
    fn vntag(&mut self, off: usize) {
        self.p.layers |= super::layer::VNTAG;
        let Some(rest) = self.data.get(off..) else { return };
        if rest.len() < VNTAG_LEN {
            self.ev(E::VntagHeaderTooSmall);
            return;
        }
        let et = be16(rest, 4);
        self.ether_dispatch(off + VNTAG_LEN, et);
    }

    /// 802.1BR E-Tag: 6 bytes of tag, then the next ethertype (Suricata's DecodeETag).
    fn etag(&mut self, off: usize) {
        self.p.layers |= super::layer::ETAG;
        let Some(rest) = self.data.get(off..) else { return };
        if rest.len() < ETAG_LEN {
            self.ev(E::EtagHeaderTooSmall);
            return;
        }
        let et = be16(rest, 6);
        self.ether_dispatch(off + ETAG_LEN, et);
    }

    /// 802.1ah provider backbone bridging: a 4-byte I-Tag, then a customer Ethernet header
    /// (Suricata's DecodeIEEE8021ah).
    fn ieee8021ah(&mut self, off: usize) {
        self.p.layers |= super::layer::IEEE8021AH;
        let Some(rest) = self.data.get(off..) else { return };
        if rest.len() < IEEE8021AH_LEN {
            self.ev(E::Ieee8021ahHeaderTooSmall);
            return;
        }
        let et = be16(rest, IEEE8021AH_LEN - 2);
        self.ether_dispatch(off + IEEE8021AH_LEN, et);
    }

    fn vlan(&mut self, off: usize) {
        if self.p.vlan_len as usize >= MAX_VLAN_LAYERS {
            self.ev(E::VlanTooManyLayers);
            return;
        }
        let Some(rest) = self.data.get(off..) else { return };
        if rest.len() < VLAN_LEN {
            self.ev(E::VlanHeaderTooSmall);
            return;
        }
        let id = be16(rest, 0) & 0x0fff;
        if let Some(slot) = self.p.vlan.get_mut(self.p.vlan_len as usize) {
            *slot = id;
            self.p.vlan_len += 1;
        }
        let et = be16(rest, 2);
        let before = self.p.events;
        self.ether_dispatch(off + VLAN_LEN, et);
        // Suricata reports an unknown type inside a VLAN tag as vlan.unknown_type.
        if !before.contains(E::EthernetUnknownEthertype) && self.p.events.contains(E::EthernetUnknownEthertype) && self.p.ip.is_none() {
            self.ev(E::VlanUnknownType);
        }
    }

    /// MPLS label stack, then a best guess at the payload (Suricata's DecodeMPLS).
    pub(crate) fn mpls(&mut self, mut off: usize) {
        let mut label;
        let mut n = 0;
        loop {
            let Some(rest) = self.data.get(off..) else { return };
            if rest.len() < 4 {
                self.ev(E::MplsHeaderTooSmall);
                return;
            }
            let shim = be32(rest, 0);
            off += 4;
            label = shim >> 12;
            n += 1;
            if shim & 0x100 != 0 {
                break;
            }
            if n >= MAX_MPLS_LABELS {
                self.ev(E::TooManyLayers);
                return;
            }
        }
        self.tunnel_mark(super::TunnelKind::Mpls);
        match label {
            0 => return self.ipv4(off, false),
            2 => return self.ipv6(off, false),
            1 => return self.ev(E::MplsBadLabelRouterAlert),
            3 => return self.ev(E::MplsBadLabelImplicitNull),
            l if l < 16 => return self.ev(E::MplsBadLabelReserved),
            _ => {}
        }
        let Some(rest) = self.data.get(off..) else { return };
        match rest.first().map(|b| b >> 4) {
            Some(4) => self.ipv4(off, false),
            Some(6) => self.ipv6(off, false),
            Some(0) => {
                // Ethernet pseudowire with a 4-byte control word.
                if rest.len() < ETH_LEN + 4 {
                    self.ev(E::MplsPktTooSmall);
                } else {
                    self.ethernet(off + 4);
                }
            }
            _ => self.ev(E::MplsUnknownPayloadType),
        }
    }
}
