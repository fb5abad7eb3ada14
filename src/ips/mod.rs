//! Inline verdicts: NFQUEUE queues (`nfqueue.rs`, driven by `pipeline::live`) and the active
//! responses of reject rules (`reject.rs`).

pub mod nfqueue;
pub mod reject;
