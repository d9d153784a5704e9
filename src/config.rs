//! Page configuration (§1): `data-*` of `#glance-cobrowse`, then of `#cobrowsescript`, then
//! `window.GLANCE_COBROWSE`, then constructor params. Later sources win.
//!
//! Each source gives `(key, value)` text pairs (`data-user-name` becomes `user-name`); later ones
//! overwrite earlier ones.

use crate::host::{page_value, Read};
use crate::origin::{origin_of_url, ServiceOrigin};
use crate::presence::PresenceMap;
use crate::resolve::Endpoint;
use crate::value::Value;
use crate::visitor::value_text;
use glance_protocol::join;
use glance_protocol::{GroupId, ValidationError, VisitorId, UNIQUE_PREFIX};

/// `data-presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PresenceMode {
    /// Not set: install the API only.
    #[default]
    Unset,
    /// `on`: create a visitor and send presence once the DOM is loaded.
    On,
    /// `api`: install the API only.
    Api,
}

/// The merged configuration. Text settings are empty when not given (an empty value clears).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// `groupid`, as given.
    pub groupid: String,
    /// `visitorid` (or `UNQ-` + `uniqueid`), as given.
    pub visitorid: String,
    /// `ws`: the web/authorization service.
    pub ws: String,
    /// `site`: `production` | `staging`.
    pub site: String,
    /// `presence`.
    pub presence: PresenceMode,
    /// `authtoken`.
    pub authtoken: String,
    /// `nokeepalive`: do not send keepalive frames.
    pub nokeepalive: bool,
    /// `guesttoken`.
    pub guesttoken: String,
    /// `presenceserver` (constructor param): overrides the discovered presence host.
    pub presenceserver: String,
    /// `user-*` fields, in order.
    pub user: PresenceMap,
}

impl Config {
    /// Merges sources of pairs in order (later wins).
    pub fn merge<'a, S, I>(sources: S) -> Self
    where
        S: IntoIterator<Item = I>,
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut config = Self::default();
        for source in sources {
            for (key, value) in source {
                config.apply(key, value);
            }
        }
        config
    }

    /// Applies one key. Unknown keys are ignored (pages carry other products' settings).
    pub fn apply(&mut self, key: &str, value: &str) {
        let key = key.trim_ascii().to_ascii_lowercase();
        let text = value.trim_ascii();
        let slot = match key.as_str() {
            "groupid" => &mut self.groupid,
            "visitorid" | "uniqueid" => &mut self.visitorid,
            "ws" => &mut self.ws,
            "site" => &mut self.site,
            "authtoken" => &mut self.authtoken,
            "guesttoken" => &mut self.guesttoken,
            "presenceserver" => &mut self.presenceserver,
            _ => return self.apply_flag(&key, value),
        };
        *slot = if key == "uniqueid" && !text.is_empty() {
            join(&[UNIQUE_PREFIX, text])
        } else {
            text.into()
        };
    }

    /// The keys that are not text settings: `presence`, `nokeepalive`, `user-*`.
    fn apply_flag(&mut self, key: &str, value: &str) {
        match key {
            "presence" => {
                self.presence = match value.trim_ascii() {
                    "on" => PresenceMode::On,
                    "api" => PresenceMode::Api,
                    _ => PresenceMode::Unset,
                }
            }
            "nokeepalive" => {
                self.nokeepalive = !matches!(value.trim_ascii(), "false" | "0" | "off" | "no")
            }
            _ => {
                if let Some(field) = key.strip_prefix("user-").filter(|f| !f.is_empty()) {
                    self.user.set(field, Value::str(value));
                }
            }
        }
    }

    /// Applies the entries of a plain config object (`window.GLANCE_COBROWSE`, constructor
    /// params), their text as [`value_text`] gives it. A nested `user: {name}` object counts as
    /// `user-name`; other objects and arrays are skipped. With `prefix` `data-`, the object is an
    /// element's attributes: only `data-*` ones count, without the prefix (`data-user-name` →
    /// `user-name`).
    pub fn apply_object(&mut self, obj: Option<&Value>, prefix: &str) {
        let Some(Value::Object(members)) = obj else {
            return;
        };
        for (key, value) in members {
            if key == "user" && prefix.is_empty() && matches!(value, Value::Object(_)) {
                self.apply_object(Some(value), "user-");
            } else if let Some(text) = value_text(value) {
                match prefix {
                    DATA => match data_attribute_key(key) {
                        Some(key) => self.apply(key, &text),
                        None => continue,
                    },
                    _ => self.apply(&join(&[prefix, key]), &text),
                }
            }
        }
    }

    /// The group id, validated.
    pub fn group(&self) -> Result<GroupId, ValidationError> {
        GroupId::parse(&self.groupid)
    }

    /// The visitor id, validated.
    pub fn visitor(&self) -> Result<VisitorId, ValidationError> {
        VisitorId::parse(&self.visitorid)
    }

    /// The web/authorization service: `ws`, else the origin the script came from.
    pub fn service_origin(&self, script_url: &str) -> Option<ServiceOrigin> {
        if self.ws.is_empty() {
            origin_of_url(script_url)
        } else {
            ServiceOrigin::parse(&self.ws)
        }
    }

    /// `site`, defaulting to `production`.
    pub fn site(&self) -> &str {
        if self.site.is_empty() {
            "production"
        } else {
            &self.site
        }
    }
}

