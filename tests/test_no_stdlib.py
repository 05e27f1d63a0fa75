"""The cffi backend never runs the stdlib's socket code underneath.

pysock.backends.cffi.socket subclasses socket.socket (so isinstance checks in
ssl, asyncio, ... accept it), but every method is its own or the stdlib's
pure-Python helper rebound to pysock; no C method of _socket is inherited or
called.  Two proofs: a static one (every attribute is overridden) and a dynamic
one (a profiler sees no _socket call while a socket is put through its paces).
"""

from __future__ import annotations

import _socket
import socket as std_socket
import sys

import pytest

from pysock import backends


def stdlib_attributes():
    names = set()
    for klass in (std_socket.socket, _socket.socket):
        names |= {n for n in vars(klass) if not n.startswith("__") or n in
                  ("__repr__", "__enter__", "__exit__", "__getstate__", "__init__", "__del__")}
    return sorted(names - {"__slots__", "__weakref__", "_io_refs", "_closed", "__doc__", "__module__"})


@pytest.mark.parametrize("name", stdlib_attributes())
def test_every_stdlib_method_is_overridden(name):
    cls = backends.load("cffi").socket
    assert name in vars(cls), f"{name} would be inherited from the stdlib"


def test_no_stdlib_socket_call_during_use(tmp_sock_dir):
    api = backends.load("cffi")
    seen = []

    def profiler(frame, event, arg):
        if event == "c_call":
            owner = getattr(arg, "__self__", None)
            if getattr(arg, "__module__", None) == "_socket" or isinstance(owner, _socket.socket) \
                    or owner is _socket:
                seen.append(getattr(arg, "__qualname__", repr(arg)))

    sys.setprofile(profiler)
    try:
        listener = api.create_server(("127.0.0.1", 0))
        client = api.create_connection(listener.getsockname(), timeout=5)
        server, _ = listener.accept()
        client.sendall(b"data" * 1000)
        server.settimeout(2)
        got = b""
        while len(got) < 4000:
            got += server.recv(65536)
        server.setblocking(False)
        client.getsockopt(api.SOL_SOCKET, api.SO_TYPE)
        client.setsockopt(api.IPPROTO_TCP, api.TCP_NODELAY, 1)
        repr(client)
        f = server.makefile("rb")
        client.sendall(b"line\n")
        server.setblocking(True)
        assert f.readline() == b"line\n"
        f.close()
        dup = client.dup()
        dup.close()
        a, b = api.socketpair()
        a.sendmsg([b"x"])
        b.recvmsg(1)
        a.close(), b.close()
        api.getaddrinfo("127.0.0.1", 80)
        api.inet_pton(api.AF_INET, "1.2.3.4")
        for s in (listener, client, server):
            s.close()
    finally:
        sys.setprofile(None)
    assert seen == []


def test_the_stdlib_object_underneath_stays_empty():
    api = backends.load("cffi")
    with api.socket() as s:
        # The C struct of _socket.socket was never initialised: its fd is -1,
        # so a stdlib method reaching it could not touch the real socket.
        assert _socket.socket.fileno(s) == -1
        assert s.fileno() >= 0
