//! End to end: the `rampart` binary logs the same EVE `ftp` and `ftp_data` events as Suricata
//! on the real FTP captures (see `proto3_common`), and gives the data connections announced by
//! PASV/EPSV/PORT/EPRT `app_proto` `ftp-data`.

mod proto3_common;

const CAPS: [&str; 3] = ["zeek/ftp_ipv4.pcap", "zeek/ftp_ipv6.pcap", "zeek/ftp_bruteforce.pcap"];

#[test]
fn ftp_events_match_the_oracle() {
    let (m, o, u, report) = proto3_common::compare(&CAPS, &["ftp"]);
    let rate = m as f64 / o.max(u).max(1) as f64;
    eprintln!("{}\nftp events: {m} of {o} oracle / {u} ours matched ({:.1}%)", report.join("\n"), rate * 100.0);
    assert!(o >= 150, "too few oracle ftp events ({o})");
    assert!(rate >= MIN_FTP_RATE, "ftp match rate {rate:.3} below {MIN_FTP_RATE}:\n{}", report.join("\n"));
}

#[test]
fn ftp_data_events_match_the_oracle() {
    let (m, o, u, report) = proto3_common::compare(&CAPS, &["ftp_data"]);
    eprintln!("{}\nftp_data events: {m} of {o} oracle / {u} ours matched", report.join("\n"));
    assert!(o >= 8, "too few oracle ftp_data events ({o})");
    assert_eq!((m, u), (o, o), "ftp_data events differ:\n{}", report.join("\n"));
}

#[test]
fn data_flows_are_ftp_data() {
    let count = |b: &proto3_common::Bag| b.iter().filter(|(k, _)| k.contains("\"app_proto\":\"ftp-data\"")).map(|(_, n)| *n).sum::<usize>();
    let mut report = Vec::new();
    let (mut o, mut u) = (0, 0);
    for c in CAPS {
        let (ob, ub) = proto3_common::run(c, &["flow"]);
        report.push(format!("{c}: ftp-data flows oracle {}, ours {}", count(&ob), count(&ub)));
        o += count(&ob);
        u += count(&ub);
    }
    eprintln!("{}", report.join("\n"));
    assert!(o >= 8, "oracle ftp-data flows missing ({o})");
    assert_eq!(u, o, "{}", report.join("\n"));
}

/// Reached when this was written (see the report line); keep it there.
const MIN_FTP_RATE: f64 = 0.9;
