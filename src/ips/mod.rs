//! Inline verdicts (NFQUEUE).
