//! Building a new detect engine off the packet path and publishing it atomically.
