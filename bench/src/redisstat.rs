//! What the cluster's Redis did during a run (`--redis`): `INFO commandstats` and `INFO stats`
//! read over a plain RESP connection at the same points as the server's `/proc` figures.

use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One reading of Redis.
#[derive(Debug, Clone)]
pub struct RedisSample {
    /// `cmdstat_<name>` → calls.
    pub calls: BTreeMap<String, u64>,
    /// `total_net_input_bytes` (bytes Redis received from all clients).
    pub net_in: u64,
    /// `total_net_output_bytes` (bytes Redis sent, pub/sub messages included).
    pub net_out: u64,
    /// When it was taken.
    pub at: Instant,
}

/// The change between two readings (the `info` calls of the readings themselves left out).
#[derive(Debug, Clone, Serialize)]
pub struct RedisDelta {
    /// Commands by name.
    pub calls: BTreeMap<String, u64>,
    /// All commands.
    pub total_calls: u64,
    /// Bytes into Redis.
    pub net_in_bytes: u64,
    /// Bytes out of Redis.
    pub net_out_bytes: u64,
    /// Seconds between the readings.
    pub wall_secs: f64,
}

impl RedisDelta {
    /// From `a` to `b`.
    pub fn between(a: &RedisSample, b: &RedisSample) -> Self {
        let calls: BTreeMap<String, u64> = b
            .calls
            .iter()
            .filter(|(k, _)| k.as_str() != "info")
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.saturating_sub(a.calls.get(k).copied().unwrap_or(0)),
                )
            })
            .filter(|(_, v)| *v > 0)
            .collect();
        Self {
            total_calls: calls.values().sum(),
            calls,
            net_in_bytes: b.net_in.saturating_sub(a.net_in),
            net_out_bytes: b.net_out.saturating_sub(a.net_out),
            wall_secs: b.at.duration_since(a.at).as_secs_f64(),
        }
    }
}

/// Redis over a run.
#[derive(Debug, Clone, Serialize)]
pub struct RedisFigures {
    /// The 2 s settle window with every socket open and no load: the cluster's background
    /// (heartbeats, reaper) rate.
    pub idle_window: RedisDelta,
    /// The connect phase (every socket opened, agents' watches set up).
    pub connecting: RedisDelta,
    /// The timed part.
    pub active: RedisDelta,
}

/// `--redis redis://host:port` or `host:port` → address.
pub fn parse(url: &str) -> Result<SocketAddr, String> {
    let hostport = url.trim_start_matches("redis://").trim_end_matches('/');
    let hostport = hostport.rsplit('@').next().unwrap_or(hostport);
    std::net::ToSocketAddrs::to_socket_addrs(hostport)
        .map_err(|e| format!("--redis {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("--redis {url}: no address"))
}

/// Reads `INFO commandstats` and `INFO stats`. `None` when Redis does not answer.
pub async fn sample(addr: SocketAddr) -> Option<RedisSample> {
    tokio::time::timeout(Duration::from_secs(5), read(addr))
        .await
        .ok()?
        .ok()
}

async fn read(addr: SocketAddr) -> std::io::Result<RedisSample> {
    let mut stream = BufReader::new(TcpStream::connect(addr).await?);
    let mut text = String::new();
    for section in ["commandstats", "stats"] {
        stream
            .get_mut()
            .write_all(format!("INFO {section}\r\n").as_bytes())
            .await?;
        let mut header = String::new();
        stream.read_line(&mut header).await?;
        let len: usize = header
            .trim()
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("unexpected reply {header:?}")))?;
        let mut body = vec![0u8; len + 2];
        stream.read_exact(&mut body).await?;
        text.push_str(&String::from_utf8_lossy(&body));
    }
    let at = Instant::now();
    let mut s = RedisSample {
        calls: BTreeMap::new(),
        net_in: 0,
        net_out: 0,
        at,
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("cmdstat_") {
            // cmdstat_evalsha:calls=12,usec=...
            if let Some((name, fields)) = rest.split_once(':') {
                let calls = fields
                    .split(',')
                    .find_map(|f| f.strip_prefix("calls="))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                s.calls.insert(name.to_owned(), calls);
            }
        } else if let Some(v) = line.strip_prefix("total_net_input_bytes:") {
            s.net_in = v.trim().parse().unwrap_or(0);
        } else if let Some(v) = line.strip_prefix("total_net_output_bytes:") {
            s.net_out = v.trim().parse().unwrap_or(0);
        }
    }
    Ok(s)
}
