#!/usr/bin/env bash
# Run every fuzz harness (or the ones named) under atheris for a time budget,
# then replay everything they found on the ASan + UBSan build:
#
#   tests/fuzz/run.sh SECONDS [HARNESS...]     # SECONDS of fuzzing in total, split evenly
#   FUZZ_OUT=dir tests/fuzz/run.sh 3000        # keep logs, new inputs, crashes in dir
#   FUZZ_NO_SANITIZE=1 tests/fuzz/run.sh 60    # skip the sanitized replay
#
# Two phases, because atheris cannot have both at once with gcc: gcc's ASan
# runtime (which the sanitized extension needs, preloaded) exports the
# coverage hooks libFuzzer uses, so under it atheris' Python coverage is
# broken and the fuzzer runs blind.  So:
#   1. fuzz: coverage-guided on the normal build (atheris.instrument_imports
#      of pysock, tests/fuzz/fuzz.py); a Python exception or a differential
#      mismatch is a finding, saved under crashes/;
#   2. replay: every committed seed and every input phase 1 kept, once, on
#      the ASan + UBSan build (tests/memcheck/sanitize.sh --shell; libFuzzer
#      -runs=0); any sanitizer report fails the run.
# The committed corpus (tests/fuzz/corpus/HARNESS) is read, never written.
# Prints one line per harness (wall and CPU seconds, executions, result) and
# exits non-zero on any finding.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

harness_names() {
    if [ "$#" -gt 0 ]; then
        printf '%s\n' "$@"
        return
    fi
    for file in "$here"/fuzz_*.py; do
        name="$(basename "$file" .py)"; name="${name#fuzz_}"
        [ "$name" = common ] || echo "$name"
    done
}

# What one harness's run came to, from its log and exit status (a line);
# returns 1 on a finding, whose log tail goes to stderr.
verdict() {
    local log="$1" status="$2"
    if grep -q "skipped:" "$log"; then
        grep -o "skipped: .*" "$log" | head -1
    elif [ "$status" -ne 0 ]; then
        echo "FINDING (exit $status): see $log and $(dirname "$log")/crashes"
        tail -40 "$log" >&2
        return 1
    else
        echo ok
    fi
}

if [ "${1:-}" = "--replay" ]; then
    # Phase 2, inside the sanitized environment: run.sh --replay OUT HARNESS...
    out="$2"; shift 2
    failed=0
    for name in "$@"; do
        mkdir -p "$out/$name/new"
        status=0
        "$python" "$here/fuzz.py" "$name" -runs=0 -timeout=30 -rss_limit_mb=4096 \
            -artifact_prefix="$out/$name/crashes/sanitized-" \
            "$out/$name/new" "$here/corpus/$name" >"$out/$name/replay.log" 2>&1 || status=$?
        inputs=$(( $(find "$out/$name/new" "$here/corpus/$name" -type f | wc -l) ))
        result=$(verdict "$out/$name/replay.log" "$status") || failed=1
        printf '%-14s %8s inputs replayed under ASan+UBSan  %s\n' "$name" "$inputs" "$result"
    done
    exit "$failed"
fi

budget="${1:?usage: tests/fuzz/run.sh SECONDS [HARNESS...]}"
shift
mapfile -t harnesses < <(harness_names "$@")
"$python" -c "import atheris" 2>/dev/null || {
    echo "fuzz: atheris is not installed (pip install atheris)" >&2; exit 1; }
per=$(( budget / ${#harnesses[@]} ))
[ "$per" -ge 1 ] || per=1
out="${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/pysock-fuzz.XXXXXX")}"
mkdir -p "$out"
failed=0
printf '%-14s %8s %8s %12s  %s\n' harness wall_s cpu_s executions result
for name in "${harnesses[@]}"; do
    mkdir -p "$out/$name/new" "$out/$name/crashes"
    start=$(date +%s)
    status=0
    timer=()
    [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$out/$name/cpu")
    ( cd "$out" && "${timer[@]}" "$python" "$here/fuzz.py" "$name" \
        -max_total_time="$per" -timeout=30 -max_len=512 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$out/$name/crashes/" \
        "$out/$name/new" "$here/corpus/$name" ) >"$out/$name/log" 2>&1 || status=$?
    cpu=$(awk '/^[0-9.]+ [0-9.]+$/ {printf "%.0f", $1 + $2}' "$out/$name/cpu" 2>/dev/null || true)
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name/log" \
           | awk '{print $2}' | tail -1 || true)
    wall=$(( $(date +%s) - start ))
    result=$(verdict "$out/$name/log" "$status") || failed=1
    printf '%-14s %8s %8s %12s  %s\n' "$name" "$wall" "${cpu:--}" "${runs:--}" "$result"
done

if [ -z "${FUZZ_NO_SANITIZE:-}" ]; then
    start=$(date +%s)
    "$root/tests/memcheck/sanitize.sh" --shell bash "$0" --replay "$out" "${harnesses[@]}" \
        || failed=1
    echo "fuzz: sanitized replay took $(( $(date +%s) - start )) s (build included)"
fi
echo "fuzz: logs and new inputs in $out"
exit "$failed"
