//! `GLANCE.Authorization` (§2.1): getting, holding and dropping the agent's token. It lives in
//! `data-authtoken`, in a token given with `setToken`, and in `localStorage["glanceauth"]` with
//! its expiry.

use crate::codec;
use crate::config::Config;
use crate::failure::FailCode;
use crate::frames;
use crate::host::{self, page, Read};
use crate::method::Method;
use crate::origin::query;
use crate::page::{Shared, Target, What};
use crate::token::{clamp_duration, pick_token, StoredToken};
use crate::value::{whole_u32, Value};
use crate::visitor::value_text;
use glance_protocol::decimal;
use glance_protocol::AuthorizeRequest;

/// The `localStorage` key.
pub const STORAGE_KEY: &str = "glanceauth";

/// What the module holds besides `localStorage`.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Given with `setToken` (each of these is empty when there is none).
    set: String,
    /// The configured `data-authtoken`.
    configured: String,
    /// A `data-authtoken` cleared by `clearToken()` or a 401/403: not taken up again when the
    /// configuration is read again.
    rejected: String,
    /// An authorized token that `localStorage` refused (storage disabled or full), kept for this
    /// page instead: the JSON text storage would have held.
    unstored: String,
}

impl Tokens {
    /// No token at all.
    pub const fn new() -> Self {
        Self {
            set: String::new(),
            configured: String::new(),
            rejected: String::new(),
            unstored: String::new(),
        }
    }

    /// The stored token: `localStorage`'s (JSON `{token, expires, groupid?}`), else the one
    /// storage refused.
    fn stored(&self) -> Option<StoredToken> {
        // Storage can be disabled (privacy settings): the host then reads nothing.
        if !self.unstored.is_empty() {
            return parse_stored(&self.unstored);
        }
        parse_stored(&page(Read::Storage, STORAGE_KEY)?)
    }

    /// The token to use now, in the documented order.
    pub fn token(&self) -> Option<String> {
        let stored = self.stored();
        let picked = pick_token(
            Some(&self.configured),
            Some(&self.set),
            stored.as_ref(),
            host::now(),
        );
        picked.map(Into::into)
    }

    /// Records `data-authtoken` as the page has it now: none when the page removed or emptied
    /// it, or still says the one that was cleared.
    pub fn configure(&mut self, config: &Config) {
        let token = &config.authtoken;
        self.configured = if *token == self.rejected {
            String::new()
        } else {
            token.clone()
        };
    }

    /// `clearToken()`.
    pub fn clear(&mut self) {
        self.set.clear();
        self.unstored.clear();
        if !self.configured.is_empty() {
            self.rejected = core::mem::take(&mut self.configured);
        }
        host::store(STORAGE_KEY, "");
    }

    /// What a 401/403 from the presence service does: clears the token, unless the page already
    /// holds another one than `failed` (the token the refused request used, when known).
    pub fn clear_if_current(&mut self, failed: Option<&str>) {
        if failed.is_none() || self.token().as_deref() == failed {
            self.clear();
        }
    }

    /// Keeps an authorized token: in storage, or for this page when storage refuses it.
    fn store(&mut self, token: StoredToken) {
        let mut value = frames::object(&[("token", &token.token)]);
        value.set("expires", Value::Number(token.expires));
        if let Some(group) = token.groupid {
            value.set("groupid", Value::Number(f64::from(group)));
        }
        let text = codec::to_text(&value).unwrap_or_default();
        let stored = host::store(STORAGE_KEY, &text);
        if !stored {
            // An older entry would otherwise outlive the token that replaced it.
            host::store(STORAGE_KEY, "");
        }
        self.unstored = if stored { String::new() } else { text };
    }
}

/// A stored token from its JSON text `{token, expires, groupid?}`.
fn parse_stored(text: &str) -> Option<StoredToken> {
    let value = codec::parse(text)?;
    Some(StoredToken {
        token: value.get("token")?.as_str()?.into(),
        expires: match value.get("expires")? {
            Value::Number(n) => *n,
            _ => return None,
        },
        groupid: match value.get("groupid") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(whole_u32(*n)?),
            Some(_) => return None,
        },
    })
}

