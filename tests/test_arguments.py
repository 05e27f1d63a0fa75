"""Argument handling of the socket methods, against the stdlib socket.

Each case calls a method with an argument the stdlib converts by a PyArg rule
("i", "n", "I", ...) and checks that pysock raises the same class (and errno);
cases marked ``TEXT`` also compare the message, because CPython words it the
same on 3.9-3.13.  (The "... cannot be interpreted as an integer" wording is
3.10+, so those cases compare the class only.)

Bad input as a user meets it (wrong types, ports, families, UNIX paths, NUL
bytes, host names, sizes, timeouts, closed sockets) is the table of
tests/test_bad_input.py; this module is the conversion rules underneath.
"""

from __future__ import annotations

import socket as std_socket
import sys

import pytest

from conftest import assert_like_stdlib, is_cffi, outcome_text

TCP = (std_socket.AF_INET, std_socket.SOCK_STREAM)
UDP = (std_socket.AF_INET, std_socket.SOCK_DGRAM)
TEXT = True
CLASS = False
SOL, TYPE, REUSE = std_socket.SOL_SOCKET, std_socket.SO_TYPE, std_socket.SO_REUSEADDR
BIG = 2**40      # beyond C int, within C long
HUGE = 2**70     # beyond C long
DEST = ("127.0.0.1", 9)


