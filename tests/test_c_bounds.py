"""The C shims hold their bounds on their own.

The Python layer checks arguments before they reach C, so these tests call
the shims through the cffi lib directly, with the values Python would have
stopped: lengths past a buffer, truncated addresses, crafted control buffers,
too many iovecs, sizes beyond ssize_t.  Each buffer is allocated at exactly
the size the shim is told, with a guard region after it where a test needs to
see that nothing was written past the end: the sanitizer run
(tests/memcheck/sanitize.sh) turns any overrun into a report, and these
assertions catch it in the normal run too.
"""

from __future__ import annotations

import array
import errno
import os
import socket as std_socket
import struct

import pytest

_ffi = pytest.importorskip("pysock._ffi", reason="the cffi extension is not built")
ffi, lib = _ffi.ffi, _ffi.lib

SOCKADDR_MAX = ffi.sizeof("struct sockaddr_storage")
SUN_PATH_OFFSET = 2  # offsetof(struct sockaddr_un, sun_path) on Linux
SIZE_MAX = 2**64 - 1
SSIZE_MAX = 2**63 - 1
HEADER = lib.ps_cmsg_len(0)  # CMSG_LEN(0): the cmsghdr with its padding
GUARD = 0xA5


def guarded(size: int, guard: int = 32):
    """A buffer of `size` bytes followed by `guard` bytes of GUARD."""
    buf = ffi.new("unsigned char[]", size + guard)
    ffi.memmove(buf, bytes([GUARD]) * (size + guard), size + guard)
    return buf


def guard_intact(buf, size: int, guard: int = 32) -> bool:
    return bytes(ffi.buffer(buf, size + guard))[size:] == bytes([GUARD]) * guard


def handle(sock):
    h = ffi.new("ps_sock *")
    lib.ps_sock_init(h, sock.fileno())
    return h


@pytest.fixture
def long_unix_path(tmp_sock_dir):
    """A UNIX socket path that fills sun_path up to its NUL (107 bytes)."""
    path = os.path.join(tmp_sock_dir, "x" * (107 - len(tmp_sock_dir) - 1))
    assert len(os.fsencode(path)) == 107
    return path


# ---- addresses the kernel returns: it reports the full length, copies less --------

@pytest.mark.parametrize("room", [0, 1, 2, 3, 20, 64, 109])
def test_getsockname_truncates_to_the_buffer(long_unix_path, room):
    with std_socket.socket(std_socket.AF_UNIX) as s:
        s.bind(long_unix_path)
        buf = guarded(room)
        length = ffi.new("unsigned *", room)
        assert lib.ps_getsockname(handle(s), buf, length) == 0
        assert length[0] == min(room, SUN_PATH_OFFSET + 108)
        assert guard_intact(buf, room)
        view = ffi.new("ps_addr_view *")
        assert lib.ps_sockaddr_decode(buf, length[0], view) == 0
        if length[0] > SUN_PATH_OFFSET:
            assert view.data_offset + view.data_len <= length[0]
            text = bytes(ffi.buffer(buf, length[0]))[SUN_PATH_OFFSET:][:view.data_len]
            assert os.fsencode(long_unix_path).startswith(text)


def test_getpeername_and_accept_truncate_to_the_buffer(long_unix_path):
    with std_socket.socket(std_socket.AF_UNIX) as server, \
            std_socket.socket(std_socket.AF_UNIX) as client:
        server.bind(long_unix_path)
        server.listen()
        client.connect(long_unix_path)
        buf = guarded(10)
        length = ffi.new("unsigned *", 10)
        assert lib.ps_getpeername(handle(client), buf, length) == 0
        assert length[0] == 10 and guard_intact(buf, 10)
        # accept: the client is unnamed (length 2), the buffer holds 1 byte.
        buf = guarded(1)
        length = ffi.new("unsigned *", 1)
        fd = lib.ps_accept(handle(server), buf, length, 0, lib.PS_NO_DEADLINE)
        assert fd >= 0
        os.close(fd)
        assert length[0] == 1 and guard_intact(buf, 1)


