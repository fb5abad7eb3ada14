use super::*;
use Direction::{ToClient as TC, ToServer as TS};

fn ts() -> Timestamp {
    Timestamp::default()
}

const MSG: &[u8] = b"To: ppa@skynet.local, b@x.y\r\nFrom: Chris Sanders <sanders@skynet.local>\r\nSubject: New\r\n Coworker\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"XX\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--XX\r\nContent-Type: text/plain\r\n\r\n..dotted line\r\n--XX\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment;\r\n filename=\"report.pdf\"\r\n\r\nJVBERi0=\r\n--XX--\r\n.\r\n";

fn session(st: &mut SmtpState, chunk: usize) {
    let c = [
        b"EHLO [172.16.16.225]\r\nMAIL FROM:<sanders@skynet.local> SIZE=76692\r\nRCPT TO:<ppa@skynet.local>\r\nRCPT TO:<b@x.y>\r\nDATA\r\n".as_slice(),
        MSG,
        b"QUIT\r\n",
    ]
    .concat();
    let s = b"220 mail01 ESMTP\r\n250-mail01\r\n250-PIPELINING\r\n250 DSN\r\n250 2.1.0 Ok\r\n250 Ok\r\n250 Ok\r\n354 End data\r\n250 queued\r\n221 bye\r\n";
    // The client pipelines everything, then the server answers.
    for a in c.chunks(chunk) {
        st.on_data(TS, ts(), a);
    }
    for b in s.chunks(chunk) {
        st.on_data(TC, ts(), b);
    }
}

#[test]
fn mail_transaction() {
    let mut st = SmtpState::new(SmtpConfig::default());
    session(&mut st, 4096);
    assert_eq!(st.txs().len(), 1, "QUIT makes no transaction");
    let t = st.txs().next().expect("tx");
    assert!(t.progress.is_done());
    assert_eq!(t.helo, b"[172.16.16.225]");
    assert_eq!(t.mail_from, b"<sanders@skynet.local>");
    assert_eq!(t.rcpt_to, vec![b"<ppa@skynet.local>".to_vec(), b"<b@x.y>".to_vec()]);
    assert_eq!(t.mime.from, b"Chris Sanders <sanders@skynet.local>");
    assert_eq!(t.mime.to, vec![b"ppa@skynet.local".to_vec(), b"b@x.y".to_vec()]);
    assert_eq!(t.mime.subject, b"New Coworker");
    assert_eq!(t.mime.attachments, vec![b"report.pdf".to_vec()]);
    assert!(t.events.is_empty() && st.events().is_empty(), "{:?} {:?}", t.events, st.events());
    let mut buf = Vec::new();
    let mut w = crate::output::eve::JsonWriter::new(&mut buf);
    w.open();
    w.key("smtp").open();
    eve::write_smtp(t, &mut w);
    w.close();
    w.key("email").open();
    eve::write_email(t, false, &mut w);
    w.close();
    w.close();
    assert_eq!(
        String::from_utf8(buf).expect("utf8"),
        r#"{"smtp":{"helo":"[172.16.16.225]","mail_from":"<sanders@skynet.local>","rcpt_to":["<ppa@skynet.local>","<b@x.y>"]},"email":{"status":"PARSE_DONE","from":"Chris Sanders <sanders@skynet.local>","to":["ppa@skynet.local","b@x.y"],"attachment":["report.pdf"]}}"#
    );
}

#[test]
fn any_chunking_gives_the_same_txs() {
    let mut whole = SmtpState::new(SmtpConfig::default());
    session(&mut whole, 100_000);
    for n in [1, 2, 3, 7, 13, 64] {
        let mut st = SmtpState::new(SmtpConfig::default());
        session(&mut st, n);
        assert_eq!(st.txs().collect::<Vec<_>>(), whole.txs().collect::<Vec<_>>(), "chunk {n}");
    }
}

#[test]
fn starttls_hook() {
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TC, ts(), b"220 mx ESMTP\r\n");
    st.on_data(TS, ts(), b"EHLO openssl.client.net\r\n");
    st.on_data(TC, ts(), b"250-mx\r\n250 CHUNKING\r\n");
    st.on_data(TS, ts(), b"STARTTLS\r\n");
    assert!(!st.tls_upgraded());
    st.on_data(TC, ts(), b"220 2.0.0 Ready to start TLS\r\n");
    assert!(st.tls_upgraded());
    st.on_data(TS, ts(), b"\x16\x03\x01\x02\x00\x01\r\nMAIL FROM:<x>\r\n");
    let t = st.txs().next().expect("tx");
    assert!(t.progress.is_done());
    assert_eq!(t.helo, b"openssl.client.net");
    assert!(t.mail_from.is_empty(), "nothing parsed after the upgrade");

    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TS, ts(), b"STARTTLS\r\n");
    st.on_data(TC, ts(), b"220 hi\r\n454 TLS not available\r\n");
    assert!(!st.tls_upgraded());
    assert_eq!(st.txs().next().map(|t| t.events.clone()), Some(vec![SmtpEvent::TlsRejected]));
}

