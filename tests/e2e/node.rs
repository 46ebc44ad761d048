//! Running a Node.js suite that prints one line per flow (`ok NAME` or
//! `FAIL NAME: why`, then `RUNNER suite: N passed, M failed`) under a
//! watchdog, and recording each flow for the summary line of `make test`
//! (through `LONGFORM_TEST_RESULTS_LOG`), the editor's browser suite and the
//! Ghost client suite alike.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a suite did: its exit status, each flow's result, what it printed.
pub struct Outcome {
    pub status: ExitStatus,
    /// Each flow's name and "ok" or "failed", in the order they ran.
    pub flows: Vec<(String, &'static str)>,
    /// Its standard output, then its standard error.
    pub report: String,
    pub elapsed: Duration,
    /// Whether the watchdog killed it.
    pub killed: bool,
}

impl Outcome {
    /// The suite exited 0, every flow passed, and its last line counts them
    /// all: `RUNNER suite: N passed, 0 failed`.
    #[track_caller]
    pub fn assert_passed(&self, runner: &str, backend: &str) {
        let after = self.elapsed;
        assert!(!self.killed, "the {runner} suite was killed on {backend} after {after:?}:\n{}", self.report);
        assert!(self.status.success(), "the {runner} suite failed on {backend} after {after:?}:\n{}", self.report);
        assert!(self.flows.iter().all(|(_, r)| *r == "ok"), "{}", self.report);
        let summary = format!("{runner} suite: {} passed, 0 failed", self.flows.len());
        assert!(self.report.contains(&summary), "{}", self.report);
    }
}

/// Run `command` (node and its arguments, environment and directory) to
/// its end, or kill it after `limit`; record its flows under `runner`, as
/// `RUNNER<TAB>BACKEND::FLOW<TAB>ok|failed`.
pub fn run_suite(runner: &str, backend: &str, mut command: Command, limit: Duration) -> Outcome {
    let started = Instant::now();
    let mut suite = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node could not be run: {e}"));
    // A watchdog: a hung suite fails the test instead of hanging the run.
    let pid = suite.id();
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let hung = finished.recv_timeout(limit).is_err();
        if hung {
            crate::helpers::signal(pid, "KILL");
        }
        hung
    });
    // Read apart, so that neither pipe can fill while the other is read.
    let mut stderr_pipe = suite.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let mut report = String::new();
    let mut flows = Vec::new();
    for line in BufReader::new(suite.stdout.take().unwrap()).lines().map_while(Result::ok) {
        if let Some(name) = line.strip_prefix("ok ") {
            flows.push((name.to_owned(), "ok"));
        } else if let Some(failed) = line.strip_prefix("FAIL ") {
            flows.push((failed.split(':').next().unwrap_or(failed).to_owned(), "failed"));
        }
        report.push_str(&line);
        report.push('\n');
    }
    report.push_str(&stderr.join().unwrap());
    let status = suite.wait().unwrap();
    let _ = done.send(());
    let killed = watchdog.join().unwrap();
    record_results(runner, backend, &flows);
    Outcome { status, flows, report, elapsed: started.elapsed(), killed }
}

/// Each flow's result, for the summary line of `make test`.
fn record_results(runner: &str, backend: &str, flows: &[(String, &str)]) {
    let Some(path) = std::env::var_os("LONGFORM_TEST_RESULTS_LOG").filter(|p| !p.is_empty()) else { return };
    let mut log = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    let lines: String = flows.iter().map(|(name, result)| format!("{runner}\t{backend}::{name}\t{result}\n")).collect();
    log.write_all(lines.as_bytes()).unwrap();
}
