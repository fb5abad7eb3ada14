//! The multi-pattern prefilter: one database per rule group and buffer (Hyperscan, with
//! aho-corasick as the fallback when built without libhs).
