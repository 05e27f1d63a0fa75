"""The lab command line: ``python -m pysock COMMAND``.

Each command is a module in this package with a ``register(subparsers)``
function; adding a command is adding a module to COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import List, Optional

COMMANDS = ["info", "demo", "compare", "trace"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pysock",
        description="pysock: the socket module on C shims, and a lab for comparing "
                    "C and Python socket behaviour.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"pysock.cli.{name}").register(subparsers)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as a C tool would,
        # and keep the interpreter from complaining while flushing stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
