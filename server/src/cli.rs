//! Command-line flags and `PRESENCE_*` environment variables; they override the TOML file.

use crate::config::{Config, ConfigError, TlsConfig};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// `presence-server [--config FILE] [flags]`
#[derive(Debug, Parser)]
#[command(
    name = "presence-server",
    version,
    about = "Self-hosted presence server"
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "PRESENCE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on (e.g. 0.0.0.0:8080, 127.0.0.1:0).
    #[arg(long, env = "PRESENCE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// host[:port] told to clients.
    #[arg(long, env = "PRESENCE_PUBLIC_HOST")]
    pub public_host: Option<String>,
    /// Secret for tokens (all nodes of a cluster must share it).
    #[arg(long, env = "PRESENCE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Static pages to serve at /.
    #[arg(long, env = "PRESENCE_WWW")]
    pub www: Option<PathBuf>,
    /// Folder holding glance-presence.js, glance-presence-visitor.js and their .wasm.
    #[arg(long, env = "PRESENCE_MODULE_DIR")]
    pub module_dir: Option<PathBuf>,
    /// TLS certificate chain (PEM).
    #[arg(long, env = "PRESENCE_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "PRESENCE_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a generated self-signed certificate (development).
    #[arg(long, env = "PRESENCE_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,
    /// Redis URL for a cluster.
    #[arg(long, env = "PRESENCE_REDIS_URL")]
    pub redis_url: Option<String>,
    /// This node's name in a cluster.
    #[arg(long, env = "PRESENCE_NODE_NAME")]
    pub node_name: Option<String>,
    /// Write the bound address here once listening.
    #[arg(long, env = "PRESENCE_ADDR_FILE")]
    pub addr_file: Option<PathBuf>,
    /// Log JSON lines.
    #[arg(long, env = "PRESENCE_LOG_JSON")]
    pub log_json: bool,
    /// A tool instead of the server.
    #[command(subcommand)]
    pub tool: Option<Tool>,
}

/// `presence-server <tool>`: helpers for webhook endpoints (docs/WEBHOOKS.md).
#[derive(Debug, Subcommand)]
pub enum Tool {
    /// Check a captured webhook request (raw HTTP on standard input) against a secret.
    WebhookVerify {
        /// The endpoint's secret, `whsec_...`.
        #[arg(long, env = "PRESENCE_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// Skip the 5-minute timestamp check (for a request saved earlier).
        #[arg(long)]
        any_time: bool,
    },
    /// Print a fresh endpoint secret (`whsec_` + 32 random bytes in base64).
    WebhookSecret,
}

impl Tool {
    /// Runs the tool: what to print, and whether it succeeded.
    pub fn run(&self, stdin: &str) -> (String, bool) {
        use crate::webhooks::{sign::Secret, verify::verify_request};
        match self {
            Tool::WebhookSecret => (Secret::generate(), true),
            Tool::WebhookVerify { secret, any_time } => {
                let now = (!any_time).then(crate::http::unix_now);
                match verify_request(stdin, secret, now) {
                    Ok(v) => (format!("valid: {}\n{}", v.id, v.body), true),
                    Err(e) => (format!("invalid: {e}"), false),
                }
            }
        }
    }
}

impl Cli {
    /// The configuration: the file (or defaults), then these overrides.
    pub fn config(&self) -> Result<Config, ConfigError> {
        let mut c = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(v) = self.listen {
            c.listen = v;
        }
        if let Some(v) = &self.public_host {
            c.public_host = Some(v.clone());
        }
        if let Some(v) = &self.jwt_secret {
            c.jwt_secret = Some(v.clone());
        }
        if let Some(v) = &self.www {
            c.www = Some(v.clone());
        }
        if let Some(v) = &self.module_dir {
            c.module_dir = Some(v.clone());
        }
        if self.tls_cert.is_some() || self.tls_key.is_some() || self.tls_self_signed {
            c.tls = Some(TlsConfig {
                cert: self.tls_cert.clone(),
                key: self.tls_key.clone(),
                self_signed: self.tls_self_signed,
            });
        }
        if self.redis_url.is_some() || self.node_name.is_some() {
            let cluster = c.cluster.get_or_insert_with(Default::default);
            if let Some(v) = &self.redis_url {
                cluster.redis_url = Some(v.clone());
            }
            if let Some(v) = &self.node_name {
                cluster.node_name = Some(v.clone());
            }
        }
        c.log_json |= self.log_json;
        Ok(c)
    }
}
