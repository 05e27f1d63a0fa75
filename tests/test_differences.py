"""The documented differences between the backends (README, docs/differences.md),
each asserted, so a change in either direction is noticed."""

from __future__ import annotations

import errno
import shutil
import socket as std_socket
import threading
import time

import pytest

from conftest import CPYTHON, PYPY, linux_only
from pysock import backends


def _blocked_recv_then_close(api):
    """Close a socket while another thread is blocked in recv on it.
    Returns (what the recv did, whether it returned within 2 s)."""
    a, b = api.socketpair()
    result = {}

    def reader():
        try:
            result["value"] = a.recv(10)
        except OSError as exc:
            result["error"] = exc.errno

    thread = threading.Thread(target=reader)
    thread.start()
    while not thread.is_alive():
        time.sleep(0.001)
    time.sleep(0.1)          # let it block in recv
    a.close()
    thread.join(timeout=2)
    returned = not thread.is_alive()
    b.close()                # EOF: wakes a reader still blocked (stdlib case)
    thread.join(timeout=5)
    return result, returned


def test_close_wakes_a_blocked_call_on_cffi():
    result, returned = _blocked_recv_then_close(backends.load("cffi"))
    assert returned
    assert result == {"error": errno.EBADF}


def test_close_leaves_a_blocked_call_blocked_on_stdlib():
    result, returned = _blocked_recv_then_close(backends.load("stdlib"))
    assert not returned                # CPython's behaviour: still blocked


def test_extra_linux_constants_only_on_cffi():
    cffi, stdlib = backends.load("cffi"), backends.load("stdlib")
    extras = set(cffi.__all__) - set(stdlib.__all__) - set(backends.CPYTHON_FUNCTIONS)
    assert "MSG_ZEROCOPY" in extras
    assert all(isinstance(getattr(cffi, name), int) for name in extras)


def test_typed_in_constants_only_on_stdlib():
    cffi, stdlib = backends.load("cffi"), backends.load("stdlib")
    for name in backends.TYPED_IN_STDLIB:
        assert not hasattr(cffi, name)
        assert hasattr(stdlib, name) == hasattr(std_socket, name)


@pytest.mark.skipif(not hasattr(std_socket, "AF_PACKET"), reason="needs AF_PACKET")
def test_other_families_bad_family_on_cffi():
    cffi = backends.load("cffi")
    with cffi.socket(cffi.AF_NETLINK, cffi.SOCK_RAW, 0) as s:
        with pytest.raises(OSError, match="bad family"):
            s.bind((0, 0))
    stdlib = backends.load("stdlib")
    with stdlib.socket(stdlib.AF_NETLINK, stdlib.SOCK_RAW, 0) as s:
        s.bind((0, 0))       # the stdlib parses netlink addresses


def test_default_timeouts_are_separate():
    cffi = backends.load("cffi")
    cffi.setdefaulttimeout(7.0)
    try:
        assert std_socket.getdefaulttimeout() is None
    finally:
        cffi.setdefaulttimeout(None)


TIMED_RECV = """
import sys
from pysock import backends
api = backends.load(sys.argv[1])
a, b = api.socketpair()
b.sendall(b"x")
a.settimeout(5)
assert a.recv(1) == b"x"
a.close(); b.close()
"""


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace to see the system calls")
@pytest.mark.parametrize("backend,calls", [("cffi", ["recvfrom"]), ("stdlib", ["poll", "recvfrom"])])
def test_a_call_with_a_timeout_tries_first_on_cffi(tmp_path, backend, calls):
    # With data already there, the cffi backend's recv() makes one system
    # call; the stdlib polls first.  The results are the same.
    import subprocess
    import sys
    log = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=poll,ppoll,recvfrom", "-o", str(log),
                    sys.executable, "-c", TIMED_RECV, backend], check=True, timeout=60)
    names = [line.split(None, 1)[1].split("(", 1)[0] for line in log.read_text().splitlines()]
    assert [name.replace("ppoll", "poll") for name in names] == calls


def test_capi_only_on_stdlib():
    assert not hasattr(backends.load("cffi"), "CAPI")
    assert getattr(backends.load("stdlib"), "CAPI", None) is getattr(std_socket, "CAPI", None)


