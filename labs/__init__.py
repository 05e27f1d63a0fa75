"""The lab programs: each seed program as a C/Python twin (installed as
``pysock.labs``; the sources sit in ``labs/`` at the top of the repository).

Run a pair with ``python -m pysock demo NAME``; compare C and Python with
``python -m pysock compare``.  The catalogue of programs and scenarios is
``pysock.labs.catalogue``; ``LABS_DIR`` is where the sources are, for the
C build (``make -C LABS_DIR``).
"""

from pathlib import Path

LABS_DIR = Path(__file__).resolve().parent
