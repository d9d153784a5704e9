//! The cluster suite (§8): a real `redis-server`, three `presence-server` processes sharing it,
//! and a real `nginx` in front of them. Every cross-node rule is checked against individual nodes
//! and through nginx; then a node is killed with SIGKILL, Redis is stopped and restarted, and a
//! node is drained with SIGTERM as in a rolling restart.

mod common;

use common::{
    agent_token, connect_frame, free_port, wait_port, Ws, AGENT_ORIGIN, API_KEY, GROUP, SECRET,
    WAIT,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Grace and hold of the test nodes.
const GRACE: Duration = Duration::from_millis(600);
/// A dead node's visitors are reported gone within heartbeat TTL (3 s) + reaper period (1 s) +
/// grace; this allows some scheduling slack on a busy machine.
const DEAD_NODE_BOUND: Duration = Duration::from_secs(8);

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        // SIGTERM first: nginx's master stops its workers only when asked (SIGKILL would orphan
        // them); the servers and Redis exit on it too. SIGKILL if it takes too long.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where to send a request: one node, or nginx.
#[derive(Clone, Copy, Debug)]
enum At {
    Node(usize),
    Lb,
}

struct Cluster {
    dir: PathBuf,
    redis_port: u16,
    redis: Option<Proc>,
    nodes: Vec<Option<Proc>>,
    addrs: Vec<String>,
    nginx: Option<Proc>,
    lb: String,
    http: reqwest::Client,
}

fn start_redis(port: u16) -> Proc {
    Proc(common::start_redis(port))
}

impl Cluster {
    async fn start(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("presence-cluster-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (redis, redis_port) = common::start_redis_anywhere().await;
        let redis = Proc(redis);
        let mut cluster = Self {
            dir,
            redis_port,
            redis: Some(redis),
            nodes: Vec::new(),
            addrs: Vec::new(),
            nginx: None,
            lb: String::new(),
            http: reqwest::Client::new(),
        };
        for i in 0..3 {
            let (proc, addr) = cluster.spawn_node(i).await;
            cluster.nodes.push(Some(proc));
            cluster.addrs.push(addr);
        }
        cluster.start_nginx().await;
        cluster
    }

    async fn spawn_node(&self, i: usize) -> (Proc, String) {
        let config = format!(
            r#"
            listen = "127.0.0.1:0"
            jwt_secret = "{SECRET}"
            [timings]
            grace = {grace}
            hold = {grace}
            drain = 2
            [limits]
            rate = 500
            burst = 1000
            agents_per_visitor = 2
            [[groups]]
            id = {GROUP}
            api_key = "{API_KEY}"
            agent_origins = ["{AGENT_ORIGIN}"]
            [cluster]
            redis_url = "redis://127.0.0.1:{port}"
            node_name = "n{i}"
            "#,
            grace = GRACE.as_secs_f64(),
            port = self.redis_port,
        );
        let config_path = self.dir.join(format!("node{i}.toml"));
        let addr_path = self.dir.join(format!("node{i}.addr"));
        let _ = std::fs::remove_file(&addr_path);
        std::fs::write(&config_path, config).expect("node config");
        let log = self.dir.join(format!("node{i}.log"));
        let (child, addr) = common::spawn_server(&config_path, &addr_path, &log).await;
        (Proc(child), addr)
    }

    async fn start_nginx(&mut self) {
        let port = free_port();
        let render = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/render-nginx.sh");
        let mut args = vec![self.dir.display().to_string(), format!("127.0.0.1:{port}")];
        args.extend(self.addrs.iter().cloned());
        let out = Command::new(render)
            .args(&args)
            .output()
            .expect("render nginx config");
        assert!(out.status.success(), "render-nginx.sh failed");
        let conf = self.dir.join("nginx.conf");
        std::fs::write(&conf, &out.stdout).expect("nginx.conf");
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(&self.dir)
            .args(["-g", "daemon off; user root;"])
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx must be installed (scripts/install.sh)");
        self.nginx = Some(Proc(child));
        wait_port(port).await;
        self.lb = format!("127.0.0.1:{port}");
    }

    fn host(&self, at: At) -> &str {
        match at {
            At::Node(i) => &self.addrs[i],
            At::Lb => &self.lb,
        }
    }

    async fn get(&self, at: At, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("http://{}{path}", self.host(at)));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = tokio::time::timeout(WAIT, req.send())
            .await
            .expect("reply in time")
            .expect("HTTP");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, at: At, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let req = self
            .http
            .post(format!("http://{}{path}", self.host(at)))
            .bearer_auth(token)
            .json(&body);
        let res = tokio::time::timeout(WAIT, req.send())
            .await
            .expect("reply in time")
            .expect("HTTP");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn open(&self, at: At, path: &str, origin: Option<&str>) -> Ws {
        let mut req = format!("ws://{}{path}", self.host(at))
            .into_client_request()
            .expect("url");
        if let Some(o) = origin {
            req.headers_mut()
                .insert("origin", HeaderValue::from_str(o).expect("origin"));
        }
        let (stream, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(req))
            .await
            .expect("upgrade in time")
            .expect("upgrade");
        Ws::from_stream(stream)
    }

    async fn visitor(&self, at: At, visitor: &str) -> Ws {
        let mut ws = self.open(at, "/visitorws", None).await;
        ws.send_text(connect_frame(GROUP, visitor, None, None))
            .await;
        ws.expect_next("connected", WAIT).await;
        ws
    }

    async fn agent(&self, at: At, visitor: &str) -> Ws {
        let mut ws = self.agent_attempt(at, visitor).await;
        ws.expect_next("connected", WAIT).await;
        ws
    }

    /// A `redis-cli` command's output, trimmed.
    fn redis(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .arg("-p")
            .arg(self.redis_port.to_string())
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// An agent socket that has sent `connect` (its answer not read yet).
    async fn agent_attempt(&self, at: At, visitor: &str) -> Ws {
        let mut ws = self.open(at, "/agent", Some(AGENT_ORIGIN)).await;
        ws.send_text(connect_frame(
            GROUP,
            visitor,
            Some(&agent_token(GROUP)),
            None,
        ))
        .await;
        ws
    }

    fn signal(&self, i: usize, sig: &str) {
        if let Some(Some(p)) = self.nodes.get(i) {
            let _ = Command::new("kill")
                .args([sig, &p.0.id().to_string()])
                .status();
        }
    }

    async fn ready(&self, i: usize) -> StatusCode {
        match self
            .http
            .get(format!("http://{}/readyz", self.addrs[i]))
            .send()
            .await
        {
            Ok(r) => r.status(),
            Err(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.nginx.take();
        self.nodes.clear();
        self.redis.take();
    }
}

fn presence(url: &str) -> Value {
    json!({"type": "presence", "data": {"url": url}})
}

#[tokio::test]
async fn cross_node_events_signals_and_focus() {
    let c = Cluster::start("events").await;
    let token = agent_token(GROUP);
    let mut agent = c.agent(At::Node(1), "v1").await;
    let mut visitor = c.visitor(At::Node(0), "v1").await;
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"]["connected"],
        true
    );
    assert_eq!(
        agent.expect("visitorconn", WAIT).await["data"]["connected"],
        true
    );
    visitor.send(presence("/home")).await;
    assert_eq!(agent.expect("presence", WAIT).await["data"]["url"], "/home");
    visitor
        .send(json!({"type": "visibility", "data": {"visibility": "hidden"}}))
        .await;
    assert_eq!(
        agent.expect("visibility", WAIT).await["data"]["visibility"],
        "hidden"
    );
    visitor
        .send(json!({"type": "terms", "data": {"status": "accepted"}}))
        .await;
    assert_eq!(
        agent.expect("terms", WAIT).await["data"]["status"],
        "accepted"
    );
    visitor
        .send(json!({"type": "visitorsessionstart", "data": {"sessionkey": "v1"}}))
        .await;
    assert_eq!(
        agent.expect("visitorsessionstart", WAIT).await["data"]["sessionkey"],
        "v1"
    );

    // A signal over the agent socket on node 1 and over REST on node 2 and through nginx.
    agent
        .send(json!({"type": "signal", "id": 5, "data": {"n": 1}}))
        .await;
    assert_eq!(
        agent.expect("ack", WAIT).await["data"],
        json!({"id": 5, "ok": true})
    );
    assert_eq!(visitor.expect("signal", WAIT).await["data"]["n"], 1);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=v1");
    let (status, body) = c.post(At::Node(2), &path, &token, json!({"mtype": "invoke", "data": {"func": "GLANCE.Cobrowse.Visitor.showTerms", "args": {}}})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    assert_eq!(
        visitor.expect("invoke", WAIT).await["data"]["func"],
        "GLANCE.Cobrowse.Visitor.showTerms"
    );
    let (status, _) = c
        .post(
            At::Lb,
            &path,
            &token,
            json!({"mtype": "signal", "data": {"n": 2}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(visitor.expect("signal", WAIT).await["data"]["n"], 2);

    // lookup / findvisitor / query answer the same on every node and through nginx.
    for at in [At::Node(0), At::Node(1), At::Node(2), At::Lb] {
        let (_, found) = c
            .get(
                at,
                &format!("/findvisitor?groupid={GROUP}&visitorid=v1"),
                Some(&token),
            )
            .await;
        assert_eq!(found["visitorfound"], true, "{at:?}");
        let (_, looked) = c
            .get(
                at,
                &format!("/lookupvisitor?groupid={GROUP}&visitorid=v1&&ver=6.33.0"),
                Some(&token),
            )
            .await;
        assert_eq!(looked["url"], "/home", "{at:?}");
        let (_, q) = c
            .get(at, &format!("/query?groupid={GROUP}"), Some(&token))
            .await;
        assert!(
            q["visitors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["visitorid"] == "v1"),
            "{at:?}"
        );
    }

    // A second tab on node 2 takes focus: the tab on node 0 gets blur, signals go to node 2.
    let mut tab2 = c.visitor(At::Node(2), "v1").await;
    visitor.expect("blur", WAIT).await;
    agent
        .send(json!({"type": "signal", "id": 6, "data": {"n": 3}}))
        .await;
    assert_eq!(tab2.expect("signal", WAIT).await["data"]["n"], 3);
    visitor
        .expect_none("signal", Duration::from_millis(300))
        .await;
    // Tab 1 becomes active again.
    visitor.send(presence("/cart")).await;
    tab2.expect("blur", WAIT).await;
}

#[tokio::test]
async fn navigation_across_nodes_and_held_signals() {
    let c = Cluster::start("navigation").await;
    let token = agent_token(GROUP);
    let mut agent = c.agent(At::Node(2), "nav").await;
    let mut page = c.visitor(At::Node(0), "nav").await;
    agent.expect("visitorconn", WAIT).await;
    page.send(presence("/a")).await;
    agent.expect("presence", WAIT).await;
    // Three page loads, each on another node: sockets flap, presence never does.
    for (i, at) in [At::Node(1), At::Lb, At::Node(2)].into_iter().enumerate() {
        page.close().await;
        // Signals sent between pages are held and delivered on the next page, wherever it is.
        let path = format!("/signalvisitor?groupid={GROUP}&visitorid=nav");
        let (status, _) = c
            .post(
                At::Node(0),
                &path,
                &token,
                json!({"mtype": "signal", "data": {"page": i}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "held between pages");
        page = c.visitor(at, "nav").await;
        assert_eq!(page.expect("signal", WAIT).await["data"]["page"], i);
        page.send(presence(&format!("/page{i}"))).await;
    }
    let seen = agent
        .expect_none("visitorconn", GRACE + Duration::from_millis(400))
        .await;
    assert!(seen
        .iter()
        .any(|f| f["type"] == "visitorsock" && f["data"]["connected"] == false));
    // Then the visitor leaves for good.
    page.close().await;
    assert_eq!(
        agent.expect("visitorconn", GRACE + WAIT).await["data"]["connected"],
        false
    );
    let (status, body) = c
        .post(
            At::Node(1),
            &format!("/signalvisitor?groupid={GROUP}&visitorid=nav"),
            &token,
            json!({"mtype": "signal"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"err": "visitornotpresent"}))
    );
}

#[tokio::test]
async fn tokens_and_unique_ids_are_valid_on_every_node() {
    let c = Cluster::start("tokens").await;
    // Authorize on node 0, use the token on node 2 and through nginx.
    let key = common::login_key(API_KEY, GROUP, "agent7", 300);
    let res = c
        .http
        .post(format!("http://{}/services/AuthorizationService.svc/rest/Authorize?groupid={GROUP}&service=presence&duration=5", c.addrs[0]))
        .json(&json!({"partnerid": GROUP.to_string(), "partneruserid": "agent7", "loginkey": key}))
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::OK);
    let token: String = res.json().await.expect("token");
    for at in [At::Node(2), At::Lb] {
        let (status, _) = c
            .get(
                at,
                &format!("/findvisitor?groupid={GROUP}&visitorid=x"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{at:?}");
    }
    // A unique id from node 1, connected on node 2, extended on node 0.
    let (_, unique) = c
        .get(
            At::Node(1),
            &format!("/uniquevisitor?groupid={GROUP}"),
            None,
        )
        .await;
    let vid = unique["visitorid"].as_str().expect("visitorid").to_owned();
    let guest = unique["guesttoken"]
        .as_str()
        .expect("guesttoken")
        .to_owned();
    let mut ws = c.open(At::Node(2), "/visitorws", None).await;
    ws.send_text(connect_frame(GROUP, &vid, None, Some(&guest)))
        .await;
    ws.expect_next("connected", WAIT).await;
    let (status, again) = c
        .get(
            At::Node(0),
            &format!("/uniquevisitor?groupid={GROUP}&visitorid={vid}&guesttoken={guest}"),
            None,
        )
        .await;
    assert_eq!(
        (status, again["visitorid"].as_str()),
        (StatusCode::OK, Some(vid.as_str()))
    );
    let (_, other) = c
        .get(
            At::Node(2),
            &format!("/uniquevisitor?groupid={GROUP}"),
            None,
        )
        .await;
    assert_ne!(
        other["visitorid"], unique["visitorid"],
        "unique ids are unique across nodes"
    );
}

#[tokio::test]
async fn a_killed_node_leaves_no_ghost() {
    let mut c = Cluster::start("kill").await;
    let mut agent = c.agent(At::Node(0), "ghost").await;
    let _visitor = c.visitor(At::Node(2), "ghost").await;
    agent.expect("visitorconn", WAIT).await;
    let killed = Instant::now();
    c.signal(2, "-KILL");
    c.nodes[2].take();
    assert_eq!(
        agent.expect("visitorsock", DEAD_NODE_BOUND).await["data"]["connected"],
        false
    );
    assert_eq!(
        agent.expect("visitorconn", DEAD_NODE_BOUND).await["data"]["connected"],
        false
    );
    let gone_after = killed.elapsed();
    assert!(gone_after <= DEAD_NODE_BOUND, "gone after {gone_after:?}");
    let token = agent_token(GROUP);
    let (_, found) = c
        .get(
            At::Node(1),
            &format!("/findvisitor?groupid={GROUP}&visitorid=ghost"),
            Some(&token),
        )
        .await;
    assert_eq!(found["visitorfound"], false);
    // Through nginx the cluster keeps working with the two nodes left.
    let mut again = c.visitor(At::Lb, "ghost2").await;
    again.send(presence("/still-here")).await;
    let (_, looked) = c
        .get(
            At::Lb,
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=ghost2"),
            Some(&token),
        )
        .await;
    assert_eq!(looked["visitorid"], "ghost2");
}

#[tokio::test]
async fn redis_outage_keeps_sockets_and_recovers() {
    let mut c = Cluster::start("redis").await;
    let mut agent = c.agent(At::Node(1), "steady").await;
    let mut visitor = c.visitor(At::Node(0), "steady").await;
    agent.expect("visitorconn", WAIT).await;
    c.redis.take();
    let until = Instant::now() + Duration::from_secs(10);
    while c.ready(0).await == StatusCode::OK {
        assert!(Instant::now() < until, "/readyz still OK without Redis");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The node keeps the sockets it holds: keepalives pass, a presence update is refused with an
    // error frame and the connection stays.
    visitor.send(json!({"type": "k"})).await;
    visitor.send(presence("/during-outage")).await;
    assert_eq!(
        visitor.expect("error", WAIT).await["data"]["error"],
        "error"
    );
    c.redis = Some(start_redis(c.redis_port));
    wait_port(c.redis_port).await;
    let until = Instant::now() + Duration::from_secs(15);
    while c.ready(0).await != StatusCode::OK || c.ready(1).await != StatusCode::OK {
        assert!(
            Instant::now() < until,
            "/readyz not OK after Redis returned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The sockets were registered again: the visitor is present everywhere and relays again.
    let token = agent_token(GROUP);
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, found) = c
            .get(
                At::Node(2),
                &format!("/findvisitor?groupid={GROUP}&visitorid=steady"),
                Some(&token),
            )
            .await;
        if found["visitorfound"] == true {
            break;
        }
        assert!(Instant::now() < until, "visitor not re-registered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    visitor.send(presence("/after-outage")).await;
    assert_eq!(
        agent.expect("presence", WAIT).await["data"]["url"],
        "/after-outage"
    );
}

#[tokio::test]
async fn rolling_restart_loses_no_presence() {
    let mut c = Cluster::start("rolling").await;
    let mut agent = c.agent(At::Node(1), "roll").await;
    let mut visitor = c.visitor(At::Node(0), "roll").await;
    agent.expect("visitorconn", WAIT).await;
    visitor.send(presence("/before")).await;
    agent.expect("presence", WAIT).await;
    c.signal(0, "-TERM");
    visitor.expect("scaledown", WAIT).await;
    // The client reconnects at once, through nginx, to a node that is not draining.
    let mut moved = c.visitor(At::Lb, "roll").await;
    drop(visitor);
    agent
        .expect_none("visitorconn", GRACE + Duration::from_millis(500))
        .await;
    let token = agent_token(GROUP);
    let (_, looked) = c
        .get(
            At::Lb,
            &format!("/lookupvisitor?groupid={GROUP}&visitorid=roll"),
            Some(&token),
        )
        .await;
    assert_eq!(looked["url"], "/before", "presence survives the restart");
    moved.send(presence("/after")).await;
    assert_eq!(
        agent.expect("presence", WAIT).await["data"]["url"],
        "/after"
    );
    // The drained node comes back and serves again.
    let (proc, addr) = c.spawn_node(0).await;
    c.nodes[0] = Some(proc);
    c.addrs[0] = addr;
    let _again = c.visitor(At::Node(0), "roll").await;
    moved.expect("blur", WAIT).await;
}

#[tokio::test]
async fn a_visitor_who_leaves_a_draining_node_is_not_left_present() {
    let mut c = Cluster::start("drainleave").await;
    let mut agent = c.agent(At::Node(1), "leaver").await;
    let mut visitor = c.visitor(At::Node(0), "leaver").await;
    agent.expect("visitorconn", WAIT).await;
    c.signal(0, "-TERM");
    visitor.expect("scaledown", WAIT).await;
    // The visitor does not come back (the page was closed). Node 0 exits as soon as it has no
    // socket left, before its own grace check is due: another node runs the check.
    drop(visitor);
    assert_eq!(
        agent.expect("visitorsock", WAIT).await["data"]["connected"],
        false
    );
    // grace + overdue margin (2 s) + a heartbeat (1 s), with slack for a busy machine.
    assert_eq!(
        agent.expect("visitorconn", DEAD_NODE_BOUND).await["data"]["connected"],
        false
    );
    c.nodes[0].take();
    let token = agent_token(GROUP);
    let (_, found) = c
        .get(
            At::Node(2),
            &format!("/findvisitor?groupid={GROUP}&visitorid=leaver"),
            Some(&token),
        )
        .await;
    assert_eq!(found["visitorfound"], false);
    // Nothing is left to check.
    assert_eq!(c.redis(&["ZCARD", "pabsent"]), "0");
}

#[tokio::test]
async fn a_node_restarted_under_its_name_does_not_inherit_its_old_sockets() {
    let mut c = Cluster::start("rename").await;
    let mut agent = c.agent(At::Node(0), "old").await;
    // The first connection of node 2's first run ...
    let _old = c.visitor(At::Node(2), "old").await;
    agent.expect("visitorconn", WAIT).await;
    c.signal(2, "-KILL");
    c.nodes[2].take();
    // ... and the first connection of its second run, under the same node name.
    let (proc, addr) = c.spawn_node(2).await;
    c.nodes[2] = Some(proc);
    c.addrs[2] = addr;
    let mut new = c.visitor(At::Node(2), "new").await;
    // A signal for the old visitor never reaches the new one.
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=old");
    let (status, _) = c
        .post(
            At::Node(1),
            &path,
            &token,
            json!({"mtype": "signal", "data": {"for": "old"}}),
        )
        .await;
    // Accepted: the old run's socket is still registered (not reaped yet), so the signal is
    // routed to it, by its reference, while a new connection of node 2 has the same number.
    assert_eq!(status, StatusCode::OK);
    new.expect_none("signal", Duration::from_millis(500)).await;
    // And the old visitor is reported gone, as for any dead node.
    assert_eq!(
        agent.expect("visitorconn", DEAD_NODE_BOUND).await["data"]["connected"],
        false
    );
    new.expect_none("signal", Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_stalled_node_that_was_reaped_registers_its_sockets_again() {
    let c = Cluster::start("stall").await;
    let mut agent = c.agent(At::Node(0), "stalled").await;
    let mut visitor = c.visitor(At::Node(2), "stalled").await;
    agent.expect("visitorconn", WAIT).await;
    // Node 2 stops (not dies) past its liveness TTL: the others reap it.
    c.signal(2, "-STOP");
    assert_eq!(
        agent.expect("visitorsock", DEAD_NODE_BOUND).await["data"]["connected"],
        false
    );
    c.signal(2, "-CONT");
    // It comes back, finds it was reaped, and registers its (still open) socket again.
    let back = agent.expect("visitorsock", DEAD_NODE_BOUND).await;
    assert_eq!(back["data"]["connected"], true);
    let token = agent_token(GROUP);
    let path = format!("/signalvisitor?groupid={GROUP}&visitorid=stalled");
    let (status, _) = c
        .post(
            At::Node(1),
            &path,
            &token,
            json!({"mtype": "signal", "data": {"after": "stall"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        visitor.expect("signal", WAIT).await["data"]["after"],
        "stall"
    );
}

#[tokio::test]
async fn the_agents_per_visitor_limit_spans_the_cluster() {
    let mut c = Cluster::start("crowd").await;
    let _visitor = c.visitor(At::Node(0), "crowd").await;
    // The nodes allow 2 agents per visitor: one on node 0 and one on node 1 take both places.
    let first = c.agent(At::Node(0), "crowd").await;
    let _second = c.agent(At::Node(1), "crowd").await;
    let mut third = c.agent_attempt(At::Node(2), "crowd").await;
    third.expect_refused("ratelimited", 4429).await;
    // A place given back on close can be taken on another node.
    first.close().await;
    let until = Instant::now() + WAIT;
    loop {
        let mut ws = c.agent_attempt(At::Node(2), "crowd").await;
        if matches!(ws.next(WAIT).await, Some(common::Event::Frame(f)) if f["type"] == "connected")
        {
            break;
        }
        assert!(Instant::now() < until, "the place was not given back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A dead node's places are given back when it is reaped.
    c.signal(1, "-KILL");
    c.nodes[1].take();
    let until = Instant::now() + DEAD_NODE_BOUND;
    let mut held = Vec::new();
    loop {
        let mut ws = c.agent_attempt(At::Node(2), "crowd").await;
        if matches!(ws.next(WAIT).await, Some(common::Event::Frame(f)) if f["type"] == "connected")
        {
            held.push(ws);
            break;
        }
        assert!(
            Instant::now() < until,
            "the dead node's place was not given back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
