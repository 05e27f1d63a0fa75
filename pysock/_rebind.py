"""Reuse the stdlib socket module's pure-Python helpers on a pysock backend.

socket.py writes create_connection, create_server, getfqdn, fromfd,
send_fds/recv_fds and the socket methods makefile, dup, close, __repr__...
in Python, on top of a handful of primitives that it finds as module globals
(``socket``, ``getaddrinfo``, ``error``, ``SOCK_STREAM``...).  Rebinding those
functions' code to a backend's namespace gives each backend the running
Python version's exact helper, with every operation going through that
backend's primitives.  This is reuse, not a copy: no text of socket.py is
duplicated, and a helper changed in a new Python follows automatically.

tests/test_rebind.py checks that every global an adopted helper reads exists
in the backend's namespace.
"""

from __future__ import annotations

import builtins
import dis
import types
from typing import Any, Callable, Dict, Set

__all__ = ["adopt", "global_names", "missing_globals"]


def adopt(func: Callable[..., Any], namespace: Dict[str, Any]) -> Callable[..., Any]:
    """A copy of `func` whose global names are looked up in `namespace`."""
    func = getattr(func, "__func__", func)
    if func.__closure__:
        # super() and nested closures tie a function to its class or frame.
        raise ValueError(f"{func.__qualname__} has a closure and cannot be adopted")
    copy = types.FunctionType(func.__code__, namespace, func.__name__,
                              func.__defaults__, None)
    copy.__kwdefaults__ = dict(func.__kwdefaults__) if func.__kwdefaults__ else None
    copy.__doc__ = func.__doc__
    copy.__qualname__ = func.__qualname__
    copy.__module__ = namespace.get("__name__", func.__module__)
    copy.__dict__.update(func.__dict__)
    return copy


def global_names(func: Callable[..., Any]) -> Set[str]:
    """The global (non-builtin) names a function's code reads."""
    def scan(code: types.CodeType) -> Set[str]:
        found = {ins.argval for ins in dis.get_instructions(code)
                 if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                found |= scan(const)
        return found
    code = getattr(func, "__func__", func).__code__
    return {name for name in scan(code) if not hasattr(builtins, name)}


def missing_globals(func: Callable[..., Any], namespace: Dict[str, Any]) -> Set[str]:
    """Globals `func` reads that `namespace` lacks (an adopted helper would fail)."""
    return {name for name in global_names(func) if name not in namespace}
