//! Issue 15: a database that stops answering, or a disk that fills, must
//! not stall the site or lose what is stored.

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use longform_domain::Role;
use longform_persistence::testing::{postgres_cluster, skip};
use serde_json::json;

use crate::helpers::{DEADLINE, TestApp, agent, wait_for};
use crate::seed::Seed;

/// Far above the server's 5 s call deadline, far below "minutes": a request
/// that hangs on the frozen database fails this.
const ANSWERED_WITHIN: Duration = Duration::from_secs(15);

/// PostgreSQL frozen with SIGSTOP on every process keeps its connections
/// open and its kernel acknowledging: requests used to hang for minutes.
/// Now each read that misses the cache answers 503 with `Retry-After`
/// within the call deadline (a burst larger than the call slots at once),
/// and the server recovers by itself after SIGCONT.
#[test]
fn a_frozen_postgres_answers_503_fast_and_recovers() {
    let Some(cluster) = postgres_cluster() else { return };
    let app = TestApp::spawn(&cluster.url("postgres"));
    assert_eq!(app.get("/api/v1/posts?limit=1").status, 200);

    cluster.freeze().unwrap();
    let started = Instant::now();
    // Distinct pages, so that no answer comes from the response cache;
    // more at once than the server has call slots (8 connections x 4).
    let burst: Vec<_> = (2..=41)
        .map(|limit| {
            let url = app.url(&format!("/api/v1/posts?limit={limit}"));
            thread::spawn(move || {
                let asked = Instant::now();
                let reply = agent().get(&url).call().unwrap();
                let retry = reply.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
                (reply.status().as_u16(), retry, asked.elapsed())
            })
        })
        .collect();
    for answer in burst {
        let (status, retry, took) = answer.join().unwrap();
        assert_eq!(status, 503, "a read of a frozen database");
        assert_eq!(retry.as_deref(), Some("5"), "with Retry-After");
        assert!(took < ANSWERED_WITHIN, "answered in {took:?}");
    }
    let ready = app.get("/readyz");
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(started.elapsed() < ANSWERED_WITHIN * 2, "the whole burst took {:?}", started.elapsed());

    cluster.thaw().unwrap();
    wait_for(DEADLINE, "reads answer again after SIGCONT", || {
        (app.get("/api/v1/posts?limit=50").status == 200).then_some(())
    });
    assert_eq!(app.get("/readyz").status, 200);
}

/// A small tmpfs of the test's own, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let size = format!("size={megabytes}m");
        let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", &size, "tmpfs"]).arg(dir.path()).output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self { dir }),
            Ok(out) => skip::unavailable("mount", &format!("mount -t tmpfs failed: {}", stderr_line(&out.stderr))),
            Err(e) => skip::unavailable("mount", &format!("cannot run mount: {e}")),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

fn stderr_line(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).lines().next().unwrap_or_default().to_owned()
}

/// SQLite on a full disk answered 500. Now 503 with a problem naming the
/// cause, nothing committed before is lost, and writes work again once
/// there is room.
#[test]
fn a_full_disk_answers_503_and_keeps_what_was_stored() {
    let Some(disk) = SmallDisk::mount(8) else { return };
    // Room to give back later, taken before the server starts.
    let spare = disk.path().join("spare");
    std::fs::write(&spare, vec![0u8; 1024 * 1024]).unwrap();
    let url = format!("sqlite://{}", disk.path().join("longform.db").display());
    let seed = Seed::new(&url);
    let app = TestApp::spawn(&url);
    let auth = seed.sign_in(&app, "editor@example.com", Role::Editor);
    let body = "A paragraph that will not compress away. ".repeat(12_000); // about 500 KB
    let mut stored = Vec::new();
    let refused = loop {
        let post = json!({ "title": format!("Filler {}", stored.len()), "markdown": body });
        let reply = app.send("POST", "/api/v1/admin/posts", &[("Authorization", &auth)], Some(&post));
        if reply.status != 201 {
            break reply;
        }
        stored.push(reply.json()["post"]["id"].as_str().unwrap().to_owned());
        assert!(stored.len() < 40, "8 MB never filled");
    };
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!(refused.header("retry-after"), Some("5"));
    assert!(!stored.is_empty(), "some posts fit first");
    for id in &stored {
        let reply = app.send("GET", &format!("/api/v1/admin/posts/{id}"), &[("Authorization", &auth)], None);
        assert_eq!(reply.status, 200, "post {id}, committed before the disk filled, is whole");
        assert_eq!(reply.json()["post"]["markdown"].as_str().unwrap(), body);
    }
    std::fs::remove_file(&spare).unwrap();
    let small = json!({ "title": "After", "markdown": "Short." });
    let after = app.send("POST", "/api/v1/admin/posts", &[("Authorization", &auth)], Some(&small));
    assert_eq!(after.status, 201, "writes work once there is room: {}", after.body);
}
