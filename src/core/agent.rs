//! The agent's connection (§2.2): one visitor watched, its events relayed to the page, signals
//! sent over the socket with an ack id when it is open and over REST otherwise.

use crate::core::action::{
    Action, Command, Data, Event, EventArg, Handler, Input, Machine, PageEvent, RequestId,
    SignalMessage, TimerKind,
};
use crate::core::backoff::Backoff;
use crate::core::link::Link;
use crate::core::relay::relay;
use crate::core::{FailCode, ResolveError};
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{
    AckData, AckId, ClientFrame, ConnectFrame, ErrorCode, ErrorData, GroupId, InvokeData,
    ServerFrame, ValidationError, Visibility, VisitorId,
};

/// How long the server has to ack a signal sent over the socket.
pub const ACK_TIMEOUT_MS: u32 = 10_000;

/// The agent state machine.
#[derive(Debug)]
pub struct AgentMachine<P> {
    link: Link<P>,
    groupid: GroupId,
    visitorid: Option<VisitorId>,
    /// The token the last resolve step used; sent in `connect`.
    token: Option<String>,
    /// Socket signals waiting for their ack.
    pending: Vec<RequestId>,
    /// A 503 was seen: no further requests.
    unavailable: bool,
    version: String,
}

impl<P: Clone> AgentMachine<P> {
    /// An agent watching `visitorid` (none yet: `setVisitorId` later).
    pub fn new(
        groupid: GroupId,
        visitorid: Option<VisitorId>,
        version: String,
        backoff: Backoff,
    ) -> Self {
        Self {
            link: Link::new(backoff, false),
            groupid,
            visitorid,
            token: None,
            pending: Vec::new(),
            unavailable: false,
            version,
        }
    }

    /// Sends no keepalive frames when `nokeepalive` is configured (§1).
    pub fn without_keepalive(mut self, off: bool) -> Self {
        self.link = self.link.without_keepalive(off);
        self
    }

    /// The shared link (for inspection).
    pub fn link(&self) -> &Link<P> {
        &self.link
    }

    /// Removes `request` from the signals waiting for an ack; false if it was not waiting.
    fn take_pending(&mut self, request: RequestId) -> bool {
        let before = self.pending.len();
        self.pending.retain(|r| *r != request);
        self.pending.len() != before
    }

    /// Fails every signal waiting for an ack (the socket that carried them is gone).
    fn fail_pending(&mut self, out: &mut Vec<Action<P>>) {
        for request in core::mem::take(&mut self.pending) {
            out.push(Action::Timer(TimerKind::Ack(request), None));
            out.push(Action::Complete {
                request,
                result: Err(FailCode::Connection),
            });
        }
    }

    fn command(&mut self, command: Command<P>, out: &mut Vec<Action<P>>) {
        match command {
            Command::Connect => {
                if self.unavailable {
                    return connfail("error", out);
                }
                match &self.visitorid {
                    Some(id) => self.link.start(id, out),
                    None => invalid(ValidationError::VisitorId, out),
                }
            }
            Command::Disconnect => {
                self.link.stop(out);
                self.fail_pending(out);
            }
            Command::SetVisitorId(id) => {
                if self.visitorid.as_ref() != Some(&id) {
                    self.visitorid = Some(id.clone());
                    self.fail_pending(out);
                    self.link.restart(&id, out);
                }
            }
            Command::Signal { request, message } => self.signal(request, message, out),
            Command::RestSignalDone { request, result } => {
                match result {
                    Err(FailCode::ServiceUnavailable) => self.unavailable = true,
                    Err(FailCode::Authorization) => out.push(Action::ClearToken),
                    _ => {}
                }
                out.push(Action::Complete { request, result });
            }
            Command::MarkUnavailable => self.unavailable = true,
            Command::Presence { .. }
            | Command::Fire(_)
            | Command::SignalVisibility(_)
            | Command::Unique(_)
            | Command::RenewUnique(_)
            | Command::SetDefaultUi(_)
            | Command::ShowTerms { .. } => {}
        }
    }

    fn signal(&mut self, request: RequestId, message: SignalMessage<P>, out: &mut Vec<Action<P>>) {
        let complete = |result| Action::Complete {
            request,
            result: Err(result),
        };
        if self.unavailable {
            return out.push(complete(FailCode::ServiceUnavailable));
        }
        let Some(visitorid) = self.visitorid.clone() else {
            return out.push(complete(FailCode::InvalidParameter));
        };
        if !self.link.is_open() {
            return out.push(Action::RestSignal {
                request,
                visitorid,
                message,
            });
        }
        let id = Some(AckId::Num(request));
        let frame = match message {
            SignalMessage::Signal(data) => ClientFrame::Signal {
                id,
                data: Some(Data::Value(data)),
            },
            SignalMessage::Invoke(InvokeData { func, args }) => ClientFrame::Invoke {
                id,
                data: InvokeData {
                    func,
                    args: args.map(Data::Value),
                },
            },
        };
        self.pending.push(request);
        out.push(Action::Send(frame));
        out.push(Action::Timer(TimerKind::Ack(request), Some(ACK_TIMEOUT_MS)));
    }