#[test]
fn bdat_and_rejected_data() {
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TS, ts(), b"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 20\r\nSubject: hi\r\nFrom: x");
    st.on_data(TS, ts(), b"BDAT 10 LAST\r\n\r\n\r\nbody\r\n\r\nMAIL FROM:<e@f>\r\n");
    let v: Vec<&SmtpTx> = st.txs().collect();
    assert_eq!(v.len(), 2);
    assert!(v[0].progress.is_done());
    assert_eq!(v[0].mime.subject, b"hi");
    assert_eq!(v[0].mime.from, b"x", "the 20-byte chunk ends after `From: x`");
    assert_eq!(v[1].mail_from, b"<e@f>");

    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TC, ts(), b"220 hi\r\n");
    st.on_data(TS, ts(), b"MAIL FROM:<a@b>\r\nDATA\r\n");
    st.on_data(TC, ts(), b"250 ok\r\n554 no valid recipients\r\n");
    st.on_data(TS, ts(), b"RCPT TO:<x@y>\r\n");
    let t = st.txs().next().expect("tx");
    assert_eq!(t.events, vec![SmtpEvent::DataCommandRejected]);
    assert_eq!(t.rcpt_to, vec![b"<x@y>".to_vec()], "back in command mode");
}

#[test]
fn reply_anomalies() {
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TC, ts(), b"554 go away\r\n");
    assert_eq!(st.events(), &[SmtpEvent::NoServerWelcomeMessage]);
    st.on_data(TC, ts(), b"250 unsolicited\r\nxyz\r\n");
    assert!(st.events().contains(&SmtpEvent::UnableToMatchReplyWithRequest));
    assert!(st.events().contains(&SmtpEvent::InvalidReply));
    let mut st = SmtpState::new(SmtpConfig { max_line_len: 16, ..SmtpConfig::default() });
    st.on_data(TS, ts(), b"HELO aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    assert_eq!(st.txs().next().map(|t| t.events.clone()), Some(vec![SmtpEvent::MaxCommandLineLenExceeded]));
}

#[test]
fn eve_names_are_the_names_upper_cased() {
    for e in SmtpEvent::ALL {
        assert_eq!(e.eve_name(), e.name().to_ascii_uppercase());
    }
}

#[test]
fn quit_first_and_ehlo_reset() {
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TS, ts(), b"QUIT\r\n");
    assert_eq!(st.next_tx_id(), TxId(1), "the session's first command makes a tx");
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TC, ts(), b"220 hi\r\n");
    st.on_data(TS, ts(), b"EHLO a\r\nMAIL FROM:<x@y>\r\nEHLO b\r\n");
    st.on_data(TC, ts(), b"250 a\r\n250 ok\r\n250 b\r\n");
    st.on_data(TS, ts(), b"MAIL FROM:<z@w>\r\n");
    let v: Vec<&SmtpTx> = st.txs().collect();
    assert_eq!(v.len(), 2);
    assert!(v[0].progress.is_done());
    assert_eq!((v[1].helo.as_slice(), v[1].mail_from.as_slice()), (&b"b"[..], &b"<z@w>"[..]));
}

#[test]
fn rset_ends_the_transaction() {
    let mut st = SmtpState::new(SmtpConfig::default());
    st.on_data(TC, ts(), b"220 hi\r\n");
    st.on_data(TS, ts(), b"HELO h\r\nMAIL FROM:<a@b>\r\nRSET\r\n");
    st.on_data(TC, ts(), b"250 h\r\n250 ok\r\n250 reset\r\n");
    st.on_data(TS, ts(), b"MAIL FROM:<c@d>\r\n");
    let v: Vec<&SmtpTx> = st.txs().collect();
    assert_eq!(v.len(), 2);
    assert!(v[0].progress.is_done() && !v[1].progress.is_done());
    assert_eq!(v[1].helo, b"h");
}

#[test]
fn buffers() {
    let mut st = SmtpState::new(SmtpConfig::default());
    session(&mut st, 4096);
    let t = st.txs().next().expect("tx");
    let mut all = Vec::new();
    detect::for_each(t, detect::SmtpBuf::from_keyword("smtp.rcpt_to").expect("kw"), &mut |v| {
        all.push(v.to_vec());
        false
    });
    assert_eq!(all.len(), 2);
    assert!(detect::for_each(t, detect::SmtpBuf::EmailSubject, &mut |v| v == b"New Coworker"));
    assert!(detect::ready(t, detect::SmtpBuf::EmailFrom));
}

#[test]
fn events_match_the_builtin_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/smtp-events.rules");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path} missing: {e}"));
    let mut n = 0;
    for l in text.lines().filter(|l| l.contains("app-layer-event:")) {
        let name = l.split("app-layer-event:").nth(1).and_then(|r| r.split(';').next()).expect("event").trim();
        assert!(SmtpEvent::from_name(name).is_some(), "{name}");
        n += 1;
    }
    assert_eq!(n, SmtpEvent::ALL.len());
}

proptest::proptest! {
    #[test]
    fn never_panics(c in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..500), s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let mut st = SmtpState::new(harness::fuzz_config());
        st.on_data(TS, ts(), b"EHLO x\r\nMAIL FROM:<a>\r\nDATA\r\n");
        st.on_data(TS, ts(), &c);
        st.on_data(TC, ts(), &s);
        harness::check(&st);
    }

    #[test]
    fn split_anywhere_is_equivalent(n in 1usize..200) {
        let mut whole = SmtpState::new(SmtpConfig::default());
        session(&mut whole, 100_000);
        let mut st = SmtpState::new(SmtpConfig::default());
        session(&mut st, n);
        proptest::prop_assert_eq!(st.txs().collect::<Vec<_>>(), whole.txs().collect::<Vec<_>>());
    }
}
