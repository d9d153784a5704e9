//! The one-click terms flow in real Chromium: an agent invokes `showTerms`, the built-in dialog
//! appears, and Accept / Decline / Escape reach the agent as `onterms` and
//! `onvisitorsessionstart`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use glance_presence::{AgentCore, Authorization, Cobrowse, VisitorCore};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Installs `GLANCE.Cobrowse.Visitor.{showTerms,startSession,stopSession}` as the loader does.
fn install_cobrowse() -> Vec<Closure<dyn FnMut(JsValue)>> {
    let glance = js_sys::Object::new();
    let cobrowse = js_sys::Object::new();
    let visitor = js_sys::Object::new();
    let closures = vec![
        Closure::<dyn FnMut(JsValue)>::new(Cobrowse::show_terms),
        Closure::<dyn FnMut(JsValue)>::new(Cobrowse::start_session),
        Closure::<dyn FnMut(JsValue)>::new(|_| Cobrowse::stop_session()),
    ];
    set(&visitor, "showTerms", closures[0].as_ref().clone());
    set(&visitor, "startSession", closures[1].as_ref().clone());
    set(&visitor, "stopSession", closures[2].as_ref().clone());
    set(&cobrowse, "Visitor", visitor);
    set(&glance, "Cobrowse", cobrowse);
    set(&window(), "GLANCE", glance);
    closures
}

async fn setup(id: &str) -> (Recorder, VisitorCore, Recorder, AgentCore) {
    configure_page();
    if !Authorization::authorized() {
        let creds = js_sys::Object::new();
        set(&creds, "partnerid", 12345);
        set(&creds, "partneruserid", user());
        set(&creds, "loginkey", loginkey());
        let cb = Callbacks::new(&[("credentials", creds.into())]);
        Authorization::authorize(cb.opts.clone());
        cb.done(5000).await.expect("authorize");
    }
    let params = js_sys::Object::new();
    set(&params, "visitorid", id);
    let agent_page = Recorder::new(&[
        "onconnected",
        "onterms",
        "onvisitorsessionstart",
        "onvisitorconn",
    ]);
    let agent = AgentCore::new(agent_page.object.clone(), params.clone().into());
    agent.connect();
    agent_page.wait("onconnected", 5000, |_| true).await;
    let visitor_page = Recorder::new(&["onconnected", "onshowterms", "onerror"]);
    let visitor = VisitorCore::new(visitor_page.object.clone(), params.into());
    visitor.presence(JsValue::UNDEFINED);
    agent_page
        .wait("onvisitorconn", 5000, |e| get(e, "connected") == true)
        .await;
    (visitor_page, visitor, agent_page, agent)
}

fn dialog_button(class: &str) -> Option<web_sys::HtmlElement> {
    let host = window().document()?.get_element_by_id("glance-terms")?;
    let shadow = host.shadow_root()?;
    shadow
        .query_selector(&format!("button.{class}"))
        .ok()??
        .dyn_into()
        .ok()
}