def test_recvfrom_and_recvmsg_truncate_the_sender_address(long_unix_path, tmp_sock_dir):
    with std_socket.socket(std_socket.AF_UNIX, std_socket.SOCK_DGRAM) as receiver, \
            std_socket.socket(std_socket.AF_UNIX, std_socket.SOCK_DGRAM) as sender:
        receiver.bind(os.path.join(tmp_sock_dir, "r"))
        sender.bind(long_unix_path)
        for _ in range(2):
            sender.sendto(b"data", receiver.getsockname())
        data = ffi.new("char[]", 8)
        addr = guarded(12)
        length = ffi.new("unsigned *", 12)
        assert lib.ps_recvfrom(handle(receiver), data, 8, 0, addr, length,
                               lib.PS_NO_DEADLINE) == 4
        assert length[0] == 12 and guard_intact(addr, 12)
        addr = guarded(5)
        length = ffi.new("unsigned *", 5)
        bufs = ffi.new("void *[]", [data])
        lens = ffi.new("size_t[]", [8])
        controllen = ffi.new("size_t *", 0)
        flags = ffi.new("int *")
        assert lib.ps_recvmsg(handle(receiver), bufs, lens, 1, ffi.NULL, controllen,
                              flags, addr, length, 0, lib.PS_NO_DEADLINE) == 4
        assert length[0] == 5 and guard_intact(addr, 5)


def test_address_out_parameters_without_a_buffer():
    a, b = std_socket.socketpair()
    with a, b:
        length = ffi.new("unsigned *", 16)
        assert lib.ps_getsockname(handle(a), ffi.NULL, length) == -errno.EFAULT
        assert lib.ps_getsockname(handle(a), ffi.NULL, ffi.NULL) == -errno.EFAULT
        length[0] = 0
        assert lib.ps_getsockname(handle(a), ffi.NULL, length) == 0
        a.send(b"x")
        data = ffi.new("char[]", 1)
        length[0] = 16
        assert lib.ps_recvfrom(handle(b), data, 1, 0, ffi.NULL, length,
                               lib.PS_NO_DEADLINE) == -errno.EFAULT
        assert lib.ps_recvfrom(handle(b), data, 1, 0, ffi.NULL, ffi.NULL,
                               lib.PS_NO_DEADLINE) == 1
        value = ffi.new("int *")
        assert lib.ps_getsockopt(handle(a), std_socket.SOL_SOCKET, std_socket.SO_TYPE,
                                 value, ffi.NULL) == -errno.EFAULT


# ---- sizes: nothing beyond what a ssize_t result can report -----------------------

def test_byte_counts_beyond_ssize_max_are_refused():
    a, b = std_socket.socketpair()
    with a, b:
        buf = ffi.new("char[]", 1)
        for size in (SSIZE_MAX + 1, SIZE_MAX):
            assert lib.ps_send(handle(a), buf, size, 0, lib.PS_NO_DEADLINE) == -errno.EINVAL
            assert lib.ps_recv(handle(b), buf, size, 0, lib.PS_NO_DEADLINE) == -errno.EINVAL
            assert lib.ps_sendto(handle(a), buf, size, 0, ffi.NULL, 0,
                                 lib.PS_NO_DEADLINE) == -errno.EINVAL
            assert lib.ps_sendall(handle(a), buf, size, 0, lib.PS_NO_DEADLINE,
                                  0) == -errno.EINVAL
            assert lib.ps_read(b.fileno(), buf, size) == -errno.EINVAL
            assert lib.ps_write(a.fileno(), buf, size) == -errno.EINVAL
        # Nothing was sent by any of them.
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recv(1)


def test_send_loops_resume_from_a_checked_offset():
    """ps_sendall and ps_send_frame take the offset they returned (a signal
    stopped them) back by value: past the end is refused, inside it only the
    rest goes out, and the result is the whole length when done."""
    a, b = std_socket.socketpair()
    with a, b:
        data = bytes(range(10))
        for offset in (11, SIZE_MAX):
            assert lib.ps_sendall(handle(a), data, 10, 0, lib.PS_NO_DEADLINE,
                                  offset) == -errno.EINVAL
        for offset in (15, SIZE_MAX):  # the frame is 4 + 10 bytes
            assert lib.ps_send_frame(handle(a), data, 10, 0, lib.PS_NO_DEADLINE,
                                     offset) == -errno.EINVAL
        assert lib.ps_sendall(handle(a), data, 10, 0, lib.PS_NO_DEADLINE, 7) == 10
        assert lib.ps_sendall(handle(a), data, 10, 0, lib.PS_NO_DEADLINE, 10) == 10
        assert lib.ps_send_frame(handle(a), data, 10, 0, lib.PS_NO_DEADLINE, 2) == 14
        assert lib.ps_send_frame(handle(a), data, 10, 0, lib.PS_NO_DEADLINE, 6) == 14
        expected = data[7:] + struct.pack(">I", 10)[2:] + data + data[2:]
        b.settimeout(5)
        got = b""
        while len(got) < len(expected):
            got += b.recv(64)
        assert got == expected


