//! Identities: group ids, visitor ids and ack ids (§3.1).

use crate::ValidationError;
use core::fmt;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Prefix of the visitor id of a unique visitor (`UNQ-<digits>`).
pub const UNIQUE_PREFIX: &str = "UNQ-";

/// Longest visitor id.
pub const MAX_VISITOR_ID: usize = 100;

/// A group (a customer account). Positive integer; on the wire a number or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(u32);

impl GroupId {
    /// A group id from a positive integer.
    pub fn new(id: u32) -> Result<Self, ValidationError> {
        if id == 0 {
            return Err(ValidationError::GroupId);
        }
        Ok(Self(id))
    }

    /// The numeric value.
    pub fn get(self) -> u32 {
        self.0
    }

    /// Parses the decimal form used in query strings and `data-groupid`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim_ascii();
        if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::GroupId);
        }
        // At most 10 digits: the value fits a u64 (no `str::parse`, whose code the browser module
        // would carry for this alone).
        let value = s.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
        u32::try_from(value)
            .map_err(|_| ValidationError::GroupId)
            .and_then(Self::new)
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for GroupId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for GroupId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = GroupId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a positive integer group id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<GroupId, E> {
                u32::try_from(v)
                    .ok()
                    .and_then(|v| GroupId::new(v).ok())
                    .ok_or_else(|| E::custom(ValidationError::GroupId))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<GroupId, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(ValidationError::GroupId))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<GroupId, E> {
                // Browsers hand numbers over as doubles.
                if crate::number::is_whole(v) && v >= 1.0 && v <= u32::MAX as f64 {
                    self.visit_u64(v as u64)
                } else {
                    Err(E::custom(ValidationError::GroupId))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GroupId, E> {
                GroupId::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A visitor id: 1..100 characters of `A-Z a-z 0-9 - _ ~`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct VisitorId(String);

impl VisitorId {
    /// Validates a visitor id.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        if Self::valid(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::VisitorId)
        }
    }

    /// Whether `s` is a valid visitor id: 1..100 characters of `A-Z a-z 0-9 - _ ~`.
    pub fn valid(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= MAX_VISITOR_ID
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~'))
    }

    /// Whether `s` is a unique visitor's id (`UNQ-` + digits).
    pub fn is_unique(s: &str) -> bool {
        s.strip_prefix(UNIQUE_PREFIX)
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The visitor id of unique visitor `digits` (`UNQ-<digits>`).
    pub fn unique(digits: u64) -> Self {
        Self(format!("{UNIQUE_PREFIX}{digits}"))
    }

    /// The digits of a unique visitor id, if this is one.
    pub fn unique_digits(&self) -> Option<&str> {
        self.0
            .strip_prefix(UNIQUE_PREFIX)
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VisitorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for VisitorId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = VisitorId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a visitor id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VisitorId, E> {
                VisitorId::parse(v).map_err(E::custom)
            }
            // Pages sometimes use numeric ids: `visitorid: 42`.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<VisitorId, E> {
                Ok(VisitorId(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<VisitorId, E> {
                VisitorId::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<VisitorId, E> {
                if crate::number::is_whole(v) && (0.0..1e15).contains(&v) {
                    Ok(VisitorId((v as u64).to_string()))
                } else {
                    Err(E::custom(ValidationError::VisitorId))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The id an agent puts on a `signal` / `invoke` frame so the server can `ack` it.
///
/// Any JSON scalar is an id, and the `ack` carries it back as the same JSON value: an agent
/// script may number its signals however it likes, and an id the server could not echo would
/// leave the agent's pending ack unresolved. `null` is no id (no ack); an object or array is not
/// an id (the frame is refused).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AckId {
    /// A non-negative integer (what the browser module sends).
    Num(u64),
    /// A negative integer.
    Neg(i64),
    /// A number with a fraction or exponent.
    Float(AckFloat),
    /// `true` or `false`.
    Bool(bool),
    /// A string id.
    Str(String),
}

/// A non-integer number used as an ack id, compared by its bits so that ids can be map keys.
/// JSON has no NaN or infinity, so every value read from a frame is finite.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AckFloat(pub f64);

impl PartialEq for AckFloat {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for AckFloat {}

impl std::hash::Hash for AckFloat {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}
