"""Socket address tuples and paths for AF_INET, AF_INET6 and AF_UNIX (abstract
names included): wrong types, lengths and ranges, through bind, sendto and
connect on datagram sockets of both backends.

Nothing leaves this machine: bind sends nothing; sendto and connect go only
to loopback or unspecified addresses and only to this harness's own receiver
port (any other port that would be used is replaced by it); hosts that would
need a lookup are replaced by numeric ones (no DNS); UNIX paths are made
inside a private temporary directory, and abstract destinations get a
private prefix."""

from __future__ import annotations

import atexit
import operator
import os
import shutil
import socket as std_socket
import tempfile
import warnings

from fuzz_common import BACKENDS, Reader, keep, needs_lookup, outcome, same, stays_local

AF_INET, AF_INET6, AF_UNIX = std_socket.AF_INET, std_socket.AF_INET6, std_socket.AF_UNIX
HOSTS = ["127.0.0.1", "::1", "", "localhost", "<broadcast>", "0.0.0.0", "::", "127.1",
         "::ffff:127.0.0.1", "fe80::1%lo", "::1%1", "1.2.3.4", "2001:db8::1", "256.1.1.1"]
WORKDIR = tempfile.mkdtemp(prefix="psfz", dir="/tmp")
atexit.register(shutil.rmtree, WORKDIR, True)
ABSTRACT_PREFIX = b"\0pysock-fuzz-%d-" % os.getpid()

_receivers: dict = {}


def receiver(family: int):
    """This harness's own datagram socket for `family`: the only destination."""
    if family not in _receivers:
        sock = std_socket.socket(family, std_socket.SOCK_DGRAM)
        if family == AF_UNIX:
            sock.bind(os.path.join(WORKDIR, "receiver"))
        else:
            sock.bind(("127.0.0.1" if family == AF_INET else "::1", 0))
        sock.setblocking(False)
        _receivers[family] = keep(sock)
        keep(lambda: forget_receiver(family))
    return _receivers[family]


def forget_receiver(family: int) -> None:
    """After fuzz_common.release() closed it."""
    _receivers.pop(family, None)
    if family == AF_UNIX:
        try:
            os.unlink(os.path.join(WORKDIR, "receiver"))
        except OSError:
            pass


def drain(family: int) -> None:
    sock = receiver(family)
    while True:
        try:
            sock.recv(64)
        except OSError:
            return


def int_like(value) -> bool:
    try:
        operator.index(value)
        return True
    except TypeError:
        return False


def inet_address(r: Reader, family: int, sending: bool):
    host = r.pick(HOSTS) if r.uint() % 3 else r.pick([r.text(40), r.blob(40), None, 5])
    port = r.pick([0, 1, 65535, 65536, -1, r.number(), "80", None, 1.0, True, 2**64])
    extra = [r.pick([0, 1, 0xFFFFF, 0x100000, -1, r.number(), "x", None]) for _ in range(3)]
    if needs_lookup(host, family):
        host = "127.0.0.1" if family == AF_INET else "::1"
    if sending:
        if not stays_local(host):
            host = "127.0.0.1" if family == AF_INET else "::1"
        if int_like(port) and 0 <= operator.index(port) <= 65535:
            port = receiver(family).getsockname()[1]  # never anyone else's port
    size = r.uint() % 8
    parts = [host, port] + extra
    if size < 5:
        return tuple(parts[:2 if size < 3 else size - 1])
    return r.pick([host, [host, port], None, (host,), b"127.0.0.1"])


def unix_address(r: Reader, sending: bool):
    kind = r.uint() % 6
    name = r.blob(120)
    if kind == 0:                                          # abstract
        return (ABSTRACT_PREFIX if sending else b"\0") + name
    if kind == 1:
        return os.fsdecode(os.path.join(os.fsencode(WORKDIR), name))
    if kind == 2:
        return bytearray(os.path.join(os.fsencode(WORKDIR), name))
    if kind == 3 and sending:
        return os.path.join(WORKDIR, "receiver")
    if kind == 4:
        return r.pick([None, 7, ("/tmp/x",), memoryview(b"\0abc"), b"", ""])
    return os.path.join(os.fsencode(WORKDIR), name)


def cleanup_path(address) -> None:
    if isinstance(address, (bytes, bytearray, str)) and address and \
            (address[0] not in (0, "\0")):
        path = os.fsencode(address) if isinstance(address, str) else bytes(address)
        path = path.split(b"\0")[0]  # the kernel's path ends at a NUL
        if not path.endswith(b"/receiver"):
            try:
                os.unlink(path)
            except OSError:
                pass


def run(api, family: int, op: str, address, kind: int):
    try:
        sock = api.socket(family, kind)
    except OSError as exc:
        return ("socket", type(exc), exc.errno)
    with sock:
        if op == "bind":
            got = outcome(sock.bind, address)
            name = outcome(sock.getsockname)
            if got[0] == "ok" and family != AF_UNIX and len(name[1]) > 1:
                name = ("ok", name[1][:1] + name[1][2:])  # ports may differ: port 0
            if got[0] == "ok" and family == AF_UNIX and not address:
                name = ("ok", ("autobind", len(name[1])))  # the kernel picks the name
            cleanup_path(address)
            return got, name
        if op == "sendto":
            got = outcome(sock.sendto, b"x", address)
        else:
            got = outcome(sock.connect, address)
        return got, outcome(sock.getpeername)


def check(data: bytes) -> None:
    r = Reader(data)
    family = r.pick([AF_INET, AF_INET6, AF_UNIX])
    op = r.pick(["bind", "bind", "sendto", "connect"])
    kind = std_socket.SOCK_DGRAM
    sending = op != "bind"
    if sending:
        receiver(family)  # exists before either backend sends to it
    if family == AF_UNIX:
        address = unix_address(r, sending)
    else:
        address = inet_address(r, family, sending)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, api in BACKENDS:
            results.append((name, run(api, family, op, address, kind)))
            if sending:
                drain(family)
    same(f"{op}({family!r}, {address!r})", results)
