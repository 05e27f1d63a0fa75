"""recv/recvfrom/recvmsg with MSG_TRUNC on a datagram larger than the
buffer: the kernel reports the datagram's full size, more than it copied."""

from __future__ import annotations

import socket as std_socket

import pytest

BIG = 100_000  # larger than the cffi backend's pooled recv buffers (64 KiB)


@pytest.fixture
def dgram_pair(api):
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    yield a, b
    a.close()
    b.close()


@pytest.mark.parametrize("call", ["recv", "recvfrom"])
def test_recv_msg_trunc_returns_the_full_size_and_no_stale_bytes(call, dgram_pair, api):
    a, b = dgram_pair
    a.send(b"x" * BIG)
    result = getattr(b, call)(10, api.MSG_TRUNC)
    data = result[0] if call == "recvfrom" else result
    assert len(data) == BIG            # what the stdlib returns: the full size
    assert data[:10] == b"x" * 10      # only these bytes were received
    if api.__name__.endswith("cffi"):  # the stdlib leaves the rest undefined
        assert data[10:] == bytes(BIG - 10)


def test_recvmsg_msg_trunc_returns_what_fitted(dgram_pair, api):
    a, b = dgram_pair
    a.send(b"y" * BIG)
    data, _, flags, _ = b.recvmsg(10, 0, api.MSG_TRUNC)
    assert data == b"y" * 10
    assert flags & std_socket.MSG_TRUNC
