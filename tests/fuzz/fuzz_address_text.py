"""inet_pton, inet_aton, inet_ntop, inet_ntoa: arbitrary strings, bytes and
wrong types, on both backends; a successful conversion also round-trips."""

from __future__ import annotations

import socket as std_socket
import warnings

from fuzz_common import BACKENDS, Reader, outcome, same

FAMILIES = [std_socket.AF_INET, std_socket.AF_INET6, std_socket.AF_UNIX, 0]


def text_argument(r: Reader):
    kind = r.uint() % 10
    if kind < 6:
        return r.text(48)
    if kind < 8:
        return r.blob(48)
    return r.pick([None, 1234, bytearray(b"1.2.3.4"), ["1.2.3.4"], 1.5])


def packed_argument(r: Reader):
    kind = r.uint() % 10
    data = r.blob(20)
    if kind < 6:
        return data
    if kind == 6:
        return bytearray(data)
    if kind == 7:
        return memoryview(data)
    return r.pick([data.decode("latin-1"), None, 7, [1, 2, 3, 4]])


def check(data: bytes) -> None:
    r = Reader(data)
    op = r.pick(["pton", "aton", "ntop", "ntoa"])
    family = r.pick(FAMILIES + [r.number()])
    if op in ("pton", "aton"):
        arg = text_argument(r)
    else:
        arg = packed_argument(r)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, api in BACKENDS:
            if op == "pton":
                got = outcome(api.inet_pton, family, arg)
                if got[0] == "ok":  # the text it gives back parses to the same bytes
                    again = outcome(api.inet_ntop, family, got[1])
                    got += (again, outcome(api.inet_pton, family, again[1])
                            if again[0] == "ok" else None)
            elif op == "aton":
                got = outcome(api.inet_aton, arg)
                if got[0] == "ok":
                    got += (outcome(api.inet_ntoa, got[1]),)
            elif op == "ntop":
                got = outcome(api.inet_ntop, family, arg)
            else:
                got = outcome(api.inet_ntoa, arg)
            results.append((name, got))
    same(f"inet_{op}({family!r}, {arg!r})", results)
