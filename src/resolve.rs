//! Requests to the services (§4): the presence host from the visitor-settings service (asked once
//! per page and group), then the presence service itself: the socket host from `/presence`
//! (visitor) or `/findvisitor` (agent), unique ids, the agent's one-shot calls and its signals
//! over REST.
//!
//! A request is a [`Next`]: what to ask and what to do with the answer. It waits behind the
//! settings lookup when the presence host is not known yet; the host reports the answer to
//! [`reply`] (see [`crate::dispatch::ev`]).

use crate::agent;
use crate::failure::{FailCode, ResolveError};
use crate::host;
use crate::link::Conn;
use crate::origin::{query, ServiceOrigin};
use crate::page::{Shared, What};
use crate::presence::PresenceMap;
use crate::value::Value;
use crate::visitor;
use glance_protocol::decimal;

/// Where one object's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The web/authorization service (`ws`).
    pub service: ServiceOrigin,
    /// The group.
    pub group: u32,
    /// `production` | `staging`.
    pub site: String,
    /// The `presenceserver` param: the presence host, without the settings lookup.
    pub presenceserver: Option<ServiceOrigin>,
}

/// What the settings service told about a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    /// The service host asked.
    pub service: String,
    /// The group.
    pub group: u32,
    /// The presence service.
    pub presence: ServiceOrigin,
    /// The group's terms URL, if the server has one.
    pub terms_url: Option<String>,
}

/// A request to the presence service, and what its answer is for.
#[derive(Debug)]
pub enum Next {
    /// The resolve step of a connection attempt.
    Resolve(u32),
    /// `GET /uniquevisitor`: a new unique id (then the presence to send), or extending the
    /// current one; dropped when `disconnect()` came since (the epoch moved).
    Unique {
        /// Extending the current id.
        extend: bool,
        /// The connection's epoch at the call.
        epoch: u32,
        /// `connectUnique({data})`'s presence.
        presence: Option<PresenceMap>,
    },
    /// An agent's `lookupVisitor` / `query`.
    Rest {
        /// Its pending id (see [`crate::link::Pending`]).
        id: u32,
        /// `/lookupvisitor` or `/query`.
        path: &'static str,
        /// The `visitorid` of the query.
        visitor: Option<String>,
        /// The token the request used (set when it goes out).
        token: String,
    },
    /// An agent's signal over `POST /signalvisitor`.
    Signal {
        /// Its pending id.
        id: u32,
        /// `{mtype, data}`.
        body: String,
        /// The visitor it is for.
        visitor: String,
        /// The token the request used (set when it goes out).
        token: String,
    },
}

/// The settings of the endpoint's group, if asked before.
pub fn cached<'a>(sh: &'a Shared, endpoint: &Endpoint) -> Option<&'a GroupSettings> {
    sh.settings
        .iter()
        .find(|s| s.service == endpoint.service.host && s.group == endpoint.group)
}

/// Starts `next` for `conn`: the settings lookup first when the presence host is not known.
/// Returns the id of the request in flight (0: it failed at once).
pub fn start(conn: &mut Conn, sh: &mut Shared, next: Next) -> u32 {
    let Ok(endpoint) = &conn.endpoint else {
        return 0;
    };
    // After a 503 an agent makes no further requests (§2.2).
    if conn.unavailable {
        fail(conn, sh, next, ResolveError::Unavailable, None);
        return 0;
    }
    let needs_token = conn.agent() && !matches!(next, Next::Unique { .. });
    if needs_token && sh.tokens.token().is_none() {
        fail(conn, sh, next, ResolveError::Authorization, None);
        return 0;
    }
    let known = endpoint.presenceserver.clone();
    match known.or_else(|| cached(sh, endpoint).map(|s| s.presence.clone())) {
        Some(presence) => request(conn, sh, next, &presence),
        None => {
            let path = "/services/authorizationservice/GetVisitorSettings3";
            let mut url = endpoint.service.http_url(path);
            query(&mut url, "groupid", &decimal(u64::from(endpoint.group)));
            query(&mut url, "site", &endpoint.site);
            query(&mut url, "service", "presence");
            let id = sh.route(conn.id, What::Settings(next));
            host::fetch(id, "GET", &url, "", "");
            id
        }
    }
}

/// Sends `next` to the presence service at `presence`; returns the request's id.
fn request(conn: &mut Conn, sh: &mut Shared, mut next: Next, presence: &ServiceOrigin) -> u32 {
    let Ok(endpoint) = &conn.endpoint else {
        return 0;
    };
    let visitor = conn.visitor.as_str();
    let (method, path, body) = match &next {
        Next::Resolve(_) if conn.agent() => ("GET", "/findvisitor", ""),
        Next::Resolve(_) => ("POST", "/presence", "{}"),
        Next::Unique { .. } => ("GET", "/uniquevisitor", ""),
        Next::Rest { path, .. } => ("GET", *path, ""),
        Next::Signal { body, .. } => ("POST", "/signalvisitor", body.as_str()),
    };
    let mut url = presence.http_url(path);
    query(&mut url, "groupid", &decimal(u64::from(endpoint.group)));
    match &next {
        Next::Unique { extend: true, .. } => {
            query(&mut url, "visitorid", visitor);
            query(&mut url, "guesttoken", &conn.token);
        }
        Next::Rest {
            visitor: Some(v), ..
        } => query(&mut url, "visitorid", v),
        Next::Signal { visitor: v, .. } => query(&mut url, "visitorid", v),
        Next::Resolve(_) => query(&mut url, "visitorid", visitor),
        _ => {}
    }
    let token = if conn.agent() && !matches!(next, Next::Unique { .. }) {
        sh.tokens.token()
    } else {
        None
    };
    let body = body.to_owned();
    match &mut next {
        Next::Resolve(_) if conn.agent() => conn.token = token.clone().unwrap_or_default(),
        Next::Rest { token: used, .. } | Next::Signal { token: used, .. } => {
            *used = token.clone().unwrap_or_default()
        }
        _ => {}
    }

    let id = sh.route(conn.id, What::Request(next));
    host::fetch(id, method, &url, token.as_deref().unwrap_or(""), &body);
    id
}

