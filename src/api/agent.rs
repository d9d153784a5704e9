//! `GLANCE.Presence.Agent` (§2.2): the core object behind one page agent object.

use crate::api::context::{backoff, config, endpoint, version};
use crate::api::rest::{agent_get, settle};
use crate::core::action::SignalMessage;
use crate::core::agent::AgentMachine;
use crate::core::invoke::invoke_path;
use crate::core::{Command, FailCode};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{stringify, JsPayload};
use crate::web::connection::{Connection, Role};
use crate::web::facade::Facade;
use crate::web::http::later;
use crate::web::page::{call_method, get, text, value_text};
use crate::web::token_store;
use alloc::rc::Rc;
use glance_protocol::{InvokeData, ValidationError, VisitorId};
use wasm_bindgen::prelude::*;

type AgentConnection = Connection;

/// The core of one `GLANCE.Presence.Agent`. Dropping it closes the socket and removes its
/// timers and listeners.
#[wasm_bindgen]
pub struct AgentCore {
    facade: Rc<Facade>,
    /// `Err` when the configuration has no valid group or service: every call then fails with
    /// `invalidparameter`.
    conn: Result<Rc<AgentConnection>, ValidationError>,
}

#[wasm_bindgen]
impl AgentCore {
    /// Binds to the page's object `facade`, configured by `params` (`visitorid` | `uniqueid`,
    /// `groupid`, `presenceserver`) over the page configuration. Does no I/O.
    #[wasm_bindgen(constructor)]
    pub fn new(facade: JsValue, params: JsValue) -> AgentCore {
        let facade = Rc::new(Facade::new(facade));
        let config = config(&params);
        let conn = endpoint(&config).map(|endpoint| {
            let machine = AgentMachine::new(
                endpoint.groupid,
                config.visitor().ok(),
                version(),
                backoff(),
            )
            .without_keepalive(config.nokeepalive);
            Connection::new(Role::Agent, endpoint, facade.clone(), Box::new(machine))
        });
        AgentCore { facade, conn }
    }

    /// Opens the agent socket for the visitor's events.
    pub fn connect(&self) {
        self.command(Command::Connect);
    }

    /// Closes it; no reconnect afterwards.
    pub fn disconnect(&self) {
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

    /// Switches visitor; reconnects if connected.
    #[wasm_bindgen(js_name = setVisitorId)]
    pub fn set_visitor_id(&self, id: JsValue) {
        match value_text(&id).map(|id| VisitorId::parse(&id)) {
            Some(Ok(id)) => self.command(Command::SetVisitorId(id)),
            _ => self.invalid(&ValidationError::VisitorId),
        }
    }

    /// `signalVisitor({data, onsuccess, onfail})`.
    #[wasm_bindgen(js_name = signalVisitor)]
    pub fn signal_visitor(&self, opts: JsValue) {
        let data = get(&opts, "data");
        self.send(SignalMessage::Signal(JsPayload(data)), opts);
    }

    /// `invokeVisitor({func, args, onsuccess, onfail})`.
    #[wasm_bindgen(js_name = invokeVisitor)]
    pub fn invoke_visitor(&self, opts: JsValue) {
        let Some(func) = text(&opts, "func").filter(|f| invoke_path(f).is_ok()) else {
            return settle(&opts, Err(FailCode::InvalidParameter));
        };
        let args = Some(get(&opts, "args"))
            .filter(|a| !a.is_undefined())
            .map(JsPayload);
        self.send(SignalMessage::Invoke(InvokeData { func, args }), opts);
    }

    /// `lookupVisitor({onsuccess, onfail})`: the visitor's presence, `{}` when absent.
    #[wasm_bindgen(js_name = lookupVisitor)]
    pub fn lookup_visitor(&self, opts: JsValue) {
        let visitor = self
            .conn
            .as_ref()
            .ok()
            .and_then(|c| c.inspect(|m| m.visitorid().cloned()));
        match visitor {
            Some(visitor) => self.rest(opts, "/lookupvisitor", Some(visitor.as_str().to_owned())),
            None => settle(&opts, Err(FailCode::InvalidParameter)),
        }
    }

    /// `query({onsuccess, onfail, visitorid?})`: the group's present visitors.
    pub fn query(&self, opts: JsValue) {
        let filter = text(&opts, "visitorid");
        self.rest(opts, "/query", filter);
    }
}

impl AgentCore {
    /// Hands `command` to the connection, or reports to `onerror` why there is none. Not
    /// generic and never inlined: one copy serves every method.
    #[inline(never)]
    fn command(&self, command: Command<JsPayload>) {
        match &self.conn {
            Ok(c) => c.command(command),
            Err(e) => self.invalid(e),
        }
    }

    #[inline(never)]
    fn invalid(&self, e: &ValidationError) {
        let error = glance_protocol::ErrorData {
            error: glance_protocol::ErrorCode::InvalidParameter,
            detail: Some(e.message()),
        };
        call_method(
            &self.facade.get(),
            "onerror",
            &[crate::web::codec::to_js(&error)],
        );
    }

    fn send(&self, message: SignalMessage<JsPayload>, opts: JsValue) {
        // Data JSON cannot carry (a cycle, a BigInt) fails now, not when the ack is overdue.
        let payload = match &message {
            SignalMessage::Signal(data) => Some(data),
            SignalMessage::Invoke(call) => call.args.as_ref(),
        };
        if payload.is_some_and(|p| !p.0.is_undefined() && stringify(&p.0).is_none()) {
            return settle(&opts, Err(FailCode::InvalidParameter));
        }
        match &self.conn {
            Ok(c) => c.signal(message, opts),
            Err(_) => settle(&opts, Err(FailCode::InvalidParameter)),
        }
    }

    fn rest(&self, opts: JsValue, path: &'static str, visitor: Option<String>) {
        let Ok(conn) = &self.conn else {
            return settle(&opts, Err(FailCode::InvalidParameter));
        };
        if conn.inspect(|m| m.unavailable()) {
            return settle(&opts, Err(FailCode::ServiceUnavailable));
        }
        let (conn, endpoint) = (Rc::downgrade(conn), conn.endpoint().clone());
        later(Box::new(move || {
            let query: Vec<(&str, &str)> =
                visitor.iter().map(|v| ("visitorid", v.as_str())).collect();
            agent_get(
                &endpoint,
                path,
                &query,
                Box::new(move |result| {
                    match result {
                        Err(FailCode::ServiceUnavailable) => {
                            if let Some(c) = conn.upgrade() {
                                c.command(Command::MarkUnavailable);
                            }
                        }
                        Err(FailCode::Authorization) => token_store::clear(),
                        _ => {}
                    }
                    settle(
                        &opts,
                        result.map(|body| {
                            if body.is_undefined() {
                                crate::web::page::object()
                            } else {
                                body
                            }
                        }),
                    );
                }),
            )
        }));
    }
}
