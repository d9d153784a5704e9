//! `GLANCE.Presence.Agent` (§2.2): the core object behind one page agent object.

use crate::api::context::{backoff, config, endpoint, version};
use crate::api::rest::agent_get;
use crate::core::action::SignalMessage;
use crate::core::agent::AgentMachine;
use crate::core::invoke::invoke_path;
use crate::core::json::Json;
use crate::core::{Command, FailCode};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::connection::{Connection, Role};
use crate::web::dom::value_text;
use crate::web::http::later;
use crate::web::page::{error, settle, Target};
use crate::web::token_store;
use alloc::rc::Rc;
use glance_protocol::{ErrorCode, InvokeData, ValidationError, VisitorId};

/// The core of one `GLANCE.Presence.Agent`. Dropping it closes the socket and removes its
/// timers and listeners.
pub struct AgentCore {
    page: Target,
    /// `Err` when the configuration has no valid group or service: every call then fails with
    /// `invalidparameter`.
    conn: Result<Rc<Connection>, ValidationError>,
}

impl AgentCore {
    /// Binds to the page's object `page`, configured by `params` (`visitorid` | `uniqueid`,
    /// `groupid`, `presenceserver`) over the page configuration. Does no I/O.
    pub fn new(page: Target, params: Option<&Json>) -> Self {
        let config = config(params);
        let conn = endpoint(&config).map(|endpoint| {
            let machine = AgentMachine::new(
                endpoint.groupid,
                config.visitor().ok(),
                version(),
                backoff(),
            )
            .without_keepalive(config.nokeepalive);
            Connection::new(Role::Agent, endpoint, page, Box::new(machine))
        });
        Self { page, conn }
    }

    /// Runs method `name` with the page's arguments (`None`: JSON could not carry them) and the
    /// options `opts` the host holds for it. Returns what the method returns, as JSON text.
    pub fn call(&self, name: &str, args: Option<&[Json]>, opts: Target) -> Option<String> {
        let first = args.and_then(|a| a.first());
        let field = |key: &str| first.and_then(|o| o.get(key));
        match name {
            "connect" => self.command(Command::Connect),
            "disconnect" => {
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
            "setVisitorId" => match first.and_then(value_text).map(|id| VisitorId::parse(&id)) {
                Some(Ok(id)) => self.command(Command::SetVisitorId(id)),
                _ => self.invalid(&ValidationError::VisitorId),
            },
            "signalVisitor" => {
                let data = field("data").cloned().unwrap_or(Json::Null);
                self.send(args.is_some(), SignalMessage::Signal(data), opts)
            }
            "invokeVisitor" => {
                let func = field("func").and_then(value_text);
                match func.filter(|f| invoke_path(f).is_ok()) {
                    Some(func) => {
                        let call = InvokeData {
                            func,
                            args: field("args").cloned(),
                        };
                        self.send(true, SignalMessage::Invoke(call), opts)
                    }
                    None => settle(opts, Err(FailCode::InvalidParameter)),
                }
            }
            "lookupVisitor" => {
                let visitor = self.visitor();
                match visitor {
                    Some(visitor) => self.rest(opts, "/lookupvisitor", Some(visitor)),
                    None => settle(opts, Err(FailCode::InvalidParameter)),
                }
            }
            "query" => {
                let filter = field("visitorid").and_then(value_text);
                self.rest(opts, "/query", filter)
            }
            _ => {}
        }
        None
    }

    fn visitor(&self) -> Option<String> {
        let conn = self.conn.as_ref().ok()?;
        conn.inspect(|m| m.visitorid().map(|v| v.as_str().to_owned()))
    }

    /// Hands `command` to the connection, or reports to `onerror` why there is none. Not
    /// generic and never inlined: one copy serves every method.
    #[inline(never)]
    fn command(&self, command: Command<Json>) {
        match &self.conn {
            Ok(c) => c.command(command),
            Err(e) => self.invalid(e),
        }
    }

    #[inline(never)]
    fn invalid(&self, e: &ValidationError) {
        error(self.page, ErrorCode::InvalidParameter, &e.message());
    }

    /// Sends a signal or invoke; `carried`: JSON could carry the page's data (a cycle or a
    /// BigInt cannot be sent: it fails now, not when the ack is overdue).
    fn send(&self, carried: bool, message: SignalMessage<Json>, opts: Target) {
        match &self.conn {
            Ok(c) if carried => c.signal(message, opts),
            _ => settle(opts, Err(FailCode::InvalidParameter)),
        }
    }

    fn rest(&self, opts: Target, path: &'static str, visitor: Option<String>) {
        let Ok(conn) = &self.conn else {
            return settle(opts, Err(FailCode::InvalidParameter));
        };
        if conn.inspect(|m| m.unavailable()) {
            return settle(opts, Err(FailCode::ServiceUnavailable));
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
                        opts,
                        result.map(|body| vec![body.unwrap_or_else(|| Json::Object(vec![]))]),
                    );
                }),
            )
        }));
    }
}
