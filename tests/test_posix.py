"""pysock.posix: C's calling conventions (ints, -1 and errno), C's structs.

pysock.posix runs on the compiled shims only (it is the C-shaped layer, not a
socket-module backend), so these tests do not go through the api fixture."""

from __future__ import annotations

import errno
import signal
import sys
import threading

import pytest

try:
    import pysock.backends.cffi  # noqa: F401
except ImportError:  # the pure-Python wheel: PYSOCK_BACKEND=cffi runs never get here
    pytest.skip("pysock.posix needs the compiled extension", allow_module_level=True)

from pysock import posix
from pysock.posix import (AF_INET, AF_INET6, AF_UNIX, F_GETFL, F_SETFL, INADDR_ANY,
                          INADDR_LOOPBACK, O_NONBLOCK, POLLIN, SO_REUSEADDR, SOCK_DGRAM,
                          SOCK_STREAM, SOL_SOCKET)


@pytest.fixture
def fds():
    """Descriptors to close after the test, whatever happens."""
    opened = []
    yield opened
    for fd in opened:
        posix.close(fd)


def listener(fds):
    fd = posix.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(fd)
    assert posix.bind(fd, posix.sockaddr_in(port=0, addr=INADDR_LOOPBACK)) == 0
    assert posix.listen(fd, 3) == 0
    bound = posix.sockaddr_in()
    assert posix.getsockname(fd, bound) == 0
    return fd, bound


def connected(fds):
    server_fd, bound = listener(fds)
    client = posix.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(client)
    assert posix.connect(client, bound) == 0
    peer, length = posix.sockaddr_in(), posix.socklen_t(posix.sizeof(posix.sockaddr_in))
    accepted = posix.accept(server_fd, peer, length)
    fds.append(accepted)
    assert accepted >= 0 and length.value == 16
    assert peer.family == AF_INET and peer.address == "127.0.0.1"
    return client, accepted


def test_a_conversation_returns_what_c_returns(fds):
    client, server = connected(fds)
    assert posix.send(client, b"hello", 5, 0) == 5
    buffer = bytearray(1024)
    assert posix.read(server, buffer, 1024) == 5
    assert posix.cstr(buffer) == "hello"
    assert posix.write(server, b"bye", 3) == 3
    assert posix.recv(client, buffer, 1024, 0) == 3
    assert posix.shutdown(client, posix.SHUT_WR) == 0
    assert posix.recv(server, buffer, 1024, 0) == 0  # EOF


def test_failure_is_minus_one_and_errno(fds):
    assert posix.close(987654) == -1
    assert posix.errno() == errno.EBADF
    assert posix.strerror() == "Bad file descriptor"
    client, server = connected(fds)
    assert posix.send(client, b"x", 1, 0) == 1   # success leaves errno alone, as in C
    assert posix.errno() == errno.EBADF
    assert posix.fcntl(server, F_SETFL, posix.fcntl(server, F_GETFL) | O_NONBLOCK) == 0
    buffer = bytearray(8)
    assert posix.recv(server, buffer, 8, 0) == 1
    assert posix.recv(server, buffer, 8, 0) == -1
    assert posix.errno() == errno.EAGAIN


def test_errors_c_programs_meet(fds):
    _, bound = listener(fds)
    other = posix.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(other)
    assert posix.bind(other, bound) == -1 and posix.errno() == errno.EADDRINUSE
    fd = posix.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(fd)
    free = posix.sockaddr_in(port=0, addr="127.0.0.1")
    probe = posix.socket(AF_INET, SOCK_STREAM, 0)
    posix.bind(probe, free)
    posix.getsockname(probe, free)
    posix.close(probe)
    assert posix.connect(fd, free) == -1 and posix.errno() == errno.ECONNREFUSED
    assert posix.socket(12345, SOCK_STREAM, 0) == -1
    assert posix.errno() == errno.EAFNOSUPPORT


