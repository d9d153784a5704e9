//! The presence map a visitor sends (§2.3): `user-*` configuration, page facts, the caller's data on
//! top, checked against the limits of §6 before anything is sent.

use crate::useragent::{detect, Detected};
use crate::value::Value;
use glance_protocol::{
    check_presence_counted, check_presence_totals, PresenceLimits, ValidationError,
};

/// Characters a presence value counts for (§6); `None` for objects and arrays, which presence
/// refuses by name. A number counts the characters of its text.
fn chars(value: &Value) -> Option<usize> {
    match value {
        Value::String(s) => Some(s.chars().count()),
        Value::Number(n) => Some(crate::value::number_text(*n).len()),
        Value::Bool(true) => Some(4),
        Value::Bool(false) => Some(5),
        Value::Null => Some(0),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// An ordered presence map (the members of a JSON object); setting an existing key replaces its
/// value in place.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceMap(pub Vec<(String, Value)>);

impl PresenceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &str, value: Value) {
        crate::value::put(&mut self.0, key.into(), value);
    }

    /// Sets every entry of `other`, in its order.
    pub fn merge(&mut self, other: &PresenceMap) {
        for (k, v) in &other.0 {
            self.set(k, v.clone());
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        crate::value::member(&self.0, key)
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
            total += check_presence_counted(limits, name, chars(value))?;
        }
        check_presence_totals(limits, self.0.len(), total)
    }

    /// The map as a JSON object, in its order.
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
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
    map.set("url", Value::String(url));
    map.set("browser", Value::str(browser));
    map.set("browserver", Value::String(version));
    map.set("platform", Value::str(platform.as_str()));
    map.merge(caller);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn map(entries: Vec<(String, Value)>) -> PresenceMap {
        PresenceMap(entries)
    }

    trait Pipe: Sized {
        fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
            f(self)
        }
    }
    impl<T> Pipe for T {}

    const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    #[test]
    fn merge_order_caller_wins() {
        let user: PresenceMap = [
            ("name".to_string(), s("Ann")),
            ("url".to_string(), s("user")),
        ]
        .into_iter()
        .collect::<Vec<_>>()
        .pipe(map);
        let caller: PresenceMap = [
            ("name".to_string(), s("Bob")),
            ("cart".to_string(), Value::Number(3.0)),
        ]
        .into_iter()
        .collect::<Vec<_>>()
        .pipe(map);
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
        let objects = map(vec![("x".to_string(), Value::Array(vec![]))]);
        assert_eq!(
            objects.check(&limits),
            Err(ValidationError::ValueType("x".into()))
        );
        let many: PresenceMap = (0..21)
            .map(|i| (format!("k{i}"), Value::Number(f64::from(i))))
            .collect::<Vec<_>>()
            .pipe(map);
        assert_eq!(
            many.check(&limits),
            Err(ValidationError::TooManyProperties(20))
        );
        let long: PresenceMap = [("v".to_string(), s(&"x".repeat(2001)))]
            .into_iter()
            .collect::<Vec<_>>()
            .pipe(map);
        assert!(matches!(
            long.check(&limits),
            Err(ValidationError::ValueTooLong { .. })
        ));
    }
}
