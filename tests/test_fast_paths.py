"""pysock's fast paths (issue 5), on both backends: exact reads, framed
messages, non-raising non-blocking receives, batched datagrams, splice.

The cffi backend runs them as C loops (csrc/loops.c), the stdlib backend in
Python; every test here holds both to the same results.
"""

from __future__ import annotations

import array
import errno
import os
import pickle
import signal
import socket as std_socket
import struct
import sys
import threading
import time
from typing import Any, Iterator, List, Tuple

import pytest

from conftest import is_cffi, linux_only, requires_ipv6

MiB = 1 << 20


def sender(sock: Any, chunks: List[bytes], pause: float = 0.0, then_close: bool = False,
           shut: bool = False) -> threading.Thread:
    """A thread that sends the chunks one by one (pausing between them)."""
    def run() -> None:
        for chunk in chunks:
            sock.sendall(chunk)
            if pause:
                time.sleep(pause)
        if shut:
            sock.shutdown(std_socket.SHUT_WR)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


@pytest.fixture(params=["unix", "tcp"])
def stream(request: Any, api: Any, unix_pair: Any, tcp: Any) -> Tuple[Any, Any]:
    """(writer, reader) of a connected stream: a UNIX socketpair or loopback TCP."""
    return unix_pair if request.param == "unix" else tcp


# ---- recv_exactly / recv_into_exactly ---------------------------------------------


def test_recv_exactly_gathers_many_small_sends(api, stream):
    writer, reader = stream
    data = bytes(range(256)) * 4
    thread = sender(writer, [data[i:i + 7] for i in range(0, len(data), 7)], pause=0.0005)
    assert reader.recv_exactly(len(data)) == data
    thread.join()


def test_recv_exactly_leaves_what_follows(api, unix_pair):
    a, b = unix_pair
    a.sendall(b"0123456789")
    assert b.recv_exactly(4) == b"0123"
    assert b.recv_exactly(0) == b""
    assert b.recv(100) == b"456789"


def test_recv_exactly_large_read_in_timeout_mode(api, stream):
    writer, reader = stream
    reader.settimeout(30)
    data = os.urandom(3 * MiB + 5)
    thread = sender(writer, [data[i:i + 100_000] for i in range(0, len(data), 100_000)])
    assert reader.recv_exactly(len(data)) == data
    thread.join()


def test_recv_exactly_early_eof_gives_the_partial_data(api, unix_pair):
    a, b = unix_pair
    a.sendall(b"abc")
    a.shutdown(api.SHUT_WR)
    with pytest.raises(api.IncompleteReadError) as info:
        b.recv_exactly(10)
    assert isinstance(info.value, EOFError)
    assert (info.value.partial, info.value.expected) == (b"abc", 10)
    assert b.recv(10) == b""


def test_incomplete_read_error_is_one_class_and_pickles(api):
    from pysock import backends
    from pysock.backends.extras import IncompleteReadError
    # One class in pysock.backends.extras, whichever backends this install has.
    assert api.IncompleteReadError is IncompleteReadError
    assert backends.load("stdlib").IncompleteReadError is IncompleteReadError
    err = pickle.loads(pickle.dumps(api.IncompleteReadError(b"ab", 5)))
    assert (err.partial, err.expected) == (b"ab", 5)
    assert str(err) == "2 bytes read on a total of 5 expected bytes"


def test_recv_into_exactly_fills_the_buffer(api, stream):
    writer, reader = stream
    thread = sender(writer, [b"ab", b"cdef", b"gh", b"tail"], pause=0.001)
    buf = bytearray(8)
    assert reader.recv_into_exactly(buf) == 8
    assert buf == b"abcdefgh"
    small = array.array("b", bytes(4))
    assert reader.recv_into_exactly(memoryview(small), 3) == 3
    assert small.tobytes() == b"tai\0"
    thread.join()


def test_recv_into_exactly_early_eof(api, unix_pair):
    a, b = unix_pair
    a.sendall(b"xyz")
    a.close()
    buf = bytearray(6)
    with pytest.raises(api.IncompleteReadError) as info:
        b.recv_into_exactly(buf)
    assert (info.value.partial, info.value.expected) == (b"xyz", 6)
    assert buf == b"xyz\0\0\0"


def test_recv_exactly_timeout_bounds_the_whole_call(api, unix_pair):
    a, b = unix_pair
    b.settimeout(0.3)
    # A byte every 50 ms would never let a per-recv timeout expire.
    stop = threading.Event()

    def trickle() -> None:
        while not stop.is_set():
            try:
                a.send(b".")
            except OSError:
                return
            time.sleep(0.05)
    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    start = time.monotonic()
    with pytest.raises(std_socket.timeout):
        b.recv_exactly(10_000)
    elapsed = time.monotonic() - start
    stop.set()
    thread.join()
    assert 0.25 <= elapsed < 3.0


