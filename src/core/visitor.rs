//! The visitor's connection (§2.3): presence, visibility and focus on top of the shared [`Link`].

use crate::core::action::{
    Action, Command, Data, Event, EventArg, Input, Machine, PageEvent, TimerKind,
};
use crate::core::backoff::Backoff;
use crate::core::invoke::invoke_path;
use crate::core::link::{Link, Mode};
use crate::core::presence::{build_presence, PresenceMap};
use crate::core::queue::Slot;
use crate::core::relay::relay;
#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{
    ClientFrame, ConnectFrame, ErrorCode, ErrorData, GroupId, PresenceLimits, ServerFrame,
    TermsData, TermsStatus, ValidationError, Visibility, VisibilityData, VisitorEvent, VisitorId,
};

pub use crate::core::visitor_event::{visitor_event, EventRule};

/// How long a hidden page keeps its socket (§2.3).
pub const HIDDEN_LIMIT_MS: u32 = 10 * 60 * 1000;

/// What a visitor starts with.
#[derive(Debug, Clone)]
pub struct VisitorSetup {
    /// The group.
    pub groupid: GroupId,
    /// The visitor id, if configured.
    pub visitorid: Option<VisitorId>,
    /// A unique visitor's guest token, if configured.
    pub guesttoken: Option<String>,
    /// `user-*` presence fields.
    pub user: PresenceMap,
    /// Do not send keepalives.
    pub nokeepalive: bool,
    /// Client version for the `connect` frame.
    pub version: String,
    /// The document's visibility now.
    pub visibility: Visibility,
}

/// The visitor state machine.
#[derive(Debug)]
pub struct VisitorMachine<P> {
    link: Link<P>,
    groupid: GroupId,
    visitorid: Option<VisitorId>,
    guesttoken: Option<String>,
    user: PresenceMap,
    version: String,
    limits: PresenceLimits,
    /// The last presence sent, re-sent after a reconnect so agents see it again.
    last_presence: Option<PresenceMap>,
    visibility: Visibility,
    /// Whether this connection believes it has focus (no `blur` since its last activity).
    focused: bool,
    default_ui: bool,
    /// Between `pagehide` and `pageshow`: Chrome reports the unloading page as hidden, which is a
    /// navigation, not the visitor leaving the page, so it is not sent to agents.
    page_hidden: bool,
}

impl<P: Clone> VisitorMachine<P> {
    /// A visitor that is not connected.
    pub fn new(setup: VisitorSetup, backoff: Backoff) -> Self {
        Self {
            link: Link::new(backoff, setup.nokeepalive).retrying_unavailable(),
            groupid: setup.groupid,
            visitorid: setup.visitorid,
            guesttoken: setup.guesttoken,
            user: setup.user,
            version: setup.version,
            limits: PresenceLimits::default(),
            last_presence: None,
            visibility: setup.visibility,
            focused: true,
            default_ui: true,
            page_hidden: false,
        }
    }

    /// The shared link (for inspection).
    pub fn link(&self) -> &Link<P> {
        &self.link
    }

    /// Whether the built-in terms dialog is used.
    pub fn default_ui(&self) -> bool {
        self.default_ui
    }

    fn connect(&mut self, out: &mut Vec<Action<P>>) -> bool {
        match &self.visitorid {
            Some(id) => {
                if self.link.mode() != Mode::On && self.visibility == Visibility::Hidden {
                    out.push(Action::Timer(TimerKind::HiddenLimit, Some(HIDDEN_LIMIT_MS)));
                }
                self.link.start(id, out);
                true
            }
            None => {
                invalid(ValidationError::VisitorId, out);
                false
            }
        }
    }

