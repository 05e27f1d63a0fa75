"""Socket options, listen backlogs and shutdown, on both backends, against the stdlib."""

from __future__ import annotations

import errno
import shutil
import socket as std_socket
import struct
import subprocess

import pytest

from conftest import PYPY, assert_like_stdlib, is_cffi, outcome, outcome_text

SOL, TYPE = std_socket.SOL_SOCKET, std_socket.SO_TYPE
LINGER = struct.Struct("ii")


def test_getsockopt_int_form(api):
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s:
        assert s.getsockopt(SOL, TYPE) == api.SOCK_DGRAM
        assert s.getsockopt(SOL, TYPE, 0) == api.SOCK_DGRAM     # buflen 0: the int form
        with std_socket.socket(std_socket.AF_INET, std_socket.SOCK_DGRAM) as ref:
            assert s.getsockopt(api.IPPROTO_IP, api.IP_TTL) == \
                ref.getsockopt(std_socket.IPPROTO_IP, std_socket.IP_TTL)


def test_getsockopt_buffer_form_and_truncation(api):
    with api.socket() as s:
        s.setsockopt(SOL, api.SO_LINGER, LINGER.pack(1, 5))
        assert LINGER.unpack(s.getsockopt(SOL, api.SO_LINGER, LINGER.size)) == (1, 5)
        # A longer buffer comes back at the option's size, a shorter one cut.
        assert len(s.getsockopt(SOL, api.SO_LINGER, 1024)) == LINGER.size
        assert s.getsockopt(SOL, api.SO_LINGER, 4) == struct.pack("i", 1)
        assert struct.unpack("i", s.getsockopt(SOL, TYPE, 4))[0] == api.SOCK_STREAM


@pytest.mark.parametrize("buflen", [-1, 1025, 2**31 - 1])
def test_getsockopt_bad_buflen(api, buflen):
    with api.socket() as s:
        with pytest.raises(OSError, match="getsockopt buflen out of range") as info:
            s.getsockopt(SOL, TYPE, buflen)
        assert info.value.errno is None


def test_getsockopt_unknown_option_like_the_stdlib(api):
    with api.socket() as s, std_socket.socket() as ref:
        assert outcome(s.getsockopt, SOL, 9999) == outcome(ref.getsockopt, SOL, 9999)
        assert outcome(s.getsockopt, SOL, 9999)[2] == errno.ENOPROTOOPT


@pytest.mark.parametrize("value", [1, True, 0, struct.pack("i", 1), bytearray(struct.pack("i", 1)),
                                   memoryview(struct.pack("i", 1))], ids=repr)
def test_setsockopt_int_and_bytes_like(api, value):
    with api.socket() as s:
        s.setsockopt(SOL, api.SO_REUSEADDR, value)
        expected = 0 if value in (0, False) else 1
        assert s.getsockopt(SOL, api.SO_REUSEADDR) == expected


def test_setsockopt_buffer_sizes_like_the_stdlib(api):
    # The kernel doubles SO_RCVBUF for its own bookkeeping: same answer either way.
    with api.socket() as s, std_socket.socket() as ref:
        for sock in (s, ref):
            sock.setsockopt(SOL, api.SO_RCVBUF, 65536)
        assert s.getsockopt(SOL, api.SO_RCVBUF) == ref.getsockopt(SOL, api.SO_RCVBUF)


def test_setsockopt_none_with_optlen(api):
    # SO_BINDTODEVICE with no value and length 0 removes a device binding;
    # the kernel may want privileges for it: whatever it says, it says to both.
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy's socket has no setsockopt(level, name, None, optlen)")
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s, \
            std_socket.socket(std_socket.AF_INET, std_socket.SOCK_DGRAM) as ref:
        args = (SOL, api.SO_BINDTODEVICE, None, 0)
        assert_like_stdlib(outcome_text(s.setsockopt, *args), outcome_text(ref.setsockopt, *args),
                           pypy_differs=True)
        with pytest.raises(OSError) as info:
            s.setsockopt(SOL, api.SO_REUSEADDR, None, 4)   # NULL value, 4 bytes
        assert info.value.errno == errno.EFAULT


