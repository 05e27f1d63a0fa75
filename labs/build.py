"""Builds the C twins on the spot, into a cache directory.

The sources stay where they are (in a checkout or in site-packages, which may
be read-only); ``make -C LABS_DIR BUILD=<cache>`` writes the executables
into a directory named after a hash of the sources and the compiler, so a
changed source or compiler builds afresh and an unchanged one is instant.
Without a C compiler (or make), ``build()`` says so and the caller runs
without the C column.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pysock.labs import LABS_DIR

ENV_CACHE = "PYSOCK_LAB_CACHE"


@dataclass(frozen=True)
class Build:
    """Where the executables are, or why there are none."""

    directory: Optional[Path]
    reason: str = ""          # why there is no C column (empty when built)
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.directory is not None

    def program(self, name: str) -> Path:
        assert self.directory is not None
        return self.directory / name

    def scenario(self, name: str) -> Path:
        assert self.directory is not None
        return self.directory / "scenarios" / name.replace("-", "_")


def tools() -> "tuple[Optional[str], Optional[str]]":
    """(C compiler, make) as found on PATH; $CC names the compiler."""
    compiler = os.environ.get("CC", "cc").split()[0]
    return shutil.which(compiler), shutil.which("make")


def _sources() -> "list[Path]":
    return sorted(p for p in LABS_DIR.rglob("*")
                  if p.suffix in (".c", ".h") or p.name == "Makefile")


def fingerprint(compiler: str) -> str:
    digest = hashlib.sha256(compiler.encode())
    for path in _sources():
        digest.update(str(path.relative_to(LABS_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pysock" / "labs"


def build_with_progress(progress: Any) -> Build:
    """build(), saying so on `progress` (a pysock.cli._term.Progress) while
    it compiles: the first build takes a few seconds."""
    progress.show("building the C twins (once; cached afterwards)")
    try:
        return build()
    finally:
        progress.clear()


def build(werror: bool = False, jobs: int = 2) -> Build:
    """Build every C program and scenario (or reuse the cached build).
    `werror` adds -Werror (the tests use it; compare does not, so that a newer
    compiler's new warning cannot take the C column away)."""
    compiler, make = tools()
    if compiler is None:
        return Build(None, f"no C compiler ({os.environ.get('CC', 'cc')}) on PATH")
    if make is None:
        return Build(None, "no make on PATH (needed to build the C twins)")
    directory = cache_root() / (fingerprint(compiler) + ("-werror" if werror else ""))
    stamp = directory / ".built"
    if stamp.exists():
        return Build(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another compare or test may be building
        if stamp.exists():
            return Build(directory)
        command = [make, "-s", f"-j{jobs}", "-C", str(LABS_DIR), f"BUILD={directory}",
                   f"CC={compiler}"] + ([] if werror else ["WERROR="])
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        if done.returncode != 0:
            lines = done.stdout.strip().splitlines() or ["make failed"]
            first = next((line for line in lines if "error" in line), lines[-1])
            return Build(None, f"the C build failed: {first}", done.stdout)
        stamp.write_text(done.stdout)
    return Build(directory, log=done.stdout)
