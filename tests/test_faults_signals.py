"""Signals during blocking calls (PEP 475): a call interrupted by a signal
whose handler returns is retried and completes; its timeout still ends at the
first deadline; a handler that raises ends the call with its exception and
leaves the socket usable; SIGPIPE never kills the process.

Signals go to the main thread with pthread_kill (the main thread is the one
blocked in the call and the one that runs Python's handlers), many times
while the call is blocked, before what it waits for arrives."""

from __future__ import annotations

import signal
import socket as std_socket
import time

import pytest

from conftest import is_cffi, linux_only, recv_exactly
from faults_support import (FullBacklog, SignalPelter, after, backend_name, hang_guard,
                            loopback_listener, run_backend_code)

pytestmark = linux_only

PELT = 0.25          # seconds of signals before the call can complete


def test_blocking_recv_is_retried(api, unix_pair):
    a, b = unix_pair
    with hang_guard(10), SignalPelter() as pelter:
        helper = after(PELT, lambda: b.sendall(b"after the signals"))
        assert a.recv(100) == b"after the signals"
    helper.join()
    assert pelter.handled >= 3


def test_blocking_recv_into_and_recvfrom_are_retried(api, udp):
    a, b = udp
    buf = bytearray(10)
    with hang_guard(10), SignalPelter() as pelter:
        helper = after(PELT, lambda: b.sendto(b"one", a.getsockname()))
        assert a.recv_into(buf) == 3
        helper.join()
        helper = after(PELT, lambda: b.sendto(b"two", a.getsockname()))
        assert a.recvfrom(10) == (b"two", b.getsockname())
    helper.join()
    assert buf[:3] == b"one" and pelter.handled >= 6


def test_blocking_accept_is_retried(api):
    listener = loopback_listener(api)
    client = api.socket(api.AF_INET, api.SOCK_STREAM)
    try:
        with hang_guard(10), SignalPelter() as pelter:
            helper = after(PELT, lambda: client.connect(listener.getsockname()))
            server, address = listener.accept()
        helper.join()
        with server:
            assert address == client.getsockname()
        assert pelter.handled >= 3
    finally:
        client.close()
        listener.close()


def test_blocking_connect_is_retried(api):
    """connect() to a listener whose queue is full waits for a SYN retransmit
    (about 1 s); signals interrupt it; a retry must wait for the connection
    the kernel still makes (calling connect again would say EALREADY)."""
    backlog = FullBacklog(api)
    client = api.socket(api.AF_INET, api.SOCK_STREAM)
    try:
        with hang_guard(15), SignalPelter() as pelter:
            helper = after(PELT, backlog.drain)
            client.connect(backlog.address)
        helper.join()
        assert client.getpeername() == backlog.address
        assert pelter.handled >= 3
        backlog.listener.settimeout(5)
        server, _ = backlog.listener.accept()
        with server:
            client.sendall(b"connected")
            assert recv_exactly(server, 9) == b"connected"
    finally:
        client.close()
        backlog.close()


def test_blocking_sendall_to_a_full_buffer_is_retried(api, unix_pair):
    """sendall() blocks while the peer does not read; signals interrupt it
    mid-way; every byte arrives, in order, exactly once."""
    a, b = unix_pair
    data = bytes(range(256)) * 16384          # 4 MiB: far more than the buffers
    got = []
    with hang_guard(20), SignalPelter() as pelter:
        helper = after(PELT, lambda: got.append(recv_exactly(b, len(data))))
        a.sendall(data)
        sent_signals = pelter.handled
    helper.join(timeout=20)
    assert got == [data]
    assert sent_signals >= 3


def test_blocking_send_msg_to_a_full_buffer_is_retried(api, unix_pair):
    """send_msg() resumes as sendall() does: frames interrupted mid-way by
    signals arrive whole, in order, once (the header and the payload)."""
    a, b = unix_pair
    payloads = [bytes([i]) * (1 << 20) for i in range(4)]   # far more than the buffers
    got = []
    with hang_guard(20), SignalPelter() as pelter:
        helper = after(PELT, lambda: got.extend(b.recv_msg(1 << 21) for _ in payloads))
        for payload in payloads:
            a.send_msg(payload)
        sent_signals = pelter.handled
    helper.join(timeout=20)
    assert got == payloads
    assert sent_signals >= 3


