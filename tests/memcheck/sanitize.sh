#!/usr/bin/env bash
# The test suite on an AddressSanitizer + UndefinedBehaviorSanitizer build of
# pysock's C side (csrc/), on the cffi backend.  Exits non-zero on any
# sanitizer report, anywhere (the interpreter running pytest or any process
# the tests start), as well as on a failing test.
#
#   tests/memcheck/sanitize.sh                  # the whole suite
#   tests/memcheck/sanitize.sh tests/test_x.py  # pytest arguments: a subset
#   SANITIZE_KEEP=1 tests/memcheck/sanitize.sh  # keep the build dir afterwards
#   tests/memcheck/sanitize.sh --shell CMD...   # CMD in the sanitized environment
#                                               # (e.g. a fuzz harness)
#   SANITIZE_BUILD_DIR=dir ...                  # build once into dir, reuse it after
#                                               # (CI: the suite and the fuzz replay)
#
# The sanitized extension is built in a temporary copy of the package, never
# in the checkout: pysock/_ffi*.so there stays the normal build.  The copy comes
# first on PYTHONPATH, so it is the pysock every test (and every `python -m
# pysock` the tests start) imports.
#
# CPython is not instrumented; the ASan runtime is preloaded into it
# (LD_PRELOAD, as it must come first), PYTHONMALLOC=malloc gives every Python
# and cffi allocation its own malloc block (so a C overflow out of a cffi
# buffer hits an ASan redzone, not a neighbour in a pymalloc arena), and
# leak detection is off because CPython keeps memory until exit by design.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python3}"

if [ -n "${SANITIZE_BUILD_DIR:-}" ]; then
    work="$SANITIZE_BUILD_DIR"
    mkdir -p "$work"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/pysock-sanitize.XXXXXX")"
    if [ -n "${SANITIZE_KEEP:-}" ]; then
        trap 'echo "kept: $work" >&2' EXIT
    else
        trap 'rm -rf "$work"' EXIT
    fi
fi

build() {
    # A copy of the package (labs/ is installed as pysock.labs), without the
    # checkout's normal extension.
    rm -rf "$work/site" "$work/build"
    mkdir -p "$work/site"
    cp -r "$root/pysock" "$work/site/pysock"
    cp -r "$root/labs" "$work/site/pysock/labs"
    find "$work/site" \( -name '_ffi*.so' -o -name '_ffi.c' -o -name '_ffi.o' \
         -o -name __pycache__ \) -prune -exec rm -rf {} +

    sanitize_flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
    echo "sanitize: building pysock._ffi with $sanitize_flags" >&2
    (cd "$work" && PYSOCK_CFLAGS="$sanitize_flags" PYSOCK_LDFLAGS="-fsanitize=address,undefined" \
        "$python" -c "import sys; sys.path.insert(0, '$root'); import build_ffi; \
build_ffi.ffibuilder.compile(tmpdir='$work/build', verbose=False)"\
        ) >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
    so="$(find "$work/build/pysock" -name '_ffi*.so' | head -1)"
    [ -n "$so" ] || { echo "sanitize: no extension built" >&2; exit 1; }
    cp "$so" "$work/site/pysock/"
    grep -q __asan_init "$work/site/pysock/$(basename "$so")" \
        || { echo "sanitize: $so is not instrumented" >&2; exit 1; }
}
if compgen -G "$work/site/pysock/_ffi*.so" >/dev/null; then
    echo "sanitize: reusing the build in $work" >&2
else
    build
fi

rm -rf "$work/reports"
mkdir -p "$work/reports"
asan_runtime="$(gcc -print-file-name=libasan.so)"
export LD_PRELOAD="$asan_runtime${LD_PRELOAD:+:$LD_PRELOAD}"
# allocator_may_return_null: a huge allocation (recv(2**62) asks for that
# many bytes) must fail with NULL, which Python turns into MemoryError, as
# glibc's malloc does; ASan's default is to abort the process instead.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:allocator_may_return_null=1:exitcode=86:log_path=$work/reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87:log_path=$work/reports/ubsan"
export PYTHONMALLOC=malloc
export PYTHONPATH="$work/site${PYTHONPATH:+:$PYTHONPATH}"
export PYSOCK_BACKEND=cffi
export PYSOCK_SANITIZED=1
# `python -m pytest` would put the checkout first on sys.path, and its pysock/
# (the normal build) before the copy: never prepend the current directory.
export PYTHONSAFEPATH=1

status=0
if [ "${1:-}" = "--shell" ]; then
    shift
    "$@" || status=$?
else
    # The tests run against the copy: check that before trusting a green run.
    "$python" -c "import pysock._ffi as f, sys; assert f.__file__.startswith('$work/site'), f.__file__" \
        || { echo "sanitize: the sanitized copy is not the one imported" >&2; exit 1; }
    (cd "$root" && "$python" -m pytest -p no:cacheprovider "$@") || status=$?
fi

reports=("$work"/reports/*)
if [ -e "${reports[0]}" ]; then
    echo "sanitize: SANITIZER REPORTS:" >&2
    for report in "${reports[@]}"; do
        echo "==== $report" >&2
        cat "$report" >&2
    done
    exit 1
fi
echo "sanitize: no sanitizer report (exit status of the run: $status)" >&2
exit "$status"
