"""TCP and UNIX stream sockets on both backends: data, EOF, half-close, errors."""

from __future__ import annotations

import errno
import os
import socket as std_socket
import threading

import pytest

from conftest import requires_ipv6, tcp_pair


def test_roundtrip_ipv4(tcp):
    client, server = tcp
    assert client.send(b"ping") == 4
    assert server.recv(100) == b"ping"
    server.sendall(b"pong")
    assert client.recv(100) == b"pong"


@requires_ipv6
def test_roundtrip_ipv6(api):
    listener, client, server = tcp_pair(api, api.AF_INET6, "::1")
    try:
        host, port, flowinfo, scope_id = client.getpeername()
        assert (host, port) == ("::1", listener.getsockname()[1])
        assert (flowinfo, scope_id) == (0, 0)
        client.sendall(b"six")
        assert server.recv(3) == b"six"
    finally:
        for s in (listener, client, server):
            s.close()


def test_recv_at_eof_returns_empty(tcp):
    client, server = tcp
    client.close()
    assert server.recv(10) == b""
    assert server.recv(10) == b""


def test_half_close_keeps_reading(tcp):
    client, server = tcp
    client.shutdown(std_socket.SHUT_WR)
    assert server.recv(10) == b""          # the FIN arrived
    server.sendall(b"still open")           # the other direction works
    assert client.recv(100) == b"still open"


def test_no_message_boundaries(tcp):
    client, server = tcp
    client.sendall(b"abc")
    client.sendall(b"def")
    got = b""
    while len(got) < 6:
        got += server.recv(100)
    assert got == b"abcdef"


def test_big_transfer_with_sendall_across_threads(tcp):
    client, server = tcp
    payload = os.urandom(8 * 1024 * 1024)
    received = bytearray()

    def reader():
        while len(received) < len(payload):
            chunk = server.recv(1 << 16)
            if not chunk:
                break
            received.extend(chunk)

    thread = threading.Thread(target=reader)
    thread.start()
    client.sendall(memoryview(payload))
    thread.join(timeout=30)
    assert bytes(received) == payload


def test_connection_refused(api):
    probe = api.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with api.socket() as s:
        with pytest.raises(ConnectionRefusedError) as info:
            s.connect(("127.0.0.1", port))
        assert info.value.errno == errno.ECONNREFUSED
    with api.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED


def test_address_in_use(api):
    with api.socket() as first, api.socket() as second:
        first.bind(("127.0.0.1", 0))
        first.listen()
        with pytest.raises(OSError) as info:
            second.bind(first.getsockname())
        assert info.value.errno == errno.EADDRINUSE


def test_reuseport_lets_two_sockets_share_a_port(api):
    with api.socket() as a, api.socket() as b:
        for s in (a, b):
            s.setsockopt(api.SOL_SOCKET, api.SO_REUSEADDR, 1)
            s.setsockopt(api.SOL_SOCKET, api.SO_REUSEPORT, 1)
        a.bind(("127.0.0.1", 0))
        b.bind(a.getsockname())
        a.listen()
        b.listen()
        assert a.getsockname() == b.getsockname()


def test_listen_without_bind_gets_an_ephemeral_port(api):
    with api.socket() as s:
        s.listen()
        host, port = s.getsockname()
        assert host == "0.0.0.0" and port > 0


def test_peek_leaves_data_queued(tcp):
    client, server = tcp
    client.sendall(b"peekaboo")
    assert server.recv(4, std_socket.MSG_PEEK) == b"peek"
    assert server.recv(100) == b"peekaboo"


def test_out_of_band_byte(tcp):
    client, server = tcp
    client.send(b"!", std_socket.MSG_OOB)
    assert server.recv(1, std_socket.MSG_OOB) == b"!"


def test_unix_stream_roundtrip_and_path_left_behind(api, tmp_sock_dir):
    path = os.path.join(tmp_sock_dir, "echo.sock")
    with api.socket(api.AF_UNIX, api.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen()
        assert listener.getsockname() == path
        with api.socket(api.AF_UNIX, api.SOCK_STREAM) as client:
            client.connect(path)
            server, peer = listener.accept()
            with server:
                assert peer == ""   # an unbound client has no name
                client.sendall(b"local")
                assert server.recv(10) == b"local"
    # close() does not remove the file: binding again fails until unlinked
    with api.socket(api.AF_UNIX, api.SOCK_STREAM) as again:
        with pytest.raises(OSError) as info:
            again.bind(path)
        assert info.value.errno == errno.EADDRINUSE
        os.unlink(path)
        again.bind(path)


def test_unix_abstract_name(api):
    name = b"\0pysock-test-" + os.urandom(6).hex().encode()
    with api.socket(api.AF_UNIX, api.SOCK_STREAM) as s:
        s.bind(name)
        assert s.getsockname() == name


def test_unix_missing_path_is_file_not_found(api, tmp_sock_dir):
    with api.socket(api.AF_UNIX, api.SOCK_STREAM) as s:
        with pytest.raises(FileNotFoundError):
            s.connect(os.path.join(tmp_sock_dir, "nobody-here"))


def test_socketpair_and_makefile(api):
    a, b = api.socketpair()
    with a, b:
        assert a.family == api.AF_UNIX
        writer = a.makefile("wb")
        reader = b.makefile("rb")
        writer.write(b"line one\nline two\n")
        writer.flush()
        assert reader.readline() == b"line one\n"
        assert reader.readline() == b"line two\n"
        writer.close()
        reader.close()
