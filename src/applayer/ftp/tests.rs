use super::*;
use Direction::{ToClient as TC, ToServer as TS};

fn ts() -> Timestamp {
    Timestamp::from_parts(100, 0)
}

fn eve(tx: &FtpTx) -> String {
    let mut buf = Vec::new();
    let mut w = crate::output::eve::JsonWriter::new(&mut buf);
    w.open();
    eve::write_ftp(tx, &mut w);
    w.close();
    String::from_utf8(buf).expect("utf8")
}

fn session(st: &mut FtpState) {
    st.on_data(TC, ts(), b"220 ftp.example FTP server ready.\r\n");
    st.on_data(TS, ts(), b"USER anonymous\r\n");
    st.on_data(TC, ts(), b"331 Guest login ok.\r\n");
    st.on_data(TS, ts(), b"pasv\r\n");
    st.on_data(TC, ts(), b"227 Entering Passive Mode (199,233,217,249,221,90)\r\n");
    st.on_data(TS, ts(), b"RETR robots.txt\r\n");
    st.on_data(TC, ts(), b"150 Opening BINARY mode data connection.\r\n");
    st.on_data(TC, ts(), b"226 Transfer complete.\r\n");
}

#[test]
fn commands_replies_and_eve() {
    let mut st = FtpState::new(FtpConfig::default());
    session(&mut st);
    let txs: Vec<String> = st.txs().map(eve).collect();
    assert_eq!(txs.len(), 4);
    assert_eq!(txs[0], r#"{"completion_code":["220"],"reply":["ftp.example FTP server ready."],"reply_received":"yes","reply_truncated":false}"#);
    assert_eq!(
        txs[1],
        r#"{"command":"USER","command_data":"anonymous","command_truncated":false,"completion_code":["331"],"reply":["Guest login ok."],"reply_received":"yes","reply_truncated":false}"#
    );
    assert_eq!(
        txs[2],
        r#"{"command":"PASV","completion_code":["227"],"reply":["Entering Passive Mode (199,233,217,249,221,90)"],"dynamic_port":56666,"mode":"passive","reply_received":"yes","reply_truncated":false}"#
    );
    assert_eq!(
        txs[3],
        r#"{"command":"RETR","command_data":"robots.txt","command_truncated":false,"completion_code":["150","226"],"reply":["Opening BINARY mode data connection.","Transfer complete."],"reply_received":"yes","reply_truncated":false}"#
    );
    let e: Vec<FtpExpectation> = st.take_expectations().collect();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].port, e[0].command, &e[0].filename[..]), (56666, "RETR", &b"robots.txt"[..]));
}

#[test]
fn multi_line_reply_grouping_follows_chunks() {
    let mut st = FtpState::new(FtpConfig::default());
    st.on_data(TS, ts(), b"PASS test\r\n");
    st.on_data(TC, ts(), b"230-\r\n");
    st.prune_done(st.next_tx_id());
    st.on_data(TC, ts(), b"    Welcome\r\n    more\r\n");
    st.prune_done(st.next_tx_id());
    st.on_data(TC, ts(), b"230 Guest login ok.\r\n");
    let v: Vec<&FtpTx> = st.txs().collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].id, TxId(2));
    let all: Vec<String> = (0..3).map(|_| String::new()).collect();
    assert_eq!(all.len(), 3);
    let mut st = FtpState::new(FtpConfig::default());
    st.on_data(TS, ts(), b"PASS test\r\n");
    st.on_data(TC, ts(), b"230-\r\n    Welcome\r\n230 ok\r\n");
    assert_eq!(st.txs().len(), 1, "one chunk: all lines to the command's tx");
    assert_eq!(
        eve(st.txs().next().expect("tx")),
        r#"{"command":"PASS","command_data":"test","command_truncated":false,"completion_code":["230"],"reply":["230-","    Welcome","ok"],"reply_received":"yes","reply_truncated":false}"#
    );
}

