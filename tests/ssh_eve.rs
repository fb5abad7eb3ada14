//! End to end: the `rampart` binary logs the same EVE `ssh` events as Suricata on the real
//! captures with SSH (see `proto3_common`).

mod proto3_common;

#[test]
fn ssh_events_match_the_oracle() {
    let caps = ["zeek/ssh_ssh.pcap", "ivre-wireshark/gre-sample.pcap"];
    let (m, o, u, report) = proto3_common::compare(&caps, &["ssh"]);
    eprintln!("{}\nssh events: {m} of {o} oracle / {u} ours matched", report.join("\n"));
    assert!(o >= 20, "too few oracle ssh events ({o})");
    // Every record matched when this was written; keep it that way.
    assert_eq!((m, u), (o, o), "ssh events differ from the oracle:\n{}", report.join("\n"));
}
