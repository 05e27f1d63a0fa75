"""``python -m pysock info``: which backend runs, and what it was built with."""

from __future__ import annotations

import json
import os
import platform
import sys
from typing import Any, Dict


def collect() -> Dict[str, Any]:
    import pysock
    from pysock._backend import ENV
    info: Dict[str, Any] = {
        "pysock": pysock.__version__,
        "backend": pysock.backend,
        "backend_error": pysock.backend_error,
        "requested": os.environ.get(ENV, "auto"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "platform": platform.platform(),
        "runtime_libc": " ".join(platform.libc_ver()) or "unknown",
    }
    try:
        from pysock.backends.cffi.native import ffi, lib
        import cffi
        import pysock._ffi as compiled
        info["extension"] = compiled.__file__
        info["build_libc"] = ffi.string(lib.ps_build_libc()).decode()
        info["cffi"] = cffi.__version__
        info["constants"] = len(pysock.backends.load("cffi").__all__)
    except ImportError as exc:
        info["extension"] = None
        info["extension_error"] = str(exc)
    return info


def run(args: Any) -> int:
    info = collect()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    width = max(map(len, info))
    for key, value in info.items():
        if value is not None:
            print(f"{key:<{width}}  {value}")
    if info["backend_error"]:
        print(f"\nnote: running on the stdlib backend because {info['backend_error']}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("info", help="show the backend in use and how it was built")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)
