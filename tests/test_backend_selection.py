"""PYSOCK_BACKEND in fresh interpreters: auto, cffi, stdlib, an invalid value,
and a pysock whose compiled extension is missing: a copy of the package
without the .so, as a pure-Python install would be, run with -S so that no
site-packages (an editable install of this checkout would supply the .so)
is in the way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pysock

PACKAGE = Path(pysock.__file__).parent
REPORT = ("import json, pysock; print(json.dumps({'backend': pysock.backend, "
          "'error': pysock.backend_error, 'file': pysock.__file__, "
          "'socket': pysock.socket.__module__ + '.' + type(pysock.socket()).__name__, "
          "'same': pysock.socket is pysock.backends.load(pysock.backend).socket}))")


def run(code_or_args, backend, cwd=None, extra_path=None):
    """Run a fresh interpreter; with extra_path, only that and the standard
    library are importable (-S: no site-packages)."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYSOCK_BACKEND", "PYTHONPATH")}
    if backend is not None:
        env["PYSOCK_BACKEND"] = backend
    if extra_path:
        env["PYTHONPATH"] = str(extra_path)
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    if extra_path:
        args = ["-S", *args]
    return subprocess.run([sys.executable, "-W", "ignore::ResourceWarning", *args],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def report(backend, **kwargs):
    result = run(REPORT, backend, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def without_extension(tmp_path_factory):
    """A copy of the pysock package with no compiled extension in it."""
    root = tmp_path_factory.mktemp("pure")
    ignore = shutil.ignore_patterns("_ffi*.so", "_ffi*.pyd", "__pycache__", "_ffi.c", "_ffi.o")
    shutil.copytree(PACKAGE, root / "pysock", ignore=ignore)
    # In a checkout pysock.labs is the top-level labs/ mapped into the package;
    # an installed copy has it inside. Either way the copy gets it inside.
    import pysock.labs
    if not (root / "pysock" / "labs").exists():
        shutil.copytree(Path(pysock.labs.__file__).resolve().parent, root / "pysock" / "labs",
                        ignore=ignore)
    assert not list((root / "pysock").glob("_ffi*"))
    return root


@pytest.mark.parametrize("value,expected", [(None, "cffi"), ("auto", "cffi"), ("", "cffi"),
                                            ("cffi", "cffi"), (" CFFI ", "cffi"),
                                            ("stdlib", "stdlib"), ("Stdlib", "stdlib")])
def test_the_variable_picks_the_backend(value, expected):
    got = report(value)
    assert got["backend"] == expected and got["error"] is None
    assert got["socket"] == "pysock.socket" and got["same"]


def test_an_invalid_value_fails_clearly():
    result = run("import pysock", "fast")
    assert result.returncode != 0
    assert "ImportError: PYSOCK_BACKEND='fast' is not a pysock backend: use auto, cffi, stdlib" \
        in result.stderr


def test_auto_falls_back_and_says_why(without_extension):
    got = report("auto", cwd=without_extension, extra_path=without_extension)
    assert Path(got["file"]).parent == without_extension / "pysock"
    assert got["backend"] == "stdlib"
    assert got["error"].startswith("cffi backend unavailable: pysock's compiled extension "
                                   "(pysock._ffi) is not available")


def test_info_shows_the_fallback(without_extension):
    result = run(["-m", "pysock", "info"], "auto", cwd=without_extension,
                 extra_path=without_extension)
    assert result.returncode == 0, result.stderr
    assert "backend" in result.stdout and "stdlib" in result.stdout
    assert "note: running on the stdlib backend because cffi backend unavailable" in result.stdout
    as_json = run(["-m", "pysock", "info", "--json"], "auto", cwd=without_extension,
                  extra_path=without_extension)
    info = json.loads(as_json.stdout)
    assert info["backend"] == "stdlib" and info["extension"] is None
    assert "pysock._ffi" in info["backend_error"] and info["requested"] == "auto"


def test_cffi_without_the_extension_says_how_to_build(without_extension):
    result = run("import pysock", "cffi", cwd=without_extension, extra_path=without_extension)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: pysock's compiled extension (pysock._ffi) is not available")
    assert "pip install pysock-cffi" in last and "python build_ffi.py" in last


def test_the_stdlib_backend_needs_no_extension(without_extension):
    got = report("stdlib", cwd=without_extension, extra_path=without_extension)
    assert got["backend"] == "stdlib" and got["error"] is None


def test_info_with_the_extension():
    result = run(["-m", "pysock", "info", "--json"], "cffi")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["backend"] == "cffi" and info["backend_error"] is None
    assert Path(info["extension"]).name.startswith("_ffi") and os.path.exists(info["extension"])
    assert info["build_libc"] and info["constants"] > 100