def message_call(sock, send: bool, bufs, lens, nbufs, controllen=0, control=ffi.NULL):
    if send:
        return lib.ps_sendmsg(handle(sock), bufs, lens, nbufs, control, controllen, 0,
                              ffi.NULL, 0, lib.PS_NO_DEADLINE)
    length = ffi.new("size_t *", controllen)
    return lib.ps_recvmsg(handle(sock), bufs, lens, nbufs, control, length,
                          ffi.new("int *"), ffi.NULL, ffi.new("unsigned *", 0), 0,
                          lib.PS_NO_DEADLINE)


@pytest.mark.parametrize("send", [True, False], ids=["sendmsg", "recvmsg"])
def test_iovec_count_and_total_are_checked(send):
    iov_max = os.sysconf("SC_IOV_MAX")
    a, b = std_socket.socketpair()
    with a, b:
        one = ffi.new("char[]", 1)
        bufs = ffi.new("void *[]", [one] * (iov_max + 1))
        lens = ffi.new("size_t[]", [1] * (iov_max + 1))
        assert message_call(a, send, bufs, lens, iov_max + 1) == -errno.EMSGSIZE
        assert message_call(a, send, bufs, lens, SIZE_MAX) == -errno.EMSGSIZE
        # Lengths whose sum wraps a size_t, or passes SSIZE_MAX.
        for pair in ([SIZE_MAX, 2], [SSIZE_MAX, 1], [2**62, 2**62 + 2**61]):
            lens2 = ffi.new("size_t[]", pair)
            assert message_call(a, send, bufs, lens2, 2) == -errno.EINVAL
        assert message_call(a, send, ffi.NULL, ffi.NULL, 1) == -errno.EFAULT
        # A control length with no buffer, or beyond the kernel's int.
        assert message_call(a, send, bufs, lens, 1, controllen=16) == -errno.EINVAL
        assert message_call(a, send, bufs, lens, 1, controllen=2**31,
                            control=one) == -errno.EINVAL


@pytest.mark.parametrize("send", [True, False], ids=["sendmsg", "recvmsg"])
def test_many_iovecs_on_a_closed_handle(send):
    """More iovecs than fit on the stack go on the heap; a closed handle must
    still free them (valgrind's run counts the leak)."""
    a, b = std_socket.socketpair()
    with a, b:
        h = handle(a)
        assert lib.ps_sock_detach(h) == a.fileno()
        one = ffi.new("char[]", 1)
        bufs = ffi.new("void *[]", [one] * 40)
        lens = ffi.new("size_t[]", [1] * 40)
        if send:
            result = lib.ps_sendmsg(h, bufs, lens, 40, ffi.NULL, 0, 0, ffi.NULL, 0,
                                    lib.PS_NO_DEADLINE)
        else:
            result = lib.ps_recvmsg(h, bufs, lens, 40, ffi.NULL, ffi.new("size_t *", 0),
                                    ffi.new("int *"), ffi.NULL, ffi.new("unsigned *", 0),
                                    0, lib.PS_NO_DEADLINE)
        assert result == -errno.EBADF


# ---- socket addresses built in C ---------------------------------------------------

def test_sockaddr_builders_check_their_output_buffer():
    out = guarded(SOCKADDR_MAX)
    assert lib.ps_sockaddr_in(out, 15, b"127.0.0.1", 80) == -errno.EINVAL
    assert lib.ps_sockaddr_in(out, 16, b"127.0.0.1", 65536) == -errno.EINVAL
    assert lib.ps_sockaddr_in(out, 16, ffi.NULL, 80) == -errno.EINVAL
    assert lib.ps_sockaddr_in(ffi.NULL, 16, b"127.0.0.1", 80) == -errno.EINVAL
    assert lib.ps_sockaddr_in(out, 16, b"127.0.0.1", 80) == 16
    assert lib.ps_sockaddr_in6(out, 27, b"::1", 80, 0, 0) == -errno.EINVAL
    assert lib.ps_sockaddr_in6(out, 28, b"::1", 80, 0x100000, 0) == -errno.EINVAL
    assert lib.ps_sockaddr_in6(out, 28, ffi.NULL, 80, 0, 0) == -errno.EINVAL
    assert lib.ps_sockaddr_in6(out, 28, b"::1", 80, 0xFFFFF, 2**32 - 1) == 28
    assert lib.ps_sockaddr_unspec(out, 15) == -errno.EINVAL
    assert guard_intact(out, SOCKADDR_MAX)