def test_send_to_a_full_buffer_is_retried(api, unix_pair):
    a, b = unix_pair
    a.setblocking(False)
    while True:                       # fill the buffers
        try:
            a.send(b"x" * 65536)
        except BlockingIOError:
            break
    a.setblocking(True)
    with hang_guard(10), SignalPelter() as pelter:
        helper = after(PELT, lambda: b.recv(1 << 20))
        assert a.send(b"y" * 100) > 0
    helper.join()
    assert pelter.handled >= 3


def test_recv_with_timeout_is_retried(api, unix_pair):
    a, b = unix_pair
    a.settimeout(5)
    with hang_guard(10), SignalPelter() as pelter:
        helper = after(PELT, lambda: b.sendall(b"in time"))
        assert a.recv(100) == b"in time"
    helper.join()
    assert pelter.handled >= 3


@pytest.mark.parametrize("call", ["recv", "recv_into", "recvfrom", "recvmsg", "accept",
                                  "send", "sendall"])
def test_retry_keeps_the_first_deadline(api, unix_pair, call):
    """Signals every 20 ms against a 0.4 s timeout: the call still times out
    about 0.4 s after it started.  A retry that restarted the timeout would
    never time out while signals keep coming (here, until the guard)."""
    a, b = unix_pair
    target = a
    if call == "accept":
        target = loopback_listener(api)
    elif call in ("send", "sendall"):
        a.setblocking(False)
        while True:
            try:
                a.send(b"x" * 65536)
            except BlockingIOError:
                break
    target.settimeout(0.4)
    actions = {
        "recv": lambda: target.recv(10),
        "recv_into": lambda: target.recv_into(bytearray(10)),
        "recvfrom": lambda: target.recvfrom(10),
        "recvmsg": lambda: target.recvmsg(10),
        "accept": lambda: target.accept(),
        "send": lambda: target.send(b"z" * 65536),
        "sendall": lambda: target.sendall(b"z" * 65536),
    }
    try:
        with hang_guard(8), SignalPelter() as pelter:
            started = time.monotonic()
            with pytest.raises(std_socket.timeout):
                actions[call]()
            elapsed = time.monotonic() - started
        assert pelter.handled >= 5
        assert 0.35 <= elapsed < 3.0, elapsed
    finally:
        if target is not a:
            target.close()


class Interrupted(Exception):
    pass


def _raise_interrupted():
    """A handler that raises the first time only: a second signal sent before
    the pelter stopped must not raise again outside the call under test."""
    raised = []

    def handler():
        if not raised:
            raised.append(True)
            raise Interrupted()
    return handler


@pytest.mark.parametrize("timeout", [None, 5.0], ids=["blocking", "timeout"])
def test_a_raising_handler_interrupts_recv_and_the_socket_stays_usable(api, tcp, timeout):
    client, server = tcp
    server.settimeout(timeout)
    pelter = SignalPelter(interval=0.1, handler=_raise_interrupted())
    with hang_guard(10):
        with pytest.raises(Interrupted):
            with pelter:
                server.recv(100)
    assert pelter.handled >= 1
    client.sendall(b"still there")
    assert recv_exactly(server, 11) == b"still there"
    server.sendall(b"both ways")
    assert recv_exactly(client, 9) == b"both ways"


def test_a_raising_handler_interrupts_accept_and_the_listener_stays_usable(api):
    listener = loopback_listener(api)
    try:
        pelter = SignalPelter(interval=0.1, handler=_raise_interrupted())
        with hang_guard(10):
            with pytest.raises(Interrupted):
                with pelter:
                    listener.accept()
        client = api.socket(api.AF_INET, api.SOCK_STREAM)
        with client:
            client.connect(listener.getsockname())
            listener.settimeout(5)
            server, _ = listener.accept()
            server.close()
    finally:
        listener.close()


