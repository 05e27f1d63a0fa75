"""setuptools glue: the metadata lives in pyproject.toml; this file only adds
what depends on the kind of build: the cffi extension (built by build_ffi.py),
the abi3 wheel tag, and the runtime dependency on cffi.

PYSOCK_PURE=1 builds the pure-Python wheel (py3-none-any) instead: no
extension and no cffi dependency, so it installs on any platform, where pysock
runs on the stdlib backend.  The wheel carries a marker file (pysock/PURE_WHEEL)
so that pysock.backend_error can say it is that wheel, not a broken build.
"""

import os
import sys
import sysconfig
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PURE = os.environ.get("PYSOCK_PURE", "") == "1"
# Read by pysock._backend; the name is the contract between the two files.
PURE_MARKER = "PURE_WHEEL"


def bdist_wheel_options():
    # cffi builds the extension against the limited API on CPython
    # (build_ffi.limited_api); the wheel must say so too (cp39-abi3), or it
    # would be tagged for the building interpreter's version only.
    if PURE or sys.implementation.name != "cpython":
        return {}
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return {}
    return {"bdist_wheel": {"py_limited_api": "cp39"}}


def install_requires():
    # The compiled module imports _cffi_backend at run time; PyPy has it built in.
    if PURE:
        return []
    return ["cffi>=1.17.1; platform_python_implementation != 'PyPy'"]


class build_py_with_marker(build_py):
    """build_py that drops the pure-wheel marker into the built package."""

    def run(self):
        super().run()
        package = Path(self.build_lib, "pysock")
        # An in-tree build/ directory outlives builds of the other kind:
        # never let a stale marker or extension cross between them.
        stale = [package / PURE_MARKER] if not PURE else list(package.glob("_ffi.*"))
        for path in stale:
            path.unlink(missing_ok=True)
        if PURE:
            (package / PURE_MARKER).write_text(
                "pysock-cffi pure-Python wheel (PYSOCK_PURE=1): no compiled "
                "extension; pysock runs on the stdlib backend.\n")

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if PURE:
            outputs.append(str(Path(self.build_lib, "pysock", PURE_MARKER)))
        return outputs


setup(
    cffi_modules=[] if PURE else ["build_ffi.py:ffibuilder"],
    install_requires=install_requires(),
    cmdclass={"build_py": build_py_with_marker},
    options=bdist_wheel_options(),
)
