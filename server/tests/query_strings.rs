//! One reading of the query (§4, issue 13 §2): the CORS check and the handlers read the same
//! decoded parameters, and `groupid`, `visitorid` or `service` given twice (in any spelling that
//! decodes to the name or value) is a 400 `invalidparameter` on every endpoint. The original
//! clients' query strings still parse.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

/// Group B's agent origin in [`two_origins`]: not group A's.
const B_ORIGIN: &str = "https://crm-b.example.com";

/// The test configuration with group B ([`OTHER_GROUP`]) on its own agent origin.
fn two_origins() -> presence_server::Config {
    let mut config = config();
    for g in &mut config.groups {
        if g.id == OTHER_GROUP {
            g.agent_origins = Some(vec![B_ORIGIN.into()]);
        }
    }
    config
}

/// A second `groupid` naming `b`, as the issue sent it: plain, with a percent-encoded name, and
/// with a percent-encoded value.
fn second_groupid(b: u32) -> Vec<String> {
    let encoded: String = b.to_string().bytes().map(|d| format!("%{d:02X}")).collect();
    vec![
        format!("groupid={b}"),
        format!("group%69d={b}"),
        format!("%67roupid={b}"),
        format!("groupid={encoded}"),
    ]
}

/// Every endpoint that reads a query: method, path, and whether it takes the agent token.
fn endpoints() -> Vec<(Method, &'static str, bool)> {
    vec![
        (
            Method::GET,
            "/services/authorizationservice/GetVisitorSettings3",
            false,
        ),
        (
            Method::POST,
            "/services/AuthorizationService.svc/rest/Authorize",
            false,
        ),
        (Method::POST, "/presence", false),
        (Method::GET, "/uniquevisitor", false),
        (Method::GET, "/lookupvisitor", true),
        (Method::GET, "/findvisitor", true),
        (Method::POST, "/signalvisitor", true),
        (Method::GET, "/query", true),
    ]
}

async fn call(server: &Server, method: Method, path: &str, agent: bool) -> Reply {
    let token = format!("Bearer {}", agent_token(GROUP));
    let headers: Vec<(&str, &str)> = if agent {
        vec![("authorization", token.as_str())]
    } else {
        vec![]
    };
    let body = if path.starts_with("/services/AuthorizationService.svc") {
        let key = login_key(API_KEY, GROUP, "agent-1", 600);
        Some(json!({"partnerid": GROUP.to_string(), "partneruserid": "agent-1", "loginkey": key}))
    } else if method == Method::POST {
        Some(json!({"mtype": "signal", "data": {}}))
    } else {
        None
    };
    server.request(method, path, &headers, body.as_ref()).await
}

fn refused(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 400, "{what}: {}", reply.body);
    assert_eq!(
        reply.body["err"], "invalidparameter",
        "{what}: {}",
        reply.body
    );
    assert!(reply.body["msg"].is_string(), "{what}: {}", reply.body);
}

#[tokio::test]
async fn a_duplicated_parameter_is_refused_on_every_endpoint() {
    let server = Server::start().await;
    let _visitor = server.visitor("v1").await;
    for (method, endpoint, agent) in endpoints() {
        let mut queries: Vec<String> = second_groupid(OTHER_GROUP)
            .into_iter()
            .map(|dup| format!("groupid={GROUP}&{dup}&visitorid=v1&service=presence"))
            .collect();
        queries.push(format!("groupid={GROUP}&visitorid=v1&visitorid=v2"));
        queries.push(format!("groupid={GROUP}&visitorid=v1&visitor%69d=v2"));
        queries.push(format!("groupid={GROUP}&visitorid=v1&visitorid=%76%31"));
        queries.push(format!(
            "groupid={GROUP}&visitorid=v1&service=presence&service=x"
        ));
        queries.push(format!(
            "groupid={GROUP}&visitorid=v1&servic%65=presence&service=presence"
        ));
        for query in queries {
            let path = format!("{endpoint}?{query}");
            refused(&call(&server, method.clone(), &path, agent).await, &path);
        }
        // The original clients' query string is fine (`connectUnique()` sends `undefined`).
        let visitor = if endpoint == "/uniquevisitor" {
            "undefined"
        } else {
            "v1"
        };
        let path = format!("{endpoint}?groupid={GROUP}&visitorid={visitor}&&ver=6.33.0");
        let reply = call(&server, method.clone(), &path, agent).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    }
}

/// The attack: group A's agent origin, group B's token, `groupid=A&groupid=B`: the CORS
/// check must not consent for A while the handler serves B.
#[tokio::test]
async fn cors_and_the_handler_read_the_same_group() {
    let server = Server::with(two_origins()).await;
    let _b_visitor = server.visitor_in(OTHER_GROUP, "b-secret").await;
    let b_token = format!("Bearer {}", agent_token(OTHER_GROUP));
    for dup in second_groupid(OTHER_GROUP) {
        for endpoint in ["/query", "/lookupvisitor", "/findvisitor"] {
            let path = format!("{endpoint}?groupid={GROUP}&{dup}&visitorid=b-secret");
            let reply = server
                .request(
                    Method::GET,
                    &path,
                    &[("origin", AGENT_ORIGIN), ("authorization", &b_token)],
                    None,
                )
                .await;
            refused(&reply, &path);
            assert_eq!(reply.header("access-control-allow-origin"), "", "{path}");
            assert!(!reply.body.to_string().contains("b-secret"), "{path}");
        }
    }
    // Group B's own origin, asking once, is served; group A's origin for group B is not.
    let path = format!("/query?groupid={OTHER_GROUP}");
    let ok = server
        .request(
            Method::GET,
            &path,
            &[("origin", B_ORIGIN), ("authorization", &b_token)],
            None,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("access-control-allow-origin"), B_ORIGIN);
    assert_eq!(ok.body["visitors"][0]["visitorid"], "b-secret");
    let cross = server
        .request(
            Method::GET,
            &path,
            &[("origin", AGENT_ORIGIN), ("authorization", &b_token)],
            None,
        )
        .await;
    assert_eq!(cross.status, 403);
}
