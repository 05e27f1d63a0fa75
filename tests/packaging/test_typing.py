"""pysock's types: the stub (pysock/__init__.pyi) under mypy --strict.

pysock re-exports its backend at run time, so the stub is what type checkers
see.  These tests hold it to the runtime: every name pysock has is typed, the
generated block matches typeshed and csrc/constants.txt, the stub itself
checks cleanly on every Python/platform mypy supports, a sample program passes
--strict (and runs), and misuse is caught (the types are not Any).
"""

from __future__ import annotations

import ast
import os
import shutil
import site
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import pysock
from pysock import backends

from tooling import checkout_or_skip, python_module, run


@pytest.fixture(scope="module")
def checkout() -> Path:
    """The git checkout these tests came from (they skip without one)."""
    return checkout_or_skip()

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = Path(pysock.__file__).resolve().parent
STUB = PACKAGE_DIR / "__init__.pyi"

# mypy's oldest --python-version is 3.10; the stub's 3.9 branches are plain
# typeshed conditions.
MYPY_VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
PLATFORMS = ["linux", "darwin"]


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def mypy_env() -> Dict[str, str]:
    """Where mypy finds pysock: the imported package, wherever it is installed.

    An installed wheel is found through --python-executable; a checkout
    (editable install, whose import hook mypy cannot follow) through MYPYPATH.
    """
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    parent = str(PACKAGE_DIR.parent)
    installed = {str(Path(p).resolve()) for p in site.getsitepackages() + [site.getusersitepackages()]}
    if parent not in installed:
        env["MYPYPATH"] = parent
    return env


def mypy(args: List[str], cwd: Path, cache: Path) -> Tuple[int, str]:
    python_module("mypy")
    result = run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                  "--cache-dir", str(cache), "--python-executable", sys.executable, *args],
                 cwd=cwd, env=mypy_env())
    return result.returncode, result.stdout + result.stderr


def test_the_package_is_typed() -> None:
    """PEP 561: py.typed and the stub ship inside the package (checkout or wheel)."""
    assert (PACKAGE_DIR / "py.typed").is_file()
    assert STUB.is_file()


def test_sample_program_passes_mypy_strict_and_runs(tmp_path: Path, mypy_cache: Path) -> None:
    sample = tmp_path / "sample.py"
    shutil.copy(HERE / "typing_sample.py", sample)
    status, output = mypy([str(sample)], cwd=tmp_path, cache=mypy_cache)
    assert status == 0, output
    ran = run([sys.executable, str(sample)], cwd=tmp_path, timeout=60)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"on {pysock.backend}" in ran.stdout


MISUSE = '''
import pysock
s = pysock.socket(pysock.AF_INET, pysock.SOCK_DGRAM)
s.disconnect(1)
count: str = s.send(b"x")
error: str = pysock.backend_error
pysock.no_such_function()
left, right = pysock.socketpair()
left.recv("4")
'''
MISUSE_ERRORS = ['Too many arguments for "disconnect"',
                 'Incompatible types in assignment (expression has type "int", variable has type "str")',
                 'Incompatible types in assignment (expression has type "str | None", variable has type "str")',
                 'Module has no attribute "no_such_function"',
                 'Argument 1 to "recv" of "socket" has incompatible type "str"']


def test_mypy_rejects_misuse(tmp_path: Path, mypy_cache: Path) -> None:
    """The types are real, not Any: each wrong line is an error."""
    program = tmp_path / "misuse.py"
    program.write_text(MISUSE)
    status, output = mypy([str(program)], cwd=tmp_path, cache=mypy_cache)
    assert status == 1, output
    missing = [error for error in MISUSE_ERRORS if error not in output]
    assert not missing, output
    assert output.count("error:") == len(MISUSE_ERRORS), output


def runtime_names() -> List[str]:
    """Every name pysock can have on this interpreter: either backend, plus pysock's own."""
    names = set(pysock.__all__)
    for name in backends.NAMES:
        try:
            names |= set(backends.load(name).__all__) - backends.TYPED_IN_STDLIB
        except ImportError:  # the cffi backend, where only the pure wheel is installed
            pass
    return sorted(names)


def test_stub_types_every_runtime_name(tmp_path: Path, mypy_cache: Path) -> None:
    program = tmp_path / "names.py"
    program.write_text("import pysock\n" + "".join(f"pysock.{name}\n" for name in runtime_names()))
    status, output = mypy([str(program)], cwd=tmp_path, cache=mypy_cache)
    assert status == 0, f"names pysock has at run time but its stub lacks:\n{output}"


def hand_written_names() -> Tuple[List[str], List[str]]:
    """(module-level names, socket methods) the stub writes itself, outside the
    generated block (which test_generated_block_is_current holds to its sources)."""
    text = STUB.read_text()
    begin, end = text.index("# BEGIN generated"), text.index("# END generated")
    tree = ast.parse(text[:begin] + text[end:])
    names: List[str] = []
    methods: List[str] = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.If):  # version-dependent signatures
            names += [n.name for n in node.body if isinstance(n, ast.FunctionDef)]
        if isinstance(node, ast.ClassDef) and node.name == "socket":
            methods = [n.name for n in node.body if isinstance(n, ast.FunctionDef)]
        if isinstance(node, ast.ImportFrom) and node.module == "pysock":
            names += [alias.asname or alias.name for alias in node.names]
    return names, methods


def test_hand_written_names_exist_at_run_time() -> None:
    names, methods = hand_written_names()
    assert {"socket", "backend", "backend_error", "backends", "__version__"} <= set(names)
    assert "disconnect" in methods
    assert [name for name in names if not hasattr(pysock, name)] == []
    assert [name for name in methods if not hasattr(pysock.socket, name)] == []


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("version", MYPY_VERSIONS)
def test_stub_checks_on_every_python(version: str, platform: str, tmp_path: Path,
                                     mypy_cache: Path) -> None:
    status, output = mypy(["--python-version", version, "--platform", platform, str(STUB)],
                          cwd=tmp_path, cache=mypy_cache)
    assert status == 0, output


def test_generated_block_is_current(checkout: Path) -> None:
    python_module("mypy")
    python_module("cffi")
    result = run([sys.executable, str(checkout / "scripts" / "update_stub.py"), "--check"])
    assert result.returncode == 0, result.stdout + result.stderr

