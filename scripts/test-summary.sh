#!/usr/bin/env bash
# The last line of `make test`: libtest's totals from the test log, with the
# tests that returned early for a missing dependency counted as skipped
# instead of passed, and the skips by dependency, e.g.
#   215 passed, 0 failed, 97 skipped (postgres: 96, python: 1)
# The skip log has one line per skip: dependency, runner ("cargo" for a
# libtest test, else the script's name), test, reason; tab-separated. The
# optional results log has one line per test another runner ran (the
# flows of the browser and Ghost suites): runner, test, "ok" or "failed";
# any runner name counts.
set -euo pipefail
test_log=$1
skip_log=$2
results_log=${3:-/dev/null}
[ -f "$skip_log" ] || : >"$skip_log"
[ -e "$results_log" ] || : >"$results_log"
awk -v skips="$skip_log" -v results="$results_log" '
    FILENAME == results && NF { if ($NF == "ok") passed++; else failed++; next }
    FILENAME != skips && /^test result:/ { passed += $4; failed += $6; next }
    FILENAME == skips && NF {
        split($0, field, "\t")
        dependency = field[1]; runner = field[2]; test = field[3]
        if (!((dependency, test) in counted)) { counted[dependency, test] = 1; by[dependency]++ }
        if (!(test in skipped)) { skipped[test] = 1; total++; if (runner == "cargo") early++ }
    }
    END {
        line = sprintf("%d passed, %d failed, %d skipped", passed - early, failed, total)
        n = 0
        for (dependency in by) names[++n] = dependency
        for (i = 2; i <= n; i++) for (j = i; j > 1 && names[j] < names[j - 1]; j--) {
            t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
        }
        for (i = 1; i <= n; i++) line = line (i == 1 ? " (" : ", ") names[i] ": " by[names[i]]
        print line (n ? ")" : "")
    }' "$test_log" "$skip_log" "$results_log"
