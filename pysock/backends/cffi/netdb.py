"""Name, service, protocol and interface lookups (netdb.h and net/if.h)."""

from __future__ import annotations

import errno
import os
import socket as _std
import sys
from typing import Any, List, Optional, Tuple

from pysock.backends.cffi import addresses, errors
from pysock.backends.cffi.arguments import (
    c_int, c_long, c_string, c_uint_mask, c_unsigned_long, type_name)
from pysock.backends.cffi.constants import SOCKET as C
from pysock.backends.cffi.conversions import inet_ntop
from pysock.backends.cffi.native import SOCKADDR_MAX, ffi, lib

__all__ = ["getaddrinfo", "getnameinfo", "gethostname", "sethostname",
           "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getservbyname",
           "getservbyport", "getprotobyname", "if_nameindex", "if_nametoindex",
           "if_indextoname"]

AF_INET = C["AF_INET"]
AF_INET6 = C.get("AF_INET6", -1)
# getaddrinfo() formats an int port with str() from 3.12; before, through a C long.
_PORT_THROUGH_LONG = sys.version_info < (3, 12)
# if_indextoname() refuses an index beyond unsigned int from 3.13; before, it
# passed the low 32 bits on.
_INDEX_CHECKED = sys.version_info >= (3, 13)
_UINT_MASK = 0xFFFFFFFF
_audit = getattr(sys, "audit", lambda *args: None)


def _intenum(value: int, enum_class: Any) -> int:
    try:
        return enum_class(value)
    except ValueError:
        return value


def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0,
                proto: int = 0, flags: int = 0) -> List[Tuple[Any, Any, int, str, Any]]:
    """Resolve host and port: [(family, type, proto, canonname, sockaddr), ...]."""
    # The integers first: CPython's "OO|iiii" refuses them before it looks at
    # the host or the port.
    family, type_, proto, flags = c_int(family), c_int(type), c_int(proto), c_int(flags)
    if host is None:
        host_c = ffi.NULL
    elif isinstance(host, str):
        host_c = host.encode("idna")
    elif isinstance(host, bytes):
        host_c = host
    else:
        raise TypeError("getaddrinfo() argument 1 must be string or None")
    if port.__class__ is int:  # exactly int: the stdlib refuses bool here
        port_c = str(c_long(port) if _PORT_THROUGH_LONG else port).encode("ascii")
    elif isinstance(port, str):
        port_c = port.encode("utf-8")
    elif isinstance(port, bytes):
        port_c = port
    elif port is None:
        port_c = ffi.NULL
    else:
        raise OSError("Int or String expected")
    _audit("socket.getaddrinfo", host, port, family, type_, proto)
    result = ffi.new("struct addrinfo **")
    sys_errno = ffi.new("int *")
    code = lib.ps_getaddrinfo(host_c, port_c, family, type_, proto, flags,
                              result, sys_errno)
    if code != 0:
        raise errors.from_gai(code, sys_errno[0])
    answers = []
    try:
        item = result[0]
        while item != ffi.NULL:
            canon = ffi.string(item.ai_canonname).decode() if item.ai_canonname else ""
            answers.append((
                _intenum(item.ai_family, _std.AddressFamily),
                _intenum(item.ai_socktype, _std.SocketKind),
                item.ai_protocol,
                canon,
                addresses.decode(item.ai_addr, item.ai_addrlen),
            ))
            item = item.ai_next
    finally:
        lib.ps_freeaddrinfo(result[0])
    return answers


def getnameinfo(sockaddr: Any, flags: int, /) -> Tuple[str, str]:
    """(host, port) names for a (host, port[, flowinfo, scope_id]) address."""
    flags = c_int(flags)
    if not isinstance(sockaddr, tuple):
        raise TypeError("getnameinfo() argument 1 must be a tuple")
    host, port, flowinfo, scope_id = _nameinfo_sockaddr(sockaddr)
    if flowinfo > 0xFFFFF:
        raise OverflowError("getnameinfo(): flowinfo must be 0-1048575.")
    _audit("socket.getnameinfo", sockaddr)
    # As the stdlib: the address and port go through getaddrinfo (numeric only,
    # so no lookup), and its sockaddr is what getnameinfo is asked about.
    result = ffi.new("struct addrinfo **")
    sys_errno = ffi.new("int *")
    code = lib.ps_getaddrinfo(host, str(port).encode(), C["AF_UNSPEC"], C["SOCK_DGRAM"],
                              0, C["AI_NUMERICHOST"], result, sys_errno)
    if code != 0:
        raise errors.from_gai(code, sys_errno[0])
    try:
        first = result[0]
        if first.ai_next != ffi.NULL:
            raise OSError("sockaddr resolved to multiple addresses")
        buf, length = first.ai_addr, first.ai_addrlen
        if first.ai_family == AF_INET and len(sockaddr) != 2:
            raise OSError("IPv4 sockaddr must be 2 tuple")
        if first.ai_family == AF_INET6:
            buf, length = _with_flow_and_scope(first, flowinfo, scope_id)
        hostname = ffi.new("char[]", lib.NI_MAXHOST)
        service = ffi.new("char[]", lib.NI_MAXSERV)
        code = lib.ps_getnameinfo(buf, length, hostname, lib.NI_MAXHOST,
                                  service, lib.NI_MAXSERV, flags, sys_errno)
        if code != 0:
            raise errors.from_gai(code, sys_errno[0])
        return ffi.string(hostname).decode(), ffi.string(service).decode()
    finally:
        lib.ps_freeaddrinfo(result[0])


