//! The accept loop when the process runs out of file descriptors (issue 13 §1): `accept` fails
//! with `EMFILE`, and the server must wait before trying again instead of spinning on a core,
//! then serve again as soon as descriptors are free.
//!
//! The global connection cap normally keeps client connections below the file limit, so this
//! lowers the limit of a running server (`prlimit --pid`, util-linux) under the cap it computed
//! at start: the shape of descriptors used up elsewhere.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Descriptors the server may hold while starved: a few more than its runtime already holds.
const STARVED: u32 = 48;
/// Connections opened past that: they wait in the listen backlog, unaccepted.
const EXTRA: usize = 80;

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_node(dir: &std::path::Path) -> (Node, String) {
    let addr_file = dir.join("addr");
    let child = Command::new(env!("CARGO_BIN_EXE_presence-server"))
        .args(["--listen", "127.0.0.1:0", "--addr-file"])
        .arg(&addr_file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("presence-server binary");
    let node = Node(child);
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(a) = std::fs::read_to_string(&addr_file) {
            if !a.is_empty() {
                let addr = a.trim().trim_start_matches("http://").to_owned();
                return (node, addr);
            }
        }
        assert!(Instant::now() < until, "the server did not start");
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// utime + stime of `pid`, in clock ticks (`/proc/<pid>/stat` fields 14 and 15).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // The command name may hold spaces; the fields after it are plain.
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let field = |n: usize| fields[n - 3].parse::<u64>().expect("number");
    field(14) + field(15)
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn set_file_limit(pid: u32, soft: &str) {
    let status = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={soft}:")])
        .status()
        .expect("prlimit (util-linux)");
    assert!(status.success(), "prlimit --nofile={soft}");
}

async fn healthz(addr: &str) -> Option<reqwest::StatusCode> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let reply = client.get(format!("http://{addr}/healthz")).send().await;
    reply.ok().map(|r| r.status())
}

#[tokio::test]
async fn out_of_descriptors_the_accept_loop_waits_and_recovers() {
    let dir = std::env::temp_dir().join(format!("accept-backoff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut node, addr) = start_node(&dir);
    let pid = node.0.id();
    assert_eq!(healthz(&addr).await, Some(reqwest::StatusCode::OK));
    let before = open_files(pid);
    assert!(
        (before as u32) < STARVED - 8,
        "the idle server holds {before} descriptors, too many for this test"
    );

    // Starve it, then fill what is left and more: `accept` now fails with EMFILE.
    let soft = std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .expect("limits")
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        .expect("soft file limit");
    set_file_limit(pid, &STARVED.to_string());
    let mut clients = Vec::new();
    for _ in 0..(STARVED as usize + EXTRA) {
        match tokio::net::TcpStream::connect(&addr).await {
            Ok(s) => clients.push(s),
            Err(_) => break,
        }
    }
    // Wait until the server has taken every descriptor it may have.
    let until = Instant::now() + Duration::from_secs(10);
    while open_files(pid) < STARVED as usize {
        assert!(
            Instant::now() < until,
            "the server holds {} of {STARVED} descriptors",
            open_files(pid)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Starved with connections waiting: a spinning accept loop would burn a whole core here.
    let ticks = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let spent = cpu_ticks(pid) - ticks;
    // 100 ticks per second (USER_HZ): a spinning loop spends ~200 in 2 s; waiting costs ~0.
    assert!(
        spent < 60,
        "the server spent {spent} ticks of CPU in 2 s while out of descriptors"
    );
    assert!(
        matches!(node.0.try_wait(), Ok(None)),
        "the server is still running"
    );

    // Descriptors back: the clients leave, the limit is restored, the node serves again.
    drop(clients);
    set_file_limit(pid, &soft);
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        if healthz(&addr).await == Some(reqwest::StatusCode::OK) {
            break;
        }
        assert!(Instant::now() < until, "the server never served again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
