"""The lab's documentation keeps up with the catalogue it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pysock.labs import catalogue, scenarios

ROOT = Path(__file__).resolve().parent.parent

# These check the checkout's documents; the wheel proof runs a copy of tests/
# against an installed package, where there are none to check.
pytestmark = pytest.mark.skipif(not (ROOT / "docs" / "lab.md").exists(),
                                reason="needs the checkout's README.md and docs/")


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_guide_has_every_scenario_and_program():
    guide = words((ROOT / "docs" / "lab.md").read_text())
    for name in catalogue.BEHAVIOURS:
        module = scenarios.load(name)
        assert f"### {name}: {module.TITLE}" in guide
        assert words(module.TEACHES) in guide, f"docs/lab.md: {name}'s paragraph is stale"
    for program in catalogue.PROGRAMS:
        assert f"`{program.name}`" in guide


def test_the_readme_starts_with_the_compare_run():
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    assert "python3 -m pip install -e . && python3 -m pysock compare" in first
