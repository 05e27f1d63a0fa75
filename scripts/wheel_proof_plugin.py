"""pytest plugin for scripts/wheel_proof.py: what one run of the suite saw.

The proof copies this file next to the tests it runs and loads it with
``-p wheel_proof_plugin``.  It writes a JSON report to $PYSOCK_PROOF_REPORT:
the backend pysock chose in that process, why (backend_error), where pysock
was imported from (it must be the venv's installed copy, never a source
tree), and the outcome counts.

PYSOCK_PROOF_ONLY_BACKEND=stdlib keeps only the tests parametrised with the
stdlib backend (the pure-Python wheel has no cffi backend to run the other
half on).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List

REPORT: Dict[str, Any] = {}


def pytest_sessionstart(session: Any) -> None:
    import pysock

    REPORT.update(backend=pysock.backend, backend_error=pysock.backend_error,
                  pysock_file=os.path.realpath(pysock.__file__))
    try:
        import pysock._ffi as compiled
        REPORT["ffi_file"] = os.path.realpath(compiled.__file__)
    except ImportError:
        REPORT["ffi_file"] = None


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    only = os.environ.get("PYSOCK_PROOF_ONLY_BACKEND")
    if not only:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (keep if params.get("api") == only else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter is not None else {}
    # The terminal reporter files each report under its outcome; "error" also
    # holds collection errors.
    counts = {key: len(stats.get(key, []))
              for key in ("passed", "failed", "error", "skipped", "xfailed", "xpassed")}
    REPORT.update(counts=counts, exitstatus=int(exitstatus))
    path = os.environ.get("PYSOCK_PROOF_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(REPORT, handle, indent=2)
