//! Calling into page code: handlers read at dispatch time, exceptions caught and logged by the
//! host.
//!
//! Nothing here is called while a `RefCell` of the module is borrowed: the connection releases
//! its machine before carrying out actions, so a handler may call back into the API.

use crate::core::json::{Json, Number};
use crate::core::{EventArg, FailCode, PageEvent};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::{args, object, to_json};
use crate::web::host;
use glance_protocol::{ErrorCode, ErrorData, SockData, TermsData, VisibilityData};

pub use crate::web::host::warn;

/// A page object or a call's options, as the host holds them.
pub type Target = u32;

/// Calls `target[handler](args…)` if it is a function.
pub fn call_method(target: Target, handler: &str, values: Vec<Json>) {
    host::emit(target, handler, &args(values), false);
}

/// `{sessionkey}`: the argument of `onshowterms` and the detail of the session events.
pub fn session_arg(sessionkey: &str) -> Json {
    object(&[("sessionkey", sessionkey)])
}

/// Calls `page[handler](arg)` as the event says.
pub fn dispatch(page: Target, event: PageEvent<Json>) {
    let values = match event.arg {
        EventArg::None => vec![],
        EventArg::Data(Some(data)) => vec![data],
        EventArg::Data(None) => vec![Json::Object(vec![])],
        EventArg::Connected(connected) => vec![to_json(&SockData { connected })],
        EventArg::Visibility(visibility) => vec![to_json(&VisibilityData { visibility })],
        EventArg::Terms(status) => vec![to_json(&TermsData { status })],
        EventArg::ConnectedData(data) => vec![to_json(&data)],
        EventArg::Error(error) => vec![to_json(&error)],
        EventArg::UniqueId(id, timeout) => vec![
            Json::str(&id),
            Json::Number(Number::from_u64(u64::from(timeout))),
        ],
        EventArg::ShowTerms {
            sessionkey,
            termsurl,
        } => {
            let mut arg = session_arg(&sessionkey);
            if let Some(url) = termsurl {
                arg.set("termsurl", Json::str(&url));
            }
            vec![arg]
        }
    };
    call_method(page, event.handler.name(), values);
}

/// `page.onerror({error, detail})`.
pub fn error(page: Target, error: ErrorCode, detail: &str) {
    let data = ErrorData {
        error,
        detail: Some(detail.to_owned()),
    };
    call_method(page, "onerror", vec![to_json(&data)]);
}

/// Calls `opts.onsuccess(value…)` or `opts.onfail(code)`, once: the host forgets the options
/// afterwards.
pub fn settle(opts: Target, result: Result<Vec<Json>, FailCode>) {
    let (handler, values) = match result {
        Ok(values) => ("onsuccess", values),
        Err(code) => ("onfail", vec![Json::str(code.as_str())]),
    };
    host::emit(opts, handler, &args(values), true);
}
