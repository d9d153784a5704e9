//! `GLANCE.Presence.Agent` (§2.2): one visitor watched, its events relayed to the page, signals
//! sent over the socket with an ack id when it is open and over REST otherwise.

use crate::codec;
use crate::failure::FailCode;
use crate::frames::{self, Incoming};
use crate::invoke::invoke_allowed;
use crate::link::{take_first, Conn, Pending};
use crate::method::Method;
use crate::page::{Shared, Target, Timer};
use crate::resolve::Next;
use crate::value::{whole_u32, Value};
use crate::visitor::{invalid, value_text};
use glance_protocol::{SignalKind, SignalRequest, ValidationError, MAX_FRAME_BYTES};

/// How long the server has to ack a signal sent over the socket.
pub const ACK_TIMEOUT_MS: u32 = 10_000;

/// The ack timer of a signal whose timer fired (there is nothing left to clear).
const FIRED: u32 = u32::MAX;

/// Runs method `name` with the page's arguments (`None`: JSON could not carry them) and the
/// options `opts` the host holds for the call (the methods both roles have, and a configuration
/// that is not valid, are handled by [`crate::dispatch::call`]).
pub fn call(conn: &mut Conn, sh: &mut Shared, name: Method, args: Option<&[Value]>, opts: Target) {
    let first = args.and_then(|a| a.first());
    // `null` is left out, as serde writes an absent payload.
    let field = |key: &str| {
        first
            .and_then(|o| o.get(key))
            .filter(|v| !v.is_null())
            .cloned()
    };
    match name {
        Method::Connect if conn.unavailable => sh.connfail(conn.id, "error"),
        Method::Connect if conn.visitor.is_empty() => {
            invalid(conn, sh, &ValidationError::VisitorId.message())
        }
        Method::Connect => conn.start(sh),
        // Data JSON cannot carry (a cycle, a BigInt) fails now, not when the ack is overdue.
        Method::SignalVisitor if args.is_some() => send(conn, sh, "signal", field("data"), opts),
        Method::InvokeVisitor => match field("func").as_ref().and_then(value_text) {
            Some(func) if invoke_allowed(&func) => {
                let data = frames::invoke_data(&func, field("args"));
                send(conn, sh, "invoke", Some(data), opts)
            }
            _ => sh.settle(opts, Err(FailCode::InvalidParameter)),
        },
        Method::LookupVisitor if conn.visitor.is_empty() => {
            sh.settle(opts, Err(FailCode::InvalidParameter))
        }
        Method::LookupVisitor => {
            let visitor = Some(conn.visitor.clone());
            rest(conn, sh, opts, "/lookupvisitor", visitor)
        }
        Method::Query => {
            let filter = field("visitorid").as_ref().and_then(value_text);
            rest(conn, sh, opts, "/query", filter)
        }
        _ => sh.settle(opts, Err(FailCode::InvalidParameter)),
    }
}

/// Sends a signal or invoke: over the socket when it is open (settled by the ack), else over
/// REST.
fn send(conn: &mut Conn, sh: &mut Shared, kind: &str, data: Option<Value>, opts: Target) {
    let refused = if conn.endpoint.is_err() || conn.visitor.is_empty() {
        Some(FailCode::InvalidParameter)
    } else if conn.unavailable {
        Some(FailCode::ServiceUnavailable)
    } else {
        None
    };
    if let Some(code) = refused {
        return sh.settle(opts, Err(code));
    }
    let id = conn.next_signal;
    conn.next_signal = id.wrapping_add(1).max(1);
    let open = conn.is_open();
    let text = if open {
        frames::signal(kind, id, data)
    } else {
        let mtype = if kind == "invoke" {
            SignalKind::Invoke
        } else {
            SignalKind::Signal
        };
        codec::to_text(&SignalRequest { mtype, data }).unwrap_or_default()
    };
    // Larger than the server takes: refused here rather than by closing the socket.
    if text.len() > MAX_FRAME_BYTES {
        return sh.settle(opts, Err(FailCode::InvalidParameter));
    }
    if open {
        let timer = sh.timer(conn.id, Timer::Ack(id), ACK_TIMEOUT_MS);
        conn.pending.push(Pending { id, opts, timer });
        conn.write(sh, &text);
    } else {
        conn.pending.push(Pending { id, opts, timer: 0 });
        let body = text;
        // The visitor of the call, even if the page switches visitors before it goes out.
        let visitor = conn.visitor.clone();
        sh.later(
            conn.id,
            Next::Signal {
                id,
                body,
                visitor,
                token: String::new(),
            },
        );
    }
    conn.update_hold();
}

