"""Ancillary data: sendmsg with crafted items (SCM_RIGHTS with real and bogus
descriptors, SCM_CREDENTIALS with any credentials, unknown levels and types),
then recvmsg with any ancillary buffer size, over an AF_UNIX socketpair on
both backends: the same data, items, flags and warnings.  A second mode walks
raw bytes as a received control buffer with the C walker (ps_cmsg_next) in a
buffer of exactly their size, so any read past it is an ASan report."""

from __future__ import annotations

import array
import os
import socket as std_socket
import struct
import warnings

from fuzz_common import BACKENDS, Reader, keep, outcome, same

SOL_SOCKET, SCM_RIGHTS = std_socket.SOL_SOCKET, std_socket.SCM_RIGHTS
SCM_CREDENTIALS = std_socket.SCM_CREDENTIALS
_pipe: list = []  # descriptors worth passing: both ends of a pipe, made once


def pipe() -> list:
    if not _pipe:
        _pipe.extend(keep(fd) for fd in os.pipe())
        keep(_pipe.clear)  # forgotten once released
    return _pipe


def rights_data(r: Reader) -> bytes:
    fds = [r.pick([pipe()[0], pipe()[1], -1, 10**6, r.sint(4)]) for _ in range(r.uint() % 5)]
    data = array.array("i", fds).tobytes()
    return data[:len(data) - r.uint() % 3] if r.uint() % 4 == 0 else data


def credentials_data(r: Reader) -> bytes:
    if r.uint() % 4 == 0:
        return r.blob(16)
    pid = r.pick([os.getpid(), 0, 1, -1, r.sint(4)])
    uid = r.pick([os.getuid(), 0, 2**32 - 1, r.uint(4)])
    gid = r.pick([os.getgid(), 0, 2**32 - 1, r.uint(4)])
    return struct.pack("iII", pid, uid, gid)


def ancillary_items(r: Reader) -> list:
    items = []
    for _ in range(r.uint() % 4):
        level = r.pick([SOL_SOCKET, SOL_SOCKET, 0, r.sint(4)])
        kind = r.pick([SCM_RIGHTS, SCM_CREDENTIALS, 99, r.sint(4)])
        if kind == SCM_RIGHTS:
            data = rights_data(r)
        elif kind == SCM_CREDENTIALS:
            data = credentials_data(r)
        else:
            data = r.blob(24)
        items.append(r.pick([(level, kind, data), (level, kind, data), [level, kind, data],
                             (level, kind), (level, kind, data, 0), (level, str(kind), data)]))
    return items


def normalise(received) -> tuple:
    """recvmsg's result with every received descriptor closed and replaced by
    what it is (device, inode): the numbers differ between the backends."""
    if received[0] != "ok":
        return received
    data, ancdata, flags, address = received[1]
    items = []
    for level, kind, payload in ancdata:
        if (level, kind) == (SOL_SOCKET, SCM_RIGHTS):
            whole = payload[:len(payload) - len(payload) % 4]
            described = []
            for fd in array.array("i", whole):
                st = os.fstat(fd)
                described.append((st.st_dev, st.st_ino))
                os.close(fd)
            payload = (tuple(described), payload[len(whole):])
        items.append((level, kind, payload))
    return ("ok", (data, items, flags, address))


def round_trip(api, kind: int, passcred: bool, items: list,
               payload: bytes, bufsize, ancbufsize, flags: int):
    a, b = api.socketpair(std_socket.AF_UNIX, kind)
    with a, b:
        if passcred:
            b.setsockopt(SOL_SOCKET, std_socket.SO_PASSCRED, 1)
        sent = outcome(a.sendmsg, [payload], items, std_socket.MSG_DONTWAIT)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = normalise(outcome(b.recvmsg, bufsize, ancbufsize,
                                    flags | std_socket.MSG_DONTWAIT))
        return sent, got, [w.category.__name__ for w in caught]


def walk_raw(data: bytes) -> None:
    from pysock._ffi import ffi, lib
    buf = ffi.new("unsigned char[]", max(len(data), 1))
    ffi.memmove(buf, data, len(data))
    offset = ffi.new("size_t *")
    level, kind = ffi.new("int *"), ffi.new("int *")
    data_offset, data_len = ffi.new("size_t *"), ffi.new("size_t *")
    for _ in range(len(data) + 2):
        before = offset[0]
        status = lib.ps_cmsg_next(buf, len(data), offset, level, kind, data_offset, data_len)
        if status <= 0:
            return
        assert data_offset[0] + data_len[0] <= len(data), (data, before)
        assert offset[0] > before, (data, before)
        if status == 2:
            return
    raise AssertionError(f"ps_cmsg_next did not finish: {data!r}")


def check(data: bytes) -> None:
    r = Reader(data)
    if r.uint() % 4 == 0:
        walk_raw(r.take(len(data)))
        return
    kind = r.pick([std_socket.SOCK_DGRAM, std_socket.SOCK_STREAM, std_socket.SOCK_SEQPACKET])
    passcred = bool(r.uint() & 1)
    items = ancillary_items(r)
    payload = r.blob(8) or b"p"
    bufsize = r.pick([0, 1, 8, 64, -1, r.number()])
    if isinstance(bufsize, int) and bufsize > 65536:
        bufsize = r.pick([-5, 2**63])     # refused before any allocation
    space = std_socket.CMSG_SPACE
    ancbufsize = r.pick([0, 1, space(4) - 1, space(4), space(8), std_socket.CMSG_LEN(4) + 2,
                         space(12), space(12) + space(8), r.uint() % 300, -1, 2**31, 2**63])
    flags = r.pick([0, 0, std_socket.MSG_PEEK, std_socket.MSG_TRUNC, std_socket.MSG_CMSG_CLOEXEC])
    results = [(name, round_trip(api, kind, passcred, items, payload, bufsize,
                                 ancbufsize, flags))
               for name, api in BACKENDS]
    same(f"sendmsg({items!r}) then recvmsg({bufsize}, {ancbufsize}, {flags}) "
         f"on {kind!r}, passcred={passcred}", results)
