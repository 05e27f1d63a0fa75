"""Network faults on a real link: two network namespaces joined by a veth
pair (198.18.0.1/30 "near" and 198.18.0.2/30 "far", MTU 1500), created for
this module under names unique to the run and always deleted.

The sockets under test are made in the near namespace by a thread that
entered it (setns(2) moves only the calling thread), then used from the test
as any other socket; the peers run in the far namespace, in a thread that
entered it or in a process started with `ip netns exec`.  Skipped, with the
reason, where namespaces cannot be made (not root, no CAP_NET_ADMIN, no ip).

Also here, without namespaces: the largest UDP datagram on loopback."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import itertools
import os
import shutil
import signal
import socket as std_socket
import subprocess
import threading
import time
import uuid

import pytest

from conftest import linux_only, outcome
from faults_support import backend_command, backend_name
from pysock import backends

pytestmark = linux_only

NEAR_IP, FAR_IP = "198.18.0.1", "198.18.0.2"
_CLONE_NEWNET = 0x40000000            # <sched.h>; os.CLONE_NEWNET from 3.12


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20,
                          check=check)


class Link:
    """The two namespaces and the veth between them."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.near, self.far = f"ps-{tag}-near", f"ps-{tag}-far"
        self.near_dev, self.far_dev = f"psn{tag}", f"psf{tag}"

    def create(self):
        _ip("netns", "add", self.near)
        _ip("netns", "add", self.far)
        _ip("link", "add", self.near_dev, "netns", self.near, "type", "veth",
            "peer", "name", self.far_dev, "netns", self.far)
        for ns, dev, address in ((self.near, self.near_dev, NEAR_IP),
                                 (self.far, self.far_dev, FAR_IP)):
            _ip("-n", ns, "addr", "add", f"{address}/30", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "mtu", "1500", "up")
            _ip("-n", ns, "link", "set", "lo", "up")

    def delete(self):
        for ns in (self.near, self.far):       # deleting a namespace deletes its veth end
            _ip("netns", "del", ns, check=False)

    def set_near(self, state):
        _ip("-n", self.near, "link", "set", self.near_dev, state)

    def run_in(self, ns, func):
        """func() in a thread that entered namespace `ns`; returns its result."""
        result = {}

        def enter_and_run():
            try:
                fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY | os.O_CLOEXEC)
                try:
                    if hasattr(os, "setns"):
                        os.setns(fd, _CLONE_NEWNET)
                    elif ctypes.CDLL(None, use_errno=True).setns(fd, _CLONE_NEWNET) != 0:
                        code = ctypes.get_errno()
                        raise OSError(code, os.strerror(code))
                finally:
                    os.close(fd)
                result["value"] = func()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                result["error"] = exc

        thread = threading.Thread(target=enter_and_run)
        thread.start()
        thread.join(30)
        if "error" in result:
            raise result["error"]
        return result["value"]

    def peer(self, backend, code, *args):
        """A process in the far namespace running `code` (api bound to the
        backend); returns it once it printed its first line ("ready")."""
        proc = subprocess.Popen(backend_command(backend, code, args,
                                                ["ip", "netns", "exec", self.far]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        if line.strip() != "ready":
            proc.kill()
            proc.wait(10)
            raise AssertionError(f"peer did not start: {line!r} {proc.stderr.read()}")
        return proc


def _cannot_make_namespaces():
    if shutil.which("ip") is None:
        return "no ip(8) command"
    probe = f"ps-probe-{uuid.uuid4().hex[:8]}"
    result = _ip("netns", "add", probe, check=False)
    if result.returncode != 0:
        return f"cannot create network namespaces: {result.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


@pytest.fixture(scope="module")
def link():
    reason = _cannot_make_namespaces()
    if reason:
        pytest.skip(reason)
    made = Link()
    try:
        made.create()
        yield made
    finally:
        made.delete()


@pytest.fixture
def near_link(link):
    """The link, up at the start and again at the end of each test."""
    link.set_near("up")
    yield link
    link.set_near("up")


_ports = itertools.count(20000 + os.getpid() % 20000)


def _port():
    return next(_ports)


def _near_tcp(api, link):
    return link.run_in(link.near, lambda: api.socket(api.AF_INET, api.SOCK_STREAM))


# A far-side peer: accepts one connection, prints "ready" first; sys.argv[1]
# is the port, sys.argv[2] what to do with the connection.
PEER = """
import os, signal, sys, time
port, action = int(sys.argv[1]), sys.argv[2]
listener = api.socket(api.AF_INET, api.SOCK_STREAM)
listener.setsockopt(api.SOL_SOCKET, api.SO_REUSEADDR, 1)
listener.bind(("198.18.0.2", port))
listener.listen()
print("ready", flush=True)
conn, _ = listener.accept()
if action == "reset after 100 kB":
    got = 0
    while got < 100000:
        got += len(conn.recv(65536))
    conn.setsockopt(api.SOL_SOCKET, api.SO_LINGER, b"\\x01\\0\\0\\0\\0\\0\\0\\0")
    conn.close()
    time.sleep(5)
elif action == "send for ever":
    chunk = b"s" * 65536
    while True:
        conn.sendall(chunk)
elif action == "read for ever":
    while conn.recv(65536):
        pass
"""


def _stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()


@contextlib.contextmanager
def connected_to_peer(api, link, action, timeout):
    """(near socket connected to a PEER doing `action`, the peer process);
    both ended on the way out."""
    port = _port()
    peer = link.peer(backend_name(api), PEER, str(port), action)
    try:
        sock = _near_tcp(api, link)
        try:
            sock.settimeout(timeout)
            sock.connect((FAR_IP, port))
            yield sock, peer
        finally:
            sock.close()
    finally:
        _stop(peer)


@pytest.mark.netns
def test_peer_reset_mid_transfer(api, near_link):
    """The peer closes with SO_LINGER 0 after 100 kB: the sender gets
    ConnectionResetError (never a hang), and the socket then reports EOF or
    EPIPE like any reset connection."""
    with connected_to_peer(api, near_link, "reset after 100 kB", 10) as (sock, _):
        chunk = b"c" * 65536
        with pytest.raises(ConnectionResetError):
            for _ in range(2000):            # 128 MB: far beyond any buffer
                sock.sendall(chunk)
        with pytest.raises(BrokenPipeError):
            sock.sendall(chunk)
        assert sock.recv(10) == b""


@pytest.mark.netns
@pytest.mark.parametrize("direction", ["recv", "sendall"])
def test_link_down_mid_transfer_times_out(api, near_link, direction):
    """Data flows, then the near link goes down: the next call that has to
    wait times out with TimeoutError about 1 s (the timeout) later."""
    action = "send for ever" if direction == "recv" else "read for ever"
    with connected_to_peer(api, near_link, action, 1.0) as (sock, _):
        moved = 0
        call = ((lambda: len(sock.recv(65536))) if direction == "recv"
                else (lambda: sock.sendall(b"d" * 65536) or 65536))
        while moved < (1 << 20):
            moved += call()
        near_link.set_near("down")
        down_at = time.monotonic()
        with pytest.raises(std_socket.timeout):
            while time.monotonic() - down_at < 30:
                call()
        waited = time.monotonic() - down_at
        # What was in flight is drained first; the timeout then runs once.
        assert 0.9 <= waited < 6, waited


@pytest.mark.netns
@pytest.mark.parametrize("how", ["reading", "writing"])
def test_peer_process_killed_mid_transfer(api, near_link, how):
    """The peer process is killed (SIGKILL) mid-transfer: the kernel closes
    its socket; reading gives EOF or ConnectionResetError, writing
    BrokenPipeError or ConnectionResetError; never a hang (timeout 10 s)."""
    action = "send for ever" if how == "reading" else "read for ever"
    with connected_to_peer(api, near_link, action, 10) as (sock, peer):
        for _ in range(16):
            if how == "reading":
                sock.recv(65536)
            else:
                sock.sendall(b"w" * 65536)
        peer.send_signal(signal.SIGKILL)
        peer.wait(10)
        started = time.monotonic()
        ended = None
        try:
            while time.monotonic() - started < 20:
                if how == "reading":
                    if sock.recv(65536) == b"":
                        ended = "EOF"
                        break
                else:
                    sock.sendall(b"w" * 65536)
        except (ConnectionResetError, BrokenPipeError) as exc:
            ended = type(exc).__name__
        assert ended is not None
        if how == "writing":
            assert ended in ("ConnectionResetError", "BrokenPipeError")
        assert time.monotonic() - started < 10


def _connect_outcome(api, link, address):
    def attempt():
        s = api.socket(api.AF_INET, api.SOCK_STREAM)
        try:
            s.settimeout(2)
            return outcome(s.connect, address)
        finally:
            s.close()
    return link.run_in(link.near, attempt)


def _sendto_outcome(api, link, address):
    def attempt():
        s = api.socket(api.AF_INET, api.SOCK_DGRAM)
        try:
            return outcome(s.sendto, b"x", address)
        finally:
            s.close()
    return link.run_in(link.near, attempt)


UNREACHABLE = {
    # destination: (route added in the near namespace, connect errno, sendto errno)
    "198.18.1.1": (None, errno.ENETUNREACH, errno.ENETUNREACH),
    "198.18.2.1": ("unreachable", errno.EHOSTUNREACH, errno.EHOSTUNREACH),
    "198.18.3.1": ("prohibit", errno.EACCES, errno.EACCES),
    "198.18.4.1": ("blackhole", errno.EINVAL, errno.EINVAL),
}


@pytest.mark.netns
@pytest.mark.parametrize("destination", list(UNREACHABLE))
def test_unreachable_addresses(api, near_link, destination):
    """No route, or a route of type unreachable/prohibit/blackhole: connect()
    and sendto() fail at once with the errno the kernel gives, on both
    backends alike."""
    route, connect_errno, sendto_errno = UNREACHABLE[destination]
    if route:
        _ip("-n", near_link.near, "route", "replace", route, destination + "/32")
    got = _connect_outcome(api, near_link, (destination, 80))
    assert got[0] == "raised" and got[2] == connect_errno, got
    assert got == _connect_outcome(backends.load("stdlib"), near_link, (destination, 80))
    got = _sendto_outcome(api, near_link, (destination, 80))
    assert got[0] == "raised" and got[2] == sendto_errno, got
    assert got == _sendto_outcome(backends.load("stdlib"), near_link, (destination, 80))


def _cffi_constant(name):
    """IP_MTU_DISCOVER and IP_PMTUDISC_DO: from the headers (the cffi
    backend's table); the stdlib's socket module does not export them."""
    try:
        return getattr(backends.load("cffi"), name)
    except ImportError:
        pytest.skip("the IP_PMTUDISC_* constants come from the compiled extension")


@pytest.mark.netns
def test_udp_datagrams_up_to_the_mtu(api, near_link):
    """MTU 1500 and path MTU discovery on (IP_PMTUDISC_DO, no fragments):
    a 1472-byte payload (1500 - 20 IP - 8 UDP) crosses the link; 1473 bytes
    is EMSGSIZE at once, and the socket goes on working."""
    receiver = near_link.run_in(near_link.far, lambda: api.socket(api.AF_INET, api.SOCK_DGRAM))
    sender = near_link.run_in(near_link.near, lambda: api.socket(api.AF_INET, api.SOCK_DGRAM))
    try:
        receiver.bind((FAR_IP, 0))
        receiver.settimeout(5)
        sender.setsockopt(api.IPPROTO_IP, _cffi_constant("IP_MTU_DISCOVER"),
                          _cffi_constant("IP_PMTUDISC_DO"))
        address = receiver.getsockname()
        assert sender.sendto(b"m" * 1472, address) == 1472
        assert receiver.recvfrom(2000) == (b"m" * 1472, (NEAR_IP, sender.getsockname()[1]))
        with pytest.raises(OSError) as caught:
            sender.sendto(b"m" * 1473, address)
        assert caught.value.errno == errno.EMSGSIZE
        assert sender.sendto(b"after", address) == 5
        assert receiver.recv(100) == b"after"
    finally:
        sender.close()
        receiver.close()


def test_largest_udp_datagram_on_loopback(api, udp):
    """65507 bytes (65535 - 20 IP - 8 UDP) is the largest IPv4 UDP payload:
    it arrives whole; 65508 is EMSGSIZE."""
    a, b = udp
    b.settimeout(5)
    assert a.sendto(b"L" * 65507, b.getsockname()) == 65507
    assert b.recv(70000) == b"L" * 65507
    with pytest.raises(OSError) as caught:
        a.sendto(b"L" * 65508, b.getsockname())
    assert caught.value.errno == errno.EMSGSIZE
