"""``python -m pysock demo NAME [--lang c|python|posix] [--backend cffi|stdlib]``:
runs a lab program pair end to end on loopback and prints the conversation,
line by line as each side printed it.  ``demo --list`` shows the pairs.

The server is started with --port 0 (the kernel picks a free port, which the
server prints and the client is given), so a demo never collides with
anything; run by hand, the programs default to the seeds' ports.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any, List

import pysock
from pysock.cli._term import Progress, Style, colour_enabled, table
from pysock.labs import LABS_DIR
from pysock.labs import build as lab_build
from pysock.labs import catalogue, runner


def list_programs() -> None:
    paint = Style(colour_enabled(sys.stdout))
    rows = [[(p.name, ("bold",)), ("/".join(p.languages), ("dim",)), (p.title, ())]
            for p in catalogue.PROGRAMS]
    for line in table(rows, paint, [18, 16, 100]):
        print(line)


def shown_command(argv: List[str], build: Any) -> str:
    """A command line as a student would type it."""
    words = []
    for word in argv:
        if word == sys.executable:
            word = "python"
        elif build is not None and build.ok and word.startswith(str(build.directory)):
            word = "bin" + word[len(str(build.directory)):]
        elif word.startswith(str(LABS_DIR)):
            word = "labs" + word[len(str(LABS_DIR)):]
        words.append(word)
    return shlex.join(words)


def impl_for(language: str, backend: str) -> runner.Impl:
    if language == "c":
        return runner.C
    return runner.Impl(language, backend)


def run(args: Any) -> int:
    if args.list or not args.name:
        list_programs()
        return 0 if args.list else 2
    try:
        program = catalogue.program(args.name)
    except KeyError:
        print(f"unknown program pair {args.name!r} (python -m pysock demo --list)",
              file=sys.stderr)
        return 2
    default = "python" if "python" in program.languages else program.languages[0]
    languages = {"server": args.lang or default,
                 "client": args.client_lang or args.lang or default}
    for role, language in languages.items():
        if language not in program.languages:
            print(f"{program.name} has no {language} {role} (it has: "
                  f"{', '.join(program.languages)})", file=sys.stderr)
            return 2
    build = None
    if "c" in languages.values():
        build = lab_build.build_with_progress(Progress(sys.stderr))
        if not build.ok:
            print(f"cannot run the C programs: {build.reason}", file=sys.stderr)
            return 2
    backend = args.backend or pysock.backend
    server, client = (impl_for(languages[role], backend) for role in ("server", "client"))
    paint = Style(colour_enabled(sys.stdout))
    print(paint(f"{program.name} · {program.title}", "bold", "cyan"))
    print(paint(program.teaches, "dim"))
    sides = f"server: {server.label}, client: {client.label}" if program.server \
        else f"program: {client.label}"
    print(paint(sides, "dim") + (paint(f"  (C built in {build.directory})", "dim")
                                 if build is not None else ""))
    conv = runner.converse(program, server, client, build)
    for argv in conv.commands:
        print(paint("$ " + shown_command(argv, build), "bold"))
    width = max((len(who) for _, who, _ in conv.timeline), default=6)
    for _, who, line in sorted(conv.timeline, key=lambda item: item[0]):
        colour = ("yellow",) if "stderr" in who else ("cyan",) if who == "server" else ("green",)
        print(f"  {paint(who.ljust(width), *colour)} │ {line}")
    if any("Address already in use" in error for error in conv.errors):
        print(paint("hint: the port is taken.  A server that closed a connection first leaves "
                    "it in TIME_WAIT for a minute, and one without SO_REUSEADDR (the seed's) "
                    "cannot bind again until then: see python -m pysock compare eaddrinuse.",
                    "yellow"))
    statuses, ok = runner.exit_summary(program, conv)
    for error in conv.errors:
        if not error.startswith(("server:", "client:")):
            print(paint(error, "red"))
    print(paint(f"{statuses} ({conv.seconds:.2f} s)", "dim" if ok else "red"))
    return 0 if ok else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a lab program pair end to end and print the conversation")
    parser.add_argument("name", nargs="?", metavar="NAME", help="the pair (see --list)")
    parser.add_argument("--list", action="store_true", help="list the program pairs")
    parser.add_argument("--lang", choices=("c", "python", "posix"),
                        help="language of both sides (default: python)")
    parser.add_argument("--client-lang", choices=("c", "python", "posix"),
                        help="a different language for the client (e.g. C server, Python client)")
    parser.add_argument("--backend", choices=("cffi", "stdlib"),
                        help="pysock backend for the Python side (default: the active one)")
    parser.set_defaults(run=run)
