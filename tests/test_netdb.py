"""Names, services, protocols and interfaces, on both backends, against the stdlib.

Only names that resolve without DNS are asked: numeric addresses, "localhost"
and 127.0.0.1 (in /etc/hosts everywhere), AI_NUMERICHOST lookups, /etc/services
and /etc/protocols.  IPv6 names are asked numerically (many /etc/hosts files
lack "::1 localhost", which would send the question to DNS).
"""

from __future__ import annotations

import os
import shutil
import socket as std_socket
import subprocess
import sys

import pytest

from conftest import PYPY, assert_like_stdlib, is_cffi, outcome, outcome_text, requires_ipv6

AF_INET, AF_INET6, AF_UNSPEC = std_socket.AF_INET, std_socket.AF_INET6, std_socket.AF_UNSPEC
STREAM, DGRAM, RAW = std_socket.SOCK_STREAM, std_socket.SOCK_DGRAM, std_socket.SOCK_RAW
TCP, UDP = std_socket.IPPROTO_TCP, std_socket.IPPROTO_UDP
CANON, NUMERIC, PASSIVE = (std_socket.AI_CANONNAME, std_socket.AI_NUMERICHOST,
                           std_socket.AI_PASSIVE)
NUMERICSERV = std_socket.AI_NUMERICSERV

GETADDRINFO_CASES = [
    ("127.0.0.1", 80),
    ("127.0.0.1", "80"),
    ("127.0.0.1", b"80"),
    (b"127.0.0.1", 80),
    ("127.0.0.1", None),
    ("127.0.0.1", "http"),
    ("127.0.0.1", "nosuchservice"),
    ("127.0.0.1", "http", 0, 0, 0, NUMERICSERV),
    ("127.0.0.1", 80.0),
    ("127.0.0.1", True),
    ("127.0.0.1", -1),
    ("127.0.0.1", 70000),
    ("127.0.0.1", 2**70),
    (1, 80),
    (bytearray(b"127.0.0.1"), 80),
    (None, 80),
    (None, None),
    (None, 80, 0, 0, 0, PASSIVE),
    (None, 80, AF_INET6, STREAM, 0, PASSIVE),
    ("localhost", 80),
    ("localhost", 80, AF_INET),
    ("localhost", 80, AF_INET, STREAM),
    ("localhost", 80, AF_INET, DGRAM, UDP),
    ("localhost", 80, 0, 0, TCP),
    ("localhost", 80, 0, 0, 0, CANON),
    ("localhost", 80, AF_INET, 0, 0, NUMERIC),
    ("127.0.0.1", 80, 0, 0, 0, CANON),
    ("127.0.0.1", 80, 0, 0, 0, NUMERIC),
    ("127.0.0.1", 80, AF_INET6),
    ("127.0.0.1", 80, 9999),
    ("127.0.0.1", 80, 0, 9999),
    ("127.0.0.1", 80, 0, STREAM, UDP),
    ("127.0.0.1", 80, 0, RAW),
    ("127.0.0.1", 80, 0, 0, 0, -1),
    ("127.0.0.1", 80, 2**40),
    ("127.0.0.1", 80, "x"),
    ("::1", 80),
    ("::1", 80, AF_INET),
    ("::1", 80, AF_INET6, STREAM, 0, NUMERIC),
    ("fe80::1%1", 80, AF_INET6, DGRAM),
]


# Where PyPy's socket departs from CPython's and pysock keeps CPython's behaviour
# (docs/differences.md, "On PyPy"): PyPy takes bool ports and refuses float
# ones with TypeError, ignores integers beyond C int, and writes an IPv6 scope
# into the address text ("fe80::1%lo").
PYPY_GETADDRINFO_DIFFERS = [("127.0.0.1", 80.0), ("127.0.0.1", True),
                            ("127.0.0.1", 80, 2**40), ("fe80::1%1", 80, AF_INET6, DGRAM)]


def _listed(args, cases):
    """Whether `args` is one of `cases`, told apart by type too (80 == 80.0 == True)."""
    return repr(args) in {repr(case) for case in cases}


@pytest.mark.parametrize("args", GETADDRINFO_CASES, ids=repr)
def test_getaddrinfo_like_the_stdlib(api, args):
    _compare(api, "getaddrinfo", args, PYPY_GETADDRINFO_DIFFERS)


def _compare(api, name, args, pypy_cases):
    assert_like_stdlib(outcome_text(getattr(api, name), *args),
                       outcome_text(getattr(std_socket, name), *args),
                       pypy_differs=is_cffi(api) and _listed(args, pypy_cases))


def test_getaddrinfo_keywords(api):
    kwargs = dict(host="127.0.0.1", port=80, family=AF_INET, type=STREAM, proto=0, flags=0)
    assert api.getaddrinfo(**kwargs) == std_socket.getaddrinfo(**kwargs)


