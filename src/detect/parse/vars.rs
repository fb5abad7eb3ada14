//! Default rule variables.

use super::Vars;

/// Suricata's default `vars.address-groups` (suricata.yaml), plus `SIP_SERVERS` (Snort's
/// default, used by the Snort community rules).
const ADDRESS_GROUPS: &[(&str, &str)] = &[
    ("HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"),
    ("EXTERNAL_NET", "!$HOME_NET"),
    ("HTTP_SERVERS", "$HOME_NET"),
    ("SMTP_SERVERS", "$HOME_NET"),
    ("SQL_SERVERS", "$HOME_NET"),
    ("DNS_SERVERS", "$HOME_NET"),
    ("TELNET_SERVERS", "$HOME_NET"),
    ("AIM_SERVERS", "$EXTERNAL_NET"),
    ("DC_SERVERS", "$HOME_NET"),
    ("DNP3_SERVER", "$HOME_NET"),
    ("DNP3_CLIENT", "$HOME_NET"),
    ("MODBUS_CLIENT", "$HOME_NET"),
    ("MODBUS_SERVER", "$HOME_NET"),
    ("ENIP_CLIENT", "$HOME_NET"),
    ("ENIP_SERVER", "$HOME_NET"),
    // Not in suricata.yaml; Snort's snort.conf default.
    ("SIP_SERVERS", "$HOME_NET"),
];

/// Suricata's default `vars.port-groups`, plus `SIP_PORTS` (Snort's default).
const PORT_GROUPS: &[(&str, &str)] = &[
    ("HTTP_PORTS", "80"),
    ("SHELLCODE_PORTS", "!80"),
    ("ORACLE_PORTS", "1521"),
    ("SSH_PORTS", "22"),
    ("DNP3_PORTS", "20000"),
    ("MODBUS_PORTS", "502"),
    ("FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"),
    ("FTP_PORTS", "21"),
    ("GENEVE_PORTS", "6081"),
    ("VXLAN_PORTS", "4789"),
    ("TEREDO_PORTS", "3544"),
    // Not in suricata.yaml; Snort's snort.conf default.
    ("SIP_PORTS", "[5060,5061,5600]"),
];

impl Vars {
    /// The variables of Suricata's default `suricata.yaml` (`vars.address-groups` and
    /// `vars.port-groups`), plus `SIP_SERVERS`/`SIP_PORTS` with Snort's defaults so the Snort
    /// community rules load. Every `$VAR` used in an ET Open rule header has a value here.
    pub fn suricata_defaults() -> Vars {
        let to_map = |t: &[(&str, &str)]| t.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Vars { address: to_map(ADDRESS_GROUPS), port: to_map(PORT_GROUPS) }
    }
}
