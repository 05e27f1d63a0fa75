"""The cibuildwheel configuration ([tool.cibuildwheel] in pyproject.toml).

cibuildwheel cannot run here (it needs Docker, or a Mac), but it can say what
it would build: the list is committed (cibuildwheel_identifiers_*.txt) and
compared, and checked against what the project promises (CPython 3.9-3.14 via
abi3, PyPy, manylinux and musllinux on x86_64 and aarch64, macOS x86_64 and
arm64).
"""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path
from typing import List

import pytest

from tooling import checkout_or_skip, executable, run, tool_env


@pytest.fixture(scope="module")
def checkout() -> Path:
    """The git checkout these tests came from (they skip without one)."""
    return checkout_or_skip()

HERE = Path(__file__).resolve().parent
CPYTHONS = ["cp39", "cp310", "cp311", "cp312", "cp313", "cp314"]
LINUX_TARGETS = ["manylinux_x86_64", "manylinux_aarch64", "musllinux_x86_64", "musllinux_aarch64"]
MACOS_TARGETS = ["macosx_x86_64", "macosx_arm64"]


def committed(platform_name: str) -> List[str]:
    text = (HERE / f"cibuildwheel_identifiers_{platform_name}.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.skipif(platform.machine() != "x86_64" or not sys.platform.startswith("linux"),
                    reason="the committed lists are what cibuildwheel prints on an x86_64 Linux host")
@pytest.mark.parametrize("platform_name", ["linux", "macos"])
def test_identifiers_match_the_committed_list(checkout: Path, platform_name: str) -> None:
    result = run([executable("cibuildwheel"), "--print-build-identifiers", "--platform",
                  platform_name, str(checkout)], cwd=checkout, env=tool_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == committed(platform_name), (
        "cibuildwheel would now build something else: if intended, update "
        f"tests/packaging/cibuildwheel_identifiers_{platform_name}.txt\n{result.stdout}")


@pytest.mark.parametrize("target", LINUX_TARGETS + MACOS_TARGETS)
def test_every_cpython_on_every_target(target: str) -> None:
    listed = committed("macos" if target.startswith("macosx") else "linux")
    assert [c for c in CPYTHONS if f"{c}-{target}" not in listed] == []
    # nothing else CPython: no free-threaded (not abi3) and nothing outside 3.9-3.14
    others = {i.split("-")[0] for i in listed if i.endswith(target) and i.startswith("cp")}
    assert others == set(CPYTHONS)


@pytest.mark.parametrize("target", ["manylinux_x86_64", "manylinux_aarch64", "macosx_x86_64"])
def test_pypy_has_its_own_wheels(target: str) -> None:
    listed = committed("macos" if target.startswith("macosx") else "linux")
    assert [i for i in listed if i.startswith("pp") and i.endswith(target)]


def test_workflow_runs_the_pinned_cibuildwheel(checkout: Path) -> None:
    """The workflow installs the same cibuildwheel version the lists come from."""
    pins = re.findall(r'"cibuildwheel==([0-9.]+)', (checkout / "pyproject.toml").read_text())
    workflow = (checkout / ".github" / "workflows" / "wheels.yml").read_text()
    used = re.findall(r"cibuildwheel==([0-9.]+)", workflow)
    assert len(pins) == 1 and used and set(used) == set(pins), (pins, used)