@pytest.mark.parametrize("path,expected", [
    (b"/" + b"p" * 106, SUN_PATH_OFFSET + 108),      # 107 bytes + NUL: fills sun_path
    (b"/" + b"p" * 107, -errno.ENAMETOOLONG),        # no room for the NUL
    (b"\0" + b"a" * 107, SUN_PATH_OFFSET + 108),     # abstract: no NUL needed
    (b"\0" + b"a" * 108, -errno.ENAMETOOLONG),
    (b"", SUN_PATH_OFFSET),                          # autobind
])
def test_sockaddr_un_length_limits(path, expected):
    out = guarded(SOCKADDR_MAX)
    source = ffi.new("char[]", max(len(path), 1))
    ffi.memmove(source, path, len(path))
    assert lib.ps_sockaddr_un(out, SOCKADDR_MAX, source, len(path)) == expected
    assert guard_intact(out, SOCKADDR_MAX)


def test_sockaddr_un_refuses_a_small_buffer_and_no_path():
    out = guarded(SOCKADDR_MAX)
    assert lib.ps_sockaddr_un(out, 109, b"/x", 2) == -errno.EINVAL
    assert lib.ps_sockaddr_un(out, SOCKADDR_MAX, ffi.NULL, 5) == -errno.EINVAL
    assert lib.ps_sockaddr_un(out, SOCKADDR_MAX, ffi.NULL, 0) == SUN_PATH_OFFSET
    assert lib.ps_sockaddr_un(out, SOCKADDR_MAX, b"/x", SIZE_MAX) == -errno.ENAMETOOLONG
    assert guard_intact(out, SOCKADDR_MAX)


@pytest.mark.parametrize("family,minimum", [
    (std_socket.AF_INET, 16), (std_socket.AF_INET6, 28)])
def test_sockaddr_decode_refuses_short_inet_addresses(family, minimum):
    view = ffi.new("ps_addr_view *")
    for length in range(2, minimum):
        buf = ffi.new("unsigned char[]", length)  # exactly `length`: ASan sees an overread
        struct.pack_into("H", ffi.buffer(buf), 0, family)
        assert lib.ps_sockaddr_decode(buf, length, view) == -errno.EINVAL
    assert lib.ps_sockaddr_decode(ffi.NULL, 16, view) == 0 and view.family == -1


@pytest.mark.parametrize("length", [0, 1, 2, 3, 5, 16, 110])
def test_sockaddr_decode_stays_inside_unix_and_unknown_addresses(length):
    view = ffi.new("ps_addr_view *")
    for family in (std_socket.AF_UNIX, 4242):
        buf = ffi.new("unsigned char[]", max(length, 1))
        ffi.memmove(buf, b"\x01" * length, length)  # no NUL: a path runs to the end
        if length >= 2:
            struct.pack_into("H", ffi.buffer(buf), 0, family)
        assert lib.ps_sockaddr_decode(buf, length, view) == 0
        if length < 2:
            assert view.family == -1
        else:
            assert view.data_offset + view.data_len <= length


# ---- text conversions --------------------------------------------------------------