def test_recv_exactly_nonblocking_without_data(api, unix_pair):
    a, b = unix_pair
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recv_exactly(4)
    a.sendall(b"full")
    assert b.recv_exactly(4) == b"full"


class Interrupted(Exception):
    pass


@linux_only
def test_signal_handler_that_raises_interrupts_recv_exactly(api, unix_pair):
    a, b = unix_pair
    a.sendall(b"abc")   # part of what is asked: the call is inside its loop

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted()
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        start = time.monotonic()
        with pytest.raises(Interrupted):
            b.recv_exactly(10)
        assert time.monotonic() - start < 5
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@linux_only
@pytest.mark.parametrize("timeout", [None, 10.0])
def test_recv_exactly_resumes_after_a_signal(api, unix_pair, timeout):
    """PEP 475: a handler that returns lets the call go on where it was."""
    a, b = unix_pair
    b.settimeout(timeout)
    ran = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: ran.append(signum))
    a.sendall(b"abc")
    thread = sender(a, [b"defg"], pause=0)
    thread.join()
    thread = threading.Thread(target=lambda: (time.sleep(0.3), a.sendall(b"hij")), daemon=True)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        thread.start()
        assert b.recv_exactly(10) == b"abcdefghij"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        thread.join()
    assert ran == [signal.SIGALRM]


# ---- send_msg / recv_msg ------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 65536, MiB])
def test_frames_round_trip(api, stream, size):
    writer, reader = stream
    payload = os.urandom(size)
    thread = threading.Thread(target=writer.send_msg, args=(payload,), daemon=True)
    thread.start()
    assert reader.recv_msg() == payload
    thread.join()


def test_frame_wire_format(api, unix_pair):
    a, b = unix_pair
    a.send_msg(bytearray(b"hello"))
    assert b.recv_exactly(9) == frame(b"hello")
    a.sendall(frame(b"") + frame(b"world") + frame(b"!" * 70_000))
    assert b.recv_msg() == b""
    assert b.recv_msg() == b"world"
    assert b.recv_msg() == b"!" * 70_000


def test_send_msg_takes_any_bytes_like(api, unix_pair):
    a, b = unix_pair
    a.send_msg(memoryview(b"xxabcxx")[2:5])
    a.send_msg(array.array("i", [1, 2]))
    assert b.recv_msg() == b"abc"
    assert b.recv_msg() == array.array("i", [1, 2]).tobytes()


def test_many_frames_in_a_row(api, stream):
    writer, reader = stream
    payloads = [os.urandom(n) for n in (1, 1000, 64 * 1024, 3, 200_000, 0, 17)]
    thread = threading.Thread(target=lambda: [writer.send_msg(p) for p in payloads], daemon=True)
    thread.start()
    assert [reader.recv_msg() for _ in payloads] == payloads
    thread.join()


def test_oversize_frame_is_emsgsize(api, unix_pair):
    a, b = unix_pair
    a.send_msg(b"x" * 100)
    with pytest.raises(OSError) as info:
        b.recv_msg(max_size=99)
    assert info.value.errno == errno.EMSGSIZE
    assert type(info.value) is OSError


def test_frame_at_the_limit_is_taken(api, unix_pair):
    a, b = unix_pair
    a.send_msg(b"x" * 100)
    assert b.recv_msg(100) == b"x" * 100


def test_eof_at_a_frame_boundary_is_empty(api, unix_pair):
    a, b = unix_pair
    a.send_msg(b"last")
    a.shutdown(api.SHUT_WR)
    assert b.recv_msg() == b"last"
    assert b.recv_msg() == b""
    assert b.recv_msg() == b""


@pytest.mark.parametrize("sent,partial,expected", [
    (b"\0\0", b"\0\0", 4),                          # inside the header
    (frame(b"abcdefghij")[:7], b"abc", 10),          # inside the payload
])
def test_eof_inside_a_frame(api, unix_pair, sent, partial, expected):
    a, b = unix_pair
    a.sendall(sent)
    a.shutdown(api.SHUT_WR)
    with pytest.raises(api.IncompleteReadError) as info:
        b.recv_msg()
    assert (info.value.partial, info.value.expected) == (partial, expected)


