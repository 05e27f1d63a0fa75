"""Creating, identifying, closing and detaching sockets, on both backends."""

from __future__ import annotations

import gc
import os
import socket as std_socket
import warnings

import pytest

from conftest import PYPY, is_cffi, outcome


def test_is_a_stdlib_socket(api):
    with api.socket() as s:
        assert isinstance(s, std_socket.socket)
        assert isinstance(s, api.SocketType)


def test_family_type_proto_are_the_stdlib_enums(api):
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s:
        assert s.family is std_socket.AddressFamily.AF_INET
        assert s.type is std_socket.SocketKind.SOCK_DGRAM
        assert s.proto == 0


def test_type_hides_nonblock_and_cloexec(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM | api.SOCK_NONBLOCK | api.SOCK_CLOEXEC) as s:
        assert s.type == api.SOCK_STREAM
        assert s.gettimeout() == 0.0
        assert s.getblocking() is False


def test_close_is_idempotent_and_fileno_becomes_minus_one(api):
    s = api.socket()
    assert s.fileno() >= 0
    s.close()
    s.close()
    assert s.fileno() == -1
    with pytest.raises(OSError) as info:
        s.recv(1)
    assert info.value.errno == 9  # EBADF, as the stdlib


def test_new_sockets_are_close_on_exec(api):
    with api.socket() as s:
        assert s.get_inheritable() is False
        s.set_inheritable(True)
        assert s.get_inheritable() is True
        assert os.get_inheritable(s.fileno()) is True


def test_detach_hands_over_the_descriptor(api):
    s = api.socket()
    fd = s.detach()
    assert s.fileno() == -1
    other = api.socket(fileno=fd)
    with other:
        assert other.family == api.AF_INET
        assert other.type == api.SOCK_STREAM


def test_fileno_constructor_detects_family_type_proto(api):
    with api.socket(api.AF_INET6 if api.has_ipv6 else api.AF_INET, api.SOCK_DGRAM) as s:
        dup = api.socket(fileno=os.dup(s.fileno()))
        with dup:
            assert (dup.family, dup.type, dup.proto) == (s.family, s.type, 17)


def test_fileno_constructor_rejects_non_sockets(api):
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy's socket takes any descriptor when told its family "
                    "(docs/differences.md)")
    with open(os.devnull, "rb") as f:
        with pytest.raises(OSError) as info:
            api.socket(api.AF_INET, api.SOCK_STREAM, 0, fileno=f.fileno())
        assert info.value.errno == 88  # ENOTSOCK
    with pytest.raises(ValueError):
        api.socket(fileno=-1)


def test_dup_shares_the_socket(api):
    with api.socket() as s:
        s.settimeout(2.5)
        with s.dup() as d:
            assert d.fileno() != s.fileno()
            assert d.gettimeout() == 2.5
            assert type(d) is type(s)


def test_unclosed_socket_warns(api):
    s = api.socket()
    fd = s.fileno()
    inode = os.fstat(fd).st_ino
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del s
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) and "unclosed" in str(w.message)
               for w in caught)
    try:
        assert os.fstat(fd).st_ino != inode   # closed (the number may be reused)
    except OSError:
        pass


def test_repr_shows_state(api):
    s = api.socket()
    s.bind(("127.0.0.1", 0))
    text = repr(s)
    assert text.startswith("<pysock.socket fd=") and "laddr=('127.0.0.1'" in text
    s.close()
    assert "[closed]" in repr(s)


def test_cannot_pickle(api):
    import pickle
    with api.socket() as s:
        with pytest.raises(TypeError):
            pickle.dumps(s)


def test_default_timeout_applies_to_new_sockets(api):
    assert api.getdefaulttimeout() is None
    api.setdefaulttimeout(3.0)
    try:
        with api.socket() as s:
            assert s.gettimeout() == 3.0
    finally:
        api.setdefaulttimeout(None)
    with api.socket() as s:
        assert s.gettimeout() is None


@pytest.mark.skipif(not hasattr(std_socket.socket, "_drop"), reason="PyPy's use count")
def test_pypy_use_count_like_the_stdlib(api):
    for s in (api.socket(), std_socket.socket()):
        s._reuse()
        s._drop()
        assert s.fileno() >= 0          # one user left
        s._drop()
        assert s.fileno() == -1         # the last one closed the descriptor
        s.close()


def _shape(text, fd):
    """A repr with the class name and descriptor number taken out."""
    return text.replace("pysock.socket", "CLASS").replace("socket.socket", "CLASS") \
        .replace(f"fd={fd},", "fd=N,")


def test_repr_like_the_stdlib_in_every_state(api):
    with api.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        ours, theirs = api.socket(), std_socket.socket()
        states = []
        for s in (ours, theirs):
            shapes = [_shape(repr(s), s.fileno())]                   # open
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            shapes.append(_shape(repr(s), s.fileno()).replace(str(port), "PORT"))   # bound
            s.connect(listener.getsockname())
            shapes.append(_shape(repr(s), s.fileno()).replace(str(port), "PORT"))   # connected
            listener.accept()[0].close()
            s.close()
            shapes.append(_shape(repr(s), -1))                       # closed
            states.append(shapes)
    assert states[0] == states[1]
    assert "raddr=('127.0.0.1'" in states[0][2] and "[closed]" in states[0][3]


def test_close_idempotent_and_operations_after_close_like_the_stdlib(api):
    ours, theirs = api.socket(), std_socket.socket()
    for s in (ours, theirs):
        s.close()
        s.close()
        assert s.fileno() == -1
    for method, args in [("getsockname", ()), ("recv", (1,)), ("send", (b"x",)),
                         ("settimeout", (1,)), ("shutdown", (2,)), ("listen", ()),
                         ("setsockopt", (1, 2, 1)), ("detach", ()), ("dup", ())]:
        got = outcome(getattr(ours, method), *args)
        assert got == outcome(getattr(theirs, method), *args), method
        assert got[0] == "ok" or got[2] == 9, method            # EBADF


def test_context_manager_closes_even_on_error(api):
    with pytest.raises(RuntimeError):
        with api.socket() as s:
            raise RuntimeError("inside")
    assert s.fileno() == -1
    with api.socket() as s:
        s.close()                       # closing inside is fine too
    assert s.fileno() == -1