/// `GLANCE.Authorization.<name>(args…)` with the page's configuration as it is now (read before
/// the page's state is borrowed: reading `GLANCE_COBROWSE` can run page code); `opts`: the
/// options the host holds for `authorize`. Returns what the method returns, as JSON text
/// (`None`: `undefined`).
pub fn call(
    sh: &mut Shared,
    mut config: Config,
    name: Method,
    args: Option<&[Value]>,
    opts: Target,
) -> Option<Value> {
    let first = args.and_then(|a| a.first());
    // Picks up a `data-authtoken` set since the last read; one not read yet is cleared too.
    sh.tokens.configure(&config);
    match name {
        Method::Authorize => authorize(sh, &mut config, first, opts),
        Method::SetToken => sh.tokens.set = first.and_then(value_text).unwrap_or_default(),
        Method::GetToken => return sh.tokens.token().map(|t| Value::str(&t)),
        Method::ClearToken => sh.tokens.clear(),
        Method::Authorized => return Some(Value::Bool(sh.tokens.token().is_some())),
        _ => {}
    }
    None
}

/// `authorize({service, credentials:{partnerid, partneruserid, loginkey}, groupid, duration,
/// onsuccess, onfail})`. A valid stored token for the group succeeds at once, without a request.
fn authorize(sh: &mut Shared, config: &mut Config, opts: Option<&Value>, callbacks: Target) {
    let text = |from: Option<&Value>, key: &str| from?.get(key).and_then(value_text);
    if let Some(group) = text(opts, "groupid") {
        config.groupid = group;
    }
    let Ok(endpoint) = crate::config::endpoint(config, &sh.script) else {
        return sh.settle(callbacks, Err(FailCode::Error));
    };
    let group = endpoint.group;
    if sh
        .tokens
        .stored()
        .is_some_and(|t| t.valid_for(host::now(), Some(group)))
    {
        return sh.settle(callbacks, Ok(None));
    }
    let group_text = decimal(u64::from(group));
    let credentials = opts.and_then(|o| o.get("credentials"));
    let credential = |key| text(credentials, key).unwrap_or_default();
    let mut partner = credential("partnerid");
    if partner.is_empty() {
        partner.clone_from(&group_text);
    }
    let body = AuthorizeRequest {
        partnerid: partner,
        partneruserid: credential("partneruserid"),
        loginkey: credential("loginkey"),
    };
    let minutes = clamp_duration(match opts.and_then(|o| o.get("duration")) {
        Some(Value::Number(n)) => Some(*n),
        Some(Value::String(s)) => leading_number(s),
        _ => None,
    });
    let service = text(opts, "service");
    let mut url = endpoint
        .service
        .http_url("/services/AuthorizationService.svc/rest/Authorize");
    query(&mut url, "groupid", &group_text);
    query(
        &mut url,
        "service",
        service.as_deref().unwrap_or("presence"),
    );
    query(&mut url, "duration", &decimal(u64::from(minutes)));
    query(&mut url, "site", &endpoint.site);
    let id = sh.route(0, What::Authorize(callbacks, group, minutes));
    host::fetch(
        id,
        "POST",
        &url,
        "",
        &codec::to_text(&body).unwrap_or_default(),
    );
}

/// The Authorize reply: the token (a JSON string) is kept, then `onsuccess()`; else
/// `onfail(authorization | connection | error)`.
pub fn authorized(
    sh: &mut Shared,
    callbacks: Target,
    group: u32,
    minutes: u32,
    status: u16,
    body: &str,
) {
    let outcome = match status {
        0 => Err(FailCode::Connection),
        200..=299 => match codec::parse(body) {
            Some(Value::String(t)) if !t.is_empty() => Ok(t),
            _ => Err(FailCode::Error),
        },
        401 | 403 => Err(FailCode::Authorization),
        _ => Err(FailCode::Error),
    };
    if let Ok(token) = &outcome {
        let token = StoredToken::new(token.clone(), host::now(), minutes, Some(group));
        sh.tokens.store(token);
    }
    sh.settle(callbacks, outcome.map(|_| None));
}

/// The number a text starts with, as `parseFloat` reads it (`"30"`, `" 30.6 min"`, `"1e2"`,
/// `"-5"`, `"+5"`).
fn leading_number(text: &str) -> Option<f64> {
    crate::codec::parse_float(text)
}
