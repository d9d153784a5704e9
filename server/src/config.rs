//! Server configuration (§7): a TOML file, overridden by flags and `PRESENCE_*` environment
//! variables. With nothing at all the server runs on the embedded default.

use crate::origin::OriginPattern;
use crate::webhooks::settings::{EndpointConfig, WebhookSettings};
use glance_protocol::{GroupId, PresenceLimits};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The API key of the demo group when none is configured. Printed at startup; never use it in
/// production (configure `[[groups]]`).
pub const DEMO_API_KEY: &str = "demo-api-key-12345";
/// The demo group of the embedded default.
pub const DEMO_GROUP: u32 = 12345;

/// A configuration error: a clear message and no partial start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("invalid configuration {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: toml::de::Error,
    },
    /// A value is out of range.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The whole configuration, as read from TOML. Every field has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `host[:port]` told to clients as `presenceUrl` / `directserver`; unset: the request's Host.
    pub public_host: Option<String>,
    /// Secret for HS256 tokens; unset: random per start (one node only).
    pub jwt_secret: Option<String>,
    /// Static pages served at `/`.
    pub www: Option<PathBuf>,
    /// The built browser modules, served at `/`: `glance-presence.js` (full) and
    /// `glance-presence-visitor.js` (visitor-only), each with its `.wasm` and the precompressed
    /// `.br` / `.gz` siblings scripts/build-module.sh writes.
    pub module_dir: Option<PathBuf>,
    /// TLS, optional.
    pub tls: Option<TlsConfig>,
    /// Time rules.
    pub timings: Timings,
    /// Size and rate limits.
    pub limits: Limits,
    /// The groups; empty: the demo group.
    pub groups: Vec<GroupConfig>,
    /// Cluster backend, optional.
    pub cluster: Option<ClusterConfig>,
    /// Webhook delivery (`[webhooks]`; endpoints are per group).
    pub webhooks: WebhookSettings,
    /// Log as JSON lines instead of text.
    pub log_json: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            public_host: None,
            jwt_secret: None,
            www: Some(PathBuf::from("www")),
            module_dir: Some(PathBuf::from("dist")),
            tls: None,
            timings: Timings::default(),
            limits: Limits::default(),
            groups: Vec::new(),
            cluster: None,
            webhooks: WebhookSettings::default(),
            log_json: false,
        }
    }
}

/// `[tls]`: a certificate and key (PEM), or a generated self-signed one for development.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// Certificate chain, PEM.
    pub cert: Option<PathBuf>,
    /// Private key, PEM.
    pub key: Option<PathBuf>,
    /// Generate a self-signed certificate for localhost at start.
    pub self_signed: bool,
}

/// `[timings]`, in seconds (fractions allowed, for tests).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timings {
    /// Seconds between client keepalives, told in `connected`.
    pub keepalive: f64,
    /// Navigation grace before `visitorconn false`.
    pub grace: f64,
    /// How long signals for an absent visitor are held.
    pub hold: f64,
    /// Longest a hidden connection stays open.
    pub hidden_limit: f64,
    /// Lifetime of a unique visitor id unless extended.
    pub unique_timeout: f64,
    /// Added to 2 × keepalive to get the liveness window (10 in the spec; short in tests).
    pub liveness_slack: f64,
    /// Time for a new socket to send `connect`.
    pub connect_timeout: f64,
    /// Time to wait for clients to leave when draining.
    pub drain: f64,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            keepalive: 25.0,
            grace: 5.0,
            hold: 5.0,
            hidden_limit: 600.0,
            unique_timeout: 300.0,
            liveness_slack: 10.0,
            connect_timeout: 10.0,
            drain: 10.0,
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

