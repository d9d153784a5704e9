//! Typed failures inside, documented codes outside (§2.1, §2.2).

use thiserror::Error;

/// The `onfail(reason)` codes the page sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FailCode {
    /// 401/403: missing, invalid or expired token or credentials.
    #[error("authorization")]
    Authorization,
    /// The network failed (no HTTP answer, socket lost before an ack).
    #[error("connection")]
    Connection,
    /// The visitor has not been seen in the hold window.
    #[error("visitornotpresent")]
    VisitorNotPresent,
    /// 503: the service is draining; the object makes no further requests.
    #[error("serviceunavailable")]
    ServiceUnavailable,
    /// A parameter broke a rule (400, or refused before sending).
    #[error("invalidparameter")]
    InvalidParameter,
    /// Anything else.
    #[error("error")]
    Error,
}

impl FailCode {
    /// The code as the page sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorization => "authorization",
            Self::Connection => "connection",
            Self::VisitorNotPresent => "visitornotpresent",
            Self::ServiceUnavailable => "serviceunavailable",
            Self::InvalidParameter => "invalidparameter",
            Self::Error => "error",
        }
    }

    /// The code of a non-2xx HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Authorization,
            400 => Self::InvalidParameter,
            404 => Self::VisitorNotPresent,
            503 => Self::ServiceUnavailable,
            _ => Self::Error,
        }
    }

    /// The code of an ack's or error body's `error` / `err` field.
    pub fn from_wire(code: glance_protocol::ErrorCode) -> Self {
        use glance_protocol::ErrorCode as E;
        match code {
            E::Authorization | E::Origin => Self::Authorization,
            E::VisitorNotPresent => Self::VisitorNotPresent,
            E::InvalidParameter | E::UnknownType | E::InvalidJson | E::FrameTooLarge => {
                Self::InvalidParameter
            }
            E::ServiceUnavailable => Self::ServiceUnavailable,
            _ => Self::Error,
        }
    }
}

/// Why the resolve step (visitor settings, then `/presence` or `/findvisitor`) failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResolveError {
    /// No token, or the service refused it.
    #[error("not authorized")]
    Authorization,
    /// The group is unknown or has presence off (empty `presenceUrl`).
    #[error("presence is off for this group")]
    PresenceOff,
    /// A parameter was refused (400).
    #[error("invalid parameter")]
    InvalidParameter,
    /// 503: draining.
    #[error("service unavailable")]
    Unavailable,
    /// No HTTP answer.
    #[error("network failure")]
    Network,
    /// Another status, or a reply of the wrong shape.
    #[error("unexpected reply ({0})")]
    Unexpected(u16),
}

impl ResolveError {
    /// The error for a non-2xx status.
    pub fn from_status(status: u16) -> Self {
        match FailCode::from_status(status) {
            FailCode::Authorization => Self::Authorization,
            FailCode::InvalidParameter => Self::InvalidParameter,
            FailCode::ServiceUnavailable => Self::Unavailable,
            _ => Self::Unexpected(status),
        }
    }

    /// Whether retrying later can help. Refusals are final until the page acts.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Network | Self::Unexpected(_))
    }

    /// The `detail` of the `onerror({error:"connfail", detail})` it causes.
    pub fn detail(&self) -> &'static str {
        match self {
            Self::Authorization => "authorization",
            Self::Network => "connection",
            _ => "error",
        }
    }
}

/// What a WebSocket close code means for reconnecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseMeaning {
    /// Reconnect with backoff.
    Retry,
    /// The server refused this client: stop, report `detail`.
    Refused(&'static str),
}

/// Interprets a close code (§5).
pub fn close_meaning(code: u16) -> CloseMeaning {
    match code {
        4401 => CloseMeaning::Refused("authorization"),
        4400 | 4403 => CloseMeaning::Refused("error"),
        _ => CloseMeaning::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(FailCode::from_status(401), FailCode::Authorization);
        assert_eq!(FailCode::from_status(403), FailCode::Authorization);
        assert_eq!(FailCode::from_status(404), FailCode::VisitorNotPresent);
        assert_eq!(FailCode::from_status(503), FailCode::ServiceUnavailable);
        assert_eq!(FailCode::from_status(500).as_str(), "error");
        assert!(ResolveError::from_status(502).is_retryable());
        assert!(!ResolveError::from_status(401).is_retryable());
        assert_eq!(ResolveError::Network.detail(), "connection");
        assert_eq!(close_meaning(4401), CloseMeaning::Refused("authorization"));
        assert_eq!(close_meaning(1006), CloseMeaning::Retry);
        assert_eq!(close_meaning(4429), CloseMeaning::Retry);
    }
}
