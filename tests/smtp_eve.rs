//! End to end: the `rampart` binary's EVE `smtp` events on the real SMTP captures compared
//! with Suricata's (see `proto3_common`). The `smtp` object (helo, mail_from, rcpt_to) must
//! match exactly; whole records (with `email`) are reported.

mod proto3_common;

const CAPS: [&str; 2] = ["chrissanders/mail_sender_attachment.pcapng", "zeek/tls_smtp-starttls.pcap"];

fn smtp_only(b: &proto3_common::Bag) -> proto3_common::Bag {
    let mut out = proto3_common::Bag::new();
    for (k, n) in b {
        let mut v: serde_json::Value = serde_json::from_str(k).expect("json");
        if let Some(o) = v.as_object_mut() {
            o.remove("email");
        }
        *out.entry(v.to_string()).or_default() += n;
    }
    out
}

#[test]
fn smtp_events_match_the_oracle() {
    let (mut m, mut o, mut u, mut whole) = (0, 0, 0, 0);
    let mut report = Vec::new();
    for c in CAPS {
        let (ob, ub) = proto3_common::run(c, &["smtp"]);
        let (os, us) = (smtp_only(&ob), smtp_only(&ub));
        let mm = proto3_common::matched(&os, &us);
        let wm = proto3_common::matched(&ob, &ub);
        report.push(format!("{c}: oracle {}, ours {}, smtp objects matched {mm}, whole records {wm}", ob.values().sum::<usize>(), ub.values().sum::<usize>()));
        for (k, _) in ob.iter().filter(|(k, _)| !ub.contains_key(*k)) {
            report.push(format!("  oracle: {k}"));
        }
        for (k, _) in ub.iter().filter(|(k, _)| !ob.contains_key(*k)) {
            report.push(format!("  ours:   {k}"));
        }
        m += mm;
        whole += wm;
        o += ob.values().sum::<usize>();
        u += ub.values().sum::<usize>();
    }
    eprintln!("{}\nsmtp events: {m} of {o} oracle / {u} ours matched (whole records {whole})", report.join("\n"));
    assert!(o >= 2, "too few oracle smtp events ({o})");
    assert_eq!((m, u), (o, o), "smtp events differ:\n{}", report.join("\n"));
}
