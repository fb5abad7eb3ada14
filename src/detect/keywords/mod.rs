//! One keyword, one file: option parser, compiled matcher, doc anchor and unit tests together.
//! This module holds the registry table.