async fn show_terms(agent: &AgentCore) {
    let invoke = Callbacks::new(&[
        ("func", "GLANCE.Cobrowse.Visitor.showTerms".into()),
        ("args", json("{}")),
    ]);
    agent.invoke_visitor(invoke.opts.clone());
    assert!(invoke.done(5000).await.is_ok());
    until("the terms dialog", 5000, || {
        dialog_button("accept").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn accepting_the_terms_starts_the_session() {
    let _cobrowse = install_cobrowse();
    let id = unique_id("terms-ok");
    let (_visitor_page, visitor, agent_page, agent) = setup(&id).await;

    let started = Rc::new(RefCell::new(None));
    let seen = started.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            *seen.borrow_mut() = Some(e.detail())
        });
    window()
        .add_event_listener_with_callback("glance:startsession", listener.as_ref().unchecked_ref())
        .unwrap();

    show_terms(&agent).await;
    agent_page
        .wait("onterms", 5000, |e| get(e, "status") == "displayed")
        .await;

    // The dialog is accessible: a labelled modal with focus inside it.
    let host = window()
        .document()
        .unwrap()
        .get_element_by_id("glance-terms")
        .unwrap();
    let shadow = host.shadow_root().unwrap();
    let dialog = shadow.query_selector("dialog").unwrap().expect("a dialog");
    assert!(dialog.matches(":modal").unwrap(), "shown as a modal dialog");
    assert!(dialog.get_attribute("aria-labelledby").is_some());
    assert!(
        shadow.active_element().is_some(),
        "focus moved into the dialog"
    );
    assert_eq!(
        dialog_button("accept").unwrap().text_content().as_deref(),
        Some("Accept")
    );

    dialog_button("accept").unwrap().click();
    agent_page
        .wait("onterms", 5000, |e| get(e, "status") == "accepted")
        .await;
    let start = agent_page
        .wait("onvisitorsessionstart", 5000, |_| true)
        .await;
    assert_eq!(get(&start, "sessionkey"), id.as_str());
    until("glance:startsession", 2000, || started.borrow().is_some()).await;
    assert_eq!(
        get(started.borrow().as_ref().unwrap(), "sessionkey"),
        id.as_str()
    );
    assert!(
        window()
            .document()
            .unwrap()
            .get_element_by_id("glance-terms")
            .is_none(),
        "the dialog is gone"
    );

    window()
        .remove_event_listener_with_callback(
            "glance:startsession",
            listener.as_ref().unchecked_ref(),
        )
        .unwrap();
    visitor.disconnect();
    agent.disconnect();
}

#[wasm_bindgen_test]
async fn declining_and_escape_report_declined() {
    let _cobrowse = install_cobrowse();
    let id = unique_id("terms-no");
    let (visitor_page, visitor, agent_page, agent) = setup(&id).await;

    show_terms(&agent).await;
    dialog_button("decline").unwrap().click();
    agent_page
        .wait("onterms", 5000, |e| get(e, "status") == "declined")
        .await;

    // Focus on something of the page: the dialog gives it back when it closes.
    let document = window().document().unwrap();
    let field: web_sys::HtmlElement = document.create_element("button").unwrap().unchecked_into();
    field.set_text_content(Some("page button"));
    document.body().unwrap().append_child(&field).unwrap();
    field.focus().unwrap();
    show_terms(&agent).await;
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    init.set_composed(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    dialog_button("accept")
        .unwrap()
        .dispatch_event(&escape)
        .unwrap();
    until("two declines", 5000, || {
        agent_page
            .calls("onterms")
            .iter()
            .filter(|e| get(e, "status") == "declined")
            .count()
            == 2
    })
    .await;
    assert!(agent_page.calls("onvisitorsessionstart").is_empty());
    let focused = document.active_element().expect("something focused");
    assert_eq!(
        focused,
        *field.unchecked_ref::<web_sys::Element>(),
        "focus given back"
    );
    field.remove();
    sleep(300).await;
    assert_eq!(
        agent_page
            .calls("onterms")
            .iter()
            .filter(|e| get(e, "status") == "declined")
            .count(),
        2,
        "one decline per dialog"
    );

    // setDefaultUI(false): no dialog, the page hears onshowterms.
    visitor.set_default_ui(false.into());
    let invoke = Callbacks::new(&[("func", "GLANCE.Cobrowse.Visitor.showTerms".into())]);
    agent.invoke_visitor(invoke.opts.clone());
    let shown = visitor_page.wait("onshowterms", 5000, |_| true).await;
    assert_eq!(get(&shown, "sessionkey"), id.as_str());
    // The group's terms URL, when the settings service tells it (`termsUrl`).
    let url = get(&shown, "termsurl");
    assert!(
        url.is_undefined() || url == "https://example.com/terms",
        "{url:?}"
    );
    assert!(dialog_button("accept").is_none());
    visitor.signal_agent("terms".into(), json(r#"{"status": "accepted"}"#));
    agent_page
        .wait("onterms", 5000, |e| get(e, "status") == "accepted")
        .await;

    visitor.disconnect();
    agent.disconnect();
}
