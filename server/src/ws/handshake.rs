//! The `connect` frame (§5): who the connection is, and whether it may be.

use super::link::{Inbound, Link};
use super::ratelimit::{RateLimit, Verdict};
use super::Role;
use crate::quota::{QuotaSlot, Use};
use crate::state::SharedState;
use crate::store::{now_ms, VisitorKey};
use glance_protocol::{ClientFrame, CloseCode, ConnectFrame, ErrorCode, JsonClientFrame};

/// What the HTTP upgrade request told us.
pub struct Peer {
    /// `Origin` header.
    pub origin: Option<String>,
}

/// An accepted connection.
pub struct Accepted {
    /// The visitor (watched, for an agent).
    pub key: VisitorKey,
    /// For a unique visitor: when its id expires (ms since the epoch).
    pub unique_until: Option<u64>,
    /// For an agent: its place in the token's socket quota, held while the socket is open.
    pub quota: Option<QuotaSlot>,
    /// For an agent: the user its token names (for the `agent.*` webhook audit trail).
    pub agent: Option<String>,
}

/// A refused connection: the `connfail` detail and the close code.
pub struct Refusal {
    /// `detail` of the `connfail` error frame.
    pub detail: ErrorCode,
    /// Close code.
    pub code: CloseCode,
    /// Metric / log reason.
    pub reason: &'static str,
}

impl Refusal {
    fn new(detail: ErrorCode, code: CloseCode, reason: &'static str) -> Self {
        Self {
            detail,
            code,
            reason,
        }
    }
}

/// Waits for the `connect` frame and checks it. Every frame until then, pings included, is
/// charged to `limit`.
pub async fn connect(
    link: &mut Link,
    state: &SharedState,
    role: Role,
    peer: &Peer,
    limit: &mut RateLimit,
) -> Result<Accepted, Refusal> {
    let first = tokio::time::timeout(state.config.timings.connect_timeout(), async {
        loop {
            let inbound = link.recv().await;
            if matches!(inbound, Inbound::Control | Inbound::Data(_))
                && limit.check(std::time::Instant::now()) == Verdict::Cut
            {
                return Err(Refusal::new(
                    ErrorCode::RateLimited,
                    CloseCode::TooMany,
                    "ratelimited",
                ));
            }
            match inbound {
                Inbound::Control => continue,
                other => return Ok(other),
            }
        }
    })
    .await
    .map_err(|_| Refusal::new(ErrorCode::Timeout, CloseCode::Timeout, "connecttimeout"))??;
    let bytes = match first {
        Inbound::Data(b) => b,
        Inbound::TooLarge => {
            return Err(Refusal::new(
                ErrorCode::FrameTooLarge,
                CloseCode::TooLarge,
                "toolarge",
            ))
        }
        Inbound::Violation(v) => {
            return Err(Refusal::new(ErrorCode::Error, v.close_code(), v.reason()))
        }
        Inbound::Closed | Inbound::Control => {
            return Err(Refusal::new(
                ErrorCode::Error,
                CloseCode::BadRequest,
                "closed",
            ))
        }
    };
    let frame = match JsonClientFrame::parse(&bytes) {
        Ok(ClientFrame::Connect(c)) => c,
        Ok(_) => {
            return Err(Refusal::new(
                ErrorCode::ExpectedConnect,
                CloseCode::BadRequest,
                "expectedconnect",
            ))
        }
        Err(e) if e.code() == ErrorCode::InvalidJson => {
            return Err(Refusal::new(
                ErrorCode::InvalidJson,
                CloseCode::BadRequest,
                "invalidjson",
            ))
        }
        Err(_) => {
            return Err(Refusal::new(
                ErrorCode::InvalidParameter,
                CloseCode::BadRequest,
                "invalidparameter",
            ))
        }
    };
    if state.draining() {
        return Err(Refusal::new(
            ErrorCode::ServiceUnavailable,
            CloseCode::Draining,
            "draining",
        ));
    }
    let Some(group) = state.presence_group(frame.groupid) else {
        return Err(Refusal::new(
            ErrorCode::UnknownGroup,
            CloseCode::BadRequest,
            "unknowngroup",
        ));
    };
    let key = VisitorKey::new(group.id, frame.visitorid.clone());
    match role {
        Role::Visitor => visitor(state, &frame, key).await,
        Role::Agent => {
            // Browsers always send `Origin` on a WebSocket; a socket without one is a program,
            // let in only where the group says so (§5).
            match &peer.origin {
                Some(origin) if !state.agent_origin_allowed(group, origin) => {
                    return Err(Refusal::new(ErrorCode::Origin, CloseCode::Origin, "origin"))
                }
                None if !group.allow_no_origin => {
                    return Err(Refusal::new(
                        ErrorCode::Origin,
                        CloseCode::Origin,
                        "noorigin",
                    ))
                }
                _ => {}
            }
            let token = frame
                .authorization
                .as_deref()
                .map(|t| t.strip_prefix("Bearer ").unwrap_or(t).trim());
            match token.map(|t| (t, state.tokens.verify_agent(t, group.id))) {
                Some((token, Ok(claims))) => match state.quotas.take(token, Use::Socket) {
                    Some(slot) => Ok(Accepted {
                        key,
                        unique_until: None,
                        quota: Some(slot),
                        agent: Some(claims.sub),
                    }),
                    None => Err(Refusal::new(
                        ErrorCode::RateLimited,
                        CloseCode::TooMany,
                        "tokencap",
                    )),
                },
                _ => Err(Refusal::new(
                    ErrorCode::Authorization,
                    CloseCode::Authorization,
                    "token",
                )),
            }
        }
    }
}

/// A unique visitor (`UNQ-…`) must present its guest token, for an id that is still live. The
/// connect renews the id's timeout, as an extend does: the original scripts' `extendUnique()`
/// reconnects with the token it has (§4.3).
async fn visitor(
    state: &SharedState,
    frame: &ConnectFrame,
    key: VisitorKey,
) -> Result<Accepted, Refusal> {
    if key.visitor.unique_digits().is_none() {
        return Ok(Accepted {
            key,
            unique_until: None,
            quota: None,
            agent: None,
        });
    }
    let refused = || {
        Refusal::new(
            ErrorCode::Authorization,
            CloseCode::Authorization,
            "guesttoken",
        )
    };
    let claims = frame
        .guesttoken
        .as_deref()
        .and_then(|t| state.tokens.verify_guest(t, key.group, &key.visitor).ok())
        .ok_or_else(refused)?;
    let until_ms = now_ms() + state.config.timings.unique_timeout().as_millis() as u64;
    match state.store.renew_unique(&key, claims.nce, until_ms).await {
        Ok(true) => Ok(Accepted {
            key,
            unique_until: Some(until_ms),
            quota: None,
            agent: None,
        }),
        Ok(false) => Err(refused()),
        Err(_) => Err(Refusal::new(
            ErrorCode::ServiceUnavailable,
            CloseCode::Draining,
            "storeunavailable",
        )),
    }
}
