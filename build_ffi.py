"""Build pysock._ffi: the C shims in csrc/, compiled by cffi in API mode.

setup.py names this file in ``cffi_modules``; ``python build_ffi.py`` also
builds the extension in place (handy while working on the C side).

What cffi sees is csrc/pysock.cdef.  The C it compiles is csrc/*.c plus one
generated piece: the constant table, made here from csrc/constants.txt so that
every value comes from the system headers at build time.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Iterator

from cffi import FFI

HERE = Path(__file__).resolve().parent
CSRC = HERE / "csrc"
SOURCES = ["handle.c", "socket.c", "io.c", "loops.c", "addr.c", "netdb.c"]
GROUPS = {"socket": 0, "posix": 1}

# Warnings are for our code; cffi's generated wrapper is compiled with the same
# flags, so these stay to what it is clean under.
COMPILE_ARGS = ["-std=gnu11", "-fvisibility=hidden", "-Wall", "-Wextra",
                "-Wno-unused-parameter"]


def read_constants(lines: list[str]) -> Iterator[tuple[str, str, str, int]]:
    """The rows of constants.txt, in order, as (kind, name, C expression, group).

    kind: "ifdef" (NAME: taken if the headers define it), "const" (NAME ! and
    NAME = EXPR: always taken), "if" (name holds the condition) or "endif".
    scripts/update_stub.py reads the names too.
    """
    group = GROUPS["socket"]
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@if "):
            yield ("if", line[4:].strip(), "", group)
        elif line == "@endif":
            yield ("endif", "", "", group)
        elif line.startswith("@group "):
            group = GROUPS[line[7:].strip()]
        elif "=" in line:
            name, expr = (part.strip() for part in line.split("=", 1))
            yield ("const", name, expr, group)
        elif line.endswith("!"):
            name = line[:-1].strip()
            yield ("const", name, name, group)
        elif line.replace("_", "").isalnum():
            yield ("ifdef", line, line, group)
        else:
            raise ValueError(f"constants.txt:{number}: cannot read {raw!r}")


def constants_table(lines: list[str]) -> str:
    """C source for ps_constant_table() from the lines of constants.txt."""
    rows: list[str] = []
    for kind, name, expr, group in read_constants(lines):
        entry = f'    {{"{name}", (long long)({expr}), {group}}},'
        if kind == "if":
            rows.append(f"#if {name}")
        elif kind == "endif":
            rows.append("#endif")
        elif kind == "const":
            rows.append(entry)
        else:
            rows.extend([f"#ifdef {name}", entry, "#endif"])
    return "\n".join([
        '#include "constants.h"',
        "static const ps_constant table[] = {",
        *rows,
        "};",
        "const ps_constant *ps_constant_table(size_t *count)",
        "{",
        "    *count = sizeof(table) / sizeof(table[0]);",
        "    return table;",
        "}",
        "const char *ps_build_libc(void) { return PS_BUILD_LIBC; }",
        "",
    ])


def limited_api() -> bool:
    """abi3 for CPython (one wheel for 3.9+); not for PyPy or free-threaded."""
    if sys.implementation.name != "cpython":
        return False
    return not sysconfig.get_config_var("Py_GIL_DISABLED")


def make_ffibuilder() -> FFI:
    ffi = FFI()
    ffi.cdef((CSRC / "pysock.cdef").read_text())
    table = constants_table((CSRC / "constants.txt").read_text().splitlines())
    # setuptools wants source paths relative to setup.py's directory.
    sources = [os.path.relpath(CSRC / name, HERE) if Path.cwd() == HERE
               else str(CSRC / name) for name in SOURCES]
    ffi.set_source(
        "pysock._ffi",
        '#include "pysock.h"\n' + table,
        sources=sources,
        include_dirs=[str(CSRC)],
        define_macros=[("_GNU_SOURCE", "1")],
        extra_compile_args=COMPILE_ARGS + os.environ.get("PYSOCK_CFLAGS", "").split(),
        extra_link_args=os.environ.get("PYSOCK_LDFLAGS", "").split(),
        py_limited_api=limited_api(),
    )
    return ffi


ffibuilder = make_ffibuilder()

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=str(HERE), verbose=True)
