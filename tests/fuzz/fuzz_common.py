"""What every fuzz harness shares: reading the fuzzer's bytes, comparing the
two backends, and keeping generated addresses on this machine.

A harness is a module ``fuzz_<name>.py`` with ``check(data: bytes)``: it turns
the bytes into arguments, runs them through the cffi backend and the stdlib
backend, and raises AssertionError when the two disagree (a different result,
or a different exception class or errno).  ``check`` needs no atheris, so the
committed corpora replay in the normal test suite (tests/test_fuzz_corpora.py);
tests/fuzz/fuzz.py runs it under atheris.
"""

from __future__ import annotations

import ipaddress
import os
import socket as std_socket
from typing import Any, Callable, List, Sequence, Tuple

from pysock import backends

CFFI = backends.load("cffi")
STDLIB = backends.load("stdlib")
BACKENDS = (("cffi", CFFI), ("stdlib", STDLIB))


_resources: List[Any] = []


def keep(resource: Any) -> Any:
    """A descriptor, socket or clean-up function a harness keeps between
    inputs; release() closes (or calls) them, the last kept first."""
    _resources.append(resource)
    return resource


def release() -> None:
    """Close what the harnesses kept (the corpus replay calls this after each
    harness, so the suite's descriptor check sees nothing left open)."""
    while _resources:
        resource = _resources.pop()
        if isinstance(resource, int):
            os.close(resource)
        elif hasattr(resource, "close"):
            resource.close()
        else:
            resource()  # a harness's own clean-up


class Skip(Exception):
    """The harness cannot run here (e.g. the API it fuzzes is absent)."""


class Reader:
    """Arguments out of the fuzzer's bytes, deterministically; past the end
    every read gives zeros, so any input is a complete one."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, n: int) -> bytes:
        chunk = self.data[self.at:self.at + n]
        self.at += len(chunk)
        return chunk

    def uint(self, nbytes: int = 1) -> int:
        return int.from_bytes(self.take(nbytes).ljust(nbytes, b"\0"), "little")

    def sint(self, nbytes: int = 4) -> int:
        value = self.uint(nbytes)
        return value - (1 << (8 * nbytes)) if value >> (8 * nbytes - 1) else value

    def pick(self, choices: Sequence[Any]) -> Any:
        return choices[self.uint() % len(choices)]

    def blob(self, limit: int = 64) -> bytes:
        return self.take(self.uint() % (limit + 1))

    def text(self, limit: int = 64) -> str:
        return self.blob(limit).decode("utf-8", "surrogateescape")

    def number(self) -> int:
        """An integer from the edges people get wrong, or any 32/64-bit one."""
        kind = self.uint() % 8
        if kind < 5:
            return self.pick([0, 1, -1, 65535, 65536, 2**31 - 1, 2**31, -2**31 - 1,
                              2**32 - 1, 2**32, 2**63 - 1, 2**63, -2**63 - 1, 2**64])
        return self.sint(4) if kind < 7 else self.sint(8)


def outcome(func: Callable[..., Any], *args: Any) -> Tuple[Any, ...]:
    """("ok", result) or ("raised", exception class, errno): what the parity
    suite compares (messages differ across CPython versions)."""
    try:
        return ("ok", func(*args))
    except Exception as exc:  # noqa: BLE001 - any exception is a result here
        return ("raised", type(exc), getattr(exc, "errno", None))


def same(what: str, results: List[Tuple[str, Any]]) -> None:
    """Fail unless every backend's result equals the first one's."""
    (first_name, first), *rest = results
    for name, value in rest:
        if value != first:
            raise AssertionError(f"{what}: {first_name} gave {first!r}, {name} gave {value!r}")


# ---- addresses that stay on this machine ------------------------------------------

SPECIAL_HOSTS = ("", "<broadcast>")   # resolved without any lookup


def host_bytes(host: Any) -> Any:
    """The host as CPython hands it to the resolver, or None if it is refused
    before any lookup (wrong type, NUL, not encodable)."""
    if isinstance(host, str):
        try:
            host = host.encode("ascii") if host.isascii() else host.encode("idna")
        except UnicodeError:
            return None
    if not isinstance(host, (bytes, bytearray)) or b"\0" in host:
        return None
    return bytes(host)


def numeric(host: bytes) -> Any:
    """The first address getaddrinfo parses out of `host` without any lookup
    (AI_NUMERICHOST: the resolver's own numeric forms, "127.1" and
    "::1%lo" included), or None when the name would need a lookup."""
    try:
        infos = std_socket.getaddrinfo(host, None, 0, std_socket.SOCK_DGRAM, 0,
                                       std_socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return None
    return infos[0][4][0]


def needs_lookup(host: Any, family: int) -> bool:
    """Would resolving `host` for `family` ask anything but /etc/hosts?
    "localhost" is in /etc/hosts for AF_INET; everything else that is not
    numeric might go to DNS, which a fuzzer must never do."""
    data = host_bytes(host)
    if data is None or data.decode("latin-1") in SPECIAL_HOSTS:
        return False
    if data == b"localhost" and family in (std_socket.AF_INET, std_socket.AF_UNSPEC):
        return False
    return numeric(data) is None


def stays_local(host: Any) -> bool:
    """Is traffic to `host` sure to stay on this machine (or be refused)?
    Only loopback and unspecified addresses, or hosts refused before lookup."""
    data = host_bytes(host)
    if data is None:
        return True
    if data == b"localhost":
        return True
    if data in (b"", b"<broadcast>"):
        return data == b""
    text = numeric(data)
    if text is None:
        return False
    address = ipaddress.ip_address(text.split("%")[0])
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return address.is_loopback or address.is_unspecified
