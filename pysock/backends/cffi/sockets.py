"""The cffi backend's socket class.

``socket`` subclasses the stdlib's ``socket.socket`` so that code which checks
``isinstance(s, socket.socket)`` (ssl, asyncio, selectors, socketserver...)
accepts it, but it never runs the stdlib's socket machinery: the stdlib's C
object underneath is left uninitialised (its descriptor stays -1, so any
stdlib method that slipped through would fail with EBADF rather than act), and
every operation goes through pysock's shims on ``self._h``, a handle owned by
this object.  tests/test_no_stdlib.py checks that no method is inherited.

Timeouts follow the stdlib's three modes, kept in ``_timeout_ns``:
-1 blocking (descriptor blocking), 0 non-blocking (O_NONBLOCK, EAGAIN raises
BlockingIOError), > 0 timeout mode (O_NONBLOCK; the shim polls until a
deadline and TimeoutError is raised when it passes).
"""

from __future__ import annotations

import io
import math
import operator
import os
import socket as _std
import sys
import warnings
from typing import Any, Iterable, List, Optional, Tuple

from pysock.backends.cffi import addresses
from pysock.backends.cffi.buffers import (
    POOL_BUFFER, address_scratch as _address_scratch, give as _give,
    new_address_scratch as _new_address_scratch, read_buffer as _read_buffer,
    small as _small, take as _take, truncated as _truncated,
    write_buffer as _write_buffer)
from pysock.backends.cffi.arguments import (
    INT_MAX, INT_MIN, c_int, c_int_exact, c_long, c_ssize, c_uint_mask, type_name)
from pysock.backends.cffi.constants import SOCKET as C
from pysock.backends.cffi.errors import EINTR, from_result
from pysock.backends.cffi.fastpaths import FastPaths
from pysock.backends.extras import iterate
from pysock.backends.cffi.native import (
    INT_ERR_BASE, NO_DEADLINE, SOCKADDR_MAX, ffi, lib)

__all__ = ["socket", "getdefaulttimeout", "setdefaulttimeout", "timeout_ns"]

# Shims and helpers bound once: a module global is cheaper than lib.X per call.
_recv = lib.ps_recv
_send = lib.ps_send
_recvfrom = lib.ps_recvfrom
_sendto = lib.ps_sendto
_sendall = lib.ps_sendall
_recvmsg = lib.ps_recvmsg
_sendmsg = lib.ps_sendmsg
_monotonic_ns = lib.ps_monotonic_ns
_accept = lib.ps_accept
_ACCEPT_NONBLOCK = lib.PS_ACCEPT_NONBLOCK
_scratch_pop = _address_scratch.pop
_scratch_append = _address_scratch.append
_unpack = ffi.unpack
_from_buffer = ffi.from_buffer
_new = addresses.new_buffer
_encode = addresses.encode
_decode = addresses.decode
_decode_cached = addresses.decode_cached
_encode_cached = addresses.encode_cached
_encoded = addresses.encoded
_decoded = addresses.decoded
_small_pop = _small.pop
_small_append = _small.append
_new_small = lambda: _new("char[]", POOL_BUFFER)  # noqa: E731
_HANDLE = ffi.typeof("ps_sock *")
_sock_init = lib.ps_sock_init
_sock_open = lib.ps_sock_open
_sock_close = lib.ps_sock_close
_audit = getattr(sys, "audit", lambda *args: None)

AF_INET = C["AF_INET"]
SOCK_STREAM = C["SOCK_STREAM"]
# Plain ints where arithmetic runs per call (the table holds the stdlib's enums).
_SOCK_NONBLOCK = int(C.get("SOCK_NONBLOCK", 0))
_SOCK_CLOEXEC = int(C.get("SOCK_CLOEXEC", 0))
_SOMAXCONN = C.get("SOMAXCONN", 128)
_SOL_ALG = C.get("SOL_ALG")
_MSG_MORE = int(C.get("MSG_MORE", 0))
_BLOCKING_TAKES_ANY_TRUTH = sys.version_info >= (3, 12)
_FLOAT_AS_INT = sys.version_info < (3, 10) and sys.implementation.name == "cpython"
_NS = 1_000_000_000

# CPython converts a timeout to int64 nanoseconds before it looks at the sign,
# so a timeout beyond that range is OverflowError even when negative.  The
# message names CPython's time type, renamed in 3.13; floats got their own
# message in 3.11.
_PYTIME_T = "PyTime_t" if sys.version_info >= (3, 13) else "_PyTime_t"
_INT_TIMEOUT_OVERFLOW = f"timestamp too large to convert to C {_PYTIME_T}"
_FLOAT_TIMEOUT_OVERFLOW = ("timestamp out of range for platform time_t"
                           if sys.version_info >= (3, 11) else _INT_TIMEOUT_OVERFLOW)
