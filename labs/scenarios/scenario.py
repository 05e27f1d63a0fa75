"""What the Python twins of the compare scenarios share (scenario.h is the
C side).

A scenario module has TITLE (one line), TEACHES (what a student learns),
WHY ({step label: why C and Python differ there, in one line}) and
``run(socket, step)``: `socket` is the backend under test (a module shaped
like the socket module), `step` records each call as one JSON line, the
same line the C twin prints:

    with step("recv at EOF") as s:
        s.returned(server.recv(1024))       # b'' -> key "= 0", shown "b''"

An OSError inside the ``with`` is the step's result (key "errno N", or
"timeout" for a socket timeout); any other exception is a bug in the
scenario and propagates.  ``s.sent(n)`` records a send's byte count (moved
bytes), ``s.value(text)`` a value the scenario worked out (key "= text").

With PYSOCK_LAB_MARKERS=1, each step first writes its label to descriptor -1
and "pysock-end" when it is over (the writes fail at once with EBADF); strace
shows them, so `python -m pysock trace` can group the system calls by step.
"""

from __future__ import annotations

import json
import os
import select
import socket as _std
from select import POLLIN, POLLOUT, POLLPRI  # noqa: F401  (for the scenarios)
import sys
import time
from typing import Any, Callable, Optional, TextIO, Tuple

MARKERS = os.environ.get("PYSOCK_LAB_MARKERS") == "1"


def mark(text: str) -> None:
    """Make `text` visible in strace output, doing nothing else."""
    try:
        os.write(-1, text.encode("utf-8", "replace")[:255])
    except OSError:
        pass


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 48 else text[:45] + "..."


class Step:
    """One step: a context manager that times the call and records its result."""

    def __init__(self, label: str, emit: Callable[[dict], None]) -> None:
        self.label = label
        self._emit = emit
        self._start = 0
        self._done = False

    def __enter__(self) -> "Step":
        if MARKERS:
            mark(f"pysock-step: {self.label}")
        self._start = time.perf_counter_ns()
        return self

    def _record(self, key: str, shown: str, errno: Optional[int] = None,
                moved: Optional[int] = None) -> None:
        ns = time.perf_counter_ns() - self._start
        if MARKERS:
            mark("pysock-end")
        self._done = True
        self._emit({"step": self.label, "key": key, "shown": shown, "errno": errno,
                    "moved": moved, "ns": ns})

    def returned(self, value: Any, key: Optional[str] = None, shown: Optional[str] = None,
                 moved: Optional[int] = None) -> None:
        """What the call returned: None and ints compare with C's return value,
        bytes by their length (the count C's recv returns)."""
        if isinstance(value, tuple) and value and isinstance(value[0], (bytes, bytearray)):
            data = value[0]
            key, moved = key or f"= {len(data)}", len(data) if moved is None else moved
        elif isinstance(value, (bytes, bytearray)):
            key, moved = key or f"= {len(value)}", len(value) if moved is None else moved
        elif value is None:
            key = key or "= 0"
        elif isinstance(value, bool):
            key = key or f"= {'yes' if value else 'no'}"
        else:
            key = key or f"= {value}"
        self._record(key, shown if shown is not None else _shown(value), moved=moved)

    def sent(self, count: int) -> None:
        """A send-like call's result: the byte count it moved."""
        self._record(f"= {count}", str(count), moved=count)

    def value(self, text: str) -> None:
        """A value the scenario worked out (the C twin's step_value)."""
        self._record(f"= {text}", text)

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            if not self._done:
                self.returned(None)
            return False
        if not isinstance(exc, OSError):
            return False
        if isinstance(exc, _std.timeout) and exc.errno is None:
            self._record("timeout", f"{type(exc).__name__}: {exc}")
        elif exc.errno:
            self._record(f"errno {exc.errno}", type(exc).__name__, errno=exc.errno)
        else:
            self._record("error", f"{type(exc).__name__}: {exc}")
        return True


class Recorder:
    """``step(label)`` for a scenario: writes each step as a JSON line."""

    def __init__(self, out: TextIO = sys.stdout, **extra: Any) -> None:
        self._out = out
        self._extra = extra

    def emit(self, record: dict) -> None:
        self._out.write(json.dumps({**self._extra, **record}) + "\n")
        self._out.flush()

    def __call__(self, label: str) -> Step:
        return Step(label, self.emit)


# ---- setups the scenarios share (as in scenario.h) -----------------------------

LOOPBACK = "127.0.0.1"


def tcp_listener(socket: Any, backlog: int = 1) -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(backlog)
    return sock


def tcp_bound(socket: Any, port: int, option: Optional[int] = None, backlog: int = 0) -> Any:
    """A TCP socket with `option` (SO_REUSEADDR, SO_REUSEPORT) set, bound to
    127.0.0.1:port and listening if backlog > 0; closed again if bind fails."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if option is not None:
            sock.setsockopt(socket.SOL_SOCKET, option, 1)
        sock.bind((LOOPBACK, port))
        if backlog > 0:
            sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def tcp_pair(socket: Any) -> Tuple[Any, Any]:
    """A connected TCP pair over loopback: (client, server)."""
    with tcp_listener(socket) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    return client, server


def udp_socket(socket: Any) -> Any:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((LOOPBACK, 0))
    return sock


def closed_port(socket: Any, kind: int) -> int:
    """A port nobody listens on: bound once by the kernel's choice, then freed."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for(sock: Any, events: int, timeout_ms: int) -> int:
    """Waits up to timeout_ms for `events` (POLLERR and POLLHUP always count)."""
    poller = select.poll()
    poller.register(sock, events)
    return len(poller.poll(timeout_ms))
