//! The vocabulary between the state machines and the browser shell: what goes in ([`Input`]) and
//! what comes out ([`Action`]).
//!
//! `P` is the free-form payload type: a JS value in the browser, anything `Clone` in native tests.
//! The machines never look inside a `P`; they only route it.

use crate::core::presence::{PageFacts, PresenceMap};
use crate::core::FailCode;
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{
    ClientFrame, ConnectedData, ErrorData, InvokeData, ServerFrame, SignalKind, TermsStatus,
    UniqueVisitor, Visibility, VisitorEvent, VisitorId, WireValue,
};

/// `data` of an outgoing frame: a presence map the core built and validated, or a page value.
#[derive(Debug, Clone, PartialEq)]
pub enum Data<P> {
    /// A validated presence map.
    Presence(PresenceMap),
    /// A value the page gave (signal data, custom event payload, invoke args).
    Value(P),
}

impl<P: WireValue + Clone> Data<P> {
    /// The value sent as `data`: a presence map as a plain object, a page value as it is.
    pub fn to_wire(&self) -> P {
        match self {
            Self::Presence(map) => map.to_wire(),
            Self::Value(v) => v.clone(),
        }
    }
}

/// The value of an outgoing frame (what the shell hands to `JSON.stringify`).
pub fn frame_to_wire<P: WireValue + Clone>(frame: &Frame<P>) -> P {
    frame.to_wire_with(Data::to_wire)
}

/// A frame the client sends.
pub type Frame<P> = ClientFrame<Data<P>>;

/// Correlates an agent's `signalVisitor` / `invokeVisitor` call with its outcome. Also the `id`
/// of the frame when it goes over the socket.
pub type RequestId = u64;

/// Something the page asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command<P> {
    /// `connect()`.
    Connect,
    /// `disconnect()`: close, stop timers, no reconnect.
    Disconnect,
    /// `setVisitorId(id)`: reconnects if connected.
    SetVisitorId(VisitorId),
    /// Visitor `presence({data})`: the caller's entries (merged by the machine) and the page facts.
    Presence {
        /// The caller's data.
        data: PresenceMap,
        /// `location.href` and the user agent at the time of the call.
        page: PageFacts,
    },
    /// Visitor `fire(type, data)` / `signalAgent`, already checked by [`crate::core::visitor::visitor_event`].
    Fire(VisitorEvent<P>),
    /// Visitor `signalVisibility(visible)`.
    SignalVisibility(Visibility),
    /// Visitor: the reply of `/uniquevisitor` (new or extended).
    Unique(UniqueVisitor),
    /// Visitor: the reply of `/uniquevisitor` extending the current unique id: its renewed guest
    /// token is used from now on; nothing reconnects.
    RenewUnique(UniqueVisitor),
    /// Visitor `setDefaultUI(bool)`.
    SetDefaultUi(bool),
    /// Visitor: `showTerms` was invoked.
    ShowTerms {
        /// Session key for the cobrowse session.
        sessionkey: String,
        /// Terms URL to link to, if known.
        termsurl: Option<String>,
    },
    /// Agent `signalVisitor` / `invokeVisitor`.
    Signal {
        /// Correlation id (the shell holds the page's callbacks under it).
        request: RequestId,
        /// What to deliver.
        message: SignalMessage<P>,
    },
    /// Agent: the REST `POST /signalvisitor` of `request` finished.
    RestSignalDone {
        /// The request.
        request: RequestId,
        /// Outcome.
        result: Result<(), FailCode>,
    },
    /// Agent: a REST call got 503; the object makes no further requests.
    MarkUnavailable,
}

/// What an agent sends to its visitor.
#[derive(Debug, Clone, PartialEq)]
pub enum SignalMessage<P> {
    /// `{type:"signal", data}`.
    Signal(P),
    /// `{type:"invoke", data:{func, args}}`.
    Invoke(InvokeData<P>),
}

impl<P> SignalMessage<P> {
    /// The REST `mtype`.
    pub fn kind(&self) -> SignalKind {
        match self {
            Self::Signal(_) => SignalKind::Signal,
            Self::Invoke(_) => SignalKind::Invoke,
        }
    }
}

/// Something that happened in the browser or on the network.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<P> {
    /// The resolve step of `attempt` (settings + `/presence` or `/findvisitor`) finished.
    Resolved {
        /// Which attempt; stale results are ignored.
        attempt: u32,
        /// The socket host and, for agents, the token used.
        result: Result<Resolved, crate::core::ResolveError>,
    },
    /// The socket of `attempt` opened.
    Opened {
        /// Which attempt.
        attempt: u32,
    },
    /// A frame arrived.
    Frame(ServerFrame<P>),
    /// A frame of a type the protocol does not know: dispatched to `on<type>`.
    OtherFrame {
        /// Its type.
        kind: String,
        /// Its data.
        data: Option<P>,
    },
    /// The socket closed (or failed). `code` is the close code, 1006 when unknown.
    Closed {
        /// WebSocket close code.
        code: u16,
    },
    /// A timer armed with [`Action::Timer`] fired.
    Timer(TimerKind),
    /// `online` fired on window.
    Online,
    /// `visibilitychange`: the document's new state.
    VisibilityChanged(Visibility),
    /// `focus` fired on window.
    WindowFocus,
    /// `pagehide` (`true`: the page is being unloaded or put in the back-forward cache) or
    /// `pageshow` (`false`) fired on window.
    PageHidden(bool),
}