def test_conversions_check_sizes_in_c():
    out = guarded(16)
    assert lib.ps_inet_pton(std_socket.AF_INET6, b"::1", out, 15) == -errno.EINVAL
    assert lib.ps_inet_pton(std_socket.AF_INET, b"1.2.3.4", out, 3) == -errno.EINVAL
    assert lib.ps_inet_pton(std_socket.AF_INET, ffi.NULL, out, 4) == -errno.EINVAL
    assert lib.ps_inet_pton(4242, b"1.2.3.4", out, 16) == -errno.EAFNOSUPPORT
    assert lib.ps_inet_aton(b"1.2.3.4", out, 3) == -errno.EINVAL
    assert lib.ps_inet_aton(ffi.NULL, out, 4) == -errno.EINVAL
    assert guard_intact(out, 16)
    text = guarded(64)
    packed = b"\xff" * 16
    assert lib.ps_inet_ntop(std_socket.AF_INET6, packed, 15, text, 64) == -errno.EINVAL
    assert lib.ps_inet_ntop(std_socket.AF_INET6, packed, 17, text, 64) == -errno.EINVAL
    assert lib.ps_inet_ntop(std_socket.AF_INET6, packed, 16, text, 5) == -errno.ENOSPC
    assert lib.ps_inet_ntoa(packed, 4, text, 15) == -errno.EINVAL
    assert lib.ps_inet_ntoa(packed, 3, text, 16) == -errno.EINVAL
    # A size beyond socklen_t must not wrap to a small (or a zero) one.
    assert lib.ps_inet_ntop(std_socket.AF_INET6, packed, 16, text, 2**32 + 1) == 39
    assert lib.ps_inet_ntoa(packed, 4, text, 2**32 + 1) == 15
    assert guard_intact(text, 64)
    assert ffi.string(text) == b"255.255.255.255"
    assert lib.ps_inet_addr(ffi.NULL) == 0xFFFFFFFF


def test_netdb_shims_refuse_missing_buffers():
    assert lib.ps_gethostname(ffi.NULL, 10) == -errno.EINVAL
    assert lib.ps_if_indextoname(1, ffi.NULL, 64) == -errno.EINVAL
    assert lib.ps_if_nametoindex(ffi.NULL) == 0
    assert lib.ps_getservbyname(ffi.NULL, ffi.NULL) == -1
    assert lib.ps_getprotobyname(ffi.NULL) == -1
    name = guarded(256)
    assert lib.ps_getservbyport(80 + 65536, b"tcp", name, 256) == -1
    assert lib.ps_getservbyport(2**32 - 1, ffi.NULL, name, 256) == -1
    assert guard_intact(name, 256)
    # A service name longer than the buffer is refused, not cut or overrun.
    assert lib.ps_getservbyport(80, b"tcp", name, 2) == -1
    assert guard_intact(name, 256)
    err = ffi.new("int *")
    host = ffi.new("char[]", 64)
    assert lib.ps_getnameinfo(ffi.NULL, 16, host, 64, ffi.NULL, 0, 0, err) == \
        std_socket.EAI_FAMILY
    assert lib.ps_getnameinfo(b"\x02", 1, host, 64, ffi.NULL, 0, 0, err) == \
        std_socket.EAI_FAMILY
    storage = ffi.new("struct hostent *")
    result = ffi.new("struct hostent **")
    buf = ffi.new("char[]", 1024)
    assert lib.ps_gethostbyname(ffi.NULL, std_socket.AF_INET, storage, buf, 1024,
                                result, err) == -errno.EINVAL
    assert lib.ps_gethostbyaddr(ffi.NULL, 4, std_socket.AF_INET, storage, buf, 1024,
                                result, err) == -errno.EINVAL


@pytest.mark.parametrize("host,family", [
    (b"127.0.0.1", std_socket.AF_INET), (b"::1", std_socket.AF_INET6),
    (b"localhost", std_socket.AF_UNSPEC), (None, std_socket.AF_UNSPEC)])
def test_getaddrinfo_results_are_read_within_ai_addrlen(host, family):
    """Every answer's address is decoded from exactly ai_addrlen bytes, and
    re-encoded into a buffer that is checked for its size."""
    result = ffi.new("struct addrinfo **")
    err = ffi.new("int *")
    code = lib.ps_getaddrinfo(host if host is not None else ffi.NULL, b"80", family,
                              std_socket.SOCK_STREAM, 0, 0, result, err)
    assert code == 0, ffi.string(lib.ps_gai_strerror(code))
    try:
        item = result[0]
        seen = 0
        while item != ffi.NULL:
            view = ffi.new("ps_addr_view *")
            copy = ffi.new("unsigned char[]", item.ai_addrlen)  # exactly: ASan sees an overread
            ffi.memmove(copy, item.ai_addr, item.ai_addrlen)
            assert lib.ps_sockaddr_decode(copy, item.ai_addrlen, view) == 0
            assert view.family == item.ai_family and view.port == 80
            out = guarded(item.ai_addrlen)
            if view.family == std_socket.AF_INET6:
                written = lib.ps_sockaddr_in6(out, item.ai_addrlen, ffi.string(view.host),
                                              80, view.flowinfo, view.scope_id)
            else:
                written = lib.ps_sockaddr_in(out, item.ai_addrlen, ffi.string(view.host), 80)
            assert written == item.ai_addrlen and guard_intact(out, item.ai_addrlen)
            # The numeric text always fits the view's host field, with its NUL.
            assert len(ffi.string(view.host)) < ffi.sizeof(view.host)
            seen += 1
            item = item.ai_next
        assert seen > 0
    finally:
        lib.ps_freeaddrinfo(result[0])


