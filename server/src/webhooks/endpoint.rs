//! A configured endpoint as the engine uses it: a stable id, the parsed URL, the secrets and
//! the event filter.

use super::event::EventFilter;
use super::settings::EndpointConfig;
use super::sign::Secret;
use super::ssrf::check_url;
use glance_protocol::GroupId;
use sha2::{Digest, Sha256};

/// One endpoint of one group.
#[derive(Debug)]
pub struct Endpoint {
    /// `g<group>-<hash of the URL>`: names its outbox and its metrics, the same on every start
    /// and every node.
    pub id: String,
    /// The group.
    pub group: GroupId,
    /// Where to POST.
    pub url: reqwest::Url,
    /// Signing secrets (two during a rotation).
    pub secrets: Vec<Secret>,
    /// Which events it gets.
    pub filter: EventFilter,
}

impl Endpoint {
    /// Checks and builds endpoint `n` of `group`.
    pub fn new(
        group: GroupId,
        config: &EndpointConfig,
        allow_private: bool,
    ) -> Result<Self, String> {
        let at = |e: String| format!("group {group} webhook {}: {e}", config.url);
        let url = check_url(&config.url, allow_private).map_err(|e| at(e.to_string()))?;
        let mut secrets = Vec::new();
        for text in config.secret.iter().chain(&config.secrets) {
            secrets.push(Secret::parse(text).map_err(|e| at(e.to_string()))?);
        }
        if secrets.is_empty() || secrets.len() > 2 {
            return Err(at("needs a secret (two during a rotation, no more)".into()));
        }
        let filter = EventFilter::parse(config.events.as_deref()).map_err(at)?;
        let digest = Sha256::digest(url.as_str().as_bytes());
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            id: format!("g{group}-{hash}"),
            group,
            url,
            secrets,
            filter,
        })
    }
}
