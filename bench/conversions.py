"""The ways htons, inet_pton and inet_ntop can be done from Python, timed
side by side (issue 5: "measure each option, document the choice"):

    python bench/conversions.py        # any interpreter with pysock built

Every option is called through a lambda, so each row carries the same
call overhead; compare rows, not absolute numbers.  The pure-Python IPv4
parser is not strict (inet_pton rejects more): it is a lower bound.
"""

import os
import platform
import socket
import sys
import time

os.environ.setdefault("PYSOCK_BACKEND", "cffi")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pysock  # noqa: E402
from pysock._ffi import ffi, lib  # noqa: E402

out16 = ffi.new("char[16]")  # single-threaded here, so one shared buffer is fine



def per_call(f, n=200000):
    """Best of 7 loops of n calls, ns per call, after n/10 warm-up calls."""
    for _ in range(n // 10):
        f()
    best = 1e9
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e9

x = 4660


def arith(x=x):
    return ((x & 0xFF) << 8) | (x >> 8) if 0 <= x <= 0xFFFF else None


def via_bytes(x=x, order=sys.byteorder):
    return int.from_bytes(x.to_bytes(2, order), "big")


def ipv4_py(s="192.0.2.33"):
    parts = s.split(".")
    if len(parts) != 4:
        raise OSError("illegal IP address string passed to inet_pton")
    return bytes(map(int, parts))


packed = socket.inet_pton(socket.AF_INET, "192.0.2.33")


def ntop4_py(p=packed):
    return "%d.%d.%d.%d" % tuple(p)


rows = [
 ("htons: stdlib socket.htons", lambda: socket.htons(x)),
 ("htons: pysock.htons (checks + cffi call)", lambda: pysock.htons(x)),
 ("htons: bare cffi lib call", lambda: lib.ps_htons(x)),
 ("htons: pure-Python arithmetic + range check", lambda: arith()),
 ("htons: int.to_bytes/from_bytes", lambda: via_bytes()),
 ("inet_pton: stdlib", lambda: socket.inet_pton(socket.AF_INET, "192.0.2.33")),
 ("inet_pton: pysock", lambda: pysock.inet_pton(socket.AF_INET, "192.0.2.33")),
 ("inet_pton: bare cffi call into a buffer + ffi.unpack",
  lambda: ffi.unpack(out16, lib.ps_inet_pton(socket.AF_INET, b"192.0.2.33", out16, 16))),
 ("inet_pton: bare by-value cffi call + int.to_bytes",
  lambda: lib.ps_inet_pton4(b"192.0.2.33").to_bytes(4, "big")),
 ("inet_pton: pure-Python IPv4 split (not strict)", lambda: ipv4_py()),
 ("inet_ntop: stdlib", lambda: socket.inet_ntop(socket.AF_INET, packed)),
 ("inet_ntop: pysock", lambda: pysock.inet_ntop(socket.AF_INET, packed)),
 ("inet_ntop: pure-Python IPv4 format", lambda: ntop4_py()),
]
print(platform.python_implementation(), platform.python_version())
for name, f in rows:
    print(f"  {name:48} {per_call(f):8.1f} ns")