impl Timings {
    /// Keepalive interval.
    pub fn keepalive(&self) -> Duration {
        secs(self.keepalive)
    }
    /// A connection silent for longer is dead: 2 × keepalive + 10 s (the slack).
    pub fn liveness(&self) -> Duration {
        secs(self.keepalive * 2.0 + self.liveness_slack)
    }
    /// Navigation grace.
    pub fn grace(&self) -> Duration {
        secs(self.grace)
    }
    /// Signal hold window.
    pub fn hold(&self) -> Duration {
        secs(self.hold)
    }
    /// Hidden limit.
    pub fn hidden_limit(&self) -> Duration {
        secs(self.hidden_limit)
    }
    /// Unique id lifetime.
    pub fn unique_timeout(&self) -> Duration {
        secs(self.unique_timeout)
    }
    /// Time allowed for the `connect` frame.
    pub fn connect_timeout(&self) -> Duration {
        secs(self.connect_timeout)
    }
    /// Drain deadline.
    pub fn drain(&self) -> Duration {
        secs(self.drain)
    }
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest frame, bytes.
    pub max_frame: usize,
    /// Frames per second per connection, sustained.
    pub rate: f64,
    /// Frames a connection may send in a burst.
    pub burst: f64,
    /// Outbound frames queued per connection before it is cut off as too slow.
    pub outbound_queue: usize,
    /// Signals held per absent visitor.
    pub held_signals: usize,
    /// Presence properties.
    pub max_properties: usize,
    /// Presence property name length.
    pub max_name: usize,
    /// Presence value length.
    pub max_value: usize,
    /// Presence map length (names + values).
    pub max_total: usize,
    /// Agents watching one visitor.
    pub agents_per_visitor: usize,
    /// Sockets of one visitor.
    pub sockets_per_visitor: usize,
    /// Seconds for a request's head to arrive whole (from the connection's start, or from the
    /// previous response on a kept-alive connection); then the connection is closed.
    pub header_timeout: f64,
    /// Seconds a new connection may stay silent (not one byte) before it is closed.
    pub idle_timeout: f64,
    /// Seconds for a request to be read, body included, and answered: 408 after.
    pub body_timeout: f64,
    /// Largest request body of the endpoints that take one (`Authorize`, `/signalvisitor`),
    /// bytes; checked against `Content-Length` before reading: 413.
    pub max_body: usize,
    /// Largest body of the endpoints that take none (`POST /presence` sends `{}`), bytes.
    pub ignored_body: usize,
    /// TCP connections from one address (offices behind one NAT share one).
    pub connections_per_address: u32,
    /// TCP connections in all; 0: as many as the process's file limit allows, less a reserve.
    /// Always kept below that.
    pub max_connections: usize,
    /// Agent sockets one agent token may hold open (per node).
    pub agent_sockets_per_token: usize,
    /// REST calls one agent token may have in progress at once (per node): 429 beyond.
    pub requests_per_token: usize,
    /// Visitors in a `/query` page when the request names no `limit`.
    pub query_page: usize,
    /// Largest `limit` of a `/query` page.
    pub query_page_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let p = PresenceLimits::default();
        Self {
            max_frame: glance_protocol::MAX_FRAME_BYTES,
            rate: 20.0,
            burst: 40.0,
            outbound_queue: 256,
            held_signals: 32,
            max_properties: p.max_properties,
            max_name: p.max_name,
            max_value: p.max_value,
            max_total: p.max_total,
            agents_per_visitor: 64,
            sockets_per_visitor: 16,
            header_timeout: 10.0,
            idle_timeout: 5.0,
            body_timeout: 10.0,
            max_body: glance_protocol::MAX_FRAME_BYTES,
            ignored_body: 1024,
            connections_per_address: 1000,
            max_connections: 0,
            agent_sockets_per_token: 32,
            requests_per_token: 8,
            query_page: 100,
            query_page_max: 1000,
        }
    }
}

impl Limits {
    /// Header-read timeout.
    pub fn header_timeout(&self) -> Duration {
        secs(self.header_timeout)
    }
    /// Idle timeout of a new connection.
    pub fn idle_timeout(&self) -> Duration {
        secs(self.idle_timeout)
    }
    /// Request (body) deadline.
    pub fn body_timeout(&self) -> Duration {
        secs(self.body_timeout)
    }

    /// The presence limits.
    pub fn presence(&self) -> PresenceLimits {
        PresenceLimits {
            max_properties: self.max_properties,
            max_name: self.max_name,
            max_value: self.max_value,
            max_total: self.max_total,
        }
    }
}

/// `[[groups]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// The group id.
    pub id: u32,
    /// Secret for login keys.
    pub api_key: String,
    /// Origins allowed to use the agent API (`https://crm.example.com`, `http://localhost:*`).
    /// Unset: the server's own origins: localhost on any port, `public_host`, and the listen
    /// address when it is a specific one (never the request's `Host`).
    #[serde(default)]
    pub agent_origins: Option<Vec<String>>,
    /// Let agent WebSockets without an `Origin` header in (non-browser integrations; their token
    /// still decides). Default false: a socket without `Origin` is refused with 4403.
    #[serde(default)]
    pub allow_no_origin: bool,
    /// Terms URL shown in the terms dialog.
    #[serde(default)]
    pub terms_url: Option<String>,
    /// Presence on for this group.
    #[serde(default = "yes")]
    pub presence: bool,
    /// Webhook endpoints (`[[groups.webhooks]]`).
    #[serde(default)]
    pub webhooks: Vec<EndpointConfig>,
}

fn yes() -> bool {
    true
}

