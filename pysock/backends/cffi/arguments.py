"""Argument conversion by the stdlib's rules: the one place for it.

CPython's socket module converts each argument with a PyArg format ("i", "I",
"n", ...) or a C API call (PyLong_AsLong, _PyLong_AsInt, ...), and each has its
own range check and message.  pysock converts with the function named after
the same rule, so a bad argument raises the class the stdlib raises, with the
stdlib's message where that message is the same on CPython 3.9-3.13.

cffi would convert a Python int itself, but with its own messages ("integer
2147483648 does not fit '32-bit int'") and without accepting objects that
define __index__, which the stdlib accepts.  So slow paths convert here first,
and hot paths (send/recv flags) let cffi convert and, only when it refuses,
convert here and try again.
"""

from __future__ import annotations

import operator
import sys
from typing import Any

from pysock.backends.cffi.native import ffi

__all__ = ["c_int", "c_int_exact", "c_long", "c_uint_mask", "c_ssize",
           "c_unsigned_long", "c_string", "type_name"]

_INT_BITS = 8 * ffi.sizeof("int")
_LONG_BITS = 8 * ffi.sizeof("long")
INT_MAX = 2 ** (_INT_BITS - 1) - 1
INT_MIN = -INT_MAX - 1
_LONG_MAX = 2 ** (_LONG_BITS - 1) - 1
_LONG_MIN = -_LONG_MAX - 1
_UINT_MASK = 2 ** _INT_BITS - 1
_ULONG_MAX = 2 ** _LONG_BITS - 1
_SSIZE_MAX = sys.maxsize
_index = operator.index


def type_name(value: Any) -> str:
    """How PyArg names a wrong argument's type ("None" for None)."""
    return "None" if value is None else type(value).__name__


def c_long(value: Any) -> int:
    """PyLong_AsLong: an __index__-able int within C long range."""
    number = _index(value)
    if not _LONG_MIN <= number <= _LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return number


def c_int(value: Any) -> int:
    """PyArg "i": a C int, with getargs' range messages."""
    if value.__class__ is int and INT_MIN <= value <= INT_MAX:
        return value  # the common case, without c_long's frame
    number = _index(value)  # c_long inline: IntEnum members come this way
    if not _LONG_MIN <= number <= _LONG_MAX:
        raise OverflowError("Python int too large to convert to C long")
    if number > INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if number < INT_MIN:
        raise OverflowError("signed integer is less than minimum")
    return number


def c_int_exact(value: Any) -> int:
    """_PyLong_AsInt (argument clinic's "int"): a C int, one message."""
    number = _index(value)
    if not INT_MIN <= number <= INT_MAX:
        raise OverflowError("Python int too large to convert to C int")
    return number


def c_uint_mask(value: Any) -> int:
    """PyArg "I": an unsigned int, wrapped modulo 2**32 without a range check."""
    return _index(value) & _UINT_MASK


def c_ssize(value: Any) -> int:
    """PyArg "n": a Py_ssize_t."""
    number = _index(value)
    if not -_SSIZE_MAX - 1 <= number <= _SSIZE_MAX:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return number


def c_unsigned_long(value: int) -> int:
    """PyLong_AsUnsignedLong on an int."""
    if value < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if value > _ULONG_MAX:
        raise OverflowError("Python int too large to convert to C unsigned long")
    return value


def c_string(name: str, value: Any, position: str = "argument 1") -> bytes:
    """A str argument as UTF-8 bytes without NULs (PyArg "s")."""
    if not isinstance(value, str):
        raise TypeError(f"{name}() {position} must be str, not {type(value).__name__}")
    # Strict, as PyUnicode_AsUTF8AndSize: a lone surrogate is UnicodeEncodeError.
    data = value.encode("utf-8")
    if b"\0" in data:
        raise ValueError("embedded null character")
    return data
