"""Blocking, non-blocking and timeout modes (timeout None, 0 and > 0)."""

from __future__ import annotations

import errno
import math
import selectors
import socket as std_socket
import threading
import time

import pytest

from conftest import PYPY, assert_like_stdlib, is_cffi, outcome_text, recv_exactly


def test_nonblocking_recv_with_nothing_there(tcp):
    client, server = tcp
    server.setblocking(False)
    assert server.gettimeout() == 0.0
    with pytest.raises(BlockingIOError) as info:
        server.recv(10)
    assert info.value.errno == errno.EAGAIN


def test_timeout_expires_with_timeouterror(tcp):
    client, server = tcp
    server.settimeout(0.05)
    start = time.monotonic()
    with pytest.raises(std_socket.timeout) as info:
        server.recv(10)
    elapsed = time.monotonic() - start
    assert str(info.value) == "timed out"
    assert isinstance(info.value, OSError)
    assert 0.045 <= elapsed < 2.0


def test_timeout_mode_still_receives(tcp):
    client, server = tcp
    server.settimeout(5)
    client.sendall(b"x")
    assert server.recv(1) == b"x"


def test_settimeout_modes_and_getblocking(api):
    with api.socket() as s:
        assert (s.gettimeout(), s.getblocking()) == (None, True)
        s.settimeout(0)
        assert (s.gettimeout(), s.getblocking()) == (0.0, False)
        s.settimeout(1.5)
        assert (s.gettimeout(), s.getblocking(), s.timeout) == (1.5, True, 1.5)
        s.setblocking(True)
        assert s.gettimeout() is None
        s.setblocking(False)
        assert s.gettimeout() == 0.0


TIMEOUT_VALUES = [None, 0, 0.5, 3, True, -1, -0.5, math.nan, "1", 1e300, 2**70, b"x"]


def _pypy_keeps(value):
    """PyPy's socket keeps any float as the timeout (NaN, 1e300, 2**70 as a
    float) where CPython, and pysock, refuse it (docs/differences.md)."""
    return isinstance(value, (int, float)) and not value < 1e18 and value is not True


@pytest.mark.parametrize("value", TIMEOUT_VALUES, ids=repr)
def test_settimeout_like_the_stdlib(api, value):
    with api.socket() as s, std_socket.socket() as ref:
        assert_like_stdlib(outcome_text(s.settimeout, value), outcome_text(ref.settimeout, value),
                           text=False, pypy_differs=is_cffi(api) and _pypy_keeps(value))
        if not (PYPY and _pypy_keeps(value)):
            assert s.gettimeout() == ref.gettimeout()


@pytest.mark.parametrize("value", TIMEOUT_VALUES, ids=repr)
def test_setdefaulttimeout_like_the_stdlib(api, value):
    try:
        assert_like_stdlib(outcome_text(api.setdefaulttimeout, value),
                           outcome_text(std_socket.setdefaulttimeout, value), text=False,
                           pypy_differs=is_cffi(api) and _pypy_keeps(value))
        if not (PYPY and _pypy_keeps(value)):
            assert api.getdefaulttimeout() == std_socket.getdefaulttimeout()
    finally:
        api.setdefaulttimeout(None)
        std_socket.setdefaulttimeout(None)


def test_timeouts_are_whole_nanoseconds_rounded_up_like_cpython(api):
    # CPython keeps a timeout in nanoseconds, rounding up, so that a tiny
    # timeout never becomes 0 (non-blocking).  PyPy keeps the float as given.
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy keeps the float (docs/differences.md)")
    with api.socket() as s:
        s.settimeout(1e-10)
        assert s.gettimeout() == 1e-9
        s.settimeout(1 / 3)
        assert s.gettimeout() == 0.333333334


class FullListener:
    """A listener whose accept queue is full: Linux drops further SYNs, so a
    connect() to it waits.  (Backlog 0 queues one connection on CPython and
    two on PyPy, which makes 0 into 1; so connect until one does not finish.)"""

    def __init__(self, api):
        self.listener = api.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.address = self.listener.getsockname()
        self.queued = []
        for _ in range(8):
            client = api.socket()
            client.settimeout(0.05)
            if client.connect_ex(self.address) != 0:
                client.close()
                break
            self.queued.append(client)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for s in self.queued + [self.listener]:
            s.close()


