//! The server under test: started by the tool (a config file it writes, a fresh process) or an
//! existing one at a URL.

use crate::cli::TargetArgs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The server under test.
pub struct Target {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its pid, when known (for /proc figures).
    pub pid: Option<u32>,
    /// The group the run uses.
    pub group: u32,
    /// That group's API key.
    pub api_key: String,
    /// The server process, when the tool started it.
    child: Option<Child>,
    /// The folder holding its config and log, when the tool started it.
    pub dir: Option<PathBuf>,
}

impl Target {
    /// Starts a server or attaches to `--url`.
    pub async fn new(args: &TargetArgs, nonce: &str) -> Result<Self, String> {
        match &args.url {
            Some(url) => Self::attach(url, args),
            None => Self::start(args, nonce).await,
        }
    }

    fn attach(url: &str, args: &TargetArgs) -> Result<Self, String> {
        let addr = parse_url(url)?;
        Ok(Self {
            addr,
            pid: args.server_pid,
            group: args.group,
            api_key: args.api_key.clone(),
            child: None,
            dir: None,
        })
    }

    async fn start(args: &TargetArgs, nonce: &str) -> Result<Self, String> {
        let bin = match &args.server_bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()
                .map_err(|e| e.to_string())?
                .with_file_name("presence-server"),
        };
        if !bin.exists() {
            return Err(format!("{} not found: build it (cargo build --release -p presence-server) or pass --server-bin / --url", bin.display()));
        }
        let dir = std::env::temp_dir().join(format!("presence-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let api_key = format!("bench-api-key-{nonce}");
        let config = dir.join("server.toml");
        std::fs::write(&config, config_toml(args, &api_key, nonce))
            .map_err(|e| format!("{}: {e}", config.display()))?;
        let addr_file = dir.join("addr");
        let _ = std::fs::remove_file(&addr_file);
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .arg("--config")
            .arg(&config)
            .args(["--listen", "127.0.0.1:0", "--addr-file"])
            .arg(&addr_file)
            .env(
                "RUST_LOG",
                std::env::var("PRESENCE_BENCH_SERVER_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log2))
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let pid = child.id();
        let addr = wait_for_addr(&addr_file, &dir).await?;
        Ok(Self {
            addr,
            pid,
            group: args.group,
            api_key,
            child: Some(child),
            dir: Some(dir),
        })
    }

    /// Whether the tool started the server.
    pub fn started(&self) -> bool {
        self.child.is_some()
    }

    /// Mints an agent token through the real Authorize endpoint, with a login key made as a
    /// CRM back end makes it.
    pub async fn token(&self, user: &str) -> Result<String, String> {
        let expires = crate::http::unix_now() + 3600;
        let partner = self.group.to_string();
        let request = glance_protocol::AuthorizeRequest {
            partnerid: partner.clone(),
            partneruserid: user.to_owned(),
            loginkey: presence_server::auth::make_login_key(&self.api_key, &partner, user, expires),
        };
        let body = serde_json::to_string(&request).map_err(|e| e.to_string())?;
        let path = format!("/services/AuthorizationService.svc/rest/Authorize?groupid={}&service=presence&duration=120", self.group);
        let (status, reply) = crate::http::post_json(self.addr, &path, &body).await?;
        if status != 200 {
            return Err(format!(
                "Authorize answered {status}: {reply} (wrong --api-key for --group?)"
            ));
        }
        serde_json::from_str::<String>(&reply)
            .map_err(|e| format!("Authorize reply {reply:?}: {e}"))
    }

    /// Stops the server the tool started (SIGTERM: drain, then kill if it lingers).
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(pid) = child.id() {
            // SAFETY: signalling our own child by its pid.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        if tokio::time::timeout(Duration::from_secs(20), child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
    }
}

/// `http://host:port` (or `ws://`) → a socket address.
pub fn parse_url(url: &str) -> Result<SocketAddr, String> {
    let hostport = url
        .trim_start_matches("http://")
        .trim_start_matches("ws://")
        .trim_end_matches('/');
    if url.starts_with("https") || url.starts_with("wss") {
        return Err("the bench speaks plain ws:// only; point it at an http:// listener".into());
    }
    std::net::ToSocketAddrs::to_socket_addrs(hostport)
        .map_err(|e| format!("{url}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: no address"))
}

fn config_toml(args: &TargetArgs, api_key: &str, nonce: &str) -> String {
    // Generous per-connection rate limits: the load must not be rate-limited (§6 defaults are for
    // browsers, 20/s). The tool is one client: every socket comes from 127.0.0.1 and all its
    // agents share one token, so the per-address connection cap (1,000 by default, an office
    // behind one NAT) and the per-token caps (for one person's tabs) are lifted. The tool's agents
    // are a program, not a page: they send no `Origin`, which the group must allow. Everything
    // else is the server's default.
    format!(
        "jwt_secret = \"bench-secret-{nonce}\"\n\
         \n[timings]\nkeepalive = {keepalive:?}\ngrace = {grace:?}\nhold = {grace:?}\n\
         \n[limits]\nrate = 1000.0\nburst = 2000.0\nconnections_per_address = 1000000\n\
         agent_sockets_per_token = 1000000\nrequests_per_token = 1000000\n\
         \n[[groups]]\nid = {group}\napi_key = \"{api_key}\"\nallow_no_origin = true\n{extra}",
        keepalive = args.keepalive,
        grace = args.grace,
        group = args.group,
        extra = args.extra_toml,
    )
}

async fn wait_for_addr(addr_file: &Path, dir: &Path) -> Result<SocketAddr, String> {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if let Ok(text) = std::fs::read_to_string(addr_file) {
            if let Ok(addr) = text.trim().parse() {
                return Ok(addr);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "the server did not start: see {}",
        dir.join("server.log").display()
    ))
}
