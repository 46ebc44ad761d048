//! Third-party clients against the real server, as users run them: the
//! graphql-http audit, Redocly's lint of openapi.yaml, and /docs and
//! GraphiQL in headless Chromium with no network but the server. The tools
//! are the npm packages pinned in tools/ (`make test` installs them); a
//! missing Node.js or Chromium fails these tests unless `LONGFORM_TEST_SKIP`
//! names `node` or `browser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use longform_persistence::testing::skip;

use crate::helpers::{Db, TestApp};
use crate::seed::Seed;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `node tools/<script> args...`, or `None` when the test is to be skipped.
#[track_caller]
fn node(script: &str, args: &[&str]) -> Option<Output> {
    let tools = root().join("tools");
    if !tools.join("node_modules/.package-lock.json").exists() {
        return skip::unavailable("node", "tools/node_modules is not installed: run `make tools`");
    }
    match Command::new("node").arg(tools.join(script)).args(args).current_dir(&tools).output() {
        Ok(output) => Some(output),
        Err(e) => skip::unavailable("node", &format!("node could not be run: {e}")),
    }
}

fn report(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn graphql_http_audit_passes_every_must_and_should() {
    let db = Db::sqlite();
    let app = TestApp::spawn(db.url());
    let Some(output) = node("graphql-audit.mjs", &[&app.url("/graphql")]) else { return };
    let report = report(&output);
    assert!(output.status.success(), "the graphql-http audit failed:\n{report}");
    assert!(report.contains("0 MUST or SHOULD failed"), "{report}");
}

#[test]
fn redocly_finds_no_problem_in_openapi_yaml() {
    let cli = "node_modules/@redocly/cli/bin/cli.js";
    let Some(output) = node(cli, &["lint", "../openapi.yaml", "--config", "../redocly.yaml", "--max-problems", "1000"])
    else {
        return;
    };
    let report = report(&output);
    assert!(output.status.success(), "Redocly found errors in openapi.yaml:\n{report}");
    assert!(report.contains("Your API description is valid"), "{report}");
    // "You have N warnings." follows the verdict when there are any.
    assert!(!report.contains("You have "), "Redocly warns about openapi.yaml:\n{report}");
}

/// Where the browser test leaves its screenshots, for people to look at.
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

#[test]
fn docs_and_graphiql_render_with_no_network_but_the_server() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return skip::unavailable("browser", &format!("{chromium} not found (Debian package chromium)")).unwrap_or(());
    }
    let db = Db::sqlite();
    Seed::new(db.url()).many(3);
    let app = TestApp::spawn(db.url());
    let out = screenshots();
    let Some(output) = node("offline-pages.mjs", &[&app.url(""), out.to_str().unwrap()]) else { return };
    let report = report(&output);
    assert!(output.status.success(), "/docs or GraphiQL failed offline:\n{report}");
    for page in ["docs.png", "graphiql.png"] {
        assert!(out.join(page).metadata().is_ok_and(|m| m.len() > 10_000), "no screenshot {page}");
    }
}