def test_herror_code_when_libc_refuses_a_name_before_looking():
    # "<broadcast>" is refused by gethostbyname_r() before any lookup; it
    # reports HOST_NOT_FOUND through its out-parameter but leaves h_errno
    # alone, and the stdlib reads h_errno (0, or whatever an earlier lookup
    # in this thread left there).  pysock reports the out-parameter.
    with pytest.raises(std_socket.herror) as info:
        backends.load("cffi").gethostbyname_ex("<broadcast>")
    assert info.value.errno == 1            # HOST_NOT_FOUND
    with pytest.raises(std_socket.herror):
        backends.load("stdlib").gethostbyname_ex("<broadcast>")


def test_wrong_argument_count_is_worded_by_python():
    cffi = backends.load("cffi")
    with cffi.socket() as ours, std_socket.socket() as ref:
        for s in (ours, ref):
            with pytest.raises(TypeError) as info:
                s.recv()
            text = str(info.value)
            if s is ours:
                assert "missing 1 required positional argument" in text
            elif CPYTHON:
                assert text == "recv() takes at least 1 argument (0 given)"


def test_descriptor_numbers_beyond_c_int():
    # CPython casts the number to a C int: 2**32 + fd names descriptor fd.
    a, b = std_socket.socketpair()
    with a, b:
        with pytest.raises(OverflowError):
            backends.load("cffi").socket(fileno=2**32 + a.fileno())
        if CPYTHON:
            same = std_socket.socket(fileno=2**32 + a.fileno())
            assert same.fileno() == a.fileno()
            same.detach()


# ---- On PyPy: where PyPy's socket module departs from CPython's, pysock keeps
# CPython's behaviour.  Each test shows the two side by side on PyPy.

pypy_only = pytest.mark.skipif(not PYPY, reason="a difference of PyPy's socket module")


@pypy_only
def test_pypy_wraps_integers_beyond_c_int():
    cffi = backends.load("cffi")
    level = std_socket.SOL_SOCKET + 2**32
    with std_socket.socket() as ref, cffi.socket() as ours:
        assert ref.getsockopt(level, std_socket.SO_TYPE) == std_socket.SOCK_STREAM
        with pytest.raises(OverflowError):
            ours.getsockopt(level, std_socket.SO_TYPE)


@pypy_only
def test_pypy_methods_take_keywords():
    cffi = backends.load("cffi")
    with std_socket.socket() as ref, cffi.socket() as ours:
        ref.setblocking(flag=False)
        with pytest.raises(TypeError):
            ours.setblocking(flag=False)


@pypy_only
def test_pypy_host_names_are_str_only_and_read_to_a_nul():
    cffi = backends.load("cffi")
    with pytest.raises(TypeError):
        std_socket.gethostbyname(b"localhost")
    assert cffi.gethostbyname(b"localhost") == "127.0.0.1"
    assert std_socket.inet_aton("1.2.3.4\0junk") == b"\1\2\3\4"
    with pytest.raises(ValueError):
        cffi.inet_aton("1.2.3.4\0junk")


@pypy_only
def test_pypy_getaddrinfo_ports_and_scope():
    cffi = backends.load("cffi")
    assert std_socket.getaddrinfo("127.0.0.1", True, std_socket.AF_INET,
                                  std_socket.SOCK_DGRAM)[0][4] == ("127.0.0.1", 1)
    with pytest.raises(OSError, match="Int or String expected"):
        cffi.getaddrinfo("127.0.0.1", True)
    ref = std_socket.getaddrinfo("fe80::1%1", 80, std_socket.AF_INET6, std_socket.SOCK_DGRAM)
    ours = cffi.getaddrinfo("fe80::1%1", 80, std_socket.AF_INET6, std_socket.SOCK_DGRAM)
    assert ref[0][4][0].startswith("fe80::1%") and ours[0][4][0] == "fe80::1"


@pypy_only
def test_pypy_getnameinfo_parses_its_own_way():
    cffi = backends.load("cffi")
    numeric = std_socket.NI_NUMERICHOST | std_socket.NI_NUMERICSERV
    with pytest.raises(OverflowError):
        std_socket.getnameinfo(("127.0.0.1", 70000), numeric)
    assert cffi.getnameinfo(("127.0.0.1", 70000), numeric) == ("127.0.0.1", "4464")
    assert std_socket.getnameinfo(["127.0.0.1", 80], numeric) == ("127.0.0.1", "80")
    with pytest.raises(TypeError):
        cffi.getnameinfo(["127.0.0.1", 80], numeric)


