//! HTTP/1 parser benches: one [`HttpState`] fed a whole conversation in 1448-byte chunks (what
//! the reassembler hands over for a full-MSS stream), with the default [`HttpConfig`]:
//!
//! - `get_response`: a browser GET with typical headers and a 200 response with a 16 KiB
//!   `Content-Length` HTML body;
//! - `pipelined`: 32 GETs sent in one burst, then their 32 responses (304s and small 200s);
//! - `chunked_gzip`: a GET and a `Transfer-Encoding: chunked`, `Content-Encoding: gzip`
//!   response carrying 64 KiB of HTML in 4 KiB chunks (decompressed up to the body limit).
//!
//! Throughput is the conversation's bytes on the wire (both directions). Inputs are generated
//! here (fixed text, gzip at a fixed level), so figures are reproducible.
//! Run: `cargo bench --bench http -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs)] // criterion_group! generates an undocumented public fn

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rampart::applayer::http::{HttpConfig, HttpState};
use rampart::applayer::Direction;
use rampart::time::Timestamp;

/// Bytes per `on_data` call: one full-MSS segment.
const CHUNK: usize = 1448;

/// A conversation: (direction, stream bytes) in the order they are fed; the expected number
/// of transactions checks the input parses as intended.
struct Conversation {
    parts: Vec<(Direction, Vec<u8>)>,
    txs: usize,
}

impl Conversation {
    fn wire_bytes(&self) -> u64 {
        self.parts.iter().map(|(_, b)| b.len() as u64).sum()
    }
}

fn request(path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\n\
         Host: www.example.com\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
         Accept-Language: en-US,en;q=0.5\r\n\
         Accept-Encoding: gzip, deflate\r\n\
         Referer: http://www.example.com/index.html\r\n\
         Cookie: session=0123456789abcdef0123456789abcdef; theme=dark\r\n\
         Connection: keep-alive\r\n\
         \r\n"
    )
    .into_bytes()
}

fn html(len: usize) -> Vec<u8> {
    let mut b = b"<!DOCTYPE html>\n<html><head><title>bench</title></head><body>\n".to_vec();
    let mut i = 0u32;
    while b.len() < len {
        b.extend_from_slice(format!("<p id=\"p{i}\">Paragraph {i}: the quick brown fox jumps over the lazy dog.</p>\n").as_bytes());
        i += 1;
    }
    b.truncate(len);
    b
}

fn response_head(status: &str, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n\
         Date: Mon, 23 Nov 2026 12:00:00 GMT\r\n\
         Server: Apache/2.4.62 (Debian)\r\n\
         Cache-Control: max-age=600\r\n\
         ETag: \"5e1-61b2c3d4e5f60\"\r\n\
         {extra}\
         Connection: keep-alive\r\n\
         \r\n"
    )
}

fn get_response() -> Conversation {
    let body = html(16 * 1024);
    let mut resp = response_head("200 OK", &format!("Content-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\n", body.len())).into_bytes();
    resp.extend_from_slice(&body);
    Conversation { parts: vec![(Direction::ToServer, request("/news/article.html?id=4242")), (Direction::ToClient, resp)], txs: 1 }
}

fn pipelined() -> Conversation {
    let mut reqs = Vec::new();
    let mut resps = Vec::new();
    for i in 0..32 {
        reqs.extend_from_slice(&request(&format!("/static/img/icon{i}.png")));
        if i % 2 == 0 {
            resps.extend_from_slice(response_head("304 Not Modified", "").as_bytes());
        } else {
            let body = html(512);
            resps.extend_from_slice(response_head("200 OK", &format!("Content-Type: image/png\r\nContent-Length: {}\r\n", body.len())).as_bytes());
            resps.extend_from_slice(&body);
        }
    }
    Conversation { parts: vec![(Direction::ToServer, reqs), (Direction::ToClient, resps)], txs: 32 }
}

fn chunked_gzip() -> Conversation {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    gz.write_all(&html(64 * 1024)).expect("gzip into a Vec");
    let gz = gz.finish().expect("gzip into a Vec");
    let mut resp = response_head("200 OK", "Content-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n").into_bytes();
    for c in gz.chunks(4096) {
        resp.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        resp.extend_from_slice(c);
        resp.extend_from_slice(b"\r\n");
    }
    resp.extend_from_slice(b"0\r\n\r\n");
    Conversation { parts: vec![(Direction::ToServer, request("/")), (Direction::ToClient, resp)], txs: 1 }
}

/// Feeds the conversation in `CHUNK`-byte pieces; returns the completed transactions.
fn run(conv: &Conversation, cfg: &HttpConfig) -> usize {
    let st = parse(conv, cfg);
    st.txs().filter(|t| t.progress.is_done()).count()
}

fn parse(conv: &Conversation, cfg: &HttpConfig) -> HttpState {
    let mut st = HttpState::new(cfg.clone());
    let ts = Timestamp::from_parts(1_700_000_000, 0);
    for (dir, bytes) in &conv.parts {
        for c in bytes.chunks(CHUNK) {
            black_box(st.on_data(*dir, ts, c));
        }
    }
    st
}

fn bench_http(c: &mut Criterion) {
    let cfg = HttpConfig::default();
    let gz = parse(&chunked_gzip(), &cfg);
    let body = gz.txs().next().map_or(0, |t| t.response_body.len());
    assert_eq!(body, 64 * 1024, "chunked_gzip: the body must be dechunked and decompressed");
    let mut g = c.benchmark_group("http");
    for (name, conv) in [("get_response", get_response()), ("pipelined", pipelined()), ("chunked_gzip", chunked_gzip())] {
        assert_eq!(run(&conv, &cfg), conv.txs, "{name}: every transaction must complete");
        g.throughput(Throughput::Bytes(conv.wire_bytes()));
        g.bench_function(name, |b| b.iter(|| run(&conv, &cfg)));
    }
    g.finish();
}

criterion_group!(benches, bench_http);
criterion_main!(benches);