def test_tcp_options(api, tcp):
    client, _ = tcp
    client.setsockopt(api.IPPROTO_TCP, api.TCP_NODELAY, 1)
    assert client.getsockopt(api.IPPROTO_TCP, api.TCP_NODELAY) == 1
    client.setsockopt(api.SOL_SOCKET, api.SO_KEEPALIVE, True)
    assert client.getsockopt(api.SOL_SOCKET, api.SO_KEEPALIVE) == 1


@pytest.mark.parametrize("backlog", [None, 0, 1, 5, -1, -100])
def test_listen_backlogs_accept_connections(api, backlog):
    with api.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        if backlog is None:
            listener.listen()
        else:
            listener.listen(backlog)
        assert listener.getsockopt(SOL, api.SO_ACCEPTCONN) == 1
        with api.socket() as client:
            client.connect(listener.getsockname())
            server, _ = listener.accept()
            server.close()


def _listen_queue_sizes(api, backlogs):
    """The accept-queue size the kernel reports (ss's Send-Q) for each backlog."""
    sizes = []
    sockets = []
    try:
        for backlog in backlogs:
            s = api.socket()
            sockets.append(s)
            s.bind(("127.0.0.1", 0))
            if backlog is None:
                s.listen()
            else:
                s.listen(backlog)
        ports = [s.getsockname()[1] for s in sockets]
        lines = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True,
                               check=True, timeout=30).stdout.splitlines()
        for port in ports:
            line = next(line for line in lines if line.split()[3].endswith(f":{port}"))
            sizes.append(int(line.split()[2]))
    finally:
        for s in sockets:
            s.close()
    return sizes


@pytest.mark.skipif(not shutil.which("ss"), reason="needs ss(8) to read the backlog")
def test_listen_backlog_reaches_the_kernel_like_the_stdlib(api):
    # Default: min(SOMAXCONN, 128); a negative backlog is 0, as the stdlib
    # clamps it (listen(2) itself would take -1 as the maximum).
    backlogs = [None, 0, 3, -1]
    ours, theirs = _listen_queue_sizes(api, backlogs), _listen_queue_sizes(std_socket, backlogs)
    default = min(std_socket.SOMAXCONN, 128)
    if PYPY:
        # PyPy's socket asks for at least 1 (docs/differences.md); pysock for 0.
        assert theirs == [default, 1, 3, 1]
        assert ours == ([default, 0, 3, 0] if is_cffi(api) else theirs)
    else:
        assert ours == theirs == [default, 0, 3, 0]


@pytest.mark.parametrize("how", ["SHUT_RD", "SHUT_WR", "SHUT_RDWR"])
def test_shutdown_each_direction(api, tcp, how):
    client, server = tcp
    client.shutdown(getattr(api, how))
    if how in ("SHUT_WR", "SHUT_RDWR"):
        assert server.recv(10) == b""                     # the peer sees EOF
        with pytest.raises(BrokenPipeError):
            client.send(b"x")
    else:
        server.sendall(b"still writable")
        assert client.recv(100) in (b"", b"still writable")
        client.sendall(b"writes still go")
        assert server.recv(100) == b"writes still go"
    if how in ("SHUT_RD", "SHUT_RDWR"):
        assert client.recv(10) == b""                      # reads see EOF at once


@pytest.mark.parametrize("how", [3, -1, 100])
def test_shutdown_bad_value(api, tcp, how):
    client, _ = tcp
    with pytest.raises(OSError) as info:
        client.shutdown(how)
    assert info.value.errno == errno.EINVAL


def test_shutdown_unconnected_and_closed_like_the_stdlib(api):
    with api.socket() as s, std_socket.socket() as ref:
        assert outcome(s.shutdown, api.SHUT_RDWR) == outcome(ref.shutdown, api.SHUT_RDWR)
        assert outcome(s.shutdown, api.SHUT_RDWR)[2] == errno.ENOTCONN
    s.close()
    ref.close()
    assert outcome(s.shutdown, api.SHUT_RDWR) == outcome(ref.shutdown, api.SHUT_RDWR)
    assert outcome(s.shutdown, api.SHUT_RDWR)[2] == errno.EBADF