/// Result of a successful resolve step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `host[:port]` to open the socket at.
    pub host: String,
    /// The agent's token, to put in the `connect` frame.
    pub token: Option<String>,
}

/// Input of a machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Input<P> {
    /// From the page.
    Command(Command<P>),
    /// From the world.
    Event(Event<P>),
}

/// One-shot timers a machine arms. At most one of each kind is armed at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// Backoff before the next reconnect attempt.
    Retry,
    /// Send the next keepalive `k`.
    Keepalive,
    /// The server has not answered `connect` in time.
    Handshake,
    /// The visitor has been hidden for the longest allowed time.
    HiddenLimit,
    /// An agent signal's ack is overdue.
    Ack(RequestId),
}

/// A page handler to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    /// A documented handler, e.g. `onpresence`.
    Named(&'static str),
    /// `on<type>` for any other type.
    Other(String),
}

impl Handler {
    /// `on` + the frame type.
    pub fn for_type(kind: &str) -> Self {
        Self::Other(["on", kind].concat())
    }

    /// The property name.
    pub fn name(&self) -> &str {
        match self {
            Self::Named(n) => n,
            Self::Other(n) => n,
        }
    }
}

/// The argument(s) of a page handler call.
#[derive(Debug, Clone, PartialEq)]
pub enum EventArg<P> {
    /// `()`.
    None,
    /// A payload as received.
    Data(Option<P>),
    /// `{connected}`.
    Connected(bool),
    /// `{visibility}`.
    Visibility(Visibility),
    /// `{status}`.
    Terms(TermsStatus),
    /// The `connected` frame's data.
    ConnectedData(ConnectedData),
    /// `{error, detail}`.
    Error(ErrorData),
    /// `(uniqueid, timeoutSeconds)`.
    UniqueId(String, u32),
    /// `{sessionkey, termsurl}`.
    ShowTerms {
        /// The session key.
        sessionkey: String,
        /// The terms URL.
        termsurl: Option<String>,
    },
}

/// A call of `facade[handler](arg)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageEvent<P> {
    /// Which handler.
    pub handler: Handler,
    /// With what.
    pub arg: EventArg<P>,
}

impl<P> PageEvent<P> {
    /// A documented handler.
    pub fn named(handler: &'static str, arg: EventArg<P>) -> Self {
        Self {
            handler: Handler::Named(handler),
            arg,
        }
    }
}

/// An effect the shell carries out, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<P> {
    /// Start the resolve step (settings, then `/presence` or `/findvisitor`) for `attempt`.
    Resolve {
        /// Echoed in [`Event::Resolved`].
        attempt: u32,
        /// The visitor to resolve.
        visitorid: VisitorId,
    },
    /// Open the role's socket at `host`, closing any previous one.
    Open {
        /// Echoed in [`Event::Opened`].
        attempt: u32,
        /// `host[:port]`.
        host: String,
    },
    /// Send a frame on the open socket.
    Send(Frame<P>),
    /// Close the socket; no event follows.
    Close,
    /// Arm (`Some(ms)`) or clear (`None`) a timer.
    Timer(TimerKind, Option<u32>),
    /// Attach (`true`) or remove (`false`) the window/document listeners (online, visibility, focus,
    /// pagehide/pageshow).
    Listen(bool),
    /// Call a page handler.
    Dispatch(PageEvent<P>),
    /// Agent: send `message` over REST `POST /signalvisitor`.
    RestSignal {
        /// Correlation id.
        request: RequestId,
        /// The visitor.
        visitorid: VisitorId,
        /// What.
        message: SignalMessage<P>,
    },
    /// Agent: call the page's `onsuccess()` or `onfail(code)` of `request`.
    Complete {
        /// Correlation id.
        request: RequestId,
        /// Outcome.
        result: Result<(), FailCode>,
    },
    /// Forget the stored authorization token (a 401/403 from the presence service).
    ClearToken,
    /// Visitor: run an `invoke` from an agent (path already checked).
    Invoke(InvokeData<P>),
    /// Visitor: show the built-in terms dialog.
    ShowTermsDialog {
        /// The session key to start on accept.
        sessionkey: String,
        /// Link target.
        termsurl: Option<String>,
    },
    /// Something worth a console line (dropped frames, refused invokes).
    Log(String),
}

/// A connection state machine: one input at a time, effects appended to `out`.
pub trait Machine<P> {
    /// Feeds one input.
    fn handle(&mut self, input: Input<P>, out: &mut Vec<Action<P>>);
    /// Whether the socket is open and the server has answered `connect`.
    fn is_connected(&self) -> bool;
    /// The visitor id in use (for an agent: the visitor watched).
    fn visitorid(&self) -> Option<&VisitorId>;
    /// A unique visitor's guest token (visitors only).
    fn guesttoken(&self) -> Option<&str> {
        None
    }
    /// The authorization token the connection presents (agents only).
    fn auth_token(&self) -> Option<&str> {
        None
    }
    /// Whether a 503 stopped the object (agents only).
    fn unavailable(&self) -> bool {
        false
    }
}
