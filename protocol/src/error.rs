//! Errors of the protocol layer and the documented error codes clients see.

use serde::{Deserialize, Serialize};

/// The error codes of the spec, as they appear in `err` (REST), `error`/`detail` (frames) and
/// `onfail` (JS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorCode {
    /// Missing, invalid or expired credentials or token; or a token for another group.
    Authorization,
    /// The `Origin` is not an allowed agent origin.
    Origin,
    /// A parameter or frame broke a rule of §3.1 or §6.
    InvalidParameter,
    /// The visitor has not been seen within the hold window.
    VisitorNotPresent,
    /// The group is not configured or has presence off.
    UnknownGroup,
    /// The node is draining.
    ServiceUnavailable,
    /// The connection sent more frames than the rate limit allows.
    RateLimited,
    /// The connection could not keep up with its outbound queue.
    SlowConsumer,
    /// A frame over the size limit.
    FrameTooLarge,
    /// A frame that is not JSON.
    InvalidJson,
    /// A frame of a type this role may not send.
    UnknownType,
    /// The first frame was not `connect`.
    ExpectedConnect,
    /// The connection was closed as dead (no frame within the liveness window).
    Timeout,
    /// Connection failure (the `error` frame's `error` field on a refused connect).
    Connfail,
    /// Anything else.
    Error,
}

impl ErrorCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorization => "authorization",
            Self::Origin => "origin",
            Self::InvalidParameter => "invalidparameter",
            Self::VisitorNotPresent => "visitornotpresent",
            Self::UnknownGroup => "unknowngroup",
            Self::ServiceUnavailable => "serviceunavailable",
            Self::RateLimited => "ratelimited",
            Self::SlowConsumer => "slowconsumer",
            Self::FrameTooLarge => "frametoolarge",
            Self::InvalidJson => "invalidjson",
            Self::UnknownType => "unknowntype",
            Self::ExpectedConnect => "expectedconnect",
            Self::Timeout => "timeout",
            Self::Connfail => "connfail",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value broke a validation rule. The message is meant for the `msg` / `detail` a client sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Visitor id outside 1..100 of `A-Z a-z 0-9 - _ ~`.
    #[error("visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~")]
    VisitorId,
    /// Group id not a positive integer.
    #[error("groupid must be a positive integer")]
    GroupId,
    /// Too many presence properties.
    #[error("presence has more than {0} properties")]
    TooManyProperties(usize),
    /// A presence property name too long or empty.
    #[error("presence property name must be 1..{0} characters")]
    PropertyName(usize),
    /// A presence value too long.
    #[error("presence value of '{name}' is longer than {max} characters")]
    ValueTooLong {
        /// The property.
        name: String,
        /// The limit.
        max: usize,
    },
    /// A presence value that is not a string, number, boolean or null.
    #[error("presence value of '{0}' must be a string or a number")]
    ValueType(String),
    /// The whole presence map too large.
    #[error("presence data is longer than {0} characters")]
    PresenceTooLarge(usize),
    /// A custom event name not of the `c_` form.
    #[error("custom event names start with c_ and have 1..62 more characters of A-Z a-z 0-9 _ -")]
    CustomEventName,
    /// A login key not of the `$1$<expires>$<sig>` form.
    #[error("loginkey must be $1$<expires>$<43 base64 characters>")]
    LoginKey,
    /// A field of the wrong shape.
    #[error("{0}")]
    Shape(&'static str),
}

/// A frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Neither `mtype` nor `type` is present.
    #[error("frame has no type")]
    MissingType,
    /// A type no client may send.
    #[error("unknown frame type '{0}'")]
    UnknownType(String),
    /// A known type with a payload of the wrong shape.
    #[error("invalid '{ty}' frame: {reason}")]
    Invalid {
        /// The frame type.
        ty: String,
        /// What is wrong.
        reason: ValidationError,
    },
}

impl FrameError {
    /// The documented code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MissingType | Self::UnknownType(_) => ErrorCode::UnknownType,
            Self::Invalid { .. } => ErrorCode::InvalidParameter,
        }
    }
}
