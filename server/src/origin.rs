//! Agent origins: which web pages may use the agent API of a group (§4, §5).

use std::fmt;
use std::net::SocketAddr;

/// One allowed origin: `scheme://host[:port]`, where the port may be `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    host: String,
    /// `None`: any port (`:*`); `Some("")`: the scheme's default port.
    port: Option<String>,
}

/// An origin pattern that does not parse.
#[derive(Debug, Clone, thiserror::Error)]
#[error("agent origin '{0}' must look like https://host[:port] or http://host:*")]
pub struct BadOrigin(String);

impl OriginPattern {
    /// Parses `scheme://host[:port|:*]`.
    pub fn parse(s: &str) -> Result<Self, BadOrigin> {
        let bad = || BadOrigin(s.to_owned());
        let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
        if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
            return Err(bad());
        }
        let (host, port) = split_port(rest);
        if host.is_empty() {
            return Err(bad());
        }
        let port = match port {
            Some("*") => None,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => Some(p.to_owned()),
            Some(_) => return Err(bad()),
            None => Some(String::new()),
        };
        Ok(Self {
            scheme: scheme.to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The patterns allowed when a group names none: localhost on any port, both schemes.
    pub fn localhost() -> Vec<Self> {
        [
            "http://localhost:*",
            "https://localhost:*",
            "http://127.0.0.1:*",
            "https://127.0.0.1:*",
            "http://[::1]:*",
        ]
        .iter()
        .filter_map(|p| Self::parse(p).ok())
        .collect()
    }

    /// Whether the `Origin` header value matches.
    pub fn matches(&self, origin: &str) -> bool {
        let Some((scheme, rest)) = origin.split_once("://") else {
            return false;
        };
        let (host, port) = split_port(rest);
        if scheme != self.scheme || !host.eq_ignore_ascii_case(&self.host) {
            return false;
        }
        let default = if scheme == "https" { "443" } else { "80" };
        let port = port.unwrap_or(default);
        match &self.port {
            None => true,
            Some(p) if p.is_empty() => port == default,
            Some(p) => p == port,
        }
    }
}

/// Splits `host:port`, minding `[v6]:port`.
fn split_port(hostport: &str) -> (&str, Option<&str>) {
    if let Some(end) = hostport.strip_prefix('[').and_then(|r| r.find(']')) {
        let host = &hostport[..end + 2];
        return (host, hostport[end + 2..].strip_prefix(':'));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match &self.port {
            None => f.write_str(":*"),
            Some(p) if p.is_empty() => Ok(()),
            Some(p) => write!(f, ":{p}"),
        }
    }
}

/// The server's own origins, for groups that name no agent origins: localhost on any port, the
/// configured public host, and the bound address when it is a specific one.
///
/// Derived from configuration only, never from a request's `Host` header: a page on a name that
/// resolves to this server (DNS rebinding) sends `Origin` and `Host` alike, so comparing the two
/// proves nothing about who serves the page.
pub fn own_origins(public_host: Option<&str>, bound: SocketAddr) -> Vec<OriginPattern> {
    let mut out = OriginPattern::localhost();
    let mut add = |hostport: &str| {
        for scheme in ["http", "https"] {
            if let Ok(p) = OriginPattern::parse(&format!("{scheme}://{hostport}")) {
                out.push(p);
            }
        }
    };
    if let Some(h) = public_host {
        add(h);
    }
    if !bound.ip().is_unspecified() && !bound.ip().is_loopback() {
        add(&bound.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_wildcards() {
        let p = OriginPattern::parse("https://crm.example.com").unwrap();
        assert!(p.matches("https://crm.example.com"));
        assert!(p.matches("https://crm.example.com:443"));
        assert!(!p.matches("https://crm.example.com:8443"));
        assert!(!p.matches("http://crm.example.com"));
        assert!(!p.matches("https://evil.example.com"));
        let any = OriginPattern::parse("http://localhost:*").unwrap();
        assert!(any.matches("http://localhost:5173"));
        assert!(!any.matches("http://localhost.evil.com:5173"));
        assert!(OriginPattern::parse("ftp://x").is_err());
        assert!(OriginPattern::parse("https://x/path").is_err());
    }

    #[test]
    fn own_origins_come_from_configuration() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let own = |list: &[OriginPattern], o: &str| list.iter().any(|p| p.matches(o));
        let demo = own_origins(None, any);
        assert!(own(&demo, "http://localhost:8080"));
        assert!(own(&demo, "http://127.0.0.1:8080"));
        assert!(!own(&demo, "http://rebound.example:8080"));
        let public = own_origins(Some("presence.example.com"), any);
        assert!(own(&public, "https://presence.example.com"));
        assert!(own(&public, "http://presence.example.com"));
        assert!(!own(&public, "https://presence.example.com:8443"));
        let with_port = own_origins(Some("presence.example.com:8443"), any);
        assert!(own(&with_port, "https://presence.example.com:8443"));
        let bound = own_origins(None, "10.1.2.3:8080".parse().unwrap());
        assert!(own(&bound, "http://10.1.2.3:8080"));
        assert!(!own(&bound, "http://10.1.2.3:9090"));
    }
}
