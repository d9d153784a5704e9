//! What a connection does with each frame from the server (§5), for both roles.

use crate::frames::{self, Incoming};
use crate::link::{Conn, Slot};
use crate::page::Shared;
use crate::{agent, visitor};
use glance_protocol::join;

/// A text frame arrived on the socket.
pub fn frame(conn: &mut Conn, sh: &mut Shared, text: &str) {
    let Some(frame) = frames::read(text) else {
        return sh.warn("ignored a frame of the wrong shape");
    };
    let kind = frame.kind();
    match kind {
        "connected" => {
            let presence_queued = conn.has_queued(Slot::Presence);
            let visibility_queued = conn.has_queued(Slot::Visibility);
            // A `connected` nobody waits for (repeated, late) changes nothing.
            if !conn.connected(sh, frame.keepalive) {
                return;
            }
            if !conn.agent() {
                visitor::reconnected(conn, sh, presence_queued, visibility_queued);
            }
            sh.emit(conn.id, "onconnected", &[frame.payload()]);
        }
        "ack" if conn.agent() => agent::ack(conn, sh, &frame),
        "invoke" if !conn.agent() => visitor::invoke_frame(sh, &frame),
        "blur" if !conn.agent() => {
            conn.focused = false;
            relay(conn, sh, kind, &frame);
        }
        // An agent learns why it was refused as `connfail` with a documented detail; a visitor
        // gets the frame as it came.
        "error" if frame.text("error") == Some("connfail") => {
            conn.refusal_reported();
            if conn.agent() {
                let detail = frame.text("detail");
                let detail = if detail == Some("authorization") {
                    "authorization"
                } else {
                    "error"
                };
                sh.connfail(conn.id, detail);
            } else {
                relay(conn, sh, kind, &frame);
            }
        }
        "redirect" => match frame.text("direct") {
            Some(direct) => {
                conn.fail_pending(sh);
                conn.redirect(sh, direct.into());
            }
            None => sh.warn("ignored a frame of the wrong shape"),
        },
        "scaledown" => {
            conn.fail_pending(sh);
            conn.restart(sh);
        }
        "serverclose" => {
            // A visitor closed while hidden (the hidden limit) comes back when visible.
            if !conn.agent() && conn.hidden {
                conn.sleep(sh);
            } else {
                conn.stop(sh);
            }
            conn.fail_pending(sh);
            sh.emit(conn.id, "onclose", &[]);
        }
        _ => relay(conn, sh, kind, &frame),
    }
}

/// A frame for the page: `on<type>(data)` (`data` `{}` when absent); `onblur()` without.
fn relay(conn: &Conn, sh: &mut Shared, kind: &str, frame: &Incoming) {
    let handler = join(&["on", kind]);
    match kind {
        "blur" => sh.emit(conn.id, &handler, &[]),
        _ => sh.emit(conn.id, &handler, &[frame.payload()]),
    }
}
