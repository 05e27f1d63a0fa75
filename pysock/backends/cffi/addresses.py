"""Socket addresses: Python tuples and paths <-> struct sockaddr.

This follows CPython's getsockaddrarg()/makesockaddr()/setipaddr() closely,
because programs depend on their details: which exception a bad address
raises, that "" means the wildcard address, that "<broadcast>" works, that a
host is resolved before the port is range-checked, that Linux abstract UNIX
names come back as bytes.

The cffi backend understands AF_INET, AF_INET6, AF_UNIX and AF_UNSPEC
addresses.  Other families (AF_PACKET, AF_NETLINK, AF_CAN, ...) raise
OSError("<caller>(): bad family") where the stdlib would parse them; received
addresses of those families come back as (family, raw bytes), as the stdlib
does for families it does not know.  docs/differences.md lists this.
"""

from __future__ import annotations

import os
from typing import Any, Tuple

from pysock.backends.cffi import errors
from pysock.backends.cffi.arguments import c_int, c_uint_mask
from pysock.backends.cffi.constants import SOCKET as C
from pysock.backends.cffi.native import SOCKADDR_MAX, ffi, lib

__all__ = ["encode", "encode_cached", "encoded", "decode", "decode_cached", "decoded", "host_bytes", "new_buffer", "setipaddr"]

AF_INET = C["AF_INET"]
AF_INET6 = C.get("AF_INET6", -1)
AF_UNIX = C.get("AF_UNIX", -1)
AF_UNSPEC = C["AF_UNSPEC"]

new_buffer = ffi.new_allocator(should_clear_after_alloc=False)


def host_bytes(host: Any) -> bytes:
    """A host argument as bytes (CPython's idna_converter)."""
    if isinstance(host, str):
        if host.isascii():
            data = host.encode("ascii")
        else:
            try:
                data = host.encode("idna")
            except UnicodeError:
                raise TypeError("encoding of hostname failed") from None
    elif isinstance(host, (bytes, bytearray)):
        data = bytes(host)
    else:
        raise TypeError(
            f"str, bytes or bytearray expected, not {type(host).__name__}")
    if b"\0" in data:
        raise TypeError("host name must not contain null character")
    return data


def _port(value: Any, caller: str) -> int:
    try:
        return c_int(value)
    except OverflowError:
        raise OverflowError(f"{caller}(): port must be 0-65535.") from None


def _first_address(host: Any, port: Any, family: int, socktype: int,
                   flags: int) -> "Tuple[list, int]":
    """getaddrinfo's answers as [(family, numeric text)], for setipaddr()."""
    result = ffi.new("struct addrinfo **")
    sys_errno = ffi.new("int *")
    code = lib.ps_getaddrinfo(host, port, family, socktype, 0, flags, result, sys_errno)
    if code != 0:
        raise errors.from_gai(code, sys_errno[0])
    answers = []
    try:
        item = result[0]
        view = ffi.new("ps_addr_view *")
        while item != ffi.NULL:
            if lib.ps_sockaddr_decode(item.ai_addr, item.ai_addrlen, view) < 0:
                answers.append((item.ai_family, b""))
            else:
                answers.append((item.ai_family, ffi.string(view.host)))
            item = item.ai_next
    finally:
        lib.ps_freeaddrinfo(result[0])
    return answers, len(answers)


def setipaddr(name: bytes, family: int) -> "Tuple[int, bytes]":
    """(family, numeric text) for a host name, as CPython's setipaddr()."""
    if name == b"":
        # The wildcard address, asked of getaddrinfo as CPython does.
        answers, count = _first_address(ffi.NULL, b"0", family, C["SOCK_DGRAM"],
                                        C["AI_PASSIVE"])
        found, text = answers[0]
        if found not in (AF_INET, AF_INET6):
            raise OSError("unsupported address family")
        if count > 1:
            raise OSError("wildcard resolved to multiple address")
        return found, text
    if name in (b"255.255.255.255", b"<broadcast>"):
        if family not in (AF_INET, AF_UNSPEC):
            raise OSError("address family mismatched")
        return AF_INET, b"255.255.255.255"
    probe = new_buffer("char[]", 16)
    if family in (AF_UNSPEC, AF_INET) and lib.ps_inet_pton(AF_INET, name, probe, 16) > 0:
        return AF_INET, name
    if (family in (AF_UNSPEC, AF_INET6) and b"%" not in name
            and lib.ps_inet_pton(AF_INET6, name, probe, 16) > 0):
        return AF_INET6, name
    answers, _ = _first_address(name, ffi.NULL, family, 0, 0)
    found, text = answers[0]
    if found not in (AF_INET, AF_INET6):
        raise OSError("unknown address family")
    return found, text


def _encode_ip(buf: Any, family: int, text: bytes, port: int, flowinfo: int,
               scope_id: int) -> int:
    """Length of the sockaddr written, or < 0 if `text` is not numeric."""
    if family == AF_INET:
        return lib.ps_sockaddr_in(buf, SOCKADDR_MAX, text, port)
    return lib.ps_sockaddr_in6(buf, SOCKADDR_MAX, text, port, flowinfo, scope_id)