def test_eof_inside_a_large_frame(api, unix_pair):
    a, b = unix_pair
    thread = sender(a, [frame(b"z" * 300_000)[:150_004]], shut=True)
    with pytest.raises(api.IncompleteReadError) as info:
        b.recv_msg()
    assert (info.value.partial, info.value.expected) == (b"z" * 150_000, 300_000)
    thread.join()


def test_a_large_announced_frame_then_eof(api, unix_pair):
    """Found by the framing fuzzer: the announced length is the peer's word,
    so EOF must come back as IncompleteReadError at once, on both backends,
    not after allocating (and zeroing) that length."""
    a, b = unix_pair
    b.settimeout(5)
    a.sendall(b"J\t@\xa9" + b"abc")    # 1.2 GB announced, 3 bytes sent
    a.shutdown(api.SHUT_WR)
    with pytest.raises(api.IncompleteReadError) as info:
        b.recv_msg(2**31 - 1)
    assert (info.value.partial, info.value.expected) == (b"abc", 0x4A0940A9)


def test_recv_msg_max_size_beyond_ssize_t(api, unix_pair):
    a, _ = unix_pair
    with pytest.raises(OverflowError):
        a.recv_msg(2**63)


def test_recv_msg_timeout(api, unix_pair):
    a, b = unix_pair
    b.settimeout(0.2)
    a.sendall(frame(b"12345")[:6])
    with pytest.raises(std_socket.timeout):
        b.recv_msg()


# ---- try_recv / try_recv_into ------------------------------------------------------


@pytest.mark.parametrize("timeout", [None, 0.0, 5.0])
def test_try_recv_on_an_empty_socket_is_none(api, unix_pair, timeout):
    a, b = unix_pair
    b.settimeout(timeout)
    start = time.monotonic()
    assert b.try_recv(10) is None
    assert b.try_recv_into(bytearray(10)) is None
    assert time.monotonic() - start < 2.0   # never waits for the timeout
    assert b.gettimeout() == timeout


@pytest.mark.parametrize("timeout", [None, 0.0, 5.0])
def test_try_recv_with_data_and_at_eof(api, unix_pair, timeout):
    a, b = unix_pair
    b.settimeout(timeout)
    a.sendall(b"hello world")
    assert b.try_recv(5) == b"hello"
    buf = bytearray(20)
    assert b.try_recv_into(buf, 3) == 3
    assert buf[:3] == b" wo"
    assert b.try_recv(100) == b"rld"
    a.close()
    assert b.try_recv(100) == b""
    assert b.try_recv_into(buf) == 0


