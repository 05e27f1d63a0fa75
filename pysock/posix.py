"""pysock.posix: the socket calls shaped like C, to translate a C lab program
line by line and see the same return values.

    from pysock import posix
    from pysock.posix import AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, INADDR_ANY

    fd = posix.socket(AF_INET, SOCK_STREAM, 0)
    if fd < 0:
        posix.perror("socket")
    posix.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)
    address = posix.sockaddr_in(port=12345, addr=INADDR_ANY)
    if posix.bind(fd, address) < 0: ...
    buffer = bytearray(1024)
    n = posix.read(fd, buffer, 1024)

The rules:

- Integers in, integers out.  A call that fails returns -1 and leaves the
  error number in ``posix.errno()`` (per thread, like C's errno, and only
  set by a failure); ``strerror()`` and ``perror()`` are C's.
- ``posix.raising`` has every name of this module, but its calls raise
  OSError (the subclass the socket module would raise:
  ConnectionRefusedError, BlockingIOError, ...) instead of returning -1.
  ``posix = pysock.posix.raising`` switches a whole program.
- Where C passes a ``char *``, pass a bytes-like object (to send) or a
  writable one (bytearray, memoryview, a ctypes array) to receive into.  A
  length beyond the buffer is a ValueError: C would overrun the buffer.
- Variables C passes by pointer (an option value, an address length) are
  ctypes objects: ``c_int(1)``, ``socklen_t(sizeof(address))``.
- Structures are the C structs: ``sockaddr_in``, ``sockaddr_in6``,
  ``sockaddr_un`` and ``pollfd`` read and write their C fields
  (``sin_port`` is in network byte order, as in C), ``bytes(s)`` is their
  memory, ``sizeof(s)`` their size, and repr() explains the fields.
- Programming errors (a wrong type, a buffer too small) raise TypeError or
  ValueError, as Python does; only what the kernel says comes back as -1.

Deliberate differences from C, shared with the rest of pysock: descriptors
are close-on-exec; ``send``/``sendto`` add MSG_NOSIGNAL (Python ignores
SIGPIPE anyway, so a C program with SIGPIPE ignored sees the same -1 EPIPE);
htons() and friends truncate to 16/32 bits as C's conversion does.  EINTR is
returned as in C (-1, errno EINTR), not retried as the socket module retries
it (PEP 475).

This layer runs on pysock's compiled shims: without the extension, importing
it raises ImportError with the reason.
"""

from __future__ import annotations

import ctypes
import errno as _errno_module
import functools
import operator
import os
import sys
import threading
import types
from typing import Any, Callable, Dict, List, Optional

from pysock.backends.cffi.constants import POSIX as _POSIX_CONSTANTS
from pysock.backends.cffi.constants import SOCKET as _SOCKET_CONSTANTS
from pysock.backends.cffi.native import NO_DEADLINE, ffi, lib

# ---- constants: plain ints, as C sees them ------------------------------------

_CONSTANTS: Dict[str, int] = {
    name: int(value) for name, value in {**_SOCKET_CONSTANTS, **_POSIX_CONSTANTS}.items()}
_CONSTANTS.update({name: value for name, value in vars(_errno_module).items()
                   if name.startswith("E") and name.isupper() and isinstance(value, int)})
globals().update(_CONSTANTS)

# Variables passed by pointer.
c_int = ctypes.c_int
socklen_t = ctypes.c_uint  # unsigned int on Linux and macOS

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_SCRATCH_ADDR = ffi.sizeof("struct sockaddr_storage")

# ---- errno ----------------------------------------------------------------------

_thread = threading.local()


def errno() -> int:
    """The error number of this thread's last failed call (0 if none failed)."""
    return getattr(_thread, "errno", 0)


def strerror(code: Optional[int] = None) -> str:
    """C's strerror(): the message for an error number (default: errno())."""
    return os.strerror(errno() if code is None else code)


def perror(message: str = "") -> None:
    """C's perror(): "message: strerror(errno)" on stderr."""
    text = strerror()
    print(f"{message}: {text}" if message else text, file=sys.stderr)


def _result(value: int) -> int:
    """A shim's result as C returns it: -errno becomes -1 with errno set."""
    if value >= 0:
        return value
    _thread.errno = -value
    return -1


_CALLS: List[str] = []


