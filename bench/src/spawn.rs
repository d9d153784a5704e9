//! A worker process of the tool, spoken to over its stdin / stdout, one JSON line each way.

use crate::plan::WorkerMsg;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A running worker.
pub struct WorkerProc {
    pub child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl WorkerProc {
    pub async fn say(&mut self, line: &str) -> Result<(), String> {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(|e| format!("worker stdin: {e}"))
    }

    pub async fn hear(&mut self) -> Result<WorkerMsg, String> {
        match self.lines.next_line().await {
            Ok(Some(line)) => {
                serde_json::from_str(&line).map_err(|e| format!("worker said {line:?}: {e}"))
            }
            Ok(None) => Err("a worker exited early (see its stderr above)".into()),
            Err(e) => Err(format!("worker stdout: {e}")),
        }
    }
}

/// Starts a worker: this binary with the `worker` argument.
pub fn spawn_worker() -> Result<WorkerProc, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start a worker: {e}"))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("worker pipes missing".into());
    };
    Ok(WorkerProc {
        child,
        stdin,
        lines: BufReader::new(stdout).lines(),
    })
}