def test_connect_times_out(api):
    with FullListener(api) as full, api.socket() as s:
        assert full.queued
        s.settimeout(0.05)
        with pytest.raises(std_socket.timeout, match="timed out"):
            s.connect(full.address)


def test_connect_ex_returns_ewouldblock_on_timeout_like_the_stdlib(api):
    with FullListener(api) as full, api.socket() as s, std_socket.socket() as ref:
        s.settimeout(0.05)
        ref.settimeout(0.05)
        assert s.connect_ex(full.address) == ref.connect_ex(full.address) == errno.EWOULDBLOCK


def test_nonblocking_connect_completes_when_writable(api):
    with api.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with api.socket() as s:
            s.setblocking(False)
            with pytest.raises(BlockingIOError) as info:
                s.connect(listener.getsockname())
            assert info.value.errno == errno.EINPROGRESS
            with selectors.DefaultSelector() as selector:
                selector.register(s, selectors.EVENT_WRITE)
                assert selector.select(timeout=5)
            assert s.getsockopt(api.SOL_SOCKET, api.SO_ERROR) == 0
            assert s.getpeername() == listener.getsockname()
            server, _ = listener.accept()
            server.close()


def test_nonblocking_connect_again_says_already_or_connected(api):
    with api.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with api.socket() as s, std_socket.socket() as ref:
            for sock in (s, ref):
                sock.setblocking(False)
                sock.connect_ex(listener.getsockname())
            # Second attempts: EALREADY while in progress, EISCONN once done.
            assert s.connect_ex(listener.getsockname()) in (
                0, errno.EALREADY, errno.EISCONN)


def _fill_send_buffer(sock):
    """Send until not even one more byte fits (the peer does not read)."""
    sock.setblocking(False)
    size = 65536
    while size:
        try:
            sock.send(b"x" * size)
        except BlockingIOError:
            size //= 2


def test_send_with_a_full_buffer(api, unix_pair):
    # A UNIX stream pair: its buffer, once full, stays full while the peer
    # does not read (over TCP some stacks keep trickling bytes out).
    client, server = unix_pair
    client.setsockopt(api.SOL_SOCKET, api.SO_SNDBUF, 4096)
    _fill_send_buffer(client)
    with pytest.raises(BlockingIOError) as info:        # timeout 0
        client.send(b"more")
    assert info.value.errno == errno.EAGAIN
    client.settimeout(0.05)                              # timeout > 0
    with pytest.raises(std_socket.timeout):
        client.send(b"m")
    with pytest.raises(std_socket.timeout):
        client.sendall(b"more" * 100000)
    client.settimeout(None)                              # blocking: waits for room
    server.settimeout(5)
    drained = []
    reader = threading.Thread(target=lambda: drained.append(recv_exactly(server, 1 << 24)))
    reader.start()
    assert client.send(b"fits once read") > 0
    client.shutdown(api.SHUT_WR)
    reader.join(timeout=10)
    assert drained[0].endswith(b"fits once read")


def test_recv_timeouts_none_zero_positive(api, tcp):
    client, server = tcp
    server.settimeout(None)
    client.sendall(b"a")
    assert server.recv(1) == b"a"                        # blocking, data there
    server.settimeout(0)
    with pytest.raises(BlockingIOError):
        server.recv(1)
    server.settimeout(0.02)
    with pytest.raises(std_socket.timeout):
        server.recv(1)
    client.sendall(b"b")
    assert server.recv(1) == b"b"


def test_accept_nonblocking_and_timeout(api):
    with api.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()
        listener.settimeout(0.02)
        with pytest.raises(std_socket.timeout):
            listener.accept()
        with api.socket() as client:
            client.connect(listener.getsockname())
            listener.settimeout(5)
            server, address = listener.accept()
            with server:
                assert address == client.getsockname()
                # The accepted socket takes the default timeout (None), not the listener's.
                assert server.gettimeout() is None
