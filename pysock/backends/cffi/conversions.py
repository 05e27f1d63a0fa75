"""Byte order and address text conversions: hton*/ntoh*, inet_*, CMSG_*.

Each checks its argument the way the stdlib does (same exception class, and
the same message where the stdlib's is stable across versions), then makes
one C call (IPv4 packed to text: none, see below).

The inet_* functions start with a fast path for the common arguments (an int
or AddressFamily family, a str without NUL, a bytes address): it skips the
argument converters and takes its output buffer from a free list.  Anything
else, and any failure, goes through the full conversion below it, so errors
are raised by one code path only.  Measured choices (bench/conversions.py,
bench/README.md): IPv4 text is formatted in Python (level with the stdlib's
C; a cffi call plus unpack costs twice that), IPv4 text to bytes is one cffi
call returning the address as a number (no output buffer, no ffi.unpack),
IPv6 one cffi call with a free-list buffer.
"""

from __future__ import annotations

import operator
import socket as _std
import sys
import warnings
from typing import Any

from pysock.backends.cffi.arguments import c_int, c_ssize, c_string
from pysock.backends.cffi.constants import SOCKET as C
from pysock.backends.cffi.errors import from_result
from pysock.backends.cffi.native import ffi, lib

__all__ = ["htons", "ntohs", "htonl", "ntohl", "inet_aton", "inet_ntoa",
           "inet_pton", "inet_ntop", "CMSG_LEN", "CMSG_SPACE"]

AF_INET = C["AF_INET"]
AF_INET6 = C.get("AF_INET6", -1)
# 3.9 truncated htons(70000) with a DeprecationWarning; 3.10 made it an error.
_TRUNCATE_SHORT = sys.version_info < (3, 10)
_ps_htons, _ps_ntohs = lib.ps_htons, lib.ps_ntohs
_ps_htonl, _ps_ntohl = lib.ps_htonl, lib.ps_ntohl
_text_buf = ffi.new_allocator(should_clear_after_alloc=False)
_unpack = ffi.unpack
_ps_inet_pton, _ps_inet_ntop = lib.ps_inet_pton, lib.ps_inet_ntop
# IPv4 results by value: no output buffer, and int.to_bytes beats ffi.unpack.
_ps_inet_pton4, _ps_inet_aton4 = lib.ps_inet_pton4, lib.ps_inet_aton4
# Family types whose value c_int takes as is (IntEnum keeps int's comparisons).
_PLAIN_INTS = (int, _std.AddressFamily)
# Output buffers of the fast paths.  cffi releases the GIL during the call, so
# a shared buffer would race; list.pop/append are atomic, each caller owns
# what it popped, and the list never holds more than the peak number of
# concurrent callers.  64 bytes: room for any inet text or packed address.
_OUT_SIZE = 64
_free_out = [ffi.new("char[]", _OUT_SIZE)]
_take_out, _give_out = _free_out.pop, _free_out.append
# 3.13 converts inet_aton's one argument with argument clinic: "argument must be".
_ONLY_ARGUMENT = "argument" if sys.version_info >= (3, 13) else "argument 1"


def _short(name: str, value: Any) -> int:
    number = c_int(value)
    if number < 0:
        raise OverflowError(
            f"{name}: can't convert negative Python int to C 16-bit unsigned integer")
    if number > 0xFFFF:
        message = f"{name}: Python int too large to convert to C 16-bit unsigned integer"
        if not _TRUNCATE_SHORT:
            raise OverflowError(message)
        warnings.warn(message + " (The silent truncation is deprecated)",
                      DeprecationWarning, stacklevel=3)
        number &= 0xFFFF
    return number


def _long(value: Any) -> int:
    if isinstance(value, float):
        raise TypeError("expected int, float found")
    number = operator.index(value)
    if number < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if number > 0xFFFFFFFF:
        raise OverflowError("int larger than 32 bits")
    return number


def htons(x: int, /) -> int:
    """Host to network byte order, 16 bits."""
    return _ps_htons(x if type(x) is int and 0 <= x <= 0xFFFF else _short("htons", x))


def ntohs(x: int, /) -> int:
    """Network to host byte order, 16 bits."""
    return _ps_ntohs(x if type(x) is int and 0 <= x <= 0xFFFF else _short("ntohs", x))


def htonl(x: int, /) -> int:
    """Host to network byte order, 32 bits."""
    return _ps_htonl(x if type(x) is int and 0 <= x <= 0xFFFFFFFF else _long(x))


