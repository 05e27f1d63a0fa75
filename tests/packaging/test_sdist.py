"""The sdist is complete: it holds every tracked file a build needs, and
nothing that is not tracked (build output, stray files).

scripts/wheel_proof.py makes the same check on the sdist it builds, then
builds every wheel from that sdist and tests the sdist's own tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tooling import checkout_or_skip, python_module, run, tool_env


@pytest.fixture(scope="module")
def checkout() -> Path:
    """The git checkout these tests came from (they skip without one)."""
    return checkout_or_skip()


def test_sdist_holds_every_tracked_file(checkout: Path, tmp_path: Path) -> None:
    python_module("build")
    result = run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(checkout)],
                 cwd=tmp_path, env=tool_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,) = tmp_path.glob("*.tar.gz")
    sys.path.insert(0, str(checkout / "scripts"))
    try:
        from wheel_proof import sdist_problems
    finally:
        sys.path.remove(str(checkout / "scripts"))
    assert sdist_problems(sdist, checkout) == []
