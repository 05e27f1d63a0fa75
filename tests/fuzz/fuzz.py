#!/usr/bin/env python3
"""Run one harness under atheris (libFuzzer):

    python tests/fuzz/fuzz.py NAME [libFuzzer arguments: corpus dirs, -max_total_time=N, ...]
    tests/fuzz/fuzz.py NAME -merge=1 NEW_DIR DIR...     # (libFuzzer re-runs this file)

NAME is the part after fuzz_ (address_text, sockaddr, getaddrinfo, ancillary,
framing).  pysock is imported inside atheris.instrument_imports(), so the
fuzzer sees coverage of pysock's Python code; the C side is covered by the
sanitizers when this runs under tests/memcheck/sanitize.sh --shell (run.sh
does that).  A harness that cannot run here (Skip) exits 0 with the reason.
"""

from __future__ import annotations

import importlib
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["pysock"]):
    import pysock.backends.cffi  # noqa: F401
    import pysock.backends.stdlib  # noqa: F401

import fuzz_common  # noqa: E402


def main() -> None:
    # The harness's name goes on in the environment: libFuzzer starts
    # copies of this script (-merge, -jobs) with the remaining arguments only.
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-") and "FUZZ_HARNESS" not in os.environ:
        os.environ["FUZZ_HARNESS"] = sys.argv.pop(1)
    name = os.environ["FUZZ_HARNESS"]
    harness = importlib.import_module(f"fuzz_{name}")
    try:
        harness.check(b"")
    except fuzz_common.Skip as reason:
        print(f"fuzz {name}: skipped: {reason}")
        return
    atheris.Setup(sys.argv, harness.check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