/// The answer to request `what` (`status` 0: no answer).
pub fn reply(conn: &mut Conn, sh: &mut Shared, what: What, status: u16, body: &str) {
    let body = crate::codec::parse(body);
    let outcome = match status {
        0 => Err(ResolveError::Network),
        200..=299 => Ok(body.unwrap_or(Value::Null)),
        _ => Err(ResolveError::from_status(status)),
    };
    // The agent's own calls tell the page what the HTTP status says (404: visitornotpresent).
    let http_code = (status >= 300).then(|| FailCode::from_status(status));
    match what {
        What::Settings(next) => match outcome.and_then(|body| settings(conn, sh, &body, status)) {
            Ok(presence) => {
                let resolving = matches!(next, Next::Resolve(_));
                let id = request(conn, sh, next, &presence);
                if resolving {
                    conn.request = id;
                }
            }
            Err(e) => fail(conn, sh, next, e, None),
        },
        What::Request(next) => match outcome {
            Ok(body) => answered(conn, sh, next, body, status),
            Err(e) => fail(conn, sh, next, e, http_code),
        },
        _ => {}
    }
}

/// Reads and caches a settings reply; the presence host.
fn settings(
    conn: &Conn,
    sh: &mut Shared,
    body: &Value,
    status: u16,
) -> Result<ServiceOrigin, ResolveError> {
    let Ok(endpoint) = &conn.endpoint else {
        return Err(ResolveError::Unexpected(status));
    };
    let url = match (body.get("presenceUrl"), body.get("isPresenceLoadBalanced")) {
        (Some(Value::String(url)), Some(Value::Bool(_))) => url,
        _ => return Err(ResolveError::Unexpected(status)),
    };
    if url.trim_ascii().is_empty() {
        return Err(ResolveError::PresenceOff);
    }
    let presence = endpoint
        .service
        .presence_host(url)
        .ok_or(ResolveError::Unexpected(status))?;
    sh.settings.push(GroupSettings {
        service: endpoint.service.host.clone(),
        group: endpoint.group,
        presence: presence.clone(),
        terms_url: body.get("termsUrl").and_then(Value::as_str).map(Into::into),
    });
    Ok(presence)
}

/// A 2xx answer of the presence service.
fn answered(conn: &mut Conn, sh: &mut Shared, next: Next, body: Value, status: u16) {
    match next {
        Next::Resolve(attempt) => {
            let host = body.get("directserver").and_then(Value::as_str);
            let result = host.map(Into::into).ok_or(ResolveError::Unexpected(status));
            conn.resolved(sh, attempt, result);
        }
        Next::Unique {
            extend,
            epoch,
            presence,
        } => visitor::unique_reply(conn, sh, extend, epoch, presence, &body),
        Next::Rest { .. } | Next::Signal { .. } if !cfg!(feature = "full") => {}
        Next::Rest { id, .. } => {
            let value = if body.is_null() {
                Value::Object(vec![])
            } else {
                body
            };
            agent::complete(conn, sh, id, Ok(Some(value)));
        }
        Next::Signal { id, .. } => agent::complete(conn, sh, id, Ok(None)),
    }
}

/// `next` failed before or without a 2xx answer (`http`: the code of the HTTP status, for the
/// agent's own calls).
fn fail(conn: &mut Conn, sh: &mut Shared, next: Next, e: ResolveError, http: Option<FailCode>) {
    let code = http.unwrap_or_else(|| fail_code(&e));
    match next {
        Next::Resolve(attempt) => conn.resolved(sh, attempt, Err(e)),
        Next::Unique { epoch, .. } => {
            if epoch == conn.epoch {
                sh.connfail(conn.id, e.detail());
            }
        }
        Next::Rest { .. } | Next::Signal { .. } if !cfg!(feature = "full") => {}
        Next::Rest { id, token, .. } | Next::Signal { id, token, .. } => {
            // Only the token that was refused goes (the page may hold a newer one by now); a 503
            // stops the object (see [`agent::complete`]).
            if code == FailCode::Authorization {
                sh.tokens.clear_if_current(Some(&token));
            }
            agent::complete(conn, sh, id, Err(code))
        }
    }
}

/// The `onfail` code of a failed request.
pub fn fail_code(e: &ResolveError) -> FailCode {
    match e {
        ResolveError::Network => FailCode::Connection,
        ResolveError::Authorization => FailCode::Authorization,
        ResolveError::Unavailable => FailCode::ServiceUnavailable,
        ResolveError::InvalidParameter => FailCode::InvalidParameter,
        ResolveError::PresenceOff | ResolveError::Unexpected(_) => FailCode::Error,
    }
}
