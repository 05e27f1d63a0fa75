"""socket.py's helpers on both backends: create_connection, create_server,
socketpair and fromfd, against the stdlib."""

from __future__ import annotations

import errno
import os
import socket as std_socket
import sys

import pytest

from conftest import PYPY, is_cffi, outcome, requires_ipv6


def _closed_port(api):
    probe = api.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_create_connection_default_and_explicit_timeout(api):
    with api.create_server(("127.0.0.1", 0)) as listener:
        with api.create_connection(listener.getsockname()) as plain:
            assert type(plain) is api.socket
            assert plain.gettimeout() is None
            assert plain.getpeername() == listener.getsockname()
            listener.accept()[0].close()
        with api.create_connection(listener.getsockname(), timeout=2.5) as timed:
            assert timed.gettimeout() == 2.5
            listener.accept()[0].close()


def test_create_connection_source_address(api):
    with api.create_server(("127.0.0.1", 0)) as listener:
        source_port = _closed_port(api)
        with api.create_connection(listener.getsockname(),
                                   source_address=("127.0.0.1", source_port)) as s:
            assert s.getsockname() == ("127.0.0.1", source_port)
            server, peer = listener.accept()
            with server:
                assert peer == ("127.0.0.1", source_port)


def test_create_connection_by_name(api):
    with api.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with api.create_connection(("localhost", port)) as s:
            assert s.getpeername() == ("127.0.0.1", port)
            listener.accept()[0].close()


def test_create_connection_refused_like_the_stdlib(api):
    address = ("127.0.0.1", _closed_port(api))
    got = outcome(api.create_connection, address)
    assert got == outcome(std_socket.create_connection, address)
    assert got[1] is ConnectionRefusedError and got[2] == errno.ECONNREFUSED