def test_perror_prints_like_c(capsys):
    assert posix.close(-1) == -1
    posix.perror("close")
    assert capsys.readouterr().err == "close: Bad file descriptor\n"


def test_errno_is_per_thread():
    assert posix.close(-1) == -1
    seen = []
    thread = threading.Thread(target=lambda: seen.append(posix.errno()))
    thread.start()
    thread.join()
    assert seen == [0] and posix.errno() == errno.EBADF


def test_raising_mode_raises_the_socket_module_classes(fds):
    raising = posix.raising
    with pytest.raises(OSError) as info:
        raising.close(-1)
    assert info.value.errno == errno.EBADF
    _, bound = listener(fds)
    free = posix.sockaddr_in(port=0, addr="127.0.0.1")
    probe = raising.socket(AF_INET, SOCK_STREAM, 0)
    raising.bind(probe, free)
    raising.getsockname(probe, free)
    raising.close(probe)
    fd = raising.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(fd)
    with pytest.raises(ConnectionRefusedError):
        raising.connect(fd, free)
    assert raising.connect is not posix.connect
    assert raising.sockaddr_in is posix.sockaddr_in and raising.AF_INET == AF_INET
    assert set(posix.__all__) <= set(dir(raising))


def test_sockaddr_in_is_the_c_struct():
    address = posix.sockaddr_in(port=12345, addr=INADDR_ANY)
    assert posix.sizeof(address) == 16
    assert address.sin_family == AF_INET
    assert address.sin_port == posix.htons(12345)      # network byte order, as in C
    raw = bytes(address)
    assert raw[2:4] == (12345).to_bytes(2, "big")
    assert raw[4:8] == bytes(4)
    assert address.port == 12345 and address.address == "0.0.0.0"
    loopback = posix.sockaddr_in(port=80, addr=INADDR_LOOPBACK)  # host order: htonl applied
    assert bytes(loopback)[4:8] == bytes([127, 0, 0, 1])
    assert "htons(12345)" in repr(address) and "AF_INET" in repr(address)
    empty = posix.sockaddr_in()                           # zeroed, family 0 too
    assert bytes(empty) == bytes(16)
    empty.sin_family = AF_INET
    empty.sin_port = posix.htons(8080)
    assert posix.inet_pton(AF_INET, "10.1.2.3", empty.sin_addr) == 1
    assert empty == posix.sockaddr_in(port=8080, addr="10.1.2.3")
    with pytest.raises(ValueError):
        posix.sockaddr_in(port=1, addr="127.1")
    with pytest.raises(AttributeError):
        empty.no_such_field = 1


def test_sockaddr_in6_and_un():
    six = posix.sockaddr_in6(port=443, addr="::1")
    assert six.sin6_family == AF_INET6 and six.port == 443 and six.address == "::1"
    assert posix.sizeof(six) == 28
    path = posix.sockaddr_un("/tmp/lab.sock")
    assert path.sun_family == AF_UNIX and path.path == "/tmp/lab.sock"
    with pytest.raises(OSError, match="AF_UNIX path too long"):
        posix.sockaddr_un("/tmp/" + "x" * 200)


