//! Finding the servers (§4.1, §4.3, §4.4): the presence host from the visitor-settings service,
//! then the socket host from `/presence` (visitor) or `/findvisitor` (agent).

use crate::core::action::Resolved;
use crate::core::origin::ServiceOrigin;
use crate::core::ResolveError;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::global::page_global;
use crate::web::http::{Done, Reply, Request};
use crate::web::token_store;
use core::cell::RefCell;
use glance_protocol::{
    decimal, FindReply, FromWire, GroupId, PresenceReply, VisitorId, VisitorSettings,
    VisitorSettingsExtra,
};
use crate::web::http::AbortSignal;

/// Where one object's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The web/authorization service (`ws`).
    pub service: ServiceOrigin,
    /// The group.
    pub groupid: GroupId,
    /// `production` | `staging`.
    pub site: String,
    /// The `presenceserver` param: the presence host, without the settings lookup.
    pub presenceserver: Option<ServiceOrigin>,
}

impl Endpoint {
    /// The group id as query text.
    pub fn group(&self) -> String {
        decimal(u64::from(self.groupid.get()))
    }
}

/// What the settings service told about a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    /// The presence service.
    pub presence: ServiceOrigin,
    /// The group's terms URL, if the server has one.
    pub terms_url: Option<String>,
}

page_global! {
    /// Settings per (service host, group): asked once per page.
    static SETTINGS: RefCell<Vec<((String, u32), GroupSettings)>> = const { RefCell::new(Vec::new()) };
}

/// The settings of the endpoint's group, from the cache or the service.
pub fn settings(
    endpoint: &Endpoint,
    signal: Option<AbortSignal>,
    done: Done<Result<GroupSettings, ResolveError>>,
) {
    let key = (endpoint.service.host.clone(), endpoint.groupid.get());
    let cached = SETTINGS.with(|s| lookup(&s.borrow(), &key));
    if let Some(presence) = &endpoint.presenceserver {
        let terms_url = cached.and_then(|c| c.terms_url);
        let presence = presence.clone();
        return done(Ok(GroupSettings {
            presence,
            terms_url,
        }));
    }
    if let Some(cached) = cached {
        return done(Ok(cached));
    }
    let group = endpoint.group();
    let query = [
        ("groupid", group.as_str()),
        ("site", endpoint.site.as_str()),
        ("service", "presence"),
    ];
    let url = endpoint
        .service
        .http_url("/services/authorizationservice/GetVisitorSettings3", &query);
    let service = endpoint.service.clone();
    Request::get(url)
        .signal(signal)
        .send(Box::new(move |reply| {
            let fetched = reply.map_err(|_| ResolveError::Network).and_then(|reply| {
                let body: VisitorSettings = expect(&reply)?;
                let extra: VisitorSettingsExtra = reply.decode().unwrap_or_default();
                if body.presence_url.trim_ascii().is_empty() {
                    return Err(ResolveError::PresenceOff);
                }
                Ok(GroupSettings {
                    presence: service
                        .presence_host(&body.presence_url)
                        .ok_or(ResolveError::Unexpected(200))?,
                    terms_url: extra.terms_url,
                })
            });
            if let Ok(fetched) = &fetched {
                SETTINGS.with(|s| s.borrow_mut().push((key, fetched.clone())));
            }
            done(fetched)
        }));
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
pub fn expect<T: FromWire>(reply: &Reply) -> Result<T, ResolveError> {
    if !reply.ok() {
        return Err(ResolveError::from_status(reply.status));
    }
    reply.decode().ok_or(ResolveError::Unexpected(reply.status))
}

/// A request to the presence service of the endpoint's group: `GET` (no `body`) or `POST` of
/// `path?groupid=…&<query>`, with the agent's `bearer` token. A failed settings lookup or no HTTP
/// answer comes back as the [`ResolveError`]; any HTTP answer as the reply.
pub fn presence_request(
    endpoint: &Endpoint,
    path: &'static str,
    query: &[(&str, &str)],
    body: Option<String>,
    bearer: Option<String>,
    signal: Option<AbortSignal>,
    done: Done<Result<Reply, ResolveError>>,
) {
    let group = endpoint.group();
    let query: Vec<(String, String)> = [("groupid", group.as_str())]
        .iter()
        .chain(query)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let request_signal = signal.clone();
    settings(
        endpoint,
        signal,
        Box::new(move |settings| {
            let presence = match settings {
                Ok(settings) => settings.presence,
                Err(e) => return done(Err(e)),
            };
            let query: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let url = presence.http_url(path, &query);
            let request = match body {
                Some(body) => Request::post(url, body),
                None => Request::get(url),
            };
            request
                .bearer(bearer)
                .signal(request_signal)
                .send(Box::new(move |reply| {
                    done(reply.map_err(|_| ResolveError::Network))
                }));
        }),
    );
}

/// Visitor: `POST /presence` → the host of its socket.
pub fn resolve_visitor(
    endpoint: &Endpoint,
    visitor: &VisitorId,
    signal: Option<AbortSignal>,
    done: Done<Result<Resolved, ResolveError>>,
) {
    let query = [("visitorid", visitor.as_str())];
    let body = Some("{}".to_owned());
    presence_request(
        endpoint,
        "/presence",
        &query,
        body,
        None,
        signal,
        Box::new(move |reply| {
            done(reply.and_then(|reply| {
                let body: PresenceReply = expect(&reply)?;
                Ok(Resolved {
                    host: body.directserver,
                    token: None,
                })
            }))
        }),
    );
}

/// Agent: `GET /findvisitor` with the token → the host of its socket, and the token used.
pub fn resolve_agent(
    endpoint: &Endpoint,
    visitor: &VisitorId,
    signal: Option<AbortSignal>,
    done: Done<Result<Resolved, ResolveError>>,
) {
    let Some(token) = token_store::token() else {
        return done(Err(ResolveError::Authorization));
    };
    let query = [("visitorid", visitor.as_str())];
    let bearer = Some(token.clone());
    presence_request(
        endpoint,
        "/findvisitor",
        &query,
        None,
        bearer,
        signal,
        Box::new(move |reply| {
            done(reply.and_then(|reply| {
                let body: FindReply = expect(&reply)?;
                Ok(Resolved {
                    host: body.directserver,
                    token: Some(token),
                })
            }))
        }),
    );
}
