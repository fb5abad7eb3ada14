//! Rampart: a network IDS/IPS engine that reads Suricata's rule language and writes
//! Suricata's EVE JSON.
//!
//! # Life of a packet
//! 1. A [`capture::PacketSource`] fills a [`capture::Frame`] (pcap file, live interface).
//! 2. The [`pipeline`] dispatcher hashes the frame's flow symmetrically to a worker.
//! 3. The worker [`decode`]s it zero-copy into a [`decode::Packet`], finds its
//!    [`flow::Flow`] in its own flow table, and hands both to the shared, immutable
//!    [`detect::DetectEngine`] with its per-worker [`detect::DetectCtx`].
//! 4. Alerts, flow ends, anomalies and stats become EVE JSON lines ([`output`]).
//!
//! Stages only depend on stages to their left:
//! `capture → decode → flow → stream → applayer → detect → output`.

#![deny(unsafe_code)]

pub mod time;
pub mod capture;
pub mod decode;
pub mod defrag;
pub mod flow;
pub mod stream;
pub mod applayer;
pub mod detect;
pub mod output;
pub mod config;
pub mod pipeline;
pub mod reload;
pub mod control;
pub mod ips;