def test_getaddrinfo_results_are_the_enums(api):
    (family, kind, proto, canonname, address), = api.getaddrinfo(
        "localhost", 80, AF_INET, STREAM, 0, CANON)
    assert family is std_socket.AF_INET and kind is std_socket.SOCK_STREAM
    assert (proto, canonname, address) == (TCP, "localhost", ("127.0.0.1", 80))


def test_getaddrinfo_passive_is_the_wildcard(api):
    got = {info[4] for info in api.getaddrinfo(None, 80, AF_INET, STREAM, 0, PASSIVE)}
    assert got == {("0.0.0.0", 80)}


def test_getaddrinfo_errors_carry_the_eai_code(api):
    with pytest.raises(api.gaierror) as info:
        api.getaddrinfo("localhost", 80, 0, 0, 0, NUMERIC)
    assert info.value.errno == std_socket.EAI_NONAME
    with pytest.raises(std_socket.gaierror) as reference:
        std_socket.getaddrinfo("localhost", 80, 0, 0, 0, NUMERIC)
    assert str(info.value) == str(reference.value)
    with pytest.raises(api.gaierror) as info:
        api.getaddrinfo("127.0.0.1", "nosuchservice")
    assert info.value.errno == std_socket.EAI_SERVICE


@requires_ipv6
def test_getaddrinfo_ipv6_scope(api):
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy writes the scope into the text (docs/differences.md)")
    (_, _, _, _, address), = api.getaddrinfo("fe80::1%1", 80, AF_INET6, DGRAM)
    assert address == ("fe80::1", 80, 0, 1)


NI_NUMERIC = std_socket.NI_NUMERICHOST | std_socket.NI_NUMERICSERV
GETNAMEINFO_CASES = [
    (("127.0.0.1", 80), 0),
    (("127.0.0.1", 80), std_socket.NI_NUMERICHOST),
    (("127.0.0.1", 80), NI_NUMERIC),
    (("127.0.0.1", 53), std_socket.NI_DGRAM | std_socket.NI_NUMERICHOST),
    (("127.0.0.1", 80), std_socket.NI_NAMEREQD),
    (("127.0.0.1", 70000), NI_NUMERIC),
    (("127.0.0.1", -1), NI_NUMERIC),
    (("127.0.0.1", 2**40), NI_NUMERIC),
    (("127.0.0.1", 80, 0), NI_NUMERIC),
    (("127.0.0.1",), NI_NUMERIC),
    (("127.0.0.1", 80, 0, 0, 0), NI_NUMERIC),
    (["127.0.0.1", 80], NI_NUMERIC),
    ("127.0.0.1", NI_NUMERIC),
    ((1, 80), NI_NUMERIC),
    ((b"127.0.0.1", 80), NI_NUMERIC),
    (("127.0.0.1\0", 80), NI_NUMERIC),
    (("127.0.0.1", "80"), NI_NUMERIC),
    (("127.0.0.1", 80.0), NI_NUMERIC),
    (("localhost", 80), NI_NUMERIC),
    (("127.0.0.1", 80), "x"),
    (("127.0.0.1", 80), 2**40),
    (("::1", 80), NI_NUMERIC),
    (("::1", 80, 0, 0), NI_NUMERIC),
    (("::1", 80, 5, 0), NI_NUMERIC),
    (("::1", 80, 0x100000, 0), NI_NUMERIC),
    (("::1", 80, -1, 0), NI_NUMERIC),
    (("::1", 80, 2**70, 0), NI_NUMERIC),
    (("::1", 80, 0, -1), NI_NUMERIC),
    (("::1", 80, 1.0), NI_NUMERIC),
    (("fe80::1", 80, 0, 1), NI_NUMERIC),
    (("fe80::1%1", 80), NI_NUMERIC),
]


# PyPy parses the address tuple its own way: it checks the port range, takes
# lists, ignores an embedded NUL and integers beyond C int, refuses a negative
# scope_id, and says IndexError/ValueError for a tuple of the wrong size.
PYPY_GETNAMEINFO_DIFFERS = [
    (("127.0.0.1", 70000), NI_NUMERIC), (("127.0.0.1", 80, 0), NI_NUMERIC),
    (("127.0.0.1",), NI_NUMERIC), (("127.0.0.1", 80, 0, 0, 0), NI_NUMERIC),
    (["127.0.0.1", 80], NI_NUMERIC), (("127.0.0.1\0", 80), NI_NUMERIC),
    (("127.0.0.1", 80), 2**40), (("::1", 80, 2**70, 0), NI_NUMERIC),
    (("::1", 80, 0, -1), NI_NUMERIC),
]