def _nameinfo_sockaddr(sockaddr: tuple) -> Tuple[bytes, int, int, int]:
    """(host, port, flowinfo, scope_id) as the stdlib's "si|II" parses them."""
    if not 2 <= len(sockaddr) <= 4 or not isinstance(sockaddr[0], str):
        raise TypeError("getnameinfo(): illegal sockaddr argument")
    host = sockaddr[0].encode("utf-8")  # strict, as "s": surrogates raise
    if b"\0" in host:
        raise ValueError("embedded null character")
    port = c_int(sockaddr[1])
    flowinfo = c_uint_mask(sockaddr[2]) if len(sockaddr) > 2 else 0
    scope_id = c_uint_mask(sockaddr[3]) if len(sockaddr) > 3 else 0
    return host, port, flowinfo, scope_id


def _with_flow_and_scope(info: Any, flowinfo: int, scope_id: int) -> Tuple[Any, int]:
    """getaddrinfo's IPv6 sockaddr with the caller's flowinfo and scope_id."""
    view = ffi.new("ps_addr_view *")
    if lib.ps_sockaddr_decode(info.ai_addr, info.ai_addrlen, view) < 0:
        return info.ai_addr, info.ai_addrlen
    buf = addresses.new_buffer("char[]", SOCKADDR_MAX)
    length = lib.ps_sockaddr_in6(buf, SOCKADDR_MAX, ffi.string(view.host), view.port,
                                 flowinfo, scope_id)
    return buf, length


def gethostname() -> str:
    """This machine's host name."""
    _audit("socket.gethostname")
    buf = ffi.new("char[]", 1024)
    n = lib.ps_gethostname(buf, 1024)
    if n < 0:
        raise errors.from_result(n)
    return os.fsdecode(ffi.unpack(buf, n))


def sethostname(name: Any, /) -> None:
    """Set the host name (needs privileges)."""
    # The stdlib takes bytes as they are, else a str or path (PyUnicode_FSConverter).
    if isinstance(name, bytes):
        data = name
    else:
        data = os.fsencode(name)
        if b"\0" in data:
            raise ValueError("embedded null byte")
    _audit("socket.sethostname", name)
    result = lib.ps_sethostname(data, len(data))
    if result < 0:
        raise errors.from_result(result)


def _host_arg(name: str, value: Any) -> bytes:
    """PyArg "et" with the idna codec: str encoded, bytes-like taken as is."""
    if isinstance(value, str):
        data = value.encode("idna")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    else:
        raise TypeError(f"{name}() argument 1 must be str, bytes or bytearray, "
                        f"not {type_name(value)}")
    if b"\0" in data:
        raise TypeError(f"{name}() argument 1 must be encoded string without "
                        f"null bytes, not {type_name(value)}")
    return data


def gethostbyname(hostname: Any, /) -> str:
    """The IPv4 address (text) of a host."""
    name = _host_arg("gethostbyname", hostname)
    _audit("socket.gethostbyname", (hostname,))
    return addresses.setipaddr(name, AF_INET)[1].decode("ascii")


def _hostent_lookup(call: Any, *args: Any) -> Any:
    """Run a *_r lookup, growing the buffer while it reports ERANGE."""
    size = 16384
    while True:
        storage = ffi.new("struct hostent *")
        buf = ffi.new("char[]", size)
        result = ffi.new("struct hostent **")
        h_err = ffi.new("int *")
        code = call(*args, storage, buf, size, result, h_err)
        if code != -errno.ERANGE:
            break
        size *= 4
    if code > 0:
        raise errors.from_herrno(code)
    if code < 0:
        raise errors.from_result(code)
    return result[0], (storage, buf)