@pytest.mark.skipif(sys.version_info < (3, 11), reason="all_errors is new in 3.11")
def test_create_connection_all_errors(api, monkeypatch):
    # A name with two addresses, both refused: with all_errors every error
    # comes back in an ExceptionGroup.  Such a name needs DNS or a particular
    # /etc/hosts, so the helper's getaddrinfo answers for it from a list; the
    # connections themselves are real.
    port = _closed_port(api)
    addresses = [(api.AF_INET, api.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                 (api.AF_INET, api.SOCK_STREAM, 6, "", ("127.0.0.2", port))]
    monkeypatch.setattr(api, "getaddrinfo", lambda host, *args, **kwargs: addresses)
    with pytest.raises(ExceptionGroup) as info:  # noqa: F821 (3.11+)
        api.create_connection(("two.example", port), all_errors=True)
    with pytest.raises(ConnectionRefusedError):
        api.create_connection(("two.example", port))
    errors = info.value.exceptions
    assert len(errors) == 2
    assert all(isinstance(e, ConnectionRefusedError) for e in errors)


def test_create_server_defaults(api):
    with api.create_server(("127.0.0.1", 0)) as s:
        assert (s.family, s.type) == (api.AF_INET, api.SOCK_STREAM)
        assert s.getsockopt(api.SOL_SOCKET, api.SO_ACCEPTCONN) == 1
        assert s.getsockopt(api.SOL_SOCKET, api.SO_REUSEADDR) == 1   # POSIX default here
        assert s.getsockopt(api.SOL_SOCKET, api.SO_REUSEPORT) == 0


def test_create_server_reuse_port_shares_the_port(api):
    with api.create_server(("127.0.0.1", 0), reuse_port=True) as a:
        assert a.getsockopt(api.SOL_SOCKET, api.SO_REUSEPORT) == 1
        with api.create_server(a.getsockname(), reuse_port=True) as b:
            assert b.getsockname() == a.getsockname()


def test_create_server_backlog(api):
    with api.create_server(("127.0.0.1", 0), backlog=1) as s:
        assert s.getsockopt(api.SOL_SOCKET, api.SO_ACCEPTCONN) == 1


def test_create_server_address_in_use_like_the_stdlib(api):
    with api.create_server(("127.0.0.1", 0)) as first:
        got = outcome(api.create_server, first.getsockname())
        want = outcome(std_socket.create_server, first.getsockname())
        assert got[:2] == want[:2] == ("raised", OSError)
        assert got[2] == want[2] == errno.EADDRINUSE


@requires_ipv6
def test_create_server_ipv6(api):
    with api.create_server(("::1", 0), family=api.AF_INET6) as s:
        assert s.family == api.AF_INET6
        assert s.getsockname()[0] == "::1"
        with api.create_connection(s.getsockname()[:2]) as c:
            assert c.family == api.AF_INET6
            s.accept()[0].close()


@requires_ipv6
def test_create_server_dualstack_takes_ipv4_too(api):
    if not api.has_dualstack_ipv6():
        pytest.skip("no dual-stack IPv6 here")
    with api.create_server(("", 0), family=api.AF_INET6, dualstack_ipv6=True) as s:
        assert s.getsockopt(api.IPPROTO_IPV6, api.IPV6_V6ONLY) == 0
        port = s.getsockname()[1]
        with api.create_connection(("127.0.0.1", port)) as c4:
            server, peer = s.accept()
            with server:
                assert peer[0] == "::ffff:127.0.0.1"
        with api.create_connection(("::1", port)) as c6:
            s.accept()[0].close()


def test_create_server_dualstack_needs_ipv6_like_the_stdlib(api):
    got = outcome(api.create_server, ("127.0.0.1", 0), dualstack_ipv6=True)
    want = outcome(std_socket.create_server, ("127.0.0.1", 0), dualstack_ipv6=True)
    assert got == want and got[1] is ValueError


SOCKETPAIR_ARGS = [(), (std_socket.AF_UNIX,), (std_socket.AF_UNIX, std_socket.SOCK_DGRAM),
                   (std_socket.AF_UNIX, std_socket.SOCK_SEQPACKET),
                   (std_socket.AF_UNIX, std_socket.SOCK_STREAM | std_socket.SOCK_NONBLOCK),
                   (std_socket.AF_INET,), (std_socket.AF_UNIX, std_socket.SOCK_STREAM, 9999)]


def _pair_shape(module, args):
    result = outcome(module.socketpair, *args)
    if result[0] != "ok":
        return result
    a, b = result[1]
    with a, b:
        a.sendall(b"across")
        shape = [(s.family, s.type, s.proto, s.gettimeout(), s.get_inheritable())
                 for s in (a, b)]
        return ("ok", shape, b.recv(10))


@pytest.mark.parametrize("args", SOCKETPAIR_ARGS, ids=repr)
def test_socketpair_like_the_stdlib(api, args):
    assert _pair_shape(api, args) == _pair_shape(std_socket, args)


def test_socketpair_sockets_are_the_backends(api):
    a, b = api.socketpair()
    with a, b:
        assert type(a) is type(b) is api.socket


def test_fromfd_duplicates(api):
    with std_socket.socket(std_socket.AF_INET, std_socket.SOCK_DGRAM) as original:
        original.bind(("127.0.0.1", 0))
        with api.fromfd(original.fileno(), api.AF_INET, api.SOCK_DGRAM) as copy:
            assert type(copy) is api.socket
            assert copy.fileno() != original.fileno()
            assert copy.getsockname() == original.getsockname()
            assert (copy.family, copy.type, copy.proto) == (api.AF_INET, api.SOCK_DGRAM, 0)
            assert copy.get_inheritable() is False
        assert os.fstat(original.fileno())   # the original stays open


def test_fromfd_of_a_bad_descriptor(api):
    assert outcome(api.fromfd, -1, api.AF_INET, api.SOCK_STREAM) == \
        outcome(std_socket.fromfd, -1, std_socket.AF_INET, std_socket.SOCK_STREAM)
    assert outcome(api.fromfd, -1, api.AF_INET, api.SOCK_STREAM)[2] == errno.EBADF


def test_fromfd_of_a_non_socket_leaks_nothing(api):
    # The stdlib's fromfd() leaves its duplicate open when socket() refuses
    # it; pysock's closes it (docs/differences.md).  no_fd_leak checks.
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy's socket takes any descriptor given a family")
    with open(os.devnull, "rb") as f:
        with pytest.raises(OSError) as info:
            api.fromfd(f.fileno(), api.AF_INET, api.SOCK_STREAM)
        assert info.value.errno == errno.ENOTSOCK
