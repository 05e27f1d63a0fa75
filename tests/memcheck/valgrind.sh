#!/usr/bin/env bash
# valgrind memcheck over the C-facing part of the test suite, cffi backend:
#
#   tests/memcheck/valgrind.sh                 # the subset below
#   tests/memcheck/valgrind.sh tests/test_x.py # other pytest arguments
#
# Fails on any valgrind error (invalid read/write, use of uninitialised
# memory, a definite leak, ...) with a frame of pysock's C code anywhere in
# its stack: pysock/_ffi*.so or csrc/.  Errors wholly inside the interpreter
# are CPython's (tests/memcheck/cpython.supp hides the usual ones; the rest
# are counted and shown, not failed on).  PYTHONMALLOC=malloc gives every
# allocation its own block, so valgrind sees the bounds of cffi buffers.
# Only the pytest process is traced (subprocesses the tests start run
# natively).
#
# The subset reaches every shim in csrc/pysock.cdef (shim_coverage.py checks
# that first, natively, and fails if one is missed):
#   test_c_bounds   every length and pointer check, called through cffi
#   test_posix      the C-shaped layer: bind/accept/recvfrom/... with structs
#   test_netdb      getaddrinfo/getnameinfo/gethostby*/getserv*/if_*
#   test_datagram   sendto/recvfrom/sendmsg/recvmsg, truncation
#   test_ancillary  cmsg put/next, SCM_RIGHTS, CMSG_LEN/SPACE
#   test_options    setsockopt/getsockopt/getsockopt_int
#   test_sendfile   sendfile, sendall
#   test_lifecycle  socket/close/detach/dup/fromfd/inheritable/fcntl
#   test_fast_paths the C loops: recv_exactly, framing, sendmmsg/recvmmsg, splice
#   test_conversions inet_*/hton*, the IPv4 by-value shims
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-python3}"
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 1; }
if [ "$#" -eq 0 ]; then
    set -- tests/test_c_bounds.py tests/test_posix.py tests/test_netdb.py \
        tests/test_datagram.py tests/test_ancillary.py tests/test_options.py \
        tests/test_sendfile.py tests/test_lifecycle.py tests/test_fast_paths.py \
        tests/test_conversions.py
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/pysock-valgrind.XXXXXX")"
export PYSOCK_BACKEND=cffi

cd "$root"
echo "valgrind: shim coverage of the subset (native run)" >&2
PYTHONPATH="$root/tests/memcheck${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" -m pytest -q -p no:cacheprovider -p shim_coverage "$@" >"$out/coverage.log" 2>&1 \
    || { cat "$out/coverage.log" >&2; echo "valgrind: the subset misses shims or fails natively" >&2; exit 1; }
grep "shim coverage:" "$out/coverage.log" >&2

echo "valgrind: memcheck run (slow)" >&2
status=0
PYTHONMALLOC=malloc valgrind --tool=memcheck --xml=yes --xml-file="$out/memcheck.%p.xml" \
    --suppressions="$root/tests/memcheck/cpython.supp" --num-callers=40 \
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --trace-children=no \
    "$python" -m pytest -q -p no:cacheprovider "$@" >"$out/pytest.log" 2>&1 || status=$?
tail -3 "$out/pytest.log" >&2

"$python" - "$out" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET

def ours(frame):
    obj = frame.findtext("obj") or ""
    src = (frame.findtext("dir") or "") + "/" + (frame.findtext("file") or "")
    return "/_ffi" in obj or "/csrc/" in src

total = pysock = suppressed = 0
for path in glob.glob(sys.argv[1] + "/memcheck.*.xml"):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        continue
    for pair in root.iter("pair"):
        suppressed += int(pair.findtext("count") or 0)
    for error in root.iter("error"):
        total += 1
        if any(ours(f) for f in error.iter("frame")):
            pysock += 1
            what = error.findtext("kind")
            text = error.findtext("what") or error.findtext("xwhat/text") or ""
            frames = [f"{f.findtext('fn')} ({f.findtext('file') or f.findtext('obj')}:{f.findtext('line') or ''})"
                      for f in error.iter("frame")][:12]
            print(f"valgrind: ERROR IN PYSOCK: {what}: {text}\n    " + "\n    ".join(frames))
print(f"valgrind: {pysock} errors in pysock's code; {total - pysock} in the interpreter "
      f"outside it (not pysock's), {suppressed} suppressed as CPython noise")
sys.exit(1 if pysock else 0)
PY
result=$?
echo "valgrind: details in $out" >&2
[ "$status" -eq 0 ] || { echo "valgrind: pytest under valgrind exited $status" >&2; exit "$status"; }
exit "$result"
