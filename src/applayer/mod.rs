//! Application-layer protocol detection and parsers (issues: streams/HTTP and TLS/DNS/...).