def test_a_raising_handler_interrupts_sendall(api, unix_pair):
    """sendall() interrupted mid-way raises the handler's exception; what was
    sent before it arrives intact, and the socket goes on working."""
    a, b = unix_pair
    data = b"\x5a" * (8 << 20)
    pelter = SignalPelter(interval=0.1, handler=_raise_interrupted())
    with hang_guard(10):
        with pytest.raises(Interrupted):
            with pelter:
                a.sendall(data)
    b.settimeout(5)
    got = bytearray()

    def drain():
        while not got.endswith(b"!"):
            got.extend(b.recv(1 << 20))

    reader = after(0, drain)
    with hang_guard(10):
        a.sendall(b"!")
    reader.join(timeout=10)
    assert got.endswith(b"!")
    assert 0 < len(got) - 1 < len(data)
    assert got[:-1] == b"\x5a" * (len(got) - 1)


SIGPIPE_CHILD = """
import os, signal, sys, tempfile
if sys.argv[1] == "SIG_DFL":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
a, b = api.socketpair()
b.close()
for name, call in [("send", lambda: a.send(b"x")),
                   ("sendall", lambda: a.sendall(b"x" * 100000)),
                   ("sendmsg", lambda: a.sendmsg([b"x"])),
                   ("makefile", lambda: a.makefile("wb", buffering=0).write(b"x"))]:
    try:
        call()
    except BrokenPipeError:
        print(name, "BrokenPipeError", flush=True)
listener = api.socket(api.AF_INET, api.SOCK_STREAM)
listener.bind(("127.0.0.1", 0)); listener.listen()
c = api.create_connection(listener.getsockname())
s, _ = listener.accept()
s.setsockopt(api.SOL_SOCKET, api.SO_LINGER, b"\\x01\\0\\0\\0\\0\\0\\0\\0")
s.close()
for name, call in [("tcp send", lambda: c.send(b"x")),
                   ("tcp sendto", lambda: c.sendto(b"x", listener.getsockname()))]:
    try:
        call()
        call()
    except (BrokenPipeError, ConnectionResetError):
        print(name, "BrokenPipeError or ConnectionResetError", flush=True)
with tempfile.TemporaryFile() as f:
    f.write(b"y" * 100000); f.flush(); f.seek(0)
    d, e = api.socketpair(); e.close()
    try:
        d.sendfile(f)
    except BrokenPipeError:
        print("sendfile BrokenPipeError", flush=True)
    d.close()
print("alive")
"""

EVERY_WRITE_RAISES = ["send BrokenPipeError", "sendall BrokenPipeError", "sendmsg BrokenPipeError",
                      "makefile BrokenPipeError",
                      "tcp send BrokenPipeError or ConnectionResetError",
                      "tcp sendto BrokenPipeError or ConnectionResetError",
                      "sendfile BrokenPipeError", "alive"]


@pytest.mark.parametrize("disposition", ["SIG_IGN", "SIG_DFL"])
def test_sigpipe_and_writes_to_a_closed_peer(api, disposition):
    """Writing to a closed peer raises BrokenPipeError (ConnectionResetError
    after a reset).  Python ignores SIGPIPE at start-up (SIG_IGN); with the
    default action restored (SIG_DFL, as an embedding program may leave it)
    the cffi backend still never raises SIGPIPE (MSG_NOSIGNAL, and SIGPIPE
    held back around sendfile), while the stdlib's first send() kills the
    process (docs/differences.md, "SIGPIPE")."""
    result = run_backend_code(backend_name(api), SIGPIPE_CHILD + "", timeout=30,
                              args_after=[disposition])
    if disposition == "SIG_DFL" and not is_cffi(api):
        assert result.returncode == -signal.SIGPIPE
        assert result.stdout == ""
        return
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.splitlines() == EVERY_WRITE_RAISES
