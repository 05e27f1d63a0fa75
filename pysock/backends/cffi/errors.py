"""The one place a shim's negative result becomes a Python exception.

Shims return -errno; OSError(errno, strerror) picks the subclass the stdlib
would raise (ConnectionRefusedError, BrokenPipeError, BlockingIOError, ...) by
itself (PEP 3151), so errno and strerror match the stdlib's exactly.  The
exception classes are the stdlib's own, so ``except socket.timeout`` and
``except socket.gaierror`` catch pysock's errors too.
"""

from __future__ import annotations

import errno as _errno
import os
import socket as _std

from pysock.backends.cffi.native import ERR_TIMEOUT, ffi, lib

error = OSError
timeout = _std.timeout
gaierror = _std.gaierror
herror = _std.herror

__all__ = ["error", "timeout", "gaierror", "herror", "from_result", "from_gai",
           "from_herrno", "EINTR"]

EINTR = -_errno.EINTR
_EAI_SYSTEM = getattr(_std, "EAI_SYSTEM", None)


def from_result(result: int) -> OSError:
    """The exception for a shim's negative result (-errno or ERR_TIMEOUT)."""
    if result == ERR_TIMEOUT:
        return timeout("timed out")
    code = -result
    return OSError(code, os.strerror(code))


def from_gai(code: int, sys_errno: int) -> OSError:
    """getaddrinfo/getnameinfo failures: gaierror, or OSError for EAI_SYSTEM."""
    if code == _EAI_SYSTEM and sys_errno:
        return OSError(sys_errno, os.strerror(sys_errno))
    return gaierror(code, ffi.string(lib.ps_gai_strerror(code)).decode())


def from_herrno(code: int) -> OSError:
    """gethostbyname_ex/gethostbyaddr failures, as the stdlib's herror."""
    return herror(code, ffi.string(lib.ps_hstrerror(code)).decode())
