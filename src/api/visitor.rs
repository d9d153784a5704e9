//! `GLANCE.Presence.Visitor` (§2.3): the core object behind one page visitor object.

use crate::api::context::{backoff, config, endpoint, version};
use crate::core::json::Json;
use crate::core::presence::{PresenceMap, Scalar};
use crate::core::visitor::{visitor_event, EventRule, VisitorMachine, VisitorSetup};
use crate::core::Command;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::connection::{Connection, Role};
use crate::web::discovery::{expect, presence_request};
use crate::web::dom::{self, value_text};
use crate::web::global::page_global;
use crate::web::http::later;
use crate::web::page::{error, Target};
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use glance_protocol::{ErrorCode, UniqueVisitor, ValidationError, Visibility, VisitorId};

page_global! {
    /// The connection of `GLANCE.Presence.Visitor.instance` (the last visitor created): the
    /// default terms flow reports through it.
    static ACTIVE: RefCell<Weak<Connection>> = const { RefCell::new(Weak::new()) };
}

/// The connection of the active visitor, if it is alive.
pub fn active() -> Option<Rc<Connection>> {
    ACTIVE.with(|a| a.borrow().upgrade())
}

/// The core of one `GLANCE.Presence.Visitor`. Dropping it closes the socket and removes its
/// timers and listeners.
pub struct VisitorCore {
    page: Target,
    conn: Result<Rc<Connection>, ValidationError>,
    /// Counts `disconnect()` calls: a `/uniquevisitor` reply that arrives after one is dropped.
    epoch: Rc<Cell<u32>>,
}

impl VisitorCore {
    /// Binds to the page's object `page`, configured by `params` (`groupid`, `visitorid`) over
    /// the page configuration. Does no I/O; becomes the active visitor.
    pub fn new(page: Target, params: Option<&Json>) -> Self {
        let config = config(params);
        let conn = endpoint(&config).map(|endpoint| {
            let setup = VisitorSetup {
                groupid: endpoint.groupid,
                visitorid: config.visitor().ok(),
                guesttoken: config.guesttoken.clone(),
                user: config.user.clone(),
                nokeepalive: config.nokeepalive,
                version: version(),
                visibility: dom::visibility(),
            };
            let machine = VisitorMachine::new(setup, backoff());
            Connection::new(Role::Visitor, endpoint, page, Box::new(machine))
        });
        if let Ok(c) = &conn {
            ACTIVE.with(|a| *a.borrow_mut() = Rc::downgrade(c));
        }
        Self {
            page,
            conn,
            epoch: Rc::default(),
        }
    }

    /// Runs method `name` with the page's arguments (`None`: JSON could not carry them).
    /// Returns what the method returns, as JSON text.
    pub fn call(&self, name: &str, args: Option<&[Json]>) -> Option<String> {
        let arg = |i: usize| args.and_then(|a| a.get(i));
        let data = || arg(0).and_then(|o| o.get("data"));
        match name {
            "presence" => self.command(Command::Presence {
                data: presence_map(data()),
                page: dom::page_facts(),
            }),
            "connect" => self.command(Command::Connect),
            "disconnect" => {
                self.epoch.set(self.epoch.get().wrapping_add(1));
                if let Ok(c) = &self.conn {
                    c.command(Command::Disconnect);
                }
            }
            "isconnected" => {
                let connected = self
                    .conn
                    .as_ref()
                    .is_ok_and(|c| c.inspect(|m| m.is_connected()));
                return Some((if connected { "true" } else { "false" }).into());
            }
            "setVisitorId" => match arg(0).and_then(value_text).map(|id| VisitorId::parse(&id)) {
                Some(Ok(id)) => self.command(Command::SetVisitorId(id)),
                _ => self.invalid(&ValidationError::VisitorId.message()),
            },
            "fire" => self.event(arg(0), arg(1), EventRule::Fire),
            "signalAgent" => self.event(arg(0), arg(1), EventRule::SignalAgent),
            "signalVisibility" => {
                let visibility = if arg(0).is_some_and(truthy) {
                    Visibility::Visible
                } else {
                    Visibility::Hidden
                };
                self.command(Command::SignalVisibility(visibility));
            }
            "setDefaultUI" => {
                // `setDefaultUI()` turns it on; the loader drops trailing `undefined`s.
                let on = arg(0).is_none_or(truthy);
                self.command(Command::SetDefaultUi(on));
            }
            "connectUnique" => {
                let presence = data().map(|d| presence_map(Some(d)));
                self.unique(None, presence);
            }
            "extendUnique" => self.extend_unique(),
            _ => {}
        }
        None
    }

