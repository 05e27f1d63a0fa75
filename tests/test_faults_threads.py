"""Threads: close() while another thread is blocked on the socket, descriptor
numbers never reused under a call in flight (cffi), many threads sending on
one socket, and the GIL released during every blocking wait."""

from __future__ import annotations

import errno
import hashlib
import struct
import threading
import time

import pytest

from conftest import is_cffi, linux_only, recv_exactly
from faults_support import FullBacklog, hang_guard, loopback_listener

pytestmark = linux_only


class Blocked:
    """Runs `call` in a thread; records its result or error and when it ended."""

    def __init__(self, call):
        self.call = call
        self.result = None
        self.error = None
        self.started = threading.Event()
        self.ended_at = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.started.wait(5)

    def _run(self):
        self.started.set()
        try:
            self.result = self.call()
        except Exception as exc:  # noqa: BLE001 - recorded for the test to judge
            self.error = exc
        self.ended_at = time.monotonic()

    def join(self, timeout):
        self.thread.join(timeout)
        return not self.thread.is_alive()


def _blocked_target(api, kind):
    """(socket to close, the blocking call on it, how to wake it otherwise,
    what else to close): a call that blocks until something arrives."""
    if kind == "recv":
        a, b = api.socketpair()
        return a, lambda: a.recv(100), b.close, [b]
    if kind == "recvfrom":
        s = api.socket(api.AF_INET, api.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        other = api.socket(api.AF_INET, api.SOCK_DGRAM)
        address = s.getsockname()
        return s, lambda: s.recvfrom(100), lambda: other.sendto(b"late", address), [other]
    listener = loopback_listener(api)
    address = listener.getsockname()
    late = api.socket(api.AF_INET, api.SOCK_STREAM)
    return listener, listener.accept, lambda: late.connect(address), [late]


@pytest.mark.parametrize("kind", ["recv", "recvfrom", "accept"])
def test_close_while_another_thread_is_blocked(api, kind):
    """cffi: the blocked call returns at once with OSError(EBADF).  stdlib: it
    stays blocked (CPython closes the descriptor under it) until something
    arrives for the old socket: recv then sees the peer's EOF, recvfrom the
    datagram, accept a new connection, all on a socket already closed
    (docs/differences.md, close() while another thread is blocked)."""
    sock, call, wake, others = _blocked_target(api, kind)
    blocked = Blocked(call)
    try:
        time.sleep(0.1)                       # let it block
        closed_at = time.monotonic()
        sock.close()
        if is_cffi(api):
            assert blocked.join(5)
            assert blocked.ended_at - closed_at < 2
            assert isinstance(blocked.error, OSError)
            assert blocked.error.errno == errno.EBADF
            assert blocked.result is None
        else:
            assert not blocked.join(0.3)      # still blocked after close()
            wake()
            assert blocked.join(5)
            assert blocked.error is None
            if kind == "recv":
                assert blocked.result == b""
            elif kind == "recvfrom":
                assert blocked.result[0] == b"late"
            else:
                blocked.result[0].close()     # a connection from a closed listener
    finally:
        if blocked.thread.is_alive():
            wake()
            blocked.join(5)
        for other in others:
            other.close()


def test_descriptor_number_not_reused_under_a_blocked_call(api):
    """The number of a socket closed while a call is blocked on it.

    stdlib: the number is free at once: the next socket() takes it while the
    old recv() is still blocked on the old socket (then wakes on the old
    socket's EOF; the new socket is another one under the same number).

    cffi: another thread opens sockets as fast as it can across the close;
    none opened after close() took the descriptor and while a call was still
    in flight (its count read after the socket() returned) got the old
    number."""
    if not is_cffi(api):
        a, b = api.socketpair()
        number = a.fileno()
        blocked = Blocked(lambda: a.recv(100))
        time.sleep(0.1)
        a.close()
        fresh = api.socket(api.AF_INET, api.SOCK_DGRAM)
        try:
            assert fresh.fileno() == number
            assert not blocked.join(0.2)      # the old call is still inside
            b.close()
            assert blocked.join(5)
            assert blocked.result == b""
        finally:
            fresh.close()
            b.close()
        return

    from pysock.backends.cffi.native import lib
    # The danger window runs from close() taking the descriptor out of the
    # handle to the last blocked call leaving; it is microseconds wide, so
    # rounds repeat (three readers each, which widens it) until sockets were
    # opened inside it, 20 rounds at least, 600 at most (about 3 s).
    opened_in_window = rounds = 0
    while rounds < 20 or (opened_in_window == 0 and rounds < 600):
        rounds += 1
        a, b = api.socketpair()
        number, handle = a.fileno(), a._h
        readers = [Blocked(lambda: a.recv(100)) for _ in range(3)]
        while lib.ps_sock_in_flight(handle) < len(readers):
            time.sleep(0.0005)
        stop = threading.Event()
        reused = []
        opened = [0]

        def opener():
            while not stop.is_set():
                taken = handle.fd < 0                  # close() has begun
                fresh = api.socket(api.AF_INET, api.SOCK_DGRAM)
                if taken and lib.ps_sock_in_flight(handle) > 0:
                    opened[0] += 1                     # made inside the window
                    if fresh.fileno() == number:
                        reused.append(number)
                fresh.close()

        thread = threading.Thread(target=opener)
        thread.start()
        time.sleep(0.002)
        a.close()
        assert all(reader.join(5) for reader in readers)
        stop.set()
        thread.join(5)
        b.close()
        assert all(reader.error.errno == errno.EBADF for reader in readers)
        assert reused == []
        opened_in_window += opened[0]
    assert opened_in_window > 0, f"the window was never entered in {rounds} rounds"


def _message(thread: int, seq: int) -> bytes:
    body = bytes([thread]) * (1 + (seq * 997 + thread * 131) % 30000)
    head = struct.pack("!HHI", thread, seq, len(body))
    return head + hashlib.sha256(head + body).digest() + body


def _check(message: bytes):
    thread, seq, size = struct.unpack("!HHI", message[:8])
    digest, body = message[8:40], message[40:]
    assert len(body) == size and hashlib.sha256(message[:8] + body).digest() == digest
    return thread, seq


THREADS, MESSAGES = 8, 60


@pytest.mark.parametrize("kind", ["SOCK_SEQPACKET", "SOCK_DGRAM"])
def test_many_threads_send_whole_messages_on_one_socket(api, kind):
    """8 threads send 60 messages each (up to 30 kB) on one message-preserving
    socket: each message arrives once, intact, and each thread's in order."""
    a, b = api.socketpair(api.AF_UNIX, getattr(api, kind))
    b.settimeout(10)
    errors = []

    def sender(thread):
        try:
            for seq in range(MESSAGES):
                message = _message(thread, seq)
                if kind == "SOCK_SEQPACKET":
                    a.sendall(message)
                else:
                    assert a.send(message) == len(message)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    seen = {t: [] for t in range(THREADS)}
    try:
        for _ in range(THREADS * MESSAGES):
            thread, seq = _check(b.recv(65536))
            seen[thread].append(seq)
    finally:
        for thread in threads:
            thread.join(10)
        a.close()
        b.close()
    assert errors == []
    assert all(seqs == list(range(MESSAGES)) for seqs in seen.values())


def test_many_threads_sendall_on_one_stream(api, tcp):
    """4 threads sendall 1 MiB each on one TCP socket: every byte arrives (a
    stream may interleave the threads' pieces; the count per byte value and
    the total say nothing was lost or duplicated)."""
    client, server = tcp
    server.settimeout(10)
    size = 1 << 20
    threads = [threading.Thread(target=client.sendall, args=(bytes([t + 1]) * size,))
               for t in range(4)]
    for thread in threads:
        thread.start()
    got = recv_exactly(server, 4 * size)
    for thread in threads:
        thread.join(10)
    assert len(got) == 4 * size
    assert [got.count(bytes([t + 1])) for t in range(4)] == [size] * 4


def _kernel_timeout(sock, api, option, seconds):
    """SO_RCVTIMEO/SO_SNDTIMEO: bounds a blocking call inside the kernel, so a
    call that wrongly held the GIL still ends and the test fails, not hangs."""
    sock.setsockopt(api.SOL_SOCKET, option, struct.pack("@ll", seconds, 0))


@pytest.mark.parametrize("kind", ["recv", "accept", "connect", "recv with timeout", "poll"])
def test_the_gil_is_released_during_a_blocking_call(api, kind):
    """While one thread waits in a blocking call, this one runs Python code:
    it counts for 0.2 s and finishes while the other is still inside."""
    closers = []
    if kind in ("recv", "recv with timeout", "poll"):
        a, b = api.socketpair()
        closers += [a, b]
        if kind == "recv":
            _kernel_timeout(a, api, api.SO_RCVTIMEO, 5)
            call = lambda: a.recv(10)               # noqa: E731
        elif kind == "recv with timeout":
            a.settimeout(5)
            call = lambda: a.recv(10)               # noqa: E731
        else:
            import select
            poller = select.poll()
            poller.register(a, select.POLLIN)
            call = lambda: poller.poll(5000)        # noqa: E731
        unblock = lambda: b.send(b"x")              # noqa: E731
    elif kind == "accept":
        listener = loopback_listener(api)
        late = api.socket(api.AF_INET, api.SOCK_STREAM)
        closers += [listener, late]
        _kernel_timeout(listener, api, api.SO_RCVTIMEO, 5)

        def call():
            conn, _ = listener.accept()
            conn.close()
        unblock = lambda: late.connect(listener.getsockname())  # noqa: E731
    else:
        backlog = FullBacklog(api)
        client = api.socket(api.AF_INET, api.SOCK_STREAM)
        closers += [client, backlog]
        _kernel_timeout(client, api, api.SO_SNDTIMEO, 5)
        call = lambda: client.connect(backlog.address)  # noqa: E731
        unblock = backlog.drain
    try:
        with hang_guard(15):
            blocked = Blocked(call)
            time.sleep(0.1)
            counted, until = 0, time.monotonic() + 0.2
            while time.monotonic() < until:
                counted += 1
            still_inside = blocked.thread.is_alive()
            unblock()
            assert blocked.join(10)
        assert still_inside
        assert counted > 1000
        assert blocked.error is None, blocked.error
    finally:
        for closer in closers:
            closer.close()
