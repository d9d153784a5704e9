//! The presence map a visitor sends (§2.3): `user-*` configuration, page facts, the caller's data on
//! top, checked against the limits of §6 before anything is sent.

use crate::json::Json;
use crate::useragent::{detect, Detected};
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{
    check_presence_counted, check_presence_totals, PresenceLimits, ValidationError,
};

/// One presence value. Objects and arrays are kept as [`Scalar::Other`] so that the limit check
/// can refuse them with a clear message.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A string.
    Str(String),
    /// A number, as its JSON text (the page's own formatting, passed through untouched).
    Num(String),
    /// A boolean.
    Bool(bool),
    /// `null` / `undefined`.
    Null,
    /// An object, array or function: not allowed in presence.
    Other,
}

impl Scalar {
    /// Characters the value counts for (§6); `None` for objects and arrays. A number counts
    /// the characters of its text.
    fn chars(&self) -> Option<usize> {
        match self {
            Self::Str(s) => Some(crate::text::char_count(s)),
            Self::Num(n) => Some(n.len()),
            Self::Bool(true) => Some(4),
            Self::Bool(false) => Some(5),
            Self::Null => Some(0),
            Self::Other => None,
        }
    }
}

impl Scalar {
    /// The value as sent.
    pub fn to_json(&self) -> Json {
        match self {
            Self::Str(v) => Json::str(v),
            Self::Num(v) => Json::parse(v).unwrap_or(Json::Null),
            Self::Bool(v) => Json::Bool(*v),
            Self::Null | Self::Other => Json::Null,
        }
    }
}

/// An ordered presence map; setting an existing key replaces its value in place.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceMap(Vec<(String, Scalar)>);

impl PresenceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &str, value: Scalar) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// Sets every entry of `other`, in its order.
    pub fn merge(&mut self, other: &PresenceMap) {
        for (k, v) in &other.0 {
            self.set(k, v.clone());
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Scalar> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks the limits of §6.
    pub fn check(&self, limits: &PresenceLimits) -> Result<(), ValidationError> {
        let mut total = 0;
        for (name, value) in &self.0 {
            total += check_presence_counted(limits, name, value.chars())?;
        }
        check_presence_totals(limits, self.0.len(), total)
    }
}

impl FromIterator<(String, Scalar)> for PresenceMap {
    fn from_iter<I: IntoIterator<Item = (String, Scalar)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            map.set(&k, v);
        }
        map
    }
}

impl PresenceMap {
    /// The map as a plain object, in its order.
    pub fn to_json(&self) -> Json {
        Json::Object(self.0.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

/// Facts about the page a presence update reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageFacts {
    /// `location.href`.
    pub url: String,
    /// `navigator.userAgent`.
    pub user_agent: String,
}

/// Builds the map `presence()` sends: `user` (from `user-*` config), then `url`, `browser`,
/// `browserver`, `platform`, then the caller's data on top.
///
/// The URL is cut to the longest value allowed: it is ours, so an over-long address must not make
/// the page's own presence call fail.
pub fn build_presence(
    user: &PresenceMap,
    page: &PageFacts,
    caller: &PresenceMap,
    limits: &PresenceLimits,
) -> PresenceMap {
    let Detected {
        browser,
        version,
        platform,
    } = detect(&page.user_agent);
    let mut map = user.clone();
    let url: String = page.url.chars().take(limits.max_value).collect();
    map.set("url", Scalar::Str(url));
    map.set("browser", Scalar::Str(browser.to_owned()));
    map.set("browserver", Scalar::Str(version));
    map.set("platform", Scalar::Str(platform.as_str().to_owned()));
    map.merge(caller);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Scalar {
        Scalar::Str(v.into())
    }

    const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    #[test]
    fn merge_order_caller_wins() {
        let user: PresenceMap = [
            ("name".to_string(), s("Ann")),
            ("url".to_string(), s("user")),
        ]
        .into_iter()
        .collect();
        let caller: PresenceMap = [
            ("name".to_string(), s("Bob")),
            ("cart".to_string(), Scalar::Num("3".into())),
        ]
        .into_iter()
        .collect();
        let page = PageFacts {
            url: "https://shop.example/a".into(),
            user_agent: CHROME_WIN.into(),
        };
        let map = build_presence(&user, &page, &caller, &PresenceLimits::default());
        let keys: Vec<_> = map.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["name", "url", "browser", "browserver", "platform", "cart"]
        );
        assert_eq!(map.get("name"), Some(&s("Bob")));
        assert_eq!(map.get("url"), Some(&s("https://shop.example/a")));
        assert_eq!(map.get("browser"), Some(&s("chrome")));
        assert_eq!(map.get("browserver"), Some(&s("120")));
        assert_eq!(map.get("platform"), Some(&s("win")));
        assert!(map.check(&PresenceLimits::default()).is_ok());
    }

    #[test]
    fn long_url_is_cut_not_refused() {
        let page = PageFacts {
            url: "u".repeat(5000),
            user_agent: String::new(),
        };
        let map = build_presence(
            &PresenceMap::new(),
            &page,
            &PresenceMap::new(),
            &PresenceLimits::default(),
        );
        assert!(map.check(&PresenceLimits::default()).is_ok());
    }

    #[test]
    fn limits_refuse_objects_and_too_many() {
        let limits = PresenceLimits::default();
        let objects: PresenceMap = [("x".to_string(), Scalar::Other)].into_iter().collect();
        assert_eq!(
            objects.check(&limits),
            Err(ValidationError::ValueType("x".into()))
        );
        let many: PresenceMap = (0..21)
            .map(|i| (format!("k{i}"), Scalar::Num(i.to_string())))
            .collect();
        assert_eq!(
            many.check(&limits),
            Err(ValidationError::TooManyProperties(20))
        );
        let long: PresenceMap = [("v".to_string(), s(&"x".repeat(2001)))]
            .into_iter()
            .collect();
        assert!(matches!(
            long.check(&limits),
            Err(ValidationError::ValueTooLong { .. })
        ));
    }
}
