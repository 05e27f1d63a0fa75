"""What pysock's fast-path extras share across backends.

The exception class must be one object for both backends (so that
``except pysock.IncompleteReadError`` catches it whichever backend raised),
and the argument rules of the extras are written once here, so that a bad
argument raises the same class on both.
"""

from __future__ import annotations

import errno
import operator
import os
import sys
from typing import Any, Iterator

__all__ = ["IncompleteReadError", "FRAME_HEADER", "FRAME_MAX", "DEFAULT_MAX_MSG",
           "frame_too_large", "size_argument", "buffer_length", "fileno_of",
           "splice_flags", "iterate"]

# recv_msg/send_msg frames: a 4-byte big-endian unsigned length, then the payload.
FRAME_HEADER = 4
FRAME_MAX = 2**32 - 1
DEFAULT_MAX_MSG = 16 * 1024 * 1024


class IncompleteReadError(EOFError):
    """EOF came before the expected number of bytes (recv_exactly,
    recv_into_exactly, recv_msg), as asyncio's: ``partial`` holds the bytes
    that did arrive, ``expected`` how many were wanted."""

    def __init__(self, partial: bytes, expected: int) -> None:
        super().__init__(f"{len(partial)} bytes read on a total of {expected} expected bytes")
        self.partial = partial
        self.expected = expected

    def __reduce__(self) -> Any:
        return type(self), (self.partial, self.expected)


IncompleteReadError.__module__ = "pysock"


def frame_too_large(length: int, limit: int, what: str = "max_size") -> OSError:
    """A frame beyond the limit: OSError(EMSGSIZE), on both backends."""
    return OSError(errno.EMSGSIZE,
                   f"{os.strerror(errno.EMSGSIZE)}: frame of {length} bytes, {what} {limit}")


def size_argument(value: Any, method: str) -> int:
    """A byte count ("n" in the stdlib: an index, >= 0, at most sys.maxsize)."""
    if value.__class__ is not int:
        value = operator.index(value)
    if value < 0:
        raise ValueError(f"negative buffersize in {method}")
    if value > sys.maxsize:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return value


def buffer_length(nbytes: Any, available: int, method: str) -> int:
    """recv_into-style nbytes: 0 means the whole buffer; more than it has is an error."""
    nbytes = size_argument(nbytes, method)
    if nbytes == 0:
        return available
    if nbytes > available:
        raise ValueError("buffer too small for requested bytes")
    return nbytes


def fileno_of(obj: Any) -> int:
    """A descriptor from an int or an object with fileno(), as select() takes them."""
    if isinstance(obj, int):
        return _c_int_fd(obj)
    try:
        fileno = obj.fileno
    except AttributeError:
        raise TypeError("argument must be an int, or have a fileno() method.") from None
    fd = fileno()
    if not isinstance(fd, int):
        raise TypeError("fileno() returned a non-integer")
    return _c_int_fd(fd)


def _c_int_fd(fd: int) -> int:
    # Checked here, before anything else can fail: a descriptor is a C int.
    if not -2**31 <= fd < 2**31:
        raise OverflowError("Python int too large to convert to C int")
    return fd


def splice_flags(value: Any) -> int:
    """splice()'s flags, an unsigned int as os.splice() takes them."""
    value = operator.index(value)
    if value < 0:
        raise ValueError("value must be positive")
    if value > 0xFFFFFFFF:
        raise OverflowError("Python int too large for C unsigned int")
    return value


def iterate(items: Any, method: str) -> Iterator[Any]:
    """An iterator over a method's first argument; TypeError as the stdlib
    words it for sendmsg() when that argument is not iterable."""
    try:
        return iter(items)
    except TypeError:
        raise TypeError(f"{method}() argument 1 must be an iterable") from None