    fn ack(&mut self, ack: AckData, out: &mut Vec<Action<P>>) {
        let AckId::Num(request) = ack.id else { return };
        if !self.take_pending(request) {
            return;
        }
        out.push(Action::Timer(TimerKind::Ack(request), None));
        let result = match (ack.ok, ack.error) {
            (Some(true), _) => Ok(()),
            (_, Some(code)) => Err(FailCode::from_wire(code)),
            _ => Err(FailCode::Error),
        };
        out.push(Action::Complete { request, result });
    }

    fn event(&mut self, event: Event<P>, out: &mut Vec<Action<P>>) {
        let Some(id) = self.visitorid.clone() else {
            return;
        };
        match event {
            Event::Resolved { attempt, result } => {
                if result == Err(ResolveError::Unavailable) {
                    self.unavailable = true;
                }
                if let Some(resolved) = self.link.resolved(attempt, result, out) {
                    self.token = resolved.token;
                }
            }
            Event::Opened { attempt } => {
                let hello = ClientFrame::Connect(ConnectFrame {
                    groupid: self.groupid,
                    visitorid: id,
                    guesttoken: None,
                    authorization: self.token.clone(),
                    version: Some(self.version.clone()),
                });
                self.link.opened(attempt, hello, out);
            }
            Event::Frame(frame) => self.frame(frame, &id, out),
            Event::OtherFrame { kind, data } => {
                out.push(Action::Dispatch(PageEvent {
                    handler: Handler::for_type(&kind),
                    arg: EventArg::Data(data),
                }));
            }
            Event::Closed { code } => {
                self.link.closed(code, out);
                self.fail_pending(out);
            }
            Event::Timer(TimerKind::Ack(request)) => {
                if self.take_pending(request) {
                    out.push(Action::Complete {
                        request,
                        result: Err(FailCode::Connection),
                    });
                }
            }
            Event::Timer(kind) => self.link.timer(kind, &id, out),
            Event::Online => self.link.online(&id, out),
            Event::VisibilityChanged(Visibility::Visible) => self.link.wake(&id, out),
            Event::VisibilityChanged(Visibility::Hidden)
            | Event::WindowFocus
            | Event::PageHidden(_) => {}
        }
    }

    fn frame(&mut self, frame: ServerFrame<P>, id: &VisitorId, out: &mut Vec<Action<P>>) {
        match frame {
            ServerFrame::Connected { keepalive, data } => {
                self.link.connected(keepalive, out);
                out.push(Action::Dispatch(PageEvent::named(
                    "onconnected",
                    EventArg::ConnectedData(data),
                )));
            }
            ServerFrame::Ack(ack) => self.ack(ack, out),
            ServerFrame::Error(e) if e.error == ErrorCode::Connfail => {
                self.link.refusal_reported();
                connfail(
                    if e.detail.as_deref() == Some("authorization") {
                        "authorization"
                    } else {
                        "error"
                    },
                    out,
                );
            }
            ServerFrame::Redirect(r) => {
                self.fail_pending(out);
                self.link.redirect(r.direct, id, out);
            }
            ServerFrame::ScaleDown => {
                self.fail_pending(out);
                self.link.restart(id, out);
            }
            ServerFrame::ServerClose => {
                self.link.stop(out);
                self.fail_pending(out);
                out.push(Action::Dispatch(relay(ServerFrame::ServerClose)));
            }
            other => out.push(Action::Dispatch(relay(other))),
        }
    }
}

impl<P: Clone> Machine<P> for AgentMachine<P> {
    fn handle(&mut self, input: Input<P>, out: &mut Vec<Action<P>>) {
        match input {
            Input::Command(c) => self.command(c, out),
            Input::Event(e) => self.event(e, out),
        }
    }

    fn is_connected(&self) -> bool {
        self.link.is_open()
    }

    fn visitorid(&self) -> Option<&VisitorId> {
        self.visitorid.as_ref()
    }

    fn auth_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn unavailable(&self) -> bool {
        self.unavailable
    }
}

fn connfail<P>(detail: &str, out: &mut Vec<Action<P>>) {
    let error = ErrorData {
        error: ErrorCode::Connfail,
        detail: Some(detail.to_owned()),
    };
    out.push(Action::Dispatch(PageEvent::named(
        "onerror",
        EventArg::Error(error),
    )));
}

fn invalid<P>(e: ValidationError, out: &mut Vec<Action<P>>) {
    let error = ErrorData {
        error: ErrorCode::InvalidParameter,
        detail: Some(e.message()),
    };
    out.push(Action::Dispatch(PageEvent::named(
        "onerror",
        EventArg::Error(error),
    )));
}
