"""pytest plugin: which C shims (pysock._ffi.lib.ps_*) a test run called.

    PYTHONPATH=tests/memcheck python -m pytest -p shim_coverage TESTS...

At the end it lists the shims declared in csrc/pysock.cdef that no test
called, and fails the run (exit status 3) if there are any: the valgrind run
(tests/memcheck/valgrind.sh) uses it to show that its subset of the suite
reaches every shim.  A profile hook sees each call of a cffi function, in
every thread.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from typing import Any, Set

CDEF = Path(__file__).resolve().parents[2] / "csrc" / "pysock.cdef"
_called: Set[str] = set()


def _profile(frame: Any, event: str, arg: Any) -> None:
    if event == "c_call":
        name = getattr(arg, "__name__", "")
        if name.startswith("ps_"):
            _called.add(name)


def declared() -> Set[str]:
    return set(re.findall(r"\b(ps_\w+)\s*\(", CDEF.read_text()))


# From the plugin's import on (before pysock's, whose import calls the
# constant table shims), not from the session start.
sys.setprofile(_profile)
threading.setprofile(_profile)


def pytest_runtest_setup(item: Any) -> None:
    # A test that profiles calls itself (sys.setprofile, then None) ends this
    # hook's profiling too: put it back before every test.
    if sys.getprofile() is not _profile:
        sys.setprofile(_profile)
    threading.setprofile(_profile)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    sys.setprofile(None)
    threading.setprofile(None)  # type: ignore[arg-type]
    missing = sorted(declared() - _called)
    print(f"\nshim coverage: {len(declared()) - len(missing)} of {len(declared())} shims called")
    if missing:
        print("shim coverage: never called: " + ", ".join(missing))
        if session.exitstatus == 0:
            session.exitstatus = 3