def test_conversions(fds):
    address = posix.sockaddr_in()
    assert posix.inet_pton(AF_INET, "127.1", address.sin_addr) == 0   # not a dotted quad
    assert posix.inet_aton("127.1", address.sin_addr) == 1              # the old forms
    assert posix.inet_ntoa(address.sin_addr) == "127.0.0.1"
    assert posix.inet_aton("::1", address.sin_addr) == 0                # IPv4 only
    assert posix.inet_pton(12345, "1.2.3.4", address.sin_addr) == -1
    assert posix.errno() == errno.EAFNOSUPPORT
    assert posix.inet_addr("255.255.255.255") == posix.INADDR_NONE
    assert posix.inet_addr("1.2.3.256") == posix.INADDR_NONE           # the same value
    assert posix.inet_ntop(AF_INET, bytes([1, 2, 3, 4])) == "1.2.3.4"
    assert posix.htons(0x1234) == (0x3412 if sys.byteorder == "little" else 0x1234)
    assert posix.htons(0x11234) == posix.htons(0x1234)                  # truncated, as in C
    assert posix.ntohl(posix.htonl(0xDEADBEEF)) == 0xDEADBEEF


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux option numbers")
def test_or_of_two_options_is_one_option(fds):
    """The seed-style setsockopt(fd, SOL_SOCKET, SO_REUSEADDR | SO_REUSEPORT, ...)
    sets one option whose number is the OR (SO_REUSEPORT on Linux), not two."""
    fd = posix.socket(AF_INET, SOCK_STREAM, 0)
    fds.append(fd)
    assert posix.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR | posix.SO_REUSEPORT, 1) == 0
    value, length = posix.c_int(), posix.socklen_t(4)
    assert posix.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, value, length) == 0
    assert (value.value, length.value) == (0, 4)
    assert posix.getsockopt(fd, SOL_SOCKET, posix.SO_REUSEPORT, value) == 0
    assert value.value == 1


def test_datagrams_and_poll(fds):
    a, b = (posix.socket(AF_INET, SOCK_DGRAM, 0) for _ in range(2))
    fds.extend([a, b])
    here = posix.sockaddr_in(port=0, addr="127.0.0.1")
    assert posix.bind(b, here) == 0 and posix.getsockname(b, here) == 0
    watch = [posix.pollfd(b, POLLIN)]
    assert posix.poll(watch, 1, 0) == 0 and watch[0].revents == 0
    assert posix.sendto(a, b"datagram", 8, 0, here) == 8
    assert posix.poll(watch, 1, 1000) == 1 and watch[0].revents & POLLIN
    sender, length = posix.sockaddr_in(), posix.socklen_t(16)
    buffer = bytearray(4)
    assert posix.recvfrom(b, buffer, 4, 0, sender, length) == 4           # truncated
    assert bytes(buffer) == b"data" and sender.address == "127.0.0.1"
    pair = [0, 0]
    assert posix.socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0
    fds.extend(pair)
    assert posix.write(pair[0], b"x") == 1


def test_programming_errors_raise(fds):
    client, _ = connected(fds)
    with pytest.raises(ValueError, match="does not fit the buffer"):
        posix.recv(client, bytearray(4), 8, 0)
    with pytest.raises(TypeError, match="writable"):
        posix.recv(client, b"read-only", 4, 0)
    with pytest.raises(TypeError, match="bytes-like"):
        posix.send(client, "text", 4, 0)
    with pytest.raises(OverflowError):
        posix.close(2**40)
    with pytest.raises(ValueError):
        posix.inet_aton("127.0.0.1", bytearray(2))
    # An address length past the struct would let the kernel read beyond it.
    with pytest.raises(ValueError, match="does not fit the buffer"):
        posix.bind(client, posix.sockaddr_in(port=0), 200)
    with pytest.raises(ValueError, match="does not fit the buffer"):
        posix.sendto(client, b"x", 1, 0, posix.sockaddr_in(port=9), -1)


def test_eintr_is_returned_as_in_c(fds):
    """No PEP 475 retry here: a signal handler interrupts a blocking recv."""
    client, _ = connected(fds)
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    signal.siginterrupt(signal.SIGALRM, True)
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    try:
        assert posix.recv(client, bytearray(8), 8, 0) == -1
        assert posix.errno() == errno.EINTR
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_send_to_a_closed_peer_is_epipe_not_death(fds):
    client, server = connected(fds)
    fds.remove(server)
    posix.close(server)
    posix.send(client, b"x", 1, 0)           # the peer answers with a reset
    posix.poll([posix.pollfd(client, 0)], 1, 1000)
    assert posix.send(client, b"x", 1, 0) == -1
    assert posix.errno() == errno.EPIPE
