//! Server-side request forgery guard. Group admins write webhook URLs, but they are not the
//! server's operator: an endpoint must not reach the server's own host or its private network
//! (metadata services, internal admin ports). Endpoints resolving to loopback, private,
//! link-local, shared, unspecified, multicast or other special ranges are refused at start and
//! before every connection (the resolver below), unless `[webhooks] allow_private = true`.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why an endpoint URL is refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UrlError {
    /// Not `http(s)://host[:port]/…`.
    #[error("webhook url '{0}' must be an http or https URL with a host")]
    Shape(String),
    /// It names or resolves to a private address.
    #[error("webhook url '{url}' reaches {addr}, a loopback or private address (set [webhooks] allow_private = true to allow)")]
    Private {
        /// The URL.
        url: String,
        /// The address.
        addr: IpAddr,
    },
}

/// Whether `ip` is off limits for webhooks.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10 (carrier-grade NAT), 0.0.0.0/8, 192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4
        || (a == 100 && (64..128).contains(&b))
        || a == 0
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local, 2001:db8::/32 documentation
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // 64:ff9b::/96 NAT64 can wrap any IPv4 address
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
}

/// Checks the shape of `url`, and its host when that is an address literal (the resolver is not
/// asked about literals).
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, UrlError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| UrlError::Shape(url.into()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(UrlError::Shape(url.into()));
    }
    if allow_private {
        return Ok(parsed);
    }
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
        _ => None,
    };
    match literal {
        Some(addr) if forbidden(addr) => Err(UrlError::Private {
            url: url.into(),
            addr,
        }),
        _ => Ok(parsed),
    }
}

/// Resolves `url`'s host and refuses it if any address is forbidden (at start: a name that
/// resolves to a private address now is a configuration mistake). A name that does not resolve
/// yet passes: the resolver checks again at every connection.
pub async fn check_resolved(url: &reqwest::Url) -> Result<(), UrlError> {
    let Some(host) = url.host_str() else {
        return Err(UrlError::Shape(url.to_string()));
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let Ok(addrs) = tokio::net::lookup_host((host.trim_matches(['[', ']']), port)).await else {
        return Ok(());
    };
    for a in addrs {
        if forbidden(a.ip()) {
            return Err(UrlError::Private {
                url: url.to_string(),
                addr: a.ip(),
            });
        }
    }
    Ok(())
}

/// The HTTP client's resolver: the system resolver, minus forbidden addresses. A name with only
/// forbidden addresses fails to resolve, so no connection is made.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = all.into_iter().filter(|a| !forbidden(a.ip())).collect();
            if allowed.is_empty() {
                return Err(
                    format!("{host} resolves only to loopback or private addresses").into(),
                );
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_private_literals() {
        for url in [
            "http://10.0.0.1/hook",
            "http://127.0.0.1:9/x",
            "http://169.254.169.254/latest",
            "http://[::1]/x",
            "http://[fd00::1]/x",
            "http://[::ffff:192.168.1.1]/x",
            "http://100.64.1.1/x",
        ] {
            assert!(
                matches!(check_url(url, false), Err(UrlError::Private { .. })),
                "{url}"
            );
            assert!(check_url(url, true).is_ok(), "{url} allowed");
        }
        assert!(check_url("https://93.184.216.34/hook", false).is_ok());
        assert!(check_url("ftp://example.com/", false).is_err());
        assert!(check_url("not a url", false).is_err());
    }
}