/// `[cluster]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Redis URL; set: state is shared through Redis.
    pub redis_url: Option<String>,
    /// This node's name.
    pub node_name: Option<String>,
}

/// A group as the server uses it.
#[derive(Debug, Clone)]
pub struct Group {
    /// The id.
    pub id: GroupId,
    /// Secret for login keys.
    pub api_key: String,
    /// Allowed agent origins; `None`: the server's own origins.
    pub agent_origins: Option<Vec<OriginPattern>>,
    /// Agent WebSockets without `Origin` are let in.
    pub allow_no_origin: bool,
    /// Terms URL.
    pub terms_url: Option<String>,
    /// Presence on.
    pub presence: bool,
}

impl Config {
    /// Reads a TOML file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })
    }

    /// The configured groups, or the demo group when there are none.
    pub fn groups(&self) -> Result<HashMap<GroupId, Group>, ConfigError> {
        if self.groups.is_empty() {
            let id = GroupId::new(DEMO_GROUP).map_err(|e| ConfigError::Invalid(e.to_string()))?;
            let demo = Group {
                id,
                api_key: DEMO_API_KEY.into(),
                agent_origins: None,
                allow_no_origin: false,
                terms_url: None,
                presence: true,
            };
            return Ok(HashMap::from([(id, demo)]));
        }
        let mut out = HashMap::new();
        for g in &self.groups {
            let id = GroupId::new(g.id)
                .map_err(|e| ConfigError::Invalid(format!("group {}: {e}", g.id)))?;
            if g.api_key.len() < 8 {
                return Err(ConfigError::Invalid(format!(
                    "group {id}: api_key must be at least 8 characters"
                )));
            }
            let agent_origins = match &g.agent_origins {
                None => None,
                Some(list) => Some(
                    list.iter()
                        .map(|o| {
                            OriginPattern::parse(o)
                                .map_err(|e| ConfigError::Invalid(format!("group {id}: {e}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            let group = Group {
                id,
                api_key: g.api_key.clone(),
                agent_origins,
                allow_no_origin: g.allow_no_origin,
                terms_url: g.terms_url.clone(),
                presence: g.presence,
            };
            if out.insert(id, group).is_some() {
                return Err(ConfigError::Invalid(format!(
                    "group {id} is configured twice"
                )));
            }
        }
        Ok(out)
    }

    /// Checks ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let t = &self.timings;
        for (name, v) in [
            ("keepalive", t.keepalive),
            ("grace", t.grace),
            ("hold", t.hold),
            ("hidden_limit", t.hidden_limit),
            ("unique_timeout", t.unique_timeout),
            ("liveness_slack", t.liveness_slack),
            ("connect_timeout", t.connect_timeout),
            ("drain", t.drain),
        ] {
            if !(v.is_finite() && (0.0..=86_400.0).contains(&v)) {
                return Err(ConfigError::Invalid(format!(
                    "timings.{name} must be 0..86400 seconds"
                )));
            }
        }
        if t.keepalive < 1.0 {
            return Err(ConfigError::Invalid(
                "timings.keepalive must be at least 1 second".into(),
            ));
        }
        let l = &self.limits;
        if l.outbound_queue == 0
            || !(l.rate.is_finite() && l.rate > 0.0)
            || !(l.burst.is_finite() && l.burst >= 1.0)
            || l.max_frame < 1024
            || l.held_signals == 0
        {
            return Err(ConfigError::Invalid(
                "limits: outbound_queue, rate, burst, max_frame and held_signals must be positive"
                    .into(),
            ));
        }
        if let Some(h) = &self.public_host {
            if OriginPattern::parse(&format!("https://{h}")).is_err() || h.contains('*') {
                return Err(ConfigError::Invalid(format!(
                    "public_host '{h}' must be host[:port]"
                )));
            }
        }
        for (name, v) in [
            ("header_timeout", l.header_timeout),
            ("idle_timeout", l.idle_timeout),
            ("body_timeout", l.body_timeout),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 3_600.0) {
                return Err(ConfigError::Invalid(format!(
                    "limits.{name} must be above 0 and at most 3600 seconds"
                )));
            }
        }
        if l.connections_per_address == 0
            || l.agent_sockets_per_token == 0
            || l.requests_per_token == 0
            || l.query_page == 0
            || l.query_page_max < l.query_page
        {
            return Err(ConfigError::Invalid(
                "limits: connections_per_address, agent_sockets_per_token, requests_per_token \
                 and query_page must be positive, query_page_max at least query_page"
                    .into(),
            ));
        }
        self.groups()?;
        crate::webhooks::endpoints(self).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Ok(())
    }
}
