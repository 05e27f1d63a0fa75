"""Backend selection: the one place PYSOCK_BACKEND is read.

PYSOCK_BACKEND=auto (the default) takes the cffi backend and falls back to the
stdlib backend only when the compiled extension cannot be imported; the reason
is kept in ``backend_error``.  PYSOCK_BACKEND=cffi never falls back: without
the extension, importing pysock fails with the reason and how to build it.

The pure-Python wheel (built with PYSOCK_PURE=1, see setup.py) has no
extension by design; it carries a marker file, and the reason then says so,
so that it is never mistaken for a broken build.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Optional, Tuple

from pysock.backends import NAMES, load

__all__ = ["select", "ENV", "PURE_WHEEL_REASON"]

ENV = "PYSOCK_BACKEND"

# setup.py writes this file into the pure-Python wheel only.
_PURE_MARKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "PURE_WHEEL")

PURE_WHEEL_REASON = (
    "this is the pure-Python wheel of pysock-cffi (py3-none-any), which has no "
    "compiled extension by design, so pysock runs on the stdlib backend; this is "
    "not a broken build. For the cffi backend install a platform wheel, or build "
    "from the sdist with a C compiler: pip install --no-binary pysock-cffi pysock-cffi")


def _cffi_unavailable(exc: ImportError) -> str:
    if os.path.exists(_PURE_MARKER):
        return f"cffi backend unavailable: {PURE_WHEEL_REASON}"
    return f"cffi backend unavailable: {exc}"


def select(requested: Optional[str] = None) -> Tuple[str, ModuleType, Optional[str]]:
    """(backend name, backend module, why the preferred backend is absent)."""
    choice = (requested if requested is not None else os.environ.get(ENV, "auto"))
    choice = choice.strip().lower() or "auto"
    if choice == "auto":
        try:
            return "cffi", load("cffi"), None
        except ImportError as exc:
            return "stdlib", load("stdlib"), _cffi_unavailable(exc)
    if choice not in NAMES:
        raise ImportError(
            f"{ENV}={choice!r} is not a pysock backend: use auto, "
            + ", ".join(NAMES))
    try:
        return choice, load(choice), None
    except ImportError as exc:
        if choice == "cffi" and os.path.exists(_PURE_MARKER):
            raise ImportError(f"{ENV}=cffi: {_cffi_unavailable(exc)}") from exc
        raise
