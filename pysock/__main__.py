"""python -m pysock: the lab command line (see pysock.cli)."""

from pysock.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
