//! The `connect` frame (§5): who the connection is, and whether it may be.

use super::link::{Inbound, Link};
use super::Role;
use crate::quota::{QuotaSlot, Use};
use crate::state::SharedState;
use crate::store::VisitorKey;
use glance_protocol::{ClientFrame, CloseCode, ConnectFrame, ErrorCode, JsonClientFrame};

/// What the HTTP upgrade request told us.
pub struct Peer {
    /// `Origin` header.
    pub origin: Option<String>,
    /// `Host` header.
    pub host: Option<String>,
}

/// An accepted connection.
pub struct Accepted {
    /// The visitor (watched, for an agent).
    pub key: VisitorKey,
    /// For a unique visitor: when its id expires (ms since the epoch).
    pub unique_until: Option<u64>,
    /// For an agent: its place in the token's socket quota, held while the socket is open.
    pub quota: Option<QuotaSlot>,
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

/// Waits for the `connect` frame and checks it.
pub async fn connect(
    link: &mut Link,
    state: &SharedState,
    role: Role,
    peer: &Peer,
) -> Result<Accepted, Refusal> {
    let first = tokio::time::timeout(state.config.timings.connect_timeout(), async {
        loop {
            match link.recv().await {
                Inbound::Control => continue,
                other => return other,
            }
        }
    })
    .await
    .map_err(|_| Refusal::new(ErrorCode::Timeout, CloseCode::Timeout, "connecttimeout"))?;
    let bytes = match first {
        Inbound::Data(b) => b,
        Inbound::TooLarge => {
            return Err(Refusal::new(
                ErrorCode::FrameTooLarge,
                CloseCode::TooLarge,
                "toolarge",
            ))
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
        Role::Visitor => visitor(state, &frame, key),
        Role::Agent => {
            if let Some(origin) = &peer.origin {
                if !state.agent_origin_allowed(group, origin, peer.host.as_deref()) {
                    return Err(Refusal::new(ErrorCode::Origin, CloseCode::Origin, "origin"));
                }
            }
            let token = frame
                .authorization
                .as_deref()
                .map(|t| t.strip_prefix("Bearer ").unwrap_or(t).trim());
            match token.map(|t| (t, state.tokens.verify_agent(t, group.id))) {
                Some((token, Ok(_))) => match state.quotas.take(token, Use::Socket) {
                    Some(slot) => Ok(Accepted {
                        key,
                        unique_until: None,
                        quota: Some(slot),
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

/// A unique visitor (`UNQ-…`) must present its guest token.
fn visitor(
    state: &SharedState,
    frame: &ConnectFrame,
    key: VisitorKey,
) -> Result<Accepted, Refusal> {
    if key.visitor.unique_digits().is_none() {
        return Ok(Accepted {
            key,
            unique_until: None,
            quota: None,
        });
    }
    let claims = frame
        .guesttoken
        .as_deref()
        .and_then(|t| state.tokens.verify_guest(t, key.group, &key.visitor).ok())
        .ok_or_else(|| {
            Refusal::new(
                ErrorCode::Authorization,
                CloseCode::Authorization,
                "guesttoken",
            )
        })?;
    Ok(Accepted {
        key,
        unique_until: Some(claims.exp * 1000),
        quota: None,
    })
}