    fn command(&mut self, command: Command<P>, out: &mut Vec<Action<P>>) {
        match command {
            Command::Connect => {
                self.connect(out);
            }
            Command::Disconnect => {
                self.link.stop(out);
                out.push(Action::Timer(TimerKind::HiddenLimit, None));
            }
            Command::SetVisitorId(id) => self.set_visitor(id, None, out),
            Command::Presence { data, page } => {
                let map = build_presence(&self.user, &page, &data, &self.limits);
                if let Err(e) = map.check(&self.limits) {
                    return invalid(e, out);
                }
                if self.connect(out) {
                    self.focused = true;
                    self.last_presence = Some(map.clone());
                    self.link.send(
                        Some(Slot::Presence),
                        ClientFrame::Presence(Data::Presence(map)),
                        out,
                    );
                }
            }
            Command::Fire(event) => {
                self.focused = true;
                self.link
                    .send(None, ClientFrame::Event(wrap_event(event)), out);
            }
            Command::SignalVisibility(visibility) => {
                self.focused = true;
                self.send_visibility(visibility, out);
            }
            Command::RenewUnique(reply) => {
                if self.visitorid.as_ref() == Some(&reply.visitorid) {
                    self.guesttoken = Some(reply.guesttoken);
                    out.push(Action::Dispatch(PageEvent::named(
                        "onuniqueid",
                        EventArg::UniqueId(reply.uniqueid, reply.timeout),
                    )));
                }
            }
            Command::Unique(reply) => {
                out.push(Action::Dispatch(PageEvent::named(
                    "onuniqueid",
                    EventArg::UniqueId(reply.uniqueid, reply.timeout),
                )));
                self.set_visitor(reply.visitorid, Some(reply.guesttoken), out);
                self.connect(out);
            }
            Command::SetDefaultUi(on) => self.default_ui = on,
            Command::ShowTerms {
                sessionkey,
                termsurl,
            } => {
                let displayed = VisitorEvent::Terms(TermsData {
                    status: TermsStatus::Displayed,
                });
                self.link.send(None, ClientFrame::Event(displayed), out);
                out.push(if self.default_ui {
                    Action::ShowTermsDialog {
                        sessionkey,
                        termsurl,
                    }
                } else {
                    Action::Dispatch(PageEvent::named(
                        "onshowterms",
                        EventArg::ShowTerms {
                            sessionkey,
                            termsurl,
                        },
                    ))
                });
            }
            Command::Signal { .. } | Command::RestSignalDone { .. } | Command::MarkUnavailable => {}
        }
    }

    /// Switches visitor (reconnecting if connected). A new guest token comes with unique ids.
    fn set_visitor(&mut self, id: VisitorId, guesttoken: Option<String>, out: &mut Vec<Action<P>>) {
        let changed = self.visitorid.as_ref() != Some(&id);
        if guesttoken.is_some() || changed {
            self.guesttoken = guesttoken;
        }
        if changed {
            self.visitorid = Some(id.clone());
            self.link.restart(&id, out);
        }
    }

    /// The document's visibility changed: tell the agents and arm or clear the hidden limit.
    fn visibility_changed(
        &mut self,
        visibility: Visibility,
        id: &VisitorId,
        out: &mut Vec<Action<P>>,
    ) {
        if self.link.mode() == Mode::Off {
            return;
        }
        match visibility {
            Visibility::Hidden => {
                out.push(Action::Timer(TimerKind::HiddenLimit, Some(HIDDEN_LIMIT_MS)))
            }
            Visibility::Visible => {
                out.push(Action::Timer(TimerKind::HiddenLimit, None));
                self.link.wake(id, out);
                self.focused = true;
            }
        }
        self.send_visibility(visibility, out);
    }

    fn send_visibility(&mut self, visibility: Visibility, out: &mut Vec<Action<P>>) {
        let frame = ClientFrame::Visibility(VisibilityData { visibility });
        self.link.send(Some(Slot::Visibility), frame, out);
    }

