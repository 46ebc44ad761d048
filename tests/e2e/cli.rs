//! The command line: version, migrations, users that outlive restarts, and
//! one clear line on every failure.

use std::process::Output;

use crate::helpers::{BIN, Db, TestApp, both_backends, run};

both_backends!(users_created_by_the_cli_survive_server_restarts, migrate_applies_once_then_nothing);

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Exit code non-zero and exactly one line on stderr, starting "error:".
fn assert_one_line_failure(output: &Output, mentions: &str) {
    assert!(!output.status.success(), "expected failure, got {:?}", output.status);
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("error: ") && err.contains(mentions), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn users_created_by_the_cli_survive_server_restarts(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let created = run(
        dir.path(),
        db.url(),
        &[
            "user",
            "create",
            "--email",
            "Editor@Example.com",
            "--name",
            "Ed Itor",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("created editor user editor@example.com"), "{}", stdout(&created));

    let first = TestApp::spawn_in(dir, db.url());
    assert_eq!(first.get("/readyz").status, 200);
    let dir = first.stop();
    let second = TestApp::spawn_in(dir, db.url());
    assert_eq!(second.get("/readyz").status, 200);
    let listed = run(second.dir.path(), db.url(), &["user", "list"], "");
    assert!(stdout(&listed).contains("editor@example.com\tEd Itor\teditor"), "{}", stdout(&listed));

    let duplicate = run(
        second.dir.path(),
        db.url(),
        &["user", "create", "--email", "editor@example.com", "--name", "Again", "--role", "admin"],
        "another long password\n",
    );
    assert_one_line_failure(&duplicate, "already exists");
}

fn migrate_applies_once_then_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let first = run(dir.path(), db.url(), &["migrate"], "");
    assert!(first.status.success(), "{}", stderr(&first));
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count();
    assert!(stdout(&first).starts_with(&format!("applied {migrations} migration(s)")), "{}", stdout(&first));
    let second = run(dir.path(), db.url(), &["migrate"], "");
    assert!(stdout(&second).starts_with("applied 0 migration(s)"), "{}", stdout(&second));
}

#[test]
fn version_is_printed() {
    let output = std::process::Command::new(BIN).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(stdout(&output).trim(), format!("longform {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_default_database_is_sqlite_under_data() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("LONGFORM_DATABASE_URL")
        .env_remove("LONGFORM_CONFIG")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("data/longform.db").is_file(), "the data folder is created");
}

#[test]
fn bad_input_fails_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/lf.db", dir.path().display());
    assert_one_line_failure(
        &run(dir.path(), "mysql://localhost/lf", &["migrate"], ""),
        "unsupported database URL scheme",
    );
    assert_one_line_failure(&run(dir.path(), "localhost/lf", &["serve"], ""), "no scheme");
    assert_one_line_failure(
        &run(dir.path(), &sqlite, &["--config", "/nonexistent/longform.toml", "serve"], ""),
        "cannot read config file",
    );
    std::fs::write(dir.path().join("longform.toml"), "bind = [").unwrap();
    assert_one_line_failure(&run(dir.path(), &sqlite, &["serve"], ""), "invalid config file");
    std::fs::remove_file(dir.path().join("longform.toml")).unwrap();
    let create = ["user", "create", "--email", "x@example.com", "--name", "X", "--role"];
    assert_one_line_failure(
        &run(dir.path(), &sqlite, &[&create[..], &["owner"]].concat(), "long enough password\n"),
        "role must be one of",
    );
    assert_one_line_failure(&run(dir.path(), &sqlite, &[&create[..], &["admin"]].concat(), "short\n"), "at least 10");
    let unreachable = "postgres://nobody@127.0.0.1:1/lf?connect_timeout=2";
    assert_one_line_failure(&run(dir.path(), unreachable, &["migrate"], ""), "database unavailable");
}

#[test]
fn a_port_in_use_fails_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/lf.db", dir.path().display());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = run(dir.path(), &sqlite, &["serve", "--bind", &address], "");
    assert_one_line_failure(&output, "cannot listen on");
}

#[test]
fn production_refuses_to_start_without_a_strong_signing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/lf.db", dir.path().display());
    let serve = |extra: &[(&str, &str)]| {
        let mut cmd = crate::helpers::command(dir.path(), &sqlite);
        cmd.envs(extra.iter().copied()).args(["serve", "--bind", "127.0.0.1:0"]);
        cmd.stdin(std::process::Stdio::null()).output().unwrap()
    };
    assert_one_line_failure(&serve(&[("LONGFORM_ENV", "production")]), "LONGFORM_JWT_SECRET is required in production");
    let weak = serve(&[("LONGFORM_ENV", "production"), ("LONGFORM_JWT_SECRET", "too-short")]);
    assert_one_line_failure(&weak, "at least 32 bytes");
    assert!(!stderr(&weak).contains("too-short"), "the secret never appears in errors");
}

#[test]
fn backup_copies_sqlite_and_points_postgres_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/lf.db", dir.path().display());
    assert!(run(dir.path(), &sqlite, &["migrate"], "").status.success());
    let target = dir.path().join("copy.db");
    let output = run(dir.path(), &sqlite, &["backup", target.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(target.is_file());
    let media = dir.path().join("media");
    assert!(
        stdout(&output).contains(&format!("media bytes are not in it: copy {} along", media.display())),
        "says where the media are: {}",
        stdout(&output)
    );
    // It holds the generated JWT secret, webhook secrets and hashes: the owner's alone.
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&target).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let copied = format!("sqlite://{}", target.display());
    let migrated = run(dir.path(), &copied, &["migrate"], "");
    assert!(stdout(&migrated).starts_with("applied 0 migration(s)"), "the copy is a complete database");
    assert_one_line_failure(&run(dir.path(), &sqlite, &["backup", target.to_str().unwrap()], ""), "already exists");
    assert_one_line_failure(
        &run(dir.path(), "postgres://nobody@127.0.0.1:1/x", &["backup", "/tmp/x.db"], ""),
        "pg_dump",
    );
}

#[test]
fn a_bad_setting_in_the_file_or_the_environment_is_one_line_naming_it_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/lf.db", dir.path().display());
    let serve = |extra: &[(&str, &str)]| {
        let mut cmd = crate::helpers::command(dir.path(), &sqlite);
        cmd.envs(extra.iter().copied()).args(["serve", "--bind", "127.0.0.1:0"]);
        cmd.stdin(std::process::Stdio::null()).output().unwrap()
    };
    // ./longform.toml is read when present; pool size 0 once panicked inside r2d2.
    let path = dir.path().join("longform.toml");
    std::fs::write(&path, "database_pool_size = 0\n").unwrap();
    let file = std::path::absolute(&path).unwrap();
    let expected = format!("invalid database_pool_size = 0 in {}: use a positive integer", file.display());
    assert_one_line_failure(&serve(&[]), &expected);
    std::fs::remove_file(&path).unwrap();
    // workers = 0 was once ignored in the file and refused from the environment.
    let expected = "invalid LONGFORM_WORKERS=\"0\" (environment): use an integer from 1 to 1024";
    assert_one_line_failure(&serve(&[("LONGFORM_WORKERS", "0")]), expected);
    assert_one_line_failure(&serve(&[("LONGFORM_WORKER", "4")]), "did you mean LONGFORM_WORKERS?");
}
