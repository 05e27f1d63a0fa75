"""The compiled shims (pysock._ffi), imported once for the whole backend.

Importing this module is what decides whether the cffi backend exists: a
missing or broken extension raises ImportError here, with how to build it.
"""

from __future__ import annotations

try:
    from pysock._ffi import ffi, lib
except ImportError as exc:  # pragma: no cover - exercised by the backend tests
    raise ImportError(
        f"pysock's compiled extension (pysock._ffi) is not available: {exc}. "
        "Install a wheel (pip install pysock-cffi) or build from source with a C "
        "compiler and the Python headers: pip install . (or python build_ffi.py "
        "in a checkout)."
    ) from exc

__all__ = ["ffi", "lib", "NO_DEADLINE", "ERR_TIMEOUT", "INT_ERR_BASE", "SOCKADDR_MAX"]

NO_DEADLINE: int = lib.PS_NO_DEADLINE
ERR_TIMEOUT: int = lib.PS_ERR_TIMEOUT
INT_ERR_BASE: int = lib.PS_INT_ERR_BASE
SOCKADDR_MAX: int = ffi.sizeof("struct sockaddr_storage")
