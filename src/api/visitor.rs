//! `GLANCE.Presence.Visitor` (§2.3): the core object behind one page visitor object.

use crate::api::context::{backoff, config, endpoint, version};
use crate::core::presence::{PresenceMap, Scalar};
use crate::core::visitor::{visitor_event, EventRule, VisitorMachine, VisitorSetup};
use crate::core::Command;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{to_js, JsPayload};
use crate::web::connection::{Connection, Role};
use crate::web::discovery::{expect, presence_request};
use crate::web::dom;
use crate::web::facade::Facade;
use crate::web::global::page_global;
use crate::web::http::later;
use crate::web::page::{call_method, get, value_text};
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use glance_protocol::{
    ErrorCode, ErrorData, UniqueVisitor, ValidationError, Visibility, VisitorId,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A visitor's connection.
pub type VisitorConnection = Connection;

page_global! {
    /// The core of `GLANCE.Presence.Visitor.instance` (the last visitor created): the default
    /// terms flow reports through it.
    static ACTIVE: RefCell<Weak<VisitorConnection>> = const { RefCell::new(Weak::new()) };
}

/// The connection of the active visitor, if it is alive.
pub fn active() -> Option<Rc<VisitorConnection>> {
    ACTIVE.with(|a| a.borrow().upgrade())
}

/// The core of one `GLANCE.Presence.Visitor`. Dropping it closes the socket and removes its
/// timers and listeners.
#[wasm_bindgen]
pub struct VisitorCore {
    facade: Rc<Facade>,
    conn: Result<Rc<VisitorConnection>, ValidationError>,
    /// Counts `disconnect()` calls: a `/uniquevisitor` reply that arrives after one is dropped.
    epoch: Rc<Cell<u32>>,
}

#[wasm_bindgen]
impl VisitorCore {
    /// Binds to the page's object `facade`, configured by `params` (`groupid`, `visitorid`) over
    /// the page configuration. Does no I/O; becomes the active visitor.
    #[wasm_bindgen(constructor)]
    pub fn new(facade: JsValue, params: JsValue) -> VisitorCore {
        let facade = Rc::new(Facade::new(facade));
        let config = config(&params);
        let conn = endpoint(&config).map(|endpoint| {
            let setup = VisitorSetup {
                groupid: endpoint.groupid,
                visitorid: config.visitor().ok(),
                guesttoken: config.guesttoken.clone(),
                user: config.user.clone(),
                nokeepalive: config.nokeepalive,
                version: version(),
                visibility: dom::visibility(),
                number_chars: dom::number_chars,
            };
            let machine = VisitorMachine::new(setup, backoff());
            Connection::new(Role::Visitor, endpoint, facade.clone(), Box::new(machine))
        });
        if let Ok(c) = &conn {
            ACTIVE.with(|a| *a.borrow_mut() = Rc::downgrade(c));
        }
        VisitorCore {
            facade,
            conn,
            epoch: Rc::default(),
        }
    }

    /// `presence({data}?)`: sends the presence map, connecting if needed.
    pub fn presence(&self, opts: JsValue) {
        let data = presence_map(&get(&opts, "data"));
        self.command(Command::Presence {
            data,
            page: dom::page_facts(),
        });
    }

    /// Opens the socket (no-op if connecting or connected).
    pub fn connect(&self) {
        self.command(Command::Connect);
    }

    /// Closes it; stops timers; no reconnect.
    pub fn disconnect(&self) {
        self.epoch.set(self.epoch.get().wrapping_add(1));
        if let Ok(c) = &self.conn {
            c.command(Command::Disconnect);
        }
    }

    /// Whether the socket is open and answered.
    pub fn isconnected(&self) -> bool {
        self.conn
            .as_ref()
            .is_ok_and(|c| c.inspect(|m| m.is_connected()))
    }

    /// Changes the visitor id; reconnects if connected.
    #[wasm_bindgen(js_name = setVisitorId)]
    pub fn set_visitor_id(&self, id: JsValue) {
        match value_text(&id).map(|id| VisitorId::parse(&id)) {
            Some(Ok(id)) => self.command(Command::SetVisitorId(id)),
            _ => self.error(
                ErrorCode::InvalidParameter,
                &ValidationError::VisitorId.message(),
            ),
        }
    }

    /// `fire(type, data)`.
    pub fn fire(&self, kind: JsValue, data: JsValue) {
        self.event(kind, data, EventRule::Fire);
    }

    /// `signalAgent(name, props)`: `terms` or `c_*` only.
    #[wasm_bindgen(js_name = signalAgent)]
    pub fn signal_agent(&self, name: JsValue, props: JsValue) {
        self.event(name, props, EventRule::SignalAgent);
    }

    /// `signalVisibility(visible)`.
    #[wasm_bindgen(js_name = signalVisibility)]
    pub fn signal_visibility(&self, visible: JsValue) {
        let visibility = if visible.is_truthy() {
            Visibility::Visible
        } else {
            Visibility::Hidden
        };
        self.command(Command::SignalVisibility(visibility));
    }

    /// `setDefaultUI(false)`: `onshowterms` instead of the built-in dialog.
    #[wasm_bindgen(js_name = setDefaultUI)]
    pub fn set_default_ui(&self, on: JsValue) {
        let on = on.is_undefined() || on.is_truthy();
        self.command(Command::SetDefaultUi(on));
    }

    /// `connectUnique({data}?)`: gets a unique id, reports it, connects with it.
    #[wasm_bindgen(js_name = connectUnique)]
    pub fn connect_unique(&self, opts: JsValue) {
        let data = get(&opts, "data");
        let presence = (!data.is_undefined()).then(|| presence_map(&data));
        self.unique(None, presence);
    }

    /// `extendUnique()`: renews the unique id's timeout.
    #[wasm_bindgen(js_name = extendUnique)]
    pub fn extend_unique(&self) {
        let current = self.conn.as_ref().ok().and_then(|c| {
            c.inspect(|m| Some((m.visitorid()?.clone(), m.guesttoken()?.to_owned())))
        });
        match current {
            Some(current) if current.0.unique_digits().is_some() => {
                self.unique(Some(current), None)
            }
            _ => self.error(
                ErrorCode::InvalidParameter,
                "extendUnique needs a unique visitor (connectUnique first)",
            ),
        }
    }
}

impl VisitorCore {
    /// The connection, or `None` after reporting to `onerror` why there is none (a bad
    /// configuration).
    fn conn(&self) -> Option<&Rc<VisitorConnection>> {
        match &self.conn {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(ErrorCode::InvalidParameter, &e.message());
                None
            }
        }
    }

    /// Hands `command` to the connection. Not generic and never inlined: one copy serves every
    /// method.
    #[inline(never)]
    fn command(&self, command: Command<JsPayload>) {
        if let Some(c) = self.conn() {
            c.command(command);
        }
    }

    #[inline(never)]
    fn error(&self, error: ErrorCode, detail: &str) {
        call_method(
            &self.facade.get(),
            "onerror",
            &[to_js(&ErrorData {
                error,
                detail: Some(detail.to_owned()),
            })],
        );
    }

    fn event(&self, kind: JsValue, data: JsValue, rule: EventRule) {
        let kind = kind.as_string().unwrap_or_default();
        let data = (!data.is_undefined() && !data.is_null()).then_some(JsPayload(data));
        match visitor_event(&kind, data, rule) {
            Ok(event) => self.command(Command::Fire(event)),
            Err(e) => self.error(ErrorCode::InvalidParameter, &e.message()),
        }
    }

    /// `GET /uniquevisitor` (new, or extending `current`), then `Command::Unique`.
    fn unique(&self, current: Option<(VisitorId, String)>, presence: Option<PresenceMap>) {
        let Some(conn) = self.conn() else {
            return;
        };
        let (weak, endpoint, facade) = (
            Rc::downgrade(conn),
            conn.endpoint().clone(),
            self.facade.clone(),
        );
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
                        Err(e) => {
                            let error = ErrorData {
                                error: ErrorCode::Connfail,
                                detail: Some(e.detail().to_owned()),
                            };
                            call_method(&facade.get(), "onerror", &[to_js(&error)]);
                        }
                    }
                }),
            )
        }));
    }
}

/// The caller's presence data as a map; objects and arrays are kept as [`Scalar::Other`] so
/// that the limit check refuses them by name.
fn presence_map(data: &JsValue) -> PresenceMap {
    let Some(obj) = data.dyn_ref::<js_sys::Object>() else {
        return PresenceMap::new();
    };
    js_sys::Object::entries(obj)
        .iter()
        .filter_map(|entry| {
            let entry: js_sys::Array = entry.dyn_into().ok()?;
            let key = entry.get(0).as_string()?;
            let value = entry.get(1);
            let scalar = if let Some(s) = value.as_string() {
                Scalar::Str(s)
            } else if let Some(n) = value.as_f64() {
                Scalar::Num(n)
            } else if let Some(b) = value.as_bool() {
                Scalar::Bool(b)
            } else if value.is_null() || value.is_undefined() {
                Scalar::Null
            } else {
                Scalar::Other
            };
            Some((key, scalar))
        })
        .collect()
}
