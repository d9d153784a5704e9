//! `presence-bench`: a load tool for the presence server that speaks the real wire protocol
//! (the `glance-protocol` crate) over real sockets.
//!
//! Six scenarios (`idle`, `relay`, `signal`, `churn`, `soak`, `webhooks`) run against a server the tool starts (or
//! `--url`). The tool's sockets live in worker processes (`presence-bench worker`, re-executed
//! from this binary) because each process is capped at 20,000 open files. Prints a table and
//! JSON; exits 1 when a correctness check fails (lost or duplicated deliveries, flaps, missing
//! acks), 2 when the run could not be made. Speed targets are reported, never enforced.

mod cli;
mod client;
mod clock;
mod figures;
mod http;
mod latency;
mod plan;
mod procstat;
mod redisstat;
mod report;
mod run;
mod scenario;
mod spawn;
mod target;
mod timeline;
mod verdict;
mod worker;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (json_path, outcome) = match &cli.command {
        Command::Worker => return worker::main(),
        Command::Idle(a) => (a.target.json.clone(), coordinate(scenario::idle::run(a))),
        Command::Relay(a) => (a.target.json.clone(), coordinate(scenario::relay::run(a))),
        Command::Signal(a) => (a.target.json.clone(), coordinate(scenario::signal::run(a))),
        Command::Churn(a) => (a.target.json.clone(), coordinate(scenario::churn::run(a))),
        Command::Soak(a) => (a.target.json.clone(), coordinate(scenario::soak::run(a))),
        Command::Webhooks(a) => (
            a.target.json.clone(),
            coordinate(scenario::webhooks::run(a)),
        ),
    };
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            eprintln!("presence-bench: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", report.table());
    // A report is plain data: serializing cannot fail.
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    match json_path {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, &json) {
                eprintln!("presence-bench: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        None => println!("{json}"),
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        eprintln!("presence-bench: correctness check failed");
        ExitCode::from(1)
    }
}

/// Runs a coordinator future on a small runtime (the coordinator holds no load sockets).
fn coordinate<F: std::future::Future<Output = Result<report::Report, String>>>(
    f: F,
) -> Result<report::Report, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(f)
}