@pypy_only
def test_pypy_setsockopt_has_no_none_form():
    cffi = backends.load("cffi")
    with std_socket.socket() as ref, cffi.socket() as ours:
        with pytest.raises(TypeError):
            ref.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR, None, 0)
        with pytest.raises(OSError) as info:
            ours.setsockopt(std_socket.SOL_SOCKET, std_socket.SO_REUSEADDR, None, 0)
        assert info.value.errno == errno.EINVAL    # the kernel's answer to optlen 0


@pypy_only
def test_pypy_ancillary_items_must_be_tuples():
    cffi = backends.load("cffi")
    item = [std_socket.SOL_SOCKET, std_socket.SCM_RIGHTS, b""]
    a, b = std_socket.socketpair()
    c, d = cffi.socketpair()
    with a, b, c, d:
        with pytest.raises(TypeError):
            a.sendmsg([b"x"], [item])
        assert c.sendmsg([b"x"], [item]) == 1


@pypy_only
def test_pypy_keeps_any_float_timeout():
    cffi = backends.load("cffi")
    with std_socket.socket() as ref, cffi.socket() as ours:
        ref.settimeout(1e-10)
        ours.settimeout(1e-10)
        assert (ref.gettimeout(), ours.gettimeout()) == (1e-10, 1e-9)
        ref.settimeout(1e300)
        with pytest.raises(OverflowError):
            ours.settimeout(1e300)


@pypy_only
def test_pypy_module_contents():
    cffi, stdlib = backends.load("cffi"), backends.load("stdlib")
    for name in backends.NOT_SOCKET_CONSTANTS:
        assert hasattr(std_socket, name) and hasattr(stdlib, name) and not hasattr(cffi, name)
    for name in backends.CPYTHON_FUNCTIONS:
        assert not hasattr(stdlib, name) and callable(getattr(cffi, name))


@pypy_only
def test_pypy_takes_any_descriptor_given_a_family():
    cffi = backends.load("cffi")
    with open("/dev/null", "rb") as f:
        ref = std_socket.socket(std_socket.AF_INET, std_socket.SOCK_STREAM, 0, f.fileno())
        ref.detach()
        with pytest.raises(OSError) as info:
            cffi.socket(std_socket.AF_INET, std_socket.SOCK_STREAM, 0, f.fileno())
        assert info.value.errno == errno.ENOTSOCK


@pypy_only
def test_pypy_inet_ntop_unknown_family_is_oserror():
    with pytest.raises(OSError) as info:
        std_socket.inet_ntop(99, b"1234")
    assert not isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="unknown address family 99"):
        backends.load("cffi").inet_ntop(99, b"1234")


@pypy_only
def test_pypy_words_its_own_messages():
    cffi = backends.load("cffi")
    with std_socket.socket() as ref, cffi.socket() as ours:
        texts = []
        for s in (ref, ours):
            with pytest.raises(TypeError) as info:
                s.recv(1, "x")
            texts.append(str(info.value))
    assert texts[1] == "'str' object cannot be interpreted as an integer" != texts[0]


@pypy_only
def test_pypy_listens_with_at_least_one():
    import subprocess
    cffi = backends.load("cffi")
    with std_socket.socket() as ref, cffi.socket() as ours:
        for s in (ref, ours):
            s.bind(("127.0.0.1", 0))
            s.listen(0)
        lines = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True,
                               timeout=30).stdout.splitlines()
        queue = {line.split()[3]: int(line.split()[2]) for line in lines}
        assert queue[f"127.0.0.1:{ref.getsockname()[1]}"] == 1
        assert queue[f"127.0.0.1:{ours.getsockname()[1]}"] == 0


def _devnull_descriptors():
    import os
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == os.devnull:
                found.add(int(name))
        except OSError:
            pass                        # the directory's own descriptor, gone
    return found


