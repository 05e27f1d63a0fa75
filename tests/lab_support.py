"""What the lab tests share: the C twins, built once per session with
-Werror (the programs must compile cleanly), or a skip that says why."""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from pysock.labs import build as lab_build


@pytest.fixture(scope="session")
def c_build(tmp_path_factory: Any) -> Iterator[lab_build.Build]:
    """The C programs and scenarios, built with -Werror into a session cache."""
    compiler, make = lab_build.tools()
    if compiler is None or make is None:
        pytest.skip("no C compiler (or make) on PATH: the C twins cannot be built")
    cache = tmp_path_factory.mktemp("lab-cache")
    previous = os.environ.get(lab_build.ENV_CACHE)
    os.environ[lab_build.ENV_CACHE] = str(cache)
    try:
        built = lab_build.build(werror=True)
    finally:
        if previous is None:
            del os.environ[lab_build.ENV_CACHE]
        else:
            os.environ[lab_build.ENV_CACHE] = previous
    assert built.ok, f"the C twins do not build cleanly: {built.reason}\n{built.log}"
    yield built


def has_extension() -> bool:
    """Whether the compiled extension is installed (not so from the pure wheel)."""
    try:
        import pysock.backends.cffi  # noqa: F401
    except ImportError:
        return False
    return True


def require_language(*languages: str) -> None:
    """Skip, saying why, when a twin in `languages` cannot run here: the
    pysock.posix twins are built on the compiled extension."""
    if "posix" in languages and not has_extension():
        pytest.skip("the posix twins need the compiled extension (pure wheel here)")


def backend_of(api: Any) -> str:
    """The pysock backend name of an `api` fixture value."""
    return api.__name__.rsplit(".", 1)[-1]


def command(name: str, language: str, build: Any, backend: str = "cffi") -> "tuple[list, dict]":
    """(argv, env) running lab program `name` (e.g. "echo_client") in a language."""
    import sys

    from pysock.labs import LABS_DIR
    require_language(language)
    env = dict(os.environ, PYSOCK_BACKEND=backend, PYTHONUNBUFFERED="1")
    if language == "c":
        return [str(build.program(name))], env
    suffix = "_posix.py" if language == "posix" else ".py"
    return [sys.executable, str(LABS_DIR / (name + suffix))], env
