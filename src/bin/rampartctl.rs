//! `rampartctl`: sends one command to a running Rampart's control socket, like Suricata's
//! `suricatasc -c COMMAND [SOCKET]`, and prints the JSON reply.
//!
//! ```text
//! rampartctl reload-rules
//! rampartctl -c ruleset-stats /var/run/rampart/rampart-command.socket
//! rampartctl --socket /tmp/r.sock dump-counters
//! ```
//! Exit codes: 0 for an `OK` reply, 1 for `NOK`, 2 when the socket cannot be reached or the
//! reply is not JSON.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(name = "rampartctl", version, about = "Send a command to Rampart's control socket (suricatasc protocol)")]
struct Args {
    /// The command (e.g. reload-rules, ruleset-stats, dump-counters, uptime, shutdown).
    #[arg(short = 'c', long = "command", value_name = "COMMAND")]
    command: Option<String>,
    /// Socket path (default /var/run/rampart/rampart-command.socket).
    #[arg(long = "socket", value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Seconds to wait for the reply (a blocking reload of a large ruleset takes a while).
    #[arg(long = "timeout", value_name = "SECS", default_value_t = 600)]
    timeout: u64,
    /// `COMMAND [SOCKET]` when -c is not given, `[SOCKET]` when it is (suricatasc's order).
    #[arg(value_name = "ARGS")]
    rest: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut rest = args.rest.into_iter();
    let Some(command) = args.command.or_else(|| rest.next()) else {
        eprintln!("rampartctl: give a command (see `rampartctl -c command-list`)");
        return ExitCode::from(2);
    };
    let socket = args.socket.or_else(|| rest.next().map(PathBuf::from)).unwrap_or_else(|| rampart::control::socket_path(None));
    match rampart::control::send_command(&socket, &command, None, Duration::from_secs(args.timeout.max(1))) {
        Ok(reply) => {
            println!("{reply}");
            if reply.get("return").and_then(|r| r.as_str()) == Some("OK") {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("rampartctl: {}: {e}", socket.display());
            ExitCode::from(2)
        }
    }
}
