//! The loader and the module number the methods alike.

use super::support::METHODS;

#[test]
fn the_loader_numbers_the_methods_as_the_module_does() {
    let loader = include_str!("../../pkg-template/loader.js");
    let start = loader
        .find("var METHODS = [")
        .expect("METHODS in the loader")
        + 15;
    let end = start + loader[start..].find("];").expect("end of METHODS");
    let names: Vec<String> = loader[start..end]
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_string())
        .collect();
    assert_eq!(names, METHODS);
    use crate::exports::method::*;
    let numbers = [
        CONNECT,
        DISCONNECT,
        ISCONNECTED,
        SET_VISITOR_ID,
        SIGNAL_VISITOR,
        INVOKE_VISITOR,
        LOOKUP_VISITOR,
        QUERY,
        PRESENCE,
        FIRE,
        SIGNAL_AGENT,
        SIGNAL_VISIBILITY,
        SET_DEFAULT_UI,
        CONNECT_UNIQUE,
        EXTEND_UNIQUE,
        AUTHORIZE,
        SET_TOKEN,
        GETTOKEN,
        CLEAR_TOKEN,
        AUTHORIZED,
        SHOW_TERMS,
        START_SESSION,
        STOP_SESSION,
    ];
    assert_eq!(numbers.to_vec(), (0..23).collect::<Vec<u32>>());
}
