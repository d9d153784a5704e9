//! Where requests go: the web/authorization service origin (`ws`), the presence host, and URL
//! building.
//!
//! `ws` is `host[:port]` (https) or a full origin `http(s)://host[:port]`. Presence hosts arrive
//! as `host[:port]` from the server and use the scheme of the `ws` origin: `http` gives `ws://`,
//! `https` gives `wss://` (a self-hosted server on plain http stays on plain http).

#[allow(unused_imports)]
use glance_protocol::{find, join};
/// A scheme + host of one of the services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceOrigin {
    /// `https` / `wss` when true.
    pub secure: bool,
    /// `host[:port]`.
    pub host: String,
}

impl ServiceOrigin {
    /// Parses `host[:port]` or `http(s)://host[:port][/...]`. `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        // ASCII whitespace only, here and in the configuration: `str::trim` would bring core's
        // Unicode whitespace table into the browser module.
        let text = text.trim_ascii();
        let (secure, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (false, rest)
        } else if find(text, "://").is_some() {
            return None;
        } else {
            (true, text)
        };
        let end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#'));
        let host = rest.get(..end.unwrap_or(rest.len())).unwrap_or_default();
        let valid = !host.is_empty()
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_')
            });
        valid.then(|| Self {
            secure,
            host: host.to_owned(),
        })
    }

    /// The same scheme at another host (a presence host told by the server).
    pub fn with_host(&self, host: &str) -> Self {
        Self {
            secure: self.secure,
            host: host.trim_ascii().to_owned(),
        }
    }

    /// A presence host given as `host[:port]` (this origin's scheme) or as a full origin
    /// (its own scheme), e.g. the `presenceserver` param. `None` when it is neither.
    pub fn presence_host(&self, text: &str) -> Option<Self> {
        let parsed = Self::parse(text)?;
        Some(if find(text, "://").is_some() {
            parsed
        } else {
            self.with_host(&parsed.host)
        })
    }

    /// `http(s)://host` + `path` (see [`query`] for its parameters).
    pub fn http_url(&self, path: &str) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        join(&[scheme, "://", &self.host, path])
    }

    /// `ws(s)://host` + `path`.
    pub fn ws_url(&self, path: &str) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        join(&[scheme, "://", &self.host, path])
    }
}

/// The origin of a script URL (`https://cdn.example/x/glance-presence.js` → `https://cdn.example`).
pub fn origin_of_url(url: &str) -> Option<ServiceOrigin> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    ServiceOrigin::parse(url)
}

/// Appends the query parameter `key=value` to `url` (percent-encoded).
pub fn query(url: &mut String, key: &str, value: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(key);
    url.push('=');
    percent_encode(value, url);
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn percent_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms_of_ws() {
        assert_eq!(
            ServiceOrigin::parse("www.glance.net"),
            Some(ServiceOrigin {
                secure: true,
                host: "www.glance.net".into()
            })
        );
        assert_eq!(
            ServiceOrigin::parse("http://127.0.0.1:8080/"),
            Some(ServiceOrigin {
                secure: false,
                host: "127.0.0.1:8080".into()
            })
        );
        assert_eq!(
            ServiceOrigin::parse("https://p.example:8443/x/y.js"),
            Some(ServiceOrigin {
                secure: true,
                host: "p.example:8443".into()
            })
        );
        assert_eq!(ServiceOrigin::parse("ftp://x"), None);
        assert_eq!(ServiceOrigin::parse(""), None);
        assert_eq!(ServiceOrigin::parse("a b"), None);
        assert_eq!(origin_of_url("file:///x.js"), None);
    }

    #[test]
    fn presence_hosts_in_both_forms() {
        let plain = ServiceOrigin::parse("http://web.example:8080").unwrap();
        let bare = plain.presence_host("p1.example:9000").unwrap();
        assert_eq!(bare.ws_url("/agent"), "ws://p1.example:9000/agent");
        let full = plain.presence_host("https://p2.example").unwrap();
        assert_eq!(full.ws_url("/agent"), "wss://p2.example/agent");
        assert!(plain.presence_host("ftp://p3.example").is_none());
        assert!(plain.presence_host("").is_none());
    }

    #[test]
    fn builds_urls() {
        let o = ServiceOrigin::parse("http://127.0.0.1:9").unwrap();
        let p = o.with_host("127.0.0.1:10");
        assert_eq!(p.ws_url("/visitorws"), "ws://127.0.0.1:10/visitorws");
        let mut url = p.http_url("/presence");
        query(&mut url, "groupid", "12345");
        query(&mut url, "visitorid", "a b&c");
        assert_eq!(
            url,
            "http://127.0.0.1:10/presence?groupid=12345&visitorid=a%20b%26c"
        );
        assert_eq!(
            ServiceOrigin::parse("x.example").unwrap().ws_url("/agent"),
            "wss://x.example/agent"
        );
    }
}
