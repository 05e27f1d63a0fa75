"""Runs a Python program with its socket calls marked for strace:
``python -m pysock.cli._tracehook (SCRIPT | -m MODULE) [ARGS...]``.

Every method of the socket classes (pysock's two backends and the stdlib's)
and the module functions that make sockets are wrapped so that each
outermost call first writes "pysock-call: <the call>" to descriptor -1 and
then "pysock-end" when it returns.  The writes fail at once (EBADF) and do
nothing else, but strace shows them, which is how ``python -m pysock trace``
groups the system calls by the Python call that made them.
"""

from __future__ import annotations

import enum
import functools
import os
import runpy
import socket as std_socket
import sys
import threading
from typing import Any, Callable

from pysock.labs.scenarios.scenario import mark

METHODS = ("__init__", "accept", "bind", "close", "connect", "connect_ex", "detach", "dup",
           "getpeername", "getsockname", "getsockopt", "listen", "makefile", "recv",
           "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into", "send",
           "sendall", "sendfile", "sendmsg", "sendto", "setblocking", "setsockopt",
           "settimeout", "shutdown", "disconnect")
FUNCTIONS = ("create_connection", "create_server", "socketpair", "fromfd")

_depth = threading.local()


def _short(value: Any) -> str:
    if isinstance(value, (enum.IntEnum, enum.IntFlag)):
        text = value.name or str(int(value))  # MSG_PEEK, not <MsgFlag.MSG_PEEK: 2>
    else:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(owner: Any, name: str, args: tuple, kwargs: dict) -> str:
    shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
    if name == "__init__":
        return f"socket({shown})"
    if owner is None:
        return f"{name}({shown})"
    try:
        fd = owner.fileno()
    except Exception:  # noqa: BLE001 - a half-made or closed socket
        fd = "?"
    return f"sock{fd}.{name}({shown})"


def _traced(original: Callable[..., Any], name: str, bound: bool) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "value", 0)
        if depth == 0:
            owner = args[0] if bound else None
            mark("pysock-call: " + _describe(owner, name, args[1:] if bound else args, kwargs))
        _depth.value = depth + 1
        try:
            return original(*args, **kwargs)
        finally:
            _depth.value = depth
            if depth == 0:
                mark("pysock-end")
    call.__pysock_traced__ = True  # type: ignore[attr-defined]
    return call


def install() -> None:
    """Wrap the socket classes and functions of pysock's backends, pysock
    itself and the stdlib (whichever the program uses)."""
    import pysock
    from pysock import backends
    modules = [std_socket, pysock] + [backends.load(name) for name in backends.NAMES
                                      if _loads(backends, name)]
    classes = {module.socket for module in modules if isinstance(module.socket, type)}
    for cls in classes:
        for name in METHODS:
            method = cls.__dict__.get(name) or getattr(cls, name, None)
            if method is not None and not getattr(method, "__pysock_traced__", False):
                setattr(cls, name, _traced(method, name, bound=True))
    for module in modules:
        for name in FUNCTIONS:
            function = getattr(module, name, None)
            if function is not None and not getattr(function, "__pysock_traced__", False):
                setattr(module, name, _traced(function, name, bound=False))


def _loads(backends: Any, name: str) -> bool:
    try:
        backends.load(name)
    except ImportError:
        return False
    return True


def main() -> None:
    args = sys.argv[1:]
    if not args:
        raise SystemExit("usage: python -m pysock.cli._tracehook (SCRIPT | -m MODULE) [ARGS...]")
    install()
    if args[0] == "-m" and len(args) > 1:
        sys.argv = [args[1]] + args[2:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