#[test]
fn active_modes_and_bounce() {
    let mut st = FtpState::new(FtpConfig::default());
    st.set_client_addr(IpAddr::from([141, 142, 220, 235]));
    st.on_data(TS, ts(), b"PORT 141,142,220,235,131,46\r\n");
    st.on_data(TC, ts(), b"200 PORT command successful.\r\n");
    st.on_data(TS, ts(), b"EPRT |2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|\r\n");
    st.on_data(TC, ts(), b"200 EPRT command successful.\r\n");
    st.on_data(TS, ts(), b"PORT 10,9,9,9,4,1\r\n");
    st.on_data(TC, ts(), b"200 ok\r\n");
    st.on_data(TS, ts(), b"EPSV\r\n");
    st.on_data(TC, ts(), b"229 Entering Extended Passive Mode (|||57086|)\r\n");
    let v: Vec<&FtpTx> = st.txs().collect();
    assert_eq!((v[0].dyn_port, v[0].active, v[0].bounce), (33582, true, false));
    assert_eq!((v[1].dyn_port, v[1].active), (49189, true));
    assert_eq!(v[1].port_addr, "2001:470:1f11:81f:c999:d94:aa7c:2e3e".parse().ok());
    assert!(v[2].bounce);
    assert_eq!((v[3].dyn_port, v[3].active), (57086, false));
    assert!(eve(v[0]).contains(r#""dynamic_port":33582,"mode":"active""#));
}

#[test]
fn unknown_commands_make_no_tx_and_events() {
    let mut st = FtpState::new(FtpConfig::default());
    st.on_data(TS, ts(), b"FEAT\r\nRETR\r\n");
    let v: Vec<&FtpTx> = st.txs().collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].events, vec![FtpEvent::FileWithoutName, FtpEvent::FileBeforePort]);
    let mut st = FtpState::new(FtpConfig { max_line_len: 10, ..FtpConfig::default() });
    st.on_data(TS, ts(), b"USER aaaaaaaaaaaaaaaaaaaaaa\r\n");
    st.on_data(TC, ts(), b"331 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n");
    let t = st.txs().next().expect("tx");
    assert!(t.command_truncated && t.reply_truncated);
    assert_eq!(t.events, vec![FtpEvent::RequestCommandTooLong, FtpEvent::ResponseCommandTooLong]);
    assert_eq!(t.command_data, b"aaaaa");
}

#[test]
fn tx_cap() {
    let mut st = FtpState::new(FtpConfig { max_txs: 3, ..FtpConfig::default() });
    st.on_data(TS, ts(), b"NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
    assert_eq!(st.txs().len(), 3);
    assert_eq!(st.events(), &[FtpEvent::TooManyTransactions]);
}

#[test]
fn parsers() {
    assert_eq!(parse_pasv(b"227 Entering Passive Mode (1,2,3,4,5,6)"), Some(1286));
    assert_eq!(parse_pasv(b"227 =1,2,3,4,0,21"), Some(21));
    assert_eq!(parse_pasv(b"227 (1,2,3,4,256,6)"), None);
    assert_eq!(parse_epsv(b"229 Entering Extended Passive Mode (|||6446|)"), Some(6446));
    assert_eq!(parse_epsv(b"229 (|||99999|)"), None);
    assert_eq!(parse_eprt(b"|1|132.235.1.2|6275|"), Some((Some(IpAddr::from([132, 235, 1, 2])), 6275)));
    assert_eq!(command_of(b"auth tls"), Some("AUTH TLS"));
    assert_eq!(command_of(b"LISTX"), None);
}

#[test]
fn events_match_the_builtin_rules() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rules/suricata-builtin/ftp-events.rules");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path} missing: {e}"));
    let mut n = 0;
    for l in text.lines().filter(|l| l.contains("app-layer-event:")) {
        let name = l.split("app-layer-event:").nth(1).and_then(|r| r.split(';').next()).expect("event").trim();
        assert!(FtpEvent::from_name(name).is_some(), "{name}");
        n += 1;
    }
    assert_eq!(n, FtpEvent::ALL.len());
}

#[test]
fn buffers() {
    let mut st = FtpState::new(FtpConfig::default());
    session(&mut st);
    let t = st.txs().nth(3).expect("tx");
    let mut got = Vec::new();
    detect::for_each(t, detect::FtpBuf::from_keyword("ftp.command_data").expect("kw"), &mut |v| {
        got = v.to_vec();
        true
    });
    assert_eq!(got, b"robots.txt");
    assert!(detect::for_each(t, detect::FtpBuf::Command, &mut |v| v == b"RETR"));
    assert!(!detect::for_each(st.txs().next().expect("tx"), detect::FtpBuf::Command, &mut |_| true));
}

proptest::proptest! {
    #[test]
    fn split_anywhere_is_equivalent(cut in 0usize..200, cut2 in 0usize..200) {
        let c = b"USER a\r\nPASV\r\nRETR x y\r\nQUIT\r\n".to_vec();
        let s = b"220-hi\r\n220 ok\r\n331 p\r\n227 (1,2,3,4,5,6)\r\n150 o\r\n226 d\r\n221 bye\r\n".to_vec();
        // Reply grouping follows chunks, so compare with the replies delivered line by line.
        let feed = |cc: usize, sc: usize| {
            let mut st = FtpState::new(FtpConfig::default());
            st.on_data(TS, ts(), &c[..cc.min(c.len())]);
            st.on_data(TS, ts(), &c[cc.min(c.len())..]);
            let (a, b) = s.split_at(sc.min(s.len()));
            for part in [a, b] {
                for l in part.split_inclusive(|&x| x == b'\n') {
                    st.on_data(TC, ts(), l);
                }
            }
            st.txs().cloned().collect::<Vec<_>>()
        };
        proptest::prop_assert_eq!(feed(cut, cut2), feed(0, 0));
    }

    #[test]
    fn never_panics(c in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let mut st = FtpState::new(harness::fuzz_config());
        st.on_data(TS, ts(), &c);
        st.on_data(TC, ts(), &s);
        harness::check(&st);
    }
}
