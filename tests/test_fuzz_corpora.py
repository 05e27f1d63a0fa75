"""The committed fuzz corpora, replayed through each harness's check() on
every run of the suite (no atheris needed): an input that once showed a
difference between the backends, or a crash, stays fixed.

Each harness (tests/fuzz/fuzz_*.py) runs its input through the cffi and the
stdlib backend itself and fails on any difference, so these tests compare
the backends without the `api` fixture."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).parent / "fuzz"
HARNESSES = sorted(p.stem[len("fuzz_"):] for p in FUZZ.glob("fuzz_*.py")
                   if p.stem != "fuzz_common")

pytest.importorskip("pysock._ffi", reason="the harnesses compare against the cffi backend")


def harness(name: str):
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    return importlib.import_module(f"fuzz_{name}")


def test_every_harness_has_a_corpus():
    assert set(HARNESSES) == {"address_text", "sockaddr", "getaddrinfo", "ancillary",
                              "framing"}
    for name in HARNESSES:
        assert len(list((FUZZ / "corpus" / name).iterdir())) >= 8, name


@pytest.mark.parametrize("name", HARNESSES)
def test_corpus_replays_clean(name):
    module = harness(name)
    common = importlib.import_module("fuzz_common")
    inputs = sorted((FUZZ / "corpus" / name).iterdir())
    try:
        for path in inputs:
            try:
                module.check(path.read_bytes())
            except common.Skip as reason:
                pytest.skip(str(reason))
            except AssertionError as exc:
                raise AssertionError(f"{path.name}: {exc}") from None
    finally:
        common.release()
