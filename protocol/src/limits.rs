//! Presence limits and event names (§6).

use crate::ValidationError;

/// The largest frame (and REST body) the server takes, in bytes (§6); clients check theirs
/// before sending.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// One presence value, as far as the limits care.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PresenceValue<'a> {
    /// A string: counted by characters.
    Str(&'a str),
    /// A number: counted by the characters of its decimal form.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`: clears nothing, counts nothing.
    Null,
    /// An object or array: not allowed.
    Other,
}

impl PresenceValue<'_> {
    /// Characters this value counts for.
    fn chars(&self) -> usize {
        match self {
            Self::Str(s) => char_count(s),
            Self::Num(n) => format_number(*n).len(),
            Self::Bool(true) => 4,
            Self::Bool(false) => 5,
            Self::Null | Self::Other => 0,
        }
    }
}

/// Characters (Unicode scalar values) in `s`: the bytes that do not continue a UTF-8 sequence.
/// The same as `s.chars().count()`, without core's vectorized counter (~800 bytes of wasm in the
/// browser module).
fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

fn format_number(n: f64) -> String {
    if crate::number::is_whole(n) && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The presence limits. [`Default`] is the spec's: 20 properties, names of 64 characters, values of
/// 2,000 characters, 10,000 characters in all (names plus values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceLimits {
    /// Most properties in one map.
    pub max_properties: usize,
    /// Longest property name.
    pub max_name: usize,
    /// Longest value.
    pub max_value: usize,
    /// Most characters of names and values together.
    pub max_total: usize,
}

impl Default for PresenceLimits {
    fn default() -> Self {
        Self {
            max_properties: 20,
            max_name: 64,
            max_value: 2000,
            max_total: 10_000,
        }
    }
}

impl PresenceLimits {
    /// Checks one map given as (name, value) pairs. Stops at the first broken rule.
    pub fn check<'a>(
        &self,
        entries: impl IntoIterator<Item = (&'a str, PresenceValue<'a>)>,
    ) -> Result<(), ValidationError> {
        let (mut count, mut total) = (0usize, 0usize);
        for (name, value) in entries {
            count += 1;
            total += check_presence_entry(self, name, value)?;
        }
        check_presence_totals(self, count, total)
    }

    /// Checks a JSON map.
    #[cfg(feature = "json")]
    pub fn check_json(
        &self,
        map: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), ValidationError> {
        use serde_json::Value;
        self.check(map.iter().map(|(k, v)| {
            let v = match v {
                Value::String(s) => PresenceValue::Str(s),
                Value::Number(n) => PresenceValue::Num(n.as_f64().unwrap_or(0.0)),
                Value::Bool(b) => PresenceValue::Bool(*b),
                Value::Null => PresenceValue::Null,
                Value::Array(_) | Value::Object(_) => PresenceValue::Other,
            };
            (k.as_str(), v)
        }))
    }
}

/// Checks one property; returns the characters it counts for.
pub fn check_presence_entry(
    limits: &PresenceLimits,
    name: &str,
    value: PresenceValue<'_>,
) -> Result<usize, ValidationError> {
    let value_chars = (value != PresenceValue::Other).then(|| value.chars());
    check_presence_counted(limits, name, value_chars)
}

/// [`check_presence_entry`] for a value whose characters the caller has already counted
/// (`None`: an object or array, which is refused). The browser module counts numbers with the
/// browser's own formatting, so no float formatting code is compiled into it.
pub fn check_presence_counted(
    limits: &PresenceLimits,
    name: &str,
    value_chars: Option<usize>,
) -> Result<usize, ValidationError> {
    let name_chars = char_count(name);
    if name_chars == 0 || name_chars > limits.max_name {
        return Err(ValidationError::PropertyName(limits.max_name));
    }
    let Some(value_chars) = value_chars else {
        return Err(ValidationError::ValueType(name.to_owned()));
    };
    if value_chars > limits.max_value {
        return Err(ValidationError::ValueTooLong {
            name: name.to_owned(),
            max: limits.max_value,
        });
    }
    Ok(name_chars + value_chars)
}

/// Checks the number of properties and the total characters of a map.
pub fn check_presence_totals(
    limits: &PresenceLimits,
    count: usize,
    total_chars: usize,
) -> Result<(), ValidationError> {
    if count > limits.max_properties {
        return Err(ValidationError::TooManyProperties(limits.max_properties));
    }
    if total_chars > limits.max_total {
        return Err(ValidationError::PresenceTooLarge(limits.max_total));
    }
    Ok(())
}

/// Custom event names: `c_` then 1..62 characters of `A-Z a-z 0-9 _ -`.
pub fn check_custom_event_name(name: &str) -> Result<(), ValidationError> {
    let rest = name
        .strip_prefix("c_")
        .ok_or(ValidationError::CustomEventName)?;
    let ok = !rest.is_empty()
        && rest.len() <= 62
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::CustomEventName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_names() {
        assert!(check_custom_event_name("c_cart").is_ok());
        assert!(check_custom_event_name("c_").is_err());
        assert!(check_custom_event_name("cart").is_err());
        assert!(check_custom_event_name("c_a b").is_err());
        assert!(check_custom_event_name(&format!("c_{}", "x".repeat(63))).is_err());
    }

    #[test]
    fn numbers_count_their_digits() {
        assert_eq!(PresenceValue::Num(12345.0).chars(), 5);
        assert_eq!(PresenceValue::Num(1.5).chars(), 3);
    }
}
