"""The lab ships inside the package: labs/ maps to pysock.labs, with its C
sources, so `python -m pysock compare` works from a wheel."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# It checks the checkout's pyproject.toml against its directories; the wheel
# proof runs a copy of tests/ with no checkout around it.
pytestmark = pytest.mark.skipif(not (ROOT / "labs").is_dir(),
                                reason="needs the checkout (pyproject.toml, labs/)")

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")


def config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_directory_is_listed():
    """The explicit list (needed for the mapping) must name every package,
    or a package added later would silently be left out of the wheel."""
    listed = set(config()["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "pysock").rglob("__init__.py")}
    found |= {".".join(("pysock",) + p.parent.relative_to(ROOT).parts)
              for p in (ROOT / "labs").rglob("__init__.py")}
    assert found == listed


def test_the_c_sources_are_package_data():
    setuptools = config()
    assert setuptools["package-dir"] == {"pysock.labs": "labs"}
    data = setuptools["package-data"]
    for path in (ROOT / "labs").rglob("*"):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts \
                or "bin" in path.relative_to(ROOT / "labs").parts:
            continue
        package = ".".join(("pysock",) + path.parent.relative_to(ROOT).parts)
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in data.get(package, [])), \
            f"{path.relative_to(ROOT)} would not be installed"