/// `data-user-name` → `user-name`; `data-groupid` → `groupid`; `None` for non-data attributes.
pub fn data_attribute_key(attribute: &str) -> Option<&str> {
    attribute.strip_prefix("data-").filter(|k| !k.is_empty())
}

/// The configuration for an object constructed with `params` (§1 order: `#glance-cobrowse`,
/// `#cobrowsescript`, `window.GLANCE_COBROWSE`, params). Read at construction, so a page may set
/// its configuration any time before creating objects.
pub fn read_config(params: Option<&Value>) -> Config {
    let mut config = Config::default();
    let read = page_value;
    // The elements' attributes as `{name: value}`, in document order: only `data-*` count.
    config.apply_object(read(Read::Attributes, "glance-cobrowse").as_ref(), DATA);
    config.apply_object(read(Read::Attributes, "cobrowsescript").as_ref(), DATA);
    config.apply_object(read(Read::GlobalConfig, "").as_ref(), "");
    config.apply_object(params, "");
    config
}

/// The prefix of the attributes that configure the module.
const DATA: &str = "data-";

/// Where an object's requests go: needs a valid group and a `ws` (or the script's origin).
/// `Err`: what is wrong, for `onerror`.
pub fn endpoint(config: &Config, script: &str) -> Result<Endpoint, String> {
    let group = config.group().map_err(|e| e.message())?;
    let service = config
        .service_origin(script)
        .ok_or("ws must be host[:port] or http(s)://host[:port]")?;
    let presenceserver = match config.presenceserver.as_str() {
        "" => None,
        text => Some(
            service
                .presence_host(text)
                .ok_or("presenceserver must be host[:port] or http(s)://host[:port]")?,
        ),
    };
    Ok(Endpoint {
        service,
        group: group.get(),
        site: config.site().into(),
        presenceserver,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_sources_win() {
        let meta = [
            ("groupid", "1"),
            ("visitorid", "meta"),
            ("user-name", "Ann"),
            ("presence", "on"),
        ];
        let script = [("visitorid", "script"), ("ws", "http://127.0.0.1:1")];
        let global = [("user-name", "Bob"), ("user-email", "b@x")];
        let params = [("groupid", "12345")];
        let sources: Vec<Vec<(&str, &str)>> = vec![
            meta.to_vec(),
            script.to_vec(),
            global.to_vec(),
            params.to_vec(),
        ];
        let c = Config::merge(sources);
        assert_eq!(c.group().unwrap().get(), 12345);
        assert_eq!(c.visitor().unwrap().as_str(), "script");
        assert_eq!(c.presence, PresenceMode::On);
        assert_eq!(c.user.get("name"), Some(&Value::str("Bob")));
        assert_eq!(c.user.get("email"), Some(&Value::str("b@x")));
        assert_eq!(c.service_origin("").unwrap().host, "127.0.0.1:1");
    }

    #[test]
    fn uniqueid_and_defaults() {
        let c = Config::merge([vec![("uniqueid", "42"), ("nokeepalive", "")]]);
        assert_eq!(c.visitor().unwrap().as_str(), "UNQ-42");
        assert!(c.nokeepalive);
        assert_eq!(c.site(), "production");
        assert!(c.group().is_err());
        let o = c
            .service_origin("http://localhost:8080/glance-presence.js")
            .unwrap();
        assert_eq!((o.secure, o.host.as_str()), (false, "localhost:8080"));
        assert_eq!(
            Config::merge([vec![("presence", "api")]]).presence,
            PresenceMode::Api
        );
    }

    #[test]
    fn data_attributes() {
        assert_eq!(data_attribute_key("data-user-name"), Some("user-name"));
        assert_eq!(data_attribute_key("id"), None);
        assert_eq!(data_attribute_key("data-"), None);
    }
}