@pytest.mark.parametrize("args", GETNAMEINFO_CASES, ids=repr)
def test_getnameinfo_like_the_stdlib(api, args):
    _compare(api, "getnameinfo", args, PYPY_GETNAMEINFO_DIFFERS)


def test_getnameinfo_port_wraps_like_cpython(api):
    # CPython hands the port to getaddrinfo as text; glibc keeps its low 16 bits.
    if PYPY and not is_cffi(api):
        pytest.skip("PyPy checks the port range (docs/differences.md)")
    assert api.getnameinfo(("127.0.0.1", 70000), NI_NUMERIC) == ("127.0.0.1", "4464")


def test_getnameinfo_names_the_loopback(api):
    assert api.getnameinfo(("127.0.0.1", 80), 0) == std_socket.getnameinfo(("127.0.0.1", 80), 0)
    assert api.getnameinfo(("127.0.0.1", 80), NI_NUMERIC) == ("127.0.0.1", "80")


def test_gethostname(api):
    assert api.gethostname() == std_socket.gethostname()
    assert outcome(api.gethostname, "x")[:2] == outcome(std_socket.gethostname, "x")[:2]


HOST_ARGUMENTS = ["localhost", "127.0.0.1", b"localhost", bytearray(b"127.0.0.1"), "",
                  "<broadcast>", "255.255.255.255", "127.1", "0x7f.1", "1.2.3.256",
                  "::1", 1, None, "a\0b", "a..b"]
NO_LOOKUP = ["localhost", "127.0.0.1", b"localhost", 1, None, "a\0b", "a..b",
             bytearray(b"localhost")]


def _pypy_host_differs(name):
    """PyPy's gethostby*() take only str, and look a name up up to an
    embedded NUL; CPython's take bytes too and refuse a NUL."""
    return isinstance(name, (bytes, bytearray)) or (isinstance(name, str) and "\0" in name)


@pytest.mark.parametrize("name", HOST_ARGUMENTS, ids=repr)
def test_gethostbyname_like_the_stdlib(api, name):
    assert_like_stdlib(outcome_text(api.gethostbyname, name), outcome_text(std_socket.gethostbyname, name),
                       pypy_differs=is_cffi(api) and _pypy_host_differs(name))


@pytest.mark.parametrize("name", NO_LOOKUP, ids=repr)
def test_gethostbyname_ex_like_the_stdlib(api, name):
    assert_like_stdlib(outcome_text(api.gethostbyname_ex, name), outcome_text(std_socket.gethostbyname_ex, name),
                       pypy_differs=is_cffi(api) and _pypy_host_differs(name))


@pytest.mark.parametrize("name", NO_LOOKUP, ids=repr)
def test_gethostbyaddr_like_the_stdlib(api, name):
    assert_like_stdlib(outcome_text(api.gethostbyaddr, name), outcome_text(std_socket.gethostbyaddr, name),
                       pypy_differs=is_cffi(api) and _pypy_host_differs(name))


def test_gethostbyaddr_and_getfqdn_of_the_loopback(api):
    name, aliases, addresses = api.gethostbyaddr("127.0.0.1")
    assert "127.0.0.1" in addresses
    assert (name, aliases, addresses) == std_socket.gethostbyaddr("127.0.0.1")
    for host in ("localhost", "127.0.0.1"):
        assert api.getfqdn(host) == std_socket.getfqdn(host)


def test_getfqdn_of_this_host_when_it_resolves_locally(api):
    with open("/etc/hosts") as hosts:
        local = any(std_socket.gethostname() in line.split()[1:]
                    for line in hosts if line.strip() and not line.startswith("#"))
    if not local:
        pytest.skip("this host's name is not in /etc/hosts (asking would use DNS)")
    assert api.getfqdn() == std_socket.getfqdn()
    assert api.gethostbyname(api.gethostname()) == std_socket.gethostbyname(
        std_socket.gethostname())


SERVICE_CASES = [
    ("getservbyname", ("http",)), ("getservbyname", ("http", "tcp")),
    ("getservbyname", ("domain", "udp")), ("getservbyname", ("nosuch",)),
    ("getservbyname", ("http", "nosuch")), ("getservbyname", (b"http",)),
    ("getservbyname", (1,)), ("getservbyname", ("http", 1)), ("getservbyname", ("a\0b",)),
    ("getservbyport", (80,)), ("getservbyport", (80, "tcp")), ("getservbyport", (53, "udp")),
    ("getservbyport", (65535,)), ("getservbyport", (-1,)), ("getservbyport", (65536,)),
    ("getservbyport", (2**40,)), ("getservbyport", ("80",)), ("getservbyport", (80.0,)),
    ("getservbyport", (80, 1)), ("getservbyport", (80, "nosuch")), ("getservbyport", (True,)),
    ("getprotobyname", ("tcp",)), ("getprotobyname", ("udp",)), ("getprotobyname", ("icmp",)),
    ("getprotobyname", ("nosuch",)), ("getprotobyname", (b"tcp",)), ("getprotobyname", (1,)),
    ("getprotobyname", ("a\0b",)),
]