def test_try_recv_raises_other_errors(api):
    a = api.socket(api.AF_INET, api.SOCK_DGRAM)
    probe = api.socket(api.AF_INET, api.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    try:
        a.connect(("127.0.0.1", port))
        a.send(b"nobody listens")
        deadline = time.monotonic() + 5
        with pytest.raises(ConnectionRefusedError):
            while time.monotonic() < deadline:   # the ICMP error comes back asynchronously
                assert a.try_recv(10) is None
                time.sleep(0.01)
    finally:
        a.close()
    with pytest.raises(OSError) as info:
        a.try_recv(10)
    assert info.value.errno == errno.EBADF


def test_try_recv_datagram_truncation_flag(api):
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    with a, b:
        a.send(b"0123456789")
        data = b.try_recv(4, api.MSG_TRUNC)   # as recv(MSG_TRUNC): the full size
        assert (len(data), data[:4]) == (10, b"0123")
        assert b.try_recv(4) is None


# ---- sendmmsg / recvmmsg_into ---------------------------------------------------------


def dgram_pair(api: Any, family: int, tmp: str) -> Tuple[Any, Any]:
    a = api.socket(family, api.SOCK_DGRAM)
    b = api.socket(family, api.SOCK_DGRAM)
    if family == api.AF_UNIX:
        a.bind(os.path.join(tmp, "a"))
        b.bind(os.path.join(tmp, "b"))
    else:
        host = "::1" if family == api.AF_INET6 else "127.0.0.1"
        a.bind((host, 0))
        b.bind((host, 0))
    return a, b


FAMILIES = [pytest.param("AF_INET", id="ipv4"),
            pytest.param("AF_INET6", id="ipv6", marks=requires_ipv6),
            pytest.param("AF_UNIX", id="unix")]


@pytest.fixture(params=FAMILIES)
def datagrams(request: Any, api: Any, tmp_sock_dir: str) -> Iterator[Tuple[Any, Any]]:
    a, b = dgram_pair(api, getattr(api, request.param), tmp_sock_dir)
    b.settimeout(10)
    yield a, b
    a.close()
    b.close()


def test_sendmmsg_unconnected_then_recvmmsg(api, datagrams):
    a, b = datagrams
    payloads = [b"a", b"", b"ccc" * 100, bytearray(b"dddd"), memoryview(b"e" * 1200)]
    assert a.sendmmsg(payloads, b.getsockname()) == len(payloads)
    buffers = [bytearray(2000) for _ in range(8)]
    got: List[Tuple[int, Any]] = []
    while len(got) < len(payloads):
        got += b.recvmmsg_into(buffers[len(got):])
    assert [n for n, _ in got] == [len(p) for p in payloads]
    assert [bytes(buffers[i][:n]) for i, (n, _) in enumerate(got)] == [bytes(p) for p in payloads]
    assert {address for _, address in got} == {a.getsockname()}


def test_connected_datagrams(api, datagrams):
    a, b = datagrams
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    assert a.sendmmsg([b"one", b"two"]) == 2
    buffers = [bytearray(10), bytearray(10)]
    got = b.recvmmsg_into(buffers)
    if len(got) == 1:
        got += b.recvmmsg_into(buffers[1:])
    assert [n for n, _ in got] == [3, 3]
    assert buffers == [bytearray(b"one" + bytes(7)), bytearray(b"two" + bytes(7))]
    # The address is what recvfrom would give.
    a.send(b"x")
    expected = b.recvfrom(1)[1]
    assert got[0][1] == expected


def test_recvmmsg_of_an_unnamed_unix_socketpair(api):
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    with a, b:
        a.send(b"ref")
        reference = b.recvfrom(10)[1]
        a.sendmmsg([b"1", b"22"])
        buffers = [bytearray(4) for _ in range(4)]
        got = b.recvmmsg_into(buffers)
        assert got == [(1, reference), (2, reference)]


def test_recvmmsg_takes_only_what_is_there(api, udp):
    a, b = udp
    a.sendmmsg([b"1", b"2", b"3"], b.getsockname())
    time.sleep(0.05)
    got = b.recvmmsg_into([bytearray(4) for _ in range(10)])
    assert [n for n, _ in got] == [1, 1, 1]


def test_recvmmsg_truncates_long_datagrams(api, udp):
    a, b = udp
    a.sendto(b"0123456789", b.getsockname())
    a.sendto(b"abcdefghij", b.getsockname())
    time.sleep(0.05)
    small = [bytearray(4), bytearray(4)]
    got = b.recvmmsg_into(small)
    assert [n for n, _ in got] == [4] * len(got)
    assert small[0] == b"0123"
    if len(got) == 1:
        got = b.recvmmsg_into(small[1:])
    assert small[1] == b"abcd"
    # With MSG_TRUNC, nbytes is the datagram's full length, as recvfrom_into.
    a.sendto(b"0123456789", b.getsockname())
    time.sleep(0.05)
    assert [n for n, _ in b.recvmmsg_into([bytearray(4)], api.MSG_TRUNC)] == [10]


def test_recvmmsg_fills_at_most_64(api, udp):
    a, b = udp
    assert a.sendmmsg([bytes([i % 256]) for i in range(100)], b.getsockname()) == 100
    time.sleep(0.05)
    buffers = [bytearray(1) for _ in range(100)]
    got = b.recvmmsg_into(buffers)
    assert 1 <= len(got) <= 64
    assert [bytes(buf) for buf in buffers[:len(got)]] == [bytes([i]) for i in range(len(got))]
    rest: List[Any] = []
    while len(got) + len(rest) < 100:
        rest += b.recvmmsg_into(buffers)
    assert len(got) + len(rest) == 100


def test_recvmmsg_waits_and_times_out(api, udp):
    a, b = udp
    b.settimeout(0.2)
    with pytest.raises(std_socket.timeout):
        b.recvmmsg_into([bytearray(4)])
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recvmmsg_into([bytearray(4)])
    b.setblocking(True)
    timer = threading.Timer(0.1, lambda: a.sendto(b"late", b.getsockname()))
    timer.start()
    assert b.recvmmsg_into([bytearray(4), bytearray(4)]) == [(4, a.getsockname())]
    timer.join()


def test_sendmmsg_reports_a_partial_batch(api):
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    with a, b:
        a.setblocking(False)
        first = a.sendmmsg([b"x" * 1024] * 5000)
        assert 0 < first < 5000       # the receive queue filled up
        with pytest.raises(BlockingIOError):
            a.sendmmsg([b"x" * 1024] * 10)


def test_sendmmsg_with_nothing(api, udp):
    a, b = udp
    assert a.sendmmsg([]) == 0
    assert a.sendmmsg(iter([]), b.getsockname()) == 0
    assert b.recvmmsg_into([]) == []


def test_sendmmsg_errors_with_none_sent(api, udp):
    a, _ = udp
    with pytest.raises(OSError) as info:
        a.sendmmsg([b"no address"])
    assert info.value.errno == errno.EDESTADDRREQ


@pytest.mark.parametrize("call", [
    lambda s: s.sendmmsg(5),
    lambda s: s.sendmmsg(["text"], ("127.0.0.1", 9)),
    lambda s: s.sendmmsg([b"ok", 3], ("127.0.0.1", 9)),
    lambda s: s.sendmmsg([b"x"], "not an address"),
    lambda s: s.recvmmsg_into(5),
    lambda s: s.recvmmsg_into([b"read-only"]),
    lambda s: s.recvmmsg_into([bytearray(1)], "flags"),
])
def test_batch_bad_input_is_typeerror(api, udp, call):
    a, _ = udp
    with pytest.raises(TypeError):
        call(a)


# ---- splice ------------------------------------------------------------------------------


needs_splice = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                  reason="splice(2) is Linux only")


