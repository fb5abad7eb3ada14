//! TCP stream reassembly (issue: streams and HTTP).