@pytest.mark.parametrize("name,args", SERVICE_CASES, ids=repr)
def test_services_and_protocols_like_the_stdlib(api, name, args):
    # PyPy looks a name with an embedded NUL up (OSError "not found"); CPython
    # refuses it with ValueError.
    assert_like_stdlib(outcome_text(getattr(api, name), *args),
                       outcome_text(getattr(std_socket, name), *args),
                       pypy_differs=is_cffi(api) and "a\0b" in args)


def test_services_answer_from_the_system_tables(api):
    assert api.getservbyname("http", "tcp") == 80
    assert api.getservbyport(80, "tcp") == "http"
    assert api.getprotobyname("udp") == UDP


def test_if_nameindex_and_lookups(api):
    if not hasattr(api, "if_nameindex"):
        pytest.skip("PyPy's socket module, so its stdlib backend, has no if_* functions")
    table = api.if_nameindex()
    assert table, "no network interfaces"
    if hasattr(std_socket, "if_nameindex"):
        assert table == std_socket.if_nameindex()
    for index, name in table:
        assert api.if_nametoindex(name) == index
        assert api.if_indextoname(index) == name


INTERFACE_CASES = [
    ("if_nametoindex", ("lo",)), ("if_nametoindex", (b"lo",)), ("if_nametoindex", ("nosuch",)),
    ("if_nametoindex", (1,)), ("if_nametoindex", ("lo\0",)), ("if_nametoindex", (b"lo\0",)),
    ("if_nametoindex", ("",)), ("if_nametoindex", (None,)), ("if_nametoindex", ("x" * 100,)),
    ("if_indextoname", (0,)), ("if_indextoname", (2**31 - 1,)), ("if_indextoname", (-1,)),
    ("if_indextoname", (2**32,)), ("if_indextoname", (2**32 + 1,)), ("if_indextoname", (2**70,)),
    ("if_indextoname", ("1",)), ("if_indextoname", (1.0,)), ("if_indextoname", (None,)),
    ("if_indextoname", (True,)),
]


@pytest.mark.parametrize("name,args", INTERFACE_CASES, ids=repr)
def test_interface_lookups_like_the_stdlib(api, name, args):
    if not hasattr(std_socket, name):
        pytest.skip(f"this interpreter's socket module has no {name}")
    assert_like_stdlib(outcome_text(getattr(api, name), *args),
                       outcome_text(getattr(std_socket, name), *args))


def test_ipv6_flags_agree_with_the_stdlib(api):
    assert api.has_ipv6 is std_socket.has_ipv6
    assert api.has_dualstack_ipv6() is std_socket.has_dualstack_ipv6()


def test_exception_classes_are_the_stdlibs_own(api):
    assert api.error is OSError is std_socket.error
    assert api.herror is std_socket.herror
    assert api.gaierror is std_socket.gaierror
    assert api.timeout is std_socket.timeout
    assert issubclass(api.gaierror, OSError) and issubclass(api.herror, OSError)


def test_pysock_errors_are_caught_as_the_stdlibs(api):
    with pytest.raises(std_socket.gaierror) as info:
        api.getaddrinfo("localhost", 80, 0, 0, 0, NUMERIC)
    assert info.value.errno == std_socket.EAI_NONAME
    with pytest.raises(std_socket.herror):
        api.gethostbyname_ex("<broadcast>")   # refused by libc before any lookup


SETHOSTNAME_SCRIPT = """
import socket as std_socket, sys
from pysock import backends
api = backends.load(sys.argv[1])
def outcome(call, *args):
    try:
        call(*args)
        return ("ok",)
    except Exception as exc:
        return ("raised", type(exc).__name__)
for value in (5, None, bytearray(b"x"), "a\\0b"):
    assert outcome(api.sethostname, value) == outcome(std_socket.sethostname, value), value
assert std_socket.gethostname() == "pysock-untouched"
api.sethostname("pysock-" + sys.argv[1])
assert std_socket.gethostname() == api.gethostname() == "pysock-" + sys.argv[1]
api.sethostname(b"pysock-bytes")
assert api.gethostname() == "pysock-bytes"
"""


@pytest.mark.parametrize("backend", ["cffi", "stdlib"])
def test_sethostname_in_a_private_uts_namespace(backend):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) for a private UTS namespace")
    result = subprocess.run(
        ["unshare", "--uts", "sh", "-c",
         'hostname pysock-untouched && exec "$0" -c "$1" "$2"',
         sys.executable, SETHOSTNAME_SCRIPT, backend],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
