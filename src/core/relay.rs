//! Which page handler a server frame goes to (§2.2, §2.3): documented types to their named handler
//! with the documented argument shape, anything else to `on<type>(data)`.

use crate::core::action::{EventArg, Handler, PageEvent};
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::ServerFrame;

/// The page event for a frame that needs no special handling by the machine.
pub fn relay<P>(frame: ServerFrame<P>) -> PageEvent<P> {
    use EventArg as A;
    let (name, arg) = match frame {
        ServerFrame::Connected { data, .. } => ("onconnected", A::ConnectedData(data)),
        ServerFrame::Error(e) => ("onerror", A::Error(e)),
        ServerFrame::VisitorSock(s) => ("onvisitorsock", A::Connected(s.connected)),
        ServerFrame::VisitorConn(s) => ("onvisitorconn", A::Connected(s.connected)),
        ServerFrame::Presence(d) => ("onpresence", A::Data(Some(d))),
        ServerFrame::Visibility(v) => ("onvisibility", A::Visibility(v.visibility)),
        ServerFrame::Terms(t) => ("onterms", A::Terms(t.status)),
        ServerFrame::SessionStart(d) => ("onvisitorsessionstart", A::Data(d)),
        ServerFrame::SessionEnd(d) => ("onvisitorsessionend", A::Data(d)),
        ServerFrame::VisitorError(d) => ("onvisitorerror", A::Data(d)),
        ServerFrame::Signal(d) => ("onsignal", A::Data(d)),
        ServerFrame::Blur => ("onblur", A::None),
        ServerFrame::ServerClose => ("onclose", A::None),
        ServerFrame::Custom { name, data } => {
            return PageEvent {
                handler: Handler::for_type(&name),
                arg: A::Data(data),
            }
        }
        // Frames the machines handle themselves; if one reaches here it goes to on<type>.
        other @ (ServerFrame::Ack(_)
        | ServerFrame::Invoke(_)
        | ServerFrame::Redirect(_)
        | ServerFrame::ScaleDown) => {
            return PageEvent {
                handler: Handler::for_type(other.kind()),
                arg: A::None,
            };
        }
    };
    PageEvent::named(name, arg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use glance_protocol::{SockData, TermsData, TermsStatus};

    #[test]
    fn documented_handlers() {
        let e = relay::<()>(ServerFrame::VisitorConn(SockData { connected: true }));
        assert_eq!(
            e,
            PageEvent::named("onvisitorconn", EventArg::Connected(true))
        );
        let e = relay::<()>(ServerFrame::Terms(TermsData {
            status: TermsStatus::Accepted,
        }));
        assert_eq!(
            e,
            PageEvent::named("onterms", EventArg::Terms(TermsStatus::Accepted))
        );
        let e = relay(ServerFrame::Custom {
            name: "c_cart".into(),
            data: Some(7),
        });
        assert_eq!(e.handler.name(), "onc_cart");
        assert_eq!(e.arg, EventArg::Data(Some(7)));
    }
}
