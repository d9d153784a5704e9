//! One behaviour suite for both stores: the in-memory default and Redis (a real `redis-server`
//! started here on a free port). Each scenario drives the `Store` trait with real outboxes and
//! reads the frames the connections would send.

mod common;

use glance_protocol::{GroupId, JsonServerFrame, ServerFrame, VisitorId};
use presence_server::metrics::Metrics;
use presence_server::outbox::{Outbox, Outgoing};
use presence_server::store::StoreRules;
use presence_server::store::{
    MemoryStore, RedisStore, SignalOutcome, Store, StoreError, VisitorKey, VisitorUpdate,
};
use serde_json::{json, Value};
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

const GRACE: Duration = Duration::from_millis(400);
const HOLD: Duration = Duration::from_millis(400);

fn rules() -> StoreRules {
    StoreRules {
        grace: GRACE,
        hold: HOLD,
        presence: Default::default(),
        held_signals: 4,
        agents_per_visitor: 3,
        sockets_per_visitor: 3,
        webhooks: Default::default(),
    }
}

fn key(visitor: &str) -> VisitorKey {
    VisitorKey::new(
        GroupId::new(12345).unwrap(),
        VisitorId::parse(visitor).unwrap(),
    )
}

fn map(v: Value) -> glance_protocol::PresenceMap {
    v.as_object().cloned().unwrap()
}

/// A connection's outbox, read as frames.
struct Conn {
    id: u64,
    outbox: Outbox,
    seen: Vec<JsonServerFrame>,
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Conn {
    fn new() -> Self {
        Self {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            outbox: Outbox::new(64),
            seen: Vec::new(),
        }
    }

    fn drain(&mut self) {
        for item in self.outbox.take() {
            if let Outgoing::Frame(t) | Outgoing::Signal(t, _) = item {
                self.seen
                    .push(JsonServerFrame::parse(t.as_bytes()).expect("server frames parse"));
            }
        }
    }

    /// Waits for a frame of `kind`, consuming frames up to it.
    async fn expect(&mut self, kind: &str) -> JsonServerFrame {
        let until = Instant::now() + Duration::from_secs(3);
        loop {
            self.drain();
            if let Some(pos) = self.seen.iter().position(|f| f.kind() == kind) {
                let f = self.seen.remove(pos);
                self.seen.drain(..pos);
                return f;
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {kind} frame; saw {:?}",
                self.seen
                    .iter()
                    .map(|f| f.kind().to_owned())
                    .collect::<Vec<_>>()
            );
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), self.outbox.ready())
                .await;
        }
    }

    /// Asserts no frame of `kind` arrives for `during`.
    async fn expect_none(&mut self, kind: &str, during: Duration) {
        tokio::time::sleep(during).await;
        self.drain();
        assert!(
            !self.seen.iter().any(|f| f.kind() == kind),
            "unexpected {kind}: {:?}",
            self.seen
        );
    }

    fn clear(&mut self) {
        self.drain();
        self.seen.clear();
    }
}

fn sock(f: &JsonServerFrame) -> bool {
    match f {
        ServerFrame::VisitorSock(d) | ServerFrame::VisitorConn(d) => d.connected,
        other => panic!("not a sock frame: {other:?}"),
    }
}

struct Redis(Child, String);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn redis_store(node: &str) -> (Arc<dyn Store>, Redis) {
    let (child, port) = common::start_redis_anywhere().await;
    let url = format!("redis://127.0.0.1:{port}");
    let redis = Redis(child, url.clone());
    let store = RedisStore::connect(&url, node.into(), rules(), Arc::new(Metrics::new()))
        .await
        .expect("redis store");
    (Arc::new(store), redis)
}

fn memory_store() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new(rules(), Arc::new(Metrics::new())))
}

/// Runs `scenario` against both stores.
macro_rules! both {
    ($name:ident, $scenario:ident) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn memory() {
                $scenario(memory_store()).await;
            }
            #[tokio::test]
            async fn redis() {
                let (store, _redis) = redis_store("n1").await;
                $scenario(store).await;
            }
        }
    };
}

