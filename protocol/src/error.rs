//! Errors of the protocol layer and the documented error codes clients see.

#[allow(unused_imports)]
use crate::text::join;
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

    /// The code of a wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Every code.
    pub const ALL: [Self; 15] = [
        Self::Authorization,
        Self::Origin,
        Self::InvalidParameter,
        Self::VisitorNotPresent,
        Self::UnknownGroup,
        Self::ServiceUnavailable,
        Self::RateLimited,
        Self::SlowConsumer,
        Self::FrameTooLarge,
        Self::InvalidJson,
        Self::UnknownType,
        Self::ExpectedConnect,
        Self::Timeout,
        Self::Connfail,
        Self::Error,
    ];
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value broke a validation rule. The message is meant for the `msg` / `detail` a client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// Visitor id outside 1..100 of `A-Z a-z 0-9 - _ ~`.
    VisitorId,
    /// Group id not a positive integer.
    GroupId,
    /// Too many presence properties.
    TooManyProperties(usize),
    /// A presence property name too long or empty.
    PropertyName(usize),
    /// A presence value too long.
    ValueTooLong {
        /// The property.
        name: String,
        /// The limit.
        max: usize,
    },
    /// A presence value that is not a string, number, boolean or null.
    ValueType(String),
    /// The whole presence map too large.
    PresenceTooLarge(usize),
    /// A custom event name not of the `c_` form.
    CustomEventName,
    /// A login key not of the `$1$<expires>$<sig>` form.
    LoginKey,
    /// A field of the wrong shape.
    Shape(&'static str),
}

impl ValidationError {
    /// The message. Built by concatenation rather than `format!`: the browser module shows it
    /// too, and leaves the formatting machinery out.
    pub fn message(&self) -> String {
        let n = |n: &usize| crate::number::decimal(*n as u64);
        match self {
            Self::VisitorId => "visitorid must be 1..100 characters of A-Z a-z 0-9 - _ ~".into(),
            Self::GroupId => "groupid must be a positive integer".into(),
            Self::TooManyProperties(max) => {
                join(&["presence has more than ", &n(max), " properties"])
            }
            Self::PropertyName(max) => {
                join(&["presence property name must be 1..", &n(max), " characters"])
            }
            Self::ValueTooLong { name, max } => join(&[
                "presence value of '",
                name,
                "' is longer than ",
                &n(max),
                " characters",
            ]),
            Self::ValueType(name) => join(&[
                "presence value of '",
                name,
                "' must be a string or a number",
            ]),
            Self::PresenceTooLarge(max) => {
                join(&["presence data is longer than ", &n(max), " characters"])
            }
            Self::CustomEventName => {
                "custom event names start with c_ and have 1..62 more characters of A-Z a-z 0-9 _ -"
                    .into()
            }
            Self::LoginKey => "loginkey must be $1$<expires>$<43 base64 characters>".into(),
            Self::Shape(what) => (*what).into(),
        }
    }
}

impl core::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ValidationError {}

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
