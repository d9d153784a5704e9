//! The methods of the page-facing API, as the exported classes of `src/shell/` name them to the
//! state machine ([`crate::dispatch::call`]).
//!
//! In the order the dispatch relies on: the methods both roles have come first (up to
//! `SetVisitorId`), then the agent's, the visitor's, and the static ones of
//! `GLANCE.Authorization` and `GLANCE.Cobrowse` last.

/// A method of `GLANCE.Presence.Agent`, `GLANCE.Presence.Visitor`, `GLANCE.Authorization` or
/// `GLANCE.Cobrowse.Visitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// `connect()`.
    Connect,
    /// `disconnect()`.
    Disconnect,
    /// `isconnected()`.
    IsConnected,
    /// `setVisitorId(id)`.
    SetVisitorId,
    /// `signalVisitor({data, onsuccess, onfail})`.
    SignalVisitor,
    /// `invokeVisitor({func, args, onsuccess, onfail})`.
    InvokeVisitor,
    /// `lookupVisitor({onsuccess, onfail})`.
    LookupVisitor,
    /// `query({onsuccess, onfail, ...filter})`.
    Query,
    /// `presence({data}?)`.
    Presence,
    /// `fire(type, data)`.
    Fire,
    /// `signalAgent(name, props)`.
    SignalAgent,
    /// `signalVisibility(visible)`.
    SignalVisibility,
    /// `setDefaultUI(on)`.
    SetDefaultUi,
    /// `connectUnique({data}?)`.
    ConnectUnique,
    /// `extendUnique()`.
    ExtendUnique,
    /// `GLANCE.Authorization.authorize(opts)`.
    Authorize,
    /// `GLANCE.Authorization.setToken(token)`.
    SetToken,
    /// `GLANCE.Authorization.gettoken()`.
    GetToken,
    /// `GLANCE.Authorization.clearToken()`.
    ClearToken,
    /// `GLANCE.Authorization.authorized()`.
    Authorized,
    /// `GLANCE.Cobrowse.Visitor.showTerms(args)`.
    ShowTerms,
    /// `GLANCE.Cobrowse.Visitor.startSession(args)`.
    StartSession,
    /// `GLANCE.Cobrowse.Visitor.stopSession()`.
    StopSession,
}
