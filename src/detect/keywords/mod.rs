//! One keyword, one file: option parser, compiled matcher, doc anchor and unit tests together.
//! This module holds the registry of *non-payload* keywords and the contract between them and
//! the rule compiler (`detect::compile`).
//!
//! Contract (compiler side): for every option of a rule the compiler first handles the payload
//! keywords it owns itself (content and its modifiers, pcre, byte_*, isdataat, dsize, bsize,
//! sticky buffers, fast_pattern, ...). Every other option is handed to [`parse_keyword`]:
//! - `None`: not a keyword this registry knows; the compiler refuses the rule
//!   ("unknown keyword") unless it knows it itself.
//! - `Some(Err(e))`: the rule is refused (`e.refused`: valid but unsupported) or invalid.
//! - `Some(Ok(kw))`: one [`Keyword`] to attach to the signature.
//!
//! Evaluation order for a signature: all [`Cond`]s (cheap header/flow checks) first, then the
//! payload chain, then on a full match the [`PostMatch`] actions are applied to the flow, then
//! the threshold decides whether an alert is emitted (Suricata applies flowbit side effects even
//! when a threshold suppresses the alert).
//! (Owned by the packet-keyword work; this stub is replaced.)

// payload keywords (engine)
pub mod content;
pub mod pcre;
pub mod byte_extract;
pub mod byte_test;
pub mod byte_jump;
pub mod byte_math;
pub mod isdataat;
pub mod dsize;
pub mod bsize;

use crate::decode::Packet;
use crate::flow::{Direction, Flow};

/// An option parser's refusal or error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KwError {
    /// The keyword.
    pub keyword: String,
    /// A one-line reason.
    pub reason: String,
    /// `true`: syntactically fine but not supported yet (a "refused" rule); `false`: invalid.
    pub refused: bool,
}

/// What a non-payload keyword compiles to.
#[derive(Clone, Debug)]
pub enum Keyword {
    /// A condition on the packet and its flow, checked before payload inspection.
    Cond(Cond),
    /// A side effect applied when the whole rule matched (flowbits set/unset/toggle, flowint
    /// arithmetic).
    Post(PostMatch),
    /// threshold / detection_filter.
    Threshold(ThresholdSpec),
    /// Signature metadata (msg, sid, rev, gid, classtype, priority, reference, metadata,
    /// target, noalert, flowbits:noalert).
    Meta(Meta),
}

/// A compiled condition. (The real list is filled by the packet-keyword work.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cond {}

impl Cond {
    /// Whether the condition holds for `p` in `flow` (with `p`'s direction).
    pub fn matches(&self, _p: &Packet<'_>, _flow: Option<(&Flow, Direction)>) -> bool {
        match *self {}
    }
}

/// A compiled side effect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PostMatch {}

impl PostMatch {
    /// Applies the effect to the flow.
    pub fn apply(&self, _flow: &mut Flow) {
        match *self {}
    }
}

/// threshold / detection_filter settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThresholdSpec {}

/// Per-worker threshold state (one per worker, lives in `DetectCtx`; survives rule reloads
/// because it is keyed by gid:sid).
#[derive(Debug, Default)]
pub struct ThresholdTable {}

impl ThresholdTable {
    /// Records one match of signature `gid:sid` (with `spec`) on `p` and says whether an alert
    /// may be emitted for it. For `detection_filter`, `false` also means the rule's actions
    /// other than flowbits do not apply yet.
    pub fn allow(&mut self, _spec: &ThresholdSpec, _gid: u32, _sid: u32, _p: &Packet<'_>) -> bool {
        true
    }
}

/// Signature metadata keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {
    /// msg (quotes removed, escapes resolved).
    Msg(String),
    /// sid.
    Sid(u32),
    /// rev.
    Rev(u32),
    /// gid.
    Gid(u32),
    /// classtype name (resolved against classification.config by the compiler).
    Classtype(String),
    /// priority.
    Priority(u8),
    /// reference: (system, id).
    Reference(String, String),
    /// metadata: key/value pairs in order (`metadata:a b, c d;` -> [(a,b),(c,d)]).
    Metadata(Vec<(String, String)>),
    /// target:src_ip|dest_ip.
    Target(crate::detect::Target),
    /// noalert, or flowbits:noalert: the rule matches (side effects apply) but never alerts.
    NoAlert,
}

/// Parses one non-payload option. See the module contract.
pub fn parse_keyword(_name: &str, _value: Option<&str>) -> Option<Result<Keyword, KwError>> {
    None
}
