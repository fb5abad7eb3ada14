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

/// Signature metadata keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Meta {}

/// Parses one non-payload option. See the module contract.
pub fn parse_keyword(_name: &str, _value: Option<&str>) -> Option<Result<Keyword, KwError>> {
    None
}
