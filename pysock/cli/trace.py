"""``python -m pysock trace SCENARIO`` and ``python -m pysock trace -- python
script.py``: the system calls behind each step and each Python socket call,
per backend (and for a scenario, its C twin), read with strace.

A student sees that ``sock.sendall()`` is a loop of send() calls, that
``settimeout()`` adds poll(), that the stdlib backend polls before a call
where pysock-cffi tries the call first.  Without strace there is nothing to
read the system calls with: the command says so and stops.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from typing import Any, List, Sequence

from pysock import backends
from pysock.cli import _strace
from pysock.cli._term import Progress, Style, colour_enabled
from pysock.labs import build as lab_build
from pysock.labs import catalogue, runner

SHOWN = 10  # system calls shown per group; the rest are counted


def _python_argv(command: Sequence[str]) -> List[str]:
    """A Python command line, run through the call-marking hook (with this
    interpreter, so that pysock is importable); anything else as it is."""
    first = os.path.basename(command[0])
    if re.fullmatch(r"python[\d.]*", first) or command[0] == sys.executable:
        return [sys.executable, "-m", "pysock.cli._tracehook", *command[1:]]
    return list(command)


def _print_group(group: _strace.Group, paint: Style, indent: str) -> None:
    if group.kind == "step":
        print(indent + paint(group.label, "bold"))
    elif group.kind == "call":
        print(indent + paint(group.label, "green"))
    else:
        print(indent + paint(group.label, "dim"))
    for call in group.calls:
        _print_group(call, paint, indent + "  ")
    lines = group.syscalls
    for line in lines[:SHOWN]:
        print(indent + "      " + (paint(line, "yellow") if line.startswith("SIG")
                                   or "killed by" in line else line))
    if len(lines) > SHOWN:
        names = Counter(re.match(r"\w+", line).group(0) if re.match(r"\w+", line) else "?"
                        for line in lines)
        counts = ", ".join(f"{name} ×{n}" for name, n in names.most_common())
        print(indent + paint(f"      … {len(lines) - SHOWN} more; {len(lines)} in all: {counts}",
                             "dim"))
    if not lines and not group.calls and group.kind:
        print(indent + paint("      (no system call)", "dim"))


def _show(title: str, argv: List[str], env: Any, paint: Style, steps_only: bool = False) -> int:
    print(paint(f"── {title} ", "bold", "cyan") + paint("─" * max(4, 60 - len(title)), "cyan"))
    log, status, output = _strace.run(argv, env)
    if "ptrace" in output and not log.strip():
        print(paint(f"strace could not trace: {output.strip()}", "red"))
        return 1
    groups = _strace.parse(log, steps_only)
    for group in groups:
        _print_group(group, paint, "  ")
    if not groups:
        print(paint("  (no socket system calls)", "dim"))
    if status not in (0, None):
        print(paint(f"  the program exited with status {status}", "yellow"))
    return 0


def run(args: Any) -> int:
    paint = Style(colour_enabled(sys.stdout))
    target = list(args.target)
    if target and target[0] == "--":
        target = target[1:]
    if not target:
        print("usage: python -m pysock trace SCENARIO | -- python script.py [ARGS]",
              file=sys.stderr)
        return 2
    if _strace.available() is None:
        print("strace is not installed, so the system calls cannot be shown "
              "(Debian/Ubuntu: apt install strace; Fedora: dnf install strace). "
              "Nothing was traced.", file=sys.stderr)
        return 3
    names = [args.backend] if args.backend else list(backends.NAMES)
    impls = []
    for name in names:
        try:
            backends.load(name)
        except ImportError as exc:
            print(paint(f"pysock-{name}: not available here ({exc})", "yellow"))
            continue
        impls.append(runner.Impl("python", name))
    if len(target) == 1 and target[0] in catalogue.BEHAVIOURS:
        return _trace_scenario(target[0], impls, args.lang, paint)
    if len(target) == 1 and not os.path.exists(target[0]) and "/" not in target[0] \
            and not target[0].startswith("python"):
        print(f"unknown scenario {target[0]!r}: trace one of {', '.join(catalogue.BEHAVIOURS)}, "
              "or a command after --", file=sys.stderr)
        return 2
    argv = _python_argv(target)
    failed = 0
    for impl in impls:
        failed |= _show(f"{impl.label}: {' '.join(target)}", argv, impl.env(markers=True), paint)
    return failed


def _trace_scenario(name: str, impls: List[runner.Impl], lang: Any, paint: Style) -> int:
    scenario = next(s for s in catalogue.scenarios() if s.name == name)
    print(paint(f"trace {name} · {scenario.title}", "bold"))
    failed = 0
    if lang in (None, "c"):
        build = lab_build.build_with_progress(Progress(sys.stderr))
        if build.ok:
            failed |= _show("C", [str(build.scenario(name))], runner.C.env(markers=True), paint,
                            steps_only=True)
        else:
            print(paint(f"── C: not built: {build.reason}", "yellow"))
    if lang in (None, "python"):
        for impl in impls:
            argv = [sys.executable, "-m", "pysock.cli._tracehook", "-m", "pysock.labs.scenarios",
                    "--backend", str(impl.backend), name]
            failed |= _show(impl.label, argv, impl.env(markers=True), paint, steps_only=True)
    return failed


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trace", help="show the system calls behind each socket call, per backend (strace)",
        description="trace SCENARIO: the scenario's steps in C and on each backend, with "
                    "the system calls each made.  trace -- python script.py [ARGS]: the "
                    "script on each backend, with the system calls of each socket call.")
    parser.add_argument("target", nargs="*", metavar="SCENARIO | -- COMMAND",
                        help="a scenario name, or a command after --")
    parser.add_argument("--backend", choices=("cffi", "stdlib"),
                        help="only this pysock backend (default: both)")
    parser.add_argument("--lang", choices=("c", "python"),
                        help="for a scenario: only the C twin or only the Python one")
    parser.set_defaults(run=run)