def ntohl(x: int, /) -> int:
    """Network to host byte order, 32 bits."""
    return _ps_ntohl(x if type(x) is int and 0 <= x <= 0xFFFFFFFF else _long(x))


def inet_aton(ip_string: str, /) -> bytes:
    """IPv4 text to 4 packed bytes, accepting inet_aton's loose forms ("127.1")."""
    if type(ip_string) is str and "\0" not in ip_string:
        number = _ps_inet_aton4(ip_string.encode())
        if number >= 0:
            return number.to_bytes(4, "big")
    data = c_string("inet_aton", ip_string, _ONLY_ARGUMENT)
    out = _text_buf("char[]", 4)
    if lib.ps_inet_aton(data, out, 4) != 4:
        raise OSError("illegal IP address string passed to inet_aton")
    return ffi.unpack(out, 4)


def inet_ntoa(packed_ip: Any, /) -> str:
    """4 packed bytes to dotted-quad text."""
    if type(packed_ip) is bytes and len(packed_ip) == 4:
        return "%d.%d.%d.%d" % tuple(packed_ip)
    try:
        view = ffi.from_buffer(packed_ip)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not "
                        f"'{type(packed_ip).__name__}'") from None
    if len(view) != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    out = _text_buf("char[]", 16)
    n = lib.ps_inet_ntoa(view, 4, out, 16)
    if n < 0:
        raise from_result(n)
    return ffi.unpack(out, n).decode("ascii")


def inet_pton(address_family: int, ip_string: str, /) -> bytes:
    """Text to packed bytes, strictly (inet_pton(3)): IPv4 or IPv6."""
    if type(ip_string) is str and type(address_family) in _PLAIN_INTS and "\0" not in ip_string:
        if address_family == AF_INET:
            number = _ps_inet_pton4(ip_string.encode())
            if number >= 0:
                return number.to_bytes(4, "big")
        elif address_family == AF_INET6:
            try:
                out = _take_out()
            except IndexError:
                out = ffi.new("char[]", _OUT_SIZE)
            n = _ps_inet_pton(address_family, ip_string.encode(), out, 16)
            if n > 0:
                packed = _unpack(out, n)
                _give_out(out)
                return packed
            _give_out(out)
    af = c_int(address_family)
    data = c_string("inet_pton", ip_string, "argument 2")
    out = _text_buf("char[]", 16)
    n = lib.ps_inet_pton(af, data, out, 16)
    if n < 0:
        raise from_result(n)
    if n == 0:
        raise OSError("illegal IP address string passed to inet_pton")
    return ffi.unpack(out, n)


def inet_ntop(address_family: int, packed_ip: Any, /) -> str:
    """Packed bytes to text: IPv4 (4 bytes) or IPv6 (16 bytes)."""
    if type(packed_ip) is bytes and type(address_family) in _PLAIN_INTS:
        if address_family == AF_INET and len(packed_ip) == 4:
            return "%d.%d.%d.%d" % tuple(packed_ip)
        if address_family == AF_INET6 and len(packed_ip) == 16:
            try:
                out = _take_out()
            except IndexError:
                out = ffi.new("char[]", _OUT_SIZE)
            n = _ps_inet_ntop(address_family, packed_ip, 16, out, _OUT_SIZE)
            if n > 0:
                text = _unpack(out, n).decode("ascii")
                _give_out(out)
                return text
            _give_out(out)
    af = c_int(address_family)
    try:
        view = ffi.from_buffer(packed_ip)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not "
                        f"'{type(packed_ip).__name__}'") from None
    if af == AF_INET:
        need = 4
    elif af == AF_INET6:
        need = 16
    else:
        raise ValueError(f"unknown address family {af}")
    if len(view) != need:
        raise ValueError("invalid length of packed IP address string")
    out = _text_buf("char[]", 64)
    n = lib.ps_inet_ntop(af, view, need, out, 64)
    if n < 0:
        raise from_result(n)
    return ffi.unpack(out, n).decode("ascii")


def _cmsg_size(name: str, call: Any, length: Any) -> int:
    length = c_ssize(length)    # "n", as the stdlib parses it; then its own range check
    result = call(length)
    if result < 0:
        raise OverflowError(f"{name}() argument out of range")
    return result


def CMSG_LEN(length: int, /) -> int:
    """The cmsg_len value for an item carrying `length` bytes of data."""
    return _cmsg_size("CMSG_LEN", lib.ps_cmsg_len, length)


def CMSG_SPACE(length: int, /) -> int:
    """The buffer space an item carrying `length` bytes takes, with padding."""
    return _cmsg_size("CMSG_SPACE", lib.ps_cmsg_space, length)
