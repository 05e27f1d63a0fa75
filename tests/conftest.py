"""Shared fixtures: the backend under test, temp paths, descriptor accounting.

Every behavioural test takes the ``api`` fixture and so runs once per backend
(``cffi`` and ``stdlib``), against real sockets.  The cffi run is never skipped:
if the extension is missing, those tests error.
"""

from __future__ import annotations

import gc
import os
import socket as std_socket
import sys
import tempfile
import threading
from typing import Any, Callable, Iterator, Tuple

import pytest

import pysock
from pysock import backends

# lab_support's session fixture (the C twins, built once) is registered here,
# once: imported into each test module it would be built once per module.
pytest_plugins = ["lab_support"]

BACKENDS = backends.NAMES


def pytest_report_header(config: Any) -> str:
    return (f"pysock {pysock.__version__}: PYSOCK_BACKEND="
            f"{os.environ.get('PYSOCK_BACKEND', 'auto')} -> {pysock.backend}"
            + (f" ({pysock.backend_error})" if pysock.backend_error else ""))


def pytest_sessionstart(session: Any) -> None:
    # CI sets PYSOCK_BACKEND=cffi: a broken build must fail, never pass as stdlib.
    if os.environ.get("PYSOCK_BACKEND") == "cffi":
        assert pysock.backend == "cffi", pysock.backend_error


@pytest.fixture(params=BACKENDS)
def api(request: Any) -> Any:
    """The socket API of one backend (a module shaped like ``socket``)."""
    return backends.load(request.param)


def is_cffi(api: Any) -> bool:
    """Whether a module the `api` fixture gave is the cffi backend."""
    return api.__name__ == "pysock.backends.cffi"


@pytest.fixture
def cffi_api() -> Any:
    return backends.load("cffi")


@pytest.fixture
def stdlib_api() -> Any:
    return backends.load("stdlib")


@pytest.fixture
def tmp_sock_dir() -> Iterator[str]:
    """A short temp dir for UNIX socket paths (sun_path holds 108 bytes)."""
    with tempfile.TemporaryDirectory(prefix="ps", dir="/tmp") as path:
        yield path


# Linux lists a process's descriptors in /proc; macOS (the cibuildwheel test
# run there) only in /dev/fd.  Either listing opens one descriptor of its own,
# the same one before and after a test, so the comparison is unaffected.
FD_DIR = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"


def open_fds() -> set:
    return set(os.listdir(FD_DIR))


@pytest.fixture(autouse=True)
def no_fd_leak(request: Any) -> Iterator[None]:
    """Fail a test that leaves descriptors open."""
    if "allow_fd_change" in request.keywords:
        yield
        return
    # gc.collect() only when descriptors differ: a full collection costs tens
    # of milliseconds with hypothesis loaded, which over ~800 tests was most of
    # the suite's time.  Objects freed late only ever make `after` smaller.
    before = open_fds()
    yield
    after = open_fds()
    if after - before:
        gc.collect()
        after = open_fds()
    if after - before:
        # A thread may still be closing; give it a moment before judging.
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and thread.daemon is False:
                thread.join(timeout=2)
        gc.collect()
        after = open_fds()
    leaked = {fd: _describe(fd) for fd in after - before}
    assert not leaked, f"descriptors left open: {leaked}"


def _describe(fd: str) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return "?"


def outcome(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Tuple[Any, ...]:
    """What a call did, comparable across backends: ("ok", result) or
    ("raised", exception class, errno)."""
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the point is to compare any error
        return ("raised", type(exc), getattr(exc, "errno", None))


def outcome_text(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Tuple[Any, ...]:
    """outcome() with the exception's message last: ("raised", class, errno, text)."""
    try:
        return ("ok", func(*args, **kwargs), None, None)
    except Exception as exc:  # noqa: BLE001
        return ("raised", type(exc), getattr(exc, "errno", None), str(exc))


# The stdlib's messages are CPython's words; PyPy's socket module words its own.
CPYTHON = sys.implementation.name == "cpython"
PYPY = sys.implementation.name == "pypy"
# Messages CPython words differently across 3.9-3.13 (3.9 said "an integer is
# required (got type str)" where 3.10+ say "'str' object cannot be ...").
_VERSION_WORDED = ("cannot be interpreted as an integer", "an integer is required (got type",
                   "integer argument expected, got")


def assert_like_stdlib(got: Tuple[Any, ...], want: Tuple[Any, ...], *, text: bool = True,
                       pypy_differs: bool = False) -> None:
    """pysock's outcome_text() against the running stdlib's: the same result or
    exception class and errno, and on CPython the same message (unless `text`
    is False or CPython's wording of it varies by version).

    pypy_differs marks a case where PyPy's socket module departs from CPython's
    and pysock keeps CPython's behaviour (docs/differences.md, "On PyPy"): on
    PyPy the difference itself is asserted, so a change on either side shows."""
    if PYPY and pypy_differs:
        assert got[:3] != want[:3], "documented PyPy difference no longer differs"
        return
    assert got[:3] == want[:3]
    if text and CPYTHON and not any(part in str(want[3]) for part in _VERSION_WORDED):
        assert got[3] == want[3]


def tcp_pair(api: Any, family: int = std_socket.AF_INET,
             host: str = "127.0.0.1") -> Tuple[Any, Any, Any]:
    """(listener, client, server side) connected over loopback TCP."""
    listener = api.socket(family, api.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen()
    client = api.socket(family, api.SOCK_STREAM)
    client.connect(listener.getsockname()[:2])
    server, _ = listener.accept()
    return listener, client, server


@pytest.fixture
def tcp(api: Any) -> Iterator[Tuple[Any, Any]]:
    """(client, server) of a loopback TCP connection on the backend under test."""
    listener, client, server = tcp_pair(api)
    listener.close()
    yield client, server
    client.close()
    server.close()


@pytest.fixture
def unix_pair(api: Any) -> Iterator[Tuple[Any, Any]]:
    """A connected UNIX stream socketpair on the backend under test."""
    a, b = api.socketpair()
    yield a, b
    a.close()
    b.close()


def recv_exactly(sock: Any, size: int) -> bytes:
    """Read until `size` bytes came or the peer closed."""
    got = bytearray()
    while len(got) < size:
        chunk = sock.recv(min(1 << 16, size - len(got)))
        if not chunk:
            break
        got += chunk
    return bytes(got)


@pytest.fixture
def udp(api: Any) -> Iterator[Tuple[Any, Any]]:
    """Two UDP sockets bound on 127.0.0.1."""
    a = api.socket(api.AF_INET, api.SOCK_DGRAM)
    b = api.socket(api.AF_INET, api.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    yield a, b
    a.close()
    b.close()


requires_ipv6 = pytest.mark.skipif(
    not std_socket.has_ipv6 or not os.path.exists("/proc/net/if_inet6"),
    reason="IPv6 loopback not available on this machine")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux behaviour")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "allow_fd_change: the test opens or closes "
                            "descriptors on purpose (e.g. fork, fd inheritance)")
