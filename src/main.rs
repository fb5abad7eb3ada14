//! The `rampart` command: parses arguments, loads config and rules, starts the pipeline.
//! (Owned by the CLI work; this stub is replaced.)

fn main() {
    println!("rampart {}", env!("CARGO_PKG_VERSION"));
}
