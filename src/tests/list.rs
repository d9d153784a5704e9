//! Ordered removal (`list.rs`): what `Vec::remove` would do, and nothing past the end.

use crate::list::{take_at, take_first};
use std::rc::Rc;

#[test]
fn take_at_removes_in_place_and_keeps_the_order() {
    let mut items = vec!["a".to_string(), "b".into(), "c".into(), "d".into()];
    assert_eq!(take_at(&mut items, 1).as_deref(), Some("b"));
    assert_eq!(items, ["a", "c", "d"]);
    assert_eq!(take_at(&mut items, 2).as_deref(), Some("d"));
    assert_eq!(take_at(&mut items, 0).as_deref(), Some("a"));
    assert_eq!(items, ["c"]);
}

#[test]
fn take_at_past_the_end_is_none_and_changes_nothing() {
    let mut items = vec![1, 2];
    assert_eq!(take_at(&mut items, 2), None);
    assert_eq!(take_at(&mut items, usize::MAX), None);
    assert_eq!(items, [1, 2]);
    let mut empty: Vec<u8> = Vec::new();
    assert_eq!(take_at(&mut empty, 0), None);
}

#[test]
fn every_element_is_dropped_exactly_once() {
    let token = Rc::new(());
    let mut items: Vec<Rc<()>> = (0..5).map(|_| Rc::clone(&token)).collect();
    let taken = take_at(&mut items, 2);
    assert_eq!(Rc::strong_count(&token), 6);
    drop(taken);
    assert_eq!(Rc::strong_count(&token), 5);
    while take_at(&mut items, 0).is_some() {}
    assert_eq!(Rc::strong_count(&token), 1);
    drop(items);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn take_first_takes_the_first_match_only() {
    let mut items = vec![(1, 'a'), (2, 'b'), (1, 'c')];
    assert_eq!(take_first(&mut items, |(k, _)| *k == 1), Some((1, 'a')));
    assert_eq!(items, [(2, 'b'), (1, 'c')]);
    assert_eq!(take_first(&mut items, |(k, _)| *k == 3), None);
    assert_eq!(items.len(), 2);
}