/// `lookupVisitor` / `query`: a one-shot GET with the agent's token. It waits among the pending
/// calls, so the page object stays held until its callbacks have run.
fn rest(
    conn: &mut Conn,
    sh: &mut Shared,
    opts: Target,
    path: &'static str,
    visitor: Option<String>,
) {
    if conn.endpoint.is_err() {
        return sh.settle(opts, Err(FailCode::InvalidParameter));
    }
    if conn.unavailable {
        return sh.settle(opts, Err(FailCode::ServiceUnavailable));
    }
    let id = conn.next_signal;
    conn.next_signal = id.wrapping_add(1).max(1);
    conn.pending.push(Pending { id, opts, timer: 0 });
    conn.update_hold();
    sh.later(
        conn.id,
        Next::Rest {
            id,
            path,
            visitor,
            token: String::new(),
        },
    );
}

/// Pending call `id` (a signal, a lookup, a query) ended: its `onsuccess(value?)` or
/// `onfail(code)`. Over REST, a 503 stops the object (the token a 401/403 refused is dropped by
/// [`crate::resolve`]).
pub fn complete(
    conn: &mut Conn,
    sh: &mut Shared,
    id: u32,
    result: Result<Option<Value>, FailCode>,
) {
    let Some(pending) = take_first(&mut conn.pending, |p| p.id == id) else {
        return;
    };
    match (pending.timer, &result) {
        (0, Err(FailCode::ServiceUnavailable)) => conn.unavailable = true,
        (0 | FIRED, _) => {}
        (timer, _) => sh.release(timer),
    }
    sh.settle(pending.opts, result);
    conn.update_hold();
}

/// The ack of socket signal `id` is overdue.
pub fn ack_overdue(conn: &mut Conn, sh: &mut Shared, id: u32) {
    if let Some(p) = conn.pending.iter_mut().find(|p| p.id == id) {
        p.timer = FIRED;
        complete(conn, sh, id, Err(FailCode::Connection));
    }
}

/// The `onfail` code of an ack's `error`.
fn ack_code(code: &str) -> FailCode {
    match code {
        "authorization" | "origin" => FailCode::Authorization,
        "visitornotpresent" => FailCode::VisitorNotPresent,
        "invalidparameter" | "unknowntype" | "invalidjson" | "frametoolarge" => {
            FailCode::InvalidParameter
        }
        "serviceunavailable" => FailCode::ServiceUnavailable,
        _ => FailCode::Error,
    }
}

/// An `ack`: settles the socket signal it names.
pub fn ack(conn: &mut Conn, sh: &mut Shared, frame: &Incoming) {
    let id = match frame.field("id") {
        Some(Value::Number(n)) => whole_u32(*n),
        _ => None,
    };
    let socket = id.filter(|id| conn.pending.iter().any(|p| p.id == *id && p.timer != 0));
    if let Some(id) = socket {
        let result = match (frame.field("ok"), frame.text("error")) {
            (Some(Value::Bool(true)), _) => Ok(None),
            (_, Some(code)) => Err(ack_code(code)),
            _ => Err(FailCode::Error),
        };
        complete(conn, sh, id, result);
    }
}