class Index:
    """An object that is an integer only through __index__ (numpy ints are)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


# label: (socket kind, method, arguments, compare the message too)
CASES = {
    "listen backlog beyond int": (TCP, "listen", (2**31,), TEXT),
    "listen backlog below int": (TCP, "listen", (-2**31 - 1,), TEXT),
    "listen backlog beyond long": (TCP, "listen", (HUGE,), TEXT),
    "listen backlog str": (TCP, "listen", ("1",), CLASS),
    "listen backlog index": (TCP, "listen", (Index(5),), TEXT),
    "getsockopt buflen None": (TCP, "getsockopt", (SOL, TYPE, None), CLASS),
    "getsockopt buflen beyond int": (TCP, "getsockopt", (SOL, TYPE, BIG), TEXT),
    "getsockopt buflen beyond long": (TCP, "getsockopt", (SOL, TYPE, HUGE), TEXT),
    "getsockopt buflen negative": (TCP, "getsockopt", (SOL, TYPE, -1), TEXT),
    "getsockopt buflen over 1024": (TCP, "getsockopt", (SOL, TYPE, 1025), TEXT),
    "getsockopt level str": (TCP, "getsockopt", ("1", TYPE), CLASS),
    "getsockopt level beyond int": (TCP, "getsockopt", (BIG, TYPE), TEXT),
    "getsockopt level index": (TCP, "getsockopt", (Index(SOL), TYPE), TEXT),
    "setsockopt None optlen -1": (TCP, "setsockopt", (SOL, REUSE, None, -1), TEXT),
    "setsockopt None optlen 2**32": (TCP, "setsockopt", (SOL, REUSE, None, 2**32), TEXT),
    "setsockopt int with optlen": (TCP, "setsockopt", (SOL, REUSE, 1, 4), TEXT),
    "setsockopt level str": (TCP, "setsockopt", ("x", REUSE, 1), CLASS),
    "setsockopt value index": (TCP, "setsockopt", (SOL, REUSE, Index(1)), TEXT),
    "setsockopt value beyond int": (TCP, "setsockopt", (SOL, REUSE, 2**31), TEXT),
    "setsockopt value str": (TCP, "setsockopt", (SOL, REUSE, "1"), TEXT),
    "setsockopt value float": (TCP, "setsockopt", (SOL, REUSE, 1.0), TEXT),
    "shutdown how beyond int": (TCP, "shutdown", (BIG,), TEXT),
    "shutdown how str": (TCP, "shutdown", ("0",), CLASS),
    "shutdown how index": (TCP, "shutdown", (Index(2),), TEXT),
    "recv bufsize beyond ssize_t": (TCP, "recv", (HUGE,), TEXT),
    "recv flags str": (TCP, "recv", (1, "x"), CLASS),
    "recv flags beyond int": (TCP, "recv", (1, BIG), TEXT),
    "recv flags index": (TCP, "recv", (1, Index(0)), TEXT),
    "recv_into nbytes float": (TCP, "recv_into", (bytearray(3), 1.0), CLASS),
    "recv_into nbytes str": (TCP, "recv_into", (bytearray(3), "1"), CLASS),
    "recv_into nbytes too big": (TCP, "recv_into", (bytearray(3), 4), TEXT),
    "recv_into flags beyond int": (TCP, "recv_into", (bytearray(3), 0, BIG), TEXT),
    "recvfrom flags beyond int": (UDP, "recvfrom", (1, BIG), TEXT),
    "recvfrom_into nbytes too big": (TCP, "recvfrom_into", (bytearray(3), 4), TEXT),
    "recvfrom_into nbytes str": (TCP, "recvfrom_into", (bytearray(3), "1"), CLASS),
    "recvmsg ancbufsize negative": (TCP, "recvmsg", (1, -1), TEXT),
    "recvmsg ancbufsize beyond socklen_t": (TCP, "recvmsg", (1, 2**31), TEXT),
    "recvmsg ancbufsize beyond ssize_t": (TCP, "recvmsg", (1, HUGE), TEXT),
    "recvmsg flags beyond int": (TCP, "recvmsg", (1, 0, BIG), TEXT),
    "recvmsg converts every argument first": (TCP, "recvmsg", (-1, "x"), CLASS),
    "recvmsg_into ancbufsize negative": (TCP, "recvmsg_into", ([bytearray(1)], -1), TEXT),
    "sendmsg ancillary item int": (UDP, "sendmsg", ([b"x"], [1]), TEXT),
    "sendmsg ancillary item None": (UDP, "sendmsg", ([b"x"], [None]), TEXT),
    "sendmsg ancillary item bytes": (UDP, "sendmsg", ([b"x"], [b"abc"]), TEXT),
    "sendmsg ancillary item pair": (UDP, "sendmsg", ([b"x"], [(1, 1)]), TEXT),
    "sendmsg ancillary item four": (UDP, "sendmsg", ([b"x"], [(1, 1, b"", 4)]), TEXT),
    "sendmsg ancillary data str": (UDP, "sendmsg", ([b"x"], [(1, 1, "x")]), TEXT),
    "sendmsg ancillary level beyond int": (UDP, "sendmsg", ([b"x"], [(BIG, 1, b"")]), TEXT),
    "sendmsg ancillary item list": (UDP, "sendmsg", ([b"x"], [[SOL, 1, b""]], 0, DEST), CLASS),
    "sendmsg flags str": (UDP, "sendmsg", ([b"x"], [], "0"), CLASS),
    "sendmsg flags beyond int": (UDP, "sendmsg", ([b"x"], [], BIG), TEXT),
    "send flags str": (TCP, "send", (b"x", "x"), CLASS),
    "send flags beyond int": (TCP, "send", (b"x", BIG), TEXT),
    "send flags index": (UDP, "send", (b"x", Index(0)), TEXT),
    "sendall flags beyond int": (TCP, "sendall", (b"x", BIG), TEXT),
    "sendto flags str": (UDP, "sendto", (b"x", "0", DEST), CLASS),
    "sendto flags beyond int": (UDP, "sendto", (b"x", BIG, DEST), TEXT),
    "sendto flags index": (UDP, "sendto", (b"x", Index(0), DEST), TEXT),
    "sendto flags before the address": (UDP, "sendto", (b"x", "0", ("127.0.0.1", 70000)), CLASS),
    "setblocking str": (TCP, "setblocking", ("x",), CLASS),
    "setblocking None": (TCP, "setblocking", (None,), CLASS),
    "setblocking beyond long": (TCP, "setblocking", (HUGE,), CLASS),
    "setblocking float": (TCP, "setblocking", (0.5,), CLASS),
    "set_inheritable str": (TCP, "set_inheritable", ("x",), CLASS),
    "set_inheritable None": (TCP, "set_inheritable", (None,), CLASS),
    "set_inheritable beyond int": (TCP, "set_inheritable", (HUGE,), TEXT),
}


# Cases where PyPy's socket departs from CPython's and pysock keeps CPython's
# behaviour (docs/differences.md, "On PyPy"): PyPy wraps or ignores integers
# beyond C int, has no setsockopt(level, name, None, optlen), and takes only
# tuples as sendmsg() ancillary items.
PYPY_DIFFERS = {
    "getsockopt buflen beyond int", "getsockopt level beyond int", "recv flags beyond int",
    "recv_into flags beyond int", "recvfrom flags beyond int",
    "recvmsg ancbufsize beyond socklen_t", "recvmsg flags beyond int",
    "sendmsg ancillary level beyond int", "sendmsg flags beyond int", "send flags beyond int",
    "sendall flags beyond int", "sendto flags beyond int",
    "setsockopt None optlen -1", "setsockopt None optlen 2**32",
    "sendmsg ancillary item list", "socket family beyond int",
}


@pytest.mark.filterwarnings("ignore:an integer is required:DeprecationWarning")  # 3.9
@pytest.mark.parametrize("label", list(CASES))
def test_method_arguments_like_the_stdlib(api, label):
    kind, method, args, compare_text = CASES[label]
    with api.socket(*kind) as ours, std_socket.socket(*kind) as ref:
        for s in (ours, ref):
            s.setblocking(False)   # a call that slips through must not block
        got = outcome_text(getattr(ours, method), *args)
        want = outcome_text(getattr(ref, method), *args)
    assert_like_stdlib(got, want, text=compare_text,
                       pypy_differs=is_cffi(api) and label in PYPY_DIFFERS)


# Module-level calls that take integers: (function name, arguments, compare text)
FUNCTION_CASES = {
    "socket family str": ("socket", ("x",), CLASS),
    "socket family beyond int": ("socket", (BIG,), CLASS),
    "socket family index": ("socket", (Index(int(std_socket.AF_INET)),), TEXT),
    "socket fileno str": ("socket", (-1, -1, -1, "x"), CLASS),
    "socketpair family str": ("socketpair", ("x",), CLASS),
    "fromfd fd str": ("fromfd", ("x", std_socket.AF_INET, std_socket.SOCK_STREAM), CLASS),
}


@pytest.mark.parametrize("label", list(FUNCTION_CASES))
def test_function_arguments_like_the_stdlib(api, label):
    name, args, compare_text = FUNCTION_CASES[label]
    got = outcome_text(getattr(api, name), *args)
    want = outcome_text(getattr(std_socket, name), *args)
    for result in (got, want):
        if result[0] == "ok":
            sockets = result[1] if isinstance(result[1], tuple) else (result[1],)
            for s in sockets:
                s.close()
    if got[0] == want[0] == "ok":
        return  # two new sockets: equal as far as a test can tell
    assert_like_stdlib(got, want, text=compare_text,
                       pypy_differs=is_cffi(api) and label in PYPY_DIFFERS)


def test_socketpair_and_fromfd_take_index_objects(api):
    a, b = api.socketpair(Index(int(api.AF_UNIX)), Index(int(api.SOCK_DGRAM)), Index(0))
    with a, b:
        assert (a.family, a.type) == (api.AF_UNIX, api.SOCK_DGRAM)
        with api.fromfd(Index(a.fileno()), api.AF_UNIX, api.SOCK_DGRAM) as c:
            c.send(b"via the copy")
            assert b.recv(20) == b"via the copy"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12+ takes any truth value")
def test_setblocking_wants_an_integer_before_312(api):
    with api.socket() as s:
        with pytest.raises(TypeError):
            s.setblocking("yes")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="before 3.12 it wants an integer")
def test_setblocking_takes_any_truth_value_from_312(api):
    with api.socket() as s:
        s.setblocking("")
        assert s.getblocking() is False
        s.setblocking([1])
        assert s.getblocking() is True


# Keywords: the stdlib's C methods take none, except recv_into/recvfrom_into
# (and the Python-level helpers of socket.py).  (method, keyword arguments)
KEYWORD_CASES = [
    ("recv", dict(bufsize=1)), ("recvfrom", dict(bufsize=1)), ("recvmsg", dict(bufsize=1)),
    ("recv_into", dict(buffer=bytearray(1))), ("recv_into", dict(buffer=bytearray(1), nbytes=1)),
    ("recvfrom_into", dict(buffer=bytearray(1), nbytes=1, flags=0)),
    ("recvmsg_into", dict(buffers=[bytearray(1)])),
    ("send", dict(data=b"x")), ("sendall", dict(data=b"x")), ("sendto", dict(data=b"x")),
    ("sendmsg", dict(buffers=[b"x"])), ("bind", dict(address=("127.0.0.1", 0))),
    ("connect", dict(address=DEST)), ("connect_ex", dict(address=DEST)),
    ("listen", dict(backlog=1)), ("shutdown", dict(how=2)), ("settimeout", dict(value=1)),
    ("setblocking", dict(flag=True)), ("getsockopt", dict(level=SOL, optname=TYPE)),
    ("setsockopt", dict(level=SOL, optname=REUSE, value=1)),
    ("set_inheritable", dict(inheritable=False)), ("makefile", dict(mode="rb")),
]


# PyPy's methods take keywords where CPython's (and pysock's) take none.
PYPY_TAKES_KEYWORDS = {"recvmsg_into", "send", "sendall", "listen", "shutdown", "setblocking",
                       "getsockopt", "getnameinfo", "getservbyport", "setdefaulttimeout",
                       "htons"}


@pytest.mark.parametrize("method,kwargs", KEYWORD_CASES, ids=repr)
def test_keyword_arguments_like_the_stdlib(api, method, kwargs):
    with api.socket(*UDP) as ours, std_socket.socket(*UDP) as ref:
        for s in (ours, ref):
            s.setblocking(False)
        got = outcome_text(getattr(ours, method), **kwargs)
        want = outcome_text(getattr(ref, method), **kwargs)
        for result in (got, want):
            if result[0] == "ok" and hasattr(result[1], "close"):
                result[1].close()
    if got[0] == want[0] == "ok":
        return
    assert_like_stdlib(got, want, text=False, pypy_differs=is_cffi(api)
                       and method in PYPY_TAKES_KEYWORDS)


FUNCTION_KEYWORD_CASES = [
    ("gethostbyname", dict(hostname="127.0.0.1")), ("gethostbyname_ex", dict(hostname="127.0.0.1")),
    ("gethostbyaddr", dict(ip_address="127.0.0.1")),
    ("getnameinfo", dict(sockaddr=("127.0.0.1", 80), flags=0)),
    ("getservbyname", dict(servicename="http")), ("getservbyport", dict(port=80)),
    ("getprotobyname", dict(protocolname="tcp")), ("if_nametoindex", dict(if_name="lo")),
    ("if_indextoname", dict(if_index=1)), ("setdefaulttimeout", dict(timeout=None)),
    ("htons", dict(x=1)), ("inet_aton", dict(ip_string="1.2.3.4")),
    ("inet_pton", dict(address_family=std_socket.AF_INET, ip_string="1.2.3.4")),
    ("inet_ntoa", dict(packed_ip=bytes(4))), ("CMSG_LEN", dict(length=1)),
    ("getaddrinfo", dict(host="127.0.0.1", port=80)),
]


@pytest.mark.parametrize("name,kwargs", FUNCTION_KEYWORD_CASES, ids=repr)
def test_function_keywords_like_the_stdlib(api, name, kwargs):
    if not hasattr(std_socket, name):
        pytest.skip(f"this interpreter's socket module has no {name}")
    got = outcome_text(getattr(api, name), **kwargs)
    want = outcome_text(getattr(std_socket, name), **kwargs)
    if got[0] == want[0] == "ok":
        return
    assert_like_stdlib(got, want, text=False,
                       pypy_differs=is_cffi(api) and name in PYPY_TAKES_KEYWORDS)
