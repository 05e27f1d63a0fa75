"""UDP and UNIX datagrams on both backends: boundaries, truncation, errors."""

from __future__ import annotations

import errno
import os
import socket as std_socket

import pytest

from conftest import outcome, requires_ipv6


def test_sendto_recvfrom(udp):
    a, b = udp
    assert a.sendto(b"hello", b.getsockname()) == 5
    data, addr = b.recvfrom(100)
    assert data == b"hello" and addr == a.getsockname()


def test_sendto_with_flags_argument(udp):
    a, b = udp
    a.sendto(b"x", 0, b.getsockname())
    assert b.recv(1) == b"x"


def test_zero_length_datagram_is_real(udp):
    a, b = udp
    a.sendto(b"", b.getsockname())
    data, addr = b.recvfrom(100)
    assert data == b"" and addr == a.getsockname()


def test_datagram_boundaries_are_kept(udp):
    a, b = udp
    a.sendto(b"one", b.getsockname())
    a.sendto(b"two", b.getsockname())
    assert b.recv(100) == b"one"
    assert b.recv(100) == b"two"


def test_truncation_is_silent_with_recv_and_flagged_by_recvmsg(udp):
    a, b = udp
    a.sendto(b"0123456789", b.getsockname())
    assert b.recv(4) == b"0123"          # the rest of the datagram is gone
    a.sendto(b"0123456789", b.getsockname())
    data, ancdata, flags, addr = b.recvmsg(4)
    assert data == b"0123"
    assert flags & std_socket.MSG_TRUNC
    assert addr == a.getsockname()


def test_connected_udp_reports_refusal_later(api):
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", closed_port))
        s.send(b"anyone?")                  # accepted locally
        s.settimeout(2)
        with pytest.raises(ConnectionRefusedError):
            s.recv(10)                      # the ICMP port-unreachable arrives here


def test_disconnect_dissolves_the_association(api, udp):
    a, b = udp
    a.connect(b.getsockname())
    assert a.getpeername() == b.getsockname()
    a.disconnect()
    with pytest.raises(OSError) as info:
        a.getpeername()
    assert info.value.errno == errno.ENOTCONN
    a.sendto(b"free again", b.getsockname())
    assert b.recv(100) == b"free again"


@pytest.fixture
def unix_dgram(api, tmp_sock_dir):
    """(server, client) UNIX datagram sockets, each bound to a path."""
    with api.socket(api.AF_UNIX, api.SOCK_DGRAM) as server, \
            api.socket(api.AF_UNIX, api.SOCK_DGRAM) as client:
        server.bind(os.path.join(tmp_sock_dir, "srv"))
        client.bind(os.path.join(tmp_sock_dir, "cli"))
        yield server, client


def test_unix_datagram(unix_dgram):
    server, client = unix_dgram
    client.sendto(b"dgram", server.getsockname())
    assert server.recvfrom(100) == (b"dgram", client.getsockname())


def test_recvfrom_into(udp):
    a, b = udp
    a.sendto(b"into", b.getsockname())
    buf = bytearray(10)
    n, addr = b.recvfrom_into(buf)
    assert (n, bytes(buf[:n]), addr) == (4, b"into", a.getsockname())


def test_recv_into_with_memoryview(udp):
    a, b = udp
    a.sendto(b"abcdef", b.getsockname())
    buf = bytearray(10)
    view = memoryview(buf)[2:]
    assert b.recv_into(view, 6) == 6
    assert bytes(buf) == b"\0\0abcdef\0\0"


@requires_ipv6
def test_udp_over_ipv6_loopback(api):
    with api.socket(api.AF_INET6, api.SOCK_DGRAM) as a, \
            api.socket(api.AF_INET6, api.SOCK_DGRAM) as b:
        a.bind(("::1", 0))
        b.bind(("::1", 0))
        assert a.sendto(b"six", b.getsockname()) == 3
        data, address = b.recvfrom(10)
        assert data == b"six" and address == a.getsockname()
        assert address[:2] == ("::1", a.getsockname()[1]) and len(address) == 4


def test_sendmsg_with_an_address_over_udp(udp):
    a, b = udp
    assert a.sendmsg([b"to ", b"you"], [], 0, b.getsockname()) == 6
    data, ancdata, flags, address = b.recvmsg(100)
    assert (data, ancdata, flags, address) == (b"to you", [], 0, a.getsockname())


def test_sendmsg_with_an_address_over_unix_datagrams(unix_dgram):
    server, client = unix_dgram
    server_path, client_path = server.getsockname(), client.getsockname()
    assert client.sendmsg([b"via ", b"sendmsg"], [], 0, server_path) == 11
    data, _, _, address = server.recvmsg(100)
    assert (data, address) == (b"via sendmsg", client_path)
    buf = bytearray(20)
    client.sendmsg([b"again"], (), 0, server_path)
    n, _, _, address = server.recvmsg_into([buf])
    assert (bytes(buf[:n]), address) == (b"again", client_path)


def test_sendmsg_without_an_address_on_an_unconnected_socket(api):
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s, \
            std_socket.socket(std_socket.AF_INET, std_socket.SOCK_DGRAM) as ref:
        assert outcome(s.sendmsg, [b"x"]) == outcome(ref.sendmsg, [b"x"])
        assert outcome(s.sendmsg, [b"x"])[2] == errno.EDESTADDRREQ


def test_recvfrom_on_a_connected_stream_has_no_address(tcp):
    client, server = tcp
    client.sendall(b"stream")
    assert server.recvfrom(10) == (b"stream", None)
