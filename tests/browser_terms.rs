//! The one-click terms flow in real Chromium: an agent invokes `showTerms`, the built-in dialog
//! appears, and Accept / Decline / Escape reach the agent as `onterms` and
//! `onvisitorsessionstart`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A signed-in page that loaded the served script, which installed the default
/// `GLANCE.Cobrowse.Visitor.showTerms` / `startSession` / `stopSession` (the page has no cobrowse
/// script of its own); an agent watching visitor `id`, and that visitor present.
async fn setup(id: &str) -> (Recorder, Visitor, Recorder, Agent) {
    signed_in().await;
    let defaults = get(&get(&get(&window(), "GLANCE"), "Cobrowse"), "Visitor");
    for name in ["showTerms", "startSession", "stopSession"] {
        assert!(
            get(&defaults, name).is_function(),
            "GLANCE.Cobrowse.Visitor.{name} installed by the served script"
        );
    }
    let agent = Agent::new(&params(id));
    let agent_page = Recorder::on(
        agent.object(),
        &[
            "onconnected",
            "onterms",
            "onvisitorsessionstart",
            "onvisitorconn",
        ],
    );
    agent.connect();
    agent_page.wait("onconnected", 5000, |_| true).await;
    let visitor = Visitor::new(&params(id));
    let visitor_page = Recorder::on(visitor.object(), &["onconnected", "onshowterms", "onerror"]);
    visitor.presence(&JsValue::UNDEFINED);
    agent_page
        .wait("onvisitorconn", 5000, |e| get(e, "connected") == true)
        .await;
    (visitor_page, visitor, agent_page, agent)
}

/// The dialog's button of `class`, inside the shadow root of `#glance-terms`.
fn dialog_button(class: &str) -> Option<web_sys::HtmlElement> {
    let host = window().document()?.get_element_by_id("glance-terms")?;
    let shadow = host.shadow_root()?;
    shadow
        .query_selector(&format!("button.{class}"))
        .ok()??
        .dyn_into()
        .ok()
}

/// Invokes `GLANCE.Cobrowse.Visitor.showTerms` from the agent; waits for the dialog.
async fn show_terms(agent: &Agent) {
    let invoke = Callbacks::new(&[
        ("func", "GLANCE.Cobrowse.Visitor.showTerms".into()),
        ("args", json("{}")),
    ]);
    agent.invoke_visitor(&invoke.opts);
    assert!(invoke.done(5000).await.is_ok());
    until("the terms dialog", 5000, || {
        dialog_button("accept").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn accepting_the_terms_starts_the_session() {
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
    visitor.set_default_ui(false);
    let invoke = Callbacks::new(&[("func", "GLANCE.Cobrowse.Visitor.showTerms".into())]);
    agent.invoke_visitor(&invoke.opts);
    let shown = visitor_page.wait("onshowterms", 5000, |_| true).await;
    assert_eq!(get(&shown, "sessionkey"), id.as_str());
    // The group's terms URL, when the settings service tells it (`termsUrl`).
    let url = get(&shown, "termsurl");
    assert!(
        url.is_undefined() || url == "https://example.com/terms",
        "{url:?}"
    );
    assert!(dialog_button("accept").is_none());
    visitor.signal_agent("terms", &json(r#"{"status": "accepted"}"#));
    agent_page
        .wait("onterms", 5000, |e| get(e, "status") == "accepted")
        .await;

    visitor.disconnect();
    agent.disconnect();
}
