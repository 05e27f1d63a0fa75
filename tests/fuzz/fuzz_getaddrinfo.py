"""getaddrinfo and getnameinfo argument handling on both backends: any host
text (resolved only numerically: AI_NUMERICHOST is forced unless the host is
one /etc/hosts or no lookup answers), any service, family, type, protocol
and flags; getnameinfo with NI_NUMERICHOST, so no reverse lookup either."""

from __future__ import annotations

import socket as std_socket
import warnings

from fuzz_common import BACKENDS, Reader, needs_lookup, outcome, same

FAMILIES = [std_socket.AF_UNSPEC, std_socket.AF_INET, std_socket.AF_INET6,
            std_socket.AF_UNIX]
TYPES = [0, std_socket.SOCK_STREAM, std_socket.SOCK_DGRAM, std_socket.SOCK_RAW]
PROTOS = [0, std_socket.IPPROTO_TCP, std_socket.IPPROTO_UDP]
FLAG_BITS = [std_socket.AI_PASSIVE, std_socket.AI_CANONNAME, std_socket.AI_NUMERICHOST,
             std_socket.AI_NUMERICSERV, std_socket.AI_V4MAPPED, std_socket.AI_ALL,
             std_socket.AI_ADDRCONFIG]
HOSTS = [None, "", "localhost", "127.0.0.1", "::1", "127.1", "0x7f.1", "::ffff:127.0.0.1",
         "fe80::1%lo", "fe80::1%1", "::1%nonexistent", "1.2.3.4.5", "<broadcast>"]
SERVICES = [None, 0, 80, "80", b"80", "http", "domain", "", "-1", 65535, 65536, -1,
            2**31, 2**63, 1.5, True, "99999999999"]


def host_argument(r: Reader):
    kind = r.uint() % 8
    if kind < 4:
        return r.pick(HOSTS)
    if kind < 6:
        return r.text(40)
    if kind == 6:
        return r.blob(40)
    return r.pick([b"127.0.0.1", bytearray(b"::1"), 1, 2.5])


def service_argument(r: Reader):
    kind = r.uint() % 6
    if kind < 3:
        return r.pick(SERVICES)
    if kind == 3:
        return r.number()
    return r.text(16) if kind == 4 else r.blob(16)


def nameinfo_address(r: Reader):
    host = r.pick(["127.0.0.1", "::1", "0.0.0.0", "fe80::1%lo", "", "localhost",
                   r.text(30), 5])
    size = r.uint() % 6
    parts = [host, r.pick([0, 80, 65535, 65536, -1, r.number(), "80", None]),
             r.number(), r.number(), 0]
    return r.pick([tuple(parts[:size]), [host, 80], host, None])


def check(data: bytes) -> None:
    r = Reader(data)
    if r.uint() % 4 == 0:
        address = nameinfo_address(r)
        flags = r.number() | std_socket.NI_NUMERICHOST
        results = [(name, outcome(api.getnameinfo, address, flags)) for name, api in BACKENDS]
        same(f"getnameinfo({address!r}, {flags})", results)
        return
    host = host_argument(r)
    port = service_argument(r)
    family = r.pick(FAMILIES + [r.number()])
    kind = r.pick(TYPES + [r.number()])
    proto = r.pick(PROTOS + [r.number()])
    flags = 0
    for bit in FLAG_BITS:
        if r.uint() & 1:
            flags |= bit
    if r.uint() % 8 == 0:
        flags = r.number()
    if needs_lookup(host, family if isinstance(family, int) else 0):
        flags |= std_socket.AI_NUMERICHOST  # (beyond C int it is refused first anyway)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [(name, outcome(api.getaddrinfo, host, port, family, kind, proto, flags))
                   for name, api in BACKENDS]
    same(f"getaddrinfo({host!r}, {port!r}, {family}, {kind}, {proto}, {flags})", results)
