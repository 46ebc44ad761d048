//! One rule for every outside dependency of the test suite (PostgreSQL,
//! Python, SeaweedFS as `s3`, Chromium, Node): when it is
//! missing, the tests that need it fail, unless `LONGFORM_TEST_SKIP` names
//! it. A test skipped that way returns early and appends one line to the file
//! `LONGFORM_TEST_SKIP_LOG` names, which `make test` counts in its last line:
//! a passing test's output is hidden by libtest, so a printed line alone
//! would never be seen.

use std::env;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// The dependencies whose tests may be skipped, comma-separated:
/// `LONGFORM_TEST_SKIP=postgres,browser`.
pub const SKIP_VAR: &str = "LONGFORM_TEST_SKIP";
/// The file each skip is recorded in, one [`log_line`] per skip.
pub const LOG_VAR: &str = "LONGFORM_TEST_SKIP_LOG";

/// What to do about a missing dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The test fails: nobody said this dependency may be missing.
    Fail,
    /// The test returns early, and the skip is recorded.
    Skip,
}

/// `dependency` is needed but unavailable (`reason`, one line). Panics,
/// failing the test, with the reason and how to skip instead, unless
/// `LONGFORM_TEST_SKIP` names it: then the skip is recorded and the answer is
/// `None`, for the test to return on (`let Some(db) = ... else { return }`).
#[track_caller]
pub fn unavailable<T>(dependency: &str, reason: &str) -> Option<T> {
    let skip = env::var(SKIP_VAR).unwrap_or_default();
    let log = env::var_os(LOG_VAR).filter(|path| !path.is_empty());
    unavailable_with(&skip, log.as_deref().map(Path::new), dependency, reason)
}

/// [`unavailable`] with its environment passed in.
#[track_caller]
pub fn unavailable_with<T>(skip: &str, log: Option<&Path>, dependency: &str, reason: &str) -> Option<T> {
    match decide(skip, dependency) {
        Decision::Fail => panic!("{}", failure(dependency, reason)),
        Decision::Skip => {
            let test = current_test();
            eprintln!("SKIPPED: {dependency} ({test}: {reason})");
            if let Some(path) = log {
                // A skip that cannot be counted must not pass as a success.
                record(path, &log_line(dependency, &test, reason))
                    .unwrap_or_else(|e| panic!("could not record a skip in {}: {e}", path.display()));
            }
            None
        }
    }
}

/// Whether the comma-separated `skip` list names `dependency` (exactly,
/// ignoring case and spaces: `postgresql` does not name `postgres`).
pub fn decide(skip: &str, dependency: &str) -> Decision {
    let named = skip.split(',').map(str::trim).any(|name| name.eq_ignore_ascii_case(dependency));
    if named { Decision::Skip } else { Decision::Fail }
}

/// The failed test's message: why, and how to skip instead.
pub fn failure(dependency: &str, reason: &str) -> String {
    format!(
        "{dependency} is needed by this test but unavailable: {reason}\n\
         (set {SKIP_VAR}={dependency} to skip the tests that need it; `make test` then counts them as skipped)"
    )
}

/// `dependency<TAB>cargo<TAB>test<TAB>reason`, newline-terminated; tabs and
/// newlines inside a field become spaces. `cargo` names the runner: a script
/// (Schemathesis) writes its own name there, and is not a libtest test.
pub fn log_line(dependency: &str, test: &str, reason: &str) -> String {
    let field = |text: &str| text.replace(['\t', '\n', '\r'], " ");
    format!("{}\tcargo\t{}\t{}\n", field(dependency), field(test), field(reason))
}

/// Append `line` with one write: O_APPEND keeps concurrent lines whole.
fn record(path: &Path, line: &str) -> std::io::Result<()> {
    OpenOptions::new().create(true).append(true).open(path)?.write_all(line.as_bytes())
}

/// `<test binary>::<test path>`: libtest names each test's thread after it.
fn current_test() -> String {
    let exe = env::current_exe().ok();
    let binary = exe.as_deref().and_then(Path::file_stem).and_then(|s| s.to_str()).map_or("?", without_hash);
    let thread = std::thread::current();
    format!("{binary}::{}", thread.name().unwrap_or("?"))
}

/// `migrations-87dda4a33f924545` -> `migrations`.
fn without_hash(stem: &str) -> &str {
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
        _ => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_named_dependency_is_skipped() {
        assert_eq!(decide("", "postgres"), Decision::Fail);
        assert_eq!(decide("postgres", "postgres"), Decision::Skip);
        assert_eq!(decide("browser, Postgres ,", "postgres"), Decision::Skip);
        assert_eq!(decide("postgresql", "postgres"), Decision::Fail, "no prefixes or near misses");
        assert_eq!(decide("postgres", "python"), Decision::Fail);
        assert_eq!(decide(",,", "postgres"), Decision::Fail);
    }

    #[test]
    #[should_panic(expected = "set LONGFORM_TEST_SKIP=postgres to skip")]
    fn an_unnamed_missing_dependency_fails_the_test_with_the_reason_and_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("skips.log");
        let _: Option<()> = unavailable_with("python", Some(&log), "postgres", "no initdb on PATH");
    }

    #[test]
    fn a_named_missing_dependency_is_recorded_once_per_call() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("skips.log");
        let skipped: Option<u8> = unavailable_with("postgres", Some(&log), "postgres", "no initdb\ton PATH");
        assert_eq!(skipped, None);
        let _: Option<u8> = unavailable_with("python,postgres", Some(&log), "postgres", "again");
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(lines.len(), 2, "{text}");
        let test = "testing::skip::tests::a_named_missing_dependency_is_recorded_once_per_call";
        assert_eq!(lines[0][..2], ["postgres", "cargo"]);
        assert!(lines[0][2].starts_with("longform_persistence::") && lines[0][2].ends_with(test), "{text}");
        assert_eq!(lines[0][3], "no initdb on PATH", "one field, tabs flattened");
        assert_eq!(lines[1][3], "again");
    }

    #[test]
    fn without_a_log_a_skip_is_only_printed() {
        assert_eq!(unavailable_with::<()>("postgres", None, "postgres", "no server"), None);
    }

    #[test]
    fn log_lines_have_four_fields_and_binaries_lose_their_hash() {
        assert_eq!(log_line("postgres", "e2e::a\tb", "x\ny"), "postgres\tcargo\te2e::a b\tx y\n");
        assert_eq!(without_hash("migrations-87dda4a33f924545"), "migrations");
        assert_eq!(without_hash("longform-api"), "longform-api");
    }
}
