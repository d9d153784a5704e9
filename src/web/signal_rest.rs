//! An agent's signal or invoke over REST (`POST /signalvisitor`, §5), used when the agent has no
//! socket open for the visitor.

use crate::core::action::SignalMessage;
use crate::core::{FailCode, ResolveError};
#[allow(unused_imports)]
use crate::prelude::*;
use crate::core::json::Json;
use crate::web::discovery::{self, Endpoint};
use crate::web::http::Done;
use crate::web::token_store;
use glance_protocol::{SignalRequest, VisitorId};

/// `POST /signalvisitor` with the agent's token.
pub fn send(
    endpoint: &Endpoint,
    visitor: &VisitorId,
    message: SignalMessage<Json>,
    done: Done<Result<(), FailCode>>,
) {
    let Some(token) = token_store::token() else {
        return done(Err(FailCode::Authorization));
    };
    let kind = message.kind();
    let data = match message {
        SignalMessage::Signal(data) => data,
        SignalMessage::Invoke(call) => call.to_wire_with(Json::clone),
    };
    let request = SignalRequest {
        mtype: kind,
        data: Some(data),
    };
    let body = request.to_wire_with::<Json>(Json::clone).to_text();
    let query = [("visitorid", visitor.as_str())];
    discovery::presence_request(
        endpoint,
        "/signalvisitor",
        &query,
        Some(body),
        Some(token),
        None,
        Box::new(move |reply| {
            done(match reply {
                Ok(reply) if reply.ok() => Ok(()),
                Ok(reply) => Err(FailCode::from_status(reply.status)),
                Err(ResolveError::Network) => Err(FailCode::Connection),
                Err(ResolveError::Authorization) => Err(FailCode::Authorization),
                Err(ResolveError::Unavailable) => Err(FailCode::ServiceUnavailable),
                Err(_) => Err(FailCode::Error),
            })
        }),
    );
}