_NS_MIN, _NS_LIMIT = -2**63, 2**63
_WAIT_CAP = 2**62
_SECONDS_LIMIT = (_NS_LIMIT - 1) // _NS   # whole seconds that still fit in int64 ns


def timeout_ns(value: Any) -> int:
    """A timeout argument in nanoseconds (-1 for None), checked as the stdlib does."""
    if value is None:
        return -1
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("Invalid value NaN (not a number)")
        try:
            ns = math.ceil(value * 1e9)  # rounded up, as CPython rounds timeouts
        except OverflowError:            # infinite
            raise OverflowError(_FLOAT_TIMEOUT_OVERFLOW) from None
        if not _NS_MIN <= ns < _NS_LIMIT:
            raise OverflowError(_FLOAT_TIMEOUT_OVERFLOW)
    else:
        seconds = operator.index(value)
        if not -_SECONDS_LIMIT <= seconds <= _SECONDS_LIMIT:
            raise OverflowError(_INT_TIMEOUT_OVERFLOW)
        ns = seconds * _NS
    if ns < 0:
        raise ValueError("Timeout value out of range")
    return ns


_default_timeout_ns = -1


def getdefaulttimeout() -> Optional[float]:
    """The timeout new pysock sockets start with (None: blocking)."""
    return None if _default_timeout_ns < 0 else _default_timeout_ns / 1e9


def setdefaulttimeout(value: Optional[float], /) -> None:
    """Set the timeout new pysock sockets start with.

    This is pysock's own default: it does not change the stdlib's
    socket.getdefaulttimeout(), which sockets made by other libraries use.
    """
    global _default_timeout_ns
    _default_timeout_ns = timeout_ns(value)


