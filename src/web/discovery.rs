//! Finding the servers (§4.1, §4.3, §4.4): the presence host from the visitor-settings service,
//! then the socket host from `/presence` (visitor) or `/findvisitor` (agent).

use crate::core::action::Resolved;
use crate::core::origin::ServiceOrigin;
use crate::core::ResolveError;
use crate::web::http::{Reply, Request};
use crate::web::token_store;
use glance_protocol::{
    FindReply, GroupId, PresenceReply, VisitorId, VisitorSettings, VisitorSettingsExtra,
};
use std::cell::RefCell;
use web_sys::AbortSignal;

/// Where one object's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The web/authorization service (`ws`).
    pub service: ServiceOrigin,
    /// The group.
    pub groupid: GroupId,
    /// `production` | `staging`.
    pub site: String,
    /// `presenceserver` param: skips the settings lookup.
    pub presenceserver: Option<String>,
}

/// What the settings service told about a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    /// The presence service.
    pub presence: ServiceOrigin,
    /// The group's terms URL, if the server has one.
    pub terms_url: Option<String>,
}

thread_local! {
    /// Settings per (service host, group): asked once per page.
    static SETTINGS: RefCell<Vec<((String, u32), GroupSettings)>> = const { RefCell::new(Vec::new()) };
}

/// The settings of the endpoint's group, from the cache or the service.
pub async fn settings(
    endpoint: &Endpoint,
    signal: Option<&AbortSignal>,
) -> Result<GroupSettings, ResolveError> {
    let key = (endpoint.service.host.clone(), endpoint.groupid.get());
    let cached = SETTINGS.with(|s| lookup(&s.borrow(), &key));
    let mut settings = match cached {
        Some(s) => s,
        None => {
            let group = endpoint.groupid.to_string();
            let query = [
                ("groupid", group.as_str()),
                ("site", endpoint.site.as_str()),
                ("service", "presence"),
            ];
            let url = endpoint
                .service
                .http_url("/services/authorizationservice/GetVisitorSettings3", &query);
            let reply = Request::get(&url)
                .signal(signal)
                .send()
                .await
                .map_err(|_| ResolveError::Network)?;
            let body: VisitorSettings = expect(&reply)?;
            let extra: VisitorSettingsExtra = reply.decode().unwrap_or_default();
            if body.presence_url.trim().is_empty() {
                return Err(ResolveError::PresenceOff);
            }
            let fetched = GroupSettings {
                presence: endpoint.service.with_host(&body.presence_url),
                terms_url: extra.terms_url,
            };
            SETTINGS.with(|s| s.borrow_mut().push((key, fetched.clone())));
            fetched
        }
    };
    if let Some(host) = &endpoint.presenceserver {
        settings.presence = endpoint.service.with_host(host);
    }
    Ok(settings)
}

/// The terms URL of a group already looked up (no request).
pub fn cached_terms_url(endpoint: &Endpoint) -> Option<String> {
    let key = (endpoint.service.host.clone(), endpoint.groupid.get());
    SETTINGS.with(|s| lookup(&s.borrow(), &key)?.terms_url)
}

fn lookup(cache: &[((String, u32), GroupSettings)], key: &(String, u32)) -> Option<GroupSettings> {
    cache.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// A 2xx reply's body as `T`; other statuses as their error.
pub fn expect<T: serde::de::DeserializeOwned>(reply: &Reply) -> Result<T, ResolveError> {
    if !reply.ok() {
        return Err(ResolveError::from_status(reply.status));
    }
    reply.decode().ok_or(ResolveError::Unexpected(reply.status))
}

/// Visitor: `POST /presence` → the host of its socket.
pub async fn resolve_visitor(
    endpoint: &Endpoint,
    visitor: &VisitorId,
    signal: Option<&AbortSignal>,
) -> Result<Resolved, ResolveError> {
    let presence = settings(endpoint, signal).await?.presence;
    let group = endpoint.groupid.to_string();
    let url = presence.http_url(
        "/presence",
        &[("groupid", &group), ("visitorid", visitor.as_str())],
    );
    let reply = Request::post(&url, "{}".into())
        .signal(signal)
        .send()
        .await
        .map_err(|_| ResolveError::Network)?;
    let body: PresenceReply = expect(&reply)?;
    Ok(Resolved {
        host: body.directserver,
        token: None,
    })
}

/// Agent: `GET /findvisitor` with the token → the host of its socket, and the token used.
pub async fn resolve_agent(
    endpoint: &Endpoint,
    visitor: &VisitorId,
    signal: Option<&AbortSignal>,
) -> Result<Resolved, ResolveError> {
    let token = token_store::token().ok_or(ResolveError::Authorization)?;
    let presence = settings(endpoint, signal).await?.presence;
    let group = endpoint.groupid.to_string();
    let url = presence.http_url(
        "/findvisitor",
        &[("groupid", &group), ("visitorid", visitor.as_str())],
    );
    let reply = Request::get(&url)
        .bearer(Some(&token))
        .signal(signal)
        .send()
        .await
        .map_err(|_| ResolveError::Network)?;
    let body: FindReply = expect(&reply)?;
    Ok(Resolved {
        host: body.directserver,
        token: Some(token),
    })
}