def _hostent_tuple(h: Any, family: int) -> Tuple[str, List[str], List[str]]:
    if h.h_addrtype != family:
        raise OSError(errno.EAFNOSUPPORT, os.strerror(errno.EAFNOSUPPORT))
    aliases = []
    if h.h_aliases != ffi.NULL:
        i = 0
        while h.h_aliases[i] != ffi.NULL:
            aliases.append(ffi.string(h.h_aliases[i]).decode())
            i += 1
    addrs = []
    i = 0
    while h.h_addr_list[i] != ffi.NULL:
        addrs.append(inet_ntop(family, ffi.unpack(h.h_addr_list[i], h.h_length)))
        i += 1
    return ffi.string(h.h_name).decode(), aliases, addrs


def gethostbyname_ex(hostname: Any, /) -> Tuple[str, List[str], List[str]]:
    """(canonical name, aliases, IPv4 addresses) of a host."""
    name = _host_arg("gethostbyname_ex", hostname)
    _audit("socket.gethostbyname", (hostname,))
    family, _ = addresses.setipaddr(name, AF_INET)
    h, _keep = _hostent_lookup(lib.ps_gethostbyname, name, AF_INET)
    return _hostent_tuple(h, family)


def gethostbyaddr(ip_address: Any, /) -> Tuple[str, List[str], List[str]]:
    """(name, aliases, addresses) for an address (or a name, resolved first)."""
    name = _host_arg("gethostbyaddr", ip_address)
    _audit("socket.gethostbyaddr", (ip_address,))
    family, text = addresses.setipaddr(name, C["AF_UNSPEC"])
    if family not in (AF_INET, AF_INET6):
        raise OSError("unsupported address family")
    packed = ffi.new("char[]", 16)
    size = lib.ps_inet_pton(family, text, packed, 16)
    h, _keep = _hostent_lookup(lib.ps_gethostbyaddr, packed, size, family)
    return _hostent_tuple(h, family)


def getservbyname(servicename: str, protocolname: Optional[str] = None, /) -> int:
    """The port number of a service (e.g. "http" -> 80)."""
    name = c_string("getservbyname", servicename)
    proto = ffi.NULL if protocolname is None else c_string(
        "getservbyname", protocolname, "argument 2")
    _audit("socket.getservbyname", servicename, protocolname)
    port = lib.ps_getservbyname(name, proto)
    if port < 0:
        raise OSError("service/proto not found")
    return port


def getservbyport(port: int, protocolname: Optional[str] = None, /) -> str:
    """The service name of a port (e.g. 80 -> "http")."""
    port = c_int(port)
    if not 0 <= port <= 0xFFFF:
        raise OverflowError("getservbyport: port must be 0-65535.")
    proto = ffi.NULL if protocolname is None else c_string(
        "getservbyport", protocolname, "argument 2")
    _audit("socket.getservbyport", port, protocolname)
    buf = ffi.new("char[]", 256)
    n = lib.ps_getservbyport(port, proto, buf, 256)
    if n < 0:
        raise OSError("port/proto not found")
    return ffi.unpack(buf, n).decode()


def getprotobyname(protocolname: str, /) -> int:
    """The protocol number of a protocol name (e.g. "tcp" -> 6)."""
    proto = lib.ps_getprotobyname(c_string("getprotobyname", protocolname))
    if proto < 0:
        raise OSError("protocol not found")
    return proto


def if_nameindex() -> List[Tuple[int, str]]:
    """[(index, name)] of the network interfaces."""
    err = ffi.new("int *")
    table = lib.ps_if_nameindex(err)
    if table == ffi.NULL:
        raise OSError(err[0], os.strerror(err[0]))
    try:
        result = []
        i = 0
        while table[i].if_index != 0:
            result.append((table[i].if_index, os.fsdecode(ffi.string(table[i].if_name))))
            i += 1
        return result
    finally:
        lib.ps_if_freenameindex(table)


def if_nametoindex(if_name: Any, /) -> int:
    """The index of a network interface."""
    name = os.fsencode(if_name)
    if b"\0" in name:
        raise ValueError("embedded null byte")
    index = lib.ps_if_nametoindex(name)
    if index == 0:
        raise OSError("no interface with this name")
    return index


def if_indextoname(if_index: int, /) -> str:
    """The name of a network interface."""
    if not isinstance(if_index, int):
        raise TypeError("an integer is required")
    index = c_unsigned_long(if_index)
    if index > _UINT_MASK:
        if _INDEX_CHECKED:
            raise OverflowError("index is too large")
        index &= _UINT_MASK
    buf = ffi.new("char[]", max(lib.IF_NAMESIZE, 64))
    n = lib.ps_if_indextoname(index, buf, len(buf))
    if n < 0:
        raise errors.from_result(n)
    return os.fsdecode(ffi.unpack(buf, n))
