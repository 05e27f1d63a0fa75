"""The seed programs' own code, run unchanged on pysock (see docs/lab.md)."""
