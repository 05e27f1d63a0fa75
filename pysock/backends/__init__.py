"""pysock's backends, each a module with the whole socket-module API.

``cffi`` runs on the compiled shims; ``stdlib`` on the standard socket
module.  Both can be imported in one process (tests and ``python -m pysock
compare`` run the same scenario on each); ``pysock`` itself re-exports the
one chosen by PYSOCK_BACKEND (see pysock._backend).
"""

from __future__ import annotations

import importlib
import socket as _std
from types import ModuleType
from typing import Any, Callable, Dict, List

__all__ = ["NAMES", "load", "api_names", "make_fromfd", "EXTRA_NAMES", "CPYTHON_FUNCTIONS",
           "NOT_SOCKET_CONSTANTS", "TYPED_IN_STDLIB", "NOT_PORTED"]

NAMES = ("cffi", "stdlib")

# What pysock adds to the socket module's API, on every backend.
EXTRA_NAMES: List[str] = ["IncompleteReadError", "splice"]

# Constants the stdlib has only as numbers typed into CPython, not from any
# system header: the cffi backend, which takes every value from the headers,
# does not have them (docs/differences.md).
TYPED_IN_STDLIB = frozenset({
    "ALG_OP_SIGN", "ALG_OP_VERIFY", "ALG_SET_PUBKEY",
    "UDPLITE_SEND_CSCOV", "UDPLITE_RECV_CSCOV",
})

# Numbers PyPy's socket module exports that are not socket constants (poll(2)
# events, FD_SETSIZE, two ioctl requests of its own implementation); CPython's
# socket has none of them, nor has the cffi backend (docs/differences.md).
NOT_SOCKET_CONSTANTS = frozenset({
    "FD_SETSIZE", "SIOCGIFINDEX", "SIOCGIFNAME", "POLLERR", "POLLHUP", "POLLIN",
    "POLLMSG", "POLLNVAL", "POLLOUT", "POLLPRI", "POLLRDBAND", "POLLRDNORM", "POLLWRNORM",
})

# Functions of CPython's socket module on Linux that some interpreters' socket
# modules lack (PyPy's has no if_* functions): a backend that defines them
# exports them, so pysock's API does not shrink to the interpreter's.
CPYTHON_FUNCTIONS = ("if_nameindex", "if_nametoindex", "if_indextoname")

# Names of socket.__all__ that are not part of a backend: CAPI is the C API
# capsule of _socket (for the ssl module), meaningless for another backend.
NOT_PORTED = frozenset({"CAPI"})


def api_names(constants: "List[str]", namespace: "Dict[str, object]") -> List[str]:
    """A backend's __all__: the socket module's API, its constants, the extras,
    and CPython's functions the running socket module lacks where the backend
    (its module namespace) has them."""
    names = [name for name in _std.__all__
             if name not in NOT_PORTED and not _is_constant(name)]
    present = [name for name in CPYTHON_FUNCTIONS if name in namespace]
    return sorted(set(names) | set(constants) | set(EXTRA_NAMES) | set(present))


def _is_constant(name: str) -> bool:
    # Upper-case values that are not functions: ints, and on some builds
    # strings such as BDADDR_ANY.
    return name.isupper() and not callable(getattr(_std, name, None))


def make_fromfd(namespace: "Dict[str, Any]") -> "Callable[..., Any]":
    """A backend's fromfd(): socket.py's, except that the duplicate descriptor
    is closed again when no socket can be made of it (the stdlib's leaks)."""
    def fromfd(fd: int, family: int, type: int, proto: int = 0) -> Any:
        """Create a socket object from a duplicate of the given file descriptor.
        The remaining arguments are the same as for socket()."""
        duplicate = namespace["dup"](fd)
        try:
            return namespace["socket"](family, type, proto, duplicate)
        except BaseException:
            namespace["close"](duplicate)
            raise
    fromfd.__module__ = namespace.get("__name__", __name__)
    return fromfd


def load(name: str) -> ModuleType:
    """Import and return a backend module by name ("cffi" or "stdlib")."""
    if name not in NAMES:
        raise ValueError(f"unknown pysock backend {name!r}: choose one of {', '.join(NAMES)}")
    return importlib.import_module(f"pysock.backends.{name}")
