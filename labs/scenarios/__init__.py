"""The compare scenarios: each behaviour a socket lab teaches, as a C program
(NAME.c) and a Python module (NAME.py) that make the same calls and report
each as a step (see scenario.h and scenario.py).

``python -m pysock.labs.scenarios [--backend cffi|stdlib] NAME...`` runs the
Python twins and prints their steps as JSON lines; ``python -m pysock
compare`` runs all three columns and explains the differences.
"""

import importlib
from types import ModuleType


def module_name(name: str) -> str:
    """The module (and C file) name of a scenario: "recv-eof" -> "recv_eof"."""
    return name.replace("-", "_")


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module_name(name)}")
