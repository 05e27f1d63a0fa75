"""python -m pysock.labs.scenarios [--backend cffi|stdlib] NAME...

Runs the Python twins of the named scenarios on one backend and prints each
step as a JSON line (with "scenario": NAME).  A scenario that fails outside
its steps prints {"scenario": NAME, "fatal": "..."} and the next one runs.
"""

import argparse
import sys
import traceback

from pysock import backends
from pysock.labs.scenarios import load
from pysock.labs.scenarios.scenario import Recorder


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pysock.labs.scenarios")
    parser.add_argument("--backend", choices=backends.NAMES, default="cffi")
    parser.add_argument("names", nargs="+", metavar="NAME")
    args = parser.parse_args()
    socket = backends.load(args.backend)
    for name in args.names:
        step = Recorder(sys.stdout, scenario=name)
        try:
            load(name).run(socket, step)
        except Exception as exc:  # noqa: BLE001 - reported, then the next one runs
            where = traceback.extract_tb(exc.__traceback__)[-1]
            step.emit({"fatal": f"{type(exc).__name__}: {exc} "
                                f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno})"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