async fn navigation_does_not_flap(store: Arc<dyn Store>) {
    let k = key("nav");
    let mut agent = Conn::new();
    store
        .agent_open(&k, agent.id, agent.outbox.clone())
        .await
        .unwrap();
    let page1 = Conn::new();
    store
        .visitor_open(&k, page1.id, page1.outbox.clone())
        .await
        .unwrap();
    assert!(sock(&agent.expect("visitorsock").await));
    assert!(sock(&agent.expect("visitorconn").await));
    store.visitor_close(&k, page1.id).await;
    assert!(!sock(&agent.expect("visitorsock").await));
    let page2 = Conn::new();
    store
        .visitor_open(&k, page2.id, page2.outbox.clone())
        .await
        .unwrap();
    assert!(sock(&agent.expect("visitorsock").await));
    agent
        .expect_none("visitorconn", GRACE + Duration::from_millis(200))
        .await;
    assert!(store.lookup(&k).await.unwrap().is_some());
    store.visitor_close(&k, page2.id).await;
    assert!(!sock(&agent.expect("visitorsock").await));
    assert!(
        store.lookup(&k).await.unwrap().is_some(),
        "present during the grace period"
    );
    assert!(!sock(&agent.expect("visitorconn").await));
    assert!(store.lookup(&k).await.unwrap().is_none());
}
both!(navigation, navigation_does_not_flap);