def _encode_inet(family: int, address: Any, caller: str) -> "Tuple[Any, int]":
    name = "AF_INET" if family == AF_INET else "AF_INET6"
    if not isinstance(address, tuple):
        raise TypeError(
            f"{caller}(): {name} address must be tuple, not {type(address).__name__}")
    if family == AF_INET:
        if len(address) != 2:
            raise TypeError("AF_INET address must be a pair (host, port)")
    elif not 2 <= len(address) <= 4:
        raise TypeError("AF_INET6 address must be a tuple "
                        "(host, port[, flowinfo[, scopeid]])")
    # In the order of CPython's "O&i|II": host, port, flowinfo, scope_id.
    host = host_bytes(address[0])
    port = _port(address[1], caller)
    flowinfo = c_uint_mask(address[2]) if len(address) > 2 else 0
    scope_id = c_uint_mask(address[3]) if len(address) > 3 else 0
    buf = new_buffer("char[]", SOCKADDR_MAX)
    if 0 <= port <= 0xFFFF and flowinfo <= 0xFFFFF:
        # The common case, a numeric address, converts in C at once.
        length = _encode_ip(buf, family, host, port, flowinfo, scope_id)
        if length >= 0:
            return buf, length
    # Anything else resolves first, as in CPython, so a bad host reports
    # gaierror before a bad port does.
    _, text = setipaddr(host, family)
    if not 0 <= port <= 0xFFFF:
        raise OverflowError(f"{caller}(): port must be 0-65535.")
    if flowinfo > 0xFFFFF:
        raise OverflowError(f"{caller}(): flowinfo must be 0-1048575.")
    length = _encode_ip(buf, family, text, port, flowinfo, scope_id)
    if length < 0:
        raise OSError("unknown address family")
    return buf, length


def _encode_unix(address: Any) -> "Tuple[Any, int]":
    if isinstance(address, str):
        address = os.fsencode(address)
    try:
        path = ffi.from_buffer(address)
    except TypeError:
        raise TypeError(
            f"a bytes-like object is required, not '{type(address).__name__}'"
        ) from None
    buf = new_buffer("char[]", SOCKADDR_MAX)
    length = lib.ps_sockaddr_un(buf, SOCKADDR_MAX, path, len(path))
    if length < 0:
        raise OSError("AF_UNIX path too long")
    return buf, length


def encode(family: int, address: Any, caller: str) -> "Tuple[Any, int]":
    """A sockaddr buffer and its length for `address` on a `family` socket."""
    if family == AF_INET or family == AF_INET6:
        return _encode_inet(family, address, caller)
    if family == AF_UNIX:
        return _encode_unix(address)
    raise OSError(f"{caller}(): bad family")


# sendto() to the same numeric address again and again: its sockaddr is kept,
# keyed by (family, (host, port)) where host is a str and port an int.  Keys
# compare by value, so a caller must check that the port is an int before it
# takes a hit: ("1.2.3.4", 80.0) equals ("1.2.3.4", 80) but the stdlib
# refuses a float port.  Names are never kept: they resolve anew each time,
# as in the stdlib.
_ENCODED_KEPT = 256
encoded: "dict[Tuple[int, Tuple[str, int]], Tuple[Any, int]]" = {}


def encode_cached(family: int, address: Any, caller: str) -> "Tuple[Any, int]":
    """encode() for sendto's hot path; the buffer returned is shared: read only."""
    if address.__class__ is tuple and len(address) == 2:
        host, port = address
        if host.__class__ is str and port.__class__ is int:
            key = (family, address)
            try:
                return encoded[key]
            except KeyError:
                pass
            result = encode(family, address, caller)
            if _is_numeric(family, host):
                if len(encoded) >= _ENCODED_KEPT:
                    encoded.clear()
                encoded[key] = result
            return result
    return encode(family, address, caller)


def _is_numeric(family: int, host: str) -> bool:
    if family not in (AF_INET, AF_INET6) or not host.isascii():
        return False
    af = AF_INET6 if ":" in host else AF_INET
    probe = new_buffer("char[]", 16)
    return lib.ps_inet_pton(af, host.encode("ascii"), probe, 16) > 0 and "%" not in host


def decode(buf: Any, length: int) -> Any:
    """The Python form of a sockaddr (what accept/recvfrom/getsockname return)."""
    if length == 0:
        return None  # no address, e.g. recvfrom on a connected stream socket
    view = ffi.new("ps_addr_view *")
    result = lib.ps_sockaddr_decode(buf, length, view)
    if result < 0:
        raise errors.from_result(result)
    family = view.family
    if family == AF_INET:
        return (ffi.string(view.host).decode("ascii"), view.port)
    if family == AF_INET6:
        return (ffi.string(view.host).decode("ascii"), view.port,
                view.flowinfo, view.scope_id)
    data = ffi.unpack(ffi.cast("char *", buf) + view.data_offset, view.data_len)
    if family == AF_UNIX:
        return data if view.abstract else os.fsdecode(data)
    if family < 0:
        return None
    return (family, data)



# Received addresses repeat (the same few peers): decode_cached maps the raw
# sockaddr bytes to the decoded value, which is immutable (tuples of str and
# int, str, bytes, None) and depends on those bytes only.
_DECODED_KEPT = 1024
_decoded: "dict[bytes, Any]" = {}
decoded = _decoded  # its hits are looked up inline by recvfrom


def decode_cached(buf: Any, length: int) -> Any:
    """decode(), remembered for the last addresses seen (recvfrom, recvmmsg_into)."""
    key = ffi.unpack(buf, length)
    try:
        return _decoded[key]
    except KeyError:
        pass
    value = decode(buf, length)
    if len(_decoded) >= _DECODED_KEPT:
        _decoded.clear()
    _decoded[key] = value
    return value
