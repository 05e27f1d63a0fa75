"""Descriptors: none leaked on error paths (the autouse no_fd_leak fixture
judges each test; these drive the error paths), close-on-exec on every
descriptor pysock makes (checked with fcntl and by a child process that must
not inherit them), and fork safety."""

from __future__ import annotations

import array
import contextlib
import errno
import fcntl
import os
import signal
import socket as std_socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import is_cffi, linux_only, outcome, recv_exactly
from pysock import backends
from faults_support import FullBacklog, loopback_listener

pytestmark = linux_only


def _closed_port(api):
    s = api.socket(api.AF_INET, api.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _connect_refused(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
        s.connect(("127.0.0.1", _closed_port(api)))


def _create_connection_refused(api):
    api.create_connection(("127.0.0.1", _closed_port(api)), timeout=5)


def _bind_in_use(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as first:
        first.bind(("127.0.0.1", 0))
        first.listen()
        with api.socket(api.AF_INET, api.SOCK_STREAM) as second:
            second.bind(first.getsockname())


def _create_server_in_use(api):
    with api.create_server(("127.0.0.1", 0)) as first:
        api.create_server(first.getsockname())


def _accept_not_listening(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
        s.accept()


def _bad_port(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
        s.connect(("127.0.0.1", 65536))


def _bad_address_type(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
        s.connect(("127.0.0.1", "http"))


def _unix_path_too_long(api):
    with api.socket(api.AF_UNIX, api.SOCK_STREAM) as s:
        s.bind("/tmp/" + "x" * 200)


def _bad_family(api):
    api.socket(12345, api.SOCK_STREAM)


def _bad_type(api):
    api.socket(api.AF_INET, 12345)


def _socketpair_bad_family(api):
    api.socketpair(api.AF_INET6, api.SOCK_DGRAM)


def _fromfd_not_a_socket(api):
    read_end, write_end = os.pipe()
    try:
        api.fromfd(read_end, api.AF_INET, api.SOCK_STREAM)
    finally:
        os.close(read_end)
        os.close(write_end)


def _recv_timeout(api):
    a, b = api.socketpair()
    with a, b:
        a.settimeout(0.05)
        a.recv(10)


def _accept_timeout(api):
    with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        s.settimeout(0.05)
        s.accept()


def _connect_timeout(api):
    backlog = FullBacklog(api)
    try:
        with api.socket(api.AF_INET, api.SOCK_STREAM) as s:
            s.settimeout(0.1)
            s.connect(backlog.address)
    finally:
        backlog.close()


def _create_connection_timeout(api):
    backlog = FullBacklog(api)
    try:
        api.create_connection(backlog.address, timeout=0.1)
    finally:
        backlog.close()


def _send_after_close(api):
    a, b = api.socketpair()
    b.close()
    a.close()
    a.send(b"x")


ERROR_PATHS = {
    "connect refused": (_connect_refused, ConnectionRefusedError, errno.ECONNREFUSED),
    "create_connection refused": (_create_connection_refused, ConnectionRefusedError,
                                  errno.ECONNREFUSED),
    "bind in use": (_bind_in_use, OSError, errno.EADDRINUSE),
    "create_server in use": (_create_server_in_use, OSError, errno.EADDRINUSE),
    "accept not listening": (_accept_not_listening, OSError, errno.EINVAL),
    "port out of range": (_bad_port, OverflowError, None),
    "port of a wrong type": (_bad_address_type, TypeError, None),
    "unix path too long": (_unix_path_too_long, OSError, None),
    "socket bad family": (_bad_family, OSError, errno.EAFNOSUPPORT),
    "socket bad type": (_bad_type, OSError, errno.EINVAL),
    "socketpair bad family": (_socketpair_bad_family, OSError, errno.EOPNOTSUPP),
    "fromfd not a socket": (_fromfd_not_a_socket, OSError, errno.ENOTSOCK),
    "recv timeout": (_recv_timeout, std_socket.timeout, None),
    "accept timeout": (_accept_timeout, std_socket.timeout, None),
    "connect timeout": (_connect_timeout, std_socket.timeout, None),
    "create_connection timeout": (_create_connection_timeout, std_socket.timeout, None),
    "send after close": (_send_after_close, OSError, errno.EBADF),
}


@pytest.mark.parametrize("case", list(ERROR_PATHS))
def test_error_paths_leave_no_descriptor(api, case):
    """Each error path raises the stdlib's class and errno; no_fd_leak checks
    that it left no descriptor behind."""
    call, kind, code = ERROR_PATHS[case]
    got = outcome(call, api)
    assert got[0] == "raised" and issubclass(got[1], kind), got
    assert got[2] == code, got
    assert got == outcome(call, backends.load("stdlib"))


@contextlib.contextmanager
def descriptors_in_flight(api, count):
    """A socketpair (a, b) with b"fds" and `count` pipe read ends sent from a
    in SCM_RIGHTS, not yet received; everything closed on the way out."""
    a, b = api.socketpair()
    pipes = [os.pipe() for _ in range(count)]
    try:
        a.sendmsg([b"fds"], [(api.SOL_SOCKET, api.SCM_RIGHTS,
                              array.array("i", [r for r, _ in pipes]).tobytes())])
        yield a, b
    finally:
        a.close()
        b.close()
        for r, w in pipes:
            os.close(r)
            os.close(w)


@pytest.mark.parametrize("room", [0, 1, 2])
def test_scm_rights_truncated_by_the_receiver_leaves_no_descriptor(api, room):
    """Three descriptors sent, room for `room` of them: MSG_CTRUNC, the ones
    that fit arrive (and are closed here), the kernel closes the rest."""
    with descriptors_in_flight(api, 3) as (a, b):
        ancbuf = api.CMSG_LEN(room * 4) if room else 0
        msg, ancdata, flags, _ = b.recvmsg(10, ancbuf)
        assert msg == b"fds"
        assert flags & api.MSG_CTRUNC
        received = []
        for level, kind, data in ancdata:
            assert (level, kind) == (api.SOL_SOCKET, api.SCM_RIGHTS)
            received += array.array("i", data[: len(data) - len(data) % 4])
        assert len(received) == room
        for fd in received:
            os.close(fd)


@pytest.mark.parametrize("reader", ["recv", "close"])
def test_scm_rights_never_collected_leaves_no_descriptor(api, reader):
    """The receiver reads the message without ancillary room, or closes the
    socket with the message unread: the descriptors in flight are released."""
    with descriptors_in_flight(api, 2) as (_, b):
        if reader == "recv":
            assert b.recv(10) == b"fds"


def _made_descriptors(api, stack):
    """{how: socket or descriptor} for every way pysock makes a descriptor."""
    listener = api.socket(api.AF_INET, api.SOCK_STREAM)
    stack.append(listener)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    made = {"socket": listener}
    pair = api.socketpair()
    stack.extend(pair)
    made["socketpair"] = pair[0]
    made["socketpair other end"] = pair[1]
    client = api.create_connection(listener.getsockname(), timeout=5)
    stack.append(client)
    made["create_connection"] = client
    accepted, _ = listener.accept()
    stack.append(accepted)
    made["accept"] = accepted
    made["dup"] = listener.dup()
    stack.append(made["dup"])
    made["fromfd"] = api.fromfd(listener.fileno(), api.AF_INET, api.SOCK_STREAM)
    stack.append(made["fromfd"])
    made["socket with SOCK_NONBLOCK"] = api.socket(api.AF_INET,
                                                   api.SOCK_STREAM | api.SOCK_NONBLOCK)
    stack.append(made["socket with SOCK_NONBLOCK"])
    server = api.create_server(("127.0.0.1", 0))
    stack.append(server)
    made["create_server"] = server
    read_end, write_end = os.pipe()
    try:
        api.send_fds(pair[0], [b"x"], [read_end])
        _, fds, _, _ = api.recv_fds(pair[1], 10, 1)
    finally:
        os.close(read_end)
        os.close(write_end)
    made["SCM_RIGHTS received"] = fds[0]
    stack.append(fds[0])
    return made


def _fd(item):
    return item if isinstance(item, int) else item.fileno()


def _close_all(stack):
    for item in stack:
        if isinstance(item, int):
            os.close(item)
        else:
            item.close()


def test_every_new_descriptor_is_close_on_exec(api):
    """FD_CLOEXEC on every descriptor pysock makes, and a child process
    started without close_fds inherits none of them.

    Exception, stdlib only: descriptors received with SCM_RIGHTS are
    inheritable (CPython's recvmsg does not ask for MSG_CMSG_CLOEXEC); the
    cffi backend makes them close-on-exec (docs/differences.md)."""
    stack = []
    try:
        made = _made_descriptors(api, stack)
        flags = {how: bool(fcntl.fcntl(_fd(item), fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
                 for how, item in made.items()}
        child = subprocess.run(
            [sys.executable, "-c", "import os; print(' '.join(os.listdir('/proc/self/fd')))"],
            close_fds=False, capture_output=True, text=True, timeout=30)
        inherited = {int(n) for n in child.stdout.split()}
        leaked = {how for how, item in made.items() if _fd(item) in inherited}
    finally:
        _close_all(stack)
    if is_cffi(api):
        assert all(flags.values()), flags
        assert leaked == set()
    else:
        assert {how for how, cloexec in flags.items() if not cloexec} == {"SCM_RIGHTS received"}
        assert leaked == {"SCM_RIGHTS received"}


def _wait_child(pid, seconds=20):
    """The child's exit status; a child still running after `seconds` is
    killed and the test fails."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("forked child hung")


def _in_child(body):
    """fork(); the child runs body() and exits 0 if it returned True, else 1."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(10)        # a hung child ends on its own
            code = 0 if body() else 1
        finally:
            os._exit(code)
    return pid


def test_child_uses_a_socket_inherited_over_fork(api, tcp):
    client, server = tcp
    client.settimeout(10)

    def child():
        client.sendall(b"from the child")
        return recv_exactly(client, 9) == b"reply ok!"

    pid = _in_child(child)
    server.settimeout(10)
    assert recv_exactly(server, 14) == b"from the child"
    server.sendall(b"reply ok!")
    assert _wait_child(pid) == 0
    client.sendall(b"parent still")
    assert recv_exactly(server, 12) == b"parent still"


def test_sockets_made_in_a_forked_child(api):
    listener = loopback_listener(api)
    address = listener.getsockname()

    def child():
        a, b = api.socketpair()
        a.sendall(b"pair")
        ok = b.recv(4) == b"pair"
        with api.create_connection(address, timeout=10) as c:
            c.sendall(b"child made me")
        a.close()
        b.close()
        return ok

    try:
        pid = _in_child(child)
        listener.settimeout(10)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            assert recv_exactly(conn, 13) == b"child made me"
        assert _wait_child(pid) == 0
    finally:
        listener.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")   # fork() with threads (3.12+)
def test_fork_while_a_call_is_in_flight(api):
    """A parent thread is blocked in recv() on a socket when the process
    forks; the child closes its copy of the socket.  In the child no call is
    in flight (the blocked thread does not exist there), so its close() just
    closes its descriptor: the parent's call stays blocked and then gets the
    data (a stale in-flight count would make the child shut the shared
    socket down under the parent)."""
    a, b = api.socketpair()
    got = []
    reader = threading.Thread(target=lambda: got.append(a.recv(100)), daemon=True)
    reader.start()
    time.sleep(0.1)
    cffi = is_cffi(api)

    def child():
        if cffi:
            from pysock.backends.cffi.native import lib
            if lib.ps_sock_in_flight(a._h) != 0:
                return False
        a.close()
        b.close()
        return True

    try:
        assert _wait_child(_in_child(child)) == 0
        time.sleep(0.1)
        assert reader.is_alive() and got == []      # untouched by the child's close
        b.sendall(b"after the fork")
        reader.join(10)
        assert got == [b"after the fork"]
    finally:
        b.close()
        reader.join(5)
        a.close()
