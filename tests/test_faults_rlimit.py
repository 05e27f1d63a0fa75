"""RLIMIT_NOFILE exhausted: every call that makes a descriptor fails with
OSError(EMFILE), accept() too while the connection waits in the queue, and
everything works again once descriptors are closed.  The limit is lowered
for the test only (restored in finally), a few descriptors above those open."""

from __future__ import annotations

import contextlib
import errno
import os

import pytest

from conftest import linux_only, recv_exactly
from faults_support import loopback_listener

resource = pytest.importorskip("resource")

pytestmark = linux_only


@contextlib.contextmanager
def nofile_limit(headroom):
    """Soft RLIMIT_NOFILE just above the highest descriptor open now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    highest = max(int(name) for name in os.listdir("/proc/self/fd"))
    limit = highest + 1 + headroom
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _emfile(call):
    with pytest.raises(OSError) as caught:
        call()
    assert caught.value.errno == errno.EMFILE, caught.value
    assert type(caught.value) is OSError


@pytest.mark.parametrize("timeout", [None, 5.0], ids=["blocking", "timeout"])
def test_descriptor_exhaustion_and_recovery(api, timeout):
    listener = loopback_listener(api)
    listener.settimeout(timeout)
    client = api.create_connection(listener.getsockname(), timeout=5)
    filler = []
    try:
        with nofile_limit(headroom=16) as limit:
            with pytest.raises(OSError) as caught:
                for _ in range(limit):     # the free numbers below it, at most
                    filler.append(api.socket(api.AF_INET, api.SOCK_DGRAM))
            assert caught.value.errno == errno.EMFILE
            assert len(filler) >= 16
            # Every way of making a descriptor says EMFILE; none leaks or hangs.
            _emfile(listener.accept)
            _emfile(lambda: api.socket(api.AF_INET, api.SOCK_STREAM))
            _emfile(api.socketpair)
            _emfile(listener.dup)
            _emfile(lambda: api.fromfd(listener.fileno(), api.AF_INET, api.SOCK_STREAM))
            _emfile(lambda: api.create_connection(listener.getsockname(), timeout=5))
            # The connection waited in the queue; one descriptor freed, accept works.
            filler.pop().close()
            server, address = listener.accept()
            with server:
                assert address == client.getsockname()
                client.sendall(b"recovered")
                server.settimeout(5)
                assert recv_exactly(server, 9) == b"recovered"
        for sock in filler:
            sock.close()
        filler.clear()
        with api.socket(api.AF_INET, api.SOCK_STREAM) as fresh:
            assert fresh.fileno() >= 0
    finally:
        for sock in filler:
            sock.close()
        client.close()
        listener.close()