# ---- ancillary data ----------------------------------------------------------------

def cmsg_header(length: int, level: int, kind: int) -> bytes:
    return struct.pack("NiI", length, level, kind)  # struct cmsghdr on Linux, 64-bit


def walk(control: bytes, size: int = None):
    """ps_cmsg_next over `control` (in a buffer of exactly its size)."""
    size = len(control) if size is None else size
    buf = ffi.new("unsigned char[]", max(size, 1))
    ffi.memmove(buf, control, len(control))
    offset = ffi.new("size_t *")
    level, kind = ffi.new("int *"), ffi.new("int *")
    data_offset, data_len = ffi.new("size_t *"), ffi.new("size_t *")
    items = []
    for _ in range(100):
        status = lib.ps_cmsg_next(buf, size, offset, level, kind, data_offset, data_len)
        if status == 0:
            break
        if status < 0:
            items.append(status)
            break
        assert data_offset[0] + data_len[0] <= size
        items.append((status, level[0], kind[0],
                      bytes(ffi.buffer(buf, size))[data_offset[0]:][:data_len[0]]))
        if status != 1:
            break
    else:
        pytest.fail("ps_cmsg_next did not reach the end")
    return items


@pytest.mark.skipif(HEADER != 16, reason="the 64-bit Linux cmsghdr layout")
def test_cmsg_walk_never_reads_past_the_control_buffer():
    one = cmsg_header(HEADER + 4, 1, 1) + b"abcd" + bytes(4)
    assert walk(one) == [(1, 1, 1, b"abcd")]
    # Two items; the last padding byte missing is fine, the data is complete.
    assert walk(one + one[:-4]) == [(1, 1, 1, b"abcd"), (1, 1, 1, b"abcd")]
    # cmsg_len beyond the buffer: the data is clipped, the walk ends (status 2).
    assert walk(cmsg_header(HEADER + 100, 1, 2) + b"xy") == [(2, 1, 2, b"xy")]
    assert walk(cmsg_header(SIZE_MAX, 1, 2) + b"xy") == [(2, 1, 2, b"xy")]
    assert walk(cmsg_header(SIZE_MAX - 3, 1, 2)) == [(2, 1, 2, b"")]
    # cmsg_len shorter than a header cannot be right.
    assert walk(cmsg_header(HEADER - 1, 1, 2) + bytes(8)) == [-errno.EINVAL]
    assert walk(cmsg_header(0, 1, 2)) == [-errno.EINVAL]
    # Less than a header left: the end, never a read of a partial header.
    assert walk(one + bytes(HEADER - 1)) == [(1, 1, 1, b"abcd")]
    assert walk(bytes(HEADER - 1)) == []
    assert walk(b"") == []


def test_cmsg_walk_refuses_no_buffer_and_a_past_end_offset():
    offset = ffi.new("size_t *", 0)
    out = [ffi.new("int *"), ffi.new("int *"), ffi.new("size_t *"), ffi.new("size_t *")]
    assert lib.ps_cmsg_next(ffi.NULL, 64, offset, *out) == 0
    buf = ffi.new("char[]", 64)
    offset[0] = SIZE_MAX
    assert lib.ps_cmsg_next(buf, 64, offset, *out) == 0
    offset[0] = 60
    assert lib.ps_cmsg_next(buf, 64, offset, *out) == 0


