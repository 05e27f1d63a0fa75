"""sendmsg/recvmsg with ancillary data on both backends."""

from __future__ import annotations

import array
import os
import socket as std_socket

import pytest


def test_scm_rights_passes_a_descriptor(api):
    a, b = api.socketpair()
    r, w = os.pipe()
    try:
        with a, b:
            fds = array.array("i", [r])
            a.sendmsg([b"fd"], [(api.SOL_SOCKET, api.SCM_RIGHTS, fds.tobytes())])
            msg, ancdata, flags, addr = b.recvmsg(10, api.CMSG_SPACE(fds.itemsize))
            assert msg == b"fd"
            (level, kind, data), = ancdata
            assert (level, kind) == (api.SOL_SOCKET, api.SCM_RIGHTS)
            received = array.array("i", data)[0]
            try:
                os.write(w, b"through the passed fd")
                assert os.read(received, 100) == b"through the passed fd"
            finally:
                os.close(received)
    finally:
        os.close(r)
        os.close(w)


def test_send_fds_and_recv_fds(api):
    a, b = api.socketpair()
    r, w = os.pipe()
    try:
        with a, b:
            api.send_fds(a, [b"two"], [r, w])
            msg, fds, flags, addr = api.recv_fds(b, 10, 2)
            assert msg == b"two" and len(fds) == 2
            for fd in fds:
                os.close(fd)
    finally:
        os.close(r)
        os.close(w)


def test_control_truncation_sets_ctrunc(api):
    a, b = api.socketpair()
    r, w = os.pipe()
    try:
        with a, b:
            a.sendmsg([b"x"], [(api.SOL_SOCKET, api.SCM_RIGHTS,
                                array.array("i", [r, w]).tobytes())])
            msg, ancdata, flags, addr = b.recvmsg(1, api.CMSG_LEN(4))
            assert flags & api.MSG_CTRUNC
            for _, _, data in ancdata:   # whatever arrived must be closed
                for fd in array.array("i", data[: len(data) - len(data) % 4]):
                    os.close(fd)
    finally:
        os.close(r)
        os.close(w)


def test_sendmsg_scatter_gather_and_recvmsg_into(api):
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    with a, b:
        assert a.sendmsg([b"ab", bytearray(b"cd"), memoryview(b"ef")]) == 6
        first, second = bytearray(2), bytearray(10)
        n, ancdata, flags, addr = b.recvmsg_into([first, second])
        assert (n, bytes(first), bytes(second[:4])) == (6, b"ab", b"cdef")


@pytest.mark.parametrize("length", [0, 1, 4, 100, -1, 2**31, 2**63])
def test_cmsg_len_and_space_match_the_stdlib(api, length):
    from conftest import outcome
    for name in ("CMSG_LEN", "CMSG_SPACE"):
        assert outcome(getattr(api, name), length) == outcome(getattr(std_socket, name), length)