async fn presence_merges_and_relays(store: Arc<dyn Store>) {
    let k = key("merge");
    let v = Conn::new();
    store
        .visitor_open(&k, v.id, v.outbox.clone())
        .await
        .unwrap();
    store
        .visitor_update(
            &k,
            v.id,
            VisitorUpdate::Presence(map(json!({"url": "/a", "cart": 1}))),
        )
        .await
        .unwrap();
    store
        .visitor_update(
            &k,
            v.id,
            VisitorUpdate::Presence(map(json!({"cart": 2, "name": "Ann"}))),
        )
        .await
        .unwrap();
    let mut agent = Conn::new();
    store
        .agent_open(&k, agent.id, agent.outbox.clone())
        .await
        .unwrap();
    assert!(sock(&agent.expect("visitorconn").await));
    let ServerFrame::Presence(p) = agent.expect("presence").await else {
        unreachable!()
    };
    assert_eq!(
        (p["url"].clone(), p["cart"].clone(), p["name"].clone()),
        (json!("/a"), json!(2), json!("Ann"))
    );
    assert_eq!(p["visitorpresent"], json!(true));
    assert!(p["timestamp"].as_u64().unwrap() > 0);
    store
        .visitor_update(&k, v.id, VisitorUpdate::Presence(map(json!({"url": "/b"}))))
        .await
        .unwrap();
    let ServerFrame::Presence(p) = agent.expect("presence").await else {
        unreachable!()
    };
    assert_eq!(
        (p["url"].clone(), p["cart"].clone()),
        (json!("/b"), json!(2))
    );
    let looked = store.lookup(&k).await.unwrap().unwrap();
    assert_eq!(looked["url"], json!("/b"));
    let listed = store.query(k.group, None, 100).await.unwrap().visitors;
    assert!(listed
        .iter()
        .any(|(id, p)| id == &k.visitor && p["cart"] == json!(2)));
    let too_many: Value = (0..21)
        .map(|i| (format!("k{i}"), json!(i)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let err = store
        .visitor_update(&k, v.id, VisitorUpdate::Presence(map(too_many)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(
        store.lookup(&k).await.unwrap().unwrap()["url"],
        json!("/b"),
        "a refused update changes nothing"
    );
}
both!(presence, presence_merges_and_relays);

async fn focus_and_blur(store: Arc<dyn Store>) {
    let k = key("focus");
    let mut tab1 = Conn::new();
    let mut tab2 = Conn::new();
    store
        .visitor_open(&k, tab1.id, tab1.outbox.clone())
        .await
        .unwrap();
    store
        .visitor_open(&k, tab2.id, tab2.outbox.clone())
        .await
        .unwrap();
    tab1.expect("blur").await;
    assert_eq!(
        store
            .signal(&k, json_signal("to-tab2"), None)
            .await
            .unwrap(),
        SignalOutcome::Delivered
    );
    assert_eq!(signal_data(&tab2.expect("signal").await), "to-tab2");
    store
        .visitor_update(
            &k,
            tab1.id,
            VisitorUpdate::Presence(map(json!({"url": "/x"}))),
        )
        .await
        .unwrap();
    tab2.expect("blur").await;
    tab1.clear();
    assert_eq!(
        store
            .signal(&k, json_signal("to-tab1"), None)
            .await
            .unwrap(),
        SignalOutcome::Delivered
    );
    assert_eq!(signal_data(&tab1.expect("signal").await), "to-tab1");
    tab2.expect_none("signal", Duration::from_millis(150)).await;
    // The focused tab closes: the other one gets signals, and no visitorsock false is sent.
    let mut agent = Conn::new();
    store
        .agent_open(&k, agent.id, agent.outbox.clone())
        .await
        .unwrap();
    agent.clear();
    store.visitor_close(&k, tab1.id).await;
    agent
        .expect_none("visitorsock", Duration::from_millis(150))
        .await;
    store.signal(&k, json_signal("after"), None).await.unwrap();
    assert_eq!(signal_data(&tab2.expect("signal").await), "after");
}
both!(focus, focus_and_blur);

fn json_signal(text: &str) -> axum::extract::ws::Utf8Bytes {
    ServerFrame::Signal(Some(json!({ "text": text })))
        .to_json()
        .into()
}

fn signal_data(f: &JsonServerFrame) -> String {
    match f {
        ServerFrame::Signal(Some(d)) => d["text"].as_str().unwrap_or_default().to_owned(),
        other => panic!("not a signal: {other:?}"),
    }
}

async fn signals_are_held_between_pages(store: Arc<dyn Store>) {
    let k = key("held");
    assert_eq!(
        store.signal(&k, json_signal("nobody"), None).await.unwrap(),
        SignalOutcome::NotPresent
    );
    let page1 = Conn::new();
    store
        .visitor_open(&k, page1.id, page1.outbox.clone())
        .await
        .unwrap();
    store.visitor_close(&k, page1.id).await;
    assert_eq!(
        store.signal(&k, json_signal("one"), None).await.unwrap(),
        SignalOutcome::Held
    );
    assert_eq!(
        store.signal(&k, json_signal("two"), None).await.unwrap(),
        SignalOutcome::Held
    );
    let mut page2 = Conn::new();
    store
        .visitor_open(&k, page2.id, page2.outbox.clone())
        .await
        .unwrap();
    assert_eq!(signal_data(&page2.expect("signal").await), "one");
    assert_eq!(signal_data(&page2.expect("signal").await), "two");
    store.visitor_close(&k, page2.id).await;
    tokio::time::sleep(HOLD + Duration::from_millis(150)).await;
    assert_eq!(
        store.signal(&k, json_signal("late"), None).await.unwrap(),
        SignalOutcome::NotPresent
    );
}
both!(held, signals_are_held_between_pages);

async fn limits_per_visitor(store: Arc<dyn Store>) {
    let k = key("limits");
    let conns: Vec<Conn> = (0..4).map(|_| Conn::new()).collect();
    for c in &conns[..3] {
        store
            .visitor_open(&k, c.id, c.outbox.clone())
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .visitor_open(&k, conns[3].id, conns[3].outbox.clone())
            .await,
        Err(StoreError::TooMany("sockets"))
    );
    let agents: Vec<Conn> = (0..4).map(|_| Conn::new()).collect();
    for a in &agents[..3] {
        store.agent_open(&k, a.id, a.outbox.clone()).await.unwrap();
    }
    assert_eq!(
        store
            .agent_open(&k, agents[3].id, agents[3].outbox.clone())
            .await,
        Err(StoreError::TooMany("agents"))
    );
}
both!(limits, limits_per_visitor);

/// Unique ids are 9 digits, distinct and not counted up (§4.3): 50 in a row have no two
/// consecutive numbers (a counter would give 49 such pairs; random draws give one with odds of
/// about 1 in 10 million).
async fn unique_ids_are_random_nine_digits(store: Arc<dyn Store>) {
    let until = presence_server::store::now_ms() + 60_000;
    let mut ids = Vec::new();
    for claim in 0..50 {
        ids.push(store.claim_unique(claim, until).await.unwrap());
    }
    for id in &ids {
        assert_eq!(id.to_string().len(), 9, "{id} has 9 digits");
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "distinct: {ids:?}");
    let consecutive = sorted.windows(2).filter(|w| w[1] == w[0] + 1).count();
    assert_eq!(consecutive, 0, "not sequential: {ids:?}");
}
both!(unique_ids, unique_ids_are_random_nine_digits);

/// A renewal with the id's claim reaches its sockets; another claim, or a lapsed id, is refused.
async fn unique_renewal_needs_the_claim_and_a_live_id(store: Arc<dyn Store>) {
    let now = presence_server::store::now_ms;
    let number = store.claim_unique(7, now() + 60_000).await.unwrap();
    let k = key(&format!("UNQ-{number}"));
    let v = Conn::new();
    store
        .visitor_open(&k, v.id, v.outbox.clone())
        .await
        .unwrap();
    let renewed_to = now() + 120_000;
    assert!(store.renew_unique(&k, 7, renewed_to).await.unwrap());
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        if v.outbox
            .take()
            .iter()
            .any(|o| matches!(o, Outgoing::UniqueDeadline(ms) if *ms == renewed_to))
        {
            break;
        }
        assert!(Instant::now() < until, "no renewal arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !store.renew_unique(&k, 8, renewed_to).await.unwrap(),
        "another claim (a token of an earlier holder) does not renew"
    );
    assert!(
        !store
            .renew_unique(&key("UNQ-12"), 7, renewed_to)
            .await
            .unwrap(),
        "an id never handed out does not renew"
    );

    // An id that is not renewed lapses.
    let short = store.claim_unique(9, now() + 150).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!store
        .renew_unique(&key(&format!("UNQ-{short}")), 9, now() + 60_000)
        .await
        .unwrap());
}
both!(unique, unique_renewal_needs_the_claim_and_a_live_id);

/// Two Redis nodes on one Redis: an agent on node B follows a visitor on node A, and a signal
/// sent through node B reaches the visitor's socket on node A.
#[tokio::test]
async fn redis_nodes_share_state() {
    let (a, redis) = redis_store("na").await;
    let b: Arc<dyn Store> = Arc::new(
        RedisStore::connect(&redis.1, "nb".into(), rules(), Arc::new(Metrics::new()))
            .await
            .unwrap(),
    );
    let k = key("cross");
    let mut agent = Conn::new();
    b.agent_open(&k, agent.id, agent.outbox.clone())
        .await
        .unwrap();
    let mut visitor = Conn::new();
    a.visitor_open(&k, visitor.id, visitor.outbox.clone())
        .await
        .unwrap();
    assert!(sock(&agent.expect("visitorconn").await));
    a.visitor_update(
        &k,
        visitor.id,
        VisitorUpdate::Presence(map(json!({"url": "/cross"}))),
    )
    .await
    .unwrap();
    let ServerFrame::Presence(p) = agent.expect("presence").await else {
        unreachable!()
    };
    assert_eq!(p["url"], json!("/cross"));
    assert_eq!(
        b.signal(&k, json_signal("hello"), None).await.unwrap(),
        SignalOutcome::Delivered
    );
    assert_eq!(signal_data(&visitor.expect("signal").await), "hello");
    assert!(b.lookup(&k).await.unwrap().is_some());
    // A second tab on node B takes focus: the tab on node A gets blur through its node channel.
    let tab2 = Conn::new();
    b.visitor_open(&k, tab2.id, tab2.outbox.clone())
        .await
        .unwrap();
    visitor.expect("blur").await;
}

/// Every page of `group` from the start, `limit` at a time.
async fn all_pages(store: &Arc<dyn Store>, group: GroupId, limit: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut after: Option<VisitorId> = None;
    loop {
        let page = store.query(group, after.as_ref(), limit).await.unwrap();
        pages.push(
            page.visitors
                .iter()
                .map(|(id, p)| {
                    assert_eq!(p["visitorpresent"], json!(true));
                    id.to_string()
                })
                .collect(),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => return pages,
        }
        assert!(pages.len() < 100, "paging does not end");
    }
}

async fn query_pages_through_one_group(store: Arc<dyn Store>) {
    let mut conns = Vec::new();
    for i in 0..25 {
        let k = key(&format!("q{i:02}"));
        let c = Conn::new();
        store
            .visitor_open(&k, c.id, c.outbox.clone())
            .await
            .unwrap();
        conns.push((k, c));
    }
    let other = VisitorKey::new(GroupId::new(777).unwrap(), VisitorId::parse("q99").unwrap());
    let o = Conn::new();
    store
        .visitor_open(&other, o.id, o.outbox.clone())
        .await
        .unwrap();
    let group = GroupId::new(12345).unwrap();
    let pages = all_pages(&store, group, 10).await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [10, 10, 5],
        "{pages:?}"
    );
    let ids: Vec<String> = pages.concat();
    let expected: Vec<String> = (0..25).map(|i| format!("q{i:02}")).collect();
    assert_eq!(ids, expected, "each visitor exactly once, in id order");
    // A page as large as the group has no next page.
    let whole = store.query(group, None, 25).await.unwrap();
    assert_eq!(whole.visitors.len(), 25);
    assert!(whole.next.is_none());
    // A visitor gone (after the grace period) leaves the index; one leaving between pages does
    // not disturb the walk.
    let first = store.query(group, None, 10).await.unwrap();
    let (gone, c) = conns.remove(12);
    store.visitor_close(&gone, c.id).await;
    tokio::time::sleep(GRACE + GRACE).await;
    let mut rest = Vec::new();
    let mut after = first.next;
    while let Some(a) = after {
        let page = store.query(group, Some(&a), 10).await.unwrap();
        rest.extend(page.visitors.into_iter().map(|(id, _)| id.to_string()));
        after = page.next;
    }
    assert_eq!(rest.len(), 14, "{rest:?}");
    assert!(!rest.contains(&"q12".to_string()));
    assert_eq!(
        all_pages(&store, GroupId::new(777).unwrap(), 10).await,
        [vec!["q99".to_string()]]
    );
}
both!(query_pages, query_pages_through_one_group);