class socket(FastPaths, _std.socket):
    """A socket, as socket.socket, on pysock's C shims."""

    __slots__ = ("_h", "_family", "_type", "_proto", "_timeout_ns", "_timeout_given",
                 "_usecount")

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                 fileno: Optional[int] = None) -> None:
        self._h = None
        self._io_refs = 0
        self._closed = False
        family, type, proto = c_int(family), c_int(type), c_int(proto)
        if fileno is None:
            if family == -1:
                family = AF_INET
            if type == -1:
                type = SOCK_STREAM
            if proto == -1:
                proto = 0
            _audit("socket.__new__", self, family, type, proto)
            flags = _SOCK_NONBLOCK if _default_timeout_ns >= 0 else 0
            handle = _new(_HANDLE)
            fd = _sock_open(handle, family, type | flags, proto)
            if fd < 0:
                raise from_result(fd)
            self._setup(handle, family, type, proto, bool(flags) or bool(type & _SOCK_NONBLOCK))
            return
        _audit("socket.__new__", self, family, type, proto)
        fd = c_int(fileno)
        if fd < 0:
            raise ValueError("negative file descriptor")
        info = ffi.new("int[3]", [family, type, proto])
        result = lib.ps_fd_socket_info(fd, info, info + 1, info + 2)
        if result < 0:
            raise from_result(result)
        handle = _new(_HANDLE)
        _sock_init(handle, fd)
        self._setup(handle, info[0], info[1], info[2], False)

    def _setup(self, handle: Any, family: int, type: int, proto: int,
               nonblocking: bool) -> None:
        """Adopt a handle initialised on a new descriptor."""
        self._h = handle
        self._io_refs = 0
        self._closed = False
        # The enum caches' hits inline: every socket() and accept() comes here.
        member = _families.get(family)
        self._family = (member if member is not None
                        else _intenum(family, _std.AddressFamily, _families))
        kind = type & ~(_SOCK_NONBLOCK | _SOCK_CLOEXEC)
        member = _kinds.get(kind)
        self._type = member if member is not None else _intenum(kind, _std.SocketKind, _kinds)
        self._proto = proto
        if type & _SOCK_NONBLOCK:
            self._timeout_ns = 0
        elif _default_timeout_ns < 0:
            self._timeout_ns = -1
        else:
            self._keep_timeout(_default_timeout_ns)
            if not nonblocking:
                self._set_blocking(False)

    @classmethod
    def _wrap(cls, fd: int, family: int, type: int, proto: int,
              nonblocking: bool) -> "socket":
        """A socket object for a descriptor pysock just made (accept, socketpair)."""
        sock = cls.__new__(cls)
        _audit("socket.__new__", sock, family, type, proto)
        handle = _new(_HANDLE)
        _sock_init(handle, fd)
        sock._setup(handle, family, type, proto, nonblocking)
        return sock

    def __del__(self) -> None:
        handle = getattr(self, "_h", None)
        if handle is not None and handle.fd >= 0:
            # The warning comes first, while repr() can still show the socket.
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2,
                          source=self)
            lib.ps_sock_close(handle)

    # ---- descriptor ---------------------------------------------------------

    def fileno(self) -> int:
        """The descriptor, or -1 once closed or detached."""
        return self._h.fd

    def _real_close(self) -> None:
        result = _sock_close(self._h)
        if result < 0:
            raise from_result(result)

    def detach(self) -> int:
        """Give up the descriptor without closing it, and return it."""
        self._closed = True
        return lib.ps_sock_detach(self._h)

    def get_inheritable(self) -> bool:
        result = lib.ps_get_inheritable(self._h.fd)
        if result < 0:
            raise from_result(result)
        return bool(result)

    def set_inheritable(self, inheritable: bool) -> None:
        # os.set_inheritable() in the stdlib: an int argument, not any truth value.
        result = lib.ps_set_inheritable(self._h.fd, bool(c_int_exact(inheritable)))
        if result < 0:
            raise from_result(result)

    # ---- identity -----------------------------------------------------------

    @property
    def family(self) -> int:
        """The address family (an AddressFamily member where one fits)."""
        return self._family

    @property
    def type(self) -> int:
        """The socket type, without SOCK_NONBLOCK/SOCK_CLOEXEC."""
        return self._type

    @property
    def proto(self) -> int:
        return self._proto

    @property
    def timeout(self) -> Optional[float]:
        return self.gettimeout()

    # ---- blocking and timeouts ------------------------------------------------

    def _set_blocking(self, blocking: bool) -> None:
        result = lib.ps_set_blocking(self._h, blocking)
        if result < 0:
            raise from_result(result)

    def _keep_timeout(self, ns: int) -> None:
        # Every hot path computes its deadline inline as now + _timeout_ns, in
        # int64_t nanoseconds.  A valid timeout reaches 2**63 ns (292 years);
        # waiting is capped at 2**62 (146 years), so that sum never overflows,
        # and gettimeout() still reports the timeout as given.
        self._timeout_ns = ns if ns < _WAIT_CAP else _WAIT_CAP
        self._timeout_given = ns

    def _deadline(self) -> int:
        t = self._timeout_ns
        return _monotonic_ns() + t if t > 0 else NO_DEADLINE

    def settimeout(self, value: Optional[float], /) -> None:
        """None: blocking; 0: non-blocking; > 0: operations time out (seconds)."""
        ns = timeout_ns(value)
        self._keep_timeout(ns)
        self._set_blocking(ns < 0)

    def gettimeout(self) -> Optional[float]:
        ns = self._timeout_ns
        if ns == _WAIT_CAP:
            ns = self._timeout_given
        return None if ns < 0 else ns / 1e9

    def setblocking(self, flag: bool, /) -> None:
        blocking = _blocking_flag(flag)
        self._timeout_ns = -1 if blocking else 0
        self._set_blocking(blocking)

    def getblocking(self) -> bool:
        """False only in non-blocking mode (timeout 0), as the stdlib."""
        return self._timeout_ns != 0

    # ---- addresses and options ----------------------------------------------

    def bind(self, address: Any, /) -> None:
        buf, length = _encode(self._family, address, "bind")
        _audit("socket.bind", self, address)
        result = lib.ps_bind(self._h, buf, length)
        if result < 0:
            raise from_result(result)

    def listen(self, backlog: int = min(_SOMAXCONN, 128), /) -> None:
        backlog = c_int(backlog)
        result = lib.ps_listen(self._h, max(backlog, 0))
        if result < 0:
            raise from_result(result)

    def _name(self, call: Any) -> Any:
        buf = _new("char[]", SOCKADDR_MAX)
        length = ffi.new("unsigned *", SOCKADDR_MAX)
        result = call(self._h, buf, length)
        if result < 0:
            raise from_result(result)
        return _decode(buf, length[0])

    def getsockname(self) -> Any:
        return self._name(lib.ps_getsockname)

    def getpeername(self) -> Any:
        return self._name(lib.ps_getpeername)

    def getsockopt(self, level: int, optname: int, buflen: int = 0, /) -> Any:
        if not (level.__class__ is int and optname.__class__ is int
                and buflen.__class__ is int and INT_MIN <= level <= INT_MAX
                and INT_MIN <= optname <= INT_MAX and INT_MIN <= buflen <= INT_MAX):
            level, optname, buflen = c_int(level), c_int(optname), c_int(buflen)
        if buflen == 0:
            value = lib.ps_getsockopt_int(self._h, level, optname)
            if value < INT_MIN:
                raise from_result(value - INT_ERR_BASE)
            return value
        if not 0 < buflen <= 1024:
            raise OSError("getsockopt buflen out of range")
        buf = _new("char[]", buflen)
        length = ffi.new("unsigned *", buflen)
        result = lib.ps_getsockopt(self._h, level, optname, buf, length)
        if result < 0:
            raise from_result(result)
        return _unpack(buf, length[0])

    def setsockopt(self, level: int, optname: int, value: Any,
                   optlen: Optional[int] = None, /) -> None:
        """setsockopt(level, optname, int | bytes-like) or (level, optname, None, optlen)."""
        level, optname = c_int(level), c_int(optname)
        if optlen is not None:
            if value is not None:
                raise TypeError("setsockopt() takes exactly 3 arguments (4 given)")
            # "I" in the stdlib: wrapped to 32 bits, so -1 reaches the kernel (EINVAL).
            result = lib.ps_setsockopt(self._h, level, optname, ffi.NULL,
                                       c_uint_mask(optlen))
        else:
            number = _int_option(value)
            if number is not None:
                cell = ffi.new("int *", number)
                result = lib.ps_setsockopt(self._h, level, optname, cell,
                                           ffi.sizeof("int"))
            else:
                data = _read_buffer(value)
                result = lib.ps_setsockopt(self._h, level, optname, data, len(data))
        if result < 0:
            raise from_result(result)

    def shutdown(self, how: int, /) -> None:
        how = c_int_exact(how)
        result = lib.ps_shutdown(self._h, how)
        if result < 0:
            raise from_result(result)

    # ---- connections ----------------------------------------------------------

    def _connect(self, address: Any, caller: str) -> int:
        buf, length = _encode(self._family, address, caller)
        _audit("socket.connect", self, address)
        deadline = self._deadline()
        result = lib.ps_connect(self._h, buf, length, deadline)
        while result == EINTR:
            # The connection goes on in the kernel: wait for it (PEP 475);
            # signal handlers run here and may raise.
            result = lib.ps_connect_wait(self._h, deadline)
        return result

    def connect(self, address: Any, /) -> None:
        result = self._connect(address, "connect")
        if result < 0:
            raise from_result(result)

    def connect_ex(self, address: Any, /) -> int:
        result = self._connect(address, "connect_ex")
        if result >= 0:
            return 0
        if result == lib.PS_ERR_TIMEOUT:
            return C["EWOULDBLOCK"]  # what the stdlib returns for a timeout
        return -result

    def disconnect(self) -> None:
        """Dissolve a datagram socket's association (connect to AF_UNSPEC).

        pysock extra: the stdlib has no way to undo connect() on UDP.
        """
        buf = _new("char[]", SOCKADDR_MAX)
        length = lib.ps_sockaddr_unspec(buf, SOCKADDR_MAX)
        result = lib.ps_connect(self._h, buf, length, NO_DEADLINE)
        if result < 0:
            raise from_result(result)

    def _accept(self) -> Tuple[int, Any]:
        try:
            scratch = _scratch_pop()
        except IndexError:
            scratch = _new_address_scratch()
        addr, length = scratch
        length[0] = SOCKADDR_MAX
        # accept4 makes the new socket close-on-exec, and non-blocking at once
        # when the default timeout asks for it: no fcntl afterwards.
        flags = _ACCEPT_NONBLOCK if _default_timeout_ns >= 0 else 0
        deadline = self._deadline()
        try:
            fd = _accept(self._h, addr, length, flags, deadline)
            while fd == EINTR:
                length[0] = SOCKADDR_MAX
                fd = _accept(self._h, addr, length, flags, deadline)
            if fd < 0:
                raise from_result(fd)
            return fd, _decode(addr, length[0])  # a new peer each time: no cache
        finally:
            _scratch_append(scratch)

    def accept(self) -> Tuple["socket", Any]:
        """Accept a connection: (new socket, peer address)."""
        fd, address = self._accept()
        # The new socket starts with the default timeout; accept4 made it
        # non-blocking already when that timeout is not None.
        sock = socket._wrap(fd, self._family, self._type, self._proto,
                            _default_timeout_ns >= 0)
        return sock, address

    # ---- sending ----------------------------------------------------------------

    def send(self, data: Any, flags: int = 0, /) -> int:
        t = self._timeout_ns
        if type(data) is not bytes:
            data = _read_buffer(data)
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        try:
            n = _send(self._h, data, len(data), flags, deadline)
        except (TypeError, OverflowError):
            # cffi refused flags: converted here by the stdlib's rule
            flags = c_int(flags)
            n = _send(self._h, data, len(data), flags, deadline)
        if n < 0:
            return self._retry_send(n, data, flags, deadline)
        return n

    def _retry_send(self, n: int, data: Any, flags: int, deadline: int) -> int:
        # PEP 475: the retry keeps the first deadline, or signals arriving
        # more often than the timeout would postpone it for ever.
        while n == EINTR:
            n = _send(self._h, data, len(data), flags, deadline)
        if n < 0:
            raise from_result(n)
        return n

    def sendall(self, data: Any, flags: int = 0, /) -> None:
        """Send all of data; the timeout bounds the whole call."""
        if type(data) is not bytes:
            data = _read_buffer(data)
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        size = len(data)
        try:
            sent = _sendall(self._h, data, size, flags, deadline, 0)
        except (TypeError, OverflowError):
            # cffi refused flags: converted here by the stdlib's rule
            flags = c_int(flags)
            sent = _sendall(self._h, data, size, flags, deadline, 0)
        # Short of size: a signal stopped it.  The handlers run before the
        # loop's test (PEP 475); the call resumes where it stopped.
        while 0 <= sent < size:
            sent = _sendall(self._h, data, size, flags, deadline, sent)
        if sent < 0:
            raise from_result(sent)

    def sendto(self, data: Any, *args: Any) -> int:
        """sendto(data[, flags], address)"""
        if len(args) == 1:
            flags, address = 0, args[0]
        elif len(args) == 2:
            flags, address = args
            flags = c_int(flags)   # before the address, as the stdlib parses them
        else:
            raise TypeError(f"sendto() takes 2 or 3 arguments ({len(args) + 1} given)")
        if type(data) is not bytes:
            data = _read_buffer(data)
        # The address cache's hit inline; encode_cached() explains the key.
        try:
            hit = _encoded.get((self._family, address))
        except TypeError:  # unhashable: encode() words the error
            hit = None
        if hit is not None and address[1].__class__ is int:
            buf, length = hit
        else:
            buf, length = _encode_cached(self._family, address, "sendto")
        _audit("socket.sendto", self, address)
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        n = _sendto(self._h, data, len(data), flags, buf, length, deadline)
        while n == EINTR:
            n = _sendto(self._h, data, len(data), flags, buf, length, deadline)
        if n < 0:
            raise from_result(n)
        return n

    def sendmsg(self, buffers: Iterable[Any], ancdata: Iterable[Any] = (),
                flags: int = 0, address: Any = None, /) -> int:
        """Scatter/gather send with ancillary data: [(level, type, data), ...]."""
        flags = c_int(flags)
        if address is not None:
            addr, addrlen = _encode(self._family, address, "sendmsg")
        else:
            addr, addrlen = ffi.NULL, 0
        _audit("socket.sendmsg", self, address)
        views = [_read_buffer(b) for b in iterate(buffers, "sendmsg")]
        control, controllen = _pack_ancillary(ancdata)
        bufs = ffi.new("void *[]", views)
        lens = ffi.new("size_t[]", [len(v) for v in views])
        deadline = self._deadline()
        n = _sendmsg(self._h, bufs, lens, len(views), control, controllen,
                     flags, addr, addrlen, deadline)
        while n == EINTR:
            n = _sendmsg(self._h, bufs, lens, len(views), control, controllen,
                         flags, addr, addrlen, deadline)
        if n < 0:
            raise from_result(n)
        return n

    def sendmsg_afalg(self, msg: Iterable[Any] = (), *, op: int,
                      iv: Any = None, assoclen: Optional[int] = None,
                      flags: int = _MSG_MORE) -> int:
        """sendmsg() for AF_ALG sockets: the operation, IV and AEAD length as cmsgs."""
        if _SOL_ALG is None:
            raise OSError("AF_ALG is not available")
        u32 = ffi.new("uint32_t[2]")
        ancdata = []
        u32[0] = op
        ancdata.append((_SOL_ALG, C["ALG_SET_OP"], _unpack(ffi.cast("char *", u32), 4)))
        if iv is not None:
            ivdata = bytes(_read_buffer(iv))
            u32[0] = len(ivdata)
            ancdata.append((_SOL_ALG, C["ALG_SET_IV"],
                            _unpack(ffi.cast("char *", u32), 4) + ivdata))
        if assoclen is not None:
            if assoclen < 0:
                raise TypeError("assoclen must be positive")
            u32[0] = assoclen
            ancdata.append((_SOL_ALG, C["ALG_SET_AEAD_ASSOCLEN"],
                            _unpack(ffi.cast("char *", u32), 4)))
        return self.sendmsg(list(msg), ancdata, flags)

    def _sendfile_use_sendfile(self, file: Any, offset: int = 0,
                               count: Optional[int] = None) -> int:
        """sendfile(2) in a loop; the stdlib's sendfile() falls back to send()
        when this gives up (not a regular file, or the first call fails)."""
        self._check_sendfile_params(file, offset, count)
        try:
            fileno = file.fileno()
        except (AttributeError, io.UnsupportedOperation) as exc:
            raise _std._GiveupOnSendfile(exc)
        try:
            size = os.fstat(fileno).st_size
        except OSError as exc:
            raise _std._GiveupOnSendfile(exc)
        if not size:
            return 0
        if self._timeout_ns == 0:
            raise ValueError("non-blocking sockets are not supported")
        block = min(count or size, 2**30)
        total = 0
        position = ffi.new("int64_t *", offset)
        try:
            while True:
                if count:
                    block = min(count - total, block)
                    if block <= 0:
                        break
                # The timeout bounds each wait for the socket, as in the stdlib.
                sent = lib.ps_sendfile(self._h, fileno, position, block, self._deadline())
                if sent == EINTR:
                    continue
                if sent < 0:
                    if total == 0 and sent != lib.PS_ERR_TIMEOUT:
                        raise _std._GiveupOnSendfile(from_result(sent))
                    raise from_result(sent)
                if sent == 0:
                    break
                total += sent
            return total
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(position[0])

    # ---- receiving ----------------------------------------------------------------

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        if type(bufsize) is not int:
            bufsize = c_ssize(bufsize)
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        t = self._timeout_ns
        # The buffer pool's fast case inline (no helper frame per call).
        if bufsize <= POOL_BUFFER:
            try:
                buf = _small_pop()
            except IndexError:
                buf = _new_small()
        else:
            buf = _take(bufsize)
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        try:
            n = _recv(self._h, buf, bufsize, flags, deadline)
        except (TypeError, OverflowError):
            # cffi refused flags: converted here by the stdlib's rule
            flags = c_int(flags)
            n = _recv(self._h, buf, bufsize, flags, deadline)
        if n == EINTR:
            n = self._retry_recv(n, buf, bufsize, flags, deadline)
        if n >= 0:
            data = _unpack(buf, n) if n <= bufsize else _truncated(buf, bufsize, n)
        if bufsize <= POOL_BUFFER:
            _small_append(buf)
        else:
            _give(buf)
        if n < 0:
            # Raised here, not in a helper: one frame less to unwind and trace
            # back (EAGAIN on a non-blocking socket is a hot path).
            raise from_result(n)
        return data

    def _retry_recv(self, n: int, buf: Any, bufsize: int, flags: int, deadline: int) -> int:
        while n == EINTR:  # keeping the first deadline, as _retry_send
            n = _recv(self._h, buf, bufsize, flags, deadline)
        return n

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        if nbytes.__class__ is not int:
            nbytes = c_ssize(nbytes)
        if nbytes < 0:
            raise ValueError("negative buffersize in recv_into")
        try:
            view = _from_buffer(buffer, require_writable=True)
        except (TypeError, BufferError):
            view = _write_buffer(buffer, "recv_into")  # raises the stdlib's error
        if nbytes == 0:
            nbytes = len(view)
        elif nbytes > len(view):
            raise ValueError("buffer too small for requested bytes")
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        try:
            n = _recv(self._h, view, nbytes, flags, deadline)
        except (TypeError, OverflowError):
            # cffi refused flags: converted here by the stdlib's rule
            flags = c_int(flags)
            n = _recv(self._h, view, nbytes, flags, deadline)
        while n == EINTR:  # keeping the first deadline, as _retry_send
            n = _recv(self._h, view, nbytes, flags, deadline)
        if n < 0:
            raise from_result(n)
        return n

    def _recvfrom(self, view: Any, nbytes: int, flags: int) -> Tuple[int, Any]:
        """recvfrom and recvfrom_into: (bytes received, sender address).

        The address scratch's pool and the decoded-address cache's hit are
        inline: this runs once per datagram.
        """
        try:
            scratch = _scratch_pop()
        except IndexError:
            scratch = _new_address_scratch()
        addr, length = scratch
        length[0] = SOCKADDR_MAX
        t = self._timeout_ns
        deadline = _monotonic_ns() + t if t > 0 else NO_DEADLINE
        try:
            try:
                n = _recvfrom(self._h, view, nbytes, flags, addr, length, deadline)
            except (TypeError, OverflowError):
                # cffi refused flags: converted here by the stdlib's rule
                flags = c_int(flags)
                n = _recvfrom(self._h, view, nbytes, flags, addr, length, deadline)
            while n == EINTR:
                length[0] = SOCKADDR_MAX
                n = _recvfrom(self._h, view, nbytes, flags, addr, length, deadline)
            if n < 0:
                raise from_result(n)
            size = length[0]
            address = _decoded.get(_unpack(addr, size))
            if address is None:
                address = _decode_cached(addr, size)  # raises on a bad address
            return n, address
        finally:
            _scratch_append(scratch)

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> Tuple[bytes, Any]:
        if type(bufsize) is not int:
            bufsize = c_ssize(bufsize)
        if bufsize < 0:
            raise ValueError("negative buffersize in recvfrom")
        if bufsize <= POOL_BUFFER:  # the pool's fast case inline, as recv's
            try:
                buf = _small_pop()
            except IndexError:
                buf = _new_small()
        else:
            buf = _take(bufsize)
        try:
            n, address = self._recvfrom(buf, bufsize, flags)
            return (_unpack(buf, n) if n <= bufsize else _truncated(buf, bufsize, n)), address
        finally:
            if bufsize <= POOL_BUFFER:
                _small_append(buf)
            else:
                _give(buf)

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> Tuple[int, Any]:
        if nbytes.__class__ is not int:
            nbytes = c_ssize(nbytes)
        if nbytes < 0:
            raise ValueError("negative buffersize in recvfrom_into")
        view = _write_buffer(buffer, "recvfrom_into")
        if nbytes == 0:
            nbytes = len(view)
        elif nbytes > len(view):
            raise ValueError("nbytes is greater than the length of the buffer")
        return self._recvfrom(view, nbytes, flags)

    def _recvmsg(self, views: List[Any], sizes: List[int], ancbufsize: int,
                 flags: int) -> Tuple[int, list, int, Any]:
        if not 0 <= ancbufsize <= INT_MAX:  # socklen_t's limit, as the stdlib
            raise ValueError("invalid ancillary data buffer length")
        control = _new("char[]", max(ancbufsize, 1))
        controllen = ffi.new("size_t *", ancbufsize)
        msg_flags = ffi.new("int *")
        addr = _new("char[]", SOCKADDR_MAX)
        addrlen = ffi.new("unsigned *", SOCKADDR_MAX)
        bufs = ffi.new("void *[]", views or [ffi.NULL])
        lens = ffi.new("size_t[]", sizes or [0])
        deadline = self._deadline()
        n = _recvmsg(self._h, bufs, lens, len(views), control, controllen, msg_flags,
                     addr, addrlen, flags, deadline)
        while n == EINTR:
            controllen[0] = ancbufsize
            addrlen[0] = SOCKADDR_MAX
            n = _recvmsg(self._h, bufs, lens, len(views), control, controllen,
                         msg_flags, addr, addrlen, flags, deadline)
        if n < 0:
            raise from_result(n)
        try:
            ancdata = _unpack_ancillary(control, controllen[0])
            return n, ancdata, msg_flags[0], _decode(addr, addrlen[0])
        except BaseException:
            # Descriptors received but never returned (a RuntimeWarning made an
            # error by the warnings filter, an undecodable address) would leak.
            lib.ps_cmsg_close_fds(control, controllen[0])
            raise

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0, /) -> Tuple[bytes, list, int, Any]:
        """Receive data, ancillary data, flags and address."""
        bufsize, ancbufsize, flags = c_ssize(bufsize), c_ssize(ancbufsize), c_int(flags)
        if bufsize < 0:
            raise ValueError("negative buffer size in recvmsg()")
        buf = _take(bufsize)
        try:
            n, ancdata, msg_flags, address = self._recvmsg(
                [buf] if bufsize else [], [bufsize] if bufsize else [], ancbufsize, flags)
            # With MSG_TRUNC, n is the datagram's full size; like the stdlib,
            # recvmsg returns only what fitted in the buffer.
            return _unpack(buf, min(n, bufsize)), ancdata, msg_flags, address
        finally:
            _give(buf)

    def recvmsg_into(self, buffers: Iterable[Any], ancbufsize: int = 0,
                     flags: int = 0, /) -> Tuple[int, list, int, Any]:
        """recvmsg() scattering the data into writable buffers."""
        ancbufsize, flags = c_ssize(ancbufsize), c_int(flags)
        try:
            items = list(buffers)
        except TypeError:
            raise TypeError("recvmsg_into() argument 1 must be an iterable") from None
        views = []
        for item in items:
            try:
                views.append(_from_buffer(item, require_writable=True))
            except (TypeError, BufferError):
                raise TypeError("recvmsg_into() argument 1 must be an iterable "
                                "of single-segment read-write buffers") from None
        return self._recvmsg(views, [len(v) for v in views], ancbufsize, flags)

    if hasattr(_std.socket, "_reuse"):
        # PyPy's _socket.socket has a use count for code written for PyPy 2's
        # socket.py: _reuse() adds a user, _drop() removes one and closes the
        # descriptor (not the Python object) when none is left.  Same here,
        # so that no stdlib method is ever inherited.
        def _reuse(self) -> None:
            self._usecount = getattr(self, "_usecount", 1) + 1

        def _drop(self) -> None:
            self._usecount = getattr(self, "_usecount", 1) - 1
            if self._usecount <= 0:
                self._real_close()

    # ---- files and copies: the stdlib's own Python code, bound to this backend
    # (see pysock._rebind); makefile, dup, close, __repr__ and friends are set
    # on this class by pysock.backends.cffi.