def test_cmsg_put_checks_room_offset_and_size():
    control = guarded(64)
    data = b"z" * 8
    assert lib.ps_cmsg_put(control, 64, 65, 1, 1, data, 8) == -errno.ENOBUFS
    assert lib.ps_cmsg_put(control, 64, 48, 1, 1, data, 8) == -errno.ENOBUFS
    assert lib.ps_cmsg_put(control, 64, SIZE_MAX, 1, 1, data, 8) == -errno.ENOBUFS
    assert lib.ps_cmsg_put(control, 64, 0, 1, 1, data, SIZE_MAX) == -errno.EINVAL
    assert lib.ps_cmsg_put(control, 64, 0, 1, 1, data, 2**31) == -errno.EINVAL
    assert lib.ps_cmsg_put(control, 64, 0, 1, 1, ffi.NULL, 8) == -errno.EINVAL
    assert lib.ps_cmsg_put(ffi.NULL, 64, 0, 1, 1, data, 8) == -errno.EINVAL
    space = lib.ps_cmsg_space(8)
    assert lib.ps_cmsg_put(control, 64, 0, 1, 1, data, 8) == space
    assert lib.ps_cmsg_put(control, 64, space, 1, 1, data, 8) == 2 * space
    assert guard_intact(control, 64)


def test_cmsg_close_fds_closes_only_whole_descriptors_inside_the_buffer():
    r, w = os.pipe()
    spare = os.dup(r)
    try:
        items = array.array("i", [r, w]).tobytes()
        control = ffi.new("char[]", 64)
        end = lib.ps_cmsg_put(control, 64, 0, std_socket.SOL_SOCKET,
                              std_socket.SCM_RIGHTS, items, 8)
        # Cut the buffer inside the second descriptor: only the first is whole.
        assert lib.ps_cmsg_close_fds(control, HEADER + 6) == 1
        with pytest.raises(OSError):
            os.fstat(r)
        os.fstat(w)
        # Other items are left alone.
        other = ffi.new("char[]", 64)
        lib.ps_cmsg_put(other, 64, 0, std_socket.SOL_SOCKET, 2, items, 8)
        assert lib.ps_cmsg_close_fds(other, end) == 0
        os.fstat(w)
        assert lib.ps_cmsg_close_fds(ffi.NULL, 64) == 0
    finally:
        os.close(spare)
        os.close(w)


def test_truncated_ancillary_data_leaks_no_descriptor(api):
    """A control buffer cut inside the descriptors: the kernel installs only
    those that fit, and pysock returns them (nothing is left open unseen)."""
    a, b = api.socketpair(api.AF_UNIX, api.SOCK_DGRAM)
    pipes = [os.pipe() for _ in range(3)]
    fds = [fd for pair in pipes for fd in pair]
    try:
        with a, b:
            a.sendmsg([b"x"], [(api.SOL_SOCKET, api.SCM_RIGHTS,
                                array.array("i", fds).tobytes())])
            msg, ancdata, flags, _ = b.recvmsg(1, api.CMSG_LEN(4 * 2) + 2)
            assert flags & api.MSG_CTRUNC
            received = [fd for _, _, data in ancdata
                        for fd in array.array("i", data[:len(data) - len(data) % 4])]
            assert len(received) == 2
            for fd in received:
                os.close(fd)
    finally:
        for fd in fds:
            os.close(fd)


# ---- the shims Python reaches only on rare paths -------------------------------------

def test_wait_and_connect_wait_and_in_flight():
    a, b = std_socket.socketpair()
    with a, b:
        past = lib.ps_monotonic_ns() - 1
        assert lib.ps_wait(b.fileno(), 1, past) == 0               # POLLIN, deadline gone
        a.send(b"x")
        assert lib.ps_wait(b.fileno(), 1, lib.PS_NO_DEADLINE) == 1
        assert lib.ps_wait(-1, 1, lib.ps_monotonic_ns() + 10**6) == 0  # poll ignores fd -1
        h = handle(a)
        assert lib.ps_sock_in_flight(h) == 0
        assert lib.ps_connect_wait(h, lib.ps_monotonic_ns() + 10**9) == 0  # connected: no error
        assert lib.ps_sock_detach(h) == a.fileno()
        assert lib.ps_connect_wait(h, lib.PS_NO_DEADLINE) == -errno.EBADF


def test_sethostname_length_is_the_kernels_to_refuse():
    # 65 bytes is past the kernel's limit: refused, the host name unchanged.
    before = std_socket.gethostname()
    assert lib.ps_sethostname(b"x" * 65, 65) in (-errno.EINVAL, -errno.EPERM)
    assert std_socket.gethostname() == before


def test_build_libc_names_the_c_library():
    name = ffi.string(lib.ps_build_libc())
    assert name.split()[0] in (b"glibc", b"musl", b"macOS", b"unknown"), name
