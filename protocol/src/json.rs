//! JSON text in and out, for the server and native tools (feature `json`).

use crate::{ClientFrame, FrameError, ServerFrame};
use serde_json::Value;

/// A frame that could not be read from JSON text.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, or not an object.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON of the wrong shape.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

impl ParseError {
    /// The documented code: `invalidjson` for syntax, else the frame error's code.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            Self::Json(e) if e.is_data() => crate::ErrorCode::InvalidParameter,
            Self::Json(_) => crate::ErrorCode::InvalidJson,
            Self::Frame(f) => f.code(),
        }
    }
}

impl ClientFrame<Value> {
    /// Parses a client frame from JSON text (or bytes of a binary frame).
    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        let mut de = serde_json::Deserializer::from_slice(text);
        let frame = Self::read(&mut de)??;
        de.end()?;
        Ok(frame)
    }

    /// The JSON text of this frame.
    pub fn to_json(&self) -> String {
        // Serializing a tree of strings, numbers and maps into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ServerFrame<Value> {
    /// Parses a server frame from JSON text.
    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        let mut de = serde_json::Deserializer::from_slice(text);
        let frame = Self::read(&mut de)??;
        de.end()?;
        Ok(frame)
    }

    /// The JSON text of this frame.
    pub fn to_json(&self) -> String {
        // Serializing a tree of strings, numbers and maps into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}
