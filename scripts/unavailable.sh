# Sourced by the test scripts: the shell side of the rule in
# crates/persistence/src/testing/skip.rs. `unavailable DEPENDENCY SCRIPT
# REASON` exits 0 after recording a skip when LONGFORM_TEST_SKIP names the
# dependency, else exits 1 saying why and how to skip.
unavailable() {
    local dependency=$1 script=$2 reason=$3 skip
    skip=$(printf '%s' "${LONGFORM_TEST_SKIP:-}" | tr -d '[:space:]' | tr '[:upper:]' '[:lower:]')
    case ",$skip," in
    *,"$dependency",*)
        echo "SKIPPED: $dependency ($script: $reason)"
        [ -z "${LONGFORM_TEST_SKIP_LOG:-}" ] ||
            printf '%s\tscript\t%s\t%s\n' "$dependency" "$script" "$reason" >>"$LONGFORM_TEST_SKIP_LOG"
        exit 0
        ;;
    *)
        echo "$script needs $dependency: $reason"
        echo "(set LONGFORM_TEST_SKIP=$dependency to skip it; \`make test\` then counts it as skipped)"
        exit 1
        ;;
    esac
}
