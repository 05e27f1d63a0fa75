"""The cffi backend's constants come from the headers and equal the stdlib's."""

from __future__ import annotations

import socket as std_socket

from pysock import backends


def stdlib_constants():
    return {n: getattr(std_socket, n) for n in std_socket.__all__
            if isinstance(getattr(std_socket, n), int) and n not in ("CMSG_LEN", "CMSG_SPACE")
            and n != "CAPI"}


def test_every_stdlib_constant_is_there_with_the_same_value():
    api = backends.load("cffi")
    missing = {}
    differ = {}
    for name, value in stdlib_constants().items():
        if name in backends.TYPED_IN_STDLIB | backends.NOT_SOCKET_CONSTANTS:
            continue
        if not hasattr(api, name):
            missing[name] = value
        elif getattr(api, name) != value:
            differ[name] = (getattr(api, name), value)
    assert not missing and not differ, (missing, differ)


def test_typed_in_constants_are_the_documented_ones():
    # Only these stdlib constants have no header behind them on this system
    # (and, on PyPy, the non-socket numbers its socket module exports).
    api = backends.load("cffi")
    absent = {n for n in stdlib_constants() if not hasattr(api, n)}
    assert absent <= backends.TYPED_IN_STDLIB | backends.NOT_SOCKET_CONSTANTS


def test_enum_members_are_the_stdlibs():
    api = backends.load("cffi")
    assert api.AF_INET is std_socket.AF_INET
    assert api.SOCK_STREAM is std_socket.SOCK_STREAM
    assert api.MSG_PEEK is std_socket.MSG_PEEK
    assert api.AI_PASSIVE is std_socket.AI_PASSIVE


def test_linux_extras_exist():
    api = backends.load("cffi")
    for name in ("SO_REUSEPORT", "MSG_ZEROCOPY", "SO_BUSY_POLL", "TCP_NODELAY",
                 "TCP_QUICKACK", "SO_ZEROCOPY"):
        assert isinstance(getattr(api, name), int), name


def test_both_backends_offer_the_same_functions():
    cffi, stdlib = backends.load("cffi"), backends.load("stdlib")

    def callables(module):
        return {n for n in module.__all__ if not isinstance(getattr(module, n), int)}

    # Only where the interpreter's socket module lacks one of CPython's
    # functions (PyPy: if_*) does the cffi backend have more (docs/differences.md).
    lacking = {n for n in backends.CPYTHON_FUNCTIONS if not hasattr(std_socket, n)}
    assert callables(cffi) - callables(stdlib) == lacking
    assert callables(stdlib) <= callables(cffi)
    for name in callables(stdlib):
        assert hasattr(cffi, name) and hasattr(stdlib, name), name


def test_cffi_offers_cpythons_functions_on_every_interpreter():
    import pysock
    cffi = backends.load("cffi")
    for name in backends.CPYTHON_FUNCTIONS:
        assert name in cffi.__all__ and callable(getattr(cffi, name))
        if pysock.backend == "cffi":
            assert getattr(pysock, name) is getattr(cffi, name)