def test_fromfd_closes_its_duplicate_when_refused():
    # socket.py's fromfd() dups the descriptor and leaves the copy open when
    # socket() refuses it (not a socket); pysock closes it, on both backends.
    import os
    for name in backends.NAMES:
        api = backends.load(name)
        if PYPY and name == "stdlib":
            continue                    # PyPy's socket() takes any descriptor
        with open(os.devnull, "rb") as f:
            before = _devnull_descriptors()
            with pytest.raises(OSError):
                api.fromfd(f.fileno(), api.AF_INET, api.SOCK_STREAM)
            assert _devnull_descriptors() == before
    if CPYTHON:
        with open(os.devnull, "rb") as f:
            before = _devnull_descriptors()
            with pytest.raises(OSError):
                std_socket.fromfd(f.fileno(), std_socket.AF_INET, std_socket.SOCK_STREAM)
            leaked = _devnull_descriptors() - before
            assert len(leaked) == 1                # the stdlib's duplicate
            os.close(leaked.pop())


AUDIT_SCRIPT = """
import json, socket as std_socket, sys
from pysock import backends
events = []
sys.addaudithook(lambda name, args: events.append(name) if name.startswith("socket.") else None)
seen = {}
for name in ("cffi", "stdlib", "socket"):
    api = std_socket if name == "socket" else backends.load(name)
    with api.socket(api.AF_INET, api.SOCK_DGRAM) as s:
        del events[:]
        for call, args in [("bind", (("127.0.0.1", 70000),)), ("connect", (("127.0.0.1", -1),)),
                           ("sendto", (b"x", ("127.0.0.1", 70000))),
                           ("sendmsg", ([b"x"], [], 0, ("127.0.0.1", 70000))),
                           ("bind", (("127.0.0.1", 0),))]:
            try:
                getattr(s, call)(*args)
            except OverflowError:
                pass
        seen[name] = list(events)
print(json.dumps(seen))
"""


def test_audit_events_like_the_stdlib():
    # An address the stdlib refuses raises no audit event; a good one does.
    import json
    import subprocess
    import sys
    if not hasattr(sys, "addaudithook"):
        pytest.skip("no audit hooks on this interpreter")
    result = subprocess.run([sys.executable, "-c", AUDIT_SCRIPT], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["cffi"] == ["socket.bind"]
    if PYPY:
        # PyPy raises the event before it checks the address (docs/differences.md).
        assert seen["stdlib"] == seen["socket"] != seen["cffi"]
    else:
        assert seen["stdlib"] == seen["socket"] == seen["cffi"]


BATCH = """
import sys
from pysock import backends
api = backends.load(sys.argv[1])
a = api.socket(api.AF_INET, api.SOCK_DGRAM)
b = api.socket(api.AF_INET, api.SOCK_DGRAM)
b.bind(("127.0.0.1", 0))
b.settimeout(5)
assert a.sendmmsg([b"1", b"22", b"333"], b.getsockname()) == 3
got = []
while len(got) < 3:
    got += b.recvmmsg_into([bytearray(4) for _ in range(3)])
a.close(); b.close()
"""


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace to see the system calls")
@pytest.mark.parametrize("backend", ["cffi", "stdlib"])
def test_batches_take_one_system_call_on_cffi(tmp_path, backend):
    # The same datagrams arrive; cffi sends and receives the batch in one
    # system call each, the stdlib backend one call per datagram.
    import subprocess
    import sys
    log = tmp_path / "trace"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=sendto,sendmmsg,recvfrom,recvmmsg",
                    "-o", str(log), sys.executable, "-c", BATCH, backend],
                   check=True, timeout=60)
    names = [line.split(None, 1)[1].split("(", 1)[0] for line in log.read_text().splitlines()]
    if backend == "cffi":
        assert names.count("sendmmsg") == 1 and "sendto" not in names
        assert 1 <= names.count("recvmmsg") <= 3 and "recvfrom" not in names
    else:
        assert names.count("sendto") == 3 and "sendmmsg" not in names
        assert names.count("recvfrom") >= 3 and "recvmmsg" not in names


@linux_only
def test_splice_needs_os_splice_on_stdlib():
    import os
    r, w = os.pipe()
    try:
        os.write(w, b"x")
        a, b = backends.load("cffi").socketpair()
        with a, b:
            assert backends.load("cffi").splice(r, a, 1) == 1
            os.write(w, b"y")
            if hasattr(os, "splice"):
                assert backends.load("stdlib").splice(r, a, 1) == 1
                assert b.recv_exactly(2) == b"xy"
            else:
                with pytest.raises(OSError) as info:
                    backends.load("stdlib").splice(r, a, 1)
                assert info.value.errno == errno.ENOSYS
    finally:
        os.close(r)
        os.close(w)
