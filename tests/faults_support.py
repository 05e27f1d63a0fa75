"""Helpers of the fault tests (tests/test_faults_*.py): signals aimed at the
main thread, a guard that turns a hang into a failure, a Python child that
runs code on one backend, and a TCP listener whose backlog is full."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Iterator, List, Sequence

MAIN_THREAD = threading.main_thread().ident


class Hung(AssertionError):
    """A blocking call did not finish within its guard."""


@contextlib.contextmanager
def hang_guard(seconds: float) -> Iterator[None]:
    """Interrupt the main thread with Hung if the block runs for `seconds`.

    The guard is a signal aimed at the main thread whose handler raises, so it
    relies on PEP 475 (a raising handler ends a blocking call): on a backend
    where that broke, the test still ends, with the handler's exception."""
    def fire(signum: int, frame: Any) -> None:
        raise Hung(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    timer = threading.Timer(seconds, signal.pthread_kill, (MAIN_THREAD, signal.SIGALRM))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGALRM, previous)


class SignalPelter:
    """Sends `signum` to the main thread every `interval` seconds from a helper
    thread, from start() until stop(); counts the handler's runs."""

    def __init__(self, signum: int = signal.SIGUSR1, interval: float = 0.02,
                 handler: Any = None) -> None:
        self.signum = signum
        self.interval = interval
        self.handled = 0
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._handler = handler
        self._previous: Any = None

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.handled += 1
        if self._handler is not None:
            self._handler()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            signal.pthread_kill(MAIN_THREAD, self.signum)
            self.sent += 1

    def start(self) -> "SignalPelter":
        self._previous = signal.signal(self.signum, self._on_signal)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join()
        if self._previous is not None:
            signal.signal(self.signum, self._previous)
            self._previous = None

    def __enter__(self) -> "SignalPelter":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def after(seconds: float, action: Any) -> threading.Thread:
    """Run `action` in a thread after `seconds`; the caller joins it."""
    def run() -> None:
        time.sleep(seconds)
        action()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def backend_command(backend: str, code: str, args: Sequence[str] = (),
                    prefix: Sequence[str] = ()) -> List[str]:
    """The command running `code` in a fresh interpreter with `api` bound to
    the backend, sys.argv[1:] = args; `prefix` goes before the interpreter
    (e.g. ["ip", "netns", "exec", NS])."""
    setup = ("from pysock import backends\n"
             "api = backends.load(%r)\n") % (backend,)
    return [*prefix, sys.executable, "-c", setup + code, *args]


def run_backend_code(backend: str, code: str, timeout: float = 30,
                     args_after: Sequence[str] = (), prefix: Sequence[str] = (),
                     **kwargs: Any) -> "subprocess.CompletedProcess[str]":
    """Run backend_command() to the end (bounded by `timeout`)."""
    return subprocess.run(backend_command(backend, code, args_after, prefix),
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def backend_name(api: Any) -> str:
    return "cffi" if api.__name__ == "pysock.backends.cffi" else "stdlib"


def loopback_listener(api: Any, backlog: int = 128) -> Any:
    """A TCP socket listening on 127.0.0.1, on a port the kernel chose."""
    listener = api.socket(api.AF_INET, api.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    return listener


class FullBacklog:
    """A loopback TCP listener (listen(0)) whose accept queue is full, so a
    new connect()'s SYN is dropped and the connect waits for a retransmit."""

    def __init__(self, api: Any) -> None:
        self.listener = loopback_listener(api, 0)
        self.address = self.listener.getsockname()
        self.fillers: List[Any] = []
        for _ in range(8):
            filler = api.socket(api.AF_INET, api.SOCK_STREAM)
            filler.settimeout(0.2)
            try:
                filler.connect(self.address)
            except OSError:      # timed out: the queue is full now
                filler.close()
                break
            self.fillers.append(filler)
        else:
            self.close()
            raise AssertionError("the accept queue never filled")

    def drain(self) -> None:
        """Accept and close what is queued, making room for the next SYN."""
        self.listener.settimeout(0.5)
        for _ in self.fillers:
            try:
                accepted, _ = self.listener.accept()
            except OSError:
                break
            accepted.close()

    def close(self) -> None:
        for filler in self.fillers:
            filler.close()
        self.listener.close()

