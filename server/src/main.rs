//! `presence-server`: flags, logging, start, and drain on SIGTERM / Ctrl-C.

use clap::Parser;
use presence_server::cli::Cli;
use presence_server::config::{DEMO_API_KEY, DEMO_GROUP};
use std::io::Read;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(tool) = &cli.tool {
        let mut stdin = String::new();
        if matches!(tool, presence_server::cli::Tool::WebhookVerify { .. }) {
            // A captured request is small; a read error leaves it empty (then it does not verify).
            let _ = std::io::stdin().take(1 << 20).read_to_string(&mut stdin);
        }
        let (text, ok) = tool.run(&stdin);
        println!("{text}");
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    let config = match cli.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("presence-server: {e}");
            return ExitCode::from(2);
        }
    };
    presence_server::logging::init(config.log_json);
    let demo = config.groups.is_empty();
    let server = match presence_server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            eprintln!("presence-server: {e}");
            return ExitCode::from(1);
        }
    };
    let url = server.http_url();
    tracing::info!(addr = %server.addr(), "listening");
    println!("presence-server listening on {url}");
    if demo {
        println!("  embedded default: demo group {DEMO_GROUP}, demo API key \"{DEMO_API_KEY}\" (configure [[groups]] for production)");
        println!("  agent console: {url}/console/   visitor site: {url}/site/");
    }
    if let Some(path) = &cli.addr_file {
        if let Err(e) = std::fs::write(path, server.addr().to_string()) {
            tracing::error!(error = %e, path = %path.display(), "cannot write the address file");
        }
    }
    presence_server::shutdown::signal().await;
    server.drain().await;
    ExitCode::SUCCESS
}