def _blocking_flag(flag: Any) -> bool:
    """setblocking()'s argument: any truth value since CPython 3.12, an
    integer (PyLong_AsLong) before."""
    if _BLOCKING_TAKES_ANY_TRUTH or flag.__class__ is bool:
        return bool(flag)
    if _FLOAT_AS_INT and isinstance(flag, float):
        # 3.9's PyLong_AsLong still took floats through __int__, with a warning.
        warnings.warn("an integer is required (got type float).  Implicit conversion "
                      "to integers using __int__ is deprecated, and may be removed "
                      "in a future version of Python.", DeprecationWarning, stacklevel=3)
        return bool(int(flag))
    return bool(c_long(flag))


def _int_option(value: Any) -> Optional[int]:
    """An int option value as the stdlib's first try ("i"), or None if the
    value must be a buffer instead (not an integer, or outside C int)."""
    if value.__class__ is not int:
        try:
            value = operator.index(value)
        except TypeError:
            return None
    return value if INT_MIN <= value <= INT_MAX else None


# value -> AddressFamily / SocketKind member (or the value itself, if none).
_families: "dict[int, int]" = {}
_kinds: "dict[int, int]" = {}


def _intenum(value: int, enum_class: Any, members: "dict[int, int]") -> int:
    """The enum member for value, or value itself, kept in `members` (a
    cache: enum lookups are slow and every socket() and accept() needs two)."""
    try:
        member = enum_class(value)
    except ValueError:
        member = value
    if len(members) < 128:
        members[value] = member
    return member