def skip_without_os_splice(api: Any) -> None:
    """The stdlib backend's splice is os.splice (Python 3.10+); before, it
    raises ENOSYS (docs/differences.md, tests/test_differences.py)."""
    if not is_cffi(api) and not hasattr(os, "splice"):
        pytest.skip("no os.splice on this Python")


@needs_splice
def test_splice_socket_to_pipe_to_socket(api):
    skip_without_os_splice(api)
    a, b = api.socketpair()
    c, d = api.socketpair()
    r, w = os.pipe()
    try:
        data = os.urandom(50_000)
        thread = sender(a, [data], shut=True)
        moved = 0
        while True:
            n = api.splice(b, w, 16384)
            if n == 0:
                break
            assert api.splice(r, c.fileno(), n) == n
            moved += n
        thread.join()
        assert moved == len(data)
        c.shutdown(api.SHUT_WR)
        d.settimeout(10)
        assert d.recv_exactly(len(data)) == data
    finally:
        for sock in (a, b, c, d):
            sock.close()
        os.close(r)
        os.close(w)


@needs_splice
def test_splice_needs_a_pipe(api):
    skip_without_os_splice(api)
    a, b = api.socketpair()
    with a, b:
        a.sendall(b"x")
        with pytest.raises(OSError) as info:
            api.splice(b, a, 1)
        assert info.value.errno == errno.EINVAL


@pytest.mark.parametrize("args,exc", [
    (("x", 1, 1), TypeError),
    ((0, 1, -1), ValueError),
    ((0, 1, "x"), TypeError),
    ((0, 1, 1, -1), ValueError),
    ((0, 1, 1, 2**32), OverflowError),
    ((2**40, 1, 1), OverflowError),
])
def test_splice_bad_input(api, args, exc):
    with pytest.raises(exc):
        api.splice(*args)


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("call,exc", [
    (lambda s: s.recv_exactly(-1), ValueError),
    (lambda s: s.recv_exactly("4"), TypeError),
    (lambda s: s.recv_exactly(4.0), TypeError),
    (lambda s: s.recv_exactly(4, "flags"), TypeError),
    (lambda s: s.recv_exactly(4, 2**40), OverflowError),
    (lambda s: s.recv_into_exactly(b"read-only"), TypeError),
    (lambda s: s.recv_into_exactly(bytearray(4), 5), ValueError),
    (lambda s: s.recv_into_exactly(bytearray(4), -1), ValueError),
    (lambda s: s.recv_msg(-1), ValueError),
    (lambda s: s.recv_msg("big"), TypeError),
    (lambda s: s.send_msg("text"), TypeError),
    (lambda s: s.send_msg(None), TypeError),
    (lambda s: s.try_recv(-1), ValueError),
    (lambda s: s.try_recv(None), TypeError),
    (lambda s: s.try_recv_into(bytearray(2), 3), ValueError),
    (lambda s: s.try_recv_into(b"ro"), TypeError),
])
def test_bad_input_raises_like_the_stdlib(api, unix_pair, call, exc):
    a, _ = unix_pair
    with pytest.raises(exc):
        call(a)


def test_closed_socket_is_ebadf(api):
    a, b = api.socketpair()
    a.close()
    b.close()
    for call in (lambda: a.recv_exactly(1), lambda: a.recv_msg(), lambda: a.send_msg(b"x"),
                 lambda: a.sendmmsg([b"x"]), lambda: a.recvmmsg_into([bytearray(1)]),
                 lambda: a.recv_into_exactly(bytearray(1))):
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.EBADF