    fn event(&mut self, event: Event<P>, out: &mut Vec<Action<P>>) {
        let Some(id) = self.visitorid.clone() else {
            return;
        };
        match event {
            Event::Resolved { attempt, result } => {
                self.link.resolved(attempt, result, out);
            }
            Event::Opened { attempt } => {
                let hello = ClientFrame::Connect(ConnectFrame {
                    groupid: self.groupid,
                    visitorid: id,
                    guesttoken: self.guesttoken.clone(),
                    authorization: None,
                    version: Some(self.version.clone()),
                });
                self.link.opened(attempt, hello, out);
            }
            Event::Frame(frame) => self.frame(frame, &id, out),
            Event::OtherFrame { kind, data } => {
                out.push(Action::Dispatch(PageEvent {
                    handler: crate::core::Handler::for_type(&kind),
                    arg: EventArg::Data(data),
                }));
            }
            Event::Closed { code } => {
                self.link.closed(code, out);
            }
            Event::Timer(TimerKind::HiddenLimit) => {
                if self.visibility == Visibility::Hidden {
                    self.link.sleep(out);
                }
            }
            Event::Timer(kind) => self.link.timer(kind, &id, out),
            Event::Online => self.link.online(&id, out),
            Event::PageHidden(true) => self.page_hidden = true,
            Event::PageHidden(false) => {
                // Back from the back-forward cache: the `visible` that came while the page was
                // still marked hidden was not acted on.
                if core::mem::take(&mut self.page_hidden) && self.visibility == Visibility::Visible
                {
                    self.visibility_changed(Visibility::Visible, &id, out);
                }
            }
            Event::VisibilityChanged(visibility) => {
                self.visibility = visibility;
                if !self.page_hidden {
                    self.visibility_changed(visibility, &id, out);
                }
            }
            Event::WindowFocus => {
                if self.link.mode() == Mode::On
                    && !self.focused
                    && self.visibility == Visibility::Visible
                {
                    self.focused = true;
                    self.send_visibility(Visibility::Visible, out);
                }
            }
        }
    }

    fn frame(&mut self, frame: ServerFrame<P>, id: &VisitorId, out: &mut Vec<Action<P>>) {
        match frame {
            ServerFrame::Connected { keepalive, data } => {
                let presence_queued = self.link.has_queued(Slot::Presence);
                let visibility_queued = self.link.has_queued(Slot::Visibility);
                self.link.connected(keepalive, out);
                // A reconnect: tell the server again what it may have forgotten.
                if let (false, Some(map)) = (presence_queued, &self.last_presence) {
                    out.push(Action::Send(ClientFrame::Presence(Data::Presence(
                        map.clone(),
                    ))));
                }
                if !visibility_queued && self.visibility == Visibility::Hidden {
                    out.push(Action::Send(ClientFrame::Visibility(VisibilityData {
                        visibility: Visibility::Hidden,
                    })));
                }
                self.focused = true;
                out.push(Action::Dispatch(PageEvent::named(
                    "onconnected",
                    EventArg::ConnectedData(data),
                )));
            }
            ServerFrame::Invoke(call) => match invoke_path(&call.func) {
                Ok(_) => out.push(Action::Invoke(call)),
                Err(refused) => out.push(Action::Log(refused.message())),
            },
            ServerFrame::Blur => {
                self.focused = false;
                out.push(Action::Dispatch(relay(ServerFrame::Blur)));
            }
            ServerFrame::Error(e) => {
                if e.error == ErrorCode::Connfail {
                    self.link.refusal_reported();
                }
                out.push(Action::Dispatch(relay(ServerFrame::Error(e))));
            }
            ServerFrame::Redirect(r) => self.link.redirect(r.direct, id, out),
            ServerFrame::ScaleDown => self.link.restart(id, out),
            ServerFrame::ServerClose => {
                // Closed while hidden (the hidden limit): come back when visible. Otherwise final.
                if self.visibility == Visibility::Hidden {
                    self.link.sleep(out);
                } else {
                    self.link.stop(out);
                    out.push(Action::Timer(TimerKind::HiddenLimit, None));
                }
                out.push(Action::Dispatch(relay(ServerFrame::ServerClose)));
            }
            other => out.push(Action::Dispatch(relay(other))),
        }
    }
}

impl<P: Clone> Machine<P> for VisitorMachine<P> {
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

    fn guesttoken(&self) -> Option<&str> {
        self.guesttoken.as_deref()
    }
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

fn wrap_event<P>(event: VisitorEvent<P>) -> VisitorEvent<Data<P>> {
    let wrap = |d: Option<P>| d.map(Data::Value);
    match event {
        VisitorEvent::Terms(t) => VisitorEvent::Terms(t),
        VisitorEvent::SessionStart(d) => VisitorEvent::SessionStart(wrap(d)),
        VisitorEvent::SessionEnd(d) => VisitorEvent::SessionEnd(wrap(d)),
        VisitorEvent::VisitorError(d) => VisitorEvent::VisitorError(wrap(d)),
        VisitorEvent::Custom { name, data } => VisitorEvent::Custom {
            name,
            data: wrap(data),
        },
    }
}