def _pack_ancillary(ancdata: Iterable[Any]) -> Tuple[Any, int]:
    """A control buffer holding [(level, type, data), ...] as cmsg headers."""
    try:
        items = list(ancdata)
    except TypeError:
        raise TypeError("sendmsg() argument 2 must be an iterable") from None
    if not items:
        return ffi.NULL, 0
    parsed = []
    total = 0
    for item in items:
        level, kind, view = _ancillary_item(item)
        space = lib.ps_cmsg_space(len(view))
        if space < 0:
            raise OSError("ancillary data item too large")
        total += space
        if total > 2**31 - 1:
            raise OSError("too much ancillary data")
        parsed.append((level, kind, view))
    control = ffi.new("char[]", total)
    offset = 0
    for level, kind, view in parsed:
        offset = lib.ps_cmsg_put(control, total, offset, level, kind, view, len(view))
        if offset < 0:
            raise from_result(offset)
    return control, total


def _ancillary_item(item: Any) -> Tuple[int, int, Any]:
    """(level, type, data view) of one sendmsg() ancillary item, checked as
    the stdlib's "(iiy*)" does, with its messages."""
    where = "[sendmsg() ancillary data items]() argument"
    if (isinstance(item, (bytes, dict)) or not hasattr(type(item), "__getitem__")
            or not hasattr(type(item), "__len__")):
        raise TypeError(f"{where} must be 3-item sequence, not {type_name(item)}")
    if len(item) != 3:
        raise TypeError(f"{where} must be sequence of length 3, not {len(item)}")
    return c_int(item[0]), c_int(item[1]), _read_buffer(item[2])


def _unpack_ancillary(control: Any, length: int) -> List[Tuple[int, int, bytes]]:
    """[(level, type, data)] from a received control buffer, never reading past it."""
    items = []
    if length == 0:
        return items
    offset = ffi.new("size_t *")
    level = ffi.new("int *")
    kind = ffi.new("int *")
    data_offset = ffi.new("size_t *")
    data_len = ffi.new("size_t *")
    base = ffi.cast("char *", control)
    while True:
        status = lib.ps_cmsg_next(control, length, offset, level, kind, data_offset, data_len)
        if status == 0:
            break
        if status != 1:
            warnings.warn("received malformed or improperly-truncated ancillary data",
                          RuntimeWarning, stacklevel=3)
        if status < 0:
            break
        items.append((level[0], kind[0], _unpack(base + data_offset[0], data_len[0])))
        if status != 1:
            break
    return items