    /// The connection, or `None` after reporting to `onerror` why there is none (a bad
    /// configuration).
    fn conn(&self) -> Option<&Rc<Connection>> {
        match &self.conn {
            Ok(c) => Some(c),
            Err(e) => {
                self.invalid(&e.message());
                None
            }
        }
    }

    /// Hands `command` to the connection. Not generic and never inlined: one copy serves every
    /// method.
    #[inline(never)]
    fn command(&self, command: Command<Json>) {
        if let Some(c) = self.conn() {
            c.command(command);
        }
    }

    #[inline(never)]
    fn invalid(&self, detail: &str) {
        error(self.page, ErrorCode::InvalidParameter, detail);
    }

    fn event(&self, kind: Option<&Json>, data: Option<&Json>, rule: EventRule) {
        let kind = kind.and_then(Json::as_str).unwrap_or_default();
        let data = data.filter(|d| !d.is_null()).cloned();
        match visitor_event(kind, data, rule) {
            Ok(event) => self.command(Command::Fire(event)),
            Err(e) => self.invalid(&e.message()),
        }
    }

    fn extend_unique(&self) {
        let current = self.conn.as_ref().ok().and_then(|c| {
            c.inspect(|m| Some((m.visitorid()?.clone(), m.guesttoken()?.to_owned())))
        });
        match current {
            Some(current) if current.0.unique_digits().is_some() => {
                self.unique(Some(current), None)
            }
            _ => self.invalid("extendUnique needs a unique visitor (connectUnique first)"),
        }
    }

    /// `GET /uniquevisitor` (new, or extending `current`), then `Command::Unique`.
    fn unique(&self, current: Option<(VisitorId, String)>, presence: Option<PresenceMap>) {
        let Some(conn) = self.conn() else {
            return;
        };
        let (weak, endpoint, page) = (Rc::downgrade(conn), conn.endpoint().clone(), self.page);
        let (epoch, started) = (self.epoch.clone(), self.epoch.get());
        let extending = current.is_some();
        later(Box::new(move || {
            let query: Vec<(&str, &str)> = match &current {
                Some((id, token)) => {
                    vec![("visitorid", id.as_str()), ("guesttoken", token.as_str())]
                }
                None => vec![],
            };
            presence_request(
                &endpoint,
                "/uniquevisitor",
                &query,
                None,
                None,
                None,
                Box::new(move |reply| {
                    let Some(conn) = weak.upgrade() else { return };
                    if epoch.get() != started {
                        return; // disconnect() since the call: nothing more happens
                    }
                    match reply.and_then(|reply| expect::<UniqueVisitor>(&reply)) {
                        // An extension renews the id's timeout and its guest token: reported,
                        // nothing reconnects.
                        Ok(reply) if extending => conn.command(Command::RenewUnique(reply)),
                        Ok(reply) => {
                            conn.command(Command::Unique(reply));
                            if let Some(data) = presence {
                                conn.command(Command::Presence {
                                    data,
                                    page: dom::page_facts(),
                                });
                            }
                        }
                        Err(e) => error(page, ErrorCode::Connfail, e.detail()),
                    }
                }),
            )
        }));
    }
}

/// JavaScript truthiness of a value JSON carried.
fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != 0.0,
        Json::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// The caller's presence data as a map; objects and arrays are kept as [`Scalar::Other`] so
/// that the limit check refuses them by name.
fn presence_map(data: Option<&Json>) -> PresenceMap {
    let Some(Json::Object(members)) = data else {
        return PresenceMap::new();
    };
    members
        .iter()
        .map(|(key, value)| {
            let scalar = match value {
                Json::String(s) => Scalar::Str(s.clone()),
                Json::Number(n) => Scalar::Num(n.as_text().to_owned()),
                Json::Bool(b) => Scalar::Bool(*b),
                Json::Null => Scalar::Null,
                _ => Scalar::Other,
            };
            (key.clone(), scalar)
        })
        .collect()
}
