//! The webhook tests' receiver: `receiver.mjs` run by Node, verifying each delivery with the
//! `standardwebhooks` npm package (installed by scripts/install.sh) and recording it as a JSON
//! line. The tests read those records; they never verify a signature with the server's code.

#![allow(dead_code)] // Each test binary uses part of the harness.

use presence_server::webhooks::settings::EndpointConfig;
use presence_server::Config;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The endpoint's secret.
pub const SECRET_A: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The second secret of a rotation.
pub const SECRET_B: &str = "whsec_QmJsdWVza3lCbHVlc2t5Qmx1ZXNreUJsdWVza3k=";

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh folder named after the test.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("presence-wh-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
    /// A path inside.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How the receiver answers.
#[derive(Clone, Default)]
pub struct Answers {
    /// Answers in order (`500`, `429:2`); then 200.
    pub script: Vec<String>,
    /// Never answer.
    pub hang: bool,
}

/// A running receiver.
pub struct Receiver {
    child: Option<Child>,
    /// Its port (kept across restarts).
    pub port: u16,
    out: PathBuf,
    dir: PathBuf,
    secrets: Vec<String>,
}

fn receiver_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks")
}

impl Receiver {
    /// Starts a receiver checking `secrets`, recording into `dir`.
    pub fn start(dir: &Path, secrets: &[&str], answers: Answers) -> Self {
        let mut r = Self {
            child: None,
            port: 0,
            out: dir.join("deliveries.jsonl"),
            dir: dir.to_owned(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
        };
        r.spawn(answers);
        r
    }

    fn spawn(&mut self, answers: Answers) {
        let addr_file = self.dir.join("receiver.port");
        let _ = std::fs::remove_file(&addr_file);
        let mut cmd = Command::new("node");
        cmd.arg(receiver_dir().join("receiver.mjs"))
            .arg("--out")
            .arg(&self.out)
            .arg("--addr-file")
            .arg(&addr_file)
            .arg("--port")
            .arg(self.port.to_string());
        for s in &self.secrets {
            cmd.arg("--secret").arg(s);
        }
        if !answers.script.is_empty() {
            cmd.arg("--script").arg(answers.script.join(","));
        }
        if answers.hang {
            cmd.arg("--hang");
        }
        let child = cmd
            .current_dir(receiver_dir())
            .stdout(Stdio::null())
            .spawn()
            .expect("node must be installed (scripts/install.sh)");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(p) = std::fs::read_to_string(&addr_file) {
                if let Ok(port) = p.trim().parse() {
                    self.port = port;
                    return;
                }
            }
            assert!(
                Instant::now() < until,
                "the receiver did not start (npm ci in server/tests/webhooks?)"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Stops it (the port stays reserved for [`Self::restart`]).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, keeping its records.
    pub fn restart(&mut self, answers: Answers) {
        self.stop();
        self.spawn(answers);
    }

    /// Every request received so far, in arrival order.
    pub fn records(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until `check` holds for the records.
    pub async fn wait_until(
        &self,
        within: Duration,
        what: &str,
        check: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let until = Instant::now() + within;
        loop {
            let records = self.records();
            if check(&records) {
                return records;
            }
            assert!(
                Instant::now() < until,
                "receiver: {what} not seen within {within:?}; got {records:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The records accepted with 200, verified (each delivery once).
pub fn delivered(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["status"] == 200 && r["verified"] == true)
        .collect()
}

/// The event types of `records`.
pub fn types(records: &[&Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["type"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// An endpoint entry for `url`.
pub fn endpoint(url: &str, secrets: &[&str], events: Option<&[&str]>) -> EndpointConfig {
    EndpointConfig {
        url: url.into(),
        secret: secrets.first().map(|s| s.to_string()),
        secrets: secrets.iter().skip(1).map(|s| s.to_string()).collect(),
        events: events.map(|e| e.iter().map(|s| s.to_string()).collect()),
    }
}

/// `config` with the endpoint on its first group, loopback allowed (the receiver is local),
/// quick retries, and the outbox in `dir`.
pub fn with_webhook(mut config: Config, dir: &Path, endpoint: EndpointConfig) -> Config {
    config.groups[0].webhooks.push(endpoint);
    let w = &mut config.webhooks;
    w.allow_private = true;
    w.retry_initial = 0.1;
    w.retry_max_delay = 1.0;
    w.timeout = 2.0;
    w.outbox = dir.join("outbox.redb");
    config
}

/// A server process (the real binary), killed on drop.
pub struct ServerProc {
    child: Option<Child>,
    /// `127.0.0.1:port`.
    pub addr: String,
}

impl ServerProc {
    /// Starts the binary with the TOML `config`, writing its files into `dir` as `name.*`.
    pub async fn start(dir: &Path, name: &str, config: &str) -> Self {
        let config_path = dir.join(format!("{name}.toml"));
        std::fs::write(&config_path, config).expect("server config");
        let addr_path = dir.join(format!("{name}.addr"));
        let log = dir.join(format!("{name}.log"));
        let (child, addr) = crate::common::spawn_server(&config_path, &addr_path, &log).await;
        Self {
            child: Some(child),
            addr,
        }
    }

    /// SIGKILL: no drain, no flush.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The sum of the samples of metric `name` whose labels contain every one of `labels`
/// (`endpoint="…"`), from a `/metrics` text.
pub fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// `GET http://addr/metrics`.
pub async fn metrics(http: &reqwest::Client, addr: &str) -> String {
    http.get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body")
}

/// Asks `base` (`http://host:port`) for `n` guest codes of `group`: `n` `unique.created` events.
pub async fn guests(http: &reqwest::Client, base: &str, group: u32, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        let reply: Value = http
            .get(format!(
                "{base}/uniquevisitor?groupid={group}&visitorid=undefined"
            ))
            .send()
            .await
            .expect("uniquevisitor")
            .json()
            .await
            .expect("uniquevisitor body");
        out.push(reply["visitorid"].as_str().expect("visitorid").to_owned());
    }
    out
}

/// Waits until metric `name` (with `labels`) at `addr` reaches `want`.
pub async fn wait_metric(
    http: &reqwest::Client,
    addr: &str,
    name: &str,
    labels: &[&str],
    want: f64,
) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let got = metric(&metrics(http, addr).await, name, labels);
        if got >= want {
            return;
        }
        assert!(
            Instant::now() < until,
            "{name} {labels:?} = {got}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
