"""Terminal output for the lab commands: aligned tables, colour only on a tty
(and never with NO_COLOR set), and a one-line progress display on stderr.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from typing import IO, List, Optional, Sequence, Tuple

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def colour_enabled(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class Style:
    """paint(text, "bold", "red") when colour is on; the text as it is otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def visible_len(text: str) -> int:
    return len(_ANSI.sub("", text))


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def terminal_width(stream: IO[str]) -> int:
    """The terminal's width; for a pipe or file, $COLUMNS or 200."""
    if hasattr(stream, "isatty") and stream.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    try:
        return int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return 200


Cell = Tuple[str, Tuple[str, ...]]  # (text, styles)


def table(rows: Sequence[Sequence[Cell]], style: Style, limits: Sequence[int],
          gap: str = "  ") -> List[str]:
    """Aligned lines: each column as wide as its widest cell, at most its limit."""
    widths = [0] * len(limits)
    for row in rows:
        for i, (text, _) in enumerate(row):
            widths[i] = min(max(widths[i], len(text)), limits[i])
    lines = []
    for row in rows:
        cells = []
        for i, (text, styles) in enumerate(row):
            text = shorten(text, widths[i])
            cells.append(style(text, *styles) + " " * (widths[i] - len(text)))
        lines.append(gap.join(cells).rstrip())
    return lines


def duration(ns: Optional[int]) -> str:
    """A duration in at most five characters: 39µs, 4.8ms, 174ms, 1.2s."""
    if ns is None:
        return "-"
    if ns < 1_000_000:
        return f"{ns / 1000:.0f}µs"
    if ns < 10_000_000:
        return f"{ns / 1e6:.1f}ms"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.0f}ms"
    return f"{ns / 1e9:.1f}s"


class Progress:
    """What is running now, on one self-overwriting stderr line (tty only)."""

    def __init__(self, stream: IO[str] = sys.stderr) -> None:
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.start = time.monotonic()

    def show(self, text: str) -> None:
        if self.enabled:
            width = shutil.get_terminal_size((80, 24)).columns - 1
            elapsed = time.monotonic() - self.start
            self.stream.write("\r\x1b[K" + shorten(f"[{elapsed:4.1f}s] {text}", width))
            self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