def _c_call(func: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a function that reports failure as C does (for ``raising``)."""
    _CALLS.append(func.__name__)
    return func


# ---- arguments --------------------------------------------------------------------

def _int(value: Any, what: str) -> int:
    number = operator.index(value)
    if not _INT_MIN <= number <= _INT_MAX:
        raise OverflowError(f"{what} {number} does not fit a C int")
    return number


def _handle(fd: Any) -> Any:
    """A shim handle for a bare descriptor (the shims work on handles)."""
    handle = ffi.new("ps_sock *")
    lib.ps_sock_init(handle, _int(fd, "descriptor"))
    return handle


def _length(size: int, length: Any, what: str) -> int:
    if length is None:
        return size
    n = operator.index(length)
    if not 0 <= n <= size:
        raise ValueError(f"{what}: length {n} does not fit the buffer ({size} bytes); "
                         "C would read or write past its end")
    return n


def _readable(buf: Any, length: Any, what: str) -> "tuple[Any, int]":
    try:
        view = ffi.from_buffer(buf)
    except TypeError:
        raise TypeError(f"{what}: a bytes-like object is required, not "
                        f"'{type(buf).__name__}'") from None
    return view, _length(len(view), length, what)


def _writable(buf: Any, length: Any, what: str) -> "tuple[Any, int]":
    try:
        view = ffi.from_buffer(buf, require_writable=True)
    except (TypeError, BufferError):
        raise TypeError(f"{what}: a writable buffer is required (bytearray, memoryview, "
                        f"ctypes), not '{type(buf).__name__}'") from None
    return view, _length(len(view), length, what)


def _pointer(obj: Any, what: str, writable: bool = True) -> "tuple[Any, int]":
    """A C pointer and the size behind it, for a struct, a struct field
    (e.g. ``address.sin_addr``) or a buffer."""
    if isinstance(obj, _Struct):
        return obj._c, ffi.sizeof(obj._c[0])
    if isinstance(obj, ffi.CData):
        kind = ffi.typeof(obj).kind
        if kind == "struct":
            return ffi.addressof(obj), ffi.sizeof(obj)
        if kind == "pointer":
            return obj, ffi.sizeof(ffi.typeof(obj).item)
    return (_writable if writable else _readable)(obj, None, what)


def _address(addr: Any, addrlen: Any, what: str) -> "tuple[Any, int]":
    pointer, size = _pointer(addr, what, writable=False)
    if addrlen is None:
        return pointer, size
    if isinstance(addrlen, ctypes._SimpleCData):
        addrlen = addrlen.value
    # The kernel reads addrlen bytes from the pointer: never past the struct.
    return pointer, _length(size, addrlen, f"{what} addrlen")


def _address_out(addr: Any, addrlen: Any, what: str) -> "tuple[Any, Any]":
    """(buffer, length cell) for a call that fills in an address."""
    if addr is None:
        buf, size = ffi.new("char[]", _SCRATCH_ADDR), _SCRATCH_ADDR
    else:
        buf, size = _pointer(addr, what)
    if addrlen is not None:
        size = min(size, operator.index(addrlen.value))
    return buf, ffi.new("unsigned *", max(size, 0))


def _store_length(addrlen: Any, cell: Any) -> None:
    if addrlen is not None:
        addrlen.value = cell[0]


# ---- the structures -----------------------------------------------------------------

class _Struct:
    """A C struct, zero-filled like memset(&s, 0, sizeof(s)); its fields read
    and write as in C.  bytes() is its memory; sizeof() its size."""

    _ctype = ""
    __slots__ = ("_c",)

    def __init__(self) -> None:
        object.__setattr__(self, "_c", ffi.new(f"{self._ctype} *"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._c, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._c, name, value)

    def __bytes__(self) -> bytes:
        return ffi.buffer(self._c)[:]

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and bytes(self) == bytes(other)

    __hash__ = None  # type: ignore[assignment]

    def _raw(self) -> str:
        return bytes(self).hex(" ")


def _family_name(family: int) -> str:
    for name in ("AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC"):
        if _CONSTANTS.get(name) == family:
            return name
    return str(family)


class sockaddr_in(_Struct):
    """struct sockaddr_in.  ``sockaddr_in()`` is all zero (family 0, as after
    memset); ``sockaddr_in(port=12345, addr=INADDR_ANY)`` also sets
    sin_family = AF_INET, sin_port = htons(port) and sin_addr from `addr`:
    a host-order number (INADDR_ANY, INADDR_LOOPBACK: htonl() is applied, as C
    code must) or dotted-quad text."""

    _ctype = "struct sockaddr_in"
    __slots__ = ()

    def __init__(self, port: Optional[int] = None, addr: Any = None) -> None:
        super().__init__()
        if port is None and addr is None:
            return
        self.sin_family = _CONSTANTS["AF_INET"]
        self.sin_port = htons(port or 0)
        if isinstance(addr, str):
            if lib.ps_inet_pton(_CONSTANTS["AF_INET"], addr.encode(),
                                ffi.addressof(self._c, "sin_addr"), 4) <= 0:
                raise ValueError(f"not a dotted-quad IPv4 address: {addr!r}")
        elif addr is not None:
            self.sin_addr.s_addr = htonl(addr)

    @property
    def family(self) -> int:
        return self._c.sin_family

    @property
    def port(self) -> int:
        """The port in host byte order (sin_port is in network order)."""
        return ntohs(self._c.sin_port)

    @property
    def address(self) -> str:
        return inet_ntop(_CONSTANTS["AF_INET"], self._c.sin_addr) or "?"

    def __repr__(self) -> str:
        return (f"<sockaddr_in sin_family={self.family} ({_family_name(self.family)}) "
                f"sin_port=0x{self._c.sin_port:04x} (htons({self.port})) "
                f"sin_addr.s_addr=0x{self._c.sin_addr.s_addr:08x} ({self.address}); "
                f"{sizeof(self)} bytes: {self._raw()}>")


class sockaddr_in6(_Struct):
    """struct sockaddr_in6; ``sockaddr_in6(port, addr="::1")`` fills it in
    (sin6_family = AF_INET6, sin6_port = htons(port), sin6_addr from text)."""

    _ctype = "struct sockaddr_in6"
    __slots__ = ()

    def __init__(self, port: Optional[int] = None, addr: Optional[str] = None,
                 flowinfo: int = 0, scope_id: int = 0) -> None:
        super().__init__()
        if port is None and addr is None:
            return
        self.sin6_family = _CONSTANTS["AF_INET6"]
        self.sin6_port = htons(port or 0)
        self.sin6_flowinfo = htonl(flowinfo)
        self.sin6_scope_id = scope_id
        if addr is not None and lib.ps_inet_pton(
                _CONSTANTS["AF_INET6"], addr.encode(),
                ffi.addressof(self._c, "sin6_addr"), 16) <= 0:
            raise ValueError(f"not an IPv6 address: {addr!r}")

    @property
    def family(self) -> int:
        return self._c.sin6_family

    @property
    def port(self) -> int:
        return ntohs(self._c.sin6_port)

    @property
    def address(self) -> str:
        return inet_ntop(_CONSTANTS["AF_INET6"], self._c.sin6_addr) or "?"

    def __repr__(self) -> str:
        return (f"<sockaddr_in6 sin6_family={self.family} ({_family_name(self.family)}) "
                f"sin6_port=0x{self._c.sin6_port:04x} (htons({self.port})) "
                f"sin6_addr={self.address} sin6_scope_id={self._c.sin6_scope_id}; "
                f"{sizeof(self)} bytes: {self._raw()}>")


class sockaddr_un(_Struct):
    """struct sockaddr_un; ``sockaddr_un("/tmp/x.sock")`` sets sun_family =
    AF_UNIX and sun_path.  A path that does not fit sun_path with its NUL
    raises OSError("AF_UNIX path too long"), as the socket module does,
    where careless C would silently cut it."""

    _ctype = "struct sockaddr_un"
    __slots__ = ()

    def __init__(self, path: Any = None) -> None:
        super().__init__()
        if path is None:
            return
        data = os.fsencode(path)
        if len(data) >= len(self._c.sun_path):
            raise OSError("AF_UNIX path too long")
        self.sun_family = _CONSTANTS["AF_UNIX"]
        ffi.memmove(self._c.sun_path, data, len(data))

    @property
    def family(self) -> int:
        return self._c.sun_family

    @property
    def path(self) -> str:
        return os.fsdecode(ffi.string(self._c.sun_path))

    def __repr__(self) -> str:
        return (f"<sockaddr_un sun_family={self.family} ({_family_name(self.family)}) "
                f"sun_path={self.path!r}; {sizeof(self)} bytes>")


class pollfd(_Struct):
    """struct pollfd: ``pollfd(fd, POLLIN)``; poll() fills in revents."""

    _ctype = "struct pollfd"
    __slots__ = ()

    def __init__(self, fd: int = -1, events: int = 0) -> None:
        super().__init__()
        self.fd = fd
        self.events = events

    def __repr__(self) -> str:
        return f"<pollfd fd={self.fd} events=0x{self.events:x} revents=0x{self.revents:x}>"


def sizeof(obj: Any) -> int:
    """C's sizeof for a struct, a struct field, a ctypes object or a buffer."""
    if isinstance(obj, _Struct):
        return ffi.sizeof(obj._c[0])
    if isinstance(obj, ffi.CData):
        return ffi.sizeof(obj)
    if isinstance(obj, (ctypes._SimpleCData, ctypes.Array, ctypes.Structure)):
        return ctypes.sizeof(obj)
    if isinstance(obj, type) and issubclass(obj, _Struct):
        return ffi.sizeof(obj._ctype)
    return memoryview(obj).nbytes


def cstr(buf: Any) -> str:
    """The text in a buffer up to its first NUL, as printf("%s") shows it."""
    return bytes(buf).split(b"\0", 1)[0].decode("utf-8", "replace")


# ---- byte order and address text: never fail as system calls --------------------------

def htons(x: int) -> int:
    """Host to network order, 16 bits (truncated to 16 bits, as in C)."""
    return lib.ps_htons(operator.index(x) & 0xFFFF)


def ntohs(x: int) -> int:
    return lib.ps_ntohs(operator.index(x) & 0xFFFF)


def htonl(x: int) -> int:
    """Host to network order, 32 bits (truncated to 32 bits, as in C)."""
    return lib.ps_htonl(operator.index(x) & 0xFFFFFFFF)


def ntohl(x: int) -> int:
    return lib.ps_ntohl(operator.index(x) & 0xFFFFFFFF)


def _text(value: Any) -> bytes:
    data = os.fsencode(value) if isinstance(value, str) else bytes(value)
    if b"\0" in data:
        raise ValueError("embedded null character")
    return data


@_c_call
def inet_pton(af: int, src: Any, dst: Any) -> int:
    """1 and the address in dst (e.g. ``address.sin_addr``); 0 if src is not
    an address of that family; -1 (EAFNOSUPPORT) for an unknown family."""
    pointer, size = _pointer(dst, "inet_pton")
    result = lib.ps_inet_pton(_int(af, "af"), _text(src), pointer, size)
    if result == -_errno_module.EINVAL:
        raise ValueError(f"inet_pton: dst has {size} bytes, too small for the address")
    return _result(result) if result < 0 else (1 if result > 0 else 0)


def inet_ntop(af: int, src: Any) -> Optional[str]:
    """The text of an address (``address.sin_addr`` or packed bytes); None
    (C's NULL) with errno set on failure."""
    pointer, size = _pointer(src, "inet_ntop", writable=False)
    out = ffi.new("char[]", 64)
    result = lib.ps_inet_ntop(_int(af, "af"), pointer, size, out, 64)
    if result < 0:
        _result(result)
        return None
    return ffi.string(out).decode("ascii")


def inet_aton(cp: Any, inp: Any) -> int:
    """1 and the address in inp, accepting the old forms ("127.1", "0x7f.1",
    octal "010.0.0.1"); 0 if cp is not an IPv4 address.  IPv4 only."""
    pointer, size = _pointer(inp, "inet_aton")
    result = lib.ps_inet_aton(_text(cp), pointer, size)
    if result < 0:
        raise ValueError(f"inet_aton: inp has {size} bytes, an in_addr needs 4")
    return 1 if result > 0 else 0


def inet_ntoa(in_: Any) -> str:
    """Dotted-quad text of an in_addr (``address.sin_addr``) or 4 packed bytes."""
    pointer, size = _pointer(in_, "inet_ntoa", writable=False)
    out = ffi.new("char[]", 16)
    if lib.ps_inet_ntoa(pointer, size, out, 16) < 0:
        raise ValueError(f"inet_ntoa: an in_addr has 4 bytes, not {size}")
    return ffi.string(out).decode("ascii")


def inet_addr(cp: Any) -> int:
    """The in_addr_t for dotted text, or INADDR_NONE (0xffffffff) on error,
    which is also the value of "255.255.255.255": C cannot tell them apart."""
    return lib.ps_inet_addr(_text(cp))


# ---- the calls ---------------------------------------------------------------------------

@_c_call
def socket(domain: int, type: int, protocol: int = 0) -> int:
    return _result(lib.ps_socket(_int(domain, "domain"), _int(type, "type"),
                                 _int(protocol, "protocol")))


@_c_call
def socketpair(domain: int, type: int, protocol: int, sv: List[int]) -> int:
    """0 and the two descriptors in sv[0], sv[1] (a list of two ints)."""
    fds = ffi.new("int[2]")
    result = _result(lib.ps_socketpair(_int(domain, "domain"), _int(type, "type"),
                                       _int(protocol, "protocol"), fds))
    if result == 0:
        sv[0], sv[1] = fds[0], fds[1]
    return result


@_c_call
def close(fd: int) -> int:
    return _result(lib.ps_close_fd(_int(fd, "descriptor")))


@_c_call
def bind(fd: int, addr: Any, addrlen: Any = None) -> int:
    """bind(fd, address[, addrlen]): addrlen defaults to sizeof(address)."""
    pointer, length = _address(addr, addrlen, "bind")
    return _result(lib.ps_bind(_handle(fd), pointer, length))


@_c_call
def connect(fd: int, addr: Any, addrlen: Any = None) -> int:
    """0, or -1: ECONNREFUSED, EINPROGRESS on a non-blocking socket, ..."""
    pointer, length = _address(addr, addrlen, "connect")
    return _result(lib.ps_connect(_handle(fd), pointer, length, NO_DEADLINE))


@_c_call
def listen(fd: int, backlog: int) -> int:
    return _result(lib.ps_listen(_handle(fd), _int(backlog, "backlog")))


@_c_call
def accept(fd: int, addr: Any = None, addrlen: Any = None) -> int:
    """The new descriptor; the peer's address goes into addr (any sockaddr_*
    struct) and its length into addrlen (a socklen_t), when given."""
    buf, cell = _address_out(addr, addrlen, "accept")
    result = _result(lib.ps_accept(_handle(fd), buf, cell, 0, NO_DEADLINE))
    if result >= 0:
        _store_length(addrlen, cell)
    return result


@_c_call
def shutdown(fd: int, how: int) -> int:
    return _result(lib.ps_shutdown(_handle(fd), _int(how, "how")))


@_c_call
def send(fd: int, buf: Any, len: Any = None, flags: int = 0) -> int:
    """Bytes sent (maybe fewer than asked), or -1."""
    view, n = _readable(buf, len, "send")
    return _result(lib.ps_send(_handle(fd), view, n, _int(flags, "flags"), NO_DEADLINE))


@_c_call
def recv(fd: int, buf: Any, len: Any = None, flags: int = 0) -> int:
    """Bytes received into buf (0: the peer closed), or -1."""
    view, n = _writable(buf, len, "recv")
    return _result(lib.ps_recv(_handle(fd), view, n, _int(flags, "flags"), NO_DEADLINE))


@_c_call
def sendto(fd: int, buf: Any, len: Any, flags: int, dest_addr: Any,
           addrlen: Any = None) -> int:
    view, n = _readable(buf, len, "sendto")
    pointer, length = _address(dest_addr, addrlen, "sendto")
    return _result(lib.ps_sendto(_handle(fd), view, n, _int(flags, "flags"),
                                 pointer, length, NO_DEADLINE))


@_c_call
def recvfrom(fd: int, buf: Any, len: Any, flags: int, src_addr: Any = None,
             addrlen: Any = None) -> int:
    view, n = _writable(buf, len, "recvfrom")
    addr, cell = _address_out(src_addr, addrlen, "recvfrom")
    result = _result(lib.ps_recvfrom(_handle(fd), view, n, _int(flags, "flags"),
                                     addr, cell, NO_DEADLINE))
    if result >= 0:
        _store_length(addrlen, cell)
    return result


@_c_call
def read(fd: int, buf: Any, count: Any = None) -> int:
    view, n = _writable(buf, count, "read")
    return _result(lib.ps_read(_int(fd, "descriptor"), view, n))


@_c_call
def write(fd: int, buf: Any, count: Any = None) -> int:
    view, n = _readable(buf, count, "write")
    return _result(lib.ps_write(_int(fd, "descriptor"), view, n))


@_c_call
def setsockopt(fd: int, level: int, optname: int, optval: Any, optlen: Any = None) -> int:
    """optval: an int (an int option, as C's ``&opt, sizeof(opt)``), or a
    buffer or ctypes object with optlen defaulting to its size."""
    if isinstance(optval, int):
        view, n = ffi.new("int *", _int(optval, "optval")), ffi.sizeof("int")
        if optlen is not None:
            n = _length(n, optlen, "setsockopt")
    else:
        view, n = _readable(optval, optlen, "setsockopt")
    return _result(lib.ps_setsockopt(_handle(fd), _int(level, "level"),
                                     _int(optname, "optname"), view, n))


@_c_call
def getsockopt(fd: int, level: int, optname: int, optval: Any, optlen: Any = None) -> int:
    """0 and the value in optval (a ctypes c_int, or a writable buffer);
    optlen (a socklen_t), when given, says how much was written."""
    view, n = _writable(optval, None if optlen is None else optlen.value, "getsockopt")
    cell = ffi.new("unsigned *", n)
    result = _result(lib.ps_getsockopt(_handle(fd), _int(level, "level"),
                                       _int(optname, "optname"), view, cell))
    if result == 0:
        _store_length(optlen, cell)
    return result


def _socket_name(shim: Any, what: str, fd: int, addr: Any, addrlen: Any) -> int:
    buf, cell = _address_out(addr, addrlen, what)
    result = _result(shim(_handle(fd), buf, cell))
    if result == 0:
        _store_length(addrlen, cell)
    return result


@_c_call
def getsockname(fd: int, addr: Any, addrlen: Any = None) -> int:
    """0 and the socket's own address in addr (its length in addrlen)."""
    return _socket_name(lib.ps_getsockname, "getsockname", fd, addr, addrlen)


@_c_call
def getpeername(fd: int, addr: Any, addrlen: Any = None) -> int:
    """0 and the peer's address in addr (its length in addrlen)."""
    return _socket_name(lib.ps_getpeername, "getpeername", fd, addr, addrlen)


@_c_call
def fcntl(fd: int, cmd: int, arg: int = 0) -> int:
    """fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags | O_NONBLOCK) ..."""
    return _result(lib.ps_fcntl(_int(fd, "descriptor"), _int(cmd, "cmd"), _int(arg, "arg")))


@_c_call
def poll(fds: List[pollfd], nfds: Optional[int] = None, timeout: int = -1) -> int:
    """The number of ready descriptors (0: timeout), with each pollfd's
    revents filled in; -1 on failure.  fds is a list of pollfd structs."""
    count = len(fds) if nfds is None else _length(len(fds), nfds, "poll")
    array = ffi.new("struct pollfd[]", max(count, 1))
    for i in range(count):
        array[i] = fds[i]._c[0]
    result = _result(lib.ps_poll(array, count, _int(timeout, "timeout")))
    for i in range(count):
        fds[i].revents = array[i].revents
    return result


# ---- posix.raising: the same names, raising instead of returning -1 -------------------

def _raising(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        result = func(*args, **kwargs)
        if result == -1 or (result is None and func is inet_ntop):
            code = errno()
            raise OSError(code, os.strerror(code))
        return result
    return call


_CALLS.append("inet_ntop")  # NULL on failure: raising raises for it too
__all__ = sorted(
    list(_CONSTANTS) + ["c_int", "socklen_t", "raising"]
    + [name for name, value in globals().items()
       if not name.startswith("_") and getattr(value, "__module__", None) == __name__])
raising = types.ModuleType(
    __name__ + ".raising",
    "pysock.posix with every call raising OSError (the socket module's subclass "
    "for the errno) instead of returning -1.")
for _name in __all__:
    if _name != "raising":
        _value = globals()[_name]
        setattr(raising, _name, _raising(_value) if _name in _CALLS else _value)
raising.raising = raising  # type: ignore[attr-defined]  (posix = posix.raising keeps working)
del _name, _value
